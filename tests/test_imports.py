"""What each entry point imports when it starts (speed is measured in benchmarks/bench_startup.py;
here, which libraries are loaded, in a fresh interpreter each)."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

HEAVY = ("pandas", "numpy", "pydantic", "xlsxwriter", "networkx", "pyarrow", "openpyxl", "python_calamine")


def _loaded_after(statement: str) -> set[str]:
    code = f"import sys, json; {statement}; print(json.dumps(sorted(sys.modules)))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    return set(json.loads(out.splitlines()[-1]))


def test_the_command_line_starts_with_typer_and_rich_only():
    loaded = _loaded_after("import pmo_logic.cli")
    assert "typer" in loaded and "rich" in loaded
    assert not loaded & {*HEAVY, "pmo_logic.models", "pmo_logic.reader"}


def test_the_udfs_load_no_engine_until_called():
    pytest.importorskip("xlwings")
    loaded = _loaded_after("import addin.udfs")
    # xlwings itself imports pandas (and pandas pyarrow) where they are installed.
    assert not loaded & {"networkx", "xlsxwriter", "openpyxl", "pydantic", "pmo_logic.kpis", "pmo_logic.schedule"}


def test_the_buttons_load_the_rules_only_to_validate():
    pytest.importorskip("xlwings")
    loaded = _loaded_after("import addin.buttons")
    assert not loaded & {"networkx", "openpyxl", "pmo_logic.rules", "pmo_logic.validate"}
    loaded = _loaded_after("import addin.buttons; from pmo_logic.validate import validate_workbook")
    assert {"networkx", "pmo_logic.rules"} <= loaded  # the oracle sees what validating loads
