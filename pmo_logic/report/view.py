"""The committee view: every figure, list and ranking of the committee pack, computed once.

`build_view` reads the `Portfolio` (the roll-up) and the `CommitteeHistory` (the earlier
committees) and returns a `CommitteeView` of plain data: dataclasses, lists and DataFrames.
Every renderer (the workbook tabs of `pmo_logic.report.xlsx`, the PDF LibreOffice makes of
them, the PowerPoint deck) draws this view and computes nothing, so all of them show the
same numbers by construction. Values are codes (``"red"``, ``"mitigate"``, ``"at risk"``);
renderers put them in words with `CommitteeView.t` and `CommitteeView.code`.

Fields of `CommitteeView` (stable names: the deck reads them):

- ``lang``, ``portfolio_name``, ``status_date`` (date or None), ``generated`` (datetime),
  ``currency`` (the projects' currency when they agree, else ""), ``first_committee`` (no
  earlier snapshot).
- ``overall_rag``: the portfolio's overall RAG code (``green``/``amber``/``red``/``no data``).
- ``coverage``: `Coverage` (counts, projects left out with their reason, ``sentence``).
- ``headlines``: list of `Headline` (``key`` in ``bac``, ``approved_budget``, ``eac``,
  ``eac_bac``, ``eac_bac_pct``, ``spi``, ``cpi``, ``spi_t``; ``value``, ``kind`` money/ratio/
  percent, ``rag`` against the thresholds, ``previous`` and ``trend`` up/down/same/None).
  `CommitteeView.headline` returns one by key.
- ``rag_counts``: {rag code: number of projects}.
- ``attention``: red and amber projects, worst first: project_id, name, programme,
  rag_overall, manual_rag, rag_differs, rag_comment.
- ``decisions_needed``: open decisions, soonest first (top 5): project_id, id, title,
  needed_by, decision_maker, impact_if_late (what the PM says the project loses if it is late).
- ``top_threats``: the five open threats of highest score: project_id, id, title, owner,
  owner_missing, probability, impact, score, level, emv, response, due_date.
- ``threats`` (top 20) and ``opportunities`` (top 10), the same columns.
- ``risk_matrix``: `RiskMatrix` (counts[impact 5..1][probability 1..5], levels likewise,
  occurred).
- ``upcoming_milestones``: key milestones due in the next 90 days, not done: project_id, id,
  name, finish, baseline_finish, slip_days.
- ``significant_changes``: the five most significant changes since the last committee
  (RAG changes, then slips beyond the threshold, new high threats, EAC changes): change,
  project_id, item, name, before, after, delta, group.
- ``changes``: every change, the same columns, grouped by significance (None at a first committee).
- ``status_rows``: the Portfolio status table: kind (``project``, ``subtotal``, ``total``,
  ``left_out``), programme, project_id, name, project_manager, bac, percent_complete,
  forecast_finish, slip_days, spi, cpi, spi_t, eac, vac, manual_rag, rag_schedule, rag_cost,
  rag_risk, rag_overall, trend (up/down/same, None at a first committee), note (why a
  project is left out).
- ``heatmap_rows``: kind (``programme``/``project``), programme, project_id, name, projects,
  rag_schedule, rag_cost, rag_risk, rag_overall, manual_rag.
- ``timeline``: `Timeline` (start, end, scale ``month``/``quarter``, ``items``: project_id, id,
  name, finish, baseline_finish, actual_finish, achieved, slip_days, slipped (beyond the
  green slip threshold)).
- ``milestone_trend``: the MTA data (reporting_date, project_id, milestone, name, forecast,
  baseline) of the milestones that moved most, None at a first committee.
- ``budget``: `Budget` (``totals`` {bac, approved_budget, reserve, pv, ev, ac, eac},
  ``programmes`` DataFrame programme/bac/approved_budget/ac/eac, ``curves`` {None for the
  portfolio, or a programme: DataFrame date/pv/ac/ev/bac/eac}, ``unit`` and ``divisor``).
- ``overdue_by_owner`` (owner, count), ``overdue_actions`` (project_id, id, title, owner,
  due_date, days_overdue: calendar days), ``open_decisions`` (project_id, id, title,
  decision_maker, needed_by).
- ``interfaces``: interfaces not on track: consumer, interface, supplier, milestone,
  milestone_name, need_by, forecast, days_late (working days), status.
- ``load_problems``: file, project_id, code, reason; ``data_quality``: file, project_id,
  errors, warnings, dcma_failures, missed_tasks, verdict (``trust``/``check``/``incomplete``),
  gaps (sheets without data, in words).
- ``glossary``: list of (term, definition) in the pack's language.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

import numpy as np
import pandas as pd

from pmo_logic.consolidate import Portfolio
from pmo_logic.i18n import short_date
from pmo_logic.kpis import NO_DATA, planned_fractions, risk_emv, risk_level, risk_states
from pmo_logic.report.labels import code_label, label
from pmo_logic.sheets import PROJECT_KIND
from pmo_logic.sheets import sheet as sheet_schema

TOP = 5
THREATS_SHOWN = 20
OPPORTUNITIES_SHOWN = 10
TIMELINE_ROWS = 120
CURVE_COLUMNS = ("date", "pv", "ac", "ev", "bac", "eac")
"""An S-curve's columns: a date, then one column per series."""
RISK_COLUMNS = ["project_id", "id", "title", "owner", "owner_missing", "probability", "impact", "score", "level",
                "emv", "response", "due_date"]  # fmt: skip
