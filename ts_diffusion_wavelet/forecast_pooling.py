"""
Forecasts of several models pooled into one: the mixture of their sample distributions. Models that err
differently (a joint model and a channel-independent one) give a mixture closer to the truth than either alone.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from .conditional_jobs import sample_summaries
from .pipeline_output import ForecastOutput
from .seeding import derived_seed

POOL_KEY = 0x706F6F6C  # "pool": a third SeedSequence word, so these seeds are not any window's (seed, index) stream


def pool_forecasts(forecasts: Sequence[ForecastOutput], quantiles: Sequence[float] | None = None) -> ForecastOutput:
    """
    One forecast from the samples of several, each model weighted by its number of samples.

    Args:
        forecasts (`list[ForecastOutput]`): [`TimeSeriesDiffusionPipeline.forecast`] outputs for the same context and
            horizon (from different models, or from one model with different seeds).
        quantiles (`list[float]`, *optional*): Quantile levels of the pooled forecast; defaults to the first
            forecast's.

    Returns:
        [`ForecastOutput`]: the samples of every forecast, `[sum of num_samples, horizon, channels]`, with the
        median and quantiles recomputed over all of them.

    Raises:
        `ValueError`: With no forecast, or forecasts of different horizons or channel counts (naming them).

    Examples:
        ```py
        >>> first, second = pooled_seeds(0, 2)   # one noise stream per model
        >>> joint = pipe.forecast(context, 24, num_samples=16, seed=first)
        >>> independent = pipe_ci.forecast(context, 24, num_samples=16, seed=second)
        >>> pooled = pool_forecasts([joint, independent])   # 32 samples
        ```

    Forecasts drawn with the same seed share their noise sample by sample, so two similar models give near copies
    and the pool is fewer independent draws than it holds; seed each model with [`pooled_seeds`].
    """
    if not forecasts:
        raise ValueError("pool_forecasts needs at least one forecast; pass the outputs of `pipe.forecast`.")
    shapes = [np.shape(forecast.samples)[1:] for forecast in forecasts]
    if any(shape != shapes[0] for shape in shapes):
        raise ValueError(
            f"The forecasts to pool have [horizon, channels] {shapes}; they must cover the same horizon and channels "
            "(forecast every model from the same context with the same horizon)."
        )
    samples = np.concatenate([np.asarray(forecast.samples) for forecast in forecasts])
    median, by_level = sample_summaries(samples, list(forecasts[0].quantiles) if quantiles is None else quantiles)
    return ForecastOutput(samples=samples, median=median, quantiles=by_level)


def pooled_seeds(seed: int | None, count: int) -> list[int | None]:
    """
    One seed per pooled model: the first is `seed` itself (a model forecasts as it would alone), the others are
    drawn from `(seed, model number)` (keyed apart from the per-sample streams), so no two models start from the
    same noise.

    Args:
        seed (`int` or `None`): The forecast's seed; `None` (fresh noise for every model) stays `None`.
        count (`int`): How many models are pooled.

    Returns:
        `list`: `count` seeds, distinct for an integer `seed`.
    """
    if seed is None:
        return [None] * count
    return [seed] + [derived_seed(seed, model, POOL_KEY) for model in range(1, count)]
