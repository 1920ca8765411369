"""Snapshots of the roll-up, and what changed since the last committee.

A snapshot is a folder ``snapshots/<status date>[_n]/`` holding one JSON Lines file per
roll-up table (one JSON object per row, dates as ``YYYY-MM-DD``) and ``manifest.json``:

    {"format": "pmo-xl snapshot", "format_version": 1, "pmo_xl": "0.1.0",
     "status_date": "2026-11-20", "created": "2026-11-24T10:32:05",
     "portfolio": "Demo portfolio",
     "tables": {"projects": {"file": "projects.jsonl", "rows": 12, "columns": ["project_id", ...]}, ...}}

(Snapshots written before ``columns`` was added load their empty tables without columns.)

JSON Lines is open, typed enough, and never run by a spreadsheet (unlike a CSV opened in
Excel). pandas reads it with ``pd.read_json(path, lines=True)``.

The snapshot folder is shared (the PMO's folder): what is read back is JSON only, and every
field is checked (the manifest by a pydantic model, each table's dates, numbers and yes/no
columns). A snapshot that fails a check, half-written or edited, is a `BadSnapshot`: it is
named (`SnapshotProblem`) and left out of the last committee, the changes and the trend, and
the new snapshot is still saved. A snapshot is written into a temporary folder and renamed
into place, so that a half-written one is never seen as complete, and two runs saving at the
same second get two folders.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import tempfile
import time
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Annotated, Any, Literal

import numpy as np
import pandas as pd
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from pmo_logic import __version__
from pmo_logic.consolidate import Portfolio
from pmo_logic.i18n import Words, say

FORMAT = "pmo-xl snapshot"
FORMAT_VERSION = 1
TABLES = ("projects", "programmes", "portfolio", "milestones", "risks", "actions", "issues", "decisions",
          "interface_risks")  # fmt: skip
CHANGE_COLUMNS = ["change", "project_id", "item", "name", "before", "after", "delta"]
DATE_COLUMNS = {"status_date", "start_date", "end_date", "forecast_finish", "baseline_finish", "agile_forecast_finish",
                "start", "finish", "baseline_start", "actual_start", "actual_finish", "due_date",
                "raised_on", "needed_by", "decided_on", "need_by", "forecast", "month", "constraint_date",
                "early_start", "early_finish", "late_start", "late_finish"}  # fmt: skip
NUMBER_COLUMNS = {"ac", "actual_cost", "approved_budget", "at", "bac", "budget", "cost_impact", "cpi", "cv",
                  "data_age_days", "days_late", "duration", "eac", "eac_atypical", "eac_composite", "eac_cpi",
                  "errors", "es", "etc", "ev", "ieac_t", "impact", "key_milestone_slip", "key_milestones",
                  "max_risk_score", "milestone_hit_rate", "milestones_due", "open_decisions", "open_issues",
                  "open_risks", "overdue_actions", "percent_complete", "probability", "projects", "projects_amber",
                  "projects_green", "projects_red", "pv", "remaining_points", "risk_emv", "risk_exposure",
                  "risks_critical", "risks_high", "risks_low", "risks_medium", "row", "schedule_variance_days",
                  "score", "slip_days", "spi", "spi_t", "sv", "sv_t", "tcpi_bac", "tcpi_eac", "total_float", "vac",
                  "velocity", "warnings"}  # fmt: skip
YES_NO_COLUMNS = {"key_milestone", "rag_differs", "stale", "critical"}
TEXT_COLUMNS = {"project_id", "id", "name", "programme", "title", "status", "type", "rag_overall", "rag_schedule",
                "rag_cost", "rag_risk", "manual_rag", "file", "sheet"}  # fmt: skip
"""The columns whose values are checked when a snapshot is read (the others are kept as read)."""

MANIFEST_LIMIT = 1 << 20
"""A manifest is a few kilobytes; a larger one is not read."""
_SNAPSHOT_NAME = re.compile(r"^(\d{4}-\d{2}-\d{2})(?:_(\d+))?$")
_PARTIAL = ".partial-"
_PARTIAL_MAX_AGE = 24 * 3600  # older temporary folders are a crashed run's: removed by the next save
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


class TableEntry(BaseModel):
    """One table of a snapshot, as its manifest lists it."""

    model_config = ConfigDict(strict=True, extra="ignore")

    file: Annotated[str, Field(pattern=r"^[A-Za-z0-9_-]{1,64}\.jsonl$")]
    """A file of the snapshot folder itself: no path can lead out of it."""
    rows: Annotated[int, Field(ge=0)]
    columns: list[str] = []


class Manifest(BaseModel):
    """``manifest.json``: read with strict types, unknown fields ignored."""

    model_config = ConfigDict(strict=True, extra="ignore")

    format: Literal["pmo-xl snapshot"]
    format_version: Annotated[int, Field(ge=1)]
    pmo_xl: str = ""
    status_date: date
    created: datetime
    portfolio: str | None = None
    tables: dict[str, TableEntry]


@dataclass
class Snapshot:
    path: Path
    status_date: date | None
    created: str
    tables: dict[str, pd.DataFrame]


@dataclass(frozen=True)
class SnapshotProblem:
    """A snapshot folder that could not be read, and why."""

    path: Path
    reason: str
    reason_fr: str = ""
    """The reason in French (the portfolio's language may be French)."""

    def sentence(self, lang: str = "en") -> str:
        """The warning to show: which folder, what is wrong, what it means, in ``lang``."""
        from pmo_logic.rules import CATALOGUE

        reason = Words(self.reason, self.reason_fr or self.reason)
        return CATALOGUE["CONS008"].render(lang, "", {"folder": self.path, "reason": reason})

    def note(self, lang: str = "en") -> dict[str, str]:
        """As a *Load problems* row."""
        return {"file": str(self.path), "project_id": "", "code": "CONS008", "severity": "warning",
                "reason": self.sentence(lang)}  # fmt: skip


class BadSnapshot(ValueError):
    """A snapshot folder that is not a complete, valid pmo-xl snapshot."""

    def __init__(self, path: Path, reason: str, french: str = "") -> None:
        super().__init__(f"{path}: {reason}")
        self.problem = SnapshotProblem(path, reason, french)


class NoSnapshot(ValueError):
    """A roll-up that must not be stored as a snapshot (no project, or no status date)."""


def save_snapshot(portfolio: Portfolio, folder: str | os.PathLike[str], *, created: datetime | None = None) -> Path:
    """Store the roll-up's tables as a new snapshot folder; returns its path.

    Raises `NoSnapshot` for a roll-up without a project or without a status date: it is no
    committee to compare the next one with.
    """
    if portfolio.status_date is None:
        raise NoSnapshot("the roll-up has no status date: no snapshot saved (set the Status date in Settings)")
    if portfolio.projects.empty:
        raise NoSnapshot("no project workbook could be consolidated: no snapshot saved")
    root = Path(folder)
    root.mkdir(parents=True, exist_ok=True)
    _remove_stale_partials(root)
    stamp = portfolio.status_date.isoformat()
    partial = Path(tempfile.mkdtemp(prefix=_PARTIAL, dir=root))
    try:
        os.chmod(partial, _folder_mode())  # mkdtemp's 0700 would hide it from the PMO's colleagues
        _write_snapshot(portfolio, partial, created or datetime.now())
        return _move_into_place(partial, root, stamp)
    finally:
        if partial.exists():
            shutil.rmtree(partial, ignore_errors=True)


def _write_snapshot(portfolio: Portfolio, target: Path, created: datetime) -> None:
    tables = portfolio.tables()
    manifest: dict[str, Any] = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "pmo_xl": __version__,
        "status_date": portfolio.status_date.isoformat() if portfolio.status_date else None,
        "created": created.isoformat(timespec="seconds"),
        "portfolio": portfolio.settings.portfolio_name,
        "tables": {},
    }
    for name in TABLES:
        frame = tables[name]
        _to_jsonl(frame, target / f"{name}.jsonl")
        # The columns too: an empty table has no row to name them.
        manifest["tables"][name] = {"file": f"{name}.jsonl", "rows": len(frame), "columns": [str(c) for c in frame]}
    (target / "manifest.json").write_text(json.dumps(manifest, indent=1), encoding="utf-8")


