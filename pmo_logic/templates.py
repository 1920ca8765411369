"""Writing project and portfolio workbooks from the contract, with XlsxWriter.

The same writer makes the blank templates (with an example row) and workbooks full of data
(the demo portfolio, round-trip tests): what it writes is exactly what the reader reads.
Everything a project manager needs works in Excel alone: drop-downs, computed columns in
native formulas, conditional formatting. Formulas carry the value pandas computed for them
as their cached result, so readers that do not recalculate (python-calamine) still see it.
"""

from __future__ import annotations

import math
import os
from datetime import datetime, time
from pathlib import Path
from typing import Any

import pandas as pd
import xlsxwriter
from xlsxwriter.utility import xl_col_to_name
from xlsxwriter.worksheet import Worksheet

from pmo_logic import __version__, styles
from pmo_logic.choices import ALL_LISTS, LISTS, YES_NO
from pmo_logic.columns import Col, ColumnSpec, ComputeContext
from pmo_logic.files import atomic_output
from pmo_logic.formulas import render
from pmo_logic.frames import sheet_frame
from pmo_logic.i18n import text
from pmo_logic.models import PortfolioWorkbook, ProjectWorkbook
from pmo_logic.sheets import (
    META_SHEET,
    PORTFOLIO_KIND,
    PORTFOLIO_SHEETS,
    PROJECT_KIND,
    PROJECT_SHEETS,
    TEMPLATE_VERSION,
    SheetSchema,
    project_computed_values,
)
from pmo_logic.xlsx_formulas import FormulaWorksheet

FIXED_CREATION_DATE = datetime(2026, 1, 1)
"""Document creation date of every file written: the same input gives byte-identical files."""

VALIDATION_ROWS = 2000
"""Drop-downs and checks reach this far below the header, so rows added later have them."""

NON_WORKING_DAY_ROWS = 366


def write_project_workbook(
    path: str | os.PathLike[str],
    data: ProjectWorkbook,
    *,
    lang: str = "en",
    overwrite: bool = True,
    omit_sheets: tuple[str, ...] = (),
    macros: bool | Path = False,
) -> Path:
    """Write ``data`` as a project workbook (``.xlsx``) at ``path``, atomically.

    ``omit_sheets`` (sheet keys) leaves sheets out, as a user who deleted them would: the
    demo and the tests use it to make damaged workbooks.

    >>> from pmo_logic.examples import example_project
    >>> write_project_workbook("/tmp/p.xlsx", example_project("en"))  # doctest: +SKIP
    """
    with atomic_output(path, overwrite=overwrite) as tmp:
        _ProjectWriter(tmp, data, lang, omit_sheets, macros=macros).write()
    return Path(path)


def write_portfolio_workbook(
    path: str | os.PathLike[str],
    data: PortfolioWorkbook,
    *,
    lang: str = "en",
    overwrite: bool = True,
    macros: bool | Path = False,
) -> Path:
    """Write ``data`` as a portfolio workbook at ``path``, atomically (``.xlsm`` with ``macros``).

    ``macros`` is True for the VBA of ``macros/``, or another folder of ``.bas`` files (tests).
    """
    with atomic_output(path, overwrite=overwrite) as tmp:
        _PortfolioWriter(tmp, data, lang, macros=macros).write()
    return Path(path)


def _fit(words: str, limit: int) -> str:
    """``words`` within Excel's length limit for a data validation's text, cut between words."""
    if len(words) <= limit:
        return words
    cut = words[: limit - 1]
    return (cut.rsplit(" ", 1)[0] if " " in cut else cut).rstrip(" ,;:(\u00a0") + "…"


def sheet_ref(name: str) -> str:
    """A sheet name as it must appear in a formula."""
    return "'" + name.replace("'", "''") + "'"


