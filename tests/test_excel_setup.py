"""pmo addin install: the xlwings.conf it writes, and what it says where there is no Excel."""

from __future__ import annotations

import sys
from pathlib import Path

from typer.testing import CliRunner

from pmo_logic.cli import app
from pmo_logic.excel_setup import pmo_settings, read_conf, write_conf

runner = CliRunner()


def test_conf_is_merged_not_replaced(tmp_path: Path):
    conf = tmp_path / ".xlwings" / "xlwings.conf"
    conf.parent.mkdir()
    conf.write_text('"CONDA_PATH","C:\\\\conda"\n"UDF_MODULES","my_udfs"\n', encoding="utf-8")
    changed = write_conf(conf, pmo_settings("win32", r"C:\Python311\python.exe"))
    assert changed == {"INTERPRETER_WIN": r"C:\Python311\python.exe", "UDF_MODULES": "addin.udfs"}
    assert read_conf(conf) == {
        "CONDA_PATH": "C:\\\\conda",
        "UDF_MODULES": "addin.udfs",
        "INTERPRETER_WIN": r"C:\Python311\python.exe",
    }
    assert write_conf(conf, pmo_settings("win32", r"C:\Python311\python.exe")) == {}


def test_mac_uses_its_own_interpreter_key():
    assert set(pmo_settings("darwin", "/usr/bin/python3")) == {"INTERPRETER_MAC", "UDF_MODULES"}


def test_install_explains_where_there_is_no_excel():
    result = runner.invoke(app, ["addin", "install"], env={"COLUMNS": "200"})
    assert result.exit_code == 0
    if sys.platform not in ("win32", "darwin"):
        assert "need Excel on Windows or macOS" in result.output
        assert "nothing was installed" in result.output


def test_install_writes_the_conf_it_is_given(tmp_path: Path):
    conf = tmp_path / "xlwings.conf"
    result = runner.invoke(app, ["addin", "install", "--conf", str(conf)], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    assert read_conf(conf)["UDF_MODULES"] == "addin.udfs"
    assert sys.executable in read_conf(conf).values()
