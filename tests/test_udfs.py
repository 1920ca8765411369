"""The =PMO_ functions, called as Python functions (xlwings' decorators do nothing without Excel)."""

from __future__ import annotations

import inspect
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
        (lambda: udfs.PMO_WORKDAYS("soon", date(2026, 1, 1)), "#PMO: start: expected a date"),
        (lambda: udfs.PMO_EAC(100, 35, 30, 5), "#PMO: method must be text, not 5"),  # was an AttributeError
        (lambda: udfs.PMO_WORKDAYS(date(2026, 1, 1), date(2026, 1, 9), 33), "#PMO: country must be text, not 33"),
        (lambda: udfs.PMO_SPI([1, 2], 5), "#PMO: EV must be a single number, not a range of cells"),
        (lambda: udfs.PMO_TCPI(1000, 1000, 1200), "#PMO: undefined: the actual cost has reached the target"),
        (lambda: udfs.PMO_TCPI(1000, 800, 900, 900), "#PMO: undefined: the actual cost has reached the target"),
        (lambda: udfs.PMO_RAG(0.9, 0.95, 0.85, "maybe"), "#PMO: higher_is_better must be TRUE or FALSE"),
        (
            lambda: udfs.PMO_PLANNED_PCT(date(2026, 3, 2), date(2026, 3, 5), date(2026, 3, 4), ["soon"]),
            "#PMO: non-working days: expected a date",
        ),
        (lambda: udfs.PMO_SLIP_DAYS(date(2026, 1, 1), date(2026, 1, 9), "XX"), "#PMO: unknown calendar country"),
        (lambda: udfs.PMO_RAG(None, 0.95, 0.85), "#PMO: value is empty"),
    ],
)
def test_bad_arguments_give_a_readable_error(call, message):
    result = call()
    assert isinstance(result, str) and result.startswith(message)


def test_dates_rag_and_risk():
    # MS Project's BCWS: a Monday-to-Thursday task is 75% planned at the end of the Wednesday.
    assert udfs.PMO_PLANNED_PCT(date(2026, 3, 2), date(2026, 3, 5), date(2026, 3, 4)) == 0.75
    assert udfs.PMO_PLANNED_PCT(date(2026, 3, 2), date(2026, 3, 5), date(2026, 3, 1)) == 0  # the Sunday before
    assert udfs.PMO_PLANNED_PCT(date(2026, 3, 2), date(2026, 3, 5), date(2026, 3, 4), [[date(2026, 3, 3)], [None]]) == (
        pytest.approx(2 / 3)  # Tuesday listed as a day off: Wednesday ends day 2 of 3
    )
    # 1 May is a French holiday: Monday 27 April to Friday 1 May has four working days in France.
    assert udfs.PMO_PLANNED_PCT(date(2026, 4, 27), date(2026, 5, 1), date(2026, 4, 30)) == 0.8
    assert udfs.PMO_PLANNED_PCT(date(2026, 4, 27), date(2026, 5, 1), date(2026, 4, 30), None, "FR") == 1.0
    assert udfs.PMO_PLANNED_PCT(date(2026, 3, 4), date(2026, 3, 4), date(2026, 3, 4)) == 1.0  # a milestone, on its day
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
    assert len(names) == 19
    for name in names:
        assert getattr(udfs, name).__doc__, name


@pytest.mark.parametrize("error", ["#N/A", "#DIV/0!", "#VALUE!", "#REF!"])
def test_an_excel_error_argument_gives_that_error_back(error):
    """With ``err_to_str`` (which every argument asks xlwings for), an error cell arrives as its text."""
    assert udfs.PMO_SPI(error, 100) == error
    assert udfs.PMO_EAC(1000, 10, 10, error) == error
    assert udfs.PMO_WORKDAYS(date(2026, 1, 5), error) == error
    assert udfs.PMO_PLANNED_PCT(date(2026, 1, 5), date(2026, 1, 9), date(2026, 1, 7), error) == error


def test_a_raw_error_code_reads_as_its_error_and_a_range_holding_one_is_named():
    # pywin32 hands an error cell as an int code when no conversion ran; Excel numbers are floats.
    assert udfs.PMO_CPI(-2146826246, 10) == "#N/A"
    assert udfs.PMO_CPI(-2146826246.0, 10) != "#N/A"  # a (strange) number stays a number
    message = udfs.PMO_SCHEDULE(["1", "#N/A"], [2, 2], [None, "1"], date(2026, 1, 5))
    assert message == "#PMO: ids holds the Excel error #N/A (item 2): fix that cell first"


