"""The DCMA 14 checks as schedulers read them, on hand-built plans whose answers are known.

Populations as Deltek Acumen reads DCMA-EA PAM 200.1 (incomplete, baselined tasks with a
duration); CPLI as DAU defines it; BEI as PAM 200.1 counts it. Positions are working days
from Monday 5 January 2026.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import openpyxl
import pytest

from pmo_logic.models import ProjectInfo, ProjectWorkbook, TaskRow
from pmo_logic.rules.dcma import cpli, dcma_frame
from pmo_logic.validate import validate_workbook
from pmo_logic.validation_report import write_validation_report
from pmo_logic.validation_settings import ValidationSettings

MONDAY = date(2026, 1, 5)


def t(id_, d, preds=None, **kw) -> TaskRow:
    return TaskRow(
        id=id_, name=id_, type=kw.pop("type", "milestone" if d == 0 else "task"), duration=d, predecessors=preds,
        baseline_start=kw.pop("baseline_start", MONDAY), baseline_finish=kw.pop("baseline_finish", date(2026, 2, 27)),
        owner=kw.pop("owner", "Owner"), status=kw.pop("status", "not_started"),
        percent_complete=kw.pop("percent_complete", 0.0), **kw,
    )  # fmt: skip


def assess(plan, *, status=date(2026, 1, 2), end=date(2026, 12, 31)):
    workbook = ProjectWorkbook(
        project=ProjectInfo(project_id="P", name="P", project_manager="PM", start_date=MONDAY, end_date=end,
                            status_date=status),
        plan=plan,
    )  # fmt: skip
    result = validate_workbook(workbook, ValidationSettings(as_of=status))
    return {c.number: c for c in result.dcma}, result


def test_logic_excuses_only_the_first_and_last_activity_never_an_unlinked_task():
    # A -> B -> C; X has no link at all and starts on the project start, like A.
    checks, _ = assess([t("A", 5), t("B", 5, "A"), t("C", 5, "B"), t("X", 3)])
    logic = checks[1]
    assert logic.tasks == ["X"]  # A (first) and C (last) are excused, X is not
    assert (logic.count, logic.total, logic.passed) == (1, 4, False)


def test_logic_excuses_start_and_finish_milestones_and_counts_no_milestone():
    plan = [t("S", 0), t("A", 5, "S"), t("B", 5, "A"), t("F", 0, "B"), t("Y", 2, "S")]  # Y: no successor
    logic = assess(plan)[0][1]
    assert logic.tasks == ["Y"]
    assert logic.total == 3  # A, B, Y: the milestones are not counted


def test_populations_leave_out_milestones_summaries_unbaselined_and_finished_work():
    plan = [
        TaskRow(id="0", wbs="1", name="Phase", type="summary", baseline_finish=date(2026, 2, 27)),
        t("A", 5, wbs="1.1", owner=None),
        t("M", 0, "A", wbs="1.2", owner=None, constraint_type="mso", constraint_date=date(2026, 1, 30)),
        t("U", 5, "A", wbs="1.3", owner=None, baseline_finish=None, baseline_start=None),
        t("D", 5, wbs="1.4", owner=None, status="done", percent_complete=1.0, actual_start=date(2025, 12, 1),
          actual_finish=date(2025, 12, 5)),
    ]  # fmt: skip
    checks = assess(plan)[0]
    assert (checks[10].count, checks[10].total, checks[10].tasks) == (1, 1, ["A"])  # only A is counted
    assert checks[5].count == 0  # the milestone's must-start-on is not counted


def test_negative_float_from_a_violated_constraint_fails_7_and_lowers_13_not_12():
    # A -> B -> C drive the finish. E (after D: 4 days) must finish by Tuesday 6 January
    # (position 2): -2 days for D and E, off the driving path.
    plan = [t("D", 2), t("E", 2, "D", constraint_type="fnlt", constraint_date=date(2026, 1, 6)),
            t("A", 5), t("B", 5, "A"), t("C", 5, "B")]  # fmt: skip
    checks, result = assess(plan, end=date(2026, 1, 30))
    floats = result.schedule.tasks.set_index("id")["total_float"]
    assert (floats["D"], floats["E"]) == (-2, -2)
    assert (checks[7].count, checks[7].tasks, checks[7].passed) == (2, ["D", "E"], False)
    assert result.schedule.driving_path == ["A", "B", "C"]
    # The old reading delayed D (the first unstarted task with float <= 0): E moved 589 days, a fail.
    cp = checks[12]
    assert (cp.passed, cp.count, cp.tasks) == (True, 600, ["A"])
    # CPLI: length 15 (position 0 to 15), float min(20 - 15, -2) = -2: (15 - 2) / 15.
    assert (checks[13].count, checks[13].total) == (15, -2)
    assert checks[13].metric == pytest.approx(13 / 15)
    assert checks[13].passed is False


def test_critical_path_test_fails_when_the_driving_path_dangles():
    # B starts with A (SS) and drives the finish: delaying A's finish moves nothing but A.
    checks, result = assess([t("A", 5), t("B", 10, "ASS")])
    assert result.schedule.driving_path == ["A", "B"]
    cp = checks[12]
    assert (cp.passed, cp.count, cp.total, cp.tasks) == (False, 595, 600, ["A"])  # A finishes at 605, not 610


def test_bei_counts_completed_unbaselined_tasks_in_its_denominator():
    # Status Friday 30 January. D1 and D2 baselined to finish by then, D1 done; U done without a baseline.
    done = {"status": "done", "percent_complete": 1.0, "actual_start": MONDAY, "actual_finish": date(2026, 1, 9)}
    plan = [
        t("D1", 5, baseline_finish=date(2026, 1, 9), **done),
        t("D2", 5, "D1", baseline_finish=date(2026, 1, 16)),
        t("U", 5, baseline_finish=None, baseline_start=None, **done),
        t("L", 5, "D2", baseline_finish=date(2026, 3, 6)),
        t("M", 0, "L", baseline_finish=date(2026, 1, 9)),  # a milestone: not counted
    ]
    bei = assess(plan, status=date(2026, 1, 30))[0][14]
    assert (bei.count, bei.total) == (2, 3)  # D1 and U done, of D1, D2 and U
    assert bei.metric == pytest.approx(2 / 3)
    assert bei.tasks == ["D2"] and bei.passed is False


def test_cpli_is_dau_definition():
    # DAU Acquipedia's example: 720 working days of critical path, 60 days of negative float.
    assert cpli(720, -60) == pytest.approx(0.917, abs=5e-4)
    assert cpli(100, 0) == 1.0


def test_cpli_from_the_end_date_margin():
    # A 20-day chain from Monday 5 January ends Friday 30 January (position 20); the end date is
    # two working days earlier: CPLI = (20 - 2) / 20 = 0.9.
    checks = assess([t("A", 10), t("B", 10, "A")], end=date(2026, 1, 28))[0]
    assert (checks[13].count, checks[13].total) == (20, -2)
    assert checks[13].metric == pytest.approx(0.9)


def test_the_dcma_table_says_what_each_check_counts_and_names_the_tasks(tmp_path: Path):
    checks, result = assess([t("A", 5), t("B", 5, "A"), t("X", 3, owner=None)])
    frame = dcma_frame(list(checks.values()))
    assert list(frame.columns) == ["check", "name", "metric", "count", "total", "population", "threshold",
                                   "result", "tasks"]  # fmt: skip
    logic = frame.set_index("check").loc[1]
    assert (logic["result"], logic["tasks"], logic["population"]) == (
        "fail",
        "X",
        "incomplete baselined tasks with a duration",
    )
    assert frame.set_index("check").loc[10, "tasks"] == "X"
    assert (frame.loc[frame["result"] == "pass", "tasks"] == "").all()
    write_validation_report(tmp_path / "report.xlsx", [result])
    sheet = openpyxl.load_workbook(tmp_path / "report.xlsx")["DCMA"]
    header = [c.value for c in sheet[4]]
    assert header[:4] == ["Project", "File", "Check", "Name"] and {"Population", "Tasks"} <= set(header)
    rows = [[c.value for c in row] for row in sheet.iter_rows(min_row=5)]
    logic_row = next(r for r in rows if r[2] == 1)
    assert logic_row[header.index("Tasks")] == "X" and logic_row[header.index("Result")] == "fail"


def test_the_end_date_as_a_deadline_gives_the_late_path_negative_float():
    plan = [t("A", 10), t("B", 10, "A"), t("C", 3)]
    workbook = ProjectWorkbook(
        project=ProjectInfo(project_id="P", name="P", project_manager="PM", start_date=MONDAY,
                            end_date=date(2026, 1, 28), status_date=date(2026, 1, 2)),
        plan=plan,
    )  # fmt: skip
    plain = validate_workbook(workbook, ValidationSettings(as_of=date(2026, 1, 2)))
    assert {c.number: c.passed for c in plain.dcma}[7] is True  # the end date is only a plan date
    strict = validate_workbook(workbook, ValidationSettings(as_of=date(2026, 1, 2), end_date_is_deadline=True))
    floats = strict.schedule.tasks.set_index("id")["total_float"].to_dict()
    assert floats == {"A": -2, "B": -2, "C": 15}
    checks = {c.number: c for c in strict.dcma}
    assert (checks[7].passed, checks[7].tasks) == (False, ["A", "B"])
    assert checks[13].metric == pytest.approx(18 / 20)  # the same float as without the setting
