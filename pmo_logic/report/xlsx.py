"""The committee pack as an Excel workbook, drawn with XlsxWriter from the committee view.

`render_committee_pack` draws the tabs into an XlsxWriter workbook it is given (the add-in's
Report button renders into a temporary file the same way); `write_committee_pack` is the
file handling around it: a new workbook, written atomically, never over a user's workbook.
Each tab is one module (`executive_summary`, `portfolio_status`, ...) that draws its part of
the `CommitteeView` with the helpers of `XlsxPack`, and computes nothing.

Print: A4 landscape at 100 % (one body type size on every tab: columns are laid out to fit
the page's width), explicit heights for rows of wrapped text (LibreOffice does not grow a
row when it prints), table headers repeated on every page, and every table that could run
over a page begins on its own page.

Text from project workbooks is written with ``write_string`` only, so it never becomes a
formula whatever the workbook's ``strings_to_formulas`` option; chart titles and series names
that carry such text point at a cell holding it, because XlsxWriter reads a name that looks
like ``=...`` or ``Sheet!A1`` as a reference; links to the roll-up are percent-encoded
(`literal.file_link`), so a file named ``R&D #1 50%.xlsx`` still opens.
"""

from __future__ import annotations

import math
import os
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pandas as pd
import xlsxwriter
from xlsxwriter.worksheet import Worksheet

from pmo_logic import styles
from pmo_logic.consolidate import Portfolio
from pmo_logic.files import atomic_output
from pmo_logic.i18n import short_date
from pmo_logic.kpis import NO_DATA
from pmo_logic.literal import file_link, sheet_location
from pmo_logic.report.text_width import wrapped_lines
from pmo_logic.report.view import CURVE_COLUMNS, CommitteeView, build_view

CHART_DATA_COL = 20
"""Where chart data starts: right of what prints."""
TABS = (
    "summary",
    "status",
    "heatmap",
    "timeline",
    "risks",
    "budget",
    "actions",
    "interfaces",
    "quality",
    "what_changed",
    "glossary",
)
MODULES = {
    "summary": "executive_summary",
    "status": "portfolio_status",
    "heatmap": "rag_heatmap",
    "timeline": "milestone_timeline",
    "risks": "risk_matrix",
    "budget": "budget",
    "actions": "actions_decisions",
    "interfaces": "interfaces",
    "quality": "data_quality",
    "what_changed": "what_changed",
    "glossary": "glossary",
}
PAGE_ROWS = 36
"""Body rows of 13.5 pt an A4 landscape page holds under the title block."""
PAGE_HEIGHT = 600.0
"""Points of rows (at 100 %) a page holds from its first row, a little less than LibreOffice
prints on A4 landscape fitted to the tabs' width (about 630: 11 pt a 13.5 pt row in the PDF),
so the pack's own page breaks come before LibreOffice's."""
DEFAULT_ROW_HEIGHT = 15.0
"""XlsxWriter's default row height, for rows given none."""

__all__ = ["CURVE_COLUMNS", "TABS", "Column", "XlsxPack", "render_committee_pack", "write_committee_pack"]


