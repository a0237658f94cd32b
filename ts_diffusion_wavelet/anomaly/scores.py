r"""
The reconstruction score: noise a window to a few levels of the training schedule, let the model estimate the clean
window, and measure how far the estimate lands from the window.

A model that learned normal windows pulls a noised normal window back to itself; what it has not seen (a spike, a
level shift, a changed rhythm) it pulls towards something normal instead, so the error is large there. At noise
level $t$ the state is $x_t = \sqrt{\bar\alpha_t} x_0 + \sqrt{1 - \bar\alpha_t} \epsilon$ (Ho et al. 2020, eq. 4),
and the estimate of $x_0$ follows from the prediction the model was trained for:
$\hat x_0 = (x_t - \sqrt{1 - \bar\alpha_t} \hat\epsilon) / \sqrt{\bar\alpha_t}$ (epsilon),
$\hat x_0 = \sqrt{\bar\alpha_t} x_t - \sqrt{1 - \bar\alpha_t} \hat v$ (v, Salimans & Ho 2022), or the output itself
(sample). The noise of window $i$ comes from a generator seeded by `(seed, i)`, so scores do not depend on the
batch size.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import Any, Literal

import numpy as np
import pandas as pd
import torch
from tqdm.auto import tqdm

from ..argument_checks import is_integer
from ..batch_sampling import window_generator
from ..clean_estimate import clean_estimate, signal_and_noise_scales
from ..conditional_jobs import SeriesLike, _sliding_starts
from .inputs import NanPolicy, model_space_series
from .output import AnomalyOutput

Aggregation = Literal["mean", "max", "window"]
AGGREGATIONS: tuple[str, ...] = ("mean", "max", "window")
# Fractions of the training schedule: small enough that the window's shape survives the noise, large enough that
# the model must fill in detail from what it learned.
DEFAULT_NOISE_LEVELS: tuple[float, ...] = (0.05, 0.1, 0.2, 0.4)


def anomaly_score(
    pipeline: Any,
    series: SeriesLike,
    stride: int | None = None,
    noise_levels: Sequence[float] = DEFAULT_NOISE_LEVELS,
    num_draws: int = 2,
    aggregation: Aggregation = "mean",
    nan_policy: NanPolicy | None = None,
    seed: int = 0,
    batch_size: int = 32,
) -> AnomalyOutput:
    """[`TimeSeriesDiffusionPipeline.anomaly_score`]; see there."""
    began = time.perf_counter()
    window = pipeline.window_size
    timesteps = _check_arguments(pipeline, stride, noise_levels, num_draws, aggregation, seed, batch_size)
    values, frame = model_space_series(pipeline, series, nan_policy)
    stride = max(1, window // 4) if stride is None else stride
    starts = _sliding_starts(len(values), window, window - stride)
    errors, scale_errors = [], []
    disabled = bool(getattr(pipeline, "_progress_bar_config", {}).get("disable", False))
    with tqdm(total=len(starts), desc="Scoring windows", unit="window", disable=disabled) as bar:
        for first in range(0, len(starts), batch_size):
            indices = range(first, min(first + batch_size, len(starts)))
            batch = np.stack([values[starts[i] : starts[i] + window].T for i in indices])
            error, scale_error = window_errors(pipeline, torch.from_numpy(batch), timesteps, num_draws, seed, indices)
            errors.append(error)
            scale_errors.append(scale_error)
            bar.update(len(indices))
    pipeline.maybe_free_model_hooks()
    errors_ = np.concatenate(errors)  # [W, C, L]
    channel_scores = spread_over_steps(errors_.transpose(0, 2, 1), starts, len(values), aggregation)  # [T, C]
    scale_scores = window_scale_scores = None
    if scale_errors[0] is not None:
        per_scale = np.concatenate(scale_errors)  # [W, H, W_image]
        window_scale_scores = per_scale.mean(axis=2)
        if per_scale.shape[2] == window:  # image columns are the window's steps
            scale_scores = spread_over_steps(per_scale.transpose(0, 2, 1), starts, len(values), aggregation)
    scores = channel_scores.mean(axis=1)
    output_scores: np.ndarray | pd.Series = scores
    output_channels: np.ndarray | pd.DataFrame = channel_scores
    if frame is not None:
        output_scores = pd.Series(scores, index=frame.index, name="anomaly_score")
        output_channels = pd.DataFrame(channel_scores, index=frame.index, columns=pipeline.channel_names)
    return AnomalyOutput(
        scores=output_scores,
        channel_scores=output_channels,
        window_scores=errors_.mean(axis=(1, 2)),
        window_starts=np.array(starts),
        scale_scores=scale_scores,
        window_scale_scores=window_scale_scores,
        seconds_per_1000_steps=1000 * (time.perf_counter() - began) / len(values),
    )


@torch.no_grad()
def window_errors(
    pipeline: Any,
    windows: torch.Tensor,
    timesteps: Sequence[int],
    num_draws: int,
    seed: int,
    indices: Sequence[int],
) -> tuple[np.ndarray, np.ndarray | None]:
    """
    Absolute reconstruction errors of model-space windows `[B, C, L]` (window `b` is window number `indices[b]` of
    the series, which seeds its noise), averaged over the noise levels `timesteps` and `num_draws` draws each:
    `[B, C, L]`; for a scalogram model also the squared coefficient errors per scale row `[B, H, W]`.
    """
    representation, scheduler = pipeline.representation, pipeline.scheduler
    device, dtype = pipeline._execution_device, pipeline.unet.dtype
    copies = len(timesteps) * num_draws
    windows = windows.to(device=device, dtype=dtype)
    clean = representation.clean_sample(windows)
    states = clean.repeat_interleave(copies, dim=0)  # [B * copies, ...], window-major
    # 1. Window i's noise from its own generator: the same whatever else is in the batch.
    noise = torch.cat(
        [torch.randn((copies, *clean.shape[1:]), generator=window_generator(seed, i), dtype=dtype) for i in indices]
    ).to(device)
    t = torch.tensor(list(timesteps) * num_draws, device=device).repeat(len(indices))
    # 2. x_t ~ q(x_t | x_0), then the model's prediction at t.
    signal, sigma = signal_and_noise_scales(scheduler, t, states)
    noisy = signal * states + sigma * noise
    prediction = representation.denoise(pipeline.unet, noisy, t)
    # 3. Its estimate of x_0, from what the model predicts.
    estimate = clean_estimate(scheduler, noisy, prediction, t)
    restored = representation.to_windows(estimate).float()
    target = windows.float().repeat_interleave(copies, dim=0)
    error = (restored - target).abs().unflatten(0, (len(indices), copies)).mean(dim=1)
    scale_error = None
    if representation.has_images:
        # 4. Scalograms: squared error of the coefficient planes (not the trend planes), per scale row.
        transform = representation.transform
        planes = transform.num_channels * transform.num_components * transform.fold_factor
        images = transform.to_image(restored)[:, :planes] - transform.to_image(target)[:, :planes]
        scale_error = (images**2).mean(dim=1).unflatten(0, (len(indices), copies)).mean(dim=1)
        scale_error = scale_error.cpu().double().numpy()
    return error.cpu().double().numpy(), scale_error


def spread_over_steps(errors: np.ndarray, starts: Sequence[int], length: int, aggregation: Aggregation) -> np.ndarray:
    """
    Per-window errors `[W, L, K]` -> per-step `[length, K]`: over the windows covering a step, the mean or the max
    of their errors at that step, or (`"window"`) the mean of their whole-window errors, which spreads a window's
    verdict over all its steps (anomalies that are unusual stretches rather than unusual steps).
    """
    window = errors.shape[1]
    if aggregation == "window":
        errors = np.broadcast_to(errors.mean(axis=1, keepdims=True), errors.shape)
        aggregation = "mean"
    if aggregation == "max":
        out = np.full((length, errors.shape[2]), -np.inf)
        for start, error in zip(starts, errors, strict=True):
            np.maximum(out[start : start + window], error, out=out[start : start + window])
        return out
    total, count = np.zeros((length, errors.shape[2])), np.zeros((length, 1))
    for start, error in zip(starts, errors, strict=True):
        total[start : start + window] += error
        count[start : start + window] += 1
    return total / count


def _check_arguments(
    pipeline: Any,
    stride: int | None,
    noise_levels: Sequence[float],
    num_draws: int,
    aggregation: str,
    seed: int,
    batch_size: int,
) -> list[int]:
    """Reject arguments that cannot work before any scoring; returns the noise levels as training timesteps."""
    window = pipeline.window_size
    if stride is not None and (not is_integer(stride) or not 1 <= stride <= window):
        raise ValueError(
            f"`stride` must be an integer from 1 to the window size {window}, got {stride!r}; the default is a "
            "quarter window."
        )
    if aggregation not in AGGREGATIONS:
        raise ValueError(f"Unknown `aggregation` {aggregation!r}; choose one of {AGGREGATIONS}.")
    for name, value in (("num_draws", num_draws), ("batch_size", batch_size)):
        if not is_integer(value) or value < 1:
            raise ValueError(f"`{name}` must be a positive integer, got {value!r}.")
    if not is_integer(seed):
        raise ValueError(f"`seed` must be an integer, got {seed!r}.")
    levels = list(noise_levels) if isinstance(noise_levels, (list, tuple)) else None
    if not levels or any(isinstance(v, bool) or not isinstance(v, (int, float)) or not 0 < v < 1 for v in levels):
        raise ValueError(
            f"`noise_levels` must be a non-empty list of fractions of the training schedule strictly between 0 and "
            f"1 (e.g. {list(DEFAULT_NOISE_LEVELS)}), got {noise_levels!r}."
        )
    steps = pipeline.scheduler.config.num_train_timesteps
    return [min(steps - 1, max(1, round(v * steps))) for v in levels]
