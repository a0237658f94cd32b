"""`SeriesPreprocessor`: the reversible map between a clean series in the data's units and model space.

Forward (`transform`): levels `[T, C]` → target transform per channel → scaling per channel → `[T - lag, C]`.
Inverse (`inverse_transform`): model-space windows `[B, C, L]` → unscale → rebuild levels from start values →
`[B, L, C]` in the data's units. Everything needed for the inverse is plain data (`to_dict` / `from_dict`).
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping, Sequence
from typing import Any, Union

import numpy as np
import pandas as pd

from .categorical import onehot_channel_name, onehot_decode
from .extremes import FLOAT32_MAX, check_representable, check_statistics
from .scaling import SCALINGS, Scaling, fit_scaling, scale_values, unscale_values
from .target_transforms import (
    TARGET_TRANSFORMS,
    TargetTransform,
    apply_target_transform,
    invert_target_transform,
    target_lag,
)

DICT_TYPE = "ts_diffusion_wavelet.SeriesPreprocessor"
DICT_VERSION = 1
ArrayLike = Union[np.ndarray, "torch.Tensor"]  # noqa: F821 - torch is imported lazily


class SeriesPreprocessor:
    r"""
    Target transform and scaling per channel, fitted on the training split, reversible.

    Args:
        target_transform (`"none"`, `"diff"`, `"log_return"`, or `dict[str, str]`, defaults to `"none"`): One
            setting for every channel, or one per column name (columns not in the dict get `"none"`). One-hot
            channels always get `"none"`.
        scaling (`"standard"`, `"minmax"`, `"none"`, or `dict[str, str]`, defaults to `"standard"`): One setting
            for every channel, or one per column name (columns not in the dict get `"none"`). `"minmax"` maps the
            training range to `[-1, 1]`. One-hot channels use `"minmax"` over their known range (`{0, 1}` maps to
            `{-1, 1}`) unless their scaling is `"none"`.
        categories (`dict[str, list[str]]`, *optional*): Labels of the one-hot encoded columns (channels named
            `"column=label"`), used to decode them in [`~SeriesPreprocessor.to_frames`].
        input_scale (`float`, defaults to 1.0): A factor on every channel's model-space values (each fitted
            `scale` is divided by it, so inverse transforms stay exact): below 1 the diffusion's noise drowns the
            data at earlier steps of its schedule, above 1 at later ones (Chen 2023's input scaling).

    Examples:
        ```py
        >>> import numpy as np
        >>> from ts_diffusion_wavelet.data import SeriesPreprocessor, geometric_prices
        >>> prices = geometric_prices(1000)[:, None]  # [T, C]
        >>> pre = SeriesPreprocessor(target_transform="log_return").fit(prices, channel_names=["Close"])
        >>> model_space = pre.transform(prices)  # [T - 1, C]
        >>> windows = model_space[:64].T[np.newaxis]  # [1, C, 64], channels-first like the model
        >>> levels = pre.inverse_transform(windows, start_values=prices[0])  # [1, 64, C] == prices[1:65]
        ```
    """

    def __init__(
        self,
        target_transform: TargetTransform | Mapping[str, TargetTransform] = "none",
        scaling: Scaling | Mapping[str, Scaling] = "standard",
        categories: Mapping[str, Sequence[str]] | None = None,
        input_scale: float = 1.0,
    ) -> None:
        _check_setting("target_transform", target_transform, TARGET_TRANSFORMS)
        _check_setting("scaling", scaling, SCALINGS)
        if isinstance(input_scale, bool) or not isinstance(input_scale, (int, float)) or not 0 < input_scale < 1e6:
            raise ValueError(
                "`input_scale` must be a positive number below 1e6 (1 keeps the scaling as fitted), "
                f"got {input_scale!r}."
            )
        self.input_scale = float(input_scale)
        self.target_transform = target_transform if isinstance(target_transform, str) else dict(target_transform)
        self.scaling = scaling if isinstance(scaling, str) else dict(scaling)
        self.categories = {str(k): [str(v) for v in labels] for k, labels in (categories or {}).items()}
        self.channels: list[dict[str, Any]] | None = None  # one record per channel once fitted

    # ----- fitted state -----------------------------------------------------------------------------------------
    @property
    def is_fitted(self) -> bool:
        return self.channels is not None

    @property
    def channel_names(self) -> list[str]:
        return [record["name"] for record in self._fitted()]

    @property
    def num_channels(self) -> int:
        return len(self._fitted())

    @property
    def lag(self) -> int:
        """Rows the target transform removes at the start: `transform` maps `T` rows to `T - lag`."""
        return target_lag(self._kinds("target_transform"))

    @property
    def start_values(self) -> np.ndarray:
        """Default start levels `[C]`: the last level of each channel in the training split."""
        return np.array([record["start_value"] for record in self._fitted()])

    def resolve_target_transforms(self, channel_names: Sequence[str]) -> list[str]:
        """The target transform each of `channel_names` gets (before fitting, e.g. to know the `lag`)."""
        names, group_of = list(channel_names), self._group_of_channels(channel_names)
        return [_setting(self.target_transform, name, names, group_of, "target_transform") for name in names]

    def _fitted(self) -> list[dict[str, Any]]:
        if self.channels is None:
            raise ValueError("This SeriesPreprocessor is not fitted yet. Call `fit(train_levels)` first.")
        return self.channels

    def _kinds(self, key: str) -> list[str]:
        return [record[key] for record in self._fitted()]

    def _stats(self) -> tuple[np.ndarray, np.ndarray]:
        channels = self._fitted()
        return np.array([c["loc"] for c in channels]), np.array([c["scale"] for c in channels])

    # ----- fit / transform --------------------------------------------------------------------------------------
    def fit(self, levels: pd.DataFrame | np.ndarray, channel_names: Sequence[str] | None = None) -> SeriesPreprocessor:
        """
        Fit on the training split: resolve the settings per channel, fit the scaling on the transformed training
        values, and record the last training level of each channel as the default start value.

        Args:
            levels (`pandas.DataFrame` or `np.ndarray` of shape `[T, C]`): Clean training levels, time-major.
            channel_names (`list[str]`, *optional*): Names for an array input (default `channel_0`, ...); a
                DataFrame's columns are used otherwise.

        Returns:
            `self`.
        """
        values, names, index = _as_levels(levels, channel_names)
        group_of = self._group_of_channels(names)
        targets = self.resolve_target_transforms(names)
        scalings = [_setting(self.scaling, name, names, group_of, "scaling") for name in names]
        lag = target_lag(targets)
        if values.shape[0] < lag + 1:
            raise ValueError(
                f"Need at least {lag + 1} training rows to fit, got {values.shape[0]}. Use a longer training split."
            )
        transformed = apply_target_transform(values, targets, channel_names=names, index=index)
        check_statistics(transformed, names, row_offset=lag, index=index)
        known = [(0.0, 1.0) if name in group_of else None for name in names]
        loc, scale = fit_scaling(transformed, scalings, channel_names=names, known_ranges=known)
        scale = scale / self.input_scale  # the model sees the scaled values times input_scale
        channels = [
            {
                "name": name,
                "target_transform": targets[c],
                "scaling": scalings[c],
                "loc": float(loc[c]),
                "scale": float(scale[c]),
                "start_value": float(values[-1, c]),
                "categorical": group_of.get(name),
            }
            for c, name in enumerate(names)
        ]
        for position, record in enumerate(channels):
            _check_channel_record(record, f"channels[{position}]")
        self.channels = channels
        return self

    def transform(self, levels: pd.DataFrame | np.ndarray) -> np.ndarray:
        """
        Levels `[T, C]` (data units, time-major) → model space `[T - lag, C]` (time-major, float64).

        A DataFrame must have the fitted channel names as columns (any order); an array must have them in order.
        """
        names = self.channel_names
        if isinstance(levels, pd.DataFrame):
            missing = [name for name in names if name not in levels.columns]
            if missing:
                raise ValueError(f"Columns {missing} are missing; the preprocessor was fitted on {names}.")
            levels = levels[names]
        values, _, index = _as_levels(levels, names)
        if values.shape[1] != len(names):
            raise ValueError(f"Expected {len(names)} channels {names}, got an array with {values.shape[1]}.")
        if values.shape[0] <= self.lag:
            raise ValueError(f"Need more than {self.lag} rows to transform, got {values.shape[0]}.")
        transformed = apply_target_transform(values, self._kinds("target_transform"), channel_names=names, index=index)
        scaled = scale_values(transformed, *self._stats())
        check_representable(
            scaled,
            names,
            what="value after scaling by the training statistics",
            row_offset=self.lag,
            index=index,
            fix="Rows outside the training split can hold values far beyond its range: fix or remove them (or mark "
            "them missing with `missing_values=` and `nan_policy=`).",
        )
        return scaled

    def fit_transform(
        self, levels: pd.DataFrame | np.ndarray, channel_names: Sequence[str] | None = None
    ) -> np.ndarray:
        """[`~SeriesPreprocessor.fit`] then [`~SeriesPreprocessor.transform`] on the same levels."""
        return self.fit(levels, channel_names).transform(levels)

    # ----- inverse ----------------------------------------------------------------------------------------------
    def inverse_transform(self, windows: ArrayLike, start_values: ArrayLike | None = None) -> np.ndarray:
        """
        Model-space windows `[B, C, L]` (or one window `[C, L]`) → levels `[B, L, C]` (or `[L, C]`) in data units.

        Args:
            windows (`np.ndarray` or `torch.Tensor` of shape `[B, C, L]` or `[C, L]`): Channels-first, as the
                model sees them (any device / dtype).
            start_values (`np.ndarray` or `torch.Tensor` of shape `[C]` or `[B, C]`, *optional*): The level just
                before each window, per channel; row `t` of the output is the level `t + 1` steps after it.
                Only `"diff"` / `"log_return"` channels use it. Defaults to [`~SeriesPreprocessor.start_values`]
                (the last training level) for every window.

        Returns:
            `np.ndarray` of shape `[B, L, C]` (or `[L, C]`), float64, time-major.
        """
        array = _to_numpy(windows)
        single = array.ndim == 2
        if single:
            array = array[None]
        if array.ndim != 3 or array.shape[1] != self.num_channels:
            raise ValueError(
                f"Expected windows of shape [batch, {self.num_channels}, length] (channels {self.channel_names}) "
                f"or [{self.num_channels}, length], got {tuple(_to_numpy(windows).shape)}."
            )
        start = self.start_values if start_values is None else self.check_start_values(start_values, array.shape[0])
        values = unscale_values(array.transpose(0, 2, 1), *self._stats())
        with np.errstate(over="ignore", invalid="ignore"):
            levels = invert_target_transform(values, self._kinds("target_transform"), start)
        _warn_not_finite(levels, self.channel_names)
        return levels[0] if single else levels

    def check_start_values(self, start_values: ArrayLike | float, batch_size: int) -> np.ndarray:
        """
        Check start levels for [`~SeriesPreprocessor.inverse_transform`] before any work: a number (every channel),
        `[C]` or `[batch_size, C]`, finite, and positive in `"log_return"` channels (their levels are the start
        times the exponential of summed returns, so a non-positive start has no valid levels).

        Returns:
            `np.ndarray` of shape `[C]` or `[batch_size, C]`, float64.

        Raises:
            `ValueError`: Naming the shape, or the first bad value with its channel (and window).
        """
        try:
            start = _to_numpy(start_values)
        except (TypeError, ValueError):
            raise ValueError(
                f"`start_values` must be a number or an array of numbers, got {start_values!r}."
            ) from None
        if start.ndim == 0:
            start = np.full(self.num_channels, float(start))
        if start.shape not in ((self.num_channels,), (batch_size, self.num_channels)):
            raise ValueError(
                f"`start_values` must have shape [{self.num_channels}] or [{batch_size}, {self.num_channels}] (one "
                f"level per channel {self.channel_names}, optionally per window) or be one number, got "
                f"{tuple(start.shape)}."
            )
        positive = np.array([kind == "log_return" for kind in self._kinds("target_transform")])
        rows = start.reshape(-1, self.num_channels)
        with np.errstate(invalid="ignore"):
            bad = ~np.isfinite(rows) | (positive & ~(rows > 0))
        if bad.any():
            row, channel = (int(i) for i in np.argwhere(bad)[0])
            where = f"channel {self.channel_names[channel]!r}" + (f", window {row}" if start.ndim == 2 else "")
            need = "a finite positive price (levels are start x exp(summed log-returns))"
            raise ValueError(
                f"`start_values` holds {float(rows[row, channel])!r} for {where} "
                f"({int(bad.sum())} bad values in all); "
                f"it needs {need if positive[channel] else 'a finite number'}. The default is the last training "
                f"level, {self.start_values.tolist()}."
            )
        return start

    def to_frames(
        self, windows: ArrayLike, start_values: ArrayLike | None = None, index: Sequence | None = None
    ) -> list[pd.DataFrame]:
        """
        Model-space windows `[B, C, L]` → one `pandas.DataFrame` `[L, columns]` per window, in data units, with
        one-hot channel groups decoded back to their labels (argmax).

        Args:
            windows, start_values: As in [`~SeriesPreprocessor.inverse_transform`].
            index (*optional*): Index of length `L` for every frame (e.g. timestamps); defaults to `0 .. L-1`.

        Returns:
            `list[pandas.DataFrame]` of length `B`.
        """
        levels = self.inverse_transform(windows, start_values)
        levels = levels[None] if levels.ndim == 2 else levels
        frames = [pd.DataFrame(window, columns=self.channel_names, index=index) for window in levels]
        if self.categories:
            frames = [onehot_decode(frame, self.categories) for frame in frames]
        return frames

    # ----- plain data -------------------------------------------------------------------------------------------
    def to_dict(self) -> dict[str, Any]:
        """Everything needed to rebuild this preprocessor, as JSON-ready plain data (see the README's format)."""
        return {
            "type": DICT_TYPE,
            "version": DICT_VERSION,
            "target_transform": self.target_transform,
            "scaling": self.scaling,
            "categories": {k: list(v) for k, v in self.categories.items()},
            "channels": None if self.channels is None else [dict(record) for record in self.channels],
        }

    @classmethod
    def from_dict(cls, config: Mapping[str, Any]) -> SeriesPreprocessor:
        """Inverse of [`~SeriesPreprocessor.to_dict`]."""
        if config.get("type") != DICT_TYPE or config.get("version") != DICT_VERSION:
            raise ValueError(
                f"Not a SeriesPreprocessor dict of version {DICT_VERSION}: got type={config.get('type')!r}, "
                f"version={config.get('version')!r}. Pass the output of `SeriesPreprocessor.to_dict()`."
            )
        for key in ("target_transform", "scaling"):
            if key not in config:
                raise ValueError(f"field {key!r} is missing; pass the output of `SeriesPreprocessor.to_dict()`.")
        preprocessor = cls(config["target_transform"], config["scaling"], config.get("categories"))
        channels = config.get("channels")
        if channels is not None:
            if not isinstance(channels, list) or not channels:
                raise ValueError(f"field 'channels' must be a non-empty list of channel records, got {channels!r}.")
            for position, record in enumerate(channels):
                _check_channel_record(record, f"channels[{position}]")
            preprocessor.channels = [dict(record) for record in channels]
        return preprocessor

    def __repr__(self) -> str:
        if self.channels is None:
            return f"SeriesPreprocessor(target_transform={self.target_transform!r}, scaling={self.scaling!r})"
        parts = [f"{c['name']}: {c['target_transform']}/{c['scaling']}" for c in self.channels]
        return f"SeriesPreprocessor({', '.join(parts)})"

    # ----- settings per channel ---------------------------------------------------------------------------------
    def _group_of_channels(self, names: Sequence[str]) -> dict[str, str]:
        group_of = {}
        for column, labels in self.categories.items():
            for label in labels:
                channel = onehot_channel_name(column, label)
                if channel not in names:
                    raise ValueError(
                        f"One-hot channel {channel!r} of {column!r} is missing from the channels {names}."
                    )
                group_of[channel] = column
        return group_of


def _setting(setting: str | dict[str, str], name: str, names: list[str], group_of: dict[str, str], key: str) -> str:
    """The setting of one channel; one-hot channels always get target transform `"none"`."""
    if isinstance(setting, str):
        value = setting
    else:
        unknown = [k for k in setting if k not in names and k not in group_of.values()]
        if unknown:
            raise ValueError(
                f"`{key}` names unknown columns {unknown}; the columns are {sorted(set(names) - set(group_of))} and "
                f"the categorical columns {sorted(set(group_of.values()))}. Use names from those lists."
            )
        value = setting.get(name, setting.get(group_of.get(name, ""), "none"))
    if key == "target_transform" and name in group_of:
        if not isinstance(setting, str) and value != "none":
            raise ValueError(
                f"Column {group_of[name]!r} is one-hot encoded: it cannot take target_transform={value!r}. Remove "
                "it from the `target_transform` dict."
            )
        return "none"
    if key == "scaling" and name in group_of and value != "none":
        return "minmax"  # over the known range [0, 1], whatever the data: {0, 1} -> {-1, 1}
    return value


_RECORD_FIELDS = ("name", "target_transform", "scaling", "loc", "scale", "start_value")


def _check_channel_record(record: Any, where: str) -> None:
    """
    One channel's fitted record must be usable: known settings, and `loc`, `scale` (positive) and `start_value`
    finite within float32's range (the model's precision). Errors name the field as `where.field`.
    """
    if not isinstance(record, Mapping):
        raise ValueError(f"field {where!r} must be a channel record (a dict), got {record!r}.")
    missing = [key for key in _RECORD_FIELDS if key not in record]
    if missing:
        raise ValueError(f"field {where!r} lacks {missing}; a channel record has {list(_RECORD_FIELDS)}.")
    if not isinstance(record["name"], str):
        raise ValueError(f"field '{where}.name' must be a column name (text), got {record['name']!r}.")
    for key, choices in (("target_transform", TARGET_TRANSFORMS), ("scaling", SCALINGS)):
        if record[key] not in choices:
            raise ValueError(f"field '{where}.{key}' is {record[key]!r}; it must be one of {list(choices)}.")
    for key in ("loc", "scale", "start_value"):
        value = record[key]
        number = float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else None
        if number is None or not abs(number) <= FLOAT32_MAX:
            raise ValueError(
                f"field '{where}.{key}' of channel {record['name']!r} is {value!r}; it must be a finite number within "
                f"float32's range ({FLOAT32_MAX:.3g}), the model's precision."
            )
    if not record["scale"] > 0:
        raise ValueError(
            f"field '{where}.scale' of channel {record['name']!r} is {record['scale']!r}; a scale must be positive "
            "(windows are divided by it)."
        )
    if record["target_transform"] == "log_return" and not record["start_value"] > 0:
        raise ValueError(
            f"field '{where}.start_value' of channel {record['name']!r} is {record['start_value']!r}; a "
            "'log_return' channel needs a positive start price."
        )


def _warn_not_finite(levels: np.ndarray, channel_names: Sequence[str]) -> None:
    """Generated levels that overflowed (e.g. `exp` of summed log-returns) are said, not passed on silently."""
    bad = ~np.isfinite(levels)
    if not bad.any():
        return
    counts = bad.reshape(-1, bad.shape[-1]).sum(axis=0)
    columns = ", ".join(f"{name!r}: {int(n)}" for name, n in zip(channel_names, counts, strict=True) if n)
    warnings.warn(
        f"{int(bad.sum())} of {bad.size} generated levels are not finite ({columns}): they overflowed when the "
        "preprocessing was undone (the summed differences or log-returns grew beyond float64). Check the start "
        "values and the saved preprocessing statistics; the model may have diverged.",
        UserWarning,
        stacklevel=3,
    )


def _check_setting(name: str, setting: str | Mapping[str, str], choices: tuple[str, ...]) -> None:
    values = [setting] if isinstance(setting, str) else list(setting.values())
    bad = [v for v in values if v not in choices]
    if bad:
        raise ValueError(
            f"`{name}` must be one of {list(choices)} (or a dict of column to one of them), got {bad[0]!r}."
        )


def _as_levels(
    levels: pd.DataFrame | np.ndarray, channel_names: Sequence[str] | None
) -> tuple[np.ndarray, list[str], Sequence | None]:
    if isinstance(levels, pd.DataFrame):
        names = [str(c) for c in levels.columns]
        values, index = levels.to_numpy(dtype="float64"), levels.index
    else:
        values = np.asarray(levels, dtype="float64")
        values = values[:, None] if values.ndim == 1 else values
        if values.ndim != 2:
            raise ValueError(f"Expected levels of shape [time, channels], got {values.shape}.")
        names = list(channel_names) if channel_names is not None else [f"channel_{c}" for c in range(values.shape[1])]
        index = None
    if len(names) != values.shape[1]:
        raise ValueError(f"Got {len(names)} channel names {names} for {values.shape[1]} channels.")
    bad = np.argwhere(~np.isfinite(values))
    if bad.size:
        row, channel = (int(i) for i in bad[0])
        raise ValueError(
            f"Levels contain {len(bad)} NaN/inf values (first: {float(values[row, channel])!r} in {names[channel]!r} "
            f"at row {row}). Clean the data first (`nan_policy=` in `prepare_windows` / `clean_frame`)."
        )
    return values, names, index


def _to_numpy(array: ArrayLike) -> np.ndarray:
    if hasattr(array, "detach"):
        return array.detach().to("cpu").double().numpy()
    return np.asarray(array, dtype="float64")
