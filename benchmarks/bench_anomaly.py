"""Anomaly scores on NAB's `realKnownCause` series: the diffusion model's reconstruction score against a rolling
z-score and an IsolationForest, measured in the same run.

    PYTHONPATH=$PWD OMP_NUM_THREADS=1 python benchmarks/bench_anomaly.py             # train (cached) and score
    PYTHONPATH=$PWD python benchmarks/bench_anomaly.py --table                       # every recorded run

Protocol (NAB's): per series, a small raw-representation model (`nab_models.py`: `train.py` flags, window 64) is
trained on the first 15% of the steps (the probationary period) and the rest is scored; `pipe.anomaly_score` runs
on the whole series and only the steps after the probationary period are graded. Metrics and baselines:
`nab_metrics.py` (ROC-AUC, PR-AUC at step level against the labelled windows; event recall at 1 false-alarm event
per 1,000 steps). Trained pipelines are cached in `outputs/bench_anomaly/` (git-ignored), so reruns only score.
"""

from __future__ import annotations

import argparse
import json
import time
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import numpy as np
from conditional_tasks import machine, run_or_print_table
from nab_data import SERIES, load_nab
from nab_metrics import grade, isolation_forest, rolling_zscore, window_mean
from nab_models import TRAIN_STEPS, WINDOW, trained_pipeline

from ts_diffusion_wavelet.pipeline_loading import load_pipeline

RESULTS = Path(__file__).resolve().parent / "results" / "anomaly.json"
METRICS = ("pr_auc", "roc_auc", "event_recall")
BASELINES = ("rolling z-score", "IsolationForest", "rolling z-score smoothed", "IsolationForest smoothed")


def score_series(
    name: str, options: dict[str, Any], aggregations: list[str], window: int, steps: int
) -> dict[str, Any]:
    """Every method's grades on one series (the diffusion score once per aggregation), and the scoring cost."""
    series = load_nab(name)
    pipeline = load_pipeline(trained_pipeline(series, window, steps))
    pipeline.set_progress_bar_config(disable=True)
    values, start = series.values, series.train_end
    scores, seconds = {}, []
    for aggregation in aggregations:
        began = time.perf_counter()
        output = pipeline.anomaly_score(series.frame[["value"]], aggregation=aggregation, **options)
        seconds.append(time.perf_counter() - began)
        scores[f"diffusion ({aggregation})"] = np.asarray(output.scores)
    scores["rolling z-score"] = rolling_zscore(values, window)
    scores["IsolationForest"] = isolation_forest(values, start, window)
    for baseline in ("rolling z-score", "IsolationForest"):
        scores[f"{baseline} smoothed"] = window_mean(scores[baseline], window)
    labels = series.labels[start:]
    return {
        "series": name,
        "steps_scored": len(values) - start,
        "seconds_per_1000_steps": 1000 * float(np.mean(seconds)) / len(values),
        **{method: grade(score[start:], labels) for method, score in scores.items()},
    }


def run(args: argparse.Namespace) -> dict[str, Any]:
    options = {"stride": args.stride, "noise_levels": tuple(args.noise_levels), "num_draws": args.num_draws}
    methods = [*(f"diffusion ({a})" for a in args.aggregations), *BASELINES]
    rows = []
    for name in args.series:
        rows.append(score_series(name, options, args.aggregations, args.window, args.train_steps))
        print(f"{name}: " + ", ".join(f"{m} PR-AUC {rows[-1][m]['pr_auc']:.3f}" for m in methods), flush=True)
    mean = {method: {m: float(np.mean([row[method][m] for row in rows])) for m in METRICS} for method in methods}
    return {
        "date": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "machine": machine(),
        "window": args.window,
        "train_steps": args.train_steps,
        "options": {**options, "noise_levels": list(options["noise_levels"])},
        "methods": methods,
        "rows": rows,
        "mean": mean,
        "seconds_per_1000_steps": float(np.mean([row["seconds_per_1000_steps"] for row in rows])),
    }


def print_record(record: dict[str, Any]) -> None:
    print(
        f"\n{record['date']} ({record['machine']}), window {record['window']}, {record['train_steps']} training "
        f"steps, {json.dumps(record['options'])}; diffusion scoring {record['seconds_per_1000_steps']:.2f} s per "
        "1,000 steps"
    )
    methods = record["methods"]
    for metric in METRICS:
        print(f"\n{metric}\n| series | " + " | ".join(methods) + " |\n|---|" + "---:|" * len(methods))
        for row in [*record["rows"], {"series": "**mean**", **record["mean"]}]:
            print(f"| {row['series']} | " + " | ".join(f"{row[m][metric]:.3f}" for m in methods) + " |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--series", nargs="+", default=list(SERIES), choices=SERIES)
    parser.add_argument("--window", type=int, default=WINDOW, help="Model window (and the baselines' window).")
    parser.add_argument("--train_steps", type=int, default=TRAIN_STEPS)
    parser.add_argument("--stride", type=int, default=None, help="Default: a quarter window.")
    parser.add_argument("--noise_levels", type=float, nargs="+", default=[0.05, 0.1, 0.2, 0.4])
    parser.add_argument("--num_draws", type=int, default=2)
    parser.add_argument(
        "--aggregations",
        nargs="+",
        choices=("mean", "max", "window"),
        default=["window", "mean"],
        help="One diffusion row per aggregation over the windows covering a step.",
    )
    parser.add_argument("--table", action="store_true", help="Print every recorded run instead of running.")
    args = parser.parse_args()
    run_or_print_table(RESULTS, args.table, lambda: run(args), print_record)


if __name__ == "__main__":
    main()
