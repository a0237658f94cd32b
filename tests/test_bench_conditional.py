"""The imputation/forecasting benchmarks' split, masks, metrics and baselines (benchmarks/conditional_tasks.py)."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest
import scipy.special

BENCHMARKS = Path(__file__).resolve().parent.parent / "benchmarks"
sys.path.insert(0, str(BENCHMARKS))  # the benchmark scripts import their helpers by name

import bench_forecast  # noqa: E402
import bench_impute  # noqa: E402
import bench_long_paths  # noqa: E402
import conditional_tasks as ct  # noqa: E402

from ts_diffusion_wavelet.data.windows import split_row  # noqa: E402
from ts_diffusion_wavelet.evaluation import to_returns  # noqa: E402


def test_crps_of_a_point_mass_is_the_absolute_error():
    rng = np.random.default_rng(0)
    truth, point = rng.normal(size=(50, 3)), rng.normal(size=(50, 3))
    samples = np.repeat(point[None], 8, axis=0)
    np.testing.assert_allclose(ct.crps_from_samples(samples, truth), np.abs(point - truth), atol=1e-12)
    np.testing.assert_allclose(ct.crps_from_samples(point[None], truth), np.abs(point - truth), atol=1e-12)


def test_crps_of_perfect_samples_is_zero():
    truth = np.random.default_rng(1).normal(size=(20, 7))
    assert np.abs(ct.crps_from_samples(np.repeat(truth[None], 16, axis=0), truth)).max() < 1e-12


def test_crps_matches_the_pairwise_definition_and_the_gaussian_closed_form():
    rng = np.random.default_rng(2)
    samples, truth = rng.normal(size=(9, 4)), rng.normal(size=4)
    pairwise = np.abs(samples - truth).mean(0) - 0.5 * np.abs(samples[:, None] - samples[None]).mean((0, 1))
    np.testing.assert_allclose(ct.crps_from_samples(samples, truth), pairwise, atol=1e-12)
    # CRPS(N(0, 1), 0) = 2 phi(0) - 1 / sqrt(pi)
    exact = 2 / np.sqrt(2 * np.pi) - 1 / np.sqrt(np.pi)
    large = rng.normal(size=(20000, 1))
    assert ct.crps_from_samples(large, np.zeros(1))[0] == pytest.approx(exact, abs=0.01)
    quantiles = np.quantile(large, ct.QUANTILE_LEVELS, axis=0)
    # the 19-quantile grid leaves out the tails, where the pinball loss is smallest: a little over the exact value
    assert exact < ct.crps_from_quantiles(quantiles, np.zeros(1), ct.QUANTILE_LEVELS)[0] < 1.06 * exact


def test_fair_crps_is_unbiased_for_few_samples_where_the_plain_form_reads_high():
    # 4000 draws of k = 4 samples from N(0, 1) scored against y = 0.5: the fair form averages to the exact CRPS,
    # the plain form to exact + E|X - X'| / (2k) = exact + (2 / sqrt(pi)) / 8
    rng = np.random.default_rng(4)
    samples, truth = rng.normal(size=(4, 4000)), np.full(4000, 0.5)
    exact = ct.gaussian_crps(np.zeros(1), np.ones(1), np.full(1, 0.5))[0]
    assert ct.fair_crps_from_samples(samples, truth).mean() == pytest.approx(exact, abs=0.01)
    bias = 2 / np.sqrt(np.pi) / 8
    assert ct.crps_from_samples(samples, truth).mean() == pytest.approx(exact + bias, abs=0.01)


def test_fair_crps_of_identical_samples_is_the_absolute_error_and_needs_two_samples():
    truth, point = np.zeros(5), np.arange(5.0)
    np.testing.assert_allclose(ct.fair_crps_from_samples(np.repeat(point[None], 3, 0), truth), point, atol=1e-12)
    with pytest.raises(ValueError, match="at least 2 samples per point, got 1"):
        ct.fair_crps_from_samples(point[None], truth)


def test_gaussian_crps_matches_the_integral_and_is_the_absolute_error_for_zero_spread():
    mean, std, truth = np.array([0.3, -1.0, 2.0]), np.array([0.5, 2.0, 1.0]), np.array([1.0, -1.0, -0.5])
    grid = np.linspace(-30, 30, 600001)
    for m, s, y in zip(mean, std, truth, strict=True):
        cdf = 0.5 * (1 + scipy.special.erf((grid - m) / (s * np.sqrt(2))))
        integral = np.trapezoid((cdf - (grid >= y)) ** 2, grid)
        assert ct.gaussian_crps(np.array([m]), np.array([s]), np.array([y]))[0] == pytest.approx(integral, abs=1e-4)
    np.testing.assert_allclose(ct.gaussian_crps(mean, np.zeros(3), truth), np.abs(truth - mean))


def test_gaussian_from_quantiles_recovers_mean_and_std_and_refuses_other_shapes():
    levels = ct.QUANTILE_LEVELS
    z = scipy.special.ndtri(np.asarray(levels))[:, None]
    mean, std = np.array([1.0, -2.0, 0.0]), np.array([0.5, 3.0, 0.0])
    fitted_mean, fitted_std = ct.gaussian_from_quantiles(mean + std * z, levels)
    np.testing.assert_allclose(fitted_mean, mean, atol=1e-12)
    np.testing.assert_allclose(fitted_std, std, atol=1e-12)
    skewed = np.exp(z)  # log-normal quantiles
    with pytest.raises(ValueError, match="not a Gaussian's"):
        ct.gaussian_from_quantiles(skewed, levels)
    with pytest.raises(ValueError, match="symmetric about 0.5"):
        ct.gaussian_from_quantiles(z[:-1], levels[:-1])


def test_quantile_crps_of_a_point_forecast_is_the_absolute_error():
    rng = np.random.default_rng(3)
    truth, point = rng.normal(size=(24, 7)), rng.normal(size=(24, 7))
    quantiles = np.repeat(point[None], len(ct.QUANTILE_LEVELS), axis=0)
    np.testing.assert_allclose(
        ct.crps_from_quantiles(quantiles, truth, ct.QUANTILE_LEVELS), np.abs(point - truth), atol=1e-12
    )


@pytest.mark.parametrize("fraction", [0.1, 0.3, 0.5])
def test_mcar_mask_removes_exactly_the_asked_fraction(fraction):
    mask = ct.mcar_mask((3484, 7), fraction, seed=0)
    assert mask.sum() == round(fraction * 3484 * 7)
    assert mask.any(axis=0).all()  # spread over every column
    np.testing.assert_array_equal(mask, ct.mcar_mask((3484, 7), fraction, seed=0))
    assert (mask != ct.mcar_mask((3484, 7), fraction, seed=1)).any()


@pytest.mark.parametrize("fraction", [0.1, 0.3, 0.5])
def test_block_mask_is_runs_of_24_covering_the_asked_fraction(fraction):
    length = 3484
    mask = ct.block_mask((length, 7), fraction, seed=0)
    count = round(fraction * length / 24)
    for column in mask.T:
        assert column.sum() == count * 24
        edges = np.diff(np.concatenate([[0], column.astype(int), [0]]))
        starts, ends = np.flatnonzero(edges == 1), np.flatnonzero(edges == -1)
        # runs may touch (then they merge); every merged run is a whole number of 24 h blocks
        assert ((ends - starts) % 24 == 0).all()
    assert abs(mask.mean() - fraction) < 24 / length
    assert (mask[:, 0] != mask[:, 1]).any()  # columns are drawn independently


def test_mask_rejects_an_unknown_pattern_and_a_bad_fraction():
    with pytest.raises(ValueError, match="Unknown mask pattern 'gaps'; use 'mcar' or 'block'."):
        ct.make_mask("gaps", (10, 1), 0.1, seed=0)
    with pytest.raises(ValueError, match=r"`fraction` must be in \[0, 1\), got 1.0."):
        ct.mcar_mask((10, 1), 1.0, seed=0)


def test_split_never_overlaps_and_matches_the_training_hold_out():
    frame = ct.load_etth1()
    train, test = ct.split(frame)
    assert len(train) + len(test) == len(frame) == 17420
    assert train.index.max() < test.index.min()
    assert len(test) == round(0.2 * len(frame))
    # the test part is exactly the validation rows of `--validation_fraction 0.2` (no target transform)
    assert ct.test_start(len(frame)) == split_row(len(frame), 0.2, 96)
    assert list(frame.columns) == ["HUFL", "HULL", "MUFL", "MULL", "LUFL", "LULL", "OT"]


def test_seasonal_scale_is_the_mean_absolute_24h_difference():
    hours = np.arange(24 * 10, dtype=float)
    daily = np.sin(2 * np.pi * hours / 24)[:, None]
    assert ct.seasonal_scale(daily)[0] == pytest.approx(0.0, abs=1e-12)
    assert ct.seasonal_scale(hours[:, None])[0] == pytest.approx(24.0)


def test_baselines_recover_what_they_model():
    hours = np.arange(24 * 20, dtype=float)
    daily = np.stack([np.sin(2 * np.pi * hours / 24), np.cos(2 * np.pi * hours / 24)], axis=1)
    mask = ct.block_mask(daily.shape, 0.3, seed=0)
    observed = np.where(mask, np.nan, daily)
    np.testing.assert_allclose(bench_impute.seasonal_fill(observed), daily, atol=1e-12)
    line = np.stack([hours, -2 * hours], axis=1)
    inner = ct.mcar_mask(line.shape, 0.3, seed=0)
    inner[[0, -1]] = False  # interpolation, not extrapolation
    np.testing.assert_allclose(bench_impute.linear_fill(np.where(inner, np.nan, line)), line, atol=1e-9)


class EchoImputer:
    """Stands in for a pipeline's `impute` to check the benchmark's chunking: fills a chunk's gaps with -1."""

    def __init__(self) -> None:
        self.lengths: list[int] = []

    def impute(self, series, num_samples, *, num_inference_steps, seed, resample, observation_guidance):
        self.lengths.append(len(series))
        return SimpleNamespace(samples=np.repeat(np.nan_to_num(series, nan=-1.0)[None], num_samples, axis=0))


