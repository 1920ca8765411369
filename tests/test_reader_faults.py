"""The reader on hostile, damaged and odd workbooks.

Each case starts from a real workbook (a template, or a demo project) and changes one zip part,
so that only one thing is wrong. Every case checks the problem code, that the message names the
file and, where it matters, the sheet or the part, and that the source file is unchanged.
Whatever could take the process down (python-calamine aborts on a failed allocation; a Rust
abort cannot be caught) runs in a subprocess with a memory ceiling, and its peak memory is
measured there.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import stat
import struct
import subprocess
import sys
import tempfile
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest

from pmo_logic import workbook_parts
from pmo_logic.reader import document_kind, read_project_workbook, workbook_kind

ROOT = Path(__file__).resolve().parent.parent
TEMPLATE = ROOT / "workbook_templates" / "project_en.xlsx"
PROJECT_PART = "xl/worksheets/sheet2.xml"  # the template's Project sheet
PLAN_PART = "xl/worksheets/sheet3.xml"  # and its Plan
MEMORY_CEILING = 500 * 1024 * 1024


def edit_part(source: Path, target: Path, part: str, change: Callable[[bytes], bytes]) -> Path:
    """A copy of ``source`` where only ``part`` is changed (every other part copied as it was)."""
    with zipfile.ZipFile(source) as old, zipfile.ZipFile(target, "w") as new:
        for info in old.infolist():
            data = old.read(info)
            new.writestr(info, change(data) if info.filename == part else data)
    return target


def append_cells(xml: bytes, cells: bytes) -> bytes:
    return xml.replace(b"</sheetData>", cells + b"</sheetData>")


def inline(ref: str, text: str) -> bytes:
    return f'<c r="{ref}" t="inlineStr"><is><t>{text}</t></is></c>'.encode()


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def read_unchanged(path: Path):
    before = digest(path)
    workbook = read_project_workbook(path)
    assert digest(path) == before, "reading must never change the workbook"
    return workbook


def only_problem(workbook, code: str, file: str, sheet: str = ""):
    errors = [p for p in workbook.problems if p.severity == "error"]
    assert [(p.code, p.file, p.sheet) for p in errors] == [(code, file, sheet)], errors
    return errors[0]


_CHILD = """
import json, resource, sys
limit = int(sys.argv[2])
resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
sys.path.insert(0, {root!r})
from pmo_logic.reader import read_project_workbook


def peak():
    # This process's own high-water mark: ru_maxrss keeps the parent's size across fork and exec
    # (a test run of 900 MB would look like a reader that used 900 MB); VmHWM starts again at exec.
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


