"""Sheets as DataFrames: the fast construction gives what pandas' own inference gives."""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd
import pytest

from pmo_logic.frames import rows_to_frame
from pmo_logic.models import RiskRow, TaskRow


def _inferred(rows, model) -> pd.DataFrame:
    """The plain way: a DataFrame from the values, then each column coerced to its kind."""
    frame = rows_to_frame(rows, model)
    for name in frame.columns:
        values = [getattr(r, name) for r in rows]
        if frame[name].dtype == object:
            expected = pd.Series(values, dtype=None).astype(object) if values else pd.Series([], dtype=object)
            pd.testing.assert_series_equal(frame[name], expected, check_names=False)
    return frame


@pytest.mark.parametrize(
    "rows",
    [
        [],
        [TaskRow(id="1", name="A", type="task"), TaskRow(id="2", name=None, key_milestone=True)],
        [TaskRow(id="1", key_milestone=None, owner=None), TaskRow(id="2", key_milestone=False, owner="Ann")],
        [TaskRow(id="1", start=date(2026, 1, 5), budget=10.0), TaskRow(id="2")],
    ],
)
def test_object_columns_match_pandas_inference(rows):
    frame = _inferred(rows, TaskRow)
    assert list(frame["source_row"]) == [r.source_row for r in rows]
    if rows:
        assert frame["start"].dtype.kind == "M" and frame["budget"].dtype == "float64"


def test_text_blanks_are_nan_and_flag_blanks_stay_none():
    frame = rows_to_frame([RiskRow(id="R1", owner="Ann"), RiskRow(id="R2")], RiskRow)
    assert frame["owner"].tolist()[0] == "Ann" and pd.isna(frame["owner"].tolist()[1])
    flags = rows_to_frame([TaskRow(id="1", key_milestone=True), TaskRow(id="2")], TaskRow)["key_milestone"]
    assert flags.tolist() == [True, None]


def test_frames_from_the_readers_columns_equal_frames_from_the_models(demo_portfolio, templates_dir, tmp_path):
    # Consolidation builds the frames from the columns the reader parsed; the models are the
    # contract, so the frames must be exactly those of the models (values, dtypes, blanks).
    from pmo_logic.reader import read_project_tables
    from pmo_logic.sheets import PROJECT_SHEETS
    from pmo_logic.template_files import TEMPLATE_FILES
    from pmo_logic.validate import is_unreadable, sheet_frames
    from tests.conftest import garbage_copy

    files = [*demo_portfolio.project_files, *(templates_dir / n for n in TEMPLATE_FILES if n.startswith("project"))]
    files.append(garbage_copy(templates_dir / "project_en.xlsx", tmp_path / "garbage.xlsx"))
    compared = 0
    for path in files:
        workbook, tables = read_project_tables(path)
        if is_unreadable(workbook):
            continue
        direct, from_models = sheet_frames(workbook, tables), sheet_frames(workbook)
        assert direct.keys() == from_models.keys()
        for key in direct:
            pd.testing.assert_frame_equal(direct[key], from_models[key], check_exact=True, obj=f"{path.name} {key}")
        compared += sum(key in tables for key in direct)
    tables_per_workbook = sum(s.layout == "table" for s in PROJECT_SHEETS)
    assert compared >= 10 * tables_per_workbook  # the direct path was really taken


def test_the_fast_construction_is_what_the_public_constructor_builds(demo_portfolio, monkeypatch):
    # Frames are built with pandas' private DataFrame._from_arrays (frames.from_arrays); pandas' public constructor
    # from the same values is the oracle (dtypes, blanks, column index, row index).
    from pmo_logic import frames
    from pmo_logic.reader import read_project_tables
    from pmo_logic.validate import is_unreadable, sheet_frames

    loaded = [read_project_tables(p) for p in demo_portfolio.project_files]
    loaded = [(w, t) for w, t in loaded if not is_unreadable(w)]
    fast = [sheet_frames(w, t) for w, t in loaded]
    monkeypatch.setattr(frames, "from_arrays", lambda arrays, names: None)
    public = [sheet_frames(w, t) for w, t in loaded]
    assert len(fast) >= 10
    for mine, theirs in zip(fast, public, strict=True):
        for key in theirs:
            pd.testing.assert_frame_equal(mine[key], theirs[key], check_exact=True, check_index_type=True)
            assert mine[key].columns.dtype == theirs[key].columns.dtype


def test_the_scheduled_plan_is_what_the_public_constructor_builds(demo_portfolio, monkeypatch):
    from pmo_logic import validate
    from pmo_logic.reader import read_project_workbook
    from pmo_logic.validation_settings import ValidationSettings

    workbooks = [read_project_workbook(p) for p in demo_portfolio.project_files]
    workbooks = [w for w in workbooks if not validate.is_unreadable(w)]
    fast = [validate._context(w, ValidationSettings(), None).plan for w in workbooks]
    monkeypatch.setattr(validate, "from_arrays", lambda arrays, names: None)
    public = [validate._context(w, ValidationSettings(), None).plan for w in workbooks]
    for mine, theirs in zip(fast, public, strict=True):
        pd.testing.assert_frame_equal(mine, theirs, check_exact=True)
    assert str(fast[0]["state"].dtype) == str(public[0]["state"].dtype)