def test_diffusion_chunks_cover_every_row_once_with_the_known_values_kept():
    truth = np.random.default_rng(4).normal(size=(250, 3))
    mask = ct.mcar_mask(truth.shape, 0.3, seed=0)
    pipe = EchoImputer()
    args = SimpleNamespace(num_samples=2, num_inference_steps=1, seed=0, resample=1, observation_guidance=None)
    samples = bench_impute.diffusion_samples(pipe, np.where(mask, np.nan, truth), 96, args)
    assert samples.shape == (2, 250, 3)
    assert pipe.lengths == [96, 96, 96]  # the last chunk ends at the last row
    np.testing.assert_array_equal(samples[0], np.where(mask, -1.0, truth))


def test_forecast_origins_step_24_and_leave_a_full_horizon():
    every = bench_forecast.origins(17420, 13936, None)
    assert every[0] == 13936 and (np.diff(every) == 24).all() and every[-1] + 24 <= 17420
    assert len(every) == (17420 - 13936) // 24
    capped = bench_forecast.origins(17420, 13936, 10)
    assert len(capped) == 10 and capped[0] == every[0] and capped[-1] == every[-1]


def test_interval_quantiles_follow_the_level_grid():
    mean = np.zeros(24)
    forecast = {"mean": mean}
    for level in bench_forecast.INTERVAL_LEVELS:
        forecast[f"lo-{level}"], forecast[f"hi-{level}"] = mean - level, mean + level
    quantiles = bench_forecast.interval_quantiles(forecast)
    assert quantiles.shape == (len(ct.QUANTILE_LEVELS), 24)
    np.testing.assert_array_equal(
        quantiles[:, 0], [-90, -80, -70, -60, -50, -40, -30, -20, -10, 0, *range(10, 100, 10)]
    )


