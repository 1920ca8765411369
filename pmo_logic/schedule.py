"""The critical path method on a project's Plan: forward and backward pass, float, critical path.

The task graph is a networkx DiGraph (predecessor -> successor). Dates are turned into
working-day positions by a `WorkCalendar`, and the passes count working minutes (integers: a
day of the calendar's hours, 450 minutes on 7.5-hour days), so durations and lags in hours or
fractions of a day start and finish work within a day as MS Project does:

- FS: successor start  >= predecessor finish + lag
- SS: successor start  >= predecessor start  + lag
- FF: successor finish >= predecessor finish + lag
- SF: successor finish >= predecessor start  + lag

An elapsed lag (``2ed``) is calendar time: added to the predecessor's date and time, through
nights, weekends and holidays, then rolled to the next working time.

Status-date aware: finished work keeps its actual dates, work in progress keeps its actual
start and has its remaining duration scheduled from the status date, and work not started
cannot start before the status date. Loops are reported (each names its whole cycle) and
broken so that the rest of the plan is still scheduled.

>>> result = schedule(workbook.plan, WorkCalendar(date(2026, 1, 5)))  # doctest: +SKIP
>>> result.tasks[["id", "early_start", "early_finish", "total_float", "critical"]]  # doctest: +SKIP
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import networkx as nx
import numpy as np
import pandas as pd

from pmo_logic.models import TaskRow
from pmo_logic.predecessors import Link, PredecessorSyntaxError, parse_predecessors
from pmo_logic.workdays import WorkCalendar

HARD_CONSTRAINTS = ("mso", "mfo", "snlt", "fnlt")


@dataclass
class Schedule:
    """The result of scheduling a plan.

    ``tasks`` has one row per Plan row (same order) with positions (``es``, ``ef``, ``ls``,
    ``lf``) and dates (``early_start`` ... ``late_finish``), ``total_float``, ``free_float``
    (working days), ``critical``, and ``in_network`` (the rows scheduled: not summaries, with
    an ID not used above).
    """

    graph: nx.DiGraph
    calendar: WorkCalendar
    project_finish: float | None = None
    origin: float = 0
    """Position of the project start: a milestone there shows on that day, not the day before."""
    cycles: list[list[str]] = field(default_factory=list)
    unknown_predecessors: list[tuple[int, str]] = field(default_factory=list)
    """(row index, predecessor ID) for links to IDs not in the plan."""
    syntax_errors: list[tuple[int, PredecessorSyntaxError]] = field(default_factory=list)
    summary_links: list[tuple[int, str]] = field(default_factory=list)
    """(row index, other task ID) for links to or from summary tasks (left out of the network)."""
    links: list[tuple[str, str, Link]] = field(default_factory=list)
    """Every link kept in the network: (predecessor, successor, link)."""
    driving_path: list[str] = field(default_factory=list)
    """IDs of the tasks that drive the project finish (the longest path), by early start."""
    columns: dict[str, Any] = field(default_factory=dict, repr=False)
    """The columns ``tasks`` is built from, the first time it is asked for."""
    _tasks: pd.DataFrame | None = field(default=None, init=False, repr=False)

    @property
    def tasks(self) -> pd.DataFrame:
        if self._tasks is None:
            # Text columns as object, not pandas' string dtype: rules read them value by value.
            texts = {k: pd.Series(self.columns[k], dtype=object) for k in _TEXT_COLUMNS if k in self.columns}
            self._tasks = pd.DataFrame({**self.columns, **texts})
        return self._tasks

    def column(self, name: str) -> np.ndarray:
        """``tasks[name].to_numpy()``, without building ``tasks`` for the columns held as arrays."""
        values = self.columns.get(name)
        if self._tasks is None and isinstance(values, np.ndarray) and name not in _TEXT_COLUMNS:
            return values.astype(object) if values.dtype.kind == "U" else values  # text: as pandas gives it back
        return self.tasks[name].to_numpy()

    def finish_with_delay(self, task_id: str, days: float) -> float | None:
        """The project finish if ``task_id`` took ``days`` more working days (the logic is reused)."""
        forward = getattr(self, "_forward", None)
        if forward is None:
            return None
        per_day = self.calendar.minutes_per_day
        _, ef = forward({task_id: round(days * per_day)})
        return _in_days(max(ef.values()), per_day) if ef else None

    @property
    def critical_path(self) -> list[str]:
        """IDs of the critical tasks, in order of early start."""
        crit = self.tasks[self.tasks["critical"]]
        return crit.sort_values(["es", "ef"])["id"].tolist()


PlanColumns = Mapping[str, Sequence[Any]]
"""The Plan read column by column: TaskRow field -> values, with ``source_row``."""


def schedule(
    plan: Sequence[TaskRow] | PlanColumns,
    calendar: WorkCalendar,
    *,
    status_date: date | None = None,
    project_start: date | None = None,
    deadline: date | None = None,
) -> Schedule:
    """Schedule ``plan`` (the Plan's rows, summary tasks included) on ``calendar``.

    ``plan`` is the Plan's rows (`TaskRow`), or the same values column by column.
    ``deadline``: a date the whole project must finish by (as a task's Deadline: it moves
    nothing, and the work that runs past it gets negative float).
    """
    # Columns are built as lists and arrays and become one DataFrame at the end: a plan is
    # small, and per-column DataFrame operations would cost more than the scheduling itself.
    columns = _task_columns(column_reader(plan), calendar)
    ids, kinds = columns["id"], columns["type"]
    n = len(ids)
    in_network = np.zeros(n, dtype=bool)
    seen: set = set()
    for i, (task_id, kind) in enumerate(zip(ids, kinds, strict=True)):
        in_network[i] = kind != "summary" and task_id is not None and task_id not in seen
        seen.add(task_id)
    index_of = {ids[i]: i for i in np.flatnonzero(in_network).tolist()}
    summaries = {task_id for task_id, kind in zip(ids, kinds, strict=True) if kind == "summary" and task_id is not None}
    graph = nx.DiGraph()
    graph.add_nodes_from(ids[i] for i in np.flatnonzero(in_network).tolist())
    result = Schedule(graph=graph, calendar=calendar)
    edges: dict[tuple[str, str], list[Link]] = {}
    for i, (task_id, kind, text) in enumerate(zip(ids, kinds, columns["predecessors"], strict=True)):
        try:
            links = parse_predecessors(text)
        except PredecessorSyntaxError as exc:
            result.syntax_errors.append((i, exc))
            continue
        for link in links:
            if kind == "summary" or link.predecessor in summaries:
                result.summary_links.append((i, link.predecessor))
            elif link.predecessor not in index_of:
                result.unknown_predecessors.append((i, link.predecessor))
            elif index_of.get(task_id) == i:
                edges.setdefault((link.predecessor, task_id), []).append(link)
    graph.add_edges_from((u, v, {"links": links}) for (u, v), links in edges.items())
    try:
        order = list(nx.topological_sort(graph))
    except nx.NetworkXUnfeasible:
        result.cycles = _break_cycles(graph)
        order = list(nx.topological_sort(graph))
    result.links = [(u, v, link) for u, v, data in graph.edges(data=True) for link in data["links"]]
    positions = {name: np.full(n, np.nan) for name in ("es", "ef", "ls", "lf", "total_float", "free_float")}
    critical = np.zeros(n, dtype=bool)
    if in_network.any():
        _passes(result, order, columns, in_network, calendar, status_date, project_start, positions, deadline)
        open_work = ~np.isin(columns["state"], ["done", "cancelled"])
        positions["total_float"] = np.where(open_work, positions["total_float"], np.nan)
        positions["free_float"] = np.where(open_work, positions["free_float"], np.nan)
        with np.errstate(invalid="ignore"):
            critical = positions["total_float"] <= 0
    critical = _summaries(columns, positions, critical)
    per_day = calendar.minutes_per_day
    dates = _dates(positions, kinds, calendar, result.origin * per_day)
    positions = {name: values / per_day for name, values in positions.items()}  # working days
    result.columns = {**columns, "in_network": in_network, **positions, "critical": critical, **dates}
    return result


_TEXT_COLUMNS = ("id", "wbs", "type", "status", "predecessors", "constraint_type")


def column_reader(plan: Sequence[TaskRow] | PlanColumns) -> Callable[[str], list[Any]]:
    """The values of one TaskRow field down the Plan, from its rows or from its columns."""
    if isinstance(plan, Mapping):
        blank = [None] * len(plan["source_row"])
        return lambda name: list(plan.get(name, blank))
    return lambda name: [getattr(t, name) for t in plan]


def _task_columns(column: Callable[[str], list[Any]], calendar: WorkCalendar) -> dict[str, Any]:
    """The Plan's columns the scheduler needs, with each task's dates as working-day positions."""
    kinds = [kind or "task" for kind in column("type")]
    status = column("status")
    percent = np.array(column("percent_complete"), dtype=float)
    percent = np.where(np.isnan(percent), 0.0, percent)
    start = [actual or planned for actual, planned in zip(column("actual_start"), column("start"), strict=True)]
    finish = [actual or planned for actual, planned in zip(column("actual_finish"), column("finish"), strict=True)]
    # Duration from the dates where it is missing: what the project manager drew.
    start_pos = calendar.positions(start)
    finish_pos = calendar.positions(finish, end=True)
    from_dates = np.maximum(finish_pos - start_pos, 0)
    duration = np.array(column("duration"), dtype=float)
    duration = np.where(np.isnan(duration), from_dates, duration)
    kind_array = np.array(kinds, dtype=object)
    status_array = np.array(status, dtype=object)
    duration = np.where(kind_array == "milestone", 0, duration)
    done = (status_array == "done") | (percent >= 1)
    state = np.select(
        [status_array == "cancelled", done, (percent > 0) | (status_array == "in_progress")],
        ["cancelled", "done", "in_progress"],
        "not_started",
    )
    return {
        "id": column("id"),
        "wbs": column("wbs"),
        "type": kinds,
        "status": status,
        "predecessors": column("predecessors"),
        "percent_complete": percent,
        "duration": np.nan_to_num(duration, nan=0.0),
        "start": start,
        "finish": finish,
        "constraint_type": column("constraint_type"),
        "constraint_date": column("constraint_date"),
        "deadline": column("deadline"),
        "source_row": column("source_row"),
        "start_pos": start_pos,
        "finish_pos": finish_pos,
        "state": state,
    }


def _break_cycles(graph: nx.DiGraph) -> list[list[str]]:
    """Report each loop once (by strongly connected component) and remove links until none is left."""
    cycles: list[list[str]] = []
    for component in nx.strongly_connected_components(graph):
        node = next(iter(component))
        if len(component) == 1 and not graph.has_edge(node, node):
            continue
        # Built in plan order: a subgraph view of a small component iterates the component's
        # set, whose order changes from run to run, and so would the loop reported and the link cut.
        sub = nx.DiGraph()
        sub.add_nodes_from(n for n in graph if n in component)
        sub.add_edges_from((u, v) for u, v in graph.edges if u in component and v in component)
        first = nx.find_cycle(sub)
        cycles.append([u for u, _ in first])
        while True:
            try:
                edge = nx.find_cycle(sub)[-1]
            except nx.NetworkXNoCycle:
                break
            sub.remove_edge(*edge[:2])
            graph.remove_edge(*edge[:2])
    return cycles


def _passes(
    result: Schedule,
    order: list[str],
    columns: dict[str, Any],
    in_network: np.ndarray,
    calendar: WorkCalendar,
    status_date: date | None,
    project_start: date | None,
    positions: dict[str, np.ndarray],
    deadline: date | None = None,
) -> None:
    rows = np.flatnonzero(in_network).tolist()
    starts = columns["start_pos"][in_network]
    starts = starts[~np.isnan(starts)]
    # Working minutes from here on: a day is ``per_day`` of them.
    per_day = calendar.minutes_per_day
    origin = calendar.position(project_start) if project_start else (int(starts.min()) if len(starts) else 0)
    result.origin = origin
    origin *= per_day
    data_date = calendar.end_position(status_date) * per_day if status_date else None
    # Plain tuples and lists, built once: the passes below (and every finish_with_delay) only
    # do integer arithmetic, with no graph views, DataFrame rows or calendar lookups inside.
    # (The passes take maxima and minima over these lists, so their order does not matter.)
    # A link is (other task, type, lag in working minutes, elapsed lag in minutes or None).
    preds: dict[str, list[tuple[str, str, int, int | None]]] = {t: [] for t in order}
    succs: dict[str, list[tuple[str, str, int, int | None]]] = {t: [] for t in order}
    for u, v, link in result.links:
        elapsed = round(link.lag * 1440) if link.unit == "ed" else None
        lag = 0 if elapsed is not None else round(link.lag * (60 if link.unit == "h" else per_day))
        preds[v].append((u, link.type, lag, elapsed))
        succs[u].append((v, link.type, lag, elapsed))
    result._preds = preds
    info = {}
    ids, kinds, state = columns["id"], columns["type"], columns["state"]
    start_pos, finish_pos, duration = columns["start_pos"], columns["finish_pos"], columns["duration"]
    constraint_type, constraint_date = columns["constraint_type"], columns["constraint_date"]
    deadlines = columns["deadline"]
    percent = columns["percent_complete"]

    def after(minute: int, elapsed: int, finish: bool) -> int:
        """An elapsed lag after (negative: before) a start, or a ``finish``: calendar time."""
        return calendar.minutes_at(calendar.moment_minutes(minute, finish) + elapsed)

    for i in rows:
        fixed_start = None if math.isnan(start_pos[i]) else int(start_pos[i]) * per_day
        fixed_finish = None if math.isnan(finish_pos[i]) else int(finish_pos[i]) * per_day
        milestone = kinds[i] == "milestone"
        if milestone and fixed_finish is not None:
            fixed_start = fixed_finish  # a milestone sits at the end of its day
        kind, when = constraint_type[i], constraint_date[i]
        when_pos = when_end = None
        if kind and isinstance(when, date):
            when_end = calendar.end_position(when) * per_day
            when_pos = when_end if milestone else calendar.position(when) * per_day
        due = calendar.end_position(deadlines[i]) * per_day if isinstance(deadlines[i], date) else None
        minutes = round(float(duration[i]) * per_day)
        info[ids[i]] = (minutes, fixed_start, fixed_finish, str(state[i]), kind, when_pos, when_end,
                        min(float(percent[i]), 1.0), due)  # fmt: skip

    # Where the links alone would start a task that a must-start/finish-on holds elsewhere:
    # its float is measured from there (MS Project's negative slack of a violated constraint).
    logic_start: dict[str, int] = {}

    def forward(extra: dict[str, int], held: dict[str, int]) -> tuple[dict[str, int], dict[str, int]]:
        """Early start and finish of every task; ``extra`` adds working days to some
        durations, ``held`` starts some tasks (as late as possible ones) at a given position."""
        es: dict[str, int] = {}
        ef: dict[str, int] = {}
        for task_id in order:
            d, fixed_start, fixed_finish, state, kind, when_pos, when_end, percent, _ = info[task_id]
            more = extra.get(task_id, 0)
            if (state == "done" or state == "cancelled") and fixed_start is not None:
                es[task_id] = fixed_start
                ef[task_id] = max(fixed_finish if fixed_finish is not None else fixed_start + d, fixed_start)
                continue
            start_bound, finish_bound = origin, None
            for pred, link_type, lag, elapsed in preds[task_id]:
                from_finish = link_type in ("FS", "FF")
                source = ef[pred] if from_finish else es[pred]
                bound = source + lag if elapsed is None else after(source, elapsed, from_finish)
                if link_type in ("FS", "SS"):
                    start_bound = max(start_bound, bound)
                else:  # FF, SF
                    finish_bound = bound if finish_bound is None else max(finish_bound, bound)
            if state == "in_progress" and fixed_start is not None:
                start = fixed_start
                # Whole days left on a plan of whole days, as the PM counts them; else the exact fraction.
                left = d * (1 - percent)
                remaining = math.ceil(left / per_day) * per_day if d % per_day == 0 else round(left)
                finish = max(start, (data_date if data_date is not None else start) + remaining)
                if data_date is None:
                    finish = start + d
                finish += more
            else:
                d += more
                if data_date is not None:
                    start_bound = max(start_bound, data_date)
                if finish_bound is not None:
                    start_bound = max(start_bound, finish_bound - d)
                if when_pos is not None and kind == "snet":
                    start_bound = max(start_bound, when_pos)
                if when_pos is not None and kind == "fnet":
                    start_bound = max(start_bound, when_end - d)
                start = start_bound
                if when_pos is not None and kind in ("mso", "mfo"):
                    logic_start[task_id] = start
                    start = when_pos if kind == "mso" else when_end - d
                elif task_id in held:
                    start = max(start, held[task_id])
                finish = start + d
            es[task_id], ef[task_id] = start, finish
        return es, ef

    def backward(es: dict[str, int], ef: dict[str, int], finish: int) -> tuple[dict[str, int], dict[str, int]]:
        lf: dict[str, int] = {}
        ls: dict[str, int] = {}
        for task_id in reversed(order):
            _, _, _, state, kind, when_pos, when_end, _, due = info[task_id]
            span = ef[task_id] - es[task_id]
            bound = finish
            for succ, link_type, lag, elapsed in succs[task_id]:
                to_finish = link_type in ("FF", "SF")
                target = lf[succ] if to_finish else ls[succ]
                latest = target - lag if elapsed is None else after(target, -elapsed, to_finish)
                bound = min(bound, latest if link_type in ("FS", "FF") else latest + span)
            if kind in HARD_CONSTRAINTS and when_pos is not None:
                bound = min(bound, when_pos + span if kind in ("mso", "snlt") else when_end)
            if due is not None:  # a deadline bounds the late finish and nothing else
                bound = min(bound, due)
            if state in ("done", "cancelled"):
                bound = ef[task_id]
            lf[task_id], ls[task_id] = bound, bound - span
        return ls, lf

    es, ef = forward({}, {})
    project_finish = max(ef.values()) if ef else None
    result.project_finish = None if project_finish is None else _in_days(project_finish, per_day)
    # The late dates run back from the project finish, or from the project's deadline when
    # that is earlier (then the longest path carries the negative float of the overrun).
    late_end = project_finish
    if deadline is not None and project_finish is not None:
        late_end = min(project_finish, calendar.end_position(deadline) * per_day)
    ls, lf = backward(es, ef, late_end)
    alap = {
        t: ls[t] for t in order if info[t][4] == "alap" and info[t][3] == "not_started" and ls[t] > es[t]
    }  # fmt: skip
    if alap:
        # As late as possible: the task sits at its late dates, and its successors follow it.
        # The late dates do not change (they run back from the same finish).
        es, ef = forward({}, alap)
    result._forward = lambda extra: forward(extra, alap)
    result._alap = alap
    result.driving_path = _driving_path(order, preds, es, ef, project_finish, info, alap, after)
    logic_finish = {t: logic_start[t] + (ef[t] - es[t]) for t in logic_start}
    total: dict[str, int] = {t: lf[t] - max(ef[t], logic_finish.get(t, ef[t])) for t in order}
    free: dict[str, int] = {}
    for task_id in order:
        e_s, e_f = es[task_id], ef[task_id]
        slack = project_finish - e_f
        for succ, link_type, lag, elapsed in succs[task_id]:
            from_finish = link_type in ("FS", "FF")
            source = e_f if from_finish else e_s
            bound = source + lag if elapsed is None else after(source, elapsed, from_finish)
            slack = min(slack, (es[succ] if link_type in ("FS", "SS") else ef[succ]) - bound)
        # Never negative (a successor held by a constraint), never above the total float.
        free[task_id] = max(0, min(slack, total[task_id]))
    for name, values in (("es", es), ("ef", ef), ("ls", ls), ("lf", lf), ("total_float", total),
                         ("free_float", free)):  # fmt: skip
        column = positions[name]
        for i in rows:
            column[i] = values.get(ids[i], np.nan)


def _whole(days: float) -> float | int:
    """Float in working days: a whole number as an int, half a day as 0.5 (not truncated to 0)."""
    return int(days) if float(days).is_integer() else float(days)


def _in_days(minutes: int, per_day: int) -> float | int:
    """Working minutes as working days: a whole number of days stays an int."""
    days, rest = divmod(minutes, per_day)
    return days if rest == 0 else minutes / per_day


def _driving_path(order, preds, es, ef, project_finish, info, held, after) -> list[str]:
    """The tasks that drive the project finish: back from the last task through the links
    that hold each task where it is (the longest path), in order of early start.

    A task that a constraint, its progress or as-late-as-possible holds is not driven by its
    links, so the path stops there: delaying its predecessors would not move it."""
    if project_finish is None:
        return []
    todo = [t for t in order if ef[t] == project_finish]
    found: set[str] = set(todo)
    while todo:
        task_id = todo.pop()
        _, _, _, state, kind, when_pos, _, _, _ = info[task_id]
        if state != "not_started" or (when_pos is not None and kind in ("mso", "mfo")) or task_id in held:
            continue
        for pred, link_type, lag, elapsed in preds[task_id]:
            from_finish = link_type in ("FS", "FF")
            source = ef[pred] if from_finish else es[pred]
            bound = source + lag if elapsed is None else after(source, elapsed, from_finish)
            driven = bound == (es[task_id] if link_type in ("FS", "SS") else ef[task_id])
            if driven and pred not in found:
                found.add(pred)
                todo.append(pred)
    rank = {t: k for k, t in enumerate(order)}
    return sorted(found, key=lambda t: (es[t], ef[t], rank[t]))


def _summaries(columns: dict[str, Any], positions: dict[str, np.ndarray], critical: np.ndarray) -> np.ndarray:
    """A summary task spans the rows under it in the WBS (1.2 spans 1.2.1, 1.2.2...), and
    carries the float and the critical flag of its most critical unfinished child (MS Project)."""
    kinds = columns["type"]
    summary_rows = [i for i, kind in enumerate(kinds) if kind == "summary"]
    if not summary_rows:
        return critical
    critical = critical.copy()
    wbs = [w if isinstance(w, str) else "" if w is None or w != w else str(w) for w in columns["wbs"]]
    es, ef, ls, lf = positions["es"], positions["ef"], positions["ls"], positions["lf"]
    total, free = positions["total_float"], positions["free_float"]
    children_of = summary_children(wbs, kinds)
    for i in summary_rows:
        children = children_of.get(wbs[i] + ".", [])
        if wbs[i] and children and not np.isnan(es[children]).all():
            es[i], ls[i] = _least(es[children]), _least(ls[children])
            ef[i], lf[i] = _most(ef[children]), _most(lf[children])
            total[i], free[i] = _least(total[children]), _least(free[children])
            critical[i] = bool(critical[children].any())
    return critical


def summary_children(wbs: list[str], kinds: list[str]) -> dict[str, list[int]]:
    """The rows under each WBS prefix ("1.2." holds the non-summary rows 1.2.1, 1.2.3.4...),
    found from each row's own prefixes: a plan of n rows costs n times its depth, where
    scanning every row for each summary cost n squared (170 s for 100,000 rows)."""
    children: dict[str, list[int]] = {}
    for j, w in enumerate(wbs):
        if kinds[j] == "summary":
            continue
        dot = w.find(".")
        while dot != -1:
            children.setdefault(w[: dot + 1], []).append(j)
            dot = w.find(".", dot + 1)
    return children


def _least(values: np.ndarray) -> float:
    known = values[~np.isnan(values)]
    return float(known.min()) if len(known) else np.nan


def _most(values: np.ndarray) -> float:
    known = values[~np.isnan(values)]
    return float(known.max()) if len(known) else np.nan


def _dates(
    positions: dict[str, np.ndarray], kinds: list[str], calendar: WorkCalendar, origin: int
) -> dict[str, np.ndarray]:
    """The working day of each position (in working minutes): a start is the day it falls in,
    a finish the day it ends (a finish at a day's boundary ends the day before)."""
    milestone = np.array([k == "milestone" for k in kinds], dtype=bool)
    per_day = calendar.minutes_per_day
    dates = {}
    for column, name in (("es", "early_start"), ("ef", "early_finish"), ("ls", "late_start"), ("lf", "late_finish")):
        values = positions[column]
        valid = ~np.isnan(values)
        # A finish (or a milestone) is the working day that ends at the position; a
        # milestone at the very start of the project shows on the first day.
        ends = (milestone & (values > origin)) | ((column in ("ef", "lf")) & ~milestone)
        days = np.where(ends, np.ceil(values / per_day) - 1, np.floor(values / per_day))
        out = np.full(len(values), None, dtype=object)
        if valid.any():
            found = np.busday_offset(
                calendar.origin, days[valid].astype(int), roll="forward", busdaycal=calendar.busdaycal
            )
            out[valid] = found.astype(object)
        dates[name] = out
    return dates


SCHEDULE_COLUMNS = [
    "ID",
    "Early start",
    "Early finish",
    "Late start",
    "Late finish",
    "Total float",
    "Free float",
    "Critical",
]


def schedule_table(
    ids: Sequence[object],
    durations: Sequence[object],
    predecessors: Sequence[object],
    start: date,
    calendar: WorkCalendar,
) -> list[list[object]]:
    """The schedule of a plain list of tasks as rows (header first), for a spreadsheet function.

    Raises ValueError naming the first problem: an unknown predecessor, a loop, a bad duration.
    """
    if not (len(ids) == len(durations) == len(predecessors)):
        raise ValueError("ids, durations and predecessors must have the same number of rows")
    rows = []
    for task_id, duration, preds in zip(ids, durations, predecessors, strict=True):
        if task_id is None or str(task_id).strip() == "":
            continue
        text = str(int(task_id)) if isinstance(task_id, float) and task_id.is_integer() else str(task_id).strip()
        try:
            days = float(duration or 0)
        except (TypeError, ValueError) as exc:
            raise ValueError(f"duration of {text} is not a number: {duration!r}") from exc
        if days < 0:
            raise ValueError(f"duration of {text} is negative")
        pred_text = None if preds in (None, "") else str(int(preds) if isinstance(preds, float) else preds)
        rows.append(
            TaskRow(
                id=text, name=text, type="milestone" if days == 0 else "task", duration=days, predecessors=pred_text
            )
        )
    result = schedule(rows, calendar, project_start=start)
    if result.syntax_errors:
        raise ValueError(str(result.syntax_errors[0][1]))
    if result.unknown_predecessors:
        index, predecessor = result.unknown_predecessors[0]
        raise ValueError(f"predecessor {predecessor} of {rows[index].id} unknown")
    if result.cycles:
        raise ValueError("dependency loop " + " → ".join([*result.cycles[0], result.cycles[0][0]]))
    table: list[list[object]] = [list(SCHEDULE_COLUMNS)]
    for row in result.tasks.itertuples(index=False):
        table.append(
            [
                row.id,
                row.early_start,
                row.early_finish,
                row.late_start,
                row.late_finish,
                _whole(row.total_float),
                _whole(row.free_float),
                bool(row.critical),
            ]
        )
    return table