class _Writer:
    kind: str
    sheets: tuple[SheetSchema, ...]

    buttons: tuple[tuple[str, str, str], ...] = ()
    """(macro, English caption, French caption) of the buttons on the first data sheet."""

    def __init__(
        self, path: Path, data: Any, lang: str, omit_sheets: tuple[str, ...] = (), *, macros: bool | Path = False
    ) -> None:
        self.macros = macros
        if lang not in ("en", "fr"):
            raise ValueError(f"language must be 'en' or 'fr', not {lang!r}")
        self.path, self.data, self.lang = path, data, lang
        self.sheets = tuple(s for s in self.sheets if s.key not in omit_sheets or s.required)
        self.omitted_tables = {s.table for s in type(self).sheets if s.table and s not in self.sheets}
        # Text from project workbooks is never turned into formulas or links.
        self.book = xlsxwriter.Workbook(
            str(path),
            {"strings_to_formulas": False, "strings_to_urls": False, "strings_to_numbers": False},
        )
        self.book.worksheet_class = FormulaWorksheet  # each table formula prepared once, not per cell
        self.formats: dict[tuple, Any] = {}

    # formats -------------------------------------------------------------------------

    def fmt(self, **props: Any) -> Any:
        key = tuple(sorted(props.items()))
        if key not in self.formats:
            base = {"font_name": styles.FONT, "font_size": styles.FONT_SIZE, "valign": "top"}
            self.formats[key] = self.book.add_format({**base, **props})
        return self.formats[key]

    def cell_format(self, kind: str, computed: bool = False) -> Any:
        props: dict[str, Any] = {}
        number = styles.number_format(kind, self.lang)
        if number:
            props["num_format"] = number
        if computed:
            props.update(bg_color=styles.COMPUTED_FILL, italic=True, font_color="#404040")
        return self.fmt(**props)

    def header_format(self, computed: bool = False) -> Any:
        fill = styles.COMPUTED_HEADER if computed else styles.INPUT_HEADER
        return self.fmt(bold=True, font_color="#FFFFFF", bg_color=fill, text_wrap=True, border=1, border_color=fill)

    # common parts ----------------------------------------------------------------------

    def write(self) -> None:
        self.book.set_properties(
            {
                "title": text("title_" + self.kind, self.lang),
                "subject": "pmo-xl",
                "author": "pmo-xl",
                "company": "",
                "comments": text("properties_comment", self.lang),
                "created": FIXED_CREATION_DATE,
            }
        )
        self.book.set_custom_property("pmo_kind", self.kind)
        self.book.set_custom_property("pmo_template_version", str(TEMPLATE_VERSION))
        self.book.set_custom_property("pmo_language", self.lang)
        self.book.set_calc_mode("auto")
        self.worksheets = {schema.key: self.book.add_worksheet(schema.name(self.lang)) for schema in self.sheets}
        self.write_lists()
        for schema in self.sheets:
            ws = self.worksheets[schema.key]
            if schema.layout == "keyvalue":
                self.write_keyvalue(ws, schema)
            elif schema.layout == "table":
                self.write_table(ws, schema)
            self.print_setup(ws, schema)
        self.write_instructions(self.worksheets["instructions"])
        self.write_meta()
        if self.macros:
            self.add_macros()
        self.worksheets[self.first_sheet_to_show].activate()
        self.book.close()

    first_sheet_to_show = "instructions"

    def print_setup(self, ws: Worksheet, schema: SheetSchema) -> None:
        ws.set_landscape()
        ws.set_paper(9)  # A4
        ws.fit_to_pages(1, 0)
        ws.set_margins(left=0.4, right=0.4, top=0.6, bottom=0.6)
        if schema.layout in ("table", "keyvalue"):
            ws.repeat_rows(0)
        ws.set_header(f"&L&B{text('title_' + self.kind, self.lang)}&R&A")
        ws.set_footer(f"&L{text('footer', self.lang)}&R&P / &N")

    def add_macros(self) -> None:
        """The VBA project built from macros/*.bas, and the buttons that run it."""
        import io

        from pmo_logic.vba import build_vba_project

        sheets = self.book.worksheets()
        source = self.macros if isinstance(self.macros, Path) else None
        self.book.add_vba_project(io.BytesIO(build_vba_project(len(sheets), source)), is_stream=True)
        self.book.set_vba_name("ThisWorkbook")
        for k, worksheet in enumerate(sheets, start=1):
            worksheet.set_vba_name(f"Sheet{k}")
        target = self.worksheets[self.sheets[1].key]
        for n, (macro, en, fr) in enumerate(self.buttons):
            target.insert_button(
                1 + 3 * n, 4, {"macro": macro, "caption": fr if self.lang == "fr" else en, "width": 170, "height": 30}
            )

    def write_meta(self) -> None:
        ws = self.book.add_worksheet(META_SHEET)
        rows = [
            ("kind", self.kind),
            ("template_version", TEMPLATE_VERSION),
            ("language", self.lang),
            ("generator", f"pmo-xl {__version__}"),
        ]
        for r, (key, value) in enumerate(rows):
            ws.write_string(r, 0, key)
            ws.write(r, 1, value)
        ws.hide()

    def write_lists(self) -> None:
        ws = self.worksheets["lists"]
        name = sheet_ref(ws.get_name())
        header = self.header_format()
        for c, choice_list in enumerate(ALL_LISTS):
            ws.write_string(0, c, choice_list.header(self.lang), header)
            labels = choice_list.labels(self.lang)
            ws.write_column(1, c, labels, self.fmt())
            col = xl_col_to_name(c)
            self.book.define_name(f"List_{choice_list.name}", f"={name}!${col}$2:${col}${len(labels) + 1}")
            ws.set_column(c, c, max(12, len(choice_list.header(self.lang)) + 2))
        ws.freeze_panes(1, 0)
        self.lists_end_col = len(ALL_LISTS)

    def validation(self, ws: Worksheet, first_row: int, col: int, last_row: int, spec: Col) -> None:
        options: dict[str, Any] | None = None
        if spec.choices is not None:
            options = {"validate": "list", "source": f"=List_{spec.choices.name}"}
        elif spec.kind == "date":
            options = {
                "validate": "date",
                "criteria": ">=",
                "value": datetime(1990, 1, 1),
                "error_type": "warning",
            }
        elif spec.kind == "integer" and spec.minimum is not None and spec.maximum is not None:
            options = {
                "validate": "integer",
                "criteria": "between",
                "minimum": int(spec.minimum),
                "maximum": int(spec.maximum),
            }
        elif spec.kind == "percent":
            options = {"validate": "decimal", "criteria": "between", "minimum": 0, "maximum": 1}
        elif spec.kind in ("money", "number", "integer"):
            options = {
                "validate": "decimal",
                "criteria": ">=",
                "value": spec.minimum if spec.minimum is not None else -1e12,
                "error_type": "warning",
            }
        # No English fallback: a French workbook shows French (a test checks every column has both).
        help_text = spec.help(self.lang)
        if options is None:
            if not help_text:
                return
            options = {"validate": "any"}
        if help_text:
            options["input_title"] = _fit(spec.header(self.lang), 32)
            options["input_message"] = _fit(help_text, 255)
        if options["validate"] != "any":
            options["error_title"] = text("validation_error_title", self.lang)
            options["error_message"] = _fit(
                text("validation_error", self.lang).format(header=spec.header(self.lang)), 255
            )
        ws.data_validation(first_row, col, last_row, col, options)

    def write_value(self, ws: Worksheet, row: int, col: int, spec: Col, value: Any, fmt: Any) -> None:
        if value is None:
            ws.write_blank(row, col, None, fmt)
        elif spec.kind == "date":
            ws.write_datetime(row, col, datetime.combine(value, time()), fmt)
        elif spec.kind == "flag":
            ws.write_string(row, col, YES_NO.label("yes" if value else "no", self.lang), fmt)
        elif spec.kind == "choice" and spec.choices is not None:
            ws.write_string(row, col, spec.choices.label(value, self.lang), fmt)
        elif spec.kind in ("money", "number", "percent", "integer"):
            ws.write_number(row, col, value, fmt)
        else:
            ws.write_string(row, col, str(value), fmt)

    def cached(self, value: Any, computed_choices=None) -> Any:
        """A pandas result as the cached value of a formula cell ('' for blank)."""
        if value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NaT:
            return ""
        if computed_choices is not None:
            return computed_choices.label(value, self.lang)
        if isinstance(value, (int, float)):
            return float(value)
        return value

    def write_keyvalue(self, ws: Worksheet, schema: SheetSchema, computed: dict[str, Any] | None = None) -> None:
        header = self.header_format()
        ws.write_string(0, 0, text("field", self.lang), header)
        ws.write_string(0, 1, text("value", self.lang), header)
        ws.write_string(0, 2, text("help", self.lang), header)
        record = getattr(self.data, schema.key)
        label_fmt = self.fmt(bold=True, bg_color=styles.KEY_FILL, border=1, border_color=styles.BORDER)
        help_fmt = self.fmt(italic=True, font_color="#595959", text_wrap=True)
        row = 1
        for spec in schema.columns():
            label = spec.col.header(self.lang) + (" *" if spec.col.required else "")
            ws.write_string(row, 0, label, label_fmt)
            number = styles.number_format(spec.col.kind, self.lang)
            value_fmt = self.fmt(
                border=1, border_color=styles.BORDER, text_wrap=True, **({"num_format": number} if number else {})
            )
            self.write_value(ws, row, 1, spec.col, getattr(record, spec.name), value_fmt)
            self.validation(ws, row, 1, row, spec.col)
            ws.write_string(row, 2, spec.col.help(self.lang), help_fmt)
            if spec.name == "status_date":
                self.book.define_name("StatusDate", f"={sheet_ref(ws.get_name())}!$B${row + 1}")
            if spec.name == "approved_budget":
                self.book.define_name("ApprovedBudget", f"={sheet_ref(ws.get_name())}!$B${row + 1}")
            if spec.name == "manual_rag":
                self.rag_format(ws, row, 1)
            row += 1
        if schema.computed_values:
            row += 1
            ws.write_string(row, 0, text("computed_block", self.lang), self.header_format(computed=True))
            ws.write_string(row, 1, "", self.header_format(computed=True))
            row += 1
            for item in schema.computed_values:
                if any("{" + table + "." in item.formula for table in self.omitted_tables):
                    continue  # its table was deleted: Excel would show #REF!
                ws.write_string(row, 0, item.header(self.lang), label_fmt)
                value = self.cached((computed or {}).get(item.key))
                ws.write_formula(
                    row, 1, render(item.formula, None, self.lang), self.cell_format(item.kind, computed=True), value
                )
                ws.write_string(row, 2, item.help(self.lang), help_fmt)
                row += 1
        ws.set_column(0, 0, 34)
        ws.set_column(1, 1, 40)
        ws.set_column(2, 2, 60)
        ws.freeze_panes(1, 0)

    def rag_format(self, ws: Worksheet, first_row: int, col: int, last_row: int | None = None) -> None:
        rag = LISTS["rag"]
        for code in ("green", "amber", "red"):
            ws.conditional_format(
                first_row,
                col,
                last_row if last_row is not None else first_row,
                col,
                {
                    "type": "cell",
                    "criteria": "==",
                    "value": f'"{rag.label(code, self.lang)}"',
                    "format": self.book.add_format(
                        {"bg_color": styles.RAG_FILL[code], "font_color": styles.RAG_FONT[code], "bold": True}
                    ),
                },
            )

    def table_frame(self, schema: SheetSchema, rows: list) -> pd.DataFrame:
        return sheet_frame(rows, schema, self.context())

    def context(self) -> ComputeContext:
        return ComputeContext(lang=self.lang)

    def write_table(self, ws: Worksheet, schema: SheetSchema) -> pd.DataFrame:
        rows = getattr(self.data, schema.key)
        specs = schema.columns()
        frame = self.table_frame(schema, rows)
        n_rows = max(len(rows), 1)
        columns = []
        for spec in specs:
            columns.append(
                {
                    "header": spec.col.header(self.lang),
                    "header_format": self.header_format(),
                    "format": self.cell_format(spec.col.kind),
                }
            )
        for computed in schema.computed:
            columns.append(
                {
                    "header": computed.header(self.lang),
                    "header_format": self.header_format(computed=True),
                    "format": self.cell_format(computed.kind, computed=True),
                    "formula": render(computed.formula, schema, self.lang),
                }
            )
        last_col = len(columns) - 1
        ws.add_table(
            0,
            0,
            n_rows,
            last_col,
            {"name": schema.table, "columns": columns, "style": styles.TABLE_STYLE, "autofilter": True},
        )
        for r, row in enumerate(rows, start=1):
            for c, spec in enumerate(specs):
                self.write_value(ws, r, c, spec.col, getattr(row, spec.name), self.cell_format(spec.col.kind))
        for k, computed in enumerate(schema.computed):
            c = len(specs) + k
            formula = render(computed.formula, schema, self.lang)
            fmt = self.cell_format(computed.kind, computed=True)
            values = frame[computed.key].tolist() if rows else [None]
            for r, value in enumerate(values, start=1):
                ws.write_formula(r, c, formula, fmt, self.cached(value, computed.choices))
        for c, spec in enumerate(specs):
            ws.set_column(c, c, spec.col.width)
            self.validation(ws, 1, c, VALIDATION_ROWS, spec.col)
        for k, computed in enumerate(schema.computed):
            ws.set_column(len(specs) + k, len(specs) + k, computed.width)
        ws.set_row(0, 40)
        ws.freeze_panes(1, 3 if schema.key == "plan" else 1)
        self.conditional_formats(ws, schema, specs)
        return frame

    def conditional_formats(self, ws: Worksheet, schema: SheetSchema, specs: list[ColumnSpec]) -> None:
        """Highlights a project manager sees without Python: late work, high risks, overdue actions."""

    def col_letter(self, schema: SheetSchema, key: str) -> str:
        keys = [s.name for s in schema.columns()] + [c.key for c in schema.computed]
        return xl_col_to_name(keys.index(key))

    def write_instructions(self, ws: Worksheet) -> None:
        title = self.fmt(bold=True, font_size=16, font_color=styles.NAVY)
        para = self.fmt(text_wrap=True)
        bold = self.fmt(bold=True)
        ws.write_string(0, 0, text("title_" + self.kind, self.lang), title)
        row = 2
        for line in text("instructions_" + self.kind, self.lang).split("\n"):
            ws.merge_range(row, 0, row, 5, line, para)
            # About 110 characters fit on a line of the merged cells; wrapped rows do not grow by themselves.
            ws.set_row(row, 15 * max(1, math.ceil(len(line) / 110)))
            row += 1
        row += 1
        ws.write_string(row, 0, text("legend", self.lang), bold)
        row += 1
        ws.write_string(row, 0, text("legend_input", self.lang), self.header_format())
        ws.merge_range(row, 1, row, 5, text("legend_input_help", self.lang), para)
        row += 1
        ws.write_string(row, 0, text("legend_computed", self.lang), self.header_format(computed=True))
        ws.merge_range(row, 1, row, 5, text("legend_computed_help", self.lang), para)
        row += 2
        heads = ["sheet", "column", "required", "type", "allowed", "help"]
        for c, head in enumerate(heads):
            ws.write_string(row, c, text("col_" + head, self.lang), self.header_format())
        ws.repeat_rows(row)
        row += 1
        yes = YES_NO.label("yes", self.lang)
        for schema in self.sheets:
            if schema.layout == "instructions":
                continue
            ws.write_string(row, 0, schema.name(self.lang), bold)
            ws.merge_range(row, 1, row, 5, schema.help(self.lang), para)
            row += 1
            for spec in schema.columns():
                col = spec.col
                allowed = ", ".join(col.choices.labels(self.lang)) if col.choices else ""
                if col.minimum is not None and col.maximum is not None and not allowed:
                    allowed = f"{col.minimum:g} - {col.maximum:g}"
                cells = [
                    "",
                    col.header(self.lang),
                    yes if col.required else "",
                    text("kind_" + col.kind, self.lang),
                    allowed,
                    col.help(self.lang) or text("kind_help_" + col.kind, self.lang),
                ]
                for c, value in enumerate(cells):
                    ws.write_string(row, c, value, para)
                # Wrapped text does not grow its row in every spreadsheet: size it here.
                lines = max(math.ceil(len(cells[4]) / 44), math.ceil(len(cells[5]) / 72), 1)
                if lines > 1:
                    ws.set_row(row, 13 * lines)
                row += 1
            for computed in schema.computed:
                cells = [
                    "",
                    computed.header(self.lang),
                    "",
                    text("kind_computed", self.lang),
                    "",
                    computed.help(self.lang),
                ]
                for c, value in enumerate(cells):
                    ws.write_string(row, c, value, self.cell_format("text", computed=True))
                row += 1
        for c, width in enumerate((18, 30, 10, 14, 40, 60)):
            ws.set_column(c, c, width)
        ws.hide_gridlines(2)


