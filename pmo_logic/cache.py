"""Incremental consolidation: re-read only the workbooks that changed since the last run.

The cache lives in the analyst's own cache folder, never in the project managers' folder:
``platformdirs.user_cache_dir("pmo-xl")`` (``%LOCALAPPDATA%\\pmo-xl\\Cache`` on Windows,
``~/.cache/pmo-xl`` on Linux, ``~/Library/Caches/pmo-xl`` on macOS), or the folder named by
the ``PMO_XL_CACHE_DIR`` environment variable or ``--cache-dir``; one sub-folder per project
folder (`cache_folder`). Deleting it is always safe.

Each loaded workbook is one data-only file, ``<sub-folder>/<hash of its path>.arrow``: an
Arrow IPC file whose columns are the workbook's tables, column by column, and the KPIs, with
the rest (the workbook's model without its rows, the findings) as JSON in its metadata. No
pickle: reading an entry parses numbers, text and dates, and can run no code, whoever wrote
the file. ``index.json`` records, per workbook, its size, modification time and SHA-256 as
it was read, and the entry file's own SHA-256: an entry that is missing, does not check, does
not parse or whose fields do not validate is read again from the workbook, never trusted.

``kinds.json`` remembers what each file listed is (its ``pmo_kind`` property, `FileKinds`), by
path, size and modification time, so that listing the folder again opens only new or changed files.

A file whose size and modification time are unchanged is taken from the cache; when they
differ, its content hash decides (a copy that only touched the date is not re-read). Entries
are only valid for the same pmo-xl version, cache format, settings and status date.

>>> cache = ProjectCache.for_projects("pmo-demo/projects")  # doctest: +SKIP
>>> portfolio = consolidate("pmo-demo/projects", portfolio_workbook, cache=cache)  # doctest: +SKIP
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import json
import math
import os
import re
import stat as stat_module
from collections.abc import Callable, Sequence
from datetime import date, datetime
from pathlib import Path
from typing import Annotated, Any, Literal

import numpy as np
import pandas as pd
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from pmo_logic import __version__
from pmo_logic.consolidate import DETAIL_TABLES, ProjectLoad, collector_paused
from pmo_logic.files import atomic_output
from pmo_logic.findings import Finding
from pmo_logic.models import PortfolioSettings, ProjectWorkbook
from pmo_logic.schedule_files import plan_file_of

CACHE_FORMAT = 10
"""Bumped when what a cached `ProjectLoad` holds changes (4: the sheets as column arrays, slip days in the
Plan's; 5: findings and problems in the workbook's language, so French workbooks read before are read again;
6: the approved budget apart from BAC, open threats apart from opportunities, "no data" RAGs;
7: data-only Arrow entries with checksums, in the analyst's own cache folder; 8: the Plan's schedule
columns as pmo-xl computes them)."""

CACHE_DIR_VARIABLE = "PMO_XL_CACHE_DIR"
"""Environment variable naming the folder to keep caches in, instead of the user's cache folder."""

INDEX_NAME = "index.json"
MAX_INDEX_BYTES = 64 << 20
"""An index larger than this is not read (about 200,000 workbooks): the cache starts again."""
MAX_ENTRY_BYTES = 512 << 20
"""No entry larger than this is read or written (a 100,000-row plan takes about 20 MB)."""

_ENTRY_SUFFIX = ".arrow"
_ENTRY_NAME = re.compile(r"^[0-9a-f]{32}\.arrow$")
_METADATA_KEY = b"pmo-xl"
_HEX64 = r"^[0-9a-f]{64}$"
_INT64 = 2**63


CACHE_SWITCH_VARIABLE = "PMO_XL_CACHE"
"""Environment variable that turns the cache off where no ``--no-cache`` can be given (the Excel
buttons): ``off``, ``no``, ``0`` or ``false``."""


def cache_enabled() -> bool:
    """False when ``PMO_XL_CACHE`` says off: every workbook is then read again."""
    return os.environ.get(CACHE_SWITCH_VARIABLE, "").strip().lower() not in ("off", "no", "0", "false")


