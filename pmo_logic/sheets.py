"""The sheets of the project and portfolio workbooks: names, layout, tables, computed columns.

With `pmo_logic.models` this is the workbook contract. A computed column's Excel formula
and its pandas twin are written next to each other: the templates carry the formula (so a
project workbook computes without Python), the engine and the tests use the twin.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Literal

import numpy as np
import pandas as pd
from pydantic import BaseModel

from pmo_logic import choices as lists
from pmo_logic import models
from pmo_logic.columns import ColumnSpec, ComputeContext, Computed, ComputedValue, input_columns
from pmo_logic.i18n import typeset
from pmo_logic.text import normalize_label
from pmo_logic.workdays import working_day_slip

TEMPLATE_VERSION = models.TEMPLATE_VERSION

PROJECT_KIND = "project"
PORTFOLIO_KIND = "portfolio"
META_SHEET = "_meta"


@dataclass(frozen=True)
class SheetSchema:
    """One sheet of a template."""

    key: str
    en: str
    fr: str
    model: type[BaseModel] | None
    layout: Literal["table", "keyvalue", "lists", "instructions"]
    table: str | None = None
    computed: tuple[Computed, ...] = ()
    computed_values: tuple[ComputedValue, ...] = ()
    required: bool = False
    many: bool = True
    help_en: str = ""
    help_fr: str = ""

    def name(self, lang: str) -> str:
        return self.fr if lang == "fr" else self.en

    def help(self, lang: str) -> str:
        return typeset(self.help_fr, lang) if lang == "fr" else self.help_en

    def columns(self) -> list[ColumnSpec]:
        return input_columns(self.model) if self.model is not None else []

    def names(self) -> set[str]:
        return {normalize_label(self.en), normalize_label(self.fr)}


# --- computed columns: the formula, then its pandas twin ----------------------------------


def _num(frame: pd.DataFrame, key: str) -> pd.Series:
    return pd.to_numeric(frame[key], errors="coerce")


def _dates(frame: pd.DataFrame, key: str) -> pd.Series:
    return pd.to_datetime(frame[key], errors="coerce")


def _status_ts(ctx: ComputeContext) -> pd.Timestamp:
    # A blank StatusDate cell is 0 in Excel, i.e. before any real date.
    return pd.Timestamp(ctx.status_date) if ctx.status_date else pd.Timestamp("1899-12-30")


def _earned_value(frame: pd.DataFrame, ctx: ComputeContext) -> pd.Series:
    return _num(frame, "budget").fillna(0) * _num(frame, "percent_complete").fillna(0)


def _planned_percent(frame: pd.DataFrame, ctx: ComputeContext) -> pd.Series:
    # The engine's own definition of PV (pmo_logic.kpis), so the workbook and the pack agree.
    from pmo_logic.kpis import planned_fraction

    dated = frame.assign(
        baseline_start=_dates(frame, "baseline_start"), baseline_finish=_dates(frame, "baseline_finish")
    )
    return planned_fraction(dated, _status_ts(ctx), ctx.non_working_days)


def _planned_value(frame: pd.DataFrame, ctx: ComputeContext) -> pd.Series:
    return (_num(frame, "budget").fillna(0) * frame["planned_percent"]).fillna(0)


def _finish_slip(frame: pd.DataFrame, ctx: ComputeContext) -> pd.Series:
    return working_day_slip(frame["baseline_finish"], frame["finish"], ctx.non_working_days)


def _risk_score(frame: pd.DataFrame, ctx: ComputeContext) -> pd.Series:
    return _num(frame, "probability") * _num(frame, "impact")


def _risk_level(frame: pd.DataFrame, ctx: ComputeContext) -> pd.Series:
    score = frame["score"]
    level = np.select([score >= 20, score >= 10, score >= 5, score >= 0], ["critical", "high", "medium", "low"], None)
    return pd.Series(level, index=frame.index, dtype=object).where(score.notna(), None)


PROBABILITY_FRACTION = {1: 0.1, 2: 0.3, 3: 0.5, 4: 0.7, 5: 0.9}
"""The probability scale's value as a fraction, for the expected monetary value."""


