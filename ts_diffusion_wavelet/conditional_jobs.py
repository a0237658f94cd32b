"""
The jobs of sampling with part of the window known, in the data's units: `impute`, `forecast`, `generate_long`.

Each maps the user's series to model space with NaN where unknown (`data/partial_series.py`), fills it window by
window with [`fill_windows`] and maps the samples back. Input is checked here, where it enters.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd
import torch

from .argument_checks import is_integer
from .batch_sampling import window_generator
from .conditional import Generator, KnownValueSampling, fill_windows
from .data.labels import BY_FREQUENCY
from .data.partial_series import model_to_levels, partial_to_model
from .pipeline_output import ForecastOutput, ImputationOutput

SeriesLike = pd.DataFrame | np.ndarray | Sequence


def min_context(window_size: int) -> int:
    """The fewest context steps a forecast needs: a quarter of the window, so the model sees some of the path."""
    return max(1, -(-window_size // 4))


def impute(
    pipeline: Any,
    series: SeriesLike,
    num_samples: int,
    sampling: KnownValueSampling,
    seed: int | None,
    quantiles: Sequence[float],
) -> ImputationOutput:
    """[`TimeSeriesDiffusionPipeline.impute`]; see there."""
    levels, frame = _levels(pipeline, series, "series")
    sampling = _per_sample(pipeline, num_samples, sampling, seed, quantiles)
    if not np.isnan(levels).any():  # nothing to impute: every sample is the series itself
        samples = np.repeat(levels[None], num_samples, axis=0)
    else:
        window = pipeline.window_size
        starts = _sliding_starts(len(levels), window, overlap=window // 2)
        samples = _sample(pipeline, levels, starts, num_samples, sampling)
    median, by_level = sample_summaries(samples, quantiles)
    if frame is None:
        return ImputationOutput(samples=samples, median=median, quantiles=by_level)

    def as_frame(values: np.ndarray) -> pd.DataFrame:
        return pd.DataFrame(values, index=frame.index, columns=frame.columns)

    return ImputationOutput(
        samples=[as_frame(s) for s in samples],
        median=as_frame(median),
        quantiles={q: as_frame(v) for q, v in by_level.items()},
    )


def forecast(
    pipeline: Any,
    context: SeriesLike,
    horizon: int,
    num_samples: int,
    sampling: KnownValueSampling,
    seed: int | None,
    quantiles: Sequence[float],
    label: str | None = None,
) -> ForecastOutput:
    """[`TimeSeriesDiffusionPipeline.forecast`]; see there."""
    levels, _ = _levels(pipeline, context, "context")
    sampling = _per_sample(pipeline, num_samples, sampling, seed, quantiles, label)
    window, needed = pipeline.window_size, min_context(pipeline.window_size)
    if not is_integer(horizon) or horizon < 1:
        raise ValueError(f"`horizon` must be a positive integer (steps to forecast), got {horizon!r}.")
    if len(levels) < needed:
        raise ValueError(
            f"The context has {len(levels)} steps; this model (window {window}) needs at least {needed} (a quarter "
            "of its window). Pass a longer context."
        )
    # A window never reaches further back than one window, unless a differenced channel's last level is older.
    _, kinds, _, _ = _model_space(pipeline)
    last_levels = [np.flatnonzero(~np.isnan(levels[:, c]))[-1] for c, kind in enumerate(kinds) if kind != "none"]
    levels = levels[min([max(len(levels) - window, 0), *last_levels]) :]
    series = np.concatenate([levels, np.full((horizon, levels.shape[1]), np.nan)])
    # Any gaps in the context first, then windows that reach up to `window - needed` steps past what is filled.
    starts = _sliding_starts(len(levels), window, window // 2) if np.isnan(levels).any() else []
    filled = len(levels)
    while filled < len(series):
        end = min(filled + window - needed, len(series))
        start = max(end - window, 0)
        starts.append(start)
        filled = start + window
    samples = _sample(pipeline, series, starts, num_samples, sampling)[:, len(levels) :]
    median, by_level = sample_summaries(samples, quantiles)
    return ForecastOutput(samples=samples, median=median, quantiles=by_level)


def generate_long(
    pipeline: Any,
    length: int,
    num_samples: int,
    overlap: int | None,
    sampling: KnownValueSampling,
    seed: int | None,
    start_values: float | np.ndarray | None,
    label: str | None = None,
) -> np.ndarray:
    """[`TimeSeriesDiffusionPipeline.generate_long`]; see there."""
    if not is_integer(length) or length < 1:
        raise ValueError(f"`length` must be a positive integer (steps per path), got {length!r}.")
    generator = sampling.generator
    sampling = _per_sample(pipeline, num_samples, sampling, seed, (), label)
    window = pipeline.window_size
    overlap = window // 2 if overlap is None else overlap
    if not is_integer(overlap) or not 1 <= overlap < window:
        raise ValueError(
            f"`overlap` must be an integer from 1 to {window - 1} (the window size {window} minus one), got "
            f"{overlap!r}; the default is half a window."
        )
    starts = _sliding_starts(length, window, overlap)
    if label == BY_FREQUENCY and sampling.labels is not None and BY_FREQUENCY not in pipeline.label_names:
        # A path follows the data's label dynamics: each window's label from the previous one's by the transitions.
        streams = _label_streams(generator, seed, num_samples)
        sampling = dataclasses.replace(sampling, labels=pipeline.labeler.chain(len(starts), window - overlap, streams))
    values = torch.full((num_samples, pipeline.num_series_channels, length), float("nan"), dtype=torch.float64)
    windows = fill_windows(pipeline, values, starts, sampling)
    pipeline.maybe_free_model_hooks()
    preprocessor = pipeline._preprocessor()
    if preprocessor is None:
        return windows.permute(0, 2, 1).numpy()
    if start_values is not None and np.ndim(start_values) == 0:
        start_values = np.full(pipeline.num_series_channels, float(start_values))
    return preprocessor.inverse_transform(windows, start_values=start_values)


# ----- shared steps ---------------------------------------------------------------------------------------------
def _model_space(pipeline: Any) -> tuple[list[str], list[str], np.ndarray, np.ndarray]:
    """Channel names, target transforms, `loc` and `scale` of the pipeline's preprocessing (identity without one)."""
    preprocessor = pipeline._preprocessor()
    channels = pipeline.num_series_channels
    if preprocessor is None:
        return pipeline.channel_names, ["none"] * channels, np.zeros(channels), np.ones(channels)
    if preprocessor.categories:
        raise ValueError(
            f"This model has one-hot categorical channels ({sorted(preprocessor.categories)}); imputing and "
            "forecasting them is not supported. Use a model trained without categorical columns."
        )
    records = preprocessor.channels
    return (
        preprocessor.channel_names,
        [r["target_transform"] for r in records],
        np.array([r["loc"] for r in records]),
        np.array([r["scale"] for r in records]),
    )


