"""The committee deck: the committee pack as a 16:9 PowerPoint presentation, with python-pptx.

`write_committee_deck` writes ``<pack name>.pptx``: a title slide, the executive summary,
portfolio status, RAG heatmap, the milestone timeline, the milestone trend analysis (from the
second committee), the risk matrix, top threats and decisions, budget, what changed and data
quality. One module per drawn slide: `milestone_timeline`, `milestone_trend`, `risk_matrix`
(with `shapes`, the XML of drawn shapes); the tables and the rest are here. Its figures, lists
and rankings are the committee view's (`report.view`, which the workbook pack draws too):
`deck_view` only lays them out in tables and puts codes in words, so the deck and the workbook
cannot disagree. The charts are native PowerPoint charts (their data is in the deck, editable
in PowerPoint); the tables are PowerPoint tables; the timeline is drawn in shapes.

A corporate template (``template=``) gives the slide master, the layouts and the slide size:
its slides are removed, the title slide takes the layout with a title and a subtitle, every
other slide the layout with a title and the fewest other placeholders.

Nothing overflows: a title's type size is computed from its length and its placeholder's
width, a table cell's from its text and its column's width (down to `MIN_FONT`, then the text
is cut with "…"), and a long table continues on further slides ("(2/3)").

Text from project workbooks stays text: python-pptx writes it as runs, never as a field or a
formula.

>>> write_committee_deck("committee_pack.pptx", portfolio)  # doctest: +SKIP
"""

from __future__ import annotations

import math
import os
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape as xml_escape

import pandas as pd
from lxml import etree
from pptx import Presentation
from pptx.chart.data import CategoryChartData
from pptx.dml.color import RGBColor
from pptx.enum.chart import XL_CHART_TYPE, XL_LEGEND_POSITION, XL_MARKER_STYLE
from pptx.enum.dml import MSO_LINE_DASH_STYLE
from pptx.enum.shapes import PP_PLACEHOLDER
from pptx.oxml.ns import qn
from pptx.util import Inches, Pt

from pmo_logic import styles
from pmo_logic.consolidate import Portfolio
from pmo_logic.files import atomic_output
from pmo_logic.i18n import FRENCH_SHORT_MONTHS
from pmo_logic.kpis import NO_DATA
from pmo_logic.report.budget import axis_format, status_marker_height
from pmo_logic.report.labels import code_label, label
from pmo_logic.report.pptx.shapes import Drawing, fit_line
from pmo_logic.report.view import CommitteeView, RiskMatrix, Timeline, build_view

SLIDE_WIDTH, SLIDE_HEIGHT = Inches(13.333), Inches(7.5)
"""16:9, PowerPoint's default widescreen size (the default template's slides are 4:3)."""
MARGIN = Inches(0.4)
BODY_FONT = 12
MIN_FONT = 8
TITLE_FONT = 28
ROW_HEIGHT = Inches(0.34)
CHAR_WIDTH = 0.6
"""Average width of a character in em, generous: Calibri is about 0.5, DejaVu Sans (LibreOffice's
substitute where Calibri is not installed) about 0.6; a cell's type size is computed from it."""
CELL_PADDING = Inches(0.2)
"""A table cell's left and right inner margins together (PowerPoint's 0.1 in each)."""
ROWS_PER_SLIDE = 14
"""Table rows under the header on one slide, before a continuation slide."""
TOP = 5

DECK_LABELS: dict[str, tuple[str, str]] = {
    "deck_title": ("Steering committee", "Comité de pilotage"),
    "red_amber": ("Red and amber projects", "Projets rouges et orange"),
    "kpis": ("Portfolio figures", "Chiffres du portefeuille"),
    "figure": ("Figure", "Indicateur"),
    "value": ("Value", "Valeur"),
    "threats_decisions": ("Top threats and decisions", "Principales menaces et décisions"),
    "change": ("Change", "Changement"),
    "item": ("Item", "Élément"),
    "before": ("Before", "Avant"),
    "after": ("After", "Après"),
    "continued": ("({k}/{n})", "({k}/{n})"),
    "name": ("Name", "Nom"),
    "programme_rows": ("Programme", "Programme"),
    "rag_counts": ("Projects by RAG", "Projets par météo"),
    "curve": ("Cumulative PV, EV and AC", "VP, VA et CR cumulés"),
    "milestone_timeline": ("Key milestone timeline", "Calendrier des jalons clés"),
}
"""The deck's own words; the rest are the pack's (`report.labels`)."""

CURVE_ORDER = ("pv", "ac", "ev", "bac", "eac")
"""The S-curve's series in the workbook pack's order."""
SERIES = {"pv": ("PV", "VP"), "ev": ("EV", "VA"), "ac": ("AC", "CR"), "bac": ("BAC", "BAC"), "eac": ("EAC", "EAC")}
"""The S-curve's series, named as the pack names them in each language."""


NARROW_NBSP = "\u202f"


def write_committee_deck(
    path: str | os.PathLike[str],
    portfolio: Portfolio | None = None,
    *,
    view: CommitteeView | None = None,
    history: Any = None,
    changes: pd.DataFrame | None = None,
    trend: pd.DataFrame | None = None,
    previous: pd.DataFrame | None = None,
    earned: pd.DataFrame | None = None,
    template: str | os.PathLike[str] | None = None,
    generated: datetime | None = None,
    overwrite: bool = True,
) -> Path:
    """Write the committee deck at ``path`` (atomically); ``template`` is a corporate .pptx or .potx.

    Give the committee ``view`` the pack was drawn from, or the ``portfolio`` and its ``history``
    (`snapshots.CommitteeHistory`, or its parts ``changes``, ``trend``, ``previous``, ``earned``)
    as to `report.write_committee_pack`.
    """
    target = Path(path)
    if view is None:
        if portfolio is None:
            raise TypeError("write_committee_deck needs a portfolio or a view")
        view = build_view(portfolio, history, changes=changes, trend=trend, previous=previous, earned=earned,
                          generated=generated)  # fmt: skip
    deck = render_committee_deck(deck_view(view), template=template)
    with atomic_output(target, overwrite=overwrite) as tmp:
        deck.save(str(tmp))
    return target


