"""Data quality: the workbooks not consolidated and why, then each project's findings and verdict.

The verdict counts errors, failed DCMA checks and missed tasks, not errors alone: a project
that missed most of its tasks is not data to trust without a look.
"""

from __future__ import annotations

from pmo_logic.report.xlsx import Column, XlsxPack

WIDTHS = (28, 11, 10, 11, 12, 11, 14, 26, 20)


def render(pack: XlsxPack) -> None:
    v = pack.view
    ws = pack.sheet("quality", WIDTHS)
    pack.heading(ws, 3, 0, pack.t("load_problems"))
    row = pack.table(
        ws,
        4,
        [Column(pack.t("file"), 0, kind="wrap"), Column(pack.t("project"), 1), Column(pack.t("code_column"), 2),
         Column(pack.t("reason"), 3, 8, kind="wrap")],
        [(p["file"], p["project_id"], p["code"], p["reason"]) for p in v.load_problems.to_dict(orient="records")],
    )  # fmt: skip
    pack.heading(ws, row, 0, pack.t("findings"))
    columns = [
        Column(pack.t("file"), 0, kind="wrap"),
        Column(pack.t("project"), 1, kind="bold"),
        Column(pack.t("errors"), 2, kind="int"),
        Column(pack.t("warnings"), 3, kind="int"),
        Column(pack.t("trust"), 4, kind="code"),
        Column(pack.t("sheets_without_data"), 5, 6, kind="wrap"),
        Column(pack.t("dcma_failures"), 7, kind="int"),
        Column(pack.t("missed_tasks"), 8, kind="int"),
    ]
    rows = [
        (q["file"], q["project_id"], q["errors"], q["warnings"], q["verdict"], q["gaps"], q["dcma_failures"],
         q["missed_tasks"])
        for q in v.data_quality.to_dict(orient="records")
    ]  # fmt: skip
    pack.finish(ws, pack.table(ws, row + 1, columns, rows, repeat=True))
