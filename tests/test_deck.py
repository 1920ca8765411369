"""The committee deck: the pack's figures on 16:9 slides, rendered by LibreOffice, nothing overflowing.

Oracles: the workbook pack's own cells (read with openpyxl), LibreOffice Impress rendering the
deck to PDF, and poppler's ``pdftotext -bbox-layout`` giving where each word and line landed.
"""

from __future__ import annotations

import dataclasses
import math
import re
import subprocess
import xml.etree.ElementTree as ET
import zipfile
from datetime import date
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from pptx import Presentation
from pptx.dml.color import RGBColor
from pptx.enum.chart import XL_CHART_TYPE
from pptx.enum.shapes import PP_PLACEHOLDER
from pptx.util import Inches

from pmo_logic.consolidate import consolidate
from pmo_logic.libreoffice import convert
from pmo_logic.reader import read_portfolio_workbook
from pmo_logic.report import write_committee_pack
from pmo_logic.report.pptx import SLIDE_HEIGHT, SLIDE_WIDTH, TemplateError, show, write_committee_deck
from pmo_logic.snapshots import changes, load_snapshot, milestone_trend, save_snapshot

TITLES_EN = [
    "Executive summary",
    "Portfolio status",
    "RAG heatmap",
    "Key milestone timeline",
    "Milestone trend analysis",
    "Risk matrix",
    "Top threats and decisions",
    "Budget",
    "What changed since the committee of",  # its date follows
    "Data quality",
]
TITLES_FR = [
    "Synthèse",
    "État du portefeuille",
    "Carte des météos",
    "Calendrier des jalons clés",
    "Analyse de tendance des jalons",
    "Matrice des risques",
    "Principales menaces et décisions",
    "Budget",
    "Ce qui a changé depuis le comité du",
    "Qualité des données",
]
ENGLISH = [
    "Executive summary", "Portfolio status", "heatmap", "Milestone", "Top threats", "Decisions", "What changed",
    "Data quality", "Project", "Owner", "Title", "Needed by", "Forecast", "Baseline", "Slip",
    "Green", "Amber", "Red", "No data", "Schedule", "Cost", "Risk", "Overall", "PM's RAG", "Status date",
    "Approved budget", "Figure", "Value", "Errors", "Warnings", "Data to trust", "Yes", "Check", "Incomplete",
    "File", "Reason", "Not consolidated", "registered", "consolidated", "unreadable", "missing", "Steering",
    "Cumulative", "by programme", "Name", "None.", "Before", "After", "Change", "projects", "Red and amber",
    "Nov", "Dec", "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "PV", " EV", " AC",
    "Key milestone", "timeline", "Achieved", "slipped more than", "working days", "Legend", "Probability",
    "Open threats", "Occurred", "Low", "Medium", "High", "Critical", "Q1", "Q2", "Q3", "Q4",
]  # fmt: skip
"""English labels, words of the codes and month names the deck uses: none may be left in a French deck."""


@pytest.fixture(scope="module")
def demo_outputs(demo_portfolio, tmp_path_factory):
    """The demo's pack and deck, second committee (a snapshot before it, so "what changed" and the
    milestone trend analysis have rows)."""
    folder = tmp_path_factory.mktemp("deck")
    portfolio, diff, trend = second_committee(demo_portfolio, folder)
    pack = write_committee_pack(folder / "pack.xlsx", portfolio, changes=diff, trend=trend)
    deck = write_committee_deck(folder / "pack.pptx", portfolio, changes=diff, trend=trend)
    return portfolio, pack, deck


EARLIER = date(2026, 10, 23)


def second_committee(demo_portfolio, folder: Path, lang: str = "en"):
    """The demo's roll-up, and what changed since a committee four weeks before it: every project
    green then, EACs 10 % lower, key milestones forecast two weeks earlier."""
    workbook = read_portfolio_workbook(demo_portfolio.portfolio_file)
    workbook.settings.language = lang
    portfolio = consolidate(demo_portfolio.folder / "projects", workbook, workers=1)
    plan = portfolio.details["plan"]
    earlier = dataclasses.replace(
        portfolio,
        status_date=EARLIER,
        projects=portfolio.projects.assign(rag_overall="green", eac=portfolio.projects["eac"] * 0.9),
        details={**portfolio.details, "plan": plan.assign(finish=plan["finish"] - pd.Timedelta(days=14))},
    )
    snapshot = load_snapshot(save_snapshot(earlier, folder / "snapshots"))
    return portfolio, changes(snapshot, portfolio), milestone_trend([snapshot], portfolio)