def write_committee_pack(
    path: str | os.PathLike[str],
    portfolio: Portfolio,
    *,
    changes: pd.DataFrame | None = None,
    trend: pd.DataFrame | None = None,
    previous: pd.DataFrame | None = None,
    earned: pd.DataFrame | None = None,
    rollup: str | os.PathLike[str] | None = None,
    generated: datetime | None = None,
    overwrite: bool = True,
    view: CommitteeView | None = None,
) -> Path:
    """Write the committee pack as a new workbook at ``path``.

    ``changes`` (from `snapshots.changes`), ``trend`` (`snapshots.milestone_trend`) and
    ``previous`` (the previous snapshot's projects table, for trend arrows) and ``earned``
    (`snapshots.earned_value_history`, the S-curves' EV at earlier committees) are optional;
    ``rollup`` is the roll-up workbook the project names link to. ``view``, when given, is
    drawn as it is (the deck and the workbook then share one view).
    """
    target = Path(path)
    link = None
    if rollup is not None:
        try:
            link = os.path.relpath(Path(rollup).resolve(), target.parent.resolve())
        except ValueError:
            link = str(Path(rollup).resolve())
    with atomic_output(target, overwrite=overwrite) as tmp:
        book = xlsxwriter.Workbook(str(tmp), {"strings_to_formulas": False, "strings_to_urls": False})
        # What a later run checks before replacing this file (`reader.workbook_kind`).
        book.set_custom_property("pmo_kind", "committee_pack")
        render_committee_pack(
            book,
            portfolio,
            changes=changes,
            trend=trend,
            previous=previous,
            earned=earned,
            rollup_link=link,
            generated=generated,
            view=view,
        )
        book.close()
    return target


def render_committee_pack(
    book: xlsxwriter.Workbook,
    portfolio: Portfolio,
    *,
    changes: pd.DataFrame | None = None,
    trend: pd.DataFrame | None = None,
    previous: pd.DataFrame | None = None,
    earned: pd.DataFrame | None = None,
    rollup_link: str | None = None,
    generated: datetime | None = None,
    view: CommitteeView | None = None,
) -> None:
    """Add the pack's tabs to ``book``."""
    import importlib

    if view is None:
        view = build_view(portfolio, changes=changes, trend=trend, previous=previous, earned=earned,
                          generated=generated)  # fmt: skip
    pack = XlsxPack(book, portfolio, view, rollup_link)
    for key in TABS:
        importlib.import_module(f"pmo_logic.report.{MODULES[key]}").render(pack)


@dataclass
class Column:
    """One column of a pack table: its header, the sheet columns it spans, the kind of its values."""

    header: str
    first: int
    last: int | None = None
    kind: str = "text"
    """text, wrap, bold, money, signed_money (money_m, signed_money_m: in millions), ratio, percent,
    plain_percent, int, date, rag, code."""

    @property
    def span(self) -> tuple[int, int]:
        return self.first, self.first if self.last is None else self.last


