"""pmo-xl's scheduler against the schedules MS Project saved in its own files (MSPDI XML).

The oracle is MS Project: its saved early/late dates, total and free slack and critical flags,
read with the standard library (tests/mspdi.py), compared by day where the stored schedule is
consistent with itself. `benchmarks/bench_msproject_agreement.py` prints the same comparison.
"""

from __future__ import annotations

from datetime import datetime

import pytest

from tests.mspdi import FIELDS, compare, inconsistent_fields, mspdi_files, plan_of, read_mspdi

FILES = mspdi_files()


def test_the_six_mspdi_files_are_there():
    assert len(FILES) == 6, FILES


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_every_consistent_value_agrees_with_ms_project(path):
    comparison = compare(read_mspdi(path))
    assert sum(comparison.compared.values()) > 0
    assert comparison.differences == []
    # Every field of every task is either compared or skipped with a reason.
    for name in FIELDS:
        assert comparison.compared[name] + comparison.skipped_fields[name] <= comparison.tasks
    assert comparison.compared["early_start"] == comparison.tasks  # no early date was skipped


def test_summary_tasks_carry_slack_and_the_critical_flag():
    # The project summary task (UID 0) of each file: MS Project says critical, slack 0.
    checked = 0
    for path in FILES:
        project = read_mspdi(path)
        comparison = compare(project)
        summary = next(t for t in project.tasks if t.uid == "0")
        assert summary.summary and summary.total_slack_days == 0
        if ("0", "critical") in comparison.checked and ("0", "total_float") in comparison.checked:
            checked += 1
        assert not [d for d in comparison.differences if d[0] == "0"]
    assert checked == 3  # the other three files: skipped, as their children are inconsistent


def test_links_of_every_type_and_lags_in_weeks_are_read_as_ms_project_means_them():
    project = read_mspdi(next(p for p in FILES if p.name.startswith("task-links-project2013")))
    plan = {row.id: row for row in plan_of(project)}
    assert plan["8"].predecessors == "7FS+5d"  # 24000 tenths of minutes, shown in weeks: one week
    assert plan["10"].predecessors == "9FS+10d"
    assert plan["12"].predecessors == "11SF+2d"
    assert plan["14"].predecessors == "13SS+2d"
    assert plan["16"].predecessors == "15FF+2d"
    assert plan["2"].constraint_type == "snet"


def test_a_file_saved_without_recalculation_is_detected_not_compared():
    # Project 2019, manually scheduled tasks: the late dates of the SS and SF predecessors
    # ignore those links (LS of task 13 is 2 November, its SS+2d successor's LS also 2 November).
    project = read_mspdi(next(p for p in FILES if p.name.startswith("task-links-project2019")))
    bad = inconsistent_fields(project)
    assert set(bad) == {"11", "13"}
    assert "late_start" in bad["13"] and "early_start" not in bad["13"]
    comparison = compare(project)
    assert comparison.skipped["late dates break the SS link to 14"] == 1
    assert comparison.compared["late_start"] == comparison.tasks - 3  # 11, 13 and the summary


def test_the_consistency_check_catches_a_broken_link():
    project = read_mspdi(next(p for p in FILES if p.name.startswith("mspdirelations")))
    task3 = next(t for t in project.tasks if t.uid == "3")
    task3.saved["early_start"] = datetime(2006, 9, 22, 8)  # before its SS+1d predecessor allows
    task3.saved["early_finish"] = datetime(2006, 9, 22, 17)
    assert "early_start" in inconsistent_fields(project)["3"]
