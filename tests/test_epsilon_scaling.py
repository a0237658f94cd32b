"""Epsilon scaling: the noise estimate divided by a factor at every sampling step, in any parametrisation."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from diffusers import DDPMScheduler
from pipeline_fixtures import make_raw_pipeline, tiny_preprocessing

from ts_diffusion_wavelet.batch_sampling import sample_windows
from ts_diffusion_wavelet.clean_estimate import clean_estimate, scale_noise_estimate, signal_and_noise_scales
from ts_diffusion_wavelet.cli.generate import main
from ts_diffusion_wavelet.schedulers import make_scheduler


@pytest.mark.parametrize("kind", ["epsilon", "v_prediction", "sample"])
def test_the_noise_estimate_is_divided_and_the_clean_estimate_stays_consistent(kind):
    scheduler = DDPMScheduler(num_train_timesteps=50, prediction_type=kind, clip_sample=False)
    generator = torch.Generator().manual_seed(0)
    noisy, prediction = torch.randn(3, 2, 8, generator=generator), torch.randn(3, 2, 8, generator=generator)
    t = torch.tensor([3, 20, 45])
    signal, sigma = signal_and_noise_scales(scheduler, t, noisy)

    def noise_of(output: torch.Tensor) -> torch.Tensor:
        return (noisy - signal * clean_estimate(scheduler, noisy, output, t)) / sigma

    scaled = scale_noise_estimate(scheduler, noisy, prediction, t, 1.25)
    torch.testing.assert_close(noise_of(scaled), noise_of(prediction) / 1.25)
    assert scale_noise_estimate(scheduler, noisy, prediction, t, 1.0) is prediction
    # A fractional timestep (Euler samplers) reads the nearest integer step.
    torch.testing.assert_close(
        scale_noise_estimate(scheduler, noisy[1:2], prediction[1:2], torch.tensor(19.6), 1.25), scaled[1:2]
    )


def test_every_sampling_step_uses_the_scaled_estimate():
    pipe = make_raw_pipeline(tiny_preprocessing())
    pipe.scheduler = make_scheduler("ddim", pipe.scheduler.config)  # deterministic: one noise draw, at x_T
    shape = pipe.representation.sample_shape(4)
    with torch.no_grad():
        scaled = pipe.denoise(shape, 10, torch.Generator().manual_seed(0), epsilon_scaling=1.1)
        plain = pipe.denoise(shape, 10, torch.Generator().manual_seed(0))
        # The same loop by hand: the denoiser's output, scaled, then the scheduler's step.
        state = torch.randn(shape, generator=torch.Generator().manual_seed(0))
        for t in pipe.scheduler.timesteps:
            output = pipe.representation.denoise(pipe.unet, state, t)
            output = scale_noise_estimate(pipe.scheduler, state, output, t, 1.1)
            state = pipe.scheduler.step(output, t, state).prev_sample
    torch.testing.assert_close(scaled, state)
    assert not torch.allclose(scaled, plain)
    first, _ = sample_windows(pipe, 4, 5, seed=3, epsilon_scaling=1.0)
    again, _ = sample_windows(pipe, 4, 5, seed=3)
    assert (first == again).all()


@pytest.mark.parametrize("bad", [0.0, 3.0, float("nan"), True, "1.1"])
def test_a_bad_factor_is_refused_before_sampling(bad):
    pipe = make_raw_pipeline(tiny_preprocessing())
    with pytest.raises(ValueError, match="`epsilon_scaling` must be a number from 0.5 to 2"):
        pipe(1, num_inference_steps=2, epsilon_scaling=bad)


def test_the_command_line_scales_free_windows_and_refuses_known_value_jobs(tmp_path, capsys):
    model = tmp_path / "raw"
    make_raw_pipeline(tiny_preprocessing()).save_pretrained(model)
    common = ["--model", str(model), "--num_inference_steps", "3", "--num_samples", "4"]
    assert main([*common, "--output", str(tmp_path / "plain.npy")]) == 0
    assert main([*common, "--output", str(tmp_path / "scaled.npy"), "--epsilon_scaling", "1.1"]) == 0
    plain, scaled = (np.load(tmp_path / f"{name}.npy") for name in ("plain", "scaled"))
    assert plain.shape == scaled.shape and not np.array_equal(plain, scaled)
    assert main([*common, "--output", str(tmp_path / "x.npy"), "--epsilon_scaling", "5"]) == 2
    assert "--epsilon_scaling must be a number from 0.5 to 2" in capsys.readouterr().err
    argv = [*common, "--output", str(tmp_path / "y.csv"), "--epsilon_scaling", "1.1", "--length", "64"]
    assert main(argv) == 2
    assert "--epsilon_scaling 1.1 applies to freely sampled windows" in capsys.readouterr().err
    assert not (tmp_path / "x.npy").exists() and not (tmp_path / "y.csv").exists()
