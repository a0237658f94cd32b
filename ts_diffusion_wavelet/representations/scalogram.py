"""Morlet scalogram images of the windows, read by a `UNet1DModel` (scales as channels) or a `UNet2DModel`."""

from __future__ import annotations

from typing import Any, Literal

import numpy as np
import torch
from diffusers import ModelMixin, UNet1DModel, UNet2DModel

from ..models import build_unet1d, build_unet2d
from ..scalogram import ScalogramConfig, ScalogramTransform
from .base import Representation

DiffusionSpace = Literal["series", "image"]
DIFFUSION_SPACES: tuple[str, ...] = ("series", "image")
ScalogramUNet = Literal["1d", "2d"]
SCALOGRAM_UNETS: tuple[str, ...] = ("1d", "2d")
# ScalogramConfig field -> model card label, in display order; fields set to None are skipped.
_CARD_FIELDS = {
    "wavelet": "wavelet",
    "representation": "coefficients",
    "demodulate": "carrier phase removed",
    "detrend": "trend planes beside the coefficients",
    "normalization": "normalisation",
    "boundary": "CWT boundary",
    "interpolation": "interpolation",
    "regularization": "inverse regularisation",
}


class ScalogramRepresentation(Representation):
    """
    The UNet sees a window as its scalogram image ([`ScalogramTransform`]: signed Morlet coefficients, one row per
    scale, the window's mean in a constant plane).

    `diffusion_space="series"` (the default): the diffusion runs on the windows. The UNet takes the image of the
    noisy window and its output image is mapped back by the least-squares inverse, so the loss is taken on what
    the user receives, every generated image is the scalogram of a series, and the noise is the data's own kind
    (white in time) rather than white over a ~20x redundant image. `"image"`: the diffusion runs on the images
    (version 0.1); generated images need not be scalograms of any series, and the inverse discards what is not
    (the fine scales are lost; README "The default job, then and now"). Kept so that pipelines saved by 0.1 load
    and sample as before.

    `unet="1d"` (the default) reads the image as a multichannel signal along time: every (plane, scale) row is a
    channel of a `UNet1DModel`, so each convolution mixes all scales at once, which is where the local volatility
    of returns shows. `"2d"` convolves the image (time folded into channels) with a `UNet2DModel` (3 x 3 kernels:
    neighbouring scales and columns only).

    Args:
        transform ([`ScalogramTransform`]): Fitted.
        diffusion_space (`"series"` or `"image"`, defaults to `"series"`).
        unet (`"1d"` or `"2d"`, defaults to `"1d"`): Which UNet reads the image.
    """

    name = "scalogram"
    tag = "scalogram"
    has_images = True
    summary = (
        "a UNet that denoises through invertible Morlet scalograms (signed wavelet coefficients with the window's "
        "mean beside them); a least-squares inverse CWT maps its output back to the window"
    )

    def __init__(
        self, transform: ScalogramTransform, diffusion_space: DiffusionSpace = "series", unet: ScalogramUNet = "1d"
    ) -> None:
        if diffusion_space not in DIFFUSION_SPACES:
            raise ValueError(f"Unknown diffusion_space {diffusion_space!r}; choose one of {DIFFUSION_SPACES}.")
        if unet not in SCALOGRAM_UNETS:
            raise ValueError(f"Unknown scalogram unet {unet!r}; choose one of {SCALOGRAM_UNETS}.")
        if unet == "1d" and diffusion_space == "image":
            raise ValueError("unet='1d' reads images of series-space states; use diffusion_space='series'.")
        if not transform.invertible:
            raise ValueError("A scalogram representation needs an invertible transform (coefficients='signed').")
        self.transform, self.diffusion_space, self.unet = transform, diffusion_space, unet

    @classmethod
    def from_training_config(cls, config: Any, sample_windows: torch.Tensor) -> ScalogramRepresentation:
        transform = ScalogramTransform(
            ScalogramConfig(
                window_size=config.window_size,
                num_channels=sample_windows.shape[1],
                wavelet=config.wavelet,
                num_scales=config.num_scales,
                image_height=config.image_size,
                image_width=config.image_width,
                # The 1-D UNet convolves along time, so its image keeps every time step as a column.
                time_layout="none"
                if config.time_layout == "auto" and config.scalogram_unet == "1d"
                else config.time_layout,
                detrend=config.detrend,
            )
        )
        if config.diffusion_space == "series":
            # The UNet reads images of noisy windows and outputs images of noise-sized targets, so each row is
            # standardised on windows plus unit white noise: rows fitted on smooth data alone have tiny spreads at
            # the fine scales and blew noise up ~100x there (Stocks: samples spanning the whole range).
            noise = torch.randn(sample_windows.shape, generator=torch.Generator().manual_seed(0))
            sample_windows = sample_windows + noise.to(sample_windows.dtype)
        return cls(transform.fit(sample_windows), config.diffusion_space, config.scalogram_unet)

    @classmethod
    def from_dict(cls, record: dict[str, Any]) -> ScalogramRepresentation:
        # Records of 0.1 have neither: they diffused images with a UNet2DModel.
        transform = ScalogramTransform.from_config(record["transform_config"])
        return cls(transform, record.get("diffusion_space", "image"), record.get("unet", "2d"))

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "diffusion_space": self.diffusion_space,
            "unet": self.unet,
            "transform_config": self.transform.config,
            **self.label_record(),
        }

    @property
    def num_channels(self) -> int:
        return self.transform.num_channels

    @property
    def window_size(self) -> int:
        return self.transform.window_size

    @property
    def _image_shape(self) -> tuple[int, int, int]:
        return (self.transform.image_channels, *self.transform.image_size)

    def sample_shape(self, batch_size: int) -> tuple[int, ...]:
        if self.diffusion_space == "image":
            return (batch_size, *self._image_shape)
        return (batch_size, self.num_channels, self.window_size)

    def clean_sample(self, windows: torch.Tensor) -> torch.Tensor:
        return self.transform.to_image(windows) if self.diffusion_space == "image" else windows

    def known_state(self, windows: torch.Tensor, mask: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        if self.diffusion_space == "image":
            raise ValueError(
                "This scalogram model diffuses images (diffusion_space='image', version 0.1): an image's entries are "
                "not the series' values, so known values cannot be held exactly while sampling. Retrain with "
                "diffusion_space='series' (the default) to impute or forecast."
            )
        return windows, mask  # series space: the state is the window itself

    def to_windows(self, samples: torch.Tensor) -> torch.Tensor:
        # The inverse is computed in float32 at least: half-precision coefficients lose the fine scales.
        if self.diffusion_space == "image":
            return self.transform.from_image(samples.float())
        return samples

    def model_input(self, samples: torch.Tensor) -> torch.Tensor:
        if self.diffusion_space == "image":
            return samples
        images = self.transform.to_image(samples)
        # A 1-D UNet reads every (plane, scale) row as a channel along the image's width.
        return images.flatten(1, 2) if self.unet == "1d" else images

    def model_output(self, output: torch.Tensor) -> torch.Tensor:
        if self.diffusion_space == "image":
            return output
        return self.transform.from_image(self.output_images(output))

    def output_images(self, output: torch.Tensor) -> torch.Tensor:
        """What the UNet returned, laid out as images `[B, image_channels, H, W]` (before any inverse)."""
        if self.unet == "1d":
            return output.unflatten(1, (self.transform.image_channels, self.transform.image_size[0]))
        return output

    @property
    def _unet_channels(self) -> int:
        channels, height, _ = self._image_shape
        return channels * height if self.unet == "1d" else channels

    def build_unet(self, preset: str) -> ModelMixin:
        height, width = self.transform.image_size
        if self.unet == "1d":
            unet = build_unet1d(preset, self._unet_channels, width, label_channels=self.num_labels)
            if unet.config.sample_size != width:
                raise ValueError(
                    f"The {preset!r} 1-D UNet needs a length that is a multiple of its downsampling, but the image is "
                    f"{width} columns wide; choose a window size (or image_width) divisible by it."
                )
            return unet
        # The 2-D UNet has diffusers' class embedding: the labels plus the null label.
        classes = self.num_labels + 1 if self.num_labels else None
        return build_unet2d(preset, self.transform.image_channels, (height, width), num_class_embeds=classes)

    @property
    def label_channels(self) -> int:
        return self.num_labels if self.unet == "1d" else 0

    def labelled_unet_call(
        self, unet: torch.nn.Module, inputs: torch.Tensor, timesteps: torch.Tensor, labels: torch.Tensor
    ) -> torch.Tensor:
        if self.unet == "1d":
            return super().labelled_unet_call(unet, inputs, timesteps, labels)
        return unet(inputs, timesteps, class_labels=labels.to(inputs.device)).sample

    def check_unet(self, unet: ModelMixin) -> None:
        expected_class = UNet1DModel if self.unet == "1d" else UNet2DModel
        if not isinstance(unet, expected_class):
            raise ValueError(
                f"This scalogram representation (unet={self.unet!r}) is learned by a {expected_class.__name__}, got a "
                f"{type(unet).__name__}."
            )
        expected = self._unet_channels
        label_channels = self.label_channels
        if unet.config.in_channels != expected + label_channels or unet.config.out_channels != expected:
            labels = f" plus {label_channels} label channels" if label_channels else ""
            raise ValueError(
                f"The UNet takes {unet.config.in_channels} channels but the transform lays windows out in "
                f"{expected}{labels}; build it with representation.build_unet(preset)."
            )
        if self.unet == "2d":
            classes = unet.config.get("num_class_embeds")
            if (classes or 0) != (self.num_labels + 1 if self.num_labels else 0):
                raise ValueError(
                    f"The UNet2DModel has num_class_embeds={classes} but the model knows {self.num_labels} labels "
                    f"(num_class_embeds {self.num_labels + 1 if self.num_labels else None}, the null label included); "
                    "build it with representation.build_unet(preset)."
                )

    def images(self, windows: torch.Tensor) -> torch.Tensor:
        return self.transform.to_image(windows.float())

    def generated_images(self, samples: torch.Tensor) -> torch.Tensor:
        # Image-space states are the generated images themselves (before the inverse), as 0.1 returned them.
        return samples.float() if self.diffusion_space == "image" else self.images(samples)

    def consistency_db(self, images: torch.Tensor) -> float | None:
        # Series-space images are scalograms of the returned series by construction, so this is the transform's
        # round-trip precision; image-space (0.1) images need not be scalograms of anything.
        images = images.float()
        projected = self.transform.to_image(self.transform.from_image(images))
        error = float(((images - projected) ** 2).mean())
        return float(10 * np.log10(float((images**2).mean()) / max(error, 1e-30)))

    def card_text(self) -> str:
        space = (
            "The diffusion runs on the windows; the UNet sees each noisy window as its image and its output image is "
            "mapped back by the inverse, so every generated image is the scalogram of the series it decodes to."
            if self.diffusion_space == "series"
            else "The diffusion runs on the images (version 0.1); the inverse maps each generated image to a window."
        )
        fitted_on = (
            "training windows plus unit white noise" if self.diffusion_space == "series" else "training windows"
        )
        return (
            "Each window is laid out as an image of its Morlet wavelet transform (scales down, time across), "
            f"normalised with statistics fitted on {fitted_on}; the fitted transform is saved in "
            f"`model_index.json`. {space}"
        )

    def card_rows(self) -> list[tuple[str, Any]]:
        transform, config = self.transform, self.transform.config
        height, width = transform.image_size
        scales = np.asarray(transform.scales)
        rows = [
            ("window", f"{transform.num_channels} channels x {transform.window_size} steps"),
            (
                "scales",
                f"{len(scales)}, {config['scale_spacing']} spaced from {scales.min():.4g} to {scales.max():.4g}",
            ),
            ("image", f"{transform.image_channels} channels x {height} x {width} (height x width)"),
            ("time layout", self._time_layout_text()),
            ("diffusion space", self.diffusion_space),
            ("denoiser", "UNet1DModel over (plane, scale) channels" if self.unet == "1d" else "UNet2DModel"),
        ]
        skipped = {"demodulate"} if not config.get("demodulate") else set()
        skipped |= {"interpolation"} if transform.time_layout != "resize" else set()
        return (
            rows
            + [
                (label, config[key])
                for key, label in _CARD_FIELDS.items()
                if config.get(key) is not None and key not in skipped
            ]
            + self.label_card_rows()
        )

    def _time_layout_text(self) -> str:
        transform = self.transform
        if transform.time_layout == "fold":
            return f"fold: {transform.fold_factor} interleaved time phases as extra channels (lossless)"
        if transform.time_layout == "resize":
            return f"resize: {transform.window_size} steps interpolated to {transform.image_size[1]} columns"
        return "none: one column per step"
