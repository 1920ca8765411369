"""Schedule integrity: the dates a plan was saved with, against pmo-xl's own schedule of it.

An MS Project or Primavera file holds the early dates its tool computed; a workbook holds those
the Recompute schedule button wrote. Where pmo-xl's critical-path schedule of the same plan gives
other dates, the plan was saved without recalculation, or uses something pmo-xl does not model
(a task calendar, an elapsed duration, a lag in percent, a manually scheduled task):
the finding names the task and both dates, so the PMO knows which figures to question. A schedule
file is compared as its tool schedules (work not started stays where the links put it, even before
the status date).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

import numpy as np
import pandas as pd

from pmo_logic.rules.base import Example, Hit, ValidationContext, blank, item_of, row_of, rule
from pmo_logic.rules.examples import change
from pmo_logic.schedule import schedule
from pmo_logic.schedule_files import is_schedule_plan


def _days(values: np.ndarray) -> np.ndarray:
    return pd.to_datetime(pd.Series(values, dtype=object), errors="coerce").to_numpy().astype("datetime64[D]")


@rule(
    "PLAN040",
    "warning",
    "dates",
    summary="The plan's saved early dates differ from pmo-xl's schedule of it.",
    why="The roll-up and the committee pack show the plan's dates; when pmo-xl's critical path gives others, "
    "the plan was saved without recalculation or uses what pmo-xl does not model, and its dates need a look.",
    message="Task {item}: saved early start {saved_start}, early finish {saved_finish}; pmo-xl's schedule gives "
    "{start} and {finish}",
    message_fr="Tâche {item} : début au plus tôt enregistré {saved_start}, fin au plus tôt {saved_finish} ; le calcul "
    "de pmo-xl donne {start} et {finish}",
    example=Example(change("plan", 5, early_start=date(2026, 3, 16), early_finish=date(2026, 3, 20)), "Plan!V7"),
)
def saved_schedule_differs(ctx: ValidationContext) -> Iterator[Hit]:
    a = ctx.arrays("plan")
    saved_start, saved_finish = a["early_start"], a["early_finish"]
    saved = ~(blank(saved_start) & blank(saved_finish))
    if not saved.any():
        return
    scheduled = ctx.arrays("plan_scheduled")
    open_work = scheduled["in_network"] & ~scheduled["complete"]
    ours = ctx.schedule
    if is_schedule_plan(ctx.workbook):
        # As MS Project and P6 schedule by default: work not started is not moved after the status date (pmo-xl's
        # schedule does that for its forecasts; compared with it, every late-started task of a plan would differ).
        project = ctx.workbook.project
        ours = schedule(ctx.workbook.plan, ctx.calendar, status_date=None, project_start=project.start_date)
    ours_start, ours_finish = _days(ours.column("early_start")), _days(ours.column("early_finish"))
    theirs_start, theirs_finish = _days(saved_start), _days(saved_finish)
    start_differs = ~np.isnat(theirs_start) & ~np.isnat(ours_start) & (theirs_start != ours_start)
    finish_differs = ~np.isnat(theirs_finish) & ~np.isnat(ours_finish) & (theirs_finish != ours_finish)
    for row in ctx.each_row("plan", saved & open_work & (start_differs | finish_differs)):
        at = ctx.position("plan", row.name)
        params = {
            "saved_start": _shown(theirs_start[at]),
            "saved_finish": _shown(theirs_finish[at]),
            "start": _shown(ours_start[at]),
            "finish": _shown(ours_finish[at]),
        }
        column = "early_start" if start_differs[at] else "early_finish"
        yield Hit("plan", row_of(row["source_row"]), column, item_of(row["id"]), params)


def _shown(day: np.datetime64) -> str:
    return "-" if np.isnat(day) else str(day)
