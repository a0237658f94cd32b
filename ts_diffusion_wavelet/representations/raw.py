"""Raw windows, zero-padded to the 1-D UNet's multiple, learned by a `UNet1DModel`."""

from __future__ import annotations

from typing import Any

import torch
import torch.nn.functional as F
from diffusers import ModelMixin, UNet1DModel

from ..models import build_unet1d, padded_length, unet1d_length_multiple, unet1d_size_multiple
from .base import Representation
from .window_scale import WindowScale


class RawRepresentation(Representation):
    """
    The diffusion runs on the preprocessed windows themselves, zero-padded at the end to a multiple of the UNet's
    downsampling factor (the padding is noised and denoised like the rest, then cropped).

    With a `window_scale` (`--window_scale std|local`), each window is split into a unit-std shape and its log
    volatility path ([`WindowScale`]), which rides along as one extra channel per series channel: the model
    generates a window's volatility as a number (or a smooth path) it can read precisely, instead of inferring it
    from 256 noisy steps. Decoding brings the generated shape back to unit standard deviation and multiplies.

    With `channel_independent` (`--channels independent`), the states stay `[B, C, L]` but the UNet is univariate:
    each channel goes through it as a batch entry of its own (PatchTST's channel independence), so every column is
    read from its own past only and the columns come out independent of each other.

    Args:
        num_channels (`int`): Channels of a window.
        window_size (`int`): Steps of a window.
        padded_length (`int`): Length the UNet sees (a multiple of its downsampling factor, `>= window_size`).
        window_scale (`dict`, *optional*): A [`WindowScale`] record (kind, width and the log volatility's
            statistics over the training windows); `None` for plain windows.
        channel_independent (`bool`, defaults to `False`): One univariate UNet shared by the channels.
    """

    name = "raw"
    tag = "raw"
    summary = "a `UNet1DModel` that denoises the preprocessed windows directly"

    def __init__(
        self,
        num_channels: int,
        window_size: int,
        padded_length: int,
        window_scale: dict[str, Any] | None = None,
        channel_independent: bool = False,
    ) -> None:
        if not 1 <= window_size <= padded_length:
            raise ValueError(
                f"`window_size` must be between 1 and the UNet's sample_size {padded_length}, got {window_size}."
            )
        self._num_channels, self._window_size, self.padded_length = num_channels, window_size, padded_length
        self.window_scale = None if window_scale is None else WindowScale.from_dict(window_scale, num_channels)
        if channel_independent and self.window_scale is not None:
            raise ValueError("A channel-independent raw representation cannot also scale windows; drop one of them.")
        self.channel_independent = bool(channel_independent)

    @classmethod
    def from_training_config(cls, config: Any, sample_windows: torch.Tensor) -> RawRepresentation:
        multiple = unet1d_size_multiple(config.model_preset)
        scale = None
        kind = getattr(config, "window_scale", "none")
        if kind != "none":
            scale = WindowScale.fit(sample_windows, kind, getattr(config, "scale_width", 32)).to_dict()
        independent = getattr(config, "channels", "joint") == "independent"
        padded = padded_length(config.window_size, multiple)
        return cls(sample_windows.shape[1], config.window_size, padded, scale, independent)

    @classmethod
    def from_dict(cls, record: dict[str, Any]) -> RawRepresentation:
        window_size = int(record["window_size"])
        if "padded_length" in record:
            padded = int(record["padded_length"])
        else:  # checkpoints of 0.1 recorded the preset instead
            padded = padded_length(window_size, unet1d_size_multiple(record["preset"]))
        channels = record.get("channels", "joint")
        if channels not in ("joint", "independent"):
            raise ValueError(f"A raw representation's 'channels' must be 'joint' or 'independent', got {channels!r}.")
        return cls(
            int(record["num_channels"]), window_size, padded, record.get("window_scale"), channels == "independent"
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "num_channels": self._num_channels,
            "window_size": self._window_size,
            "padded_length": self.padded_length,
            **({"window_scale": self.window_scale.to_dict()} if self.window_scale is not None else {}),
            **({"channels": "independent"} if self.channel_independent else {}),
            **self.label_record(),
        }

    @property
    def state_channels(self) -> int:
        """Channels of a diffusion state: the window's, plus one log-scale channel each when scaled."""
        return self._num_channels * (1 if self.window_scale is None else 2)

    @property
    def unet_channels(self) -> int:
        """Channels the UNet denoises at once: 1 when channel-independent, else every state channel."""
        return 1 if self.channel_independent else self.state_channels

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
            windows = torch.cat(self.window_scale.split(windows), dim=1)
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
        return self.window_scale.join(windows[:, : self._num_channels], windows[:, self._num_channels :])

    def model_input(self, samples: torch.Tensor) -> torch.Tensor:
        if not self.channel_independent:
            return samples
        # [B, C, L] -> [B * C, 1, L]: channel c of window b is batch entry b * C + c.
        return samples.reshape(-1, 1, samples.shape[-1])

    def model_output(self, output: torch.Tensor) -> torch.Tensor:
        if not self.channel_independent:
            return output
        return output.reshape(-1, self._num_channels, output.shape[-1])

    def build_unet(self, preset: str) -> UNet1DModel:
        unet = build_unet1d(preset, self.unet_channels, self._window_size, label_channels=self.num_labels)
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
        expected = (self.unet_channels + self.num_labels, self.padded_length)
        if (unet.config.in_channels, unet.config.sample_size) != expected:
            labels = f" plus {self.num_labels} label channels" if self.num_labels else ""
            raise ValueError(
                f"The UNet takes {unet.config.in_channels} channels x {unet.config.sample_size} steps but the windows "
                f"are {self.unet_channels} x {self.padded_length} after padding{labels}; build it with "
                "representation.build_unet(preset)."
            )
        if unet.config.out_channels != self.unet_channels:
            raise ValueError(
                f"The UNet returns {unet.config.out_channels} channels but it denoises {self.unet_channels}; "
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
        scaled = ""
        if self.window_scale is not None:
            path = (
                "its own standard deviation per channel"
                if self.window_scale.kind == "std"
                else f"its {self.window_scale.width}-step moving volatility per channel"
            )
            scaled = (
                f" Each window is divided by {path}, whose standardised log the model generates as an extra channel "
                f"(`--window_scale {self.window_scale.kind}`)."
            )
        if self.channel_independent:  # exclusive with window_scale (checked in __init__)
            scaled = (
                " The UNet is univariate and shared by the channels (`--channels independent`): each channel is "
                "denoised from its own values only, so generated channels are independent of each other."
            )
        return (
            f"Raw windows `[channels, length]` after preprocessing, zero-padded at the end to {self.padded_length} "
            f"steps for the UNet's downsampling and cropped back to {self._window_size} after sampling.{scaled}"
        )

    def card_rows(self) -> list[tuple[str, Any]]:
        return [
            ("window", f"{self._num_channels} channels x {self._window_size} steps"),
            *(
                [("channels", "independent: one univariate UNet shared by every channel")]
                if self.channel_independent
                else []
            ),
            *self.label_card_rows(),
        ]
