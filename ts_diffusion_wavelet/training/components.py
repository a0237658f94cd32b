"""The pieces a training run is assembled from: noise schedule, optimizer, learning-rate schedule, EMA."""

from __future__ import annotations

import torch
from diffusers import DDPMScheduler
from diffusers.optimization import get_scheduler
from diffusers.training_utils import EMAModel

from .config import TrainingConfig

# Our names -> diffusers' `beta_schedule` values.
BETA_SCHEDULES = {"linear": "linear", "cosine": "squaredcos_cap_v2", "sigmoid": "sigmoid"}


def make_noise_scheduler(config: TrainingConfig) -> DDPMScheduler:
    """The DDPM training schedule. `clip_sample` is off: the data are standardised, not confined to [-1, 1]."""
    return DDPMScheduler(
        num_train_timesteps=config.num_train_timesteps,
        beta_schedule=BETA_SCHEDULES[config.beta_schedule],
        prediction_type=config.prediction_type,
        clip_sample=False,
    )


def make_optimizer(config: TrainingConfig, model: torch.nn.Module) -> torch.optim.Optimizer:
    """AdamW with the configured betas, weight decay and epsilon."""
    return torch.optim.AdamW(
        model.parameters(),
        lr=config.learning_rate,
        betas=(config.adam_beta1, config.adam_beta2),
        weight_decay=config.adam_weight_decay,
        eps=config.adam_epsilon,
    )


def make_lr_scheduler(
    config: TrainingConfig, optimizer: torch.optim.Optimizer, total_steps: int, num_processes: int
) -> torch.optim.lr_scheduler.LRScheduler:
    """
    Warm-up then the configured decay. Accelerate steps a prepared scheduler once per process per optimizer step,
    so the step counts are multiplied by the number of processes.
    """
    return get_scheduler(
        config.lr_scheduler,
        optimizer=optimizer,
        num_warmup_steps=config.lr_warmup_steps * num_processes,
        num_training_steps=total_steps * num_processes,
    )


def make_ema(config: TrainingConfig, model: torch.nn.Module) -> EMAModel | None:
    """An exponential moving average of the weights (with warm-up), or `None` when `use_ema` is off."""
    if not config.use_ema:
        return None
    return EMAModel(
        model.parameters(),
        decay=config.ema_max_decay,
        use_ema_warmup=True,
        inv_gamma=config.ema_inv_gamma,
        power=config.ema_power,
        model_cls=type(model),
        model_config=model.config,
    )
