"""The committee view: its figures are the roll-up's (recomputed here from the projects), and every
tab shows the view's figures."""

from __future__ import annotations

from datetime import timedelta

import openpyxl
import pandas as pd
import pytest

from pmo_logic.consolidate import consolidate
from pmo_logic.kpis import planned_fraction
from pmo_logic.reader import read_portfolio_workbook
from pmo_logic.report import build_view, write_committee_pack
from pmo_logic.report.labels import CODES, LABELS
from pmo_logic.snapshots import changes, load_snapshot, milestone_trend, save_snapshot


@pytest.fixture(scope="module")
def demo(demo_portfolio, tmp_path_factory):
    folder = tmp_path_factory.mktemp("view")
    settings = read_portfolio_workbook(demo_portfolio.portfolio_file)
    portfolio = consolidate(demo_portfolio.folder / "projects", settings, workers=1)
    snapshot = load_snapshot(save_snapshot(portfolio, folder / "snapshots"))
    view = build_view(portfolio, changes=changes(snapshot, portfolio), trend=milestone_trend([snapshot], portfolio),
                      previous=snapshot.tables["projects"])  # fmt: skip
    path = write_committee_pack(folder / "pack.xlsx", portfolio, view=view)
    return portfolio, view, path


def test_headlines_are_the_sums_of_the_projects(demo):
    portfolio, view, _ = demo
    projects = portfolio.projects
    bac, ev, pv, ac = (float(projects[c].sum()) for c in ("bac", "ev", "pv", "ac"))
    assert view.headline("bac").value == pytest.approx(bac)
    assert view.headline("approved_budget").value == pytest.approx(projects["approved_budget"].sum())
    assert view.headline("spi").value == pytest.approx(ev / pv)
    assert view.headline("cpi").value == pytest.approx(ev / ac)
    eac = bac / (ev / ac)
    assert view.headline("eac").value == pytest.approx(eac)
    assert view.headline("eac_bac").value == pytest.approx(eac - bac)
    assert view.headline("eac_bac_pct").value == pytest.approx((eac - bac) / bac)
    known = projects[projects["spi_t"].notna()]
    assert view.headline("spi_t").value == pytest.approx((known["spi_t"] * known["bac"]).sum() / known["bac"].sum())
    # Coloured against the Settings' thresholds, by hand: CPI 0.95 is amber below 0.95, green at it.
    s = portfolio.settings
    cpi = ev / ac
    expected = "green" if cpi >= s.cpi_green else ("amber" if cpi >= s.cpi_amber else "red")
    assert view.headline("cpi").rag == expected
    # The same roll-up compared with itself: every trend "stable".
    assert {h.trend for h in view.headlines if h.value is not None} == {"same"}


def test_lists_and_counts_are_the_projects(demo):
    portfolio, view, _ = demo
    projects, status = portfolio.projects, pd.Timestamp(portfolio.status_date)
    assert view.rag_counts == {c: int((projects["rag_overall"] == c).sum()) for c in ("green", "amber", "red",
                                                                                       "no data")}  # fmt: skip
    red_amber = projects[projects["rag_overall"].isin(["red", "amber"])]
    assert sorted(view.attention["project_id"]) == sorted(red_amber["project_id"])
    assert list(view.attention["rag_differs"]) == [
        bool(projects.set_index("project_id").at[p, "rag_differs"]) for p in view.attention["project_id"]
    ]
    risks = portfolio.details["risks"]
    threats = risks[(risks["type"].fillna("threat") == "threat") & risks["status"].fillna("open").eq("open")]
    assert sum(map(sum, view.risk_matrix.counts)) == threats[["probability", "impact"]].notna().all(axis=1).sum()
    assert list(view.top_threats["score"]) == sorted(threats["score"], reverse=True)[:5]
    decisions = portfolio.details["decisions"]
    open_ = decisions[decisions["status"] == "open"]
    assert list(view.decisions_needed["needed_by"]) == sorted(open_["needed_by"])[:5]
    key = portfolio.milestones[portfolio.milestones["key_milestone"] == True]  # noqa: E712
    due = key[(key["finish"] >= status) & (key["finish"] <= status + timedelta(days=90)) & (key["status"] != "done")]
    assert sorted(view.upcoming_milestones["id"].astype(str) + view.upcoming_milestones["project_id"]) == sorted(
        (due["id"].astype(str) + due["project_id"]).head(10)
    )
    actions = portfolio.details["actions"]
    late = actions[(actions["due_date"] < status) & ~actions["status"].isin(["done", "cancelled"])]
    assert int(view.overdue_by_owner["count"].sum()) == len(late) == int(projects["overdue_actions"].sum())


