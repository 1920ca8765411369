"""Project KPIs at a status date: earned value, earned schedule, milestones, risk, agile, RAG.

Pure functions on the tables of one project: a sheet's DataFrame (`pmo_logic.frames.rows_to_frame`)
or, in consolidation, the arrays it is built from (anything where ``table[name]`` is a column); formulas as
in the PMBOK Guide (EVM), Lipke's Earned Schedule, and ../shared/guide/pmo-domain.md.
Ratios are None (not 0, not infinity) when their divisor is 0.

Planned value spreads each task's budget linearly over the working days of its baseline, the
status date counted as worked (MS Project's BCWS): the template's "Planned % at status date"
formula is its Excel twin, NETWORKDAYS over the Lists sheet's non-working days.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from datetime import date, timedelta
from typing import Any

import numpy as np
import pandas as pd

from pmo_logic.models import PortfolioSettings
from pmo_logic.workdays import datetimes, slip_days

RAG_ORDER = {"green": 0, "amber": 1, "red": 2}
NO_DATA = "no data"
"""The RAG of a dimension without data (its sheet missing or unreadable, an empty Plan): grey,
never green, and left out of the overall RAG."""

Table = Any
"""A sheet's columns by name: its DataFrame, or the numpy arrays it is built from."""


def _column(table: Table, name: str, dtype: Any = None) -> np.ndarray:
    values = table[name]
    return values.to_numpy(dtype=dtype) if isinstance(values, pd.Series) else np.asarray(values, dtype=dtype)


def _ratio(numerator: float, denominator: float) -> float | None:
    return None if not denominator else numerator / denominator


def tcpi(bac: float, ev: float, ac: float, target: float | None = None) -> float | None:
    """TCPI = (BAC - EV) / (target - AC), the target BAC unless given (an EAC).

    Undefined (None) when nothing is left to spend (AC >= target): a negative or zero index
    would read as "any efficiency will do".
    """
    left = (bac if target is None else target) - ac
    return None if left <= 0 else (bac - ev) / left


@dataclass(frozen=True)
class EarnedValue:
    """Earned value figures of a project (or a programme, summed) at the status date."""

    bac: float
    pv: float
    ev: float
    ac: float

    @property
    def sv(self) -> float:
        return self.ev - self.pv

    @property
    def cv(self) -> float:
        return self.ev - self.ac

    @property
    def spi(self) -> float | None:
        return _ratio(self.ev, self.pv)

    @property
    def cpi(self) -> float | None:
        return _ratio(self.ev, self.ac)

    @property
    def eac_cpi(self) -> float | None:
        """EAC = BAC / CPI: the cost performance to date continues."""
        return None if not self.cpi else self.bac / self.cpi

    @property
    def eac_atypical(self) -> float:
        """EAC = AC + (BAC - EV): the remaining work is done at budget."""
        return self.ac + (self.bac - self.ev)

    @property
    def eac_composite(self) -> float | None:
        """EAC = AC + (BAC - EV) / (CPI x SPI): cost and schedule performance both weigh."""
        if not self.cpi or not self.spi:
            return None
        return self.ac + (self.bac - self.ev) / (self.cpi * self.spi)

    @property
    def eac(self) -> float | None:
        """The EAC shown in reports: BAC / CPI (the other two are in the roll-up too)."""
        return self.eac_cpi

    @property
    def etc(self) -> float | None:
        return None if self.eac is None else self.eac - self.ac

    @property
    def vac(self) -> float | None:
        return None if self.eac is None else self.bac - self.eac

    @property
    def tcpi_bac(self) -> float | None:
        """Efficiency needed on the remaining work to finish at BAC; undefined once AC >= BAC (no budget left)."""
        return tcpi(self.bac, self.ev, self.ac)

    @property
    def tcpi_eac(self) -> float | None:
        """Efficiency needed on the remaining work to finish at EAC; undefined once AC >= EAC."""
        return None if self.eac is None else tcpi(self.bac, self.ev, self.ac, self.eac)

    def as_dict(self) -> dict[str, float | None]:
        names = ("sv", "cv", "spi", "cpi", "eac", "eac_cpi", "eac_atypical", "eac_composite", "etc", "vac")
        return {
            **asdict(self),
            **{n: getattr(self, n) for n in names},
            "tcpi_bac": self.tcpi_bac,
            "tcpi_eac": self.tcpi_eac,
        }

    def __add__(self, other: EarnedValue) -> EarnedValue:
        # Programmes and portfolios add their projects' amounts; ratios come from the sums.
        return EarnedValue(self.bac + other.bac, self.pv + other.pv, self.ev + other.ev, self.ac + other.ac)


