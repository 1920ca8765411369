"""Rows of a sheet as a pandas DataFrame, with the sheet's computed columns added."""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd
from pydantic import BaseModel

from pmo_logic.columns import ComputeContext, input_columns
from pmo_logic.sheets import SheetSchema
from pmo_logic.workdays import date_array

_DTYPES = {
    "date": "datetime64[ns]",
    "money": "float64",
    "number": "float64",
    "percent": "float64",
    "integer": "float64",
}


def rows_to_frame(rows: Sequence[BaseModel], model: type[BaseModel]) -> pd.DataFrame:
    """One column per input column of ``model`` (dates as datetime64, numbers as float, NaN/NaT if blank).

    ``source_row`` is kept as a column too, so each figure stays traceable to its cell.
    """
    return frame_from_columns(row_columns(rows, model))


def row_columns(rows: Sequence[BaseModel], model: type[BaseModel]) -> dict[str, Any]:
    """The typed arrays `rows_to_frame` builds its DataFrame from (see `typed_columns`)."""
    return typed_columns(lambda name: [getattr(r, name) for r in rows], [r.source_row for r in rows], model)


def parsed_columns(columns: dict[str, list[Any]], source_rows: list[int], model: type[BaseModel]) -> dict[str, Any]:
    """`row_columns` from a sheet read column by column (the reader's `ParsedTable`).

    Equal to ``row_columns`` of the models built from the same values (tested), without
    reading every value back from every model.
    """
    blank = [None] * len(source_rows)
    return typed_columns(lambda name: columns.get(name, blank), list(source_rows), model)


def typed_columns(
    values_of: Callable[[str], list[Any]], source_rows: list[Any], model: type[BaseModel]
) -> dict[str, Any]:
    """Each input column of ``model`` as the numpy array its DataFrame column holds, then
    ``source_row``: an int64 array when every row has one, else the list as it is."""
    data: dict[str, Any] = {}
    for spec in input_columns(model):
        values = values_of(spec.name)
        dtype = _DTYPES.get(spec.col.kind)
        # numpy reads None as NaT/NaN itself: one conversion per column, no per-cell pandas work.
        if dtype == "datetime64[ns]":
            days = date_array(values)
            if days is None:
                days = np.array(values, dtype="datetime64[D]")
            data[spec.name] = days.astype("datetime64[s]")
        elif dtype:
            data[spec.name] = np.array(values, dtype="float64")
        else:
            data[spec.name] = _objects(values)
    rows_known = bool(source_rows) and all(type(r) is int for r in source_rows)
    data["source_row"] = np.array(source_rows, dtype=np.int64) if rows_known else source_rows
    return data


def frame_from_columns(data: dict[str, Any]) -> pd.DataFrame:
    """The DataFrame of `typed_columns`' arrays."""
    names = tuple(data)
    if isinstance(data["source_row"], np.ndarray):
        fast = from_arrays(list(data.values()), names)
        if fast is not None:
            return fast
    # The public constructor would read object arrays of text as pandas' string dtype.
    public = {k: pd.Series(v, dtype=object) if v.dtype == object else v for k, v in data.items() if k != "source_row"}
    public["source_row"] = list(data["source_row"])
    return pd.DataFrame(public, columns=list(names))


def from_arrays(arrays: list[np.ndarray], names: tuple[str, ...]) -> pd.DataFrame | None:
    """A DataFrame straight from typed arrays, without pandas re-checking and re-inferring each one.

    The public constructor costs ~0.8 ms for a 25-column sheet, ten times the data; every
    project workbook has nine such sheets. The arrays here are already what the constructor
    would make (tested against it), so its private fast path is used where this pandas has it.
    """
    try:
        return pd.DataFrame._from_arrays(  # type: ignore[attr-defined]
            arrays, columns=_columns(names), index=pd.RangeIndex(len(arrays[-1])), verify_integrity=False
        )
    except (AttributeError, TypeError):
        return None


@functools.lru_cache(maxsize=64)
def _columns(names: tuple[str, ...]) -> pd.Index:
    return pd.Index(list(names))


def _objects(values: list[object]) -> np.ndarray:
    """An object column as pandas' own inference leaves it: NaN for the blanks of a text
    column, None elsewhere (flags, mixed or empty columns), without the cost of inferring."""
    column = np.empty(len(values), dtype=object)
    kinds = set(map(type, values))
    kinds.discard(type(None))
    if kinds == {str}:  # some text, and nothing but text
        column[:] = [np.nan if v is None else v for v in values]
    else:
        column[:] = values
    return column


def with_computed(frame: pd.DataFrame, schema: SheetSchema, ctx: ComputeContext) -> pd.DataFrame:
    """``frame`` plus the sheet's computed columns, each from the pandas twin of its formula."""
    out = frame.copy()
    for computed in schema.computed:
        out[computed.key] = computed.compute(out, ctx)
    return out


def sheet_frame(rows: Sequence[BaseModel], schema: SheetSchema, ctx: ComputeContext) -> pd.DataFrame:
    """The rows of a table sheet with its computed columns."""
    assert schema.model is not None
    return with_computed(rows_to_frame(rows, schema.model), schema, ctx)


class SheetFrames(Mapping[str, pd.DataFrame]):
    """The table sheets as DataFrames, each built the first time something asks for it.

    Validation mostly needs a sheet's columns as arrays (`arrays`); the DataFrame is built
    only for a rule that selects rows to report, or for the KPIs. On a clean workbook of a
    large portfolio that saves building nine frames per workbook.
    """

    def __init__(self, frames: Mapping[str, pd.DataFrame] | None = None) -> None:
        self._frames: dict[str, pd.DataFrame | None] = dict(frames or {})
        self._columns: dict[str, dict[str, Any]] = {}
        self._builders: dict[str, Callable[[], pd.DataFrame]] = {}

    def add_columns(self, key: str, columns: dict[str, Any], build: Callable[[], pd.DataFrame] | None = None) -> None:
        """A sheet given by its typed arrays (`typed_columns`); ``build`` makes its frame (default
        `frame_from_columns`) and must give columns whose ``to_numpy()`` are these arrays."""
        self._frames[key] = None
        self._columns[key] = columns
        self._builders[key] = build or functools.partial(frame_from_columns, columns)

    def arrays(self, key: str) -> dict[str, np.ndarray] | None:
        """The arrays behind ``self[key]``, where it was given by arrays that its frame holds as they are."""
        columns = self._columns.get(key)
        if columns is None:
            return None
        rows = columns.get("source_row")
        if isinstance(rows, list) and not rows:  # an empty sheet: pandas holds [] as float64 (tested)
            rows = np.empty(0, dtype=np.float64)
            columns = self._columns[key] = {**columns, "source_row": rows}
        return columns if isinstance(rows, np.ndarray) else None

    def __getitem__(self, key: str) -> pd.DataFrame:
        frame = self._frames[key]
        if frame is None:
            frame = self._frames[key] = self._builders.pop(key)()
        return frame

    def __contains__(self, key: object) -> bool:
        return key in self._frames

    def __iter__(self) -> Iterator[str]:
        return iter(self._frames)

    def __len__(self) -> int:
        return len(self._frames)

    def built(self) -> list[str]:
        """The sheets whose DataFrame has been built so far."""
        return [key for key, frame in self._frames.items() if frame is not None]


def given_arrays(frames: Mapping[str, pd.DataFrame], key: str) -> dict[str, np.ndarray] | None:
    """The arrays ``frames[key]`` is built from, where ``frames`` is a `SheetFrames` holding them."""
    return frames.arrays(key) if isinstance(frames, SheetFrames) else None
