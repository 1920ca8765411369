"""Working days: weekends plus a list of non-working days, as Excel's NETWORKDAYS counts them."""

from __future__ import annotations

import functools
from collections.abc import Iterable
from datetime import date

import numpy as np
import pandas as pd

_EPOCH_ORDINAL = date(1970, 1, 1).toordinal()
_NAT = np.iinfo(np.int64).min


def date_array(values: Iterable[object]) -> np.ndarray | None:
    """``datetime.date`` values (or None) as datetime64[D], NaT for None; None if any is something else.

    numpy converts date objects one by one through its generic parser, about 15 times slower
    than counting days from their ordinals.
    """
    days = []
    for value in values:
        if value is None:
            days.append(_NAT)
        elif type(value) is date:
            days.append(value.toordinal() - _EPOCH_ORDINAL)
        else:
            return None
    return np.array(days, dtype=np.int64).view("datetime64[D]")


def _holidays(non_working_days: Iterable[date]) -> np.ndarray:
    return np.array(sorted(non_working_days), dtype="datetime64[D]")


def datetimes(values: pd.Series | np.ndarray | Iterable[object]) -> np.ndarray:
    """Dates as a datetime64 array (NaT for blanks), as they are when they already are one."""
    array = np.asarray(values)
    return array if array.dtype.kind == "M" else pd.to_datetime(pd.Series(values)).to_numpy()


def _as_days(values: pd.Series | np.ndarray) -> np.ndarray:
    return datetimes(values).astype("datetime64[D]")


def _networkdays(start_d: np.ndarray, end_d: np.ndarray, non_working_days: Iterable[date]) -> np.ndarray:
    valid = ~(np.isnat(start_d) | np.isnat(end_d))
    result = np.full(len(start_d), np.nan)
    if valid.any():
        s, e = start_d[valid], end_d[valid]
        hol = _holidays(non_working_days)
        lo, hi = np.minimum(s, e), np.maximum(s, e)
        count = np.busday_count(lo, hi + np.timedelta64(1, "D"), holidays=hol)
        result[valid] = np.where(e >= s, count, -count)
    return result


def networkdays(start: pd.Series, end: pd.Series, non_working_days: Iterable[date] = ()) -> pd.Series:
    """Excel's NETWORKDAYS(start, end, holidays) on two Series: both ends count, negative when end < start.

    Missing dates give NaN.
    """
    return pd.Series(_networkdays(_as_days(start), _as_days(end), non_working_days), index=start.index)


def working_day_slip(baseline: pd.Series, forecast: pd.Series, non_working_days: Iterable[date] = ()) -> pd.Series:
    """Working days from baseline to forecast: 0 on time, positive late, negative early.

    The Excel twin is ``IF(f=b, 0, NETWORKDAYS(b, f, hol) - SIGN(f - b))``.
    """
    return pd.Series(slip_days(baseline, forecast, non_working_days), index=baseline.index)


def slip_days(
    baseline: pd.Series | np.ndarray, forecast: pd.Series | np.ndarray, non_working_days: Iterable[date] = ()
) -> np.ndarray:
    """`working_day_slip` as a float array (NaN where a date is blank)."""
    b, f = _as_days(baseline), _as_days(forecast)
    days = _networkdays(b, f, non_working_days)
    sign = np.sign((f - b).astype(np.int64))  # rows with a blank date are NaN below anyway
    slip = np.where(sign != 0, days - sign, 0.0)
    return np.where(np.isnan(days), np.nan, slip)


class WorkCalendar:
    """Working days: Monday to Friday, less a country's public holidays and extra days off.

    Schedules are computed on working-day *positions*: position ``p`` is the start of the
    p-th working day after ``origin``. A task of ``d`` days starting at position ``s``
    finishes at position ``s + d`` (the start of the next working day), so links add and
    subtract whole numbers and a milestone is a single position.

    >>> cal = WorkCalendar(date(2026, 1, 5), country="FR")
    >>> cal.finish_date(cal.position(date(2026, 5, 4)) + 5)  # 8 May is a French holiday
    datetime.date(2026, 5, 11)
    """

    def __init__(
        self,
        origin: date,
        *,
        country: str | None = None,
        non_working_days: Iterable[date] = (),
        years: Iterable[int] | None = None,
    ) -> None:
        self.origin = np.datetime64(origin, "D")
        days = set(non_working_days)
        if country:
            days |= set(public_holidays(country, years or range(origin.year - 1, origin.year + 12)))
        self.holidays = _holidays(days)
        # numpy rebuilds its weekmask/holiday table on every call given ``holidays=``; built once here.
        self.busdaycal = np.busdaycalendar(holidays=self.holidays)

    def position(self, day: date) -> int:
        """Start of ``day`` (or of the next working day, if ``day`` is not one)."""
        return int(np.busday_count(self.origin, np.datetime64(day, "D"), busdaycal=self.busdaycal))

    def end_position(self, day: date) -> int:
        """End of ``day``: where a task finishing on ``day`` ends."""
        return int(np.busday_count(self.origin, np.datetime64(day, "D") + 1, busdaycal=self.busdaycal))

    def positions(self, days: pd.Series | np.ndarray | list[date | None], end: bool = False) -> np.ndarray:
        """Vectorised `position` / `end_position`; NaN where the date is missing."""
        if isinstance(days, np.ndarray) and days.dtype.kind == "M":
            values = days.astype("datetime64[D]")
        else:
            values = date_array(days) if isinstance(days, list) else None
        if values is None:
            values = pd.to_datetime(days).to_numpy(dtype="datetime64[D]")
        result = np.full(len(values), np.nan)
        valid = ~np.isnat(values)
        if valid.any():
            shifted = values[valid] + (1 if end else 0)
            result[valid] = np.busday_count(self.origin, shifted, busdaycal=self.busdaycal)
        return result

    def start_date(self, position: int) -> date:
        """The working day that starts at ``position``."""
        return np.busday_offset(self.origin, int(position), roll="forward", busdaycal=self.busdaycal).astype(date)

    def finish_date(self, position: int) -> date:
        """The working day that ends at ``position``."""
        return self.start_date(max(int(position), 1) - 1)

    def is_working_day(self, day: date) -> bool:
        return bool(np.is_busday(np.datetime64(day, "D"), busdaycal=self.busdaycal))

    def working_days(self, start: date, finish: date) -> int:
        """Working days from ``start`` to ``finish``, both included (NETWORKDAYS)."""
        return self.end_position(finish) - self.position(start)


def public_holidays(country: str, years: Iterable[int]) -> list[date]:
    """Public holidays of a country (ISO code such as FR, GB, US, DE), from the holidays package."""
    return list(_public_holidays(country.upper(), tuple(years)))


@functools.lru_cache(maxsize=64)
def _public_holidays(country: str, years: tuple[int, ...]) -> tuple[date, ...]:
    # Every workbook of a portfolio asks for the same country and years: computed once.
    import holidays as holidays_package

    try:
        calendar = holidays_package.country_holidays(country, years=list(years))
    except NotImplementedError as exc:
        raise ValueError(f"unknown calendar country {country!r}: use an ISO code such as FR, GB, US, DE") from exc
    return tuple(sorted(calendar))
