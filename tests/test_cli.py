"""The pmo command line, as a scheduled job or a user without Excel runs it."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import date
from pathlib import Path

from typer.testing import CliRunner

from pmo_logic import __version__
from pmo_logic.cli import app
from pmo_logic.reader import read_portfolio_workbook, read_project_workbook
from pmo_logic.validate import validate_workbook
from pmo_logic.validation_settings import ValidationSettings

runner = CliRunner()


def test_version():
    result = runner.invoke(app, ["--version"])
    assert result.exit_code == 0
    assert result.output.strip() == f"pmo-xl {__version__}"


def test_every_command_has_help():
    for args in (["--help"], ["new", "--help"], ["new", "project", "--help"], ["new", "portfolio", "--help"],
                 ["templates", "build", "--help"], ["demo", "--help"], ["read", "--help"]):  # fmt: skip
        result = runner.invoke(app, args)
        assert result.exit_code == 0, args
        assert "Usage" in result.output


def test_new_project_in_french(tmp_path: Path):
    out = tmp_path / "Portail client.xlsx"
    result = runner.invoke(app, ["new", "project", "Portail client", "--lang", "fr", "--id", "CP-007", "-o", str(out)])
    assert result.exit_code == 0, result.output
    wb = read_project_workbook(out)
    assert wb.problems == []
    assert (wb.project.name, wb.project.project_id, wb.meta.language) == ("Portail client", "CP-007", "fr")


def test_new_project_lists_the_public_holidays_of_its_country(tmp_path: Path):
    out = tmp_path / "p.xlsx"
    result = runner.invoke(app, ["new", "project", "Usine", "--lang", "fr", "--country", "FR", "-o", str(out)])
    assert result.exit_code == 0, result.output
    wb = read_project_workbook(out)
    days = [r.day for r in wb.lists]
    year = date.today().year
    assert {date(y, 7, 14) for y in range(year, year + 5)} <= set(days)  # Bastille Day, from the holidays package
    assert date(2026, 5, 15) in days and days == sorted(days)  # the example's own day off is kept
    settings = ValidationSettings(as_of=wb.project.status_date, calendar_country="FR")
    assert "PLAN014" not in {f.code for f in validate_workbook(wb, settings).findings}
    # Without the holidays the same workbook is told what is missing.
    runner.invoke(app, ["new", "project", "Usine", "--lang", "fr", "-o", str(tmp_path / "bare.xlsx")])
    bare = read_project_workbook(tmp_path / "bare.xlsx")
    bare.plan[0].finish = date(year, 12, 31)  # a plan spanning this year's holidays
    (missing,) = [f for f in validate_workbook(bare, settings).findings if f.code == "PLAN014"]
    assert missing.address == "Listes!U3"  # below the example's own day off, in row 2
    bad = runner.invoke(app, ["new", "project", "X", "--country", "XX", "-o", str(tmp_path / "x.xlsx")])
    assert bad.exit_code == 2 and not (tmp_path / "x.xlsx").exists()


def test_new_project_never_overwrites_without_force(tmp_path: Path):
    out = tmp_path / "p.xlsx"
    out.write_bytes(b"a user's work")
    result = runner.invoke(app, ["new", "project", "X", "-o", str(out)], env={"COLUMNS": "300"})
    assert result.exit_code == 2  # a usage error: nothing written
    assert "already exists" in result.output
    assert out.read_bytes() == b"a user's work"
    assert runner.invoke(app, ["new", "project", "X", "-o", str(out), "--force"]).exit_code == 0
    assert read_project_workbook(out).project.name == "X"


def test_bad_language_is_a_usage_error(tmp_path: Path):
    result = runner.invoke(app, ["new", "project", "X", "--lang", "de", "-o", str(tmp_path / "x.xlsx")])
    assert result.exit_code == 2
    assert not (tmp_path / "x.xlsx").exists()


def test_new_portfolio(tmp_path: Path):
    out = tmp_path / "pf.xlsx"
    assert runner.invoke(app, ["new", "portfolio", "PMO 2027", "-o", str(out)]).exit_code == 0
    assert read_portfolio_workbook(out).settings.portfolio_name == "PMO 2027"


def test_templates_build_and_check(tmp_path: Path, templates_dir: Path):
    assert runner.invoke(app, ["templates", "build", "--check", "--out", str(templates_dir)]).exit_code == 0
    stale = runner.invoke(app, ["templates", "build", "--check", "--out", str(tmp_path)])
    assert stale.exit_code == 1 and "Out of date" in stale.output
    assert runner.invoke(app, ["templates", "build", "--out", str(tmp_path)]).exit_code == 0
    names = [
        f"{kind}_{lang}.{ext}" for kind in ("project", "portfolio") for lang in ("en", "fr") for ext in ("xlsx", "xlsm")
    ]
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(names)


def test_demo_on_a_fresh_folder(tmp_path: Path):
    out = tmp_path / "fresh" / "demo"
    result = runner.invoke(app, ["demo", str(out)], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    files = sorted(p.name for p in (out / "projects").iterdir() if not p.name.startswith("."))
    assert len(files) == 13
    assert (out / "portfolio.xlsx").exists()
    assert "5 defects planted on purpose" in result.output
    for code in ("PLAN021", "PLAN010", "RAID001", "READ007", "READ005"):
        assert code in result.output
    assert "not found" not in result.output
    portfolio = read_portfolio_workbook(out / "portfolio.xlsx")
    assert len(portfolio.projects) == 14  # 13 workbooks and one registered project without one


def test_demo_status_date_option(tmp_path: Path):
    bad = runner.invoke(app, ["demo", str(tmp_path / "d"), "--status-date", "20/11/2026"])
    assert bad.exit_code == 2


def test_read_reports_problems_and_exit_code(tmp_path: Path, templates_dir: Path):
    ok = runner.invoke(app, ["read", str(templates_dir / "project_en.xlsx"), "--json"])
    assert ok.exit_code == 0
    assert json.loads(ok.output)["project"]["name"] == "New project"
    broken = tmp_path / "broken.xlsx"
    broken.write_bytes(b"not a workbook")
    result = runner.invoke(app, ["read", str(broken)], env={"COLUMNS": "200"})
    assert result.exit_code == 1
    assert "not an Excel workbook" in result.output
    portfolio = runner.invoke(app, ["read", str(templates_dir / "portfolio_fr.xlsx")])
    assert portfolio.exit_code == 0 and "portfolio" in portfolio.output


def test_module_entry_point_runs():
    done = subprocess.run([sys.executable, "-m", "pmo_logic", "--version"], capture_output=True, text=True, check=False)
    assert done.returncode == 0
    assert done.stdout.strip() == f"pmo-xl {__version__}"


def test_the_portfolio_workbook_is_found_among_project_workbooks(tmp_path: Path):
    import openpyxl

    from pmo_logic.cli import find_portfolio_workbook
    from pmo_logic.reader import document_kind, workbook_kind

    for n in range(3):
        assert runner.invoke(app, ["new", "project", f"P{n}", "-o", str(tmp_path / f"a{n}.xlsx")]).exit_code == 0
    plain = openpyxl.Workbook()
    plain.active["A1"] = "not ours"
    plain.save(tmp_path / "b notes.xlsx")
    assert find_portfolio_workbook(tmp_path) is None
    assert runner.invoke(app, ["new", "portfolio", "PMO", "-o", str(tmp_path / "c portfolio.xlsx")]).exit_code == 0
    assert find_portfolio_workbook(tmp_path) == tmp_path / "c portfolio.xlsx"
    # The quick look (a document property) agrees with the sheet it stands for.
    for path in sorted(tmp_path.glob("*.xlsx")):
        assert document_kind(path) in (None, workbook_kind(path)), path.name
    assert [document_kind(p) for p in sorted(tmp_path.glob("*.xlsx"))] == ["project"] * 3 + [None, "portfolio"]


# --- exit codes: 0 done, 1 done but the data has errors, 2 bad usage or environment --------------


def _exit_code_cases(tmp: Path, templates: Path, demo: Path) -> list[tuple[str, list[str], int]]:
    """(case, arguments, expected exit code) for every command: ok, data errors, bad usage."""
    from pmo_logic.rules.example_project import clean_project
    from pmo_logic.templates import write_project_workbook

    clean = tmp / "clean"
    clean.mkdir()
    write_project_workbook(clean / "a.xlsx", clean_project())
    faulty = clean_project()
    faulty.plan[5].predecessors = "99"  # an unknown predecessor: an error finding
    bad_plan = write_project_workbook(tmp / "faulty.xlsx", faulty)
    broken = tmp / "broken.xlsx"
    broken.write_bytes(b"not a workbook")
    a_file = tmp / "a file"
    a_file.write_text("x", encoding="utf-8")
    pf = str(demo / "portfolio.xlsx")
    when = "2026-02-27"
    return [
        ("new project ok", ["new", "project", "X", "-o", str(tmp / "new.xlsx")], 0),
        ("new project bad language", ["new", "project", "X", "--lang", "de", "-o", str(tmp / "de.xlsx")], 2),
        ("new project over a file", ["new", "project", "X", "-o", str(broken)], 2),
        ("new portfolio ok", ["new", "portfolio", "X", "-o", str(tmp / "pf.xlsx")], 0),
        ("new portfolio over a file", ["new", "portfolio", "X", "-o", str(broken)], 2),
        ("read ok", ["read", str(templates / "project_en.xlsx")], 0),
        ("read a damaged workbook", ["read", str(broken)], 1),
        ("read a folder", ["read", str(tmp)], 2),
        ("read a missing file", ["read", str(tmp / "missing.xlsx")], 2),
        ("templates build ok", ["templates", "build", "--out", str(tmp / "templates")], 0),
        ("templates check stale", ["templates", "build", "--check", "--out", str(tmp / "none")], 1),
        ("templates build into a file", ["templates", "build", "--out", str(a_file)], 2),
        ("validate ok", ["validate", str(clean), "--status-date", when], 0),
        ("validate data errors", ["validate", str(bad_plan), "--status-date", when], 1),
        ("validate no workbook", ["validate", str(tmp / "templates" / "none")], 2),
        ("validate empty folder", ["validate", str(tmp / "empty")], 2),
        ("validate bad date", ["validate", str(clean), "--status-date", "27/02/2026"], 2),
        ("rules ok", ["rules"], 0),
        ("rules bad option", ["rules", "--nope"], 2),
        ("consolidate ok", ["consolidate", str(clean), "--status-date", when], 0),
        ("consolidate data errors", ["consolidate", "-p", pf], 1),
        ("consolidate bad date", ["consolidate", "-p", pf, "--status-date", "soon"], 2),
        ("consolidate not a folder", ["consolidate", str(a_file)], 2),
        ("report ok", ["report", str(clean), "-o", str(tmp / "pack.xlsx"), "--status-date", when], 0),
        ("report data errors", ["report", "-p", pf, "-o", str(tmp / "demo pack.xlsx")], 1),
        ("report over a file", ["report", "-p", pf, "-o", str(broken)], 2),
        ("demo ok", ["demo", str(tmp / "demo")], 0),
        ("demo bad date", ["demo", str(tmp / "demo2"), "--status-date", "x"], 2),
        ("demo into a user's folder", ["demo", str(clean)], 2),
        ("addin install ok", ["addin", "install", "--conf", str(tmp / "xlwings.conf")], 0),
        ("addin install into a folder", ["addin", "install", "--conf", str(tmp)], 2),
    ]


def test_exit_codes_of_every_command(tmp_path: Path, templates_dir: Path, demo_portfolio):
    import shutil

    demo = tmp_path / "demo-copy"
    shutil.copytree(demo_portfolio.folder, demo)
    (tmp_path / "empty").mkdir()
    commands = set()
    for case, args, expected in _exit_code_cases(tmp_path, templates_dir, demo):
        result = runner.invoke(app, args, env={"COLUMNS": "300"})
        assert result.exit_code == expected, (case, result.output)
        # What escaped the command would be here: only exits are allowed out.
        assert result.exception is None or isinstance(result.exception, SystemExit), (case, result.exception)
        assert "Traceback" not in result.output, case
        commands.add(" ".join(a for a in args[:2] if not a.startswith(("-", "/"))))
    assert {c.split()[0] for c in commands} == {
        "new", "read", "templates", "validate", "rules", "consolidate", "report", "demo", "addin"
    }  # fmt: skip
