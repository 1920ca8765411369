"""Milestones: a timeline of the key milestones that reads as one, and the milestone trend analysis.

The grid runs from a month before the status date to the last key milestone: months for the
first year, quarters beyond. Achieved (●), forecast (◆; red when it slipped beyond the
Settings' green threshold) and baseline (◇) markers, a line at the status date, and a legend.
The trend analysis (MTA) prints on its own page, from the second committee only: fixed axes
over the committees, the diagonal (a milestone on it is due at that committee), and the
milestones named in the legend.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from pmo_logic import styles
from pmo_logic.report.text_width import longest_word_width
from pmo_logic.report.xlsx import CHART_DATA_COL, DEFAULT_ROW_HEIGHT, PAGE_HEIGHT, XlsxPack

FIXED = (9, 22, 12, 12, 7)
GRID_WIDTH = 82
"""Character widths left for the grid: the page's width at the pack's scale, less the fixed columns."""


def buckets(start: pd.Timestamp, end: pd.Timestamp, scale: str) -> list[tuple[pd.Timestamp, pd.Timestamp]]:
    """[first day, next bucket's first day) of each column: months, then quarters after a year."""
    out: list[tuple[pd.Timestamp, pd.Timestamp]] = []
    month = start.to_period("M").to_timestamp()
    limit = end.to_period("M").to_timestamp() + pd.DateOffset(months=1)
    year_on = month + pd.DateOffset(months=12)
    while month < limit:
        if scale == "quarter" and month >= year_on:
            # Quarters from the next calendar quarter on.
            quarter = month.to_period("Q").to_timestamp()
            nxt = quarter + pd.DateOffset(months=3)
            out.append((month, nxt))
            month = nxt
        else:
            nxt = month + pd.DateOffset(months=1)
            out.append((month, nxt))
            month = nxt
    return out


def _label(pack: XlsxPack, first: pd.Timestamp, nxt: pd.Timestamp) -> str:
    months_fr = ("janv.", "févr.", "mars", "avr.", "mai", "juin", "juil.", "août", "sept.", "oct.", "nov.", "déc.")
    if (nxt - first).days > 40:
        quarter = (first.month - 1) // 3 + 1
        return f"T{quarter}\u00a0{first.year}" if pack.lang == "fr" else f"Q{quarter} {first.year}"
    if pack.lang == "fr":
        return f"{months_fr[first.month - 1]} {first.year}"
    return f"{first:%b %Y}"


def render(pack: XlsxPack) -> None:
    v = pack.view
    timeline = v.timeline
    status = pd.Timestamp(v.status_date) if v.status_date else None
    grid = buckets(timeline.start, timeline.end, timeline.scale) if timeline.start is not None else []
    width = max(min(GRID_WIDTH / max(len(grid), 1), 8.0), 2.6)
    # The fixed columns as wide as their headers' longest word ("Glissement"), never cut inside one.
    headers = [pack.t("project"), pack.t("milestone"), pack.t("baseline"), pack.t("forecast"), pack.t("slip")]
    fixed = tuple(max(w, longest_word_width(h)) for w, h in zip(FIXED, headers, strict=True))
    ws = pack.sheet("timeline", (*fixed, *([width] * len(grid))))
    # Legend.
    slip = int(v.settings.slip_green_days or 10)
    legend = (f"● {pack.t('achieved')}    ◆ {pack.t('forecast')}    ◆ {pack.t('slipped_beyond').format(n=slip)}"
              f"    ◇ {pack.t('baseline')}    │ {pack.t('status_date')}")  # fmt: skip
    ws.write_string(2, 0, f"{pack.colon(pack.t('legend'))} {legend}", pack.f["subtitle"])
    row = 3
    for c, head in enumerate(headers):
        ws.write_string(row, c, head, pack.f["head"])
    first_col = len(headers)
    status_col = None
    for k, (first, nxt) in enumerate(grid):
        at_status = status is not None and first <= status < nxt
        if at_status:
            status_col = first_col + k
        head = pack.fmt(bold=True, font_color="#FFFFFF", bg_color=styles.NAVY, rotation=90, align="center",
                        border=1, border_color=styles.NAVY, **({"left": 5, "left_color": styles.STATUS_LINE}
                                                               if at_status else {}))  # fmt: skip
        ws.write_string(row, first_col + k, _label(pack, first, nxt), head)
    # Month labels are printed upright in the header: "sept. 2026" needs more room than "Sep 2026".
    header_height = 64 if pack.lang == "fr" else 52
    pack.set_height(ws, row, header_height)
    # Print titles repeat on every page of the tab, the trend analysis's page too: only a
    # timeline longer than a page needs them.
    if header_height + DEFAULT_ROW_HEIGHT * len(timeline.items) > PAGE_HEIGHT - 60:
        ws.repeat_rows(row)
    ws.freeze_panes(row + 1, 2)
    marker_formats: dict[tuple[str, bool], Any] = {}

    def marker(kind: str, at_status: bool) -> Any:
        if (kind, at_status) not in marker_formats:
            colours = {"achieved": (styles.ACHIEVED, None), "forecast": (styles.FORECAST, None),
                       "slipped": ("#FFFFFF", styles.STATUS_LINE), "baseline": (styles.BASELINE, None),
                       "": ("#000000", None)}  # fmt: skip
            font, fill = colours[kind]
            props: dict[str, Any] = {"align": "center", "font_color": font, "border": 1, "border_color": "#E7E6E6"}
            if fill:
                props["bg_color"] = fill
            if at_status:
                props.update(left=5, left_color=styles.STATUS_LINE)
            marker_formats[(kind, at_status)] = pack.fmt(**props)
        return marker_formats[(kind, at_status)]

    for m in timeline.items.to_dict(orient="records"):
        row += 1
        pack.project_link(ws, row, 0, m["project_id"])
        pack.value(ws, row, 1, m["name"])
        pack.value(ws, row, 2, m["baseline_finish"], "date")
        pack.value(ws, row, 3, m["finish"], "date")
        pack.value(ws, row, 4, m["slip_days"], "int")
        for k, (first, nxt) in enumerate(grid):
            col = first_col + k
            here = not pd.isna(m["finish"]) and first <= m["finish"] < nxt
            base = not pd.isna(m["baseline_finish"]) and first <= m["baseline_finish"] < nxt
            text, kind = "", ""
            if here:
                kind = "achieved" if m["achieved"] else ("slipped" if m["slipped"] else "forecast")
                text = "●" if m["achieved"] else "◆"
            if base and not (here and m["achieved"]):
                text += "◇"
                kind = kind or "baseline"
            ws.write_string(row, col, text, marker(kind, col == status_col))
    if timeline.items.empty:
        ws.write_string(row + 1, 0, pack.t("none"), pack.f["subtitle"])
        row += 1
    end = _trend_chart(pack, ws, row + 2)
    pack.finish(ws, max(row, end))


def _trend_chart(pack: XlsxPack, ws: Any, row: int) -> int:
    """Milestone trend analysis on its own page: each milestone's forecast at each committee."""
    trend = pack.view.milestone_trend
    if trend is None:
        ws.write_string(row, 0, f"{pack.t('mta')} — {pack.t('mta_first')}", pack.f["subtitle"])
        return row
    pack.page_break(ws, row)
    pack.heading(ws, row, 0, pack.t("mta"), 4)
    data_row, data_col = 3, CHART_DATA_COL + 60
    sheet = ws.get_name()
    chart = pack.book.add_chart({"type": "scatter", "subtype": "straight_with_markers"})
    first, last = trend["reporting_date"].min(), trend["reporting_date"].max()
    low = min(trend["forecast"].min(), first)
    high = max(trend["forecast"].max(), last)
    col = data_col
    for n, ((project, _milestone), points) in enumerate(trend.groupby(["project_id", "milestone"], sort=True)):
        points = points.drop_duplicates("reporting_date").sort_values("reporting_date")
        col = data_col + 2 * n
        top = data_row + 1
        name_text = " ".join(str(x) for x in (project, points["name"].iloc[0]) if x is not None)
        name = pack.chart_text(ws, top, col, name_text)
        for k, point in enumerate(points.to_dict(orient="records"), start=1):
            ws.write_datetime(top + k, col, pd.Timestamp(point["reporting_date"]).to_pydatetime(), pack.f["date"])
            ws.write_datetime(top + k, col + 1, pd.Timestamp(point["forecast"]).to_pydatetime(), pack.f["date"])
        chart.add_series({
            "name": name,
            "categories": [sheet, top + 1, col, top + max(len(points), 1), col],
            "values": [sheet, top + 1, col + 1, top + max(len(points), 1), col + 1],
            "marker": {"type": "circle", "size": 5},
        })  # fmt: skip
    # The diagonal: forecast = reporting date.
    col += 2
    diagonal = pack.chart_text(ws, data_row + 1, col, pack.t("diagonal"))
    for k, when in enumerate((first, last), start=1):
        ws.write_datetime(data_row + 1 + k, col, pd.Timestamp(when).to_pydatetime(), pack.f["date"])
        ws.write_datetime(data_row + 1 + k, col + 1, pd.Timestamp(when).to_pydatetime(), pack.f["date"])
    chart.add_series({
        "name": diagonal,
        "categories": [sheet, data_row + 2, col, data_row + 3, col],
        "values": [sheet, data_row + 2, col + 1, data_row + 3, col + 1],
        "line": {"color": "#7F7F7F", "dash_type": "dash"},
        "marker": {"type": "none"},
    })  # fmt: skip
    span = pd.Timedelta(days=15)
    excel = pd.Timestamp("1899-12-30")
    chart.set_title({"name": pack.t("mta"), "name_font": {"size": 11}})
    chart.set_x_axis({"name": pack.t("committee_date"), "date_axis": True, "num_format": pack.numbers["short_month"],
                      "min": (first - span - excel).days, "max": (last + span - excel).days})  # fmt: skip
    chart.set_y_axis({"name": pack.t("forecast"), "date_axis": True, "num_format": pack.numbers["short_month"],
                      "min": (low - span - excel).days, "max": (high + span - excel).days})  # fmt: skip
    chart.set_legend({"position": "right"})
    chart.set_size({"width": 960, "height": 440})
    ws.insert_chart(row + 1, 0, chart)
    return row + 24
