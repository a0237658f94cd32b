"""
Faults injected into checkpointing as a user meets them: another run's checkpoints in `output_dir`, damaged or
crafted files on resume, failed writes (full disk, quota, permissions) and kills during every kind of write.
Each test asserts the message and that nothing written earlier was lost. Tiny models; seconds each, the kills
about half a minute.
"""

from __future__ import annotations

import errno
import hashlib
import json
import logging
import os
import re
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import torch
from safetensors import SafetensorError
from safetensors.torch import load_file
from test_training import TINY, run_command, tiny_config

from ts_diffusion_wavelet import load_pipeline
from ts_diffusion_wavelet.atomic import recover_interrupted_writes, replace_directory
from ts_diffusion_wavelet.cli.train import main
from ts_diffusion_wavelet.training import ema_state
from ts_diffusion_wavelet.training.checkpoint_integrity import file_manifest
from ts_diffusion_wavelet.training.checkpointing import STATE_FILE, list_checkpoints
from ts_diffusion_wavelet.training.loop import train
from ts_diffusion_wavelet.training.run_lock import LOCK_NAME
from ts_diffusion_wavelet.write_errors import WriteFailedError, format_bytes

STEPS = ("--max_train_steps", "4", "--checkpointing_steps", "2", "--validation_steps", "0")
UNET_WEIGHTS = "pipeline/unet/diffusion_pytorch_model.safetensors"


@pytest.fixture(scope="module")
def finished_run(tmp_path_factory) -> Path:
    """A run of 4 steps with checkpoints at 2 and 4 and an exported pipeline; tests work on copies."""
    folder = tmp_path_factory.mktemp("finished") / "run"
    train(tiny_config(folder, *STEPS))
    return folder


@pytest.fixture
def run(finished_run: Path, tmp_path: Path) -> Path:
    copy = tmp_path / "run"
    shutil.copytree(finished_run, copy)
    return copy


def digests(folder: Path) -> dict[str, str]:
    """SHA-256 of every file under `folder`, by relative path."""
    return {
        str(path.relative_to(folder)): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }


def state_of(checkpoint: Path) -> dict:
    return json.loads((checkpoint / STATE_FILE).read_text())


def resume(run: Path, *extra: str):
    return train(tiny_config(run, *STEPS, "--resume_from_checkpoint", "latest", *extra))


def assert_same_weights(first: Path, second: Path) -> None:
    a, b = load_file(str(first)), load_file(str(second))
    assert a.keys() == b.keys()
    for name in a:
        torch.testing.assert_close(a[name], b[name], rtol=1e-6, atol=1e-7, msg=name)


@pytest.fixture(scope="module")
def parameter_names(finished_run: Path) -> list[str]:
    """The UNet's parameter names in `parameters()` order: the order of an EMA's `shadow_params`."""
    return [name for name, _ in load_pipeline(finished_run / "pipeline").unet.named_parameters()]


def make_legacy(checkpoint: Path, names: list[str]) -> None:
    """Rewrite a checkpoint as version 0.2 wrote it: no run id or manifest, the EMA pickled by Accelerate."""
    settings = json.loads((checkpoint / "ema.json").read_text())
    weights = load_file(str(checkpoint / "ema.safetensors"))
    shadow = [weights[name] for name in names]
    torch.save({**settings, "shadow_params": shadow}, checkpoint / "custom_checkpoint_0.pkl")
    (checkpoint / "ema.json").unlink()
    (checkpoint / "ema.safetensors").unlink()
    state = state_of(checkpoint)
    legacy = {key: state[key] for key in ("global_step", "epoch", "batch_in_epoch")}
    (checkpoint / STATE_FILE).write_text(json.dumps(legacy))


# --- another run's checkpoints --------------------------------------------------------------------------------


def test_a_fresh_run_refuses_another_runs_checkpoints_and_changes_nothing(run, capsys):
    shutil.rmtree(run / "pipeline")  # an unfinished run: only its checkpoints are left
    before = digests(run)
    run_id = state_of(run / "checkpoint-4")["run_id"]
    assert main([*TINY, "--output_dir", str(run), *STEPS]) == 2
    error = capsys.readouterr().err
    assert error.startswith(
        f"error: {run} holds checkpoints of another run (run {run_id}: checkpoint-2, checkpoint-4). This new run "
        "would mix with them, and 'latest' could later resume the wrong run. Either continue that run with "
        "--resume_from_checkpoint latest, or start afresh in another --output_dir (or delete those folders); "
        f"--overwrite_output_dir true moves them to {run / 'replaced'} and starts afresh."
    )
    assert digests(run) == before


