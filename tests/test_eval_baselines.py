"""Baselines: shapes and units, what each one reproduces, the recovered long series."""

import numpy as np
import pytest

from ts_diffusion_wavelet.data import garch_returns, geometric_prices
from ts_diffusion_wavelet.evaluation import autocorrelation, make_baselines, sliding_windows, stylized_facts
from ts_diffusion_wavelet.evaluation.baselines import block_bootstrap_baseline, garch_baseline, pooled_segments

SERIES = garch_returns(4000, seed=5)
WINDOWS = sliding_windows(SERIES, 64, stride=4)


def test_sliding_windows_are_recovered_as_one_series():
    segments = pooled_segments(WINDOWS)
    assert len(segments) == 1
    np.testing.assert_array_equal(segments[0][:, 0], SERIES[: len(segments[0])])


def test_independent_windows_stay_separate():
    windows = garch_returns(32, shape=(10,), seed=1)[..., None]
    assert len(pooled_segments(windows)) == 10


def test_garch_fit_recovers_the_generating_parameters():
    _, info = garch_baseline([SERIES[:, None]], 10, 32, seed=0)
    fitted = info["channels"][0]
    assert fitted["alpha"] == pytest.approx(0.08, abs=0.04)
    assert fitted["beta"] == pytest.approx(0.9, abs=0.05)
    assert 3 < fitted["nu"] < 9


def test_baselines_have_the_real_shape_and_their_expected_facts():
    windows, info = make_baselines(WINDOWS, num_windows=300, seed=0)
    assert {k: v.shape for k, v in windows.items()} == {
        k: (300, 64, 1) for k in ("gaussian", "garch", "block_bootstrap")
    }
    gaussian = stylized_facts(windows["gaussian"])["channel_0"]
    garch = stylized_facts(windows["garch"])["channel_0"]
    assert abs(gaussian["excess_kurtosis"]) < 0.3 and abs(gaussian["acf_abs_r_lag1"]) < 0.05
    assert garch["excess_kurtosis"] > 1 and garch["acf_abs_r_lag1"] > 0.05
    np.testing.assert_allclose(info["gaussian"]["mean"], [SERIES.mean()], atol=2e-4)


def test_block_bootstrap_copies_real_blocks():
    windows, _ = block_bootstrap_baseline([SERIES[:, None]], 5, 20, block_length=10, seed=0)
    block = windows[0, :10, 0]
    starts = np.flatnonzero(SERIES == block[0])
    assert any(np.array_equal(SERIES[s : s + 10], block) for s in starts)
    with pytest.raises(ValueError, match=r"`block_length` = 50 is longer than every real segment \(20 steps\)"):
        block_bootstrap_baseline([SERIES[:20, None]], 5, 20, block_length=50)


def test_level_windows_are_modelled_as_returns_and_start_at_real_levels():
    prices = geometric_prices(32, shape=(100,), start=50.0, seed=2)[..., None]
    windows, _ = make_baselines(prices, returns="log", seed=1)
    for generated in windows.values():
        assert generated.shape == prices.shape and (generated > 0).all()
        assert np.isin(generated[:, 0, 0], prices[:, 0, 0]).all()
    # GARCH on the log returns keeps volatility clustering in the returns of its price paths.
    garch_returns_ = np.diff(np.log(windows["garch"]), axis=1)
    assert autocorrelation(garch_returns_, 1, absolute=True)[0, 0] > 0.03


def test_unknown_baseline_lists_the_choices():
    with pytest.raises(ValueError, match=r"Unknown baselines \['arima'\]; choose among"):
        make_baselines(WINDOWS, names=("arima",))


def test_an_unfittable_baseline_is_reported_not_raised():
    windows, info = make_baselines(np.ones((20, 16, 1)), names=("garch", "gaussian"))
    assert "garch" not in windows and "constant channel" in info["garch"]["error"]
    assert windows["gaussian"].shape == (20, 16, 1)