def slide_texts(path: Path) -> list[str]:
    """Each slide's text: its shapes' paragraphs and its tables' cells, one per line."""
    texts = []
    for slide in Presentation(str(path)).slides:
        lines = []
        for shape in slide.shapes:
            if shape.has_text_frame:
                lines += [p.text for p in shape.text_frame.paragraphs]
            if shape.has_table:
                lines += [cell.text for row in shape.table.rows for cell in row.cells]
        texts.append("\n".join(lines))
    return texts


def number(text: str) -> float:
    """A figure as the deck prints it, its currency symbol left out (``€6,056,200``, ``6 056 200 €``)."""
    text = re.sub(r"[€$£¥]", "", text)
    return float(text.replace(",", "").replace("\u202f", "").replace("\xa0", "").replace(" ", ""))


def cell_below(ws, label: str):
    for row in ws.iter_rows():
        for cell in row:
            if cell.value == label:
                return ws.cell(cell.row + 1, cell.column).value
    raise AssertionError(f"{label} not found on {ws.title}")


def test_slides_hold_the_packs_titles_names_and_figures(demo_outputs):
    portfolio, pack, deck = demo_outputs
    book = openpyxl.load_workbook(pack)
    texts = slide_texts(deck)
    prs = Presentation(str(deck))
    assert (prs.slide_width, prs.slide_height) == (SLIDE_WIDTH, SLIDE_HEIGHT)
    titles = [s.shapes.title.text for s in prs.slides if s.shapes.title is not None]
    for title in TITLES_EN:
        assert any(t.startswith(title) for t in titles), title
    assert "Demo portfolio" in titles[0]

    summary_sheet = book["Executive summary"]
    summary = texts[1]
    kpi_lines = summary.split("\n")
    for name in ("BAC", "Approved budget", "EAC", "SPI", "CPI"):
        expected = cell_below(summary_sheet, name)
        shown = kpi_lines[kpi_lines.index(name) + 1]
        digits = 0 if name in ("BAC", "Approved budget", "EAC") else 2
        assert number(shown) == round(expected, digits), name
        if digits == 0:  # amounts carry the currency, as the pack's tiles do
            assert shown.startswith("€"), shown
    # The coverage sentence is the pack's, word for word.
    coverage = summary_sheet["A3"].value
    assert coverage and coverage in texts[0] and coverage in summary
    # Red and amber projects by name, every one of them, with their computed RAG.
    for p in portfolio.projects.to_dict(orient="records"):
        if p["rag_overall"] in ("red", "amber"):
            assert p["project_id"] in summary and p["name"] in summary

    status_sheet = book["Portfolio status"]
    pack_rows = {row["Project"]: row for row in pack_table(status_sheet, "Project", header=True)}
    pack_rows = {k: v for k, v in pack_rows.items() if k in set(portfolio.projects["project_id"])}
    status_text = "\n".join(
        t for t, s in zip(texts, prs.slides, strict=True) if s.shapes.title.text.startswith("Portfolio status")
    )
    status_cells = status_text.split("\n")
    assert len(pack_rows) == len(portfolio.projects)
    for project_id, row in pack_rows.items():
        k = status_cells.index(project_id)
        name, _programme, spi, cpi, eac = status_cells[k + 1 : k + 6]
        assert name == row["Name"]
        for shown, expected, digits in ((spi, row["SPI"], 2), (cpi, row["CPI"], 2), (eac, row["EAC"], 0)):
            assert (shown == "-" and expected is None) or number(shown) == round(expected, digits), project_id

    # Top threats, decisions and what changed: the pack's rows, in the pack's order.
    threats_text = next(t for t in texts if t.startswith("Top threats and decisions"))
    threats, decisions = threats_text.split("Decisions needed")
    pack_threats = pack_table(summary_sheet, "Top five threats")
    assert len(pack_threats) == 5
    for risk in pack_threats:
        owner = str(risk["Owner"] or "").removeprefix("⚠ ")
        assert f"{risk['Project']}\n{risk['Threat']}\n{risk['Score']}\n" in threats and owner in threats
        assert show(risk["EMV"], "money", "en") in threats
    pack_decisions = pack_table(summary_sheet, "Decisions needed")
    assert pack_decisions
    for d in pack_decisions:
        assert d["Impact if late"], "the demo's decisions say what they cost if late"
        shown = (
            f"{d['Project']}\n{d['Decision']}\n{d['Impact if late']}\n{d['Needed by']:%-d %b %Y}\n{d['Decision maker']}"
        )
        assert shown in decisions
    changed = "\n".join(t for t in texts if t.startswith("What changed"))
    heading = next(v for row in summary_sheet.iter_rows(values_only=True) for v in row
                   if isinstance(v, str) and v.startswith("What changed since the committee of"))  # fmt: skip
    assert heading in changed  # the deck names the same committee
    pack_changes = pack_table(summary_sheet, heading)
    assert pack_changes
    # The deck lists every change (grouped by significance, as the view orders them): the pack's
    # five most significant first, in its order.
    first = [line for line in changed.split("\n") if line in set(portfolio.projects["project_id"])][: len(pack_changes)]
    assert first == [next(v for k, v in c.items() if k == "Project") for c in pack_changes]
    assert "Overall RAG\nCP-001\n\nGreen\nRed" in changed


