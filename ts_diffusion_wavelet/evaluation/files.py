"""
Real and generated data from files, as time-major windows `[N, L, C]` for the evaluation.

Accepted:
- `.npy`: windows `[N, L, C]` or `[N, L]` (one channel), or a 1-D long series `[T]` to window.
- `.csv` / `.parquet` in the generator's long format (columns `sample, step, <channels...>`, one row per window
  and step, written by `ts_diffusion_wavelet.series_io.save_generated`): read back as windows.
- any other source `ts_diffusion_wavelet.data.load_series` reads (CSV / Parquet with or without a time column,
  `bundled:<name>`, `save_to_disk` folders, Hub datasets): a long series `[T, C]`, cut into sliding windows.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from ..series_io import LONG_FORMAT_COLUMNS, load_generated
from .checks import check_finite


@dataclass
class LoadedWindows:
    """
    Windows read from a file.

    Args:
        windows (`np.ndarray`): `[N, L, C]`, float64.
        channel_names (`list[str]`): One per channel.
        series (`np.ndarray`, *optional*): The long series `[T, C]` the windows were cut from, if any.
        description (`str`): Where they came from, for the report.
    """

    windows: np.ndarray
    channel_names: list[str]
    series: np.ndarray | None = None
    description: str = ""


def sliding_windows(series: np.ndarray, window_size: int, stride: int = 1) -> np.ndarray:
    """
    Sliding windows of a long series.

    Args:
        series (`np.ndarray`): `[T]` or `[T, C]`, time first.
        window_size (`int`): Window length `L` (>= 2).
        stride (`int`, defaults to 1): Steps between window starts.

    Returns:
        `np.ndarray` `[N, L, C]` with `N = (T - L) // stride + 1`, a copy.
    """
    series = np.asarray(series, dtype=np.float64)
    series = series[:, None] if series.ndim == 1 else series
    if isinstance(window_size, bool) or not isinstance(window_size, (int, np.integer)) or window_size < 2:
        raise ValueError(f"`window_size` must be an integer >= 2, got {window_size!r}.")
    if isinstance(stride, bool) or not isinstance(stride, (int, np.integer)) or stride < 1:
        raise ValueError(f"`stride` must be an integer >= 1 (1 = every offset), got {stride!r}.")
    if len(series) < window_size:
        raise ValueError(
            f"The series has {len(series)} steps, fewer than one window of {window_size}; lower `window_size` "
            "or pass a longer series."
        )
    view = np.lib.stride_tricks.sliding_window_view(series, window_size, axis=0)  # [N, C, L]
    return np.ascontiguousarray(view[::stride].transpose(0, 2, 1))


def _is_long_format(path: Path) -> bool:
    lowered = path.name.lower()
    if lowered.endswith((".parquet", ".pq")):
        import pyarrow.parquet as pq

        columns = pq.read_schema(path).names
    elif lowered.endswith((".csv", ".csv.gz")):
        columns = list(pd.read_csv(path, nrows=0).columns)
    else:
        return False
    return set(LONG_FORMAT_COLUMNS) <= set(columns)


def _read_npy(path: Path, window_size: int | None, stride: int) -> LoadedWindows:
    array = np.load(path, allow_pickle=False)
    if array.ndim == 1:
        if window_size is None:
            raise ValueError(f"{path} holds a long series of {len(array)} steps; pass `window_size` to window it.")
        series = array.astype(np.float64)[:, None]
        return LoadedWindows(sliding_windows(series, window_size, stride), ["channel_0"], series, str(path))
    if array.ndim not in (2, 3):
        raise ValueError(
            f"{path} holds an array of shape {array.shape}; expected windows [N, L, C], [N, L] (one channel) or a "
            "long series [T]."
        )
    windows = (array[..., None] if array.ndim == 2 else array).astype(np.float64)
    return LoadedWindows(windows, [f"channel_{c}" for c in range(windows.shape[2])], None, str(path))


def read_windows(
    source: str | os.PathLike,
    window_size: int | None = None,
    stride: int = 1,
    columns: list[str] | None = None,
    time_column: str | None = "auto",
    name: str = "data",
    default_window_size: int | None = None,
) -> LoadedWindows:
    """
    Reads windows `[N, L, C]` from a file or a named data source (see the module docstring for the formats).

    Args:
        source (`str` or `os.PathLike`): A path, `bundled:<name>` or a Hub dataset name.
        window_size (`int`, *optional*): Window length for a long series (required for one); for windows
            already cut, it must equal their length if given.
        stride (`int`, defaults to 1): Steps between window starts for a long series.
        columns (`list[str]`, *optional*): Channels to keep (by name), in this order.
        time_column (`str`, *optional*, defaults to `"auto"`): Time column of a long series (see
            `ts_diffusion_wavelet.data.load_series`); `None` uses the row order.
        name (`str`, defaults to `"data"`): How the source is called in error messages.
        default_window_size (`int`, *optional*): Window length for a long series when `window_size` is not given
            (e.g. the generated windows' length); never checked against windows already cut.

    Returns:
        [`LoadedWindows`].
    """
    path = Path(source)
    cut_length = window_size or default_window_size
    if path.is_file() and path.suffix.lower() == ".npy":
        loaded = _read_npy(path, cut_length, stride)
    elif path.is_file() and _is_long_format(path):
        windows, names = load_generated(path)
        loaded = LoadedWindows(windows, names, None, str(path))
    else:
        from ..data import load_series

        clean = load_series(source, columns=columns, time_column=time_column)
        if cut_length is None:
            raise ValueError(
                f"`{name}` ({source}) is a long series of {len(clean.frame)} steps; pass a window size "
                "(`--window_size`) to cut it into windows."
            )
        series = clean.frame.to_numpy(dtype=np.float64)
        names = [str(c) for c in clean.frame.columns]
        loaded = LoadedWindows(sliding_windows(series, cut_length, stride), names, series, str(source))
        columns = None  # already selected by `load_series`
    if columns is not None:
        missing = [c for c in columns if c not in loaded.channel_names]
        if missing:
            raise ValueError(f"`{name}` has no channels {missing}; it has {loaded.channel_names}. Fix `columns`.")
        order = [loaded.channel_names.index(c) for c in columns]
        loaded = LoadedWindows(
            loaded.windows[:, :, order],
            list(columns),
            None if loaded.series is None else loaded.series[:, order],
            loaded.description,
        )
    if window_size is not None and loaded.windows.shape[1] != window_size:
        raise ValueError(
            f"`{name}` ({source}) holds windows of length {loaded.windows.shape[1]}, not `window_size` = "
            f"{window_size}; "
            "drop `window_size` or pass matching windows."
        )
    check_finite(loaded.windows, name)
    return loaded


def align_channels(loaded: LoadedWindows, names: list[str], name: str = "synthetic") -> LoadedWindows:
    """
    Matches `loaded`'s channels to the real channels `names`: by name when it has all of them (extra channels
    dropped, order fixed), otherwise by position (e.g. `.npy` files named `channel_0`, ...) when the counts agree.
    """
    if loaded.channel_names == names:
        return loaded
    if set(names) <= set(loaded.channel_names):
        order = [loaded.channel_names.index(c) for c in names]
        return LoadedWindows(loaded.windows[:, :, order], list(names), None, loaded.description)
    if len(loaded.channel_names) != len(names):
        raise ValueError(
            f"`{name}` has {len(loaded.channel_names)} channels {loaded.channel_names} but the real data has "
            f"{len(names)} {names}; select matching channels (`--columns`) or name the generated columns like the "
            "real ones."
        )
    return LoadedWindows(loaded.windows, list(names), None, loaded.description)
