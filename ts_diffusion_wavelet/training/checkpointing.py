"""
Resumable checkpoints: written atomically, stamped with the run that wrote them, capped in number (this run's
only), and listed with what their `training_state.json` says.

A checkpoint folder `checkpoint-N` is complete iff it holds `training_state.json`, written last (with the run id,
the time and a manifest of every other file's size and SHA-256) before the folder is renamed from
`.checkpoint-N.partial`.
"""

from __future__ import annotations

import json
import logging
import math
import os
import re
import shutil
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import torch
from accelerate import Accelerator
from accelerate.utils import gather_object
from diffusers.training_utils import EMAModel

from ..atomic import replace_directory, write_json
from ..write_errors import WRITE_ERRORS, WriteFailedError, describe_write_failure, is_write_failure
from .checkpoint_integrity import file_manifest
from .ema_state import DamagedFileError, save_ema

logger = logging.getLogger(__name__)

CHECKPOINT_PATTERN = re.compile(r"^checkpoint-(\d+)$")
STATE_FILE = "training_state.json"  # written last: its presence marks a complete checkpoint
CONFIG_FILE = "training_config.json"
REPRESENTATION_FILE = "representation.json"
STATE_FORMAT = 2  # 1 (no key): before run ids, manifests and the EMA as safetensors

