"""The fast table writer, read back by three independent readers: openpyxl, calamine, LibreOffice."""

from __future__ import annotations

import zipfile
from datetime import date, datetime
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pytest

from pmo_logic.libreoffice import convert
from pmo_logic.xlsx_tables import PlainSheet, TableSheet, write_tables

TEXT = ["plain", '=HYPERLINK("http://evil.example","x")', "@SUM(1+1)", "a < b & c > d", " padded ", None,
        "ligne\nsuivante", "é ü 中文", "_x0041_ literal", "bell\x07here"]  # fmt: skip
NUMBERS = [1.5, np.nan, -2.0, 1e16, 0.1 + 0.2, np.inf, 3.0, 7.25, 1e-9, 0.0]
INTEGERS = list(range(10))
DATES = [date(2026, 1, 5), None, date(1900, 1, 10), date(2099, 12, 31), datetime(2026, 3, 1, 12, 0),
         date(1900, 3, 1), date(1900, 2, 28), None, date(2026, 11, 30), date(2000, 2, 29)]  # fmt: skip
FLAGS = [True, False, None, True, False, True, False, True, None, False]


def _sheets() -> list[TableSheet | PlainSheet]:
    table = TableSheet(
        sheet="Risks & issues",
        table="tbl_risks",
        headers=["Title", "Score", "Count", "Due", "Open"],
        columns=[TEXT, NUMBERS, INTEGERS, DATES, FLAGS],
        kinds=["text", "ratio", "int", "date", "bool"],
        widths=[20, 9, 9, 12, 9],
    )
    empty = TableSheet("Sprints", "tbl_sprints", ["Sprint", "Velocity"], [[], []], ["text", "number"], [9, 9])
    return [table, empty, PlainSheet("_meta", [["kind", "rollup"], ["status_date", "2026-11-20"]], hidden=True)]


def _expected_text(value):
    return None if value is None else value


def _expected_number(value):
    return None if value is None or not np.isfinite(value) else value


def _expected_date(value):
    if value is None:
        return None
    return value if isinstance(value, datetime) else datetime(value.year, value.month, value.day)


def test_openpyxl_reads_every_value_and_the_tables(tmp_path: Path):
    path = write_tables(tmp_path / "out.xlsx", _sheets(), title="Roll-up")
    book = openpyxl.load_workbook(path)
    assert book.sheetnames == ["Risks & issues", "Sprints", "_meta"]
    sheet = book["Risks & issues"]
    assert [c.value for c in sheet[1]] == ["Title", "Score", "Count", "Due", "Open"]
    rows = list(sheet.iter_rows(min_row=2, values_only=True))
    assert len(rows) == 10
    for row, text, number, integer, day, flag in zip(rows, TEXT, NUMBERS, INTEGERS, DATES, FLAGS, strict=True):
        if "\x07" not in (text or "") and "_x" not in (text or ""):  # openpyxl leaves Excel's _xHHHH_ as it is
            assert row[0] == _expected_text(text)
        assert row[1] == _expected_number(number)
        assert row[2] == integer
        assert row[3] == _expected_date(day)
        assert row[4] == flag
    # Text that looks like a formula is a string cell, never a formula.
    assert sheet["A3"].data_type == "s" and sheet["A4"].data_type == "s"
    assert sheet["B2"].number_format == "0.00" and sheet["D2"].number_format == "yyyy\\-mm\\-dd"
    assert sheet["A1"].font.b and sheet.freeze_panes == "B2"
    assert sheet.tables["tbl_risks"].ref == "A1:E11"
    assert [c.name for c in sheet.tables["tbl_risks"].tableColumns] == ["Title", "Score", "Count", "Due", "Open"]
    assert book["Sprints"].tables["tbl_sprints"].ref == "A1:B2"
    assert book["_meta"].sheet_state == "hidden" and book["_meta"]["B2"].value == "2026-11-20"
    assert book.properties.title == "Roll-up"


def test_calamine_reads_the_same_frame(tmp_path: Path):
    path = write_tables(tmp_path / "out.xlsx", _sheets())
    frame = pd.read_excel(path, sheet_name="Risks & issues", engine="calamine")
    assert frame["Count"].tolist() == INTEGERS
    assert frame["Title"].iloc[0] == "plain" and frame["Title"].iloc[6] == "ligne\nsuivante"
    assert frame["Title"].iloc[9] == "bell\x07here"  # calamine decodes _x0007_ as Excel does
    assert frame["Title"].iloc[8] == "_x0041_ literal"
    days = [_expected_date(d) for d in DATES]
    assert [None if pd.isna(v) else v.to_pydatetime() for v in frame["Due"]] == days


