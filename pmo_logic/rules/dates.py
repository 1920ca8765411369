"""Dates: in the right order, on working days, baselined, and matching the durations."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

import numpy as np
import pandas as pd

from pmo_logic.rules.base import Example, Hit, ValidationContext, each_row, item_of, row_of, rule
from pmo_logic.rules.examples import change

PAIRS = (("start", "finish"), ("actual_start", "actual_finish"), ("baseline_start", "baseline_finish"))


@rule(
    "PLAN010",
    "error",
    "dates",
    summary="A task finishes before it starts.",
    why="Negative durations break the schedule, earned value and every date-based KPI.",
    message="Task {item} finishes ({finish}) before it starts ({start})",
    example=Example(change("plan", 5, finish=date(2026, 3, 18)), "Plan!F7"),
)
def finish_before_start(ctx: ValidationContext) -> Iterator[Hit]:
    frame = ctx.rows("plan")
    for start, finish in PAIRS:
        for row in each_row(frame, frame[finish] < frame[start]):
            params = {"start": row[start], "finish": row[finish]}
            yield Hit("plan", row_of(row["source_row"]), finish, item_of(row["id"]), params)


def _working(ctx: ValidationContext, column: pd.Series) -> pd.Series:
    days = pd.to_datetime(column).to_numpy(dtype="datetime64[D]")
    valid = ~np.isnat(days)
    result = np.ones(len(days), dtype=bool)
    result[valid] = np.is_busday(days[valid], busdaycal=ctx.calendar.busdaycal)
    return pd.Series(result, index=column.index)


@rule(
    "PLAN011",
    "warning",
    "dates",
    summary="A task starts or finishes on a non-working day.",
    why="Work planned on a weekend or a public holiday usually means a typing error or a wrong calendar.",
    message="Task {item} {which} on {day}, a non-working day",
    example=Example(change("plan", 5, start=date(2026, 3, 21)), "Plan!E7"),
)
def non_working_days(ctx: ValidationContext) -> Iterator[Hit]:
    frame = ctx.rows("plan")
    work = frame["type"] != "summary"
    for column, which in (("start", "starts"), ("finish", "finishes")):
        for row in each_row(frame, work & ~_working(ctx, frame[column])):
            params = {"which": which, "day": row[column]}
            yield Hit("plan", row_of(row["source_row"]), column, item_of(row["id"]), params)


@rule(
    "PLAN012",
    "warning",
    "dates",
    summary="A task has no baseline.",
    why="Without a baseline there is no planned value, no slip and no earned-value KPI for the task.",
    message="Task {item} has no {column}",
    example=Example(change("plan", 5, baseline_start=None), "Plan!L7"),
)
def missing_baseline(ctx: ValidationContext) -> Iterator[Hit]:
    frame = ctx.rows("plan")
    work = (frame["type"] != "summary") & (frame["status"] != "cancelled")
    for column, label in (("baseline_start", "baseline start"), ("baseline_finish", "baseline finish")):
        for row in each_row(frame, work & frame[column].isna()):
            yield Hit("plan", row_of(row["source_row"]), column, item_of(row["id"]), {"column": label})


@rule(
    "PLAN013",
    "warning",
    "dates",
    summary="The duration does not match the start and finish dates.",
    why="The scheduler uses the duration; when it disagrees with the dates, forecasts move unexpectedly.",
    message="Task {item}: duration {duration} working days, but {start} to {finish} is {days}",
    example=Example(change("plan", 5, duration=9), "Plan!G7"),
)
def duration_mismatch(ctx: ValidationContext) -> Iterator[Hit]:
    frame = ctx.rows("plan")
    start_pos = ctx.calendar.positions(frame["start"])
    finish_pos = ctx.calendar.positions(frame["finish"], end=True)
    days = pd.Series(finish_pos - start_pos, index=frame.index)
    milestone = frame["type"] == "milestone"
    expected = days.where(~milestone, 0)
    wrong = (frame["type"] != "summary") & frame["duration"].notna() & days.notna() & (frame["duration"] != expected)
    wrong |= milestone & frame["start"].notna() & frame["finish"].notna() & (frame["start"] != frame["finish"])
    for index, row in frame[wrong].iterrows():
        params = {"duration": row["duration"], "start": row["start"], "finish": row["finish"], "days": days[index]}
        if row["type"] == "milestone":
            params["days"] = "a milestone (0)"
        yield Hit("plan", row_of(row["source_row"]), "duration", item_of(row["id"]), params)
