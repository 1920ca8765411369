"""A one-page project status, as rows of a sheet: what the Status report button writes."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pmo_logic.models import ProjectWorkbook


def status_lines(workbook: ProjectWorkbook, kpis: dict[str, Any]) -> list[list[Any]]:
    """Title, KPIs and RAG, key milestones, top open risks and overdue actions, two columns wide."""
    project = workbook.project
    status = project.status_date

    def when(value: Any) -> Any:
        return datetime.combine(value, datetime.min.time()) if value is not None else None

    lines: list[list[Any]] = [
        [f"{project.project_id or ''} {project.name or ''}".strip(), ""],
        ["Status date", when(status)],
        ["Project manager", project.project_manager],
        ["", ""],
        ["SPI", kpis.get("spi")],
        ["CPI", kpis.get("cpi")],
        ["EAC", kpis.get("eac")],
        ["Key milestone slip (working days)", kpis.get("key_milestone_slip")],
        ["RAG (computed)", kpis.get("rag_overall")],
        ["RAG (project manager)", project.manual_rag],
        ["", ""],
        ["Key milestones", ""],
    ]
    for task in workbook.plan:
        if task.type == "milestone" and task.key_milestone:
            lines.append([task.name, when(task.finish)])
    lines += [["", ""], ["Top risks", ""]]
    open_risks = [r for r in workbook.risks if r.status != "closed" and r.probability and r.impact]
    for risk in sorted(open_risks, key=lambda r: -(r.probability * r.impact))[:5]:
        lines.append([f"{risk.id} {risk.title}", risk.probability * risk.impact])
    lines += [["", ""], ["Overdue actions", ""]]
    for action in workbook.actions:
        if status and action.due_date and action.due_date < status and action.status not in ("done", "cancelled"):
            lines.append([f"{action.id} {action.title} ({action.owner or 'no owner'})", when(action.due_date)])
    return lines
