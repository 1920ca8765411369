"""The built-in sample portfolio: realistic project workbooks, some late, some over budget,
and a few deliberate defects for validation and consolidation to find.

Seeded, so the same seed and status date always give the same files.

>>> demo = build_demo_portfolio("demo-out")  # doctest: +SKIP
>>> len(demo.project_files), [d.kind for d in demo.defects]  # doctest: +SKIP
"""

from __future__ import annotations

import math
import os
import random
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from pathlib import Path

from pmo_logic import models as m
from pmo_logic.schedule import schedule
from pmo_logic.sheets import PROJECT_KIND, sheet
from pmo_logic.templates import write_portfolio_workbook, write_project_workbook
from pmo_logic.workdays import WorkCalendar, public_holidays

DEMO_STATUS_DATE = date(2026, 11, 20)
DEMO_SEED = 2026
DEMO_COUNTRY = "FR"
PROJECT_FOLDER = "projects"


DEFECT_CODES = {
    "dependency_loop": "PLAN021",
    "finish_before_start": "PLAN010",
    "high_risk_without_owner": "RAID001",
    "missing_sheet": "READ007",
    "corrupt_file": "READ005",
}
"""The rule that must report each kind of planted defect."""


@dataclass(frozen=True)
class Defect:
    """A defect planted on purpose: where it is and what it is."""

    file: str
    kind: str
    sheet: str = ""
    item: str = ""

    @property
    def code(self) -> str:
        return DEFECT_CODES[self.kind]


@dataclass
class DemoPortfolio:
    folder: Path
    portfolio_file: Path
    project_files: list[Path] = field(default_factory=list)
    defects: list[Defect] = field(default_factory=list)
    projects: dict[str, m.ProjectWorkbook] = field(default_factory=dict)


@dataclass(frozen=True)
class _Spec:
    project_id: str
    name: str
    programme: str
    lang: str
    methodology: str = "waterfall"
    tasks: int = 60
    delay: float = 0.0  # share of tasks that overrun
    cost_factor: float = 1.0  # actual cost / earned value
    defect: str = ""


PROGRAMMES = ("Digital Workplace", "Usine du futur", "Customer Platform")

SPECS = (
    _Spec("DW-001", "Laptop refresh", PROGRAMMES[0], "en", tasks=45),
    _Spec("DW-002", "Collaboration suite", PROGRAMMES[0], "en", tasks=120, delay=0.35, cost_factor=1.18),
    _Spec("DW-003", "Identity and access", PROGRAMMES[0], "en", tasks=80, defect="dependency_loop"),
    _Spec("DW-004", "Service desk", PROGRAMMES[0], "en", "agile", tasks=32),
    _Spec("UF-001", "Ligne d'assemblage 4", PROGRAMMES[1], "fr", tasks=300, delay=0.25, cost_factor=1.25),
    _Spec("UF-002", "Maintenance prédictive", PROGRAMMES[1], "fr", "hybrid", tasks=90),
    _Spec("UF-003", "Entrepôt automatisé", PROGRAMMES[1], "fr", tasks=150, defect="finish_before_start"),
    _Spec("UF-004", "Qualité 4.0", PROGRAMMES[1], "fr", tasks=60, delay=0.1),
    _Spec("CP-001", "Customer portal", PROGRAMMES[2], "en", tasks=200, delay=0.2),
    _Spec("CP-002", "CRM migration", PROGRAMMES[2], "en", tasks=110, cost_factor=1.12, defect="risk_without_owner"),
    _Spec("CP-003", "Mobile app", PROGRAMMES[2], "en", "hybrid", tasks=70),
    _Spec("CP-004", "Data platform", PROGRAMMES[2], "fr", tasks=130, defect="missing_sheet"),
    _Spec("CP-005", "Payments gateway", PROGRAMMES[2], "en", tasks=40, defect="corrupt_file"),
)
NOT_DELIVERED = ("CP-006", "Loyalty programme", PROGRAMMES[2])
"""Registered in the portfolio but with no workbook in the folder."""

