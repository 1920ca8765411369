"""Text from workbooks stays text wherever pmo-xl writes it: CSV files, Excel input, hyperlinks.

Project workbooks come from a shared folder anyone can write to, so a task name, a risk title
or a file name may be ``=cmd|' /C calc'!A0``. Each way text leaves pmo-xl has its own rule:

- CSV (`csv_text`): OWASP's rule for CSV injection, a leading ``'`` on any field that starts
  with ``= + - @``, tab or CR, applied to every piece a reader could take for a field: a French
  Excel splits on ``;``, another reader on ``,`` or tab, and one that splits where the writer
  did not also breaks at the quotes, so every piece after a ``,``, ``;``, tab or line break
  inside the text is guarded as if it began a field.
- Excel input (`excel_text`): what is assigned to a range's value is parsed as typed, so a
  leading ``=`` is a formula; Excel's own convention, a leading ``'``, makes it text (the
  apostrophe is not part of the value).
- Hyperlinks to files (`file_link`): Excel takes the first ``#`` of a link as the start of the
  place in the file, so the file part is percent-encoded.

>>> csv_text("x;=cmd|' /C calc'!A0;x")
"x;'=cmd|' /C calc'!A0;x"
>>> excel_text("=1+1")
"'=1+1"
>>> file_link("R&D #1 50%.xlsx", "'Plan'!A1")
"external:R&D%20%231%2050%25.xlsx#'Plan'!A1"
"""

from __future__ import annotations

from typing import Any

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
"""First characters that make a spreadsheet read a field or an input as a formula (OWASP)."""

_CSV_BREAKS = frozenset(",;\t\r\n")
_CSV_SKIPPED = frozenset(' "\xa0')
"""Spaces and quotes a reader may drop before it looks at a field's first character."""

_EXCEL_START = (*FORMULA_START, "'")
"""A leading apostrophe is Excel's text marker itself: doubled, the user's own one survives."""

_URL_ESCAPES = {"%": "%25", "#": "%23", " ": "%20", '"': "%22", "<": "%3C", ">": "%3E", "[": "%5B", "]": "%5D",
                "^": "%5E", "`": "%60", "{": "%7B", "}": "%7D"}  # fmt: skip


def csv_text(text: str) -> str:
    """``text`` for a CSV field: a ``'`` before every piece that a spreadsheet could run.

    Pieces start at the beginning and after each ``,``, ``;``, tab, CR or LF; one starting
    (after spaces and quotes) with ``= + - @``, tab or CR gets a ``'`` in front.
    """
    guard = [0] if _dangerous(text, 0) else []
    guard += [k + 1 for k, ch in enumerate(text) if ch in _CSV_BREAKS and _dangerous(text, k + 1)]
    if not guard:
        return text
    pieces, last = [], 0
    for at in guard:
        pieces += [text[last:at], "'"]
        last = at
    pieces.append(text[last:])
    return "".join(pieces)


def _dangerous(text: str, start: int) -> bool:
    for ch in text[start:]:
        if ch in FORMULA_START:
            return True
        if ch not in _CSV_SKIPPED:
            return False
    return False


def excel_text(value: Any) -> Any:
    """A value to assign to an Excel range: text Excel would parse as a formula gets its ``'``.

    Numbers, dates and other text are returned as they are.
    """
    if isinstance(value, str) and value.startswith(_EXCEL_START):
        return "'" + value
    return value


def excel_rows(rows: list[list[Any]]) -> list[list[Any]]:
    """`excel_text` for every cell of a block of rows."""
    return [[excel_text(v) for v in row] for row in rows]


def file_link(path: str, location: str = "") -> str:
    """An XlsxWriter ``external:`` link to the file ``path`` (relative or absolute), at ``location``.

    The file part is percent-encoded (``#`` -> ``%23``, ``%`` -> ``%25``, space -> ``%20``...),
    which is how Excel writes such links; ``location`` (``'Plan'!A1``) follows the one ``#``.
    """
    encoded = "".join(_URL_ESCAPES.get(ch, ch) for ch in path)
    return f"external:{encoded}#{location}" if location else f"external:{encoded}"


def sheet_location(sheet: str, cell: str = "A1") -> str:
    """A cell of a sheet as a link location: ``'It''s'!A1`` (quotes doubled)."""
    return "'" + sheet.replace("'", "''") + "'!" + cell
