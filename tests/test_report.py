"""The committee pack: its numbers are the roll-up's, it prints, its charts plot the right cells."""

from __future__ import annotations

import copy
import itertools
import re
import subprocess
import zipfile
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from pmo_logic.consolidate import build_portfolio, consolidate, load_project
from pmo_logic.libreoffice import convert
from pmo_logic.models import PortfolioSettings, PortfolioWorkbook
from pmo_logic.reader import read_portfolio_workbook
from pmo_logic.report import write_committee_pack
from pmo_logic.rules.example_project import clean_project
from pmo_logic.snapshots import changes, load_snapshot, milestone_trend, save_snapshot
from pmo_logic.templates import write_project_workbook

TABS = [
    "Executive summary",
    "Portfolio status",
    "RAG heatmap",
    "Milestones",
    "Risk matrix",
    "Budget",
    "Actions & decisions",
    "Interfaces",
    "Data quality",
    "What changed",
    "Glossary",
]


@pytest.fixture(scope="module")
def demo_pack(demo_portfolio, tmp_path_factory):
    folder = tmp_path_factory.mktemp("pack")
    settings = read_portfolio_workbook(demo_portfolio.portfolio_file)
    portfolio = consolidate(demo_portfolio.folder / "projects", settings, workers=1)
    snapshot = load_snapshot(save_snapshot(portfolio, folder / "snapshots"))
    path = write_committee_pack(
        folder / "pack.xlsx",
        portfolio,
        changes=changes(snapshot, portfolio),
        trend=milestone_trend([snapshot], portfolio),
        previous=snapshot.tables["projects"],
    )
    return portfolio, path


def test_tabs_and_print_setup(demo_pack):
    _, path = demo_pack
    book = openpyxl.load_workbook(path)
    assert book.sheetnames == TABS
    for ws in book.worksheets:
        assert ws.page_setup.orientation == "landscape" and ws.page_setup.paperSize == 9
        assert ws.sheet_properties.pageSetUpPr.fitToPage
        # The summary holds to one page; the other tabs to one page wide, as many long as they need.
        assert ws.page_setup.fitToHeight in ((None, 1) if ws.title == "Executive summary" else (0,))
        assert "&P / &N" in ws.oddFooter.center.text
        assert ws["A1"].value.endswith("Demo portfolio")


def test_numbers_equal_the_rollup(demo_pack):
    portfolio, path = demo_pack
    book = openpyxl.load_workbook(path)
    summary = book["Executive summary"]
    # Tiles: a label over its figure, two columns each (row 5 labels, row 6 figures).
    tiles = {summary.cell(5, c).value: summary.cell(6, c).value for c in range(1, 15, 2)}
    total = portfolio.total.iloc[0]
    assert tiles["BAC"] == pytest.approx(total["bac"]) and tiles["EAC"] == pytest.approx(total["eac"])
    assert tiles["EAC − BAC"] == pytest.approx(total["eac"] - total["bac"])
    assert tiles["Approved budget"] == pytest.approx(total["approved_budget"])
    assert tiles["SPI"] == pytest.approx(total["spi"]) and tiles["CPI"] == pytest.approx(total["cpi"])
    counts = {summary.cell(4, c).value: summary.cell(4, c + 1).value for c in range(7, 15, 2)}
    assert counts == {
        code.capitalize(): int((portfolio.projects["rag_overall"] == code).sum())
        for code in ("green", "amber", "red", "no data")
    }
    status = book["Portfolio status"]
    seen = 0
    projects = portfolio.projects.set_index("project_id")
    for row in status.iter_rows(min_row=5, values_only=True):
        if row[0] in projects.index:
            expected = projects.loc[row[0]]
            assert row[3] == pytest.approx(expected["bac"])
            assert row[7] == pytest.approx(expected["spi"]) and row[8] == pytest.approx(expected["cpi"])
            assert row[10] == pytest.approx(expected["eac"])
            assert row[16] == expected["rag_overall"].capitalize()
            seen += 1
    assert seen == len(projects)
    # Programme subtotals and the portfolio total, recomputed from the projects.
    subtotals = {r[0]: r for r in status.iter_rows(min_row=5, values_only=True) if str(r[0]).startswith("Subtotal")}
    for programme, group in portfolio.projects.groupby("programme"):
        assert subtotals[f"Subtotal {programme}"][3] == pytest.approx(group["bac"].sum())
    (total_row,) = [r for r in status.iter_rows(min_row=5, values_only=True) if r[0] == "Portfolio total"]
    assert total_row[3] == pytest.approx(portfolio.projects["bac"].sum())
    # The total's EAC is the portfolio's (BAC / CPI over the sums: the headline tile's), not a sum of EACs.
    sums = portfolio.projects[["bac", "ev", "ac"]].sum()
    assert total_row[10] == pytest.approx(sums["bac"] / (sums["ev"] / sums["ac"]))
    assert total_row[10] == pytest.approx(tiles["EAC"])
    # The projects left out are grey rows saying why.
    left_out = {r[0]: r[2] for r in status.iter_rows(min_row=5, values_only=True) if r[1] == "not consolidated"}
    assert left_out == dict(portfolio.coverage()["left_out"])
    matrix = book["Risk matrix"]
    risks = portfolio.details["risks"]
    # Open threats: not opportunities, neither occurred nor closed (blank type and status: threat, open).
    open_risks = risks[(risks["type"].fillna("threat") == "threat") & risks["status"].fillna("open").eq("open")]
    for k, impact in enumerate(range(5, 0, -1)):
        for p in range(1, 6):
            expected = int(((open_risks["probability"] == p) & (open_risks["impact"] == impact)).sum())
            assert matrix.cell(5 + k, 1 + p).value == expected, (p, impact)


