"""Published earned-value and earned-schedule examples, run end to end.

Each example is written as a project workbook (`write_project_workbook`), then read back by the
reader, measured by the engine (`load_project`, as consolidation does), rolled up
(`consolidate`) and computed again by the `=PMO_` functions on the workbook's own Plan cells.
Every layer must give the figures the source publishes (or, where no source could be found,
the hand computation written next to it).
"""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import openpyxl
import pytest

from addin import udfs
from pmo_logic import models as m
from pmo_logic.consolidate import consolidate, load_project
from pmo_logic.reader import read_project_workbook
from pmo_logic.templates import write_project_workbook

SETTINGS = m.PortfolioSettings()  # no calendar country: weekends are the only days off


def _project(project_id: str, status: date, tasks: list[m.TaskRow]) -> m.ProjectWorkbook:
    return m.ProjectWorkbook(
        meta=m.WorkbookMeta(kind="project", template_version=m.TEMPLATE_VERSION, language="en"),
        project=m.ProjectInfo(
            project_id=project_id, name=project_id, programme="Examples", status_date=status, methodology="waterfall"
        ),
        plan=tasks,
    )


def _task(id_: str, budget: float, start: date, finish: date, pct: float, ac: float | None = None, **kw) -> m.TaskRow:
    return m.TaskRow(id=id_, name=f"Task {id_}", type="task", start=start, finish=finish, baseline_start=start,
                     baseline_finish=finish, budget=budget, percent_complete=pct, actual_cost=ac, owner="PM",
                     status=kw.pop("status", "done" if pct == 1 else "in_progress" if pct else "not_started"),
                     **kw)  # fmt: skip


def _plan_cells(path: Path) -> list[list[object]]:
    """The Plan sheet's cells as an Excel range hands them to a function (Tasks[#All])."""
    sheet = openpyxl.load_workbook(path)["Plan"]
    return [list(row) for row in sheet.iter_rows(values_only=True)]


def _end_to_end(tmp_path: Path, workbook: m.ProjectWorkbook) -> tuple[dict, dict, list[list[object]]]:
    """The engine's KPIs of the written workbook, its roll-up row, and its Plan cells."""
    folder = tmp_path / "projects"
    folder.mkdir(parents=True)
    path = write_project_workbook(folder / f"{workbook.project.project_id}.xlsx", workbook)
    read = read_project_workbook(path)
    assert [p for p in read.problems if p.severity == "error"] == []
    assert len(read.plan) == len(workbook.plan)
    engine = load_project(str(path), SETTINGS).kpis
    rollup = consolidate(folder, m.PortfolioWorkbook(settings=SETTINGS), workers=1)
    row = rollup.projects.set_index("project_id").loc[workbook.project.project_id].to_dict()
    assert (rollup.total["pv"].iloc[0], rollup.total["ev"].iloc[0]) == (engine["pv"], engine["ev"])
    return engine, row, _plan_cells(path)


def test_microsoft_project_spi_fields_example(tmp_path: Path):
    """Microsoft Support, "SPI fields" (Project desktop), the task-field example:
    https://support.microsoft.com/en-gb/office/spi-fields-d2f8cf9b-f7e6-4cdd-87d6-e5cbd27e0421
    "You have a four-day task, and its total planned budget is $100. After two days, the budgeted
    cost of work scheduled (BCWS) is $50. However, after two days of actual work, 60 percent of the
    work has been completed, for a cost of $60. The SPI is 1.2."
    With Microsoft Office Project 2003's help, "Applying earned value analysis to your project":
    the same task starting on a Monday, status date the Wednesday, has a BCWS of $75; $35 spent on
    each of the first two days is an ACWP of $70 (BCWS still $75).
    """
    monday, tuesday, wednesday, thursday = (date(2026, 3, 2) + timedelta(n) for n in range(4))
    task = _task("1", 100, monday, thursday, 0.6, 70)
    engine, row, plan = _end_to_end(tmp_path, _project("MSP-SPI", tuesday, [task]))
    for figures in (engine, row):
        assert (figures["bac"], figures["pv"], figures["ev"], figures["ac"]) == (100, 50, 60, 70)
        assert figures["spi"] == pytest.approx(1.2)
        assert figures["cpi"] == pytest.approx(60 / 70)
    assert udfs.PMO_PLANNED_PCT(monday, thursday, tuesday) * 100 == 50
    assert udfs.PMO_EV(100, 0.6) == 60
    assert udfs.PMO_SPI(60, 50) == pytest.approx(1.2)
    # The status date moved to Wednesday: BCWS $75 (the status date counts as worked).
    wednesday_kpis = load_project(
        str(write_project_workbook(tmp_path / "wed.xlsx", _project("MSP-WED", wednesday, [task]))), SETTINGS
    ).kpis
    assert wednesday_kpis["pv"] == 75 and wednesday_kpis["ac"] == 70
    assert udfs.PMO_PLANNED_PCT(monday, thursday, wednesday) * 100 == 75
    # Earned schedule of the same task, in working days: EV 60 lies between PV_2 = 50 and PV_3 = 75.
    es = 2 + (60 - 50) / (75 - 50)
    assert engine["es"] == pytest.approx(es) and engine["at"] == 2
    assert udfs.PMO_ES(plan, tuesday) == pytest.approx(es)
    assert udfs.PMO_SPI_T(plan, tuesday) == pytest.approx(es / 2) == pytest.approx(row["spi_t"])


