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
from ..pipeline_base import TimeSeriesDiffusionPipeline
from ..representations import Representation
from ..schedulers import make_scheduler

logger = logging.getLogger(__name__)

PIPELINE_FOLDER = "pipeline"


def build_export_pipeline(
    model: torch.nn.Module,
    ema: EMAModel | None,
    noise_scheduler: DDPMScheduler,
    representation: Representation,
    preprocessing: dict[str, Any],
    training_config: dict[str, Any],
    sampler: str,
) -> TimeSeriesDiffusionPipeline:
    """
    A pipeline around a copy of `model` carrying the EMA weights (when kept), with the configured sampler.

    The training model is left untouched, so training can go on after a validation export.
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
    )


def save_pipeline(pipeline: TimeSeriesDiffusionPipeline, output_dir: str | Path) -> Path:
    """Save `pipeline` to `output_dir/pipeline`, replacing an older one only once the new one is complete."""
    target = Path(output_dir) / PIPELINE_FOLDER
    with atomic_directory(target) as temporary:
        pipeline.save_pretrained(temporary)
    logger.info("Saved the pipeline to %s", target)
    return target
