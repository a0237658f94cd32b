"""Conditional training (`--condition_on_known`): random masks, the known-value channels, and the jobs reading them."""

from __future__ import annotations

import json

import numpy as np
import pytest
import torch
from pipeline_fixtures import WINDOW, make_known_reading_pipeline, make_raw_pipeline, tiny_preprocessing

from ts_diffusion_wavelet import load_pipeline
from ts_diffusion_wavelet.conditional import denoise_with_known
from ts_diffusion_wavelet.training import parse_config
from ts_diffusion_wavelet.training.known_masks import draw_known_masks
from ts_diffusion_wavelet.training.loop import train


def masks(batch: int = 600, dropout: float = 0.2, seed: int = 0) -> torch.Tensor:
    return draw_known_masks((batch, 3, 40), 30, dropout, torch.Generator().manual_seed(seed))


def test_masks_cover_the_three_jobs_and_never_the_padding():
    drawn = masks()
    assert drawn.shape == (600, 3, 40) and drawn.dtype == torch.bool
    assert not drawn[..., 30:].any()  # padding is never known
    inside = drawn[..., :30]
    nothing = ~inside.flatten(1).any(dim=1)
    # A known leading stretch: the same prefix in every channel, then nothing.
    first_unknown = (~inside).float().argmax(dim=-1)
    prefix = torch.arange(30) < first_unknown[..., None]
    leading = (inside == prefix).flatten(1).all(dim=1) & (first_unknown == first_unknown[:, :1]).all(dim=1)
    leading &= ~nothing
    # One missing run per channel: exactly one False-run, where not every channel starts the same way.
    changes = (inside[..., 1:] != inside[..., :-1]).sum(dim=-1)
    runs = ((changes <= 2) & (~inside).any(dim=-1)).all(dim=1) & ~leading & ~nothing
    points = ~(nothing | leading | runs)
    # dropout 0.2 plus the odd "points" mask with nothing drawn; each kind about a third of the rest.
    assert 0.15 < float(nothing.float().mean()) < 0.27
    for kind in (leading, runs, points):
        assert 0.2 < float(kind.float().mean()) < 0.34
    assert torch.equal(masks(), drawn) and not torch.equal(masks(seed=1), drawn)


def test_dropout_one_shows_nothing_and_a_bad_window_is_refused():
    assert not masks(dropout=1.0).any()
    with pytest.raises(ValueError, match=r"`window_size` must be in \[2, 40\].*got 41"):
        draw_known_masks((2, 1, 40), 41, 0.0, torch.Generator())


def recording_unet(pipe) -> list[torch.Tensor]:
    seen: list[torch.Tensor] = []
    forward = pipe.unet.forward

    def record(sample, timestep, *args, **kwargs):
        seen.append(sample.detach().clone())
        return forward(sample, timestep, *args, **kwargs)

    pipe.unet.forward = record
    return seen


def test_the_unet_reads_the_known_values_and_mask_at_every_step():
    pipe = make_known_reading_pipeline(tiny_preprocessing())
    assert pipe.unet.config.in_channels == 6
    seen = recording_unet(pipe)
    length = pipe.representation.padded_length
    known = torch.randn(2, 2, length, generator=torch.Generator().manual_seed(1))
    mask = torch.zeros(2, 2, length, dtype=torch.bool)
    mask[:, :, :12] = True
    states = denoise_with_known(pipe, known, mask, 3, torch.Generator().manual_seed(0))
    assert len(seen) == 3
    for inputs in seen:
        torch.testing.assert_close(inputs[:, 2:4], known * mask, rtol=0, atol=0)
        torch.testing.assert_close(inputs[:, 4:6], mask.float(), rtol=0, atol=0)
    torch.testing.assert_close(states[mask], known[mask], rtol=0, atol=0)
    # Plain sampling shows it nothing: the channels the dropped-out training windows had.
    seen.clear()
    pipe(2, num_inference_steps=2)
    assert len(seen) == 2 and all(not inputs[:, 2:].any() for inputs in seen)


def test_forecasts_of_a_known_reading_model_keep_the_context_and_differ_from_ignoring_it():
    pipe = make_known_reading_pipeline(tiny_preprocessing("none"))
    context = np.random.default_rng(0).normal(1.0, 0.01, size=(20, 2))
    out = pipe.forecast(context, 10, num_samples=2, num_inference_steps=2, seed=0, observation_guidance=0.0)
    assert out.samples.shape == (2, 10, 2) and np.isfinite(out.samples).all()
    state = torch.zeros(pipe.representation.sample_shape(1))
    blind = pipe.representation.denoise(pipe.unet, state, torch.tensor([10]))
    shown = pipe.representation.denoise(
        pipe.unet, state, torch.tensor([10]), known=(torch.ones_like(state), torch.ones_like(state))
    )
    assert not torch.allclose(blind, shown)


def test_a_model_trained_without_it_refuses_known_values():
    pipe = make_raw_pipeline(tiny_preprocessing())
    state = torch.zeros(pipe.representation.sample_shape(1))
    with pytest.raises(ValueError, match="trained without --condition_on_known"):
        pipe.representation.denoise(pipe.unet, state, torch.tensor([1]), known=(state, torch.ones_like(state)))


def test_the_flag_survives_saving_and_shows_on_the_model_card(tmp_path):
    from ts_diffusion_wavelet.hub.model_card import build_model_card

    pipe = make_known_reading_pipeline(tiny_preprocessing())
    pipe.save_pretrained(tmp_path)
    record = json.loads((tmp_path / "model_index.json").read_text())["representation"]
    assert record["reads_known"] is True
    loaded = load_pipeline(tmp_path)
    assert loaded.representation.reads_known and loaded.representation.known_channels == 4
    assert "known values" in build_model_card(loaded, "u/r").text
    assert "known values" not in build_model_card(make_raw_pipeline(tiny_preprocessing()), "u/r").text
    record["reads_known"] = "yes"
    index = json.loads((tmp_path / "model_index.json").read_text())
    index["representation"] = record
    (tmp_path / "model_index.json").write_text(json.dumps(index))
    with pytest.raises(ValueError, match="'reads_known' must be true or false.*'yes'"):
        load_pipeline(tmp_path)


def test_training_with_known_values_end_to_end(tmp_path):
    config = parse_config(
        [
            "--window_size",
            str(WINDOW),
            "--model_preset",
            "tiny",
            "--train_batch_size",
            "8",
            "--logger",
            "none",
            "--num_validation_samples",
            "0",
            "--validation_steps",
            "2",
            "--lr_warmup_steps",
            "1",
            "--max_train_steps",
            "3",
            "--condition_on_known",
            "--output_dir",
            str(tmp_path),
        ]
    )
    train(config)
    pipe = load_pipeline(tmp_path / "pipeline")
    assert pipe.representation.reads_known and pipe.unet.config.in_channels == 3  # EUR/USD: 1 + value + mask
    context = 1.1 * np.exp(np.cumsum(np.random.default_rng(0).normal(0, 0.005, size=(20, 1)), axis=0))
    out = pipe.forecast(context, 5, num_samples=2, num_inference_steps=2, seed=0)
    assert out.samples.shape == (2, 5, 1) and np.isfinite(out.samples).all()
