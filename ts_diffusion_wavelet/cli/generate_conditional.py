"""
The jobs of `generate.py` beyond sampling windows: `--impute FILE`, `--forecast FILE --horizon H`, `--length N`.

Input files are read like training data (CSV / Parquet / ..., a time column found and parsed), keeping empty cells
as the values to fill; output is the long format of [`save_generated`] with a `time` column when the input had
times: the input's for an imputation, continued at the input's spacing for a forecast.
"""

from __future__ import annotations

import argparse
import logging
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from ..data.sources import read_source
from ..data.timestamps import check_duplicates, find_time_column, parse_time, sort_by_time
from ..forecast_pooling import pool_forecasts, pooled_seeds
from ..series_io import save_generated
from . import generate_labels

logger = logging.getLogger("ts_diffusion_wavelet.generate")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The options of the conditional jobs (at most one of `--impute`, `--forecast`, `--length`)."""
    jobs = parser.add_mutually_exclusive_group()
    jobs.add_argument(
        "--impute", default=None, help="Fill the empty cells of this series (CSV / Parquet); --num_samples ways."
    )
    jobs.add_argument("--forecast", default=None, help="Forecast --horizon steps after this series (CSV / Parquet).")
    jobs.add_argument("--length", type=int, default=None, help="Generate --num_samples continuous paths this long.")
    parser.add_argument("--horizon", type=int, default=None, help="Steps to forecast (with --forecast).")
    parser.add_argument(
        "--pool_with",
        nargs="+",
        default=None,
        metavar="MODEL",
        help="With --forecast: also forecast with these pipelines (--num_samples each) and pool all the samples.",
    )
    parser.add_argument(
        "--overlap",
        type=int,
        default=None,
        help="Steps consecutive windows of a --length path share (default: half a window).",
    )
    parser.add_argument(
        "--resample",
        type=int,
        default=None,
        help="RePaint resampling rounds per step for the conditional jobs (default: 1).",
    )
    parser.add_argument(
        "--observation_guidance",
        type=float,
        default=None,
        help="Observation guidance per step for the conditional jobs, 0 = replacement only (default: the job's own).",
    )


def check_arguments(args: argparse.Namespace) -> None:
    """Refuse combinations that cannot work, before loading anything."""
    if args.forecast is not None and args.horizon is None:
        raise ValueError("--forecast needs --horizon: the number of steps to forecast after the series.")
    if args.horizon is not None and args.forecast is None:
        raise ValueError(f"--horizon {args.horizon} is only read with --forecast FILE; add it or drop --horizon.")
    if args.pool_with is not None and args.forecast is None:
        raise ValueError(
            "--pool_with is only read with --forecast FILE (it pools forecasts); add it or drop --pool_with."
        )
    if args.length is not None and args.length < 1:
        raise ValueError(f"--length must be at least 1 (steps per path), got {args.length}.")
    if args.overlap is not None and args.length is None:
        raise ValueError(f"--overlap {args.overlap} is only read with --length N; add it or drop --overlap.")
    if args.resample is not None and args.resample < 1:
        raise ValueError(f"--resample must be at least 1 (1 = no resampling), got {args.resample}.")
    if args.observation_guidance is not None and not 0.0 <= args.observation_guidance < float("inf"):
        raise ValueError(
            "--observation_guidance must be a finite number >= 0 (0 = replacement only), got "
            f"{args.observation_guidance}."
        )


def wants_conditional_job(args: argparse.Namespace) -> bool:
    return args.impute is not None or args.forecast is not None or args.length is not None


def run_conditional_job(pipeline: Any, args: argparse.Namespace, pooled: Sequence[Any] = ()) -> None:
    """Run the job `args` asks for and write its samples to `args.output` (a forecast pooled with `pooled`'s)."""
    options = {"num_inference_steps": args.num_inference_steps, "seed": args.seed}
    if args.resample is not None:  # else each job's own default
        options["resample"] = args.resample
    if args.observation_guidance is not None:
        options["observation_guidance"] = args.observation_guidance
    labelled = {**options, **generate_labels.job_options(args)}
    if args.length is not None:
        overlap = {} if args.overlap is None else {"overlap": args.overlap}
        paths = pipeline.generate_long(args.length, args.num_samples, **labelled, **overlap)
        save_generated(args.output, paths, pipeline.channel_names)
        logger.info("Wrote %d paths of %d steps to %s", len(paths), args.length, args.output)
        return
    if args.impute is not None:
        series = read_known_series(args.impute, pipeline.channel_names)
        samples = pipeline.impute(series, args.num_samples, **options).samples
        values, times = np.stack([frame.to_numpy() for frame in samples]), _times(series.index)
        what = f"{len(samples)} imputations of {len(series)} steps"
    else:
        series = read_known_series(args.forecast, pipeline.channel_names)
        forecasts = [pipeline.forecast(series, args.horizon, args.num_samples, **labelled)]
        # Each pooled model draws its own noise: the same seed would give similar models near-copies of one sample.
        others = pooled_seeds(args.seed, 1 + len(pooled))[1:]
        forecasts += [
            other.forecast(series, args.horizon, args.num_samples, **{**options, "seed": seed})
            for other, seed in zip(pooled, others, strict=True)
        ]
        values = pool_forecasts(forecasts).samples
        times, what = continue_times(series.index, args.horizon), f"{len(values)} forecasts of {args.horizon} steps"
    save_generated(args.output, values, pipeline.channel_names, times)
    logger.info("Wrote %s to %s", what, args.output)


def check_pooled(pipeline: Any, pooled: Sequence[Any], paths: Sequence[str]) -> None:
    """
    Raises:
        `ValueError`: When a `--pool_with` pipeline generates other channels than `--model`'s, naming both.
    """
    for other, path in zip(pooled, paths, strict=True):
        if list(other.channel_names) != list(pipeline.channel_names):
            raise ValueError(
                f"--pool_with {path} generates the channels {other.channel_names}, but --model generates "
                f"{pipeline.channel_names}; pool models trained on the same columns."
            )


def read_known_series(path: str, channel_names: list[str]) -> pd.DataFrame:
    """
    A series with empty cells -> a float frame `[T, channels]` (NaN where empty), indexed by its time column when it
    has one (parsed, sorted, no duplicates).
    """
    frame = read_source(path).reset_index(drop=True)
    time_name = find_time_column(frame, "auto")
    if time_name is not None:
        frame[time_name] = parse_time(frame[time_name])
        check_duplicates(frame[time_name])
        frame = sort_by_time(frame, time_name)[0].set_index(time_name)
    missing = [name for name in channel_names if name not in frame.columns]
    if missing:
        raise ValueError(
            f"{path} lacks the columns {missing} the model generates (it has {list(frame.columns)}); name the "
            f"columns {channel_names}."
        )
    values = frame[channel_names].apply(pd.to_numeric, errors="coerce")
    text = values.isna() & frame[channel_names].notna()
    if text.to_numpy().any():
        column = text.any().idxmax()
        row = int(np.flatnonzero(text[column].to_numpy())[0])
        raise ValueError(
            f"{path}: column {column!r} holds {frame[column].iloc[row]!r} at row {row}, which is not a number; leave "
            "missing values empty (or NaN)."
        )
    return values.astype("float64")


def continue_times(index: pd.Index, horizon: int) -> list | None:
    """The `horizon` timestamps after a time index, at its frequency (or its last spacing); `None` without times."""
    if not isinstance(index, pd.DatetimeIndex) or len(index) < 2:
        return None
    frequency = index.freq or (pd.infer_freq(index[-8:]) if len(index) >= 3 else None)
    if frequency is not None:
        return list(pd.date_range(index[-1], periods=horizon + 1, freq=frequency)[1:])
    step = index[-1] - index[-2]
    return [index[-1] + step * (i + 1) for i in range(horizon)]


def _times(index: pd.Index) -> list | None:
    return list(index) if isinstance(index, pd.DatetimeIndex) else None