def test_overwrite_moves_them_aside_prunes_only_its_own_and_latest_resumes_the_new_run(run, caplog):
    caplog.set_level(logging.INFO)
    old_id = state_of(run / "checkpoint-4")["run_id"]
    old = {name: digests(run / name) for name in ("checkpoint-2", "checkpoint-4")}
    options = ("--checkpointing_steps", "1", "--checkpoints_total_limit", "2", "--validation_steps", "0")
    train(tiny_config(run, "--overwrite_output_dir", "true", "--max_train_steps", "3", *options))

    (replaced,) = (run / "replaced").iterdir()
    assert {name: digests(replaced / name) for name in old} == old  # moved whole, not deleted
    assert (
        f"--overwrite_output_dir: moved the checkpoints of another run (run {old_id}: checkpoint-2, checkpoint-4) "
        f"to {replaced}; delete that folder to free the space." in caplog.text
    )
    # The new run's checkpoints survive its own pruning (by step number the old run's 4 was newer).
    assert [p.name for p in list_checkpoints(run)] == ["checkpoint-2", "checkpoint-3"]
    new_ids = {state_of(p)["run_id"] for p in list_checkpoints(run)}
    assert len(new_ids) == 1 and old_id not in new_ids
    caplog.clear()
    train(tiny_config(run, "--max_train_steps", "4", *options, "--resume_from_checkpoint", "latest"))
    assert f"Resumed from {run / 'checkpoint-3'} at step 3" in caplog.text


def test_latest_refuses_to_guess_between_runs_and_a_resumed_run_refuses_to_mix(run):
    shutil.copytree(run / "checkpoint-4", run / "checkpoint-6")
    state = state_of(run / "checkpoint-6")
    (run / "checkpoint-6" / STATE_FILE).write_text(json.dumps({**state, "run_id": "other", "global_step": 6}))
    run_id = state["run_id"]
    with pytest.raises(ValueError) as caught:
        resume(run)
    assert str(caught.value) == (
        f"{run} holds checkpoints of 2 runs (run {run_id}: checkpoint-2, checkpoint-4; run other: checkpoint-6), so "
        f"'latest' is ambiguous. Pass the one to continue, e.g. --resume_from_checkpoint {run / 'checkpoint-6'}"
    )
    with pytest.raises(ValueError, match=r"holds checkpoints of another run \(run other: checkpoint-6\)\. This run"):
        train(tiny_config(run, *STEPS, "--resume_from_checkpoint", str(run / "checkpoint-2")))
    assert (run / "checkpoint-6").is_dir()


def test_a_checkpoint_from_before_run_ids_resumes_exactly_and_is_never_pruned(
    run, finished_run, parameter_names, caplog
):
    caplog.set_level(logging.INFO)
    shutil.rmtree(run / "checkpoint-4")
    shutil.rmtree(run / "pipeline")
    make_legacy(run / "checkpoint-2", parameter_names)
    legacy = digests(run / "checkpoint-2")
    resume(run, "--checkpoints_total_limit", "1")
    assert f"{run / 'checkpoint-2'} was written before run ids; this run continues it as run" in caplog.text
    assert digests(run / "checkpoint-2") == legacy  # not pruned although the limit is 1: this run did not write it
    assert "run_id" in state_of(run / "checkpoint-4")
    # The EMA read back from Accelerate's pickle (with weights_only=True) continues exactly.
    assert_same_weights(finished_run / UNET_WEIGHTS, run / UNET_WEIGHTS)


# --- damaged and crafted files --------------------------------------------------------------------------------

CHECKPOINT_FILES = (
    "model.safetensors",
    "optimizer.bin",
    "scheduler.bin",
    "random_states_0.pkl",
    "ema.safetensors",
    "ema.json",
    "training_config.json",
    "representation.json",
    "training_state.json",
)


