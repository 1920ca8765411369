"""Plan validation: every rule of the catalogue on a project workbook, findings with their cell.

`validate_workbook` is a pure function of the models (used by consolidation and by the
add-in's Validate button); `validate_paths` reads files and folders, and checks the interfaces
across the workbooks it was given. Source workbooks are only read, never written.

>>> result = validate_file("pmo-demo/projects/DW-003 Identity and access.xlsx")  # doctest: +SKIP
>>> [(f.code, f.address, f.message) for f in result.findings if f.severity == "error"]  # doctest: +SKIP
[('PLAN021', 'Plan!H7', 'Dependency loop: 5 → 6 → ... → 5; remove one of these links')]
"""

from __future__ import annotations

import functools
import gc
import os
import time
import zipfile
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, TypeVar

import numpy as np
import pandas as pd

from pmo_logic.findings import Finding
from pmo_logic.frames import SheetFrames, frame_from_columns, from_arrays, parsed_columns, row_columns
from pmo_logic.i18n import Words
from pmo_logic.models import ProjectWorkbook
from pmo_logic.problems import in_both
from pmo_logic.reader import _KIND_PROPERTY, WORKBOOK_SUFFIXES, ParsedTable, read_project_workbook
from pmo_logic.rules import CATALOGUE, PortfolioIndex, ValidationContext
from pmo_logic.rules.dcma import DcmaCheck, dcma_assessment
from pmo_logic.schedule import Schedule, column_reader, schedule
from pmo_logic.schedule_files import is_schedule_file
from pmo_logic.sheets import PROJECT_KIND, PROJECT_SHEETS
from pmo_logic.validation_settings import ValidationSettings
from pmo_logic.workdays import WorkCalendar

_SCHEDULED = ("es", "ef", "ls", "lf", "total_float", "free_float", "critical", "state", "duration")
_UNREADABLE = {"READ001", "READ002", "READ003", "READ004", "READ005", "READ006", "READ020", "READ021"}


def is_unreadable(workbook: ProjectWorkbook) -> bool:
    """The file could not be read at all, or has no Plan: no rule can say anything about it."""
    return any(p.code in _UNREADABLE for p in workbook.problems) or "plan" in workbook.missing_sheets


@dataclass
class ValidationResult:
    """Findings for one workbook, with the schedule and the DCMA assessment they came from."""

    workbook: ProjectWorkbook
    findings: list[Finding] = field(default_factory=list)
    schedule: Schedule | None = None
    dcma: list[DcmaCheck] = field(default_factory=list)
    frames: Mapping[str, pd.DataFrame] = field(default_factory=dict)

    @property
    def file(self) -> str:
        return Path(self.workbook.source).name if self.workbook.source else ""

    def count(self, severity: str) -> int:
        return sum(f.severity == severity for f in self.findings)


_F = TypeVar("_F")


def _without_cycle_collection(function: _F) -> _F:
    """Python's cycle collector paused while ``function`` runs: a 100,000-row plan holds
    millions of live objects, which each full collection walks again (a third of the time);
    what validation leaves behind is freed by reference counting, the rest at the next one."""

    @functools.wraps(function)
    def paused(*args, **kwargs):
        was_enabled = gc.isenabled()
        gc.disable()
        try:
            return function(*args, **kwargs)
        finally:
            if was_enabled:
                gc.enable()

    return paused