def pack_table(ws, heading: str, *, header: bool = False) -> list[dict]:
    """The rows of the pack's table under the cell holding ``heading`` (or whose header row starts
    with it, ``header``), as dicts by column header, up to a blank row."""
    rows = list(ws.iter_rows(values_only=True))
    at = next((r, c) for r, row in enumerate(rows) for c, v in enumerate(row) if v == heading)
    head_row = at[0] if header else at[0] + 1
    columns, gap = {}, 0
    for c in range(at[1], len(rows[head_row])):
        name = rows[head_row][c]
        if name is None:
            gap += 1
            if gap == 3:
                break
            continue
        if name in columns.values():  # the next table beside it
            break
        gap = 0
        columns[c] = name
    found = []
    for row in rows[head_row + 1 :]:
        values = {name: row[c] for c, name in columns.items()}
        if all(v in (None, "") for v in values.values()):
            break
        if next(iter(values.values())) is None and not header:
            break
        found.append(values)
    return found


def test_charts_are_native_and_editable(demo_outputs):
    portfolio, _, deck = demo_outputs
    prs = Presentation(str(deck))
    charts = [shape.chart for slide in prs.slides for shape in slide.shapes if shape.has_chart]
    kinds = {chart.chart_type for chart in charts}
    assert XL_CHART_TYPE.COLUMN_CLUSTERED in kinds and XL_CHART_TYPE.LINE in kinds
    bars = next(c for c in charts if c.chart_type == XL_CHART_TYPE.COLUMN_CLUSTERED)
    counts = list(bars.plots[0].series[0].values)
    assert counts == [int((portfolio.projects["rag_overall"] == c).sum()) for c in ("green", "amber", "red", "no data")]
    curve = next(c for c in charts if c.chart_type == XL_CHART_TYPE.LINE)
    names = [s.name for s in curve.plots[0].series]
    assert names == ["PV", "AC", "EV", "BAC", "EAC", "Status date"]  # the pack's order, so its colours
    total = portfolio.total.iloc[0]
    bac = [v for v in curve.plots[0].series[3].values if v is not None]
    assert bac and all(v == pytest.approx(total["bac"]) for v in bac)
    # The curve's status-date point is the roll-up's PV (as in the pack).
    pv = list(curve.plots[0].series[0].values)
    assert pytest.approx(total["pv"]) in pv
    # The chart's data is inside the deck (an embedded workbook PowerPoint opens to edit it).
    assert curve.part.chart_workbook.xlsx_part is not None


def test_nothing_overflows_its_slide_or_placeholder(demo_outputs):
    _, _, deck = demo_outputs
    _assert_within_slides(deck)


@pytest.mark.libreoffice
def test_libreoffice_renders_the_deck_without_overflow_or_overprint(demo_outputs, tmp_path):
    _, _, deck = demo_outputs
    (pdf,) = convert([deck], tmp_path, "pdf", recalculate=False)
    pages = _pdf_layout(pdf)
    assert len(pages) == len(Presentation(str(deck)).slides)
    for number_, (width, height, lines) in enumerate(pages, start=1):
        assert lines, f"slide {number_} is empty"
        for x0, y0, x1, y1, text in lines:
            assert x0 >= -0.5 and x1 <= width + 0.5 and y0 >= -0.5 and y1 <= height + 0.5, (number_, text)
        # No two lines of text overprint each other (a wrapped cell or title would).
        for a in range(len(lines)):
            for b in range(a + 1, len(lines)):
                (ax0, ay0, ax1, ay1, at), (bx0, by0, bx1, by1, bt) = lines[a], lines[b]
                overlap_x = min(ax1, bx1) - max(ax0, bx0)
                overlap_y = min(ay1, by1) - max(ay0, by0)
                assert not (overlap_x > 1 and overlap_y > 1.5), (number_, at, bt)
    words = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    assert "Executive summary" in words and "CP-001" in words


@pytest.fixture(scope="module")
def french_deck(demo_portfolio, tmp_path_factory):
    folder = tmp_path_factory.mktemp("deck-fr")
    portfolio, diff, trend = second_committee(demo_portfolio, folder, "fr")
    return portfolio, write_committee_deck(folder / "dossier.pptx", portfolio, changes=diff, trend=trend)


