"""The training configuration: command line, files, types and the errors a user meets."""

import dataclasses
import json
import typing

import pytest

from ts_diffusion_wavelet.training import TrainingConfig, TrainingConfigParser, config_from_dict, parse_config


def test_defaults_are_the_measured_cpu_budget():
    config = parse_config([])
    assert config == TrainingConfig()
    assert (config.data, config.window_size, config.stride) == ("eurusd", 256, 1)  # stride 4 memorised EUR/USD
    # The raw model won the strong test at equal training time (README "Long windows"); the scalogram one, when
    # chosen, is a 1-D UNet over 16 log-spaced scales diffusing the series through their images.
    assert config.representation == "raw"
    assert (config.wavelet, config.num_scales, config.image_size) == ("morl", 16, 16)
    assert (config.scalogram_unet, config.diffusion_space) == ("1d", "series")
    assert (config.train_batch_size, config.max_train_steps, config.learning_rate) == (32, 3000, 5e-4)


def test_every_field_is_an_option_of_the_same_name_and_default():
    parser = TrainingConfigParser()
    names = {spec.name for spec in dataclasses.fields(TrainingConfig)}
    for spec in dataclasses.fields(TrainingConfig):
        default = spec.default if spec.default is not dataclasses.MISSING else spec.default_factory()
        assert parser.get_default(spec.name) == default, spec.name
    # Every field's own name (and nothing else) is accepted as an option: the whole record as `--name=value`.
    everything = TrainingConfig().to_dict()
    assert set(everything) == names and config_from_dict(everything) == TrainingConfig()


def test_none_means_none_for_every_optional_option():
    optional = [
        name for name, hint in typing.get_type_hints(TrainingConfig).items() if type(None) in typing.get_args(hint)
    ]
    assert {"columns", "time_column", "max_train_steps", "snr_gamma", "hub_model_id"} <= set(optional)
    words = ("none", "None", "null")
    config = parse_config([f"--{name}={words[i % 3]}" for i, name in enumerate(optional)])
    assert all(getattr(config, name) is None for name in optional)
    config = parse_config(["--max_train_steps", "none", "--num_epochs", "2"])
    assert config.max_train_steps is None and config.num_epochs == 2


def test_command_line_overrides_with_the_field_names():
    config = parse_config(
        [
            "--window_size",
            "128",
            "--columns",
            "Open,Close",
            "--use_ema",
            "false",
            "--snr_gamma",
            "5",
            "--push_to_hub",
            "--hub_model_id",
            "me/model",
            "--max_train_steps=30",
            "--learning-rate",  # argparse's hyphenated spelling works too
            "1e-3",
        ]
    )
    assert config.window_size == 128 and config.columns == ["Open", "Close"] and config.use_ema is False
    assert config.snr_gamma == 5.0 and config.push_to_hub is True and config.max_train_steps == 30
    assert config.learning_rate == 1e-3


@pytest.mark.parametrize(
    ("argv", "value"),
    [([], True), (["--use_ema"], True), (["--use_ema", "true"], True), (["--use_ema", "False"], False)]
    + [(["--use_ema=0"], False), (["--no_use_ema"], False)],
)
def test_bool_options_take_true_false_or_stand_alone(argv, value):
    assert parse_config(argv).use_ema is value


def test_list_option_accepts_space_separated_values():
    assert parse_config(["--columns", "pollution", "temp"]).columns == ["pollution", "temp"]


def test_values_that_start_with_a_dash_are_values():
    config = parse_config(["--missing_values", "-999,N/A", "--data", "-odd name.csv"])
    assert config.missing_values == ["-999", "N/A"] and config.data == "-odd name.csv"


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--window_sise", "3"], "Unknown option '--window_sise' in the command line. Did you mean '--window_size'?"),
        (["--window-sise=3"], "Unknown option '--window-sise' in the command line. Did you mean '--window_size'?"),
        (["--window", "3"], "Unknown option '--window' in the command line. Did you mean"),  # no abbreviations
        (["--window_size", "abc"], "argument --window_size/--window-size: invalid int value: 'abc'"),
        (["--learning_rate", "fast"], "argument --learning_rate/--learning-rate: invalid float value: 'fast'"),
        (["--use_ema", "maybe"], "argument --use_ema/--use-ema: Truthy value expected: got maybe"),
        (
            ["--beta_schedule", "quad"],
            r"argument --beta_schedule/--beta-schedule: invalid choice: 'quad' "
            r"\(choose from 'linear', 'cosine', 'sigmoid'\)",
        ),
        (["--sampler", "plms"], r"'plms' \(choose from 'ddpm', 'ddim', 'dpmsolver', 'unipc', 'euler_a'\)"),
        (["--stride", "0"], "--stride must be at least 1, got 0."),
        (
            ["--input_scale", "0"],
            r"--input_scale must be positive and below 1e6 \(1 keeps the data as scaled\), got 0.0.",
        ),
        (["--input_scale", "1e7"], r"--input_scale must be positive and below 1e6 .*got 10000000.0."),
        (["--validation_fraction", "1.5"], r"--validation_fraction must be in \[0, 1\), got 1.5."),
        (["--push_to_hub"], "--push_to_hub needs --hub_model_id user/name."),
        (["--window_size"], "argument --window_size/--window-size: expected one argument"),
        (["stray"], "Unexpected argument 'stray' in the command line: options are written --name value."),
    ],
)
def test_bad_flags_get_clear_errors(argv, message):
    with pytest.raises(ValueError, match=message):
        parse_config(argv)