def _chart_ranges(path: Path) -> list[str]:
    with zipfile.ZipFile(path) as archive:
        return [
            f
            for name in sorted(archive.namelist())
            if name.startswith("xl/charts/chart")
            # Data ranges only: titles and series names (in <c:tx>) point at single label cells.
            for f in re.findall(r"<c:f>([^<]+)</c:f>", re.sub(r"<c:tx>.*?</c:tx>", "", archive.read(name).decode()))
        ]


def _cells(book, reference: str) -> list:
    sheet, cells = reference.rsplit("!", 1)
    area = book[sheet.strip("'")][cells.replace("$", "")]
    if not isinstance(area, tuple):
        return [area.value]
    return [c.value for item in area for c in (item if isinstance(item, tuple) else (item,))]


def _header(book, reference: str):
    """The cell above a range: the header of a chart data column."""
    sheet, cells = reference.rsplit("!", 1)
    first = openpyxl.utils.cell.range_boundaries(cells.replace("$", ""))
    return book[sheet.strip("'")].cell(first[1] - 1, first[0]).value


def test_charts_plot_the_right_cells(demo_pack):
    portfolio, path = demo_pack
    ranges = _chart_ranges(path)
    book = openpyxl.load_workbook(path)
    budget_ranges = [r for r in ranges if r.startswith("Budget!")]
    # Portfolio S-curve and one per programme: 6 series (PV, AC, EV, BAC, EAC, the status-date
    # marker) x (dates, values); the programme columns: 4 series (BAC, approved budget, AC, EAC).
    assert len(budget_ranges) == 12 + 8 + 12 * len(portfolio.programmes)
    # The status-date marker has one point: at the status date.
    markers = [r for r in budget_ranges if _header(book, r) == "Status date"]
    assert len(markers) == 1 + len(portfolio.programmes)
    for marker in markers:
        assert sum(v is not None for v in _cells(book, marker)) == 1
    values = [_cells(book, r) for r in budget_ranges]
    # Programme chart: categories are the programmes, the BAC series their BAC.
    texts = [v for v in values if v and all(isinstance(x, str) for x in v)]
    assert list(portfolio.programmes["programme"]) in texts
    bac = portfolio.programmes.set_index("programme")["bac"]
    assert any(v == pytest.approx([bac[p] for p in portfolio.programmes["programme"]]) for v in values)
    # S-curve: the PV series (named by the header above its cells) rises to the BAC by the last baseline month.
    pv_peaks = [max(x for x in _cells(book, r) if x is not None) for r in budget_ranges if _header(book, r) == "PV"]
    assert len(pv_peaks) == 1 + len(portfolio.programmes)
    assert pv_peaks[0] == pytest.approx(portfolio.total["bac"].iloc[0], rel=1e-9)
    assert sorted(pv_peaks[1:]) == pytest.approx(sorted(portfolio.programmes["bac"]), rel=1e-9)
    # One committee only: no milestone trend analysis yet (it needs two reporting dates).
    assert not [r for r in ranges if r.startswith("Milestones!")]


