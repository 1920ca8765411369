"""Progress: % complete, statuses and actual dates that agree with each other and the status date."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

import numpy as np

from pmo_logic.choices import TASK_STATUS
from pmo_logic.i18n import Words
from pmo_logic.rules.base import Example, Hit, ValidationContext, blank, isin, item_of, row_of, rule
from pmo_logic.rules.examples import change


@rule(
    "PLAN030",
    "warning",
    "progress",
    summary="% complete does not match the status.",
    why="Earned value is budget x % complete: a 'Done' task at 0% or a 'Not started' task at 40% skews EV.",
    message="Task {item} is '{status}' at {percent:.0%} complete",
    message_fr="La tâche {item} est « {status} » à {percent:.0%} d'avancement",
    example=Example(change("plan", 4, status="done"), "Plan!Q6"),
)
def percent_vs_status(ctx: ValidationContext) -> Iterator[Hit]:
    a = ctx.arrays("plan")
    pct, status = a["percent_complete"], a["status"]
    known = np.where(np.isnan(pct), 0.0, pct)
    with np.errstate(invalid="ignore"):
        wrong = (
            ((status == "done") & (known < 1))
            | ((status == "not_started") & (known > 0))
            | ((pct >= 1) & ~blank(status) & ~isin(status, ["done", "cancelled"]))
        )
    for row in ctx.each_row("plan", wrong):
        status = Words(row["status"].replace("_", " "), TASK_STATUS.label(row["status"], "fr").lower())
        params = {"status": status, "percent": float(row["percent_complete"] or 0)}
        yield Hit("plan", row_of(row["source_row"]), "status", item_of(row["id"]), params)


@rule(
    "PLAN031",
    "error",
    "progress",
    summary="An actual date is after the status date.",
    why="Actuals record what has happened: a date in the future is a forecast typed in the wrong column.",
    message="Task {item}: {column} {day} is after the status date {status_date}",
    message_fr="Tâche {item} : {column} {day} est après la date d'état {status_date}",
    example=Example(change("plan", 3, actual_start=date(2026, 3, 2)), "Plan!J5"),
)
def actuals_after_status_date(ctx: ValidationContext) -> Iterator[Hit]:
    if ctx.status_date is None:
        return
    a, status_date = ctx.arrays("plan"), np.datetime64(ctx.status_date)
    labels = (Words("actual start", "le début réel"), Words("actual finish", "la fin réelle"))
    for column, label in zip(("actual_start", "actual_finish"), labels, strict=True):
        for row in ctx.each_row("plan", a[column] > status_date):
            params = {"column": label, "day": row[column], "status_date": ctx.status_date}
            yield Hit("plan", row_of(row["source_row"]), column, item_of(row["id"]), params)


@rule(
    "PLAN032",
    "warning",
    "progress",
    summary="A task should have finished by the status date but is not complete.",
    why="Its forecast finish is in the past: either it is done (update it) or it is late (re-forecast it).",
    message="Task {item} should have finished on {finish} but is {percent:.0%} complete",
    message_fr="La tâche {item} devait se terminer le {finish} mais n'est avancée qu'à {percent:.0%}",
    example=Example(change("plan", 3, finish=date(2026, 2, 25)), "Plan!F5"),
)
def past_finish_not_complete(ctx: ValidationContext) -> Iterator[Hit]:
    if ctx.status_date is None:
        return
    a = ctx.arrays("plan")
    pct = a["percent_complete"]
    late = (
        (a["finish"] < np.datetime64(ctx.status_date))
        & (np.where(np.isnan(pct), 0.0, pct) < 1)
        & ~isin(a["status"], ["done", "cancelled"])
        & (a["type"] != "summary")
    )
    for row in ctx.each_row("plan", late):
        params = {"finish": row["finish"], "percent": float(row["percent_complete"] or 0)}
        yield Hit("plan", row_of(row["source_row"]), "finish", item_of(row["id"]), params)


@rule(
    "PLAN033",
    "warning",
    "progress",
    summary="The status date is old.",
    why="Figures from a stale workbook describe the past: the committee would decide on old data.",
    message="The status date {status_date} is {days} days old (more than {limit})",
    message_fr="La date d'état {status_date} date de {days} jours (plus de {limit})",
    example=Example(change("project", status_date=date(2026, 1, 2)), "Project!B13"),
)
def stale_status_date(ctx: ValidationContext) -> Iterator[Hit]:
    if ctx.status_date is None:
        return
    as_of = ctx.settings.as_of or date.today()
    age = (as_of - ctx.status_date).days
    if age > ctx.settings.stale_after_days:
        params = {"status_date": ctx.status_date, "days": age, "limit": ctx.settings.stale_after_days}
        yield Hit("project", None, "status_date", params=params)
