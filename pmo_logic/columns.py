"""What a column of a template is: headers in both languages, type, drop-down, help.

An input column is declared once, as metadata on a pydantic field
(``Annotated[date | None, Col("Start", "Début", "date")]``); the template builder, the
reader, the validator and the UDFs all read it from there. A computed column is a
`Computed`: an Excel formula for the workbook and its pandas twin, side by side, so a
test can recalculate one in LibreOffice and compare it with the other.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Literal

from pmo_logic.choices import ChoiceList
from pmo_logic.i18n import typeset
from pmo_logic.text import normalize_label

if TYPE_CHECKING:
    import pandas as pd
    from pydantic import BaseModel

ColumnKind = Literal["text", "integer", "number", "money", "percent", "date", "choice", "flag"]


class Bilingual:
    """Header and help text in the workbook's language (``en``/``fr`` and ``help_en``/``help_fr``)."""

    en: str
    fr: str
    help_en: str
    help_fr: str

    def header(self, lang: str) -> str:
        return self.fr if lang == "fr" else self.en

    def help(self, lang: str) -> str:
        return typeset(self.help_fr, lang) if lang == "fr" else self.help_en


@dataclass(frozen=True)
class Col(Bilingual):
    """An input column (or a key of a key/value sheet such as Project)."""

    en: str
    fr: str
    kind: ColumnKind = "text"
    required: bool = False
    choices: ChoiceList | None = None
    help_en: str = ""
    help_fr: str = ""
    width: float = 14
    minimum: float | None = None
    maximum: float | None = None
    aliases: tuple[str, ...] = ()

    def names(self) -> set[str]:
        """Every normalised header that reads as this column."""
        return {normalize_label(n) for n in (self.en, self.fr, *self.aliases)}


@dataclass(frozen=True)
class ComputeContext:
    """What a computed column needs besides its row: the status date and the calendar."""

    status_date: date | None = None
    non_working_days: tuple[date, ...] = ()
    lang: str = "en"


@dataclass(frozen=True)
class Computed(Bilingual):
    """A computed column: an Excel formula and the pandas function that must agree with it.

    ``formula`` is a template: ``{budget}`` is this row's Budget cell (a full structured
    reference), ``{status=done}`` the label of code ``done`` in that column's list,
    ``{list.risk_level.high}`` the label of a value of any list, ``{Tasks.budget}`` a whole
    table column. Defined names (``StatusDate``, ``NonWorkingDays``) are written as is.
    """

    key: str
    en: str
    fr: str
    kind: ColumnKind
    formula: str
    compute: Callable[[pd.DataFrame, ComputeContext], pd.Series]
    help_en: str = ""
    help_fr: str = ""
    width: float = 14
    choices: ChoiceList | None = None


@dataclass(frozen=True)
class ComputedValue(Bilingual):
    """A computed cell of a key/value sheet (e.g. the Project sheet's total budget)."""

    key: str
    en: str
    fr: str
    kind: ColumnKind
    formula: str
    help_en: str = ""
    help_fr: str = ""


@dataclass(frozen=True)
class ColumnSpec:
    """A model field with its column metadata."""

    name: str
    col: Col
    python_type: object = field(default=None, compare=False)


def input_columns(model: type[BaseModel]) -> list[ColumnSpec]:
    """The input columns of a row model, in the order of its fields."""
    # Asked for every sheet, cell address and finding: the models do not change, so once each.
    return list(_input_columns(model))


@functools.cache
def _input_columns(model: type[BaseModel]) -> tuple[ColumnSpec, ...]:
    specs = []
    for name, info in model.model_fields.items():
        col = next((m for m in info.metadata if isinstance(m, Col)), None)
        if col is not None:
            specs.append(ColumnSpec(name, col, info.annotation))
    return tuple(specs)