def test_french_deck_has_no_english_label(french_deck):
    portfolio, deck = french_deck
    texts = slide_texts(deck)
    prs = Presentation(str(deck))
    titles = [s.shapes.title.text for s in prs.slides]
    for title in TITLES_FR:
        assert any(t.startswith(title) for t in titles), title
    # Project data (names, files, reasons read from the workbooks) is the projects' own: left out.
    data = set(portfolio.projects["name"]) | set(portfolio.projects["file"]) | set(portfolio.load_problems["reason"])
    data |= set(portfolio.load_problems["file"]) | set(portfolio.programmes["programme"])
    for column in ("title", "decision_maker", "owner", "name"):
        for table in ("risks", "decisions", "plan"):
            frame = portfolio.details[table]
            if column in frame:
                data |= set(frame[column].dropna().astype(str))
    words = []
    for text in texts:
        for line in text.split("\n"):
            cut = line.removesuffix("…")  # a long cell cut to fit
            if line in data or any(d.startswith(cut) for d in data if len(cut) > 8):
                continue
            words.append(line)
    content = "\n".join(words)
    for word in ENGLISH:
        assert not re.search(rf"(?<![\w']){re.escape(word.strip())}(?![\w'])", content), word
    assert re.search(r"\d+ (janv\.|févr\.|mars|avr\.|mai|juin|juil\.|août|sept\.|oct\.|nov\.|déc\.) 20\d\d", content)
    assert re.search(r"\d\u202f\d{3}\u202f\d{3}", content)  # 6 056 200, with narrow no-break spaces
    curve = next(
        shape.chart
        for s in prs.slides
        for shape in s.shapes
        if shape.has_chart and len(shape.chart.plots[0].series) == 6
    )
    assert [s.name for s in curve.plots[0].series] == ["VP", "CR", "VA", "BAC", "EAC", "Date d'état"]
    assert curve.value_axis.tick_labels.number_format == '[$-40C]#,##0,"\u00a0k€"'
    trend = next(shape.chart for s in prs.slides for shape in s.shapes
                 if shape.has_chart and shape.chart.chart_type == XL_CHART_TYPE.XY_SCATTER_LINES)  # fmt: skip
    assert list(trend.plots[0].series)[-1].name == "Échéance au comité"
    assert trend.value_axis.axis_title.text_frame.text == "Prévision"
    assert trend.category_axis.tick_labels.number_format == "[$-40C]mmm yy"


def corporate_template(path: Path) -> Path:
    """A PMO's template: a dark green master with white text, 16:9 layouts renamed, a sample slide
    to be dropped."""
    prs = Presentation()
    master = prs.slide_master
    # Read every place first (a layout's placeholder inherits the master's), then widen to 16:9.
    places = [(s, s.left, s.top, s.width, s.height)
              for s in [*master.shapes, *(p for lay in master.slide_layouts for p in lay.placeholders)]]  # fmt: skip
    prs.slide_width, prs.slide_height = Inches(13.333), Inches(7.5)
    for shape, left, top, width, height in places:
        shape.left, shape.top, shape.width, shape.height = int(left * 1.333), top, int(width * 1.333), height
    fill = master.background.fill
    fill.solid()
    fill.fore_color.rgb = RGBColor(0x0B, 0x3D, 0x2E)
    # The theme's dark text colour is white in this template (dk1, what text takes by default).
    theme_part = next(rel.target_part for rel in master.part.rels.values() if rel.reltype.endswith("/theme"))
    theme = theme_part.blob.decode("utf-8")
    theme = re.sub(r"<a:dk1>.*?</a:dk1>", '<a:dk1><a:srgbClr val="FFFFFF"/></a:dk1>', theme, flags=re.S)
    theme_part._blob = theme.encode("utf-8")
    for layout in master.slide_layouts:
        layout.name = "ACME " + layout.name
    sample = prs.slides.add_slide(prs.slide_layouts[1])
    sample.shapes.title.text = "Template instructions: delete me"
    prs.save(path)
    return path


def test_corporate_template_gives_master_and_layouts(demo_outputs, tmp_path):
    portfolio, _, _ = demo_outputs
    template = corporate_template(tmp_path / "acme.pptx")
    deck = write_committee_deck(tmp_path / "deck.pptx", portfolio, template=template)
    prs = Presentation(str(deck))
    texts = slide_texts(deck)
    assert not any("delete me" in t for t in texts)  # the template's own slide is gone
    assert all(s.slide_layout.name.startswith("ACME ") for s in prs.slides)
    assert prs.slides[0].slide_layout.name == "ACME Title Slide"
    assert {s.slide_layout.name for s in list(prs.slides)[1:]} == {"ACME Title Only"}
    assert prs.slide_master.background.fill.fore_color.rgb == RGBColor(0x0B, 0x3D, 0x2E)
    # Each content slide has its title in the layout's title placeholder, where the layout puts it.
    for slide in list(prs.slides)[1:]:
        title = slide.shapes.title
        assert title is not None and title.text and title.height > Inches(0.5)
    # Headings and notes take the template's text colour, not ours (its background is dark).
    boxes = [s for slide in prs.slides for s in slide.shapes if s.shape_type == 17 and s.has_text_frame]
    assert boxes and all(r.font.color.type is None for b in boxes for p in b.text_frame.paragraphs for r in p.runs)
    types = {p.placeholder_format.type for s in prs.slides for p in s.placeholders}
    assert types <= {PP_PLACEHOLDER.TITLE, PP_PLACEHOLDER.CENTER_TITLE, PP_PLACEHOLDER.SUBTITLE}
    _assert_within_slides(deck)


