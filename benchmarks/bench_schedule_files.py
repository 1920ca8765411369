"""Speed of schedule files (MS Project, Primavera): read with MPXJ, validated, consolidated.

Targets (issue 16): a 1,000-task schedule read and validated in under 2 s, the JVM's start
included; 100 schedule files consolidated in under 20 s on 2 cores. Each measure runs in a fresh
Python process, so the JVM's start and the imports are counted as a user meets them. The first
read of a machine writes the JVM's class archive (`pmo_logic.java`), which the next ones map: both
are shown, and a read with the archive switched off (``PMO_XL_JAVA_ARCHIVE=off``) beside them.

    python benchmarks/bench_schedule_files.py [--tasks 1000] [--files 100] [--repeat 3] [--keep DIR]
"""

from __future__ import annotations

import argparse
import math
import os
import subprocess
import sys
import tempfile
import textwrap
import time
from datetime import date
from pathlib import Path

from pmo_logic import models as m
from pmo_logic.schedule_files import write_schedule_file
from pmo_logic.workdays import WorkCalendar


def generated_plan(tasks: int, seed: int = 1) -> m.ProjectWorkbook:
    """A plan of ``tasks`` rows: phases of 20 (a summary and a chain of 19 tasks, the last a milestone),
    each phase's chain after the milestone of the one before."""
    import random

    rng = random.Random(seed)
    calendar = WorkCalendar(date(2026, 1, 5))
    rows: list[m.TaskRow] = []
    position, n, phase = 0, 0, 0
    finishes: dict[str, int] = {}
    last_milestone: str | None = None
    while n < tasks:
        phase += 1
        n += 1
        summary_id = str(n)
        rows.append(m.TaskRow(id=summary_id, wbs=str(phase), name=f"Phase {phase}", type="summary"))
        previous = last_milestone
        for k in range(1, 20):
            if n >= tasks:
                break
            n += 1
            milestone = k == 19
            days = 0 if milestone else rng.randint(1, 10)
            start = position
            if previous is not None:
                start = finishes[previous]
            finish = start + days
            finishes[str(n)] = finish
            first, last = (
                calendar.start_date(start),
                calendar.finish_date(finish) if days else calendar.finish_date(start),
            )
            rows.append(m.TaskRow(
                id=str(n), wbs=f"{phase}.{k}", name=f"Task {n}", type="milestone" if milestone else "task",
                start=first if not milestone else last, finish=last, duration=days,
                predecessors=previous, baseline_start=first if not milestone else last, baseline_finish=last,
                budget=1000.0 * days, percent_complete=0.0, owner=rng.choice(["A. Martin", "B. Dubois", "C. Ng"]),
            ))  # fmt: skip
            previous = str(n)
        position = max(finishes.values()) if finishes else position
        last_milestone = previous
    start = date(2026, 1, 5)
    project = m.ProjectInfo(project_id="BIG-001", name="Generated plan", project_manager="A. Martin",
                            methodology="waterfall", start_date=start, status_date=start)  # fmt: skip
    return m.ProjectWorkbook(project=project, plan=rows)


CPU: dict[str, float] = {}
"""The CPU time of the last measure's process (its own and its JVM's threads): less moved by a loaded machine."""


def _children_cpu() -> float:
    try:
        import resource
    except ImportError:  # Windows
        return math.nan
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _timed(script: str, env: dict[str, str]) -> tuple[float, str]:
    begin, cpu = time.perf_counter(), _children_cpu()
    done = subprocess.run([sys.executable, "-c", textwrap.dedent(script)], capture_output=True, text=True,
                          check=True, env=env)  # fmt: skip
    CPU["last"] = _children_cpu() - cpu
    return time.perf_counter() - begin, done.stdout.strip()


def _cpu() -> str:
    return "" if math.isnan(CPU.get("last", math.nan)) else f", CPU {CPU['last']:.2f} s"


def _verdict(seconds: float, limit: float) -> str:
    return f"target under {limit:g} s {'met' if seconds < limit else 'NOT met'}"


