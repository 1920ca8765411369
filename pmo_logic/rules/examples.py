"""Small helpers to write each rule's example: a change to the clean example project."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from pmo_logic.models import ProjectWorkbook


def change(sheet: str, index: int | None = None, **values: Any) -> Callable[[ProjectWorkbook], None]:
    """Set fields of one row (``index`` in the sheet's list) or of the Project sheet."""

    def apply(workbook: ProjectWorkbook) -> None:
        target = getattr(workbook, sheet)
        if index is not None:
            target = target[index]
        for key, value in values.items():
            setattr(target, key, value)

    return apply


def both(*changes: Callable[[ProjectWorkbook], None]) -> Callable[[ProjectWorkbook], None]:
    def apply(workbook: ProjectWorkbook) -> None:
        for item in changes:
            item(workbook)

    return apply
