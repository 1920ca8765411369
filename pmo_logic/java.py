"""The Java virtual machine behind MPXJ: started once per process, when a schedule file first needs it.

MPXJ (PyPI ``mpxj``) is a Java library, reached through JPype. A JVM starts in about a second
and can only be started once in a process, so it is started lazily, on the first schedule
file, and reused for every file after it (worker processes start their own, once each).

A forked process cannot use its parent's JVM (its threads are not copied): `pool_context`
gives worker pools a spawn context once this process has started one.

Most of a schedule file's read is the JVM loading MPXJ's classes (its XML binding above all),
and most of that is the same every time. So the JVM runs its quick compiler only and the serial
collector (a reader lives seconds, not hours), and loads those classes from a class archive
(Java's AppCDS) kept in the cache folder of `pmo_logic.cache.cache_root` (``PMO_XL_CACHE_DIR``,
else the user's own), under ``java/``: the first process that reads a schedule file writes it
(`archive_classes`), the next ones map it.
The archive's name carries the Java runtime's version and the jar set, so another Java or
another MPXJ makes another archive; a damaged one only costs speed: its size and SHA-256 are
checked before the JVM is given it, and the JVM checks its own checksum (``VerifySharedSpaces``)
and refuses it, never failing the read. ``PMO_XL_JAVA_ARCHIVE=off`` switches the archive off.

>>> start_java()  # doctest: +SKIP
>>> from org.mpxj.reader import UniversalProjectReader  # doctest: +SKIP
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import multiprocessing
import os
import stat
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

INSTALL_HINT_EN = (
    'install a Java runtime (e.g. Eclipse Temurin 17 JRE, or "apt-get install default-jre-headless") '
    'and pmo-xl\'s schedules extra (pip install "pmo-xl[schedules]")'
)
INSTALL_HINT_FR = (
    "installez un environnement Java (par ex. Eclipse Temurin 17 JRE, ou « apt-get install "
    'default-jre-headless ») et l\'option schedules de pmo-xl (pip install "pmo-xl[schedules]")'
)


class JavaUnavailable(RuntimeError):
    """MPXJ cannot run here: no mpxj/JPype package, or no Java runtime. The message says which."""


ARCHIVE_SWITCH_VARIABLE = "PMO_XL_JAVA_ARCHIVE"
"""``off`` (or ``no``, ``0``, ``false``): no class archive is read or written."""

_lock = threading.Lock()
_started_in: int | None = None
_failure: str | None = None
_ARCHIVE_KEPT_DAYS = 90
_archive_to: Path | None = None
"""Where this process writes the class archive once it has read a schedule file (none was usable)."""

# A reader's JVM lives seconds: the quick compiler (C1) and the serial collector start faster and
# cost less CPU than the server compiler and G1, which pay back only in long runs.
_FAST_START = ("-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC")
# The JVM's own log goes to stdout: an archive it refuses (or a class it cannot archive) would be
# printed in the middle of pmo-xl's output. Errors only, on stderr.
_QUIET = ("-Xlog:disable", "-Xlog:all=error:stderr")


def start_java() -> None:
    """Start the JVM with MPXJ's jars, once per process; raise `JavaUnavailable` saying what is missing.

    A failure is remembered: the next schedule file of the run fails at once, with the same sentence.
    """
    global _started_in, _failure
    with _lock:
        if _started_in == os.getpid():
            return
        if _failure is not None:
            raise JavaUnavailable(_failure)
        try:
            import jpype
            import mpxj  # noqa: F401  (importing it puts MPXJ's jars on the JVM's class path)
        except ImportError as exc:
            _failure = f"the mpxj and JPype packages are not installed ({exc.name or exc})"
            raise JavaUnavailable(_failure) from exc
        if jpype.isJVMStarted():
            if _started_in is not None:  # started by our parent before it forked this process
                _failure = "the Java runtime was started before this process was forked"
                raise JavaUnavailable(_failure)
            _started_in = os.getpid()  # started by the host program (a notebook): use it
            return
        try:
            # MPXJ logs through Log4j, which prints a warning on every start when no logging
            # provider is installed: Log4j's own simple logger, errors only, keeps stderr clean.
            jpype.startJVM(
                "-Dlog4j2.loggerContextFactory=org.apache.logging.log4j.simple.SimpleLoggerContextFactory",
                "-Dorg.apache.logging.log4j.simplelog.StatusLogger.level=OFF",
                "-Dlog4j2.simplelogLevel=FATAL",
                "-Djava.awt.headless=true",
                *_FAST_START,
                *_QUIET,
                *_archive_options(jpype),
                convertStrings=False,
            )
        except Exception as exc:  # JVMNotFoundException, JVMNotSupportedException, OSError...
            _failure = f"no usable Java runtime was found ({type(exc).__name__}: {exc})"
            raise JavaUnavailable(_failure) from exc
        _started_in = os.getpid()


def archive_classes() -> None:
    """Write the class archive now that MPXJ's classes are loaded, if this process is the one to write it.

    Called after a schedule file was read; does nothing on later calls, or when an archive was
    usable at start. Never raises: without an archive the next read is only slower.
    """
    global _archive_to
    with _lock:
        path, _archive_to = _archive_to, None
    if path is None or not java_started():
        return
    with contextlib.suppress(Exception):  # a full disk, a read-only cache, a JVM that cannot dump: no archive
        _dump_archive(path)


def archive_path(classpath: str, java_home: Path) -> Path:
    """The class archive for this Java runtime and jar set, in the cache folder.

    The name holds the Java version and a hash of the runtime and of every jar (path, size, date):
    a JVM only ever meets an archive written by the same runtime from the same jars.
    """
    version = _java_version(java_home)
    key = hashlib.sha256()
    for item in (str(java_home), *classpath.split(os.pathsep)):
        key.update(item.encode("utf-8", "surrogateescape") + b"\0")
        with contextlib.suppress(OSError):
            stat = os.stat(item)
            key.update(f"{stat.st_size}:{stat.st_mtime_ns}\0".encode())
    with contextlib.suppress(OSError):
        for library in sorted((java_home / "lib").rglob("libjvm.*")) + sorted((java_home / "bin").rglob("jvm.dll")):
            stat = library.stat()
            key.update(f"{library}:{stat.st_size}:{stat.st_mtime_ns}\0".encode())
    return _cache_root() / "java" / f"mpxj-java{version}-{key.hexdigest()[:16]}.jsa"


def archive_is_sound(path: Path) -> bool:
    """The archive is whole: its size and SHA-256 are those written beside it when it was made.

    A truncated archive must never reach the JVM: it maps the file and would crash on the
    missing pages (SIGBUS) instead of refusing it.
    """
    try:
        manifest = json.loads(_manifest(path).read_text(encoding="utf-8"))
        if path.stat().st_size != manifest["size"]:
            return False
        return _sha256(path) == manifest["sha256"]
    except (OSError, ValueError, KeyError, TypeError):
        return False


def java_started() -> bool:
    """This process has started the JVM (so a process forked from it cannot use one)."""
    return _started_in == os.getpid()


def pool_context() -> Any:
    """The multiprocessing context for worker processes: spawn once the JVM runs here, else the default."""
    if java_started() and multiprocessing.get_start_method(allow_none=False) == "fork":
        return multiprocessing.get_context("spawn")
    return None


def _archive_options(jpype: Any) -> list[str]:
    """The JVM options that read the class archive, or record what to write one (none is usable yet)."""
    global _archive_to
    if os.environ.get(ARCHIVE_SWITCH_VARIABLE, "").strip().lower() in ("off", "no", "0", "false"):
        return []
    try:
        java_home = Path(jpype.getDefaultJVMPath()).resolve().parents[2]
        path = archive_path(jpype.getClassPath(), java_home)
    except Exception:  # no JVM found: startJVM says so; an odd layout: no archive
        return []
    if path.is_file() and _manifest(path).is_file():
        if archive_is_sound(path):
            return [f"-XX:SharedArchiveFile={path}", "-XX:+VerifySharedSpaces"]
        for damaged in (path, _manifest(path)):  # written again by this process
            with contextlib.suppress(OSError):
                damaged.unlink()
    elif path.is_file():
        return []  # another process is writing its manifest: leave it be
    _archive_to = path
    return ["-XX:+RecordDynamicDumpInfo"]


def _dump_archive(path: Path) -> None:
    """Dump the loaded classes (the JVM's ``VM.cds dynamic_dump``) to ``path``, whole or not at all.

    The archive is written to a temporary name and linked into place; the first process to link
    it wins, the others drop theirs. Its manifest (size, SHA-256) comes after it: an archive
    without one is never used.
    """
    import java
    import jpype
    from java.lang.management import ManagementFactory
    from javax.management import ObjectName

    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f"{path.name}.{os.getpid()}.tmp")
    try:
        arguments = jpype.JArray(java.lang.Object)([jpype.JArray(java.lang.String)(["dynamic_dump", str(tmp)])])
        signature = jpype.JArray(java.lang.String)(["[Ljava.lang.String;"])
        with _stdout_silenced():  # the JVM prints "Dynamic dump to file..." on the process's stdout
            ManagementFactory.getPlatformMBeanServer().invoke(
                ObjectName("com.sun.management:type=DiagnosticCommand"), "vmCds", arguments, signature
            )
        if not tmp.is_file():
            return
        manifest = json.dumps({"size": tmp.stat().st_size, "sha256": _sha256(tmp)})
        try:
            os.link(tmp, path)
        except FileExistsError:
            return
        except OSError:  # no hard links on this file system
            if path.exists():
                return
            os.replace(tmp, path)
        manifest_tmp = _manifest(path).with_name(f"{_manifest(path).name}.{os.getpid()}.tmp")
        manifest_tmp.write_text(manifest, encoding="utf-8")
        os.replace(manifest_tmp, _manifest(path))
        # Archives of another Java or MPXJ: kept a while (another environment may share the cache), then dropped.
        for old in path.parent.glob("mpxj-*.jsa"):
            with contextlib.suppress(OSError):
                if old != path and time.time() - old.stat().st_mtime > _ARCHIVE_KEPT_DAYS * 86400:
                    for stale in (old, _manifest(old)):
                        _remove(stale)
    finally:
        _remove(tmp)


@contextlib.contextmanager
def _stdout_silenced() -> Iterator[None]:
    import sys

    with contextlib.suppress(Exception):
        sys.stdout.flush()
    try:
        saved = os.dup(1)
    except OSError:  # no stdout (a windowed host): nothing to silence
        yield
        return
    try:
        with open(os.devnull, "wb") as null:
            os.dup2(null.fileno(), 1)
        yield
    finally:
        os.dup2(saved, 1)
        os.close(saved)


def _remove(path: Path) -> None:
    """Delete a file, also a read-only one (the JVM writes archives read-only; Windows then refuses to delete)."""
    with contextlib.suppress(OSError):
        os.chmod(path, stat.S_IREAD | stat.S_IWRITE)
    with contextlib.suppress(OSError):
        path.unlink()


def _cache_root() -> Path:
    """`pmo_logic.cache.cache_root`, without importing that module: it brings pandas, a second's start."""
    configured = os.environ.get("PMO_XL_CACHE_DIR")
    if configured:
        return Path(configured)
    import platformdirs

    return Path(platformdirs.user_cache_dir("pmo-xl", appauthor=False))


def _manifest(path: Path) -> Path:
    return path.with_name(path.name + ".json")


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _java_version(java_home: Path) -> str:
    """``17.0.15`` from the runtime's ``release`` file (read without starting it); ``unknown`` without one."""
    with contextlib.suppress(OSError):
        for line in (java_home / "release").read_text(encoding="utf-8", errors="replace").splitlines():
            if line.startswith("JAVA_VERSION="):
                version = line.split("=", 1)[1].strip().strip('"')
                return "".join(c for c in version if c.isalnum() or c in ".-_") or "unknown"
    return "unknown"
