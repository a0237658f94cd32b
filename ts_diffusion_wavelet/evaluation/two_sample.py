"""
Classifier two-sample tests (C2ST; Lopez-Paz & Oquab, ICLR 2017) that hold up on overlapping time-series windows.

A strong classifier is trained to tell real windows from generated ones; its balanced accuracy on held-out
windows says how far apart the two sets are. Score = |balanced accuracy - 0.5|: 0 when the sets are
indistinguishable, 0.5 when they are perfectly separable. Two things make it honest here:

1. The real windows are split in time-disjoint blocks ([`time_blocked_split`]): overlapping real windows in a
   random split give the classifier a near-copy of every real test window, and it then calls anything new
   "generated". Generated windows are split at random in the same proportion.
2. The floor: real windows against real windows of other time blocks, split the same way
   (`"real_vs_real"`). It scores near 0 when the judge does not leak; above it, the series is not
   stationary enough for this judge, and scores of generated sets should be read against it.

The post-hoc GRU of TimeGAN / Diffusion-TS ([`discriminative_score`]) is a weak classifier: it saturates near 0
for samples these judges separate at .4.
"""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from scipy import stats
from tqdm.auto import tqdm

from .checks import as_windows, check_same_layout
from .classifier_scores import summarize_repeats
from .judges import JUDGE_NAMES, MINIROCKET_MIN_LENGTH, Judge, make_judge
from .time_blocks import BlockedSplit, infer_stride, time_blocked_split

FLOOR_NAME = "real_vs_real"
MIN_WINDOWS = 10
TOP_FEATURES = 8


def _subsample(indices: np.ndarray, fraction: float, rng: np.random.Generator) -> np.ndarray:
    """A random `fraction` of `indices`, kept in order."""
    if fraction >= 1:
        return indices
    return np.sort(rng.choice(indices, size=max(1, int(round(len(indices) * fraction))), replace=False))


