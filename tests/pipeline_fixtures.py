"""Tiny seeded pipelines of both representations, as diffusers' own pipeline tests build them."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
import torch
from diffusers import DDPMScheduler

from ts_diffusion_wavelet.data import SeriesPreprocessor, geometric_prices
from ts_diffusion_wavelet.models import build_unet1d
from ts_diffusion_wavelet.pipeline_base import TimeSeriesDiffusionPipeline
from ts_diffusion_wavelet.representations import RawRepresentation, Representation, ScalogramRepresentation
from ts_diffusion_wavelet.scalogram import ScalogramTransform

CHANNELS = ["EURUSD", "GBPUSD"]
WINDOW = 30  # not a multiple of the UNets' downsampling: exercises padding (raw) and resizing (scalogram)


def tiny_preprocessing(target_transform: str = "log_return") -> dict[str, Any]:
    """A fitted two-channel preprocessing record (GARCH prices around 1.0)."""
    prices = geometric_prices(400, shape=(2,)).T  # [T, C]
    return SeriesPreprocessor(target_transform=target_transform).fit(prices, channel_names=CHANNELS).to_dict()


def tiny_scheduler() -> DDPMScheduler:
    return DDPMScheduler(num_train_timesteps=50, clip_sample=False)


def _pipeline(
    unet: torch.nn.Module, representation: Representation, preprocessing: dict | None, training_config: dict | None
) -> TimeSeriesDiffusionPipeline:
    pipeline = TimeSeriesDiffusionPipeline(
        unet,
        tiny_scheduler(),
        representation=representation.to_dict(),
        preprocessing=preprocessing,
        training_config=training_config,
    )
    pipeline.set_progress_bar_config(disable=True)
    return pipeline


def make_raw_pipeline(
    preprocessing: dict | None = None, training_config: dict | None = None
) -> TimeSeriesDiffusionPipeline:
    """A 16k-parameter 1-D UNet on windows of 30 (padded to 32)."""
    torch.manual_seed(0)
    unet = build_unet1d("tiny", in_channels=2, window_size=WINDOW).eval()
    return _pipeline(unet, RawRepresentation(2, WINDOW, unet.config.sample_size), preprocessing, training_config)


def make_tiny_transform(window_size: int = 32) -> ScalogramTransform:
    """16 scales, 16x16 images, time folded in two: 2 channels x (2 phases + 1 mean plane) = 6 image channels."""
    windows = torch.from_numpy(np.random.default_rng(0).standard_normal((16, 2, window_size))).float()
    return ScalogramTransform(window_size=window_size, num_channels=2, num_scales=16, image_height=16).fit(windows)


def make_scalogram_pipeline(
    preprocessing: dict | None = None,
    training_config: dict | None = None,
    diffusion_space: str = "series",
    unet: str = "1d",
) -> TimeSeriesDiffusionPipeline:
    """
    A tiny UNet on 6 x 16 x 16 scalograms of windows of 32: by default a 1-D UNet over the 96 (plane, scale) rows;
    `unet="2d"` a 40k-parameter 2-D UNet (the only kind version 0.1 had, with `diffusion_space="image"`).
    """
    representation = ScalogramRepresentation(make_tiny_transform(), diffusion_space, unet)
    torch.manual_seed(0)
    return _pipeline(representation.build_unet("tiny").eval(), representation, preprocessing, training_config)


@pytest.fixture
def raw_pipe() -> TimeSeriesDiffusionPipeline:
    return make_raw_pipeline(tiny_preprocessing())


@pytest.fixture
def scalogram_pipe() -> TimeSeriesDiffusionPipeline:
    return make_scalogram_pipeline(tiny_preprocessing())


@pytest.fixture(params=["raw", "scalogram"])
def any_pipe(request):
    """Each test that takes it runs once per representation: the contract is the same."""
    return request.getfixturevalue(f"{request.param}_pipe")
