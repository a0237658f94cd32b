"""
Sharing pipelines on the Hub, through huggingface_hub's real client and the loopback Hub of tests/hub_server.py:
push with a model card -> fresh cache -> from_pretrained gives the same series; offline loading from the cache
(in a subprocess, since HF_HUB_OFFLINE is read at import); generate.py by repo id; the errors a user meets.
"""

from __future__ import annotations

import json
import logging
import os
import re
import struct
import subprocess
import sys
import zlib
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest
import torch
from conftest import HUB_USER, READ_TOKEN, WRITE_TOKEN
from diffusers import DDPMPipeline, DDPMScheduler, UNet2DModel
from pipeline_fixtures import make_raw_pipeline, make_scalogram_pipeline, tiny_preprocessing

import ts_diffusion_wavelet
from ts_diffusion_wavelet.cli import push as push_command
from ts_diffusion_wavelet.hub import push
from ts_diffusion_wavelet.hub.loading import read_remote_model_index
from ts_diffusion_wavelet.hub.model_card import SAMPLE_PLOT_PATH, build_model_card, shareable_training_config
from ts_diffusion_wavelet.hub.push import push_trained_pipeline
from ts_diffusion_wavelet.pipeline_base import TimeSeriesDiffusionPipeline
from ts_diffusion_wavelet.training.config import TrainingConfig

ROOT = Path(__file__).resolve().parents[1]
SECRET = "hf_secret_that_must_not_leak"


STEPS = 4  # denoising steps in these tests: enough to exercise the sampler, seconds in all


def _training_config(representation: str) -> dict:
    # Built with the secret included, as a careless caller might: the push must still never upload it.
    return TrainingConfig(
        representation=representation,
        window_size=30,
        data="eurusd",
        hub_token=SECRET,
        push_to_hub=True,
        hub_model_id=f"{HUB_USER}/x",
    ).to_dict(include_secrets=True)


@pytest.fixture(scope="module")
def raw_pipeline() -> TimeSeriesDiffusionPipeline:
    return make_raw_pipeline(tiny_preprocessing(), _training_config("raw"))


@pytest.fixture(scope="module")
def scalogram_pipeline() -> TimeSeriesDiffusionPipeline:
    return make_scalogram_pipeline(tiny_preprocessing(), _training_config("scalogram"))


@pytest.fixture(params=["raw", "scalogram"])
def pipeline(request):
    return request.getfixturevalue(f"{request.param}_pipeline")