CHANGE_GROUPS = ("rag", "slip", "threat", "eac", "other")
"""Significance of a change, most significant first."""
SEVERITY = {"red": 0, "amber": 1, NO_DATA: 2, "green": 3}


@dataclass
class Headline:
    """One headline figure of the executive summary."""

    key: str
    value: float | None
    kind: str
    """``money``, ``ratio`` or ``percent``."""
    rag: str | None = None
    """Its colour against the Settings' thresholds (None: not judged)."""
    previous: float | None = None
    trend: str | None = None
    """``up``, ``down``, ``same`` since the last committee; None at a first committee."""


@dataclass
class Coverage:
    consolidated: int
    registered: int
    registered_consolidated: int
    left_out: list[tuple[str, str]]
    """(project ID, reason code: unreadable / missing / duplicate)."""
    sentence: str


@dataclass
class RiskMatrix:
    counts: list[list[int]]
    """Open threats per cell: rows impact 5 down to 1, columns probability 1 to 5."""
    levels: list[list[str]]
    """The level (low / medium / high / critical) of each cell, the same layout."""
    occurred: int


@dataclass
class Timeline:
    start: pd.Timestamp | None
    end: pd.Timestamp | None
    scale: str
    """``month`` up to a year, ``quarter`` beyond."""
    items: pd.DataFrame


@dataclass
class Budget:
    totals: dict[str, float | None]
    programmes: pd.DataFrame
    curves: dict[str | None, pd.DataFrame]
    unit: str
    """How amounts are shown in charts: ``""``, ``k`` or ``M`` (with the currency)."""
    divisor: float


@dataclass
class CommitteeView:
    lang: str
    portfolio_name: str
    status_date: date | None
    generated: datetime
    currency: str
    first_committee: bool
    overall_rag: str
    coverage: Coverage
    headlines: list[Headline]
    rag_counts: dict[str, int]
    attention: pd.DataFrame
    decisions_needed: pd.DataFrame
    top_threats: pd.DataFrame
    threats: pd.DataFrame
    opportunities: pd.DataFrame
    risk_matrix: RiskMatrix
    upcoming_milestones: pd.DataFrame
    significant_changes: pd.DataFrame
    changes: pd.DataFrame | None
    status_rows: pd.DataFrame
    heatmap_rows: pd.DataFrame
    timeline: Timeline
    milestone_trend: pd.DataFrame | None
    budget: Budget
    overdue_by_owner: pd.DataFrame
    overdue_actions: pd.DataFrame
    open_decisions: pd.DataFrame
    interfaces: pd.DataFrame
    load_problems: pd.DataFrame
    data_quality: pd.DataFrame
    glossary: list[tuple[str, str]] = field(default_factory=list)
    settings: Any = None
    since: date | None = None
    """The status date of the committee the changes are measured from (None at a first one)."""

    def changes_title(self) -> str:
        """ "What changed since the committee of 20 Nov 2026", or since the last one when unknown."""
        if self.since is None:
            return self.t("changes")
        return self.t("changes_since").format(date=short_date(self.since, self.lang))

    def t(self, key: str) -> str:
        """A label of the pack in its language."""
        return label(key, self.lang)

    def code(self, value: Any) -> str:
        """A code (RAG, response, status, change kind) in words, in the pack's language."""
        return code_label(value, self.lang)

    def headline(self, key: str) -> Headline:
        return next(h for h in self.headlines if h.key == key)


def build_view(
    portfolio: Portfolio,
    history: Any = None,
    *,
    changes: pd.DataFrame | None = None,
    trend: pd.DataFrame | None = None,
    previous: pd.DataFrame | None = None,
    earned: pd.DataFrame | None = None,
    generated: datetime | None = None,
) -> CommitteeView:
    """The committee view of ``portfolio``; ``history`` is a `snapshots.CommitteeHistory` (or give
    its parts: ``changes``, ``trend``, ``previous`` projects table and ``earned`` history)."""
    if history is not None:
        changes, trend = history.changes, history.trend
        previous, earned = history.previous_projects, history.earned
    return _Builder(portfolio, changes, trend, previous, earned, generated or datetime.now()).view()