@_without_cycle_collection
def validate_workbook(
    workbook: ProjectWorkbook,
    settings: ValidationSettings | None = None,
    portfolio: PortfolioIndex | None = None,
    frames: dict[str, pd.DataFrame] | None = None,
    tables: dict[str, ParsedTable] | None = None,
    columns: dict[str, dict[str, Any]] | None = None,
) -> ValidationResult:
    """Run every enabled rule on ``workbook``; reading problems become findings too.

    ``frames`` are the sheets as DataFrames (`sheet_frames`), or ``columns`` their arrays
    (`sheet_columns`), when the caller has them already; ``tables`` the sheets as read
    (`read_project_tables`), needed when the workbook was read without its rows. The result's
    ``frames`` hold the sheets' DataFrames, built when first asked for.
    """
    settings = settings or ValidationSettings()
    result = ValidationResult(workbook=workbook)
    project_id = workbook.project.project_id or ""
    file = Path(workbook.source).name if workbook.source else ""
    for problem in workbook.problems:
        if settings.enabled(problem.code):
            result.findings.append(
                Finding(
                    code=problem.code,
                    severity=problem.severity,
                    project=project_id,
                    file=file,
                    sheet=problem.sheet,
                    cell=problem.cell,
                    message=problem.message,
                    messages=problem.messages,
                )
            )
    if is_unreadable(workbook):
        return result
    ctx = _context(workbook, settings, portfolio, frames, tables, columns)
    result.schedule, result.frames = ctx.schedule, ctx.frames
    for rule in CATALOGUE.values():
        if rule.check is None or not settings.enabled(rule.code):
            continue
        try:
            hits = list(rule.check(ctx))
        except Exception:  # one faulty rule must not hide the others' findings
            # Python's own words are not the user's: say which check, in the workbook's language.
            en = (
                f"the check {rule.code} could not run on this workbook (an error pmo-xl did not expect): "
                "please report it"
            )
            fr = (
                f"le contrôle {rule.code} n'a pas pu s'exécuter sur ce classeur (une erreur imprévue de pmo-xl) : "
                "merci de le signaler"
            )
            result.findings.append(
                Finding(
                    code=rule.code,
                    severity="error",
                    project=project_id,
                    file=file,
                    **in_both(en, fr, workbook.meta.language),
                )
            )
            continue
        result.findings.extend(ctx.finding(rule, hit) for hit in hits)
    result.dcma = dcma_assessment(ctx)
    return result


def sheet_frames(workbook: ProjectWorkbook, tables: dict[str, ParsedTable] | None = None) -> dict[str, pd.DataFrame]:
    """Every table sheet present in the workbook as a DataFrame (`rows_to_frame`).

    ``tables`` are the sheets as the reader parsed them (`read_project_tables`), when at hand:
    the same frames, built from the columns directly.
    """
    return {key: frame_from_columns(columns) for key, columns in sheet_columns(workbook, tables).items()}


def sheet_columns(workbook: ProjectWorkbook, tables: dict[str, ParsedTable] | None = None) -> dict[str, dict]:
    """The typed column arrays `sheet_frames` builds each sheet's DataFrame from."""
    tables = tables or {}
    columns = {}
    for schema in PROJECT_SHEETS:
        if schema.layout != "table" or schema.key in workbook.missing_sheets:
            continue
        parsed = tables.get(schema.key)
        if parsed is not None:
            columns[schema.key] = parsed_columns(parsed.columns, parsed.rows, schema.model)
        else:
            columns[schema.key] = row_columns(getattr(workbook, schema.key), schema.model)
    return columns


def _context(
    workbook: ProjectWorkbook,
    settings: ValidationSettings,
    portfolio: PortfolioIndex | None,
    frames: dict[str, pd.DataFrame] | None = None,
    tables: dict[str, ParsedTable] | None = None,
    columns: dict[str, dict[str, Any]] | None = None,
) -> ValidationContext:
    parsed = (tables or {}).get("plan")
    plan: Any = workbook.plan
    if parsed is not None and not plan and parsed.rows:
        plan = {**parsed.columns, "source_row": parsed.rows}  # read without its rows: the same values
    column = column_reader(plan)
    dates = [d for name in ("start", "actual_start", "baseline_start") for d in column(name) if d is not None]
    origin = workbook.project.start_date or (min(dates) if dates else None) or workbook.project.status_date
    calendar = WorkCalendar(
        origin or date.today(),
        country=settings.calendar_country,
        non_working_days=[r.day for r in workbook.lists if r.day is not None],
    )
    deadline = workbook.project.end_date if settings.end_date_is_deadline else None
    result = schedule(
        plan,
        calendar,
        status_date=workbook.project.status_date,
        project_start=workbook.project.start_date,
        deadline=deadline,
    )
    sheets = SheetFrames(frames)
    if frames is None:
        for key, arrays in (columns if columns is not None else sheet_columns(workbook, tables)).items():
            sheets.add_columns(key, arrays)
    _add_scheduled(sheets, result)
    return ValidationContext(workbook, settings, calendar, result, sheets, portfolio)