@pytest.fixture(scope="module")
def sample_png(tmp_path_factory) -> Path:
    """A real (tiny) PNG, so tests need not draw one."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    pixels = b"".join(b"\x00" + bytes([x * 60, 120, 200 - x * 60]) * 4 for x in range(4))
    png = (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", struct.pack(">IIBBBBB", 4, 4, 8, 2, 0, 0, 0))
        + chunk(b"IDAT", zlib.compress(pixels))
        + chunk(b"IEND", b"")
    )
    path = tmp_path_factory.mktemp("plots") / "samples.png"
    path.write_bytes(png)
    return path


def _series(pipeline, seed: int = 0) -> np.ndarray:
    return pipeline(3, num_inference_steps=STEPS, generator=torch.Generator().manual_seed(seed)).series


def _push(pipeline, repo: str, sample_png: Path, **kwargs) -> str:
    return pipeline.push_to_hub(f"{HUB_USER}/{repo}", token=WRITE_TOKEN, sample_plot=sample_png, **kwargs)


def _pipeline_class(pipeline):
    return type(pipeline)


def _subprocess_env(hf_home: Path, hub, **extra: str) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if not key.startswith(("HF_", "HUGGINGFACE"))}
    env.update(
        HF_HOME=str(hf_home),
        HF_ENDPOINT=hub.url,
        HF_HUB_DISABLE_TELEMETRY="1",
        HF_HUB_DISABLE_XET="1",
        HF_HUB_DISABLE_PROGRESS_BARS="1",
        OMP_NUM_THREADS="1",
        **extra,
    )
    return env


def _run(args: list[str], env: dict[str, str], cwd: Path = ROOT) -> subprocess.CompletedProcess:
    result = subprocess.run(args, env=env, cwd=cwd, capture_output=True, text=True, timeout=240)
    assert result.returncode == 0, f"{args} failed:\n{result.stdout}\n{result.stderr}"
    return result


# ----- round trip ------------------------------------------------------------------------------------------
def test_push_then_from_pretrained_from_a_fresh_cache_gives_the_same_series(hub, pipeline, sample_png, tmp_path):
    repo_id = f"{HUB_USER}/round-trip"
    commit = _push(pipeline, "round-trip", sample_png)
    assert commit.startswith(f"{hub.url}/{repo_id}/commit/")
    files = hub.files(repo_id)
    assert {
        "README.md",
        SAMPLE_PLOT_PATH,
        "model_index.json",
        "unet/config.json",
        "unet/diffusion_pytorch_model.safetensors",
        "scheduler/scheduler_config.json",
    } <= set(files)
    assert files[SAMPLE_PLOT_PATH] == sample_png.read_bytes()

    pipeline.save_pretrained(tmp_path / "local")
    local = _pipeline_class(pipeline).from_pretrained(tmp_path / "local")
    loaded = _pipeline_class(pipeline).from_pretrained(repo_id, cache_dir=tmp_path / "fresh-cache")
    loaded.set_progress_bar_config(disable=True)
    local.set_progress_bar_config(disable=True)

    # The weights travel bit for bit; the series equal a local save/load bit for bit and the in-memory
    # original to float rounding (a reloaded UNet may take other kernels than the one built in memory).
    original_weights = pipeline.unet.state_dict()
    assert all(torch.equal(original_weights[k], v) for k, v in loaded.unet.state_dict().items())
    assert loaded.config["preprocessing"] == pipeline.config["preprocessing"]
    assert (tmp_path / "local" / "unet" / "diffusion_pytorch_model.safetensors").read_bytes() == files[
        "unet/diffusion_pytorch_model.safetensors"
    ]
    np.testing.assert_array_equal(_series(loaded), _series(local))
    np.testing.assert_allclose(_series(loaded), _series(pipeline), rtol=1e-5, atol=1e-6)
    assert _series(loaded).shape == (3, pipeline.window_size, 2)
    assert hub.unhandled == []


def test_secrets_never_leave_the_machine(hub, raw_pipeline, sample_png):
    _push(raw_pipeline, "no-secrets", sample_png)
    files = hub.files(f"{HUB_USER}/no-secrets")
    assert all(SECRET.encode() not in data for data in files.values())
    index = json.loads(files["model_index.json"])
    assert "hub_token" not in index["training_config"]
    assert index["training_config"]["window_size"] == 30  # the rest of the record is kept
    assert raw_pipeline.config["training_config"]["hub_token"] == SECRET  # the user's object is left alone


def test_local_paths_are_cut_to_their_last_part(hub, sample_png):
    """The uploader's directories stay home; a file name, a run name, a Hub dataset id or a bundled name travel."""
    local = {
        "data": "/home/quant/private/prices.csv",
        "output_dir": "/home/quant/runs/fx-raw",
        "resume_from_checkpoint": r"C:\Users\quant\runs\fx-raw\checkpoint-500",
    }
    training = {**_training_config("raw"), **local}
    pipeline = make_raw_pipeline(tiny_preprocessing(), training)
    _push(pipeline, "paths", sample_png)
    files = hub.files(f"{HUB_USER}/paths")
    shared = json.loads(files["model_index.json"])["training_config"]
    assert (shared["data"], shared["output_dir"], shared["resume_from_checkpoint"]) == (
        "prices.csv",
        "fx-raw",
        "checkpoint-500",
    )
    # Nothing else was lost: every other option travels as saved, secrets aside.
    kept = {key: value for key, value in training.items() if key not in {*local, "hub_token"}}
    assert {key: shared[key] for key in kept} == kept and set(shared) == set(kept) | set(local)
    assert all(b"quant" not in data for data in files.values())
    readme = files["README.md"].decode()
    assert "trained on `prices.csv`" in readme and "| dataset | `prices.csv` (a local file) |" in readme
    assert pipeline.config["training_config"]["data"] == local["data"]  # the user's object is left alone
    for source in ("someone/fx-rates", "eurusd", "bundled:pollution"):
        assert shareable_training_config({"data": source})["data"] == source
    assert shareable_training_config({"data": "data/prices.parquet"})["data"] == "prices.parquet"