def _move_into_place(partial: Path, root: Path, stamp: str) -> Path:
    """Rename the written snapshot to the first free name of ``stamp``, ``stamp_2``...

    Each name is claimed by creating its folder (which fails if another run has it: no two
    runs get one name), and the snapshot then takes the claimed empty folder's place.
    """
    n = 1
    while True:
        target = root / (stamp if n == 1 else f"{stamp}_{n}")
        n += 1
        try:
            target.mkdir()
        except FileExistsError:
            continue
        try:
            os.replace(partial, target)  # POSIX: one step onto our own empty folder
            return target
        except OSError:
            pass
        # Windows: a folder cannot take another's place; free the name and move in, unless
        # another run claimed it in between (then the next name).
        target.rmdir()
        try:
            os.rename(partial, target)
            return target
        except FileExistsError:
            continue


def _remove_stale_partials(root: Path) -> None:
    now = time.time()
    for child in root.glob(_PARTIAL + "*"):
        try:
            if child.is_dir() and now - child.stat().st_mtime > _PARTIAL_MAX_AGE:
                shutil.rmtree(child, ignore_errors=True)
        except OSError:
            pass


def _folder_mode() -> int:
    umask = os.umask(0)
    os.umask(umask)
    return 0o777 & ~umask


def _to_jsonl(frame: pd.DataFrame, path: Path) -> None:
    """One JSON object per row, as ``json.dumps`` writes them (", " and ": " separators, UTF-8).

    Encoded a column at a time, each distinct text once: a thousand projects' roll-up has
    about 270,000 rows, and a dict and a ``json.dumps`` call per row took seconds.
    """
    names = list(frame.columns)
    if not names:
        path.write_text("{}\n" * len(frame), encoding="utf-8")
        return
    keys = [json.dumps(str(name), ensure_ascii=False) + ": " for name in names]
    columns = [_json_texts(frame[name]) for name in names]
    with path.open("w", encoding="utf-8") as handle:
        handle.writelines(
            "{" + ", ".join(map(str.__add__, keys, values)) + "}\n" for values in zip(*columns, strict=True)
        )