def _risk_emv(frame: pd.DataFrame, ctx: ComputeContext) -> pd.Series:
    fraction = _num(frame, "probability").map(PROBABILITY_FRACTION)
    return fraction * _num(frame, "cost_impact").fillna(0)


def _days_overdue(frame: pd.DataFrame, ctx: ComputeContext) -> pd.Series:
    due = _dates(frame, "due_date")
    status = _status_ts(ctx)
    open_ = ~frame["status"].isin(["done", "cancelled"])
    late = due.notna() & open_ & (due < status)
    return ((status - due).dt.days).where(late, 0).astype(float)


def _issue_age(frame: pd.DataFrame, ctx: ComputeContext) -> pd.Series:
    raised = _dates(frame, "raised_on")
    open_ = ~frame["status"].isin(["resolved", "closed"])
    return ((_status_ts(ctx) - raised).dt.days).where(raised.notna() & open_).astype(float)


def _decision_days_left(frame: pd.DataFrame, ctx: ComputeContext) -> pd.Series:
    needed = _dates(frame, "needed_by")
    return ((needed - _status_ts(ctx)).dt.days).where(needed.notna() & (frame["status"] == "open")).astype(float)


def _budget_variance(frame: pd.DataFrame, ctx: ComputeContext) -> pd.Series:
    actual = _num(frame, "actual")
    return (actual - _num(frame, "planned").fillna(0)).where(actual.notna())


def _engagement(frame: pd.DataFrame, ctx: ComputeContext) -> pd.Series:
    influence, interest = frame["influence"], frame["interest"]
    high_i, high_n = influence == "high", interest == "high"
    result = np.select(
        [high_i & high_n, high_i, high_n],
        ["manage_closely", "keep_satisfied", "keep_informed"],
        "monitor",
    )
    return pd.Series(result, index=frame.index, dtype=object).where(influence.notna() & interest.notna(), None)


def _sprint_completion(frame: pd.DataFrame, ctx: ComputeContext) -> pd.Series:
    committed = _num(frame, "committed_points")
    return (_num(frame, "completed_points").fillna(0) / committed.where(committed != 0)).where(committed.notna())


PLAN_COMPUTED = (
    Computed(
        "earned_value",
        "Earned value",
        "Valeur acquise",
        "money",
        "=IFERROR({budget}*{percent_complete},0)",
        _earned_value,
        help_en="Budget x % complete (EV).",
        help_fr="Budget x % achevé (VA).",
        width=12,
    ),
    Computed(
        "planned_percent",
        "Planned % at status date",
        "% prévu à la date d'état",
        "percent",
        '=IF({baseline_finish}="","",IF({type}={type=milestone},IF(StatusDate>={baseline_finish},1,0),'
        'IF({baseline_start}="","",IF(StatusDate>={baseline_finish},1,IF(StatusDate<{baseline_start},0,'
        "IFERROR(MAX(0,MIN(1,NETWORKDAYS({baseline_start},StatusDate,NonWorkingDays)"
        "/NETWORKDAYS({baseline_start},{baseline_finish},NonWorkingDays))),0))))))",
        _planned_percent,
        help_en="Share of the baseline's working days worked by the end of the status date (a milestone: "
        "100% from its baseline date).",
        help_fr="Part des jours ouvrés de la référence écoulés à la fin de la date d'état (un jalon : "
        "100 % dès sa date de référence).",
        width=11,
    ),
    Computed(
        "planned_value",
        "Planned value",
        "Valeur planifiée",
        "money",
        "=IFERROR({budget}*{planned_percent},0)",
        _planned_value,
        help_en="Budget x planned % (PV).",
        help_fr="Budget x % prévu (VP).",
        width=12,
    ),
    Computed(
        "finish_slip",
        "Finish slip (working days)",
        "Glissement fin (jours ouvrés)",
        "integer",
        '=IF(OR({baseline_finish}="",{finish}=""),"",IF({finish}={baseline_finish},0,'
        "NETWORKDAYS({baseline_finish},{finish},NonWorkingDays)-SIGN({finish}-{baseline_finish})))",
        _finish_slip,
        help_en="Working days between baseline finish and finish; positive is late.",
        help_fr="Jours ouvrés entre fin de référence et fin ; positif = retard.",
        width=11,
    ),
)

