"""Window labels: a categorical column's mode or end value, volatility and trend regimes fitted on training windows
only, the record's round trip, and the errors a user meets where labels enter."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import torch

from ts_diffusion_wavelet.data import prepare_windows
from ts_diffusion_wavelet.data.labels import WindowLabeler, parse_regimes, regime_names, regime_statistic
from ts_diffusion_wavelet.training.config import TrainingConfig


def test_column_labels_are_the_mode_or_the_value_at_the_end():
    codes = np.array([[0, 0, 1, 1, 1], [2, 2, 2, 0, 1], [1, 0, 0, 1, 2]])
    mode = WindowLabeler("column", ["a", "b", "c"], column="x", rule="mode")
    end = WindowLabeler("column", ["a", "b", "c"], column="x", rule="end")
    np.testing.assert_array_equal(mode.label_codes(codes), [1, 2, 0])  # ties (0 and 1 twice) go to the first name
    np.testing.assert_array_equal(end.label_codes(codes), [1, 1, 2])


def test_regime_statistics_read_increments_or_levels():
    steps = np.array([1.0, -1.0, 1.0, -1.0, 1.0])
    levels = np.cumsum(steps)
    # The same path as increments (a log-return channel) and as levels: the same volatility and trend.
    windows = np.stack([steps[None], levels[None]])  # [2, 1, 5]
    as_increments = regime_statistic(windows[:1], [True], "volatility")
    as_levels = regime_statistic(windows[1:], [False], "volatility")
    np.testing.assert_allclose(as_increments, [1.0])
    np.testing.assert_allclose(as_levels, [1.0])
    np.testing.assert_allclose(regime_statistic(windows[:1], [True], "trend"), [1.0])
    np.testing.assert_allclose(regime_statistic(windows[1:], [False], "trend"), [levels[-1] - levels[0]])


def test_regime_thresholds_are_terciles_of_the_training_windows():
    rng = np.random.default_rng(0)
    scales = np.repeat([0.5, 1.0, 2.0], 20)
    windows = rng.standard_normal((60, 1, 50)) * scales[:, None, None]
    labeler = WindowLabeler.fit_regimes("volatility", 3, windows, [True])
    statistic = regime_statistic(windows, [True], "volatility")
    np.testing.assert_allclose(labeler.thresholds, np.quantile(statistic, [1 / 3, 2 / 3]))
    assert labeler.names == ["low", "mid", "high"]
    np.testing.assert_array_equal(np.bincount(labeler.label_windows(windows)), [20, 20, 20])
    np.testing.assert_array_equal(labeler.label_windows(windows), np.repeat([0, 1, 2], 20))


def test_regime_names():
    assert regime_names("trend", 3) == ["down", "flat", "up"]
    assert regime_names("volatility", 2) == ["low", "high"]
    assert regime_names("trend", 4) == ["q1", "q2", "q3", "q4"]
    assert parse_regimes("trend:5") == ("trend", 5)


def _labelled_frame() -> pd.DataFrame:
    rng = np.random.default_rng(1)
    n = 400
    weather = np.where(np.arange(n) % 40 < 30, "wet", "dry")
    values = rng.standard_normal(n)
    values[300:] *= 10  # a volatile end, inside the validation part
    return pd.DataFrame({"x": values, "weather": weather})


def test_prepare_windows_labels_windows_by_a_column_without_modelling_it():
    frame = _labelled_frame()
    data = prepare_windows(frame, label_column="weather", label_rule="end", window_size=10, stride=5, time_column=None)
    assert data.channel_names == ["x"] and data.labeler.names == ["dry", "wet"]
    starts = data.train.window_starts
    expected = (frame["weather"].to_numpy()[starts + 9] == "wet").astype(int)
    np.testing.assert_array_equal(data.labels(data.train), expected)
    mode = prepare_windows(frame, label_column="weather", window_size=10, stride=5, time_column=None)
    windows = frame["weather"].to_numpy()[starts[:, None] + np.arange(10)]
    np.testing.assert_array_equal(mode.labels(mode.train), ((windows == "wet").sum(1) > 5).astype(int))
    assert "labels: column 'weather' (most frequent value over the window): dry, wet" in mode.report
    window, label = mode.labelled(mode.train)[3]
    assert window.shape == (1, 10) and label == mode.labels(mode.train)[3]


def test_regime_thresholds_come_from_training_windows_only():
    frame = _labelled_frame()
    data = prepare_windows(
        frame[["x"]], regimes="volatility:3", window_size=10, time_column=None, validation_fraction=0.25
    )
    train_statistic = regime_statistic(np.stack([w.numpy() for w in data.train]), [False], "volatility")
    np.testing.assert_allclose(data.labeler.thresholds, np.quantile(train_statistic, [1 / 3, 2 / 3]))
    # The volatile validation part (10x) lies above every training threshold.
    assert set(data.labels(data.validation)) == {2}


def test_label_record_round_trip_and_unknown_labels():
    labeler = WindowLabeler("volatility", ["low", "mid", "high"], thresholds=[0.5, 1.5], increments=[True, False])
    again = WindowLabeler.from_dict(labeler.to_dict())
    assert again == labeler
    assert again.indices("high", 3).tolist() == [2, 2, 2]
    assert again.indices(["low", "mid"], 2).tolist() == [0, 1]
    with pytest.raises(
        ValueError,
        match=(
            r"^Unknown label\(s\) \['calm'\]; this model knows \['low', 'mid', 'high'\] \(or 'by_frequency': "
            r"each window's label drawn at its training frequency\)\.$"
        ),
    ):
        again.indices(["low", "calm"], 2)
    with pytest.raises(ValueError, match="Got 2 labels for a batch of 3"):
        again.indices(["low", "mid"], 3)


def test_training_frequencies_are_kept_and_drawn_from():
    data = prepare_windows(
        _labelled_frame()[["x"]], regimes="volatility:3", window_size=10, time_column=None, validation_fraction=0.25
    )
    counts = np.bincount(data.labels(data.train), minlength=3)
    np.testing.assert_allclose(data.labeler.frequencies, counts / counts.sum())
    assert WindowLabeler.from_dict(data.labeler.to_dict()).frequencies == data.labeler.frequencies
    # Draws follow the frequencies; window i's label comes from its own generator, so batches do not matter.
    only_mid = WindowLabeler("volatility", ["low", "mid", "high"], thresholds=[0.5, 1.5], frequencies=[0, 1, 0])
    assert only_mid.indices("by_frequency", 5).tolist() == [1] * 5
    mixed = WindowLabeler("volatility", ["low", "mid", "high"], thresholds=[0.5, 1.5], frequencies=[0.2, 0.3, 0.5])

    def generators(first: int, count: int) -> list[torch.Generator]:
        return [torch.Generator().manual_seed(first + i) for i in range(count)]

    whole = mixed.indices("by_frequency", 6, generators(0, 6))
    halves = torch.cat(
        [mixed.indices("by_frequency", 3, generators(0, 3)), mixed.indices("by_frequency", 3, generators(3, 3))]
    )
    assert whole.tolist() == halves.tolist()
    many = mixed.indices("by_frequency", 4000, torch.Generator().manual_seed(0))
    np.testing.assert_allclose(np.bincount(many.numpy(), minlength=3) / 4000, [0.2, 0.3, 0.5], atol=0.03)
    assert mixed.indices(["high", "by_frequency"], 2, torch.Generator().manual_seed(1))[0] == 2
    # Records from before frequencies were kept draw every label alike.
    old = {key: value for key, value in mixed.to_dict().items() if key != "frequencies"}
    assert WindowLabeler.from_dict(old).frequencies == []
    uniform = WindowLabeler.from_dict(old).indices("by_frequency", 3000, torch.Generator().manual_seed(0))
    np.testing.assert_allclose(np.bincount(uniform.numpy(), minlength=3) / 3000, [1 / 3] * 3, atol=0.03)


def test_label_transitions_are_counted_and_long_paths_follow_them():
    labeler = WindowLabeler("volatility", ["low", "mid", "high"], thresholds=[0.5, 1.5], frequencies=[1, 0, 0])
    labeler.fit_transitions(np.array([0, 0, 1, 1, 2, 2]), np.arange(6), step=2)
    # 0 -> 1 twice, 1 -> 2 twice; nothing follows a 2, so it stays where it is.
    assert labeler.transitions == [[0, 1, 0], [0, 0, 1], [0, 0, 1]]
    assert labeler.transition_step == 2
    assert WindowLabeler.from_dict(labeler.to_dict()) == labeler
    labeler.transitions = [[0, 1, 0], [0, 0, 1], [1, 0, 0]]  # a cycle
    streams = [torch.Generator().manual_seed(i) for i in range(2)]
    assert labeler.chain(4, 2, streams).tolist() == [[0, 0], [1, 1], [2, 2], [0, 0]]
    assert labeler.chain(4, 4, streams).tolist() == [[0, 0], [2, 2], [1, 1], [0, 0]]  # twice the step: squared
    labeler.transitions = []  # a record without transitions: independent draws at the frequencies
    assert labeler.chain(3, 2, streams).tolist() == [[0, 0]] * 3


def test_label_input_errors_name_the_value_and_the_fix():
    frame = _labelled_frame()
    with pytest.raises(ValueError, match=r"--label_column 'wether' is not a column of the data; available columns: "):
        prepare_windows(frame, label_column="wether", window_size=10, time_column=None)
    with pytest.raises(ValueError, match=r"--label_column 'x' must be categorical \(2 to 32 distinct values\)"):
        prepare_windows(frame, label_column="x", window_size=10, time_column=None)
    with pytest.raises(ValueError, match="Choose one source of labels"):
        prepare_windows(frame, label_column="weather", regimes="trend:3", window_size=10, time_column=None)
    with pytest.raises(ValueError, match=r"--regimes must be KIND:K .* got 'volatility:1'"):
        TrainingConfig(regimes="volatility:1")
    with pytest.raises(ValueError, match=r"--label_dropout must be in \[0, 1\] \(0.1 is usual\), got 1.5"):
        TrainingConfig(label_dropout=1.5)
    with pytest.raises(ValueError, match="--label_rule must be one of"):
        TrainingConfig(label_rule="last")
