"""Predecessor cells as project managers write them: ``12FS+2d, 7SS, 9FF-1d, 5``.

French link codes are accepted too (FD = FS, DD = SS, FF, DF = SF), and ``;`` as a separator.
Lags are in working days (``d``/``j``), weeks of five working days (``w``/``s``/``sem``), working
hours (``h``) or minutes (``min``), or elapsed calendar time as MS Project writes it (``2ed``,
``1ew``, ``12eh``; ``2jé``, ``1semé`` in French). A French decimal comma inside a lag that has a
unit is a decimal: ``5FD+1,5j`` is one link with a lag of a day and a half, while ``5,6`` and
``3+2,4`` are two links each.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

LINK_TYPES = {"FS": "FS", "SS": "SS", "FF": "FF", "SF": "SF", "FD": "FS", "DD": "SS", "DF": "SF"}

# Unit as written -> (unit of Link.lag, factor). "d": working days, "h": working hours,
# "ed": elapsed (calendar) days.
_UNITS: dict[str, tuple[str, float]] = {}
for _names, _unit, _factor in (
    (("d", "j", "day", "days", "jour", "jours", "jr", "jrs"), "d", 1.0),
    (("w", "s", "wk", "wks", "week", "weeks", "sem", "semaine", "semaines"), "d", 5.0),
    (("h", "hr", "hrs", "hour", "hours", "heure", "heures"), "h", 1.0),
    (("min", "mins", "minute", "minutes", "mn"), "h", 1 / 60),
    (("ed", "ej", "eday", "edays", "jé", "je"), "ed", 1.0),
    (("ew", "es", "ewk", "eweek", "eweeks", "esem", "semé", "seme", "sé"), "ed", 7.0),
    (("eh", "ehr", "ehour", "ehours", "hé"), "ed", 1 / 24),
    (("emin", "emins", "eminute", "eminutes", "miné"), "ed", 1 / 1440),
):
    for _name in _names:
        _UNITS[_name] = (_unit, _factor)
_UNIT = "|".join(sorted(map(re.escape, _UNITS), key=len, reverse=True))
_LINK = re.compile(
    r"^(?P<id>[A-Za-z0-9_.\-]*?[0-9A-Za-z])\s*(?P<type>FS|SS|FF|SF|FD|DD|DF)?"
    rf"\s*(?:(?P<sign>[+-])\s*(?P<lag>\d+(?:[.,]\d+)?)\s*(?P<unit>{_UNIT})?)?$",
    re.IGNORECASE,
)
# "+1,5j": a comma between the digits of a lag that ends with its unit is a decimal comma;
# without a unit ("3+2,4") the comma separates two links, as it does between IDs ("5,6").
_DECIMAL_COMMA = re.compile(rf"([+-]\s*\d+),(\d+\s*(?:{_UNIT})\s*(?:$|[,;]))", re.IGNORECASE)


@dataclass(frozen=True)
class Link:
    """A dependency of a task on its predecessor ``predecessor``.

    ``lag`` is in ``unit``: working days ("d"), working hours ("h", converted with the
    calendar's hours per day) or elapsed calendar days ("ed", counted through weekends and
    holidays)."""

    predecessor: str
    type: str = "FS"
    lag: float = 0.0
    unit: str = "d"

    def __str__(self) -> str:
        lag = f"{self.lag:+g}{self.unit}" if self.lag else ""
        return f"{self.predecessor}{self.type}{lag}"

    def working_days(self, hours_per_day: float = 8.0) -> float:
        """The lag in working days (an elapsed lag: its calendar days, as the nearest reading)."""
        return self.lag / hours_per_day if self.unit == "h" else self.lag


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
    """The links of one Predecessors cell; raises `PredecessorSyntaxError` naming the bad part.

    >>> parse_predecessors("5FD+1,5j; 7SS+4h")
    [Link(predecessor='5', type='FS', lag=1.5, unit='d'), Link(predecessor='7', type='SS', lag=4.0, unit='h')]
    """
    if text is None or (isinstance(text, float) and text != text) or not str(text).strip():
        return []  # blank, or NaN from a DataFrame column
    return list(_parse(str(text)))


@functools.lru_cache(maxsize=4096)
def _parse(text: str) -> tuple[Link, ...]:
    # Plans repeat the same cells ("12", "12FS+2d") across a portfolio: each text is parsed once.
    links = []
    for part in re.split(r"[,;]", _DECIMAL_COMMA.sub(r"\1.\2", text)):
        part = part.strip()
        if not part:
            continue
        match = _LINK.match(part.replace(" ", ""))
        if match is None:
            raise PredecessorSyntaxError(part)
        lag, unit = 0.0, "d"
        if match["lag"]:
            unit, factor = _UNITS[(match["unit"] or "d").lower()]
            lag = float(match["lag"].replace(",", ".")) * factor
            if match["sign"] == "-":
                lag = -lag
        kind = LINK_TYPES[(match["type"] or "FS").upper()]
        links.append(Link(match["id"], kind, lag, unit if lag else "d"))
    return tuple(links)
