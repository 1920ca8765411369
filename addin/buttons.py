"""The buttons of the templates: each handler takes the workbook (``book: xw.Book``).

From VBA, ``RunPython "import addin.buttons as b; b.validate_plan()"`` calls a handler
without a book and it uses ``xw.Book.caller()``; xlwings Lite calls the same functions as
``@script`` functions with the book. Handlers only move data between Excel and the engine:
they read whole sheets at once, switch screen updating and calculation off while writing
(and back on, even on error), and report errors in a message box naming the file, sheet and
cell, never with a traceback.

Text from project workbooks is written as text: Excel parses what is assigned to a range's
value as if it were typed, so a task named ``=cmd|' /C calc'!A0`` would become a formula.
Every block of values goes through `pmo_logic.literal.excel_text`, which gives such text
Excel's own text marker, a leading apostrophe (not part of the cell's value).

How the committee pack reaches Excel: it is rendered by the same XlsxWriter renderer as
``pmo report`` into a new workbook next to the portfolio workbook, and a summary with a link
is written into the open workbook. Copying rendered sheets into the open workbook is not
possible on every engine (xlwings' remote and Lite engines refuse ``Sheet.copy`` to another
book), and drawing charts and conditional formats cell by cell through the formatting API
would be slow and partial; a sibling file also never touches the user's workbook.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pandas as pd
import xlwings as xw

from pmo_logic.files import OutputError
from pmo_logic.i18n import text
from pmo_logic.literal import excel_rows, excel_text, sheet_location
from pmo_logic.models import ProjectWorkbook
from pmo_logic.outputs import Inputs, Output, OutputRefused, check_outputs, record_pending, record_written
from pmo_logic.reader import read_portfolio_cells, read_project_cells

VALIDATION_SHEET = "Validation"
HIGHLIGHT = "#FFC7CE"
TITLE = "pmo-xl"


class HandlerError(Exception):
    """A problem to show the user: what, and where."""


# --- reading and writing the open workbook ----------------------------------------------------


def sheet_cells(sheet: xw.Sheet) -> list[list[Any]]:
    """The sheet's values from A1 to its last used cell, in one read."""
    last = sheet.used_range.last_cell
    values = sheet.range((1, 1), (last.row, last.column)).options(ndim=2).value
    return values or [[]]


def read_open_project(book: xw.Book) -> ProjectWorkbook:
    return read_project_cells(book.name, {s.name: sheet_cells(s) for s in book.sheets})


@contextlib.contextmanager
def quiet(book: xw.Book) -> Iterator[None]:
    """Screen updating and automatic calculation off while writing; restored even on error."""
    app = book.app
    try:
        calculation = app.calculation
    except NotImplementedError:  # engines that only accept settings
        calculation = "automatic"
    _try(setattr, app, "screen_updating", False)
    _try(setattr, app, "calculation", "manual")
    try:
        yield
    finally:
        _try(setattr, app, "calculation", calculation)
        _try(setattr, app, "screen_updating", True)


def _try(function, *args: Any) -> None:
    with contextlib.suppress(NotImplementedError, AttributeError):
        function(*args)


@contextlib.contextmanager
def message_on_error(book: xw.Book) -> Iterator[None]:
    try:
        yield
    except (HandlerError, OutputRefused, OutputError) as exc:  # a sentence naming the file already
        book.app.alert(str(exc), title=TITLE)
    except Exception as exc:  # the user sees a sentence, never a traceback
        book.app.alert(f"{book.name}: pmo-xl could not finish ({type(exc).__name__}: {exc}).", title=TITLE)


def _book(book: xw.Book | None) -> xw.Book:
    return book if book is not None else xw.Book.caller()


def _replace_sheet(book: xw.Book, name: str) -> xw.Sheet:
    if name in [s.name for s in book.sheets]:
        book.sheets[name].delete()
    return book.sheets.add(name, after=book.sheets[-1])


# --- project workbook buttons -------------------------------------------------------------------


