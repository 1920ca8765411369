"""The RAID log: risks owned and answered, formulas intact, actions and decisions on time."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd

from pmo_logic.choices import RISK_RESPONSE
from pmo_logic.i18n import Words
from pmo_logic.rules.base import Example, Hit, ValidationContext, blank, isin, item_of, row_of, rule
from pmo_logic.rules.examples import change
from pmo_logic.sheets import PROJECT_KIND, sheet


def _high_open_risks(ctx: ValidationContext) -> np.ndarray:
    if "high_open_risks" not in ctx.cache:  # three rules ask
        a = ctx.arrays("risks")
        with np.errstate(invalid="ignore"):
            high = a["probability"] * a["impact"] >= ctx.settings.high_risk_score
        # Occurred risks are issues now, and closed ones are over: neither is an open risk.
        ctx.cache["high_open_risks"] = high & ~isin(a["status"], ["closed", "occurred"])
    return ctx.cache["high_open_risks"]


def _risk_hits(ctx: ValidationContext, column: str) -> Iterator[Hit]:
    if "risks" not in ctx.frames:
        return
    high = _high_open_risks(ctx)
    for row in ctx.each_row("risks", high & blank(ctx.arrays("risks")[column])):
        score = row["probability"] * row["impact"]
        yield Hit("risks", row_of(row["source_row"]), column, item_of(row["id"]), {"score": score})


@rule(
    "RAID001",
    "error",
    "raid",
    summary="A high risk has no owner.",
    why="A risk nobody owns is a risk nobody manages.",
    message="Risk {item} scores {score} (high) and has no owner",
    message_fr="Le risque {item} a un score de {score} (élevé) et n'a pas de responsable",
    example=Example(change("risks", 0, owner=None), "Risks!E2"),
)
def high_risk_without_owner(ctx: ValidationContext) -> Iterator[Hit]:
    yield from _risk_hits(ctx, "owner")


@rule(
    "RAID002",
    "warning",
    "raid",
    summary="A high risk has no response strategy.",
    why="The committee needs to know whether a high risk is avoided, mitigated, transferred or accepted.",
    message="Risk {item} scores {score} (high) and has no response strategy",
    message_fr="Le risque {item} a un score de {score} (élevé) et n'a pas de stratégie de réponse",
    example=Example(change("risks", 0, response=None), "Risks!J2"),
)
def high_risk_without_response(ctx: ValidationContext) -> Iterator[Hit]:
    yield from _risk_hits(ctx, "response")


@rule(
    "RAID003",
    "warning",
    "raid",
    summary="A high risk has no response due date.",
    why="A response without a date is never late, so it is never chased.",
    message="Risk {item} scores {score} (high) and its response has no due date",
    message_fr="Le risque {item} a un score de {score} (élevé) et sa réponse n'a pas d'échéance",
    example=Example(change("risks", 0, due_date=None), "Risks!L2"),
)
def high_risk_without_due_date(ctx: ValidationContext) -> Iterator[Hit]:
    yield from _risk_hits(ctx, "due_date")


THREAT_RESPONSES = ("avoid", "mitigate", "transfer")
OPPORTUNITY_RESPONSES = ("exploit", "enhance", "share")
"""Accept fits both."""


@rule(
    "RAID008",
    "warning",
    "raid",
    summary="A risk's response strategy does not fit its type (threat or opportunity).",
    why="Exploit, enhance and share answer opportunities; avoid, mitigate and transfer answer threats. A mismatch "
    "usually is an opportunity typed as a threat (or left blank, which reads as a threat): it then sits in the "
    "threat matrix, the exposure and the top risks.",
    message="Risk {item} is {kind} with the response '{response}': check its Type",
    message_fr="Le risque {item} est {kind} avec la réponse « {response} » : vérifiez son type",
    example=Example(change("risks", 0, response="exploit"), "Risks!C2"),
)
def response_does_not_fit_type(ctx: ValidationContext) -> Iterator[Hit]:
    if "risks" not in ctx.frames:
        return
    a = ctx.arrays("risks")
    opportunity = a["type"] == "opportunity"
    wrong = (opportunity & isin(a["response"], THREAT_RESPONSES)) | (
        ~opportunity & isin(a["response"], OPPORTUNITY_RESPONSES)
    )
    for row in ctx.each_row("risks", wrong):
        kind = (
            Words("an opportunity", "une opportunité")
            if row["type"] == "opportunity"
            else Words("a threat", "une menace")
        )
        response = Words(*(RISK_RESPONSE.label(row["response"], lang) for lang in ("en", "fr")))
        params = {"kind": kind, "response": response}
        yield Hit("risks", row_of(row["source_row"]), "type", item_of(row["id"]), params)


def _type_over_score(path: Path) -> None:
    import openpyxl  # only for the rule's example file: validation itself never loads it

    book = openpyxl.load_workbook(path)
    names = {sheet(PROJECT_KIND, "risks").name(lang) for lang in ("en", "fr")}
    book[next(n for n in book.sheetnames if n in names)]["N2"] = 6
    book.save(path)


@rule(
    "RAID004",
    "warning",
    "raid",
    summary="A risk score is not probability x impact.",
    why="The Score column is a formula; a typed-over score hides the real exposure from the roll-up.",
    message="Risk {item}: the score is {found}, but probability x impact is {expected}; restore the formula",
    message_fr="Risque {item} : le score est {found}, mais probabilité x impact donne {expected} ; "
    "rétablissez la formule",
    example=Example(lambda wb: None, "Risks!N2", edit_file=_type_over_score),
)
def score_not_p_times_i(ctx: ValidationContext) -> Iterator[Hit]:
    layout = ctx.workbook.layout.get("risks")
    if layout is None or "score" not in layout.computed or "risks" not in ctx.frames:
        return
    found = layout.computed["score"]
    a = ctx.arrays("risks")
    for source_row, probability, impact, risk_id in zip(
        *(a[name].tolist() for name in ("source_row", "probability", "impact", "id")), strict=True
    ):
        excel_row = row_of(source_row)
        if pd.isna(probability) or pd.isna(impact) or excel_row not in found:
            continue
        expected, value = probability * impact, found[excel_row]
        if not isinstance(value, (int, float)) or abs(value - expected) > 1e-9:
            yield Hit("risks", excel_row, "score", item_of(risk_id), {"found": value, "expected": expected})


@rule(
    "RAID005",
    "warning",
    "raid",
    summary="An open action is past its due date.",
    why="Overdue actions are the first thing a steering committee asks about.",
    message="Action {item} was due on {due}, {days} days before the status date, and is still open",
    message_fr="L'action {item} était due le {due}, {days} jours avant la date d'état, et est toujours ouverte",
    example=Example(change("actions", 0, due_date=date(2026, 2, 20)), "Actions!E2"),
)
def overdue_actions(ctx: ValidationContext) -> Iterator[Hit]:
    if "actions" not in ctx.frames or ctx.status_date is None:
        return
    a, status_date = ctx.arrays("actions"), pd.Timestamp(ctx.status_date)
    late = (a["due_date"] < status_date.to_datetime64()) & ~isin(a["status"], ["done", "cancelled"])
    for row in ctx.each_row("actions", late):
        params = {"due": row["due_date"], "days": (status_date - row["due_date"]).days}
        yield Hit("actions", row_of(row["source_row"]), "due_date", item_of(row["id"]), params)


@rule(
    "RAID006",
    "warning",
    "raid",
    summary="An open issue has no owner.",
    why="An issue is already happening: without an owner, nobody is fixing it.",
    message="Issue {item} is open and has no owner",
    message_fr="Le problème {item} est ouvert et n'a pas de responsable",
    example=Example(change("issues", 0, owner=None), "Issues!C2"),
)
def issue_without_owner(ctx: ValidationContext) -> Iterator[Hit]:
    if "issues" not in ctx.frames:
        return
    a = ctx.arrays("issues")
    for row in ctx.each_row("issues", blank(a["owner"]) & ~isin(a["status"], ["resolved", "closed"])):
        yield Hit("issues", row_of(row["source_row"]), "owner", item_of(row["id"]))


@rule(
    "RAID007",
    "warning",
    "raid",
    summary="A decision is still open after the date it was needed by.",
    why="A late decision delays the work that waits for it; the committee must take it or move the date.",
    message="Decision {item} was needed by {needed_by} and is still open",
    message_fr="La décision {item} était attendue pour le {needed_by} et est toujours ouverte",
    example=Example(change("decisions", 0, needed_by=date(2026, 2, 24)), "Decisions!F2"),
)
def late_decisions(ctx: ValidationContext) -> Iterator[Hit]:
    if "decisions" not in ctx.frames or ctx.status_date is None:
        return
    a = ctx.arrays("decisions")
    late = (a["needed_by"] < np.datetime64(ctx.status_date)) & (a["status"] == "open")
    for row in ctx.each_row("decisions", late):
        yield Hit(
            "decisions", row_of(row["source_row"]), "needed_by", item_of(row["id"]), {"needed_by": row["needed_by"]}
        )
