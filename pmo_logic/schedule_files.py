"""MS Project, Primavera and other planning tools' files, read with MPXJ into the workbook contract.

`read_schedule_workbook` reads a ``.mpp``, ``.mpt``, ``.mpx``, MSPDI ``.xml``, Primavera
``.xer`` or P6 XML file (and the other formats MPXJ's UniversalProjectReader reads: Asta
``.pp``, GanttProject ``.gan``, ProjectLibre ``.pod``, Planner...) and gives a
`ProjectWorkbook` whose Plan holds its tasks, milestones and summaries (outline → WBS),
links with their types and lags (working days, hours, elapsed days), constraints, the chosen baseline, progress,
actual dates, costs and resources, and whose Lists hold the project calendar's non-working
days. Whatever the contract cannot hold, or pmo-xl's scheduler does not model (elapsed
durations, lags in percent, task calendars, manually scheduled tasks, another working
week...), is a problem of the workbook, one per kind, naming the tasks: never dropped silently.

A project workbook whose Project sheet names a *Plan file* gets its Plan from that file
(`with_plan_file`). `write_schedule_file` writes a project workbook's Plan as MSPDI (MS Project),
XER or P6 XML. MPXJ needs Java: without it a schedule file is a problem naming what to install.

>>> workbook = read_schedule_workbook("plan.mpp")  # doctest: +SKIP
>>> len(workbook.plan), [p.message for p in workbook.problems]  # doctest: +SKIP
"""

from __future__ import annotations

import math
import os
from collections.abc import Iterable, Iterator
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any, ClassVar

from pmo_logic.i18n import say
from pmo_logic.java import INSTALL_HINT_EN, INSTALL_HINT_FR, JavaUnavailable, archive_classes, start_java
from pmo_logic.models import (
    TEMPLATE_VERSION,
    NonWorkingDayRow,
    ProjectInfo,
    ProjectWorkbook,
    SheetLayout,
    TaskRow,
    WorkbookMeta,
)
from pmo_logic.problems import Problem
from pmo_logic.text import normalize_label

# The formats a PMO meets, by suffix, with the tool that writes them (for messages).
SCHEDULE_FORMATS = {
    ".mpp": "MS Project",
    ".mpt": "MS Project",
    ".mpx": "MS Project",
    ".xer": "Primavera P6",
    ".pmxml": "Primavera P6",
    ".pp": "Asta Powerproject",
    ".gan": "GanttProject",
    ".pod": "ProjectLibre",
    ".planner": "Planner",
    ".fts": "FastTrack",
    ".ppx": "Phoenix Project Manager",
    ".cdpx": "ConceptDraw PROJECT",
}
SCHEDULE_SUFFIXES = (*SCHEDULE_FORMATS, ".xml")
"""Suffixes of schedule files; an ``.xml`` file is one when it is MSPDI or P6 XML (`is_schedule_file`)."""

# Problem codes (in the catalogue with the reader's, `pmo_logic.rules.reading`).
JAVA_MISSING = "READ030"
NOT_A_SCHEDULE = "READ031"
NOT_HELD = "READ032"
CHOSEN = "READ033"
PLAN_FILE_PROBLEM = "READ034"
NO_STATUS_DATE = "READ035"

TASKS_SHEET = {"en": "Tasks", "fr": "Tâches"}
"""Where findings on a schedule file's tasks say they are: the task by its ID and name stands for the cell."""
PROJECT_SHEET = {"en": "Project", "fr": "Projet"}

_XML_MARKERS = (b"schemas.microsoft.com/project", b"APIBusinessObjects")
_PROJECT_ID_NAMES = {normalize_label(n) for n in ("Project ID", "ID projet", "Project code", "Code projet", "ID")}
_P6_TYPES = {"XER", "PMXML", "P3", "SURETRAK"}
_NAMED = 10
"""How many tasks a problem names before it says how many more there are."""


def is_schedule_file(path: str | os.PathLike[str]) -> bool:
    """A file pmo-xl reads with MPXJ: by suffix, and for ``.xml`` by its content (MSPDI or P6 XML)."""
    suffix = Path(path).suffix.lower()
    if suffix in SCHEDULE_FORMATS:
        return True
    if suffix != ".xml":
        return False
    try:
        with open(path, "rb") as handle:
            head = handle.read(4096)
    except OSError:
        return False
    return any(marker in head for marker in _XML_MARKERS)


def tool_of(path: str | os.PathLike[str]) -> str:
    """ "MS Project", "Primavera P6"...: who writes such a file, for messages."""
    suffix = Path(path).suffix.lower()
    if suffix == ".xml":
        try:
            with open(path, "rb") as handle:
                return "Primavera P6" if b"APIBusinessObjects" in handle.read(4096) else "MS Project"
        except OSError:
            return "MS Project"
    return SCHEDULE_FORMATS.get(suffix, "MS Project")


def read_schedule_workbook(path: str | os.PathLike[str], *, baseline: int = 0, lang: str = "en") -> ProjectWorkbook:
    """Read a schedule file as a project workbook; what it cannot read or hold is in ``problems``.

    ``baseline`` is MS Project's baseline number (0 to 10) taken as the Plan's baseline. Never raises
    for a bad file or a missing Java runtime.
    """
    path = Path(path)
    meta = WorkbookMeta(kind="project", template_version=TEMPLATE_VERSION, language=lang)
    report = _Report(path.name, lang)
    if not 0 <= baseline <= 10:
        report.add(NOT_HELD, "warning", f"baseline {baseline} asked for, but MS Project's are 0 to 10: baseline 0 is "
                   "used (Settings: Baseline of MS Project plans)", f"référence {baseline} demandée, mais celles de MS "
                   "Project vont de 0 à 10 : la référence 0 est utilisée (Paramètres : Référence des plannings MS "
                   "Project)")  # fmt: skip
        baseline = 0
    try:
        project = _read_project(path, report)
    except _Unreadable:
        return ProjectWorkbook(meta=meta, missing_sheets=["plan"], problems=report.problems, source=str(path))
    try:
        data = _Mapper(project, path, baseline, report).workbook()
    except Exception as exc:  # a file MPXJ read but this mapping did not expect: say so, never crash
        report.add(NOT_A_SCHEDULE, "error", f"could not be mapped to a Plan ({type(exc).__name__}: {exc}); "
                   "please report this", f"n'a pas pu être lu comme un Planning ({type(exc).__name__} : {exc}) ; "
                   "merci de le signaler")  # fmt: skip
        return ProjectWorkbook(meta=meta, missing_sheets=["plan"], problems=report.problems, source=str(path))
    archive_classes()  # MPXJ's classes are loaded now: the first read of a machine keeps them for the next
    return ProjectWorkbook(meta=meta, **data, problems=report.problems, source=str(path))