def test_forecast_scores_put_samples_gaussians_and_point_forecasts_on_one_crps_footing():
    rng = np.random.default_rng(5)
    truth = rng.normal(size=(6, 24, 2))
    std, scale = np.ones(2), np.ones(2)
    # a calibrated N(0, 1) forecast as 19 Gaussian quantiles and as 256 samples: the CRPS agree within sampling noise
    z = scipy.special.ndtri(np.asarray(ct.QUANTILE_LEVELS))
    quantiles = np.broadcast_to(z[None, :, None, None], (6, len(z), 24, 2)).copy()
    gaussian = bench_forecast.score("quantiles", quantiles, truth, std, scale)
    exact = ct.gaussian_crps(np.zeros(1), np.ones(1), truth.ravel()).mean()
    assert gaussian["CRPS"] == pytest.approx(exact, rel=1e-9) and gaussian["qCRPS"] > gaussian["CRPS"]
    samples = rng.normal(size=(6, 256, 24, 2))
    sampled = bench_forecast.score("samples", samples, truth, std, scale)
    assert sampled["CRPS"] == pytest.approx(exact, rel=0.03)
    assert sampled["CRPS_ensemble"] > sampled["CRPS"]  # the k samples as they are read high
    # a point forecast (k = 1): CRPS is its absolute error, with no ensemble figure
    point = bench_forecast.score("samples", truth[:, None] + 1.0, truth, std, scale)
    assert point["CRPS"] == pytest.approx(1.0) and point["MAE"] == pytest.approx(1.0) and "CRPS_ensemble" not in point


