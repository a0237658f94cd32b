"""The DDPM training objective, with the three prediction targets and optional min-SNR weighting."""

from __future__ import annotations

from collections.abc import Callable

import torch
import torch.nn.functional as F
from diffusers import DDPMScheduler
from diffusers.training_utils import compute_snr

Denoiser = Callable[[torch.Tensor, torch.Tensor], torch.Tensor]  # (noisy states, timesteps) -> prediction


def diffusion_loss(
    denoiser: Denoiser,
    clean: torch.Tensor,
    noise_scheduler: DDPMScheduler,
    generator: torch.Generator,
    snr_gamma: float | None = None,
    input_perturbation: float = 0.0,
) -> torch.Tensor:
    r"""
    One Monte-Carlo estimate of the denoising loss on a batch of clean samples.

    Args:
        denoiser (`Callable`): `denoiser(x_t, t)` predicts the target in the states' space (a representation's
            `denoise` bound to its UNet).
        clean (`torch.Tensor`): Clean diffusion states $x_0$ (windows, padded windows or images), float32.
        noise_scheduler ([`DDPMScheduler`]): The training schedule; its `prediction_type` picks the target.
        generator (`torch.Generator`): Draws the noise and timesteps (see `batch_generator`).
        snr_gamma (`float`, *optional*): Min-SNR-$\gamma$ weighting (Hang et al. 2023); `None` for the plain MSE.
        input_perturbation (`float`, defaults to 0): Input perturbation $\gamma$ (Ning et al. 2023): the network
            sees $x_t$ noised with $\epsilon + \gamma \xi$ but is trained against $\epsilon$, which makes it robust
            to the error its own earlier sampling steps leave in $x_t$ (exposure bias); 0.1 is the paper's value.

    Returns:
        `torch.Tensor`: the scalar loss.
    """
    batch = clean.shape[0]
    # 1. t ~ U{0, ..., T-1} and eps ~ N(0, I), from the batch's own generator.
    timesteps = torch.randint(
        0, noise_scheduler.config.num_train_timesteps, (batch,), generator=generator, device=clean.device
    )
    noise = torch.randn(clean.shape, generator=generator, device=clean.device, dtype=clean.dtype)
    # 2. Forward process q(x_t | x_0) = N(sqrt(abar_t) x_0, (1 - abar_t) I)  (Ho et al. 2020, eq. 4); input
    #    perturbation feeds the network a slightly wrong x_t, as its own sampling does, with the target unchanged.
    seen_noise = noise
    if input_perturbation > 0:
        seen_noise = noise + input_perturbation * torch.randn(
            clean.shape, generator=generator, device=clean.device, dtype=clean.dtype
        )
    noisy = noise_scheduler.add_noise(clean, seen_noise, timesteps)
    # 3. Target: eps, v = sqrt(abar_t) eps - sqrt(1 - abar_t) x_0 (Salimans & Ho 2022), or x_0.
    prediction_type = noise_scheduler.config.prediction_type
    if prediction_type == "epsilon":
        target = noise
    elif prediction_type == "v_prediction":
        target = noise_scheduler.get_velocity(clean, noise, timesteps)
    elif prediction_type == "sample":
        target = clean
    else:
        raise ValueError(f"Unknown prediction_type {prediction_type!r}; choose epsilon, v_prediction or sample.")
    prediction = denoiser(noisy, timesteps)
    if snr_gamma is None:
        return F.mse_loss(prediction.float(), target.float())
    # 4. Min-SNR: weight each sample's MSE by min(SNR_t, gamma) / SNR_t for eps (/(SNR_t + 1) for v; x_0 targets
    #    weigh by min(SNR_t, gamma)), which balances the timesteps' conflicting gradients.
    snr = compute_snr(noise_scheduler, timesteps)
    clipped = torch.clamp(snr, max=snr_gamma)
    if prediction_type == "epsilon":
        weights = clipped / snr
    elif prediction_type == "v_prediction":
        weights = clipped / (snr + 1)
    else:
        weights = clipped
    per_sample = F.mse_loss(prediction.float(), target.float(), reduction="none").flatten(1).mean(dim=1)
    return (per_sample * weights).mean()
