"""A validation finding: which rule, how bad, and exactly where."""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd
from pydantic import BaseModel

from pmo_logic.problems import Severity

SEVERITY_ORDER = {"error": 0, "warning": 1, "info": 2}


class Finding(BaseModel):
    """One thing to fix, e.g. ``PLAN010 error DW-003 Plan!F17 task 12: finishes before it starts``."""

    code: str
    severity: Severity
    project: str = ""
    file: str = ""
    sheet: str = ""
    cell: str = ""
    item: str = ""
    message: str
    messages: dict[str, str] = {}
    """The message in each language it was written in (see `Problem.messages`)."""

    def says(self, lang: str) -> str:
        """The message in ``lang`` where it was written in it, else as the workbook says it."""
        return self.messages.get(lang) or self.message

    @property
    def address(self) -> str:
        """``Plan!F17``, ``Plan`` or empty."""
        if not self.sheet:
            return ""
        sheet = f"'{self.sheet}'" if any(ch in self.sheet for ch in " '-") else self.sheet
        return f"{sheet}!{self.cell}" if self.cell else self.sheet


FINDING_COLUMNS = ["code", "severity", "project", "file", "sheet", "cell", "item", "message"]


def findings_frame(findings: Sequence[Finding], lang: str | None = None) -> pd.DataFrame:
    """Findings as a DataFrame, most severe first, in file and cell order; with ``lang``, each
    message in that language where it was written in it (`Finding.says`)."""
    rows = [f.model_dump(exclude={"messages"}) for f in findings]
    if lang is not None:
        for row, finding in zip(rows, findings, strict=True):
            row["message"] = finding.says(lang)
    frame = pd.DataFrame(rows, columns=FINDING_COLUMNS)
    if frame.empty:
        return frame
    frame["_order"] = frame["severity"].map(SEVERITY_ORDER)
    return frame.sort_values(["file", "_order", "code", "sheet"], kind="stable").drop(columns="_order")
