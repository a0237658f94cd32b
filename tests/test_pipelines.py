"""The pipeline contract, for both representations: tiny seeded UNets, 2 steps, CPU."""

import json

import numpy as np
import pandas as pd
import pytest
import torch
from pipeline_fixtures import (
    CHANNELS,
    WINDOW,
    make_raw_pipeline,
    make_scalogram_pipeline,
    make_tiny_transform,
    tiny_preprocessing,
    tiny_scheduler,
)

from ts_diffusion_wavelet import (
    RawDiffusionPipeline,
    ScalogramDiffusionPipeline,
    TimeSeriesDiffusionPipeline,
    TimeSeriesPipelineOutput,
    load_pipeline,
)
from ts_diffusion_wavelet.data import SeriesPreprocessor
from ts_diffusion_wavelet.models import build_unet1d
from ts_diffusion_wavelet.representations import RawRepresentation, ScalogramRepresentation
from ts_diffusion_wavelet.schedulers import SCHEDULER_NAMES, make_scheduler

STEPS = 2


def run(pipe, batch_size=2, seeds=None, **kwargs):
    seeds = range(batch_size) if seeds is None else seeds
    generator = [torch.Generator().manual_seed(s) for s in seeds]
    return pipe(batch_size, num_inference_steps=STEPS, generator=generator, **kwargs)


def test_output_shape_and_type(any_pipe):
    output = run(any_pipe, batch_size=3)
    assert isinstance(output, TimeSeriesPipelineOutput)
    window = WINDOW if any_pipe.representation.name == "raw" else 32
    assert output.series.shape == (3, window, 2)
    assert output.series.dtype == np.float64 and np.isfinite(output.series).all()


def test_log_returns_come_back_as_positive_prices_from_the_start_level(any_pipe):
    start = np.array([1.5, 80.0])
    series = run(any_pipe, start_values=start).series
    assert (series > 0).all()
    # One step of a standardised log-return moves a price by a few percent at most.
    assert np.all(np.abs(series[:, 0] / start - 1) < 0.2)


