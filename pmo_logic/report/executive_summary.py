"""Executive summary: the portfolio's state on one A4 landscape page.

Overall RAG and coverage; BAC, approved budget, EAC, EAC − BAC, SPI, CPI and SPI(t) coloured
against the thresholds, in figures and words, with their trend since the last committee; red
and amber projects by name with the PM's RAG and comment; decisions needed; the top threats
(a missing owner flagged); key milestones of the next 90 days; the most significant changes.
"""

from __future__ import annotations

from typing import Any

from pmo_logic import styles
from pmo_logic.kpis import NO_DATA
from pmo_logic.report.xlsx import Column, XlsxPack

WIDTHS = (9, 11, 10, 9, 12, 11, 11, 9, 11, 11, 12, 12, 12, 8)

LEFT, RIGHT = 0, 7


def _words(pack: XlsxPack, key: str, value: float | None) -> str:
    """SPI 0.98 → "2 % behind plan"; CPI 0.95 → "5 % over cost"."""
    if value is None:
        return pack.t("n_a")
    gap = round(abs(1 - value) * 100)
    pct = f"{gap}\u00a0%" if pack.lang == "fr" else f"{gap}%"
    if gap == 0:
        return pack.t("on_plan") if key != "cpi" else pack.t("on_cost")
    if key == "cpi":
        return pack.t("over_cost").format(pct=pct) if value < 1 else pack.t("under_cost").format(pct=pct)
    return pack.t("behind_plan").format(pct=pct) if value < 1 else pack.t("ahead_plan").format(pct=pct)


def render(pack: XlsxPack) -> None:
    v = pack.view
    ws = pack.sheet("summary", WIDTHS, fit_page=True)
    ws.write_string(2, 0, v.coverage.sentence, pack.f["subtitle"])
    # Overall RAG and the projects by RAG.
    ws.merge_range(3, 0, 3, 1, "", pack.f["bold"])
    ws.write_string(3, 0, pack.t("overall_rag"), pack.f["bold"])
    pack.rag(ws, 3, 2, v.overall_rag, 3)
    ws.merge_range(3, 4, 3, 5, "", pack.f["bold"])
    ws.write_string(3, 4, pack.t("by_rag"), pack.f["bold"])
    for k, code in enumerate(("green", "amber", "red", NO_DATA)):
        pack.rag(ws, 3, 6 + 2 * k, code)
        ws.write_number(3, 7 + 2 * k, v.rag_counts[code], pack.f["int"])
    pack.set_height(ws, 3, 18)
    _tiles(pack, ws, 4)
    row = 9
    left = row
    pack.heading(ws, left, LEFT, pack.t("attention"), RIGHT - 1)
    attention = v.attention.head(5)
    left = pack.table(
        ws,
        left + 1,
        [Column(pack.t("project"), 0, kind="bold"), Column(pack.t("name"), 1, 2), Column(pack.t("overall"), 3,
         kind="rag"), Column(pack.t("manual"), 4, kind="rag"), Column(pack.t("rag_comment"), 5, 6, kind="wrap")],
        [(a["project_id"], a["name"], a["rag_overall"], a["manual_rag"], _comment(pack, a))
         for a in attention.to_dict(orient="records")],
        max_lines=2,
    )  # fmt: skip
    if len(v.attention) > len(attention):
        ws.write_string(left - 1, 0, pack.t("more").format(n=len(v.attention) - len(attention)), pack.f["subtitle"])
    pack.heading(ws, left, LEFT, pack.t("decisions_needed"), RIGHT - 1)
    left = pack.table(
        ws,
        left + 1,
        [Column(pack.t("project"), 0, kind="bold"), Column(pack.t("decision"), 1, 2, kind="wrap"),
         Column(pack.t("impact_if_late"), 3, 4, kind="wrap"), Column(pack.t("needed_by"), 5, kind="date"),
         Column(pack.t("decision_maker"), 6)],
        [(d["project_id"], d["title"], d["impact_if_late"], d["needed_by"], d["decision_maker"])
         for d in v.decisions_needed.to_dict(orient="records")],
        max_lines=2,
    )  # fmt: skip
    pack.heading(ws, left, LEFT, pack.t("top_threats"), RIGHT - 1)
    threats = v.top_threats.to_dict(orient="records")
    left = pack.table(
        ws,
        left + 1,
        [Column(pack.t("project"), 0, kind="bold"), Column(pack.t("threat"), 1, 3, kind="wrap"),
         Column(pack.t("score"), 4, kind="int"), Column(pack.t("emv"), 5, kind="money"),
         Column(pack.t("owner"), 6)],
        [(r["project_id"], r["title"], r["score"], r["emv"],
          f"⚠ {pack.t('owner_missing')}" if r["owner_missing"] else r["owner"]) for r in threats],
        max_lines=2,
    )  # fmt: skip
    right = row
    pack.heading(ws, right, RIGHT, pack.t("next_milestones"), len(WIDTHS) - 1)
    upcoming = v.upcoming_milestones.head(8)
    right = pack.table(
        ws,
        right + 1,
        [Column(pack.t("project"), 7, kind="bold"), Column(pack.t("milestone"), 8, 9, kind="wrap"),
         Column(pack.t("forecast"), 10, kind="date"), Column(pack.t("baseline"), 11, kind="date"),
         Column(pack.t("slip"), 12, 13, kind="int")],
        [(m["project_id"], m["name"], m["finish"], m["baseline_finish"], m["slip_days"])
         for m in upcoming.to_dict(orient="records")],
        max_lines=1,
    )  # fmt: skip
    pack.heading(ws, right, RIGHT, v.changes_title(), len(WIDTHS) - 1)
    if v.changes is None:
        ws.write_string(right + 1, RIGHT, pack.t("no_changes"), pack.f["subtitle"])
    else:
        changes = v.significant_changes.to_dict(orient="records")
        pack.table(
            ws,
            right + 1,
            [Column(pack.t("change"), 7, 8, kind="code"), Column(pack.t("project"), 9, kind="bold"),
             Column(pack.t("item"), 10, kind="wrap"), Column(pack.t("before"), 11), Column(pack.t("after"), 12, 13)],
            [(c["change"], c["project_id"], " ".join(str(x) for x in (c["item"], c["name"]) if x),
              _show(pack, c["before"]), _show(pack, c["after"])) for c in changes],
            max_lines=2,
        )  # fmt: skip
    pack.finish(ws, max(left, right))


