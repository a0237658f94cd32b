"""`pipeline.anomaly_score`: known answers on a model of a noisy sine, invariances, shapes and input errors."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest
import torch
from anomaly_fixtures import SINE_WINDOW, noisy_sine
from diffusers import DDPMScheduler
from pipeline_fixtures import make_scalogram_pipeline, tiny_preprocessing

from ts_diffusion_wavelet.anomaly import AnomalyOutput
from ts_diffusion_wavelet.clean_estimate import clean_estimate
from ts_diffusion_wavelet.pipeline_base import TimeSeriesDiffusionPipeline
from ts_diffusion_wavelet.representations import ScalogramRepresentation
from ts_diffusion_wavelet.scalogram import ScalogramTransform


def scores_of(pipe: TimeSeriesDiffusionPipeline, values: np.ndarray, **options) -> np.ndarray:
    return np.asarray(pipe.anomaly_score(values[:, None], **options).scores)


def test_injected_spike_scores_above_the_rest(sine_pipe):
    series = noisy_sine(400, seed=1)
    series[200] += 4.0
    scores = scores_of(sine_pipe, series)
    assert abs(int(np.argmax(scores)) - 200) <= 1
    away = np.r_[scores[: 200 - SINE_WINDOW], scores[200 + SINE_WINDOW :]]
    assert scores[200] > 1.5 * away.max()


def test_level_shift_scores_above_the_steps_before_it(sine_pipe):
    series = noisy_sine(400, seed=1)
    series[250:] += 2.0
    scores = scores_of(sine_pipe, series)
    before, after = scores[: 250 - SINE_WINDOW], scores[250:]
    assert after.mean() > 1.5 * before.mean()
    assert np.quantile(after, 0.25) > np.quantile(before, 0.9)


def test_clean_series_has_no_standout_step(sine_pipe):
    scores = scores_of(sine_pipe, noisy_sine(400, seed=1))
    assert scores.max() < 3 * np.median(scores)


@pytest.mark.parametrize("representation", ["raw", "scalogram"])
def test_scores_do_not_depend_on_the_batch_size(representation, request):
    pipe = request.getfixturevalue(f"{representation}_pipe")
    series = np.abs(noisy_sine(90, seed=2))[:, None] * np.array([1.0, 1.1]) + 1.0  # positive prices, 2 channels
    single = pipe.anomaly_score(series, batch_size=1, stride=5)
    # The same noise per window whatever the batch; float32 convolutions round differently by batch size (oneDNN
    # picks kernels by shape), so equal means within a few ulps, far below what another draw changes.
    for batch_size in (3, 64):
        batched = pipe.anomaly_score(series, batch_size=batch_size, stride=5)
        np.testing.assert_allclose(batched.scores, single.scores, rtol=1e-5, atol=1e-7)
        np.testing.assert_allclose(batched.window_scores, single.window_scores, rtol=1e-5, atol=1e-7)
    other_seed = pipe.anomaly_score(series, batch_size=1, stride=5, seed=1)
    assert np.abs(other_seed.scores - single.scores).max() > 1e-3  # the seed does reach the noise


def test_output_shapes_and_frames(raw_pipe):
    series = 1.0 + 0.01 * np.abs(noisy_sine(100, seed=3))[:, None].repeat(2, axis=1)
    output = raw_pipe.anomaly_score(series, stride=10)
    assert isinstance(output, AnomalyOutput)
    assert output.scores.shape == (100,) and output.channel_scores.shape == (100, 2)
    assert output.window_starts.tolist() == [0, 10, 20, 30, 40, 50, 60, 70]  # the last window ends with the series
    assert output.window_scores.shape == (8,)
    assert output.scale_scores is None and output.window_scale_scores is None  # raw: no scales
    assert output.seconds_per_1000_steps > 0
    np.testing.assert_allclose(output.scores, output.channel_scores.mean(axis=1))
    frame = pd.DataFrame(series[:, ::-1], columns=["GBPUSD", "EURUSD"], index=pd.RangeIndex(100, 200))
    from_frame = raw_pipe.anomaly_score(frame, stride=10)
    assert from_frame.scores.index.equals(frame.index) and from_frame.scores.name == "anomaly_score"
    assert list(from_frame.channel_scores.columns) == ["EURUSD", "GBPUSD"]  # the training order
    np.testing.assert_array_equal(from_frame.scores.to_numpy(), output.scores)


def test_max_aggregation_is_at_least_the_mean(sine_pipe):
    series = noisy_sine(200, seed=4)
    mean = scores_of(sine_pipe, series, stride=4)
    maximum = scores_of(sine_pipe, series, stride=4, aggregation="max")
    assert (maximum >= mean - 1e-12).all() and (maximum > mean + 1e-6).any()


def test_window_aggregation_spreads_whole_window_scores(sine_pipe):
    output = sine_pipe.anomaly_score(noisy_sine(100, seed=4)[:, None], stride=8, aggregation="window")
    starts, scores = output.window_starts, np.asarray(output.scores)
    np.testing.assert_allclose(scores[:8], output.window_scores[0])  # steps 0-7: only the first window
    covering = [(starts <= step) & (step < starts + SINE_WINDOW) for step in (40, 99)]
    np.testing.assert_allclose(scores[[40, 99]], [output.window_scores[c].mean() for c in covering])


def test_scalogram_per_scale_errors():
    folded = make_scalogram_pipeline(tiny_preprocessing())  # 16 scales, time folded in two
    series = 1.0 + 0.01 * np.abs(noisy_sine(80, seed=5))[:, None].repeat(2, axis=1)
    output = folded.anomaly_score(series, stride=16)
    assert output.window_scale_scores.shape == (4, 16)
    assert output.scale_scores is None  # image columns are not the window's steps
    windows = torch.from_numpy(np.random.default_rng(0).standard_normal((16, 2, 32))).float()
    transform = ScalogramTransform(window_size=32, num_channels=2, num_scales=16, image_height=16, time_layout="none")
    representation = ScalogramRepresentation(transform.fit(windows), "series", "1d")
    torch.manual_seed(0)
    unet = representation.build_unet("tiny").eval()
    pipe = TimeSeriesDiffusionPipeline(
        unet, folded.scheduler, representation=representation.to_dict(), preprocessing=tiny_preprocessing()
    )
    pipe.set_progress_bar_config(disable=True)
    output = pipe.anomaly_score(series, stride=16)
    assert output.window_scale_scores.shape == (4, 16) and output.scale_scores.shape == (80, 16)
    assert (output.scale_scores > 0).all()
    # Windows that do not overlap: a window's per-scale score is the mean of its steps' ones.
    apart = pipe.anomaly_score(series[:64], stride=32)
    np.testing.assert_allclose(apart.scale_scores[32:].mean(axis=0), apart.window_scale_scores[1], rtol=1e-6)


def test_noise_follows_the_training_schedule_whatever_the_sampler(sine_pipe):
    """A sampler's `add_noise` (DPM-Solver's here) maps timesteps onto its inference schedule; scores must not."""
    series = noisy_sine(100, seed=9)[:, None]
    saved = sine_pipe.scheduler
    assert type(saved).__name__ == "DPMSolverMultistepScheduler"
    with_sampler = sine_pipe.anomaly_score(series).scores  # freshly loaded: its schedule runs from t = T - 1 down
    sine_pipe.scheduler = DDPMScheduler.from_config(saved.config)
    np.testing.assert_allclose(with_sampler, sine_pipe.anomaly_score(series).scores, rtol=1e-6)


@pytest.mark.parametrize("prediction_type", ["epsilon", "v_prediction", "sample"])
def test_clean_estimate_inverts_each_prediction_type(prediction_type, raw_pipe):
    scheduler = type(raw_pipe.scheduler).from_config(raw_pipe.scheduler.config, prediction_type=prediction_type)
    generator = torch.Generator().manual_seed(0)
    clean, noise = torch.randn(3, 2, 8, generator=generator), torch.randn(3, 2, 8, generator=generator)
    t = torch.tensor([1, 20, 45])
    noisy = scheduler.add_noise(clean, noise, t)
    target = {"epsilon": noise, "v_prediction": scheduler.get_velocity(clean, noise, t), "sample": clean}
    torch.testing.assert_close(clean_estimate(scheduler, noisy, target[prediction_type], t), clean)
    # One timestep for the whole batch, as a plain int (how observation guidance calls it).
    noisy = scheduler.add_noise(clean, noise, torch.full((3,), 20))
    target = {"epsilon": noise, "v_prediction": scheduler.get_velocity(clean, noise, torch.full((3,), 20))}
    target["sample"] = clean
    torch.testing.assert_close(clean_estimate(scheduler, noisy, target[prediction_type], 20), clean)


def test_nan_needs_a_policy(sine_pipe):
    series = noisy_sine(100, seed=6)
    series[[40, 41, 70]] = np.nan
    message = (
        "`series` has 3 NaN values, the first at row 40, channel 'value'; scores need every value. Pass "
        "nan_policy='interpolate' to fill them linearly (the edges with the nearest value), or fill them yourself."
    )
    with pytest.raises(ValueError, match=re.escape(message)):
        sine_pipe.anomaly_score(series[:, None])
    filled = series.copy()
    filled[[40, 41]] = series[39] + (series[42] - series[39]) * np.array([1, 2]) / 3
    filled[70] = (series[69] + series[71]) / 2
    np.testing.assert_allclose(
        scores_of(sine_pipe, series, nan_policy="interpolate"), scores_of(sine_pipe, filled), rtol=1e-6
    )


@pytest.mark.parametrize(
    ("series", "options", "message"),
    [
        (np.zeros((31, 1)), {}, "`series` has 31 steps; this model scores windows of 32, so it needs at least 32 "
         "steps. Pass a longer series."),
        (np.zeros((50, 2)), {}, "`series` must be [length, 1] (one column per channel ['value']), got shape (50, 2). "
         "Pass a DataFrame with those columns or an array of that shape."),
        (pd.DataFrame({"price": np.zeros(50)}), {}, "`series` has columns ['price'], but the model was trained on "
         "['value']. Rename the columns (any order is fine)."),
        (np.full((50, 1), np.inf), {}, "`series` holds inf at row 0, channel 'value': known values must be finite. "
         "Mark missing values as NaN."),
        (np.zeros((50, 1)), {"nan_policy": "drop"}, "Unknown `nan_policy` 'drop'; choose one of ('interpolate',) or "
         "None (refuse NaN)."),
        (np.zeros((50, 1)), {"stride": 0}, "`stride` must be an integer from 1 to the window size 32, got 0; the "
         "default is a quarter window."),
        (np.zeros((50, 1)), {"stride": 33}, "`stride` must be an integer from 1 to the window size 32, got 33"),
        (np.zeros((50, 1)), {"aggregation": "median"}, "Unknown `aggregation` 'median'; choose one of ('mean', "
         "'max', 'window')."),
        (np.zeros((50, 1)), {"num_draws": 0}, "`num_draws` must be a positive integer, got 0."),
        (np.zeros((50, 1)), {"batch_size": 2.5}, "`batch_size` must be a positive integer, got 2.5."),
        (np.zeros((50, 1)), {"seed": "a"}, "`seed` must be an integer, got 'a'."),
        (np.zeros((50, 1)), {"noise_levels": (0.1, 1.0)}, "`noise_levels` must be a non-empty list of fractions of "
         "the training schedule strictly between 0 and 1 (e.g. [0.05, 0.1, 0.2, 0.4]), got (0.1, 1.0)."),
        (np.zeros((50, 1)), {"noise_levels": ()}, "`noise_levels` must be a non-empty list"),
    ],
)  # fmt: skip
def test_bad_input_is_refused_with_its_reason(sine_pipe, series, options, message):
    with pytest.raises(ValueError, match=re.escape(message)):
        sine_pipe.anomaly_score(series, **options)
