"""The words pmo-xl writes into workbooks, in English and French."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

TEXTS: dict[str, dict[str, str]] = {
    "title_project": {"en": "Project workbook", "fr": "Classeur projet"},
    "title_portfolio": {"en": "Portfolio workbook", "fr": "Classeur portefeuille"},
    "properties_comment": {
        "en": "Standard pmo-xl workbook. Keep the sheet and column names: the PMO reads them.",
        "fr": "Classeur standard pmo-xl. Gardez les noms des onglets et des colonnes : le PMO les lit.",
    },
    "footer": {"en": "pmo-xl", "fr": "pmo-xl"},
    "field": {"en": "Field", "fr": "Champ"},
    "value": {"en": "Value", "fr": "Valeur"},
    "help": {"en": "Help", "fr": "Aide"},
    "computed_block": {
        "en": "Computed from the sheets (do not type)",
        "fr": "Calculé depuis les onglets (ne pas saisir)",
    },
    "validation_error": {
        "en": "This value does not fit the column '{header}'. See the Instructions sheet.",
        "fr": "Cette valeur ne convient pas à la colonne « {header} ». Voir l'onglet Mode d'emploi.",
    },
    "validation_error_title": {"en": "Value not accepted", "fr": "Valeur refusée"},
    "legend": {"en": "Colour code", "fr": "Code couleur"},
    "legend_input": {"en": "Blue header", "fr": "En-tête bleu"},
    "legend_input_help": {
        "en": "A column you fill in. Pick from the drop-down where there is one.",
        "fr": "Une colonne à remplir. Choisissez dans la liste déroulante quand il y en a une.",
    },
    "legend_computed": {"en": "Grey header", "fr": "En-tête gris"},
    "legend_computed_help": {
        "en": "Computed by a formula: do not type over it. New rows get the formula automatically.",
        "fr": "Calculé par une formule : ne pas écraser. Les nouvelles lignes reçoivent la formule automatiquement.",
    },
    "col_sheet": {"en": "Sheet", "fr": "Onglet"},
    "col_column": {"en": "Column", "fr": "Colonne"},
    "col_required": {"en": "Required", "fr": "Obligatoire"},
    "col_type": {"en": "Type", "fr": "Type"},
    "col_allowed": {"en": "Allowed values", "fr": "Valeurs permises"},
    "col_help": {"en": "What to enter", "fr": "À saisir"},
    "kind_text": {"en": "Text", "fr": "Texte"},
    "kind_integer": {"en": "Whole number", "fr": "Nombre entier"},
    "kind_number": {"en": "Number", "fr": "Nombre"},
    "kind_money": {"en": "Amount", "fr": "Montant"},
    "kind_percent": {"en": "Percentage", "fr": "Pourcentage"},
    "kind_date": {"en": "Date", "fr": "Date"},
    "kind_choice": {"en": "Drop-down", "fr": "Liste déroulante"},
    "kind_flag": {"en": "Yes / No", "fr": "Oui / Non"},
    "kind_computed": {"en": "Computed", "fr": "Calculé"},
    "kind_help_text": {"en": "Free text.", "fr": "Texte libre."},
    "kind_help_integer": {"en": "A whole number.", "fr": "Un nombre entier."},
    "kind_help_number": {"en": "A number.", "fr": "Un nombre."},
    "kind_help_money": {
        "en": "An amount in the project's currency, without the symbol.",
        "fr": "Un montant dans la devise du projet, sans le symbole.",
    },
    "kind_help_percent": {"en": "A percentage, e.g. 45%.", "fr": "Un pourcentage, ex. 45 %."},
    "kind_help_date": {"en": "A date, e.g. 23/11/2026.", "fr": "Une date, ex. 23/11/2026."},
    "kind_help_choice": {"en": "Pick a value from the drop-down.", "fr": "Choisissez dans la liste déroulante."},
    "kind_help_flag": {"en": "Yes or No.", "fr": "Oui ou Non."},
    # What the buttons write into a project workbook.
    "status_sheet": {"en": "Status", "fr": "Statut"},
    "status_date": {"en": "Status date", "fr": "Date d'état"},
    "project_manager": {"en": "Project manager", "fr": "Chef de projet"},
    "key_milestone_slip": {"en": "Key milestone slip (working days)", "fr": "Glissement jalons clés (jours ouvrés)"},
    "rag_computed": {"en": "RAG (computed)", "fr": "Météo (calculée)"},
    "rag_manual": {"en": "RAG (project manager)", "fr": "Météo (chef de projet)"},
    "key_milestones": {"en": "Key milestones", "fr": "Jalons clés"},
    "top_risks": {"en": "Top risks", "fr": "Principaux risques"},
    "overdue_actions": {"en": "Overdue actions", "fr": "Actions en retard"},
    "no_owner": {"en": "no owner", "fr": "sans responsable"},
    "severity": {"en": "Severity", "fr": "Gravité"},
    "code": {"en": "Code", "fr": "Code"},
    "cell": {"en": "Cell", "fr": "Cellule"},
    "item": {"en": "Item", "fr": "Élément"},
    "message": {"en": "Message", "fr": "Message"},
    "no_findings": {"en": "No findings.", "fr": "Aucune anomalie."},
    "severity_error": {"en": "error", "fr": "erreur"},
    "severity_warning": {"en": "warning", "fr": "avertissement"},
    "severity_info": {"en": "info", "fr": "info"},
    "instructions_project": {
        "en": "\n".join(
            [
                "One workbook per project. The PMO consolidates every project workbook before each steering committee.",
                "1. Project sheet: fill in the charter fields (* = required). Update the Status date at every report.",
                "2. Plan sheet: one row per task or milestone. Replace the example rows. Predecessors are task IDs "
                "with link type and lag, e.g. 12FS+2d, 7SS (FS = finish-to-start, SS = start-to-start, "
                "lag in working days).",
                "   Keep the baseline dates as agreed at the last baseline; move only the start and finish forecasts. "
                "Enter % complete, actual dates and actual cost up to the status date.",
                "3. Risks, Actions, Issues, Decisions (the RAID log): one row each, with an owner and a date.",
                "   A risk is scored probability x impact (1 to 5 each); a threat that has occurred becomes an issue.",
                "4. Budget: one row per month and cost category. Stakeholders and Interfaces: who matters, and what "
                "you need from or deliver to other projects. Sprints: agile and hybrid projects only.",
                "5. Lists sheet: add the project's non-working days (public holidays included) below the example: "
                "the working-day formulas count only the days listed there.",
                "6. Do not rename sheets or columns; add your own columns at the right of a table if you need to.",
                "With the pmo-xl add-in, the buttons on the Project sheet of the .xlsm workbook "
                "validate the plan, recompute the schedule "
                "(early and late dates, float, critical path) and write a status report.",
                "No add-in is needed to fill in this workbook: every drop-down and formula is native Excel.",
            ]
        ),
        "fr": "\n".join(
            [
                "Un classeur par projet. Le PMO consolide tous les classeurs projet avant chaque comité de pilotage.",
                "1. Onglet Projet : remplissez la charte (* = obligatoire). Mettez à jour la date d'état à chaque "
                "rapport.",
                "2. Onglet Planning : une ligne par tâche ou jalon. Remplacez les lignes d'exemple. Les prédécesseurs "
                "sont des ID de tâches avec type de lien et décalage, ex. 12FD+2j, 7DD (FD = fin-début, "
                "DD = début-début, décalage en jours ouvrés).",
                "   Gardez les dates de référence telles que validées lors de la dernière mise à jour de la "
                "référence ; ne déplacez que les "
                "débuts et fins prévus. Saisissez le % achevé, les dates réelles et le coût réel à la date d'état.",
                "3. Risques, Actions, Problèmes, Décisions (le registre RAID) : une ligne chacun, avec un responsable "
                "et une date.",
                "   Un risque est coté probabilité x impact (de 1 à 5 chacun) ; une menace survenue devient un "
                "problème.",
                "4. Budget : une ligne par mois et catégorie de coût. Parties prenantes et Interfaces : qui compte, et "
                "ce que vous attendez d'autres projets ou leur livrez. Sprints : projets agiles et hybrides seulement.",
                "5. Onglet Listes : ajoutez sous l'exemple les jours non ouvrés du projet (jours fériés compris), car "
                "les formules en jours ouvrés ne comptent que les jours listés.",
                "6. Ne renommez ni onglets ni colonnes ; ajoutez vos propres colonnes à droite d'un tableau si besoin.",
                "Avec le complément pmo-xl, les boutons de l'onglet Projet du classeur .xlsm "
                "valident le planning, recalculent "
                "l'ordonnancement (dates au plus tôt et au plus tard, marge, chemin critique) et rédigent un rapport "
                "d'avancement.",
                "Aucun complément n'est nécessaire pour remplir ce classeur : toutes les listes déroulantes et "
                "formules sont natives d'Excel.",
            ]
        ),
    },
    "instructions_portfolio": {
        "en": "\n".join(
            [
                "The PMO's workbook: where the project workbooks are, which projects are expected, and the thresholds.",
                "1. Settings: the folder of project workbooks, the status date of the committee, the RAG thresholds.",
                "   SPI and CPI at or above the green threshold are green, at or above the amber one amber, below it "
                "red; the same for key milestone slips, in working days.",
                "2. Register: one row per project expected in the roll-up, with its workbook file name.",
                "   A registered project without a readable workbook is reported as missing, never left out silently.",
                "3. Run the consolidation (the Consolidate button, or 'pmo consolidate' on the command line).",
                "4. In the .xlsm workbook, with the pmo-xl add-in, the Committee pack button writes "
                "the steering committee's pack; Snapshot keeps today's figures "
                "so that the next committee shows what changed; Export PDF prints the pack.",
                "The project workbooks are only read, never modified.",
            ]
        ),
        "fr": "\n".join(
            [
                "Le classeur du PMO : où sont les classeurs projet, quels projets sont attendus, et les seuils.",
                "1. Paramètres : le dossier des classeurs projet, la date d'état du comité, les seuils de météo.",
                "   Un SPI ou un CPI au moins égal au seuil vert est vert, au moins égal au seuil orange est orange, "
                "rouge en dessous ; de même pour les glissements des jalons clés, en jours ouvrés.",
                "2. Registre : une ligne par projet attendu dans la consolidation, avec le nom de son classeur.",
                "   Un projet du registre sans classeur lisible est signalé comme manquant, jamais omis en silence.",
                "3. Lancez la consolidation (bouton Consolider, ou « pmo consolidate » en ligne de commande).",
                "4. Dans le classeur .xlsm, avec le complément pmo-xl, le bouton Dossier de comité "
                "produit le dossier du comité de pilotage ; Instantané conserve les "
                "chiffres du jour pour que le comité suivant montre ce qui a changé ; Exporter en PDF imprime le "
                "dossier.",
                "Les classeurs projet sont seulement lus, jamais modifiés.",
            ]
        ),
    },
}


def text(key: str, lang: str) -> str:
    """The text ``key`` in ``lang`` (English when French is missing), set in its typography."""
    entry = TEXTS[key]
    return typeset(entry.get(lang) or entry["en"], lang)


NBSP = "\u00a0"
_FRENCH_SPACING = (
    # A space (or none, after a word) before : ; ? ! becomes a non-breaking one: the sign never
    # starts a line. Not in 10:30, https:// or C:\ (no space after the sign there).
    (re.compile(r"[ \u202f]([:;!?])"), NBSP + r"\1"),
    (re.compile(r"(?<=[^\s\d\u00a0\u202f])([:;!?])(?=\s|$)"), NBSP + r"\1"),
    (re.compile(r"(\d)[ \u202f]?%"), r"\1" + NBSP + "%"),
    (re.compile(r'"([^"]+)"'), "«" + NBSP + r"\1" + NBSP + "»"),
    (re.compile(r"«[ \u00a0\u202f]?"), "«" + NBSP),
    (re.compile(r"[ \u00a0\u202f]?»"), NBSP + "»"),
)


def typeset(words: str, lang: str) -> str:
    """``words`` with the spacing of ``lang``: in French, non-breaking spaces before ``:``, ``;``,
    ``?``, ``!`` and ``%`` and inside guillemets (straight double quotes become guillemets).

    >>> typeset("Statut : ouvert (45 %)", "fr") == "Statut\u00a0: ouvert (45\u00a0%)"
    True
    """
    if lang != "fr" or not words:
        return words
    for pattern, replacement in _FRENCH_SPACING:
        words = pattern.sub(replacement, words)
    return words


FRENCH_SHORT_MONTHS = ("janv.", "févr.", "mars", "avr.", "mai", "juin", "juil.", "août", "sept.", "oct.", "nov.",
                       "déc.")  # fmt: skip
ENGLISH_SHORT_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def short_date(day: date, lang: str) -> str:
    """A date for a sentence or a footer: ``20 Nov 2026`` / ``20 nov. 2026`` (no-break spaces in
    French, so the date never splits across lines), without depending on the machine's locale.

    >>> short_date(date(2026, 9, 4), "fr") == "4\u00a0sept.\u00a02026"
    True
    """
    if lang == "fr":
        return f"{day.day}{NBSP}{FRENCH_SHORT_MONTHS[day.month - 1]}{NBSP}{day.year}"
    return f"{day.day} {ENGLISH_SHORT_MONTHS[day.month - 1]} {day.year}"


def say(lang: str, english: str, french: str) -> str:
    """``french`` for a French workbook, else ``english``: a sentence built with its values."""
    return french if lang == "fr" else english


@dataclass(frozen=True)
class Words:
    """Words that go into a message (``{which}`` -> "starts"), in English and French."""

    en: str
    fr: str

    def say(self, lang: str) -> str:
        return say(lang, self.en, self.fr)
