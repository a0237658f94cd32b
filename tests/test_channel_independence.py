"""`--channels independent`: one univariate UNet shared by every column, each denoised from its own values."""

from __future__ import annotations

import json
import warnings
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest
import torch
from test_training import tiny_config

from ts_diffusion_wavelet import load_pipeline
from ts_diffusion_wavelet.representations import RawRepresentation, representation_from_dict
from ts_diffusion_wavelet.training import parse_config
from ts_diffusion_wavelet.training.checkpointing import RESUME_INVARIANT_OPTIONS, check_resume_compatible
from ts_diffusion_wavelet.training.loop import train


def independent(num_channels: int = 3) -> RawRepresentation:
    config = SimpleNamespace(model_preset="tiny", window_size=30, window_scale="none", channels="independent")
    return RawRepresentation.from_training_config(config, torch.zeros(4, num_channels, 30))


def test_the_unet_is_univariate_and_each_channel_is_denoised_from_its_own_values_only():
    representation = independent()
    torch.manual_seed(0)
    unet = representation.build_unet("tiny").eval()
    assert (unet.config.in_channels, unet.config.out_channels) == (1, 1)
    states = torch.randn(2, 3, representation.padded_length)
    timesteps = torch.tensor([10, 900])
    with torch.no_grad():
        output = representation.denoise(unet, states, timesteps)
        # Window b's channel c is the UNet's output for that channel alone, at window b's timestep.
        alone = unet(states[1:2, 2:3], timesteps[1:2]).sample
        changed = states.clone()
        changed[:, 0] += 5.0  # another channel of the same windows
        after = representation.denoise(unet, changed, timesteps)
    assert output.shape == states.shape
    torch.testing.assert_close(output[1:2, 2:3], alone)
    torch.testing.assert_close(after[:, 1:], output[:, 1:])
    assert not torch.allclose(after[:, 0], output[:, 0])


def test_a_scalar_timestep_and_labels_reach_every_channel():
    representation = independent(2)
    representation.num_labels = 2
    torch.manual_seed(0)
    unet = representation.build_unet("tiny").eval()
    assert unet.config.in_channels == 1 + 2
    states = torch.randn(2, 2, representation.padded_length)
    with torch.no_grad():
        labelled = representation.denoise(unet, states, torch.tensor(500), torch.tensor([0, 1]))
        by_window = representation.denoise(unet, states, torch.tensor([500, 500]), torch.tensor([0, 1]))
        unlabelled = representation.denoise(unet, states, torch.tensor(500))
        second = representation.denoise(unet, states[1:], torch.tensor(500), torch.tensor([1]))
    torch.testing.assert_close(labelled, by_window)
    torch.testing.assert_close(labelled[1:], second)
    assert not torch.allclose(labelled, unlabelled)  # the null label is a different input


def test_the_record_round_trips_and_a_bad_one_is_named():
    record = independent().to_dict()
    assert record["channels"] == "independent"
    rebuilt = representation_from_dict(json.loads(json.dumps(record)))
    assert rebuilt.channel_independent and rebuilt.to_dict() == record
    assert "channels" not in RawRepresentation(3, 30, 32).to_dict()  # joint records stay as they were
    with pytest.raises(ValueError, match="'channels' must be 'joint' or 'independent', got 'shared'"):
        representation_from_dict({**record, "channels": "shared"})
    assert "independent of each other" in rebuilt.card_text()


def test_the_option_is_refused_where_it_cannot_apply(tmp_path):
    for extra in (["--representation", "scalogram"], ["--window_scale", "std"]):
        with pytest.raises(
            ValueError, match="--channels independent needs --representation raw and --window_scale none"
        ):
            tiny_config(tmp_path, "--channels", "independent", *extra)
    with pytest.raises(
        ValueError, match=r"--channels: invalid choice: 'shared' \(choose from 'joint', 'independent'\)"
    ):
        parse_config(["--channels", "shared"])


def test_training_end_to_end_then_every_job(tmp_path):
    rng = np.random.default_rng(0)
    steps = np.arange(400)
    frame = pd.DataFrame({"a": np.sin(steps / 5) + rng.normal(0, 0.1, 400), "b": rng.normal(3.0, 2.0, 400)})
    frame.to_csv(tmp_path / "two.csv", index=False)
    config = tiny_config(
        tmp_path / "run",
        *("--data", str(tmp_path / "two.csv"), "--target_transform", "none", "--channels", "independent"),
        *("--num_validation_samples", "2", "--validation_inference_steps", "2", "--validation_steps", "2"),
        *("--lr_warmup_steps", "1", "--max_train_steps", "2"),
    )
    train(config)
    pipe = load_pipeline(tmp_path / "run" / "pipeline")
    assert pipe.representation.channel_independent and pipe.unet.config.in_channels == 1
    with pytest.warns(UserWarning, match="the columns of these windows are independent of each other"):
        series = pipe(3, num_inference_steps=2, generator=torch.Generator().manual_seed(0)).series
    assert series.shape == (3, 32, 2) and np.isfinite(series).all()
    context = frame.to_numpy()[:40]
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        forecast = pipe.forecast(context, 8, 2, num_inference_steps=2, seed=0)
    assert not [w for w in caught if "independent of each other" in str(w.message)]  # forecasts are what it is for
    assert forecast.samples.shape == (2, 8, 2) and np.isfinite(forecast.samples).all()
    gappy = frame.to_numpy()[:40].copy()
    gappy[5:9, 1] = np.nan
    imputed = pipe.impute(gappy, 2, num_inference_steps=2, seed=0)
    known = ~np.isnan(gappy)
    for sample in imputed.samples:
        np.testing.assert_array_equal(sample[known], gappy[known])  # known values come back unchanged


def test_a_checkpoint_from_before_the_option_resumes_as_joint_and_not_as_independent(tmp_path):
    saved = {name: None for name in RESUME_INVARIANT_OPTIONS if name != "channels"}
    check_resume_compatible(saved, {**saved, "channels": "joint"}, tmp_path)
    with pytest.raises(ValueError, match="channels: 'joint' -> 'independent'"):
        check_resume_compatible(saved, {**saved, "channels": "independent"}, tmp_path)
