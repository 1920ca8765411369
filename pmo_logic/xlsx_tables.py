"""A fast writer for workbooks made only of plain Excel Tables (the roll-up).

XlsxWriter spends about 5 us per cell (a method call, a format lookup and a cell object
each), so the roll-up of 1,000 projects (about 2.7 million cells) took 14 s to write: more
than the whole consolidation budget. A roll-up is simple, though: one table per sheet, one
number format per column, no formulas. This module writes that shape straight into the
Office Open XML parts, a column at a time (a list comprehension per column, then one join
per row), at about a tenth of the cost. Everything else pmo-xl writes (templates, committee
pack) still goes through XlsxWriter.

Text is written as inline strings, never as formulas, so ``=HYPERLINK(...)`` coming from a
project workbook stays text; such a cell (one starting with ``= + - @``) also gets Excel's
quote prefix, so that editing it in Excel and pressing Enter keeps it text. Characters XML
cannot hold are written the way Excel writes them (``_x0001_``).

Nothing is written that Excel cannot open (`ExcelLimits`): a table with more rows or columns
than a worksheet holds goes whole to a Parquet file beside the workbook, its sheet saying so;
a text longer than a cell holds is cut short in the workbook, with a marker naming the Parquet
file beside it that holds the table with every text whole. Each such table is a `Spill`, listed
on a sheet of the workbook and given back to the caller (for the command line).

>>> write_tables("out.xlsx", [TableSheet("Risks", "tbl_risks", ["ID", "Score"], [["R1", "R2"], [6, 4]],
...                                      ["text", "number"])])  # doctest: +SKIP
"""

from __future__ import annotations

import os
import re
import zipfile
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timezone
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

import numpy as np
import pandas as pd
from xlsxwriter.utility import xl_col_to_name

from pmo_logic.files import atomic_output
from pmo_logic.literal import FORMULA_START
from pmo_logic.outputs import record_pending, record_written, replaceable

KINDS = ("text", "number", "money", "ratio", "int", "date", "bool")
# Style index of each kind in styles.xml below (0 is Excel's default style).
_STYLE = {"text": 0, "number": 0, "bool": 0, "date": 1, "money": 2, "ratio": 3, "int": 4}
_HEADER_STYLE = 5
_QUOTED_TEXT_STYLE = 6
_EXCEL_EPOCH = np.datetime64("1899-12-30", "D")
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]|_x[0-9A-Fa-f]{4}_")
_SPACE_AT_ENDS = re.compile(r"^\s|\s$")
_SELECTED = ' tabSelected="1"'
_HIDDEN = ' state="hidden"'


@dataclass(frozen=True)
class ExcelLimits:
    """What one worksheet holds (Excel's "specifications and limits"); lower ones only in tests."""

    rows: int = 1_048_576
    """Rows of a sheet, the table's header row included."""
    columns: int = 16_384
    cell_text: int = 32_767
    """Characters of one cell, counted as Excel counts them (UTF-16 code units)."""


EXCEL_LIMITS = ExcelLimits()
SPILL_SHEET = "Over Excel's limits"


@dataclass(frozen=True)
class Spill:
    """A table that did not fit in the workbook as it is, and the Parquet file beside it that holds it whole.

    ``reason`` is ``rows``, ``columns`` (the table is only in ``file``) or ``cell_text``
    (``cells`` texts are cut short in the workbook, and whole in ``file``).
    """

    sheet: str
    reason: str
    rows: int
    columns: int
    file: Path
    limits: ExcelLimits = EXCEL_LIMITS
    cells: int = 0

    def sentence(self) -> str:
        """What happened and where the data is, as the workbook and the command line say it."""
        where = f"{self.file.name} beside this file"
        if self.reason == "rows":
            return (f"Table {self.sheet} has {self.rows:,} rows, over Excel's limit of {self.limits.rows:,} rows "
                    f"(header included): it is in {where}.")  # fmt: skip
        if self.reason == "columns":
            return (f"Table {self.sheet} has {self.columns:,} columns, over Excel's limit of {self.limits.columns:,}: "
                    f"it is in {where}.")  # fmt: skip
        cells = "1 text" if self.cells == 1 else f"{self.cells:,} texts"
        return (f"Table {self.sheet} has {cells} longer than the {self.limits.cell_text:,} characters an Excel cell "
                f"holds: cut short here (they end in \"{_MARKER_START}\"), whole in {where}.")  # fmt: skip


