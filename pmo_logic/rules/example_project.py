"""A small, clean project that passes every rule: the base each rule's example changes.

Status date Friday 27 February 2026; one chain of finish-to-start links from Design to
Go-live; weekends are the only non-working days (validate it with no calendar country).
"""

from __future__ import annotations

from datetime import date

from pmo_logic import models as m

STATUS_DATE = date(2026, 2, 27)
KNOWN_PROJECTS = {"PRJ-001": {"1", "2", "3", "4", "5", "6", "7"}, "PRJ-002": {"5", "9"}}
"""The portfolio the examples are checked in, for the interface rules."""


def _task(id_, wbs, name, start, finish, duration, preds, pct, status, budget, actual, **kw) -> m.TaskRow:
    return m.TaskRow(
        id=id_,
        wbs=wbs,
        name=name,
        type=kw.pop("type", "task"),
        start=start,
        finish=finish,
        duration=duration,
        predecessors=preds,
        percent_complete=pct,
        baseline_start=start,
        baseline_finish=finish,
        budget=budget,
        actual_cost=actual,
        owner=kw.pop("owner", "A. Martin"),
        status=status,
        actual_start=start if status != "not_started" else None,
        actual_finish=finish if status == "done" else None,
        **kw,
    )


def clean_project() -> m.ProjectWorkbook:
    d = date
    return m.ProjectWorkbook(
        meta=m.WorkbookMeta(kind="project", template_version=m.TEMPLATE_VERSION, language="en"),
        project=m.ProjectInfo(
            project_id="PRJ-001",
            name="Clean project",
            programme="Programme A",
            portfolio="Portfolio",
            sponsor="B. Dubois",
            project_manager="A. Martin",
            methodology="waterfall",
            start_date=d(2026, 1, 5),
            end_date=d(2026, 3, 27),
            status_date=STATUS_DATE,
            approved_budget=60000,
            currency="EUR",
            manual_rag="green",
        ),
        plan=[
            m.TaskRow(
                id="1",
                wbs="1",
                name="Delivery",
                type="summary",
                start=d(2026, 1, 5),
                finish=d(2026, 3, 27),
                duration=60,
                percent_complete=0.5,
                baseline_start=d(2026, 1, 5),
                baseline_finish=d(2026, 3, 27),
                status="in_progress",
                actual_start=d(2026, 1, 5),
                owner="A. Martin",
            ),
            _task("2", "1.1", "Design", d(2026, 1, 5), d(2026, 1, 16), 10, None, 1.0, "done", 10000, 10000),
            _task("3", "1.2", "Build", d(2026, 1, 19), d(2026, 2, 13), 20, "2", 1.0, "done", 20000, 20000),
            _task("4", "1.3", "Test", d(2026, 2, 16), d(2026, 3, 13), 20, "3", 0.5, "in_progress", 20000, 10000),
            _task("5", "1.4", "Train", d(2026, 3, 16), d(2026, 3, 20), 5, "4", 0.0, "not_started", 5000, 0),
            _task("6", "1.5", "Deploy", d(2026, 3, 23), d(2026, 3, 27), 5, "5", 0.0, "not_started", 5000, 0),
            _task(
                "7",
                "1.6",
                "Go-live",
                d(2026, 3, 27),
                d(2026, 3, 27),
                0,
                "6",
                0.0,
                "not_started",
                None,
                None,
                type="milestone",
                key_milestone=True,
            ),
        ],
        risks=[
            m.RiskRow(
                id="R1",
                title="Supplier late, so the delivery slips",
                type="threat",
                owner="C. Smith",
                raised_on=d(2026, 1, 12),
                probability=3,
                impact=4,
                cost_impact=10000,
                response="mitigate",
                response_plan="Weekly supplier review",
                due_date=d(2026, 3, 20),
                status="open",
            ),
            m.RiskRow(
                id="R2",
                title="Key user leaves",
                type="threat",
                owner="C. Smith",
                probability=1,
                impact=2,
                status="closed",
            ),
        ],
        actions=[
            m.ActionRow(id="A1", title="Book the test room", owner="C. Smith", due_date=d(2026, 3, 6), status="open"),
            m.ActionRow(id="A2", title="Sign contract", owner="B. Dubois", due_date=d(2026, 2, 2), status="done"),
        ],
        issues=[m.IssueRow(id="I1", title="Test data late", owner="C. Smith", raised_on=d(2026, 2, 20), status="open")],
        decisions=[
            m.DecisionRow(
                id="D1", title="Approve go-live", decision_maker="B. Dubois", needed_by=d(2026, 3, 20), status="open"
            ),
            m.DecisionRow(
                id="D2",
                title="Hosting",
                decision_maker="B. Dubois",
                needed_by=d(2026, 1, 30),
                status="decided",
                decided_on=d(2026, 1, 28),
            ),
        ],
        budget=[
            m.BudgetRow(month=d(2026, 1, 1), category="Labour", planned=20000, actual=20000, forecast=20000),
            m.BudgetRow(month=d(2026, 2, 1), category="Labour", planned=20000, actual=20000, forecast=20000),
            m.BudgetRow(month=d(2026, 3, 1), category="Labour", planned=20000, forecast=20000),
        ],
        stakeholders=[m.StakeholderRow(name="B. Dubois", role="Sponsor", influence="high", interest="high")],
        interfaces=[
            m.InterfaceRow(
                id="IF1",
                direction="needs",
                other_project="PRJ-002",
                milestone="5",
                description="Hosting ready",
                need_by=d(2026, 3, 16),
                owner="A. Martin",
                status="open",
            )
        ],
    )
