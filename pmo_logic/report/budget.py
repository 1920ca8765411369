"""Budget: BAC beside the approved budget and the reserve, the S-curves of the portfolio and of
each programme (PV, AC, EV with BAC and EAC as reference lines, a vertical line at the status
date), and the programmes' budgets.

Amounts in the charts are in the unit the view chose (k€, M€: the currency of the projects).
The status-date line is a one-point series at the top of the curve whose error bar reaches down
to the axis: a line chart has no vertical line of its own, and the bar moves with the data when
the chart is edited.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from pmo_logic import styles
from pmo_logic.report.view import CURVE_COLUMNS
from pmo_logic.report.xlsx import CHART_DATA_COL, XlsxPack

WIDTHS = (14,) * 8 + (11,) * 3
PROGRAMME_CURVES_ROW = 28
CURVE_DATA_WIDTH = len(CURVE_COLUMNS) + 1
"""Columns of a curve's data on the sheet: its own, then the status-date marker's."""


def axis_format(lang: str, currency: str, unit: str) -> str:
    """The number format of a chart's amount axis: thousands or millions (``unit`` ``k``/``M``)
    with the currency's symbol, ``1,200 k€`` / ``1 200 k€``; the values stay in full."""
    symbol = styles.currency_symbol(currency)
    shown = f"{unit}{symbol}".strip()
    commas = {"k": ",", "M": ",,"}.get(unit, "")
    space = "\u00a0" if lang == "fr" else " "
    loc = styles.LOCALE.get(lang, styles.LOCALE["en"])
    return f'{loc}#,##0{commas}"{space}{shown}"' if shown else f"{loc}#,##0{commas}"


def status_marker_height(curve: pd.DataFrame) -> float | None:
    """Where the status-date line starts: the top of the curve's lines (a place on the chart, not a figure)."""
    values = pd.to_numeric(pd.Series(curve[list(CURVE_COLUMNS[1:])].to_numpy().ravel()), errors="coerce").dropna()
    return float(values.max()) if len(values) and values.max() > 0 else None


def _axis_format(pack: XlsxPack) -> str:
    return axis_format(pack.lang, pack.view.currency, pack.view.budget.unit)


def render(pack: XlsxPack) -> None:
    v = pack.view
    ws = pack.sheet("budget", WIDTHS)
    totals = v.budget.totals
    tiles = [("BAC", "bac"), (pack.t("approved_budget"), "approved_budget"), (pack.t("reserve"), "reserve"),
             (pack.t("pv"), "pv"), (pack.t("ev"), "ev"), (pack.t("ac"), "ac"), ("EAC", "eac")]  # fmt: skip
    big = pack.fmt(bold=True, font_size=14, align="center", num_format=pack.numbers["money"], bottom=1, left=1,
                   right=1, border_color="#BFBFBF")  # fmt: skip
    for c, (name, key) in enumerate(tiles):
        ws.write_string(3, c, name, pack.f["tile_label"])
        if totals.get(key) is None:
            ws.write_string(4, c, pack.t("n_a"), big)
        else:
            ws.write_number(4, c, totals[key], big)
    pack.set_height(ws, 4, 24)
    curve = v.budget.curves.get(None)
    top, base = 3, CHART_DATA_COL
    if curve is not None and not curve.empty:
        chart = _curve_chart(pack, ws, curve, top, base, pack.t("s_curve"), marker=4)
        chart.set_size({"width": 610, "height": 340})
        ws.insert_chart(6, 0, chart)
    sheet = ws.get_name()
    programmes = v.budget.programmes
    col_top, left = top, base + CURVE_DATA_WIDTH + 1
    bars = (("bac", "BAC"), ("approved_budget", pack.t("approved_budget")), ("ac", pack.t("ac")), ("eac", "EAC"))
    for c, head in enumerate((pack.t("programme"), *(name for _, name in bars))):
        ws.write_string(col_top, left + c, head, pack.f["head"])
    for k, prog in enumerate(programmes.to_dict(orient="records"), start=1):
        pack.value(ws, col_top + k, left, prog["programme"])
        for c, (key, _) in enumerate(bars, start=1):
            pack.value(ws, col_top + k, left + c, prog.get(key), "money")
    m = max(len(programmes), 1)
    column = pack.book.add_chart({"type": "column"})
    for c, (_, name) in enumerate(bars, start=1):
        column.add_series(
            {
                "name": name,
                "categories": [sheet, col_top + 1, left, col_top + m, left],
                "values": [sheet, col_top + 1, left + c, col_top + m, left + c],
            }
        )
    column.set_title({"name": pack.t("by_programme"), "name_font": {"size": 11}})
    column.set_y_axis({"num_format": _axis_format(pack)})
    column.set_legend({"position": "bottom"})
    column.set_size({"width": 440, "height": 340})
    ws.insert_chart(6, 6, column)
    last_row = _programme_curves(pack, ws, top, left + len(bars) + 2)
    pack.finish(ws, last_row)
    # The programmes' curves start on a page of their own, under nothing cut in two.
    pack.page_break(ws, PROGRAMME_CURVES_ROW - 1)


