"""Incremental consolidation: re-read only the workbooks that changed since the last run.

Each loaded workbook is kept in ``<cache folder>/<key>.pkl`` with the file's size,
modification time and SHA-256. A file whose size and modification time are unchanged is
taken from the cache; when they differ, its content hash decides (a copy that only touched
the date is not re-read). Entries are only valid for the same pmo-xl version, settings and
status date. The cache is pmo-xl's own scratch space: deleting the folder is always safe.
"""

from __future__ import annotations

import hashlib
import json
import os
import pickle
from collections.abc import Callable, Sequence
from datetime import date
from pathlib import Path

from pmo_logic import __version__
from pmo_logic.consolidate import ProjectLoad, collector_paused
from pmo_logic.files import atomic_output
from pmo_logic.models import PortfolioSettings
from pmo_logic.schedule_files import plan_file_of

CACHE_FORMAT = 5
"""Bumped when what a cached `ProjectLoad` holds changes (4: the sheets as column arrays, slip days in the
Plan's; 5: findings and problems in the workbook's language, so French workbooks read before are read again)."""


def file_hash(path: str | os.PathLike[str]) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


class ProjectCache:
    """Loaded workbooks kept between runs, in ``folder``."""

    def __init__(self, folder: str | os.PathLike[str]) -> None:
        self.folder = Path(folder)
        self.index_file = self.folder / "index.json"

    def _context(self, settings: PortfolioSettings, status_date: date | None) -> str:
        text = f"{__version__}|{CACHE_FORMAT}|{settings.model_dump_json()}|{status_date}"
        return hashlib.sha256(text.encode()).hexdigest()[:16]

    def _index(self) -> dict[str, dict]:
        try:
            return json.loads(self.index_file.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}

    def load(
        self,
        files: Sequence[str],
        settings: PortfolioSettings,
        status_date: date | None,
        loader: Callable[[Sequence[str]], list[ProjectLoad]],
    ) -> tuple[list[ProjectLoad], int]:
        """The loads of ``files`` (in order), reading only what changed; returns them and how many were read."""
        self.folder.mkdir(parents=True, exist_ok=True)
        context = self._context(settings, status_date)
        index = self._index()
        loaded: dict[str, ProjectLoad] = {}
        todo: list[str] = []
        stats: dict[str, tuple[int, int]] = {}
        with collector_paused():
            for path in files:
                key = str(Path(path).resolve())
                stat = os.stat(path)
                stats[key] = (stat.st_size, stat.st_mtime_ns)
                entry = index.get(key)
                cached = self._cached(entry, context, stat, path)
                if cached is not None:
                    loaded[key] = cached
                    entry["mtime_ns"] = stat.st_mtime_ns
                else:
                    todo.append(path)
        for load in loader(todo) if todo else []:
            key = str(Path(load.path).resolve())
            loaded[key] = load
            name = hashlib.sha256(key.encode()).hexdigest()[:24] + ".pkl"
            with atomic_output(self.folder / name) as tmp:
                tmp.write_bytes(load.packed or pickle.dumps(load, protocol=pickle.HIGHEST_PROTOCOL))
            load.packed = None  # kept only until stored
            size, mtime = stats[key]
            index[key] = {"size": size, "mtime_ns": mtime, "sha256": file_hash(load.path), "file": name,
                          "context": context, "plan_file": _plan_file_stamp(load)}  # fmt: skip
        with atomic_output(self.index_file) as tmp:
            tmp.write_text(json.dumps(index, indent=0), encoding="utf-8")
        return [loaded[str(Path(p).resolve())] for p in files], len(todo)

    def _cached(self, entry: dict | None, context: str, stat: os.stat_result, path: str) -> ProjectLoad | None:
        if not entry or entry.get("context") != context or entry.get("size") != stat.st_size:
            return None
        if entry.get("mtime_ns") != stat.st_mtime_ns and entry.get("sha256") != file_hash(path):
            return None
        if entry.get("plan_file") is not None and entry["plan_file"] != _stamp(entry["plan_file"][0]):
            return None  # the schedule file the workbook takes its Plan from has changed
        try:
            load = pickle.loads((self.folder / entry["file"]).read_bytes())
        except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ImportError):
            return None
        load.path = path
        return load


def _stamp(path: str) -> list:
    try:
        stat = os.stat(path)
    except OSError:
        return [path, None, None]
    return [path, stat.st_size, stat.st_mtime_ns]


def _plan_file_stamp(load: ProjectLoad) -> list | None:
    """The Plan file a workbook names (`schedule_files.plan_file_of`), as path, size and modification time."""
    plan_file = plan_file_of(load.workbook)
    return None if plan_file is None else _stamp(str(plan_file.resolve()))
