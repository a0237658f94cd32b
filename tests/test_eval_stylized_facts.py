"""Stylized facts of returns: reference values on GOOG daily returns, known distributions, short windows."""

from pathlib import Path

import numpy as np
import pytest

from ts_diffusion_wavelet.data import garch_returns
from ts_diffusion_wavelet.evaluation import gain_loss_ratio, hill_tail_index, leverage_effect, stylized_facts

# Daily log returns of the Close column of the shared `stock_data.csv` (GOOG, 3,684 days).
GOOG = np.load(Path(__file__).parent / "eval_goog_log_returns.npy")


def test_reference_values_on_goog_daily_returns():
    facts = stylized_facts(GOOG[None])["channel_0"]
    assert facts["excess_kurtosis"] == pytest.approx(9.6, abs=0.05)
    assert facts["hill_tail_index"] == pytest.approx(2.7, abs=0.05)
    assert facts["acf_r_lag1"] == pytest.approx(0.010, abs=0.001)
    # The notes' ACF divides by T; ours by T - k (the same estimator for any window length).
    for lag, reference in zip((1, 10, 50, 100), (0.175, 0.156, 0.116, 0.063), strict=True):
        assert facts[f"acf_abs_r_lag{lag}"] == pytest.approx(reference * len(GOOG) / (len(GOOG) - lag), abs=0.002)
    assert all(value < 0 for value in facts["leverage"])
    assert len(facts["acf_abs_r"]) == 100


def test_hill_index_of_student_t_is_its_degrees_of_freedom():
    draws = np.random.default_rng(0).standard_t(3, size=200_000)
    assert hill_tail_index(np.abs(draws), 0.01) == pytest.approx(3.0, rel=0.1)


def test_hill_index_needs_a_tail():
    assert hill_tail_index(np.arange(1.0, 100.0), 0.05) is None
    with pytest.raises(ValueError, match=r"`tail_fraction` must be in \(0, 1\)"):
        hill_tail_index(np.ones(10), 1.5)


def test_gaussian_returns_have_no_excess_kurtosis_or_clustering():
    facts = stylized_facts(np.random.default_rng(1).normal(size=(200, 100)))["channel_0"]
    assert abs(facts["excess_kurtosis"]) < 0.1
    assert abs(facts["acf_abs_r_lag1"]) < 0.03


def test_garch_windows_have_heavy_tails_and_clustering():
    facts = stylized_facts(garch_returns(128, shape=(200,), seed=2))["channel_0"]
    assert facts["excess_kurtosis"] > 1
    assert facts["acf_abs_r_lag1"] > 0.05 and facts["acf_abs_r_lag10"] > 0.02


def test_lags_beyond_short_windows_are_none_not_estimated():
    facts = stylized_facts(garch_returns(24, shape=(100,), seed=3))["channel_0"]
    assert facts["acf_abs_r_lag10"] is not None
    assert facts["acf_abs_r_lag50"] is None and facts["acf_abs_r_lag100"] is None
    assert facts["acf_abs_r"][23] is None and facts["acf_abs_r"][22] is not None


def test_leverage_is_negative_when_falls_raise_volatility():
    rng = np.random.default_rng(4)
    returns, variance, previous = np.empty(20000), 1.0, 0.0
    for t in range(20000):  # GJR-type: only losses feed the next variance
        variance = 0.05 + 0.3 * (previous < 0) * previous**2 + 0.65 * variance
        previous = np.sqrt(variance) * rng.standard_normal()
        returns[t] = previous
    assert leverage_effect(returns[None], 3).max() < -0.05
    assert np.abs(leverage_effect(rng.standard_normal((1, 20000)), 3)).max() < 0.03


def test_gain_loss_ratio_sees_skew():
    draws = np.random.default_rng(5).gamma(2.0, size=100_000)
    assert gain_loss_ratio(-draws) > 1.5  # losses larger than gains
    assert gain_loss_ratio(draws) < 0.7


def test_channel_names_key_the_result():
    facts = stylized_facts(np.random.default_rng(6).normal(size=(10, 50, 2)), ["a", "b"])
    assert list(facts) == ["a", "b"]
    with pytest.raises(ValueError, match="Got 1 channel names for 2 channels"):
        stylized_facts(np.zeros((10, 50, 2)), ["a"])