def _work_mask(plan: Table) -> np.ndarray:
    """Tasks and milestones that count: not summaries, not cancelled (blank type or status counts)."""
    kind, status = _column(plan, "type", object), _column(plan, "status", object)
    return (kind != "summary") & (status != "cancelled")


def _numbers(series: pd.Series | np.ndarray) -> np.ndarray:
    """A column as float64, NaN where blank (text that is not a number too)."""
    if series.dtype.kind == "f":
        return np.asarray(series)
    return np.asarray(pd.to_numeric(series, errors="coerce"), dtype=float)


def zero_blanks(values: np.ndarray) -> np.ndarray:
    """NaN read as 0 (an amount left blank)."""
    return np.where(np.isnan(values), 0.0, values)


def working_calendar(non_working_days: Iterable[date] | np.busdaycalendar = ()) -> np.busdaycalendar:
    """Monday to Friday less ``non_working_days``, as numpy counts working days (NETWORKDAYS)."""
    if isinstance(non_working_days, np.busdaycalendar):
        return non_working_days
    days = np.array(sorted(set(non_working_days)), dtype="datetime64[D]")
    return np.busdaycalendar(holidays=days)


def _days(values: pd.Series | np.ndarray) -> np.ndarray:
    return datetimes(values).astype("datetime64[D]")


def _is_milestone(plan: Table) -> np.ndarray:
    try:
        return _column(plan, "type", object) == "milestone"
    except KeyError:
        return np.zeros(len(_column(plan, "baseline_finish")), dtype=bool)


def planned_fraction(
    plan: pd.DataFrame, when: pd.Timestamp | date, non_working_days: Iterable[date] | np.busdaycalendar = ()
) -> pd.Series:
    """Share of each task's baseline planned by the end of ``when``; NaN without a baseline.

    ``NETWORKDAYS(baseline start, when) / NETWORKDAYS(baseline start, baseline finish)``, clamped to
    [0, 1]: linear over working days, the status date counted as worked (MS Project's BCWS). A
    milestone is 0 before its baseline finish and 1 from that day on.
    """
    values = _planned_fraction(
        plan["baseline_start"], plan["baseline_finish"], when, working_calendar(non_working_days), _is_milestone(plan)
    )
    return pd.Series(values, index=plan.index)


def planned_fractions(
    plan: pd.DataFrame, dates: Iterable[pd.Timestamp | date], non_working_days: Iterable[date] | np.busdaycalendar = ()
) -> list[np.ndarray]:
    """`planned_fraction` of every task at each of ``dates`` (one array per date, in the plan's row
    order): the dates, the milestone mask and the calendar are read once for a whole S-curve."""
    start, finish = _days(plan["baseline_start"]), _days(plan["baseline_finish"])
    calendar, milestone = working_calendar(non_working_days), _is_milestone(plan)
    return [_planned_fraction(start, finish, when, calendar, milestone) for when in dates]


def _planned_fraction(
    baseline_start: pd.Series | np.ndarray,
    baseline_finish: pd.Series | np.ndarray,
    when: pd.Timestamp | date,
    calendar: np.busdaycalendar,
    milestone: np.ndarray | None = None,
) -> np.ndarray:
    start, finish = _days(baseline_start), _days(baseline_finish)
    now = np.datetime64(pd.Timestamp(when).date(), "D")
    result = np.full(len(start), np.nan)
    milestone = np.zeros(len(start), dtype=bool) if milestone is None else np.asarray(milestone, dtype=bool)
    task = ~milestone & ~np.isnat(start) & ~np.isnat(finish)
    if task.any():
        s, f = start[task], finish[task]
        done = np.busday_count(s, now + 1, busdaycal=calendar)  # NETWORKDAYS(s, now) when now >= s
        span = np.busday_count(s, np.maximum(f, s) + 1, busdaycal=calendar)
        with np.errstate(divide="ignore", invalid="ignore"):
            linear = np.clip(done / np.where(span > 0, span, np.nan), 0, 1)
        # A baseline of non-working days only has no working day to spread over: nothing until it ends.
        linear = np.where(np.isnan(linear) | (now < s), 0.0, linear)
        result[task] = np.where(now >= f, 1.0, linear)
    dated = milestone & ~np.isnat(finish)
    result[dated] = np.where(now >= finish[dated], 1.0, 0.0)
    return result


