"""Sampling speed and quality: DDPM with its full schedule against DDIM and DPM-Solver++ at 10-50 steps.

    python benchmarks/bench_sampling.py --model outputs/ts-diffusion-wavelet/pipeline

Uses one trained pipeline (by default the one `accelerate launch train.py` leaves) for every sampler, in one
run. For each sampler it prints windows per second, network evaluations (UNet calls) per window, the speed-up
over DDPM-1000, and quality figures of the generated log-returns against real windows of the training data:
1-Wasserstein distance of the pooled standardised returns, ACF distance of |r| (volatility clustering, lags
1-20) and the log-spectral distance of the PSD. The "real vs real" row gives the floor: two disjoint sets of
real windows of the same size, so a sampler whose figures sit near it loses nothing.
"""

from __future__ import annotations

import argparse
import platform
import time
from dataclasses import dataclass

import numpy as np
import torch

from ts_diffusion_wavelet import load_pipeline, load_series
from ts_diffusion_wavelet.evaluation import (
    acf_distance,
    psd_distance,
    sliding_windows,
    to_returns,
    wasserstein_per_channel,
)
from ts_diffusion_wavelet.schedulers import make_scheduler

SAMPLERS = [
    ("ddpm", 1000),
    ("ddpm", 50),  # the saved sampler before dpmsolver became the default, at the pipeline's default step count
    ("ddim", 10),
    ("ddim", 25),
    ("ddim", 50),
    ("dpmsolver", 10),
    ("dpmsolver", 25),
    ("dpmsolver", 50),
]


@dataclass
class Row:
    name: str
    steps: int | None
    seconds: float | None
    evaluations: float | None
    quality: tuple[float, float, float]


def count_unet_calls(pipeline) -> list[int]:
    """Count UNet forward calls with a hook (samplers may call it more than once per step)."""
    calls = [0]

    def hook(module, inputs, output):
        calls[0] += 1

    pipeline.unet.register_forward_hook(hook)
    return calls


def real_windows(pipeline, length: int) -> np.ndarray:
    """Level windows `[N, L, C]` of the data the pipeline was trained on (options from its saved config)."""
    options = pipeline.config.get("training_config") or {}
    if not options:
        raise ValueError("This pipeline has no training_config, so its real data is unknown.")
    time_column = options.get("time_column", "auto")
    clean = load_series(
        options["data"],
        columns=options.get("columns"),
        time_column=None if time_column in (None, "none") else time_column,
    )
    levels = clean.frame[pipeline.channel_names].to_numpy(dtype=np.float64)
    return sliding_windows(levels, length, stride=max(1, length // 8))


def quality(real_returns: np.ndarray, generated_returns: np.ndarray) -> tuple[float, float, float]:
    """(Wasserstein of standardised returns, ACF |r| distance to lag 20, PSD distance in dB), channel means."""
    scale = real_returns.std(axis=(0, 1), keepdims=True)
    wasserstein = wasserstein_per_channel(real_returns / scale, generated_returns / scale).mean()
    acf = acf_distance(real_returns, generated_returns, max_lag=20, absolute=True).mean()
    psd = psd_distance(real_returns, generated_returns).mean()
    return float(wasserstein), float(acf), float(psd)


def sample(
    pipeline, name: str, steps: int, count: int, batch_size: int, seed: int, calls: list[int]
) -> tuple[np.ndarray, float, float]:
    pipeline.scheduler = make_scheduler(name, pipeline.scheduler.config)
    calls[0] = 0
    outputs = []
    start = time.perf_counter()
    for first in range(0, count, batch_size):
        size = min(batch_size, count - first)
        generators = [torch.Generator().manual_seed(seed + first + i) for i in range(size)]
        outputs.append(pipeline(size, num_inference_steps=steps, generator=generators).series)
    seconds = time.perf_counter() - start
    batches = -(-count // batch_size)
    return np.concatenate(outputs), seconds, calls[0] / batches  # evaluations per window (one call per batch)


def parse_sampler(text: str) -> tuple[str, int]:
    """`"dpmsolver:25"` -> `("dpmsolver", 25)`, with the reason when it cannot be read."""
    name, _, steps = text.partition(":")
    if not steps.isdigit() or int(steps) < 1:
        raise SystemExit(f"--samplers takes name:steps with a positive step count, e.g. dpmsolver:25; got {text!r}.")
    return name, int(steps)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model", default="outputs/ts-diffusion-wavelet/pipeline")
    parser.add_argument("--num_windows", type=int, default=32, help="Windows per sampler (DDPM-1000 dominates).")
    parser.add_argument("--batch_size", type=int, default=32)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--threads", type=int, default=torch.get_num_threads())
    parser.add_argument(
        "--samplers",
        nargs="+",
        default=[f"{name}:{steps}" for name, steps in SAMPLERS],
        help="Rows to run as name:steps (default: all; speed-ups are against the first one).",
    )
    args = parser.parse_args()
    samplers = [parse_sampler(text) for text in args.samplers]
    torch.set_num_threads(args.threads)

    pipeline = load_pipeline(args.model)
    pipeline.set_progress_bar_config(disable=True)
    calls = count_unet_calls(pipeline)
    length = pipeline.window_size
    real = to_returns(real_windows(pipeline, length), "log")  # L levels -> L - 1 returns, as for generated ones
    rng = np.random.default_rng(args.seed)
    picked = rng.choice(len(real), size=min(len(real), 2 * args.num_windows), replace=False)
    reference, other = real[picked[: args.num_windows]], real[picked[args.num_windows :]]
    rows = [Row("real vs real (floor)", None, None, None, quality(reference, other))]
    for name, steps in samplers:
        levels, seconds, evaluations = sample(
            pipeline, name, steps, args.num_windows, args.batch_size, args.seed, calls
        )
        rows.append(Row(name, steps, seconds, evaluations, quality(reference, to_returns(levels, "log"))))
        print(f"  {name:9s} {steps:4d} steps: {args.num_windows / seconds:8.2f} windows/s", flush=True)

    baseline = rows[1].seconds
    cpu = platform.processor() or platform.machine()
    print(
        f"\nModel: {args.model} ({type(pipeline).__name__}, window {length}); {args.num_windows} windows per row; "
        f"{cpu}, {torch.get_num_threads()} torch threads, torch {torch.__version__}"
    )
    print("Command: `python benchmarks/bench_sampling.py --model " + args.model + "`\n")
    first = f"{samplers[0][0].upper()}-{samplers[0][1]}"
    print(
        f"| sampler | steps | UNet calls / window | windows/s | speed-up vs {first} | Wasserstein (std. r) ↓ "
        "| ACF \\|r\\| distance ↓ | PSD distance dB ↓ |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    for row in rows:
        w, a, p = row.quality
        if row.seconds is None:
            print(f"| {row.name} | | | | | {w:.3f} | {a:.3f} | {p:.2f} |")
            continue
        speed = args.num_windows / row.seconds
        print(
            f"| {row.name} | {row.steps} | {row.evaluations:.0f} | {speed:.2f} | {baseline / row.seconds:.1f}x "
            f"| {w:.3f} | {a:.3f} | {p:.2f} |"
        )


if __name__ == "__main__":
    main()
