"""RAG heatmap: each programme's RAG by dimension, then its projects', the PM's RAG beside."""

from __future__ import annotations

from pmo_logic.report.xlsx import XlsxPack

WIDTHS = (12, 40, 14, 14, 14, 14, 14)


def render(pack: XlsxPack) -> None:
    v = pack.view
    ws = pack.sheet("heatmap", WIDTHS)
    row = 3
    headers = [pack.t("project"), pack.t("name"), pack.t("schedule"), pack.t("cost"), pack.t("risk"),
               pack.t("overall"), pack.t("manual")]  # fmt: skip
    for c, head in enumerate(headers):
        ws.write_string(row, c, head, pack.f["head"])
    ws.repeat_rows(row)
    ws.freeze_panes(row + 1, 2)
    for r in v.heatmap_rows.to_dict(orient="records"):
        row += 1
        keys = ("rag_schedule", "rag_cost", "rag_risk", "rag_overall")
        if r["kind"] == "programme":
            # Across the ID and name columns: a programme's name is longer than a project ID.
            ws.merge_range(row, 0, row, 1, "", pack.f["group"])
            count = int(r["projects"])  # a whole number: the frame's column is float beside project rows
            ws.write_string(row, 0, f"{r['programme']} · {count} {pack.t('projects').lower()}", pack.f["group"])
            for c, key in enumerate(keys, start=2):
                pack.rag(ws, row, c, r[key])
            ws.write_blank(row, 6, None, pack.f["group"])
            continue
        pack.project_link(ws, row, 0, r["project_id"])
        pack.value(ws, row, 1, r["name"])
        for c, key in enumerate((*keys, "manual_rag"), start=2):
            pack.rag(ws, row, c, r[key])
    pack.finish(ws, row)
