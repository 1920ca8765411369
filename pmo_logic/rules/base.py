"""What a validation rule is, and the context it checks a workbook in.

A rule is a small unit, like a ruff rule: a stable code, a severity, a one-line summary, a
"why it matters" for the PMO analyst, a message template, a check function, and an example
that triggers it (used by the tests and the docs). Rules register themselves in `CATALOGUE`
with the `rule` decorator.
"""

from __future__ import annotations

import re
import string
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd
from xlsxwriter.utility import xl_col_to_name

from pmo_logic.findings import Finding
from pmo_logic.frames import given_arrays
from pmo_logic.i18n import Words, typeset
from pmo_logic.models import ProjectWorkbook
from pmo_logic.problems import Severity
from pmo_logic.schedule import Schedule
from pmo_logic.sheets import PROJECT_KIND, sheet
from pmo_logic.validation_settings import ValidationSettings
from pmo_logic.workdays import WorkCalendar

Family = Literal[
    "reading",
    "consolidation",
    "structure",
    "dates",
    "logic",
    "progress",
    "milestones",
    "raid",
    "budget",
    "interfaces",
    "dcma",
]
FAMILY_TITLES: dict[str, str] = {
    "reading": "Reading the workbook",
    "consolidation": "Consolidating the portfolio",
    "structure": "Structure",
    "dates": "Dates",
    "logic": "Logic (dependencies)",
    "progress": "Progress",
    "milestones": "Milestones",
    "raid": "RAID log",
    "budget": "Budget",
    "interfaces": "Interfaces between projects",
    "dcma": "DCMA 14-point schedule assessment",
}


@dataclass(frozen=True)
class Hit:
    """Where a rule fired: a sheet (by key), an Excel row and a field, and the message's values."""

    sheet: str
    row: int | None = None
    column: str | None = None
    item: str = ""
    params: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Example:
    """How to make the clean example project trigger the rule, and the cell that must be named.

    ``change`` edits the models before the workbook is written; ``edit_file`` (optional)
    edits the written file with openpyxl, for what models cannot hold (a typed-over formula);
    ``settings`` are the validation settings the rule needs (a calendar country).
    """

    change: Callable[[ProjectWorkbook], None]
    address: str
    edit_file: Callable[[Path], None] | None = None
    settings: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Rule:
    code: str
    severity: Severity
    family: Family
    summary: str
    why: str
    message: str
    check: Callable[[ValidationContext], Iterable[Hit]] | None = None
    example: Example | None = None
    needs_portfolio: bool = False
    message_fr: str = ""
    """The message in French, with the same placeholders: for French workbooks."""
    reading: str = ""
    """How the rule counts, where readings differ between tools (which tasks, formula, source)."""

    def render(self, lang: str, item: str, params: Mapping[str, Any]) -> str:
        """The message in ``lang`` (English where there is no translation), its placeholders filled
        from ``params`` (see `Words`)."""
        values = {k: v.say(lang) if isinstance(v, Words) else v for k, v in params.items()}
        if lang == "fr" and self.message_fr:
            message = _FRENCH.format(self.message_fr, item=item, **values)
            return typeset(message[:1].upper() + message[1:], "fr")  # "Mars 2026 (...) n'a pas de prévision"
        return self.message.format(item=item, **values)

    @property
    def source(self) -> str:
        if self.check is not None:
            return "validator"
        return "reader" if self.family == "reading" else "consolidation"


CATALOGUE: dict[str, Rule] = {}


def rule(
    code: str,
    severity: Severity,
    family: Family,
    *,
    summary: str,
    why: str,
    message: str,
    message_fr: str,
    example: Example | None = None,
    needs_portfolio: bool = False,
    reading: str = "",
) -> Callable[[Callable[[ValidationContext], Iterable[Hit]]], Callable[[ValidationContext], Iterable[Hit]]]:
    """Register a check function as a rule of the catalogue."""

    def register(check: Callable[[ValidationContext], Iterable[Hit]]) -> Callable[..., Iterable[Hit]]:
        if code in CATALOGUE:
            raise ValueError(f"rule code {code} is used twice")
        CATALOGUE[code] = Rule(code, severity, family, summary, why, message, check, example, needs_portfolio,
                               message_fr=message_fr, reading=reading)  # fmt: skip
        return check

    return register


def reader_rule(code: str, severity: Severity, *, summary: str, why: str, message: str, message_fr: str = "") -> None:
    """A catalogue entry for a problem the reader itself reports (it has no check here)."""
    CATALOGUE[code] = Rule(code, severity, "reading", summary, why, message, message_fr=message_fr)


def portfolio_rule(
    code: str, severity: Severity, family: Family, *, summary: str, why: str, message: str, message_fr: str = ""
) -> None:
    """A catalogue entry for a check consolidation makes across the portfolio's workbooks."""
    CATALOGUE[code] = Rule(code, severity, family, summary, why, message, needs_portfolio=True, message_fr=message_fr)