def test_a_potx_template_is_used(demo_outputs, tmp_path):
    """PowerPoint's File > Save as > PowerPoint Template (.potx): the main part's type is a template's."""
    import zipfile

    portfolio, _, _ = demo_outputs
    source = corporate_template(tmp_path / "acme.pptx")
    potx = tmp_path / "acme.potx"
    with zipfile.ZipFile(source) as zin, zipfile.ZipFile(potx, "w") as zout:
        for item in zin.infolist():
            data = zin.read(item.filename)
            if item.filename == "[Content_Types].xml":
                data = data.replace(b"presentationml.presentation.main+xml", b"presentationml.template.main+xml")
            zout.writestr(item, data)
    with pytest.raises(ValueError):  # python-pptx alone refuses it
        Presentation(str(potx))
    deck = write_committee_deck(tmp_path / "deck.pptx", portfolio, template=potx)
    prs = Presentation(str(deck))
    assert prs.slides[0].slide_layout.name == "ACME Title Slide" and len(prs.slides) > 5


def test_a_file_that_is_not_a_template_is_refused(demo_outputs, tmp_path):
    portfolio, _, _ = demo_outputs
    bad = tmp_path / "notes.pptx"
    bad.write_text("not a deck", encoding="utf-8")
    with pytest.raises(TemplateError, match=r"notes\.pptx"):
        write_committee_deck(tmp_path / "deck.pptx", portfolio, template=bad)
    assert not (tmp_path / "deck.pptx").exists()


def test_long_tables_continue_on_further_slides(demo_outputs, tmp_path):
    portfolio, _, _ = demo_outputs
    many = portfolio.projects
    import pandas as pd

    copies = pd.concat([many.assign(project_id=many["project_id"] + f"-{k}") for k in range(4)], ignore_index=True)
    bigger = type(portfolio)(**{**portfolio.__dict__, "projects": copies})
    deck = write_committee_deck(tmp_path / "big.pptx", bigger)
    titles = [s.shapes.title.text for s in Presentation(str(deck)).slides]
    status = [t for t in titles if t.startswith("Portfolio status")]
    # 48 projects, 3 subtotals, 2 left out and the total: 14 rows a slide at most.
    n = len(status)
    assert n >= math.ceil((len(copies) + 6) / 14)
    assert status[0].endswith(f"(1/{n})") and status[-1].endswith(f"({n}/{n})")
    shown = "\n".join(t for t in slide_texts(deck) if t.startswith("Portfolio status"))
    assert all(project_id in shown.split("\n") for project_id in copies["project_id"])
    _assert_within_slides(deck)


def test_report_writes_the_deck_beside_the_pack_through_the_guard(demo_portfolio, tmp_path):
    import shutil

    from typer.testing import CliRunner

    from pmo_logic.cli import app

    folder = tmp_path / "demo"
    shutil.copytree(demo_portfolio.folder, folder)
    runner = CliRunner()
    pack = folder / "committee.xlsx"
    arguments = ["report", "-p", str(folder / "portfolio.xlsx"), "-o", str(pack), "--pptx", "--no-cache"]
    done = runner.invoke(app, arguments)
    assert done.exit_code in (0, 1), done.output
    deck = folder / "committee.pptx"
    assert deck.exists() and "Deck written" in done.output
    assert runner.invoke(app, arguments).exit_code in (0, 1)  # its own deck, unchanged: replaced
    deck.write_bytes(deck.read_bytes() + b"\0")  # someone's edit: theirs now
    refused = runner.invoke(app, arguments)
    assert refused.exit_code == 2 and "committee deck" in refused.output
    template = corporate_template(tmp_path / "acme.pptx")
    forced = runner.invoke(app, [*arguments, "--force", "--pptx-template", str(template)])
    assert forced.exit_code in (0, 1), forced.output
    assert Presentation(str(deck)).slides[0].slide_layout.name == "ACME Title Slide"
    assert runner.invoke(app, [*arguments[:-2], "--pptx-template", str(template)]).exit_code == 2


