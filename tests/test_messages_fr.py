"""Finding messages in French for French workbooks, with the same facts as the English ones."""

from __future__ import annotations

import re
import string
from datetime import date
from pathlib import Path

import openpyxl
import pytest

from pmo_logic.consolidate import consolidate
from pmo_logic.models import InterfaceRow, PortfolioSettings, PortfolioWorkbook
from pmo_logic.reader import read_project_workbook
from pmo_logic.rules import CATALOGUE, PortfolioIndex
from pmo_logic.rules.base import french_figures
from pmo_logic.rules.example_project import KNOWN_PROJECTS, STATUS_DATE, clean_project
from pmo_logic.sheets import PROJECT_KIND, sheet
from pmo_logic.templates import write_project_workbook
from pmo_logic.validate import validate_workbook
from pmo_logic.validation_settings import ValidationSettings

SETTINGS = ValidationSettings(as_of=STATUS_DATE)
PORTFOLIO = PortfolioIndex(milestones={k: set(v) for k, v in KNOWN_PROJECTS.items()})
RULES_WITH_EXAMPLES = [r for r in CATALOGUE.values() if r.example is not None]
# English words of the messages' own text (never from the example's data): none may be left in French.
ENGLISH = re.compile(
    r"\b(Task|Risk|Action|Issue|Decision|Interface \w+:|starts|finishes|baseline|actual|predecessor|successor|"
    r"threshold|tasks|working days|has no|is not|needs|comes after|listed twice|forecast|complete|used twice|"
    r"Dependency loop|remove|status date|days old|Actual cost|above|"
    r"January|February|March|April|May|June|July|August|September|October|November|December|n/a)\b"
)


