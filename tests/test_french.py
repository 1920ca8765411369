"""The French templates speak French: every text a user sees, read back from the built files.

The oracle is the English templates themselves: every word they show (headers, help, input
messages, instructions, drop-down values, example rows, button captions, the VBA message) is
an English word, unless it is one of the few words both languages share (``SHARED``, reviewed
by hand). No such word may appear in the French templates. The texts are read with openpyxl
(cells, data validations, comments, print headers, document properties), from the drawings of
the ``.xlsm`` (button captions) and with olevba (the VBA's message box), not from the contract
that wrote them.
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Iterator
from pathlib import Path

import openpyxl
import pytest
from oletools.olevba import VBA_Parser

from pmo_logic.i18n import typeset

ROOT = Path(__file__).resolve().parent.parent
TEMPLATES = ROOT / "workbook_templates"
KINDS = ("project", "portfolio")

SHARED = {
    # Words French uses as English does, spelt the same.
    "action", "actions", "agile", "budget", "budgets", "code", "codes", "commentaire", "communication",
    "date", "dates", "description", "direction", "impact", "influence", "interfaces", "interface",
    "message", "organisation", "permanent", "plan", "portfolio", "possible", "programme", "rare", "score",
    "sponsor", "sprint", "sprints", "type", "types", "total", "valeur", "minimum", "maximum", "simple",
    "options", "option", "instructions", "risque", "note", "notes", "format", "formats", "calcul",
    "excel", "python", "xlwings", "pmo", "readme",
    # Homographs: French words that are also English ones.
    "plus", "non", "points", "unique", "certain", "fraction", "comment", "test", "consolidation",
    "standard", "planning", "performance", "place", "cause", "question", "licences",
    # Acronyms and codes both templates use: indicators, link types of MS Project, country codes.
    "id", "rag", "bac", "ev", "pv", "ac", "spi", "cpi", "emv", "wbs", "dcma", "raid", "evm", "eur", "gbp",
    "usd", "fr", "gb", "us", "de", "fs", "ss", "ms", "project", "primavera", "mpp", "xml", "xer",
    "xlsx", "xlsm", "pdf",
}  # fmt: skip


# Commands typed as they are (pmo consolidate, py -m pip install) and codes (12FS+2d, IF1, PRJ-001)
# are not words of either language.
_COMMAND = re.compile(r"\b(?:py -m pip install|pmo(?: [a-z]+){1,2})\b")
_WORD = re.compile(r"(?<![\w-])[^\W\d_]{2,}(?![\w-])")


def _words(text: str) -> set[str]:
    return {w.casefold() for w in _WORD.findall(_COMMAND.sub(" ", text))}


def _lines(path: Path) -> Iterator[tuple[str, str]]:
    """(where, text) for every text the workbook shows a user."""
    for book_values in (False, True):
        book = openpyxl.load_workbook(path, data_only=book_values)
        for ws in book.worksheets:
            if ws.sheet_state != "visible":
                continue
            if not book_values:
                yield f"{ws.title}!name", ws.title
                for part in (ws.oddHeader.left, ws.oddHeader.center, ws.oddHeader.right, ws.oddFooter.left):
                    if part.text:
                        yield f"{ws.title}!print header", part.text
                for dv in ws.data_validations.dataValidation:
                    for attr in ("promptTitle", "prompt", "errorTitle", "error"):
                        if getattr(dv, attr):
                            yield f"{ws.title}!{dv.sqref} {attr}", getattr(dv, attr)
                for table in ws.tables.values():
                    for column in table.tableColumns:
                        yield f"{ws.title}!{table.name} column", column.name
            for row in ws.iter_rows():
                for cell in row:
                    if isinstance(cell.value, str) and not cell.value.startswith("="):
                        yield f"{ws.title}!{cell.coordinate}", cell.value
                    if cell.comment is not None:
                        yield f"{ws.title}!{cell.coordinate} comment", cell.comment.text
        if not book_values:
            props = book.properties
            for attr in ("title", "description", "subject", "keywords"):
                if getattr(props, attr):
                    yield f"properties {attr}", getattr(props, attr)
        book.close()
    if path.suffix == ".xlsm":
        with zipfile.ZipFile(path) as archive:
            for name in archive.namelist():
                if name.endswith(".vml"):
                    xml = archive.read(name).decode("utf-8")
                    for caption in re.findall(r"<font[^>]*>([^<]+)</font>", xml):
                        yield f"{name} button", caption
        yield from _vba_messages(path)


def _vba_messages(path: Path) -> Iterator[tuple[str, str]]:
    """The message box of the macros in this workbook's language (``MessageFr`` / ``MessageEn``),
    evaluated: its string literals, ``ChrW(n)`` characters and line breaks, in order."""
    lang = "Fr" if path.stem.endswith("_fr") else "En"
    parser = VBA_Parser(str(path))
    code = "\n".join(source for _, _, _, source in parser.extract_macros())
    parser.close()
    function = re.search(rf"Function Message{lang}\(\) As String(.*?)End Function", code, re.S)
    assert function, f"{path.name}: no Message{lang} function in the VBA"
    parts = re.findall(r'"([^"]*)"|ChrW\((\d+)\)|(vbNewLine)', function.group(1))
    message = "".join(literal or (chr(int(code)) if code else "\n") for literal, code, _ in parts)
    yield "VBA message", message


def _template(kind: str, lang: str, ext: str = "xlsx") -> Path:
    return TEMPLATES / f"{kind}_{lang}.{ext}"


@pytest.fixture(scope="module")
def english_words() -> set[str]:
    words: set[str] = set()
    for kind in KINDS:
        for ext in ("xlsx", "xlsm"):
            for _, text in _lines(_template(kind, "en", ext)):
                words |= _words(text)
    return words - SHARED


@pytest.mark.parametrize("ext", ["xlsx", "xlsm"])
@pytest.mark.parametrize("kind", KINDS)
def test_no_english_word_in_a_french_template(english_words: set[str], kind: str, ext: str):
    leaks = [
        f"{where}: {sorted(_words(text) & english_words)} in {text[:80]!r}"
        for where, text in _lines(_template(kind, "fr", ext))
        if _words(text) & english_words
    ]
    assert not leaks, f"{len(leaks)} English texts in {kind}_fr.{ext}:\n" + "\n".join(leaks[:40])


def test_the_list_of_english_words_is_the_english_templates_own(english_words: set[str]):
    # The oracle must hold the words a careless copy would leave: if it were empty or
    # reduced to a few words, the test above could not fail.
    assert len(english_words) > 300
    assert {"the", "and", "finish", "milestone", "owner", "threat", "baseline", "working"} <= english_words


def test_the_check_catches_an_english_help_text(english_words: set[str]):
    assert _words("Calendar days past due at the status date") & english_words
    assert not _words("Jours calendaires de retard à la date d'état") & english_words


def _instructions(path: Path) -> str:
    book = openpyxl.load_workbook(path)
    ws = book.worksheets[0]
    text = "\n".join(str(c.value) for row in ws.iter_rows() for c in row if isinstance(c.value, str))
    book.close()
    return text


@pytest.mark.parametrize("kind", KINDS)
def test_french_instructions_are_as_complete_as_the_english(kind: str):
    english, french = _instructions(_template(kind, "en")), _instructions(_template(kind, "fr"))
    # French runs about 15 % longer than English for the same content: 90 % is a floor.
    assert len(french) >= 0.9 * len(english), (len(french), len(english))
    paragraphs = lambda text: [line for line in text.split("\n") if len(line) > 40]  # noqa: E731
    assert len(paragraphs(french)) >= len(paragraphs(english))


@pytest.mark.parametrize("kind", KINDS)
def test_every_french_input_message_is_as_long_as_its_english_one(kind: str):
    def prompts(lang: str) -> dict[tuple[str, int], str]:
        book = openpyxl.load_workbook(_template(kind, lang))
        found = {
            (str(i), k): dv.prompt or ""
            for i, ws in enumerate(book.worksheets)
            for k, dv in enumerate(ws.data_validations.dataValidation)
        }
        book.close()
        return found

    english, french = prompts("en"), prompts("fr")
    assert english.keys() == french.keys()
    short = [(english[k], french[k]) for k in english if len(french[k]) < 0.7 * len(english[k])]
    assert not short, short


_SPACE_BEFORE = re.compile(r"(?<=[^\s\u00a0\u202f(\[])[:;!?]|[ ][:;!?]|\d ?%")
_GUILLEMETS = re.compile(r"«(?![\u00a0\u202f])|(?<![\u00a0\u202f])»|[\"“”]")


@pytest.mark.parametrize("ext", ["xlsx", "xlsm"])
@pytest.mark.parametrize("kind", KINDS)
def test_french_typography(kind: str, ext: str):
    bad = [
        f"{where}: {text[:90]!r}"
        for where, text in _lines(_template(kind, "fr", ext))
        if _SPACE_BEFORE.search(re.sub(r"https?://\S+|\b\d+:\d+\b", "", text)) or _GUILLEMETS.search(text)
    ]
    assert not bad, f"{len(bad)} texts without French spacing:\n" + "\n".join(bad[:40])


def test_typeset_puts_non_breaking_spaces_where_french_wants_them():
    assert typeset("Statut : ouvert ; voir « Planning » ? Oui ! 45 %", "fr") == (
        "Statut\u00a0: ouvert\u00a0; voir «\u00a0Planning\u00a0»\u00a0? Oui\u00a0! 45\u00a0%"
    )
    assert typeset("Statut: ouvert", "fr") == "Statut\u00a0: ouvert"
    assert typeset("Status: open; 45%", "en") == "Status: open; 45%"
    assert typeset("12FS+2d, 7SS, 10:30, https://x.org", "fr") == "12FS+2d, 7SS, 10:30, https://x.org"


def test_every_column_of_the_contract_has_its_help_in_both_languages():
    from pmo_logic.sheets import PORTFOLIO_SHEETS, PROJECT_SHEETS

    missing = [
        f"{schema.key}.{getattr(item, 'key', None) or item.en}"
        for schema in (*PROJECT_SHEETS, *PORTFOLIO_SHEETS)
        for item in (*(spec.col for spec in schema.columns()), *schema.computed, *schema.computed_values)
        if not item.help_en or not item.help_fr
    ]
    assert not missing, missing
