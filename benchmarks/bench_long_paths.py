"""Paths longer than a window: `pipe.generate_long` judged at its joins and away from them, and over long lags.

    python benchmarks/bench_long_paths.py --model outputs/ts-diffusion-wavelet/pipeline   # the default EUR/USD model
    python benchmarks/bench_long_paths.py --model REGIME_MODEL --windows 80 --label by_frequency  # a regime chain
    python benchmarks/bench_long_paths.py --table                                          # every recorded run

`--num_paths` paths of `--windows` times the model's window (default 10 paths of 20 windows) are drawn with
`pipe.generate_long` (`--overlap`, default half a window; `--resample` as given; `--label` for a labelled model,
`by_frequency` to follow the training windows' label transitions); the real data are the EUR/USD training windows
of `bench_long.py` (log-returns, window 256, stride 1), and the windows judged are cut at that length whatever the
model's window, so a window-64 regime chain and the window-256 model are judged alike. Measured in one run:

- the classifier two-sample tests (`c2st_scores`, MiniRocket and window statistics, time-blocked split, with the
  real-vs-real floor) of non-overlapping windows cut from the paths, once starting at a join (where a window's new
  part meets the overlap with the previous one) and once starting half-way between joins, against the real windows;
- the seam ratio: mean |return| at the first step of each new part over the mean |return| elsewhere (1 = no seam);
- the ACF of the returns and of |returns| up to 3 judged windows, against the real training series' (the largest
  absolute difference over lags, and both at lags of one, two and three windows);
- the std ratio of the returns and the 5th / 50th / 95th percentiles of the judged windows' return std against the
  real windows' (the spread of volatility, README "Where the raw model still falls short").
"""

from __future__ import annotations

import argparse
import time
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import numpy as np
import torch
from conditional_tasks import add_sampling_options, machine, run_or_print_table, sampling_flags, sampling_options

ROOT = Path(__file__).resolve().parent
RESULTS = ROOT / "results" / "long_paths.json"
SPREAD_LEVELS = (5, 50, 95)


def acf(series: np.ndarray, max_lag: int) -> np.ndarray:
    """Autocorrelation of each row of `series` `[N, T]` (pooled over rows) at lags 1..max_lag."""
    centred = series - series.mean(axis=1, keepdims=True)
    denominator = (centred**2).sum()
    return np.array([(centred[:, lag:] * centred[:, :-lag]).sum() / denominator for lag in range(1, max_lag + 1)])


def cut_windows(paths: np.ndarray, window: int, first: int) -> np.ndarray:
    """Non-overlapping windows `[M, window, C]` cut from `paths` `[N, T, C]` starting at step `first`."""
    count = (paths.shape[1] - first) // window
    return np.concatenate([paths[:, first + i * window : first + (i + 1) * window] for i in range(count)])


def window_std_percentiles(returns: np.ndarray, real_returns: np.ndarray) -> list[float]:
    """
    The 5th / 50th / 95th percentiles of the per-window std of `returns` `[N, T, 1]`, each over the same percentile
    of the `real_returns` windows': 1 where calm and turbulent windows are as in the data.
    """

    def percentiles(windows: np.ndarray) -> np.ndarray:
        return np.percentile(windows[..., 0].std(axis=1), SPREAD_LEVELS)

    return (percentiles(returns) / percentiles(real_returns)).tolist()


