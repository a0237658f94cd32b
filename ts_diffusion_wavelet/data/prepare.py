"""`prepare_windows`: the one call from a user's data to training and validation windows (what `train.py` uses)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from .categorical import CategoricalPolicy
from .cleaning import MissingValues, NanPolicy
from .extremes import warn_outliers
from .labels import LABEL_RULES, LabelledWindows, LabelRule, WindowLabeler, encode_label_column, parse_regimes
from .preprocessing import ArrayLike, SeriesPreprocessor
from .scaling import Scaling
from .sources import DataSource, bundled_missing_values, describe_source, load_series, read_source
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
        labeler ([`WindowLabeler`], *optional*): How windows are labelled (`label_column` or `regimes`); `None`
            for unlabelled data.
        row_codes (`np.ndarray`, *optional*): The label column's code per model-space row (`label_column` only).
    """

    train: WindowDataset
    validation: WindowDataset | None
    preprocessor: SeriesPreprocessor
    channel_names: list[str]
    report: str
    frame: pd.DataFrame
    labeler: WindowLabeler | None = None
    row_codes: np.ndarray | None = None

    def labels(self, dataset: WindowDataset) -> np.ndarray:
        """The label index of every window of `dataset` (`train` or `validation`)."""
        if self.labeler is None:
            raise ValueError("These windows have no labels; prepare them with `label_column` or `regimes`.")
        return self.labeler.dataset_labels(dataset, self.row_codes)

    def labelled(self, dataset: WindowDataset) -> LabelledWindows:
        """`dataset` with each window's label index beside it."""
        return LabelledWindows(dataset, self.labels(dataset))

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
    input_scale: float = 1.0,
    window_size: int = 256,
    stride: int = 1,
    validation_fraction: float = 0.1,
    nan_policy: NanPolicy = "error",
    categorical: CategoricalPolicy = "error",
    missing_values: MissingValues = None,
    split: str = "train",
    label_column: str | None = None,
    label_rule: LabelRule = "mode",
    regimes: str | None = None,
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
        input_scale (`float`, defaults to 1.0): A factor on the scaled values ([`SeriesPreprocessor`]).
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
        label_column (`str`, *optional*): A categorical column whose value labels each window (not modelled as a
            channel); `label_rule` says which value: the most frequent over the window (`"mode"`) or the last one
            (`"end"`).
        regimes (`str`, *optional*): Labels computed from the data, `"volatility:K"` or `"trend:K"`: the window's
            realised volatility or summed increments cut at quantiles of the training windows (`K=3`: terciles,
            named low/mid/high or down/flat/up). Not with `label_column`.

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
    check_label_options(label_column, label_rule, regimes)
    options: dict[str, Any] = dict(
        columns=columns, time_column=time_column, nan_policy=nan_policy, categorical=categorical
    )
    label_names: list[str] = []
    if label_column is None:
        clean = load_series(source, split=split, missing_values=missing_values, **options)
    else:
        clean, label_names = _load_with_label_column(source, split, missing_values, label_column, options)
    row_labels = clean.frame.pop(label_column).to_numpy() if label_column is not None else None
    levels, names = clean.frame, list(clean.frame.columns)
    preprocessor = SeriesPreprocessor(target_transform, scaling, clean.categories, input_scale)
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
    labeler, row_codes = None, None
    if row_labels is not None:
        labeler = WindowLabeler("column", label_names, column=label_column, rule=label_rule)
        row_codes = row_labels[lag:].astype(np.int64)
    elif regimes is not None:
        kind, count = parse_regimes(regimes)
        increments = [t != "none" for t in preprocessor.resolve_target_transforms(names)]
        steps = train.window_starts[:, None] + np.arange(window_size)[None, :]
        labeler = WindowLabeler.fit_regimes(kind, count, series[steps].transpose(0, 2, 1), increments)
    prepared = PreparedData(
        train=train,
        validation=validation,
        preprocessor=preprocessor,
        channel_names=names,
        report="",
        frame=levels,
        labeler=labeler,
        row_codes=row_codes,
    )
    if labeler is not None:
        counts = np.bincount(prepared.labels(train), minlength=labeler.num_labels)
        labeler.frequencies = (counts / counts.sum()).tolist()
        labeler.fit_transitions(prepared.labels(train), train.window_starts, max(window_size // 2, 1))
        shares = ", ".join(f"{n} {c}" for n, c in zip(labeler.names, counts, strict=True))
        lines.append(f"labels: {labeler.describe()}; training windows per label: {shares}")
    prepared.report = "\n".join(f"- {line}" for line in lines)
    return prepared


def check_label_options(label_column: str | None, label_rule: str, regimes: str | None) -> None:
    """
    Raises:
        `ValueError`: For both `label_column` and `regimes`, an unknown `label_rule` or a malformed `regimes`.
    """
    if label_column is not None and regimes is not None:
        raise ValueError(
            f"Choose one source of labels: --label_column {label_column!r} or --regimes {regimes!r}, not both."
        )
    if label_rule not in LABEL_RULES:
        raise ValueError(f"--label_rule must be one of {', '.join(LABEL_RULES)}, got {label_rule!r}.")
    if regimes is not None:
        parse_regimes(regimes)


def _load_with_label_column(
    source: DataSource, split: str, missing_values: Any, label_column: str, options: dict[str, Any]
) -> tuple[Any, list[str]]:
    """Load as `load_series` does, with the label column read as integer codes (kept aligned through cleaning)."""
    raw, names = encode_label_column(read_source(source, split=split), label_column)
    columns = options.pop("columns")
    if columns is not None:
        columns = [columns] if isinstance(columns, str) else list(columns)
        if label_column in columns:
            raise ValueError(
                f"--label_column {label_column!r} labels the windows and is not modelled: remove it from --columns."
            )
        columns = [*columns, label_column]
    if missing_values is None:
        missing_values = bundled_missing_values(source) or None
    elif not isinstance(missing_values, Mapping):
        # Sentinels meant for the data must not hit the label codes (a sentinel 0 would erase the first label).
        missing_values = {str(c): missing_values for c in raw.columns if c != label_column}
    clean = load_series(raw, columns=columns, split=split, missing_values=missing_values, **options)
    clean.report[0] = clean.report[0].replace("source DataFrame:", f"source {describe_source(source)}:", 1)
    return clean, names


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
