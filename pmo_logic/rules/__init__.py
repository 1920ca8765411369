"""The rule catalogue of plan validation. Importing this package registers every rule."""

from pmo_logic.rules import (  # noqa: F401  (each module registers its rules)
    budget,
    dates,
    dcma,
    integrity,
    interfaces,
    logic,
    milestones,
    portfolio,
    progress,
    raid,
    reading,
    structure,
)
from pmo_logic.rules.base import CATALOGUE, FAMILY_TITLES, PortfolioIndex, Rule, ValidationContext

__all__ = ["CATALOGUE", "FAMILY_TITLES", "PortfolioIndex", "Rule", "ValidationContext"]

# List rules family by family (reading first, DCMA last), then by code.
_FAMILY_ORDER = list(FAMILY_TITLES)
_sorted = sorted(CATALOGUE.values(), key=lambda r: (_FAMILY_ORDER.index(r.family), r.code))
CATALOGUE.clear()
CATALOGUE.update({r.code: r for r in _sorted})
