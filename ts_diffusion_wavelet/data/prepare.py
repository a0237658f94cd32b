"""`prepare_windows`: the one call from a user's data to training and validation windows (what `train.py` uses)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from .categorical import CategoricalPolicy
from .cleaning import MissingValues, NanPolicy
from .extremes import warn_outliers
from .preprocessing import ArrayLike, SeriesPreprocessor
from .scaling import Scaling
from .sources import DataSource, load_series
from .target_transforms import TargetTransform, target_lag
from .timestamps import format_time
from .windows import WindowDataset, check_window_settings, split_row


@dataclass
class PreparedData:
    """
    Training and validation windows with everything needed to map them back to the data.

    Args:
        train (`WindowDataset`): Training windows, float32 `[C, L]` each.
        validation (`WindowDataset`, *optional*): Validation windows (after every training window); `None` when
            `validation_fraction=0`.
        preprocessor (`SeriesPreprocessor`): Fitted on the training rows; `preprocessor.to_dict()` is what a saved
            pipeline stores.
        channel_names (`list[str]`): The `C` channel names (one-hot channels as `"column=label"`).
        report (`str`): What loading, cleaning, preprocessing and the split did, one line each.
        frame (`pandas.DataFrame`): The clean series `[T, C]` in the data's units (time index when there is one).
    """

    train: WindowDataset
    validation: WindowDataset | None
    preprocessor: SeriesPreprocessor
    channel_names: list[str]
    report: str
    frame: pd.DataFrame

    def to_frames(self, windows: ArrayLike, start_values: ArrayLike | None = None) -> list[pd.DataFrame]:
        """Model-space windows `[B, C, L]` → one DataFrame per window in the data's units (categories decoded)."""
        return self.preprocessor.to_frames(windows, start_values)

    def window_levels(self, dataset: WindowDataset, index: int) -> pd.DataFrame:
        """The rows of [`PreparedData.frame`] (data units, with times) that window `index` of `dataset` covers."""
        start = dataset.window_start(index) + self.preprocessor.lag
        return self.frame.iloc[start : start + dataset.window_size]


