"""Formula injection: text from project workbooks never becomes a formula anywhere pmo-xl writes it.

A project workbook whose ID, name, programme, manager, risk, owner, milestone and action start
with ``= + - @`` (and hold CSV payloads with ``;`` and ``,`` inside) is consolidated, exported
as CSV, packed and validated, and its text is sent through the buttons. The oracles are not
our code: LibreOffice Calc opening the CSV with ``;`` and with ``,`` as separators and formulas
evaluated, LibreOffice recalculating the workbooks, the XML parts of every .xlsx (``<f>`` cells,
chart ``<c:f>`` references) and xlwings' own remote engine recording what a handler sends.
"""

from __future__ import annotations

import re
import subprocess
import tempfile
import zipfile
from datetime import timedelta
from pathlib import Path
from urllib.parse import unquote

import openpyxl
import pytest

import addin.buttons as buttons
from pmo_logic.consolidate import consolidate
from pmo_logic.libreoffice import convert, soffice_path
from pmo_logic.literal import csv_text, excel_text, file_link
from pmo_logic.models import ActionRow, PortfolioSettings, PortfolioWorkbook, RegisterRow, RiskRow
from pmo_logic.report import write_committee_pack
from pmo_logic.report.labels import label
from pmo_logic.rollup import export_tables, write_rollup
from pmo_logic.rules.example_project import clean_project
from pmo_logic.snapshots import committee_history, save_snapshot
from pmo_logic.templates import write_portfolio_workbook, write_project_workbook
from pmo_logic.validate import validate_file
from pmo_logic.validation_report import write_validation_report
from tests.test_buttons import actions, open_book

HOSTILE_FILE = "R&D #1 50%.xlsx"
PAYLOAD = "x;=cmd|' /C calc'!A0;x"
HOSTILE = {
    "project_id": "=B2",
    "name": "+cmd|' /C calc'!A0",
    "programme": "@SUM(A1:A9)",
    "project_manager": "-2+3",
    "risk": '=HYPERLINK("http://evil.example","click")',
    "owner": "@owner",
    "milestone": "=Sheet1!A1",
    "action": PAYLOAD,
    "response": "a,+1,b\tc\t=2\n=3",
}
"""Each text as typed in the hostile workbook."""


def hostile_project():
    workbook = clean_project()
    project = workbook.project
    project.project_id, project.name = HOSTILE["project_id"], HOSTILE["name"]
    project.programme, project.project_manager = HOSTILE["programme"], HOSTILE["project_manager"]
    key = next(t for t in workbook.plan if t.type == "milestone" and t.key_milestone)
    key.name = HOSTILE["milestone"]
    workbook.risks.append(RiskRow(id="R9", title=HOSTILE["risk"], owner=HOSTILE["owner"], probability=5, impact=5,
                                  status="open", response_plan=HOSTILE["response"]))  # fmt: skip
    workbook.actions.append(ActionRow(id="A9", title=HOSTILE["action"], owner=HOSTILE["owner"], status="open",
                                      due_date=project.status_date - timedelta(days=30)))  # fmt: skip
    return workbook


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory):
    """A folder with the hostile workbook (named ``R&D #1 50%.xlsx``) and a clean one, consolidated."""
    root = tmp_path_factory.mktemp("hostile")
    folder = root / "projects #1"
    folder.mkdir()
    write_project_workbook(folder / HOSTILE_FILE, hostile_project())
    clean = clean_project()
    clean.project.project_id, clean.project.programme = "PRJ-002", "Programme B"
    spent = next(t for t in clean.plan if t.actual_cost)
    spent.actual_cost *= 3  # over budget: negative CV and VAC, which must stay numbers in the CSV
    write_project_workbook(folder / "clean.xlsx", clean)
    status = clean.project.status_date
    settings = PortfolioSettings(portfolio_name="R&D #1", project_folder=str(folder), status_date=status)
    portfolio = PortfolioWorkbook(settings=settings)
    earlier = consolidate(folder, portfolio, status_date=status - timedelta(days=28), workers=1)
    save_snapshot(earlier, root / "snapshots")
    result = consolidate(folder, portfolio, workers=1)
    assert set(result.projects["project_id"]) == {HOSTILE["project_id"], "PRJ-002"}
    return root, folder, result


