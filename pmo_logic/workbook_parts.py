"""What is inside a workbook file, checked before anything reads its cells.

A workbook is a zip of parts. Before python-calamine is given one, this module checks, with
bounded memory and without trusting what the zip declares:

- the number of parts, each part's size and the total, and how much a part inflates
  (a 2.5 MB file that inflates to 2.5 GB is "too large", not an out-of-memory kill);
- each part's checksum and length (a damaged part is named);
- that no XML part declares a DOCTYPE or entities (Excel never writes them; "billion laughs");
- each sheet's real data extent. python-calamine builds a dense grid over the bounding box of a
  sheet's value cells as soon as the sheet is fetched (``get_sheet_by_name``, before
  ``to_python`` or ``iter_rows`` are called; ``Range::from_sparse``, 32 bytes a cell), and a
  failed allocation aborts the process: one value typed in ``XFD1048576`` asks for 550 GB. A
  sheet whose box is too big is rewritten in memory with its empty rows and columns left out
  (`compact_sheet`), read, and put back at its real cells; only a sheet whose data itself is
  beyond the limits is refused.

The same pass finds the Excel error cells python-calamine reads as blanks, and merged ranges.
Sheets are scanned when the reader asks for them, so reading one small sheet (``_meta``) reads
only that part.
"""

from __future__ import annotations

import html
import io
import os
import posixpath
import re
import struct
import zipfile
import zlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import IO, Any

MB = 1 << 20
CHUNK = 1 << 20
EXCEL_ROWS = 1_048_576
EXCEL_COLUMNS = 16_384


@dataclass
class Limits:
    """What the reader accepts; generous for real workbooks (a 100,000-row plan reads).

    Tests lower them through `LIMITS` (module-level, read at each call).
    """

    file_bytes: int = 500 * MB
    part_bytes: int = 200 * MB
    total_bytes: int = 500 * MB
    parts: int = 10_000
    ratio: int = 200
    """A part larger than `ratio_from_bytes` may not inflate more than this (Excel's XML: 5 to 30)."""
    ratio_from_bytes: int = 20 * MB
    grid_cells: int = 5_000_000
    """The largest box of cells python-calamine is let allocate for one sheet (32 bytes a cell)."""
    sparse_from: int = 500_000
    """A box this large that is mostly empty (a stray value far from the table) is compacted too."""
    compact_part_bytes: int = 50 * MB
    """The largest sheet part rewritten in memory when its box is too big."""


LIMITS = Limits()


class WorkbookFault(Exception):
    """A reason the workbook (or one part of it) cannot be read. ``reason`` is one of
    ``too_large``, ``damaged``, ``entities``, ``incomplete``."""

    def __init__(self, reason: str, message: str, part: str = "", sheet: str = "") -> None:
        super().__init__(message)
        self.reason, self.part, self.sheet = reason, part, sheet
        self.scan: SheetScan | None = None


@dataclass
class SheetScan:
    """One sheet's part, as found by the scan."""

    name: str
    part: str
    rows: int = 0
    """1 + the last row index (0-based) holding a cell, 0 for an empty sheet; where `exact` is
    False, a bound only (no cell is below row 999 nor right of column AZ)."""
    exact: bool = True
    columns: int = 0
    box: int = 0
    """Cells of the box python-calamine would allocate (its value cells' bounding box)."""
    errors: dict[str, str] = field(default_factory=dict)
    merges: list[tuple[int, int, int, int]] = field(default_factory=list)
    """Merged ranges as (first row, first column, last row, last column), 0-based, inclusive."""
    row_numbers: list[int] = field(default_factory=list)
    """For a sheet to compact: its rows and columns (0-based) holding values, ascending."""
    column_numbers: list[int] = field(default_factory=list)
    positional: bool = False
    """Some cells have no address: their place is counted, as python-calamine does."""
    cells: int = 0
    compactable: bool = False
    """An .xlsx sheet whose value cells all have addresses: `compact_sheet` can rewrite it."""

    @property
    def compact(self) -> bool:
        """Read from a compacted copy: its box is too big, or big and mostly empty."""
        sparse = self.compactable and self.box > LIMITS.sparse_from and self.cells * 4 < self.box
        return self.box > LIMITS.grid_cells or sparse


def column_index(letters: bytes | str) -> int:
    """0-based column of ``"A"``, ``"XFD"``...

    >>> column_index("A"), column_index("AA"), column_index("XFD")
    (0, 26, 16383)
    """
    n = 0
    for ch in letters.encode() if isinstance(letters, str) else letters:
        n = n * 26 + ch - 64
    return n - 1


