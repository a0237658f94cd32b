"""UNet presets for the two representations: `UNet2DModel` on scalograms, `UNet1DModel` on raw windows.

Sizes and CPU step times for the 2-D presets are measured in `shared/notes/diffusers.md`; attention is kept to
the lowest resolution because at 128x128 it dominates the step time.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

from diffusers import UNet1DModel, UNet2DModel

ModelPreset = Literal["tiny", "small", "base", "large"]
MODEL_PRESETS: tuple[str, ...] = ("tiny", "small", "base", "large")


@dataclass(frozen=True)
class _Preset2D:
    block_out_channels: tuple[int, ...]
    layers_per_block: int
    attention_blocks: tuple[int, ...]  # indices of blocks that carry self-attention
    norm_num_groups: int


@dataclass(frozen=True)
class _Preset1D:
    block_out_channels: tuple[int, ...]
    layers_per_block: int
    norm_num_groups: int


_PRESETS_2D: dict[str, _Preset2D] = {
    # For tests: a few thousand parameters, seconds on a CPU.
    "tiny": _Preset2D((8, 16), 1, (), 4),
    # ~1M parameters, no attention: the CPU default.
    "small": _Preset2D((32, 64, 64), 1, (), 32),
    # ~4.3M parameters, attention only in the deepest block.
    "base": _Preset2D((32, 64, 128, 128), 1, (3,), 32),
    # ~17M parameters: for a GPU.
    "large": _Preset2D((64, 128, 128, 256), 2, (3,), 32),
}

_PRESETS_1D: dict[str, _Preset1D] = {
    "tiny": _Preset1D((8, 16), 1, 8),
    "small": _Preset1D((32, 64, 128), 1, 8),
    "base": _Preset1D((32, 64, 128, 256), 1, 8),
    "large": _Preset1D((64, 128, 256, 512), 2, 8),
}


def _check_preset(preset: str) -> None:
    if preset not in MODEL_PRESETS:
        raise ValueError(f"Unknown model preset {preset!r}; choose one of {', '.join(MODEL_PRESETS)}.")


def unet2d_size_multiple(preset: str) -> int:
    """The multiple both image sides must have: the UNet halves them once per block but the last."""
    _check_preset(preset)
    return 2 ** (len(_PRESETS_2D[preset].block_out_channels) - 1)


def unet1d_size_multiple(preset: str) -> int:
    """The multiple a raw window is padded to for the 1-D `preset`."""
    _check_preset(preset)
    return 2 ** (len(_PRESETS_1D[preset].block_out_channels) - 1)


def unet1d_length_multiple(unet: UNet1DModel) -> int:
    """The multiple a window's length must have for `unet`: it halves the length once per block but the last."""
    return 2 ** (len(unet.config.block_out_channels) - 1)


def padded_length(length: int, multiple: int) -> int:
    """The smallest multiple of `multiple` that holds `length` samples."""
    return int(math.ceil(length / multiple) * multiple)


def build_unet2d(
    preset: ModelPreset, in_channels: int, image_size: tuple[int, int], num_class_embeds: int | None = None
) -> UNet2DModel:
    """
    Build a `UNet2DModel` for scalogram images.

    Args:
        preset (`str`): One of `"tiny"`, `"small"`, `"base"`, `"large"`.
        in_channels (`int`): Image channels (the transform's `image_channels`); the output has as many.
        image_size (`tuple[int, int]`): `(height, width)` of the images.
        num_class_embeds (`int`, *optional*): Classes of diffusers' class embedding (labels plus the null label of
            classifier-free guidance); `None` for an unconditional model.

    Returns:
        `UNet2DModel`: a freshly initialised model.
    """
    _check_preset(preset)
    spec = _PRESETS_2D[preset]
    multiple = unet2d_size_multiple(preset)
    height, width = image_size
    if height % multiple or width % multiple or height < multiple or width < multiple:
        raise ValueError(
            f"The {preset!r} UNet halves the image {len(spec.block_out_channels) - 1} times, so both sides must be "
            f"multiples of {multiple}; got image size {height}x{width}. Choose an image size such as "
            f"{max(multiple, height // multiple * multiple)}x{max(multiple, width // multiple * multiple)}, "
            "or a preset with fewer blocks."
        )
    num_blocks = len(spec.block_out_channels)
    down = tuple("AttnDownBlock2D" if i in spec.attention_blocks else "DownBlock2D" for i in range(num_blocks))
    up = tuple(
        "AttnUpBlock2D" if (num_blocks - 1 - i) in spec.attention_blocks else "UpBlock2D" for i in range(num_blocks)
    )
    return UNet2DModel(
        sample_size=(height, width),
        in_channels=in_channels,
        out_channels=in_channels,
        block_out_channels=spec.block_out_channels,
        layers_per_block=spec.layers_per_block,
        down_block_types=down,
        up_block_types=up,
        norm_num_groups=spec.norm_num_groups,
        # Attention only where a block asks for it: the mid block's attention at full depth is cheap.
        add_attention=bool(spec.attention_blocks),
        num_class_embeds=num_class_embeds,
    )


def build_unet1d(preset: ModelPreset, in_channels: int, window_size: int, label_channels: int = 0) -> UNet1DModel:
    """
    Build a `UNet1DModel` for raw windows: residual blocks with a timestep embedding for integer DDPM steps.

    The model sees windows padded to a multiple of its downsampling factor; see [`padded_length`].

    Args:
        preset (`str`): One of `"tiny"`, `"small"`, `"base"`, `"large"`.
        in_channels (`int`): Series channels; the output has as many.
        window_size (`int`): Window length before padding.
        label_channels (`int`, defaults to 0): Constant one-hot label channels read beside the series (a
            `UNet1DModel` has no class embedding); the output has `in_channels` channels only.

    Returns:
        `UNet1DModel`: a freshly initialised model.
    """
    _check_preset(preset)
    spec = _PRESETS_1D[preset]
    num_blocks = len(spec.block_out_channels)
    multiple = unet1d_size_multiple(preset)
    if window_size < multiple:
        raise ValueError(
            f"The {preset!r} 1-D UNet halves the window {num_blocks - 1} times and needs at least {multiple} samples; "
            f"got window_size={window_size}. Use a longer window or the 'tiny' preset."
        )
    return UNet1DModel(
        sample_size=padded_length(window_size, multiple),
        in_channels=in_channels + label_channels,
        out_channels=in_channels,
        extra_in_channels=0,
        # Positional embedding of the integer step: DanceDiffusion's blocks expect t in [0, 1] instead.
        time_embedding_type="positional",
        flip_sin_to_cos=False,
        use_timestep_embedding=True,
        freq_shift=1.0,
        down_block_types=("DownResnetBlock1D",) * num_blocks,
        up_block_types=("UpResnetBlock1D",) * (num_blocks - 1),
        mid_block_type="MidResTemporalBlock1D",
        out_block_type="OutConv1DBlock",
        block_out_channels=spec.block_out_channels,
        act_fn="mish",
        norm_num_groups=spec.norm_num_groups,
        layers_per_block=spec.layers_per_block,
    )
