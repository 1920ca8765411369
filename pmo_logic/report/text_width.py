"""How wide a column must be for a word or a number to print whole, in Excel column-width units.

A header that wraps inside a word ("% compl / ete") or an amount shown as ``###`` is a layout
fault the pack must not make. Widths are measured with the advance widths of DejaVu Sans Bold:
what LibreOffice prints the pack's Calibri with where Calibri is missing (the machines that make
the PDF), and wider than Calibri itself, so what fits here fits in Excel too. The factor was
measured on LibreOffice 7.4's PDF of bold 10 pt words in columns 4 to 14 wide (step 0.5): a word
``em`` ems wide prints whole from ``1.36 x em + 0.5`` on.
"""

from __future__ import annotations

import re

_EM = {
    0.2: "\u202f", 0.31: "'", 0.34: "ijlîï", 0.35: " \u00a0", 0.37: "/IJ\\|ÎÏ", 0.38: ",.’·", 0.4: ":;",
    0.42: "-", 0.44: "f", 0.46: "!()[]", 0.48: "t", 0.49: "r", 0.5: "_`–", 0.52: '"*', 0.58: "?z", 0.59: "cç",
    0.6: "s", 0.64: "L", 0.65: "vxyÿ«»", 0.67: "akàâä", 0.68: "EFTeéèêëÉÈÊË", 0.69: "oôö",
    0.7: "$0123456789€£", 0.71: "hnu{}ùûü", 0.72: "SYbdgpqŸ", 0.73: "CPZÇ", 0.76: "B", 0.77: "AKRVXÀÂÄ",
    0.81: "UÙÛÜ", 0.82: "G", 0.83: "D", 0.84: "#+<=>HN^~", 0.85: "OQÔÖ", 0.87: "&", 0.92: "w", 1.0: "%@M—…",
    1.04: "m", 1.05: "æ", 1.08: "Æ", 1.09: "œ", 1.1: "W", 1.17: "Œ",
}  # fmt: skip
"""DejaVu Sans Bold advance widths in ems, grouped by width."""
WIDTHS = {ch: em for em, chars in _EM.items() for ch in chars}
WIDEST = 1.17
"""For a character not in the table: as wide as the widest one."""
PER_EM = 1.36
PADDING = 0.5


def column_width(text: str, font_size: float = 10) -> float:
    """The narrowest column that prints ``text`` on one line, bold at ``font_size`` points.

    >>> round(column_width("complete"), 1)
    7.6
    """
    em = sum(WIDTHS.get(ch, WIDEST) for ch in text)
    return PER_EM * em * font_size / 10 + PADDING


def longest_word_width(text: str, font_size: float = 10) -> float:
    """The narrowest column in which ``text`` wraps at words only, never inside one."""
    # Only a plain space or a new line breaks a line: a non-breaking space ("%\u00a0achevé") holds.
    return max((column_width(word, font_size) for word in re.split(r"[ \n\t]+", text) if word), default=PADDING)


def wrapped_lines(text: str, width: float, font_size: float = 10) -> int:
    """How many lines ``text`` takes wrapped at words in a column ``width`` wide (bold)."""
    count = 0
    for paragraph in str(text).split("\n"):
        line, n = "", 1
        for word in paragraph.split(" "):
            if line and column_width(f"{line} {word}", font_size) > width:
                line, n = word, n + 1
            else:
                line = f"{line} {word}" if line else word
        count += n
    return count


__all__ = ["column_width", "longest_word_width", "wrapped_lines"]