def _comment(pack: XlsxPack, project: dict) -> str:
    comment = project.get("rag_comment")
    text = "" if comment is None or comment != comment else str(comment)
    if project.get("rag_differs"):
        flag = f"⚠ {pack.t('pm_differs')}"
        text = f"{flag}. {text}" if text else flag
    return text


def _show(pack: XlsxPack, value: Any) -> str:
    """A before/after value of a change, in words (codes, dates, amounts)."""
    if value is None or (isinstance(value, float) and value != value):
        return ""
    if hasattr(value, "year") and hasattr(value, "month"):
        return pack.day(value)
    if isinstance(value, (int, float)):
        text = f"{value:,.0f}"
        return text.replace(",", "\u00a0") if pack.lang == "fr" else text
    return pack.code(value)


def _tiles(pack: XlsxPack, ws: Any, row: int) -> None:
    """The headline figures: a label, the figure coloured against the thresholds, words and trend."""
    v = pack.view
    keys = ("bac", "approved_budget", "eac", "eac_bac", "spi", "cpi", "spi_t")
    labels = {"approved_budget": pack.t("approved_budget")}
    for k, key in enumerate(keys):
        first, last = 2 * k, 2 * k + 1
        figure = v.headline(key)
        ws.merge_range(row, first, row, last, "", pack.f["tile_label"])
        ws.write_string(row, first, labels.get(key, pack.t(key)), pack.f["tile_label"])
        fill = styles.RAG_TEXT_FILL.get(figure.rag or "", "#FFFFFF")
        font = styles.RAG_TEXT_FONT.get(figure.rag or "", "#000000")
        kind = "signed_money" if key == "eac_bac" else figure.kind
        big = pack.fmt(bold=True, font_size=14, align="center", num_format=pack.numbers[kind], bg_color=fill,
                       font_color=font, left=1, right=1, border_color=styles.BORDER)  # fmt: skip
        ws.merge_range(row + 1, first, row + 1, last, "", big)
        if figure.value is None:
            ws.write_string(row + 1, first, pack.t("n_a"), big)
        else:
            ws.write_number(row + 1, first, figure.value, big)
        note = pack.fmt(align="center", num_format=pack.numbers["percent"], font_color="#404040", left=1, right=1,
                        border_color=styles.BORDER)  # fmt: skip
        ws.merge_range(row + 2, first, row + 2, last, "", note)
        if key == "eac_bac":
            pct = v.headline("eac_bac_pct").value
            if pct is None:
                ws.write_string(row + 2, first, pack.t("n_a"), note)
            else:
                ws.write_number(row + 2, first, pct, note)
        elif key in ("spi", "cpi", "spi_t"):
            ws.write_string(row + 2, first, _words(pack, key, figure.value), note)
        elif key == "approved_budget":
            reserve = v.budget.totals.get("reserve")
            amount = styles.with_currency(_show(pack, reserve), pack.lang, v.currency)
            text = "" if reserve is None else f"{pack.colon(pack.t('reserve'))} {amount}"
            ws.write_string(row + 2, first, text, note)
        else:
            ws.write_blank(row + 2, first, None, note)
        trend = pack.fmt(align="center", font_color="#404040", bottom=1, left=1, right=1, border_color=styles.BORDER)
        ws.merge_range(row + 3, first, row + 3, last, "", trend)
        said = pack.code(figure.trend) if figure.trend else pack.t("n_a")
        ws.write_string(row + 3, first, f"{pack.colon(pack.t('trend'))} {said}", trend)
    pack.set_height(ws, row, 16)
    pack.set_height(ws, row + 1, 24)
