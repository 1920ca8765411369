"""Turning the contract's formula templates into Excel formulas for one language.

Templates name columns by their key (``{budget}``); the workbook's headers depend on its
language, so the same template gives ``Tasks[[#This Row],[Budget]]`` in both languages but
``"Terminée"`` or ``"Done"`` for ``{status=done}``. References are written in full,
table name included: LibreOffice does not resolve the short ``[@Budget]`` form.
"""

from __future__ import annotations

import re

from pmo_logic.choices import LISTS
from pmo_logic.sheets import SheetSchema, table_schema

_TOKEN = re.compile(r"\{([^{}]+)\}")


def column_header(schema: SheetSchema, key: str, lang: str) -> str:
    """The header of an input or computed column of ``schema``."""
    for spec in schema.columns():
        if spec.name == key:
            return spec.col.header(lang)
    for computed in schema.computed:
        if computed.key == key:
            return computed.header(lang)
    raise KeyError(f"no column {key!r} in sheet {schema.en!r}")


def _escape_header(header: str) -> str:
    # In structured references these four characters need a leading apostrophe.
    return re.sub(r"([\[\]#'])", r"'\1", header)


def _quote(text: str) -> str:
    return '"' + text.replace('"', '""') + '"'


def render(template: str, schema: SheetSchema | None, lang: str) -> str:
    """The Excel formula for ``template`` in a workbook of language ``lang``."""

    def replace(match: re.Match[str]) -> str:
        token = match.group(1)
        if token.startswith("list."):
            _, list_name, code = token.split(".")
            return _quote(LISTS[list_name].label(code, lang))
        if "=" in token:
            key, code = token.split("=")
            assert schema is not None
            spec = next(s for s in schema.columns() if s.name == key)
            assert spec.col.choices is not None, key
            return _quote(spec.col.choices.label(code, lang))
        if "." in token:
            table, key = token.split(".")
            target = table_schema(table)
            return f"{table}[{_escape_header(column_header(target, key, lang))}]"
        assert schema is not None and schema.table, token
        return f"{schema.table}[[#This Row],[{_escape_header(column_header(schema, token, lang))}]]"

    return _TOKEN.sub(replace, template)
