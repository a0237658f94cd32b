"""
Judge generated series against real data: `python -m ts_diffusion_wavelet.evaluate` (or `tsdw-evaluate`).

    tsdw-evaluate --real prices.csv --columns Close --synthetic generated.csv --returns log --output_dir report/
    tsdw-evaluate --real bundled:eurusd --synthetic path/to/saved_pipeline --num_samples 1000 --output_dir report/

Writes `metrics.json` (every metric, for the model and the baselines side by side), `summary.md` (the short
table for a model card), one PNG figure per channel and `report.html` (table and figures in one file).

`--quick` (the default) runs the post-hoc GRU scores with fewer iterations and repeats than published, so that 512
windows are judged in minutes on 2 CPU cores; `--full` runs the published protocol (2,000 / 5,000 iterations, 5
repeats). The strong judge, the classifier two-sample tests, runs the same in both.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from .evaluation.baselines import BASELINE_NAMES
from .evaluation.files import LoadedWindows, align_channels, read_windows
from .evaluation.judges import JUDGE_NAMES
from .evaluation.report import generate_report
from .evaluation.summary import summary_markdown
from .schedulers import SCHEDULER_NAMES

# GRU score settings of each preset: (discriminative iterations, predictive iterations, repeats).
GRU_PRESETS = {"quick": (500, 1000, 3), "full": (2000, 5000, 5)}


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="tsdw-evaluate",
        description="Compare generated time series with real data: metrics, baselines, figures, JSON and HTML report.",
    )
    data = parser.add_argument_group("data")
    data.add_argument(
        "--real", required=True, help="Real data: a CSV / Parquet / .npy path, 'bundled:<name>' or a Hub dataset."
    )
    data.add_argument(
        "--synthetic",
        required=True,
        help="Generated data: .npy [N, L(, C)], CSV / Parquet ('sample, step, <channels>' or a long series), or a "
        "saved pipeline folder / Hub repo id to sample from.",
    )
    data.add_argument("--output_dir", required=True, help="Folder for metrics.json, summary.md, report.html and PNGs.")
    data.add_argument("--columns", nargs="+", default=None, help="Channels to use (default: all numeric columns).")
    data.add_argument(
        "--time_column", default="auto", help="Time column of a long series ('auto', a name, or 'none')."
    )
    data.add_argument(
        "--window_size", type=int, default=None, help="Window length for long series (default: the generated length)."
    )
    data.add_argument("--stride", type=int, default=1, help="Steps between windows cut from a long series.")
    data.add_argument(
        "--returns",
        choices=["log", "diff", "none"],
        default="none",
        help="Turn level windows into returns for the stylized facts: 'log' for prices, 'diff' for levels that can be "
        "<= 0, 'none' if the data already are returns.",
    )
    sampling = parser.add_argument_group("sampling (when --synthetic is a saved pipeline)")
    sampling.add_argument(
        "--num_samples", type=int, default=None, help="Windows to generate (default: as many as real windows)."
    )
    sampling.add_argument("--num_inference_steps", type=int, default=50, help="Denoising steps.")
    sampling.add_argument(
        "--scheduler",
        choices=SCHEDULER_NAMES,
        default=None,
        help="Sampler to use instead of the saved one ('dpmsolver' needs only 20-25 steps).",
    )
    sampling.add_argument("--generation_batch_size", type=int, default=256, help="Windows per pipeline call.")
    metrics = parser.add_argument_group("metrics")
    metrics.add_argument(
        "--baselines",
        nargs="*",
        default=list(BASELINE_NAMES),
        choices=list(BASELINE_NAMES),
        help="Baselines to compare with (none: pass the flag alone).",
    )
    metrics.add_argument(
        "--block_length", type=int, default=None, help="Block bootstrap block length (default: half a window)."
    )
    preset = metrics.add_mutually_exclusive_group()
    preset.add_argument(
        "--quick",
        dest="preset",
        action="store_const",
        const="quick",
        help="GRU scores at 500 / 1,000 iterations and 3 repeats: minutes for 512 windows on 2 CPU cores (default).",
    )
    preset.add_argument(
        "--full",
        dest="preset",
        action="store_const",
        const="full",
        help="The published GRU protocol: 2,000 / 5,000 iterations, 5 repeats (tens of minutes on a CPU).",
    )
    parser.set_defaults(preset="quick")
    metrics.add_argument(
        "--no_classifiers",
        action="store_true",
        help="Skip every classifier score: the two-sample tests and the GRU scores (distances and facts only).",
    )
    metrics.add_argument(
        "--no_gru_scores", action="store_true", help="Skip the GRU discriminative and predictive scores only."
    )
    metrics.add_argument(
        "--two_sample_classifiers",
        nargs="+",
        default=list(JUDGE_NAMES),
        choices=list(JUDGE_NAMES),
        help="Classifiers of the two-sample test: MiniRocket features with a linear model, and gradient boosting on "
        "window statistics.",
    )
    metrics.add_argument(
        "--two_sample_repeats", type=int, default=5, help="Repeats of the two-sample tests (shifted time blocks)."
    )
    metrics.add_argument(
        "--discriminative_iterations", type=int, default=None, help="GRU classifier iterations (published: 2000)."
    )
    metrics.add_argument(
        "--predictive_iterations", type=int, default=None, help="GRU predictor iterations (published: 5000)."
    )
    metrics.add_argument("--repeats", type=int, default=None, help="Repeats of each GRU score (published: 5).")
    metrics.add_argument("--classifier_batch_size", type=int, default=128, help="Published: 128.")
    metrics.add_argument(
        "--hidden_size", type=int, default=None, help="GRU width (default: channels // 2, 4 for one channel)."
    )
    metrics.add_argument(
        "--max_lag", type=int, default=100, help="Largest lag of the ACF of |r| among the stylized facts."
    )
    parser.add_argument("--seed", type=int, default=0, help="Seed of sampling, baselines and classifier scores.")
    parser.add_argument(
        "--device", default=None, help="Device for sampling and the GRU scores (default: cuda if available)."
    )
    return parser


def _is_pipeline(source: str) -> bool:
    """A saved pipeline folder (has `model_index.json`) or, when nothing exists at that path, a Hub repo id."""
    path = Path(source)
    if path.is_dir():
        return (path / "model_index.json").is_file()
    return not path.exists() and source.count("/") == 1 and not path.suffix


def sample_pipeline(
    source: str,
    num_samples: int,
    num_inference_steps: int,
    batch_size: int,
    seed: int,
    device: str,
    scheduler: str | None = None,
) -> LoadedWindows:
    """
    Generates `[num_samples, L, C]` windows in the data's units with a saved pipeline and optional `scheduler`, window
    `i` seeded by `(seed, i)` as `tsdw-generate --seed` draws it ([`sample_batches`]); its `generation` holds the
    sampler, the seconds spent and, for scalogram pipelines, the consistency (dB) of the first batch's images.
    """
    import time

    import torch

    from .batch_sampling import sample_batches
    from .pipeline_loading import load_pipeline
    from .schedulers import make_scheduler

    pipe = load_pipeline(source, device=device)
    if scheduler is not None:
        pipe.scheduler = make_scheduler(scheduler, pipe.scheduler.config)
    sampler = type(pipe.scheduler).__name__
    batches, consistency_db, started = [], None, time.perf_counter()
    outputs = sample_batches(
        pipe,
        num_samples,
        num_inference_steps,
        seed=seed,
        batch_size=batch_size,
        return_scalograms=pipe.representation.has_images,
        progress=True,
    )
    for output in outputs:
        batches.append(np.asarray(output.series, dtype=np.float64))
        if output.scalograms is not None and consistency_db is None:  # the first batch's images suffice
            consistency_db = pipe.representation.consistency_db(torch.from_numpy(output.scalograms))
    windows = np.concatenate(batches)
    names = list(getattr(pipe, "channel_names", [f"channel_{c}" for c in range(windows.shape[2])]))
    description = f"pipeline {source} ({sampler}, {num_inference_steps} steps, seed {seed})"
    generation = {
        "sampler": sampler,
        "num_inference_steps": num_inference_steps,
        "seconds": time.perf_counter() - started,
        "representation": pipe.representation.name,
        "consistency_db": consistency_db,
    }
    return LoadedWindows(windows, names, None, description, generation)


def _default_device(requested: str | None) -> str:
    if requested is not None:
        return requested
    import torch

    return "cuda" if torch.cuda.is_available() else "cpu"


def _check_two_sample_dependencies() -> None:
    """Fails before any work when the two-sample tests' packages (the `eval` extra) are missing."""
    import importlib.util

    missing = [name for name in ("sklearn", "aeon") if importlib.util.find_spec(name) is None]
    if missing:
        raise ValueError(
            f"The two-sample tests need {' and '.join(missing)} (missing); install the evaluation extra with "
            "`pip install 'ts-diffusion-wavelet[eval]'`, or pass --no_classifiers to skip every classifier score."
        )


