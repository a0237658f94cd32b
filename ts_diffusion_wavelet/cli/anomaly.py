"""
`tsdw-anomaly`: anomaly scores of a series from a trained pipeline, written beside the data.

    tsdw-anomaly --model outputs/run/pipeline --data series.csv --output scores.csv --plot scores.png \\
        --reference train.csv --threshold_quantile 0.99

The output CSV holds the input's time column (when it has one), the model's columns, `anomaly_score`, one
`score_<channel>` per channel when there are several, and `above_threshold`. The threshold is the
`--threshold_quantile` of the scores of `--reference` (data known to be normal, e.g. the training part); without a
reference it is that quantile of the series' own scores, so about `1 - quantile` of its steps are above it by
construction. The events (runs above the threshold) go to `--events` and the log; `--plot` draws the series, the
score and the top events.
"""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path
from typing import Any

import pandas as pd

from ..anomaly import anomaly_threshold, find_events
from ..atomic import atomic_file
from ..pipeline_loading import load_pipeline
from .generate import choose_device_and_dtype
from .generate_conditional import read_known_series

logger = logging.getLogger("ts_diffusion_wavelet.anomaly")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="tsdw-anomaly", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--model", required=True, help="Pipeline folder (save_pretrained output) or Hub repo id.")
    parser.add_argument("--data", required=True, help="The series to score (CSV / Parquet with the model's columns).")
    parser.add_argument("--output", required=True, help="CSV file: the data with its scores.")
    parser.add_argument("--plot", default=None, help="Also draw the series, the score and the top events to PNG.")
    parser.add_argument("--events", default=None, help="Also write the events (start, end, peak) to this CSV.")
    parser.add_argument("--reference", default=None, help="Normal data (e.g. the training part) for the threshold.")
    parser.add_argument("--threshold_quantile", type=float, default=0.99, help="Quantile of reference scores.")
    parser.add_argument("--stride", type=int, default=None, help="Steps between windows (default: window / 4).")
    parser.add_argument("--num_draws", type=int, default=2, help="Noise draws per noise level.")
    parser.add_argument(
        "--aggregation", choices=("mean", "max", "window"), default="mean", help="Over covering windows."
    )
    parser.add_argument("--nan_policy", choices=("interpolate",), default=None, help="Default: refuse NaN.")
    parser.add_argument("--seed", type=int, default=0, help="Seed of the noise (window i from (seed, i)).")
    parser.add_argument("--batch_size", type=int, default=32, help="Windows per UNet call.")
    parser.add_argument("--top", type=int, default=5, help="Events shaded in the plot and logged.")
    parser.add_argument("--device", default="auto", help="auto, cpu, cuda, cuda:1, mps ...")
    return parser


def check_arguments(args: argparse.Namespace) -> None:
    """Refuse arguments that cannot work before loading anything."""
    for name, value in (("--output", args.output), ("--events", args.events)):
        if value is not None and Path(value).suffix.lower() != ".csv":
            raise ValueError(f"{name} writes a CSV; got {value!r}. Use a name ending in .csv.")
    if args.plot is not None and Path(args.plot).suffix.lower() != ".png":
        raise ValueError(f"--plot writes a PNG; got {args.plot!r}. Use a name ending in .png.")
    if not 0 < args.threshold_quantile < 1:
        raise ValueError(f"--threshold_quantile must be strictly between 0 and 1, got {args.threshold_quantile}.")
    if args.top < 0:
        raise ValueError(f"--top must be at least 0, got {args.top}.")


def score(pipeline: Any, path: str, args: argparse.Namespace) -> tuple[pd.DataFrame, Any]:
    series = read_known_series(path, pipeline.channel_names)
    options = {"stride": args.stride, "num_draws": args.num_draws, "aggregation": args.aggregation}
    options |= {"nan_policy": args.nan_policy, "seed": args.seed, "batch_size": args.batch_size}
    return series, pipeline.anomaly_score(series, **options)


def main(argv: list[str] | None = None) -> int:
    """Run the command line; bad input exits with status 2 and its message, nothing written."""
    args = build_parser().parse_args(argv)
    logging.basicConfig(format="%(levelname)s %(name)s: %(message)s", level=logging.INFO)
    try:
        check_arguments(args)
        device, dtype = choose_device_and_dtype(args.device, "auto")
        pipeline = load_pipeline(args.model, torch_dtype=dtype).to(device)
        series, output = score(pipeline, args.data, args)
        scores = output.scores.to_numpy()
        reference = output.scores if args.reference is None else score(pipeline, args.reference, args)[1].scores
        threshold = anomaly_threshold(reference, args.threshold_quantile)
        events = find_events(scores, threshold)
        table = series.copy()
        table["anomaly_score"] = scores
        if len(pipeline.channel_names) > 1:
            for name in pipeline.channel_names:
                table[f"score_{name}"] = output.channel_scores[name].to_numpy()
        table["above_threshold"] = scores > threshold
        timed = isinstance(series.index, pd.DatetimeIndex)
        with atomic_file(args.output) as temporary:
            table.to_csv(temporary, index=timed)
        logger.info(
            "Scored %d steps (%.2f s per 1,000 steps); threshold %.4g (quantile %g of the %s); %d events; wrote %s",
            len(scores),
            output.seconds_per_1000_steps,
            threshold,
            args.threshold_quantile,
            "reference's scores" if args.reference is not None else "series' own scores",
            len(events),
            args.output,
        )
        for event in events.sort_values("peak_score", ascending=False).head(args.top).itertuples():
            logger.info(
                "event: %s to %s, peak %.4g at %s",
                series.index[event.start],
                series.index[event.end],
                event.peak_score,
                series.index[event.peak],
            )
        if args.events is not None:
            located = events.assign(
                **{f"{c}_{'time' if timed else 'row'}": series.index[events[c]] for c in ("start", "end", "peak")}
            )
            with atomic_file(args.events) as temporary:
                located.to_csv(temporary, index=False)
        if args.plot is not None:
            from ..anomaly.plot import plot_anomalies

            plot_anomalies(
                series.to_numpy(),
                scores,
                args.plot,
                channel_names=pipeline.channel_names,
                events=events,
                threshold=threshold,
                time=series.index if timed else None,
                top=args.top,
            )
            logger.info("Wrote %s", args.plot)
    except (ValueError, FileNotFoundError, OSError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
