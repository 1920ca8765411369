"""The roll-up never writes what Excel cannot open: tables beyond a sheet go to Parquet beside it.

Oracles: openpyxl reading the workbook back (every sheet within Excel's limits, the notes),
pyarrow reading the Parquet files (the whole table, every text whole), LibreOffice opening
the workbook, and Excel's own published limits (1,048,576 rows, 16,384 columns, 32,767
characters in a cell, counted in UTF-16 as Excel does).
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

from pmo_logic import xlsx_tables
from pmo_logic.cli import app
from pmo_logic.consolidate import DETAIL_TABLES, Portfolio
from pmo_logic.models import PortfolioSettings
from pmo_logic.outputs import recorded
from pmo_logic.rollup import write_rollup
from pmo_logic.xlsx_tables import SPILL_SHEET, ExcelLimits, PlainSheet, Spill, TableSheet, write_tables

EXCEL_ROWS, EXCEL_COLUMNS, EXCEL_CELL = 1_048_576, 16_384, 32_767


def _utf16(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def _portfolio(plan: pd.DataFrame, risks: pd.DataFrame | None = None) -> Portfolio:
    empty = {key: pd.DataFrame({"project_id": pd.Series(dtype=object)}) for key in DETAIL_TABLES}
    projects = pd.DataFrame({"project_id": ["P1"], "name": ["One"], "bac": [10.0]})
    return Portfolio(
        settings=PortfolioSettings(),
        status_date=None,
        projects=projects,
        programmes=pd.DataFrame({"programme": ["A"], "projects": [1]}),
        total=pd.DataFrame({"portfolio": ["Portfolio"], "projects": [1]}),
        details={**empty, "plan": plan, **({"risks": risks} if risks is not None else {})},
        interface_risks=pd.DataFrame({"consumer": pd.Series(dtype=object)}),
        findings=pd.DataFrame({"code": pd.Series(dtype=object)}),
        load_problems=pd.DataFrame({"file": pd.Series(dtype=object)}),
    )


def _milestones(n: int) -> pd.DataFrame:
    # Few distinct texts, shared: a million rows in a few hundred MB, as the joined tables hold them.
    numbers = np.arange(n)
    projects = np.array([f"P{k:05d}" for k in range(n // 500 + 1)], dtype=object)
    names = np.array([f"Milestone {k}" for k in range(500)], dtype=object)
    return pd.DataFrame({
        "project_id": projects[numbers // 500],
        "id": numbers + 1,
        "name": names[numbers % 500],
        "type": np.full(n, "milestone", dtype=object),
        "finish": np.datetime64("2026-01-05") + (numbers % 700).astype("timedelta64[D]"),
        "budget": numbers * 0.5,
    })  # fmt: skip


_BIG = """
import json, sys, time
sys.path.insert(0, {tests!r})
import pandas as pd, pyarrow.parquet as pq
from test_excel_limits import _milestones, _portfolio
from pmo_logic.rollup import write_rollup
plan = _milestones(1_100_000)
spills = []
started = time.perf_counter()
write_rollup(sys.argv[1], _portfolio(plan), spills=spills)
seconds = time.perf_counter() - started
whole = pq.read_table(spills[0].file).to_pandas()
pd.testing.assert_frame_equal(whole, plan, check_dtype=False)
print(json.dumps({{"seconds": seconds, "spills": [[s.sheet, s.reason, s.rows, str(s.file)] for s in spills],
                  "columns": list(whole.columns)}}))