class TemplateError(ValueError):
    """The ``--pptx-template`` file cannot be used; ``str()`` says why, naming the file."""


# --- the view: what the deck shows, as plain data -------------------------------------------------


@dataclass
class Table:
    """A table of the deck: ``kinds`` per column (text, money, ratio, int, date, rag)."""

    headers: list[str]
    rows: list[list[Any]]
    kinds: list[str]
    widths: list[float]
    """Relative column widths."""
    groups: list[bool] = field(default_factory=list)
    """Per row: a programme's row (bold, tinted), not a project's."""

    def part(self, start: int, stop: int) -> Table:
        return Table(self.headers, self.rows[start:stop], self.kinds, self.widths, self.groups[start:stop])


@dataclass
class DeckView:
    """Every figure, list and ranking the deck shows, in the portfolio's language."""

    lang: str
    portfolio_name: str
    status_date: date | None
    generated: datetime
    coverage: str
    kpis: list[tuple[str, Any, str, str | None]]
    """(name, value, kind, RAG against the thresholds or None)."""
    rag_counts: list[tuple[str, str, int]]
    red_amber: Table
    status: Table
    heatmap: Table
    threats: Table
    decisions: Table
    curve: pd.DataFrame
    by_programme: Table
    changes: Table | None
    load_problems: Table
    quality: Table
    timeline: Timeline | None = None
    """The key milestones on their scale (the pack's Milestones tab)."""
    trend: pd.DataFrame | None = None
    """The milestone trend analysis' points; None at a first committee."""
    matrix: RiskMatrix | None = None
    slip_limit: int = 10
    """Slips beyond this many working days are highlighted (the Settings' green threshold)."""
    currency: str = ""
    unit: str = ""
    """Amounts on chart axes in thousands (``k``) or millions (``M``), the pack's."""
    extra: dict[str, Any] = field(default_factory=dict)

    def t(self, key: str) -> str:
        if key in DECK_LABELS:
            en, fr = DECK_LABELS[key]
            return fr if self.lang == "fr" else en
        return label(key, self.lang)


_DRAWING = "http://schemas.openxmlformats.org/drawingml/2006/main"
_CHART = "http://schemas.openxmlformats.org/drawingml/2006/chart"
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")

CHANGES_SHOWN = 48
"""Changes listed in the deck (continuation slides of `ROWS_PER_SLIDE`); the workbook pack has them all."""