def read_schedule_tables(path: str | os.PathLike[str], *, baseline: int = 0) -> tuple[ProjectWorkbook, dict]:
    """`read_schedule_workbook` in the shape of `pmo_logic.reader.read_project_tables`: no parsed tables."""
    return read_schedule_workbook(path, baseline=baseline), {}


def with_plan_file(workbook: ProjectWorkbook, tables: dict | None = None, *, baseline: int = 0) -> ProjectWorkbook:
    """A project workbook whose Project sheet names a Plan file, with its Plan read from that file.

    The path is relative to the workbook. The RAID log, budget and the other sheets stay the
    workbook's; the Plan sheet's own rows (if any) are replaced, and a problem says so. ``tables``
    (from `read_project_tables`) loses its parsed Plan, which no longer describes the Plan.
    """
    name = (workbook.project.plan_file or "").strip() if hasattr(workbook.project, "plan_file") else ""
    if not name:
        return workbook
    lang = workbook.meta.language
    base = Path(workbook.source).parent if workbook.source else Path()
    plan_path = Path(name) if Path(name).is_absolute() else base / name
    project_layout = workbook.layout.get("project")
    sheet = project_layout.name if project_layout else PROJECT_SHEET[lang]
    cell = project_layout.cells.get("plan_file", "") if project_layout else ""
    problems = list(workbook.problems)

    def problem(en: str, fr: str) -> ProjectWorkbook:
        file = Path(workbook.source).name if workbook.source else ""
        problems.append(Problem(code=PLAN_FILE_PROBLEM, severity="error", file=file, sheet=sheet, cell=cell,
                                message=say(lang, en, fr)))  # fmt: skip
        return workbook.model_copy(update={"problems": problems})

    if not plan_path.is_file():
        return problem(f"the Plan file '{name}' was not found (looked for {plan_path})",
                       f"le fichier de planning « {name} » est introuvable (cherché : {plan_path})")  # fmt: skip
    if not is_schedule_file(plan_path):
        return problem(
            f"the Plan file '{name}' is not a schedule file pmo-xl reads (.mpp, .xml, .xer...)",
            f"le fichier de planning « {name} » n'est pas un planning lisible (.mpp, .xml, .xer...)",
        )
    schedule = read_schedule_workbook(plan_path, baseline=baseline, lang=lang)
    file = Path(workbook.source).name if workbook.source else plan_path.name
    for found in schedule.problems:
        # The plan file's problems belong to the workbook (its roll-up row), saying which file they are in.
        problems.append(found.model_copy(update={"file": file, "sheet": found.sheet or plan_path.name,
                                                  "message": f"{plan_path.name}: {found.message}"}))  # fmt: skip
    if "plan" in schedule.missing_sheets:
        return workbook.model_copy(update={"problems": problems})
    if tables is not None:
        tables.pop("plan", None)
    layout = dict(workbook.layout)
    layout["plan"] = schedule.layout["plan"].model_copy(update={"name": plan_path.name})
    lists = list(workbook.lists) + [r for r in schedule.lists if r.day not in {x.day for x in workbook.lists}]
    missing = [m for m in workbook.missing_sheets if m not in ("plan", "lists")]
    return workbook.model_copy(update={"plan": schedule.plan, "lists": lists, "layout": layout,
                                       "missing_sheets": missing, "problems": problems})  # fmt: skip


def is_schedule_plan(workbook: ProjectWorkbook) -> bool:
    """The Plan came from a schedule file (its rows are tasks, not sheet rows)."""
    layout = workbook.layout.get("plan")
    return layout is not None and layout.header_row is None and bool(layout.cells)


# --- reading ---------------------------------------------------------------------------------


class _Unreadable(Exception):
    pass


class _Report:
    """The problems of one schedule file, in its language."""

    def __init__(self, file: str, lang: str) -> None:
        self.file, self.lang = file, lang
        self.problems: list[Problem] = []

    def add(self, code: str, severity: str, en: str, fr: str, sheet: str = "", cell: str = "") -> None:
        self.problems.append(Problem(code=code, severity=severity, file=self.file, sheet=sheet, cell=cell,
                                     message=say(self.lang, en, fr)))  # fmt: skip

    def tasks(self, labels: list[str], en: str, fr: str, severity: str = "warning", code: str = NOT_HELD) -> None:
        """One problem for a kind of thing, naming its tasks: ``en``/``fr`` take {count} and {tasks}."""
        if not labels:
            return
        shown = ", ".join(labels[:_NAMED])
        more = len(labels) - _NAMED
        shown_en = shown + (f" and {more} more" if more > 0 else "")
        shown_fr = shown + (f" et {more} autres" if more > 0 else "")
        count = len(labels)
        self.add(code, severity, en.format(count=count, tasks=shown_en, s="" if count == 1 else "s"),
                 fr.format(count=count, tasks=shown_fr, s="" if count == 1 else "s"),
                 sheet=TASKS_SHEET[self.lang])  # fmt: skip


