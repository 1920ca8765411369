"""Building the VBA project of the .xlsm templates from the macro sources in ``macros/``.

The macros are kept as text (``macros/*.bas``, CRLF line ends, ``Attribute VB_Name`` first);
`build_vba_project` turns them into the ``vbaProject.bin`` XlsxWriter embeds, with ms-ovba.
The project has no compiled cache (version 0xFFFF in MS-OVBA terms), so Office compiles the
source when it opens the file. ms-ovba writes scratch files into its working directory, so it
runs in a child process in a temporary folder; its project-protection fields use Python's
random module, which is seeded so that the same sources always give the same bytes.

ms-ovba is needed only to build from the sources. Where it is not installed (a plain
``pip install`` of the wheel), `build_vba_project` takes the VBA project of a shipped .xlsm
template with the same number of sheets: the wheel's templates and macro sources come from the
same build, and a test checks that the templates are current, so the bytes are the ones a
build would give.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

from pmo_logic.shipped import macros_folder, templates_folder

MACROS = macros_folder()

_BUILD = r"""
import glob, os, random, sys, uuid
import ms_ovba
from ms_ovba.vbaProject import VbaProject
from ms_ovba.Models.Entities.doc_module import DocModule
from ms_ovba.Models.Entities.std_module import StdModule
from ms_ovba.Views.project_ole_file import ProjectOleFile

from ms_cfb.Models.DataStreams.directory_stream import DirectoryStream
from ms_cfb.ole_file import OleFile

# ms_cfb links FAT chains wrongly when the directory stream and the mini stream both grow
# while streams are added (their sectors end up shared). Sizing the directory for all its
# entries before anything is allocated leaves only one chain growing.
_build_file = OleFile.build_file


def _build_file_with_whole_directory(self):
    DirectoryStream._entries = len(self._directory.flatten())
    _build_file(self)


OleFile.build_file = _build_file_with_whole_directory

# ms-ovba-compression caps a copy token's length at 0xFFFF << (bit_count + 3) (an operator
# precedence slip) instead of MS-OVBA's (0xFFFF >> bit_count) + 3, so a long match late in a
# chunk spills into the offset bits: olevba shrugs, LibreOffice drops the whole project.
from ms_ovba_compression.ms_ovba import MsOvba

_copytoken_help = MsOvba.copytoken_help


def _copytoken_help_capped(difference):
    help = _copytoken_help(difference)
    help["maxLength"] = (0xFFFF >> help["bitCount"]) + 3
    return help


MsOvba.copytoken_help = staticmethod(_copytoken_help_capped)
DirectoryStream.stream_size = lambda self: max(len(self._data), getattr(DirectoryStream, "_entries", 0)) * 128

random.seed(2026)
bas_dir, sheets = sys.argv[1], int(sys.argv[2])
blank = os.path.join(os.path.dirname(ms_ovba.__file__), "blank_files")
project = VbaProject()
project.project_id = "{9E394C0B-697E-4AEE-9FA6-446F51FB30DC}"
sheet_template = open(os.path.join(blank, "Sheet1.cls"), newline="").read()
for k in range(1, sheets + 1):
    name = "Sheet%d" % k
    with open(name + ".cls", "w", newline="") as handle:
        handle.write(sheet_template.replace('"Sheet1"', '"%s"' % name))
    module = DocModule(name)
    module.add_file(name + ".cls")
    module.add_guid(uuid.UUID("0002082000000000C000000000000046"))
    module.normalize_file()
    project.add_module(module)
# ms-ovba writes scratch files beside its inputs: work on copies in this folder only.
with open(os.path.join(blank, "ThisWorkbook.cls"), newline="") as handle:
    this_workbook = handle.read()
with open("ThisWorkbook.cls", "w", newline="") as handle:
    handle.write(this_workbook)
workbook = DocModule("ThisWorkbook")
workbook.add_file("ThisWorkbook.cls")
workbook.add_guid(uuid.UUID("0002081900000000C000000000000046"))
workbook.normalize_file()
project.add_module(workbook)
for path in sorted(glob.glob(os.path.join(bas_dir, "*.bas"))):
    module = StdModule(os.path.splitext(os.path.basename(path))[0])
    module.add_file(path)
    module.normalize_file()
    project.add_module(module)
ProjectOleFile.write_file(project)
"""


def macros_available(macros: Path | None = None) -> str | None:
    """None when the VBA project can be built here from the macro sources, else the reason it cannot."""
    macros = macros or MACROS
    if not any(macros.glob("*.bas")):
        return f"no macro sources in {macros}: reinstall pmo-xl, or work from a pmo-xl checkout"
    try:
        import ms_ovba  # noqa: F401
    except ImportError:
        return 'ms-ovba is not installed (pip install "pmo-xl[macros]", or in a checkout pip install -e ".[test]")'
    return None


def vba_unavailable() -> str | None:
    """None when macro-enabled workbooks can be written here (from the sources or the shipped
    templates' VBA project), else the reason they cannot."""
    reason = macros_available()
    if reason is None or shipped_vba_projects():
        return None
    return f"{reason}; and no .xlsm template in {templates_folder()} to take the VBA project from"


def shipped_vba_projects() -> dict[int, bytes]:
    """The VBA project of each shipped .xlsm template, by its number of worksheets."""
    projects: dict[int, bytes] = {}
    for path in sorted(templates_folder().glob("*.xlsm")):
        try:
            with zipfile.ZipFile(path) as book:
                names = book.namelist()
                sheets = sum(n.startswith("xl/worksheets/sheet") and n.endswith(".xml") for n in names)
                if "xl/vbaProject.bin" in names:
                    projects.setdefault(sheets, book.read("xl/vbaProject.bin"))
        except (OSError, zipfile.BadZipFile):
            continue  # a damaged copy is simply not used
    return projects


def build_vba_project(sheets: int, macros: Path | None = None) -> bytes:
    """The ``vbaProject.bin`` for a workbook of ``sheets`` worksheets (code names Sheet1..N).

    From ``macros`` (default: the shipped sources) with ms-ovba; without ms-ovba, for the
    shipped sources, the VBA project of a shipped .xlsm template of as many sheets.
    """
    reason = macros_available(macros)
    if reason and macros is None:
        shipped = shipped_vba_projects().get(sheets)
        if shipped is not None:
            return shipped
        reason += f"; and no .xlsm template of {sheets} sheets in {templates_folder()} to take the VBA project from"
    macros = macros or MACROS
    if reason:
        raise RuntimeError(reason)
    with tempfile.TemporaryDirectory(prefix="pmo-vba-") as tmp:
        bas_dir = Path(tmp) / "bas"
        bas_dir.mkdir()
        for source in sorted(macros.glob("*.bas")):
            # Copies, because ms-ovba normalises its inputs in place.
            (bas_dir / source.name).write_bytes(source.read_bytes())
        done = subprocess.run(
            [sys.executable, "-c", _BUILD, str(bas_dir), str(sheets)],
            cwd=tmp,
            capture_output=True,
            text=True,
            check=False,
            env={**os.environ, "PYTHONHASHSEED": "0"},
        )
        output = Path(tmp) / "vbaProject.bin"
        if done.returncode != 0 or not output.exists():
            raise RuntimeError(f"building the VBA project failed: {done.stderr.strip()[-800:]}")
        return output.read_bytes()
