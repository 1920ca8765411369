"""A problem found while reading a workbook: what, where, and how bad."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel

from pmo_logic.i18n import typeset

Severity = Literal["error", "warning", "info"]


class Problem(BaseModel):
    """Something the reader could not take as written.

    ``cell`` is an address such as ``B7`` (empty when the problem is the whole file or sheet),
    so the user can go straight to it. ``message`` is in the workbook's language; ``messages``
    holds it in every language it was written in (``{"en": ..., "fr": ...}``), for what the
    reader says before it knows the workbook's language (a damaged or locked file) and for
    what consolidation says: the portfolio's language then chooses (`says`).
    """

    code: str
    severity: Severity
    file: str
    sheet: str = ""
    cell: str = ""
    message: str
    messages: dict[str, str] = {}

    def says(self, lang: str) -> str:
        """The message in ``lang`` where it was written in it, else as the workbook says it."""
        return self.messages.get(lang) or self.message

    def location(self) -> str:
        """``file``, ``file › sheet`` or ``file › sheet!cell``."""
        where = self.file
        if self.sheet:
            where += f" › {self.sheet}"
            if self.cell:
                where += f"!{self.cell}"
        return where

    def __str__(self) -> str:
        return f"{self.location()}: {self.message}"


def in_both(en: str, fr: str, lang: str = "en") -> dict[str, Any]:
    """The ``message`` and ``messages`` of a problem or finding said in English and French:
    ``message`` in ``lang``, the French set in French typography (non-breaking spaces before
    ``:``, ``;``, ``?``, ``!``, ``%``).

    >>> in_both("the file is empty", "le fichier est vide : restaurez-le", "fr")["message"]
    'le fichier est vide\\xa0: restaurez-le'
    """
    fr = typeset(fr, "fr")
    return {"message": fr if lang == "fr" else en, "messages": {"en": en, "fr": fr}}
