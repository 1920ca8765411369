"""Interfaces between projects: they point at real projects and milestones, with a date."""

from __future__ import annotations

from collections.abc import Iterator

from pmo_logic.rules.base import Example, Hit, ValidationContext, blank, each_row, item_of, portfolio_rule, row_of, rule
from pmo_logic.rules.examples import change


@rule(
    "INTF001",
    "error",
    "interfaces",
    summary="An interface names a project that is not in the portfolio.",
    why="The dependency cannot be followed: a slip on the other side would go unnoticed.",
    message="Interface {item}: project {other} is not in the portfolio",
    message_fr="Interface {item} : le projet {other} n'est pas dans le portefeuille",
    example=Example(change("interfaces", 0, other_project="PRJ-999"), "Interfaces!C2"),
    needs_portfolio=True,
)
def unknown_project(ctx: ValidationContext) -> Iterator[Hit]:
    if ctx.portfolio is None or "interfaces" not in ctx.frames:
        return
    rows = ctx.rows("interfaces")
    known = set(ctx.portfolio.milestones)
    for row in each_row(rows, rows["other_project"].notna() & ~rows["other_project"].isin(known)):
        yield Hit(
            "interfaces",
            row_of(row["source_row"]),
            "other_project",
            item_of(row["id"]),
            {"other": row["other_project"]},
        )


@rule(
    "INTF002",
    "error",
    "interfaces",
    summary="An interface names a milestone the supplying project does not have.",
    why="The need-by date cannot be compared with a forecast that does not exist.",
    message="Interface {item}: {supplier} has no task or milestone {milestone}",
    message_fr="Interface {item} : {supplier} n'a ni tâche ni jalon {milestone}",
    example=Example(change("interfaces", 0, milestone="999"), "Interfaces!D2"),
    needs_portfolio=True,
)
def unknown_milestone(ctx: ValidationContext) -> Iterator[Hit]:
    if ctx.portfolio is None or "interfaces" not in ctx.frames:
        return
    own = ctx.workbook.project.project_id
    for _, row in ctx.rows("interfaces").iterrows():
        if row["milestone"] is None or row["other_project"] is None:
            continue
        supplier = own if row["direction"] == "delivers" else row["other_project"]
        ids = ctx.portfolio.milestones.get(supplier)
        if ids is not None and str(row["milestone"]) not in ids:
            params = {"supplier": supplier, "milestone": row["milestone"]}
            yield Hit("interfaces", row_of(row["source_row"]), "milestone", item_of(row["id"]), params)


@rule(
    "INTF003",
    "warning",
    "interfaces",
    summary="An open interface has no need-by date.",
    why="Without a need-by date nobody can tell whether the supplying project is late for you.",
    message="Interface {item} has no need-by date",
    message_fr="L'interface {item} n'a pas de date de besoin",
    example=Example(change("interfaces", 0, need_by=None), "Interfaces!F2"),
)
def missing_need_by(ctx: ValidationContext) -> Iterator[Hit]:
    if "interfaces" not in ctx.frames:
        return
    a = ctx.arrays("interfaces")
    for row in ctx.each_row("interfaces", blank(a["need_by"]) & (a["status"] != "closed")):
        yield Hit("interfaces", row_of(row["source_row"]), "need_by", item_of(row["id"]))


portfolio_rule(
    "INTF010",
    "warning",
    "interfaces",
    summary="A milestone another project needs is forecast after its need-by date.",
    why="The late supplier will delay the project waiting for it: both project managers must agree a plan.",
    message="{consumer} needs milestone {milestone} of {supplier} by {need_by}, but it is forecast for {forecast} "
    "({late} days late)",
    message_fr="{consumer} a besoin du jalon {milestone} de {supplier} pour le {need_by}, mais il est prévu le "
    "{forecast} ({late} jours de retard)",
)
