"""MS Project's saved schedules (MSPDI XML) against pmo-xl's scheduler: an independent oracle.

The files are read here with the standard library only (``xml.etree``), not with pmo-xl's
readers or MPXJ: what MS Project stored is taken as it is. Each file's tasks become a pmo-xl
Plan (links with their type and lag, durations in working days, constraints, deadlines, the
outline as WBS, the project summary task as summary "0"), which `pmo_logic.schedule` schedules
on the file's calendar (its working week, hours per day and days off; parts of a day as they
are); the dates, slack and critical flags MS Project saved are compared with the result, by day.

Only what the stored schedule says consistently is compared. Some files were saved without a
recalculation (or with manually scheduled tasks MS Project does not reschedule), so their
dates contradict their own links; those fields are detected here from the file alone (a link
the stored dates break, a duration the dates do not span, a slack that is not late minus
early, a critical flag that is not "slack <= the critical slack limit"), skipped and counted.
"""

from __future__ import annotations

import gzip
import os
import xml.etree.ElementTree as ET
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from pathlib import Path

import numpy as np

from pmo_logic.models import TaskRow
from pmo_logic.schedule import Schedule, schedule
from pmo_logic.workdays import WorkCalendar

NS = {"p": "http://schemas.microsoft.com/project"}
# MSPDI codes (Microsoft's Project XML schema).
LINK_TYPES = {"0": "FF", "1": "FS", "2": "SF", "3": "SS"}
CONSTRAINTS = {"0": None, "1": "alap", "2": "mso", "3": "mfo", "4": "snet", "5": "snlt", "6": "fnet", "7": "fnlt"}
START_CONSTRAINTS = ("mso", "snet", "snlt")
ELAPSED_OR_PERCENT_LAGS = {"4", "6", "8", "10", "12", "19", "20"}
"""LagFormat codes of elapsed durations (em, eh, ed, ew, emo) and of percentages: not modelled."""
FIELDS = ("early_start", "early_finish", "late_start", "late_finish", "total_float", "free_float", "critical")
LATE_FIELDS = ("late_start", "late_finish", "total_float", "free_float", "critical")

SHARED = Path(os.environ.get("PMO_MPXJ_TESTDATA", "/work/shared/testdata/mpxj"))
COPIES = Path(__file__).parent / "data" / "mspdi"


def mspdi_files() -> list[Path]:
    """The MSPDI files: the shared test data when this machine has it, else the repository's copies."""
    shared = sorted(SHARED.glob("*.xml")) if SHARED.is_dir() else []
    return shared or sorted(COPIES.glob("*.xml.gz"))


def _text(element: ET.Element, tag: str) -> str | None:
    found = element.find("p:" + tag, NS)
    return found.text if found is not None and found.text is not None else None


def _when(text: str | None) -> datetime | None:
    return datetime.fromisoformat(text) if text else None


def _hours(text: str | None) -> float:
    """An ISO 8601 duration as MS Project writes it (PT8H0M0S) in hours."""
    if not text:
        return 0.0
    body = text.split("T", 1)[1] if "T" in text else "0H"
    hours = minutes = seconds = 0.0
    number = ""
    for char in body:
        if char.isdigit() or char == ".":
            number += char
            continue
        value = float(number or 0)
        number = ""
        if char == "H":
            hours = value
        elif char == "M":
            minutes = value
        elif char == "S":
            seconds = value
    return hours + minutes / 60 + seconds / 3600


@dataclass
class MsLink:
    predecessor: str
    type: str
    lag_days: float
    lag_format: str


@dataclass
class MsTask:
    uid: str
    name: str
    outline: str
    summary: bool
    milestone: bool
    manual: bool
    active: bool
    duration_days: float
    links: list[MsLink]
    constraint: str | None
    constraint_date: datetime | None
    deadline: datetime | None
    saved: dict[str, datetime | None]
    total_slack_days: float | None
    free_slack_days: float | None
    critical: bool


@dataclass
class MsProject:
    name: str
    start: datetime
    finish: datetime
    minutes_per_day: int
    day_start: time
    day_end: time
    weekmask: str
    exceptions: list[date]
    critical_slack_limit: float
    tasks: list[MsTask]

    def busdaycal(self) -> np.busdaycalendar:
        return np.busdaycalendar(weekmask=self.weekmask, holidays=np.array(self.exceptions, dtype="datetime64[D]"))


