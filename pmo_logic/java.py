"""The Java virtual machine behind MPXJ: started once per process, when a schedule file first needs it.

MPXJ (PyPI ``mpxj``) is a Java library, reached through JPype. A JVM starts in about a second
and can only be started once in a process, so it is started lazily, on the first schedule
file, and reused for every file after it (worker processes start their own, once each).

A forked process cannot use its parent's JVM (its threads are not copied): `pool_context`
gives worker pools a spawn context once this process has started one.

>>> start_java()  # doctest: +SKIP
>>> from org.mpxj.reader import UniversalProjectReader  # doctest: +SKIP
"""

from __future__ import annotations

import multiprocessing
import os
import threading
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


_lock = threading.Lock()
_started_in: int | None = None
_failure: str | None = None


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
                convertStrings=False,
            )
        except Exception as exc:  # JVMNotFoundException, JVMNotSupportedException, OSError...
            _failure = f"no usable Java runtime was found ({type(exc).__name__}: {exc})"
            raise JavaUnavailable(_failure) from exc
        _started_in = os.getpid()


def java_started() -> bool:
    """This process has started the JVM (so a process forked from it cannot use one)."""
    return _started_in == os.getpid()


def pool_context() -> Any:
    """The multiprocessing context for worker processes: spawn once the JVM runs here, else the default."""
    if java_started() and multiprocessing.get_start_method(allow_none=False) == "fork":
        return multiprocessing.get_context("spawn")
    return None
