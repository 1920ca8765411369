"""The deck's risk matrix: the open threats by probability and impact, as the pack's Risk matrix tab.

The counts and each cell's level are the committee view's (`RiskMatrix`, the pack's): impact 5
at the top down to 1, probability 1 to 5 across, both scales labelled. The fills are the pack's
grey-ordered ones (`styles.LEVEL_GREYS`, light to dark with the level), so a black-and-white
print still reads the matrix; a legend names the levels, and a note counts the threats that
occurred (now issues, not in the matrix).
"""

from __future__ import annotations

from typing import Any

from lxml import etree
from pptx.oxml.ns import qn
from pptx.util import Inches

from pmo_logic import styles

LEVELS = ("low", "medium", "high", "critical")
HEAD_HEIGHT = Inches(0.36)
CELL_HEIGHT = Inches(0.74)
_DRAWING = "http://schemas.openxmlformats.org/drawingml/2006/main"
_MERGED = '<a:tc hMerge="1"><a:txBody><a:bodyPr/><a:lstStyle/><a:p/></a:txBody><a:tcPr/></a:tc>'


def draw(deck: Any) -> None:
    """The risk-matrix slide of ``deck`` (a `_Deck`)."""
    v = deck.v
    matrix = v.matrix
    slide, top = deck.content_slide(deck.t("risks"))
    margin = Inches(0.4)
    axis_width, cell_width = Inches(1.3), Inches(1.15)
    width = axis_width + 5 * cell_width
    deck.heading(slide, margin, top, width, deck.t("threat_matrix"))
    top += Inches(0.45)
    head = {"bold": True, "fill": styles.NAVY, "colour": "#FFFFFF"}
    rows = [
        (HEAD_HEIGHT, deck.cell("", axis_width, 12, fill=styles.NAVY)
         + deck.cell(f"{deck.t('probability')} →", 5 * cell_width, 12, align="ctr", **head).replace(
             "<a:tc>", '<a:tc gridSpan="5">', 1) + _MERGED * 4),
        (HEAD_HEIGHT, deck.cell(f"{deck.t('impact')} ↓", axis_width, 12, **head)
         + "".join(deck.cell(str(p), cell_width, 12, align="ctr", **head) for p in range(1, 6))),
    ]  # fmt: skip
    for k, impact in enumerate(range(5, 0, -1)):
        cells = deck.cell(str(impact), axis_width, 14, align="ctr", **head)
        for p in range(5):
            level = matrix.levels[k][p]
            fill, colour = styles.LEVEL_GREYS[level], styles.LEVEL_GREY_FONT[level]
            cells += deck.cell(deck.number(matrix.counts[k][p]), cell_width, 18, bold=True, fill=fill, colour=colour,
                               align="ctr")  # fmt: skip
        rows.append((CELL_HEIGHT, cells))
    _table(slide, rows, margin, top, [axis_width] + [cell_width] * 5)
    # The legend, lightest to darkest, and the occurred threats.
    left = margin + width + Inches(0.6)
    legend_width = deck.width - margin - left
    deck.heading(slide, left, top - Inches(0.45), legend_width, deck.t("legend"))
    legend = [
        (HEAD_HEIGHT, deck.cell(deck.code(level), legend_width, 12, fill=styles.LEVEL_GREYS[level],
                                colour=styles.LEVEL_GREY_FONT[level], bold=True))
        for level in LEVELS
    ]  # fmt: skip
    _table(slide, legend, left, top, [legend_width])
    note_top = top + HEAD_HEIGHT * len(LEVELS) + Inches(0.3)
    deck.note(slide, note_top, f"{deck.t('occurred')}{deck.colon()}{deck.number(matrix.occurred)}", left=left)


def _table(slide: Any, rows: list[tuple[int, str]], left: int, top: int, widths: list[int]) -> Any:
    """A PowerPoint table of ``rows`` (height, cells' XML), its columns ``widths`` wide."""
    shape = slide.shapes.add_table(1, len(widths), left, top, sum(widths), sum(h for h, _ in rows))
    tbl = shape.table._tbl
    for column, width in zip(tbl.tblGrid.findall(qn("a:gridCol")), widths, strict=True):
        column.set("w", str(int(width)))
    # No banding or first-row style of the default table style: every cell has its own fill.
    tbl.tblPr.set("firstRow", "0")
    tbl.tblPr.set("bandRow", "0")
    xml = "".join(f'<a:tr h="{int(height)}">{cells}</a:tr>' for height, cells in rows)
    built = etree.fromstring(f'<a:tbl xmlns:a="{_DRAWING}">{xml}</a:tbl>')
    for old in tbl.findall(qn("a:tr")):
        tbl.remove(old)
    for row in list(built):
        tbl.append(row)
    return shape
