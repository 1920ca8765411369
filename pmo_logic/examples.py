"""The example rows that blank templates ship with, so a user sees how each sheet is filled."""

from __future__ import annotations

from datetime import date

from pmo_logic import models as m


def example_project(lang: str = "en", name: str | None = None, project_id: str | None = None) -> m.ProjectWorkbook:
    """A project workbook holding one worked example per sheet."""
    fr = lang == "fr"
    labour = "Main-d'œuvre" if fr else "Labour"
    return m.ProjectWorkbook(
        meta=m.WorkbookMeta(kind="project", template_version=m.TEMPLATE_VERSION, language=lang),
        project=m.ProjectInfo(
            project_id=project_id or "PRJ-001",
            name=name or ("Nouveau projet" if fr else "New project"),
            programme="Programme A",
            portfolio="Portefeuille" if fr else "Portfolio",
            sponsor="Directeur des opérations" if fr else "Operations director",
            project_manager="Chef de projet" if fr else "Project manager",
            methodology="waterfall",
            objectives="Ce que le projet doit livrer." if fr else "What the project must deliver.",
            scope="Inclus / exclus." if fr else "In scope / out of scope.",
            start_date=date(2026, 1, 5),
            end_date=date(2026, 6, 30),
            status_date=date(2026, 2, 27),
            approved_budget=120000,
            currency="EUR",
            manual_rag="green",
            rag_comment="Démarrage conforme." if fr else "Started as planned.",
        ),
        plan=[
            m.TaskRow(
                id="1",
                wbs="1",
                name="Cadrage" if fr else "Initiation",
                type="task",
                start=date(2026, 1, 5),
                finish=date(2026, 1, 30),
                duration=20,
                percent_complete=1.0,
                actual_start=date(2026, 1, 5),
                actual_finish=date(2026, 1, 30),
                baseline_start=date(2026, 1, 5),
                baseline_finish=date(2026, 1, 30),
                budget=20000,
                actual_cost=21000,
                owner="Chef de projet" if fr else "Project manager",
                status="done",
            ),
            m.TaskRow(
                id="2",
                wbs="2",
                name="Réalisation" if fr else "Build",
                type="task",
                start=date(2026, 2, 2),
                finish=date(2026, 5, 29),
                duration=84,
                predecessors="1FD" if fr else "1FS",
                percent_complete=0.2,
                actual_start=date(2026, 2, 2),
                baseline_start=date(2026, 2, 2),
                baseline_finish=date(2026, 5, 22),
                budget=100000,
                actual_cost=18000,
                owner="Équipe technique" if fr else "Delivery team",
                status="in_progress",
            ),
            m.TaskRow(
                id="3",
                wbs="3",
                name="Mise en service" if fr else "Go-live",
                type="milestone",
                start=date(2026, 5, 29),
                finish=date(2026, 5, 29),
                duration=0,
                predecessors="2FD" if fr else "2FS",
                percent_complete=0.0,
                baseline_start=date(2026, 5, 22),
                baseline_finish=date(2026, 5, 22),
                owner="Sponsor",
                status="not_started",
                key_milestone=True,
            ),
        ],
        risks=[
            m.RiskRow(
                id="R1",
                # A non-breaking space before the colon: French typography.
                title="Fournisseur en retard\u00a0: la livraison glisse"
                if fr
                else "Supplier late, so the delivery slips",
                type="threat",
                category="Fournisseur" if fr else "Supplier",
                owner="Acheteur" if fr else "Buyer",
                raised_on=date(2026, 1, 12),
                probability=3,
                impact=4,
                cost_impact=15000,
                response="mitigate",
                response_plan="Point hebdomadaire fournisseur" if fr else "Weekly supplier review",
                due_date=date(2026, 3, 15),
                status="open",
            )
        ],
        actions=[
            m.ActionRow(
                id="A1",
                title="Valider le contrat fournisseur" if fr else "Sign the supplier contract",
                owner="Acheteur" if fr else "Buyer",
                raised_on=date(2026, 1, 12),
                due_date=date(2026, 2, 20),
                status="in_progress",
                related_to="R1",
            )
        ],
        issues=[
            m.IssueRow(
                id="I1",
                title="Environnement de test indisponible" if fr else "Test environment unavailable",
                owner="Équipe technique" if fr else "Delivery team",
                raised_on=date(2026, 2, 16),
                priority="high",
                due_date=date(2026, 3, 6),
                status="open",
            )
        ],
        decisions=[
            m.DecisionRow(
                id="D1",
                title="Valider le périmètre du lot 2" if fr else "Approve the scope of release 2",
                decision_maker="Sponsor",
                forum="Comité de pilotage" if fr else "Steering committee",
                raised_on=date(2026, 2, 10),
                needed_by=date(2026, 3, 20),
                status="open",
            )
        ],
        budget=[
            m.BudgetRow(month=date(2026, 1, 1), category=labour, planned=20000, actual=21000, forecast=21000),
            m.BudgetRow(month=date(2026, 2, 1), category=labour, planned=25000, actual=18000, forecast=24000),
        ],
        stakeholders=[
            m.StakeholderRow(
                name="Sponsor",
                organisation="Direction" if fr else "Board",
                role="Sponsor",
                influence="high",
                interest="high",
                communication="Comité mensuel" if fr else "Monthly committee",
            )
        ],
        interfaces=[
            m.InterfaceRow(
                id="IF1",
                direction="needs",
                other_project="PRJ-002",
                milestone="5",
                description="Plateforme d'hébergement prête" if fr else "Hosting platform ready",
                need_by=date(2026, 4, 30),
                owner="Chef de projet" if fr else "Project manager",
                status="open",
            )
        ],
        sprints=[
            m.SprintRow(
                sprint="S1",
                start=date(2026, 2, 2),
                finish=date(2026, 2, 13),
                committed_points=30,
                completed_points=24,
                goal="Premier incrément" if fr else "First increment",
            )
        ],
        lists=[m.NonWorkingDayRow(day=date(2026, 5, 15))],
    )


def example_portfolio(lang: str = "en", name: str | None = None) -> m.PortfolioWorkbook:
    """A portfolio workbook with default settings and one registered project."""
    fr = lang == "fr"
    return m.PortfolioWorkbook(
        meta=m.WorkbookMeta(kind="portfolio", template_version=m.TEMPLATE_VERSION, language=lang),
        settings=m.PortfolioSettings(
            portfolio_name=name or ("Portefeuille" if fr else "Portfolio"),
            project_folder="projets" if fr else "projects",
            status_date=date(2026, 2, 27),
            language=lang,
            calendar_country="FR" if fr else "GB",
        ),
        projects=[
            m.RegisterRow(
                project_id="PRJ-001",
                name="Nouveau projet" if fr else "New project",
                programme="Programme A",
                project_manager="Chef de projet" if fr else "Project manager",
                workbook="PRJ-001.xlsx",
                active=True,
            )
        ],
    )
