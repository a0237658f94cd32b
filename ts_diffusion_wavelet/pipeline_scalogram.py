"""`ScalogramDiffusionPipeline`: sample Morlet scalograms with a UNet2DModel and invert them into series."""

from __future__ import annotations

from typing import Any

import numpy as np
import torch
from diffusers import UNet2DModel
from diffusers.schedulers.scheduling_utils import SchedulerMixin

from .pipeline_base import OutputType, TimeSeriesDiffusionPipeline
from .pipeline_output import TimeSeriesPipelineOutput
from .scalogram import ScalogramTransform


class ScalogramDiffusionPipeline(TimeSeriesDiffusionPipeline):
    r"""
    Pipeline for unconditional time-series generation on invertible Morlet scalograms.

    The UNet generates images laid out by a [`ScalogramTransform`] (signed wavelet coefficients, trend planes);
    the transform's least-squares inverse turns them into windows and the saved preprocessing record turns those
    into series in the data's own units.

    Args:
        unet ([`UNet2DModel`]): Denoises scalogram images.
        scheduler ([`SchedulerMixin`]): Any diffusers scheduler (DDPM, DDIM, DPM-Solver++, ...).
        transform_config (`dict`): [`ScalogramTransform.config`], fitted statistics included.
        preprocessing (`dict`, *optional*): `SeriesPreprocessor.to_dict()` of the training data; without it the
            output stays in model units.
        training_config (`dict`, *optional*): The resolved training configuration, kept for reference.
    """

    model_cpu_offload_seq = "unet"

    def __init__(
        self,
        unet: UNet2DModel,
        scheduler: SchedulerMixin,
        transform_config: dict[str, Any] | None = None,
        preprocessing: dict[str, Any] | None = None,
        training_config: dict[str, Any] | None = None,
    ) -> None:
        super().__init__()
        if transform_config is None:
            raise ValueError(
                "ScalogramDiffusionPipeline needs `transform_config` (ScalogramTransform.config) to turn images "
                "back into series; a saved pipeline keeps it in model_index.json."
            )
        self.register_modules(unet=unet, scheduler=scheduler)
        self.register_to_config(
            transform_config=transform_config, preprocessing=preprocessing, training_config=training_config
        )
        self.scalogram_transform = ScalogramTransform.from_config(transform_config)
        expected = self.scalogram_transform.image_channels
        if unet.config.in_channels != expected:
            raise ValueError(
                f"The UNet takes {unet.config.in_channels} channels but the transform lays windows out in {expected}; "
                "build the UNet with in_channels=transform.image_channels."
            )
        self.check_preprocessing()

    @property
    def num_series_channels(self) -> int:
        return self.scalogram_transform.num_channels

    @torch.no_grad()
    def __call__(
        self,
        batch_size: int = 1,
        num_inference_steps: int = 50,
        generator: torch.Generator | list[torch.Generator] | None = None,
        output_type: OutputType = "np",
        return_dict: bool = True,
        return_scalograms: bool = False,
        start_values: float | np.ndarray | None = None,
    ) -> TimeSeriesPipelineOutput | tuple:
        r"""
        Generate windows of the series.

        Args:
            batch_size (`int`, defaults to 1): Number of windows.
            num_inference_steps (`int`, defaults to 50): Denoising steps; DDIM or DPM-Solver++ need 20-50, DDPM
                its full training schedule for best quality.
            generator (`torch.Generator` or `list[torch.Generator]`, *optional*): One generator, or one per window
                (a batch of N with N generators equals N single runs).
            output_type (`str`, defaults to `"np"`): `"np"` or `"pt"` for `[batch, length, channels]`, `"pd"` for
                a list of DataFrames.
            return_dict (`bool`, defaults to `True`): Return a [`TimeSeriesPipelineOutput`] instead of a tuple.
            return_scalograms (`bool`, defaults to `False`): Also return the generated images.
            start_values (`float` or `np.ndarray`, *optional*): Start levels when the data was modelled as
                differences or log-returns (per channel `[channels]` or per window `[batch, channels]`); defaults
                to the last training level.

        Returns:
            [`TimeSeriesPipelineOutput`] or `tuple`: the series (and the scalograms if asked for).
        """
        self.check_call_arguments(batch_size, num_inference_steps, generator, output_type)
        height, width = self.scalogram_transform.image_size
        shape = (batch_size, self.scalogram_transform.image_channels, height, width)
        # 1-3. Reverse diffusion in image space.
        images = self.denoise(shape, num_inference_steps, generator)
        # 4. Inverse CWT: images -> model-space windows [batch, channels, length], computed in float32.
        windows = self.scalogram_transform.from_image(images.float())
        # 5. Undo the preprocessing: the data's own units.
        return self.to_output(windows, output_type, start_values, images if return_scalograms else None, return_dict)
