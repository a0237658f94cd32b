"""`--window_scale std|local`: raw windows as a unit-std shape and a generated log volatility per channel."""

from __future__ import annotations

import json
from types import SimpleNamespace

import numpy as np
import pytest
import torch
from test_training import tiny_config

from ts_diffusion_wavelet import load_pipeline
from ts_diffusion_wavelet.representations import RawRepresentation, representation_from_dict
from ts_diffusion_wavelet.training.loop import train


def scaled(num_channels: int = 2, kind: str = "std") -> tuple[RawRepresentation, torch.Tensor]:
    generator = torch.Generator().manual_seed(0)
    # Windows whose volatility differs tenfold from one to the next, as calm and turbulent years do.
    volatility = torch.exp(torch.randn(64, num_channels, 1, generator=generator))
    windows = torch.randn(64, num_channels, 30, generator=generator, dtype=torch.float64) * volatility
    config = SimpleNamespace(model_preset="tiny", window_size=30, window_scale=kind, scale_width=8)
    return RawRepresentation.from_training_config(config, windows), windows


def test_the_states_are_unit_shapes_and_standardised_log_scales_and_decode_exactly():
    representation, windows = scaled()
    states = representation.clean_sample(windows)
    assert states.shape == representation.sample_shape(64) == (64, 4, representation.padded_length)
    shapes, planes = states[:, :2, :30], states[:, 2:, :30]
    torch.testing.assert_close(shapes.std(dim=-1), torch.ones(64, 2, dtype=torch.float64))
    assert torch.equal(planes, planes[..., :1].expand_as(planes))  # one number per window and channel
    torch.testing.assert_close(planes[..., 0].mean(dim=0), torch.zeros(2, dtype=torch.float64), atol=1e-9, rtol=0)
    torch.testing.assert_close(planes[..., 0].std(dim=0), torch.ones(2, dtype=torch.float64))
    torch.testing.assert_close(representation.to_windows(states), windows)


def test_decoding_gives_each_window_the_generated_scale_whatever_the_shape_amplitude():
    representation, _ = scaled(1)
    state = torch.randn(3, 2, representation.padded_length, dtype=torch.float64) * 0.7  # a too-small shape
    state[:, 1] = torch.tensor([-1.0, 0.0, 2.0], dtype=torch.float64)[:, None]
    mean, std = representation.window_scale.mean[0], representation.window_scale.std[0]
    expected = torch.exp(torch.tensor([-1.0, 0.0, 2.0], dtype=torch.float64) * std + mean)
    torch.testing.assert_close(representation.to_windows(state).std(dim=-1)[:, 0], expected)


def test_the_record_round_trips_and_a_bad_one_is_named():
    representation, _ = scaled()
    record = representation.to_dict()
    assert representation_from_dict(json.loads(json.dumps(record))).to_dict() == record
    with pytest.raises(ValueError, match=r"'window_scale' must be .*2 positive numbers.*got \{'mean': \[0.0\]"):
        representation_from_dict({**record, "window_scale": {"mean": [0.0], "std": [1.0]}})
    for bad in ({"std": [1.0, -1.0]}, {"kind": "garch"}, {"width": 1}):
        with pytest.raises(ValueError, match="'window_scale' must be"):
            representation_from_dict({**record, "window_scale": {**record["window_scale"], **bad}})


def test_a_local_path_follows_volatility_inside_the_window_and_decodes_exactly():
    generator = torch.Generator().manual_seed(1)
    # Calm first half, turbulent second half: the path must rise where the window turns turbulent.
    windows = torch.randn(64, 1, 30, generator=generator, dtype=torch.float64)
    windows[..., 15:] *= 4.0
    config = SimpleNamespace(model_preset="tiny", window_size=30, window_scale="local", scale_width=6)
    representation = RawRepresentation.from_training_config(config, windows)
    states = representation.clean_sample(windows)
    path = states[:, 1, :30]
    assert float(path[:, 20:].mean() - path[:, :10].mean()) > 1.0
    torch.testing.assert_close(states[:, 0, :30].std(dim=-1), torch.ones(64, dtype=torch.float64))
    torch.testing.assert_close(representation.to_windows(states), windows)
    assert "6-step moving volatility" in representation.card_text()


def test_known_values_are_refused_with_the_reason():
    representation, windows = scaled()
    with pytest.raises(ValueError, match="cannot hold known values"):
        representation.known_state(windows, torch.ones_like(windows, dtype=torch.bool))


def test_training_with_window_scale_end_to_end(tmp_path):
    config = tiny_config(
        tmp_path,
        *("--num_validation_samples", "2", "--validation_inference_steps", "2", "--validation_steps", "2"),
        *("--lr_warmup_steps", "1", "--max_train_steps", "2", "--window_scale", "local", "--scale_width", "8"),
    )
    train(config)
    pipe = load_pipeline(tmp_path / "pipeline")
    assert pipe.representation.window_scale.kind == "local" and pipe.unet.config.in_channels == 2
    series = pipe(3, num_inference_steps=2, generator=torch.Generator().manual_seed(0)).series
    assert series.shape == (3, 32, 1) and np.isfinite(series).all()
    with pytest.raises(ValueError, match="cannot hold known values"):
        pipe.impute(np.where(np.arange(40)[:, None] % 3, 1.1, np.nan), 1, num_inference_steps=2)
