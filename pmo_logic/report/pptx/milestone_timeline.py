"""The deck's milestone timeline: the key milestones drawn on a time scale, as the pack's Milestones tab.

The scale is the pack's: from a month before the status date to the last key milestone, months
for the first year and quarters beyond (`report.milestone_timeline.buckets`), each column the
same width. One row per key milestone of the committee view (`Timeline.items`: the pack's rows,
in its order), with its project, name, forecast date and slip; on the scale a baseline marker
(hollow diamond), the forecast (diamond, red when it slipped beyond the Settings' threshold) or
the achievement (disc), a line between baseline and forecast, and a red line at the status date.
A legend under the rows; more milestones than fit continue on further slides ("(2/3)").

Drawn with `shapes.Drawing` (one piece of XML a slide), a few shapes per milestone: 120 key
milestones, the view's most, are eight slides and well under a second.
"""

from __future__ import annotations

import bisect
import math
from dataclasses import dataclass
from typing import Any

import pandas as pd
from pptx.util import Inches

from pmo_logic import styles
from pmo_logic.i18n import FRENCH_SHORT_MONTHS
from pmo_logic.report.milestone_timeline import buckets
from pmo_logic.report.pptx.shapes import Drawing, fit_line

ROW_HEIGHT = Inches(0.3)
BAND = Inches(0.25)
"""Height of the year band and of the month / quarter band above the rows."""
MARKER = Inches(0.17)
COLUMNS = (("project", 0.85), ("milestone", 2.25), ("forecast", 1.0), ("slip", 0.95))
"""The text columns left of the scale (label key, width in inches)."""
GRID = "#D9D9D9"
YEAR_LINE = "#A6A6A6"
SLIPPED = styles.STATUS_LINE


@dataclass
class _Scale:
    """Where a date lands: each bucket the same width, linear within it."""

    left: int
    width: int
    starts: list[pd.Timestamp]
    ends: list[pd.Timestamp]

    @property
    def column(self) -> float:
        return self.width / max(len(self.starts), 1)

    def x(self, when: Any) -> int | None:
        if when is None or pd.isna(when):
            return None
        stamp = pd.Timestamp(when)
        k = bisect.bisect_right(self.starts, stamp) - 1
        if k < 0 or stamp >= self.ends[-1]:
            return None
        share = (stamp - self.starts[k]) / (self.ends[k] - self.starts[k])
        return int(self.left + (k + share) * self.column)


def draw(deck: Any) -> None:
    """The timeline slides of ``deck`` (a `_Deck`)."""
    v = deck.v
    timeline = v.timeline
    title = deck.t("milestone_timeline")
    items = timeline.items.to_dict(orient="records")
    if timeline.start is None or not items:
        slide, top = deck.content_slide(title)
        deck.note(slide, top, deck.t("none"))
        return
    grid = buckets(timeline.start, timeline.end, timeline.scale)
    top = deck._body_top()
    rows_top = top + 2 * BAND
    legend_top = deck.height - Inches(0.35) - Inches(0.4)
    per_slide = max(int((legend_top - Inches(0.05) - rows_top) / ROW_HEIGHT), 1)
    count = max(math.ceil(len(items) / per_slide), 1)
    rows = math.ceil(len(items) / count)  # 17 rows go 9 + 8, not 15 + 2
    for k in range(1, count + 1):
        heading = title if count == 1 else f"{title} {deck.t('continued').format(k=k, n=count)}"
        slide, _ = deck.content_slide(heading)
        _page(deck, slide, top, items[(k - 1) * rows : k * rows], grid, legend_top)


