"""Classifier-free guidance (Ho & Salimans 2022): one denoiser call for the labelled and the unlabelled prediction."""

from __future__ import annotations

import numbers

import torch

from .representations import Representation


def check_guidance_scale(guidance_scale: float) -> None:
    """
    Raises:
        `ValueError`: Unless `guidance_scale` is a finite number >= 0.
    """
    if (
        isinstance(guidance_scale, bool)
        or not isinstance(guidance_scale, numbers.Real)
        or not 0 <= float(guidance_scale) < float("inf")
    ):
        raise ValueError(
            f"`guidance_scale` must be a number >= 0 (0: unconditional, 1: the plain conditional model, > 1: "
            f"stronger label fidelity), got {guidance_scale!r}."
        )


def guided_denoise(
    representation: Representation,
    unet: torch.nn.Module,
    samples: torch.Tensor,
    timesteps: torch.Tensor,
    labels: torch.Tensor | None,
    guidance_scale: float = 1.0,
) -> torch.Tensor:
    r"""
    The denoiser's prediction steered towards `labels`: $\hat{y}_\varnothing + s (\hat{y}_c - \hat{y}_\varnothing)$.

    With `s = 1` this is the conditional prediction, with `s = 0` the unconditional one (the null label that label
    dropout trained); other scales run both in one UNet call on a doubled batch. Without labels (or for an
    unlabelled model) it is the plain denoiser.

    Args:
        representation ([`Representation`]), unet: The denoiser's parts.
        samples (`torch.Tensor`): Noisy states `[B, ...]`; timesteps: as the UNet takes them.
        labels (`torch.Tensor` of `[B]` label indices, *optional*).
        guidance_scale (`float`, defaults to 1.0): `s`.
    """
    if labels is None:
        return representation.denoise(unet, samples, timesteps)
    labels = labels.to(samples.device)
    if guidance_scale == 1:
        return representation.denoise(unet, samples, timesteps, labels)
    null = representation.null_labels(samples.shape[0], samples.device)
    if guidance_scale == 0:
        return representation.denoise(unet, samples, timesteps, null)
    # 1. One batched call: [x_t, x_t] with [c, null].
    both = representation.denoise(unet, torch.cat([samples, samples]), timesteps, torch.cat([labels, null]))
    conditional, unconditional = both.chunk(2)
    # 2. Extrapolate from the unconditional prediction towards (and past, for s > 1) the conditional one.
    return unconditional + guidance_scale * (conditional - unconditional)