_GOOD_ARGUMENTS = {
    "PMO_SPI": [10, 8],
    "PMO_CPI": [10, 8],
    "PMO_EAC": [100, 35, 30, "cpi", 20],
    "PMO_VAC": [100, 90],
    "PMO_TCPI": [100, 30, 35, 110],
    "PMO_EV": [100, 0.5],
    "PMO_PLANNED_PCT": [date(2026, 1, 5), date(2026, 1, 9), date(2026, 1, 7), [date(2026, 1, 6)], "FR"],
    "PMO_RAG": [0.9, 0.95, 0.85, True],
    "PMO_RISK_SCORE": [3, 4],
    "PMO_RISK_LEVEL": [12, 5, 10, 20],
    "PMO_SLIP_DAYS": [date(2026, 1, 5), date(2026, 1, 9), "FR"],
    "PMO_WORKDAYS": [date(2026, 1, 5), date(2026, 1, 9), "FR"],
    "PMO_MILESTONE_STATUS": [date(2026, 1, 5), date(2026, 1, 9), None, date(2026, 1, 7)],
    "PMO_SCHEDULE": [["1", "2"], [2, 3], [None, "1"], date(2026, 1, 5), "FR"],
    "PMO_PORTFOLIO": ["P1", "spi", "/nonexistent"],
}
_PLAN = [
    ["ID", "Task name", "Type", "Budget", "% complete", "Baseline start", "Baseline finish"],
    ["1", "Build", "Task", 100, 0.5, date(2026, 1, 5), date(2026, 1, 16)],
]
for _name in ("PMO_ES", "PMO_SPI_T", "PMO_SV_T", "PMO_IEAC_T"):
    _GOOD_ARGUMENTS[_name] = [_PLAN, date(2026, 1, 9), [date(2026, 1, 6)], "FR"]
_WRONG = [None, "", "abc", True, 3.5, -1.0, [1, 2], [[1, "x"]], date(2026, 1, 1), datetime(2026, 1, 1, 12), {"a": 1}]


@pytest.mark.parametrize("name", sorted(_GOOD_ARGUMENTS))
def test_no_argument_of_any_type_raises(name):
    """Every argument of every function, given every kind of wrong value: a result or a #PMO: sentence."""
    function = getattr(udfs, name)
    good = _GOOD_ARGUMENTS[name]
    if name != "PMO_PORTFOLIO":  # its good call needs a consolidation (tested above); here only its checks run
        assert not str(function(*good)).startswith("#"), function(*good)
    for i in range(len(good)):
        for wrong in _WRONG:
            args = [*good[:i], wrong, *good[i + 1 :]]
            result = function(*args)  # must not raise
            if isinstance(result, str) and result.startswith("#"):
                assert result.startswith("#PMO: ") and "Traceback" not in result, (name, i, wrong, result)
    assert set(_GOOD_ARGUMENTS) == {n for n in dir(udfs) if n.startswith("PMO_")}


def test_earned_schedule_functions_read_the_plan_table():
    # 10 working days from Monday 5 January, 100 budget, half earned at the end of Friday 9 January
    # (day 5, AT = 5): ES = 5, on schedule; a French plan reads the same.
    when = date(2026, 1, 9)
    assert udfs.PMO_ES(_PLAN, when) == 5
    assert (udfs.PMO_SV_T(_PLAN, when), udfs.PMO_SPI_T(_PLAN, when), udfs.PMO_IEAC_T(_PLAN, when)) == (0, 1, 10)
    french = [["ID", "Nom de la tâche", "Type", "Budget", "% achevé", "Début de référence", "Fin de référence"],
              ["1", "Réalisation", "Tâche", 100, 0.25, date(2026, 1, 5), date(2026, 1, 16)]]  # fmt: skip
    assert udfs.PMO_ES(french, when) == 2.5 and udfs.PMO_SV_T(french, when) == -2.5
    assert udfs.PMO_ES(_PLAN, when, [date(2026, 1, 6)]) == pytest.approx(4.5)  # 9 days, 4 worked: 4.5 earned
    assert udfs.PMO_ES(_PLAN, date(2026, 1, 2)) == "#PMO: undefined before the baseline start"
    assert udfs.PMO_IEAC_T([_PLAN[0], [*_PLAN[1][:4], 0, *_PLAN[1][5:]]], when).startswith("#PMO: undefined")
    assert udfs.PMO_ES([["no", "header"]], when).startswith("#PMO: no header row found")
    assert udfs.PMO_ES(_PLAN[0:1], when) == "#PMO: no task of the plan has a baseline start and finish"


def test_every_argument_asks_xlwings_for_errors_as_text(monkeypatch):
    """Without Excel the decorators do nothing: re-import the module with a recording stand-in."""
    import importlib
    import sys
    import types

    recorded: dict[str, dict] = {}

    def func(*args, **kwargs):
        return lambda f: f

    def arg(name, convert=None, **options):
        def mark(f):
            entry = recorded.setdefault(f.__name__, {}).setdefault(name, {})
            entry.update(options, **({"convert": convert} if convert is not None else {}))
            return f

        return mark

    def ret(convert=None, **options):
        def mark(f):
            entry = recorded.setdefault(f.__name__, {}).setdefault("return", {})
            entry.update(options, **({"convert": convert} if convert is not None else {}))
            return f

        return mark

    monkeypatch.setitem(sys.modules, "xlwings", types.SimpleNamespace(func=func, arg=arg, ret=ret))
    try:
        fresh = importlib.reload(udfs)
        names = [n for n in dir(fresh) if n.startswith("PMO_")]
        assert len(names) == 19
        for name in names:
            parameters = inspect.signature(getattr(fresh, name)).parameters
            for parameter in parameters:
                options = recorded[name][parameter]
                assert options["err_to_str"] is True and options["convert"] == "default", (name, parameter)
            assert recorded[name]["return"]["convert"] == "default", name
        assert recorded["PMO_SCHEDULE"]["return"]["expand"] == "table"  # kept beside the converter
        assert recorded["PMO_ES"]["plan"]["ndim"] == 2
    finally:
        monkeypatch.undo()
        importlib.reload(udfs)
