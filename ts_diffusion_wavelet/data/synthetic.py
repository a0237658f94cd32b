"""Seeded synthetic series for tests, demos and benchmarks.

Every generator returns an array of shape `(*shape, length)`: leading dimensions first, time last, so
`garch_returns(256, shape=(64,))` is a batch of 64 windows and `garch_returns(5000)` one long series.
"""

from __future__ import annotations

import numpy as np


def _check_length(length: int) -> None:
    if not isinstance(length, (int, np.integer)) or length < 1:
        raise ValueError(f"`length` must be a positive integer, got {length!r}.")


def garch_returns(
    length: int,
    *,
    shape: tuple[int, ...] = (),
    omega: float = 1e-6,
    alpha: float = 0.08,
    beta: float = 0.9,
    degrees_of_freedom: float = 5.0,
    seed: int | None = 0,
    burn_in: int = 500,
) -> np.ndarray:
    r"""
    GARCH(1,1) returns with Student-t innovations: heavy tails and volatility clustering.

    $\sigma_t^2 = \omega + \alpha r_{t-1}^2 + \beta \sigma_{t-1}^2$, $r_t = \sigma_t z_t$ with $z_t$ a
    Student-t draw scaled to unit variance.

    Args:
        length (`int`): Number of time steps.
        shape (`tuple[int, ...]`, defaults to `()`): Leading dimensions (independent series).
        omega, alpha, beta (`float`): GARCH parameters; `alpha + beta < 1` keeps the variance finite.
        degrees_of_freedom (`float`, defaults to 5): Student-t degrees of freedom (> 2).
        seed (`int`, *optional*, defaults to 0): Seed of the NumPy generator.
        burn_in (`int`, defaults to 500): Steps discarded so the series starts in its stationary regime.

    Returns:
        `np.ndarray` of shape `(*shape, length)`, float64.
    """
    _check_length(length)
    if alpha < 0 or beta < 0 or alpha + beta >= 1:
        raise ValueError(f"Need alpha, beta >= 0 and alpha + beta < 1 for a finite variance, got {alpha=}, {beta=}.")
    if degrees_of_freedom <= 2:
        raise ValueError(f"`degrees_of_freedom` must be > 2 for a finite variance, got {degrees_of_freedom}.")
    rng = np.random.default_rng(seed)
    total = length + burn_in
    # Student-t scaled to unit variance: Var(t_nu) = nu / (nu - 2).
    shocks = rng.standard_t(degrees_of_freedom, size=(*shape, total)) * np.sqrt(
        (degrees_of_freedom - 2) / degrees_of_freedom
    )
    returns = np.empty_like(shocks)
    variance = np.full(shape, omega / (1 - alpha - beta))
    previous = np.zeros(shape)
    for t in range(total):
        variance = omega + alpha * previous**2 + beta * variance
        previous = np.sqrt(variance) * shocks[..., t]
        returns[..., t] = previous
    return returns[..., burn_in:]


def sum_of_sines(
    length: int,
    *,
    shape: tuple[int, ...] = (),
    num_components: int = 3,
    min_period: float = 4.0,
    max_period: float = 64.0,
    noise_std: float = 0.0,
    seed: int | None = 0,
) -> np.ndarray:
    """
    Sums of sines with random periods (log-uniform in `[min_period, max_period]`), phases and amplitudes.

    Args:
        length (`int`): Number of time steps.
        shape (`tuple[int, ...]`, defaults to `()`): Leading dimensions (independent series).
        num_components (`int`, defaults to 3): Sines per series.
        min_period, max_period (`float`): Range of periods in samples (`min_period` >= 2, the Nyquist limit).
        noise_std (`float`, defaults to 0): Standard deviation of added white noise.
        seed (`int`, *optional*, defaults to 0): Seed of the NumPy generator.

    Returns:
        `np.ndarray` of shape `(*shape, length)`, float64.
    """
    _check_length(length)
    if not 2.0 <= min_period <= max_period:
        raise ValueError(
            f"Need 2 <= min_period <= max_period (periods below 2 samples alias), got {min_period=}, {max_period=}."
        )
    rng = np.random.default_rng(seed)
    periods = np.exp(rng.uniform(np.log(min_period), np.log(max_period), size=(*shape, num_components, 1)))
    phases = rng.uniform(0, 2 * np.pi, size=(*shape, num_components, 1))
    amplitudes = rng.uniform(0.5, 1.5, size=(*shape, num_components, 1))
    t = np.arange(length)
    series = (amplitudes * np.sin(2 * np.pi * t / periods + phases)).sum(axis=-2)
    if noise_std > 0:
        series = series + noise_std * rng.standard_normal(series.shape)
    return series


def random_walk(
    length: int,
    *,
    shape: tuple[int, ...] = (),
    step_std: float = 1.0,
    drift: float = 0.0,
    start: float = 0.0,
    seed: int | None = 0,
) -> np.ndarray:
    """
    Gaussian random walks `start + cumsum(drift + step_std * z)`.

    Args:
        length (`int`): Number of time steps.
        shape (`tuple[int, ...]`, defaults to `()`): Leading dimensions (independent series).
        step_std (`float`, defaults to 1): Standard deviation of each step.
        drift (`float`, defaults to 0): Mean of each step.
        start (`float`, defaults to 0): Level before the first step.
        seed (`int`, *optional*, defaults to 0): Seed of the NumPy generator.

    Returns:
        `np.ndarray` of shape `(*shape, length)`, float64.
    """
    _check_length(length)
    rng = np.random.default_rng(seed)
    steps = drift + step_std * rng.standard_normal((*shape, length))
    return start + np.cumsum(steps, axis=-1)


def geometric_prices(
    length: int,
    *,
    shape: tuple[int, ...] = (),
    start: float = 1.0,
    seed: int | None = 0,
    **garch_kwargs: float,
) -> np.ndarray:
    """
    Positive prices `start * exp(cumsum(r))` from GARCH returns, for tests of log-return preprocessing.

    Args:
        length (`int`): Number of time steps.
        shape (`tuple[int, ...]`, defaults to `()`): Leading dimensions (independent series).
        start (`float`, defaults to 1): Price before the first return (> 0).
        seed (`int`, *optional*, defaults to 0): Seed of the NumPy generator.
        garch_kwargs: Passed to [`garch_returns`].

    Returns:
        `np.ndarray` of shape `(*shape, length)`, float64, strictly positive.
    """
    if start <= 0:
        raise ValueError(f"`start` must be a positive price, got {start}.")
    returns = garch_returns(length, shape=shape, seed=seed, **garch_kwargs)
    return start * np.exp(np.cumsum(returns, axis=-1))