def deck_view(view: CommitteeView) -> DeckView:
    """The committee ``view`` laid out as the deck's tables: no figure is computed here."""
    lang, t, code = view.lang, view.t, view.code
    fr = lang == "fr"

    def own(key: str) -> str:
        return DECK_LABELS[key][fr]

    def records(frame: pd.DataFrame | None) -> list[dict]:
        return [] if frame is None or not len(frame) else frame.to_dict(orient="records")

    names = {"bac": "BAC", "approved_budget": t("approved_budget"), "eac": "EAC", "eac_bac": t("eac_bac"),
             "eac_bac_pct": t("eac_bac_pct"), "spi": "SPI", "cpi": "CPI", "spi_t": "SPI(t)"}  # fmt: skip
    # Signed like the pack's tile ("+€327,464"): an overrun reads as one.
    kpis = [(names.get(h.key, h.key), h.value, "signed_money" if h.key == "eac_bac" else h.kind, h.rag)
            for h in view.headlines]  # fmt: skip
    rag_counts = [(c, code(c), int(view.rag_counts.get(c, 0))) for c in ("green", "amber", "red", NO_DATA)]
    red_amber = Table(
        [t("project"), own("name"), t("overall"), t("manual")],
        [[a["project_id"], a["name"], a["rag_overall"], a["manual_rag"]] for a in records(view.attention)],
        ["text", "text", "rag", "rag"],
        [1.1, 3.2, 1.1, 1.1],
    )
    status_rows, status_groups = [], []
    for row in records(view.status_rows):
        kind = row["kind"]
        if kind == "left_out":
            status_rows.append([row["project_id"], row["note"], None, None, None, None, None, None, None])
        else:
            status_rows.append([row["project_id"] or "", row["name"], row["programme"] or "", row["spi"], row["cpi"],
                                row["eac"], row["slip_days"], row["rag_overall"], row["manual_rag"]])  # fmt: skip
        status_groups.append(kind in ("subtotal", "total"))
    # Amount columns name their currency in the header ("EAC (€)"): the cells hold figures only.
    symbol = styles.currency_symbol(view.currency)

    def money(header: str) -> str:
        return f"{header} ({symbol})" if symbol else header

    status = Table(
        [t("project"), own("name"), t("programme"), "SPI", "CPI", money("EAC"), t("slip"), t("overall"), t("manual")],
        status_rows,
        ["text", "text", "text", "ratio", "ratio", "money", "int", "rag", "rag"],
        [1.0, 2.3, 1.6, 0.7, 0.7, 1.2, 1.9, 1.0, 1.0],
        status_groups,
    )
    heat_rows, heat_groups = [], []
    rags = ("rag_schedule", "rag_cost", "rag_risk", "rag_overall", "manual_rag")
    for row in records(view.heatmap_rows):
        programme = row["kind"] == "programme"
        first = [row["programme"], f"{int(row['projects'])} {t('projects').lower()}"] if programme else [
            row["project_id"], row["name"]]  # fmt: skip
        heat_rows.append(first + [row.get(k) for k in rags])
        heat_groups.append(programme)
    heatmap = Table(
        ["", "", t("schedule"), t("cost"), t("risk"), t("overall"), t("manual")],
        heat_rows,
        ["text", "text", "rag", "rag", "rag", "rag", "rag"],
        [1.8, 3.0, 1.0, 1.0, 1.0, 1.0, 1.0],
        heat_groups,
    )
    threats = Table(
        [t("project"), t("title"), t("score"), money(t("emv")), t("owner"), t("response")],
        [[r["project_id"], r["title"], r["score"], r["emv"], t("owner_missing") if r["owner_missing"] else r["owner"],
          code(r["response"]) if not _blank(r["response"]) else ""] for r in records(view.top_threats)],
        ["text", "text", "int", "money", "text", "text"],
        [1.0, 3.0, 0.7, 1.1, 1.4, 1.2],
    )  # fmt: skip
    decisions = Table(
        [t("project"), t("title"), t("impact_if_late"), t("needed_by"), t("decision_maker")],
        [
            [d["project_id"], d["title"], d["impact_if_late"], d["needed_by"], d["decision_maker"]]
            for d in records(view.decisions_needed)
        ],
        ["text", "text", "text", "date", "text"],
        [1.0, 2.4, 2.4, 1.3, 1.4],
    )
    bars = (("bac", "BAC"), ("approved_budget", t("approved_budget")), ("ac", SERIES["ac"][fr]), ("eac", "EAC"))
    by_programme = Table(
        [t("programme"), *(money(name) for _, name in bars)],
        [[prog["programme"], *(prog.get(key) for key, _ in bars)] for prog in records(view.budget.programmes)],
        ["text", "money", "money", "money", "money"],
        [1.7, 1.0, 1.5, 1.0, 1.0],
    )
    change_table = None
    if view.changes is not None:
        change_table = Table(
            [own("change"), t("project"), own("item"), own("before"), own("after")],
            [[code(c["change"]), c["project_id"], f"{c['item'] or ''} {c.get('name') or ''}".strip(),
              _rag_word(c["before"], lang), _rag_word(c["after"], lang)]
             for c in records(view.changes)[:CHANGES_SHOWN]],
            ["text", "text", "text", "any", "any"],
            [1.6, 1.0, 2.6, 1.4, 1.4],
        )  # fmt: skip
    load_table = Table(
        [t("file"), t("project"), "Code", t("reason")],
        [[p["file"], p["project_id"], p["code"], p["reason"]] for p in records(view.load_problems)],
        ["text", "text", "text", "text"],
        [2.2, 1.0, 0.8, 5.0],
    )
    quality = Table(
        [t("file"), t("project"), t("errors"), t("warnings"), t("trust")],
        [[q["file"], q["project_id"], q["errors"], q["warnings"], code(q["verdict"])]
         for q in records(view.data_quality)],
        ["text", "text", "int", "int", "text"],
        [3.2, 1.0, 0.9, 0.9, 1.4],
    )  # fmt: skip
    return DeckView(
        lang=lang,
        portfolio_name=view.portfolio_name,
        status_date=view.status_date,
        generated=view.generated,
        coverage=view.coverage.sentence,
        kpis=kpis,
        rag_counts=rag_counts,
        red_amber=red_amber,
        status=status,
        heatmap=heatmap,
        threats=threats,
        decisions=decisions,
        curve=view.budget.curves.get(None, pd.DataFrame()),
        by_programme=by_programme,
        changes=change_table,
        load_problems=load_table,
        quality=quality,
        timeline=view.timeline,
        trend=view.milestone_trend,
        matrix=view.risk_matrix,
        slip_limit=int(getattr(view.settings, "slip_green_days", None) or 10),
        currency=view.currency,
        unit=view.budget.unit,
        extra={"overall_rag": view.overall_rag, "changes_title": view.changes_title()},
    )


def _rag_word(value: Any, lang: str) -> Any:
    """A RAG code of "what changed" (``green``) in words; any other value as it is."""
    if isinstance(value, str) and value in ("green", "amber", "red", NO_DATA):
        return label("no_data" if value == NO_DATA else value, lang)
    return value


# --- text of figures ----------------------------------------------------------------------------------


def _blank(value: Any) -> bool:
    return value is None or value is pd.NaT or (isinstance(value, float) and math.isnan(value))


def show(value: Any, kind: str, lang: str, currency: str = "") -> str:
    """``value`` as the deck prints it: ``1,234,567`` / ``1 234 567``, ``0.95`` / ``0,95``,
    ``24 Nov 2026`` / ``24 nov. 2026``; a blank or undefined figure is "-". With ``currency``,
    amounts carry it as the pack's do: ``€1,234,567`` / ``1 234 567 €``, ``+€327,464``."""
    if _blank(value):
        return "-"
    if kind == "signed_money":
        sign = "+" if float(value) > 0 else "-" if float(value) < 0 else ""
        return sign + show(abs(float(value)), "money", lang, currency)
    if kind == "money" and currency:
        return styles.with_currency(show(value, "money", lang), lang, currency)
    if kind == "any":
        if isinstance(value, (pd.Timestamp, datetime, date)):
            kind = "date"
        elif isinstance(value, (int, float)) and not isinstance(value, bool):
            kind = "money" if abs(float(value)) >= 1000 else "ratio"
        else:
            return str(value)
    if kind == "date":
        stamp = pd.Timestamp(value)
        if lang == "fr":
            return f"{stamp.day} {FRENCH_SHORT_MONTHS[stamp.month - 1]} {stamp.year}"
        return f"{stamp.day} {stamp:%b %Y}"
    if kind in ("money", "int"):
        text = f"{float(value):,.0f}"
        return text.replace(",", NARROW_NBSP) if lang == "fr" else text
    if kind == "percent":
        text = f"{float(value) * 100:.1f}"
        return text.replace(".", ",") + "\u00a0%" if lang == "fr" else text + " %"
    if kind == "ratio":
        text = f"{float(value):.2f}"
        return text.replace(".", ",") if lang == "fr" else text
    return str(value)


