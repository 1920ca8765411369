"""Logic: the dependency network that the critical path is computed from."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

import numpy as np

from pmo_logic.i18n import Words
from pmo_logic.rules.base import Example, Hit, ValidationContext, item_of, row_of, rule
from pmo_logic.rules.examples import change


def _row(ctx: ValidationContext, index: int) -> int | None:
    return row_of(ctx.schedule.tasks.at[index, "source_row"])


def _task(ctx: ValidationContext, index: int) -> str:
    return item_of(ctx.schedule.tasks.at[index, "id"])


@rule(
    "PLAN020",
    "error",
    "logic",
    summary="A predecessor is not a task of the plan.",
    why="A link to a task that does not exist is silently lost: the task may be scheduled too early.",
    message="Task {item}: predecessor {predecessor} is not in the plan",
    message_fr="Tâche {item} : le prédécesseur {predecessor} n'est pas dans le planning",
    example=Example(change("plan", 5, predecessors="99"), "Plan!H7"),
)
def unknown_predecessor(ctx: ValidationContext) -> Iterator[Hit]:
    for index, predecessor in ctx.schedule.unknown_predecessors:
        yield Hit("plan", _row(ctx, index), "predecessors", _task(ctx, index), {"predecessor": predecessor})


@rule(
    "PLAN021",
    "error",
    "logic",
    summary="Tasks depend on each other in a loop.",
    why="A loop has no possible dates: no scheduler can compute it, and the critical path is meaningless.",
    message="Dependency loop: {cycle}; remove one of these links",
    message_fr="Boucle de dépendances : {cycle} ; supprimez l'un de ces liens",
    example=Example(change("plan", 2, predecessors="2, 5"), "Plan!H4"),
)
def dependency_loop(ctx: ValidationContext) -> Iterator[Hit]:
    if not ctx.schedule.cycles:
        return
    tasks = ctx.schedule.tasks.drop_duplicates("id").set_index("id")
    for cycle in ctx.schedule.cycles:
        # Start the cycle at its highest row in the sheet, so the message reads top-down.
        rows = [tasks.at[task, "source_row"] if task in tasks.index else 0 for task in cycle]
        start = min(range(len(cycle)), key=lambda k: (rows[k] is None, rows[k]))
        ordered = cycle[start:] + cycle[:start]
        text = " → ".join([*ordered, ordered[0]])
        yield Hit("plan", row_of(rows[start]), "predecessors", ordered[0], {"cycle": text})


@rule(
    "PLAN022",
    "warning",
    "logic",
    summary="A link involves a summary task.",
    why="Summary tasks span their children; links belong on the tasks themselves, or the logic is hidden.",
    message="Task {item}: the link with {other} involves a summary task; link the tasks under it instead",
    message_fr="Tâche {item} : le lien avec {other} passe par une tâche récapitulative ; liez plutôt les tâches "
    "qu'elle regroupe",
    example=Example(change("plan", 4, predecessors="4, 1"), "Plan!H6"),
)
def summary_links(ctx: ValidationContext) -> Iterator[Hit]:
    for index, other in ctx.schedule.summary_links:
        yield Hit("plan", _row(ctx, index), "predecessors", _task(ctx, index), {"other": other})


@rule(
    "PLAN023",
    "warning",
    "logic",
    summary="An unfinished task has no predecessor or no successor (an open end).",
    why="Open ends hide delays: a late task with no successor moves nothing, so the forecast stays optimistic.",
    message="Task {item} has no {missing}",
    message_fr="La tâche {item} n'a pas de {missing}",
    example=Example(change("plan", 4, predecessors=None), "Plan!H6"),
)
def open_ends(ctx: ValidationContext) -> Iterator[Hit]:
    if ctx.schedule.project_finish is None:
        return
    no_pred, no_succ = open_end_masks(ctx)
    index = ctx.index("plan_scheduled")
    for at in np.flatnonzero(no_pred | no_succ):
        row, task = ctx.at("plan_scheduled", index[at], "source_row"), ctx.at("plan_scheduled", index[at], "id")
        if no_pred[at]:
            yield Hit("plan", row_of(row), "predecessors", task, {"missing": Words("predecessor", "prédécesseur")})
        if no_succ[at]:
            yield Hit("plan", row_of(row), "predecessors", task, {"missing": Words("successor", "successeur")})


def open_end_masks(ctx: ValidationContext) -> tuple[np.ndarray, np.ndarray]:
    """Unfinished tasks with no predecessor (not at the project start) and no successor (not at its finish)."""
    if "open_ends" in ctx.cache:  # DCMA check 1 and PLAN023 both ask
        return ctx.cache["open_ends"]
    graph, a = ctx.schedule.graph, ctx.arrays("plan_scheduled")
    ids = a["id"].tolist()
    ins, outs = graph.in_degree(), graph.out_degree()
    in_degree = np.array([ins[i] if i in graph else 0 for i in ids])
    out_degree = np.array([outs[i] if i in graph else 0 for i in ids])
    candidates = a["in_network"].astype(bool) & ~a["complete"].astype(bool)
    with np.errstate(invalid="ignore"):
        late_start = a["es"].astype(float) > ctx.schedule.origin
        early_finish = a["ef"].astype(float) < (ctx.schedule.project_finish or 0)
    no_pred = candidates & (in_degree == 0) & late_start
    no_succ = candidates & (out_degree == 0) & early_finish
    ctx.cache["open_ends"] = (no_pred, no_succ)
    return no_pred, no_succ


@rule(
    "PLAN024",
    "error",
    "logic",
    summary="A Predecessors cell cannot be read.",
    why="An unreadable link is ignored by the scheduler, as if the dependency did not exist.",
    message="Task {item}: {error}",
    message_fr="Tâche {item} : {error}",
    example=Example(change("plan", 4, predecessors="4FS+2x"), "Plan!H6"),
)
def predecessor_syntax(ctx: ValidationContext) -> Iterator[Hit]:
    for index, error in ctx.schedule.syntax_errors:
        words = Words(str(error), error.in_french())
        yield Hit("plan", _row(ctx, index), "predecessors", _task(ctx, index), {"error": words})


@rule(
    "PLAN025",
    "error",
    "logic",
    summary="A link's lag is longer than the whole project.",
    why="No wait between two tasks can outlast the project they belong to: it is a typing error (weeks for days, "
    "a digit too many) that pushes every date after it and the forecast finish far out.",
    message="Task {item}: the lag of {lag:+g} working days on its link with {predecessor} is longer than the whole "
    "project ({length} working days)",
    message_fr="Tâche {item} : le décalage de {lag:+g} jours ouvrés sur son lien avec {predecessor} dépasse la durée "
    "de tout le projet ({length} jours ouvrés)",
    example=Example(change("plan", 5, predecessors="5FS+70d"), "Plan!H7"),
)
def lag_longer_than_project(ctx: ValidationContext) -> Iterator[Hit]:
    length = project_length(ctx)
    if length is None or not ctx.schedule.links:
        return
    a = ctx.arrays("plan_scheduled")
    network = a["in_network"].astype(bool)
    rows = dict(zip(a["id"][network].tolist(), a["source_row"][network].tolist(), strict=True))
    for predecessor, task, link in ctx.schedule.links:
        lag = link.working_days(ctx.calendar.hours_per_day)
        if abs(lag) > length:  # a lead (negative lag) as long is as wrong
            params = {"lag": float(lag), "predecessor": predecessor, "length": length}
            yield Hit("plan", row_of(rows.get(task)), "predecessors", item_of(task), params)


_PROJECT_DATES = ("start", "finish", "baseline_start", "baseline_finish", "actual_start", "actual_finish")


def project_length(ctx: ValidationContext) -> int | None:
    """Working days from the project's first day to its last, as its dates were typed (the Project
    sheet's and every date of the Plan, the widest span): not as the links would schedule it."""
    a = ctx.arrays("plan")
    days = [np.asarray(a[column]).astype("datetime64[D]") for column in _PROJECT_DATES if column in a]
    project = ctx.workbook.project
    days.append(np.array([d for d in (project.start_date, project.end_date) if d is not None], dtype="datetime64[D]"))
    known = np.concatenate(days)
    known = known[~np.isnat(known)]
    if not len(known):
        return None
    return ctx.calendar.working_days(known.min().astype(date), known.max().astype(date))
