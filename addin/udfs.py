"""=PMO_... worksheet functions for Excel, through xlwings.

Each function is a thin wrapper over one engine function of `pmo_logic`; a bad argument
returns a readable text such as ``#PMO: predecessor 12 unknown`` instead of a traceback.
Imported by the xlwings add-in (``UDF_MODULES=addin.udfs`` in xlwings.conf); the decorators
and plain type hints also suit xlwings Lite's custom functions. On machines without Excel
the decorators do nothing, so the functions are called directly (the tests do).

Excel errors in arguments: xlwings passes an error cell as empty (None) unless the argument
asks for ``err_to_str``, when it passes its text (``"#N/A"``; pywin32's raw error codes are
mapped to the same texts). Every argument here asks for it, and a function given an error
gives that error back, as Excel's own functions do. xlwings cannot return a true error value
from a function (xlwings issue #776), so it comes back as the error's text: it shows as the
error, and a formula using the cell gives #VALUE!, but ISERROR() does not see it.
"""

from __future__ import annotations

import functools
import inspect
import os
from collections.abc import Callable
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

import xlwings as xw

from pmo_logic.parsing import CellError, parse_date

# Excel imports this module when it starts: only xlwings and the standard library here; each
# function imports the engine it uses (pandas, networkx) when first called.
if TYPE_CHECKING:
    from pmo_logic import kpis

CATEGORY = "PMO"

EXCEL_ERRORS = ("#DIV/0!", "#N/A", "#NAME?", "#NULL!", "#NUM!", "#REF!", "#VALUE!", "#SPILL!", "#CALC!", "#DATA!")
_ERROR_CODES = {
    # pywin32's VT_ERROR values, as xlwings documents them for Windows.
    -2146826281: "#DIV/0!",
    -2146826246: "#N/A",
    -2146826259: "#NAME?",
    -2146826288: "#NULL!",
    -2146826252: "#NUM!",
    -2146826265: "#REF!",
    -2146826273: "#VALUE!",
}


def _error(message: str) -> str:
    return f"#PMO: {message}"


def excel_error(value: Any) -> str | None:
    """The Excel error ``value`` stands for (``"#N/A"``...), or None when it is not one.

    Excel numbers reach Python as floats, so an int with an error code is an error cell.
    """
    if isinstance(value, str) and value.strip().upper() in EXCEL_ERRORS:
        return value.strip().upper()
    if type(value) is int:
        return _ERROR_CODES.get(value)
    return None


def _first_error(name: str, value: Any) -> str | None:
    """A sentence naming an Excel error inside a range argument (a column of IDs, dates...)."""
    if not isinstance(value, (list, tuple)):
        return None
    for i, item in enumerate(value, start=1):
        for cell in item if isinstance(item, (list, tuple)) else [item]:
            error = excel_error(cell)
            if error:
                return _error(f"{name} holds the Excel error {error} (item {i}): fix that cell first")
    return None


def pmo_function(function: Callable[..., Any]) -> Callable[..., Any]:
    """Turn any error into an Excel-readable text, never a traceback in a cell.

    An argument that is an Excel error gives that error back; a range argument holding one
    gives a ``#PMO:`` sentence naming it (except a whole table, which the reader checks cell by
    cell). Any other failure is a ``#PMO:`` sentence too.
    """
    names = list(inspect.signature(function).parameters)
    tables = getattr(function, "_pmo_tables", ())

    @functools.wraps(function)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        given = {**dict(zip(names, args, strict=False)), **kwargs}
        for name, value in given.items():
            error = excel_error(value)
            if error:
                return error
            if name not in tables and (sentence := _first_error(name, value)):
                return sentence
        try:
            return function(*args, **kwargs)
        except (ValueError, TypeError, ZeroDivisionError, CellError) as exc:
            return _error(str(exc))
        except Exception as exc:  # a cell shows a sentence, never a traceback
            return _error(f"could not compute ({type(exc).__name__}: {exc}); please report this")

    return wrapper


def errors_as_text(function: Callable[..., Any]) -> Callable[..., Any]:
    """Ask xlwings to pass an Excel error in any argument as its text (``err_to_str``), not as empty.

    Also reads every argument and writes the result as plain values (xlwings' ``"default"``
    converter): classic xlwings turns a type hint into a converter, and a hint such as
    ``str | None`` or ``float | str`` names none it knows.
    """
    for name in inspect.signature(function).parameters:
        function = xw.arg(name, convert="default", err_to_str=True)(function)
    return xw.ret(convert="default")(function)


