"""The fault corpus: one thing wrong at a time, and the portfolio run goes on.

Each case starts from the same three demo project workbooks, changes one thing (most often one
zip part of one workbook, otherwise the folder, the snapshots or the output place), runs
``pmo consolidate`` in a child process as a user would, and asserts:

- no traceback reaches the user, and the exit code is the one README states;
- the faulty file is a *Load problems* row whose reason says what really happened;
- the other projects are consolidated all the same;
- no source file changed (SHA-256 before and after);
- the run's peak memory stayed bounded.

Faults are injected for real where the machine allows: a non-root user for permissions
(``setpriv``; CI runs as root), files renamed away during the run, several processes writing at
once, a small tmpfs for a full disk, SIGKILL during a write.
"""

from __future__ import annotations

import csv
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import textwrap
import time
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
STATUS_DATE = "2026-11-20"
FAULTY = "CP-001 Customer portal.xlsx"
HEALTHY = ("DW-001 Laptop refresh.xlsx", "UF-001 Ligne d'assemblage 4.xlsx")
HEALTHY_IDS = {"DW-001", "UF-001"}
MEMORY_LIMIT_MB = 500 + 300  # one workbook's bound plus the interpreter, pandas and the writers
# Root without the two capabilities that let it ignore file modes reads and writes as any user
# would (CI runs as root; the interpreter under /root stays usable, as it would not for nobody).
AS_A_USER = ["setpriv", "--bounding-set=-dac_override,-dac_read_search"]

# ---------------------------------------------------------------------------------------------
# Building the cases


def rewrite_part(path: Path, member: str, change: Callable[[bytes], bytes] | None) -> None:
    """``path`` with one zip member changed (``change`` returns the new bytes), or removed (None)."""
    with zipfile.ZipFile(path) as source:
        items = [(info, source.read(info.filename)) for info in source.infolist()]
    tmp = path.with_suffix(".tmp")
    with zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as target:
        for info, data in items:
            if info.filename == member:
                if change is None:
                    continue
                data = change(data)
            target.writestr(info, data)
    tmp.replace(path)


def add_part(path: Path, member: str, data: bytes, *, compress: int = zipfile.ZIP_DEFLATED) -> None:
    with zipfile.ZipFile(path, "a", compress) as archive:
        archive.writestr(member, data)


def sheet_part(path: Path, sheet: str) -> str:
    """The zip member holding the sheet named ``sheet``."""
    with zipfile.ZipFile(path) as archive:
        workbook = archive.read("xl/workbook.xml").decode()
        rels = archive.read("xl/_rels/workbook.xml.rels").decode()
    rid = re.search(rf'<sheet [^>]*name="{re.escape(sheet)}"[^>]*r:id="([^"]+)"', workbook).group(1)
    target = re.search(rf'<Relationship [^>]*Id="{rid}"[^>]*Target="([^"]+)"', rels)
    if target is None:
        target = re.search(rf'<Relationship [^>]*Target="([^"]+)"[^>]*Id="{rid}"', rels)
    name = target.group(1)
    return name.lstrip("/") if name.startswith("/") else "xl/" + name


def shared_string(path: Path, old: str, new: str) -> None:
    """Replace a shared string (a cell's text) in the workbook."""
    rewrite_part(path, "xl/sharedStrings.xml", lambda xml: xml.replace(f">{old}<".encode(), f">{new}<".encode(), 1))


def xml_escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


@dataclass
class Case:
    name: str
    family: str  # security, format, fault
    make: Callable[[Path], None]
    """Changes the run folder (``run/projects``, ``run/out``...) before the run."""
    exit_code: int | None = None
    """README's exit code: 1 when a workbook could not be consolidated (a *Load problems* error),
    0 when every one was; 2 for usage or environment (an output that cannot be written)."""
    reason: str | None = None
    """A regular expression the faulty file's *Load problems* reason must match (None: no row expected)."""
    consolidated: set[str] = field(default_factory=lambda: set(HEALTHY_IDS))
    """Projects that must be in the roll-up."""
    during: Callable[[Path, subprocess.Popen], None] | None = None
    """Acts on the folder while the run goes on."""
    args: tuple[str, ...] = ()
    as_a_user: bool = False
    check: Callable[[Path, subprocess.CompletedProcess], None] | None = None
    """Further assertions on the run folder and the finished process."""
    sources_may_change: bool = False
    reason_anywhere: bool = False
    """The reason is on a row of its own (a folder), not on the faulty file's."""

    def __post_init__(self) -> None:
        if self.exit_code is None:
            self.exit_code = 1 if self.reason is not None else 0


