"""Drawn shapes (markers, lines, one-line text boxes) written as DrawingML, one slide's in one piece.

python-pptx's ``add_shape`` builds each shape through its object model, about a third of a
millisecond a shape; a drawn timeline has hundreds. `Drawing` collects a slide's shapes as XML
and appends them at once, with the ids python-pptx would have given them.

>>> drawing = Drawing(slide)  # doctest: +SKIP
>>> drawing.shape("diamond", left, top, size, size, fill="#1F3864")  # doctest: +SKIP
>>> drawing.flush()  # doctest: +SKIP
"""

from __future__ import annotations

import math
import re
from typing import Any
from xml.sax.saxutils import escape as xml_escape

from lxml import etree

_P = "http://schemas.openxmlformats.org/presentationml/2006/main"
_A = "http://schemas.openxmlformats.org/drawingml/2006/main"
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
EMU_PER_POINT = 12700
CHAR_WIDTH = 0.6
"""Average width of a character in em, generous (DejaVu Sans, LibreOffice's substitute for Calibri)."""


def fit_line(text: str, room: int, size: float, *, bold: bool = False, smallest: float = 8) -> tuple[str, float]:
    """``text`` and the type size (half points) at which it fits ``room`` EMU on one line: ``size``
    or smaller, down to ``smallest``; below that, cut with "…"."""
    text = _CONTROL.sub("", text)  # not allowed in XML: a workbook's stray control character
    room_pt = max(room / EMU_PER_POINT, 1)
    em = CHAR_WIDTH * (1.12 if bold else 1)  # bold type is wider
    fitted = min(size, room_pt / (max(len(text), 1) * em))
    if fitted < smallest:
        keep = max(int(room_pt / (smallest * em)) - 1, 1)
        text, fitted = text[:keep].rstrip() + "…", smallest
    return text, math.floor(fitted * 2) / 2


def _colour(hex_colour: str) -> str:
    return f'<a:solidFill><a:srgbClr val="{hex_colour.lstrip("#")}"/></a:solidFill>'


class Drawing:
    """The shapes to add to ``slide``, in drawing order (the first is at the back)."""

    def __init__(self, slide: Any, lang: str = "en") -> None:
        self.slide = slide
        self.lang = "fr-FR" if lang == "fr" else "en-GB"
        self.parts: list[str] = []
        self.next_id = slide.shapes._next_shape_id

    def _id(self) -> int:
        self.next_id += 1
        return self.next_id - 1

    def shape(self, geometry: str, left: int, top: int, width: int, height: int, *, fill: str | None = None,
              line: str | None = None, line_width: float = 1.0, name: str = "") -> None:  # fmt: skip
        """A preset shape (``diamond``, ``ellipse``, ``rect``...), filled with ``fill``, outlined with ``line``."""
        number = self._id()
        width_emu = int(line_width * EMU_PER_POINT)
        outline = f'<a:ln w="{width_emu}">{_colour(line)}</a:ln>' if line else "<a:ln><a:noFill/></a:ln>"
        self.parts.append(
            f'<p:sp><p:nvSpPr><p:cNvPr id="{number}" name="{xml_escape(name or geometry)} {number}"/><p:cNvSpPr/>'
            f'<p:nvPr/></p:nvSpPr><p:spPr><a:xfrm><a:off x="{int(left)}" y="{int(top)}"/>'
            f'<a:ext cx="{int(width)}" cy="{int(height)}"/></a:xfrm><a:prstGeom prst="{geometry}"><a:avLst/>'
            f"</a:prstGeom>{_colour(fill) if fill else '<a:noFill/>'}{outline}</p:spPr></p:sp>"
        )

    def line(self, left: int, top: int, width: int, height: int, colour: str, *, line_width: float = 0.75,
             dash: str | None = None, name: str = "Line") -> None:  # fmt: skip
        """A straight line from (``left``, ``top``) over ``width`` and ``height`` (one of them 0)."""
        number = self._id()
        pattern = f'<a:prstDash val="{dash}"/>' if dash else ""
        self.parts.append(
            f'<p:cxnSp><p:nvCxnSpPr><p:cNvPr id="{number}" name="{xml_escape(name)} {number}"/><p:cNvCxnSpPr/>'
            f'<p:nvPr/></p:nvCxnSpPr><p:spPr><a:xfrm><a:off x="{int(left)}" y="{int(top)}"/>'
            f'<a:ext cx="{int(width)}" cy="{int(height)}"/></a:xfrm><a:prstGeom prst="line"><a:avLst/></a:prstGeom>'
            f'<a:ln w="{int(line_width * EMU_PER_POINT)}">{_colour(colour)}{pattern}</a:ln></p:spPr></p:cxnSp>'
        )

    def text(self, left: int, top: int, width: int, height: int, lines: list[str] | str, size: float, *,
             bold: bool = False, colour: str | None = None, align: str = "l", inset: int = 0,
             anchor: str = "ctr") -> None:  # fmt: skip
        """A text box of one paragraph per line, at ``size`` (already fitted: see `fit_line`); without
        ``colour`` the text takes the template's colour."""
        number = self._id()
        paragraphs = []
        fill = _colour(colour) if colour else ""
        for line in [lines] if isinstance(lines, str) else lines:
            run = (
                f'<a:r><a:rPr lang="{self.lang}" sz="{int(size * 100)}" b="{int(bold)}" dirty="0">{fill}</a:rPr>'
                f"<a:t>{xml_escape(_CONTROL.sub('', line))}</a:t></a:r>"
            )
            paragraphs.append(f'<a:p><a:pPr algn="{align}"/>{run}</a:p>')
        self.parts.append(
            f'<p:sp><p:nvSpPr><p:cNvPr id="{number}" name="TextBox {number}"/><p:cNvSpPr txBox="1"/><p:nvPr/>'
            f'</p:nvSpPr><p:spPr><a:xfrm><a:off x="{int(left)}" y="{int(top)}"/><a:ext cx="{int(width)}" '
            f'cy="{int(height)}"/></a:xfrm><a:prstGeom prst="rect"><a:avLst/></a:prstGeom><a:noFill/></p:spPr>'
            f'<p:txBody><a:bodyPr wrap="none" lIns="{inset}" tIns="0" rIns="{inset}" bIns="0" anchor="{anchor}">'
            f"<a:noAutofit/></a:bodyPr><a:lstStyle/>{''.join(paragraphs)}</p:txBody></p:sp>"
        )

    def flush(self) -> None:
        """Append the collected shapes to the slide."""
        if not self.parts:
            return
        tree = etree.fromstring(f'<p:spTree xmlns:p="{_P}" xmlns:a="{_A}">{"".join(self.parts)}</p:spTree>')
        target = self.slide.shapes._spTree
        tail = target.find(f"{{{_P}}}extLst")  # shapes go before the tree's extension list, if any
        for element in list(tree):
            if tail is None:
                target.append(element)
            else:
                tail.addprevious(element)
        self.parts = []
