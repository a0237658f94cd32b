"""Thresholds and events on hand-made scores."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest

from ts_diffusion_wavelet.anomaly import anomaly_threshold, find_events


def test_threshold_is_the_quantile_of_the_reference_scores():
    assert anomaly_threshold(np.arange(101.0), 0.9) == 90.0
    assert anomaly_threshold(pd.Series([1.0, np.nan, 3.0]), 0.5) == 2.0  # NaN ignored


def test_events_are_runs_above_the_threshold_with_their_peak():
    scores = [0.0, 2.0, 3.0, 0.5, 1.0, 5.0, 5.0, 1.5, np.nan, 4.0]
    events = find_events(scores, threshold=1.0)
    assert list(events.columns) == ["start", "end", "peak", "peak_score"]
    assert events[["start", "end", "peak"]].to_numpy().tolist() == [[1, 2, 2], [5, 7, 5], [9, 9, 9]]
    assert events["peak_score"].tolist() == [3.0, 5.0, 4.0]  # at 1.0 exactly: not above; NaN ends a run


def test_no_event_gives_an_empty_table_with_the_columns():
    events = find_events(np.zeros(5), threshold=0.0)
    assert events.empty and list(events.columns) == ["start", "end", "peak", "peak_score"]


def test_a_run_to_the_last_step_is_closed():
    events = find_events([0.0, 2.0, 2.0], 1.0)
    assert events[["start", "end", "peak"]].to_numpy().tolist() == [[1, 2, 1]]


QUANTILE = "`quantile` must be strictly between 0 and 1 (e.g. 0.99), got "
ONE_PER_STEP = "must be one score per step, shape [length]; got shape (3, 2)."


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: anomaly_threshold([1.0, 2.0], 1.0), QUANTILE + "1.0."),
        (lambda: anomaly_threshold([1.0, 2.0], True), QUANTILE + "True."),
        (
            lambda: anomaly_threshold([np.nan], 0.9),
            "`reference_scores` has no finite score; score some normal data first.",
        ),
        (lambda: anomaly_threshold(np.zeros((3, 2)), 0.9), "`reference_scores` " + ONE_PER_STEP),
        (lambda: find_events(np.zeros((3, 2)), 1.0), "`scores` " + ONE_PER_STEP),
        (lambda: find_events([1.0], float("nan")), "`threshold` must be a number, got nan."),
        (lambda: find_events([1.0], "1"), "`threshold` must be a number, got '1'."),
    ],
)
def test_bad_arguments_are_refused(call, message):
    with pytest.raises(ValueError, match=re.escape(message)):
        call()
