"""
A user's series brought into the model's space for scoring: the checks of the conditional jobs (columns, channels,
finite values), a NaN policy, and the preprocessing as trained (levels -> differences or log-returns, scaling).
"""

from __future__ import annotations

from typing import Any, Literal

import numpy as np
import pandas as pd

from ..conditional_jobs import SeriesLike, _levels, _model_space
from ..data.partial_series import partial_to_model

NanPolicy = Literal["interpolate"]
NAN_POLICIES: tuple[str, ...] = ("interpolate",)


def model_space_series(
    pipeline: Any, series: SeriesLike, nan_policy: NanPolicy | None
) -> tuple[np.ndarray, pd.DataFrame | None]:
    """
    The series `[T, C]` as the model's scaled values `[T, C]` (float64), and the DataFrame when one came in.

    A differenced or log-return channel has no step into its first row; that row gets 0, the mean training step
    after scaling, so it scores as unremarkable rather than being dropped (scores stay aligned with the rows).
    """
    if nan_policy is not None and nan_policy not in NAN_POLICIES:
        raise ValueError(f"Unknown `nan_policy` {nan_policy!r}; choose one of {NAN_POLICIES} or None (refuse NaN).")
    preprocessor = pipeline._preprocessor()
    if preprocessor is not None and preprocessor.categories:
        raise ValueError(
            f"This model has one-hot categorical channels ({sorted(preprocessor.categories)}); anomaly scoring "
            "needs numeric channels only. Use a model trained without categorical columns."
        )
    levels, frame = _levels(pipeline, series, "series")
    window = pipeline.window_size
    if len(levels) < window:
        raise ValueError(
            f"`series` has {len(levels)} steps; this model scores windows of {window}, so it needs at least "
            f"{window} steps. Pass a longer series."
        )
    missing = np.isnan(levels)
    if missing.any():
        if nan_policy is None:
            row, channel = (int(i) for i in np.argwhere(missing)[0])
            raise ValueError(
                f"`series` has {int(missing.sum())} NaN values, the first at row {row}, channel "
                f"{pipeline.channel_names[channel]!r}; scores need every value. Pass nan_policy='interpolate' to "
                "fill them linearly (the edges with the nearest value), or fill them yourself."
            )
        levels = pd.DataFrame(levels).interpolate(limit_direction="both").to_numpy(dtype="float64")
    _, kinds, loc, scale = _model_space(pipeline)
    values = partial_to_model(levels, kinds, loc, scale)
    return np.nan_to_num(values, nan=0.0), frame
