"""Portfolio figures that agree with each other: one meaning per field, one value per count.

The oracles: each demo project's own workbook, recalculated by LibreOffice (an independent
spreadsheet); plain Python sums over the demo's models; hand-made risk logs; the cells the
committee pack's charts point at, read back with openpyxl.
"""

from __future__ import annotations

import math
import re
import shutil
import zipfile
from datetime import date
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from pmo_logic.consolidate import consolidate
from pmo_logic.demo import DEMO_STATUS_DATE, NOT_DELIVERED, build_demo_portfolio
from pmo_logic.frames import rows_to_frame
from pmo_logic.kpis import NO_DATA, risk_kpis, worst_rag
from pmo_logic.libreoffice import convert
from pmo_logic.models import PortfolioSettings, RiskRow
from pmo_logic.reader import read_portfolio_workbook, read_project_workbook
from pmo_logic.report import write_committee_pack
from pmo_logic.rules.example_project import clean_project
from pmo_logic.sheets import PROJECT_SHEETS
from pmo_logic.snapshots import changes, committee_history, load_snapshot, save_snapshot
from pmo_logic.templates import write_project_workbook

PROJECT_SCHEMA = next(s for s in PROJECT_SHEETS if s.key == "project")


@pytest.fixture(scope="module")
def demo(demo_portfolio):
    settings = read_portfolio_workbook(demo_portfolio.portfolio_file)
    return demo_portfolio, consolidate(demo_portfolio.folder / "projects", settings, workers=1)


@pytest.fixture(scope="module")
def pack(demo, tmp_path_factory):
    """The demo's pack, with an earlier committee (the demo a month before) in its snapshots."""
    _, portfolio = demo
    folder = tmp_path_factory.mktemp("figures-pack")
    earlier_demo = build_demo_portfolio(folder / "earlier", status_date=date(2026, 10, 23))
    earlier = consolidate(
        earlier_demo.folder / "projects", read_portfolio_workbook(earlier_demo.portfolio_file), workers=1
    )
    save_snapshot(earlier, folder / "snapshots")
    history = committee_history(folder / "snapshots", portfolio)
    path = write_committee_pack(
        folder / "pack.xlsx",
        portfolio,
        changes=history.changes,
        trend=history.trend,
        previous=history.previous_projects,
        earned=history.earned,
    )
    return portfolio, earlier, path


# --- 1. BAC and the approved budget ------------------------------------------------------------


def test_bac_is_the_work_and_the_approved_budget_is_what_was_typed(demo):
    demo_portfolio, portfolio = demo
    projects = portfolio.projects.set_index("project_id")
    for project_id, row in projects.iterrows():
        model = demo_portfolio.projects[project_id]
        work = sum(t.budget or 0 for t in model.plan if t.type != "summary")
        assert row["bac"] == pytest.approx(work), project_id
        assert row["approved_budget"] == pytest.approx(model.project.approved_budget), project_id
        assert row["reserve"] == pytest.approx(model.project.approved_budget - work), project_id
    total = portfolio.total.iloc[0]
    # The figures: the sum of task budgets, and what the project managers typed.
    assert total["bac"] == pytest.approx(6_056_200) and total["approved_budget"] == pytest.approx(6_364_000)
    assert total["reserve"] == pytest.approx(total["approved_budget"] - total["bac"])
    programmes = portfolio.programmes
    assert programmes["bac"].sum() == pytest.approx(total["bac"])
    assert programmes["approved_budget"].sum() == pytest.approx(total["approved_budget"])


@pytest.mark.parametrize(
    ("lang", "old_header"), [("en", "Budget at completion (BAC)"), ("fr", "Budget à terminaison (BAC)")]
)
def test_a_version_2_workbooks_typed_bac_reads_as_the_approved_budget(tmp_path: Path, lang: str, old_header: str):
    path = write_project_workbook(tmp_path / "v2.xlsx", clean_project(), lang=lang)
    book = openpyxl.load_workbook(path)
    project = book[PROJECT_SCHEMA.name(lang)]
    (cell,) = [c for c in project["A"] if c.value == {"en": "Approved budget", "fr": "Budget approuvé"}[lang]]
    cell.value = old_header
    for row in book["_meta"].iter_rows():
        if row[0].value == "template_version":
            row[1].value = 2
    book.save(path)
    workbook = read_project_workbook(path)
    assert [p for p in workbook.problems if p.severity != "info"] == []
    assert workbook.meta.template_version == 2
    assert workbook.project.approved_budget == 60000


