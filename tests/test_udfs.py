"""The =PMO_ functions, called as Python functions (xlwings' decorators do nothing without Excel)."""

from __future__ import annotations

from datetime import date, datetime

import networkx as nx
import pytest

from addin import udfs
from pmo_logic.consolidate import consolidate
from pmo_logic.models import PortfolioSettings, PortfolioWorkbook
from pmo_logic.rules.example_project import clean_project
from pmo_logic.snapshots import save_snapshot
from pmo_logic.templates import write_project_workbook


def test_earned_value_functions_hand_computed():
    # EV 7,500, PV 7,000, AC 7,400, BAC 15,000 (the PMBOK-style example of test_kpis).
    assert udfs.PMO_SPI(7500, 7000) == pytest.approx(7500 / 7000)
    assert udfs.PMO_CPI(7500, 7400) == pytest.approx(7500 / 7400)
    assert udfs.PMO_EAC(15000, 7400, 7500) == pytest.approx(14800)
    assert udfs.PMO_EAC(15000, 7400, 7500, "atypical") == pytest.approx(14900)
    assert udfs.PMO_EAC(15000, 7400, 7500, "composite", 7000) == pytest.approx(7400 + 7400 * 7000 / 7500)
    assert udfs.PMO_VAC(15000, 14800) == 200
    assert udfs.PMO_TCPI(15000, 7500, 7400) == pytest.approx(7500 / 7600)
    assert udfs.PMO_TCPI(15000, 7500, 7400, 14800) == pytest.approx(7500 / 7400)
    assert udfs.PMO_EV(6000, 0.5) == 3000


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: udfs.PMO_SPI(100, 0), "#PMO: undefined (the divisor is 0)"),
        (lambda: udfs.PMO_CPI("abc", 10), "#PMO: EV must be a number, not 'abc'"),
        (lambda: udfs.PMO_EAC(1000, 10, 10, "magic"), '#PMO: method must be "cpi", "atypical" or "composite"'),
        (lambda: udfs.PMO_EAC(1000, 10, 10, "composite"), "#PMO: the composite method needs PV"),
        (lambda: udfs.PMO_EV(100, 1.5), "#PMO: % complete must be between 0 and 1"),
        (lambda: udfs.PMO_RISK_SCORE(6, 2), "#PMO: probability must be a whole number from 1 to 5"),
        (lambda: udfs.PMO_PLANNED_PCT(date(2026, 2, 1), date(2026, 1, 1), date(2026, 1, 15)), "#PMO: finish is before"),
        (lambda: udfs.PMO_WORKDAYS("soon", date(2026, 1, 1)), "#PMO: expected a date"),
        (lambda: udfs.PMO_SLIP_DAYS(date(2026, 1, 1), date(2026, 1, 9), "XX"), "#PMO: unknown calendar country"),
        (lambda: udfs.PMO_RAG(None, 0.95, 0.85), "#PMO: value is empty"),
    ],
)
def test_bad_arguments_give_a_readable_error(call, message):
    result = call()
    assert isinstance(result, str) and result.startswith(message)


def test_dates_rag_and_risk():
    assert udfs.PMO_PLANNED_PCT(date(2026, 1, 1), date(2026, 1, 31), date(2026, 1, 16)) == pytest.approx(0.5)
    assert udfs.PMO_PLANNED_PCT("01/01/2026", "31/01/2026", datetime(2026, 3, 1)) == 1.0  # text dates as typed
    assert udfs.PMO_WORKDAYS(date(2026, 5, 4), date(2026, 5, 8)) == 5
    assert udfs.PMO_WORKDAYS(date(2026, 5, 4), date(2026, 5, 8), "FR") == 4  # 8 May is a French holiday
    assert udfs.PMO_SLIP_DAYS(date(2026, 5, 4), date(2026, 5, 11), "FR") == 4  # 5, 6, 7 and 11 May
    assert udfs.PMO_SLIP_DAYS(date(2026, 5, 4), date(2026, 5, 11)) == 5  # without holidays, 8 May counts
    assert udfs.PMO_SLIP_DAYS(date(2026, 5, 11), date(2026, 5, 1)) == -6
    assert udfs.PMO_RAG(0.97, 0.95, 0.85) == "Green"
    assert udfs.PMO_RAG(0.90, 0.95, 0.85) == "Amber"
    assert udfs.PMO_RAG(25, 10, 20, False) == "Red"
    assert udfs.PMO_RISK_SCORE(4, 5) == 20
    assert [udfs.PMO_RISK_LEVEL(s) for s in (4, 5, 12, 20)] == ["Low", "Medium", "High", "Critical"]
    assert udfs.PMO_RISK_LEVEL(12, 5, 15, 25) == "Medium"


