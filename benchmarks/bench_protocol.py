"""The literature benchmark: Stocks and ETTh under the Diffusion-TS protocol, beside the published numbers.

Run from the repository root, one command per dataset and representation (each trains, samples and scores):

    python benchmarks/bench_protocol.py --dataset stocks --representation scalogram
    python benchmarks/bench_protocol.py --dataset stocks --representation raw
    python benchmarks/bench_protocol.py --dataset etth --representation scalogram
    python benchmarks/bench_protocol.py --dataset etth --representation raw
    python benchmarks/bench_protocol.py --table          # every recorded result beside the published rows
    python benchmarks/bench_protocol.py --dataset etth --representation raw --rescore   # newer judges, same windows

The protocol (TimeGAN, Yoon et al. 2019; Diffusion-TS, Yuan & Qiao, ICLR 2024):
- Data: `benchmarks/data/stock_data.csv` (6 columns, no date) and `benchmarks/data/ETTh1.csv` (date column
  dropped, 7 columns); see `benchmarks/data/README.md`. Stocks is NOT reversed in time (Diffusion-TS does
  not reverse it; TimeGAN's own code does).
- Every column MinMax-scaled over the whole series; windows of 24, stride 1: 3,662 windows (Stocks), 17,397
  (ETTh). The model trains on [-1, 1] (`scaling=minmax`, `target_transform=none`, `validation_fraction=0`, so
  the scaling is fitted on the whole series); the metrics see [0, 1].
- As many generated windows as real ones, mapped to [0, 1] with the same whole-series min / max and clipped
  to [0, 1] (Diffusion-TS clips its denoised samples to the data range too); the share of generated values
  outside [0, 1] before clipping is recorded.
- Discriminative score: one-layer GRU (hidden 3) classifier, 80/20 split, 2,000 iterations at batch 128, 5
  repeats. Predictive score: GRU trained 5,000 iterations on generated windows to predict the last column's
  next value from the other columns, MAE on all real windows, 5 repeats; the same predictor trained on the real
  windows gives the floor. Correlational score: summed |difference| of lag-0 cross-correlation matrices / 10.
- Not in the protocol, the strong judge: classifier two-sample tests (`c2st_scores`: MiniRocket features with a
  logistic regression, and gradient boosting on window statistics), the real windows split in time-disjoint blocks
  with a gap of one window length, 5 repeats, each with the real-vs-real floor. The GRU score saturates near 0 for
  samples these separate at .4; read both.
- Not in the protocol, recorded because a discriminative score near 0 is also what copying the training windows
  gets: the distance of each generated window to its closest real (training) window, over the same distance
  between real windows 24 or more steps apart (`distance_to_closest_record`: about 1 and 5% of windows nearer
  than the real 5th percentile for a model that does not copy; ≪ 1 for one that does).
  Means with 95% CI half-widths (Student t, as Diffusion-TS). See `ts_diffusion_wavelet.evaluation`.

Model settings (the defaults of this script) were chosen with pilot runs on Stocks only, recorded below; the
ETTh runs reuse them untouched. Pilots scored 1,000 generated windows against 1,000 real windows drawn at
random (seed 1) with the full discriminative protocol: this is selection on the benchmark metric itself, as
the literature does (the protocol has no held-out split), kept to the few settings listed.

Pilots (Stocks, 2-core AMD EPYC shared with other jobs, 1 torch thread):
- Threads: a training step of the small 2-D UNet at batch 64 took 7.0 s with 2 torch threads while another
  process kept one core busy, 0.39 s with 1 thread (OpenMP workers wait on each other on a busy box). Every
  run here uses 1 thread.
- Step cost at batch 64 (1 thread, contended): scalogram 16 scales x 12 columns (time folded 2x) 0.39 s,
  16 x 24 (no fold) 0.64 s, 24 x 24 1.0 s, 16 x 8 (fold 3x) 0.26 s; raw UNet1D small 0.18 s, base 0.25 s.
- Pilots, 1,500 steps x 64, lr 5e-4, DDIM 25 (discriminative / predictive / correlational; share of generated
  values outside [0, 1] before clipping):
    scalogram, epsilon        .467 +- .014 / .054 / 1.273  (75% outside)
    raw, epsilon              .447 +- .017 / .056 / .300   (84% outside)
    raw, v_prediction         .189 +- .019 / .041 / .118   (4.2% outside)
    raw, sample (x0)          .283 +- .039 / .047 / .121   (0.01% outside: over-smoothed, Volume loses 80% of its
                                                            within-window spread)
  With epsilon the x0 estimate at high noise carries the network's error times 1 / sqrt(alpha_bar) (~120 at
  t = 960), the reverse chain leaves the data range and never returns: samples were noise. v_prediction is
  used for both representations (no scalogram pilot with v finished before the final runs).
- Steps (full protocol, Stocks raw, v_prediction): 3,000 steps (7 min) .095 +- .049; 10,000 steps (25 min) .010
  +- .011 with a closest-record ratio of 1.09 (not copying). The raw default is 10,000; the scalogram model
  stays at 3,000 (its steps cost 3x: 10,000 would take over an hour on this CPU).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import time
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import torch

ROOT = Path(__file__).resolve().parent
DATA_DIR = ROOT / "data"
RESULTS = ROOT / "results" / "protocol.json"
WINDOW, STRIDE = 24, 1
DISCRIMINATIVE = {"iterations": 2000, "batch_size": 128, "repeats": 5}
PREDICTIVE = {"iterations": 5000, "batch_size": 128, "repeats": 5}


@dataclass(frozen=True)
class Benchmark:
    """One benchmark dataset: where it lives, its time column, and the window count the protocol gives."""

    file: str
    time_column: str | None
    num_windows: int


DATASETS = {
    "stocks": Benchmark("stock_data.csv", None, 3662),
    "etth": Benchmark("ETTh1.csv", "date", 17397),
}

# Diffusion-TS (Yuan & Qiao, ICLR 2024) Table 1, length 24: (mean, 95% CI half-width). The TimeGAN rows are
# TimeGAN re-run by Diffusion-TS under the same protocol. "real data" is the predictive score of the real windows.
PUBLISHED: dict[str, dict[str, dict[str, tuple[float, float]]]] = {
    "stocks": {
        "Diffusion-TS": {
            "discriminative": (0.067, 0.015),
            "predictive": (0.036, 0.000),
            "correlational": (0.004, 0.001),
        },
        "TimeGAN": {"discriminative": (0.102, 0.021), "predictive": (0.038, 0.001), "correlational": (0.063, 0.005)},
        "real data": {"predictive": (0.036, 0.001)},
    },
    "etth": {
        "Diffusion-TS": {
            "discriminative": (0.061, 0.009),
            "predictive": (0.119, 0.002),
            "correlational": (0.049, 0.008),
        },
        "TimeGAN": {"discriminative": (0.114, 0.055), "predictive": (0.124, 0.001), "correlational": (0.210, 0.006)},
        "real data": {"predictive": (0.121, 0.005)},
    },
}
PUBLISHED_SOURCE = "Diffusion-TS (Yuan & Qiao, ICLR 2024), Table 1; published GPU runs"

# Settings chosen by the pilots (see the module docstring); every one can be overridden on the command line.
MODEL_DEFAULTS: dict[str, dict[str, Any]] = {
    "scalogram": {
        "model_preset": "small",
        # The package's scalogram design: a 1-D UNet over the (plane, scale) rows of 16 scales x 24 steps, the
        # windows diffused and denoised through their images (runs before 2026-11-30 used a 2-D UNet on images).
        "num_scales": 16,
        "image_size": 16,
        "time_layout": "auto",
        "scalogram_unet": "1d",
        "train_batch_size": 64,
        "max_train_steps": 3000,
        "learning_rate": 5e-4,
        "lr_warmup_steps": 200,
        "prediction_type": "v_prediction",
        "beta_schedule": "linear",
        "input_scale": 1.0,
        "sampler": "ddim",
        "num_inference_steps": 50,
        "epsilon_scaling": 1.0,
    },
    "raw": {
        "model_preset": "small",
        "train_batch_size": 64,
        "max_train_steps": 10000,  # 3,000 scored .095 on Stocks, 10,000 (Diffusion-TS's step count) .010
        "learning_rate": 5e-4,
        "lr_warmup_steps": 200,
        "prediction_type": "v_prediction",
        "beta_schedule": "linear",
        "input_scale": 1.0,
        "sampler": "ddim",
        "num_inference_steps": 50,
        "epsilon_scaling": 1.0,
    },
}
SCALOGRAM_ONLY = ("num_scales", "image_size", "time_layout", "scalogram_unet")


# ----- data -------------------------------------------------------------------------------------------------------
def load_levels(dataset: str) -> np.ndarray:
    """The whole series `[T, C]` as the protocol reads it: the CSV without its date column, in file order."""
    spec = DATASETS[dataset]
    frame = pd.read_csv(DATA_DIR / spec.file)
    if spec.time_column is not None:
        frame = frame.drop(columns=[spec.time_column])
    return frame.to_numpy(dtype=np.float64)


def channel_names(dataset: str) -> list[str]:
    """The CSV's column names, without the time column."""
    spec = DATASETS[dataset]
    columns = pd.read_csv(DATA_DIR / spec.file, nrows=0).columns
    return [str(c) for c in columns if c != spec.time_column]


