"""What pmo-xl may write over: one guard for every file it writes.

A PMO folder holds people's work. An output (`Output`) replaces an existing file only when
pmo-xl wrote that file as the same kind of output, or when the analyst asks (``--force``);
an input of the run (the portfolio workbook, a workbook of the project folder, the settings
file) is never replaced, even with ``--force``. How "pmo-xl wrote it" is known:

* **workbooks** (roll-up, committee pack, validation report) carry their kind: the ``_meta``
  sheet or the ``pmo_kind`` document property (`reader.workbook_kind`);
* **CSV, Parquet and PDF files, and the committee deck (.pptx)** carry no kind pmo-xl reads,
  so pmo-xl lists each file it writes, with its SHA-256, in a small manifest beside it
  (`MANIFEST`, JSON). A file is replaceable when the manifest lists it with that kind and the
  file still has the content pmo-xl wrote: a PDF or deck someone annotated, or a CSV saved over
  from Excel, is theirs now. The manifest only ever grants what pmo-xl could do anyway (replace
  its own outputs); a damaged or hand-made one grants nothing it does not list;
* **templates** (``pmo templates build``) are replaced while they still hold only the
  example content a template has; a workbook filled in from a template is a project's;
* **new workbooks** (``pmo new``) never replace anything without ``--force``: the project or
  portfolio workbook that is there holds someone's data;
* the **demo** writes only into a new or empty folder, or one it wrote before (the manifest
  lists its files, kind ``demo``), and replaces only its files that are unchanged.

Every check runs before any work: a refusal is one sentence (`OutputRefused`), and nothing
has been written.

>>> check_outputs([Output(Path("rollup.xlsx"), "rollup")], Inputs(files={Path("portfolio.xlsx")}))  # doctest: +SKIP
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from pmo_logic.files import TEMP_SUFFIX, atomic_output, output_error

MANIFEST = ".pmo-outputs.json"
"""The list of the CSV, Parquet, PDF and demo files pmo-xl wrote in a folder, with their SHA-256."""

_MANIFEST_FORMAT = 1
_MANIFEST_LIMIT = 4 << 20

WORKBOOK_KINDS = {"rollup": "roll-up", "committee_pack": "committee pack", "validation_report": "validation report"}
"""Workbooks that are pmo-xl's outputs, recognised by their kind: never an input of a run."""

RECORDED_KINDS = {"csv": "CSV export", "parquet": "Parquet export", "pdf": "PDF", "demo": "demo file",
                  "schedule": "schedule file", "deck": "committee deck"}  # fmt: skip
"""Files that carry no kind of their own: known by the manifest of their folder."""

NEW_KINDS = {"project": "project workbook", "portfolio": "portfolio workbook"}
TEMPLATE = "template"
WORKBOOK_SUFFIXES = (".xlsx", ".xlsm", ".xlsb", ".xls", ".ods")


class OutputRefused(Exception):
    """An output that may not be written; ``str()`` is the sentence to show (exit code 2)."""


@dataclass(frozen=True)
class Output:
    """A file a command is about to write, of ``kind`` (see the module's lists)."""

    path: Path
    kind: str


@dataclass
class Inputs:
    """What a run reads: these ``files`` (workbooks, settings) and every workbook under ``folders``."""

    files: set[Path] = field(default_factory=set)
    folders: list[Path] = field(default_factory=list)

    def holds(self, path: Path) -> bool:
        """``path`` is read by the run: one of its files, or a workbook of its folders that is
        not one of pmo-xl's outputs (an earlier roll-up in the project folder is an output)."""
        target = _key(path)
        if target in {_key(p) for p in self.files}:
            return True
        if path.suffix.lower() not in WORKBOOK_SUFFIXES or not path.is_file():
            return False
        if not any(_inside(target, _key(folder)) for folder in self.folders):
            return False
        from pmo_logic.reader import workbook_kind

        return workbook_kind(path) not in WORKBOOK_KINDS


