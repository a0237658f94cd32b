"""Forecasting on ETTh1's test part, horizon 24: CRPS, MAE and MASE against seasonal naive, AutoETS and AutoARIMA.

    python benchmarks/bench_forecast.py                                          # baselines only
    python benchmarks/bench_forecast.py --model outputs/etth96/pipeline # with the diffusion rows
    python benchmarks/bench_forecast.py --model A B --num_samples 16              # two models' samples pooled
    python benchmarks/bench_forecast.py --table                                  # every recorded run

Rolling origins over the test part (the last 20% of ETTh1's rows, never seen in training; see
`conditional_tasks.test_start`): an origin every 24 hours from the first test row, each forecasting the next 24 hours
of all 7 columns (`--origins N` keeps N of them, evenly spaced, to cap CPU time). Scores over all origins, hours and
columns:

- MAE of the point forecast (the samples' median; the mean for AutoETS/AutoARIMA, whose intervals are symmetric);
- MASE: each column's MAE divided by the mean absolute seasonal-naive (24 h) error on the training part, averaged
  over the columns;
- CRPS: each method's forecast distribution scored on the same footing: for the diffusion model the fair (unbiased)
  estimate from its k samples (`conditional_tasks.fair_crps_from_samples`; the CRPS of the k samples as they are,
  higher by about half their mean pairwise distance over k, is kept as `CRPS_ensemble`); for AutoETS/AutoARIMA,
  whose prediction intervals are Gaussian, the exact Gaussian CRPS of the mean and standard deviation their 10-90%
  intervals give (`conditional_tasks.gaussian_crps`); for seasonal naive (a point forecast) the MAE;
- qCRPS: the literature's quantile approximation for every method: twice the mean pinball loss over the 19 quantiles
  0.05, ..., 0.95 (`conditional_tasks.crps_from_quantiles`; the interval models' from their intervals with the mean as
  the median, the diffusion model's from its samples' empirical quantiles). It leaves out the outer 5% tails and reads
  about 5% above the CRPS for a calibrated Gaussian.

Under the table, each diffusion row's CRPS over the best baseline's, with a 90% interval from a paired bootstrap over
the origins in blocks of a week (`conditional_tasks.paired_ratio_interval`): how much the verdict depends on which
origins were scored. `--save_samples FILE.npy` keeps the diffusion samples, to score them again without sampling.

Older records (no `crps` key) scored CRPS differently: the k samples as they are for the diffusion rows,
the 19-quantile approximation for the interval models; `--table` says so above them.

MAE and CRPS are in standardised units (each column's error divided by its training-part standard deviation, then
averaged over the columns); the JSON record keeps per-column figures in data units.

Baselines, measured in the same run: "seasonal naive", the last 24 hours repeated; "AutoETS" and "AutoARIMA"
(statsforecast, `season_length=24`) and "AutoETS seasonal" (`model="ZZA"`: AutoETS's own choice is a non-seasonal
ETS(A,N,N) on every column), each fitted once per column on the last `--history` hours of the training part
(model selection and parameters) and applied at every origin to the `--history` hours before it with the model's
`forward` (no refit: refitting AutoARIMA with a 24 h season per origin takes minutes per origin on a CPU).

The diffusion rows (`--model`): `pipe.forecast(context, 24, num_samples, ...)` with the `--window - 24` hours before
the origin as context. The model is the package's raw UNet trained on the first 80% of the rows:

    PYTHONPATH=$PWD OMP_NUM_THREADS=1 python train.py --data benchmarks/data/ETTh1.csv --time_column date \\
        --target_transform none --scaling standard --window_size 96 --stride 1 --validation_fraction 0.2 \\
        --max_train_steps 3000 --output_dir outputs/etth96 --logger none
"""

from __future__ import annotations

import argparse
import os
import time
import warnings
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import numpy as np
from conditional_tasks import (
    QUANTILE_LEVELS,
    SEASON,
    add_sampling_options,
    crps_from_quantiles,
    crps_from_samples,
    fair_crps_from_samples,
    gaussian_crps,
    gaussian_from_quantiles,
    load_etth1,
    machine,
    paired_ratio_interval,
    ratio_table,
    run_or_print_table,
    sampling_flags,
    sampling_options,
    seasonal_scale,
    test_start,
)
from tqdm.auto import tqdm

from ts_diffusion_wavelet.atomic import atomic_file