def cache_root() -> Path:
    """Where caches are kept: ``PMO_XL_CACHE_DIR``, else the user's own cache folder."""
    configured = os.environ.get(CACHE_DIR_VARIABLE)
    if configured:
        return Path(configured)
    import platformdirs

    return Path(platformdirs.user_cache_dir("pmo-xl", appauthor=False))


def cache_folder(project_folder: str | os.PathLike[str], root: str | os.PathLike[str] | None = None) -> Path:
    """The cache sub-folder of one project folder, under ``root`` (default `cache_root`).

    Keyed by the project folder's resolved path (its hash), so two portfolios never share
    entries; the folder's name comes first, for whoever looks inside.
    """
    resolved = str(Path(project_folder).resolve())
    name = re.sub(r"[^A-Za-z0-9_-]+", "_", Path(resolved).name)[:40].strip("_") or "folder"
    digest = hashlib.sha256(resolved.encode("utf-8", "surrogatepass")).hexdigest()[:16]
    return Path(root if root is not None else cache_root()) / f"{name}-{digest}"


def file_hash(path: str | os.PathLike[str]) -> str:
    """SHA-256 of a file's content, as hex."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


class ProjectCache:
    """Loaded workbooks kept between runs, in ``folder`` (see `ProjectCache.for_projects`)."""

    def __init__(self, folder: str | os.PathLike[str]) -> None:
        self.folder = Path(folder)
        self.index_file = self.folder / INDEX_NAME
        self.kinds = FileKinds(self.folder / KINDS_NAME)
        """What the files listed are (`FileKinds`), so that listing a folder opens only new files."""

    @classmethod
    def for_projects(
        cls, project_folder: str | os.PathLike[str], root: str | os.PathLike[str] | None = None
    ) -> ProjectCache:
        """The cache of one project folder, in the analyst's cache folder (or under ``root``)."""
        return cls(cache_folder(project_folder, root))

    def load(
        self,
        files: Sequence[str],
        settings: PortfolioSettings,
        status_date: date | None,
        loader: Callable[[Sequence[str]], list[ProjectLoad]],
    ) -> tuple[list[ProjectLoad], int]:
        """The loads of ``files`` (in order), reading only what changed; returns them and how many were read.

        Never raises for what is in the cache folder: a cache that cannot be read is read
        again from the workbooks, one that cannot be written is left as it was.
        """
        context = self._context(settings, status_date)
        index = self._index()
        loaded: dict[str, ProjectLoad] = {}
        kept: dict[str, IndexEntry] = {}
        todo: list[str] = []
        with collector_paused():
            for path in files:
                key = str(Path(path).resolve())
                found = self._cached(key, index.get(key), context, path)
                if found is None:
                    todo.append(path)
                else:
                    loaded[key], kept[key] = found
        writable = self._prepare()
        for load in loader(todo) if todo else []:
            key = str(Path(load.path).resolve())
            loaded[key] = load
            entry = self._store(key, load, context) if writable else None
            load.packed = None  # kept only until stored
            if entry is not None:
                kept[key] = entry
        if writable:
            self._save_index(kept)
        return [loaded[str(Path(p).resolve())] for p in files], len(todo)

    # --- reading ----------------------------------------------------------------------------

    def _context(self, settings: PortfolioSettings, status_date: date | None) -> str:
        text = f"{__version__}|{CACHE_FORMAT}|{settings.model_dump_json()}|{status_date}"
        return hashlib.sha256(text.encode()).hexdigest()[:16]

    def entry_file(self, key: str) -> Path:
        """The entry file of a workbook: named from its path's hash, never from what a file says."""
        return self.folder / (hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()[:32] + _ENTRY_SUFFIX)

    def _index(self) -> dict[str, IndexEntry]:
        """The index, every field checked: a bad entry is dropped, a bad index is an empty one."""
        data = _read_regular_file(self.index_file, MAX_INDEX_BYTES)
        if data is None:
            return {}
        try:
            raw = json.loads(data)
        except (ValueError, RecursionError):  # not JSON, not UTF-8, too deep, a number too long
            return {}
        if not isinstance(raw, dict) or type(raw.get("format")) is not int or raw["format"] != CACHE_FORMAT:
            return {}
        entries = raw.get("entries")
        index: dict[str, IndexEntry] = {}
        for key, value in entries.items() if isinstance(entries, dict) else ():
            try:
                index[key] = IndexEntry.model_validate(value)
            except (ValidationError, TypeError, ValueError, RecursionError):
                continue
        return index

    def _cached(
        self, key: str, entry: IndexEntry | None, context: str, path: str
    ) -> tuple[ProjectLoad, IndexEntry] | None:
        if entry is None or entry.context != context:
            return None
        try:
            state = os.stat(path)
            if entry.size != state.st_size:
                return None
            if entry.mtime_ns != state.st_mtime_ns:
                # Touched, maybe changed: the content decides, if it stayed still while hashed.
                if entry.sha256 != file_hash(path):
                    return None
                after = os.stat(path)
                if (after.st_size, after.st_mtime_ns) != (state.st_size, state.st_mtime_ns):
                    return None
                entry = entry.model_copy(update={"mtime_ns": state.st_mtime_ns})
        except OSError:  # vanished or locked since it was listed: the loader says what it is
            return None
        if entry.plan_file is not None and _stamp(entry.plan_file) != (entry.plan_size, entry.plan_mtime_ns):
            return None  # the schedule file the workbook takes its Plan from has changed
        data = _read_regular_file(self.entry_file(key), MAX_ENTRY_BYTES)
        if data is None or len(data) != entry.entry_size or hashlib.sha256(data).hexdigest() != entry.entry_sha256:
            return None
        try:
            load = decode_load(data, path)
        except Exception:  # whatever is wrong in it (pyarrow, pydantic, numpy): read the workbook again
            return None
        return load, entry

    # --- writing ----------------------------------------------------------------------------

    def _prepare(self) -> bool:
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
        except OSError:
            return False
        return self.folder.is_dir()

    def _store(self, key: str, load: ProjectLoad, context: str) -> IndexEntry | None:
        # Only a load whose file stayed the same while it was read and hashed (`ProjectLoad.source`).
        if load.source is None:
            return None
        size, mtime_ns, sha256 = load.source
        try:
            data = load.packed if load.packed is not None else encode_load(load)
        except NotStorable:
            return None
        if len(data) > MAX_ENTRY_BYTES:
            return None
        try:
            with atomic_output(self.entry_file(key)) as tmp:
                tmp.write_bytes(data)
        except OSError:  # a full disk, a locked file: this workbook is read again next time
            return None
        plan_file = plan_file_of(load.workbook)
        plan = {} if plan_file is None else {"plan_file": str(plan_file.resolve())}
        if plan:
            plan["plan_size"], plan["plan_mtime_ns"] = _stamp(plan["plan_file"])
        return IndexEntry(size=size, mtime_ns=mtime_ns, sha256=sha256, entry_sha256=hashlib.sha256(data).hexdigest(),
                          entry_size=len(data), context=context, **plan)  # fmt: skip

    def _save_index(self, entries: dict[str, IndexEntry]) -> None:
        document = {"format": CACHE_FORMAT, "entries": {key: e.model_dump() for key, e in entries.items()}}
        try:
            with atomic_output(self.index_file) as tmp:
                tmp.write_text(json.dumps(document, indent=0), encoding="utf-8")
        except OSError:
            return
        # Entries of workbooks no longer in the index (removed, renamed, older runs): only files
        # of the cache's own naming, whatever else the folder holds.
        wanted = {self.entry_file(key).name for key in entries}
        try:
            names = os.listdir(self.folder)
        except OSError:
            return
        for name in names:
            if _ENTRY_NAME.match(name) and name not in wanted:
                with contextlib.suppress(OSError):
                    os.unlink(self.folder / name)