def _read_project(path: Path, report: _Report) -> Any:
    tool = tool_of(path)
    if not path.exists():
        report.add("READ001", "error", "file not found", "fichier introuvable")
        raise _Unreadable
    if path.stat().st_size == 0:
        report.add("READ002", "error", "the file is empty (0 bytes): restore it from a backup",
                   "le fichier est vide (0 octet) : restaurez-le depuis une sauvegarde")  # fmt: skip
        raise _Unreadable
    try:
        start_java()
    except JavaUnavailable as exc:
        report.add(JAVA_MISSING, "error", f"{tool} files need Java and pmo-xl[schedules]: {INSTALL_HINT_EN} ({exc})",
                   f"les fichiers {tool} demandent Java et pmo-xl[schedules] : {INSTALL_HINT_FR} ({exc})")  # fmt: skip
        raise _Unreadable from exc
    from org.mpxj.reader import UniversalProjectReader

    try:
        project = UniversalProjectReader().read(str(path))
    except Exception as exc:  # Java exceptions: password-protected, damaged, unsupported
        text = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        hint_en, hint_fr = "", ""
        if "password" in text.lower() or "encrypt" in text.lower():
            hint_en = f": the file is password-protected; save a copy without a password from {tool}"
            hint_fr = (
                f" : le fichier est protégé par mot de passe ; enregistrez-en une copie sans mot de passe depuis {tool}"
            )
        report.add(NOT_A_SCHEDULE, "error", f"{tool} file that could not be read{hint_en} ({text})",
                   f"fichier {tool} illisible{hint_fr} ({text})")  # fmt: skip
        raise _Unreadable from exc
    if project is None:
        report.add(NOT_A_SCHEDULE, "error", f"not a schedule file that MPXJ reads, or a damaged one ({tool})",
                   f"pas un fichier de planning lisible par MPXJ, ou un fichier endommagé ({tool})")  # fmt: skip
        raise _Unreadable
    return project


def _day(value: Any) -> date | None:
    """A java.time LocalDateTime (or LocalDate) as a date."""
    return None if value is None else date.fromisoformat(str(value)[:10])


def _text(value: Any) -> str | None:
    if value is None:
        return None
    text = str(value).strip()
    return text or None


def _number(value: Any) -> float | None:
    if value is None:
        return None
    number = float(value.doubleValue() if hasattr(value, "doubleValue") else value)
    return None if math.isnan(number) else number


