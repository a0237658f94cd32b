"""UNet presets: shapes the models take, and the errors for sizes they cannot."""

import pytest
import torch

from ts_diffusion_wavelet.models import (
    MODEL_PRESETS,
    build_unet1d,
    build_unet2d,
    padded_length,
    unet1d_length_multiple,
    unet2d_size_multiple,
)


@pytest.mark.parametrize("preset", ["tiny", "small"])
def test_unet2d_keeps_image_shape(preset):
    size = (16, 32) if preset == "tiny" else (32, 16)
    model = build_unet2d(preset, in_channels=3, image_size=size)
    out = model(torch.randn(2, 3, *size), torch.tensor([1, 500])).sample
    assert out.shape == (2, 3, *size)


def test_unet2d_rejects_image_size_it_cannot_halve():
    with pytest.raises(ValueError, match=r"multiples of 8; got image size 100x128.*96x128"):
        build_unet2d("base", in_channels=3, image_size=(100, 128))


def test_unknown_preset_lists_the_known_ones():
    with pytest.raises(ValueError, match="Unknown model preset 'huge'; choose one of tiny, small, base, large"):
        build_unet2d("huge", in_channels=1, image_size=(16, 16))


def test_size_multiples_follow_the_block_count():
    assert [unet2d_size_multiple(p) for p in MODEL_PRESETS] == [2, 4, 8, 8]
    assert padded_length(250, 8) == 256 and padded_length(256, 8) == 256 and padded_length(1, 8) == 8


def test_unet1d_pads_the_window_to_its_multiple():
    model = build_unet1d("small", in_channels=2, window_size=250)
    assert unet1d_length_multiple(model) == 4
    assert model.config.sample_size == 252
    out = model(torch.randn(3, 2, 252), torch.tensor(7)).sample
    assert out.shape == (3, 2, 252)


def test_unet1d_rejects_a_window_shorter_than_its_downsampling():
    with pytest.raises(ValueError, match="needs at least 8 samples; got window_size=4"):
        build_unet1d("base", in_channels=1, window_size=4)
