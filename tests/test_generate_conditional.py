"""generate.py --impute / --forecast / --length: real files in, the long format out, timestamps continued."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from pipeline_fixtures import CHANNELS, make_raw_pipeline, tiny_preprocessing

from ts_diffusion_wavelet import load_generated, load_pipeline, pooled_seeds
from ts_diffusion_wavelet.cli.generate import main
from ts_diffusion_wavelet.cli.generate_conditional import continue_times
from ts_diffusion_wavelet.data import geometric_prices

STEPS = ["--num_inference_steps", "2"]


@pytest.fixture(scope="module")
def model(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("pipeline") / "raw"
    make_raw_pipeline(tiny_preprocessing()).save_pretrained(folder)
    return folder


def gappy_frame(length: int = 50) -> pd.DataFrame:
    values = geometric_prices(length, shape=(2,)).T.copy()
    values[10:15, 0] = np.nan
    values[30:33, 1] = np.nan
    index = pd.bdate_range("2024-01-01", periods=length, name="date")
    return pd.DataFrame(values, index=index, columns=CHANNELS)


def test_impute_writes_the_same_samples_as_the_pipeline_with_the_input_times(model, tmp_path):
    frame = gappy_frame()
    source, output = tmp_path / "gappy.parquet", tmp_path / "filled.parquet"
    frame.reset_index().to_parquet(source)
    assert main(["--model", str(model), "--impute", str(source), "--num_samples", "3", *STEPS, "--seed", "4",
                 "--output", str(output)]) == 0  # fmt: skip
    written = pd.read_parquet(output)
    assert list(written.columns) == ["sample", "step", "time", *CHANNELS]
    assert (written.loc[written["sample"] == 2, "time"].to_numpy() == frame.index.to_numpy()).all()
    samples, names = load_generated(output)  # the time column is not a channel
    assert names == CHANNELS and samples.shape == (3, 50, 2)
    expected = load_pipeline(model).impute(frame, 3, num_inference_steps=2, seed=4).samples
    np.testing.assert_array_equal(samples, np.stack([s.to_numpy() for s in expected]))
    known = frame.notna().to_numpy()
    np.testing.assert_array_equal(samples[1][known], frame.to_numpy()[known])


def test_forecast_continues_the_business_days(model, tmp_path):
    frame = gappy_frame().ffill()
    source, output = tmp_path / "recent.csv", tmp_path / "forecast.csv"
    frame.to_csv(source)
    assert main(["--model", str(model), "--forecast", str(source), "--horizon", "7", "--num_samples", "2", *STEPS,
                 "--output", str(output)]) == 0  # fmt: skip
    written = pd.read_csv(output, parse_dates=["time"])
    times = written.loc[written["sample"] == 0, "time"]
    assert list(times) == list(pd.bdate_range(frame.index[-1], periods=8)[1:])
    assert load_generated(output)[0].shape == (2, 7, 2)


def test_a_forecast_pooled_with_other_models_holds_every_models_samples(model, tmp_path):
    frame = gappy_frame().ffill()
    source = tmp_path / "recent.csv"
    frame.to_csv(source)
    other = tmp_path / "other"
    make_raw_pipeline(tiny_preprocessing("none")).save_pretrained(other)  # another model of the same columns
    common = ["--forecast", str(source), "--horizon", "7", "--num_samples", "2", *STEPS]
    outputs = {name: tmp_path / f"{name}.npy" for name in ("alone", "other", "pooled")}
    other_seed = pooled_seeds(0, 2)[1]  # the pooled model draws its own noise, not --seed 0's
    assert main(["--model", str(model), *common, "--seed", "0", "--output", str(outputs["alone"])]) == 0
    assert main(["--model", str(other), *common, "--seed", str(other_seed), "--output", str(outputs["other"])]) == 0
    pooled_argv = ["--model", str(model), *common, "--seed", "0", "--pool_with", str(other)]
    assert main([*pooled_argv, "--output", str(outputs["pooled"])]) == 0
    alone, by_other, pooled = (np.load(outputs[name]) for name in ("alone", "other", "pooled"))
    np.testing.assert_array_equal(pooled, np.concatenate([alone, by_other]))


def test_a_model_pooled_with_itself_adds_new_draws_not_copies(model, tmp_path):
    frame = gappy_frame().ffill()
    source, output = tmp_path / "recent.csv", tmp_path / "pooled.npy"
    frame.to_csv(source)
    argv = ["--model", str(model), "--forecast", str(source), "--horizon", "7", "--num_samples", "2", *STEPS]
    assert main([*argv, "--pool_with", str(model), "--output", str(output)]) == 0
    pooled = np.load(output)
    assert pooled.shape == (4, 7, 2)
    assert np.abs(pooled[:2] - pooled[2:]).min() > 0  # same model, same --seed: still four different samples


def test_pooling_models_of_other_columns_is_refused(model, tmp_path, capsys):
    frame = gappy_frame().ffill()
    source, output = tmp_path / "recent.csv", tmp_path / "out.npy"
    frame.to_csv(source)
    other = tmp_path / "one_column"
    pipe = make_raw_pipeline(tiny_preprocessing())
    pipe.register_to_config(preprocessing={**pipe.config.preprocessing, "channels": [
        {**record, "name": f"X{i}"} for i, record in enumerate(pipe.config.preprocessing["channels"])
    ]})  # fmt: skip
    pipe.save_pretrained(other)
    argv = ["--model", str(model), "--forecast", str(source), "--horizon", "7", *STEPS, "--output", str(output)]
    assert main([*argv, "--pool_with", str(other)]) == 2
    assert f"--pool_with {other} generates the channels ['X0', 'X1'], but --model generates" in capsys.readouterr().err
    assert not output.exists()


def test_guidance_reaches_the_job(model, tmp_path):
    frame = gappy_frame()
    source = tmp_path / "gappy.parquet"
    frame.reset_index().to_parquet(source)
    written = {}
    for observation_guidance in ("0", "0.5"):
        output = tmp_path / f"filled-{observation_guidance}.npy"
        assert main(["--model", str(model), "--impute", str(source), "--num_samples", "1", *STEPS, "--seed", "1",
                     "--observation_guidance", observation_guidance,
                     "--output", str(output)]) == 0  # fmt: skip
        written[observation_guidance] = np.load(output)
    expected = load_pipeline(model).impute(frame, 1, num_inference_steps=2, seed=1, observation_guidance=0.5).samples
    np.testing.assert_array_equal(written["0.5"][0], expected[0].to_numpy())
    assert not np.array_equal(written["0"], written["0.5"])


def test_length_writes_long_paths(model, tmp_path):
    output = tmp_path / "paths.npy"
    assert main(["--model", str(model), "--length", "75", "--num_samples", "2", *STEPS, "--output", str(output)]) == 0
    assert np.load(output).shape == (2, 75, 2)
    with_overlap = tmp_path / "overlap.npy"
    argv = ["--model", str(model), "--length", "75", "--num_samples", "2", *STEPS, "--overlap", "20"]
    assert main([*argv, "--output", str(with_overlap)]) == 0
    expected = load_pipeline(model).generate_long(75, 2, overlap=20, num_inference_steps=2, seed=0)
    np.testing.assert_array_equal(np.load(with_overlap), np.asarray(expected))


def test_times_continue_at_the_last_spacing_when_no_frequency_is_found():
    index = pd.DatetimeIndex(["2024-01-01 00:00", "2024-01-01 00:07", "2024-01-01 00:09"])
    assert continue_times(index, 2) == [pd.Timestamp("2024-01-01 00:11"), pd.Timestamp("2024-01-01 00:13")]
    assert continue_times(pd.RangeIndex(5), 3) is None


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--forecast", "{source}"], "--forecast needs --horizon"),
        (["--horizon", "3"], "--horizon 3 is only read with --forecast FILE"),
        (["--length", "40", "--pool_with", "x"], "--pool_with is only read with --forecast FILE (it pools forecasts)"),
        (["--length", "0"], "--length must be at least 1 (steps per path), got 0."),
        (["--overlap", "8"], "--overlap 8 is only read with --length N"),
        (["--length", "40", "--overlap", "0"], "`overlap` must be an integer from 1 to 29"),
        (["--impute", "{source}", "--resample", "0"], "--resample must be at least 1"),
        (
            ["--impute", "{source}", "--observation_guidance", "-1"],
            "--observation_guidance must be a finite number >= 0",
        ),
        (["--impute", "{source}", "--plot", "p.png"], "--plot draws freely sampled windows"),
        (["--impute", "{renamed}"], "lacks the columns ['GBPUSD'] the model generates"),
        (["--impute", "{text}"], "column 'EURUSD' holds 'n/a?' at row 3, which is not a number"),
    ],
)
def test_bad_arguments_and_files_write_nothing(model, tmp_path, capsys, argv, message):
    frame = gappy_frame()
    paths = {name: tmp_path / f"{name}.csv" for name in ("source", "renamed", "text")}
    frame.to_csv(paths["source"])
    frame.rename(columns={"GBPUSD": "other"}).to_csv(paths["renamed"])
    text = frame.astype(object)
    text.iloc[3, 0] = "n/a?"
    text.to_csv(paths["text"])
    output = tmp_path / "out.csv"
    argv = [item.format(**paths) for item in argv]
    assert main(["--model", str(model), *STEPS, "--output", str(output), *argv]) == 2
    assert message in capsys.readouterr().err
    assert not output.exists()


def test_one_job_at_a_time(model, tmp_path):
    with pytest.raises(SystemExit):
        main(["--model", str(model), "--output", str(tmp_path / "o.csv"), "--length", "5", "--impute", "x.csv"])