def _page(deck: Any, slide: Any, top: int, items: list[dict], grid: list, legend_top: int) -> None:
    v, lang = deck.v, deck.lang
    margin = Inches(0.4)
    drawing = Drawing(slide, lang)
    text_colour = deck.accent("#000000")
    rows_top = top + 2 * BAND
    rows_bottom = rows_top + ROW_HEIGHT * len(items)
    # Text columns, then the scale.
    lefts, x = [], margin
    for _, width in COLUMNS:
        lefts.append(x)
        x += Inches(width)
    scale_left = x + Inches(0.1)
    scale = _Scale(scale_left, deck.width - margin - scale_left, [a for a, _ in grid], [b for _, b in grid])
    # Banded rows, at the back; none on a template's background, which may be dark.
    for r in range(1, len(items) if deck.template is None else 0, 2):
        drawing.shape("rect", margin, rows_top + r * ROW_HEIGHT, deck.width - 2 * margin, ROW_HEIGHT,
                      fill="#F2F2F2", name="Band")  # fmt: skip
    # Column headers, over both bands.
    for (key, width), left in zip(COLUMNS, lefts, strict=True):
        words = deck.t(key)
        lines = words.split(" (", 1)
        lines = [lines[0], f"({lines[1]}"] if len(lines) == 2 else lines
        size = min(fit_line(line, Inches(width) - Inches(0.04), 10, bold=True, smallest=6)[1] for line in lines)
        drawing.text(left, top, Inches(width), 2 * BAND, lines, size, bold=True, colour=deck.accent(styles.NAVY),
                     align="r" if key == "slip" else "l", inset=Inches(0.02), anchor="b")  # fmt: skip
    # Years over their columns, months or quarters under them.
    column = scale.column
    years: dict[int, list[int]] = {}
    for k, (first, nxt) in enumerate(grid):
        years.setdefault(first.year, []).append(k)
        name = _bucket_label(first, nxt, lang)
        text, size = fit_line(name, int(column) - Inches(0.02), 9, smallest=5)
        drawing.text(int(scale.left + k * column), top + BAND, int(column), BAND, text, size, colour=text_colour,
                     align="ctr")  # fmt: skip
    for year, columns in years.items():
        left = int(scale.left + columns[0] * column)
        width = int(len(columns) * column)
        text, size = fit_line(str(year), width - Inches(0.02), 10, bold=True, smallest=5)
        drawing.text(left, top, width, BAND, text, size, bold=True, colour=text_colour, align="ctr")
    # Grid lines: a light one between columns, a darker one between years.
    for k, (first, _) in enumerate(grid):
        new_year = k == 0 or grid[k - 1][0].year != first.year
        x = int(scale.left + k * column)
        drawing.line(x, top if new_year else top + BAND, 0, rows_bottom - (top if new_year else top + BAND),
                     YEAR_LINE if new_year else GRID, line_width=0.75 if new_year else 0.5, name="Grid")  # fmt: skip
    right = int(scale.left + len(grid) * column)
    drawing.line(right, top, 0, rows_bottom - top, YEAR_LINE, name="Grid")
    # The rows: text, then the baseline-forecast line and the markers over it.
    for r, m in enumerate(items):
        y = rows_top + r * ROW_HEIGHT
        slipped = bool(m["slipped"]) and not m["achieved"]
        cells = (m["project_id"], m["name"], _date(m["finish"], lang), _slip(m["slip_days"], lang))
        for c, ((key, width), left, value) in enumerate(zip(COLUMNS, lefts, cells, strict=True)):
            highlight = slipped and key == "slip"
            text, size = fit_line(str(value or ""), Inches(width) - Inches(0.06), 10, bold=highlight or c == 0)
            colour = deck.accent(SLIPPED) if highlight else text_colour
            drawing.text(left, y, Inches(width), ROW_HEIGHT, text, size, bold=highlight or c == 0, colour=colour,
                         align="r" if key == "slip" else "l", inset=Inches(0.03))  # fmt: skip
        middle = y + ROW_HEIGHT // 2
        at, base = scale.x(m["finish"]), scale.x(m["baseline_finish"])
        if at is not None and base is not None and abs(at - base) > MARKER // 2:
            drawing.line(min(at, base), middle, abs(at - base), 0, SLIPPED if slipped else "#7F7F7F",
                         line_width=1.25 if slipped else 0.75, dash=None if slipped else "sysDash",
                         name="Slip")  # fmt: skip
        if base is not None:
            drawing.shape("diamond", base - MARKER // 2, middle - MARKER // 2, MARKER, MARKER, fill="#FFFFFF",
                          line=styles.BASELINE, line_width=1.5, name="Baseline")  # fmt: skip
        if at is not None:
            geometry, fill, name = _marker(m)
            drawing.shape(geometry, at - MARKER // 2, middle - MARKER // 2, MARKER, MARKER, fill=fill,
                          line="#FFFFFF", line_width=0.5, name=name)  # fmt: skip
    status = scale.x(v.status_date)
    if status is not None:
        # From under the month labels: a line through one would strike it out.
        drawing.line(status, rows_top - Inches(0.03), 0, rows_bottom - rows_top + Inches(0.03), styles.STATUS_LINE,
                     line_width=2.0, name="Status date")  # fmt: skip
    _legend(deck, drawing, legend_top, text_colour)
    drawing.flush()


def _marker(m: dict) -> tuple[str, str, str]:
    if m["achieved"]:
        return "ellipse", styles.ACHIEVED, "Achieved"
    if m["slipped"]:
        return "diamond", SLIPPED, "Slipped"
    return "diamond", styles.FORECAST, "Forecast"


def _legend(deck: Any, drawing: Drawing, top: int, colour: str | None) -> None:
    limit = int(deck.v.slip_limit)
    entries = [
        ("ellipse", styles.ACHIEVED, None, deck.t("achieved")),
        ("diamond", styles.FORECAST, None, deck.t("forecast")),
        ("diamond", SLIPPED, None, f"{deck.t('forecast')}, {deck.t('slipped_beyond').format(n=limit)}"),
        ("diamond", "#FFFFFF", styles.BASELINE, deck.t("baseline")),
        ("status", styles.STATUS_LINE, None, deck.t("status_date")),
    ]
    x = Inches(0.4)
    size = 10
    height = Inches(0.3)
    for geometry, fill, line, text in entries:
        middle = top + height // 2
        if geometry == "status":
            drawing.line(x + MARKER // 2, top + Inches(0.03), 0, height - Inches(0.06), fill, line_width=2.0,
                         name="Legend")  # fmt: skip
        else:
            drawing.shape(geometry, x, middle - MARKER // 2, MARKER, MARKER, fill=fill, line=line or "#FFFFFF",
                          line_width=1.5 if line else 0.5, name="Legend")  # fmt: skip
        width = int(len(text) * 0.6 * size * 12700) + Inches(0.1)
        drawing.text(x + MARKER + Inches(0.06), top, width, height, text, size, colour=colour, inset=Inches(0.02))
        x += MARKER + Inches(0.06) + width + Inches(0.2)


def _bucket_label(first: pd.Timestamp, nxt: pd.Timestamp, lang: str) -> str:
    """A column's label under its year: ``Nov`` / ``nov.``, or ``Q1`` / ``T1`` for a quarter."""
    if (nxt - first).days > 40:
        return f"{'T' if lang == 'fr' else 'Q'}{(first.month - 1) // 3 + 1}"
    return FRENCH_SHORT_MONTHS[first.month - 1] if lang == "fr" else f"{first:%b}"


def _date(value: Any, lang: str) -> str:
    from pmo_logic.report.pptx import show

    return show(value, "date", lang)


def _slip(value: Any, lang: str) -> str:
    from pmo_logic.report.pptx import show

    return show(value, "int", lang)