def test_paired_ratio_interval_is_exact_for_proportional_scores_and_widens_with_noise_and_narrows_with_origins():
    def width(noise: float, n: int) -> float:
        reference = np.random.default_rng(6).gamma(2.0, 0.2, size=n)
        scores = 0.95 * reference * np.random.default_rng(7).lognormal(0.0, noise, size=n)
        ratio, low, high = ct.paired_ratio_interval(scores, reference)
        assert low < ratio < high
        return high - low

    reference = np.random.default_rng(6).gamma(2.0, 0.2, size=145)
    assert ct.paired_ratio_interval(0.9 * reference, reference) == pytest.approx((0.9, 0.9, 0.9))
    assert width(0.6, 145) > 2 * width(0.2, 145)  # the interval's width follows the noise (about linearly)
    assert 2 < width(0.2, 145) / width(0.2, 1450) < 5  # and shrinks like 1 / sqrt(origins) (sqrt(10) = 3.2)
    with pytest.raises(ValueError, match=r"same length >= 2, got \(3,\) and \(4,\)"):
        ct.paired_ratio_interval(np.ones(3), np.ones(4))


def test_forecast_record_prints_the_paired_comparison_and_saves_samples_whole(tmp_path, capsys):
    rng = np.random.default_rng(8)
    arima = rng.gamma(2.0, 0.2, size=30)
    rows = [
        {"method": "seasonal naive", "CRPS": 2 * arima.mean(), "CRPS_per_origin": (2 * arima).tolist()},
        {"method": "AutoARIMA", "CRPS": arima.mean(), "CRPS_per_origin": arima.tolist()},
        {"method": "diffusion", "CRPS": 0.8 * arima.mean(), "CRPS_per_origin": (0.8 * arima).tolist()},
    ]
    for row in rows:
        row.update(qCRPS=row["CRPS"], MAE=row["CRPS"], MASE=row["CRPS"])
    record = {"command": "c", "machine": "m", "finished": "f", "origins": 30, "crps": "x", "rows": rows}
    bench_forecast.print_record(record)
    assert "diffusion / AutoARIMA: CRPS ratio 0.800, 90% interval 0.800-0.800" in capsys.readouterr().out
    samples = rng.normal(size=(3, 4, 24, 2))
    path = tmp_path / "out" / "samples.npy"
    bench_forecast.save_samples(path, samples)
    np.testing.assert_array_equal(np.load(path), samples)
    assert sorted(p.name for p in path.parent.iterdir()) == ["samples.npy"]