PEOPLE = (
    "A. Martin",
    "B. Dubois",
    "C. Smith",
    "D. Jones",
    "E. Bernard",
    "F. Garcia",
    "G. Brown",
    "H. Petit",
    "I. Taylor",
    "J. Moreau",
    "K. Wilson",
    "L. Laurent",
)
PHASES = {
    "en": ("Initiation", "Design", "Build", "Test", "Deployment", "Closure"),
    "fr": ("Cadrage", "Conception", "Réalisation", "Recette", "Déploiement", "Clôture"),
}
WORK = {
    "en": ("Analyse", "Specify", "Develop", "Configure", "Review", "Integrate", "Migrate", "Train", "Document"),
    "fr": ("Analyser", "Spécifier", "Développer", "Paramétrer", "Revoir", "Intégrer", "Migrer", "Former", "Documenter"),
}
OBJECTS = {
    "en": ("interfaces", "reporting", "data model", "workflows", "security", "user access", "dashboards", "APIs"),
    "fr": ("interfaces", "reporting", "modèle de données", "flux", "sécurité", "accès", "tableaux de bord", "API"),
}
RISKS = {
    "en": (
        "Key supplier delivers late, delaying integration",
        "Scarce experts leave the team, slowing the build",
        "Legacy data quality is worse than assumed",
        "Regulation changes the scope",
        "Users resist the new process",
        "Test environment is not ready in time",
        "Licence costs rise at renewal",
        "Security audit finds blocking issues",
        # The last one is an opportunity (OPPORTUNITY_TITLE): its Type column says so.
        "Early release opens a new market",
    ),
    "fr": (
        "Le fournisseur clé livre en retard et retarde l'intégration",
        "Des experts rares quittent l'équipe et ralentissent la réalisation",
        "La qualité des données existantes est pire que prévu",
        "Une évolution réglementaire modifie le périmètre",
        "Les utilisateurs résistent au nouveau processus",
        "L'environnement de recette n'est pas prêt à temps",
        "Le coût des licences augmente au renouvellement",
        "L'audit sécurité trouve des points bloquants",
        "Une livraison anticipée ouvre un nouveau marché",
    ),
}
OPPORTUNITY_TITLE = len(RISKS["en"]) - 1
"""The risk title (by position) that is an opportunity, not a threat."""
ACTIONS = {
    "en": ("Confirm delivery dates", "Book the test environment", "Update the business case", "Run a workshop"),
    "fr": (
        "Confirmer les dates de livraison",
        "Réserver l'environnement",
        "Mettre à jour le dossier",
        "Animer un atelier",
    ),
}
ISSUES = {
    "en": ("Interface specification missing", "Budget overrun on licences", "Key user unavailable"),
    "fr": ("Spécification d'interface manquante", "Dépassement sur les licences", "Utilisateur clé indisponible"),
}
DECISIONS = {
    "en": ("Approve the change request", "Choose the hosting option", "Release the contingency"),
    "fr": ("Valider la demande de changement", "Choisir l'hébergement", "Débloquer la provision"),
}
DECISION_IMPACTS = {
    "Approve the change request": "Build stops for the new scope: 3 weeks' delay",
    "Choose the hosting option": "Go-live date lost: servers take 6 weeks to order",
    "Release the contingency": "Supplier stops work at month end",
    "Valider la demande de changement": "Réalisation arrêtée sur le nouveau périmètre : 3 semaines de retard",
    "Choisir l'hébergement": "Date de mise en service perdue : 6 semaines de délai serveurs",
    "Débloquer la provision": "Le fournisseur arrête à la fin du mois",
}
"""What each demo decision costs if late: taken from its title, so the demo's random draws stay as they were."""


