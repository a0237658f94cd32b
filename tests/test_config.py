"""The training configuration: command line, files, types and the errors a user meets."""

import dataclasses
import json

import pytest

from ts_diffusion_wavelet.training import TrainingConfig, format_help, parse_config


def test_defaults_are_the_measured_cpu_budget():
    config = parse_config([])
    assert (config.data, config.window_size, config.stride) == ("eurusd", 256, 1)  # stride 4 memorised EUR/USD
    # The raw model won the strong test at equal training time (README "Long windows"); the scalogram one, when
    # chosen, is a 1-D UNet over 16 log-spaced scales diffusing the series through their images.
    assert config.representation == "raw"
    assert (config.wavelet, config.num_scales, config.image_size) == ("morl", 16, 16)
    assert (config.scalogram_unet, config.diffusion_space) == ("1d", "series")
    assert (config.train_batch_size, config.max_train_steps, config.learning_rate) == (32, 3000, 5e-4)


def test_max_train_steps_none_trains_num_epochs():
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
        ]
    )
    assert config.window_size == 128 and config.columns == ["Open", "Close"] and config.use_ema is False
    assert config.snr_gamma == 5.0 and config.push_to_hub is True and config.max_train_steps == 30


def test_list_option_accepts_space_separated_values():
    assert parse_config(["--columns", "pollution", "temp"]).columns == ["pollution", "temp"]


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--window_sise", "3"], "Unknown option '--window_sise' in the command line. Did you mean '--window_size'?"),
        (["--window_size", "abc"], "--window_size expects an integer, got 'abc'."),
        (["--learning_rate", "fast"], "--learning_rate expects a number, got 'fast'."),
        (["--use_ema", "maybe"], "--use_ema expects true or false, got 'maybe'."),
        (["--beta_schedule", "quad"], "--beta_schedule must be one of linear, cosine, sigmoid; got 'quad'."),
        (["--sampler", "plms"], "--sampler must be one of ddpm, ddim, dpmsolver, unipc, euler_a; got 'plms'."),
        (["--stride", "0"], "--stride must be at least 1, got 0."),
        (["--validation_fraction", "1.5"], r"--validation_fraction must be in \[0, 1\), got 1.5."),
        (["--push_to_hub"], "--push_to_hub needs --hub_model_id user/name."),
        (["--window_size"], r"--window_size needs a value \(an integer\)."),
        (["stray"], "Unexpected argument 'stray'"),
    ],
)
def test_bad_flags_get_clear_errors(argv, message):
    with pytest.raises(ValueError, match=message):
        parse_config(argv)


def test_yaml_file_then_flags(tmp_path):
    path = tmp_path / "run.yaml"
    path.write_text("window_size: 64\nlearning_rate: 0.0003\ncolumns: [a, b]\n")
    config = parse_config(["--config", str(path), "--window_size", "32"])
    assert (config.window_size, config.learning_rate, config.columns) == (32, 3e-4, ["a", "b"])


def test_json_file_round_trips_the_whole_config(tmp_path):
    original = dataclasses.replace(TrainingConfig(), window_size=64, columns=["x"], snr_gamma=5.0)
    path = tmp_path / "run.json"
    path.write_text(json.dumps(original.to_dict()))
    assert parse_config(["--config", str(path)]) == original
    assert TrainingConfig.from_dict(original.to_dict()) == original


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("bogus: 1\n", "Unknown option 'bogus' in .*run.yaml"),
        ("window_size: 64.5\n", "'window_size' in .*run.yaml expects an integer, got 64.5."),
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


def test_help_lists_every_field_with_its_help():
    text = format_help()
    for field in dataclasses.fields(TrainingConfig):
        assert f"--{field.name} " in text
        assert field.metadata["help"] in text


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
