"""The rows of the project and portfolio workbooks, as pydantic models.

Each field that is a column of a template carries a `Col` with its English and French
header, type, drop-down list and help text: this module *is* the workbook contract's list
of columns. Choice fields hold the list's code (``"in_progress"``), never a label, so a
French and an English workbook give equal models.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from pmo_logic import choices as lists
from pmo_logic.columns import Col, ColumnKind
from pmo_logic.problems import Problem


class Row(BaseModel):
    """A row read from a sheet; ``source_row`` is its Excel row number (1-based), if read."""

    model_config = ConfigDict(extra="forbid", validate_assignment=False)

    source_row: int | None = Field(default=None, exclude=True, repr=False)


# --- Project workbook -------------------------------------------------------------------


class ProjectInfo(Row):
    """The Project sheet: the charter and the figures of the whole project."""

    project_id: Annotated[
        str | None,
        Col(
            "Project ID",
            "ID projet",
            required=True,
            help_en="The project's code in the portfolio register, e.g. PRJ-001.",
            help_fr="Le code du projet dans le registre du portefeuille, ex. PRJ-001.",
        ),
    ] = None
    name: Annotated[
        str | None,
        Col("Project name", "Nom du projet", required=True, help_en="Short name.", help_fr="Nom court."),
    ] = None
    programme: Annotated[
        str | None,
        Col(
            "Programme",
            "Programme",
            help_en="The programme this project belongs to.",
            help_fr="Le programme dont le projet fait partie.",
        ),
    ] = None
    portfolio: Annotated[
        str | None,
        Col(
            "Portfolio",
            "Portefeuille",
            help_en="The portfolio this project reports to.",
            help_fr="Le portefeuille dont relève le projet.",
        ),
    ] = None
    sponsor: Annotated[
        str | None,
        Col(
            "Sponsor",
            "Sponsor",
            help_en="Accountable executive.",
            help_fr="Le dirigeant qui porte le projet et en répond.",
        ),
    ] = None
    project_manager: Annotated[
        str | None,
        Col(
            "Project manager",
            "Chef de projet",
            required=True,
            help_en="Who runs the project day to day and fills in this workbook.",
            help_fr="Qui pilote le projet au quotidien et tient ce classeur à jour.",
        ),
    ] = None
    methodology: Annotated[
        str | None,
        Col(
            "Methodology",
            "Méthode",
            "choice",
            required=True,
            choices=lists.METHODOLOGY,
            help_en="Waterfall, agile (fill in Sprints) or hybrid.",
            help_fr="Prédictive, agile (remplir Sprints) ou hybride.",
        ),
    ] = None
    objectives: Annotated[
        str | None,
        Col(
            "Objectives",
            "Objectifs",
            help_en="What the project must achieve.",
            help_fr="Ce que le projet doit atteindre.",
        ),
    ] = None
    scope: Annotated[
        str | None,
        Col(
            "Scope",
            "Périmètre",
            help_en="What is in and out of scope.",
            help_fr="Ce qui est inclus et exclu du périmètre.",
        ),
    ] = None
    start_date: Annotated[
        date | None,
        Col(
            "Start date",
            "Date de début",
            "date",
            required=True,
            help_en="The date the project starts.",
            help_fr="La date de démarrage du projet.",
        ),
    ] = None
    end_date: Annotated[
        date | None,
        Col(
            "End date",
            "Date de fin",
            "date",
            required=True,
            help_en="The planned end of the project.",
            help_fr="La date de fin prévue du projet.",
        ),
    ] = None
    status_date: Annotated[
        date | None,
        Col(
            "Status date",
            "Date d'état",
            "date",
            required=True,
            help_en="The date the progress figures are true at. Update it at every report.",
            help_fr="La date à laquelle l'avancement est mesuré. À mettre à jour à chaque rapport.",
        ),
    ] = None
    approved_budget: Annotated[
        float | None,
        Col(
            "Approved budget",
            "Budget approuvé",
            "money",
            help_en="What the sponsor approved: the work's budgets (BAC, the sum of the Plan's task budgets) plus "
            "the management reserve. Shown beside BAC with the reserve (approved - BAC), never instead of BAC.",
            help_fr="Ce que le sponsor a approuvé : les budgets des travaux (BAC, la somme des budgets des tâches "
            "du Planning) plus la réserve de gestion. Affiché à côté du BAC avec la réserve (approuvé - BAC), "
            "jamais à sa place.",
            # Template versions 1-2 called this typed figure "Budget at completion (BAC)".
            aliases=("Budget at completion (BAC)", "Budget à terminaison (BAC)", "BAC"),
        ),
    ] = None
    currency: Annotated[
        str | None,
        Col("Currency", "Devise", help_en="e.g. EUR, GBP, USD.", help_fr="Code de la devise, ex. EUR, GBP, USD."),
    ] = None
    manual_rag: Annotated[
        str | None,
        Col(
            "Manual RAG",
            "Météo manuelle",
            "choice",
            choices=lists.RAG,
            help_en="The project manager's own status: green, amber or red.",
            help_fr="La météo donnée par le chef de projet : vert, orange ou rouge.",
            aliases=("RAG", "Météo"),
        ),
    ] = None
    rag_comment: Annotated[
        str | None,
        Col(
            "RAG comment",
            "Commentaire météo",
            help_en="Why this status, in one or two sentences.",
            help_fr="Pourquoi cette météo, en une ou deux phrases.",
        ),
    ] = None
    plan_file: Annotated[
        str | None,
        Col(
            "Plan file",
            "Fichier de planning",
            help_en="Optional: an MS Project or Primavera file (.mpp, .xml, .xer), relative to this workbook, whose "
            "tasks are the Plan (the Plan sheet is then not read).",
            help_fr="Facultatif : un fichier MS Project ou Primavera (.mpp, .xml, .xer), relatif à ce classeur, dont "
            "les tâches sont le Planning (l'onglet Planning n'est alors pas lu).",
        ),
    ] = None


def _scheduled(en: str, fr: str, kind: ColumnKind = "date") -> Col:
    """A Plan column that the Recompute schedule button fills."""
    help_en = "Written by the Recompute schedule button (pmo-xl add-in); blank without it."
    help_fr = "Écrit par le bouton Recalculer le planning (complément pmo-xl) ; vide sans lui."
    if kind == "number":
        help_en = "Working days the task can slip without delaying the project; by Recompute schedule."
        help_fr = "Jours ouvrés de retard possibles sans décaler le projet ; par Recalculer le planning."
    choices = lists.YES_NO if kind == "flag" else None
    return Col(en, fr, kind, choices=choices, width=9 if kind != "date" else 12, help_en=help_en, help_fr=help_fr)


class TaskRow(Row):
    """A line of the Plan: a task, a milestone or a summary task."""

    id: Annotated[
        str | None,
        Col("ID", "ID", required=True, width=8, help_en="Unique task number.", help_fr="Numéro unique de la tâche."),
    ] = None
    wbs: Annotated[
        str | None,
        Col(
            "WBS",
            "OTP",
            width=8,
            help_en="Work breakdown code, e.g. 1.2.3.",
            aliases=("WBS",),
            help_fr="Code de l'organigramme des tâches (OTP), ex. 1.2.3.",
        ),
    ] = None
    name: Annotated[
        str | None,
        Col(
            "Task name",
            "Nom de la tâche",
            required=True,
            width=36,
            help_en="What the task or milestone delivers, in a few words.",
            help_fr="Ce que livre la tâche ou le jalon, en quelques mots.",
        ),
    ] = None
    type: Annotated[
        str | None,
        Col(
            "Type",
            "Type",
            "choice",
            required=True,
            choices=lists.TASK_TYPE,
            width=13,
            help_en="Task, milestone (zero duration) or summary (spans its children, no links).",
            help_fr="Tâche, jalon (durée nulle) ou récapitulative (couvre ses sous-tâches, sans liens).",
        ),
    ] = None
    start: Annotated[
        date | None,
        Col("Start", "Début", "date", width=12, help_en="Forecast or actual start.", help_fr="Début prévu ou réel."),
    ] = None
    finish: Annotated[
        date | None,
        Col("Finish", "Fin", "date", width=12, help_en="Forecast or actual finish.", help_fr="Fin prévue ou réelle."),
    ] = None
    duration: Annotated[
        float | None,
        Col(
            "Duration (working days)",
            "Durée (jours ouvrés)",
            "number",
            minimum=0,
            width=11,
            help_en="Working days; 0 for a milestone.",
            help_fr="Jours ouvrés ; 0 pour un jalon.",
            aliases=("Duration", "Durée"),
        ),
    ] = None
    predecessors: Annotated[
        str | None,
        Col(
            "Predecessors",
            "Prédécesseurs",
            width=16,
            help_en="Task IDs with link type and lag, e.g. 12FS+2d, 7SS.",
            help_fr="ID des tâches avec type de lien et décalage, ex. 12FD+2j, 7DD (FD fin-début, DD début-début, "
            "FF fin-fin, DF début-fin ; FS, SS, SF aussi acceptés).",
        ),
    ] = None
    percent_complete: Annotated[
        float | None,
        Col(
            "% complete",
            "% achevé",
            "percent",
            minimum=0,
            maximum=1,
            width=10,
            help_en="Physical progress, 0% to 100%.",
            help_fr="Avancement physique, de 0 % à 100 %.",
        ),
    ] = None
    actual_start: Annotated[
        date | None,
        Col(
            "Actual start",
            "Début réel",
            "date",
            width=12,
            help_en="The day the work really started; blank until then.",
            help_fr="Le jour où le travail a réellement commencé ; vide d'ici là.",
        ),
    ] = None
    actual_finish: Annotated[
        date | None,
        Col(
            "Actual finish",
            "Fin réelle",
            "date",
            width=12,
            help_en="The day the work really finished; blank until then.",
            help_fr="Le jour où le travail s'est réellement achevé ; vide d'ici là.",
        ),
    ] = None
    baseline_start: Annotated[
        date | None,
        Col(
            "Baseline start",
            "Début de référence",
            "date",
            width=12,
            help_en="Start agreed at the last baseline.",
            help_fr="Début validé à la dernière référence.",
        ),
    ] = None
    baseline_finish: Annotated[
        date | None,
        Col(
            "Baseline finish",
            "Fin de référence",
            "date",
            width=12,
            help_en="Finish agreed at the last baseline.",
            help_fr="Fin validée à la dernière référence.",
        ),
    ] = None
    budget: Annotated[
        float | None,
        Col(
            "Budget",
            "Budget",
            "money",
            minimum=0,
            width=12,
            help_en="The task's budget; leave summary tasks blank so nothing counts twice.",
            help_fr="Le budget de la tâche ; laissez vides les tâches récapitulatives pour ne rien compter deux fois.",
        ),
    ] = None
    actual_cost: Annotated[
        float | None,
        Col(
            "Actual cost",
            "Coût réel",
            "money",
            minimum=0,
            width=12,
            help_en="Cost booked to the task up to the status date (AC).",
            help_fr="Coût imputé à la tâche jusqu'à la date d'état (CR).",
        ),
    ] = None
    owner: Annotated[
        str | None,
        Col("Owner", "Responsable", width=16, help_en="Who delivers the task.", help_fr="Qui livre la tâche."),
    ] = None
    status: Annotated[
        str | None,
        Col(
            "Status",
            "Statut",
            "choice",
            choices=lists.TASK_STATUS,
            width=13,
            help_en="Not started, in progress, done, on hold or cancelled (a cancelled task's budget leaves BAC).",
            help_fr="Non commencée, en cours, terminée, suspendue ou annulée (le budget d'une tâche annulée "
            "sort du BAC).",
        ),
    ] = None
    constraint_type: Annotated[
        str | None,
        Col(
            "Constraint type",
            "Type de contrainte",
            "choice",
            choices=lists.CONSTRAINT_TYPE,
            width=18,
            help_en="Leave blank for as soon as possible; as late as possible uses the task's float.",
            help_fr="Vide : dès que possible ; le plus tard possible consomme la marge de la tâche.",
        ),
    ] = None
    constraint_date: Annotated[
        date | None,
        Col(
            "Constraint date",
            "Date de contrainte",
            "date",
            width=12,
            help_en="The date of the constraint type, if it needs one.",
            help_fr="La date du type de contrainte, s'il en demande une.",
        ),
    ] = None
    deadline: Annotated[
        date | None,
        Col(
            "Deadline",
            "Échéance",
            "date",
            width=12,
            help_en="Optional target finish: does not move the task, gives negative float when missed.",
            help_fr="Fin visée, facultative : ne déplace pas la tâche, donne une marge négative si elle est dépassée.",
            aliases=("Deadline date", "Date d'échéance"),
        ),
    ] = None
    key_milestone: Annotated[
        bool | None,
        Col(
            "Key milestone",
            "Jalon clé",
            "flag",
            choices=lists.YES_NO,
            width=9,
            help_en="Yes for milestones reported to the steering committee.",
            help_fr="Oui pour les jalons suivis en comité de pilotage.",
        ),
    ] = None
    # The critical-path schedule, written by the Recompute schedule button (pmo-xl add-in). They
    # cannot be Excel formulas; without the add-in they stay blank and nothing reads them back.
    early_start: Annotated[date | None, _scheduled("Early start", "Début au plus tôt")] = None
    early_finish: Annotated[date | None, _scheduled("Early finish", "Fin au plus tôt")] = None
    late_start: Annotated[date | None, _scheduled("Late start", "Début au plus tard")] = None
    late_finish: Annotated[date | None, _scheduled("Late finish", "Fin au plus tard")] = None
    total_float: Annotated[float | None, _scheduled("Total float", "Marge totale", "number")] = None
    critical: Annotated[bool | None, _scheduled("Critical", "Critique", "flag")] = None


class RiskRow(Row):
    """A risk (threat or opportunity) of the RAID log."""

    id: Annotated[
        str | None,
        Col(
            "ID",
            "ID",
            required=True,
            width=8,
            help_en="Unique risk code, e.g. R1.",
            help_fr="Code unique du risque, ex. R1.",
        ),
    ] = None
    title: Annotated[
        str | None,
        Col(
            "Risk",
            "Risque",
            required=True,
            width=40,
            help_en="Cause, event and effect, in one sentence.",
            help_fr="Cause, événement et effet, en une phrase.",
        ),
    ] = None
    type: Annotated[
        str | None,
        Col(
            "Type",
            "Type",
            "choice",
            choices=lists.RISK_TYPE,
            width=12,
            help_en="Threat (blank reads as threat) or opportunity: opportunities are listed apart, never in the "
            "exposure nor the risk matrix.",
            help_fr="Menace (vide : menace) ou opportunité : les opportunités sont suivies à part, jamais dans "
            "l'exposition ni la matrice des risques.",
        ),
    ] = None
    category: Annotated[
        str | None,
        Col(
            "Category",
            "Catégorie",
            width=14,
            help_en="e.g. Supplier, Technical, Resources.",
            help_fr="ex. Fournisseur, Technique, Ressources.",
        ),
    ] = None
    owner: Annotated[
        str | None,
        Col(
            "Owner",
            "Responsable",
            width=16,
            help_en="Who watches the risk and carries out the response.",
            help_fr="Qui surveille le risque et met en œuvre la réponse.",
        ),
    ] = None
    raised_on: Annotated[
        date | None,
        Col(
            "Date raised",
            "Date d'identification",
            "date",
            width=12,
            help_en="The day the risk was identified.",
            help_fr="Le jour où le risque a été identifié.",
        ),
    ] = None
    probability: Annotated[
        int | None,
        Col(
            "Probability (1-5)",
            "Probabilité (1-5)",
            "integer",
            minimum=1,
            maximum=5,
            width=11,
            help_en="1 rare (10%), 2 unlikely (30%), 3 possible (50%), 4 likely (70%), 5 almost certain (90%).",
            help_fr=(
                "1 rare (10 %), 2 peu probable (30 %), 3 possible (50 %), 4 probable (70 %), 5 quasi certain (90 %)."
            ),
            aliases=("Probability", "Probabilité"),
        ),
    ] = None
    impact: Annotated[
        int | None,
        Col(
            "Impact (1-5)",
            "Impact (1-5)",
            "integer",
            minimum=1,
            maximum=5,
            width=10,
            help_en="1 negligible to 5 severe.",
            help_fr="1 négligeable à 5 grave.",
            aliases=("Impact",),
        ),
    ] = None
    cost_impact: Annotated[
        float | None,
        Col(
            "Cost impact",
            "Impact financier",
            "money",
            minimum=0,
            width=12,
            help_en="Cost if the risk occurs.",
            help_fr="Coût si le risque survient.",
        ),
    ] = None
    response: Annotated[
        str | None,
        Col(
            "Response strategy",
            "Stratégie de réponse",
            "choice",
            choices=lists.RISK_RESPONSE,
            width=14,
            help_en="Threats: avoid, mitigate, transfer or accept. Opportunities: exploit, enhance, share or accept.",
            help_fr="Menaces : éviter, atténuer, transférer ou accepter. Opportunités : exploiter, améliorer, "
            "partager ou accepter.",
        ),
    ] = None
    response_plan: Annotated[
        str | None,
        Col(
            "Response plan",
            "Plan de réponse",
            width=36,
            help_en="What will be done, by whom.",
            help_fr="Ce qui sera fait, et par qui.",
        ),
    ] = None
    due_date: Annotated[
        date | None,
        Col(
            "Response due",
            "Échéance de la réponse",
            "date",
            width=12,
            help_en="When the response must be in place.",
            help_fr="La date à laquelle la réponse doit être en place.",
        ),
    ] = None
    status: Annotated[
        str | None,
        Col(
            "Status",
            "Statut",
            "choice",
            choices=lists.RISK_STATUS,
            width=11,
            help_en="Open (blank reads as open), occurred (now an issue) or closed.",
            help_fr="Ouvert (vide : ouvert), survenu (devient un problème) ou clos.",
        ),
    ] = None


class ActionRow(Row):
    """An action of the RAID log."""

    id: Annotated[
        str | None,
        Col(
            "ID",
            "ID",
            required=True,
            width=8,
            help_en="Unique action code, e.g. A1.",
            help_fr="Code unique de l'action, ex. A1.",
        ),
    ] = None
    title: Annotated[
        str | None,
        Col(
            "Action",
            "Action",
            required=True,
            width=40,
            help_en="What is to be done, starting with a verb.",
            help_fr="Ce qu'il faut faire, en commençant par un verbe.",
        ),
    ] = None
    owner: Annotated[
        str | None, Col("Owner", "Responsable", width=16, help_en="Who does it.", help_fr="Qui la réalise.")
    ] = None
    raised_on: Annotated[
        date | None,
        Col(
            "Date raised",
            "Date de création",
            "date",
            width=12,
            help_en="The day the action was agreed.",
            help_fr="Le jour où l'action a été décidée.",
        ),
    ] = None
    due_date: Annotated[
        date | None,
        Col(
            "Due date",
            "Échéance",
            "date",
            width=12,
            help_en="When it must be done; late open actions are counted as overdue.",
            help_fr="La date à laquelle elle doit être faite ; les actions ouvertes dépassées sont comptées en retard.",
        ),
    ] = None
    status: Annotated[
        str | None,
        Col(
            "Status",
            "Statut",
            "choice",
            choices=lists.ACTION_STATUS,
            width=12,
            help_en="Open, in progress, done or cancelled.",
            help_fr="Ouverte, en cours, terminée ou annulée.",
        ),
    ] = None
    related_to: Annotated[
        str | None,
        Col(
            "Related to",
            "Lié à",
            width=12,
            help_en="ID of the risk, issue or decision this action serves.",
            help_fr="L'ID du risque, du problème ou de la décision que sert cette action.",
        ),
    ] = None
    comment: Annotated[
        str | None,
        Col(
            "Comment",
            "Commentaire",
            width=30,
            help_en="Progress or anything the PMO should know.",
            help_fr="L'avancement, ou ce que le PMO doit savoir.",
        ),
    ] = None


class IssueRow(Row):
    """An issue (a problem that has happened) of the RAID log."""

    id: Annotated[
        str | None,
        Col(
            "ID",
            "ID",
            required=True,
            width=8,
            help_en="Unique issue code, e.g. I1.",
            help_fr="Code unique du problème, ex. I1.",
        ),
    ] = None
    title: Annotated[
        str | None,
        Col(
            "Issue",
            "Problème",
            required=True,
            width=40,
            help_en="What has happened and what it affects.",
            help_fr="Ce qui s'est produit et ce que cela affecte.",
        ),
    ] = None
    owner: Annotated[
        str | None,
        Col("Owner", "Responsable", width=16, help_en="Who handles the issue.", help_fr="Qui traite le problème."),
    ] = None
    raised_on: Annotated[
        date | None,
        Col(
            "Date raised",
            "Date de signalement",
            "date",
            width=12,
            help_en="The day the issue was reported; its age counts from here.",
            help_fr="Le jour où le problème a été signalé ; son âge compte à partir de là.",
        ),
    ] = None
    priority: Annotated[
        str | None,
        Col(
            "Priority",
            "Priorité",
            "choice",
            choices=lists.PRIORITY,
            width=11,
            help_en="Low, medium, high or critical.",
            help_fr="Basse, moyenne, haute ou critique.",
        ),
    ] = None
    due_date: Annotated[
        date | None,
        Col(
            "Due date",
            "Échéance",
            "date",
            width=12,
            help_en="When it must be resolved.",
            help_fr="La date à laquelle il doit être résolu.",
        ),
    ] = None
    status: Annotated[
        str | None,
        Col(
            "Status",
            "Statut",
            "choice",
            choices=lists.ISSUE_STATUS,
            width=12,
            help_en="Open, in progress, resolved or closed.",
            help_fr="Ouvert, en cours, résolu ou clos.",
        ),
    ] = None
    resolution: Annotated[
        str | None,
        Col(
            "Resolution",
            "Résolution",
            width=30,
            help_en="How the issue was or will be resolved.",
            help_fr="Comment le problème a été ou sera résolu.",
        ),
    ] = None


class DecisionRow(Row):
    """A decision the project needs, or has had, from its governance."""

    id: Annotated[
        str | None,
        Col(
            "ID",
            "ID",
            required=True,
            width=8,
            help_en="Unique decision code, e.g. D1.",
            help_fr="Code unique de la décision, ex. D1.",
        ),
    ] = None
    title: Annotated[
        str | None,
        Col(
            "Decision needed",
            "Décision attendue",
            required=True,
            width=40,
            help_en="The question put to the decision maker, with the options.",
            help_fr="La question posée au décideur, avec les options.",
        ),
    ] = None
    decision_maker: Annotated[
        str | None,
        Col(
            "Decision maker",
            "Décideur",
            width=16,
            help_en="Who decides: a person or a role.",
            help_fr="Qui décide : une personne ou un rôle.",
        ),
    ] = None
    forum: Annotated[
        str | None,
        Col("Forum", "Instance", width=16, help_en="e.g. Steering committee.", help_fr="ex. Comité de pilotage."),
    ] = None
    raised_on: Annotated[
        date | None,
        Col(
            "Date raised",
            "Date de demande",
            "date",
            width=12,
            help_en="The day the decision was asked for.",
            help_fr="Le jour où la décision a été demandée.",
        ),
    ] = None
    needed_by: Annotated[
        date | None,
        Col(
            "Needed by",
            "À décider avant le",
            "date",
            width=12,
            help_en="The last day the decision can be taken without delaying the project.",
            help_fr="Le dernier jour où la décision peut être prise sans retarder le projet.",
        ),
    ] = None
    status: Annotated[
        str | None,
        Col(
            "Status",
            "Statut",
            "choice",
            choices=lists.DECISION_STATUS,
            width=11,
            help_en="Open, decided, deferred or cancelled.",
            help_fr="À prendre, prise, reportée ou annulée.",
        ),
    ] = None
    decision: Annotated[
        str | None,
        Col("Decision taken", "Décision prise", width=30, help_en="What was decided.", help_fr="Ce qui a été décidé."),
    ] = None
    decided_on: Annotated[
        date | None,
        Col(
            "Date decided",
            "Date de décision",
            "date",
            width=12,
            help_en="The day it was decided.",
            help_fr="Le jour où elle a été prise.",
        ),
    ] = None
    impact_if_late: Annotated[
        str | None,
        Col(
            "Impact if late",
            "Impact si en retard",
            width=30,
            help_en="What the project loses if it is not decided by the date: delay, cost, scope.",
            help_fr="Ce que le projet perd si elle n'est pas prise à la date : délai, coût, périmètre.",
        ),
    ] = None


class BudgetRow(Row):
    """One month of one cost category: planned, actual and forecast."""

    month: Annotated[
        date | None,
        Col(
            "Month",
            "Mois",
            "date",
            required=True,
            width=12,
            help_en="First day of the month.",
            help_fr="Premier jour du mois.",
        ),
    ] = None
    category: Annotated[
        str | None,
        Col("Category", "Catégorie", width=16, help_en="e.g. Labour, Licences.", help_fr="ex. Main-d'œuvre, Licences."),
    ] = None
    planned: Annotated[
        float | None,
        Col(
            "Planned",
            "Prévu",
            "money",
            width=12,
            help_en="The budget planned for the month.",
            help_fr="Le budget prévu pour le mois.",
        ),
    ] = None
    actual: Annotated[
        float | None,
        Col(
            "Actual",
            "Réel",
            "money",
            width=12,
            help_en="Cost booked in the month; blank for future months.",
            help_fr="Coût imputé dans le mois ; vide pour les mois à venir.",
        ),
    ] = None
    forecast: Annotated[
        float | None,
        Col(
            "Forecast",
            "Prévision",
            "money",
            width=12,
            help_en="Latest estimate for the month.",
            help_fr="Dernière estimation pour le mois.",
        ),
    ] = None


class StakeholderRow(Row):
    """A stakeholder and how the project engages them."""

    name: Annotated[
        str | None,
        Col(
            "Name", "Nom", required=True, width=22, help_en="The person or group.", help_fr="La personne ou le groupe."
        ),
    ] = None
    organisation: Annotated[
        str | None,
        Col(
            "Organisation",
            "Organisation",
            width=18,
            help_en="Their department or company.",
            help_fr="Sa direction ou son entreprise.",
        ),
    ] = None
    role: Annotated[
        str | None,
        Col(
            "Role", "Rôle", width=18, help_en="Their role towards the project.", help_fr="Son rôle vis-à-vis du projet."
        ),
    ] = None
    influence: Annotated[
        str | None,
        Col(
            "Influence",
            "Influence",
            "choice",
            choices=lists.LEVEL,
            width=11,
            help_en="How much they can change the project: low, medium or high.",
            help_fr="Son pouvoir d'infléchir le projet : faible, moyen ou fort.",
        ),
    ] = None
    interest: Annotated[
        str | None,
        Col(
            "Interest",
            "Intérêt",
            "choice",
            choices=lists.LEVEL,
            width=11,
            help_en="How much the project affects them: low, medium or high.",
            help_fr="Combien le projet le concerne : faible, moyen ou fort.",
        ),
    ] = None
    communication: Annotated[
        str | None,
        Col(
            "Communication",
            "Communication",
            width=28,
            help_en="Channel and frequency, e.g. monthly report.",
            help_fr="Canal et fréquence, ex. rapport mensuel.",
        ),
    ] = None


class InterfaceRow(Row):
    """A dependency on, or a delivery to, another project of the portfolio."""

    id: Annotated[
        str | None,
        Col(
            "ID",
            "ID",
            required=True,
            width=8,
            help_en="Unique interface code, e.g. IF1.",
            help_fr="Code unique de l'interface, ex. IF1.",
        ),
    ] = None
    direction: Annotated[
        str | None,
        Col(
            "Direction",
            "Sens",
            "choice",
            required=True,
            choices=lists.INTERFACE_DIRECTION,
            width=13,
            help_en="Needs from: we depend on the other project. Delivers to: it depends on us.",
            help_fr="Attend de : nous dépendons de l'autre projet. Livre à : il dépend de nous.",
        ),
    ] = None
    other_project: Annotated[
        str | None,
        Col(
            "Other project ID",
            "ID autre projet",
            required=True,
            width=14,
            help_en="The other project's ID in the portfolio register.",
            help_fr="L'ID de l'autre projet dans le registre du portefeuille.",
        ),
    ] = None
    milestone: Annotated[
        str | None,
        Col(
            "Milestone ID",
            "ID jalon",
            width=11,
            help_en="The supplying project's milestone ID.",
            help_fr="L'ID du jalon du projet fournisseur.",
        ),
    ] = None
    description: Annotated[
        str | None,
        Col("Description", "Description", width=34, help_en="What is exchanged.", help_fr="Ce qui est échangé."),
    ] = None
    need_by: Annotated[
        date | None,
        Col(
            "Need-by date",
            "Date de besoin",
            "date",
            width=12,
            help_en="When the receiving project needs it.",
            help_fr="La date à laquelle le projet receveur en a besoin.",
        ),
    ] = None
    owner: Annotated[
        str | None,
        Col(
            "Owner",
            "Responsable",
            width=16,
            help_en="Who follows the interface in this project.",
            help_fr="Qui suit l'interface dans ce projet.",
        ),
    ] = None
    status: Annotated[
        str | None,
        Col(
            "Status",
            "Statut",
            "choice",
            choices=lists.INTERFACE_STATUS,
            width=11,
            help_en="Open, at risk or closed.",
            help_fr="Ouverte, à risque ou close.",
        ),
    ] = None


class SprintRow(Row):
    """A sprint of an agile or hybrid project."""

    sprint: Annotated[
        str | None,
        Col(
            "Sprint",
            "Sprint",
            required=True,
            width=10,
            help_en="The sprint's name or number, e.g. S1.",
            help_fr="Le nom ou le numéro du sprint, ex. S1.",
        ),
    ] = None
    start: Annotated[
        date | None,
        Col(
            "Start", "Début", "date", width=12, help_en="The sprint's first day.", help_fr="Le premier jour du sprint."
        ),
    ] = None
    finish: Annotated[
        date | None,
        Col("Finish", "Fin", "date", width=12, help_en="The sprint's last day.", help_fr="Le dernier jour du sprint."),
    ] = None
    committed_points: Annotated[
        float | None,
        Col(
            "Committed points",
            "Points engagés",
            "number",
            minimum=0,
            width=11,
            help_en="Story points the team committed to at sprint planning.",
            help_fr="Points d'effort que l'équipe s'est engagée à livrer au lancement du sprint.",
        ),
    ] = None
    completed_points: Annotated[
        float | None,
        Col(
            "Completed points",
            "Points réalisés",
            "number",
            minimum=0,
            width=11,
            help_en="Story points done at the sprint review.",
            help_fr="Points d'effort terminés à la revue de sprint.",
        ),
    ] = None
    goal: Annotated[
        str | None,
        Col(
            "Sprint goal",
            "Objectif du sprint",
            width=30,
            help_en="What the sprint must deliver.",
            help_fr="Ce que le sprint doit livrer.",
        ),
    ] = None


class NonWorkingDayRow(Row):
    """A project-specific non-working day (on top of weekends)."""

    day: Annotated[
        date | None,
        Col(
            "Non-working day",
            "Jour non ouvré",
            "date",
            required=True,
            width=14,
            help_en="A day nobody works on the project: public holidays too, as the working-day formulas count "
            "only the days listed here.",
            help_fr="Un jour où personne ne travaille sur le projet : les jours fériés aussi, car les formules en "
            "jours ouvrés ne comptent que les jours listés ici.",
        ),
    ] = None


# --- Portfolio workbook -----------------------------------------------------------------


class PortfolioSettings(Row):
    """The Settings sheet of the portfolio workbook."""

    portfolio_name: Annotated[
        str | None,
        Col(
            "Portfolio name",
            "Nom du portefeuille",
            required=True,
            help_en="The name the committee pack shows.",
            help_fr="Le nom affiché dans le dossier de comité.",
        ),
    ] = None
    project_folder: Annotated[
        str | None,
        Col(
            "Project workbooks folder",
            "Dossier des classeurs projet",
            required=True,
            help_en="Folder holding the project workbooks; relative to this workbook or absolute.",
            help_fr="Dossier des classeurs projet ; relatif à ce classeur ou absolu.",
        ),
    ] = None
    status_date: Annotated[
        date | None,
        Col(
            "Status date",
            "Date d'état",
            "date",
            required=True,
            help_en="The date of the committee: the figures of the roll-up are true at this date.",
            help_fr="La date du comité : les chiffres de la consolidation sont arrêtés à cette date.",
        ),
    ] = None
    language: Annotated[
        str | None,
        Col(
            "Language",
            "Langue",
            "choice",
            choices=lists.LANGUAGE,
            help_en="Language of the reports.",
            help_fr="Langue des rapports.",
        ),
    ] = None
    calendar_country: Annotated[
        str | None,
        Col(
            "Calendar country",
            "Pays du calendrier",
            help_en="Country code for public holidays: FR, GB, US, DE...",
            help_fr="Code pays des jours fériés : FR, GB, US, DE...",
        ),
    ] = None
    spi_green: Annotated[
        float | None,
        Col(
            "SPI green at or above",
            "SPI vert à partir de",
            "number",
            help_en="Schedule performance index (SPI) at or above which a project is green.",
            help_fr="Indice de performance des délais (SPI) à partir duquel un projet est vert.",
        ),
    ] = 0.95
    spi_amber: Annotated[
        float | None,
        Col(
            "SPI amber at or above",
            "SPI orange à partir de",
            "number",
            help_en="SPI at or above which a project is amber; below it, red.",
            help_fr="SPI à partir duquel un projet est orange ; en dessous, rouge.",
        ),
    ] = 0.85
    cpi_green: Annotated[
        float | None,
        Col(
            "CPI green at or above",
            "CPI vert à partir de",
            "number",
            help_en="Cost performance index (CPI) at or above which a project is green.",
            help_fr="Indice de performance des coûts (CPI) à partir duquel un projet est vert.",
        ),
    ] = 0.95
    cpi_amber: Annotated[
        float | None,
        Col(
            "CPI amber at or above",
            "CPI orange à partir de",
            "number",
            help_en="CPI at or above which a project is amber; below it, red.",
            help_fr="CPI à partir duquel un projet est orange ; en dessous, rouge.",
        ),
    ] = 0.85
    slip_green_days: Annotated[
        float | None,
        Col(
            "Key milestone slip green up to (working days)",
            "Glissement jalon clé vert jusqu'à (jours ouvrés)",
            "number",
            help_en="Largest slip of a key milestone, in working days, that is still green.",
            help_fr="Plus grand glissement d'un jalon clé, en jours ouvrés, qui reste vert.",
        ),
    ] = 10
    slip_amber_days: Annotated[
        float | None,
        Col(
            "Key milestone slip amber up to (working days)",
            "Glissement jalon clé orange jusqu'à (jours ouvrés)",
            "number",
            help_en="Largest slip that is still amber; beyond it, red.",
            help_fr="Plus grand glissement qui reste orange ; au-delà, rouge.",
        ),
    ] = 20
    risk_medium_score: Annotated[
        int | None,
        Col(
            "Risk score medium from",
            "Score de risque moyen à partir de",
            "integer",
            help_en="Probability x impact score from which a risk is medium.",
            help_fr="Score probabilité x impact à partir duquel un risque est moyen.",
        ),
    ] = 5
    risk_high_score: Annotated[
        int | None,
        Col(
            "Risk score high from",
            "Score de risque élevé à partir de",
            "integer",
            help_en="Score from which a risk is high.",
            help_fr="Score à partir duquel un risque est élevé.",
        ),
    ] = 10
    risk_critical_score: Annotated[
        int | None,
        Col(
            "Risk score critical from",
            "Score de risque critique à partir de",
            "integer",
            help_en="Score from which a risk is critical.",
            help_fr="Score à partir duquel un risque est critique.",
        ),
    ] = 20
    stale_after_days: Annotated[
        int | None,
        Col(
            "Status date stale after (days)",
            "Date d'état périmée après (jours)",
            "integer",
            help_en="A project whose status date is older than this is flagged.",
            help_fr="En jours : un projet dont la date d'état est plus ancienne est signalé.",
        ),
    ] = 30
    ms_project_baseline: Annotated[
        int | None,
        Col(
            "Baseline of MS Project plans",
            "Référence des plannings MS Project",
            "integer",
            minimum=0,
            maximum=10,
            help_en="Which saved baseline of MS Project plans (.mpp, .xml) is the projects' baseline: 0 for "
            "Baseline, 1 to 10 for Baseline1 to Baseline10.",
            help_fr="Quelle référence enregistrée des plannings MS Project (.mpp, .xml) sert de référence aux "
            "projets : 0 pour la Référence, 1 à 10 pour Référence1 à Référence10.",
        ),
    ] = 0


class RegisterRow(Row):
    """A project the portfolio expects a workbook for."""

    project_id: Annotated[
        str | None,
        Col(
            "Project ID",
            "ID projet",
            required=True,
            width=12,
            help_en="The code the project workbook holds on its Project sheet.",
            help_fr="Le code que porte le classeur projet dans son onglet Projet.",
        ),
    ] = None
    name: Annotated[
        str | None,
        Col(
            "Project name",
            "Nom du projet",
            width=28,
            help_en="The name the committee pack shows.",
            help_fr="Le nom affiché dans le dossier de comité.",
        ),
    ] = None
    programme: Annotated[
        str | None,
        Col(
            "Programme",
            "Programme",
            width=20,
            help_en="Projects of a programme are subtotalled together.",
            help_fr="Les projets d'un même programme sont totalisés ensemble.",
        ),
    ] = None
    project_manager: Annotated[
        str | None,
        Col(
            "Project manager",
            "Chef de projet",
            width=18,
            help_en="Who to ask about the project.",
            help_fr="À qui s'adresser pour le projet.",
        ),
    ] = None
    workbook: Annotated[
        str | None,
        Col(
            "Workbook file",
            "Fichier du classeur",
            width=28,
            help_en="File name in the project folder.",
            help_fr="Nom du fichier dans le dossier des projets.",
        ),
    ] = None
    active: Annotated[
        bool | None,
        Col(
            "Active",
            "Actif",
            "flag",
            choices=lists.YES_NO,
            width=8,
            help_en="No: left out of the roll-up.",
            help_fr="Non : hors de la consolidation.",
        ),
    ] = None


# --- Whole workbooks ------------------------------------------------------------------


TEMPLATE_VERSION = 3
"""Raised whenever a template changes shape; the reader upgrades every earlier version.

