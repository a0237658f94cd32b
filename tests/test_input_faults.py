"""
Fault injection at every entry point of user input, each asserting the message a user reads:
- extreme values in the data (statistics that overflow float32 are errors naming the column and row; extreme
  outliers warn with their count and rows; generated levels that overflow are never written);
- delimited text files with another separator (and decimal commas) are read as the user meant;
- every edited field of a saved pipeline's files (model_index.json, unet/config.json, the scheduler config, the
  weights) is refused with the file and the field named;
- every argument of the pipeline's `__call__` is checked before sampling (non-finite `start_values` included).
"""

from __future__ import annotations

import json
import math
import shutil
import warnings
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import torch
from pipeline_fixtures import make_raw_pipeline, make_scalogram_pipeline, tiny_preprocessing

from ts_diffusion_wavelet.data import SeriesPreprocessor, load_series, prepare_windows
from ts_diffusion_wavelet.data.extremes import OUTLIER_ROBUST_SIGMAS, find_outliers
from ts_diffusion_wavelet.data.sources import sniff_csv_format
from ts_diffusion_wavelet.pipeline_loading import load_pipeline
from ts_diffusion_wavelet.series_io import save_generated

ROWS = 600


def _prices(extreme_row: int | None = None, value: float = 1e300) -> pd.DataFrame:
    prices = 100 * np.exp(np.cumsum(np.random.default_rng(0).normal(0, 0.01, ROWS)))
    if extreme_row is not None:
        prices[extreme_row] = value
    return pd.DataFrame({"Date": pd.date_range("2020-01-01", periods=ROWS, freq="D"), "Close": prices})


# ----- item 2: extreme values ---------------------------------------------------------------------------------
@pytest.mark.parametrize("scaling", ["standard", "minmax", "none"])
@pytest.mark.parametrize(("target_transform", "statistic"), [("none", "mean"), ("diff", "std")])
def test_statistics_beyond_float32_are_an_error_naming_column_and_row(target_transform, statistic, scaling):
    with pytest.raises(ValueError) as caught:
        prepare_windows(_prices(100), target_transform=target_transform, scaling=scaling, window_size=32)
    message = str(caught.value)
    assert message.startswith(f"Column 'Close': the {statistic} of its training values after the target transform is ")
    assert "beyond float32's range (3.4e+38)" in message
    assert "the most extreme value is 1e+300 at row 100 (2020-04-10 00:00:00)" in message
    assert "mark the value missing (`missing_values=`" in message


def test_an_overflowing_std_of_finite_values_is_caught():
    """1e200 is finite, but its square (inside the std) is not, even in float64: the scale would be inf."""
    levels = np.ones((50, 1))
    levels[7], levels[8] = 1e200, -1e200  # the mean stays 0
    with pytest.raises(ValueError, match=r"the std of its training values .* is inf, .* 1e\+200 at row 7\. "):
        SeriesPreprocessor(scaling="standard").fit(levels, channel_names=["x"])


def test_extreme_log_returns_warn_with_the_count_and_rows():
    with pytest.warns(UserWarning) as caught:
        data = prepare_windows(_prices(100), target_transform="log_return", window_size=32)
    messages = [str(w.message) for w in caught if "extreme value" in str(w.message)]
    assert len(messages) == 1
    assert messages[0].startswith(
        f"Column 'Close' has 2 extreme values more than {OUTLIER_ROBUST_SIGMAS:g} robust standard deviations from its "
        "median after the target transform (686.1 at row 100 (2020-04-10 00:00:00), -686.1 at row 101 "
        "(2020-04-11 00:00:00)); in the training rows such values set the scaling"
    )
    assert messages[0] in data.report  # and in the report train.py logs


def test_values_past_the_training_range_that_overflow_float32_after_scaling_are_refused():
    frame = _prices(ROWS - 5)  # in the validation rows: the training statistics are fine
    with pytest.raises(ValueError) as caught:
        prepare_windows(frame, target_transform="none", window_size=32)
    assert str(caught.value).startswith(
        "Column 'Close' has 1 value after scaling by the training statistics that float32 (the model's precision, up "
    )
    assert "at row 595 (2021-08-18 00:00:00). Rows outside the training split" in str(caught.value)