def _plain(value: Any) -> Any:
    if value is None or (isinstance(value, float) and value != value) or value is pd.NaT:
        return None
    if isinstance(value, (pd.Timestamp, datetime)):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if hasattr(value, "item"):  # numpy scalars
        return value.item()
    return value


_INFINITIES = (float("inf"), float("-inf"))
_FLOAT_TEXT = {float("inf"): "Infinity", float("-inf"): "-Infinity"}


def _json_texts(column: pd.Series) -> list[str]:
    """Each value of ``column`` as JSON text: dates as "YYYY-MM-DD", blanks as null."""
    kind = column.dtype.kind
    if kind == "M":
        days = column.to_numpy().astype("datetime64[D]")
        texts = np.datetime_as_string(days, unit="D").tolist()
        return ["null" if nat else f'"{text}"' for nat, text in zip(np.isnat(days).tolist(), texts, strict=True)]
    if kind == "f":  # as json.dumps writes floats
        return [repr(v) if v == v and v not in _INFINITIES else _FLOAT_TEXT.get(v, "null") for v in column.tolist()]
    if kind in "iu":
        return list(map(repr, column.tolist()))
    if kind == "b":
        return ["true" if v else "false" for v in column.tolist()]
    if isinstance(column.dtype, pd.StringDtype):
        # Only text and blanks: each distinct text encoded once, then picked by its code (in C).
        codes, distinct = pd.factorize(column, use_na_sentinel=True)
        lookup = np.array([json.dumps(text, ensure_ascii=False) for text in distinct] + ["null"], dtype=object)
        return lookup[codes].tolist()  # the sentinel -1 picks the last: null
    encoded: dict[tuple[type, Any], str] = {}
    texts = []
    for value in column.tolist():
        try:
            key = (value.__class__, value)  # 1, 1.0 and True are equal keys: keep them apart
            text = encoded.get(key)
            if text is None:
                text = encoded[key] = json.dumps(_plain(value), ensure_ascii=False)
        except TypeError:  # not hashable
            text = json.dumps(_plain(value), ensure_ascii=False)
        texts.append(text)
    return texts


