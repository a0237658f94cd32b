"""
Resuming from a checkpoint: read what it records, check every file before loading any, and load with loaders
that run no code. Every failure names the file and the previous checkpoint of the same run.
"""

from __future__ import annotations

import logging
import os
import re
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import torch
from accelerate import Accelerator
from diffusers.training_utils import EMAModel

from .checkpoint_integrity import probe_files, verify_manifest
from .checkpoint_runs import damaged_checkpoint_error
from .checkpointing import CONFIG_FILE, REPRESENTATION_FILE, CheckpointRecord, TrainingState
from .ema_state import DamagedFileError, load_ema, read_checkpoint_json

logger = logging.getLogger(__name__)

_CUSTOM_STATE = re.compile(r"^custom_checkpoint_\d+\.pkl$")


@dataclass
class Checkpoint:
    """A complete checkpoint folder and what it records."""

    path: Path
    state: TrainingState
    run_id: str | None  # None: written before run ids
    files: dict[str, Any] | None  # the manifest; None before manifests
    config: dict[str, Any]
    representation: dict[str, Any]


def read_checkpoint(record: CheckpointRecord) -> Checkpoint:
    """
    Read what a checkpoint records besides the tensors, and check its files against the manifest (or, for a
    checkpoint from before manifests, read each one safely).

    Raises:
        CheckpointError: a file is missing, damaged or unsafe; the message names it and the previous checkpoint.
    """
    try:
        config, representation = (_read_json(record.path / name) for name in (CONFIG_FILE, REPRESENTATION_FILE))
        if record.files is not None:
            verify_manifest(record.path, record.files)
        else:
            probe_files(record.path)
    except DamagedFileError as damaged:
        raise damaged_checkpoint_error(record.path, record.run_id, str(damaged)) from None
    return Checkpoint(record.path, record.state, record.run_id, record.files, config, representation)


def _read_json(path: Path) -> dict[str, Any]:
    values = read_checkpoint_json(path)
    if not isinstance(values, dict):
        raise DamagedFileError(path.name, "is not a JSON object")
    return values


def load_checkpoint(
    accelerator: Accelerator, checkpoint: Checkpoint, model: torch.nn.Module, ema: EMAModel | None
) -> None:
    """
    Load model, optimizer, lr schedule and RNG states through Accelerate, and the EMA from its own files.

    `model` is the unwrapped model (the EMA's weights are named after its parameters).

    Raises:
        CheckpointError: a file cannot be loaded; the message names it and the previous checkpoint.
    """
    try:
        # Accelerate skips unreadable RNG states with an info line; a damaged one should be said.
        probe_files(checkpoint.path, "random_states_*.pkl")
        _load_accelerate_state(accelerator, checkpoint.path)
        if ema is not None:
            load_ema(ema, model, checkpoint.path)
            ema.to(accelerator.device)  # loaded on the CPU
    except DamagedFileError as damaged:
        raise damaged_checkpoint_error(checkpoint.path, checkpoint.run_id, str(damaged)) from None


def _load_accelerate_state(accelerator: Accelerator, path: Path) -> None:
    """
    `accelerator.load_state(path)`, shown a view of the folder without `custom_checkpoint_*.pkl`: Accelerate would
    unpickle those with `weights_only=False`. A failure is traced to the file by reading each one safely.
    """
    view = None
    if any(_CUSTOM_STATE.match(entry.name) for entry in path.iterdir()):
        view = Path(tempfile.mkdtemp(prefix="tsdw-checkpoint-"))
        for entry in path.iterdir():
            if not _CUSTOM_STATE.match(entry.name):
                _link(entry.resolve(), view / entry.name)
    try:
        accelerator.load_state(str(view or path))
    except Exception as error:  # torch, safetensors and Accelerate raise many kinds
        probe_files(path)  # raises DamagedFileError naming the file when one is damaged
        first_line = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
        raise DamagedFileError("its Accelerate state", f"could not be loaded ({first_line})") from None
    finally:
        if view is not None:
            shutil.rmtree(view, ignore_errors=True)


def _link(source: Path, target: Path) -> None:
    try:
        os.symlink(source, target)
    except OSError:  # no symlinks here (some Windows setups): copy instead
        shutil.copy2(source, target)