KINDS_NAME = "kinds.json"
MAX_KINDS_BYTES = 64 << 20


class FileKinds:
    """The ``pmo_kind`` property of files seen before, kept by path, size and modification time.

    Listing a folder asks each workbook what it is (`validate.output_kind`, `reader.document_kind`),
    which opens its zip: about a millisecond a file, a second for a thousand. A file whose size
    and modification time are those it had is not opened again; any other is, and a memo that
    does not parse or validate is an empty one (it only costs that time again).
    """

    def __init__(self, file: str | os.PathLike[str]) -> None:
        self.file = Path(file)
        self._known: dict[str, dict[str, str | None]] | None = None
        self._seen: dict[str, _KindRecord] = {}
        self._changed = False

    def output_kind(self, path: str | os.PathLike[str]) -> str | None:
        """`validate.output_kind` of ``path``, from the memo when the file is as it was."""
        from pmo_logic.validate import OUTPUT_KINDS, output_kind

        value = self._lookup("output_kind", path, output_kind)
        return value if value is None or value in OUTPUT_KINDS else output_kind(path)

    def document_kind(self, path: str | os.PathLike[str]) -> str | None:
        """`reader.document_kind` of ``path``, from the memo when the file is as it was."""
        from pmo_logic.reader import document_kind

        return self._lookup("document_kind", path, document_kind)

    def save(self) -> None:
        """Keep what was looked up this run (only the files seen this run: the others are gone)."""
        if not self._changed:
            return
        document = {"format": CACHE_FORMAT, "files": {key: r.model_dump() for key, r in self._seen.items()}}
        try:
            self.file.parent.mkdir(parents=True, exist_ok=True)
            with atomic_output(self.file) as tmp:
                tmp.write_text(json.dumps(document, separators=(",", ":")), encoding="utf-8")
        except OSError:
            pass
        self._changed = False

    def _lookup(self, name: str, path: str | os.PathLike[str], compute: Callable[[Any], str | None]) -> str | None:
        key = os.path.abspath(path)
        try:
            state = os.stat(key)
        except OSError:
            return compute(path)  # not there, or locked: the reader says what it is
        record = self._seen.get(key) or self._memo().get(key)
        if record is None or (record.size, record.mtime_ns) != (state.st_size, state.st_mtime_ns):
            record = _KindRecord(size=state.st_size, mtime_ns=state.st_mtime_ns)
        if name not in record.kinds:
            value = compute(path)
            after = _stamp(key)
            if after != (state.st_size, state.st_mtime_ns):
                return value  # saved meanwhile: used, not kept
            record = record.model_copy(update={"kinds": {**record.kinds, name: value}})
            self._changed = True
        if self._seen.get(key) is not record:
            self._seen[key] = record
            self._changed = True
        return record.kinds[name]

    def _memo(self) -> dict[str, _KindRecord]:
        if self._known is None:
            self._known = {}
            data = _read_regular_file(self.file, MAX_KINDS_BYTES)
            try:
                raw = json.loads(data) if data is not None else {}
            except (ValueError, RecursionError):
                raw = {}
            if isinstance(raw, dict) and type(raw.get("format")) is int and raw["format"] == CACHE_FORMAT:
                files = raw.get("files")
                for key, value in files.items() if isinstance(files, dict) else ():
                    try:
                        self._known[key] = _KindRecord.model_validate(value)
                    except (ValidationError, TypeError, ValueError, RecursionError):
                        continue
        return self._known