def load_snapshot(path: str | os.PathLike[str], tables: Collection[str] | None = None) -> Snapshot:
    """A snapshot's tables (only those named in ``tables``, when given: the trend needs one).

    Raises `BadSnapshot` (naming the folder and what is wrong) for a snapshot that is not
    complete and valid; unknown tables and columns are ignored.
    """
    folder = Path(path)
    manifest = read_manifest(folder)
    loaded = {}
    for name, entry in manifest.tables.items():
        if (name not in TABLES and name != "tasks") or (tables is not None and name not in tables):
            continue  # "tasks": the milestones of snapshots older than their own table
        loaded[name] = _read_table(folder, name, entry)
    return Snapshot(folder, manifest.status_date, manifest.created.isoformat(timespec="seconds"), loaded)


def read_manifest(folder: str | os.PathLike[str]) -> Manifest:
    """A snapshot folder's manifest, checked (`BadSnapshot` when it is not a valid one)."""
    folder = Path(folder)
    named = _SNAPSHOT_NAME.match(folder.name)
    file = folder / "manifest.json"
    try:
        if file.stat().st_size > MANIFEST_LIMIT:
            raise BadSnapshot(
                folder,
                "manifest.json is far too large for a snapshot manifest",
                "manifest.json est bien trop grand pour un manifeste d'instantané",
            )
        text = file.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise BadSnapshot(
            folder,
            "no manifest.json: not a snapshot, or one that was never finished",
            "pas de manifest.json : pas un instantané, ou un instantané jamais terminé",
        ) from None
    except OSError as exc:
        raise BadSnapshot(
            folder,
            f"manifest.json cannot be read ({_os_reason(exc)})",
            f"manifest.json est illisible ({_os_reason(exc, 'fr')})",
        ) from exc
    except UnicodeDecodeError:
        raise BadSnapshot(
            folder, "manifest.json is not text (UTF-8)", "manifest.json n'est pas du texte (UTF-8)"
        ) from None
    try:
        manifest = Manifest.model_validate_json(text)  # JSON only, each field of its type
    except ValidationError as exc:
        first = exc.errors()[0]
        if first["type"] == "json_invalid":
            raise BadSnapshot(
                folder,
                f"manifest.json is not valid JSON ({first['msg']}): half-written or edited?",
                "manifest.json n'est pas un JSON valide : écrit à moitié ou modifié ?",
            ) from None
        where = ".".join(str(part) for part in first["loc"]) or "the manifest"
        value = f" {json.dumps(first['input'], default=str)[:60]}" if first["loc"] else ""
        why = first["msg"][:1].lower() + first["msg"][1:]
        if first["type"] == "string_pattern_mismatch":  # a table file
            why = "not the name of a .jsonl file in the snapshot folder"
        raise BadSnapshot(
            folder, f"manifest.json: {where}{value}: {why}", f"manifest.json : {where}{value} : valeur refusée"
        ) from None
    if manifest.format_version > FORMAT_VERSION:
        raise BadSnapshot(
            folder,
            f"written by a newer pmo-xl (format {manifest.format_version}): upgrade pmo-xl",
            f"écrit par un pmo-xl plus récent (format {manifest.format_version}) : mettez pmo-xl à jour",
        )
    if "projects" not in manifest.tables:
        raise BadSnapshot(
            folder, "its manifest lists no projects table", "son manifeste ne liste pas de table des projets"
        )
    if named is None:
        raise BadSnapshot(
            folder,
            f"the folder name {folder.name!r} is not a status date (YYYY-MM-DD)",
            f"le nom du dossier « {folder.name} » n'est pas une date d'état (AAAA-MM-JJ)",
        )
    if named.group(1) != manifest.status_date.isoformat():
        raise BadSnapshot(
            folder,
            f"the folder is named {folder.name} but its status date is {manifest.status_date}",
            f"le dossier s'appelle {folder.name} mais sa date d'état est le {manifest.status_date}",
        )
    return manifest


