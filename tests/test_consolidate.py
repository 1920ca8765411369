"""Consolidation: aggregation, a folder full of faults, snapshots, the incremental cache, injection."""

from __future__ import annotations

import hashlib
import io
import json
import multiprocessing
import os
import shutil
import zipfile
from datetime import date, timedelta
from pathlib import Path

import msoffcrypto.format.ooxml
import openpyxl
import pandas as pd
import pytest

from pmo_logic.cache import ProjectCache
from pmo_logic.consolidate import consolidate
from pmo_logic.models import InterfaceRow, PortfolioSettings, PortfolioWorkbook, RegisterRow, RiskRow
from pmo_logic.reader import read_portfolio_workbook
from pmo_logic.rollup import export_tables, write_rollup
from pmo_logic.rules.example_project import clean_project
from pmo_logic.snapshots import (
    changes,
    last_committee,
    list_snapshots,
    load_snapshot,
    milestone_trend,
    save_snapshot,
)
from pmo_logic.templates import write_project_workbook

SETTINGS = PortfolioSettings(portfolio_name="Test", project_folder=".", status_date=date(2026, 2, 27))


def project(project_id: str, programme: str = "Programme A", **changes_):
    workbook = clean_project()
    workbook.project.project_id = project_id
    workbook.project.name = f"Project {project_id}"
    workbook.project.programme = programme
    for key, value in changes_.items():
        setattr(workbook.project, key, value)
    return workbook


