"""Dates: in the right order, on working days, baselined, and matching the durations."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

import numpy as np

from pmo_logic.i18n import Words
from pmo_logic.rules.base import Example, Hit, ValidationContext, blank, item_of, row_of, rule
from pmo_logic.rules.examples import change
from pmo_logic.workdays import public_holidays

PAIRS = (("start", "finish"), ("actual_start", "actual_finish"), ("baseline_start", "baseline_finish"))


@rule(
    "PLAN010",
    "error",
    "dates",
    summary="A task finishes before it starts.",
    why="Negative durations break the schedule, earned value and every date-based KPI.",
    message="Task {item} finishes ({finish}) before it starts ({start})",
    message_fr="La tâche {item} se termine ({finish}) avant de commencer ({start})",
    example=Example(change("plan", 5, finish=date(2026, 3, 18)), "Plan!F7"),
)
def finish_before_start(ctx: ValidationContext) -> Iterator[Hit]:
    a = ctx.arrays("plan")
    for start, finish in PAIRS:
        for row in ctx.each_row("plan", a[finish] < a[start]):
            params = {"start": row[start], "finish": row[finish]}
            yield Hit("plan", row_of(row["source_row"]), finish, item_of(row["id"]), params)


def _working(ctx: ValidationContext, column: np.ndarray) -> np.ndarray:
    days = column.astype("datetime64[D]")
    valid = ~np.isnat(days)
    result = np.ones(len(days), dtype=bool)
    result[valid] = np.is_busday(days[valid], busdaycal=ctx.calendar.busdaycal)
    return result


@rule(
    "PLAN011",
    "warning",
    "dates",
    summary="A task starts or finishes on a non-working day.",
    why="Work planned on a weekend or a public holiday usually means a typing error or a wrong calendar.",
    message="Task {item} {which} on {day}, a non-working day",
    message_fr="La tâche {item} {which} le {day}, un jour non ouvré",
    example=Example(change("plan", 5, start=date(2026, 3, 21)), "Plan!E7"),
)
def non_working_days(ctx: ValidationContext) -> Iterator[Hit]:
    a = ctx.arrays("plan")
    work = a["type"] != "summary"
    for column, which in (("start", Words("starts", "commence")), ("finish", Words("finishes", "se termine"))):
        for row in ctx.each_row("plan", work & ~_working(ctx, a[column])):
            params = {"which": which, "day": row[column]}
            yield Hit("plan", row_of(row["source_row"]), column, item_of(row["id"]), params)


@rule(
    "PLAN012",
    "warning",
    "dates",
    summary="A task has no baseline.",
    why="Without a baseline there is no planned value, no slip and no earned-value KPI for the task.",
    message="Task {item} has no {column}",
    message_fr="La tâche {item} n'a pas de {column}",
    example=Example(change("plan", 5, baseline_start=None), "Plan!L7"),
)
def missing_baseline(ctx: ValidationContext) -> Iterator[Hit]:
    a = ctx.arrays("plan")
    work = (a["type"] != "summary") & (a["status"] != "cancelled")
    labels = (Words("baseline start", "début de référence"), Words("baseline finish", "fin de référence"))
    for column, label in zip(("baseline_start", "baseline_finish"), labels, strict=True):
        for row in ctx.each_row("plan", work & blank(a[column])):
            yield Hit("plan", row_of(row["source_row"]), column, item_of(row["id"]), {"column": label})


@rule(
    "PLAN013",
    "warning",
    "dates",
    summary="The duration does not match the start and finish dates.",
    why="The scheduler uses the duration; when it disagrees with the dates, forecasts move unexpectedly.",
    message="Task {item}: duration {duration} working days, but {start} to {finish} is {days}",
    message_fr="Tâche {item} : durée de {duration} jours ouvrés, mais du {start} au {finish} : {days}",
    example=Example(change("plan", 5, duration=9), "Plan!G7"),
)
def duration_mismatch(ctx: ValidationContext) -> Iterator[Hit]:
    a = ctx.arrays("plan")
    start, finish, duration = a["start"], a["finish"], a["duration"]
    days = ctx.calendar.positions(finish, end=True) - ctx.calendar.positions(start)
    milestone = a["type"] == "milestone"
    expected = np.where(milestone, 0, days)
    with np.errstate(invalid="ignore"):
        wrong = (a["type"] != "summary") & ~np.isnan(duration) & ~np.isnan(days) & (duration != expected)
    wrong |= milestone & ~np.isnat(start) & ~np.isnat(finish) & (start != finish)
    if not wrong.any():
        return
    frame = ctx.rows("plan")
    for index, row in frame[wrong].iterrows():
        at = frame.index.get_loc(index)
        params = {"duration": row["duration"], "start": row["start"], "finish": row["finish"], "days": days[at]}
        if row["type"] == "milestone":
            params["days"] = Words("a milestone (0)", "un jalon (0)")
        yield Hit("plan", row_of(row["source_row"]), "duration", item_of(row["id"]), params)


@rule(
    "PLAN014",
    "warning",
    "dates",
    summary="Public holidays during the plan are missing from the workbook's non-working days.",
    why="The workbook's own formulas (slip, planned value) count only the days listed on the Lists sheet: "
    "without the holidays its figures differ from the committee pack's, and durations from the dates.",
    message="Public holidays ({country}) during the plan that are not in the non-working days list: {count}, the "
    "first on {first}; the workbook's formulas count them as working days",
    message_fr="Jours fériés ({country}) du planning absents de la liste des jours non ouvrés : {count}, le premier "
    "le {first} ; les formules du classeur les comptent comme travaillés",
    example=Example(lambda wb: None, "Lists!U2", settings={"calendar_country": "US"}),
)
def holidays_not_listed(ctx: ValidationContext) -> Iterator[Hit]:
    country = ctx.settings.calendar_country
    if not country:
        return
    a = ctx.arrays("plan")
    days = np.concatenate(
        [a[c].astype("datetime64[D]") for c in ("start", "finish", "baseline_start", "baseline_finish")]
    )
    days = days[~np.isnat(days)]
    if not len(days):
        return
    first, last = days.min().astype(date), days.max().astype(date)
    try:
        holidays = public_holidays(country, range(first.year, last.year + 1))
    except ValueError:  # an unknown country: said where the calendar is set
        return
    listed = {r.day for r in ctx.workbook.lists if r.day is not None}
    missing = [d for d in holidays if first <= d <= last and d.weekday() < 5 and d not in listed]
    if missing:
        layout = ctx.workbook.layout.get("lists")
        # Where the next day belongs: below the last one listed.
        rows = [r.source_row for r in ctx.workbook.lists if r.source_row is not None]
        row = max(rows, default=layout.header_row) + 1 if layout and layout.header_row else None
        params = {"count": len(missing), "country": country.upper(), "first": missing[0]}
        yield Hit("lists", row, "day", params=params)