def validate_plan(book: xw.Book | None = None) -> None:
    """Validate plan: findings in a Validation sheet with links to the cells, which are highlighted."""
    # Here, not at import: the other buttons need neither the rules nor networkx.
    from pmo_logic.findings import findings_frame
    from pmo_logic.validate import validate_workbook
    from pmo_logic.validation_settings import ValidationSettings

    book = _book(book)
    with message_on_error(book), quiet(book):
        workbook = read_open_project(book)
        result = validate_workbook(workbook, ValidationSettings(as_of=workbook.project.status_date))
        names = [s.name for s in book.sheets]
        if VALIDATION_SHEET in names:
            _clear_highlights(book, book.sheets[VALIDATION_SHEET], names)
        sheet = _replace_sheet(book, VALIDATION_SHEET)
        frame = findings_frame(result.findings)
        lang = workbook.meta.language
        header = [text(key, lang) for key in ("severity", "code", "cell", "item", "message")]
        rows = [
            [text(f"severity_{f.severity}", lang), f.code, f"{f.sheet}!{f.cell}" if f.cell else f.sheet, f.item,
             f.message]
            for f in frame.itertuples(index=False)
        ]  # fmt: skip
        block = [header, *rows] if rows else [header, ["", "", "", "", text("no_findings", lang)]]
        sheet["A1"].value = excel_rows(block)
        sheet["A1:E1"].font.bold = True
        sheet["A1:E1"].color = "#1F3864"
        sheet["A1:E1"].font.color = "#FFFFFF"
        for r, finding in enumerate(frame.itertuples(index=False), start=2):
            if finding.sheet and finding.cell and finding.sheet in names:
                target = "#" + sheet_location(finding.sheet, finding.cell)
                sheet[f"C{r}"].add_hyperlink(target, f"{finding.sheet}!{finding.cell}")
                book.sheets[finding.sheet][finding.cell].color = HIGHLIGHT
        sheet["A:E"].autofit()


def _clear_highlights(book: xw.Book, validation: xw.Sheet, names: list[str]) -> None:
    """Remove the colours the previous run put on the offending cells (listed in column C)."""
    cells = validation.range("C2").expand("down").value if validation["C2"].value else []
    for address in cells if isinstance(cells, list) else [cells]:
        if isinstance(address, str) and "!" in address:
            sheet, cell = address.rsplit("!", 1)
            if sheet in names:
                book.sheets[sheet][cell].color = None


SCHEDULE_FIELDS = ("early_start", "early_finish", "late_start", "late_finish", "total_float", "critical")


def recompute_schedule(book: xw.Book | None = None) -> None:
    """Recompute schedule: early and late dates, total float and critical flags, written into
    the Plan's schedule columns (added after the table's last column in an older workbook)."""
    from pmo_logic import choices
    from pmo_logic.columns import input_columns
    from pmo_logic.models import TaskRow
    from pmo_logic.schedule import schedule
    from pmo_logic.workdays import WorkCalendar

    book = _book(book)
    with message_on_error(book), quiet(book):
        workbook = read_open_project(book)
        layout = workbook.layout.get("plan")
        if layout is None or layout.header_row is None:
            raise HandlerError(f"{book.name}: no Plan sheet with a header row: copy it from the template")
        lang = workbook.meta.language
        start = workbook.project.start_date or workbook.project.status_date or date.today()
        calendar = WorkCalendar(start, non_working_days=[r.day for r in workbook.lists if r.day])
        result = schedule(
            workbook.plan, calendar, status_date=workbook.project.status_date, project_start=workbook.project.start_date
        )
        sheet = book.sheets[layout.name]
        header_values = sheet_cells(sheet)[layout.header_row - 1]
        cols = {spec.name: spec.col for spec in input_columns(TaskRow)}
        columns = dict(layout.columns)
        next_free = len(header_values)
        while next_free and header_values[next_free - 1] in (None, ""):
            next_free -= 1
        for name in SCHEDULE_FIELDS:
            if name not in columns:
                columns[name] = next_free
                sheet.range((layout.header_row, next_free + 1)).value = cols[name].header(lang)
                next_free += 1
        by_row = {int(r.source_row): r for r in result.tasks.itertuples() if r.source_row == r.source_row}
        last_row = max(by_row) if by_row else layout.header_row
        yes, no = choices.YES_NO.label("yes", lang), choices.YES_NO.label("no", lang)
        values: dict[str, list[list[Any]]] = {name: [] for name in SCHEDULE_FIELDS}
        for excel_row in range(layout.header_row + 1, last_row + 1):
            task = by_row.get(excel_row)
            row = (
                (None,) * len(SCHEDULE_FIELDS)
                if task is None
                else (
                    _excel(task.early_start),
                    _excel(task.early_finish),
                    _excel(task.late_start),
                    _excel(task.late_finish),
                    _number(task.total_float),
                    yes if task.critical else no,
                )
            )
            for name, value in zip(SCHEDULE_FIELDS, row, strict=True):
                values[name].append([value])
        if by_row:
            for name in SCHEDULE_FIELDS:
                target = sheet.range((layout.header_row + 1, columns[name] + 1), (last_row, columns[name] + 1))
                target.value = values[name]
                if cols[name].kind == "date":
                    target.number_format = "dd mmm yyyy"
        if result.cycles:
            raise HandlerError(
                f"{book.name} › {layout.name}: dependency loop "
                + " → ".join(result.cycles[0])
                + ": the other tasks were scheduled; fix the loop and run again."
            )


def _excel(value: Any) -> Any:
    return datetime.combine(value, datetime.min.time()) if isinstance(value, date) else None


