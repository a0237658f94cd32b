"""
Extreme values: what the model cannot represent is an error, what would dominate its scaling is a warning.

The UNet trains and samples in float32 (bf16 under mixed precision has the same range), so every statistic the
preprocessing fits (mean, std, min, max, `loc`, `scale`) and every model-space value must be finite and below
float32's largest value (about 3.4e38). A statistic that overflows (the std of a column holding 1e300 is `inf` even
in float64) would otherwise scale every window to zero without a word.

Values far outside the bulk are legal but usually a data error (a sentinel, a misplaced decimal): one of them sets
the standard deviation and squeezes every other window towards zero. They are counted in robust standard
deviations (1.4826 x the median absolute deviation, which outliers cannot inflate) from the median, and reported
with a warning beyond `OUTLIER_ROBUST_SIGMAS`.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence

import numpy as np

FLOAT32_MAX = float(np.finfo(np.float32).max)
# The worst heavy tail in the shipped data (hourly wind-speed differences of `bundled:pollution`) reaches about 220
# robust standard deviations; 500 flags only values no plausible tail produces.
OUTLIER_ROBUST_SIGMAS = 500.0
_MAD_TO_SIGMA = 1.4826  # MAD of a Gaussian times this is its standard deviation
_NUM_ROWS_SHOWN = 5


def describe_row(position: int, index: Sequence | None) -> str:
    """`row 12` or `row 12 (2020-01-13 00:00:00)` for a row of the clean series and its index label."""
    label = ""
    if index is not None and not _is_range(index):
        label = f" ({index[position]})"
    return f"row {position}{label}"


def _is_range(index: Sequence) -> bool:
    import pandas as pd

    return isinstance(index, pd.RangeIndex)


def check_representable(
    values: np.ndarray,
    channel_names: Sequence[str],
    *,
    what: str,
    row_offset: int = 0,
    index: Sequence | None = None,
    fix: str,
) -> None:
    """
    Refuse values `[N, C]` that are not finite or do not fit in float32, naming the column and the first row.

    Args:
        values (`np.ndarray` of shape `[N, C]`): Time-major values (float64).
        channel_names (`list[str]`): Column names.
        what (`str`): What the values are, for the message (e.g. `"model-space value"`).
        row_offset (`int`, defaults to 0): Row of the clean series that row 0 of `values` is (the target
            transform's lag).
        index (*optional*): Labels of the clean series' rows (timestamps).
        fix (`str`): The sentence that says how to fix it.

    Raises:
        `ValueError`: Naming the column, the value, its row and the count.
    """
    with np.errstate(invalid="ignore"):
        bad = ~(np.abs(values) <= FLOAT32_MAX)
    if not bad.any():
        return
    rows, channels = np.nonzero(bad)
    first = int(np.argmin(rows))
    row, channel = int(rows[first]), int(channels[first])
    count = int(bad[:, channel].sum())
    raise ValueError(
        f"Column {channel_names[channel]!r} has {count} {what}{'s' if count > 1 else ''} that float32 (the model's "
        f"precision, up to {FLOAT32_MAX:.3g}) cannot hold, the first {float(values[row, channel])!r} at "
        f"{describe_row(row + row_offset, index)}. {fix}"
    )


def check_statistics(
    values: np.ndarray,
    channel_names: Sequence[str],
    *,
    row_offset: int = 0,
    index: Sequence | None = None,
) -> None:
    """
    Refuse a channel whose mean, std, min or max (over `values` `[N, C]`, the transformed training rows) is not
    finite or overflows float32, naming the column, the statistic, and the row of its most extreme value.

    Raises:
        `ValueError`: With the fix (remove or mark the value missing, or model returns instead of levels).
    """
    with np.errstate(over="ignore", invalid="ignore"):
        statistics = {
            "mean": values.mean(axis=0),
            "std": values.std(axis=0),
            "min": values.min(axis=0),
            "max": values.max(axis=0),
        }
    for channel, name in enumerate(channel_names):
        for statistic, per_channel in statistics.items():
            value = float(per_channel[channel])
            if abs(value) <= FLOAT32_MAX:
                continue
            column = values[:, channel]
            with np.errstate(invalid="ignore"):
                row = int(np.nanargmax(np.abs(column - np.nanmedian(column))))
            raise ValueError(
                f"Column {name!r}: the {statistic} of its training values after the target transform is {value!r}, "
                f"beyond float32's range ({FLOAT32_MAX:.3g}), which the model computes in; the most extreme value is "
                f"{float(column[row])!r} at {describe_row(row + row_offset, index)}. Remove that row or mark the "
                "value missing (`missing_values=`, then `nan_policy='drop'` or `'ffill'`), or fix the data."
            )


def find_outliers(values: np.ndarray, threshold: float = OUTLIER_ROBUST_SIGMAS) -> list[np.ndarray]:
    """
    Per channel, the rows of `values` `[N, C]` farther than `threshold` robust standard deviations from the median.

    Channels whose MAD is 0 (more than half of the values equal, e.g. rain that is mostly 0) have no robust spread
    and report no outliers.
    """
    found = []
    for column in np.asarray(values, dtype="float64").T:
        median = np.median(column)
        deviation = np.abs(column - median)
        sigma = _MAD_TO_SIGMA * np.median(deviation)
        found.append(np.flatnonzero(deviation > threshold * sigma) if sigma > 0 else np.array([], dtype=int))
    return found


def warn_outliers(
    values: np.ndarray,
    channel_names: Sequence[str],
    *,
    row_offset: int = 0,
    index: Sequence | None = None,
    threshold: float = OUTLIER_ROBUST_SIGMAS,
) -> list[str]:
    """
    Warn (`UserWarning`) about each channel of `values` `[N, C]` (model space or transformed) with values beyond
    `threshold` robust standard deviations, with their count and first rows.

    Returns:
        `list[str]`: the warnings' texts, one per channel that has outliers (for the data report).
    """
    messages = []
    for channel, rows in enumerate(find_outliers(values, threshold)):
        if rows.size == 0:
            continue
        shown = ", ".join(
            f"{float(values[row, channel]):.4g} at {describe_row(int(row) + row_offset, index)}"
            for row in rows[:_NUM_ROWS_SHOWN]
        )
        message = (
            f"Column {channel_names[channel]!r} has {rows.size} extreme value{'s' if rows.size > 1 else ''} more than "
            f"{threshold:g} robust standard deviations from its median after the target transform ({shown}"
            f"{', ...' if rows.size > _NUM_ROWS_SHOWN else ''}); in the training rows such values set the scaling and "
            "squeeze every other window towards zero. If they are errors, mark them missing (`missing_values=`, then "
            "`nan_policy=`)."
        )
        warnings.warn(message, UserWarning, stacklevel=3)
        messages.append(message)
    return messages