def _add_scheduled(sheets: SheetFrames, result: Schedule) -> None:
    """The Plan with its schedule's columns (``es``, ``total_float``, ``in_network``...) as
    ``plan_scheduled``: from the Plan's arrays where it has them, else from its DataFrame."""
    arrays = sheets.arrays("plan")
    if arrays is None:
        frame = sheets["plan"]
        plan: dict[str, Any] = {c: frame[c] for c in frame.columns}
        index = frame.index
    else:
        plan, index = arrays, pd.RangeIndex(len(arrays["source_row"]))
    columns = {c: result.column(c) if c in _SCHEDULED else plan[c] for c in plan}
    columns.update({c: result.column(c) for c in _SCHEDULED if c not in columns})
    columns["in_network"] = result.column("in_network")
    columns["complete"] = np.isin(columns["state"], ["done", "cancelled"])
    if arrays is not None:  # the arrays must be what the frame's columns give back
        columns["state"] = pd.array(columns["state"], dtype="str").to_numpy()
    sheets.add_columns("plan_scheduled", columns, lambda: _scheduled_frame(columns, index))


def _scheduled_frame(columns: dict[str, Any], index: pd.Index) -> pd.DataFrame:
    """The Plan with its schedule as one DataFrame: what the public constructor makes of
    ``columns`` (the task state, a plain array of text, becomes pandas' string dtype; other
    text columns stay object), built the faster way where every column has a numpy dtype."""
    default_index = isinstance(index, pd.RangeIndex) and index.start == 0 and index.step == 1
    if default_index and all(isinstance(v.dtype, np.dtype) for v in columns.values()):
        names = tuple(columns)
        arrays = [v.to_numpy() if isinstance(v, pd.Series) else v for v in columns.values()]
        arrays[names.index("state")] = pd.array(arrays[names.index("state")], dtype="str")
        fast = from_arrays(arrays, names)
        if fast is not None:
            return fast
    public = {
        k: pd.Series(v, index=index, dtype=object, copy=False)
        if k != "state" and isinstance(v, np.ndarray) and v.dtype == object
        else v
        for k, v in columns.items()
    }
    return pd.DataFrame(public, index=index)


def validate_file(
    path: str | os.PathLike[str],
    settings: ValidationSettings | None = None,
    portfolio: PortfolioIndex | None = None,
) -> ValidationResult:
    """Read and validate one project workbook."""
    return validate_workbook(read_project_workbook(path), settings, portfolio)


SKIPPED_FOLDERS = ("snapshots", ".pmo-cache")
"""Folders pmo-xl writes beside the roll-up (its snapshots, its cache): never searched for workbooks."""

OUTPUT_KINDS = {
    "rollup": "roll-up",
    "committee_pack": "committee pack",
    "validation_report": "validation report",
    "portfolio": "portfolio workbook",
}
OUTPUT_KINDS_FR = {
    "rollup": "classeur de consolidation",
    "committee_pack": "dossier de comité",
    "validation_report": "rapport de validation",
    "portfolio": "classeur portefeuille",
}
"""The kinds of workbook pmo-xl writes that are not project workbooks, as a sentence names them."""

_KIND_PART = "docProps/custom.xml"
_KIND_PART_LIMIT = 64 * 1024  # XlsxWriter writes a few hundred bytes; a larger part is not ours


@dataclass
class WorkbookSearch:
    """What `find_workbooks` found: the workbooks to read, and what it left out and why."""

    files: list[Path] = field(default_factory=list)
    """The workbooks to read as projects (and old ``.xls`` files, which the reader explains)."""
    skipped: list[tuple[Path, str]] = field(default_factory=list)
    """Workbooks pmo-xl wrote that are not projects (roll-ups, packs, reports, the portfolio
    workbook), with their kind."""
    unlisted: list[tuple[Path, str]] = field(default_factory=list)
    """Folders that could not be listed, with why: the workbooks in them are missing."""

    def of_kind(self, kind: str) -> list[Path]:
        return [path for path, found in self.skipped if found == kind]

    def notes(self, lang: str = "en") -> list[dict[str, str]]:
        """Rows for *Load problems* (file, project_id, code, severity, reason), one per folder
        that could not be listed and per workbook left out; the reason in ``lang``."""
        rows = [
            {"file": str(folder), "project_id": "", "code": "CONS006", "severity": "error",
             "reason": CATALOGUE["CONS006"].render(lang, "", {"folder": folder,
                                                              "reason": Words(why, _WHY_FR.get(why, why))})}
            for folder, why in self.unlisted
        ]  # fmt: skip
        rows += [
            {"file": path.name, "project_id": "", "code": "CONS005", "severity": "info",
             "reason": skipped_sentence(kind, lang)}
            for path, kind in self.skipped
        ]  # fmt: skip
        return rows


