"""The button macros run in LibreOffice Calc, with a stand-in for xlwings' RunPython.

The stand-in writes the Python command a button would run; the test then runs that command
with the remote engine's Book as the caller, on a real project workbook, and checks the result.

Known limit (LibreOffice 7.4): its VBA importer drops a VBA project with more than seven
worksheet modules, so the macros run here in a small workbook built from the same sources,
not in the 13-sheet templates themselves (olevba checks those: tests/test_macros.py).
"""

from __future__ import annotations

import io
import json
import re
import socket
import subprocess
from pathlib import Path

import pytest
import xlsxwriter
import xlwings as xw

import addin.buttons as buttons
from pmo_logic.rules.example_project import clean_project
from pmo_logic.templates import write_project_workbook
from pmo_logic.vba import MACROS, build_vba_project
from tests.test_buttons import actions, open_book

pytestmark = pytest.mark.libreoffice
SYSTEM_PYTHON = "/usr/bin/python3"
STAND_IN = 'Attribute VB_Name = "TestRunPython"\r\nOption Explicit\r\n\r\nSub RunPython(command As String)\r\n' \
           '    ThisWorkbook.Worksheets(1).Range("Z1").Value = command\r\nEnd Sub\r\n'  # fmt: skip


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def recorded(tmp_path_factory) -> dict:
    if not Path(SYSTEM_PYTHON).exists() or subprocess.run([SYSTEM_PYTHON, "-c", "import uno"]).returncode:
        pytest.fail("LibreOffice's Python (python3-uno) is needed for the macro tests")
    tmp = tmp_path_factory.mktemp("macros")
    sources = tmp / "macros"
    sources.mkdir()
    text = (MACROS / "PMOButtons.bas").read_bytes().decode()
    # The test copy calls the stand-in instead of the add-in.
    text = text.replace("Application.Run \"'xlwings.xlam'!RunPython\", command", "RunPython command")
    (sources / "PMOButtons.bas").write_bytes(text.encode())
    (sources / "TestRunPython.bas").write_bytes(STAND_IN.encode())
    path = tmp / "buttons.xlsm"
    book = xlsxwriter.Workbook(str(path))
    book.add_vba_project(io.BytesIO(build_vba_project(1, sources)), is_stream=True)
    book.set_vba_name("ThisWorkbook")
    book.add_worksheet("Plan").set_vba_name("Sheet1")
    book.close()
    subs = re.findall(r"^Sub (\w+)\(", text, re.M)
    done = subprocess.run(
        [SYSTEM_PYTHON, str(Path(__file__).with_name("lo_macros.py")), str(path), str(_free_port()),
         str(tmp / "profile"), "PMOButtons", ",".join(subs)],
        capture_output=True, text=True, timeout=240, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-2000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_libreoffice_lists_the_vba_modules(recorded):
    assert "VBAProject" in recorded["libraries"]
    assert {"PMOButtons", "TestRunPython"} <= set(recorded["modules"])


def test_each_button_passes_its_python_command(recorded):
    commands = recorded["commands"]
    assert commands == {
        "ValidatePlan": "import addin.buttons as b; b.validate_plan()",
        "RecomputeSchedule": "import addin.buttons as b; b.recompute_schedule()",
        "StatusReport": "import addin.buttons as b; b.status_report()",
        "Consolidate": "import addin.buttons as b; b.consolidate()",
        "CommitteePack": "import addin.buttons as b; b.committee_pack()",
        "TakeSnapshot": "import addin.buttons as b; b.snapshot()",
        "ExportPDF": "import addin.buttons as b; b.export_pdf()",
    }


def test_the_recorded_command_works_on_a_project_workbook(recorded, tmp_path: Path, monkeypatch):
    workbook = clean_project()
    workbook.plan[5].predecessors = "99"
    path = write_project_workbook(tmp_path / "project.xlsx", workbook)
    book = open_book(path, "project.xlsm")
    monkeypatch.setattr(xw.Book, "caller", staticmethod(lambda: book))
    exec(recorded["commands"]["ValidatePlan"], {})  # what RunPython does with it
    assert [a["args"][1] for a in actions(book, "addSheet")] == ["Validation"]
    assert any(row[1] == "PLAN020" for row in actions(book, "setValues")[0]["values"])
    assert buttons.VALIDATION_SHEET == "Validation"