# --- drawing ----------------------------------------------------------------------------------------


def render_committee_deck(view: DeckView, *, template: str | os.PathLike[str] | None = None) -> Any:
    """The deck of ``view`` as a python-pptx `Presentation` (not saved)."""
    return _Deck(view, template).render()


def _rgb(hex_colour: str) -> RGBColor:
    return RGBColor.from_string(hex_colour.lstrip("#"))


RAG_COLOURS = {**styles.RAG_FILL, NO_DATA: styles.NO_DATA_FILL}
RAG_TEXT = {**styles.RAG_FONT, NO_DATA: styles.NO_DATA_FONT}


class _Deck:
    def __init__(self, view: DeckView, template: str | os.PathLike[str] | None) -> None:
        self.v = view
        self.lang = view.lang
        self.template = template
        if template is None:
            self.prs = Presentation()
            self._widen_default()
        else:
            self.prs = _open_template(Path(template))
        self.title_layout, self.content_layout = _pick_layouts(self.prs, template)
        self.width, self.height = self.prs.slide_width, self.prs.slide_height
        self._title_box: tuple[int, int, int] | None = None

    def t(self, key: str) -> str:
        return self.v.t(key)

    def code(self, value: Any) -> str:
        """A code of the data (a level, a response) in words."""
        return code_label(value, self.lang)

    def number(self, value: Any) -> str:
        return show(value, "int", self.lang)

    def _widen_default(self) -> None:
        """python-pptx's default template is 4:3: widen it to 16:9, its master and layouts with it."""
        ratio = SLIDE_WIDTH / self.prs.slide_width
        master = self.prs.slide_master
        # A layout's placeholder inherits its place from the master's: read every one first, then
        # write each explicitly, so that none is widened twice or left without a height.
        places = [
            (shape, shape.left, shape.top, shape.width, shape.height)
            for shape in [*master.shapes, *(p for layout in master.slide_layouts for p in layout.placeholders)]
        ]
        self.prs.slide_width, self.prs.slide_height = SLIDE_WIDTH, SLIDE_HEIGHT
        for shape, left, top, width, height in places:
            shape.left, shape.top = int(left * ratio), int(top)
            shape.width, shape.height = int(width * ratio), int(height)

    # slides -------------------------------------------------------------------------------

    def render(self) -> Any:
        v = self.v
        self.slide_title()
        self.slide_summary()
        self.table_slides(self.t("status"), v.status)
        self.table_slides(self.t("heatmap"), v.heatmap)
        milestone_timeline.draw(self)
        milestone_trend.draw(self)
        risk_matrix.draw(self)
        self.slide_threats_decisions()
        self.slide_budget()
        if v.changes is None:
            slide, top = self.content_slide(self.v.extra.get("changes_title") or self.t("changes"))
            self.note(slide, top, self.t("no_changes"))
        else:
            self.table_slides(v.extra.get("changes_title") or self.t("changes"), v.changes)
        self.slide_quality()
        return self.prs

    def slide_title(self) -> None:
        slide = self.prs.slides.add_slide(self.title_layout)
        title = _placeholder(slide, (PP_PLACEHOLDER.CENTER_TITLE, PP_PLACEHOLDER.TITLE))
        when = show(self.v.status_date, "date", self.lang)
        heading = f"{self.t('deck_title')} — {self.v.portfolio_name}"
        if title is not None:
            self.fit_text(title, [heading], TITLE_FONT + 8, bold=True)
        subtitle = _placeholder(slide, (PP_PLACEHOLDER.SUBTITLE, PP_PLACEHOLDER.BODY))
        lines = [f"{self.t('status_date')}\u00a0: {when}" if self.lang == "fr" else f"{self.t('status_date')}: {when}",
                 self.v.coverage]  # fmt: skip
        if subtitle is not None:
            self.fit_text(subtitle, lines, 20)
        _drop_empty_placeholders(slide)

    def slide_summary(self) -> None:
        v = self.v
        slide, top = self.content_slide(self.t("summary"))
        overall = v.extra.get("overall_rag")
        colon = "\u00a0: " if self.lang == "fr" else ": "
        lead = f"{self.t('overall_rag')}{colon}{_rag_word(overall, self.lang)}. " if overall else ""
        self.note(slide, top, lead + v.coverage)
        top += Inches(0.45)
        left_width = int((self.width - 2 * MARGIN) * 0.42)
        kpis = Table(
            [self.t("figure"), self.t("value"), ""],
            [[name, show(value, kind, self.lang, v.currency), rag] for name, value, kind, rag in v.kpis],
            ["text", "text", "rag"],
            [1.4, 1.4, 0.9],
        )
        self.table(slide, kpis, MARGIN, top, left_width)
        chart_top = top + ROW_HEIGHT * (len(kpis.rows) + 1) + Inches(0.2)
        data = CategoryChartData()
        data.categories = [name for _, name, _ in v.rag_counts]
        data.add_series(self.t("rag_counts"), [count for _, _, count in v.rag_counts])
        height = max(self.height - chart_top - MARGIN, Inches(1.5))
        frame = slide.shapes.add_chart(XL_CHART_TYPE.COLUMN_CLUSTERED, MARGIN, chart_top, left_width, height, data)
        chart = frame.chart
        chart.has_legend = False
        chart.has_title = True
        chart.chart_title.text_frame.text = self.t("rag_counts")
        _font(chart.chart_title.text_frame.paragraphs[0], 12, bold=True)
        plot = chart.plots[0]
        plot.has_data_labels = True
        plot.data_labels.font.size = Pt(11)
        for point, (code, _, _) in zip(plot.series[0].points, v.rag_counts, strict=True):
            point.format.fill.solid()
            point.format.fill.fore_color.rgb = _rgb(RAG_COLOURS[code])
            point.format.line.color.rgb = _rgb("#7F7F7F")
        right = MARGIN + left_width + Inches(0.3)
        width = self.width - right - MARGIN
        self.heading(slide, right, top - Inches(0.05), width, self.t("red_amber"))
        rows = self.rows_fitting(top + Inches(0.4))
        shown = v.red_amber
        if len(shown.rows) > rows:
            more = len(shown.rows) - (rows - 1)
            shown = Table(shown.headers, [*shown.rows[: rows - 1], [f"+{more}", "", None, None]], shown.kinds,
                          shown.widths)  # fmt: skip
        if shown.rows:
            self.table(slide, shown, right, top + Inches(0.4), width)
        else:
            self.note(slide, top + Inches(0.4), self.t("none"), left=right)

    def slide_threats_decisions(self) -> None:
        slide, top = self.content_slide(self.t("threats_decisions"))
        width = self.width - 2 * MARGIN
        for key, table in (("top_threats", self.v.threats), ("decisions_needed", self.v.decisions)):
            self.heading(slide, MARGIN, top, width, self.t(key))
            top += Inches(0.4)
            if table.rows:
                self.table(slide, table, MARGIN, top, width)
                top += ROW_HEIGHT * (len(table.rows) + 1) + Inches(0.25)
            else:
                self.note(slide, top, self.t("none"))
                top += Inches(0.5)

    def slide_budget(self) -> None:
        v = self.v
        slide, top = self.content_slide(self.t("budget"))
        width = self.width - 2 * MARGIN
        height = self.height - top - MARGIN
        curve = v.curve
        left_width = int(width * 0.5)
        if len(curve):
            data = CategoryChartData(number_format="#,##0")
            data.categories = [pd.Timestamp(d).to_pydatetime().date() for d in curve["date"]]
            data.categories.number_format = styles.pack_formats(self.lang)["short_month"]  # LCID: LibreOffice too
            # In the pack's order, so that each series takes the pack's colour (PV blue, AC red, EV green).
            for key in CURVE_ORDER:
                data.add_series(SERIES[key][self.lang == "fr"], [None if _blank(x) else float(x) for x in curve[key]])
            status = pd.Timestamp(v.status_date) if v.status_date else None
            height_at = status_marker_height(curve)
            marked = status is not None and height_at is not None and (curve["date"] == status).any()
            if marked:
                data.add_series(self.t("status_date"),
                                [height_at if pd.Timestamp(d) == status else None for d in curve["date"]])  # fmt: skip
            frame = slide.shapes.add_chart(XL_CHART_TYPE.LINE_MARKERS, MARGIN, top, left_width, height, data)
            chart = frame.chart
            chart.has_title = True
            chart.chart_title.text_frame.text = self.t("curve")
            _font(chart.chart_title.text_frame.paragraphs[0], 12, bold=True)
            chart.has_legend = True
            chart.legend.position = XL_LEGEND_POSITION.BOTTOM
            chart.legend.include_in_layout = False
            chart.legend.font.size = Pt(10)
            chart.value_axis.tick_labels.font.size = Pt(10)
            chart.value_axis.tick_labels.number_format = axis_format(self.lang, v.currency, v.unit)
            chart.value_axis.tick_labels.number_format_is_linked = False
            chart.category_axis.tick_labels.font.size = Pt(10)
            _skip_labels(chart, math.ceil(len(curve) / 12))
            for series, key in zip(chart.plots[0].series, CURVE_ORDER, strict=False):
                series.smooth = False
                if key in ("bac", "eac"):  # reference lines
                    series.format.line.dash_style = MSO_LINE_DASH_STYLE.DASH
                    series.marker.style = XL_MARKER_STYLE.NONE
            if marked:
                _status_line(chart.plots[0].series[-1])
        else:
            self.note(slide, top, self.t("none"))
        right = MARGIN + left_width + Inches(0.3)
        table = v.by_programme
        self.heading(slide, right, top, width - left_width - Inches(0.3), self.t("by_programme"))
        if table.rows:
            self.table_pages(slide, table, right, top + Inches(0.45), width - left_width - Inches(0.3),
                             self.t("budget"))  # fmt: skip

    def slide_quality(self) -> None:
        v = self.v
        if v.load_problems.rows:
            self.table_slides(f"{self.t('quality')}{self.colon()}{self.t('load_problems').lower()}", v.load_problems)
        self.table_slides(self.t("quality"), v.quality)

    # building blocks ---------------------------------------------------------------------------

    def content_slide(self, title: str) -> tuple[Any, int]:
        """A slide of the content layout with ``title``; returns it and the top of its body area."""
        slide = self.prs.slides.add_slide(self.content_layout)
        shape = _placeholder(slide, (PP_PLACEHOLDER.TITLE, PP_PLACEHOLDER.CENTER_TITLE))
        bottom = Inches(1.2)
        if shape is not None:
            # The layout's title's place, read once: a placeholder inherits it through the layout
            # and the master, a lookup of several milliseconds a slide.
            if self._title_box is None:
                self._title_box = (int(shape.top + shape.height), int(shape.width), int(shape.height))
            bottom, width, height = self._title_box
            self.fit_text(shape, [title], TITLE_FONT, bold=True, box=(width, height))
        else:
            box = slide.shapes.add_textbox(MARGIN, Inches(0.3), self.width - 2 * MARGIN, Inches(0.8))
            self.fit_text(box, [title], TITLE_FONT, bold=True)
            bottom = box.top + box.height
        _drop_empty_placeholders(slide)
        self.footer(slide)
        return slide, int(bottom) + Inches(0.15)

    def colon(self) -> str:
        """ ": " in English, " : " in French (a no-break space before the colon)."""
        return "\u00a0: " if self.lang == "fr" else ": "

    def accent(self, colour: str) -> str | None:
        """Our colour for headings and notes on pmo-xl's own slides; a corporate template's text
        colour (its theme's) on its own, whose background may be dark."""
        return colour if self.template is None else None

    def footer(self, slide: Any) -> None:
        when = show(self.v.status_date, "date", self.lang)
        text = f"{self.v.portfolio_name} — {self.t('status_date')} {when}"
        width, inset = self.width - 2 * MARGIN, Inches(0.1)
        text, size = fit_line(text, width - 2 * inset, 9, smallest=6)
        # As XML, not through python-pptx's text API: this is on every slide, and that is slow.
        drawing = Drawing(slide, self.lang)
        drawing.text(MARGIN, self.height - Inches(0.35), width, Inches(0.3), text, size,
                     colour=self.accent("#595959"), inset=inset)  # fmt: skip
        drawing.flush()

    def heading(self, slide: Any, left: int, top: int, width: int, text: str) -> None:
        box = slide.shapes.add_textbox(left, top, width, Inches(0.4))
        self.fit_text(box, [text], 16, bold=True, colour=self.accent(styles.NAVY))

    def note(self, slide: Any, top: int, text: str, left: int | None = None) -> None:
        left = MARGIN if left is None else left
        box = slide.shapes.add_textbox(left, top, self.width - left - MARGIN, Inches(0.4))
        self.fit_text(box, [text], 14, colour=self.accent("#595959"))

    def fit_text(self, shape: Any, lines: Sequence[str], size: float, *, bold: bool = False,
                 colour: str | None = None, box: tuple[int, int] | None = None) -> None:  # fmt: skip
        """Put ``lines`` in ``shape``, one paragraph each, at the largest type size up to ``size``
        at which the longest fits its width on one line and all fit its height (``box``: its
        width and height, when known)."""
        frame = shape.text_frame
        frame.word_wrap = True
        frame.auto_size = None
        width, height = box or (shape.width, shape.height)
        width_pt = max((width - Inches(0.2)) / 12700, 1)
        height_pt = max((height - Inches(0.1)) / 12700, 1)
        longest = max((len(line) for line in lines), default=1) or 1
        em = CHAR_WIDTH * (1.12 if bold else 1)  # bold type is wider
        fitted = min(size, width_pt / (longest * em), height_pt / (1.25 * len(lines)))
        fitted = max(math.floor(fitted), 6)
        frame.clear()
        for k, line in enumerate(lines):
            paragraph = frame.paragraphs[0] if k == 0 else frame.add_paragraph()
            run = paragraph.add_run()
            run.text = line
            _font(paragraph, fitted, bold=bold, colour=colour)

    def rows_fitting(self, top: int) -> int:
        return max(int((self.height - MARGIN - Inches(0.3) - top) / ROW_HEIGHT) - 1, 1)

    def table_slides(self, title: str, table: Table) -> None:
        """``table`` on as many slides as it takes, titled "(2/3)" after the first."""
        most = max(min(ROWS_PER_SLIDE, self.rows_fitting(self._body_top())), 1)
        count = max(math.ceil(len(table.rows) / most), 1)
        rows = max(math.ceil(len(table.rows) / count), 1)  # 16 rows go 8 + 8, not 14 + 2
        for k in range(1, count + 1):
            heading = title if count == 1 else f"{title} {self.t('continued').format(k=k, n=count)}"
            slide, top = self.content_slide(heading)
            chunk = table.part((k - 1) * rows, k * rows)
            if chunk.rows:
                self.table(slide, chunk, MARGIN, top, self.width - 2 * MARGIN)
            else:
                self.note(slide, top, self.t("none"))

    def table_pages(self, slide: Any, table: Table, left: int, top: int, width: int, title: str) -> None:
        """``table`` beside a chart: what does not fit continues on slides of its own."""
        rows = self.rows_fitting(top)
        self.table(slide, table.part(0, rows), left, top, width)
        if len(table.rows) > rows:
            self.table_slides(f"{title}{self.colon()}{self.t('by_programme')}", table.part(rows, len(table.rows)))

    def _body_top(self) -> int:
        shape = next(
            (p for p in self.content_layout.placeholders
             if p.placeholder_format.type in (PP_PLACEHOLDER.TITLE, PP_PLACEHOLDER.CENTER_TITLE)),
            None,
        )  # fmt: skip
        return int(shape.top + shape.height) + Inches(0.15) if shape is not None else Inches(1.35)

    def table(self, slide: Any, table: Table, left: int, top: int, width: int) -> Any:
        """A PowerPoint table of ``table`` at (``left``, ``top``), ``width`` wide, one line per cell.

        The rows are written as XML in one piece: python-pptx's cell API takes about 2 ms a cell,
        40 s for a 500-project portfolio's deck.
        """
        n_rows, n_cols = len(table.rows) + 1, len(table.headers)
        shape = slide.shapes.add_table(1, n_cols, left, top, width, ROW_HEIGHT * n_rows)
        grid = shape.table
        total = sum(table.widths)
        widths = [int(width * w / total) for w in table.widths]
        widths[-1] = width - sum(widths[:-1])
        for column, column_width in zip(grid._tbl.tblGrid.findall(qn("a:gridCol")), widths, strict=True):
            column.set("w", str(column_width))
        rows = ["".join(self.cell(head, widths[c], BODY_FONT - 1, bold=True, fill=styles.NAVY, colour="#FFFFFF")
                        for c, head in enumerate(table.headers))]  # fmt: skip
        # The figures of a table in one type size, that of the widest (bold for a subtotal): numbers
        # of different sizes side by side read as different kinds of number.
        sizes = [BODY_FONT] * len(table.kinds)
        for c, kind in enumerate(table.kinds):
            if kind in ("money", "ratio", "int"):
                sizes[c] = min((fit_line(show(values[c], kind, self.lang), widths[c] - CELL_PADDING, BODY_FONT,
                                         bold=bool(table.groups[r]) if r < len(table.groups) else False)[1]
                                for r, values in enumerate(table.rows)), default=BODY_FONT)  # fmt: skip
        figures = [size for size, kind in zip(sizes, table.kinds, strict=True) if kind in ("money", "ratio", "int")]
        sizes = [min(figures) if kind in ("money", "ratio", "int") else size
                 for size, kind in zip(sizes, table.kinds, strict=True)]  # fmt: skip
        for r, values in enumerate(table.rows, start=1):
            group = r - 1 < len(table.groups) and table.groups[r - 1]
            cells = []
            for c, (value, kind) in enumerate(zip(values, table.kinds, strict=True)):
                align = "r" if kind in ("money", "ratio", "int") else "l"
                if group and (kind != "rag" or _blank(value)):
                    text = "" if _blank(value) else show(value, "text" if kind == "rag" else kind, self.lang)
                    cells.append(self.cell(text, widths[c], sizes[c], bold=True, fill=styles.KEY_FILL, align=align))
                elif kind == "rag" and value in RAG_COLOURS:
                    text = self.t("no_data") if value == NO_DATA else self.t(value)
                    cells.append(self.cell(text, widths[c], BODY_FONT, bold=value != NO_DATA, fill=RAG_COLOURS[value],
                                           colour=RAG_TEXT[value], align="ctr"))  # fmt: skip
                else:
                    text = "" if _blank(value) and kind in ("text", "rag") else show(value, kind, self.lang)
                    fill = "#FFFFFF" if r % 2 or kind == "rag" else "#F2F2F2"
                    cells.append(self.cell(text, widths[c], sizes[c], fill=fill, align=align))
            rows.append("".join(cells))
        xml = "".join(f'<a:tr h="{int(ROW_HEIGHT)}">{cells}</a:tr>' for cells in rows)
        built = etree.fromstring(f'<a:tbl xmlns:a="{_DRAWING}">{xml}</a:tbl>')
        tbl = grid._tbl
        for old in tbl.findall(qn("a:tr")):
            tbl.remove(old)
        for row in list(built):
            tbl.append(row)
        return shape

    def cell(self, text: str, width: int, size: float, *, bold: bool = False, fill: str = "#FFFFFF",
             colour: str = "#000000", align: str = "l") -> str:  # fmt: skip
        """One table cell's XML: one line of ``text``, smaller type when it is long, cut with "…"
        below `MIN_FONT`."""
        text, fitted = fit_line(text, width - CELL_PADDING, size, bold=bold, smallest=MIN_FONT)
        points = int(fitted * 100)
        run = (
            f'<a:r><a:rPr lang="{"fr-FR" if self.lang == "fr" else "en-GB"}" sz="{points}" b="{int(bold)}">'
            f'<a:solidFill><a:srgbClr val="{colour.lstrip("#")}"/></a:solidFill></a:rPr>'
            f"<a:t>{xml_escape(text)}</a:t></a:r>"
            if text
            else ""
        )
        margin = int(Inches(0.02))
        return (
            f'<a:tc><a:txBody><a:bodyPr wrap="none"/><a:lstStyle/><a:p><a:pPr algn="{align}"/>{run}'
            f'<a:endParaRPr sz="{points}"/></a:p></a:txBody>'
            f'<a:tcPr marT="{margin}" marB="{margin}" anchor="ctr"><a:solidFill><a:srgbClr val="{fill.lstrip("#")}"/>'
            "</a:solidFill></a:tcPr></a:tc>"
        )


