"""Shared pieces of the conditional-task benchmarks (imputation, forecasting) on ETTh1.

The split, the missing-value masks and the metrics live here so that `bench_impute.py`, `bench_forecast.py` and
`tests/test_bench_conditional.py` use one definition of each:

- the split: training is the first 80% of ETTh1's rows, test the last 20% (`test_start`), the same rows the package's
  `prepare_windows(validation_fraction=0.2)` holds out, so a model trained with that option never saw the test part;
- the masks: missing completely at random (`mcar_mask`, exactly the asked fraction of the points) and blocks of 24
  consecutive hours per column (`block_mask`, non-overlapping, covering the asked fraction);
- the metrics: MAE; CRPS from samples in the energy form, either of the k samples as they are
  (`crps_from_samples`) or the unbiased estimate of the CRPS of the distribution they are drawn from
  (`fair_crps_from_samples`); the exact CRPS of a Gaussian forecast (`gaussian_crps`); CRPS from quantiles
  (`crps_from_quantiles`, the pinball-loss approximation the literature uses for every method) and MASE with the
  seasonal (24 h) naive scale of the training part (`seasonal_scale`).

Scores are reported per column in data units and, to make columns comparable, averaged over the columns after
dividing each column's error by its training-part standard deviation ("standardised units").
"""

from __future__ import annotations

import argparse
import json
import platform
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import scipy.special

from ts_diffusion_wavelet.atomic import atomic_file

ROOT = Path(__file__).resolve().parent
ETTH1 = ROOT / "data" / "ETTh1.csv"
TEST_FRACTION = 0.2
SEASON = 24  # hours: ETTh1's daily cycle
# 19 levels 0.05, 0.10, ..., 0.95: the quantile grid of the interval-based CRPS (symmetric, so its mean is 0.5)
QUANTILE_LEVELS = tuple(round(0.05 * i, 2) for i in range(1, 20))


def load_etth1(path: Path | str = ETTH1) -> pd.DataFrame:
    """ETTh1's 7 columns (float64), indexed by the hourly `date`."""
    frame = pd.read_csv(path, parse_dates=["date"], index_col="date")
    return frame.astype(np.float64)


def test_start(num_rows: int, test_fraction: float = TEST_FRACTION) -> int:
    """
    The first test row: rows `[0, start)` are training, `[start, num_rows)` test.

    Rounds like the package's `split_row` (`num_rows - round(fraction * num_rows)`), so the test part is exactly the
    validation part of a model trained with `--validation_fraction 0.2` (with no target transform).
    """
    if not 0 < test_fraction < 1:
        raise ValueError(f"`test_fraction` must be in (0, 1), got {test_fraction!r}.")
    return num_rows - int(round(test_fraction * num_rows))


