"""Writing the roll-up: a workbook of plain Excel Tables, and CSV or Parquet files of the same tables.

Text that comes from project workbooks is always written as text: a task named
``=HYPERLINK(...)`` stays a name in the roll-up (inline strings, see `xlsx_tables`). In CSV
files every text field is quoted and guarded by OWASP's rule (`literal.csv_text`): a ``'``
before the field, and before every piece after a ``,``, ``;``, tab or line break inside it,
that starts with ``= + - @``, tab or CR, so that no spreadsheet runs it whichever separator
it splits on. Numbers, negative ones included, stay numbers.
"""

from __future__ import annotations

import csv
import os
from datetime import date, datetime
from pathlib import Path

import pandas as pd

from pmo_logic import __version__
from pmo_logic.consolidate import Portfolio
from pmo_logic.files import atomic_output
from pmo_logic.literal import csv_text
from pmo_logic.xlsx_tables import ExcelLimits, PlainSheet, Spill, TableSheet, write_tables

ROLLUP_KIND = "rollup"
_ACRONYMS = {"id", "bac", "pv", "ev", "ac", "sv", "cv", "spi", "cpi", "eac", "etc", "vac", "tcpi", "es", "at",
             "rag", "emv", "wbs"}  # fmt: skip
_SPECIAL = {"spi_t": "SPI(t)", "sv_t": "SV(t)", "ieac_t": "IEAC(t)"}


def label(column: str) -> str:
    """A column name as a header: ``spi_t`` -> ``SPI(t)``, ``project_id`` -> ``Project ID``."""
    if column in _SPECIAL:
        return _SPECIAL[column]
    words = [w.upper() if w in _ACRONYMS else w for w in column.split("_")]
    text = " ".join(words)
    return text[0].upper() + text[1:] if text else text


def write_rollup(
    path: str | os.PathLike[str],
    portfolio: Portfolio,
    *,
    overwrite: bool = True,
    limits: ExcelLimits | None = None,
    spills: list[Spill] | None = None,
) -> Path:
    """Write every table of ``portfolio`` as an Excel Table, one per sheet, atomically.

    A table beyond Excel's limits (or ``limits``) goes to a Parquet file beside the workbook, which says so
    (`xlsx_tables.Spill`, appended to ``spills`` when given).
    """
    sheets: list[TableSheet | PlainSheet] = [_table_sheet(name, frame) for name, frame in portfolio.tables().items()]
    status = portfolio.status_date.isoformat() if portfolio.status_date else ""
    meta = [["kind", ROLLUP_KIND], ["generator", f"pmo-xl {__version__}"], ["status_date", status]]
    sheets.append(PlainSheet("_meta", meta, hidden=True))
    # The kind marker too, so that a later run never reads this roll-up as a project (`validate.output_kind`).
    return write_tables(path, sheets, title="Portfolio roll-up", comments=f"pmo-xl {__version__}", overwrite=overwrite,
                        properties={"pmo_kind": ROLLUP_KIND}, limits=limits, spills=spills)  # fmt: skip


def _kind(column: str, series: pd.Series) -> str:
    if pd.api.types.is_bool_dtype(series):
        return "bool"
    if pd.api.types.is_datetime64_any_dtype(series):
        return "date"
    if pd.api.types.is_numeric_dtype(series):
        if column in ("spi", "cpi", "spi_t", "tcpi_bac", "tcpi_eac", "milestone_hit_rate", "percent_complete"):
            return "ratio"
        if column in ("bac", "pv", "ev", "ac", "sv", "cv", "eac", "etc", "vac", "budget", "actual_cost", "planned",
                      "actual", "forecast", "cost_impact", "risk_emv", "approved_budget", "reserve", "eac_cpi",
                      "eac_atypical", "eac_composite"):  # fmt: skip
            return "money"
        return "number"
    non_null = series.dropna()
    if len(non_null) and all(isinstance(v, (date, datetime)) for v in non_null.head(50)):
        return "date"
    return "text"


def _table_sheet(name: str, frame: pd.DataFrame) -> TableSheet | PlainSheet:
    sheet = label(name)[:31]
    columns = list(frame.columns)
    if not columns:
        return PlainSheet(sheet, [["(empty)"]])
    headers = [label(c) for c in columns]
    widths = []
    for column, header in zip(columns, headers, strict=True):
        head = frame[column].iloc[:200].tolist()
        widths.append(min(40, max(9, len(header) + 2, *(len(str(v)) + 1 for v in head))))
    return TableSheet(
        sheet=sheet,
        table="tbl_" + name,
        headers=headers,
        columns=[frame[c] for c in columns],
        kinds=[_kind(c, frame[c]) for c in columns],
        widths=widths,
        names=[str(c) for c in columns],
    )


def export_tables(folder: str | os.PathLike[str], portfolio: Portfolio, fmt: str = "csv") -> list[Path]:
    """One file per table in ``folder``: ``csv`` (UTF-8 with BOM, for Excel) or ``parquet`` (needs pyarrow)."""
    out = Path(folder)
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for name, frame in portfolio.tables().items():
        target = out / f"{name}.{fmt}"
        with atomic_output(target) as tmp:
            if fmt == "csv":
                guard_csv(frame).to_csv(
                    tmp, index=False, encoding="utf-8-sig", date_format="%Y-%m-%d", quoting=csv.QUOTE_NONNUMERIC
                )
            elif fmt == "parquet":
                try:
                    frame.to_parquet(tmp, index=False)
                except ImportError as exc:
                    raise RuntimeError("Parquet export needs pyarrow: pip install pyarrow") from exc
            else:
                raise ValueError(f"unknown export format {fmt!r}: use csv or parquet")
        written.append(target)
    return written


def guard_csv(frame: pd.DataFrame) -> pd.DataFrame:
    """Every text cell through `literal.csv_text`, so a spreadsheet shows it and never runs it.

    Headers are guarded too (they are ours today, but a column may one day be named after data).
    """
    guarded = frame.copy()
    guarded.columns = [csv_text(c) if isinstance(c, str) else c for c in guarded.columns]
    for column in guarded.columns:
        if guarded[column].dtype == object or pd.api.types.is_string_dtype(guarded[column]):
            guarded[column] = guarded[column].map(lambda v: csv_text(v) if isinstance(v, str) else v)
    return guarded