def _status_line(series: Any) -> None:
    """``series`` (one point, at the status date, at the top of the curve) as a vertical line: no line
    between points, a red triangle, and a minus error bar of 100 % reaching down to the axis (a
    line chart has no vertical line of its own; the bar follows the data when it is edited)."""
    series.smooth = False
    series.format.line.fill.background()
    series.marker.style = XL_MARKER_STYLE.TRIANGLE
    series.marker.size = 7
    series.marker.format.fill.solid()
    series.marker.format.fill.fore_color.rgb = _rgb(styles.STATUS_LINE)
    series.marker.format.line.color.rgb = _rgb(styles.STATUS_LINE)
    colour = styles.STATUS_LINE.lstrip("#")
    bars = etree.fromstring(
        f'<c:errBars xmlns:c="{_CHART}" xmlns:a="{_DRAWING}"><c:errDir val="y"/><c:errBarType val="minus"/>'
        '<c:errValType val="percentage"/><c:noEndCap val="1"/><c:val val="100"/>'
        f'<c:spPr><a:ln w="19050"><a:solidFill><a:srgbClr val="{colour}"/></a:solidFill><a:prstDash val="dash"/>'
        "</a:ln></c:spPr></c:errBars>"
    )
    # The schema's order in a line chart's series: ..., marker, dPt, dLbls, trendline, errBars, cat, val, ...
    series._element.find(qn("c:cat")).addprevious(bars)


