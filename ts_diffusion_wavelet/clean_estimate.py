"""
The denoiser's estimate of the clean sample from its prediction, with the training schedule's scales: what
anomaly scores compare with the data and what observation guidance pulls toward the known values; and the same
prediction with its noise estimate scaled (epsilon scaling, against too smooth samples).
"""

from __future__ import annotations

import numbers
from typing import Any

import torch


def signal_and_noise_scales(
    scheduler: Any, t: torch.Tensor | int, like: torch.Tensor
) -> tuple[torch.Tensor, torch.Tensor]:
    """
    $\\sqrt{\\bar\\alpha_t}$ and $\\sqrt{1 - \\bar\\alpha_t}$ of the training schedule at timesteps `t`, shaped to
    broadcast over `like` (`t` one timestep, or one per sample). Read from `alphas_cumprod`, not the scheduler's
    `add_noise`: a sampler's `add_noise` (DPM-Solver, UniPC) maps timesteps onto its own inference schedule, which is
    not the training process at an arbitrary `t`.
    """
    alphas_cumprod = getattr(scheduler, "alphas_cumprod", None)
    if alphas_cumprod is None:
        raise ValueError(
            f"The pipeline's scheduler {type(scheduler).__name__} has no `alphas_cumprod` (the training schedule); "
            "this needs a DDPM-family scheduler (DDPM, DDIM, DPM-Solver, UniPC...)."
        )
    alphas = alphas_cumprod.to(device=like.device, dtype=torch.float64)[torch.as_tensor(t, device=like.device)]
    shape = (-1,) + (1,) * (like.dim() - 1) if alphas.dim() else ()
    return alphas.sqrt().to(like.dtype).view(shape), (1 - alphas).sqrt().to(like.dtype).view(shape)


def clean_estimate(
    scheduler: Any, noisy: torch.Tensor, prediction: torch.Tensor, t: torch.Tensor | int
) -> torch.Tensor:
    """$\\hat x_0$ from the model's prediction at timesteps `t`, by the scheduler's `prediction_type`."""
    signal, sigma = signal_and_noise_scales(scheduler, t, noisy)
    kind = scheduler.config.prediction_type
    if kind == "epsilon":
        return (noisy - sigma * prediction) / signal
    if kind == "v_prediction":
        return signal * noisy - sigma * prediction
    if kind == "sample":
        return prediction
    raise _unknown_prediction_type(kind)


def check_epsilon_scaling(factor: float, name: str = "`epsilon_scaling`") -> None:
    """
    Raises:
        `ValueError`: Unless `factor` is a number from 0.5 to 2 (1 is off), naming it as `name` (an argument or a
            command-line flag).
    """
    if isinstance(factor, bool) or not isinstance(factor, numbers.Real) or not 0.5 <= float(factor) <= 2.0:
        raise ValueError(
            f"{name} must be a number from 0.5 to 2 (1: off; 1.005-1.02 against too smooth samples), got {factor!r}."
        )


def scale_noise_estimate(
    scheduler: Any, noisy: torch.Tensor, prediction: torch.Tensor, t: torch.Tensor | int, factor: float
) -> torch.Tensor:
    r"""
    Epsilon scaling (Ning et al. 2024, "Elucidating the exposure bias in diffusion models"): the model's prediction
    re-expressed with its noise estimate divided by `factor`, in the same parametrisation (noise, v or $x_0$).

    A sampler run on a model's own outputs removes slightly too much noise at every step, so generated samples come
    out too smooth; a `factor` a little above 1 leaves that noise in. `noisy` is the state the model saw (after the
    scheduler's `scale_model_input`, i.e. $\sqrt{\bar\alpha_t} x_0 + \sqrt{1 - \bar\alpha_t}\epsilon$); a
    fractional timestep (Euler samplers) reads the schedule at the nearest integer step.
    """
    if factor == 1:
        return prediction
    step = torch.as_tensor(t).round().long()
    signal, sigma = signal_and_noise_scales(scheduler, step, noisy)
    kind = scheduler.config.prediction_type
    if kind == "epsilon":
        return prediction / factor
    if kind == "v_prediction":
        noise = (signal * prediction + sigma * noisy) / factor
        clean = (noisy - sigma * noise) / signal
        return signal * noise - sigma * clean
    if kind == "sample":
        noise = (noisy - signal * prediction) / sigma / factor
        return (noisy - sigma * noise) / signal
    raise _unknown_prediction_type(kind)


def _unknown_prediction_type(kind: Any) -> ValueError:
    return ValueError(
        f"Unknown prediction_type {kind!r} in the scheduler's config; expected epsilon, v_prediction or sample."
    )
