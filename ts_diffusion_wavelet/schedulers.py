"""Samplers by name: the diffusers schedulers a trained pipeline can swap in without retraining."""

from __future__ import annotations

from typing import Any

from diffusers import (
    DDIMScheduler,
    DDPMScheduler,
    DPMSolverMultistepScheduler,
    EulerAncestralDiscreteScheduler,
    UniPCMultistepScheduler,
)
from diffusers.schedulers.scheduling_utils import SchedulerMixin

# name -> (class, config overrides applied on top of the trained schedule)
SCHEDULERS: dict[str, tuple[type[SchedulerMixin], dict[str, Any]]] = {
    "ddpm": (DDPMScheduler, {}),
    "ddim": (DDIMScheduler, {}),
    # DPM-Solver++ (2nd order multistep), the robust choice for 10-25 steps.
    "dpmsolver": (DPMSolverMultistepScheduler, {"algorithm_type": "dpmsolver++", "solver_order": 2}),
    "unipc": (UniPCMultistepScheduler, {}),
    "euler_a": (EulerAncestralDiscreteScheduler, {}),
}
SCHEDULER_NAMES: tuple[str, ...] = tuple(SCHEDULERS)


def make_scheduler(name: str, config: dict[str, Any]) -> SchedulerMixin:
    """
    Build the sampler `name` from a trained scheduler's config, keeping its noise schedule and prediction type.

    Args:
        name (`str`): One of `SCHEDULER_NAMES` (`"ddpm"`, `"ddim"`, `"dpmsolver"`, `"unipc"`, `"euler_a"`).
        config (`dict`): The config of the scheduler the model was trained with (`pipe.scheduler.config`).

    Returns:
        `SchedulerMixin`: the new scheduler.
    """
    if name not in SCHEDULERS:
        raise ValueError(f"Unknown scheduler {name!r}; choose one of {', '.join(SCHEDULER_NAMES)}.")
    scheduler_class, overrides = SCHEDULERS[name]
    return scheduler_class.from_config(config, **overrides)
