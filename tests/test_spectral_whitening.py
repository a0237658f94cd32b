"""`--whitening spectral`: the raw model diffuses windows whose DCT frequencies all have unit variance."""

from __future__ import annotations

import json
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest
import torch
from scipy.fft import dct
from test_training import tiny_config

from ts_diffusion_wavelet import load_pipeline
from ts_diffusion_wavelet.representations import RawRepresentation, representation_from_dict
from ts_diffusion_wavelet.representations.spectral_whitening import SpectralWhitening, dct_matrix
from ts_diffusion_wavelet.training.checkpointing import RESUME_INVARIANT_OPTIONS, check_resume_compatible
from ts_diffusion_wavelet.training.loop import train


def smooth_windows(count: int = 2000, length: int = 24) -> torch.Tensor:
    """Random walks `[count, 2, length]` of two scales: most variance at low frequencies, as in real levels."""
    generator = torch.Generator().manual_seed(0)
    steps = torch.randn(count, 2, length, generator=generator, dtype=torch.float64)
    return steps.cumsum(dim=-1) * torch.tensor([1.0, 30.0], dtype=torch.float64)[:, None] + 5.0


def whitened(num_channels: int = 2, length: int = 24) -> RawRepresentation:
    config = SimpleNamespace(model_preset="tiny", window_size=length, window_scale="none", whitening="spectral")
    return RawRepresentation.from_training_config(config, smooth_windows(500, length)[:, :num_channels].float())


def test_the_dct_matrix_is_scipys_orthonormal_dct():
    basis = dct_matrix(24, torch.float64)
    torch.testing.assert_close(basis @ basis.T, torch.eye(24, dtype=torch.float64))
    series = np.random.default_rng(0).normal(size=(3, 24))
    np.testing.assert_allclose((torch.from_numpy(series) @ basis.T).numpy(), dct(series, norm="ortho"), atol=1e-12)


def test_whitening_standardises_every_frequency_and_inverts_exactly():
    windows = smooth_windows()
    whitening = SpectralWhitening.fit(windows)
    states = whitening.whiten(windows)
    coefficients = states @ dct_matrix(24, torch.float64).T
    torch.testing.assert_close(coefficients.mean(dim=0), torch.zeros(2, 24, dtype=torch.float64))
    torch.testing.assert_close(coefficients.std(dim=0), torch.ones(2, 24, dtype=torch.float64))
    # Before, the highest frequency had a tiny share of the variance; after, each time step has about unit variance.
    raw_share = (windows @ dct_matrix(24, torch.float64).T).std(dim=0)
    assert (raw_share[:, -1] / raw_share[:, 1] < 0.1).all()
    torch.testing.assert_close(states.std(dim=(0, 2)), torch.ones(2, dtype=torch.float64), atol=0.02, rtol=0)
    torch.testing.assert_close(whitening.color(states), windows)
    torch.testing.assert_close(whitening.whiten(whitening.color(states[:5])), states[:5])


def test_a_frequency_the_data_never_uses_stays_finite():
    constant = torch.ones(50, 1, 8) * torch.arange(50.0)[:, None, None]  # only frequency 0 varies
    whitening = SpectralWhitening.fit(constant)
    assert min(whitening.std[0]) > 0
    back = whitening.color(whitening.whiten(constant.double()))
    torch.testing.assert_close(back, constant.double())


def test_the_raw_representation_round_trips_windows_and_its_record():
    representation = whitened()
    windows = smooth_windows(6).float()
    states = representation.clean_sample(windows)
    assert states.shape == (6, 2, representation.padded_length)
    assert states.std() < 3 and windows.std() > 10  # the model sees whitened values, not the levels
    torch.testing.assert_close(representation.to_windows(states), windows, atol=1e-3, rtol=1e-5)
    record = json.loads(json.dumps(representation.to_dict()))
    rebuilt = representation_from_dict(record)
    assert rebuilt.to_dict() == record
    torch.testing.assert_close(rebuilt.clean_sample(windows), states)
    assert "whitening" not in RawRepresentation(2, 24, 24).to_dict()  # plain records stay as they were
    assert "--whitening spectral" in rebuilt.card_text()
    assert ("whitening", "spectral: every DCT frequency standardised") in rebuilt.card_rows()


@pytest.mark.parametrize(
    "change, named",
    [
        ({"std": [[1.0] * 24, [1.0] * 23]}, "'std': \\[2 channels\\]\\[24 frequencies\\] positive numbers"),
        ({"std": [[1.0] * 24, [0.0] * 24]}, "positive numbers"),
        ({"kind": "pca"}, "'kind': 'spectral'"),
        ({"mean": [[float("nan")] * 24] * 2}, "DCT coefficient statistics"),
    ],
)
def test_a_bad_whitening_record_is_named(change, named):
    record = whitened().to_dict()
    with pytest.raises(ValueError, match=f"'whitening' must be .*{named}"):
        representation_from_dict({**record, "whitening": {**record["whitening"], **change}})


def test_known_values_and_window_scaling_are_refused():
    representation = whitened()
    with pytest.raises(ValueError, match="trained with --whitening spectral: .* need a model trained with"):
        representation.known_state(torch.zeros(1, 2, 24), torch.ones(1, 2, 24, dtype=torch.bool))
    scale = {"kind": "std", "mean": [0.0, 0.0], "std": [1.0, 1.0]}
    with pytest.raises(ValueError, match="cannot both whiten and scale windows"):
        RawRepresentation(2, 24, 24, scale, whitening=representation.to_dict()["whitening"])


def test_the_option_is_checked_and_older_checkpoints_resume_without_it(tmp_path):
    for extra in (["--representation", "scalogram"], ["--window_scale", "std"]):
        with pytest.raises(ValueError, match="--whitening spectral needs --representation raw and --window_scale"):
            tiny_config(tmp_path, "--whitening", "spectral", *extra)
    saved = {name: None for name in RESUME_INVARIANT_OPTIONS if name != "whitening"}
    check_resume_compatible(saved, {**saved, "whitening": "none"}, tmp_path)
    with pytest.raises(ValueError, match="whitening: 'none' -> 'spectral'"):
        check_resume_compatible(saved, {**saved, "whitening": "spectral"}, tmp_path)


def test_training_end_to_end_generates_in_data_units_and_refuses_forecasts(tmp_path):
    rng = np.random.default_rng(0)
    steps = np.arange(400)
    level = 100.0 + np.cumsum(rng.normal(0, 1.0, 400))
    frame = pd.DataFrame({"a": np.sin(steps / 5) + rng.normal(0, 0.1, 400), "b": level})
    frame.to_csv(tmp_path / "two.csv", index=False)
    config = tiny_config(
        tmp_path / "run",
        *("--data", str(tmp_path / "two.csv"), "--target_transform", "none", "--whitening", "spectral"),
        *("--num_validation_samples", "2", "--validation_inference_steps", "2", "--validation_steps", "2"),
        *("--lr_warmup_steps", "1", "--max_train_steps", "2"),
    )
    train(config)
    pipe = load_pipeline(tmp_path / "run" / "pipeline")
    assert pipe.representation.whitening is not None
    series = pipe(64, num_inference_steps=2, generator=torch.Generator().manual_seed(0)).series
    assert series.shape == (64, 32, 2) and np.isfinite(series).all()
    # Colouring puts the training windows' mean level back, whatever the untrained model drew.
    assert abs(np.mean(series[..., 1]) - level.mean()) < 4 * level.std()
    with pytest.raises(ValueError, match="trained with --whitening spectral"):
        pipe.forecast(frame.to_numpy()[:40], 8, 2, num_inference_steps=2, seed=0)