def _check_garch_dependency() -> None:
    """Fails before any work when the GARCH baseline's package (the `eval` extra) is missing."""
    import importlib.util

    if importlib.util.find_spec("arch") is None:
        raise ValueError(
            "The GARCH baseline needs arch (missing); install the evaluation extra with "
            "`pip install 'ts-diffusion-wavelet[eval]'`, or pass --baselines gaussian block_bootstrap to skip it."
        )


def run(args: argparse.Namespace) -> dict:
    """Loads both data sets, evaluates, writes the report; returns the metrics."""
    two_sample = not args.no_classifiers
    if two_sample:
        _check_two_sample_dependencies()
    if "garch" in args.baselines:
        _check_garch_dependency()
    discriminative_iterations, predictive_iterations, repeats = GRU_PRESETS[args.preset]
    device = _default_device(args.device)
    time_column = None if args.time_column == "none" else args.time_column
    returns = None if args.returns == "none" else args.returns
    pipeline = _is_pipeline(args.synthetic)
    # 1. Generated windows first when they are a file: their length is the default window size of the real data.
    synthetic = None
    if not pipeline:
        # Channels are matched to the real ones below, by name or by position (`.npy` has no names).
        synthetic = read_windows(args.synthetic, args.window_size, args.stride, None, time_column, "synthetic")
    generated_length = None if synthetic is None else synthetic.windows.shape[1]
    real = read_windows(args.real, args.window_size, args.stride, args.columns, time_column, "real", generated_length)
    if pipeline:
        num_samples = args.num_samples or len(real.windows)
        synthetic = sample_pipeline(
            args.synthetic,
            num_samples,
            args.num_inference_steps,
            args.generation_batch_size,
            args.seed,
            device,
            args.scheduler,
        )
    synthetic = align_channels(synthetic, real.channel_names, "synthetic")
    # 2. Baselines, metrics, figures and files.
    return generate_report(
        real.windows,
        synthetic.windows,
        args.output_dir,
        returns=returns,
        channel_names=real.channel_names,
        real_series=real.series,
        baselines=tuple(args.baselines),
        block_length=args.block_length,
        sources={"real": real.description, "synthetic": synthetic.description},
        generation=synthetic.generation,
        seed=args.seed,
        max_lag=args.max_lag,
        classifiers=not (args.no_classifiers or args.no_gru_scores),
        discriminative_iterations=args.discriminative_iterations or discriminative_iterations,
        predictive_iterations=args.predictive_iterations or predictive_iterations,
        classifier_repeats=args.repeats or repeats,
        two_sample=two_sample,
        two_sample_classifiers=tuple(args.two_sample_classifiers),
        two_sample_repeats=args.two_sample_repeats,
        stride=args.stride if real.series is not None else None,
        classifier_batch_size=args.classifier_batch_size,
        hidden_size=args.hidden_size,
        device=device,
    )


def main(argv: Sequence[str] | None = None) -> int:
    """Command-line entry point; returns the exit status (2 with the reason on standard error for bad input)."""
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        metrics = run(args)
    except (ValueError, FileNotFoundError) as error:
        parser.error(str(error))  # exits with status 2
    print(summary_markdown(metrics))
    costs = ", ".join(f"{part} {seconds:.0f} s" for part, seconds in metrics["meta"]["seconds_by_part"].items())
    print(f"Time spent: {costs} ({args.preset} GRU settings).")
    for kind, path in metrics["files"].items():
        print(f"{kind}: {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
