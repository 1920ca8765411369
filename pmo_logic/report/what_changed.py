"""What changed since the last committee: before, after and the difference, grouped by significance
(RAG changes, slips beyond the threshold, new high threats, EAC changes, the rest)."""

from __future__ import annotations

from typing import Any

import pandas as pd

from pmo_logic.report.xlsx import Column, XlsxPack

WIDTHS = (24, 24, 11, 10, 36, 14, 14, 12)


def _typed(value: Any) -> tuple[Any, str]:
    """A before/after value and the kind to write it as: amounts and dates stay typed."""
    if value is None or (isinstance(value, float) and value != value):
        return None, "text"
    if hasattr(value, "year") and hasattr(value, "month"):
        return pd.Timestamp(value), "date"
    if isinstance(value, (int, float)):
        return float(value), "money" if abs(value) >= 100 else "int"
    return value, "code"


def render(pack: XlsxPack) -> None:
    v = pack.view
    ws = pack.sheet("what_changed", WIDTHS)
    if v.changes is None:
        ws.write_string(3, 0, pack.t("no_changes"), pack.f["subtitle"])
        pack.finish(ws, 4)
        return
    if v.since is not None:  # what the changes are measured from, under the tab's title
        ws.write_string(2, 0, v.changes_title(), pack.f["subtitle"])
    header = [Column(pack.t("significance"), 0, kind="code"), Column(pack.t("change"), 1, kind="code"),
              Column(pack.t("project"), 2, kind="bold"), Column(pack.t("item"), 3), Column(pack.t("name"), 4,
              kind="wrap")]  # fmt: skip
    row = 3
    for column in header:
        ws.write_string(row, column.first, column.header, pack.f["head"])
    for c, name in enumerate((pack.t("before"), pack.t("after"), pack.t("difference")), start=5):
        ws.write_string(row, c, name, pack.f["head"])
    ws.repeat_rows(row)
    for change in v.changes.to_dict(orient="records"):
        row += 1
        pack.value(ws, row, 0, change["group"], "code")
        pack.value(ws, row, 1, change["change"], "code")
        pack.value(ws, row, 2, change["project_id"], "bold")
        pack.value(ws, row, 3, change["item"] or None)
        pack.value(ws, row, 4, change["name"] or None)
        for c, key in enumerate(("before", "after"), start=5):
            value, kind = _typed(change[key])
            pack.value(ws, row, c, value, kind)
        delta = change["delta"]
        days = str(change["change"]) in ("milestone slipped", "milestone pulled in", "forecast finish")
        pack.value(ws, row, 7, None if pd.isna(delta) else delta, "int" if days else "signed_money")
    if row == 3:
        ws.write_string(4, 0, pack.t("none"), pack.f["subtitle"])
        row = 4
    pack.finish(ws, row)
