"""Throughput of the torch CWT against pywt and ssqueezepy, and round-trip SNR of every image representation.

Run from the repository root (about 2-3 minutes on a 2-core CPU):

    python benchmarks/bench_cwt.py

Prints markdown tables ready for the README. Work unit: a batch of 256 windows x 256 samples -> 128 log-spaced
scales (Nyquist to 128), float32. Every method is timed in the same run, interleaved round by round. Throughput is
sustained: in each round a method is called back to back until `--min-seconds` have passed (as when a data set
is transformed batch by batch; timeit does the same), and the median over rounds is reported. The last column
is the round's first call alone, right after the other methods ran (idle threads and cores waking up, caches
cold): what a single isolated call costs. On a shared machine read the ratios, not the absolute numbers.
"""

from __future__ import annotations

import argparse
import importlib.metadata
import os
import platform
import time
from collections.abc import Callable

import numpy as np
import pywt
import torch

from ts_diffusion_wavelet import cwt, icwt
from ts_diffusion_wavelet.data.synthetic import garch_returns, random_walk, sum_of_sines
from ts_diffusion_wavelet.scales import scale_grid
from ts_diffusion_wavelet.scalogram import ScalogramTransform
from ts_diffusion_wavelet.wavelets import carrier_frequency

BATCH, LENGTH, NUM_SCALES = 256, 256, 128


def call_times(method: Callable[[], object], min_seconds: float) -> tuple[float, float]:
    """Seconds of the first call, and the mean seconds per call over back-to-back calls filling `min_seconds`."""
    calls, start = 0, time.perf_counter()
    first = None
    while True:
        method()
        calls += 1
        elapsed = time.perf_counter() - start
        first = elapsed if first is None else first
        if elapsed >= min_seconds:
            return first, elapsed / calls


def median_throughput(
    methods: dict[str, Callable[[], object]], rounds: int, min_seconds: float
) -> dict[str, tuple[float, float]]:
    """
    Windows per second of each method, sustained (back-to-back calls, as over a data set) and for the round's first
    call, which follows the other methods (caches cold, idle threads asleep): medians over interleaved rounds.
    """
    for method in methods.values():
        method()
    times: dict[str, list[tuple[float, float]]] = {name: [] for name in methods}
    for _ in range(rounds):
        for name, method in methods.items():
            times[name].append(call_times(method, min_seconds))
    speeds = {}
    for name, values in times.items():
        firsts, means = zip(*values, strict=True)
        speeds[name] = (BATCH / float(np.median(means)), BATCH / float(np.median(firsts)))
    return speeds


