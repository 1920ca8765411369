"""Validating a 5,000-task plan with 8,000 links: every rule, the schedule and the DCMA 14 points.

Target (issue 3): under 1 s on one core. Reported with the ratio against a plain networkx
longest-path computation on the same graph, run in the same process.

    python benchmarks/bench_validate.py [--tasks 5000 --links 8000 --repeat 5]
"""

from __future__ import annotations

import argparse
import random
import statistics
import time
from datetime import date, timedelta

import networkx as nx

from pmo_logic import models as m
from pmo_logic.schedule import schedule
from pmo_logic.validate import validate_workbook
from pmo_logic.validation_settings import ValidationSettings
from pmo_logic.workdays import WorkCalendar

START = date(2026, 1, 5)
STATUS = date(2026, 6, 30)


def make_plan(n_tasks: int, n_links: int, seed: int = 1) -> tuple[m.ProjectWorkbook, list[tuple[int, int]], list[int]]:
    rng = random.Random(seed)
    durations = [rng.choice((0, 1, 2, 3, 5, 8, 10, 15, 20)) for _ in range(n_tasks)]
    edges = {(rng.randrange(max(0, j - 60), j), j) for j in range(1, n_tasks)}
    while len(edges) < n_links:
        j = rng.randrange(1, n_tasks)
        edges.add((rng.randrange(max(0, j - 60), j), j))
    preds: dict[int, list[str]] = {}
    for i, j in sorted(edges):
        preds.setdefault(j, []).append(str(i + 1))
    rows = [
        m.TaskRow(
            id=str(k + 1),
            wbs=f"1.{k + 1}",
            name=f"Task {k + 1}",
            type="milestone" if d == 0 else "task",
            duration=d,
            predecessors=", ".join(preds.get(k, [])) or None,
            owner=f"Owner {k % 40}",
            budget=float(d * 500),
            status="not_started",
            percent_complete=0.0,
        )
        for k, d in enumerate(durations)
    ]
    # Dates from a first schedule, then progress at the status date as a project would show it.
    calendar = WorkCalendar(START)
    planned = schedule(rows, calendar, project_start=START).tasks
    for row, (_, t) in zip(rows, planned.iterrows(), strict=True):
        row.start = row.baseline_start = t["early_start"]
        row.finish = row.baseline_finish = t["early_finish"]
        if t["early_finish"] <= STATUS:
            row.status, row.percent_complete = "done", 1.0
            row.actual_start, row.actual_finish = row.start, row.finish
            row.actual_cost = row.budget
    project = m.ProjectInfo(
        project_id="BIG",
        name="Benchmark",
        project_manager="PM",
        methodology="waterfall",
        start_date=START,
        end_date=max(r.finish for r in rows) + timedelta(days=30),
        status_date=STATUS,
    )
    risks = [
        m.RiskRow(id=f"R{i}", title="Risk", owner="O", probability=1 + i % 5, impact=1 + (i * 3) % 5, status="open")
        for i in range(200)
    ]
    actions = [m.ActionRow(id=f"A{i}", title="Act", owner="O", due_date=STATUS, status="open") for i in range(300)]
    workbook = m.ProjectWorkbook(project=project, plan=rows, risks=risks, actions=actions)
    return workbook, sorted(edges), durations


def longest_path(edges: list[tuple[int, int]], durations: list[int]) -> float:
    graph = nx.DiGraph()
    for k, d in enumerate(durations):
        graph.add_edge(k, "end", weight=d)
    for i, j in edges:
        graph.add_edge(i, j, weight=durations[i])
    return nx.dag_longest_path_length(graph, weight="weight")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--tasks", type=int, default=5000)
    parser.add_argument("--links", type=int, default=8000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    workbook, edges, durations = make_plan(args.tasks, args.links)
    settings = ValidationSettings(as_of=STATUS)
    validate_workbook(workbook, settings)  # warm-up: imports, holiday tables
    ours, base = [], []
    for _ in range(args.repeat):
        t0 = time.perf_counter()
        result = validate_workbook(workbook, settings)
        ours.append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        longest_path(edges, durations)
        base.append(time.perf_counter() - t0)
    median, baseline = statistics.median(ours), statistics.median(base)
    print(
        f"plan: {args.tasks} tasks, {len(edges)} links; {len(result.findings)} findings; "
        f"DCMA checks: {len(result.dcma)}"
    )
    print(f"validate_workbook (all rules, schedule, DCMA): {median * 1000:.0f} ms (median of {args.repeat})")
    print(f"networkx dag_longest_path_length, same graph:   {baseline * 1000:.0f} ms")
    print(
        f"ratio: {median / baseline:.1f}x the bare longest path; target < 1000 ms: {'met' if median < 1 else 'MISSED'}"
    )


if __name__ == "__main__":
    main()