_OFFLINE_SCRIPT = """
import json, runpy, sys
import numpy, torch
from huggingface_hub import constants
assert constants.HF_HUB_OFFLINE, "HF_HUB_OFFLINE=1 is read at import"
from ts_diffusion_wavelet import TimeSeriesDiffusionPipeline
from ts_diffusion_wavelet.batch_sampling import window_generator
repos, generate_py, steps, options = json.loads(sys.argv[1]), sys.argv[2], int(sys.argv[3]), sys.argv[4:]
for name, (class_name, repo_id) in repos.items():
    assert class_name == "TimeSeriesDiffusionPipeline", class_name
    pipe = TimeSeriesDiffusionPipeline.from_pretrained(repo_id)
    pipe.set_progress_bar_config(disable=True)
    generators = [window_generator(7, i) for i in range(3)]
    numpy.save(f"{name}-from_pretrained.npy", pipe(3, num_inference_steps=steps, generator=generators).series)
    sys.argv = ["generate.py", *options, "--model", repo_id, "--output", f"{name}-generate-offline.npy"]
    try:
        runpy.run_path(generate_py, run_name="__main__")  # what `python generate.py ...` runs
    except SystemExit as stop:
        assert stop.code == 0, f"generate.py exited with {stop.code}"
"""


def test_generate_script_and_offline_from_pretrained_in_subprocesses(
    hub, raw_pipeline, scalogram_pipeline, sample_png, tmp_path
):
    """
    `python generate.py --model REPO` from a fresh cache; then, with HF_HUB_OFFLINE=1 (read at import, hence the
    subprocesses), `Pipeline.from_pretrained(REPO)` and generate.py for both representations from the cache alone.
    """
    from ts_diffusion_wavelet.batch_sampling import sample_windows

    pipelines = {"raw": raw_pipeline, "scalogram": scalogram_pipeline}
    repos = {name: (type(pipe).__name__, f"{HUB_USER}/{name}-shared") for name, pipe in pipelines.items()}
    for name, pipe in pipelines.items():
        _push(pipe, f"{name}-shared", sample_png)
    expected = {name: sample_windows(pipe, 3, STEPS, seed=7)[0] for name, pipe in pipelines.items()}
    hf_home = tmp_path / "hf-home"  # empty: the first runs download
    options = [
        "--num_samples",
        "3",
        "--num_inference_steps",
        str(STEPS),
        "--seed",
        "7",
        "--device",
        "cpu",
        "--dtype",
        "fp32",
    ]
    _run(
        [
            sys.executable,
            "generate.py",
            "--model",
            repos["scalogram"][1],
            *options,
            "--output",
            str(tmp_path / "scalogram-generate-online.npy"),
        ],
        _subprocess_env(hf_home, hub),
    )
    # The raw one online, in-process.
    TimeSeriesDiffusionPipeline.from_pretrained(repos["raw"][1], cache_dir=hf_home / "hub")

    requests_before = len(hub.requests)
    _run(
        [sys.executable, "-c", _OFFLINE_SCRIPT, json.dumps(repos), str(ROOT / "generate.py"), str(STEPS), *options],
        _subprocess_env(hf_home, hub, HF_HUB_OFFLINE="1"),
        cwd=tmp_path,
    )
    assert len(hub.requests) == requests_before  # nothing reached the Hub
    outputs = ["scalogram-generate-online.npy"] + [
        f"{name}-{kind}.npy" for name in pipelines for kind in ("from_pretrained", "generate-offline")
    ]
    for output in outputs:
        np.testing.assert_allclose(
            np.load(tmp_path / output), expected[output.split("-")[0]], rtol=1e-5, atol=1e-6, err_msg=output
        )