def prepare_windows(
    source: DataSource = None,
    *,
    columns: str | Sequence[str] | None = None,
    time_column: str | None = "auto",
    target_transform: TargetTransform | Mapping[str, TargetTransform] = "none",
    scaling: Scaling | Mapping[str, Scaling] = "standard",
    window_size: int = 256,
    stride: int = 1,
    validation_fraction: float = 0.1,
    nan_policy: NanPolicy = "error",
    categorical: CategoricalPolicy = "error",
    missing_values: MissingValues = None,
    split: str = "train",
) -> PreparedData:
    """
    Load, clean, split by time, fit the preprocessing on the training rows, and window lazily.

    Args:
        source (*optional*): A CSV / Parquet path, a `save_to_disk` directory, a Hub dataset name, a
            `pandas.DataFrame`, a `datasets.Dataset` / `DatasetDict`, or `"bundled:<name>"`. Defaults to the bundled
            EUR/USD data (`"bundled:eurusd"`).
        columns (`str` or `list[str]`, *optional*): Columns to model together as channels; defaults to all but the
            time column.
        time_column (`str`, *optional*, defaults to `"auto"`): Time column to parse, sort by and check; `"auto"`
            detects one named like date / time / timestamp; `None` uses the row order.
        target_transform (`"none"`, `"diff"`, `"log_return"` or `dict`, defaults to `"none"`): Per channel, or one
            for all. `"log_return"` needs positive prices (use it for prices such as `bundled:eurusd`).
        scaling (`"standard"`, `"minmax"`, `"none"` or `dict`, defaults to `"standard"`): Per channel, fitted on the
            training rows only. `"minmax"` maps the training range to `[-1, 1]`.
        window_size (`int`, defaults to 256): Window length `L`.
        stride (`int`, defaults to 1): Rows between window starts; 1 uses every offset (windows are lazy, so this
            costs no memory).
        validation_fraction (`float`, defaults to 0.1): The last fraction of the series kept for validation; no
            window crosses the split. 0 for none.
        nan_policy (`"error"`, `"drop"` or `"ffill"`, defaults to `"error"`): NaN / inf handling (reported).
        categorical (`"error"`, `"onehot"` or `"drop"`, defaults to `"error"`): Categorical column handling.
        missing_values (*optional*): Sentinels meaning "missing", for all columns or per column (e.g.
            `{"pollution": [0]}`); `None` uses a bundled dataset's own.
        split (`str`, defaults to `"train"`): Split of a `DatasetDict` / Hub dataset.

    Returns:
        [`PreparedData`].

    Examples:
        ```py
        >>> from ts_diffusion_wavelet.data import prepare_windows
        >>> data = prepare_windows(target_transform="log_return", window_size=128)
        >>> data.train[0].shape  # [C, L]
        torch.Size([1, 128])
        >>> print(data.report)
        ```
    """
    check_window_settings(window_size, stride)
    clean = load_series(
        source,
        columns=columns,
        time_column=time_column,
        split=split,
        nan_policy=nan_policy,
        categorical=categorical,
        missing_values=missing_values,
    )
    levels, names = clean.frame, list(clean.frame.columns)
    preprocessor = SeriesPreprocessor(target_transform, scaling, clean.categories)
    lag = target_lag(preprocessor.resolve_target_transforms(names))
    num_rows = len(levels) - lag
    if num_rows < window_size:
        raise ValueError(
            f"The series has {len(levels)} rows after cleaning ({num_rows} after the target transform), fewer than "
            f"one window of window_size={window_size}. Use `window_size` <= {num_rows} or a longer series."
        )
    split_at = split_row(num_rows, validation_fraction, window_size)  # in model-space rows
    preprocessor.fit(levels.iloc[: split_at + lag])  # training rows only: model rows [0, split_at)
    model_space = preprocessor.transform(levels)  # float64, checked to fit in float32
    transformed = model_space * [c["scale"] for c in preprocessor.channels] + [c["loc"] for c in preprocessor.channels]
    outliers = warn_outliers(transformed, names, row_offset=lag, index=levels.index)
    series = model_space.astype(np.float32)
    starts = _start_levels(levels.to_numpy(), lag)
    common = {"start_levels": starts, "channel_names": names}
    train = WindowDataset(series, window_size, stride, first_row=0, last_row=split_at, **common)
    validation = None
    if split_at < num_rows:
        validation = WindowDataset(series, window_size, stride, first_row=split_at, last_row=num_rows, **common)
    lines = clean.report + _summary(preprocessor, levels, lag, split_at, train, validation) + outliers
    return PreparedData(
        train=train,
        validation=validation,
        preprocessor=preprocessor,
        channel_names=names,
        report="\n".join(f"- {line}" for line in lines),
        frame=levels,
    )


def _start_levels(levels: np.ndarray, lag: int) -> np.ndarray:
    """The level just before each model-space row (model row k is level row k + lag). Without differencing the
    first row has no level before it; its own is used (the inverse ignores start values then)."""
    if lag:
        return levels[:-1]
    return np.concatenate([levels[:1], levels[:-1]])


def _time_range(frame: pd.DataFrame, first: int, last: int) -> str:
    if isinstance(frame.index, pd.RangeIndex):
        return f"rows {first}-{last - 1}"
    return f"{format_time(frame.index[first])} to {format_time(frame.index[last - 1])}"


def _summary(
    preprocessor: SeriesPreprocessor,
    levels: pd.DataFrame,
    lag: int,
    split_at: int,
    train: WindowDataset,
    validation: WindowDataset | None,
) -> list[str]:
    channels = preprocessor.channels or []
    lines = [f"{len(levels)} rows x {len(channels)} channels after cleaning: {preprocessor.channel_names}"]
    lines.append(
        "preprocessing: " + ", ".join(f"{c['name']} {c['target_transform']}/{c['scaling']}" for c in channels)
    )
    lines.append(
        f"training rows: {split_at} ({_time_range(levels, 0, split_at + lag)}); scaling fitted on them only; "
        f"{len(train)} windows of {train.window_size}, stride {train.stride}"
    )
    if validation is None:
        lines.append("validation: none (validation_fraction=0)")
    else:
        lines.append(
            f"validation rows: {validation.last_row - validation.first_row} "
            f"({_time_range(levels, split_at + lag, len(levels))}); {len(validation)} windows"
        )
    return lines