def test_the_pack_shows_bac_beside_the_approved_budget(pack):
    portfolio, _, path = pack
    budget = openpyxl.load_workbook(path)["Budget"]
    tiles = {budget.cell(4, c).value: budget.cell(5, c).value for c in range(1, 8)}
    total = portfolio.total.iloc[0]
    assert tiles["BAC"] == pytest.approx(total["bac"])
    assert tiles["Approved budget"] == pytest.approx(total["approved_budget"])
    assert tiles["Reserve"] == pytest.approx(total["approved_budget"] - total["bac"])


# --- 2. threats and opportunities --------------------------------------------------------------


def test_exposure_and_counts_are_open_threats_only():
    risks = rows_to_frame(
        [
            RiskRow(id="1", title="t", type="threat", probability=5, impact=4, cost_impact=1000, status="open"),
            RiskRow(id="2", title="blank type and status: an open threat", probability=2, impact=3, cost_impact=500),
            RiskRow(id="3", title="o", type="opportunity", probability=5, impact=5, cost_impact=9000, status="open"),
            RiskRow(id="4", title="now an issue", type="threat", probability=5, impact=5, status="occurred"),
            RiskRow(id="5", title="over", type="threat", probability=5, impact=5, status="closed"),
        ],
        RiskRow,
    )
    kpis = risk_kpis(risks, PortfolioSettings())
    # By hand: threats 1 (20, EMV 0.9 x 1000) and 2 (6, EMV 0.3 x 500).
    assert (kpis["open_risks"], kpis["risk_exposure"], kpis["max_risk_score"]) == (2, 26, 20)
    assert kpis["risk_emv"] == pytest.approx(900 + 150)
    assert (kpis["risks_critical"], kpis["risks_medium"]) == (1, 1)
    assert (kpis["open_opportunities"], kpis["occurred_risks"]) == (1, 1)


def test_the_opportunity_leaves_the_red_cell_and_the_top_risks(pack):
    portfolio, _, path = pack
    risks = portfolio.details["risks"]
    opportunity = risks[(risks["project_id"] == "CP-001") & (risks["title"] == "Early release opens a new market")]
    assert opportunity["score"].max() == 20 and set(opportunity["type"]) == {"opportunity"}
    book = openpyxl.load_workbook(path)
    matrix = book["Risk matrix"]
    threats = risks[(risks["type"] != "opportunity") & ~risks["status"].isin(["occurred", "closed"])]
    # The critical cells (score 20-25) count the open threats there, and no opportunity.
    for probability, impact in ((4, 5), (5, 4), (5, 5)):
        cell = matrix.cell(5 + 5 - impact, 1 + probability).value
        there = threats[(threats["probability"] == probability) & (threats["impact"] == impact)]
        assert cell == len(there), (probability, impact)
    top = [r[1] for r in book["Executive summary"].iter_rows(values_only=True) if r[0] == "CP-001"]
    assert "Early release opens a new market" not in top
    # It is in the opportunities table, under the threats.
    opportunities_at = next(r for r in range(1, matrix.max_row + 1) if matrix.cell(r, 1).value == "Open opportunities")
    listed = [matrix.cell(r, 7).value for r in range(opportunities_at + 2, matrix.max_row + 1)]
    assert "Early release opens a new market" in listed
    shown_threats = [
        matrix.cell(r, 7).value
        for r in range(13, opportunities_at)
        if isinstance(matrix.cell(r, 5).value, (int, float))
    ]
    assert shown_threats and "Early release opens a new market" not in shown_threats


# --- 3. no data is not green -------------------------------------------------------------------