def test_save_pretrained_with_push_to_hub_uploads_the_same_card(hub, raw_pipeline, sample_png, tmp_path):
    folder = tmp_path / "eurusd-raw"
    commit = raw_pipeline.save_pretrained(folder, push_to_hub=True, token=WRITE_TOKEN, sample_plot=sample_png)
    assert commit is None  # as diffusers' save_pretrained
    files = hub.files(f"{HUB_USER}/eurusd-raw")  # the folder's name in the token owner's namespace, as diffusers
    assert files[SAMPLE_PLOT_PATH] == sample_png.read_bytes()
    readme = files["README.md"].decode()
    assert "## Representation" in readme and 'from_pretrained("tester/eurusd-raw")' in readme
    assert "hub_token" not in json.loads(files["model_index.json"])["training_config"]
    assert (folder / "unet" / "diffusion_pytorch_model.safetensors").read_bytes() == files[
        "unet/diffusion_pytorch_model.safetensors"
    ]
    raw_pipeline.save_pretrained(tmp_path / "other", push_to_hub=True, repo_id=f"{HUB_USER}/named", token=WRITE_TOKEN)
    assert "README.md" in hub.files(f"{HUB_USER}/named")


def test_push_keeps_diffusers_serialization_arguments(hub, raw_pipeline, sample_png, tmp_path):
    _push(raw_pipeline, "variant", sample_png, variant="fp16", safe_serialization=False)
    files = hub.files(f"{HUB_USER}/variant")
    assert "unet/diffusion_pytorch_model.fp16.bin" in files
    assert not any(name.endswith(".safetensors") for name in files)
    loaded = TimeSeriesDiffusionPipeline.from_pretrained(
        f"{HUB_USER}/variant", variant="fp16", cache_dir=tmp_path / "cache"
    )
    original = raw_pipeline.unet.state_dict()
    assert all(torch.equal(original[key], value) for key, value in loaded.unet.state_dict().items())


def test_load_pipeline_picks_the_class_from_model_index(hub, raw_pipeline, scalogram_pipeline, sample_png, tmp_path):
    from ts_diffusion_wavelet.pipeline_loading import load_pipeline

    for name, pipeline in (("raw-one", raw_pipeline), ("scalogram-one", scalogram_pipeline)):
        _push(pipeline, name, sample_png)
        loaded = load_pipeline(f"{HUB_USER}/{name}", cache_dir=tmp_path / "cache")
        assert type(loaded) is type(pipeline)


# ----- model card ------------------------------------------------------------------------------------------
def test_model_card_metadata_sections_and_config_table(raw_pipeline):
    evaluation = {"discriminative": {"score": 0.1234567}}
    card = build_model_card(raw_pipeline, f"{HUB_USER}/eurusd-raw", evaluation=evaluation)
    assert card.data.library_name == "diffusers"
    assert {"diffusers", "time-series", "ts-diffusion-wavelet", "raw", "diffusers:TimeSeriesDiffusionPipeline"} <= set(
        card.data.tags
    )
    text = card.text
    for heading in (
        "## Usage",
        "## Data",
        "## Representation",
        "## Model",
        "## Evaluation",
        "## Training configuration",
    ):
        assert heading in text
    assert "| window size | 30 steps |" in text
    assert "| channels | 2: `EURUSD`, `GBPUSD` |" in text
    assert "| target transform | log_return |" in text and "| scaling | standard |" in text
    assert "bundled with the package" in text  # eurusd described from the bundled record
    assert "| `learning_rate` | 0.0005 |" in text and "| `representation` | raw |" in text
    assert "| discriminative.score | 0.1235 |" in text
    assert "hub_token" not in text and SECRET not in text
    assert f"![Generated windows]({SAMPLE_PLOT_PATH})" in text
    assert 'TimeSeriesDiffusionPipeline.from_pretrained("tester/eurusd-raw")' in text
    assert "# (4, 30, 2): windows, time steps, channels (`EURUSD`, `GBPUSD`)" in text


def test_model_card_takes_markdown_evaluation_and_a_hub_dataset(raw_pipeline):
    summary = "Evaluation on 64 real windows.\n\n| metric | value |\n|---|---|\n| ACF error | 0.01 |\n"
    card = build_model_card(raw_pipeline, "user/x", evaluation=summary, dataset="someone/fx-rates", sample_plot=None)
    assert card.data.datasets == ["someone/fx-rates"]
    assert "## Evaluation\n\nEvaluation on 64 real windows." in card.text
    assert "| ACF error | 0.01 |" in card.text
    assert "https://huggingface.co/datasets/someone/fx-rates" in card.text
    assert "![" not in card.text
    with pytest.raises(ValueError, match="markdown text or a mapping"):
        build_model_card(raw_pipeline, "user/x", evaluation=[1, 2])