def _ten_modules(status: date, done: float, late_finish: date | None = None) -> list[m.TaskRow]:
    """Ten modules of 20 working days (four weeks) each, one after the other, 100 each."""
    modules, first_monday = [], date(2026, 1, 5)
    for i in range(10):
        start = first_monday + timedelta(weeks=4 * i)
        finish = start + timedelta(days=25)  # the Friday of its fourth week
        pct = min(max(done - i, 0.0), 1.0)
        modules.append(_task(str(i + 1), 100, start, finish, pct, 100 * pct))
    if late_finish is not None:
        last = modules[-1]
        modules[-1] = last.model_copy(update={"finish": late_finish, "actual_finish": late_finish, "status": "done"})
    return modules


def _period_end(period: int) -> date:
    """The Friday ending the n-th four-week period from Monday 5 January 2026."""
    return date(2026, 1, 5) + timedelta(weeks=4 * period, days=-3)


def test_ten_module_project_two_periods_late(tmp_path: Path):
    """MPUG, "Earned Schedule Management" (a ten-module project late by two months, with its SV,
    SPI, SV(t), SPI(t)): the article could not be found with the search tool (pages and docs
    corpora), so this is its scenario computed by hand, with four-week periods of 20 working days:

    Baseline: 10 modules x 100, one per period, 200 working days, BAC 1,000.
    Mid-project, status at the end of period 7 (AT = 140 working days), 5.5 modules earned:
      PV = 700, EV = 550, SV = -150, SPI = 550/700 = 0.786;
      ES: PV_110 = 550 (5.5 periods x 20 days) so ES = 110, SV(t) = 110 - 140 = -30 working days
      (1.5 periods), SPI(t) = 110/140 = 0.786, IEAC(t) = 200 / (110/140) = 254.5 working days.
    Finished two periods late (end of period 12, AT = 240): SV = 0 and SPI = 1.0 say "on time";
      ES = 200, SV(t) = -40 working days (the two periods), SPI(t) = 200/240 = 0.833.
    """
    mid = _period_end(7)
    engine, row, plan = _end_to_end(tmp_path / "mid", _project("MOD-MID", mid, _ten_modules(mid, 5.5)))
    for figures in (engine, row):
        assert (figures["bac"], figures["pv"], figures["ev"]) == (1000, 700, 550)
        assert figures["sv"] == -150 and figures["spi"] == pytest.approx(550 / 700)
        assert (figures["es"], figures["at"], figures["sv_t"]) == (110, 140, -30)
        assert figures["spi_t"] == pytest.approx(110 / 140)
        assert figures["ieac_t"] == pytest.approx(200 / (110 / 140))
    assert udfs.PMO_ES(plan, mid) == pytest.approx(110)
    assert udfs.PMO_SV_T(plan, mid) == pytest.approx(-30)
    assert udfs.PMO_SPI_T(plan, mid) == pytest.approx(110 / 140)
    assert udfs.PMO_IEAC_T(plan, mid) == pytest.approx(254.545454, rel=1e-6)

    late = _period_end(12)
    modules = _ten_modules(late, 10, late_finish=late)
    engine, row, plan = _end_to_end(tmp_path / "late", _project("MOD-LATE", late, modules))
    for figures in (engine, row):
        assert (figures["sv"], figures["spi"]) == (0, 1.0)  # EVM's schedule indicators forget the lateness
        assert (figures["es"], figures["at"], figures["sv_t"]) == (200, 240, -40)
        assert figures["spi_t"] == pytest.approx(200 / 240)
    assert udfs.PMO_SV_T(plan, late) == -40
    assert udfs.PMO_SPI_T(plan, late) == pytest.approx(0.8333333)


