"""Budget: actual cost against budget, forecasts present, months in order."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

import numpy as np

from pmo_logic.kpis import zero_blanks
from pmo_logic.rules.base import Example, Hit, ValidationContext, blank, item_of, month_words, row_of, rule
from pmo_logic.rules.examples import change


def _bac(ctx: ValidationContext) -> float:
    """BAC: the work's budgets (tasks and milestones, not summaries)."""
    a = ctx.arrays("plan")
    return float(zero_blanks(a["budget"][a["type"] != "summary"]).sum())


@rule(
    "BUDG001",
    "warning",
    "budget",
    summary="Actual cost to date is above the budget at completion (BAC, the sum of task budgets).",
    why="The project has spent more than its whole budget: it needs a decision, not just a report.",
    message="Actual cost to date {actual:,.0f} is above the budget at completion (BAC, the sum of task budgets) "
    "{bac:,.0f}",
    message_fr="Le coût réel à date {actual:,.0f} dépasse le budget à terminaison (BAC, la somme des budgets des "
    "tâches) {bac:,.0f}",
    example=Example(change("plan", 3, actual_cost=45000), "Project!B14"),
)
def actual_above_bac(ctx: ValidationContext) -> Iterator[Hit]:
    a = ctx.arrays("plan")
    actual = zero_blanks(a["actual_cost"][a["type"] != "summary"]).sum()
    bac = _bac(ctx)
    if bac and actual > bac:
        # Named at the approved budget: where the budget decision it calls for is written.
        yield Hit("project", None, "approved_budget", params={"actual": float(actual), "bac": bac})


@rule(
    "BUDG006",
    "warning",
    "budget",
    summary="The budget at completion (BAC, the sum of task budgets) is above the approved budget.",
    why="The work is planned to cost more than the sponsor approved: the reserve is negative, and the committee "
    "must approve more budget or the plan must shrink.",
    message="The sum of task budgets (BAC) {bac:,.0f} is {over:,.0f} above the approved budget {approved:,.0f}",
    message_fr="La somme des budgets des tâches (BAC) {bac:,.0f} dépasse de {over:,.0f} le budget approuvé "
    "{approved:,.0f}",
    example=Example(change("project", approved_budget=50000), "Project!B14"),
)
def bac_above_approved_budget(ctx: ValidationContext) -> Iterator[Hit]:
    approved = ctx.workbook.project.approved_budget
    bac = _bac(ctx)
    if approved is not None and bac > approved + 0.005:  # amounts typed to the cent
        params = {"bac": bac, "approved": float(approved), "over": bac - approved}
        yield Hit("project", None, "approved_budget", params=params)


@rule(
    "BUDG007",
    "info",
    "budget",
    summary="No approved budget is typed on the Project sheet.",
    why="Without it the pack shows BAC alone: nobody sees whether the plan fits what the sponsor approved, nor "
    "what reserve is left.",
    message="The Project sheet has no approved budget: type what the sponsor approved (BAC, the sum of task "
    "budgets, is {bac:,.0f})",
    message_fr="L'onglet Projet n'a pas de budget approuvé : saisissez ce que le sponsor a approuvé (le BAC, "
    "somme des budgets des tâches, est de {bac:,.0f})",
    example=Example(change("project", approved_budget=None), "Project!B14"),
)
def approved_budget_missing(ctx: ValidationContext) -> Iterator[Hit]:
    if ctx.workbook.project.approved_budget is None:
        yield Hit("project", None, "approved_budget", params={"bac": _bac(ctx)})


@rule(
    "BUDG002",
    "info",
    "budget",
    summary="A task's actual cost is above its budget (beyond the tolerance).",
    why="Overruns on finished tasks show where estimates were optimistic; they feed the EAC.",
    message="Task {item}: actual cost {actual:,.0f} is {over:.0%} above its budget {budget:,.0f}",
    message_fr="Tâche {item} : le coût réel {actual:,.0f} dépasse de {over:.0%} son budget {budget:,.0f}",
    example=Example(change("plan", 1, actual_cost=15000), "Plan!O3"),
)
def task_over_budget(ctx: ValidationContext) -> Iterator[Hit]:
    a = ctx.arrays("plan")
    budget = a["budget"]
    with np.errstate(invalid="ignore", divide="ignore"):
        over = a["actual_cost"] / np.where(budget > 0, budget, np.nan) - 1
        hits = (a["type"] != "summary") & (over > ctx.settings.cost_overrun_tolerance)
    for row in ctx.each_row("plan", hits):
        at = ctx.position("plan", row.name)
        params = {"actual": row["actual_cost"], "budget": row["budget"], "over": over[at]}
        yield Hit("plan", row_of(row["source_row"]), "actual_cost", item_of(row["id"]), params)


