"""Model-space windows `[batch, channels, length]` <-> scalogram images `[batch, C', H, W]`, invertibly.

`to_image` removes each window's mean (or linear trend), takes the CWT of the rest, keeps the phase
(signed `morl` coefficients, or real and imaginary parts of a complex Morlet, optionally demodulated),
lays the `[scales, time]` plane out as `H x W` pixels (time folded into channels, resized, or kept),
standardises every plane with statistics fitted by `fit`, and appends the trend as constant planes so that
an image alone decodes to a full window.

`from_image` inverts the whole linear map at once: the regularised least-squares window whose image
(before normalisation) is closest to the given one, restricted to detrended windows, plus the trend read
back as each trend plane's spatial mean. Folding time into channels loses nothing (a reshape); resizing the
time axis is a linear map whose least-squares inverse still recovers most of the window, best with
demodulated complex Morlet coefficients. The README's round-trip table (`benchmarks/bench_cwt.py`) measures
each layout.

Image channel order: for each data channel `c`, each component `k` (1 for `morl` or magnitudes; real then
imaginary for `cmor`) and each time phase `p` (1 unless folded), plane `(c * K + k) * F + p`; then the trend
planes, `C * K * F + c * T + t` (`T` = 1 for the mean, 2 for level and slope).
"""

from __future__ import annotations

import copy
import math
from collections.abc import Iterable
from dataclasses import asdict, dataclass, fields
from typing import Any, Literal

import numpy as np
import torch
import torch.nn.functional as F

from .cache import cached
from .filter_bank import BOUNDARIES, DEFAULT_REGULARIZATION, check_finite_tensor, cwt, icwt, precise_matmul
from .scales import SCALE_SPACINGS, max_scale_for_length, scale_grid
from .wavelets import carrier_frequency, check_wavelet, is_complex, nyquist_scale

TIME_LAYOUTS = ("auto", "fold", "resize", "none")
INTERPOLATIONS = ("bilinear", "bicubic")
COEFFICIENT_KINDS = ("signed", "magnitude")  # what an image holds: signed coefficients, or their modulus
DETRENDS = ("mean", "linear")
NORMALIZATIONS = ("scale", "channel", "none")
MAX_SYNTHESIS_ENTRIES = 1 << 26  # above this, from_image undoes the layout and calls icwt instead.


