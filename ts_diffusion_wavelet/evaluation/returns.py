"""Levels to returns and back, so that stylized facts are measured on returns whatever the user generated."""

from __future__ import annotations

from typing import Literal

import numpy as np

ReturnsKind = Literal["log", "diff"]
RETURNS_KINDS = ("log", "diff")


def _check_kind(kind: str | None) -> None:
    if kind is not None and kind not in RETURNS_KINDS:
        raise ValueError(
            f"`returns` must be one of {RETURNS_KINDS} or None (the data already are returns), got {kind!r}."
        )


def to_returns(levels: np.ndarray, kind: ReturnsKind | None, name: str = "windows") -> np.ndarray:
    r"""
    Turns level windows `[N, L, C]` into return windows `[N, L - 1, C]` along the time axis.

    `"log"`: $r_t = \log x_t - \log x_{t-1}$ (prices); `"diff"`: $r_t = x_t - x_{t-1}$ (rates, levels that can
    be negative); `None`: the input already is returns and comes back unchanged.

    Args:
        levels (`np.ndarray`): Windows `[N, L, C]`, time on axis 1.
        kind (`"log"`, `"diff"` or `None`): Which returns.
        name (`str`, defaults to `"windows"`): How the input is called in error messages.

    Returns:
        `np.ndarray` `[N, L - 1, C]` (or the input when `kind` is `None`).
    """
    _check_kind(kind)
    if kind is None:
        return levels
    if levels.shape[1] < 2:
        raise ValueError(f"`{name}` windows have {levels.shape[1]} time step; returns need at least 2.")
    if kind == "diff":
        return np.diff(levels, axis=1)
    if not (levels > 0).all():
        count = int((levels <= 0).sum())
        raise ValueError(
            f"`{name}` has {count} non-positive values (minimum {levels.min():.6g}) but log returns need strictly "
            "positive prices; use `returns='diff'` for levels that can be zero or negative, or pass prices."
        )
    return np.diff(np.log(levels), axis=1)


def from_returns(returns: np.ndarray, start: np.ndarray, kind: ReturnsKind | None) -> np.ndarray:
    """
    Inverse of [`to_returns`]: cumulates return windows `[N, L - 1, C]` from starting levels `start` `[N, C]`.

    Returns:
        `np.ndarray` `[N, L, C]` whose first step is `start` (or `returns` itself when `kind` is `None`).
    """
    _check_kind(kind)
    if kind is None:
        return returns
    if kind == "diff":
        path = np.cumsum(returns, axis=1) + start[:, None, :]
    else:
        path = start[:, None, :] * np.exp(np.cumsum(returns, axis=1))
    return np.concatenate([start[:, None, :], path], axis=1)