def read_mspdi(path: Path) -> MsProject:
    """What an MSPDI file holds for scheduling, as MS Project saved it."""
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rb") as handle:
        root = ET.parse(handle).getroot()
    minutes_per_day = int(_text(root, "MinutesPerDay") or 480)
    tenths_per_day = 10 * minutes_per_day
    calendar_uid = _text(root, "CalendarUID")
    weekmask, exceptions = "1111100", []
    for calendar in root.findall("p:Calendars/p:Calendar", NS):
        if _text(calendar, "UID") != calendar_uid:
            continue
        days = {}
        for weekday in calendar.findall("p:WeekDays/p:WeekDay", NS):
            kind = int(_text(weekday, "DayType") or 0)
            if 1 <= kind <= 7:  # 1 = Sunday ... 7 = Saturday
                days[kind] = _text(weekday, "DayWorking") == "1"
            elif kind == 0 and _text(weekday, "DayWorking") == "0":  # an exception period
                period = weekday.find("p:TimePeriod", NS)
                if period is not None:
                    first = _when(_text(period, "FromDate")).date()
                    last = _when(_text(period, "ToDate")).date()
                    exceptions += [first + timedelta(n) for n in range((last - first).days + 1)]
        for exception in calendar.findall("p:Exceptions/p:Exception", NS):
            if _text(exception, "DayWorking") == "0":
                period = exception.find("p:TimePeriod", NS)
                first = _when(_text(period, "FromDate")).date()
                last = _when(_text(period, "ToDate")).date()
                exceptions += [first + timedelta(n) for n in range((last - first).days + 1)]
        if days:
            weekmask = "".join("1" if days.get(k, False) else "0" for k in (2, 3, 4, 5, 6, 7, 1))
    tasks = []
    for element in root.findall("p:Tasks/p:Task", NS):
        if _text(element, "IsNull") == "1":
            continue

        def slack(tag: str) -> float | None:
            value = _text(element, tag)  # noqa: B023 - used at once
            return None if value is None else float(value) / tenths_per_day

        links = [
            MsLink(
                predecessor=_text(link, "PredecessorUID") or "",
                type=LINK_TYPES.get(_text(link, "Type") or "1", "FS"),
                lag_days=float(_text(link, "LinkLag") or 0) / tenths_per_day,
                lag_format=_text(link, "LagFormat") or "7",
            )
            for link in element.findall("p:PredecessorLink", NS)
        ]
        tasks.append(
            MsTask(
                uid=_text(element, "UID") or "",
                name=_text(element, "Name") or "",
                outline=_text(element, "OutlineNumber") or "0",
                summary=_text(element, "Summary") == "1",
                milestone=_text(element, "Milestone") == "1",
                manual=_text(element, "Manual") == "1",
                active=_text(element, "Active") != "0",
                duration_days=_hours(_text(element, "Duration")) * 60 / minutes_per_day,
                links=links,
                constraint=CONSTRAINTS.get(_text(element, "ConstraintType") or "0"),
                constraint_date=_when(_text(element, "ConstraintDate")),
                deadline=_when(_text(element, "Deadline")),
                saved={
                    "early_start": _when(_text(element, "EarlyStart")),
                    "early_finish": _when(_text(element, "EarlyFinish")),
                    "late_start": _when(_text(element, "LateStart")),
                    "late_finish": _when(_text(element, "LateFinish")),
                },
                total_slack_days=slack("TotalSlack"),
                free_slack_days=slack("FreeSlack"),
                critical=_text(element, "Critical") == "1",
            )
        )
    return MsProject(
        name=path.name.removesuffix(".gz"),
        start=_when(_text(root, "StartDate")),
        finish=_when(_text(root, "FinishDate")),
        minutes_per_day=minutes_per_day,
        day_start=time.fromisoformat(_text(root, "DefaultStartTime") or "08:00:00"),
        day_end=time.fromisoformat(_text(root, "DefaultFinishTime") or "17:00:00"),
        weekmask=weekmask,
        exceptions=sorted(set(exceptions)),
        critical_slack_limit=float(_text(root, "CriticalSlackLimit") or 0) / (10 * minutes_per_day),
        tasks=tasks,
    )


# --- MS Project's dates as working-day positions (this file's own arithmetic) ----------------


class _Days:
    """Positions on the file's calendar: p is the start of the p-th working day from the project start."""

    def __init__(self, project: MsProject) -> None:
        self.project = project
        self.cal = project.busdaycal()
        self.origin = np.datetime64(project.start.date(), "D")

    def position(self, when: datetime) -> float | None:
        """Exact position of a date and time; None when it is inside a working day (partial days are not modelled)."""
        days = int(np.busday_count(self.origin, np.datetime64(when.date(), "D"), busdaycal=self.cal))
        working = bool(np.is_busday(np.datetime64(when.date(), "D"), busdaycal=self.cal))
        if not working or when.time() <= self.project.day_start:
            return days
        if when.time() >= self.project.day_end:
            return days + 1
        return None

    def day(self, position: float, *, finish: bool) -> date:
        """The working day a start (or a finish) at ``position`` shows as.

        A finish at the start of a day ends the previous working day."""
        index = int(position) - 1 if finish else int(position)
        return np.busday_offset(self.origin, index, roll="forward", busdaycal=self.cal).astype(date)


