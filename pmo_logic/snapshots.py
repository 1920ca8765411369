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
"""

from __future__ import annotations

import json
import os
from collections.abc import Collection
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from pmo_logic import __version__
from pmo_logic.consolidate import Portfolio
from pmo_logic.files import atomic_output

FORMAT = "pmo-xl snapshot"
FORMAT_VERSION = 1
TABLES = ("projects", "programmes", "portfolio", "milestones", "risks", "actions", "issues", "decisions",
          "interface_risks")  # fmt: skip
CHANGE_COLUMNS = ["change", "project_id", "item", "name", "before", "after", "delta"]
DATE_COLUMNS = {"status_date", "start_date", "end_date", "forecast_finish", "baseline_finish", "agile_forecast_finish",
                "start", "finish", "baseline_start", "actual_start", "actual_finish", "due_date",
                "raised_on", "needed_by", "decided_on", "need_by", "forecast", "month", "constraint_date"}  # fmt: skip


@dataclass
class Snapshot:
    path: Path
    status_date: date | None
    created: str
    tables: dict[str, pd.DataFrame]


def save_snapshot(portfolio: Portfolio, folder: str | os.PathLike[str], *, created: datetime | None = None) -> Path:
    """Store the roll-up's tables as a new snapshot folder; returns its path."""
    root = Path(folder)
    stamp = portfolio.status_date.isoformat() if portfolio.status_date else "undated"
    target = root / stamp
    n = 2
    while target.exists():
        target = root / f"{stamp}_{n}"
        n += 1
    target.mkdir(parents=True)
    tables = portfolio.tables()
    manifest = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "pmo_xl": __version__,
        "status_date": portfolio.status_date.isoformat() if portfolio.status_date else None,
        "created": (created or datetime.now()).isoformat(timespec="seconds"),
        "portfolio": portfolio.settings.portfolio_name,
        "tables": {},
    }
    for name in TABLES:
        frame = tables[name]
        with atomic_output(target / f"{name}.jsonl") as tmp:
            _to_jsonl(frame, tmp)
        # The columns too: an empty table has no row to name them.
        manifest["tables"][name] = {"file": f"{name}.jsonl", "rows": len(frame), "columns": [str(c) for c in frame]}
    with atomic_output(target / "manifest.json") as tmp:
        tmp.write_text(json.dumps(manifest, indent=1), encoding="utf-8")
    return target


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
    """A snapshot's tables (only those named in ``tables``, when given: the trend needs one)."""
    folder = Path(path)
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    if manifest.get("format") != FORMAT:
        raise ValueError(f"{folder} is not a pmo-xl snapshot")
    loaded = {}
    for name, entry in manifest["tables"].items():
        if tables is not None and name not in tables:
            continue
        lines = [line for line in (folder / entry["file"]).read_text(encoding="utf-8").splitlines() if line]
        rows = json.loads("[" + ",".join(lines) + "]")  # one parse instead of one per line: the same rows
        frame = pd.DataFrame(rows) if rows else pd.DataFrame(columns=entry.get("columns", []))
        for column in frame.columns:
            if column in DATE_COLUMNS:
                frame[column] = pd.to_datetime(frame[column], errors="coerce")
        loaded[name] = frame
    status = manifest.get("status_date")
    return Snapshot(folder, date.fromisoformat(status) if status else None, manifest.get("created", ""), loaded)


def list_snapshots(folder: str | os.PathLike[str]) -> list[Path]:
    """Snapshot folders, oldest first (by status date, then creation)."""
    return [path for *_, path in _manifests(folder)]


def last_committee(folder: str | os.PathLike[str], status_date: date | None) -> Path | None:
    """The snapshot a roll-up at ``status_date`` is compared with: the latest one of an earlier
    status date (a re-run for the same committee is not the last committee), or the latest of
    all when ``status_date`` is None."""
    found = _manifests(folder)
    if status_date is not None:
        found = [entry for entry in found if entry[0] and entry[0] < status_date.isoformat()]
    return found[-1][2] if found else None


def _manifests(folder: str | os.PathLike[str]) -> list[tuple[str, str, Path]]:
    """(status date, created, folder) of each snapshot, oldest first."""
    root = Path(folder)
    if not root.is_dir():
        return []
    found = []
    for child in root.iterdir():
        manifest = child / "manifest.json"
        if manifest.is_file():
            data = json.loads(manifest.read_text(encoding="utf-8"))
            found.append((data.get("status_date") or "", data.get("created") or "", child))
    return sorted(found)


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
    return pd.DataFrame(rows, columns=CHANGE_COLUMNS)


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
    earned: pd.DataFrame | None = None
    """`earned_value_history` of the earlier committees, for the S-curves."""

    @property
    def previous_projects(self) -> pd.DataFrame | None:
        return self.previous.tables["projects"] if self.previous is not None else None


def committee_history(
    folder: str | os.PathLike[str], current: Portfolio, since: str | os.PathLike[str] | None = None
) -> CommitteeHistory:
    """The history `pmo report` and the *Committee pack* button put in the pack, from the
    snapshots in ``folder``: compared with ``since``, or with `last_committee`."""
    # The trend needs only each snapshot's milestones ("tasks" in the oldest snapshots);
    # the S-curves, each one's portfolio and programme figures.
    wanted = ("milestones", "tasks", "portfolio", "programmes")
    snapshots = [load_snapshot(p, tables=wanted) for p in list_snapshots(folder)]
    last = since if since is not None else last_committee(folder, current.status_date)
    previous = load_snapshot(last, COMPARED_TABLES) if last is not None else None
    diff = changes(previous, current) if previous is not None else None
    return CommitteeHistory(
        previous, diff, milestone_trend(snapshots, current), earned_value_history(snapshots, current)
    )