def test_the_xml_parts_are_well_formed(tmp_path: Path):
    from xml.etree import ElementTree

    path = write_tables(tmp_path / "out.xlsx", _sheets())
    with zipfile.ZipFile(path) as book:
        names = book.namelist()
        for name in names:
            ElementTree.fromstring(book.read(name))  # raises on malformed XML
    assert "xl/tables/table2.xml" in names and "xl/worksheets/_rels/sheet3.xml.rels" not in names


def test_a_failed_write_leaves_the_previous_file(tmp_path: Path):
    target = tmp_path / "out.xlsx"
    target.write_bytes(b"previous")
    bad = TableSheet("S", "tbl_s", ["A", "B"], [[1, 2], [1]], ["int", "int"])  # columns of unequal length
    with pytest.raises(ValueError):
        write_tables(target, [bad])
    assert target.read_bytes() == b"previous"
    assert list(tmp_path.iterdir()) == [target]


@pytest.mark.libreoffice
def test_libreoffice_opens_it_with_the_same_values(tmp_path: Path):
    path = write_tables(tmp_path / "out.xlsx", _sheets())
    (resaved,) = convert([path], tmp_path / "lo")
    book = openpyxl.load_workbook(resaved)
    assert book.sheetnames[:2] == ["Risks & issues", "Sprints"]
    rows = list(book["Risks & issues"].iter_rows(min_row=2, max_row=11, values_only=True))
    for row, text, number, integer, day, flag in zip(rows, TEXT, NUMBERS, INTEGERS, DATES, FLAGS, strict=True):
        if text and "\x07" in text:  # LibreOffice writes the control character back as Excel's _x0007_
            assert row[0] in (text, "bell_x0007_here")
        else:
            assert row[0] == _expected_text(text)
        assert row[1] == pytest.approx(_expected_number(number)) if _expected_number(number) else not row[1]
        assert row[2] == integer
        assert row[3] == _expected_date(day)
        assert row[4] == {True: "=TRUE()", False: "=FALSE()", None: None}[flag]  # how LibreOffice saves booleans


def test_datetime64_columns_give_the_same_serials_as_dates(tmp_path: Path):
    # The roll-up's date columns are datetime64 (converted with numpy), the test sheet's are
    # Python dates (converted with pandas): both must land on the same cells.
    stamps = pd.Series([_expected_date(d) for d in DATES], dtype="datetime64[s]")
    sheets = [TableSheet("D", "tbl_d", ["Python", "numpy"], [DATES, stamps], ["date", "date"])]
    path = write_tables(tmp_path / "d.xlsx", sheets)
    rows = list(openpyxl.load_workbook(path)["D"].iter_rows(min_row=2, values_only=True))
    assert [r[0] for r in rows] == [r[1] for r in rows] == [_expected_date(d) for d in DATES]


def test_table_headers_are_unique_and_never_empty(tmp_path: Path):
    # Excel repairs (and renames) a table whose column names repeat, ignoring case, or are empty.
    sheet = TableSheet("S", "tbl_s", ["Row", "row", "", "Row 2"], [[1], [2], [3], [4]], ["int"] * 4)
    path = write_tables(tmp_path / "s.xlsx", [sheet])
    table = openpyxl.load_workbook(path)["S"].tables["tbl_s"]
    names = [c.name for c in table.tableColumns]
    assert names == ["Row", "row 2", "Column3", "Row 2 2"]
    assert [c.value for c in openpyxl.load_workbook(path)["S"][1]] == names


def test_unhashable_text_values_are_written_as_their_text(tmp_path: Path):
    sheet = TableSheet("S", "tbl_s", ["Tags"], [[["a", "b"], None, "plain"]], ["text"])
    rows = list(openpyxl.load_workbook(write_tables(tmp_path / "s.xlsx", [sheet]))["S"].iter_rows(values_only=True))
    assert rows == [("Tags",), ("['a', 'b']",), (None,), ("plain",)]


def test_a_sheet_written_in_pieces_reads_back_the_same(tmp_path: Path, monkeypatch):
    from pmo_logic import xlsx_tables

    whole = [list(r) for r in openpyxl.load_workbook(write_tables(tmp_path / "whole.xlsx", _sheets()))[
        "Risks & issues"].iter_rows(values_only=True)]  # fmt: skip
    monkeypatch.setattr(xlsx_tables, "_CHUNK_ROWS", 3)  # 10 rows: pieces of 3, 3, 3 and 1
    sheets = _sheets()
    # A column as a Series whose index does not start at 0 (a filtered frame's): pieces by position.
    sheets[0].columns[1] = pd.Series(NUMBERS, index=range(100, 110))
    pieces = openpyxl.load_workbook(write_tables(tmp_path / "pieces.xlsx", sheets))["Risks & issues"]
    assert [list(r) for r in pieces.iter_rows(values_only=True)] == whole
    assert pieces.tables["tbl_risks"].ref == "A1:E11"
