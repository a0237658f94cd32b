"""Input checks of the evaluation: shapes, NaN / inf, too few windows, levels vs returns."""

import numpy as np
import pytest

from ts_diffusion_wavelet.evaluation import (
    acf_distance,
    as_windows,
    discriminative_score,
    to_returns,
    wasserstein_per_channel,
)
from ts_diffusion_wavelet.evaluation.returns import from_returns


def test_two_dimensional_input_is_one_channel():
    windows = as_windows(np.zeros((5, 7)))
    assert windows.shape == (5, 7, 1) and windows.dtype == np.float64


def test_torch_tensors_are_accepted():
    torch = pytest.importorskip("torch")
    assert as_windows(torch.ones(3, 4, 2)).shape == (3, 4, 2)


def test_wrong_number_of_dimensions_names_the_shape_and_the_fix():
    with pytest.raises(ValueError, match=r"time-major windows \[N, L, C\].*got shape \(10,\).*Window a long series"):
        as_windows(np.zeros(10), "real")


def test_length_mismatch_names_both_lengths():
    with pytest.raises(
        ValueError, match=r"`real` windows are \[N, L=24, C=1\] but `synthetic` windows are \[N, L=32, C=1\]"
    ):
        wasserstein_per_channel(np.zeros((4, 24)), np.zeros((4, 32)))


def test_channels_first_input_gets_the_transpose_hint():
    with pytest.raises(ValueError, match=r"looks channels-first \[N, C, L\]; pass `synthetic.transpose\(0, 2, 1\)`"):
        acf_distance(np.random.default_rng(0).normal(size=(8, 24, 3)), np.zeros((8, 3, 24)))


def test_nan_is_located_and_a_fix_given():
    synthetic = np.zeros((4, 6, 2))
    synthetic[2, 5, 1] = np.nan
    synthetic[3, 0, 0] = np.inf
    with pytest.raises(
        ValueError,
        match=r"`synthetic` has 2 non-finite values \(NaN or inf\), the first at window 2, step 5, channel 1; drop",
    ):
        wasserstein_per_channel(np.zeros((4, 6, 2)), synthetic)


def test_too_few_windows_for_the_classifier():
    with pytest.raises(ValueError, match=r"`synthetic` has 3 windows but this metric needs at least 10"):
        discriminative_score(np.zeros((20, 8)), np.zeros((3, 8)), iterations=1, repeats=1)


def test_log_returns_refuse_non_positive_prices_with_the_alternative():
    levels = np.array([[[1.0], [2.0], [0.0], [-1.0]]])
    with pytest.raises(
        ValueError, match=r"`synthetic` has 2 non-positive values \(minimum -1\).*use `returns='diff'`"
    ):
        to_returns(levels, "log", "synthetic")


def test_unknown_returns_kind_lists_the_choices():
    with pytest.raises(ValueError, match=r"`returns` must be one of \('log', 'diff'\) or None"):
        to_returns(np.ones((1, 3, 1)), "pct")


@pytest.mark.parametrize("kind", ["log", "diff", None])
def test_returns_round_trip(kind):
    levels = np.random.default_rng(0).uniform(1, 2, size=(5, 9, 2))
    returns = to_returns(levels, kind)
    assert returns.shape == ((5, 8, 2) if kind else levels.shape)
    if kind:
        np.testing.assert_allclose(from_returns(returns, levels[:, 0], kind), levels, rtol=1e-12)
