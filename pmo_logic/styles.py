"""The look of every sheet pmo-xl writes: one place for fonts, colours and number formats.

The RAG palette keeps distinct grey levels so that a black-and-white print still tells red
from amber from green.
"""

from __future__ import annotations

FONT = "Calibri"
FONT_SIZE = 10

NAVY = "#1F3864"
INPUT_HEADER = "#2F5597"
COMPUTED_HEADER = "#595959"
COMPUTED_FILL = "#EDEDED"
KEY_FILL = "#DDEBF7"
BORDER = "#BFBFBF"

RAG_FILL = {"green": "#63BE7B", "amber": "#FFC000", "red": "#C00000"}
RAG_FONT = {"green": "#000000", "amber": "#000000", "red": "#FFFFFF"}
NO_DATA_FILL = "#F2F2F2"
"""A RAG dimension without data: pale grey with grey text, lighter than any RAG colour in print."""
NO_DATA_FONT = "#595959"
LEVEL_FILL = {"low": "#C6EFCE", "medium": "#FFEB9C", "high": "#F8CBAD", "critical": "#C00000"}
LEVEL_FONT = {"low": "#006100", "medium": "#7F6000", "high": "#833C0B", "critical": "#FFFFFF"}
LATE_FILL = "#FFC7CE"
LATE_FONT = "#9C0006"
WARN_FILL = "#FFEB9C"

NUMBER_FORMATS = {
    "date": {"en": "dd mmm yyyy", "fr": "dd/mm/yyyy"},
    "money": "#,##0",
    "number": "0.##",
    "percent": "0%",
    "integer": "0",
}

TABLE_STYLE = "Table Style Light 1"


def number_format(kind: str, lang: str) -> str | None:
    """The Excel number format for a column kind, or None for text."""
    fmt = NUMBER_FORMATS.get(kind)
    if isinstance(fmt, dict):
        return fmt[lang]
    return fmt
