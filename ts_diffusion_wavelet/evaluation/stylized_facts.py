"""
Stylized facts of financial returns (Cont 2001), measured on returns pooled over windows.

Marginal facts (kurtosis, tails, gain/loss asymmetry) pool every value; lagged facts (autocorrelations,
leverage) pool the pairs that lie inside one window, so a lag `k` needs windows longer than `k`. A fact that
the data cannot support (a lag beyond the windows, too few values in a tail) is `None`, never a number
estimated from one short window.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from scipy import stats

from .checks import as_windows
from .temporal import autocorrelation

# Scalar facts compared between real and generated returns (see `stylized_facts`).
SCALAR_FACTS = (
    "excess_kurtosis",
    "hill_tail_index",
    "skewness",
    "gain_loss_ratio",
    "acf_r_lag1",
    "acf_abs_r_lag1",
    "acf_abs_r_lag10",
    "acf_abs_r_lag50",
    "acf_abs_r_lag100",
    "leverage_mean",
)
ACF_REPORT_LAGS = (1, 10, 50, 100)
MIN_TAIL_VALUES = 10


def hill_tail_index(values: np.ndarray, tail_fraction: float = 0.05) -> float | None:
    r"""
    Hill estimator of the tail index of positive values (Hill 1975).

    With $X_{(1)} \ge X_{(2)} \ge \dots$ the sorted values and $k$ = `tail_fraction` of them,
    $\hat\alpha = \left(\frac{1}{k}\sum_{i=1}^{k} \log X_{(i)} - \log X_{(k+1)}\right)^{-1}$. Student-t data
    with $\nu$ degrees of freedom give about $\nu$; daily stock returns 2 to 5; Gaussian data large values.

    Args:
        values (`np.ndarray`): Positive values (e.g. `|r|`, losses `-r[r < 0]`); non-positive ones are dropped.
        tail_fraction (`float`, defaults to 0.05): Fraction of the largest values used.

    Returns:
        `float`, or `None` when fewer than 10 values fall in the tail.
    """
    if not 0 < tail_fraction < 1:
        raise ValueError(f"`tail_fraction` must be in (0, 1), got {tail_fraction}; 0.05 is customary.")
    x = np.sort(np.asarray(values, dtype=np.float64).ravel())[::-1]
    x = x[x > 0]
    k = int(tail_fraction * len(x))
    if k < MIN_TAIL_VALUES or x[k] <= 0:
        return None
    gamma = np.mean(np.log(x[:k])) - np.log(x[k])
    return float(1.0 / gamma) if gamma > 0 else None


def leverage_effect(returns: Any, max_lag: int = 5) -> np.ndarray:
    r"""
    Leverage effect: correlation of $r_t$ with the future squared return $r_{t+k}^2$, at lags `1 ... max_lag`,
    over the pairs inside one window. Negative values (falls raise future volatility) are the stylized fact.

    Args:
        returns (`np.ndarray`): Return windows `[N, L, C]` (or `[N, L]`), `L > max_lag`.
        max_lag (`int`, defaults to 5): Largest lag.

    Returns:
        `np.ndarray` `[max_lag, C]`; 0 where a series is constant.
    """
    returns = as_windows(returns, min_length=max_lag + 1)
    out = np.zeros((max_lag, returns.shape[2]))
    for k in range(1, max_lag + 1):
        for c in range(returns.shape[2]):
            now = returns[:, :-k, c].ravel()
            later = returns[:, k:, c].ravel() ** 2
            if now.std() > 0 and later.std() > 0:
                out[k - 1, c] = np.corrcoef(now, later)[0, 1]
    return out


def gain_loss_ratio(values: np.ndarray, level: float = 0.01) -> float | None:
    """
    Gain/loss asymmetry: size of the `level` loss quantile over the `1 - level` gain quantile, both measured from
    the median. Above 1, large losses are larger than large gains (stock indices); below 1 the converse.

    Returns:
        `float`, or `None` when the upper quantile does not exceed the median.
    """
    centred = np.asarray(values, dtype=np.float64).ravel()
    centred = centred - np.median(centred)
    low, high = np.quantile(centred, [level, 1 - level])
    return float(-low / high) if high > 0 else None


def _lag_available(num_windows: int, length: int, lag: int, min_pairs: int) -> bool:
    return lag < length and num_windows * (length - lag) >= min_pairs


def stylized_facts_channel(
    returns: np.ndarray,
    max_lag: int = 100,
    leverage_lags: int = 5,
    tail_fraction: float = 0.05,
    min_pairs: int = 100,
) -> dict[str, Any]:
    """
    The stylized facts of one channel of return windows `[N, L]`, as a JSON-ready dict.

    Keys: `excess_kurtosis`, `skewness`, `hill_tail_index` (of `|r|`), `hill_tail_index_losses`,
    `hill_tail_index_gains`, `gain_loss_ratio`, `acf_r_lag1`, `acf_abs_r` (list for lags `1 ... max_lag`),
    `acf_abs_r_lag1/10/50/100`, `leverage` (list for lags `1 ... leverage_lags`), `leverage_mean`,
    `num_values`, `window_length`. A value the windows cannot support is `None`.
    """
    returns = as_windows(returns)[:, :, 0]
    num_windows, length = returns.shape
    values = returns.ravel()
    # 1. Marginal facts on all pooled values.
    constant = values.std() == 0
    facts: dict[str, Any] = {
        "excess_kurtosis": None if constant else float(stats.kurtosis(values, fisher=True)),
        "skewness": None if constant else float(stats.skew(values)),
        "hill_tail_index": hill_tail_index(np.abs(values), tail_fraction),
        "hill_tail_index_losses": hill_tail_index(-values[values < 0], tail_fraction),
        "hill_tail_index_gains": hill_tail_index(values[values > 0], tail_fraction),
        "gain_loss_ratio": gain_loss_ratio(values),
    }
    # 2. Lagged facts on the pairs inside one window, for the lags the windows support.
    available = [k for k in range(1, max_lag + 1) if _lag_available(num_windows, length, k, min_pairs)]
    acf_r = autocorrelation(returns, 1)[0, 0] if available else None
    acf_abs = autocorrelation(returns, available[-1], absolute=True)[:, 0] if available else np.array([])
    facts["acf_r_lag1"] = None if acf_r is None else float(acf_r)
    facts["acf_abs_r"] = [float(acf_abs[k - 1]) if k in available else None for k in range(1, max_lag + 1)]
    for lag in ACF_REPORT_LAGS:
        facts[f"acf_abs_r_lag{lag}"] = facts["acf_abs_r"][lag - 1] if lag <= max_lag else None
    leverage_available = [k for k in range(1, leverage_lags + 1) if _lag_available(num_windows, length, k, min_pairs)]
    leverage = leverage_effect(returns, leverage_available[-1])[:, 0] if leverage_available else np.array([])
    facts["leverage"] = [
        float(leverage[k - 1]) if k in leverage_available else None for k in range(1, leverage_lags + 1)
    ]
    facts["leverage_mean"] = float(leverage.mean()) if len(leverage) else None
    facts["num_values"] = int(values.size)
    facts["window_length"] = int(length)
    return facts


def stylized_facts(
    returns: Any,
    channel_names: list[str] | None = None,
    max_lag: int = 100,
    leverage_lags: int = 5,
    tail_fraction: float = 0.05,
    min_pairs: int = 100,
) -> dict[str, dict[str, Any]]:
    """
    Stylized facts of return windows, channel by channel (see [`stylized_facts_channel`] for the keys).

    Pass returns, not prices: convert levels with [`to_returns`] first. A single long series is `[1, T, C]`.

    Args:
        returns (`np.ndarray`): Return windows `[N, L, C]` (or `[N, L]`).
        channel_names (`list[str]`, *optional*): Keys of the result; defaults to `channel_0`, `channel_1`, ...
        max_lag (`int`, defaults to 100): Largest lag of the ACF of `|r|`.
        leverage_lags (`int`, defaults to 5): Lags of the leverage effect.
        tail_fraction (`float`, defaults to 0.05): Fraction of the sample in the Hill estimator's tail.
        min_pairs (`int`, defaults to 100): Fewest pooled pairs for a lagged fact to be reported.

    Returns:
        `dict[channel name, dict[fact, value]]`, JSON-ready.
    """
    returns = as_windows(returns, "returns", min_windows=1, min_length=2)
    names = channel_names or [f"channel_{c}" for c in range(returns.shape[2])]
    if len(names) != returns.shape[2]:
        raise ValueError(f"Got {len(names)} channel names for {returns.shape[2]} channels; pass one name per channel.")
    return {
        name: stylized_facts_channel(returns[:, :, [c]], max_lag, leverage_lags, tail_fraction, min_pairs)
        for c, name in enumerate(names)
    }


def stylized_facts_errors(real_facts: dict[str, Any], facts: dict[str, Any]) -> dict[str, float | None]:
    """Absolute difference to the real value of every fact in `SCALAR_FACTS` of one channel (`None` if either is)."""
    errors: dict[str, float | None] = {}
    for key in SCALAR_FACTS:
        real, other = real_facts.get(key), facts.get(key)
        errors[key] = None if real is None or other is None else abs(float(other) - float(real))
    return errors
