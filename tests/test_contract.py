"""The workbook contract is consistent: every column declared once, every formula resolvable."""

from __future__ import annotations

import re

import pytest

from pmo_logic import choices
from pmo_logic.formulas import render
from pmo_logic.sheets import PORTFOLIO_SHEETS, PROJECT_SHEETS, SheetSchema
from pmo_logic.text import normalize_label

ALL_SHEETS = [*PROJECT_SHEETS, *PORTFOLIO_SHEETS]
TABLE_SHEETS = [s for s in ALL_SHEETS if s.layout == "table"]


@pytest.mark.parametrize("schema", ALL_SHEETS, ids=lambda s: s.key)
@pytest.mark.parametrize("lang", ["en", "fr"])
def test_headers_are_unique_within_a_sheet(schema: SheetSchema, lang: str):
    headers = [normalize_label(s.col.header(lang)) for s in schema.columns()]
    headers += [normalize_label(c.header(lang)) for c in schema.computed]
    assert len(headers) == len(set(headers)), headers


@pytest.mark.parametrize("schema", ALL_SHEETS, ids=lambda s: s.key)
def test_no_header_reads_as_two_columns(schema: SheetSchema):
    """An English header must not be another column's French one (or alias)."""
    owner: dict[str, str] = {}
    for spec in schema.columns():
        for name in spec.col.names():
            assert owner.setdefault(name, spec.name) == spec.name, (name, spec.name, owner[name])


@pytest.mark.parametrize("schema", TABLE_SHEETS, ids=lambda s: s.key)
def test_table_headers_avoid_brackets_and_hashes(schema: SheetSchema):
    for lang in ("en", "fr"):
        for header in [s.col.header(lang) for s in schema.columns()] + [c.header(lang) for c in schema.computed]:
            assert not re.search(r"[\[\]#]", header), header


def test_apostrophes_in_french_headers_are_escaped_in_references():
    plan = next(s for s in PROJECT_SHEETS if s.key == "plan")
    assert render("={planned_percent}", plan, "fr") == "=Tasks[[#This Row],[% prévu à la date d''état]]"


@pytest.mark.parametrize("schema", ALL_SHEETS, ids=lambda s: s.key)
def test_choice_columns_have_a_list_and_lists_have_both_languages(schema: SheetSchema):
    for spec in schema.columns():
        if spec.col.kind in ("choice", "flag"):
            assert spec.col.choices is not None, spec.name
    for lst in choices.ALL_LISTS:
        assert all(c.en and c.fr and c.code for c in lst.choices)
        assert len({normalize_label(c.en) for c in lst.choices}) == len(lst.choices)
        assert len({normalize_label(c.fr) for c in lst.choices}) == len(lst.choices)


@pytest.mark.parametrize("schema", [s for s in ALL_SHEETS if s.computed or s.computed_values], ids=lambda s: s.key)
@pytest.mark.parametrize("lang", ["en", "fr"])
def test_every_formula_template_resolves(schema: SheetSchema, lang: str):
    for template in [c.formula for c in schema.computed] + [v.formula for v in schema.computed_values]:
        formula = render(template, schema, lang)
        assert "{" not in formula and "}" not in formula, formula
        assert formula.startswith("=")
        assert formula.count("(") == formula.count(")"), formula
        assert "@" not in formula  # full structured references only (LibreOffice needs them)


def test_row_reference_is_fully_qualified():
    plan = next(s for s in PROJECT_SHEETS if s.key == "plan")
    assert render("={budget}*2", plan, "fr") == "=Tasks[[#This Row],[Budget]]*2"
    assert render("={status=done}", plan, "fr") == '="Terminée"'
    assert render("=SUM({Tasks.earned_value})", None, "fr") == "=SUM(Tasks[Valeur acquise])"


def test_required_sheets():
    assert {s.key for s in PROJECT_SHEETS if s.required} == {"project", "plan"}
    assert {s.key for s in PORTFOLIO_SHEETS if s.required} == {"settings", "projects"}
