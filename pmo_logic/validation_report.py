"""The validation report workbook: every finding, with a link to its cell in the source workbook.

Written as a new file with XlsxWriter; the source workbooks are never opened for writing.
Text is written with ``write_string`` only (never a formula, whatever it starts with), and the
links are percent-encoded (`literal.file_link`), so a workbook named ``R&D #1 50%.xlsx`` opens.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from datetime import date
from pathlib import Path

import xlsxwriter

from pmo_logic import styles
from pmo_logic.files import atomic_output
from pmo_logic.findings import findings_frame
from pmo_logic.literal import file_link, sheet_location
from pmo_logic.reader import workbook_kind
from pmo_logic.rules import CATALOGUE
from pmo_logic.validate import ValidationResult, dcma_table, findings_of

SEVERITY_FILL = {"error": "#F8CBAD", "warning": "#FFEB9C", "info": "#DDEBF7"}


def write_validation_report(
    path: str | os.PathLike[str], results: Sequence[ValidationResult], *, generated_on: date | None = None
) -> Path:
    """Write the findings, a summary per workbook, the DCMA assessments and the rule catalogue."""
    target = Path(path)
    sources = {Path(r.workbook.source).resolve() for r in results if r.workbook.source}
    # An earlier report read as a workbook of the folder is an output, not a source.
    if target.resolve() in sources and workbook_kind(target) != "validation_report":
        raise ValueError(f"{target} is one of the workbooks being validated: write the report to another file")
    with atomic_output(target) as tmp:
        _write(tmp, target.parent, results, generated_on or date.today())
    return target


def _link(report_dir: Path, source: str, address: str) -> str:
    """A hyperlink to a cell of another workbook, relative when the report is next to it."""
    try:
        relative = os.path.relpath(Path(source).resolve(), report_dir.resolve())
    except ValueError:  # another drive on Windows
        relative = str(Path(source).resolve())
    return file_link(relative, address)


def _write(tmp: Path, report_dir: Path, results: Sequence[ValidationResult], generated_on: date) -> None:
    book = xlsxwriter.Workbook(str(tmp), {"strings_to_formulas": False, "strings_to_urls": False})
    # What a later run checks before replacing this file (`outputs.replaceable`), and what keeps
    # it from being read as a project (`validate.output_kind`).
    book.set_custom_property("pmo_kind", "validation_report")
    title = book.add_format({"bold": True, "font_size": 14, "font_color": styles.NAVY})
    header = book.add_format({"bold": True, "font_color": "#FFFFFF", "bg_color": styles.INPUT_HEADER, "border": 1})
    wrap = book.add_format({"text_wrap": True, "valign": "top"})
    link = book.add_format({"font_color": "#0563C1", "underline": 1, "valign": "top"})
    sources = {r.file: r.workbook.source for r in results}

    def texts(ws, row: int, values: Sequence[str], cell_format=None) -> None:
        for c, value in enumerate(values):
            ws.write_string(row, c, value, cell_format)

    def sheet(name: str, heading: str, widths: Sequence[float]):
        ws = book.add_worksheet(name)
        ws.write_string(0, 0, heading, title)
        ws.write_string(1, 0, f"pmo-xl validation, {generated_on.isoformat()}")
        for c, width in enumerate(widths):
            ws.set_column(c, c, width)
        ws.set_landscape()
        ws.set_paper(9)
        ws.fit_to_pages(1, 0)
        ws.repeat_rows(3)
        ws.freeze_panes(4, 0)
        ws.set_footer("&Lpmo-xl&R&P / &N")
        return ws

    # Findings
    frame = findings_frame(findings_of(results))
    ws = sheet("Findings", "Validation findings", (9, 9, 11, 30, 16, 12, 70))
    heads = ["Severity", "Code", "Project", "File", "Cell", "Item", "Message"]
    texts(ws, 3, heads, header)
    for r, row in enumerate(frame.itertuples(index=False), start=4):
        fill = book.add_format({"bg_color": SEVERITY_FILL[row.severity], "valign": "top"})
        ws.write_string(r, 0, row.severity, fill)
        ws.write_string(r, 1, row.code, wrap)
        ws.write_string(r, 2, row.project, wrap)
        ws.write_string(r, 3, row.file, wrap)
        address = sheet_location(row.sheet, row.cell or "A1") if row.sheet else ""
        shown = f"{row.sheet}!{row.cell}" if row.cell else row.sheet
        if sources.get(row.file):
            ws.write_url(r, 4, _link(report_dir, sources[row.file], address), link, shown or row.file)
        else:
            ws.write_string(r, 4, shown, wrap)
        ws.write_string(r, 5, row.item, wrap)
        ws.write_string(r, 6, row.message, wrap)
    if len(frame):
        ws.autofilter(3, 0, 3 + len(frame), len(heads) - 1)

    # Summary per workbook
    ws = sheet("Summary", "Findings per workbook", (34, 12, 10, 10, 10, 10))
    texts(ws, 3, ["File", "Project", "Errors", "Warnings", "Notes", "DCMA passed"], header)
    for r, result in enumerate(results, start=4):
        passed = sum(c.passed is True for c in result.dcma)
        applicable = sum(c.passed is not None for c in result.dcma)
        ws.write_string(r, 0, result.file)
        ws.write_string(r, 1, result.workbook.project.project_id or "")
        ws.write_number(r, 2, result.count("error"))
        ws.write_number(r, 3, result.count("warning"))
        ws.write_number(r, 4, result.count("info"))
        ws.write_string(r, 5, f"{passed}/{applicable}" if applicable else "n/a")

    # DCMA
    table = dcma_table(results)
    ws = sheet("DCMA", "DCMA 14-point assessment", (12, 30, 6, 34, 10, 8, 8, 40, 16, 8, 40))
    columns = ["project", "file", "check", "name", "metric", "count", "total", "population", "threshold", "result",
               "tasks"]  # fmt: skip
    texts(ws, 3, [c.capitalize() for c in columns], header)
    result_fill = {
        "pass": book.add_format({"bg_color": "#C6EFCE"}),
        "fail": book.add_format({"bg_color": "#FFC7CE"}),
        "n/a": None,
    }
    for r, row in enumerate(table.itertuples(index=False), start=4) if len(table) else []:
        values = [getattr(row, c) for c in columns]
        for c, value in enumerate(values):
            fmt = result_fill.get(value) if columns[c] == "result" else None
            if isinstance(value, str):
                ws.write_string(r, c, value, fmt)
            else:
                ws.write_number(r, c, float(value), fmt)

    # Rules
    ws = sheet("Rules", "The rules", (10, 9, 14, 50, 70))
    texts(ws, 3, ["Code", "Severity", "Family", "Summary", "Why it matters"], header)
    for r, rule in enumerate(CATALOGUE.values(), start=4):
        texts(ws, r, [rule.code, rule.severity, rule.family, rule.summary, rule.why], wrap)
    book.close()