wb = read_project_workbook(sys.argv[1])
print(json.dumps({{
    "problems": [[p.code, p.sheet, p.message] for p in wb.problems],
    "tasks": [[t.id, t.name, t.source_row] for t in wb.plan],
    "name": wb.project.name,
    "peak": peak(),
}}))
"""


def read_in_child(path: Path, address_space: int = 3 << 30) -> dict:
    """Read ``path`` in a subprocess (address space capped), return what it read and its peak memory."""
    done = subprocess.run(
        [sys.executable, "-c", _CHILD.format(root=str(ROOT)), str(path), str(address_space)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert "Traceback" not in done.stderr
    return json.loads(done.stdout)


_CALAMINE = """
import resource, sys
resource.setrlimit(resource.RLIMIT_AS, (2 << 30, 2 << 30))
import python_calamine
book = python_calamine.CalamineWorkbook.from_path(sys.argv[1])
book.get_sheet_by_name(sys.argv[2])
print("fetched")
"""


def calamine_alone(path: Path, sheet: str) -> subprocess.CompletedProcess:
    """python-calamine fetching one sheet by itself, in a subprocess: the danger being guarded against."""
    return subprocess.run([sys.executable, "-c", _CALAMINE, str(path), sheet], capture_output=True, text=True)


# a value in the sheet's last cell --------------------------------------------------------------


def test_python_calamine_alone_aborts_on_a_value_in_the_last_cell(tmp_path: Path):
    # The oracle for what follows: fetching the sheet (before any to_python, iter_rows or
    # nrows could help) asks for the whole box, 1,048,576 x 16,384 cells of 32 bytes.
    path = edit_part(TEMPLATE, tmp_path / "last.xlsx", PROJECT_PART, lambda x: append_cells(
        x, b'<row r="1048576">' + inline("XFD1048576", "stray") + b"</row>"))  # fmt: skip
    done = calamine_alone(path, "Project")
    assert done.returncode != 0 and "fetched" not in done.stdout
    assert "memory allocation of 549755813888 bytes failed" in done.stderr


@pytest.mark.parametrize("sheet_part", [PROJECT_PART, PLAN_PART])
def test_a_value_in_xfd1048576_is_read_in_bounded_memory(tmp_path: Path, sheet_part: str):
    path = edit_part(TEMPLATE, tmp_path / "last.xlsx", sheet_part, lambda x: append_cells(
        x, b'<row r="1048576">' + inline("XFD1048576", "stray") + b"</row>"))  # fmt: skip
    before = digest(path)
    result = read_in_child(path)
    assert digest(path) == before
    assert result["peak"] < MEMORY_CEILING
    # The stray value is far from every column read: the workbook reads as the template does.
    assert result["problems"] == [] and result["name"] == "New project"
    assert [t[0] for t in result["tasks"]] == ["1", "2", "3"]


def test_a_task_typed_in_the_last_row_is_read_at_its_row(tmp_path: Path):
    # Row 1,048,576 x 30 columns is a 31-million-cell box: read from a compacted copy, and the
    # task keeps its real Excel row (A is the ID, C the task name in the template).
    cells = b'<row r="1048576">' + inline("A1048576", "99") + inline("C1048576", "Far task") + b"</row>"
    path = edit_part(TEMPLATE, tmp_path / "far.xlsx", PLAN_PART, lambda x: append_cells(x, cells))
    result = read_in_child(path)
    assert result["peak"] < MEMORY_CEILING
    assert result["tasks"][-1] == ["99", "Far task", 1048576]
    assert [t[2] for t in result["tasks"]] == [2, 3, 4, 1048576]
    # Its problems (a task without type or dates) point at row 1,048,576.
    assert {p[1] for p in result["problems"]} <= {"Plan"}
    wb = read_unchanged(path)
    assert all(p.cell.endswith("1048576") for p in wb.problems if p.cell)


def test_a_stray_value_on_a_task_row_does_not_widen_the_table(tmp_path: Path):
    def stray(xml: bytes) -> bytes:
        return xml.replace(b"</row>", inline("XFD2", "note far right") + b"</row>", 1)

    path = edit_part(TEMPLATE, tmp_path / "wide.xlsx", PLAN_PART, stray)
    result = read_in_child(path)
    assert result["peak"] < MEMORY_CEILING
    assert result["problems"] == [] and [t[0] for t in result["tasks"]] == ["1", "2", "3"]


def test_a_cell_beyond_excels_grid_is_a_damaged_part(tmp_path: Path):
    path = edit_part(TEMPLATE, tmp_path / "beyond.xlsx", PLAN_PART, lambda x: append_cells(
        x, b'<row r="2000000">' + inline("XFE2000000", "x") + b"</row>"))  # fmt: skip
    wb = read_unchanged(path)
    problem = only_problem(wb, "READ016", "beyond.xlsx", "Plan")
    assert PLAN_PART in problem.message and "XFD1048576" in problem.message
    assert wb.project.name == "New project" and wb.plan == []  # the rest is read
    assert "plan" in wb.missing_sheets


def test_cells_without_addresses_are_placed_as_calamine_places_them(tmp_path: Path, monkeypatch):
    # No r= on 3,000 cells of one row: python-calamine puts each after the previous one.
    row = b"<row>" + b"<c/>" * 3000 + b'<c t="inlineStr"><is><t>x</t></is></c></row>'
    path = edit_part(TEMPLATE, tmp_path / "counted.xlsx", PROJECT_PART, lambda x: append_cells(x, row))
    assert read_unchanged(path).problems == []
    monkeypatch.setattr(workbook_parts.LIMITS, "grid_cells", 20_000)
    wb = read_unchanged(path)
    problem = only_problem(wb, "READ015", "counted.xlsx", "Project")
    assert "too large" in problem.message and "Ctrl+End" in problem.message


def test_a_sheet_with_too_much_data_is_too_large(tmp_path: Path, monkeypatch):
    # Data that really fills its box (no compaction can help) beyond the limit: one problem on
    # that sheet, the other sheets read.
    monkeypatch.setattr(workbook_parts.LIMITS, "grid_cells", 50)
    wb = read_unchanged(shutil.copy(TEMPLATE, tmp_path / "full.xlsx"))
    sheets = {p.sheet for p in wb.problems if p.code == "READ015"}
    assert {"Project", "Plan"} <= sheets
    assert all(p.file == "full.xlsx" for p in wb.problems)


# zip bombs and limits ----------------------------------------------------------------------


def _bomb(target: Path, inflated: int, part: str = "customXml/item1.xml") -> Path:
    shutil.copy(TEMPLATE, target)
    with (
        zipfile.ZipFile(target, "a", zipfile.ZIP_DEFLATED, compresslevel=9) as archive,
        archive.open(part, "w", force_zip64=True) as out,
    ):
        block = b" " * (1 << 20)
        for _ in range(inflated >> 20):
            out.write(block)
    return target


def test_a_zip_bomb_is_too_large_in_bounded_memory(tmp_path: Path):
    path = _bomb(tmp_path / "bomb.xlsx", 2600 << 20)  # 2.6 GB of spaces in a few MB
    assert path.stat().st_size < 5 << 20
    result = read_in_child(path)
    assert result["peak"] < MEMORY_CEILING
    [(code, sheet, message)] = result["problems"]
    assert (code, sheet) == ("READ015", "")
    assert "customXml/item1.xml" in message and "limit" in message


def test_a_part_that_inflates_far_more_than_excel_compresses(tmp_path: Path, monkeypatch):
    monkeypatch.setattr(workbook_parts.LIMITS, "ratio_from_bytes", 10 << 20)
    path = _bomb(tmp_path / "dense.xlsx", 30 << 20)
    problem = only_problem(read_unchanged(path), "READ015", "dense.xlsx")
    assert "customXml/item1.xml" in problem.message and "zip bomb" in problem.message


def test_a_part_that_lies_about_its_size(tmp_path: Path):
    # The directory says 1,000 bytes; the stream inflates to 300 MB. Declared sizes are not
    # trusted: the stream is inflated and counted.
    path = _bomb(tmp_path / "liar.xlsx", 300 << 20)
    data = bytearray(path.read_bytes())
    with zipfile.ZipFile(path) as archive:
        info = archive.getinfo("customXml/item1.xml")
    _patch_sizes(data, info, 1000)
    path.write_bytes(bytes(data))
    result = read_in_child(path)
    assert result["peak"] < MEMORY_CEILING
    [(code, _sheet, message)] = result["problems"]
    assert code == "READ016" and "customXml/item1.xml" in message and "declares" in message


def _patch_sizes(data: bytearray, info: zipfile.ZipInfo, size: int) -> None:
    """Write ``size`` as the part's uncompressed size in its zip64 extra fields and directory."""
    central = -1
    name = info.filename.encode()
    at = data.find(b"PK\x01\x02")
    while at >= 0:
        name_length = struct.unpack_from("<H", data, at + 28)[0]
        if bytes(data[at + 46 : at + 46 + name_length]) == name:
            central = at
            break
        at = data.find(b"PK\x01\x02", at + 4)
    name_length, extra_length = struct.unpack_from("<HH", data, central + 28)
    extra = central + 46 + name_length
    end = extra + extra_length
    while extra < end:
        kind, length = struct.unpack_from("<HH", data, extra)
        if kind == 0x0001:
            struct.pack_into("<Q", data, extra + 4, size)
        extra += 4 + length
    if struct.unpack_from("<I", data, central + 24)[0] != 0xFFFFFFFF:
        struct.pack_into("<I", data, central + 24, size)