# Invariant options added after checkpoints were first written, with the value older checkpoints trained with.
ADDED_OPTION_DEFAULTS = {"channels": "joint"}
# Options a resumed run must share with the checkpoint: they fix the model's shape, the data and its order.
RESUME_INVARIANT_OPTIONS = (
    "data",
    "label_column",
    "label_rule",
    "regimes",
    "label_dropout",
    "columns",
    "time_column",
    "target_transform",
    "scaling",
    "categorical",
    "window_size",
    "stride",
    "validation_fraction",
    "input_scale",
    "representation",
    "window_scale",
    "scale_width",
    "channels",
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
class CheckpointRecord:
    """
    What `training_state.json` says about a checkpoint folder: the run that wrote it (`None` before run ids),
    when, and the manifest of its files. `damage` is set instead when the state file cannot be read.
    """

    path: Path
    step: int
    run_id: str | None = None
    saved_at: float | None = None
    state: TrainingState = field(default_factory=TrainingState)
    files: dict[str, Any] | None = None
    damage: str | None = None

    @property
    def order(self) -> tuple[float, int]:
        """Sort key, oldest first: the write time (a step saved again after a resume is newer), then the step."""
        return (self.saved_at if self.saved_at is not None else -math.inf, self.step)


def read_state_file(path: Path) -> dict[str, Any]:
    """
    Parse and check a `training_state.json`.

    Raises:
        DamagedFileError: it is unreadable, not JSON, or lacks the step counters.
    """
    try:
        values = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        raise DamagedFileError(STATE_FILE, f"is not readable JSON ({error})") from None

    def is_count(value: Any) -> bool:
        return isinstance(value, int) and not isinstance(value, bool) and value >= 0

    counters = ("global_step", "epoch", "batch_in_epoch")
    if not isinstance(values, dict) or not all(is_count(values.get(name)) for name in counters):
        raise DamagedFileError(STATE_FILE, f"lacks the step counters {list(counters)} as counts")
    if not isinstance(values.get("run_id", ""), (str, type(None))) or not isinstance(values.get("files", {}), dict):
        raise DamagedFileError(STATE_FILE, "has a run_id or files entry of the wrong type")
    return values


def read_record(path: Path) -> CheckpointRecord:
    """The [`CheckpointRecord`] of one complete checkpoint folder (with `damage` set when it is unreadable)."""
    match = CHECKPOINT_PATTERN.match(path.name)
    step = int(match.group(1)) if match else -1
    try:
        values = read_state_file(path / STATE_FILE)
    except DamagedFileError as damaged:
        return CheckpointRecord(path, step, damage=str(damaged))
    step = step if match else values["global_step"]
    saved_at = values.get("saved_at")
    return CheckpointRecord(
        path,
        step,
        run_id=values.get("run_id"),
        saved_at=float(saved_at) if isinstance(saved_at, (int, float)) else None,
        state=TrainingState(values["global_step"], values["epoch"], values["batch_in_epoch"]),
        files=values.get("files"),
    )


def scan_checkpoints(output_dir: str | os.PathLike) -> list[CheckpointRecord]:
    """Complete checkpoints in `output_dir` (any run), by step; partial writes are ignored."""
    folder = Path(output_dir)
    if not folder.is_dir():
        return []
    found = [
        entry for entry in folder.iterdir() if CHECKPOINT_PATTERN.match(entry.name) and (entry / STATE_FILE).is_file()
    ]
    return sorted((read_record(path) for path in found), key=lambda record: record.step)


def list_checkpoints(output_dir: str | os.PathLike) -> list[Path]:
    """Complete checkpoints in `output_dir` (any run), oldest step first."""
    return [record.path for record in scan_checkpoints(output_dir)]


def describe_run(run_id: str | None) -> str:
    """A run id as the messages name it."""
    return f"run {run_id}" if run_id else "a run from before run ids"


def save_checkpoint(
    accelerator: Accelerator,
    output_dir: str | os.PathLike,
    state: TrainingState,
    run_id: str,
    config: dict[str, Any],
    representation: dict[str, Any],
    total_limit: int | None,
    model: torch.nn.Module,
    optimizer: torch.optim.Optimizer,
    ema: EMAModel | None,
) -> Path:
    """
    Save model, optimizer, lr schedule, RNG states (Accelerate), the EMA (safetensors + JSON) and `state`, then
    rename the folder into place and drop this run's oldest checkpoints beyond `total_limit`.

    Every process must call this (Accelerate gathers state from all of them); only the main process writes the
    rest, renames and prunes. A failed write on any process removes the partial folder and raises the same
    [`WriteFailedError`] everywhere, naming the folder, the reason and the space needed; earlier checkpoints are
    untouched.
    """
    final = Path(output_dir) / f"checkpoint-{state.global_step}"
    partial = Path(output_dir) / f".checkpoint-{state.global_step}.partial"
    if accelerator.is_main_process and partial.exists():
        shutil.rmtree(partial)
    accelerator.wait_for_everyone()

    def fail_if_any(error: BaseException | None) -> None:
        # A collective: every process learns whether any write failed, so none waits forever for the others.
        local = None
        earlier = [r for r in scan_checkpoints(output_dir) if r.run_id == run_id and r.damage is None]
        last = max(earlier, key=lambda r: r.order) if earlier else None
        if error is not None:
            # The last checkpoint's size is exact; without one, the tensors' bytes are a lower bound.
            needed = _checkpoint_bytes(last) if last is not None else estimate_checkpoint_bytes(model, optimizer, ema)
            reason = describe_write_failure(error, output_dir, needed)
            local = f"{_file_being_written(error, partial)} failed: {reason}"
        reasons = [reason for reason in gather_object([local]) if reason is not None]
        if not reasons:
            return
        if accelerator.is_main_process:
            shutil.rmtree(partial, ignore_errors=True)
        kept = f"{last.path.name} is intact" if last is not None else "no earlier checkpoint of this run exists"
        raise WriteFailedError(
            f"Could not write checkpoint {final} (writing {reasons[0]}). The partial folder {partial.name} was "
            f"removed and {kept}. Free some space (or use another --output_dir), then continue with "
            "--resume_from_checkpoint latest."
        )

    # 1. Accelerate's files: model, optimizer, lr schedule; every process writes its own RNG state.
    fail_if_any(_attempt(lambda: accelerator.save_state(str(partial))))
    # 2. The main process adds the EMA, the config and, last, the state with the manifest; then renames.
    error = None
    if accelerator.is_main_process:

        def finish() -> None:
            if ema is not None:
                save_ema(ema, model, partial)
            write_json(partial / CONFIG_FILE, config)
            write_json(partial / REPRESENTATION_FILE, representation)
            record = {
                **asdict(state),
                "format": STATE_FORMAT,
                "run_id": run_id,
                "saved_at": time.time(),
                "files": file_manifest(partial, skip=STATE_FILE),
            }
            write_json(partial / STATE_FILE, record)
            # The same step can be saved again (resuming from an older checkpoint): the new copy replaces it.
            replace_directory(partial, final)

        error = _attempt(finish)
    fail_if_any(error)
    if accelerator.is_main_process:
        _prune(output_dir, run_id, final, total_limit)
        logger.info("Saved checkpoint %s", final)
    accelerator.wait_for_everyone()
    return final


def _file_being_written(error: BaseException, partial: Path) -> str:
    """The file a failed write was on: the one the error names, else the newest in the partial folder."""
    named = getattr(error, "filename", None)
    if named:
        return Path(named).name
    files = [path for path in partial.iterdir() if path.is_file()] if partial.is_dir() else []
    return max(files, key=lambda path: path.stat().st_mtime_ns).name if files else "the first file"


def _attempt(write: Any) -> BaseException | None:
    """Run `write`; a failed write is returned (to be reported on every process), any other error is raised."""
    try:
        write()
    except WRITE_ERRORS as error:
        if not is_write_failure(error):
            raise
        return error
    return None


def _checkpoint_bytes(record: CheckpointRecord) -> int:
    """Bytes a complete checkpoint takes on disk."""
    return sum(path.stat().st_size for path in record.path.iterdir() if path.is_file())


def estimate_checkpoint_bytes(model: torch.nn.Module, optimizer: torch.optim.Optimizer, ema: EMAModel | None) -> int:
    """Bytes the tensors of a checkpoint take: model weights, optimizer state and EMA weights."""

    def size(tensors: Any) -> int:
        return sum(t.numel() * t.element_size() for t in tensors if isinstance(t, torch.Tensor))

    total = size(model.state_dict().values())
    for values in optimizer.state_dict()["state"].values():
        total += size(values.values())
    if ema is not None:
        total += size(ema.shadow_params)
    return total


def _prune(output_dir: str | os.PathLike, run_id: str, keep: Path, total_limit: int | None) -> None:
    """Delete this run's oldest checkpoints beyond `total_limit`; never `keep` (just written) nor another run's."""
    if total_limit is None:
        return
    own = sorted((r for r in scan_checkpoints(output_dir) if r.run_id == run_id), key=lambda r: r.order)
    older = [record for record in own if record.path != keep]
    for record in older[: max(0, len(own) - total_limit)]:
        logger.info("Removing %s (checkpoints_total_limit=%d)", record.path, total_limit)
        # Renamed first, so a kill mid-delete leaves no half-deleted folder under a checkpoint's name.
        doomed = record.path.with_name(f".{record.path.name}.deleting")
        try:
            os.rename(record.path, doomed)
            shutil.rmtree(doomed)
        except OSError as error:
            logger.warning("Could not remove %s (%s); delete it by hand.", record.path, error)


def check_resume_compatible(saved: dict[str, Any], current: dict[str, Any], path: Path) -> None:
    """Refuse to resume when options that shape the model, the data or its order differ from the checkpoint's."""
    saved = {**ADDED_OPTION_DEFAULTS, **saved}  # a checkpoint from before an option ran with its default
    changed = [name for name in RESUME_INVARIANT_OPTIONS if saved.get(name) != current.get(name)]
    if changed:
        details = ", ".join(f"{name}: {saved.get(name)!r} -> {current.get(name)!r}" for name in changed)
        raise ValueError(
            f"Cannot resume from {path}: these options differ from the checkpoint's ({details}). Use the checkpoint's "
            "values, or start a new run in another --output_dir."
        )