def test_scalogram_card_renders_the_transform(scalogram_pipeline):
    card = build_model_card(scalogram_pipeline, "user/x")
    text = card.text
    assert "scalogram" in card.data.tags and "diffusers:TimeSeriesDiffusionPipeline" in card.data.tags
    assert "| window size | 32 steps |" in text
    assert "| wavelet | morl |" in text
    assert "| scales | 16, log spaced from 1.625 to " in text
    assert "| image | 6 channels x 16 x 16 (height x width) |" in text
    assert "| time layout | fold: 2 interleaved time phases as extra channels (lossless) |" in text
    assert "coef_mean" not in text  # the fitted statistics stay in model_index.json
    assert "# (4, 32, 2): windows, time steps, channels" in text


def test_usage_snippet_runs_against_the_pushed_repo(hub, raw_pipeline, sample_png, monkeypatch, tmp_path):
    class_name = type(raw_pipeline).__name__
    if not hasattr(ts_diffusion_wavelet, class_name):
        pytest.skip(f"ts_diffusion_wavelet does not export {class_name} yet; the card's snippet imports it from there")
    _push(raw_pipeline, "snippet", sample_png)
    readme = hub.files(f"{HUB_USER}/snippet")["README.md"].decode()
    code = re.search(r"```python\n(.*?)```", readme, flags=re.DOTALL).group(1)
    monkeypatch.setenv("HF_HUB_DISABLE_PROGRESS_BARS", "1")
    printed = []
    exec(compile(code, "README.md", "exec"), {"print": lambda *args: printed.append(args)})
    assert printed == [((4, 30, 2),)]


def test_a_sample_plot_is_drawn_when_none_is_given(hub, raw_pipeline, monkeypatch):
    monkeypatch.setattr(push, "SAMPLE_PLOT_STEPS", STEPS)
    raw_pipeline.push_to_hub(f"{HUB_USER}/drawn", token=WRITE_TOKEN)
    image = hub.files(f"{HUB_USER}/drawn")[SAMPLE_PLOT_PATH]
    assert image.startswith(b"\x89PNG") and len(image) > 5000
    assert type(raw_pipeline.scheduler).__name__ == "DDPMScheduler"  # its own sampler is back


def test_push_at_the_end_of_training_uses_the_run_folder(hub, hub_down, raw_pipeline, sample_png, tmp_path):
    run = tmp_path / "run"
    raw_pipeline.save_pretrained(run / "pipeline")
    (run / "samples").mkdir()
    (run / "samples" / "step-0000010.png").write_bytes(b"\x89PNG old")
    (run / "samples" / "step-0000020.png").write_bytes(sample_png.read_bytes())
    (run / "evaluation").mkdir()
    (run / "evaluation" / "summary.md").write_text("Evaluation on 12 real windows.\n")
    config = SimpleNamespace(hub_model_id=f"{HUB_USER}/trained", hub_token=WRITE_TOKEN, hub_private=False)

    push_trained_pipeline(raw_pipeline, run / "pipeline", config)
    files = hub.files(f"{HUB_USER}/trained")
    assert files[SAMPLE_PLOT_PATH] == sample_png.read_bytes()  # the latest validation plot
    assert "Evaluation on 12 real windows." in files["README.md"].decode()
    assert SECRET.encode() not in files["model_index.json"]

    config.hub_token = "hf_wrong"
    retry = f"saved in {run / 'pipeline'}; upload it later with `tsdw-push {run / 'pipeline'} {HUB_USER}/trained`"
    with pytest.raises(ValueError, match=r"rejected the token \(401") as refused:
        push_trained_pipeline(raw_pipeline, run / "pipeline", config)
    assert retry in str(refused.value) and "hf_wrong" not in str(refused.value)
    config.hub_token = WRITE_TOKEN
    with hub_down(), pytest.raises(OSError, match="Cannot reach the Hub") as unreachable:
        push_trained_pipeline(raw_pipeline, run / "pipeline", config)
    assert retry in str(unreachable.value)
    # Nothing earlier was lost: the saved pipeline is where the message says, and loads.
    assert TimeSeriesDiffusionPipeline.from_pretrained(run / "pipeline").window_size == 30