def build_demo_portfolio(
    outdir: str | os.PathLike[str],
    *,
    seed: int = DEMO_SEED,
    status_date: date = DEMO_STATUS_DATE,
) -> DemoPortfolio:
    """Write the sample portfolio into ``outdir``: ``portfolio.xlsx`` and ``projects/*.xlsx``."""
    out = Path(outdir)
    folder = out / PROJECT_FOLDER
    folder.mkdir(parents=True, exist_ok=True)
    rng = random.Random(seed)
    projects = {spec.project_id: _project(spec, rng, status_date) for spec in SPECS}
    _link_interfaces(projects, rng)
    demo = DemoPortfolio(folder=out, portfolio_file=out / "portfolio.xlsx", projects=projects)
    writes: list[tuple[Path, m.ProjectWorkbook, str, tuple[str, ...]]] = []
    for spec in SPECS:
        data = projects[spec.project_id]
        path = folder / f"{spec.project_id} {spec.name}.xlsx"
        omit: tuple[str, ...] = ()
        if spec.defect == "dependency_loop":
            demo.defects.append(_plant_loop(data, path.name))
        elif spec.defect == "finish_before_start":
            demo.defects.append(_plant_finish_before_start(data, path.name))
        elif spec.defect == "risk_without_owner":
            demo.defects.append(_plant_risk_without_owner(data, path.name))
        elif spec.defect == "missing_sheet":
            omit = ("risks",)
            demo.defects.append(Defect(path.name, "missing_sheet", sheet="risks"))
        if spec.defect == "corrupt_file":
            demo.defects.append(Defect(path.name, "corrupt_file"))
        writes.append((path, data, spec.lang, omit))
        demo.project_files.append(path)
    _write_projects(writes)
    for spec, path in zip(SPECS, demo.project_files, strict=True):
        if spec.defect == "corrupt_file":
            _corrupt(path, rng)
    # Defects name their sheet as the workbook does, in its language.
    langs = {f"{spec.project_id} {spec.name}.xlsx": spec.lang for spec in SPECS}
    demo.defects = [
        replace(d, sheet=sheet(PROJECT_KIND, d.sheet).name(langs[d.file])) if d.sheet else d for d in demo.defects
    ]
    register = [
        m.RegisterRow(
            project_id=spec.project_id,
            name=spec.name,
            programme=spec.programme,
            project_manager=projects[spec.project_id].project.project_manager,
            workbook=f"{spec.project_id} {spec.name}.xlsx",
            active=True,
        )
        for spec in SPECS
    ]
    register.append(
        m.RegisterRow(
            project_id=NOT_DELIVERED[0], name=NOT_DELIVERED[1], programme=NOT_DELIVERED[2], active=True, workbook=""
        )
    )
    portfolio = m.PortfolioWorkbook(
        meta=m.WorkbookMeta(kind="portfolio", template_version=m.TEMPLATE_VERSION, language="en"),
        settings=m.PortfolioSettings(
            portfolio_name="Demo portfolio",
            project_folder=PROJECT_FOLDER,
            status_date=status_date,
            language="en",
            calendar_country=DEMO_COUNTRY,
        ),
        projects=register,
    )
    write_portfolio_workbook(demo.portfolio_file, portfolio)
    return demo


def _write_projects(writes: list[tuple[Path, m.ProjectWorkbook, str, tuple[str, ...]]]) -> None:
    """The project workbooks, written by one worker process per core: XlsxWriter is pure
    Python, and 13 workbooks were most of the demo's time. Here, one after the other, where
    there is one core or no process pool (a sandbox)."""
    workers = min(os.cpu_count() or 1, len(writes))
    if workers > 1:
        from concurrent.futures import ProcessPoolExecutor

        from pmo_logic.java import pool_context

        try:
            with ProcessPoolExecutor(max_workers=workers, mp_context=pool_context()) as pool:
                for done in [pool.submit(_write_project, *write) for write in writes]:
                    done.result()
            return
        except (OSError, NotImplementedError, ImportError):
            pass  # no worker processes here: the same files, written in this process
    for write in writes:
        _write_project(*write)


def _write_project(path: Path, data: m.ProjectWorkbook, lang: str, omit: tuple[str, ...]) -> None:
    write_project_workbook(path, data, lang=lang, omit_sheets=omit)


# --- one project ----------------------------------------------------------------------


