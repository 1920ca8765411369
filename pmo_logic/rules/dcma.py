"""The DCMA 14-point schedule assessment, with the standard thresholds.

`dcma_assessment` computes all fourteen checks (metric, population, threshold, pass/fail, the
tasks behind a failure); each check is also a rule (DCMA01 ... DCMA14) that reports a failed
check once, at the first offending task. The readings follow DCMA-EA PAM 200.1 as Deltek
Acumen counts it: unless a check says otherwise, the population is the Plan's *incomplete,
baselined tasks with a duration* (not done or cancelled, a baseline finish, type task with a
duration above zero; no milestones, no summaries). Each rule's ``reading`` (docs/rules.md,
"How it is counted") says which tasks it counts, its formula and where the reading comes from.
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
    population: str = ""
    """What ``total`` counts, in words (the check's population or its formula's terms)."""
    tasks: list[str] = field(default_factory=list)
    """The IDs of the tasks behind a failure (the offenders), in sheet order."""

    @property
    def metric_text(self) -> str:
        if self.metric is None:
            return "n/a"
        if self.unit == "%":
            return f"{self.metric:.1%}"
        return f"{self.metric:.2f}" if self.unit == "index" else f"{self.metric:g}"


def _ratio(count: int, total: int) -> float | None:
    return count / total if total else None


POPULATION = "incomplete baselined tasks with a duration"


def dcma_assessment(ctx: ValidationContext) -> list[DcmaCheck]:
    """The fourteen checks for one project (cached on the context)."""
    if "dcma" in ctx.cache:
        return ctx.cache["dcma"]
    s = ctx.settings
    # The masks below are plain numpy arrays: pandas costs ~50 us per operation, and the
    # fourteen checks need about a hundred of them for every workbook of a portfolio.
    a = ctx.arrays("plan_scheduled")
    index = ctx.index("plan_scheduled")
    ids = a["id"]
    kind = a["type"]
    state = a["state"]
    work = kind != "summary"
    incomplete = work & ~a["complete"].astype(bool)
    duration = np.nan_to_num(a["duration"].astype(float), nan=0.0)
    baseline_finish = a["baseline_finish"]
    baselined = ~np.isnat(baseline_finish)
    tasks = kind == "task"
    population = incomplete & tasks & (duration > 0) & baselined
    n_population = int(population.sum())
    status_date = pd.Timestamp(ctx.status_date) if ctx.status_date else None
    checks: list[DcmaCheck] = []

    def idx(mask: np.ndarray) -> list[int]:
        return index[mask].tolist()

    def first(values: np.ndarray, otherwise: np.ndarray) -> np.ndarray:
        return np.where(np.isnat(values), otherwise, values)

    def add(number, name, count, total, limit, op, offenders, field_name="id", absolute=False, words=POPULATION):
        metric = float(count) if absolute else _ratio(count, total)
        passed = None if metric is None else bool(op(metric, limit))
        threshold = ("<= " if op is _le else ">= ") + (f"{limit:g}" if absolute else f"{limit:.0%}")
        checks.append(
            DcmaCheck(number, name, metric, threshold, passed, int(count), int(total), list(offenders), field_name,
                      "" if absolute else "%", words)
        )  # fmt: skip

    # 1 Logic
    open_ends = idx(population & _open_ends(ctx, a))
    add(1, "Logic", len(open_ends), n_population, s.logic_max, _le, open_ends, "predecessors")

    # 2-4 Links whose successor is not complete
    network = a["in_network"].astype(bool)
    row_of_task = dict(zip(ids[network].tolist(), index[network].tolist(), strict=True))
    complete = dict(zip(ids[network].tolist(), a["complete"][network].tolist(), strict=True))
    links = [(u, v, link) for u, v, link in ctx.schedule.links if not complete[v]]
    leads = sorted({row_of_task[v] for _, v, link in links if link.lag < 0})
    lags = sorted({row_of_task[v] for _, v, link in links if link.lag > 0})
    not_fs = sorted({row_of_task[v] for _, v, link in links if link.type != "FS"})
    linked = "links to unfinished tasks and milestones"
    add(2, "Leads", sum(link.lag < 0 for *_, link in links), len(links), s.leads_max, _le, leads, "predecessors",
        absolute=True, words=linked)  # fmt: skip
    add(3, "Lags", sum(link.lag > 0 for *_, link in links), len(links), s.lags_max, _le, lags, "predecessors",
        words=linked)  # fmt: skip
    fs_count = sum(link.type == "FS" for *_, link in links)
    add(4, "Relationship types", fs_count, len(links), s.fs_min, _ge, not_fs, "predecessors", words=linked)

    # 5 Hard constraints
    hard = population & isin(a["constraint_type"], HARD_CONSTRAINTS)
    add(5, "Hard constraints", hard.sum(), n_population, s.hard_constraints_max, _le, idx(hard), "constraint_type")

    # 6-7 Float
    total_float = a["total_float"].astype(float)
    with np.errstate(invalid="ignore"):
        high_float = population & (total_float > s.high_float_days)
        negative = incomplete & (total_float < 0)  # milestones and unbaselined work included
    add(6, "High float", high_float.sum(), n_population, s.high_float_max, _le, idx(high_float))
    add(7, "Negative float", negative.sum(), int(incomplete.sum()), s.negative_float_max, _le, idx(negative),
        absolute=True, words="incomplete tasks and milestones")  # fmt: skip

    # 8 High duration (baseline duration)
    start, end = a["start"], a["finish"]
    start_pos = ctx.calendar.positions(first(a["baseline_start"], start))
    finish_pos = ctx.calendar.positions(first(baseline_finish, end), end=True)
    with np.errstate(invalid="ignore"):
        long = population & (finish_pos - start_pos > s.high_duration_days)
    add(8, "High duration", long.sum(), n_population, s.high_duration_max, _le, idx(long), "baseline_finish")

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
            absolute=True, words="tasks and milestones")  # fmt: skip
    else:
        checks.append(DcmaCheck(9, "Invalid dates", None, f"<= {s.invalid_dates_max}", None, unit=""))

    # 10 Resources
    no_owner = population & blank(a["owner"])
    add(10, "Resources", no_owner.sum(), n_population, s.missing_resources_max, _le, idx(no_owner), "owner",
        absolute=True)  # fmt: skip

    # 11 Missed tasks and 14 BEI: tasks with a duration, finished or not, cancelled ones left out
    counted = tasks & (duration > 0) & (state != "cancelled")
    if status_date is not None:
        due = counted & (baseline_finish <= when)
        done_on = first(a["actual_finish"], end)
        missed = due & ((state != "done") | (done_on > baseline_finish))
        add(11, "Missed tasks", missed.sum(), int(due.sum()), s.missed_tasks_max, _le, idx(missed), "finish",
            words="tasks baselined to finish by the status date")  # fmt: skip
    else:
        checks.append(DcmaCheck(11, "Missed tasks", None, f"<= {s.missed_tasks_max:.0%}", None))

    # 12 Critical path test
    checks.append(_critical_path_test(ctx))

    # 13 CPLI
    checks.append(_cpli(ctx))

    # 14 BEI (DCMA-EA PAM 200.1): completed / (baselined to finish by now + completed without a baseline)
    if status_date is not None:
        completed = counted & (state == "done")
        unbaselined_done = completed & ~baselined
        denominator = int(due.sum() + unbaselined_done.sum())
        bei = _ratio(int(completed.sum()), denominator)
        late = due & (state != "done")
        checks.append(
            DcmaCheck(
                14,
                "Baseline execution index (BEI)",
                bei,
                f">= {s.bei_min:g}",
                None if bei is None else bei >= s.bei_min - 1e-12,
                int(completed.sum()),
                denominator,
                idx(late),
                unit="index",
                population="tasks completed / tasks baselined to finish by the status date + completed unbaselined",
            )
        )
    else:
        checks.append(DcmaCheck(14, "Baseline execution index (BEI)", None, f">= {s.bei_min:g}", None, unit=""))
    checks.sort(key=lambda c: c.number)
    frame_ids = dict(zip(index.tolist(), ids.tolist(), strict=True))
    for check in checks:
        check.tasks = [str(frame_ids[i]) for i in check.offenders if i in frame_ids]
    ctx.cache["dcma"] = checks
    return checks


def _le(a: float, b: float) -> bool:
    return a <= b + 1e-12


def _ge(a: float, b: float) -> bool:
    return a >= b - 1e-12


def _open_ends(ctx: ValidationContext, a: dict[str, np.ndarray]) -> np.ndarray:
    """Tasks missing a predecessor or a successor, less the project's first and last activity.

    The first activity is the linked task (it has a successor) with no predecessor that starts
    earliest; the last, the linked task (it has a predecessor) with no successor that finishes
    latest. A task with no link at all is never one of them."""
    graph = ctx.schedule.graph
    ids = a["id"].tolist()
    ins, outs = graph.in_degree(), graph.out_degree()
    in_degree = np.array([ins[i] if i in graph else 0 for i in ids])
    out_degree = np.array([outs[i] if i in graph else 0 for i in ids])
    network = a["in_network"].astype(bool)
    no_pred, no_succ = network & (in_degree == 0), network & (out_degree == 0)
    excused = np.zeros(len(ids), dtype=bool)
    es, ef = a["es"].astype(float), a["ef"].astype(float)
    starts = np.flatnonzero(no_pred & (out_degree > 0))
    if len(starts):
        excused[starts[np.lexsort((starts, es[starts]))[0]]] = True
    ends = np.flatnonzero(no_succ & (in_degree > 0))
    if len(ends):
        excused[ends[np.lexsort((-ends, -ef[ends]))[0]]] = True
    return (no_pred | no_succ) & ~excused


def _critical_path_test(ctx: ValidationContext) -> DcmaCheck:
    """Delay the first unstarted task of the driving path: the project finish must move by as much."""
    delay, a = ctx.settings.critical_path_test_delay, ctx.arrays("plan_scheduled")
    name = "Critical path test"
    words = "the first unstarted task of the driving path, delayed"
    position = {task_id: i for i, task_id in enumerate(a["id"].tolist()) if task_id is not None}
    state = a["state"]
    candidates = [t for t in ctx.schedule.driving_path if t in position and state[position[t]] == "not_started"]
    if not candidates or ctx.schedule.project_finish is None:
        return DcmaCheck(12, name, None, f"finish moves by {delay} days", None, unit="", population=words)
    at = position[candidates[0]]
    index = ctx.index("plan_scheduled")[[at]].tolist()[0]
    moved = (ctx.schedule.finish_with_delay(candidates[0], delay) or 0) - ctx.schedule.project_finish
    return DcmaCheck(12, name, float(moved), f"finish moves by {delay} days", moved == delay, int(moved), delay,
                     [index], unit="", population=words)  # fmt: skip


def cpli(length: float, float_days: float) -> float:
    """DAU's Critical Path Length Index: (critical path length + its total float) / its length."""
    return (length + float_days) / length


