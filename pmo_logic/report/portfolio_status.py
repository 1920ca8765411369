"""Portfolio status: one row per project, worst first within its programme, programme subtotals,
the projects left out as grey rows saying why, and the portfolio total.

SPI and CPI are coloured by the RAG thresholds of the Settings sheet (no data bars); the PM's RAG
sits beside the computed ones; the trend is "n/a" at a first committee.
"""

from __future__ import annotations

from pmo_logic.report.xlsx import XlsxPack

WIDTHS = (9, 17, 9, 10, 7, 10, 6, 5, 5, 5, 10, 9, 7, 7, 7, 7, 7, 7)
"""ID, name, PM, BAC, % complete, forecast finish, slip, SPI, CPI, SPI(t), EAC, VAC, PM's RAG,
schedule, cost, risk, overall, trend."""


def _band(value: float | None, green: float | None, amber: float | None) -> str | None:
    if value is None or value != value:
        return None
    if value >= (green or 0.95):
        return "green"
    return "amber" if value >= (amber or 0.85) else "red"


def render(pack: XlsxPack) -> None:
    v, s = pack.view, pack.view.settings
    ws = pack.sheet("status", WIDTHS)
    headers = [pack.t("project"), pack.t("name"), pack.t("project_manager"), pack.t("bac"),
               pack.t("percent_complete"), pack.t("forecast_finish"), pack.t("slip"), "SPI", "CPI", "SPI(t)",
               "EAC", "VAC", pack.t("manual"), pack.t("schedule"), pack.t("cost"), pack.t("risk"), pack.t("overall"),
               pack.t("trend")]  # fmt: skip
    row = 3
    for c, head in enumerate(headers):
        ws.write_string(row, c, head, pack.f["head"])
    pack.set_height(ws, row, pack.height(max(pack.lines(ws, h, c, c) for c, h in enumerate(headers))))
    ws.repeat_rows(row)
    ws.freeze_panes(row + 1, 2)
    kinds = ("money", "percent_plain", "date", "int", "ratio", "ratio", "ratio", "money", "signed_money")
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
            pack.value(ws, row, 1, r["name"])
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
        for c, key in enumerate(("manual_rag", "rag_schedule", "rag_cost", "rag_risk", "rag_overall"), start=12):
            pack.rag(ws, row, c, r[key])
        said = r["trend"] if isinstance(r["trend"], str) else None
        trend = pack.code(said) if said else ("" if kind != "project" else pack.t("n_a"))
        pack.value(ws, row, 17, trend, style=style or "center")
    pack.finish(ws, row)
