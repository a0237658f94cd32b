"""
Choosing a trained model's epsilon scaling: the factor at which its freely generated windows change from step to
step as much as the data do (the size of the one-step changes is what too smooth samples get wrong).
"""

from __future__ import annotations

import logging
import math
import warnings
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from .batch_sampling import sample_windows
from .clean_estimate import check_epsilon_scaling

logger = logging.getLogger(__name__)

FIRST_PROBE = 0.01  # the second factor tried, away from 1: 0.87 -> 1.03 over 0.02 on an ETTh1 model
DEFAULT_BOUNDS = (0.9, 1.1)


@dataclass
class EpsilonScalingCalibration:
    """
    The outcome of [`calibrate_epsilon_scaling`], saved in a pipeline's `model_index.json` as `epsilon_scaling`.

    Args:
        factor (`float`): The chosen epsilon scaling (1: none).
        increment_ratio (`float`): Generated over real std of the one-step changes at `factor`, geometric mean over
            the numeric channels (1 is the data's).
        channel_ratios (`dict[str, float]`): The same ratio per channel at `factor`.
        tried (`list[list[float]]`): Every `[factor, increment_ratio]` measured, in order.
        num_windows (`int`), num_inference_steps (`int`), scheduler (`str`): How the windows were sampled.
    """

    factor: float
    increment_ratio: float
    channel_ratios: dict[str, float]
    tried: list[list[float]] = field(default_factory=list)
    num_windows: int = 0
    num_inference_steps: int = 0
    scheduler: str = ""

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, record: Any) -> EpsilonScalingCalibration:
        """
        Raises:
            `ValueError`: When `record` is not a calibration record (a dict with a valid `factor`).
        """
        if not isinstance(record, dict) or "factor" not in record:
            raise ValueError(
                f"`epsilon_scaling` must be the record calibrate_epsilon_scaling saved (a dict with 'factor'), got "
                f"{record!r}; re-run `pipe.calibrate_epsilon_scaling(data)` or remove the key from model_index.json."
            )
        check_epsilon_scaling(record["factor"], "The saved `epsilon_scaling` factor")
        known = {key: record[key] for key in cls.__dataclass_fields__ if key in record}
        known.setdefault("increment_ratio", float("nan"))
        known.setdefault("channel_ratios", {})
        return cls(**known)


def step_change_std(levels: np.ndarray, log_channels: Sequence[bool]) -> np.ndarray:
    """
    Std of the one-step changes per channel, `[C]`, of levels `[T, C]` or windows `[N, T, C]` (changes within each
    window, pooled): log changes (returns) where `log_channels` says so, plain differences elsewhere. NaNs skipped.
    """
    values = np.asarray(levels, dtype=np.float64)
    if values.ndim == 2:
        values = values[None]
    if values.ndim != 3 or values.shape[-1] != len(log_channels) or values.shape[1] < 2:
        raise ValueError(
            f"Expected levels of shape [time, {len(log_channels)}] or [windows, time, {len(log_channels)}] with at "
            f"least 2 steps, got {np.shape(levels)}."
        )
    with np.errstate(divide="ignore", invalid="ignore"):
        logged = np.where(np.asarray(log_channels, dtype=bool), np.log(values), values)
    changes = np.diff(logged, axis=1).reshape(-1, values.shape[-1])
    changes[~np.isfinite(changes)] = np.nan
    with warnings.catch_warnings():  # an all-NaN (categorical) channel has no std: NaN, not a warning
        warnings.simplefilter("ignore", RuntimeWarning)
        return np.nanstd(changes, axis=0)