ROOT = Path(__file__).resolve().parent
RESULTS = ROOT / "results" / "forecast.json"
HORIZON = 24
BASELINES = ["seasonal naive", "AutoETS", "AutoETS seasonal", "AutoARIMA"]
STATISTICAL = {  # name -> (statsforecast class, extra arguments)
    "AutoETS": ("AutoETS", {}),
    # AutoETS's AICc picks a non-seasonal ETS(A,N,N) on every ETTh1 column; "ZZA" forces an additive season
    "AutoETS seasonal": ("AutoETS", {"model": "ZZA"}),
    "AutoARIMA": ("AutoARIMA", {}),
}
CRPS_DEFINITION = "fair estimate from samples; exact Gaussian CRPS for interval models; MAE for point forecasts"
OLD_CRPS_DEFINITION = (
    "the k samples as they are; the 19-quantile approximation for interval models (records without a `crps` key)"
)
INTERVAL_LEVELS = (10, 20, 30, 40, 50, 60, 70, 80, 90)  # -> QUANTILE_LEVELS with the mean as the median


def origins(num_rows: int, start: int, cap: int | None) -> np.ndarray:
    """Every 24th row from `start` that leaves a full horizon; `cap` of them evenly spaced when given."""
    every = np.arange(start, num_rows - HORIZON + 1, HORIZON)
    if cap is not None and cap < len(every):
        every = every[np.unique(np.linspace(0, len(every) - 1, cap).round().astype(int))]
    return every


def seasonal_naive(series: np.ndarray, origin: int) -> np.ndarray:
    """`[1, 24, channels]`: the 24 hours before the origin, repeated."""
    return series[origin - SEASON : origin][None]


def interval_quantiles(forecast: dict[str, np.ndarray]) -> np.ndarray:
    """`[19, horizon]` quantiles at `QUANTILE_LEVELS` from statsforecast's `lo-L`/`hi-L` intervals and the mean."""
    lower = [forecast[f"lo-{level}"] for level in sorted(INTERVAL_LEVELS, reverse=True)]  # 0.05 ... 0.45
    upper = [forecast[f"hi-{level}"] for level in sorted(INTERVAL_LEVELS)]  # 0.55 ... 0.95
    return np.stack([*lower, forecast["mean"], *upper])


class StatisticalModel:
    """One statsforecast model per column, fitted once on training data, applied at each origin with `forward`."""

    def __init__(self, name: str, series: np.ndarray, train_end: int, history: int) -> None:
        import statsforecast.models

        kind, options = STATISTICAL[name]
        self.history = history
        self.models = []
        for column in range(series.shape[1]):
            model = getattr(statsforecast.models, kind)(season_length=SEASON, **options)
            model.fit(series[train_end - history : train_end, column])
            self.models.append(model)

    def quantiles(self, series: np.ndarray, origin: int) -> np.ndarray:
        """`[19, 24, channels]` quantiles of the forecast from `origin`."""
        columns = []
        for column, model in enumerate(self.models):
            past = series[origin - self.history : origin, column]
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                forecast = model.forward(y=past, h=HORIZON, level=list(INTERVAL_LEVELS))
            columns.append(interval_quantiles(forecast))
        return np.stack(columns, axis=-1)