class _KindRecord(BaseModel):
    """One file in ``kinds.json``: its size and modification time, and what each lookup gave."""

    model_config = ConfigDict(strict=True, extra="forbid", frozen=True)

    size: int = Field(ge=0, lt=_INT64)
    mtime_ns: int = Field(gt=-_INT64, lt=_INT64)
    kinds: dict[Literal["output_kind", "document_kind"], Annotated[str, Field(max_length=64)] | None] = {}


class IndexEntry(BaseModel):
    """One workbook in ``index.json``, as it was when read, and its entry file's checksum."""

    model_config = ConfigDict(strict=True, extra="forbid", frozen=True)

    size: int = Field(ge=0, lt=_INT64)
    mtime_ns: int = Field(gt=-_INT64, lt=_INT64)
    sha256: str = Field(pattern=_HEX64)
    entry_sha256: str = Field(pattern=_HEX64)
    entry_size: int = Field(ge=0, le=MAX_ENTRY_BYTES)
    context: str = Field(pattern=r"^[0-9a-f]{16}$")
    plan_file: str | None = Field(default=None, max_length=32_767)
    """The schedule file the workbook takes its Plan from (`schedule_files.plan_file_of`), and its
    size and modification time then: a change to it is a change to the project. Only stat'ed."""
    plan_size: int | None = Field(default=None, ge=0, lt=_INT64)
    plan_mtime_ns: int | None = Field(default=None, gt=-_INT64, lt=_INT64)


