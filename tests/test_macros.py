"""The VBA behind the buttons: kept as text in macros/, built into the .xlsm templates."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import pytest
from oletools.olevba import VBA_Parser

from pmo_logic.template_files import TEMPLATE_FILES
from pmo_logic.vba import MACROS, build_vba_project

XLSM = [name for name in TEMPLATE_FILES if name.endswith(".xlsm")]


def _code(text: str) -> str:
    """Module text without its Attribute lines, with LF line ends."""
    lines = text.replace("\r\n", "\n").split("\n")
    return "\n".join(line for line in lines if not line.startswith("Attribute VB_")).strip()


@pytest.mark.parametrize("name", XLSM)
def test_olevba_extracts_exactly_the_macro_sources(templates_dir: Path, name: str):
    parser = VBA_Parser(str(templates_dir / name))
    modules = {Path(vba_filename).stem: code for _, _, vba_filename, code in parser.extract_macros()}
    parser.close()
    for source in sorted(MACROS.glob("*.bas")):
        assert _code(modules[source.stem]) == _code(source.read_text(encoding="utf-8")), source.name


def test_sources_are_crlf_with_their_module_name():
    for source in MACROS.glob("*.bas"):
        raw = source.read_bytes()
        assert b"\n" not in raw.replace(b"\r\n", b""), f"{source.name} must use CRLF line ends"
        assert raw.startswith(f'Attribute VB_Name = "{source.stem}"'.encode())


@pytest.mark.parametrize("name", XLSM)
def test_every_button_runs_a_macro_that_exists(templates_dir: Path, name: str):
    subs = set(re.findall(r"^Sub (\w+)\(", (MACROS / "PMOButtons.bas").read_text(encoding="utf-8"), re.M))
    with zipfile.ZipFile(templates_dir / name) as archive:
        drawings = [archive.read(n).decode() for n in archive.namelist() if n.endswith(".vml")]
        assert "xl/vbaProject.bin" in archive.namelist()
    macros = re.findall(r"<x:FmlaMacro>\[0\]!(\w+)</x:FmlaMacro>", "".join(drawings))
    expected = 3 if name.startswith("project") else 4
    assert len(macros) == expected and set(macros) <= subs


def test_buttons_call_python_through_the_addin_and_explain_when_it_is_missing():
    text = (MACROS / "PMOButtons.bas").read_text(encoding="utf-8")
    commands = re.findall(r'PMORun "(import addin\.buttons as b; b\.(\w+)\(\))"', text)
    import addin.buttons as buttons

    assert commands and all(hasattr(buttons, handler) for _, handler in commands)
    assert "Application.Run \"'xlwings.xlam'!RunPython\", command" in text
    assert "On Error GoTo Missing" in text and "pmo addin install" in text


def test_vba_project_is_reproducible():
    assert build_vba_project(3) == build_vba_project(3)


def test_without_macro_sources_the_reason_is_clear(tmp_path: Path):
    from pmo_logic.template_files import build_templates
    from pmo_logic.vba import macros_available

    assert macros_available() is None
    assert "no macro sources" in macros_available(tmp_path)
    with pytest.raises(RuntimeError, match="no macro sources"):
        build_vba_project(3, tmp_path)
    written = build_templates(tmp_path / "out", with_macros=False)
    assert sorted(p.suffix for p in written) == [".xlsx"] * 4


def test_long_repeats_late_in_a_module_survive_compression(tmp_path: Path):
    """MS-OVBA caps a copy token's length by its position in the chunk; ms-ovba-compression
    did not (fixed in pmo_logic.vba), which garbled long repeats after the first 1 KB."""
    filler = "".join(f"' line {k} of a long comment before the repeat\r\n" for k in range(40))
    text = f'Attribute VB_Name = "Long"\r\nOption Explicit\r\n{filler}\' {"=" * 300}\r\nSub A()\r\nEnd Sub\r\n'
    (tmp_path / "Long.bas").write_bytes(text.encode())
    parser = VBA_Parser("vbaProject.bin", data=build_vba_project(1, tmp_path))
    modules = {Path(vba_filename).stem: code for _, _, vba_filename, code in parser.extract_macros()}
    parser.close()
    assert _code(modules["Long"]) == _code(text)
