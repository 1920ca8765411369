"""Budget: actual cost against budget, forecasts present, months in order."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

import numpy as np
import pandas as pd

from pmo_logic.rules.base import Example, Hit, ValidationContext, each_row, item_of, row_of, rule
from pmo_logic.rules.examples import change


def _work(ctx: ValidationContext) -> pd.DataFrame:
    plan = ctx.rows("plan")
    return plan[plan["type"] != "summary"]


@rule(
    "BUDG001",
    "warning",
    "budget",
    summary="Actual cost to date is above the budget at completion.",
    why="The project has spent more than its whole budget: it needs a decision, not just a report.",
    message="Actual cost to date {actual:,.0f} is above the budget at completion {bac:,.0f}",
    example=Example(change("project", bac=30000), "Project!B14"),
)
def actual_above_bac(ctx: ValidationContext) -> Iterator[Hit]:
    work = _work(ctx)
    actual = work["actual_cost"].fillna(0).sum()
    bac = ctx.workbook.project.bac or work["budget"].fillna(0).sum()
    if bac and actual > bac:
        yield Hit("project", None, "bac", params={"actual": float(actual), "bac": float(bac)})


@rule(
    "BUDG002",
    "info",
    "budget",
    summary="A task's actual cost is above its budget (beyond the tolerance).",
    why="Overruns on finished tasks show where estimates were optimistic; they feed the EAC.",
    message="Task {item}: actual cost {actual:,.0f} is {over:.0%} above its budget {budget:,.0f}",
    example=Example(change("plan", 1, actual_cost=15000), "Plan!O3"),
)
def task_over_budget(ctx: ValidationContext) -> Iterator[Hit]:
    work = _work(ctx)
    over = work["actual_cost"] / work["budget"].where(work["budget"] > 0) - 1
    for row in each_row(work, over > ctx.settings.cost_overrun_tolerance):
        params = {"actual": row["actual_cost"], "budget": row["budget"], "over": over[row.name]}
        yield Hit("plan", row_of(row["source_row"]), "actual_cost", item_of(row["id"]), params)


@rule(
    "BUDG003",
    "warning",
    "budget",
    summary="A month from the status date on has no forecast.",
    why="Without a forecast the estimate at completion can only assume the plan, which hides overruns.",
    message="{month} ({category}) has no forecast",
    example=Example(change("budget", 2, forecast=None), "Budget!E4"),
)
def forecast_missing(ctx: ValidationContext) -> Iterator[Hit]:
    if "budget" not in ctx.frames or ctx.status_date is None:
        return
    budget = ctx.rows("budget")
    current = pd.Timestamp(ctx.status_date.replace(day=1))
    for row in each_row(budget, (budget["month"] >= current) & budget["forecast"].isna()):
        params = {"month": f"{row['month']:%B %Y}", "category": row["category"] or "-"}
        yield Hit("budget", row_of(row["source_row"]), "forecast", params=params)


@rule(
    "BUDG004",
    "warning",
    "budget",
    summary="Budget months are out of order.",
    why="Cumulative curves (the S-curve) read the months in order; a month out of place bends them.",
    message="{month} ({category}) comes after {previous}",
    example=Example(
        lambda wb: wb.budget.insert(0, wb.budget.pop(1)),
        "Budget!A3",
    ),
)
def months_out_of_order(ctx: ValidationContext) -> Iterator[Hit]:
    if "budget" not in ctx.frames:
        return
    budget = ctx.rows("budget")
    categories = budget["category"].fillna("")
    month = budget["month"]
    previous = month.groupby(categories, sort=False).cummax().groupby(categories, sort=False).shift()
    late = (month < previous).to_numpy()
    # Category by category (in order of first appearance), then in sheet order.
    rank = {category: n for n, category in enumerate(pd.unique(categories))}
    for i in sorted(np.flatnonzero(late), key=lambda i: rank[categories.iat[i]]):
        params = {
            "month": f"{month.iat[i]:%B %Y}",
            "previous": f"{previous.iat[i]:%B %Y}",
            "category": categories.iat[i] or "-",
        }
        yield Hit("budget", row_of(budget["source_row"].iat[i]), "month", params=params)


@rule(
    "BUDG005",
    "warning",
    "budget",
    summary="A month appears twice for the same category.",
    why="Duplicated months count their cost twice in every total.",
    message="{month} ({category}) is listed twice",
    example=Example(change("budget", 2, month=date(2026, 2, 1)), "Budget!A4"),
)
def duplicate_months(ctx: ValidationContext) -> Iterator[Hit]:
    if "budget" not in ctx.frames:
        return
    budget = ctx.rows("budget")
    month = budget["month"].dt.to_period("M")
    twice = pd.DataFrame({"m": month, "c": budget["category"].fillna("")}).duplicated()
    for row in each_row(budget, twice & budget["month"].notna()):
        yield Hit(
            "budget",
            row_of(row["source_row"]),
            "month",
            params={"month": row["month"], "category": row["category"] or "-"},
        )
