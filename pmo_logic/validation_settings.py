"""What validation checks and how strictly: thresholds and the rules switched off.

Settings come from the portfolio workbook's Settings sheet (RAG and risk thresholds), from a
small TOML file, or both (the file wins). Example ``pmo-rules.toml``::

    disabled = ["PLAN012", "DCMA08"]
    stale_after_days = 14
    high_float_days = 30
"""

from __future__ import annotations

import os
import sys
from datetime import date
from pathlib import Path

from pydantic import BaseModel, ConfigDict, ValidationError

from pmo_logic.models import PortfolioSettings

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib


class ValidationSettings(BaseModel):
    """Thresholds of the rules. DCMA values are the standard ones."""

    model_config = ConfigDict(extra="forbid")

    disabled: set[str] = set()
    calendar_country: str | None = None
    as_of: date | None = None
    """The date 'stale' is measured from: the committee date; today when not given."""
    stale_after_days: int = 30
    key_milestone_slip_days: float = 10
    cost_overrun_tolerance: float = 0.10
    high_risk_score: int = 10
    end_date_is_deadline: bool = False
    """True: the Project sheet's end date is a deadline, and work that runs past it gets negative float."""
    # DCMA 14-point thresholds
    logic_max: float = 0.05
    leads_max: int = 0
    lags_max: float = 0.05
    fs_min: float = 0.90
    hard_constraints_max: float = 0.05
    high_float_days: float = 44
    high_float_max: float = 0.05
    negative_float_max: int = 0
    high_duration_days: float = 44
    high_duration_max: float = 0.05
    invalid_dates_max: int = 0
    missing_resources_max: int = 0
    missed_tasks_max: float = 0.05
    critical_path_test_delay: int = 600
    cpli_min: float = 0.95
    bei_min: float = 0.95

    def enabled(self, code: str) -> bool:
        return code not in self.disabled


class SettingsError(ValueError):
    """A settings file that cannot be used; the message names the file and the key."""


def settings_from_portfolio(portfolio: PortfolioSettings, base: ValidationSettings | None = None) -> ValidationSettings:
    """Take the thresholds the portfolio workbook sets."""
    values = (base or ValidationSettings()).model_dump()
    mapping = {
        "calendar_country": portfolio.calendar_country,
        "as_of": portfolio.status_date,
        "stale_after_days": portfolio.stale_after_days,
        "key_milestone_slip_days": portfolio.slip_green_days,
        "high_risk_score": portfolio.risk_high_score,
    }
    values.update({k: v for k, v in mapping.items() if v is not None})
    return ValidationSettings(**values)


def load_settings_file(path: str | os.PathLike[str], base: ValidationSettings | None = None) -> ValidationSettings:
    """Read a TOML settings file on top of ``base``."""
    path = Path(path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise SettingsError(f"{path}: file not found") from exc
    except tomllib.TOMLDecodeError as exc:
        raise SettingsError(f"{path}: not valid TOML ({exc})") from exc
    values = (base or ValidationSettings()).model_dump()
    values.update(data.get("validation", data))
    try:
        return ValidationSettings(**values)
    except ValidationError as exc:
        first = exc.errors()[0]
        key = ".".join(str(p) for p in first["loc"])
        raise SettingsError(f"{path}: '{key}': {first['msg']}") from exc
