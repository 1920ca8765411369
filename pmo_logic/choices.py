"""The drop-down lists of the templates, in English and French.

Each value has a stable code (what the models hold) and a label per language (what the
user sees and picks in Excel). The reader accepts the code or either label, so a French
workbook and an English one hold the same data.
"""

from __future__ import annotations

from dataclasses import dataclass

from pmo_logic.text import normalize_label

LANGUAGES = ("en", "fr")


@dataclass(frozen=True)
class Choice:
    code: str
    en: str
    fr: str

    def label(self, lang: str) -> str:
        return self.fr if lang == "fr" else self.en


@dataclass(frozen=True)
class ChoiceList:
    """One drop-down list: a column of the Lists sheet."""

    name: str
    en: str
    fr: str
    choices: tuple[Choice, ...]

    def header(self, lang: str) -> str:
        return self.fr if lang == "fr" else self.en

    def labels(self, lang: str) -> list[str]:
        return [c.label(lang) for c in self.choices]

    def codes(self) -> list[str]:
        return [c.code for c in self.choices]

    def label(self, code: str, lang: str) -> str:
        for choice in self.choices:
            if choice.code == code:
                return choice.label(lang)
        raise KeyError(f"{code!r} is not a value of list {self.name!r}")

    def lookup(self, text: str) -> str | None:
        """The code for a code or label typed in either language, or None."""
        return self._index().get(normalize_label(text))

    def _index(self) -> dict[str, str]:
        index = self.__dict__.get("_lookup")
        if index is None:
            index = {}
            for choice in self.choices:
                for name in (choice.fr, choice.en, choice.code):
                    index[normalize_label(name)] = choice.code
            object.__setattr__(self, "_lookup", index)  # a cache on a frozen dataclass
        return index


def _list(name: str, en: str, fr: str, *choices: tuple[str, str, str]) -> ChoiceList:
    return ChoiceList(name, en, fr, tuple(Choice(*c) for c in choices))