def planned_values(
    plan: Table, status_date: date | None, non_working_days: Iterable[date] | np.busdaycalendar = ()
) -> np.ndarray:
    """Each row's planned value at the status date: budget x `planned_fraction` (0 without a baseline)."""
    budget = zero_blanks(_numbers(_column(plan, "budget")))
    if status_date is None:
        return np.zeros(len(budget))
    fraction = _planned_fraction(
        _column(plan, "baseline_start"),
        _column(plan, "baseline_finish"),
        status_date,
        working_calendar(non_working_days),
        _is_milestone(plan),
    )
    return budget * zero_blanks(fraction)


def earned_value(
    plan: Table,
    status_date: date | None,
    bac: float | None = None,
    non_working_days: Iterable[date] | np.busdaycalendar = (),
) -> EarnedValue:
    """EV figures from the Plan at the status date, over the working days of ``non_working_days``' calendar.

    BAC, PV and EV count the work: tasks and milestones, not summaries (their children carry the
    amounts) and not cancelled tasks (their budget left the plan). AC counts every cost booked,
    cancelled tasks included: that money is spent. BAC is the sum of task budgets (or ``bac``
    when the plan has none).
    """
    kind = _column(plan, "type", object)
    work, booked = _work_mask(plan), kind != "summary"
    budget = zero_blanks(_numbers(_column(plan, "budget"))[work])
    total = float(budget.sum()) or float(bac or 0)
    ev = float((budget * zero_blanks(_numbers(_column(plan, "percent_complete"))[work])).sum())
    ac = float(zero_blanks(_numbers(_column(plan, "actual_cost"))[booked]).sum())
    pv = float(planned_values(plan, status_date, non_working_days)[work].sum())
    return EarnedValue(bac=total, pv=pv, ev=ev, ac=ac)


@dataclass(frozen=True)
class EarnedSchedule:
    """Lipke's earned schedule, in working days from the baseline start (the status date counted as worked).

    ``es`` is None when it is undefined (before the baseline start, a baseline with no budget or no
    working day); ``reason`` then says why, and every ratio derived from it is None too.
    """

    es: float | None
    at: float
    planned_duration: float
    reason: str | None = None

    @property
    def sv_t(self) -> float | None:
        return None if self.es is None else self.es - self.at

    @property
    def spi_t(self) -> float | None:
        return None if self.es is None or self.at <= 0 else self.es / self.at

    @property
    def ieac_t(self) -> float | None:
        """Forecast duration: planned duration / SPI(t)."""
        return None if not self.spi_t else self.planned_duration / self.spi_t


BEFORE_BASELINE = "undefined before the baseline start"
NO_BUDGET = "undefined: no budget on the baselined work"
NO_WORKING_DAY = "undefined: the baseline has no working day"


