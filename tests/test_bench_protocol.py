"""The literature benchmark (benchmarks/bench_protocol.py) passes its model settings to training as typed options."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

BENCHMARKS = Path(__file__).resolve().parent.parent / "benchmarks"
sys.path.insert(0, str(BENCHMARKS))

import bench_protocol  # noqa: E402

from ts_diffusion_wavelet.training import parse_config  # noqa: E402


def training_config(tmp_path: Path, *options: str):
    args = bench_protocol.parse_arguments(["--dataset", "etth", *options])
    return parse_config(bench_protocol.training_arguments(args, tmp_path))


def test_noise_settings_reach_the_training_config(tmp_path):
    options = ["--representation", "raw", "--beta_schedule", "cosine", "--input_scale", "2", "--max_train_steps", "7"]
    config = training_config(tmp_path, *options)
    assert (config.beta_schedule, config.input_scale, config.max_train_steps) == ("cosine", 2.0, 7)
    assert (config.scaling, config.window_size, config.validation_fraction) == ("minmax", 24, 0)


@pytest.mark.parametrize("representation", ["raw", "scalogram"])
def test_defaults_are_the_package_noise_settings(tmp_path, representation):
    config = training_config(tmp_path, "--representation", representation)
    assert (config.beta_schedule, config.input_scale) == ("linear", 1.0)
    if representation == "scalogram":
        assert (config.num_scales, config.image_size) == (16, 16)


def test_the_table_names_changed_noise_settings_only():
    settings = {"model_preset": "small", "beta_schedule": "linear", "input_scale": 1.0}
    label = bench_protocol.model_label({"representation": "raw", "settings": settings})
    assert label == "ours, raw (small UNet1D)"
    changed = {**settings, "beta_schedule": "cosine", "input_scale": 2.0}
    label = bench_protocol.model_label({"representation": "raw", "settings": changed})
    assert label == "ours, raw (small UNet1D, cosine schedule, input scale 2)"
    scalogram = {**changed, "scalogram_unet": "1d"}
    label = bench_protocol.model_label({"representation": "scalogram", "settings": scalogram})
    assert label == "ours, scalogram (small UNet1D, series space, cosine schedule, input scale 2)"
    # records written before the two settings existed
    assert bench_protocol.model_label({"representation": "raw", "settings": {"model_preset": "small"}}) == (
        "ours, raw (small UNet1D)"
    )


def test_the_table_says_when_the_epsilon_scaling_was_calibrated():
    settings = {"model_preset": "small", "epsilon_scaling": 1.017421}
    record = {"representation": "raw", "settings": settings}
    assert bench_protocol.model_label(record) == "ours, raw (small UNet1D, epsilon scaling 1.017)"
    record["epsilon_scaling_calibration"] = {"factor": 1.017421}
    assert bench_protocol.model_label(record) == "ours, raw (small UNet1D, epsilon scaling 1.017 calibrated)"
    arguments = bench_protocol.parse_arguments(["--dataset", "etth", "--representation", "raw"])
    assert arguments.calibrate_epsilon_scaling is False and arguments.epsilon_scaling == 1.0