def _table(*names: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Mark arguments that are whole tables (their cells are checked by the reader)."""

    def mark(function: Callable[..., Any]) -> Callable[..., Any]:
        function._pmo_tables = names  # type: ignore[attr-defined]
        return function

    return mark


def _number(value: Any, name: str) -> float:
    if value is None or value == "":
        raise ValueError(f"{name} is empty")
    if isinstance(value, bool):
        raise ValueError(f"{name} must be a number, not TRUE/FALSE")
    if isinstance(value, (list, tuple, dict, date)):
        raise ValueError(f"{name} must be a single number, not {_shown(value)}")
    try:
        return float(value)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"{name} must be a number, not {value!r}") from exc


def _shown(value: Any) -> str:
    if isinstance(value, (list, tuple)):
        return "a range of cells"
    if isinstance(value, date):
        return "a date"
    return repr(value)


def _text(value: Any, name: str) -> str | None:
    """Optional text: None when blank; a number, a date or a range is a mistake."""
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise ValueError(f"{name} must be text, not {_shown(value)}")
    return value.strip() or None


def _date(value: Any, name: str) -> date:
    if isinstance(value, (list, tuple, dict)):
        raise ValueError(f"{name} must be a single date, not {_shown(value)}")
    try:
        parsed = parse_date(value.date() if isinstance(value, datetime) else value)
    except CellError as exc:
        raise ValueError(f"{name}: {exc}") from exc
    if parsed is None:
        raise ValueError(f"{name} is empty")
    return parsed


def _day_list(value: Any, name: str) -> list[date]:
    """Non-working days from a cell or a range (blanks skipped)."""
    cells = value if isinstance(value, (list, tuple)) else [value]
    flat = [c for row in cells for c in (row if isinstance(row, (list, tuple)) else [row])]
    return [_date(c, name) for c in flat if c not in (None, "")]


def _holidays(country: Any, *days: date) -> list[date]:
    from pmo_logic.workdays import public_holidays

    code = _text(country, "country")
    if not code:
        return []
    years = range(min(d.year for d in days) - 1, max(d.year for d in days) + 2)
    return public_holidays(code, years)


def _calendar(non_working_days: Any, country: Any, *around: date) -> list[date]:
    """The days off of a calendar: the range's dates plus the country's public holidays."""
    return _day_list(non_working_days, "non-working days") + _holidays(country, *around)


def _ratio(value: float | None) -> float | str:
    return _error("undefined (the divisor is 0)") if value is None else value


@xw.func(category=CATEGORY)
@errors_as_text
@xw.arg("ev", doc="Earned value")
@xw.arg("pv", doc="Planned value")
@pmo_function
def PMO_SPI(ev: float, pv: float) -> float | str:
    """Schedule performance index: EV / PV (below 1: behind schedule)."""
    from pmo_logic import kpis

    return _ratio(kpis.EarnedValue(bac=0, pv=_number(pv, "PV"), ev=_number(ev, "EV"), ac=0).spi)


@xw.func(category=CATEGORY)
@errors_as_text
@xw.arg("ev", doc="Earned value")
@xw.arg("ac", doc="Actual cost")
@pmo_function
def PMO_CPI(ev: float, ac: float) -> float | str:
    """Cost performance index: EV / AC (below 1: over budget)."""
    from pmo_logic import kpis

    return _ratio(kpis.EarnedValue(bac=0, pv=0, ev=_number(ev, "EV"), ac=_number(ac, "AC")).cpi)


@xw.func(category=CATEGORY)
@errors_as_text
@xw.arg("bac", doc="Budget at completion")
@xw.arg("ac", doc="Actual cost")
@xw.arg("ev", doc="Earned value")
@xw.arg("method", doc='"cpi" (BAC/CPI, default), "atypical" (AC+BAC-EV) or "composite" (needs pv)')
@xw.arg("pv", doc="Planned value, for the composite method")
@pmo_function
def PMO_EAC(bac: float, ac: float, ev: float, method: str = "cpi", pv: float | None = None) -> float | str:
    """Estimate at completion by one of the three standard formulas."""
    from pmo_logic import kpis

    figures = kpis.EarnedValue(bac=_number(bac, "BAC"), pv=_number(pv, "PV") if pv not in (None, "") else 0,
                               ev=_number(ev, "EV"), ac=_number(ac, "AC"))  # fmt: skip
    method = (_text(method, "method") or "cpi").lower()
    if method == "cpi":
        return _ratio(figures.eac_cpi)
    if method == "atypical":
        return figures.eac_atypical
    if method == "composite":
        if pv in (None, ""):
            raise ValueError("the composite method needs PV (5th argument)")
        return _ratio(figures.eac_composite)
    raise ValueError(f'method must be "cpi", "atypical" or "composite", not {method!r}')


@xw.func(category=CATEGORY)
@errors_as_text
@pmo_function
def PMO_VAC(bac: float, eac: float) -> float | str:
    """Variance at completion: BAC - EAC (negative: over budget)."""
    return _number(bac, "BAC") - _number(eac, "EAC")


@xw.func(category=CATEGORY)
@errors_as_text
@xw.arg("eac", doc="Leave empty to reach BAC; give the EAC to reach it instead")
@pmo_function
def PMO_TCPI(bac: float, ev: float, ac: float, eac: float | None = None) -> float | str:
    """To-complete performance index: the efficiency the remaining work needs."""
    from pmo_logic import kpis

    figures = kpis.EarnedValue(bac=_number(bac, "BAC"), pv=0, ev=_number(ev, "EV"), ac=_number(ac, "AC"))
    if eac in (None, ""):
        return _tcpi(figures.tcpi_bac)
    return _tcpi(kpis.tcpi(figures.bac, figures.ev, figures.ac, _number(eac, "EAC")))


def _tcpi(value: float | None) -> float | str:
    return (
        _error("undefined: the actual cost has reached the target, nothing is left to spend")
        if value is None
        else value
    )


@xw.func(category=CATEGORY)
@errors_as_text
@xw.arg("percent_complete", doc="0 to 1 (or 0% to 100%)")
@pmo_function
def PMO_EV(budget: float, percent_complete: float) -> float | str:
    """Earned value of a task: budget x % complete."""
    pct = _number(percent_complete, "% complete")
    if not 0 <= pct <= 1:
        raise ValueError("% complete must be between 0 and 1")
    return _number(budget, "budget") * pct


@xw.func(category=CATEGORY)
@errors_as_text
@xw.arg("start", doc="Baseline start")
@xw.arg("finish", doc="Baseline finish (the same day for a milestone)")
@xw.arg("status_date", doc="Status date, counted as worked")
@xw.arg("non_working_days", doc="Days off besides weekends: a range of dates (the Lists sheet's NonWorkingDays)")
@xw.arg("country", doc="Public holidays of this country too: FR, GB, US, DE...")
@pmo_function
def PMO_PLANNED_PCT(
    start: date, finish: date, status_date: date, non_working_days: Any = None, country: str | None = None
) -> float | str:
    """Share of a baseline planned by the end of the status date, 0 to 1: linear over working days (BCWS)."""
    import pandas as pd

    from pmo_logic import kpis

    b_start, b_finish, when = _date(start, "start"), _date(finish, "finish"), _date(status_date, "status date")
    if b_finish < b_start:
        raise ValueError("finish is before start")
    days_off = _calendar(non_working_days, country, b_start, b_finish, when)
    frame = pd.DataFrame({"baseline_start": [pd.Timestamp(b_start)], "baseline_finish": [pd.Timestamp(b_finish)],
                          "type": ["task"]})  # fmt: skip
    return float(kpis.planned_fraction(frame, pd.Timestamp(when), days_off).iloc[0])


@xw.func(category=CATEGORY)
@errors_as_text
@xw.arg("higher_is_better", doc="TRUE (default) for SPI/CPI; FALSE for delays")
@pmo_function
def PMO_RAG(value: float, green: float, amber: float, higher_is_better: bool = True) -> str:
    """Green, Amber or Red for a value against two thresholds."""
    from pmo_logic import kpis

    if higher_is_better in (None, ""):
        better = True
    elif isinstance(higher_is_better, (bool, int, float)):
        better = bool(higher_is_better)
    else:
        raise ValueError(f"higher_is_better must be TRUE or FALSE, not {_shown(higher_is_better)}")
    rag = kpis.rag_band(_number(value, "value"), _number(green, "green"), _number(amber, "amber"), better)
    return rag.capitalize()


@xw.func(category=CATEGORY)
@errors_as_text
@pmo_function
def PMO_RISK_SCORE(probability: int, impact: int) -> float | str:
    """Risk score: probability (1-5) x impact (1-5)."""
    p, i = _number(probability, "probability"), _number(impact, "impact")
    for name, value in (("probability", p), ("impact", i)):
        if value not in (1, 2, 3, 4, 5):
            raise ValueError(f"{name} must be a whole number from 1 to 5")
    return p * i


@xw.func(category=CATEGORY)
@errors_as_text
@pmo_function
def PMO_RISK_LEVEL(score: float, medium: float = 5, high: float = 10, critical: float = 20) -> str:
    """Low, Medium, High or Critical for a risk score (bands configurable)."""
    value = _number(score, "score")
    bands = [(_number(critical, "critical"), "Critical"), (_number(high, "high"), "High"),
             (_number(medium, "medium"), "Medium")]  # fmt: skip
    return next((name for limit, name in bands if value >= limit), "Low")


@xw.func(category=CATEGORY)
@errors_as_text
@xw.arg("country", doc="Public holidays of this country: FR, GB, US, DE...")
@pmo_function
def PMO_SLIP_DAYS(baseline: date, forecast: date, country: str | None = None) -> float | str:
    """Working days from baseline to forecast: positive is late."""
    import pandas as pd

    from pmo_logic.workdays import working_day_slip

    b, f = _date(baseline, "baseline"), _date(forecast, "forecast")
    slip = working_day_slip(pd.Series([pd.Timestamp(b)]), pd.Series([pd.Timestamp(f)]), _holidays(country, b, f))
    return float(slip.iloc[0])


@xw.func(category=CATEGORY)
@errors_as_text
@xw.arg("country", doc="Public holidays of this country: FR, GB, US, DE...")
@pmo_function
def PMO_WORKDAYS(start: date, end: date, country: str | None = None) -> float | str:
    """Working days from start to end, both included (weekends and public holidays excluded)."""
    import pandas as pd

    from pmo_logic.workdays import networkdays

    s, e = _date(start, "start"), _date(end, "end")
    return float(networkdays(pd.Series([pd.Timestamp(s)]), pd.Series([pd.Timestamp(e)]), _holidays(country, s, e))[0])


@xw.func(category=CATEGORY)
@errors_as_text
@pmo_function
def PMO_MILESTONE_STATUS(baseline: date, forecast: date | None, actual: date | None, status_date: date) -> str:
    """Done on time, Done late, Late, Slipping or On track."""
    from pmo_logic import kpis

    f = _date(forecast, "forecast") if forecast not in (None, "") else None
    a = _date(actual, "actual") if actual not in (None, "") else None
    status = kpis.milestone_status(_date(baseline, "baseline"), f, a, _date(status_date, "status date"))
    return status[0].upper() + status[1:]


@xw.func(category=CATEGORY)
@errors_as_text
@xw.arg("ids", ndim=1, doc="Task IDs (a column)")
@xw.arg("durations", ndim=1, doc="Durations in working days (0 for a milestone)")
@xw.arg("predecessors", ndim=1, doc="Predecessors, e.g. 12FS+2d, 7SS")
@xw.arg("country", doc="Public holidays of this country")
@xw.ret(expand="table")
@pmo_function
def PMO_SCHEDULE(ids: list, durations: list, predecessors: list, start: date, country: str | None = None) -> Any:
    """Critical path schedule as a dynamic array: early/late dates, total and free float, critical."""
    from pmo_logic.schedule import schedule_table
    from pmo_logic.workdays import WorkCalendar

    first = _date(start, "start")
    calendar = WorkCalendar(first, country=_text(country, "country"))
    return schedule_table(ids, durations, predecessors, first, calendar)


def _earned_schedule(plan: Any, status_date: Any, non_working_days: Any, country: Any) -> kpis.EarnedSchedule:
    """The roll-up's earned schedule of a Plan table given as cells: read as a workbook's Plan sheet is."""
    from pmo_logic import kpis
    from pmo_logic.frames import rows_to_frame
    from pmo_logic.models import TaskRow
    from pmo_logic.reader import read_project_cells

    when = _date(status_date, "status date")
    if not isinstance(plan, (list, tuple)) or not plan or not all(isinstance(r, (list, tuple)) for r in plan):
        raise ValueError("plan must be the Plan table with its header row, e.g. Tasks[#All]")
    workbook = read_project_cells("formula", {"Plan": [list(r) for r in plan]})
    bad = [p for p in workbook.problems if p.sheet == "Plan" and p.severity == "error"]
    if bad:
        where = f" (cell {bad[0].cell} of the range)" if bad[0].cell else ""
        raise ValueError(f"{bad[0].message}{where}")
    frame = rows_to_frame(workbook.plan, TaskRow)
    known = [d.date() for d in (frame["baseline_start"].min(), frame["baseline_finish"].max()) if d == d]
    days_off = _calendar(non_working_days, country, when, *known)
    es = kpis.earned_schedule(frame, when, days_off)
    if es is None:
        raise ValueError("no task of the plan has a baseline start and finish")
    return es


def _defined(value: float | None, es: kpis.EarnedSchedule) -> float | str:
    if value is not None:
        return value
    return _error(es.reason or "undefined: nothing is earned yet (SPI(t) is 0)")


_PLAN_DOC = "The Plan table with its header row: Tasks[#All]"
_STATUS_DOC = "Status date, counted as worked (StatusDate)"
_DAYS_OFF_DOC = "Days off besides weekends: a range of dates (NonWorkingDays)"
_COUNTRY_DOC = "Public holidays of this country too: FR, GB, US, DE..."


@xw.func(category=CATEGORY)
@errors_as_text
@xw.arg("plan", ndim=2, doc=_PLAN_DOC)
@xw.arg("status_date", doc=_STATUS_DOC)
@xw.arg("non_working_days", doc=_DAYS_OFF_DOC)
@xw.arg("country", doc=_COUNTRY_DOC)
@pmo_function
@_table("plan")
def PMO_ES(plan: Any, status_date: date, non_working_days: Any = None, country: str | None = None) -> float | str:
    """Earned schedule (Lipke): the working days of the baseline earned by the status date."""
    es = _earned_schedule(plan, status_date, non_working_days, country)
    return _defined(es.es, es)


@xw.func(category=CATEGORY)
@errors_as_text
@xw.arg("plan", ndim=2, doc=_PLAN_DOC)
@xw.arg("status_date", doc=_STATUS_DOC)
@xw.arg("non_working_days", doc=_DAYS_OFF_DOC)
@xw.arg("country", doc=_COUNTRY_DOC)
@pmo_function
@_table("plan")
def PMO_SPI_T(plan: Any, status_date: date, non_working_days: Any = None, country: str | None = None) -> float | str:
    """Time-based schedule performance index SPI(t) = ES / AT: below 1 when late, even once finished (unlike SPI)."""
    es = _earned_schedule(plan, status_date, non_working_days, country)
    return _defined(es.spi_t, es)


@xw.func(category=CATEGORY)
@errors_as_text
@xw.arg("plan", ndim=2, doc=_PLAN_DOC)
@xw.arg("status_date", doc=_STATUS_DOC)
@xw.arg("non_working_days", doc=_DAYS_OFF_DOC)
@xw.arg("country", doc=_COUNTRY_DOC)
@pmo_function
@_table("plan")
def PMO_SV_T(plan: Any, status_date: date, non_working_days: Any = None, country: str | None = None) -> float | str:
    """Time-based schedule variance SV(t) = ES - AT, in working days (negative: late)."""
    es = _earned_schedule(plan, status_date, non_working_days, country)
    return _defined(es.sv_t, es)


@xw.func(category=CATEGORY)
@errors_as_text
@xw.arg("plan", ndim=2, doc=_PLAN_DOC)
@xw.arg("status_date", doc=_STATUS_DOC)
@xw.arg("non_working_days", doc=_DAYS_OFF_DOC)
@xw.arg("country", doc=_COUNTRY_DOC)
@pmo_function
@_table("plan")
def PMO_IEAC_T(plan: Any, status_date: date, non_working_days: Any = None, country: str | None = None) -> float | str:
    """Forecast duration IEAC(t) = planned duration / SPI(t), in working days from the baseline start."""
    es = _earned_schedule(plan, status_date, non_working_days, country)
    return _defined(es.ieac_t, es)


@xw.func(category=CATEGORY)
@errors_as_text
@xw.arg("field", doc="A roll-up column: spi, cpi, eac, rag_overall, key_milestone_slip...")
@xw.arg("folder", doc="Folder holding snapshots/ (default: PMO_XL_FOLDER, or the current folder)")
@pmo_function
def PMO_PORTFOLIO(project_id: str, field: str, folder: str | None = None) -> Any:
    """A project's figure from the last consolidation (its latest snapshot)."""
    from pmo_logic.snapshots import list_snapshots, load_snapshot

    field = _text(field, "field") or ""
    root = _text(folder, "folder") or os.environ.get("PMO_XL_FOLDER") or os.getcwd()
    if isinstance(project_id, (list, tuple, bool)) or project_id in (None, ""):
        raise ValueError("project_id must be one project's ID")
    if isinstance(project_id, float) and project_id.is_integer():
        project_id = int(project_id)
    found = list_snapshots(os.path.join(root, "snapshots"))
    if not found:
        raise ValueError(f"no consolidation found in {root}: run Consolidate first")
    projects = load_snapshot(found[-1]).tables["projects"]
    if field not in projects.columns:
        raise ValueError(f"unknown field {field!r}")
    match = projects[projects["project_id"].astype(str) == str(project_id)]
    if match.empty:
        raise ValueError(f"project {project_id} is not in the last consolidation")
    value = match.iloc[0][field]
    if hasattr(value, "item"):
        value = value.item()
    return "" if value is None or value != value else value
