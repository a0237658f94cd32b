"""The sample plot: one panel per channel plus one per scalogram given, no empty panels."""

import struct
from pathlib import Path

import numpy as np

from ts_diffusion_wavelet.plotting import plot_samples


def png_width(path: Path) -> int:
    # The IHDR chunk follows the 8-byte signature and its own 8-byte header: width is the next 4 bytes.
    return struct.unpack(">I", path.read_bytes()[16:20])[0]


def test_panels_follow_what_is_given(tmp_path: Path) -> None:
    rng = np.random.default_rng(0)
    generated = rng.normal(size=(4, 32, 2))
    images = rng.normal(size=(4, 3, 8, 8))
    only_series, with_generated_image, with_both = (tmp_path / f"{name}.png" for name in ("a", "b", "c"))
    plot_samples(generated, only_series, channel_names=["x", "y"])
    plot_samples(generated, with_generated_image, channel_names=["x", "y"], generated_images=images)
    plot_samples(generated, with_both, channel_names=["x", "y"], generated_images=images, real_images=images)
    widths = [png_width(path) for path in (only_series, with_generated_image, with_both)]
    # 4.2 inches per panel at 110 dpi: 2, 3 and 4 panels.
    assert widths == [round(4.2 * 110 * panels) for panels in (2, 3, 4)]