class _ProjectWriter(_Writer):
    kind = PROJECT_KIND
    sheets = PROJECT_SHEETS
    buttons = (
        ("ValidatePlan", "Validate plan", "Valider le planning"),
        ("RecomputeSchedule", "Recompute schedule", "Recalculer le planning"),
        ("StatusReport", "Status report", "Rapport d'avancement"),
    )

    def context(self) -> ComputeContext:
        days = tuple(r.day for r in self.data.lists if r.day is not None)
        return ComputeContext(status_date=self.data.project.status_date, non_working_days=days, lang=self.lang)

    def write(self) -> None:
        # The Project sheet's computed cells sum the tables, so compute the tables first.
        frames = {s.key: self.table_frame(s, getattr(self.data, s.key)) for s in self.sheets if s.layout == "table"}
        self.project_values = project_computed_values(frames, self.data.project)
        super().write()

    def write_keyvalue(self, ws: Worksheet, schema: SheetSchema, computed: dict[str, Any] | None = None) -> None:
        super().write_keyvalue(ws, schema, self.project_values)

    def write_lists(self) -> None:
        super().write_lists()
        ws = self.worksheets["lists"]
        c = self.lists_end_col + 1
        spec = self.sheets[-1].columns()[0]
        ws.write_string(0, c, spec.col.header(self.lang), self.header_format())
        date_fmt = self.cell_format("date")
        for r, item in enumerate(self.data.lists, start=1):
            self.write_value(ws, r, c, spec.col, item.day, date_fmt)
        self.validation(ws, 1, c, NON_WORKING_DAY_ROWS, spec.col)
        ws.set_column(c, c, 16, date_fmt)
        col = xl_col_to_name(c)
        self.book.define_name(
            "NonWorkingDays", f"={sheet_ref(ws.get_name())}!${col}$2:${col}${NON_WORKING_DAY_ROWS + 1}"
        )

    def conditional_formats(self, ws: Worksheet, schema: SheetSchema, specs: list[ColumnSpec]) -> None:
        last = VALIDATION_ROWS
        letter = lambda key: self.col_letter(schema, key)  # noqa: E731
        late = self.book.add_format({"bg_color": styles.LATE_FILL, "font_color": styles.LATE_FONT})
        warn = self.book.add_format({"bg_color": styles.WARN_FILL})
        if schema.key == "plan":
            status = LISTS["task_status"]
            f, s, slip = letter("finish"), letter("status"), letter("finish_slip")
            done = status.label("done", self.lang)
            cancelled = status.label("cancelled", self.lang)
            # Overdue: finish before the status date and not done. Conditional formats
            # cannot use structured references, hence A1 references.
            ws.conditional_format(
                f"{f}2:{f}{last}",
                {
                    "type": "formula",
                    "criteria": f'=AND(ISNUMBER(${f}2),${f}2<StatusDate,${s}2<>"{done}",${s}2<>"{cancelled}")',
                    "format": late,
                },
            )
            ws.conditional_format(
                f"{slip}2:{slip}{last}", {"type": "cell", "criteria": ">", "value": 10, "format": late}
            )
            ws.conditional_format(
                f"{slip}2:{slip}{last}", {"type": "cell", "criteria": ">", "value": 0, "format": warn}
            )
        elif schema.key == "risks":
            level = letter("level")
            for code in ("critical", "high", "medium", "low"):
                ws.conditional_format(
                    f"{level}2:{level}{last}",
                    {
                        "type": "cell",
                        "criteria": "==",
                        "value": f'"{LISTS["risk_level"].label(code, self.lang)}"',
                        "format": self.book.add_format(
                            {"bg_color": styles.LEVEL_FILL[code], "font_color": styles.LEVEL_FONT[code]}
                        ),
                    },
                )
        elif schema.key == "actions":
            d = letter("days_overdue")
            ws.conditional_format(f"{d}2:{d}{last}", {"type": "cell", "criteria": ">", "value": 0, "format": late})
        elif schema.key == "decisions":
            d = letter("days_left")
            ws.conditional_format(
                f"{d}2:{d}{last}", {"type": "formula", "criteria": f"=AND(ISNUMBER(${d}2),${d}2<0)", "format": late}
            )


class _PortfolioWriter(_Writer):
    kind = PORTFOLIO_KIND
    sheets = PORTFOLIO_SHEETS
    buttons = (
        ("Consolidate", "Consolidate", "Consolider"),
        ("CommitteePack", "Committee pack", "Dossier de comité"),
        ("TakeSnapshot", "Snapshot", "Instantané"),
        ("ExportPDF", "Export PDF", "Exporter en PDF"),
    )
