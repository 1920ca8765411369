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

    @property
    def address(self) -> str:
        """``Plan!F17``, ``Plan`` or empty."""
        if not self.sheet:
            return ""
        sheet = f"'{self.sheet}'" if any(ch in self.sheet for ch in " '-") else self.sheet
        return f"{sheet}!{self.cell}" if self.cell else self.sheet


FINDING_COLUMNS = ["code", "severity", "project", "file", "sheet", "cell", "item", "message"]


def findings_frame(findings: Sequence[Finding]) -> pd.DataFrame:
    """Findings as a DataFrame, most severe first, in file and cell order."""
    frame = pd.DataFrame([f.model_dump() for f in findings], columns=FINDING_COLUMNS)
    if frame.empty:
        return frame
    frame["_order"] = frame["severity"].map(SEVERITY_ORDER)
    return frame.sort_values(["file", "_order", "code", "sheet"], kind="stable").drop(columns="_order")