def test_clean_and_heavy_tailed_shipped_data_raise_no_warning():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        prepare_windows("bundled:eurusd", target_transform="log_return", window_size=64)
        prepare_windows(
            "bundled:pollution",
            columns=["wnd_spd", "rain"],
            missing_values={},
            target_transform="diff",
            window_size=64,
        )


def test_outliers_are_counted_in_robust_standard_deviations():
    values = np.random.default_rng(0).normal(size=(1000, 2))
    values[10, 0] = 1000.0  # ~1000 robust sigmas
    values[20, 1] = 100.0  # far, but within a heavy tail's reach
    found = find_outliers(values)
    assert found[0].tolist() == [10] and found[1].tolist() == []
    assert find_outliers(np.zeros((10, 1)))[0].tolist() == []  # no spread: nothing is an outlier


def test_generated_levels_that_overflow_warn_and_are_never_written(tmp_path):
    pre = SeriesPreprocessor(target_transform="log_return").fit(_prices()[["Close"]])
    with pytest.warns(UserWarning, match=r"^8 of 8 generated levels are not finite \('Close': 8\): they overflowed"):
        levels = pre.inverse_transform(np.full((1, 1, 8), 1e5))
    assert np.isinf(levels).any()
    with pytest.raises(ValueError) as caught:
        save_generated(tmp_path / "out.csv", levels, ["Close"])
    assert str(caught.value).startswith(
        "8 of 8 generated values are NaN or infinite (the first inf in window 0, step 0"
    )
    assert not (tmp_path / "out.csv").exists()


def test_generate_command_exits_2_instead_of_writing_inf(tmp_path, capsys):
    from ts_diffusion_wavelet.cli.generate import main

    record = tiny_preprocessing()
    for channel in record["channels"]:
        channel["scale"] = 1e38  # fits float32, but exp(summed returns x 1e38) does not fit float64
    make_raw_pipeline(record).save_pretrained(tmp_path / "model")
    output = tmp_path / "samples.csv"
    with pytest.warns(UserWarning, match="generated levels are not finite"):
        code = main(
            ["--model", str(tmp_path / "model"), "--output", str(output), "--num_samples", "2"]
            + ["--num_inference_steps", "2", "--device", "cpu"]
        )
    assert code == 2
    assert "generated values are NaN or infinite" in capsys.readouterr().err
    assert not output.exists()


# ----- item 5: delimited text ---------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Date,Close\n2020-01-01,1.5\n", (",", ".")),
        ("Date;Close\n2020-01-01;1,5\n2020-01-02;1,6\n", (";", ",")),
        ("Date;Close\n2020-01-01;1.5\n", (";", ".")),
        ("Date\tClose\n2020-01-01\t1.5\n", ("\t", ".")),
        ("Date|Close|Volume\n2020-01-01|1.5|3\n", ("|", ".")),
        ('Date;Name;Close\n2020-01-01;"Smith, J";1.5\n', (";", ".")),  # a quoted comma is not a separator
        ("Close\n1.5\n1.6\n", (",", ".")),  # one column: the extension's default
    ],
)
def test_the_separator_and_decimal_mark_are_detected(text, expected):
    assert sniff_csv_format(text.splitlines(keepends=True)) == expected


def test_a_semicolon_csv_with_decimal_commas_loads_and_says_what_was_found(tmp_path):
    path = tmp_path / "prices.csv"
    frame = _prices()
    frame.to_csv(path, sep=";", decimal=",", index=False)
    clean = load_series(path)
    assert list(clean.frame.columns) == ["Close"] and clean.frame.index.name == "Date"
    np.testing.assert_allclose(clean.frame["Close"].to_numpy(), frame["Close"].to_numpy())
    assert clean.report[0].endswith("read as delimited text with separator ';' and decimal ',' (detected)")
    data = prepare_windows(path, target_transform="log_return", window_size=32)  # the whole path works too
    assert data.train[0].shape == (1, 32)