def _levels(pipeline: Any, series: SeriesLike, name: str) -> tuple[np.ndarray, pd.DataFrame | None]:
    """The user's series as float64 levels `[T, C]` (NaN where missing), checked; the DataFrame when one came in."""
    names, kinds, _, _ = _model_space(pipeline)
    frame = series if isinstance(series, pd.DataFrame) else None
    if frame is not None:
        if len(frame.columns) != len(names):
            raise ValueError(
                f"`{name}` has {len(frame.columns)} columns {list(frame.columns)}; the model generates "
                f"{len(names)} channels {names}. Pass exactly those columns."
            )
        columns = [str(c) for c in frame.columns]
        if set(columns) == set(names):
            frame = frame.set_axis(columns, axis=1)[names]  # the training order
        elif pipeline._preprocessor() is not None:
            raise ValueError(
                f"`{name}` has columns {columns}, but the model was trained on {names}. "
                "Rename the columns (any order is fine)."
            )
        values = frame.to_numpy(dtype="float64")
    else:
        values = np.asarray(series, dtype="float64")
        values = values[:, None] if values.ndim == 1 and len(names) == 1 else values
        if values.ndim != 2 or values.shape[1] != len(names):
            raise ValueError(
                f"`{name}` must be [length, {len(names)}] (one column per channel {names}), got shape "
                f"{values.shape}. Pass a DataFrame with those columns or an array of that shape."
            )
    if len(values) < 1:
        raise ValueError(f"`{name}` is empty; pass at least one step.")
    if np.isinf(values).any():
        row, channel = (int(i) for i in np.argwhere(np.isinf(values))[0])
        raise ValueError(
            f"`{name}` holds {float(values[row, channel])!r} at row {row}, channel {names[channel]!r}: known values "
            "must be finite. Mark missing values as NaN."
        )
    known = ~np.isnan(values)
    if not known.any():
        raise ValueError(f"`{name}` has no known value (all NaN); pass at least one, or sample with the pipeline.")
    for channel, kind in enumerate(kinds):
        if kind != "none" and not known[:, channel].any():
            raise ValueError(
                f"Channel {names[channel]!r} has no known value, but the model learns its {kind} steps: levels are "
                "rebuilt from a known level. Give at least one value of that channel."
            )
        if kind == "log_return" and (values[known[:, channel], channel] <= 0).any():
            raise ValueError(
                f"Channel {names[channel]!r} is modelled as log-returns, so its known values must be positive "
                "prices; fix or mark the non-positive ones as NaN."
            )
    return values, frame