RISK_COMPUTED = (
    Computed(
        "score",
        "Score",
        "Score",
        "integer",
        '=IF(AND(ISNUMBER({probability}),ISNUMBER({impact})),{probability}*{impact},"")',
        _risk_score,
        help_en="Probability x impact, 1 to 25.",
        help_fr="Probabilité x impact, de 1 à 25.",
        width=8,
    ),
    Computed(
        "level",
        "Level",
        "Niveau",
        "choice",
        '=IF({score}="","",IF({score}>=20,{list.risk_level.critical},IF({score}>=10,{list.risk_level.high},'
        "IF({score}>=5,{list.risk_level.medium},{list.risk_level.low}))))",
        _risk_level,
        help_en="Low 1-4, medium 5-9, high 10-16, critical 20-25.",
        help_fr="Faible 1-4, moyen 5-9, élevé 10-16, critique 20-25.",
        width=10,
        choices=lists.RISK_LEVEL,
    ),
    Computed(
        "emv",
        "Expected value (EMV)",
        "Valeur attendue (EMV)",
        "money",
        '=IFERROR(CHOOSE({probability},0.1,0.3,0.5,0.7,0.9)*{cost_impact},"")',
        _risk_emv,
        help_en="Probability as a fraction x cost impact.",
        help_fr="Probabilité en fraction x impact financier.",
        width=12,
    ),
)

ACTION_COMPUTED = (
    Computed(
        "days_overdue",
        "Days overdue",
        "Jours de retard",
        "integer",
        '=IF(AND({due_date}<>"",{status}<>{status=done},{status}<>{status=cancelled},{due_date}<StatusDate),'
        "StatusDate-{due_date},0)",
        _days_overdue,
        help_en="Calendar days past due at the status date, for open actions.",
        help_fr="Jours calendaires de retard à la date d'état, actions ouvertes.",
        width=9,
    ),
)

ISSUE_COMPUTED = (
    Computed(
        "age_days",
        "Age (days)",
        "Âge (jours)",
        "integer",
        '=IF(OR({raised_on}="",{status}={status=resolved},{status}={status=closed}),"",StatusDate-{raised_on})',
        _issue_age,
        help_en="Days open at the status date.",
        help_fr="Jours ouverts à la date d'état.",
        width=9,
    ),
)

DECISION_COMPUTED = (
    Computed(
        "days_left",
        "Days left",
        "Jours restants",
        "integer",
        '=IF(OR({needed_by}="",{status}<>{status=open}),"",{needed_by}-StatusDate)',
        _decision_days_left,
        help_en="Days from the status date to the deadline; negative is late.",
        help_fr="Jours entre la date d'état et l'échéance ; négatif = en retard.",
        width=9,
    ),
)

BUDGET_COMPUTED = (
    Computed(
        "variance",
        "Variance (actual - planned)",
        "Écart (réel - prévu)",
        "money",
        '=IF({actual}="","",{actual}-{planned})',
        _budget_variance,
        help_en="Actual minus planned for the month; positive is an overspend, blank until the actual is in.",
        help_fr="Réel moins prévu pour le mois ; positif = dépassement, vide tant que le réel n'est pas saisi.",
        width=13,
    ),
)

STAKEHOLDER_COMPUTED = (
    Computed(
        "engagement",
        "Engagement",
        "Approche",
        "choice",
        '=IF(OR({influence}="",{interest}=""),"",IF({influence}={influence=high},'
        "IF({interest}={interest=high},{list.engagement.manage_closely},{list.engagement.keep_satisfied}),"
        "IF({interest}={interest=high},{list.engagement.keep_informed},{list.engagement.monitor})))",
        _engagement,
        help_en="From the influence/interest grid.",
        help_fr="D'après la grille influence/intérêt.",
        width=16,
        choices=lists.ENGAGEMENT,
    ),
)

SPRINT_COMPUTED = (
    Computed(
        "completion",
        "Completion",
        "Réalisation",
        "percent",
        '=IFERROR({completed_points}/{committed_points},"")',
        _sprint_completion,
        help_en="Completed points / committed points.",
        help_fr="Points réalisés / points engagés.",
        width=10,
    ),
)