def test_a_configuration_built_in_python_is_checked_too():
    with pytest.raises(ValueError, match="--representation must be one of raw, scalogram; got 'wavelet'."):
        TrainingConfig(representation="wavelet")


def test_help_lists_every_option_with_its_help_and_default(capsys, monkeypatch):
    monkeypatch.setenv("COLUMNS", "1000")  # one line per option: argparse wraps to the terminal's width
    with pytest.raises(SystemExit) as exit_info:
        parse_config(["--help"])
    assert exit_info.value.code == 0
    text = " ".join(capsys.readouterr().out.split())
    assert text.startswith("usage: accelerate launch train.py [--config FILE.yaml] [--name value ...]")
    for spec in dataclasses.fields(TrainingConfig):
        assert f"--{spec.name} " in text and " ".join(spec.metadata["help"].split()) in text
    assert "--window_size WINDOW_SIZE, --window-size WINDOW_SIZE Samples per training window" in text
    assert "--beta_schedule {linear,cosine,sigmoid}" in text and "(default: 256)" in text


def test_yaml_file_then_flags(tmp_path):
    path = tmp_path / "run.yaml"
    # YAML 1.1 reads 3e-4 as a string; the option's type turns it into a number as on the command line.
    path.write_text("window_size: 64\nlearning_rate: 3e-4\ncolumns: [a, b]\nuse_ema: false\nsnr_gamma: null\n")
    config = parse_config(["--config", str(path), "--window_size", "32", "--snr_gamma", "5"])
    assert (config.window_size, config.learning_rate, config.columns) == (32, 3e-4, ["a", "b"])
    assert config.use_ema is False and config.snr_gamma == 5.0


def test_saved_training_config_round_trips(tmp_path):
    original = dataclasses.replace(
        TrainingConfig(), window_size=64, columns=["x"], snr_gamma=5.0, missing_values=["-999"], use_ema=False
    )
    path = tmp_path / "training_config.json"
    path.write_text(json.dumps(original.to_dict()))
    assert parse_config(["--config", str(path)]) == original
    assert parse_config(["--config", str(path), "--seed", "3"]) == dataclasses.replace(original, seed=3)
    assert config_from_dict(json.loads(path.read_text())) == original


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("bogus: 1\n", "Unknown option 'bogus' in .*run.yaml. Run"),
        ("windw_size: 1\n", "Unknown option 'windw_size' in .*run.yaml. Did you mean 'window_size'?"),
        ("window_size: 64.5\n", r"argument --window_size/--window-size: invalid int value: '64.5' \(in .*run.yaml\)"),
        ("scaling: log\n", r"invalid choice: 'log' \(choose from 'standard', 'minmax', 'none'\) \(in .*run.yaml\)"),
        ("window_size: null\n", "'window_size' in .*run.yaml must be a single value or a list, got None."),
        ("- a\n- b\n", "must hold a mapping of option names"),
        ("window_size: [1\n", "Cannot read config file"),
    ],
)
def test_bad_config_files(tmp_path, content, message):
    path = tmp_path / "run.yaml"
    path.write_text(content)
    with pytest.raises(ValueError, match=message):
        parse_config(["--config", str(path)])


def test_missing_config_file_is_named(tmp_path):
    with pytest.raises(FileNotFoundError, match="nope.yaml' does not exist"):
        parse_config(["--config", str(tmp_path / "nope.yaml")])


def test_the_default_scalogram_keeps_every_time_step_for_the_1d_unet_and_folds_for_the_2d_one():
    import torch

    from ts_diffusion_wavelet.representations.scalogram import ScalogramRepresentation

    windows = torch.randn(8, 1, 256)
    one_d = ScalogramRepresentation.from_training_config(parse_config(["--representation", "scalogram"]), windows)
    # 16 scales x 2 planes (coefficients, constant plane) = 32 channels of 256 steps for the UNet1DModel.
    assert one_d.transform.image_size == (16, 256) and one_d.build_unet("tiny").config.in_channels == 32
    two_d = ScalogramRepresentation.from_training_config(
        parse_config(["--representation", "scalogram", "--scalogram_unet", "2d"]), windows
    )
    assert two_d.transform.image_size == (16, 16) and two_d.transform.image_channels == 17  # time folded 16x


def test_series_space_scalogram_rows_are_standardised_for_the_noise_the_unet_removes():
    import torch

    from ts_diffusion_wavelet.representations.scalogram import ScalogramRepresentation

    # Smooth windows (slow sines): their fine-scale rows are nearly empty. Standardised on the data alone those rows
    # would blow unit noise up ~100x; fitted on data plus noise, the noise the UNet sees and predicts has unit rows.
    time = torch.arange(64.0)
    smooth = torch.sin(time / 20 + torch.rand(512, 1, 1) * 6).float()
    config = parse_config(["--representation", "scalogram", "--window_size", "64"])
    transform = ScalogramRepresentation.from_training_config(config, smooth).transform
    noise_rows = transform.to_image(torch.randn(512, 1, 64))[:, 0].std(dim=(0, 2))
    # Unit at the fine scales; a little under at the coarse ones, where the slow sines add spread of their own.
    assert torch.all((noise_rows > 0.5) & (noise_rows < 1.25)) and noise_rows[:8].min() > 0.9, noise_rows
    image_config = parse_config(["--window_size", "64", "--diffusion_space", "image", "--scalogram_unet", "2d"])
    image = ScalogramRepresentation.from_training_config(image_config, smooth)
    assert image.transform.to_image(torch.randn(512, 1, 64))[:, 0].std(dim=(0, 2)).max() > 10  # data-fitted rows
