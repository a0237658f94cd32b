"""`TimeSeriesDiffusionPipeline`: sample windows with any representation and scheduler, in the data's units."""

from __future__ import annotations

import inspect
import os
import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd
import torch
from diffusers import DiffusionPipeline, ModelMixin
from diffusers.schedulers.scheduling_utils import SchedulerMixin
from diffusers.utils.torch_utils import randn_tensor

from .anomaly.output import AnomalyOutput
from .argument_checks import is_integer
from .clean_estimate import check_epsilon_scaling, scale_noise_estimate
from .conditional import FORECAST_GUIDANCE, IMPUTE_GUIDANCE, LONG_PATH_GUIDANCE, KnownValueSampling
from .data.categorical import onehot_decode
from .data.labels import WindowLabeler
from .data.preprocessing import SeriesPreprocessor
from .epsilon_calibration import EpsilonScalingCalibration, calibrate_epsilon_scaling
from .label_guidance import check_guidance_scale, guided_denoise
from .pipeline_output import ForecastOutput, ImputationOutput, TimeSeriesPipelineOutput
from .representations import representation_from_dict

OutputType = Literal["np", "pt", "pd"]
OUTPUT_TYPES: tuple[str, ...] = ("np", "pt", "pd")


class TimeSeriesDiffusionPipeline(DiffusionPipeline):
    r"""
    Pipeline for unconditional time-series generation, with a scalogram or a raw representation.

    The [`Representation`] (saved in `model_index.json` as `representation`) says how the UNet sees a window: as the
    padded window itself (`UNet1DModel`) or through its invertible Morlet scalogram (`UNet1DModel` over the scale
    rows, or `UNet2DModel`). Sampling draws noise
    of the representation's state shape, runs any diffusers scheduler with the representation's denoiser, maps the
    result to windows and undoes the saved preprocessing, so windows come back in the data's own units.

    Args:
        unet ([`UNet2DModel`] or [`UNet1DModel`]): The denoiser.
        scheduler ([`SchedulerMixin`]): Any diffusers scheduler (DDPM, DDIM, DPM-Solver++, ...).
        representation (`dict`): [`Representation.to_dict`], fitted statistics included.
        preprocessing (`dict`, *optional*): `SeriesPreprocessor.to_dict()` of the training data; without it the
            output stays in model units.
        training_config (`dict`, *optional*): The resolved training configuration, kept for reference.
        labels (`dict`, *optional*): [`WindowLabeler.to_dict`] of a model trained on labelled windows: the label
            names it can be asked for (`representation.num_labels` of them).
        epsilon_scaling (`dict`, *optional*): [`EpsilonScalingCalibration.to_dict`] of
            [`~TimeSeriesDiffusionPipeline.calibrate_epsilon_scaling`]: its factor is the default `epsilon_scaling`
            of free sampling.
        transform_config (`dict`, *optional*), window_size (`int`, *optional*): How pipelines saved by version 0.1
            recorded their representation (a scalogram transform or a raw window size); read only when
            `representation` is not given.
    """

    model_cpu_offload_seq = "unet"

    def __init__(
        self,
        unet: ModelMixin,
        scheduler: SchedulerMixin,
        representation: dict[str, Any] | None = None,
        preprocessing: dict[str, Any] | None = None,
        training_config: dict[str, Any] | None = None,
        transform_config: dict[str, Any] | None = None,
        window_size: int | None = None,
        labels: dict[str, Any] | None = None,
        epsilon_scaling: dict[str, Any] | None = None,
    ) -> None:
        super().__init__()
        record = representation if representation is not None else _legacy_record(unet, transform_config, window_size)
        self.representation = representation_from_dict(record)
        self.representation.check_unet(unet)
        self.labeler = None if labels is None else WindowLabeler.from_dict(labels)
        if (self.labeler.num_labels if self.labeler else 0) != self.representation.num_labels:
            raise ValueError(
                f"`labels` names {self.labeler.num_labels if self.labeler else 0} labels but the UNet was built for "
                f"{self.representation.num_labels}; pass the label record saved with the model."
            )
        self.register_modules(unet=unet, scheduler=scheduler)
        self.register_to_config(
            representation=self.representation.to_dict(), preprocessing=preprocessing, training_config=training_config
        )
        if self.labeler is not None:  # unlabelled pipelines keep their model_index.json as before
            self.register_to_config(labels=self.labeler.to_dict())
        if epsilon_scaling is not None:  # so do uncalibrated ones
            self.register_to_config(epsilon_scaling=EpsilonScalingCalibration.from_dict(epsilon_scaling).to_dict())
        self.check_preprocessing()

    def _preprocessor(self) -> SeriesPreprocessor | None:
        record = self.config.get("preprocessing")
        return None if record is None else SeriesPreprocessor.from_dict(record)

    @property
    def default_epsilon_scaling(self) -> float:
        """The epsilon scaling free sampling uses unless told otherwise: the calibrated factor, or 1 (none)."""
        record = self.config.get("epsilon_scaling")
        return 1.0 if record is None else float(record["factor"])

    def calibrate_epsilon_scaling(
        self, reference: pd.DataFrame | np.ndarray, **kwargs: Any
    ) -> EpsilonScalingCalibration:
        """
        Choose the epsilon scaling at which free windows have the one-step changes of `reference` (the training
        data, in its units) and keep it as this pipeline's default (saved by `save_pretrained`). The keyword
        arguments are [`calibrate_epsilon_scaling`]'s (windows per round, sampler steps, seed...).

        Returns:
            [`EpsilonScalingCalibration`]: the factor and the ratios measured on the way.
        """
        calibration = calibrate_epsilon_scaling(self, reference, **kwargs)
        self.register_to_config(epsilon_scaling=calibration.to_dict())
        return calibration

    @property
    def channel_names(self) -> list[str]:
        """Names of the series' channels, as in the training data (`channel_0`, ... when unknown)."""
        preprocessor = self._preprocessor()
        if preprocessor is not None:
            return list(preprocessor.channel_names)
        return [f"channel_{i}" for i in range(self.num_series_channels)]

    @property
    def num_series_channels(self) -> int:
        return self.representation.num_channels

    @property
    def window_size(self) -> int:
        """Steps of a generated window."""
        return self.representation.window_size

    @property
    def label_names(self) -> list[str]:
        """The labels the model can be asked for (`labels=` when sampling); empty for an unlabelled model."""
        return [] if self.labeler is None else list(self.labeler.names)

    def label_indices(
        self,
        labels: str | Sequence[str] | None,
        batch_size: int,
        generator: torch.Generator | list[torch.Generator] | None = None,
    ) -> torch.Tensor | None:
        """
        Label names -> indices `[batch_size]` (`None` stays `None`: unconditional).

        Raises:
            `ValueError`: For labels asked of an unlabelled model, or names the model does not know (listing them).
        """
        if labels is None:
            return None
        if self.labeler is None:
            raise ValueError(
                f"This model was trained without labels, so it cannot generate {labels!r}; train with "
                "--label_column or --regimes, or sample without `labels`."
            )
        return self.labeler.indices(labels, batch_size, generator)

    def check_preprocessing(self) -> None:
        """The preprocessing record must describe as many channels as the model generates."""
        preprocessor = self._preprocessor()
        if preprocessor is not None and preprocessor.num_channels != self.num_series_channels:
            raise ValueError(
                f"The preprocessing record describes {preprocessor.num_channels} channels "
                f"{preprocessor.channel_names}, but the model generates {self.num_series_channels}; pass the record "
                "fitted on the data the model was trained on."
            )

    @torch.no_grad()
    def __call__(
        self,
        batch_size: int = 1,
        num_inference_steps: int = 50,
        generator: torch.Generator | list[torch.Generator] | None = None,
        output_type: OutputType = "np",
        return_dict: bool = True,
        return_scalograms: bool = False,
        start_values: float | np.ndarray | None = None,
        labels: str | Sequence[str] | None = None,
        guidance_scale: float = 1.0,
        epsilon_scaling: float | None = None,
    ) -> TimeSeriesPipelineOutput | tuple:
        r"""
        Generate windows of the series.

        Args:
            batch_size (`int`, defaults to 1): Number of windows.
            num_inference_steps (`int`, defaults to 50): Denoising steps; DDIM or DPM-Solver++ need 20-50, DDPM
                its full training schedule for best quality.
            generator (`torch.Generator` or `list[torch.Generator]`, *optional*): One generator, or one per window
                (a batch of N with N generators equals N single runs).
            output_type (`str`, defaults to `"np"`): `"np"` or `"pt"` for `[batch, length, channels]`, `"pd"` for
                a list of DataFrames.
            return_dict (`bool`, defaults to `True`): Return a [`TimeSeriesPipelineOutput`] instead of a tuple.
            return_scalograms (`bool`, defaults to `False`): Also return the scalogram images of the generated
                windows (scalogram representation only).
            start_values (`float` or `np.ndarray`, *optional*): Start levels when the data was modelled as
                differences or log-returns (per channel `[channels]` or per window `[batch, channels]`); defaults
                to the last training level.
            labels (`str` or `list[str]`, *optional*): For a model trained on labelled windows: one label for every
                window or one per window (see [`label_names`]); `"by_frequency"` draws each window's label at its
                share of the training windows (the data's mix, often more realistic than the null label); `None`
                samples unconditionally (the null label).
            guidance_scale (`float`, defaults to 1.0): Classifier-free guidance: 1 is the plain conditional model,
                larger values push harder towards the label (at some cost in diversity), 0 ignores it.
            epsilon_scaling (`float`, *optional*): Divide the model's noise estimate by this at every step
                (Ning et al. 2024). Sampling on its own outputs, a model removes slightly too much noise and its
                windows come out too smooth; 1.015 restored the increments of an ETTh1 model (README "The literature
                benchmark"). The right value depends on the model (too large adds noise to calm windows):
                [`~TimeSeriesDiffusionPipeline.calibrate_epsilon_scaling`] finds it and saves it as the default
                ([`default_epsilon_scaling`], 1 for an uncalibrated pipeline); check the result with `tsdw-evaluate`.

        Returns:
            [`TimeSeriesPipelineOutput`] or `tuple`: the series (and the scalograms if asked for).
        """
        self.check_call_arguments(
            batch_size, num_inference_steps, generator, output_type, start_values, return_dict, return_scalograms
        )
        check_guidance_scale(guidance_scale)
        if epsilon_scaling is None:
            epsilon_scaling = self.default_epsilon_scaling
        check_epsilon_scaling(epsilon_scaling)
        self._warn_if_columns_come_out_independent()
        label_indices = self.label_indices(labels, int(batch_size), generator)
        # 1-3. Reverse diffusion in the representation's state space.
        samples = self.denoise(
            self.representation.sample_shape(batch_size),
            num_inference_steps,
            generator,
            label_indices,
            guidance_scale,
            epsilon_scaling,
        )
        # 4. States -> model-space windows [batch, channels, length].
        windows = self.representation.to_windows(samples)
        images = self.representation.generated_images(samples) if return_scalograms else None
        self.maybe_free_model_hooks()
        # 5. Undo the preprocessing: the data's own units.
        return self.to_output(windows, output_type, start_values, images, return_dict)

    def _warn_if_columns_come_out_independent(self) -> None:
        # A channel-independent model denoises each column from its own values only: right for impute/forecast,
        # where the known values carry each column, but free windows lose every relation between the columns.
        representation = self.representation
        if getattr(representation, "channel_independent", False) and representation.state_channels > 1:
            warnings.warn(
                f"This pipeline's UNet is channel-independent (trained with --channels independent): each of its "
                f"{representation.state_channels} columns is generated on its own, so the columns of these windows "
                "are independent of each other (no cross-correlation). It is meant for impute/forecast; for windows "
                "whose columns move together, sample a joint model (--channels joint, the default).",
                UserWarning,
                stacklevel=3,
            )

    def check_call_arguments(
        self,
        batch_size: int,
        num_inference_steps: int,
        generator: torch.Generator | list[torch.Generator] | None,
        output_type: str,
        start_values: float | np.ndarray | None = None,
        return_dict: bool = True,
        return_scalograms: bool = False,
    ) -> None:
        """Reject arguments of `__call__` that cannot work, before any sampling, naming the value and the fix."""
        if not is_integer(batch_size) or batch_size < 1:
            raise ValueError(f"`batch_size` must be a positive integer, got {batch_size!r}.")
        max_steps = self.scheduler.config.num_train_timesteps
        if not is_integer(num_inference_steps) or not 1 <= num_inference_steps <= max_steps:
            raise ValueError(
                f"`num_inference_steps` must be an integer from 1 to the {max_steps} steps the model was trained "
                f"with, got {num_inference_steps!r}. DDIM or DPM-Solver need 20-50; DDPM needs up to {max_steps}."
            )
        generators = generator if isinstance(generator, list) else [generator]
        if any(g is not None and not isinstance(g, torch.Generator) for g in generators):
            raise ValueError(
                f"`generator` must be a torch.Generator, a list of them, or None, got {generator!r}. Seed one with "
                "torch.Generator().manual_seed(seed)."
            )
        if isinstance(generator, list) and len(generator) != batch_size:
            raise ValueError(
                f"Got a list of {len(generator)} generators for a batch of {batch_size}: pass one generator per "
                "window, or a single generator for the whole batch."
            )
        if output_type not in OUTPUT_TYPES:
            raise ValueError(f"Unknown `output_type` {output_type!r}; choose one of {', '.join(OUTPUT_TYPES)}.")
        for name, flag in (("return_dict", return_dict), ("return_scalograms", return_scalograms)):
            if not isinstance(flag, (bool, np.bool_)):
                raise ValueError(f"`{name}` must be True or False, got {flag!r}.")
        if return_scalograms and not self.representation.has_images:
            raise ValueError(
                f"`return_scalograms=True` needs a scalogram representation; this pipeline's is "
                f"{self.representation.name!r}."
            )
        if start_values is not None:
            preprocessor = self._preprocessor()
            if preprocessor is None:
                raise ValueError(
                    "`start_values` needs a pipeline saved with its preprocessing record (levels rebuilt from "
                    "returns); this pipeline has none, so its output is already in model units."
                )
            preprocessor.check_start_values(start_values, int(batch_size))

    def denoise(
        self,
        shape: tuple[int, ...],
        num_inference_steps: int,
        generator: torch.Generator | list[torch.Generator] | None,
        labels: torch.Tensor | None = None,
        guidance_scale: float = 1.0,
        epsilon_scaling: float = 1.0,
    ) -> torch.Tensor:
        """
        Run the reverse diffusion from pure noise of `shape` with the pipeline's scheduler (towards label indices
        `labels` with classifier-free guidance, when given; the noise estimate divided by `epsilon_scaling`).

        Returns:
            `torch.Tensor`: the denoised samples, in the UNet's dtype, on the execution device.
        """
        device = self._execution_device
        # 1. Draw x_T ~ N(0, I), scaled by the sampler's initial sigma (1 for DDPM/DDIM, larger for Euler).
        sample = randn_tensor(shape, generator=generator, device=device, dtype=self.unet.dtype)
        self.scheduler.set_timesteps(num_inference_steps, device=device)
        sample = sample * self.scheduler.init_noise_sigma
        step_kwargs = self._scheduler_step_kwargs(generator)
        for t in self.progress_bar(self.scheduler.timesteps):
            # 2. Predict what the model was trained to predict (noise, v or x_0) at step t, in the state's space.
            model_input = self.scheduler.scale_model_input(sample, t)
            model_output = guided_denoise(self.representation, self.unet, model_input, t, labels, guidance_scale)
            model_output = scale_noise_estimate(self.scheduler, model_input, model_output, t, epsilon_scaling)
            # 3. Step back x_t -> x_{t-1} with the scheduler's update rule.
            sample = self.scheduler.step(model_output, t, sample, **step_kwargs).prev_sample
        return sample

    def _scheduler_step_kwargs(self, generator: torch.Generator | list[torch.Generator] | None) -> dict[str, Any]:
        # Stochastic samplers take a generator; deterministic ones (UniPC) reject the keyword.
        accepted = inspect.signature(self.scheduler.step).parameters
        return {"generator": generator} if "generator" in accepted else {}

    def to_output(
        self,
        windows: torch.Tensor,
        output_type: str,
        start_values: float | np.ndarray | None,
        scalograms: torch.Tensor | None,
        return_dict: bool,
    ) -> TimeSeriesPipelineOutput | tuple:
        """Undo the preprocessing of model-space windows `[batch, channels, length]` and package the result."""
        windows = windows.float().cpu()
        preprocessor = self._preprocessor()
        if preprocessor is None:  # `start_values` without a preprocessing record was refused by the argument checks
            values = windows.permute(0, 2, 1).numpy()
        else:
            if start_values is not None and np.ndim(start_values) == 0:
                start_values = np.full(self.num_series_channels, float(start_values))
            values = preprocessor.inverse_transform(windows, start_values=start_values)
        series: Any = values
        if output_type == "pt":
            series = torch.from_numpy(np.ascontiguousarray(values))
        elif output_type == "pd":
            series = self.to_dataframes(values)
        images = None if scalograms is None else scalograms.float().cpu().numpy()
        if not return_dict:
            return (series,) if images is None else (series, images)
        return TimeSeriesPipelineOutput(series=series, scalograms=images)

    def to_dataframes(self, series: np.ndarray) -> list[pd.DataFrame]:
        """
        Windows `[batch, length, channels]` in the data's units -> one DataFrame per window (index `step`), with
        one-hot channel groups decoded back to their labels.
        """
        frames = [pd.DataFrame(window, columns=self.channel_names) for window in series]
        preprocessor = self._preprocessor()
        if preprocessor is not None and preprocessor.categories:
            frames = [onehot_decode(frame, preprocessor.categories) for frame in frames]
        return [frame.rename_axis("step") for frame in frames]

    # ----- sampling with part of the window known (implemented in conditional_jobs.py) ---------------------------
    @torch.no_grad()
    def impute(
        self,
        series: pd.DataFrame | np.ndarray,
        num_samples: int = 16,
        *,
        num_inference_steps: int = 50,
        generator: torch.Generator | list[torch.Generator] | None = None,
        seed: int | None = None,
        quantiles: Sequence[float] = (0.05, 0.5, 0.95),
        resample: int = 1,
        observation_guidance: float = IMPUTE_GUIDANCE,
    ) -> ImputationOutput:
        r"""
        Fill the missing values (NaN) of a series, `num_samples` ways, in the data's units.

        Windows of the model's size slide over the series with half a window of overlap; each is sampled with its
        known values held ([`~conditional.denoise_with_known`]) and with what earlier windows filled, so samples
        are continuous. Differenced and log-return channels are rebuilt from the known levels; across a gap the
        imputed steps share the discrepancy evenly so every path meets the next known level exactly.

        Args:
            series (`pd.DataFrame` or `np.ndarray` `[length, channels]`): Any length, NaN where missing; a DataFrame
                has the training columns (any order).
            num_samples (`int`, defaults to 16): Imputations.
            num_inference_steps (`int`, defaults to 50): Reverse steps per window (DDPM and DDIM run as they are;
                other schedulers are replaced by DDIM with the same schedule while conditioning).
            generator (`torch.Generator` or one per sample, *optional*), seed (`int`, *optional*): The noise; with
                `seed`, sample `i` is seeded by `(seed, i)`. Not both.
            quantiles (`tuple[float]`, defaults to `(0.05, 0.5, 0.95)`): Levels to summarise.
            resample (`int`, defaults to 1): RePaint's resampling rounds per step (more: better agreement with the
                known values, proportionally slower).
            observation_guidance (`float`, defaults to 0.2): Observation guidance: a step per reverse step toward
                agreement with the known values, through the UNet's gradient (0 = replacement only;
                [`~conditional.denoise_with_known`]); about twice the cost of a step without it, and measurably
                better imputations (README "Imputation and forecasting").

        Returns:
            [`ImputationOutput`]: `samples` `[k, length, channels]`, `median`, `quantiles` (DataFrames with the
            input's index when a DataFrame came in). Known values are bit-identical in every sample; a series with
            nothing missing comes back as `num_samples` copies.
        """
        from .conditional_jobs import impute

        sampling = KnownValueSampling(num_inference_steps, generator, resample, observation_guidance)
        return impute(self, series, num_samples, sampling, seed, quantiles)

    @torch.no_grad()
    def forecast(
        self,
        context: pd.DataFrame | np.ndarray,
        horizon: int,
        num_samples: int = 16,
        *,
        num_inference_steps: int = 50,
        generator: torch.Generator | list[torch.Generator] | None = None,
        seed: int | None = None,
        quantiles: Sequence[float] = (0.05, 0.5, 0.95),
        resample: int = 1,
        observation_guidance: float = FORECAST_GUIDANCE,
        label: str | None = None,
        guidance_scale: float = 1.0,
    ) -> ForecastOutput:
        r"""
        Probabilistic forecast of the `horizon` steps after `context`, in the data's units.

        The context needs at least [`~conditional_jobs.min_context`] steps (a quarter of the window); one window
        forecasts up to `window_size - min_context` steps, longer horizons roll forward window by window, each
        conditioned on the context and the steps already forecast. Levels of differenced and log-return channels
        continue from the context's last level.

        Args:
            context (`pd.DataFrame` or `np.ndarray` `[length, channels]`): The recent past (NaN allowed, filled too).
            horizon (`int`): Steps to forecast.
            num_samples, num_inference_steps, generator, seed, quantiles, resample: As in [`impute`].
            observation_guidance (`float`, defaults to 0.2): As in [`impute`].
            label (`str`, *optional*), guidance_scale (`float`, defaults to 1.0): A labelled model's label for the
                forecast (e.g. a volatility regime) and its guidance, as in [`__call__`].

        Returns:
            [`ForecastOutput`]: `samples` `[k, horizon, channels]`, `median`, `quantiles`.
        """
        from .conditional_jobs import forecast

        sampling = KnownValueSampling(
            num_inference_steps, generator, resample, observation_guidance, guidance_scale=guidance_scale
        )
        return forecast(self, context, horizon, num_samples, sampling, seed, quantiles, label)

    @torch.no_grad()
    def generate_long(
        self,
        length: int,
        num_samples: int = 1,
        *,
        overlap: int | None = None,
        num_inference_steps: int = 50,
        generator: torch.Generator | list[torch.Generator] | None = None,
        seed: int | None = None,
        resample: int = 1,
        start_values: float | np.ndarray | None = None,
        observation_guidance: float = LONG_PATH_GUIDANCE,
        label: str | None = None,
        guidance_scale: float = 1.0,
    ) -> np.ndarray:
        r"""
        One continuous path of any `length` per sample: the first window is sampled freely, each next one is
        inpainted from its `overlap` with the previous one (so the overlaps agree exactly).

        Args:
            length (`int`): Steps per path.
            num_samples (`int`, defaults to 1): Paths.
            overlap (`int`, *optional*): Steps shared by consecutive windows, 1 to `window_size - 1`; defaults to
                half a window.
            num_inference_steps, generator, seed: As in [`impute`].
            resample (`int`, defaults to 1): As in [`impute`]. Resampling evens out the steps where a window's new
                part meets the overlap on a toy sine, but on EUR/USD it shrinks the returns' volatility (README
                "Long paths"), so it is off by default.
            start_values (`float` or `np.ndarray`, *optional*): As in [`__call__`].
            observation_guidance (`float`, defaults to 0.0): As in [`impute`]; off by default: pulling each window
                toward its overlap made paths calmer (README "Long paths").
            label (`str`, *optional*), guidance_scale (`float`, defaults to 1.0): A labelled model's label for every
                window of the path (e.g. a long path in the high-volatility regime), as in [`__call__`];
                `"by_frequency"` draws the first window's label at the training frequencies and each next one from
                the training windows' label transitions, so a path moves between regimes as the data did.

        Returns:
            `np.ndarray` `[num_samples, length, channels]` in the data's units.
        """
        from .conditional_jobs import generate_long

        sampling = KnownValueSampling(
            num_inference_steps, generator, resample, observation_guidance, guidance_scale=guidance_scale
        )
        return generate_long(self, length, num_samples, overlap, sampling, seed, start_values, label)

    # ----- anomaly scores (implemented in anomaly/) ----------------------------------------------------------
    @torch.no_grad()
    def anomaly_score(
        self,
        series: pd.DataFrame | np.ndarray,
        *,
        stride: int | None = None,
        noise_levels: Sequence[float] = (0.05, 0.1, 0.2, 0.4),
        num_draws: int = 2,
        aggregation: Literal["mean", "max", "window"] = "mean",
        nan_policy: Literal["interpolate"] | None = None,
        seed: int = 0,
        batch_size: int = 32,
    ) -> AnomalyOutput:
        r"""
        How unusual each step and window of a series is to this model: windows of the model's size slide over the
        series; each is noised to a few levels of the training schedule, the model estimates the clean window, and
        the absolute error of that estimate (in model space, averaged over levels and draws) is the window's score
        per step. A step's score is the mean (or max) over the windows covering it. See [`~anomaly.scores`].

        Args:
            series (`pd.DataFrame` or `np.ndarray` `[length, channels]`): At least one window long; a DataFrame has
                the training columns (any order). Levels, as the model was trained on (differences and
                log-returns are taken as in training).
            stride (`int`, *optional*): Steps between scored windows, 1 to `window_size`; defaults to a quarter
                window.
            noise_levels (`Sequence[float]`, defaults to `(0.05, 0.1, 0.2, 0.4)`): Fractions of the training
                schedule to noise to.
            num_draws (`int`, defaults to 2): Noise draws per level.
            aggregation (`"mean"`, `"max"` or `"window"`, defaults to `"mean"`): Over the windows that cover a step,
                the mean or max of their errors at that step, or the mean of their whole-window errors.
            nan_policy (`"interpolate"`, *optional*): NaN are refused unless `"interpolate"` (linear; the edges
                take the nearest value).
            seed (`int`, defaults to 0): Window `i`'s noise comes from `(seed, i)`, so scores do not depend on
                `batch_size`.
            batch_size (`int`, defaults to 32): Windows per UNet call (each with `len(noise_levels) * num_draws`
                noisy copies).

        Returns:
            [`~anomaly.AnomalyOutput`]: `scores` `[length]`, `channel_scores`, `window_scores`, for scalogram
            models the per-scale errors, and the cost per 1,000 steps. Thresholds and events:
            [`~anomaly.anomaly_threshold`], [`~anomaly.find_events`].
        """
        from .anomaly.scores import anomaly_score

        return anomaly_score(self, series, stride, noise_levels, num_draws, aggregation, nan_policy, seed, batch_size)

    # ----- sharing on the Hugging Face Hub (implemented in hub/push.py) ------------------------------------------
    def push_to_hub(
        self,
        repo_id: str,
        commit_message: str | None = None,
        private: bool | None = None,
        token: str | None = None,
        create_pr: bool = False,
        safe_serialization: bool = True,
        variant: str | None = None,
        **card_options: Any,
    ) -> str:
        """
        Upload the pipeline to the Hub repo `repo_id` with a model card and a sample plot, in one commit.

        The arguments before `card_options` are those of diffusers' `push_to_hub`; `card_options` (`dataset`,
        `evaluation`, `sample_plot`, `license`) are documented in [`~hub.push.push_pipeline_to_hub`].

        Returns:
            `str`: the URL of the commit.
        """
        from .hub.push import push_pipeline_to_hub

        return push_pipeline_to_hub(
            self,
            repo_id,
            token=token,
            private=private,
            commit_message=commit_message,
            create_pr=create_pr,
            safe_serialization=safe_serialization,
            variant=variant,
            **card_options,
        )

    def save_pretrained(
        self,
        save_directory: str | os.PathLike,
        safe_serialization: bool = True,
        variant: str | None = None,
        max_shard_size: int | str | None = None,
        push_to_hub: bool = False,
        **kwargs: Any,
    ) -> None:
        """
        diffusers' `save_pretrained`. With `push_to_hub=True` the saved folder is then uploaded as [`push_to_hub`]
        uploads it (the same model card and sample plot, which go to the repo, not into the folder); `kwargs` are
        then `push_to_hub`'s, and `repo_id` defaults to the folder's name, as in diffusers.
        """
        if not push_to_hub:
            return super().save_pretrained(save_directory, safe_serialization, variant, max_shard_size, **kwargs)
        super().save_pretrained(save_directory, safe_serialization, variant, max_shard_size)
        from .hub.push import push_pipeline_to_hub

        repo_id = kwargs.pop("repo_id", Path(save_directory).name)
        push_pipeline_to_hub(self, repo_id, saved_folder=save_directory, **kwargs)


def _legacy_record(
    unet: ModelMixin, transform_config: dict[str, Any] | None, window_size: int | None
) -> dict[str, Any]:
    """The representation record of a pipeline saved by version 0.1, from what it kept in its config."""
    if transform_config is not None:
        return {"name": "scalogram", "diffusion_space": "image", "transform_config": transform_config}
    if window_size is not None or type(unet).__name__ == "UNet1DModel":
        padded = int(unet.config.sample_size)
        return {
            "name": "raw",
            "num_channels": int(unet.config.in_channels),
            "window_size": padded if window_size is None else int(window_size),
            "padded_length": padded,
        }
    raise ValueError(
        "The pipeline needs `representation` (Representation.to_dict(), kept in model_index.json) to turn what the "
        "UNet generates into series."
    )