def test_lowered_limits_name_the_part(tmp_path: Path, monkeypatch):
    path = shutil.copy(TEMPLATE, tmp_path / "big.xlsx")
    monkeypatch.setattr(workbook_parts.LIMITS, "part_bytes", 30_000)
    problem = only_problem(read_unchanged(path), "READ015", "big.xlsx")
    assert "xl/worksheets/sheet1.xml" in problem.message  # 35,743 bytes: the Instructions
    monkeypatch.setattr(workbook_parts.LIMITS, "part_bytes", 200 << 20)
    monkeypatch.setattr(workbook_parts.LIMITS, "total_bytes", 100_000)
    assert "the workbook would inflate" in only_problem(read_unchanged(path), "READ015", "big.xlsx").message
    monkeypatch.setattr(workbook_parts.LIMITS, "total_bytes", 500 << 20)
    monkeypatch.setattr(workbook_parts.LIMITS, "parts", 10)
    assert "parts" in only_problem(read_unchanged(path), "READ015", "big.xlsx").message


# XML entities -------------------------------------------------------------------------------

_LAUGHS = b'<!DOCTYPE sst [<!ENTITY a "aaaaaaaaaa">' + b"".join(
    b'<!ENTITY %c "%s">' % (98 + i, b"&%c;" % (97 + i) * 10) for i in range(9)
) + b"]>"  # fmt: skip


