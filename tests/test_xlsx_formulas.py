"""FormulaWorksheet writes the same file as XlsxWriter's own Worksheet, byte for byte."""

from __future__ import annotations

import random

from xlsxwriter.worksheet import Worksheet

from pmo_logic import demo, templates
from pmo_logic.xlsx_formulas import FormulaWorksheet


def _written(tmp_path, monkeypatch, worksheet_class, name: str) -> bytes:
    original = templates._Writer.__init__

    def init(self, *args, **kwargs):
        original(self, *args, **kwargs)
        self.book.worksheet_class = worksheet_class

    monkeypatch.setattr(templates._Writer, "__init__", init)
    # A demo project: calculated columns, SS/FF links, French names, a planted loop.
    spec = next(s for s in demo.SPECS if s.lang == "fr")
    workbook = demo._project(spec, random.Random(demo.DEMO_SEED), demo.DEMO_STATUS_DATE)
    path = tmp_path / name
    templates.write_project_workbook(path, workbook, lang=spec.lang)
    return path.read_bytes()


def test_the_file_is_the_one_xlsxwriter_writes(tmp_path, monkeypatch):
    # The oracle: the same workbook written with XlsxWriter's Worksheet (templates' creation
    # date is fixed, so the two files compare byte for byte).
    plain = _written(tmp_path, monkeypatch, Worksheet, "plain.xlsx")
    cached = _written(tmp_path, monkeypatch, FormulaWorksheet, "cached.xlsx")
    assert len(plain) > 10_000
    assert cached == plain


def test_each_distinct_formula_is_prepared_once():
    ws = FormulaWorksheet()
    for row in range(1, 50):
        ws.write_formula(row, 0, "=IF([@Finish]>TODAY(),XLOOKUP(1,A:A,B:B),0)")
    ws.write_formula(60, 0, "=SUM(A1:A2)")
    assert len(ws._prepared) == 2
    assert ws._prepared[("=IF([@Finish]>TODAY(),XLOOKUP(1,A:A,B:B),0)", False, False)].count("_xlfn.XLOOKUP(") == 1
