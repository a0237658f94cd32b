"""Per-channel affine scaling as a forward / inverse pair: `scaled = (x - loc) / scale`, `x = scaled * scale + loc`.

- `"standard"`: `loc` = mean, `scale` = standard deviation (population, ddof=0).
- `"minmax"`: maps `[min, max]` to `[-1, 1]`: `loc` = (max + min) / 2, `scale` = (max - min) / 2.
- `"none"`: `loc` = 0, `scale` = 1.

Statistics come from the values passed to [`fit_scaling`]: the training split only.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

import numpy as np

Scaling = Literal["standard", "minmax", "none"]
SCALINGS = ("standard", "minmax", "none")


def fit_scaling(
    values: np.ndarray,
    kinds: Sequence[str],
    *,
    channel_names: Sequence[str],
    known_ranges: Sequence[tuple[float, float] | None] | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """
    Fit `loc` and `scale` per channel.

    Args:
        values (`np.ndarray` of shape `[N, C]`): Training values, time-major, finite.
        kinds (`list[str]`): One of `SCALINGS` per channel.
        channel_names (`list[str]`): Names for error messages.
        known_ranges (`list[tuple[float, float] | None]`, *optional*): Per channel, a `(min, max)` that is known a
            priori and used instead of the data's (one-hot channels: `(0, 1)`).

    Returns:
        `(loc, scale)`, each `np.ndarray` of shape `[C]`, float64.

    Raises:
        `ValueError`: For a constant channel under `"standard"` or `"minmax"` (naming it and its value).
    """
    values = np.asarray(values, dtype="float64")
    num_channels = values.shape[1]
    loc, scale = np.zeros(num_channels), np.ones(num_channels)
    for channel, kind in enumerate(kinds):
        known = known_ranges[channel] if known_ranges is not None else None
        column = values[:, channel]
        if known is not None and kind != "none":
            low, high = known
            loc[channel], scale[channel] = (high + low) / 2, (high - low) / 2
            continue
        if kind == "standard":
            loc[channel], scale[channel] = column.mean(), column.std()
        elif kind == "minmax":
            loc[channel], scale[channel] = (column.max() + column.min()) / 2, (column.max() - column.min()) / 2
        if kind != "none" and (np.ptp(column) == 0 or not scale[channel] > 0):
            raise ValueError(
                f"Channel {channel_names[channel]!r} is constant on the training split (every value is "
                f"{float(column[0])!r} after the target transform), so scaling={kind!r} would divide by zero. Leave "
                f"the column out with `columns=`, or use scaling={{{channel_names[channel]!r}: 'none'}}."
            )
    return loc, scale


def scale_values(values: np.ndarray, loc: np.ndarray, scale: np.ndarray) -> np.ndarray:
    """`(values - loc) / scale` over the last axis (channels)."""
    return (np.asarray(values, dtype="float64") - loc) / scale


def unscale_values(values: np.ndarray, loc: np.ndarray, scale: np.ndarray) -> np.ndarray:
    """Inverse of [`scale_values`]: `values * scale + loc` over the last axis (channels)."""
    return np.asarray(values, dtype="float64") * scale + loc
