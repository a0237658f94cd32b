"""The strong judge: time-blocked splits that do not leak, named window statistics, classifier two-sample tests."""

import numpy as np
import pytest

from ts_diffusion_wavelet.data import garch_returns
from ts_diffusion_wavelet.evaluation import (
    c2st_scores,
    infer_stride,
    sliding_windows,
    time_blocked_split,
    window_statistics,
)


def ar1(length: int, phi: float, seed: int, scale: float = 1.0) -> np.ndarray:
    """An AR(1) path `[length]` started in its stationary distribution."""
    rng = np.random.default_rng(seed)
    noise = rng.normal(scale=scale, size=length)
    out = np.empty(length)
    out[0] = noise[0] / np.sqrt(1 - phi**2)
    for t in range(1, length):
        out[t] = phi * out[t - 1] + noise[t]
    return out


@pytest.mark.parametrize("stride", [1, 3, 40])
@pytest.mark.parametrize("phase", [0.0, 0.45])
def test_no_training_window_shares_a_time_step_with_a_test_window(stride, phase):
    length, num_windows = 32, 900
    split = time_blocked_split(num_windows, length, stride, num_cycles=3, test_fraction=0.3, phase=phase)
    starts_train, starts_test = split.train * stride, split.test * stride
    closest = np.abs(starts_train[:, None] - starts_test[None, :]).min()
    assert closest >= length  # windows [s, s + L) of train and test never overlap
    assert split.gap == -(-length // stride)
    assert len(np.intersect1d(split.train, split.test)) == 0
    # Blocks alternate: 3 test blocks (4 with the wrap of a shifted pattern), each followed by training windows.
    test_blocks = [s for s in split.segments if s[2]]
    assert len(test_blocks) in (3, 4)
    assert 0.2 < len(split.test) / (len(split.train) + len(split.test)) < 0.4


def test_phase_moves_the_test_blocks():
    a = time_blocked_split(600, 24, 1, phase=0.0)
    b = time_blocked_split(600, 24, 1, phase=0.5)
    assert len(np.intersect1d(a.test, b.test)) < 0.2 * len(a.test)


def test_too_few_windows_for_the_gaps_is_an_error_naming_the_fix():
    with pytest.raises(ValueError, match=r"too few for a time-blocked split.*fewer cycles"):
        time_blocked_split(100, 64, 1, num_cycles=3)


def test_stride_is_inferred_from_the_overlap():
    series = np.random.default_rng(0).normal(size=(400, 2))
    assert infer_stride(sliding_windows(series, 24, 3)) == 3
    assert infer_stride(sliding_windows(series, 24, 1)) == 1
    shuffled = sliding_windows(series, 24, 3)[np.random.default_rng(1).permutation(126)]
    assert infer_stride(shuffled) is None
    assert infer_stride(sliding_windows(series, 24, 24)) is None  # no overlap to read it from


def test_window_statistics_have_known_values_and_names():
    rng = np.random.default_rng(0)
    white = rng.normal(size=(400, 256, 1))
    features, names = window_statistics(white)
    assert features.shape == (400, len(names)) and len(set(names)) == len(names)
    column = dict(zip(names, features.T, strict=True))
    assert abs(np.median(column["mean |x - mean| / std"]) - np.sqrt(2 / np.pi)) < 0.01
    assert abs(np.median(column["ACF lag 1"])) < 0.02 and abs(np.median(column["excess kurtosis"])) < 0.1
    # Increments of white noise: variance doubles, lag-1 ACF is -1/2.
    assert abs(np.median(column["increment std / std"]) - np.sqrt(2)) < 0.02
    assert abs(np.median(column["increment ACF lag 1"]) + 0.5) < 0.03
    smooth = (white[:, :-2] + white[:, 1:-1] + white[:, 2:]) / 3
    smooth_features, _ = window_statistics(smooth)
    assert np.median(smooth_features[:, names.index("ACF lag 1")]) > 0.6


def test_window_statistics_of_several_channels_name_channels_and_pairs():
    rng = np.random.default_rng(1)
    base = rng.normal(size=(50, 64))
    windows = np.stack([base, base + 0.1 * rng.normal(size=(50, 64)), rng.normal(size=(50, 64))], axis=2)
    features, names = window_statistics(windows, ["a", "b", "c"])
    column = dict(zip(names, features.T, strict=True))
    assert "b: increment std" in column and "correlation a / b" in column and "increment correlation b / c" in column
    assert np.median(column["correlation a / b"]) > 0.95 and abs(np.median(column["correlation a / c"])) < 0.1


@pytest.fixture(scope="module")
def ar_windows():
    """Sliding windows (stride 2) of a long AR(1) series, and independent windows of the same process."""
    real = sliding_windows(ar1(3000, 0.5, seed=0), 48, stride=2)
    same = np.stack([ar1(48, 0.5, seed=100 + i) for i in range(800)])[..., None]
    return real, same


def test_identical_processes_score_near_zero_and_different_ones_near_half(ar_windows):
    real, same = ar_windows
    louder = 3.0 * np.stack([ar1(48, 0.5, seed=900 + i) for i in range(300)])[..., None]
    scores = c2st_scores(real, {"same": same, "louder": louder}, repeats=2, seed=0, progress=False)
    assert list(scores) == ["same", "louder", "real_vs_real"]
    for classifier in ("minirocket", "features"):
        assert scores["same"][classifier]["mean"] < 0.1
        assert scores["louder"][classifier]["mean"] > 0.45
        # The floor: the split does not leak. Its test windows come in ~8 label blocks, so it is noisier.
        assert scores["real_vs_real"][classifier]["mean"] < 0.15
    # What gave the louder windows away is their scale, with its medians in both sets.
    top = scores["louder"]["features"]["top_features"][0]
    assert top["feature"] in {"scale (std)", "range (max - min)", "increment std"}
    assert top["other_median"] > 2 * top["real_median"]
    assert scores["louder"]["strongest"]["mean"] == max(
        scores["louder"][c]["mean"] for c in ("minirocket", "features")
    )
    assert scores["same"]["protocol"] == {
        "stride": 2,
        "stride_inferred": True,
        "gap_windows": 24,
        "num_test_blocks": 3,
        "repeats": 2,
    }


def test_too_smooth_increments_are_caught_where_the_gru_score_is_weak(ar_windows):
    real, _ = ar_windows
    rough = np.stack([ar1(50, 0.5, seed=300 + i) for i in range(300)])
    smoothed = ((rough[:, :-2] + rough[:, 1:-1] + rough[:, 2:]) / 3 * np.sqrt(3))[..., None]  # same scale, smoother
    scores = c2st_scores(real, {"smoothed": smoothed}, classifiers=["features"], repeats=2, progress=False)
    assert scores["smoothed"]["features"]["mean"] > 0.4
    giveaway = scores["smoothed"]["features"]["top_features"][0]["feature"]
    assert "ACF" in giveaway or "increment" in giveaway


def test_heavy_tailed_volatility_clustering_is_told_from_gaussian_noise():
    returns = garch_returns(6000, seed=0)
    real = sliding_windows(returns, 128, stride=4)
    gaussian = np.random.default_rng(1).normal(returns.mean(), returns.std(), size=(400, 128, 1))
    scores = c2st_scores(real, {"gaussian": gaussian}, classifiers=["features"], repeats=2, progress=False)
    assert scores["gaussian"]["features"]["mean"] > 0.25
    assert scores["real_vs_real"]["features"]["mean"] < 0.15


def test_results_are_seeded(ar_windows):
    real, same = ar_windows
    first = c2st_scores(real, {"same": same}, classifiers=["features"], repeats=2, seed=3, progress=False)
    second = c2st_scores(real, {"same": same}, classifiers=["features"], repeats=2, seed=3, progress=False)
    assert first["same"]["features"]["values"] == second["same"]["features"]["values"]


def test_short_windows_skip_minirocket():
    real = sliding_windows(ar1(800, 0.3, seed=0), 6, stride=1)
    other = np.random.default_rng(0).normal(size=(200, 6, 1))
    scores = c2st_scores(real, {"other": other}, repeats=2, progress=False)
    assert set(scores["other"]) == {"features", "strongest", "protocol"}


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"classifiers": ["gru"]}, r"subset of \('minirocket', 'features'\), got \['gru'\]"),
        ({"repeats": 0}, r"`repeats` must be a positive integer, got 0"),
        ({"candidates": {"real_vs_real": np.zeros((20, 48, 1))}}, r"name of the floor row"),
        ({"candidates": {"x": np.zeros((20, 24, 1))}}, r"L=48.*L=24"),
    ],
)
def test_bad_arguments_are_named(ar_windows, kwargs, message):
    real, same = ar_windows
    arguments = {"candidates": {"same": same}, **kwargs}
    with pytest.raises(ValueError, match=message):
        c2st_scores(real, progress=False, **arguments)


def test_too_few_windows_for_both_classes_in_every_split_is_an_error():
    real = np.random.default_rng(0).normal(size=(20, 16, 1))  # non-overlapping: gap of one window
    with pytest.raises(ValueError, match=r"no window of one class .*pass more windows"):
        c2st_scores(real, {"other": real + 1}, classifiers=["features"], repeats=1, progress=False)
