"""The committee pack: formatted tabs an executive reads in five minutes, rendered with XlsxWriter.

`render_committee_pack` draws the tabs into an XlsxWriter workbook it is given (the add-in's
Report button renders into a temporary file the same way); `write_committee_pack` is the
file handling around it: a new workbook, written atomically, never over a user's workbook.

Text from project workbooks is written with ``write_string`` only, so it never becomes a
formula whatever the workbook's ``strings_to_formulas`` option; chart titles and series names
that carry such text point at a cell holding it, because XlsxWriter reads a name that looks
like ``=...`` or ``Sheet!A1`` as a reference; links to the roll-up are percent-encoded
(`literal.file_link`), so a file named ``R&D #1 50%.xlsx`` still opens.

>>> write_committee_pack("committee_pack.xlsx", portfolio)  # doctest: +SKIP
"""

from __future__ import annotations

import math
import os
from collections.abc import Sequence
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import pandas as pd
import xlsxwriter
from xlsxwriter.utility import xl_rowcol_to_cell
from xlsxwriter.worksheet import Worksheet

from pmo_logic import styles
from pmo_logic.consolidate import Portfolio
from pmo_logic.files import atomic_output
from pmo_logic.kpis import NO_DATA, planned_fraction, risk_emv, risk_level, risk_states
from pmo_logic.literal import file_link, sheet_location
from pmo_logic.report.labels import label
from pmo_logic.sheets import PROJECT_KIND
from pmo_logic.sheets import sheet as sheet_schema

TOP = 5
TIMELINE_ROWS = 120
TIMELINE_MONTHS = 15
CHART_DATA_COL = 20
"""Where chart data starts: right of what prints."""
CURVE_COLUMNS = ("date", "pv", "ac", "ev", "bac", "eac")
"""An S-curve's data columns, as the pack writes them (a date, then one column per series)."""
PROGRAMME_CURVES_ROW = 27
TABS = ("summary", "status", "heatmap", "timeline", "risks", "budget", "actions", "interfaces", "quality")


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
) -> Path:
    """Write the committee pack as a new workbook at ``path``.

    ``changes`` (from `snapshots.changes`), ``trend`` (`snapshots.milestone_trend`) and
    ``previous`` (the previous snapshot's projects table, for trend arrows) and ``earned``
    (`snapshots.earned_value_history`, the S-curves' EV at earlier committees) are optional;
    ``rollup`` is the roll-up workbook the project names link to.
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
        )
        book.close()
    return target


def render_committee_pack(book: xlsxwriter.Workbook, portfolio: Portfolio, **options: Any) -> None:
    """Add the pack's tabs to ``book``."""
    _Pack(book, portfolio, **options).render()


