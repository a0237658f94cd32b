"""The one place that knows what differs between representations: how the denoiser sees a window."""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import Any, ClassVar

import torch
import torch.nn.functional as F
from diffusers import ModelMixin


class Representation(ABC):
    """
    How windows `[B, C, L]` (model space) become the state the diffusion runs on and the input of the UNet, and
    back; which UNet learns them; and what a model card says about them.

    Training and sampling need only these maps: the clean state `x_0 = clean_sample(windows)`, the denoiser
    `model_output(unet(model_input(x_t), t))` in the state's space, and `to_windows(x_0)` at the end. Each
    representation is a subclass registered in `ts_diffusion_wavelet.representations`; its whole state (fitted
    statistics included) is the JSON-ready `to_dict()`, saved in checkpoints and in `model_index.json`.
    """

    name: ClassVar[str]
    tag: ClassVar[str]  # Hub tag of a shared model
    summary: ClassVar[str]  # one line for the model card: what the UNet denoises
    has_images: ClassVar[bool] = False  # whether `images` draws something (plots, `return_scalograms`)
    # Labels the UNet is conditioned on (0: unconditional). Index `num_labels` is the null label: "no label", what
    # label dropout trains and classifier-free guidance contrasts with.
    num_labels: int = 0

    # ----- the record ----------------------------------------------------------------------------------
    @classmethod
    @abstractmethod
    def from_training_config(cls, config: Any, sample_windows: torch.Tensor) -> Representation:
        """Build (and fit, where statistics are needed) from a `TrainingConfig` and training windows `[N, C, L]`."""

    @classmethod
    @abstractmethod
    def from_dict(cls, record: dict[str, Any]) -> Representation:
        """Rebuild from [`Representation.to_dict`]."""

    @abstractmethod
    def to_dict(self) -> dict[str, Any]:
        """Everything needed to rebuild this representation, as JSON-ready data with its `"name"`."""

    # ----- shapes --------------------------------------------------------------------------------------
    @property
    @abstractmethod
    def num_channels(self) -> int:
        """Channels `C` of a window."""

    @property
    @abstractmethod
    def window_size(self) -> int:
        """Steps `L` of a window."""

    @abstractmethod
    def sample_shape(self, batch_size: int) -> tuple[int, ...]:
        """Shape of a batch of diffusion states (what the sampler draws noise for)."""

    # ----- the maps ------------------------------------------------------------------------------------
    @abstractmethod
    def clean_sample(self, windows: torch.Tensor) -> torch.Tensor:
        """Windows `[B, C, L]` -> clean diffusion states `x_0`."""

    @abstractmethod
    def to_windows(self, samples: torch.Tensor) -> torch.Tensor:
        """Diffusion states -> windows `[B, C, L]` (the inverse of [`clean_sample`])."""

    @abstractmethod
    def model_input(self, samples: torch.Tensor) -> torch.Tensor:
        """Diffusion states -> what the UNet takes."""

    @abstractmethod
    def model_output(self, output: torch.Tensor) -> torch.Tensor:
        """What the UNet returns -> the diffusion states' space (where the loss and the sampler work)."""

    def known_state(self, windows: torch.Tensor, mask: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """
        Model-space windows `[B, C, L]` with `mask` True where a value is known -> the same as diffusion states and
        their mask, for sampling with part of the window known (`conditional.py`). Only representations whose state
        holds the window's values can enforce them exactly; the others refuse.
        """
        raise ValueError(
            f"The {self.name!r} representation cannot hold known values during sampling (its states are not the "
            "series' values); imputation and forecasting need a raw or a series-space scalogram model."
        )

    def denoise(
        self,
        unet: torch.nn.Module,
        samples: torch.Tensor,
        timesteps: torch.Tensor,
        labels: torch.Tensor | None = None,
    ) -> torch.Tensor:
        """
        The denoiser: the UNet's prediction (noise, v or x_0, as trained) for noisy states at `timesteps`, given
        label indices `[B]` (`num_labels` or `None`: no label) when the model is labelled.

        A `model_input` may give the UNet several batch entries per state (a channel-independent raw model: one per
        channel); each state's timestep and label then go with each of its entries.
        """
        inputs = self.model_input(samples)
        entries = inputs.shape[0] // samples.shape[0]
        if entries > 1 and torch.is_tensor(timesteps) and timesteps.dim() == 1 and len(timesteps) == len(samples):
            timesteps = timesteps.repeat_interleave(entries)
        if not self.num_labels:
            if labels is not None:
                raise ValueError("This model was trained without labels; sample it without `labels`.")
            return self.model_output(unet(inputs, timesteps).sample)
        if labels is None:
            labels = self.null_labels(samples.shape[0], samples.device)
        labels = labels.repeat_interleave(entries) if entries > 1 else labels
        return self.model_output(self.labelled_unet_call(unet, inputs, timesteps, labels))

    def null_labels(self, batch_size: int, device: torch.device | str | None = None) -> torch.Tensor:
        """`[batch_size]` null labels (the index after the last label)."""
        return torch.full((batch_size,), self.num_labels, dtype=torch.long, device=device)

    def labelled_unet_call(
        self, unet: torch.nn.Module, inputs: torch.Tensor, timesteps: torch.Tensor, labels: torch.Tensor
    ) -> torch.Tensor:
        """
        The UNet's output for `inputs [B, channels, width]` and labels: here the one-hot label as constant extra
        input channels (the null label is all zeros), which a stock `UNet1DModel` takes with `in_channels` widened.
        """
        onehot = F.one_hot(labels.to(inputs.device), self.num_labels + 1)[:, : self.num_labels]
        planes = onehot.to(inputs.dtype)[..., None].expand(-1, -1, inputs.shape[-1])
        return unet(torch.cat([inputs, planes], dim=1), timesteps).sample

    @property
    def label_channels(self) -> int:
        """Input channels the labels add to the UNet's (0 when it reads them through a class embedding)."""
        return self.num_labels

    def label_card_rows(self) -> list[tuple[str, Any]]:
        """The model card's row on how the UNet reads labels (none for an unlabelled model)."""
        if not self.num_labels:
            return []
        how = (
            f"{self.num_labels} one-hot input channels (all zeros: no label)"
            if self.label_channels
            else f"a class embedding of {self.num_labels} labels plus the null label"
        )
        return [("labels", f"{how}; classifier-free guidance with `guidance_scale`")]

    def label_record(self) -> dict[str, Any]:
        """The label count for `to_dict` (absent for unlabelled models, so their records are unchanged)."""
        return {"num_labels": self.num_labels} if self.num_labels else {}

    # ----- the model -----------------------------------------------------------------------------------
    @abstractmethod
    def build_unet(self, preset: str) -> ModelMixin:
        """A freshly initialised UNet of the preset, shaped for this representation."""

    @abstractmethod
    def check_unet(self, unet: ModelMixin) -> None:
        """Raise a `ValueError` naming the mismatch when `unet` cannot serve this representation."""

    # ----- what users see ------------------------------------------------------------------------------
    def images(self, windows: torch.Tensor) -> torch.Tensor | None:
        """Images of windows for plots (`None` when the representation has none)."""
        return None

    def generated_images(self, samples: torch.Tensor) -> torch.Tensor | None:
        """The images a sampler generated, from its final states (`None` when the representation has none)."""
        return None

    def consistency_db(self, images: torch.Tensor) -> float | None:
        """
        SNR (dB) of generated images (as the pipeline returns them) against the images of the series they decode
        to: what falls short of the transform's own round trip is energy the inverse discarded. `None` when the
        representation has no images.
        """
        return None

    @abstractmethod
    def card_rows(self) -> list[tuple[str, Any]]:
        """`(label, value)` rows of the model card's representation table (the card formats the values)."""

    @abstractmethod
    def card_text(self) -> str:
        """The paragraph above those rows."""