class XlsxPack:
    """The workbook being drawn, the view it draws, and the helpers every tab uses."""

    def __init__(self, book: xlsxwriter.Workbook, portfolio: Portfolio, view: CommitteeView, rollup_link: str | None):
        self.book, self.p, self.view = book, portfolio, view
        self.lang = view.lang
        self.rollup_link = rollup_link
        self.widths: dict[str, list[float]] = {}
        self.numbers = styles.pack_formats(self.lang, view.currency)
        # Amounts in millions, for tables whose largest amounts (billions) would not fit in units.
        for kind in ("money", "signed_money"):
            self.numbers[f"{kind}_m"] = _in_millions(self.numbers[kind], self.lang)
        self._extra: dict[tuple, Any] = {}
        self._heights: dict[tuple[str, int], float] = {}
        self._rollup_rows: dict[Any, int] | None = None
        self._breaks: dict[str, list[int]] = {}
        self._headings: set[tuple[str, int]] = set()
        self._titled: set[str] = set()
        """Tabs whose print titles (rows repeated on every page) are taken by a table."""
        self._one_page: set[str] = set()
        self.f = self._formats()

    def t(self, key: str) -> str:
        return self.view.t(key)

    def code(self, value: Any) -> str:
        return self.view.code(value)

    def colon(self, text: str) -> str:
        """``text:`` in English, ``text :`` (non-breaking space) in French."""
        return f"{text}\u00a0:" if self.lang == "fr" else f"{text}:"

    def day(self, value: Any) -> str:
        """A date as words for a sentence: 20 Nov 2026 / 20 nov. 2026."""
        if value is None or pd.isna(value):
            return "-"
        return short_date(pd.Timestamp(value).date(), self.lang)

    # formats ---------------------------------------------------------------------------

    def fmt(self, **props: Any) -> Any:
        key = tuple(sorted(props.items()))
        if key not in self._extra:
            base = {"font_name": styles.FONT, "font_size": styles.PACK_FONT_SIZE, "valign": "vcenter"}
            self._extra[key] = self.book.add_format({**base, **props})
        return self._extra[key]

    def _formats(self) -> dict[str, Any]:
        cell = {"border": 1, "border_color": styles.BORDER}
        n = self.numbers
        formats = {
            "title": self.fmt(bold=True, font_size=16, font_color=styles.NAVY),
            "subtitle": self.fmt(italic=True, font_color="#404040"),
            "note": self.fmt(italic=True, font_color="#404040", text_wrap=True, valign="top"),
            "h2": self.fmt(bold=True, font_size=11, font_color=styles.NAVY, bottom=2, bottom_color=styles.NAVY),
            "head": self.fmt(
                bold=True,
                font_color="#FFFFFF",
                bg_color=styles.NAVY,
                text_wrap=True,
                border=1,
                border_color=styles.NAVY,
            ),
            "text": self.fmt(**cell),
            "wrap": self.fmt(text_wrap=True, **cell),
            "bold": self.fmt(bold=True, **cell),
            "group": self.fmt(bold=True, bg_color=styles.KEY_FILL, **cell),
            "total": self.fmt(bold=True, bg_color="#D9D9D9", top=2, **{**cell, "border": 1}),
            "left_out": self.fmt(italic=True, font_color="#595959", bg_color="#EDEDED", **cell),
            "link": self.fmt(font_color="#0563C1", underline=1, **cell),
            "code": self.fmt(**cell),
            "center": self.fmt(align="center", **cell),
            "tile_label": self.fmt(
                bold=True,
                font_color="#404040",
                align="center",
                text_wrap=True,
                top=1,
                left=1,
                right=1,
                border_color=styles.BORDER,
            ),
            "tile_note": self.fmt(
                font_color="#404040", align="center", bottom=1, left=1, right=1, border_color=styles.BORDER
            ),
        }
        for kind in ("money", "signed_money", "money_m", "signed_money_m", "ratio", "percent", "plain_percent",
                     "int", "date"):  # fmt: skip
            formats[kind] = self.fmt(num_format=n[kind], **cell, **({"align": "center"} if kind == "int" else {}))
            for group, extra in (("group", {"bold": True, "bg_color": styles.KEY_FILL}),
                                 ("total", {"bold": True, "bg_color": "#D9D9D9", "top": 2})):  # fmt: skip
                formats[f"{group}_{kind}"] = self.fmt(num_format=n[kind], **cell, **extra)
        for code in ("green", "amber", "red"):
            formats["rag_" + code] = self.fmt(bg_color=styles.RAG_FILL[code], font_color=styles.RAG_FONT[code],
                                              bold=True, align="center", border=1, border_color="#FFFFFF")  # fmt: skip
            for kind in ("money", "signed_money", "money_m", "signed_money_m", "ratio", "percent"):
                formats[f"{kind}_{code}"] = self.fmt(num_format=n[kind], bg_color=styles.RAG_TEXT_FILL[code],
                                                     font_color=styles.RAG_TEXT_FONT[code], **cell)  # fmt: skip
        formats["rag_no_data"] = self.fmt(bg_color=styles.NO_DATA_FILL, font_color=styles.NO_DATA_FONT, italic=True,
                                          align="center", border=1, border_color="#FFFFFF")  # fmt: skip
        return formats

    # sheets ------------------------------------------------------------------------------

    def sheet(self, key: str, widths: Sequence[float], *, fit_page: bool = False) -> Worksheet:
        """A tab: its title block (title, status date, generated) and A4 landscape print setup."""
        v = self.view
        ws = self.book.add_worksheet(self.t(key)[:31])
        widths = list(widths)
        # Every tab is as wide as the page at one scale: fit to one page wide then shrinks each
        # by the same factor, so the body prints at one type size on every tab.
        rest = styles.PACK_PRINT_WIDTH - sum(widths)
        if rest > 0.5:
            widths.append(rest)
        self.widths[ws.get_name()] = widths
        for c, width in enumerate(widths):
            ws.set_column(c, c, width)
        ws.write_string(0, 0, f"{self.t(key)} — {v.portfolio_name}", self.f["title"])
        ws.write_string(
            1,
            0,
            f"{self.colon(self.t('status_date'))} {self.day(v.status_date)}    "
            f"{self.colon(self.t('generated'))} {self.day(v.generated)} {v.generated:%H:%M}",
            self.f["subtitle"],
        )
        self.set_height(ws, 0, 24)
        if fit_page:
            self._one_page.add(ws.get_name())
        ws.set_landscape()
        ws.set_paper(9)
        # The executive summary is also held to one page.
        ws.fit_to_pages(1, 1 if fit_page else 0)
        ws.set_margins(left=0.4, right=0.4, top=0.5, bottom=0.6)
        # In a header or footer '&' starts a code (&P, &N...): the portfolio's own '&' is doubled.
        footer_name = v.portfolio_name.replace("&", "&&")
        ws.set_footer(f"&L{footer_name}&C&P / &N&R{self.t('generated')} {self.day(v.generated)} {v.generated:%H:%M}")
        ws.hide_gridlines(2)
        ws.freeze_panes(3, 0)
        return ws

    # cells -------------------------------------------------------------------------------

    def rag(self, ws: Worksheet, row: int, col: int, value: Any, last: int | None = None) -> None:
        if value in ("green", "amber", "red"):
            fmt = self.f["rag_" + value]
        elif value == NO_DATA:  # a dimension without data is grey, never green
            fmt = self.f["rag_no_data"]
        else:
            fmt = self.f["text"]
        text = self.code(value) if value in ("green", "amber", "red", NO_DATA) else ""
        if last is not None and last > col:
            ws.merge_range(row, col, row, last, "", fmt)
        ws.write_string(row, col, text, fmt)

    def value(self, ws: Worksheet, row: int, col: int, value: Any, kind: str = "text", *,
              last: int | None = None, style: str | None = None, rag: str | None = None) -> None:  # fmt: skip
        """One value, typed: numbers as numbers, dates as dates, codes in words, text as text."""
        if kind == "rag":
            self.rag(ws, row, col, value, last)
            return
        key = kind if kind not in ("code", "link") else "text"
        if style:
            key = f"{style}_{key}" if f"{style}_{key}" in self.f else style
        if rag in ("green", "amber", "red") and f"{kind}_{rag}" in self.f:
            key = f"{kind}_{rag}"
        fmt = self.f.get(key, self.f["text"])
        if last is not None and last > col:
            ws.merge_range(row, col, row, last, "", fmt)
        if value is None or value is pd.NaT or (isinstance(value, float) and math.isnan(value)):
            ws.write_blank(row, col, None, fmt)
        elif kind == "date":
            ws.write_datetime(row, col, pd.Timestamp(value).to_pydatetime(), fmt)
        elif kind in ("money", "signed_money", "money_m", "signed_money_m", "ratio", "percent", "plain_percent",
                      "int"):  # fmt: skip
            ws.write_number(row, col, float(value), fmt)
        elif kind == "code":
            ws.write_string(row, col, self.code(value), fmt)
        else:
            ws.write_string(row, col, str(value), fmt)

    def finish(self, ws: Worksheet, last_row: int) -> None:
        """The print area: every column of the tab (its full width) down to ``last_row``."""
        ws.print_area(0, 0, max(last_row, 3), len(self.widths[ws.get_name()]) - 1)

    def width(self, ws: Worksheet, first: int, last: int) -> float:
        widths = self.widths[ws.get_name()]
        return sum(widths[first : last + 1]) if widths else 10.0

    def lines(self, ws: Worksheet, text: Any, first: int, last: int) -> int:
        """How many lines ``text`` takes in the columns ``first``..``last`` (wrapped at words)."""
        if text is None or (isinstance(text, float) and math.isnan(text)):
            return 1
        # Measured with the printed font's widths: a count of characters took "Retard sur la
        # réalisation, plan de rattrapage" for two lines where LibreOffice prints three.
        return wrapped_lines(str(text), self.width(ws, first, last), styles.PACK_FONT_SIZE)

    def fitted(self, ws: Worksheet, text: Any, first: int, last: int, max_lines: int) -> Any:
        """``text`` cut at a word with "…" so that it prints in ``max_lines`` lines, if it is longer:
        a row's height holds that many lines and LibreOffice would otherwise print the rest over
        the row below or clip it mid-line."""
        if not isinstance(text, str) or self.lines(ws, text, first, last) <= max_lines:
            return text
        words = text.split()
        while len(words) > 1 and self.lines(ws, " ".join(words) + " …", first, last) > max_lines:
            words.pop()
        return " ".join(words) + " …"

    def height(self, lines: int) -> float:
        return styles.PACK_LINE_HEIGHT * max(lines, 1) + 3

    def set_height(self, ws: Worksheet, row: int, height: float) -> None:
        """A row's height: the tallest asked for, as tables side by side share their rows."""
        key = (ws.get_name(), row)
        height = max(height, self._heights.get(key, 0))
        self._heights[key] = height
        ws.set_row(row, height)

    def row_height(self, ws: Worksheet, row: int) -> float:
        return self._heights.get((ws.get_name(), row), DEFAULT_ROW_HEIGHT)

    def page_break(self, ws: Worksheet, row: int) -> None:
        """A page break before ``row`` (XlsxWriter keeps one list per tab: the pack adds to it)."""
        breaks = self._breaks.setdefault(ws.get_name(), [])
        if row not in breaks:
            breaks.append(row)
        ws.set_h_pagebreaks(sorted(breaks))

    def page_top(self, ws: Worksheet, row: int) -> int:
        """The first row of the page ``row`` prints on, as far as the pack's own breaks say."""
        return max((b for b in self._breaks.get(ws.get_name(), []) if b <= row), default=0)

    def heading(self, ws: Worksheet, row: int, col: int, text: str, last: int | None = None) -> None:
        self._headings.add((ws.get_name(), row))
        if last is not None and last > col:
            ws.merge_range(row, col, row, last, "", self.f["h2"])
        ws.write_string(row, col, text, self.f["h2"])

    def table(self, ws: Worksheet, row: int, columns: Sequence[Column], rows: Sequence[Sequence[Any]], *,
              styles_: Sequence[str | None] | None = None, rags: Sequence[Sequence[str | None]] | None = None,
              empty: str | None = None, repeat: bool = False, max_lines: int = 4) -> int:  # fmt: skip
        """A table: a header on every column, typed values, explicit heights for wrapped text.

        Returns the row after it (a blank row in between). A table never continues on a page
        without its header: one that does not fit under what is above it starts on a new page
        (with its heading); one longer than a page has its header repeated on every page, as the
        tab's print titles when ``repeat`` asks for them and no other table took them, else as a
        copy of the header row at each of the pack's own page breaks.
        """
        name = ws.get_name()
        header_lines = max(self.lines(ws, c.header, *c.span) for c in columns)
        header_height = self.height(header_lines)
        rows = [[self.fitted(ws, v, *c.span, max_lines) if c.kind == "wrap" else v
                 for c, v in zip(columns, values, strict=True)] for values in rows]  # fmt: skip
        tall = [max([1] + [min(self.lines(ws, v, *c.span), max_lines) for c, v in zip(columns, values, strict=True)
                           if c.kind == "wrap"]) for values in rows]  # fmt: skip
        heights = [self.height(n) if n > 1 else DEFAULT_ROW_HEIGHT for n in tall]
        paged = name not in self._one_page
        if paged:
            start = row - 1 if (name, row - 1) in self._headings else row
            top = self.page_top(ws, start)
            above = sum(self.row_height(ws, r) for r in range(top, start))
            own = sum(self.row_height(ws, r) for r in range(start, row)) + header_height + sum(heights)
            # A table that fits on a page of its own starts on one rather than be cut in two (one
            # right under the title block has nothing to gain from it).
            if start > top + 3 and above + own > PAGE_HEIGHT and own <= PAGE_HEIGHT:
                self.page_break(ws, start)
        titled = repeat and name not in self._titled
        self._write_header(ws, row, columns, header_height)
        if titled:
            ws.repeat_rows(row)
            self._titled.add(name)
        if not rows:
            ws.write_string(row + 1, columns[0].first, empty or self.t("none"), self.f["subtitle"])
            return row + 3
        header_row, r = row, row
        used = sum(self.row_height(ws, x) for x in range(self.page_top(ws, row), row + 1)) if paged else 0.0
        for k, values in enumerate(rows):
            r += 1
            if paged and used + heights[k] > PAGE_HEIGHT and r - 1 > header_row:
                self.page_break(ws, r)
                if titled:  # LibreOffice and Excel print the header above the rows of the new page
                    used = header_height
                else:  # the header again, as the page's first row
                    self._write_header(ws, r, columns, header_height)
                    r, used = r + 1, header_height
            used += heights[k]
            style = styles_[k] if styles_ else None
            for n, (c, value) in enumerate(zip(columns, values, strict=True)):
                first, last = c.span
                if c.kind == "wrap":
                    self.value(ws, r, first, value, "text", last=last, style=style or "wrap")
                    continue
                rag = rags[k][n] if rags else None
                self.value(ws, r, first, value, c.kind, last=last, style=style, rag=rag)
            if tall[k] > 1:
                self.set_height(ws, r, heights[k])
        return r + 2

    def _write_header(self, ws: Worksheet, row: int, columns: Sequence[Column], height: float) -> None:
        for c in columns:
            first, last = c.span
            if last > first:
                ws.merge_range(row, first, row, last, "", self.f["head"])
            ws.write_string(row, first, c.header, self.f["head"])
        self.set_height(ws, row, height)

    def project_link(self, ws: Worksheet, row: int, col: int, project_id: str, last: int | None = None) -> None:
        """A project ID that opens its row of the roll-up (when there is one)."""
        if last is not None and last > col:
            ws.merge_range(row, col, row, last, "", self.f["bold"])
        if self.rollup_link is None:
            ws.write_string(row, col, project_id, self.f["bold"])
            return
        if self._rollup_rows is None:  # looked up once, not by a scan of the projects per link
            self._rollup_rows = {}
            for key, index in zip(self.p.projects["project_id"], self.p.projects.index, strict=True):
                self._rollup_rows.setdefault(key, int(index))
        index = self._rollup_rows.get(project_id)
        target = sheet_location("Projects", f"A{index + 2}" if index is not None else "A1")
        ws.write_url(row, col, file_link(self.rollup_link, target), self.f["link"], project_id)

    def chart_text(self, ws: Worksheet, row: int, col: int, text: str, cell_format: Any = None) -> list:
        """Write ``text`` in a cell and return the reference a chart title or series name takes.

        XlsxWriter reads a name such as ``=A1`` or ``X!A1`` as a reference: a name taken from
        project data (a project ID, a programme) points at a cell holding it as text instead.
        """
        ws.write_string(row, col, text, cell_format)
        return [ws.get_name(), row, col]


def _in_millions(number_format: str, lang: str) -> str:
    """``number_format`` (units, every section) in millions with one decimal: 1,234.6M / 1 234,6 M."""
    unit = '"\u00a0M"' if lang == "fr" else '"M"'
    return number_format.replace("#,##0", f"#,##0.0,,{unit}")


def _is_date(value: Any) -> bool:
    return isinstance(value, (date, datetime, pd.Timestamp))
