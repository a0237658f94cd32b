"""Long windows: the scalogram and the raw representation at equal training wall-clock, judged strictly.

    python benchmarks/bench_long.py --dataset eurusd --minutes 15      # both representations, 15 minutes each
    python benchmarks/bench_long.py --dataset etth --minutes 15
    python benchmarks/bench_long.py --table                            # every recorded run and judgement
    python benchmarks/bench_long.py --dataset eurusd --judge samples.csv --note "default job, 3,000 steps"

For each representation (the package's defaults for it, batch 32, lr 5e-4): a short timing run measures the seconds
per optimizer step on this machine, the step count is set so that training takes `--minutes`, and the package's own
`train()` runs. Then `--num_samples` windows are generated with the saved sampler (DPM-Solver++, 25 steps) and
judged against the real training windows (training period, the run's stride), all in the same run:

- the classifier two-sample tests (`c2st_scores`: MiniRocket, window statistics; time-blocked split, 5 repeats) with
  their real-vs-real floor, and the GRU discriminative score (500 iterations, 3 repeats);
- for returns (EUR/USD, log-returns): the std ratio, ACF(r, 1), the mean |window drift| ratio, pooled excess kurtosis
  and ACF(|r|) at lags 1-10 against the real windows'; for levels (ETTh1): per-channel increment std ratios;
- for scalograms: the consistency SNR of the images the pipeline returns (image against `to_image(from_image(image))`)
  and of the UNet's own output image at the last denoising step (what the inverse would have to discard);
- training and sampling wall time, and each as a ratio to the raw model's measured in the same invocation.

`--judge FILE` scores windows generated elsewhere (generate.py's output) with the same judges and facts, without
training, and appends them with `--note` (what model and commands made them) to `results/judged.json`.

Data: EUR/USD, the bundled data (1999-2026), log-returns, window 256, stride 1; ETTh1 (`benchmarks/data`), the 7
columns standardised, window 256, stride 1. Both split by time (the last 10% held out, not used here).
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import numpy as np
import torch
from conditional_tasks import append_record, machine

ROOT = Path(__file__).resolve().parent
RESULTS = ROOT / "results" / "long.json"
JUDGED = ROOT / "results" / "judged.json"
DATASETS: dict[str, dict[str, Any]] = {
    "eurusd": {"data": "eurusd", "target_transform": "log_return", "returns": "log"},
    "etth": {
        "data": str(ROOT / "data" / "ETTh1.csv"),
        "time_column": "date",
        "target_transform": "none",
        "returns": None,
    },
}
COMMON = {"window_size": 256, "stride": 1, "train_batch_size": 32, "learning_rate": 5e-4, "lr_warmup_steps": 200}
REPRESENTATIONS = ("raw", "scalogram")
NUM_INFERENCE_STEPS = 25
TIMING_STEPS, TIMING_WARMUP = 12, 3


def options(dataset: str, representation: str, output_dir: Path, steps: int) -> list[str]:
    spec = {k: v for k, v in DATASETS[dataset].items() if k != "returns"}
    values = {
        **spec,
        **COMMON,
        "representation": representation,
        "max_train_steps": steps,
        "output_dir": str(output_dir),
        "overwrite_output_dir": "true",
        "logger": "none",
        "validation_steps": 0,
        "checkpointing_steps": 10**9,
    }
    argv = []
    for name, value in values.items():
        argv += [f"--{name}", str(value)]
    return argv


def seconds_per_step(dataset: str, representation: str) -> float:
    """Seconds per optimizer step of this configuration on this machine (a few steps after warm-up)."""
    from ts_diffusion_wavelet.training import parse_config
    from ts_diffusion_wavelet.training.loop import advance, prepare_run, train_step

    with tempfile.TemporaryDirectory() as folder:
        run = prepare_run(parse_config(options(dataset, representation, Path(folder), 10**6)))
        run.sampler.set_epoch(0)
        batches = iter(run.loader)
        for step in range(TIMING_WARMUP + TIMING_STEPS):
            if step == TIMING_WARMUP:
                started = time.perf_counter()
            train_step(run, next(batches))
            advance(run)
    return (time.perf_counter() - started) / TIMING_STEPS


def real_windows(dataset: str) -> tuple[np.ndarray, list[str], np.ndarray]:
    """
    Windows `[N, 256, C]` of the training period in the data's units, stride 1, in time order; their channel names
    and the training period's series `[T, C]`.
    """
    from ts_diffusion_wavelet import prepare_windows
    from ts_diffusion_wavelet.evaluation import sliding_windows

    spec = DATASETS[dataset]
    data = prepare_windows(
        spec["data"],
        time_column=spec.get("time_column", "auto"),
        target_transform=spec["target_transform"],
        window_size=COMMON["window_size"],
        stride=COMMON["stride"],
    )
    last = data.train.window_start(len(data.train) - 1) + data.preprocessor.lag + COMMON["window_size"]
    levels = data.frame.to_numpy(np.float64)[:last]
    return sliding_windows(levels, COMMON["window_size"], COMMON["stride"]), list(data.channel_names), levels


def sample(pipeline_path: Path, count: int, seed: int) -> dict[str, Any]:
    """
    Generated windows in the data's units and the sampling time; for scalograms also the consistency of the returned
    images and of the UNet's own output image at the last denoising step (first batch).
    """
    from ts_diffusion_wavelet import load_pipeline

    pipe = load_pipeline(pipeline_path)
    pipe.set_progress_bar_config(disable=True)
    representation = pipe.representation
    unet_outputs: list[torch.Tensor] = []
    if representation.has_images:  # keep the UNet's last output image (before the inverse)
        original = representation.model_output

        def keep_output(output: torch.Tensor) -> torch.Tensor:
            unet_outputs[:] = [output]
            return original(output)

        representation.model_output = keep_output
    parts, images, started = [], None, time.perf_counter()
    for first in range(0, count, 256):
        size = min(256, count - first)
        generator = torch.Generator().manual_seed(seed * 10**6 + first)
        wants_images = representation.has_images and first == 0
        output = pipe(size, NUM_INFERENCE_STEPS, generator=generator, return_scalograms=wants_images)
        parts.append(output.series)
        if wants_images:
            images, last_output = torch.from_numpy(output.scalograms), unet_outputs[0]
    result: dict[str, Any] = {"windows": np.concatenate(parts), "seconds": time.perf_counter() - started}
    if images is not None:
        result["consistency_db_returned_images"] = representation.consistency_db(images)
        result["consistency_db_unet_output"] = representation.consistency_db(representation.output_images(last_output))
    return result


def _acf(x: np.ndarray, lag: int) -> float:
    centred = x - x.mean(axis=1, keepdims=True)
    return float((centred[:, lag:] * centred[:, :-lag]).sum() / (centred**2).sum())


def return_facts(real: np.ndarray, generated: np.ndarray) -> dict[str, Any]:
    """The issue's acceptance numbers for windows of returns `[N, L]`."""

    def kurtosis(x: np.ndarray) -> float:
        z = (x - x.mean()) / x.std()
        return float((z**4).mean() - 3)

    return {
        "std_ratio": float(generated.std() / real.std()),
        "acf_r_lag1": _acf(generated, 1),
        "acf_r_lag1_real": _acf(real, 1),
        "drift_ratio": float(np.abs(generated.sum(axis=1)).mean() / np.abs(real.sum(axis=1)).mean()),
        "excess_kurtosis": kurtosis(generated),
        "excess_kurtosis_real": kurtosis(real),
        "acf_abs_r_lags_1_10": [_acf(np.abs(generated), lag) for lag in range(1, 11)],
        "acf_abs_r_lags_1_10_real": [_acf(np.abs(real), lag) for lag in range(1, 11)],
        # How far the spread of volatility across windows is kept: per-window std quantiles, generated / real.
        "window_std_quantile_ratios": {
            f"q{q:02d}": float(np.percentile(generated.std(axis=1), q) / np.percentile(real.std(axis=1), q))
            for q in (5, 50, 95)
        },
        # How persistent volatility is inside a window: correlation of log std of 32-step segments 32 steps apart.
        "volatility_coherence_32": _segment_std_correlation(generated, 32),
        "volatility_coherence_32_real": _segment_std_correlation(real, 32),
    }