def test_a_project_without_risks_sheet_is_no_data_not_green(pack):
    portfolio, _, path = pack
    projects = portfolio.projects.set_index("project_id")
    # CP-004 is the demo's project whose Risks sheet was left out.
    assert projects.at["CP-004", "rag_risk"] == NO_DATA
    assert math.isnan(projects.at["CP-004", "open_risks"])
    assert projects.at["CP-004", "rag_overall"] == worst_rag(
        projects.at["CP-004", "rag_schedule"], projects.at["CP-004", "rag_cost"]
    )
    book = openpyxl.load_workbook(path)
    heat = {r[0]: r for r in book["RAG heatmap"].iter_rows(min_row=5, values_only=True)}
    assert heat["CP-004"][4] == "No data"
    quality = {r[1]: r for r in book["Data quality"].iter_rows(values_only=True) if r[1] in projects.index}
    assert quality["CP-004"][4] != "Yes" and "Risks" in quality["CP-004"][5]
    # "Yes" only without errors, failed DCMA checks (column 7) or missed tasks (column 8).
    clean = [p for p in projects.index if not projects.at[p, "errors"] and not any(quality[p][6:8]) and p != "CP-004"]
    assert clean and all(quality[p][4] == "Yes" for p in clean)
    assert all(quality[p][4] == "Check" for p in projects.index if any(quality[p][6:8]))


def test_an_empty_plan_and_an_unreadable_risks_sheet_are_no_data(tmp_path: Path):
    folder = tmp_path / "projects"
    folder.mkdir()
    empty = clean_project()
    empty.plan = []
    write_project_workbook(folder / "empty.xlsx", empty)
    garbled = clean_project()
    garbled.project.project_id = "PRJ-002"
    path = write_project_workbook(folder / "garbled.xlsx", garbled)
    book = openpyxl.load_workbook(path)
    for cell in book["Risks"][1]:
        cell.value = "?"  # no header row left: none of its rows can be read
    book.save(path)
    portfolio = consolidate(folder, None, workers=1)
    projects = portfolio.projects.set_index("project_id")
    assert projects.at["PRJ-001", "rag_schedule"] == NO_DATA and projects.at["PRJ-001", "rag_cost"] == NO_DATA
    assert projects.at["PRJ-001", "no_data"] == "plan"
    assert projects.at["PRJ-002", "rag_risk"] == NO_DATA and projects.at["PRJ-002", "no_data"] == "risks"
    assert projects.at["PRJ-002", "rag_schedule"] in ("green", "amber", "red")
    # Nothing known at all: the overall RAG says so rather than picking a colour.
    assert worst_rag(NO_DATA, NO_DATA, None) == NO_DATA


def test_what_changed_tells_a_dimension_that_lost_its_data(demo, tmp_path: Path):
    _, portfolio = demo
    before = load_snapshot(save_snapshot(portfolio, tmp_path))
    projects = before.tables["projects"]
    projects.loc[projects["project_id"] == "CP-004", "rag_risk"] = "green"
    diff = changes(before, portfolio)
    row = diff[(diff["project_id"] == "CP-004") & (diff["change"] == "RAG risk")]
    assert row[["before", "after"]].values.tolist() == [["green", NO_DATA]]


def test_the_executive_summary_states_the_coverage(pack, demo):
    demo_portfolio, _ = demo
    _, _, path = pack
    summary = openpyxl.load_workbook(path)["Executive summary"]
    corrupt = next(d.file for d in demo_portfolio.defects if d.kind == "corrupt_file").split()[0]
    registered = len(read_portfolio_workbook(demo_portfolio.portfolio_file).projects)
    consolidated = registered - 2
    assert summary["A3"].value == (
        f"{consolidated} of {registered} registered projects consolidated; "
        f"{corrupt} unreadable, {NOT_DELIVERED[0]} missing"
    )


# --- 4. one count, one value: each project's own workbook, recalculated ------------------------


@pytest.fixture(scope="module")
def recalculated(demo_portfolio, tmp_path_factory):
    corrupt = {d.file for d in demo_portfolio.defects if d.kind == "corrupt_file"}
    sources = [p for p in demo_portfolio.project_files if p.name not in corrupt]
    staging = tmp_path_factory.mktemp("figures-lo-in")
    staged = [Path(shutil.copy(p, staging / p.name)) for p in sources]
    out = convert(staged, tmp_path_factory.mktemp("figures-lo-out"))
    return {read_project_workbook(src).project.project_id: res for src, res in zip(sources, out, strict=True)}


