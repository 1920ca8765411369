"""The button handlers, run on real workbooks through xlwings' own Book API (its remote engine).

The remote engine is xlwings' source-available code, used here only as a test harness under its
noncommercial licence key (set for these tests alone): it gives real Book/Sheet/Range objects
built from a workbook's values and records every write as an action.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

import openpyxl
import pytest
import xlwings as xw
from pptx import Presentation

import addin.buttons as buttons
from pmo_logic.models import PortfolioSettings, PortfolioWorkbook, RegisterRow, RiskRow
from pmo_logic.outputs import recorded
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


def test_validate_plan_speaks_french_in_a_french_workbook(tmp_path: Path):
    workbook = clean_project()
    workbook.plan[5].predecessors = "99"
    path = write_project_workbook(tmp_path / "projet.xlsx", workbook, lang="fr")
    book = open_book(path, "projet.xlsm")
    buttons.validate_plan(book)
    written = actions(book, "setValues")[0]["values"]
    assert written[0][1:] == ["Code", "Cellule", "Élément", "Message"]
    (row,) = [r for r in written[1:] if r[1] == "PLAN020"]
    assert row[4] == "Tâche 6\u00a0: le prédécesseur 99 n'est pas dans le planning"


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


def _schedule_writes(book: xw.Book) -> dict[int, dict]:
    """The schedule block written into each column: 0-based column -> setValues action."""
    return {a["start_column"]: a for a in actions(book, "setValues") if a["start_row"] == 1}


def test_recompute_schedule_fills_the_plan_schedule_columns_and_is_idempotent(faulty_project: Path):
    book = open_book(faulty_project, "project.xlsm")
    buttons.recompute_schedule(book)
    workbook = read_project_workbook(faulty_project)
    tasks = schedule(workbook.plan, WorkCalendar(workbook.project.start_date), status_date=workbook.project.status_date,
                     project_start=workbook.project.start_date).tasks  # fmt: skip
    headers = [c.value for c in openpyxl.load_workbook(faulty_project)["Plan"][1]]
    column = {h: headers.index(h) for h in ("Early finish", "Total float", "Critical")}
    writes = _schedule_writes(book)
    assert not [a for a in actions(book, "setValues") if a["start_row"] == 0]  # the table's headers are kept
    assert set(writes) == {headers.index(h) for h in buttons_headers()}
    finish = [row[0] for row in writes[column["Early finish"]]["values"]]
    critical = [row[0] for row in writes[column["Critical"]]["values"]]
    assert len(finish) == len(tasks)
    for early_finish, flag, task in zip(finish, critical, tasks.itertuples(), strict=True):
        assert early_finish == task.early_finish.isoformat()
        assert flag == ("Yes" if task.critical else "No")
    assert {row[0] for row in writes[column["Total float"]]["values"]} >= {0.0}
    # Summary rows carry the float and critical flag of their most critical child (MS Project).
    summaries = [k for k, task in enumerate(tasks.itertuples()) if task.type == "summary"]
    assert summaries and all(writes[column["Total float"]]["values"][k][0] is not None for k in summaries)
    assert all(critical[k] == "Yes" for k in summaries)  # the clean project's summary spans its critical path
    again = open_book(faulty_project, "project.xlsm")
    buttons.recompute_schedule(again)
    assert _schedule_writes(again) == writes


def buttons_headers() -> list[str]:
    from pmo_logic.columns import input_columns
    from pmo_logic.models import TaskRow

    cols = {spec.name: spec.col for spec in input_columns(TaskRow)}
    return [cols[name].en for name in buttons.SCHEDULE_FIELDS]


def test_recompute_schedule_adds_the_columns_to_an_older_plan(faulty_project: Path):
    book_file = openpyxl.load_workbook(faulty_project)
    plan = book_file["Plan"]
    headers = [c.value for c in plan[1]]
    first = headers.index("Early start") + 1
    plan.delete_cols(first, len(buttons.SCHEDULE_FIELDS))  # a workbook from before the columns existed
    book_file.save(faulty_project)
    last = len([h for h in headers if h]) - len(buttons.SCHEDULE_FIELDS)
    book = open_book(faulty_project, "project.xlsm")
    buttons.recompute_schedule(book)
    added = [a for a in actions(book, "setValues") if a["start_row"] == 0]
    assert [(a["start_column"], a["values"]) for a in added] == [
        (last + k, [[head]]) for k, head in enumerate(buttons_headers())
    ]
    # Once added, they are the Plan's schedule columns: a second run finds them by header.
    for a in added:
        plan.cell(1, a["start_column"] + 1).value = a["values"][0][0]
    book_file.save(faulty_project)
    again = open_book(faulty_project, "project.xlsm")
    buttons.recompute_schedule(again)
    assert not [a for a in actions(again, "setValues") if a["start_row"] == 0]
    assert set(_schedule_writes(again)) == {a["start_column"] for a in added}


def test_status_report(faulty_project: Path):
    book = open_book(faulty_project, "project.xlsm")
    buttons.status_report(book)
    values = actions(book, "setValues")[0]["values"]
    assert values[0][0] == "PRJ-001 Clean project"
    assert ["RAG (project manager)", "Green"] in values
    assert actions(book, "addSheet")[0]["args"][1] == "Status"


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


@pytest.mark.parametrize(("switch", "cached"), [(None, True), ("off", False), ("0", False), ("on", True)])
def test_the_consolidate_button_uses_the_cache_unless_it_is_switched_off(portfolio_book: Path, monkeypatch, switch,
                                                                         cached):  # fmt: skip
    from pmo_logic import consolidate as consolidation

    seen = []
    real = consolidation.consolidate

    def spy(*args, **kwargs):
        seen.append(kwargs.get("cache"))
        return real(*args, **kwargs)

    monkeypatch.setattr(consolidation, "consolidate", spy)
    if switch is None:
        monkeypatch.delenv("PMO_XL_CACHE", raising=False)
    else:
        monkeypatch.setenv("PMO_XL_CACHE", switch)
    buttons.consolidate(open_book(portfolio_book, "portfolio.xlsm"))
    assert len(seen) == 1 and (seen[0] is not None) is cached


def test_committee_pack_and_snapshot(portfolio_book: Path, tmp_path: Path):
    book = open_book(portfolio_book, "portfolio.xlsm")
    buttons.committee_pack(book)
    pack = tmp_path / "committee_pack_2026-02-27.xlsx"
    assert pack.exists() and openpyxl.load_workbook(pack).sheetnames[0] == "Executive summary"
    summary = actions(book, "setValues")[0]["values"]
    assert summary[1] == ["File", str(pack)]
    # The deck beside the pack, recorded as pmo-xl's (the next click may replace it), its first slide titled.
    deck = pack.with_suffix(".pptx")
    assert summary[2] == ["Deck", str(deck)] and recorded(deck, "deck")
    assert "Steering committee" in Presentation(str(deck)).slides[0].shapes.title.text
    buttons.snapshot(book)
    assert (tmp_path / "snapshots" / "2026-02-27" / "manifest.json").exists()


class _FakeSheet:
    """Just what `_copy_tabs` uses of desktop Excel's sheets (no Excel here to run it for real)."""

    def __init__(self, book: _FakeBook, name: str) -> None:
        self.book, self.name = book, name

    def delete(self) -> None:
        self.book.sheets.remove(self)

    def copy(self, after: _FakeSheet) -> _FakeSheet:
        if self.name == "Broken":
            raise RuntimeError("copy failed")
        name, taken = self.name, {s.name for s in after.book.sheets}
        k = 2
        while name in taken:  # what Excel does with a taken name
            name, k = f"{self.name} ({k})", k + 1
        copy = _FakeSheet(after.book, name)
        after.book.sheets.insert(after.book.sheets.index(after) + 1, copy)
        return copy