def calibrate_epsilon_scaling(
    pipeline: Any,
    reference: pd.DataFrame | np.ndarray,
    *,
    num_windows: int = 256,
    num_inference_steps: int = 25,
    scheduler: str | None = None,
    seed: int = 0,
    tolerance: float = 0.01,
    max_rounds: int = 6,
    bounds: tuple[float, float] = DEFAULT_BOUNDS,
    batch_size: int = 64,
    progress: bool = True,
) -> EpsilonScalingCalibration:
    r"""
    Find the epsilon scaling at which `pipeline`'s free windows have the one-step changes of `reference`.

    Samples `num_windows` windows at factor 1, then at 1 ± 0.01, then by the secant rule on the log of the ratio
    until it is within `tolerance` of 1; every round draws window `i` from the same noise (seed `(seed, i)`), so the
    ratio moves with the factor only. The factor closest to the data is returned; when none gets within `tolerance`
    (the model is too rough or too smooth for any factor in `bounds`) a warning says so.

    Args:
        pipeline ([`TimeSeriesDiffusionPipeline`]): The trained pipeline, with its preprocessing record.
        reference (`pd.DataFrame` or `np.ndarray`): The training data in its own units: a series `[T, C]` (a
            DataFrame with the pipeline's channel names as columns, or an array in their order) or windows
            `[N, T, C]`.
        num_windows (`int`, defaults to 256), num_inference_steps (`int`, defaults to 25), scheduler (`str`,
            *optional*), seed (`int`, defaults to 0): How each round samples (the pipeline's own scheduler unless
            `scheduler` names another); the factor is for sampling like this.
        tolerance (`float`, defaults to 0.01): Stop once the ratio is within this of 1.
        max_rounds (`int`, defaults to 6): Sampling rounds at most.
        bounds (`tuple[float, float]`, defaults to `(0.9, 1.1)`): The factors allowed.
        batch_size (`int`, defaults to 64), progress (`bool`, defaults to `True`): Windows per pipeline call, and a
            progress bar for each round.

    Returns:
        [`EpsilonScalingCalibration`]: the factor and every ratio measured.

    Raises:
        `ValueError`: For a reference whose channels do not match the pipeline's, or one without a numeric channel.
    """
    preprocessor = pipeline._preprocessor()
    if preprocessor is None:
        raise ValueError(
            "Calibrating epsilon scaling needs the pipeline's preprocessing record (how the data's units map to the "
            "model's); this pipeline has none."
        )
    low, high = bounds
    check_epsilon_scaling(low, "The lower bound")
    check_epsilon_scaling(high, "The upper bound")
    if not low <= 1 <= high:
        raise ValueError(f"`bounds` must include 1 (no scaling), got {bounds!r}.")
    channels = preprocessor.to_dict()["channels"]
    names = [record["name"] for record in channels]
    numeric = np.array([record.get("categorical") is None for record in channels])
    log_channels = [record.get("target_transform") == "log_return" for record in channels]
    if not numeric.any():
        raise ValueError("Every channel of this model is categorical; epsilon scaling is calibrated on numeric ones.")
    real_std = step_change_std(_reference_levels(reference, names, numeric), log_channels)
    if not np.all(np.isfinite(real_std[numeric]) & (real_std[numeric] > 0)):
        raise ValueError(
            f"The reference's one-step changes have std {dict(zip(names, real_std.round(6).tolist(), strict=True))}; "
            "every numeric channel needs changes that vary. Pass the data the model was trained on."
        )
    labels = "by_frequency" if pipeline.label_names else None
    sampler_name = scheduler or type(pipeline.scheduler).__name__
    per_channel: dict[float, np.ndarray] = {}

    def measure(factor: float) -> float:
        windows, _ = sample_windows(
            pipeline,
            num_windows,
            num_inference_steps,
            seed=seed,
            batch_size=batch_size,
            scheduler=scheduler,
            progress=progress,
            labels=labels,
            epsilon_scaling=factor,
        )
        ratios = step_change_std(windows, log_channels) / real_std
        ratio = float(np.exp(np.mean(np.log(ratios[numeric]))))
        per_channel[factor] = ratios
        logger.info("Epsilon scaling %.4f: one-step changes %.3fx the data's", factor, ratio)
        return ratio

    tried = search_factor(measure, tolerance, max_rounds, (low, high))
    factor, ratio = min(tried, key=lambda pair: abs(math.log(pair[1])))
    if abs(ratio - 1) > tolerance:
        logger.warning(
            "No epsilon scaling in [%g, %g] brought the one-step changes within %g of the data's; the closest, "
            "%.4f, gives %.3fx (tried %s).",
            low,
            high,
            tolerance,
            factor,
            ratio,
            ", ".join(f"{f:.4f}: {r:.3f}x" for f, r in tried),
        )
    return EpsilonScalingCalibration(
        factor=round(factor, 6),
        increment_ratio=ratio,
        channel_ratios={
            name: float(value) for name, value, keep in zip(names, per_channel[factor], numeric, strict=True) if keep
        },
        tried=tried,
        num_windows=int(num_windows),
        num_inference_steps=int(num_inference_steps),
        scheduler=sampler_name,
    )


def search_factor(
    measure: Callable[[float], float], tolerance: float, max_rounds: int, bounds: tuple[float, float]
) -> list[list[float]]:
    """
    The factors tried, `[factor, ratio]` in order, looking for `measure(factor)` within `tolerance` of 1: 1 first,
    then 1 ± 0.01 towards the data, then the secant rule on the log of the ratio, inside `bounds`. Stops after
    `max_rounds`, at a bound, or when the ratio does not grow with the factor (sampling noise, or no effect).
    """
    tried: list[list[float]] = []

    def probe(factor: float) -> float:
        ratio = measure(factor)
        tried.append([factor, ratio])
        return ratio

    def within(ratio: float) -> bool:
        return abs(ratio - 1) <= tolerance

    low, high = bounds
    previous, ratio_previous = 1.0, probe(1.0)
    if within(ratio_previous) or max_rounds < 2:
        return tried
    current = float(np.clip(1 + (FIRST_PROBE if ratio_previous < 1 else -FIRST_PROBE), low, high))
    ratio_current = probe(current)
    while not within(ratio_current) and len(tried) < max_rounds:
        slope = (math.log(ratio_current) - math.log(ratio_previous)) / (current - previous)
        if not slope > 0:
            break
        proposal = float(np.clip(current - math.log(ratio_current) / slope, low, high))
        if proposal == current:  # pinned at a bound
            break
        previous, ratio_previous = current, ratio_current
        current, ratio_current = proposal, probe(proposal)
    return tried


def _reference_levels(reference: pd.DataFrame | np.ndarray, names: list[str], numeric: np.ndarray) -> np.ndarray:
    """The reference as levels `[..., C]` in the model's channel order; categorical (one-hot) channels are NaN."""
    wanted = [name for name, keep in zip(names, numeric, strict=True) if keep]
    if isinstance(reference, pd.DataFrame):
        missing = [name for name in wanted if name not in reference.columns]
        if missing:
            raise ValueError(
                f"The reference has no column {missing}; the model was trained on {wanted}. Pass the training data."
            )
        values = reference[wanted].to_numpy(dtype=np.float64)
    else:
        values = np.asarray(reference, dtype=np.float64)
        if values.ndim not in (2, 3) or values.shape[-1] not in (len(names), len(wanted)):
            raise ValueError(
                f"The reference must be a series [time, {len(wanted)}] or windows [windows, time, {len(wanted)}] "
                f"with the model's channels {wanted}, got shape {values.shape}."
            )
        if values.shape[-1] == len(names):
            values = values[..., numeric]
    levels = np.full(values.shape[:-1] + (len(names),), np.nan)
    levels[..., numeric] = values
    return levels