def slides_titled(deck: Path, title: str) -> list:
    return [s for s in Presentation(str(deck)).slides if s.shapes.title is not None
            and s.shapes.title.text.startswith(title)]  # fmt: skip


def test_risk_matrix_slide_has_the_packs_counts_and_fills(demo_outputs):
    portfolio, pack, deck = demo_outputs
    ws = openpyxl.load_workbook(pack)["Risk matrix"]
    (slide,) = slides_titled(deck, "Risk matrix")
    matrix, legend = [shape.table for shape in slide.shapes if shape.has_table]
    cells = [[matrix.cell(2 + k, 1 + p) for p in range(5)] for k in range(5)]
    counts = [[int(c.text) for c in row] for row in cells]
    assert counts == [[ws.cell(5 + k, 2 + p).value for p in range(5)] for k in range(5)]
    # Independently: every open threat of the projects' registers is in one cell (none occurred or closed).
    risks = portfolio.details["risks"]
    open_threats = risks[(risks["type"].fillna("threat") == "threat") & (risks["status"].fillna("open") == "open")]
    assert sum(map(sum, counts)) == len(open_threats) > 0
    # The pack's fills, cell for cell, and the scales labelled.
    for k in range(5):
        for p in range(5):
            assert _fill(cells[k][p]) == ws.cell(5 + k, 2 + p).fill.fgColor.rgb[-6:], (k, p)
    assert matrix.cell(0, 1).text == "Probability →" and matrix.cell(1, 0).text == "Impact ↓"
    assert [matrix.cell(1, 1 + p).text for p in range(5)] == ["1", "2", "3", "4", "5"]
    assert [matrix.cell(2 + k, 0).text for k in range(5)] == ["5", "4", "3", "2", "1"]
    # Readable in black and white: the legend's fills darken from low to critical.
    assert [legend.cell(r, 0).text for r in range(4)] == ["Low", "Medium", "High", "Critical"]
    greys = [_luminance(_fill(legend.cell(r, 0))) for r in range(4)]
    assert greys == sorted(greys, reverse=True) and len(set(greys)) == 4
    occurred = ws["G10"].value.split(": ")[-1]
    assert f"Occurred risks (now issues, not counted above): {occurred}" in slide_texts(deck)[_index(deck, slide)]


def test_timeline_slides_draw_the_packs_key_milestones(demo_outputs):
    portfolio, pack, deck = demo_outputs
    ws = openpyxl.load_workbook(pack)["Milestones"]
    rows = [r for r in pack_table(ws, "Project", header=True) if r["Project"]]
    assert len(rows) > 15  # more than a slide holds: continuation slides
    slides = slides_titled(deck, "Key milestone timeline")
    assert len(slides) >= 2 and slides[-1].shapes.title.text.endswith(f"({len(slides)}/{len(slides)})")
    text = "\n".join(slide_texts(deck)[_index(deck, s)] for s in slides)
    at = 0
    for row in rows:  # the pack's rows, in its order, with its figures
        slip = "-" if row["Slip (working days)"] is None else show(row["Slip (working days)"], "int", "en")
        expected = f"{row['Project']}\n{row['Milestone']}\n{row['Forecast']:%-d %b %Y}\n{slip}\n"
        found = text.find(expected, at)
        assert found >= 0, expected
        at = found + len(expected)
    limit = int(portfolio.settings.slip_green_days or 10)
    achieved = [any(v == "●" for v in r.values()) for r in rows]
    slipped = sum(1 for r, done in zip(rows, achieved, strict=True)
                  if not done and (r["Slip (working days)"] or 0) > limit)  # fmt: skip
    markers = []
    for slide in slides:
        shapes = list(slide.shapes)
        assert len(shapes) < 250  # drawn, not thousands of shapes
        (status,) = [s for s in shapes if s.name.startswith("Status date")]
        on_slide = sorted((s for s in shapes if s.name.split()[0] in ("Forecast", "Slipped", "Achieved")),
                          key=lambda s: s.top)  # fmt: skip
        markers += [(s, status.left) for s in on_slide]
    assert len(markers) == len(rows)
    assert sum(1 for s, _ in markers if s.name.startswith("Slipped")) == slipped > 0
    assert sum(1 for s, _ in markers if s.name.startswith("Achieved")) == sum(achieved)
    status_date = pd.Timestamp(portfolio.status_date)
    lefts = []
    for (shape, status_x), row in zip(markers, rows, strict=True):
        middle = shape.left + shape.width // 2
        lefts.append(middle)
        if pd.Timestamp(row["Forecast"]) < status_date - pd.Timedelta(days=3):
            assert middle < status_x, row
        elif pd.Timestamp(row["Forecast"]) > status_date + pd.Timedelta(days=3):
            assert middle > status_x, row
    assert lefts == sorted(lefts)  # the rows are in date order: so are their markers, on one scale
    legend = slide_texts(deck)[_index(deck, slides[0])]
    for words in ("Achieved", "Forecast", f"slipped more than {limit} working days", "Baseline", "Status date"):
        assert words in legend


