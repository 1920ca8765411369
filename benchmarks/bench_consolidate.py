"""Consolidating a folder of realistic project workbooks against the naive pandas/openpyxl loop.

Each generated workbook has about 500 rows over 7 sheets (plan, risks, actions, issues,
decisions, budget, stakeholders), written by pmo-xl's own template writer. Both sides run in
this process on the same folder:

- baseline: ``pandas.read_excel(path, sheet_name=None, engine="openpyxl")`` per file, then concat;
- pmo-xl: ``consolidate`` (read with python-calamine, validate every rule, KPIs, roll-up), then
  ``write_rollup`` and the snapshot; an incremental re-run after 10 files changed; and the whole
  ``pmo consolidate`` command (a fresh process: roll-up, snapshot and changes) after 10 more changed.

    python benchmarks/bench_consolidate.py --count 200 --workers 2

It ends with the targets of issue 17, each with its figure from this run and whether it is
met (the targets measured by other benchmarks name them). The "floor" line times only what no
consolidation can skip: reading every cell (python-calamine, and the scan for the error cells
calamine reads as blanks), with the same workers. On a shared machine, the processor times
(CPU) say more than the wall-clock ones: both are printed.
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import random
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

import numpy as np
import pandas as pd

from pmo_logic import models as m
from pmo_logic.cache import ProjectCache
from pmo_logic.consolidate import consolidate
from pmo_logic.rollup import write_rollup
from pmo_logic.snapshots import save_snapshot
from pmo_logic.templates import write_project_workbook

STATUS = date(2026, 11, 20)


def workbook(n: int, rng: random.Random) -> m.ProjectWorkbook:
    start = date(2026, 1, 5)
    plan, day = [], start
    for k in range(250):
        d = rng.choice((1, 2, 3, 5, 8))
        finish = _workday(day, d - 1)
        done = finish < STATUS
        plan.append(m.TaskRow(id=str(k + 1), wbs=f"1.{k + 1}", name=f"Task {k + 1}", type="task", start=day,
                              finish=finish, duration=d, predecessors=str(k) if k else None,
                              percent_complete=1.0 if done else 0.0, baseline_start=day, baseline_finish=finish,
                              budget=d * 500.0, actual_cost=d * 520.0 if done else 0.0, owner="Owner",
                              status="done" if done else "not_started"))  # fmt: skip
        day = _workday(finish, 1)
    return m.ProjectWorkbook(
        project=m.ProjectInfo(
            project_id=f"P{n:05d}",
            name=f"Project {n}",
            programme=f"Programme {n % 7}",
            project_manager="PM",
            methodology="waterfall",
            start_date=start,
            end_date=day,
            status_date=STATUS,
        ),
        plan=plan,
        risks=[
            m.RiskRow(id=f"R{i}", title="Risk", owner="O", probability=1 + i % 3, impact=1 + i % 4, status="open")
            for i in range(60)
        ],
        actions=[m.ActionRow(id=f"A{i}", title="Act", owner="O", due_date=STATUS, status="open") for i in range(60)],
        issues=[m.IssueRow(id=f"I{i}", title="Issue", owner="O", status="open") for i in range(30)],
        decisions=[m.DecisionRow(id=f"D{i}", title="Decide", status="open") for i in range(20)],
        budget=[
            m.BudgetRow(
                month=date(2026, 1 + i % 12, 1), category=f"C{i // 12}", planned=1000.0, actual=900.0, forecast=950.0
            )
            for i in range(60)
        ],
        stakeholders=[m.StakeholderRow(name=f"S{i}", influence="high", interest="low") for i in range(20)],
    )


def _workday(day: date, offset: int) -> date:
    return np.busday_offset(np.datetime64(day, "D"), offset, roll="forward").astype(date)


def generate(folder: Path, count: int) -> None:
    rng = random.Random(7)
    folder.mkdir(parents=True, exist_ok=True)
    for n in range(count):
        write_project_workbook(folder / f"P{n:05d}.xlsx", workbook(n, rng))


def baseline(files: list[Path]) -> float:
    started = time.perf_counter()
    frames = []
    for path in files:
        for sheet, frame in pd.read_excel(path, sheet_name=None, engine="openpyxl").items():
            frame["sheet"] = sheet
            frames.append(frame)
    pd.concat(frames, ignore_index=True)
    return time.perf_counter() - started


def _cells_only(paths: list[str]) -> int:
    """What no consolidation can skip: python-calamine reading every sheet, and the scan for the
    Excel error cells it reads as blanks. No parsing, validation, KPIs or writing."""
    import python_calamine

    from pmo_logic.error_cells import error_cells

    rows = 0
    for path in paths:
        book = python_calamine.CalamineWorkbook.from_path(path)
        rows += sum(len(book.get_sheet_by_name(name).to_python()) for name in book.sheet_names)
        book.close()
        error_cells(path)
    return rows


def floor(files: list[Path], workers: int) -> float:
    """Seconds to read every cell of ``files`` with ``workers`` processes, and nothing else."""
    from concurrent.futures import ProcessPoolExecutor

    paths = [str(p) for p in files]
    started = time.perf_counter()
    with ProcessPoolExecutor(max_workers=workers) as pool:
        sum(pool.map(_cells_only, [paths[i : i + 32] for i in range(0, len(paths), 32)]))
    return time.perf_counter() - started


def cpu_seconds() -> float:
    """Processor time of this process and of its ended child processes (the pool's workers)."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def _timed(spent: dict[str, float], name: str, function):
    def timed(*args, **kwargs):
        started = time.perf_counter()
        try:
            return function(*args, **kwargs)
        finally:
            spent[name] = spent.get(name, 0.0) + time.perf_counter() - started

    return timed


def change(files: list[Path], value: float) -> None:
    """Ten workbooks saved again with another percent complete on their first task."""
    for path in files[:10]:
        data = workbook(int(path.stem[1:]), random.Random(1))
        data.plan[0].percent_complete = value
        write_project_workbook(path, data)


def whole_command(folder: Path, cache_root: Path, workers: int) -> tuple[float, float, str]:
    """``pmo consolidate`` in a fresh process, as the analyst runs it: wall and processor seconds, and what
    it said it did (how many workbooks it read, how many came from the cache)."""
    environment = {**os.environ, "PMO_XL_CACHE_DIR": str(cache_root), "COLUMNS": "120"}
    command = [sys.executable, "-m", "pmo_logic", "consolidate", str(folder), "--status-date", STATUS.isoformat(),
               "--workers", str(workers)]  # fmt: skip
    cpu0, t0 = cpu_seconds(), time.perf_counter()
    done = subprocess.run(command, env=environment, capture_output=True, text=True, check=False)
    wall, cpu = time.perf_counter() - t0, cpu_seconds() - cpu0
    if done.returncode not in (0, 1):  # 1: done, with a load problem to look at
        raise SystemExit(f"pmo consolidate failed ({done.returncode}):\n{done.stderr[-2000:]}")
    said = " ".join(done.stdout.split())
    start = said.find("projects consolidated from")
    return wall, cpu, said[max(0, said.rfind(" ", 0, max(start - 1, 0))) : said.find(" in ", start)].strip()


def verdict(met: bool | None) -> str:
    return "not measured here" if met is None else "MET" if met else "NOT MET"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--count", type=int, default=200)
    parser.add_argument("--baseline-sample", type=int, default=50, help="files timed for the baseline")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--keep", type=Path, help="generate the workbooks here once and reuse them")
    args = parser.parse_args()
    root = Path(tempfile.mkdtemp(prefix="pmo-bench-"))
    folder = root / "projects"
    if args.keep:
        if len(list(args.keep.glob("*.xlsx"))) != args.count:
            shutil.rmtree(args.keep, ignore_errors=True)
            generate(args.keep, args.count)
        shutil.copytree(args.keep, folder)
    try:
        t0 = time.perf_counter()
        if not args.keep:
            generate(folder, args.count)
        files = sorted(folder.glob("*.xlsx"))
        size = sum(p.stat().st_size for p in files) / len(files) / 1024
        made = f"reused from {args.keep}" if args.keep else f"generated in {time.perf_counter() - t0:.0f} s"
        print(f"{len(files)} workbooks of about {size:.0f} KB, {made}")
        sample = files[: args.baseline_sample]
        base = baseline(sample) / len(sample)
        print(f"baseline pandas.read_excel(openpyxl): {base * 1000:.0f} ms per workbook")
        # No portfolio workbook, the committee date given: as `pmo consolidate FOLDER --status-date` runs, so that
        # the command below finds this run's cache valid (its entries are kept per settings and date).
        settings = None
        # Where the time goes: consolidate() calls these two by their module names.
        from pmo_logic import consolidate as consolidation

        spent: dict[str, float] = {}
        consolidation.load_projects = _timed(spent, "load", consolidation.load_projects)
        consolidation.build_portfolio = _timed(spent, "build", consolidation.build_portfolio)
        # The command's own cache (`ProjectCache.for_projects`), so that `pmo consolidate` below uses it.
        cache_root = root / "cache"
        cpu0, t0 = cpu_seconds(), time.perf_counter()
        command_cache = ProjectCache.for_projects(folder, cache_root)
        result = consolidate(folder, settings, status_date=STATUS, workers=args.workers, cache=command_cache)
        t1 = time.perf_counter()
        write_rollup(folder / "rollup.xlsx", result)
        t2 = time.perf_counter()
        # The last committee, a week before: the command below compares with it.
        save_snapshot(dataclasses.replace(result, status_date=STATUS - timedelta(days=7)), folder / "snapshots")
        snapshot_seconds = time.perf_counter() - t2
        ours = time.perf_counter() - t0
        cpu_ours = cpu_seconds() - cpu0
        per = ours / len(files)
        cells = sum(int(frame.notna().to_numpy().sum()) for frame in result.tables().values())
        print(f"pmo consolidate ({args.workers} workers, validate + KPIs + roll-up): {ours:.1f} s for {len(files)}, "
              f"{per * 1000:.1f} ms per workbook")  # fmt: skip
        rest = t1 - t0 - spent["load"] - spent["build"]
        print(f"  reading, validating and measuring in the workers: {spent['load']:.1f} s; building the tables: "
              f"{spent['build']:.1f} s; the cache and the rest: {rest:.1f} s")  # fmt: skip
        print(f"  writing the roll-up workbook: {t2 - t1:.1f} s for {cells:,} cells "
              f"({(t2 - t1) / max(cells, 1) * 1e6:.1f} us per cell); the snapshot: "
              f"{snapshot_seconds:.1f} s")  # fmt: skip
        print(f"throughput ratio against the baseline: {base / per:.1f}x")
        print(f"1,000 workbooks at this rate: {per * 1000:.1f} s")
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        # Forked workers count the pages they share with this process in their own peak too.
        print(f"peak memory: {peak:.0f} MB in this process, {children:.0f} MB in the largest worker "
              "(issue 17: under 2 GB for 5,000 workbooks)")  # fmt: skip
        del result
        change(files, 0.5)
        cpu0, t0 = cpu_seconds(), time.perf_counter()
        again = consolidate(folder, settings, status_date=STATUS, workers=args.workers, cache=command_cache)
        write_rollup(folder / "rollup.xlsx", again)
        print(f"incremental re-run in this process, {again.stats['read']} changed, with the roll-up workbook: "
              f"{time.perf_counter() - t0:.2f} s ({cpu_seconds() - cpu0:.2f} s CPU)")  # fmt: skip
        del again
        t0 = time.perf_counter()
        warm = consolidate(folder, settings, status_date=STATUS, workers=args.workers, cache=command_cache)
        print(f"re-run, nothing changed ({warm.stats['read']} read), without writing the roll-up: "
              f"{time.perf_counter() - t0:.2f} s")  # fmt: skip
        del warm
        change(files, 0.25)
        command_wall, command_cpu, said = whole_command(folder, cache_root, args.workers)
        print(f"the whole `pmo consolidate` (a fresh process: roll-up, snapshot, changes) after 10 changed: "
              f"{command_wall:.2f} s ({command_cpu:.2f} s CPU); it said: {said}")  # fmt: skip
        # Last: its workers are forked from this process and would count in the peaks above.
        cpu0 = cpu_seconds()
        cells = floor(files, args.workers)
        cpu_cells = cpu_seconds() - cpu0
        print(f"the floor, only reading the cells (python-calamine and the error-cell scan, {args.workers} workers): "
              f"{cells:.1f} s, {base * len(files) / cells:.0f}x the baseline")  # fmt: skip
        ratio_floor = ours / cells
        print(f"\nIssue 17's targets, in this run ({len(files)} workbooks, {args.workers} workers; on a loaded machine "
              "the wall-clock figures are the processor's share of others' work too):")  # fmt: skip
        print(f"1. cold consolidation (read, rules, DCMA, KPIs, roll-up, snapshot) at most 2x the floor: "
              f"{ratio_floor:.1f}x ({ours:.1f} s against {cells:.1f} s): {verdict(ratio_floor <= 2)}; "
              f"at least 25x the naive loop: {base / per:.1f}x: {verdict(base / per >= 25)}")  # fmt: skip
        measured_at = "" if len(files) == 1000 else f" (with {len(files)}, not 1,000 workbooks)"
        print(f"2. the whole `pmo consolidate` after 10 changed under 1 s{measured_at}: {command_wall:.2f} s "
              f"({command_cpu:.2f} s CPU): {verdict(command_wall < 1 if len(files) >= 1000 else None)}")  # fmt: skip
        big = len(files) >= 5000
        print(f"3. growth: 100,000-row plan under 10 s: benchmarks/bench_validate.py --rows 100000; 5,000 projects "
              f"under 2 GB: peak {peak:.0f} MB here for {len(files)}: "
              f"{verdict(peak < 2048 if big else None)}")  # fmt: skip
        print("4. Excel's limits: tested (tests/test_excel_limits.py), not a time")
        print("5. start-up: benchmarks/bench_startup.py")
        print("6. beyond one machine: benchmarks/bench_dask.py, tests/test_dask.py")
        # A wall-clock target is a processor-time budget: 5 s on 2 cores is at most 10 s of work.
        budget = 5.0 * len(files) / 1000 * args.workers
        print(f"processor time: reading the cells {cpu_cells / len(files) * 1000:.1f} ms a workbook, "
              f"the whole consolidation {cpu_ours / len(files) * 1000:.1f} ms; the 5 s target allows "
              f"{budget / len(files) * 1000:.1f} ms on {args.workers} cores, which leaves "
              f"{(budget - cpu_cells) / len(files) * 1000:.1f} ms a workbook for parsing, validation, the "
              f"schedule, KPIs and the roll-up write (they take {(cpu_ours - cpu_cells) / len(files) * 1000:.1f} "
              f"ms now)")  # fmt: skip
    finally:
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
