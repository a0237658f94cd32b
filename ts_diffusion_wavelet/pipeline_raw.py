"""`RawDiffusionPipeline`: the same contract as the scalogram pipeline, over a UNet1DModel on raw windows."""

from __future__ import annotations

from typing import Any

import numpy as np
import torch
from diffusers import UNet1DModel
from diffusers.schedulers.scheduling_utils import SchedulerMixin

from .models import unet1d_length_multiple
from .pipeline_base import OutputType, TimeSeriesDiffusionPipeline
from .pipeline_output import TimeSeriesPipelineOutput


class RawDiffusionPipeline(TimeSeriesDiffusionPipeline):
    r"""
    Pipeline for unconditional time-series generation on the raw (preprocessed) windows.

    The UNet works on windows padded to a multiple of its downsampling factor; the pipeline crops them back to
    `window_size`. Users pick the representation, not a different API: the call matches
    [`ScalogramDiffusionPipeline`].

    Args:
        unet ([`UNet1DModel`]): Denoises windows `[batch, channels, padded_length]`.
        scheduler ([`SchedulerMixin`]): Any diffusers scheduler.
        window_size (`int`): Length of the generated windows (at most the UNet's `sample_size`).
        preprocessing (`dict`, *optional*): `SeriesPreprocessor.to_dict()` of the training data.
        training_config (`dict`, *optional*): The resolved training configuration, kept for reference.
    """

    model_cpu_offload_seq = "unet"

    def __init__(
        self,
        unet: UNet1DModel,
        scheduler: SchedulerMixin,
        window_size: int | None = None,
        preprocessing: dict[str, Any] | None = None,
        training_config: dict[str, Any] | None = None,
    ) -> None:
        super().__init__()
        padded = unet.config.sample_size
        window_size = padded if window_size is None else int(window_size)
        multiple = unet1d_length_multiple(unet)
        if padded % multiple:
            raise ValueError(
                f"The UNet's sample_size {padded} is not a multiple of {multiple}, which its "
                f"{len(unet.config.block_out_channels)} blocks need; build it with models.build_unet1d, which pads "
                "the length."
            )
        if not 1 <= window_size <= padded:
            raise ValueError(
                f"`window_size` must be between 1 and the UNet's sample_size {padded}, got {window_size}."
            )
        self.register_modules(unet=unet, scheduler=scheduler)
        self.register_to_config(window_size=window_size, preprocessing=preprocessing, training_config=training_config)
        self.check_preprocessing()

    @property
    def num_series_channels(self) -> int:
        return self.unet.config.in_channels

    @torch.no_grad()
    def __call__(
        self,
        batch_size: int = 1,
        num_inference_steps: int = 50,
        generator: torch.Generator | list[torch.Generator] | None = None,
        output_type: OutputType = "np",
        return_dict: bool = True,
        start_values: float | np.ndarray | None = None,
    ) -> TimeSeriesPipelineOutput | tuple:
        r"""
        Generate windows of the series.

        Args:
            batch_size (`int`, defaults to 1): Number of windows.
            num_inference_steps (`int`, defaults to 50): Denoising steps.
            generator (`torch.Generator` or `list[torch.Generator]`, *optional*): One generator, or one per window.
            output_type (`str`, defaults to `"np"`): `"np"`, `"pt"` or `"pd"`.
            return_dict (`bool`, defaults to `True`): Return a [`TimeSeriesPipelineOutput`] instead of a tuple.
            start_values (`float` or `np.ndarray`, *optional*): Start levels for differenced or log-return data.

        Returns:
            [`TimeSeriesPipelineOutput`] or `tuple`: the series in the data's own units.
        """
        self.check_call_arguments(batch_size, num_inference_steps, generator, output_type)
        shape = (batch_size, self.unet.config.in_channels, self.unet.config.sample_size)
        # 1-3. Reverse diffusion on padded windows.
        padded = self.denoise(shape, num_inference_steps, generator)
        # 4. Crop the padding the UNet's downsampling needed.
        windows = padded[..., : self.config.window_size]
        # 5. Undo the preprocessing: the data's own units.
        return self.to_output(windows, output_type, start_values, None, return_dict)