def run(args: argparse.Namespace) -> dict[str, Any]:
    import bench_long

    from ts_diffusion_wavelet import load_pipeline
    from ts_diffusion_wavelet.evaluation import c2st_scores, to_returns

    torch.set_num_threads(args.threads)
    pipe = load_pipeline(args.model)
    window = pipe.window_size
    overlap = window // 2 if args.overlap is None else args.overlap
    length = args.windows * window
    real, names, levels = bench_long.real_windows("eurusd")
    judged = real.shape[1]
    if length < 4 * judged:
        raise SystemExit(f"Paths of {length} steps are too short to cut windows of {judged}; raise --windows.")
    start = time.perf_counter()
    paths = pipe.generate_long(
        length,
        args.num_paths,
        overlap=overlap,
        seed=args.seed,
        label=args.label,
        **sampling_options(args, "long"),
    )
    sample_seconds = time.perf_counter() - start
    # Joins: generate_long's windows start every `window - overlap` steps; a window's new part begins `overlap`
    # steps after its start. In returns (one step shorter) the first new return sits at the same index.
    step = window - overlap
    joins = np.arange(step, length - window + 1, step) + overlap  # window k >= 1 starts at k * step
    returns = to_returns(paths, "log")[..., 0]  # [N, length - 1]
    at_join = np.zeros(returns.shape[1], dtype=bool)
    at_join[joins[joins < returns.shape[1]] - 1] = True
    seam = float(np.abs(returns[:, at_join]).mean() / np.abs(returns[:, ~at_join]).mean())
    real_returns = to_returns(levels[None], "log")[..., 0]
    std_ratio = float(returns.std() / real_returns.std())
    max_lag = 3 * judged
    acfs = {
        "returns": (acf(returns, max_lag), acf(real_returns, max_lag)),
        "abs_returns": (acf(np.abs(returns), max_lag), acf(np.abs(real_returns), max_lag)),
    }
    # Judged on returns, computed once for the spread and the two-sample tests.
    real_window_returns = to_returns(real, "log")
    candidates = {
        "from a join": to_returns(cut_windows(paths, judged, int(joins[0])), "log"),
        "between joins": to_returns(cut_windows(paths, judged, int(joins[0]) + step // 2), "log"),
    }
    spread = {name: window_std_percentiles(returns, real_window_returns) for name, returns in candidates.items()}
    tests = c2st_scores(
        real_window_returns,
        candidates,
        channel_names=names,
        seed=args.seed,
        progress=False,
    )
    return {
        "date": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "command": f"python benchmarks/bench_long_paths.py --model {args.model} --num_paths {args.num_paths} "
        f"--windows {args.windows} {sampling_flags(args, 'long')} --seed {args.seed}"
        + ("" if args.overlap is None else f" --overlap {args.overlap}")
        + ("" if args.label is None else f" --label {args.label}"),
        "machine": machine(),
        "paths": [args.num_paths, length],
        "sample_seconds": sample_seconds,
        "model_window": window,
        "overlap": overlap,
        "label": args.label,
        "seam_ratio": seam,
        "std_ratio": std_ratio,
        "window_std_percentiles": {"levels": list(SPREAD_LEVELS)} | spread,
        "c2st": {
            name: {k: [tests[name][k]["mean"], tests[name][k]["ci95"]] for k in ("minirocket", "features")}
            for name in candidates
        }
        | {"floor": {k: tests["real_vs_real"][k]["mean"] for k in ("minirocket", "features")}},
        "acf": {
            kind: {
                "max_abs_difference": float(np.abs(generated - real_acf).max()),
                "at_windows": {
                    str(k): [float(generated[k * judged - 1]), float(real_acf[k * judged - 1])] for k in (1, 2, 3)
                },
            }
            for kind, (generated, real_acf) in acfs.items()
        },
    }


def print_record(record: dict[str, Any]) -> None:
    floor = record["c2st"]["floor"]
    count, length = record["paths"]
    print(f"{record['command']}\n{count} paths of {length} steps in {record['sample_seconds']:.0f} s")
    print("| windows cut | C2ST MiniRocket | C2ST window statistics |\n|---|---:|---:|")
    for name in ("from a join", "between joins"):
        entry = record["c2st"][name]
        print(
            f"| {name} | {entry['minirocket'][0]:.3f} ± {entry['minirocket'][1]:.3f} | "
            f"{entry['features'][0]:.3f} ± {entry['features'][1]:.3f} |"
        )
    print(f"| real vs real (floor) | {floor['minirocket']:.3f} | {floor['features']:.3f} |")
    print(f"seam ratio (|r| at a join / elsewhere): {record['seam_ratio']:.3f}; std ratio {record['std_ratio']:.3f}")
    spread = record.get("window_std_percentiles")
    if spread:  # records before the spread rows lack it
        for name in ("from a join", "between joins"):
            ratios = " / ".join(f"{r:.2f}" for r in spread[name])
            print(f"window std percentiles {spread['levels']} vs real ({name}): {ratios}x")
    for kind, entry in record["acf"].items():
        # Early window-64 records read the lags in the model's windows (64 steps), not the judged ones (256).
        unit = "w" if "at_windows" in entry else " model windows"
        at = entry.get("at_windows", entry.get("at_model_windows", {}))
        lags = ", ".join(f"{k}{unit} {g:+.3f} (real {r:+.3f})" for k, (g, r) in at.items())
        print(f"ACF {kind}: max |difference| to lag 3w {entry['max_abs_difference']:.3f}; {lags}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--model", default="outputs/ts-diffusion-wavelet/pipeline")
    parser.add_argument("--num_paths", type=int, default=10)
    parser.add_argument("--windows", type=int, default=20, help="Path length in windows of the model.")
    parser.add_argument("--overlap", type=int, default=None, help="Steps shared by consecutive windows (half).")
    parser.add_argument("--label", default=None, help="A labelled model's label, or by_frequency (regime chain).")
    add_sampling_options(parser)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--table", action="store_true")
    parser.add_argument("--results", default=str(RESULTS))
    args = parser.parse_args()
    run_or_print_table(Path(args.results), args.table, lambda: run(args), print_record)


if __name__ == "__main__":
    main()