_NOT_SUMMARY = '"<>"&{list.task_type.summary}'
# The work: tasks and milestones that are not cancelled (a cancelled task's budget left the plan;
# its actual cost stays in AC).
_WORK = "{Tasks.type}," + _NOT_SUMMARY + ',{Tasks.status},"<>"&{list.task_status.cancelled}'
_WORK_BUDGET = "SUMIFS({Tasks.budget}," + _WORK + ")"
# A risk row is one with its sentence written; blank type is a threat, blank status is open.
_RISK_ROWS = '{RiskLog.title},"<>"'
_NOT_OVER = '{RiskLog.status},"<>"&{list.risk_status.occurred},{RiskLog.status},"<>"&{list.risk_status.closed}'

PROJECT_COMPUTED_VALUES = (
    ComputedValue(
        "task_budget",
        "BAC (sum of task budgets)",
        "BAC (somme des budgets des tâches)",
        "money",
        "=" + _WORK_BUDGET,
        help_en="Budget at completion: the work's budgets. Summary tasks are left out so nothing counts twice, "
        "and cancelled tasks as their work left the plan.",
        help_fr="Budget à terminaison : les budgets des travaux. Les tâches récapitulatives sont exclues pour ne "
        "rien compter deux fois, et les tâches annulées.",
    ),
    ComputedValue(
        "reserve",
        "Reserve (approved budget - BAC)",
        "Réserve (budget approuvé - BAC)",
        "money",
        '=IF(ApprovedBudget="","",ApprovedBudget-' + _WORK_BUDGET + ")",
        help_en="The management reserve; negative when the work's budgets exceed what was approved.",
        help_fr="La réserve de gestion ; négative quand les budgets des travaux dépassent ce qui est approuvé.",
    ),
    ComputedValue(
        "actual_cost",
        "Actual cost to date (AC)",
        "Coût réel à date (CR)",
        "money",
        "=SUMIFS({Tasks.actual_cost},{Tasks.type}," + _NOT_SUMMARY + ")",
        help_en="All cost booked, cancelled tasks included.",
        help_fr="Tout le coût engagé, tâches annulées comprises.",
    ),
    ComputedValue(
        "earned_value",
        "Earned value (EV)",
        "Valeur acquise (VA)",
        "money",
        "=SUMIFS({Tasks.earned_value}," + _WORK + ")",
        help_en="The budget of the work done: each task's budget x its % complete, summed.",
        help_fr="Le budget du travail réalisé : budget de chaque tâche x son % achevé, additionnés.",
    ),
    ComputedValue(
        "planned_value",
        "Planned value (PV)",
        "Valeur planifiée (VP)",
        "money",
        "=SUMIFS({Tasks.planned_value}," + _WORK + ")",
        help_en="The budget of the work the baseline planned by the status date.",
        help_fr="Le budget du travail que la référence prévoyait à la date d'état.",
    ),
    ComputedValue(
        "percent_complete",
        "% complete (budget-weighted)",
        "% achevé (pondéré par le budget)",
        "percent",
        "=IFERROR(SUMIFS({Tasks.earned_value}," + _WORK + ")/SUMIFS({Tasks.budget}," + _WORK + '),"")',
        help_en="Earned value / BAC: the share of the work's budget earned.",
        help_fr="Valeur acquise / BAC : la part du budget des travaux acquise.",
    ),
    ComputedValue(
        "open_risks",
        "Open risks (threats)",
        "Risques ouverts (menaces)",
        "integer",
        "=COUNTIFS(" + _RISK_ROWS + ',{RiskLog.type},"<>"&{list.risk_type.opportunity},' + _NOT_OVER + ")",
        help_en="Threats not occurred nor closed (a blank status is open): what the exposure and the matrix count.",
        help_fr="Menaces ni survenues ni closes (statut vide = ouvert) : ce que comptent l'exposition et la matrice.",
    ),
    ComputedValue(
        "open_opportunities",
        "Open opportunities",
        "Opportunités ouvertes",
        "integer",
        "=COUNTIFS(" + _RISK_ROWS + ",{RiskLog.type},{list.risk_type.opportunity}," + _NOT_OVER + ")",
        help_en="Listed apart from the threats, never in the exposure.",
        help_fr="Suivies à part des menaces, jamais dans l'exposition.",
    ),
    ComputedValue(
        "occurred_risks",
        "Occurred risks",
        "Risques survenus",
        "integer",
        "=COUNTIFS(" + _RISK_ROWS + ",{RiskLog.status},{list.risk_status.occurred})",
        help_en="Risks that have happened: no longer open, to be handled as issues.",
        help_fr="Risques qui se sont produits : plus ouverts, à traiter comme des problèmes.",
    ),
    ComputedValue(
        "overdue_actions",
        "Overdue actions",
        "Actions en retard",
        "integer",
        '=COUNTIF({ActionLog.days_overdue},">0")',
        help_en="Open actions whose due date is before the status date.",
        help_fr="Actions ouvertes dont l'échéance est antérieure à la date d'état.",
    ),
)