"""


def test_a_milestones_table_beyond_excels_rows_goes_to_parquet_beside_the_rollup(tmp_path: Path):
    # In a child process: a million rows would leave this one large, and the peak memory that
    # later tests measure in their own children starts from it (Linux passes it on to them).
    done = subprocess.run([sys.executable, "-c", _BIG.format(tests=str(Path(__file__).parent)),
                           str(tmp_path / "rollup.xlsx")], capture_output=True, text=True, timeout=300)  # fmt: skip
    assert done.returncode == 0, done.stderr[-2000:]
    result = json.loads(done.stdout)
    assert result["seconds"] < 60
    ((sheet, reason, rows, file),) = result["spills"]
    assert (sheet, reason, rows) == ("Milestones", "rows", 1_100_000)
    assert Path(file) == tmp_path / "rollup.milestones.parquet"
    assert result["columns"] == ["project_id", "id", "name", "type", "finish", "budget"]  # as --parquet names them
    path = tmp_path / "rollup.xlsx"
    book = openpyxl.load_workbook(path)
    for ws in book.worksheets:
        assert ws.max_row <= EXCEL_ROWS and ws.max_column <= EXCEL_COLUMNS
    note = [row[0] for row in book["Milestones"].iter_rows(values_only=True)]
    assert note[0] == (
        "Table Milestones has 1,100,000 rows, over Excel's limit of 1,048,576 rows (header included): "
        "it is in rollup.milestones.parquet beside this file."
    )
    listed = list(book[SPILL_SHEET].iter_rows(values_only=True))
    assert listed[1][:3] == ("Milestones", "rows", "rollup.milestones.parquet")
    assert book.sheetnames[-2:] == [SPILL_SHEET, "_meta"]  # seen before the hidden sheet
    parquet = pq.ParquetFile(file)
    assert parquet.metadata.num_rows == 1_100_000
    tail = parquet.read_row_group(parquet.num_row_groups - 1).to_pylist()[-1]
    # The last milestone, by hand: row 1,099,999 of project 2,199, the 500th of its milestones.
    assert (tail["project_id"], tail["id"], tail["name"], tail["budget"]) == ("P02199", 1_100_000, "Milestone 499",
                                                                              549_999.5)  # fmt: skip
    assert recorded(Path(file), "parquet")  # pmo-xl's own: the next run may replace it


def test_the_row_limit_counts_the_header_row(tmp_path: Path):
    limits = ExcelLimits(rows=11)
    fits = TableSheet("Fits", "tbl_fits", ["N"], [list(range(10))], ["int"])
    over = TableSheet("Over", "tbl_over", ["N"], [list(range(11))], ["int"])
    spills: list[Spill] = []
    path = write_tables(tmp_path / "t.xlsx", [fits, over], limits=limits, spills=spills)
    assert [(s.sheet, s.rows) for s in spills] == [("Over", 11)]
    book = openpyxl.load_workbook(path)
    assert [c.value for c in book["Fits"]["A"]] == ["N", *range(10)]
    assert book["Fits"].tables and not book["Over"].tables
    assert pq.read_table(tmp_path / "t.over.parquet").column("N").to_pylist() == list(range(11))


def test_a_table_wider_than_excels_columns_goes_to_parquet(tmp_path: Path):
    n = EXCEL_COLUMNS + 1
    wide = TableSheet("Wide", "tbl_wide", [f"C{k}" for k in range(n)], [[k, -k] for k in range(n)], ["int"] * n)
    narrow = TableSheet("Narrow", "tbl_narrow", ["A", "B"], [[1], ["x"]], ["int", "text"])
    spills: list[Spill] = []
    path = write_tables(tmp_path / "w.xlsx", [wide, narrow], spills=spills)
    (spill,) = spills
    assert (spill.reason, spill.columns) == ("columns", n)
    assert spill.sentence() == (
        "Table Wide has 16,385 columns, over Excel's limit of 16,384: it is in w.wide.parquet beside this file."
    )
    book = openpyxl.load_workbook(path)
    assert book["Wide"].max_column == 1 and book["Narrow"]["B2"].value == "x"
    table = pq.read_table(tmp_path / "w.wide.parquet")
    assert table.num_columns == n and table.column(f"C{n - 1}").to_pylist() == [n - 1, -(n - 1)]


# Beyond the Basic Multilingual Plane: one character, two UTF-16 units in Excel's count.
EMOJI = "\U0001f600"
LONG = "risk " * 7_000 + EMOJI * 5_000  # 35,000 characters, 40,000 UTF-16 units
EXACT = "x" * (EXCEL_CELL - 1) + "y"  # exactly what a cell holds
ALMOST = "a" * (EXCEL_CELL - 10_000) + EMOJI * 10_000  # 32,767 characters for Python, 42,767 for Excel


def _risks() -> pd.DataFrame:
    return pd.DataFrame({"id": ["R1", "R2", "R3", "R4"], "title": [LONG, EXACT, ALMOST, "=1+1"],
                         "score": [6, 4, 2, 1]})  # fmt: skip


def test_a_text_longer_than_a_cell_is_cut_with_a_marker_and_kept_whole_in_parquet(tmp_path: Path):
    spills: list[Spill] = []
    path = write_rollup(tmp_path / "rollup.xlsx", _portfolio(_milestones(3), _risks()), spills=spills)
    (spill,) = spills
    assert (spill.sheet, spill.reason, spill.cells) == ("Risks", "cell_text", 2)
    book = openpyxl.load_workbook(path)
    titles = [c.value for c in book["Risks"]["B"][1:]]
    for cut, whole in ((titles[0], LONG), (titles[2], ALMOST)):
        assert cut.endswith("… [cut at Excel's limit: whole in rollup.risks.parquet]")
        assert EXCEL_CELL - 1 <= _utf16(cut) <= EXCEL_CELL  # an emoji is never cut in half
        assert whole.startswith(cut[: cut.index("… [cut")])
    assert titles[1] == EXACT and titles[3] == "=1+1"  # what fits is untouched, text stays text
    assert book["Risks"].tables  # the table stays in the workbook
    assert pq.read_table(spill.file).column("title").to_pylist() == _risks()["title"].tolist()


@pytest.mark.libreoffice
def test_libreoffice_opens_a_rollup_with_cut_texts(tmp_path: Path):
    from pmo_logic.libreoffice import convert

    path = write_rollup(tmp_path / "rollup.xlsx", _portfolio(_milestones(3), _risks()))
    (resaved,) = convert([path], tmp_path / "lo")
    titles = [c.value for c in openpyxl.load_workbook(resaved)["Risks"]["B"][1:]]
    assert titles[0].endswith("whole in rollup.risks.parquet]") and titles[1] == EXACT


def test_a_parquet_file_that_pmo_did_not_write_is_never_replaced(tmp_path: Path):
    theirs = tmp_path / "t.over.parquet"
    theirs.write_bytes(b"someone's own file")
    spills: list[Spill] = []
    over = TableSheet("Over", "tbl_over", ["N"], [list(range(5))], ["int"])
    write_tables(tmp_path / "t.xlsx", [over], limits=ExcelLimits(rows=3), spills=spills)
    assert theirs.read_bytes() == b"someone's own file"
    assert spills[0].file == tmp_path / "t.over (2).parquet"
    # Our own spill is replaced by the next run, under its own name.
    write_tables(tmp_path / "t.xlsx", [over], limits=ExcelLimits(rows=3), spills=spills)
    assert spills[1].file == spills[0].file


def test_mixed_values_in_a_text_column_still_go_to_parquet(tmp_path: Path):
    over = TableSheet("Over", "tbl_over", ["ID"], [pd.Series(["T1", 2, None, 3.5], dtype=object)], ["text"])
    write_tables(tmp_path / "t.xlsx", [over], limits=ExcelLimits(rows=3))
    assert pq.read_table(tmp_path / "t.over.parquet").column("ID").to_pylist() == ["T1", "2", None, "3.5"]


def test_a_plain_sheet_cell_is_cut_too(tmp_path: Path):
    path = write_tables(tmp_path / "p.xlsx", [PlainSheet("Notes", [["x" * 40_000]])])
    value = openpyxl.load_workbook(path)["Notes"]["A1"].value
    assert len(value) == EXCEL_CELL and value.endswith("… [cut at Excel's limit]")


def test_pmo_consolidate_says_which_tables_went_to_parquet(tmp_path: Path, demo_portfolio, monkeypatch):
    # Excel's real limits need a portfolio of thousands of projects: lower ones, the same code path.
    monkeypatch.setattr(xlsx_tables, "EXCEL_LIMITS", ExcelLimits(rows=20))
    demo = tmp_path / "demo"
    shutil.copytree(demo_portfolio.folder, demo)
    output = tmp_path / "rollup.xlsx"
    result = CliRunner().invoke(
        app,
        ["consolidate", "-p", str(demo / "portfolio.xlsx"), "-o", str(output), "--no-snapshot", "--no-cache"],
        env={"COLUMNS": "300"},
    )
    assert result.exit_code in (0, 1), result.output
    assert "Table Milestones has" in result.output
    assert "over Excel's limit of 20 rows (header included): it is in rollup.milestones.parquet beside the roll-up" in (
        result.output
    )
    assert (tmp_path / "rollup.milestones.parquet").is_file()
    assert SPILL_SHEET in openpyxl.load_workbook(output, read_only=True).sheetnames