def _curve_chart(pack: XlsxPack, ws: Any, curve: pd.DataFrame, top: int, col: int, title: Any, marker: int) -> Any:
    """Write ``curve``'s columns at (``top``, ``col``) and return a line chart of them; ``title`` is
    a label of ours, or the reference `chart_text` gives for one holding project data."""
    headers = (pack.t("date"), pack.t("pv"), pack.t("ac"), pack.t("ev"), "BAC", "EAC")
    for c, head in enumerate(headers):
        ws.write_string(top, col + c, head, pack.f["head"])
    status = pd.Timestamp(pack.view.status_date) if pack.view.status_date else None
    height = status_marker_height(curve)
    marker_col = col + len(CURVE_COLUMNS)
    ws.write_string(top, marker_col, pack.t("status_date"), pack.f["head"])
    for r, point in enumerate(curve.to_dict(orient="records"), start=top + 1):
        ws.write_datetime(r, col, pd.Timestamp(point["date"]).to_pydatetime(), pack.f["date"])
        for c, key in enumerate(CURVE_COLUMNS[1:], start=1):
            pack.value(ws, r, col + c, point[key], "money")
        if status is not None and height is not None and pd.Timestamp(point["date"]) == status:
            ws.write_number(r, marker_col, height, pack.f["money"])
    sheet, last = ws.get_name(), top + max(len(curve), 1)
    chart = pack.book.add_chart({"type": "line"})
    for c, name in enumerate(headers[1:], start=1):
        series = {
            "name": name,
            "categories": [sheet, top + 1, col, last, col],
            "values": [sheet, top + 1, col + c, last, col + c],
        }
        if c >= 4:  # BAC and EAC: reference lines
            series["line"] = {"dash_type": "dash", "width": 1.25}
            series["marker"] = {"type": "none"}
        else:
            series["marker"] = {"type": "circle", "size": marker}
        chart.add_series(series)
    if status is not None and height is not None:
        line = {"color": styles.STATUS_LINE, "width": 1.5, "dash_type": "dash"}
        chart.add_series({
            "name": [sheet, top, marker_col],
            "categories": [sheet, top + 1, col, last, col],
            "values": [sheet, top + 1, marker_col, last, marker_col],
            "line": {"none": True},
            "marker": {"type": "triangle", "size": 6, "fill": {"color": styles.STATUS_LINE},
                       "border": {"color": styles.STATUS_LINE}},
            "y_error_bars": {"type": "percentage", "value": 100, "direction": "minus", "end_style": 0, "line": line},
        })  # fmt: skip
    # EV has a point per committee, AC per month: the lines join their points over the gaps.
    chart.show_blanks_as("span")
    chart.set_title({"name": title, "name_font": {"size": 11 if marker >= 4 else 10}})
    # A label every quarter (or half-year on a long plan), upright: month labels at an angle overprint.
    months = len(curve)
    step = 3 if months <= 36 else (6 if months <= 72 else 12)
    chart.set_x_axis({"date_axis": True, "num_format": pack.numbers["short_month"], "major_unit": step,
                      "major_unit_type": "months", "num_font": {"rotation": 0, "size": 8}})  # fmt: skip
    chart.set_y_axis({"num_format": _axis_format(pack)})
    chart.set_legend({"position": "bottom"})
    return chart


def _programme_curves(pack: XlsxPack, ws: Any, data_row: int, first_col: int) -> int:
    """One small S-curve per programme, two to a row, under the portfolio's."""
    curves = [(name, curve) for name, curve in pack.view.budget.curves.items() if name is not None]
    for k, (programme, curve) in enumerate(curves):
        col = first_col + (CURVE_DATA_WIDTH + 1) * k
        title = pack.chart_text(ws, data_row, col, f"{pack.colon(pack.t('s_curve'))} {programme}", pack.f["subtitle"])
        chart = _curve_chart(pack, ws, curve, data_row + 1, col, title, marker=3)
        chart.set_size({"width": 520, "height": 290})
        ws.insert_chart(PROGRAMME_CURVES_ROW + 16 * (k // 2), 0 if k % 2 == 0 else 5, chart)
    return PROGRAMME_CURVES_ROW + 16 * ((len(curves) + 1) // 2)
