"""Training throughput, and the share of each step spent on data loading and the CWT.

    python benchmarks/bench_train.py

For each configuration (the default raw model, the scalogram designs, smaller and larger presets, and on a GPU fp16
and bf16 against fp32) it builds the real training run on the bundled EUR/USD data (`prepare_run`), times `steps`
optimizer steps after warm-up, and splits each step into data loading (the DataLoader's next batch), the
representation's own maps (for scalograms the CWT of the noisy windows and the inverse of the UNet's output, on the
training device) and the rest (UNet forward, backward, optimizer).
Each configuration runs in its own process (Accelerate's precision is fixed per process); ratios are against
the default configuration measured in the same run.
"""

from __future__ import annotations

import argparse
import json
import platform
import subprocess
import sys
import tempfile
import time

import torch

CONFIGS: dict[str, list[str]] = {
    "default (raw, small UNet1D, batch 32)": [],
    "scalogram (UNet1D over 16 scales, series space)": ["--representation", "scalogram"],
    "scalogram, UNet2D on 16x16 (series space)": ["--representation", "scalogram", "--scalogram_unet", "2d"],
    "scalogram 0.1 (UNet2D on 64x64 images of 128 scales)": [
        "--representation",
        "scalogram",
        "--scalogram_unet",
        "2d",
        "--diffusion_space",
        "image",
        "--num_scales",
        "128",
        "--image_size",
        "64",
    ],
    "raw, tiny preset": ["--model_preset", "tiny"],
    "raw, base preset": ["--model_preset", "base"],
}
GPU_CONFIGS: dict[str, list[str]] = {
    "default, fp16": ["--mixed_precision", "fp16"],
    "default, bf16": ["--mixed_precision", "bf16"],
}


def measure(options: list[str], steps: int, warmup: int) -> dict[str, float]:
    """Time `steps` steps of the run `options` describe; returns seconds per step and its parts."""
    from ts_diffusion_wavelet.training import parse_config
    from ts_diffusion_wavelet.training.loop import prepare_run, train_step

    def sync() -> None:
        if torch.cuda.is_available():
            torch.cuda.synchronize()

    with tempfile.TemporaryDirectory() as folder:
        config = parse_config([*options, "--output_dir", folder, "--logger", "none", "--validation_steps", "0"])
        run = prepare_run(config)
        run.data_order.set_epoch(0)
        batches = iter(run.loader)
        device = run.accelerator.device
        load = encode = total = 0.0
        for step in range(warmup + steps):
            sync()
            started = time.perf_counter()
            windows = next(batches)
            loaded = time.perf_counter()
            with torch.no_grad():  # the representation's maps alone, timed apart (train_step repeats them inside)
                representation = run.representation
                representation.model_output(
                    representation.model_input(representation.clean_sample(windows.to(device)))
                )
            sync()
            encoded = time.perf_counter()
            train_step(run, windows)
            sync()
            finished = time.perf_counter()
            if step >= warmup:
                load += loaded - started
                encode += encoded - loaded
                total += (loaded - started) + (finished - encoded)
    return {"step": total / steps, "load": load / steps, "encode": encode / steps, "batch": config.train_batch_size}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--steps", type=int, default=5)
    parser.add_argument("--warmup", type=int, default=2)
    parser.add_argument("--one", default=None, help=argparse.SUPPRESS)  # internal: measure one configuration
    args = parser.parse_args()
    configs = {**CONFIGS, **(GPU_CONFIGS if torch.cuda.is_available() else {})}
    if args.one is not None:
        print(json.dumps(measure(configs[args.one], args.steps, args.warmup)))
        return

    results = {}
    for name in configs:
        output = subprocess.run(
            [sys.executable, __file__, "--one", name, "--steps", str(args.steps), "--warmup", str(args.warmup)],
            capture_output=True,
            text=True,
            check=False,
        )
        if output.returncode != 0:
            raise SystemExit(f"{name} failed:\n{output.stderr[-3000:]}")
        results[name] = json.loads(output.stdout.strip().splitlines()[-1])
        print(f"  {name}: {results[name]['step']:.3f} s/step", flush=True)

    device = torch.cuda.get_device_name() if torch.cuda.is_available() else f"CPU ({platform.machine()})"
    print(
        f"\n{device}, {torch.get_num_threads()} torch threads, torch {torch.__version__}; {args.steps} timed steps "
        f"after {args.warmup} warm-up steps; bundled EUR/USD, window 256"
    )
    print("Command: `python benchmarks/bench_train.py`\n")
    print(
        "| configuration | s / step | steps / s | windows / s | vs default | data loading | "
        "transform (to / from image) |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|")
    reference = results[next(iter(configs))]["step"]
    for name, r in results.items():
        print(
            f"| {name} | {r['step']:.3f} | {1 / r['step']:.2f} | {r['batch'] / r['step']:.1f} | "
            f"{reference / r['step']:.2f}x | {100 * r['load'] / r['step']:.1f}% | "
            f"{100 * r['encode'] / r['step']:.1f}% |"
        )
    if not torch.cuda.is_available():
        print("\nNo GPU here: the fp16 / bf16 rows run only where CUDA is available.")


if __name__ == "__main__":
    main()
