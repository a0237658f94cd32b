"""
Forecasts of several models pooled into one: the mixture of their sample distributions. Models that err
differently (a joint model and a channel-independent one) give a mixture closer to the truth than either alone.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from .conditional_jobs import sample_summaries
from .pipeline_output import ForecastOutput


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
        >>> joint = pipe.forecast(context, 24, num_samples=16)
        >>> independent = pipe_ci.forecast(context, 24, num_samples=16)
        >>> pooled = pool_forecasts([joint, independent])   # 32 samples
        ```
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
