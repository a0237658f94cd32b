"""Autocorrelation of windows, pooled so that short windows still give usable estimates."""

from __future__ import annotations

from typing import Any

import numpy as np

from .checks import as_window_pair, as_windows


def autocorrelation(windows: Any, max_lag: int, absolute: bool = False) -> np.ndarray:
    r"""
    Autocorrelation at lags `1 ... max_lag`, pooled over windows without crossing window boundaries.

    With $\mu$ and $\sigma^2$ the mean and variance of all values of a channel,
    $\rho(k) = \frac{1}{N (L - k)} \sum_n \sum_{t < L - k} (x_{n,t} - \mu)(x_{n,t+k} - \mu) / \sigma^2$.
    On a single long series (`N = 1`) this is the usual sample ACF times `L / (L - k)`: the same estimator
    whatever the window length, so real and generated windows of any length compare.

    Args:
        windows (`np.ndarray`): Windows `[N, L, C]` (or `[N, L]`).
        max_lag (`int`): Largest lag, at most `L - 1`.
        absolute (`bool`, defaults to `False`): Use `|x|` (volatility clustering when `x` are returns).

    Returns:
        `np.ndarray` `[max_lag, C]`; row `k - 1` holds lag `k`. A constant channel gives 0.
    """
    windows = as_windows(windows)
    length = windows.shape[1]
    if not 1 <= max_lag <= length - 1:
        raise ValueError(
            f"`max_lag` must be between 1 and the window length - 1 = {length - 1}, got {max_lag}; lags beyond "
            "a window need longer windows or one long series."
        )
    x = np.abs(windows) if absolute else windows
    # 1. Centre and scale with the pooled moments of each channel.
    centred = x - x.mean(axis=(0, 1))
    variance = (centred**2).mean(axis=(0, 1))
    # 2. Average the lagged products over the pairs that lie inside one window.
    acf = np.stack([(centred[:, :-k] * centred[:, k:]).mean(axis=(0, 1)) for k in range(1, max_lag + 1)])
    return np.divide(acf, variance, out=np.zeros_like(acf), where=variance > 0)


def acf_distance(real: Any, synthetic: Any, max_lag: int | None = None, absolute: bool = False) -> np.ndarray:
    """
    Mean absolute difference of the autocorrelations at lags `1 ... max_lag`, per channel.

    Args:
        real, synthetic (`np.ndarray`): Windows `[N, L, C]` (or `[N, L]`) of the same length and channels.
        max_lag (`int`, *optional*): Defaults to `min(L - 1, 100)`.
        absolute (`bool`, defaults to `False`): Compare the ACF of `|x|` (volatility clustering of returns).

    Returns:
        `np.ndarray` `[C]` in `[0, 2]`; 0 for identical autocorrelations.
    """
    real, synthetic = as_window_pair(real, synthetic, min_length=2)
    max_lag = min(real.shape[1] - 1, 100) if max_lag is None else max_lag
    gap = autocorrelation(real, max_lag, absolute) - autocorrelation(synthetic, max_lag, absolute)
    return np.abs(gap).mean(axis=0)