def real_windows(levels: np.ndarray) -> np.ndarray:
    """Windows of 24, stride 1, `[N, 24, C]`, each column MinMax-scaled to [0, 1] over the whole series."""
    low, high = levels.min(axis=0), levels.max(axis=0)
    scaled = (levels - low) / (high - low)
    from ts_diffusion_wavelet.evaluation import sliding_windows

    return sliding_windows(scaled, WINDOW, stride=STRIDE)


def to_unit_range(series: np.ndarray, levels: np.ndarray) -> np.ndarray:
    """Generated windows in data units `[N, 24, C]` -> the real data's [0, 1] scale (whole-series min / max)."""
    low, high = levels.min(axis=0), levels.max(axis=0)
    return (series - low) / (high - low)


# ----- machine ----------------------------------------------------------------------------------------------------
def machine() -> str:
    """CPU model, cores, torch version and threads used: printed with every result line."""
    model = platform.processor() or "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return f"{model}, {os.cpu_count()} cores, torch {torch.__version__}, {torch.get_num_threads()} thread(s)"


# ----- the three stages -------------------------------------------------------------------------------------------
def training_arguments(args: argparse.Namespace, output_dir: Path) -> list[str]:
    """The `train.py` options of this run: the protocol's, then the model settings."""
    spec = DATASETS[args.dataset]
    options = {
        "data": str(DATA_DIR / spec.file),
        "time_column": spec.time_column or "none",
        "window_size": WINDOW,
        "stride": STRIDE,
        "validation_fraction": 0,
        "target_transform": "none",
        "scaling": "minmax",
        "representation": args.representation,
        "model_preset": args.model_preset,
        "train_batch_size": args.train_batch_size,
        "max_train_steps": args.max_train_steps,
        "learning_rate": args.learning_rate,
        "lr_warmup_steps": args.lr_warmup_steps,
        "prediction_type": args.prediction_type,
        "beta_schedule": args.beta_schedule,
        "input_scale": args.input_scale,
        "sampler": args.sampler,
        "seed": args.seed,
        "output_dir": str(output_dir),
        "overwrite_output_dir": "true",
        "logger": "none",
        "validation_steps": 0,
        "checkpointing_steps": 10**9,  # the last step still saves one checkpoint
        "calibrate_epsilon_scaling": "false",  # sampling here takes --epsilon_scaling or --calibrate_epsilon_scaling
    }
    if args.representation == "scalogram":
        options.update({name: getattr(args, name) for name in SCALOGRAM_ONLY})
    argv = []
    for name, value in options.items():
        argv += [f"--{name}", str(value)]
    return argv


