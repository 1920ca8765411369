"""Shared fixtures: the built templates, a demo portfolio built once, and LibreOffice gating.

Tests marked ``libreoffice`` need ``soffice``, tests marked ``java`` a Java runtime with mpxj and
JPype. On a developer machine without them they are skipped; in CI (``CI=true``) a missing one is
a failure, never a silent skip.
"""

from __future__ import annotations

import os
from pathlib import Path

# xlwings' remote engine (source-available, noncommercial licence) is the tests' harness for the
# button handlers: it registers at import time, so its key must be set before xlwings is imported.
# Tests only: pmo-xl itself never needs it.
os.environ.setdefault("XLWINGS_LICENSE_KEY", "noncommercial")

import pytest

from pmo_logic.demo import build_demo_portfolio
from pmo_logic.libreoffice import soffice_path

ROOT = Path(__file__).resolve().parent.parent
TEMPLATES = ROOT / "workbook_templates"


@pytest.fixture(autouse=True)
def _libreoffice_gate(request: pytest.FixtureRequest) -> None:
    if request.node.get_closest_marker("libreoffice") is None or soffice_path() is not None:
        return
    if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
        pytest.fail("LibreOffice is required in CI, but soffice was not found")
    pytest.skip("LibreOffice (soffice) is not installed")


@pytest.fixture(autouse=True, scope="session")
def _cache_outside_home(tmp_path_factory: pytest.TempPathFactory):
    # The consolidation cache goes to the user's cache folder by default: never during tests
    # (worker processes and the commands tests run inherit the variable).
    from pmo_logic.cache import CACHE_DIR_VARIABLE

    before = os.environ.get(CACHE_DIR_VARIABLE)
    os.environ[CACHE_DIR_VARIABLE] = str(tmp_path_factory.mktemp("user-cache"))
    yield
    if before is None:
        os.environ.pop(CACHE_DIR_VARIABLE, None)
    else:
        os.environ[CACHE_DIR_VARIABLE] = before


def started_java():
    """The ``java`` package of this process's started JVM, for tests that build plans with MPXJ;
    skipped where Java cannot start."""
    from pmo_logic.java import JavaUnavailable, start_java

    try:
        start_java()
    except JavaUnavailable as exc:
        pytest.skip(str(exc))
    import java

    return java


def java_missing() -> str | None:
    """Why MPXJ cannot run here (no mpxj/JPype package, no Java runtime), or None."""
    import importlib.util

    if importlib.util.find_spec("mpxj") is None or importlib.util.find_spec("jpype") is None:
        return 'mpxj and JPype are not installed (pip install -e ".[test]")'
    import jpype

    try:
        jpype.getDefaultJVMPath()
    except Exception as exc:
        return f"no Java runtime ({exc})"
    return None


@pytest.fixture(autouse=True)
def _java_gate(request: pytest.FixtureRequest) -> None:
    if request.node.get_closest_marker("java") is None:
        return
    reason = java_missing()
    if reason is None:
        return
    if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
        pytest.fail(f"Java and MPXJ are required in CI: {reason}")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def demo_portfolio(tmp_path_factory: pytest.TempPathFactory):
    return build_demo_portfolio(tmp_path_factory.mktemp("demo"))


@pytest.fixture(scope="session")
def templates_dir() -> Path:
    return TEMPLATES


def garbage_copy(source: Path, target: Path, text: str = "§ garbage", columns: int = 25) -> Path:
    """A copy of ``source`` with rows 2-6 of every sheet overwritten by text."""
    import openpyxl

    book = openpyxl.load_workbook(source)
    for ws in book.worksheets:
        for row in ws.iter_rows(min_row=2, max_row=6, max_col=columns):
            for cell in row:
                if not isinstance(cell, openpyxl.cell.cell.MergedCell):
                    cell.value = text
    book.save(target)
    return target