def skipped_kind_name(kind: str, lang: str = "en") -> str:
    if lang == "fr":
        return OUTPUT_KINDS_FR.get(kind, f"classeur {kind}")
    return OUTPUT_KINDS.get(kind, f"{kind} workbook")


def skipped_sentence(kind: str, lang: str = "en") -> str:
    """Why a workbook pmo-xl wrote is left out of the roll-up (CONS005), in ``lang``."""
    name = Words(skipped_kind_name(kind), skipped_kind_name(kind, "fr"))
    return CATALOGUE["CONS005"].render(lang, "", {"kind": name})


def find_workbooks(
    paths: Iterable[str | os.PathLike[str]], kind_of: Callable[[Path], str | None] | None = None
) -> WorkbookSearch:
    """The workbooks named, and those found in folders (recursively), without Excel lock files,
    pmo-xl's own outputs (by their ``pmo_kind`` marker), or its snapshot and cache folders.

    ``kind_of`` tells each file's output kind instead of `output_kind` (the cache's memo,
    `cache.FileKinds.output_kind`, which opens only the files that changed).

    A folder that cannot be listed (permission denied, a share gone) is named in ``unlisted``
    and the search goes on: its projects must not vanish without a word.
    """
    found = WorkbookSearch()
    for item in paths:
        path = Path(item)
        if path.is_dir():
            candidates: list[Path] = []
            being_saved: list[Path] = []
            _walk(path, candidates, found.unlisted, {os.path.realpath(path)}, being_saved)
            candidates += _saved_meanwhile(being_saved)
            # Old .xls files are listed too, so the reader can say how to convert them.
            for candidate in sorted(candidates):
                kind = (kind_of or output_kind)(candidate)
                if kind is None:
                    found.files.append(candidate)
                else:
                    found.skipped.append((candidate, kind))
        else:
            found.files.append(path)
    return found


def workbook_files(paths: Iterable[str | os.PathLike[str]]) -> list[Path]:
    """The workbooks `find_workbooks` finds to read."""
    return find_workbooks(paths).files


SAVE_PAUSE = 0.5
"""Seconds `find_workbooks` waits before looking again for a workbook Excel is saving."""


def _saved_meanwhile(being_saved: list[Path]) -> list[Path]:
    # Excel saves by renaming the workbook away, writing a new one and renaming it back: for a
    # moment only its lock file is listed. Looking again a little later keeps the project in
    # (`_being_saved` lists only names the folder did not show, so none is found twice).
    if not being_saved:
        return []
    time.sleep(SAVE_PAUSE)
    return [path for path in being_saved if path.is_file()]


def _being_saved(folder: Path, names: Iterable[str]) -> list[Path]:
    """Workbooks whose Excel lock file (``~$Book.xlsx``) is listed without them."""
    names = list(names)
    present = {name.lower() for name in names}
    missing = []
    for name in names:
        if not name.startswith("~$") or os.path.splitext(name)[1].lower() not in WORKBOOK_SUFFIXES:
            continue
        # Excel names the lock "~$" + the workbook's name; Office replaces the first two
        # characters of long names instead, and the workbook cannot be guessed then.
        rest = name[2:]
        if rest.lower() not in present:
            missing.append(folder / rest)
    return missing


def _walk(
    folder: Path,
    found: list[Path],
    unlisted: list[tuple[Path, str]],
    seen: set[str],
    being_saved: list[Path] | None = None,
) -> None:
    try:
        with os.scandir(folder) as entries:
            listed = list(entries)
    except OSError as exc:  # permission denied, a share gone: say so, and search the rest
        unlisted.append((folder, _why(exc)))
        return
    if being_saved is not None:
        being_saved += _being_saved(folder, (entry.name for entry in listed))
    for entry in listed:
        try:
            if entry.is_dir():
                if entry.name.lower() in SKIPPED_FOLDERS:
                    continue
                key = os.path.realpath(entry.path)
                if key in seen:  # a link back to a folder already searched
                    continue
                seen.add(key)
                _walk(Path(entry.path), found, unlisted, seen, being_saved)
            elif (
                (
                    os.path.splitext(entry.name)[1].lower() in (*WORKBOOK_SUFFIXES, ".xls")
                    or is_schedule_file(entry.path)
                )
                and not _skipped(Path(entry.name))
                and entry.is_file()
            ):
                found.append(Path(entry.path))
        except OSError as exc:
            unlisted.append((Path(entry.path), _why(exc)))