def check_outputs(outputs: Sequence[Output], inputs: Inputs | None = None, *, force: bool = False) -> None:
    """Raise `OutputRefused` unless every output may be written, and `files.OutputError` when its
    folder cannot be written; nothing is written here (a probe file is created and removed)."""
    inputs = inputs or Inputs()
    for output in outputs:
        path = output.path
        if inputs.holds(path):
            raise OutputRefused(
                f"{path} is an input of this run: choose another output file (--force never writes over an input)."
            )
        if path.is_dir():
            raise OutputRefused(f"{path} is a folder: give the name of the file to write.")
        if path.exists() and not force and not replaceable(path, output.kind):
            raise OutputRefused(_refusal(path, output.kind))
    for output in {o.path.parent: o for o in outputs}.values():
        probe_folder(output.path.parent, output.path)


def replaceable(path: Path, kind: str) -> bool:
    """Nothing is at ``path``, or pmo-xl wrote it as an output of ``kind`` (see the module's rules)."""
    if not path.exists():
        return True
    if kind in WORKBOOK_KINDS:
        from pmo_logic.reader import workbook_kind

        return workbook_kind(path) == kind
    if kind in RECORDED_KINDS:
        return recorded(path, kind)
    if kind == TEMPLATE:
        return is_unfilled_template(path)
    return False


def check_export_folder(folder: Path, kind: str, names: Iterable[str], *, force: bool = False, option: str) -> None:
    """``--csv DIR`` or ``--parquet DIR``: a folder (not a file), where each file that would be
    replaced is an earlier export of pmo-xl's (or ``--force``)."""
    if folder.exists() and not folder.is_dir():
        raise OutputRefused(f"{option} {folder}: that is a file; give a folder to write the {kind.upper()} files into.")
    check_outputs([Output(folder / name, kind) for name in names], force=force)


def check_demo_folder(folder: Path, names: Iterable[str]) -> None:
    """``pmo demo DIR``: DIR is new, empty, or a demo folder whose demo files are unchanged."""
    if folder.exists() and not folder.is_dir():
        raise OutputRefused(f"{folder} is a file: give a new folder for the demo portfolio.")
    if folder.is_dir() and any(folder.iterdir()) and "demo" not in _manifest(folder).kinds():
        raise OutputRefused(
            f"{folder} is not empty and pmo demo did not write it: give a new or empty folder for the demo portfolio."
        )
    for name in names:
        path = folder / name
        if path.exists() and not recorded(path, "demo"):
            raise OutputRefused(
                f"{path} is not the demo's, or was changed since pmo demo wrote it: move it away, "
                "or give a new folder for the demo portfolio."
            )
    probe_folder(folder, folder / "portfolio.xlsx")


def probe_folder(folder: Path, target: Path | None = None) -> None:
    """Raise `files.OutputError` (one sentence) when ``folder``, or the nearest existing folder
    above it, cannot be written: found before the work, not after it."""
    place = folder
    while not place.exists() and place.parent != place:
        place = place.parent
    if not place.is_dir():
        raise OutputRefused(f"{place} is a file, not a folder: choose another output folder.")
    try:
        fd, name = tempfile.mkstemp(prefix=".~pmo-probe-", suffix=TEMP_SUFFIX, dir=place)
        os.close(fd)
        os.unlink(name)
    except OSError as exc:
        raise output_error(target or folder, exc) from exc


# --- the manifest of CSV, Parquet, PDF and demo files ------------------------------------------


def recorded(path: Path, kind: str) -> bool:
    """The manifest beside ``path`` lists it as ``kind``, with the content it has now (or as being
    written by a run that did not finish)."""
    entry = _manifest(path.parent).files.get(path.name)
    if entry is None or entry.get("kind") != kind:
        return False
    if entry.get("pending"):
        return True
    return entry.get("sha256") == _sha256(path)


def record_pending(paths: Iterable[Path], kind: str) -> None:
    """Before writing ``paths``: list them as being written, so that a run killed half-way
    leaves files the next run still knows as its own."""
    _update(paths, kind, pending=True)


def record_written(paths: Iterable[Path], kind: str) -> None:
    """After writing ``paths``: list each with its SHA-256 in the manifest of its folder."""
    _update(paths, kind, pending=False)


@dataclass
class _Manifest:
    files: dict[str, dict]

    def kinds(self) -> set[str]:
        return {str(entry.get("kind")) for entry in self.files.values()}


