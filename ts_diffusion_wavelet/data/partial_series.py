r"""
Series with missing values as a forward / inverse pair: levels with NaN `[T, C]` <-> model space with NaN `[T, C]`.

Model-space row `t` is aligned with level row `t` (for `"diff"` / `"log_return"` channels it is the step from
level `t - 1` to level `t`, so row 0 of those channels is never known), which keeps imputed rows where the user's
rows are. A `"none"` channel's value is known where its level is; a differenced channel's step is known only where
the level and the one before it are.

The inverse rebuilds levels from the known ones: before the first known level by stepping back, after the last one
by summing forward, and across a gap between two known levels $y_a$ and $y_b$ by the imputed steps
$d_{a+1..b}$ plus an even share of the discrepancy, $d_k + (y_b - y_a - \sum d) / (b - a)$ (in log space for
`"log_return"`), so each path meets the next known level exactly. Known levels come back bit-identical.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np


def partial_to_model(levels: np.ndarray, kinds: Sequence[str], loc: np.ndarray, scale: np.ndarray) -> np.ndarray:
    """
    Levels `[T, C]` (NaN where missing, positive in `"log_return"` channels) -> scaled model values `[T, C]`, NaN
    where not known.
    """
    levels = np.asarray(levels, dtype="float64")
    out = np.full(levels.shape, np.nan)
    for channel, kind in enumerate(kinds):
        column = levels[:, channel]
        if kind == "none":
            out[:, channel] = column
        else:
            values = np.log(column) if kind == "log_return" else column
            out[1:, channel] = np.diff(values)  # NaN unless both ends are known
    return (out - loc) / scale


def model_to_levels(
    values: np.ndarray, levels: np.ndarray, kinds: Sequence[str], loc: np.ndarray, scale: np.ndarray
) -> np.ndarray:
    """
    Completed model values `[B, T, C]` -> levels `[B, T, C]` in data units, equal to `levels` `[T, C]` wherever it
    is known. A differenced channel needs at least one known level (checked by the caller).
    """
    unscaled = np.asarray(values, dtype="float64") * scale + loc
    out = np.empty_like(unscaled)
    for channel, kind in enumerate(kinds):
        column, steps = levels[:, channel], unscaled[..., channel]
        if kind == "none":
            out[..., channel] = steps
        elif kind == "diff":
            out[..., channel] = _rebuild(steps, column)
        else:
            with np.errstate(over="ignore"):
                out[..., channel] = np.exp(_rebuild(steps, np.log(column)))
        known = ~np.isnan(column)
        out[:, known, channel] = column[known]  # exactly the user's values (exp(log(y)) need not be y)
    return out


def _rebuild(steps: np.ndarray, column: np.ndarray) -> np.ndarray:
    """Levels `[B, T]` from steps `[B, T]` (step `t` leads into level `t`) and known levels `[T]` (NaN elsewhere)."""
    known = np.flatnonzero(~np.isnan(column))
    out = np.empty_like(steps)
    first, last = int(known[0]), int(known[-1])
    # Before the first known level: y_{t-1} = y_t - d_t.
    backward = np.cumsum(steps[:, first:0:-1], axis=1)  # d_first, d_first + d_{first-1}, ...
    out[:, first] = column[first]
    out[:, :first] = column[first] - backward[:, ::-1]
    # Between known levels: the imputed steps, the discrepancy to the next known level shared evenly.
    for a, b in zip(known[:-1], known[1:], strict=True):
        gap = steps[:, a + 1 : b + 1]
        gap = gap + ((column[b] - column[a]) - gap.sum(axis=1, keepdims=True)) / (b - a)
        out[:, a + 1 : b + 1] = column[a] + np.cumsum(gap, axis=1)
    # After the last known level: sum forward.
    out[:, last + 1 :] = column[last] + np.cumsum(steps[:, last + 1 :], axis=1)
    return out