def _stamp(path: str) -> tuple[int | None, int | None]:
    try:
        state = os.stat(path)
    except (OSError, ValueError):
        return None, None
    return state.st_size, state.st_mtime_ns


def _read_regular_file(path: Path, limit: int) -> bytes | None:
    """The bytes of a regular file of at most ``limit`` bytes; None for anything else.

    Opened without blocking, so that a named pipe planted under the name cannot stall the run,
    and without following a symbolic link (POSIX), so that nothing outside the folder is read.
    """
    flags = os.O_RDONLY | getattr(os, "O_BINARY", 0) | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOFOLLOW", 0)
    try:
        fd = os.open(path, flags)
    except OSError:
        return None
    try:
        info = os.fstat(fd)
        if not stat_module.S_ISREG(info.st_mode) or info.st_size > limit:
            return None
        with os.fdopen(fd, "rb", closefd=False) as handle:
            data = handle.read(info.st_size + 1)  # one byte more tells a file that grew meanwhile
        return data if len(data) == info.st_size else None
    except OSError:
        return None
    finally:
        os.close(fd)


# --- the entry format -----------------------------------------------------------------------
#
# An entry is one Arrow IPC file with a single row. Its columns are groups of values, each a
# list holding every value of that kind, one table column after the other: one group per
# NumPy dtype (float64, int64, datetime64[s]...), "text" for object columns of text and blanks
# (the distinct strings, and a code per value, as pickle shares repeated strings; the codes
# after them are None and NaN), "mixed" for other object columns (a union with a child per
# Python type). The JSON metadata says which table column is where, and holds the KPIs, each
# with its kind. Few groups, so reading is a handful of array conversions whatever the number
# of columns.


class NotStorable(ValueError):
    """A load holds a value the entry format has no type for: it is used, but not cached."""


class _EntryMeta(BaseModel):
    """The JSON part of an entry: everything but the column arrays."""

    model_config = ConfigDict(extra="forbid", ser_json_inf_nan="constants")

    format: int
    workbook: ProjectWorkbook
    findings: list[Finding]
    tables: dict[str, tuple[int, list[tuple[str, str, str]]]]
    """Table key -> (rows, its columns as (name, NumPy dtype name, group)), in the groups' order."""
    kpis: list[tuple[str, str, bool | int | float | str | None]]
    """The KPIs as (name, kind of value, value): the kind is one of `_KINDS`."""


# Object columns and KPIs hold Python values of these types; in a column, each has a child of
# the union that holds them. NumPy and pandas scalars come back as what they were.
_KINDS: tuple[tuple[str, Any, Any], ...] = (
    ("none", type(None), None),
    ("str", str, None),
    ("float", float, None),
    ("bool", bool, None),
    ("int", int, None),
    ("date", date, None),
    ("datetime", datetime, None),
    ("np_float64", np.float64, np.float64),
    ("np_int64", np.int64, np.int64),
    ("np_bool", np.bool_, np.bool_),
    ("pd_timestamp", pd.Timestamp, pd.Timestamp),
    ("pd_nat", type(pd.NaT), lambda _: pd.NaT),
)
_KIND_CODE = {python_type: code for code, (_, python_type, _) in enumerate(_KINDS)}
_KIND_NAMES = {name: code for code, (name, _, _) in enumerate(_KINDS)}
_TEXT_KINDS = {str, type(None), float}
_NATIVE_DTYPES = {
    name: np.dtype(name)
    for name in (
        "bool", "int8", "int16", "int32", "int64", "uint8", "uint16", "uint32", "uint64", "float32", "float64",
        *(f"datetime64[{unit}]" for unit in ("s", "ms", "us", "ns")),
        *(f"timedelta64[{unit}]" for unit in ("s", "ms", "us", "ns")),
    )
}  # fmt: skip
_TEXT, _TEXT_CODES, _MIXED = "text", "text_codes", "mixed"


def _arrow() -> Any:
    import pyarrow

    return pyarrow