def earned_schedule(
    plan: Table, status_date: date | None, non_working_days: Iterable[date] | np.busdaycalendar = ()
) -> EarnedSchedule | None:
    """ES = C + (EV - PV_C) / (PV_C+1 - PV_C), C the last whole working day with PV_C <= EV.

    Day n is the n-th working day from the earliest baseline start, PV_n the planned value at its
    end (the same `planned_fraction` as PV), AT the working days from that start to the status date,
    both ends counted. None without a status date or a baselined task; undefined (``es`` None, with
    a ``reason``) before the baseline start, and when the baseline has no budget or no working day.
    """
    if status_date is None:
        return None
    calendar = working_calendar(non_working_days)
    milestone = _is_milestone(plan)
    b_start, b_finish = _days(_column(plan, "baseline_start")), _days(_column(plan, "baseline_finish"))
    b_start = np.where(milestone, b_finish, b_start)  # a milestone is its baseline date
    work = _work_mask(plan) & ~np.isnat(b_start) & ~np.isnat(b_finish)
    if not work.any():
        return None
    budget = zero_blanks(_numbers(_column(plan, "budget"))[work])
    b_start, b_finish, milestone = b_start[work], b_finish[work], milestone[work]
    origin = b_start.min()
    b_finish = np.maximum(b_finish, b_start)
    # A task starts planning value at the start of its first working day and ends at the end of its
    # last; a milestone's whole value is planned at the end of its day.
    first = np.where(
        milestone,
        np.busday_count(origin, b_finish + 1, busdaycal=calendar),
        np.busday_count(origin, b_start, busdaycal=calendar),
    )
    span = np.where(milestone, 0, np.busday_count(b_start, b_finish + 1, busdaycal=calendar))
    duration = int((first + span).max())
    now = np.datetime64(pd.Timestamp(status_date).date(), "D")
    at = int(np.busday_count(origin, now + 1, busdaycal=calendar))
    if at <= 0:
        return EarnedSchedule(es=None, at=float(at), planned_duration=float(duration), reason=BEFORE_BASELINE)
    if duration <= 0:
        return EarnedSchedule(es=None, at=float(at), planned_duration=0.0, reason=NO_WORKING_DAY)
    pv_curve = _pv_curve(budget, first.astype(float), span.astype(float), duration + 1)
    total = pv_curve[-1]
    if total <= 0:
        return EarnedSchedule(es=None, at=float(at), planned_duration=float(duration), reason=NO_BUDGET)
    ev = float((budget * zero_blanks(_numbers(_column(plan, "percent_complete"))[work])).sum())
    if ev >= total - 1e-9:
        # Everything planned is earned: ES is the day the baseline planned to get there, and
        # the actual time stops at the actual completion, not at the status date.
        es = float(np.argmax(pv_curve >= total - 1e-9))
        actual, forecast = (_days(_column(plan, name)[work]) for name in ("actual_finish", "finish"))
        finished = latest(np.where(np.isnat(actual), forecast, actual))
        if finished is not None:
            at = max(min(at, int(np.busday_count(origin, finished + 1, busdaycal=calendar))), 1)
    else:
        c = min(max(int(np.searchsorted(pv_curve, ev, side="right")) - 1, 0), duration - 1)
        step = pv_curve[c + 1] - pv_curve[c]
        es = max(c + ((ev - pv_curve[c]) / step if step > 0 else 0.0), 0.0)
    return EarnedSchedule(es=es, at=float(at), planned_duration=float(duration))


def _pv_curve(budget: np.ndarray, start: np.ndarray, span: np.ndarray, n_days: int) -> np.ndarray:
    """Cumulative planned value on each day from the baseline start: each task's budget spread
    linearly over its baseline days, then whole from its baseline finish on.

    Added task by task in plan order, day by day, so every day's sum is the same float as a
    (task x day) matrix summed down its columns, without building the matrix.
    """
    curve = np.zeros(n_days)
    for amount, first, length in zip(budget.tolist(), start.astype(int).tolist(), span.astype(int).tolist(),
                                     strict=True):  # fmt: skip
        if not math.isfinite(amount):
            return _pv_matrix(budget, start, span, n_days)
        end = first + length  # the first day the whole budget is planned
        if length > 0:
            lo, hi = max(first, 0), min(end, n_days)
            if hi > lo:
                curve[lo:hi] += amount * ((np.arange(lo, hi) - first) / length)
        if end < n_days:
            curve[max(end, 0) :] += amount * 1.0
    return curve


def _pv_matrix(budget: np.ndarray, start: np.ndarray, span: np.ndarray, n_days: int) -> np.ndarray:
    days = np.arange(n_days)
    b_start, b_span = start.astype(int)[:, None], span.astype(int)
    with np.errstate(divide="ignore", invalid="ignore"):
        fraction = np.where(b_span[:, None] > 0, (days[None, :] - b_start) / b_span[:, None], 0.0)
    fraction = np.where(days[None, :] >= b_start + b_span[:, None], 1.0, np.clip(fraction, 0, 1))
    return (budget[:, None] * fraction).sum(axis=0)


def _dates(table: Table, name: str) -> np.ndarray:
    return datetimes(_column(table, name))


def latest(values: np.ndarray) -> np.datetime64 | None:
    """The latest date of a datetime64 array, blanks (NaT) ignored; None if all are blank."""
    known = values[~np.isnat(values)]
    return known.max() if len(known) else None


