"""Input checks shared by every metric: windows are time-major `[N, L, C]`, finite, and comparable."""

from __future__ import annotations

from typing import Any

import numpy as np


def as_windows(x: Any, name: str = "windows", min_windows: int = 1, min_length: int = 1) -> np.ndarray:
    """
    Converts user input to a float64 array of time-major windows `[N, L, C]` and checks it.

    Args:
        x (`np.ndarray`, `torch.Tensor` or nested lists): Windows `[N, L, C]`, or `[N, L]` for one channel.
        name (`str`, defaults to `"windows"`): How the input is called in error messages.
        min_windows (`int`, defaults to 1): Fewest windows the caller's metric needs.
        min_length (`int`, defaults to 1): Fewest time steps per window the caller's metric needs.

    Returns:
        `np.ndarray` of shape `[N, L, C]`, float64.

    Raises:
        `ValueError`: On a wrong number of dimensions, NaN / inf values, too few windows or too short windows.
    """
    if hasattr(x, "detach"):  # a torch tensor, without importing torch here
        x = x.detach().cpu().numpy()
    array = np.asarray(x, dtype=np.float64)
    if array.ndim == 2:
        array = array[:, :, None]
    if array.ndim != 3:
        raise ValueError(
            f"`{name}` must be time-major windows [N, L, C] (or [N, L] for one channel), got shape {array.shape}. "
            "Window a long series first (e.g. `sliding_windows(series, window_size)`) or reshape the array."
        )
    check_finite(array, name)
    if array.shape[0] < min_windows:
        raise ValueError(
            f"`{name}` has {array.shape[0]} windows but this metric needs at least {min_windows}; "
            "pass more windows (generate more samples or use a smaller stride)."
        )
    if array.shape[1] < min_length:
        raise ValueError(
            f"`{name}` windows have {array.shape[1]} time steps but this metric needs at least {min_length}; "
            "use longer windows."
        )
    return array


def check_finite(array: np.ndarray, name: str) -> None:
    """Raises a `ValueError` locating the first NaN / inf of `array` `[N, L, C]`, if any."""
    finite = np.isfinite(array)
    if finite.all():
        return
    bad = np.argwhere(~finite)
    window, step, channel = (int(i) for i in bad[0])
    raise ValueError(
        f"`{name}` has {len(bad)} non-finite values (NaN or inf), the first at window {window}, step {step}, "
        f"channel {channel}; drop those windows (e.g. `x[np.isfinite(x).all(axis=(1, 2))]`) or impute them "
        "before evaluating."
    )


def check_same_layout(real: np.ndarray, synthetic: np.ndarray, names: tuple[str, str] = ("real", "synthetic")) -> None:
    """
    Raises a `ValueError` unless two `[N, L, C]` arrays have the same window length and channels.

    A channels-first array `[N, C, L]` is recognised and the transpose suggested.
    """
    if real.shape[1:] == synthetic.shape[1:]:
        return
    hint = "generate or window both with the same window length and the same channels"
    if real.shape[1:] == synthetic.shape[1:][::-1]:
        hint = f"`{names[1]}` looks channels-first [N, C, L]; pass `{names[1]}.transpose(0, 2, 1)`"
    raise ValueError(
        f"`{names[0]}` windows are [N, L={real.shape[1]}, C={real.shape[2]}] but `{names[1]}` windows are "
        f"[N, L={synthetic.shape[1]}, C={synthetic.shape[2]}]; {hint}."
    )


def as_window_pair(
    real: Any,
    synthetic: Any,
    min_windows: int = 1,
    min_length: int = 1,
    names: tuple[str, str] = ("real", "synthetic"),
) -> tuple[np.ndarray, np.ndarray]:
    """[`as_windows`] on both inputs, then [`check_same_layout`]. Returns the two float64 `[N, L, C]` arrays."""
    real_windows = as_windows(real, names[0], min_windows, min_length)
    synthetic_windows = as_windows(synthetic, names[1], min_windows, min_length)
    check_same_layout(real_windows, synthetic_windows, names)
    return real_windows, synthetic_windows
