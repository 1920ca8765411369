"""Structure: required values and duplicate IDs. (Wrong types and values outside the
drop-down lists are found while reading: READ009 and READ013.)"""

from __future__ import annotations

from collections.abc import Iterator

import pandas as pd

from pmo_logic.rules.base import Example, Hit, ValidationContext, item_of, row_of, rule
from pmo_logic.rules.examples import change
from pmo_logic.sheets import PROJECT_KIND, sheet

TABLES = ("plan", "risks", "actions", "issues", "decisions", "budget", "stakeholders", "interfaces", "sprints")


@rule(
    "PLAN001",
    "error",
    "structure",
    summary="A required value is empty.",
    why="Rows without an ID, a name or a type cannot be scheduled, consolidated or reported.",
    message="'{column}' is empty; it is required",
    message_fr="« {column} » est vide : c'est obligatoire",
    example=Example(change("plan", 2, name=None), "Plan!C4"),
)
def required_values(ctx: ValidationContext) -> Iterator[Hit]:
    project_schema = sheet(PROJECT_KIND, "project")
    layout = ctx.workbook.layout.get("project")
    for spec in project_schema.columns():
        present = layout is None or spec.name in layout.cells
        if spec.col.required and present and getattr(ctx.workbook.project, spec.name) is None:
            yield Hit("project", None, spec.name, params={"column": spec.col.header(ctx.lang)})
    for key in TABLES:
        if key not in ctx.frames:
            continue
        schema, a = sheet(PROJECT_KIND, key), ctx.arrays(key)
        layout = ctx.workbook.layout.get(key)
        for spec in schema.columns():
            if not spec.col.required or (layout is not None and spec.name not in layout.columns):
                continue  # a missing column is reported once by the reader
            for row in ctx.each_row(key, pd.isna(a[spec.name])):
                item = item_of(row.get("id")) if "id" in a else ""
                yield Hit(key, row_of(row["source_row"]), spec.name, item, {"column": spec.col.header(ctx.lang)})


@rule(
    "PLAN002",
    "error",
    "structure",
    summary="Two rows have the same ID.",
    why="Links, interfaces and the roll-up find rows by ID: a duplicate makes them point at the wrong one.",
    message="ID {item} is used twice in this sheet (first on row {first})",
    message_fr="L'ID {item} est utilisé deux fois dans cet onglet (d'abord à la ligne {first})",
    example=Example(change("plan", 3, id="3"), "Plan!A5"),
)
def duplicate_ids(ctx: ValidationContext) -> Iterator[Hit]:
    for key in TABLES:
        if key not in ctx.frames or "id" not in ctx.arrays(key):
            continue
        a = ctx.arrays(key)
        first_row: dict[str, object] = {}  # ID -> the row it first appears on
        for value, source_row in zip(a["id"].tolist(), a["source_row"].tolist(), strict=True):
            if pd.isna(value):
                continue
            item = str(value)
            if item in first_row:
                yield Hit(key, row_of(source_row), "id", item, {"first": row_of(first_row[item])})
            else:
                first_row[item] = source_row