def _segment_std_correlation(returns: np.ndarray, segment: int) -> float:
    count = returns.shape[1] // segment
    log_std = np.log(returns[:, : count * segment].reshape(len(returns), count, segment).std(axis=2) + 1e-12)
    return float(np.corrcoef(log_std[:, :-1].ravel(), log_std[:, 1:].ravel())[0, 1])


def judge(real: np.ndarray, generated: np.ndarray, names: list[str], returns: str | None, seed: int) -> dict[str, Any]:
    from ts_diffusion_wavelet.evaluation import c2st_scores, discriminative_scores, to_returns

    real_input, generated_input = to_returns(real, returns), to_returns(generated, returns)
    tests = c2st_scores(real_input, {"generated": generated_input}, channel_names=names, seed=seed)
    gru = discriminative_scores(real_input, {"generated": generated_input}, iterations=500, repeats=3, seed=seed)
    out: dict[str, Any] = {"c2st": tests, "gru_discriminative": gru["generated"]}
    if returns is not None:
        out["returns"] = return_facts(real_input[..., 0], generated_input[..., 0])
    else:
        ratios = np.diff(generated, axis=1).std(axis=(0, 1)) / np.diff(real, axis=1).std(axis=(0, 1))
        out["increment_std_ratio"] = dict(zip(names, ratios.tolist(), strict=True))
    return out