def project_computed_values(
    frames: dict[str, pd.DataFrame], project: models.ProjectInfo | None = None
) -> dict[str, float | None]:
    """The pandas twin of the Project sheet's computed cells, from the sheets' frames (and the
    Project sheet's typed values, for the reserve)."""
    from pmo_logic.kpis import risk_states

    tasks = frames["plan"]
    booked = tasks[tasks["type"] != "summary"]
    work = booked[booked["status"] != "cancelled"]
    budget = _num(work, "budget").fillna(0).sum()
    earned = work["earned_value"].sum()
    risks, actions = frames.get("risks"), frames.get("actions")
    approved = project.approved_budget if project is not None else None
    counts: dict[str, float | None] = dict.fromkeys(("open_risks", "open_opportunities", "occurred_risks"))
    if risks is not None:
        written = risks["title"].notna().to_numpy()
        for key, mask in zip(counts, risk_states(risks), strict=True):
            counts[key] = float((mask & written).sum())
    return {
        "task_budget": float(budget),
        "reserve": None if approved is None else float(approved - budget),
        "actual_cost": float(_num(booked, "actual_cost").fillna(0).sum()),
        "earned_value": float(earned),
        "planned_value": float(work["planned_value"].sum()),
        "percent_complete": float(earned / budget) if budget else None,
        **counts,
        "overdue_actions": float((actions["days_overdue"] > 0).sum()) if actions is not None else None,
    }


# --- the workbooks ------------------------------------------------------------------------