def _laughs(xml: bytes, tag: bytes = b"<t>Field</t>") -> bytes:
    xml = re.sub(rb"(<\?xml[^>]*\?>)", lambda m: m.group(1) + _LAUGHS, xml, count=1)
    return xml.replace(tag, b"<t>&j;</t>", 1)


def test_billion_laughs_in_shared_strings(tmp_path: Path):
    path = edit_part(TEMPLATE, tmp_path / "laughs.xlsx", "xl/sharedStrings.xml", _laughs)
    result = read_in_child(path, address_space=1 << 30)
    assert result["peak"] < MEMORY_CEILING
    [(code, _sheet, message)] = result["problems"]
    assert code == "READ017" and "xl/sharedStrings.xml" in message and "Excel never writes" in message
    # python-calamine alone does not expand them either: it stops on the unknown entity.
    done = calamine_alone(path, "Project")
    assert "unrecognized entity" in done.stderr or "fetched" in done.stdout


def test_entities_in_one_sheet_leave_the_others_read(tmp_path: Path):
    def laughs(xml: bytes) -> bytes:
        return re.sub(rb"(<\?xml[^>]*\?>)", lambda m: m.group(1) + _LAUGHS, xml, count=1)

    path = edit_part(TEMPLATE, tmp_path / "sheet.xlsx", PLAN_PART, laughs)
    wb = read_unchanged(path)
    problem = only_problem(wb, "READ017", "sheet.xlsx", "Plan")
    assert PLAN_PART in problem.message
    assert wb.project.name == "New project"


def test_document_properties_with_entities_are_ignored(tmp_path: Path):
    def laughs(xml: bytes) -> bytes:
        xml = re.sub(rb"(<\?xml[^>]*\?>)", lambda m: m.group(1) + _LAUGHS, xml, count=1)
        return re.sub(rb"<vt:lpwstr>project</vt:lpwstr>", b"<vt:lpwstr>&j;</vt:lpwstr>", xml)

    assert document_kind(TEMPLATE) == "project"
    path = edit_part(TEMPLATE, tmp_path / "props.xlsx", "docProps/custom.xml", laughs)
    assert document_kind(path) is None and workbook_kind(path) is None


# damaged and half-written files ---------------------------------------------------------------