def _workbook_figures(path: Path, lang: str) -> dict[str, float | None]:
    """What the workbook itself computes (its Project sheet's block, its Plan's slip column)."""
    book = openpyxl.load_workbook(path, data_only=True)
    labels = {row[0].value: row[1].value for row in book[PROJECT_SCHEMA.name(lang)].iter_rows(max_col=2)}
    figures = {v.key: labels.get(v.header(lang)) for v in PROJECT_SCHEMA.computed_values}
    plan_schema = next(s for s in PROJECT_SHEETS if s.key == "plan")
    plan = book[plan_schema.name(lang)]
    headers = [c.value for c in plan[1]]
    key_col = headers.index(next(s.col.header(lang) for s in plan_schema.columns() if s.name == "key_milestone"))
    slip_col = headers.index(next(c.header(lang) for c in plan_schema.computed if c.key == "finish_slip"))
    yes = {"en": "Yes", "fr": "Oui"}[lang]
    slips = [r[slip_col] for r in plan.iter_rows(min_row=2, values_only=True) if r[key_col] == yes]
    figures["key_milestone_slip"] = max((s for s in slips if isinstance(s, (int, float))), default=None)
    return figures


# (workbook figure, roll-up column)
COMPARED = [
    ("open_risks", "open_risks"),
    ("open_opportunities", "open_opportunities"),
    ("occurred_risks", "occurred_risks"),
    ("overdue_actions", "overdue_actions"),
    ("earned_value", "ev"),
    ("actual_cost", "ac"),
    ("task_budget", "bac"),
    ("reserve", "reserve"),
    ("percent_complete", "percent_complete"),
    ("key_milestone_slip", "key_milestone_slip"),
    ("planned_value", "pv"),
]


def _same(workbook_value, rollup_value) -> bool:
    blank = lambda v: v is None or v == "" or (isinstance(v, float) and math.isnan(v))  # noqa: E731
    if blank(workbook_value) or blank(rollup_value):
        return blank(workbook_value) and blank(rollup_value)
    return math.isclose(float(workbook_value), float(rollup_value), rel_tol=1e-9, abs_tol=1e-6)


@pytest.mark.libreoffice
@pytest.mark.parametrize(("figure", "column"), COMPARED, ids=[c[0] for c in COMPARED])
def test_each_workbooks_own_figures_equal_the_rollup(demo, recalculated, figure: str, column: str):
    demo_portfolio, portfolio = demo
    projects = portfolio.projects.set_index("project_id")
    compared = 0
    for project_id, result in recalculated.items():
        lang = demo_portfolio.projects[project_id].meta.language
        mine = _workbook_figures(result, lang)
        if figure in ("open_risks", "open_opportunities", "occurred_risks") and mine[figure] is None:
            assert projects.at[project_id, "no_data"] == "risks"  # its Risks sheet, and the formula, are gone
            continue
        assert _same(mine[figure], projects.at[project_id, column]), (
            f"{project_id} {figure}: workbook {mine[figure]!r}, roll-up {projects.at[project_id, column]!r}"
        )
        compared += 1
    assert compared >= len(recalculated) - 1


def test_every_pack_tab_shows_the_rollups_figures(pack):
    portfolio, _, path = pack
    book = openpyxl.load_workbook(path)
    projects = portfolio.projects.set_index("project_id")
    status = {
        r[0]: r for r in book["Portfolio status"].iter_rows(min_row=5, values_only=True) if r[0] in projects.index
    }
    assert set(status) == set(projects.index)
    for project_id, row in status.items():
        expected = projects.loc[project_id]
        assert _same(row[6], expected["key_milestone_slip"]) and _same(row[10], expected["eac"]), project_id
    # Risk matrix: its 25 cells hold every open threat that has a probability and an impact.
    matrix = book["Risk matrix"]
    cells = sum(matrix.cell(r, c).value for r in range(5, 10) for c in range(2, 7))
    risks = portfolio.details["risks"]
    threats = risks[(risks["type"] != "opportunity") & ~risks["status"].isin(["occurred", "closed"])]
    assert cells == threats[["probability", "impact"]].notna().all(axis=1).sum() == projects["open_risks"].sum()
    # Actions: the overdue ones listed per project are the roll-up's count.
    actions = book["Actions & decisions"]
    rows = list(actions.iter_rows(values_only=True))
    start = next(i for i, r in enumerate(rows) if r[5] == "Days overdue (calendar)") + 1
    end = next(i for i, r in enumerate(rows) if r[0] == "Open decisions")
    listed = pd.Series([r[0] for r in rows[start:end] if r[0] in projects.index]).value_counts()
    assert projects["overdue_actions"].sum() <= 40  # the tab lists 40: all of them here
    for project_id in projects.index:
        assert listed.get(project_id, 0) == projects.at[project_id, "overdue_actions"], project_id


