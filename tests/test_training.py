"""Training under Accelerate: end to end through `accelerate launch`, real two-process DDP on CPU, exact resume,
a kill during a checkpoint write, and the errors a bad configuration gets. Tiny models; seconds to a minute each."""

from __future__ import annotations

import hashlib
import os
import re
import socket
import subprocess
import sys
from pathlib import Path

import pytest
import torch
from safetensors.torch import load_file

from ts_diffusion_wavelet import load_pipeline
from ts_diffusion_wavelet.training import loop as training_loop
from ts_diffusion_wavelet.training import parse_config
from ts_diffusion_wavelet.training.checkpointing import list_checkpoints
from ts_diffusion_wavelet.training.loop import train

ROOT = Path(__file__).resolve().parents[1]
# Windows of 32 samples, 16 scales, 16x16 images, a 40k-parameter UNet: a step takes milliseconds.
TINY = [
    "--window_size",
    "32",
    "--num_scales",
    "16",
    "--image_size",
    "16",
    "--model_preset",
    "tiny",
    "--train_batch_size",
    "8",
    "--logger",
    "none",
    "--num_validation_samples",
    "0",
    "--lr_warmup_steps",
    "2",
    "--calibrate_epsilon_scaling",  # seconds per run; the end-to-end launch and test_epsilon_calibration turn it on
    "false",
]


def tiny_config(output_dir: Path, *extra: str):
    return parse_config([*TINY, "--output_dir", str(output_dir), *extra])


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def run_command(args: list[str], cwd: Path, **env: str) -> subprocess.CompletedProcess:
    environment = {**os.environ, "OMP_NUM_THREADS": "1", **env}
    result = subprocess.run(args, cwd=cwd, env=environment, capture_output=True, text=True, timeout=600)
    return result


def weights(path: Path) -> dict[str, torch.Tensor]:
    return load_file(str(path))


def assert_same_weights(first: dict[str, torch.Tensor], second: dict[str, torch.Tensor]) -> None:
    assert first.keys() == second.keys()
    for name in first:
        torch.testing.assert_close(first[name], second[name], rtol=1e-6, atol=1e-7, msg=name)


