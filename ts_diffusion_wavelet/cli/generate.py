"""
`python generate.py --model PATH_OR_REPO_ID --num_samples N --output FILE`: sample windows from a pipeline; with
`--impute FILE`, `--forecast FILE --horizon H` or `--length N`, fill gaps, forecast or draw long paths instead.
"""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

import torch

from ..batch_sampling import sample_windows
from ..clean_estimate import check_epsilon_scaling
from ..pipeline_loading import load_pipeline
from ..schedulers import SCHEDULER_NAMES, make_scheduler
from ..series_io import SERIES_FORMATS, check_series_path, save_generated
from . import generate_conditional, generate_labels

logger = logging.getLogger("ts_diffusion_wavelet.generate")

DTYPES = {"fp32": torch.float32, "fp16": torch.float16, "bf16": torch.bfloat16}


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="generate.py",
        description="Generate synthetic windows from a trained ts_diffusion_wavelet pipeline.",
    )
    parser.add_argument("--model", required=True, help="Pipeline folder (save_pretrained output) or Hub repo id.")
    parser.add_argument("--num_samples", type=int, default=16, help="Windows to generate.")
    parser.add_argument("--num_inference_steps", type=int, default=50, help="Sampler steps (DDPM: up to 1000).")
    parser.add_argument(
        "--scheduler", choices=SCHEDULER_NAMES, default=None, help="Sampler to use instead of the saved one."
    )
    parser.add_argument(
        "--seed",
        type=int,
        default=0,
        help="Window i starts from noise seeded by (seed, i): the same windows at any --batch_size, and the same "
        "as tsdw-evaluate --seed draws.",
    )
    parser.add_argument(
        "--output", default=None, help=f"Output file: {', '.join(SERIES_FORMATS)} (required unless --list_labels)."
    )
    parser.add_argument(
        "--epsilon_scaling",
        type=float,
        default=None,
        help="Divide the model's noise estimate by this at every step (Ning et al. 2024): 1.01-1.02 against too "
        "smooth windows (free generation only; 1: off). Default: the factor the pipeline was calibrated with "
        "(train.py --calibrate_epsilon_scaling), else 1.",
    )
    parser.add_argument("--batch_size", type=int, default=64, help="Windows generated per forward pass.")
    parser.add_argument("--device", default="auto", help="auto, cpu, cuda, cuda:1, mps ...")
    parser.add_argument(
        "--dtype",
        choices=("auto", *DTYPES),
        default="auto",
        help="UNet precision; auto: bf16/fp16 on a GPU, fp32 on a CPU.",
    )
    parser.add_argument("--plot", default=None, help="Also draw generated windows (and real ones with --real) to PNG.")
    parser.add_argument("--real", default=None, help="Training data for the plot (path or bundled name).")
    generate_conditional.add_arguments(parser)
    generate_labels.add_arguments(parser)
    return parser


def choose_device_and_dtype(device: str, dtype: str) -> tuple[torch.device, torch.dtype]:
    """`auto` picks a GPU when there is one, with bf16 where supported (fp16 otherwise), else fp32 on the CPU."""
    if device == "auto":
        if torch.cuda.is_available():
            device = "cuda"
        elif getattr(torch.backends, "mps", None) is not None and torch.backends.mps.is_available():
            device = "mps"
        else:
            device = "cpu"
    chosen = torch.device(device)
    if dtype != "auto":
        return chosen, DTYPES[dtype]
    if chosen.type == "cuda":
        return chosen, torch.bfloat16 if torch.cuda.is_bf16_supported() else torch.float16
    if chosen.type == "mps":
        return chosen, torch.float16
    return chosen, torch.float32


def check_arguments(args: argparse.Namespace) -> None:
    """Refuse arguments that cannot work before loading anything."""
    if args.num_samples < 1:
        raise ValueError(f"--num_samples must be at least 1, got {args.num_samples}.")
    if args.batch_size < 1:
        raise ValueError(f"--batch_size must be at least 1, got {args.batch_size}.")
    generate_labels.check_arguments(args, generate_conditional.wants_conditional_job(args))
    if args.list_labels:
        return
    if args.output is None:
        raise ValueError("--output is required: the file to write the generated windows to (.csv, .parquet, .npy).")
    check_series_path(args.output)
    if args.plot is not None and Path(args.plot).suffix.lower() != ".png":
        raise ValueError(f"--plot writes a PNG; got {args.plot!r}. Use a name ending in .png.")
    generate_conditional.check_arguments(args)
    if args.epsilon_scaling is not None:
        check_epsilon_scaling(args.epsilon_scaling, "--epsilon_scaling")
    if args.epsilon_scaling is not None and generate_conditional.wants_conditional_job(args):
        raise ValueError(
            f"--epsilon_scaling {args.epsilon_scaling:g} applies to freely sampled windows; drop it with --impute, "
            "--forecast or --length, whose known values already steer the samples."
        )
    if args.plot is not None and generate_conditional.wants_conditional_job(args):
        raise ValueError("--plot draws freely sampled windows; drop it with --impute, --forecast or --length.")


def main(argv: list[str] | None = None) -> int:
    """Run the command line; bad input exits with status 2 and its message, nothing written."""
    args = build_parser().parse_args(argv)
    logging.basicConfig(format="%(levelname)s %(name)s: %(message)s", level=logging.INFO)
    try:
        check_arguments(args)
        device, dtype = choose_device_and_dtype(args.device, args.dtype)
        pipeline = load_pipeline(args.model, torch_dtype=dtype).to(device)
        if args.list_labels:
            print(generate_labels.describe_labels(pipeline))
            return 0
        pooled = [load_pipeline(path, torch_dtype=dtype).to(device) for path in args.pool_with or []]  # --forecast
        generate_conditional.check_pooled(pipeline, pooled, args.pool_with or [])
        if args.scheduler is not None:
            for each in (pipeline, *pooled):
                each.scheduler = make_scheduler(args.scheduler, each.scheduler.config)
        if generate_conditional.wants_conditional_job(args):
            generate_conditional.run_conditional_job(pipeline, args, pooled)
            return 0
        epsilon_scaling = pipeline.default_epsilon_scaling if args.epsilon_scaling is None else args.epsilon_scaling
        logger.info(
            "Sampling %d windows with %s, %d steps, on %s (%s)%s",
            args.num_samples,
            type(pipeline.scheduler).__name__,
            args.num_inference_steps,
            device,
            str(dtype).split(".")[-1],
            "" if epsilon_scaling == 1 else f", epsilon scaling {epsilon_scaling:g}",
        )
        wants_images = args.plot is not None and pipeline.representation.has_images
        series, images = sample_windows(
            pipeline,
            args.num_samples,
            args.num_inference_steps,
            seed=args.seed,
            batch_size=args.batch_size,
            return_scalograms=wants_images,
            progress=True,
            labels=generate_labels.window_labels(args, args.num_samples),
            guidance_scale=args.guidance_scale,
            epsilon_scaling=args.epsilon_scaling,
        )
        frames = pipeline.to_dataframes(series)
        has_labels = any(frame.select_dtypes(exclude="number").shape[1] for frame in frames)
        save_generated(args.output, frames if has_labels else series, pipeline.channel_names)
        logger.info("Wrote %d windows of %d steps to %s", len(series), series.shape[1], args.output)
        if args.plot is not None:
            from .generate_plot import plot_generated

            plot_generated(pipeline, series, images, args.plot, args.real)
            logger.info("Wrote %s", args.plot)
    except (ValueError, FileNotFoundError, OSError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
