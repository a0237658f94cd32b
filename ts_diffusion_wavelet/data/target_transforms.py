r"""Target transforms per channel, as a forward / inverse pair: levels ↔ what the model learns.

- `"none"`: the levels themselves.
- `"diff"`: differences $d_t = y_t - y_{t-1}$; inverse $y_t = y_s + \sum_{k=s+1}^{t} d_k$.
- `"log_return"`: $r_t = \log(y_t / y_{t-1})$ for positive $y$; inverse $y_t = y_s \exp(\sum_{k=s+1}^{t} r_k)$.

Lengths: `T` levels give `T - 1` differences or returns. All channels stay aligned: when any channel is
differenced, the `"none"` channels drop their first row too (`lag` = 1). A window of `L` values whose start level
`y_s` (the level just before the window) is given inverts to the `L` levels after it.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

import numpy as np

TargetTransform = Literal["none", "diff", "log_return"]
TARGET_TRANSFORMS = ("none", "diff", "log_return")


def target_lag(kinds: Sequence[str]) -> int:
    """Rows lost at the start by the transforms: 1 when any channel is differenced, else 0."""
    return int(any(kind != "none" for kind in kinds))


def check_positive(
    levels: np.ndarray, kinds: Sequence[str], channel_names: Sequence[str], index: Sequence | None
) -> None:
    """
    Refuse non-positive (or non-finite) levels in `"log_return"` channels.

    Raises:
        `ValueError`: Naming the column, the first bad value and its row (and time, when `index` is given).
    """
    for channel, (kind, name) in enumerate(zip(kinds, channel_names, strict=True)):
        if kind != "log_return":
            continue
        bad = np.flatnonzero(~(levels[:, channel] > 0) | ~np.isfinite(levels[:, channel]))
        if bad.size:
            row = int(bad[0])
            where = f"row {row}" + (f" ({index[row]})" if index is not None else "")
            raise ValueError(
                f"target_transform='log_return' needs positive prices, but column {name!r} has value "
                f"{float(levels[row, channel])!r} at {where} ({bad.size} non-positive values in all). Use "
                f"target_transform={{{name!r}: 'diff'}} (or 'none') for this column, or fix the data."
            )


def apply_target_transform(
    levels: np.ndarray,
    kinds: Sequence[str],
    *,
    channel_names: Sequence[str],
    index: Sequence | None = None,
) -> np.ndarray:
    """
    Levels `[T, C]` → transformed values `[T - lag, C]` (see [`target_lag`]).

    Args:
        levels (`np.ndarray` of shape `[T, C]`): The series in the data's units, time-major.
        kinds (`list[str]`): One of `TARGET_TRANSFORMS` per channel.
        channel_names (`list[str]`): Names for error messages.
        index (*optional*): Row labels (e.g. timestamps) for error messages.

    Returns:
        `np.ndarray` of shape `[T - lag, C]`, float64.
    """
    levels = np.asarray(levels, dtype="float64")
    check_positive(levels, kinds, channel_names, index)
    lag = target_lag(kinds)
    out = np.empty((levels.shape[0] - lag, levels.shape[1]))
    for channel, kind in enumerate(kinds):
        column = levels[:, channel]
        if kind == "none":
            out[:, channel] = column[lag:]
        elif kind == "diff":
            out[:, channel] = np.diff(column)
        else:
            out[:, channel] = np.diff(np.log(column))
    return out


def invert_target_transform(values: np.ndarray, kinds: Sequence[str], start_values: np.ndarray) -> np.ndarray:
    """
    Transformed values `[..., L, C]` → the `L` levels `[..., L, C]` that follow the start levels.

    Args:
        values (`np.ndarray` of shape `[..., L, C]`): Transformed values, time-major.
        kinds (`list[str]`): One of `TARGET_TRANSFORMS` per channel.
        start_values (`np.ndarray` broadcastable to `[..., C]`): The level just before each window; ignored for
            `"none"` channels.

    Returns:
        `np.ndarray` of shape `[..., L, C]`, float64.
    """
    values = np.asarray(values, dtype="float64")
    start = np.broadcast_to(np.asarray(start_values, dtype="float64"), values.shape[:-2] + values.shape[-1:])
    out = values.copy()
    for channel, kind in enumerate(kinds):
        if kind == "diff":
            out[..., channel] = start[..., None, channel] + np.cumsum(values[..., channel], axis=-1)
        elif kind == "log_return":
            out[..., channel] = start[..., None, channel] * np.exp(np.cumsum(values[..., channel], axis=-1))
    return out