# --- 5. S-curves agree with the tiles ----------------------------------------------------------


def _series(path: Path, sheet: str) -> list[dict[str, str]]:
    """Each chart series of ``sheet``: its categories' and values' references, chart by chart."""
    found = []
    with zipfile.ZipFile(path) as archive:
        for name in sorted(
            archive.namelist(), key=lambda n: [int(x) if x.isdigit() else x for x in re.split(r"(\d+)", n)]
        ):
            if not name.startswith("xl/charts/chart"):
                continue
            xml = archive.read(name).decode()
            for n, ser in enumerate(re.findall(r"<c:ser>(.*?)</c:ser>", xml, re.S)):
                refs = {k: re.search(rf"<c:{k}>.*?<c:f>([^<]+)</c:f>", ser, re.S) for k in ("cat", "val")}
                if refs["val"] and refs["val"].group(1).startswith(f"{sheet}!"):
                    found.append({"chart": name, "n": n, **{k: m.group(1) for k, m in refs.items() if m}})
    return found


def _range(book, reference: str) -> tuple[list, object]:
    """The values of a one-column range and the header cell above it."""
    sheet, cells = reference.rsplit("!", 1)
    min_col, min_row, _, max_row = openpyxl.utils.cell.range_boundaries(cells.replace("$", ""))
    ws = book[sheet.strip("'")]
    return [ws.cell(r, min_col).value for r in range(min_row, max_row + 1)], ws.cell(min_row - 1, min_col).value


def _curves(path: Path) -> list[dict[str, list]]:
    """Each S-curve of the Budget tab as {header: values} with its dates, in chart order."""
    book = openpyxl.load_workbook(path)
    curves: dict[str, dict[str, list]] = {}
    for series in _series(path, "Budget"):
        values, header = _range(book, series["val"])
        dates, _ = _range(book, series["cat"])
        curve = curves.setdefault(series["chart"], {"dates": dates})
        curve[header] = values
    return [c for c in curves.values() if "PV" in c]


def test_the_s_curves_status_point_equals_the_tiles(pack):
    portfolio, earlier, path = pack
    book = openpyxl.load_workbook(path)
    budget = book["Budget"]
    tiles = {budget.cell(4, c).value: budget.cell(5, c).value for c in range(1, 8)}
    curves = _curves(path)
    assert len(curves) == 1 + len(portfolio.programmes)
    status = pd.Timestamp(DEMO_STATUS_DATE)
    figures = [portfolio.total.iloc[0], *(row for _, row in portfolio.programmes.sort_values("programme").iterrows())]
    for curve, expected in zip(curves, figures, strict=True):
        at = [pd.Timestamp(d) for d in curve["dates"]].index(status)
        for name in ("PV", "EV", "AC"):
            assert curve[name][at] == pytest.approx(expected[name.lower()]), name
        # BAC and EAC are reference lines: the same value all along.
        assert curve["BAC"] == pytest.approx([expected["bac"]] * len(curve["dates"]))
        assert curve["EAC"] == pytest.approx([expected["eac"]] * len(curve["dates"]))
        # AC runs up to the status date: the month before it has its point too.
        month_before = max(i for i, d in enumerate(curve["dates"]) if pd.Timestamp(d) < status.replace(day=1))
        assert curve["AC"][month_before] is not None
        assert all(v is None for v in curve["AC"][at + 1 :]) and all(v is None for v in curve["EV"][at + 1 :])
        # EV: the earlier committee's point, from its snapshot, and the current one.
        known = [(pd.Timestamp(d), v) for d, v in zip(curve["dates"], curve["EV"], strict=True) if v is not None]
        assert [d for d, _ in known] == [pd.Timestamp(earlier.status_date), status]
    portfolio_curve = curves[0]
    at = [pd.Timestamp(d) for d in portfolio_curve["dates"]].index(status)
    assert (portfolio_curve["PV"][at], portfolio_curve["EV"][at], portfolio_curve["AC"][at]) == (
        pytest.approx(tiles["PV"]),
        pytest.approx(tiles["EV"]),
        pytest.approx(tiles["AC"]),
    )
    first_ev = next(v for v in portfolio_curve["EV"] if v is not None)
    assert first_ev == pytest.approx(earlier.total["ev"].iloc[0])
