"""The template files shipped in ``workbook_templates/`` (and in the wheel, see `shipped`), and
checking they are up to date."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from pmo_logic.examples import example_portfolio, example_project
from pmo_logic.templates import write_portfolio_workbook, write_project_workbook

TEMPLATE_FILES: dict[str, tuple[str, str]] = {
    "project_en.xlsx": ("project", "en"),
    "project_fr.xlsx": ("project", "fr"),
    "portfolio_en.xlsx": ("portfolio", "en"),
    "portfolio_fr.xlsx": ("portfolio", "fr"),
    # With the buttons: the VBA project built from macros/*.bas.
    "project_en.xlsm": ("project", "en"),
    "project_fr.xlsm": ("project", "fr"),
    "portfolio_en.xlsm": ("portfolio", "en"),
    "portfolio_fr.xlsm": ("portfolio", "fr"),
}


def build_templates(outdir: str | os.PathLike[str], *, with_macros: bool = True) -> list[Path]:
    """Write every template into ``outdir``; the output is byte-for-byte reproducible.

    ``with_macros=False`` leaves out the .xlsm templates (they need the macro sources and ms-ovba).
    """
    out = Path(outdir)
    written = []
    for name, (kind, lang) in TEMPLATE_FILES.items():
        macros = name.endswith(".xlsm")
        if macros and not with_macros:
            continue
        if kind == "project":
            written.append(write_project_workbook(out / name, example_project(lang), lang=lang, macros=macros))
        else:
            written.append(write_portfolio_workbook(out / name, example_portfolio(lang), lang=lang, macros=macros))
    return written


def outdated_templates(outdir: str | os.PathLike[str], *, with_macros: bool = True) -> list[str]:
    """The template files in ``outdir`` that are missing or differ from a fresh build
    (``with_macros=False``: the .xlsx ones only)."""
    with tempfile.TemporaryDirectory(prefix="pmo-templates-") as tmp:
        built = {path.name: path for path in build_templates(tmp, with_macros=with_macros)}
        return [
            name
            for name, fresh in built.items()
            if not (Path(outdir) / name).is_file() or (Path(outdir) / name).read_bytes() != fresh.read_bytes()
        ]