def test_milestone_trend_slide_is_the_packs_chart(demo_outputs):
    portfolio, pack, deck = demo_outputs
    (slide,) = slides_titled(deck, "Milestone trend analysis")
    (chart,) = [s.chart for s in slide.shapes if s.has_chart]
    assert chart.chart_type == XL_CHART_TYPE.XY_SCATTER_LINES
    book = openpyxl.load_workbook(pack)
    theirs = _pack_chart(pack, book, "scatterChart")
    series = list(chart.plots[0].series)
    assert [s.name for s in series] == [name for name, _, _ in theirs["series"]]
    assert series[-1].name == "Due at the committee"
    for mine, (_, xs, ys) in zip(series, theirs["series"], strict=True):
        x = [float(v.text) for v in mine._element.findall(".//" + _C + "xVal//" + _C + "v")]
        assert x == [_serial(v) for v in xs] and list(mine.values) == [_serial(v) for v in ys], mine.name
    assert len(series) > 2 and not all(len(set(s.values)) == 1 for s in series[:-1])  # they moved
    for axis, (low, high) in zip((chart.category_axis, chart.value_axis), theirs["scales"], strict=True):
        assert (axis.minimum_scale, axis.maximum_scale) == (low, high)
    # At a first committee, no trend: no slide.
    first = write_committee_deck(deck.with_name("first.pptx"), portfolio)
    assert not slides_titled(first, "Milestone trend analysis")


def test_s_curve_marks_the_status_date_with_the_packs_units(demo_outputs):
    portfolio, pack, deck = demo_outputs
    curve = next(shape.chart for slide in slides_titled(deck, "Budget") for shape in slide.shapes
                 if shape.has_chart and shape.chart.chart_type == XL_CHART_TYPE.LINE)  # fmt: skip
    book = openpyxl.load_workbook(pack)
    theirs = _pack_chart(pack, book, "lineChart")
    assert curve.value_axis.tick_labels.number_format == theirs["format"] == '[$-809]#,##0," k€"'
    status = list(curve.plots[0].series)[-1]
    dates = [float(d) for d in curve.plots[0].categories]  # a date axis' categories are serial days
    values = list(status.values)
    at = dates.index(_serial(portfolio.status_date))
    assert [k for k, v in enumerate(values) if v is not None] == [at]
    assert values[at] >= max(portfolio.total.iloc[0][["bac", "eac"]])  # from the top of the curve
    bars = status._element.find(_C + "errBars")
    assert bars is not None and bars.find(_C + "errBarType").get("val") == "minus"
    assert bars.find(_C + "val").get("val") == "100"
    # The pack's S-curve has the same marker: its status-date series, one point, the same bar.
    _, _, ys = next(s for s in theirs["series"] if s[0] == "Status date")
    assert [v for v in ys if v is not None] == [pytest.approx(values[at])]
    assert "errBars" in theirs["xml"]


def test_a_portfolio_without_key_milestones_or_threats(demo_outputs, tmp_path):
    portfolio, _, _ = demo_outputs
    details = portfolio.details
    plan, risks = details["plan"].assign(key_milestone=False), details["risks"].iloc[0:0]
    bare = dataclasses.replace(portfolio, details={**details, "plan": plan, "risks": risks})
    deck = write_committee_deck(tmp_path / "bare.pptx", bare)
    (timeline,) = slides_titled(deck, "Key milestone timeline")
    assert "None." in slide_texts(deck)[_index(deck, timeline)]
    (slide,) = slides_titled(deck, "Risk matrix")
    matrix = next(shape.table for shape in slide.shapes if shape.has_table)
    assert [[matrix.cell(2 + k, 1 + p).text for p in range(5)] for k in range(5)] == [["0"] * 5] * 5
    _assert_within_slides(deck)


_C = "{http://schemas.openxmlformats.org/drawingml/2006/chart}"


