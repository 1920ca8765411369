"""Text helpers shared by the contract and the reader."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

_NOT_WORD = re.compile(r"[^a-z0-9%]+")


@lru_cache(maxsize=65536)
def _normalize(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text).casefold()
    ascii_only = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return _NOT_WORD.sub(" ", ascii_only).strip()


def normalize_label(text: object) -> str:
    """Fold a header or a drop-down label for comparison.

    People retype headers: "Date de début", "date de debut " and "DATE_DE_DEBUT" are the
    same column. Case, accents, spacing and punctuation are ignored.

    >>> normalize_label("  Date de Début ")
    'date de debut'
    """
    # Cached: the same statuses and headers come back in every row of every workbook.
    return _normalize(str(text))
