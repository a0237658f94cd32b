"""
From scores to alarms: a threshold from a quantile of scores on normal (training) data, and events, the contiguous
runs of steps above it, with their start, end and peak.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

EVENT_COLUMNS: tuple[str, ...] = ("start", "end", "peak", "peak_score")


def anomaly_threshold(reference_scores: np.ndarray | pd.Series | Sequence[float], quantile: float = 0.99) -> float:
    """
    The score a fraction `quantile` of the reference scores stays at or below: computed on scores of data known to
    be normal (the training part), it flags about `1 - quantile` of normal steps.

    Args:
        reference_scores (array-like `[length]`): Scores of normal data (NaN ignored).
        quantile (`float`, defaults to 0.99): Strictly between 0 and 1.

    Returns:
        `float`: the threshold.
    """
    if isinstance(quantile, bool) or not isinstance(quantile, (int, float)) or not 0 < quantile < 1:
        raise ValueError(f"`quantile` must be strictly between 0 and 1 (e.g. 0.99), got {quantile!r}.")
    values = _as_scores(reference_scores, "reference_scores")
    values = values[~np.isnan(values)]
    if len(values) == 0:
        raise ValueError("`reference_scores` has no finite score; score some normal data first.")
    return float(np.quantile(values, quantile))


def find_events(scores: np.ndarray | pd.Series | Sequence[float], threshold: float) -> pd.DataFrame:
    """
    The events of `scores`: every maximal run of consecutive steps whose score is above `threshold`.

    Args:
        scores (array-like `[length]`): One score per step (NaN counts as below the threshold).
        threshold (`float`): E.g. from [`anomaly_threshold`].

    Returns:
        `pd.DataFrame` with one row per event, in time order, and the columns `start` and `end` (positions of the
        first and last step above the threshold, both inclusive), `peak` (position of the highest score) and
        `peak_score`; with no event it is empty with those columns.
    """
    values = _as_scores(scores, "scores")
    if isinstance(threshold, bool) or not isinstance(threshold, (int, float, np.floating)) or np.isnan(threshold):
        raise ValueError(f"`threshold` must be a number, got {threshold!r}.")
    above = np.nan_to_num(values, nan=-np.inf) > threshold
    # Run edges: +1 where a run starts, -1 one past where it ends.
    edges = np.diff(np.concatenate([[0], above.astype(np.int8), [0]]))
    starts, ends = np.flatnonzero(edges == 1), np.flatnonzero(edges == -1) - 1
    peaks = [int(start + np.argmax(values[start : end + 1])) for start, end in zip(starts, ends, strict=True)]
    return pd.DataFrame(
        {
            "start": starts.astype(int),
            "end": ends.astype(int),
            "peak": np.array(peaks, dtype=int),
            "peak_score": values[peaks] if peaks else np.array([], dtype=float),
        },
        columns=list(EVENT_COLUMNS),
    )


def _as_scores(scores: np.ndarray | pd.Series | Sequence[float], name: str) -> np.ndarray:
    values = np.asarray(scores, dtype="float64")
    if values.ndim != 1:
        raise ValueError(f"`{name}` must be one score per step, shape [length]; got shape {values.shape}.")
    return values