def _pack_chart(path: Path, book, kind: str) -> dict:
    """The pack's first chart of ``kind`` (its XML in the xlsx): series (name, x or categories,
    values read from the cells they refer to), the axes' fixed scales and the value axis' format."""
    with zipfile.ZipFile(path) as z:
        for name in sorted(n for n in z.namelist() if n.startswith("xl/charts/chart")):
            xml = z.read(name).decode("utf-8")
            if f"<c:{kind}>" in xml:
                break
        else:
            raise AssertionError(f"no {kind} in the pack")
    root = ET.fromstring(xml)

    def cells(ref: str | None) -> list:
        if ref is None:
            return []
        sheet, area = ref.rsplit("!", 1)
        found = book[sheet.strip("'")][area.replace("$", "")]
        found = found if isinstance(found, tuple) else ((found,),)
        return [c.value for row in found for c in (row if isinstance(row, tuple) else (row,))]

    series = []
    for ser in root.iter(_C + "ser"):
        title = cells(ser.findtext(f"{_C}tx/{_C}strRef/{_C}f"))
        xs = cells(ser.findtext(f"{_C}xVal/{_C}numRef/{_C}f") or ser.findtext(f"{_C}cat/{_C}numRef/{_C}f"))
        ys = cells(ser.findtext(f"{_C}yVal/{_C}numRef/{_C}f") or ser.findtext(f"{_C}val/{_C}numRef/{_C}f"))
        series.append((title[0] if title else None, xs, ys))
    scales = []
    for axis in root.iter(_C + "valAx"):
        low, high = axis.find(f"{_C}scaling/{_C}min"), axis.find(f"{_C}scaling/{_C}max")
        scales.append((float(low.get("val")) if low is not None else None,
                       float(high.get("val")) if high is not None else None))  # fmt: skip
    formats = [a.find(_C + "numFmt").get("formatCode") for a in root.iter(_C + "valAx")]
    return {"series": series, "scales": scales, "format": formats[-1], "xml": xml}


def _serial(value) -> float:
    return float((pd.Timestamp(value) - pd.Timestamp("1899-12-30")).days)


def _fill(cell) -> str:
    colour = cell._tc.tcPr.find(".//{http://schemas.openxmlformats.org/drawingml/2006/main}srgbClr")
    return colour.get("val").upper()


def _luminance(hex_colour: str) -> float:
    r, g, b = (int(hex_colour[k : k + 2], 16) for k in (0, 2, 4))
    return 0.299 * r + 0.587 * g + 0.114 * b


def _index(deck: Path, slide) -> int:
    return next(k for k, s in enumerate(Presentation(str(deck)).slides) if s.slide_id == slide.slide_id)


# --- helpers -----------------------------------------------------------------------------------


def _assert_within_slides(deck: Path) -> None:
    """Every shape lies on its slide; every table's rows fit under its top; every cell and text
    box holds one line at a type size its width takes (the deck's own estimate is not trusted:
    0.62 em a character is DejaVu Sans', wider than Calibri)."""
    prs = Presentation(str(deck))
    for number_, slide in enumerate(prs.slides, start=1):
        for shape in slide.shapes:
            assert shape.left >= 0 and shape.top >= 0, (number_, shape.name)
            assert shape.left + shape.width <= prs.slide_width, (number_, shape.name)
            bottom = shape.top + (sum(r.height for r in shape.table.rows) if shape.has_table else shape.height)
            assert bottom <= prs.slide_height, (number_, shape.name)
            if shape.has_table:
                widths = [column.width for column in shape.table.columns]
                for row in shape.table.rows:
                    for c, cell in enumerate(row.cells):
                        span = int(cell._tc.get("gridSpan", 1))  # a cell merged across columns
                        _assert_fits(cell.text_frame, sum(widths[c : c + span]) - Inches(0.2), number_)
            elif shape.has_text_frame:
                frame = shape.text_frame
                _assert_fits(frame, shape.width - frame.margin_left - frame.margin_right, number_)


def _assert_fits(frame, width: int, where: int) -> None:
    for paragraph in frame.paragraphs:
        for run in paragraph.runs:
            if not run.text:
                continue
            size = run.font.size.pt
            em = 0.6 * (1.12 if run.font.bold else 1)
            assert len(run.text) * size * em <= width / 12700 + 0.5, (where, run.text, size)


def _pdf_layout(pdf: Path) -> list[tuple[float, float, list[tuple[float, float, float, float, str]]]]:
    """Each page's width, height and text lines (box and words), from ``pdftotext -bbox-layout``."""
    html = subprocess.run(["pdftotext", "-bbox-layout", str(pdf), "-"], capture_output=True, text=True, check=True)
    root = ET.fromstring(
        re.sub(r"<!DOCTYPE[^>]*>", "", html.stdout).replace('xmlns="http://www.w3.org/1999/xhtml"', "")
    )
    pages = []
    for page in root.iter("page"):
        lines = []
        for line in page.iter("line"):
            text = " ".join(w.text or "" for w in line.iter("word"))
            box = tuple(float(line.get(k)) for k in ("xMin", "yMin", "xMax", "yMax"))
            lines.append((*box, text))
        pages.append((float(page.get("width")), float(page.get("height")), lines))
    return pages