def _read_table(folder: Path, name: str, entry: TableEntry) -> pd.DataFrame:
    file = folder / entry.file
    try:
        text = file.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise BadSnapshot(folder, f"{entry.file} is missing", f"{entry.file} est absent") from None
    except OSError as exc:
        raise BadSnapshot(
            folder,
            f"{entry.file} cannot be read ({_os_reason(exc)})",
            f"{entry.file} est illisible ({_os_reason(exc, 'fr')})",
        ) from exc
    except UnicodeDecodeError:
        raise BadSnapshot(
            folder, f"{entry.file} is not text (UTF-8)", f"{entry.file} n'est pas du texte (UTF-8)"
        ) from None
    lines = [line for line in text.splitlines() if line.strip()]
    try:
        rows = json.loads("[" + ",".join(lines) + "]")  # one parse instead of one per line: the same rows
    except ValueError:
        rows = None
    if rows is None or len(rows) != len(lines) or not all(type(row) is dict for row in rows):
        for number, line in enumerate(text.splitlines(), start=1):
            try:
                row = json.loads(line) if line.strip() else {}
            except ValueError:
                row = None
            if type(row) is not dict:
                raise BadSnapshot(
                    folder,
                    f"{entry.file} line {number} is not a JSON object: half-written or edited?",
                    f"{entry.file} ligne {number} n'est pas un objet JSON : écrit à moitié ou modifié ?",
                )
        raise BadSnapshot(
            folder,
            f"{entry.file} cannot be read as one JSON object per line",
            f"{entry.file} ne se lit pas comme un objet JSON par ligne",
        )
    if len(rows) != entry.rows:
        raise BadSnapshot(
            folder,
            f"{entry.file} has {len(rows)} row(s) where its manifest says {entry.rows}",
            f"{entry.file} a {len(rows)} ligne(s) quand son manifeste en annonce {entry.rows}",
        )
    frame = pd.DataFrame(rows) if rows else pd.DataFrame(columns=entry.columns)
    for column in frame.columns:
        problem = _column_problem(column, frame[column])
        if problem is not None:
            at, value, expected = problem
            shown = json.dumps(value, ensure_ascii=False)[:60]
            raise BadSnapshot(
                folder,
                f"{entry.file} row {at + 1}: {column} is {shown}, not {expected}",
                f"{entry.file} ligne {at + 1} : {column} vaut {shown}, pas {_EXPECTED_FR.get(expected, expected)}",
            )
        if column in DATE_COLUMNS:
            frame[column] = pd.to_datetime(frame[column], format="%Y-%m-%d", errors="coerce")
    return frame


def _column_problem(column: Any, values: pd.Series) -> tuple[int, Any, str] | None:
    """(row, value, what was expected) of the first value of a checked column of the wrong type."""
    if column in NUMBER_COLUMNS:
        if values.dtype.kind in "fiu":
            return None
        return _first(values, lambda v: v is None or (type(v) in (int, float)), "a number")
    if column in YES_NO_COLUMNS:
        if values.dtype.kind == "b":
            return None
        return _first(values, lambda v: v is None or type(v) is bool, "true or false")
    if column in DATE_COLUMNS:
        return _first(values, _is_date_text, "a date (YYYY-MM-DD)")
    if column in TEXT_COLUMNS:
        return _first(values, lambda v: v is None or type(v) in (str, int, float, bool), "a text")
    return None


_EXPECTED_FR = {
    "a number": "un nombre",
    "true or false": "vrai ou faux",
    "a date (YYYY-MM-DD)": "une date (AAAA-MM-JJ)",
    "a text": "du texte",
}


def _first(values: pd.Series, ok: Any, expected: str) -> tuple[int, Any, str] | None:
    seen: set[Any] = set()
    for at, value in enumerate(values.tolist()):
        if type(value) is float and value != value:
            continue  # a blank, as pandas fills missing keys
        try:
            if value in seen:
                continue
        except TypeError:  # a list or an object, which no checked column holds
            return at, value, expected
        if not ok(value):
            return at, value, expected
        seen.add(value)
    return None


def _is_date_text(value: Any) -> bool:
    if value is None:
        return True
    if type(value) is not str or not _ISO_DATE.match(value):
        return False
    try:
        date.fromisoformat(value)
    except ValueError:
        return False  # 2026-02-30
    return True


def _os_reason(exc: OSError, lang: str = "en") -> str:
    if isinstance(exc, PermissionError):
        return say(lang, "permission denied", "accès refusé")
    # The system's own words (strerror) are in the machine's language, not always the portfolio's.
    return say(lang, (exc.strerror or "the system could not read it").lower(), "le système n'a pas pu le lire")


@dataclass
class SnapshotScan:
    """The snapshot folders found: the valid ones, oldest first, and those left out."""

    found: list[tuple[str, str, Path]] = field(default_factory=list)
    """(status date, created, folder) of each snapshot whose manifest is valid, oldest first."""
    problems: list[SnapshotProblem] = field(default_factory=list)


