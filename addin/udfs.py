"""=PMO_... worksheet functions for Excel, through xlwings.

Each function is a thin wrapper over one engine function of `pmo_logic`; a bad argument
returns a readable text such as ``#PMO: predecessor 12 unknown`` instead of a traceback.
Imported by the xlwings add-in (``UDF_MODULES=addin.udfs`` in xlwings.conf); the decorators
and plain type hints also suit xlwings Lite's custom functions. On machines without Excel
the decorators do nothing, so the functions are called directly (the tests do).
"""

from __future__ import annotations

import functools
import os
from collections.abc import Callable
from datetime import date, datetime
from typing import Any

import xlwings as xw

from pmo_logic import kpis
from pmo_logic.parsing import CellError, parse_date
from pmo_logic.schedule import schedule_table
from pmo_logic.workdays import WorkCalendar, networkdays, public_holidays, working_day_slip

CATEGORY = "PMO"


def _error(message: str) -> str:
    return f"#PMO: {message}"


def pmo_function(function: Callable[..., Any]) -> Callable[..., Any]:
    """Turn any error into an Excel-readable text, never a traceback in a cell."""

    @functools.wraps(function)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return function(*args, **kwargs)
        except (ValueError, TypeError, ZeroDivisionError, CellError) as exc:
            return _error(str(exc))

    return wrapper


def _number(value: Any, name: str) -> float:
    if value is None or value == "":
        raise ValueError(f"{name} is empty")
    if isinstance(value, bool):
        raise ValueError(f"{name} must be a number")
    try:
        return float(value)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"{name} must be a number, not {value!r}") from exc


def _date(value: Any, name: str) -> date:
    parsed = parse_date(value.date() if isinstance(value, datetime) else value)
    if parsed is None:
        raise ValueError(f"{name} is empty")
    return parsed


def _holidays(country: str | None, *days: date) -> list[date]:
    if not country:
        return []
    years = range(min(d.year for d in days) - 1, max(d.year for d in days) + 2)
    return public_holidays(country, years)


def _ratio(value: float | None) -> float | str:
    return _error("undefined (the divisor is 0)") if value is None else value


@xw.func(category=CATEGORY)
@xw.arg("ev", doc="Earned value")
@xw.arg("pv", doc="Planned value")
@pmo_function
def PMO_SPI(ev: float, pv: float) -> float | str:
    """Schedule performance index: EV / PV (below 1: behind schedule)."""
    return _ratio(kpis.EarnedValue(bac=0, pv=_number(pv, "PV"), ev=_number(ev, "EV"), ac=0).spi)


@xw.func(category=CATEGORY)
@xw.arg("ev", doc="Earned value")
@xw.arg("ac", doc="Actual cost")
@pmo_function
def PMO_CPI(ev: float, ac: float) -> float | str:
    """Cost performance index: EV / AC (below 1: over budget)."""
    return _ratio(kpis.EarnedValue(bac=0, pv=0, ev=_number(ev, "EV"), ac=_number(ac, "AC")).cpi)


@xw.func(category=CATEGORY)
@xw.arg("bac", doc="Budget at completion")
@xw.arg("ac", doc="Actual cost")
@xw.arg("ev", doc="Earned value")
@xw.arg("method", doc='"cpi" (BAC/CPI, default), "atypical" (AC+BAC-EV) or "composite" (needs pv)')
@xw.arg("pv", doc="Planned value, for the composite method")
@pmo_function
def PMO_EAC(bac: float, ac: float, ev: float, method: str = "cpi", pv: float | None = None) -> float | str:
    """Estimate at completion by one of the three standard formulas."""
    figures = kpis.EarnedValue(bac=_number(bac, "BAC"), pv=_number(pv, "PV") if pv not in (None, "") else 0,
                               ev=_number(ev, "EV"), ac=_number(ac, "AC"))  # fmt: skip
    method = (method or "cpi").strip().lower()
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
@pmo_function
def PMO_VAC(bac: float, eac: float) -> float | str:
    """Variance at completion: BAC - EAC (negative: over budget)."""
    return _number(bac, "BAC") - _number(eac, "EAC")


@xw.func(category=CATEGORY)
@xw.arg("eac", doc="Leave empty to reach BAC; give the EAC to reach it instead")
@pmo_function
def PMO_TCPI(bac: float, ev: float, ac: float, eac: float | None = None) -> float | str:
    """To-complete performance index: the efficiency the remaining work needs."""
    figures = kpis.EarnedValue(bac=_number(bac, "BAC"), pv=0, ev=_number(ev, "EV"), ac=_number(ac, "AC"))
    if eac in (None, ""):
        return _ratio(figures.tcpi_bac)
    return _ratio(kpis._ratio(figures.bac - figures.ev, _number(eac, "EAC") - figures.ac))


@xw.func(category=CATEGORY)
@xw.arg("percent_complete", doc="0 to 1 (or 0% to 100%)")
@pmo_function
def PMO_EV(budget: float, percent_complete: float) -> float | str:
    """Earned value of a task: budget x % complete."""
    pct = _number(percent_complete, "% complete")
    if not 0 <= pct <= 1:
        raise ValueError("% complete must be between 0 and 1")
    return _number(budget, "budget") * pct