def milestone_kpis(
    plan: Table, status_date: date | None, non_working_days: Iterable[date] = ()
) -> dict[str, float | int | None]:
    """Milestone hit rate (due by the status date and done on time) and the worst key-milestone slip."""
    milestone = _column(plan, "type", object) == "milestone"
    result: dict[str, float | int | None] = {"milestones_due": 0, "milestone_hit_rate": None}
    if status_date is not None and milestone.any():
        baseline = _dates(plan, "baseline_finish")[milestone]
        due = baseline <= np.datetime64(pd.Timestamp(status_date))
        actual, forecast = _dates(plan, "actual_finish")[milestone][due], _dates(plan, "finish")[milestone][due]
        done_on = np.where(np.isnat(actual), forecast, actual)
        status = _column(plan, "status", object)[milestone][due]
        hit = (status == "done") & (done_on <= baseline[due])
        result["milestones_due"] = int(due.sum())
        result["milestone_hit_rate"] = float(hit.mean()) if due.any() else None
    key = _column(plan, "key_milestone", object) == True  # noqa: E712
    slip = slip_days(_column(plan, "baseline_finish")[key], _column(plan, "finish")[key], non_working_days)
    result["key_milestones"] = int(key.sum())
    result["key_milestone_slip"] = float(np.nanmax(slip)) if (~np.isnan(slip)).any() else None
    return result


def schedule_variance_days(plan: Table, non_working_days: Iterable[date] = ()) -> float | None:
    """Forecast finish against baseline finish of the whole plan, in working days (positive is late)."""
    work = _work_mask(plan)
    finish, baseline = latest(_dates(plan, "finish")[work]), latest(_dates(plan, "baseline_finish")[work])
    if finish is None or baseline is None:
        return None
    return float(slip_days(np.array([baseline]), np.array([finish]), non_working_days)[0])