def _per_sample(
    pipeline: Any,
    num_samples: int,
    sampling: KnownValueSampling,
    seed: int | None,
    quantiles: Sequence[float],
    label: str | None = None,
) -> KnownValueSampling:
    """
    Check the job's common arguments; `sampling` with one generator per sample when `seed` is given and with the
    label's indices (`"by_frequency"` draws one per sample, seeded like its noise).
    """
    generator = sampling.generator
    if not is_integer(num_samples) or num_samples < 1:
        raise ValueError(f"`num_samples` must be a positive integer, got {num_samples!r}.")
    if generator is not None and seed is not None:
        raise ValueError("Pass either `generator` or `seed`, not both (`seed` seeds one generator per sample).")
    if seed is not None and not is_integer(seed):
        raise ValueError(f"`seed` must be an integer, got {seed!r}.")
    pipeline.check_call_arguments(num_samples, sampling.num_inference_steps, generator, "np")
    bad = [q for q in quantiles if not isinstance(q, (int, float)) or not 0 < q < 1]
    if bad:
        raise ValueError(f"`quantiles` must be levels strictly between 0 and 1, got {bad[0]!r}.")
    # Labels are drawn from generators of their own when seeded, so the noise of sample i stays `(seed, i)`'s.
    labels = pipeline.label_indices(label, num_samples, _generators(generator, seed, num_samples))
    return dataclasses.replace(sampling, generator=_generators(generator, seed, num_samples), labels=labels)


def _sliding_starts(length: int, window: int, overlap: int) -> list[int]:
    """Window starts over `length` steps with `overlap` shared steps; the last window ends with the series."""
    last = max(length - window, 0)
    starts = list(range(0, last + 1, window - overlap))
    return starts if starts[-1] == last else [*starts, last]


def _generators(generator: Generator, seed: int | None, num_samples: int) -> Generator:
    # Sample i from `(seed, i)`, as the batched sampler seeds window i.
    return [window_generator(seed, i) for i in range(num_samples)] if seed is not None else generator


def _label_streams(generator: Generator, seed: int | None, num_samples: int) -> list[torch.Generator]:
    """One generator per path for label draws: the per-sample ones, or streams seeded from the one given."""
    generators = _generators(generator, seed, num_samples)
    if isinstance(generators, list):
        return generators
    base = int(torch.randint(0, 2**62, (1,)).item()) if generators is None else generators.initial_seed()
    return [torch.Generator().manual_seed((base + i) % 2**63) for i in range(num_samples)]


def _sample(
    pipeline: Any, levels: np.ndarray, starts: list[int], num_samples: int, sampling: KnownValueSampling
) -> np.ndarray:
    """Levels `[T, C]` with NaN -> `num_samples` completed levels `[k, T, C]`, known values exactly kept."""
    _, kinds, loc, scale = _model_space(pipeline)
    values = torch.from_numpy(partial_to_model(levels, kinds, loc, scale).T.copy())
    filled = fill_windows(pipeline, values[None].repeat(num_samples, 1, 1), starts, sampling)
    pipeline.maybe_free_model_hooks()
    return model_to_levels(filled.permute(0, 2, 1).numpy(), levels, kinds, loc, scale)


def sample_summaries(samples: np.ndarray, quantiles: Sequence[float]) -> tuple[np.ndarray, dict[float, np.ndarray]]:
    """The per-step median and quantiles (level -> array) over the samples, axis 0."""
    return np.median(samples, axis=0), {float(q): np.quantile(samples, q, axis=0) for q in quantiles}
