"""cwt / icwt: pywt parity, boundaries, least-squares inverse, autograd and input checks."""

from __future__ import annotations

import numpy as np
import pytest
import pywt
import torch

from ts_diffusion_wavelet import filter_bank as cwt_module
from ts_diffusion_wavelet.data.synthetic import garch_returns, random_walk
from ts_diffusion_wavelet.filter_bank import clear_cache, cwt, icwt, precise_matmul
from ts_diffusion_wavelet.scales import frequency_to_scale, max_scale_for_length, scale_grid, scale_to_frequency
from ts_diffusion_wavelet.wavelets import center_frequency, check_wavelet, nyquist_scale, scale_filter

WAVELETS = ("morl", "cmor1.5-1.0")
TOLERANCE = {np.float32: 1e-5, np.float64: 1e-10}


def snr_db(reference: np.ndarray | torch.Tensor, estimate: np.ndarray | torch.Tensor) -> float:
    reference, estimate = np.asarray(reference, dtype=np.float64), np.asarray(estimate, dtype=np.float64)
    return float(10 * np.log10((reference**2).sum() / ((reference - estimate) ** 2).sum()))


def pywt_reference(x: np.ndarray, scales: np.ndarray, wavelet: str) -> tuple[np.ndarray, np.ndarray]:
    coefs, frequencies = pywt.cwt(x, scales, wavelet, axis=-1)
    return np.moveaxis(coefs, 0, -2), frequencies


SCALE_SETS = {
    "log-from-nyquist": lambda n, w: scale_grid(24, n / 2, wavelet=w),
    "linear-1-to-half": lambda n, w: np.arange(1.0, n / 2 + 1, 3.0),
    # 31.26 is where pywt's float32 grid (cast before indexing) moves taps: float32 pywt differs from float64
    # pywt by 2.6e-3 there, so matching both needs the dtype-specific taps.
    "odd": lambda n, w: np.array([0.7, 1.0, 2.5, 7.3, 31.260819384563, n / 2]),
}


@pytest.mark.parametrize("wavelet", WAVELETS)
@pytest.mark.parametrize("scale_set", sorted(SCALE_SETS))
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("method", ["fft", "matmul"])
def test_cwt_matches_pywt(wavelet: str, scale_set: str, dtype: type, method: str) -> None:
    length = 96
    x = np.random.default_rng(0).standard_normal((3, length)).astype(dtype)
    scales = SCALE_SETS[scale_set](length, wavelet)
    expected, expected_frequencies = pywt_reference(x, scales, wavelet)
    coefs, frequencies = cwt(torch.from_numpy(x), scales, wavelet, method=method)
    assert coefs.shape == (3, len(scales), length)
    assert (
        coefs.dtype == (torch.float32 if dtype == np.float32 else torch.float64).to_complex() or not coefs.is_complex()
    )
    error = np.abs(coefs.numpy() - expected).max() / np.abs(expected).max()
    assert error <= TOLERANCE[dtype], error
    np.testing.assert_allclose(frequencies.numpy(), expected_frequencies, rtol=1e-12)


@pytest.mark.parametrize("wavelet", WAVELETS)
def test_cwt_matches_pywt_product_size_and_sampling_period(wavelet: str) -> None:
    x = garch_returns(256, shape=(2,), seed=4)
    scales = scale_grid(128, 128.0, wavelet=wavelet)
    expected, _ = pywt_reference(x, scales, wavelet)
    coefs, frequencies = cwt(torch.from_numpy(x), scales, wavelet, sampling_period=0.5)
    assert np.abs(coefs.numpy() - expected).max() <= 1e-10 * np.abs(expected).max()
    _, pywt_frequencies = pywt.cwt(x, scales, wavelet, sampling_period=0.5)
    np.testing.assert_allclose(frequencies.numpy(), pywt_frequencies, rtol=1e-12)


def test_float32_taps_follow_pywt_float32_grid() -> None:
    taps32, lag32 = scale_filter("morl", 31.260819384563, dtype="float32")
    taps64, lag64 = scale_filter("morl", 31.260819384563, dtype="float64")
    assert lag32 == lag64 and taps32.shape == taps64.shape
    assert np.abs(taps32 - taps64).max() > 1e-4 * np.abs(taps64).max()  # the quirk is real, and reproduced above