def _number(value: Any) -> Any:
    return None if value is None or value != value else float(value)


def status_report(book: xw.Book | None = None) -> None:
    """Status report: a one-page status tab of the project (KPIs, RAG, milestones, risks, actions)."""
    from pmo_logic.consolidate import project_kpis
    from pmo_logic.models import PortfolioSettings
    from pmo_logic.status_report import status_lines

    book = _book(book)
    with message_on_error(book), quiet(book):
        workbook = read_open_project(book)
        kpis = project_kpis(workbook, PortfolioSettings())
        sheet = _replace_sheet(book, text("status_sheet", workbook.meta.language))
        sheet["A1"].value = excel_rows(status_lines(workbook, kpis))
        sheet["A1"].font.bold = True
        sheet["A1"].font.size = 14
        sheet["A:D"].autofit()


# --- portfolio workbook buttons -----------------------------------------------------------------


def _portfolio(book: xw.Book):
    portfolio = read_portfolio_cells(book.name, {s.name: sheet_cells(s) for s in book.sheets})
    errors = [p for p in portfolio.problems if p.severity == "error"]
    if errors:
        raise HandlerError("; ".join(str(p) for p in errors))
    configured = Path(portfolio.settings.project_folder or ".")
    base = Path(book.fullname).parent if os.path.isabs(book.fullname) else Path.cwd()
    folder = configured if configured.is_absolute() else base / configured
    if not folder.is_dir():
        raise HandlerError(f"{book.name} › Settings: the project folder {folder} does not exist")
    return portfolio, folder, base


def _consolidate(book: xw.Book, check=None):
    from pmo_logic.cache import ProjectCache, cache_enabled
    from pmo_logic.consolidate import consolidate as run

    portfolio, folder, base = _portfolio(book)
    if check is not None:  # the files it will write, checked before the work
        check(portfolio, folder, base)
    # One process: an add-in call must not fork Excel's Python (and xlwings Lite has no processes).
    # The cache in the analyst's own cache folder, as `pmo consolidate` keeps it (never in the shared
    # folder); PMO_XL_CACHE=off is the buttons' --no-cache.
    cache = ProjectCache.for_projects(folder) if cache_enabled() else None
    result = run(folder, portfolio, workers=1, cache=cache)
    return result, base


def _write_frame(book: xw.Book, name: str, frame: pd.DataFrame) -> None:
    sheet = _replace_sheet(book, name)
    shown = frame.copy()
    for column in shown.columns:
        if pd.api.types.is_datetime64_any_dtype(shown[column]):
            shown[column] = shown[column].dt.to_pydatetime()
    sheet["A1"].options(index=False).value = shown.astype(object).where(shown.notna(), None).map(excel_text)
    if len(frame.columns):
        sheet.range((1, 1), (1, len(frame.columns))).font.bold = True


def consolidate(book: xw.Book | None = None) -> None:
    """Consolidate: read the folder in Settings and write the roll-up tabs into this workbook."""
    book = _book(book)
    with message_on_error(book), quiet(book):
        result, _ = _consolidate(book)
        _write_frame(book, "Roll-up", result.projects)
        _write_frame(book, "Programmes", result.programmes)
        _write_frame(book, "Load problems", result.load_problems)
        book.app.alert(
            f"{result.stats['projects']} projects consolidated; {len(result.load_problems)} load problems.", title=TITLE
        )


PACK_SUMMARY = "Committee pack"
PACK_TABS = "Tabs"
"""The summary sheet's row listing the tabs the pack copied here (so the next run replaces only those)."""
PACK_IN_FILE = "(in the file above)"


