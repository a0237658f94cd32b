"""
Sampling with part of the window known (RePaint, Lugmayr et al. 2022): one mechanism behind imputation, forecasting
and paths longer than a window.

At every reverse step the unknown entries follow the model while the known ones are replaced by the known values
noised to the new step's level, so the model sees a state consistent with them; with `resample > 1` each step is
undone (re-noised by one step) and redone, which lets the unknown entries agree with the known ones beyond the
step-by-step replacement. The last step puts the known values in exactly.

Replacement alone tells the unknown entries about the known ones only through the noisy state, which is weak at
high noise. `observation_guidance > 0` adds observation guidance (Chung et al. 2023, "DPS"): after each step the
state moves against the gradient, through the UNet, of how far the denoiser's clean estimate is from the known
values there, so the unknown entries are pulled toward continuations that agree with them. It costs a backward pass
per step.

Schedulers: the replacement needs `add_noise` at the sampler's own timesteps, and resampling needs the one-step
forward transition between consecutive timesteps, both defined by `alphas_cumprod` for DDPM and DDIM. Those two
are used as they are; any other scheduler (DPM-Solver++, UniPC, Euler...) keeps its multistep or sigma state
between steps, which the replacement would break, so conditioning runs a DDIM scheduler built from the same trained
schedule instead ([`conditioning_scheduler`]).
"""

from __future__ import annotations

import contextlib
import dataclasses
import inspect
from collections.abc import Iterator, Sequence
from typing import Any

import torch
from diffusers import DDIMScheduler, DDPMScheduler
from diffusers.schedulers.scheduling_utils import SchedulerMixin
from diffusers.utils.torch_utils import randn_tensor
from tqdm.auto import tqdm

from .clean_estimate import clean_estimate
from .label_guidance import check_guidance_scale, guided_denoise

Generator = torch.Generator | list[torch.Generator] | None
# Observation guidance by job (README "Imputation and forecasting", "Long paths"), per reverse step at DDIM 50.
IMPUTE_GUIDANCE: float = 0.2
FORECAST_GUIDANCE: float = 0.2
LONG_PATH_GUIDANCE: float = 0.0
CONDITIONING_SCHEDULERS: tuple[type[SchedulerMixin], ...] = (DDPMScheduler, DDIMScheduler)


def conditioning_scheduler(scheduler: SchedulerMixin) -> SchedulerMixin:
    """The pipeline's scheduler when it is DDPM or DDIM, else a DDIM scheduler with its trained schedule."""
    if isinstance(scheduler, CONDITIONING_SCHEDULERS):
        return scheduler
    return DDIMScheduler.from_config(scheduler.config)


@dataclasses.dataclass(frozen=True)
class KnownValueSampling:
    r"""
    How the reverse process runs while known values are held: one object from a job down to every window.

    Args:
        num_inference_steps (`int`): Reverse steps per window.
        generator (`torch.Generator` or a list of one per sample, *optional*): The noise.
        resample (`int`, defaults to 1): RePaint's resampling: each step is done `resample` times, re-noising by
            one step in between (1 = plain replacement).
        observation_guidance (`float`, defaults to 0.0): The step, in the state's units, taken against the
            gradient of `||mask * (x0_estimate - known)||` with respect to the state at every reverse step
            (0 = replacement only).
        labels (`torch.Tensor`, *optional*): Label indices, `[B]` for every window or `[num_windows, B]` one row
            per window ([`fill_windows`]).
        guidance_scale (`float`, defaults to 1.0): The classifier-free guidance scale of the labels
            ([`~label_guidance.guided_denoise`]).

    Raises:
        `ValueError`: When `resample`, `observation_guidance` or `guidance_scale` is out of range, naming it.
    """

    num_inference_steps: int
    generator: Generator = None
    resample: int = 1
    observation_guidance: float = 0.0
    labels: torch.Tensor | None = None
    guidance_scale: float = 1.0

    def __post_init__(self) -> None:
        resample, guidance = self.resample, self.observation_guidance
        if not isinstance(resample, int) or isinstance(resample, bool) or resample < 1:
            raise ValueError(f"`resample` must be a positive integer (1 = no resampling), got {resample!r}.")
        if isinstance(guidance, bool) or not isinstance(guidance, (int, float)) or not 0.0 <= guidance < float("inf"):
            raise ValueError(
                f"`observation_guidance` must be a finite number >= 0 (0 = replacement only), got {guidance!r}."
            )
        check_guidance_scale(self.guidance_scale)

    def for_window(self, number: int) -> KnownValueSampling:
        """These settings for the `number`-th window: its row of per-window labels."""
        if self.labels is None or self.labels.dim() == 1:
            return self
        return dataclasses.replace(self, labels=self.labels[number])