# --- the stored schedule's own consistency -----------------------------------------------------


@dataclass
class Comparison:
    """One file: how many values were compared per field, how many agree, and what was skipped."""

    file: str
    compared: Counter = field(default_factory=Counter)
    agreed: Counter = field(default_factory=Counter)
    differences: list[tuple[str, str, str, object, object]] = field(default_factory=list)
    """(task UID, name, field, MS Project's value, pmo-xl's value)."""
    skipped: Counter = field(default_factory=Counter)
    """Reason -> number of tasks whose fields were left out."""
    skipped_fields: Counter = field(default_factory=Counter)
    not_modelled: Counter = field(default_factory=Counter)
    tasks: int = 0
    checked: set[tuple[str, str]] = field(default_factory=set)
    """(task UID, field) of every value compared."""

    def agreement(self, name: str | None = None) -> float | None:
        names = [name] if name else list(FIELDS)
        total = sum(self.compared[n] for n in names)
        return sum(self.agreed[n] for n in names) / total if total else None


def _saved_positions(project: MsProject, days: _Days) -> dict[str, dict[str, float | None]]:
    positions = {}
    for task in project.tasks:
        positions[task.uid] = {
            name: (None if when is None else days.position(when)) for name, when in task.saved.items()
        }
    return positions


def inconsistent_fields(project: MsProject) -> dict[str, dict[str, str]]:
    """Task UID -> {field: why it cannot be trusted}, from the file alone (no pmo-xl code involved)."""
    days = _Days(project)
    saved = _saved_positions(project, days)
    by_uid = {t.uid: t for t in project.tasks}
    bad: dict[str, dict[str, str]] = {}

    def mark(uid: str, names: tuple[str, ...], why: str) -> None:
        for name in names:
            bad.setdefault(uid, {}).setdefault(name, why)

    finish = days.position(project.finish)
    for task in project.tasks:
        if task.summary:
            continue
        p = saved[task.uid]
        if any(p[name] is None for name in p):
            mark(task.uid, FIELDS, "a date inside a working day")
            continue
        d = 0 if task.milestone else task.duration_days
        if p["early_finish"] - p["early_start"] != d:
            mark(task.uid, ("early_start", "early_finish"), "early dates do not span the duration")
        if p["late_finish"] - p["late_start"] != d:
            mark(task.uid, LATE_FIELDS, "late dates do not span the duration")
        if task.total_slack_days is None or task.total_slack_days != p["late_start"] - p["early_start"]:
            mark(task.uid, ("total_float", "critical"), "total slack is not late minus early start")
        if task.critical != (
            task.total_slack_days is not None and task.total_slack_days <= project.critical_slack_limit
        ):
            mark(task.uid, ("critical",), "critical flag contradicts the saved slack")
        if finish is not None and p["late_finish"] > finish:
            mark(task.uid, LATE_FIELDS, "late finish after the project finish")
        for link in task.links:
            pred = by_uid.get(link.predecessor)
            if pred is None or pred.summary:
                continue
            q = saved[pred.uid]
            if any(q[name] is None for name in q):
                continue
            lag = link.lag_days
            early_from = {"FS": q["early_finish"], "SS": q["early_start"], "FF": q["early_finish"],
                          "SF": q["early_start"]}[link.type]  # fmt: skip
            early_to = p["early_start"] if link.type in ("FS", "SS") else p["early_finish"]
            if early_to < early_from + lag and task.constraint not in ("mso", "mfo"):
                mark(
                    task.uid, ("early_start", "early_finish"), f"early dates break the {link.type} link from {pred.uid}"
                )
            late_from = {"FS": q["late_finish"], "SS": q["late_start"], "FF": q["late_finish"],
                         "SF": q["late_start"]}[link.type]  # fmt: skip
            late_to = p["late_start"] if link.type in ("FS", "SS") else p["late_finish"]
            if late_to < late_from + lag:
                mark(pred.uid, LATE_FIELDS, f"late dates break the {link.type} link to {task.uid}")
    return bad


# --- pmo-xl's plan from the file, and the comparison ------------------------------------------


def _start_day(when: datetime, project: MsProject, days: _Days) -> date:
    position = days.position(when)
    return days.day(
        position if position is not None else days.position(datetime.combine(when.date(), time())), finish=False
    )


def _finish_day(when: datetime, project: MsProject, days: _Days) -> date:
    position = days.position(when)
    if position is None:
        position = days.position(datetime.combine(when.date(), time())) + 1
    return days.day(position, finish=True)