@dataclass
class TableSheet:
    """One sheet holding one Excel Table from A1: headers, then one list of values per column."""

    sheet: str
    table: str
    headers: list[str]
    columns: list[Sequence[Any]]
    kinds: list[str]
    widths: list[float] = field(default_factory=list)
    style: str = "TableStyleLight9"
    names: list[str] | None = None
    """The columns' names in a Parquet file of this table (`Spill`); the headers when None."""


@dataclass
class PlainSheet:
    """A sheet of plain text cells (the hidden ``_meta`` sheet), optionally hidden."""

    sheet: str
    rows: list[list[str]]
    hidden: bool = False


def table_headers(headers: Sequence[str]) -> list[str]:
    """Headers as an Excel Table accepts them: none empty, none equal to another (ignoring case)."""
    result: list[str] = []
    taken: set[str] = set()
    for n, header in enumerate(headers, start=1):
        base = str(header).strip() or f"Column{n}"
        name, k = base, 2
        while name.lower() in taken:
            name, k = f"{base} {k}", k + 1
        taken.add(name.lower())
        result.append(name)
    return result


def write_tables(
    path: str | os.PathLike[str],
    sheets: Sequence[TableSheet | PlainSheet],
    *,
    title: str = "",
    author: str = "pmo-xl",
    comments: str = "",
    overwrite: bool = True,
    properties: Mapping[str, str] | None = None,
    limits: ExcelLimits | None = None,
    spills: list[Spill] | None = None,
) -> Path:
    """Write ``sheets`` as an .xlsx file, atomically (temp file + replace).

    ``properties`` are custom document properties (text), as Excel shows them in File > Info.
    A table beyond ``limits`` goes to a Parquet file beside ``path`` (`Spill`, see the module's
    text); each spill is appended to ``spills`` when given. ``limits`` are Excel's (`EXCEL_LIMITS`) unless given.
    """
    limits = limits or EXCEL_LIMITS
    sheets = [
        replace(sheet, headers=table_headers(sheet.headers)) if isinstance(sheet, TableSheet) else sheet
        for sheet in sheets
    ]
    sheets, spilled, cuts = _fit_limits(Path(path), sheets, limits)
    if spills is not None:
        spills.extend(spilled)
    # Level 1 deflate: the XML is very repetitive, so it still shrinks about tenfold.
    with (
        atomic_output(path, overwrite=overwrite) as tmp,
        zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as book,
    ):
        tables = [s for s in sheets if isinstance(s, TableSheet)]
        book.writestr("[Content_Types].xml", _content_types(len(sheets), len(tables), bool(properties)))
        book.writestr("_rels/.rels", _root_rels(bool(properties)))
        if properties:
            book.writestr("docProps/custom.xml", _custom(properties))
        book.writestr("docProps/core.xml", _core(title, author, comments))
        book.writestr("docProps/app.xml", _APP)
        book.writestr("xl/workbook.xml", _workbook(sheets))
        book.writestr("xl/_rels/workbook.xml.rels", _workbook_rels(len(sheets)))
        book.writestr("xl/styles.xml", _STYLES)
        table_id = 0
        for n, sheet in enumerate(sheets, start=1):
            if isinstance(sheet, TableSheet):
                table_id += 1
                # Streamed: Zip64 headers only for a part that may pass 2 GB (about 100 bytes a cell).
                large = len(sheet.headers) * max((len(c) for c in sheet.columns), default=0) * 100 > 2**31
                with book.open(f"xl/worksheets/sheet{n}.xml", "w", force_zip64=large) as part:
                    for piece in _table_sheet(sheet, n == 1, cuts.get(n - 1)):
                        part.write(piece.encode())
                book.writestr(f"xl/worksheets/_rels/sheet{n}.xml.rels", _sheet_rels(table_id))
                book.writestr(f"xl/tables/table{table_id}.xml", _table(sheet, table_id))
            else:
                book.writestr(f"xl/worksheets/sheet{n}.xml", _plain_sheet(sheet, n == 1, limits))
    return Path(path)


