"""A tiny raw model trained through the real training path on a noisy sine, for the anomaly-score tests."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from ts_diffusion_wavelet.pipeline_base import TimeSeriesDiffusionPipeline
from ts_diffusion_wavelet.pipeline_loading import load_pipeline
from ts_diffusion_wavelet.training import parse_config
from ts_diffusion_wavelet.training.loop import train

SINE_WINDOW = 32
PERIOD = 16


def noisy_sine(length: int, seed: int = 0) -> np.ndarray:
    """`sin(2 pi t / 16)` plus white noise of 0.1: what the model learns as normal."""
    steps = np.arange(length)
    return np.sin(2 * np.pi * steps / PERIOD) + 0.1 * np.random.default_rng(seed).standard_normal(length)


def sine_frame(values: np.ndarray) -> pd.DataFrame:
    times = pd.date_range("2024-01-01", periods=len(values), freq="h")
    return pd.DataFrame({"time": times, "value": values})


@pytest.fixture(scope="session")
def sine_model_dir(tmp_path_factory) -> Path:
    """The pipeline folder of a tiny raw UNet trained 200 steps on windows of 32 of a noisy sine (a few seconds)."""
    folder = tmp_path_factory.mktemp("sine_model")
    sine_frame(noisy_sine(600)).to_csv(folder / "train.csv", index=False)
    arguments = [
        "--data", str(folder / "train.csv"), "--target_transform", "none", "--scaling", "standard",
        "--window_size", str(SINE_WINDOW), "--validation_fraction", "0", "--validation_steps", "0",
        "--representation", "raw", "--model_preset", "tiny", "--max_train_steps", "200", "--train_batch_size", "16",
        "--lr_warmup_steps", "20",
        "--learning_rate", "3e-3", "--num_train_timesteps", "100", "--logger", "none",
        "--num_validation_samples", "0", "--checkpointing_steps", "1000", "--output_dir", str(folder / "run"),
        "--calibrate_epsilon_scaling", "false",  # anomaly scores do not sample freely
    ]  # fmt: skip
    train(parse_config(arguments))
    return folder / "run" / "pipeline"


@pytest.fixture
def sine_pipe(sine_model_dir) -> TimeSeriesDiffusionPipeline:
    pipeline = load_pipeline(sine_model_dir)
    pipeline.set_progress_bar_config(disable=True)
    return pipeline