def committee_pack(book: xw.Book | None = None) -> None:
    """Committee pack: the report tabs, rendered beside this workbook and copied into it.

    XlsxWriter renders the pack (charts, conditional formats, print setup) as a sibling file,
    and the committee deck (PowerPoint) beside it, as ``pmo report --pptx`` does;
    desktop Excel then copies the pack's tabs into this workbook. Engines that cannot copy sheets
    between books (xlwings' remote engine, xlwings Lite) keep the sibling file and a summary
    sheet linking to it.
    """
    from pmo_logic.report import build_view, write_committee_pack
    from pmo_logic.report.pptx import write_committee_deck
    from pmo_logic.snapshots import committee_history

    book = _book(book)
    inputs = Inputs(files={Path(book.fullname)})

    def check(portfolio, folder: Path, base: Path) -> None:
        # The same guard as `pmo report -o`: only an earlier committee pack is replaced, never an input.
        inputs.folders.append(folder)
        pack = base / _pack_name(portfolio.settings.status_date)
        check_outputs([Output(pack, "committee_pack"), Output(pack.with_suffix(".pptx"), "deck")], inputs)

    with message_on_error(book), quiet(book):
        result, base = _consolidate(book, check)
        name = _pack_name(result.status_date)  # the status date may come from the projects: checked again
        deck = (base / name).with_suffix(".pptx")
        check_outputs([Output(base / name, "committee_pack"), Output(deck, "deck")], inputs)
        # The same pack as `pmo report`: changes since the last committee, milestone trend.
        history = committee_history(base / "snapshots", result)
        rollup = base / "rollup.xlsx"  # written by `pmo consolidate`, when the team also runs it
        view = build_view(result, history)
        path = write_committee_pack(
            base / name,
            result,
            changes=history.changes,
            trend=history.trend,
            previous=history.previous_projects,
            earned=history.earned,
            rollup=rollup if rollup.exists() else None,
            view=view,
        )
        # The deck beside the pack, from the same view, through the same guard as `pmo report --pptx`.
        record_pending([deck], "deck")
        write_committee_deck(deck, view=view)
        record_written([deck], "deck")
        earlier = _copied_tabs(book)
        try:
            copied = _copy_tabs(book, path, earlier)
        except Exception:  # no cross-book copy here: the sibling file is the pack
            copied = []
        sheet = _replace_sheet(book, PACK_SUMMARY)
        total = result.total.iloc[0] if len(result.total) else None
        lines = [["Committee pack", ""], ["File", str(path)], ["Deck", str(deck)]]
        if total is not None:
            lines += [
                ["Projects", int(total["projects"])],
                ["SPI", total["spi"]],
                ["CPI", total["cpi"]],
                ["BAC", total["bac"]],
                ["EAC", total["eac"]],
            ]
        # Which tabs the pack put here, so the next run replaces those and no sheet of the user's.
        lines += [["", ""], [PACK_TABS, ", ".join(copied) if copied else PACK_IN_FILE]]
        sheet["A1"].value = excel_rows(lines)
        # Excel takes a '#' in a link's address for the start of a place in the file: such a
        # path goes as a file URI, percent-encoded.
        address = path.resolve().as_uri() if any(ch in str(path) for ch in "#%") else str(path)
        sheet["B2"].add_hyperlink(address, name)
        if not copied:
            with contextlib.suppress(Exception):  # desktop Excel opens it; other engines just link it
                xw.Book(str(path))


def _pack_name(when: date | None) -> str:
    return f"committee_pack_{when or date.today()}.xlsx"


def _copied_tabs(book: xw.Book) -> list[str]:
    """The tabs an earlier Committee pack copied into ``book`` (listed on its summary sheet)."""
    if PACK_SUMMARY not in [s.name for s in book.sheets]:
        return []
    for row in sheet_cells(book.sheets[PACK_SUMMARY]):
        if row and row[0] == PACK_TABS and len(row) > 1 and isinstance(row[1], str) and not row[1].startswith("("):
            return [name.strip() for name in row[1].split(",") if name.strip()]
    return []


def _copy_tabs(book: xw.Book, path: Path, earlier: list[str]) -> list[str]:
    """Copy every tab of the workbook at ``path`` to the end of ``book`` (same Excel instance)."""
    pack = book.app.books.open(str(path))
    try:
        present = [s.name for s in book.sheets]
        for name in earlier:
            if name in present:
                book.sheets[name].delete()
        copies: list[xw.Sheet] = []
        try:
            for sheet in list(pack.sheets):
                copies.append(sheet.copy(after=book.sheets[-1]))
        except Exception:
            for copy in copies:  # no half pack left behind
                copy.delete()
            raise
        # Excel renames a copy whose name is taken ("Budget (2)"): record the names it got.
        return [copy.name for copy in copies]
    finally:
        pack.close()


def snapshot(book: xw.Book | None = None) -> None:
    """Snapshot: store today's roll-up for the 'what changed' of the next committee."""
    from pmo_logic.snapshots import save_snapshot

    book = _book(book)
    with message_on_error(book), quiet(book):
        result, base = _consolidate(book)
        path = save_snapshot(result, base / "snapshots")
        book.app.alert(f"Snapshot saved: {path}", title=TITLE)


def export_pdf(book: xw.Book | None = None) -> None:
    """Export PDF: the workbook as a PDF beside it (Excel desktop)."""
    book = _book(book)
    with message_on_error(book):
        target = Path(book.fullname).with_suffix(".pdf")
        # Replaces only a PDF this button or `pmo report --pdf` wrote there, unchanged since.
        check_outputs([Output(target, "pdf")], Inputs(files={Path(book.fullname)}))
        try:
            book.to_pdf(str(target))
        except NotImplementedError as exc:
            raise HandlerError("Export PDF needs Excel on Windows or macOS; or run: pmo report --pdf") from exc
        record_written([target], "pdf")
        book.app.alert(f"PDF written: {target}", title=TITLE)
