"""What the pipelines return."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import torch
from diffusers.utils import BaseOutput


@dataclass
class TimeSeriesPipelineOutput(BaseOutput):
    """
    Output of the time-series diffusion pipelines.

    Args:
        series (`np.ndarray`, `torch.Tensor` or `list[pd.DataFrame]`):
            Generated windows in the data's own units, `[batch, length, channels]` for `"np"` and `"pt"`, one
            DataFrame per window (columns named like the training data) for `"pd"`.
        scalograms (`np.ndarray`, *optional*):
            The generated model images `[batch, image_channels, height, width]` (normalised scalograms and trend
            planes), returned when asked for with `return_scalograms=True`.
    """

    series: np.ndarray | torch.Tensor | list[pd.DataFrame]
    scalograms: np.ndarray | None = None


@dataclass
class ImputationOutput(BaseOutput):
    """
    Output of [`TimeSeriesDiffusionPipeline.impute`], in the data's units; the known values are bit-identical in
    every sample.

    Args:
        samples (`np.ndarray` or `list[pd.DataFrame]`): `[num_samples, length, channels]`, or one DataFrame per
            sample (the input's index, the columns in the training order) when the series was a DataFrame.
        median (`np.ndarray` or `pd.DataFrame`): `[length, channels]`, the per-step median over the samples.
        quantiles (`dict[float, np.ndarray | pd.DataFrame]`): quantile level -> `[length, channels]`.
    """

    samples: np.ndarray | list[pd.DataFrame]
    median: np.ndarray | pd.DataFrame
    quantiles: dict[float, np.ndarray | pd.DataFrame]


@dataclass
class ForecastOutput(BaseOutput):
    """
    Output of [`TimeSeriesDiffusionPipeline.forecast`], in the data's units: the steps right after the context.

    Args:
        samples (`np.ndarray`): `[num_samples, horizon, channels]`.
        median (`np.ndarray`): `[horizon, channels]`.
        quantiles (`dict[float, np.ndarray]`): quantile level -> `[horizon, channels]`.
    """

    samples: np.ndarray
    median: np.ndarray
    quantiles: dict[float, np.ndarray]
