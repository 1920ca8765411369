"""The button handlers, run on real workbooks through xlwings' own Book API (its remote engine).

The remote engine is xlwings' source-available code, used here only as a test harness under its
noncommercial licence key (set for these tests alone): it gives real Book/Sheet/Range objects
built from a workbook's values and records every write as an action.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import openpyxl
import pytest
import xlwings as xw

import addin.buttons as buttons
from pmo_logic.models import PortfolioSettings, PortfolioWorkbook, RegisterRow
from pmo_logic.reader import read_project_workbook
from pmo_logic.rules.example_project import clean_project
from pmo_logic.schedule import schedule
from pmo_logic.templates import write_portfolio_workbook, write_project_workbook
from pmo_logic.validate import validate_workbook
from pmo_logic.validation_settings import ValidationSettings
from pmo_logic.workdays import WorkCalendar


def _json_value(value):
    return value.isoformat() + ".000Z" if isinstance(value, datetime) else value


def open_book(path: Path, name: str, extra: dict[str, list[list]] | None = None) -> xw.Book:
    """The workbook as Excel would hand it to xlwings (values, dates as ISO strings)."""
    book = openpyxl.load_workbook(path, data_only=True)
    sheets = [{"name": ws.title, "pictures": [], "tables": [],
               "values": [[_json_value(v) for v in row] for row in ws.iter_rows(values_only=True)] or [[None]]}
              for ws in book.worksheets]  # fmt: skip
    for name_, values in (extra or {}).items():
        sheets.append({"name": name_, "values": values, "pictures": [], "tables": []})
    payload = {"client": "VBA", "version": xw.__version__, "names": [], "sheets": sheets,
               "book": {"name": name, "active_sheet_index": 0, "selection": "A1"}}  # fmt: skip
    return xw.Book(json=payload)


def actions(book: xw.Book, func: str | None = None) -> list[dict]:
    found = book.json()["actions"]
    return [a for a in found if func is None or a["func"] == func]


def sheet_position(book: xw.Book, name: str) -> int:
    return [s.name for s in book.sheets].index(name)


@pytest.fixture
def faulty_project(tmp_path: Path) -> Path:
    workbook = clean_project()
    workbook.plan[5].predecessors = "99"  # unknown predecessor: Plan!H7
    workbook.risks[0].owner = None  # high risk without owner: Risks!E2
    return write_project_workbook(tmp_path / "project.xlsx", workbook)


def test_validate_plan_writes_findings_links_and_highlights(faulty_project: Path):
    book = open_book(faulty_project, "project.xlsm")
    buttons.validate_plan(book)
    expected = validate_workbook(
        read_project_workbook(faulty_project), ValidationSettings(as_of=clean_project().project.status_date)
    )
    (added,) = actions(book, "addSheet")
    assert added["args"][1] == "Validation"
    written = actions(book, "setValues")[0]["values"]
    assert written[0] == ["Severity", "Code", "Cell", "Item", "Message"]
    assert sorted(r[1] for r in written[1:]) == sorted(f.code for f in expected.findings)
    assert ["error", "PLAN020", "Plan!H7", "6", "Task 6: predecessor 99 is not in the plan"] in written
    links = [a["args"][0] for a in actions(book, "addHyperlink")]
    assert "#'Plan'!H7" in links and "#'Risks'!E2" in links
    plan = sheet_position(book, "Plan")
    highlighted = {(a["sheet_position"], a["start_row"], a["start_column"]) for a in actions(book, "setRangeColor")
                   if str(a["args"][0]).lower() == "#ffc7ce"}  # fmt: skip
    assert (plan, 6, 7) in highlighted  # H7
    # Screen updating and calculation switched off, and back on at the end.
    funcs = [a["func"] for a in actions(book)]
    assert funcs[:2] == ["setScreenUpdating", "setCalculation"]
    assert funcs[-2:] == ["setCalculation", "setScreenUpdating"]
    assert actions(book, "setScreenUpdating")[-1]["args"] == [True]


def test_validate_plan_again_clears_earlier_highlights_and_replaces_the_sheet(faulty_project: Path):
    first = open_book(faulty_project, "project.xlsm")
    buttons.validate_plan(first)
    previous = actions(first, "setValues")[0]["values"]
    again = open_book(faulty_project, "project.xlsm", extra={"Validation": previous})
    buttons.validate_plan(again)
    assert [a["func"] for a in actions(again)][:3] == ["setScreenUpdating", "setCalculation", "setRangeColor"]
    cleared = [a for a in actions(again, "setRangeColor") if a["args"] == [None]]
    assert {(a["start_row"], a["start_column"]) for a in cleared} >= {(6, 7), (1, 4)}  # Plan!H7, Risks!E2
    assert len(actions(again, "sheetDelete")) == 1
    assert actions(again, "setValues")[0]["values"] == previous  # same findings, same sheet


def test_recompute_schedule_writes_beside_the_plan_and_is_idempotent(faulty_project: Path):
    book = open_book(faulty_project, "project.xlsm")
    buttons.recompute_schedule(book)
    workbook = read_project_workbook(faulty_project)
    tasks = schedule(workbook.plan, WorkCalendar(workbook.project.start_date), status_date=workbook.project.status_date,
                     project_start=workbook.project.start_date).tasks  # fmt: skip
    header, block = actions(book, "setValues")[:2]
    assert header["values"] == [buttons.SCHEDULE_HEADERS] and header["start_column"] == 24
    assert block["start_row"] == 1 and len(block["values"]) == len(tasks)
    for values, task in zip(block["values"], tasks.itertuples(), strict=True):
        assert values[1] == task.early_finish.isoformat()
        assert values[5] == ("Yes" if task.critical else "")
    # The schedule columns now exist: a second run writes to the same ones.
    path = faulty_project
    book_file = openpyxl.load_workbook(path)
    for c, head in enumerate(buttons.SCHEDULE_HEADERS, start=25):
        book_file["Plan"].cell(1, c).value = head
    book_file.save(path)
    again = open_book(path, "project.xlsm")
    buttons.recompute_schedule(again)
    assert actions(again, "setValues")[0]["start_column"] == 24


def test_status_report(faulty_project: Path):
    book = open_book(faulty_project, "project.xlsm")
    buttons.status_report(book)
    values = actions(book, "setValues")[0]["values"]
    assert values[0][0] == "PRJ-001 Clean project"
    assert ["RAG (project manager)", "green"] in values


def test_errors_are_messages_not_tracebacks(tmp_path: Path):
    book = open_book(write_project_workbook(tmp_path / "p.xlsx", clean_project(), omit_sheets=()), "p.xlsm")
    book.sheets["Plan"].name = "Something else"
    empty = open_book(tmp_path / "p.xlsx", "p.xlsm")
    for sheet in list(empty.sheets):
        if sheet.name not in ("Project",):
            sheet.delete()
    buttons.recompute_schedule(empty)
    (alert,) = actions(empty, "alert")
    assert alert["args"][0] == "p.xlsm: no Plan sheet with a header row: copy it from the template"
    buttons.export_pdf(empty)
    assert "Export PDF needs Excel" in actions(empty, "alert")[-1]["args"][0]


@pytest.fixture
def portfolio_book(tmp_path: Path, monkeypatch) -> Path:
    monkeypatch.chdir(tmp_path)
    folder = tmp_path / "projects"
    folder.mkdir()
    write_project_workbook(folder / "a.xlsx", clean_project())
    (folder / "broken.xlsx").write_bytes(b"not a workbook")
    settings = PortfolioSettings(portfolio_name="Test", project_folder=str(folder),
                                 status_date=clean_project().project.status_date)  # fmt: skip
    register = [RegisterRow(project_id="PRJ-001", workbook="a.xlsx")]
    return write_portfolio_workbook(
        tmp_path / "portfolio.xlsx", PortfolioWorkbook(settings=settings, projects=register)
    )


def test_consolidate_writes_rollup_tabs(portfolio_book: Path):
    book = open_book(portfolio_book, "portfolio.xlsm")
    buttons.consolidate(book)
    added = [a["args"][1] for a in actions(book, "addSheet")]
    assert added == ["Roll-up", "Programmes", "Load problems"]
    rollup = actions(book, "setValues")[0]["values"]
    assert rollup[0][0] == "project_id" and rollup[1][0] == "PRJ-001"
    problems = actions(book, "setValues")[2]["values"]
    assert problems[1][0] == "broken.xlsx" and problems[1][2] == "READ005"
    assert "1 projects consolidated; 1 load problems." in actions(book, "alert")[0]["args"][0]


def test_committee_pack_and_snapshot(portfolio_book: Path, tmp_path: Path):
    book = open_book(portfolio_book, "portfolio.xlsm")
    buttons.committee_pack(book)
    pack = tmp_path / "committee_pack_2026-02-27.xlsx"
    assert pack.exists() and openpyxl.load_workbook(pack).sheetnames[0] == "Executive summary"
    summary = actions(book, "setValues")[0]["values"]
    assert summary[1] == ["File", str(pack)]
    buttons.snapshot(book)
    assert (tmp_path / "snapshots" / "2026-02-27" / "manifest.json").exists()
