"""The shipped .xlsm templates in LibreOffice Calc: the VBA project loads and every button runs.

LibreOffice imports each template's VBA project; the runner (tests/lo_macros.py) adds a
stand-in RunPython to the loaded book and points the one add-in call at it, because headless
LibreOffice cannot reach another workbook's macros. Each button then runs as shipped and the
stand-in records the Python command; the test runs that command with the remote engine's Book
as the caller, on a real project workbook, and checks the result.
"""

from __future__ import annotations

import json
import re
import socket
import subprocess
import zipfile
from pathlib import Path

import pytest
import xlwings as xw

import addin.buttons as buttons
from pmo_logic.rules.example_project import clean_project
from pmo_logic.template_files import TEMPLATE_FILES
from pmo_logic.templates import write_project_workbook
from pmo_logic.vba import MACROS
from tests.test_buttons import actions, open_book

pytestmark = pytest.mark.libreoffice
SYSTEM_PYTHON = "/usr/bin/python3"
XLSM = [name for name in TEMPLATE_FILES if name.endswith(".xlsm")]
ADDIN_CALL = "Application.Run \"'xlwings.xlam'!RunPython\", command"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _code(text: str) -> list[str]:
    """A module's code lines, without Attribute/VBASupport lines, blank lines or line ends."""
    lines = (line.rstrip() for line in text.replace("\r\n", "\n").split("\n"))
    skip = ("Attribute VB_", "Option VBASupport", "Rem Attribute")
    return [line for line in lines if line and not line.startswith(skip)]


@pytest.fixture(scope="module")
def recorded(templates_dir: Path, tmp_path_factory) -> dict:
    if not Path(SYSTEM_PYTHON).exists() or subprocess.run([SYSTEM_PYTHON, "-c", "import uno"]).returncode:
        pytest.fail("LibreOffice's Python (python3-uno) is needed for the macro tests")
    tmp = tmp_path_factory.mktemp("macros")
    books = [str(templates_dir / name) for name in XLSM]
    done = subprocess.run(
        [SYSTEM_PYTHON, str(Path(__file__).with_name("lo_macros.py")), str(_free_port()),
         str(tmp / "profile"), "PMOButtons", ADDIN_CALL, *books],
        capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-2000:]
    found = json.loads(done.stdout.strip().splitlines()[-1])
    return {Path(book).name: result for book, result in found.items()}


def _sheet_count(path: Path) -> int:
    with zipfile.ZipFile(path) as archive:
        return sum(1 for name in archive.namelist() if re.fullmatch(r"xl/worksheets/sheet\d+\.xml", name))


@pytest.mark.parametrize("name", XLSM)
def test_libreoffice_lists_every_vba_module(recorded, templates_dir: Path, name: str):
    sheets = _sheet_count(templates_dir / name)
    expected = {"ThisWorkbook", *(f"Sheet{k}" for k in range(1, sheets + 1)), *(p.stem for p in MACROS.glob("*.bas"))}
    assert sheets >= 5
    assert "VBAProject" in recorded[name]["libraries"]
    assert set(recorded[name]["modules"]) == expected


@pytest.mark.parametrize("name", XLSM)
def test_libreoffice_holds_exactly_the_macro_source(recorded, name: str):
    source = (MACROS / "PMOButtons.bas").read_text(encoding="utf-8")
    assert ADDIN_CALL in source
    assert _code(recorded[name]["source"]) == _code(source)


@pytest.mark.parametrize("name", XLSM)
def test_each_button_passes_its_python_command(recorded, name: str):
    commands = recorded[name]["commands"]
    subs = re.findall(r"^Sub (\w+)\(", (MACROS / "PMOButtons.bas").read_text(encoding="utf-8"), re.M)
    assert sorted(commands) == sorted(subs) and len(subs) == 7
    for sub, command in commands.items():
        handler = re.fullmatch(r"import addin\.buttons as b; b\.(\w+)\(\)", command)
        assert handler, (sub, command)
        assert callable(getattr(buttons, handler.group(1))), command
    assert commands["ValidatePlan"] == "import addin.buttons as b; b.validate_plan()"
    assert commands["Consolidate"] == "import addin.buttons as b; b.consolidate()"


def test_the_recorded_command_works_on_a_project_workbook(recorded, tmp_path: Path, monkeypatch):
    workbook = clean_project()
    workbook.plan[5].predecessors = "99"
    path = write_project_workbook(tmp_path / "project.xlsx", workbook)
    book = open_book(path, "project.xlsm")
    monkeypatch.setattr(xw.Book, "caller", staticmethod(lambda: book))
    exec(recorded["project_en.xlsm"]["commands"]["ValidatePlan"], {})  # what RunPython does with it
    assert [a["args"][1] for a in actions(book, "addSheet")] == ["Validation"]
    assert any(row[1] == "PLAN020" for row in actions(book, "setValues")[0]["values"])
