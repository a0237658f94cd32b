"""
Baselines a user would reach for, generated in the same units and window shape as the real data: i.i.d.
Gaussian (a floor), GARCH(1,1) with Student-t innovations (the classical model of returns) and a block
bootstrap of the real series (a "copying" reference). A generator that does not beat GARCH on the stylized
facts of returns is not yet good.

With `returns="log"` or `"diff"` the baselines model returns and are cumulated back to levels from the
first value of randomly drawn real windows, so every metric compares like with like.
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np
from scipy import stats

from .checks import as_windows
from .returns import ReturnsKind, from_returns, to_returns
from .time_blocks import infer_stride

BASELINE_NAMES = ("gaussian", "garch", "block_bootstrap")
MAX_GARCH_FIT_VALUES = 200_000


def pooled_segments(windows: np.ndarray) -> list[np.ndarray]:
    """
    The real data as contiguous pieces `[T_k, C]`: one long series when consecutive windows are sliding
    windows of it (same stride throughout, stride < L), otherwise each window on its own.
    """
    stride = infer_stride(windows)
    if stride is None:
        return list(windows)
    tail = windows[1:, windows.shape[1] - stride :].reshape(-1, windows.shape[2])
    return [np.concatenate([windows[0], tail])]


def gaussian_baseline(returns: np.ndarray, num_windows: int, seed: int = 0) -> tuple[np.ndarray, dict[str, Any]]:
    """
    I.i.d. Gaussian windows with the mean and channel covariance of the pooled values of `returns` `[N, L, C]`.

    Returns:
        `(windows [num_windows, L, C], fitted parameters)`.
    """
    flat = returns.reshape(-1, returns.shape[2])
    mean = flat.mean(axis=0)
    covariance = np.atleast_2d(np.cov(flat, rowvar=False))
    rng = np.random.default_rng(seed)
    draws = rng.multivariate_normal(mean, covariance, size=(num_windows, returns.shape[1]), method="eigh")
    return draws, {"mean": mean.tolist(), "covariance": covariance.tolist()}


def _fit_garch_channel(values: np.ndarray) -> dict[str, Any]:
    """Fits a constant-mean GARCH(1,1)-t with the `arch` package on unit-variance data; parameters in data units."""
    try:
        from arch import arch_model
    except ImportError:
        raise ImportError(
            "The GARCH baseline needs the `arch` package: `pip install 'ts-diffusion-wavelet[eval]'`."
        ) from None

    scale = values.std()
    if scale == 0:
        raise ValueError("A constant channel has no volatility to model.")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        fit = arch_model(values / scale, mean="Constant", vol="GARCH", p=1, q=1, dist="t", rescale=False).fit(
            disp="off"
        )
    params = fit.params
    return {
        "mu": float(params["mu"] * scale),
        "omega": float(params["omega"] * scale**2),
        "alpha": float(params["alpha[1]"]),
        "beta": float(params["beta[1]"]),
        "nu": float(params["nu"]),
        "converged": int(fit.convergence_flag) == 0,
        "warnings": [str(w.message) for w in caught],
        "standardized_residuals": np.asarray(fit.std_resid),
    }


def garch_baseline(
    segments: list[np.ndarray], num_windows: int, length: int, seed: int = 0, burn_in: int = 500
) -> tuple[np.ndarray, dict[str, Any]]:
    r"""
    GARCH(1,1) with Student-t innovations fitted per channel on the pooled real returns, simulated into windows.

    $r_t = \mu + \sigma_t z_t$, $\sigma_t^2 = \omega + \alpha (r_{t-1} - \mu)^2 + \beta \sigma_{t-1}^2$, $z_t$
    unit-variance Student t. Channels are tied by the correlation of their standardized residuals through a
    Gaussian copula (constant conditional correlation). Each window is an independent path after `burn_in` steps.

    Args:
        segments (`list[np.ndarray]`): Contiguous real returns `[T_k, C]`, concatenated for the fit.
        num_windows (`int`), length (`int`): Shape of the simulated windows.
        seed (`int`, defaults to 0): Seed of the simulation.
        burn_in (`int`, defaults to 500): Steps discarded so each path starts in its stationary regime.

    Returns:
        `(windows [num_windows, length, C], fitted parameters per channel)`.
    """
    pooled = np.concatenate(segments)[:MAX_GARCH_FIT_VALUES]
    channels = pooled.shape[1]
    fits = [_fit_garch_channel(pooled[:, c]) for c in range(channels)]
    residuals = np.stack([f.pop("standardized_residuals") for f in fits], axis=1)
    correlation = np.atleast_2d(np.corrcoef(residuals[np.isfinite(residuals).all(axis=1)], rowvar=False))
    mu, omega, alpha, beta, nu = (np.array([f[k] for f in fits]) for k in ("mu", "omega", "alpha", "beta", "nu"))
    rng = np.random.default_rng(seed)
    # 1. Correlated unit-variance Student-t shocks through a Gaussian copula.
    normals = rng.multivariate_normal(
        np.zeros(channels), correlation, size=(num_windows, length + burn_in), method="eigh"
    )
    shocks = stats.t.ppf(stats.norm.cdf(normals), nu) * np.sqrt((nu - 2) / nu)
    # 2. The GARCH recursion from the unconditional variance (the sample variance if the fit is not stationary).
    persistence = alpha + beta
    variance = np.where(persistence < 1, omega / np.maximum(1 - persistence, 1e-12), pooled.var(axis=0))
    variance = np.broadcast_to(variance, (num_windows, channels)).copy()
    innovation = np.zeros((num_windows, channels))
    path = np.empty_like(shocks)
    for t in range(length + burn_in):
        variance = omega + alpha * innovation**2 + beta * variance
        innovation = np.sqrt(variance) * shocks[:, t]
        path[:, t] = mu + innovation
    return path[:, burn_in:], {"channels": fits, "residual_correlation": correlation.tolist()}


def block_bootstrap_baseline(
    segments: list[np.ndarray], num_windows: int, length: int, block_length: int, seed: int = 0
) -> tuple[np.ndarray, dict[str, Any]]:
    """
    Moving-block bootstrap: each window concatenates blocks of `block_length` consecutive real values (all
    channels together), drawn uniformly from the contiguous real segments, trimmed to `length`.

    Returns:
        `(windows [num_windows, length, C], parameters)`.
    """
    usable = [s for s in segments if len(s) >= block_length]
    if not usable:
        raise ValueError(
            f"`block_length` = {block_length} is longer than every real segment ({max(len(s) for s in segments)} "
            "steps); pass a shorter block length."
        )
    starts_per_segment = np.array([len(s) - block_length + 1 for s in usable])
    rng = np.random.default_rng(seed)
    blocks_per_window = -(-length // block_length)
    total = num_windows * blocks_per_window
    # 1. Uniform over all admissible block starts of all segments.
    segment_ids = rng.choice(len(usable), size=total, p=starts_per_segment / starts_per_segment.sum())
    starts = (rng.random(total) * starts_per_segment[segment_ids]).astype(int)
    blocks = np.stack([usable[s][b : b + block_length] for s, b in zip(segment_ids, starts, strict=True)])
    windows = blocks.reshape(num_windows, blocks_per_window * block_length, -1)[:, :length]
    return windows, {"block_length": int(block_length), "num_segments": len(usable)}


def make_baselines(
    real: Any,
    num_windows: int | None = None,
    returns: ReturnsKind | None = None,
    real_series: Any | None = None,
    block_length: int | None = None,
    names: tuple[str, ...] = BASELINE_NAMES,
    seed: int = 0,
) -> tuple[dict[str, np.ndarray], dict[str, Any]]:
    """
    Baseline windows in the real data's units and shape.

    Args:
        real (`np.ndarray`): Real windows `[N, L, C]` (or `[N, L]`).
        num_windows (`int`, *optional*): Windows per baseline; defaults to `N`.
        returns (`"log"`, `"diff"` or `None`): Model returns of level windows and cumulate them back (see
            [`to_returns`]); `None` models the values as given.
        real_series (`np.ndarray`, *optional*): The long real series `[T, C]` the windows come from, for the
            GARCH fit and the bootstrap; by default recovered from sliding windows or pooled from the windows.
        block_length (`int`, *optional*): Bootstrap block; defaults to half a window (of returns).
        names (`tuple[str, ...]`): Which baselines, among `"gaussian"`, `"garch"`, `"block_bootstrap"`.
        seed (`int`, defaults to 0): Seed of all draws.

    Returns:
        `(windows by name, info by name)`; a baseline that cannot be fitted is left out of the windows and its
        info holds `{"error": message}`.
    """
    real = as_windows(real, "real", min_windows=2)
    unknown = set(names) - set(BASELINE_NAMES)
    if unknown:
        raise ValueError(f"Unknown baselines {sorted(unknown)}; choose among {BASELINE_NAMES}.")
    num_windows = num_windows or real.shape[0]
    if real_series is not None:
        series = np.asarray(real_series, dtype=np.float64)
        series = series[:, None] if series.ndim == 1 else series
        segments = [series]
    else:
        segments = pooled_segments(real)
    # 1. Everything in return space: returns of the real windows and of the contiguous segments.
    real_returns = to_returns(real, returns, "real")
    segments = [to_returns(s[None], returns, "real_series")[0] for s in segments if len(s) >= 2 or returns is None]
    length = real_returns.shape[1]
    block_length = block_length or max(1, length // 2)
    makers = {
        "gaussian": lambda: gaussian_baseline(real_returns, num_windows, seed),
        "garch": lambda: garch_baseline(segments, num_windows, length, seed + 1),
        "block_bootstrap": lambda: block_bootstrap_baseline(segments, num_windows, length, block_length, seed + 2),
    }
    windows, info = {}, {}
    starts = real[np.random.default_rng(seed + 3).integers(len(real), size=num_windows), 0, :]
    for name in names:
        try:
            generated, info[name] = makers[name]()
        except (ValueError, np.linalg.LinAlgError, RuntimeError) as error:
            info[name] = {"error": f"{type(error).__name__}: {error}"}
            continue
        # 2. Back to the data's units (levels start at real first values).
        windows[name] = from_returns(generated, starts, returns)
    return windows, info
