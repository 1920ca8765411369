"""Working days: weekends plus a list of non-working days, as Excel's NETWORKDAYS counts them."""

from __future__ import annotations

import functools
import itertools
from collections.abc import Iterable, Sequence
from datetime import date, datetime, time, timedelta

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
    """Working days: a working week (Monday to Friday unless told), less a country's public
    holidays and extra days off; working hours within each day (8 h unless told).

    Schedules are computed on working-day *positions*: position ``p`` is the start of the
    p-th working day after ``origin``. A task of ``d`` days starting at position ``s``
    finishes at position ``s + d`` (the start of the next working day), so links add and
    subtract working time and a milestone is a single position. A fraction of a position is
    a fraction of a working day (0.5 on 8-hour days: 12:00, and work goes on at 13:00).

    >>> cal = WorkCalendar(date(2026, 1, 5), country="FR")
    >>> cal.finish_date(cal.position(date(2026, 5, 4)) + 5)  # 8 May is a French holiday
    datetime.date(2026, 5, 11)
    >>> WorkCalendar(date(2026, 1, 5), hours_per_day=7.5).moment(0.5)  # 3 h 45 min into Monday
    datetime.datetime(2026, 1, 5, 11, 45)
    """

    def __init__(
        self,
        origin: date,
        *,
        country: str | None = None,
        non_working_days: Iterable[date] = (),
        years: Iterable[int] | None = None,
        weekmask: str = "1111100",
        hours_per_day: float = 8.0,
        working_hours: Sequence[tuple[time, time]] | None = None,
    ) -> None:
        """``weekmask``: seven 0/1 from Monday to Sunday ("1111110": Monday to Saturday).
        ``working_hours``: the day's working periods, e.g. ((08:00, 12:00), (13:00, 16:30));
        without them, ``hours_per_day`` from 08:00 with an hour's break at 12:00 (MS Project's
        standard day when it is 8)."""
        self.origin = np.datetime64(origin, "D")
        days = set(non_working_days)
        if country:
            days |= set(public_holidays(country, years or range(origin.year - 1, origin.year + 12)))
        self.holidays = _holidays(days)
        if len(weekmask) != 7 or set(weekmask) - {"0", "1"} or "1" not in weekmask:
            raise ValueError(f"working week {weekmask!r}: write seven 0 or 1 from Monday to Sunday, e.g. 1111100")
        self.weekmask = weekmask
        # numpy rebuilds its weekmask/holiday table on every call given ``holidays=``; built once here.
        self.busdaycal = np.busdaycalendar(weekmask=weekmask, holidays=self.holidays)
        self.periods = _periods(working_hours, hours_per_day)
        self.minutes_per_day = sum(end - start for start, end in self.periods)
        self.hours_per_day = self.minutes_per_day / 60

    def moment(self, position: float, *, finish: bool = False) -> datetime:
        """The date and time of ``position``; a ``finish`` at a day's boundary is the end of
        the working day before (17:00, not 08:00 the next day)."""
        return _EPOCH + timedelta(minutes=self.moment_minutes(round(position * self.minutes_per_day), finish))

    def position_at(self, when: datetime) -> float:
        """The position of a date and time: worked time so far (outside working hours: the next start)."""
        minutes = (when - _EPOCH) // timedelta(minutes=1)
        return self.minutes_at(minutes) / self.minutes_per_day

    def moment_minutes(self, minute: int, finish: bool) -> int:
        """`moment` in working minutes from ``origin`` -> minutes since 1970."""
        per_day = self.minutes_per_day
        day, into = divmod(minute, per_day)
        if finish and into == 0:
            day, into = day - 1, per_day
        found = np.busday_offset(self.origin, day, roll="forward", busdaycal=self.busdaycal)
        clock = self.periods[-1][1]
        for start, end in self.periods:
            if into < end - start or (into == end - start and finish):
                clock = start + into
                break
            into -= end - start
        return int(found.astype("datetime64[m]").astype(np.int64)) + clock

    def minutes_at(self, minutes: int) -> int:
        """`position_at` from minutes since 1970 -> working minutes from ``origin``."""
        day, clock = divmod(minutes, 1440)
        when = np.datetime64(day, "D")
        worked = int(np.busday_count(self.origin, when, busdaycal=self.busdaycal)) * self.minutes_per_day
        if np.is_busday(when, busdaycal=self.busdaycal):
            worked += sum(min(max(clock - start, 0), end - start) for start, end in self.periods)
        return worked

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


_EPOCH = datetime(1970, 1, 1)


def _periods(working_hours: Sequence[tuple[time, time]] | None, hours_per_day: float) -> list[tuple[int, int]]:
    """The working periods of a day in minutes from midnight."""
    if working_hours:
        periods = [(a.hour * 60 + a.minute, b.hour * 60 + b.minute) for a, b in working_hours]
        if any(end <= start for start, end in periods) or any(
            later[0] < earlier[1] for earlier, later in itertools.pairwise(periods)
        ):
            raise ValueError("working hours must be periods in order within the day, e.g. 08:00-12:00, 13:00-17:00")
        return periods
    minutes = round(hours_per_day * 60)
    if not 0 < minutes <= 23 * 60:
        raise ValueError(f"{hours_per_day:g} hours per day: a working day has between 1 minute and 23 hours")
    morning = min(minutes, 4 * 60)
    periods = [(8 * 60, 8 * 60 + morning)]
    if minutes > morning:
        periods.append((13 * 60, 13 * 60 + minutes - morning))
    return periods


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