def score(kind: str, outputs: np.ndarray, truth: np.ndarray, std: np.ndarray, scale: np.ndarray) -> dict[str, Any]:
    """
    Scores of `outputs` against `truth` `[origins, 24, channels]`: `kind` is "samples" (`[origins, k, 24, C]`) or
    "quantiles" (`[origins, 19, 24, C]` at `QUANTILE_LEVELS`, of a Gaussian forecast).

    CRPS estimates the CRPS of each method's forecast distribution the same way for every kind: the fair estimate from
    k >= 2 samples, the exact Gaussian CRPS from the quantiles, the absolute error of a point forecast (k = 1).
    Sample rows also keep `CRPS_ensemble`, the CRPS of their k samples as they are (higher by `E|X - X'| / (2k)`).
    """
    levels = np.asarray(QUANTILE_LEVELS)
    extra: dict[str, Any] = {}
    if kind == "samples":
        point = np.median(outputs, axis=1)
        ensemble = np.stack([crps_from_samples(s, t) for s, t in zip(outputs, truth, strict=True)])
        crps = ensemble
        if outputs.shape[1] > 1:
            crps = np.stack([fair_crps_from_samples(s, t) for s, t in zip(outputs, truth, strict=True)])
            extra["CRPS_ensemble"] = float((ensemble.mean(axis=(0, 1)) / std).mean())
        quantiles = np.quantile(outputs, levels, axis=1).swapaxes(0, 1)
    else:
        point = outputs[:, list(levels).index(0.5)]
        quantiles = outputs
        mean, sigma = gaussian_from_quantiles(outputs.swapaxes(0, 1), QUANTILE_LEVELS)
        crps = gaussian_crps(mean, sigma, truth)
    qcrps = np.stack([crps_from_quantiles(q, t, QUANTILE_LEVELS) for q, t in zip(quantiles, truth, strict=True)])
    mae = np.abs(point - truth).mean(axis=(0, 1))
    crps_c, qcrps_c = crps.mean(axis=(0, 1)), qcrps.mean(axis=(0, 1))
    return {
        "MAE": float((mae / std).mean()),
        "MASE": float((mae / scale).mean()),
        "CRPS": float((crps_c / std).mean()),
        "qCRPS": float((qcrps_c / std).mean()),
        **extra,
        "MAE_per_column": mae.round(5).tolist(),
        "MASE_per_column": (mae / scale).round(4).tolist(),
        "CRPS_per_column": crps_c.round(5).tolist(),
        # standardised CRPS of each origin (mean over hours and columns): paired comparisons between methods
        "CRPS_per_origin": (crps / std).mean(axis=(1, 2)).round(5).tolist(),
    }


def run(args: argparse.Namespace) -> dict[str, Any]:
    frame = load_etth1()
    series = frame.to_numpy()
    start = test_start(len(series))
    train = series[:start]
    std, scale = train.std(axis=0), seasonal_scale(train)
    starts = origins(len(series), start, args.origins)
    truth = np.stack([series[o : o + HORIZON] for o in starts])
    methods: dict[str, Any] = {
        "seasonal naive": ("samples", lambda o: seasonal_naive(series, o)),
    }
    fit_seconds: dict[str, float] = {}
    for name in STATISTICAL:
        if name in args.skip:
            continue
        started = time.perf_counter()
        model = StatisticalModel(name, series, start, args.history)
        fit_seconds[name] = time.perf_counter() - started
        methods[name] = ("quantiles", lambda o, model=model: model.quantiles(series, o))
    if args.model:
        from ts_diffusion_wavelet import load_pipeline, pool_forecasts, pooled_seeds

        pipes = [load_pipeline(model) for model in args.model]
        for pipe in pipes:  # one bar over the origins below instead of one per forecast
            pipe.set_progress_bar_config(disable=True)
        context = args.window - HORIZON

        def diffusion(origin: int) -> np.ndarray:
            # Several models: each forecasts --num_samples from the same context, from its own noise, and the
            # samples are pooled.
            results = [
                pipe.forecast(
                    series[origin - context : origin],
                    HORIZON,
                    args.num_samples,
                    **sampling_options(args, "forecast"),
                    seed=seed,
                )
                for pipe, seed in zip(pipes, pooled_seeds(args.seed + origin, len(pipes)), strict=True)
            ]
            return np.asarray(pool_forecasts(results).samples)

        methods["diffusion"] = ("samples", diffusion)
    rows = []
    for name, (kind, method) in methods.items():
        started = time.perf_counter()
        outputs = np.stack([method(int(o)) for o in tqdm(starts, desc=name, disable=name != "diffusion")])
        seconds = time.perf_counter() - started + fit_seconds.get(name, 0.0)
        if name == "diffusion" and args.save_samples:
            save_samples(Path(args.save_samples), outputs)
        row = {"method": name, **score(kind, outputs, truth, std, scale), "seconds": round(seconds, 2)}
        rows.append(row)
        print(f"{name}: MAE {row['MAE']:.4f} MASE {row['MASE']:.4f} CRPS {row['CRPS']:.4f} ({seconds:.1f} s)")
    command = "python benchmarks/bench_forecast.py" + (
        f" --model {' '.join(args.model)} --num_samples {args.num_samples} {sampling_flags(args, 'forecast')}"
        if args.model
        else ""
    )
    if args.origins is not None:
        command += f" --origins {args.origins}"
    if args.skip:
        command += " --skip " + " ".join(f'"{name}"' if " " in name else name for name in args.skip)
    if args.window != 96 and args.model:
        command += f" --window {args.window}"
    if args.history != 28 * SEASON:
        command += f" --history {args.history}"
    return {
        "task": "forecast",
        "data": "ETTh1 test part (last 20% of rows), 7 columns, horizon 24",
        "units": "MAE/CRPS: standardised (per-column error / training std, mean over columns); *_per_column: data "
        "units; MASE: seasonal (24) naive scale of the training part",
        "columns": list(frame.columns),
        "origins": len(starts),
        "history": args.history,
        "seed": args.seed,
        "crps": CRPS_DEFINITION,
        "rows": rows,
        "machine": machine(),
        "command": command + f" --seed {args.seed}",
        "finished": datetime.now(timezone.utc).isoformat(timespec="seconds"),
    }


