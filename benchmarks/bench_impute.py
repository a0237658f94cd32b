"""Imputation on ETTh1's test part: MAE and CRPS on the removed points, against linear and seasonal baselines.

    python benchmarks/bench_impute.py                                          # baselines only
    python benchmarks/bench_impute.py --model outputs/etth96/pipeline # with the diffusion rows
    python benchmarks/bench_impute.py --table                                  # every recorded run

The test part is the last 20% of ETTh1's rows (3484 hours, all 7 columns, data units), never seen in training (see
`conditional_tasks.test_start`). For each pattern, missing completely at random ("mcar") and runs of 24 hours per
column ("block"), and each fraction (10/30/50% of the points), one seeded mask removes values; each method fills
them from what is left, and is scored on the removed points only:

- MAE of the point imputation (the median of the samples for the diffusion model), CRPS from the samples (energy
  form, `conditional_tasks.crps_from_samples`); for the deterministic baselines CRPS equals MAE.
- The table's figures are in standardised units: each column's error divided by its training-part standard
  deviation, then averaged over the 7 columns (so OT and the loads weigh the same); the JSON record keeps the
  per-column figures in data units too.

Baselines, measured in the same run: "linear", pandas' linear interpolation along time (nearest value at the ends);
"seasonal", the same hour's value from the nearest day on which it is known (the mean of the two days when the
nearest known days before and after are equally far), linear interpolation where a column has no known value at
that hour.

The diffusion rows (`--model`): the test part is cut into consecutive chunks of `--window` rows (the model's window;
the last chunk ends at the last row and only its new rows are scored) and `pipe.impute(chunk, num_samples, ...)` fills
each chunk from the chunk alone. The model is the package's raw UNet trained on the first 80% of the rows:

    PYTHONPATH=$PWD OMP_NUM_THREADS=1 python train.py --data benchmarks/data/ETTh1.csv --time_column date \\
        --target_transform none --scaling standard --window_size 96 --stride 1 --validation_fraction 0.2 \\
        --max_train_steps 3000 --output_dir outputs/etth96 --logger none

(`--validation_fraction 0.2` holds out exactly the rows of the test part; the scaling is fitted on the training rows.)
"""

from __future__ import annotations

import argparse
import time
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from conditional_tasks import (
    SEASON,
    add_sampling_options,
    column_means,
    crps_from_samples,
    load_etth1,
    machine,
    make_mask,
    ratio_table,
    run_or_print_table,
    sampling_flags,
    sampling_options,
    split,
)

ROOT = Path(__file__).resolve().parent
RESULTS = ROOT / "results" / "impute.json"
PATTERNS = ("mcar", "block")
FRACTIONS = (0.1, 0.3, 0.5)
BASELINES = ["linear", "seasonal"]


def linear_fill(observed: np.ndarray) -> np.ndarray:
    """Linear interpolation along time per column; the ends take the nearest known value."""
    return pd.DataFrame(observed).interpolate(method="linear", limit_direction="both").to_numpy()


