"""Portfolio status: one row per project, worst first within its programme, programme subtotals,
the projects left out as grey rows saying why, and the portfolio total.

SPI and CPI are coloured by the RAG thresholds of the Settings sheet (no data bars); the PM's RAG
sits beside the computed ones; the trend is "n/a" at a first committee.
"""

from __future__ import annotations

import math
from typing import Any

from pmo_logic import styles
from pmo_logic.report.text_width import column_width, longest_word_width, wrapped_lines
from pmo_logic.report.xlsx import XlsxPack

WIDTHS = (9, 16, 9, 10, 7, 12, 6, 5, 5, 5, 10, 9, 7, 7, 7, 7, 7, 7)
"""ID, name, PM, BAC, % complete, forecast finish, slip, SPI, CPI, SPI(t), EAC, VAC, PM's RAG,
schedule, cost, risk, overall, trend: the widest a column needs is added to these."""
MONEY = {3: "bac", 10: "eac", 11: "vac"}
"""The amount columns and their figure."""
RAG_COLUMNS = ("manual_rag", "rag_schedule", "rag_cost", "rag_risk", "rag_overall")
FIRST_RAG_COLUMN = 12
"""The PM's RAG and the computed ones, side by side from this column."""
GIVES = ((1, 11), (2, 7), (5, 10.5), (0, 7))
"""Columns that give room to the others, in turn, and how narrow each may get: name, PM,
forecast finish, ID."""


def _band(value: float | None, green: float | None, amber: float | None) -> str | None:
    if value is None or value != value:
        return None
    if value >= (green or 0.95):
        return "green"
    return "amber" if value >= (amber or 0.85) else "red"


def render(pack: XlsxPack) -> None:
    v, s = pack.view, pack.view.settings
    headers = [pack.t("project"), pack.t("name"), pack.t("project_manager"), pack.t("bac"),
               pack.t("percent_complete"), pack.t("forecast_finish"), pack.t("slip"), "SPI", "CPI", "SPI(t)",
               "EAC", "VAC", pack.t("manual"), pack.t("schedule"), pack.t("cost"), pack.t("risk"), pack.t("overall"),
               pack.t("trend")]  # fmt: skip
    widths, millions = layout(pack, headers)
    ws = pack.sheet("status", widths)
    row = 3
    for c, head in enumerate(headers):
        ws.write_string(row, c, head, pack.f["head"])
    pack.set_height(ws, row, pack.height(max(wrapped_lines(h, widths[c]) for c, h in enumerate(headers))))
    ws.repeat_rows(row)
    ws.freeze_panes(row + 1, 2)
    money, signed = ("money_m", "signed_money_m") if millions else ("money", "signed_money")
    kinds = (money, "percent_plain", "date", "int", "ratio", "ratio", "ratio", money, signed)
    keys = ("bac", "percent_complete", "forecast_finish", "slip_days", "spi", "cpi", "spi_t", "eac", "vac")
    programme = None
    for r in v.status_rows.to_dict(orient="records"):
        if r["kind"] == "project" and r["programme"] != programme:
            programme = r["programme"]
            row += 1
            # merge_range() writes its value with write(), which may read text as a formula.
            ws.merge_range(row, 0, row, len(headers) - 1, "", pack.f["group"])
            ws.write_string(row, 0, programme, pack.f["group"])
        row += 1
        kind = r["kind"]
        if kind == "left_out":
            ws.merge_range(row, 2, row, len(headers) - 1, "", pack.f["left_out"])
            ws.write_string(row, 0, r["project_id"], pack.f["left_out"])
            ws.write_string(row, 1, pack.t("left_out_row"), pack.f["left_out"])
            ws.write_string(row, 2, r["note"] or "", pack.f["left_out"])
            continue
        style = {"subtotal": "group", "total": "total"}.get(kind)
        if kind == "project":
            pack.project_link(ws, row, 0, r["project_id"])
            # The name wraps (the column gives room to the figures): its row is as tall as it needs.
            pack.value(ws, row, 1, r["name"], style="wrap")
            lines = min(pack.lines(ws, r["name"], 1, 1), 3)
            if lines > 1:
                pack.set_height(ws, row, pack.height(lines))
            pack.value(ws, row, 2, r["project_manager"])
        else:
            pack.value(ws, row, 0, r["name"], last=2, style=style)
        for c, (key, k) in enumerate(zip(keys, kinds, strict=True), start=3):
            k = "plain_percent" if k == "percent_plain" else k
            rag = None
            if key in ("spi", "spi_t"):
                rag = _band(r[key], s.spi_green, s.spi_amber)
            elif key == "cpi":
                rag = _band(r[key], s.cpi_green, s.cpi_amber)
            pack.value(ws, row, c, r[key], k, style=style, rag=rag)
        for c, key in enumerate(RAG_COLUMNS, start=FIRST_RAG_COLUMN):
            pack.rag(ws, row, c, r[key])
        said = r["trend"] if isinstance(r["trend"], str) else None
        trend = pack.code(said) if said else ("" if kind != "project" else pack.t("n_a"))
        pack.value(ws, row, 17, trend, style=style or "center")
    pack.finish(ws, row)