def train_model(args: argparse.Namespace, output_dir: Path) -> tuple[Path, float, int]:
    """Train with the package's loop; returns the pipeline folder, the wall time and the training window count."""
    from ts_diffusion_wavelet.training import parse_config
    from ts_diffusion_wavelet.training.loop import load_data, train

    config = parse_config(training_arguments(args, output_dir))
    num_windows = len(load_data(config).train)
    start = time.perf_counter()
    pipeline_path = train(config)
    return Path(pipeline_path), time.perf_counter() - start, num_windows


def sample_series(args: argparse.Namespace, pipe: Any, count: int) -> tuple[np.ndarray, float]:
    """`count` windows in data units `[N, 24, C]` (window i seeded `seed * 10**6 + i`), and the wall time."""
    from ts_diffusion_wavelet import make_scheduler

    pipe.scheduler = make_scheduler(args.sampler, pipe.scheduler.config)
    pipe.set_progress_bar_config(disable=True)
    parts, start = [], time.perf_counter()
    for first in range(0, count, args.sample_batch_size):
        size = min(args.sample_batch_size, count - first)
        generators = [torch.Generator().manual_seed(args.seed * 10**6 + first + i) for i in range(size)]
        parts.append(
            pipe(
                size,
                num_inference_steps=args.num_inference_steps,
                generator=generators,
                epsilon_scaling=args.epsilon_scaling,
            ).series
        )
        print(f"  sampled {first + size}/{count} ({time.perf_counter() - start:.0f} s)", flush=True)
    return np.concatenate(parts), time.perf_counter() - start