def test_status_subtotals_and_total(demo):
    portfolio, view, _ = demo
    rows = view.status_rows
    for programme, group in portfolio.projects.groupby("programme"):
        sub = rows[(rows["kind"] == "subtotal") & (rows["programme"] == programme)].iloc[0]
        assert sub["bac"] == pytest.approx(group["bac"].sum())
        assert sub["spi"] == pytest.approx(group["ev"].sum() / group["pv"].sum())
        assert sub["cpi"] == pytest.approx(group["ev"].sum() / group["ac"].sum())
        mine = rows[(rows["kind"] == "project") & (rows["programme"] == programme)]
        order = {"red": 0, "amber": 1, "no data": 2, "green": 3}
        assert list(mine["rag_overall"].map(order)) == sorted(mine["rag_overall"].map(order))
    total = rows[rows["kind"] == "total"].iloc[0]
    assert total["bac"] == pytest.approx(portfolio.projects["bac"].sum())
    assert set(rows.loc[rows["kind"] == "left_out", "project_id"]) == {p for p, _ in portfolio.coverage()["left_out"]}


def test_data_quality_counts_are_each_projects_own(demo):
    # The view counts with one pass over the plan and the findings: here, project by project.
    portfolio, view, _ = demo
    plan, findings, status = portfolio.details["plan"], portfolio.findings, pd.Timestamp(portfolio.status_date)
    expected = {}
    for project_id in portfolio.projects["project_id"]:
        mine = plan[(plan["project_id"] == project_id) & (plan["type"] != "summary")]
        due = (mine["baseline_finish"] <= status) & (mine["status"] != "cancelled")
        late = (mine["status"] != "done") | (mine["actual_finish"] > mine["baseline_finish"])
        theirs = findings[findings["project"] == project_id]
        expected[project_id] = (int(theirs["code"].astype(str).str.startswith("DCMA").sum()), int((due & late).sum()))
    shown = {q["project_id"]: (q["dcma_failures"], q["missed_tasks"]) for q in view.data_quality.to_dict("records")}
    assert shown == expected
    # The demo has both, so the check can fail.
    assert any(d for d, _ in expected.values()) and any(m for _, m in expected.values())


def test_the_s_curves_pv_is_the_plans_spread_at_each_date(demo):
    portfolio, view, _ = demo
    plan, status = portfolio.details["plan"], pd.Timestamp(portfolio.status_date)
    for programme, curve in view.budget.curves.items():
        tasks = plan if programme is None else plan[plan["programme"] == programme]
        work = tasks[(tasks["type"] != "summary") & (tasks["status"] != "cancelled")]
        budgets = pd.to_numeric(work["budget"]).fillna(0)
        for when, pv in zip(curve["date"], curve["pv"], strict=True):
            if when != status:  # the status date's point is the roll-up's PV (tested with the tiles)
                assert pv == pytest.approx(float((budgets * planned_fraction(work, when).fillna(0)).sum())), when


def test_the_matrix_counts_each_cells_threats(demo):
    portfolio, view, _ = demo
    risks = portfolio.details["risks"]
    open_threat = ~risks["status"].isin(["closed", "occurred"]) & (risks["type"] != "opportunity")
    threats = risks[open_threat]
    counts = [[int(((threats["probability"] == p) & (threats["impact"] == i)).sum()) for p in range(1, 6)]
              for i in range(5, 0, -1)]  # fmt: skip
    assert view.risk_matrix.counts == counts and sum(map(sum, counts)) == int(open_threat.sum()) > 0


def test_the_timeline_runs_to_the_last_key_milestone(demo):
    portfolio, view, _ = demo
    timeline = view.timeline
    status = pd.Timestamp(portfolio.status_date)
    key = portfolio.milestones[portfolio.milestones["key_milestone"] == True]  # noqa: E712
    assert timeline.end == max(key["finish"].max(), key["baseline_finish"].max())
    assert timeline.start <= status
    # Every key milestone not done and due from the status date on is on it.
    ahead = key[key["finish"] >= status]
    assert len(timeline.items) >= len(ahead)
    assert timeline.scale == "quarter"  # the demo's milestones run beyond a year