def seasonal_fill(observed: np.ndarray, season: int = SEASON) -> np.ndarray:
    """The same hour's value from the nearest day on which it is known (mean of the two when equally far)."""
    filled = observed.copy()
    missing = np.isnan(filled)
    length = len(observed)
    for days in range(1, length // season + 1):
        if not missing.any():
            break
        total, count = np.zeros_like(filled), np.zeros_like(filled)
        shift = days * season
        for source, target in (
            (slice(0, length - shift), slice(shift, length)),
            (slice(shift, length), slice(0, length - shift)),
        ):
            values = observed[source]
            known = ~np.isnan(values)
            total[target] += np.where(known, values, 0.0)
            count[target] += known
        take = missing & (count > 0)
        filled[take] = total[take] / count[take]
        missing &= ~take
    if missing.any():
        filled[missing] = linear_fill(observed)[missing]
    return filled


def diffusion_samples(pipe: Any, observed: np.ndarray, window: int, args: argparse.Namespace) -> np.ndarray:
    """`[k, length, channels]` imputations, chunk by chunk of `window` rows, each from the chunk's known values."""
    length = len(observed)
    out = np.empty((args.num_samples, *observed.shape))
    starts = list(range(0, length - window + 1, window))
    if starts[-1] + window < length:
        starts.append(length - window)
    done = 0
    for start in starts:
        chunk = observed[start : start + window]
        result = pipe.impute(
            chunk,
            args.num_samples,
            seed=args.seed + start,
            **sampling_options(args, "impute"),
        )
        new = slice(done - start, window)  # rows an earlier chunk has not scored yet
        out[:, done : start + window] = np.asarray(result.samples)[:, new]
        done = start + window
    return out


def impute(name: str, observed: np.ndarray, pipe: Any, args: argparse.Namespace) -> np.ndarray:
    """`[k, length, channels]` imputations of `observed` by the method `name` (k = 1 for the baselines)."""
    if name == "linear":
        return linear_fill(observed)[None]
    if name == "seasonal":
        return seasonal_fill(observed)[None]
    return diffusion_samples(pipe, observed, args.window, args)


def score(samples: np.ndarray, truth: np.ndarray, mask: np.ndarray, std: np.ndarray) -> dict[str, Any]:
    """MAE of the median and CRPS of the samples on the masked points: per column (data units) and standardised."""
    mae = column_means(np.abs(np.median(samples, axis=0) - truth), mask)
    crps = column_means(crps_from_samples(samples, truth), mask)
    return {
        "MAE": float((mae / std).mean()),
        "CRPS": float((crps / std).mean()),
        "MAE_per_column": mae.round(5).tolist(),
        "CRPS_per_column": crps.round(5).tolist(),
    }


def run(args: argparse.Namespace) -> dict[str, Any]:
    frame = load_etth1()
    train, test = split(frame)
    truth = test.to_numpy()
    std = train.to_numpy().std(axis=0)
    pipe = None
    if args.model:
        from ts_diffusion_wavelet import load_pipeline

        pipe = load_pipeline(args.model)
    rows = []
    for p, pattern in enumerate(PATTERNS):
        for f, fraction in enumerate(FRACTIONS):
            mask = make_mask(pattern, truth.shape, fraction, seed=args.seed * 100 + 10 * p + f)
            observed = np.where(mask, np.nan, truth)
            for name in BASELINES + (["diffusion"] if pipe is not None else []):
                started = time.perf_counter()
                samples = impute(name, observed, pipe, args)
                seconds = time.perf_counter() - started
                row = {"mask": pattern, "missing": fraction, "method": name, **score(samples, truth, mask, std)}
                rows.append({**row, "seconds": round(seconds, 2)})
                print(
                    f"{pattern} {fraction:.0%} {name}: MAE {row['MAE']:.4f} CRPS {row['CRPS']:.4f} ({seconds:.1f} s)"
                )
    command = "python benchmarks/bench_impute.py" + (
        f" --model {args.model} --num_samples {args.num_samples} {sampling_flags(args, 'impute')}"
        if args.model
        else ""
    )
    if args.window != 96 and args.model:
        command += f" --window {args.window}"
    return {
        "task": "impute",
        "data": "ETTh1 test part (last 20% of rows), 7 columns",
        "units": "table: standardised (per-column error / training std, mean over columns); *_per_column: data units",
        "columns": list(frame.columns),
        "seed": args.seed,
        "rows": rows,
        "machine": machine(),
        "command": command + f" --seed {args.seed}",
        "finished": datetime.now(timezone.utc).isoformat(timespec="seconds"),
    }


def print_record(record: dict[str, Any]) -> None:
    print(f"\n{record['command']} ({record['machine']}, {record['finished']})\n")
    print(ratio_table(record["rows"], ["MAE", "CRPS"], BASELINES, groups=("mask", "missing")))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--model", help="A saved pipeline folder: adds the diffusion rows (without it: baselines).")
    parser.add_argument("--num_samples", type=int, default=16)
    add_sampling_options(parser)
    parser.add_argument("--window", type=int, default=96, help="Rows per imputation call: the model's window.")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--table", action="store_true", help="Print every recorded run.")
    parser.add_argument("--results", default=str(RESULTS))
    args = parser.parse_args()
    run_or_print_table(Path(args.results), args.table, lambda: run(args), print_record)


if __name__ == "__main__":
    main()