def test_save_samples_is_refused_before_sampling_when_it_could_not_be_written(tmp_path, monkeypatch, capsys):
    blocker = tmp_path / "file"
    blocker.write_text("")
    for argv, message in [
        (["--save_samples", str(tmp_path / "s.npy")], "--save_samples keeps the diffusion samples: it needs --model"),
        (["--model", "m", "--save_samples", str(tmp_path / "s.csv")], "--save_samples must name a .npy file"),
        (["--model", "m", "--save_samples", str(blocker / "s.npy")], "--save_samples: cannot create the folder"),
    ]:
        monkeypatch.setattr(sys, "argv", ["bench_forecast.py", *argv])
        with pytest.raises(SystemExit):
            bench_forecast.main()
        assert message in capsys.readouterr().err


def test_long_path_windows_are_cut_without_overlap_from_the_given_step():
    paths = np.arange(2 * 50, dtype=float).reshape(2, 50, 1)
    windows = bench_long_paths.cut_windows(paths, 16, 5)
    assert windows.shape == (4, 16, 1)  # (50 - 5) // 16 = 2 per path
    assert sorted(windows[:, 0, 0]) == [5, 21, 55, 71]  # each path from step 5, then every 16 steps


def test_long_path_acf_of_white_noise_is_small_and_of_a_sine_is_its_cosine():
    rng = np.random.default_rng(0)
    assert np.abs(bench_long_paths.acf(rng.normal(size=(4, 5000)), 10)).max() < 0.05
    sine = np.sin(2 * np.pi * np.arange(4000) / 40)[None]
    assert bench_long_paths.acf(sine, 40)[19] == pytest.approx(-1.0, abs=0.02)  # lag 20: half a period


def test_window_std_percentiles_read_one_for_the_data_and_scale_with_its_volatility():
    rng = np.random.default_rng(0)
    # Windows of levels whose log-returns have a std that varies from window to window, as in real data.
    vol = rng.uniform(0.002, 0.02, size=(300, 1, 1))
    real = np.exp(np.cumsum(rng.normal(size=(300, 65, 1)) * vol, axis=1))
    real = to_returns(real, "log")
    np.testing.assert_allclose(bench_long_paths.window_std_percentiles(real, real), [1.0, 1.0, 1.0])
    calmer = real * 0.5  # half the returns: every percentile halves
    np.testing.assert_allclose(bench_long_paths.window_std_percentiles(calmer, real), [0.5, 0.5, 0.5], rtol=1e-6)
    # One volatility for every window: calm windows too turbulent, turbulent ones too calm.
    flat = to_returns(np.exp(np.cumsum(rng.normal(size=(300, 65, 1)) * 0.011, axis=1)), "log")
    low, _, high = bench_long_paths.window_std_percentiles(flat, real)
    assert low > 1.5 and high < 0.7


def test_append_record_adds_to_the_list_in_place_and_a_failed_record_leaves_the_file_as_it_was(tmp_path):
    results = tmp_path / "runs" / "forecast.json"
    ct.append_record(results, {"run": 1})
    ct.append_record(results, {"run": 2})
    assert json.loads(results.read_text()) == [{"run": 1}, {"run": 2}]
    assert results.read_text().startswith('[\n {\n  "run": 1')  # one-space indent, as the shipped records
    before = results.read_text()
    with pytest.raises(TypeError):
        ct.append_record(results, {"run": object()})  # not JSON: refused before anything is replaced
    assert results.read_text() == before
    assert sorted(p.name for p in results.parent.iterdir()) == ["forecast.json"]  # no temporary left behind