def calibrate(args: argparse.Namespace, pipe: Any, levels: np.ndarray) -> dict[str, Any]:
    """
    `--calibrate_epsilon_scaling`: the factor matching the data's one-step changes, sampled as the run samples; set
    as `args.epsilon_scaling` (what the run samples with and records) and returned as the calibration record.
    """
    frame = pd.DataFrame(levels, columns=channel_names(args.dataset))
    start = time.perf_counter()
    calibration = pipe.calibrate_epsilon_scaling(
        frame, num_inference_steps=args.num_inference_steps, scheduler=args.sampler, seed=args.seed, progress=False
    )
    args.epsilon_scaling = calibration.factor
    tried = ", ".join(f"{factor:.4f}: {ratio:.3f}x" for factor, ratio in calibration.tried)
    print(f"calibrated epsilon scaling {calibration.factor:.4f} ({tried}) in {time.perf_counter() - start:.0f} s")
    return calibration.to_dict()


def two_sample_tests(real: np.ndarray, generated: np.ndarray, dataset: str, seed: int) -> dict[str, Any]:
    """The strong judge: both classifier two-sample tests of the generated windows, and the real-vs-real floor."""
    from ts_diffusion_wavelet.evaluation import c2st_scores

    start = time.perf_counter()
    tests = c2st_scores(real, {"generated": generated}, channel_names=channel_names(dataset), seed=seed)
    return {"generated": tests["generated"], "floor": tests["real_vs_real"], "seconds": time.perf_counter() - start}


def score(real: np.ndarray, generated: np.ndarray, dataset: str, seed: int) -> dict[str, Any]:
    """The three scores of the protocol (the predictive one also for the real windows: the floor), and the C2ST."""
    from ts_diffusion_wavelet.evaluation import (
        correlational_score,
        discriminative_scores,
        distance_to_closest_record,
        predictive_scores,
    )

    start = time.perf_counter()
    discriminative = discriminative_scores(real, {"generated": generated}, seed=seed, **DISCRIMINATIVE)["generated"]
    predictive = predictive_scores(real, {"generated": generated, "real": real}, seed=seed, **PREDICTIVE)
    return {
        "discriminative": discriminative,
        "predictive": predictive["generated"],
        "predictive_real_floor": predictive["real"],
        "correlational": correlational_score(real, generated),
        # A discriminative score near 0 is also what copying the training windows gets: check it is not that.
        "memorization": distance_to_closest_record(real, generated, seed=seed),
        "c2st": two_sample_tests(real, generated, dataset, seed),
        "spread": spread_ratios(real, generated, dataset),
        "scoring_seconds": time.perf_counter() - start,
    }


def spread_ratios(real: np.ndarray, generated: np.ndarray, dataset: str) -> dict[str, dict[str, float]]:
    """Per channel, generated / real: the std of one-step increments and of the levels (too smooth, too narrow)."""
    names = channel_names(dataset)
    increments = np.diff(generated, axis=1).std(axis=(0, 1)) / np.diff(real, axis=1).std(axis=(0, 1))
    levels = generated.std(axis=(0, 1)) / real.std(axis=(0, 1))
    return {
        "increment_std_ratio": dict(zip(names, increments.round(4).tolist(), strict=True)),
        "level_std_ratio": dict(zip(names, levels.round(4).tolist(), strict=True)),
    }


