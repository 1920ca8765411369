"""Loading on any executor: threads, and a Dask distributed cluster that the tests start themselves.

The oracle is the roll-up of the same folder loaded by the local process pool: table by table,
the roll-up from another executor must be the same. The cluster (a scheduler and two worker
processes) listens on 127.0.0.1 only and is closed by the fixture.
"""

from __future__ import annotations

import functools
import shutil
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import distributed  # in the test extra: CI runs these tests, never skips them
import pandas as pd
import pytest
from python_calamine import CalamineWorkbook
from typer.testing import CliRunner

from pmo_logic import consolidate as consolidation
from pmo_logic.cache import ProjectCache
from pmo_logic.cli import app
from pmo_logic.consolidate import Portfolio, consolidate, dask_executor, executor_workers
from pmo_logic.reader import read_portfolio_workbook

runner = CliRunner()


@pytest.fixture(scope="module")
def cluster():
    with distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1", dashboard_address=None,
        worker_dashboard_address=None, silence_logs=40,
    ) as local:  # fmt: skip
        yield local


@pytest.fixture(scope="module")
def pooled(demo_portfolio) -> Portfolio:
    """The demo's roll-up as `pmo consolidate` makes it on this machine: a pool of two processes."""
    portfolio = read_portfolio_workbook(demo_portfolio.portfolio_file)
    return consolidate(demo_portfolio.folder / "projects", portfolio, workers=2)


def _same_rollup(got: Portfolio, expected: Portfolio) -> None:
    assert {**got.stats, "read": 0} == {**expected.stats, "read": 0}  # how many came from a cache aside
    tables, oracle = got.tables(), expected.tables()
    assert list(tables) == list(oracle)
    for name, frame in oracle.items():
        pd.testing.assert_frame_equal(tables[name], frame, obj=name)
    pd.testing.assert_frame_equal(got.details["plan"], expected.details["plan"], obj="plan")


def test_the_demo_has_enough_workbooks_for_several_batches(pooled: Portfolio):
    assert pooled.stats["files"] >= 10


def test_a_thread_pool_gives_the_same_rollup(demo_portfolio, pooled: Portfolio):
    portfolio = read_portfolio_workbook(demo_portfolio.portfolio_file)
    with ThreadPoolExecutor(max_workers=3) as threads:
        assert executor_workers(threads) == 3
        got = consolidate(demo_portfolio.folder / "projects", portfolio, executor=threads)
    _same_rollup(got, pooled)


def test_a_dask_cluster_gives_the_same_rollup_as_the_process_pool(cluster, demo_portfolio, pooled: Portfolio):
    portfolio = read_portfolio_workbook(demo_portfolio.portfolio_file)
    executor = dask_executor(cluster.scheduler_address)
    try:
        assert executor_workers(executor) == 2  # batches sized for the cluster's two workers
        got = consolidate(demo_portfolio.folder / "projects", portfolio, executor=executor)
        # The loads ran on the cluster's workers, not here.
        processed = executor._client.run(
            lambda dask_worker: len(dask_worker.data) + dask_worker.state.transition_counter
        )
    finally:
        executor.shutdown()
    _same_rollup(got, pooled)
    assert len(processed) == 2 and sum(processed.values()) > 0


def test_the_cache_takes_the_clusters_loads(cluster, demo_portfolio, pooled: Portfolio, tmp_path: Path):
    portfolio = read_portfolio_workbook(demo_portfolio.portfolio_file)
    executor = dask_executor(cluster.scheduler_address)
    try:
        first = consolidate(demo_portfolio.folder / "projects", portfolio, executor=executor,
                            cache=ProjectCache(tmp_path / "cache"))  # fmt: skip
    finally:
        executor.shutdown()
    cached = consolidate(demo_portfolio.folder / "projects", portfolio, cache=ProjectCache(tmp_path / "cache"))
    assert first.stats["read"] == pooled.stats["files"] and cached.stats["read"] == 0
    _same_rollup(first, pooled)
    _same_rollup(cached, pooled)


def _sheets(path: Path) -> dict[str, list]:
    book = CalamineWorkbook.from_path(str(path))
    return {name: book.get_sheet_by_name(name).to_python() for name in book.sheet_names if name != "_meta"}


def test_pmo_consolidate_on_a_scheduler_writes_the_same_rollup(cluster, demo_portfolio, tmp_path: Path):
    demo = tmp_path / "demo"
    shutil.copytree(demo_portfolio.folder, demo)
    common = ["consolidate", "-p", str(demo / "portfolio.xlsx"), "--no-snapshot", "--no-cache"]
    local = runner.invoke(app, [*common, "-o", str(tmp_path / "local.xlsx"), "--workers", "2"])
    remote = runner.invoke(app, [*common, "-o", str(tmp_path / "dask.xlsx"), "--scheduler", cluster.scheduler_address])
    assert remote.exit_code == local.exit_code and local.exit_code in (0, 1), remote.output
    assert _sheets(tmp_path / "dask.xlsx") == _sheets(tmp_path / "local.xlsx")


def test_a_scheduler_that_does_not_answer_is_a_usage_error(monkeypatch, demo_portfolio, tmp_path: Path):
    monkeypatch.setattr(consolidation, "dask_executor", functools.partial(dask_executor, timeout=1))
    address = "tcp://127.0.0.1:9"  # the discard port: nothing listens there
    result = runner.invoke(app, ["consolidate", "-p", str(demo_portfolio.portfolio_file), "--no-snapshot",
                                 "-o", str(tmp_path / "r.xlsx"), "--scheduler", address],
                           env={"COLUMNS": "300"})  # fmt: skip
    assert result.exit_code == 2
    assert f"--scheduler {address}: no Dask scheduler answered there" in result.output
    assert "Traceback" not in result.output and not (tmp_path / "r.xlsx").exists()


def test_without_distributed_scheduler_says_what_to_install(monkeypatch, demo_portfolio, tmp_path: Path):
    monkeypatch.setitem(sys.modules, "distributed", None)  # as if it were not installed
    result = runner.invoke(app, ["consolidate", "-p", str(demo_portfolio.portfolio_file), "--no-snapshot",
                                 "-o", str(tmp_path / "r.xlsx"), "--scheduler", "tcp://127.0.0.1:8786"],
                           env={"COLUMNS": "300"})  # fmt: skip
    assert result.exit_code == 2
    assert "--scheduler needs Dask's distributed package: pip install pmo-xl[dask]." in result.output
