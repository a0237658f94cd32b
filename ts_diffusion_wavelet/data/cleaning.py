"""From a raw `pandas.DataFrame` to a clean numeric series `[T, C]`: every step either fixes the data by a chosen,
reported policy or stops with a `ValueError` that names the problem and the fix. Never a silent NaN.

Steps, in order: time column (parse, refuse duplicates, sort, check spacing), column selection, sentinel missing
values, numbers stored as text, categorical columns (`categorical=`), NaN / inf (`nan_policy=`), one-hot encoding.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
import pandas as pd

from .categorical import (
    CATEGORICAL_POLICIES,
    CategoricalPolicy,
    categories_of,
    classify_column,
    describe_non_numeric,
    onehot_channel_name,
    onehot_encode,
)
from .timestamps import (
    NUM_SHOWN,
    TIME_COLUMN_NAMES,
    check_duplicates,
    describe_spacing,
    find_time_column,
    parse_time,
    sort_by_time,
)

NanPolicy = Literal["error", "drop", "ffill"]
NAN_POLICIES = ("error", "drop", "ffill")
Scalar = float | int | str
MissingValues = Scalar | Sequence[Scalar] | Mapping[str, Scalar | Sequence[Scalar]] | None


@dataclass
class CleanSeries:
    """
    A clean series in the data's units.

    Args:
        frame (`pandas.DataFrame`): float64 channels `[T, C]`, no NaN or inf; the index is the parsed time column
            (sorted, unique) or a `RangeIndex` when there is none. One-hot channels are named `"column=label"`.
        categories (`dict[str, list[str]]`): The labels of each one-hot encoded column.
        report (`list[str]`): One line per thing cleaning looked at or changed.
    """

    frame: pd.DataFrame
    categories: dict[str, list[str]] = field(default_factory=dict)
    report: list[str] = field(default_factory=list)


def clean_frame(
    raw: pd.DataFrame,
    *,
    columns: str | Sequence[str] | None = None,
    time_column: str | None = "auto",
    nan_policy: NanPolicy = "error",
    categorical: CategoricalPolicy = "error",
    missing_values: MissingValues = None,
) -> CleanSeries:
    """
    Clean a raw frame into a numeric series.

    Args:
        raw (`pandas.DataFrame`): The data as read (see `sources.read_source`).
        columns (`str` or `list[str]`, *optional*): The columns to model, kept together as channels. Defaults to
            every column but the time column.
        time_column (`str`, *optional*, defaults to `"auto"`): See [`find_time_column`]. A `DatetimeIndex` on `raw`
            is used when `"auto"` finds no column.
        nan_policy (`"error"`, `"drop"` or `"ffill"`, defaults to `"error"`): What to do with NaN and inf values
            (after `missing_values`): refuse, drop the rows, or carry the last valid value forward (rows before the
            first valid value are dropped). Counts are reported.
        categorical (`"error"`, `"onehot"` or `"drop"`, defaults to `"error"`): What to do with categorical columns:
            refuse, encode as one 0/1 channel per label, or leave out.
        missing_values (scalar, list, or `dict` of column to scalar or list, *optional*): Values that mean
            "missing" (e.g. `0`, `-999`, `"N/A"`), for every column or per column; they become NaN before
            `nan_policy` applies.

    Returns:
        [`CleanSeries`].
    """
    _check_choice("nan_policy", nan_policy, NAN_POLICIES)
    _check_choice("categorical", categorical, CATEGORICAL_POLICIES)
    report: list[str] = []
    frame, time_name = _index_by_time(raw, time_column, report)
    frame = _select_columns(frame, columns, time_name)
    frame = _mark_missing(frame, missing_values, report)
    frame, categorical_columns = _to_numbers(frame, categorical, report)
    frame = _apply_nan_policy(frame, nan_policy, report)
    categories = {column: categories_of(frame[column]) for column in categorical_columns}
    for column, labels in categories.items():
        channels = [onehot_channel_name(column, label) for label in labels]
        report.append(f"categorical {column!r} one-hot encoded into {len(channels)} channels: {', '.join(channels)}")
    frame = onehot_encode(frame, categories).astype("float64")
    return CleanSeries(frame=frame, categories=categories, report=report)


def _check_choice(name: str, value: str, choices: tuple[str, ...]) -> None:
    if value not in choices:
        raise ValueError(f"`{name}` must be one of {list(choices)}, got {value!r}.")


def _index_by_time(raw: pd.DataFrame, time_column: str | None, report: list[str]) -> tuple[pd.DataFrame, str | None]:
    index_name = raw.index.name
    # An index holds the time when it is a DatetimeIndex or is named as the time column; any other index is dropped.
    promote = time_column is not None and (
        isinstance(raw.index, pd.DatetimeIndex)
        or (index_name is not None and index_name in (time_column, *TIME_COLUMN_NAMES))
        or (isinstance(index_name, str) and index_name.lower() in TIME_COLUMN_NAMES)
    )
    if promote and (index_name or "time") not in raw.columns:
        frame = raw.reset_index(names=index_name or "time")
    else:
        frame = raw.reset_index(drop=True)
    name = find_time_column(frame, time_column)
    if name is None:
        report.append("no time column: rows are used in their stored order")
        return frame, None
    frame[name] = parse_time(frame[name])
    check_duplicates(frame[name])
    frame, num_moved = sort_by_time(frame, name)
    if num_moved:
        report.append(f"time column {name!r} was not sorted: sorted the rows by time ({num_moved} rows moved)")
    report.append(describe_spacing(frame[name]))
    return frame.set_index(name), name


def _select_columns(frame: pd.DataFrame, columns: str | Sequence[str] | None, time_name: str | None) -> pd.DataFrame:
    available = list(frame.columns)
    if columns is None:
        selected = available
    else:
        selected = [columns] if isinstance(columns, str) else list(columns)
        if time_name is not None and time_name in selected:
            raise ValueError(
                f"{time_name!r} is the time column, it cannot also be a channel. Remove it from `columns`, or pass "
                "`time_column=None` to model it as a value."
            )
        missing = [c for c in selected if c not in frame.columns]
        if missing:
            raise ValueError(
                f"Column(s) {missing} not found; available columns: {available}"
                + (f" (time column: {time_name!r})" if time_name is not None else "")
                + ". Pass `columns=` names from that list."
            )
        if len(set(selected)) != len(selected):
            raise ValueError(f"`columns` lists a column twice: {selected}. Name each column once.")
    if not selected:
        raise ValueError(
            "No columns to model: the data has only its time column. Pass data with at least one value column."
        )
    frame = frame[selected]
    frame.columns = [str(c) for c in frame.columns]
    if len(set(frame.columns)) != len(frame.columns):
        raise ValueError(f"Column names collide once written as text: {list(frame.columns)}. Rename the columns.")
    return frame


def _missing_value_map(missing_values: MissingValues, columns: list[str]) -> dict[str, list[Scalar]]:
    if missing_values is None:
        return {}
    if isinstance(missing_values, Mapping):
        unknown = [c for c in missing_values if c not in columns]
        if unknown:
            raise ValueError(
                f"`missing_values` names column(s) {unknown} that are not among the selected columns {columns}. "
                "Use names from that list."
            )
        items = missing_values.items()
    else:
        items = ((c, missing_values) for c in columns)
    return {c: [v] if isinstance(v, str) or np.isscalar(v) else list(v) for c, v in items}


def _mark_missing(frame: pd.DataFrame, missing_values: MissingValues, report: list[str]) -> pd.DataFrame:
    frame = frame.copy()
    for column, values in _missing_value_map(missing_values, list(frame.columns)).items():
        mask = frame[column].isin(values)
        if mask.any():
            frame[column] = frame[column].mask(mask)
            report.append(f"missing values: {int(mask.sum())} values of {column!r} equal to {values} marked missing")
    return frame


def _to_numbers(
    frame: pd.DataFrame, categorical: CategoricalPolicy, report: list[str]
) -> tuple[pd.DataFrame, list[str]]:
    frame = frame.copy()
    categorical_columns = []
    for column in list(frame.columns):
        kind = classify_column(frame[column])
        if kind == "numeric":
            frame[column] = frame[column].astype("float64")
        elif kind == "numeric_text":
            frame[column] = pd.to_numeric(frame[column]).astype("float64")
            report.append(f"column {column!r} was stored as text: parsed as numbers")
        elif kind == "text":
            raise ValueError(describe_non_numeric(frame[column]) + ".")
        elif kind == "datetime":
            raise ValueError(
                f"Column {column!r} holds dates or durations, not values. Pass it as `time_column=` or leave it out "
                "of `columns`."
            )
        elif categorical == "error":
            labels = categories_of(frame[column])
            raise ValueError(
                f"Column {column!r} is categorical with values {labels[:10]}{' ...' if len(labels) > 10 else ''}. "
                f"Pass `categorical='onehot'` to encode it as {len(labels)} 0/1 channels "
                f"({onehot_channel_name(column, labels[0]) if labels else column + '=...'}, ...), "
                "`categorical='drop'` to leave it out, or leave it out of `columns`."
            )
        elif categorical == "drop":
            frame = frame.drop(columns=column)
            report.append(f"categorical column {column!r} dropped (categorical='drop')")
        else:
            categorical_columns.append(column)
    if frame.shape[1] == 0:
        raise ValueError(
            "No numeric columns left after dropping the categorical ones. Pass `categorical='onehot'` or data with "
            "numeric columns."
        )
    return frame, categorical_columns


def _missing_mask(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.apply(lambda s: s.isna() | (np.isinf(s) if pd.api.types.is_numeric_dtype(s) else False))


def _where(frame: pd.DataFrame, rows: np.ndarray) -> str:
    labels = frame.index[rows[:NUM_SHOWN]]
    if isinstance(frame.index, pd.RangeIndex):
        return "rows " + ", ".join(str(r) for r in rows[:NUM_SHOWN])
    return ", ".join(f"row {r} ({label})" for r, label in zip(rows[:NUM_SHOWN], labels, strict=True))


def _describe_missing(frame: pd.DataFrame, mask: pd.DataFrame) -> list[str]:
    lines = []
    for column in frame.columns:
        rows = np.flatnonzero(mask[column].to_numpy())
        if rows.size == 0:
            continue
        values = frame[column]
        num_inf = int(np.isinf(values).sum()) if pd.api.types.is_numeric_dtype(values) else 0
        kinds = f"{rows.size - num_inf} NaN" + (f" and {num_inf} inf" if num_inf else "")
        lines.append(f"{column!r}: {kinds} (first at {_where(frame, rows)})")
    return lines


def _apply_nan_policy(frame: pd.DataFrame, nan_policy: NanPolicy, report: list[str]) -> pd.DataFrame:
    mask = _missing_mask(frame)
    if not mask.to_numpy().any():
        return frame
    details = _describe_missing(frame, mask)
    if nan_policy == "error":
        raise ValueError(
            "Missing or infinite values in "
            + "; ".join(details)
            + ". Pass `nan_policy='drop'` to drop those rows, `nan_policy='ffill'` to carry the last valid value "
            "forward, or clean the data first."
        )
    frame = frame.mask(mask)
    if nan_policy == "drop":
        keep = ~mask.any(axis=1).to_numpy()
        frame = frame[keep]
        report.append(
            f"nan_policy='drop': dropped {int((~keep).sum())} rows with missing values ({'; '.join(details)}); "
            "windows may span the removed rows"
        )
    else:
        frame = frame.ffill()
        leading = frame.isna().any(axis=1).to_numpy()
        num_leading = int(leading.sum())  # only rows before a column's first valid value stay NaN
        frame = frame[~leading]
        report.append(
            f"nan_policy='ffill': filled {int(mask.to_numpy().sum())} values ({'; '.join(details)})"
            + (f", dropped {num_leading} leading rows with nothing to fill from" if num_leading else "")
        )
    if len(frame) == 0:
        raise ValueError(
            f"No rows left after nan_policy={nan_policy!r}: every row has a missing value. Check `columns` and "
            "`missing_values`."
        )
    return frame
