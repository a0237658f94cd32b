"""The quick-look figure of generated windows beside real ones (the evaluation report has the full set)."""

from __future__ import annotations

import os
from collections.abc import Sequence

import numpy as np
from matplotlib import colormaps
from matplotlib.figure import Figure

from .atomic import atomic_file


def plot_samples(
    generated: np.ndarray,
    path: str | os.PathLike,
    *,
    channel_names: Sequence[str],
    real: np.ndarray | None = None,
    generated_images: np.ndarray | None = None,
    real_images: np.ndarray | None = None,
    title: str = "Generated windows",
    max_paths: int = 8,
) -> None:
    """
    Draw generated windows (and real ones, when given) per channel, with a generated scalogram beside a real one.

    Args:
        generated (`np.ndarray`): Generated windows `[N, L, C]` in the data's units.
        path (`str` or `os.PathLike`): PNG file to write (atomically).
        channel_names (`Sequence[str]`): One name per channel.
        real (`np.ndarray`, *optional*): Real windows `[M, L, C]` in the same units.
        generated_images, real_images (`np.ndarray`, *optional*): Model images `[N, C', H, W]`; the first image
            channel of the first window of each is drawn.
        title (`str`): Figure title.
        max_paths (`int`, defaults to 8): Windows drawn per panel.
    """
    num_channels = generated.shape[-1]
    panels = [("generated scalogram", generated_images), ("real scalogram", real_images)]
    panels = [(name, images) for name, images in panels if images is not None]
    columns = num_channels + len(panels)
    # A bare Figure, not pyplot: drawing never touches the user's backend (a notebook keeps its own).
    figure = Figure(figsize=(4.2 * columns, 3.4))
    axes = figure.subplots(1, columns, squeeze=False)
    for channel in range(num_channels):
        axis = axes[0, channel]
        if real is not None:
            for window in real[:max_paths, :, channel]:
                axis.plot(window, color="0.6", linewidth=0.8, alpha=0.8)
        for i, window in enumerate(generated[:max_paths, :, channel]):
            axis.plot(window, color=colormaps["viridis"](i / max(1, max_paths - 1)), linewidth=0.9)
        axis.set_title(channel_names[channel] + (" (grey: real)" if real is not None else ""))
        axis.set_xlabel("step")
    for offset, (name, images) in enumerate(panels):
        axis = axes[0, num_channels + offset]
        image = images[0, 0]
        limit = float(np.quantile(np.abs(image), 0.99)) or 1.0
        axis.imshow(image, aspect="auto", origin="lower", cmap="RdBu_r", vmin=-limit, vmax=limit)
        axis.set_title(name)
        axis.set_xlabel("time (folded)")
        axis.set_ylabel("scale (small at bottom)")
    figure.suptitle(title)
    figure.tight_layout()
    with atomic_file(path) as temporary:
        figure.savefig(temporary, format="png", dpi=110)