@dataclass
class ScalogramConfig:
    """
    Everything a [`ScalogramTransform`] needs, fitted statistics included; plain JSON-ready data.

    Args:
        window_size (`int`, defaults to 256): Samples per window (`L`).
        num_channels (`int`, defaults to 1): Channels per window (`C`).
        wavelet (`str`, defaults to `"morl"`): `"morl"` (real, signed coefficients) or `"cmorB-C"` (complex:
            real and imaginary planes), e.g. `"cmor1.5-1.0"`.
        num_scales (`int`, defaults to 128): CWT scales; resized to `image_height` rows if different.
        min_scale (`float`, *optional*): Smallest scale; defaults to the wavelet's Nyquist scale (1.625 for `morl`).
        max_scale (`float`, *optional*): Largest scale; defaults to `window_size / 2` (a 158-sample period for
            `morl` at 256).
        scale_spacing (`"log"` or `"linear"`, defaults to `"log"`): Spacing of the scales.
        image_height (`int`, defaults to 128): Image rows `H` (scales, smallest first).
        image_width (`int`, *optional*): Image columns `W`; defaults to `image_height`, or `window_size` when
            `time_layout="none"`.
        time_layout (`"auto"`, `"fold"`, `"resize"` or `"none"`, defaults to `"auto"`): How `window_size`
            samples become `W` columns. `"fold"`: space-to-depth, `F = window_size / W` interleaved phases as
            `F` times more channels (lossless); `"resize"`: interpolation to `W` columns; `"none"`: `W =
            window_size`. `"auto"` folds when `window_size` is a multiple of `W` and resizes otherwise.
        interpolation (`"bilinear"` or `"bicubic"`, defaults to `"bicubic"`): Interpolation of any resizing.
        coefficients (`"signed"` or `"magnitude"`, defaults to `"signed"`): `"signed"` keeps the phase (the
            signed real coefficients of `morl`, real and imaginary parts of `cmor`); `"magnitude"` (complex
            wavelets only) keeps `|coefficient|` and is not invertible.
        demodulate (`bool`, defaults to `False`): Remove each scale's carrier phase ramp `exp(2 pi i C n / s)`
            from complex coefficients (slowly varying planes that survive time-axis resizing). `cmor` only.
        detrend (`"mean"` or `"linear"`, defaults to `"mean"`): What is removed before the CWT and carried in
            constant planes: the mean (1 plane per channel) or level and slope (2 planes per channel).
        normalization (`"scale"`, `"channel"` or `"none"`, defaults to `"scale"`): Standardisation of the
            planes with fitted statistics: a mean and std per (channel, component, scale row), per (channel,
            component), or none. Trend planes get a mean and std per (channel, trend term) unless `"none"`.
        boundary (`"zero"`, `"periodic"` or `"symmetric"`, defaults to `"zero"`): CWT boundary (see `cwt`).
        regularization (`float`, defaults to 1e-8): Tikhonov weight of the inverse, relative to the largest
            eigenvalue of the image map's Gram matrix. The inverse is restricted to detrended windows, so only
            genuinely weak directions are damped: 1e-8 keeps clean round trips at the float32 rounding floor
            and is as robust as 1e-6 to noise added to the images.
        statistics (`dict`, *optional*): Fitted by [`ScalogramTransform.fit`]: `coef_mean` / `coef_std`
            (`[C][K][H]`, or `[C][K][1]` for `"channel"`), `trend_mean` / `trend_std` (`[C][T]`).
    """

    window_size: int = 256
    num_channels: int = 1
    wavelet: str = "morl"
    num_scales: int = 128
    min_scale: float | None = None
    max_scale: float | None = None
    scale_spacing: Literal["log", "linear"] = "log"
    image_height: int = 128
    image_width: int | None = None
    time_layout: Literal["auto", "fold", "resize", "none"] = "auto"
    interpolation: Literal["bilinear", "bicubic"] = "bicubic"
    coefficients: Literal["signed", "magnitude"] = "signed"
    demodulate: bool = False
    detrend: Literal["mean", "linear"] = "mean"
    normalization: Literal["scale", "channel", "none"] = "scale"
    boundary: Literal["zero", "periodic", "symmetric"] = "zero"
    regularization: float = DEFAULT_REGULARIZATION
    statistics: dict[str, list] | None = None

    def __post_init__(self) -> None:
        for name in ("window_size", "num_channels", "num_scales", "image_height"):
            _check_positive_int(name, getattr(self, name))
        if self.image_width is not None:
            _check_positive_int("image_width", self.image_width)
        check_wavelet(self.wavelet)
        for name, valid in (
            ("scale_spacing", SCALE_SPACINGS),
            ("time_layout", TIME_LAYOUTS),
            ("interpolation", INTERPOLATIONS),
            ("coefficients", COEFFICIENT_KINDS),
            ("detrend", DETRENDS),
            ("normalization", NORMALIZATIONS),
            ("boundary", BOUNDARIES),
        ):
            if getattr(self, name) not in valid:
                raise ValueError(f"Unknown {name} {getattr(self, name)!r}; valid options: {', '.join(valid)}.")
        if self.coefficients == "magnitude" and not is_complex(self.wavelet):
            raise ValueError(
                f"coefficients='magnitude' needs a complex wavelet, got {self.wavelet!r}: |morl| loses the sign "
                "and the oscillation. Use wavelet='cmor1.5-1.0' or coefficients='signed'."
            )
        if self.demodulate and not is_complex(self.wavelet):
            raise ValueError(
                f"demodulate=True needs a complex wavelet, got {self.wavelet!r} (a real Morlet has no carrier "
                "phase to remove). Use wavelet='cmor1.5-1.0' or demodulate=False."
            )
        if not (isinstance(self.regularization, (int, float)) and np.isfinite(self.regularization)):
            raise ValueError(f"`regularization` must be a positive number, got {self.regularization!r}.")
        if self.regularization <= 0:
            raise ValueError(
                f"`regularization` must be a positive number, got {self.regularization!r}; 1e-8 is typical."
            )
        width = self.resolved_image_width
        if self.time_layout == "fold" and self.window_size % width:
            raise ValueError(
                f"time_layout='fold' needs window_size ({self.window_size}) to be a multiple of image_width "
                f"({width}); pick image_width among its divisors or use time_layout='resize'."
            )
        if self.time_layout == "none" and width != self.window_size:
            raise ValueError(
                f"time_layout='none' keeps one column per sample, so image_width must be window_size "
                f"({self.window_size}), got {width}; leave image_width=None or use 'fold' / 'resize'."
            )
        low, high = self.scale_range
        limit = max_scale_for_length(self.window_size, self.wavelet)
        if high > limit:
            raise ValueError(
                f"max_scale {high:g} is too large for windows of {self.window_size} samples (at most {limit:g} for "
                f"{self.wavelet!r}); lower max_scale or use longer windows."
            )
        if self.max_scale is None and high < low:
            # The default range ends at window_size / 2: a window that short has no band above Nyquist to analyse.
            raise ValueError(
                f"window_size {self.window_size} is too short for the {self.wavelet!r} wavelet: its smallest useful "
                f"scale (Nyquist, {low:g}) needs windows of at least {math.ceil(2 * low)} samples. Use a longer "
                "window_size."
            )
        scale_grid(self.num_scales, high, wavelet=self.wavelet, min_scale=low, spacing=self.scale_spacing)

    @property
    def resolved_image_width(self) -> int:
        if self.image_width is not None:
            return self.image_width
        return self.window_size if self.time_layout == "none" else self.image_height

    @property
    def resolved_time_layout(self) -> str:
        if self.time_layout != "auto":
            return self.time_layout
        return "fold" if self.window_size % self.resolved_image_width == 0 else "resize"

    @property
    def scale_range(self) -> tuple[float, float]:
        """(smallest, largest) scale after defaults: the Nyquist scale and `window_size / 2`."""
        low = float(self.min_scale) if self.min_scale is not None else nyquist_scale(self.wavelet)
        high = float(self.max_scale) if self.max_scale is not None else self.window_size / 2
        return low, high