def test_accelerate_launch_trains_on_the_bundled_data_and_the_pipeline_generates(tmp_path):
    result = run_command(
        [
            sys.executable,
            "-m",
            "accelerate.commands.launch",
            "--num_processes",
            "1",
            "--cpu",
            str(ROOT / "train.py"),
            *TINY,
            "--representation",
            "scalogram",
            "--output_dir",
            str(tmp_path / "run"),
            "--max_train_steps",
            "4",
            "--checkpointing_steps",
            "2",
            "--validation_steps",
            "4",
            "--num_validation_samples",
            "2",
            "--validation_inference_steps",
            "2",
            "--calibrate_epsilon_scaling",
            "true",
        ],
        cwd=tmp_path,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert "source bundled:eurusd: 7126 rows" in result.stderr  # the data report reaches the user
    assert "saved as the sampling default: one-step changes" in result.stderr  # the calibration's outcome is logged
    assert "Training on cpu: 1 process(es), mixed precision no" in result.stderr  # where the run trains
    assert "Pipeline saved to" in result.stdout
    # Series-space scalograms are consistent by construction: the round trip of the transform, far above 20 dB.
    consistency = re.search(r"step 4: generated scalograms consistent to ([\d.]+) dB", result.stderr)
    assert consistency is not None and float(consistency.group(1)) > 60, result.stderr[-2000:]
    run = tmp_path / "run"
    assert [p.name for p in list_checkpoints(run)] == ["checkpoint-2", "checkpoint-4"]
    assert (run / "samples" / "step-0000004.png").is_file()
    pipe = load_pipeline(run / "pipeline")
    pipe.set_progress_bar_config(disable=True)
    series = pipe(3, num_inference_steps=2, generator=torch.Generator().manual_seed(0)).series
    assert series.shape == (3, 32, 1) and (series > 0).all()  # EUR/USD rates rebuilt from log-returns
    saved = pipe.config.training_config
    assert saved["window_size"] == 32 and saved["hub_token"] is None


def test_two_process_ddp_on_cpu_splits_the_data_and_saves_a_loadable_model(tmp_path):
    result = run_command(
        [
            sys.executable,
            "-m",
            "accelerate.commands.launch",
            "--multi_gpu",
            "--num_processes",
            "2",
            "--main_process_port",
            str(free_port()),
            str(ROOT / "train.py"),
            *TINY,
            "--output_dir",
            str(tmp_path / "run"),
            "--max_train_steps",
            "3",
            "--checkpointing_steps",
            "2",
            "--validation_steps",
            "0",
        ],
        cwd=tmp_path,
        ACCELERATE_USE_CPU="1",
    )
    assert result.returncode == 0, result.stderr[-3000:]
    shards = dict(
        re.findall(r"Process (\d) of 2 reads \d+ windows per epoch; first windows (\[[\d, ]+\])", result.stderr)
    )
    assert sorted(shards) == ["0", "1"], result.stderr[-3000:]
    assert re.search(r"Training on cpu(:0)?: 2 process\(es\)", result.stderr)
    assert not set(eval(shards["0"])) & set(eval(shards["1"]))  # disjoint shards: each process sees other data
    assert [p.name for p in list_checkpoints(tmp_path / "run")] == ["checkpoint-2", "checkpoint-3"]
    pipe = load_pipeline(tmp_path / "run" / "pipeline")
    assert pipe(1, num_inference_steps=2).series.shape == (1, 32, 1)


def test_a_cuda_build_that_sees_no_gpu_is_reported(monkeypatch, caplog):
    # A GPU job that quietly trains on the CPU is otherwise noticed only from its step rate.
    from accelerate import Accelerator

    monkeypatch.setattr(torch.version, "cuda", "13.0")
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    with caplog.at_level("INFO", logger="ts_diffusion_wavelet"):
        training_loop.log_device(Accelerator(cpu=True))
    assert "Training on cpu: 1 process(es)" in caplog.text
    assert "is a CUDA build but sees no GPU" in caplog.text and "CUDA 13.0" in caplog.text
    caplog.clear()
    monkeypatch.setattr(torch.version, "cuda", None)  # a CPU build: nothing to warn about
    with caplog.at_level("INFO", logger="ts_diffusion_wavelet"):
        training_loop.log_device(Accelerator(cpu=True))
    assert "sees no GPU" not in caplog.text


def train_until_crash(monkeypatch: pytest.MonkeyPatch, config, crash_at_step: int) -> None:
    """Train `config` and die right after the checkpoint of `crash_at_step` is saved, as a killed run would."""
    real_save = training_loop.save_state

    def crash_after_checkpoint(run):
        real_save(run)
        if run.state.global_step == crash_at_step:
            raise KeyboardInterrupt(f"simulated crash after checkpoint-{crash_at_step}")

    monkeypatch.setattr(training_loop, "save_state", crash_after_checkpoint)
    with pytest.raises(KeyboardInterrupt):
        train(config)
    monkeypatch.setattr(training_loop, "save_state", real_save)


def test_resume_continues_exactly(tmp_path, monkeypatch):
    """6 steps straight equal 3 steps, a crash, a resume and 3 more: weights, optimizer state and EMA."""
    options = (
        "--max_train_steps",
        "6",
        "--checkpointing_steps",
        "3",
        "--validation_steps",
        "0",
        "--gradient_accumulation_steps",
        "2",
    )
    train(tiny_config(tmp_path / "straight", *options))

    train_until_crash(monkeypatch, tiny_config(tmp_path / "resumed", *options), crash_at_step=3)
    assert [p.name for p in list_checkpoints(tmp_path / "resumed")] == ["checkpoint-3"]
    train(tiny_config(tmp_path / "resumed", *options, "--resume_from_checkpoint", "latest"))

    for name in ("checkpoint-6/model.safetensors", "pipeline/unet/diffusion_pytorch_model.safetensors"):
        assert_same_weights(weights(tmp_path / "straight" / name), weights(tmp_path / "resumed" / name))
    straight = torch.load(tmp_path / "straight/checkpoint-6/optimizer.bin", weights_only=False)
    resumed = torch.load(tmp_path / "resumed/checkpoint-6/optimizer.bin", weights_only=False)
    for key, state in straight["state"].items():
        torch.testing.assert_close(state["exp_avg_sq"], resumed["state"][key]["exp_avg_sq"], rtol=1e-5, atol=1e-12)
    # Sanity: training moved the weights (so equality above is not trivially about untouched tensors).
    before = weights(tmp_path / "resumed" / "checkpoint-3" / "model.safetensors")
    after = weights(tmp_path / "resumed" / "checkpoint-6" / "model.safetensors")
    assert any(not torch.equal(before[k], after[k]) for k in before)


KILL_DURING_SAVE = """
import os, signal, sys
from pathlib import Path
import accelerate
real_save = accelerate.Accelerator.save_state
calls = []
def dying_save(self, output_dir=None, **kwargs):
    calls.append(output_dir)
    if len(calls) == 2:  # the second checkpoint: write part of it, then die as a kill -9 would
        Path(output_dir).mkdir(parents=True, exist_ok=True)
        (Path(output_dir) / "model.safetensors").write_bytes(b"half a file")
        os.kill(os.getpid(), signal.SIGKILL)
    return real_save(self, output_dir, **kwargs)
accelerate.Accelerator.save_state = dying_save
from ts_diffusion_wavelet.cli.train import main
sys.exit(main(sys.argv[1:]))
"""


def test_a_kill_during_a_checkpoint_write_leaves_the_last_good_checkpoint(tmp_path):
    run = tmp_path / "run"
    options = [
        *TINY,
        "--output_dir",
        str(run),
        "--max_train_steps",
        "6",
        "--checkpointing_steps",
        "2",
        "--validation_steps",
        "0",
    ]
    result = run_command([sys.executable, "-c", KILL_DURING_SAVE, *options], cwd=tmp_path)
    assert result.returncode == -9, result.stderr[-2000:]
    assert [p.name for p in list_checkpoints(run)] == ["checkpoint-2"]
    assert (run / ".checkpoint-4.partial").is_dir()  # the interrupted write, never under the real name
    good = run / "checkpoint-2" / "model.safetensors"
    digest = hashlib.sha256(good.read_bytes()).hexdigest()

    result = run_command(
        [sys.executable, str(ROOT / "train.py"), *options, "--resume_from_checkpoint", "latest"], cwd=tmp_path
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert "Resumed from" in result.stderr and "checkpoint-2 at step 2" in result.stderr
    assert not (run / ".checkpoint-4.partial").exists()
    assert [p.name for p in list_checkpoints(run)] == ["checkpoint-2", "checkpoint-4", "checkpoint-6"]
    assert hashlib.sha256(good.read_bytes()).hexdigest() == digest
    assert load_pipeline(run / "pipeline")(1, num_inference_steps=2).series.shape == (1, 32, 1)


def test_checkpoints_are_capped_and_the_config_travels_with_each(tmp_path):
    train(
        tiny_config(
            tmp_path,
            "--max_train_steps",
            "5",
            "--checkpointing_steps",
            "1",
            "--checkpoints_total_limit",
            "2",
            "--validation_steps",
            "0",
            "--hub_token",
            "hf_secret",
        )
    )
    checkpoints = list_checkpoints(tmp_path)
    assert [p.name for p in checkpoints] == ["checkpoint-4", "checkpoint-5"]
    for folder in (*checkpoints, tmp_path):
        text = (folder / "training_config.json").read_text()
        assert '"window_size": 32' in text and "hf_secret" not in text
    assert "hf_secret" not in (tmp_path / "pipeline" / "model_index.json").read_text()


def test_raw_representation_trains_too(tmp_path):
    train(
        tiny_config(
            tmp_path,
            "--representation",
            "raw",
            "--window_size",
            "30",
            "--max_train_steps",
            "2",
            "--validation_steps",
            "2",
            "--num_validation_samples",
            "2",
            "--validation_inference_steps",
            "2",
            "--prediction_type",
            "epsilon",
            "--snr_gamma",
            "5",
            "--beta_schedule",
            "cosine",
            "--input_perturbation",
            "0.1",
        )
    )
    pipe = load_pipeline(tmp_path / "pipeline")
    assert pipe.representation.name == "raw"
    assert pipe.scheduler.config.prediction_type == "epsilon"
    assert pipe(2, num_inference_steps=2).series.shape == (2, 30, 1)


def test_resuming_with_a_different_model_shape_is_refused(tmp_path):
    train(tiny_config(tmp_path, "--max_train_steps", "1", "--validation_steps", "0"))
    with pytest.raises(ValueError, match=r"these options differ from the checkpoint's \(window_size: 32 -> 64\)"):
        train(
            tiny_config(
                tmp_path, "--max_train_steps", "2", "--window_size", "64", "--resume_from_checkpoint", "latest"
            )
        )


def test_a_finished_run_is_not_overwritten_by_accident(tmp_path):
    train(tiny_config(tmp_path, "--max_train_steps", "1", "--validation_steps", "0"))
    with pytest.raises(ValueError, match="already holds a trained pipeline. Pass --resume_from_checkpoint latest"):
        train(tiny_config(tmp_path, "--max_train_steps", "1"))


@pytest.mark.parametrize(
    ("options", "message"),
    [
        (
            ["--representation", "scalogram", "--window_size", "3"],
            "window_size 3 is too short for the 'morl' wavelet: its smallest useful scale",
        ),
        (
            [
                "--representation",
                "scalogram",
                "--image_size",
                "10",
                "--scalogram_unet",
                "2d",
                "--model_preset",
                "small",
            ],
            "multiples of 4; got image size 10x10",
        ),
        (["--sampler", "plms"], "'plms' (choose from 'ddpm', 'ddim', 'dpmsolver', 'unipc', 'euler_a')"),
        (["--data", "no_such_file.csv"], "no_such_file.csv"),
        (["--columns", "Open"], "Open"),
        (["--window_size", "9000"], "fewer than one window of window_size=9000"),
        (["--mixed_precision", "fp16"], "--mixed_precision fp16 needs a CUDA GPU"),
        (["--input_perturbation", "2"], "--input_perturbation must be in [0, 1] (0.1 is the paper's value"),
        (
            ["--representation", "scalogram", "--window_scale", "std"],
            "--window_scale std needs --representation raw, got --representation scalogram",
        ),
        (["--window_scale", "local", "--scale_width", "40"], "--scale_width must be from 2 to the window size 32"),
        (["--representation", "scalogram", "--wavelet", "db4"], "db4"),
        # ~7,000 windows of 32 at stride 1
        (["--train_batch_size", "10000"], "cannot fill one optimizer step of 10000 windows"),
    ],
)
def test_bad_configurations_fail_before_training_with_the_reason(tmp_path, capsys, options, message):
    from ts_diffusion_wavelet.cli.train import main

    if "fp16" in options and torch.cuda.is_available():
        pytest.skip("fp16 is valid on a GPU")
    code = main([*TINY, "--output_dir", str(tmp_path / "run"), "--max_train_steps", "1", *options])
    assert code == 2
    error = capsys.readouterr().err
    assert error.startswith("error: ") and message in error
    assert not list_checkpoints(tmp_path / "run") and not (tmp_path / "run" / "pipeline").exists()


def test_train_help_lists_the_options(tmp_path):
    result = run_command([sys.executable, str(ROOT / "train.py"), "--help"], cwd=tmp_path)
    assert result.returncode == 0 and "--window_size" in result.stdout and "--resume_from_checkpoint" in result.stdout


def test_input_scale_multiplies_the_windows_the_model_learns(tmp_path):
    plain = training_loop.load_data(tiny_config(tmp_path / "plain"))
    halved = training_loop.load_data(tiny_config(tmp_path / "halved", "--input_scale", "0.5"))
    torch.testing.assert_close(halved.train[3], 0.5 * plain.train[3])
    for before, after in zip(plain.preprocessor.channels, halved.preprocessor.channels, strict=True):
        assert after["scale"] == pytest.approx(2 * before["scale"], rel=1e-12)
