"""Hurst exponent by rescaled-range analysis, pooled over windows, with the Anis-Lloyd small-sample correction."""

from __future__ import annotations

from typing import Any

import numpy as np
from scipy.special import gammaln

from .checks import as_windows

MIN_BLOCK = 8


def expected_rescaled_range(n: int) -> float:
    r"""
    Expected R/S of `n` i.i.d. Gaussian values (Anis & Lloyd 1976), with S the population standard deviation:

    $E[R/S]_n = \frac{\Gamma((n-1)/2)}{\sqrt{\pi}\,\Gamma(n/2)} \sum_{i=1}^{n-1} \sqrt{\frac{n-i}{i}}$.

    Peters' (1994) extra factor `(n - 0.5) / n` is left out: without it the formula matches simulated white
    noise within 0.5% for `n >= 8`, with it white noise scores a Hurst exponent near 0.46.
    """
    i = np.arange(1, n)
    gamma_ratio = np.exp(gammaln((n - 1) / 2) - gammaln(n / 2)) / np.sqrt(np.pi)
    return float(gamma_ratio * np.sqrt((n - i) / i).sum())


def _mean_rescaled_range(x: np.ndarray, n: int) -> float:
    """Mean R/S over the non-overlapping blocks of `n` steps of every window `x` `[N, L]`; nan if all are constant."""
    blocks = x[:, : (x.shape[1] // n) * n].reshape(-1, n)
    # 1. Cumulative deviations from each block's mean; R is their range, S the block's standard deviation.
    deviations = np.cumsum(blocks - blocks.mean(axis=1, keepdims=True), axis=1)
    ranges = deviations.max(axis=1) - deviations.min(axis=1)
    spreads = blocks.std(axis=1)
    usable = spreads > 0
    return float((ranges[usable] / spreads[usable]).mean()) if usable.any() else float("nan")


def block_sizes(length: int, num_sizes: int = 8) -> np.ndarray:
    """Log-spaced block sizes from 8 steps to the window length (at least two sizes; needs `length >= 16`)."""
    if length < 2 * MIN_BLOCK:
        raise ValueError(
            f"The Hurst exponent needs windows of at least {2 * MIN_BLOCK} steps (two block sizes from "
            f"{MIN_BLOCK}), got {length}; use longer windows."
        )
    return np.unique(np.geomspace(MIN_BLOCK, length, num_sizes).astype(int))


def hurst_exponent(windows: Any, num_sizes: int = 8) -> np.ndarray:
    r"""
    Hurst exponent of each channel, by corrected rescaled-range (R/S) analysis pooled over windows.

    For block sizes `n` from 8 to `L`, the mean R/S over all blocks of all windows is compared with its
    expectation under white noise, and $H = 0.5 + $ the slope of $\log(R/S)_n - \log E[R/S]_n$ against
    $\log n$. White noise gives about 0.5, persistent series more (a random walk's levels
    about 1), anti-persistent series less.

    Args:
        windows (`np.ndarray`): Windows `[N, L, C]` (or `[N, L]`), `L >= 16`.
        num_sizes (`int`, defaults to 8): Number of log-spaced block sizes (duplicates after rounding dropped).

    Returns:
        `np.ndarray` `[C]`; nan for a constant channel.
    """
    windows = as_windows(windows)
    sizes = block_sizes(windows.shape[1], num_sizes)
    expected = np.log([expected_rescaled_range(n) for n in sizes])
    hurst = []
    for c in range(windows.shape[2]):
        observed = np.log([_mean_rescaled_range(windows[:, :, c], n) for n in sizes])
        if not np.isfinite(observed).all():
            hurst.append(float("nan"))
            continue
        slope = np.polyfit(np.log(sizes), observed - expected, 1)[0]
        hurst.append(0.5 + slope)
    return np.array(hurst)