def scan_snapshots(folder: str | os.PathLike[str]) -> SnapshotScan:
    """Every snapshot folder in ``folder``, its manifest checked: the bad ones are named."""
    root = Path(folder)
    scan = SnapshotScan()
    try:
        children = sorted(root.iterdir()) if root.is_dir() else []
    except OSError as exc:
        scan.problems.append(
            SnapshotProblem(
                root,
                f"the folder cannot be listed: {_os_reason(exc)}",
                f"le dossier ne peut être listé : {_os_reason(exc, 'fr')}",
            )
        )
        return scan
    for child in children:
        try:
            if child.name.startswith(".") or not child.is_dir():
                continue  # a save in progress (.partial-...), or a file that is no snapshot
        except OSError:
            continue
        try:
            manifest = read_manifest(child)
        except BadSnapshot as exc:
            scan.problems.append(exc.problem)
            continue
        status = manifest.status_date.isoformat()
        scan.found.append((status, manifest.created.isoformat(timespec="seconds"), child))
    scan.found.sort()
    return scan


def list_snapshots(folder: str | os.PathLike[str]) -> list[Path]:
    """Snapshot folders with a valid manifest, oldest first (by status date, then creation)."""
    return [path for *_, path in scan_snapshots(folder).found]


def last_committee(folder: str | os.PathLike[str], status_date: date | None) -> Path | None:
    """The snapshot a roll-up at ``status_date`` is compared with: the latest one of an earlier
    status date (a re-run for the same committee is not the last committee), or the latest of
    all when ``status_date`` is None. Snapshots whose manifest is not valid are left out
    (`committee_history` also leaves out those whose tables are not)."""
    found = _earlier(scan_snapshots(folder).found, status_date)
    return found[-1][2] if found else None


def _earlier(found: list[tuple[str, str, Path]], status_date: date | None) -> list[tuple[str, str, Path]]:
    if status_date is None:
        return found
    return [entry for entry in found if entry[0] < status_date.isoformat()]


COMPARED_TABLES = ("projects", "risks", "milestones", "tasks")
"""The tables `changes` reads (``tasks``: snapshots older than the milestones table)."""


def changes(before: Snapshot, after: Portfolio | Snapshot) -> pd.DataFrame:
    """What changed between two committees: risks, RAG, milestones, EAC and forecast finish."""
    now = after.tables() if isinstance(after, Portfolio) else after.tables
    old = before.tables
    rows: list[dict] = []

    def add(change, project, item="", name="", was=None, now_=None, delta=None):
        rows.append({"change": change, "project_id": project, "item": item, "name": name, "before": was,
                     "after": now_, "delta": delta})  # fmt: skip

    # Projects that appeared or went, RAG, EAC and forecast finish.
    p_old, p_new = (_keyed(p["projects"], _PROJECT_FIELDS, by=("project_id",)) for p in (old, now))
    for (project,) in sorted(set(p_new) - set(p_old)):
        add("new project", project, name=str(p_new[(project,)].get("name")))
    for (project,) in sorted(set(p_old) - set(p_new)):
        add("project no longer reported", project, name=str(p_old[(project,)].get("name")))
    for (project,) in sorted(set(p_old) & set(p_new)):
        was, now_ = p_old[(project,)], p_new[(project,)]
        for column in ("rag_overall", "rag_schedule", "rag_cost", "rag_risk"):
            a, b = was.get(column), now_.get(column)
            if _known(a) and _known(b) and a != b:
                add(f"RAG {column.removeprefix('rag_')}", project, was=a, now_=b)
        a, b = was.get("eac"), now_.get("eac")
        if _known(a) and _known(b) and abs(b - a) > max(1.0, 0.005 * abs(a)):
            add("EAC", project, was=float(a), now_=float(b), delta=float(b - a))
        a, b = _day(was.get("forecast_finish")), _day(now_.get("forecast_finish"))
        if a and b and a != b:
            add("forecast finish", project, was=a, now_=b, delta=(b - a).days)
    # Risks opened and closed.
    r_old, r_new = (
        _keyed(old["risks"], ("status", "title", "score")),
        _keyed(now["risks"], ("status", "title", "score")),
    )
    open_old = {k for k, r in r_old.items() if r.get("status") != "closed"}
    open_new = {k for k, r in r_new.items() if r.get("status") != "closed"}
    for key in sorted(open_new - set(r_old)):
        add("new risk", key[0], key[1], r_new[key].get("title") or "", now_=r_new[key].get("score"))
    for key in sorted(open_old - open_new):
        add("risk closed", key[0], key[1], r_old[key].get("title") or "", was=r_old[key].get("score"))
    # Milestones slipped or pulled in.
    # Snapshots from before milestones had their own table kept every task.
    m_old = _keyed(_milestones(old.get("milestones", old.get("tasks", pd.DataFrame()))), ("finish", "name"))
    m_new = _keyed(_milestones(now["milestones"]), ("finish", "name"))
    for key in sorted(set(m_old) & set(m_new)):
        a, b = _day(m_old[key].get("finish")), _day(m_new[key].get("finish"))
        if a and b and a != b:
            kind = "milestone slipped" if b > a else "milestone pulled in"
            add(kind, key[0], key[1], m_new[key].get("name") or "", a, b, (b - a).days)
    frame = pd.DataFrame(rows, columns=CHANGE_COLUMNS)
    # The committee compared with, for the pack to say so ("since the committee of 20 Nov 2026").
    frame.attrs["since"] = before.status_date
    return frame


