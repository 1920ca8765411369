"""What pmo-xl's scheduler does not model is reported, never scheduled wrongly in silence.

An MS Project plan is built with MPXJ holding each feature (a task calendar, a manually
scheduled task, a lag in percent, an elapsed duration), scheduled by MPXJ's MicrosoftScheduler
(MS Project's rules) and saved as MSPDI with those dates. Read back by pmo-xl: the reading
reports each feature (READ032, naming the task), and the integrity check (PLAN040) names each
task whose saved dates pmo-xl's schedule does not give, with both dates. The same plan without
those features gives no PLAN040 at all (the check is not merely noisy).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from pmo_logic.schedule_files import read_schedule_workbook
from pmo_logic.validate import validate_file
from tests.conftest import started_java as _java

pytest.importorskip("mpxj")


def _add_task(project, java, name: str, amount: float, unit, after=None, kind=None, lag=None):
    """An auto-scheduled task of ``amount`` ``unit``, not started, linked to ``after`` (FS by default)."""
    from org.mpxj import Duration, Relation, RelationType, TaskMode, TimeUnit

    t = project.addTask()
    t.setName(name)
    t.setTaskMode(TaskMode.AUTO_SCHEDULED)
    duration = Duration.getInstance(amount, unit)
    t.setDuration(duration)
    t.setRemainingDuration(duration)
    t.setActualDuration(Duration.getInstance(0.0, TimeUnit.DAYS))
    t.setPercentageComplete(java.lang.Double(0.0))
    if after is not None:
        relation = Relation.Builder().predecessorTask(after).type(kind or RelationType.FINISH_START)
        t.addPredecessor(relation.lag(lag or Duration.getInstance(0.0, TimeUnit.DAYS)))
    return t


def write_plan(path: Path, *, features: bool) -> Path:
    """Five tasks from Monday 5 January 2026; ``features`` puts the ones pmo-xl does not model in."""
    java = _java()
    from org.mpxj import Duration, ProjectFile, TaskMode, TimeUnit
    from org.mpxj.cpm import MicrosoftScheduler
    from org.mpxj.writer import FileFormat, UniversalProjectWriter

    project = ProjectFile()
    calendar = project.addDefaultBaseCalendar()
    project.setDefaultCalendar(calendar)
    four_days = project.addDefaultBaseCalendar()
    four_days.setName("Four-day week")
    four_days.setWorkingDay(java.time.DayOfWeek.FRIDAY, False)
    start = java.time.LocalDateTime.of(2026, 1, 5, 8, 0)
    project.getProjectProperties().setStartDate(start)

    def task(name: str, amount: float, unit=TimeUnit.DAYS, after=None, lag=None):
        return _add_task(project, java, name, amount, unit, after, lag=lag)

    design = task("Design", 3)
    build = task("Build", 6, after=design)
    task("Test", 2, after=build, lag=Duration.getInstance(50.0, TimeUnit.PERCENT) if features else None)
    cure = task("Concrete curing", 4, TimeUnit.ELAPSED_DAYS if features else TimeUnit.DAYS, after=design)
    task("Hand over", 1, after=cure)
    review = task("Review", 1, after=design)
    if features:
        build.setCalendar(four_days)
        review.setTaskMode(TaskMode.MANUALLY_SCHEDULED)
    MicrosoftScheduler().schedule(project, start)
    if features:  # the PM typed the review's dates, a week later than its link allows
        review.setStart(java.time.LocalDateTime.of(2026, 1, 15, 8, 0))
        review.setFinish(java.time.LocalDateTime.of(2026, 1, 15, 17, 0))
        review.setEarlyStart(review.getStart())
        review.setEarlyFinish(review.getFinish())
    for t in project.getTasks():
        t.setStart(t.getEarlyStart())
        t.setFinish(t.getEarlyFinish())
    UniversalProjectWriter(FileFormat.MSPDI).write(project, str(path))
    return path


def test_each_feature_pmo_xl_does_not_model_is_reported_and_its_dates_questioned(tmp_path):
    result = validate_file(write_plan(tmp_path / "plan.xml", features=True))
    read = " | ".join(f.message for f in result.findings if f.code == "READ032")
    assert "own calendar" in read and "Build" in read and "Four-day week" in read
    assert "manually scheduled" in read and "Review" in read
    assert "percent" in read and "Test" in read
    assert "elapsed duration" in read and "Concrete curing" in read
    differs = {f.item: f.message for f in result.findings if f.code == "PLAN040"}
    ids = {t.name: t.id for t in read_schedule_workbook(tmp_path / "plan.xml").plan}
    # Build over a four-day week ends later than on the project's five days, and Test follows it;
    # the review's typed dates are not where its link puts it; 4 elapsed days are not 4 working
    # days, and Hand over follows them. Design has none of these and is not questioned.
    questioned = {ids[name] for name in ("Build", "Test", "Review", "Concrete curing", "Hand over")}
    assert set(differs) == questioned
    review = differs[ids["Review"]]
    assert "2026-01-15" in review and "2026-01-08" in review  # both dates, saved and pmo-xl's


def test_the_same_plan_without_those_features_is_not_questioned(tmp_path):
    result = validate_file(write_plan(tmp_path / "plan.xml", features=False))
    assert [f.message for f in result.findings if f.code == "PLAN040"] == []
    read = " | ".join(f.message for f in result.findings if f.code == "READ032")
    for words in ("own calendar", "manually scheduled", "percent", "elapsed duration"):
        assert words not in read


def write_working_time_plan(path: Path) -> Path:
    """Durations and lags in hours, fractions of a day and elapsed days, scheduled by MPXJ."""
    java = _java()
    from org.mpxj import Duration, ProjectFile, RelationType, TimeUnit
    from org.mpxj.cpm import MicrosoftScheduler
    from org.mpxj.writer import FileFormat, UniversalProjectWriter

    project = ProjectFile()
    project.setDefaultCalendar(project.addDefaultBaseCalendar())
    start = java.time.LocalDateTime.of(2026, 1, 5, 8, 0)
    project.getProjectProperties().setStartDate(start)

    def task(name: str, amount: float, unit=TimeUnit.DAYS, after=None, kind=RelationType.FINISH_START, lag=None):
        return _add_task(project, java, name, amount, unit, after, kind, lag)

    design = task("Design", 2.5)
    pour = task("Pour", 12, TimeUnit.HOURS, after=design, lag=Duration.getInstance(4.0, TimeUnit.HOURS))
    cure = task("Cure", 1, after=pour, lag=Duration.getInstance(3.0, TimeUnit.ELAPSED_DAYS))
    task("Inspect", 0.5, after=cure, kind=RelationType.START_START, lag=Duration.getInstance(1.5, TimeUnit.DAYS))
    MicrosoftScheduler().schedule(project, start)
    for t in project.getTasks():
        t.setStart(t.getEarlyStart())
        t.setFinish(t.getEarlyFinish())
    UniversalProjectWriter(FileFormat.MSPDI).write(project, str(path))
    return path


def test_hours_fractions_and_elapsed_lags_are_scheduled_not_reported(tmp_path):
    # The oracle is MPXJ's MicrosoftScheduler (MS Project's rules), whose dates the file saves.
    path = write_working_time_plan(tmp_path / "plan.xml")
    workbook = read_schedule_workbook(path)
    links = {t.name: t.predecessors for t in workbook.plan}
    assert links["Pour"].endswith("FS+0.5d")  # 4 hours of an 8-hour day
    assert links["Cure"].endswith("FS+3ed")  # elapsed: through the weekend
    assert links["Inspect"].endswith("SS+1.5d")
    durations = {t.name: t.duration for t in workbook.plan}
    assert durations["Design"] == 2.5 and durations["Pour"] == 1.5 and durations["Inspect"] == 0.5
    result = validate_file(path)
    assert [f.message for f in result.findings if f.code == "PLAN040"] == []
    read = " | ".join(f.message for f in result.findings if f.code == "READ032")
    assert "rounds" not in read and "5 for 7" not in read and "elapsed lag" not in read


def test_export_keeps_the_lags_units(tmp_path):
    from pmo_logic.schedule_files import write_schedule_file

    workbook = read_schedule_workbook(write_working_time_plan(tmp_path / "plan.xml"))
    out = write_schedule_file(workbook, tmp_path / "out.xml")
    again = {t.name: t.predecessors for t in read_schedule_workbook(out).plan}
    assert again["Cure"].endswith("FS+3ed") and again["Pour"].endswith("FS+0.5d")