def _skip_labels(chart: Any, every: int) -> None:
    """A date label every ``every`` months: one a month would be turned on its side, or overprint."""
    axis = chart.category_axis._element
    if every <= 1 or axis.tag != qn("c:dateAx"):
        return
    for tag in ("c:majorUnit", "c:majorTimeUnit"):
        for old in axis.findall(qn(tag)):
            axis.remove(old)
    # The schema's order: ... auto, lblOffset, baseTimeUnit, majorUnit, majorTimeUnit, ..., extLst.
    anchor = next((axis.find(qn(t)) for t in ("c:baseTimeUnit", "c:lblOffset", "c:auto", "c:crosses")
                   if axis.find(qn(t)) is not None), None)  # fmt: skip
    unit, time_unit = etree.Element(qn("c:majorUnit")), etree.Element(qn("c:majorTimeUnit"))
    unit.set("val", str(every))
    time_unit.set("val", "months")
    if anchor is None:
        axis.append(unit)
    else:
        anchor.addnext(unit)
    unit.addnext(time_unit)


def _font(paragraph: Any, size: float, *, bold: bool = False, colour: str | None = None) -> None:
    for run in paragraph.runs or []:
        run.font.size = Pt(size)
        run.font.bold = bold
        if colour is not None:
            run.font.color.rgb = _rgb(colour)
    paragraph.font.size = Pt(size)