def scalogram_round_trip_db(pipe: Any, real: np.ndarray) -> float | None:
    """SNR (dB) of real windows through the saved transform and back: the representation's own loss."""
    if not pipe.representation.has_images:
        return None
    windows = torch.from_numpy(real[:512] * 2 - 1).float().permute(0, 2, 1)  # [0, 1] -> the model's [-1, 1]
    transform = pipe.representation.transform
    back = transform.from_image(transform.to_image(windows))
    error = float(((back - windows) ** 2).mean())
    return 10 * np.log10(float((windows**2).mean()) / max(error, 1e-30))


# ----- reporting --------------------------------------------------------------------------------------------------
def fmt(mean: float | None, half_width: float | None = None) -> str:
    if mean is None:
        return "–"
    text = f"{mean:.3f}".lstrip("0") if mean < 1 else f"{mean:.3f}"
    if half_width is not None:
        text += f" ± {half_width:.3f}".replace("0.", ".")
    return text


def model_label(record: dict[str, Any]) -> str:
    settings = record["settings"]
    preset = settings["model_preset"]
    if record["representation"] == "scalogram":
        if "scalogram_unet" in settings:
            model = f"ours, scalogram ({preset} UNet{settings['scalogram_unet'].upper()}, series space"
        else:
            shape = f"{settings['image_size']}x{settings['image_width']}"
            model = f"ours, scalogram 0.1 ({preset} UNet2D on images, {shape}, {settings['time_layout']}"
    else:
        model = f"ours, raw ({preset} UNet1D"
    calibrated = " calibrated" if record.get("epsilon_scaling_calibration") else ""
    return f"{model}{schedule_note(settings)}{calibrated})"


def schedule_note(settings: dict[str, Any]) -> str:
    """`, cosine schedule, input scale 2` for the noise settings a run changed (records before them had neither)."""
    notes = []
    if settings.get("beta_schedule", "linear") != "linear":
        notes.append(f"{settings['beta_schedule']} schedule")
    if settings.get("input_scale", 1.0) != 1.0:
        notes.append(f"input scale {settings['input_scale']:g}")
    if settings.get("epsilon_scaling", 1.0) != 1.0:
        notes.append(f"epsilon scaling {settings['epsilon_scaling']:.4g}")
    if settings.get("whitening", "none") != "none":  # runs of commit 86df41a's --whitening, since removed
        notes.append(f"{settings['whitening']} whitening")
    return "".join(f", {note}" for note in notes)


TABLE_HEADER = (
    "| dataset | model | discriminative ↓ | C2ST MiniRocket ↓ (floor) | C2ST statistics ↓ (floor) | "
    "predictive ↓ (real data) | correlational ↓ | closest record (copying ≪ 1) | training | machine |\n"
    "|---|---|---|---|---|---|---|---|---|---|"
)


def c2st_cell(tests: dict[str, Any] | None, classifier: str) -> str:
    """`score ± CI (floor)` of one two-sample classifier; the giveaway statistic for the window-statistics one."""
    if tests is None or classifier not in tests["generated"]:
        return "–"
    entry, floor = tests["generated"][classifier], tests["floor"][classifier]
    cell = f"{fmt(entry['mean'], entry['ci95'])} ({fmt(floor['mean'])})"
    top = entry.get("top_features")
    if top and entry["mean"] >= 0.1:
        cell += f"; {top[0]['feature']}: {top[0]['other_median']:.3g} vs {top[0]['real_median']:.3g} real"
    return cell


def record_row(record: dict[str, Any]) -> str:
    scores = record["scores"]
    disc, pred, floor = scores["discriminative"], scores["predictive"], scores["predictive_real_floor"]
    training = (
        f"{record['settings']['max_train_steps']:,} steps × {record['settings']['train_batch_size']}, "
        f"{record['train_seconds'] / 60:.0f} min; sampling {record['sample_seconds'] / 60:.0f} min "
        f"({record['settings']['sampler'].upper()} {record['settings']['num_inference_steps']})"
    )
    tests = scores.get("c2st")
    return (
        f"| {record['dataset']} | {model_label(record)} | {fmt(disc['mean'], disc['ci95'])} | "
        f"{c2st_cell(tests, 'minirocket')} | {c2st_cell(tests, 'features')} | "
        f"{fmt(pred['mean'], pred['ci95'])} ({fmt(floor['mean'], floor['ci95'])}) | "
        f"{fmt(scores['correlational'])} | {memorization_cell(scores.get('memorization'))} | {training} | "
        f"{record['machine']} |"
    )