def _calendar(status_date: date) -> tuple[WorkCalendar, list[date]]:
    days_off = [date(status_date.year - 1, 12, 24), date(status_date.year, 12, 24)]
    return WorkCalendar(status_date - timedelta(days=800), country=DEMO_COUNTRY, non_working_days=days_off), days_off


def _project(spec: _Spec, rng: random.Random, status_date: date) -> m.ProjectWorkbook:
    lang = spec.lang
    calendar, days_off = _calendar(status_date)
    start = calendar.start_date(calendar.position(status_date - timedelta(days=rng.randint(90, 330))))
    plan = _plan(spec, rng, calendar, start, status_date)
    work = [t for t in plan if t.type != "summary"]
    bac = float(sum(t.budget or 0 for t in work))
    end = max(t.baseline_finish for t in plan if t.baseline_finish)
    pm = rng.choice(PEOPLE)
    late = spec.delay >= 0.2 or spec.cost_factor >= 1.15
    project = m.ProjectInfo(
        project_id=spec.project_id,
        name=spec.name,
        programme=spec.programme,
        portfolio="Demo portfolio",
        sponsor=rng.choice(PEOPLE),
        project_manager=pm,
        methodology=spec.methodology,
        objectives=("Livrer " if lang == "fr" else "Deliver ") + spec.name.lower(),
        start_date=start,
        end_date=end,
        status_date=status_date,
        approved_budget=math.ceil(bac * 1.05 / 1000) * 1000 if bac else None,  # BAC and a 5% management reserve
        currency="EUR",
        manual_rag=("amber" if late else "green"),
        rag_comment=(
            (
                "Retard sur la réalisation, plan de rattrapage en cours"
                if lang == "fr"
                else "Build behind plan, recovery"
            )
            if late
            else ("Conforme au plan" if lang == "fr" else "On plan")
        ),
    )
    sprints = _sprints(rng, start, status_date) if spec.methodology in ("agile", "hybrid") else []
    return m.ProjectWorkbook(
        meta=m.WorkbookMeta(kind="project", template_version=m.TEMPLATE_VERSION, language=lang),
        project=project,
        plan=plan,
        risks=_risks(rng, lang, start, status_date, troubled=late),
        actions=_actions(rng, lang, status_date, troubled=late),
        issues=_issues(rng, lang, status_date),
        decisions=_decisions(rng, lang, status_date),
        budget=_budget(plan, rng, status_date, spec.cost_factor),
        stakeholders=_stakeholders(rng, lang),
        sprints=sprints,
        lists=[m.NonWorkingDayRow(day=day) for day in _non_working_days(plan, days_off)],
    )


def _non_working_days(plan: list[m.TaskRow], days_off: list[date]) -> list[date]:
    """The project's days off and the public holidays its plan spans, for its Lists sheet.

    Excel's NETWORKDAYS in the workbook and a Validate button that knows no portfolio count
    only the days listed there, so they agree with consolidation's calendar.
    """
    dates = [d for t in plan for d in (t.start, t.finish, t.baseline_start, t.baseline_finish) if d is not None]
    years = range(min(dates).year, max(dates).year + 1)
    return sorted(set(days_off) | set(public_holidays(DEMO_COUNTRY, years)))


