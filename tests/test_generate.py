"""Loading saved pipelines (with errors that name the broken file) and the generate.py command line."""

import json
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import torch
from diffusers import DDPMPipeline, DDPMScheduler, UNet2DModel
from pipeline_fixtures import CHANNELS, make_raw_pipeline, make_scalogram_pipeline, tiny_preprocessing

from ts_diffusion_wavelet import load_generated, load_pipeline
from ts_diffusion_wavelet.batch_sampling import sample_windows
from ts_diffusion_wavelet.cli.generate import choose_device_and_dtype, main

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def saved(tmp_path_factory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("pipelines")
    paths = {"raw": folder / "raw", "scalogram": folder / "scalogram"}
    make_raw_pipeline(tiny_preprocessing()).save_pretrained(paths["raw"])
    make_scalogram_pipeline(tiny_preprocessing()).save_pretrained(paths["scalogram"])
    return paths


def broken_copy(saved: Path, tmp_path: Path) -> Path:
    copy = tmp_path / "broken"
    shutil.copytree(saved, copy)
    return copy


@pytest.mark.parametrize("kind", ["raw", "scalogram"])
def test_load_pipeline_rebuilds_the_representation(saved, kind):
    pipe = load_pipeline(saved[kind])
    assert type(pipe).__name__ == "TimeSeriesDiffusionPipeline" and pipe.representation.name == kind
    assert pipe.channel_names == CHANNELS


def test_missing_directory(tmp_path):
    with pytest.raises(FileNotFoundError, match="No model directory at .*nowhere"):
        load_pipeline(tmp_path / "nowhere" / "model")


def test_a_run_folder_points_to_its_pipeline_subfolder(saved, tmp_path):
    shutil.copytree(saved["raw"], tmp_path / "pipeline")
    with pytest.raises(FileNotFoundError, match=r"model_index.json is missing; did you mean .*pipeline"):
        load_pipeline(tmp_path)


@pytest.mark.parametrize(
    ("damage", "error", "message"),
    [
        (lambda p: (p / "model_index.json").unlink(), FileNotFoundError, "model_index.json is missing"),
        (lambda p: (p / "model_index.json").write_text("{not json"), ValueError, r"model_index.json is corrupt"),
        (lambda p: (p / "unet" / "config.json").unlink(), FileNotFoundError, r"unet/config.json is missing"),
        (
            lambda p: (p / "scheduler" / "scheduler_config.json").unlink(),
            FileNotFoundError,
            r"scheduler/scheduler_config.json is missing",
        ),
        (
            lambda p: (p / "unet" / "diffusion_pytorch_model.safetensors").unlink(),
            FileNotFoundError,
            r"unet holds no weights",
        ),
        (
            lambda p: (p / "unet" / "diffusion_pytorch_model.safetensors").write_bytes(
                (p / "unet" / "diffusion_pytorch_model.safetensors").read_bytes()[:5000]
            ),
            ValueError,
            r"diffusion_pytorch_model.safetensors is corrupt or truncated",
        ),
    ],
)
def test_incomplete_or_corrupt_pipelines_name_the_file(saved, tmp_path, damage, error, message):
    folder = broken_copy(saved["raw"], tmp_path)
    damage(folder)
    with pytest.raises(error, match=message):
        load_pipeline(folder)


def test_another_kind_of_pipeline_is_refused(tmp_path):
    unet = UNet2DModel(
        sample_size=8,
        block_out_channels=(4, 8),
        norm_num_groups=4,
        layers_per_block=1,
        down_block_types=("DownBlock2D", "DownBlock2D"),
        up_block_types=("UpBlock2D", "UpBlock2D"),
    )
    DDPMPipeline(unet, DDPMScheduler()).save_pretrained(tmp_path)
    with pytest.raises(ValueError, match=r"describes a 'DDPMPipeline' pipeline, not one of ts_diffusion_wavelet's"):
        load_pipeline(tmp_path)


@pytest.mark.parametrize("suffix", [".csv", ".parquet", ".npy"])
def test_generate_writes_each_format(saved, tmp_path, suffix):
    output = tmp_path / f"samples{suffix}"
    code = main(
        [
            "--model",
            str(saved["raw"]),
            "--num_samples",
            "5",
            "--num_inference_steps",
            "2",
            "--batch_size",
            "2",
            "--output",
            str(output),
        ]
    )
    assert code == 0
    series, names = load_generated(output)
    assert series.shape == (5, 30, 2)
    if suffix != ".npy":
        assert names == CHANNELS


@pytest.mark.parametrize("kind", ["raw", "scalogram"])
def test_windows_do_not_depend_on_the_batch_size(saved, kind):
    """
    Window i starts from noise seeded by (seed, i): batches of 3 and of 7 give the same windows, to the float rounding
    of the UNet's kernels, which differs by batch size (1e-8 relative here); a different draw would differ by O(1).
    """
    pipe = load_pipeline(saved[kind])  # DDPM: the sampler draws fresh noise at every step too
    in_threes, _ = sample_windows(pipe, 7, 3, seed=5, batch_size=3)
    at_once, _ = sample_windows(pipe, 7, 3, seed=5, batch_size=7)
    first_two, _ = sample_windows(pipe, 2, 3, seed=5)
    np.testing.assert_allclose(in_threes, at_once, rtol=1e-6, atol=0)
    np.testing.assert_allclose(first_two, at_once[:2], rtol=1e-6, atol=0)
    assert len({window.tobytes() for window in at_once}) == 7
    # Seeds are not offsets: window 1 of seed 5 is not window 0 of seed 6 (as it was with seed + i).
    assert not np.allclose(sample_windows(pipe, 1, 3, seed=6)[0][0], at_once[1])


def test_generate_and_evaluate_draw_the_same_windows_for_the_same_seed(saved, tmp_path):
    from ts_diffusion_wavelet.evaluate import sample_pipeline

    output = tmp_path / "generated.npy"
    options = ["--num_samples", "5", "--num_inference_steps", "3", "--seed", "0", "--batch_size", "2"]
    assert main(["--model", str(saved["scalogram"]), *options, "--output", str(output)]) == 0
    evaluated = sample_pipeline(str(saved["scalogram"]), 5, 3, batch_size=4, seed=0, device="cpu")
    np.testing.assert_allclose(np.load(output), evaluated.windows, rtol=1e-6, atol=0)  # batches of 2 and 4


def test_scheduler_choice_and_plot(saved, tmp_path):
    code = main(
        [
            "--model",
            str(saved["scalogram"]),
            "--num_samples",
            "3",
            "--num_inference_steps",
            "2",
            "--scheduler",
            "dpmsolver",
            "--output",
            str(tmp_path / "s.csv"),
            "--plot",
            str(tmp_path / "s.png"),
        ]
    )
    assert code == 0
    assert (tmp_path / "s.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_plot_beside_real_data(saved, tmp_path):
    levels = np.exp(np.cumsum(np.random.default_rng(0).normal(0, 0.01, size=(300, 2)), axis=0))
    pd.DataFrame(levels, columns=CHANNELS).to_csv(tmp_path / "real.csv", index=False)
    code = main(
        [
            "--model",
            str(saved["scalogram"]),
            "--num_samples",
            "2",
            "--num_inference_steps",
            "2",
            "--output",
            str(tmp_path / "s.npy"),
            "--plot",
            str(tmp_path / "s.png"),
            "--real",
            str(tmp_path / "real.csv"),
        ]
    )
    assert code == 0 and (tmp_path / "s.png").stat().st_size > 10_000


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--output", "x.txt"], "Cannot tell the format of 'x.txt'"),
        (["--num_samples", "0"], "--num_samples must be at least 1, got 0."),
        (["--plot", "x.jpg"], "--plot writes a PNG"),
        (["--num_inference_steps", "5000"], "`num_inference_steps` must be an integer from 1 to the 50 steps"),
    ],
)
def test_bad_arguments_write_nothing(saved, tmp_path, capsys, argv, message):
    arguments = {"--model": str(saved["raw"]), "--output": str(tmp_path / "out.csv"), "--num_inference_steps": "2"}
    for flag, value in zip(argv[::2], argv[1::2], strict=True):
        arguments[flag] = value
    code = main([item for pair in arguments.items() for item in pair])
    assert code == 2
    assert message in capsys.readouterr().err
    assert not (tmp_path / "out.csv").exists()


