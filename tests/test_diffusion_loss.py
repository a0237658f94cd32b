"""The training objective: targets, and input perturbation's noisier inputs against the unperturbed target."""

from __future__ import annotations

import pytest
import torch
from diffusers import DDPMScheduler

from ts_diffusion_wavelet.training.diffusion_loss import diffusion_loss


def noise_reader(scheduler: DDPMScheduler):
    """A denoiser that reads the noise off x_t exactly, given x_0: the epsilon an oracle would predict."""
    clean_holder: dict[str, torch.Tensor] = {}

    def denoise(noisy: torch.Tensor, timesteps: torch.Tensor) -> torch.Tensor:
        alpha_bar = scheduler.alphas_cumprod[timesteps].view(-1, 1, 1)
        return (noisy - alpha_bar.sqrt() * clean_holder["clean"]) / (1 - alpha_bar).sqrt()

    return denoise, clean_holder


@pytest.mark.parametrize("gamma", [0.0, 0.1, 0.3])
def test_input_perturbation_noises_the_input_but_not_the_target(gamma):
    scheduler = DDPMScheduler(num_train_timesteps=1000, prediction_type="epsilon")
    clean = torch.randn(256, 1, 64, generator=torch.Generator().manual_seed(0))
    denoise, holder = noise_reader(scheduler)
    holder["clean"] = clean
    loss = diffusion_loss(denoise, clean, scheduler, torch.Generator().manual_seed(1), input_perturbation=gamma)
    # The oracle recovers eps + gamma * xi from x_t; the target is eps alone, so the loss is E[(gamma xi)^2].
    assert float(loss) == pytest.approx(gamma**2, rel=0.05, abs=1e-8)


def test_without_perturbation_the_draws_are_those_of_the_plain_objective():
    scheduler = DDPMScheduler(num_train_timesteps=1000, prediction_type="v_prediction")
    clean = torch.randn(8, 2, 32, generator=torch.Generator().manual_seed(0))
    seen: list[torch.Tensor] = []

    def record(noisy: torch.Tensor, timesteps: torch.Tensor) -> torch.Tensor:
        seen.append(noisy)
        return torch.zeros_like(noisy)

    plain = diffusion_loss(record, clean, scheduler, torch.Generator().manual_seed(3))
    off = diffusion_loss(record, clean, scheduler, torch.Generator().manual_seed(3), input_perturbation=0.0)
    on = diffusion_loss(record, clean, scheduler, torch.Generator().manual_seed(3), input_perturbation=0.1)
    # Same noise and timesteps, so the same v target (the zero predictor's loss) whether perturbed or not.
    assert torch.equal(seen[0], seen[1]) and float(plain) == float(off) == float(on)
    assert not torch.equal(seen[0], seen[2])
