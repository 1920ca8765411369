"""Start-up: how long a person waits for the command line and the Excel layer (issue 17, target 5).

Each command runs in a fresh interpreter (as a user's does), best of 3:

- ``pmo --version``: under 0.3 s;
- ``pmo validate one.xlsx`` (a new project workbook): under 1 s;
- ``pmo demo`` into an empty folder: under 6 s;
- ``import addin.udfs`` and ``import addin.buttons`` (what Excel waits for), with the libraries
  each loads: the UDFs and buttons load neither networkx nor openpyxl, XlsxWriter not for the UDFs.

The same interpreter's bare start (``python -c pass``) is printed beside, as the floor, and
each figure's CPU time (user + system, where the platform tells it), which other work on a
shared machine changes less than the wall time.

    python benchmarks/bench_startup.py [--repeat 3]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

PMO = [sys.executable, "-m", "pmo_logic"]
# As an installed pmo-xl runs: from compiled bytecode (pip compiles at install), not from the
# sources each time, which a development shell's PYTHONDONTWRITEBYTECODE would make it do.
ENV = {name: value for name, value in os.environ.items() if name != "PYTHONDONTWRITEBYTECODE"}
LIBRARIES = ("pandas", "pydantic", "xlsxwriter", "networkx", "pyarrow", "openpyxl")


def _children_cpu() -> float:
    try:
        import resource
    except ImportError:  # Windows
        return float("nan")
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def best_of(repeat: int, command: list[str], before=None) -> tuple[float, float]:
    """The shortest wall time of ``command`` over ``repeat`` runs, and that run's CPU time;
    ``before`` prepares each run."""
    runs = []
    subprocess.run(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False, env=ENV)  # bytecode
    for _ in range(repeat):
        if before is not None:
            before()
        cpu, t0 = _children_cpu(), time.perf_counter()
        subprocess.run(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False, env=ENV)
        runs.append((time.perf_counter() - t0, _children_cpu() - cpu))
    return min(runs)


def loaded(module: str) -> list[str]:
    code = f"import sys, json; import {module}; print(json.dumps(sorted(sys.modules)))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False, env=ENV).stdout
    names = set(json.loads(out.splitlines()[-1])) if out.strip() else set()
    return [name for name in LIBRARIES if name in names]


def line(label: str, measured: tuple[float, float], target: float | None) -> None:
    seconds, cpu = measured
    verdict = "" if target is None else f"  target < {target:g} s: {'met' if seconds < target else 'MISSED'}"
    print(f"{label:<34} {seconds:6.2f} s (CPU {cpu:5.2f} s){verdict}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="pmo-bench-startup-"))
    try:
        one = work / "one.xlsx"
        subprocess.run([*PMO, "new", "project", "One", "-o", str(one)], check=True, stdout=subprocess.DEVNULL)
        demo = work / "demo"
        line("python -c pass (the floor)", best_of(args.repeat, [sys.executable, "-c", "pass"]), None)
        line("pmo --version", best_of(args.repeat, [*PMO, "--version"]), 0.3)
        line("pmo validate one.xlsx", best_of(args.repeat, [*PMO, "validate", str(one)]), 1.0)
        line(
            "pmo demo (empty folder)",
            best_of(args.repeat, [*PMO, "demo", str(demo)], before=lambda: shutil.rmtree(demo, ignore_errors=True)),
            6.0,
        )
        for module in ("addin.udfs", "addin.buttons"):
            line(f"import {module}", best_of(args.repeat, [sys.executable, "-c", f"import {module}"]), None)
            print(f"{'':<34} loads: {', '.join(loaded(module)) or 'none of ' + ', '.join(LIBRARIES)}")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
