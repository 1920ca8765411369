"""Snapshots read back from a shared folder: every field checked, a bad one named and left out,
and folders created race-free by concurrent savers.

Each fault is made by changing one thing in a good snapshot written by `save_snapshot`.
"""

from __future__ import annotations

import json
import math
import multiprocessing
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path

import pandas as pd
import pytest

from pmo_logic import snapshots
from pmo_logic.consolidate import Portfolio, consolidate
from pmo_logic.models import PortfolioSettings, PortfolioWorkbook
from pmo_logic.snapshots import (
    BadSnapshot,
    NoSnapshot,
    committee_history,
    last_committee,
    list_snapshots,
    load_snapshot,
    save_snapshot,
    scan_snapshots,
)
from pmo_logic.templates import write_project_workbook
from tests.test_consolidate import project

FIRST = date(2026, 2, 13)  # the committee before the damaged one
DAMAGED = date(2026, 2, 20)
CURRENT = date(2026, 2, 27)


def _rollup(folder: Path, status: date) -> Portfolio:
    settings = PortfolioSettings(portfolio_name="Test", project_folder=".", status_date=status)
    return consolidate(folder, PortfolioWorkbook(settings=settings), workers=1)


@pytest.fixture(scope="module")
def rollups(tmp_path_factory: pytest.TempPathFactory) -> dict[date, Portfolio]:
    folder = tmp_path_factory.mktemp("projects")
    for n in (1, 2):
        write_project_workbook(folder / f"p{n}.xlsx", project(f"PRJ-00{n}"))
    return {status: _rollup(folder, status) for status in (FIRST, DAMAGED, CURRENT)}


