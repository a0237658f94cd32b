"""The time column: find it, parse it, refuse duplicates, sort, and check that the spacing is regular."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd

# Names a time column is auto-detected by (case-insensitive): exact names first, then names containing these.
TIME_COLUMN_NAMES = ("date", "datetime", "timestamp", "time", "ds", "dt")
TIME_COLUMN_PARTS = ("date", "time")
# Missing steps (calendar gaps) tolerated before warning: holidays in business-daily market data stay below it
# (about 9 exchange holidays a year out of ~260 business days is 3.5%); EUR/USD has 1.2%.
MAX_GAP_FRACTION = 0.05
NUM_SHOWN = 5  # how many offending rows an error or a report line shows


def format_time(value: object) -> str:
    """A time as text, without the clock when it is midnight (dates stay dates)."""
    if isinstance(value, pd.Timestamp) and value == value.normalize():
        return value.strftime("%Y-%m-%d")
    return str(value)


def find_time_column(frame: pd.DataFrame, time_column: str | None = "auto") -> str | None:
    """
    The name of the time column of `frame`, or `None` when the rows are taken in their stored order.

    Args:
        frame (`pandas.DataFrame`): The raw data.
        time_column (`str`, *optional*, defaults to `"auto"`): `"auto"` picks a `datetime64` column or one named like
            date / datetime / timestamp / time (exact names first); a column name uses that column; `None` uses
            none.

    Raises:
        `ValueError`: When a named column is missing (the message lists the available ones).
    """
    if time_column is None:
        return None
    if time_column != "auto":
        if time_column not in frame.columns:
            raise ValueError(
                f"Time column {time_column!r} is not in the data; available columns: {list(frame.columns)}. Pass "
                "`time_column=` one of them, 'auto' to detect it, or None to use the row order."
            )
        return time_column
    names = {str(column).lower(): column for column in frame.columns}
    for candidate in TIME_COLUMN_NAMES:
        if candidate in names:
            return names[candidate]
    for column in frame.columns:
        if pd.api.types.is_datetime64_any_dtype(frame[column]):
            return column
    for column in frame.columns:
        lowered = str(column).lower()
        if any(part in lowered for part in TIME_COLUMN_PARTS) and not pd.api.types.is_numeric_dtype(frame[column]):
            return column
    return None


def parse_time(values: pd.Series) -> pd.Series:
    """
    Parse a time column to `datetime64` (numbers are kept as a numeric time axis).

    Raises:
        `ValueError`: Naming the column and the first values that are not times, or the rows without a time.
    """
    name = values.name
    if pd.api.types.is_numeric_dtype(values) and not pd.api.types.is_bool_dtype(values):
        parsed = values.astype("float64")
    elif pd.api.types.is_datetime64_any_dtype(values):
        parsed = values
    else:
        parsed = pd.to_datetime(values, errors="coerce", format="mixed")
        bad = parsed.isna() & values.notna()
        if bad.any():
            examples = [repr(v) for v in values[bad].unique()[:NUM_SHOWN]]
            raise ValueError(
                f"Time column {name!r} has {int(bad.sum())} values that are not dates or times, e.g. "
                f"{', '.join(examples)}. Fix those values, pass `time_column=` the right column, or None to ignore "
                "the time column and use the row order."
            )
    missing = np.flatnonzero(parsed.isna().to_numpy())
    if missing.size:
        raise ValueError(
            f"Time column {name!r} is empty in {missing.size} rows (first rows {missing[:NUM_SHOWN].tolist()}). Fill "
            "or drop those rows, or pass `time_column=None` to use the row order."
        )
    return parsed


def check_duplicates(times: pd.Series) -> None:
    """
    Refuse duplicated timestamps.

    Raises:
        `ValueError`: Listing the first duplicated times and their rows.
    """
    duplicated = times.duplicated(keep=False).to_numpy()
    if duplicated.any():
        rows = np.flatnonzero(duplicated)
        shown = ", ".join(f"{times.iloc[r]} (row {r})" for r in rows[: 2 * NUM_SHOWN])
        raise ValueError(
            f"Time column {times.name!r} has {int(times.duplicated().sum())} duplicated timestamps: {shown}. Each "
            "time must appear once: aggregate the duplicates (e.g. `df.groupby(time).last()`) or drop them first."
        )


def sort_by_time(frame: pd.DataFrame, time_column: str) -> tuple[pd.DataFrame, int]:
    """
    Sort rows by time (stable).

    Returns:
        The sorted frame and the number of rows that were out of order (0 when it was already sorted).
    """
    times = frame[time_column]
    if times.is_monotonic_increasing:
        return frame, 0
    order = np.argsort(times.to_numpy(), kind="stable")
    num_moved = int((order != np.arange(len(order))).sum())
    return frame.iloc[order].reset_index(drop=True), num_moved


def describe_spacing(times: pd.Series) -> str:
    """
    Check the spacing of sorted, unique times; warn (`UserWarning`) when it is irregular.

    Regular means every step is the most common step, or, for business-daily data (weekday dates one day apart),
    one business day; weekends are not gaps. Steps that are whole multiples of the base step are missing
    observations (holidays): tolerated up to `MAX_GAP_FRACTION` of the steps. Steps that are not whole multiples
    are irregular. Either problem warns; nothing fails.

    Returns:
        A one-line description for the report.
    """
    name = times.name
    if len(times) < 2:
        return f"time column {name!r}: a single row, spacing not checked"
    is_datetime = pd.api.types.is_datetime64_any_dtype(times)
    if is_datetime:
        index = pd.DatetimeIndex(times).as_unit("ns")
        raw_steps = np.diff(index.asi8)  # absolute (UTC) nanoseconds
        ns = (index.tz_localize(None) if index.tz is not None else index).to_numpy()  # wall time, for weekdays
    else:
        raw_steps = np.diff(times.to_numpy(dtype="float64"))
    values, counts = np.unique(raw_steps, return_counts=True)
    base = values[np.argmax(counts)]
    day = np.int64(86_400 * 10**9)
    business_daily = bool(
        is_datetime
        and base == day
        and (np.asarray(pd.DatetimeIndex(ns).day_of_week) < 5).all()
        and (ns.astype("datetime64[D]") == ns).all()
    )
    if business_daily:
        days = ns.astype("datetime64[D]")
        steps = np.busday_count(days[:-1], days[1:]).astype("float64")
        unit = "business-daily"
    else:
        steps = raw_steps / base
        unit = f"every {pd.Timedelta(int(base), 'ns')}" if is_datetime else f"every {base:g}"
    off_grid = np.flatnonzero(np.abs(steps - np.round(steps)) > 1e-9)
    gaps = np.flatnonzero(np.round(steps) > 1)
    description = f"time column {name!r}: {unit}, {format_time(times.iloc[0])} to {format_time(times.iloc[-1])}"
    if gaps.size:
        description += f"; {gaps.size} gaps of missing steps (largest {int(np.round(steps).max()) - 1} missing)"
    if off_grid.size:
        first = ", ".join(format_time(times.iloc[i + 1]) for i in off_grid[:NUM_SHOWN])
        description += f"; {off_grid.size} irregular steps (first at {first})"
    if off_grid.size or gaps.size > MAX_GAP_FRACTION * len(steps):
        warnings.warn(
            f"Irregular spacing: {description}. Windows treat rows as equally spaced; resample the data to a regular "
            "grid (e.g. `df.resample(...)`) if the gaps matter.",
            UserWarning,
            stacklevel=3,
        )
    return description
