"""Random known-value masks for conditional training: the shapes of gap the sampling jobs will hand the model."""

from __future__ import annotations

import torch

# The three jobs' masks, drawn with equal chance for each window that is shown anything.
MASK_KINDS: tuple[str, ...] = ("points", "runs", "leading")


def draw_known_masks(
    shape: tuple[int, ...], window_size: int, dropout: float, generator: torch.Generator
) -> torch.Tensor:
    r"""
    One random mask per window, True where the value is shown to the model, in the states' shape `[B, C, L]`.

    Each window gets one of three kinds, each the shape of a sampling job:
    - `"points"` (imputation of scattered gaps): every entry known with probability $p \sim U(0, 1)$, one $p$ per
      window;
    - `"runs"` (gaps of consecutive steps): each channel misses one run of $U\{1, \dots, L - 1\}$ steps at a random
      place;
    - `"leading"` (forecasting and long paths): the first $h \sim U\{1, \dots, L - 1\}$ steps known in every channel.

    A share `dropout` of the windows is shown nothing, so the model still generates without known values. Steps
    past `window_size` (a raw model's padding) are never known.

    Args:
        shape (`tuple`): `(B, C, L)` of the states, `L >= window_size`.
        window_size (`int`): Steps of a window (at least 2).
        dropout (`float`): Share of windows with nothing known.
        generator (`torch.Generator`): The batch's generator (masks follow the seed, the batch and the process).

    Returns:
        `torch.Tensor` of bool, `shape`, on the generator's device.
    """
    batch, channels, length = shape
    if window_size < 2 or window_size > length:
        raise ValueError(f"`window_size` must be in [2, {length}] (the states' length), got {window_size}.")
    device = generator.device
    steps = torch.arange(window_size, device=device)
    # 1. Scattered points: one known-share per window.
    share = torch.rand(batch, 1, 1, generator=generator, device=device)
    points = torch.rand(batch, channels, window_size, generator=generator, device=device) < share
    # 2. One missing run per channel: length in 1..L-1, start so that the run fits.
    run_length = torch.randint(1, window_size, (batch, channels, 1), generator=generator, device=device)
    run_start = (
        torch.rand(batch, channels, 1, generator=generator, device=device) * (window_size - run_length + 1)
    ).long()
    runs = (steps < run_start) | (steps >= run_start + run_length)
    # 3. A known leading stretch of 1..L-1 steps in every channel.
    lead = torch.randint(1, window_size, (batch, 1, 1), generator=generator, device=device)
    leading = (steps < lead).expand(batch, channels, window_size)
    kind = torch.randint(0, len(MASK_KINDS), (batch, 1, 1), generator=generator, device=device)
    mask = torch.where(kind == 0, points, torch.where(kind == 1, runs, leading))
    shown = torch.rand(batch, 1, 1, generator=generator, device=device) >= dropout
    mask = mask & shown
    return torch.nn.functional.pad(mask, (0, length - window_size), value=False)
