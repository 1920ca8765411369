"""Has a change to the committee view or its renderers changed a figure? Save the views and packs
of the demo (first and second committee, English and French) and of the benchmark portfolio
before the change, then compare after it.

    python benchmarks/compare_pack.py save /tmp/before      # on the code before the change
    python benchmarks/compare_pack.py compare /tmp/before   # after it: lists every difference

The views are compared field by field (DataFrames with their dtypes), the packs cell by cell
(value, number format, bold, fill, wrap and link of every cell, merged ranges, column widths, row heights,
print titles, page breaks)
as openpyxl reads them back from the workbook XlsxWriter wrote.
"""

from __future__ import annotations

import dataclasses
import pickle
import sys
import tempfile
from collections import Counter
from datetime import datetime
from pathlib import Path
from typing import Any

import openpyxl
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))

GENERATED = datetime(2026, 11, 20, 9, 30)


def cases(folder: Path) -> dict[str, tuple[Any, dict[str, Any]]]:
    """Each case's portfolio and its history (the arguments of `build_view`)."""
    from bench_report import synthetic

    from pmo_logic.consolidate import consolidate
    from pmo_logic.demo import build_demo_portfolio
    from pmo_logic.reader import read_portfolio_workbook
    from pmo_logic.snapshots import changes, load_snapshot, milestone_trend, save_snapshot

    demo = build_demo_portfolio(folder / "demo")
    out: dict[str, tuple[Any, dict[str, Any]]] = {}
    for lang in ("en", "fr"):
        settings = read_portfolio_workbook(demo.portfolio_file)
        settings.settings = settings.settings.model_copy(update={"language": lang})
        portfolio = consolidate(demo.folder / "projects", settings, workers=1)
        out[f"demo-{lang}-first"] = (portfolio, {})
        snapshot = load_snapshot(save_snapshot(portfolio, folder / f"snapshots-{lang}"))
        history = {"changes": changes(snapshot, portfolio), "trend": milestone_trend([snapshot], portfolio),
                   "previous": snapshot.tables["projects"]}  # fmt: skip
        out[f"demo-{lang}-second"] = (portfolio, history)
    out["benchmark"] = (synthetic(), {})
    return out


def fingerprint(portfolio: Any, history: dict[str, Any], folder: Path, name: str) -> dict[str, Any]:
    from pmo_logic.report import build_view, write_committee_pack

    view = build_view(portfolio, generated=GENERATED, **history)
    # With a roll-up to link to, as `pmo report` writes it.
    path = write_committee_pack(folder / f"{name}.xlsx", portfolio, view=view, rollup=folder / "rollup.xlsx")
    return {"view": _plain(view), "pack": _cells(path)}


def _plain(value: Any) -> Any:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: _plain(getattr(value, f.name)) for f in dataclasses.fields(value) if f.name != "settings"}
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return value


def _cells(path: Path) -> dict[str, Any]:
    book = openpyxl.load_workbook(path)
    out: dict[str, Any] = {}
    for ws in book.worksheets:
        out[ws.title] = {
            "cells": {c.coordinate: (c.value, c.number_format, c.font.b, c.fill.fgColor.rgb, c.alignment.wrap_text,
                                    (c.hyperlink.target, c.hyperlink.location) if c.hyperlink else None)
                      for row in ws.iter_rows() for c in row if c.value is not None or c.has_style},
            "merged": sorted(str(r) for r in ws.merged_cells.ranges),
            "widths": {k: d.width for k, d in ws.column_dimensions.items()},
            "heights": {k: d.height for k, d in ws.row_dimensions.items() if d.height is not None},
            "print_titles": (ws.print_title_rows, ws.print_title_cols),
            "breaks": [b.id for b in ws.row_breaks.brk],
            "charts": len(ws._charts),
        }  # fmt: skip
    return out


def differences(before: Any, after: Any, where: str = "") -> list[str]:
    if isinstance(before, pd.DataFrame) or isinstance(after, pd.DataFrame):
        if not (isinstance(before, pd.DataFrame) and isinstance(after, pd.DataFrame)):
            return [f"{where}: {type(before).__name__} -> {type(after).__name__}"]
        try:
            pd.testing.assert_frame_equal(before, after, check_exact=True)
        except AssertionError as exc:
            return [f"{where}: {str(exc)[:600]}"]
        return []
    if isinstance(before, dict) and isinstance(after, dict):
        found = []
        for key in sorted(set(before) | set(after), key=str):
            if key not in before or key not in after:
                found.append(f"{where}/{key}: only {'after' if key in after else 'before'}")
            else:
                found += differences(before[key], after[key], f"{where}/{key}")
        return found
    if isinstance(before, list) and isinstance(after, list) and len(before) == len(after):
        return [
            d for k, (b, a) in enumerate(zip(before, after, strict=True)) for d in differences(b, a, f"{where}[{k}]")
        ]
    same = before == after or (before != before and after != after)  # NaN equals NaN here
    try:
        same = bool(same)
    except (TypeError, ValueError):
        same = False
    return [] if same else [f"{where}: {before!r} -> {after!r}"]


def main() -> None:
    command, target = sys.argv[1], Path(sys.argv[2])
    with tempfile.TemporaryDirectory() as tmp:
        prints = {name: fingerprint(p, h, Path(tmp), name) for name, (p, h) in cases(Path(tmp)).items()}
    if command == "save":
        target.mkdir(parents=True, exist_ok=True)
        (target / "fingerprints.pickle").write_bytes(pickle.dumps(prints))
        print(f"saved {len(prints)} cases to {target}")
        return
    before = pickle.loads((target / "fingerprints.pickle").read_bytes())
    found = differences(before, prints)
    for line in found[:200]:
        print(line)
    # Where they are: case / view or pack / field or tab / part.
    for where, count in sorted(Counter("/".join(line.split(":")[0].split("/")[:5]) for line in found).items()):
        print(f"{count:6d}  {where}")
    print(f"{len(found)} differences in {len(prints)} cases")
    sys.exit(1 if found else 0)


if __name__ == "__main__":
    main()
