"""
Sampling many windows in batches, as `tsdw-generate`, `tsdw-evaluate`, the validation plots and the upload plot all
do: window `i` starts from noise seeded by `(seed, i)`, whatever the batch size, the count or the command.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

import numpy as np
import torch
from tqdm.auto import tqdm

from .pipeline_output import TimeSeriesPipelineOutput
from .schedulers import make_scheduler
from .seeding import derived_seed


def window_generator(seed: int, index: int) -> torch.Generator:
    """Window `index`'s CPU generator; `SeedSequence` keeps nearby seeds apart (`seed + index` would share windows)."""
    return torch.Generator().manual_seed(derived_seed(seed, index))


def sample_batches(
    pipeline: Any,
    num_windows: int,
    num_inference_steps: int,
    *,
    seed: int = 0,
    batch_size: int = 64,
    scheduler: str | None = None,
    return_scalograms: bool = False,
    progress: bool = False,
    labels: str | Sequence[str] | None = None,
    guidance_scale: float = 1.0,
    epsilon_scaling: float | None = None,
) -> Iterator[TimeSeriesPipelineOutput]:
    """
    Generate `num_windows` windows with `pipeline`, `batch_size` per call, yielding each call's output (`"np"`).

    Args:
        seed (`int`, defaults to 0): Window `i` is drawn from [`window_generator`]`(seed, i)`.
        batch_size (`int`, defaults to 64): Windows per pipeline call; changes speed and memory, not the windows.
        scheduler (`str`, *optional*): A sampler of [`make_scheduler`] to use instead of the pipeline's own, which
            is put back afterwards.
        return_scalograms (`bool`, defaults to `False`): Also return each batch's generated images.
        progress (`bool`, defaults to `False`): One progress bar over all windows (the pipeline's own is turned off).
        labels (`str` or `list[str]`, *optional*): A labelled model's label for every window, or one per window
            (`num_windows` of them); guidance_scale (`float`, defaults to 1.0), epsilon_scaling (`float`, *optional*):
            as in the pipeline's `__call__` (`None`: the pipeline's default).
    """
    if labels is not None and not isinstance(labels, str) and len(labels) != num_windows:
        raise ValueError(f"Got {len(labels)} labels for {num_windows} windows: pass one label, or one per window.")
    saved_scheduler = pipeline.scheduler
    if scheduler is not None:
        pipeline.scheduler = make_scheduler(scheduler, saved_scheduler.config)
    pipeline.set_progress_bar_config(disable=True)
    description = f"Sampling ({type(pipeline.scheduler).__name__}, {num_inference_steps} steps)"
    try:
        with tqdm(total=num_windows, desc=description, unit="window", disable=not progress) as bar:
            for first in range(0, num_windows, batch_size):
                count = min(batch_size, num_windows - first)
                # Label and scaling arguments only when asked for, so other pipelines are called as before.
                labelled = {}
                if labels is not None:
                    batch_labels = labels if isinstance(labels, str) else list(labels[first : first + count])
                    labelled = {"labels": batch_labels, "guidance_scale": guidance_scale}
                scaled = {"epsilon_scaling": epsilon_scaling} if epsilon_scaling is not None else {}
                yield pipeline(
                    count,
                    num_inference_steps=num_inference_steps,
                    generator=[window_generator(seed, first + i) for i in range(count)],
                    output_type="np",
                    return_scalograms=return_scalograms,
                    **labelled,
                    **scaled,
                )
                bar.update(count)
    finally:
        pipeline.scheduler = saved_scheduler


def sample_windows(
    pipeline: Any, num_windows: int, num_inference_steps: int, **options: Any
) -> tuple[np.ndarray, np.ndarray | None]:
    """
    [`sample_batches`] joined: `(series [num_windows, length, channels] in the data's units, scalograms or None)`.
    `options` are those of [`sample_batches`].
    """
    outputs = list(sample_batches(pipeline, num_windows, num_inference_steps, **options))
    images = [output.scalograms for output in outputs if output.scalograms is not None]
    return np.concatenate([output.series for output in outputs]), (np.concatenate(images) if images else None)
