"""The wheel a PMO team builds and shares carries what an analyst needs, and works without a checkout.

The wheel is built from a copy of the repository (``pip wheel --no-deps``), installed into a
fresh virtual environment, and the documented commands are run from a folder outside the
checkout: once as a plain install (ms-ovba hidden, as without the ``macros`` extra) and once
with ms-ovba. The oracles: the repository's own template files (kept current by
test_templates), and oletools reading the VBA modules of the workbook ``pmo new`` writes.
"""

from __future__ import annotations

import os
import shutil
import site
import subprocess
import sys
import venv
import zipfile
from pathlib import Path

import pytest

from pmo_logic.template_files import TEMPLATE_FILES

ROOT = Path(__file__).resolve().parent.parent
_NOT_COPIED = shutil.ignore_patterns(".git", ".venv", "build", "dist", "*.egg-info", "__pycache__", ".pytest_cache",
                                     ".ruff_cache", "_data")  # fmt: skip


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    source = tmp_path_factory.mktemp("source") / "pmo-xl"
    shutil.copytree(ROOT, source, ignore=_NOT_COPIED)
    dist = tmp_path_factory.mktemp("dist")
    done = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(dist), str(source)],
        capture_output=True, text=True, timeout=600, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-2000:]
    (built,) = dist.glob("pmo_xl-*.whl")
    return built


