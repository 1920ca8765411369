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

# The committee pack's look -------------------------------------------------------------------

PACK_FONT_SIZE = 10
"""One body type size on every tab of the pack: tabs are laid out to print at 100 %."""
PACK_LINE_HEIGHT = 13.5
"""Points per line of body text, for the explicit heights of rows with wrapped text."""
PACK_PRINT_WIDTH = 145
"""The width of every tab of the pack, in characters: fitted to A4 landscape's width, all tabs
shrink by the same factor and print their body at one type size (about 8.5 pt)."""
LOCALE = {"en": "[$-809]", "fr": "[$-40C]"}
"""The locale prefix of the pack's number formats (LCIDs: Excel and LibreOffice both honour them;
LibreOffice drops a whole format written with ``[$-fr-FR]``): French months and separators."""
CURRENCY_SYMBOL = {"EUR": "€", "USD": "$", "GBP": "£", "CHF": "CHF", "CAD": "$", "JPY": "¥"}
LEVEL_GREYS = {"low": "#E2F0D9", "medium": "#FFD966", "high": "#F4B183", "critical": "#C00000"}
"""Risk-matrix fills whose grey levels go in order, light to dark (luminance 235, 211, 190, 58),
so a black-and-white print still reads the matrix."""
LEVEL_GREY_FONT = {"low": "#000000", "medium": "#000000", "high": "#000000", "critical": "#FFFFFF"}
RAG_TEXT_FILL = {"green": "#C6EFCE", "amber": "#FFEB9C", "red": "#FFC7CE"}
"""Pale fills for figures coloured against the thresholds (a tile, SPI and CPI cells)."""
RAG_TEXT_FONT = {"green": "#006100", "amber": "#7F6000", "red": "#9C0006"}
ACHIEVED = "#375623"
FORECAST = "#1F3864"
BASELINE = "#A6A6A6"
STATUS_LINE = "#C00000"


def currency_symbol(currency: str) -> str:
    """The sign a currency code prints as (``EUR`` → ``€``); a code without one as it is."""
    return CURRENCY_SYMBOL.get(currency.upper(), currency) if currency else ""


def with_currency(amount: str, lang: str, currency: str) -> str:
    """An amount's text with its currency as the pack's number formats place it: ``€1,234``,
    ``1 234 €`` (a non-breaking space), ``1,234 CHF``."""
    symbol = currency_symbol(currency)
    if not symbol:
        return amount
    if lang == "fr":
        return f"{amount}\u00a0{symbol}"
    return f"{symbol}{amount}" if len(symbol) == 1 else f"{amount} {symbol}"


def pack_formats(lang: str, currency: str = "") -> dict[str, str]:
    """The pack's number formats in ``lang``: money (with the currency), ratio, percent, dates, months.

    French: thousands in spaces, a decimal comma, "sept. 2026", and a non-breaking space
    before % and the currency.
    """
    loc = LOCALE.get(lang, LOCALE["en"])
    symbol = currency_symbol(currency)
    if lang == "fr":
        unit = f'"\u00a0{symbol}"' if symbol else ""
        money = f"#,##0{unit}"
        pct = '"\u00a0"%'
    else:
        unit = f'"{symbol}"' if symbol else ""
        money = f"{unit}#,##0" if len(symbol) == 1 else (f'#,##0" {symbol}"' if symbol else "#,##0")
        pct = "%"
    return {
        "money": loc + money,
        "signed_money": f"{loc}+{money};-{money};{money}",
        "ratio": f"{loc}0.00",
        "percent": f"{loc}+0.0{pct};-0.0{pct};0.0{pct}",
        "plain_percent": f"{loc}0{pct}",
        "int": f"{loc}0",
        "date": f"{loc}d mmm yyyy",
        "month": f"{loc}mmm yyyy",
        "short_month": f"{loc}mmm yy",
    }


def number_format(kind: str, lang: str) -> str | None:
    """The Excel number format for a column kind, or None for text."""
    fmt = NUMBER_FORMATS.get(kind)
    if isinstance(fmt, dict):
        return fmt[lang]
    return fmt
