"""Glossary: the acronyms the pack uses, in its language."""

from __future__ import annotations

from pmo_logic.report.xlsx import Column, XlsxPack

WIDTHS = (14, 110)


def render(pack: XlsxPack) -> None:
    ws = pack.sheet("glossary", WIDTHS)
    end = pack.table(
        ws,
        3,
        [Column(pack.t("term"), 0, kind="bold"), Column(pack.t("definition"), 1, kind="wrap")],
        list(pack.view.glossary),
        repeat=True,
    )
    pack.finish(ws, end)
