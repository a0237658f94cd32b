"""The end of a run: the EMA weights in a pipeline, saved atomically with everything needed to use it."""

from __future__ import annotations

import copy
import logging
from pathlib import Path
from typing import Any

import torch
from diffusers import DDPMScheduler
from diffusers.training_utils import EMAModel

from ..atomic import atomic_directory
from ..data.prepare import PreparedData
from ..pipeline_base import TimeSeriesDiffusionPipeline
from ..representations import Representation
from ..schedulers import make_scheduler
from ..write_errors import WRITE_ERRORS, WriteFailedError, describe_write_failure, is_write_failure

logger = logging.getLogger(__name__)

PIPELINE_FOLDER = "pipeline"
CALIBRATION_STEPS = 25  # how the README samples a trained pipeline: the saved sampler (DPM-Solver++), 25 steps


def build_export_pipeline(
    model: torch.nn.Module,
    ema: EMAModel | None,
    noise_scheduler: DDPMScheduler,
    representation: Representation,
    preprocessing: dict[str, Any],
    training_config: dict[str, Any],
    sampler: str,
    labels: dict[str, Any] | None = None,
) -> TimeSeriesDiffusionPipeline:
    """
    A pipeline around a copy of `model` carrying the EMA weights (when kept), with the configured sampler.

    The training model is left untouched, so training can go on after a validation export. `labels` is the
    [`WindowLabeler`] record of a labelled run.
    """
    unet = copy.deepcopy(model).eval()
    if ema is not None:
        ema.copy_to(unet.parameters())
    scheduler = make_scheduler(sampler, noise_scheduler.config)
    return TimeSeriesDiffusionPipeline(
        unet,
        scheduler,
        representation=representation.to_dict(),
        preprocessing=preprocessing,
        training_config=training_config,
        labels=labels,
    )


def calibrate_on_training_data(
    pipeline: TimeSeriesDiffusionPipeline, data: PreparedData, num_inference_steps: int, seed: int
) -> None:
    """
    Set `pipeline`'s default epsilon scaling to the factor at which its windows change from step to step as much as
    the training rows of `data` do (`--calibrate_epsilon_scaling`), logging what was measured.
    """
    training_rows = data.frame.iloc[: data.train.last_row + data.preprocessor.lag]
    logger.info("Calibrating epsilon scaling on the %d training rows", len(training_rows))
    calibration = pipeline.calibrate_epsilon_scaling(
        training_rows, num_inference_steps=num_inference_steps, seed=seed, progress=False
    )
    logger.info(
        "Epsilon scaling %.4f saved as the sampling default: one-step changes %.3fx the data's (%s; 1: %.3fx)",
        calibration.factor,
        calibration.increment_ratio,
        ", ".join(f"{name} {ratio:.3f}x" for name, ratio in calibration.channel_ratios.items()),
        calibration.tried[0][1],
    )


def save_pipeline(pipeline: TimeSeriesDiffusionPipeline, output_dir: str | Path) -> Path:
    """
    Save `pipeline` to `output_dir/pipeline`, replacing an older one only once the new one is complete.

    Raises:
        WriteFailedError: the write failed (full disk, quota, permissions); the temporary folder is removed, an
            older pipeline is kept, and the message says why, how much space was needed and how to export again.
    """
    target = Path(output_dir) / PIPELINE_FOLDER
    try:
        with atomic_directory(target) as temporary:
            pipeline.save_pretrained(temporary)
    except WRITE_ERRORS as error:
        if not is_write_failure(error):
            raise
        needed = sum(t.numel() * t.element_size() for t in pipeline.unet.state_dict().values())
        kept = "the previous pipeline there is kept" if target.exists() else "nothing was left behind"
        raise WriteFailedError(
            f"Could not write the pipeline to {target}: {describe_write_failure(error, output_dir, needed)}. The "
            f"temporary folder was removed and {kept}. The trained state is in the last checkpoint in {output_dir}: "
            "free some space, then run the same command with --resume_from_checkpoint latest to export it again "
            "without training further."
        ) from error
    logger.info("Saved the pipeline to %s", target)
    return target