def _flip_byte_in(path: Path, part: str) -> None:
    data = bytearray(path.read_bytes())
    with zipfile.ZipFile(path) as archive:
        info = archive.getinfo(part)
    name_length, extra_length = struct.unpack_from("<HH", data, info.header_offset + 26)
    start = info.header_offset + 30 + name_length + extra_length
    data[start + info.compress_size // 2] ^= 0xFF
    path.write_bytes(bytes(data))


def test_a_damaged_sheet_part_is_named_and_the_rest_read(tmp_path: Path):
    path = shutil.copy(TEMPLATE, tmp_path / "crc.xlsx")
    _flip_byte_in(path, PLAN_PART)
    wb = read_unchanged(path)
    problem = only_problem(wb, "READ016", "crc.xlsx", "Plan")
    assert PLAN_PART in problem.message and "damaged" in problem.message
    assert wb.project.name == "New project"


def test_a_damaged_shared_part_stops_the_workbook_with_its_name(tmp_path: Path):
    path = shutil.copy(TEMPLATE, tmp_path / "strings.xlsx")
    _flip_byte_in(path, "xl/sharedStrings.xml")
    problem = only_problem(read_unchanged(path), "READ016", "strings.xlsx")
    assert "xl/sharedStrings.xml" in problem.message


@pytest.mark.parametrize(
    "broken",
    [
        lambda xml: xml[: len(xml) // 2],  # sheet XML cut in the middle (its CRC is right)
        lambda xml: xml.replace(b'<c r="A2"', b'<c r=A2"', 1),  # an attribute without its quote
        lambda xml: xml.replace(b"<v>", b"<v<", 1),  # a cell python-calamine cannot make sense of
    ],
)
def test_sheet_xml_that_does_not_parse(tmp_path: Path, broken):
    path = edit_part(TEMPLATE, tmp_path / "xml.xlsx", PLAN_PART, broken)
    wb = read_unchanged(path)
    problem = only_problem(wb, "READ016", "xml.xlsx", "Plan")
    assert PLAN_PART in problem.message and "XML" in problem.message


@pytest.mark.parametrize(("age", "words"), [(0, "may still be being saved"), (3600, "restore it from a backup")])
def test_a_half_written_file(tmp_path: Path, age: int, words: str):
    data = TEMPLATE.read_bytes()
    path = tmp_path / "half.xlsx"
    path.write_bytes(data[: len(data) * 2 // 3])  # a save interrupted: the zip's end is missing
    mtime = path.stat().st_mtime - age
    os.utime(path, (mtime, mtime))
    problem = only_problem(read_unchanged(path), "READ005", "half.xlsx")
    assert "cut short" in problem.message and words in problem.message


def test_a_file_renamed_away_while_being_read(tmp_path: Path, monkeypatch):
    # Excel saves by writing a temporary file, deleting the workbook and renaming: the file is
    # really gone between the check and the read.
    from pmo_logic import reader

    path = shutil.copy(TEMPLATE, tmp_path / "saving.xlsx")
    check = reader.check_workbook_file

    def check_then_vanish(p: Path) -> None:
        check(p)
        p.rename(p.with_name("~saving.tmp"))

    monkeypatch.setattr(reader, "check_workbook_file", check_then_vanish)
    problem = only_problem(read_project_workbook(path), "READ018", "saving.xlsx")
    assert "disappeared" in problem.message and "run again" in problem.message


def test_a_folder_is_not_a_workbook(tmp_path: Path):
    folder = tmp_path / "folder.xlsx"
    folder.mkdir()
    problem = only_problem(read_project_workbook(folder), "READ005", "folder.xlsx")
    assert "folder" in problem.message


def test_pmo_read_of_a_folder_says_so(tmp_path: Path):
    from typer.testing import CliRunner

    from pmo_logic.cli import app

    result = CliRunner().invoke(app, ["read", str(tmp_path)])
    assert result.exit_code == 2
    assert "is a folder" in result.output and "Traceback" not in result.output


# permissions, for real: a non-root user ---------------------------------------------------------

_AS_NOBODY = """
import json, sys
sys.path.insert(0, {root!r})
from pmo_logic.reader import read_project_workbook

wb = read_project_workbook(sys.argv[1])
print(json.dumps([[p.code, p.file, p.message] for p in wb.problems]))
"""


def _nobody() -> list[str]:
    setpriv = shutil.which("setpriv")
    if setpriv is None:
        pytest.skip("setpriv (util-linux) is not installed: cannot run as another user")
    if os.geteuid() != 0:
        pytest.skip("not root: a file with mode 000 is already unreadable only to others, not testable here")
    return [setpriv, "--reuid=65534", "--regid=65534", "--clear-groups"]


def test_permission_denied_for_real(tmp_path: Path):
    folder = Path(tempfile.mkdtemp(prefix="pmo-perm-"))  # pytest's tmp_path is private to root
    try:
        folder.chmod(0o755)
        path = folder / "secret.xlsx"
        shutil.copy(TEMPLATE, path)
        path.chmod(0)
        before = digest(path)
        done = subprocess.run(
            [*_nobody(), sys.executable, "-c", _AS_NOBODY.format(root=str(ROOT)), str(path)],
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert done.returncode == 0, done.stderr
        [[code, file, message]] = json.loads(done.stdout)
        assert (code, file) == ("READ014", "secret.xlsx")
        assert "ask its owner" in message and "read access" in message
        assert digest(path) == before and stat.S_IMODE(path.stat().st_mode) == 0
    finally:
        shutil.rmtree(folder)


# odd formats --------------------------------------------------------------------------------------


def _as_xlsb(source: Path, target: Path) -> Path:
    """``source``'s cells written as .xlsb by another writer (pyxlsbwriter)."""
    import python_calamine
    from pyxlsbwriter import XlsbWriter

    book = python_calamine.CalamineWorkbook.from_path(str(source))
    with XlsbWriter(str(target)) as writer:
        for name in book.sheet_names:
            writer.add_sheet(name, hidden=name == "_meta")
            writer.write_sheet(book.get_sheet_by_name(name).to_python(skip_empty_area=False))
    return target


def test_xlsb_reads_as_the_xlsx_it_was_made_from(demo_portfolio, tmp_path: Path):
    source = next(p for p in demo_portfolio.project_files if read_project_workbook(p).problems == [])
    path = _as_xlsb(source, tmp_path / "binary.xlsb")
    wb = read_unchanged(path)
    expected = read_project_workbook(source)
    assert wb.problems == []
    assert wb.project == expected.project
    assert [t.model_dump() for t in wb.plan] == [t.model_dump() for t in expected.plan]


def test_xlsb_with_a_value_in_the_last_cell_is_refused_not_aborted(tmp_path: Path):
    path = _as_xlsb(TEMPLATE, tmp_path / "last.xlsb")
    part = "xl/worksheets/sheet2.bin"  # Project
    with zipfile.ZipFile(path) as archive:
        data = bytearray(archive.read(part))
    # The last row header (record 0) moved to row 1,048,576 and its first text cell to column XFD.
    records = _record_offsets(bytes(data))
    last_row = [at for kind, at, _ in records if kind == 0][-1]
    struct.pack_into("<I", data, last_row, 1_048_575)
    cell = next(at for kind, at, size in records if at > last_row and kind in (6, 7) and size >= 4)
    struct.pack_into("<I", data, cell, 16_383)
    edit_part(path, tmp_path / "far.xlsb", part, lambda _: bytes(data))
    done = calamine_alone(tmp_path / "far.xlsb", "Project")
    assert done.returncode != 0 and "memory allocation" in done.stderr  # the danger is real
    result = read_in_child(tmp_path / "far.xlsb")
    assert result["peak"] < MEMORY_CEILING
    assert [p[:2] for p in result["problems"] if p[0] != "READ008"] == [["READ015", "Project"]]


def _record_offsets(body: bytes) -> list[tuple[int, int, int]]:
    """(record type, offset of its data, size) of each record of an .xlsb part (MS-XLSB 2.1.4)."""
    found, i = [], 0
    while i < len(body):
        kind = body[i] & 0x7F
        if body[i] & 0x80:
            i += 1
            kind |= (body[i] & 0x7F) << 7
        i += 1
        size = shift = 0
        while True:
            byte = body[i]
            i += 1
            size |= (byte & 0x7F) << shift
            shift += 7
            if not byte & 0x80:
                break
        found.append((kind, i, size))
        i += size
    return found


@pytest.mark.libreoffice
def test_ods_reads_as_the_xlsx_it_was_saved_from(demo_portfolio, tmp_path: Path):
    from pmo_logic.libreoffice import convert
    from pmo_logic.validate import workbook_files

    source = next(p for p in demo_portfolio.project_files if read_project_workbook(p).problems == [])
    copy = shutil.copy(source, tmp_path / "project.xlsx")
    [path] = convert([copy], tmp_path / "ods", "ods", recalculate=False)
    wb = read_unchanged(path)
    expected = read_project_workbook(source)
    assert wb.problems == []
    assert wb.project.project_id == expected.project.project_id
    assert [(t.id, t.start, t.finish) for t in wb.plan] == [(t.id, t.start, t.finish) for t in expected.plan]
    assert path in workbook_files([tmp_path / "ods"])  # consolidation picks it up


@pytest.mark.libreoffice
def test_ods_with_repeated_values_over_the_whole_sheet_is_too_large(tmp_path: Path):
    from pmo_logic.libreoffice import convert

    [ods] = convert([shutil.copy(TEMPLATE, tmp_path / "p.xlsx")], tmp_path / "ods", "ods", recalculate=False)

    def repeat(xml: bytes) -> bytes:
        start = xml.index(b'table:name="Project"')
        first_row = xml.index(b"<table:table-row", xml.index(b"</table:table-header-rows>", start))
        row = (b'<table:table-row table:number-rows-repeated="100000"><table:table-cell office:value-type="float"'
               b' office:value="1" table:number-columns-repeated="1000"><text:p>1</text:p></table:table-cell>'
               b"</table:table-row>")  # fmt: skip
        return xml[:first_row] + row + xml[first_row:]

    path = edit_part(ods, tmp_path / "repeated.ods", "content.xml", repeat)
    result = read_in_child(path)
    assert result["peak"] < MEMORY_CEILING
    [(code, sheet, message)] = result["problems"]
    assert (code, sheet) == ("READ015", "Project") and "limit" in message
