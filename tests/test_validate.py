"""Validation end to end: the demo's planted defects, a crafted DCMA schedule, bad input."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import openpyxl
import pytest

from pmo_logic.demo import DEMO_STATUS_DATE, SPECS
from pmo_logic.models import ProjectInfo, ProjectWorkbook, TaskRow
from pmo_logic.reader import read_project_workbook
from pmo_logic.templates import write_project_workbook
from pmo_logic.validate import validate_file, validate_paths, validate_workbook
from pmo_logic.validation_settings import ValidationSettings
from tests.conftest import garbage_copy

DEMO_SETTINGS = ValidationSettings(as_of=DEMO_STATUS_DATE, calendar_country="FR")


@pytest.fixture(scope="module")
def demo_results(demo_portfolio):
    return {r.file: r for r in validate_paths([demo_portfolio.folder / "projects"], DEMO_SETTINGS)}


def test_every_planted_defect_is_found(demo_portfolio, demo_results):
    expected = {
        "dependency_loop": "PLAN021",
        "finish_before_start": "PLAN010",
        "high_risk_without_owner": "RAID001",
        "missing_sheet": "READ007",
        "corrupt_file": "READ005",
    }
    assert {d.kind: d.code for d in demo_portfolio.defects} == expected
    for defect in demo_portfolio.defects:
        findings = [f for f in demo_results[defect.file].findings if f.code == expected[defect.kind]]
        assert findings, defect
        finding = findings[0]
        assert finding.sheet == defect.sheet
        if defect.kind == "dependency_loop":
            first, then = defect.item.split("->")
            assert {first, then} <= set(finding.message.split(": ")[1].split(";")[0].split(" → "))
        elif defect.item:
            assert finding.item == defect.item


def test_no_false_alarm_on_the_clean_demo_projects(demo_results):
    clean = [s for s in SPECS if not s.defect and s.delay == 0 and s.cost_factor == 1.0]
    assert len(clean) >= 3
    for spec in clean:
        result = next(r for name, r in demo_results.items() if name.startswith(spec.project_id))
        alarms = [(f.code, f.address, f.message) for f in result.findings if f.severity != "info"]
        assert alarms == [], spec.project_id
        assert all(c.passed is not False for c in result.dcma), spec.project_id


def test_demo_projects_carry_their_calendar(demo_portfolio, demo_results):
    # The Validate button in a project workbook knows no portfolio and its calendar country: the
    # workbook lists its public holidays (Excel's NETWORKDAYS needs them there too), so alone it
    # is found exactly what it is found with the portfolio's calendar.
    alone = validate_paths([demo_portfolio.folder / "projects"], ValidationSettings(as_of=DEMO_STATUS_DATE))
    for result in alone:
        found = [(f.code, f.address, f.message) for f in result.findings]
        assert found == [(f.code, f.address, f.message) for f in demo_results[result.file].findings], result.file


def test_troubled_demo_projects_show_their_trouble(demo_results):
    late = next(r for name, r in demo_results.items() if name.startswith("UF-001"))
    codes = {f.code for f in late.findings}
    assert {"MILE001", "DCMA14"} <= codes  # key milestones slipped, fewer tasks done than baselined
    over = next(r for name, r in demo_results.items() if name.startswith("CP-002"))
    assert "BUDG002" in {f.code for f in over.findings}


# --- a crafted schedule with known answers for the 14 DCMA checks ---------------------------


def _t(id_, d, start, finish, preds=None, **kw) -> TaskRow:
    kind = "milestone" if d == 0 else "task"
    return TaskRow(
        id=id_, name=id_, type=kind, duration=d, start=start, finish=finish, predecessors=preds,
        baseline_start=kw.pop("baseline_start", start), baseline_finish=kw.pop("baseline_finish", finish),
        owner=kw.pop("owner", "Owner"), status=kw.pop("status", "not_started"),
        percent_complete=kw.pop("percent_complete", 0.0), **kw,
    )  # fmt: skip


def crafted_dcma_project() -> ProjectWorkbook:
    """Positions are working days from Monday 5 January 2026; the status date is Friday 27 February.

    Hand-computed: T3 is half done, so its 10 remaining days run to position 50 (13 March).
    The project finishes at position 100 (22 May), driven by T7. Total floats: T6 45, T9 58,
    T8 43, the others 0. DCMA counts the 8 incomplete baselined tasks with a duration (T3-T10;
    the milestone M is left out). The driving path is T3 (in progress) -> T7 -> M: delaying T7,
    its first unstarted task, by 600 days moves the finish by 600. (T4, critical too, would move
    it by 562 only, as T10's must-start-on holds its chain: off the driving path, not tested.)
    """
    d = date
    plan = [
        _t("T1", 10, d(2026, 1, 5), d(2026, 1, 16), status="done", percent_complete=1.0,
           actual_start=d(2026, 1, 5), actual_finish=d(2026, 1, 16)),
        _t("T2", 10, d(2026, 1, 19), d(2026, 1, 30), "T1", status="done", percent_complete=1.0,
           actual_start=d(2026, 1, 19), actual_finish=d(2026, 1, 30), baseline_finish=d(2026, 1, 23)),
        _t("T3", 20, d(2026, 2, 2), d(2026, 3, 13), "T2", status="in_progress", percent_complete=0.5,
           actual_start=d(2026, 2, 2), baseline_finish=d(2026, 2, 27)),
        _t("T4", 5, d(2026, 3, 16), d(2026, 3, 20), "T3"),
        _t("T5", 5, d(2026, 3, 25), d(2026, 3, 31), "T4FS+2d"),
        _t("T6", 5, d(2026, 3, 16), d(2026, 3, 20), "T4SS"),
        _t("T7", 50, d(2026, 3, 16), d(2026, 5, 22), "T3", owner=None),
        _t("T8", 3, d(2026, 3, 19), d(2026, 3, 23), "T4FS-1d"),
        _t("T9", 2, d(2026, 2, 25), d(2026, 2, 26)),
        _t("T10", 2, d(2026, 4, 1), d(2026, 4, 2), "T5", constraint_type="mso", constraint_date=d(2026, 4, 1)),
        _t("M", 0, d(2026, 5, 22), d(2026, 5, 22), "T5, T6, T7, T8, T10"),
    ]  # fmt: skip
    return ProjectWorkbook(
        project=ProjectInfo(
            project_id="DCMA", name="Crafted", project_manager="PM", methodology="waterfall",
            start_date=d(2026, 1, 5), end_date=d(2026, 5, 15), status_date=d(2026, 2, 27),
        ),
        plan=plan,
    )  # fmt: skip


def test_dcma_fourteen_points_on_a_crafted_schedule(tmp_path: Path):
    path = write_project_workbook(tmp_path / "dcma.xlsx", crafted_dcma_project())
    result = validate_file(path, ValidationSettings(as_of=date(2026, 2, 27)))
    floats = result.schedule.tasks.set_index("id")["total_float"]
    assert floats[["T3", "T4", "T5", "T6", "T7", "T8", "T9", "T10", "M"]].tolist() == [0, 0, 0, 45, 0, 43, 58, 0, 0]
    assert result.schedule.project_finish == 100
    got = {c.number: (c.count, c.total, c.passed) for c in result.dcma}
    assert got == {
        1: (1, 8, False),  # T9 has neither predecessor nor successor
        2: (1, 12, False),  # T4FS-1d is a lead
        3: (1, 12, False),  # T4FS+2d is a lag: 8.3% > 5%
        4: (11, 12, True),  # one SS link: 91.7% FS
        5: (1, 8, False),  # T10 must start on
        6: (2, 8, False),  # T6 (45) and T9 (58) above 44 days
        7: (0, 9, True),  # incomplete tasks and milestones
        8: (1, 8, False),  # T7: 50 days in the baseline
        9: (1, 11, False),  # T9 forecast before the status date, out of the 11 tasks and milestones
        10: (1, 8, False),  # T7 has no owner
        11: (3, 4, False),  # T2 finished late, T3 and T9 not finished; T1 on time
        12: (600, 600, True),  # T7 delayed
        13: (60, -5, False),  # CPLI (60 - 5) / 60
        14: (2, 4, False),  # BEI: T1 and T2 done of the four due
    }
    metrics = {c.number: c.metric for c in result.dcma}
    assert metrics[13] == pytest.approx(55 / 60)
    assert metrics[14] == pytest.approx(2 / 4)
    assert metrics[3] == pytest.approx(1 / 12)
    failed = {f.code for f in result.findings if f.code.startswith("DCMA")}
    assert failed == {f"DCMA{n:02d}" for n, (_, _, ok) in got.items() if ok is False}


# --- bad input -----------------------------------------------------------------------------


def test_bad_input_gives_findings_never_a_traceback(tmp_path: Path, templates_dir: Path):
    broken = tmp_path / "broken.xlsx"
    broken.write_bytes(b"PK\x03\x04garbage")
    empty = tmp_path / "empty.xlsx"
    empty.write_bytes(b"")
    garbage_copy(templates_dir / "project_en.xlsx", tmp_path / "garbage.xlsx", columns=22)
    no_plan = tmp_path / "no_plan.xlsx"
    book = openpyxl.load_workbook(templates_dir / "project_en.xlsx")
    del book["Plan"]
    book.save(no_plan)
    results = {r.file: r for r in validate_paths([tmp_path])}
    assert set(results) == {"broken.xlsx", "empty.xlsx", "garbage.xlsx", "no_plan.xlsx"}
    assert [f.code for f in results["broken.xlsx"].findings] == ["READ005"]
    assert [f.code for f in results["empty.xlsx"].findings] == ["READ002"]
    assert "READ007" in {f.code for f in results["no_plan.xlsx"].findings}
    garbage_codes = {f.code for f in results["garbage.xlsx"].findings}
    assert {"READ009", "READ013", "PLAN001"} <= garbage_codes
    assert all(f.file and f.message for r in results.values() for f in r.findings)


def test_excel_lock_files_are_skipped(tmp_path: Path, templates_dir: Path):
    (tmp_path / "~$project.xlsx").write_bytes(b"lock")
    write_project_workbook(tmp_path / "project.xlsx", read_project_workbook(templates_dir / "project_en.xlsx"))
    assert [r.file for r in validate_paths([tmp_path])] == ["project.xlsx"]


def test_validation_never_writes_the_source(demo_portfolio):
    path = demo_portfolio.project_files[2]
    before, mtime = path.read_bytes(), path.stat().st_mtime_ns
    validate_file(path, DEMO_SETTINGS)
    assert path.read_bytes() == before and path.stat().st_mtime_ns == mtime


def test_validate_workbook_is_pure_on_models():
    workbook = crafted_dcma_project()
    snapshot = workbook.model_dump()
    first = validate_workbook(workbook)
    assert workbook.model_dump() == snapshot
    assert [f.model_dump() for f in validate_workbook(workbook).findings] == [f.model_dump() for f in first.findings]


def test_a_workbook_excel_is_saving_is_found_on_a_second_look(tmp_path: Path) -> None:
    # Excel saves by renaming the workbook away and back: for a moment only its lock is listed.
    import threading

    from pmo_logic.validate import find_workbooks

    (tmp_path / "b.xlsx").write_bytes(b"PK")
    (tmp_path / "~$a.xlsx").write_bytes(b"lock")
    back = threading.Timer(0.1, (tmp_path / "a.xlsx").write_bytes, args=(b"PK",))
    back.start()
    try:
        found = find_workbooks([tmp_path]).files
    finally:
        back.join()
    assert [p.name for p in found] == ["a.xlsx", "b.xlsx"]


def test_a_lock_left_behind_adds_no_workbook(tmp_path: Path) -> None:
    from pmo_logic.validate import find_workbooks

    (tmp_path / "~$gone.xlsx").write_bytes(b"lock")
    (tmp_path / "~$kept.xlsx").write_bytes(b"lock")
    (tmp_path / "kept.xlsx").write_bytes(b"PK")
    assert [p.name for p in find_workbooks([tmp_path]).files] == ["kept.xlsx"]
