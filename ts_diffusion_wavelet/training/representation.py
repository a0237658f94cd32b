"""What the UNet learns: scalogram images (UNet2DModel) or padded raw windows (UNet1DModel)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol

import torch
import torch.nn.functional as F

from ..models import build_unet1d, build_unet2d, padded_length, unet1d_size_multiple
from ..pipeline_base import TimeSeriesDiffusionPipeline
from ..pipeline_raw import RawDiffusionPipeline
from ..pipeline_scalogram import ScalogramDiffusionPipeline
from ..scalogram import ScalogramConfig, ScalogramTransform
from .config import TrainingConfig


class Representation(Protocol):
    """How windows `[B, C, L]` become the UNet's samples, and which model and pipeline go with them."""

    name: str

    def encode(self, windows: torch.Tensor) -> torch.Tensor: ...

    def build_unet(self, preset: str) -> torch.nn.Module: ...

    def make_pipeline(
        self, unet: torch.nn.Module, scheduler: Any, preprocessing: dict[str, Any], training_config: dict[str, Any]
    ) -> TimeSeriesDiffusionPipeline: ...

    def to_dict(self) -> dict[str, Any]: ...


@dataclass
class ScalogramRepresentation:
    """Windows -> normalised Morlet scalogram images with trend planes, learned by a `UNet2DModel`."""

    transform: ScalogramTransform
    name: str = "scalogram"

    def encode(self, windows: torch.Tensor) -> torch.Tensor:
        return self.transform.to_image(windows)

    def build_unet(self, preset: str) -> torch.nn.Module:
        return build_unet2d(preset, self.transform.image_channels, self.transform.image_size)

    def make_pipeline(self, unet, scheduler, preprocessing, training_config) -> ScalogramDiffusionPipeline:
        return ScalogramDiffusionPipeline(
            unet=unet,
            scheduler=scheduler,
            transform_config=self.transform.config,
            preprocessing=preprocessing,
            training_config=training_config,
        )

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "transform_config": self.transform.config}


@dataclass
class RawRepresentation:
    """Windows zero-padded at the end to the 1-D UNet's multiple, learned by a `UNet1DModel`."""

    num_channels: int
    window_size: int
    preset: str
    name: str = "raw"

    @property
    def padded_length(self) -> int:
        return padded_length(self.window_size, unet1d_size_multiple(self.preset))

    def encode(self, windows: torch.Tensor) -> torch.Tensor:
        return F.pad(windows, (0, self.padded_length - windows.shape[-1]))

    def build_unet(self, preset: str) -> torch.nn.Module:
        return build_unet1d(preset, self.num_channels, self.window_size)

    def make_pipeline(self, unet, scheduler, preprocessing, training_config) -> RawDiffusionPipeline:
        return RawDiffusionPipeline(
            unet=unet,
            scheduler=scheduler,
            window_size=self.window_size,
            preprocessing=preprocessing,
            training_config=training_config,
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "num_channels": self.num_channels,
            "window_size": self.window_size,
            "preset": self.preset,
        }


def build_representation(config: TrainingConfig, sample_windows: torch.Tensor) -> Representation:
    """
    Build the configured representation; the scalogram transform fits its normalisation on `sample_windows`.

    Args:
        config ([`TrainingConfig`]): The run's configuration.
        sample_windows (`torch.Tensor`): Training windows `[N, C, L]` (a seeded sample is enough).
    """
    num_channels = sample_windows.shape[1]
    if config.representation == "raw":
        return RawRepresentation(num_channels, config.window_size, config.model_preset)
    transform = ScalogramTransform(
        ScalogramConfig(
            window_size=config.window_size,
            num_channels=num_channels,
            wavelet=config.wavelet,
            num_scales=config.num_scales,
            image_height=config.image_size,
            image_width=config.image_width,
            time_layout=config.time_layout,
            detrend=config.detrend,
        )
    )
    return ScalogramRepresentation(transform.fit(sample_windows))


def representation_from_dict(record: dict[str, Any]) -> Representation:
    """Rebuild a representation saved with a checkpoint (so a resumed run keeps its fitted statistics)."""
    if record["name"] == "raw":
        return RawRepresentation(record["num_channels"], record["window_size"], record["preset"])
    return ScalogramRepresentation(ScalogramTransform.from_config(record["transform_config"]))