def column_letters(index: int) -> str:
    """``column_letters(0) == "A"``; the inverse of `column_index`."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def _cell(ref: bytes) -> tuple[int, int]:
    match = re.fullmatch(rb"([A-Z]+)([0-9]+)", ref)
    if match is None:
        raise ValueError(ref)
    return int(match.group(2)) - 1, column_index(match.group(1))


class WorkbookParts:
    """An open workbook file: its zip directory, checked; its parts, read with checks.

    The file handle stays open; python-calamine is given the same handle (`handle`), so what it
    reads is what was checked, even if the file is replaced meanwhile.
    """

    def __init__(self, handle: IO[bytes], size: int, limits: Limits | None = None) -> None:
        self.limits = limits or LIMITS
        self.handle = handle
        if size > self.limits.file_bytes:
            raise WorkbookFault(
                "too_large", f"the file is too large ({_size(size)}; the limit is {_size(self.limits.file_bytes)})"
            )
        entries = _declared_entries(handle, size)
        if entries is not None and entries > self.limits.parts:
            raise WorkbookFault(
                "too_large",
                f"the file holds {entries:,} parts (the limit is {self.limits.parts:,}): not a workbook Excel writes",
            )
        handle.seek(0)
        self.archive = zipfile.ZipFile(handle)
        self.infos = {info.filename: info for info in self.archive.infolist()}
        self._check_sizes()
        self.format = self._format()
        self._check_main_part()
        self.sheets: dict[str, SheetScan] = {}
        self.faults: dict[str, WorkbookFault] = {}
        self.sheet_parts: dict[str, str] = {}

    # the zip directory -------------------------------------------------------------------

    def _check_sizes(self) -> None:
        limits, total = self.limits, 0
        for name, info in self.infos.items():
            total += info.file_size
            if info.file_size > limits.part_bytes:
                raise WorkbookFault(
                    "too_large",
                    f"the part {name} would inflate to {_size(info.file_size)} "
                    f"(the limit is {_size(limits.part_bytes)} a part)",
                    part=name,
                )
            self._check_ratio(name, info.file_size, info.compress_size)
        if total > limits.total_bytes:
            raise WorkbookFault(
                "too_large", f"the workbook would inflate to {_size(total)} (the limit is {_size(limits.total_bytes)})"
            )

    def _check_ratio(self, name: str, inflated: int, compressed: int) -> None:
        if inflated > self.limits.ratio_from_bytes and inflated > self.limits.ratio * max(compressed, 1):
            raise WorkbookFault(
                "too_large",
                f"the part {name} inflates {inflated // max(compressed, 1):,} times "
                f"(to {_size(inflated)}): a zip bomb, not a workbook",
                part=name,
            )

    def _check_main_part(self) -> None:
        # Without its main part a file is no workbook, whatever else it holds: say so, rather
        # than "every sheet is missing" (a damaged save) or "not a workbook" (a Word document).
        main = {"ods": ("content.xml",), "xlsb": ("xl/workbook.bin",)}.get(self.format, ("xl/workbook.xml",))
        if not any(name in self.infos for name in main) and not any(
            name.endswith("/workbook.xml") for name in self.infos
        ):
            raise WorkbookFault(
                "damaged",
                f"the part {main[0]} is missing: this is not a workbook, or a damaged one (restore it from a backup)",
                part=main[0],
            )

    def _format(self) -> str:
        if "mimetype" in self.infos and self.read_part("mimetype", 200).startswith(
            b"application/vnd.oasis.opendocument.spreadsheet"
        ):
            return "ods"
        if "xl/workbook.bin" in self.infos:
            return "xlsb"
        return "xlsx"

    # parts ---------------------------------------------------------------------------------

    def inflate(self, name: str, consume: Callable[[bytes], None]) -> int:
        """Feed part ``name`` to ``consume`` in bounded chunks; checks its real length and CRC.

        The zip's declared sizes are not trusted: the raw stream is inflated here and counted.
        """
        info = self.infos[name]
        limit = min(self.limits.part_bytes, max(info.file_size, 0) if info.file_size else self.limits.part_bytes)
        if info.flag_bits & 0x1:
            raise WorkbookFault("damaged", f"the part {name} is encrypted", part=name)
        if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            return self._inflate_with_zipfile(info, consume)
        handle = self.handle
        handle.seek(info.header_offset)
        header = handle.read(30)
        if len(header) < 30 or header[:4] != b"PK\x03\x04":
            raise WorkbookFault("damaged", f"the part {name} is damaged (its header is missing)", part=name)
        name_length, extra_length = struct.unpack("<HH", header[26:30])
        handle.seek(info.header_offset + 30 + name_length + extra_length)
        remaining, size, crc = info.compress_size, 0, 0
        inflater = zlib.decompressobj(-15) if info.compress_type == zipfile.ZIP_DEFLATED else None
        try:
            while remaining:
                raw = handle.read(min(CHUNK, remaining))
                if not raw:
                    raise WorkbookFault("incomplete", f"the part {name} is cut short", part=name)
                remaining -= len(raw)
                while raw:
                    if inflater is None:
                        out, raw = raw, b""
                    else:
                        out = inflater.decompress(raw, CHUNK)
                        raw = inflater.unconsumed_tail
                    size += len(out)
                    if size > limit:
                        raise self._longer(name, info, size)
                    crc = zlib.crc32(out, crc)
                    consume(out)
            if inflater is not None:
                out = inflater.flush()
                size += len(out)
                if size > limit:
                    raise self._longer(name, info, size)
                crc = zlib.crc32(out, crc)
                consume(out)
                if not inflater.eof:
                    raise WorkbookFault("damaged", f"the part {name} is damaged (its data is cut short)", part=name)
        except zlib.error as exc:
            raise WorkbookFault("damaged", f"the part {name} is damaged ({exc})", part=name) from exc
        if size != info.file_size or crc != info.CRC:
            raise WorkbookFault("damaged", f"the part {name} is damaged (its checksum does not match)", part=name)
        return size

    def _longer(self, name: str, info: zipfile.ZipInfo, size: int) -> WorkbookFault:
        if size > self.limits.part_bytes:
            return WorkbookFault(
                "too_large",
                f"the part {name} inflates beyond {_size(self.limits.part_bytes)} "
                f"(it declares {_size(info.file_size)}): a zip bomb, not a workbook",
                part=name,
            )
        return WorkbookFault("damaged", f"the part {name} is damaged (longer than it declares)", part=name)

    def _inflate_with_zipfile(self, info: zipfile.ZipInfo, consume: Callable[[bytes], None]) -> int:
        # Other compressions (Excel never uses them): zipfile stops at the declared size and checks the CRC.
        size = 0
        try:
            with self.archive.open(info) as stream:
                while chunk := stream.read(CHUNK):
                    size += len(chunk)
                    consume(chunk)
        except (zipfile.BadZipFile, NotImplementedError, EOFError, zlib.error) as exc:
            raise WorkbookFault("damaged", f"the part {info.filename} is damaged ({exc})", part=info.filename) from exc
        return size

    def read_part(self, name: str, limit: int | None = None) -> bytes:
        """A small part's bytes (after `inflate`'s checks), refused when longer than ``limit``."""
        info = self.infos[name]
        if limit is not None and info.file_size > limit:
            raise WorkbookFault("too_large", f"the part {name} is too large ({_size(info.file_size)})", part=name)
        chunks: list[bytes] = []
        self.inflate(name, chunks.append)
        return b"".join(chunks)

    def check_xml(self, names: Iterable[str]) -> None:
        """Inflate and check each part in ``names``: length, CRC, no DOCTYPE."""
        for name in names:
            watch = _EntityWatch(name)
            self.inflate(name, watch.feed)

    def check_open_parts(self) -> None:
        """The parts python-calamine reads when it opens the workbook (all but the sheets, which
        are checked when read, and media, which it never reads)."""
        if self.format == "ods":
            self.check_xml(n for n in self.infos if n.endswith(".xml"))
            return
        sheets = "xl/worksheets/"
        self.check_xml(n for n in self.infos if n.endswith((".xml", ".rels")) and not n.startswith(sheets))
        if self.format == "xlsb":
            for name in self.infos:
                if name.endswith(".bin") and not name.startswith(sheets) and not name.endswith("vbaProject.bin"):
                    self.inflate(name, lambda _chunk: None)

    # sheets ------------------------------------------------------------------------------

    def sheet_part(self, name: str) -> str | None:
        """The zip part of sheet ``name`` (xlsx, xlsb), None where unknown."""
        if not self.sheet_parts and self.format in ("xlsx", "xlsb"):
            self.sheet_parts = self._sheet_parts()
        return self.sheet_parts.get(name)

    def _sheet_parts(self) -> dict[str, str]:
        if self.format == "xlsb":
            return _xlsb_sheet_parts(self)
        if "xl/workbook.xml" not in self.infos:
            raise WorkbookFault("damaged", "the part xl/workbook.xml is missing", part="xl/workbook.xml")
        workbook = self.read_part("xl/workbook.xml", 16 * MB)
        rels_name = "xl/_rels/workbook.xml.rels"
        rels_xml = self.read_part(rels_name, 16 * MB) if rels_name in self.infos else b""
        rels = {rid: target for rid, target in _REL.findall(rels_xml)}
        rels.update({rid: target for target, rid in _REL_REVERSED.findall(rels_xml)})
        parts = {}
        for raw_name, rid in _SHEET.findall(workbook):
            target = _unescape(rels.get(rid, b""))
            if target:
                member = (
                    target.lstrip("/") if target.startswith("/") else posixpath.normpath(posixpath.join("xl", target))
                )
                parts[_unescape(raw_name)] = member
        return parts

    def scan_sheet(self, name: str) -> SheetScan | None:
        """Scan sheet ``name`` once (None for a sheet whose part is not known: python-calamine
        then reads it as it would, a chart sheet or an .ods table being checked elsewhere)."""
        if name in self.faults:
            raise self.faults[name]
        if name in self.sheets:
            return self.sheets[name]
        part = self.sheet_part(name)
        if part is None or part not in self.infos:
            return None
        scan = SheetScan(name=name, part=part)
        if self.format == "xlsb":
            binary = _XlsbSheetScanner(scan)
            self.inflate(part, binary.feed)
            binary.close()
        else:
            first = _SheetScanner(scan)
            self.inflate(part, first.feed)
            first.close()
            scanner = _ExtentScanner(scan)
            near_box = _NEAR_ROWS * _NEAR_COLUMNS
            if first.far or near_box > min(self.limits.grid_cells, self.limits.sparse_from):
                self.inflate(part, scanner.feed)
                scanner.close()
            if scanner.positional:
                # Cells without an address: count their places as python-calamine does.
                counter = _PositionalScanner(scan)
                self.inflate(part, counter.feed)
                counter.close()
        try:
            self._check_box(scan)
        except WorkbookFault as exc:
            self.faults[name] = exc
            exc.scan = scan
            raise
        self.sheets[name] = scan
        return scan

    def _check_box(self, scan: SheetScan) -> None:
        if scan.rows > EXCEL_ROWS or scan.columns > EXCEL_COLUMNS:
            raise WorkbookFault(
                "damaged",
                f"the part {scan.part} has cells beyond Excel's last cell XFD1048576: not written by Excel",
                part=scan.part,
                sheet=scan.name,
            )
        if not scan.compact:
            return
        limits = self.limits
        compact_box = len(scan.row_numbers) * len(scan.column_numbers)
        if scan.positional or self.format != "xlsx" or compact_box > limits.grid_cells:
            raise WorkbookFault(
                "too_large",
                f"the sheet holds values over {scan.rows:,} rows and {scan.columns:,} "
                f"columns, more than can be read (the limit is {limits.grid_cells:,} cells)",
                part=scan.part,
                sheet=scan.name,
            )
        if self.infos[scan.part].file_size > limits.compact_part_bytes:
            raise WorkbookFault(
                "too_large",
                f"the sheet's part is too large to read with values so far apart "
                f"({_size(self.infos[scan.part].file_size)})",
                part=scan.part,
                sheet=scan.name,
            )

    def compact_book(self, names: Iterable[str]) -> io.BytesIO:
        """A copy of the workbook (its XML parts only) where the sheets ``names`` keep only their
        rows and columns holding values, renumbered from A1 (`SheetScan.row_numbers`...)."""
        rewrite = {self.sheets[n].part: self.sheets[n] for n in names}
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as copy:
            for part in self.infos:
                if not part.endswith((".xml", ".rels")) and part != "xl/workbook.bin":
                    continue
                data = self.read_part(part)
                if part in rewrite:
                    data = compact_sheet(data, rewrite[part])
                copy.writestr(part, data)
        out.seek(0)
        return out

    def ods_scan(self) -> dict[str, SheetScan]:
        """Every table of an .ods (python-calamine reads content.xml whole when it opens one)."""
        if not self.sheets and "content.xml" in self.infos:
            scanner = _OdsScanner()
            self.inflate("content.xml", scanner.feed)
            scanner.close()
            for scan in scanner.tables:
                try:
                    self._check_box(scan)
                except WorkbookFault as exc:
                    exc.scan = scan
                    raise
                self.sheets[scan.name] = scan
        return self.sheets


def compact_sheet(xml: bytes, scan: SheetScan) -> bytes:
    """Sheet XML with only the rows and columns holding values, renumbered from A1."""
    rows = {n + 1: i + 1 for i, n in enumerate(scan.row_numbers)}
    columns = {n: column_letters(j) for j, n in enumerate(scan.column_numbers)}

    def cell(match: re.Match[bytes]) -> bytes:
        r, c = int(match.group(3)), column_index(match.group(2))
        if r not in rows or c not in columns:
            return match.group(1) + b' r="A1"'  # not a value cell (found by the scan): never reached
        return match.group(1) + f' r="{columns[c]}{rows[r]}"'.encode()

    xml = _SELF_CLOSED_CELL.sub(b"", xml)  # styled empty cells carry no value
    xml = _DIMENSION.sub(b"", xml)
    xml = _MERGE_CELLS.sub(b"", xml)  # merges are kept by the scan, at their real cells
    xml = _ROW_NUMBER.sub(rb"\1", xml)
    return _CELL_REF.sub(cell, xml)


# scanners -------------------------------------------------------------------------------

_DOCTYPE = (b"<!DOCTYPE", b"<!ENTITY")
# A cell element and its address, written as Excel and every library write it: ``<c r="B7"``.
# Self-closed (empty, styled) cells are counted too: a generous bound, and cheaper to find.
_CELL = re.compile(rb'<c r="([A-Z]+)([0-9]+)"')
# Cells written otherwise (no address, another attribute first, a namespace prefix): python-calamine
# reads them all, so their places are then counted one by one (`_PositionalScanner`).
_ODD_CELL = re.compile(rb'<c(?=[\s/>])(?! r=")')
_FAR_OR_ODD_CELL = re.compile(rb'<c(?:(?=[\s/>])(?! r=")| r="(?:[A-Z]{3}|[B-Z][A-Z][0-9]|[A-Z]+[0-9]{4}))')
_NEAR_ROWS, _NEAR_COLUMNS = 999, 52
_PREFIXED_CELL = re.compile(rb":c[\s/>]")
_TOKEN = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?(row|c)(?=[\s/>])([^>]*)>")
_R_ATTR = re.compile(rb'\br="([A-Z]*)([0-9]*)"')
_ERROR_CELL = re.compile(
    rb'<c\b[^>]*?\br="([A-Z]+[0-9]+)"[^>]*?\bt="e"[^>]*>(?:<f\b[^>]*/>|<f\b[^>]*>[^<]*</f>)?(?:<v>([^<]*)</v>)?'
)
_MERGE = re.compile(rb'<(?:[A-Za-z_][\w.-]*:)?mergeCell\s[^>]*?\bref="([A-Z]+[0-9]+)(?::([A-Z]+[0-9]+))?"')
_SELF_CLOSED_CELL = re.compile(rb"<c\b[^>]*/>")
_DIMENSION = re.compile(rb"<dimension\b[^>]*/>")
_MERGE_CELLS = re.compile(rb"<mergeCells\b.*?</mergeCells>", re.DOTALL)
_ROW_NUMBER = re.compile(rb'(<row\b[^>]*?)\s+(?:r|spans)="[0-9:]*"')
_CELL_REF = re.compile(rb'(<c)\s+r="([A-Z]+)([0-9]+)"')
_SHEET = re.compile(rb'<sheet\b[^>]*?\bname="([^"]*)"[^>]*?\br:id="([^"]*)"')
_REL = re.compile(rb'<Relationship\b[^>]*?\bId="([^"]*)"[^>]*?\bTarget="([^"]*)"')
_REL_REVERSED = re.compile(rb'<Relationship\b[^>]*?\bTarget="([^"]*)"[^>]*?\bId="([^"]*)"')


def _unescape(raw: bytes) -> str:
    return html.unescape(raw.decode("utf-8", "replace"))


class _EntityWatch:
    """Refuses an XML part declaring a DOCTYPE or entities, whatever chunk they fall in."""

    def __init__(self, part: str) -> None:
        self.part, self.tail = part, b""

    def feed(self, chunk: bytes) -> None:
        if b"<!" in chunk or b"<!" in self.tail + chunk[:16]:
            text = self.tail + chunk
            if any(token in text for token in _DOCTYPE):
                raise WorkbookFault(
                    "entities",
                    f"the part {self.part} declares XML entities (a DOCTYPE), which Excel never writes: "
                    "the file was made to attack XML readers",
                    part=self.part,
                )
        self.tail = chunk[-16:]


class _Chunked:
    """Cuts a stream of XML into pieces that end before a tag, for the regular expressions."""

    def __init__(self, part: str) -> None:
        self.carry = b""
        self.watch = _EntityWatch(part)

    def feed(self, chunk: bytes) -> None:
        self.watch.feed(chunk)
        text = self.carry + chunk if self.carry else chunk
        cut = text.rfind(b"<c ")
        if cut <= 0:
            cut = text.rfind(b"<")
        if cut <= 0:
            self.carry = text
            return
        self.carry = text[cut:]
        self.piece(text[:cut])

    def close(self) -> None:
        if self.carry:
            self.piece(self.carry)
            self.carry = b""

    def piece(self, text: bytes) -> None:
        raise NotImplementedError


class _SheetScanner(_Chunked):
    """The first pass over a sheet's XML: error cells, merges, and whether any cell is far out
    (row 1000 or more, column BA or further) or written oddly. Most sheets are neither: their
    box is then at most 999 x 52 cells, known without reading each address."""

    def __init__(self, scan: SheetScan) -> None:
        super().__init__(scan.part)
        self.scan = scan
        self.far = False

    def piece(self, text: bytes) -> None:
        if not self.far and (_FAR_OR_ODD_CELL.search(text) or _PREFIXED_CELL.search(text)):
            self.far = True
        if b't="e"' in text:
            for ref, value in _ERROR_CELL.findall(text):
                self.scan.errors[ref.decode()] = value.decode() if value else "#ERROR"
        if b"mergeCell" in text:
            for first, last in _MERGE.findall(text):
                r0, c0 = _cell(first)
                r1, c1 = _cell(last) if last else (r0, c0)
                self.scan.merges.append((min(r0, r1), min(c0, c1), max(r0, r1), max(c0, c1)))

    def close(self) -> None:
        super().close()
        if not self.far:
            scan = self.scan
            scan.rows, scan.columns, scan.exact = _NEAR_ROWS, _NEAR_COLUMNS, False
            scan.box = _NEAR_ROWS * _NEAR_COLUMNS


class _ExtentScanner(_Chunked):
    """Every cell address of a sheet: its exact extent, and its rows and columns with values."""

    def __init__(self, scan: SheetScan) -> None:
        super().__init__(scan.part)
        self.scan = scan
        self.columns: set[bytes] = set()
        self.rows: set[bytes] = set()
        self.positional = False

    def piece(self, text: bytes) -> None:
        found = _CELL.findall(text)
        if found:
            self.scan.cells += len(found)
            columns, rows = zip(*found, strict=True)
            self.columns.update(columns)
            self.rows.update(rows)
        if not self.positional and (_ODD_CELL.search(text) or _PREFIXED_CELL.search(text)):
            self.positional = True

    def close(self) -> None:
        super().close()
        if self.positional or not self.rows:
            return
        scan = self.scan
        row_numbers = sorted(int(r) - 1 for r in self.rows)
        column_numbers = sorted(column_index(c) for c in self.columns)
        scan.rows, scan.columns = row_numbers[-1] + 1, column_numbers[-1] + 1
        scan.box = (row_numbers[-1] - row_numbers[0] + 1) * (column_numbers[-1] - column_numbers[0] + 1)
        scan.compactable = True
        if scan.compact:
            scan.row_numbers, scan.column_numbers = row_numbers, column_numbers


class _PositionalScanner(_Chunked):
    """Bounds the box of a sheet whose cells or rows lack addresses: python-calamine places such a
    cell after the previous one, and such a row after the previous one. The bound is generous
    (explicit extent plus every unaddressed row and the longest row), never short."""

    def __init__(self, scan: SheetScan) -> None:
        super().__init__(scan.part)
        self.scan = scan
        self.max_row = self.max_column = -1
        self.unaddressed_rows = 0
        self.row_cells = self.longest_row = 0

    def piece(self, text: bytes) -> None:
        for tag, attributes in _TOKEN.findall(text):
            ref = _R_ATTR.search(attributes)
            if tag == b"row":
                self.row_cells = 0
                if ref is None or not ref.group(2):
                    self.unaddressed_rows += 1
                else:
                    self.max_row = max(self.max_row, int(ref.group(2)) - 1)
                continue
            self.row_cells += 1
            self.longest_row = max(self.longest_row, self.row_cells)
            if ref is not None and ref.group(1) and ref.group(2):
                self.max_row = max(self.max_row, int(ref.group(2)) - 1)
                self.max_column = max(self.max_column, column_index(ref.group(1)))

    def close(self) -> None:
        super().close()
        scan = self.scan
        scan.positional = True
        scan.rows = self.max_row + 1 + self.unaddressed_rows
        scan.columns = self.max_column + 1 + self.longest_row
        scan.box = scan.rows * scan.columns


_ODS_TOKEN = re.compile(rb"<(/?)table:(table-row|table-cell|covered-table-cell|table)(?=[\s/>])([^>]*?)(/?)>")
_ODS_ATTR = re.compile(
    rb"table:(name|number-rows-repeated|number-columns-repeated|number-columns-spanned|"
    rb'number-rows-spanned)="([^"]*)"|(office:value-type)="'
)


class _OdsScanner:
    """The box of each table of an .ods content.xml, counting repeated rows and cells as
    python-calamine expands them; merged (spanned) cells too."""

    def __init__(self) -> None:
        self.tables: list[SheetScan] = []
        self.carry = b""
        self.watch = _EntityWatch("content.xml")
        self.table: SheetScan | None = None
        self.row = self.column = 0
        self.row_repeat = 1
        self.row_has_value = False
        self.row_max_column = -1
        self.cell_open: tuple[int, int] | None = None

    def feed(self, chunk: bytes) -> None:
        self.watch.feed(chunk)
        text = self.carry + chunk
        cut = text.rfind(b"<")
        if cut <= 0:
            self.carry = text
            return
        self.carry = text[cut:]
        self.piece(text[:cut])

    def close(self) -> None:
        self.piece(self.carry)
        self.carry = b""

    def piece(self, text: bytes) -> None:
        for closing, tag, attributes, empty in _ODS_TOKEN.findall(text):
            if closing:
                if tag == b"table-row":
                    self.end_row()
                elif tag == b"table" and self.table is not None:
                    self.tables.append(self.table)
                    self.table = None
                elif tag == b"table-cell" and self.cell_open is not None:
                    self.value(*self.cell_open)
                    self.cell_open = None
                continue
            values = {m[0]: m[1] for m in _ODS_ATTR.findall(attributes) if m[0]}
            has_type = b"office:value-type=" in attributes
            if tag == b"table":
                self.table = SheetScan(name=_unescape(values.get(b"name", b"")), part="content.xml")
                self.row = 0
            elif tag == b"table-row":
                self.row_repeat = _int(values.get(b"number-rows-repeated"), 1)
                self.column, self.row_has_value, self.row_max_column = 0, False, -1
                if empty:
                    self.row += self.row_repeat
            else:
                repeat = _int(values.get(b"number-columns-repeated"), 1)
                span_columns = _int(values.get(b"number-columns-spanned"), 1)
                span_rows = _int(values.get(b"number-rows-spanned"), 1)
                if (span_columns > 1 or span_rows > 1) and self.table is not None:
                    self.table.merges.append(
                        (self.row, self.column, self.row + span_rows - 1, self.column + span_columns - 1)
                    )
                if has_type:
                    self.value(self.column, repeat)
                elif not empty and tag == b"table-cell":
                    self.cell_open = (self.column, repeat)  # text without a type: a value if not empty
                self.column += repeat

    def value(self, column: int, repeat: int) -> None:
        self.row_has_value = True
        self.row_max_column = max(self.row_max_column, column + repeat - 1)

    def end_row(self) -> None:
        table = self.table
        if table is not None and self.row_has_value:
            table.rows = self.row + self.row_repeat
            table.columns = max(table.columns, self.row_max_column + 1)
            table.box = table.rows * table.columns
        self.row += self.row_repeat


def _int(raw: bytes | None, default: int) -> int:
    try:
        return max(int(raw), 1) if raw else default
    except ValueError:
        return default


# .xlsb (binary records) -----------------------------------------------------------------

_XLSB_ROW = 0x0000
_XLSB_CELLS = set(range(0x0001, 0x000C))  # BrtCellBlank .. BrtFmlaError: the column first
_XLSB_SHORT_CELLS = set(range(0x000C, 0x0013))  # BrtShortBlank .. BrtShortIsst: no column
_XLSB_BUNDLE_SHEET = 0x009C


def _records(data: bytes | bytearray) -> Iterable[tuple[int, bytes | bytearray]]:
    i, n = 0, len(data)
    while i < n:
        kind = data[i] & 0x7F
        if data[i] & 0x80:
            i += 1
            kind |= (data[i] & 0x7F) << 7
        i += 1
        size = shift = 0
        for _ in range(4):
            byte = data[i]
            i += 1
            size |= (byte & 0x7F) << shift
            shift += 7
            if not byte & 0x80:
                break
        yield kind, data[i : i + size]
        i += size


class _XlsbSheetScanner:
    """The box of an .xlsb sheet: rows from BrtRowHdr, columns from each cell record (a "short"
    cell record has no column: it follows the previous cell)."""

    def __init__(self, scan: SheetScan) -> None:
        self.scan = scan
        self.data = bytearray()

    def feed(self, chunk: bytes) -> None:
        # A sheet part is bounded by the limits, and .xlsb is rare: kept whole, then read once.
        self.data += chunk

    def close(self) -> None:
        row = column = -1
        first_row = first_column = EXCEL_ROWS * EXCEL_COLUMNS
        max_row = max_column = -1
        try:
            for kind, body in _records(self.data):
                if kind == _XLSB_ROW and len(body) >= 4:
                    row, column = struct.unpack_from("<I", body)[0], -1
                    continue
                if kind in _XLSB_CELLS and len(body) >= 4:
                    column = struct.unpack_from("<I", body)[0]
                elif kind in _XLSB_SHORT_CELLS:
                    column += 1
                else:
                    continue
                if kind in (0x0001, 0x000C):  # blank cells hold no value
                    continue
                max_row, max_column = max(max_row, row), max(max_column, column)
                first_row, first_column = min(first_row, row), min(first_column, column)
        except IndexError as exc:
            raise WorkbookFault(
                "damaged",
                f"the part {self.scan.part} is damaged (a record is cut short)",
                part=self.scan.part,
                sheet=self.scan.name,
            ) from exc
        self.data = bytearray()
        if max_row >= 0:
            self.scan.rows, self.scan.columns = max_row + 1, max_column + 1
            self.scan.box = (max_row - max(first_row, 0) + 1) * (max_column - max(first_column, 0) + 1)


def _xlsb_sheet_parts(parts: WorkbookParts) -> dict[str, str]:
    workbook = parts.read_part("xl/workbook.bin", 16 * MB)
    rels_name = "xl/_rels/workbook.bin.rels"
    rels_xml = parts.read_part(rels_name, 16 * MB) if rels_name in parts.infos else b""
    rels = {_unescape(rid): _unescape(target) for rid, target in _REL.findall(rels_xml)}
    rels.update({_unescape(rid): _unescape(target) for target, rid in _REL_REVERSED.findall(rels_xml)})
    found = {}
    for kind, body in _records(workbook):
        if kind != _XLSB_BUNDLE_SHEET or len(body) < 12:
            continue
        try:
            rid, at = _wide_string(body, 8)
            name, _ = _wide_string(body, at)
        except (struct.error, UnicodeDecodeError, IndexError):
            continue
        target = rels.get(rid, "")
        if target:
            found[name] = (
                target.lstrip("/") if target.startswith("/") else posixpath.normpath(posixpath.join("xl", target))
            )
    return found


def _wide_string(body: bytes, at: int) -> tuple[str, int]:
    (length,) = struct.unpack_from("<I", body, at)
    start = at + 4
    if length == 0xFFFFFFFF:
        return "", start
    end = start + 2 * length
    if end > len(body):
        raise IndexError(at)
    return body[start:end].decode("utf-16-le"), end


# the zip's end record -------------------------------------------------------------------


def _declared_entries(handle: IO[bytes], size: int) -> int | None:
    """The number of parts the zip's end record declares, read before zipfile lists them all."""
    tail_size = min(size, 22 + 65_535)
    handle.seek(size - tail_size)
    tail = handle.read(tail_size)
    at = tail.rfind(b"PK\x05\x06")
    if at < 0 or at + 22 > len(tail):
        return None
    entries = struct.unpack_from("<H", tail, at + 10)[0]
    if entries == 0xFFFF and at >= 20 and tail[at - 20 : at - 16] == b"PK\x06\x07":
        offset = struct.unpack_from("<Q", tail, at - 12)[0]
        handle.seek(offset)
        record = handle.read(56)
        if record[:4] == b"PK\x06\x06" and len(record) == 56:
            return struct.unpack_from("<Q", record, 32)[0]
    return entries


def _size(n: int) -> str:
    return f"{n / MB:,.0f} MB" if n >= MB else f"{n:,} bytes"


def open_parts(path: Any, limits: Limits | None = None) -> WorkbookParts:
    """`WorkbookParts` of the file at ``path`` (its handle is closed by the caller: ``.handle``)."""
    handle = open(path, "rb")  # noqa: SIM115 - kept open for python-calamine, closed by the reader
    try:
        return WorkbookParts(handle, os.fstat(handle.fileno()).st_size, limits)
    except BaseException:
        handle.close()
        raise