def _check_positive_int(name: str, value: Any) -> None:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
        raise ValueError(f"`{name}` must be a positive integer, got {value!r}.")


class _RunningMoments:
    """Mean and std over the last axis of a stream of float64 batches, shifted by the first batch's mean."""

    def __init__(self) -> None:
        self.count = 0
        self.shift = self.total = self.squares = torch.zeros(())

    def update(self, values: torch.Tensor) -> None:
        if self.count == 0:
            self.shift = values.mean(-1, keepdim=True)
        centred = values - self.shift
        self.total = self.total + centred.sum(-1, keepdim=True)
        self.squares = self.squares + (centred**2).sum(-1, keepdim=True)
        self.count += values.shape[-1]

    def mean_std(self) -> tuple[list, list]:
        mean = self.total / self.count
        std = (self.squares / self.count - mean**2).clamp_min(0).sqrt()
        # A constant plane (std 0) is left unscaled rather than divided by zero.
        floor = 1e-12 * float(std.max()) if float(std.max()) > 0 else 1.0
        std = torch.where(std > floor, std, torch.ones_like(std))
        return (mean + self.shift)[..., 0].cpu().tolist(), std[..., 0].cpu().tolist()


class ScalogramTransform:
    """
    Invertible map between model-space windows `[B, C, L]` and scalogram images `[B, C', H, W]`.

    Build it from a [`ScalogramConfig`] (or its fields as keyword arguments), `fit` it on training windows,
    then `to_image` / `from_image` on any device and dtype, batched and differentiable. Its whole state,
    fitted statistics included, is `transform.config` (a JSON-ready dict); `ScalogramTransform.from_config`
    rebuilds an identical transform.

    Example:
        ```py
        >>> import torch
        >>> from ts_diffusion_wavelet.scalogram import ScalogramTransform
        >>> transform = ScalogramTransform(window_size=256, image_height=128)  # morl, time folded: [B, 3, 128, 128]
        >>> windows = torch.randn(64, 1, 256)
        >>> images = transform.fit(windows).to_image(windows)
        >>> restored = transform.from_image(images)  # the windows, to float32 rounding
        ```
    """

    def __init__(self, config: ScalogramConfig | dict[str, Any] | None = None, **kwargs: Any) -> None:
        if config is None:
            config = ScalogramConfig(**kwargs)
        elif isinstance(config, ScalogramConfig):
            config = ScalogramConfig(**{**asdict(config), **kwargs})
        elif isinstance(config, dict):
            if "representation" in config:  # the field's name before 0.2, in saved pipelines
                config = {("coefficients" if k == "representation" else k): v for k, v in config.items()}
            valid = {f.name for f in fields(ScalogramConfig)}
            unknown = sorted((set(config) | set(kwargs)) - valid)
            if unknown:
                raise ValueError(
                    f"Unknown ScalogramConfig fields {unknown}; valid fields: {', '.join(sorted(valid))}."
                )
            config = ScalogramConfig(**{**copy.deepcopy(config), **kwargs})
        else:
            raise ValueError(f"`config` must be a ScalogramConfig or a dict, got {type(config).__name__}.")
        self._config = config
        low, high = config.scale_range
        self.scales = scale_grid(
            config.num_scales, high, wavelet=config.wavelet, min_scale=low, spacing=config.scale_spacing
        )
        if config.statistics is not None:
            self._check_statistics(config.statistics)

    # ------------------------------------------------------------------------------------------------------
    # Configuration and shape.
    # ------------------------------------------------------------------------------------------------------

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> ScalogramTransform:
        """Rebuild a transform, fitted statistics included, from [`ScalogramTransform.config`]."""
        if not isinstance(config, dict):
            raise ValueError(f"`config` must be the dict of `transform.config`, got {type(config).__name__}.")
        return cls(config)

    @property
    def config(self) -> dict[str, Any]:
        """The whole configuration and fitted statistics as JSON-ready data (a deep copy)."""
        return copy.deepcopy(asdict(self._config))

    @property
    def window_size(self) -> int:
        return self._config.window_size

    @property
    def num_channels(self) -> int:
        return self._config.num_channels

    @property
    def time_layout(self) -> str:
        """The resolved layout: `"fold"`, `"resize"` or `"none"`."""
        return self._config.resolved_time_layout

    @property
    def image_size(self) -> tuple[int, int]:
        """`(H, W)`."""
        return self._config.image_height, self._config.resolved_image_width

    @property
    def num_components(self) -> int:
        """Planes per scale row: 2 (real, imaginary) for signed complex Morlet, else 1."""
        complex_planes = is_complex(self._config.wavelet) and self._config.coefficients == "signed"
        return 2 if complex_planes else 1

    @property
    def fold_factor(self) -> int:
        """Interleaved time phases per image (`window_size / W` when folded, else 1)."""
        return self.window_size // self.image_size[1] if self.time_layout == "fold" else 1

    @property
    def num_trend_terms(self) -> int:
        return 2 if self._config.detrend == "linear" else 1

    @property
    def image_channels(self) -> int:
        """`C * K * F` coefficient planes plus `C * T` trend planes."""
        return self.num_channels * (self.num_components * self.fold_factor + self.num_trend_terms)

    @property
    def invertible(self) -> bool:
        """`False` for magnitude images, whose phase is gone: `from_image` raises for them."""
        return self._config.coefficients == "signed"

    @property
    def is_fitted(self) -> bool:
        return self._config.normalization == "none" or self._config.statistics is not None

    def __repr__(self) -> str:
        h, w = self.image_size
        return (
            f"{type(self).__name__}({self.num_channels}x{self.window_size} -> {self.image_channels}x{h}x{w}, "
            f"wavelet={self._config.wavelet!r}, layout={self.time_layout!r}, fitted={self.is_fitted})"
        )

    # ------------------------------------------------------------------------------------------------------
    # Public maps.
    # ------------------------------------------------------------------------------------------------------

    def fit(self, windows: torch.Tensor | np.ndarray | Iterable, batch_size: int = 1024) -> ScalogramTransform:
        """
        Fit the normalisation statistics on model-space windows (train split only).

        Args:
            windows (`torch.Tensor` / `np.ndarray` of shape `[B, C, L]`, or an iterable of such batches): Windows
                in model space; batches may live on any device (statistics are accumulated in float64).
            batch_size (`int`, defaults to 1024): Windows per CWT call when `windows` is one array.

        Returns:
            `ScalogramTransform`: `self`, fitted (its `config["statistics"]` is set).
        """
        if self._config.normalization == "none":
            for batch in self._batches(windows, batch_size):
                self._check_windows(batch)
            return self
        coefficients, trends = _RunningMoments(), _RunningMoments()
        for batch in self._batches(windows, batch_size):
            with torch.no_grad():
                trend, planes = self._raw_image(self._check_windows(batch))
            if planes.device.type == "mps":  # no float64 there
                planes, trend = planes.cpu(), trend.cpu()
            coefficients.update(self._pool_planes(planes.double()))  # [C, K, H', n]
            trends.update(trend.double().permute(1, 2, 0))  # [C, T, n]
        if coefficients.count == 0:
            raise ValueError("`windows` is empty; fit needs at least one window.")
        (coef_mean, coef_std), (trend_mean, trend_std) = coefficients.mean_std(), trends.mean_std()
        self._config.statistics = {
            "coef_mean": coef_mean,
            "coef_std": coef_std,
            "trend_mean": trend_mean,
            "trend_std": trend_std,
        }
        return self

    def to_image(self, windows: torch.Tensor) -> torch.Tensor:
        """
        Windows `[B, C, L]` to images `[B, image_channels, H, W]`, on the windows' device and dtype.

        Steps: (1) remove the mean / linear trend; (2) CWT of the rest; (3) signed coefficients, real and
        imaginary parts (optionally demodulated) or magnitudes; (4) time layout and scale rows; (5)
        standardise; (6) append the trend as constant planes.
        """
        windows = self._check_windows(windows)
        self._require_fitted()
        trend, planes = self._raw_image(windows)  # [B, C, T], [B, C, K, F, H, W] (a strided view when folded)
        mean, std, trend_mean, trend_std = self._statistics(windows.device, windows.dtype)
        batch, (height, width) = windows.shape[0], self.image_size
        images = torch.empty(batch, self.image_channels, height, width, dtype=windows.dtype, device=windows.device)
        num_planes = planes[0].numel() // (height * width)
        target = images[:, :num_planes].view(planes.shape)
        if torch.is_grad_enabled() and windows.requires_grad:
            target.copy_((planes - mean) / std)
        else:  # one pass: standardise and unfold the phases straight into the image
            torch.addcmul(-mean / std, planes, 1 / std, out=target)
        trend = (trend - trend_mean) / trend_std
        images[:, num_planes:] = trend.reshape(batch, -1, 1, 1)
        return images

    def from_image(self, images: torch.Tensor) -> torch.Tensor:
        """
        Images `[B, image_channels, H, W]` back to windows `[B, C, L]`, on the images' device and dtype.

        Steps: (1) trend terms as the spatial mean of each trend plane, de-standardised; (2) coefficient planes
        de-standardised; (3) the regularised least-squares detrended window whose image is closest to them
        (one matmul with a precomputed pseudo-inverse of the linear image map); (4) add the trend back.
        """
        if not self.invertible:
            raise ValueError(
                "Magnitude scalograms discard the phase, so from_image cannot invert them. Use "
                "coefficients='signed' (signed morl, or real and imaginary parts of cmor) for an invertible image."
            )
        images = self._check_images(images)
        self._require_fitted()
        mean, std, trend_mean, trend_std = self._statistics(images.device, images.dtype)
        batch, channels = images.shape[0], self.num_channels
        num_planes = channels * self.num_components * self.fold_factor
        trend = images[:, num_planes:].mean(dim=(-2, -1)).reshape(batch, channels, -1) * trend_std + trend_mean
        shape = (batch, channels, self.num_components, self.fold_factor, *self.image_size)
        planes = torch.addcmul(mean, images[:, :num_planes].reshape(shape), std)  # de-standardise in one pass
        residual = self._synthesize(planes.reshape(batch * channels, *shape[2:]))
        return self._add_trend(residual.reshape(batch, channels, -1), trend)

    # ------------------------------------------------------------------------------------------------------
    # Forward pieces.
    # ------------------------------------------------------------------------------------------------------

    def _raw_image(self, windows: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """Trend terms `[B, C, T]` and un-normalised planes `[B, C, K, F, H, W]`."""
        trend, residual = self._remove_trend(windows)
        batch, channels, length = windows.shape
        planes = self._planes(residual.reshape(batch * channels, length))
        return trend, planes.reshape(batch, channels, *planes.shape[1:])

    def _trend_basis(self, device: torch.device, dtype: torch.dtype) -> torch.Tensor:
        """`[L, T]`: a constant and, for `"linear"`, a centred ramp from -0.5 to 0.5 (one unit per window)."""
        ramp = torch.linspace(-0.5, 0.5, self.window_size, device=device, dtype=dtype)
        basis = [torch.ones_like(ramp)] + ([ramp] if self._config.detrend == "linear" else [])
        return torch.stack(basis, dim=-1)

    def _remove_trend(self, windows: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        basis = self._trend_basis(windows.device, windows.dtype)
        # The basis columns are orthogonal, so each term is a separate projection <x, b> / <b, b>.
        trend = (windows @ basis) / (basis**2).sum(0)
        return trend, windows - trend @ basis.T

    def _add_trend(self, residual: torch.Tensor, trend: torch.Tensor) -> torch.Tensor:
        return residual + trend @ self._trend_basis(residual.device, residual.dtype).T

    def _planes(self, residual: torch.Tensor) -> torch.Tensor:
        """Detrended signals `[M, L]` to planes `[M, K, F, H, W]` (linear in the signal unless magnitudes)."""
        cfg = self._config
        coefs, _ = cwt(residual, self.scales, cfg.wavelet, boundary=cfg.boundary, check_finite_input=False)
        if is_complex(cfg.wavelet):
            if cfg.coefficients == "magnitude":
                components = coefs.abs()[:, None]
            else:
                if cfg.demodulate:
                    coefs = coefs * self._carrier(coefs.device, coefs.dtype)
                components = torch.stack([coefs.real, coefs.imag], dim=1)
        else:
            components = coefs[:, None]
        return self._layout(components)

    def _carrier(self, device: torch.device, dtype: torch.dtype) -> torch.Tensor:
        """`exp(-2 pi i (C / s) n)`, `[S, L]`: multiplying by it removes each scale's phase ramp."""
        frequency = carrier_frequency(self._config.wavelet) / torch.as_tensor(self.scales, dtype=torch.float64)
        phase = -2 * np.pi * frequency[:, None] * torch.arange(self.window_size, dtype=torch.float64)
        return torch.polar(torch.ones_like(phase), phase).to(dtype).to(device)

    def _layout(self, components: torch.Tensor) -> torch.Tensor:
        """`[M, K, S, L]` to `[M, K, F, H, W]`."""
        m, k, num_scales, length = components.shape
        height, width = self.image_size
        target = (height, width) if self.time_layout == "resize" else (height, length)
        if target != (num_scales, length):
            components = F.interpolate(
                components.reshape(m * k, 1, num_scales, length),
                size=target,
                mode=self._config.interpolation,
                align_corners=False,
            ).reshape(m, k, *target)
        if self.time_layout != "fold":
            return components[:, :, None]
        # Space-to-depth along time: sample n = w * F + p goes to phase p, column w.
        folded = components.reshape(m, k, height, width, self.fold_factor)
        return folded.permute(0, 1, 4, 2, 3)

    def _pool_planes(self, planes: torch.Tensor) -> torch.Tensor:
        """Planes `[B, C, K, F, H, W]` to the samples of each statistic: `[C, K, H', n]`."""
        pooled = planes.permute(1, 2, 4, 0, 3, 5)  # [C, K, H, B, F, W]
        channels, components, height = pooled.shape[:3]
        if self._config.normalization == "channel":
            return pooled.reshape(channels, components, 1, -1)
        return pooled.reshape(channels, components, height, -1)

    # ------------------------------------------------------------------------------------------------------
    # Inverse pieces.
    # ------------------------------------------------------------------------------------------------------

    def _synthesis_key(self) -> tuple:
        skip = {"num_channels", "normalization", "statistics"}
        return tuple((f.name, getattr(self._config, f.name)) for f in fields(ScalogramConfig) if f.name not in skip)

    def _planes_per_window(self) -> int:
        height, width = self.image_size
        return self.num_components * self.fold_factor * height * width

    def _synthesis_matrix_host(self) -> torch.Tensor:
        """`[K F H W, L]` float64: planes of a detrended window -> that window, regularised least squares."""
        return cached(("scalogram synthesis", self._synthesis_key()), self._build_synthesis_matrix)

    def _build_synthesis_matrix(self) -> torch.Tensor:
        # (1) The image map on the detrended subspace: push the projected identity through the planes.
        basis = self._trend_basis(torch.device("cpu"), torch.float64)
        orthonormal, _ = torch.linalg.qr(basis)
        projector = torch.eye(self.window_size, dtype=torch.float64) - orthonormal @ orthonormal.T
        with torch.no_grad():
            operator = self._planes(projector).reshape(self.window_size, -1)  # [L, KFHW]
        # (2) x = (B B^T + lambda I)^-1 B y, lambda relative to the largest eigenvalue of the Gram matrix B B^T.
        values, vectors = torch.linalg.eigh(operator @ operator.T)
        damping = self._config.regularization * values.max()
        inverse_gram = (vectors / (values.clamp_min(0) + damping)) @ vectors.T
        # (3) Project the result onto detrended windows: the trend directions are exact null directions of B,
        # where rounding would otherwise be amplified by 1 / lambda.
        synthesis = (projector @ inverse_gram) @ operator
        return synthesis.T.contiguous()

    def _synthesize(self, planes: torch.Tensor) -> torch.Tensor:
        """Un-normalised planes `[M, K, F, H, W]` to detrended windows `[M, L]`."""
        dtype = planes.dtype if planes.dtype == torch.float64 else torch.float32  # half precision: float32 solve
        if self._planes_per_window() * self.window_size > MAX_SYNTHESIS_ENTRIES:
            return self._synthesize_by_icwt(planes.to(dtype)).to(planes.dtype)
        matrix = cached(
            ("scalogram synthesis", self._synthesis_key(), planes.device, dtype),
            lambda: self._synthesis_matrix_host().to(dtype).to(planes.device),
        )
        return precise_matmul(planes.reshape(planes.shape[0], -1).to(dtype), matrix).to(planes.dtype)

    def _synthesize_by_icwt(self, planes: torch.Tensor) -> torch.Tensor:
        """Fallback for large images: undo the layout (interpolating back if resized), then `icwt`."""
        cfg = self._config
        m, k, phases, height, width = planes.shape
        if self.time_layout == "fold":
            components = planes.permute(0, 1, 3, 4, 2).reshape(m, k, height, width * phases)
        else:
            components = planes[:, :, 0]
        if components.shape[-2:] != (len(self.scales), self.window_size):
            components = F.interpolate(
                components.reshape(m * k, 1, *components.shape[-2:]),
                size=(len(self.scales), self.window_size),
                mode=cfg.interpolation,
                align_corners=False,
            ).reshape(m, k, len(self.scales), self.window_size)
        if is_complex(cfg.wavelet):
            coefs = torch.complex(components[:, 0], components[:, 1])
            if cfg.demodulate:
                coefs = coefs * self._carrier(coefs.device, coefs.dtype).conj()
        else:
            coefs = components[:, 0]
        signal = icwt(
            coefs,
            self.scales,
            cfg.wavelet,
            boundary=cfg.boundary,
            regularization=cfg.regularization,
            check_finite_input=False,
        )
        trend, residual = self._remove_trend(signal[:, None])
        return residual[:, 0]

    # ------------------------------------------------------------------------------------------------------
    # Statistics and checks.
    # ------------------------------------------------------------------------------------------------------

    def _statistics(self, device: torch.device, dtype: torch.dtype) -> tuple[torch.Tensor, ...]:
        """Coefficient mean / std `[C, K, 1, H', 1]` and trend mean / std `[C, T]` on a device and dtype."""
        stats = self._config.statistics
        if stats is None:  # normalization="none"
            zero, one = torch.zeros((), device=device, dtype=dtype), torch.ones((), device=device, dtype=dtype)
            return zero, one, zero, one

        def as_tensor(name: str) -> torch.Tensor:
            # Built per call (tens of microseconds): the statistics are the config's, so nothing can go stale.
            return torch.tensor(stats[name], dtype=torch.float64).to(dtype).to(device)

        coef_mean, coef_std = (as_tensor(name)[:, :, None, :, None] for name in ("coef_mean", "coef_std"))
        return coef_mean, coef_std, as_tensor("trend_mean"), as_tensor("trend_std")

    def _check_statistics(self, stats: dict[str, list]) -> None:
        rows = 1 if self._config.normalization == "channel" else self.image_size[0]
        expected = {
            "coef_mean": (self.num_channels, self.num_components, rows),
            "coef_std": (self.num_channels, self.num_components, rows),
            "trend_mean": (self.num_channels, self.num_trend_terms),
            "trend_std": (self.num_channels, self.num_trend_terms),
        }
        if self._config.normalization == "none" or not isinstance(stats, dict) or set(stats) != set(expected):
            raise ValueError(
                f"`statistics` must be None for normalization='none', else a dict with keys {sorted(expected)} "
                "as written by fit(); refit the transform instead of editing them."
            )
        for name, shape in expected.items():
            array = np.asarray(stats[name], dtype=np.float64)
            if array.shape != shape or not np.all(np.isfinite(array)) or (name.endswith("std") and np.any(array <= 0)):
                raise ValueError(
                    f"`statistics[{name!r}]` must be finite{' and positive' if name.endswith('std') else ''} with "
                    f"shape {shape} for this configuration, got shape {array.shape}; refit the transform."
                )

    def _require_fitted(self) -> None:
        if not self.is_fitted:
            raise ValueError(
                f"The transform has no normalisation statistics (normalization={self._config.normalization!r}); "
                "call transform.fit(train_windows) first, or use normalization='none'."
            )

    def _check_windows(self, windows: torch.Tensor | np.ndarray) -> torch.Tensor:
        windows = torch.as_tensor(windows) if isinstance(windows, np.ndarray) else windows
        if not isinstance(windows, torch.Tensor):
            raise ValueError(
                f"`windows` must be a torch.Tensor [batch, channels, length], got {type(windows).__name__}."
            )
        expected = (self.num_channels, self.window_size)
        if windows.ndim != 3 or tuple(windows.shape[1:]) != expected:
            raise ValueError(
                f"`windows` must have shape [batch, {expected[0]} channels, {expected[1]} samples], got "
                f"{tuple(windows.shape)}; add a batch axis (windows[None]) for one window, or build a transform with "
                f"num_channels={windows.shape[-2] if windows.ndim >= 2 else 1}, "
                f"window_size={windows.shape[-1] if windows.ndim else 1}."
            )
        if not windows.is_floating_point():
            raise ValueError(f"`windows` must be floating point, got dtype {windows.dtype}; call .float().")
        check_finite_tensor(windows, "windows")
        return windows

    def _check_images(self, images: torch.Tensor) -> torch.Tensor:
        if not isinstance(images, torch.Tensor):
            raise ValueError(f"`images` must be a torch.Tensor [batch, channels, H, W], got {type(images).__name__}.")
        expected = (self.image_channels, *self.image_size)
        if images.ndim != 4 or tuple(images.shape[1:]) != expected:
            raise ValueError(
                f"`images` must have shape [batch, {expected[0]}, {expected[1]}, {expected[2]}] for this transform, "
                f"got {tuple(images.shape)}; check that the model's in/out channels and sample_size match "
                "transform.image_channels and transform.image_size."
            )
        if not images.is_floating_point():
            raise ValueError(f"`images` must be floating point, got dtype {images.dtype}; call .float().")
        check_finite_tensor(images, "images")
        return images

    @staticmethod
    def _batches(windows: torch.Tensor | np.ndarray | Iterable, batch_size: int) -> Iterable:
        if isinstance(windows, (torch.Tensor, np.ndarray)):
            if windows.ndim != 3:
                raise ValueError(f"`windows` must have shape [batch, channels, length], got {tuple(windows.shape)}.")
            return (windows[start : start + batch_size] for start in range(0, windows.shape[0], batch_size))
        if not isinstance(windows, Iterable):
            raise ValueError(
                f"`windows` must be an array [B, C, L] or an iterable of them, got {type(windows).__name__}."
            )
        return windows
