"""The continuous wavelet transform as a batched torch filter bank, and its regularised least-squares inverse.

`cwt` reproduces `pywt.cwt` (same integrated Morlet taps, same scale convention, same zero-padded
boundary) but returns `[..., scales, time]`, works on any device and dtype, and is differentiable. `icwt` is a
real inverse: the Tikhonov-regularised least-squares solution of `cwt(x) = coefs`, not a delta formula.

How it is computed. Every scale is a linear filter of the window; a filter bank of `R` real filters (`R = S`
for `morl`, `2 S` for `cmor`: real then imaginary parts) is fully described by its taps folded onto a circle
of `M` samples, where `M` depends on the boundary:

- `"zero"`: `M >= 2N - 1` and only the taps at lags `|m| < N` (the only ones that can reach a sample of the
  window). Circular convolution of size `M` is then exactly pywt's zero-padded linear convolution.
- `"periodic"`: `M = N`, all taps folded modulo `N` (the window repeats forever). Fastest; differs from
  pywt near the edges.
- `"symmetric"`: `M = 2N`, all taps folded modulo `2N`, applied to the window followed by its mirror image
  (numpy's `"symmetric"` padding repeated forever). Differs from pywt near the edges.

The forward transform is then one rFFT of the batch, one product with the `R` precomputed spectra and `R`
inverse rFFTs (`method="fft"`), or one matmul against the dense `N x (R N)` operator (`method="matmul"`).
The inverse applies the adjoint the same way and multiplies by the precomputed `(G + lambda I)^-1`, `G` the
`N x N` Gram matrix of the filter bank (for `"periodic"`, `G` is diagonal in Fourier space and the inverse is
a division there), or applies the precomputed `(R N) x N` pseudo-inverse in one matmul.

Every bank, its tensors on each device and dtype, and its inverse matrices live in the package's one cache
(`ts_diffusion_wavelet.cache`); `clear_cache()` frees them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
import torch

from .cache import cached
from .cache import clear_cache as clear_cache  # re-exported: it frees the banks built here
from .scales import max_scale_for_length, scale_to_frequency
from .wavelets import DEFAULT_PRECISION, check_wavelet, is_complex, scale_filter

BOUNDARIES = ("zero", "periodic", "symmetric")
METHODS = ("auto", "fft", "matmul")
# 1e-8, not 1e-6: 113 dB instead of 73 dB for exact coefficients (morl, 32 scales, 256 samples), and the same
# 32.5 dB with 5% noise on the coefficients. ScalogramTransform's inverse uses it too.
DEFAULT_REGULARIZATION = 1e-8
MAX_MATMUL_LENGTH = 128  # method="auto": dense forward on CPU up to this length (measured crossover 128-192).
MAX_MATMUL_ENTRIES = 1 << 25  # method="auto": the inverse uses the dense pseudo-inverse on CPU up to this size.
MAX_GRAM_LENGTH = 4096  # the exact inverse of "zero" / "symmetric" builds an N x N Gram matrix.
MAX_DENSE_ENTRIES = 1 << 28  # method="matmul" refuses operators larger than this (1 GiB in float32).
# CPU inference runs the FFTs on chunks of the batch with up to this many output floats (16 MiB): the temporaries
# stay bounded, and each intra-op-parallel op (a thread barrier) still covers many windows.
CPU_CHUNK_FLOATS = 1 << 22

Boundary = Literal["zero", "periodic", "symmetric"]
Method = Literal["auto", "fft", "matmul"]
ScalesLike = Sequence[float] | np.ndarray | torch.Tensor


# ----------------------------------------------------------------------------------------------------------
# Filter bank: taps on a circle (host, float64), and its tensors on a device.
# ----------------------------------------------------------------------------------------------------------


def _fast_length(n: int) -> int:
    """Smallest 2^a 3^b 5^c >= n (sizes every FFT library handles fast)."""
    best = 1 << max(0, (n - 1).bit_length())
    power5 = 1
    while power5 < best:
        power35 = power5
        while power35 < best:
            size = power35
            while size < n:
                size *= 2
            best = min(best, size)
            power35 *= 3
        power5 *= 5
    return best


@dataclass(frozen=True)
class _BankKey:
    wavelet: str
    scales: tuple[float, ...]
    length: int
    boundary: str
    precision: int
    tap_dtype: str  # "float32" or "float64": pywt indexes its wavelet grid in the data's precision


class _HostBank:
    """The filter bank in float64 numpy: `R` circular kernels of `M` samples and their spectra."""

    def __init__(self, key: _BankKey) -> None:
        self.key = key
        n = key.length
        self.fft_size = {"zero": _fast_length(2 * n - 1), "periodic": n, "symmetric": 2 * n}[key.boundary]
        rows = [scale_filter(key.wavelet, s, precision=key.precision, dtype=key.tap_dtype) for s in key.scales]
        if is_complex(key.wavelet):
            rows = [(t.real, m0) for t, m0 in rows] + [(t.imag, m0) for t, m0 in rows]
        self.kernels = np.stack([self._fold(taps, first_lag) for taps, first_lag in rows])  # [R, M]
        self.spectra = np.fft.rfft(self.kernels, axis=-1)  # [R, M // 2 + 1]

    def _fold(self, taps: np.ndarray, first_lag: int) -> np.ndarray:
        lags = first_lag + np.arange(taps.size)
        if self.key.boundary == "zero":
            keep = np.abs(lags) < self.key.length
            taps, lags = taps[keep], lags[keep]
        kernel = np.zeros(self.fft_size)
        np.add.at(kernel, lags % self.fft_size, taps)
        return kernel

    @property
    def num_filters(self) -> int:
        return self.kernels.shape[0]

    @property
    def nbytes(self) -> int:
        return self.kernels.nbytes + self.spectra.nbytes

    def dense_operator(self) -> np.ndarray:
        """Dense operator `[N, R, N]`: `coefs[r, n] = sum_k x[k] * operator[k, r, n]`."""
        n, m = self.key.length, self.fft_size
        out_index, in_index = np.arange(n)[None, :], np.arange(n)[:, None]
        op = self.kernels[:, (out_index - in_index) % m]  # [R, k, n]
        if self.key.boundary == "symmetric":  # the mirrored copy of sample k sits at 2N - 1 - k
            op = op + self.kernels[:, (out_index + in_index + 1) % m]
        return np.ascontiguousarray(op.transpose(1, 0, 2))

    def gram_eigh(self) -> tuple[torch.Tensor, torch.Tensor]:
        """Eigen-decomposition (float64) of the Gram matrix `G = A^T A` (`A` the `R N x N` analysis operator)."""
        # torch (MKL) rather than numpy (OpenBLAS) for the linear algebra: OpenBLAS worker threads keep
        # spinning after a call and starve torch's own threads on small machines.
        gram = torch.as_tensor(self._gram())
        values, vectors = torch.linalg.eigh((gram + gram.T) / 2)
        return values.clamp_min(0.0), vectors

    def _gram(self) -> np.ndarray:
        # G = E^T K E, K[a, b] = sum_r sum_{n<N} k_r[(n - a) % M] k_r[(n - b) % M], E the extension of the
        # window to the circle. With Q = k^T k and Z[u, d] = Q[u, (u - d) % M], K[a, (a + d) % M] is the
        # sum of Z over the N rows (n - a) % M, n < N: a windowed circular sum, done with prefix sums.
        n, m = self.key.length, self.fft_size
        kernels = torch.as_tensor(self.kernels)
        q = (kernels.T @ kernels).numpy()
        u = np.arange(m)
        z = q[u[:, None], (u[:, None] - u[None, :]) % m]
        prefix = np.concatenate([np.zeros((1, m)), np.cumsum(np.concatenate([z, z]), axis=0)])
        start = (-u) % m
        window_sums = prefix[start + n] - prefix[start]  # [a, d]
        k = np.empty((m, m))
        k[u[:, None], (u[:, None] + u[None, :]) % m] = window_sums
        if self.key.boundary == "zero":
            return k[:n, :n]
        if self.key.boundary == "periodic":
            return k
        flip = np.arange(n)[::-1]
        return k[:n, :n] + k[:n, n:][:, flip] + k[n:, :n][flip] + k[n:, n:][flip][:, flip]


@dataclass(frozen=True)
class _Bank:
    """The filter bank of `key` on one device and dtype: a handle whose tensors are built once, in the cache."""

    key: _BankKey
    device: torch.device
    dtype: torch.dtype

    @property
    def host(self) -> _HostBank:
        return cached(("host bank", self.key), lambda: _HostBank(self.key))

    def _tensor(self, array: np.ndarray | torch.Tensor, dtype: torch.dtype | None = None) -> torch.Tensor:
        tensor = torch.as_tensor(array)
        target = dtype or (self.dtype.to_complex() if tensor.is_complex() else self.dtype)
        return tensor.to(target).to(self.device).contiguous()  # cast on the host: some devices lack float64

    @property
    def spectra(self) -> torch.Tensor:
        """`[R, M // 2 + 1]` complex spectra of the kernels."""
        return cached(("spectra", self), lambda: self._tensor(self.host.spectra))

    @property
    def operator(self) -> torch.Tensor:
        """`[N, R N]`: `coefs.flatten() = x @ operator`."""
        return cached(
            ("operator", self), lambda: self._tensor(self.host.dense_operator().reshape(self.key.length, -1))
        )

    @property
    def solve_dtype(self) -> torch.dtype:
        """float64 for the small `N x N` solve, except on devices without float64 (MPS)."""
        return torch.float32 if self.device.type == "mps" else torch.float64

    def _inverse_gram_host(self, regularization: float) -> torch.Tensor:
        """`(G + lambda I)^-1` in float64 on the host, lambda relative to the largest eigenvalue of `G`."""

        def build() -> torch.Tensor:
            values, vectors = cached(("gram eigh", self.key), self.host.gram_eigh)
            return (vectors / (values + regularization * values.max())) @ vectors.T

        return cached(("inverse gram", self.key, regularization), build)

    def inverse_gram(self, regularization: float) -> torch.Tensor:
        """`(G + lambda I)^-1` in `solve_dtype` on the device."""
        key = ("inverse gram", self, regularization)
        return cached(key, lambda: self._tensor(self._inverse_gram_host(regularization), self.solve_dtype))

    def pseudo_inverse(self, regularization: float) -> torch.Tensor:
        """`[R N, N]`: `x = coefs.flatten() @ pseudo_inverse` is the regularised least-squares solution."""

        def build() -> torch.Tensor:
            op = torch.as_tensor(self.host.dense_operator().reshape(self.key.length, -1))
            return self._tensor((self._inverse_gram_host(regularization) @ op).T)

        return cached(("pseudo inverse", self, regularization), build)


# ----------------------------------------------------------------------------------------------------------
# Real filter-bank analysis, adjoint and least-squares synthesis on [B, N] / [B, R, N] tensors.
# ----------------------------------------------------------------------------------------------------------


def _cpu_chunks(batch: int, host: _HostBank) -> range:
    """Batch starts of chunks whose FFT output (`R` filters x `M` samples per item) fits `CPU_CHUNK_FLOATS`."""
    return range(0, batch, max(1, CPU_CHUNK_FLOATS // (host.num_filters * host.fft_size)))


def _extend(x: torch.Tensor, boundary: str) -> torch.Tensor:
    return torch.cat([x, x.flip(-1)], dim=-1) if boundary == "symmetric" else x


def _analysis_fft(x: torch.Tensor, bank: _Bank) -> torch.Tensor:
    host, spectra = bank.host, bank.spectra
    n, m = bank.key.length, host.fft_size

    def analyse(x: torch.Tensor) -> torch.Tensor:
        spectrum = torch.fft.rfft(_extend(x, bank.key.boundary), m)  # [B, F]
        return torch.fft.irfft(spectrum[:, None, :] * spectra, m)[..., :n]

    if bank.device.type != "cpu" or (torch.is_grad_enabled() and x.requires_grad):
        return analyse(x)
    # CPU inference: chunks of the batch, so that the [b, R, M] temporaries stay bounded.
    chunks = _cpu_chunks(x.shape[0], host)
    out = torch.empty(x.shape[0], host.num_filters, n, dtype=x.dtype)
    for start in chunks:
        out[start : start + chunks.step] = analyse(x[start : start + chunks.step])
    return out


def _adjoint_fft(coefs: torch.Tensor, bank: _Bank) -> torch.Tensor:
    n, m = bank.key.length, bank.host.fft_size
    conj_spectra = bank.spectra.conj()

    def adjoint_spectrum(coefs: torch.Tensor) -> torch.Tensor:
        return torch.einsum("brf,rf->bf", torch.fft.rfft(coefs, m), conj_spectra)

    if bank.device.type != "cpu" or (torch.is_grad_enabled() and coefs.requires_grad):
        spectrum = adjoint_spectrum(coefs)
    else:  # CPU inference, chunked as in the analysis
        chunks = _cpu_chunks(coefs.shape[0], bank.host)
        spectrum = torch.cat([adjoint_spectrum(coefs[start : start + chunks.step]) for start in chunks])
    adjoint = torch.fft.irfft(spectrum, m)
    if bank.key.boundary == "symmetric":
        return adjoint[:, :n] + adjoint[:, n:].flip(-1)
    return adjoint[:, :n]


def _reduced_precision_matmul(device: torch.device) -> bool:
    """Whether float32 matmuls on `device` may run in TF32 / bf16 (global torch settings)."""
    if torch.get_float32_matmul_precision() != "highest":
        return True
    if device.type == "cuda":
        cuda = torch.backends.cuda.matmul
        return getattr(cuda, "fp32_precision", "none") == "tf32" or bool(getattr(cuda, "allow_tf32", False))
    return False


def precise_matmul(a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    """`a @ b` at full float32 accuracy: upcast to float64 where TF32 / bf16 matmuls are enabled."""
    if a.dtype == torch.float32 and _reduced_precision_matmul(a.device):
        return (a.double() @ b.double()).float()
    return a @ b


def _analysis(x: torch.Tensor, bank: _Bank, method: str) -> torch.Tensor:
    if method == "matmul":
        return precise_matmul(x, bank.operator).view(x.shape[0], bank.host.num_filters, -1)
    return _analysis_fft(x, bank)


def _synthesis_periodic_fft(coefs: torch.Tensor, bank: _Bank, regularization: float) -> torch.Tensor:
    # A periodic filter bank is diagonal in the Fourier basis: G has eigenvalues P(f) = sum_r |H_r(f)|^2, so
    # (G + lambda I)^-1 A^T c = irfft(sum_r conj(H_r) C_r / (P + lambda)), exact and O(N log N).
    power = (bank.spectra.abs() ** 2).sum(0)
    spectrum = torch.einsum("brf,rf->bf", torch.fft.rfft(coefs), bank.spectra.conj())
    return torch.fft.irfft(spectrum / (power + regularization * power.max()), bank.key.length)


def _synthesis(coefs: torch.Tensor, bank: _Bank, method: str, regularization: float) -> torch.Tensor:
    if method == "matmul":
        return precise_matmul(coefs.reshape(coefs.shape[0], -1), bank.pseudo_inverse(regularization))
    if bank.key.boundary == "periodic":
        return _synthesis_periodic_fft(coefs, bank, regularization)
    # (G + lambda I)^-1 A^T c: the adjoint by FFT, then the N x N solve matrix (float64: cheap, and immune to
    # reduced-precision matmul settings).
    adjoint = _adjoint_fft(coefs, bank).to(bank.solve_dtype)
    return (adjoint @ bank.inverse_gram(regularization)).to(coefs.dtype)


# ----------------------------------------------------------------------------------------------------------
# Input checks.
# ----------------------------------------------------------------------------------------------------------


def _as_float_tensor(value: torch.Tensor | np.ndarray, name: str) -> torch.Tensor:
    if not isinstance(value, torch.Tensor):
        if not isinstance(value, (np.ndarray, list, tuple)):
            raise ValueError(f"`{name}` must be a torch.Tensor or numpy array, got {type(value).__name__}.")
        value = torch.as_tensor(np.asarray(value))
    if value.is_complex() and name == "x":
        raise ValueError(f"`x` must be a real signal, got dtype {value.dtype}; pass x.real and x.imag separately.")
    if not (value.is_floating_point() or value.is_complex()):
        raise ValueError(f"`{name}` must be floating point, got dtype {value.dtype}; call .float() or .double().")
    return value


def check_finite_tensor(value: torch.Tensor, name: str) -> None:
    """Raise a `ValueError` naming the first NaN / inf in `value` (its index, batch dims first)."""
    finite = torch.isfinite(value)
    if bool(finite.all()):
        return
    bad = (~finite).nonzero()
    index = tuple(int(i) for i in bad[0])
    raise ValueError(
        f"`{name}` contains {value[index].item()} at index {index} (leading dims are the batch, the last one is "
        f"time), {bad.shape[0]} non-finite values in all; fill or drop missing values (e.g. forward-fill) first."
    )


def _check_scales(scales: ScalesLike) -> tuple[float, ...]:
    array = scales.detach().cpu().numpy() if isinstance(scales, torch.Tensor) else np.asarray(scales)
    if array.ndim != 1 or array.size == 0 or not np.issubdtype(array.dtype, np.number):
        raise ValueError(f"`scales` must be a non-empty 1-D sequence of numbers, got shape {array.shape}.")
    array = array.astype(np.float64)
    bad = ~(np.isfinite(array) & (array > 0))
    if bad.any():
        raise ValueError(
            f"Scales must be positive and finite, got {array[bad][:5].tolist()} at positions "
            f"{np.flatnonzero(bad)[:5].tolist()}; build them with `ts_diffusion_wavelet.scales.scale_grid`."
        )
    return tuple(float(s) for s in array)


def _check_length(length: int, scales: tuple[float, ...], wavelet: str, precision: int) -> None:
    if length < 2:
        raise ValueError(f"The time axis (last) has {length} samples; a CWT needs at least 2.")
    limit = max_scale_for_length(length, wavelet, precision)
    if max(scales) > limit:
        fc = limit / length
        raise ValueError(
            f"Window of {length} samples is too short for scale {max(scales):g}: its centre period is "
            f"{max(scales) / fc:.1f} samples (scale / {fc:g} for {wavelet!r}). Use scales <= {limit:g} or windows "
            f"of at least {int(np.ceil(max(scales) / fc))} samples."
        )


def _check_options(boundary: str, method: str) -> None:
    if boundary not in BOUNDARIES:
        raise ValueError(f"Unknown boundary {boundary!r}; valid options: {', '.join(BOUNDARIES)}.")
    if method not in METHODS:
        raise ValueError(f"Unknown method {method!r}; valid options: {', '.join(METHODS)}.")


def _resolve_method(method: str, bank: _Bank, inverse: bool) -> str:
    entries = bank.host.num_filters * bank.key.length**2
    if method == "matmul" and entries > MAX_DENSE_ENTRIES:
        raise ValueError(
            f"method='matmul' needs a dense operator of {entries:,} entries (more than {MAX_DENSE_ENTRIES:,}) for "
            f"{bank.host.num_filters} filters x {bank.key.length}^2 samples; use method='fft' or 'auto'."
        )
    if method != "auto":
        return method
    # Measured on CPU: the forward's dense matmul (K = N, a huge output) only wins for short windows; the
    # inverse's (K = R N, a small output) is the fastest option while its matrix stays moderate. FFTs on
    # accelerators (untested here; they also avoid TF32 matmuls).
    if bank.device.type != "cpu" or _reduced_precision_matmul(bank.device):
        return "fft"
    if inverse:
        return "matmul" if entries <= MAX_MATMUL_ENTRIES else "fft"
    return "matmul" if bank.key.length <= MAX_MATMUL_LENGTH else "fft"


def _compute_dtype(dtype: torch.dtype) -> torch.dtype:
    base = dtype.to_real() if dtype.is_complex else dtype
    return torch.float64 if base == torch.float64 else torch.float32


def _bank_for(
    wavelet: str,
    scales: tuple[float, ...],
    length: int,
    boundary: str,
    precision: int,
    device: torch.device,
    dtype: torch.dtype,
) -> _Bank:
    key = _BankKey(wavelet, scales, length, boundary, precision, "float64" if dtype == torch.float64 else "float32")
    return _Bank(key, device, dtype)


# ----------------------------------------------------------------------------------------------------------
# Public API.
# ----------------------------------------------------------------------------------------------------------


def cwt(
    x: torch.Tensor,
    scales: ScalesLike,
    wavelet: str = "morl",
    sampling_period: float = 1.0,
    *,
    boundary: Boundary = "zero",
    method: Method = "auto",
    precision: int = DEFAULT_PRECISION,
    check_finite_input: bool = True,
) -> tuple[torch.Tensor, torch.Tensor]:
    r"""
    Continuous wavelet transform of a batch of real signals, matching `pywt.cwt`.

    With `boundary="zero"` the coefficients are `pywt.cwt(x, scales, wavelet, sampling_period)` with the scale
    axis moved next to time: `np.moveaxis(pywt_coefs, 0, -2)` (relative error about 1e-7 in float32 and 1e-15
    in float64). The layout is `[..., scales, time]` rather than pywt's `[scales, ..., time]` so that batch
    dimensions stay leading, as everywhere in torch, and a `[batch, channels, length]` batch becomes
    `[batch, channels, scales, length]`: an image stack with height = scales and width = time, contiguous.

    Args:
        x (`torch.Tensor` of shape `[..., N]`): Real signals, time on the last axis; any leading dims are the
            batch. float32 or float64 (float16 / bfloat16 are computed in float32 and cast back); any device.
        scales (`array-like` of shape `[S]`): Positive scales, as in pywt (see `ts_diffusion_wavelet.scales`).
            They are read as float64.
        wavelet (`str`, defaults to `"morl"`): `"morl"` (real coefficients) or `"cmorB-C"` (complex).
        sampling_period (`float`, defaults to 1): Time between samples; only changes the returned frequencies.
        boundary (`"zero"`, `"periodic"` or `"symmetric"`, defaults to `"zero"`): How the window is extended:
            `"zero"` is pywt's zero padding (exact match); `"periodic"` (fastest) and `"symmetric"` (mirror
            image) differ from pywt within about a wavelet's support of the edges.
        method (`"auto"`, `"fft"` or `"matmul"`, defaults to `"auto"`): `"fft"` uses rFFTs with the
            precomputed spectra of all scales; `"matmul"` one product with the precomputed dense `N x SN`
            operator (run in float64 where TF32 / bf16 matmuls are enabled, to keep float32 accuracy). Both give
            the same coefficients. `"auto"` picks `"matmul"` on CPU for windows of at most 128 samples and
            `"fft"` otherwise (and always on accelerators).
        precision (`int`, defaults to 12): Wavelet tabulation precision, pywt's `precision`.
        check_finite_input (`bool`, defaults to `True`): Raise on NaN / inf (costs one device sync).

    Returns:
        `tuple[torch.Tensor, torch.Tensor]`: The coefficients `[..., S, N]` (real for `morl`, complex for
        `cmor`) on `x`'s device and dtype, differentiable with respect to `x`; and the frequency of each scale
        `[S]` in cycles per unit of `sampling_period`, float64 on the CPU, as pywt returns them.

    Example:
        ```py
        >>> import torch
        >>> from ts_diffusion_wavelet import cwt, icwt
        >>> from ts_diffusion_wavelet.scales import scale_grid
        >>> scales = scale_grid(128, max_scale=128.0)  # log-spaced from the Nyquist scale 1.625
        >>> x = torch.randn(8, 256)
        >>> coefs, freqs = cwt(x, scales)  # [8, 128, 256]
        >>> x_hat = icwt(coefs, scales)  # [8, 256]
        ```
    """
    wavelet = check_wavelet(wavelet)
    x = _as_float_tensor(x, "x")
    scales = _check_scales(scales)
    if x.ndim == 0:
        raise ValueError("`x` is a scalar; pass signals of shape [..., length] with time on the last axis.")
    length = x.shape[-1]
    _check_options(boundary, method)
    _check_length(length, scales, wavelet, precision)
    if check_finite_input:
        check_finite_tensor(x, "x")
    frequencies = torch.as_tensor(scale_to_frequency(np.array(scales), wavelet, sampling_period, precision))

    dtype = _compute_dtype(x.dtype)
    flat = x.reshape(-1, length).to(dtype)
    bank = _bank_for(wavelet, scales, length, boundary, precision, x.device, dtype)
    real = _analysis(flat, bank, _resolve_method(method, bank, inverse=False))
    num_scales = len(scales)
    if is_complex(wavelet):
        coefs = torch.complex(real[:, :num_scales], real[:, num_scales:])
        coefs = coefs.to(x.dtype.to_complex() if x.dtype in (torch.float32, torch.float64) else coefs.dtype)
    else:
        coefs = real.to(x.dtype)
    return coefs.reshape(*x.shape[:-1], num_scales, length), frequencies


def icwt(
    coefs: torch.Tensor,
    scales: ScalesLike,
    wavelet: str = "morl",
    sampling_period: float = 1.0,
    *,
    boundary: Boundary = "zero",
    method: Method = "auto",
    regularization: float = DEFAULT_REGULARIZATION,
    precision: int = DEFAULT_PRECISION,
    check_finite_input: bool = True,
) -> torch.Tensor:
    r"""
    Inverse of [`cwt`]: the regularised least-squares signal whose CWT is closest to `coefs`.

    Solves $\hat x = \arg\min_x \|A x - c\|^2 + \lambda \|x\|^2 = (A^\top A + \lambda I)^{-1} A^\top c$ with `A`
    the filter bank of [`cwt`] (same wavelet, scales and boundary) and
    $\lambda$ = `regularization` times the largest eigenvalue of $A^\top A$. Exact coefficients come back to
    about 1e-6 (float32) or 1e-12 (float64) relative error except for what the filter bank cannot see: the
    mean and the lowest frequencies below the largest scale's band are damped, so remove the mean (or trend)
    before [`cwt`] and add it back after (as `ScalogramTransform` does). A larger `regularization` (1e-4 to
    1e-3) is more robust for coefficients that were resized or generated.

    Args:
        coefs (`torch.Tensor` of shape `[..., S, N]`): Coefficients as returned by [`cwt`] (complex for `cmor`).
        scales (`array-like` of shape `[S]`): The scales used by [`cwt`].
        wavelet (`str`, defaults to `"morl"`): The wavelet used by [`cwt`].
        sampling_period (`float`, defaults to 1): Accepted so calls mirror [`cwt`]; coefficients do not depend on it.
        boundary (`"zero"`, `"periodic"` or `"symmetric"`, defaults to `"zero"`): The boundary used by [`cwt`].
        method (`"auto"`, `"fft"` or `"matmul"`, defaults to `"auto"`): `"fft"`: adjoint by rFFTs, then an
            `N x N` float64 matrix (a Fourier-domain division for `"periodic"`, any length); `"matmul"`: one
            product with the precomputed `SN x N` pseudo-inverse. `"auto"` uses `"matmul"` on CPU while that
            matrix has at most 2**25 entries (e.g. 128 scales x 256 samples, 256 for `cmor`), `"fft"` otherwise.
        regularization (`float`, defaults to 1e-8): Tikhonov weight relative to the largest eigenvalue of `A^T A`.
        precision (`int`, defaults to 12): Wavelet tabulation precision, as for [`cwt`].
        check_finite_input (`bool`, defaults to `True`): Raise on NaN / inf (costs one device sync).

    Returns:
        `torch.Tensor` of shape `[..., N]`: Real signals on `coefs`' device, in its real dtype, differentiable.
    """
    wavelet = check_wavelet(wavelet)
    coefs = _as_float_tensor(coefs, "coefs")
    scales = _check_scales(scales)
    complex_wavelet = is_complex(wavelet)
    if coefs.ndim < 2 or coefs.shape[-2] != len(scales):
        raise ValueError(
            f"`coefs` must have shape [..., {len(scales)} scales, length], got {tuple(coefs.shape)}; pass the "
            "scales used by cwt and keep the scale axis second to last."
        )
    if complex_wavelet != coefs.is_complex():
        kind = "complex" if complex_wavelet else "real"
        raise ValueError(
            f"Wavelet {wavelet!r} gives {kind} coefficients but `coefs` has dtype {coefs.dtype}; pass the output "
            "of cwt with the same wavelet."
        )
    if not (np.isfinite(regularization) and regularization > 0):
        raise ValueError(f"`regularization` must be a positive number, got {regularization!r}; 1e-8 is typical.")
    length = coefs.shape[-1]
    _check_options(boundary, method)
    _check_length(length, scales, wavelet, precision)
    if boundary != "periodic" and length > MAX_GRAM_LENGTH:
        raise ValueError(
            f"The exact inverse with boundary={boundary!r} is limited to {MAX_GRAM_LENGTH} samples, got {length}; "
            "use boundary='periodic' for longer windows or cut them into shorter ones."
        )
    if check_finite_input:
        check_finite_tensor(coefs, "coefs")

    real_dtype = coefs.dtype.to_real() if coefs.is_complex() else coefs.dtype
    dtype = _compute_dtype(real_dtype)
    rows = torch.cat([coefs.real, coefs.imag], dim=-2) if complex_wavelet else coefs
    rows = rows.reshape(-1, rows.shape[-2], length).to(dtype)
    bank = _bank_for(wavelet, scales, length, boundary, precision, coefs.device, dtype)
    signal = _synthesis(rows, bank, _resolve_method(method, bank, inverse=True), float(regularization))
    return signal.to(real_dtype).reshape(*coefs.shape[:-2], length)
