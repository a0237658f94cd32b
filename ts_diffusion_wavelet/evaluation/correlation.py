"""Cross-channel correlation: the correlational score of Diffusion-TS (Yuan & Qiao, ICLR 2024)."""

from __future__ import annotations

from typing import Any

import numpy as np

from .checks import as_window_pair, as_windows


def cross_correlation(windows: Any) -> np.ndarray:
    """
    Lag-0 Pearson correlation between channels of the values pooled over windows and time.

    Returns:
        `np.ndarray` `[C, C]`; a constant channel correlates 0 with the others.
    """
    windows = as_windows(windows)
    flat = windows.reshape(-1, windows.shape[2])
    centred = flat - flat.mean(axis=0)
    spread = np.sqrt((centred**2).mean(axis=0))
    scaled = np.divide(centred, spread, out=np.zeros_like(centred), where=spread > 0)
    correlation = scaled.T @ scaled / len(flat)
    np.fill_diagonal(correlation, 1.0)
    return correlation


def correlational_score(real: Any, synthetic: Any) -> float:
    r"""
    Correlational score: $\frac{1}{10}\sum_{i > j} |\rho^{real}_{ij} - \rho^{syn}_{ij}|$ over channel pairs, with
    $\rho$ the lag-0 [`cross_correlation`] (Diffusion-TS sums the lower triangle and divides by 10; its
    diagonal is 1 for both sets, so it adds nothing).

    It is undefined for one channel (no pairs): use the autocorrelation distances instead.

    Args:
        real, synthetic (`np.ndarray`): Windows `[N, L, C]` with `C >= 2`, same length and channels.

    Returns:
        `float` >= 0; 0 for identical correlation matrices.
    """
    real, synthetic = as_window_pair(real, synthetic)
    if real.shape[2] < 2:
        raise ValueError(
            f"The correlational score compares pairs of channels but the windows have {real.shape[2]} channel; "
            "for one channel compare autocorrelations with `acf_distance` instead."
        )
    gap = np.abs(cross_correlation(real) - cross_correlation(synthetic))
    return float(np.tril(gap, k=-1).sum() / 10.0)
