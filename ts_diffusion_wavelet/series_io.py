"""Generated windows on disk: `.npy` (`[N, L, C]`), or CSV / Parquet in long format (`sample, step, <channels>`)."""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from .atomic import atomic_file

SERIES_FORMATS: tuple[str, ...] = (".csv", ".parquet", ".npy")
LONG_FORMAT_COLUMNS: tuple[str, ...] = ("sample", "step")
TIME_COLUMN = "time"  # optional, after `step`: the timestamps of imputed or forecast steps


def check_series_path(path: str | os.PathLike) -> Path:
    """Check that `path` ends in a format we write, before any work is done."""
    path = Path(path)
    if path.suffix.lower() not in SERIES_FORMATS:
        raise ValueError(
            f"Cannot tell the format of {str(path)!r} from its extension; use one of {', '.join(SERIES_FORMATS)}."
        )
    return path


def windows_to_long_frame(
    series: np.ndarray | list[pd.DataFrame], channel_names: list[str], times: Sequence | None = None
) -> pd.DataFrame:
    """
    `[N, L, C]` (or one DataFrame per window) -> a long frame with one row per (sample, step), with a `time` column
    after `step` when `times` (length `L`) is given.
    """
    frames = series if isinstance(series, list) else [pd.DataFrame(w, columns=channel_names) for w in series]
    parts = []
    for frame in frames:
        part = frame.reset_index(drop=True).rename_axis("step").reset_index()
        if times is not None:
            part.insert(1, TIME_COLUMN, list(times))
        parts.append(part)
    long = pd.concat(parts, keys=range(len(frames)), names=["sample", None])
    return long.reset_index(level=0).reset_index(drop=True)


def save_generated(
    path: str | os.PathLike,
    series: np.ndarray | list[pd.DataFrame],
    channel_names: list[str],
    times: Sequence | None = None,
) -> Path:
    """
    Write generated windows to `path`, in the format its extension names, atomically.

    Args:
        path (`str` or `os.PathLike`): `.npy` keeps the array `[N, L, C]`; `.csv` / `.parquet` write the long
            format (columns `sample`, `step`, then one per channel) that [`load_generated`] reads back.
        series (`np.ndarray` or `list[pd.DataFrame]`): Windows `[N, L, C]`, or one DataFrame per window (categorical
            channels decoded to labels).
        channel_names (`list[str]`): Column names for array input.
        times (*optional*): Timestamps of the `L` steps, written as a `time` column (CSV / Parquet only).

    Returns:
        `Path`: the path written.
    """
    path = check_series_path(path)
    check_finite_series(series, channel_names, path)
    suffix = path.suffix.lower()
    with atomic_file(path) as temporary:
        if suffix == ".npy":
            if isinstance(series, list):
                raise ValueError("A .npy file holds numbers only; write DataFrames with categorical labels to .csv.")
            with open(temporary, "wb") as handle:
                np.save(handle, np.asarray(series))
        else:
            frame = windows_to_long_frame(series, channel_names, times)
            if suffix == ".csv":
                frame.to_csv(temporary, index=False)
            else:
                frame.to_parquet(temporary, index=False)
    return path


def check_finite_series(series: np.ndarray | list[pd.DataFrame], channel_names: list[str], path: Path) -> None:
    """
    Refuse to write windows holding NaN or inf: a file of them looks like a result and is none.

    Raises:
        `ValueError`: Naming the count, the first bad value's window, step and channel, and the likely cause.
    """
    if isinstance(series, list):
        frames = [frame.select_dtypes("number") for frame in series]
        names = list(frames[0].columns) if frames else []
        values = np.stack([frame.to_numpy(dtype=np.float64) for frame in frames]) if frames else np.zeros((0, 0, 0))
    else:
        values, names = np.asarray(series, dtype=np.float64), list(channel_names)
    bad = ~np.isfinite(values)
    if not bad.any():
        return
    window, step, channel = (int(i) for i in np.argwhere(bad)[0])
    name = names[channel] if channel < len(names) else f"channel_{channel}"
    raise ValueError(
        f"{int(bad.sum())} of {bad.size} generated values are NaN or infinite (the first "
        f"{values[window, step, channel]} in window {window}, step {step}, channel {name!r}), so nothing was written "
        f"to {str(path)!r}. The levels overflowed when the preprocessing was undone (check `start_values` and the "
        "saved preprocessing statistics) or the model diverged."
    )


def load_generated(path: str | os.PathLike) -> tuple[np.ndarray, list[str]]:
    """
    Read windows written by [`save_generated`]: returns `([N, L, C] float64 array, channel names)`.

    Also reads `.csv.gz` and `.pq`. Raises `ValueError` when the file is not in the long format (no `sample` /
    `step` columns), has non-numeric channels, or its windows differ in length or steps.
    """
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"No file at {str(path)!r}.")
    name = path.name.lower()
    if name.endswith(".npy"):
        array = np.load(path, allow_pickle=False)
        array = array[..., None] if array.ndim == 2 else array
        if array.ndim != 3:
            raise ValueError(f"{path} holds an array of shape {array.shape}; expected [N, L] or [N, L, C].")
        return array.astype(np.float64), [f"channel_{i}" for i in range(array.shape[-1])]
    if name.endswith((".parquet", ".pq")):
        frame = pd.read_parquet(path)
    elif name.endswith((".csv", ".csv.gz")):
        frame = pd.read_csv(path)
    else:
        check_series_path(path)  # raises, listing the formats
    return long_frame_to_windows(frame, str(path))


def long_frame_to_windows(frame: pd.DataFrame, source: str = "the frame") -> tuple[np.ndarray, list[str]]:
    """A long `sample, step, <channels>` frame -> `([N, L, C] array, channel names)`, checking its layout."""
    missing = [c for c in LONG_FORMAT_COLUMNS if c not in frame.columns]
    if missing:
        raise ValueError(
            f"{source} is not in the generated-windows format: columns {missing} are missing "
            f"(found {list(frame.columns)}). Expected `sample, step, <channels...>`."
        )
    channels = [c for c in frame.columns if c not in (*LONG_FORMAT_COLUMNS, TIME_COLUMN)]
    if not channels:
        raise ValueError(f"{source} has only the columns {list(frame.columns)}; add one column per channel.")
    non_numeric = [c for c in channels if not pd.api.types.is_numeric_dtype(frame[c])]
    if non_numeric:
        raise ValueError(
            f"{source} has non-numeric channels {non_numeric} (decoded categories); numeric windows need them "
            "one-hot encoded or dropped."
        )
    frame = frame.sort_values(list(LONG_FORMAT_COLUMNS))
    lengths = frame.groupby("sample").size()
    if lengths.nunique() != 1:
        raise ValueError(
            f"Windows in {source} differ in length (e.g. {sorted(lengths.unique())[:5]} steps); every sample needs "
            "the same number of steps."
        )
    length = int(lengths.iloc[0])
    steps = frame["step"].to_numpy().reshape(len(lengths), length)
    if not (steps == steps[0]).all() or len(np.unique(steps[0])) != length:
        raise ValueError(f"{source}: the `step` values differ between samples or repeat; each needs steps 0 ... L-1.")
    values = frame[channels].to_numpy(dtype=np.float64)
    return values.reshape(len(lengths), length, len(channels)), [str(c) for c in channels]