@functools.cache
def _union_type() -> Any:
    pa = _arrow()
    children = (pa.null(), pa.string(), pa.float64(), pa.bool_(), pa.int64(), pa.date32(), pa.timestamp("us"),
                pa.float64(), pa.int64(), pa.bool_(), pa.int64(), pa.null())  # fmt: skip
    fields = [pa.field(name, child) for (name, _, _), child in zip(_KINDS, children, strict=True)]
    return pa.dense_union(fields, list(range(len(_KINDS))))


def encode_load(load: ProjectLoad) -> bytes:
    """A load as the bytes of an entry file (an Arrow IPC file). Raises `NotStorable`."""
    pa = _arrow()
    groups: dict[str, list[np.ndarray]] = {}
    tables: dict[str, tuple[int, list[tuple[str, str, str]]]] = {}
    for key, table in load.tables.items():
        columns, rows = [], None
        for column, values in table.items():
            values = np.asarray(values)
            if values.ndim != 1 or (rows is not None and len(values) != rows):
                raise NotStorable(f"{key}.{column} is not a column of its table")
            rows, dtype = len(values), _dtype_name(values.dtype)
            if dtype == "object":
                group = _TEXT if _is_text(values) else _MIXED
            elif dtype in _NATIVE_DTYPES:
                group = dtype
            else:
                raise NotStorable(f"no cache type for {dtype}")
            groups.setdefault(group, []).append(values)
            columns.append((column, dtype, group))
        tables[key] = (rows or 0, columns)
    kpis = [(name, *_kpi_to_json(value)) for name, value in load.kpis.items()]
    arrays, names = [], []
    for group, parts in groups.items():
        whole = np.concatenate(parts) if len(parts) > 1 else parts[0]
        if group == _TEXT:
            codes, distinct = pd.factorize(whole)
            # Blanks after the distinct strings: None, then NaN (pandas' blank in a text column).
            blanks = np.flatnonzero(codes < 0)
            codes[blanks] = len(distinct) + ~np.equal(whole[blanks], None).astype(bool)
            encoded = {_TEXT: pa.array(distinct, type=pa.string()),
                       _TEXT_CODES: pa.array(codes.astype(np.int32, copy=False))}  # fmt: skip
        elif group == _MIXED:
            encoded = {_MIXED: _encode_mixed(pa, whole)}
        else:
            encoded = {group: pa.array(whole)}  # NaN stays a value; NaT becomes a null, and NaT again
        for name, array in encoded.items():
            arrays.append(pa.ListArray.from_arrays(pa.array([0, len(array)], pa.int32()), array))
            names.append(name)
    try:
        meta = _EntryMeta(format=CACHE_FORMAT, workbook=load.workbook, findings=load.findings, tables=tables,
                          kpis=kpis).model_dump_json()  # fmt: skip
    except (ValueError, TypeError) as exc:
        raise NotStorable(str(exc)) from exc
    batch = pa.RecordBatch.from_arrays(arrays, names=names)
    sink = pa.BufferOutputStream()
    with pa.ipc.new_file(sink, batch.schema.with_metadata({_METADATA_KEY: meta.encode("utf-8")})) as writer:
        writer.write_batch(batch)
    return sink.getvalue().to_pybytes()


