"""A window as a unit-std shape times a volatility path: what `--window_scale` makes the raw model generate."""

from __future__ import annotations

import math
from typing import Any

import torch
import torch.nn.functional as F

SCALE_KINDS: tuple[str, ...] = ("std", "local")
_FLOOR = 1e-6  # keeps flat windows and flat stretches finite


class WindowScale:
    r"""
    Splits windows `[B, C, L]` into a shape with unit standard deviation per channel and a log volatility path
    $\log\sigma_t$ (standardised by training statistics), and joins them back exactly: $x_t = \text{shape}_t \sigma_t$.

    - `"std"`: $\sigma_t$ is the window's standard deviation, one number per window and channel (a constant path).
    - `"local"`: $\sigma_t$ is the centred moving root mean square over `width` steps, times the standard deviation
      of the window divided by it (so the shape still has unit standard deviation): volatility clustering inside
      a window becomes a smooth path the model generates beside the shape.

    Joining projects a generated shape back onto unit standard deviation (what every training shape had), so the
    generated path alone sets the volatility.

    Args:
        kind (`str`): `"std"` or `"local"`.
        mean (`list[float]`), std (`list[float]`): Per channel, of $\log\sigma_t$ over the training windows.
        width (`int`, defaults to 32): Steps of the moving window of `"local"`.
    """

    def __init__(self, kind: str, mean: list[float], std: list[float], width: int = 32) -> None:
        self.kind, self.mean, self.std, self.width = kind, mean, std, width

    @classmethod
    def fit(cls, windows: torch.Tensor, kind: str, width: int = 32) -> WindowScale:
        """Statistics of the log volatility path over training windows `[N, C, L]`."""
        log_scale = _volatility(windows.double(), kind, width).log()  # [N, C, L or 1]
        per_channel = log_scale.transpose(0, 1).flatten(1)
        mean, std = per_channel.mean(dim=1), per_channel.std(dim=1).clamp_min(_FLOOR)
        return cls(kind, mean.tolist(), std.tolist(), width)

    @classmethod
    def from_dict(cls, record: Any, num_channels: int) -> WindowScale:
        """Rebuild from [`to_dict`], or raise a `ValueError` naming what is wrong with the record."""
        ok = isinstance(record, dict) and {"mean", "std"} <= set(record) <= {"kind", "mean", "std", "width"}
        ok = ok and all(isinstance(record[k], list) and len(record[k]) == num_channels for k in ("mean", "std"))
        ok = ok and all(isinstance(v, (int, float)) and math.isfinite(v) for k in ("mean", "std") for v in record[k])
        ok = ok and min(record["std"]) > 0 and record.get("kind", "std") in SCALE_KINDS
        ok = ok and isinstance(record.get("width", 32), int) and record.get("width", 32) >= 2
        if not ok:
            raise ValueError(
                f"A raw representation's 'window_scale' must be {{'kind': 'std' or 'local', 'mean': [{num_channels} "
                f"numbers], 'std': [{num_channels} positive numbers], 'width': steps >= 2}} (log volatility "
                f"statistics), got {record!r}."
            )
        mean, std = [float(v) for v in record["mean"]], [float(v) for v in record["std"]]
        return cls(record.get("kind", "std"), mean, std, record.get("width", 32))

    def to_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "mean": self.mean, "std": self.std, "width": self.width}

    def split(self, windows: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """Windows `[B, C, L]` -> (unit-std shape `[B, C, L]`, standardised log volatility path `[B, C, L]`)."""
        scale = _volatility(windows, self.kind, self.width).expand_as(windows)
        mean, std = self._statistics(windows)
        return windows / scale, (scale.log() - mean) / std

    def join(self, shape: torch.Tensor, path: torch.Tensor) -> torch.Tensor:
        """The inverse of [`split`] (exact on split windows); a generated shape is first brought to unit std."""
        mean, std = self._statistics(shape)
        if self.kind == "std":  # a constant path: its mean over time is the generated log scale
            path = path.mean(dim=-1, keepdim=True)
        return shape / _std(shape) * (path * std + mean).exp()

    def _statistics(self, like: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        mean, std = (torch.tensor(v, dtype=like.dtype, device=like.device)[:, None] for v in (self.mean, self.std))
        return mean, std


def _std(windows: torch.Tensor) -> torch.Tensor:
    return windows.std(dim=-1, keepdim=True).clamp_min(_FLOOR)


def _volatility(windows: torch.Tensor, kind: str, width: int) -> torch.Tensor:
    """$\\sigma_t$ of windows `[B, C, L]`: `[B, C, 1]` for `"std"`, `[B, C, L]` for `"local"`."""
    if kind == "std":
        return _std(windows)
    # Centred moving RMS (edges: the nearest full stretch's value), rescaled so that windows / sigma has unit std.
    squares = F.pad(windows.square(), (width // 2, width - 1 - width // 2), mode="replicate")
    local = F.avg_pool1d(squares, width, stride=1).sqrt().clamp_min(_FLOOR)
    return local * _std(windows / local)
