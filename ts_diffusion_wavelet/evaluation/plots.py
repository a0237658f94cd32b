"""
The report figure: real against generated windows (and baselines) for one channel, nine panels.

Figures are built without `pyplot`, so importing the package never changes the user's matplotlib backend (a
notebook keeps its inline plots) and `Figure.savefig` renders PNGs with Agg on a headless machine.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from ..scales import scale_to_frequency
from .distribution import quantiles
from .returns import ReturnsKind, to_returns
from .spectral import default_scales, mean_psd, mean_scalogram
from .temporal import autocorrelation

COLORS = {
    "real": "black",
    "synthetic": "tab:red",
    "gaussian": "tab:gray",
    "garch": "tab:blue",
    "block_bootstrap": "tab:green",
}
EXTRA_COLORS = ("tab:purple", "tab:orange", "tab:brown", "tab:pink", "tab:olive", "tab:cyan")


def _color(name: str, index: int) -> str:
    return COLORS.get(name, EXTRA_COLORS[index % len(EXTRA_COLORS)])


def _sample_paths(ax: Axes, real: np.ndarray, first: tuple[str, np.ndarray], channel: int, max_paths: int) -> None:
    name, windows = first
    # Evenly spaced windows: consecutive sliding windows of a series would all look alike.
    for j, i in enumerate(np.unique(np.linspace(0, len(real) - 1, max_paths).astype(int))):
        ax.plot(real[i, :, channel], color=COLORS["real"], alpha=0.5, lw=0.8, label="real" if j == 0 else None)
    for j, i in enumerate(np.unique(np.linspace(0, len(windows) - 1, max_paths).astype(int))):
        ax.plot(windows[i, :, channel], color=COLORS["synthetic"], alpha=0.5, lw=0.8, label=name if j == 0 else None)
    ax.set(title="Sample paths", xlabel="step")
    ax.legend(fontsize=7)


def _histogram(ax: Axes, sets: dict[str, np.ndarray], channel: int, label: str) -> None:
    pooled_real = sets["real"][:, :, channel].ravel()
    low, high = np.quantile(pooled_real, [0.0005, 0.9995])
    span = high - low or 1.0
    bins = np.linspace(low - 0.25 * span, high + 0.25 * span, 80)
    for i, (name, windows) in enumerate(sets.items()):
        ax.hist(
            windows[:, :, channel].ravel(), bins=bins, density=True, histtype="step", color=_color(name, i), label=name
        )
    ax.set(title=f"Histogram of {label} (log scale)", yscale="log")
    ax.legend(fontsize=7)


def _qq(ax: Axes, sets: dict[str, np.ndarray], channel: int, label: str) -> None:
    levels = np.concatenate([[0.001, 0.005], np.linspace(0.01, 0.99, 99), [0.995, 0.999]])
    real_q = quantiles(sets["real"][:, :, [channel]], levels)[:, 0]
    for i, (name, windows) in enumerate(sets.items()):
        if name != "real":
            ax.plot(
                real_q, quantiles(windows[:, :, [channel]], levels)[:, 0], ".", ms=3, color=_color(name, i), label=name
            )
    ax.plot(real_q[[0, -1]], real_q[[0, -1]], color="black", lw=0.8, label="y = x")
    ax.set(title=f"QQ of {label}", xlabel="real quantiles", ylabel="generated quantiles")
    ax.legend(fontsize=7)


def _acf(ax: Axes, sets: dict[str, np.ndarray], channel: int, label: str, absolute: bool) -> None:
    max_lag = min(sets["real"].shape[1] - 1, 100)
    lags = np.arange(1, max_lag + 1)
    for i, (name, windows) in enumerate(sets.items()):
        acf = autocorrelation(windows[:, :, [channel]], max_lag, absolute=absolute)[:, 0]
        ax.plot(lags, acf, "-o", ms=2, lw=1, color=_color(name, i), label=name)
    ax.axhline(0, color="black", lw=0.5)
    ax.set(title=f"ACF of |{label}|" if absolute else f"ACF of {label}", xlabel="lag")
    ax.legend(fontsize=7)


def _psd(ax: Axes, sets: dict[str, np.ndarray], channel: int) -> None:
    for i, (name, windows) in enumerate(sets.items()):
        frequencies, power = mean_psd(windows[:, :, [channel]])
        ax.semilogy(frequencies[1:], power[1:, 0], color=_color(name, i), lw=1, label=name)
    ax.set(title="Mean power spectral density", xlabel="cycles per step")
    ax.legend(fontsize=7)


def _scalograms(axes: list[Axes], real: np.ndarray, synthetic: tuple[str, np.ndarray], channel: int) -> None:
    scales = default_scales(real.shape[1])
    periods = 1 / scale_to_frequency(scales, "morl")
    real_map = mean_scalogram(real, scales, channel)
    synthetic_map = mean_scalogram(synthetic[1], scales, channel)
    extent = (0, real.shape[1] - 1, periods[-1], periods[0])
    top = max(real_map.max(), synthetic_map.max())
    for ax, image, title in ((axes[0], real_map, "real"), (axes[1], synthetic_map, synthetic[0])):
        shown = ax.imshow(image, aspect="auto", extent=extent, vmin=0, vmax=top, cmap="viridis")
        ax.set(title=f"Mean |CWT| (Morlet, window mean removed), {title}", xlabel="step", ylabel="period (steps)")
    axes[1].figure.colorbar(shown, ax=axes[1], fraction=0.046)
    gap = (synthetic_map - real_map) / (real_map.max() or 1.0)
    bound = float(np.abs(gap).max()) or 1.0
    shown = axes[2].imshow(gap, aspect="auto", extent=extent, vmin=-bound, vmax=bound, cmap="RdBu_r")
    axes[2].set(title=f"({synthetic[0]} - real) / max(real)", xlabel="step", ylabel="period (steps)")
    axes[2].figure.colorbar(shown, ax=axes[2], fraction=0.046)


def plot_report(
    real: np.ndarray,
    candidates: Mapping[str, np.ndarray],
    returns: ReturnsKind | None = None,
    channel: int = 0,
    channel_name: str | None = None,
    max_paths: int = 8,
) -> Figure:
    """
    The report figure for one channel: sample paths, histogram and QQ of returns, ACF of `r` and `|r|`, mean
    PSD, and the mean Morlet scalogram of real and generated windows with their difference.

    Args:
        real (`np.ndarray`): Real windows `[N, L, C]`.
        candidates (`Mapping[str, np.ndarray]`): Generated sets by name, the model's first (e.g. `"synthetic"`),
            then baselines, each `[M, L, C]`. Paths and scalograms show the first one.
        returns (`"log"`, `"diff"` or `None`): How levels become returns for the histogram, QQ and ACF panels.
        channel (`int`, defaults to 0): Which channel.
        channel_name (`str`, *optional*): Its name in the title.
        max_paths (`int`, defaults to 8): Sample paths drawn per set.

    Returns:
        `matplotlib.figure.Figure`, not registered with `pyplot` (save it with `figure.savefig(path)`).
    """
    first = next(iter(candidates.items()))
    label = {"log": "log returns", "diff": "differences"}.get(returns, "values") if returns else "values"
    short = "r" if returns else "x"
    return_sets = {"real": to_returns(real, returns, "real")}
    return_sets.update({name: to_returns(w, returns, name) for name, w in candidates.items()})
    value_sets = {"real": real, **candidates}
    figure = Figure(figsize=(16, 13))
    axes = figure.subplots(3, 3)
    _sample_paths(axes[0, 0], real, first, channel, max_paths)
    _histogram(axes[0, 1], return_sets, channel, label)
    _qq(axes[0, 2], return_sets, channel, label)
    if return_sets["real"].shape[1] >= 2:
        _acf(axes[1, 0], return_sets, channel, short, absolute=False)
        _acf(axes[1, 1], return_sets, channel, short, absolute=True)
    if real.shape[1] >= 4:
        _psd(axes[1, 2], value_sets, channel)
        _scalograms(list(axes[2]), real, first, channel)
    title = channel_name or f"channel {channel}"
    figure.suptitle(f"Real vs generated: {title} ({len(real)} real windows of {real.shape[1]} steps)")
    figure.tight_layout()
    return figure