def _manifest(folder: Path) -> _Manifest:
    """The manifest of ``folder``, read as data only; anything unexpected counts as listing nothing."""
    try:
        path = folder / MANIFEST
        if path.stat().st_size > _MANIFEST_LIMIT:
            return _Manifest({})
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return _Manifest({})
    files = data.get("files") if isinstance(data, dict) and data.get("format") == _MANIFEST_FORMAT else None
    if not isinstance(files, dict):
        return _Manifest({})
    return _Manifest(
        {
            name: entry
            for name, entry in files.items()
            if isinstance(name, str) and isinstance(entry, dict) and isinstance(entry.get("kind"), str)
        }
    )


def _update(paths: Iterable[Path], kind: str, *, pending: bool) -> None:
    by_folder: dict[Path, list[Path]] = {}
    for path in paths:
        by_folder.setdefault(Path(path).parent, []).append(Path(path))
    for folder, files in by_folder.items():
        manifest = _manifest(folder)
        for path in files:
            if pending:
                manifest.files[path.name] = {"kind": kind, "pending": True}
            elif path.exists():
                manifest.files[path.name] = {"kind": kind, "sha256": _sha256(path)}
        # Entries of files that are gone say nothing any more; once written, nothing of this kind
        # is still being written here.
        manifest.files = {
            n: e
            for n, e in manifest.files.items()
            if (folder / n).exists() or (pending and e.get("pending")) or (e.get("pending") and e["kind"] != kind)
        }
        content = {"format": _MANIFEST_FORMAT, "written_by": "pmo-xl", "files": dict(sorted(manifest.files.items()))}
        with atomic_output(folder / MANIFEST) as tmp:
            tmp.write_text(json.dumps(content, indent=1, ensure_ascii=False), encoding="utf-8")


def _sha256(path: Path) -> str | None:
    digest = hashlib.sha256()
    try:
        with path.open("rb") as handle:
            for block in iter(lambda: handle.read(1 << 20), b""):
                digest.update(block)
    except OSError:
        return None
    return digest.hexdigest()


# --- templates ---------------------------------------------------------------------------------


def is_unfilled_template(path: Path) -> bool:
    """``path`` is a project or portfolio workbook holding only a template's example content."""
    from pmo_logic.examples import example_portfolio, example_project
    from pmo_logic.reader import read_portfolio_workbook, read_project_workbook, workbook_kind

    kind = workbook_kind(path)
    if kind not in ("project", "portfolio"):
        return False
    workbook = read_project_workbook(path) if kind == "project" else read_portfolio_workbook(path)
    if workbook.problems or workbook.meta.language not in ("en", "fr"):
        return False
    example = (example_project if kind == "project" else example_portfolio)(workbook.meta.language)
    skip = {"meta", "problems", "source", "layout", "missing_sheets"}
    return workbook.model_dump(exclude=skip) == example.model_dump(exclude=skip)


# --- messages ----------------------------------------------------------------------------------


def _refusal(path: Path, kind: str) -> str:
    if kind in NEW_KINDS:
        return f"{path} already exists: choose another file name, or add --force to replace it."
    if kind == TEMPLATE:
        return (
            f"{path} already exists and is not an unchanged pmo-xl template (it may be a filled-in workbook): "
            "choose another --out folder, or add --force to replace it."
        )
    what = WORKBOOK_KINDS.get(kind) or RECORDED_KINDS.get(kind) or kind
    if kind in RECORDED_KINDS:
        return (
            f"{path} already exists and is not a {what} pmo-xl wrote there, or was changed since: "
            "choose another output, or add --force to replace it."
        )
    return (
        f"{path} already exists and is not a {what} written by pmo-xl: "
        "choose another output file, or add --force to replace it."
    )


def _key(path: Path) -> str:
    """``path`` as a key to compare: absolute, links resolved, in the case Windows ignores."""
    try:
        resolved = Path(path).resolve()
    except OSError:
        resolved = Path(path).absolute()
    return os.path.normcase(str(resolved))


def _inside(path: str, folder: str) -> bool:
    try:
        return os.path.commonpath([path, folder]) == folder
    except ValueError:  # another drive on Windows
        return False