def test_milestone_status():
    when = date(2026, 3, 1)
    assert udfs.PMO_MILESTONE_STATUS(date(2026, 2, 1), None, date(2026, 1, 30), when) == "Done on time"
    assert udfs.PMO_MILESTONE_STATUS(date(2026, 2, 1), None, date(2026, 2, 3), when) == "Done late"
    assert udfs.PMO_MILESTONE_STATUS(date(2026, 2, 1), date(2026, 3, 9), None, when) == "Late"
    assert udfs.PMO_MILESTONE_STATUS(date(2026, 4, 1), date(2026, 4, 9), None, when) == "Slipping"
    assert udfs.PMO_MILESTONE_STATUS(date(2026, 4, 1), date(2026, 4, 1), "", when) == "On track"


def test_schedule_dynamic_array_against_networkx():
    ids = [1.0, 2.0, 3.0, 4.0, "5"]  # IDs typed as numbers come from Excel as floats
    durations = [5, 3, 4, 2, 0]
    predecessors = [None, 1.0, "1", "2, 3", "4"]
    table = udfs.PMO_SCHEDULE(ids, durations, predecessors, date(2026, 1, 5))
    header, *rows = table
    assert header[:3] == ["ID", "Early start", "Early finish"]
    by_id = {r[0]: r for r in rows}
    assert by_id["3"][1:3] == [date(2026, 1, 12), date(2026, 1, 15)]
    assert by_id["2"][5] == 1 and by_id["2"][7] is False  # one day of float
    graph = nx.DiGraph([(1, 2), (1, 3), (2, 4), (3, 4), (4, 5)])
    for node, d in zip([1, 2, 3, 4, 5], durations, strict=True):
        graph.nodes[node]["d"] = d
    longest = max(sum(graph.nodes[n]["d"] for n in path) for path in nx.all_simple_paths(graph, 1, 5))
    assert longest == 11
    assert by_id["5"][2] == date(2026, 1, 19)  # the end of the 11th working day from Monday 5 January
    assert [r[0] for r in rows if r[7]] == ["1", "3", "4", "5"]


def test_schedule_errors():
    assert udfs.PMO_SCHEDULE(["1", "2"], [2, 2], [None, "12"], date(2026, 1, 5)) == "#PMO: predecessor 12 of 2 unknown"
    loop = udfs.PMO_SCHEDULE(["1", "2"], [2, 2], ["2", "1"], date(2026, 1, 5))
    assert loop.startswith("#PMO: dependency loop")
    assert udfs.PMO_SCHEDULE(["1"], [-2], [None], date(2026, 1, 5)) == "#PMO: duration of 1 is negative"
    assert udfs.PMO_SCHEDULE(["1", "2"], [1], [None], date(2026, 1, 5)).startswith("#PMO: ids, durations")


def test_portfolio_reads_the_last_consolidation(tmp_path):
    folder = tmp_path / "projects"
    folder.mkdir()
    write_project_workbook(folder / "a.xlsx", clean_project())
    settings = PortfolioSettings(status_date=date(2026, 2, 27))
    rollup = consolidate(folder, PortfolioWorkbook(settings=settings), workers=1)
    assert udfs.PMO_PORTFOLIO("PRJ-001", "spi", str(tmp_path)).startswith("#PMO: no consolidation found")
    save_snapshot(rollup, tmp_path / "snapshots")
    expected = rollup.projects.set_index("project_id").at["PRJ-001", "spi"]
    assert udfs.PMO_PORTFOLIO("PRJ-001", "spi", str(tmp_path)) == pytest.approx(expected)
    rag = rollup.projects.set_index("project_id").at["PRJ-001", "rag_overall"]
    assert udfs.PMO_PORTFOLIO("PRJ-001", "rag_overall", str(tmp_path)) == rag == "amber"  # R1 scores 12: high
    assert udfs.PMO_PORTFOLIO("PRJ-404", "spi", str(tmp_path)).startswith("#PMO: project PRJ-404 is not")
    assert udfs.PMO_PORTFOLIO("PRJ-001", "colour", str(tmp_path)) == "#PMO: unknown field 'colour'"


def test_every_function_is_in_the_pmo_category_with_help():
    names = [n for n in dir(udfs) if n.startswith("PMO_")]
    assert len(names) == 15
    for name in names:
        assert getattr(udfs, name).__doc__, name
