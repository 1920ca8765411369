"""Consolidating on a Dask cluster against the local process pool, on the same folder.

Both read the workbooks of `bench_consolidate` (500 rows over 7 sheets each) with the same
number of processes, here on this machine: the pool of ``--workers`` processes that
``pmo consolidate`` starts, and a `distributed.LocalCluster` of as many single-threaded worker
processes (what ``pmo consolidate --scheduler`` talks to, but on 127.0.0.1). On one machine a
cluster cannot be faster: the point is what it costs (start-up, sending loads through the
scheduler), and which part of a run a cluster spreads (the loads) and which it cannot (joining
the tables and writing the roll-up, in the process that asked).

    python benchmarks/bench_dask.py --count 200 --workers 2 --keep /tmp/pmo-bench-200
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_consolidate import STATUS, generate

from pmo_logic import consolidate as consolidation
from pmo_logic import models as m
from pmo_logic.consolidate import consolidate, dask_executor


def _timed_build(spent: dict[str, float]):
    build = consolidation.build_portfolio

    def timed(*args, **kwargs):
        started = time.perf_counter()
        try:
            return build(*args, **kwargs)
        finally:
            spent["build"] = time.perf_counter() - started

    consolidation.build_portfolio = timed


def _same(got, expected) -> bool:
    for name, frame in expected.tables().items():
        pd.testing.assert_frame_equal(got.tables()[name], frame, obj=name)
    return True


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--count", type=int, default=200)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--keep", type=Path, help="generate the workbooks here once and reuse them")
    args = parser.parse_args()
    from distributed import LocalCluster

    root = Path(tempfile.mkdtemp(prefix="pmo-bench-dask-"))
    try:
        folder = args.keep or root / "projects"
        if len(list(folder.glob("*.xlsx"))) < args.count:
            shutil.rmtree(folder, ignore_errors=True)
            generate(folder, args.count)
        files = sorted(folder.glob("*.xlsx"))[: args.count]
        settings = m.PortfolioWorkbook(settings=m.PortfolioSettings(status_date=STATUS))
        spent: dict[str, float] = {}
        _timed_build(spent)

        t0 = time.perf_counter()
        pooled = consolidate(files, settings, workers=args.workers)
        pool_seconds, pool_build = time.perf_counter() - t0, spent["build"]
        print(
            f"{len(files)} workbooks, process pool of {args.workers}: {pool_seconds:.1f} s "
            f"({pool_seconds / len(files) * 1000:.0f} ms a workbook; joining the tables {pool_build:.1f} s)"
        )

        t0 = time.perf_counter()
        with LocalCluster(n_workers=args.workers, threads_per_worker=1, processes=True, host="127.0.0.1",
                          dashboard_address=None, silence_logs=40) as cluster:  # fmt: skip
            executor = dask_executor(cluster.scheduler_address)
            started = time.perf_counter() - t0
            try:
                runs = []
                for _ in range(2):  # the first run pays for the workers importing pmo-xl
                    t0 = time.perf_counter()
                    result = consolidate(files, settings, executor=executor)
                    runs.append((time.perf_counter() - t0, spent["build"]))
            finally:
                executor.shutdown()
        _same(result, pooled)
        print(f"local Dask cluster of {args.workers} worker processes: started in {started:.1f} s")
        for n, (seconds, build) in enumerate(runs, start=1):
            print(
                f"  run {n}: {seconds:.1f} s ({seconds / len(files) * 1000:.0f} ms a workbook, "
                f"{seconds / pool_seconds:.2f}x the pool; joining the tables {build:.1f} s)"
            )
        print("roll-up tables from the cluster equal the pool's: yes")
        serial = runs[-1][1] / runs[-1][0]
        print(
            f"the part a cluster cannot spread (joining the tables, in this process): {serial:.0%} of a warm run; "
            f"with W worker cores the loads take about {runs[-1][0] - runs[-1][1]:.1f} s x {args.workers} / W"
        )
    finally:
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
