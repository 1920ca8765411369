"""A one-page project status, as rows of a sheet: what the Status report button writes."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pmo_logic.choices import RAG
from pmo_logic.i18n import text
from pmo_logic.models import ProjectWorkbook


def status_lines(workbook: ProjectWorkbook, kpis: dict[str, Any]) -> list[list[Any]]:
    """Title, KPIs and RAG, key milestones, top open risks and overdue actions, two columns wide,
    in the workbook's language."""
    project = workbook.project
    status = project.status_date
    lang = workbook.meta.language

    def rag(code: Any) -> Any:
        return RAG.label(code, lang) if code in RAG.codes() else code

    def when(value: Any) -> Any:
        return datetime.combine(value, datetime.min.time()) if value is not None else None

    lines: list[list[Any]] = [
        [f"{project.project_id or ''} {project.name or ''}".strip(), ""],
        [text("status_date", lang), when(status)],
        [text("project_manager", lang), project.project_manager],
        ["", ""],
        ["SPI", kpis.get("spi")],
        ["CPI", kpis.get("cpi")],
        ["EAC", kpis.get("eac")],
        [text("key_milestone_slip", lang), kpis.get("key_milestone_slip")],
        [text("rag_computed", lang), rag(kpis.get("rag_overall"))],
        [text("rag_manual", lang), rag(project.manual_rag)],
        ["", ""],
        [text("key_milestones", lang), ""],
    ]
    for task in workbook.plan:
        if task.type == "milestone" and task.key_milestone:
            lines.append([task.name, when(task.finish)])
    lines += [["", ""], [text("top_risks", lang), ""]]
    # Open threats, as the pack's top risks: not opportunities, neither occurred nor closed.
    open_risks = [
        r
        for r in workbook.risks
        if r.type != "opportunity" and r.status not in ("closed", "occurred") and r.probability and r.impact
    ]
    for risk in sorted(open_risks, key=lambda r: -(r.probability * r.impact))[:5]:
        lines.append([f"{risk.id} {risk.title}", risk.probability * risk.impact])
    lines += [["", ""], [text("overdue_actions", lang), ""]]
    for action in workbook.actions:
        if status and action.due_date and action.due_date < status and action.status not in ("done", "cancelled"):
            owner = action.owner or text("no_owner", lang)
            lines.append([f"{action.id} {action.title} ({owner})", when(action.due_date)])
    return lines