def _placeholder(slide: Any, types: Sequence[Any]) -> Any:
    for shape in slide.placeholders:
        if shape.placeholder_format.type in types:
            return shape
    return None


def _drop_empty_placeholders(slide: Any) -> None:
    """A layout's other placeholders ("Click to add text") would show in the slide show's edit view
    and in some renderers: the ones left empty are removed."""
    for shape in list(slide.placeholders):
        if not shape.has_text_frame or not shape.text_frame.text.strip():
            element = shape._element
            element.getparent().remove(element)


_TEMPLATE_TYPE = b"application/vnd.openxmlformats-officedocument.presentationml.template.main+xml"
_PRESENTATION_TYPE = b"application/vnd.openxmlformats-officedocument.presentationml.presentation.main+xml"


def _open_template(path: Path) -> Any:
    try:
        prs = Presentation(_as_presentation(path))
    except Exception as exc:  # python-pptx raises several kinds for a file that is not a deck
        raise TemplateError(f"{path} is not a PowerPoint template pmo-xl can read ({type(exc).__name__}).") from exc
    # The template's own slides (a sample, an instructions slide) are not the committee's.
    slide_ids = prs.slides._sldIdLst
    for slide_id in list(slide_ids):
        prs.part.drop_rel(slide_id.rId)
        slide_ids.remove(slide_id)
    return prs


