"""Project KPIs at a status date: earned value, earned schedule, milestones, risk, agile, RAG.

Pure functions on the frames of one project (`pmo_logic.frames.rows_to_frame`); formulas as
in the PMBOK Guide (EVM), Lipke's Earned Schedule, and ../shared/guide/pmo-domain.md.
Ratios are None (not 0, not infinity) when their divisor is 0.

Planned value spreads each task's budget linearly over its baseline, in calendar days: the
same rule as the template's "Planned % at status date" formula, so Excel and pmo-xl agree.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from datetime import date, timedelta

import numpy as np
import pandas as pd

from pmo_logic.models import PortfolioSettings
from pmo_logic.workdays import working_day_slip

RAG_ORDER = {"green": 0, "amber": 1, "red": 2}


def _ratio(numerator: float, denominator: float) -> float | None:
    return None if not denominator else numerator / denominator


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
        """Efficiency needed on the remaining work to finish at BAC."""
        return _ratio(self.bac - self.ev, self.bac - self.ac)

    @property
    def tcpi_eac(self) -> float | None:
        """Efficiency needed on the remaining work to finish at EAC."""
        return None if self.eac is None else _ratio(self.bac - self.ev, self.eac - self.ac)

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


def _work(plan: pd.DataFrame) -> pd.DataFrame:
    return plan[(plan["type"] != "summary") & (plan["status"] != "cancelled")]


def planned_fraction(plan: pd.DataFrame, when: pd.Timestamp) -> pd.Series:
    """Share of each task's baseline elapsed at ``when`` (calendar-linear), NaN without a baseline."""
    start, finish = pd.to_datetime(plan["baseline_start"]), pd.to_datetime(plan["baseline_finish"])
    span = (finish - start).dt.days
    linear = ((when - start).dt.days / span.where(span != 0)).clip(0, 1)
    return linear.where(when > start, 0.0).where(when < finish, 1.0).where(start.notna() & finish.notna())


def earned_value(plan: pd.DataFrame, status_date: date | None, bac: float | None = None) -> EarnedValue:
    """EV figures from the Plan: BAC is the sum of task budgets (or ``bac`` when the plan has none)."""
    work = _work(plan)
    budget = pd.to_numeric(work["budget"]).fillna(0)
    total = float(budget.sum()) or float(bac or 0)
    ev = float((budget * pd.to_numeric(work["percent_complete"]).fillna(0)).sum())
    ac = float(pd.to_numeric(work["actual_cost"]).fillna(0).sum())
    pv = 0.0
    if status_date is not None:
        pv = float((budget * planned_fraction(work, pd.Timestamp(status_date)).fillna(0)).sum())
    return EarnedValue(bac=total, pv=pv, ev=ev, ac=ac)


@dataclass(frozen=True)
class EarnedSchedule:
    """Lipke's earned schedule, in calendar days from the baseline start."""

    es: float
    at: float
    planned_duration: float

    @property
    def sv_t(self) -> float:
        return self.es - self.at

    @property
    def spi_t(self) -> float | None:
        return _ratio(self.es, self.at)

    @property
    def ieac_t(self) -> float | None:
        """Forecast duration: planned duration / SPI(t)."""
        return None if not self.spi_t else self.planned_duration / self.spi_t


def earned_schedule(plan: pd.DataFrame, status_date: date | None) -> EarnedSchedule | None:
    """ES = C + (EV - PV_C) / (PV_C+1 - PV_C), C the last whole day with PV_C <= EV."""
    work = _work(plan)
    work = work[work["baseline_start"].notna() & work["baseline_finish"].notna()]
    if status_date is None or work.empty:
        return None
    budget = pd.to_numeric(work["budget"]).fillna(0).to_numpy()
    start = pd.to_datetime(work["baseline_start"]).min()
    finish = pd.to_datetime(work["baseline_finish"]).max()
    duration = (finish - start).days
    ev = float((budget * pd.to_numeric(work["percent_complete"]).fillna(0).to_numpy()).sum())
    days = np.arange(duration + 1)
    b_start = (pd.to_datetime(work["baseline_start"]) - start).dt.days.to_numpy()[:, None]
    b_span = (pd.to_datetime(work["baseline_finish"]) - pd.to_datetime(work["baseline_start"])).dt.days.to_numpy()
    with np.errstate(divide="ignore", invalid="ignore"):
        fraction = np.where(b_span[:, None] > 0, (days[None, :] - b_start) / b_span[:, None], 0.0)
    fraction = np.where(days[None, :] >= b_start + b_span[:, None], 1.0, np.clip(fraction, 0, 1))
    pv_curve = (budget[:, None] * fraction).sum(axis=0)
    at = (pd.Timestamp(status_date) - start).days
    total = pv_curve[-1]
    if total <= 0:
        return None
    if ev >= total - 1e-9:
        # Everything planned is earned: ES is the day the baseline planned to get there, and
        # the actual time stops at the actual completion, not at the status date.
        es = float(np.argmax(pv_curve >= total - 1e-9))
        finished = pd.to_datetime(work["actual_finish"]).fillna(pd.to_datetime(work["finish"])).max()
        if not pd.isna(finished):
            at = min(at, (finished - start).days)
    else:
        c = max(int(np.searchsorted(pv_curve, ev, side="right")) - 1, 0)
        es = c + (ev - pv_curve[c]) / (pv_curve[c + 1] - pv_curve[c])
    return EarnedSchedule(es=es, at=float(at), planned_duration=float(duration))


