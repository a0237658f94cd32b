"""Calibrating epsilon scaling: the search, the statistic it matches, the saved default and the training option."""

from __future__ import annotations

import json
import logging

import numpy as np
import pandas as pd
import pytest
from pipeline_fixtures import CHANNELS, make_raw_pipeline, tiny_preprocessing
from test_training import tiny_config

from ts_diffusion_wavelet import TimeSeriesDiffusionPipeline, load_pipeline
from ts_diffusion_wavelet.batch_sampling import sample_windows
from ts_diffusion_wavelet.cli.generate import main
from ts_diffusion_wavelet.epsilon_calibration import EpsilonScalingCalibration, search_factor, step_change_std
from ts_diffusion_wavelet.hub.model_card import build_model_card
from ts_diffusion_wavelet.training.loop import train

BOUNDS = (0.9, 1.1)


def test_step_changes_are_returns_for_log_channels_and_differences_elsewhere():
    levels = np.array([[1.0, 10.0], [2.0, 13.0], [4.0, 10.0], [np.nan, 13.0], [16.0, 10.0]])
    std = step_change_std(levels, [True, False])
    # log 2 every step where both ends are known (the NaN row drops two changes); differences of +-3.
    np.testing.assert_allclose(std, [0.0, 3.0], atol=1e-12)
    windows = np.stack([levels[:3, 1:], levels[2:, 1:]])  # [2, 3, 1]: changes +3 -3 | +3 -3
    np.testing.assert_allclose(step_change_std(windows, [False]), [3.0])
    with pytest.raises(ValueError, match=r"Expected levels of shape \[time, 2\]"):
        step_change_std(levels[:, :1], [True, False])


@pytest.mark.parametrize(
    ("curve", "expected"),
    [
        (lambda factor: 0.87 + 8.0 * (factor - 1), 1 + 0.13 / 8.0),  # linear, as measured on ETTh1
        (lambda factor: 0.87 * np.exp(12.0 * (factor - 1) ** 1.5 + 6 * (factor - 1)), None),  # curved
        (lambda factor: 1.2 - 10.0 * (1 - factor), 0.98),  # too rough: below 1
    ],
)
def test_the_search_reaches_the_data_from_either_side(curve, expected):
    tried = search_factor(lambda factor: float(curve(factor)), 0.01, 6, BOUNDS)
    factors = [factor for factor, _ in tried]
    assert factors[:2] in ([1.0, 1.01], [1.0, 0.99])
    assert abs(tried[-1][1] - 1) <= 0.01 and len(tried) <= 4
    if expected is not None:
        assert tried[-1][0] == pytest.approx(expected, abs=2e-3)


def test_the_search_stops_at_a_bound_without_effect_or_when_already_there():
    assert search_factor(lambda factor: 1.005, 0.01, 6, BOUNDS) == [[1.0, 1.005]]
    pinned = search_factor(lambda factor: 0.5 + (factor - 1), 0.01, 6, BOUNDS)
    assert pinned[-1][0] == 1.1 and len(pinned) == 3  # 1, 1.01, then the bound, where it stops
    flat = search_factor(lambda factor: 0.8, 0.01, 6, BOUNDS)
    assert flat == [[1.0, 0.8], [1.01, 0.8]]  # no effect: no secant step
    assert [len(search_factor(lambda factor: 0.87 + 8.0 * (factor - 1), 0.01, n, BOUNDS)) for n in (1, 2)] == [1, 2]


def test_a_model_already_matching_its_reference_keeps_factor_one_and_the_default_saves(tmp_path):
    pipe = make_raw_pipeline(tiny_preprocessing())
    reference, _ = sample_windows(pipe, 16, 3, seed=0)  # the model's own windows, drawn as the calibration draws
    calibration = pipe.calibrate_epsilon_scaling(reference, num_windows=16, num_inference_steps=3, progress=False)
    assert calibration.factor == 1.0 and calibration.tried == [[1.0, pytest.approx(1.0, abs=1e-9)]]
    assert set(calibration.channel_ratios) == set(CHANNELS)
    assert calibration.num_windows == 16 and calibration.num_inference_steps == 3
    # A factor found elsewhere becomes the default free sampling uses, and survives save / load.
    pipe.register_to_config(epsilon_scaling={**calibration.to_dict(), "factor": 1.1})
    pipe.save_pretrained(tmp_path / "pipe")
    record = json.loads((tmp_path / "pipe" / "model_index.json").read_text())["epsilon_scaling"]
    assert record["factor"] == 1.1 and record["num_windows"] == 16
    loaded = TimeSeriesDiffusionPipeline.from_pretrained(tmp_path / "pipe")
    loaded.set_progress_bar_config(disable=True)
    assert loaded.default_epsilon_scaling == 1.1
    default, _ = sample_windows(loaded, 4, 3, seed=5)
    explicit, _ = sample_windows(loaded, 4, 3, seed=5, epsilon_scaling=1.1)
    off, _ = sample_windows(loaded, 4, 3, seed=5, epsilon_scaling=1.0)
    assert np.array_equal(default, explicit) and not np.array_equal(default, off)
    assert make_raw_pipeline(tiny_preprocessing()).default_epsilon_scaling == 1.0
    assert "epsilon_scaling" not in make_raw_pipeline(tiny_preprocessing()).config


