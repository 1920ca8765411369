"""Rendering the committee pack and the deck for 500 projects, 10,000 milestones and 20,000 risks.

Target (issue 15, item 11): workbook pack and PowerPoint deck together under 3 s. Reported with
the ratio against writing the same roll-up tables with openpyxl, in the same process.

    python benchmarks/bench_report.py
"""

from __future__ import annotations

import tempfile
import time
from datetime import date
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd

from pmo_logic.consolidate import Portfolio, _aggregate
from pmo_logic.kpis import risk_level
from pmo_logic.models import PortfolioSettings
from pmo_logic.report import write_committee_pack
from pmo_logic.report.pptx import write_committee_deck
from pmo_logic.report.view import build_view

STATUS = date(2026, 11, 20)
TARGET = 3.0
"""Seconds for the view, the workbook pack and the deck together (issue 15, item 11)."""


def synthetic(n_projects: int = 500, n_milestones: int = 10_000, n_risks: int = 20_000) -> Portfolio:
    rng = np.random.default_rng(5)
    ids = [f"P{k:04d}" for k in range(n_projects)]
    programme = [f"Programme {k % 12}" for k in range(n_projects)]
    bac = rng.uniform(1e5, 5e6, n_projects)
    pv = bac * rng.uniform(0.2, 0.8, n_projects)
    ev = pv * rng.uniform(0.8, 1.1, n_projects)
    ac = ev * rng.uniform(0.9, 1.3, n_projects)
    rags = np.array(["green", "amber", "red"])
    projects = pd.DataFrame(
        {
            "project_id": ids,
            "name": [f"Project {i}" for i in ids],
            "programme": programme,
            "project_manager": "PM",
            "file": [f"{i}.xlsx" for i in ids],
            "bac": bac,
            "pv": pv,
            "ev": ev,
            "ac": ac,
            "spi": ev / pv,
            "cpi": ev / ac,
            "spi_t": ev / pv,
            "eac": bac * ac / ev,
            "vac": bac - bac * ac / ev,
            "key_milestone_slip": rng.integers(0, 40, n_projects),
            "rag_schedule": rng.choice(rags, n_projects),
            "rag_cost": rng.choice(rags, n_projects),
            "rag_risk": rng.choice(rags, n_projects),
            "rag_overall": rng.choice(rags, n_projects),
            "manual_rag": rng.choice(rags, n_projects),
            "open_risks": 40,
            "risk_exposure": 300.0,
            "risk_emv": 1e5,
            "overdue_actions": 2,
            "errors": 0,
            "warnings": 3,
            "approved_budget": bac * 1.05,
            "reserve": bac * 0.05,
            "percent_complete": ev / bac,
            "forecast_finish": pd.Timestamp(STATUS) + pd.to_timedelta(rng.integers(30, 700, n_projects), unit="D"),
            "rag_comment": "On plan, watching the supplier",
            "no_data": "",
            "occurred_risks": 1,
        }
    )
    projects["rag_differs"] = projects["manual_rag"] != projects["rag_overall"]
    settings = PortfolioSettings(portfolio_name="Benchmark", status_date=STATUS)
    start = pd.Timestamp(STATUS) - pd.to_timedelta(rng.integers(0, 400, n_milestones), unit="D")
    finish = start + pd.to_timedelta(rng.integers(0, 500, n_milestones), unit="D")
    owner = [ids[k % n_projects] for k in range(n_milestones)]
    plan = pd.DataFrame(
        {
            "project_id": owner,
            "programme": [programme[k % n_projects] for k in range(n_milestones)],
            "id": [str(k) for k in range(n_milestones)],
            "name": "Milestone",
            "type": "milestone",
            "status": "not_started",
            "baseline_start": finish - pd.Timedelta(days=10),
            "baseline_finish": finish - pd.Timedelta(days=5),
            "finish": finish,
            "actual_finish": pd.NaT,
            "budget": 1000.0,
            "key_milestone": rng.random(n_milestones) < 0.3,
            "slip_days": rng.integers(0, 30, n_milestones).astype(float),
            "row": 2,
            "file": "x.xlsx",
            "sheet": "Plan",
        }
    )
    p = rng.integers(1, 6, n_risks)
    i = rng.integers(1, 6, n_risks)
    risks = pd.DataFrame(
        {
            "project_id": [ids[k % n_projects] for k in range(n_risks)],
            "id": [f"R{k}" for k in range(n_risks)],
            "title": "Risk",
            "probability": p,
            "impact": i,
            "score": p * i,
            "cost_impact": 1e4,
            "owner": "Owner",
            "response": "mitigate",
            "type": "threat",
            "due_date": pd.Timestamp(STATUS) + pd.Timedelta(days=30),
            "status": "open",
        }
    )
    risks["level"] = risk_level(risks["score"], settings)  # as the roll-up's risks table has it
    empty = pd.DataFrame(
        columns=[
            "project_id",
            "programme",
            "id",
            "title",
            "owner",
            "due_date",
            "status",
            "needed_by",
            "decision_maker",
            "month",
            "actual",
        ]
    )
    details = {
        "plan": plan,
        "risks": risks,
        "actions": empty,
        "issues": empty,
        "decisions": empty,
        "budget": empty,
        "stakeholders": empty,
        "interfaces": empty,
        "sprints": empty,
    }
    interface = pd.DataFrame(
        columns=[
            "consumer",
            "interface",
            "supplier",
            "milestone",
            "milestone_name",
            "need_by",
            "forecast",
            "days_late",
            "status",
        ]
    )
    return Portfolio(
        settings=settings,
        status_date=STATUS,
        projects=projects,
        programmes=_aggregate(projects, "programme", settings),
        total=_aggregate(projects.assign(portfolio="Benchmark"), "portfolio", settings),
        details=details,
        interface_risks=interface,
        findings=pd.DataFrame(columns=["code", "severity", "project", "file", "sheet", "cell", "item", "message"]),
        load_problems=pd.DataFrame(columns=["file", "project_id", "code", "severity", "reason"]),
    )