class _Mapper:
    """One MPXJ ProjectFile mapped onto the contract; what does not fit goes to the report."""

    def __init__(self, project: Any, path: Path, baseline: int, report: _Report) -> None:
        from org.mpxj import TimeUnit

        self.project, self.path, self.baseline, self.report = project, path, baseline, report
        self.props = project.getProjectProperties()
        self.file_type = str(self.props.getFileType() or "").upper()
        self.p6 = self.file_type in _P6_TYPES
        self.days_unit = TimeUnit.DAYS
        self.calendar = project.getDefaultCalendar()
        minutes = _number(self.props.getMinutesPerDay()) or 480.0
        self.hours_per_day = minutes / 60
        self.kinds: dict[str, list[str]] = {}
        self.working: dict[date, bool] = {}
        self.start_of_day = self._start_minutes()

    # the pieces ---------------------------------------------------------------------------

    def workbook(self) -> dict[str, Any]:
        tasks = list(self._tasks())
        ids = self._ids(tasks)
        plan: list[TaskRow] = []
        labels: dict[str, str] = {}
        durations: dict[int, float] = {}
        for task, _ in tasks:
            task_id = ids[task.getUniqueID().intValue()]
            durations[task.getUniqueID().intValue()] = self._duration_days(task, task_id)[0]
        for row, (task, wbs) in enumerate(tasks, start=1):
            task_id = ids[task.getUniqueID().intValue()]
            label = f"{task_id} '{_text(task.getName()) or ''}'"
            labels[str(row)] = label
            plan.append(self._task_row(task, task_id, wbs, row, ids, durations, label))
        self._report_kinds()
        project = self._project_info(plan)
        lists = self._non_working_days(plan)
        layout = {
            "plan": SheetLayout(name=TASKS_SHEET[self.report.lang], cells=labels),
            "project": SheetLayout(
                name=PROJECT_SHEET[self.report.lang], cells=dict.fromkeys(ProjectInfo.model_fields, "")
            ),
        }
        return {"project": project, "plan": plan, "lists": lists, "layout": layout,
                "missing_sheets": ["risks", "actions", "issues", "decisions", "budget", "stakeholders", "interfaces",
                                   "sprints"]}  # fmt: skip

    def _tasks(self) -> Iterator[tuple[Any, str]]:
        """Every real task with its outline number (1, 1.1, 1.2...), in outline order.

        MS Project's task 0 is the project summary, not a task of the plan: its children are the
        top level. Blank rows ("null tasks") are skipped.
        """

        def walk(children: Iterable[Any], prefix: str) -> Iterator[tuple[Any, str]]:
            number = 0
            for task in children:
                if task.getNull():
                    continue
                if task.getID() is not None and task.getID().intValue() == 0 and not self.p6:
                    yield from walk(task.getChildTasks(), prefix)
                    continue
                number += 1
                wbs = f"{prefix}{number}"
                yield task, wbs
                yield from walk(task.getChildTasks(), wbs + ".")

        yield from walk(self.project.getChildTasks(), "")

    def _ids(self, tasks: list[tuple[Any, str]]) -> dict[int, str]:
        """Each task's ID as the tool shows it: MS Project's ID; P6's Activity ID where every activity has one."""
        by_unique = {task.getUniqueID().intValue(): task for task, _ in tasks}
        if self.p6:
            activity = {u: _text(t.getActivityID()) for u, t in by_unique.items()}
            values = [v for v in activity.values() if v]
            if len(values) == len(activity) and len(set(values)) == len(values):
                return {u: str(v) for u, v in activity.items()}
        ids = {u: str(t.getID()) for u, t in by_unique.items()}
        if len(set(ids.values())) == len(ids):
            return ids
        return {u: str(u) for u in by_unique}  # no usable IDs: the unique IDs

    def _kind(self, key: str, label: str) -> None:
        self.kinds.setdefault(key, []).append(label)

    def _duration_days(self, task: Any, task_id: str) -> tuple[float, str]:
        """The task's duration in working days, and its unit's name."""
        duration = task.getDuration()
        if duration is None:
            return 0.0, "DAYS"
        unit = str(duration.getUnits().name())
        if unit.startswith("ELAPSED"):
            start, finish = self._when(task.getStart()), self._when(task.getFinish())
            days = float(self._working_days(start, finish)) if start and finish else 0.0
            return days, unit
        if unit == "PERCENT":
            return 0.0, unit
        return float(duration.convertUnits(self.days_unit, self.props).getDuration()), unit

    def _when(self, value: Any) -> datetime | None:
        return None if value is None else datetime.fromisoformat(str(value))

    def _working_days(self, start: datetime, finish: datetime) -> int:
        day, count = start.date(), 0
        while day <= finish.date() and count < 10_000:
            count += self._is_working(day)
            day += timedelta(days=1)
        return count

    def _is_working(self, day: date) -> bool:
        import java

        if self.calendar is None:
            return day.weekday() < 5
        known = self.working.get(day)
        if known is None:  # each day asked of Java once: a call costs more than the rest of the mapping of a task
            known = self.working[day] = bool(
                self.calendar.isWorkingDate(java.time.LocalDate.of(day.year, day.month, day.day))
            )
        return known

    def _finish_day(self, value: Any) -> date | None:
        """A finish date as the working day it ends: 08:00 (the start of a day) is the end of the day before."""
        when = self._when(value)
        if when is None:
            return None
        minutes = when.hour * 60 + when.minute
        if 0 < minutes <= self.start_of_day:
            day = when.date() - timedelta(days=1)
            for _ in range(31):  # the previous working day
                if self._is_working(day):
                    return day
                day -= timedelta(days=1)
        return when.date()

    def _start_minutes(self) -> int:
        value = self.props.getDefaultStartTime()
        if value is None:
            return 8 * 60
        text = str(value)
        return int(text[:2]) * 60 + int(text[3:5])

    def _task_row(self, task: Any, task_id: str, wbs: str, row: int, ids: dict[int, str],
                  durations: dict[int, float], label: str) -> TaskRow:  # fmt: skip
        summary = bool(task.hasChildTasks() or task.getSummary())
        days, unit = self._duration_days(task, task_id)
        # A zero-length task is a milestone in MS Project; P6 files written without the activity type read so too.
        milestone = not summary and (bool(task.getMilestone()) or (task.getDuration() is not None and days == 0))
        kind = "summary" if summary else "milestone" if milestone else "task"
        if unit.startswith("ELAPSED") and not summary:
            self._kind("elapsed", label)
        start = _day(task.getStart())
        finish = self._finish_day(task.getFinish())
        if milestone:
            finish = self._finish_day(task.getFinish()) if task.getFinish() is not None else start
            if finish is not None and start is not None and finish < start:
                finish = start  # a milestone at the start of its day: the project's first day
            start = finish
        percent = _number(task.getPercentageComplete())
        fraction = None if percent is None else min(max(percent / 100, 0.0), 1.0)
        actual_start = _day(task.getActualStart())
        actual_finish = self._finish_day(task.getActualFinish())
        if milestone and actual_finish is not None:
            actual_start = actual_finish
        baseline_start, baseline_finish, baseline_cost = self._baseline(task, milestone)
        cost = _number(task.getCost())
        if self.p6:
            # P6's budget is the activity's planned (budgeted) cost: its resource assignments' and expenses'
            # (MPXJ sums them); its "cost" is the cost at completion, which moves with the forecast.
            planned = _number(task.getPlannedCost())
            budget = None if summary else (planned if planned else baseline_cost if baseline_cost else cost)
        else:
            budget = None if summary else (baseline_cost if baseline_cost else cost)
        actual_cost = None if summary else _number(task.getActualCost())
        status = None
        if not task.getActive():
            status = "cancelled"
            self._kind("inactive", label)
        elif fraction is not None:
            status = "done" if fraction >= 1 else "in_progress" if fraction > 0 or actual_start else "not_started"
        constraint_type, constraint_date = self._constraint(task, label, milestone)
        if task.getTaskMode() is not None and str(task.getTaskMode().name()) == "MANUALLY_SCHEDULED" and not summary:
            self._kind("manual", label)
        calendar = task.getCalendar()
        if calendar is not None and (self.calendar is None or calendar.getUniqueID() != self.calendar.getUniqueID()):
            self._kind("calendar", f"{label} ('{task.getCalendar().getName()}')")
        values: dict[str, Any] = {
            "id": task_id,
            "wbs": wbs,
            "name": _text(task.getName()) or task_id,
            "type": kind,
            "start": start,
            "finish": finish,
            "duration": None if summary else (0.0 if milestone else round(days, 4)),
            "predecessors": None if summary else self._predecessors(task, ids, durations, label),
            "percent_complete": fraction,
            "actual_start": actual_start,
            "actual_finish": actual_finish,
            "baseline_start": baseline_start,
            "baseline_finish": baseline_finish,
            "budget": budget if budget or not summary else None,
            "actual_cost": actual_cost,
            "owner": self._owner(task),
            "status": status,
            "constraint_type": constraint_type,
            "constraint_date": constraint_date,
            # What MS Project or P6 computed, for the integrity check (PLAN040).
            "early_start": _day(task.getEarlyStart()),
            "early_finish": self._finish_day(task.getEarlyFinish()),
            "late_start": _day(task.getLateStart()),
            "late_finish": self._finish_day(task.getLateFinish()),
            "total_float": self._float_days(task.getTotalSlack()),
            "critical": bool(task.getCritical()) if task.getCritical() is not None else None,
            "source_row": row,
        }
        if milestone:
            for key in ("early_start", "late_start"):
                end_key = key.replace("start", "finish")
                values[key] = values[end_key] if values[end_key] is not None else values[key]
        deadline = self._finish_day(task.getDeadline())
        if deadline is not None:
            if "deadline" in TaskRow.model_fields:
                values["deadline"] = deadline
            else:
                self._kind("deadline", f"{label} ({deadline.isoformat()})")
        return TaskRow.model_validate({k: v for k, v in values.items() if v is not None})

    def _baseline(self, task: Any, milestone: bool) -> tuple[date | None, date | None, float | None]:
        n = self.baseline
        if n:
            start, finish, cost = task.getBaselineStart(n), task.getBaselineFinish(n), task.getBaselineCost(n)
        else:
            start, finish, cost = task.getBaselineStart(), task.getBaselineFinish(), task.getBaselineCost()
        finish_day = self._finish_day(finish)
        start_day = _day(start)
        if milestone and finish_day is not None:
            start_day = finish_day if start_day is None or finish_day >= start_day else start_day
            finish_day = start_day
        return start_day, finish_day, _number(cost)

    def _float_days(self, value: Any) -> float | None:
        if value is None:
            return None
        unit = str(value.getUnits().name())
        if unit.startswith("ELAPSED") or unit == "PERCENT":
            return None
        return round(float(value.convertUnits(self.days_unit, self.props).getDuration()), 4)

    _CONSTRAINTS: ClassVar[dict[str, str | None]] = {
        "AS_SOON_AS_POSSIBLE": None,
        "AS_LATE_AS_POSSIBLE": "alap",
        "MUST_START_ON": "mso",
        "MUST_FINISH_ON": "mfo",
        "START_NO_EARLIER_THAN": "snet",
        "START_NO_LATER_THAN": "snlt",
        "FINISH_NO_EARLIER_THAN": "fnet",
        "FINISH_NO_LATER_THAN": "fnlt",
        # Primavera's: its Start On / Finish On hold the date both ways, as MS Project's Must ones do.
        "START_ON": "mso",
        "FINISH_ON": "mfo",
        "MANDATORY_START": "mso",
        "MANDATORY_FINISH": "mfo",
    }

    def _constraint(self, task: Any, label: str, milestone: bool) -> tuple[str | None, date | None]:
        kind = task.getConstraintType()
        name = str(kind.name()) if kind is not None else "AS_SOON_AS_POSSIBLE"
        code = self._CONSTRAINTS.get(name)
        if name not in self._CONSTRAINTS:
            self._kind("constraint", f"{label} ({name})")
        elif name in ("START_ON", "FINISH_ON", "MANDATORY_START", "MANDATORY_FINISH"):
            self._kind("p6_constraint", f"{label} ({name.replace('_', ' ').title()})")
        secondary = task.getSecondaryConstraintType() if hasattr(task, "getSecondaryConstraintType") else None
        if secondary is not None and str(secondary.name()) != "AS_SOON_AS_POSSIBLE":
            self._kind("secondary", f"{label} ({str(secondary.name()).replace('_', ' ').title()})")
        if code is None or code == "alap":
            return code, None
        value = task.getConstraintDate()
        finishing = code in ("mfo", "fnet", "fnlt") or milestone
        when = self._finish_day(value) if finishing else _day(value)
        return code, when

    def _predecessors(self, task: Any, ids: dict[int, str], durations: dict[int, float], label: str) -> str | None:
        parts = []
        for relation in task.getPredecessors():
            other = relation.getPredecessorTask()
            if other is None:
                continue
            other_id = ids.get(other.getUniqueID().intValue())
            if other_id is None:
                self._kind("external", f"{label} ← '{_text(other.getName())}'")
                continue
            link = str(relation.getType() or "FS")
            lag = relation.getLag()
            days, unit_code = 0.0, "d"
            if lag is not None and lag.getDuration() != 0:
                unit = str(lag.getUnits().name())
                amount = float(lag.getDuration())
                if unit in ("PERCENT", "ELAPSED_PERCENT"):
                    days = amount / 100 * durations.get(other.getUniqueID().intValue(), 0.0)
                    self._kind("percent_lag", f"{label} ({other_id}{link}{amount:+g}%)")
                elif unit.startswith("ELAPSED"):
                    # The scheduler counts elapsed lags through weekends and holidays, as MS Project does.
                    days, unit_code = float(lag.convertUnits(self._elapsed_days(), self.props).getDuration()), "ed"
                else:
                    # Hours and fractions of a day are working time the scheduler places within the day.
                    days = float(lag.convertUnits(self.days_unit, self.props).getDuration())
            days = round(days, 4)
            parts.append(f"{other_id}{link}{days:+g}{unit_code}" if days else f"{other_id}{link}")
        return ", ".join(parts) or None

    def _elapsed_days(self) -> Any:
        from org.mpxj import TimeUnit

        return TimeUnit.ELAPSED_DAYS

    def _owner(self, task: Any) -> str | None:
        names = []
        for assignment in task.getResourceAssignments():
            resource = assignment.getResource()
            name = _text(resource.getName()) if resource is not None else None
            if name and name not in names:
                names.append(name)
        return ", ".join(names) or None

    def _project_info(self, plan: list[TaskRow]) -> ProjectInfo:
        props = self.props
        stem = self.path.stem
        name = _text(props.getProjectTitle()) or _text(props.getName())
        if name and (name == self.path.name or name.lower().endswith(SCHEDULE_SUFFIXES)):
            name = None
        summary = self.project.getTaskByID(_java_int(0)) if not self.p6 else None
        name = name or (_text(summary.getName()) if summary is not None else None) or stem
        project_id = self._custom_project_id()
        if project_id is None and self.p6:
            project_id = _text(props.getProjectID())
        if project_id is None:
            project_id = stem
            self.report.add(CHOSEN, "info",
                            f"no Project ID in the plan: the file name '{stem}' is used (name the file in the "
                            "portfolio's Register, or add a project property 'Project ID')",
                            f"pas d'ID projet dans le planning : le nom du fichier « {stem} » est utilisé (inscrivez "
                            "le fichier au Registre du portefeuille, ou ajoutez une propriété « ID projet »)",
                            sheet=PROJECT_SHEET[self.report.lang])  # fmt: skip
        status = _day(props.getStatusDate())
        if status is None:
            # Not the file's "current date": an .mpp reads it as today, and unstarted work would move after it.
            self.report.add(NO_STATUS_DATE, "warning",
                            "no status date saved in the plan: set Project > Status Date in the tool; progress "
                            "is not measured without it",
                            "pas de date d'état enregistrée dans le planning : renseignez Projet > Date d'état ; "
                            "l'avancement n'est pas mesuré sans elle",
                            sheet=PROJECT_SHEET[self.report.lang])  # fmt: skip
        starts = [t.start for t in plan if t.start]
        finishes = [t.finish for t in plan if t.finish]
        return ProjectInfo(
            project_id=project_id,
            name=name,
            project_manager=_text(props.getManager()),
            methodology="waterfall",
            start_date=_day(props.getStartDate()) or (min(starts) if starts else None),
            end_date=_day(props.getFinishDate())
            if props.getFinishDate() is not None
            else (max(finishes) if finishes else None),
            status_date=status,
            currency=_text(props.getCurrencyCode()),
        )

    def _custom_project_id(self) -> str | None:
        custom = self.props.getCustomProperties()
        if custom is None:
            return None
        for key in custom.keySet():
            if normalize_label(str(key)) in _PROJECT_ID_NAMES:
                value = _text(custom.get(key))
                if value:
                    return value
        return None

    def _non_working_days(self, plan: list[TaskRow]) -> list[NonWorkingDayRow]:
        """The calendar's weekdays off over the plan's span (and a month either side), as the Lists sheet's days.

        pmo-xl's calendar is Monday to Friday: another working week, or a weekend day worked, is reported.
        """
        import java

        if self.calendar is None:
            return []
        days = [d for t in plan for d in (t.start, t.finish, t.baseline_start, t.baseline_finish, t.actual_finish) if d]
        status = _day(self.props.getStatusDate())
        days += [status] if status else []
        if not days:
            return []
        first, last = min(days) - timedelta(days=31), max(days) + timedelta(days=31)
        if (last - first).days > 366 * 15:
            last = first + timedelta(days=366 * 15)
        week = java.time.DayOfWeek
        names = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
        working = [bool(self.calendar.isWorkingDay(getattr(week, n.upper()))) for n in names]
        if working != [True] * 5 + [False] * 2:
            shown = ", ".join(n for n, w in zip(names, working, strict=True) if w)
            self.report.add(NOT_HELD, "warning",
                            f"the calendar '{self.calendar.getName()}' works {shown}: pmo-xl counts Monday to "
                            "Friday, so its dates may differ (PLAN040)",
                            f"le calendrier « {self.calendar.getName()} » travaille : {shown} ; pmo-xl compte du lundi "
                            "au vendredi, ses dates peuvent donc différer (PLAN040)",
                            sheet=TASKS_SHEET[self.report.lang])  # fmt: skip
        off, worked = [], []
        day = first
        while day <= last:
            is_working = self._is_working(day)
            if day.weekday() < 5 and not is_working:
                off.append(day)
            elif day.weekday() >= 5 and is_working and not working[day.weekday()]:
                worked.append(day)
            day += timedelta(days=1)
        if worked:
            shown = ", ".join(d.isoformat() for d in worked[:_NAMED]) + ("..." if len(worked) > _NAMED else "")
            self.report.add(NOT_HELD, "warning",
                            f"the calendar makes {len(worked)} weekend day(s) working ({shown}): pmo-xl does not "
                            "work weekends",
                            f"le calendrier rend ouvrés {len(worked)} jour(s) de week-end ({shown}) : pmo-xl ne "
                            "travaille pas le week-end",
                            sheet=TASKS_SHEET[self.report.lang])  # fmt: skip
        return [NonWorkingDayRow(day=d, source_row=i) for i, d in enumerate(off, start=1)]

    def _report_kinds(self) -> None:
        r = self.report
        k = self.kinds.get
        r.tasks(k("elapsed", []), "{count} task{s} have an elapsed duration (calendar time), read as the working "
                "days between their dates: {tasks}", "{count} tâche(s) ont une durée écoulée (temps calendaire), lue "
                "comme les jours ouvrés entre leurs dates : {tasks}")  # fmt: skip
        r.tasks(k("percent_lag", []), "{count} link{s} have a lag in percent of the predecessor's duration, converted "
                "to working days: {tasks}", "{count} lien(s) ont un décalage en pourcentage de la durée du "
                "prédécesseur, converti en jours ouvrés : {tasks}")  # fmt: skip
        r.tasks(k("manual", []), "{count} task{s} are manually scheduled: pmo-xl schedules them from their links "
                "(PLAN040 says where the dates differ): {tasks}", "{count} tâche(s) sont planifiées manuellement : "
                "pmo-xl les planifie d'après leurs liens (PLAN040 dit où les dates diffèrent) : {tasks}")  # fmt: skip
        r.tasks(k("calendar", []), "{count} task{s} have their own calendar, which the Plan cannot hold (the project "
                "calendar is used): {tasks}", "{count} tâche(s) ont leur propre calendrier, que le Planning ne peut "
                "pas porter (le calendrier du projet est utilisé) : {tasks}")  # fmt: skip
        r.tasks(k("deadline", []), "{count} task{s} have a deadline, which the Plan cannot hold yet: {tasks}",
                "{count} tâche(s) ont une échéance, que le Planning ne peut pas encore porter : {tasks}")  # fmt: skip
        r.tasks(k("inactive", []), "{count} task{s} are inactive, read as cancelled: {tasks}",
                "{count} tâche(s) sont inactives, lues comme annulées : {tasks}", severity="info")  # fmt: skip
        r.tasks(k("p6_constraint", []), "{count} task{s} have a Primavera constraint read as MS Project's nearest "
                "(Must start on / Must finish on): {tasks}", "{count} tâche(s) ont une contrainte Primavera lue "
                "comme la plus proche de MS Project (Doit commencer / finir le) : {tasks}",
                severity="info")  # fmt: skip
        r.tasks(k("secondary", []), "{count} task{s} have a secondary constraint, which the Plan cannot hold: "
                "{tasks}", "{count} tâche(s) ont une contrainte secondaire, que le Planning ne peut pas porter : "
                "{tasks}")  # fmt: skip
        r.tasks(k("constraint", []), "{count} task{s} have a constraint pmo-xl does not know, left out: {tasks}",
                "{count} tâche(s) ont une contrainte inconnue de pmo-xl, ignorée : {tasks}")  # fmt: skip
        r.tasks(k("external", []), "{count} link{s} come from tasks of another project (external links), left "
                "out: {tasks}", "{count} lien(s) viennent de tâches d'un autre projet (liens externes), ignorés : "
                "{tasks}")  # fmt: skip