def test_csv_text_follows_owasp_for_every_separator():
    assert csv_text("plain, text; here") == "plain, text; here"
    assert csv_text("=1+1") == "'=1+1"
    assert csv_text(PAYLOAD) == "x;'=cmd|' /C calc'!A0;x"
    assert csv_text("a, -b") == "a,' -b"
    assert csv_text('a;"=1"') == 'a;\'"=1"'
    assert csv_text("a;\t=1") == "a;'\t'=1"
    assert csv_text("line\n@x") == "line\n'@x"
    assert csv_text("50% - done") == "50% - done"  # a '-' inside a piece is not its start
    assert excel_text("=1") == "'=1" and excel_text("'quoted") == "''quoted" and excel_text("-") == "'-"
    assert excel_text("Plain") == "Plain" and excel_text(-5) == -5


# --- CSV in LibreOffice ------------------------------------------------------------------------


def _open_csv(csv: Path, separator: str, outdir: Path) -> openpyxl.Workbook:
    """The CSV as LibreOffice Calc opens it with ``separator``, formulas evaluated, saved as xlsx."""
    code = {",": 44, ";": 59}[separator]
    # Filter options: separator, text delimiter ", UTF-8, from line 1, standard columns, en-US,
    # quoted fields not forced to text, special numbers detected, ..., evaluate formulas: true.
    options = f"{code},34,76,1,,1033,false,true,false,false,false,-1,true"
    with tempfile.TemporaryDirectory(prefix="pmo-lo-csv-") as profile:
        subprocess.run(
            [soffice_path(), "--headless", "--norestore", f"-env:UserInstallation={Path(profile).as_uri()}",
             f"--infilter=Text - txt - csv (StarCalc):{options}", "--convert-to", "xlsx", "--outdir", str(outdir),
             str(csv)],
            capture_output=True, timeout=120, check=True,
        )  # fmt: skip
    return openpyxl.load_workbook(outdir / (csv.stem + ".xlsx"))


def _formulas(book: openpyxl.Workbook) -> list[str]:
    return [f"{ws.title}!{c.coordinate}={c.value}" for ws in book for row in ws.iter_rows() for c in row
            if c.data_type == "f"]  # fmt: skip


@pytest.mark.libreoffice
@pytest.mark.parametrize("separator", [",", ";"])
def test_csv_opens_as_text_whichever_the_separator(hostile, tmp_path: Path, separator: str):
    _, _, result = hostile
    written = export_tables(tmp_path / "csv", result)
    names = {p.stem: p for p in written}
    # The control: the same tables written without the guard do run in LibreOffice.
    raw = tmp_path / "raw"
    raw.mkdir()
    for table in ("actions", "risks"):
        result.tables()[table].to_csv(raw / f"{table}.csv", index=False, encoding="utf-8-sig")
        assert _formulas(_open_csv(raw / f"{table}.csv", separator, tmp_path / "raw-out")), "oracle sees formulas"
    for table in ("projects", "risks", "actions", "milestones", "programmes"):
        book = _open_csv(names[table], separator, tmp_path / "out")
        assert _formulas(book) == [], table
        if separator == ",":
            cells = {c.value for ws in book for row in ws.iter_rows() for c in row}
            shown = {
                "projects": ["project_id", "name", "programme", "project_manager"],
                "risks": ["risk", "owner", "response"],
                "actions": ["action"],
                "milestones": ["milestone"],
                "programmes": ["programme"],
            }
            for key in shown[table]:
                assert csv_text(HOSTILE[key]).replace("\n", "\r\n") in cells | {_crlf(v) for v in cells}, key
            if table == "projects":  # negative numbers stay numbers
                numbers = result.projects.select_dtypes("number").to_numpy().ravel()
                negatives = {round(float(v), 6) for v in numbers if v < 0}
                read = {round(c.value, 6) for ws in book for row in ws.iter_rows() for c in row
                        if c.data_type == "n" and isinstance(c.value, (int, float))}  # fmt: skip
                assert negatives and negatives <= read


def _crlf(value):
    return value.replace("\n", "\r\n") if isinstance(value, str) else value


# --- the workbooks we write ----------------------------------------------------------------------

