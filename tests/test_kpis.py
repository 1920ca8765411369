"""KPIs against hand-computed figures: a PMBOK-style EVM example and an earned-schedule example."""

from __future__ import annotations

from datetime import date

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
    d = date
    frame = plan(
        t("A", 4000, d(2026, 1, 1), d(2026, 1, 31), 1.0, 4500),  # all planned, all earned
        t("B", 6000, d(2026, 2, 1), d(2026, 3, 3), 0.5, 2500),  # half its 30 days elapsed: PV 3000
        t("C", 5000, d(2026, 2, 16), d(2026, 3, 18), 0.1, 400),  # starts on the status date: PV 0
        t("S", 99999, d(2026, 1, 1), d(2026, 3, 18), 0.5, 99999, type="summary"),  # never counted
        t("X", 1000, d(2026, 1, 1), d(2026, 1, 2), 0.0, 0, status="cancelled"),
    )
    ev = earned_value(frame, date(2026, 2, 16))
    assert (ev.bac, ev.pv, ev.ev, ev.ac) == (15000, 7000, 7500, 7400)
    assert (ev.sv, ev.cv) == (500, 100)
    assert ev.spi == pytest.approx(7500 / 7000)
    assert ev.cpi == pytest.approx(7500 / 7400)
    assert ev.eac == ev.eac_cpi == pytest.approx(14800)  # 15000 / (7500 / 7400)
    assert ev.eac_atypical == pytest.approx(14900)  # 7400 + (15000 - 7500)
    assert ev.eac_composite == pytest.approx(7400 + 7400 * 7000 / 7500)  # 14306.67
    assert ev.etc == pytest.approx(7400)
    assert ev.vac == pytest.approx(200)
    assert ev.tcpi_bac == pytest.approx(7500 / 7600)
    assert ev.tcpi_eac == pytest.approx(7500 / 7400)


def test_ratios_are_undefined_not_zero():
    ev = EarnedValue(bac=1000, pv=0, ev=0, ac=0)
    assert (ev.spi, ev.cpi, ev.eac, ev.etc, ev.vac, ev.eac_composite) == (None,) * 6
    assert ev.tcpi_bac == 1.0


def test_programme_figures_come_from_sums_not_means():
    a = EarnedValue(bac=1000, pv=100, ev=50, ac=60)  # SPI 0.5
    b = EarnedValue(bac=9000, pv=900, ev=900, ac=800)  # SPI 1.0
    total = a + b
    assert total.spi == pytest.approx(950 / 1000)  # not (0.5 + 1.0) / 2
    assert total.cpi == pytest.approx(950 / 860)


def test_earned_schedule_worked_example():
    # PV rises 10 a day: A over 1-11 January, B over 11-21 January (100 each).
    d = date
    frame = plan(t("A", 100, d(2026, 1, 1), d(2026, 1, 11), 1.0), t("B", 100, d(2026, 1, 11), d(2026, 1, 21), 0.25))
    es = earned_schedule(frame, date(2026, 1, 16))
    # EV 125: C = 12 (PV_12 = 120 <= 125 < PV_13 = 130), ES = 12 + 5 / 10.
    assert es.es == pytest.approx(12.5)
    assert es.at == 15
    assert es.sv_t == pytest.approx(-2.5)
    assert es.spi_t == pytest.approx(12.5 / 15)
    assert es.ieac_t == pytest.approx(20 / (12.5 / 15))  # 24 days instead of 20


def test_earned_schedule_does_not_tend_to_one_when_late():
    d = date
    frame = plan(t("A", 100, d(2026, 1, 1), d(2026, 1, 11), 1.0), t("B", 100, d(2026, 1, 11), d(2026, 1, 21), 1.0))
    late = date(2026, 1, 26)  # finished 5 days late
    assert earned_value(frame, late).spi == 1.0
    es = earned_schedule(frame, late)
    assert es.es == 20 and es.at == 25
    assert es.spi_t == pytest.approx(0.8)


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