def milestone_trend(snapshots: list[Snapshot], current: Portfolio | None = None) -> pd.DataFrame:
    """Key milestones' forecast at each reporting date: the milestone trend analysis (MTA) data."""
    frames = []
    # One point per reporting date: a re-run for the same committee replaces the earlier one.
    sources = {s.status_date: s.tables.get("milestones", s.tables.get("tasks", pd.DataFrame())) for s in snapshots}
    if current is not None:
        sources.pop(current.status_date, None)
        sources[current.status_date] = current.details["plan"]
    for when, tasks in sources.items():
        key = _milestones(tasks)
        if not len(key) or not {"project_id", "id", "name", "finish", "baseline_finish"} <= set(key.columns):
            continue  # no milestones then (an empty table is stored without its columns)
        key = key[key["key_milestone"] == True] if "key_milestone" in key else key.iloc[0:0]  # noqa: E712
        frame = pd.DataFrame({
            "reporting_date": pd.Timestamp(when) if when else pd.NaT,
            "project_id": key["project_id"], "milestone": key["id"].astype(str), "name": key["name"],
            "forecast": pd.to_datetime(key["finish"]), "baseline": pd.to_datetime(key["baseline_finish"]),
        })  # fmt: skip
        frames.append(frame)
    if not frames:
        return pd.DataFrame(columns=["reporting_date", "project_id", "milestone", "name", "forecast", "baseline"])
    return pd.concat(frames, ignore_index=True).sort_values(["project_id", "milestone", "reporting_date"])


EARNED_COLUMNS = ["status_date", "programme", "pv", "ev", "ac"]


def earned_value_history(snapshots: list[Snapshot], current: Portfolio | None = None) -> pd.DataFrame:
    """PV, EV and AC of the portfolio (``programme`` None) and of each programme at each earlier
    committee: the S-curves' history. One point per status date (its last run); none for the
    current roll-up's status date, whose figures are the current ones."""
    sources = {s.status_date: s.tables for s in snapshots if s.status_date is not None}
    if current is not None:
        sources.pop(current.status_date, None)
    frames = []
    for when, tables in sources.items():
        for name, column in (("portfolio", None), ("programmes", "programme")):
            table = tables.get(name)
            if table is None or not len(table) or not {"pv", "ev", "ac"} <= set(table.columns):
                continue
            frames.append(pd.DataFrame({
                "status_date": pd.Timestamp(when),
                "programme": table[column].astype(object) if column else None,
                **{k: pd.to_numeric(table[k], errors="coerce") for k in ("pv", "ev", "ac")},
            }))  # fmt: skip
    if not frames:
        return pd.DataFrame(columns=EARNED_COLUMNS)
    return pd.concat(frames, ignore_index=True)[EARNED_COLUMNS].sort_values("status_date", ignore_index=True)


def _milestones(tasks: pd.DataFrame) -> pd.DataFrame:
    return tasks[tasks["type"] == "milestone"] if len(tasks) and "type" in tasks else tasks


_PROJECT_FIELDS = ("name", "rag_overall", "rag_schedule", "rag_cost", "rag_risk", "eac", "forecast_finish")