def _as_presentation(path: Path) -> Any:
    """``path``, or for a PowerPoint template (.potx) its content as a presentation: the same parts,
    only the main part's declared type differs, and python-pptx opens presentations only."""
    import io
    import zipfile

    try:
        with zipfile.ZipFile(path) as source:
            types = source.read("[Content_Types].xml")
            if _TEMPLATE_TYPE not in types:
                return str(path)
            copy = io.BytesIO()
            with zipfile.ZipFile(copy, "w", zipfile.ZIP_DEFLATED) as target:
                for item in source.infolist():
                    data = source.read(item.filename)
                    if item.filename == "[Content_Types].xml":
                        data = data.replace(_TEMPLATE_TYPE, _PRESENTATION_TYPE)
                    target.writestr(item, data)
    except (OSError, zipfile.BadZipFile, KeyError):
        return str(path)  # python-pptx says what is wrong with it
    copy.seek(0)
    return copy


def _pick_layouts(prs: Any, template: Any) -> tuple[Any, Any]:
    """The layouts with a title and a subtitle (title slide), and with a title and the fewest other
    placeholders (every other slide); a template without a titled layout cannot be used."""
    layouts = list(prs.slide_layouts)

    def types(layout: Any) -> list[Any]:
        return [p.placeholder_format.type for p in layout.placeholders]

    titled = [lay for lay in layouts if {PP_PLACEHOLDER.TITLE, PP_PLACEHOLDER.CENTER_TITLE} & set(types(lay))]
    if not titled:
        raise TemplateError(f"{template}: no slide layout has a title placeholder; pmo-xl needs one.")
    title_slide = next(
        (lay for lay in titled if PP_PLACEHOLDER.CENTER_TITLE in types(lay) and PP_PLACEHOLDER.SUBTITLE in types(lay)),
        next((lay for lay in titled if PP_PLACEHOLDER.SUBTITLE in types(lay)), titled[0]),
    )
    ignored = {PP_PLACEHOLDER.DATE, PP_PLACEHOLDER.FOOTER, PP_PLACEHOLDER.SLIDE_NUMBER}
    content = min(
        [lay for lay in titled if PP_PLACEHOLDER.TITLE in types(lay)] or titled,
        key=lambda lay: len([t for t in types(lay) if t not in ignored]),
    )
    return title_slide, content


# The drawn slides' modules use the helpers above.
from pmo_logic.report.pptx import milestone_timeline, milestone_trend, risk_matrix  # noqa: E402