def test_units_are_restored_by_the_saved_scaling(any_pipe):
    """Same noise, with and without the preprocessing record: the output differs exactly by the scaling."""
    levels = np.random.default_rng(1).normal([100.0, -3.0], [5.0, 0.5], size=(500, 2))
    record = SeriesPreprocessor(target_transform="none").fit(levels, channel_names=CHANNELS).to_dict()
    factory = make_raw_pipeline if any_pipe.representation.name == "raw" else make_scalogram_pipeline
    in_units = run(factory(record)).series
    model_space = run(factory(None)).series
    channels = record["channels"]
    loc = np.array([c["loc"] for c in channels])
    scale = np.array([c["scale"] for c in channels])
    np.testing.assert_allclose(in_units, model_space * scale + loc, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(loc, levels.mean(axis=0), rtol=1e-9)


def test_output_types_agree(any_pipe):
    as_np = run(any_pipe, output_type="np").series
    as_pt = run(any_pipe, output_type="pt").series
    frames = run(any_pipe, output_type="pd").series
    assert isinstance(as_pt, torch.Tensor)
    np.testing.assert_array_equal(as_pt.numpy(), as_np)
    assert len(frames) == 2 and list(frames[0].columns) == CHANNELS and frames[0].index.name == "step"
    np.testing.assert_array_equal(np.stack([f.to_numpy() for f in frames]), as_np)


def test_dict_and_tuple_outputs_match(any_pipe):
    as_dict = run(any_pipe).series
    (as_tuple,) = run(any_pipe, return_dict=False)
    np.testing.assert_array_equal(as_dict, as_tuple)


def test_batch_equals_single_runs_with_a_generator_list(any_pipe):
    batch = run(any_pipe, batch_size=3, seeds=[4, 5, 6]).series
    singles = np.concatenate([run(any_pipe, batch_size=1, seeds=[s]).series for s in (4, 5, 6)])
    np.testing.assert_allclose(batch, singles, rtol=1e-5, atol=1e-6)


def test_same_generator_same_output_different_seed_different_output(any_pipe):
    first, again, other = run(any_pipe).series, run(any_pipe).series, run(any_pipe, seeds=[7, 8]).series
    np.testing.assert_array_equal(first, again)
    assert not np.allclose(first, other)


def test_save_then_load_gives_identical_output(any_pipe, tmp_path):
    any_pipe.save_pretrained(tmp_path)
    loaded = type(any_pipe).from_pretrained(tmp_path)
    loaded.set_progress_bar_config(disable=True)
    np.testing.assert_array_equal(run(loaded).series, run(type(any_pipe).from_pretrained(tmp_path)).series)
    np.testing.assert_allclose(run(loaded).series, run(any_pipe).series, rtol=1e-5, atol=1e-6)
    assert loaded.config.preprocessing == any_pipe.config.preprocessing


def test_model_index_holds_only_diffusers_components(any_pipe, tmp_path):
    any_pipe.save_pretrained(tmp_path)
    index = json.loads((tmp_path / "model_index.json").read_text())
    components = {k: v for k, v in index.items() if isinstance(v, list) and len(v) == 2 and isinstance(v[0], str)}
    assert components == {
        "unet": ["diffusers", type(any_pipe.unet).__name__],
        "scheduler": ["diffusers", "DDPMScheduler"],
    }
    assert index["_class_name"] == type(any_pipe).__name__
    assert index["preprocessing"]["channels"][0]["name"] == "EURUSD"


@pytest.mark.parametrize("name", SCHEDULER_NAMES)
def test_every_sampler_runs_and_is_saved(any_pipe, name, tmp_path):
    any_pipe.scheduler = make_scheduler(name, any_pipe.scheduler.config)
    series = run(any_pipe).series
    assert np.isfinite(series).all()
    any_pipe.save_pretrained(tmp_path)
    loaded = type(any_pipe).from_pretrained(tmp_path)
    assert type(loaded.scheduler) is type(any_pipe.scheduler)
    assert loaded.scheduler.config.prediction_type == any_pipe.scheduler.config.prediction_type


def test_dpmsolver_is_the_plus_plus_variant(any_pipe):
    assert make_scheduler("dpmsolver", any_pipe.scheduler.config).config.algorithm_type == "dpmsolver++"


def test_scalograms_on_request(scalogram_pipe):
    output = run(scalogram_pipe, return_scalograms=True)
    assert output.scalograms.shape == (2, 6, 16, 16)
    series, images = run(scalogram_pipe, return_scalograms=True, return_dict=False)
    np.testing.assert_array_equal(images, output.scalograms)
    assert run(scalogram_pipe).scalograms is None


def test_returned_scalograms_are_the_images_of_the_generated_series(scalogram_pipe):
    output = run(scalogram_pipe, return_scalograms=True)
    windows = scalogram_pipe.representation.transform.from_image(torch.from_numpy(output.scalograms))
    preprocessor = SeriesPreprocessor.from_dict(scalogram_pipe.config.preprocessing)
    np.testing.assert_allclose(preprocessor.inverse_transform(windows), output.series, rtol=1e-4)


@pytest.mark.parametrize(("unet", "unet_input"), [("1d", (3, 96, 16)), ("2d", (3, 6, 16, 16))])
def test_series_space_scalograms_diffuse_the_windows_through_their_images(unet, unet_input):
    representation = make_scalogram_pipeline(unet=unet).representation
    assert representation.diffusion_space == "series" and representation.sample_shape(3) == (3, 2, 32)
    windows = torch.randn(3, 2, 32)
    # The UNet sees the image of the noisy window (its rows as channels for a 1-D UNet); its output image is mapped
    # back to a window.
    assert representation.model_input(windows).shape == unet_input
    np.testing.assert_allclose(representation.model_output(representation.model_input(windows)), windows, atol=1e-4)
    # States are series, so the generated images are their scalograms: the transform's round trip, not 3 dB.
    assert representation.consistency_db(representation.generated_images(windows)) > 60


def _as_version_0_1(folder, class_name: str) -> None:
    """Rewrite a saved pipeline's model_index.json the way version 0.1 wrote it."""
    index = json.loads((folder / "model_index.json").read_text())
    record = index.pop("representation")
    index["_class_name"] = class_name
    if record["name"] == "scalogram":
        index["transform_config"] = record["transform_config"]
    else:
        index["window_size"] = record["window_size"]
    (folder / "model_index.json").write_text(json.dumps(index))


def test_pipelines_saved_by_version_0_1_load_and_sample_as_before(tmp_path):
    make_scalogram_pipeline(tiny_preprocessing(), diffusion_space="image", unet="2d").save_pretrained(
        tmp_path / "scalogram"
    )
    make_raw_pipeline(tiny_preprocessing()).save_pretrained(tmp_path / "raw")
    _as_version_0_1(tmp_path / "scalogram", "ScalogramDiffusionPipeline")
    _as_version_0_1(tmp_path / "raw", "RawDiffusionPipeline")
    scalogram, raw = load_pipeline(tmp_path / "scalogram"), load_pipeline(tmp_path / "raw")
    assert isinstance(scalogram, ScalogramDiffusionPipeline) and isinstance(raw, RawDiffusionPipeline)
    # 0.1 scalogram pipelines diffused images; the same noise gives the same windows as a pipeline built so.
    assert scalogram.representation.diffusion_space == "image"
    assert scalogram.representation.sample_shape(2) == (2, 6, 16, 16)
    scalogram.set_progress_bar_config(disable=True)
    expected = make_scalogram_pipeline(tiny_preprocessing(), diffusion_space="image", unet="2d")
    np.testing.assert_allclose(run(scalogram).series, run(expected).series, rtol=1e-5, atol=1e-6)
    raw.set_progress_bar_config(disable=True)
    np.testing.assert_allclose(run(raw).series, run(make_raw_pipeline(tiny_preprocessing())).series, rtol=1e-6)
    # Saved again, they are written in the current format.
    scalogram.save_pretrained(tmp_path / "again")
    index = json.loads((tmp_path / "again" / "model_index.json").read_text())
    assert index["representation"]["diffusion_space"] == "image" and "transform_config" not in index


def test_image_space_consistency_is_measured():
    pipe = make_scalogram_pipeline(diffusion_space="image", unet="2d")
    images = pipe.representation.clean_sample(torch.randn(4, 2, 32))
    assert pipe.representation.consistency_db(images) > 80  # images of series: at the round trip's precision
    assert pipe.representation.consistency_db(torch.randn_like(images)) < 10  # noise is mostly not a scalogram


def test_categorical_channels_are_decoded_to_labels(tmp_path):
    frame = pd.DataFrame({"x": np.linspace(1, 2, 60), "wind=N": [1.0, 0.0] * 30, "wind=S": [0.0, 1.0] * 30})
    record = SeriesPreprocessor(categories={"wind": ["N", "S"]}).fit(frame).to_dict()
    unet = build_unet1d("tiny", 3, WINDOW)
    representation = RawRepresentation(3, WINDOW, unet.config.sample_size).to_dict()
    pipe = TimeSeriesDiffusionPipeline(unet, tiny_scheduler(), representation=representation, preprocessing=record)
    pipe.set_progress_bar_config(disable=True)
    frames = run(pipe, output_type="pd").series
    assert list(frames[0].columns) == ["x", "wind"]
    assert set(frames[0]["wind"]) <= {"N", "S"}


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"batch_size": 0}, "`batch_size` must be a positive integer, got 0."),
        ({"num_inference_steps": 0}, "`num_inference_steps` must be an integer from 1 to the 50 steps"),
        ({"num_inference_steps": 51}, "got 51. DDIM or DPM-Solver need 20-50"),
        ({"batch_size": 3, "generator": [torch.Generator()] * 2}, "a list of 2 generators for a batch of 3"),
        ({"output_type": "latent"}, "Unknown `output_type` 'latent'; choose one of np, pt, pd."),
        ({"start_values": np.ones(3)}, r"`start_values` must have shape \[2\] or \[1, 2\]"),
    ],
)
def test_bad_call_arguments(any_pipe, kwargs, message):
    arguments = {"batch_size": 1, "num_inference_steps": STEPS, **kwargs}
    with pytest.raises(ValueError, match=message):
        any_pipe(**arguments)


