"""Reading a cell the way a person typed it: French or English numbers, dates and percentages.

Each parser takes what python-calamine gives for a cell (str, float, int, bool, date,
datetime; ``""`` when empty) and returns the value or raises `CellError` with a sentence a
PMO analyst understands. ``None`` means the cell is blank.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, datetime, timedelta
from typing import Any

from pmo_logic.choices import YES_NO, ChoiceList
from pmo_logic.i18n import say
from pmo_logic.text import normalize_label


class CellError(ValueError):
    """A cell's content does not fit its column."""


class NotInListError(CellError):
    """A value that is not one of the drop-down list's."""


EXCEL_EPOCH = date(1899, 12, 30)
_MAX_SERIAL = 2958465  # 31/12/9999

_SPACES = re.compile(r"[\s\u00a0\u202f\u2009']")
_CURRENCY = re.compile(r"(€|\$|£|eur|usd|gbp|chf|k€)", re.IGNORECASE)
_DIGITS = re.compile(r"^[+-]?(\d+([.,]\d*)?|[.,]\d+)$")

MONTHS = {
    # English and French month names and abbreviations, accents folded by normalize_label.
    **{m: i for i, m in enumerate(["jan", "feb", "mar", "apr", "may", "jun"], 1)},
    **{m: i for i, m in enumerate(["jul", "aug", "sep", "oct", "nov", "dec"], 7)},
    **{
        m: i
        for i, m in enumerate(
            ["january", "february", "march", "april", "may", "june", "july", "august"],
            1,
        )
    },
    "september": 9,
    "sept": 9,
    "october": 10,
    "november": 11,
    "december": 12,
    **{
        m: i
        for i, m in enumerate(
            ["janvier", "fevrier", "mars", "avril", "mai", "juin", "juillet", "aout"],
            1,
        )
    },
    "septembre": 9,
    "octobre": 10,
    "novembre": 11,
    "decembre": 12,
    "janv": 1,
    "fevr": 2,
    "fev": 2,
    "avr": 4,
    "juil": 7,
}

_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[ t]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?z?)?$")
_DAY_FIRST = re.compile(r"^(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{2}|\d{4})$")
_YEAR_FIRST_SLASH = re.compile(r"^(\d{4})/(\d{1,2})/(\d{1,2})$")
_NAMED_MONTH = re.compile(r"^(\d{1,2})(?:er)? ([a-z]+) (\d{4})$")
_MONTH_FIRST = re.compile(r"^([a-z]+) (\d{1,2}) (\d{4})$")
_MONTH_YEAR = re.compile(r"^([a-z]+) (\d{4})$")


def is_blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def parse_text(value: Any) -> str | None:
    if type(value) is str:  # most cells: the same as the general case below, sooner
        return value.strip() or None
    if is_blank(value):
        return None
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float):
        # IDs typed as numbers come back as floats: 12.0 is "12".
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == datetime.min.time() else value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return str(value).strip()


def parse_number(value: Any, lang: str = "en") -> float | None:
    """A number from a cell: ``1234.5``, ``"1 234,50 €"``, ``"1,234.50"``, ``"(500)"``, ``"12%"``."""
    if is_blank(value):
        return None
    if isinstance(value, bool):
        raise CellError(say(lang, "expected a number, found TRUE/FALSE", "nombre attendu, trouvé VRAI/FAUX"))
    if isinstance(value, (int, float)):
        return float(value)
    if isinstance(value, (date, timedelta)):
        shown = parse_text(value)
        raise CellError(
            say(lang, f"expected a number, found the date {shown}", f"nombre attendu, trouvé la date {shown}")
        )
    text = str(value).strip()
    negative = text.startswith("(") and text.endswith(")")
    cleaned = _CURRENCY.sub("", text.strip("()"))
    percent = cleaned.strip().endswith("%")
    cleaned = _SPACES.sub("", cleaned.replace("%", ""))
    if cleaned.startswith("-") or cleaned.startswith("+"):
        sign, cleaned = cleaned[0], cleaned[1:]
        negative = negative or sign == "-"
    number = _decimal_string(cleaned, lang)
    if number is None:
        raise CellError(say(lang, f"expected a number, found {text!r}", f"nombre attendu, trouvé « {text} »"))
    result = float(number)
    if percent:
        result /= 100
    return -result if negative else result


def _decimal_string(text: str, lang: str) -> str | None:
    if "," in text and "." in text:
        # The last separator is the decimal one: 1.234,50 or 1,234.50.
        decimal = "," if text.rfind(",") > text.rfind(".") else "."
        thousands = "." if decimal == "," else ","
        text = text.replace(thousands, "").replace(decimal, ".")
    elif text.count(",") > 1:
        text = text.replace(",", "")
    elif text.count(".") > 1:
        text = text.replace(".", "")
    elif "," in text:
        whole, _, frac = text.partition(",")
        thousands_like = len(frac) == 3 and whole.isdigit() and 1 <= len(whole) <= 3
        text = text.replace(",", "") if (thousands_like and lang != "fr") else text.replace(",", ".")
    if not _DIGITS.match(text):
        return None
    return text


