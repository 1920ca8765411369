"""A Worksheet that prepares each distinct formula once.

XlsxWriter rewrites every formula it is given with some thirty regular expressions (to prefix
Excel's newer functions), cell by cell. A table's calculated column repeats one formula
(``=IF([@Finish]<...)``) on every row, and XlsxWriter writes it once for the table and once
more with its cached value: in ``pmo demo`` that preparation was a third of the time spent
writing the 13 project workbooks. The preparation depends on the formula text and the
worksheet's options only, so its result is kept; the file written is the same.
"""

from __future__ import annotations

from typing import Any

from xlsxwriter.worksheet import Worksheet


class FormulaWorksheet(Worksheet):
    """`Worksheet` whose formulas are prepared once per distinct text (XlsxWriter 3.x)."""

    def __init__(self) -> None:
        super().__init__()
        self._prepared: dict[tuple[Any, ...], str] = {}

    def _prepare_formula(self, formula, expand_future_functions=False):
        key = (formula, expand_future_functions, self.use_future_functions)
        prepared = self._prepared.get(key)
        if prepared is None:
            prepared = self._prepared[key] = super()._prepare_formula(formula, expand_future_functions)
        return prepared
