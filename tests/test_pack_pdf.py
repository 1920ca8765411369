"""The committee pack prints: LibreOffice's PDF of it (what ``pmo report --pdf`` makes), read back
with poppler's ``pdftotext -bbox-layout``: no word overprints another, and each tab takes the pages
it should (the executive summary one), in English and in French."""

from __future__ import annotations

import itertools
import re
import subprocess
from pathlib import Path
from xml.etree import ElementTree

import pandas as pd
import pytest

from pmo_logic.consolidate import consolidate
from pmo_logic.libreoffice import convert
from pmo_logic.reader import read_portfolio_workbook
from pmo_logic.report import build_view, write_committee_pack
from pmo_logic.report.labels import label
from pmo_logic.snapshots import changes, load_snapshot, milestone_trend, save_snapshot

pytestmark = pytest.mark.libreoffice

PAGES = {"summary": 1, "status": 1, "heatmap": 1, "timeline": 1, "risks": 2, "budget": 2, "actions": 1,
         "interfaces": 1, "quality": 1, "what_changed": 1, "glossary": 1}  # fmt: skip
"""The demo's pages per tab at a first committee (no milestone trend page yet)."""
STATUS_HEADERS = ("project", "name", "project_manager", "percent_complete", "forecast_finish", "slip", "manual",
                  "schedule", "cost", "risk", "overall", "trend")  # fmt: skip


def _pack_pdf(demo_portfolio, folder: Path, lang: str) -> Path:
    settings = read_portfolio_workbook(demo_portfolio.portfolio_file)
    settings.settings = settings.settings.model_copy(update={"language": lang})
    portfolio = consolidate(demo_portfolio.folder / "projects", settings, workers=1)
    snapshot = load_snapshot(save_snapshot(portfolio, folder / "snapshots"))
    pack = write_committee_pack(folder / "pack.xlsx", portfolio, changes=changes(snapshot, portfolio),
                                trend=milestone_trend([snapshot], portfolio),
                                previous=snapshot.tables["projects"])  # fmt: skip
    (pdf,) = convert([pack], folder, "pdf")
    return pdf


def _words(pdf: Path) -> list[list[tuple[float, float, float, float, str]]]:
    """Each page's words with their boxes (xMin, yMin, xMax, yMax, text)."""
    xml = subprocess.run(["pdftotext", "-bbox-layout", str(pdf), "-"], capture_output=True, text=True,
                         check=True).stdout  # fmt: skip
    xml = re.sub(r"<!DOCTYPE[^>]*>", "", xml)
    root = ElementTree.fromstring(xml)
    ns = {"h": "http://www.w3.org/1999/xhtml"}
    pages = []
    for page in root.iter("{http://www.w3.org/1999/xhtml}page"):
        words = [
            (float(w.get("xMin")), float(w.get("yMin")), float(w.get("xMax")), float(w.get("yMax")), w.text or "")
            for w in page.iterfind(".//h:word", ns)
        ]
        pages.append(words)
    return pages


def _overlaps(words: list[tuple[float, float, float, float, str]]) -> list[tuple[str, str]]:
    """Pairs of words whose boxes overlap by more than a hair (text printed over text)."""
    found = []
    ordered = sorted(words, key=lambda w: w[1])
    for i, a in enumerate(ordered):
        for b in ordered[i + 1 :]:
            if b[1] >= a[3] - 0.5:
                break  # sorted by top: nothing below can overlap a
            dx = min(a[2], b[2]) - max(a[0], b[0])
            dy = min(a[3], b[3]) - max(a[1], b[1])
            if dx > 0.8 and dy > 0.8 * min(a[3] - a[1], b[3] - b[1]) * 0.5:
                found.append((a[4], b[4]))
    return found


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_pack_prints_without_overprint_and_on_its_pages(demo_portfolio, tmp_path: Path, lang: str):
    pdf = _pack_pdf(demo_portfolio, tmp_path, lang)
    pages = _words(pdf)
    texts = [" ".join(w[4] for w in page) for page in pages]
    name = "Demo portfolio"
    starts = {}
    for key in PAGES:
        title = f"{label(key, lang)} — {name}"
        starts[key] = next(i for i, text in enumerate(texts) if title.replace("\u00a0", " ") in text)
    assert list(starts.values()) == sorted(starts.values()), "tabs print in order"
    ends = [*list(starts.values())[1:], len(pages)]
    counts = {key: end - start for (key, start), end in zip(starts.items(), ends, strict=True)}
    assert counts == PAGES
    for n, page in enumerate(pages):
        assert _overlaps(page) == [], f"page {n + 1}"
    # Portfolio status: every header wraps at its words, never inside one ("% compl" / "ete").
    status_words = {w[4] for w in pages[starts["status"]]}
    for key in STATUS_HEADERS:
        for word in label(key, lang).split(" "):
            assert word in status_words, (key, word)
    # The headline figures print in the locale: 6,056,200 / 6 056 200 (a narrow or no-break space).
    summary = texts[starts["summary"]].replace("\u00a0", " ").replace("\u202f", " ")
    assert ("6,056,200" if lang == "en" else "6 056 200 €") in summary
    month = "Nov 2026" if lang == "en" else "nov. 2026"
    assert month in summary


