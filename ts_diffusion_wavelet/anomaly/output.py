"""What [`TimeSeriesDiffusionPipeline.anomaly_score`] returns."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from diffusers.utils import BaseOutput


@dataclass
class AnomalyOutput(BaseOutput):
    """
    Reconstruction anomaly scores of a series: how far the model's estimate of each clean window, after noising it,
    lies from the window itself (higher is more unusual). Errors are in model space: the scaled values (or scaled
    differences / log-returns) the model was trained on, so channels and models of the same preprocessing compare.

    Args:
        scores (`np.ndarray` or `pd.Series`): `[length]`, one score per time step: the channel mean of
            `channel_scores` (a Series on the input's index when the series was a DataFrame).
        channel_scores (`np.ndarray` or `pd.DataFrame`): `[length, channels]`, each step's error per channel,
            aggregated (mean or max) over the windows that cover it.
        window_scores (`np.ndarray`): `[windows]`, each window's mean error over its steps and channels.
        window_starts (`np.ndarray`): `[windows]`, the first step of each scored window.
        scale_scores (`np.ndarray`, *optional*): Scalogram models only: `[length, scales]`, each step's squared
            error of the scalogram coefficients per scale row (smallest scale first), aggregated like
            `channel_scores`; `None` when the image's columns are not the window's steps (a folded or resized
            time layout) or for a raw model.
        window_scale_scores (`np.ndarray`, *optional*): Scalogram models only: `[windows, scales]`, each window's
            mean squared coefficient error per scale row: at which time scale a window is unusual.
        seconds_per_1000_steps (`float`): Wall-clock cost of the scoring per 1,000 steps of series.
    """

    scores: np.ndarray | pd.Series
    channel_scores: np.ndarray | pd.DataFrame
    window_scores: np.ndarray
    window_starts: np.ndarray
    scale_scores: np.ndarray | None = None
    window_scale_scores: np.ndarray | None = None
    seconds_per_1000_steps: float = float("nan")