def milestone_kpis(
    plan: pd.DataFrame, status_date: date | None, non_working_days: Iterable[date] = ()
) -> dict[str, float | int | None]:
    """Milestone hit rate (due by the status date and done on time) and the worst key-milestone slip."""
    milestones = plan[plan["type"] == "milestone"]
    result: dict[str, float | int | None] = {"milestones_due": 0, "milestone_hit_rate": None}
    if status_date is not None and not milestones.empty:
        due = milestones[milestones["baseline_finish"] <= pd.Timestamp(status_date)]
        done_on = due["actual_finish"].fillna(due["finish"])
        hit = (due["status"] == "done") & (done_on <= due["baseline_finish"])
        result["milestones_due"] = len(due)
        result["milestone_hit_rate"] = float(hit.mean()) if len(due) else None
    key = plan[plan["key_milestone"] == True]  # noqa: E712
    slip = working_day_slip(key["baseline_finish"], key["finish"], non_working_days)
    result["key_milestones"] = len(key)
    result["key_milestone_slip"] = float(slip.max()) if slip.notna().any() else None
    return result


def schedule_variance_days(plan: pd.DataFrame, non_working_days: Iterable[date] = ()) -> float | None:
    """Forecast finish against baseline finish of the whole plan, in working days (positive is late)."""
    work = _work(plan)
    finish, baseline = work["finish"].max(), work["baseline_finish"].max()
    if pd.isna(finish) or pd.isna(baseline):
        return None
    return float(working_day_slip(pd.Series([baseline]), pd.Series([finish]), non_working_days).iloc[0])


def risk_kpis(risks: pd.DataFrame, settings: PortfolioSettings) -> dict[str, float | int]:
    """Exposure (sum of P x I and EMV of open risks) and counts by level."""
    open_risks = risks[risks["status"].fillna("open") != "closed"] if len(risks) else risks
    score = pd.to_numeric(open_risks.get("probability"), errors="coerce") * pd.to_numeric(
        open_risks.get("impact"), errors="coerce"
    )
    emv = risk_emv(open_risks).fillna(0)
    levels = risk_level(score, settings)
    return {
        "open_risks": len(open_risks),
        "risk_exposure": float(score.fillna(0).sum()),
        "risk_emv": float(emv.sum()),
        "max_risk_score": float(score.max()) if score.notna().any() else 0.0,
        **{f"risks_{lvl}": int((levels == lvl).sum()) for lvl in ("critical", "high", "medium", "low")},
    }


def risk_emv(risks: pd.DataFrame) -> pd.Series:
    """Expected monetary value per risk: probability as a fraction x cost impact (NaN when unknown)."""
    from pmo_logic.sheets import PROBABILITY_FRACTION

    fraction = pd.to_numeric(risks.get("probability"), errors="coerce").map(PROBABILITY_FRACTION)
    return fraction * pd.to_numeric(risks.get("cost_impact"), errors="coerce")


def risk_level(score: pd.Series, settings: PortfolioSettings) -> pd.Series:
    """Low / medium / high / critical by the score bands of the Settings sheet."""
    bands = [
        score >= (settings.risk_critical_score or 20),
        score >= (settings.risk_high_score or 10),
        score >= (settings.risk_medium_score or 5),
        score >= 0,
    ]
    return pd.Series(np.select(bands, ["critical", "high", "medium", "low"], None), index=score.index, dtype=object)


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


def worst_rag(*values: str | None) -> str | None:
    known = [v for v in values if v in RAG_ORDER]
    return max(known, key=RAG_ORDER.__getitem__) if known else None


def rag_schedule(spi: float | None, key_slip: float | None, settings: PortfolioSettings) -> str | None:
    """Red when SPI < amber threshold or a key milestone slipped beyond the amber limit; amber likewise."""
    by_spi = None if spi is None else _band(spi, settings.spi_green, settings.spi_amber)
    by_slip = None
    if key_slip is not None:
        by_slip = "green"
        if key_slip > (settings.slip_amber_days or 20):
            by_slip = "red"
        elif key_slip > (settings.slip_green_days or 10):
            by_slip = "amber"
    return worst_rag(by_spi, by_slip)


def rag_cost(cpi: float | None, settings: PortfolioSettings) -> str | None:
    return None if cpi is None else _band(cpi, settings.cpi_green, settings.cpi_amber)


def rag_risk(max_score: float, settings: PortfolioSettings) -> str:
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
