"""KPIs against hand-computed figures: a PMBOK-style EVM example and an earned-schedule example,
planned value against NETWORKDAYS counted day by day, and earned schedule against planned value."""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pmo_logic.frames import rows_to_frame
from pmo_logic.kpis import (
    EarnedValue,
    _pv_curve,
    _pv_matrix,
    agile_kpis,
    earned_schedule,
    earned_value,
    milestone_kpis,
    planned_fraction,
    rag_cost,
    rag_risk,
    rag_schedule,
    risk_kpis,
    worst_rag,
)
from pmo_logic.models import PortfolioSettings, RiskRow, SprintRow, TaskRow


def plan(*rows: TaskRow) -> pd.DataFrame:
    return rows_to_frame(list(rows), TaskRow)


def t(id_, budget, bs, bf, pct, ac=None, **kw) -> TaskRow:
    return TaskRow(id=id_, name=id_, type=kw.pop("type", "task"), budget=budget, baseline_start=bs, baseline_finish=bf,
                   percent_complete=pct, actual_cost=ac, **kw)  # fmt: skip


def test_earned_value_hand_computed():
    # Working days, the status date counted as worked. Friday 13 February 2026 is the status date.
    d = date
    frame = plan(
        t("A", 4000, d(2026, 1, 5), d(2026, 1, 30), 1.0, 4500),  # all planned, all earned
        t("B", 6000, d(2026, 2, 2), d(2026, 2, 27), 0.5, 2500),  # 10 of its 20 working days: PV 3000
        t("C", 5000, d(2026, 2, 13), d(2026, 2, 26), 0.2, 400),  # day 1 of 10 is the status date: PV 500
        t("S", 99999, d(2026, 1, 5), d(2026, 2, 27), 0.5, 99999, type="summary"),  # never counted
        t("X", 1000, d(2026, 1, 5), d(2026, 1, 9), 0.3, 300, status="cancelled"),  # only its cost counts
    )
    ev = earned_value(frame, date(2026, 2, 13))
    assert (ev.bac, ev.pv, ev.ev, ev.ac) == (15000, 7500, 8000, 7700)
    assert (ev.sv, ev.cv) == (500, 300)
    assert ev.spi == pytest.approx(8000 / 7500)
    assert ev.cpi == pytest.approx(8000 / 7700)
    assert ev.eac == ev.eac_cpi == pytest.approx(14437.5)  # 15000 / (8000 / 7700)
    assert ev.eac_atypical == pytest.approx(14700)  # 7700 + (15000 - 8000)
    assert ev.eac_composite == pytest.approx(7700 + 7000 / ((8000 / 7700) * (8000 / 7500)))
    assert ev.etc == pytest.approx(14437.5 - 7700)
    assert ev.vac == pytest.approx(562.5)
    assert ev.tcpi_bac == pytest.approx(7000 / 7300)
    assert ev.tcpi_eac == pytest.approx(7000 / 6737.5)


def test_a_four_day_task_is_planned_a_quarter_a_day():
    """MS Project's BCWS: a 4-day, 100-cost task is 25/50/75/100 planned at the end of its days 1-4."""
    d = date
    frame = plan(t("A", 100, d(2026, 3, 2), d(2026, 3, 5), 0.0))  # Monday to Thursday
    days = [d(2026, 3, 1), d(2026, 3, 2), d(2026, 3, 3), d(2026, 3, 4), d(2026, 3, 5), d(2026, 3, 6)]
    assert [earned_value(frame, day).pv for day in days] == [0, 25, 50, 75, 100, 100]
    # Over working days: Monday to the next Monday is 6 working days, the weekend adds nothing.
    long = plan(t("A", 600, d(2026, 3, 2), d(2026, 3, 9), 0.0))
    assert [earned_value(long, day).pv for day in (d(2026, 3, 6), d(2026, 3, 7), d(2026, 3, 8))] == [500] * 3
    # A listed non-working day (Tuesday) is skipped: 3 working days, Wednesday is day 2.
    assert earned_value(frame, d(2026, 3, 4), non_working_days=[d(2026, 3, 3)]).pv == pytest.approx(200 / 3)