def split(frame: pd.DataFrame, test_fraction: float = TEST_FRACTION) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The training (first rows) and test (last `test_fraction` of the rows) parts, by time, without overlap."""
    start = test_start(len(frame), test_fraction)
    return frame.iloc[:start], frame.iloc[start:]


def mcar_mask(shape: tuple[int, int], fraction: float, seed: int) -> np.ndarray:
    """`True` where a value is removed: exactly `round(fraction * size)` points drawn uniformly without replacement."""
    if not 0 <= fraction < 1:
        raise ValueError(f"`fraction` must be in [0, 1), got {fraction!r}.")
    rng = np.random.default_rng(seed)
    size = shape[0] * shape[1]
    mask = np.zeros(size, dtype=bool)
    mask[rng.choice(size, size=int(round(fraction * size)), replace=False)] = True
    return mask.reshape(shape)


def block_mask(shape: tuple[int, int], fraction: float, seed: int, block: int = SEASON) -> np.ndarray:
    """
    `True` where a value is removed: in each column, `round(fraction * length / block)` non-overlapping runs of `block`
    consecutive rows at uniformly random places (columns independent).

    The starts are drawn as sorted distinct slots in `length - count * block + count` and spread by `block - 1`, which
    gives every non-overlapping placement the same chance and never lets two runs touch the same row.
    """
    if not 0 <= fraction < 1:
        raise ValueError(f"`fraction` must be in [0, 1), got {fraction!r}.")
    length, channels = shape
    count = int(round(fraction * length / block))
    rng = np.random.default_rng(seed)
    mask = np.zeros(shape, dtype=bool)
    for column in range(channels):
        slots = np.sort(rng.choice(length - count * block + count, size=count, replace=False))
        for index, slot in enumerate(slots):
            start = slot + index * (block - 1)
            mask[start : start + block, column] = True
    return mask


def make_mask(pattern: str, shape: tuple[int, int], fraction: float, seed: int) -> np.ndarray:
    """`mcar_mask` for `pattern="mcar"`, `block_mask` (24 h) for `pattern="block"`."""
    if pattern == "mcar":
        return mcar_mask(shape, fraction, seed)
    if pattern == "block":
        return block_mask(shape, fraction, seed)
    raise ValueError(f"Unknown mask pattern {pattern!r}; use 'mcar' or 'block'.")


def crps_from_samples(samples: np.ndarray, truth: np.ndarray) -> np.ndarray:
    """
    CRPS of each point from `samples` `[k, ...]` against `truth` `[...]`, in the energy form
    `E|X - y| - 0.5 E|X - X'|` (the empirical distribution of the k samples; 0 for k identical samples equal to y).

    `E|X - X'|` over all k^2 pairs is computed from the sorted samples: `2 / k^2 * sum_j (2j - k + 1) x_(j)`. As an
    estimate of the CRPS of the distribution the samples come from it reads high by `E|X - X'| / (2k)` (the k pairs
    of a sample with itself count as distance 0); [`fair_crps_from_samples`] removes that.
    """
    samples = np.asarray(samples, dtype=np.float64)
    return np.abs(samples - truth[None]).mean(axis=0) - 0.5 * _mean_pair_distance(samples)


def fair_crps_from_samples(samples: np.ndarray, truth: np.ndarray) -> np.ndarray:
    """
    Unbiased estimate, from `samples` `[k, ...]` (k >= 2), of the CRPS against `truth` of the distribution the samples
    are drawn from: the energy form with `E|X - X'|` over the k(k - 1) pairs of distinct samples (the "fair" CRPS of
    Ferro 2014). It does not depend on k in expectation, so sample forecasts compare with models scored on their exact
    distribution ([`gaussian_crps`]); k identical samples still score their absolute error.

    Raises:
        `ValueError`: With fewer than 2 samples, which have no pairs.
    """
    samples = np.asarray(samples, dtype=np.float64)
    k = samples.shape[0]
    if k < 2:
        raise ValueError(f"The fair CRPS needs at least 2 samples per point, got {k}; use `crps_from_samples`.")
    return np.abs(samples - truth[None]).mean(axis=0) - 0.5 * _mean_pair_distance(samples) * k / (k - 1)


def _mean_pair_distance(samples: np.ndarray) -> np.ndarray:
    """`E|X - X'|` over all k^2 ordered pairs of `samples` `[k, ...]`, from the sorted samples in O(k log k)."""
    k = samples.shape[0]
    weights = (2 * np.arange(k) - k + 1).reshape((k,) + (1,) * (samples.ndim - 1))
    return 2.0 / k**2 * (weights * np.sort(samples, axis=0)).sum(axis=0)


def gaussian_crps(mean: np.ndarray, std: np.ndarray, truth: np.ndarray) -> np.ndarray:
    """
    Exact CRPS of the forecast `N(mean, std^2)` against `truth`, pointwise (Gneiting et al. 2005):
    `std * (z (2 Phi(z) - 1) + 2 phi(z) - 1 / sqrt(pi))` with `z = (truth - mean) / std`; the absolute error where
    `std` is 0.
    """
    mean, std, truth = (np.asarray(a, dtype=np.float64) for a in (mean, std, truth))
    safe = np.where(std > 0, std, 1.0)
    z = (truth - mean) / safe
    crps = safe * (
        z * (2 * scipy.special.ndtr(z) - 1) + 2 * np.exp(-0.5 * z**2) / np.sqrt(2 * np.pi) - 1 / np.sqrt(np.pi)
    )
    return np.where(std > 0, crps, np.abs(truth - mean))


def gaussian_from_quantiles(
    quantiles: np.ndarray, levels: tuple[float, ...], tolerance: float = 1e-3
) -> tuple[np.ndarray, np.ndarray]:
    """
    `(mean, std)` of the Gaussian whose quantiles at `levels` are `quantiles` `[len(levels), ...]` (least squares of
    the quantiles on the standard normal's), for interval models such as statsforecast's, whose intervals are Gaussian.

    Raises:
        `ValueError`: When the quantiles are not those of a Gaussian (relative misfit above `tolerance`), so that a
            model with skewed or heavy-tailed intervals is not scored with the wrong closed form.
    """
    quantiles = np.asarray(quantiles, dtype=np.float64)
    z = scipy.special.ndtri(np.asarray(levels, dtype=np.float64)).reshape((-1,) + (1,) * (quantiles.ndim - 1))
    if not np.allclose(z.sum(), 0.0):
        raise ValueError(f"The levels must be symmetric about 0.5 to fit a Gaussian, got {levels}.")
    mean = quantiles.mean(axis=0)  # symmetric levels: the least-squares intercept is the mean of the quantiles
    std = ((quantiles - mean) * z).sum(axis=0) / (z**2).sum()
    spread = np.abs(quantiles - mean).max(axis=0)
    misfit = np.abs(quantiles - (mean + std * z)).max(axis=0)
    worst = float((misfit / np.where(spread > 0, spread, 1.0)).max())
    if worst > tolerance:
        raise ValueError(
            f"These quantiles are not a Gaussian's (misfit up to {worst:.3g} of their spread, tolerance {tolerance}); "
            "score them with `crps_from_quantiles`."
        )
    return mean, std


def crps_from_quantiles(quantiles: np.ndarray, truth: np.ndarray, levels: tuple[float, ...]) -> np.ndarray:
    """
    CRPS of each point approximated from `quantiles` `[len(levels), ...]` at `levels`: twice the mean pinball loss
    over the levels (CRPS is `2 * integral of the pinball loss over (0, 1)`; the grid leaves out the tails beyond its
    outer levels, where the pinball loss is smallest, so for a calibrated forecast it reads a few percent high).

    For a point forecast (all quantiles equal) on a grid symmetric about 0.5 this equals the absolute error.
    """
    tau = np.asarray(levels, dtype=np.float64).reshape((-1,) + (1,) * truth.ndim)
    error = truth[None] - np.asarray(quantiles, dtype=np.float64)
    pinball = np.maximum(tau * error, (tau - 1) * error)
    return 2.0 * pinball.mean(axis=0)


def seasonal_scale(train: np.ndarray, season: int = SEASON) -> np.ndarray:
    """Per column, the mean absolute seasonal-naive error on the training part: MASE's denominator."""
    return np.abs(train[season:] - train[:-season]).mean(axis=0)


def column_means(errors: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """Per column, the mean of `errors` `[length, channels]` over the points where `mask` is `True`."""
    return np.array([errors[mask[:, c], c].mean() for c in range(errors.shape[1])])


def add_sampling_options(parser: argparse.ArgumentParser) -> None:
    """How the conditional benchmarks sample: `--num_inference_steps`, `--resample`, `--observation_guidance`."""
    parser.add_argument("--num_inference_steps", type=int, default=50)
    parser.add_argument("--resample", type=int, default=1, help="RePaint resampling per step.")
    parser.add_argument(
        "--observation_guidance",
        type=float,
        default=None,
        help="Observation guidance per step (default: the pipeline's).",
    )


def sampling_options(args: argparse.Namespace, job: str) -> dict[str, float]:
    """
    The pipeline-method keywords of those options for `job` (`"impute"`, `"forecast"` or `"long"`), the guidance
    resolved to the pipeline's default for the job when not given, so records name the value used.
    """
    from ts_diffusion_wavelet import conditional

    defaults = {
        "impute": conditional.IMPUTE_GUIDANCE,
        "forecast": conditional.FORECAST_GUIDANCE,
        "long": conditional.LONG_PATH_GUIDANCE,
    }
    guidance = args.observation_guidance
    return {
        "num_inference_steps": args.num_inference_steps,
        "resample": args.resample,
        "observation_guidance": defaults[job] if guidance is None else float(guidance),
    }


def sampling_flags(args: argparse.Namespace, job: str) -> str:
    """[`sampling_options`] as the command-line flags that repeat the run."""
    return " ".join(f"--{name} {value}" for name, value in sampling_options(args, job).items())


def paired_ratio_interval(
    scores: np.ndarray,
    reference: np.ndarray,
    block: int = 7,
    num_resamples: int = 2000,
    level: float = 0.9,
    seed: int = 0,
) -> tuple[float, float, float]:
    """
    `mean(scores) / mean(reference)` over paired units (forecast origins) and its `level` interval from a circular
    moving-block bootstrap: blocks of `block` consecutive units drawn with replacement, the same draw for both, so the
    interval reflects how much the comparison depends on which origins were scored. Blocks (a week of daily origins
    by default) keep neighbouring origins, whose errors are correlated, together.

    Returns:
        `(ratio, low, high)`.
    """
    scores, reference = np.asarray(scores, dtype=np.float64), np.asarray(reference, dtype=np.float64)
    if scores.shape != reference.shape or scores.ndim != 1 or len(scores) < 2:
        raise ValueError(f"Need two 1-d arrays of the same length >= 2, got {scores.shape} and {reference.shape}.")
    n = len(scores)
    block = min(block, n)
    rng = np.random.default_rng(seed)
    starts = rng.integers(0, n, size=(num_resamples, -(-n // block)))
    index = ((starts[:, :, None] + np.arange(block)) % n).reshape(num_resamples, -1)[:, :n]
    ratios = scores[index].mean(axis=1) / reference[index].mean(axis=1)
    low, high = np.quantile(ratios, [(1 - level) / 2, (1 + level) / 2])
    return float(scores.mean() / reference.mean()), float(low), float(high)


def machine() -> str:
    """The processor and thread count a record was measured on."""
    import torch

    return (
        f"{platform.processor() or platform.machine()}, torch {torch.__version__}, {torch.get_num_threads()} threads"
    )


def ratio_table(
    rows: list[dict[str, object]], metrics: list[str], baselines: list[str], groups: tuple[str, ...] = ()
) -> str:
    """
    A markdown table of `rows` (each with the `groups` keys, `"method"` and the `metrics`) with, per metric, the ratio
    to the best (lowest) baseline row of the same group (`< 1`: better than every baseline of that setting).
    """

    def group(row: dict[str, object]) -> tuple[object, ...]:
        return tuple(row[g] for g in groups)

    best = {
        (group(row), m): min(float(r[m]) for r in rows if r["method"] in baselines and group(r) == group(row))
        for row in rows
        for m in metrics
    }
    names = [*groups, "method"]
    header = "| " + " | ".join(names) + " | " + " | ".join(f"{m} | {m} / best baseline" for m in metrics) + " |"
    lines = [header, "|" + "---|" * len(names) + "---:|---:|" * len(metrics)]
    for row in rows:
        cells = [f"{float(row[m]):.4f} | {float(row[m]) / best[group(row), m]:.3f}" for m in metrics]
        lines.append("| " + " | ".join(str(row[n]) for n in names) + " | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def append_record(path: Path, record: dict[str, object]) -> None:
    """Append `record` to the JSON list at `path`, atomically (the file keeps its one-space indent)."""
    records = json.loads(path.read_text()) if path.exists() else []
    records.append(record)
    with atomic_file(path) as temporary:
        temporary.write_text(json.dumps(records, indent=1) + "\n")


def run_or_print_table(
    results: Path, table: bool, run: Callable[[], dict[str, Any]], print_record: Callable[[dict[str, Any]], None]
) -> None:
    """`--table`: print every record in `results`; else run, append the record and print it."""
    if table:
        for record in json.loads(results.read_text()) if results.exists() else []:
            print_record(record)
        return
    record = run()
    append_record(results, record)
    print_record(record)