def test_batch_equals_per_item_and_layout() -> None:
    x = torch.randn(2, 3, 80, dtype=torch.float64)
    scales = scale_grid(10, 40.0)
    batched, _ = cwt(x, scales)
    assert batched.shape == (2, 3, 10, 80)
    for i in range(2):
        for j in range(3):
            single, _ = cwt(x[i, j], scales)
            torch.testing.assert_close(batched[i, j], single, rtol=0, atol=1e-14)
    assert cwt(x[0, 0], scales)[0].shape == (10, 80)


def _tiled_reference(x: np.ndarray, scales: np.ndarray, tile: np.ndarray, copies: int) -> np.ndarray:
    """pywt on a long periodic extension, cropped to the middle copy of the window."""
    extended = np.tile(tile, copies)
    coefs, _ = pywt.cwt(extended, scales, "morl")
    start = (copies // 2) * tile.size
    return coefs[:, start : start + x.size]


def test_periodic_and_symmetric_boundaries_are_infinite_extensions() -> None:
    x = np.random.default_rng(1).standard_normal(64)
    scales = scale_grid(6, 6.0)  # supports of at most +-8 * 6 = 48 samples < 2 copies
    periodic, _ = cwt(torch.from_numpy(x), scales, boundary="periodic")
    np.testing.assert_allclose(periodic.numpy(), _tiled_reference(x, scales, x, 5), atol=1e-12)
    symmetric, _ = cwt(torch.from_numpy(x), scales, boundary="symmetric")
    mirrored = np.concatenate([x, x[::-1]])
    np.testing.assert_allclose(symmetric.numpy(), _tiled_reference(x, scales, mirrored, 4), atol=1e-12)


@pytest.mark.parametrize("boundary", ["zero", "periodic", "symmetric"])
@pytest.mark.parametrize("wavelet", WAVELETS)
def test_fft_equals_matmul(boundary: str, wavelet: str) -> None:
    x = torch.randn(4, 70, dtype=torch.float64)
    scales = scale_grid(12, 35.0, wavelet=wavelet)
    by_fft, _ = cwt(x, scales, wavelet, boundary=boundary, method="fft")
    by_matmul, _ = cwt(x, scales, wavelet, boundary=boundary, method="matmul")
    torch.testing.assert_close(by_fft, by_matmul, rtol=0, atol=1e-12)
    inv_fft = icwt(by_fft, scales, wavelet, boundary=boundary, method="fft")
    inv_matmul = icwt(by_fft, scales, wavelet, boundary=boundary, method="matmul")
    # Two roundings of one solve, amplified by up to 1 / regularization (1e-8) in its weakest directions.
    torch.testing.assert_close(inv_fft, inv_matmul, rtol=0, atol=1e-7)


def test_icwt_is_the_tikhonov_least_squares_solution() -> None:
    length, scales, regularization = 32, scale_grid(6, 16.0), 1e-3
    # The analysis operator, column by column, from pywt itself.
    operator = np.stack([pywt.cwt(e, scales, "morl")[0].ravel() for e in np.eye(length)], axis=1)  # [S N, N]
    gram = operator.T @ operator
    damping = regularization * np.linalg.eigvalsh(gram).max()
    coefs = np.random.default_rng(2).standard_normal((len(scales), length))  # not a valid CWT: a real LS problem
    expected = np.linalg.solve(gram + damping * np.eye(length), operator.T @ coefs.ravel())
    for method in ("fft", "matmul"):
        result = icwt(torch.from_numpy(coefs), scales, regularization=regularization, method=method)
        np.testing.assert_allclose(result.numpy(), expected, rtol=1e-9, atol=1e-12)


@pytest.mark.parametrize("wavelet", WAVELETS)
@pytest.mark.parametrize(
    ("dtype", "regularization", "min_snr"), [(torch.float32, 1e-6, 55.0), (torch.float64, 1e-8, 95.0)]
)
def test_round_trip_zero_boundary(wavelet: str, dtype: torch.dtype, regularization: float, min_snr: float) -> None:
    # Measured: morl 78-85 dB (float32, 1e-6) and 118-125 dB (float64, 1e-8); cmor 60-77 / 100-117 dB; the
    # random walk is the hard case (its energy sits in the weakly seen low band). A delta formula gives <20 dB.
    scales = scale_grid(128, 128.0, wavelet=wavelet)
    for signal in (garch_returns(256, shape=(8,), seed=5), random_walk(256, shape=(8,), seed=6)):
        signal = signal - signal.mean(-1, keepdims=True)  # the mean is invisible to a CWT
        coefs, _ = cwt(torch.tensor(signal, dtype=dtype), scales, wavelet)
        restored = icwt(coefs, scales, wavelet, regularization=regularization)
        assert restored.dtype == dtype and restored.shape == signal.shape
        assert snr_db(signal, restored) >= min_snr


@pytest.mark.parametrize(("boundary", "min_snr"), [("periodic", 80.0), ("symmetric", 25.0)])
def test_round_trip_other_boundaries(boundary: str, min_snr: float) -> None:
    # Periodic / symmetric extensions hide the low frequencies that zero padding exposes at the edges, so
    # their inverses are weaker (measured: periodic ~83 dB, symmetric ~36 dB at 1e-6 in float64).
    scales = scale_grid(64, 64.0)
    signal = garch_returns(128, shape=(8,), seed=7)
    signal = signal - signal.mean(-1, keepdims=True)
    coefs, _ = cwt(torch.from_numpy(signal), scales, boundary=boundary)
    assert snr_db(signal, icwt(coefs, scales, boundary=boundary)) >= min_snr


def test_icwt_damps_only_what_the_cwt_cannot_see() -> None:
    scales = scale_grid(32, 32.0)
    constant = torch.full((1, 64), 3.0, dtype=torch.float64)
    coefs, _ = cwt(constant, scales, boundary="periodic")
    assert coefs.abs().max() < 1e-3 * 3.0  # a constant is (almost) invisible to a periodic Morlet bank ...
    assert icwt(coefs, scales, boundary="periodic").abs().max() < 1e-2  # ... and does not come back


@pytest.mark.parametrize("method", ["fft", "matmul"])
@pytest.mark.parametrize("wavelet", WAVELETS)
def test_gradients(method: str, wavelet: str) -> None:
    scales = [1.7, 4.0]
    x = torch.randn(1, 10, dtype=torch.float64, requires_grad=True)
    assert torch.autograd.gradcheck(lambda v: cwt(v, scales, wavelet, method=method)[0], (x,))
    coefs = cwt(x.detach(), scales, wavelet)[0].requires_grad_(True)
    assert torch.autograd.gradcheck(lambda c: icwt(c, scales, wavelet, method=method), (coefs,))


def test_inference_path_equals_autograd_path(monkeypatch: pytest.MonkeyPatch) -> None:
    # 42 windows x 128 scales, 4 windows per chunk: the CPU inference path runs 11 chunks, the last one short.
    monkeypatch.setattr(cwt_module, "CPU_CHUNK_FLOATS", 4 * 128 * 512)
    x = torch.randn(42, 256, generator=torch.Generator().manual_seed(0))
    scales = scale_grid(128, 128.0)
    fast, _ = cwt(x, scales, method="fft")
    tracked, _ = cwt(x.clone().requires_grad_(True), scales, method="fft")
    torch.testing.assert_close(fast, tracked.detach(), rtol=0, atol=1e-5)
    inverse = icwt(fast, scales, method="fft")
    tracked_inverse = icwt(fast.clone().requires_grad_(True), scales, method="fft")
    torch.testing.assert_close(inverse, tracked_inverse.detach(), rtol=0, atol=1e-5)


def test_concurrent_calls_agree_with_serial_ones() -> None:
    from concurrent.futures import ThreadPoolExecutor

    scales = scale_grid(32, 64.0)
    batches = [torch.randn(64, 128, generator=torch.Generator().manual_seed(i)) for i in range(6)]
    expected = [cwt(batch, scales, method="matmul")[0] for batch in batches]
    clear_cache()  # the threads build the fft bank concurrently
    with ThreadPoolExecutor(3) as pool:
        results = list(pool.map(lambda batch: cwt(batch, scales, method="fft")[0], batches))
    for result, reference in zip(results, expected, strict=True):
        torch.testing.assert_close(result, reference, rtol=0, atol=1e-5)


def test_half_precision_is_computed_in_float32() -> None:
    x = torch.randn(2, 64)
    scales = scale_grid(8, 32.0)
    half, _ = cwt(x.to(torch.bfloat16), scales)
    full, _ = cwt(x.to(torch.bfloat16).float(), scales)
    assert half.dtype == torch.bfloat16
    torch.testing.assert_close(half.float(), full, rtol=1e-2, atol=1e-2 * full.abs().max().item())


def test_precise_matmul_ignores_reduced_precision_settings() -> None:
    a, b = torch.randn(8, 300), torch.randn(300, 5)
    previous = torch.get_float32_matmul_precision()
    try:
        torch.set_float32_matmul_precision("medium")
        assert cwt_module._reduced_precision_matmul(a.device)
        result = precise_matmul(a, b)
    finally:
        torch.set_float32_matmul_precision(previous)
    assert result.dtype == torch.float32
    torch.testing.assert_close(result.double(), a.double() @ b.double(), rtol=1e-6, atol=1e-5)


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA device")
def test_cuda_matches_cpu() -> None:
    x = torch.randn(4, 256)
    scales = scale_grid(64, 128.0)
    on_cpu, _ = cwt(x, scales)
    on_gpu, _ = cwt(x.cuda(), scales)
    torch.testing.assert_close(on_gpu.cpu(), on_cpu, rtol=0, atol=1e-5 * on_cpu.abs().max().item())
    torch.testing.assert_close(icwt(on_gpu, scales).cpu(), icwt(on_cpu, scales), rtol=0, atol=1e-4)


# ------------------------------------------------------------------------------------------------------------
# Wavelets and scales.
# ------------------------------------------------------------------------------------------------------------


def test_wavelet_constants_match_pywt() -> None:
    assert center_frequency("morl") == 0.8125 and nyquist_scale("morl") == 1.625
    assert center_frequency("cmor1.5-1.0") == 1.0 and nyquist_scale("cmor1.5-1.0") == 2.0
    assert check_wavelet("cmor2-0.5") == "cmor2-0.5"


def test_scale_grids() -> None:
    log = scale_grid(5, 26.0)
    assert log[0] == 1.625 and np.isclose(log[-1], 26.0) and np.allclose(log[1:] / log[:-1], 2.0)
    linear = scale_grid(4, 8.0, min_scale=2.0, spacing="linear")
    np.testing.assert_allclose(linear, [2.0, 4.0, 6.0, 8.0])
    np.testing.assert_allclose(scale_to_frequency(log), pywt.scale2frequency("morl", log, precision=12))
    np.testing.assert_allclose(
        frequency_to_scale(scale_to_frequency(log, sampling_period=2.0), sampling_period=2.0), log
    )
    assert max_scale_for_length(256) == 208.0


# ------------------------------------------------------------------------------------------------------------
# Input checks: every message names the value and the fix.
# ------------------------------------------------------------------------------------------------------------


def test_nan_is_located() -> None:
    x = torch.randn(3, 2, 64)
    x[2, 1, 17] = float("nan")
    with pytest.raises(ValueError, match=r"`x` contains nan at index \(2, 1, 17\).*1 non-finite.*forward-fill"):
        cwt(x, [2.0, 4.0])
    coefs = torch.zeros(2, 64)
    coefs[1, 5] = float("inf")
    with pytest.raises(ValueError, match=r"`coefs` contains inf at index \(1, 5\)"):
        icwt(coefs, [2.0, 4.0])


@pytest.mark.parametrize("dtype", [torch.float16, torch.bfloat16, torch.float32, torch.float64, torch.complex64])
@pytest.mark.parametrize("bad", [float("nan"), float("inf"), -float("inf")])
def test_check_finite_tensor_finds_one_bad_value_in_every_dtype(dtype: torch.dtype, bad: float) -> None:
    # CPU float tensors are checked by numpy (no torch thread wake-up); every dtype must still be caught
    values = torch.zeros(4, 300, dtype=dtype)
    cwt_module.check_finite_tensor(values, "values")
    values[3, 299] = bad
    for tensor in (values, values.t(), values.conj() if dtype.is_complex else values[1:]):
        with pytest.raises(ValueError, match=r"`values` contains .* 1 non-finite"):
            cwt_module.check_finite_tensor(tensor, "values")
    if dtype.is_complex:
        imaginary = torch.zeros(4, 300, dtype=dtype)
        imaginary[0, 0] = complex(0.0, bad)
        for view in (imaginary.conj(), imaginary.conj().imag):  # the second is a real view with torch's neg bit
            with pytest.raises(ValueError, match=r"at index \(0, 0\)"):
                cwt_module.check_finite_tensor(view, "values")


@pytest.mark.parametrize(
    ("scales", "message"),
    [
        ([2.0, 0.0, -1.0], r"Scales must be positive and finite, got \[0.0, -1.0\] at positions \[1, 2\]; build them"),
        ([2.0, float("nan")], r"positive and finite, got \[nan\]"),
        ([], r"non-empty 1-D sequence of numbers, got shape \(0,\)"),
        ([[2.0, 3.0]], r"non-empty 1-D sequence of numbers, got shape \(1, 2\)"),
    ],
)
def test_bad_scales(scales: list, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        cwt(torch.randn(64), scales)


def test_window_too_short_for_the_largest_scale() -> None:
    with pytest.raises(
        ValueError,
        match=r"Window of 64 samples is too short for scale 100: its centre period is 123.1 samples"
        r".*Use scales <= 52 or windows of at least 124 samples",
    ):
        cwt(torch.randn(64), [2.0, 100.0])
    with pytest.raises(ValueError, match=r"time axis \(last\) has 1 samples; a CWT needs at least 2"):
        cwt(torch.randn(3, 1), [0.5])


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"wavelet": "db4"}, r"Unsupported wavelet 'db4'. Supported: morl, cmorB-C \(e.g. cmor1.5-1.0\)"),
        ({"wavelet": "cmor1.5"}, r"Unsupported wavelet 'cmor1.5'"),
        ({"boundary": "reflect"}, r"Unknown boundary 'reflect'; valid options: zero, periodic, symmetric"),
        ({"method": "conv"}, r"Unknown method 'conv'; valid options: auto, fft, matmul"),
    ],
)
def test_bad_options(kwargs: dict, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        cwt(torch.randn(64), [2.0], **kwargs)


def test_bad_signals() -> None:
    with pytest.raises(ValueError, match=r"`x` is a scalar; pass signals of shape \[..., length\]"):
        cwt(torch.tensor(1.0), [2.0])
    with pytest.raises(ValueError, match=r"`x` must be floating point, got dtype torch.int64; call .float\(\)"):
        cwt(torch.arange(64), [2.0])
    with pytest.raises(ValueError, match=r"`x` must be a real signal, got dtype torch.complex64"):
        cwt(torch.randn(64, dtype=torch.complex64), [2.0])
    with pytest.raises(ValueError, match=r"`x` must be a torch.Tensor or numpy array, got str"):
        cwt("signal", [2.0])


def test_bad_coefficients() -> None:
    with pytest.raises(ValueError, match=r"`coefs` must have shape \[..., 2 scales, length\], got \(3, 64\)"):
        icwt(torch.randn(3, 64), [2.0, 4.0])
    with pytest.raises(ValueError, match=r"Wavelet 'cmor1.5-1.0' gives complex coefficients but `coefs` has dtype"):
        icwt(torch.randn(2, 64), [2.0, 4.0], "cmor1.5-1.0")
    with pytest.raises(ValueError, match=r"Wavelet 'morl' gives real coefficients but `coefs` has dtype"):
        icwt(torch.randn(2, 64, dtype=torch.complex64), [2.0, 4.0])
    with pytest.raises(ValueError, match=r"`regularization` must be a positive number, got 0.0; 1e-8 is typical"):
        icwt(torch.randn(2, 64), [2.0, 4.0], regularization=0.0)
    with pytest.raises(ValueError, match=r"limited to 4096 samples, got 5000; use boundary='periodic'"):
        icwt(torch.randn(1, 5000), [2.0])
    with pytest.raises(
        ValueError,
        match=r"method='matmul' needs a dense operator of 335,544,320 entries .*for 80 "
        r"filters x 2048\^2 samples; use method='fft' or 'auto'",
    ):
        cwt(torch.randn(1, 2048), scale_grid(40, 1000.0, wavelet="cmor1.5-1.0"), "cmor1.5-1.0", method="matmul")