# --- Excel's limits -------------------------------------------------------------------------

_MARKER_START = "… [cut"


def _fit_limits(
    path: Path, sheets: list[TableSheet | PlainSheet], limits: ExcelLimits
) -> tuple[list[TableSheet | PlainSheet], list[Spill], dict[int, Callable[[str], str]]]:
    """The sheets as Excel can open them, the spills that took, and how to cut each sheet's long texts.

    Each spilled table is written to its Parquet file here, before the workbook that points to it.
    """
    fitted: list[TableSheet | PlainSheet] = []
    spills: list[Spill] = []
    cuts: dict[int, Callable[[str], str]] = {}
    for sheet in sheets:
        if not isinstance(sheet, TableSheet):
            fitted.append(sheet)
            continue
        n_rows = max((len(c) for c in sheet.columns), default=0)
        n_columns = len(sheet.headers)
        reason = "rows" if n_rows + 1 > limits.rows else "columns" if n_columns > limits.columns else None
        long = 0
        if reason is None:
            texts = [values for values, kind in zip(sheet.columns, sheet.kinds, strict=True) if kind == "text"]
            long = sum(_long_texts(values, limits.cell_text) for values in texts)
            reason = "cell_text" if long else None
        if reason is None:
            fitted.append(sheet)
            continue
        target = _write_parquet(path, sheet)
        spill = Spill(sheet.sheet, reason, n_rows, n_columns, target, limits, long)
        spills.append(spill)
        if reason == "cell_text":
            marker = f"{_MARKER_START} at Excel's limit: whole in {target.name}]"
            cuts[len(fitted)] = lambda text, marker=marker: _cut(text, limits.cell_text, marker)
            fitted.append(sheet)
        else:
            fitted.append(PlainSheet(sheet.sheet, [[spill.sentence()], [_PARQUET_HELP]]))
    if spills:
        # Before the hidden sheets, so that it is seen.
        at = next((n for n, s in enumerate(fitted) if isinstance(s, PlainSheet) and s.hidden), len(fitted))
        rows = [["Table", "Why", "File beside this workbook", "What happened"]]
        rows += [[s.sheet, s.reason.replace("_", " "), s.file.name, s.sentence()] for s in spills]
        fitted.insert(at, PlainSheet(SPILL_SHEET, [*rows, [], [_PARQUET_HELP]]))
        cuts = {(n + 1 if n >= at else n): cut for n, cut in cuts.items()}
    return fitted, spills, cuts


_PARQUET_HELP = ("A Parquet file holds a table of any size: Power BI, Excel's Power Query (Get Data), "
                 "Python (pandas) and most data tools open it.")  # fmt: skip


