"""Pooling the forecasts of several models: their samples in order, the summaries recomputed over all of them."""

from __future__ import annotations

import numpy as np
import pytest
from pipeline_fixtures import WINDOW, make_raw_pipeline, make_scalogram_pipeline, tiny_preprocessing

from ts_diffusion_wavelet import pool_forecasts, pooled_seeds
from ts_diffusion_wavelet.data import geometric_prices


def test_two_models_forecasts_pool_into_one_mixture():
    context = geometric_prices(WINDOW - 8, shape=(2,), seed=3).T
    raw = make_raw_pipeline(tiny_preprocessing()).forecast(context, 8, 3, num_inference_steps=2, seed=1)
    scalogram = make_scalogram_pipeline(tiny_preprocessing()).forecast(context, 8, 2, num_inference_steps=2, seed=1)
    pooled = pool_forecasts([raw, scalogram])
    assert pooled.samples.shape == (5, 8, 2)
    np.testing.assert_array_equal(pooled.samples, np.concatenate([raw.samples, scalogram.samples]))
    np.testing.assert_array_equal(pooled.median, np.median(pooled.samples, axis=0))
    assert list(pooled.quantiles) == [0.05, 0.5, 0.95]
    np.testing.assert_array_equal(pooled.quantiles[0.95], np.quantile(pooled.samples, 0.95, axis=0))
    assert list(pool_forecasts([raw], quantiles=[0.1, 0.9]).quantiles) == [0.1, 0.9]


def test_forecasts_of_different_shapes_or_none_are_refused():
    pipe = make_raw_pipeline(tiny_preprocessing())
    context = geometric_prices(WINDOW - 8, shape=(2,), seed=3).T
    short = pipe.forecast(context, 4, 2, num_inference_steps=2, seed=1)
    long = pipe.forecast(context, 8, 2, num_inference_steps=2, seed=1)
    with pytest.raises(ValueError, match=r"\[horizon, channels\] \[\(4, 2\), \(8, 2\)\]; they must cover"):
        pool_forecasts([short, long])
    with pytest.raises(ValueError, match="needs at least one forecast"):
        pool_forecasts([])


def test_pooled_seeds_keep_the_first_models_seed_and_give_every_other_its_own():
    assert pooled_seeds(7, 1) == [7]
    seeds = pooled_seeds(7, 4)
    assert seeds[0] == 7 and len(set(seeds)) == 4
    assert seeds == pooled_seeds(7, 4)  # reproducible
    assert pooled_seeds(8, 4)[1:] != seeds[1:]  # nearby seeds do not share the other models' noise
    assert not set(pooled_seeds(8, 4)) & set(seeds)
    assert pooled_seeds(None, 3) == [None, None, None]  # fresh noise stays fresh
