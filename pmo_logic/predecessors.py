"""Predecessor cells as project managers write them: ``12FS+2d, 7SS, 9FF-1d, 5``.

French link codes are accepted too (FD = FS, DD = SS, FF, DF = SF), lags in days (``d``/``j``)
or weeks of five working days (``w``/``s``), and ``;`` as a separator.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

LINK_TYPES = {"FS": "FS", "SS": "SS", "FF": "FF", "SF": "SF", "FD": "FS", "DD": "SS", "DF": "SF"}
_LINK = re.compile(
    r"^(?P<id>[A-Za-z0-9_.\-]*?[0-9A-Za-z])\s*(?P<type>FS|SS|FF|SF|FD|DD|DF)?"
    r"\s*(?:(?P<sign>[+-])\s*(?P<lag>\d+(?:[.,]\d+)?)\s*(?P<unit>d|j|w|s|days?|jours?|wk|weeks?|semaines?)?)?$",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Link:
    """A dependency of a task on its predecessor ``predecessor``."""

    predecessor: str
    type: str = "FS"
    lag: float = 0.0

    def __str__(self) -> str:
        lag = f"{self.lag:+g}d" if self.lag else ""
        return f"{self.predecessor}{self.type}{lag}"


class PredecessorSyntaxError(ValueError):
    """A part of a Predecessors cell that is not a link; its message says how to write one."""

    def __init__(self, part: str) -> None:
        super().__init__(part)
        self.part = part

    def __str__(self) -> str:
        return f"'{self.part}' is not a predecessor; write e.g. 12FS+2d, 7SS or 5"

    def in_french(self) -> str:
        return f"« {self.part} » n'est pas un prédécesseur ; écrivez par ex. 12FD+2j, 7DD ou 5"


def parse_predecessors(text: str | None) -> list[Link]:
    """The links of one Predecessors cell; raises `PredecessorSyntaxError` naming the bad part."""
    if text is None or (isinstance(text, float) and text != text) or not str(text).strip():
        return []  # blank, or NaN from a DataFrame column
    return list(_parse(str(text)))


@functools.lru_cache(maxsize=4096)
def _parse(text: str) -> tuple[Link, ...]:
    # Plans repeat the same cells ("12", "12FS+2d") across a portfolio: each text is parsed once.
    links = []
    for part in re.split(r"[,;]", text):
        part = part.strip()
        if not part:
            continue
        match = _LINK.match(part.replace(" ", ""))
        if match is None:
            raise PredecessorSyntaxError(part)
        lag = 0.0
        if match["lag"]:
            lag = float(match["lag"].replace(",", "."))
            unit = (match["unit"] or "d").lower()
            if unit[0] in ("w", "s"):
                lag *= 5
            if match["sign"] == "-":
                lag = -lag
        kind = LINK_TYPES[(match["type"] or "FS").upper()]
        links.append(Link(match["id"], kind, lag))
    return tuple(links)
