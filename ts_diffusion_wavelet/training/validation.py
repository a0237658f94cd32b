"""Periodic checks during training: validation loss with fixed noise, and a plot of generated windows."""

from __future__ import annotations

import logging
from functools import partial
from pathlib import Path

import numpy as np
import torch
from diffusers import DDPMScheduler

from ..batch_sampling import sample_windows
from ..data import PreparedData, WindowDataset
from ..pipeline_base import TimeSeriesDiffusionPipeline
from ..plotting import plot_samples
from ..representations import Representation
from .data_order import batch_generator
from .diffusion_loss import diffusion_loss

logger = logging.getLogger(__name__)

_VALIDATION_SEED = 1234  # fixed noise: validation losses at different steps are comparable
_PLOT_SEED = 0  # the same windows' noise at every validation step, so successive plots show the model's progress


@torch.no_grad()
def validation_loss(
    model: torch.nn.Module,
    dataset: WindowDataset,
    representation: Representation,
    noise_scheduler: DDPMScheduler,
    batch_size: int,
    device: torch.device,
    max_windows: int = 512,
) -> float:
    """Mean denoising loss over up to `max_windows` evenly spaced validation windows, the same noise every time."""
    indices = np.linspace(0, len(dataset) - 1, num=min(len(dataset), max_windows)).astype(int)
    total, count = 0.0, 0
    for batch_number, first in enumerate(range(0, len(indices), batch_size)):
        chosen = indices[first : first + batch_size]
        windows = torch.stack([dataset[int(i)] for i in chosen]).to(device)
        generator = batch_generator(_VALIDATION_SEED, 0, batch_number, 0, device)
        denoiser = partial(representation.denoise, model)
        loss = diffusion_loss(denoiser, representation.clean_sample(windows), noise_scheduler, generator)
        total += float(loss) * len(chosen)
        count += len(chosen)
    return total / count


def save_sample_plot(
    pipeline: TimeSeriesDiffusionPipeline,
    data: PreparedData,
    path: Path,
    num_samples: int,
    num_inference_steps: int,
    step: int,
) -> float | None:
    """
    Generate `num_samples` windows with DDIM and draw them beside real validation (or training) windows.

    Returns:
        `float` or `None`: for scalogram pipelines, the consistency (dB) of the generated images against the
        images of the series they decode to (logged; below ~20 dB the inverse discards most of each image).
    """
    series, images = sample_windows(
        pipeline,
        num_samples,
        num_inference_steps,
        seed=_PLOT_SEED,
        scheduler="ddim",
        return_scalograms=pipeline.representation.has_images,
    )
    dataset = data.validation if data.validation is not None else data.train
    indices = np.linspace(0, len(dataset) - 1, num=min(len(dataset), num_samples)).astype(int)
    windows = torch.stack([dataset[int(i)] for i in indices])
    # Real windows rebuilt from the same default start level as the generated ones, so the paths overlay.
    real = data.preprocessor.inverse_transform(windows)
    real_images, consistency_db = None, None
    if images is not None:
        real_images = pipeline.representation.images(windows).numpy()
        consistency_db = pipeline.representation.consistency_db(torch.from_numpy(images))
        logger.info("step %d: generated scalograms consistent to %.1f dB", step, consistency_db)
    plot_samples(
        series,
        path,
        channel_names=data.channel_names,
        real=real,
        generated_images=images,
        real_images=real_images,
        title=f"Samples at step {step} (DDIM, {num_inference_steps} steps)",
    )
    logger.info("Wrote sample plot %s", path)
    return consistency_db