def test_train_command_pushes_at_the_end_and_the_token_appears_nowhere(hub, tmp_path, capsys, caplog):
    """
    `train.py --push_to_hub true --hub_model_id ID --hub_token T`: two steps of a tiny raw model, then upload. The
    token is in no log record, printed line, file of the run (configs, checkpoints, TensorBoard events) or uploaded
    file; a refused token is not echoed in the refusal either.
    """
    from ts_diffusion_wavelet.cli.train import main

    caplog.set_level(logging.DEBUG)
    output_dir = tmp_path / "run"
    arguments = [
        "--representation",
        "raw",
        "--model_preset",
        "tiny",
        "--window_size",
        "32",
        "--max_train_steps",
        "2",
        "--num_train_timesteps",
        "50",
        "--output_dir",
        str(output_dir),
        "--logger",
        "tensorboard",
        "--checkpointing_steps",
        "1",
        "--validation_steps",
        "2",
        "--num_validation_samples",
        "2",
        "--validation_inference_steps",
        "2",
        "--push_to_hub",
        "true",
        "--hub_model_id",
        f"{HUB_USER}/trained",
        "--hub_token",
        WRITE_TOKEN,
    ]
    assert main(arguments) == 0, capsys.readouterr().err
    files = hub.files(f"{HUB_USER}/trained")
    plots = sorted((output_dir / "samples").glob("*.png"))
    assert plots and files[SAMPLE_PLOT_PATH] == plots[-1].read_bytes()  # the run's own validation plot
    readme = files["README.md"].decode()
    assert "| `max_train_steps` | 2 |" in readme and "`Close`" in readme
    assert f"| `output_dir` | {output_dir.name} |" in readme and str(tmp_path) not in readme
    loaded = TimeSeriesDiffusionPipeline.from_pretrained(f"{HUB_USER}/trained", cache_dir=tmp_path / "cache")
    assert loaded.window_size == 32 and loaded.config["representation"]["window_size"] == 32

    written = [path for path in output_dir.rglob("*") if path.is_file()]
    assert any(path.name == "training_config.json" for path in written) and any("tfevents" in p.name for p in written)
    printed = capsys.readouterr()
    for where, text in {
        **{str(path): path.read_bytes() for path in written},
        **{f"uploaded {name}": data for name, data in files.items()},
        "log records": "\n".join(record.getMessage() for record in caplog.records).encode(),
        "stdout and stderr": (printed.out + printed.err).encode(),
    }.items():
        assert WRITE_TOKEN.encode() not in text, where

    refused_token = "hf_refused_token_that_must_not_be_echoed"
    arguments[arguments.index(WRITE_TOKEN)] = refused_token
    arguments[arguments.index(str(output_dir))] = str(tmp_path / "refused")
    assert main(arguments) == 2
    refusal = capsys.readouterr().err
    assert "rejected the token" in refusal and refused_token not in refusal
    assert all(refused_token not in record.getMessage() for record in caplog.records)


def test_push_command_uploads_a_saved_folder(hub, raw_pipeline, sample_png, tmp_path, capsys):
    folder = tmp_path / "run" / "pipeline"
    raw_pipeline.save_pretrained(folder)
    (folder.parent / "samples").mkdir()
    (folder.parent / "samples" / "step-0000100.png").write_bytes(sample_png.read_bytes())
    assert push_command.main([str(folder), f"{HUB_USER}/from-command", "--token", WRITE_TOKEN]) == 0
    files = hub.files(f"{HUB_USER}/from-command")
    assert files[SAMPLE_PLOT_PATH] == sample_png.read_bytes() and SECRET.encode() not in files["model_index.json"]
    assert push_command.main([str(folder), f"{HUB_USER}/from-command", "--token", "hf_wrong"]) == 2
    assert "rejected the token" in capsys.readouterr().err


