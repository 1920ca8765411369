"""LibreOffice Calc, an independent spreadsheet, recalculates every formula we write.

Every computed cell of every template and demo workbook must equal what pandas computes from
the same inputs (the formula's twin in `pmo_logic.sheets`), and no cell may show an error.
"""

from __future__ import annotations

import math
import shutil
from pathlib import Path

import openpyxl
import pytest

from pmo_logic.columns import ComputeContext
from pmo_logic.consolidate import load_project
from pmo_logic.frames import rows_to_frame, sheet_frame
from pmo_logic.kpis import earned_value, planned_values
from pmo_logic.libreoffice import convert
from pmo_logic.models import PortfolioSettings, ProjectWorkbook, TaskRow
from pmo_logic.reader import read_portfolio_workbook, read_project_workbook
from pmo_logic.sheets import PROJECT_SHEETS, project_computed_values
from pmo_logic.template_files import TEMPLATE_FILES

pytestmark = pytest.mark.libreoffice

ERROR_VALUES = ("#NAME?", "#REF!", "#N/A", "#VALUE!", "#DIV/0!", "#NUM!", "#NULL!", "Err:")


@pytest.fixture(scope="module")
def recalculated(tmp_path_factory, demo_portfolio, templates_dir):
    """Every template and readable demo workbook, recalculated by LibreOffice, in one run."""
    sources = [templates_dir / name for name in TEMPLATE_FILES]
    corrupt = {d.file for d in demo_portfolio.defects if d.kind == "corrupt_file"}
    sources += [p for p in demo_portfolio.project_files if p.name not in corrupt]
    sources.append(demo_portfolio.portfolio_file)
    staging = tmp_path_factory.mktemp("lo-in")
    # Unique names: templates and demo files are converted into one folder.
    staged = []
    for i, src in enumerate(sources):
        dst = staging / f"{i:02d}_{src.name}"
        shutil.copy(src, dst)
        staged.append(dst)
    out = convert(staged, tmp_path_factory.mktemp("lo-out"))
    return list(zip(sources, out, strict=True))


def _is_blank(value) -> bool:
    return value is None or value == "" or (isinstance(value, float) and math.isnan(value))


def _same(expected, actual) -> bool:
    if _is_blank(expected) or _is_blank(actual):
        return _is_blank(expected) and _is_blank(actual)
    if isinstance(expected, (int, float)):
        return isinstance(actual, (int, float)) and math.isclose(expected, actual, rel_tol=1e-9, abs_tol=1e-9)
    return expected == actual


def test_no_error_value_anywhere(recalculated):
    errors = []
    for source, result in recalculated:
        for ws in openpyxl.load_workbook(result, data_only=True).worksheets:
            for row in ws.iter_rows():
                for cell in row:
                    if isinstance(cell.value, str) and cell.value.startswith(ERROR_VALUES):
                        errors.append(f"{source.name} {ws.title}!{cell.coordinate} = {cell.value}")
    assert errors == []


def _compare_project(source: Path, result: Path) -> int:
    """Compare every computed cell LibreOffice calculated with pandas; return how many were compared."""
    data: ProjectWorkbook = read_project_workbook(source)
    assert [p for p in data.problems if p.severity != "info"] == []
    lang = data.meta.language
    ctx = ComputeContext(
        status_date=data.project.status_date,
        non_working_days=tuple(r.day for r in data.lists if r.day),
        lang=lang,
    )
    book = openpyxl.load_workbook(result, data_only=True)
    frames, compared = {}, 0
    for schema in PROJECT_SHEETS:
        if schema.layout != "table" or schema.key in data.missing_sheets:
            continue
        frame = sheet_frame(getattr(data, schema.key), schema, ctx)
        frames[schema.key] = frame
        ws = book[schema.name(lang)]
        headers = [c.value for c in ws[1]]
        for computed in schema.computed:
            col = headers.index(computed.header(lang)) + 1
            for _, row in frame.iterrows():
                actual = ws.cell(int(row["source_row"]), col).value
                expected = row[computed.key]
                if computed.choices is not None and not _is_blank(actual):
                    actual = computed.choices.lookup(actual)
                assert _same(expected, actual), (
                    f"{source.name} {ws.title}!{ws.cell(int(row['source_row']), col).coordinate}: "
                    f"LibreOffice {actual!r}, pandas {expected!r}"
                )
                compared += 1
    # The Project sheet's computed block, matched by its labels.
    expected_values = project_computed_values(frames, data.project)
    project_ws = book[next(s for s in PROJECT_SHEETS if s.key == "project").name(lang)]
    labels = {row[0].value: row[1].value for row in project_ws.iter_rows(max_col=2)}
    schema = next(s for s in PROJECT_SHEETS if s.key == "project")
    for item in schema.computed_values:
        if item.header(lang) not in labels:
            assert expected_values[item.key] is None, item.key  # left out with its deleted sheet
            continue
        assert _same(expected_values[item.key], labels[item.header(lang)]), (source.name, item.key)
        compared += 1
    return compared


