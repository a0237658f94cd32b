"""Scale grids for the CWT and the scale <-> frequency conversions that go with them.

A scale `s` of a wavelet with centre frequency `fc` (cycles per sample at scale 1) analyses the frequency
`fc / s` cycles per sample, i.e. a period of `s / fc` samples. The smallest useful scale is the Nyquist
scale `2 * fc` (1.625 for `morl`); the largest a window of `L` samples can hold is `fc * L` (one period of
the scale's centre frequency fits in the window).
"""

from __future__ import annotations

from typing import Literal

import numpy as np

from .wavelets import DEFAULT_PRECISION, center_frequency, nyquist_scale

SCALE_SPACINGS = ("log", "linear")


def max_scale_for_length(length: int, wavelet: str = "morl", precision: int = DEFAULT_PRECISION) -> float:
    """
    The largest scale whose centre period (`scale / center_frequency` samples) fits in `length` samples.

    Args:
        length (`int`): Window length in samples.
        wavelet (`str`, defaults to `"morl"`): A supported wavelet name.
        precision (`int`, defaults to 12): Wavelet tabulation precision, as in `pywt.cwt`.
    """
    return center_frequency(wavelet, precision) * float(length)


def scale_grid(
    num_scales: int,
    max_scale: float,
    *,
    wavelet: str = "morl",
    min_scale: float | None = None,
    spacing: Literal["log", "linear"] = "log",
    precision: int = DEFAULT_PRECISION,
) -> np.ndarray:
    """
    An increasing grid of CWT scales.

    Log spacing (the default) gives every octave the same number of rows; linear spacing (pywt's habit,
    `1..128`) spends most rows on low frequencies and few on the high ones, where returns live.

    Args:
        num_scales (`int`): Number of scales (>= 1).
        max_scale (`float`): Largest scale. For a window of `L` samples keep it at or below
            [`max_scale_for_length`] (`0.8125 * L` for `morl`); `L / 2` is a common choice.
        wavelet (`str`, defaults to `"morl"`): A supported wavelet name; sets the default `min_scale`.
        min_scale (`float`, *optional*): Smallest scale; defaults to the wavelet's Nyquist scale (1.625 for
            `morl`, 2 for `cmor1.5-1.0`). Smaller scales alias.
        spacing (`"log"` or `"linear"`, defaults to `"log"`): Spacing of the grid.
        precision (`int`, defaults to 12): Wavelet tabulation precision, as in `pywt.cwt`.

    Returns:
        `np.ndarray`: `num_scales` float64 scales from `min_scale` to `max_scale`.
    """
    if isinstance(num_scales, bool) or not isinstance(num_scales, (int, np.integer)) or num_scales < 1:
        raise ValueError(f"`num_scales` must be a positive integer, got {num_scales!r}.")
    if spacing not in SCALE_SPACINGS:
        raise ValueError(f"Unknown scale spacing {spacing!r}; valid options: {', '.join(SCALE_SPACINGS)}.")
    low = nyquist_scale(wavelet, precision) if min_scale is None else float(min_scale)
    high = float(max_scale)
    if not (np.isfinite(low) and low > 0):
        raise ValueError(f"`min_scale` must be a positive number, got {min_scale!r}; leave it None for Nyquist.")
    if not (np.isfinite(high) and high >= low):
        raise ValueError(
            f"`max_scale` must be a number >= min_scale ({low:g}), got {max_scale!r}; raise it or lower min_scale."
        )
    if num_scales == 1:
        return np.array([high])
    if spacing == "log":
        return np.geomspace(low, high, num_scales)
    return np.linspace(low, high, num_scales)


def scale_to_frequency(
    scales: np.ndarray | list[float] | float,
    wavelet: str = "morl",
    sampling_period: float = 1.0,
    precision: int = DEFAULT_PRECISION,
) -> np.ndarray:
    """
    Frequencies analysed by `scales`, as `pywt.scale2frequency(wavelet, scales) / sampling_period`.

    Args:
        scales (`array-like` or `float`): Positive scales.
        wavelet (`str`, defaults to `"morl"`): A supported wavelet name.
        sampling_period (`float`, defaults to 1): Time between samples; frequencies come out in its inverse
            unit (cycles per sample by default).
        precision (`int`, defaults to 12): Wavelet tabulation precision, as in `pywt.cwt`.

    Returns:
        `np.ndarray`: float64 frequencies, one per scale.
    """
    if not (np.isfinite(sampling_period) and sampling_period > 0):
        raise ValueError(f"`sampling_period` must be a positive number, got {sampling_period!r}.")
    scales = np.atleast_1d(np.asarray(scales, dtype=np.float64))
    if np.any(~(scales > 0)):
        raise ValueError(f"Scales must be positive, got {scales[~(scales > 0)][:5].tolist()}.")
    return center_frequency(wavelet, precision) / scales / sampling_period


def frequency_to_scale(
    frequencies: np.ndarray | list[float] | float,
    wavelet: str = "morl",
    sampling_period: float = 1.0,
    precision: int = DEFAULT_PRECISION,
) -> np.ndarray:
    """
    Scales that analyse `frequencies` (the inverse of [`scale_to_frequency`]).

    Args:
        frequencies (`array-like` or `float`): Positive frequencies, in the inverse unit of `sampling_period`.
        wavelet (`str`, defaults to `"morl"`): A supported wavelet name.
        sampling_period (`float`, defaults to 1): Time between samples.
        precision (`int`, defaults to 12): Wavelet tabulation precision, as in `pywt.cwt`.

    Returns:
        `np.ndarray`: float64 scales, one per frequency.
    """
    if not (np.isfinite(sampling_period) and sampling_period > 0):
        raise ValueError(f"`sampling_period` must be a positive number, got {sampling_period!r}.")
    frequencies = np.atleast_1d(np.asarray(frequencies, dtype=np.float64))
    if np.any(~(frequencies > 0)):
        raise ValueError(f"Frequencies must be positive, got {frequencies[~(frequencies > 0)][:5].tolist()}.")
    return center_frequency(wavelet, precision) / (frequencies * sampling_period)