def faulty(run: Path) -> Path:
    return run / "projects" / FAULTY


def xml_part(member: str, change: Callable[[bytes], bytes]) -> Callable[[Path], None]:
    return lambda run: rewrite_part(faulty(run), member, change)


def sheet_xml(sheet: str, change: Callable[[bytes], bytes]) -> Callable[[Path], None]:
    return lambda run: rewrite_part(faulty(run), sheet_part(faulty(run), sheet), change)


def replace_file(data: bytes) -> Callable[[Path], None]:
    return lambda run: faulty(run).write_bytes(data)


BILLION_LAUGHS = (
    b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
    + b"".join(b'<!ENTITY lol%d "%s">' % (i, (b"&lol%d;" % (i - 1) if i > 1 else b"&lol;") * 10) for i in range(1, 10))
    + b']><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="1" uniqueCount="1">'
    b"<si><t>&lol9;</t></si></sst>"
)
XXE = (
    b'<?xml version="1.0"?><!DOCTYPE sst [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
    b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="1" uniqueCount="1">'
    b"<si><t>&xxe;</t></si></sst>"
)


def stray_value_in_last_cell(xml: bytes) -> bytes:
    cell = b'<row r="1048576"><c r="XFD1048576" t="inlineStr"><is><t>x</t></is></c></row>'
    return xml.replace(b"</sheetData>", cell + b"</sheetData>").replace(
        b'<dimension ref="', b'<dimension ref="A1:XFD1048576" old="'
    )


def zip_bomb(run: Path) -> None:
    # 2.5 GB of zeros would take the test seconds to compress; 600 MB declared in a few hundred
    # KB says the same to a reader that checks what it is about to inflate.
    path = faulty(run)
    member = sheet_part(path, "Plan")
    with zipfile.ZipFile(path) as source:
        items = [(info, source.read(info.filename)) for info in source.infolist()]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as target:
        for info, data in items:
            if info.filename != member:
                target.writestr(info, data)
        with target.open(zipfile.ZipInfo(member), "w", force_zip64=True) as handle:
            handle.write(data.split(b"<sheetData>")[0] + b"<sheetData>")
            row = b'<row r="%d"><c r="A%d" t="inlineStr"><is><t>' + b" " * 4000 + b"</t></is></c></row>"
            for r in range(1, 150_001):
                handle.write(row % (r, r))
            handle.write(b"</sheetData></worksheet>")


def truncate(fraction: float) -> Callable[[Path], None]:
    def make(run: Path) -> None:
        data = faulty(run).read_bytes()
        faulty(run).write_bytes(data[: int(len(data) * fraction)])

    return make


