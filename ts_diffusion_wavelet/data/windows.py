"""Lazy sliding windows over a model-space series, and the split by time into training and validation rows.

Memory grows with the series, not with the number of windows: a [`WindowDataset`] keeps the `[T, C]` series once
(float32) and slices a `[C, L]` window when asked. Training and validation datasets share the same array.
"""

from __future__ import annotations

import numpy as np
import torch
from torch.utils.data import Dataset


def check_window_settings(window_size: int, stride: int) -> None:
    """
    Raises:
        `ValueError`: Unless `window_size >= 2` and `stride >= 1` are integers.
    """
    if isinstance(window_size, bool) or not isinstance(window_size, (int, np.integer)) or window_size < 2:
        raise ValueError(f"`window_size` must be an integer >= 2, got {window_size!r}.")
    if isinstance(stride, bool) or not isinstance(stride, (int, np.integer)) or stride < 1:
        raise ValueError(f"`stride` must be an integer >= 1 (1 = every offset), got {stride!r}.")


def split_row(num_rows: int, validation_fraction: float, window_size: int) -> int:
    """
    The first validation row of a series of `num_rows` rows: validation is the last `validation_fraction` of it.

    Args:
        num_rows (`int`): Rows of the (model-space) series.
        validation_fraction (`float`): In `[0, 1)`; 0 means no validation (the split row is `num_rows`).
        window_size (`int`): Both parts must hold at least one window.

    Returns:
        `int`: rows `[0, split)` are training, rows `[split, num_rows)` validation.

    Raises:
        `ValueError`: For a fraction outside `[0, 1)` or a part shorter than one window (both lengths and the fix).
    """
    if not 0 <= validation_fraction < 1:
        raise ValueError(
            f"`validation_fraction` must be in [0, 1), got {validation_fraction!r}. Use e.g. 0.1, or 0 for none."
        )
    num_validation = int(round(validation_fraction * num_rows))
    if validation_fraction > 0 and num_validation < window_size:
        raise ValueError(
            f"The validation part holds {num_validation} rows ({validation_fraction} of {num_rows}), fewer than one "
            f"window of window_size={window_size}. Raise `validation_fraction` to at least "
            f"{window_size / num_rows:.3g}, lower `window_size`, or pass `validation_fraction=0`."
        )
    num_train = num_rows - num_validation
    if num_train < window_size:
        raise ValueError(
            f"The training part holds {num_train} rows (of {num_rows} after cleaning and the target transform), "
            f"fewer than one window of window_size={window_size}. Lower `window_size` to at most {num_train}, lower "
            "`validation_fraction`, or use a longer series."
        )
    return num_train


class WindowDataset(Dataset):
    """
    Sliding windows of a model-space series, produced lazily as float32 tensors `[C, L]`.

    Window `i` covers rows `[first_row + i * stride, first_row + i * stride + window_size)`; every window lies
    inside `[first_row, last_row)`.

    Args:
        series (`np.ndarray` of shape `[T, C]`): Model-space series, time-major. Kept as a float32 array (not copied
            when it already is one, so datasets over the same array share it).
        window_size (`int`): Window length `L`.
        stride (`int`, defaults to 1): Rows between the starts of consecutive windows.
        first_row (`int`, defaults to 0): First row windows may use.
        last_row (`int`, *optional*): One past the last row windows may use (defaults to `T`).
        start_levels (`np.ndarray` of shape `[T, C]`, *optional*): The level (data units) just before each row, so
            [`~WindowDataset.start_values`] can give the start levels that
            `SeriesPreprocessor.inverse_transform` needs.
        channel_names (`list[str]`, *optional*): Names of the `C` channels.

    Examples:
        ```py
        >>> import numpy as np
        >>> from ts_diffusion_wavelet.data import WindowDataset
        >>> dataset = WindowDataset(np.zeros((100, 2)), window_size=32, stride=4)
        >>> len(dataset), dataset[0].shape
        (18, torch.Size([2, 32]))
        ```
    """

    def __init__(
        self,
        series: np.ndarray,
        window_size: int,
        stride: int = 1,
        *,
        first_row: int = 0,
        last_row: int | None = None,
        start_levels: np.ndarray | None = None,
        channel_names: list[str] | None = None,
    ) -> None:
        check_window_settings(window_size, stride)
        self.series = np.asarray(series, dtype=np.float32)
        if self.series.ndim != 2:
            raise ValueError(f"`series` must have shape [time, channels], got {self.series.shape}.")
        num_rows = self.series.shape[0]
        last_row = num_rows if last_row is None else last_row
        if not 0 <= first_row <= last_row <= num_rows:
            raise ValueError(f"Need 0 <= first_row <= last_row <= {num_rows}, got {first_row=}, {last_row=}.")
        if last_row - first_row < window_size:
            raise ValueError(
                f"Rows [{first_row}, {last_row}) hold {last_row - first_row} steps, fewer than one window of "
                f"window_size={window_size}. Lower `window_size` or use a longer series."
            )
        if start_levels is not None and np.shape(start_levels) != self.series.shape:
            raise ValueError(f"`start_levels` must have the series' shape {self.series.shape}.")
        self.window_size, self.stride = int(window_size), int(stride)
        self.first_row, self.last_row = int(first_row), int(last_row)
        self.start_levels = start_levels
        self.channel_names = list(channel_names) if channel_names is not None else None

    @property
    def num_channels(self) -> int:
        return self.series.shape[1]

    def __len__(self) -> int:
        return (self.last_row - self.first_row - self.window_size) // self.stride + 1

    def window_start(self, index: int) -> int:
        """The first series row of window `index` (negative indices count from the end)."""
        length = len(self)
        index = int(index)
        if not -length <= index < length:
            raise IndexError(f"Window index {index} out of range for {length} windows.")
        return self.first_row + (index % length) * self.stride

    @property
    def window_starts(self) -> np.ndarray:
        """First series row of every window, `[N]`."""
        return self.first_row + self.stride * np.arange(len(self))

    def __getitem__(self, index: int) -> torch.Tensor:
        start = self.window_start(index)
        return torch.from_numpy(self.series[start : start + self.window_size].T.copy())

    def start_values(self, indices: np.ndarray | list[int] | None = None) -> np.ndarray:
        """
        The level just before each window, `[N, C]` float64 (all windows when `indices` is `None`), for
        `SeriesPreprocessor.inverse_transform(windows, start_values=...)`.

        Raises:
            `ValueError`: When the dataset was built without `start_levels`.
        """
        if self.start_levels is None:
            raise ValueError(
                "This WindowDataset has no `start_levels`; without a differencing target transform no start "
                "values are needed (pass None to `inverse_transform`)."
            )
        starts = self.window_starts if indices is None else np.array([self.window_start(i) for i in indices])
        return np.asarray(self.start_levels[starts], dtype="float64")

    def __repr__(self) -> str:
        return (
            f"WindowDataset({len(self)} windows of [{self.num_channels}, {self.window_size}], stride {self.stride}, "
            f"rows [{self.first_row}, {self.last_row}))"
        )