def _why(exc: OSError) -> str:
    if isinstance(exc, PermissionError):
        return "permission denied"
    if isinstance(exc, FileNotFoundError):
        return "it was removed while being searched"
    return exc.strerror.lower() if exc.strerror else "the system could not read it"


_WHY_FR = {
    "permission denied": "accès refusé",
    "it was removed while being searched": "il a été supprimé pendant la recherche",
}


def output_kind(path: str | os.PathLike[str]) -> str | None:
    """The kind of a workbook pmo-xl wrote that is not a project workbook (see `OUTPUT_KINDS`),
    from its ``pmo_kind`` document property; None for a project workbook or any other file.

    Reads only that small part (bounded), never the workbook: the folder may hold a thousand.
    """
    try:
        with zipfile.ZipFile(path) as archive:
            info = archive.getinfo(_KIND_PART)
            if info.file_size > _KIND_PART_LIMIT:
                return None
            with archive.open(info) as part:
                xml = part.read(_KIND_PART_LIMIT + 1).decode("utf-8")
    except (OSError, KeyError, ValueError, zipfile.BadZipFile, UnicodeDecodeError, RuntimeError, EOFError):
        return None  # not a zip, damaged, encrypted, no property: the reader says what it is
    match = _KIND_PROPERTY.search(xml)
    kind = match.group(1).strip() if match else ""
    return kind if kind and kind != PROJECT_KIND else None


def _skipped(path: Path) -> bool:
    # ~$Book.xlsx is Excel's lock file; .~lock and dot files are other programs' temporary files.
    return path.name.startswith(("~$", ".~lock", "."))


def portfolio_index(workbooks: Sequence[ProjectWorkbook], registered: Iterable[str] = ()) -> PortfolioIndex:
    """The projects known to the portfolio: those read (with their task IDs) and those registered."""
    index = PortfolioIndex()
    for project_id in registered:
        index.milestones.setdefault(project_id, None)
    for workbook in workbooks:
        if workbook.project.project_id:
            ids = {t.id for t in workbook.plan if t.id}
            known = index.milestones.get(workbook.project.project_id) or set()
            index.milestones[workbook.project.project_id] = known | ids
    return index


def validate_workbooks(
    workbooks: Sequence[ProjectWorkbook],
    settings: ValidationSettings | None = None,
    registered: Iterable[str] = (),
) -> list[ValidationResult]:
    """Validate workbooks read together: interfaces are checked across them.

    With a single workbook and no register there is no portfolio to check interfaces
    against, so those checks are skipped rather than reporting every other project unknown.
    """
    registered = list(registered)
    index = portfolio_index(workbooks, registered) if len(workbooks) > 1 or registered else None
    return [validate_workbook(workbook, settings, index) for workbook in workbooks]


def validate_paths(
    paths: Iterable[str | os.PathLike[str]], settings: ValidationSettings | None = None
) -> list[ValidationResult]:
    """Read every workbook under ``paths`` and validate them together."""
    workbooks = [read_project_workbook(p) for p in workbook_files(paths)]
    return validate_workbooks([w for w in workbooks if w.meta.kind == "project"], settings)


def findings_of(results: Iterable[ValidationResult]) -> list[Finding]:
    return [f for r in results for f in r.findings]


def dcma_table(results: Iterable[ValidationResult]) -> pd.DataFrame:
    """The DCMA assessment of every workbook, one row per project and check."""
    from pmo_logic.rules.dcma import dcma_frame

    frames = []
    for result in results:
        if result.dcma:
            frame = dcma_frame(result.dcma)
            frame.insert(0, "project", result.workbook.project.project_id or "")
            frame.insert(1, "file", result.file)
            frames.append(frame)
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()
