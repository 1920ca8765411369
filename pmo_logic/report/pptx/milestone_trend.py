"""The deck's milestone trend analysis (MTA): each milestone's forecast at each committee.

From the second committee only (the view's ``milestone_trend`` is None before), as in the pack:
a native XY (scatter) chart, editable in PowerPoint, with the committees' dates across, the
forecasts up, both axes fixed to the committees' span (15 days either side, the pack's), the
diagonal (a milestone on it is due at that committee), and the milestones named in the legend
(project and milestone name, not a task ID). Dates are Excel serial days, shown as months.
"""

from __future__ import annotations

from typing import Any

import pandas as pd
from pptx.chart.data import XyChartData
from pptx.enum.chart import XL_CHART_TYPE, XL_LEGEND_POSITION, XL_MARKER_STYLE
from pptx.enum.dml import MSO_LINE_DASH_STYLE
from pptx.util import Inches, Pt

from pmo_logic import styles

EXCEL_EPOCH = pd.Timestamp("1899-12-30")
SPAN = pd.Timedelta(days=15)


def serial(when: Any) -> float:
    """A date as Excel's serial day number, what a chart's date axis counts in."""
    return float((pd.Timestamp(when) - EXCEL_EPOCH).days)


def draw(deck: Any) -> None:
    """The MTA slide of ``deck`` (a `_Deck`), when the view has a trend."""
    trend = deck.v.trend
    if trend is None or trend.empty:
        return
    slide, top = deck.content_slide(deck.t("mta"))
    data = XyChartData()
    for (project, _milestone), points in trend.groupby(["project_id", "milestone"], sort=True):
        points = points.drop_duplicates("reporting_date").sort_values("reporting_date")
        name = " ".join(str(x) for x in (project, points["name"].iloc[0]) if x is not None and not pd.isna(x))
        series = data.add_series(name)
        for when, forecast in zip(points["reporting_date"], points["forecast"], strict=True):
            series.add_data_point(serial(when), serial(forecast))
    first, last = trend["reporting_date"].min(), trend["reporting_date"].max()
    low, high = min(trend["forecast"].min(), first), max(trend["forecast"].max(), last)
    diagonal = data.add_series(deck.t("diagonal"))
    for when in (first, last):
        diagonal.add_data_point(serial(when), serial(when))
    margin = Inches(0.4)
    width, height = deck.width - 2 * margin, deck.height - top - margin - Inches(0.3)
    chart = slide.shapes.add_chart(XL_CHART_TYPE.XY_SCATTER_LINES, margin, top, width, height, data).chart
    chart.has_title = False
    chart.has_legend = True
    chart.legend.position = XL_LEGEND_POSITION.RIGHT
    chart.legend.include_in_layout = False
    chart.legend.font.size = Pt(10)
    months = styles.pack_formats(deck.lang)["short_month"]
    for axis, lowest, highest, title in ((chart.category_axis, first, last, deck.t("committee_date")),
                                         (chart.value_axis, low, high, deck.t("forecast"))):  # fmt: skip
        axis.minimum_scale = serial(lowest - SPAN)
        axis.maximum_scale = serial(highest + SPAN)
        axis.tick_labels.number_format = months
        axis.tick_labels.number_format_is_linked = False
        axis.tick_labels.font.size = Pt(10)
        axis.has_title = True
        axis.axis_title.text_frame.text = title
        axis.axis_title.text_frame.paragraphs[0].runs[0].font.size = Pt(11)
        axis.has_major_gridlines = True
        axis.major_gridlines.format.line.color.rgb = _rgb("#D9D9D9")
    plot = chart.plots[0]
    series_list = list(plot.series)
    for series in series_list[:-1]:
        series.smooth = False
        series.marker.style = XL_MARKER_STYLE.CIRCLE
        series.marker.size = 6
    line = series_list[-1]
    line.smooth = False
    line.marker.style = XL_MARKER_STYLE.NONE
    line.format.line.color.rgb = _rgb("#7F7F7F")
    line.format.line.dash_style = MSO_LINE_DASH_STYLE.DASH


def _rgb(hex_colour: str) -> Any:
    from pptx.dml.color import RGBColor

    return RGBColor.from_string(hex_colour.lstrip("#"))