@pytest.mark.libreoffice
def test_pack_prints_to_pdf_with_its_content(demo_pack, tmp_path: Path):
    portfolio, path = demo_pack
    (pdf,) = convert([path], tmp_path, "pdf")
    pages = subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout.split("\f")
    pages = [p for p in pages if p.strip()]
    first_page = {tab: next(i for i, p in enumerate(pages) if f"{tab} — Demo portfolio" in p) for tab in TABS}
    assert list(first_page.values()) == sorted(first_page.values()), "tabs print in order"
    # Each tab fits its print setup: no tab spreads over more than four pages.
    starts = [*first_page.values(), len(pages)]
    assert all(b - a <= 4 for a, b in itertools.pairwise(starts))
    summary = pages[first_page["Executive summary"]]
    total = portfolio.total.iloc[0]
    assert f"{total['bac']:,.0f}" in summary and f"{total['spi']:.2f}" in summary
    status = "".join(pages[first_page["Portfolio status"] : first_page["RAG heatmap"]])
    for project_id in portfolio.projects["project_id"]:
        assert project_id in status
    assert "Cumulative PV, EV and AC" in pages[first_page["Budget"]]  # the chart rendered, with its title
    png = tmp_path / "budget"
    subprocess.run(
        [
            "pdftoppm",
            "-png",
            "-r",
            "40",
            "-f",
            str(first_page["Budget"] + 1),
            "-l",
            str(first_page["Budget"] + 1),
            str(pdf),
            str(png),
        ],
        check=True,
    )
    (image,) = tmp_path.glob("budget*.png")
    assert image.stat().st_size > 5000


SETTINGS = PortfolioSettings(portfolio_name="Edge", status_date=clean_project().project.status_date)


def _loads(tmp_path: Path, n: int):
    if n == 0:
        return []
    path = write_project_workbook(tmp_path / "p.xlsx", clean_project())
    first = load_project(str(path), SETTINGS)
    loads = []
    for k in range(n):
        load = copy.deepcopy(first)
        load.workbook.project.project_id = f"P{k:04d}"
        load.workbook.project.programme = f"Programme {k % 9}"
        load.path = str(tmp_path / f"P{k:04d}.xlsx")  # the roll-up names rows by the workbook's project
        loads.append(load)
    return loads


@pytest.mark.parametrize("n", [0, 1, 500])
def test_any_portfolio_size_renders(tmp_path: Path, n: int):
    portfolio = build_portfolio(
        _loads(tmp_path, n), SETTINGS, SETTINGS.status_date, PortfolioWorkbook(settings=SETTINGS)
    )
    path = write_committee_pack(tmp_path / "pack.xlsx", portfolio)
    book = openpyxl.load_workbook(path)
    assert book.sheetnames == TABS
    status_rows = [r for r in book["Portfolio status"].iter_rows(min_row=5, values_only=True) if r[0]]
    assert len([r for r in status_rows if str(r[0]).startswith("P0")]) == n


def test_french_labels(tmp_path: Path):
    settings = SETTINGS.model_copy(update={"language": "fr"})
    portfolio = build_portfolio(_loads(tmp_path, 1), settings, settings.status_date)
    book = openpyxl.load_workbook(write_committee_pack(tmp_path / "pack.xlsx", portfolio))
    assert book.sheetnames[:3] == ["Synthèse", "État du portefeuille", "Carte des météos"]


def test_pack_never_replaces_without_consent(tmp_path: Path):
    target = tmp_path / "pack.xlsx"
    target.write_bytes(b"someone's pack")
    portfolio = build_portfolio([], SETTINGS, SETTINGS.status_date)
    with pytest.raises(FileExistsError):
        write_committee_pack(target, portfolio, overwrite=False)
    assert target.read_bytes() == b"someone's pack"


