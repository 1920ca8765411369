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

import html
import re
import zipfile
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

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


# --- The committee pack and deck of a French portfolio ----------------------------------------
#
# A portfolio with every way a workbook can fail to be consolidated (damaged, locked, not a
# workbook, missing from the folder, a duplicate, no Project ID, not registered) and a snapshot
# that cannot be read, made by `pmo report --pptx` twice: in English and in French. The oracle of
# English words is the English pack and deck themselves (every label, code, legend, reason the
# English run shows), less the portfolio's own data (names, titles, owners, file names: the
# projects' words, in whatever language they were typed) and the few words both languages share.

# Words both languages use in the pack, spelt the same (reviewed by hand): acronyms of earned
# value kept in French PMO practice, and French words that are also English ones.
PACK_SHARED = {"eac", "vac", "mta", "minute", "minutes", "validation", "stable", "json", "utf"}
PORTFOLIO_NAME = "Portefeuille Transformation"


def _damaged_part(source: Path, target: Path) -> None:
    """A copy of ``source`` whose workbook part is not XML any more (a bad sync, a disk fault)."""
    with zipfile.ZipFile(source) as src, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as out:
        for item in src.infolist():
            data = src.read(item.filename)
            out.writestr(item, b"<workbook><sheets><broken" if item.filename == "xl/workbook.xml" else data)