def test_computed_cells_equal_pandas(recalculated):
    compared = {}
    for source, result in recalculated:
        if "portfolio" in source.name:
            continue
        compared[source.name] = _compare_project(source, result)
    assert len(compared) == 4 + 12  # four project templates (.xlsx, .xlsm), twelve readable demo projects
    assert all(n > 0 for n in compared.values())
    assert sum(compared.values()) > 3000


def test_libreoffice_really_recalculates(tmp_path: Path, templates_dir: Path):
    """Change inputs with openpyxl (which drops cached values); the formulas must follow."""
    path = tmp_path / "changed.xlsx"
    book = openpyxl.load_workbook(templates_dir / "project_en.xlsx")
    plan, risks = book["Plan"], book["Risks"]
    headers = [c.value for c in plan[1]]
    plan.cell(3, headers.index("Budget") + 1).value = 50000
    plan.cell(3, headers.index("% complete") + 1).value = 0.5
    risk_headers = [c.value for c in risks[1]]
    risks.cell(2, risk_headers.index("Probability (1-5)") + 1).value = 5
    risks.cell(2, risk_headers.index("Impact (1-5)") + 1).value = 5
    book.save(path)
    (result,) = convert([path], tmp_path / "out")
    values = openpyxl.load_workbook(result, data_only=True)
    assert values["Plan"].cell(3, headers.index("Earned value") + 1).value == 25000
    assert values["Risks"].cell(2, risk_headers.index("Score") + 1).value == 25
    assert values["Risks"].cell(2, risk_headers.index("Level") + 1).value == "Critical"
    assert values["Risks"].cell(2, risk_headers.index("Expected value (EMV)") + 1).value == pytest.approx(0.9 * 15000)


def test_every_task_planned_value_equals_the_engine(recalculated, demo_portfolio):
    """One PV everywhere: each task's Planned value cell, as LibreOffice computes the template's
    NETWORKDAYS formula, equals the engine's (`kpis.planned_values`, not the formula's pandas twin);
    the Project sheet's PV, EV and AC equal the engine's earned value, and the roll-up's
    (`load_project`) for every template and demo project. The demo projects list their country's
    public holidays, so the roll-up counts the demo portfolio's calendar country too; the
    templates list one day off, and are rolled up without a country (else PLAN014's warning applies)."""
    demo_settings = read_portfolio_workbook(demo_portfolio.portfolio_file).settings
    assert demo_settings.calendar_country
    plan_schema = next(s for s in PROJECT_SHEETS if s.key == "plan")
    project_schema = next(s for s in PROJECT_SHEETS if s.key == "project")
    tasks, projects = 0, 0
    for source, result in recalculated:
        if "portfolio" in source.name:
            continue
        data = read_project_workbook(source)
        lang, status = data.meta.language, data.project.status_date
        plan = rows_to_frame(data.plan, TaskRow)
        days_off = [r.day for r in data.lists if r.day]
        book = openpyxl.load_workbook(result, data_only=True)
        ws = book[plan_schema.name(lang)]
        column = [c.value for c in ws[1]].index(_header(plan_schema, "planned_value", lang)) + 1
        for row, expected in zip(plan["source_row"], planned_values(plan, status, days_off), strict=True):
            cell = ws.cell(int(row), column)
            assert cell.value == pytest.approx(expected, abs=1e-6), f"{source.name} {ws.title}!{cell.coordinate}"
            tasks += 1
        engine = earned_value(plan, status, non_working_days=days_off)
        settings = demo_settings if source in demo_portfolio.project_files else PortfolioSettings()
        rollup = load_project(str(source), settings).kpis
        labels = {r[0].value: r[1].value for r in book[project_schema.name(lang)].iter_rows(max_col=2)}
        for key, figure in (("planned_value", "pv"), ("earned_value", "ev"), ("actual_cost", "ac")):
            shown = labels[_value_header(project_schema, key, lang)]
            assert shown == pytest.approx(getattr(engine, figure), abs=1e-6), (source.name, key)
            assert shown == pytest.approx(rollup[figure], abs=1e-6), (source.name, key, "roll-up")
        projects += 1
    assert projects == 4 + 12 and tasks > 1000


def _header(schema, key: str, lang: str) -> str:
    return next(c for c in schema.computed if c.key == key).header(lang)


def _value_header(schema, key: str, lang: str) -> str:
    return next(c for c in schema.computed_values if c.key == key).header(lang)