_OUR_REFERENCE = re.compile(r"^(?:'(?:[^']|'')+'|[A-Za-z_][\w.]*)!\$[A-Z]{1,3}\$\d+(?::\$[A-Z]{1,3}\$\d+)?$")
_MARKERS = ("cmd", "HYPERLINK", "evil", "owner", "SUM(", "B2", "Sheet1", "2+3")


def _formula_texts(path: Path) -> tuple[list[str], list[str]]:
    """Every cell formula and every chart reference in the xlsx at ``path``."""
    cells, charts = [], []
    with zipfile.ZipFile(path) as archive:
        for name in archive.namelist():
            xml = archive.read(name).decode("utf-8", "replace")
            if name.startswith("xl/worksheets/"):
                cells += re.findall(r"<f(?:\s[^>]*)?>([^<]*)</f>", xml)
            elif name.startswith("xl/charts/"):
                charts += re.findall(r"<c:f>([^<]*)</c:f>", xml)
    return cells, charts


def _written(hostile, tmp_path: Path) -> dict[str, Path]:
    root, folder, result = hostile
    out = tmp_path / "out #2 100%"
    rollup = write_rollup(out / "R&D #1 50% rollup.xlsx", result)
    history = committee_history(root / "snapshots", result)
    assert history.trend is not None and (history.trend["project_id"] == HOSTILE["project_id"]).any()
    pack = write_committee_pack(out / "pack.xlsx", result, changes=history.changes, trend=history.trend,
                                previous=history.previous_projects, rollup=rollup)  # fmt: skip
    results = [validate_file(p) for p in sorted(folder.glob("*.xlsx"))]
    report = write_validation_report(out / "validation.xlsx", results)
    return {"rollup": rollup, "pack": pack, "validation": report}