def _load() -> str:
    return "load average {:.1f} {:.1f} {:.1f}".format(*os.getloadavg()) if hasattr(os, "getloadavg") else ""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tasks", type=int, default=1000)
    parser.add_argument("--files", type=int, default=100)
    parser.add_argument("--repeat", type=int, default=3, help="runs per measure; the median is shown")
    parser.add_argument("--keep", type=Path, help="write the files here (kept)")
    args = parser.parse_args()
    folder = args.keep or Path(tempfile.mkdtemp(prefix="pmo-schedules-"))
    folder.mkdir(parents=True, exist_ok=True)
    # A cache folder of the benchmark's own: the first run writes the JVM's class archive into it, as a
    # user's first read does; the user's own cache is left alone.
    cache = Path(tempfile.mkdtemp(prefix="pmo-schedules-cache-"))
    env = dict(os.environ, PMO_XL_CACHE_DIR=str(cache))
    env.pop("PMO_XL_JAVA_ARCHIVE", None)
    off = dict(env, PMO_XL_JAVA_ARCHIVE="off")
    print(f"Machine: {os.cpu_count()} cores, {_load()} (a loaded machine makes every figure slower)")

    big = generated_plan(args.tasks)
    paths = {}
    for suffix in (".xml", ".xer"):
        paths[suffix] = folder / f"big{suffix}"
        if not paths[suffix].exists():
            write_schedule_file(big, paths[suffix])

    def validated(path: Path, environment: dict[str, str]) -> tuple[float, str, str]:
        seconds, out = _timed(f"""
            from pmo_logic.validate import validate_file
            result = validate_file({str(path)!r})
            print(len(result.workbook.plan), len(result.findings))
        """, environment)  # fmt: skip
        tasks, findings = out.split()
        return seconds, tasks, findings, _cpu()

    def median(path: Path, environment: dict[str, str]) -> tuple[float, str, str, str]:
        runs = sorted((validated(path, environment) for _ in range(args.repeat)), key=lambda r: r[0])
        return runs[len(runs) // 2]

    seconds, tasks, findings, cpu = validated(paths[".xml"], env)
    print(f"{tasks}-task MSPDI read and validated, first run (writes the class archive): {seconds:.2f} s{cpu}")
    for label, suffix, environment in (("MSPDI", ".xml", env), ("XER", ".xer", env),
                                       ("MSPDI, class archive off", ".xml", off)):  # fmt: skip
        seconds, tasks, findings, cpu = median(paths[suffix], environment)
        print(
            f"{tasks}-task {label} read and validated, JVM start included (median of {args.repeat}): "
            f"{seconds:.2f} s{cpu} ({_verdict(seconds, 2)}); {findings} findings"
        )

    many = folder / "many"
    many.mkdir(exist_ok=True)
    if len(list(many.iterdir())) < args.files:
        for i in range(args.files):
            plan = generated_plan(200, seed=i)
            plan.project.project_id = f"SCH-{i:03d}"
            write_schedule_file(plan, many / f"plan-{i:03d}{'.xer' if i % 4 == 3 else '.xml'}")
    seconds, out = _timed(f"""
        from pmo_logic.consolidate import consolidate
        portfolio = consolidate({str(many)!r}, workers=2)
        print(len(portfolio.projects), len(portfolio.load_problems[portfolio.load_problems["severity"] == "error"]))
    """, env)  # fmt: skip
    projects, problems = out.split()
    print(
        f"{args.files} schedule files of 200 tasks (3 in 4 MSPDI, 1 in 4 XER) consolidated on 2 workers: "
        f"{seconds:.2f} s{_cpu()} ({_verdict(seconds, 20)}); {projects} projects, {problems} load errors"
    )
    for label, environment in (("", env), (", class archive off", off)):
        seconds, _ = _timed("""
            from pmo_logic.java import start_java
            start_java()
        """, environment)  # fmt: skip
        print(f"Python start, imports and the JVM's start alone{label}: {seconds:.2f} s{_cpu()}")
    print(f"Machine at the end: {_load()}")


if __name__ == "__main__":
    main()
