"""Risk matrix of the open threats, the top threats, and the open opportunities in their own table.

The cells' fills go from light to dark with the level, so the matrix reads in black and white;
each holds its count. Responses are in words, EMV in the currency.
"""

from __future__ import annotations

from pmo_logic import styles
from pmo_logic.report.xlsx import Column, XlsxPack

WIDTHS = (10, 9, 9, 9, 9, 12, 45, 16, 14, 12)


def _columns(pack: XlsxPack) -> list[Column]:
    return [
        Column(pack.t("project"), 0, kind="bold"),
        Column("ID", 1),
        Column(pack.t("probability"), 2, kind="int"),
        Column(pack.t("impact"), 3, kind="int"),
        Column(pack.t("score"), 4, kind="int"),
        Column(pack.t("emv"), 5, kind="money"),
        Column(pack.t("title"), 6, kind="wrap"),
        Column(pack.t("owner"), 7),
        Column(pack.t("response"), 8, kind="code"),
        Column(pack.t("due"), 9, kind="date"),
    ]


def _rows(pack: XlsxPack, frame) -> list[tuple]:
    return [
        (r["project_id"], r["id"], r["probability"], r["impact"], r["score"], r["emv"], r["title"],
         f"⚠ {pack.t('owner_missing')}" if r["owner_missing"] else r["owner"], r["response"], r["due_date"])
        for r in frame.to_dict(orient="records")
    ]  # fmt: skip


def render(pack: XlsxPack) -> None:
    v = pack.view
    ws = pack.sheet("risks", WIDTHS)
    matrix = v.risk_matrix
    ws.merge_range(2, 1, 2, 5, "", pack.f["bold"])
    ws.write_string(2, 1, f"{pack.t('probability')} →", pack.f["bold"])
    ws.write_string(3, 0, f"{pack.t('impact')} ↓", pack.f["head"])
    centred = pack.fmt(bold=True, font_color="#FFFFFF", bg_color="#1F3864", align="center", border=1,
                       border_color="#1F3864")  # fmt: skip
    for p in range(1, 6):
        ws.write_number(3, p, p, centred)
    for k, impact in enumerate(range(5, 0, -1)):
        row = 4 + k
        ws.write_number(row, 0, impact, centred)
        pack.set_height(ws, row, 26)
        for p in range(1, 6):
            level = matrix.levels[k][p - 1]
            cell = pack.fmt(bg_color=styles.LEVEL_GREYS[level], font_color=styles.LEVEL_GREY_FONT[level], bold=True,
                            align="center", border=1, border_color="#FFFFFF", font_size=12)  # fmt: skip
            ws.write_number(row, p, matrix.counts[k][p - 1], cell)
    # The legend: each level's fill, lightest to darkest.
    ws.write_string(3, 6, pack.t("legend"), pack.f["bold"])
    for k, level in enumerate(("low", "medium", "high", "critical")):
        legend = pack.fmt(bg_color=styles.LEVEL_GREYS[level], font_color=styles.LEVEL_GREY_FONT[level], border=1,
                          border_color="#FFFFFF")  # fmt: skip
        ws.write_string(4 + k, 6, pack.code(level), legend)
    ws.write_string(9, 6, f"{pack.colon(pack.t('occurred'))} {matrix.occurred}", pack.f["subtitle"])
    pack.heading(ws, 10, 0, pack.t("top_threats_all"))
    row = pack.table(ws, 11, _columns(pack), _rows(pack, v.threats), max_lines=2)
    pack.heading(ws, row, 0, pack.t("opportunities"))
    end = pack.table(ws, row + 1, _columns(pack), _rows(pack, v.opportunities), max_lines=2)
    pack.finish(ws, end)