def test_the_reference_is_read_by_channel_name_and_checked(caplog):
    pipe = make_raw_pipeline(tiny_preprocessing())
    windows, _ = sample_windows(pipe, 8, 2, seed=1)
    series = pd.DataFrame(windows.reshape(-1, 2)[:, ::-1], columns=CHANNELS[::-1])  # any column order
    with caplog.at_level(logging.INFO, logger="ts_diffusion_wavelet.epsilon_calibration"):
        calibration = pipe.calibrate_epsilon_scaling(series, num_windows=8, num_inference_steps=2, max_rounds=1)
    assert len(calibration.tried) == 1 and "one-step changes" in caplog.text
    with pytest.raises(ValueError, match=r"The reference has no column \['GBPUSD'\]"):
        pipe.calibrate_epsilon_scaling(series[["EURUSD"]])
    with pytest.raises(ValueError, match=r"series \[time, 2\] or windows \[windows, time, 2\].*got shape \(10, 3\)"):
        pipe.calibrate_epsilon_scaling(np.ones((10, 3)))
    with pytest.raises(ValueError, match="every numeric channel needs changes that vary"):
        pipe.calibrate_epsilon_scaling(np.ones((10, 2)))
    with pytest.raises(ValueError, match=r"`bounds` must include 1 \(no scaling\), got \(1.01, 1.1\)"):
        pipe.calibrate_epsilon_scaling(windows, bounds=(1.01, 1.1))


def test_an_unreachable_reference_warns_and_keeps_the_closest_factor(caplog):
    pipe = make_raw_pipeline(tiny_preprocessing())
    reference, _ = sample_windows(pipe, 8, 2, seed=0)
    rough = reference * np.exp(np.random.default_rng(0).normal(0, 0.05, reference.shape))  # far rougher returns
    with caplog.at_level(logging.WARNING, logger="ts_diffusion_wavelet.epsilon_calibration"):
        calibration = pipe.calibrate_epsilon_scaling(rough, num_windows=8, num_inference_steps=2, progress=False)
    assert "No epsilon scaling in [0.9, 1.1] brought the one-step changes within 0.01" in caplog.text
    assert calibration.increment_ratio == max(ratio for _, ratio in calibration.tried) < 0.5  # all below: the largest


@pytest.mark.parametrize(
    ("record", "message"),
    [({"ratio": 1.0}, "a dict with 'factor'"), ({"factor": 9.0}, "The saved `epsilon_scaling` factor must be")],
)
def test_a_bad_saved_record_is_refused_when_loading(record, message):
    with pytest.raises(ValueError, match=message):
        EpsilonScalingCalibration.from_dict(record)


def test_generate_uses_the_saved_factor_and_known_value_jobs_keep_working(tmp_path):
    pipe = make_raw_pipeline(tiny_preprocessing())
    model = tmp_path / "model"
    pipe.register_to_config(epsilon_scaling={"factor": 1.1, "increment_ratio": 1.0, "channel_ratios": {}})
    pipe.save_pretrained(model)
    common = ["--model", str(model), "--num_inference_steps", "3", "--num_samples", "4"]
    outputs = {}
    for name, extra in {
        "default": [],
        "explicit": ["--epsilon_scaling", "1.1"],
        "off": ["--epsilon_scaling", "1"],
    }.items():
        assert main([*common, "--output", str(tmp_path / f"{name}.npy"), *extra]) == 0
        outputs[name] = np.load(tmp_path / f"{name}.npy")
    assert np.array_equal(outputs["default"], outputs["explicit"])
    assert not np.array_equal(outputs["default"], outputs["off"])
    assert main([*common, "--output", str(tmp_path / "long.csv"), "--length", "50"]) == 0  # the default is not asked


def test_training_with_calibration_saves_the_factor_it_found(tmp_path, caplog):
    options = ["--representation", "raw", "--window_size", "30", "--max_train_steps", "2", "--validation_steps", "0"]
    with caplog.at_level(logging.INFO):
        train(tiny_config(tmp_path, *options, "--calibrate_epsilon_scaling", "true"))
    record = json.loads((tmp_path / "pipeline" / "model_index.json").read_text())["epsilon_scaling"]
    assert record["num_windows"] == 256 and record["num_inference_steps"] == 25 and record["tried"][0][0] == 1.0
    assert load_pipeline(tmp_path / "pipeline").default_epsilon_scaling == record["factor"]
    assert "saved as the sampling default" in caplog.text and "training rows" in caplog.text


def test_the_model_card_says_which_factor_sampling_uses():
    pipe = make_raw_pipeline(tiny_preprocessing())
    assert "epsilon scaling" not in build_model_card(pipe, "user/x", sample_plot=None).text
    record = {"factor": 1.0123, "increment_ratio": 0.998, "channel_ratios": {}, "tried": [[1.0, 0.87]]}
    pipe.register_to_config(epsilon_scaling={**record, "num_windows": 256, "num_inference_steps": 25})
    text = build_model_card(pipe, "user/x", sample_plot=None).text
    assert (
        "| epsilon scaling (default of free sampling) | 1.0123: one-step changes 0.998x the training data's " in text
    )
    assert "(0.870x without; 256 windows, 25 steps) |" in text
