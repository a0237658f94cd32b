"""Marginal distribution of the values, pooled over windows and time, channel by channel."""

from __future__ import annotations

from typing import Any

import numpy as np
from scipy import stats

from .checks import as_window_pair, as_windows


def wasserstein_per_channel(real: Any, synthetic: Any) -> np.ndarray:
    """
    1-Wasserstein (earth mover's) distance between the pooled values of each channel, in the data's units.

    Args:
        real, synthetic (`np.ndarray`): Windows `[N, L, C]` (or `[N, L]`); the numbers of windows may differ.

    Returns:
        `np.ndarray` `[C]`; 0 for identical distributions.
    """
    real, synthetic = as_window_pair(real, synthetic)
    return np.array(
        [stats.wasserstein_distance(real[..., c].ravel(), synthetic[..., c].ravel()) for c in range(real.shape[2])]
    )


def ks_per_channel(real: Any, synthetic: Any) -> np.ndarray:
    """
    Two-sample Kolmogorov-Smirnov statistic (largest gap between the empirical CDFs) of each channel.

    Returns:
        `np.ndarray` `[C]` in `[0, 1]`; 0 for identical samples, 1 for disjoint supports.
    """
    real, synthetic = as_window_pair(real, synthetic)
    return np.array(
        [stats.ks_2samp(real[..., c].ravel(), synthetic[..., c].ravel()).statistic for c in range(real.shape[2])]
    )


def quantiles(windows: Any, probabilities: np.ndarray | None = None) -> np.ndarray:
    """
    Quantiles of the pooled values of each channel, the coordinates of a QQ plot.

    Args:
        windows (`np.ndarray`): Windows `[N, L, C]` (or `[N, L]`).
        probabilities (`np.ndarray`, *optional*): Levels in `[0, 1]`; defaults to 99 levels 0.01 ... 0.99.

    Returns:
        `np.ndarray` `[len(probabilities), C]`.
    """
    windows = as_windows(windows)
    if probabilities is None:
        probabilities = np.linspace(0.01, 0.99, 99)
    probabilities = np.asarray(probabilities, dtype=np.float64)
    if probabilities.min() < 0 or probabilities.max() > 1:
        raise ValueError(
            f"`probabilities` must lie in [0, 1], got values from {probabilities.min()} to {probabilities.max()}."
        )
    return np.quantile(windows.reshape(-1, windows.shape[2]), probabilities, axis=0)


def qq_distance(real: Any, synthetic: Any, probabilities: np.ndarray | None = None) -> np.ndarray:
    """
    Mean absolute gap between the QQ plot and the diagonal, per channel, divided by the real data's
    interquartile range so that channels of different scales compare.

    Returns:
        `np.ndarray` `[C]`; 0 for identical quantiles.
    """
    real, synthetic = as_window_pair(real, synthetic)
    real_q, synthetic_q = quantiles(real, probabilities), quantiles(synthetic, probabilities)
    spread = np.subtract(*np.quantile(real.reshape(-1, real.shape[2]), [0.75, 0.25], axis=0))
    return np.abs(real_q - synthetic_q).mean(axis=0) / np.where(spread > 0, spread, 1.0)