def decode_load(data: bytes, path: str) -> ProjectLoad:
    """The load an entry file holds. Raises on anything unexpected in it (the caller reads
    the workbook again): an entry is parsed and checked, never trusted."""
    pa = _arrow()
    reader = pa.ipc.open_file(pa.py_buffer(data))
    if reader.num_record_batches != 1:
        raise ValueError("one record batch expected")
    batch = reader.get_batch(0)
    batch.validate(full=True)  # every offset and length within its buffers, before any value is read
    meta = _EntryMeta.model_validate_json(reader.schema.metadata[_METADATA_KEY])
    rows = 1 if batch.num_columns else 0  # one row of lists; none for a workbook without tables
    if meta.format != CACHE_FORMAT or batch.num_rows != rows or len(set(batch.schema.names)) != batch.num_columns:
        raise ValueError("not an entry of this format")
    lists = {name: batch.column(n) for n, name in enumerate(batch.schema.names)}
    for array in lists.values():
        if not pa.types.is_list(array.type):
            raise ValueError("a list column expected")
    groups = {
        name: _decode_group(pa, name, array.values, lists) for name, array in lists.items() if name != _TEXT_CODES
    }
    dtypes = {name: _dtype_name(values.dtype) for name, values in groups.items()}
    used = dict.fromkeys(groups, 0)
    tables: dict[str, dict[str, np.ndarray]] = {}
    for key, (rows, columns) in meta.tables.items():
        if key not in DETAIL_TABLES or rows < 0:
            raise ValueError(f"unexpected table {key}")
        table = tables[key] = {}
        for column, dtype, group in columns:
            if dtypes[group] != dtype:  # a KeyError for a group not in the file
                raise ValueError(f"unexpected column {key}.{column}")
            start = used[group]
            table[column] = groups[group][start : start + rows]
            used[group] = start + rows
        if len(table) != len(columns):
            raise ValueError(f"a column twice in {key}")
    # Each group's columns one after the other, to the last value: no slice was cut short.
    if used != {name: len(values) for name, values in groups.items()}:
        raise ValueError("the groups do not hold what the entry says")
    kpis = {name: _kpi_from_json(kind, value) for name, kind, value in meta.kpis}
    if len(kpis) != len(meta.kpis):
        raise ValueError("a KPI twice")
    return ProjectLoad(path=str(path), workbook=meta.workbook, findings=meta.findings, kpis=kpis, tables=tables)


def _kpi_to_json(value: Any) -> tuple[str, bool | int | float | str | None]:
    code = _KIND_CODE.get(type(value))
    if code is None:
        raise NotStorable(f"no cache type for a {type(value).__name__}")
    kind = _KINDS[code][0]
    if kind in ("date", "datetime", "pd_timestamp"):
        if kind != "date" and value.tzinfo is not None:
            raise NotStorable("a date and time with a time zone")
        return kind, value.isoformat()
    if kind in ("none", "pd_nat"):
        return kind, None
    if kind in ("np_float64", "np_int64", "np_bool"):
        value = value.item()
    if type(value) is int and not -_INT64 <= value < _INT64:
        raise NotStorable("an integer too large")
    return kind, value


_KPI_JSON_TYPES = {"str": str, "float": float, "bool": bool, "int": int, "np_float64": float, "np_int64": int,
                   "np_bool": bool, "date": str, "datetime": str, "pd_timestamp": str}  # fmt: skip


def _kpi_from_json(kind: str, value: Any) -> Any:
    if kind in ("none", "pd_nat"):
        if value is not None:
            raise ValueError(f"a {kind} with a value")
        return None if kind == "none" else pd.NaT
    expected = _KPI_JSON_TYPES[kind]  # a KeyError for another kind
    if type(value) is int and expected is float:
        value = float(value)  # JSON may write a whole float without its decimal point
    if type(value) is not expected:
        raise ValueError(f"a {type(value).__name__} for a {kind}")
    if kind == "date":
        return date.fromisoformat(value)
    if kind == "datetime":
        return datetime.fromisoformat(value)
    if kind == "pd_timestamp":
        return pd.Timestamp(value)
    convert = _KINDS[_KIND_NAMES[kind]][2]
    return convert(value) if convert is not None else value


def _is_text(values: np.ndarray) -> bool:
    """Text and blanks only: str, None, and NaN (a float, as pandas leaves blanks in text columns)."""
    kinds = set(map(type, values))
    return kinds <= _TEXT_KINDS and (float not in kinds or all(v != v for v in values if type(v) is float))


@functools.cache
def _dtype_name(dtype: np.dtype) -> str:
    return dtype.name  # computed in Python by NumPy, for every array: once per dtype here