PROJECT_SHEETS: tuple[SheetSchema, ...] = (
    SheetSchema(
        "instructions",
        "Instructions",
        "Mode d'emploi",
        None,
        "instructions",
        help_en="How to fill in this workbook.",
        help_fr="Comment remplir ce classeur.",
    ),
    SheetSchema(
        "project",
        "Project",
        "Projet",
        models.ProjectInfo,
        "keyvalue",
        computed_values=PROJECT_COMPUTED_VALUES,
        required=True,
        many=False,
        help_en="The charter: who, what, when, how much, and the project manager's status.",
        help_fr="La charte : qui, quoi, quand, combien, et la météo du chef de projet.",
    ),
    SheetSchema(
        "plan",
        "Plan",
        "Planning",
        models.TaskRow,
        "table",
        table="Tasks",
        computed=PLAN_COMPUTED,
        required=True,
        help_en="Tasks and milestones with dates, links, progress, baseline and cost.",
        help_fr="Tâches et jalons avec dates, liens, avancement, référence et coûts.",
    ),
    SheetSchema(
        "risks",
        "Risks",
        "Risques",
        models.RiskRow,
        "table",
        table="RiskLog",
        computed=RISK_COMPUTED,
        help_en="Threats and opportunities, scored probability x impact, with owner and response.",
        help_fr="Menaces et opportunités, cotées probabilité x impact, avec responsable et réponse.",
    ),
    SheetSchema(
        "actions",
        "Actions",
        "Actions",
        models.ActionRow,
        "table",
        table="ActionLog",
        computed=ACTION_COMPUTED,
        help_en="Who does what by when.",
        help_fr="Qui fait quoi pour quand.",
    ),
    SheetSchema(
        "issues",
        "Issues",
        "Problèmes",
        models.IssueRow,
        "table",
        table="IssueLog",
        computed=ISSUE_COMPUTED,
        help_en="Problems that have happened and need handling.",
        help_fr="Problèmes survenus à traiter.",
    ),
    SheetSchema(
        "decisions",
        "Decisions",
        "Décisions",
        models.DecisionRow,
        "table",
        table="DecisionLog",
        computed=DECISION_COMPUTED,
        help_en="Decisions needed from governance, and those taken.",
        help_fr="Décisions attendues de la gouvernance, et décisions prises.",
    ),
    SheetSchema(
        "budget",
        "Budget",
        "Budget",
        models.BudgetRow,
        "table",
        table="BudgetLines",
        computed=BUDGET_COMPUTED,
        help_en="Monthly planned, actual and forecast cost by category.",
        help_fr="Coûts mensuels prévus, réels et prévisionnels par catégorie.",
    ),
    SheetSchema(
        "stakeholders",
        "Stakeholders",
        "Parties prenantes",
        models.StakeholderRow,
        "table",
        table="StakeholderMap",
        computed=STAKEHOLDER_COMPUTED,
        help_en="Who matters to the project and how to keep them engaged.",
        help_fr="Qui compte pour le projet et comment l'impliquer.",
    ),
    SheetSchema(
        "interfaces",
        "Interfaces",
        "Interfaces",
        models.InterfaceRow,
        "table",
        table="InterfaceLinks",
        help_en="What this project needs from, or delivers to, other projects.",
        help_fr="Ce que ce projet attend d'autres projets, ou leur livre.",
    ),
    SheetSchema(
        "sprints",
        "Sprints",
        "Sprints",
        models.SprintRow,
        "table",
        table="SprintLog",
        computed=SPRINT_COMPUTED,
        help_en="Agile and hybrid projects: committed and completed points per sprint.",
        help_fr="Projets agiles et hybrides : points engagés et réalisés par sprint.",
    ),
    SheetSchema(
        "lists",
        "Lists",
        "Listes",
        models.NonWorkingDayRow,
        "lists",
        help_en="The drop-down values, and the project's non-working days (public holidays included).",
        help_fr="Les valeurs des listes déroulantes, et les jours non ouvrés du projet (jours fériés compris).",
    ),
)

PORTFOLIO_SHEETS: tuple[SheetSchema, ...] = (
    SheetSchema(
        "instructions",
        "Instructions",
        "Mode d'emploi",
        None,
        "instructions",
        help_en="How to run the portfolio.",
        help_fr="Comment piloter le portefeuille.",
    ),
    SheetSchema(
        "settings",
        "Settings",
        "Paramètres",
        models.PortfolioSettings,
        "keyvalue",
        required=True,
        many=False,
        help_en="Where the project workbooks are, the status date, and the RAG thresholds.",
        help_fr="Où sont les classeurs projet, la date d'état et les seuils de météo.",
    ),
    SheetSchema(
        "projects",
        "Register",
        "Registre",
        models.RegisterRow,
        "table",
        table="ProjectRegister",
        required=True,
        help_en="The projects the portfolio expects a workbook for.",
        help_fr="Les projets dont le portefeuille attend un classeur.",
    ),
    SheetSchema(
        "lists",
        "Lists",
        "Listes",
        None,
        "lists",
        help_en="The drop-down values.",
        help_fr="Les valeurs des listes déroulantes.",
    ),
)

SHEETS_BY_KIND = {PROJECT_KIND: PROJECT_SHEETS, PORTFOLIO_KIND: PORTFOLIO_SHEETS}


def sheet(kind: str, key: str) -> SheetSchema:
    """The schema of one sheet, e.g. ``sheet("project", "plan")``."""
    for schema in SHEETS_BY_KIND[kind]:
        if schema.key == key:
            return schema
    raise KeyError(f"no sheet {key!r} in the {kind} workbook")


def table_schema(table: str) -> SheetSchema:
    """The schema of the sheet holding an Excel table, e.g. ``Tasks``."""
    for schema in (*PROJECT_SHEETS, *PORTFOLIO_SHEETS):
        if schema.table == table:
            return schema
    raise KeyError(f"no table {table!r} in the contract")


def default_context(status_date: date | None, lang: str = "en", non_working_days=()) -> ComputeContext:
    return ComputeContext(status_date=status_date, non_working_days=tuple(non_working_days), lang=lang)