def throughput_table(rounds: int, min_seconds: float) -> str:
    scales = scale_grid(NUM_SCALES, 128.0)
    x = torch.randn(BATCH, LENGTH, generator=torch.Generator().manual_seed(0))
    x_numpy = x.numpy()
    coefs, _ = cwt(x, scales)
    transform = ScalogramTransform().fit(x[:, None])
    images = transform.to_image(x[:, None])
    methods: dict[str, Callable[[], object]] = {
        "`pywt.cwt` (method='conv')": lambda: pywt.cwt(x_numpy, scales, "morl", axis=-1),
        "`pywt.cwt` (method='fft')": lambda: pywt.cwt(x_numpy, scales, "morl", method="fft", axis=-1),
    }
    try:
        import ssqueezepy

        ssq_scales = scales.astype(np.float32)
        threads = torch.get_num_threads()

        def ssqueezepy_cwt(**kwargs: object) -> None:
            ssqueezepy.cwt(x_numpy, "morlet", scales=ssq_scales, **kwargs)
            # ssqueezepy's numba-parallel code resets the OpenMP thread count that torch reads: restore it.
            torch.set_num_threads(threads)

        methods["`ssqueezepy.cwt` (morlet, padtype=None)"] = lambda: ssqueezepy_cwt(padtype=None)
        methods["`ssqueezepy.cwt` (morlet, padtype='reflect', its default)"] = lambda: ssqueezepy_cwt()
    except ImportError:  # optional: pip install ssqueezepy==0.6.6
        pass
    ours = {
        "**`cwt`**, boundary='zero' (pywt-exact, auto = rFFT 512)": lambda: cwt(x, scales),
        "`cwt`, boundary='zero', method='matmul' (dense operator)": lambda: cwt(x, scales, method="matmul"),
        "`cwt`, boundary='periodic' (rFFT 256, edges differ from pywt)": lambda: cwt(x, scales, boundary="periodic"),
        "`cwt`, boundary='symmetric' (rFFT 512, edges differ from pywt)": lambda: cwt(x, scales, boundary="symmetric"),
        "`icwt`, boundary='zero' (auto = dense pseudo-inverse)": lambda: icwt(coefs, scales),
        "`icwt`, boundary='zero', method='fft' (adjoint rFFT + N x N)": lambda: icwt(coefs, scales, method="fft"),
        "`ScalogramTransform().to_image` (default, 1 channel)": lambda: transform.to_image(x[:, None]),
        "`ScalogramTransform().from_image` (default, 1 channel)": lambda: transform.from_image(images),
    }
    methods.update(ours)
    speeds = median_throughput(methods, rounds, min_seconds)
    reference, reference_first = speeds["`pywt.cwt` (method='conv')"]
    ssq = speeds.get("`ssqueezepy.cwt` (morlet, padtype=None)", (None, None))[0]
    lines = [
        "| method (256 windows x 256 samples x 128 scales, float32) | windows/s | x pywt conv | x ssqueezepy | "
        "first call of a round: x pywt conv |",
        "|---|---:|---:|---:|---:|",
    ]
    for name, (speed, first) in speeds.items():
        versus_ssq = f"{speed / ssq:.2f}" if ssq else "n/a"
        ratios = f"{speed / reference:.1f} | {versus_ssq} | {first / reference_first:.1f}"
        lines.append(f"| {name} | {speed:,.0f} | {ratios} |")
    return "\n".join(lines)


def test_signals(batch: int, seed: int) -> dict[str, torch.Tensor]:
    shape = (batch, 1)
    signals = {
        "white noise": np.random.default_rng(seed).standard_normal((*shape, LENGTH)),
        "GARCH returns": garch_returns(LENGTH, shape=shape, seed=seed),
        "random walk": random_walk(LENGTH, shape=shape, seed=seed, start=100.0),
        "sines": sum_of_sines(LENGTH, shape=shape, seed=seed),
    }
    return {name: torch.tensor(values, dtype=torch.float32) for name, values in signals.items()}


def snr_db(reference: torch.Tensor, estimate: torch.Tensor) -> float:
    reference, estimate = reference.double(), estimate.double()
    return float(10 * torch.log10((reference**2).sum() / ((reference - estimate) ** 2).sum()))


REPRESENTATIONS: dict[str, dict[str, object]] = {
    "**morl signed, time folded (default)**": {},
    "morl signed, time folded, per-channel normalisation": {"normalization": "channel"},
    "morl signed, time folded, linear trend": {"detrend": "linear"},
    "morl signed, no resize (128 x 256)": {"time_layout": "none"},
    "morl signed, time resized 256 -> 128, bilinear": {"time_layout": "resize", "interpolation": "bilinear"},
    "morl signed, time resized 256 -> 128, bicubic": {"time_layout": "resize", "interpolation": "bicubic"},
    "cmor1.5-1.0 demodulated, time resized, bilinear": {
        "wavelet": "cmor1.5-1.0",
        "demodulate": True,
        "time_layout": "resize",
        "interpolation": "bilinear",
    },
    "cmor1.5-1.0 demodulated, time resized, bicubic": {
        "wavelet": "cmor1.5-1.0",
        "demodulate": True,
        "time_layout": "resize",
        "interpolation": "bicubic",
    },
}


