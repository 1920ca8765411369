"""Text helpers shared by the contract and the reader."""

from __future__ import annotations

import re
import unicodedata

_NOT_WORD = re.compile(r"[^a-z0-9%]+")


def normalize_label(text: object) -> str:
    """Fold a header or a drop-down label for comparison.

    People retype headers: "Date de début", "date de debut " and "DATE_DE_DEBUT" are the
    same column. Case, accents, spacing and punctuation are ignored.

    >>> normalize_label("  Date de Début ")
    'date de debut'
    """
    decomposed = unicodedata.normalize("NFKD", str(text)).casefold()
    ascii_only = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return _NOT_WORD.sub(" ", ascii_only).strip()