FRENCH_MONTHS = ("janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre",
                 "novembre", "décembre")  # fmt: skip


_ENGLISH_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
                   "November", "December")  # fmt: skip


def month_words(day: Any) -> Words:
    """A month as "March 2026" / "mars 2026" (English without depending on the machine's locale)."""
    stamp = pd.Timestamp(day)
    return Words(f"{_ENGLISH_MONTHS[stamp.month - 1]} {stamp.year}", f"{FRENCH_MONTHS[stamp.month - 1]} {stamp.year}")


_DECIMAL_POINT = re.compile(r"(?<=\d)\.(?=\d)")
_PERCENT = re.compile(r"(?<=\d)%")


def french_figures(text: str) -> str:
    """Figures already written in English as French writes them: "5.0%" -> "5,0 %", "n/a" -> "n.d."."""
    if text == "n/a":
        return "n.d."
    return _PERCENT.sub("\u00a0%", _DECIMAL_POINT.sub(",", text))


class _FrenchFormatter(string.Formatter):
    """French number typography: 12 500 and 12 % (no-break spaces, as Excel writes them in French), 3,5."""

    def format_field(self, value: Any, format_spec: str) -> str:
        text = super().format_field(value, format_spec)
        if isinstance(value, bool) or not isinstance(value, (int, float, np.number)):
            return text
        text = text.replace(",", "\u00a0").replace(".", ",")
        return text[:-1] + "\u00a0%" if format_spec.endswith("%") else text


_FRENCH = _FrenchFormatter()


@dataclass
class PortfolioIndex:
    """What the other projects of the portfolio hold, for checks across workbooks."""

    milestones: dict[str, set[str] | None] = field(default_factory=dict)
    """Project ID -> IDs of its Plan rows (None: registered, but its workbook was not read)."""


class Columns:
    """A DataFrame's columns as numpy arrays, converted on first use."""

    def __init__(self, frame: pd.DataFrame) -> None:
        self.frame = frame
        self._arrays: dict[str, np.ndarray] = {}

    def __getitem__(self, name: str) -> np.ndarray:
        array = self._arrays.get(name)
        if array is None:
            array = self._arrays[name] = self.frame[name].to_numpy()
        return array

    def __contains__(self, name: str) -> bool:
        return name in self.frame


def isin(values: np.ndarray, choices: Iterable[Any]) -> np.ndarray:
    """``Series.isin`` for an object array that may hold None and NaN (which numpy cannot sort)."""
    result = np.zeros(len(values), dtype=bool)
    for choice in choices:
        result |= values == choice
    return result


def blank(values: np.ndarray) -> np.ndarray:
    """``Series.isna``: None, NaN and NaT."""
    return pd.isna(values)