@pytest.fixture(scope="module")
def installed(wheel: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh venv with only the wheel installed; its dependencies come from the test environment
    (a .pth line, after the venv's own site-packages, so pmo-xl itself is the wheel's)."""
    env = tmp_path_factory.mktemp("venv") / "env"
    venv.EnvBuilder(with_pip=True).create(env)
    python = _python(env)
    done = subprocess.run([str(python), "-m", "pip", "install", "--no-deps", "--no-index", "-q", str(wheel)],
                          capture_output=True, text=True, timeout=600, check=False)  # fmt: skip
    assert done.returncode == 0, done.stderr[-2000:]
    packages = Path(subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                                   capture_output=True, text=True, check=True).stdout.strip())  # fmt: skip
    (packages / "test_dependencies.pth").write_text("\n".join(site.getsitepackages()) + "\n", encoding="utf-8")
    return env


def _python(env: Path) -> Path:
    return env / ("Scripts/python.exe" if os.name == "nt" else "bin/python")


def _pmo(env: Path, cwd: Path, *args: str, plain: bool) -> subprocess.CompletedProcess:
    """``pmo ARGS`` of the installed wheel, run in ``cwd``; ``plain`` hides ms-ovba (no ``macros`` extra)."""
    hide = cwd / "_no_ms_ovba"
    hide.mkdir(exist_ok=True)
    (hide / "ms_ovba.py").write_text("raise ImportError('ms-ovba is not installed')\n", encoding="utf-8")
    environment = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    if plain:
        environment["PYTHONPATH"] = str(hide)
    command = [str(_python(env)), "-c", "import sys; from pmo_logic.cli import app; sys.exit(app())", *args]
    return subprocess.run(command, cwd=cwd, capture_output=True, text=True, timeout=600, env=environment, check=False)


def test_the_wheel_carries_templates_macros_rules_and_licence(wheel: Path):
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
        for name in TEMPLATE_FILES:
            part = f"pmo_logic/_data/workbook_templates/{name}"
            assert part in names, name
            assert archive.read(part) == (ROOT / "workbook_templates" / name).read_bytes(), name
        for bas in (ROOT / "macros").glob("*.bas"):
            assert archive.read(f"pmo_logic/_data/macros/{bas.name}") == bas.read_bytes()
        assert archive.read("pmo_logic/_data/docs/rules.md") == (ROOT / "docs" / "rules.md").read_bytes()
        licence = [n for n in names if n.endswith(".dist-info/licenses/LICENSE")]
        assert licence and b"MIT License" in archive.read(licence[0])
        assert b"pmo-xl developers" in archive.read(licence[0])
        metadata = archive.read(next(n for n in names if n.endswith(".dist-info/METADATA"))).decode()
        assert "License-Expression: MIT" in metadata


def test_documented_commands_work_from_a_plain_install(installed: Path, tmp_path: Path):
    """No checkout, no ms-ovba: the .xlsm files get the VBA project of the shipped templates."""
    probe = subprocess.run(
        [str(_python(installed)), "-c", "import pmo_logic, sys; print(pmo_logic.__file__)"],
        cwd=tmp_path, capture_output=True, text=True, check=True,
    )  # fmt: skip
    assert Path(probe.stdout.strip()).is_relative_to(installed), "pmo-xl runs from the wheel, not the checkout"

    built = _pmo(installed, tmp_path, "templates", "build", "--out", "T", plain=True)
    assert built.returncode == 0, built.stdout + built.stderr
    assert "Traceback" not in built.stdout + built.stderr
    assert "VBA project of the ones pmo-xl ships" in built.stdout
    for name in TEMPLATE_FILES:  # the same bytes as the repository's templates
        assert (tmp_path / "T" / name).read_bytes() == (ROOT / "workbook_templates" / name).read_bytes(), name

    checked = _pmo(installed, tmp_path, "templates", "build", "--check", "--out", "T", plain=True)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert f"The {len(TEMPLATE_FILES)} templates in T are up to date" in checked.stdout
    (tmp_path / "T" / "project_fr.xlsm").write_bytes(b"edited")
    stale = _pmo(installed, tmp_path, "templates", "build", "--check", "--out", "T", plain=True)
    assert stale.returncode == 1 and "project_fr.xlsm" in stale.stderr and "Traceback" not in stale.stderr

    project = _pmo(installed, tmp_path, "new", "project", "Customer portal", "-o", "x.xlsm", plain=True)
    portfolio = _pmo(installed, tmp_path, "new", "portfolio", "PMO 2027", "-o", "p.xlsm", plain=True)
    for done, path in ((project, tmp_path / "x.xlsm"), (portfolio, tmp_path / "p.xlsm")):
        assert done.returncode == 0, done.stdout + done.stderr
        _assert_macro_enabled(path)
    rules = _pmo(installed, tmp_path, "rules", "--markdown", plain=True)
    assert rules.stdout == (ROOT / "docs" / "rules.md").read_text(encoding="utf-8")


def test_with_ms_ovba_the_vba_is_built_from_the_shipped_sources(installed: Path, tmp_path: Path):
    # A build from the wheel's macros/*.bas gives the repository's .xlsm templates, byte for byte.
    checked = _pmo(installed, tmp_path, "templates", "build", "--check", "--out", str(ROOT / "workbook_templates"),
                   plain=False)  # fmt: skip
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert "VBA project of the ones pmo-xl ships" not in checked.stdout
    done = _pmo(installed, tmp_path, "new", "project", "Portail", "--lang", "fr", "-o", "x.xlsm", plain=False)
    assert done.returncode == 0, done.stdout + done.stderr
    _assert_macro_enabled(tmp_path / "x.xlsm")


def _assert_macro_enabled(path: Path) -> None:
    with zipfile.ZipFile(path) as archive:
        assert "xl/vbaProject.bin" in archive.namelist()
        assert "macroEnabled" in archive.read("[Content_Types].xml").decode()
    _assert_buttons_module(path)


def _assert_buttons_module(path: Path) -> None:
    """oletools reads the workbook's VBA: the buttons' module is there, with its source."""
    from oletools.olevba import VBA_Parser

    parser = VBA_Parser(str(path))
    try:
        modules = {name.rsplit(".", 1)[0]: code for _, _, name, code in parser.extract_macros()}
    finally:
        parser.close()
    source = (ROOT / "macros" / "PMOButtons.bas").read_text(encoding="utf-8")
    assert "PMOButtons" in modules
    first_sub = next(line for line in source.splitlines() if line.startswith("Sub "))
    assert first_sub in modules["PMOButtons"]


def test_new_xlsm_is_refused_clearly_where_the_vba_cannot_be_built(tmp_path: Path, monkeypatch):
    from typer.testing import CliRunner

    import pmo_logic.vba as vba
    from pmo_logic.cli import app

    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(vba, "templates_folder", lambda: tmp_path / "none")  # no shipped .xlsm to reuse
    monkeypatch.setattr(vba, "macros_available", lambda macros=None: "ms-ovba is not installed")
    result = CliRunner().invoke(app, ["new", "project", "X", "-o", "x.xlsm"])
    assert result.exit_code == 2, result.output
    assert "Cannot write the macro-enabled workbook x.xlsm: ms-ovba is not installed" in " ".join(result.output.split())
    assert not (tmp_path / "x.xlsm").exists()
    assert CliRunner().invoke(app, ["new", "project", "X", "-o", "x.xlsx"]).exit_code == 0  # an .xlsx needs no VBA