def denoise_with_known(
    pipeline: Any, known: torch.Tensor, mask: torch.Tensor, sampling: KnownValueSampling
) -> torch.Tensor:
    r"""
    Reverse diffusion in the representation's state space with the entries where `mask` is True held to `known`.

    Args:
        pipeline ([`TimeSeriesDiffusionPipeline`]): Its UNet, representation and scheduler (see the module's note
            on schedulers).
        known (`torch.Tensor` of shape `[B, C, L_state]`): Model-space states; only the entries under `mask` are
            read.
        mask (`torch.Tensor` of bool, same shape): True where the value is known.
        sampling ([`KnownValueSampling`]): Steps, noise, resampling, observation guidance and labels (`[B]`).

    Returns:
        `torch.Tensor` `[B, C, L_state]` in the UNet's dtype: the known entries are exactly `known` there.
    """
    if known.shape != mask.shape:
        raise ValueError(f"`known` {tuple(known.shape)} and `mask` {tuple(mask.shape)} must have the same shape.")
    generator, resample, observation_guidance = sampling.generator, sampling.resample, sampling.observation_guidance
    labels, guidance_scale = sampling.labels, sampling.guidance_scale
    device, dtype = pipeline._execution_device, pipeline.unet.dtype
    scheduler = conditioning_scheduler(pipeline.scheduler)
    known, mask = known.to(device=device, dtype=dtype), mask.to(device=device, dtype=torch.bool)
    scheduler.set_timesteps(sampling.num_inference_steps, device=device)
    # 1. x_T ~ N(0, I), scaled by the sampler's initial sigma.
    sample = randn_tensor(known.shape, generator=generator, device=device, dtype=dtype) * scheduler.init_noise_sigma
    step_kwargs = {"generator": generator} if "generator" in inspect.signature(scheduler.step).parameters else {}
    for t in pipeline.progress_bar(scheduler.timesteps):
        previous = _previous_timestep(scheduler, int(t))
        for round_ in range(resample):
            # 2. One reverse step x_t -> x_{t-1} for every entry (in the label asked for; pulled toward the known
            #    values when guided).
            if observation_guidance > 0:
                model_output, pull = _guidance_gradient(
                    pipeline, scheduler, sample, t, known, mask, labels, guidance_scale
                )
            else:
                model_input = scheduler.scale_model_input(sample, t)
                model_output = guided_denoise(
                    pipeline.representation, pipeline.unet, model_input, t, labels, guidance_scale
                )
            stepped = scheduler.step(model_output, t, sample, **step_kwargs).prev_sample
            if observation_guidance > 0:
                stepped = stepped - observation_guidance * pull
            # 3. Known entries: the known values noised to level t-1, q(x_{t-1} | x_0) (clean after the last step).
            stepped = torch.where(mask, _noised(scheduler, known, previous, generator), stepped)
            if round_ == resample - 1 or previous < 0:
                sample = stepped
                break
            # 4. RePaint: back to level t by the forward transition q(x_t | x_{t-1}), then redo the step.
            sample = _renoise(scheduler, stepped, previous, int(t), generator)
    return torch.where(mask, known, sample)


def _guidance_gradient(
    pipeline: Any,
    scheduler: SchedulerMixin,
    sample: torch.Tensor,
    t: torch.Tensor,
    known: torch.Tensor,
    mask: torch.Tensor,
    labels: torch.Tensor | None,
    guidance_scale: float,
) -> tuple[torch.Tensor, torch.Tensor]:
    """The denoiser's output at `sample` and the gradient of each sample's `||mask * (x0_estimate - known)||`."""
    with torch.enable_grad():
        state = sample.detach().requires_grad_(True)
        model_input = scheduler.scale_model_input(state, t)
        model_output = guided_denoise(pipeline.representation, pipeline.unet, model_input, t, labels, guidance_scale)
        estimate = clean_estimate(scheduler, state, model_output, int(t))
        distance = torch.where(mask, estimate - known, torch.zeros_like(estimate)).flatten(1).norm(dim=1)
        (gradient,) = torch.autograd.grad(distance.sum(), state)
    return model_output.detach(), gradient