def layout(pack: XlsxPack, headers: list[str]) -> tuple[list[float], bool]:
    """The columns' widths, and whether amounts show in millions.

    Every header wraps at its words, never inside one ("% complete", "% d'avancement"); amounts
    show in units when the largest fits its column (widened), in millions from a billion or when
    they would not fit; the room this takes comes from the name, PM, forecast finish and ID
    columns, so the tab keeps the page's width (and the pack its one type size).
    """
    rows = pack.view.status_rows
    largest = {c: _largest(rows[key]) if key in rows else 0.0 for c, key in MONEY.items()}
    rag_words = {c: [pack.code(x) for x in set(rows[key].dropna()) if isinstance(x, str)] or [""]
                 for c, key in enumerate(RAG_COLUMNS, start=FIRST_RAG_COLUMN) if key in rows}  # fmt: skip

    def widths_for(millions: bool) -> list[float]:
        widths = [max(base, longest_word_width(head)) for base, head in zip(WIDTHS, headers, strict=True)]
        for c, x in largest.items():
            widths[c] = max(widths[c], column_width(_amount(pack, x, c == 11, millions=millions)))
        return widths

    widths, millions = widths_for(False), max(largest.values(), default=0) >= 1e9
    room = sum(max(widths[c] - floor, 0) for c, floor in GIVES)
    if millions or sum(widths) - room > styles.PACK_PRINT_WIDTH:
        widths, millions = widths_for(True), True
    # "Pas de données" whole where a column shows it, after the choice of units: its room comes
    # from the same columns as the rest, amounts keep their units.
    for c, words in rag_words.items():
        widths[c] = max(widths[c], *(column_width(w) for w in words))
    excess = sum(widths) - styles.PACK_PRINT_WIDTH
    for c, floor in GIVES:
        if excess <= 0:
            break
        given = min(excess, max(widths[c] - floor, 0))
        widths[c] -= given
        excess -= given
    return [round(w, 2) for w in widths], millions


def _largest(values: Any) -> float:
    numbers = [abs(float(x)) for x in values if x is not None and not (isinstance(x, float) and math.isnan(x))]
    return max(numbers, default=0.0)


def _amount(pack: XlsxPack, value: float, signed: bool, *, millions: bool = False) -> str:
    """How an amount prints, near enough to measure it: digits, separators, sign and units."""
    text = f"{value / 1e6:,.1f}M" if millions else f"{value:,.0f}"
    symbol = pack.numbers["money"].split("]")[-1].replace("#,##0", "").replace('"', "")
    return ("+" if signed else "") + text + symbol