def test_a_milestone_is_planned_whole_on_its_baseline_date():
    d = date
    frame = plan(TaskRow(id="M", name="M", type="milestone", budget=100, baseline_finish=d(2026, 3, 4)))
    assert [earned_value(frame, day).pv for day in (d(2026, 3, 3), d(2026, 3, 4), d(2026, 3, 5))] == [0, 100, 100]


def test_cost_booked_on_cancelled_work_stays_in_ac():
    """The issue's small case: EV 50, AC 80 of which 30 on a cancelled task, so CPI 0.625 (not 1.0)."""
    d = date
    frame = plan(
        t("A", 100, d(2026, 1, 5), d(2026, 1, 16), 0.5, 50),
        t("B", 40, d(2026, 1, 5), d(2026, 1, 9), 0.0, 30, status="cancelled"),
    )
    ev = earned_value(frame, d(2026, 1, 9))
    assert (ev.bac, ev.ev, ev.ac, ev.pv) == (100, 50, 80, 50)  # B's budget left BAC, EV and PV
    assert ev.cpi == pytest.approx(0.625)


def test_ratios_are_undefined_not_zero():
    ev = EarnedValue(bac=1000, pv=0, ev=0, ac=0)
    assert (ev.spi, ev.cpi, ev.eac, ev.etc, ev.vac, ev.eac_composite) == (None,) * 6
    assert ev.tcpi_bac == 1.0


def test_tcpi_is_undefined_once_the_budget_is_spent():
    # All earned, AC over BAC: (1000 - 1000) / (1000 - 1200) is -0.0 by arithmetic, undefined by meaning.
    assert EarnedValue(bac=1000, pv=1000, ev=1000, ac=1200).tcpi_bac is None
    assert EarnedValue(bac=1000, pv=1000, ev=800, ac=1000).tcpi_bac is None  # AC = BAC: nothing left
    assert EarnedValue(bac=1000, pv=1000, ev=800, ac=900).tcpi_bac == pytest.approx(2.0)


def test_programme_figures_come_from_sums_not_means():
    a = EarnedValue(bac=1000, pv=100, ev=50, ac=60)  # SPI 0.5
    b = EarnedValue(bac=9000, pv=900, ev=900, ac=800)  # SPI 1.0
    total = a + b
    assert total.spi == pytest.approx(950 / 1000)  # not (0.5 + 1.0) / 2
    assert total.cpi == pytest.approx(950 / 860)


def _two_fortnights(pct_a: float, pct_b: float, **kw) -> pd.DataFrame:
    # PV rises 10 a working day: A over 5-16 January 2026, B over 19-30 January (10 working days, 100 each).
    d = date
    return plan(t("A", 100, d(2026, 1, 5), d(2026, 1, 16), pct_a), t("B", 100, d(2026, 1, 19), d(2026, 1, 30), pct_b,
                                                                     **kw))  # fmt: skip


def test_earned_schedule_worked_example():
    es = earned_schedule(_two_fortnights(1.0, 0.25), date(2026, 1, 23))
    # AT: 5-23 January is 15 working days. EV 125: C = 12 (PV_12 = 120 <= 125 < PV_13 = 130), ES = 12 + 5 / 10.
    assert es.es == pytest.approx(12.5)
    assert es.at == 15
    assert es.sv_t == pytest.approx(-2.5)
    assert es.spi_t == pytest.approx(12.5 / 15)
    assert es.ieac_t == pytest.approx(20 / (12.5 / 15))  # 24 working days instead of 20
    assert es.reason is None


def test_earned_schedule_does_not_tend_to_one_when_late():
    frame = _two_fortnights(1.0, 1.0)
    late = date(2026, 2, 6)  # finished a working week late
    assert earned_value(frame, late).spi == 1.0
    es = earned_schedule(frame, late)
    assert es.es == 20 and es.at == 25
    assert es.spi_t == pytest.approx(0.8)


def test_earned_schedule_is_undefined_before_the_baseline_start():
    for before in (date(2026, 1, 2), date(2026, 1, 4)):  # the Friday and the Sunday before
        es = earned_schedule(_two_fortnights(0.0, 0.0), before)
        assert (es.es, es.sv_t, es.spi_t, es.ieac_t) == (None, None, None, None)
        assert es.reason == "undefined before the baseline start"
    first_day = earned_schedule(_two_fortnights(0.0, 0.0), date(2026, 1, 5))
    assert (first_day.at, first_day.es, first_day.spi_t) == (1, 0.0, 0.0)
    assert first_day.ieac_t is None  # SPI(t) 0: no forecast, not infinity


