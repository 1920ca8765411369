"""Every file pmo-xl writes: what it may replace, and what happens when writing fails.

The faults are real where they can be: a process killed with SIGKILL in the middle of a
write, a full tmpfs, a folder a non-root user may not write (``setpriv``, as CI runs as root
and root ignores permissions); the Windows lock of a file open in Excel is simulated as
Windows reports it (``os.replace`` raising PermissionError).
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

import openpyxl
import pytest
from typer.testing import CliRunner

from pmo_logic import files
from pmo_logic.cli import app, export_names
from pmo_logic.outputs import MANIFEST, is_unfilled_template, recorded
from pmo_logic.reader import workbook_kind
from pmo_logic.rules.example_project import clean_project
from pmo_logic.templates import write_project_workbook

runner = CliRunner()
WIDE = {"COLUMNS": "300"}
ROOT = Path(__file__).resolve().parent.parent


def run(*args: str):
    result = runner.invoke(app, list(args), env=WIDE)
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    assert "Traceback" not in result.output
    return result


def pmo(*args: str, user: list[str] | None = None, env: dict | None = None, **kwargs) -> subprocess.CompletedProcess:
    """``pmo`` in its own process, as a user runs it (optionally as another user)."""
    command = [*(user or []), sys.executable, "-m", "pmo_logic", *args]
    environ = {**os.environ, "COLUMNS": "300", **(env or {})}
    return subprocess.run(command, capture_output=True, text=True, env=environ, check=False, **kwargs)


def user_workbook(path: Path, text: str = "my own numbers") -> bytes:
    book = openpyxl.Workbook()
    book.active["A1"] = text
    book.save(path)
    return path.read_bytes()


def leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.startswith(files.TEMP_PREFIX))


@pytest.fixture
def demo(demo_portfolio, tmp_path: Path) -> Path:
    folder = tmp_path / "demo"
    shutil.copytree(demo_portfolio.folder, folder)
    return folder


# --- what may be replaced ---------------------------------------------------------------------


def test_an_input_is_never_an_output_even_with_force(demo: Path, tmp_path: Path):
    config = tmp_path / "rules.toml"
    config.write_text('disabled = ["PLAN012"]\n', encoding="utf-8")
    project = demo / "projects" / "CP-001 Customer portal.xlsx"
    inputs = {p: p.read_bytes() for p in (demo / "portfolio.xlsx", project, config)}
    for target in inputs:
        result = run("validate", str(demo), "--config", str(config), "-o", str(target), "--force")
        assert result.exit_code == 2, result.output
        assert f"{target} is an input of this run" in result.output.replace("\n", "")
    for command in ("consolidate", "report"):
        for target in (demo / "portfolio.xlsx", project):
            result = run(command, "-p", str(demo / "portfolio.xlsx"), "-o", str(target), "--force")
            assert result.exit_code == 2 and "is an input of this run" in result.output, result.output
    assert {p: p.read_bytes() for p in inputs} == inputs
    assert not (demo / "snapshots").exists()  # refused before any work


def test_validation_report_replaces_only_an_earlier_report(demo: Path, tmp_path: Path):
    report = demo / "validation.xlsx"  # in the folder validated: an output, not an input
    for _ in range(2):
        result = run("validate", str(demo), "-o", str(report))
        assert result.exit_code == 1, result.output
        assert workbook_kind(report) == "validation_report"
    theirs = tmp_path / "notes.xlsx"
    mine = user_workbook(theirs)
    refused = run("validate", str(demo), "-o", str(theirs))
    assert refused.exit_code == 2 and "not a validation report written by pmo-xl" in refused.output
    assert "--force" in refused.output and theirs.read_bytes() == mine
    rollup = tmp_path / "rollup.xlsx"
    assert run("consolidate", "-p", str(demo / "portfolio.xlsx"), "-o", str(rollup)).exit_code == 1
    crossed = run("validate", str(demo), "-o", str(rollup))  # a roll-up is not a validation report
    assert crossed.exit_code == 2 and workbook_kind(rollup) == "rollup"
    assert run("validate", str(demo), "-o", str(theirs), "--force").exit_code == 1
    assert workbook_kind(theirs) == "validation_report"


def test_csv_export_replaces_only_the_files_it_wrote(demo: Path, tmp_path: Path):
    out = tmp_path / "csv"
    pf = str(demo / "portfolio.xlsx")
    first = run("consolidate", "-p", pf, "--csv", str(out))
    assert first.exit_code == 1, first.output
    # The names checked before the work are the files written (one per table of the roll-up).
    assert sorted(p.name for p in out.iterdir()) == sorted([*export_names("csv"), MANIFEST])
    assert all(recorded(out / name, "csv") for name in export_names("csv"))
    assert run("consolidate", "-p", pf, "--csv", str(out)).exit_code == 1  # its own files: replaced
    # Saved over from Excel: the analyst's now.
    edited = out / "risks.csv"
    edited.write_text("my,own,edit\n", encoding="utf-8")
    (demo / "rollup.xlsx").unlink()
    refused = run("consolidate", "-p", pf, "--csv", str(out))
    assert refused.exit_code == 2 and f"{edited} already exists" in refused.output.replace("\n", "")
    assert edited.read_text(encoding="utf-8") == "my,own,edit\n"
    assert not (demo / "rollup.xlsx").exists()  # checked before any work: nothing written
    # A file of the same name that pmo-xl never wrote, in a folder of the analyst's.
    theirs = tmp_path / "mine"
    theirs.mkdir()
    (theirs / "projects.csv").write_text("budget 2027\n", encoding="utf-8")
    assert run("consolidate", "-p", pf, "--csv", str(theirs)).exit_code == 2
    assert (theirs / "projects.csv").read_text(encoding="utf-8") == "budget 2027\n"
    assert run("consolidate", "-p", pf, "--csv", str(out), "--force").exit_code == 1
    assert recorded(edited, "csv")
    # --csv naming a file is a usage error.
    a_file = tmp_path / "export.csv"
    a_file.write_text("x\n", encoding="utf-8")
    wrong = run("consolidate", "-p", pf, "--csv", str(a_file))
    assert wrong.exit_code == 2 and "that is a file" in wrong.output and a_file.read_text() == "x\n"


def test_a_damaged_or_forged_manifest_grants_nothing(tmp_path: Path):
    target = tmp_path / "projects.csv"
    target.write_text("theirs\n", encoding="utf-8")
    for content in ("{not json", '{"format": 1, "files": {"projects.csv": {"kind": "csv", "sha256": "00"}}}', "[]"):
        (tmp_path / MANIFEST).write_text(content, encoding="utf-8")
        assert not recorded(target, "csv")


def test_parquet_without_pyarrow_is_refused_before_any_work(demo: Path, tmp_path: Path, monkeypatch):
    monkeypatch.setitem(sys.modules, "pyarrow", None)  # import pyarrow raises ImportError
    result = run("consolidate", "-p", str(demo / "portfolio.xlsx"), "--parquet", str(tmp_path / "pq"))
    assert result.exit_code == 2 and "--parquet needs pyarrow" in result.output
    assert not (tmp_path / "pq").exists() and not (demo / "rollup.xlsx").exists()
    assert not (demo / "snapshots").exists()


def test_demo_writes_only_into_a_new_empty_or_demo_folder(tmp_path: Path):
    theirs = tmp_path / "mine"
    theirs.mkdir()
    mine = user_workbook(theirs / "portfolio.xlsx", "our real portfolio")
    refused = run("demo", str(theirs))
    assert refused.exit_code == 2 and "pmo demo did not write it" in refused.output
    assert (theirs / "portfolio.xlsx").read_bytes() == mine and sorted(os.listdir(theirs)) == ["portfolio.xlsx"]
    empty = tmp_path / "empty"
    empty.mkdir()
    assert run("demo", str(empty)).exit_code == 0
    assert run("demo", str(empty), "--status-date", "2026-11-27").exit_code == 0  # its own folder, again
    # A demo workbook somebody changed is theirs now.
    changed = empty / "projects" / "CP-001 Customer portal.xlsx"
    changed.write_bytes(changed.read_bytes() + b" ")
    before = changed.read_bytes()
    again = run("demo", str(empty))
    assert again.exit_code == 2 and "was changed since pmo demo wrote it" in again.output.replace("\n", "")
    assert changed.read_bytes() == before
    a_file = tmp_path / "file"
    a_file.write_text("x", encoding="utf-8")
    assert run("demo", str(a_file)).exit_code == 2


def test_new_and_templates_replace_no_filled_in_workbook(tmp_path: Path, templates_dir: Path):
    filled = clean_project()
    write_project_workbook(tmp_path / "project_en.xlsx", filled)
    before = (tmp_path / "project_en.xlsx").read_bytes()
    assert not is_unfilled_template(tmp_path / "project_en.xlsx")
    refused = run("templates", "build", "--out", str(tmp_path))
    assert refused.exit_code == 2 and "not an unchanged pmo-xl template" in refused.output
    assert (tmp_path / "project_en.xlsx").read_bytes() == before
    assert sorted(os.listdir(tmp_path)) == ["project_en.xlsx"]  # nothing written
    # An unfilled template (an earlier build) is replaced.
    (tmp_path / "project_en.xlsx").unlink()
    shutil.copy(templates_dir / "project_fr.xlsx", tmp_path / "project_en.xlsx")
    assert is_unfilled_template(tmp_path / "project_en.xlsx")
    assert run("templates", "build", "--out", str(tmp_path)).exit_code == 0
    assert (tmp_path / "project_en.xlsx").read_bytes() == (templates_dir / "project_en.xlsx").read_bytes()
    assert run("templates", "build", "--out", str(tmp_path / "project_en.xlsx")).exit_code == 2
    out = tmp_path / "p.xlsx"
    write_project_workbook(out, filled)
    for command in (["new", "project", "X"], ["new", "portfolio", "X"]):
        result = run(*command, "-o", str(out))
        assert result.exit_code == 2 and "already exists" in result.output and "--force" in result.output


@pytest.mark.libreoffice
def test_pdf_beside_the_pack_replaces_only_the_pdf_it_wrote(demo: Path, tmp_path: Path):
    pack, pdf = tmp_path / "pack.xlsx", tmp_path / "pack.pdf"
    pf = str(demo / "portfolio.xlsx")
    first = run("report", "-p", pf, "-o", str(pack), "--pdf")
    assert first.exit_code == 1, first.output  # done; two projects are not in it
    assert pdf.read_bytes().startswith(b"%PDF") and recorded(pdf, "pdf")
    assert leftovers(tmp_path) == []
    # Annotated by someone after pmo-xl wrote it: not replaced, and the pack neither.
    pdf.write_bytes(pdf.read_bytes() + b"% my notes\n")
    pack_before, pdf_before = pack.read_bytes(), pdf.read_bytes()
    refused = run("report", "-p", pf, "-o", str(pack), "--pdf")
    assert refused.exit_code == 2 and f"{pdf} already exists" in refused.output.replace("\n", "")
    assert (pack.read_bytes(), pdf.read_bytes()) == (pack_before, pdf_before)


def test_pdf_without_libreoffice_is_refused_before_any_work(demo: Path, tmp_path: Path, monkeypatch):
    monkeypatch.setattr("pmo_logic.libreoffice.soffice_path", lambda: None)
    result = run("report", "-p", str(demo / "portfolio.xlsx"), "-o", str(tmp_path / "pack.xlsx"), "--pdf")
    assert result.exit_code == 2 and "--pdf needs LibreOffice" in result.output
    assert not (tmp_path / "pack.xlsx").exists()


# --- honest results ---------------------------------------------------------------------------


def test_a_folder_without_a_readable_project_writes_nothing(tmp_path: Path):
    folder = tmp_path / "projects"
    folder.mkdir()
    empty = run("consolidate", str(folder))
    assert empty.exit_code == 1 and f"No project workbook could be read in {folder}" in empty.output
    (folder / "broken.xlsx").write_bytes(b"half a file")
    broken = run("consolidate", str(folder))
    assert broken.exit_code == 1 and "READ005" in broken.output  # the reason is shown
    pack = run("report", str(folder), "-o", str(tmp_path / "pack.xlsx"))
    assert pack.exit_code == 1
    written = {p.name for p in folder.iterdir()} - {"broken.xlsx", ".pmo-cache"}
    assert written == set()  # no roll-up, no snapshots/undated
    assert not (tmp_path / "pack.xlsx").exists()
    nothing = run("validate", str(tmp_path / "projects"), "-o", str(tmp_path / "v.xlsx"))
    assert nothing.exit_code == 1  # a workbook that cannot be read is a finding of its own
    (folder / "broken.xlsx").unlink()
    none = run("validate", str(folder))
    assert none.exit_code == 2 and "No project workbook in" in none.output


def test_options_are_checked_before_any_work(demo: Path, tmp_path: Path):
    pf = str(demo / "portfolio.xlsx")
    bad_date = run("consolidate", "-p", pf, "--status-date", "20/11/2026")
    assert bad_date.exit_code == 2 and "--status-date must be a date written YYYY-MM-DD" in bad_date.output
    not_snapshot = tmp_path / "2026-11-20"
    not_snapshot.mkdir()
    (not_snapshot / "manifest.json").write_text("{half", encoding="utf-8")
    for command in ("consolidate", "report"):
        since = run(command, "-p", pf, "--since", str(not_snapshot), "-o", str(tmp_path / f"{command}.xlsx"))
        assert since.exit_code == 2 and "is not a snapshot folder" in since.output, since.output
    missing = run("validate", str(demo), "--config", str(tmp_path / "nope.toml"))
    assert missing.exit_code == 2 and "no such file" in missing.output
    bad = tmp_path / "bad.toml"
    bad.write_text("disabled = [", encoding="utf-8")
    toml = run("validate", str(demo), "--config", str(bad))
    assert toml.exit_code == 2 and "not valid TOML" in toml.output
    assert not (demo / "rollup.xlsx").exists() and not (demo / "snapshots").exists()
    assert not list(tmp_path.glob("*.xlsx"))


def test_an_unexpected_error_is_one_sentence_and_exit_2(demo: Path, monkeypatch):
    def broken(*args, **kwargs):
        raise ZeroDivisionError("division by zero")

    monkeypatch.setattr("pmo_logic.consolidate.consolidate", broken)
    result = run("consolidate", "-p", str(demo / "portfolio.xlsx"))
    assert result.exit_code == 2
    assert "pmo-xl could not finish: ZeroDivisionError: division by zero; please report this" in result.output


def test_no_traceback_reaches_a_real_terminal(tmp_path: Path):
    # In a process of its own (CliRunner would catch what escapes): a bug, then a usage error.
    # The command imports the reader when it runs (a fast start): the bug goes into the reader.
    code = "import sys; from pmo_logic import cli, reader; reader.read_project_workbook = lambda p: 1 / 0; cli.app()"
    workbook = write_project_workbook(tmp_path / "p.xlsx", clean_project())
    done = subprocess.run([sys.executable, "-c", code, "read", str(workbook)], capture_output=True, text=True)
    assert done.returncode == 2 and "Traceback" not in done.stderr + done.stdout
    assert "pmo-xl could not finish: ZeroDivisionError" in done.stderr
    usage = pmo("read", str(tmp_path))
    assert usage.returncode == 2 and "is a folder" in usage.stderr and "Traceback" not in usage.stderr


# --- atomic writes and the leftovers of a crashed run -----------------------------------------


def test_temporary_files_have_pmo_xl_naming_and_only_old_ones_are_removed(tmp_path: Path):
    target = tmp_path / "rollup.xlsx"
    seen = []
    with files.atomic_output(target) as tmp:
        seen.append(tmp.name)
        tmp.write_bytes(b"new")
    assert files.is_temporary(seen[0]) and seen[0].startswith(".~pmo-rollup.xlsx-") and seen[0].endswith(".tmp")
    old = time.time() - 2 * files.LEFTOVER_AGE
    stale, fresh = tmp_path / ".~pmo-rollup.xlsx-abcd1234.tmp", tmp_path / ".~pmo-pack.xlsx-k2j4_x9q.tmp"
    others = [tmp_path / n for n in (".~pmo-notes.tmp", "~$rollup.xlsx", ".~lock.rollup.xlsx#", "x-abcd1234.tmp")]
    for path in (stale, fresh, *others):
        path.write_bytes(b"x")
        os.utime(path, (old, old))
    os.utime(fresh, None)
    folder = tmp_path / ".~pmo-folder-abcd1234.tmp"
    folder.mkdir()
    os.utime(folder, (old, old))
    assert files.remove_leftovers(tmp_path) == [stale]
    assert fresh.exists() and folder.exists() and all(p.exists() for p in others)


@pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL is POSIX; Windows' TerminateProcess is alike")
def test_a_run_killed_mid_write_leaves_the_last_output_and_the_next_run_cleans_up(demo: Path, tmp_path: Path):
    out = tmp_path / "out"
    rollup = out / "rollup.xlsx"
    pf = str(demo / "portfolio.xlsx")
    assert pmo("consolidate", "-p", pf, "-o", str(rollup), "--no-snapshot").returncode == 1
    before = rollup.read_bytes()
    # A child whose roll-up write stalls after its first sheet, killed there with SIGKILL.
    child = textwrap.dedent(
        f"""
        import sys, time
        from pmo_logic import xlsx_tables
        from pmo_logic.cli import app
        original = xlsx_tables._table_sheet
        def slow(*args, **kwargs):
            text = original(*args, **kwargs)
            print("writing", flush=True)
            time.sleep(120)
            return text
        xlsx_tables._table_sheet = slow
        app(["consolidate", "-p", {pf!r}, "-o", {str(rollup)!r}, "--no-snapshot"])
        """
    )
    process = subprocess.Popen([sys.executable, "-c", child], stdout=subprocess.PIPE, text=True)
    try:
        while "writing" not in (process.stdout.readline() or "writing"):
            pass
        deadline = time.monotonic() + 60
        while not leftovers(out) and time.monotonic() < deadline:
            time.sleep(0.05)
    finally:
        process.send_signal(signal.SIGKILL)
        process.wait()
    assert process.returncode == -signal.SIGKILL
    (left,) = leftovers(out)
    assert files.is_temporary(left) and left.startswith(".~pmo-rollup.xlsx-")
    assert rollup.read_bytes() == before  # the last roll-up, whole
    # The next run: a fresh temporary file may be another analyst's run still writing, so it stays.
    assert pmo("consolidate", "-p", pf, "-o", str(rollup), "--no-snapshot").returncode == 1
    assert leftovers(out) == [left]
    old = time.time() - 2 * files.LEFTOVER_AGE
    os.utime(out / left, (old, old))
    assert pmo("consolidate", "-p", pf, "-o", str(rollup), "--no-snapshot").returncode == 1
    assert leftovers(out) == [] and workbook_kind(rollup) == "rollup"


# --- disk full, read-only, locked -------------------------------------------------------------


@pytest.fixture
def small_disk(tmp_path: Path):
    mount = tmp_path / "small"
    mount.mkdir()
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=512k", "tmpfs", str(mount)], capture_output=True)
    if done.returncode != 0:
        pytest.skip(f"a 512 KB tmpfs cannot be mounted here (root is needed): {done.stderr.decode().strip()}")
    yield mount
    subprocess.run(["umount", str(mount)], check=False)


def test_disk_full_is_one_sentence_and_the_last_output_stays(demo: Path, small_disk: Path):
    rollup = small_disk / "rollup.xlsx"
    pf = str(demo / "portfolio.xlsx")
    assert pmo("consolidate", "-p", pf, "-o", str(rollup), "--no-snapshot").returncode == 1
    before = rollup.read_bytes()
    free = shutil.disk_usage(small_disk).free
    with (small_disk / "filler").open("wb") as handle:  # all but a few kilobytes
        handle.write(b"\0" * max(0, free - 8192))
    full = pmo("consolidate", "-p", pf, "-o", str(rollup))
    assert full.returncode == 2, full.stdout + full.stderr
    assert f"cannot write {rollup}: the disk is full" in full.stderr.replace("\n", "")
    assert "Traceback" not in full.stderr
    assert rollup.read_bytes() == before and leftovers(small_disk) == []
    assert not (demo / "snapshots").exists()  # the run stopped at its first failed output


def test_a_folder_the_analyst_cannot_write_is_found_before_the_work(demo_portfolio):
    if not shutil.which("setpriv"):
        pytest.skip("setpriv (util-linux) is needed to run as a user without write permission")
    if os.geteuid() != 0:
        pytest.skip("running as another user needs root (CI runs as root)")
    # A place a non-root user can read: the portfolio folder writable, the output folder not.
    root = Path(tempfile.mkdtemp(prefix="pmo-ro-", dir="/tmp"))
    try:
        os.chmod(root, 0o755)
        folder = root / "demo"
        shutil.copytree(demo_portfolio.folder, folder)
        os.chmod(folder, 0o777)
        home = root / "home"
        home.mkdir(mode=0o777)
        os.chmod(home, 0o777)
        shared = root / "shared"
        shared.mkdir()
        rollup = shared / "rollup.xlsx"
        assert pmo("consolidate", "-p", str(folder / "portfolio.xlsx"), "-o", str(rollup), "--no-snapshot",
                   "--no-cache").returncode == 1  # fmt: skip
        before = rollup.read_bytes()
        os.chmod(shared, 0o755)
        nobody = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"]
        done = pmo("consolidate", "-p", str(folder / "portfolio.xlsx"), "-o", str(rollup), "--no-cache",
                   user=nobody, env={"HOME": str(home)}, cwd=home)  # fmt: skip
        assert done.returncode == 2, done.stdout + done.stderr
        message = done.stderr.replace("\n", "")
        assert f"cannot write {rollup}: permission denied" in message and "read-only for you" in message
        assert "Traceback" not in done.stderr
        assert rollup.read_bytes() == before
        assert not (folder / "snapshots").exists()  # refused before the consolidation
    finally:
        shutil.rmtree(root, ignore_errors=True)


def test_an_output_open_in_excel_is_one_sentence(demo: Path, tmp_path: Path, monkeypatch):
    rollup = tmp_path / "rollup.xlsx"
    pf = str(demo / "portfolio.xlsx")
    assert run("consolidate", "-p", pf, "-o", str(rollup), "--no-snapshot").exit_code == 1
    before = rollup.read_bytes()
    real_replace = os.replace

    def windows_replace(source, target):
        if Path(target) == rollup:  # what Windows says while Excel holds the file open
            error = PermissionError(13, "Access is denied")
            error.winerror = 5
            raise error
        return real_replace(source, target)

    monkeypatch.setattr(os, "replace", windows_replace)
    locked = run("consolidate", "-p", pf, "-o", str(rollup))
    assert locked.exit_code == 2
    message = locked.output.replace("\n", "")
    assert f"cannot replace {rollup}: it is open in Excel or another program (locked)" in message
    assert "close it and run again" in message
    assert rollup.read_bytes() == before and leftovers(tmp_path) == []
    assert not (demo / "snapshots").exists()


def test_the_export_pdf_button_replaces_only_a_pdf_pmo_xl_wrote(tmp_path: Path, monkeypatch):
    from addin import buttons
    from tests.test_buttons import actions, open_book

    monkeypatch.chdir(tmp_path)  # the remote engine's book has no folder: the button writes here
    write_project_workbook(tmp_path / "p.xlsx", clean_project())
    theirs = tmp_path / "p.pdf"
    theirs.write_bytes(b"%PDF-1.7 with my notes")
    book = open_book(tmp_path / "p.xlsx", "p.xlsm")
    buttons.export_pdf(book)
    (alert,) = actions(book, "alert")
    assert "p.pdf already exists and is not a PDF pmo-xl wrote there" in alert["args"][0]
    assert theirs.read_bytes() == b"%PDF-1.7 with my notes"
    theirs.unlink()
    buttons.export_pdf(book)  # nothing there: on to Excel, which this engine is not
    assert "Export PDF needs Excel" in actions(book, "alert")[-1]["args"][0]