def _java_int(value: int) -> Any:
    import java

    return java.lang.Integer(value)


def project_id_from_register(workbook: ProjectWorkbook, register: Iterable[Any]) -> str | None:
    """The Register's Project ID for a schedule file it names, when the file itself had none (its stem was used)."""
    file = Path(workbook.source).name
    if workbook.project.project_id != Path(file).stem or not any(p.code == CHOSEN for p in workbook.problems):
        return None
    for entry in register:
        if entry.workbook and entry.project_id and Path(entry.workbook).name.lower() == file.lower():
            return entry.project_id
    return None


def schedule_loads(loads: Iterable[Any], register: Iterable[Any]) -> list[Any]:
    """The loads of a consolidation, schedule files made ready to be matched with the Register.

    A schedule file that a workbook of the run names as its Plan file is that project's plan, not a
    project of its own: left out. A schedule file without a Project ID gets the one of the Register
    entry naming it (in place): read in a worker, it did not know the Register.
    """
    loads = list(loads)
    linked = {str(p.resolve()) for p in (plan_file_of(load.workbook) for load in loads) if p is not None}
    if linked:
        loads = [load for load in loads if str(Path(load.path).resolve()) not in linked]
    register = list(register)
    if not register:
        return loads
    for load in loads:
        project_id = project_id_from_register(load.workbook, register)
        if project_id is None:
            continue
        load.workbook = load.workbook.model_copy(update={
            "project": load.workbook.project.model_copy(update={"project_id": project_id}),
            "problems": [p for p in load.workbook.problems if p.code != CHOSEN],
        })  # fmt: skip
        load.findings = [f.model_copy(update={"project": project_id}) for f in load.findings if f.code != CHOSEN]
    return loads