def bad_crc(run: Path) -> None:
    # Flip a byte inside the Plan sheet's compressed data: zipfile finds the CRC wrong on reading.
    path = faulty(run)
    member = sheet_part(path, "Plan")
    with zipfile.ZipFile(path) as archive:
        info = archive.getinfo(member)
    data = bytearray(path.read_bytes())
    start = info.header_offset + 30 + len(info.filename.encode()) + len(info.extra)
    data[start + info.compress_size // 2] ^= 0xFF
    path.write_bytes(bytes(data))


def header_row_far_down(xml: bytes) -> bytes:
    # Thirty-five rows inserted above the Plan's table: its header row moves to row 37.
    def shift(match: re.Match) -> bytes:
        return match.group(1) + str(int(match.group(2)) + 35).encode()

    xml = re.sub(rb'(<row r=")(\d+)', shift, xml)
    xml = re.sub(rb'(<c r="[A-Z]+)(\d+)', shift, xml)
    xml = re.sub(rb'(ref="[A-Z]+)(\d+)', shift, xml)
    xml = re.sub(rb'(:[A-Z]+)(\d+")', lambda m: m.group(1) + str(int(m.group(2)[:-1]) + 35).encode() + b'"', xml)
    return xml


def snapshot_folder(run: Path, name: str, manifest: str | None) -> Path:
    folder = run / "projects" / "snapshots" / name  # where a run without a portfolio workbook keeps them
    folder.mkdir(parents=True)
    if manifest is not None:
        (folder / "manifest.json").write_text(manifest, encoding="utf-8")
    return folder


def plant_pickle(folder: Path, marker: Path) -> None:
    """A pickle that creates ``marker`` when loaded, with an index naming it for every workbook."""
    folder.mkdir(parents=True, exist_ok=True)
    payload = b"cos\nsystem\n(S'touch " + str(marker).encode() + b"'\ntR."  # protocol 0: os.system("touch marker")
    index = {}
    for name in (FAULTY, *HEALTHY):
        key = hashlib.sha256(name.encode()).hexdigest()[:24] + ".pkl"
        (folder / key).write_bytes(payload)
    for path in (folder.parent / "projects").glob("*.xlsx"):
        stat = path.stat()
        key = hashlib.sha256(str(path.resolve()).encode()).hexdigest()[:24] + ".pkl"
        (folder / key).write_bytes(payload)
        index[str(path.resolve())] = {"size": stat.st_size, "mtime_ns": stat.st_mtime_ns, "sha256": "",
                                      "file": key, "context": "x"}  # fmt: skip
    (folder / "index.json").write_text(json.dumps(index), encoding="utf-8")


def no_marker(run: Path, done: subprocess.CompletedProcess) -> None:
    assert not (run / "pwned").exists(), "a planted pickle ran"


def no_formula_in_outputs(run: Path, done: subprocess.CompletedProcess) -> None:
    for path in (run / "out" / "csv").glob("*.csv"):
        with path.open(encoding="utf-8-sig", newline="") as handle:
            for row in csv.reader(handle):
                for value in row:
                    for piece in re.split(r"[;,\t\r\n]", value):
                        assert not piece.startswith(("=", "+", "@")), f"{path.name}: {value!r}"
    with zipfile.ZipFile(run / "out" / "rollup.xlsx") as archive:
        for name in archive.namelist():
            if name.endswith(".xml"):
                for formula in re.findall(rb"<f>([^<]*)</f>", archive.read(name)):
                    assert b"cmd" not in formula and b"SUM(1)" not in formula, (name, formula)


def rows_of(run: Path, table: str) -> list[dict[str, str]]:
    path = run / "out" / "csv" / f"{table}.csv"
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


def snapshot_saved(run: Path, done: subprocess.CompletedProcess) -> None:
    saved = [p for p in (run / "projects" / "snapshots").iterdir() if p.name.startswith(STATUS_DATE)]
    assert saved and all((p / "manifest.json").exists() for p in saved), "the new snapshot was not saved"


def bad_snapshot_named(name: str) -> Callable[[Path, subprocess.CompletedProcess], None]:
    def check(run: Path, done: subprocess.CompletedProcess) -> None:
        snapshot_saved(run, done)
        assert name in done.stdout + done.stderr, f"the bad snapshot {name} is not named"

    return check


def vanish_for_a_moment(run: Path, process: subprocess.Popen) -> None:
    # What Excel does when it saves: the file disappears for a moment, then comes back under its
    # name. Again and again while the run lasts, so that one of them falls in the middle of it.
    path, aside = faulty(run), faulty(run).with_name("~tmp1234.tmp")
    deadline = time.monotonic() + 20
    while process.poll() is None and time.monotonic() < deadline:
        try:
            path.rename(aside)
            time.sleep(0.2)
            aside.rename(path)
        except FileNotFoundError:
            pass
        time.sleep(1.2)


def output_place_is(kind: str) -> Callable[[Path], None]:
    def make(run: Path) -> None:
        out = run / "out"
        if kind == "readonly":
            out.chmod(0o555)
        elif kind == "tmpfs":
            subprocess.run(["mount", "-t", "tmpfs", "-o", "size=16k", "tmpfs", str(out)], check=True)

    return make


# ---------------------------------------------------------------------------------------------
# The corpus

CASES = [
    # --- security --------------------------------------------------------------------------
    Case(
        "pickle planted in the old shared cache",
        "security",
        lambda run: plant_pickle(run / ".pmo-cache", run / "pwned"),
        exit_code=0,
        reason=None,
        consolidated={"CP-001", *HEALTHY_IDS},
        check=no_marker,
    ),
    Case(
        "pickle planted in the project folder's cache",
        "security",
        lambda run: plant_pickle(run / "projects" / ".pmo-cache", run / "pwned"),
        exit_code=0,
        reason=None,
        consolidated={"CP-001", *HEALTHY_IDS},
        check=no_marker,
    ),
    Case(
        "billion laughs in the shared strings",
        "security",
        xml_part("xl/sharedStrings.xml", lambda xml: BILLION_LAUGHS),
        reason=r"(?i)entit|DOCTYPE|damaged",
    ),
    Case(
        "external entity (XXE) in the shared strings",
        "security",
        xml_part("xl/sharedStrings.xml", lambda xml: XXE),
        reason=r"(?i)entit|DOCTYPE|damaged",
    ),
    Case(
        "DOCTYPE in a sheet",
        "security",
        sheet_xml("Plan", lambda xml: xml.replace(b"?>", b'?><!DOCTYPE x [<!ENTITY a "b">]>', 1)),
        reason=r"(?i)entit|DOCTYPE|damaged",
    ),
    Case(
        "entity in the document properties",
        "security",
        xml_part("docProps/custom.xml", lambda xml: xml.replace(b"?>", b'?><!DOCTYPE x [<!ENTITY a "b">]>', 1)),
        reason=r"(?i)entit|DOCTYPE",
    ),
    Case("zip bomb: a part that inflates to 600 MB", "security", zip_bomb, reason=r"(?i)too large|size|limit"),
    Case(
        "a value in the sheet's last cell XFD1048576",
        "security",
        sheet_xml("Risks", stray_value_in_last_cell),
        reason=None,
        consolidated={"CP-001", *HEALTHY_IDS},
    ),
    Case(
        "formula in a risk title",
        "security",
        lambda run: shared_string(
            faulty(run), "Security audit finds blocking issues", xml_escape("x;=cmd|' /C calc'!A0;x")
        ),
        reason=None,
        consolidated={"CP-001", *HEALTHY_IDS},
        check=no_formula_in_outputs,
    ),
    Case(
        "Project ID starting with =",
        "security",
        lambda run: shared_string(faulty(run), "CP-001", "=SUM(1)"),
        reason=None,
        consolidated={"=SUM(1)", *HEALTHY_IDS},
        check=no_formula_in_outputs,
    ),
    Case(
        "programme name starting with @",
        "security",
        lambda run: shared_string(faulty(run), "Customer Platform", "@SUM(1)"),
        reason=None,
        consolidated={"CP-001", *HEALTHY_IDS},
        check=no_formula_in_outputs,
    ),
    Case(
        "a VBA project in an .xlsx",
        "security",
        lambda run: add_part(faulty(run), "xl/vbaProject.bin", b"\xd0\xcf\x11\xe0" + b"\0" * 512),
        reason=None,
        consolidated={"CP-001", *HEALTHY_IDS},
    ),
    Case(
        "a zip member named ../../escape",
        "security",
        lambda run: add_part(faulty(run), "../../escape.txt", b"x"),
        reason=None,
        consolidated={"CP-001", *HEALTHY_IDS},
        check=lambda run, done: not (run.parent / "escape.txt").exists() or pytest.fail("a member was extracted"),
    ),
    # --- formats ---------------------------------------------------------------------------
    Case("empty file", "format", replace_file(b""), reason=r"(?i)empty"),
    Case(
        "old .xls bytes under .xlsx",
        "format",
        replace_file(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600),
        reason=r"(?i)97-2003|\.xls",
    ),
    Case(
        "password-protected",
        "format",
        replace_file(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100 + "EncryptionInfo".encode("utf-16-le")),
        reason=r"(?i)password",
    ),
    Case(
        "plain text named .xlsx",
        "format",
        replace_file(b"Project;Budget\nCP-001;100\n"),
        reason=r"(?i)not an excel|not a valid",
    ),
    Case(
        "a Word document named .xlsx",
        "format",
        lambda run: (faulty(run).unlink(), zipfile.ZipFile(faulty(run), "w").writestr("word/document.xml", "<w/>")),
        reason=r"(?i)not an excel|not a (valid|project)|damaged",
    ),
    Case(
        "half-written: the first half of the file",
        "format",
        truncate(0.5),
        reason=r"(?i)half|truncat|damaged|incomplete|being saved",
    ),
    Case(
        "half-written: all but the last bytes",
        "format",
        truncate(0.98),
        reason=r"(?i)half|truncat|damaged|incomplete|being saved",
    ),
    Case("bad CRC in the Plan sheet", "format", bad_crc, reason=r"(?i)damaged|CRC|corrupt"),
    Case(
        "Plan sheet XML that does not parse",
        "format",
        sheet_xml("Plan", lambda xml: xml[: len(xml) // 2]),
        reason=r"(?i)damaged|Plan|xml",
    ),
    Case("workbook.xml missing", "format", xml_part("xl/workbook.xml", None), reason=r"(?i)damaged|workbook\.xml"),
    Case(
        "shared strings missing",
        "format",
        xml_part("xl/sharedStrings.xml", None),
        reason=r"(?i)damaged|sharedStrings|Project ID",
    ),
    Case(
        "styles missing",
        "format",
        xml_part("xl/styles.xml", None),
        reason=None,
        consolidated={"CP-001", *HEALTHY_IDS},
    ),
    # Read all the same: python-calamine needs no content types, and the PMO gets the project.
    Case(
        "content types missing", "format", xml_part("[Content_Types].xml", None), consolidated={"CP-001", *HEALTHY_IDS}
    ),
    Case(
        "Plan sheet removed",
        "format",
        xml_part("xl/workbook.xml", lambda xml: re.sub(rb'<sheet [^>]*name="Plan"[^>]*/>', b"", xml)),
        reason=r"(?i)Plan",
    ),
    Case(
        "Plan header row at row 37",
        "format",
        sheet_xml("Plan", header_row_far_down),
        reason=None,
        consolidated={"CP-001", *HEALTHY_IDS},
        check=lambda run, done: _has_tasks(run, "CP-001"),
    ),
    Case(
        "text where the BAC number was",
        "format",
        sheet_xml(
            "Project",
            lambda xml: re.sub(
                rb'<c r="B14"([^>]*)><v>[^<]*</v></c>',
                rb'<c r="B14"\1 t="inlineStr"><is><t>a million</t></is></c>',
                xml,
            ),
        ),
        reason=None,
        consolidated={"CP-001", *HEALTHY_IDS},
    ),
    Case(
        "Excel error cells (#REF!)",
        "format",
        sheet_xml(
            "Plan",
            lambda xml: re.sub(
                rb'(<c r="K5"[^>]*?)(?: t="[a-z]+")?>(.*?)</c>', rb'\1 t="e"><v>#REF!</v></c>', xml, count=1
            ),
        ),
        reason=None,
        consolidated={"CP-001", *HEALTHY_IDS},
    ),
    Case(
        "duplicate Project ID",
        "format",
        lambda run: shutil.copy(faulty(run), faulty(run).with_name("CP-001 copy.xlsx")),
        reason=r"(?i)also in|duplicate",
        consolidated={"CP-001", *HEALTHY_IDS},
    ),
    Case("no Project ID", "format", lambda run: shared_string(faulty(run), "CP-001", ""), reason=r"(?i)no project id"),
    Case(
        "an OpenDocument copy (.ods)",
        "format",
        lambda run: _to_ods(faulty(run)),
        reason=None,
        consolidated={"CP-001", *HEALTHY_IDS},
    ),
    # --- faults ----------------------------------------------------------------------------
    Case(
        "workbook without read permission",
        "fault",
        lambda run: faulty(run).chmod(0),
        reason=r"(?i)permission|access",
        as_a_user=True,
    ),
    Case(
        "unreadable sub-folder",
        "fault",
        lambda run: _hidden_folder(run),
        reason=r"(?i)cannot list folder .*locked.*permission",
        reason_anywhere=True,
        as_a_user=True,
    ),
    Case(
        "project folder read-only for the analyst",
        "fault",
        lambda run: (run / "projects").chmod(0o555),
        reason=None,
        consolidated={"CP-001", *HEALTHY_IDS},
        as_a_user=True,
        check=lambda run, done: _nothing_new_in(run / "projects"),
    ),
    Case(
        "a workbook renamed away and back during the run",
        "fault",
        # Excel holds its lock file while the workbook is open and being saved.
        lambda run: faulty(run).with_name("~$" + FAULTY).write_bytes(b"lock"),
        reason=None,
        consolidated={"CP-001", *HEALTHY_IDS},
        during=vanish_for_a_moment,
    ),
    Case(
        "a bad snapshot: half-written manifest",
        "fault",
        lambda run: snapshot_folder(run, "2026-10-20", '{"format": "pmo-xl snapshot", "status_'),
        reason=None,
        consolidated={"CP-001", *HEALTHY_IDS},
        args=("--snapshot",),
        check=bad_snapshot_named("2026-10-20"),
    ),
    Case(
        "a bad snapshot: impossible date and text for a number",
        "fault",
        lambda run: snapshot_folder(
            run,
            "2026-10-21",
            json.dumps(
                {
                    "format": "pmo-xl snapshot",
                    "format_version": "one",
                    "status_date": "2026-13-45",
                    "tables": {"projects": {"file": "../../../etc/passwd", "rows": "many"}},
                }
            ),
        ),
        reason=None,
        consolidated={"CP-001", *HEALTHY_IDS},
        args=("--snapshot",),
        check=bad_snapshot_named("2026-10-21"),
    ),
    Case(
        "a read-only output folder",
        "fault",
        output_place_is("readonly"),
        exit_code=2,
        reason=None,
        consolidated=set(),
        as_a_user=True,
    ),
    Case("a full disk for the output", "fault", output_place_is("tmpfs"), exit_code=2, reason=None, consolidated=set()),
]


def _has_tasks(run: Path, project_id: str) -> None:
    projects = {r["project_id"]: r for r in rows_of(run, "projects")}
    assert float(projects[project_id]["bac"] or 0) > 0, "the Plan below row 30 was not read"


def _nothing_new_in(folder: Path) -> None:
    names = {p.name for p in folder.iterdir()}
    assert names == {FAULTY, *HEALTHY}, f"written into the project folder: {names - {FAULTY, *HEALTHY}}"


def _hidden_folder(run: Path) -> None:
    sub = run / "projects" / "locked"
    sub.mkdir()
    shutil.move(faulty(run), sub / FAULTY)
    sub.chmod(0)


def _to_ods(path: Path) -> None:
    from pmo_logic.libreoffice import convert

    (written,) = convert([path], path.parent, "ods")
    path.unlink()
    assert written.suffix == ".ods"


# ---------------------------------------------------------------------------------------------
# Running them


@pytest.fixture(scope="module")
def demo_projects(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from pmo_logic.demo import build_demo_portfolio

    demo = build_demo_portfolio(tmp_path_factory.mktemp("corpus-demo"))
    return demo.folder / "projects"


def digests(folder: Path) -> dict[str, str]:
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file() and os.access(p, os.R_OK)}  # fmt: skip


RUNNER = textwrap.dedent(
    """
    import resource, subprocess, sys
    done = subprocess.run(sys.argv[1:])
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss // 1024
    sys.stderr.write(f"\\nPEAK_MB={peak}\\n")
    sys.exit(done.returncode)
    """
)


def _setpriv_works() -> bool:
    if shutil.which("setpriv") is None:
        return False
    if os.geteuid() != 0:
        return True  # an ordinary user is refused by file modes already
    return subprocess.run([*AS_A_USER, "true"], check=False).returncode == 0


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_fault(case: Case, demo_projects: Path, tmp_path: Path) -> None:
    if case.as_a_user and not _setpriv_works():
        pytest.skip("needs setpriv to drop root's file-mode override")
    run = tmp_path / "run"
    (run / "projects").mkdir(parents=True)
    (run / "out").mkdir()
    for name in (FAULTY, *HEALTHY):
        shutil.copy(demo_projects / name, run / "projects" / name)
    mounted = False
    try:
        case.make(run)
        mounted = "tmpfs" in case.name or "full disk" in case.name
        before = digests(run / "projects")
        command = [
            sys.executable, "-c", RUNNER, sys.executable, "-m", "pmo_logic", "consolidate", str(run / "projects"),
            "-o", str(run / "out" / "rollup.xlsx"), "--csv", str(run / "out" / "csv"),
            "--status-date", STATUS_DATE, "--workers", "1", *(case.args or ("--no-snapshot",)),
        ]  # fmt: skip
        env = {**os.environ, "PYTHONPATH": str(ROOT), "HOME": str(tmp_path / "home"), "COLUMNS": "200",
               "XDG_CACHE_HOME": str(tmp_path / "cache")}  # fmt: skip
        if case.as_a_user:
            command = [*AS_A_USER, *command] if os.geteuid() == 0 else command
        process = subprocess.Popen(command, cwd=tmp_path, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                   text=True)  # fmt: skip
        if case.during:
            case.during(run, process)
        stdout, stderr = process.communicate(timeout=300)
        done = subprocess.CompletedProcess(command, process.returncode, stdout, stderr)
        output = stdout + stderr
        assert "Traceback" not in output, output[-3000:]
        assert done.returncode == case.exit_code, output[-3000:]
        peak = int(re.search(r"PEAK_MB=(\d+)", stderr).group(1))
        assert peak < MEMORY_LIMIT_MB, f"peak memory {peak} MB"
        if not case.sources_may_change:
            after = digests(run / "projects")
            assert {name: after.get(name) for name in before} == before, "a source file changed"
            added = set(after) - set(before)
            assert all(name.startswith("snapshots/") for name in added), f"written among the sources: {added}"
        if case.consolidated:
            consolidated = {r["project_id"].lstrip("'") for r in rows_of(run, "projects")}
            assert case.consolidated <= consolidated, output[-3000:]
        if case.reason is not None:
            problems = [r for r in rows_of(run, "load_problems")
                        if case.reason_anywhere or r["file"] in (FAULTY, "CP-001 copy.xlsx")]  # fmt: skip
            assert problems, f"no Load problems row for {FAULTY}: {output[-2000:]}"
            assert any(re.search(case.reason, r["reason"]) for r in problems), problems
        if case.check:
            case.check(run, done)
    finally:
        if mounted:
            subprocess.run(["umount", str(run / "out")], check=False)
        for path in [run, *run.rglob("*")] if run.exists() else []:
            if path.is_dir():
                path.chmod(0o755)


def test_the_corpus_is_large_and_covers_each_family() -> None:
    families = {c.family for c in CASES}
    assert len(CASES) >= 40 and families == {"security", "format", "fault"}


def test_two_processes_saving_a_snapshot_at_the_same_second(demo_projects: Path, tmp_path: Path) -> None:
    run = tmp_path / "run"
    (run / "projects").mkdir(parents=True)
    for name in HEALTHY:
        shutil.copy(demo_projects / name, run / "projects" / name)
    env = {**os.environ, "PYTHONPATH": str(ROOT), "XDG_CACHE_HOME": str(tmp_path / "cache")}
    command = [sys.executable, "-m", "pmo_logic", "consolidate", str(run / "projects"), "--status-date", STATUS_DATE,
               "--workers", "1", "--no-cache"]  # fmt: skip
    processes = [
        subprocess.Popen(
            [*command, "-o", str(tmp_path / f"rollup{n}.xlsx")],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        for n in range(4)
    ]
    outputs = [p.communicate(timeout=300)[0] for p in processes]
    for process, output in zip(processes, outputs, strict=True):
        assert "Traceback" not in output
        assert process.returncode in (0, 1), output
    saved = sorted(p for p in (run / "projects" / "snapshots").iterdir() if p.name.startswith(STATUS_DATE))
    assert len(saved) == 4, saved
    for folder in saved:
        manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
        assert manifest["status_date"] == STATUS_DATE