def test_bare_name_goes_to_the_token_owner_and_pull_requests_work(hub, raw_pipeline, sample_png):
    commit = raw_pipeline.push_to_hub("bare", token=WRITE_TOKEN, sample_plot=sample_png)
    assert f"/{HUB_USER}/bare/commit/" in commit
    assert 'from_pretrained("tester/bare")' in hub.files(f"{HUB_USER}/bare")["README.md"].decode()
    pr = raw_pipeline.push_to_hub(
        "bare", token=WRITE_TOKEN, sample_plot=sample_png, create_pr=True, evaluation="Better now."
    )
    assert pr.pr_revision == "refs/pr/1"
    assert "Better now." in hub.files(f"{HUB_USER}/bare", "refs/pr/1")["README.md"].decode()


# ----- errors a user meets ---------------------------------------------------------------------------------
def test_push_without_a_token_says_how_to_get_one(hub, raw_pipeline, sample_png, monkeypatch):
    monkeypatch.delenv("HF_TOKEN", raising=False)
    with pytest.raises(ValueError, match="needs a token(.|\n)*hf auth login"):
        raw_pipeline.push_to_hub(f"{HUB_USER}/x", sample_plot=sample_png)
    assert hub.requests == []  # refused before anything was sent
    monkeypatch.setenv("HF_TOKEN", WRITE_TOKEN)  # the environment's token is used
    assert "/commit/" in raw_pipeline.push_to_hub(f"{HUB_USER}/x", sample_plot=sample_png)


def test_push_with_a_wrong_or_read_only_token(hub, raw_pipeline, sample_png):
    with pytest.raises(ValueError, match=r"rejected the token \(401"):
        raw_pipeline.push_to_hub(f"{HUB_USER}/x", token="hf_wrong", sample_plot=sample_png)
    with pytest.raises(ValueError, match=r"cannot write to 'tester/x' \(403\): it is read-only"):
        raw_pipeline.push_to_hub(f"{HUB_USER}/x", token=READ_TOKEN, sample_plot=sample_png)
    with pytest.raises(ValueError, match=r"cannot write to 'someone-else/x' \(403\)"):
        raw_pipeline.push_to_hub("someone-else/x", token=WRITE_TOKEN, sample_plot=sample_png)
    with pytest.raises(ValueError, match="Repo id must be in the form 'repo_name' or 'namespace/repo_name': 'a/b/c'"):
        raw_pipeline.push_to_hub("a/b/c", token=WRITE_TOKEN, sample_plot=sample_png)
    with pytest.raises(ValueError, match="existing PNG"):
        raw_pipeline.push_to_hub(f"{HUB_USER}/x", token=WRITE_TOKEN, sample_plot="missing.png")
    assert f"{HUB_USER}/x" not in hub.state.repos


def test_push_with_the_network_down(hub, hub_down, raw_pipeline, sample_png):
    with hub_down(), pytest.raises(OSError, match="Cannot reach the Hub"):
        raw_pipeline.push_to_hub(f"{HUB_USER}/x", token=WRITE_TOKEN, sample_plot=sample_png)


def test_load_errors_name_what_is_wrong(hub, tmp_path):
    hub.add_repo(f"{HUB_USER}/a-transformers-model", {"config.json": '{"model_type": "bert"}'})
    ddpm_dir = tmp_path / "ddpm"
    unet = UNet2DModel(
        sample_size=8,
        block_out_channels=(8, 8),
        norm_num_groups=8,
        down_block_types=("DownBlock2D",) * 2,
        up_block_types=("UpBlock2D",) * 2,
    )
    DDPMPipeline(unet, DDPMScheduler()).save_pretrained(ddpm_dir)
    hub.add_repo(f"{HUB_USER}/an-image-model", {"model_index.json": (ddpm_dir / "model_index.json").read_bytes()})
    cache = tmp_path / "cache"

    with pytest.raises(ValueError, match="No repo 'tester/absent' on the Hub"):
        read_remote_model_index(f"{HUB_USER}/absent", cache_dir=cache)
    with pytest.raises(ValueError, match="holds no model_index.json, so it is not a saved diffusers pipeline"):
        read_remote_model_index(f"{HUB_USER}/a-transformers-model", cache_dir=cache)
    with pytest.raises(ValueError, match=r"rejected the token while fetching"):
        read_remote_model_index(f"{HUB_USER}/an-image-model", cache_dir=cache, token="hf_wrong")
    assert read_remote_model_index(f"{HUB_USER}/an-image-model", cache_dir=cache)["_class_name"] == "DDPMPipeline"


