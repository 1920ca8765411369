"""Finding Excel error cells (#N/A, #REF!...) that python-calamine reads as empty.

python-calamine returns ``""`` for an error cell (its issue #105), which would turn a
``#REF!`` in a budget into a blank without a word. A regular-expression pass over the
sheet XML finds them, so the reader can report each one at its cell.
"""

from __future__ import annotations

import posixpath
import re
import zipfile
from pathlib import Path

_SHEET = re.compile(rb'<sheet\b[^>]*?\bname="([^"]*)"[^>]*?\br:id="([^"]*)"')
_REL = re.compile(rb'<Relationship\b[^>]*?\bId="([^"]*)"[^>]*?\bTarget="([^"]*)"')
_REL_REVERSED = re.compile(rb'<Relationship\b[^>]*?\bTarget="([^"]*)"[^>]*?\bId="([^"]*)"')
_ERROR_CELL = re.compile(
    rb'<c\b[^>]*?\br="([A-Z]+[0-9]+)"[^>]*?\bt="e"[^>]*>(?:<f\b[^>]*/>|<f\b[^>]*>[^<]*</f>)?(?:<v>([^<]*)</v>)?'
)
_ENTITIES = {"&amp;": "&", "&lt;": "<", "&gt;": ">", "&quot;": '"', "&apos;": "'"}


def _unescape(raw: bytes) -> str:
    text = raw.decode("utf-8")
    for entity, char in _ENTITIES.items():
        text = text.replace(entity, char)
    return text


def error_cells(path: str | Path, sheets: set[str] | None = None) -> dict[str, dict[str, str]]:
    """``{sheet name: {cell address: error text}}`` for the error cells of the workbook."""
    found: dict[str, dict[str, str]] = {}
    with zipfile.ZipFile(path) as archive:
        workbook = archive.read("xl/workbook.xml")
        rels_xml = archive.read("xl/_rels/workbook.xml.rels")
        rels = {rid: target for rid, target in _REL.findall(rels_xml)}
        rels.update({rid: target for target, rid in _REL_REVERSED.findall(rels_xml)})
        for raw_name, rid in _SHEET.findall(workbook):
            name = _unescape(raw_name)
            if sheets is not None and name not in sheets:
                continue
            target = _unescape(rels.get(rid, b""))
            if not target:
                continue
            member = target.lstrip("/") if target.startswith("/") else posixpath.normpath(posixpath.join("xl", target))
            try:
                xml = archive.read(member)
            except KeyError:
                continue
            if b't="e"' not in xml:
                continue
            cells = {ref.decode(): (value.decode() if value else "#ERROR") for ref, value in _ERROR_CELL.findall(xml)}
            if cells:
                found[name] = cells
    return found