def _placeholders(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


def _figures(message: str) -> list[str]:
    """The runs of digits: dates, IDs, amounts and counts read the same in both languages."""
    return re.findall(r"\d+", message)


def _findings(tmp_path: Path, rule, lang: str):
    workbook = clean_project()
    rule.example.change(workbook)
    path = write_project_workbook(tmp_path / f"{rule.code}-{lang}.xlsx", workbook, lang=lang)
    if rule.example.edit_file is not None:
        rule.example.edit_file(path)
    settings = SETTINGS.model_copy(update=dict(rule.example.settings))
    result = validate_workbook(read_project_workbook(path), settings, PORTFOLIO)
    return [f for f in result.findings if f.code == rule.code]


def test_every_checked_rule_says_its_message_in_french_with_the_same_placeholders():
    for rule in CATALOGUE.values():
        if rule.source == "validator" or rule.code == "INTF010":
            assert rule.message_fr, rule.code
            assert _placeholders(rule.message_fr) == _placeholders(rule.message), rule.code


@pytest.mark.parametrize("rule", RULES_WITH_EXAMPLES, ids=lambda r: r.code)
def test_a_french_workbook_gets_french_messages_with_the_same_facts(tmp_path: Path, rule):
    english, french = _findings(tmp_path, rule, "en"), _findings(tmp_path, rule, "fr")
    assert len(english) == len(french) > 0
    for en, fr in zip(english, french, strict=True):
        assert fr.cell == en.cell and fr.item == en.item
        assert ENGLISH.search(en.message), en.message  # the check below can fail
        assert fr.message != en.message
        assert _figures(fr.message) == _figures(en.message), (en.message, fr.message)
        assert not ENGLISH.search(fr.message), fr.message
        assert "{" not in fr.message and "}" not in fr.message
        # Each finding carries the other language too, for a French roll-up of an English workbook
        # (the columns it names keep their workbook's headers: "Task name" in an English one).
        assert en.says("fr") != en.message and fr.says("en") != fr.message
        assert _figures(en.says("fr")) == _figures(fr.message) and _figures(fr.says("en")) == _figures(en.message)
        assert not ENGLISH.search(en.says("fr").replace("Task name", "")), en.says("fr")


def test_french_messages_read_as_written(tmp_path: Path):
    by_code = {}
    for code in ("PLAN010", "PLAN011", "PLAN030", "BUDG001", "BUDG002", "BUDG004", "DCMA01"):
        by_code[code] = _findings(tmp_path, CATALOGUE[code], "fr")[0].message
    assert by_code["PLAN010"] == "La tâche 6 se termine (2026-03-18) avant de commencer (2026-03-23)"
    assert by_code["PLAN011"] == "La tâche 6 commence le 2026-03-21, un jour non ouvré"
    assert by_code["PLAN030"] == "La tâche 5 est «\u00a0terminée\u00a0» à 0\u00a0% d'avancement"
    # Thousands and percentages as Excel shows them in French: 12 500 and 25 %.
    assert by_code["BUDG001"] == (
        "Le coût réel à date 75\u00a0000 dépasse le budget à terminaison (BAC, la somme des budgets des tâches) "
        "60\u00a0000"
    )
    assert by_code["BUDG002"] == "Tâche 2\u00a0: le coût réel 15\u00a0000 dépasse de 50\u00a0% son budget 10\u00a0000"
    # A sentence starts with a capital, even a French month's.
    assert by_code["BUDG004"] == "Janvier 2026 (Labour) vient après février 2026"
    assert by_code["DCMA01"].startswith("DCMA Logique\u00a0: ")


def test_french_figures():
    assert french_figures("5.0%") == "5,0\u00a0%"
    assert french_figures(">= 0.95") == ">= 0,95"
    assert french_figures("<= 5%") == "<= 5\u00a0%"
    assert french_figures("n/a") == "n.d."
    assert french_figures("v1.2 of 3") == "v1,2 of 3"


def test_an_interface_at_risk_is_told_in_the_consumers_language(tmp_path: Path):
    consumer = clean_project()
    consumer.project.project_id = "PRJ-001"
    consumer.interfaces = [
        InterfaceRow(id="IF1", direction="needs", other_project="PRJ-002", milestone="7", need_by=date(2026, 3, 20))
    ]
    write_project_workbook(tmp_path / "consumer.xlsx", consumer, lang="fr")
    supplier = clean_project()
    supplier.project.project_id = "PRJ-002"
    supplier.plan[6].finish = date(2026, 3, 27)
    supplier.interfaces = []
    write_project_workbook(tmp_path / "supplier.xlsx", supplier)
    settings = PortfolioSettings(status_date=STATUS_DATE)
    rollup = consolidate(tmp_path, PortfolioWorkbook(settings=settings), workers=1)
    found = rollup.findings.set_index("code")
    message = found.at["INTF010", "message"]
    assert message.startswith("PRJ-001 a besoin du jalon 7 de PRJ-002 pour le 2026-03-20, mais il est prévu le ")
    assert message.endswith("jours de retard)")
    # A portfolio with a language of its own speaks it, whatever the consumer's.
    for lang, start in (("en", "PRJ-001 needs milestone 7 of PRJ-002 by 2026-03-20"), ("fr", "PRJ-001 a besoin")):
        workbook = PortfolioWorkbook(settings=settings.model_copy(update={"language": lang}))
        rollup = consolidate(tmp_path, workbook, workers=1)
        assert rollup.findings.set_index("code").at["INTF010", "message"].startswith(start), lang


def test_a_french_workbook_gets_its_reading_problems_in_french(tmp_path: Path):
    path = write_project_workbook(tmp_path / "fr.xlsx", clean_project(), lang="fr", omit_sheets=("decisions",))
    book = openpyxl.load_workbook(path)
    plan = book[sheet(PROJECT_KIND, "plan").name("fr")]
    plan["G3"], plan["Q3"], plan["E4"] = "abc", "fini ?", "bientôt"
    book.save(path)
    problems = {p.cell or p.sheet: p.message for p in read_project_workbook(path).problems}
    assert problems["G3"] == "Durée (jours ouvrés)\u00a0: nombre attendu, trouvé «\u00a0abc\u00a0»"
    assert problems["Q3"].startswith(
        "Statut\u00a0: «\u00a0fini\u00a0?\u00a0» n'est pas dans la liste (Non commencée, En cours, "
    )
    assert (
        problems["E4"] == "Début\u00a0: date attendue (par ex. 23/11/2026 ou 2026-11-23), trouvé «\u00a0bientôt\u00a0»"
    )
    assert problems["Décisions"] == "l'onglet «\u00a0Décisions\u00a0» est absent\u00a0; lu comme vide"
    # The same cells of an English workbook, in English.
    path = write_project_workbook(tmp_path / "en.xlsx", clean_project())
    book = openpyxl.load_workbook(path)
    book["Plan"]["G3"] = "abc"
    book.save(path)
    english = {p.cell: p.message for p in read_project_workbook(path).problems}
    assert english["G3"] == "Duration (working days): expected a number, found 'abc'"


# --- What the reader and consolidation say before, or beside, the workbook's language ---------

NBSP = "\u00a0"


def test_a_problem_says_itself_in_each_language_it_was_written_in():
    from pmo_logic.findings import Finding, findings_frame
    from pmo_logic.problems import Problem, in_both

    said = in_both("the file is empty: restore it", "le fichier est vide : restaurez-le", "en")
    assert said == {
        "message": "the file is empty: restore it",
        "messages": {"en": "the file is empty: restore it", "fr": f"le fichier est vide{NBSP}: restaurez-le"},
    }
    problem = Problem(code="READ002", severity="error", file="a.xlsx", **said)
    assert problem.says("fr") == f"le fichier est vide{NBSP}: restaurez-le"
    assert problem.says("en") == problem.message == problem.says("de")
    # Written in one language only (a value typed in a French workbook): that one, whatever is asked.
    assert Problem(code="READ009", severity="error", file="a.xlsx", message="Durée : x").says("en") == "Durée : x"
    finding = Finding(code="READ002", severity="error", file="a.xlsx", **said)
    assert findings_frame([finding], "fr")["message"].tolist() == [f"le fichier est vide{NBSP}: restaurez-le"]
    assert findings_frame([finding])["message"].tolist() == ["the file is empty: restore it"]
    assert "messages" not in findings_frame([finding], "fr").columns


def test_an_english_workbook_read_for_a_french_portfolio_has_its_problems_in_french_too(tmp_path: Path):
    path = write_project_workbook(tmp_path / "en.xlsx", clean_project(), omit_sheets=("decisions",))
    problems = {p.sheet: p for p in read_project_workbook(path).problems}
    missing = problems["Decisions"]
    assert missing.message == "the sheet 'Decisions' is missing; read as empty"
    assert missing.says("fr") == f"l'onglet «{NBSP}Decisions{NBSP}» est absent{NBSP}; lu comme vide"


@pytest.mark.parametrize(
    ("content", "code", "french"),
    [
        (b"", "READ002", f"le fichier est vide (0 octet){NBSP}: restaurez-le depuis une sauvegarde"),
        (b"just text", "READ005", "ce n'est pas un classeur Excel, ou le fichier est endommagé (pas un .xlsx valide)"),
        (
            b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + "EncryptionInfo".encode("utf-16-le") + bytes(64),
            "READ003",
            f"le classeur est protégé par un mot de passe{NBSP}: enregistrez-en une copie sans mot de passe dans le "
            "dossier des projets",
        ),
    ],
)
def test_a_file_that_cannot_be_opened_is_explained_in_both_languages(tmp_path: Path, content, code, french):
    path = tmp_path / "projet.xlsx"
    path.write_bytes(content)
    (problem,) = read_project_workbook(path).problems
    assert problem.code == code and problem.says("fr") == french
    assert problem.message == problem.says("en") != french


def test_a_failed_consolidation_names_the_step_never_pythons_words():
    from pmo_logic.consolidate import failed_load
    from pmo_logic.kpis import earned_value

    try:
        earned_value(42, None)  # an error raised deep in the indicators, as a bug there would
    except TypeError as exc:
        load = failed_load("/projets/Usine.xlsx", exc)
    (finding,) = load.findings
    assert finding.code == "CONS007" and finding.file == "Usine.xlsx"
    assert finding.says("en") == (
        "could not be consolidated: pmo-xl met an error it did not expect while computing its indicators; "
        "please report it, with the file"
    )
    assert finding.says("fr") == (
        f"N'a pas pu être consolidé{NBSP}: pmo-xl a rencontré une erreur imprévue en calculant ses indicateurs{NBSP}; "
        "merci de la signaler, avec le fichier"
    )
    assert "TypeError" not in finding.says("en") + finding.says("fr")


def test_every_consolidation_sentence_has_its_french_with_the_same_placeholders():
    for rule in CATALOGUE.values():
        if rule.code.startswith("CONS") or rule.code in ("READ020", "READ021"):
            assert rule.message_fr, rule.code
            assert _placeholders(rule.message_fr) == _placeholders(rule.message), rule.code


def test_a_bad_snapshot_is_told_in_the_portfolios_language(tmp_path: Path):
    from pmo_logic.snapshots import BadSnapshot, read_manifest

    folder = tmp_path / "2026-01-09"
    folder.mkdir()
    (folder / "manifest.json").write_text("{", "utf-8")
    with pytest.raises(BadSnapshot) as caught:
        read_manifest(folder)
    problem = caught.value.problem
    assert problem.sentence("fr") == (
        f"Instantané {folder} écarté (manifest.json n'est pas un JSON valide{NBSP}: écrit à moitié ou "
        f"modifié{NBSP}?){NBSP}: il ne sert ni pour le dernier comité, ni pour les changements, ni pour la tendance "
        "des jalons"
    )
    assert problem.sentence().startswith(f"snapshot {folder} left out (manifest.json is not valid JSON")
    assert problem.note("fr")["reason"] == problem.sentence("fr")