def digest(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def demo_rollup(demo_portfolio):
    portfolio = read_portfolio_workbook(demo_portfolio.portfolio_file)
    return consolidate(demo_portfolio.folder / "projects", portfolio, workers=1)


def test_programme_and_portfolio_figures_are_sums(demo_rollup):
    projects = demo_rollup.projects
    for row in demo_rollup.programmes.to_dict(orient="records"):
        members = projects[projects["programme"] == row["programme"]]
        assert row["projects"] == len(members)
        assert row["spi"] == pytest.approx(members["ev"].sum() / members["pv"].sum())
        assert row["cpi"] == pytest.approx(members["ev"].sum() / members["ac"].sum())
        assert row["bac"] == pytest.approx(members["bac"].sum())
    total = demo_rollup.total.iloc[0]
    assert total["spi"] == pytest.approx(projects["ev"].sum() / projects["pv"].sum())
    assert total["projects"] == 12


def test_demo_rollup_traces_every_row_to_its_cell(demo_rollup):
    for name in ("plan", "risks", "actions", "budget"):
        table = demo_rollup.details[name]
        assert table["file"].notna().all() and table["sheet"].notna().all() and table["row"].notna().all()
    interface = demo_rollup.interface_risks
    assert set(interface["status"]) <= {"at risk", "on track"}
    assert "INTF010" in set(demo_rollup.findings["code"])


def test_fault_corpus(tmp_path: Path, templates_dir: Path):
    folder = tmp_path / "projects"
    folder.mkdir()
    for n in range(1, 6):
        write_project_workbook(folder / f"good{n}.xlsx", project(f"PRJ-00{n}"))
    # Damaged and odd files around them.
    data = (folder / "good1.xlsx").read_bytes()
    (folder / "corrupt.xlsx").write_bytes(data[: len(data) // 2])
    out = io.BytesIO()
    with (folder / "good1.xlsx").open("rb") as handle:
        msoffcrypto.format.ooxml.OOXMLFile(handle).encrypt("secret", out)
    (folder / "locked.xlsx").write_bytes(out.getvalue())
    (folder / "old.xls").write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 4000)
    openpyxl.Workbook().save(folder / "empty.xlsx")
    (folder / "~$good1.xlsx").write_bytes(b"owner lock")
    shutil.copy(folder / "good1.xlsx", folder / "copy of good1.xlsx")  # the same project ID twice
    book = openpyxl.load_workbook(folder / "good2.xlsx")
    book["Plan"].title = "Planning v2"  # renamed sheet
    book.save(folder / "good2.xlsx")
    book = openpyxl.load_workbook(folder / "good3.xlsx")
    plan = book["Plan"]
    plan.insert_rows(1)
    plan["A1"] = "Plan of record"
    plan.merge_cells("A1:F1")  # merged cells above the header
    book.save(folder / "good3.xlsx")
    with zipfile.ZipFile(folder / "good4.xlsx", "a", compression=zipfile.ZIP_STORED) as archive:
        archive.writestr("customXml/attachment.bin", os.urandom(50 * 1024 * 1024))  # a 50 MB workbook
    assert (folder / "good4.xlsx").stat().st_size > 50 * 1024 * 1024
    before = digest(folder)
    register = [RegisterRow(project_id=f"PRJ-00{n}", workbook=f"good{n}.xlsx") for n in range(1, 6)]
    rollup = consolidate(folder, PortfolioWorkbook(settings=SETTINGS, projects=register), workers=2)
    assert digest(folder) == before, "sources must never change"
    assert sorted(rollup.projects["project_id"]) == ["PRJ-001", "PRJ-002", "PRJ-003", "PRJ-004", "PRJ-005"]
    problems = {row["file"]: row["code"] for row in rollup.load_problems.to_dict(orient="records")}
    assert problems == {
        "corrupt.xlsx": "READ005",
        "locked.xlsx": "READ003",
        "old.xls": "READ004",
        "empty.xlsx": "READ007",
        "copy of good1.xlsx": "CONS003",
    }
    assert "~$good1.xlsx" not in set(rollup.findings["file"])
    assert rollup.stats == {"files": 10, "read": 10, "projects": 5}  # the lock file is not read
    # Rows stay traceable to their real cell, after the header moved down a row.
    tasks = rollup.details["plan"]
    shifted = tasks[(tasks["project_id"] == "PRJ-003") & (tasks["id"] == "4")].iloc[0]
    assert shifted["row"] == 6 and shifted["sheet"] == "Plan"
    assert openpyxl.load_workbook(folder / "good3.xlsx")["Plan"][f"A{shifted['row']}"].value == "4"
    renamed = tasks[tasks["project_id"] == "PRJ-002"]["sheet"].unique().tolist()
    assert renamed == ["Planning v2"]


def test_register_matching(tmp_path: Path):
    write_project_workbook(tmp_path / "a.xlsx", project("PRJ-001"))
    write_project_workbook(tmp_path / "b.xlsx", project("PRJ-009"))
    register = [
        RegisterRow(project_id="PRJ-001", workbook="a.xlsx", active=True),
        RegisterRow(project_id="PRJ-002", workbook="missing.xlsx", active=True),
        RegisterRow(project_id="PRJ-003", workbook="old.xlsx", active=False),
    ]
    rollup = consolidate(tmp_path, PortfolioWorkbook(settings=SETTINGS, projects=register), workers=1)
    codes = {(row["project_id"], row["code"]) for row in rollup.load_problems.to_dict(orient="records")}
    assert codes == {("PRJ-002", "CONS001"), ("PRJ-009", "CONS002")}
    assert sorted(rollup.projects["project_id"]) == ["PRJ-001", "PRJ-009"]


def test_parallel_and_serial_loading_agree(tmp_path: Path):
    for n in range(1, 5):
        write_project_workbook(tmp_path / f"p{n}.xlsx", project(f"PRJ-00{n}"))
    serial = consolidate(tmp_path, PortfolioWorkbook(settings=SETTINGS), workers=1)
    parallel = consolidate(tmp_path, PortfolioWorkbook(settings=SETTINGS), workers=2)
    pd.testing.assert_frame_equal(serial.projects, parallel.projects)
    pd.testing.assert_frame_equal(serial.details["plan"], parallel.details["plan"])


def test_interface_at_risk_names_both_projects(tmp_path: Path):
    consumer = project("PRJ-001")
    consumer.interfaces = [
        InterfaceRow(id="IF1", direction="needs", other_project="PRJ-002", milestone="7", need_by=date(2026, 3, 20)),
        InterfaceRow(id="IF2", direction="needs", other_project="PRJ-404", milestone="7", need_by=date(2026, 3, 20)),
    ]
    write_project_workbook(tmp_path / "consumer.xlsx", consumer)
    supplier = project("PRJ-002")  # its go-live (task 7) is on 27 March
    supplier.interfaces = []
    write_project_workbook(tmp_path / "supplier.xlsx", supplier)
    rollup = consolidate(tmp_path, PortfolioWorkbook(settings=SETTINGS), workers=1)
    risk = rollup.interface_risks.set_index("interface")
    assert (risk.at["IF1", "status"], risk.at["IF1", "days_late"]) == ("at risk", 7)
    assert risk.at["IF2", "status"] == "unknown project"
    found = rollup.findings.set_index("code")
    assert "PRJ-001 needs milestone 7 of PRJ-002" in found.at["INTF010", "message"]
    assert found.at["INTF010", "cell"] == "F2" and found.at["INTF010", "sheet"] == "Interfaces"
    assert found.at["INTF001", "cell"] == "C3"


def test_snapshots_and_changes_since_the_last_committee(tmp_path: Path):
    folder = tmp_path / "projects"
    folder.mkdir()
    write_project_workbook(folder / "a.xlsx", project("PRJ-001"))
    write_project_workbook(folder / "b.xlsx", project("PRJ-002"))
    first = consolidate(folder, PortfolioWorkbook(settings=SETTINGS), workers=1)
    saved = save_snapshot(first, tmp_path / "snapshots")
    # Before the next committee: PRJ-002 closes R1, raises R3, slips go-live a week and overspends.
    later = project("PRJ-002")
    later.risks[0].status = "closed"
    later.risks.append(RiskRow(id="R3", title="New regulation", owner="C. Smith", probability=4, impact=4,
                               status="open"))  # fmt: skip
    later.plan[6].finish = later.plan[6].start = date(2026, 4, 3)
    later.plan[3].actual_cost = 30000  # CPI falls to 0.75: cost RAG red
    write_project_workbook(folder / "b.xlsx", later)
    second = consolidate(folder, PortfolioWorkbook(settings=SETTINGS), workers=1)
    diff = changes(load_snapshot(saved), second)
    got = {(r["change"], r["project_id"], r["item"]) for r in diff.to_dict(orient="records")}
    assert ("risk closed", "PRJ-002", "R1") in got
    assert ("new risk", "PRJ-002", "R3") in got
    assert ("milestone slipped", "PRJ-002", "7") in got
    assert ("RAG cost", "PRJ-002", "") in got and ("EAC", "PRJ-002", "") in got
    assert not any(project_id == "PRJ-001" for _, project_id, _ in got)
    slipped = diff[diff["change"] == "milestone slipped"].iloc[0]
    assert slipped["delta"] == 7
    second_saved = save_snapshot(second, tmp_path / "snapshots")  # the same committee, run again
    assert list_snapshots(tmp_path / "snapshots") == [saved, second_saved]

    def go_live(trend):
        rows = trend[(trend["project_id"] == "PRJ-002") & (trend["milestone"] == "7")]
        return [(d.date(), f.date()) for d, f in zip(rows["reporting_date"], rows["forecast"], strict=True)]

    # One trend point per committee: a re-run replaces the earlier run of the same date.
    committee = first.status_date
    assert go_live(milestone_trend([load_snapshot(saved), load_snapshot(second_saved)])) == [
        (committee, date(2026, 4, 3))
    ]
    following = consolidate(folder, PortfolioWorkbook(settings=SETTINGS), workers=1,
                            status_date=committee + timedelta(days=7))  # fmt: skip
    assert go_live(milestone_trend([load_snapshot(saved)], following)) == [
        (committee, date(2026, 3, 27)),
        (committee + timedelta(days=7), date(2026, 4, 3)),
    ]
    # Compared with: the last run of the committee before, never a run of the same committee.
    assert last_committee(tmp_path / "snapshots", following.status_date) == second_saved
    assert last_committee(tmp_path / "snapshots", committee) is None
    assert last_committee(tmp_path / "snapshots", None) == second_saved


def test_incremental_run_rereads_only_the_changed_file(tmp_path: Path):
    folder = tmp_path / "projects"
    folder.mkdir()
    for n in range(1, 6):
        write_project_workbook(folder / f"p{n}.xlsx", project(f"PRJ-00{n}"))
    cache = ProjectCache(tmp_path / "cache")
    portfolio = PortfolioWorkbook(settings=SETTINGS)
    first = consolidate(folder, portfolio, workers=1, cache=cache)
    assert first.stats["read"] == 5
    assert consolidate(folder, portfolio, workers=1, cache=cache).stats["read"] == 0
    changed = project("PRJ-003")
    changed.plan[3].percent_complete = 0.75
    write_project_workbook(folder / "p3.xlsx", changed)
    os.utime(folder / "p1.xlsx")  # touched but unchanged: the content hash keeps it cached
    third = consolidate(folder, portfolio, workers=1, cache=cache)
    assert third.stats["read"] == 1
    assert third.projects.set_index("project_id").at["PRJ-003", "ev"] == pytest.approx(
        first.projects.set_index("project_id").at["PRJ-003", "ev"] + 0.25 * 20000
    )


def test_text_from_projects_is_never_a_formula(tmp_path: Path):
    hostile = project("PRJ-001")
    hostile.plan[6].name = '=HYPERLINK("http://evil.example","x")'
    hostile.risks[0].title = "@SUM(1+1)"
    write_project_workbook(tmp_path / "p.xlsx", hostile)
    rollup = consolidate(tmp_path, PortfolioWorkbook(settings=SETTINGS), workers=1)
    path = write_rollup(tmp_path / "out" / "rollup.xlsx", rollup)
    risks = openpyxl.load_workbook(path)["Risks"]
    titles = [c for c in risks["D"] if isinstance(c.value, str) and "SUM" in c.value]  # the Title column
    assert titles and all(c.data_type == "s" for c in titles)
    milestones = openpyxl.load_workbook(path)["Milestones"]
    names = [c for c in milestones["E"] if isinstance(c.value, str) and "HYPERLINK" in c.value]
    assert names and all(c.data_type == "s" for c in names)
    files = export_tables(tmp_path / "csv", rollup)
    text = (tmp_path / "csv" / "milestones.csv").read_text(encoding="utf-8-sig")
    assert "'=HYPERLINK" in text and "\n=HYPERLINK" not in text
    assert "'@SUM(1+1)" in (tmp_path / "csv" / "risks.csv").read_text(encoding="utf-8-sig")
    assert {p.name for p in files} >= {"projects.csv", "milestones.csv", "load_problems.csv"}


def test_rollup_workbook_has_a_table_per_sheet(demo_rollup, tmp_path: Path):
    path = write_rollup(tmp_path / "rollup.xlsx", demo_rollup)
    book = openpyxl.load_workbook(path)
    assert book.sheetnames[:4] == ["Projects", "Programmes", "Portfolio", "Milestones"]
    assert "tbl_projects" in book["Projects"].tables
    projects = pd.read_excel(path, sheet_name="Projects", engine="calamine")
    assert len(projects) == 12 and "SPI(t)" in projects.columns


def test_empty_folder(tmp_path: Path):
    rollup = consolidate(tmp_path, None, workers=1)
    assert rollup.projects.empty and rollup.load_problems.empty
    write_rollup(tmp_path / "rollup.xlsx", rollup)


def test_snapshot_lines_are_json_dumps_of_each_row(demo_rollup, tmp_path: Path):
    # The oracle is the plain formulation: each row as a dict, json.dumps'd (dates as
    # YYYY-MM-DD, blanks as null). The writer encodes a column at a time; same bytes expected.
    import json
    from datetime import datetime

    import numpy as np

    from pmo_logic.snapshots import _plain, _to_jsonl

    def expected(frame: pd.DataFrame) -> str:
        return "".join(
            json.dumps({k: _plain(v) for k, v in record.items()}, ensure_ascii=False) + "\n"
            for record in frame.to_dict(orient="records")
        )

    odd = pd.DataFrame({
        "when": pd.Series([datetime(2026, 1, 5, 13, 30), None, datetime(1999, 12, 31)], dtype="datetime64[s]"),
        "amount": [0.1 + 0.2, np.nan, float("inf")],
        "count": np.array([1, -2, 3], dtype=np.int64),
        "flag": [True, False, True],
        "mixed": pd.Series([1, 1.0, True], dtype=object),
        "text": pd.Series(["été \"quoted\"", None, "=SUM(1)"], dtype=object),
        "day": pd.Series([date(2026, 2, 1), np.nan, np.int64(7)], dtype=object),
        "arrow": pd.Series(["a", None, "ß"], dtype="str"),
    })  # fmt: skip
    for name, frame in [("odd", odd), *demo_rollup.tables().items()]:
        target = tmp_path / f"{name}.jsonl"
        _to_jsonl(frame, target)
        assert target.read_text(encoding="utf-8") == expected(frame), name


def test_milestone_trend_with_a_committee_that_had_no_milestones(tmp_path: Path):
    # A portfolio without milestones stores an empty milestones table, which reads back with
    # its columns (without them from older snapshots); the next committee pack must still draw
    # the trend of the others.
    project = clean_project()
    project.plan = [t for t in project.plan if t.type != "milestone"]
    write_project_workbook(tmp_path / "p.xlsx", project)
    rollup = consolidate(tmp_path, PortfolioWorkbook(settings=SETTINGS), workers=1)
    assert rollup.milestones.empty
    folder = save_snapshot(rollup, tmp_path / "snapshots")
    saved = load_snapshot(folder)
    assert saved.tables["milestones"].empty
    assert list(saved.tables["milestones"].columns) == [str(c) for c in rollup.tables()["milestones"].columns]
    assert milestone_trend([saved], rollup).empty
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    for entry in manifest["tables"].values():
        del entry["columns"]  # as snapshots were written before
    (folder / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    older = load_snapshot(folder)
    assert older.tables["milestones"].empty and not len(older.tables["milestones"].columns)
    assert milestone_trend([older], rollup).empty
    saved = older
    with_milestones = consolidate_demo_like(tmp_path)
    trend = milestone_trend([saved], with_milestones)
    assert len(trend) and set(trend["reporting_date"]) == {pd.Timestamp(with_milestones.status_date)}


def consolidate_demo_like(tmp_path: Path):
    folder = tmp_path / "with"
    folder.mkdir()
    write_project_workbook(folder / "q.xlsx", clean_project())
    return consolidate(folder, PortfolioWorkbook(settings=SETTINGS), workers=1)


def test_joined_columns_keep_what_pd_concat_gives():
    # Projects' tables are joined column by column with numpy; where their dtypes differ,
    # pandas decides as pd.concat does (the oracle).
    import numpy as np

    from pmo_logic.consolidate import _join

    first = {"a": np.array([1.5, np.nan]), "b": np.array(["x", np.nan], dtype=object), "source_row": np.array([2, 3])}
    second = {"a": np.array([None, "text"], dtype=object), "b": np.array(["y"], dtype=object)[[0, 0]],
              "source_row": np.array([2, 3])}  # fmt: skip
    joined = pd.DataFrame(_join([first, second]))
    expected = pd.concat(
        [pd.DataFrame({k: pd.Series(v, dtype=v.dtype) for k, v in t.items()}) for t in (first, second)],
        ignore_index=True,
    )
    pd.testing.assert_frame_equal(joined, expected, check_exact=True)
    assert joined["b"].dtype == object and joined["a"].dtype == object


def test_loading_without_row_models_gives_what_the_models_give(demo_portfolio):
    # Consolidation reads the sheets as columns and never builds the row models; the oracle is
    # the plain path: the workbook read with its rows, validated and measured from them.
    import math

    from pmo_logic.consolidate import _validation_settings, load_project, project_kpis
    from pmo_logic.reader import read_project_workbook
    from pmo_logic.validate import is_unreadable, validate_workbook

    portfolio = read_portfolio_workbook(demo_portfolio.portfolio_file)
    settings = portfolio.settings
    compared = 0
    for path in demo_portfolio.project_files:
        load = load_project(str(path), settings)
        workbook = read_project_workbook(path)
        if is_unreadable(workbook):
            continue
        assert workbook.plan and not load.workbook.plan
        expected = validate_workbook(workbook, _validation_settings(settings, None)).findings
        assert [f.model_dump() for f in load.findings] == [f.model_dump() for f in expected], path.name
        kpis = project_kpis(workbook, settings)
        assert kpis.keys() == load.kpis.keys()
        for key, value in kpis.items():
            mine = load.kpis[key]
            same = mine == value or (isinstance(value, float) and math.isnan(value) and math.isnan(mine))
            assert same, (path.name, key, value, mine)
        compared += 1
    assert compared >= 10


def test_workers_started_the_windows_way(tmp_path: Path, monkeypatch):
    # Windows (and macOS) start worker processes by spawning a fresh interpreter, not forking
    # this one: everything sent to them must pickle and import on its own.
    import concurrent.futures
    import functools
    import multiprocessing

    for n in range(1, 4):
        write_project_workbook(tmp_path / f"p{n}.xlsx", project(f"PRJ-00{n}"))
    serial = consolidate(tmp_path, PortfolioWorkbook(settings=SETTINGS), workers=1)
    spawn = multiprocessing.get_context("spawn")
    spawning = functools.partial(concurrent.futures.ProcessPoolExecutor, mp_context=spawn)
    monkeypatch.setattr(concurrent.futures, "ProcessPoolExecutor", spawning)
    from pmo_logic import consolidate as module

    pooled: list[int] = []
    in_pool = module._load_in_pool

    def counted(*args):
        loads = in_pool(*args)  # raises (and consolidate falls back to this process) if spawning fails
        pooled.append(len(loads))
        return loads

    monkeypatch.setattr(module, "_load_in_pool", counted)
    spawned = consolidate(tmp_path, PortfolioWorkbook(settings=SETTINGS), workers=2, cache=ProjectCache(tmp_path / "c"))
    assert spawned.stats["read"] == 3 and pooled == [3]  # read by the spawned workers, not the fallback
    pd.testing.assert_frame_equal(serial.projects, spawned.projects)
    for key in serial.details:
        pd.testing.assert_frame_equal(serial.details[key], spawned.details[key])
    pd.testing.assert_frame_equal(serial.findings, spawned.findings)


def test_few_workbooks_are_read_here_many_in_worker_processes(tmp_path: Path, monkeypatch):
    # Starting worker processes costs ~0.75 s where they are spawned (Windows): a portfolio of a
    # dozen projects is read faster in this process. An explicit worker count is obeyed.
    from pmo_logic import consolidate as module

    for n in range(1, 4):
        write_project_workbook(tmp_path / f"p{n}.xlsx", project(f"PRJ-00{n}"))
    pooled: list[int] = []

    def in_pool(paths, settings, status_date, workers, tick, keep_packed):
        pooled.append(len(paths))
        return [module.load_project(p, settings, status_date) for p in paths]

    monkeypatch.setattr(module, "_load_in_pool", in_pool)
    monkeypatch.setattr(module.os, "cpu_count", lambda: 2)
    auto = consolidate(tmp_path, PortfolioWorkbook(settings=SETTINGS))
    assert pooled == [] and auto.stats["read"] == 3
    consolidate(tmp_path, PortfolioWorkbook(settings=SETTINGS), workers=2)
    assert pooled == [3]
    monkeypatch.setattr(module, "pool_threshold", lambda workers, start_method=None: 3)
    consolidate(tmp_path, PortfolioWorkbook(settings=SETTINGS))
    assert pooled == [3, 3]


def test_the_pool_threshold_is_where_the_pool_becomes_faster():
    from pmo_logic.consolidate import _LOAD_SECONDS, _POOL_START_SECONDS, _SPAWNED_POOL_START_SECONDS, pool_threshold

    for method, start in (("fork", _POOL_START_SECONDS["fork"]), ("spawn", _SPAWNED_POOL_START_SECONDS)):
        for workers in (2, 4, 8):
            n = pool_threshold(workers, method)
            here, pooled = (
                (n * _LOAD_SECONDS, (n - 1) * _LOAD_SECONDS),
                (
                    start + n * _LOAD_SECONDS / workers,
                    start + (n - 1) * _LOAD_SECONDS / workers,
                ),
            )
            assert here[0] >= pooled[0] - 1e-12 and here[1] < pooled[1]
    assert pool_threshold(2, "spawn") > 30 > pool_threshold(2, "fork")
    assert pool_threshold(1, "fork") > 10**6


def test_the_garbage_collector_is_paused_only_for_a_while(tmp_path: Path):
    import gc

    from pmo_logic.consolidate import collector_paused

    write_project_workbook(tmp_path / "a.xlsx", project("PRJ-001"))
    assert gc.isenabled()
    with collector_paused():
        assert not gc.isenabled()
    assert gc.isenabled()
    consolidate(tmp_path, PortfolioWorkbook(settings=SETTINGS), workers=1, cache=ProjectCache(tmp_path / "c"))
    assert gc.isenabled()
    gc.disable()  # a caller's own choice is left as it was
    try:
        with collector_paused():
            pass
        assert not gc.isenabled()
    finally:
        gc.enable()


# --- nothing of ours read back, one bad thing never stops the run ----------------------------


def _without_kind_marker(path: Path) -> None:
    """``path`` as pmo-xl wrote it before its outputs carried a ``pmo_kind`` property."""
    parts = {}
    with zipfile.ZipFile(path) as archive:
        for info in archive.infolist():
            if info.filename != "docProps/custom.xml":
                parts[info.filename] = archive.read(info)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in parts.items():
            archive.writestr(name, data)


def test_own_outputs_are_never_read_as_projects(tmp_path: Path):
    from typer.testing import CliRunner

    from pmo_logic.cli import app
    from pmo_logic.report import write_committee_pack
    from pmo_logic.templates import write_portfolio_workbook
    from pmo_logic.validate import find_workbooks, output_kind, validate_paths
    from pmo_logic.validation_report import write_validation_report

    folder = tmp_path / "pmo"
    for n in (1, 2):
        write_project_workbook(folder / "projects" / f"p{n}.xlsx", project(f"PRJ-00{n}"))
    rollup = consolidate(folder / "projects", PortfolioWorkbook(settings=SETTINGS), workers=1)
    write_rollup(folder / "rollup.xlsx", rollup)
    write_rollup(folder / "projects" / "old rollup.xlsx", rollup)
    _without_kind_marker(folder / "projects" / "old rollup.xlsx")  # known by its _meta sheet only
    write_committee_pack(folder / "committee_pack.xlsx", rollup)
    write_validation_report(folder / "validation.xlsx", validate_paths([folder / "projects"]))
    write_portfolio_workbook(folder / "portfolio.xlsx", PortfolioWorkbook(settings=SETTINGS))
    save_snapshot(rollup, folder / "snapshots")
    # A project workbook inside pmo-xl's own folders is not searched either.
    for own in ("snapshots", ".pmo-cache"):
        write_project_workbook(folder / own / "stray.xlsx", project("PRJ-009"))
    kinds = {
        "rollup.xlsx": "rollup",
        "committee_pack.xlsx": "committee_pack",
        "validation.xlsx": "validation_report",
        "portfolio.xlsx": "portfolio",
        "projects/p1.xlsx": None,
    }
    assert {name: output_kind(folder / name) for name in kinds} == kinds
    search = find_workbooks([folder])
    assert [p.name for p in search.files] == ["old rollup.xlsx", "p1.xlsx", "p2.xlsx"]
    assert {p.name for p, _ in search.skipped} == {"rollup.xlsx", "committee_pack.xlsx", "validation.xlsx",
                                                   "portfolio.xlsx"}  # fmt: skip

    result = consolidate(folder, PortfolioWorkbook(settings=SETTINGS), workers=1, exclude=[folder / "rollup.xlsx"])
    assert sorted(result.projects["project_id"]) == ["PRJ-001", "PRJ-002"]
    notes = {
        row["file"]: (row["code"], row["severity"], row["reason"]) for row in result.load_problems.to_dict("records")
    }
    skipped = "written by pmo-xl: not a project workbook, skipped"
    assert notes == {
        "committee_pack.xlsx": ("CONS005", "info", f"committee pack {skipped}"),
        "validation.xlsx": ("CONS005", "info", f"validation report {skipped}"),
        "portfolio.xlsx": ("CONS005", "info", f"portfolio workbook {skipped}"),
        "old rollup.xlsx": ("CONS005", "info", f"roll-up {skipped}"),
    }  # the roll-up being replaced (excluded) needs no note

    # pmo validate: the same, and a second run is not upset by its own first report.
    runner = CliRunner()
    for _ in range(2):
        run = runner.invoke(app, ["validate", str(folder), "-o", str(folder / "validation.xlsx"), "--fail-on",
                                  "never"], env={"COLUMNS": "250"})  # fmt: skip
        assert run.exit_code == 0, run.output
        assert f"committee_pack.xlsx: committee pack {skipped}" in run.output
        assert f"validation.xlsx: validation report {skipped}" in run.output
        assert "portfolio.xlsx" not in run.output  # its Settings apply: it is not a skipped file
        assert "2 workbooks" in run.output  # p1, p2 (the old roll-up is not a project either)


def test_the_kind_is_read_from_the_document_properties_only(tmp_path: Path, monkeypatch):
    # A folder may hold a thousand workbooks: telling ours apart must not read any of them.
    from pmo_logic.report import write_committee_pack
    from pmo_logic.validate import output_kind

    write_project_workbook(tmp_path / "projects" / "p1.xlsx", project("PRJ-001"))
    rollup = consolidate(tmp_path / "projects", PortfolioWorkbook(settings=SETTINGS), workers=1)
    write_committee_pack(tmp_path / "pack.xlsx", rollup)
    opened: list[str] = []
    real_open = zipfile.ZipFile.open

    def spy(self, name, *args, **kwargs):
        opened.append(name if isinstance(name, str) else name.filename)
        return real_open(self, name, *args, **kwargs)

    monkeypatch.setattr(zipfile.ZipFile, "open", spy)
    assert output_kind(tmp_path / "pack.xlsx") == "committee_pack"
    assert output_kind(tmp_path / "projects" / "p1.xlsx") is None
    assert set(opened) == {"docProps/custom.xml"}
    # A property part far larger than any pmo-xl writes is not read at all.
    bloated = tmp_path / "bloated.xlsx"
    shutil.copy(tmp_path / "pack.xlsx", bloated)
    _without_kind_marker(bloated)
    with zipfile.ZipFile(bloated, "a") as archive:
        archive.writestr("docProps/custom.xml", "<Properties>" + " " * (1 << 20) + "</Properties>")
    opened.clear()
    assert output_kind(bloated) is None and opened == []


_AS_ANALYST = """
import json, sys
from datetime import date
from pmo_logic.consolidate import consolidate
from pmo_logic.models import PortfolioSettings, PortfolioWorkbook
settings = PortfolioSettings(portfolio_name="Test", project_folder=".", status_date=date(2026, 2, 27))
result = consolidate(sys.argv[1], PortfolioWorkbook(settings=settings), workers=int(sys.argv[2]))
print(json.dumps({"projects": sorted(result.projects["project_id"]),
                  "problems": result.load_problems.to_dict(orient="records")}))
"""


def _as_analyst(*args: str) -> list[str]:
    """A command as a user who is not root (CI runs as root, whom no permission stops)."""
    if os.geteuid() != 0:
        return list(args)
    if shutil.which("setpriv") is None:
        pytest.skip("setpriv (util-linux) is needed to run as another user")
    return ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", *args]


def test_an_unreadable_folder_is_named_and_the_rest_consolidated(tmp_path: Path):
    import subprocess
    import sys
    import tempfile

    # Not under pytest's own (private) temporary folder: the analyst must reach it.
    root = Path(tempfile.mkdtemp(prefix="pmo-perm-"))
    try:
        root.chmod(0o755)
        folder = root / "projects"
        for n, where in ((1, "."), (2, "."), (3, "secret"), (4, "readonly")):
            write_project_workbook(folder / where / f"p{n}.xlsx", project(f"PRJ-00{n}"))
        for path in [folder, *folder.rglob("*")]:
            path.chmod(0o755 if path.is_dir() else 0o644)
        readonly = folder / "readonly"
        (readonly / "p4.xlsx").chmod(0o444)
        readonly.chmod(0o555)  # the analyst may read this project folder, not write it
        (folder / "secret").chmod(0o000)
        write_project_workbook(folder / "denied.xlsx", project("PRJ-005")).chmod(0o000)
        before = digest(readonly)
        for workers in ("1", "2"):
            run = subprocess.run(
                _as_analyst(sys.executable, "-c", _AS_ANALYST, str(folder), workers),
                capture_output=True, text=True, timeout=300, cwd=root,
            )  # fmt: skip
            assert run.returncode == 0, run.stderr
            assert "Traceback" not in run.stderr
            result = json.loads(run.stdout)
            assert result["projects"] == ["PRJ-001", "PRJ-002", "PRJ-004"]
            secret = str(folder / "secret")
            unlisted, denied = result["problems"]
            assert unlisted == {
                "file": secret, "project_id": "", "code": "CONS006", "severity": "error",
                "reason": f"cannot list folder {secret}: permission denied — its projects are missing from the roll-up",
            }  # fmt: skip
            # The reader's own reason, not "no Project ID".
            assert denied["file"] == "denied.xlsx" and denied["code"].startswith("READ"), denied
            assert "permission" in denied["reason"].lower(), denied
        assert digest(readonly) == before and sorted(p.name for p in readonly.iterdir()) == ["p4.xlsx"]
    finally:
        for path in [root, *root.rglob("*")] if root.exists() else []:
            path.chmod(0o755)
        (folder / "secret").chmod(0o755)
        shutil.rmtree(root)


def _one_day_baseline(project_id: str):
    workbook = project(project_id)
    for task in workbook.plan:
        task.baseline_start = task.baseline_finish = date(2026, 1, 5)
    return workbook


@pytest.mark.parametrize("workers", [1, 2])
def test_a_plan_baselined_on_one_day_consolidates(tmp_path: Path, workers: int):
    # It stopped the whole run (IndexError in earned schedule); now it is one project among the others.
    for n in range(1, 7):
        write_project_workbook(
            tmp_path / f"p{n}.xlsx", _one_day_baseline(f"PRJ-00{n}") if n == 2 else project(f"PRJ-00{n}")
        )
    result = consolidate(tmp_path, PortfolioWorkbook(settings=SETTINGS), workers=workers)
    assert sorted(result.projects["project_id"]) == [f"PRJ-00{n}" for n in range(1, 7)]
    assert len(result.load_problems) == 0
    odd = result.projects.set_index("project_id").loc["PRJ-002"]
    # The whole baseline is one working day: earned schedule is the share of it earned.
    assert 0 <= odd["es"] <= 1 and odd["spi_t"] >= 0


# What a PMO reads when pmo-xl fails on one workbook: the step, never Python's own words.
FAILED_STEP = (
    "could not be consolidated: pmo-xl met an error it did not expect while {step}; please report it, with the file"
)


def test_any_exception_in_one_workbook_spares_the_others(tmp_path: Path, monkeypatch):
    # In worker processes too (forked here, so they run the patched function): an exception
    # there must not lose the other workbooks of its batch.
    from pmo_logic import consolidate as module

    measure = module.project_kpis

    def faulty(workbook, *args, **kwargs):
        if workbook.project.project_id == "PRJ-003":
            raise ZeroDivisionError("planted")
        return measure(workbook, *args, **kwargs)

    monkeypatch.setattr(module, "project_kpis", faulty)
    # Forked workers run the patched function (spawned ones, once Java runs in this process, would not).
    monkeypatch.setattr(module, "pool_context", lambda: multiprocessing.get_context("fork"))
    for n in range(1, 9):
        write_project_workbook(tmp_path / f"p{n}.xlsx", project(f"PRJ-00{n}"))
    for workers in (1, 2):
        result = consolidate(tmp_path, PortfolioWorkbook(settings=SETTINGS), workers=workers)
        assert len(result.projects) == 7 and "PRJ-003" not in set(result.projects["project_id"])
        problems = result.load_problems.to_dict(orient="records")
        assert [(p["file"], p["code"], p["reason"]) for p in problems] == [
            ("p3.xlsx", "CONS007", FAILED_STEP.format(step="consolidating it"))
        ]


def test_the_reason_given_is_the_true_one(tmp_path: Path):
    # "no Project ID" only where the Project sheet was read and its ID is blank.
    from pmo_logic import consolidate as module
    from pmo_logic.consolidate import build_portfolio, failed_load, load_project
    from pmo_logic.problems import Problem

    write_project_workbook(tmp_path / "blank id.xlsx", project(""))
    book = openpyxl.load_workbook(write_project_workbook(tmp_path / "no project sheet.xlsx", project("PRJ-002")))
    del book["Project"]
    book.save(tmp_path / "no project sheet.xlsx")
    write_project_workbook(tmp_path / "good.xlsx", project("PRJ-003"))
    loads = [load_project(str(p), SETTINGS, SETTINGS.status_date) for p in sorted(tmp_path.glob("*.xlsx"))]
    # What the reader says of a file it could not open at all (permission denied, say).
    denied = module.ProjectLoad(path=str(tmp_path / "denied.xlsx"), kpis={}, findings=[],
                                workbook=module.ProjectWorkbook(source="denied.xlsx"))  # fmt: skip
    reason = "could not be read (PermissionError: [Errno 13] Permission denied); please report this"
    denied.workbook.problems.append(Problem(code="READ099", severity="error", file="denied.xlsx", message=reason))
    from pmo_logic.validate import validate_workbook

    denied.findings = validate_workbook(denied.workbook).findings
    loads += [denied, failed_load(tmp_path / "odd.xlsx", ValueError("planted"))]
    result = build_portfolio(loads, SETTINGS, SETTINGS.status_date)
    got = {row["file"]: (row["code"], row["reason"]) for row in result.load_problems.to_dict(orient="records")}
    assert got == {
        "blank id.xlsx": ("CONS004", "no Project ID on the Project sheet: it cannot be consolidated"),
        "no project sheet.xlsx": ("READ007", "Project: the sheet 'Project' is missing: copy it from the template"),
        "denied.xlsx": ("READ099", reason),
        "odd.xlsx": ("CONS007", FAILED_STEP.format(step="consolidating it")),
    }
    assert list(result.projects["project_id"]) == ["PRJ-003"]


def test_the_roll_up_carries_the_computed_schedule_with_summaries_as_their_most_critical_child(demo_rollup):
    # The demo's workbooks were never given the Recompute schedule button: their schedule columns
    # are blank, and the roll-up shows pmo-xl's own critical path instead.
    plan = demo_rollup.details["plan"]
    assert plan["total_float"].notna().sum() > len(plan) / 3
    checked = 0
    for (_, project), tasks in plan.groupby(["file", "project_id"]):
        by_wbs = tasks.set_index("wbs")
        for row in tasks[tasks["type"] == "summary"].itertuples():
            children = by_wbs[by_wbs.index.astype(str).str.startswith(f"{row.wbs}.")]
            floats = children.loc[children["type"] != "summary", "total_float"].dropna()
            if floats.empty:
                assert pd.isna(row.total_float), (project, row.wbs)
                continue
            assert row.total_float == floats.min(), (project, row.wbs)
            assert bool(row.critical) == bool((children["critical"] == True).any()), (project, row.wbs)  # noqa: E712
            checked += 1
    assert checked > 20


def test_earned_schedule_before_the_baseline_start_is_blank_with_its_reason(tmp_path: Path):
    from pmo_logic.kpis import BEFORE_BASELINE

    early = project("PRJ-001")
    first = min(t.baseline_start for t in early.plan if t.baseline_start)
    early.project.status_date = first - timedelta(days=10)
    write_project_workbook(tmp_path / "p1.xlsx", early)
    write_project_workbook(tmp_path / "p2.xlsx", project("PRJ-002"))
    rows = consolidate(tmp_path, PortfolioWorkbook(settings=SETTINGS)).projects.set_index("project_id")
    assert rows.loc["PRJ-001", "es_undefined"] == BEFORE_BASELINE
    assert all(pd.isna(rows.loc["PRJ-001", k]) for k in ("es", "sv_t", "spi_t", "ieac_t"))
    assert pd.isna(rows.loc["PRJ-002", "es_undefined"]) and rows.loc["PRJ-002", "spi_t"] >= 0
