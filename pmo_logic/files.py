"""Writing files so that a crash or a full disk never leaves half a file behind.

Every file pmo-xl writes goes through `atomic_output`: the content is written to a temporary
file of pmo-xl's own naming (``.~pmo-<name>-<random>.tmp``) in the target's folder, then
moved over the target in one step. A run that is killed mid-write leaves that temporary file
and the previous output untouched; the next run that writes into the folder removes such
leftovers once they are old enough not to be another analyst's run still writing
(`remove_leftovers`).

When the disk is full, the folder read-only or the target locked by Excel, the error is an
`OutputError` whose message is one sentence naming the file and what to do.
"""

from __future__ import annotations

import contextlib
import errno
import os
import re
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

TEMP_PREFIX = ".~pmo-"
TEMP_SUFFIX = ".tmp"
_TEMP_NAME = re.compile(r"^\.~pmo-.*-[a-z0-9_]{8}\.tmp$")
"""`tempfile.mkstemp`'s names: our prefix, the target's name, eight random characters, our suffix."""

LEFTOVER_AGE = 3600.0
"""Seconds after which a temporary file is a crashed run's leftover. A run still writing touches
its file all the time; on Windows an open file cannot even be deleted, and on an SMB share
another analyst's run may be writing into the same folder right now."""

_NAME_IN_TEMP = 40
_SWEEP_EVERY = 600.0
_swept: dict[str, float] = {}


class OutputExistsError(FileExistsError):
    """The output file already exists and overwriting it was not asked for."""


class OutputError(OSError):
    """An output could not be written (disk full, read-only folder, locked file): ``str()`` is
    one sentence naming the file and what to do."""

    def __init__(self, path: Path, sentence: str, code: int | None = None) -> None:
        super().__init__(code, sentence, str(path))
        self.path = path
        self.sentence = sentence

    def __str__(self) -> str:
        return self.sentence


@contextlib.contextmanager
def atomic_output(path: str | os.PathLike[str], *, overwrite: bool = True) -> Iterator[Path]:
    """Yield a temporary path next to ``path``; on success it replaces ``path`` in one step.

    The temporary file is in the same folder so that the final ``os.replace`` is atomic
    (same volume on Windows too). On error the temporary file is removed and ``path`` is
    left as it was; an error of the disk or of permissions becomes an `OutputError`.

    >>> with atomic_output("out/report.csv") as tmp:  # doctest: +SKIP
    ...     tmp.write_text("a,b\\n")
    """
    target = Path(path)
    if target.exists() and not overwrite:
        raise OutputExistsError(f"{target} already exists; choose another name or allow overwriting")
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        _sweep(target.parent)
        fd, tmp_name = tempfile.mkstemp(prefix=temp_prefix(target), suffix=TEMP_SUFFIX, dir=target.parent)
        os.close(fd)
    except OSError as exc:
        raise output_error(target, exc) from exc
    tmp = Path(tmp_name)
    stage = "write"
    try:
        yield tmp
        os.chmod(tmp, _file_mode(target))
        stage = "replace"
        os.replace(tmp, target)
    except Exception as exc:
        cause = _os_error(exc)
        if cause is not None and _is_environment(cause):
            raise output_error(target, cause, replacing=stage == "replace") from exc
        raise
    finally:
        with contextlib.suppress(OSError):
            tmp.unlink()


def temp_prefix(target: Path) -> str:
    """The start of the temporary file names for ``target`` (its name, shortened for Windows paths)."""
    return f"{TEMP_PREFIX}{target.name[:_NAME_IN_TEMP]}-"


def is_temporary(name: str) -> bool:
    """``name`` is one of `atomic_output`'s temporary files."""
    return bool(_TEMP_NAME.match(name))


def remove_leftovers(folder: str | os.PathLike[str], *, older_than: float = LEFTOVER_AGE) -> list[Path]:
    """Remove the temporary files a crashed run left in ``folder``: only names of
    `atomic_output`'s exact pattern, only when unchanged for ``older_than`` seconds, and never
    one that cannot be removed (Windows refuses while another process has it open).
    """
    removed = []
    now = time.time()
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return []
    for entry in entries:
        if not is_temporary(entry.name):
            continue
        try:
            fresh = now - entry.stat(follow_symlinks=False).st_mtime < older_than
            if fresh or not entry.is_file(follow_symlinks=False):
                continue
            os.unlink(entry.path)
        except OSError:  # being written, locked, or gone already: not ours to force
            continue
        removed.append(Path(entry.path))
    return removed


def _sweep(folder: Path) -> None:
    """`remove_leftovers` once in a while per folder: a run writes many files into one folder."""
    key, now = os.path.abspath(folder), time.monotonic()
    if now - _swept.get(key, -_SWEEP_EVERY) >= _SWEEP_EVERY:
        _swept[key] = now
        remove_leftovers(folder)


def output_error(target: Path, exc: OSError, *, replacing: bool = False) -> OutputError:
    """The sentence for an error of the disk or of permissions while writing ``target``."""
    code = exc.errno
    winerror = getattr(exc, "winerror", None)
    if code in (errno.ENOSPC, getattr(errno, "EDQUOT", -1)) or winerror in (39, 112):
        sentence = f"cannot write {target}: the disk is full; free some space on it and run again"
    elif code == errno.EROFS:
        sentence = f"cannot write {target}: the drive is read-only; choose another output folder"
    elif winerror in (32, 33) or code == errno.EBUSY or (replacing and isinstance(exc, PermissionError)):
        # Windows refuses to replace a file Excel (or another program) holds open.
        sentence = (
            f"cannot replace {target}: it is open in Excel or another program (locked), or read-only; "
            "close it and run again"
        )
    elif isinstance(exc, PermissionError) or code in (errno.EACCES, errno.EPERM):
        sentence = (
            f"cannot write {target}: permission denied, the folder {target.parent} is read-only for you; "
            "choose another output folder, or ask for write access to it"
        )
    else:
        sentence = f"cannot write {target}: {exc.strerror or exc}"
    return OutputError(target, sentence, code)


def _os_error(exc: BaseException) -> OSError | None:
    """The OSError behind ``exc``: itself, or wrapped by a writer (XlsxWriter's FileCreateError)."""
    seen: set[int] = set()
    todo: list[BaseException] = [exc]
    while todo:
        item = todo.pop()
        if id(item) in seen:
            continue
        seen.add(id(item))
        if isinstance(item, OSError) and not isinstance(item, OutputError):
            return item
        todo += [a for a in item.args if isinstance(a, BaseException)]
        todo += [e for e in (item.__cause__, item.__context__) if e is not None]
    return None


def _is_environment(exc: OSError) -> bool:
    """A full disk, a permission or a lock: the analyst's environment, not a bug of pmo-xl."""
    codes = {errno.ENOSPC, errno.EROFS, errno.EACCES, errno.EPERM, errno.EBUSY, getattr(errno, "EDQUOT", -1)}
    return exc.errno in codes or getattr(exc, "winerror", None) in (32, 33, 39, 112) or isinstance(exc, PermissionError)


def _file_mode(target: Path) -> int:
    """Keep the mode of the file being replaced; a new file gets the usual one (mkstemp's is 0600)."""
    if target.exists():
        return target.stat().st_mode & 0o777
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask
