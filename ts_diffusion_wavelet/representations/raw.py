"""Raw windows, zero-padded to the 1-D UNet's multiple, learned by a `UNet1DModel`."""

from __future__ import annotations

import math
from typing import Any

import torch
import torch.nn.functional as F
from diffusers import ModelMixin, UNet1DModel

from ..models import build_unet1d, padded_length, unet1d_length_multiple, unet1d_size_multiple
from .base import Representation


class RawRepresentation(Representation):
    """
    The diffusion runs on the preprocessed windows themselves, zero-padded at the end to a multiple of the UNet's
    downsampling factor (the padding is noised and denoised like the rest, then cropped).

    With a `window_scale` (`--window_scale std`), each window is divided by its own standard deviation per channel
    and the log of that scale, standardised over the training windows, rides along as one constant extra channel
    per series channel: the model generates a window's volatility as one number it can read precisely, instead of
    inferring it from the shape of 256 noisy steps. Decoding projects the generated shape back onto unit standard
    deviation (what every training window had) and multiplies by the generated scale.

    Args:
        num_channels (`int`): Channels of a window.
        window_size (`int`): Steps of a window.
        padded_length (`int`): Length the UNet sees (a multiple of its downsampling factor, `>= window_size`).
        window_scale (`dict`, *optional*): `{"mean": [C], "std": [C]}` of the log window standard deviations of
            the training windows; `None` for plain windows.
    """

    name = "raw"
    tag = "raw"
    summary = "a `UNet1DModel` that denoises the preprocessed windows directly"

    def __init__(
        self, num_channels: int, window_size: int, padded_length: int, window_scale: dict[str, Any] | None = None
    ) -> None:
        if not 1 <= window_size <= padded_length:
            raise ValueError(
                f"`window_size` must be between 1 and the UNet's sample_size {padded_length}, got {window_size}."
            )
        self._num_channels, self._window_size, self.padded_length = num_channels, window_size, padded_length
        self.window_scale = None if window_scale is None else _checked_scale(window_scale, num_channels)

    @classmethod
    def from_training_config(cls, config: Any, sample_windows: torch.Tensor) -> RawRepresentation:
        multiple = unet1d_size_multiple(config.model_preset)
        scale = None
        if getattr(config, "window_scale", "none") == "std":
            log_std = _window_std(sample_windows.double()).log().squeeze(-1)  # [N, C]
            scale = {"mean": log_std.mean(dim=0).tolist(), "std": log_std.std(dim=0).clamp_min(1e-6).tolist()}
        return cls(sample_windows.shape[1], config.window_size, padded_length(config.window_size, multiple), scale)

    @classmethod
    def from_dict(cls, record: dict[str, Any]) -> RawRepresentation:
        window_size = int(record["window_size"])
        if "padded_length" in record:
            padded = int(record["padded_length"])
        else:  # checkpoints of 0.1 recorded the preset instead
            padded = padded_length(window_size, unet1d_size_multiple(record["preset"]))
        return cls(int(record["num_channels"]), window_size, padded, record.get("window_scale"))

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "num_channels": self._num_channels,
            "window_size": self._window_size,
            "padded_length": self.padded_length,
            **({"window_scale": self.window_scale} if self.window_scale is not None else {}),
            **self.label_record(),
        }

    @property
    def state_channels(self) -> int:
        """Channels of a diffusion state: the window's, plus one log-scale channel each when scaled."""
        return self._num_channels * (1 if self.window_scale is None else 2)

    @property
    def num_channels(self) -> int:
        return self._num_channels

    @property
    def window_size(self) -> int:
        return self._window_size

    def sample_shape(self, batch_size: int) -> tuple[int, ...]:
        return (batch_size, self.state_channels, self.padded_length)

    def clean_sample(self, windows: torch.Tensor) -> torch.Tensor:
        if self.window_scale is not None:
            mean, std = self._scale_statistics(windows)
            scale = _window_std(windows)
            planes = ((scale.log() - mean) / std).expand_as(windows)
            windows = torch.cat([windows / scale, planes], dim=1)
        return F.pad(windows, (0, self.padded_length - windows.shape[-1]))

    def known_state(self, windows: torch.Tensor, mask: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        if self.window_scale is not None:
            return super().known_state(windows, mask)  # refuses: the states are scaled windows
        # The padding is never known: the model fills it and it is cropped.
        return self.clean_sample(windows), F.pad(mask, (0, self.padded_length - mask.shape[-1]), value=False)

    def to_windows(self, samples: torch.Tensor) -> torch.Tensor:
        windows = samples[..., : self._window_size]
        if self.window_scale is None:
            return windows
        shape, planes = windows[:, : self._num_channels], windows[:, self._num_channels :]
        mean, std = self._scale_statistics(samples)
        # The plane is constant in every training window: its mean over time is the generated log scale.
        scale = (planes.mean(dim=-1, keepdim=True) * std + mean).exp()
        return shape / _window_std(shape) * scale

    def _scale_statistics(self, like: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        assert self.window_scale is not None
        mean, std = (
            torch.tensor(self.window_scale[key], dtype=like.dtype, device=like.device)[:, None]
            for key in ("mean", "std")
        )
        return mean, std

    def model_input(self, samples: torch.Tensor) -> torch.Tensor:
        return samples

    def model_output(self, output: torch.Tensor) -> torch.Tensor:
        return output

    def build_unet(self, preset: str) -> UNet1DModel:
        unet = build_unet1d(preset, self.state_channels, self._window_size, label_channels=self.num_labels)
        self.check_unet(unet)
        return unet

    def check_unet(self, unet: ModelMixin) -> None:
        if not isinstance(unet, UNet1DModel):
            raise ValueError(f"The raw representation is learned by a UNet1DModel, got a {type(unet).__name__}.")
        multiple = unet1d_length_multiple(unet)
        if unet.config.sample_size % multiple:
            raise ValueError(
                f"The UNet's sample_size {unet.config.sample_size} is not a multiple of {multiple}, which its "
                f"{len(unet.config.block_out_channels)} blocks need; build it with models.build_unet1d, which pads "
                "the length."
            )
        expected = (self.state_channels + self.num_labels, self.padded_length)
        if (unet.config.in_channels, unet.config.sample_size) != expected:
            labels = f" plus {self.num_labels} label channels" if self.num_labels else ""
            raise ValueError(
                f"The UNet takes {unet.config.in_channels} channels x {unet.config.sample_size} steps but the windows "
                f"are {self.state_channels} x {self.padded_length} after padding{labels}; build it with "
                "representation.build_unet(preset)."
            )
        if unet.config.out_channels != self.state_channels:
            raise ValueError(
                f"The UNet returns {unet.config.out_channels} channels but the states have {self.state_channels}; "
                "build it with representation.build_unet(preset)."
            )
        # The UNet was trained on windows padded to the nearest multiple: a shorter window_size never was.
        if padded_length(self._window_size, multiple) != self.padded_length:
            raise ValueError(
                f"window_size {self._window_size} pads to {padded_length(self._window_size, multiple)} steps, not to "
                f"the UNet's {self.padded_length}, which a window_size from {self.padded_length - multiple + 1} to "
                f"{self.padded_length} gives."
            )

    def card_text(self) -> str:
        scaled = (
            " Each window is divided by its own standard deviation per channel, whose standardised log the model "
            "generates as an extra constant channel (`--window_scale std`)."
            if self.window_scale is not None
            else ""
        )
        return (
            f"Raw windows `[channels, length]` after preprocessing, zero-padded at the end to {self.padded_length} "
            f"steps for the UNet's downsampling and cropped back to {self._window_size} after sampling.{scaled}"
        )

    def card_rows(self) -> list[tuple[str, Any]]:
        return [
            ("window", f"{self._num_channels} channels x {self._window_size} steps"),
            *self.label_card_rows(),
        ]


def _window_std(windows: torch.Tensor) -> torch.Tensor:
    """Each window's standard deviation per channel, `[B, C, 1]`, kept away from 0 (a flat window stays finite)."""
    return windows.std(dim=-1, keepdim=True).clamp_min(1e-6)


def _checked_scale(record: Any, num_channels: int) -> dict[str, list[float]]:
    """The `window_scale` record, or a `ValueError` naming what is wrong with it."""
    ok = isinstance(record, dict) and set(record) == {"mean", "std"}
    ok = ok and all(isinstance(record[k], list) and len(record[k]) == num_channels for k in ("mean", "std"))
    ok = ok and all(isinstance(v, (int, float)) and math.isfinite(v) for k in ("mean", "std") for v in record[k])
    if not ok or min(record["std"]) <= 0:
        raise ValueError(
            f"A raw representation's 'window_scale' must be {{'mean': [{num_channels} numbers], 'std': "
            f"[{num_channels} positive numbers]}} (log window std statistics), got {record!r}."
        )
    return {"mean": [float(v) for v in record["mean"]], "std": [float(v) for v in record["std"]]}
