"""Frequency content: mean power spectral density and mean wavelet scalogram of a set of windows."""

from __future__ import annotations

from typing import Any

import numpy as np
import torch
from scipy import signal

from ..filter_bank import cwt
from ..scales import max_scale_for_length
from ..wavelets import nyquist_scale
from .checks import as_window_pair, as_windows


def mean_psd(windows: Any) -> tuple[np.ndarray, np.ndarray]:
    """
    Power spectral density averaged over windows: the Hann-tapered periodogram of each mean-removed window.

    Args:
        windows (`np.ndarray`): Windows `[N, L, C]` (or `[N, L]`), unit sampling rate.

    Returns:
        `(frequencies [L // 2 + 1], psd [L // 2 + 1, C])`, frequencies in cycles per time step.
    """
    windows = as_windows(windows, min_length=2)
    frequencies, power = signal.periodogram(windows, window="hann", detrend="constant", axis=1)
    return frequencies, power.mean(axis=0)


def psd_distance(real: Any, synthetic: Any, floor_db: float = -60.0) -> np.ndarray:
    r"""
    Log-spectral distance between the mean PSDs, in decibels, per channel.

    $\sqrt{\operatorname{mean}_f \left(10 \log_{10} \frac{P_s(f) + \epsilon}{P_r(f) + \epsilon}\right)^2}$ over the
    non-zero frequencies, with $\epsilon$ the real mean power `floor_db` below its average level, so that bins
    where the real spectrum is practically empty (a pure sine) do not dominate.

    Args:
        real, synthetic (`np.ndarray`): Windows `[N, L, C]` of the same length and channels.
        floor_db (`float`, defaults to -60): Floor relative to the real spectrum's average level.

    Returns:
        `np.ndarray` `[C]`, in dB; 0 for identical spectra.
    """
    real, synthetic = as_window_pair(real, synthetic, min_length=4)
    _, real_psd = mean_psd(real)
    _, synthetic_psd = mean_psd(synthetic)
    real_psd, synthetic_psd = real_psd[1:], synthetic_psd[1:]  # the DC bin is ~0 after mean removal
    epsilon = real_psd.mean(axis=0) * 10 ** (floor_db / 10) + np.finfo(np.float64).tiny
    ratio_db = 10 * np.log10((synthetic_psd + epsilon) / (real_psd + epsilon))
    return np.sqrt((ratio_db**2).mean(axis=0))


def default_scales(length: int, num_scales: int = 32) -> np.ndarray:
    """
    Log-spaced Morlet scales from the Nyquist scale (period 2 samples) to a period of half the window.

    The period at scale `s` is `s / center_frequency("morl")` samples (see `ts_diffusion_wavelet.scales`).
    """
    smallest = nyquist_scale("morl")
    largest = max(smallest * 1.01, max_scale_for_length(length, "morl") / 2)
    return np.geomspace(smallest, largest, num_scales)


def mean_scalogram(windows: Any, scales: np.ndarray | None = None, channel: int = 0) -> np.ndarray:
    """
    Mean modulus of the Morlet continuous wavelet transform over mean-removed windows, for one channel.

    Each window's mean is removed first (as for the PSD, and as the scalogram representation does), so that
    the zero padding at the edges does not turn a price level into a spurious edge response.

    Uses the package's batched torch CWT ([`ts_diffusion_wavelet.cwt`], pywt-compatible).

    Args:
        windows (`np.ndarray`): Windows `[N, L, C]` (or `[N, L]`).
        scales (`np.ndarray`, *optional*): Wavelet scales; defaults to [`default_scales`].
        channel (`int`, defaults to 0): Which channel.

    Returns:
        `np.ndarray` `[S, L]`.
    """
    windows = as_windows(windows, min_length=4)
    if not 0 <= channel < windows.shape[2]:
        raise ValueError(f"`channel` must be between 0 and {windows.shape[2] - 1}, got {channel}.")
    scales = default_scales(windows.shape[1]) if scales is None else np.asarray(scales, dtype=np.float64)
    x = windows[:, :, channel] - windows[:, :, channel].mean(axis=1, keepdims=True)
    coefficients = _cwt(x, scales)  # [N, S, L]
    return np.abs(coefficients).mean(axis=0)


def _cwt(x: np.ndarray, scales: np.ndarray) -> np.ndarray:
    """Morlet CWT of `x` `[N, L]` → `[N, S, L]` with the package's filter bank (pywt's zero padding)."""
    with torch.no_grad():
        coefficients, _ = cwt(torch.from_numpy(x), scales, wavelet="morl")
    return coefficients.cpu().numpy()