def test_billions_print_in_millions(demo_portfolio, tmp_path: Path):
    """A portfolio of billions: the Portfolio status prints its amounts in millions, whole (a
    number too wide for its column prints as ###)."""
    settings = read_portfolio_workbook(demo_portfolio.portfolio_file)
    portfolio = consolidate(demo_portfolio.folder / "projects", settings, workers=1)
    money = ["bac", "eac", "vac", "pv", "ev", "ac", "approved_budget", "reserve"]
    for frame in (portfolio.projects, portfolio.programmes, portfolio.total):
        for column in money:
            if column in frame:
                frame[column] = frame[column] * 1000
    view = build_view(portfolio)
    pack = write_committee_pack(tmp_path / "pack.xlsx", portfolio, view=view)
    (pdf,) = convert([pack], tmp_path, "pdf")
    pages = _words(pdf)
    title = f"{label('status', 'en')} — Demo portfolio"
    (page,) = [p for p in pages if title in " ".join(w[4] for w in p)]
    text = " ".join(w[4] for w in page)
    total = view.status_rows[view.status_rows["kind"] == "total"].iloc[0]
    assert total["bac"] > 6e9
    assert f"{total['bac'] / 1e6:,.1f}M" in text and f"{total['eac'] / 1e6:,.1f}M" in text
    assert "###" not in text


def test_a_table_over_a_page_keeps_its_header(demo_portfolio, tmp_path: Path):
    """40 overdue actions and 40 open decisions: each table that continues on a page has its header
    there, above its rows (the tab has one set of print titles, for the decisions)."""
    settings = read_portfolio_workbook(demo_portfolio.portfolio_file)
    portfolio = consolidate(demo_portfolio.folder / "projects", settings, workers=1)
    view = build_view(portfolio)
    due = pd.Timestamp(portfolio.status_date) - pd.Timedelta(days=10)
    view.overdue_actions = pd.DataFrame({
        "project_id": [f"XA-{k:02d}" for k in range(40)], "id": "A1",
        "title": "Confirm the delivery dates with the supplier and update the plan", "owner": "E. Bernard",
        "due_date": due, "days_overdue": 10,
    })  # fmt: skip
    view.open_decisions = pd.DataFrame({
        "project_id": [f"XD-{k:02d}" for k in range(40)], "id": "D1", "title": "Release the contingency",
        "decision_maker": "F. Garcia", "needed_by": due,
    })  # fmt: skip
    pack = write_committee_pack(tmp_path / "pack.xlsx", portfolio, view=view)
    (pdf,) = convert([pack], tmp_path, "pdf")
    pages = [p for p in _words(pdf) if any(w[4].startswith(("XA-", "XD-")) for w in p)]
    assert len(pages) >= 3  # the tables do run over pages
    for prefix, header in (("XA-", "(calendar)"), ("XD-", "maker")):
        shown = [p for p in pages if any(w[4].startswith(prefix) for w in p)]
        assert sum(w[4].startswith(prefix) for p in shown for w in p) == 40  # every row printed
        for n, page in enumerate(shown):
            first = min(w[1] for w in page if w[4].startswith(prefix))
            tops = [w[1] for w in page if w[4] == header]
            assert tops and min(tops) < first, f"{prefix} page {n + 1} of {len(shown)}: no header above its rows"


def test_overlap_check_sees_overprinted_words():
    """The oracle itself: two words drawn at the same place overlap; side by side they do not."""
    assert _overlaps([(10, 10, 40, 20, "one"), (30, 11, 60, 21, "two")]) == [("one", "two")]
    assert _overlaps([(10, 10, 40, 20, "one"), (41, 10, 60, 20, "two")]) == []
    assert _overlaps([(10, 10, 40, 20, "one"), (10, 20.5, 40, 30, "two")]) == []


def test_pages_reads_every_word(tmp_path: Path):
    import xlsxwriter

    book = xlsxwriter.Workbook(str(tmp_path / "t.xlsx"))
    book.add_worksheet().write_string(0, 0, "hello world")
    book.close()
    (pdf,) = convert([tmp_path / "t.xlsx"], tmp_path, "pdf")
    assert [w[4] for w in itertools.chain(*_words(pdf))] == ["hello", "world"]