def _missing(value: Any) -> bool:
    return value is None or value is pd.NaT or (isinstance(value, float) and math.isnan(value))


def _num(value: Any) -> float | None:
    if _missing(value):
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return None if math.isnan(number) else number


def _trend(now: float | None, before: float | None, tolerance: float) -> str | None:
    if now is None or before is None:
        return None
    if now > before + tolerance:
        return "up"
    return "down" if now < before - tolerance else "same"


def _band(value: float | None, green: float | None, amber: float | None) -> str | None:
    if value is None:
        return None
    if value >= (green or 0.95):
        return "green"
    return "amber" if value >= (amber or 0.85) else "red"


class _Builder:
    def __init__(self, p: Portfolio, changes, trend, previous, earned, generated: datetime) -> None:
        self.p, self.changes_in, self.trend_in = p, changes, trend
        self.previous = previous if previous is not None and len(previous) else None
        self.earned, self.generated = earned, generated
        self.lang = p.settings.language or "en"
        self.status = pd.Timestamp(p.status_date) if p.status_date else None
        self.total = p.total.iloc[0].to_dict() if len(p.total) else {}
        self._ranked: dict[str, pd.DataFrame] = {}

    def t(self, key: str) -> str:
        return label(key, self.lang)

    def view(self) -> CommitteeView:
        p = self.p
        projects = p.projects
        currencies = set(projects["currency"].dropna()) if "currency" in projects else set()
        counts = {code: int((projects["rag_overall"] == code).sum()) if len(projects) else 0
                  for code in ("green", "amber", "red", NO_DATA)}  # fmt: skip
        threats = self._risks("threats")
        return CommitteeView(
            lang=self.lang,
            portfolio_name=p.settings.portfolio_name or "Portfolio",
            status_date=p.status_date,
            generated=self.generated,
            currency=currencies.pop() if len(currencies) == 1 else "",
            first_committee=self.previous is None,
            overall_rag=self.total.get("rag_overall") or NO_DATA,
            coverage=self._coverage(),
            headlines=self._headlines(),
            rag_counts=counts,
            attention=self._attention(),
            decisions_needed=self._open_decisions().head(TOP).reset_index(drop=True),
            top_threats=threats.head(TOP).reset_index(drop=True),
            threats=threats.head(THREATS_SHOWN).reset_index(drop=True),
            opportunities=self._risks("opportunities").head(OPPORTUNITIES_SHOWN).reset_index(drop=True),
            risk_matrix=self._matrix(),
            upcoming_milestones=self._upcoming(),
            significant_changes=self._changes().head(TOP).reset_index(drop=True)
            if self.changes_in is not None
            else pd.DataFrame(columns=[*self._change_columns()]),
            changes=self._changes() if self.changes_in is not None else None,
            since=self.changes_in.attrs.get("since") if self.changes_in is not None else None,
            status_rows=self._status_rows(),
            heatmap_rows=self._heatmap_rows(),
            timeline=self._timeline(),
            milestone_trend=self._milestone_trend(),
            budget=self._budget(),
            overdue_by_owner=self._overdue_by_owner(),
            overdue_actions=self._overdue().head(40).reset_index(drop=True),
            open_decisions=self._open_decisions().head(40).reset_index(drop=True),
            interfaces=self._interfaces(),
            load_problems=p.load_problems[["file", "project_id", "code", "reason"]].reset_index(drop=True)
            if len(p.load_problems)
            else pd.DataFrame(columns=["file", "project_id", "code", "reason"]),
            data_quality=self._data_quality(),
            glossary=self._glossary(),
            settings=p.settings,
        )

    # headline -----------------------------------------------------------------------------

    def _portfolio_spi_t(self) -> float | None:
        projects = self.p.projects
        if not len(projects) or "spi_t" not in projects or projects["spi_t"].isna().all():
            return None
        known = projects[projects["spi_t"].notna()]
        bac = known["bac"].sum()
        return float((known["spi_t"] * known["bac"]).sum() / bac) if bac else None

    def _previous_figures(self) -> dict[str, float | None]:
        prev = self.previous
        if prev is None:
            return {}

        def total(column: str) -> float | None:
            return float(pd.to_numeric(prev[column]).sum()) if column in prev else None

        figures = {k: total(k) for k in ("bac", "eac", "approved_budget", "pv", "ev", "ac")}
        pv, ev, ac = figures["pv"], figures["ev"], figures["ac"]
        figures["spi"] = ev / pv if pv and ev is not None else None
        figures["cpi"] = ev / ac if ac and ev is not None else None
        # The portfolio's EAC as the roll-up computes it (BAC / CPI over the sums), not a sum of EACs.
        figures["eac"] = figures["bac"] / figures["cpi"] if figures["cpi"] and figures["bac"] is not None else None
        if figures["bac"] and figures["eac"] is not None:
            figures["eac_bac"] = figures["eac"] - figures["bac"]
            figures["eac_bac_pct"] = figures["eac_bac"] / figures["bac"]
        if "spi_t" in prev and "bac" in prev:
            known = prev[prev["spi_t"].notna()]
            bac = pd.to_numeric(known["bac"]).sum()
            figures["spi_t"] = float((known["spi_t"] * known["bac"]).sum() / bac) if bac else None
        return figures

    def _headlines(self) -> list[Headline]:
        s, total = self.p.settings, self.total
        bac, eac = _num(total.get("bac")), _num(total.get("eac"))
        gap = eac - bac if bac is not None and eac is not None else None
        gap_pct = gap / bac if gap is not None and bac else None
        cpi_rag = _band(_num(total.get("cpi")), s.cpi_green, s.cpi_amber)
        values = [
            ("bac", bac, "money", None),
            ("approved_budget", _num(total.get("approved_budget")), "money", None),
            ("eac", eac, "money", cpi_rag),
            ("eac_bac", gap, "money", cpi_rag),
            ("eac_bac_pct", gap_pct, "percent", cpi_rag),
            ("spi", _num(total.get("spi")), "ratio", _band(_num(total.get("spi")), s.spi_green, s.spi_amber)),
            ("cpi", _num(total.get("cpi")), "ratio", cpi_rag),
            ("spi_t", self._portfolio_spi_t(), "ratio", _band(self._portfolio_spi_t(), s.spi_green, s.spi_amber)),
        ]
        before = self._previous_figures()
        out = []
        for key, value, kind, rag in values:
            was = _num(before.get(key)) if before else None
            tolerance = 0.02 if kind == "ratio" else (0.005 if kind == "percent" else max(1.0, 0.005 * abs(was or 0)))
            out.append(Headline(key, value, kind, rag, was, _trend(value, was, tolerance)))
        return out

    def _coverage(self) -> Coverage:
        cover = self.p.coverage()
        if cover["registered"]:
            text = self.t("coverage").format(n=cover["registered_consolidated"], m=cover["registered"])
        else:
            text = self.t("coverage_unregistered").format(n=cover["consolidated"])
        left_out = [f"{project_id} {self.t(reason)}" for project_id, reason in cover["left_out"]]
        if left_out:
            text += "\u00a0; " if self.lang == "fr" else "; "
            text += ", ".join(left_out)
        extra = cover["consolidated"] - cover["registered_consolidated"]
        if cover["registered"] and extra:
            text += ("\u00a0; " if self.lang == "fr" else "; ") + self.t("not_registered").format(n=extra)
        return Coverage(
            cover["consolidated"], cover["registered"], cover["registered_consolidated"],
            list(cover["left_out"]), text,
        )  # fmt: skip

    def _attention(self) -> pd.DataFrame:
        columns = ["project_id", "name", "programme", "rag_overall", "manual_rag", "rag_differs", "rag_comment"]
        projects = self.p.projects
        if not len(projects):
            return pd.DataFrame(columns=columns)
        shown = projects[projects["rag_overall"].isin(["red", "amber"])].copy()
        if "rag_comment" not in shown:
            shown["rag_comment"] = None
        shown["_order"] = shown["rag_overall"].map(SEVERITY)
        shown = shown.sort_values(["_order", "programme", "project_id"])
        return shown[columns].reset_index(drop=True)

    # lists ---------------------------------------------------------------------------------

    def _open_decisions(self) -> pd.DataFrame:
        decisions = self.p.details["decisions"]
        columns = ["project_id", "id", "title", "needed_by", "decision_maker", "impact_if_late"]
        if not len(decisions):
            return pd.DataFrame(columns=columns)
        open_ = decisions[decisions["status"] == "open"].sort_values(["needed_by", "project_id"]).copy()
        if "impact_if_late" not in open_:  # a cache or snapshot from before the column
            open_["impact_if_late"] = None
        return open_[columns].reset_index(drop=True)

    def _risks(self, which: str) -> pd.DataFrame:
        if which not in self._ranked:  # the threats feed the lists and the matrix: ranked once
            self._ranked[which] = self._rank_risks(which)
        return self._ranked[which]

    def _rank_risks(self, which: str) -> pd.DataFrame:
        risks = self.p.details["risks"]
        if risks.empty:
            return pd.DataFrame(columns=RISK_COLUMNS)
        threat, opportunity, _ = risk_states(risks)
        chosen = risks[threat if which == "threats" else opportunity].copy()
        chosen = chosen.sort_values(["score", "cost_impact"], ascending=False, na_position="last")
        chosen["emv"] = risk_emv(chosen) if len(chosen) else None
        chosen["owner_missing"] = chosen["owner"].isna() | (chosen["owner"].astype(str).str.strip() == "")
        return chosen[RISK_COLUMNS].reset_index(drop=True)

    def _matrix(self) -> RiskMatrix:
        risks = self._risks("threats")
        scores = pd.Series([p * i for i in range(5, 0, -1) for p in range(1, 6)])
        levels = list(risk_level(scores, self.p.settings))
        counts = [
            [
                int(((risks["probability"] == p) & (risks["impact"] == i)).sum()) if len(risks) else 0
                for p in range(1, 6)
            ]
            for i in range(5, 0, -1)
        ]
        projects = self.p.projects
        occurred = int(projects["occurred_risks"].sum()) if "occurred_risks" in projects else 0
        return RiskMatrix(counts, [levels[5 * k : 5 * k + 5] for k in range(5)], occurred)

    def _key_milestones(self) -> pd.DataFrame:
        milestones = self.p.milestones
        if milestones.empty:
            return milestones
        return milestones[milestones["key_milestone"] == True]  # noqa: E712

    def _upcoming(self) -> pd.DataFrame:
        columns = ["project_id", "id", "name", "finish", "baseline_finish", "slip_days"]
        key = self._key_milestones()
        if self.status is None or not len(key):
            return pd.DataFrame(columns=columns)
        window = (key["finish"] >= self.status) & (key["finish"] <= self.status + timedelta(days=90))
        upcoming = key[window & (key["status"] != "done")].sort_values(["finish", "project_id"]).head(10)
        return upcoming[columns].reset_index(drop=True)

    @staticmethod
    def _change_columns() -> list[str]:
        return ["change", "project_id", "item", "name", "before", "after", "delta", "group"]

    def _changes(self) -> pd.DataFrame:
        changes = self.changes_in.copy()
        slip_limit = self.p.settings.slip_green_days or 10
        high = self.p.settings.risk_high_score or 10

        def group(row: dict) -> str:
            change = str(row["change"])
            if change.startswith("RAG"):
                return "rag"
            if change in ("milestone slipped", "forecast finish"):
                delta = _num(row.get("delta"))
                return "slip" if delta is not None and delta > slip_limit else "other"
            if change == "new risk":
                score = _num(row.get("after"))
                return "threat" if score is not None and score >= high else "other"
            return "eac" if change == "EAC" else "other"

        changes["group"] = [group(r) for r in changes.to_dict(orient="records")] if len(changes) else []
        if len(changes):
            size = changes["delta"].map(lambda v: -abs(_num(v) or 0))
            changes = changes.assign(_g=changes["group"].map(CHANGE_GROUPS.index), _s=size)
            changes = changes.sort_values(["_g", "_s", "project_id"]).drop(columns=["_g", "_s"])
        return changes[self._change_columns()].reset_index(drop=True)

    # status and heatmap ------------------------------------------------------------------

    def _status_rows(self) -> pd.DataFrame:
        p = self.p
        columns = ["kind", "programme", "project_id", "name", "project_manager", "bac", "percent_complete",
                   "forecast_finish", "slip_days", "spi", "cpi", "spi_t", "eac", "vac", "manual_rag",
                   "rag_schedule", "rag_cost", "rag_risk", "rag_overall", "trend", "note"]  # fmt: skip
        previous = self.previous.set_index("project_id") if self.previous is not None else None
        programmes = p.programmes.set_index("programme") if len(p.programmes) else None
        rows: list[dict] = []
        rag_keys = ("rag_schedule", "rag_cost", "rag_risk", "rag_overall")
        # Only the columns shown: turning every column of every project into dicts was most of the time.
        shown = ["programme", "project_id", "name", "project_manager", "bac", "percent_complete", "forecast_finish",
                 "key_milestone_slip", "spi", "cpi", "spi_t", "eac", "vac", "manual_rag", *rag_keys]  # fmt: skip
        projects = p.projects[[c for c in shown if c in p.projects]]
        for programme, group in projects.groupby("programme", sort=True):
            group = group.assign(_o=group["rag_overall"].map(SEVERITY).fillna(9)).sort_values(["_o", "project_id"])
            for project in group.to_dict(orient="records"):
                trend = None
                if previous is not None and project["project_id"] in previous.index and "spi" in previous:
                    trend = _trend(_num(project.get("spi")), _num(previous.at[project["project_id"], "spi"]), 0.02)
                rows.append({
                    "kind": "project", "programme": programme, "project_id": project["project_id"],
                    "name": project.get("name"), "project_manager": project.get("project_manager"),
                    "bac": project.get("bac"), "percent_complete": project.get("percent_complete"),
                    "forecast_finish": project.get("forecast_finish"), "slip_days": project.get("key_milestone_slip"),
                    "spi": project.get("spi"), "cpi": project.get("cpi"), "spi_t": project.get("spi_t"),
                    "eac": project.get("eac"), "vac": project.get("vac"), "manual_rag": project.get("manual_rag"),
                    **{k: project.get(k) for k in rag_keys}, "trend": trend, "note": None,
                })  # fmt: skip
            figures = programmes.loc[programme].to_dict() if programmes is not None else {}
            rows.append(self._sum_row("subtotal", programme, group, figures))
        for project_id, reason in p.coverage()["left_out"]:
            rows.append({"kind": "left_out", "programme": None, "project_id": project_id,
                         "note": self.t(reason)})  # fmt: skip
        rows.append(self._sum_row("total", None, p.projects, self.total))
        return pd.DataFrame(rows, columns=columns)

    def _sum_row(self, kind: str, programme: str | None, group: pd.DataFrame, figures: dict) -> dict:
        """A subtotal or the total: the roll-up's figures of the programme or the portfolio (SPI, CPI,
        EAC and % complete from the sums of PV, EV, AC and BAC: the headline's), BAC-weighted SPI(t)."""
        bac = pd.to_numeric(group["bac"]).fillna(0)
        weight = bac.sum()

        def weighted(column: str) -> float | None:
            known = group[column].notna() if column in group else None
            if known is None or not known.any() or not bac[known].sum():
                return None
            return float((pd.to_numeric(group.loc[known, column]) * bac[known]).sum() / bac[known].sum())

        finishes = group["forecast_finish"].dropna() if "forecast_finish" in group else []
        return {
            "kind": kind, "programme": programme, "project_id": None,
            "name": self.t("subtotal") + f" {programme}" if kind == "subtotal" else self.t("portfolio_total"),
            "bac": float(weight) if len(group) else None,
            "percent_complete": figures.get("percent_complete", weighted("percent_complete")),
            "forecast_finish": max(finishes) if len(finishes) else None,
            "slip_days": figures.get("key_milestone_slip"),
            "spi": figures.get("spi"), "cpi": figures.get("cpi"), "spi_t": weighted("spi_t"),
            "eac": figures.get("eac"), "vac": figures.get("vac"),
            **{k: figures.get(k) for k in ("rag_schedule", "rag_cost", "rag_risk", "rag_overall")},
        }  # fmt: skip

    def _heatmap_rows(self) -> pd.DataFrame:
        columns = ["kind", "programme", "project_id", "name", "projects", "rag_schedule", "rag_cost", "rag_risk",
                   "rag_overall", "manual_rag"]  # fmt: skip
        programmes = self.p.programmes.set_index("programme") if len(self.p.programmes) else None
        rows = []
        keys = ("rag_schedule", "rag_cost", "rag_risk", "rag_overall")
        shown = ["programme", "project_id", "name", *keys, "manual_rag"]
        projects = self.p.projects[[c for c in shown if c in self.p.projects]]
        for programme, group in projects.groupby("programme", sort=True):
            figures = programmes.loc[programme].to_dict() if programmes is not None else {}
            rows.append({"kind": "programme", "programme": programme, "name": programme, "projects": len(group),
                         **{k: figures.get(k) for k in keys}})  # fmt: skip
            for project in group.to_dict(orient="records"):
                rows.append({"kind": "project", "programme": programme, "project_id": project["project_id"],
                             "name": project.get("name"),
                             **{k: project.get(k) for k in (*keys, "manual_rag")}})  # fmt: skip
        return pd.DataFrame(rows, columns=columns)

    # timeline ------------------------------------------------------------------------------

    def _timeline(self) -> Timeline:
        columns = ["project_id", "id", "name", "finish", "baseline_finish", "actual_finish", "achieved",
                   "slip_days", "slipped"]  # fmt: skip
        key = self._key_milestones()
        start = self.status
        if not len(key):
            return Timeline(start, start, "month", pd.DataFrame(columns=columns))
        key = key.copy()
        key["achieved"] = (key["status"] == "done") | key["actual_finish"].notna()
        # From the status date on: what is achieved long ago is history, not news; what was
        # achieved since the last month stays, to show it was.
        if start is not None:
            recent = start - pd.DateOffset(months=1)
            key = key[(key["finish"] >= recent) | (~key["achieved"] & (key["finish"] < start))]
        key = key.sort_values(["finish", "project_id"]).head(TIMELINE_ROWS)
        limit = self.p.settings.slip_green_days or 10
        key["slipped"] = pd.to_numeric(key["slip_days"]).fillna(0) > limit
        dates = pd.concat([key["finish"], key["baseline_finish"]]).dropna()
        first = min([d for d in (start, dates.min() if len(dates) else None) if d is not None], default=None)
        end = max([d for d in (start, dates.max() if len(dates) else None) if d is not None], default=None)
        if start is not None:
            first = min(first, start - pd.DateOffset(months=1))
        scale = "month"
        if first is not None and end is not None and (end - first).days > 366:
            scale = "quarter"
        return Timeline(first, end, scale, key[columns].reset_index(drop=True))

    def _milestone_trend(self) -> pd.DataFrame | None:
        trend = self.trend_in
        if trend is None or trend.empty or trend["reporting_date"].nunique() < 2:
            return None  # the MTA shows from the second committee
        slipping = trend.groupby(["project_id", "milestone"])["forecast"].agg(lambda s: s.max() - s.min())
        chosen = set(slipping.sort_values(ascending=False).head(8).index)
        keep = [(p, m) in chosen for p, m in zip(trend["project_id"], trend["milestone"], strict=True)]
        return trend[keep].dropna(subset=["reporting_date", "forecast"]).reset_index(drop=True)

    # budget --------------------------------------------------------------------------------

    def _budget(self) -> Budget:
        total = self.total
        totals = {k: _num(total.get(k)) for k in ("bac", "approved_budget", "reserve", "pv", "ev", "ac", "eac")}
        bars = ["programme", "bac", "approved_budget", "ac", "eac"]
        programmes = (
            self.p.programmes[bars].reset_index(drop=True) if len(self.p.programmes) else pd.DataFrame(columns=bars)
        )
        tasks, budget = self.p.details["plan"], self.p.details["budget"]
        curves: dict[str | None, pd.DataFrame] = {None: self._s_curve(tasks, budget, total, self._history(None))}
        figures = self.p.programmes.set_index("programme") if len(self.p.programmes) else None
        names = sorted(self.p.projects["programme"].unique()) if len(self.p.projects) else []
        for programme in names:
            curve = self._s_curve(
                tasks[tasks["programme"] == programme] if len(tasks) else tasks,
                budget[budget["programme"] == programme] if len(budget) else budget,
                figures.loc[programme].to_dict() if figures is not None else {},
                self._history(programme),
            )
            if not curve.empty:
                curves[programme] = curve
        top = max((abs(v) for v in totals.values() if v is not None), default=0)
        unit, divisor = ("M", 1e6) if top >= 1e7 else (("k", 1e3) if top >= 1e4 else ("", 1.0))
        return Budget(totals, programmes, curves, unit, divisor)

    def _history(self, programme: str | None) -> pd.DataFrame | None:
        earned = self.earned
        if earned is None or earned.empty:
            return None
        rows = earned["programme"].isna() if programme is None else earned["programme"] == programme
        return earned[rows]

    def _s_curve(self, tasks: pd.DataFrame, budget: pd.DataFrame, figures: dict[str, Any],
                 history: pd.DataFrame | None) -> pd.DataFrame:  # fmt: skip
        """Cumulative PV, AC and EV, with BAC and EAC as reference lines.

        One row per month end, one per earlier committee and one at the status date, whose PV,
        EV and AC are ``figures``' (the roll-up's: the tiles). PV elsewhere is the baseline's spread
        of the work's budgets; AC the Budget sheet's monthly actuals, cumulated, up to the last month
        that has them; EV the earlier committees' (``history``, from the snapshots).
        """
        work = tasks[(tasks["type"] != "summary") & (tasks["status"] != "cancelled")] if len(tasks) else tasks
        if work.empty or work["baseline_start"].isna().all():
            return pd.DataFrame(columns=list(CURVE_COLUMNS))
        status = self.status
        first = work["baseline_start"].min().to_period("M")
        last = max(work["baseline_finish"].max(), status or work["baseline_finish"].max()).to_period("M")
        month_ends = {m.to_timestamp(how="end").normalize(): m for m in pd.period_range(first, last, freq="M")[:120]}
        committees: dict[pd.Timestamp, float] = {}
        if history is not None and status is not None:
            for when, ev in zip(history["status_date"], history["ev"], strict=True):
                if pd.Timestamp(when) < status and not pd.isna(ev):
                    committees[pd.Timestamp(when).normalize()] = float(ev)
        dates = sorted(set(month_ends) | set(committees) | ({status} if status is not None else set()))
        budgets = pd.to_numeric(work["budget"]).fillna(0).to_numpy(dtype=float)
        planned = dict(zip(dates, planned_fractions(work, dates), strict=True))
        actual = pd.Series(dtype=float)
        if len(budget):
            actual = budget.groupby(budget["month"].dt.to_period("M"))["actual"].sum(min_count=1).dropna()
        last_actual = actual.index.max() if len(actual) else None
        eac = figures.get("eac")
        rows = []
        for when in dates:
            at_status = status is not None and when == status
            point = {"date": when, "bac": figures.get("bac"), "eac": None if eac is None or pd.isna(eac) else eac}
            if at_status:
                point.update(pv=figures.get("pv"), ac=figures.get("ac"), ev=figures.get("ev"))
            else:
                point["pv"] = float((budgets * np.nan_to_num(planned[when], nan=0.0)).sum())
                month = month_ends.get(when)
                before = status is None or when < status
                known = month is not None and last_actual is not None and month <= last_actual
                point["ac"] = float(actual[actual.index <= month].sum()) if (before and known) else None
                point["ev"] = committees.get(when)
            rows.append(point)
        return pd.DataFrame(rows, columns=list(CURVE_COLUMNS))

    # actions, interfaces, data quality -------------------------------------------------------

    def _overdue(self) -> pd.DataFrame:
        columns = ["project_id", "id", "title", "owner", "due_date", "days_overdue"]
        actions = self.p.details["actions"]
        if not len(actions) or self.status is None:
            return pd.DataFrame(columns=columns)
        overdue = actions[(actions["due_date"] < self.status) & ~actions["status"].isin(["done", "cancelled"])].copy()
        overdue["days_overdue"] = (self.status - overdue["due_date"]).dt.days
        return overdue.sort_values(["days_overdue", "project_id"], ascending=[False, True])[columns]

    def _overdue_by_owner(self) -> pd.DataFrame:
        overdue = self._overdue()
        if not len(overdue):
            return pd.DataFrame(columns=["owner", "count"])
        counts = overdue.groupby(overdue["owner"].fillna("-")).size().sort_values(ascending=False)
        return pd.DataFrame({"owner": counts.index, "count": counts.to_numpy()})

    def _interfaces(self) -> pd.DataFrame:
        columns = ["consumer", "interface", "supplier", "milestone", "milestone_name", "need_by", "forecast",
                   "days_late", "status"]  # fmt: skip
        risks = self.p.interface_risks
        if not len(risks):
            return pd.DataFrame(columns=columns)
        shown = risks[risks["status"] != "on track"].sort_values("days_late", ascending=False)
        return shown[columns].reset_index(drop=True)

    def _data_quality(self) -> pd.DataFrame:
        columns = ["file", "project_id", "errors", "warnings", "dcma_failures", "missed_tasks", "verdict", "gaps"]
        projects, findings = self.p.projects, self.p.findings
        dcma_by_project: dict[Any, int] = {}
        if len(findings):
            dcma = findings["code"].astype(str).str.startswith("DCMA")
            dcma_by_project = findings.loc[dcma, "project"].value_counts().to_dict()
        missed_by_project = self._missed_tasks()
        rows = []
        for project in projects.to_dict(orient="records"):
            dcma = int(dcma_by_project.get(project["project_id"], 0))
            missed = int(missed_by_project.get(project["project_id"], 0))
            keys = [k.strip() for k in str(project.get("no_data") or "").split(",") if k.strip()]
            # Errors, a failed DCMA check or missed tasks: the figures need a look before trusting them.
            verdict = "check" if project.get("errors") or dcma or missed else ("incomplete" if keys else "trust")
            rows.append({
                "file": project["file"], "project_id": project["project_id"], "errors": project.get("errors", 0),
                "warnings": project.get("warnings", 0), "dcma_failures": dcma, "missed_tasks": missed,
                "verdict": verdict, "gaps": ", ".join(sheet_schema(PROJECT_KIND, k).name(self.lang) for k in keys),
            })  # fmt: skip
        return pd.DataFrame(rows, columns=columns)

    def _missed_tasks(self) -> dict[Any, int]:
        """Per project, the tasks baselined to finish by the status date that did not finish by their
        baseline finish (DCMA 11's count): not done, or done late. One pass over the plan, grouped by
        project (filtering the plan once per project took seconds on a large portfolio)."""
        plan = self.p.details["plan"]
        if not len(plan) or self.status is None:
            return {}
        work = plan[plan["type"] != "summary"]
        due = (work["baseline_finish"] <= self.status) & (work["status"] != "cancelled")
        late = (work["status"] != "done") | (work["actual_finish"] > work["baseline_finish"])
        missed = due & late
        return missed.groupby(work["project_id"]).sum().to_dict()

    def _glossary(self) -> list[tuple[str, str]]:
        from pmo_logic.report.labels import GLOSSARY

        # The French acronyms of earned value (VP, VA, CR, VME) are the pack's own words in French.
        keys = {"PV": "pv", "EV": "ev", "AC": "ac", "EMV": "emv"}
        return [(label(keys[term], self.lang) if term in keys else term, fr if self.lang == "fr" else en)
                for term, en, fr in GLOSSARY]  # fmt: skip


__all__ = ["CURVE_COLUMNS", "Budget", "CommitteeView", "Coverage", "Headline", "RiskMatrix", "Timeline", "build_view"]