def run_one(args: argparse.Namespace, representation: str, folder: Path) -> dict[str, Any]:
    from ts_diffusion_wavelet.training import parse_config
    from ts_diffusion_wavelet.training.loop import train

    step_seconds = seconds_per_step(args.dataset, representation)
    steps = max(50, int(args.minutes * 60 / step_seconds))
    print(f"{representation}: {step_seconds:.3f} s/step -> {steps} steps for {args.minutes} min", flush=True)
    started = time.perf_counter()
    pipeline_path = train(parse_config(options(args.dataset, representation, folder / representation, steps)))
    train_seconds = time.perf_counter() - started
    generated = sample(pipeline_path, args.num_samples, args.seed)
    real, names, _ = real_windows(args.dataset)
    scores = judge(real, generated["windows"], names, DATASETS[args.dataset]["returns"], args.seed)
    np.save(Path(pipeline_path).parent / "generated.npy", generated["windows"])
    return {
        "representation": representation,
        "seconds_per_step": step_seconds,
        "steps": steps,
        "train_seconds": train_seconds,
        "sample_seconds": generated["seconds"],
        "consistency_db_returned_images": generated.get("consistency_db_returned_images"),
        "consistency_db_unet_output": generated.get("consistency_db_unet_output"),
        "scores": scores,
        "pipeline": str(pipeline_path),
    }


def run_garch_reference(args: argparse.Namespace) -> dict[str, Any]:
    """A GARCH(1,1)-t fitted to the training returns, judged like the models (the reference row for returns)."""
    from ts_diffusion_wavelet.evaluation import make_baselines

    real, names, levels = real_windows(args.dataset)
    started = time.perf_counter()
    baselines, _ = make_baselines(
        real, args.num_samples, DATASETS[args.dataset]["returns"], levels, names=("garch",), seed=args.seed
    )
    fit_seconds = time.perf_counter() - started
    scores = judge(real, baselines["garch"], names, DATASETS[args.dataset]["returns"], args.seed)
    return {
        "representation": "garch (reference)",
        "seconds_per_step": None,
        "steps": 0,
        "train_seconds": fit_seconds,
        "sample_seconds": 0.0,
        "consistency_db_returned_images": None,
        "consistency_db_unet_output": None,
        "scores": scores,
        "pipeline": None,
    }


