"""The button handlers on the shipped templates and on every demo workbook (xlwings' remote engine)."""

from __future__ import annotations

from pathlib import Path

import pytest

import addin.buttons as buttons
from pmo_logic.reader import read_project_workbook
from pmo_logic.validate import is_unreadable, validate_workbook
from pmo_logic.validation_settings import ValidationSettings
from tests.test_buttons import actions, open_book

PROJECT_HANDLERS = (buttons.validate_plan, buttons.recompute_schedule, buttons.status_report)


def _written(book) -> list:
    return [a["values"] for a in actions(book, "setValues")]


@pytest.mark.parametrize("name", ["project_en.xlsm", "project_fr.xlsm"])
@pytest.mark.parametrize("handler", PROJECT_HANDLERS, ids=lambda h: h.__name__)
def test_project_buttons_on_the_shipped_templates(templates_dir: Path, name: str, handler):
    first = open_book(templates_dir / name, name)
    handler(first)
    assert not actions(first, "alert"), actions(first, "alert")  # no error message
    assert _written(first)
    again = open_book(templates_dir / name, name)
    handler(again)
    assert _written(again) == _written(first)  # the same workbook gives the same output


def _demo_projects(demo_portfolio) -> list[Path]:
    return [p for p in demo_portfolio.project_files if not is_unreadable(read_project_workbook(p))]


def test_validate_plan_on_every_demo_workbook(demo_portfolio):
    paths = _demo_projects(demo_portfolio)
    assert len(paths) >= 10
    for path in paths:
        book = open_book(path, path.name)
        buttons.validate_plan(book)
        workbook = read_project_workbook(path)
        expected = validate_workbook(workbook, ValidationSettings(as_of=workbook.project.status_date)).findings
        rows = _written(book)[0][1:]
        codes = sorted(r[1] for r in rows if r[1])
        assert codes == sorted(f.code for f in expected), path.name
        assert [a["args"][1] for a in actions(book, "addSheet")] == ["Validation"]


def test_every_planted_defect_is_found_by_the_button(demo_portfolio):
    codes_by_file: dict[str, set[str]] = {}
    for path in _demo_projects(demo_portfolio):
        book = open_book(path, path.name)
        buttons.validate_plan(book)
        codes_by_file[path.name] = {r[1] for r in _written(book)[0][1:]}
    for defect in demo_portfolio.defects:
        if defect.file in codes_by_file and defect.code:
            assert defect.code in codes_by_file[defect.file], defect


def test_recompute_schedule_on_every_demo_workbook(demo_portfolio):
    for path in _demo_projects(demo_portfolio):
        book = open_book(path, path.name)
        buttons.recompute_schedule(book)
        workbook = read_project_workbook(path)
        flags = {v[0] for values in _written(book) for v in values if v and v[0] in ("Yes", "No", "Oui", "Non")}
        expected = {"Oui", "Non"} if workbook.meta.language == "fr" else {"Yes", "No"}
        assert flags and flags <= expected, path.name
        alerts = [a["args"][0] for a in actions(book, "alert")]
        loops = [d for d in demo_portfolio.defects if d.file == path.name and d.kind == "dependency_loop"]
        if loops:
            assert len(alerts) == 1 and "dependency loop" in alerts[0], alerts
        else:
            assert not alerts, (path.name, alerts)


def test_status_report_on_every_demo_workbook(demo_portfolio):
    for path in _demo_projects(demo_portfolio):
        book = open_book(path, path.name)
        buttons.status_report(book)
        workbook = read_project_workbook(path)
        values = _written(book)[0]
        assert values[0][0].startswith(workbook.project.project_id), path.name
        assert not actions(book, "alert"), path.name


def test_portfolio_buttons_on_the_demo_portfolio(demo_portfolio, tmp_path: Path, monkeypatch):
    import shutil

    from pmo_logic.consolidate import consolidate
    from pmo_logic.reader import read_portfolio_workbook

    # A copy, so the session's demo folder keeps no cache or snapshot of this test.
    root = tmp_path / "demo"
    shutil.copytree(demo_portfolio.folder, root)
    monkeypatch.chdir(root)  # the remote engine's book has no folder: relative paths start here
    portfolio_file = root / demo_portfolio.portfolio_file.name
    expected = consolidate(root / "projects", read_portfolio_workbook(portfolio_file), workers=1)
    book = open_book(portfolio_file, "portfolio.xlsm")
    buttons.consolidate(book)
    assert [a["args"][1] for a in actions(book, "addSheet")] == ["Roll-up", "Programmes", "Load problems"]
    rollup, programmes, problems = _written(book)[:3]
    assert sorted(r[0] for r in rollup[1:]) == sorted(expected.projects["project_id"])
    assert len(programmes) - 1 == len(expected.programmes) == 3
    assert sorted(r[0] for r in problems[1:]) == sorted(expected.load_problems["file"])
    again = open_book(portfolio_file, "portfolio.xlsm")
    buttons.consolidate(again)  # from the cache now: the same tabs
    assert _written(again)[:3] == [rollup, programmes, problems]
    buttons.snapshot(again)
    assert list((root / "snapshots").glob("*/manifest.json"))


def test_button_output_speaks_the_workbook_language(demo_portfolio):
    french = [p for p in _demo_projects(demo_portfolio) if read_project_workbook(p).meta.language == "fr"]
    assert french
    book = open_book(french[0], french[0].name)
    buttons.validate_plan(book)
    assert _written(book)[0][0] == ["Gravité", "Code", "Cellule", "Élément", "Message"]
    assert {r[0] for r in _written(book)[0][1:]} <= {"erreur", "avertissement", "info"}
    book = open_book(french[0], french[0].name)
    buttons.status_report(book)
    assert actions(book, "addSheet")[0]["args"][1] == "Statut"
    labels = [row[0] for row in _written(book)[0]]
    assert "Date d'état" in labels and "Météo (chef de projet)" in labels
    manual = next(row[1] for row in _written(book)[0] if row[0] == "Météo (chef de projet)")
    assert manual in (None, "Vert", "Orange", "Rouge")


def test_buttons_and_functions_run_without_calamine_or_processes(demo_portfolio, tmp_path: Path, monkeypatch):
    """What xlwings Lite offers (Python in the browser): no compiled calamine, no process pool."""
    import concurrent.futures
    import shutil
    from datetime import date

    from addin import udfs
    from pmo_logic import reader

    def no_processes(*args, **kwargs):
        raise AssertionError("a button or function started a process pool")

    monkeypatch.setattr(reader, "python_calamine", None)
    monkeypatch.setattr(concurrent.futures, "ProcessPoolExecutor", no_processes)
    root = tmp_path / "demo"
    shutil.copytree(demo_portfolio.folder, root)
    monkeypatch.chdir(root)
    book = open_book(root / demo_portfolio.portfolio_file.name, "portfolio.xlsm")
    buttons.consolidate(book)
    assert "projects consolidated" in actions(book, "alert")[0]["args"][0]
    project = _demo_projects(demo_portfolio)[0]
    for handler in PROJECT_HANDLERS:
        book = open_book(project, project.name)
        handler(book)
        assert _written(book)
    table = udfs.PMO_SCHEDULE(["1", "2"], [3, 2], [None, "1"], date(2026, 1, 5))
    assert len(table) == 3 and table[2][0] == "2"
