"""pmo validate and pmo rules, as a scheduled job or a PMO analyst runs them."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import openpyxl
from typer.testing import CliRunner

from pmo_logic.cli import app
from pmo_logic.rule_docs import rules_markdown
from pmo_logic.rules import CATALOGUE
from pmo_logic.rules.example_project import clean_project
from pmo_logic.templates import write_project_workbook

runner = CliRunner()
ROOT = Path(__file__).resolve().parent.parent
WIDE = {"COLUMNS": "250"}


def test_validate_demo_lists_every_planted_defect_with_its_cell(demo_portfolio, tmp_path: Path):
    report = tmp_path / "report.xlsx"
    result = runner.invoke(app, ["validate", str(demo_portfolio.folder), "-o", str(report)], env=WIDE)
    assert result.exit_code == 1, result.output  # errors were found
    out = result.output
    assert "PLAN021" in out and "Dependency loop" in out
    assert "PLAN010" in out and "Planning!F" in out
    assert "RAID001" in out and "Risks!E2" in out
    assert "READ005" in out
    assert "13 workbooks" in out  # the portfolio workbook gave its Settings and was not counted
    book = openpyxl.load_workbook(report)
    assert book.sheetnames == ["Findings", "Summary", "DCMA", "Rules"]
    findings = book["Findings"]
    rows = list(findings.iter_rows(min_row=5, values_only=True))
    loop = next(r for r in rows if r[1] == "PLAN021")
    link = next(c for c in findings["E"] if c.value == loop[4]).hyperlink
    # A relative link, Windows style, to the cell in the source workbook.
    assert link.target.endswith("projects\\DW-003%20Identity%20and%20access.xlsx")
    assert link.target.startswith("..")
    assert link.location == "'Plan'!" + loop[4].split("!")[1]
    assert len(list(book["DCMA"].iter_rows(min_row=5))) == 14 * 12  # twelve readable projects


def test_json_and_fail_on(tmp_path: Path):
    path = write_project_workbook(tmp_path / "clean.xlsx", clean_project())
    args = ["validate", str(path), "--status-date", "2026-02-27", "--json"]
    clean = runner.invoke(app, args)
    assert clean.exit_code == 0, clean.output
    data = json.loads(clean.output)
    assert data["findings"] == [] and len(data["dcma"]) == 14
    workbook = clean_project()
    workbook.actions[0].due_date = workbook.project.status_date.replace(day=2)  # overdue: a warning
    path = write_project_workbook(tmp_path / "late.xlsx", workbook)
    base = ["validate", str(path), "--status-date", "2026-02-27"]
    assert runner.invoke(app, base).exit_code == 0
    assert runner.invoke(app, [*base, "--fail-on", "warning"]).exit_code == 1
    assert runner.invoke(app, [*base, "--fail-on", "never"]).exit_code == 0


def test_validate_says_which_public_holidays_it_counts(tmp_path: Path):
    path = write_project_workbook(tmp_path / "clean.xlsx", clean_project())
    alone = runner.invoke(app, ["validate", str(path), "--status-date", "2026-02-27"], env=WIDE)
    assert "Public holidays: only those each workbook lists" in alone.output
    country = runner.invoke(app, ["validate", str(path), "--status-date", "2026-02-27", "--country", "FR"], env=WIDE)
    assert country.exit_code == 0 and "Public holidays" not in country.output


def test_config_file_switches_rules_off(tmp_path: Path):
    workbook = clean_project()
    workbook.actions[0].due_date = workbook.project.status_date.replace(day=2)
    path = write_project_workbook(tmp_path / "late.xlsx", workbook)
    config = tmp_path / "rules.toml"
    config.write_text('disabled = ["RAID005"]\n', encoding="utf-8")
    args = ["validate", str(path), "--status-date", "2026-02-27", "--fail-on", "warning", "--json"]
    assert runner.invoke(app, [*args, "--config", str(config)]).exit_code == 0
    config.write_text("stale_after_days = 'soon'\n", encoding="utf-8")
    bad = runner.invoke(app, [*args, "--config", str(config)], env=WIDE)
    assert bad.exit_code == 2 and "stale_after_days" in bad.output
    bad_country = runner.invoke(app, ["validate", str(path), "--country", "XX"], env=WIDE)
    assert bad_country.exit_code == 2 and "unknown calendar country" in bad_country.output


def test_report_never_overwrites_a_source(tmp_path: Path):
    path = write_project_workbook(tmp_path / "p.xlsx", clean_project())
    before = path.read_bytes()
    result = runner.invoke(app, ["validate", str(path), "-o", str(path)], env=WIDE)
    assert result.exit_code == 2
    assert path.read_bytes() == before


def test_rules_command_and_the_docs_page_is_current():
    listed = runner.invoke(app, ["rules", "--json"])
    assert listed.exit_code == 0
    assert [r["code"] for r in json.loads(listed.output)] == list(CATALOGUE)
    page = (ROOT / "docs" / "rules.md").read_text(encoding="utf-8")
    assert page == rules_markdown(), "run: pmo rules --markdown > docs/rules.md"
    for code in CATALOGUE:
        assert f"### {code}" in page


def test_consolidate_command_on_the_demo(demo_portfolio, tmp_path: Path):
    folder = tmp_path / "demo"
    shutil.copytree(demo_portfolio.folder, folder)
    before = {p.name: p.read_bytes() for p in (folder / "projects").iterdir()}
    first = runner.invoke(app, ["consolidate", str(folder / "projects"), "--csv", str(tmp_path / "csv")], env=WIDE)
    assert first.exit_code == 1, first.output  # done, but two projects are missing from it
    assert "12 projects consolidated from 13 files" in first.output
    assert "CONS001" in first.output and "READ005" in first.output  # CP-006 missing, CP-005 corrupt
    assert "Interface at risk" in first.output
    assert (folder / "rollup.xlsx").exists() and (tmp_path / "csv" / "projects.csv").exists()
    assert len(list((folder / "snapshots").iterdir())) == 1
    second = runner.invoke(app, ["consolidate", "--portfolio", str(folder / "portfolio.xlsx")], env=WIDE)
    assert second.exit_code == 1, second.output
    assert "(0 read, 13 from the cache)" in second.output
    # A re-run for the same committee is compared with the committee before, not with itself.
    assert "No snapshot of an earlier committee" in second.output and "Changes since" not in second.output
    third = runner.invoke(app, ["consolidate", "-p", str(folder / "portfolio.xlsx"), "--status-date", "2026-11-27"])
    assert third.exit_code == 1, third.output
    assert "Changes since 2026-11-20_2:" in third.output  # the later of the two runs of that committee
    explicit = runner.invoke(
        app, ["consolidate", "-p", str(folder / "portfolio.xlsx"), "--since", str(folder / "snapshots" / "2026-11-20")]
    )
    assert "Changes since 2026-11-20: 0 (none)" in explicit.output, explicit.output
    assert {p.name: p.read_bytes() for p in (folder / "projects").iterdir()} == before
    pf = str(folder / "portfolio.xlsx")
    refused = runner.invoke(app, ["consolidate", "-p", pf, "-o", pf])
    assert refused.exit_code == 2
    # A project workbook of the folder is never written over, wherever the command runs from.
    target = folder / "projects" / "CP-001 Customer portal.xlsx"
    over = runner.invoke(app, ["consolidate", str(folder / "projects"), "-o", str(target)])
    assert over.exit_code == 2 and "is an input of this run" in over.output
    assert target.read_bytes() == before[target.name]
    # A roll-up written into the project folder is not an input: the next run may replace it.
    inside = folder / "projects" / "rollup.xlsx"
    for _ in range(2):
        again = runner.invoke(app, ["consolidate", str(folder / "projects"), "-o", str(inside), "--no-snapshot"])
        assert again.exit_code == 1, again.output
        assert "12 projects consolidated from 13 files" in again.output


def test_outputs_replace_only_what_pmo_xl_wrote_there_before(demo_portfolio, tmp_path: Path):
    # `-o` may name any file: an existing workbook that is not an earlier roll-up or committee
    # pack is somebody's work, and is replaced only when asked (--force).
    from pmo_logic.reader import workbook_kind

    folder = tmp_path / "demo"
    shutil.copytree(demo_portfolio.folder, folder)
    pf = str(folder / "portfolio.xlsx")
    theirs = tmp_path / "my tracker.xlsx"
    book = openpyxl.Workbook()
    book.active["A1"] = "my own numbers"
    book.save(theirs)
    mine = theirs.read_bytes()
    for command, kind in (("consolidate", "rollup"), ("report", "committee_pack")):
        refused = runner.invoke(app, [command, "-p", pf, "-o", str(theirs)], env=WIDE)
        assert refused.exit_code == 2, refused.output
        assert "already exists and is not a" in refused.output and "--force" in refused.output
        assert theirs.read_bytes() == mine
        output = tmp_path / f"{command}.xlsx"
        for _ in range(2):  # the second run replaces the first run's output without asking
            done = runner.invoke(app, [command, "-p", pf, "-o", str(output)], env=WIDE)
            assert done.exit_code == 1, done.output  # done; CP-005 and CP-006 are not in it
            assert workbook_kind(output) == kind
        # A roll-up is not a committee pack, nor the other way round.
        other = tmp_path / ("report.xlsx" if command == "consolidate" else "consolidate.xlsx")
        if other.exists():
            crossed = runner.invoke(app, [command, "-p", pf, "-o", str(other)], env=WIDE)
            assert crossed.exit_code == 2, crossed.output
    forced = runner.invoke(app, ["report", "-p", pf, "-o", str(theirs), "--force"], env=WIDE)
    assert forced.exit_code == 1, forced.output
    assert workbook_kind(theirs) == "committee_pack"
