"""Generated windows on disk: `.npy` (`[N, L, C]`), or CSV / Parquet in long format (`sample, step, <channels>`)."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pandas as pd

from .atomic import atomic_file

SERIES_FORMATS: tuple[str, ...] = (".csv", ".parquet", ".npy")


def check_series_path(path: str | os.PathLike) -> Path:
    """Check that `path` ends in a format we write, before any work is done."""
    path = Path(path)
    if path.suffix.lower() not in SERIES_FORMATS:
        raise ValueError(
            f"Cannot tell the format of {str(path)!r} from its extension; use one of {', '.join(SERIES_FORMATS)}."
        )
    return path


def windows_to_long_frame(series: np.ndarray | list[pd.DataFrame], channel_names: list[str]) -> pd.DataFrame:
    """`[N, L, C]` (or one DataFrame per window) -> a long frame with one row per (sample, step)."""
    frames = series if isinstance(series, list) else [pd.DataFrame(w, columns=channel_names) for w in series]
    long = pd.concat(
        [frame.reset_index(drop=True).rename_axis("step").reset_index() for frame in frames],
        keys=range(len(frames)),
        names=["sample", None],
    )
    return long.reset_index(level=0).reset_index(drop=True)


def save_generated(path: str | os.PathLike, series: np.ndarray | list[pd.DataFrame], channel_names: list[str]) -> Path:
    """
    Write generated windows to `path`, in the format its extension names, atomically.

    Args:
        path (`str` or `os.PathLike`): `.npy` keeps the array `[N, L, C]`; `.csv` / `.parquet` write the long
            format (columns `sample`, `step`, then one per channel) that [`load_generated`] reads back.
        series (`np.ndarray` or `list[pd.DataFrame]`): Windows `[N, L, C]`, or one DataFrame per window (categorical
            channels decoded to labels).
        channel_names (`list[str]`): Column names for array input.

    Returns:
        `Path`: the path written.
    """
    path = check_series_path(path)
    suffix = path.suffix.lower()
    with atomic_file(path) as temporary:
        if suffix == ".npy":
            if isinstance(series, list):
                raise ValueError("A .npy file holds numbers only; write DataFrames with categorical labels to .csv.")
            with open(temporary, "wb") as handle:
                np.save(handle, np.asarray(series))
        else:
            frame = windows_to_long_frame(series, channel_names)
            if suffix == ".csv":
                frame.to_csv(temporary, index=False)
            else:
                frame.to_parquet(temporary, index=False)
    return path


def load_generated(path: str | os.PathLike) -> tuple[np.ndarray, list[str]]:
    """
    Read windows written by [`save_generated`]: returns `([N, L, C] array, channel names)`.

    Raises:
        `ValueError`: the file is not in the long format (no `sample` / `step` columns) or windows differ in length.
    """
    path = check_series_path(path)
    if not path.is_file():
        raise FileNotFoundError(f"No file at {str(path)!r}.")
    if path.suffix.lower() == ".npy":
        array = np.load(path)
        array = array[..., None] if array.ndim == 2 else array
        if array.ndim != 3:
            raise ValueError(f"{path} holds an array of shape {array.shape}; expected [N, L] or [N, L, C].")
        return array, [f"channel_{i}" for i in range(array.shape[-1])]
    frame = pd.read_csv(path) if path.suffix.lower() == ".csv" else pd.read_parquet(path)
    missing = {"sample", "step"} - set(frame.columns)
    if missing:
        raise ValueError(
            f"{path} is not in the generated-windows format: columns {sorted(missing)} are missing "
            f"(found {list(frame.columns)}). Expected `sample, step, <channels...>`."
        )
    channels = [c for c in frame.columns if c not in ("sample", "step")]
    frame = frame.sort_values(["sample", "step"])
    lengths = frame.groupby("sample").size()
    if lengths.nunique() != 1:
        raise ValueError(f"Windows in {path} differ in length ({sorted(lengths.unique())[:5]}); expected one length.")
    values = frame[channels].to_numpy()
    return values.reshape(len(lengths), int(lengths.iloc[0]), len(channels)), channels
