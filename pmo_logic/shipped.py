"""The files pmo-xl ships beside its code: the built templates, the macro sources, the rules page.

In the repository they are top-level folders (``workbook_templates/``, ``macros/``,
``docs/``); a wheel carries copies inside the package, under ``pmo_logic/_data/`` (copied in
by ``setup.py``), so that a plain ``pip install`` of the wheel has them. They are looked for
there first, with `importlib.resources`, then in the checkout the package runs from.

>>> shipped_folder("workbook_templates")  # doctest: +SKIP
PosixPath('.../site-packages/pmo_logic/_data/workbook_templates')
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

FOLDERS = ("workbook_templates", "macros", "docs")
CHECKOUT = Path(__file__).resolve().parent.parent
"""The repository root when pmo-xl runs from a checkout (an editable install)."""


def shipped_folder(name: str) -> Path:
    """The folder ``name`` of `FOLDERS` as installed, or the checkout's, or the installed path
    it would have (which then does not exist) when neither is there."""
    if name not in FOLDERS:
        raise ValueError(f"no shipped folder {name!r}: one of {', '.join(FOLDERS)}")
    installed = Path(str(resources.files("pmo_logic").joinpath("_data").joinpath(name)))
    if installed.is_dir():
        return installed
    checkout = CHECKOUT / name
    if checkout.is_dir() and (CHECKOUT / "pyproject.toml").is_file():
        return checkout
    return installed


def templates_folder() -> Path:
    """The built templates (``project_en.xlsx``, ``portfolio_fr.xlsm``...)."""
    return shipped_folder("workbook_templates")


def macros_folder() -> Path:
    """The VBA sources behind the buttons (``*.bas``)."""
    return shipped_folder("macros")


def rules_page() -> Path:
    """The rules page (``docs/rules.md``)."""
    return shipped_folder("docs") / "rules.md"