def _keyed(
    frame: pd.DataFrame, fields: tuple[str, ...], by: tuple[str, ...] = ("project_id", "id")
) -> dict[tuple[str, ...], dict]:
    """``fields`` of each row (as ``tolist`` gives them) by its ``by`` columns, (project, ID) unless
    told; a later row with the same key wins."""
    if frame is None or frame.empty:
        return {}
    present = [f for f in fields if f in frame]
    keys = zip(*(map(str, frame[column].tolist()) for column in by), strict=True)
    values = zip(*(frame[f].tolist() for f in present), strict=True) if present else ((),) * len(frame)
    return {key: dict(zip(present, row, strict=True)) for key, row in zip(keys, values, strict=True)}


def _known(value) -> bool:
    return value is not None and not (isinstance(value, float) and value != value) and value is not pd.NaT


def _day(value) -> date | None:
    if not _known(value):
        return None
    try:
        return pd.Timestamp(value).date()
    except (ValueError, TypeError):
        return None


@dataclass
class CommitteeHistory:
    """What a committee pack shows of the committees before the current roll-up."""

    previous: Snapshot | None
    """The last committee (its compared tables), or None for the first one."""
    changes: pd.DataFrame | None
    """`changes` since ``previous``."""
    trend: pd.DataFrame
    """`milestone_trend` over every committee and the current roll-up."""
    problems: list[SnapshotProblem] = field(default_factory=list)
    """The snapshot folders left out, and why."""
    earned: pd.DataFrame | None = None
    """`earned_value_history` of the earlier committees, for the S-curves."""

    @property
    def previous_projects(self) -> pd.DataFrame | None:
        return self.previous.tables["projects"] if self.previous is not None else None

    def warnings(self, lang: str = "en") -> list[str]:
        """One sentence per snapshot left out, for the terminal or a message box, in ``lang``."""
        return [problem.sentence(lang) for problem in self.problems]

    def notes(self, lang: str = "en") -> list[dict[str, str]]:
        """The snapshots left out as *Load problems* rows."""
        return [problem.note(lang) for problem in self.problems]


def committee_history(
    folder: str | os.PathLike[str],
    current: Portfolio,
    since: str | os.PathLike[str] | None = None,
    *,
    trend: bool = True,
) -> CommitteeHistory:
    """The history `pmo report` and the *Committee pack* button put in the pack, from the
    snapshots in ``folder``: compared with ``since``, or with the last committee.

    A snapshot that cannot be read is left out of all of it and named in ``problems``; the
    last committee is then the latest valid one before it. ``since``, chosen by the user,
    raises `BadSnapshot` instead. Without ``trend`` (``pmo consolidate``), only the
    comparison is made.
    """
    scan = scan_snapshots(folder)
    bad: dict[Path, SnapshotProblem] = {problem.path: problem for problem in scan.problems}
    loaded: dict[Path, Snapshot] = {}
    if trend:
        # The trend needs only each snapshot's milestones ("tasks" in the oldest snapshots);
        # the S-curves, each one's portfolio and programme figures.
        for *_, path in scan.found:
            try:
                loaded[path] = load_snapshot(path, tables=("milestones", "tasks", "portfolio", "programmes"))
            except BadSnapshot as exc:
                bad[path] = exc.problem
    previous = None
    if since is not None:
        previous = load_snapshot(since, COMPARED_TABLES)
    else:
        for *_, path in reversed(_earlier(scan.found, current.status_date)):
            if path in bad:
                continue
            try:
                previous = load_snapshot(path, COMPARED_TABLES)
                break
            except BadSnapshot as exc:
                bad[path] = exc.problem
    diff = changes(previous, current) if previous is not None else None
    good = [snapshot for path, snapshot in loaded.items() if path not in bad]
    history = milestone_trend(good, current) if trend else milestone_trend([], current).iloc[0:0]
    return CommitteeHistory(
        previous,
        diff,
        history,
        problems=sorted(bad.values(), key=lambda p: str(p.path)),
        earned=earned_value_history(good, current) if trend else None,
    )


def snapshot_warnings(problems: Sequence[SnapshotProblem], lang: str = "en") -> list[str]:
    """The sentences to show for snapshots left out (`CommitteeHistory.warnings`), in ``lang``."""
    return [problem.sentence(lang) for problem in problems]