def _previous_timestep(scheduler: SchedulerMixin, t: int) -> int:
    """The timestep `scheduler.step` at `t` lands on (negative: the clean end), as each scheduler computes it."""
    if isinstance(scheduler, DDPMScheduler):
        return int(scheduler.previous_timestep(t))
    return t - scheduler.config.num_train_timesteps // scheduler.num_inference_steps


def _noised(scheduler: SchedulerMixin, known: torch.Tensor, timestep: int, generator: Generator) -> torch.Tensor:
    if timestep < 0:
        return known
    noise = randn_tensor(known.shape, generator=generator, device=known.device, dtype=known.dtype)
    timesteps = torch.full((known.shape[0],), timestep, device=known.device, dtype=torch.long)
    return scheduler.add_noise(known, noise, timesteps)


def _renoise(
    scheduler: SchedulerMixin, sample: torch.Tensor, from_t: int, to_t: int, generator: Generator
) -> torch.Tensor:
    # x_t = sqrt(a_t / a_s) x_s + sqrt(1 - a_t / a_s) eps, with a the cumulative alphas (s < t).
    alphas = scheduler.alphas_cumprod.to(device=sample.device, dtype=torch.float64)
    ratio = float(alphas[to_t] / alphas[from_t])
    noise = randn_tensor(sample.shape, generator=generator, device=sample.device, dtype=sample.dtype)
    return ratio**0.5 * sample + (1.0 - ratio) ** 0.5 * noise


def fill_windows(
    pipeline: Any, values: torch.Tensor, starts: Sequence[int], sampling: KnownValueSampling
) -> torch.Tensor:
    """
    Fill the NaN entries of model-space series `values` `[B, C, T]` window by window, in the order of `starts`.

    Each window `[start, start + window_size)` is conditioned on the known values and on what earlier windows
    already filled, so overlapping windows join without seams; a window with nothing left to fill is skipped. `T`
    shorter than a window is padded with unknown steps, cropped afterwards. `sampling`: as in
    [`denoise_with_known`], its `labels` `[B]` for every window or one row per window (`[len(starts), B]`).

    Returns:
        `torch.Tensor` `[B, C, T]`, float64, with no NaN left where a window passed.
    """
    length, window = values.shape[-1], pipeline.window_size
    filled = values.double().clone()
    if length < window:
        filled = torch.nn.functional.pad(filled, (0, window - length), value=float("nan"))
    with _one_bar_per_series(pipeline, len(starts)) as bar:
        for number, start in enumerate(bar(starts)):
            _fill_window(pipeline, filled, start, sampling.for_window(number))
    return filled[..., :length]


def _fill_window(pipeline: Any, filled: torch.Tensor, start: int, sampling: KnownValueSampling) -> None:
    """Fill the NaN entries of `filled[..., start : start + window]` in place (nothing to do when none is left)."""
    window = pipeline.window_size
    part = filled[..., start : start + window]
    mask = ~torch.isnan(part)
    if bool(mask.all()):
        return
    state_known, state_mask = pipeline.representation.known_state(torch.nan_to_num(part), mask)
    states = denoise_with_known(pipeline, state_known, state_mask, sampling)
    windows = pipeline.representation.to_windows(states).double().cpu()
    filled[..., start : start + window] = torch.where(mask, part, windows)


@contextlib.contextmanager
def _one_bar_per_series(pipeline: Any, num_windows: int) -> Iterator[Any]:
    """Over several windows, one progress bar counting windows instead of one bar of steps per window."""
    config = dict(getattr(pipeline, "_progress_bar_config", {}))
    if num_windows < 2 or config.get("disable", False):
        yield lambda starts: starts
        return
    pipeline.set_progress_bar_config(**{**config, "disable": True})
    try:
        yield lambda starts: tqdm(starts, desc="Windows", unit="window")
    finally:
        pipeline._progress_bar_config = config