def parse_integer(value: Any, lang: str = "en") -> int | None:
    number = parse_number(value, lang)
    if number is None:
        return None
    if not float(number).is_integer():
        shown = parse_text(value)
        raise CellError(say(lang, f"expected a whole number, found {shown}", f"nombre entier attendu, trouvé {shown}"))
    return int(number)


def parse_percent(value: Any, lang: str = "en") -> float | None:
    """A fraction from ``0.45``, ``"45%"``, ``"45 %"`` or ``45`` (numbers above 1 are percent points)."""
    if is_blank(value):
        return None
    number = parse_number(value, lang)
    if number is None:
        return None
    if not (isinstance(value, str) and "%" in value) and 1 < number <= 100:
        number /= 100
    return number


def parse_date(value: Any, lang: str = "en") -> date | None:
    """A date from a date cell, an Excel serial number, or text: ISO, day-first, or with month names."""
    if is_blank(value):
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, bool):
        raise CellError(say(lang, "expected a date, found TRUE/FALSE", "date attendue, trouvé VRAI/FAUX"))
    if isinstance(value, (int, float)):
        if 1 <= value <= _MAX_SERIAL:
            return EXCEL_EPOCH + timedelta(days=int(value))
        raise CellError(
            say(lang, f"expected a date, found the number {value:g}", f"date attendue, trouvé le nombre {value:g}")
        )
    text = str(value).strip()
    try:
        parsed = _date_from_text(normalize_label(text), text.strip().lower())
    except ValueError:
        parsed = None
    if parsed is None:
        raise CellError(
            say(lang, f"expected a date (e.g. 23/11/2026 or 2026-11-23), found {text!r}",
                 f"date attendue (par ex. 23/11/2026 ou 2026-11-23), trouvé « {text} »")
        )  # fmt: skip
    return parsed


def _date_from_text(folded: str, raw: str) -> date | None:
    if m := _ISO.match(raw):
        return date(int(m[1]), int(m[2]), int(m[3]))
    if m := _YEAR_FIRST_SLASH.match(raw):
        return date(int(m[1]), int(m[2]), int(m[3]))
    if m := _DAY_FIRST.match(raw):
        year = int(m[3])
        if year < 100:
            year += 2000
        return date(year, int(m[2]), int(m[1]))
    if m := _NAMED_MONTH.match(folded):
        month = MONTHS.get(m[2])
        return date(int(m[3]), month, int(m[1])) if month else None
    if m := _MONTH_FIRST.match(folded):
        month = MONTHS.get(m[1])
        return date(int(m[3]), month, int(m[2])) if month else None
    if m := _MONTH_YEAR.match(folded):
        month = MONTHS.get(m[1])
        return date(int(m[2]), month, 1) if month else None
    return None


def parse_choice(value: Any, choices: ChoiceList, lang: str = "en") -> str | None:
    if is_blank(value):
        return None
    text = parse_text(value)
    assert text is not None
    code = choices.lookup(text)
    if code is None:
        allowed = ", ".join(choices.labels(lang))
        raise NotInListError(say(lang, f"{text!r} is not in the list ({allowed})",
                                  f"« {text} » n'est pas dans la liste ({allowed})"))  # fmt: skip
    return code


_TRUE = {"yes", "oui", "y", "o", "x", "true", "vrai", "1"}
_FALSE = {"no", "non", "n", "false", "faux", "0"}


def parse_flag(value: Any, lang: str = "en") -> bool | None:
    if is_blank(value):
        return None
    if isinstance(value, bool):
        return value
    if isinstance(value, (int, float)) and value in (0, 1):
        return bool(value)
    key = normalize_label(value)
    if key in _TRUE:
        return True
    if key in _FALSE:
        return False
    yes, no = YES_NO.label("yes", lang), YES_NO.label("no", lang)
    raise CellError(say(lang, f"expected {yes} or {no}, found {value!r}", f"{yes} ou {no} attendu, trouvé « {value} »"))


PARSED_TYPES: dict[str, type] = {"text": str, "choice": str, "date": date, "flag": bool, "integer": int,
                                 "number": float, "money": float, "percent": float}  # fmt: skip
"""The type of what `parser_for`'s parser returns for each column kind (or None for a blank)."""


def parser_for(kind: str, choices: ChoiceList | None, lang: str) -> Callable[[Any], Any]:
    """The parser of one column kind, bound to the workbook's language."""
    if kind == "choice":
        assert choices is not None
        return lambda v: parse_choice(v, choices, lang)
    return {
        "text": parse_text,
        "integer": lambda v: parse_integer(v, lang),
        "number": lambda v: parse_number(v, lang),
        "money": lambda v: parse_number(v, lang),
        "percent": lambda v: parse_percent(v, lang),
        "date": lambda v: parse_date(v, lang),
        "flag": lambda v: parse_flag(v, lang),
    }[kind]
