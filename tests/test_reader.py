"""The reader on workbooks as people really leave them. Messy copies are made with openpyxl,
independently of our writer, and every problem must name file, sheet and cell."""

from __future__ import annotations

import hashlib
import io
import shutil
from datetime import date, datetime
from pathlib import Path

import msoffcrypto.format.ooxml
import openpyxl
import pytest

from pmo_logic.reader import read_portfolio_workbook, read_project_workbook
from tests.conftest import garbage_copy

PROJECT_ROWS = [
    ("Project ID *", "PRJ-042"),
    ("Project name", "Messy project"),
    ("methodology", "Agile"),
    ("DATE D'ÉTAT", "20/11/2026"),  # French label, upper case, date as text
    ("Start date", "2026-01-05"),
    ("End date", datetime(2026, 12, 18)),
    ("project manager", "A. Martin"),
    ("BAC", "1 234 567,50 €"),
]


def _project_sheet(book: openpyxl.Workbook, title: str = "Project") -> None:
    ws = book.create_sheet(title)
    for row in PROJECT_ROWS:
        ws.append(row)


def messy_plan_book(path: Path) -> Path:
    """Columns reordered, French headers in odd case, header on row 4, blank rows, text values, no _meta."""
    book = openpyxl.Workbook()
    book.remove(book.active)
    _project_sheet(book)
    ws = book.create_sheet("planning")
    ws["A1"] = "Planning du projet"  # a title block above the table
    ws["A2"] = "Mis à jour chaque vendredi"
    ws.append([])
    ws.append(["Nom de la tâche", "id", "FIN", "Début ", "% ACHEVÉ", "Budget", "Type", "Notes perso", "Statut"])
    ws.append(["Analyse", 1, "30/01/2026", "05/01/2026", "100%", "1 200,50", "Tâche", "ok", "Terminée"])
    ws.append([None] * 9)
    ws.append(["Build", "2", datetime(2026, 3, 27), date(2026, 2, 2), 0.45, 3000, "task", None, "in progress"])
    ws.append([])
    ws.append(["Go-live", "3", "27 mars 2026", "2026-03-27", 0, None, "Jalon", None, "non commencée"])
    book.save(path)
    return path


def test_messy_copy_reads_right(tmp_path: Path):
    wb = read_project_workbook(messy_plan_book(tmp_path / "messy.xlsx"))
    assert [p for p in wb.problems if p.severity != "info"] == []
    assert wb.meta.language == "en"  # no _meta sheet: sheet names decide
    assert wb.project.project_id == "PRJ-042"
    assert wb.project.methodology == "agile"
    assert wb.project.status_date == date(2026, 11, 20)
    assert wb.project.end_date == date(2026, 12, 18)
    assert wb.project.approved_budget == pytest.approx(1234567.5)  # its "BAC" row, as versions 1-2 named it
    assert [t.id for t in wb.plan] == ["1", "2", "3"]
    first, second, third = wb.plan
    assert (first.start, first.finish, first.percent_complete, first.budget) == (
        date(2026, 1, 5),
        date(2026, 1, 30),
        1.0,
        pytest.approx(1200.5),
    )
    assert (first.type, first.status) == ("task", "done")
    assert (second.percent_complete, second.status, second.finish) == (0.45, "in_progress", date(2026, 3, 27))
    assert (third.type, third.finish, third.status) == ("milestone", date(2026, 3, 27), "not_started")
    # Excel rows, for pointing at cells later: header on row 4, a blank row 6.
    assert [t.source_row for t in wb.plan] == [5, 7, 9]
    assert wb.missing_sheets == ["risks", "actions", "issues", "decisions", "budget", "stakeholders",
                                 "interfaces", "sprints", "lists"]  # fmt: skip