METHODOLOGY = _list(
    "methodology",
    "Methodology",
    "Méthode",
    ("waterfall", "Waterfall", "Prédictive (cycle en V)"),
    ("agile", "Agile", "Agile"),
    ("hybrid", "Hybrid", "Hybride"),
)
RAG = _list(
    "rag",
    "RAG",
    "Météo (RAG)",
    ("green", "Green", "Vert"),
    ("amber", "Amber", "Orange"),
    ("red", "Red", "Rouge"),
)
TASK_TYPE = _list(
    "task_type",
    "Task type",
    "Type de tâche",
    ("task", "Task", "Tâche"),
    ("milestone", "Milestone", "Jalon"),
    ("summary", "Summary", "Récapitulative"),
)
TASK_STATUS = _list(
    "task_status",
    "Task status",
    "Statut de tâche",
    ("not_started", "Not started", "Non commencée"),
    ("in_progress", "In progress", "En cours"),
    ("done", "Done", "Terminée"),
    ("on_hold", "On hold", "Suspendue"),
    ("cancelled", "Cancelled", "Annulée"),
)
CONSTRAINT_TYPE = _list(
    "constraint_type",
    "Constraint type",
    "Type de contrainte",
    ("asap", "As soon as possible", "Dès que possible"),
    ("alap", "As late as possible", "Le plus tard possible"),
    ("snet", "Start no earlier than", "Début au plus tôt le"),
    ("snlt", "Start no later than", "Début au plus tard le"),
    ("fnet", "Finish no earlier than", "Fin au plus tôt le"),
    ("fnlt", "Finish no later than", "Fin au plus tard le"),
    ("mso", "Must start on", "Doit commencer le"),
    ("mfo", "Must finish on", "Doit finir le"),
)
YES_NO = _list("yes_no", "Yes/No", "Oui/Non", ("yes", "Yes", "Oui"), ("no", "No", "Non"))
RISK_TYPE = _list(
    "risk_type",
    "Risk type",
    "Type de risque",
    ("threat", "Threat", "Menace"),
    ("opportunity", "Opportunity", "Opportunité"),
)
RISK_RESPONSE = _list(
    "risk_response",
    "Response strategy",
    "Stratégie de réponse",
    ("avoid", "Avoid", "Éviter"),
    ("mitigate", "Mitigate", "Atténuer"),
    ("transfer", "Transfer", "Transférer"),
    ("accept", "Accept", "Accepter"),
    ("exploit", "Exploit", "Exploiter"),
    ("enhance", "Enhance", "Améliorer"),
    ("share", "Share", "Partager"),
)
RISK_STATUS = _list(
    "risk_status",
    "Risk status",
    "Statut du risque",
    ("open", "Open", "Ouvert"),
    ("occurred", "Occurred", "Survenu"),
    ("closed", "Closed", "Clos"),
)
RISK_LEVEL = _list(
    "risk_level",
    "Risk level",
    "Niveau de risque",
    ("low", "Low", "Faible"),
    ("medium", "Medium", "Moyen"),
    ("high", "High", "Élevé"),
    ("critical", "Critical", "Critique"),
)
ACTION_STATUS = _list(
    "action_status",
    "Action status",
    "Statut d'action",
    ("open", "Open", "Ouverte"),
    ("in_progress", "In progress", "En cours"),
    ("done", "Done", "Terminée"),
    ("cancelled", "Cancelled", "Annulée"),
)
PRIORITY = _list(
    "priority",
    "Priority",
    "Priorité",
    ("low", "Low", "Basse"),
    ("medium", "Medium", "Moyenne"),
    ("high", "High", "Haute"),
    ("critical", "Critical", "Critique"),
)
ISSUE_STATUS = _list(
    "issue_status",
    "Issue status",
    "Statut du problème",
    ("open", "Open", "Ouvert"),
    ("in_progress", "In progress", "En cours"),
    ("resolved", "Resolved", "Résolu"),
    ("closed", "Closed", "Clos"),
)
DECISION_STATUS = _list(
    "decision_status",
    "Decision status",
    "Statut de décision",
    ("open", "Open", "À prendre"),
    ("decided", "Decided", "Prise"),
    ("deferred", "Deferred", "Reportée"),
    ("cancelled", "Cancelled", "Annulée"),
)
LEVEL = _list(
    "level",
    "Level",
    "Niveau",
    ("low", "Low", "Faible"),
    ("medium", "Medium", "Moyen"),
    ("high", "High", "Fort"),
)
ENGAGEMENT = _list(
    "engagement",
    "Engagement",
    "Approche",
    ("manage_closely", "Manage closely", "Gérer étroitement"),
    ("keep_satisfied", "Keep satisfied", "Satisfaire"),
    ("keep_informed", "Keep informed", "Informer"),
    ("monitor", "Monitor", "Surveiller"),
)
INTERFACE_DIRECTION = _list(
    "interface_direction",
    "Interface direction",
    "Sens de l'interface",
    ("needs", "Needs from", "Attend de"),
    ("delivers", "Delivers to", "Livre à"),
)
INTERFACE_STATUS = _list(
    "interface_status",
    "Interface status",
    "Statut d'interface",
    ("open", "Open", "Ouverte"),
    ("at_risk", "At risk", "À risque"),
    ("closed", "Closed", "Close"),
)
LANGUAGE = _list("language", "Language", "Langue", ("en", "English", "Anglais"), ("fr", "French", "Français"))

ALL_LISTS: tuple[ChoiceList, ...] = (
    METHODOLOGY,
    RAG,
    TASK_TYPE,
    TASK_STATUS,
    CONSTRAINT_TYPE,
    YES_NO,
    RISK_TYPE,
    RISK_RESPONSE,
    RISK_STATUS,
    RISK_LEVEL,
    ACTION_STATUS,
    PRIORITY,
    ISSUE_STATUS,
    DECISION_STATUS,
    LEVEL,
    ENGAGEMENT,
    INTERFACE_DIRECTION,
    INTERFACE_STATUS,
    LANGUAGE,
)
LISTS: dict[str, ChoiceList] = {lst.name: lst for lst in ALL_LISTS}