def _portfolio_folder(root: Path, lang: str) -> Path:
    """The portfolio workbook (in ``lang``) beside its project folder and snapshots; returns the portfolio workbook."""
    from pmo_logic.models import PortfolioSettings, PortfolioWorkbook, RegisterRow
    from pmo_logic.rules.example_project import STATUS_DATE, clean_project
    from pmo_logic.snapshots import save_snapshot
    from pmo_logic.templates import write_portfolio_workbook, write_project_workbook

    projects = root / "projets"
    projects.mkdir(parents=True)
    names = {"PRJ-001": "Refonte du portail", "PRJ-002": "Usine connectée", "PRJ-003": "Paie unifiée"}
    for k, (project_id, name) in enumerate(names.items()):
        workbook = clean_project()
        workbook.project.project_id, workbook.project.name = project_id, name
        workbook.project.programme = "Programme Numérique"
        # One project workbook in English: the French pack speaks French whatever the workbooks' language.
        write_project_workbook(projects / f"{project_id}.xlsx", workbook, lang="en" if k == 2 else "fr")
    _damaged_part(projects / "PRJ-001.xlsx", projects / "PRJ-004.xlsx")
    full = (projects / "PRJ-002.xlsx").read_bytes()
    (projects / "PRJ-005.xlsx").write_bytes(full[: len(full) // 2])  # an interrupted copy: cut short
    # Locked: an encrypted (password-protected) workbook, as Excel writes it (an OLE file with EncryptionInfo).
    (projects / "PRJ-007.xlsx").write_bytes(
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + "EncryptionInfo".encode("utf-16-le") + bytes(600)
    )
    (projects / "PRJ-008.xlsx").write_bytes(b"a text file renamed .xlsx")
    twin = clean_project()
    twin.project.project_id = "PRJ-001"
    write_project_workbook(projects / "PRJ-001 copie.xlsx", twin, lang="fr")
    nameless = clean_project()
    nameless.project.project_id = None
    write_project_workbook(projects / "sans ID.xlsx", nameless, lang="fr")
    stray = clean_project()
    stray.project.project_id, stray.project.name = "PRJ-099", "Projet hors registre"
    write_project_workbook(projects / "PRJ-099.xlsx", stray, lang="fr")
    register = [RegisterRow(project_id=f"PRJ-00{k}", workbook=f"PRJ-00{k}.xlsx") for k in range(1, 9)]
    settings = PortfolioSettings(status_date=STATUS_DATE, language=lang, portfolio_name=PORTFOLIO_NAME,
                                 project_folder=str(projects))  # fmt: skip
    portfolio = PortfolioWorkbook(settings=settings, projects=register)
    path = write_portfolio_workbook(root / "portefeuille.xlsx", portfolio, lang=lang)
    # The last committee, a week earlier (so the pack has changes), and a half-written snapshot.
    from pmo_logic.consolidate import consolidate

    earlier = consolidate(projects, portfolio.model_copy(update={"settings": settings.model_copy(
        update={"status_date": STATUS_DATE - timedelta(days=7)})}), workers=1)  # fmt: skip
    save_snapshot(earlier, root / "snapshots")
    (root / "snapshots" / "2025-12-31").mkdir()
    (root / "snapshots" / "2025-12-31" / "manifest.json").write_text('{"format": "pmo-xl snapshot", ', "utf-8")
    return path


@pytest.fixture(scope="module")
def packs(tmp_path_factory) -> dict[str, dict[str, Any]]:
    """For each language: the pack, the deck, the terminal output and the roll-up of `pmo report --pptx`."""
    from typer.testing import CliRunner

    from pmo_logic.cli import app
    from pmo_logic.consolidate import consolidate
    from pmo_logic.reader import read_portfolio_workbook

    made = {}
    for lang in ("en", "fr"):
        root = tmp_path_factory.mktemp(f"portfolio-{lang}")
        portfolio = _portfolio_folder(root, lang)
        pack, rollup = root / "dossier.xlsx", root / "consolidation.xlsx"
        runs = [
            CliRunner().invoke(app, [*args, "-p", str(portfolio), "--no-cache"], env={"COLUMNS": "300"})
            for args in (["consolidate", "-o", str(rollup), "--no-snapshot"], ["report", "-o", str(pack), "--pptx"])
        ]
        output = "\n".join(run.output for run in runs)
        assert rollup.exists() and pack.exists() and pack.with_suffix(".pptx").exists(), output
        workbook = read_portfolio_workbook(portfolio)
        made[lang] = {
            "pack": pack,
            "deck": pack.with_suffix(".pptx"),
            "output": output,
            "rollup_file": rollup,
            "rollup": consolidate(root / "projets", workbook, workers=1),
        }
    return made


def _xml_texts(archive: zipfile.ZipFile, prefix: str) -> Iterator[tuple[str, str]]:
    for name in archive.namelist():
        if name.startswith(prefix) and name.endswith(".xml"):
            xml = archive.read(name).decode("utf-8")
            for text in re.findall(r"<(?:a:t|c:v|t)(?: [^>]*)?>([^<]*)</(?:a:t|c:v|t)>", xml):
                yield name, html.unescape(text)


def _pack_texts(path: Path) -> Iterator[tuple[str, str]]:
    """(where, text) for every text of the pack: tab names, cells, print headers and footers, charts."""
    book = openpyxl.load_workbook(path)
    for ws in book.worksheets:
        yield f"{ws.title}!name", ws.title
        for part in (ws.oddHeader, ws.oddFooter):
            for side in (part.left, part.center, part.right):
                if side.text:
                    yield f"{ws.title}!print header or footer", side.text
        for row in ws.iter_rows():
            for cell in row:
                if isinstance(cell.value, str):
                    yield f"{ws.title}!{cell.coordinate}", cell.value
    book.close()
    with zipfile.ZipFile(path) as archive:
        yield from _xml_texts(archive, "xl/charts/")  # titles, axis titles, series names, legends


def _deck_texts(path: Path) -> Iterator[tuple[str, str]]:
    """(where, text) for every text of the deck: slides (titles, text boxes, tables) and charts."""
    with zipfile.ZipFile(path) as archive:
        yield from _xml_texts(archive, "ppt/slides/")
        yield from _xml_texts(archive, "ppt/charts/")


def _data(rollup) -> list[str]:
    """The portfolio's own words: the free text the project and portfolio workbooks hold (names,
    titles, owners, comments, file names), longest first. Not the drop-down columns: their codes
    (a risk's response, a task's type) are the pack's to translate."""
    from pmo_logic.sheets import PROJECT_SHEETS

    free_text = {spec.name for schema in PROJECT_SHEETS for spec in schema.columns() if spec.col.kind == "text"}
    free_text |= {"file", "project_id", "programme", "name"}
    values = {PORTFOLIO_NAME, *rollup.registered, *rollup.registered.values()}
    tables = [rollup.projects, rollup.programmes, rollup.load_problems, *rollup.details.values()]
    for table in tables:
        for column in free_text & set(table.columns):
            values |= {v for v in table[column].dropna() if isinstance(v, str) and len(v) > 1}
    return sorted(values, key=len, reverse=True)


_LETTERS = re.compile(r"[^\W\d_]{2,}")
_RULE_CODE = re.compile(r"\b[A-Z]{3,5}\d{2,3}\b")  # READ005, CONS001, DCMA01: the catalogue's, in both packs


def _pack_words(text: str) -> set[str]:
    """Every run of letters: "password-protected" is two English words, wherever they are."""
    return {w.casefold() for w in _LETTERS.findall(text)}


def _without_data(text: str, data: list[str]) -> str:
    text = _RULE_CODE.sub(" ", text)
    for value in data:
        if value in text:
            text = text.replace(value, " ")
    return text


@pytest.fixture(scope="module")
def english_pack_words(packs) -> set[str]:
    data = _data(packs["en"]["rollup"])
    words: set[str] = set()
    for texts in (_pack_texts(packs["en"]["pack"]), _deck_texts(packs["en"]["deck"])):
        for _, text in texts:
            words |= _pack_words(_without_data(text, data))
    return words - SHARED - PACK_SHARED


def test_the_english_words_are_the_english_packs_own(english_pack_words: set[str], packs):
    # The oracle holds the words a French pack would leak: labels, codes, legends and every
    # reason the English run gives (damaged, locked, missing, duplicate, no ID, unregistered).
    assert len(english_pack_words) > 150
    assert {"executive", "summary", "milestones", "owner", "threats", "legend", "achieved"} <= english_pack_words
    assert {"damaged", "password", "protected", "registered", "found", "copy", "cut", "short"} <= english_pack_words
    codes = set(packs["en"]["rollup"].load_problems["code"])
    assert {"READ003", "READ005", "CONS001", "CONS002", "CONS003", "CONS004"} <= codes


@pytest.mark.parametrize("output", ["pack", "deck"])
def test_no_english_word_in_the_french_pack_and_deck(english_pack_words: set[str], packs, output: str):
    french = packs["fr"]
    data = _data(french["rollup"])
    texts = _pack_texts(french["pack"]) if output == "pack" else _deck_texts(french["deck"])
    leaks = [
        f"{where}: {sorted(found)} in {text[:100]!r}"
        for where, text in texts
        if (found := _pack_words(_without_data(text, data)) & english_pack_words)
    ]
    assert not leaks, f"{len(leaks)} English texts in the French {output}:\n" + "\n".join(leaks[:40])


def test_the_french_pack_gives_each_reason_in_french(packs):
    rollup = packs["fr"]["rollup"]
    reasons = dict(zip(rollup.load_problems["file"], rollup.load_problems["reason"], strict=True))
    nbsp = "\u00a0"
    assert reasons["PRJ-007.xlsx"] == (
        f"le classeur est protégé par un mot de passe{nbsp}: enregistrez-en une copie sans mot de passe dans le "
        "dossier des projets"
    )
    assert reasons["PRJ-006.xlsx"] == "Inscrit au registre, mais aucun classeur n'a été trouvé"
    assert (
        reasons["PRJ-001 copie.xlsx"] == f"Le projet PRJ-001 est aussi dans PRJ-001.xlsx{nbsp}: cette copie est écartée"
    )
    assert reasons["sans ID.xlsx"] == f"Pas d'ID projet dans l'onglet Projet{nbsp}: il ne peut pas être consolidé"
    assert reasons["PRJ-099.xlsx"] == f"Trouvé, mais absent du registre{nbsp}: consolidé quand même"
    assert reasons["PRJ-004.xlsx"].startswith("ce n'est pas un classeur Excel lisible, ou il est endommagé")
    assert reasons["PRJ-005.xlsx"].startswith(f"le fichier est endommagé{nbsp}: tronqué (sa fin manque)")
    # The pack's Data quality tab and the grey rows of Portfolio status say the same.
    book = openpyxl.load_workbook(packs["fr"]["pack"])
    cells = {c.value for ws in book.worksheets for row in ws.iter_rows() for c in row if isinstance(c.value, str)}
    assert set(reasons.values()) <= cells
    status = [r for r in book["État du portefeuille"].iter_rows(values_only=True) if r[0] in ("PRJ-006", "PRJ-007")]
    assert {r[0]: "absent" in r or "illisible" in r for r in status} == {"PRJ-006": True, "PRJ-007": True}, status


def test_the_roll_up_gives_the_reasons_in_the_portfolios_language(packs):
    def texts(lang: str) -> set[str]:
        book = openpyxl.load_workbook(packs[lang]["rollup_file"], read_only=True)
        rows = (row for ws in book.worksheets for row in ws.iter_rows(values_only=True))
        found = {value for row in rows for value in row if isinstance(value, str)}
        book.close()
        return found

    english = set(packs["en"]["rollup"].load_problems["reason"])
    french = set(packs["fr"]["rollup"].load_problems["reason"])
    assert len(english) == len(french) >= 7 and not english & french
    assert french <= texts("fr") and not english & texts("fr")
    assert english <= texts("en")


def test_the_terminal_gives_the_reasons_in_the_portfolios_language(packs):
    def flat(text: str) -> str:
        return " ".join(re.sub(r"[│┃|]", " ", text).split())

    english, french = flat(packs["en"]["output"]), flat(packs["fr"]["output"])
    assert "snapshot" in english and "left out" in english
    assert "Instantané" in french and "écarté" in french and "left out" not in french
    assert "écrit à moitié ou modifié" in french
    assert "protégé par un mot de passe" in french and "password-protected" not in french
    assert "password-protected" in english and "protégé" not in english


def test_the_pack_footer_dates_in_french(packs):
    book = openpyxl.load_workbook(packs["fr"]["pack"])
    footer = book.worksheets[0].oddFooter.right.text
    months = "janv.|févr.|mars|avr.|mai|juin|juil.|août|sept.|oct.|nov.|déc."
    assert re.fullmatch(rf"Généré le \d{{1,2}}\u00a0({months})\u00a0\d{{4}} \d\d:\d\d", footer), footer


def test_the_french_pack_keeps_french_typography(packs):
    data = _data(packs["fr"]["rollup"])
    bad = [
        f"{where}: {text[:90]!r}"
        for texts in (_pack_texts(packs["fr"]["pack"]), _deck_texts(packs["fr"]["deck"]))
        for where, text in texts
        if _SPACE_BEFORE.search(re.sub(r"https?://\S+|\b\d+:\d+\b", "", _without_data(text, data)))
    ]
    assert not bad, f"{len(bad)} texts without French spacing:\n" + "\n".join(bad[:40])