def risk_states(risks: Table) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(open threat, open opportunity, occurred) masks of the Risks rows.

    A blank type is a threat (the template's default); a blank status is open. Occurred and
    closed risks are not open: an occurred risk has become an issue.
    """
    kind, status = _column(risks, "type", object), _column(risks, "status", object)
    open_ = (status != "closed") & (status != "occurred")
    opportunity = kind == "opportunity"
    return open_ & ~opportunity, open_ & opportunity, status == "occurred"


def risk_kpis(risks: Table, settings: PortfolioSettings) -> dict[str, float | int]:
    """Exposure (sum of P x I and EMV), counts by level and the top score of the open threats;
    open opportunities and occurred risks counted apart."""
    threat, opportunity, occurred = risk_states(risks)
    probability = _numbers(_column(risks, "probability"))[threat]
    score = probability * _numbers(_column(risks, "impact"))[threat]
    emv = zero_blanks(_emv(probability, _numbers(_column(risks, "cost_impact"))[threat]))
    levels = _risk_levels(score, settings)
    return {
        "open_risks": int(threat.sum()),
        "risk_exposure": float(zero_blanks(score).sum()),
        "risk_emv": float(emv.sum()),
        "max_risk_score": float(np.nanmax(score)) if (~np.isnan(score)).any() else 0.0,
        **{f"risks_{lvl}": int((levels == lvl).sum()) for lvl in ("critical", "high", "medium", "low")},
        "open_opportunities": int(opportunity.sum()),
        "occurred_risks": int(occurred.sum()),
    }


def risk_emv(risks: pd.DataFrame) -> pd.Series:
    """Expected monetary value per risk: probability as a fraction x cost impact (NaN when unknown)."""
    return pd.Series(_emv(_numbers(risks["probability"]), _numbers(risks["cost_impact"])), index=risks.index)


def _emv(probability: np.ndarray, cost_impact: np.ndarray) -> np.ndarray:
    from pmo_logic.sheets import PROBABILITY_FRACTION

    fraction = np.array([PROBABILITY_FRACTION.get(p, np.nan) for p in probability.tolist()], dtype=float)
    return fraction * cost_impact


def risk_level(score: pd.Series, settings: PortfolioSettings) -> pd.Series:
    """Low / medium / high / critical by the score bands of the Settings sheet."""
    return pd.Series(_risk_levels(_numbers(score), settings), index=score.index, dtype=object)


def _risk_levels(score: np.ndarray, settings: PortfolioSettings) -> np.ndarray:
    with np.errstate(invalid="ignore"):
        bands = [
            score >= (settings.risk_critical_score or 20),
            score >= (settings.risk_high_score or 10),
            score >= (settings.risk_medium_score or 5),
            score >= 0,
        ]
    return np.select(bands, ["critical", "high", "medium", "low"], None)


def agile_kpis(sprints: pd.DataFrame, status_date: date | None) -> dict[str, float | date | None]:
    """Velocity (mean completed points of the last three finished sprints) and forecast completion.

    Remaining work: committed points of sprints not finished yet, plus what finished sprints
    left undone. Forecast: that many points at the current velocity, in sprints of the usual length.
    """
    empty = {"velocity": None, "remaining_points": None, "agile_forecast_finish": None}
    if sprints.empty or status_date is None:
        return empty
    when = pd.Timestamp(status_date)
    finished = sprints[sprints["finish"].notna() & (sprints["finish"] <= when)].sort_values("finish")
    if finished.empty:
        return empty
    velocity = float(pd.to_numeric(finished["completed_points"]).tail(3).mean())
    later = sprints[~sprints.index.isin(finished.index)]
    carried = (finished["committed_points"].fillna(0) - finished["completed_points"].fillna(0)).clip(lower=0).sum()
    remaining = float(later["committed_points"].fillna(0).sum() + carried)
    lengths = (finished["finish"] - finished["start"]).dt.days.dropna() + 1
    length = int(lengths.median()) if len(lengths) else 14
    # Sprints follow each other with a weekend gap: use their start-to-start cadence when known.
    starts = finished["start"].dropna().sort_values()
    cadence = int(starts.diff().dt.days.median()) if len(starts) > 1 else length
    last = finished["finish"].max().date()
    if not remaining:
        forecast: date | None = last
    elif velocity:
        forecast = last + timedelta(days=cadence * math.ceil(remaining / velocity))
    else:
        forecast = None
    return {"velocity": velocity, "remaining_points": remaining, "agile_forecast_finish": forecast}


def worst_rag(*values: str | None) -> str:
    """The worst of the dimensions that have data; `NO_DATA` when none has."""
    known = [v for v in values if v in RAG_ORDER]
    return max(known, key=RAG_ORDER.__getitem__) if known else NO_DATA


def rag_schedule(spi: float | None, key_slip: float | None, settings: PortfolioSettings) -> str:
    """Red when SPI < amber threshold or a key milestone slipped beyond the amber limit; amber likewise.

    `NO_DATA` when there is neither an SPI nor a key milestone to judge by (an empty Plan).
    """
    by_spi = None if spi is None else _band(spi, settings.spi_green, settings.spi_amber)
    by_slip = None
    if key_slip is not None:
        by_slip = "green"
        if key_slip > (settings.slip_amber_days or 20):
            by_slip = "red"
        elif key_slip > (settings.slip_green_days or 10):
            by_slip = "amber"
    return worst_rag(by_spi, by_slip)


def rag_cost(cpi: float | None, settings: PortfolioSettings) -> str:
    """By CPI; `NO_DATA` when CPI is undefined (no actual cost, or an empty Plan)."""
    return NO_DATA if cpi is None else _band(cpi, settings.cpi_green, settings.cpi_amber)


def rag_risk(max_score: float | None, settings: PortfolioSettings) -> str:
    """By the top score of the open threats; `NO_DATA` (None) when the Risks sheet is missing or unreadable."""
    if max_score is None:
        return NO_DATA
    if max_score >= (settings.risk_critical_score or 20):
        return "red"
    return "amber" if max_score >= (settings.risk_high_score or 10) else "green"


def _band(value: float, green: float | None, amber: float | None) -> str:
    # Thresholds left blank in Settings fall back to the standard 0.95 / 0.85.
    return rag_band(value, green if green is not None else 0.95, amber if amber is not None else 0.85)


def rag_band(value: float, green: float, amber: float, higher_is_better: bool = True) -> str:
    """Green, amber or red for a value against two thresholds.

    Higher is better (SPI, CPI): green at or above ``green``, amber at or above ``amber``.
    Lower is better (slip days): green at or below ``green``, amber at or below ``amber``.
    """
    if higher_is_better:
        return "green" if value >= green else "amber" if value >= amber else "red"
    return "green" if value <= green else "amber" if value <= amber else "red"


def milestone_status(baseline: date, forecast: date | None, actual: date | None, status_date: date) -> str:
    """``done on time``, ``done late``, ``late`` (due and not done), ``slipping`` or ``on track``."""
    if actual is not None:
        return "done on time" if actual <= baseline else "done late"
    due = forecast or baseline
    if due < status_date or baseline < status_date:
        return "late"
    return "slipping" if forecast is not None and forecast > baseline else "on track"
