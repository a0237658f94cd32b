"""Autocorrelation, spectra, scalograms and the Hurst exponent on series with known answers."""

import numpy as np
import pytest

from ts_diffusion_wavelet.data import garch_returns, random_walk, sum_of_sines
from ts_diffusion_wavelet.evaluation import (
    acf_distance,
    autocorrelation,
    hurst_exponent,
    mean_psd,
    mean_scalogram,
    psd_distance,
)
from ts_diffusion_wavelet.evaluation.hurst import expected_rescaled_range

RNG = np.random.default_rng(0)
NOISE = RNG.standard_normal((400, 64))


def _ar1(phi, shape, seed=0):
    rng = np.random.default_rng(seed)
    x = np.zeros(shape)
    shocks = rng.standard_normal(shape)
    x[:, 0] = shocks[:, 0] / np.sqrt(1 - phi**2)
    for t in range(1, shape[1]):
        x[:, t] = phi * x[:, t - 1] + shocks[:, t]
    return x


def test_white_noise_acf_is_near_zero():
    acf = autocorrelation(NOISE, 10)
    assert acf.shape == (10, 1)
    assert np.abs(acf).max() < 0.03


def test_ar1_acf_decays_geometrically():
    acf = autocorrelation(_ar1(0.8, (300, 64)), 3)[:, 0]
    np.testing.assert_allclose(acf, [0.8, 0.64, 0.512], atol=0.04)


def test_garch_has_volatility_clustering_but_no_linear_autocorrelation():
    returns = garch_returns(5000, seed=1)[None]
    assert autocorrelation(returns, 5, absolute=True).min() > 0.05
    assert np.abs(autocorrelation(returns, 5)).max() < 0.05


def test_acf_matches_the_usual_estimator_on_one_long_series():
    x = RNG.standard_normal(500)
    centred = x - x.mean()
    usual = (centred[:-2] * centred[2:]).sum() / (centred**2).sum()
    assert autocorrelation(x[None], 2)[1, 0] == pytest.approx(usual * 500 / 498)


def test_acf_distance_is_zero_for_identical_data_and_large_for_different_dynamics():
    assert acf_distance(NOISE, NOISE).tolist() == [0.0]
    # AR(1) with phi = 0.9 has ACF 0.9, 0.81, ... : mean over lags 1-5 is 0.74.
    assert acf_distance(NOISE, _ar1(0.9, NOISE.shape), max_lag=5)[0] == pytest.approx(0.74, abs=0.06)


def test_lag_beyond_the_window_is_refused():
    with pytest.raises(ValueError, match=r"`max_lag` must be between 1 and the window length - 1 = 63, got 64"):
        autocorrelation(NOISE, 64)


def test_psd_distance_zero_for_identical_and_positive_for_other_spectra():
    sines = sum_of_sines(64, shape=(200,), seed=2)
    assert psd_distance(sines, sines).tolist() == [0.0]
    assert psd_distance(NOISE, _ar1(0.9, NOISE.shape))[0] > 3.0  # dB


def test_mean_psd_of_white_noise_is_flat():
    frequencies, power = mean_psd(NOISE)
    assert frequencies[0] == 0 and frequencies[-1] == 0.5
    assert power[1:-1, 0].std() / power[1:-1, 0].mean() < 0.15


def test_mean_scalogram_matches_pywt():
    pywt = pytest.importorskip("pywt")
    x = sum_of_sines(32, shape=(6,), seed=3)
    scales = np.geomspace(1.625, 12, 8)
    reference, _ = pywt.cwt(x - x.mean(axis=1, keepdims=True), scales, "morl", axis=-1)
    np.testing.assert_allclose(mean_scalogram(x, scales), np.abs(reference).mean(axis=1), atol=1e-5)


def test_anis_lloyd_expectation_matches_simulated_white_noise():
    blocks = RNG.standard_normal((20000, 16))
    deviations = np.cumsum(blocks - blocks.mean(axis=1, keepdims=True), axis=1)
    simulated = ((deviations.max(axis=1) - deviations.min(axis=1)) / blocks.std(axis=1)).mean()
    assert expected_rescaled_range(16) == pytest.approx(simulated, rel=0.01)


def test_hurst_of_white_noise_is_one_half_and_of_a_random_walk_higher():
    assert hurst_exponent(NOISE)[0] == pytest.approx(0.5, abs=0.03)
    assert hurst_exponent(random_walk(64, shape=(400,), seed=1))[0] > 0.8


def test_hurst_needs_two_block_sizes():
    with pytest.raises(
        ValueError, match=r"needs windows of at least 16 steps \(two block sizes from 8\), got 12; use longer windows"
    ):
        hurst_exponent(NOISE[:, :12])
