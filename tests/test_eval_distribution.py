"""Marginal distribution metrics."""

import numpy as np
import pytest

from ts_diffusion_wavelet.evaluation import ks_per_channel, qq_distance, quantiles, wasserstein_per_channel


@pytest.fixture
def windows():
    return np.random.default_rng(0).normal(size=(200, 16, 2))


def test_identical_data_has_zero_distance(windows):
    np.testing.assert_array_equal(wasserstein_per_channel(windows, windows), [0.0, 0.0])
    np.testing.assert_array_equal(ks_per_channel(windows, windows), [0.0, 0.0])
    np.testing.assert_array_equal(qq_distance(windows, windows), [0.0, 0.0])


def test_wasserstein_of_a_shift_is_the_shift(windows):
    shifted = windows + np.array([0.5, 2.0])
    np.testing.assert_allclose(wasserstein_per_channel(windows, shifted), [0.5, 2.0], rtol=1e-9)


def test_ks_of_disjoint_supports_is_one(windows):
    assert ks_per_channel(windows, windows + 100).tolist() == [1.0, 1.0]


def test_distances_per_channel_see_which_channel_differs(windows):
    other = windows.copy()
    other[..., 1] *= 3
    ks = ks_per_channel(windows, other)
    assert ks[0] == 0 and ks[1] > 0.2


def test_quantiles_shape_and_median(windows):
    q = quantiles(windows, [0.5])
    assert q.shape == (1, 2)
    np.testing.assert_allclose(q[0], np.median(windows.reshape(-1, 2), axis=0))


def test_quantile_levels_outside_unit_interval_are_refused(windows):
    with pytest.raises(ValueError, match=r"`probabilities` must lie in \[0, 1\]"):
        quantiles(windows, [0.5, 1.5])