def test_a_preprocessing_record_for_other_channels_is_refused():
    record = SeriesPreprocessor().fit(np.random.default_rng(0).normal(size=(50, 3))).to_dict()
    with pytest.raises(
        ValueError, match=r"describes 3 channels \['channel_0', 'channel_1', 'channel_2'\], but the model generates 2"
    ):
        make_raw_pipeline(record)


def test_start_values_without_a_preprocessing_record_are_refused():
    with pytest.raises(ValueError, match="`start_values` needs a pipeline saved with its preprocessing record"):
        make_raw_pipeline(None)(1, num_inference_steps=STEPS, start_values=1.0)


@pytest.mark.parametrize(
    ("unet", "message"), [("2d", "takes 6 channels .* in 3"), ("1d", "takes 96 channels .* in 48")]
)
def test_unet_and_transform_must_agree_on_channels(unet, message):
    pipe = make_scalogram_pipeline(unet=unet)
    record = dict(pipe.config.representation)
    record["transform_config"] = dict(record["transform_config"], num_channels=1, statistics=None)
    with pytest.raises(ValueError, match=f"The UNet {message}"):
        TimeSeriesDiffusionPipeline(pipe.unet, pipe.scheduler, representation=record)


def test_a_1d_scalogram_unet_reads_series_space_states_only():
    with pytest.raises(ValueError, match="unet='1d' reads images of series-space states"):
        ScalogramRepresentation(make_tiny_transform(), "image", "1d")