def damage(path: Path, kind: str) -> None:
    data = path.read_bytes()
    if kind == "truncated":
        path.write_bytes(data[: len(data) // 2])
    else:
        path.write_bytes(np.random.default_rng(0).integers(0, 256, len(data), dtype=np.uint8).tobytes())


@pytest.mark.parametrize("kind", ["truncated", "garbage"])
@pytest.mark.parametrize("name", CHECKPOINT_FILES)
def test_a_damaged_checkpoint_file_is_named_with_the_previous_checkpoint(run, name, kind):
    damage(run / "checkpoint-4" / name, kind)
    earlier = digests(run / "checkpoint-2")
    with pytest.raises(ValueError) as caught:
        resume(run)
    message = str(caught.value)
    assert message.startswith(f"Checkpoint {run / 'checkpoint-4'} cannot be resumed: {name} "), message
    assert message.endswith(
        f"Resume from the previous checkpoint instead: --resume_from_checkpoint {run / 'checkpoint-2'}."
    )
    assert digests(run / "checkpoint-2") == earlier


@pytest.mark.parametrize(
    "name", ["model.safetensors", "optimizer.bin", "scheduler.bin", "random_states_0.pkl", "custom_checkpoint_0.pkl"]
)
def test_a_damaged_file_of_a_checkpoint_from_before_manifests_is_named_too(run, parameter_names, name):
    for checkpoint in ("checkpoint-2", "checkpoint-4"):
        make_legacy(run / checkpoint, parameter_names)
    damage(run / "checkpoint-4" / name, "truncated")
    with pytest.raises(ValueError) as caught:
        resume(run)
    assert str(caught.value).startswith(
        f"Checkpoint {run / 'checkpoint-4'} cannot be resumed: {name} cannot be read"
    ), caught.value
    assert str(caught.value).endswith(f"--resume_from_checkpoint {run / 'checkpoint-2'}.")


def test_following_the_advice_resumes_from_the_previous_checkpoint(run, finished_run):
    damage(run / "checkpoint-4" / "optimizer.bin", "truncated")
    shutil.rmtree(run / "pipeline")
    train(tiny_config(run, *STEPS, "--resume_from_checkpoint", str(run / "checkpoint-2")))
    assert_same_weights(finished_run / UNET_WEIGHTS, run / UNET_WEIGHTS)
    resume(run)  # the damaged checkpoint-4 was replaced by the new one, which verifies


class _Payload:
    """Unpickling this creates a file: the proof that code ran."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self):
        return (open, (str(self.marker), "w"))


@pytest.mark.parametrize(
    ("legacy", "name"),
    [(True, "custom_checkpoint_0.pkl"), (False, "random_states_0.pkl"), (False, "optimizer.bin")],
)
def test_a_crafted_pickle_in_a_checkpoint_never_runs(run, tmp_path, parameter_names, legacy, name):
    checkpoint = run / "checkpoint-4"
    if legacy:
        for folder in ("checkpoint-2", "checkpoint-4"):
            make_legacy(run / folder, parameter_names)
    marker = tmp_path / "code-ran"
    torch.save({"shadow_params": [], "payload": _Payload(marker)}, checkpoint / name)
    if not legacy:  # whoever crafted it can recompute the manifest too
        state = state_of(checkpoint)
        state["files"] = file_manifest(checkpoint, skip=STATE_FILE)
        (checkpoint / STATE_FILE).write_text(json.dumps(state))
    with pytest.raises(ValueError) as caught:
        resume(run)
    assert str(caught.value).startswith(
        f"Checkpoint {checkpoint} cannot be resumed: {name} holds Python objects other than tensors and numbers, so "
        "it was not unpickled (unpickling it could run code)"
    ), caught.value
    assert not marker.exists()


# --- failed writes --------------------------------------------------------------------------------------------


def _fail_on(monkeypatch, target: str, error: BaseException) -> None:
    """Make every writer fail with `error` when it writes `target` into checkpoint 4 (after writing some bytes)."""

    def failing(real, path_argument: int):
        def writer(*args, **kwargs):
            path = Path(args[path_argument])
            if path.name == target and ".checkpoint-4" in str(path):
                if path_argument == 1:
                    path.write_bytes(b"half a file")
                raise error
            return real(*args, **kwargs)

        return writer

    import accelerate.utils.other

    monkeypatch.setattr(torch, "save", failing(torch.save, 1))
    monkeypatch.setattr(accelerate.utils.other, "safe_save_file", failing(accelerate.utils.other.safe_save_file, 1))
    monkeypatch.setattr(ema_state, "save_file", failing(ema_state.save_file, 1))
    monkeypatch.setattr(os, "rename", failing(os.rename, 0))
    real_write_text = Path.write_text

    def write_text(self: Path, *args, **kwargs):  # JSON files go through a temporary `.NAME.<id>.partial`
        if self.name.startswith(f".{target}.") and ".checkpoint-4" in str(self):
            real_write_text(self, '{"half a file')
            raise error
        return real_write_text(self, *args, **kwargs)

    monkeypatch.setattr(Path, "write_text", write_text)


TORCH_DISK_FULL = RuntimeError("[enforce fail at inline_container.cc:672] . unexpected pos 576 vs 534")


@pytest.mark.parametrize(
    ("target", "error", "reason"),
    [
        ("optimizer.bin", TORCH_DISK_FULL, "the file writer stopped short ('[enforce fail at inline_container.cc"),
        (
            "model.safetensors",
            SafetensorError("Error while serializing: I/O error: No space left on device (os error 28)"),
            "the disk is full (ENOSPC: No space left on device); it needs about ",
        ),
        ("random_states_0.pkl", OSError(errno.EDQUOT, "Disk quota exceeded"), "the disk quota is exceeded (EDQUOT"),
        ("ema.safetensors", OSError(errno.ENOSPC, "No space left on device"), "the disk is full (ENOSPC"),
        ("ema.json", OSError(errno.ENOSPC, "No space left on device"), "the disk is full (ENOSPC"),
        ("training_state.json", PermissionError(errno.EACCES, "Permission denied"), "permission denied (EACCES"),
        (
            ".checkpoint-4.partial",  # the rename into place
            PermissionError(errno.EACCES, "Permission denied", ".checkpoint-4.partial"),
            "permission denied (EACCES",
        ),
    ],
)
def test_a_failed_checkpoint_write_is_reported_and_cleaned_up(tmp_path, monkeypatch, target, error, reason):
    run = tmp_path / "run"
    _fail_on(monkeypatch, target, error)
    with pytest.raises(WriteFailedError) as caught:
        train(tiny_config(run, *STEPS))
    message = str(caught.value)
    prefix = f"Could not write checkpoint {run / 'checkpoint-4'} (writing {target} failed: {reason}"
    assert message.startswith(prefix), message
    assert message.endswith(
        "The partial folder .checkpoint-4.partial was removed and checkpoint-2 is intact. Free some space (or use "
        "another --output_dir), then continue with --resume_from_checkpoint latest."
    )
    assert sorted(p.name for p in run.iterdir()) == ["checkpoint-2", "training_config.json"]
    monkeypatch.undo()
    resume(run)  # space freed: the run continues from checkpoint-2
    assert [p.name for p in list_checkpoints(run)] == ["checkpoint-2", "checkpoint-4"]


def test_a_failed_pipeline_export_is_reported_and_the_checkpoint_exports_it_later(run, monkeypatch, caplog):
    import safetensors.torch

    shutil.rmtree(run / "pipeline")
    checkpoints = {name: digests(run / name) for name in ("checkpoint-2", "checkpoint-4")}
    real = safetensors.torch.save_file

    def full_disk(tensors, filename, *args, **kwargs):
        if "diffusion_pytorch_model" in str(filename):
            raise SafetensorError("Error while serializing: I/O error: No space left on device (os error 28)")
        return real(tensors, filename, *args, **kwargs)

    monkeypatch.setattr(safetensors.torch, "save_file", full_disk)
    # Resuming at the last step trains no further and goes straight to the export.
    with pytest.raises(WriteFailedError) as caught:
        resume(run)
    message = str(caught.value)
    assert message.startswith(f"Could not write the pipeline to {run / 'pipeline'}: the disk is full (ENOSPC"), message
    assert re.search(r"; it needs about [\d.]+ KB and the disk has [\d.]+ [KMG]?B free\. The temporary", message)
    assert "was removed and nothing was left behind" in message
    assert message.endswith("--resume_from_checkpoint latest to export it again without training further.")
    assert {name: digests(run / name) for name in checkpoints} == checkpoints
    assert not [p.name for p in run.iterdir() if p.name.startswith(".")]
    monkeypatch.undo()
    caplog.set_level(logging.INFO)
    resume(run)
    assert f"Resumed from {run / 'checkpoint-4'} at step 4" in caplog.text
    assert load_pipeline(run / "pipeline")(1, num_inference_steps=2).series.shape == (1, 32, 1)


def _mount_tmpfs(folder: Path, size: str) -> bool:
    folder.mkdir()
    if not hasattr(os, "geteuid") or os.geteuid() != 0:
        return False
    result = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(folder)], capture_output=True)
    return result.returncode == 0


def test_a_really_full_disk_is_reported_with_the_space_needed(tmp_path):
    disk = tmp_path / "disk"
    if not _mount_tmpfs(disk, "600k"):
        pytest.skip("mounting a small tmpfs needs root; the patched writers above cover the same paths")
    try:
        with pytest.raises(WriteFailedError) as caught:
            train(tiny_config(disk / "run", *STEPS))
        message = str(caught.value)
        assert message.startswith(f"Could not write checkpoint {disk / 'run' / 'checkpoint-4'} (writing "), message
        # The space the last checkpoint took, beside what is free (the partial folder still held its bytes).
        size = sum(path.stat().st_size for path in (disk / "run" / "checkpoint-2").iterdir())
        assert f"it needs about {format_bytes(size)} and the disk has " in message
        assert "free: the disk is full)" in message or "(ENOSPC" in message
        assert sorted(p.name for p in (disk / "run").iterdir()) == ["checkpoint-2", "training_config.json"]
        shutil.copytree(disk / "run", tmp_path / "bigger")
    finally:
        subprocess.run(["umount", "--lazy", str(disk)], check=False)  # the failed writer may still hold a file
    resume(tmp_path / "bigger")  # moved to a larger disk, the run continues
    assert [p.name for p in list_checkpoints(tmp_path / "bigger")] == ["checkpoint-2", "checkpoint-4"]


# --- kills during every kind of write ---------------------------------------------------------------------------

KILL_DURING_WRITE = """
import os, shutil, signal, sys
from pathlib import Path
import safetensors.torch
from ts_diffusion_wavelet.training import checkpointing, ema_state

where = sys.argv[1]
def die(path=None):
    if path is not None:
        Path(path).write_bytes(b"half a file")
    os.kill(os.getpid(), signal.SIGKILL)

if where == "ema":
    real = ema_state.save_file
    ema_state.save_file = lambda t, f, *a, **k: die(f) if ".checkpoint-4" in f else real(t, f, *a, **k)
elif where == "state":
    real_json = checkpointing.write_json
    def write_json(path, content):
        if Path(path).name == "training_state.json" and ".checkpoint-4" in str(path):
            Path(path).with_name(".training_state.json.0123abcd.partial").write_text('{"global_')
            die()
        real_json(path, content)
    checkpointing.write_json = write_json
elif where == "prune":
    real_rmtree = shutil.rmtree
    def rmtree(path, *args, **kwargs):
        if str(path).endswith(".checkpoint-2.deleting"):
            (Path(path) / "optimizer.bin").unlink()
            die()
        real_rmtree(path, *args, **kwargs)
    checkpointing.shutil.rmtree = rmtree
elif where == "pipeline":
    real_save = safetensors.torch.save_file
    def save_file(tensors, filename, *args, **kwargs):
        if "diffusion_pytorch_model" in str(filename):
            die(filename)
        return real_save(tensors, filename, *args, **kwargs)
    safetensors.torch.save_file = save_file
from ts_diffusion_wavelet.cli.train import main
sys.exit(main(sys.argv[2:]))
"""


@pytest.mark.parametrize(
    ("where", "complete"),
    [
        ("ema", ["checkpoint-2"]),  # the EMA's safetensors of the second checkpoint
        ("state", ["checkpoint-2"]),  # training_state.json, the last file of a checkpoint
        ("prune", ["checkpoint-4"]),  # deleting checkpoint-2 beyond the limit
        ("pipeline", ["checkpoint-2", "checkpoint-4"]),  # the exported pipeline's weights
    ],
)
def test_a_kill_during_any_write_loses_nothing_written_before(tmp_path, caplog, where, complete):
    run = tmp_path / "run"
    options = [*TINY, "--output_dir", str(run), *STEPS, "--checkpoints_total_limit", "1" if where == "prune" else "3"]
    result = run_command([sys.executable, "-c", KILL_DURING_WRITE, where, *options], cwd=tmp_path)
    assert result.returncode == -signal.SIGKILL, result.stderr[-2000:]
    assert [p.name for p in list_checkpoints(run)] == complete
    # The killed run's lock file stays (the OS released the lock itself); the next run takes it over, not as debris.
    assert (run / LOCK_NAME).exists()
    debris = sorted(p.name for p in run.iterdir() if p.name.startswith(".") and not p.name.startswith(LOCK_NAME))
    assert debris, "the kill should have left the interrupted write behind"
    good = {name: digests(run / name) for name in complete}

    caplog.set_level(logging.INFO)
    train(tiny_config(run, *STEPS, "--resume_from_checkpoint", "latest"))
    assert f"Resumed from {run / complete[-1]} at step {complete[-1].split('-')[1]}" in caplog.text
    for name in debris:
        assert f"{run / name}, left by an interrupted write" in caplog.text
    assert not [p.name for p in run.iterdir() if p.name.startswith(".")]
    assert {name: digests(run / name) for name in complete} == good
    assert load_pipeline(run / "pipeline")(1, num_inference_steps=2).series.shape == (1, 32, 1)


KILL_DURING_REPLACE = """
import os, signal, sys
from ts_diffusion_wavelet.atomic import replace_directory
real_rename = os.rename
calls = []
def rename(source, target):
    real_rename(source, target)
    calls.append(target)
    if len(calls) == 1:  # the old folder is aside, the new one not yet in place
        os.kill(os.getpid(), signal.SIGKILL)
os.rename = rename
replace_directory(sys.argv[1], sys.argv[2])
"""


def test_a_kill_between_the_two_renames_of_a_replace_is_undone_at_the_next_start(tmp_path):
    old, new = tmp_path / "checkpoint-4", tmp_path / ".checkpoint-4.partial"
    for folder, text in ((old, "old"), (new, "new")):
        folder.mkdir()
        (folder / "model.safetensors").write_text(text)
    result = run_command([sys.executable, "-c", KILL_DURING_REPLACE, str(new), str(old)], cwd=tmp_path)
    assert result.returncode == -signal.SIGKILL, result.stderr
    assert not old.exists()  # the one moment a checkpoint is under no complete name
    (aside,) = (p for p in tmp_path.iterdir() if p.name.endswith(".old"))
    assert recover_interrupted_writes(tmp_path) == [
        f"restored {old} from {aside.name}, left by an interrupted replace",
        f"removed {new}, left by an interrupted write",
    ]
    assert (old / "model.safetensors").read_text() == "old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["checkpoint-4"]
    replace_directory(tmp_path / "checkpoint-4", tmp_path / "checkpoint-5")  # and the ordinary case still works
    assert sorted(p.name for p in tmp_path.iterdir()) == ["checkpoint-5"]


def test_a_damaged_state_named_by_path_points_to_the_previous_checkpoint_of_the_run_beside_it(run):
    damage(run / "checkpoint-4" / STATE_FILE, "garbage")
    with pytest.raises(ValueError) as caught:
        train(tiny_config(run, *STEPS, "--resume_from_checkpoint", str(run / "checkpoint-4")))
    assert str(caught.value).startswith(f"Checkpoint {run / 'checkpoint-4'} cannot be resumed: {STATE_FILE} is not")
    assert str(caught.value).endswith(f"--resume_from_checkpoint {run / 'checkpoint-2'}.")
    # An unreadable older checkpoint does not block resuming the newer one (and is never pruned).
    shutil.copytree(run / "checkpoint-2", run / "checkpoint-1")
    (run / "checkpoint-1" / STATE_FILE).write_text("{")
    shutil.rmtree(run / "checkpoint-4")
    train(tiny_config(run, *STEPS, "--resume_from_checkpoint", "latest", "--checkpoints_total_limit", "1"))
    assert [p.name for p in list_checkpoints(run)] == ["checkpoint-1", "checkpoint-4"]