@rule(
    "BUDG003",
    "warning",
    "budget",
    summary="A month from the status date on has no forecast.",
    why="Without a forecast the estimate at completion can only assume the plan, which hides overruns.",
    message="{month} ({category}) has no forecast",
    message_fr="{month} ({category}) n'a pas de prévision",
    example=Example(change("budget", 2, forecast=None), "Budget!E4"),
)
def forecast_missing(ctx: ValidationContext) -> Iterator[Hit]:
    if "budget" not in ctx.frames or ctx.status_date is None:
        return
    a = ctx.arrays("budget")
    current = np.datetime64(ctx.status_date.replace(day=1))
    for row in ctx.each_row("budget", (a["month"] >= current) & blank(a["forecast"])):
        params = {"month": month_words(row["month"]), "category": row["category"] or "-"}
        yield Hit("budget", row_of(row["source_row"]), "forecast", params=params)


@rule(
    "BUDG004",
    "warning",
    "budget",
    summary="Budget months are out of order.",
    why="Cumulative curves (the S-curve) read the months in order; a month out of place bends them.",
    message="{month} ({category}) comes after {previous}",
    message_fr="{month} ({category}) vient après {previous}",
    example=Example(
        lambda wb: wb.budget.insert(0, wb.budget.pop(1)),
        "Budget!A3",
    ),
)
def months_out_of_order(ctx: ValidationContext) -> Iterator[Hit]:
    if "budget" not in ctx.frames:
        return
    a = ctx.arrays("budget")
    categories, months = _categories(a["category"]), a["month"]
    for i, previous in late_months(months, categories):
        params = {
            "month": month_words(months[i]),
            "previous": month_words(previous),
            "category": categories[i] or "-",
        }
        yield Hit("budget", row_of(a["source_row"][i]), "month", params=params)


@rule(
    "BUDG005",
    "warning",
    "budget",
    summary="A month appears twice for the same category.",
    why="Duplicated months count their cost twice in every total.",
    message="{month} ({category}) is listed twice",
    message_fr="{month} ({category}) apparaît deux fois",
    example=Example(change("budget", 2, month=date(2026, 2, 1)), "Budget!A4"),
)
def duplicate_months(ctx: ValidationContext) -> Iterator[Hit]:
    if "budget" not in ctx.frames:
        return
    a = ctx.arrays("budget")
    for row in ctx.each_row("budget", repeated_months(a["month"], _categories(a["category"]))):
        yield Hit(
            "budget",
            row_of(row["source_row"]),
            "month",
            params={"month": row["month"], "category": row["category"] or "-"},
        )


def _categories(values: np.ndarray) -> list[str]:
    return [c if isinstance(c, str) else "" for c in values.tolist()]


def late_months(months: np.ndarray, categories: list[str]) -> list[tuple[int, np.datetime64]]:
    """(row, latest month above it) for each month earlier than a month above it in its category.

    Category by category (in order of first appearance), then in sheet order. A blank month
    hides the row after it (as pandas' grouped ``cummax().shift()`` does: the oracle in the tests).
    """
    latest: dict[str, np.datetime64] = {}
    shown_above: dict[str, np.datetime64 | None] = {}
    late: list[tuple[int, np.datetime64]] = []
    for i, (category, month) in enumerate(zip(categories, months, strict=True)):
        previous = shown_above.get(category)
        if previous is not None and not np.isnat(month) and month < previous:
            late.append((i, previous))
        if not np.isnat(month):
            latest[category] = max(latest[category], month) if category in latest else month
        shown_above[category] = None if np.isnat(month) else latest[category]
    rank = {category: n for n, category in enumerate(dict.fromkeys(categories))}
    return sorted(late, key=lambda hit: rank[categories[hit[0]]])


def repeated_months(months: np.ndarray, categories: list[str]) -> np.ndarray:
    """Rows whose calendar month and category already appeared above (blank months never do)."""
    twice = np.zeros(len(months), dtype=bool)
    seen: set[tuple[object, str]] = set()
    for i, (month, category) in enumerate(zip(months.astype("datetime64[M]").tolist(), categories, strict=True)):
        if month is not None:
            twice[i] = (month, category) in seen
            seen.add((month, category))
    return twice