def test_the_pipeline_needs_its_representation():
    pipe = make_scalogram_pipeline(unet="2d")
    with pytest.raises(ValueError, match="needs `representation`"):
        TimeSeriesDiffusionPipeline(pipe.unet, pipe.scheduler)
    with pytest.raises(ValueError, match="Unknown representation 'wavelet'; choose one of raw, scalogram"):
        TimeSeriesDiffusionPipeline(pipe.unet, pipe.scheduler, representation={"name": "wavelet"})


def test_a_unet_of_the_other_kind_is_refused():
    with pytest.raises(ValueError, match="learned by a UNet1DModel, got a UNet2DModel"):
        TimeSeriesDiffusionPipeline(
            make_scalogram_pipeline(unet="2d").unet,
            tiny_scheduler(),
            representation=make_raw_pipeline().config.representation,
        )


def test_raw_window_longer_than_the_unet_is_refused():
    pipe = make_raw_pipeline()
    with pytest.raises(ValueError, match="`window_size` must be between 1 and the UNet's sample_size 30, got 40"):
        TimeSeriesDiffusionPipeline(pipe.unet, pipe.scheduler, representation=RawRepresentation(2, 40, 30).to_dict())


def test_scalograms_of_a_raw_pipeline_are_refused(raw_pipe):
    with pytest.raises(ValueError, match="`return_scalograms=True` needs a scalogram representation"):
        run(raw_pipe, return_scalograms=True)


def test_preprocessing_helper_gives_a_fitted_record():
    assert SeriesPreprocessor.from_dict(tiny_preprocessing()).channel_names == CHANNELS