def memorization_cell(memorization: dict[str, Any] | None) -> str:
    """Closest-record distance ratio and the share of near-copies (about 1 and 5% for a model that does not copy)."""
    if memorization is None:
        return "–"
    return f"{memorization['ratio']:.2f} ({memorization['share_closer_than_real_p5']:.1%} near)"


def published_rows(dataset: str) -> list[str]:
    rows = []
    table = PUBLISHED[dataset]
    floor = table["real data"]["predictive"]
    for name in ("Diffusion-TS", "TimeGAN"):
        values = table[name]
        rows.append(
            f"| {dataset} | {name} (published) | {fmt(*values['discriminative'])} | – | – | "
            f"{fmt(*values['predictive'])} ({fmt(*floor)}) | {fmt(*values['correlational'])} | – | "
            f"published | {PUBLISHED_SOURCE} |"
        )
    return rows


def read_records(path: Path) -> list[dict[str, Any]]:
    return json.loads(path.read_text()) if path.exists() else []


def write_records(path: Path, records: list[dict[str, Any]]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_suffix(".json.tmp")
    temporary.write_text(json.dumps(records, indent=1) + "\n")
    temporary.replace(path)


def append_record(path: Path, record: dict[str, Any]) -> None:
    write_records(path, [*read_records(path), record])


def rescore(args: argparse.Namespace) -> None:
    """Adds the two-sample tests and spread ratios to the newest full run of `--dataset` / `--representation`."""
    path = Path(args.results)
    records = read_records(path)
    matching = [
        r
        for r in records
        if r["dataset"] == args.dataset and r["representation"] == args.representation and not r.get("pilot")
    ]
    if not matching:
        raise SystemExit(f"No full {args.dataset} / {args.representation} run in {path}; run the benchmark first.")
    record = matching[-1]
    saved = Path(record["pipeline"]).parent / "generated.npy"
    if not saved.is_file():
        raise SystemExit(f"{saved} (the run's generated windows) is gone; run the benchmark again.")
    levels = load_levels(args.dataset)
    generated = np.clip(to_unit_range(np.load(saved), levels), 0.0, 1.0)
    record["scores"]["c2st"] = two_sample_tests(real_windows(levels), generated, args.dataset, record["seed"])
    record["scores"]["c2st"]["computed"] = "afterwards, from the run's saved generated.npy (the windows scored)"
    record["scores"]["spread"] = spread_ratios(real_windows(levels), generated, args.dataset)
    write_records(path, records)
    print(TABLE_HEADER)
    print(record_row(record))


def print_table(records: list[dict[str, Any]]) -> None:
    print(TABLE_HEADER)
    for dataset in DATASETS:
        for record in records:
            if record["dataset"] == dataset and not record.get("pilot"):
                print(record_row(record))
        for row in published_rows(dataset):
            print(row)


# ----- command line -----------------------------------------------------------------------------------------------
def parse_arguments(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--dataset", choices=tuple(DATASETS))
    parser.add_argument("--representation", choices=tuple(MODEL_DEFAULTS))
    parser.add_argument("--table", action="store_true", help="Print every recorded result and the published rows.")
    parser.add_argument(
        "--rescore",
        action="store_true",
        help="Add the two-sample tests to the newest run of --dataset / --representation (from its saved windows).",
    )
    parser.add_argument("--output_dir", help="Where the run's model goes (default /tmp/ts_bench/<dataset>-<repr>).")
    parser.add_argument("--pipeline", help="Score an already trained pipeline folder instead of training.")
    parser.add_argument("--threads", type=int, default=1, help="torch threads (1: fastest on a shared 2-core CPU).")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--sample_batch_size", type=int, default=1024)
    parser.add_argument(
        "--num_samples", type=int, help="Pilot: generate this many windows and score them against as many real ones."
    )
    parser.add_argument(
        "--calibrate_epsilon_scaling",
        action="store_true",
        help="Sample with the epsilon scaling that matches the data's one-step changes (overrides --epsilon_scaling).",
    )
    parser.add_argument("--results", default=str(RESULTS), help="JSON file the record is appended to.")
    parser.add_argument("--note", default="", help="Free text stored with the record.")
    for name in sorted({key for settings in MODEL_DEFAULTS.values() for key in settings}):
        value = MODEL_DEFAULTS["scalogram"].get(name, MODEL_DEFAULTS["raw"].get(name))
        help_text = f"Default: the representation's ({value!r} for scalogram)."
        parser.add_argument(f"--{name}", type=type(value), help=help_text)
    args = parser.parse_args(argv)
    if not args.table and (args.dataset is None or args.representation is None):
        parser.error("--dataset and --representation are required (or --table)")
    if args.representation is not None:
        for name, value in MODEL_DEFAULTS[args.representation].items():
            if getattr(args, name) is None:
                setattr(args, name, value)
    return args


def main(argv: list[str] | None = None) -> None:
    args = parse_arguments(argv)
    if args.table:
        print_table(read_records(Path(args.results)))
        return
    if args.rescore:
        rescore(args)
        return
    torch.set_num_threads(args.threads)
    levels = load_levels(args.dataset)
    real = real_windows(levels)
    expected = DATASETS[args.dataset].num_windows
    if len(real) != expected:
        raise RuntimeError(f"{args.dataset}: {len(real)} windows, the protocol has {expected}; is the CSV unmodified?")
    output_dir = Path(args.output_dir or f"/tmp/ts_bench/{args.dataset}-{args.representation}")
    command = " ".join(["python", "benchmarks/bench_protocol.py", *(argv if argv is not None else sys.argv[1:])])
    print(f"{command}\nmachine: {machine()}", flush=True)

    # 1. Train (or reuse a trained pipeline).
    if args.pipeline:
        pipeline_path, train_seconds, train_windows = Path(args.pipeline), float("nan"), len(real)
    else:
        pipeline_path, train_seconds, train_windows = train_model(args, output_dir)
        torch.set_num_threads(args.threads)
        if train_windows != expected:
            raise RuntimeError(f"training saw {train_windows} windows, the protocol has {expected}")
    print(f"trained in {train_seconds / 60:.1f} min -> {pipeline_path}", flush=True)

    # 2. Sample as many windows as the real set has (a pilot: fewer, scored against as many random real ones).
    if args.num_samples:
        real = real[np.sort(np.random.default_rng(1).choice(len(real), args.num_samples, replace=False))]
    from ts_diffusion_wavelet import load_pipeline

    pipe = load_pipeline(pipeline_path)
    calibration = None
    if args.calibrate_epsilon_scaling:
        calibration = calibrate(args, pipe, levels)
    series, sample_seconds = sample_series(args, pipe, len(real))
    np.save(pipeline_path.parent / "generated.npy", series)

    # 3. Map to [0, 1] with the whole-series range, clip (recording how much was outside), score.
    unit = to_unit_range(series, levels)
    outside = float(np.mean((unit < 0) | (unit > 1)))
    generated = np.clip(unit, 0.0, 1.0)
    scores = score(real, generated, args.dataset, args.seed)
    record = {
        "dataset": args.dataset,
        "representation": args.representation,
        "pilot": bool(args.num_samples),
        "num_real_windows": len(real),
        "num_generated_windows": len(generated),
        "settings": {name: getattr(args, name) for name in MODEL_DEFAULTS[args.representation]},
        **({} if calibration is None else {"epsilon_scaling_calibration": calibration}),
        "seed": args.seed,
        "train_seconds": train_seconds,
        "sample_seconds": sample_seconds,
        "generated_outside_unit_range": outside,
        "scalogram_round_trip_db": scalogram_round_trip_db(pipe, real),
        "scores": scores,
        "machine": machine(),
        "command": command,
        "pipeline": str(pipeline_path),
        "note": args.note,
        "finished": datetime.now(timezone.utc).isoformat(timespec="seconds"),
    }
    append_record(Path(args.results), record)
    print(TABLE_HEADER)
    print(record_row(record))
    for row in published_rows(args.dataset):
        print(row)
    print(
        f"generated values outside [0, 1] before clipping: {outside:.2%}; "
        f"scoring took {scores['scoring_seconds'] / 60:.1f} min; record appended to {args.results}"
    )


if __name__ == "__main__":
    main()