def plan_of(project: MsProject, comparison: Comparison | None = None) -> list[TaskRow]:
    """pmo-xl's Plan from the file's tasks."""
    days = _Days(project)
    note = comparison.not_modelled if comparison is not None else Counter()
    rows = []
    for task in project.tasks:
        if not task.active:
            note["inactive task"] += 1
            continue
        links = []
        for link in task.links:
            if link.lag_format in ELAPSED_OR_PERCENT_LAGS:
                note["elapsed or percentage lag"] += 1
            lag = round(link.lag_days, 6)  # a part of a day as it is: pmo-xl schedules working minutes
            links.append(f"{link.predecessor}{link.type}{lag:+g}d" if lag else f"{link.predecessor}{link.type}")
        if task.manual:
            note["manually scheduled task (scheduled as automatic)"] += 1
        constraint_day = None
        if task.constraint and task.constraint_date is not None:
            constraint_day = (
                _start_day(task.constraint_date, project, days)
                if task.constraint in START_CONSTRAINTS
                else _finish_day(task.constraint_date, project, days)
            )
        kind = "summary" if task.summary else "milestone" if task.milestone else "task"
        outline = "0" if task.outline in ("0", "") else "0." + task.outline
        rows.append(
            TaskRow(
                id=task.uid,
                wbs=outline,
                name=task.name or task.uid,
                type=kind,
                duration=None if task.summary else (0.0 if task.milestone else round(task.duration_days, 6)),
                predecessors=", ".join(links) or None,
                constraint_type=task.constraint,
                constraint_date=constraint_day,
                deadline=None if task.deadline is None else _finish_day(task.deadline, project, days),
                status="not_started",
                percent_complete=0.0,
                source_row=len(rows) + 2,
            )
        )
    return rows


def schedule_of(project: MsProject, plan: list[TaskRow]) -> Schedule:
    calendar = WorkCalendar(
        project.start.date(),
        non_working_days=project.exceptions,
        weekmask=project.weekmask,
        hours_per_day=project.minutes_per_day / 60,
    )
    return schedule(plan, calendar, project_start=project.start.date())


def compare(project: MsProject) -> Comparison:
    """pmo-xl's schedule of the file against what MS Project saved, field by field."""
    comparison = Comparison(project.name)
    days = _Days(project)
    plan = plan_of(project, comparison)
    result = schedule_of(project, plan).tasks.set_index("id")
    bad = inconsistent_fields(project)
    by_uid = {t.uid: t for t in project.tasks}
    children: dict[str, list[str]] = {}
    for task in project.tasks:
        if task.summary:
            prefix = "" if task.outline in ("0", "") else task.outline + "."
            children[task.uid] = [
                t.uid for t in project.tasks if not t.summary and (prefix == "" or t.outline.startswith(prefix))
            ]
    for names in bad.values():
        for reason in set(names.values()):
            comparison.skipped[reason] += 1
    for task in project.tasks:
        if not task.active:
            continue
        comparison.tasks += 1
        skip = dict(bad.get(task.uid, {}))
        if task.summary:  # a summary is only as trustworthy as the children it rolls up
            for child in children.get(task.uid, []):
                for name in bad.get(child, {}):
                    skip.setdefault(name, "a child's saved " + name.replace("_", " ") + " is inconsistent")
            if any(n not in bad.get(task.uid, {}) for n in skip):
                comparison.skipped["summary of inconsistent children"] += 1
        ours = result.loc[task.uid]
        saved = task.saved
        theirs: dict[str, object] = {}
        for name in ("early_start", "early_finish", "late_start", "late_finish"):
            position = None if saved[name] is None else days.position(saved[name])
            if position is None:
                continue
            # By day: a finish at the start of a day (08:00) ends the previous working day; a
            # milestone is a finish too, except at the very start of the project.
            is_finish = name.endswith("finish") or (task.milestone and position > 0)
            theirs[name] = days.day(position, finish=is_finish)
        theirs["total_float"] = task.total_slack_days
        theirs["free_float"] = task.free_slack_days
        theirs["critical"] = task.critical
        mine = {
            "early_start": ours["early_start"],
            "early_finish": ours["early_finish"],
            "late_start": ours["late_start"],
            "late_finish": ours["late_finish"],
            "total_float": None if ours["total_float"] != ours["total_float"] else float(ours["total_float"]),
            "free_float": None if ours["free_float"] != ours["free_float"] else float(ours["free_float"]),
            "critical": bool(ours["critical"]),
        }
        for name in FIELDS:
            if name in skip or theirs.get(name) is None:
                if name in skip:
                    comparison.skipped_fields[name] += 1
                continue
            comparison.compared[name] += 1
            comparison.checked.add((task.uid, name))
            if theirs[name] == mine[name]:
                comparison.agreed[name] += 1
            else:
                comparison.differences.append((task.uid, by_uid[task.uid].name, name, theirs[name], mine[name]))
    return comparison


def compare_all() -> list[Comparison]:
    return [compare(read_mspdi(path)) for path in mspdi_files()]