def test_missing_model_directory_is_a_clear_error(tmp_path, capsys):
    assert main(["--model", str(tmp_path / "missing"), "--output", str(tmp_path / "o.csv")]) == 2
    assert "No model directory at" in capsys.readouterr().err


def test_unknown_scheduler_is_refused_by_the_parser(saved, tmp_path, capsys):
    with pytest.raises(SystemExit):
        main(["--model", str(saved["raw"]), "--output", str(tmp_path / "o.csv"), "--scheduler", "plms"])
    assert "invalid choice: 'plms'" in capsys.readouterr().err


def test_device_and_dtype_choice():
    assert choose_device_and_dtype("cpu", "auto") == (torch.device("cpu"), torch.float32)
    assert choose_device_and_dtype("cpu", "bf16") == (torch.device("cpu"), torch.bfloat16)


def test_generate_script_runs_as_a_command(saved, tmp_path):
    result = subprocess.run(
        [
            sys.executable,
            str(ROOT / "generate.py"),
            "--model",
            str(saved["raw"]),
            "--num_samples",
            "2",
            "--num_inference_steps",
            "2",
            "--output",
            str(tmp_path / "g.csv"),
        ],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=tmp_path,
    )
    assert result.returncode == 0, result.stderr
    frame = pd.read_csv(tmp_path / "g.csv")
    assert list(frame.columns) == ["sample", "step", *CHANNELS] and len(frame) == 60
    assert json.loads((saved["raw"] / "model_index.json").read_text())["_class_name"] == "TimeSeriesDiffusionPipeline"