def _lines(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def _write_lines(path: Path, rows: list[dict]) -> None:
    path.write_text("".join(json.dumps(row) + "\n" for row in rows), encoding="utf-8")


def _edit_manifest(**changes) -> Callable[[Path], None]:
    def edit(folder: Path) -> None:
        manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
        for key, value in changes.items():
            target, name = manifest, key
            if "." in key:  # e.g. tables.projects.rows
                *path, name = key.split(".")
                for part in path:
                    target = target[part]
            target[name] = value
        (folder / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")

    return edit


def _edit_row(table: str, column: str, value) -> Callable[[Path], None]:
    def edit(folder: Path) -> None:
        rows = _lines(folder / f"{table}.jsonl")
        rows[-1][column] = value
        _write_lines(folder / f"{table}.jsonl", rows)

    return edit


def _truncate(name: str, keep: float = 0.5) -> Callable[[Path], None]:
    def edit(folder: Path) -> None:
        data = (folder / name).read_bytes()
        (folder / name).write_bytes(data[: int(len(data) * keep)])

    return edit


def _drop_line(table: str) -> Callable[[Path], None]:
    def edit(folder: Path) -> None:
        rows = _lines(folder / f"{table}.jsonl")
        _write_lines(folder / f"{table}.jsonl", rows[:-1])

    return edit


def _bad_line(table: str) -> Callable[[Path], None]:
    def edit(folder: Path) -> None:
        lines = (folder / f"{table}.jsonl").read_text(encoding="utf-8").splitlines()
        lines[0] = lines[0][: len(lines[0]) // 2]  # a line cut in the middle
        (folder / f"{table}.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")

    return edit


def _rename(name: str) -> Callable[[Path], None]:
    def edit(folder: Path) -> None:
        folder.rename(folder.parent / name)

    return edit


def _pickle_instead(folder: Path) -> None:
    # A table "file" that would be loaded by something other than the JSON parser.
    (folder / "projects.pkl").write_bytes(b"cos\nsystem\n(S'echo owned'\ntR.")
    _edit_manifest(**{"tables.projects.file": "projects.pkl"})(folder)


def _outside(folder: Path) -> None:
    _edit_manifest(**{"tables.projects.file": "../../projects.jsonl"})(folder)


FAULTS = {
    "manifest half-written": (_truncate("manifest.json"), "manifest.json is not valid JSON"),
    "manifest empty": (_truncate("manifest.json", 0), "manifest.json is not valid JSON"),
    "manifest not an object": (lambda f: (f / "manifest.json").write_text("[1, 2]"), "manifest.json"),
    "manifest missing": (lambda f: (f / "manifest.json").unlink(), "no manifest.json"),
    "impossible status date": (_edit_manifest(status_date="2026-02-30"), "status_date"),
    "status date as a number": (_edit_manifest(status_date=20260220), "status_date"),
    "text for the row count": (_edit_manifest(**{"tables.projects.rows": "2"}), "tables.projects.rows"),
    "negative row count": (_edit_manifest(**{"tables.risks.rows": -1}), "tables.risks.rows"),
    "another format": (_edit_manifest(format="something else"), "format"),
    "newer format": (_edit_manifest(format_version=99), "newer pmo-xl"),
    "no projects table": (_edit_manifest(tables={}), "no projects table"),
    "a pickle for a table": (_pickle_instead, 'tables.projects.file "projects.pkl": not the name of a .jsonl'),
    "a path out of the folder": (_outside, "tables.projects.file"),
    "text where a number was": (_edit_row("projects", "spi", "1.2; see notes"), "projects.jsonl row 2: spi"),
    "yes/no as text": (_edit_row("milestones", "key_milestone", "yes"), "milestones.jsonl row"),
    "impossible date in a table": (_edit_row("projects", "forecast_finish", "2026-13-01"), "forecast_finish"),
    "a date as a number": (_edit_row("milestones", "finish", 46000), "milestones.jsonl row"),
    "a list for a text": (_edit_row("risks", "title", ["a", "b"]), "risks.jsonl row"),
    "table file missing": (lambda f: (f / "risks.jsonl").unlink(), "risks.jsonl is missing"),
    "a bad line": (_bad_line("milestones"), "milestones.jsonl line 1 is not a JSON object"),
    "a line not an object": (lambda f: (f / "risks.jsonl").write_text("[1]\n"), "risks.jsonl line 1"),
    "a row lost": (_drop_line("projects"), "projects.jsonl has 1 row(s) where its manifest says 2"),
    "table half-written": (_truncate("milestones.jsonl", 0.7), "milestones.jsonl line"),
    "folder name not a date": (_rename("before the fix"), "is not a status date"),
    "folder name of another date": (_rename("2026-02-19"), "its status date is 2026-02-20"),
    "not UTF-8": (lambda f: (f / "projects.jsonl").write_bytes(b"\xff\xfe{}\n"), "projects.jsonl"),
}


@pytest.mark.parametrize("fault", FAULTS, ids=list(FAULTS))
def test_a_bad_snapshot_is_named_and_left_out(rollups, tmp_path: Path, fault: str):
    edit, reason = FAULTS[fault]
    snapshots = tmp_path / "snapshots"
    good = save_snapshot(rollups[FIRST], snapshots)
    damaged = save_snapshot(rollups[DAMAGED], snapshots)
    edit(damaged)
    bad_folder = next(p for p in snapshots.iterdir() if p != good)
    current = rollups[CURRENT]

    history = committee_history(snapshots, current)
    assert history.previous is not None and history.previous.path == good  # the latest good committee
    assert history.changes is not None
    assert set(history.trend["reporting_date"]) == {pd.Timestamp(FIRST), pd.Timestamp(CURRENT)}
    (problem,) = history.problems
    assert problem.path == bad_folder
    assert reason in problem.reason, problem.reason
    (warning,) = history.warnings()
    assert str(bad_folder) in warning and "left out" in warning
    assert history.notes()[0]["code"] == "CONS008"
    # Only for `pmo consolidate`: the comparison alone, with the same bad folder named.
    quick = committee_history(snapshots, current, trend=False)
    assert quick.previous.path == good and [p.path for p in quick.problems] == [bad_folder]
    with pytest.raises(BadSnapshot) as raised:  # chosen with --since: said, not replaced
        committee_history(snapshots, current, since=bad_folder)
    assert str(bad_folder) in str(raised.value)
    # The new snapshot is still saved, and is the next committee's last committee.
    saved = save_snapshot(current, snapshots)
    assert load_snapshot(saved).status_date == CURRENT
    assert last_committee(snapshots, CURRENT + timedelta(days=7)) == saved
    assert saved in list_snapshots(snapshots)


def test_unknown_tables_and_columns_are_ignored(rollups, tmp_path: Path):
    folder = save_snapshot(rollups[FIRST], tmp_path / "snapshots")
    rows = _lines(folder / "projects.jsonl")
    for row in rows:
        row["added_by_a_later_version"] = {"nested": [1, 2]}
    _write_lines(folder / "projects.jsonl", rows)
    _write_lines(folder / "future.jsonl", [{"x": 1}])
    _edit_manifest(**{"tables.future": {"file": "future.jsonl", "rows": 1}, "comment": "edited"})(folder)
    snapshot = load_snapshot(folder)
    assert "future" not in snapshot.tables
    assert list(snapshot.tables["projects"]["project_id"]) == ["PRJ-001", "PRJ-002"]
    assert snapshot.tables["projects"]["spi"].dtype.kind == "f"
    assert snapshot.tables["projects"]["forecast_finish"].dtype.kind == "M"
    assert scan_snapshots(tmp_path / "snapshots").problems == []


def test_what_is_read_back_is_json_only():
    # Nothing in the engine may load a format whose loading can run code from the shared folders.
    root = Path(__file__).resolve().parent.parent / "pmo_logic"
    source = (root / "snapshots.py").read_text(encoding="utf-8")
    for forbidden in ("pickle", "eval(", "exec(", "read_pickle", "yaml", "marshal", "shelve"):
        assert forbidden not in source, forbidden


def test_no_project_or_no_status_date_gives_no_snapshot(rollups, tmp_path: Path):
    (tmp_path / "nothing").mkdir()
    empty = _rollup(tmp_path / "nothing", CURRENT)
    with pytest.raises(NoSnapshot, match="no project"):
        save_snapshot(empty, tmp_path / "snapshots")
    undated = rollups[CURRENT]
    undated = Portfolio(**{**undated.__dict__, "status_date": None})
    with pytest.raises(NoSnapshot, match="no status date"):
        save_snapshot(undated, tmp_path / "snapshots")
    assert not (tmp_path / "snapshots").exists() or list((tmp_path / "snapshots").iterdir()) == []


def _save_together(portfolio: Portfolio, folder: str, start, queue) -> None:
    start.wait()  # every saver at the same instant
    queue.put(str(save_snapshot(portfolio, folder)))


def test_concurrent_savers_get_a_folder_each(rollups, tmp_path: Path):
    snapshots = tmp_path / "snapshots"
    savers = 6
    context = multiprocessing.get_context("fork" if sys.platform.startswith("linux") else "spawn")
    start, queue = context.Barrier(savers), context.Queue()
    processes = [
        context.Process(target=_save_together, args=(rollups[CURRENT], str(snapshots), start, queue))
        for _ in range(savers)
    ]
    for process in processes:
        process.start()
    for process in processes:
        process.join(120)
        assert process.exitcode == 0
    saved = sorted(Path(queue.get(timeout=10)) for _ in range(savers))
    names = [CURRENT.isoformat()] + [f"{CURRENT.isoformat()}_{n}" for n in range(2, savers + 1)]
    assert sorted(p.name for p in saved) == sorted(names)
    assert sorted(p.name for p in snapshots.iterdir()) == sorted(names)  # no temporary folder left
    for folder in saved:
        snapshot = load_snapshot(folder)  # each one whole
        assert list(snapshot.tables["projects"]["project_id"]) == ["PRJ-001", "PRJ-002"]
    assert scan_snapshots(snapshots).problems == []


_KILLED_WHILE_SAVING = """
import sys, time
from pmo_logic import snapshots
from tests.test_snapshots import CURRENT, _rollup
portfolio = _rollup(sys.argv[1], CURRENT)
write = snapshots._to_jsonl
def slow(frame, path):
    write(frame, path)
    print("writing", flush=True)
    time.sleep(60)
snapshots._to_jsonl = slow
snapshots.save_snapshot(portfolio, sys.argv[2])
"""


def test_a_half_written_snapshot_is_never_seen(rollups, tmp_path: Path):
    snapshots = tmp_path / "snapshots"
    good = save_snapshot(rollups[FIRST], snapshots)
    projects = tmp_path / "projects"
    write_project_workbook(projects / "p1.xlsx", project("PRJ-001"))
    root = Path(__file__).resolve().parent.parent
    saver = subprocess.Popen([sys.executable, "-c", _KILLED_WHILE_SAVING, str(projects), str(snapshots)],
                             stdout=subprocess.PIPE, text=True, cwd=root)  # fmt: skip
    try:
        assert saver.stdout.readline().strip() == "writing"  # the first table is written
        os.kill(saver.pid, signal.SIGKILL)  # a crash, a power cut
    finally:
        saver.wait(30)
    leftovers = [p for p in snapshots.iterdir() if p != good]
    assert len(leftovers) == 1 and leftovers[0].name.startswith(".partial-")
    assert list_snapshots(snapshots) == [good]
    assert scan_snapshots(snapshots).problems == []  # a save in progress is not a bad snapshot
    assert committee_history(snapshots, rollups[CURRENT]).previous.path == good
    # A save that fails here leaves nothing either.
    from pmo_logic import snapshots as module

    def full_disk(frame, path):
        raise OSError(28, "No space left on device")

    original = module._to_jsonl
    module._to_jsonl = full_disk
    try:
        with pytest.raises(OSError):
            save_snapshot(rollups[CURRENT], snapshots)
    finally:
        module._to_jsonl = original
    assert sorted(p.name for p in snapshots.iterdir()) == sorted([good.name, leftovers[0].name])
    # The next save removes a crashed run's temporary folder once it is old (not one in progress).
    save_snapshot(rollups[CURRENT], snapshots)
    assert leftovers[0].exists()
    old = time.time() - 2 * 24 * 3600
    os.utime(leftovers[0], (old, old))
    save_snapshot(rollups[CURRENT], snapshots)
    assert not leftovers[0].exists()
    assert [p.name for p in list_snapshots(snapshots)] == [good.name, CURRENT.isoformat(), f"{CURRENT}_2"]


def test_pmo_consolidate_warns_and_saves_the_new_snapshot(demo_portfolio, tmp_path: Path):
    from typer.testing import CliRunner

    from pmo_logic.cli import app

    folder = tmp_path / "demo"
    shutil.copytree(demo_portfolio.folder, folder, ignore=shutil.ignore_patterns("snapshots", ".pmo-cache"))
    runner = CliRunner()
    # Exit 1 each time: the demo's damaged CP-005 is a load problem (README: done, with data errors).
    args = ["consolidate", "--portfolio", str(folder / "portfolio.xlsx"), "--no-cache"]
    first = runner.invoke(app, [*args, "--status-date", "2026-11-13"])
    assert first.exit_code == 1, first.output
    second = runner.invoke(app, [*args, "--status-date", "2026-11-20"])
    assert second.exit_code == 1, second.output
    damaged = folder / "snapshots" / "2026-11-20"
    _truncate("manifest.json")(damaged)
    third = runner.invoke(app, [*args, "--status-date", "2026-11-27"], env={"COLUMNS": "250"})
    assert third.exit_code == 1, third.output
    assert "Traceback" not in third.output
    assert f"Warning: snapshot {damaged} left out (manifest.json is not valid JSON" in third.output
    assert "Changes since 2026-11-13" in third.output  # compared with the last good committee
    assert (folder / "snapshots" / "2026-11-27" / "manifest.json").exists()
    report = runner.invoke(app, ["report", "--portfolio", str(folder / "portfolio.xlsx"), "-o",
                                 str(folder / "pack.xlsx")], env={"COLUMNS": "250"})  # fmt: skip
    assert report.exit_code == 1, report.output
    assert f"Warning: snapshot {damaged} left out" in report.output


def test_a_table_is_written_as_json_dumps_writes_each_row(tmp_path: Path):
    # The oracle: one dict and one json.dumps call per row, as the format says.
    texts = pd.Series(["PRJ-001", None, 'say "hi"\n', "é ≠ ☃", "PRJ-001", ""], dtype="str")
    frame = pd.DataFrame(
        {
            "project_id": texts,
            "mixed": pd.Series([1, True, 1.0, None, "1", date(2026, 3, 1)], dtype=object),
            "spi": [0.5, float("nan"), 1.0, 2.0, float("inf"), -0.0],
            "due": pd.to_datetime(["2026-01-05", None, "2026-02-01", "2026-02-01", None, "2026-03-31"]),
        }
    )
    snapshots._to_jsonl(frame, tmp_path / "t.jsonl")

    def plain(value):
        if value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NaT:
            return None
        return value.date().isoformat() if isinstance(value, pd.Timestamp) else (
            value.isoformat() if isinstance(value, date) else value)  # fmt: skip

    expected = "".join(
        json.dumps({column: plain(value) for column, value in row.items()}, ensure_ascii=False) + "\n"
        for row in frame.astype(object).to_dict(orient="records")
    )
    assert (tmp_path / "t.jsonl").read_text(encoding="utf-8") == expected