def test_every_tab_shows_the_views_figures(demo):
    _, view, path = demo
    book = openpyxl.load_workbook(path)
    summary = book["Executive summary"]
    tiles = {summary.cell(5, c).value: summary.cell(6, c).value for c in range(1, 15, 2)}
    for key, name in (("bac", "BAC"), ("eac", "EAC"), ("eac_bac", "EAC − BAC"), ("spi", "SPI"), ("cpi", "CPI")):
        assert tiles[name] == pytest.approx(view.headline(key).value), name
    assert summary["A3"].value == view.coverage.sentence
    budget = book["Budget"]
    figures = {budget.cell(4, c).value: budget.cell(5, c).value for c in range(1, 8)}
    for key, name in (("bac", "BAC"), ("pv", "PV"), ("ev", "EV"), ("ac", "AC"), ("eac", "EAC")):
        assert figures[name] == pytest.approx(view.budget.totals[key]), name
    status = book["Portfolio status"]
    (total,) = [r for r in status.iter_rows(values_only=True) if r[0] == "Portfolio total"]
    assert total[3] == pytest.approx(view.headline("bac").value) and total[10] == pytest.approx(
        view.headline("eac").value
    )
    matrix = book["Risk matrix"]
    assert [[matrix.cell(5 + k, 2 + p).value for p in range(5)] for k in range(5)] == view.risk_matrix.counts
    quality = {r[1]: r[4] for r in book["Data quality"].iter_rows(values_only=True)}
    for q in view.data_quality.to_dict(orient="records"):
        assert quality[q["project_id"]] == view.code(q["verdict"])


# --- French -------------------------------------------------------------------------------------

ENGLISH = {en for en, fr in (*LABELS.values(), *CODES.values()) if en != fr and len(en) > 2 and "{" not in en}
"""Every English label, code and legend the pack writes that French says otherwise."""


def _french_pack(demo_portfolio, tmp_path):
    settings = read_portfolio_workbook(demo_portfolio.portfolio_file)
    settings.settings = settings.settings.model_copy(update={"language": "fr"})
    portfolio = consolidate(demo_portfolio.folder / "projects", settings, workers=1)
    snapshot = load_snapshot(save_snapshot(portfolio, tmp_path / "snapshots"))
    return portfolio, write_committee_pack(tmp_path / "pack.xlsx", portfolio, changes=changes(snapshot, portfolio),
                                           trend=milestone_trend([snapshot], portfolio),
                                           previous=snapshot.tables["projects"])  # fmt: skip


def _english_words(portfolio, path) -> list[tuple[str, str, str, str]]:
    """(tab, cell, English label, text) of each of our English words in the pack at ``path``."""
    book = openpyxl.load_workbook(path)
    # The projects' own words (names, titles, owners, comments) are theirs: only ours are checked.
    theirs = set()
    for frame in (portfolio.projects, *portfolio.details.values(), portfolio.load_problems, portfolio.interface_risks):
        for column in frame.columns:
            if frame[column].dtype == object or str(frame[column].dtype).startswith("str"):
                theirs |= {str(v) for v in frame[column].dropna()}
    found = []
    for ws in book.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                if isinstance(cell.value, str) and cell.value not in theirs:
                    for english in ENGLISH:
                        if english == cell.value or (" " in english and english in cell.value):
                            found.append((ws.title, cell.coordinate, english, cell.value))
    return found


def test_no_english_word_left_in_a_french_pack(demo, demo_portfolio, tmp_path):
    # The check finds our words in the English pack: it can fail.
    english_portfolio, _, english_path = demo
    assert len(_english_words(english_portfolio, english_path)) > 50
    portfolio, path = _french_pack(demo_portfolio, tmp_path)
    assert _english_words(portfolio, path) == []
    book = openpyxl.load_workbook(path)
    formats = {cell.number_format for ws in book.worksheets for row in ws.iter_rows() for cell in row
               if isinstance(cell.value, (int, float)) and not isinstance(cell.value, bool)}  # fmt: skip
    assert formats - {"General"} and all(f.startswith("[$-40C]") for f in formats - {"General"})
    summary = book["Synthèse"]
    # French typography: a non-breaking space before the colon.
    assert "Date d'état\u00a0:" in summary["A2"].value