def print_judgement(args: argparse.Namespace) -> None:
    """Judge `--judge` windows against the dataset's real training windows, print and record the result."""
    from ts_diffusion_wavelet import load_generated

    generated, _ = load_generated(args.judge)
    real, names, _ = real_windows(args.dataset)
    scores = judge(real, generated, names, DATASETS[args.dataset]["returns"], args.seed)
    for classifier in ("minirocket", "features"):
        entry, floor = scores["c2st"]["generated"][classifier], scores["c2st"]["real_vs_real"][classifier]
        print(f"C2ST {classifier}: {fmt(entry['mean'])} ± {fmt(entry['ci95'])} (floor {fmt(floor['mean'])})")
    print(f"GRU discriminative: {fmt(scores['gru_discriminative']['mean'])}")
    facts = scores.get("returns") or scores["increment_std_ratio"]
    print(json.dumps(facts, indent=1))
    record = {
        "dataset": args.dataset,
        "judged": str(args.judge),
        "num_windows": len(generated),
        "note": args.note,
        "scores": scores,
        "machine": machine(),
        "command": f"python benchmarks/bench_long.py --dataset {args.dataset} --judge {args.judge}",
        "finished": datetime.now(timezone.utc).isoformat(timespec="seconds"),
    }
    append_record(Path(args.judged_results), record)
    print(f"recorded in {args.judged_results}")


