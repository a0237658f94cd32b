"""Raw windows, zero-padded to the 1-D UNet's multiple, learned by a `UNet1DModel`."""

from __future__ import annotations

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

    Args:
        num_channels (`int`): Channels of a window.
        window_size (`int`): Steps of a window.
        padded_length (`int`): Length the UNet sees (a multiple of its downsampling factor, `>= window_size`).
    """

    name = "raw"
    tag = "raw"
    summary = "a `UNet1DModel` that denoises the preprocessed windows directly"
    supports_known_channels = True  # the UNet's input is the padded window itself

    def __init__(self, num_channels: int, window_size: int, padded_length: int) -> None:
        if not 1 <= window_size <= padded_length:
            raise ValueError(
                f"`window_size` must be between 1 and the UNet's sample_size {padded_length}, got {window_size}."
            )
        self._num_channels, self._window_size, self.padded_length = num_channels, window_size, padded_length

    @classmethod
    def from_training_config(cls, config: Any, sample_windows: torch.Tensor) -> RawRepresentation:
        multiple = unet1d_size_multiple(config.model_preset)
        return cls(sample_windows.shape[1], config.window_size, padded_length(config.window_size, multiple))

    @classmethod
    def from_dict(cls, record: dict[str, Any]) -> RawRepresentation:
        window_size = int(record["window_size"])
        if "padded_length" in record:
            padded = int(record["padded_length"])
        else:  # checkpoints of 0.1 recorded the preset instead
            padded = padded_length(window_size, unet1d_size_multiple(record["preset"]))
        return cls(int(record["num_channels"]), window_size, padded)

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "num_channels": self._num_channels,
            "window_size": self._window_size,
            "padded_length": self.padded_length,
            **self.conditioning_record(),
        }

    @property
    def num_channels(self) -> int:
        return self._num_channels

    @property
    def window_size(self) -> int:
        return self._window_size

    def sample_shape(self, batch_size: int) -> tuple[int, ...]:
        return (batch_size, self._num_channels, self.padded_length)

    def clean_sample(self, windows: torch.Tensor) -> torch.Tensor:
        return F.pad(windows, (0, self.padded_length - windows.shape[-1]))

    def known_state(self, windows: torch.Tensor, mask: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        # The padding is never known: the model fills it and it is cropped.
        return self.clean_sample(windows), F.pad(mask, (0, self.padded_length - mask.shape[-1]), value=False)

    def to_windows(self, samples: torch.Tensor) -> torch.Tensor:
        return samples[..., : self._window_size]

    def model_input(self, samples: torch.Tensor) -> torch.Tensor:
        return samples

    def model_output(self, output: torch.Tensor) -> torch.Tensor:
        return output

    def build_unet(self, preset: str) -> UNet1DModel:
        unet = build_unet1d(preset, self._num_channels, self._window_size, extra_channels=self.extra_input_channels)
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
        expected = (self._num_channels + self.extra_input_channels, self.padded_length)
        if (unet.config.in_channels, unet.config.sample_size) != expected:
            labels = f" plus {self.num_labels} label channels" if self.num_labels else ""
            labels += f" plus {self.known_channels} known-value channels" if self.known_channels else ""
            raise ValueError(
                f"The UNet takes {unet.config.in_channels} channels x {unet.config.sample_size} steps but the windows "
                f"are {self._num_channels} x {self.padded_length} after padding{labels}; build it with "
                "representation.build_unet(preset)."
            )
        if unet.config.out_channels != self._num_channels:
            raise ValueError(
                f"The UNet returns {unet.config.out_channels} channels but the windows have {self._num_channels}; "
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
        return (
            f"Raw windows `[channels, length]` after preprocessing, zero-padded at the end to {self.padded_length} "
            f"steps for the UNet's downsampling and cropped back to {self._window_size} after sampling."
        )

    def card_rows(self) -> list[tuple[str, Any]]:
        return [
            ("window", f"{self._num_channels} channels x {self._window_size} steps"),
            *self.label_card_rows(),
            *self.known_card_rows(),
        ]
