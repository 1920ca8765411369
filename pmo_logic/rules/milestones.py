"""Milestones: key milestones against their baseline."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

import numpy as np
import pandas as pd

from pmo_logic.rules.base import Example, Hit, ValidationContext, item_of, row_of, rule
from pmo_logic.rules.examples import change
from pmo_logic.workdays import working_day_slip


@rule(
    "MILE001",
    "warning",
    "milestones",
    summary="A key milestone has slipped beyond the threshold against its baseline.",
    why="Key milestones are what the committee tracks; a slip beyond tolerance needs a decision or a re-plan.",
    message="Key milestone {item} '{name}' is {slip} working days late against its baseline "
    "({baseline} → {finish}); the threshold is {threshold}",
    message_fr="Le jalon clé {item} « {name} » a {slip} jours ouvrés de retard sur sa référence "
    "({baseline} → {finish}) ; le seuil est de {threshold}",
    example=Example(change("plan", 6, start=date(2026, 4, 21), finish=date(2026, 4, 21)), "Plan!F8"),
)
def key_milestone_slip(ctx: ValidationContext) -> Iterator[Hit]:
    a = ctx.arrays("plan")
    key = a["key_milestone"] == True  # noqa: E712
    if not key.any():
        return
    dates = pd.DataFrame({"baseline": a["baseline_finish"], "finish": a["finish"]})
    slip = working_day_slip(dates["baseline"], dates["finish"], ctx.calendar_days).to_numpy()
    threshold = ctx.settings.key_milestone_slip_days
    with np.errstate(invalid="ignore"):
        late = key & (slip > threshold)
    for row in ctx.each_row("plan", late):
        params = {
            "name": row["name"],
            "slip": slip[ctx.position("plan", row.name)],
            "baseline": row["baseline_finish"],
            "finish": row["finish"],
            "threshold": threshold,
        }
        yield Hit("plan", row_of(row["source_row"]), "finish", item_of(row["id"]), params)