@pytest.mark.parametrize(("suffix", "sep"), [(".csv", "\t"), (".csv", "|"), (".tsv", ";"), (".csv.gz", ";")])
def test_other_separators_load_whatever_the_extension(tmp_path, suffix, sep):
    path = tmp_path / f"prices{suffix}"
    _prices().to_csv(path, sep=sep, index=False)
    clean = load_series(path)
    assert list(clean.frame.columns) == ["Close"] and len(clean.frame) == ROWS
    assert f"separator {sep!r}" in clean.report[0]


# ----- item 8: edited saved pipelines -------------------------------------------------------------------------
TRAINING = {"window_size": 30, "prediction_type": "epsilon", "num_train_timesteps": 50, "beta_schedule": "linear"}


@pytest.fixture(scope="module")
def saved(tmp_path_factory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("saved")
    make_raw_pipeline(tiny_preprocessing(), TRAINING).save_pretrained(folder / "raw")
    scalogram_training = {**TRAINING, "window_size": 32, "num_scales": 16}
    make_scalogram_pipeline(tiny_preprocessing(), scalogram_training).save_pretrained(folder / "scalogram")
    return {"raw": folder / "raw", "scalogram": folder / "scalogram"}


def _edited(saved: dict[str, Path], kind: str, file: str, edit: Callable[[dict], None], tmp_path: Path) -> Path:
    target = tmp_path / kind
    shutil.copytree(saved[kind], target)
    content = json.loads((target / file).read_text())
    edit(content)
    (target / file).write_text(json.dumps(content))
    return target


def _set(*path_and_value):
    *path, key, value = path_and_value

    def edit(content: dict) -> None:
        for part in path:
            content = content[part]
        content[key] = value

    return edit


INDEX, UNET, SCHEDULER = "model_index.json", "unet/config.json", "scheduler/scheduler_config.json"
EDITS = [
    # model_index.json: the representation against the UNet, with training_config naming the edited field
    (
        "raw",
        INDEX,
        _set("representation", "window_size", 64),
        "field 'representation' is not usable: `window_size` must be between 1 and the UNet's sample_size 30, got "
        "64. model_index.json field 'representation.window_size' is 64 but 'training_config.window_size' is 30: "
        "restore representation.window_size = 30.",
    ),
    (
        "raw",
        INDEX,
        _set("representation", "window_size", 16),
        "window_size 16 pads to 16 steps, not to the UNet's 30, "
        "which a window_size from 29 to 30 gives. model_index.json field 'representation.window_size' is 16 but "
        "'training_config.window_size' is 30",
    ),
    (
        "scalogram",
        INDEX,
        _set("representation", "transform_config", "window_size", 64),
        "field 'representation' "
        "(transform_config.image_height=16, transform_config.num_channels=2, transform_config.num_scales=16, "
        "transform_config.window_size=64) does not match",
    ),
    (
        "scalogram",
        INDEX,
        _set("representation", "transform_config", "window_size", 64),
        "model_index.json field "
        "'representation.transform_config.window_size' is 64 but 'training_config.window_size' is 32: restore "
        "representation.transform_config.window_size = 32.",
    ),
    (
        "raw",
        INDEX,
        _set("representation", "num_channels", 3),
        "The UNet takes 2 channels x 30 steps but the windows are 3 x 30 after padding",
    ),
    (
        "raw",
        INDEX,
        _set("representation", "name", "wavelet"),
        "field 'representation' is not usable: Unknown representation 'wavelet'; choose one of raw, scalogram.",
    ),
    (
        "scalogram",
        INDEX,
        _set("representation", "transform_config", "wavelet", "db4"),
        "field 'representation' is not usable: Unsupported wavelet 'db4'.",
    ),
    # model_index.json: the preprocessing record, every field of a channel
    (
        "raw",
        INDEX,
        _set("preprocessing", "channels", 0, "scale", 0.0),
        "in 'preprocessing': field 'channels[0].scale' of channel 'EURUSD' is 0.0; a scale must be positive",
    ),
    (
        "raw",
        INDEX,
        _set("preprocessing", "channels", 0, "scale", 1e39),
        "field 'channels[0].scale' of channel 'EURUSD' is 1e+39; it must be a finite number within float32's range",
    ),
    (
        "raw",
        INDEX,
        _set("preprocessing", "channels", 1, "loc", "NaN"),
        "field 'channels[1].loc' of channel 'GBPUSD' is 'NaN'; it must be a finite number",
    ),
    (
        "raw",
        INDEX,
        _set("preprocessing", "channels", 0, "start_value", -1.0),
        "field 'channels[0].start_value' of "
        "channel 'EURUSD' is -1.0; a 'log_return' channel needs a positive start price.",
    ),
    (
        "raw",
        INDEX,
        _set("preprocessing", "channels", 0, "target_transform", "log"),
        "field 'channels[0].target_transform' is 'log'; it must be one of ['none', 'diff', 'log_return'].",
    ),
    ("raw", INDEX, _set("preprocessing", "channels", 0, "name", 5), "field 'channels[0].name' must be a column name"),
    ("raw", INDEX, lambda c: c["preprocessing"]["channels"][0].pop("scale"), "field 'channels[0]' lacks ['scale']"),
    (
        "raw",
        INDEX,
        lambda c: c["preprocessing"]["channels"].pop(),
        "field 'preprocessing.channels' lists 1 channels ['EURUSD'], but 'representation' generates 2",
    ),
    ("raw", INDEX, _set("preprocessing", "version", 7), "Not a SeriesPreprocessor dict of version 1"),
    # unet/config.json against the weights: the field and the value the weights were saved with
    (
        "raw",
        UNET,
        _set("in_channels", 3),
        "unet/config.json field 'in_channels' is 3, but the weights in "
        "diffusion_pytorch_model.safetensors were saved with in_channels=2",
    ),
    (
        "raw",
        UNET,
        _set("out_channels", 3),
        "field 'out_channels' is 3, but the weights in "
        "diffusion_pytorch_model.safetensors were saved with out_channels=2",
    ),
    (
        "raw",
        UNET,
        _set("block_out_channels", [16, 32]),
        "field 'block_out_channels' is [16, 32], but the weights in "
        "diffusion_pytorch_model.safetensors were saved with block_out_channels=[8, 16]",
    ),
    (
        "raw",
        UNET,
        _set("layers_per_block", 2),
        "field 'layers_per_block' is 2, but the weights in diffusion_pytorch_model.safetensors were saved with "
        "layers_per_block=1 (40 tensors the config builds are not in the weights",
    ),
    (
        "scalogram",
        UNET,
        _set("in_channels", 48),
        "field 'in_channels' is 48, but the weights in "
        "diffusion_pytorch_model.safetensors were saved with in_channels=96",
    ),
    ("raw", UNET, _set("sample_size", 64), "does not match"),
    (
        "raw",
        UNET,
        _set("_class_name", "UNetFancy"),
        "unet/config.json field '_class_name' is 'UNetFancy', not a diffusers model class.",
    ),
    ("raw", UNET, _set("norm_num_groups", 3), "unet/config.json does not build a UNet1DModel"),
    # the scheduler config: valid values, and the schedule the UNet was trained with
    (
        "raw",
        SCHEDULER,
        _set("num_train_timesteps", -5),
        "scheduler_config.json field 'num_train_timesteps' is -5; it must be a positive integer.",
    ),
    (
        "raw",
        SCHEDULER,
        _set("prediction_type", "noise"),
        "field 'prediction_type' is 'noise'; it must be one of ['epsilon', 'v_prediction', 'sample'].",
    ),
    ("raw", SCHEDULER, _set("beta_schedule", "quadratic"), "scheduler_config.json does not build a DDPMScheduler"),
    (
        "raw",
        SCHEDULER,
        _set("_class_name", "FancyScheduler"),
        "field '_class_name' is 'FancyScheduler', not a diffusers scheduler.",
    ),
]


@pytest.mark.parametrize(
    ("kind", "file", "edit", "message"), EDITS, ids=[f"{e[0]}:{e[1]}:{i}" for i, e in enumerate(EDITS)]
)
def test_an_edited_field_is_refused_naming_the_file_and_field(saved, tmp_path, kind, file, edit, message):
    folder = _edited(saved, kind, file, edit, tmp_path)
    with pytest.raises(ValueError) as caught:
        load_pipeline(folder)
    text = str(caught.value)
    assert message in text
    assert str(folder / file) in text  # the edited file, by its full path


REFERENCE_EDITS = [
    (
        "raw",
        INDEX,
        _set("training_config", "window_size", 64),
        "model_index.json disagrees with itself: field 'representation.window_size' is 30 but "
        "'training_config.window_size' is 64. If one of them was edited, restore it",
    ),
    (
        "scalogram",
        INDEX,
        _set("representation", "transform_config", "num_scales", 8),
        "model_index.json disagrees with itself: field 'representation.transform_config.num_scales' is 8 but "
        "'training_config.num_scales' is 16.",
    ),
    (
        "raw",
        SCHEDULER,
        _set("num_train_timesteps", 1000),
        "scheduler_config.json field 'num_train_timesteps' is 1000, but model_index.json records that the UNet was "
        "trained with 50 ('training_config.num_train_timesteps')",
    ),
    (
        "raw",
        SCHEDULER,
        _set("prediction_type", "v_prediction"),
        "field 'prediction_type' is 'v_prediction', but model_index.json records that the UNet was trained with "
        "'epsilon' ('training_config.prediction_type'); sampling with another gives wrong series. If the scheduler "
        "config was edited, restore prediction_type = 'epsilon'.",
    ),
]


@pytest.mark.parametrize(("kind", "file", "edit", "message"), REFERENCE_EDITS)
def test_fields_that_disagree_with_the_training_config_warn_naming_both(saved, tmp_path, kind, file, edit, message):
    """`training_config` is kept for reference (a pipeline built in Python may carry any): a warning, not an error."""
    folder = _edited(saved, kind, file, edit, tmp_path)
    with pytest.warns(UserWarning) as caught:
        load_pipeline(folder)
    texts = [str(w.message) for w in caught if "disagrees" in str(w.message) or "records that" in str(w.message)]
    assert len(texts) == 1 and message in texts[0] and str(folder / file) in texts[0]


def test_unedited_saves_load_and_sample(saved):
    for folder in saved.values():
        with warnings.catch_warnings():
            warnings.simplefilter("error", UserWarning)  # no false alarm on a consistent save
            pipeline = load_pipeline(folder)
        pipeline.set_progress_bar_config(disable=True)
        assert np.isfinite(pipeline(num_inference_steps=2).series).all()


def test_weights_that_do_not_fit_the_config_name_both(saved, tmp_path):
    """A weights file swapped in from another model: no single config field explains it."""
    from safetensors.torch import save_file

    target = tmp_path / "raw"
    shutil.copytree(saved["raw"], target)
    save_file({"conv.weight": torch.zeros(3, 3)}, target / "unet" / "diffusion_pytorch_model.safetensors")
    with pytest.raises(ValueError) as caught:
        load_pipeline(target)
    assert str(caught.value).startswith(f"{target / 'unet' / 'config.json'} does not describe the weights in ")
    assert "1 tensors in the weights have no place in it (e.g. 'conv.weight')" in str(caught.value)


# ----- item 9: arguments of the pipeline's __call__ -----------------------------------------------------------
@pytest.fixture(scope="module")
def pipe():
    return make_raw_pipeline(tiny_preprocessing())


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        (
            {"start_values": float("nan")},
            "`start_values` holds nan for channel 'EURUSD' (2 bad values in all); it needs a finite positive price",
        ),
        ({"start_values": math.inf}, "`start_values` holds inf for channel 'EURUSD'"),
        ({"start_values": np.array([1.0, -np.inf])}, "`start_values` holds -inf for channel 'GBPUSD'"),
        (
            {"start_values": -1.0},
            "`start_values` holds -1.0 for channel 'EURUSD' (2 bad values in all); it needs a "
            "finite positive price (levels are start x exp(summed log-returns))",
        ),
        ({"start_values": 0.0}, "`start_values` holds 0.0 for channel 'EURUSD'"),
        (
            {"batch_size": 2, "start_values": np.array([[1.0, 1.0], [1.0, np.nan]])},
            "`start_values` holds nan for channel 'GBPUSD', window 1",
        ),
        ({"start_values": torch.tensor([1.0, float("nan")])}, "`start_values` holds nan for channel 'GBPUSD'"),
        ({"start_values": "1.0,2.0"}, "`start_values` must be a number or an array of numbers, got '1.0,2.0'."),
        ({"start_values": [1.0, 2.0, 3.0]}, "`start_values` must have shape [2] or [1, 2]"),
        ({"batch_size": 0}, "`batch_size` must be a positive integer, got 0."),
        ({"batch_size": 2.0}, "`batch_size` must be a positive integer, got 2.0."),
        ({"batch_size": True}, "`batch_size` must be a positive integer, got True."),
        ({"batch_size": float("nan")}, "`batch_size` must be a positive integer, got nan."),
        ({"num_inference_steps": 0}, "`num_inference_steps` must be an integer from 1 to the 50 steps"),
        ({"num_inference_steps": 51}, "got 51."),
        ({"num_inference_steps": float("inf")}, "got inf."),
        ({"num_inference_steps": True}, "got True."),
        ({"generator": 42}, "`generator` must be a torch.Generator, a list of them, or None, got 42."),
        ({"generator": [torch.Generator(), torch.Generator()]}, "Got a list of 2 generators for a batch of 1"),
        ({"return_dict": "yes"}, "`return_dict` must be True or False, got 'yes'."),
        ({"return_scalograms": True}, "`return_scalograms=True` needs a scalogram representation"),
        ({"output_type": "list"}, "Unknown `output_type` 'list'"),
    ],
)
def test_call_arguments_are_checked_before_sampling(pipe, kwargs, message, monkeypatch):
    def no_sampling(*args, **kwargs):
        raise AssertionError("sampling started before the arguments were checked")

    monkeypatch.setattr(pipe, "denoise", no_sampling)
    with pytest.raises(ValueError) as caught:
        pipe(**kwargs)
    assert message in str(caught.value)