class _Pack:
    def __init__(
        self,
        book: xlsxwriter.Workbook,
        portfolio: Portfolio,
        *,
        changes: pd.DataFrame | None = None,
        trend: pd.DataFrame | None = None,
        previous: pd.DataFrame | None = None,
        earned: pd.DataFrame | None = None,
        rollup_link: str | None = None,
        generated: datetime | None = None,
    ) -> None:
        self.book, self.p = book, portfolio
        self.lang = portfolio.settings.language or "en"
        self.changes, self.trend, self.previous, self.earned = changes, trend, previous, earned
        self.rollup_link = rollup_link
        self.generated = generated or datetime.now()
        self.status = pd.Timestamp(portfolio.status_date) if portfolio.status_date else None
        self.f = self._formats()

    def t(self, key: str) -> str:
        return label(key, self.lang)

    # formats ---------------------------------------------------------------------------

    def _formats(self) -> dict[str, Any]:
        base = {"font_name": styles.FONT, "font_size": styles.FONT_SIZE, "valign": "vcenter"}

        def fmt(**props: Any) -> Any:
            return self.book.add_format({**base, **props})

        formats = {
            "title": fmt(bold=True, font_size=18, font_color=styles.NAVY),
            "subtitle": fmt(italic=True, font_color="#595959"),
            "h2": fmt(bold=True, font_size=12, font_color=styles.NAVY, bottom=2, bottom_color=styles.NAVY),
            "head": fmt(
                bold=True,
                font_color="#FFFFFF",
                bg_color=styles.NAVY,
                text_wrap=True,
                border=1,
                border_color=styles.NAVY,
            ),
            "text": fmt(border=1, border_color=styles.BORDER),
            "bold": fmt(bold=True, border=1, border_color=styles.BORDER),
            "group": fmt(bold=True, bg_color=styles.KEY_FILL, border=1, border_color=styles.BORDER),
            "money": fmt(num_format="#,##0", border=1, border_color=styles.BORDER),
            "ratio": fmt(num_format="0.00", border=1, border_color=styles.BORDER),
            "int": fmt(num_format="0", border=1, border_color=styles.BORDER, align="center"),
            "date": fmt(num_format=styles.number_format("date", self.lang), border=1, border_color=styles.BORDER),
            "tile_label": fmt(
                bold=True, font_color="#595959", align="center", top=1, left=1, right=1, border_color=styles.BORDER
            ),
            "tile_money": fmt(
                bold=True,
                font_size=16,
                num_format="#,##0",
                align="center",
                bottom=1,
                left=1,
                right=1,
                border_color=styles.BORDER,
            ),
            "tile_ratio": fmt(
                bold=True,
                font_size=16,
                num_format="0.00",
                align="center",
                bottom=1,
                left=1,
                right=1,
                border_color=styles.BORDER,
            ),
            "link": fmt(font_color="#0563C1", underline=1, border=1, border_color=styles.BORDER),
            "month": fmt(
                bold=True, font_color="#FFFFFF", bg_color=styles.NAVY, num_format="mmm yy", align="center", font_size=8
            ),
            "marker": fmt(align="center", border=1, border_color="#E7E6E6", font_size=9),
            "cell": fmt(align="center", bold=True, border=1, border_color="#FFFFFF", font_size=12),
        }
        for code in ("green", "amber", "red"):
            formats["rag_" + code] = fmt(
                bg_color=styles.RAG_FILL[code],
                font_color=styles.RAG_FONT[code],
                bold=True,
                align="center",
                border=1,
                border_color="#FFFFFF",
            )
        formats["rag_no_data"] = fmt(
            bg_color=styles.NO_DATA_FILL,
            font_color=styles.NO_DATA_FONT,
            italic=True,
            align="center",
            border=1,
            border_color="#FFFFFF",
        )
        for level in ("low", "medium", "high", "critical"):
            formats["level_" + level] = fmt(
                bg_color=styles.LEVEL_FILL[level],
                font_color=styles.LEVEL_FONT[level],
                align="center",
                bold=True,
                border=1,
                border_color="#FFFFFF",
                font_size=12,
            )
        return formats

    # common ----------------------------------------------------------------------------

    def sheet(self, key: str, widths: Sequence[float]) -> Worksheet:
        ws = self.book.add_worksheet(self.t(key)[:31])
        for c, width in enumerate(widths):
            ws.set_column(c, c, width)
        name = self.p.settings.portfolio_name or "Portfolio"
        ws.write_string(0, 0, f"{self.t(key)} — {name}", self.f["title"])
        when = self.p.status_date.isoformat() if self.p.status_date else "-"
        ws.write_string(
            1,
            0,
            f"{self.t('status_date')}: {when}    {self.t('generated')}: {self.generated:%Y-%m-%d %H:%M}",
            self.f["subtitle"],
        )
        ws.set_row(0, 26)
        ws.set_landscape()
        ws.set_paper(9)
        ws.fit_to_pages(1, 0)
        ws.set_margins(left=0.4, right=0.4, top=0.6, bottom=0.6)
        # In a header or footer '&' starts a code (&P, &N...): the portfolio's own '&' is doubled.
        footer_name = name.replace("&", "&&")
        ws.set_footer(f"&L{footer_name}&C&P / &N&R{self.t('generated')} {self.generated:%Y-%m-%d %H:%M}")
        ws.hide_gridlines(2)
        ws.freeze_panes(3, 0)  # the title block stays in view; tabs with a table freeze under its header
        return ws

    def rag(self, ws: Worksheet, row: int, col: int, value: Any) -> None:
        if value in ("green", "amber", "red"):
            ws.write_string(row, col, self.t(value), self.f["rag_" + value])
        elif value == NO_DATA:  # a dimension without data is grey, never green
            ws.write_string(row, col, self.t("no_data"), self.f["rag_no_data"])
        else:
            ws.write_blank(row, col, None, self.f["text"])

    def value(self, ws: Worksheet, row: int, col: int, value: Any, kind: str = "text") -> None:
        if value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NaT:
            ws.write_blank(row, col, None, self.f["text"])
        elif kind == "date":
            ws.write_datetime(row, col, pd.Timestamp(value).to_pydatetime(), self.f["date"])
        elif kind in ("money", "ratio", "int"):
            ws.write_number(row, col, float(value), self.f[kind])
        else:
            ws.write_string(row, col, str(value), self.f["text"])

    def table(
        self, ws: Worksheet, row: int, headers: Sequence[str], rows: Sequence[Sequence[Any]], kinds: Sequence[str]
    ) -> int:
        """A plain formatted table; returns the row after it."""
        for c, head in enumerate(headers):
            ws.write_string(row, c, head, self.f["head"])
        ws.set_row(row, 28)
        if not rows:
            ws.write_string(row + 1, 0, self.t("none"), self.f["subtitle"])
            return row + 3
        for r, values in enumerate(rows, start=row + 1):
            for c, (value, kind) in enumerate(zip(values, kinds, strict=True)):
                self.value(ws, r, c, value, kind)
        return row + len(rows) + 2

    def project_link(self, ws: Worksheet, row: int, col: int, project_id: str) -> None:
        if self.rollup_link is None:
            ws.write_string(row, col, project_id, self.f["bold"])
            return
        index = self.p.projects.index[self.p.projects["project_id"] == project_id]
        target = sheet_location("Projects", f"A{int(index[0]) + 2}" if len(index) else "A1")
        ws.write_url(row, col, file_link(self.rollup_link, target), self.f["link"], project_id)

    def chart_text(self, ws: Worksheet, row: int, col: int, text: str, cell_format: Any = None) -> list:
        """Write ``text`` in a cell and return the reference a chart title or series name takes.

        XlsxWriter reads a name such as ``=A1`` or ``X!A1`` as a reference: a name taken from
        project data (a project ID, a programme) points at a cell holding it as text instead.
        """
        ws.write_string(row, col, text, cell_format)
        return [ws.get_name(), row, col]

    def tiles(self, ws: Worksheet, row: int, col: int, tiles: Sequence[tuple[str, Any, str]]) -> None:
        """Headline figures: a label over a big number ("-" when undefined), one per column."""
        for c, (name, value, kind) in enumerate(tiles, start=col):
            ws.write_string(row, c, name, self.f["tile_label"])
            if value is None or (isinstance(value, float) and math.isnan(value)):
                ws.write_string(row + 1, c, "-", self.f["tile_ratio"])
            else:
                ws.write_number(row + 1, c, float(value), self.f["tile_" + kind])
        ws.set_row(row + 1, 30)

    def coverage_sentence(self) -> str:
        """ "12 of 14 registered projects consolidated; CP-005 unreadable, CP-006 missing"."""
        cover = self.p.coverage()
        if cover["registered"]:
            text = self.t("coverage").format(n=cover["registered_consolidated"], m=cover["registered"])
        else:
            text = self.t("coverage_unregistered").format(n=cover["consolidated"])
        left_out = [f"{project_id} {self.t(reason)}" for project_id, reason in cover["left_out"]]
        if left_out:
            text += "; " + ", ".join(left_out)
        extra = cover["consolidated"] - cover["registered_consolidated"]
        if cover["registered"] and extra:
            text += "; " + self.t("not_registered").format(n=extra)
        return text

    # tabs --------------------------------------------------------------------------------

    def render(self) -> None:
        for key in TABS:
            getattr(self, "tab_" + key)()

    def tab_summary(self) -> None:
        ws = self.sheet("summary", (14, 52, 14, 18, 14, 14, 14, 14))
        total = self.p.total.iloc[0] if len(self.p.total) else pd.Series(dtype=object)
        projects = self.p.projects
        spi_t = None
        if len(projects) and "spi_t" in projects and projects["spi_t"].notna().any():
            known = projects[projects["spi_t"].notna()]
            spi_t = float((known["spi_t"] * known["bac"]).sum() / known["bac"].sum()) if known["bac"].sum() else None
        tiles = [
            ("BAC", total.get("bac"), "money"),
            (self.t("approved_budget"), total.get("approved_budget"), "money"),
            ("EAC", total.get("eac"), "money"),
            ("SPI", total.get("spi"), "ratio"),
            ("CPI", total.get("cpi"), "ratio"),
            ("SPI(t)", spi_t, "ratio"),
        ]
        ws.write_string(2, 0, self.coverage_sentence(), self.f["subtitle"])
        self.tiles(ws, 3, 1, tiles)
        row = 6
        ws.write_string(row, 0, self.t("by_rag"), self.f["h2"])
        row += 1
        for c, code in enumerate(("green", "amber", "red", NO_DATA), start=1):
            self.rag(ws, row, c, code)
            count = int((projects["rag_overall"] == code).sum()) if len(projects) else 0
            ws.write_number(row + 1, c, count, self.f["int"])
        row += 3
        ws.write_string(row, 0, self.t("decisions_needed"), self.f["h2"])
        decisions = self.p.details["decisions"]
        open_ = (
            decisions[decisions["status"] == "open"].sort_values("needed_by").head(TOP) if len(decisions) else decisions
        )
        row = self.table(
            ws,
            row + 1,
            [self.t("project"), self.t("title"), self.t("needed_by"), self.t("owner")],
            [
                (d["project_id"], d["title"], d["needed_by"], d["decision_maker"])
                for d in open_.to_dict(orient="records")
            ],
            ["text", "text", "date", "text"],
        )
        ws.write_string(row, 0, self.t("top_risks"), self.f["h2"])
        risks = self._open_risks().head(TOP)
        row = self.table(
            ws,
            row + 1,
            [self.t("project"), self.t("title"), self.t("score"), self.t("owner")],
            [(r["project_id"], r["title"], r["score"], r["owner"]) for r in risks.to_dict(orient="records")],
            ["text", "text", "int", "text"],
        )
        ws.write_string(row, 0, self.t("next_milestones"), self.f["h2"])
        upcoming = self._key_milestones()
        if self.status is not None and len(upcoming):
            window = (upcoming["finish"] >= self.status) & (upcoming["finish"] <= self.status + timedelta(days=90))
            upcoming = upcoming[window & (upcoming["status"] != "done")].sort_values("finish").head(10)
        row = self.table(
            ws,
            row + 1,
            [self.t("project"), self.t("milestone"), self.t("forecast"), self.t("baseline"), self.t("slip")],
            [
                (m["project_id"], m["name"], m["finish"], m["baseline_finish"], m["slip_days"])
                for m in upcoming.to_dict(orient="records")
            ],
            ["text", "text", "date", "date", "int"],
        )
        ws.write_string(row, 0, self.t("changes"), self.f["h2"])
        if self.changes is None:
            ws.write_string(row + 1, 0, self.t("no_changes"), self.f["subtitle"])
        else:
            self.table(
                ws,
                row + 1,
                ["", self.t("project"), "", "", ""],
                [
                    (c["change"], c["project_id"], c["item"], _show(c["before"]), _show(c["after"]))
                    for c in self.changes.head(12).to_dict(orient="records")
                ],
                ["text"] * 5,
            )

    def tab_status(self) -> None:
        ws = self.sheet("status", (12, 28, 16, 8, 8, 8, 13, 12, 9, 10, 10, 10, 10, 10, 8))
        headers = [
            self.t("project"),
            "",
            self.t("owner"),
            "SPI",
            "CPI",
            "SPI(t)",
            "EAC",
            "VAC",
            self.t("slip"),
            self.t("manual"),
            self.t("schedule"),
            self.t("cost"),
            self.t("risk"),
            self.t("overall"),
            self.t("trend"),
        ]
        row = 3
        for c, head in enumerate(headers):
            ws.write_string(row, c, head, self.f["head"])
        ws.repeat_rows(row)
        ws.freeze_panes(row + 1, 2)
        previous = self.previous.set_index("project_id") if self.previous is not None and len(self.previous) else None
        first = row + 1
        for programme, group in self.p.projects.groupby("programme", sort=True):
            row += 1
            # merge_range() writes its value with write(), which may read text as a formula.
            ws.merge_range(row, 0, row, len(headers) - 1, "", self.f["group"])
            ws.write_string(row, 0, programme, self.f["group"])
            for p in group.to_dict(orient="records"):
                row += 1
                self.project_link(ws, row, 0, p["project_id"])
                self.value(ws, row, 1, p.get("name"))
                self.value(ws, row, 2, p.get("project_manager"))
                self.value(ws, row, 3, p.get("spi"), "ratio")
                self.value(ws, row, 4, p.get("cpi"), "ratio")
                self.value(ws, row, 5, p.get("spi_t"), "ratio")
                self.value(ws, row, 6, p.get("eac"), "money")
                self.value(ws, row, 7, p.get("vac"), "money")
                self.value(ws, row, 8, p.get("key_milestone_slip"), "int")
                for c, key in enumerate(("manual_rag", "rag_schedule", "rag_cost", "rag_risk", "rag_overall"), start=9):
                    self.rag(ws, row, c, p.get(key))
                ws.write_string(row, 14, _arrow(p, previous), self.f["marker"])
        if row >= first:
            for c in (3, 4):
                ws.conditional_format(
                    first,
                    c,
                    row,
                    c,
                    {
                        "type": "data_bar",
                        "bar_color": "#9BC2E6",
                        "bar_solid": True,
                        "min_type": "num",
                        "min_value": 0,
                        "max_type": "num",
                        "max_value": 1.5,
                    },
                )

    def tab_heatmap(self) -> None:
        ws = self.sheet("heatmap", (26, 30, 12, 12, 12, 12, 12))
        row = 3
        headers = ["", "", self.t("schedule"), self.t("cost"), self.t("risk"), self.t("overall"), self.t("manual")]
        for c, head in enumerate(headers):
            ws.write_string(row, c, head, self.f["head"])
        ws.repeat_rows(row)
        ws.freeze_panes(row + 1, 2)
        programmes = self.p.programmes.set_index("programme") if len(self.p.programmes) else None
        for programme, group in self.p.projects.groupby("programme", sort=True):
            row += 1
            ws.write_string(row, 0, programme, self.f["group"])
            ws.write_string(row, 1, f"{len(group)} {self.t('projects').lower()}", self.f["group"])
            if programmes is not None:
                for c, key in enumerate(("rag_schedule", "rag_cost", "rag_risk", "rag_overall"), start=2):
                    self.rag(ws, row, c, programmes.at[programme, key])
            for p in group.to_dict(orient="records"):
                row += 1
                self.project_link(ws, row, 0, p["project_id"])
                self.value(ws, row, 1, p.get("name"))
                for c, key in enumerate(("rag_schedule", "rag_cost", "rag_risk", "rag_overall", "manual_rag"), start=2):
                    self.rag(ws, row, c, p.get(key))

    def _key_milestones(self) -> pd.DataFrame:
        milestones = self.p.milestones
        if milestones.empty:
            return milestones
        return milestones[milestones["key_milestone"] == True]  # noqa: E712

    def tab_timeline(self) -> None:
        months = self._months()
        ws = self.sheet("timeline", (11, 30, 11, 11, 8, *([4.5] * len(months))))
        row = 3
        headers = [self.t("project"), self.t("milestone"), self.t("baseline"), self.t("forecast"), self.t("slip")]
        for c, head in enumerate(headers):
            ws.write_string(row, c, head, self.f["head"])
        for c, month in enumerate(months, start=len(headers)):
            ws.write_datetime(row, c, month.to_pydatetime(), self.f["month"])
        ws.repeat_rows(row)
        ws.freeze_panes(row + 1, 2)
        key = self._key_milestones()
        if len(key) and months:
            # Only what falls in the window: done milestones of long ago are history, not news.
            window = (key["finish"] >= months[0]) | (key["baseline_finish"] >= months[0])
            key = key[window].sort_values(["finish", "project_id"]).head(TIMELINE_ROWS)
        first = row + 1
        for m in key.to_dict(orient="records"):
            row += 1
            self.project_link(ws, row, 0, m["project_id"])
            self.value(ws, row, 1, m.get("name"))
            self.value(ws, row, 2, m.get("baseline_finish"), "date")
            self.value(ws, row, 3, m.get("finish"), "date")
            self.value(ws, row, 4, m.get("slip_days"), "int")
            for c, month in enumerate(months, start=len(headers)):
                marks = ""
                if _same_month(m.get("finish"), month):
                    marks += "◆"
                if _same_month(m.get("baseline_finish"), month):
                    marks += "◇"
                ws.write_string(row, c, marks, self.f["marker"])
        if row >= first and months:
            first_col, last_col = len(headers), len(headers) + len(months) - 1
            cell = xl_rowcol_to_cell(first, first_col, row_abs=False, col_abs=False)
            slip = f"$E{first + 1}"
            for criteria, fill in (
                (f'=AND(ISNUMBER(SEARCH("◆",{cell})),{slip}>10)', styles.RAG_FILL["red"]),
                (f'=AND(ISNUMBER(SEARCH("◆",{cell})),{slip}>0)', styles.RAG_FILL["amber"]),
                (f'=ISNUMBER(SEARCH("◆",{cell}))', styles.RAG_FILL["green"]),
                (f'=ISNUMBER(SEARCH("◇",{cell}))', "#D9D9D9"),
            ):
                ws.conditional_format(
                    first,
                    first_col,
                    row,
                    last_col,
                    {
                        "type": "formula",
                        "criteria": criteria,
                        "format": self.book.add_format({"bg_color": fill}),
                        "stop_if_true": True,
                    },
                )
        self._trend_chart(ws, row + 2)

    def _months(self) -> list[pd.Timestamp]:
        start = (self.status or pd.Timestamp(date.today())).to_period("M").to_timestamp() - pd.DateOffset(months=2)
        return [start + pd.DateOffset(months=k) for k in range(TIMELINE_MONTHS)]

    def _trend_chart(self, ws: Worksheet, row: int) -> None:
        """Milestone trend analysis: each key milestone's forecast at each reporting date."""
        ws.write_string(row, 0, self.t("mta"), self.f["h2"])
        trend = self.trend
        if trend is None or trend.empty:
            ws.write_string(row + 1, 0, self.t("no_changes"), self.f["subtitle"])
            return
        slipping = trend.groupby(["project_id", "milestone"])["forecast"].agg(lambda s: s.max() - s.min())
        chosen = slipping.sort_values(ascending=False).head(8).index
        data_row, data_col = 3, CHART_DATA_COL + TIMELINE_MONTHS
        ws.write_string(data_row, data_col, self.t("mta"), self.f["subtitle"])
        chart = self.book.add_chart({"type": "scatter", "subtype": "straight_with_markers"})
        for n, (project, milestone) in enumerate(chosen):
            points = (
                trend[(trend["project_id"] == project) & (trend["milestone"] == milestone)]
                .dropna(subset=["reporting_date", "forecast"])
                .drop_duplicates("reporting_date")
            )
            col = data_col + 2 * n
            top = data_row + 1
            name = self.chart_text(ws, top, col, f"{project} {milestone}")
            for k, point in enumerate(points.to_dict(orient="records"), start=1):
                ws.write_datetime(top + k, col, pd.Timestamp(point["reporting_date"]).to_pydatetime(), self.f["date"])
                ws.write_datetime(top + k, col + 1, pd.Timestamp(point["forecast"]).to_pydatetime(), self.f["date"])
            sheet = ws.get_name()
            chart.add_series(
                {
                    "name": name,
                    "categories": [sheet, top + 1, col, top + max(len(points), 1), col],
                    "values": [sheet, top + 1, col + 1, top + max(len(points), 1), col + 1],
                    "marker": {"type": "circle", "size": 5},
                }
            )
        chart.set_title({"name": self.t("mta")})
        chart.set_x_axis({"name": self.t("status_date"), "date_axis": True, "num_format": "mmm yy"})
        chart.set_y_axis({"name": self.t("forecast"), "date_axis": True, "num_format": "mmm yy"})
        chart.set_legend({"position": "right"})
        chart.set_size({"width": 900, "height": 380})
        ws.insert_chart(row + 1, 0, chart)
        ws.print_area(0, 0, row + 22, 4 + TIMELINE_MONTHS)

    def _risks(self, which: str) -> pd.DataFrame:
        """The open threats (``"threats"``) or open opportunities (``"opportunities"``), top score first."""
        risks = self.p.details["risks"]
        if risks.empty:
            return risks
        threat, opportunity, _ = risk_states(risks)
        chosen = risks[threat if which == "threats" else opportunity]
        return chosen.sort_values(["score", "cost_impact"], ascending=False, na_position="last")

    def _open_risks(self) -> pd.DataFrame:
        return self._risks("threats")

    def tab_risks(self) -> None:
        ws = self.sheet("risks", (12, 10, 10, 10, 10, 10, 56, 2, 16, 14, 12))
        # The matrix, the exposure and the top risks count open threats only (guide: risks).
        risks = self._open_risks()
        grid_levels = risk_level(pd.Series([p * i for i in range(5, 0, -1) for p in range(1, 6)]), self.p.settings)
        ws.write_string(3, 0, f"{self.t('impact')} ↓ / {self.t('probability')} →", self.f["subtitle"])
        ws.write_string(3, 7, self.t("threat_matrix"), self.f["subtitle"])
        for p in range(1, 6):
            ws.write_number(3, p, p, self.f["head"])
        for k, impact in enumerate(range(5, 0, -1)):
            row = 4 + k
            ws.write_number(row, 0, impact, self.f["head"])
            ws.set_row(row, 28)
            for p in range(1, 6):
                count = int(((risks["probability"] == p) & (risks["impact"] == impact)).sum()) if len(risks) else 0
                ws.write_number(row, p, count, self.f["level_" + grid_levels[5 * k + p - 1]])
        occurred = int(self.p.projects["occurred_risks"].sum()) if "occurred_risks" in self.p.projects else 0
        ws.write_string(9, 7, f"{self.t('occurred')}: {occurred}", self.f["subtitle"])
        headers = [self.t("project"), "ID", self.t("probability"), self.t("impact"), self.t("score"), "EMV",
                   self.t("title"), "", self.t("owner"), self.t("response"), self.t("due")]  # fmt: skip
        kinds = ["text", "text", "int", "int", "int", "money", "text", "text", "text", "text", "date"]

        def lines(frame: pd.DataFrame) -> list[tuple]:
            shown = frame.assign(emv=risk_emv(frame)) if len(frame) else frame.assign(emv=None)
            keys = ("project_id", "id", "probability", "impact", "score", "emv", "title", "", "owner", "response",
                    "due_date")  # fmt: skip
            return [tuple(r[k] if k else "" for k in keys) for r in shown.to_dict(orient="records")]

        row = self.table(ws, 11, headers, lines(risks.head(20)), kinds)
        ws.repeat_rows(11)
        ws.write_string(row, 0, self.t("opportunities"), self.f["h2"])
        self.table(ws, row + 1, headers, lines(self._risks("opportunities").head(10)), kinds)

    def tab_budget(self) -> None:
        ws = self.sheet("budget", (14,) * 8)
        total = self.p.total.iloc[0].to_dict() if len(self.p.total) else {}
        # The figures the S-curve's status-date points must equal, and BAC beside the approved budget.
        self.tiles(ws, 3, 0, [
            ("BAC", total.get("bac"), "money"),
            (self.t("approved_budget"), total.get("approved_budget"), "money"),
            (self.t("reserve"), total.get("reserve"), "money"),
            ("PV", total.get("pv"), "money"),
            ("EV", total.get("ev"), "money"),
            ("AC", total.get("ac"), "money"),
            ("EAC", total.get("eac"), "money"),
        ])  # fmt: skip
        row = 6
        ws.write_string(row, 0, self.t("s_curve"), self.f["h2"])
        curve = self.s_curve(self.p.details["plan"], self.p.details["budget"], total, self._history(None))
        # Chart data sits right of the printed area, so the page shows the charts only.
        top, base = 3, CHART_DATA_COL
        chart = self._curve_chart(ws, curve, top, base, self.t("s_curve"), marker=4)
        chart.set_size({"width": 720, "height": 360})
        ws.insert_chart(row + 1, 0, chart)
        sheet = ws.get_name()
        programmes = self.p.programmes
        col_top, left = top, base + len(CURVE_COLUMNS) + 1
        bars = (("bac", "BAC"), ("approved_budget", self.t("approved_budget")), ("ac", "AC"), ("eac", "EAC"))
        for c, head in enumerate((self.t("programme"), *(name for _, name in bars))):
            ws.write_string(col_top, left + c, head, self.f["head"])
        for k, prog in enumerate(programmes.to_dict(orient="records"), start=1):
            self.value(ws, col_top + k, left, prog["programme"])
            for c, (key, _) in enumerate(bars, start=1):
                self.value(ws, col_top + k, left + c, prog.get(key), "money")
        m = max(len(programmes), 1)
        column = self.book.add_chart({"type": "column"})
        for c, (_, name) in enumerate(bars, start=1):
            column.add_series(
                {
                    "name": name,
                    "categories": [sheet, col_top + 1, left, col_top + m, left],
                    "values": [sheet, col_top + 1, left + c, col_top + m, left + c],
                }
            )
        column.set_title({"name": self.t("by_programme")})
        column.set_y_axis({"num_format": "#,##0"})
        column.set_size({"width": 560, "height": 360})
        ws.insert_chart(row + 1, 8, column)
        last_row = self._programme_curves(ws, top, left + len(bars) + 2)
        ws.print_area(0, 0, last_row, CHART_DATA_COL - 1)

    def _history(self, programme: str | None) -> pd.DataFrame | None:
        """Earlier committees' PV, EV and AC of the portfolio (None) or of one programme."""
        earned = self.earned
        if earned is None or earned.empty:
            return None
        rows = earned["programme"].isna() if programme is None else earned["programme"] == programme
        return earned[rows]

    def _curve_chart(self, ws: Worksheet, curve: pd.DataFrame, top: int, col: int, title: Any, marker: int) -> Any:
        """Write ``curve``'s columns at (``top``, ``col``) and return a line chart of them; ``title`` is
        a label of ours, or the reference `chart_text` gives for one holding project data."""
        headers = (self.t("date"), "PV", "AC", "EV", "BAC", "EAC")
        for c, head in enumerate(headers):
            ws.write_string(top, col + c, head, self.f["head"])
        for r, point in enumerate(curve.to_dict(orient="records"), start=top + 1):
            ws.write_datetime(r, col, point["date"].to_pydatetime(), self.f["date"])
            for c, key in enumerate(CURVE_COLUMNS[1:], start=1):
                self.value(ws, r, col + c, point[key], "money")
        sheet, last = ws.get_name(), top + max(len(curve), 1)
        chart = self.book.add_chart({"type": "line"})
        for c, name in enumerate(headers[1:], start=1):
            series = {
                "name": name,
                "categories": [sheet, top + 1, col, last, col],
                "values": [sheet, top + 1, col + c, last, col + c],
            }
            if name in ("BAC", "EAC"):  # reference lines
                series["line"] = {"dash_type": "dash", "width": 1.25}
                series["marker"] = {"type": "none"}
            else:
                series["marker"] = {"type": "circle", "size": marker}
            chart.add_series(series)
        # EV has a point per committee, AC per month: the lines join their points over the gaps.
        chart.show_blanks_as("span")
        chart.set_title({"name": title, **({"name_font": {"size": 10}} if marker < 4 else {})})
        chart.set_x_axis({"date_axis": True, "num_format": "mmm yy"})
        chart.set_y_axis({"num_format": "#,##0"})
        return chart

    def _programme_curves(self, ws: Worksheet, data_row: int, first_col: int) -> int:
        """One small S-curve per programme, two to a row, under the portfolio's."""
        tasks, budget = self.p.details["plan"], self.p.details["budget"]
        programmes = self.p.programmes.set_index("programme") if len(self.p.programmes) else None
        names = sorted(self.p.projects["programme"].unique()) if len(self.p.projects) else []
        for k, programme in enumerate(names):
            figures = programmes.loc[programme].to_dict() if programmes is not None else {}
            curve = self.s_curve(
                tasks[tasks["programme"] == programme] if len(tasks) else tasks,
                budget[budget["programme"] == programme] if len(budget) else budget,
                figures,
                self._history(programme),
            )
            if curve.empty:
                continue
            col = first_col + (len(CURVE_COLUMNS) + 1) * k
            title = self.chart_text(ws, data_row, col, f"{self.t('s_curve')}: {programme}", self.f["subtitle"])
            chart = self._curve_chart(ws, curve, data_row + 1, col, title, marker=3)
            chart.set_legend({"position": "bottom"})
            chart.set_size({"width": 600, "height": 300})
            ws.insert_chart(PROGRAMME_CURVES_ROW + 16 * (k // 2), 0 if k % 2 == 0 else 8, chart)
        return PROGRAMME_CURVES_ROW + 16 * ((len(names) + 1) // 2)

    def s_curve(
        self,
        tasks: pd.DataFrame,
        budget: pd.DataFrame,
        figures: dict[str, Any],
        history: pd.DataFrame | None = None,
    ) -> pd.DataFrame:
        """Cumulative PV, AC and EV, with BAC and EAC as reference lines.

        One row per month end, one per earlier committee and one at the status date, whose PV,
        EV and AC are ``figures``' (the roll-up's: the tiles). PV elsewhere is the baseline's spread
        of the work's budgets; AC the Budget sheet's monthly actuals, cumulated, up to the last month
        that has them; EV the earlier committees' (``history``, from the snapshots).
        """
        work = tasks[(tasks["type"] != "summary") & (tasks["status"] != "cancelled")] if len(tasks) else tasks
        if work.empty or work["baseline_start"].isna().all():
            return pd.DataFrame(columns=list(CURVE_COLUMNS))
        status = self.status
        first = work["baseline_start"].min().to_period("M")
        last = max(work["baseline_finish"].max(), status or work["baseline_finish"].max()).to_period("M")
        month_ends = {m.to_timestamp(how="end").normalize(): m for m in pd.period_range(first, last, freq="M")[:120]}
        committees: dict[pd.Timestamp, float] = {}
        if history is not None and status is not None:
            for when, ev in zip(history["status_date"], history["ev"], strict=True):
                if pd.Timestamp(when) < status and not pd.isna(ev):
                    committees[pd.Timestamp(when).normalize()] = float(ev)
        dates = sorted(set(month_ends) | set(committees) | ({status} if status is not None else set()))
        budgets = pd.to_numeric(work["budget"]).fillna(0)
        actual = pd.Series(dtype=float)
        if len(budget):
            actual = budget.groupby(budget["month"].dt.to_period("M"))["actual"].sum(min_count=1).dropna()
        last_actual = actual.index.max() if len(actual) else None
        eac = figures.get("eac")
        rows = []
        for when in dates:
            at_status = status is not None and when == status
            point = {"date": when, "bac": figures.get("bac"), "eac": None if eac is None or pd.isna(eac) else eac}
            if at_status:
                point.update(pv=figures.get("pv"), ac=figures.get("ac"), ev=figures.get("ev"))
            else:
                point["pv"] = float((budgets * planned_fraction(work, when).fillna(0)).sum())
                month = month_ends.get(when)
                before = status is None or when < status
                known = month is not None and last_actual is not None and month <= last_actual
                point["ac"] = float(actual[actual.index <= month].sum()) if (before and known) else None
                point["ev"] = committees.get(when)
            rows.append(point)
        return pd.DataFrame(rows, columns=list(CURVE_COLUMNS))

    def tab_actions(self) -> None:
        ws = self.sheet("actions", (12, 8, 50, 18, 12, 12))
        actions = self.p.details["actions"]
        overdue = actions.iloc[0:0]
        if len(actions) and self.status is not None:
            overdue = actions[
                (actions["due_date"] < self.status) & ~actions["status"].isin(["done", "cancelled"])
            ].copy()
            overdue["days"] = (self.status - overdue["due_date"]).dt.days
        ws.write_string(3, 0, self.t("overdue_by_owner"), self.f["h2"])
        by_owner = (
            overdue.groupby(overdue["owner"].fillna("-")).size().sort_values(ascending=False) if len(overdue) else []
        )
        row = self.table(
            ws,
            4,
            [self.t("owner"), self.t("count")],
            [(owner, count) for owner, count in (by_owner.items() if len(overdue) else [])],
            ["text", "int"],
        )
        overdue = overdue.sort_values("days", ascending=False) if len(overdue) else overdue
        row = self.table(
            ws,
            row,
            [self.t("project"), "ID", self.t("title"), self.t("owner"), self.t("due"), self.t("days_overdue")],
            [
                (a["project_id"], a["id"], a["title"], a["owner"], a["due_date"], a["days"])
                for a in overdue.head(40).to_dict(orient="records")
            ],
            ["text", "text", "text", "text", "date", "int"],
        )
        ws.write_string(row, 0, self.t("open_decisions"), self.f["h2"])
        decisions = self.p.details["decisions"]
        open_ = decisions[decisions["status"] == "open"].sort_values("needed_by") if len(decisions) else decisions
        self.table(
            ws,
            row + 1,
            [self.t("project"), "ID", self.t("title"), self.t("owner"), self.t("needed_by")],
            [
                (d["project_id"], d["id"], d["title"], d["decision_maker"], d["needed_by"])
                for d in open_.head(40).to_dict(orient="records")
            ],
            ["text", "text", "text", "text", "date"],
        )

    def tab_interfaces(self) -> None:
        ws = self.sheet("interfaces", (12, 10, 12, 10, 30, 12, 12, 10, 16))
        risks = self.p.interface_risks
        shown = risks[risks["status"] != "on track"].sort_values("days_late", ascending=False) if len(risks) else risks
        self.table(
            ws,
            3,
            [
                self.t("project"),
                "ID",
                self.t("from"),
                self.t("milestone"),
                "",
                self.t("need_by"),
                self.t("forecast"),
                self.t("days_late"),
                "",
            ],
            [
                (
                    i["consumer"],
                    i["interface"],
                    i["supplier"],
                    i["milestone"],
                    i["milestone_name"],
                    i["need_by"],
                    i["forecast"],
                    i["days_late"],
                    i["status"],
                )
                for i in shown.to_dict(orient="records")
            ],
            ["text", "text", "text", "text", "text", "date", "date", "int", "text"],
        )

    def tab_quality(self) -> None:
        ws = self.sheet("quality", (34, 12, 10, 70))
        ws.write_string(3, 0, self.t("load_problems"), self.f["h2"])
        problems = self.p.load_problems
        row = self.table(
            ws,
            4,
            [self.t("file"), self.t("project"), "Code", self.t("reason")],
            [(p["file"], p["project_id"], p["code"], p["reason"]) for p in problems.to_dict(orient="records")],
            ["text"] * 4,
        )
        ws.write_string(row, 0, self.t("findings"), self.f["h2"])
        projects = self.p.projects

        def verdict(p: dict) -> str:
            if p.get("errors"):
                return self.t("check")
            return self.t("incomplete") if p.get("no_data") else self.t("yes")

        def gaps(p: dict) -> str:
            keys = [k.strip() for k in str(p.get("no_data") or "").split(",") if k.strip()]
            return ", ".join(sheet_schema(PROJECT_KIND, k).name(self.lang) for k in keys)

        self.table(
            ws,
            row + 1,
            [
                self.t("file"),
                self.t("project"),
                self.t("errors"),
                self.t("warnings"),
                self.t("trust"),
                self.t("sheets_without_data"),
            ],
            [
                (p["file"], p["project_id"], p.get("errors", 0), p.get("warnings", 0), verdict(p), gaps(p))
                for p in projects.to_dict(orient="records")
            ],
            ["text", "text", "int", "int", "text", "text"],
        )
        ws.set_column(5, 5, 20)
        ws.set_column(4, 4, 14)


def _same_month(value: Any, month: pd.Timestamp) -> bool:
    if value is None or pd.isna(value):
        return False
    stamp = pd.Timestamp(value)
    return stamp.year == month.year and stamp.month == month.month


def _arrow(project: dict, previous: pd.DataFrame | None) -> str:
    """▲ better, ▼ worse, ► about the same, against the previous snapshot's SPI."""
    if previous is None or project["project_id"] not in previous.index:
        return ""
    before, now = previous.at[project["project_id"], "spi"], project.get("spi")
    if before is None or now is None or pd.isna(before) or pd.isna(now):
        return ""
    if now > before + 0.02:
        return "▲"
    return "▼" if now < before - 0.02 else "►"


def _show(value: Any) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    if isinstance(value, (pd.Timestamp, datetime)):
        return value.strftime("%Y-%m-%d")
    if isinstance(value, float):
        return f"{value:,.2f}"
    return str(value)