def _floor_labels(split: BlockedSplit) -> np.ndarray:
    """
    Real-vs-real labels: inside every contiguous block of the split, sub-blocks of two window lengths (`2 * gap`
    windows, shorter in short blocks) labelled `1`, `0`, `1`, ... Both labels sample every stretch of the series
    and every block, so what a judge finds between them is leakage, not a change of regime. `-1`: in no block.
    """
    labels = np.full(split.segments[-1][1], -1)
    for start, stop, _ in split.segments:
        size = max(1, min(2 * split.gap, (stop - start) // 2))
        labels[start:stop] = (np.arange(stop - start) // size + 1) % 2
    return labels


def _top_features(
    names: list[str], importances: list[np.ndarray], real: np.ndarray, other: np.ndarray, count: int
) -> list[dict[str, Any]]:
    """The statistics the classifier leaned on most, with their medians in both sets and a KS statistic."""
    mean = np.mean(importances, axis=0)
    spread = np.std(importances, axis=0)
    ks = np.array([stats.ks_2samp(real[:, f], other[:, f]).statistic for f in range(len(names))])
    order = np.lexsort((-ks, -mean))[:count]  # by importance, ties (e.g. all 0) by the KS statistic
    return [
        {
            "feature": names[f],
            "importance": float(mean[f]),
            "importance_std": float(spread[f]),
            "ks": float(ks[f]),
            "real_median": float(np.median(real[:, f])),
            "other_median": float(np.median(other[:, f])),
        }
        for f in order
    ]


@dataclass
class _Tally:
    """What one (row, classifier) pair collected over the repeats."""

    accuracies: list[float] = field(default_factory=list)
    importances: list[np.ndarray] = field(default_factory=list)
    sizes: tuple[int, int] = (0, 0)
    seconds: float = 0.0


@dataclass
class _RealFeatures:
    """A judge's features of the real windows one split uses, looked up by window index."""

    indices: np.ndarray
    values: np.ndarray

    def __getitem__(self, indices: np.ndarray) -> np.ndarray:
        return self.values[np.searchsorted(self.indices, indices)]


def _check_settings(repeats: int, num_cycles: int, max_windows: int, classifiers: Sequence[str]) -> None:
    for name, value in (("repeats", repeats), ("num_cycles", num_cycles), ("max_windows", max_windows)):
        if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
            raise ValueError(f"`{name}` must be a positive integer, got {value!r}.")
    unknown = [c for c in classifiers if c not in JUDGE_NAMES]
    if unknown or not classifiers:
        raise ValueError(f"`classifiers` must be a non-empty subset of {JUDGE_NAMES}, got {list(classifiers)!r}.")


def _floor_sets(
    real: _RealFeatures, split: BlockedSplit, train: np.ndarray, test: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The floor's data: real windows labelled by alternating sub-blocks, split by the same time blocks."""
    labels = _floor_labels(split)
    return real[train], labels[train], real[test], labels[test]


def _candidate_sets(
    judge: Judge,
    real: _RealFeatures,
    train: np.ndarray,
    test: np.ndarray,
    windows: np.ndarray,
    max_windows: int,
    rng: np.random.Generator,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Real (label 1) against candidate windows (label 0), the candidate split at random in the real proportion."""
    order = rng.permutation(len(windows))[:max_windows]
    cut = int(round(len(order) * len(train) / (len(train) + len(test))))
    other = judge.features(windows[order])
    x_train = np.concatenate([real[train], other[:cut]])
    x_test = np.concatenate([real[test], other[cut:]])
    y_train = np.r_[np.ones(len(train), dtype=int), np.zeros(cut, dtype=int)]
    y_test = np.r_[np.ones(len(test), dtype=int), np.zeros(len(order) - cut, dtype=int)]
    return x_train, y_train, x_test, y_test


def _check_both_classes(row: str, y_train: np.ndarray, y_test: np.ndarray) -> None:
    """A classifier needs both labels to learn, and balanced accuracy needs both to be scored."""
    counts = {"train": np.bincount(y_train, minlength=2), "test": np.bincount(y_test, minlength=2)}
    if all(c.min() > 0 for c in counts.values()):
        return
    sizes = ", ".join(f"{part}: {c[1]} real / {c[0]} other" for part, c in counts.items())
    raise ValueError(
        f"The two-sample test of `{row}` has a split with no window of one class ({sizes}); pass more windows "
        "(real windows are split in time blocks, so a few dozen at least)."
    )


def c2st_scores(
    real: Any,
    candidates: Mapping[str, Any],
    classifiers: Sequence[str] = JUDGE_NAMES,
    repeats: int = 5,
    stride: int | None = None,
    num_cycles: int = 3,
    test_fraction: float = 0.3,
    max_windows: int = 2000,
    floor: bool = True,
    channel_names: list[str] | None = None,
    seed: int = 0,
    progress: bool = True,
) -> dict[str, Any]:
    """
    Classifier two-sample test of every candidate against the real windows, with a time-blocked split of the real
    windows (see the module docstring), for each classifier in `classifiers`.

    Args:
        real (`np.ndarray`): Real windows `[N, L, C]` (or `[N, L]`) **in time order**, as cut from the series.
        candidates (`Mapping[str, np.ndarray]`): Generated sets (and baselines) by name, `[M, L, C]` each, in the
            real windows' units.
        classifiers (`Sequence[str]`, defaults to `("minirocket", "features")`): Judges to run (see
            `ts_diffusion_wavelet.evaluation.judges`); MiniRocket is left out for windows shorter than 9 steps.
        repeats (`int`, defaults to 5): Repeats, each with the block pattern shifted by `1 / repeats` of a cycle,
            its own random split of the generated windows and its own classifier seed.
        stride (`int`, *optional*): Time steps between consecutive real windows; inferred from their overlap by
            default (`L`, i.e. no overlap, when it cannot be inferred).
        num_cycles (`int`, defaults to 3): Train/test block alternations over the real windows.
        test_fraction (`float`, defaults to 0.3): Share of every cycle used for testing, before the gaps.
        max_windows (`int`, defaults to 2000): At most this many windows of each set are used (a random subset),
            which bounds the cost.
        floor (`bool`, defaults to `True`): Also score real against real windows (key `"real_vs_real"`).
        channel_names (`list[str]`, *optional*): Used in the names of the statistics.
        seed (`int`, defaults to 0): Seed of the splits, subsets and classifiers.
        progress (`bool`, defaults to `True`): Show a progress bar.

    Returns:
        `dict` with one entry per candidate (and `"real_vs_real"`): per classifier `{"mean", "std", "ci95",
        "values", "balanced_accuracy", "num_train", "num_test", "seconds"}` (the `features` classifier adds
        `"top_features"`: the statistics it relied on, with their medians in both sets), `"strongest"` (the
        classifier with the highest mean score) and `"protocol"` (stride, gap and repeats of the split).
    """
    real = as_windows(real, "real", MIN_WINDOWS)
    _check_settings(repeats, num_cycles, max_windows, classifiers)
    checked = {}
    for name, windows in candidates.items():
        checked[name] = as_windows(windows, name, MIN_WINDOWS)
        check_same_layout(real, checked[name], ("real", name))
    if FLOOR_NAME in checked:
        raise ValueError(f"`{FLOOR_NAME}` is the name of the floor row; name the candidate differently.")
    num_real, length = real.shape[:2]
    inferred = infer_stride(real)
    stride = stride or inferred or length
    judges = [make_judge(name, channel_names) for name in classifiers]
    judges = [j for j in judges if j.name != "minirocket" or length >= MINIROCKET_MIN_LENGTH]
    splits = [
        time_blocked_split(num_real, length, stride, num_cycles, test_fraction, r / repeats) for r in range(repeats)
    ]
    rows = list(checked) + ([FLOOR_NAME] if floor else [])
    tallies = {(row, judge.name): _Tally() for row in rows for judge in judges}
    rng = np.random.default_rng(seed)
    fraction = min(1.0, max_windows / num_real)
    with tqdm(total=repeats * len(judges) * len(rows), desc="Two-sample tests", disable=not progress) as bar:
        for r, split in enumerate(splits):
            train, test = _subsample(split.train, fraction, rng), _subsample(split.test, fraction, rng)
            for judge in judges:
                # 1. The judge's features of this split's real windows (MiniRocket is fitted on the training ones).
                started = time.perf_counter()
                judge_seed = seed * 1000 + r
                judge.fit_features(real[train], judge_seed)
                used = np.union1d(train, test)
                real_features = _RealFeatures(used, judge.features(real[used]))
                shared_seconds = (time.perf_counter() - started) / len(rows)
                # 2. Each row: labelled train and test sets, one classifier trained and scored.
                for row in rows:
                    started = time.perf_counter()
                    if row == FLOOR_NAME:
                        sets = _floor_sets(real_features, split, train, test)
                    else:
                        sets = _candidate_sets(judge, real_features, train, test, checked[row], max_windows, rng)
                    _check_both_classes(row, sets[1], sets[3])
                    result = judge.classify(*sets, seed=judge_seed, explain=row != FLOOR_NAME)
                    tally = tallies[row, judge.name]
                    tally.accuracies.append(result.balanced_accuracy)
                    if result.importances is not None:
                        tally.importances.append(result.importances)
                    tally.sizes = (len(sets[0]), len(sets[2]))
                    tally.seconds += time.perf_counter() - started + shared_seconds
                    bar.update(1)
    protocol = {
        "stride": int(stride),
        "stride_inferred": inferred is not None,
        "gap_windows": splits[0].gap,
        "num_test_blocks": sum(1 for segment in splits[0].segments if segment[2]),
        "repeats": repeats,
    }
    return {row: _summary(row, real, checked, judges, tallies, protocol) for row in rows}


def _summary(
    row: str,
    real: np.ndarray,
    checked: dict[str, np.ndarray],
    judges: list[Judge],
    tallies: dict[tuple[str, str], _Tally],
    protocol: dict[str, Any],
) -> dict[str, Any]:
    """One row's entry: scores per classifier, the strongest classifier, and what gave the windows away."""
    entry: dict[str, Any] = {}
    for judge in judges:
        tally = tallies[row, judge.name]
        entry[judge.name] = {
            **summarize_repeats([abs(v - 0.5) for v in tally.accuracies]),
            "balanced_accuracy": float(np.mean(tally.accuracies)),
            "num_train": tally.sizes[0],
            "num_test": tally.sizes[1],
            "seconds": round(tally.seconds, 2),
        }
        if tally.importances:
            entry[judge.name]["top_features"] = _top_features(
                judge.feature_names,
                tally.importances,
                judge.features(real),
                judge.features(checked[row]),
                TOP_FEATURES,
            )
    strongest = max(judges, key=lambda j: entry[j.name]["mean"])
    entry["strongest"] = {
        "classifier": strongest.name,
        "mean": entry[strongest.name]["mean"],
        "ci95": entry[strongest.name]["ci95"],
    }
    entry["protocol"] = protocol
    return entry