1: first release. 2: the Plan's schedule columns (early/late dates, total float, critical).
3: planned value over working days, the status date counted as worked (NETWORKDAYS); the
Project sheet's BAC, EV, PV and % complete leave cancelled tasks out. The reader reads the
inputs, never a workbook's formulas, so versions 1 and 2 read as before. The Plan's Deadline column. The Project
sheet's typed budget is the "Approved budget" (versions 1-2 called it "Budget at completion
(BAC)", read as the approved budget); its computed block shows BAC, the reserve, and open risks
as open threats, with opportunities and occurred risks counted apart.
"""


class WorkbookMeta(BaseModel):
    """What every pmo-xl workbook records about itself (hidden ``_meta`` sheet)."""

    kind: str
    template_version: int
    language: str = "en"


class SheetLayout(BaseModel):
    """Where the reader found a sheet's data, so findings can point at exact cells."""

    name: str
    header_row: int | None = None
    columns: dict[str, int] = {}
    """Table sheets: field name -> 0-based column index."""
    cells: dict[str, str] = {}
    """Key/value sheets: field name -> address of its value cell, e.g. ``B13``."""
    computed: dict[str, dict[int, object]] = {}
    """Computed columns as found: key -> {Excel row: value}, to catch typed-over formulas."""


class ProjectWorkbook(BaseModel):
    """Everything in a project workbook: one attribute per sheet, named by the sheet's key."""

    meta: WorkbookMeta = WorkbookMeta(kind="project", template_version=TEMPLATE_VERSION)
    project: ProjectInfo = ProjectInfo()
    plan: list[TaskRow] = []
    risks: list[RiskRow] = []
    actions: list[ActionRow] = []
    issues: list[IssueRow] = []
    decisions: list[DecisionRow] = []
    budget: list[BudgetRow] = []
    stakeholders: list[StakeholderRow] = []
    interfaces: list[InterfaceRow] = []
    sprints: list[SprintRow] = []
    lists: list[NonWorkingDayRow] = []
    missing_sheets: list[str] = []
    problems: list[Problem] = []
    source: str = ""
    layout: dict[str, SheetLayout] = {}


class PortfolioWorkbook(BaseModel):
    """The portfolio workbook's settings and register."""

    meta: WorkbookMeta = WorkbookMeta(kind="portfolio", template_version=TEMPLATE_VERSION)
    settings: PortfolioSettings = PortfolioSettings()
    projects: list[RegisterRow] = []
    missing_sheets: list[str] = []
    problems: list[Problem] = []
    source: str = ""
    layout: dict[str, SheetLayout] = {}