def plan_file_of(workbook: ProjectWorkbook) -> Path | None:
    """The schedule file a workbook takes its Plan from (for the cache: a change to it is a change to the project)."""
    name = (getattr(workbook.project, "plan_file", None) or "").strip()
    if not name or not workbook.source:
        return None
    return Path(name) if Path(name).is_absolute() else Path(workbook.source).parent / name


# --- writing ---------------------------------------------------------------------------------

WRITE_FORMATS = {".xml": "MSPDI", ".mspdi": "MSPDI", ".xer": "XER", ".pmxml": "PMXML", ".mpx": "MPX"}
"""Output suffix -> MPXJ's writer format; ``--format p6xml`` picks P6 XML for an ``.xml`` output."""


def write_schedule_file(
    workbook: ProjectWorkbook, path: str | os.PathLike[str], file_format: str | None = None
) -> Path:
    """Write a project workbook's Plan (with its baseline, progress, costs, owners and days off) as a schedule file.

    ``file_format`` is MSPDI (MS Project XML), XER or PMXML (Primavera P6 XML), MPX; by default from the suffix
    (`WRITE_FORMATS`). Raises `JavaUnavailable` without Java, ValueError for an unknown format. Atomic.
    """
    from pmo_logic.files import atomic_output

    path = Path(path)
    file_format = (file_format or WRITE_FORMATS.get(path.suffix.lower()) or "").upper()
    if file_format not in ("MSPDI", "XER", "PMXML", "MPX"):
        raise ValueError(f"cannot write '{path.suffix}' files: use .xml (MS Project), .xer or .pmxml (Primavera)")
    start_java()
    from org.mpxj.writer import FileFormat, UniversalProjectWriter

    project = _ProjectBuilder(workbook).build()
    with atomic_output(path) as tmp:
        UniversalProjectWriter(getattr(FileFormat, file_format)).write(project, str(tmp))
    return path


