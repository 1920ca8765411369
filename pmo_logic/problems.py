"""A problem found while reading a workbook: what, where, and how bad."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel

Severity = Literal["error", "warning", "info"]


class Problem(BaseModel):
    """Something the reader could not take as written.

    ``cell`` is an address such as ``B7`` (empty when the problem is the whole file or sheet),
    so the user can go straight to it.
    """

    code: str
    severity: Severity
    file: str
    sheet: str = ""
    cell: str = ""
    message: str

    def location(self) -> str:
        """``file``, ``file › sheet`` or ``file › sheet!cell``."""
        where = self.file
        if self.sheet:
            where += f" › {self.sheet}"
            if self.cell:
                where += f"!{self.cell}"
        return where

    def __str__(self) -> str:
        return f"{self.location()}: {self.message}"
