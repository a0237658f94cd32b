"""Resumable checkpoints: written atomically, capped in number, found again by 'latest'."""

from __future__ import annotations

import json
import logging
import os
import re
import shutil
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from accelerate import Accelerator

from ..atomic import replace_directory, write_json

logger = logging.getLogger(__name__)

CHECKPOINT_PATTERN = re.compile(r"^checkpoint-(\d+)$")
STATE_FILE = "training_state.json"  # written last: its presence marks a complete checkpoint
CONFIG_FILE = "training_config.json"
REPRESENTATION_FILE = "representation.json"

# Options a resumed run must share with the checkpoint: they fix the model's shape, the data and its order.
RESUME_INVARIANT_OPTIONS = (
    "data",
    "columns",
    "time_column",
    "target_transform",
    "scaling",
    "categorical",
    "window_size",
    "stride",
    "validation_fraction",
    "representation",
    "wavelet",
    "num_scales",
    "image_size",
    "image_width",
    "time_layout",
    "detrend",
    "model_preset",
    "num_train_timesteps",
    "beta_schedule",
    "prediction_type",
    "train_batch_size",
    "gradient_accumulation_steps",
    "seed",
    "use_ema",
)


@dataclass
class TrainingState:
    """Where training stands: optimizer steps done, and the epoch and batch the next step starts from."""

    global_step: int = 0
    epoch: int = 0
    batch_in_epoch: int = 0


@dataclass
class Checkpoint:
    """A complete checkpoint folder and what it records."""

    path: Path
    state: TrainingState
    config: dict[str, Any]
    representation: dict[str, Any]


def list_checkpoints(output_dir: str | os.PathLike) -> list[Path]:
    """Complete checkpoints in `output_dir`, oldest first (partial writes are ignored)."""
    folder = Path(output_dir)
    if not folder.is_dir():
        return []
    found = []
    for entry in folder.iterdir():
        match = CHECKPOINT_PATTERN.match(entry.name)
        if match and (entry / STATE_FILE).is_file():
            found.append((int(match.group(1)), entry))
    return [path for _, path in sorted(found)]


def remove_partial_checkpoints(output_dir: str | os.PathLike) -> None:
    """Delete leftovers of checkpoint writes that were interrupted (a crash or a kill mid-save)."""
    folder = Path(output_dir)
    if folder.is_dir():
        for entry in folder.iterdir():
            if entry.name.startswith(".checkpoint-") and entry.name.endswith(".partial"):
                logger.warning("Removing %s, left by an interrupted checkpoint write.", entry)
                shutil.rmtree(entry, ignore_errors=True)


def save_checkpoint(
    accelerator: Accelerator,
    output_dir: str | os.PathLike,
    state: TrainingState,
    config: dict[str, Any],
    representation: dict[str, Any],
    total_limit: int | None,
) -> Path:
    """
    Save model, optimizer, lr schedule, EMA and RNG states plus `state`, then rename the folder into place.

    Every process must call this (Accelerate gathers state from all of them); only the main process renames and
    prunes. The oldest checkpoints beyond `total_limit` are deleted after the new one is complete.
    """
    final = Path(output_dir) / f"checkpoint-{state.global_step}"
    partial = Path(output_dir) / f".checkpoint-{state.global_step}.partial"
    if accelerator.is_main_process and partial.exists():
        shutil.rmtree(partial)
    accelerator.wait_for_everyone()
    accelerator.save_state(str(partial))
    accelerator.wait_for_everyone()
    if accelerator.is_main_process:
        write_json(partial / CONFIG_FILE, config)
        write_json(partial / REPRESENTATION_FILE, representation)
        write_json(partial / STATE_FILE, asdict(state))
        # The same step can be saved again (resuming from an older checkpoint): the new copy replaces it.
        replace_directory(partial, final)
        _prune(output_dir, total_limit)
        logger.info("Saved checkpoint %s", final)
    accelerator.wait_for_everyone()
    return final


def _prune(output_dir: str | os.PathLike, total_limit: int | None) -> None:
    if total_limit is None:
        return
    checkpoints = list_checkpoints(output_dir)
    for old in checkpoints[: max(0, len(checkpoints) - total_limit)]:
        logger.info("Removing %s (checkpoints_total_limit=%d)", old, total_limit)
        shutil.rmtree(old)


def resolve_checkpoint(output_dir: str | os.PathLike, resume_from: str) -> Path | None:
    """
    The checkpoint folder `resume_from` names: `"latest"` (the newest complete one, or `None` if there is none
    yet, so a first run can use the same command) or a path.
    """
    if resume_from == "latest":
        checkpoints = list_checkpoints(output_dir)
        if not checkpoints:
            logger.info("No checkpoint in %s yet: starting from scratch.", output_dir)
            return None
        return checkpoints[-1]
    path = Path(resume_from)
    if not path.is_dir():
        raise FileNotFoundError(
            f"--resume_from_checkpoint {resume_from!r} is not a folder; pass 'latest' or a checkpoint-N folder "
            f"from {output_dir}."
        )
    if not (path / STATE_FILE).is_file():
        raise ValueError(
            f"{str(path)!r} is not a complete checkpoint ({STATE_FILE} is missing: the write was interrupted or "
            "it is another kind of folder); use an earlier one or 'latest'."
        )
    return path


def read_checkpoint(path: Path) -> Checkpoint:
    """Read what a checkpoint records besides the Accelerate state."""

    def load(name: str) -> dict[str, Any]:
        try:
            return json.loads((path / name).read_text(encoding="utf-8"))
        except (OSError, json.JSONDecodeError) as error:
            raise ValueError(f"Checkpoint {path} is unreadable ({name}: {error}); use an earlier one.") from None

    return Checkpoint(path, TrainingState(**load(STATE_FILE)), load(CONFIG_FILE), load(REPRESENTATION_FILE))


def check_resume_compatible(saved: dict[str, Any], current: dict[str, Any], path: Path) -> None:
    """Refuse to resume when options that shape the model, the data or its order differ from the checkpoint's."""
    changed = [name for name in RESUME_INVARIANT_OPTIONS if saved.get(name) != current.get(name)]
    if changed:
        details = ", ".join(f"{name}: {saved.get(name)!r} -> {current.get(name)!r}" for name in changed)
        raise ValueError(
            f"Cannot resume from {path}: these options differ from the checkpoint's ({details}). Use the checkpoint's "
            "values, or start a new run in another --output_dir."
        )