def openpyxl_baseline(portfolio: Portfolio, path: Path) -> None:
    book = openpyxl.Workbook()
    book.remove(book.active)
    for name, frame in (
        ("projects", portfolio.projects),
        ("milestones", portfolio.details["plan"]),
        ("risks", portfolio.details["risks"]),
    ):
        ws = book.create_sheet(name)
        ws.append(list(frame.columns))
        for row in frame.itertuples(index=False):
            ws.append([v.to_pydatetime() if isinstance(v, pd.Timestamp) else v for v in row])
    book.save(path)


def main() -> None:
    portfolio = synthetic()
    with tempfile.TemporaryDirectory() as tmp:
        packs, views, decks, base = [], [], [], []
        for _ in range(3):
            # As `pmo report --pptx` does: one committee view, drawn by the workbook (its project IDs
            # linking to the roll-up) and by the deck.
            t0 = time.perf_counter()
            view = build_view(portfolio)
            t1 = time.perf_counter()
            write_committee_pack(Path(tmp) / "pack.xlsx", portfolio, view=view, rollup=Path(tmp) / "rollup.xlsx")
            t2 = time.perf_counter()
            write_committee_deck(Path(tmp) / "pack.pptx", view=view)
            t3 = time.perf_counter()
            views.append(t1 - t0)
            packs.append(t2 - t1)
            decks.append(t3 - t2)
            openpyxl_baseline(portfolio, Path(tmp) / "tables.xlsx")
            base.append(time.perf_counter() - t3)
        slides = len(__import__("pptx").Presentation(str(Path(tmp) / "pack.pptx")).slides)
    view_time, pack, deck, theirs = (float(np.median(t)) for t in (views, packs, decks, base))
    total = view_time + pack + deck
    print("500 projects, 10,000 milestones, 20,000 risks (median of 3 runs)")
    print(f"view: {view_time:.2f} s  (the committee view: every figure, list and ranking, computed once)")
    print(f"pack: {pack:.2f} s  (XlsxWriter, all tabs and charts, drawn from the view)")
    print(f"deck: {deck:.2f} s  (python-pptx, {slides} slides, native charts, drawn from the view)")
    verdict = "met" if total < TARGET else "not met"
    print(f"total: {total:.2f} s  (view + pack + deck; target under {TARGET:.0f} s: {verdict})")
    print(f"openpyxl writing the same three tables, unformatted: {theirs:.2f} s")
    print(f"ratio: view + pack + deck take {total / theirs:.2f}x the openpyxl tables")


if __name__ == "__main__":
    main()