def _plan(spec: _Spec, rng: random.Random, calendar: WorkCalendar, start: date, status_date: date) -> list[m.TaskRow]:
    """Short phases (summary tasks) of two parallel workstreams, each phase ending on a milestone.

    Links are finish-to-start without lags, with a few start-to-start and cross-stream links,
    as a planner following DCMA would draw them.
    """
    lang = spec.lang
    n_phases = max(3, round(spec.tasks / 14))
    per_phase = max(3, (spec.tasks - 2 * n_phases) // n_phases)
    streams = max(1, min(4, per_phase // 3))
    rows: list[dict] = []
    next_id = 1
    previous_milestone: int | None = None
    for p in range(n_phases):
        phase = PHASES[lang][p % 6] + (f" ({p // 6 + 1})" if n_phases > 6 else "")
        summary = {"id": next_id, "wbs": f"{p + 1}", "name": phase, "type": "summary", "children": []}
        rows.append(summary)
        next_id += 1
        phase_tasks: list[dict] = []
        last: list[dict | None] = [None] * streams
        for k in range(per_phase):
            stream = k % streams
            preds: list[tuple[int, str, int]] = []
            if last[stream] is not None:
                preds.append((last[stream]["id"], "SS" if rng.random() < 0.05 else "FS", 0))
            elif previous_milestone is not None:
                preds.append((previous_milestone, "FS", 0))
            other = last[(stream + 1) % streams] if streams > 1 else None
            if other is not None and rng.random() < 0.15:
                preds.append((other["id"], "FS", 0))
            task = {
                "id": next_id,
                "wbs": f"{p + 1}.{k + 1}",
                "name": f"{rng.choice(WORK[lang])} {rng.choice(OBJECTS[lang])}",
                "type": "task",
                "duration": rng.choice((2, 3, 5, 5, 8, 10, 10, 15, 20)),
                "preds": preds,
                "owner": rng.choice(PEOPLE),
                "rate": rng.choice((400, 500, 600, 700, 800)),
            }
            last[stream] = task
            phase_tasks.append(task)
            rows.append(task)
            summary["children"].append(task)
            next_id += 1
        # Tasks no one follows finish-to-start feed the phase milestone, so no task is an open end.
        followed = {pid for t in phase_tasks for pid, link, _ in t["preds"] if link == "FS"}
        ends = [t["id"] for t in phase_tasks if t["id"] not in followed]
        milestone = {
            "id": next_id,
            "wbs": f"{p + 1}.{per_phase + 1}",
            "name": ("Fin " if lang == "fr" else "End of ") + phase.lower(),
            "type": "milestone",
            "duration": 0,
            "preds": [(e, "FS", 0) for e in ends],
            "owner": rng.choice(PEOPLE),
            "key": p % 3 == 2 or p == n_phases - 1,
        }
        rows.append(milestone)
        summary["children"].append(milestone)
        previous_milestone = next_id
        next_id += 1
    return _dated_plan(rows, spec.cost_factor, rng, calendar, start, status_date, spec.delay)


def _pred_text(row: dict) -> str | None:
    parts = [
        f"{pid}" if (link, lag) == ("FS", 0) else f"{pid}{link}+{lag}d" if lag else f"{pid}{link}"
        for pid, link, lag in row.get("preds", [])
    ]
    return ", ".join(parts) or None


def _dated_plan(
    rows: list[dict],
    cost_factor: float,
    rng: random.Random,
    calendar: WorkCalendar,
    start: date,
    status_date: date,
    delay: float,
) -> list[m.TaskRow]:
    """Dates from pmo-xl's own scheduler, so the demo plans are consistent by construction.

    Baseline: planned durations. Forecast: some tasks overrun; progress at the status date
    follows from the forecast; then the plan is rescheduled from the status date.
    """

    def plan_with(durations: dict[int, int], progress: dict[int, tuple] | None = None) -> list[m.TaskRow]:
        tasks = []
        for r in rows:
            status, pct, a_start, a_finish = (progress or {}).get(r["id"], ("not_started", 0.0, None, None))
            tasks.append(
                m.TaskRow(
                    id=str(r["id"]),
                    wbs=r["wbs"],
                    name=r["name"],
                    type=r["type"],
                    duration=None if r["type"] == "summary" else float(durations.get(r["id"], 0)),
                    predecessors=_pred_text(r),
                    status=status,
                    percent_complete=pct,
                    actual_start=a_start,
                    actual_finish=a_finish,
                )
            )
        return tasks

    planned = {r["id"]: r.get("duration", 0) for r in rows}
    forecast = {k: v + (rng.choice((2, 3, 5, 8)) if v and rng.random() < delay else 0) for k, v in planned.items()}
    baseline = schedule(plan_with(planned), calendar, project_start=start).tasks
    first = schedule(plan_with(forecast), calendar, project_start=start).tasks
    progress: dict[int, tuple] = {}
    for r, (_, t) in zip(rows, first.iterrows(), strict=True):
        if r["type"] == "summary":
            continue
        if t["early_finish"] <= status_date:
            progress[r["id"]] = ("done", 1.0, t["early_start"], t["early_finish"])
        elif t["early_start"] <= status_date and r["type"] == "task":
            elapsed = calendar.working_days(t["early_start"], status_date)
            pct = min(0.95, round(elapsed / max(1, forecast[r["id"]]) * 20) / 20)
            progress[r["id"]] = ("in_progress", pct, t["early_start"], None)
    final = schedule(plan_with(forecast, progress), calendar, status_date=status_date, project_start=start).tasks
    result = []
    for r, (_, t), (_, b) in zip(rows, final.iterrows(), baseline.iterrows(), strict=True):
        status, pct, a_start, a_finish = progress.get(r["id"], ("not_started", 0.0, None, None))
        common = {
            "id": str(r["id"]),
            "wbs": r["wbs"],
            "name": r["name"],
            "type": r["type"],
            "start": t["early_start"],
            "finish": t["early_finish"],
            "baseline_start": b["early_start"],
            "baseline_finish": b["early_finish"],
        }
        if r["type"] == "summary":
            kids = [progress.get(k["id"], ("", 0.0))[1] * max(1, forecast[k["id"]]) for k in r["children"]]
            weight = sum(max(1, forecast[k["id"]]) for k in r["children"])
            pct = round(sum(kids) / weight, 2)
            result.append(
                m.TaskRow(
                    **common,
                    duration=float(calendar.working_days(t["early_start"], t["early_finish"])),
                    percent_complete=pct,
                    status="done" if pct >= 1 else ("in_progress" if pct > 0 else "not_started"),
                    actual_start=t["early_start"] if pct > 0 else None,
                    actual_finish=t["early_finish"] if pct >= 1 else None,
                )
            )
            continue
        budget = float(planned[r["id"]] * r["rate"]) if r["type"] == "task" else None
        actual = round(budget * pct * cost_factor * rng.uniform(0.95, 1.05), -1) if budget and pct else None
        # Duration is what the dates span: elapsed plus remaining work, as scheduling tools show it.
        span = 0 if r["type"] == "milestone" else calendar.working_days(t["early_start"], t["early_finish"])
        result.append(
            m.TaskRow(
                **common,
                duration=float(span),
                predecessors=_pred_text(r),
                percent_complete=pct,
                status=status,
                actual_start=a_start,
                actual_finish=a_finish,
                budget=budget,
                actual_cost=actual if actual else (0.0 if budget else None),
                owner=r["owner"],
                key_milestone=True if r.get("key") else None,
            )
        )
    return result


def _risks(rng: random.Random, lang: str, start: date, status_date: date, troubled: bool) -> list[m.RiskRow]:
    """Most risks are low or medium; troubled projects carry a few high and critical ones."""
    rows = []
    top = 5 if troubled else 3
    for i in range(rng.randint(6, 18)):
        p, impact = rng.randint(1, top), rng.randint(1, top)
        title = rng.choice(RISKS[lang])
        opportunity = title == RISKS[lang][OPPORTUNITY_TITLE]
        status = rng.choices(("open", "closed", "occurred"), (7, 2, 1))[0]
        rows.append(
            m.RiskRow(
                id=f"R{i + 1}",
                title=title,
                type="opportunity" if opportunity else "threat",
                category=rng.choice(("Supplier", "People", "Technical", "Scope")),
                owner=rng.choice(PEOPLE),
                raised_on=start + timedelta(days=rng.randint(0, max(1, (status_date - start).days - 1))),
                probability=p,
                impact=impact,
                cost_impact=float(rng.choice((5, 10, 20, 50, 80)) * 1000),
                response=("exploit" if opportunity else rng.choice(("mitigate", "avoid", "transfer", "accept"))),
                response_plan=("Plan de réponse suivi en comité" if lang == "fr" else "Response tracked in committee"),
                due_date=status_date + timedelta(days=rng.randint(7, 90)),
                status=status,
            )
        )
    return rows


def _actions(rng: random.Random, lang: str, status_date: date, troubled: bool) -> list[m.ActionRow]:
    """Troubled projects let some actions run late; the others close them on time."""
    rows = []
    for i in range(rng.randint(5, 20)):
        due = status_date + timedelta(days=rng.randint(-30, 45))
        if due < status_date:
            status = "done" if (not troubled or rng.random() < 0.6) else rng.choice(("open", "in_progress"))
        else:
            status = rng.choice(("open", "in_progress"))
        rows.append(
            m.ActionRow(
                id=f"A{i + 1}",
                title=rng.choice(ACTIONS[lang]),
                owner=rng.choice(PEOPLE),
                raised_on=due - timedelta(days=rng.randint(10, 40)),
                due_date=due,
                status=status,
                related_to=f"R{rng.randint(1, 5)}",
            )
        )
    return rows


def _issues(rng: random.Random, lang: str, status_date: date) -> list[m.IssueRow]:
    return [
        m.IssueRow(
            id=f"I{i + 1}",
            title=rng.choice(ISSUES[lang]),
            owner=rng.choice(PEOPLE),
            raised_on=status_date - timedelta(days=rng.randint(3, 60)),
            priority=rng.choice(("low", "medium", "high", "critical")),
            due_date=status_date + timedelta(days=rng.randint(5, 30)),
            status=rng.choice(("open", "in_progress", "resolved")),
        )
        for i in range(rng.randint(1, 6))
    ]


def _decisions(rng: random.Random, lang: str, status_date: date) -> list[m.DecisionRow]:
    rows = []
    for i in range(rng.randint(1, 4)):
        decided = rng.random() < 0.4
        raised = status_date - timedelta(days=rng.randint(5, 40))
        title = rng.choice(DECISIONS[lang])
        rows.append(
            m.DecisionRow(
                id=f"D{i + 1}",
                title=title,
                impact_if_late=DECISION_IMPACTS[title],
                decision_maker=rng.choice(PEOPLE),
                forum="Comité de pilotage" if lang == "fr" else "Steering committee",
                raised_on=raised,
                needed_by=status_date + timedelta(days=rng.randint(3, 40)),
                status="decided" if decided else "open",
                decision=("Validé" if lang == "fr" else "Approved") if decided else None,
                decided_on=raised + timedelta(days=3) if decided else None,
            )
        )
    return rows


def _budget(plan: list[m.TaskRow], rng: random.Random, status_date: date, cost_factor: float) -> list[m.BudgetRow]:
    """Spread each task's budget over the months of its baseline, then split by category."""
    by_month: dict[date, float] = {}
    for task in plan:
        if not task.budget or not task.baseline_start or not task.baseline_finish:
            continue
        days = (task.baseline_finish - task.baseline_start).days + 1
        day = task.baseline_start
        while day <= task.baseline_finish:
            month = day.replace(day=1)
            by_month[month] = by_month.get(month, 0.0) + task.budget / days
            day += timedelta(days=1)
    current = status_date.replace(day=1)
    rows = []
    for month in sorted(by_month):
        for category, share in (("Labour", 0.7), ("External", 0.2), ("Licences", 0.1)):
            planned = round(by_month[month] * share, -1)
            past = month < current
            actual = round(planned * cost_factor * rng.uniform(0.9, 1.1), -1) if past else None
            rows.append(
                m.BudgetRow(
                    month=month,
                    category=category,
                    planned=planned,
                    actual=actual,
                    forecast=actual if past else round(planned * cost_factor, -1),
                )
            )
    return rows


def _stakeholders(rng: random.Random, lang: str) -> list[m.StakeholderRow]:
    roles = ("Sponsor", "Key user", "Architect", "Finance", "Works council", "Supplier", "Operations")
    return [
        m.StakeholderRow(
            name=rng.choice(PEOPLE),
            organisation=rng.choice(("Board", "IT", "Operations", "Finance", "Supplier")),
            role=role,
            influence=rng.choice(("low", "medium", "high")),
            interest=rng.choice(("low", "medium", "high")),
            communication=rng.choice(("Monthly committee", "Weekly report", "Newsletter", "Workshop")),
        )
        for role in rng.sample(roles, rng.randint(4, 7))
    ]


def _sprints(rng: random.Random, start: date, status_date: date) -> list[m.SprintRow]:
    rows = []
    day, n = start, 1
    while day + timedelta(days=13) < status_date:
        committed = float(rng.randint(25, 40))
        rows.append(
            m.SprintRow(
                sprint=f"S{n}",
                start=day,
                finish=day + timedelta(days=11),
                committed_points=committed,
                completed_points=float(round(committed * rng.uniform(0.6, 1.0))),
                goal=f"Increment {n}",
            )
        )
        day += timedelta(days=14)
        n += 1
    return rows


def _link_interfaces(projects: dict[str, m.ProjectWorkbook], rng: random.Random) -> None:
    """Each interface is written on both sides: B needs a milestone from A, A delivers it to B."""
    pairs = [
        ("DW-003", "DW-002"),
        ("UF-001", "UF-004"),
        ("CP-001", "CP-002"),
        ("CP-004", "CP-001"),
        ("DW-003", "CP-001"),
    ]
    for n, (supplier_id, consumer_id) in enumerate(pairs, start=1):
        supplier, consumer = projects[supplier_id], projects[consumer_id]
        milestones = [t for t in supplier.plan if t.type == "milestone" and t.key_milestone]
        milestone = milestones[min(1, len(milestones) - 1)]
        need_by = milestone.baseline_finish + timedelta(days=rng.randint(0, 10))
        if need_by.weekday() >= 5:  # a weekday
            need_by += timedelta(days=7 - need_by.weekday())
        text = f"{supplier.project.name}: {milestone.name}"
        consumer.interfaces.append(
            m.InterfaceRow(
                id=f"IF{n}",
                direction="needs",
                other_project=supplier_id,
                milestone=milestone.id,
                description=text,
                need_by=need_by,
                owner=consumer.project.project_manager,
                status="open",
            )
        )
        supplier.interfaces.append(
            m.InterfaceRow(
                id=f"IF{n}",
                direction="delivers",
                other_project=consumer_id,
                milestone=milestone.id,
                description=text,
                need_by=need_by,
                owner=supplier.project.project_manager,
                status="open",
            )
        )


# --- planted defects ------------------------------------------------------------------


def _plant_loop(data: m.ProjectWorkbook, file: str) -> Defect:
    """Make an early task depend on a later task that already depends on it."""
    tasks = [t for t in data.plan if t.type == "task" and t.predecessors]
    first = tasks[2]
    follower = next(t for t in data.plan if t.predecessors and first.id in _pred_ids(t.predecessors))
    first.predecessors = f"{first.predecessors}, {follower.id}"
    return Defect(file, "dependency_loop", sheet="plan", item=f"{first.id}->{follower.id}")


def _plant_finish_before_start(data: m.ProjectWorkbook, file: str) -> Defect:
    task = next(t for t in data.plan if t.type == "task" and t.status == "not_started")
    task.finish = task.start - timedelta(days=5)
    return Defect(file, "finish_before_start", sheet="plan", item=task.id or "")


def _plant_risk_without_owner(data: m.ProjectWorkbook, file: str) -> Defect:
    risk = data.risks[0]
    risk.owner, risk.probability, risk.impact, risk.status = None, 4, 5, "open"
    return Defect(file, "high_risk_without_owner", sheet="risks", item=risk.id or "")


def _pred_ids(text: str) -> list[str]:
    ids = []
    for part in text.split(","):
        digits = ""
        for ch in part.strip():
            if not ch.isdigit():
                break
            digits += ch
        ids.append(digits)
    return ids


def _corrupt(path: Path, rng: random.Random) -> None:
    """Cut the file in half, as an interrupted copy over a network share would."""
    content = path.read_bytes()
    path.write_bytes(content[: len(content) // 2])
