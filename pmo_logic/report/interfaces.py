"""Interfaces: what a project needs from another's milestone and will not get in time."""

from __future__ import annotations

from pmo_logic.report.xlsx import Column, XlsxPack

WIDTHS = (12, 11, 12, 10, 40, 14, 14, 12, 16)


def render(pack: XlsxPack) -> None:
    v = pack.view
    ws = pack.sheet("interfaces", WIDTHS)
    columns = [
        Column(pack.t("project"), 0, kind="bold"),
        Column(pack.t("interface"), 1),
        Column(pack.t("from"), 2),
        Column(pack.t("milestone"), 3),
        Column(pack.t("milestone_name"), 4, kind="wrap"),
        Column(pack.t("need_by"), 5, kind="date"),
        Column(pack.t("forecast"), 6, kind="date"),
        Column(pack.t("days_late_working"), 7, kind="int"),
        Column(pack.t("interface_status"), 8, kind="code"),
    ]
    rows = [
        (i["consumer"], i["interface"], i["supplier"], i["milestone"], i["milestone_name"], i["need_by"],
         i["forecast"], i["days_late"], i["status"])
        for i in v.interfaces.to_dict(orient="records")
    ]  # fmt: skip
    pack.finish(ws, pack.table(ws, 3, columns, rows, repeat=True))