class _FakeSheets(list):
    def __getitem__(self, key):
        return next(s for s in self if s.name == key) if isinstance(key, str) else super().__getitem__(key)


class _FakeBook:
    def __init__(self, names: list[str], pack: _FakeBook | None = None) -> None:
        self.sheets = _FakeSheets(_FakeSheet(self, n) for n in names)
        self.closed = False
        self.app = type("App", (), {"books": type("Books", (), {"open": staticmethod(lambda path: pack)})()})()

    def close(self) -> None:
        self.closed = True


def test_pack_tabs_replace_only_the_earlier_pack_tabs():
    pack = _FakeBook(["Executive summary", "Milestones"])
    book = _FakeBook(["Settings", "Milestones"], pack)  # the user's own "Milestones"
    copied = buttons._copy_tabs(book, Path("pack.xlsx"), [])
    assert copied == ["Executive summary", "Milestones (2)"] and pack.closed
    assert [s.name for s in book.sheets] == ["Settings", "Milestones", "Executive summary", "Milestones (2)"]
    again = buttons._copy_tabs(book, Path("pack.xlsx"), copied)
    assert again == copied
    assert [s.name for s in book.sheets] == ["Settings", "Milestones", "Executive summary", "Milestones (2)"]


def test_a_failed_copy_closes_the_pack_and_falls_back():
    pack = _FakeBook(["Executive summary", "Broken"])
    book = _FakeBook(["Settings"], pack)
    with pytest.raises(RuntimeError):
        buttons._copy_tabs(book, Path("pack.xlsx"), [])
    assert pack.closed
    assert [s.name for s in book.sheets] == ["Settings"]  # the tab copied before the failure is gone