def _long_texts(values: Sequence[Any], limit: int) -> int:
    """How many texts of one column are longer than ``limit`` (a text is never shorter in UTF-16)."""
    return sum(1 for v in _as_list(values) if v.__class__ is str and len(v) > limit // 2 and _utf16(v) > limit)


def _utf16(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def _cut(text: str, limit: int, marker: str) -> str:
    """``text`` as it fits in one cell: cut short, ending with ``marker``, when it is too long."""
    if len(text) <= limit // 2 or _utf16(text) <= limit:
        return text
    kept = text.encode("utf-16-le")[: (limit - _utf16(marker)) * 2]
    return kept.decode("utf-16-le", errors="ignore") + marker  # "ignore": half a surrogate pair is dropped


def _spill_path(workbook: Path, table: str) -> Path:
    """``<workbook>.<table>.parquet`` beside the workbook, or the first free ``(2)``, ``(3)``... when
    a file of that name is not one pmo-xl wrote (which is never replaced)."""
    stem, n = f"{workbook.stem}.{table}", 2
    target = workbook.with_name(f"{stem}.parquet")
    while not replaceable(target, "parquet"):
        target, n = workbook.with_name(f"{stem} ({n}).parquet"), n + 1
    return target


def _write_parquet(workbook: Path, sheet: TableSheet) -> Path:
    import pyarrow as pa
    import pyarrow.parquet as pq

    target = _spill_path(workbook, sheet.table.removeprefix("tbl_"))
    names = table_headers(sheet.names) if sheet.names is not None else sheet.headers
    arrays = []
    for values in sheet.columns:
        data = values.to_numpy() if isinstance(values, pd.Series) else values
        try:
            arrays.append(pa.array(data, from_pandas=True))
        except (pa.ArrowInvalid, pa.ArrowTypeError):  # mixed values (a number among texts): as text
            arrays.append(pa.array([None if _blank(v) else str(v) for v in _as_list(values)], pa.string()))
    record_pending([target], "parquet")
    with atomic_output(target) as tmp:
        pq.write_table(pa.table(arrays, names=names), tmp)
    record_written([target], "parquet")
    return target


# --- cells ----------------------------------------------------------------------------------


def _text(value: Any) -> str:
    text = value if isinstance(value, str) else str(value)
    if _NOT_XML.search(text):
        text = _NOT_XML.sub(lambda m: "_x005F" + m.group() if len(m.group()) > 1 else f"_x{ord(m.group()):04X}_", text)
    text = escape(text)
    if _SPACE_AT_ENDS.search(text):
        return f'<is><t xml:space="preserve">{text}</t></is>'
    return f"<is><t>{text}</t></is>"


def _cells(
    letter: str, values: Sequence[Any], kind: str, cut: Callable[[str], str] | None = None, first_row: int = 2
) -> list[str]:
    """Each value of one column as its ``<c>`` element ('' for an empty cell), rows from ``first_row``.

    ``cut`` shortens a text too long for a cell (`_fit_limits`); None when the sheet has none."""
    style = _STYLE[kind]
    s = f' s="{style}"' if style else ""
    if kind == "text":
        # Roll-up text repeats (project, file, owner, status): each distinct value is escaped once.
        items = _as_list(values)

        def text(v: Any) -> str:
            return _text(v if cut is None else cut(v if isinstance(v, str) else str(v)))

        try:
            texts = {v: f'"{_quote_prefix(v)} t="inlineStr">{text(v)}</c>' for v in set(items) if not _blank(v)}
        except TypeError:  # an unhashable value: each one escaped where it is
            texts = None
        if texts is None:
            return [
                "" if _blank(v) else f'<c r="{letter}{r}"{_quote_prefix(v)} t="inlineStr">{text(v)}</c>'
                for r, v in enumerate(items, start=first_row)
            ]
        return [f'<c r="{letter}{r}{texts[v]}' if v in texts else "" for r, v in enumerate(items, start=first_row)]
    if kind == "bool":
        return [
            "" if _blank(v) else f'<c r="{letter}{r}" t="b"><v>{int(bool(v))}</v></c>'
            for r, v in enumerate(_as_list(values), start=first_row)
        ]
    if kind == "date":
        serials = _serials(values)
        return [
            "" if v is None else f'<c r="{letter}{r}"{s}><v>{v}</v></c>' for r, v in enumerate(serials, start=first_row)
        ]
    numbers = _numbers(values)
    return [
        "" if v is None else f'<c r="{letter}{r}"{s}><v>{v!r}</v></c>' for r, v in enumerate(numbers, start=first_row)
    ]


def _quote_prefix(value: Any) -> str:
    return f' s="{_QUOTED_TEXT_STYLE}"' if isinstance(value, str) and value.startswith(FORMULA_START) else ""


def _as_list(values: Sequence[Any]) -> list[Any]:
    if isinstance(values, (pd.Series, pd.Index, np.ndarray)):
        return np.asarray(values, dtype=object).tolist()
    return list(values)


def _blank(value: Any) -> bool:
    if value is None or value is pd.NaT or value is pd.NA:
        return True
    return isinstance(value, float) and value != value


def _numbers(values: Sequence[Any]) -> list[float | int | None]:
    array = np.asarray(values)
    if array.dtype.kind in "iu":
        return array.tolist()
    if array.dtype.kind == "f":
        return [None if v != v or v in (np.inf, -np.inf) else v for v in array.tolist()]
    result: list[float | int | None] = []
    for v in _as_list(values):
        if _blank(v):
            result.append(None)
        else:
            number = float(v)
            result.append(None if number != number or number in (np.inf, -np.inf) else number)
    return result


def _serials(values: Sequence[Any]) -> list[int | float | None]:
    """Excel's date serials (1900 system): whole days for dates, a fraction for times."""
    array = values.to_numpy() if isinstance(values, pd.Series) else np.asarray(values)
    if array.dtype.kind == "M":
        stamps = array.astype("datetime64[s]")
        day = stamps.astype("datetime64[D]")
        blank = np.isnat(stamps)
        days = np.where(blank, np.nan, (day - _EXCEL_EPOCH).astype(np.int64)).tolist()
        seconds = np.where(blank, 0, (stamps - day).astype(np.int64)).tolist()
    else:
        series = values if isinstance(values, pd.Series) else pd.Series(list(values), dtype=object)
        stamps = pd.to_datetime(series, errors="coerce")
        days = (stamps.dt.normalize() - pd.Timestamp(_EXCEL_EPOCH)).dt.days.tolist()
        seconds = (stamps.dt.hour * 3600 + stamps.dt.minute * 60 + stamps.dt.second).tolist()
    result: list[int | float | None] = []
    for d, sec in zip(days, seconds, strict=True):
        if d != d:
            result.append(None)
        elif sec:
            result.append(int(d) + sec / 86400)
        else:
            # Excel counts 1900-02-29, which never was: its serials before March 1900 are one less.
            result.append(int(d) if d >= 61 else int(d) - 1)
    return result


_CHUNK_ROWS = 20_000
"""Rows turned into XML at a time: a sheet of a million rows is never a string of a gigabyte."""


def _table_sheet(sheet: TableSheet, selected: bool, cut: Callable[[str], str] | None = None) -> Iterator[str]:
    """The sheet's XML, in pieces of `_CHUNK_ROWS` rows."""
    n_rows = max((len(c) for c in sheet.columns), default=0)
    letters = [xl_col_to_name(c) for c in range(len(sheet.headers))]
    header = "".join(
        f'<c r="{letter}1" s="{_HEADER_STYLE}" t="inlineStr">{_text(h)}</c>'
        for letter, h in zip(letters, sheet.headers, strict=True)
    )
    last = f"{letters[-1]}{max(n_rows, 1) + 1}" if letters else "A1"
    cols = "".join(
        f'<col min="{c}" max="{c}" width="{w + 0.71:.2f}" customWidth="1"/>' for c, w in enumerate(sheet.widths, 1)
    )
    view = (
        f'<sheetView workbookViewId="0"{_SELECTED if selected else ""}>'
        '<pane xSplit="1" ySplit="1" topLeftCell="B2" activePane="bottomRight" state="frozen"/>'
        '<selection pane="topRight"/><selection pane="bottomLeft"/><selection pane="bottomRight"/></sheetView>'
    )
    yield (
        f'{_XML}<worksheet xmlns="{_MAIN}" xmlns:r="{_REL}"><dimension ref="A1:{last}"/>'
        f'<sheetViews>{view}</sheetViews><sheetFormatPr defaultRowHeight="15"/>'
        f'{f"<cols>{cols}</cols>" if cols else ""}<sheetData><row r="1">{header}</row>'
    )
    for top in range(0, n_rows, _CHUNK_ROWS):
        bottom = min(top + _CHUNK_ROWS, n_rows)
        columns = [
            _cells(letter, _rows(values, top, bottom), kind, cut, top + 2)
            for letter, values, kind in zip(letters, sheet.columns, sheet.kinds, strict=True)
        ]
        yield "".join(
            f'<row r="{r}">{"".join(cells)}</row>' for r, cells in enumerate(zip(*columns, strict=True), start=top + 2)
        )
    yield (
        "</sheetData>"
        '<pageMargins left="0.7" right="0.7" top="0.75" bottom="0.75" header="0.3" footer="0.3"/>'
        '<tableParts count="1"><tablePart r:id="rId1"/></tableParts></worksheet>'
    )


def _rows(values: Sequence[Any], top: int, bottom: int) -> Sequence[Any]:
    if top == 0 and bottom >= len(values):
        return values
    return values.iloc[top:bottom] if isinstance(values, pd.Series) else values[top:bottom]


def _plain_sheet(sheet: PlainSheet, selected: bool, limits: ExcelLimits = EXCEL_LIMITS) -> str:
    rows = []
    marker = f"{_MARKER_START} at Excel's limit]"
    for r, values in enumerate(sheet.rows, start=1):
        cells = "".join(
            f'<c r="{xl_col_to_name(c)}{r}"{_quote_prefix(v)} t="inlineStr">'
            f"{_text(_cut(str(v), limits.cell_text, marker))}</c>"
            for c, v in enumerate(values)
            if v != ""
        )
        rows.append(f'<row r="{r}">{cells}</row>')
    view = f'<sheetView workbookViewId="0"{_SELECTED if selected else ""}/>'
    return (
        f'{_XML}<worksheet xmlns="{_MAIN}" xmlns:r="{_REL}"><sheetViews>{view}</sheetViews>'
        f'<sheetFormatPr defaultRowHeight="15"/><sheetData>{"".join(rows)}</sheetData>'
        '<pageMargins left="0.7" right="0.7" top="0.75" bottom="0.75" header="0.3" footer="0.3"/></worksheet>'
    )


def _table(sheet: TableSheet, table_id: int) -> str:
    n_rows = max((len(c) for c in sheet.columns), default=0)
    ref = f"A1:{xl_col_to_name(len(sheet.headers) - 1)}{max(n_rows, 1) + 1}"
    columns = "".join(f'<tableColumn id="{c}" name="{_attr(h)}"/>' for c, h in enumerate(sheet.headers, start=1))
    return (
        f'{_XML}<table xmlns="{_MAIN}" id="{table_id}" name="{sheet.table}" displayName="{sheet.table}" '
        f'ref="{ref}" totalsRowShown="0"><autoFilter ref="{ref}"/>'
        f'<tableColumns count="{len(sheet.headers)}">{columns}</tableColumns>'
        f'<tableStyleInfo name="{sheet.style}" showFirstColumn="0" showLastColumn="0" showRowStripes="1" '
        'showColumnStripes="0"/></table>'
    )


def _attr(text: str) -> str:
    return escape(text, {'"': "&quot;"})


# --- package parts --------------------------------------------------------------------------

_XML = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
_DOC_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_CT = "application/vnd.openxmlformats-officedocument.spreadsheetml"

_CUSTOM_REL = f"{_DOC_REL}/custom-properties"


def _root_rels(custom: bool) -> str:
    return (
        f'{_XML}<Relationships xmlns="{_PKG_REL}">'
        f'<Relationship Id="rId1" Type="{_DOC_REL}/officeDocument" Target="xl/workbook.xml"/>'
        '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/package/2006/relationships/metadata/'
        'core-properties" Target="docProps/core.xml"/>'
        f'<Relationship Id="rId3" Type="{_DOC_REL}/extended-properties" Target="docProps/app.xml"/>'
        + (f'<Relationship Id="rId4" Type="{_CUSTOM_REL}" Target="docProps/custom.xml"/>' if custom else "")
        + "</Relationships>"
    )


def _custom(properties: Mapping[str, str]) -> str:
    """Custom document properties, as XlsxWriter's ``set_custom_property`` writes text ones."""
    items = "".join(
        f'<property fmtid="{{D5CDD505-2E9C-101B-9397-08002B2CF9AE}}" pid="{pid}" name="{_attr(name)}">'
        f"<vt:lpwstr>{escape(value)}</vt:lpwstr></property>"
        for pid, (name, value) in enumerate(properties.items(), start=2)
    )
    return (
        f'{_XML}<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/custom-properties" '
        f'xmlns:vt="http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes">{items}</Properties>'
    )


_APP = (
    f'{_XML}<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties">'
    "<Application>pmo-xl</Application></Properties>"
)

# Fonts: default, header (bold white). Fills: none, gray125 (both required), navy.
# Cell formats: default, date, money, ratio, integer, header, text with Excel's quote prefix.
_STYLES = (
    f'{_XML}<styleSheet xmlns="{_MAIN}">'
    '<numFmts count="1"><numFmt numFmtId="164" formatCode="yyyy\\-mm\\-dd"/></numFmts>'
    '<fonts count="2"><font><sz val="11"/><color theme="1"/><name val="Calibri"/><family val="2"/>'
    '<scheme val="minor"/></font><font><b/><sz val="11"/><color rgb="FFFFFFFF"/><name val="Calibri"/>'
    '<family val="2"/><scheme val="minor"/></font></fonts>'
    '<fills count="3"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/>'
    '</fill><fill><patternFill patternType="solid"><fgColor rgb="FF1F3864"/><bgColor indexed="64"/>'
    "</patternFill></fill></fills>"
    '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
    '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
    '<cellXfs count="7"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
    '<xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
    '<xf numFmtId="3" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
    '<xf numFmtId="2" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
    '<xf numFmtId="1" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
    '<xf numFmtId="0" fontId="1" fillId="2" borderId="0" xfId="0" applyFont="1" applyFill="1" '
    'applyAlignment="1"><alignment wrapText="1"/></xf>'
    '<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0" quotePrefix="1"/></cellXfs>'
    '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
    '<dxfs count="0"/><tableStyles count="0" defaultTableStyle="TableStyleMedium9" '
    'defaultPivotStyle="PivotStyleLight16"/></styleSheet>'
)


def _content_types(n_sheets: int, n_tables: int, custom: bool = False) -> str:
    sheets = "".join(
        f'<Override PartName="/xl/worksheets/sheet{n}.xml" ContentType="{_CT}.worksheet+xml"/>'
        for n in range(1, n_sheets + 1)
    )
    tables = "".join(
        f'<Override PartName="/xl/tables/table{n}.xml" ContentType="{_CT}.table+xml"/>' for n in range(1, n_tables + 1)
    )
    return (
        f'{_XML}<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        f'<Override PartName="/xl/workbook.xml" ContentType="{_CT}.sheet.main+xml"/>'
        f'<Override PartName="/xl/styles.xml" ContentType="{_CT}.styles+xml"/>'
        '<Override PartName="/docProps/core.xml" ContentType="application/vnd.openxmlformats-package.'
        'core-properties+xml"/>'
        '<Override PartName="/docProps/app.xml" ContentType="application/vnd.openxmlformats-officedocument.'
        'extended-properties+xml"/>'
        + (
            '<Override PartName="/docProps/custom.xml" ContentType="application/vnd.openxmlformats-officedocument.'
            'custom-properties+xml"/>'
            if custom
            else ""
        )
        + f"{sheets}{tables}</Types>"
    )


def _core(title: str, author: str, comments: str) -> str:
    now = datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    return (
        f'{_XML}<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/'
        'core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/" '
        'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
        f"<dc:title>{escape(title)}</dc:title><dc:creator>{escape(author)}</dc:creator>"
        f"<dc:description>{escape(comments)}</dc:description>"
        f'<dcterms:created xsi:type="dcterms:W3CDTF">{now}</dcterms:created>'
        f'<dcterms:modified xsi:type="dcterms:W3CDTF">{now}</dcterms:modified></cp:coreProperties>'
    )


def _workbook(sheets: Sequence[TableSheet | PlainSheet]) -> str:
    entries = "".join(
        f'<sheet name="{_attr(s.sheet)}" sheetId="{n}"'
        f'{_HIDDEN if isinstance(s, PlainSheet) and s.hidden else ""} r:id="rId{n}"/>'
        for n, s in enumerate(sheets, start=1)
    )
    return (
        f'{_XML}<workbook xmlns="{_MAIN}" xmlns:r="{_REL}"><bookViews><workbookView activeTab="0"/></bookViews>'
        f"<sheets>{entries}</sheets></workbook>"
    )


def _workbook_rels(n_sheets: int) -> str:
    sheets = "".join(
        f'<Relationship Id="rId{n}" Type="{_DOC_REL}/worksheet" Target="worksheets/sheet{n}.xml"/>'
        for n in range(1, n_sheets + 1)
    )
    styles = f'<Relationship Id="rId{n_sheets + 1}" Type="{_DOC_REL}/styles" Target="styles.xml"/>'
    return f'{_XML}<Relationships xmlns="{_PKG_REL}">{sheets}{styles}</Relationships>'


def _sheet_rels(table_id: int) -> str:
    return (
        f'{_XML}<Relationships xmlns="{_PKG_REL}">'
        f'<Relationship Id="rId1" Type="{_DOC_REL}/table" Target="../tables/table{table_id}.xml"/>'
        "</Relationships>"
    )