def test_load_pipeline_refuses_other_pipelines_and_missing_repos(hub, tmp_path):
    from ts_diffusion_wavelet.pipeline_loading import load_pipeline

    hub.add_repo(f"{HUB_USER}/an-image-model", {"model_index.json": json.dumps({"_class_name": "DDPMPipeline"})})
    with pytest.raises(ValueError, match="holds a 'DDPMPipeline' pipeline, not one of ts_diffusion_wavelet's"):
        load_pipeline(f"{HUB_USER}/an-image-model", cache_dir=tmp_path)
    with pytest.raises(ValueError, match="No repo"):
        load_pipeline(f"{HUB_USER}/absent", cache_dir=tmp_path)


def test_network_down_uses_the_cache_or_says_so(hub, hub_down, raw_pipeline, sample_png, tmp_path):
    repo_id = f"{HUB_USER}/cached"
    _push(raw_pipeline, "cached", sample_png)
    cache = tmp_path / "cache"
    TimeSeriesDiffusionPipeline.from_pretrained(repo_id, cache_dir=cache)
    read_remote_model_index(repo_id, cache_dir=cache)
    with hub_down():
        assert read_remote_model_index(repo_id, cache_dir=cache)["_class_name"] == "TimeSeriesDiffusionPipeline"
        loaded = TimeSeriesDiffusionPipeline.from_pretrained(repo_id, cache_dir=cache)
        assert loaded.window_size == 30
        with pytest.raises(OSError, match="Cannot reach the Hub .* not in the local cache"):
            read_remote_model_index(repo_id, cache_dir=tmp_path / "empty")
    with pytest.raises(OSError, match="not in the local cache, and offline mode"):
        read_remote_model_index(repo_id, cache_dir=tmp_path / "empty", local_files_only=True)


# ----- the real Hub ----------------------------------------------------------------------------------------
@pytest.mark.real_hub
@pytest.mark.skipif(not os.environ.get("HF_TOKEN_REAL_HUB_TESTS"), reason="set HF_TOKEN_REAL_HUB_TESTS to run")
def test_round_trip_on_the_real_hub(raw_pipeline, tmp_path):
    """Push to a private repo on huggingface.co, load it from a fresh cache, compare, delete (in a subprocess)."""
    raw_pipeline.save_pretrained(tmp_path / "pipeline")
    script = (
        "import sys, uuid, numpy, torch\n"
        "from huggingface_hub import HfApi\n"
        "from ts_diffusion_wavelet import TimeSeriesDiffusionPipeline\n"
        "token = sys.argv[2]\n"
        "pipe = TimeSeriesDiffusionPipeline.from_pretrained(sys.argv[1])\n"
        "api = HfApi(token=token)\n"
        "repo_id = f\"{api.whoami()['name']}/tsdw-test-{uuid.uuid4().hex[:8]}\"\n"
        "try:\n"
        "    pipe.push_to_hub(repo_id, token=token, private=True, sample_plot=False)\n"
        "    card = api.model_info(repo_id).card_data\n"
        "    assert card.library_name == 'diffusers' and 'time-series' in card.tags, card\n"
        "    loaded = TimeSeriesDiffusionPipeline.from_pretrained(repo_id, token=token, cache_dir=sys.argv[3])\n"
        "    g = lambda: torch.Generator().manual_seed(0)\n"
        f"    a = pipe(2, num_inference_steps={STEPS}, generator=g()).series\n"
        f"    b = loaded(2, num_inference_steps={STEPS}, generator=g()).series\n"
        "    numpy.testing.assert_array_equal(a, b)\n"
        "finally:\n"
        "    api.delete_repo(repo_id, missing_ok=True)\n"
    )
    env = {key: value for key, value in os.environ.items() if not key.startswith(("HF_", "HUGGINGFACE"))}
    env.update(HF_HOME=str(tmp_path / "hf-home"), HF_HUB_DISABLE_TELEMETRY="1")
    _run(
        [
            sys.executable,
            "-c",
            script,
            str(tmp_path / "pipeline"),
            os.environ["HF_TOKEN_REAL_HUB_TESTS"],
            str(tmp_path / "cache"),
        ],
        env,
    )
