"""Supported Morlet wavelets and their pywt-compatible, integrated filter taps.

`pywt.cwt` does not sample the wavelet: it integrates it over each sample (a cumulative sum of
`wavefun(precision)` indexed with a floor) and differentiates the convolution afterwards. The taps built
here reproduce that construction exactly, so a filter bank made of them matches `pywt.cwt` to rounding.
"""

from __future__ import annotations

import re
from functools import lru_cache

import numpy as np
import pywt

SUPPORTED_WAVELETS = ("morl", "cmorB-C (e.g. cmor1.5-1.0)")
DEFAULT_PRECISION = 12  # pywt.cwt's default: the wavelet is tabulated on 2**12 points.

_CMOR = re.compile(r"^cmor(\d+(?:\.\d*)?|\.\d+)-(\d+(?:\.\d*)?|\.\d+)$")


def check_wavelet(wavelet: str) -> str:
    """
    Validate a wavelet name and return it unchanged.

    Args:
        wavelet (`str`): `"morl"` (real Morlet) or `"cmorB-C"`, a complex Morlet with bandwidth `B` and centre
            frequency `C`, both positive (e.g. `"cmor1.5-1.0"`).

    Returns:
        `str`: The same name.
    """
    if wavelet == "morl":
        return wavelet
    match = _CMOR.match(wavelet) if isinstance(wavelet, str) else None
    if match is not None and float(match.group(1)) > 0 and float(match.group(2)) > 0:
        return wavelet
    raise ValueError(
        f"Unsupported wavelet {wavelet!r}. Supported: {', '.join(SUPPORTED_WAVELETS)} with positive B and C; "
        "other pywt wavelets are not Morlet and are not supported."
    )


def is_complex(wavelet: str) -> bool:
    """Whether the wavelet's coefficients are complex (`cmorB-C`) rather than real (`morl`)."""
    return check_wavelet(wavelet) != "morl"


@lru_cache(maxsize=16)
def _continuous_wavelet(wavelet: str) -> pywt.ContinuousWavelet:
    return pywt.ContinuousWavelet(check_wavelet(wavelet))


@lru_cache(maxsize=64)  # tabulates the wavelet and takes its FFT, twice per transform call: a constant
def center_frequency(wavelet: str, precision: int = DEFAULT_PRECISION) -> float:
    """
    Centre frequency in cycles per sample at scale 1, as `pywt.cwt` reports it (`pywt.central_frequency`).

    pywt estimates it from the peak of a discrete spectrum of the tabulated wavelet, so it is quantised
    to multiples of 1/16: `morl` gives 0.8125, `cmor1.5-1.0` gives 1.0. The frequency at scale `s` is
    `center_frequency / s`.

    Args:
        wavelet (`str`): A supported wavelet name.
        precision (`int`, defaults to 12): Tabulation precision (`2**precision` points), as in `pywt.cwt`.
    """
    return float(pywt.central_frequency(_continuous_wavelet(wavelet), precision=precision))


def carrier_frequency(wavelet: str) -> float:
    """
    Exact carrier frequency (cycles per sample at scale 1) of a complex Morlet `cmorB-C`: `C`.

    This is the phase ramp that demodulation removes from each scale's coefficients (`C / scale`); unlike
    [`center_frequency`] it is not quantised.
    """
    if not is_complex(wavelet):
        raise ValueError(
            f"Wavelet {wavelet!r} is real and has no carrier phase to remove; demodulation needs a complex "
            "Morlet such as 'cmor1.5-1.0'."
        )
    return float(_continuous_wavelet(wavelet).center_frequency)


def nyquist_scale(wavelet: str, precision: int = DEFAULT_PRECISION) -> float:
    """
    The smallest scale whose centre frequency is at or below Nyquist (0.5 cycles per sample).

    `2 * center_frequency`: 1.625 for `morl`, 2.0 for `cmor1.5-1.0`. Smaller scales alias.
    """
    return 2.0 * center_frequency(wavelet, precision)


@lru_cache(maxsize=64)
def _integrated_wavelet(wavelet: str, precision: int, dtype: str) -> tuple[np.ndarray, float, float]:
    # pywt.cwt: int_psi = cumsum(psi) * step (conjugated for complex wavelets), then cast to the data's
    # dtype, and the grid `x` cast to the data's real dtype; `step` and the span come from that cast grid.
    wav = _continuous_wavelet(wavelet)
    int_psi, grid = pywt.integrate_wavelet(wav, precision=precision)
    int_psi = np.conj(int_psi) if wav.complex_cwt else int_psi
    real = np.dtype(dtype)
    cplx = np.result_type(real, np.complex64)
    int_psi = np.asarray(int_psi, dtype=cplx if np.iscomplexobj(int_psi) else real)
    grid = np.asarray(grid, dtype=real)
    return (
        int_psi.astype(np.complex128 if np.iscomplexobj(int_psi) else np.float64),
        float(grid[1] - grid[0]),
        float(grid[-1] - grid[0]),
    )


def scale_filter(
    wavelet: str, scale: float, *, precision: int = DEFAULT_PRECISION, dtype: str = "float64"
) -> tuple[np.ndarray, int]:
    r"""
    The filter `g` of one scale such that `pywt.cwt` computes $c[n] = \sum_m g[m]\,x[n - m]$ (zero-padded).

    pywt convolves the data with the reversed integrated wavelet `k = int_psi[j][::-1]` (`len(k) = L`),
    takes `-sqrt(scale) * diff` of the full convolution and crops `floor((L - 2) / 2)` samples at the start.
    Folding the difference into the taps gives `g[m] = -sqrt(scale) * (k[m + f + 1] - k[m + f])` with
    `f = floor((L - 2) / 2)`, for `m` from `-f - 1` to `L - 1 - f`.

    Args:
        wavelet (`str`): A supported wavelet name.
        scale (`float`): A positive scale.
        precision (`int`, defaults to 12): Tabulation precision, as in `pywt.cwt`.
        dtype (`str`, defaults to `"float64"`): The data's dtype (`"float32"` or `"float64"`). pywt casts its
            wavelet grid to the data's dtype before indexing it, which moves some taps by one grid point in
            float32; the taps reproduce that, in float64 (complex128) arithmetic.

    Returns:
        `tuple[np.ndarray, int]`: The taps (float64, or complex128 for `cmor`) and the lag `m` of the first tap.
    """
    if not scale > 0:
        raise ValueError(f"Scales must be positive, got {scale}; use a grid from `ts_diffusion_wavelet.scales`.")
    int_psi, step, span = _integrated_wavelet(check_wavelet(wavelet), precision, dtype)
    scale = float(scale)
    index = (np.arange(scale * span + 1) / (scale * step)).astype(int)  # pywt's floor indexing
    index = index[index < int_psi.size]
    kernel = int_psi[index][::-1]
    padded = np.concatenate([[0.0], kernel, [0.0]])
    taps = -np.sqrt(scale) * np.diff(padded)
    first_lag = -((kernel.size - 2) // 2) - 1
    return taps, first_lag