@pytest.fixture(scope="module")
def written(hostile, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    return _written(hostile, tmp_path_factory.mktemp("written"))


def test_no_formula_or_chart_reference_is_built_from_project_text(written):
    for kind, path in written.items():
        cells, charts = _formula_texts(path)
        assert not [f for f in cells if any(m in f for m in _MARKERS)], kind
        assert all(_OUR_REFERENCE.match(f) for f in charts), (kind, [f for f in charts if not _OUR_REFERENCE.match(f)])
    # The trend chart names the hostile project's milestone through a cell that holds it as text.
    book = openpyxl.load_workbook(written["pack"])
    _, charts = _formula_texts(written["pack"])
    named = [book[r.split("!")[0].strip("'")][r.split("!")[1].replace("$", "")].value for r in charts if ":" not in r]
    assert any(str(v).startswith(HOSTILE["project_id"] + " ") for v in named)  # "=B2 7": project and milestone
    assert f"{label('s_curve', 'en')}: {HOSTILE['programme']}" in named  # the programme's S-curve title


@pytest.mark.libreoffice
def test_libreoffice_recalculation_shows_the_text(written, tmp_path: Path):
    recalculated = convert([written["pack"], written["rollup"]], tmp_path)
    for path in recalculated:
        book = openpyxl.load_workbook(path)
        texts = {c.value for ws in book for row in ws.iter_rows() for c in row if c.data_type == "s"}
        assert {HOSTILE["project_id"], HOSTILE["name"], HOSTILE["milestone"], HOSTILE["risk"]} <= texts, path.name
        assert not [f for f in _formulas(book) if any(m in f for m in _MARKERS)], path.name
    status = openpyxl.load_workbook(recalculated[0])["Portfolio status"]
    assert HOSTILE["programme"] in [c.value for c in status["A"]]  # the programme's group row


# --- hyperlinks to files named with '#' and '%' -----------------------------------------------------


def _link_targets(path: Path, sheet_part: str) -> list[tuple[str, str]]:
    """(target file, location) of each hyperlink of one sheet part, as the package stores them."""
    with zipfile.ZipFile(path) as archive:
        rels = archive.read(sheet_part.replace("worksheets/", "worksheets/_rels/") + ".rels").decode()
        sheet = archive.read(sheet_part).decode()
    targets = dict(re.findall(r'Id="(rId\d+)"[^>]*Target="([^"]+)"', rels))
    targets.update({k: v for v, k in re.findall(r'Target="([^"]+)"[^>]*Id="(rId\d+)"', rels)})
    return [(targets[rid], loc) for rid, loc in re.findall(r'<hyperlink [^>]*r:id="(rId\d+)"[^>]*location="([^"]*)"',
                                                            sheet)]  # fmt: skip


def test_links_to_files_named_with_hash_and_percent_open_them(hostile, written):
    _, folder, _ = hostile
    report = written["validation"]
    links = _link_targets(report, "xl/worksheets/sheet1.xml")
    to_hostile = [(t, loc) for t, loc in links if "R&amp;D" in t]
    assert to_hostile, links
    for target, location in to_hostile:
        resolved = (report.parent / unquote(target.replace("&amp;", "&")).replace("\\", "/")).resolve()
        assert resolved == (folder / HOSTILE_FILE).resolve()
        assert location.startswith("'") and "!" in location
    pack_links = _link_targets(written["pack"], "xl/worksheets/sheet2.xml")  # Portfolio status
    assert {unquote(t.replace("&amp;", "&")) for t, _ in pack_links} == {"R&D #1 50% rollup.xlsx"}
    assert file_link("a b/R&D #1 50%.xlsx") == "external:a%20b/R&D%20%231%2050%25.xlsx"


@pytest.mark.libreoffice
def test_libreoffice_follows_the_links_to_the_file(hostile, written, tmp_path: Path):
    """LibreOffice reads each link and saves it again (relative to where it saves): it must name the file."""
    import xlsxwriter

    _, folder, _ = hostile
    # The control: the link as pmo-xl wrote it before, with the '#' and '%' of the name left raw.
    control = tmp_path / "control.xlsx"
    book = xlsxwriter.Workbook(str(control))
    relative = Path("..") / folder.name / HOSTILE_FILE
    book.add_worksheet().write_url(0, 0, f"external:{relative}#'Plan'!A1", None, "link")
    book.close()
    saved = convert([written["validation"], control], tmp_path / "ods", "ods", recalculate=False)
    for path, expect_file in zip(saved, (True, False), strict=True):
        with zipfile.ZipFile(path) as archive:
            content = archive.read("content.xml").decode()
        hrefs = [h.replace("&amp;", "&") for h in re.findall(r'xlink:href="([^"]+)"', content)]
        assert hrefs
        # The one literal '#' of a link separates the file from the place in it; ODF resolves a
        # relative link from inside the document's package, hence from `path` itself.
        files = {(path / unquote(h.partition("#")[0])).resolve() for h in hrefs}
        assert ((folder / HOSTILE_FILE).resolve() in files) is expect_file, hrefs


# --- the buttons -------------------------------------------------------------------------------------


def _sent_texts(book) -> list[str]:
    return [v for a in actions(book, "setValues") for row in a["values"] for v in row if isinstance(v, str)]


def _is_guarded(value: str) -> bool:
    """What Excel takes as a formula when assigned to a range starts with = + - @; guarded text with '."""
    return not value.startswith(("=", "+", "-", "@"))


def test_buttons_send_project_text_as_text(hostile, tmp_path: Path, monkeypatch):
    _, folder, _ = hostile
    monkeypatch.chdir(tmp_path)
    book = open_book(folder / HOSTILE_FILE, "p.xlsm")
    buttons.validate_plan(book)
    buttons.status_report(book)
    sent = _sent_texts(book)
    assert all(_is_guarded(v) for v in sent), [v for v in sent if not _is_guarded(v)]
    assert "'" + HOSTILE["milestone"] in sent  # the Status sheet's key milestone, with Excel's text marker
    settings = PortfolioSettings(portfolio_name="R&D", project_folder=str(folder),
                                 status_date=clean_project().project.status_date)  # fmt: skip
    register = [RegisterRow(project_id=HOSTILE["project_id"], workbook=HOSTILE_FILE)]
    portfolio = write_portfolio_workbook(tmp_path / "portfolio.xlsx",
                                         PortfolioWorkbook(settings=settings, projects=register))  # fmt: skip
    book = open_book(portfolio, "portfolio.xlsm")
    buttons.consolidate(book)
    sent = _sent_texts(book)
    assert all(_is_guarded(v) for v in sent), [v for v in sent if not _is_guarded(v)]
    for key in ("project_id", "name", "programme", "project_manager"):
        assert "'" + HOSTILE[key] in sent, key