@xw.func(category=CATEGORY)
@pmo_function
def PMO_PLANNED_PCT(start: date, finish: date, status_date: date) -> float | str:
    """Share of a baseline elapsed at the status date (linear in calendar days), 0 to 1."""
    import pandas as pd

    b_start, b_finish, when = _date(start, "start"), _date(finish, "finish"), _date(status_date, "status date")
    if b_finish < b_start:
        raise ValueError("finish is before start")
    frame = pd.DataFrame({"baseline_start": [pd.Timestamp(b_start)], "baseline_finish": [pd.Timestamp(b_finish)]})
    return float(kpis.planned_fraction(frame, pd.Timestamp(when)).iloc[0])


@xw.func(category=CATEGORY)
@xw.arg("higher_is_better", doc="TRUE (default) for SPI/CPI; FALSE for delays")
@pmo_function
def PMO_RAG(value: float, green: float, amber: float, higher_is_better: bool = True) -> str:
    """Green, Amber or Red for a value against two thresholds."""
    better = True if higher_is_better in (None, "") else bool(higher_is_better)
    rag = kpis.rag_band(_number(value, "value"), _number(green, "green"), _number(amber, "amber"), better)
    return rag.capitalize()


@xw.func(category=CATEGORY)
@pmo_function
def PMO_RISK_SCORE(probability: int, impact: int) -> float | str:
    """Risk score: probability (1-5) x impact (1-5)."""
    p, i = _number(probability, "probability"), _number(impact, "impact")
    for name, value in (("probability", p), ("impact", i)):
        if value not in (1, 2, 3, 4, 5):
            raise ValueError(f"{name} must be a whole number from 1 to 5")
    return p * i


@xw.func(category=CATEGORY)
@pmo_function
def PMO_RISK_LEVEL(score: float, medium: float = 5, high: float = 10, critical: float = 20) -> str:
    """Low, Medium, High or Critical for a risk score (bands configurable)."""
    value = _number(score, "score")
    bands = [(_number(critical, "critical"), "Critical"), (_number(high, "high"), "High"),
             (_number(medium, "medium"), "Medium")]  # fmt: skip
    return next((name for limit, name in bands if value >= limit), "Low")


@xw.func(category=CATEGORY)
@xw.arg("country", doc="Public holidays of this country: FR, GB, US, DE...")
@pmo_function
def PMO_SLIP_DAYS(baseline: date, forecast: date, country: str | None = None) -> float | str:
    """Working days from baseline to forecast: positive is late."""
    import pandas as pd

    b, f = _date(baseline, "baseline"), _date(forecast, "forecast")
    slip = working_day_slip(pd.Series([pd.Timestamp(b)]), pd.Series([pd.Timestamp(f)]), _holidays(country, b, f))
    return float(slip.iloc[0])


@xw.func(category=CATEGORY)
@xw.arg("country", doc="Public holidays of this country: FR, GB, US, DE...")
@pmo_function
def PMO_WORKDAYS(start: date, end: date, country: str | None = None) -> float | str:
    """Working days from start to end, both included (weekends and public holidays excluded)."""
    import pandas as pd

    s, e = _date(start, "start"), _date(end, "end")
    return float(networkdays(pd.Series([pd.Timestamp(s)]), pd.Series([pd.Timestamp(e)]), _holidays(country, s, e))[0])


@xw.func(category=CATEGORY)
@pmo_function
def PMO_MILESTONE_STATUS(baseline: date, forecast: date | None, actual: date | None, status_date: date) -> str:
    """Done on time, Done late, Late, Slipping or On track."""
    f = _date(forecast, "forecast") if forecast not in (None, "") else None
    a = _date(actual, "actual") if actual not in (None, "") else None
    status = kpis.milestone_status(_date(baseline, "baseline"), f, a, _date(status_date, "status date"))
    return status[0].upper() + status[1:]


@xw.func(category=CATEGORY)
@xw.arg("ids", ndim=1, doc="Task IDs (a column)")
@xw.arg("durations", ndim=1, doc="Durations in working days (0 for a milestone)")
@xw.arg("predecessors", ndim=1, doc="Predecessors, e.g. 12FS+2d, 7SS")
@xw.arg("country", doc="Public holidays of this country")
@xw.ret(expand="table")
@pmo_function
def PMO_SCHEDULE(ids: list, durations: list, predecessors: list, start: date, country: str | None = None) -> Any:
    """Critical path schedule as a dynamic array: early/late dates, total and free float, critical."""
    first = _date(start, "start")
    calendar = WorkCalendar(first, country=country or None)
    return schedule_table(ids, durations, predecessors, first, calendar)


@xw.func(category=CATEGORY)
@xw.arg("field", doc="A roll-up column: spi, cpi, eac, rag_overall, key_milestone_slip...")
@xw.arg("folder", doc="Folder holding snapshots/ (default: PMO_XL_FOLDER, or the current folder)")
@pmo_function
def PMO_PORTFOLIO(project_id: str, field: str, folder: str | None = None) -> Any:
    """A project's figure from the last consolidation (its latest snapshot)."""
    from pmo_logic.snapshots import list_snapshots, load_snapshot

    root = folder or os.environ.get("PMO_XL_FOLDER") or os.getcwd()
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
