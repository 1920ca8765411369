"""Finding Excel error cells (#N/A, #REF!...) that python-calamine reads as empty.

python-calamine returns ``""`` for an error cell (its issue #105), which would turn a
``#REF!`` in a budget into a blank without a word. The scan of each sheet's XML that bounds
its extent (`pmo_logic.workbook_parts`) finds them too, so the reader can report each one at
its cell. Only .xlsx/.xlsm sheets are scanned for them: in .xlsb and .ods an error reads as a
blank without a note.
"""

from __future__ import annotations

from pathlib import Path

from pmo_logic.workbook_parts import open_parts


def error_cells(path: str | Path, sheets: set[str] | None = None) -> dict[str, dict[str, str]]:
    """``{sheet name: {cell address: error text}}`` for the error cells of the workbook."""
    parts = open_parts(path)
    try:
        if parts.format != "xlsx":
            return {}
        found: dict[str, dict[str, str]] = {}
        parts.sheet_part("")  # lists the sheets
        for name in list(parts.sheet_parts):
            if sheets is not None and name not in sheets:
                continue
            scan = parts.scan_sheet(name)
            if scan is not None and scan.errors:
                found[name] = scan.errors
        return found
    finally:
        parts.handle.close()