def test_bad_values_are_problems_with_their_cell(tmp_path: Path):
    path = messy_plan_book(tmp_path / "bad.xlsx")
    book = openpyxl.load_workbook(path)
    ws = book["planning"]
    ws["F5"] = "beaucoup"  # Budget
    ws["D7"] = "31/02/2026"  # Début
    ws["I9"] = "Finished"  # Statut
    ws["E5"] = "#N/A"  # % achevé, an error copied as text
    book.save(path)
    wb = read_project_workbook(path)
    errors = [p for p in wb.problems if p.severity != "info"]
    found = {(p.sheet, p.cell): p for p in errors}
    assert set(found) == {("planning", "F5"), ("planning", "D7"), ("planning", "I9"), ("planning", "E5")}
    assert all(p.severity == "error" and p.file == "bad.xlsx" for p in errors)
    assert {cell: p.code for (_, cell), p in found.items()} == {
        "F5": "READ009",
        "D7": "READ009",
        "I9": "READ013",  # not in the drop-down list
        "E5": "READ009",
    }
    assert found[("planning", "F5")].message == "Budget: expected a number, found 'beaucoup'"
    assert found[("planning", "D7")].message.startswith("Début: expected a date")
    assert "expected a date" in found[("planning", "D7")].message
    assert "'Finished' is not in the list" in found[("planning", "I9")].message
    # python-calamine reads error cells as blanks; the reader still reports them.
    assert found[("planning", "E5")].message == "% ACHEVÉ: the cell shows the Excel error #N/A; read as blank"
    # The rest of each row is still read.
    assert [t.id for t in wb.plan] == ["1", "2", "3"]
    assert wb.plan[0].budget is None and wb.plan[0].name == "Analyse"


def test_missing_required_column_and_sheet(tmp_path: Path):
    book = openpyxl.Workbook()
    book.active.title = "Plan"
    book["Plan"].append(["ID", "Start", "Finish"])
    book["Plan"].append([1, "2026-01-05", "2026-01-09"])
    book.save(tmp_path / "p.xlsx")
    wb = read_project_workbook(tmp_path / "p.xlsx")
    errors = {(p.code, p.sheet, p.message) for p in wb.problems if p.severity == "error"}
    assert ("READ007", "Project", "the sheet 'Project' is missing: copy it from the template") in errors
    assert ("READ008", "Plan", "required column 'Task name' not found in the header row 1") in errors
    assert ("READ008", "Plan", "required column 'Type' not found in the header row 1") in errors
    info = [p for p in wb.problems if p.severity == "info"]
    assert {p.sheet for p in info} >= {"Risks", "Budget"}  # optional sheets: not errors


def test_renamed_sheet_is_found_by_its_headers(tmp_path: Path, templates_dir: Path):
    path = tmp_path / "renamed.xlsx"
    book = openpyxl.load_workbook(templates_dir / "project_en.xlsx")
    book["Plan"].title = "Schedule v2"
    book.save(path)
    wb = read_project_workbook(path)
    assert len(wb.plan) == 3
    assert [(p.code, p.severity, p.sheet) for p in wb.problems] == [("READ011", "info", "Schedule v2")]


def test_merged_title_and_duplicate_column(tmp_path: Path):
    book = openpyxl.Workbook()
    _project_sheet(book)
    ws = book.create_sheet("Plan")
    ws["A1"] = "My plan"
    ws.merge_cells("A1:E1")
    ws.append(["ID", "Task name", "Type", "Start", "Début"])
    ws.append(["1", "Design", "Task", "2026-01-05", "2026-02-05"])
    book.save(tmp_path / "p.xlsx")
    wb = read_project_workbook(tmp_path / "p.xlsx")
    assert wb.plan[0].start == date(2026, 1, 5)
    dup = [p for p in wb.problems if p.code == "READ012"]
    assert len(dup) == 1 and dup[0].cell == "E2" and dup[0].severity == "warning"


@pytest.mark.parametrize(
    ("content", "name", "code", "words"),
    [
        (b"", "empty.xlsx", "READ002", "empty"),
        (b"PK\x03\x04 this zip was cut in the middle", "cut.xlsx", "READ005", "damaged"),
        (b"just some text\n", "notes.xlsx", "READ005", "not an Excel workbook"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600, "old.xlsx", "READ004", ".xls"),
        (b"anything", "legacy.xls", "READ004", "save as .xlsx"),
    ],
)
def test_unreadable_files_give_one_clear_problem(tmp_path: Path, content, name, code, words):
    path = tmp_path / name
    path.write_bytes(content)
    wb = read_project_workbook(path)
    assert len(wb.problems) == 1
    problem = wb.problems[0]
    assert (problem.code, problem.severity, problem.file) == (code, "error", name)
    assert words in problem.message
    assert wb.plan == []