def print_judged_rows(records: list[dict[str, Any]]) -> None:
    """One row per recorded `--judge` run: the judges and, for returns, the facts the README's tables quote."""
    print(
        "| dataset | windows (note) | C2ST MiniRocket (floor) | C2ST statistics (floor) | GRU disc. | std ratio | "
        "window std q5 / q50 / q95 | persistence (real) | kurtosis (real) | ACF(\\|r\\|) 1-10 > 0 | finished |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    for record in records:
        scores, tests = record["scores"], record["scores"]["c2st"]
        cells = [
            f"{fmt(tests['generated'][c]['mean'])} ± {fmt(tests['generated'][c]['ci95'])} "
            f"({fmt(tests['real_vs_real'][c]['mean'])})"
            for c in ("minirocket", "features")
        ]
        facts = scores.get("returns")
        if facts:
            quantiles = facts["window_std_quantile_ratios"]
            fact_cells = [
                fmt(facts["std_ratio"], 2),
                " / ".join(fmt(quantiles[q], 2) for q in ("q05", "q50", "q95")),
                f"{fmt(facts['volatility_coherence_32'], 2)} ({fmt(facts['volatility_coherence_32_real'], 2)})",
                f"{fmt(facts['excess_kurtosis'], 2)} ({fmt(facts['excess_kurtosis_real'], 2)})",
                "yes" if min(facts["acf_abs_r_lags_1_10"]) > 0 else "no",
            ]
        else:
            ratios = scores["increment_std_ratio"].values()
            fact_cells = [f"increments {min(ratios):.2f}-{max(ratios):.2f}", "–", "–", "–", "–"]
        print(
            f"| {record['dataset']} | {record['num_windows']} ({record['note'] or record['judged']}) | "
            f"{' | '.join(cells)} | {fmt(scores['gru_discriminative']['mean'])} | {' | '.join(fact_cells)} | "
            f"{record['finished'][:10]} |"
        )


def fmt(value: float | None, digits: int = 3) -> str:
    return "–" if value is None else f"{value:.{digits}f}"


def print_rows(record: dict[str, Any]) -> None:
    runs = {run["representation"]: run for run in record["runs"]}
    raw = runs.get("raw")
    print(
        "| dataset | representation | steps (train time) | C2ST MiniRocket (floor) | C2ST statistics (floor) | "
        "GRU disc. | std ratio | ACF(r,1) | drift ratio | kurtosis (real) | ACF(\\|r\\|) 1-10 > 0 | "
        "consistency dB (returned / UNet) | sampling | vs raw: train, sampling |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|")
    for name, run in runs.items():
        scores = run["scores"]
        tests = scores["c2st"]
        cells = []
        for classifier in ("minirocket", "features"):
            entry, floor = tests["generated"].get(classifier), tests["real_vs_real"].get(classifier)
            cells.append(
                "–" if entry is None else f"{fmt(entry['mean'])} ± {fmt(entry['ci95'])} ({fmt(floor['mean'])})"
            )
        facts = scores.get("returns")
        if facts:
            fact_cells = [
                fmt(facts["std_ratio"], 2),
                fmt(facts["acf_r_lag1"]),
                fmt(facts["drift_ratio"], 2),
                f"{fmt(facts['excess_kurtosis'], 2)} ({fmt(facts['excess_kurtosis_real'], 2)})",
                "yes" if min(facts["acf_abs_r_lags_1_10"]) > 0 else "no",
            ]
        else:
            ratios = scores["increment_std_ratio"].values()
            fact_cells = [f"increments {min(ratios):.2f}-{max(ratios):.2f}", "–", "–", "–", "–"]
        versus = "1.00x, 1.00x" if name == "raw" else "–"
        if raw is not None and run["pipeline"] is not None and name != "raw":
            train_ratio = run["train_seconds"] / raw["train_seconds"]
            versus = f"{train_ratio:.2f}x, {run['sample_seconds'] / raw['sample_seconds']:.2f}x"
        consistency = f"{fmt(run['consistency_db_returned_images'], 1)} / {fmt(run['consistency_db_unet_output'], 1)}"
        print(
            f"| {record['dataset']} | {name} | {run['steps']:,} ({run['train_seconds'] / 60:.1f} min) | "
            f"{' | '.join(cells)} | {fmt(scores['gru_discriminative']['mean'])} | {' | '.join(fact_cells)} | "
            f"{consistency} | {run['sample_seconds']:.0f} s for {record['num_samples']} | {versus} |"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--dataset", choices=tuple(DATASETS))
    parser.add_argument("--minutes", type=float, default=15.0, help="Training wall-clock per representation.")
    parser.add_argument("--num_samples", type=int, default=512)
    parser.add_argument("--representations", nargs="+", choices=REPRESENTATIONS, default=list(REPRESENTATIONS))
    parser.add_argument("--output_dir", default="/tmp/ts_bench/long", help="Where the trained pipelines go.")
    parser.add_argument("--threads", type=int, default=None, help="torch threads (default: torch's).")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--table", action="store_true", help="Print every recorded run.")
    parser.add_argument(
        "--judge", help="Judge these generated windows (generate.py's output) the same way, without training."
    )
    parser.add_argument("--note", default="", help="With --judge: what made the windows (model, commands).")
    parser.add_argument("--results", default=str(RESULTS))
    parser.add_argument("--judged_results", default=str(JUDGED), help="Where --judge records go.")
    args = parser.parse_args()
    path = Path(args.results)
    records = json.loads(path.read_text()) if path.exists() else []
    if args.table:
        for record in records:
            print(f"\n{record['command']} ({record['machine']}, {record['finished']})")
            print_rows(record)
        judged = Path(args.judged_results)
        if judged.exists():
            print("\nJudged windows (--judge):")
            print_judged_rows(json.loads(judged.read_text()))
        return
    if args.dataset is None:
        parser.error("--dataset is required (or --table)")
    if args.threads:
        torch.set_num_threads(args.threads)
    if args.judge:
        print_judgement(args)
        return
    folder = Path(args.output_dir) / args.dataset
    runs = [run_one(args, representation, folder) for representation in args.representations]
    if DATASETS[args.dataset]["returns"] is not None:
        runs.append(run_garch_reference(args))
    record = {
        "dataset": args.dataset,
        "minutes": args.minutes,
        "num_samples": args.num_samples,
        "runs": runs,
        "machine": machine(),
        "command": "python benchmarks/bench_long.py "
        + " ".join(f"--{k} {v}" for k, v in (("dataset", args.dataset), ("minutes", args.minutes)))
        + (f" --threads {args.threads}" if args.threads else ""),
        "finished": datetime.now(timezone.utc).isoformat(timespec="seconds"),
    }
    append_record(path, record)
    print_rows(record)


if __name__ == "__main__":
    main()