def _same_array(mine, theirs, where: str) -> None:
    assert mine.dtype == theirs.dtype, where
    assert len(mine) == len(theirs), where
    for x, y in zip(mine.tolist(), theirs.tolist(), strict=True):
        assert type(x) is type(y) and (x == y or (x != x and y != y)), (where, x, y)


def test_rules_see_the_same_arrays_and_report_the_same_when_frames_are_built_lazily(demo_portfolio):
    # Validation in consolidation takes the sheets as arrays and builds a DataFrame only when a
    # rule asks for one (frames.SheetFrames); the frames built up front are the oracle.
    from pmo_logic import validate
    from pmo_logic.reader import read_project_tables
    from pmo_logic.validation_settings import ValidationSettings

    settings = ValidationSettings(as_of=date(2026, 3, 31))
    compared = 0
    for path in demo_portfolio.project_files:
        workbook, tables = read_project_tables(path)
        if validate.is_unreadable(workbook):
            continue
        lazy = validate._context(
            workbook, settings, None, tables=tables, columns=validate.sheet_columns(workbook, tables)
        )
        eager = validate._context(workbook, settings, None, frames=validate.sheet_frames(workbook, tables))
        assert list(lazy.frames) == list(eager.frames)
        for key in eager.frames:
            np_index = lazy.index(key)
            assert np_index.tolist() == eager.index(key).tolist()
            for name in eager.frames[key].columns:
                _same_array(lazy.arrays(key)[name], eager.arrays(key)[name], f"{path.name} {key}.{name}")
                compared += 1
            pd.testing.assert_frame_equal(lazy.frames[key], eager.frames[key], check_exact=True)
        findings = [
            [f.model_dump() for f in validate.validate_workbook(workbook, settings, **kw).findings]
            for kw in ({"tables": tables, "columns": validate.sheet_columns(workbook, tables)}, {})
        ]
        assert findings[0] == findings[1], path.name
    assert compared > 1000


def test_a_clean_workbook_is_validated_without_building_a_frame(tmp_path):
    from pmo_logic import validate
    from pmo_logic.reader import read_project_tables
    from pmo_logic.rules.example_project import STATUS_DATE, clean_project
    from pmo_logic.templates import write_project_workbook
    from pmo_logic.validation_settings import ValidationSettings

    path = tmp_path / "clean.xlsx"
    write_project_workbook(path, clean_project())
    workbook, tables = read_project_tables(path, rows=False)
    columns = validate.sheet_columns(workbook, tables)
    result = validate.validate_workbook(workbook, ValidationSettings(as_of=STATUS_DATE), tables=tables, columns=columns)
    assert [f.code for f in result.findings if f.severity != "info"] == []
    assert result.frames.built() == []
    assert "plan_scheduled" in result.frames and len(result.frames["plan"]) == len(columns["plan"]["source_row"])
    assert result.frames.built() == ["plan"]


def test_kpis_from_the_sheets_arrays_equal_kpis_from_their_frames(demo_portfolio):
    # Consolidation measures each project from the arrays the frames are built from; the KPI
    # functions on the DataFrames (tested against hand-computed PMBOK examples) are the oracle.
    from pmo_logic import validate
    from pmo_logic.consolidate import project_kpis
    from pmo_logic.models import PortfolioSettings
    from pmo_logic.reader import read_project_tables

    settings = PortfolioSettings(status_date=date(2026, 3, 31))
    measured = 0
    for path in demo_portfolio.project_files:
        workbook, tables = read_project_tables(path, rows=False)
        if validate.is_unreadable(workbook):
            continue
        lazy = validate._context(workbook, validate.ValidationSettings(), None, tables=tables).frames
        eager = validate.sheet_frames(workbook, tables)
        mine, theirs = project_kpis(workbook, settings, None, lazy), project_kpis(workbook, settings, None, eager)
        assert mine.keys() == theirs.keys()
        for name, value in theirs.items():
            assert type(mine[name]) is type(value) and (mine[name] == value or value != value), (path.name, name)
        # measured without building a frame, but for a filled Sprints sheet (agile KPIs use its frame)
        assert [key for key in lazy.built() if key != "sprints"] == [], path.name
        measured += mine["key_milestones"] > 0 or mine["velocity"] is not None
    assert measured >= 3  # key milestones and agile projects among them


def test_rows_from_the_arrays_are_valued_as_iterrows_values_them(demo_portfolio):
    # Rules report selected rows; from a sheet's arrays they come as ArrayRow, without the frame.
    from pmo_logic import validate
    from pmo_logic.reader import read_project_tables

    compared = 0
    for path in demo_portfolio.project_files[:6]:
        workbook, tables = read_project_tables(path, rows=False)
        if validate.is_unreadable(workbook):
            continue
        ctx = validate._context(workbook, validate.ValidationSettings(), None, tables=tables)
        for key in ctx.frames:
            frame = ctx.frames[key]
            rows = list(ctx.each_row(key, np.ones(len(frame), dtype=bool)))
            assert len(rows) == len(frame)
            for (label, expected), row in zip(frame.iterrows(), rows, strict=True):
                assert row.name == label and ctx.position(key, row.name) == frame.index.get_loc(label)
                for name in frame.columns:
                    mine, theirs = row[name], expected[name]
                    assert type(mine) is type(theirs), (path.name, key, name, mine, theirs)
                    assert mine == theirs or (mine != mine and theirs != theirs) or mine is theirs
                    compared += 1
                assert row.get("no such column", "x") == "x"
    assert compared > 5000