def magnitude_snr(signal: torch.Tensor) -> float:
    """`coefficients='magnitude'` cannot be inverted; decode it with each scale's carrier as the phase guess."""
    wavelet, scales = "cmor1.5-1.0", scale_grid(NUM_SCALES, 128.0, wavelet="cmor1.5-1.0")
    mean = signal.mean(-1, keepdim=True)
    coefs, _ = cwt(signal - mean, scales, wavelet)
    phase = 2 * np.pi * carrier_frequency(wavelet) / torch.tensor(scales)[:, None] * torch.arange(LENGTH)
    guess = coefs.abs() * torch.polar(torch.ones_like(phase), phase).to(coefs.dtype)
    return snr_db(signal, icwt(guess, scales, wavelet) + mean)


def snr_table(batch: int, noise: float) -> str:
    fit_signals, signals = test_signals(batch, seed=1), test_signals(batch, seed=2)
    names = list(signals)
    header = " | ".join(names)
    lines = [
        f"| image (window 256, 128 scales, image 128 x 128, float32) | C' | {header} | GARCH, image noise {noise:g} |",
        "|---|---:|" + "---:|" * (len(names) + 1),
    ]
    generator = torch.Generator().manual_seed(3)
    for label, overrides in REPRESENTATIONS.items():
        row, channels = [], 0
        for name in names:
            transform = ScalogramTransform(**overrides).fit(fit_signals[name])
            images = transform.to_image(signals[name])
            channels = images.shape[1]
            row.append(snr_db(signals[name], transform.from_image(images)))
        garch = signals["GARCH returns"]
        transform = ScalogramTransform(**overrides).fit(fit_signals["GARCH returns"])
        images = transform.to_image(garch)
        noisy = images + noise * torch.randn(images.shape, generator=generator)
        row.append(snr_db(garch, transform.from_image(noisy)))
        lines.append(f"| {label} | {channels} | " + " | ".join(f"{value:.1f}" for value in row) + " |")
    magnitude = [magnitude_snr(signals[name]) for name in names]
    lines.append(
        "| cmor1.5-1.0 magnitude (not invertible; decoded with the carrier as phase guess) | 2 | "
        + " | ".join(f"{value:.1f}" for value in magnitude)
        + " | n/a |"
    )
    return "\n".join(lines)


def _version(distribution: str) -> str:
    try:
        return importlib.metadata.version(distribution)
    except importlib.metadata.PackageNotFoundError:
        return "not installed"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=7, help="interleaved timing rounds (median reported)")
    parser.add_argument(
        "--min-seconds", type=float, default=0.25, help="back-to-back calls per method and round fill this long"
    )
    parser.add_argument("--snr-batch", type=int, default=64, help="windows per signal type in the SNR table")
    parser.add_argument("--noise", type=float, default=0.1, help="std of the noise added to normalised images")
    parser.add_argument("--threads", type=int, default=None, help="torch threads (default: torch's choice)")
    parser.add_argument("--skip-snr", action="store_true", help="throughput table only")
    args = parser.parse_args()
    if args.threads:
        torch.set_num_threads(args.threads)
    started = time.perf_counter()
    print("Command: `python benchmarks/bench_cwt.py`  ")
    versions = ", ".join(f"{name} {_version(name)}" for name in ("torch", "PyWavelets", "ssqueezepy"))
    print(
        f"Machine: {platform.machine()}, {os.cpu_count()} CPUs ({torch.get_num_threads()} torch threads), {versions}; "
        f"load average {os.getloadavg()[0]:.1f} at start; float32, medians of {args.rounds} interleaved rounds of "
        f"back-to-back calls filling {args.min_seconds:g} s.\n"
    )
    print(throughput_table(args.rounds, args.min_seconds))
    if args.skip_snr:
        return
    print()
    print(
        "Round-trip SNR in dB (window -> image -> window, float32; higher is better). Statistics fitted on 64 other "
        f"windows of the same kind; the last column adds N(0, {args.noise:g}^2) to the normalised image, a stand-in "
        "for model error.\n"
    )
    print(snr_table(args.snr_batch, args.noise))
    print(f"\n(total {time.perf_counter() - started:.0f} s)")


if __name__ == "__main__":
    main()
