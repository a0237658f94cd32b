"""Sampling with part of the window known: imputation, forecasting and long paths on tiny seeded pipelines."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest
import torch
from pipeline_fixtures import WINDOW, make_raw_pipeline, make_scalogram_pipeline, tiny_preprocessing

from ts_diffusion_wavelet.conditional import FORECAST_GUIDANCE, KnownValueSampling, denoise_with_known
from ts_diffusion_wavelet.conditional_jobs import min_context
from ts_diffusion_wavelet.data import SeriesPreprocessor, geometric_prices
from ts_diffusion_wavelet.data.partial_series import model_to_levels, partial_to_model
from ts_diffusion_wavelet.schedulers import make_scheduler

STEPS = 2
MAKERS = {"raw": make_raw_pipeline, "scalogram": make_scalogram_pipeline}


def prices(length: int = 70) -> np.ndarray:
    return geometric_prices(length, shape=(2,)).T.copy()  # [T, 2], positive, around 1.0


def with_gaps(length: int = 70) -> np.ndarray:
    series = prices(length)
    series[5:12, 0] = np.nan  # a gap inside the series
    series[40:50, 1] = np.nan
    series[:3, 1] = np.nan  # missing at the start: rebuilt backwards from the first known level
    series[-4:, 0] = np.nan  # missing at the end: summed forward from the last known level
    return series


@pytest.mark.parametrize("kind", ["raw", "scalogram"])
@pytest.mark.parametrize("target_transform", ["log_return", "none", "diff"])
def test_known_values_come_back_bit_identical(kind, target_transform):
    pipe = MAKERS[kind](tiny_preprocessing(target_transform))
    series = with_gaps()
    out = pipe.impute(series, 3, num_inference_steps=STEPS, seed=0, resample=2)
    known = ~np.isnan(series)
    assert out.samples.shape == (3, 70, 2)
    for sample in out.samples:
        np.testing.assert_array_equal(sample[known], series[known])
    assert np.isfinite(out.samples).all()
    # The samples differ where values were missing: they are draws, not one fill.
    assert not np.allclose(out.samples[0][~known], out.samples[1][~known])


def test_denoise_with_known_holds_the_known_states_exactly(raw_pipe):
    known = torch.randn(2, 2, 32, generator=torch.Generator().manual_seed(1))
    mask = torch.zeros(2, 2, 32, dtype=torch.bool)
    mask[:, :, :10] = True
    for resample in (1, 3):
        sampling = KnownValueSampling(STEPS, torch.Generator().manual_seed(0), resample)
        states = denoise_with_known(raw_pipe, known, mask, sampling)
        assert states.shape == (2, 2, 32)
        torch.testing.assert_close(states[mask], known[mask], rtol=0, atol=0)
        assert not torch.equal(states[~mask], known[~mask])


def test_sampling_settings_give_each_window_its_row_of_labels():
    per_window = torch.tensor([[0, 1], [2, 2], [1, 0]])
    sampling = KnownValueSampling(STEPS, labels=per_window, guidance_scale=2.0)
    for number in range(3):
        window = sampling.for_window(number)
        torch.testing.assert_close(window.labels, per_window[number], rtol=0, atol=0)
        assert (window.num_inference_steps, window.guidance_scale) == (STEPS, 2.0)
    shared = KnownValueSampling(STEPS, labels=torch.tensor([1, 0]))
    assert shared.for_window(2) is shared
    with pytest.raises(ValueError, match="`guidance_scale` must be a number >= 0"):
        KnownValueSampling(STEPS, guidance_scale=-1.0)


@pytest.mark.parametrize("kind", ["raw", "scalogram"])
def test_guidance_moves_only_the_unknown_entries_and_zero_is_replacement_alone(kind):
    pipe = MAKERS[kind](tiny_preprocessing("none"))
    known = torch.randn(2, 2, 32, generator=torch.Generator().manual_seed(1))
    mask = torch.zeros(2, 2, 32, dtype=torch.bool)
    mask[:, :, :10] = True
    known_state, state_mask = pipe.representation.known_state(known, mask)

    def run(observation_guidance: float) -> torch.Tensor:
        generator = torch.Generator().manual_seed(0)
        return denoise_with_known(
            pipe, known_state, state_mask, KnownValueSampling(STEPS, generator, 1, observation_guidance)
        )

    unguided, default, guided = (
        run(0.0),
        denoise_with_known(pipe, known_state, state_mask, KnownValueSampling(STEPS, torch.Generator().manual_seed(0))),
        run(0.5),
    )
    torch.testing.assert_close(default, unguided, rtol=0, atol=0)
    torch.testing.assert_close(guided[state_mask], known_state[state_mask], rtol=0, atol=0)
    assert not torch.allclose(guided[~state_mask], unguided[~state_mask])


def test_other_schedulers_condition_through_ddim_and_stay_installed(raw_pipe):
    raw_pipe.scheduler = make_scheduler("dpmsolver", raw_pipe.scheduler.config)
    series = with_gaps()
    out = raw_pipe.impute(series, 2, num_inference_steps=STEPS, seed=0)
    np.testing.assert_array_equal(out.samples[0][~np.isnan(series)], series[~np.isnan(series)])
    assert type(raw_pipe.scheduler).__name__ == "DPMSolverMultistepScheduler"


def test_impute_summaries_and_shapes(raw_pipe):
    out = raw_pipe.impute(with_gaps(), 4, num_inference_steps=STEPS, seed=0, quantiles=(0.1, 0.9))
    np.testing.assert_array_equal(out.median, np.median(out.samples, axis=0))
    assert sorted(out.quantiles) == [0.1, 0.9]
    np.testing.assert_array_equal(out.quantiles[0.1], np.quantile(out.samples, 0.1, axis=0))
    assert (out.quantiles[0.1] <= out.quantiles[0.9]).all()


def test_impute_a_series_shorter_than_a_window(any_pipe):
    series = prices(12)
    series[4:8, 0] = np.nan
    out = any_pipe.impute(series, 2, num_inference_steps=STEPS, seed=0)
    assert out.samples.shape == (2, 12, 2)
    np.testing.assert_array_equal(out.samples[1][~np.isnan(series)], series[~np.isnan(series)])


def test_dataframes_keep_their_index_and_columns(raw_pipe):
    index = pd.date_range("2024-01-01", periods=70, freq="h")
    frame = pd.DataFrame(with_gaps(), index=index, columns=["EURUSD", "GBPUSD"])[["GBPUSD", "EURUSD"]]
    out = raw_pipe.impute(frame, 2, num_inference_steps=STEPS, seed=0)
    assert len(out.samples) == 2
    for result in (*out.samples, out.median, out.quantiles[0.05]):
        assert isinstance(result, pd.DataFrame)
        assert result.index.equals(index)
        assert list(result.columns) == ["EURUSD", "GBPUSD"]
    known = frame[["EURUSD", "GBPUSD"]].notna().to_numpy()
    np.testing.assert_array_equal(out.samples[0].to_numpy()[known], frame[["EURUSD", "GBPUSD"]].to_numpy()[known])


def test_nothing_missing_gives_copies(raw_pipe):
    series = prices(40)
    out = raw_pipe.impute(series, 3, num_inference_steps=STEPS, seed=0)
    np.testing.assert_array_equal(out.samples, np.repeat(series[None], 3, axis=0))


def test_seeds_and_generators(raw_pipe):
    series = with_gaps()
    first = raw_pipe.impute(series, 2, num_inference_steps=STEPS, seed=3).samples
    again = raw_pipe.impute(series, 2, num_inference_steps=STEPS, seed=3).samples
    other = raw_pipe.impute(series, 2, num_inference_steps=STEPS, seed=4).samples
    np.testing.assert_array_equal(first, again)
    assert not np.allclose(first, other)
    generated = raw_pipe.impute(series, 2, num_inference_steps=STEPS, generator=torch.Generator().manual_seed(3))
    np.testing.assert_array_equal(
        generated.samples,
        raw_pipe.impute(series, 2, num_inference_steps=STEPS, generator=torch.Generator().manual_seed(3)).samples,
    )


def test_forecast_is_the_imputation_of_the_steps_after_the_context():
    pipe = make_raw_pipeline(tiny_preprocessing("none"))
    horizon = 8
    context = prices(WINDOW - horizon)  # one window: context and horizon fill it exactly
    forecast = pipe.forecast(context, horizon, 2, num_inference_steps=STEPS, seed=5)
    series = np.concatenate([context, np.full((horizon, 2), np.nan)])
    imputed = pipe.impute(series, 2, num_inference_steps=STEPS, seed=5, observation_guidance=FORECAST_GUIDANCE)
    assert forecast.samples.shape == (2, horizon, 2)
    np.testing.assert_array_equal(forecast.samples, imputed.samples[:, len(context) :])
    assert forecast.median.shape == (horizon, 2)


@pytest.mark.parametrize("kind", ["raw", "scalogram"])
def test_log_return_forecasts_continue_from_the_last_context_level(kind):
    # Log-returns do not see the price level: doubling the context doubles every forecast path.
    pipe = MAKERS[kind](tiny_preprocessing("log_return"))
    context = prices(40)
    base = pipe.forecast(context, 12, 2, num_inference_steps=STEPS, seed=1).samples
    doubled = pipe.forecast(2 * context, 12, 2, num_inference_steps=STEPS, seed=1).samples
    np.testing.assert_allclose(doubled, 2 * base, rtol=1e-5)
    assert np.abs(np.log(base[:, 0] / context[-1])).max() < 0.2  # the first step starts near the last price


def test_long_horizons_roll_forward(raw_pipe):
    horizon = 3 * WINDOW
    out = raw_pipe.forecast(prices(20), horizon, 2, num_inference_steps=STEPS, seed=0)
    assert out.samples.shape == (2, horizon, 2)
    assert np.isfinite(out.samples).all()


def test_forecast_reaches_back_to_the_last_known_level_and_fills_the_context(raw_pipe):
    context = prices(100)
    context[40:, 1] = np.nan  # GBPUSD's last level is 60 steps before the end, beyond a window
    context[90:95, 0] = np.nan
    out = raw_pipe.forecast(context, 10, 2, num_inference_steps=STEPS, seed=0)
    assert out.samples.shape == (2, 10, 2) and np.isfinite(out.samples).all()


def test_generate_long_keeps_every_window_it_has_generated(any_pipe):
    # Later windows are inpainted from the overlap: they never change what earlier windows generated, so the
    # first window of a long path is the one-window path of the same seed, exactly.
    window = any_pipe.window_size
    one = any_pipe.generate_long(window, 2, num_inference_steps=STEPS, seed=2)
    long = any_pipe.generate_long(3 * window + 5, 2, num_inference_steps=STEPS, seed=2, overlap=window // 3)
    assert long.shape == (2, 3 * window + 5, 2)
    np.testing.assert_array_equal(long[:, :window], one)
    assert np.isfinite(long).all() and (long > 0).all()  # prices from log-returns


def test_partial_series_round_trip_and_gap_correction():
    levels = prices(20)
    kinds, loc, scale = ["log_return", "diff"], np.array([0.001, -0.002]), np.array([0.01, 0.02])
    model = partial_to_model(levels, kinds, loc, scale)
    assert np.isnan(model[0]).all() and np.isfinite(model[1:]).all()  # row 0 has no step into it
    np.testing.assert_allclose(model[1:, 1], (np.diff(levels[:, 1]) - loc[1]) / scale[1])
    # With a gap, the imputed steps take an even share of the discrepancy to the next known level.
    gappy = levels.copy()
    gappy[5:9, 1] = np.nan
    steps = np.zeros((1, 20, 2))
    rebuilt = model_to_levels(steps, gappy, kinds, loc, scale)
    np.testing.assert_array_equal(rebuilt[0, ~np.isnan(gappy[:, 1]), 1], levels[~np.isnan(gappy[:, 1]), 1])
    gap_steps = np.diff(rebuilt[0, 4:10, 1])
    np.testing.assert_allclose(gap_steps, np.full(5, (levels[9, 1] - levels[4, 1]) / 5))


def check_error(call, message: str) -> None:
    with pytest.raises(ValueError, match=re.escape(message)):
        call()


def test_errors_name_the_value_and_the_fix(raw_pipe):
    series = with_gaps()
    check_error(
        lambda: raw_pipe.impute(np.full((40, 2), np.nan)),
        "`series` has no known value (all NaN); pass at least one, or sample with the pipeline.",
    )
    check_error(
        lambda: raw_pipe.impute(series[:, :1]),
        "`series` must be [length, 2] (one column per channel ['EURUSD', 'GBPUSD']), got shape (70, 1).",
    )
    check_error(
        lambda: raw_pipe.impute(pd.DataFrame(series[:, :1], columns=["EURUSD"])),
        "`series` has 1 columns ['EURUSD']; the model generates 2 channels ['EURUSD', 'GBPUSD'].",
    )
    check_error(
        lambda: raw_pipe.impute(pd.DataFrame(series, columns=["a", "GBPUSD"])),
        "`series` has columns ['a', 'GBPUSD'], but the model was trained on ['EURUSD', 'GBPUSD']. Rename the columns",
    )
    infinite = series.copy()
    infinite[20, 1] = np.inf
    check_error(lambda: raw_pipe.impute(infinite), "`series` holds inf at row 20, channel 'GBPUSD'")
    no_level = series.copy()
    no_level[:, 0] = np.nan
    check_error(lambda: raw_pipe.impute(no_level), "Channel 'EURUSD' has no known value, but the model learns its")
    negative = series.copy()
    negative[30, 0] = -1.0
    check_error(lambda: raw_pipe.impute(negative), "known values must be positive prices")
    check_error(lambda: raw_pipe.impute(series, 0), "`num_samples` must be a positive integer, got 0.")
    check_error(lambda: raw_pipe.impute(series[:0]), "`series` is empty; pass at least one step.")
    check_error(lambda: raw_pipe.impute(series, 1, seed=1, generator=torch.Generator()), "not both")
    check_error(lambda: raw_pipe.impute(series, 1, quantiles=(1.5,)), "strictly between 0 and 1, got 1.5.")
    check_error(lambda: raw_pipe.impute(series, 1, resample=0), "`resample` must be a positive integer")
    for observation_guidance in (-0.1, float("nan"), float("inf"), True, "1"):
        check_error(
            lambda observation_guidance=observation_guidance: raw_pipe.impute(
                series, 1, observation_guidance=observation_guidance
            ),
            f"`observation_guidance` must be a finite number >= 0 (0 = replacement only), got "
            f"{observation_guidance!r}.",
        )
    needed = min_context(WINDOW)
    check_error(
        lambda: raw_pipe.forecast(prices(needed - 1), 5),
        f"The context has {needed - 1} steps; this model (window {WINDOW}) needs at least {needed}",
    )
    check_error(lambda: raw_pipe.forecast(prices(20), 0), "`horizon` must be a positive integer")
    check_error(lambda: raw_pipe.generate_long(0), "`length` must be a positive integer (steps per path), got 0.")
    check_error(lambda: raw_pipe.generate_long(50, 0), "`num_samples` must be a positive integer, got 0.")
    check_error(
        lambda: raw_pipe.generate_long(50, overlap=WINDOW), f"`overlap` must be an integer from 1 to {WINDOW - 1}"
    )


def test_categorical_channels_are_refused():
    onehot = np.eye(2)[np.arange(40) % 2]  # [40, 2]: alternating labels a, b
    record = SeriesPreprocessor(categories={"regime": ["a", "b"]}).fit(onehot, ["regime=a", "regime=b"]).to_dict()
    pipe = make_raw_pipeline(record)
    check_error(lambda: pipe.impute(with_gaps(), 1), "This model has one-hot categorical channels (['regime'])")


def test_image_space_scalograms_are_refused():
    pipe = make_scalogram_pipeline(tiny_preprocessing(), diffusion_space="image", unet="2d")
    check_error(lambda: pipe.impute(with_gaps(), 1, num_inference_steps=STEPS), "diffusion_space='image'")


def test_a_long_job_shows_one_bar_of_windows_and_restores_the_step_bars(raw_pipe, capsys):
    raw_pipe.set_progress_bar_config(leave=True)
    window = raw_pipe.window_size
    raw_pipe.generate_long(3 * window, 1, num_inference_steps=STEPS, seed=0)
    err = capsys.readouterr().err
    assert "Windows" in err and f"{STEPS}/{STEPS}" not in err  # no bar of denoising steps per window
    assert raw_pipe._progress_bar_config == {"leave": True}
    raw_pipe(1, num_inference_steps=STEPS)  # a plain call still shows its steps
    assert f"{STEPS}/{STEPS}" in capsys.readouterr().err