def test_lipke_earned_schedule_with_partial_periods(tmp_path: Path):
    """Lipke, "Schedule is Different", The Measurable News, March 2003; its calculation as
    earnedschedule.com's "Earned Schedule Concept" states it
    (https://www.scribd.com/doc/47929652/Earned-Schedule-Concept): ES = C + I, C the number of
    whole periods whose cumulative PV the EV reaches, I = (EV - PV_C) / (PV_C+1 - PV_C); in its
    figure "ES = 5 + (EV - PV(May)) / (PV(June) - PV(May)), AT = 7". The figure gives no amounts,
    so these are computed by hand, with periods of one working day and PV rising unevenly:

    A: 500 over days 1-5 (100 a day), B: 250 over days 6-10 (50 a day), C: 1,000 over days 11-20.
    PV_7 = 600, PV_8 = 650, PV_12 = 950, PV_13 = 1,050, PV_14 = 1,150.
    Status end of day 14 (AT = 14), A and B done, C 25 %: EV = 1,000, C = 12,
      ES = 12 + (1,000 - 950) / (1,050 - 950) = 12.5, SV(t) = -1.5, SPI(t) = 12.5 / 14.
    Status end of day 9 (AT = 9), A done, B 50 %: EV = 625, C = 7,
      ES = 7 + (625 - 600) / (650 - 600) = 7.5 (the slower task's half day), SPI(t) = 7.5 / 9.
    """
    monday = date(2026, 1, 5)
    day = [None, *(monday + timedelta(n + 2 * (n // 5)) for n in range(20))]  # day[n]: the n-th working day
    assert day[6] == date(2026, 1, 12) and day[20] == date(2026, 1, 30)

    def tasks(pct_b: float, pct_c: float) -> list[m.TaskRow]:
        return [_task("A", 500, day[1], day[5], 1.0, 500), _task("B", 250, day[6], day[10], pct_b, 200),
                _task("C", 1000, day[11], day[20], pct_c, 300)]  # fmt: skip

    engine, row, plan = _end_to_end(tmp_path / "d14", _project("LIPKE-14", day[14], tasks(1.0, 0.25)))
    for figures in (engine, row):
        assert (figures["pv"], figures["ev"]) == (1150, 1000)
        assert (figures["es"], figures["at"], figures["sv_t"]) == (12.5, 14, -1.5)
        assert figures["spi_t"] == pytest.approx(12.5 / 14)
    assert udfs.PMO_ES(plan, day[14]) == 12.5

    engine, row, plan = _end_to_end(tmp_path / "d9", _project("LIPKE-9", day[9], tasks(0.5, 0.0)))
    for figures in (engine, row):
        assert (figures["pv"], figures["ev"]) == (500 + 4 * 50, 625)
        assert (figures["es"], figures["at"]) == (7.5, 9)
        assert figures["spi_t"] == pytest.approx(7.5 / 9)
    assert udfs.PMO_ES(plan, day[9]) == 7.5
    assert udfs.PMO_SPI_T(plan, day[9]) == pytest.approx(7.5 / 9)


def test_before_the_baseline_start_every_layer_is_blank_with_a_reason(tmp_path: Path):
    """The guide: before the baseline start ES, SPI(t), SV(t) and IEAC(t) are undefined, never negative."""
    friday = date(2026, 1, 2)
    engine, row, plan = _end_to_end(tmp_path, _project("EARLY", friday, _ten_modules(friday, 0)))
    for figures in (engine, row):
        assert figures["pv"] == 0
        assert figures["spi"] is None or figures["spi"] != figures["spi"]  # undefined: None, or NaN in a frame
        for name in ("es", "sv_t", "spi_t", "ieac_t"):
            assert figures[name] is None or figures[name] != figures[name], name  # None, or NaN in a frame
    for function in (udfs.PMO_ES, udfs.PMO_SPI_T, udfs.PMO_SV_T, udfs.PMO_IEAC_T):
        assert function(plan, friday) == "#PMO: undefined before the baseline start"
