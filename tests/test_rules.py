"""Every rule of the catalogue: its example triggers it at the right cell, the clean project does not.

Each example is a real workbook: the clean example project, changed as the rule's example
says, written with the template writer, read back and validated.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pmo_logic.reader import read_project_workbook
from pmo_logic.rules import CATALOGUE, PortfolioIndex
from pmo_logic.rules.example_project import KNOWN_PROJECTS, STATUS_DATE, clean_project
from pmo_logic.templates import write_project_workbook
from pmo_logic.validate import validate_workbook
from pmo_logic.validation_settings import ValidationSettings

SETTINGS = ValidationSettings(as_of=STATUS_DATE)
PORTFOLIO = PortfolioIndex(milestones={k: set(v) for k, v in KNOWN_PROJECTS.items()})
RULES_WITH_EXAMPLES = [r for r in CATALOGUE.values() if r.example is not None]


def _validate(path: Path, settings: dict | None = None):
    return validate_workbook(read_project_workbook(path), SETTINGS.model_copy(update=settings or {}), PORTFOLIO)


def test_the_clean_project_has_no_finding(tmp_path: Path):
    result = _validate(write_project_workbook(tmp_path / "clean.xlsx", clean_project()))
    assert result.findings == []
    assert [c.passed for c in result.dcma] == [True] * 14


def test_every_checked_rule_has_an_example():
    assert [r.code for r in CATALOGUE.values() if r.check is not None and r.example is None] == []


@pytest.mark.parametrize("rule", RULES_WITH_EXAMPLES, ids=lambda r: r.code)
def test_rule_example_triggers_it_at_its_cell(tmp_path: Path, rule):
    workbook = clean_project()
    rule.example.change(workbook)
    path = write_project_workbook(tmp_path / f"{rule.code}.xlsx", workbook)
    if rule.example.edit_file is not None:
        rule.example.edit_file(path)
    result = _validate(path, dict(rule.example.settings))
    hits = [f for f in result.findings if f.code == rule.code]
    assert hits, f"{rule.code} did not fire; findings: {[(f.code, f.address) for f in result.findings]}"
    assert {f.severity for f in hits} == {rule.severity}
    assert rule.example.address in [f.address for f in hits]
    assert all(f.file == path.name and f.project == "PRJ-001" and f.message for f in hits)


def test_catalogue_entries_are_complete():
    for rule in CATALOGUE.values():
        assert rule.code[:4] in ("READ", "CONS", "PLAN", "MILE", "RAID", "BUDG", "INTF", "DCMA"), rule.code
        assert rule.summary.endswith(".") and rule.why.endswith(".") and rule.message, rule.code
    assert len([r for r in CATALOGUE if r.startswith("DCMA")]) == 14


def test_disabled_rules_are_skipped(tmp_path: Path):
    workbook = clean_project()
    workbook.plan[4].predecessors = "4, 99"
    path = write_project_workbook(tmp_path / "p.xlsx", workbook)
    quiet = ValidationSettings(as_of=STATUS_DATE, disabled={"PLAN020"})
    assert "PLAN020" not in {f.code for f in validate_workbook(read_project_workbook(path), quiet).findings}
    assert "PLAN020" in {f.code for f in validate_workbook(read_project_workbook(path), SETTINGS).findings}


def test_loop_message_names_the_whole_cycle(tmp_path: Path):
    workbook = clean_project()
    workbook.plan[2].predecessors = "2, 5"
    result = _validate(write_project_workbook(tmp_path / "loop.xlsx", workbook))
    (loop,) = [f for f in result.findings if f.code == "PLAN021"]
    assert loop.message == "Dependency loop: 3 → 4 → 5 → 3; remove one of these links"


_MONTHS = [None, *(f"2026-{m:02d}-01" for m in range(1, 7)), "2025-12-01"]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(_MONTHS), st.sampled_from([None, "Labour", "Licences", ""])), max_size=25))
def test_budget_month_order_and_duplicates_agree_with_pandas(rows):
    # The oracles are the pandas formulations the rules first used: a grouped running maximum
    # shifted by one row (months out of order), and DataFrame.duplicated on (month, category).
    import numpy as np
    import pandas as pd

    from pmo_logic.rules.budget import late_months, repeated_months

    months = pd.Series(pd.to_datetime([m for m, _ in rows]), dtype="datetime64[s]")
    raw_categories = pd.Series([c for _, c in rows], dtype=object)
    categories = raw_categories.fillna("")
    previous = months.groupby(categories, sort=False).cummax().groupby(categories, sort=False).shift()
    late = np.flatnonzero((months < previous).to_numpy())
    rank = {category: n for n, category in enumerate(pd.unique(categories))}
    expected = sorted(late, key=lambda i: rank[categories.iat[i]])
    found = late_months(months.to_numpy(), categories.tolist())
    assert [i for i, _ in found] == list(expected)
    assert [p for _, p in found] == [previous.iat[i].to_datetime64() for i in expected]
    twice = pd.DataFrame({"m": months.dt.to_period("M"), "c": categories}).duplicated() & months.notna()
    assert repeated_months(months.to_numpy(), categories.tolist()).tolist() == twice.tolist()


def test_a_lag_longer_than_the_whole_project(tmp_path: Path):
    # The clean project runs 60 working days (5 January to 27 March 2026, as typed).
    def lag_findings(predecessors: str, lang: str = "en"):
        workbook = clean_project()
        workbook.plan[5].predecessors = predecessors
        path = write_project_workbook(tmp_path / "lag.xlsx", workbook, lang=lang)
        return [f for f in _validate(path).findings if f.code == "PLAN025"]

    assert lag_findings("5FS+60d") == []  # as long as the project: possible, if odd
    (hit,) = lag_findings("5FS+61d")
    assert hit.address == "Plan!H7"
    assert hit.message == "Task 6: the lag of +61 working days on its link with 5 is longer than the whole project " \
        "(60 working days)"  # fmt: skip
    assert [f.address for f in lag_findings("5FS+13w")] == ["Plan!H7"]  # 65 working days
    assert len(lag_findings("5SS-62d")) == 1  # a lead as long is as wrong
    (french,) = lag_findings("5FD+61.5j", lang="fr")
    assert french.message == "Tâche 6\u00a0: le décalage de +61,5 jours ouvrés sur son lien avec 5 dépasse la " \
        "durée de tout le projet (60 jours ouvrés)"  # fmt: skip