def test_committee_pack_lists_no_tabs_where_sheets_cannot_be_copied(portfolio_book: Path):
    book = open_book(portfolio_book, "portfolio.xlsm")
    buttons.committee_pack(book)  # the remote engine cannot open a second book
    summary = actions(book, "setValues")[0]["values"]
    assert summary[-1] == ["Tabs", "(in the file above)"]
    again = open_book(portfolio_book, "portfolio.xlsm", extra={"Committee pack": summary})
    assert buttons._copied_tabs(again) == []
    listed = [*summary[:-1], ["Tabs", "Executive summary, Budget"]]
    assert buttons._copied_tabs(open_book(portfolio_book, "p.xlsm", extra={"Committee pack": listed})) == [
        "Executive summary",
        "Budget",
    ]


def test_committee_pack_shows_what_changed_since_the_last_committee(portfolio_book: Path, tmp_path: Path):
    # The button's pack is `pmo report`'s: compared with the snapshot of the committee before.
    from pmo_logic.consolidate import consolidate
    from pmo_logic.reader import read_portfolio_workbook
    from pmo_logic.snapshots import save_snapshot

    before = clean_project()
    before.risks.append(RiskRow(id="R9", title="Supplier strike", owner="A. Martin", probability=3, impact=4,
                                status="open"))  # fmt: skip
    (tmp_path / "earlier").mkdir()
    write_project_workbook(tmp_path / "earlier" / "a.xlsx", before)
    committee = before.project.status_date - timedelta(days=14)
    earlier = consolidate(tmp_path / "earlier", read_portfolio_workbook(portfolio_book), status_date=committee,
                          workers=1)  # fmt: skip
    save_snapshot(earlier, tmp_path / "snapshots")
    book = open_book(portfolio_book, "portfolio.xlsm")
    buttons.committee_pack(book)
    pack = openpyxl.load_workbook(tmp_path / "committee_pack_2026-02-27.xlsx")
    rows = [[c.value for c in row] for row in pack["Executive summary"].iter_rows()]
    # What changed, right half of the page: the change in words, the project, the item.
    assert any(row[7] == "Risk closed" and row[9] == "PRJ-001" and str(row[10]).startswith("R9") for row in rows)


def test_committee_pack_never_writes_over_a_file_it_did_not_write(portfolio_book: Path, tmp_path: Path):
    theirs = tmp_path / "committee_pack_2026-02-27.xlsx"  # the name the button would use
    mine = openpyxl.Workbook()
    mine.active["A1"] = "my own pack"
    mine.save(theirs)
    before = theirs.read_bytes()
    book = open_book(portfolio_book, "portfolio.xlsm")
    buttons.committee_pack(book)
    (alert,) = actions(book, "alert")
    assert "exists and is not a committee pack" in alert["args"][0] and str(theirs) in alert["args"][0]
    assert theirs.read_bytes() == before
    theirs.unlink()
    book = open_book(portfolio_book, "portfolio.xlsm")
    for _ in range(2):  # its own earlier pack is replaced
        buttons.committee_pack(book)
    assert openpyxl.load_workbook(theirs).sheetnames[0] == "Executive summary"