def _decode_group(pa: Any, name: str, array: Any, lists: dict[str, Any]) -> np.ndarray:
    if name == _TEXT:
        if not pa.types.is_string(array.type) or _TEXT_CODES not in lists:
            raise ValueError("text expected")
        codes_array = lists[_TEXT_CODES].values
        if codes_array.type != pa.int32() or codes_array.null_count:
            raise ValueError("text codes expected")
        codes = codes_array.to_numpy()
        lookup = np.empty(len(array) + 2, dtype=object)
        lookup[: len(array)] = array.to_numpy(zero_copy_only=False)
        lookup[len(array) :] = [None, math.nan]
        if len(codes) and (codes.min() < 0 or codes.max() >= len(lookup)):
            raise ValueError("a text code out of range")
        return lookup[codes]
    if name == _MIXED:
        return _decode_mixed(pa, array)
    expected = _NATIVE_DTYPES.get(name)
    if expected is None or pa.types.is_string(array.type) or pa.types.is_union(array.type):
        raise ValueError(f"unexpected group {name}")
    values = np.array(array.to_numpy(zero_copy_only=False))  # a copy: writable, not tied to the file's buffer
    if values.dtype != expected:
        raise ValueError(f"{values.dtype} read where {name} was written")
    return values


def _encode_mixed(pa: Any, values: np.ndarray) -> Any:
    """Object values of any of the `_KINDS`, as a dense union (a child per kind)."""
    kinds = set(map(type, values))
    if not kinds <= _KIND_CODE.keys():
        raise NotStorable(f"no cache type for {sorted(k.__name__ for k in kinds - _KIND_CODE.keys())}")
    codes = np.fromiter((_KIND_CODE[type(v)] for v in values), dtype=np.int8, count=len(values))
    offsets = np.zeros(len(values), dtype=np.int32)
    union_type = _union_type()
    children = []
    for code, (name, python_type, _) in enumerate(_KINDS):
        child_type = union_type.field(code).type
        if python_type not in kinds:
            children.append(pa.array([], type=child_type))
            continue
        where = np.flatnonzero(codes == code)
        offsets[where] = np.arange(len(where), dtype=np.int32)
        chosen = values[where].tolist()
        if name in ("datetime", "pd_timestamp") and any(v.tzinfo is not None for v in chosen):
            raise NotStorable("a date and time with a time zone")
        if name in ("none", "pd_nat"):
            children.append(pa.nulls(len(chosen)))
            continue
        if name == "pd_timestamp":
            chosen = [v.value for v in chosen]
        elif name in ("np_float64", "np_int64", "np_bool"):
            chosen = [v.item() for v in chosen]
        try:
            children.append(pa.array(chosen, type=child_type))
        except (pa.ArrowInvalid, pa.ArrowTypeError, OverflowError) as exc:
            raise NotStorable(str(exc)) from exc
    return pa.UnionArray.from_dense(
        pa.array(codes, pa.int8()), pa.array(offsets, pa.int32()), children, [k[0] for k in _KINDS],
        list(range(len(_KINDS))),
    )  # fmt: skip


def _decode_mixed(pa: Any, array: Any) -> np.ndarray:
    """The values of a dense union, child by child (each child's values converted at once)."""
    if array.type != _union_type():
        raise ValueError(f"unexpected column type {array.type}")
    values = np.empty(len(array), dtype=object)  # None where the "none" child is
    if not len(array):
        return values  # read back from a file, an empty union has no buffers (and pyarrow's accessors crash)
    # The type codes and offsets from the buffers themselves (validated as long enough).
    buffers, start, end = array.buffers(), array.offset, array.offset + len(array)
    codes = np.frombuffer(buffers[1], dtype=np.int8)[start:end]
    offsets = np.frombuffer(buffers[2], dtype=np.int32)[start:end]
    if len(codes) != len(array) or len(offsets) != len(array):
        raise ValueError("union buffers too short")
    for code, (name, _, convert) in enumerate(_KINDS):
        child = array.field(code)
        if name == "none" or not len(child):
            continue
        where = np.flatnonzero(codes == code)
        picked = offsets[where]
        if len(picked) and (picked.min() < 0 or picked.max() >= len(child)):
            raise ValueError("a union offset out of range")
        if name == "str":
            items = child.to_numpy(zero_copy_only=False)
        else:
            # NumPy's tolist gives Python floats, ints, bools, dates and datetimes.
            items = np.empty(len(child), dtype=object)
            items[:] = child.to_numpy(zero_copy_only=False).tolist() if name != "pd_nat" else None
            if convert is not None:
                items[:] = [convert(v) for v in items]
        values[where] = items[picked]
    return values