@dataclass
class ValidationContext:
    """Everything a check needs about one project workbook."""

    workbook: ProjectWorkbook
    settings: ValidationSettings
    calendar: WorkCalendar
    schedule: Schedule
    frames: Mapping[str, pd.DataFrame]
    """Each table sheet's rows as a DataFrame (``rows_to_frame``), with ``source_row``;
    a `SheetFrames` builds them when first asked for."""
    portfolio: PortfolioIndex | None = None
    cache: dict[str, Any] = field(default_factory=dict)

    @property
    def calendar_days(self) -> Any:
        """The calendar's non-working days (holidays and the project's days off)."""
        return self.calendar.holidays

    @property
    def status_date(self) -> date | None:
        return self.workbook.project.status_date

    @property
    def lang(self) -> str:
        return self.workbook.meta.language

    @property
    def plan(self) -> pd.DataFrame:
        """The Plan frame with the schedule's columns (``es``, ``total_float``, ``critical``...)."""
        return self.frames["plan_scheduled"]

    def rows(self, key: str) -> pd.DataFrame:
        return self.frames[key]

    def arrays(self, key: str) -> Columns | Mapping[str, np.ndarray]:
        """The columns of ``rows(key)`` as numpy arrays, for masks: the arrays its frame is built
        from where the sheet was given by them, else its frame's, each converted once.

        A pandas operation costs ~50 us whatever the size; rules on a few hundred rows are
        mostly that overhead, and consolidation runs every rule on every workbook.
        """
        columns = self.cache.get(("arrays", key))
        if columns is None:
            given = given_arrays(self.frames, key)
            columns = self.cache[("arrays", key)] = given if given is not None else Columns(self.frames[key])
        return columns

    def index(self, key: str) -> np.ndarray:
        """The labels of ``rows(key)``'s index; a sheet given by its arrays has the default one."""
        given = given_arrays(self.frames, key)
        if given is not None:
            return np.arange(len(given["source_row"]))
        return self.frames[key].index.to_numpy()

    def at(self, key: str, label: Any, name: str) -> Any:
        """``rows(key).at[label, name]``, without building the frame for a sheet given by its arrays."""
        given = given_arrays(self.frames, key)
        if given is not None:
            return given[name][label]  # its frame has the default index: labels are positions
        return self.frames[key].at[label, name]

    def position(self, key: str, label: Any) -> int:
        """Where the row labelled ``label`` (a row's ``name``) is in ``rows(key)``."""
        given = given_arrays(self.frames, key)
        return int(label) if given is not None else self.frames[key].index.get_loc(label)

    def each_row(self, key: str, mask: pd.Series | np.ndarray) -> Iterator[pd.Series | ArrayRow]:
        """`each_row` of ``rows(key)``: for a sheet given by its arrays, each selected row as an
        `ArrayRow`, without building the DataFrame."""
        if isinstance(mask, np.ndarray) and mask.dtype == bool and not mask.any():
            return iter(())
        given = given_arrays(self.frames, key)
        if given is None or not isinstance(mask, np.ndarray) or mask.dtype != bool:
            return each_row(self.frames[key], mask)
        return (ArrayRow(given, at) for at in np.flatnonzero(mask).tolist())

    # where things are ----------------------------------------------------------------

    def sheet_name(self, key: str) -> str:
        layout = self.workbook.layout.get(key)
        return layout.name if layout else sheet(PROJECT_KIND, key).name(self.lang)

    def cell(self, key: str, row: int | None, field_name: str | None) -> str:
        """The address of a field in a row (table sheets) or of a key (key/value sheets)."""
        schema = sheet(PROJECT_KIND, key)
        layout = self.workbook.layout.get(key)
        if schema.layout == "keyvalue":
            if field_name is None:
                return ""
            if layout and field_name in layout.cells:
                return layout.cells[field_name]
            names = [s.name for s in schema.columns()]
            return f"B{names.index(field_name) + 2}" if field_name in names else ""
        if row is None:
            return ""
        if layout is not None and layout.header_row is None and layout.cells:
            return layout.cells.get(str(row), "")  # a schedule file's task: its ID and name stand for the cell
        if field_name is None:
            field_name = schema.columns()[0].name
        if layout and field_name in layout.columns:
            column = layout.columns[field_name]
        else:
            keys = [s.name for s in schema.columns()] + [c.key for c in schema.computed]
            if field_name not in keys:
                return ""
            column = keys.index(field_name)
        return f"{xl_col_to_name(column)}{row}"

    def finding(self, rule_: Rule, hit: Hit) -> Finding:
        params = {k: _show(v) for k, v in hit.params.items()}
        # Both languages, where the rule has its French: the roll-up speaks the portfolio's.
        messages = {lang: rule_.render(lang, hit.item, params) for lang in ("en", "fr")} if rule_.message_fr else {}
        return Finding(
            code=rule_.code,
            severity=rule_.severity,
            project=self.workbook.project.project_id or "",
            file=Path(self.workbook.source).name if self.workbook.source else "",
            sheet=self.sheet_name(hit.sheet),
            cell=self.cell(hit.sheet, hit.row, hit.column),
            item=hit.item,
            message=messages.get(self.lang) or rule_.render(self.lang, hit.item, params),
            messages=messages,
        )


class ArrayRow:
    """One row of a sheet given by its arrays, valued as ``DataFrame.iterrows`` values it (Python
    numbers and booleans, pandas Timestamps, NaT; tested), with its position as ``name``."""

    __slots__ = ("_arrays", "name")

    def __init__(self, arrays: Mapping[str, np.ndarray], position: int) -> None:
        self._arrays, self.name = arrays, position

    def __getitem__(self, column: str) -> Any:
        return _boxed(self._arrays[column][self.name])

    def get(self, column: str, default: Any = None) -> Any:
        return self[column] if column in self._arrays else default


def _boxed(value: Any) -> Any:
    if isinstance(value, np.datetime64):
        return pd.NaT if np.isnat(value) else pd.Timestamp(value)
    if isinstance(value, np.generic):
        return value.item()  # numpy float, int and bool as Python's
    return value


def _show(value: Any) -> Any:
    if isinstance(value, pd.Timestamp):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def each_row(frame: pd.DataFrame, mask: pd.Series | np.ndarray) -> Iterator[pd.Series]:
    """The rows of ``frame`` where ``mask`` holds (NaN counts as False), in sheet order."""
    values = mask.to_numpy() if isinstance(mask, pd.Series) else np.asarray(mask)
    # Most masks select nothing: decide that with numpy before any pandas indexing.
    selected = values if values.dtype == bool else pd.Series(values).fillna(False).astype(bool).to_numpy()
    if not selected.any():
        return
    for _, row in frame[selected].iterrows():
        yield row


def row_of(value: Any) -> int | None:
    return None if value is None or pd.isna(value) else int(value)


def item_of(value: Any) -> str:
    return "" if value is None or (isinstance(value, float) and pd.isna(value)) else str(value)
