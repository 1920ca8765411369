"""Actions & decisions: overdue actions by owner and one by one (calendar days), open decisions.

A table that does not fit under the one above starts on a new page; one longer than a page has
its header on every page (`XlsxPack.table`).
"""

from __future__ import annotations

from pmo_logic.report.xlsx import Column, XlsxPack

WIDTHS = (12, 8, 60, 22, 14, 16)


def render(pack: XlsxPack) -> None:
    v = pack.view
    ws = pack.sheet("actions", WIDTHS)
    pack.heading(ws, 3, 0, pack.t("overdue_by_owner"))
    row = pack.table(
        ws,
        4,
        [Column(pack.t("owner"), 0), Column(pack.t("count"), 1, kind="int")],
        [(o["owner"], o["count"]) for o in v.overdue_by_owner.to_dict(orient="records")],
    )
    overdue = [(a["project_id"], a["id"], a["title"], a["owner"], a["due_date"], a["days_overdue"])
               for a in v.overdue_actions.to_dict(orient="records")]  # fmt: skip
    pack.heading(ws, row, 0, pack.t("overdue_actions"))
    row = pack.table(
        ws,
        row + 1,
        [Column(pack.t("project"), 0, kind="bold"), Column("ID", 1), Column(pack.t("title"), 2, kind="wrap"),
         Column(pack.t("owner"), 3), Column(pack.t("due"), 4, kind="date"),
         Column(pack.t("days_overdue_calendar"), 5, kind="int")],
        overdue,
    )  # fmt: skip
    decisions = [(d["project_id"], d["id"], d["title"], d["decision_maker"], d["needed_by"])
                 for d in v.open_decisions.to_dict(orient="records")]  # fmt: skip
    pack.heading(ws, row, 0, pack.t("open_decisions"))
    header = row + 1
    end = pack.table(
        ws,
        header,
        [Column(pack.t("project"), 0, kind="bold"), Column("ID", 1), Column(pack.t("title"), 2, kind="wrap"),
         Column(pack.t("decision_maker"), 3), Column(pack.t("needed_by"), 4, 5, kind="date")],
        decisions,
        repeat=True,
    )  # fmt: skip
    pack.finish(ws, end)
