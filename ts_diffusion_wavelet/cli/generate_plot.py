"""The `--plot` of `generate.py`: generated windows beside real ones read with the model's training options."""

from __future__ import annotations

import os

import numpy as np
import torch

from ..data import load_series
from ..pipeline_base import TimeSeriesDiffusionPipeline
from ..plotting import plot_samples

_REAL_WINDOWS = 8


def real_windows_for(
    pipeline: TimeSeriesDiffusionPipeline, source: str, length: int
) -> tuple[np.ndarray, torch.Tensor | None]:
    """
    Evenly spaced real windows of `length` steps from `source`, in data units `[M, L, C]`, and the same windows
    in model space `[M, C, L]` when the pipeline has a preprocessing record (for their scalograms).
    """
    options = pipeline.config.get("training_config") or {}
    time_column = options.get("time_column", "auto")
    clean = load_series(
        source,
        columns=options.get("columns"),
        time_column=None if time_column in (None, "none") else time_column,
        nan_policy="ffill",
        categorical=options.get("categorical", "error"),
    )
    missing = [name for name in pipeline.channel_names if name not in clean.frame.columns]
    if missing:
        raise ValueError(
            f"--real {source!r} lacks the model's channels {missing} (it has {list(clean.frame.columns)}); pass the "
            "data the model was trained on."
        )
    levels = clean.frame[pipeline.channel_names]
    values = levels.to_numpy(dtype=np.float64)
    if len(values) < length + 1:
        raise ValueError(f"--real {source!r} has {len(values)} rows, too few for windows of {length}.")
    preprocessor = pipeline._preprocessor()
    lag = 0 if preprocessor is None else preprocessor.lag  # rows the target transform drops (1 for returns)
    starts = np.linspace(0, len(values) - length - lag, _REAL_WINDOWS).astype(int)
    # Model-space row s covers level row s + lag (a return ends at the level after its start).
    real = np.stack([values[s + lag : s + lag + length] for s in starts])
    if preprocessor is None:
        return real, None
    model_space = preprocessor.transform(levels)
    windows = np.stack([model_space[s : s + length].T for s in starts])
    return real, torch.from_numpy(windows).float()


def plot_generated(
    pipeline: TimeSeriesDiffusionPipeline,
    series: np.ndarray,
    images: np.ndarray | None,
    path: str | os.PathLike,
    real_source: str | None,
) -> None:
    """Draw `series` (and `images`), with real windows and their scalograms when `real_source` is given."""
    real = real_images = None
    if real_source is not None:
        real, real_model_space = real_windows_for(pipeline, real_source, series.shape[1])
        if images is not None and real_model_space is not None:
            real_images = pipeline.representation.images(real_model_space).numpy()
    plot_samples(
        series,
        path,
        channel_names=pipeline.channel_names,
        real=real,
        generated_images=images,
        real_images=real_images,
        title=f"{len(series)} generated windows" + (" (grey: real)" if real is not None else ""),
    )