def test_earned_schedule_of_a_plan_baselined_on_one_day():
    d = date
    one_day = plan(t("A", 100, d(2026, 1, 5), d(2026, 1, 5), 0.5), t("B", 100, d(2026, 1, 5), d(2026, 1, 5), 0.5))
    es = earned_schedule(one_day, d(2026, 1, 5))
    assert (es.es, es.at, es.planned_duration) == (0.5, 1, 1)  # half of the one day earned
    milestones = plan(TaskRow(id="M", name="M", type="milestone", baseline_finish=d(2026, 1, 5), percent_complete=0))
    assert earned_schedule(milestones, d(2026, 1, 9)).reason == "undefined: no budget on the baselined work"
    weekend = plan(t("A", 100, d(2026, 1, 10), d(2026, 1, 11), 0.5))  # a Saturday and a Sunday
    assert earned_schedule(weekend, d(2026, 1, 12)).reason == "undefined: the baseline has no working day"


def _naive_planned_fraction(start: date, finish: date, when: date, holidays: set[date]) -> float:
    """NETWORKDAYS counted day by day with the standard library, as the guide states the rule."""

    def networkdays(a: date, b: date) -> int:
        days = (a + timedelta(n) for n in range((b - a).days + 1))
        return sum(1 for x in days if x.weekday() < 5 and x not in holidays)

    if when >= finish:
        return 1.0
    if when < start:
        return 0.0
    span = networkdays(start, finish)
    return min(1.0, networkdays(start, when) / span) if span else 0.0


@settings(max_examples=150, deadline=None)
@given(
    st.lists(st.tuples(st.integers(0, 60), st.integers(0, 40), st.integers(1, 10_000)), min_size=1, max_size=12),
    st.integers(-10, 120),
    st.sets(st.integers(0, 120), max_size=10),
)
def test_planned_value_is_networkdays_day_by_day(tasks, status_offset, holiday_offsets):
    origin = date(2026, 1, 1)
    holidays = {origin + timedelta(n) for n in holiday_offsets}
    rows = [t(str(i), b, origin + timedelta(s), origin + timedelta(s + n), 0.0) for i, (s, n, b) in enumerate(tasks)]
    when = origin + timedelta(status_offset)
    expected = sum(
        r.budget * _naive_planned_fraction(r.baseline_start, r.baseline_finish, when, holidays) for r in rows
    )
    assert earned_value(plan(*rows), when, non_working_days=holidays).pv == pytest.approx(expected)


@settings(max_examples=150, deadline=None)
@given(
    st.lists(st.tuples(st.integers(0, 40), st.integers(0, 30), st.integers(1, 1000)), max_size=8),
    st.integers(1, 80),
)
def test_earning_exactly_the_plan_gives_es_equal_to_at(tasks, status_offset):
    # One task spans the whole baseline, so PV rises on every working day and ES is unique: when
    # each task has earned its planned share, ES is the actual time (or the planned duration once
    # everything is earned), SV(t) 0 and SPI(t) 1. PV and ES must share one definition for this.
    monday = date(2026, 1, 5)
    end = monday + timedelta(max([s + n for s, n, _ in tasks], default=0) + 7)
    rows = [t("all", 500, monday, end, 0.0)]
    rows += [t(str(i), b, monday + timedelta(s), monday + timedelta(s + n), 0.0) for i, (s, n, b) in enumerate(tasks)]
    when = monday + timedelta(status_offset)
    frame = plan(*rows)
    fraction = planned_fraction(frame, when).fillna(0)
    frame["percent_complete"] = fraction
    es = earned_schedule(frame, when)
    duration = np.busday_count(monday, end + timedelta(1))
    assert es.planned_duration == duration
    assert es.es == pytest.approx(min(es.at, duration))


