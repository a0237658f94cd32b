"""
How `bench_anomaly.py` grades a score series against NAB's labelled windows, and its two baselines.

- ROC-AUC and PR-AUC (scikit-learn's `average_precision_score`) at time-step level: a step is positive when it lies
  in a labelled window.
- Event recall at a false-alarm budget of 1 per 1,000 steps: an alarm is a step whose score is above a threshold; a
  false alarm is a run of consecutive alarms outside every labelled window (one event however long); the threshold
  is the lowest at which the false alarms number at most `floor(steps / 1000)`; a labelled window is recalled when
  at least one alarm falls inside it.

Baselines: a causal rolling z-score, `|x_t - mean| / std` over the `window` steps before `t`; and scikit-learn's
`IsolationForest` on features of the `window` steps up to `t` (the value, the window's mean, standard deviation,
minimum, maximum, last step and distance of the value from the mean), fitted on the probationary part. Each also
smoothed by a centred mean over the same window (`window_mean`), since NAB's labels are long windows.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from sklearn.ensemble import IsolationForest
from sklearn.metrics import average_precision_score, roc_auc_score

FALSE_ALARMS_PER_STEP = 1 / 1000


def runs(mask: np.ndarray) -> list[tuple[int, int]]:
    """Maximal runs of True in `mask` as inclusive `(start, end)` positions."""
    edges = np.diff(np.concatenate([[0], mask.astype(np.int8), [0]]))
    return list(zip(np.flatnonzero(edges == 1).tolist(), (np.flatnonzero(edges == -1) - 1).tolist(), strict=True))


def event_recall(scores: np.ndarray, labels: np.ndarray, budget: float = FALSE_ALARMS_PER_STEP) -> tuple[float, float]:
    """`(recall of labelled windows, threshold)` at the lowest threshold whose false-alarm events fit the budget."""
    windows = runs(labels)
    allowed = int(np.floor(len(scores) * budget))
    candidates = np.unique(np.quantile(scores, np.linspace(0.5, 1.0, 1001)))
    for threshold in candidates:  # ascending: the first that fits gives the most alarms, so the highest recall
        alarms = scores > threshold
        if len(runs(alarms & ~labels)) <= allowed:
            recalled = sum(bool(alarms[start : end + 1].any()) for start, end in windows)
            return recalled / max(len(windows), 1), float(threshold)
    return 0.0, float(candidates[-1])


def grade(scores: np.ndarray, labels: np.ndarray) -> dict[str, float]:
    """ROC-AUC, PR-AUC and event recall of `scores` against boolean `labels` (the scored part only)."""
    recall, threshold = event_recall(scores, labels)
    return {
        "roc_auc": float(roc_auc_score(labels, scores)),
        "pr_auc": float(average_precision_score(labels, scores)),
        "event_recall": recall,
        "threshold": threshold,
    }


def rolling_zscore(values: np.ndarray, window: int) -> np.ndarray:
    """`|x_t - mean| / std` over the `window` steps before `t` (0 where there is no history yet)."""
    past = pd.Series(values).shift(1).rolling(window, min_periods=2)
    z = (values - past.mean().to_numpy()) / (past.std().to_numpy() + 1e-12)
    return np.nan_to_num(np.abs(z), nan=0.0)


def window_mean(scores: np.ndarray, window: int) -> np.ndarray:
    """Each step's score averaged over the `window` steps centred on it: a baseline smoothed the way the diffusion
    score's `aggregation="window"` spreads a window's verdict over its steps."""
    return pd.Series(scores).rolling(window, center=True, min_periods=1).mean().to_numpy()


def window_features(values: np.ndarray, window: int) -> np.ndarray:
    """`[T, 7]` features of the `window` steps up to each `t` (shorter at the start)."""
    rolling = pd.Series(values).rolling(window, min_periods=1)
    mean, std = rolling.mean().to_numpy(), np.nan_to_num(rolling.std().to_numpy())
    step = np.concatenate([[0.0], np.diff(values)])
    return np.stack(
        [values, mean, std, rolling.min().to_numpy(), rolling.max().to_numpy(), step, values - mean], axis=1
    )


def isolation_forest(values: np.ndarray, train_end: int, window: int, seed: int = 0) -> np.ndarray:
    """Anomaly scores (higher: more unusual) of every step by an `IsolationForest` fitted on the first steps."""
    features = window_features(values, window)
    forest = IsolationForest(n_estimators=200, random_state=seed).fit(features[:train_end])
    return -forest.score_samples(features)
