"""Labelled models: the UNet reads labels (extra channels for `UNet1DModel`, the class embedding of `UNet2DModel`),
classifier-free guidance, labels through save/load, the Hub and the checks, label dropout and exact resume in
training, and `generate.py --label / --list_labels`."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pytest
import torch
from conftest import HUB_USER, WRITE_TOKEN
from pipeline_fixtures import WINDOW, make_raw_pipeline, make_tiny_transform, tiny_preprocessing, tiny_scheduler
from test_training import assert_same_weights, tiny_config, train_until_crash, weights

from ts_diffusion_wavelet import load_pipeline
from ts_diffusion_wavelet.cli import generate
from ts_diffusion_wavelet.data.labels import WindowLabeler
from ts_diffusion_wavelet.hub.model_card import build_model_card
from ts_diffusion_wavelet.label_guidance import guided_denoise
from ts_diffusion_wavelet.models import padded_length, unet1d_size_multiple
from ts_diffusion_wavelet.pipeline_base import TimeSeriesDiffusionPipeline
from ts_diffusion_wavelet.representations import RawRepresentation, Representation, ScalogramRepresentation
from ts_diffusion_wavelet.training.loop import train

NAMES = ["low", "mid", "high"]
STEPS = 3


def make_labelled_pipeline(kind: str) -> TimeSeriesDiffusionPipeline:
    """A tiny seeded pipeline with 3 labels: `raw`, `scalogram` (1-D UNet) or `scalogram2d` (class embedding)."""
    if kind == "raw":
        representation: Representation = RawRepresentation(
            2, WINDOW, padded_length(WINDOW, unet1d_size_multiple("tiny"))
        )
    else:
        representation = ScalogramRepresentation(
            make_tiny_transform(), "series", "2d" if kind == "scalogram2d" else "1d"
        )
    representation.num_labels = len(NAMES)
    torch.manual_seed(0)
    unet = representation.build_unet("tiny").eval()
    labeler = WindowLabeler("volatility", NAMES, thresholds=[0.8, 1.2], increments=[True, True])
    pipeline = TimeSeriesDiffusionPipeline(
        unet,
        tiny_scheduler(),
        representation=representation.to_dict(),
        preprocessing=tiny_preprocessing(),
        labels=labeler.to_dict(),
    )
    pipeline.set_progress_bar_config(disable=True)
    return pipeline


@pytest.fixture(scope="module", params=["raw", "scalogram", "scalogram2d"])
def labelled(request) -> TimeSeriesDiffusionPipeline:
    return make_labelled_pipeline(request.param)


def _series(pipeline, **kwargs) -> np.ndarray:
    return pipeline(3, num_inference_steps=STEPS, generator=torch.Generator().manual_seed(0), **kwargs).series


def test_the_unet_reads_labels_as_channels_or_class_embeddings(labelled):
    config = labelled.unet.config
    if isinstance(labelled.representation, RawRepresentation) or labelled.representation.unet == "1d":
        assert config.in_channels == config.out_channels + 3 and config.get("num_class_embeds") is None
    else:
        assert config.in_channels == config.out_channels and config.num_class_embeds == 4  # 3 labels + null
    assert labelled.label_names == NAMES
    high, low = _series(labelled, labels="high"), _series(labelled, labels=["low"] * 3)
    assert not np.allclose(high, low)
    # Without labels a labelled model samples unconditionally: the null label, as guidance_scale 0 does.
    np.testing.assert_array_equal(_series(labelled), _series(labelled, labels="high", guidance_scale=0.0))


def test_guidance_is_one_batched_extrapolation_from_the_null_label(labelled):
    representation, unet = labelled.representation, labelled.unet
    x = torch.randn(representation.sample_shape(2), generator=torch.Generator().manual_seed(1))
    t = torch.tensor(7)
    labels = torch.tensor([0, 2])
    with torch.no_grad():
        conditional = representation.denoise(unet, x, t, labels)
        unconditional = representation.denoise(unet, x, t, representation.null_labels(2))
        torch.testing.assert_close(guided_denoise(representation, unet, x, t, labels, 1.0), conditional)
        torch.testing.assert_close(guided_denoise(representation, unet, x, t, labels, 0.0), unconditional)
        guided = guided_denoise(representation, unet, x, t, labels, 2.5)
    torch.testing.assert_close(guided, unconditional + 2.5 * (conditional - unconditional), rtol=1e-4, atol=1e-5)


def test_labels_survive_save_and_load_and_are_checked(tmp_path):
    pipeline = make_labelled_pipeline("raw")
    pipeline.save_pretrained(tmp_path / "saved")
    loaded = load_pipeline(tmp_path / "saved")
    loaded.set_progress_bar_config(disable=True)
    assert loaded.label_names == NAMES and loaded.labeler == pipeline.labeler
    np.testing.assert_allclose(_series(loaded, labels="mid"), _series(pipeline, labels="mid"), rtol=1e-5, atol=1e-6)
    index_path = tmp_path / "saved" / "model_index.json"
    index = json.loads(index_path.read_text())
    index["labels"]["names"]["values"] = ["low", "high"]
    index_path.write_text(json.dumps(index))
    with pytest.raises(
        ValueError, match=r"field 'labels' names 2 labels \['low', 'high'\], but the UNet was built for 3"
    ):
        load_pipeline(tmp_path / "saved")


def test_label_errors_say_what_the_model_knows():
    pipeline = make_labelled_pipeline("raw")
    with pytest.raises(
        ValueError,
        match=(
            r"^Unknown label\(s\) \['calm'\]; this model knows \['low', 'mid', 'high'\] \(or 'by_frequency': "
            r"each window's label drawn at its training frequency\)\.$"
        ),
    ):
        pipeline(2, num_inference_steps=STEPS, labels="calm")
    with pytest.raises(ValueError, match="`guidance_scale` must be a number >= 0"):
        pipeline(2, num_inference_steps=STEPS, labels="low", guidance_scale=-1)
    with pytest.raises(ValueError, match="This model was trained without labels, so it cannot generate 'low'"):
        make_raw_pipeline(tiny_preprocessing())(2, num_inference_steps=STEPS, labels="low")
    with pytest.raises(ValueError, match="this model knows"):
        pipeline.forecast(np.ones((20, 2)), 4, num_samples=2, num_inference_steps=STEPS, label="calm")


def test_labels_drawn_at_their_training_frequencies_are_seeded_per_window():
    pipeline = make_labelled_pipeline("raw")
    pipeline.labeler.frequencies = [0.0, 0.0, 1.0]
    # The draw has its own stream: the noise is the one a named label gets.
    np.testing.assert_array_equal(_series(pipeline, labels="by_frequency"), _series(pipeline, labels="high"))
    pipeline.labeler.frequencies = [0.5, 0.0, 0.5]
    first = pipeline.forecast(
        np.ones((20, 2)), 4, num_samples=3, num_inference_steps=STEPS, seed=2, label="by_frequency"
    )
    again = pipeline.forecast(
        np.ones((20, 2)), 4, num_samples=3, num_inference_steps=STEPS, seed=2, label="by_frequency"
    )
    np.testing.assert_array_equal(first.samples, again.samples)


def test_long_paths_by_frequency_follow_the_label_chain():
    pipeline = make_labelled_pipeline("raw")
    pipeline.labeler.frequencies = [0.0, 0.0, 1.0]
    pipeline.labeler.transitions, pipeline.labeler.transition_step = np.eye(3).tolist(), 8  # "high" stays "high"
    chained = pipeline.generate_long(40, 2, num_inference_steps=STEPS, seed=3, label="by_frequency")
    fixed = pipeline.generate_long(40, 2, num_inference_steps=STEPS, seed=3, label="high")
    np.testing.assert_array_equal(chained, fixed)


def test_forecast_and_long_paths_in_a_regime():
    pipeline = make_labelled_pipeline("raw")
    context = _series(pipeline)[0][:20]
    options = {"num_samples": 2, "num_inference_steps": STEPS, "seed": 0}
    high = pipeline.forecast(context, 6, label="high", guidance_scale=2.0, **options).samples
    low = pipeline.forecast(context, 6, label="low", guidance_scale=2.0, **options).samples
    assert high.shape == (2, 6, 2) and not np.allclose(high, low)
    path = pipeline.generate_long(45, label="high", **options)
    assert path.shape == (2, 45, 2) and np.isfinite(path).all()


def test_labels_round_trip_through_the_hub(hub, tmp_path):
    pipeline = make_labelled_pipeline("scalogram2d")
    pipeline.push_to_hub(f"{HUB_USER}/labelled", token=WRITE_TOKEN, sample_plot=None)
    loaded = TimeSeriesDiffusionPipeline.from_pretrained(f"{HUB_USER}/labelled", cache_dir=tmp_path / "cache")
    loaded.set_progress_bar_config(disable=True)
    assert loaded.label_names == NAMES
    np.testing.assert_allclose(_series(loaded, labels="low"), _series(pipeline, labels="low"), rtol=1e-5, atol=1e-6)
    card = hub.files(f"{HUB_USER}/labelled")["README.md"].decode()
    assert 'ask for a label ("low", "mid", "high")' in card and 'labels="low", guidance_scale=2.0' in card
    assert "realised volatility regimes low, mid, high" in card
    assert "a class embedding of 3 labels plus the null label" in card
    assert "labels" not in build_model_card(make_raw_pipeline(tiny_preprocessing()), "u/r").text.split("## Model")[0]


# ----- training ----------------------------------------------------------------------------------------------
TRAIN = ("--regimes", "volatility:3", "--validation_steps", "0", "--checkpointing_steps", "100")


@pytest.fixture(scope="module")
def trained(tmp_path_factory) -> Path:
    """A tiny raw model trained 4 steps on EUR/USD volatility terciles."""
    output = tmp_path_factory.mktemp("labelled-run")
    return train(tiny_config(output, *TRAIN, "--representation", "raw", "--max_train_steps", "4"))


def _labels_the_unet_sees(monkeypatch, output: Path, dropout: str) -> list[torch.Tensor]:
    """The label indices every training step of a raw model hands the UNet (through the extra channels)."""
    seen: list[torch.Tensor] = []
    original = Representation.labelled_unet_call

    def spy(self, unet, inputs, timesteps, labels):
        if torch.is_grad_enabled():  # training steps, not the export's sampling
            seen.append(labels.clone())
        return original(self, unet, inputs, timesteps, labels)

    monkeypatch.setattr(Representation, "labelled_unet_call", spy)
    train(tiny_config(output, *TRAIN, "--label_dropout", dropout, "--representation", "raw", "--max_train_steps", "3"))
    monkeypatch.setattr(Representation, "labelled_unet_call", original)
    return seen


def test_label_dropout_one_trains_an_unconditional_model(tmp_path, monkeypatch):
    seen = _labels_the_unet_sees(monkeypatch, tmp_path / "all-dropped", "1.0")
    assert len(seen) == 3 and all(bool((labels == 3).all()) for labels in seen)
    kept = _labels_the_unet_sees(monkeypatch, tmp_path / "none-dropped", "0.0")
    assert all(bool((labels < 3).all()) for labels in kept)


def test_scalogram_models_train_with_labels(tmp_path):
    path = train(tiny_config(tmp_path / "s", *TRAIN, "--representation", "scalogram", "--max_train_steps", "2"))
    pipeline = load_pipeline(path)
    assert pipeline.label_names == NAMES and pipeline.unet.config.in_channels == pipeline.unet.config.out_channels + 3
    assert pipeline(1, num_inference_steps=2, labels="high", guidance_scale=2.0).series.shape == (1, 32, 1)


def test_resume_with_labels_continues_exactly(tmp_path, monkeypatch):
    options = (*TRAIN, "--representation", "raw", "--max_train_steps", "4", "--checkpointing_steps", "2")
    train(tiny_config(tmp_path / "straight", *options))
    train_until_crash(monkeypatch, tiny_config(tmp_path / "resumed", *options), crash_at_step=2)
    train(tiny_config(tmp_path / "resumed", *options, "--resume_from_checkpoint", "latest"))
    name = "pipeline/unet/diffusion_pytorch_model.safetensors"
    assert_same_weights(weights(tmp_path / "straight" / name), weights(tmp_path / "resumed" / name))


def test_generate_cli_labels(trained, tmp_path, capsys):
    model = str(trained)
    assert generate.main(["--model", model, "--list_labels"]) == 0
    listed = capsys.readouterr().out.splitlines()
    assert listed[:3] == NAMES
    assert listed[-1].startswith("(by_frequency: each window's label drawn at its share of the training windows")
    out = tmp_path / "samples.npy"
    common = ["--model", model, "--num_samples", "4", "--num_inference_steps", "2", "--output", str(out)]
    assert generate.main([*common, "--label", "low,high", "--guidance_scale", "2"]) == 0
    assert np.load(out).shape == (4, 32, 1)
    assert generate.main([*common, "--label", "calm"]) == 2
    assert (
        "Unknown label(s) ['calm']; this model knows ['low', 'mid', 'high'] (or 'by_frequency'"
        in capsys.readouterr().err
    )
    assert generate.main([*common, "--length", "40", "--label", "low,high"]) == 2
    assert "--forecast and --length take one --label, got 2" in capsys.readouterr().err
    shutil.rmtree(tmp_path)
