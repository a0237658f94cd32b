"""The anomaly figure: the series, its score with the threshold, and the top events shaded in both."""

from __future__ import annotations

import os
from collections.abc import Sequence

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from ..atomic import atomic_file


def plot_anomalies(
    series: np.ndarray,
    scores: np.ndarray,
    path: str | os.PathLike,
    *,
    channel_names: Sequence[str],
    events: pd.DataFrame,
    threshold: float | None = None,
    time: Sequence | None = None,
    top: int = 5,
    title: str = "Anomaly scores",
) -> None:
    """
    Draw each channel of `series` above the score, with the `top` events (by peak score) shaded.

    Args:
        series (`np.ndarray`): `[length, channels]` in the data's units.
        scores (`np.ndarray`): `[length]`.
        path (`str` or `os.PathLike`): PNG file to write (atomically).
        channel_names (`Sequence[str]`): One name per channel.
        events (`pd.DataFrame`): [`find_events`]' table (positions `start`, `end`, `peak`, `peak_score`).
        threshold (`float`, *optional*): Drawn as a dashed line on the score.
        time (`Sequence`, *optional*): The x values (timestamps); steps when not given.
        top (`int`, defaults to 5): Events shaded and numbered, highest peak first.
        title (`str`): Figure title.
    """
    series = np.asarray(series, dtype="float64").reshape(len(scores), -1)
    x = np.arange(len(scores)) if time is None else np.asarray(time)
    rows = series.shape[1] + 1
    # A bare Figure, not pyplot: drawing never touches the user's backend (a notebook keeps its own).
    figure = Figure(figsize=(12, 1.9 * rows + 0.6))
    axes = figure.subplots(rows, 1, sharex=True, squeeze=False)[:, 0]
    for channel, axis in enumerate(axes[:-1]):
        axis.plot(x, series[:, channel], color="0.25", linewidth=0.7)
        axis.set_ylabel(channel_names[channel])
    axes[-1].plot(x, scores, color="tab:red", linewidth=0.8)
    axes[-1].set_ylabel("anomaly score")
    if threshold is not None:
        axes[-1].axhline(threshold, color="tab:red", linestyle="--", linewidth=0.8, label=f"threshold {threshold:.3g}")
        axes[-1].legend(loc="upper left", fontsize=8)
    ranked = events.sort_values("peak_score", ascending=False).head(top)
    for rank, event in enumerate(ranked.itertuples(), start=1):
        end = x[min(event.end + 1, len(x) - 1)]  # to the next step, so a one-step event is visible
        for axis in axes:
            axis.axvspan(x[event.start], end, color="tab:orange", alpha=0.3, linewidth=0)
        axes[-1].annotate(str(rank), (x[event.peak], event.peak_score), fontsize=8, ha="center", va="bottom")
    axes[-1].set_xlabel("time" if time is not None else "step")
    figure.suptitle(f"{title} (top {len(ranked)} of {len(events)} events shaded)")
    figure.tight_layout()
    with atomic_file(path) as temporary:
        figure.savefig(temporary, format="png", dpi=110)
