"""The DCMA 14-point schedule assessment, with the standard thresholds.

`dcma_assessment` computes all fourteen checks (metric, threshold, pass/fail, offending
tasks); each check is also a rule (DCMA01 ... DCMA14) that reports a failed check once, at
the first offending task. "Incomplete tasks" are the Plan's tasks and milestones that are not
done or cancelled; summary tasks are left out. Two deliberate readings, written down here:
check 1 does not count the project's first task (no predecessor, starts at the project start)
or its last (no successor, finishes at the project finish); check 12 delays the earliest
not-started critical task.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date

import numpy as np
import pandas as pd

from pmo_logic.i18n import Words
from pmo_logic.models import TaskRow
from pmo_logic.rules.base import Example, Hit, ValidationContext, blank, french_figures, isin, row_of, rule
from pmo_logic.rules.examples import both, change
from pmo_logic.rules.logic import open_end_masks
from pmo_logic.schedule import HARD_CONSTRAINTS


@dataclass
class DcmaCheck:
    number: int
    name: str
    metric: float | None
    threshold: str
    passed: bool | None
    """None when the check does not apply (nothing to measure)."""
    count: int = 0
    total: int = 0
    offenders: list[int] = field(default_factory=list)
    """Plan frame indexes of the offending rows, in sheet order."""
    field_name: str = "id"
    unit: str = "%"

    @property
    def metric_text(self) -> str:
        if self.metric is None:
            return "n/a"
        if self.unit == "%":
            return f"{self.metric:.1%}"
        return f"{self.metric:.2f}" if self.unit == "index" else f"{self.metric:g}"


def _ratio(count: int, total: int) -> float | None:
    return count / total if total else None


def dcma_assessment(ctx: ValidationContext) -> list[DcmaCheck]:
    """The fourteen checks for one project (cached on the context)."""
    if "dcma" in ctx.cache:
        return ctx.cache["dcma"]
    s = ctx.settings
    finish = ctx.schedule.project_finish
    # The masks below are plain numpy arrays: pandas costs ~50 us per operation, and the
    # fourteen checks need about a hundred of them for every workbook of a portfolio.
    a = ctx.arrays("plan_scheduled")
    index = ctx.index("plan_scheduled")
    kind = a["type"]
    state = a["state"]
    work = kind != "summary"
    incomplete = work & ~a["complete"].astype(bool)
    n_incomplete = int(incomplete.sum())
    status_date = pd.Timestamp(ctx.status_date) if ctx.status_date else None
    checks: list[DcmaCheck] = []

    def idx(mask: np.ndarray) -> list[int]:
        return index[mask].tolist()

    def first(values: np.ndarray, otherwise: np.ndarray) -> np.ndarray:
        return np.where(np.isnat(values), otherwise, values)

    def add(number, name, count, total, limit, op, offenders, field_name="id", absolute=False):
        metric = float(count) if absolute else _ratio(count, total)
        passed = None if metric is None else bool(op(metric, limit))
        threshold = ("<= " if op is _le else ">= ") + (f"{limit:g}" if absolute else f"{limit:.0%}")
        checks.append(
            DcmaCheck(number, name, metric, threshold, passed, int(count), int(total), list(offenders), field_name,
                      "" if absolute else "%")
        )  # fmt: skip

    # 1 Logic
    open_ends: list[int] = []
    if finish is not None:
        no_pred, no_succ = open_end_masks(ctx)
        open_ends = idx(no_pred | no_succ)
    add(1, "Logic", len(open_ends), n_incomplete, s.logic_max, _le, open_ends, "predecessors")

    # 2-4 Links whose successor is not complete
    network = a["in_network"].astype(bool)
    row_of_task = dict(zip(a["id"][network].tolist(), index[network].tolist(), strict=True))
    complete = dict(zip(a["id"][network].tolist(), a["complete"][network].tolist(), strict=True))
    links = [(u, v, link) for u, v, link in ctx.schedule.links if not complete[v]]
    leads = sorted({row_of_task[v] for _, v, link in links if link.lag < 0})
    lags = sorted({row_of_task[v] for _, v, link in links if link.lag > 0})
    not_fs = sorted({row_of_task[v] for _, v, link in links if link.type != "FS"})
    add(2, "Leads", sum(link.lag < 0 for *_, link in links), len(links), s.leads_max, _le, leads, "predecessors",
        absolute=True)  # fmt: skip
    add(3, "Lags", sum(link.lag > 0 for *_, link in links), len(links), s.lags_max, _le, lags, "predecessors")
    fs_count = sum(link.type == "FS" for *_, link in links)
    add(4, "Relationship types", fs_count, len(links), s.fs_min, _ge, not_fs, "predecessors")

    # 5 Hard constraints
    hard = incomplete & isin(a["constraint_type"], HARD_CONSTRAINTS)
    add(5, "Hard constraints", hard.sum(), n_incomplete, s.hard_constraints_max, _le, idx(hard), "constraint_type")

    # 6-7 Float
    total_float = a["total_float"].astype(float)
    with np.errstate(invalid="ignore"):
        high_float = incomplete & (total_float > s.high_float_days)
        negative = incomplete & (total_float < 0)
    add(6, "High float", high_float.sum(), n_incomplete, s.high_float_max, _le, idx(high_float))
    add(7, "Negative float", negative.sum(), n_incomplete, s.negative_float_max, _le, idx(negative), absolute=True)

    # 8 High duration (baseline duration of incomplete tasks)
    start, end = a["start"], a["finish"]
    tasks = incomplete & (kind == "task")
    start_pos = ctx.calendar.positions(first(a["baseline_start"], start))
    finish_pos = ctx.calendar.positions(first(a["baseline_finish"], end), end=True)
    with np.errstate(invalid="ignore"):
        long = tasks & (finish_pos - start_pos > s.high_duration_days)
    add(8, "High duration", long.sum(), int(tasks.sum()), s.high_duration_max, _le, idx(long), "baseline_finish")

    baseline_finish = a["baseline_finish"]
    # 9 Invalid dates
    if status_date is not None:
        when = status_date.to_datetime64()
        not_started = state == "not_started"
        invalid = work & (
            (not_started & (start < when))
            | (incomplete & (end < when))
            | (a["actual_start"] > when)
            | (a["actual_finish"] > when)
        )
        add(9, "Invalid dates", invalid.sum(), int(work.sum()), s.invalid_dates_max, _le, idx(invalid),
            absolute=True)  # fmt: skip
    else:
        checks.append(DcmaCheck(9, "Invalid dates", None, f"<= {s.invalid_dates_max}", None, unit=""))

    # 10 Resources
    duration = np.nan_to_num(a["duration"].astype(float), nan=0.0)
    no_owner = incomplete & (duration > 0) & blank(a["owner"])
    add(10, "Resources", no_owner.sum(), n_incomplete, s.missing_resources_max, _le, idx(no_owner), "owner",
        absolute=True)  # fmt: skip

    # 11 Missed tasks and 14 BEI
    if status_date is not None:
        due = work & (baseline_finish <= when) & (state != "cancelled")
        done_on = first(a["actual_finish"], end)
        missed = due & ((state != "done") | (done_on > baseline_finish))
        add(11, "Missed tasks", missed.sum(), int(due.sum()), s.missed_tasks_max, _le, idx(missed), "finish")
    else:
        checks.append(DcmaCheck(11, "Missed tasks", None, f"<= {s.missed_tasks_max:.0%}", None))

    # 12 Critical path test
    checks.append(_critical_path_test(ctx))

    # 13 CPLI
    checks.append(_cpli(ctx))

    # 14 BEI
    if status_date is not None:
        completed = work & (state == "done")
        bei = _ratio(int(completed.sum()), int(due.sum()))
        late = due & (state != "done")
        checks.append(
            DcmaCheck(
                14,
                "Baseline execution index (BEI)",
                bei,
                f">= {s.bei_min:g}",
                None if bei is None else bei >= s.bei_min,
                int(completed.sum()),
                int(due.sum()),
                idx(late),
                unit="index",
            )
        )
    else:
        checks.append(DcmaCheck(14, "Baseline execution index (BEI)", None, f">= {s.bei_min:g}", None, unit=""))
    checks.sort(key=lambda c: c.number)
    ctx.cache["dcma"] = checks
    return checks


def _le(a: float, b: float) -> bool:
    return a <= b + 1e-12


def _ge(a: float, b: float) -> bool:
    return a >= b - 1e-12


def _critical_path_test(ctx: ValidationContext) -> DcmaCheck:
    """Delay the earliest not-started critical task: the project finish must move by exactly as much."""
    delay, a = ctx.settings.critical_path_test_delay, ctx.arrays("plan_scheduled")
    open_critical = a["critical"].astype(bool) & (a["state"] == "not_started")
    candidates = np.flatnonzero(open_critical & a["in_network"].astype(bool))
    name = "Critical path test"
    if not len(candidates) or ctx.schedule.project_finish is None:
        return DcmaCheck(12, name, None, "finish moves by the delay", None, unit="")
    # The earliest start, then the highest row (a stable sort, as DataFrame.sort_values).
    rows = [np.inf if r is None or r != r else r for r in a["source_row"][candidates].tolist()]  # blanks last
    order = np.lexsort((np.array(rows, dtype=float), a["es"][candidates]))
    at = candidates[order[0]]
    index = ctx.index("plan_scheduled")[[at]].tolist()[0]
    moved = (ctx.schedule.finish_with_delay(a["id"][at], delay) or 0) - ctx.schedule.project_finish
    return DcmaCheck(12, name, float(moved), f"finish moves by {delay} days", moved == delay, int(moved), delay,
                     [index], unit="")  # fmt: skip


def _cpli(ctx: ValidationContext) -> DcmaCheck:
    name, s = "Critical path length index (CPLI)", ctx.settings
    deadline = ctx.workbook.project.end_date
    finish = ctx.schedule.project_finish
    if deadline is None or finish is None:
        return DcmaCheck(13, name, None, f">= {s.cpli_min:g}", None, field_name="end_date", unit="")
    start = ctx.schedule.origin
    if ctx.status_date is not None:
        start = max(start, ctx.calendar.end_position(ctx.status_date))
    length = finish - start
    if length <= 0:
        return DcmaCheck(13, name, None, f">= {s.cpli_min:g}", None, field_name="end_date", unit="")
    slack = ctx.calendar.end_position(deadline) - finish
    cpli = (length + slack) / length
    return DcmaCheck(13, name, cpli, f">= {s.cpli_min:g}", cpli >= s.cpli_min - 1e-12, length, slack, [],
                     field_name="end_date", unit="index")  # fmt: skip


# --- the fourteen rules -----------------------------------------------------------------

_WHY = {
    1: "Every unfinished task needs a predecessor and a successor, or delays do not flow through the plan.",
    2: "Negative lags (leads) overlap work in a way the logic cannot check; DCMA allows none.",
    3: "Lags hide work that should be a task of its own.",
    4: "Finish-to-start links make the critical path readable; other types should be exceptions.",
    5: "Hard constraints fix dates against the logic, so the schedule cannot show the real forecast.",
    6: "Large float usually means missing links, so the task's delays would not show.",
    7: "Negative float means a date constraint cannot be met with the current logic.",
    8: "Tasks longer than two months cannot be measured well; split them.",
    9: "Forecasts in the past or actuals in the future are not possible at the status date.",
    10: "Work with nobody assigned is work nobody will do.",
    11: "Tasks that were due by the status date and did not finish on time show execution slipping.",
    12: "If delaying a critical task does not delay the project, the critical path is broken.",
    13: "Below 1, the remaining critical path cannot meet the project end date without recovery.",
    14: "Below 1, fewer tasks are finished than the baseline planned by now.",
}
_SUMMARY = {
    1: "Logic: more than 5% of unfinished tasks lack a predecessor or a successor.",
    2: "Leads: links with a negative lag.",
    3: "Lags: more than 5% of links have a positive lag.",
    4: "Relationship types: fewer than 90% of links are finish-to-start.",
    5: "Hard constraints on more than 5% of unfinished tasks.",
    6: "High float: more than 5% of unfinished tasks have over 44 working days of float.",
    7: "Negative float on an unfinished task.",
    8: "High duration: more than 5% of unfinished tasks last over 44 working days in the baseline.",
    9: "Invalid dates: forecasts before the status date or actuals after it.",
    10: "Resources: unfinished tasks with a duration and no owner.",
    11: "Missed tasks: more than 5% of tasks due by the status date finished late or not at all.",
    12: "Critical path test: delaying a critical task does not delay the project finish by as much.",
    13: "CPLI below 0.95.",
    14: "BEI below 0.95.",
}
_EXTRA_TASK = TaskRow(
    id="8", wbs="1.7", name="Handbook", type="task", start=date(2026, 3, 16), finish=date(2026, 3, 17), duration=2,
    predecessors="4", baseline_start=date(2026, 3, 16), baseline_finish=date(2026, 3, 17), owner="C. Smith",
    status="not_started", percent_complete=0,
)  # fmt: skip
_EXAMPLES: dict[int, Example] = {
    1: Example(change("plan", 4, predecessors=None), "Plan!H6"),
    2: Example(change("plan", 4, predecessors="4FS-2d"), "Plan!H6"),
    3: Example(change("plan", 4, predecessors="4FS+2d"), "Plan!H6"),
    4: Example(change("plan", 4, predecessors="4SS"), "Plan!H6"),
    5: Example(change("plan", 5, constraint_type="mso", constraint_date=date(2026, 3, 23)), "Plan!R7"),
    6: Example(
        both(
            lambda wb: wb.plan.append(_EXTRA_TASK.model_copy()),
            change("plan", 5, duration=60, finish=date(2026, 6, 12)),
            change("plan", 6, predecessors="6, 8"),
        ),
        "Plan!A9",
    ),
    # The negative float flows back up the chain: task 4 is the first of three.
    7: Example(change("plan", 5, constraint_type="fnlt", constraint_date=date(2026, 3, 24)), "Plan!A5"),
    8: Example(change("plan", 5, baseline_finish=date(2026, 6, 12)), "Plan!M7"),
    9: Example(change("plan", 4, start=date(2026, 2, 23)), "Plan!A6"),
    10: Example(change("plan", 4, owner=None), "Plan!P6"),
    11: Example(change("plan", 2, actual_finish=date(2026, 2, 17), finish=date(2026, 2, 17)), "Plan!F4"),
    12: Example(
        lambda wb: wb.plan.append(
            _EXTRA_TASK.model_copy(
                update={
                    "predecessors": None,
                    "constraint_type": "mso",
                    "constraint_date": date(2026, 3, 2),
                    "start": date(2026, 3, 2),
                    "finish": date(2026, 3, 3),
                }
            )
        ),
        "Plan!A9",
    ),
    13: Example(change("project", end_date=date(2026, 3, 13)), "Project!B12"),
    14: Example(change("plan", 2, status="in_progress", percent_complete=0.9, actual_finish=None), "Plan!A4"),
}


FRENCH_NAMES = {
    1: "Logique",
    2: "Avances (leads)",
    3: "Décalages (lags)",
    4: "Types de liens",
    5: "Contraintes impératives",
    6: "Marge élevée",
    7: "Marge négative",
    8: "Durée élevée",
    9: "Dates invalides",
    10: "Ressources",
    11: "Tâches manquées",
    12: "Test du chemin critique",
    13: "Indice de longueur du chemin critique (CPLI)",
    14: "Indice d'exécution de la référence (BEI)",
}


def _register(number: int) -> None:
    code = f"DCMA{number:02d}"

    def check(ctx: ValidationContext) -> Iterator[Hit]:
        result = next(c for c in dcma_assessment(ctx) if c.number == number)
        if result.passed is None or result.passed:
            return
        ids = [str(ctx.at("plan_scheduled", i, "id")) for i in result.offenders]
        listed = (", ".join(ids[:10]) + (" ..." if len(ids) > 10 else "")) if ids else ""
        params = {
            "name": Words(result.name, FRENCH_NAMES[number]),
            "metric": Words(result.metric_text, french_figures(result.metric_text)),
            "threshold": Words(result.threshold, french_figures(result.threshold)),
            "count": result.count,
            "total": result.total,
            "tasks": Words(f": tasks {listed}", f" : tâches {listed}") if listed else "",
        }
        if result.field_name == "end_date":
            yield Hit("project", None, "end_date", "", params)
            return
        first = result.offenders[0] if result.offenders else None
        row = row_of(ctx.at("plan_scheduled", first, "source_row")) if first is not None else None
        yield Hit("plan", row, result.field_name if first is not None else None, ", ".join(ids[:10]), params)

    message = "DCMA {name}: {metric} ({count} of {total}), threshold {threshold}{tasks}"
    message_fr = "DCMA {name} : {metric} ({count} sur {total}), seuil {threshold}{tasks}"
    if number == 12:
        message = "DCMA {name}: delaying task {item} by {total} working days moves the finish by {count}"
        message_fr = "DCMA {name} : retarder la tâche {item} de {total} jours ouvrés décale la fin de {count}"
    if number in (13, 14):
        message = "DCMA {name}: {metric}, threshold {threshold}{tasks}"
        message_fr = "DCMA {name} : {metric}, seuil {threshold}{tasks}"
    rule(code, "warning", "dcma", summary=_SUMMARY[number], why=_WHY[number], message=message, message_fr=message_fr,
         example=_EXAMPLES[number])(check)  # fmt: skip


for _number in range(1, 15):
    _register(_number)


def dcma_frame(checks: list[DcmaCheck]) -> pd.DataFrame:
    """The assessment as a table: one row per check."""
    return pd.DataFrame(
        [
            {"check": c.number, "name": c.name, "metric": c.metric_text, "threshold": c.threshold,
             "result": {True: "pass", False: "fail", None: "n/a"}[c.passed], "count": c.count, "total": c.total}
            for c in checks
        ]
    )  # fmt: skip