def test_diff_channels_take_any_finite_start_value(pipe):
    """A non-positive start is fine where the levels are sums of differences, not products of returns."""
    pipeline = make_raw_pipeline(tiny_preprocessing("diff"))
    pipeline.set_progress_bar_config(disable=True)
    series = pipeline(num_inference_steps=2, start_values=-5.0).series
    assert np.isfinite(series).all()
    with pytest.raises(ValueError, match="`start_values` holds nan for channel 'EURUSD' .* it needs a finite number"):
        pipeline(num_inference_steps=2, start_values=float("nan"))


def test_the_preprocessor_checks_start_values_too():
    pre = SeriesPreprocessor(target_transform="log_return").fit(_prices()[["Close"]])
    with pytest.raises(ValueError, match="`start_values` holds nan for channel 'Close'"):
        pre.inverse_transform(np.zeros((1, 1, 8)), start_values=[float("nan")])


def test_an_edited_pipeline_on_the_hub_is_refused_the_same_way(saved, tmp_path, hub):
    folder = _edited(saved, "raw", INDEX, _set("representation", "window_size", 64), tmp_path)
    files = {str(path.relative_to(folder)): path.read_bytes() for path in folder.rglob("*") if path.is_file()}
    hub.add_repo("tester/edited", files)
    with pytest.raises(ValueError) as caught:
        load_pipeline("tester/edited", cache_dir=tmp_path / "cache")
    message = str(caught.value)
    assert message.startswith("The Hub repo 'tester/edited' holds a pipeline whose files disagree: ")
    assert (
        "model_index.json field 'representation.window_size' is 64 but 'training_config.window_size' is 30" in message
    )
    assert hub.unhandled == []


def test_a_trained_run_loads_without_warnings(tmp_path):
    """training_config's own names (beta_schedule 'cosine') are not mistaken for disagreements."""
    from ts_diffusion_wavelet.cli.train import main

    arguments = ["--representation", "raw", "--model_preset", "tiny", "--window_size", "32", "--max_train_steps", "1"]
    arguments += ["--num_train_timesteps", "50", "--beta_schedule", "cosine", "--output_dir", str(tmp_path / "run")]
    arguments += ["--logger", "none", "--validation_steps", "0"]
    assert main(arguments) == 0
    with warnings.catch_warnings():
        warnings.simplefilter("error", UserWarning)
        pipeline = load_pipeline(tmp_path / "run" / "pipeline")
    assert pipeline.scheduler.config.beta_schedule == "squaredcos_cap_v2"
