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
