"""Correlational score (Diffusion-TS)."""

import numpy as np
import pytest

from ts_diffusion_wavelet.evaluation import correlational_score, cross_correlation


def _correlated(rho, n=20000, seed=0):
    rng = np.random.default_rng(seed)
    a, b = rng.standard_normal((2, n))
    return np.stack([a, rho * a + np.sqrt(1 - rho**2) * b], axis=-1).reshape(-1, 20, 2)


def test_identical_sets_score_zero():
    x = _correlated(0.7)
    assert correlational_score(x, x) == 0.0


def test_score_is_the_summed_gap_over_ten():
    score = correlational_score(_correlated(0.9), _correlated(0.0, seed=1))
    assert score == pytest.approx(0.09, abs=0.003)


def test_cross_correlation_matrix():
    matrix = cross_correlation(_correlated(0.5))
    assert matrix.shape == (2, 2) and matrix[0, 0] == 1.0
    assert matrix[0, 1] == pytest.approx(0.5, abs=0.02)


def test_one_channel_points_to_the_acf_distance():
    with pytest.raises(ValueError, match=r"1 channel; for one channel compare autocorrelations with `acf_distance`"):
        correlational_score(np.zeros((5, 10)), np.zeros((5, 10)))