def _cpli(ctx: ValidationContext) -> DcmaCheck:
    name, s = "Critical path length index (CPLI)", ctx.settings
    deadline = ctx.workbook.project.end_date
    finish = ctx.schedule.project_finish
    words = "remaining critical path length (working days), its total float to the end date"
    if deadline is None or finish is None:
        return DcmaCheck(13, name, None, f">= {s.cpli_min:g}", None, field_name="end_date", unit="", population=words)
    start = ctx.schedule.origin
    if ctx.status_date is not None:
        start = max(start, ctx.calendar.end_position(ctx.status_date))
    length = finish - start
    if length <= 0:
        return DcmaCheck(13, name, None, f">= {s.cpli_min:g}", None, field_name="end_date", unit="", population=words)
    slack = ctx.calendar.end_position(deadline) - finish
    # The critical path's float: the end date's margin, or the negative float of a violated
    # constraint or missed deadline when that is lower (checks 7 and 13 see the same float).
    a = ctx.arrays("plan_scheduled")
    open_float = a["total_float"].astype(float)[(a["type"] != "summary") & ~a["complete"].astype(bool)]
    open_float = open_float[~np.isnan(open_float)]
    if len(open_float) and open_float.min() < 0:
        slack = min(slack, int(open_float.min()))
    value = cpli(length, slack)
    return DcmaCheck(13, name, value, f">= {s.cpli_min:g}", value >= s.cpli_min - 1e-12, length, slack, [],
                     field_name="end_date", unit="index", population=words)  # fmt: skip


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
    7: "Negative float on an unfinished task or milestone.",
    8: "High duration: more than 5% of unfinished tasks last over 44 working days in the baseline.",
    9: "Invalid dates: forecasts before the status date or actuals after it.",
    10: "Resources: unfinished tasks with a duration and no owner.",
    11: "Missed tasks: more than 5% of tasks due by the status date finished late or not at all.",
    12: "Critical path test: delaying the driving path does not delay the project finish by as much.",
    13: "CPLI below 0.95.",
    14: "BEI below 0.95.",
}
_P = (
    "Counted among the incomplete, baselined tasks with a duration (not done or cancelled, a baseline "
    "finish, type task, duration above 0: no milestones, no summaries), as Deltek Acumen reads DCMA-EA PAM 200.1."
)
_READING = {
    1: _P + " A task fails when it has no predecessor or no successor. Only the project's first activity (the "
    "earliest-starting task with successors and no predecessor) and its last (the latest-finishing task with "
    "predecessors and no successor) are excused; a task with no link at all always fails. Metric: failing / "
    "counted, threshold 5%.",
    2: "Counted among the links whose successor is not finished (summaries carry no links). A lead is a negative "
    "lag. Metric: the number of leads, threshold 0.",
    3: "Counted among the links whose successor is not finished. Metric: links with a positive lag / links, "
    "threshold 5%.",
    4: "Counted among the links whose successor is not finished. Metric: finish-to-start links / links, "
    "threshold at least 90%.",
    5: _P + " Hard constraints: must start on, must finish on, start no later than, finish no later than (DCMA "
    "lists the no-later-than ones as hard too). Metric: constrained / counted, threshold 5%.",
    6: _P + " Metric: tasks with a total float above 44 working days / counted, threshold 5%.",
    7: "Counted among every incomplete task and milestone, baselined or not: any negative float is a failure. "
    "The float is the scheduler's, which gives negative float to a task a hard constraint or a deadline cannot "
    "hold and to the tasks before it (MS Project's slack). Metric: the number, threshold 0.",
    8: _P + " Duration is the baseline's, in working days from baseline start to baseline finish. Metric: "
    "above 44 days / counted, threshold 5%.",
    9: "Counted among every task and milestone (not summaries): a forecast start or finish of unfinished work "
    "before the status date, or an actual date after it. Metric: the number, threshold 0.",
    10: _P + " A task without an owner has no resource. Metric: the number, threshold 0.",
    11: "Counted among the tasks with a duration (milestones, summaries and cancelled tasks left out) whose "
    "baseline finish is on or before the status date: missed when not done, or done after its baseline finish. "
    "Metric: missed / due, threshold 5%.",
    12: "The driving path is the chain of links that holds the project finish where it is (back from the last "
    "task, through each link that sets its successor's date, stopping at work in progress and at tasks a "
    "constraint holds); its first unstarted task gets 600 more working days. Passes when the project finish "
    "moves by exactly 600. A task given negative float by a constraint off that path does not take part "
    "(DCMA-EA PAM 200.1: the test delays the critical path, not any task with float <= 0).",
    13: "DAU's definition: CPLI = (critical path length + critical path total float) / critical path length. "
    "The length is in working days from the status date (or the project start) to the forecast finish; the "
    "float is the margin to the Project sheet's end date, or the negative float of a violated constraint or "
    "missed deadline when that is lower. Threshold 0.95. Not applicable without an end date.",
    14: "DCMA-EA PAM 200.1: BEI = tasks completed / (tasks baselined to finish on or before the status date + "
    "tasks completed without a baseline finish), counted among the tasks with a duration (milestones, "
    "summaries and cancelled tasks left out). Threshold 0.95.",
}
_EXTRA_TASK = TaskRow(
    id="8", wbs="1.7", name="Handbook", type="task", start=date(2026, 3, 16), finish=date(2026, 3, 17), duration=2,
    predecessors="4", baseline_start=date(2026, 3, 16), baseline_finish=date(2026, 3, 17), owner="C. Smith",
    status="not_started", percent_complete=0,
)  # fmt: skip
_EXAMPLES: dict[int, Example] = {
    # Train loses its predecessor, so Test (in progress) loses its successor: Test is the first found.
    1: Example(change("plan", 4, predecessors=None), "Plan!H5"),
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
    # Deploy starts five days after Train starts (SS+5d): delaying Train's finish moves nothing.
    12: Example(change("plan", 5, predecessors="5SS+5d"), "Plan!A6"),
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
        # The first ten are named: looking up every offender of a 100,000-row plan cost a second.
        ids = [str(ctx.at("plan_scheduled", i, "id")) for i in result.offenders[:10]]
        listed = (", ".join(ids) + (" ..." if len(result.offenders) > 10 else "")) if ids else ""
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
         example=_EXAMPLES[number], reading=_READING[number])(check)  # fmt: skip


for _number in range(1, 15):
    _register(_number)


def dcma_frame(checks: list[DcmaCheck]) -> pd.DataFrame:
    """The assessment as a table a controller can read: one row per check, with what it counts
    (population), the threshold, pass or fail and the tasks behind a failure."""
    return pd.DataFrame(
        [
            {"check": c.number, "name": c.name, "metric": c.metric_text, "count": c.count, "total": c.total,
             "population": c.population, "threshold": c.threshold,
             "result": {True: "pass", False: "fail", None: "n/a"}[c.passed],
             "tasks": ", ".join(c.tasks) if c.passed is False else ""}
            for c in checks
        ]
    )  # fmt: skip