def test_truncated_real_workbook(tmp_path: Path, templates_dir: Path):
    data = (templates_dir / "project_en.xlsx").read_bytes()
    (tmp_path / "half.xlsx").write_bytes(data[: len(data) // 2])
    (problem,) = read_project_workbook(tmp_path / "half.xlsx").problems
    assert problem.code == "READ005"


def test_password_protected(tmp_path: Path, templates_dir: Path):
    out = io.BytesIO()
    with (templates_dir / "project_en.xlsx").open("rb") as handle:
        msoffcrypto.format.ooxml.OOXMLFile(handle).encrypt("secret", out)
    (tmp_path / "locked.xlsx").write_bytes(out.getvalue())
    (problem,) = read_project_workbook(tmp_path / "locked.xlsx").problems
    assert problem.code == "READ003"
    assert "password" in problem.message


def test_missing_file():
    (problem,) = read_project_workbook(Path("/nonexistent/p.xlsx")).problems
    assert (problem.code, problem.message) == ("READ001", "file not found")


def test_wrong_kind_and_newer_version(tmp_path: Path, templates_dir: Path):
    (problem,) = read_project_workbook(templates_dir / "portfolio_fr.xlsx").problems
    assert problem.code == "READ006" and "portfolio workbook" in problem.message
    path = tmp_path / "newer.xlsx"
    book = openpyxl.load_workbook(templates_dir / "project_en.xlsx")
    book["_meta"]["B2"] = 99
    book.save(path)
    wb = read_project_workbook(path)
    assert [(p.code, p.severity) for p in wb.problems] == [("READ010", "warning")]
    assert len(wb.plan) == 3


def test_xlsm_is_read(tmp_path: Path, templates_dir: Path):
    path = tmp_path / "macro.xlsm"
    shutil.copy(templates_dir / "project_fr.xlsx", path)
    wb = read_project_workbook(path)
    assert wb.problems == [] and wb.project.name == "Nouveau projet"


def test_garbage_everywhere_never_raises(tmp_path: Path, templates_dir: Path):
    path = garbage_copy(templates_dir / "project_en.xlsx", tmp_path / "garbage.xlsx", "§§ garbage ¤")
    wb = read_project_workbook(path)
    assert wb.problems, "garbage must be reported"
    assert all(p.file == "garbage.xlsx" and p.sheet for p in wb.problems)
    assert all(p.cell or p.code in ("READ007", "READ008") for p in wb.problems)


def test_reading_never_changes_the_file(templates_dir: Path):
    path = templates_dir / "project_en.xlsx"
    before = hashlib.sha256(path.read_bytes()).hexdigest()
    stat = path.stat()
    read_project_workbook(path)
    assert hashlib.sha256(path.read_bytes()).hexdigest() == before
    assert path.stat().st_mtime_ns == stat.st_mtime_ns


def test_portfolio_settings_keep_defaults_for_blank_thresholds(tmp_path: Path, templates_dir: Path):
    path = tmp_path / "pf.xlsx"
    book = openpyxl.load_workbook(templates_dir / "portfolio_en.xlsx")
    ws = book["Settings"]
    row = next(r for r in range(1, 30) if ws.cell(r, 1).value == "SPI green at or above")
    ws.cell(row, 2).value = None
    ws.cell(row + 1, 2).value = "0,8"
    book.save(path)
    settings = read_portfolio_workbook(path).settings
    assert settings.spi_green == 0.95
    assert settings.spi_amber == 0.8


def test_without_calamine_openpyxl_reads_the_same(demo_portfolio, monkeypatch):
    """Where python-calamine is missing (Python in the browser), openpyxl reads the same workbooks."""
    from pmo_logic import reader

    files = [*demo_portfolio.project_files, demo_portfolio.portfolio_file]
    fast = [_read_any(path) for path in files]
    monkeypatch.setattr(reader, "python_calamine", None)
    opened = []
    load = openpyxl.load_workbook
    monkeypatch.setattr(openpyxl, "load_workbook", lambda path, **kw: opened.append(path) or load(path, **kw))
    slow = [_read_any(path) for path in files]
    not_zip = [
        w.source
        for w in fast
        if any(p.code in ("READ001", "READ002", "READ003", "READ004", "READ005") for p in w.problems)
    ]
    assert len(opened) == len(files) - len(not_zip)
    for path, a, b in zip(files, fast, slow, strict=True):
        assert a.model_dump(exclude={"source"}) == b.model_dump(exclude={"source"}), path.name
    assert sum(len(w.plan) for w in slow if hasattr(w, "plan")) > 100


def _read_any(path):
    return read_portfolio_workbook(path) if "portfolio" in path.name else read_project_workbook(path)


def test_a_version_1_workbook_without_schedule_columns_reads_cleanly(tmp_path: Path):
    """Template version 2 added the Plan's schedule columns; version 1 workbooks stay valid."""
    from pmo_logic.rules.example_project import clean_project
    from pmo_logic.templates import write_project_workbook

    path = write_project_workbook(tmp_path / "v1.xlsx", clean_project())
    book = openpyxl.load_workbook(path)
    plan = book["Plan"]
    headers = [c.value for c in plan[1]]
    plan.delete_cols(headers.index("Early start") + 1, 6)
    meta = book["_meta"]
    for row in meta.iter_rows():
        if row[0].value == "template_version":
            row[1].value = 1
    book.save(path)
    workbook = read_project_workbook(path)
    assert workbook.problems == []
    assert workbook.meta.template_version == 1
    assert all(t.early_start is None and t.critical is None for t in workbook.plan)
    assert len(workbook.plan) == len(clean_project().plan)


def test_a_version_2_workbook_without_the_deadline_column_reads_cleanly(tmp_path: Path):
    """Template version 3 added the Plan's Deadline column; version 2 workbooks stay valid."""
    from pmo_logic.rules.example_project import clean_project
    from pmo_logic.templates import write_project_workbook

    path = write_project_workbook(tmp_path / "v2.xlsx", clean_project())
    book = openpyxl.load_workbook(path)
    plan = book["Plan"]
    headers = [c.value for c in plan[1]]
    plan.delete_cols(headers.index("Deadline") + 1, 1)
    for row in book["_meta"].iter_rows():
        if row[0].value == "template_version":
            row[1].value = 2
    book.save(path)
    workbook = read_project_workbook(path)
    assert workbook.problems == []
    assert workbook.meta.template_version == 2
    assert all(t.deadline is None for t in workbook.plan)
    assert [t.early_start for t in workbook.plan] == [t.early_start for t in clean_project().plan]


def test_every_bad_cell_is_reported_in_reading_order(tmp_path: Path):
    # A value is parsed once per column and reused; a bad value must still be reported at
    # each cell it is in, and the problems listed row by row, left to right.
    from pmo_logic.examples import example_project
    from pmo_logic.templates import write_project_workbook

    path = write_project_workbook(tmp_path / "p.xlsx", example_project())
    book = openpyxl.load_workbook(path)
    plan = book["Plan"]
    headers = {c.value: c.column_letter for c in plan[1] if c.value}
    start, duration = headers["Start"], headers["Duration (working days)"]
    for cell in (f"{start}5", f"{start}3", f"{duration}3", f"{start}4"):
        plan[cell] = "soon"
    plan[f"{start}6"] = "2026-02-02"  # a good date typed as text, the same text twice
    plan[f"{start}7"] = "2026-02-02"
    book.save(path)
    workbook = read_project_workbook(path)
    bad = [p.cell for p in workbook.problems if p.code == "READ008" or "soon" in p.message]
    assert bad == [f"{start}3", f"{duration}3", f"{start}4", f"{start}5"]
    rows = {t.source_row: t for t in workbook.plan}
    assert rows[6].start == rows[7].start == date(2026, 2, 2)
    assert rows[3].start is None and rows[5].start is None


def test_row_models_are_skipped_only_where_they_copy_the_parsed_values():
    # Consolidation skips building row models when a model takes each parsed value unchanged:
    # true for every table sheet of the contract today, false as soon as a field's type and
    # its column's kind disagree (the reader then builds and validates the rows again).
    from typing import Annotated

    from pmo_logic.columns import Col
    from pmo_logic.models import Row
    from pmo_logic.reader import parsed_values_are_models
    from pmo_logic.sheets import PROJECT_SHEETS

    assert all(parsed_values_are_models(s.model) for s in PROJECT_SHEETS if s.layout == "table")

    class Mismatch(Row):
        amount: Annotated[int | None, Col("Amount", "Montant", "money")] = None  # money parses as float

    assert not parsed_values_are_models(Mismatch)


def test_header_row_far_down_the_sheet(tmp_path: Path, templates_dir: Path):
    # 40 rows of notes above the table: no header in the first 30 rows, so the reader looks
    # further down (a Plan read as 0 tasks would be a green project with nothing in it).
    path = tmp_path / "low.xlsx"
    book = openpyxl.load_workbook(templates_dir / "project_en.xlsx")
    plan = book["Plan"]
    plan.insert_rows(1, 40)
    for r in range(1, 41):
        plan.cell(r, 1).value = f"Note {r}: see the steering committee minutes"
    plan["A17"] = "Type"  # one word that is also a header: not a header row by itself
    book.save(path)
    wb = read_project_workbook(path)
    assert [p for p in wb.problems if p.severity == "error"] == []
    assert [t.source_row for t in wb.plan] == [42, 43, 44]
    assert wb.layout["plan"].header_row == 41


def test_no_header_anywhere_says_so(tmp_path: Path):
    book = openpyxl.Workbook()
    _project_sheet(book)
    ws = book.create_sheet("Plan")
    for r in range(1, 60):
        ws.cell(r, 1).value = f"line {r}"
    book.save(tmp_path / "p.xlsx")
    problems = [p for p in read_project_workbook(tmp_path / "p.xlsx").problems if p.sheet == "Plan"]
    assert [(p.code, p.message) for p in problems] == [
        ("READ008", "no header row found: no row of the sheet has the column names of the template")
    ]


def test_values_under_merged_cells(tmp_path: Path):
    # Made with openpyxl's merges, independent of our writer: a Project label merged over two
    # columns (its value is after the merge), a header merged over two header rows, an owner
    # merged over three tasks.
    book = openpyxl.Workbook()
    book.remove(book.active)
    project = book.create_sheet("Project")
    project.append(["Project ID *", None, "PRJ-077"])
    project.merge_cells("A1:B1")
    project.append(["Project name", "Merged project"])
    ws = book.create_sheet("Plan")
    ws.append(["ID", "Task", None, None, "Dates", None])
    ws.append([None, "Task name", "Type", "Owner", "Start", "Finish"])
    ws.merge_cells("A1:A2")  # "ID" over both header rows
    ws.merge_cells("E1:F1")  # a group title over Start and Finish
    ws.append(["1", "Design", "Task", "A. Martin", "2026-01-05", "2026-01-09"])
    ws.append(["2", "Build", "Task", None, "2026-01-12", "2026-01-16"])
    ws.append(["3", "Test", "Task", None, "2026-01-19", "2026-01-23"])
    ws.merge_cells("D3:D5")  # one owner for the three tasks
    ws.append(["4", "Go-live", "Milestone", "B. Dubois", "2026-01-26", "2026-01-26"])
    book.save(tmp_path / "merged.xlsx")
    wb = read_project_workbook(tmp_path / "merged.xlsx")
    assert [p for p in wb.problems if p.sheet == "Plan"] == []
    assert {p.code for p in wb.problems if p.sheet == "Project"} == {"READ008"}  # rows this test left out
    assert wb.project.project_id == "PRJ-077" and wb.project.name == "Merged project"
    assert wb.layout["project"].cells["project_id"] == "C1"
    assert [t.id for t in wb.plan] == ["1", "2", "3", "4"]
    assert [t.owner for t in wb.plan] == ["A. Martin", "A. Martin", "A. Martin", "B. Dubois"]
    assert wb.plan[0].start == date(2026, 1, 5) and wb.plan[3].finish == date(2026, 1, 26)