def check_samples_path(parser: argparse.ArgumentParser, args: argparse.Namespace) -> None:
    """Refuse a `--save_samples` that could not be written before an hour of sampling, not after it."""
    path = Path(args.save_samples)
    if not args.model:
        parser.error("--save_samples keeps the diffusion samples: it needs --model.")
    if path.suffix != ".npy":
        parser.error(f"--save_samples must name a .npy file, got {str(path)!r}.")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        parser.error(f"--save_samples: cannot create the folder {str(path.parent)!r} ({error.strerror}).")
    if not os.access(path.parent, os.W_OK):
        parser.error(f"--save_samples: the folder {str(path.parent)!r} is not writable; choose another path.")


def save_samples(path: Path, samples: np.ndarray) -> None:
    """The diffusion samples `[origins, k, 24, channels]` (data units) as .npy, written whole or not at all."""
    # through a handle: np.save given the temporary's path would append ".npy" to its name
    with atomic_file(path) as temporary, temporary.open("wb") as handle:
        np.save(handle, samples)
    print(f"Saved the diffusion samples {samples.shape} to {path}")


def paired_comparison(rows: list[dict[str, Any]]) -> str:
    """
    Each non-baseline row's CRPS over the best baseline's, with the 90% interval of a bootstrap over origins in
    blocks of a week (`conditional_tasks.paired_ratio_interval`); empty for records without per-origin CRPS.
    """
    baselines = [r for r in rows if r["method"] in BASELINES and "CRPS_per_origin" in r]
    if not baselines:
        return ""
    best = min(baselines, key=lambda r: r["CRPS"])
    lines = []
    for row in rows:
        if row["method"] in BASELINES or "CRPS_per_origin" not in row:
            continue
        ratio, low, high = paired_ratio_interval(row["CRPS_per_origin"], best["CRPS_per_origin"])
        lines.append(
            f"{row['method']} / {best['method']}: CRPS ratio {ratio:.3f}, 90% interval {low:.3f}-{high:.3f} "
            "(paired bootstrap over origins in blocks of 7)"
        )
    return "\n".join(lines)


def print_record(record: dict[str, Any]) -> None:
    print(f"\n{record['command']} ({record['machine']}, {record['finished']}; {record['origins']} origins)")
    print(f"CRPS: {record.get('crps', OLD_CRPS_DEFINITION)}\n")
    baselines = [r["method"] for r in record["rows"] if r["method"] in BASELINES]
    print(ratio_table(record["rows"], ["CRPS", "qCRPS", "MAE", "MASE"], baselines))
    comparison = paired_comparison(record["rows"])
    if comparison:
        print("\n" + comparison)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--model",
        nargs="+",
        help="Saved pipeline folders: add the diffusion rows (without: baselines only); several pool their samples.",
    )
    parser.add_argument("--num_samples", type=int, default=16, help="Samples per origin (per model).")
    add_sampling_options(parser)
    parser.add_argument("--window", type=int, default=96, help="The model's window: context is window - 24 hours.")
    parser.add_argument("--origins", type=int, default=None, help="Keep this many origins, evenly spaced.")
    parser.add_argument("--history", type=int, default=28 * SEASON, help="Hours AutoETS/AutoARIMA fit and filter.")
    parser.add_argument("--skip", nargs="*", default=[], choices=list(STATISTICAL), help="Leave these out.")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--save_samples", help="Also write the diffusion samples [origins, k, 24, C] to this .npy.")
    parser.add_argument("--table", action="store_true", help="Print every recorded run.")
    parser.add_argument("--results", default=str(RESULTS))
    args = parser.parse_args()
    if args.save_samples:
        check_samples_path(parser, args)
    run_or_print_table(Path(args.results), args.table, lambda: run(args), print_record)


if __name__ == "__main__":
    main()
