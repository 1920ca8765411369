"""Working days: weekends plus a list of non-working days, as Excel's NETWORKDAYS counts them."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

import numpy as np
import pandas as pd


def _holidays(non_working_days: Iterable[date]) -> np.ndarray:
    return np.array(sorted(non_working_days), dtype="datetime64[D]")


def networkdays(start: pd.Series, end: pd.Series, non_working_days: Iterable[date] = ()) -> pd.Series:
    """Excel's NETWORKDAYS(start, end, holidays) on two Series: both ends count, negative when end < start.

    Missing dates give NaN.
    """
    start_d = pd.to_datetime(start).to_numpy(dtype="datetime64[D]")
    end_d = pd.to_datetime(end).to_numpy(dtype="datetime64[D]")
    valid = ~(np.isnat(start_d) | np.isnat(end_d))
    result = np.full(len(start_d), np.nan)
    if valid.any():
        s, e = start_d[valid], end_d[valid]
        hol = _holidays(non_working_days)
        lo, hi = np.minimum(s, e), np.maximum(s, e)
        count = np.busday_count(lo, hi + np.timedelta64(1, "D"), holidays=hol)
        result[valid] = np.where(e >= s, count, -count)
    return pd.Series(result, index=start.index)


def working_day_slip(baseline: pd.Series, forecast: pd.Series, non_working_days: Iterable[date] = ()) -> pd.Series:
    """Working days from baseline to forecast: 0 on time, positive late, negative early.

    The Excel twin is ``IF(f=b, 0, NETWORKDAYS(b, f, hol) - SIGN(f - b))``.
    """
    days = networkdays(baseline, forecast, non_working_days)
    sign = np.sign((pd.to_datetime(forecast) - pd.to_datetime(baseline)).dt.days)
    return (days - sign).where(sign != 0, 0.0).where(days.notna())