def test_milestones():
    d = date
    frame = plan(
        TaskRow(id="1", name="m1", type="milestone", baseline_finish=d(2026, 1, 9), finish=d(2026, 1, 9),
                actual_finish=d(2026, 1, 9), status="done", key_milestone=True),
        TaskRow(id="2", name="m2", type="milestone", baseline_finish=d(2026, 1, 16), finish=d(2026, 1, 23),
                actual_finish=d(2026, 1, 23), status="done"),
        TaskRow(id="3", name="m3", type="milestone", baseline_finish=d(2026, 1, 30), finish=d(2026, 2, 13),
                status="not_started", key_milestone=True),
        TaskRow(id="4", name="m4", type="milestone", baseline_finish=d(2026, 3, 2), finish=d(2026, 3, 2)),
    )  # fmt: skip
    kpis = milestone_kpis(frame, date(2026, 2, 2))
    assert kpis["milestones_due"] == 3
    assert kpis["milestone_hit_rate"] == pytest.approx(1 / 3)  # only m1 on time
    assert kpis["key_milestone_slip"] == 10  # m3: 30 January to 13 February, two working weeks


def test_risks_and_rag():
    settings = PortfolioSettings()
    risks = rows_to_frame(
        [
            RiskRow(id="1", probability=5, impact=4, cost_impact=1000, status="open"),  # 20 critical, EMV 900
            RiskRow(id="2", probability=2, impact=3, cost_impact=500, status="open"),  # 6 medium, EMV 150
            RiskRow(id="3", probability=5, impact=5, status="closed"),
        ],
        RiskRow,
    )
    kpis = risk_kpis(risks, settings)
    assert kpis["open_risks"] == 2 and kpis["risk_exposure"] == 26
    assert kpis["risk_emv"] == pytest.approx(900 + 150)
    assert (kpis["risks_critical"], kpis["risks_high"], kpis["risks_medium"]) == (1, 0, 1)
    assert rag_risk(kpis["max_risk_score"], settings) == "red"
    assert rag_schedule(0.97, 5, settings) == "green"
    assert rag_schedule(0.97, 15, settings) == "amber"  # a key milestone 15 days late
    assert rag_schedule(0.80, None, settings) == "red"
    assert rag_cost(0.90, settings) == "amber"
    assert rag_cost(None, settings) == "no data"  # grey, never green
    assert worst_rag("green", None, "amber") == "amber"


def test_agile_velocity_and_forecast():
    d, s = date, SprintRow
    sprints = rows_to_frame(
        [
            s(sprint="S1", start=d(2026, 1, 5), finish=d(2026, 1, 16), committed_points=30, completed_points=20),
            s(sprint="S2", start=d(2026, 1, 19), finish=d(2026, 1, 30), committed_points=30, completed_points=30),
            s(sprint="S3", start=d(2026, 2, 2), finish=d(2026, 2, 13), committed_points=30, completed_points=25),
            s(sprint="S4", start=d(2026, 2, 16), finish=d(2026, 2, 27), committed_points=40),
        ],
        SprintRow,
    )
    kpis = agile_kpis(sprints, date(2026, 2, 16))
    assert kpis["velocity"] == pytest.approx(25)  # (20 + 30 + 25) / 3
    assert kpis["remaining_points"] == 40 + 10 + 5  # S4, plus what S1 and S3 left undone
    assert kpis["agile_forecast_finish"] == date(2026, 2, 13) + pd.Timedelta(days=14 * 3).to_pytimedelta()


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.one_of(st.floats(-1e6, 1e7, allow_nan=False), st.sampled_from([0.0, 1 / 3, 1e-300])),
            st.integers(0, 60),
            st.integers(-5, 40),
        ),
        min_size=1,
        max_size=30,
    ),
    st.integers(1, 90),
)
def test_pv_curve_is_the_task_by_day_matrix_summed_bit_for_bit(tasks, n_days):
    # The matrix is the definition: each task's planned fraction on each day, times its budget,
    # summed down the days' columns. The loop must give the very same floats (earned schedule
    # interpolates between days, so a rounding difference could move ES).
    budget = np.array([t[0] for t in tasks])
    start = np.array([t[1] for t in tasks], dtype=float)
    span = np.array([t[2] for t in tasks], dtype=float)
    assert np.array_equal(_pv_curve(budget, start, span, n_days), _pv_matrix(budget, start, span, n_days))
