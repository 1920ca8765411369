"""The templates: round trip through the reader, structure seen by openpyxl, reproducible bytes."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest

from pmo_logic.examples import example_portfolio, example_project
from pmo_logic.models import ProjectWorkbook, TaskRow
from pmo_logic.reader import read_portfolio_workbook, read_project_workbook
from pmo_logic.sheets import PORTFOLIO_SHEETS, PROJECT_SHEETS
from pmo_logic.template_files import TEMPLATE_FILES, build_templates, outdated_templates
from pmo_logic.templates import write_portfolio_workbook, write_project_workbook

SHEET_KEYS = [s.key for s in PROJECT_SHEETS if s.model is not None]


def _dump(value):
    return [row.model_dump() for row in value] if isinstance(value, list) else value.model_dump()


def assert_same_project(read: ProjectWorkbook, written: ProjectWorkbook, skip: tuple[str, ...] = ()) -> None:
    for key in SHEET_KEYS:
        if key in skip:
            continue
        assert _dump(getattr(read, key)) == _dump(getattr(written, key)), key


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_example_project_round_trip(tmp_path: Path, lang: str):
    data = example_project(lang)
    path = write_project_workbook(tmp_path / "p.xlsx", data, lang=lang)
    read = read_project_workbook(path)
    assert read.problems == []
    assert read.meta.language == lang
    assert_same_project(read, data)


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_portfolio_round_trip(tmp_path: Path, lang: str):
    data = example_portfolio(lang)
    read = read_portfolio_workbook(write_portfolio_workbook(tmp_path / "pf.xlsx", data, lang=lang))
    assert read.problems == []
    assert read.settings.model_dump() == data.settings.model_dump()
    assert _dump(read.projects) == _dump(data.projects)


def test_demo_projects_round_trip(demo_portfolio):
    checked = 0
    for path in demo_portfolio.project_files:
        read = read_project_workbook(path)
        if any(d.file == path.name and d.kind == "corrupt_file" for d in demo_portfolio.defects):
            assert read.problems[0].code == "READ005"
            continue
        data = demo_portfolio.projects[read.project.project_id]
        skip = tuple(read.missing_sheets)
        assert_same_project(read, data, skip=skip)
        checked += 1
    assert checked == len(demo_portfolio.project_files) - 1


def test_text_that_looks_like_a_formula_stays_text(tmp_path: Path):
    data = example_project("en")
    data.plan[0].name = '=HYPERLINK("http://evil.example","click")'
    data.plan[1].owner = "+33 1 23 45 67 89"
    data.plan[2].name = "@SUM(A1:A3)"
    path = write_project_workbook(tmp_path / "p.xlsx", data)
    ws = openpyxl.load_workbook(path)["Plan"]
    assert ws["C2"].data_type == "s" and ws["C2"].value.startswith("=HYPERLINK")
    read = read_project_workbook(path)
    assert read.plan[0].name == data.plan[0].name
    assert read.plan[1].owner == "+33 1 23 45 67 89"


def test_structure_seen_by_openpyxl(templates_dir: Path):
    book = openpyxl.load_workbook(templates_dir / "project_fr.xlsx")
    assert book.sheetnames[:3] == ["Mode d'emploi", "Projet", "Planning"]
    assert book["_meta"].sheet_state == "hidden"
    plan = book["Planning"]
    assert "Tasks" in plan.tables
    assert plan.freeze_panes == "D2"
    assert plan.page_setup.orientation == "landscape"
    assert plan.page_setup.paperSize == 9
    assert plan.sheet_properties.pageSetUpPr.fitToPage
    assert plan.page_setup.fitToWidth in (None, 1)  # absent means 1 page wide in OOXML
    assert plan.page_setup.fitToHeight == 0  # as many pages tall as needed
    assert plan.print_title_rows == "$1:$1"
    lists = {dv.formula1 for dv in plan.data_validations.dataValidation if dv.type == "list"}
    assert {"List_task_type", "List_task_status", "List_constraint_type", "List_yes_no"} <= lists
    type_validation = next(dv for dv in plan.data_validations.dataValidation if dv.formula1 == "List_task_type")
    assert str(type_validation.sqref) == "D2:D2001"
    assert plan.conditional_formatting, "overdue and slip highlights"
    names = set(book.defined_names)
    assert {"StatusDate", "NonWorkingDays", "List_task_status"} <= names
    assert book.defined_names["StatusDate"].attr_text == "'Projet'!$B$13"
    assert book["Projet"]["A13"].value == "Date d'état *"
    assert book["Projet"]["B13"].value.date() == example_project("fr").project.status_date
    props = {p.name: p.value for p in book.custom_doc_props.props}
    assert props == {"pmo_kind": "project", "pmo_template_version": "3", "pmo_language": "fr"}
    # The computed column carries the pandas value as its cached result: EV = 20 000 x 100 %.
    cached = openpyxl.load_workbook(templates_dir / "project_fr.xlsx", data_only=True)["Planning"]
    headers = [c.value for c in cached[1]]
    assert cached.cell(2, headers.index("Valeur acquise") + 1).value == 20000


def test_computed_columns_are_formulas_with_full_references(templates_dir: Path):
    ws = openpyxl.load_workbook(templates_dir / "project_en.xlsx")["Risks"]
    headers = [c.value for c in ws[1]]
    score = ws.cell(2, headers.index("Score") + 1).value
    assert score == (
        "=IF(AND(ISNUMBER(RiskLog[[#This Row],[Probability (1-5)]]),ISNUMBER(RiskLog[[#This Row],[Impact (1-5)]])),"
        'RiskLog[[#This Row],[Probability (1-5)]]*RiskLog[[#This Row],[Impact (1-5)]],"")'
    )


def test_every_sheet_of_the_contract_is_in_the_templates(templates_dir: Path):
    for name, (kind, lang) in TEMPLATE_FILES.items():
        book = openpyxl.load_workbook(templates_dir / name)
        sheets = PROJECT_SHEETS if kind == "project" else PORTFOLIO_SHEETS
        assert book.sheetnames == [s.name(lang) for s in sheets] + ["_meta"]


def test_templates_are_reproducible_and_committed_up_to_date(tmp_path: Path, templates_dir: Path):
    first = build_templates(tmp_path / "a")
    second = build_templates(tmp_path / "b")
    for a, b in zip(first, second, strict=True):
        assert a.read_bytes() == b.read_bytes()
    assert outdated_templates(templates_dir) == [], "run: pmo templates build"


def test_outdated_template_is_detected(tmp_path: Path):
    build_templates(tmp_path)
    (tmp_path / "project_fr.xlsx").write_bytes(b"old")
    (tmp_path / "portfolio_en.xlsx").unlink()
    assert outdated_templates(tmp_path) == ["project_fr.xlsx", "portfolio_en.xlsx"]


def test_writes_never_leave_a_partial_file(tmp_path: Path):
    target = tmp_path / "p.xlsx"
    target.write_bytes(b"the user's file")
    bad = example_project("en")
    bad.plan.append(TaskRow(id="9", name="x", type="not-a-code"))
    with pytest.raises(KeyError):
        write_project_workbook(target, bad)
    assert target.read_bytes() == b"the user's file"
    assert [p.name for p in tmp_path.iterdir()] == ["p.xlsx"]


def test_refuses_to_overwrite_unless_asked(tmp_path: Path):
    target = tmp_path / "p.xlsx"
    target.write_bytes(b"keep me")
    with pytest.raises(FileExistsError):
        write_project_workbook(target, example_project("en"), overwrite=False)
    assert target.read_bytes() == b"keep me"