class _ProjectBuilder:
    """A pmo-xl Plan as an MPXJ ProjectFile: working days are the project calendar's 8-hour days."""

    def __init__(self, workbook: ProjectWorkbook) -> None:
        self.workbook = workbook

    def build(self) -> Any:
        import java
        from org.mpxj import ProjectFile

        from pmo_logic.predecessors import PredecessorSyntaxError, parse_predecessors

        self.java = java
        project = ProjectFile()
        calendar = project.addDefaultBaseCalendar()
        project.setDefaultCalendar(calendar)
        for row in self.workbook.lists:
            if row.day is not None and row.day.weekday() < 5:
                calendar.addCalendarException(self._local_date(row.day), self._local_date(row.day))
        info = self.workbook.project
        props = project.getProjectProperties()
        props.setProjectTitle(info.name or info.project_id or "")
        props.setName(info.name or info.project_id or "")
        if info.project_manager:
            props.setManager(info.project_manager)
        if info.start_date:
            props.setStartDate(self._at(info.start_date, 8))
        if info.status_date:
            props.setStatusDate(self._at(info.status_date, 17))
        if info.currency:
            props.setCurrencyCode(info.currency)
        if info.project_id:
            props.setProjectID(info.project_id)
            custom = java.util.HashMap()
            custom.put("Project ID", info.project_id)
            props.setCustomProperties(custom)
        resources: dict[str, Any] = {}
        tasks: dict[str, Any] = {}
        parents: list[tuple[str, Any]] = []
        for row in self.workbook.plan:
            wbs = (row.wbs or "").strip()
            while parents and not (wbs and wbs.startswith(parents[-1][0] + ".")):
                parents.pop()
            task = parents[-1][1].addTask() if parents else project.addTask()
            self._fill(task, row)
            if row.id:
                tasks.setdefault(row.id, task)
            if row.type == "summary" and wbs:
                parents.append((wbs, task))
            for name in [n.strip() for n in (row.owner or "").split(",") if n.strip()]:
                resource = resources.get(name)
                if resource is None:
                    resource = resources[name] = project.addResource()
                    resource.setName(name)
                task.addResourceAssignment(resource)
        for row in self.workbook.plan:
            successor = tasks.get(row.id) if row.id else None
            if successor is None or row.type == "summary":
                continue
            try:
                links = parse_predecessors(row.predecessors)
            except PredecessorSyntaxError:
                continue  # validation reports it; the export keeps the other links
            for link in links:
                predecessor = tasks.get(link.predecessor)
                if predecessor is not None:
                    successor.addPredecessor(self._relation(predecessor, link))
        for task in project.getTasks():
            if task.hasChildTasks():
                task.setSummary(True)
        return project

    def _relation(self, predecessor: Any, link: Any) -> Any:
        from org.mpxj import Duration, Relation, RelationType, TimeUnit

        types = {"FS": RelationType.FINISH_START, "SS": RelationType.START_START, "FF": RelationType.FINISH_FINISH,
                 "SF": RelationType.START_FINISH}  # fmt: skip
        units = {"d": TimeUnit.DAYS, "h": TimeUnit.HOURS, "ed": TimeUnit.ELAPSED_DAYS}
        builder = Relation.Builder().predecessorTask(predecessor).type(types[link.type])
        return builder.lag(Duration.getInstance(float(link.lag), units.get(link.unit, TimeUnit.DAYS)))

    def _local_date(self, day: date) -> Any:
        return self.java.time.LocalDate.of(day.year, day.month, day.day)

    def _at(self, day: date, hour: int) -> Any:
        return self.java.time.LocalDateTime.of(day.year, day.month, day.day, hour, 0)

    def _fill(self, task: Any, row: TaskRow) -> None:
        from org.mpxj import ConstraintType, Duration, TaskMode, TimeUnit

        java = self.java
        task.setName(row.name or row.id or "")
        if row.id:
            task.setActivityID(row.id)  # Primavera's ID: what P6 shows, and what reading it back gives
        task.setTaskMode(TaskMode.AUTO_SCHEDULED)
        milestone = row.type == "milestone"
        start = row.actual_start or row.start
        finish = row.actual_finish or row.finish
        from org.mpxj import ActivityType

        if row.type != "summary":  # P6 XML writes a task without an activity type as a WBS node
            task.setActivityType(ActivityType.FINISH_MILESTONE if milestone else ActivityType.TASK_DEPENDENT)
        if milestone:
            task.setMilestone(True)
            start = finish = finish or start
        if row.type != "summary":
            days = row.duration if row.duration is not None else None
            if days is None and start and finish:
                days = float(max(_weekdays(start, finish), 1))
            duration = Duration.getInstance(0.0 if milestone else float(days or 0), TimeUnit.DAYS)
            task.setDuration(duration)
            task.setPlannedDuration(duration)
            fraction = row.percent_complete or 0.0
            task.setRemainingDuration(Duration.getInstance(duration.getDuration() * (1 - fraction), TimeUnit.DAYS))
            task.setActualDuration(Duration.getInstance(duration.getDuration() * fraction, TimeUnit.DAYS))
        if start:
            task.setStart(self._at(start, 17 if milestone else 8))
            task.setPlannedStart(self._at(start, 17 if milestone else 8))
            task.setEarlyStart(self._at(start, 17 if milestone else 8))
        if finish:
            task.setFinish(self._at(finish, 17))
            task.setPlannedFinish(self._at(finish, 17))
            task.setEarlyFinish(self._at(finish, 17))
        if row.percent_complete is not None:
            task.setPercentageComplete(java.lang.Double(row.percent_complete * 100))
        if row.actual_start:
            task.setActualStart(self._at(row.actual_start, 17 if milestone else 8))
        if row.actual_finish:
            task.setActualFinish(self._at(row.actual_finish, 17))
        if row.baseline_start:
            task.setBaselineStart(self._at(row.baseline_start, 17 if milestone else 8))
        if row.baseline_finish:
            task.setBaselineFinish(self._at(row.baseline_finish, 17))
        if row.budget is not None and row.type != "summary":
            task.setBaselineCost(java.lang.Double(row.budget))
            task.setCost(java.lang.Double(row.budget))
        if row.actual_cost is not None and row.type != "summary":
            task.setActualCost(java.lang.Double(row.actual_cost))
        if (row.budget or row.actual_cost) and row.type != "summary":
            # Primavera holds an activity's costs only in its resource assignments and expenses: one expense
            # carries the budget (planned cost) and the actual cost to XER and P6 XML (MSPDI ignores it).
            from org.mpxj import ExpenseItem

            budget, actual = float(row.budget or 0), float(row.actual_cost or 0)
            expense = (
                ExpenseItem.Builder(task)
                .name("Budget")
                .plannedCost(java.lang.Double(budget))
                .actualCost(java.lang.Double(actual))
                .remainingCost(java.lang.Double(max(budget - actual, 0.0)))
                .atCompletionCost(java.lang.Double(actual + max(budget - actual, 0.0)))
                .build()
            )
            expenses = java.util.ArrayList()
            expenses.add(expense)
            task.setExpenseItems(expenses)
        if row.status == "cancelled":
            task.setActive(False)
        constraints = {"alap": "AS_LATE_AS_POSSIBLE", "mso": "MUST_START_ON", "mfo": "MUST_FINISH_ON",
                       "snet": "START_NO_EARLIER_THAN", "snlt": "START_NO_LATER_THAN",
                       "fnet": "FINISH_NO_EARLIER_THAN", "fnlt": "FINISH_NO_LATER_THAN"}  # fmt: skip
        kind = constraints.get(row.constraint_type or "")
        if kind:
            task.setConstraintType(getattr(ConstraintType, kind))
            if row.constraint_date and kind != "AS_LATE_AS_POSSIBLE":
                finishing = kind.startswith(("MUST_FINISH", "FINISH")) or milestone
                task.setConstraintDate(self._at(row.constraint_date, 17 if finishing else 8))
        deadline = getattr(row, "deadline", None)
        if deadline:
            task.setDeadline(self._at(deadline, 17))


def _weekdays(start: date, finish: date) -> int:
    import numpy as np

    return int(np.busday_count(start, finish + timedelta(days=1)))
