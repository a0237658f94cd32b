"""
Interpretable per-window statistics: the features a gradient-boosting two-sample test reads, named so that a user
can see what gave generated windows away (too smooth increments, thin tails, a lag-1 autocorrelation...).
"""

from __future__ import annotations

import numpy as np

ACF_LAGS = (1, 2, 5)
CLUSTERING_LAGS = 10
SUB_WINDOWS = 8  # pieces of a window whose scales are compared (volatility clustering within a window)
MAX_CORRELATION_CHANNELS = 16  # 120 pairs; more channels keep only the per-channel statistics


def _standardized_moments(x: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Mean, std, skewness and excess kurtosis along the last axis (0 where the std is 0)."""
    mean = x.mean(axis=-1)
    centered = x - mean[..., None]
    std = centered.std(axis=-1)
    safe = np.where(std > 0, std, 1.0)
    z = centered / safe[..., None]
    skew = np.where(std > 0, (z**3).mean(axis=-1), 0.0)
    kurtosis = np.where(std > 0, (z**4).mean(axis=-1) - 3.0, 0.0)
    return mean, std, skew, kurtosis


def _acf(x: np.ndarray, lag: int) -> np.ndarray:
    """Sample autocorrelation at `lag` along the last axis (0 for a constant row)."""
    centered = x - x.mean(axis=-1, keepdims=True)
    variance = (centered**2).sum(axis=-1)
    covariance = (centered[..., lag:] * centered[..., :-lag]).sum(axis=-1)
    return np.where(variance > 0, covariance / np.where(variance > 0, variance, 1.0), 0.0)


def _correlations(x: np.ndarray) -> np.ndarray:
    """Within-window correlation of every channel pair `[N, C(C-1)/2]`, from `x` `[N, C, L]` (0 where constant)."""
    centered = x - x.mean(axis=-1, keepdims=True)
    norms = np.sqrt((centered**2).sum(axis=-1))
    unit = centered / np.where(norms > 0, norms, 1.0)[..., None]
    matrix = np.einsum("ncl,ndl->ncd", unit, unit)
    upper = np.triu_indices(x.shape[1], k=1)
    return matrix[:, upper[0], upper[1]]


def _channel_statistics(x: np.ndarray) -> list[tuple[str, np.ndarray]]:
    """Statistics of one channel's windows `x` `[N, L]`, as `(name, values [N])` pairs."""
    length = x.shape[1]
    mean, std, skew, kurtosis = _standardized_moments(x)
    deviation = np.abs(x - mean[:, None])
    safe_std = np.where(std > 0, std, 1.0)
    out = [
        ("level (mean)", mean),
        ("scale (std)", std),
        ("skewness", skew),
        ("excess kurtosis", kurtosis),
        ("mean |x - mean| / std", deviation.mean(axis=1) / safe_std),  # a robust tail measure: .80 for a Gaussian
        ("largest |x - mean| / std", deviation.max(axis=1) / safe_std),
        ("drift (last - first)", x[:, -1] - x[:, 0]),
        ("range (max - min)", x.max(axis=1) - x.min(axis=1)),
    ]
    if length >= 4 * SUB_WINDOWS:
        pieces = x[:, : length - length % SUB_WINDOWS].reshape(len(x), SUB_WINDOWS, -1).std(axis=2)
        dispersion = pieces.std(axis=1) / np.where(pieces.mean(axis=1) > 0, pieces.mean(axis=1), 1.0)
        out.append(("scale dispersion over sub-windows", dispersion))
    lags = [lag for lag in ACF_LAGS if lag < length - 1]
    out += [(f"ACF lag {lag}", _acf(x, lag)) for lag in lags]
    out += [(f"ACF of |x - mean| lag {lag}", _acf(deviation, lag)) for lag in lags]
    if length > 2 * CLUSTERING_LAGS:
        # Volatility clustering is a slow, small autocorrelation of |x|: summed over lags it stands out of the noise.
        clustering = sum(_acf(deviation, lag) for lag in range(1, CLUSTERING_LAGS + 1))
        out.append((f"ACF of |x - mean| summed over lags 1-{CLUSTERING_LAGS}", clustering))
    if length < 3:
        return out
    increments = np.diff(x, axis=1)
    _, increment_std, increment_skew, increment_kurtosis = _standardized_moments(increments)
    safe_increment_std = np.where(increment_std > 0, increment_std, 1.0)
    out += [
        ("increment std", increment_std),
        ("increment std / std", increment_std / np.where(std > 0, std, 1.0)),
        ("increment skewness", increment_skew),
        ("increment excess kurtosis", increment_kurtosis),
        ("largest |increment| / increment std", np.abs(increments).max(axis=1) / safe_increment_std),
    ]
    increment_lags = [lag for lag in ACF_LAGS if lag < length - 2]
    out += [(f"increment ACF lag {lag}", _acf(increments, lag)) for lag in increment_lags]
    out += [(f"|increment| ACF lag {lag}", _acf(np.abs(increments), lag)) for lag in increment_lags]
    return out


def window_statistics(windows: np.ndarray, channel_names: list[str] | None = None) -> tuple[np.ndarray, list[str]]:
    """
    Per-window statistics of time-major windows `[N, L, C]`: per channel the level, scale, skewness, excess
    kurtosis, two tail ratios, drift and range, how much the scale varies between 8 pieces of the window (windows
    of 32 steps or more); the autocorrelation of the values and of their absolute deviations at lags 1, 2
    and 5; the scale, tails and autocorrelation (of values and absolute values) of the increments; and, for 2 to
    16 channels, the within-window correlation of every channel pair, of values and of increments.

    Args:
        windows (`np.ndarray`): `[N, L, C]`, float.
        channel_names (`list[str]`, *optional*): Used in the feature names; defaults to `channel_0`, ...

    Returns:
        `(features [N, F] float64, names [F])`; names read like `"Close: increment std"`.
    """
    windows = np.asarray(windows, dtype=np.float64)
    channels = windows.shape[2]
    names = channel_names or [f"channel_{c}" for c in range(channels)]
    columns: list[np.ndarray] = []
    labels: list[str] = []
    for c, channel in enumerate(names):
        for label, values in _channel_statistics(windows[:, :, c]):
            columns.append(values)
            labels.append(f"{channel}: {label}" if channels > 1 or channel_names else label)
    if 2 <= channels <= MAX_CORRELATION_CHANNELS:
        first_major = windows.transpose(0, 2, 1)
        pairs = [(a, b) for i, a in enumerate(names) for b in names[i + 1 :]]
        for kind, data in (("correlation", first_major), ("increment correlation", np.diff(first_major, axis=2))):
            if data.shape[2] < 2:
                continue
            values = _correlations(data)
            columns += list(values.T)
            labels += [f"{kind} {a} / {b}" for a, b in pairs]
    return np.stack(columns, axis=1), labels