def test_other_tabs_equal_the_rollup(demo_pack):
    portfolio, path = demo_pack
    book = openpyxl.load_workbook(path)
    projects = portfolio.projects.set_index("project_id")
    heat = {r[0]: r for r in book["RAG heatmap"].iter_rows(min_row=5, values_only=True) if r[0] in projects.index}
    assert len(heat) == len(projects)
    for project_id, row in heat.items():
        assert row[5] == projects.at[project_id, "rag_overall"].capitalize()
    actions = portfolio.details["actions"]
    status = pd.Timestamp(portfolio.status_date)
    late = actions[(actions["due_date"] < status) & ~actions["status"].isin(["done", "cancelled"])]
    sheet = book["Actions & decisions"]
    by_owner = {}
    for row in sheet.iter_rows(min_row=6, values_only=True):
        if row[0] is None or row[1] is None or not isinstance(row[1], (int, float)):
            break
        by_owner[row[0]] = row[1]
    assert by_owner == late.groupby(late["owner"].fillna("-")).size().to_dict()
    load_rows = list(
        book["Data quality"].iter_rows(min_row=6, max_row=5 + len(portfolio.load_problems), values_only=True)
    )
    assert [r[2] for r in load_rows] == portfolio.load_problems["code"].tolist()
    interfaces = [r for r in book["Interfaces"].iter_rows(min_row=5, values_only=True) if r[0]]
    expected = portfolio.interface_risks[portfolio.interface_risks["status"] != "on track"]
    assert sorted(r[1] for r in interfaces) == sorted(expected["interface"])


def test_project_ids_link_to_their_rollup_row(demo_pack, tmp_path: Path):
    from pmo_logic.rollup import write_rollup

    portfolio, _ = demo_pack
    rollup = write_rollup(tmp_path / "data" / "rollup.xlsx", portfolio)
    pack = write_committee_pack(tmp_path / "pack.xlsx", portfolio, rollup=rollup)
    status = openpyxl.load_workbook(pack)["Portfolio status"]
    links = {c.value: c.hyperlink for c in status["A"] if c.hyperlink is not None}
    assert set(links) == set(portfolio.projects["project_id"])
    rows = openpyxl.load_workbook(rollup)["Projects"]
    for project_id, link in links.items():
        assert link.target.replace("\\", "/").endswith("data/rollup.xlsx")
        cell = link.location.split("!")[1]
        assert rows[cell].value == project_id


def test_a_long_pm_comment_is_cut_to_the_lines_its_row_holds(demo_pack, tmp_path: Path):
    from pmo_logic.report.text_width import wrapped_lines

    portfolio, _ = demo_pack
    portfolio = copy.copy(portfolio)
    projects = portfolio.projects.copy()
    red = projects.index[projects["rag_overall"] == "red"][0]
    long = "Zorglub: recovery plan agreed with the supplier, weekly review of the build and of the test plan " * 3
    projects["rag_comment"] = projects["rag_comment"].astype(object)
    projects.loc[red, "rag_comment"] = long
    portfolio.projects = projects
    path = write_committee_pack(tmp_path / "pack.xlsx", portfolio)
    ws = openpyxl.load_workbook(path)[openpyxl.load_workbook(path).sheetnames[0]]
    (cell,) = [c for row in ws.iter_rows() for c in row if isinstance(c.value, str) and "Zorglub" in c.value]
    assert cell.value.endswith(" …") and len(cell.value) < len(long)
    width = sum(ws.column_dimensions[openpyxl.utils.get_column_letter(col)].width
                for col in range(cell.column, cell.column + 2))  # fmt: skip
    height = ws.row_dimensions[cell.row].height
    lines = wrapped_lines(cell.value, width)
    assert lines <= 2 and height >= 13.5 * lines, (lines, height)


def test_the_pack_says_which_committee_it_compares_with(demo_pack):
    from pmo_logic.i18n import short_date

    portfolio, path = demo_pack
    book = openpyxl.load_workbook(path)
    texts = {name: [c.value for row in book[name].iter_rows() for c in row if isinstance(c.value, str)]
             for name in ("Executive summary", "What changed")}  # fmt: skip
    when = short_date(portfolio.status_date, "en")  # the snapshot the fixture compares with
    for name, cells in texts.items():
        assert f"What changed since the committee of {when}" in cells, name


def test_the_reserve_under_the_budget_tile_carries_the_currency(demo_pack):
    _, path = demo_pack
    ws = openpyxl.load_workbook(path)["Executive summary"]
    cells = [c.value for row in ws.iter_rows() for c in row if isinstance(c.value, str)]
    assert any(text.startswith("Reserve: €") for text in cells), [t for t in cells if "Reserve" in t]
