"""
Which checkpoints belong to which run. Every checkpoint records the id of the run that wrote it; a run resumes,
prunes and reports only its own, and a fresh run refuses an `output_dir` that holds another run's checkpoints
(or, with `--overwrite_output_dir true`, moves them aside into `replaced/`) instead of mixing with them.
"""

from __future__ import annotations

import logging
import os
import time
import uuid
from pathlib import Path

from .checkpointing import STATE_FILE, CheckpointRecord, describe_run, read_record, scan_checkpoints

logger = logging.getLogger(__name__)

REPLACED_FOLDER = "replaced"


class CheckpointError(ValueError):
    """A checkpoint cannot be resumed; the message names the file and the checkpoint to use instead."""


def new_run_id() -> str:
    """A fresh run id: the UTC start time (readable in messages) and a random suffix (unique)."""
    return f"{time.strftime('%Y%m%d-%H%M%S', time.gmtime())}-{uuid.uuid4().hex[:6]}"


def previous_checkpoint(path: Path, run_id: str | None) -> Path | None:
    """The newest readable checkpoint of `run_id` beside `path` that was written before it."""
    records = [r for r in scan_checkpoints(path.parent) if r.damage is None and r.run_id == run_id]
    this = next((r for r in records if r.path == path), None)
    if this is not None:
        earlier = [r for r in records if r.order < this.order]
    else:  # its state is unreadable, so its write time is unknown: go by step
        step = read_record(path).step if path.name.startswith("checkpoint-") else -1
        earlier = [r for r in records if r.step < step]
    return max(earlier, key=lambda r: r.order).path if earlier else None


def damaged_checkpoint_error(path: Path, run_id: str | None, problem: str) -> CheckpointError:
    """The error for an unusable checkpoint: the file and why, and the previous checkpoint of the same run."""
    previous = previous_checkpoint(path, run_id)
    if previous is not None:
        advice = f"Resume from the previous checkpoint instead: --resume_from_checkpoint {previous}"
    else:
        advice = (
            f"No earlier checkpoint of this run is left in {path.parent}; start a new run in another --output_dir "
            f"(or remove {path.name})"
        )
    return CheckpointError(f"Checkpoint {path} cannot be resumed: {problem}. {advice}.")


def resolve_checkpoint(output_dir: str | os.PathLike, resume_from: str) -> CheckpointRecord | None:
    """
    The checkpoint `resume_from` names: `"latest"` (the newest checkpoint of the run in `output_dir`, or `None`
    if there is none yet, so a first run can use the same command) or a path.
    """
    if resume_from != "latest":
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
        record = read_record(path)
        if record.damage is not None:  # whose it is cannot be read: assume the run of the checkpoints beside it
            beside = {r.run_id for r in scan_checkpoints(path.parent) if r.damage is None}
            raise damaged_checkpoint_error(path, beside.pop() if len(beside) == 1 else None, record.damage)
        return record
    records = scan_checkpoints(output_dir)
    if not records:
        logger.info("No checkpoint in %s yet: starting from scratch.", output_dir)
        return None
    readable = [r for r in records if r.damage is None]
    runs = sorted({r.run_id for r in readable if r.run_id is not None})
    if len(runs) > 1:
        newest = max(readable, key=lambda r: r.order)
        raise CheckpointError(
            f"{output_dir} holds checkpoints of {len(runs)} runs ({describe_groups(readable)}), so 'latest' is "
            f"ambiguous. Pass the one to continue, e.g. --resume_from_checkpoint {newest.path}"
        )
    candidates = [r for r in readable if r.run_id in runs] if runs else readable
    newest = max(candidates, key=lambda r: r.order) if candidates else None
    for record in records:
        if record.damage is not None and (newest is None or record.step > newest.step):
            raise damaged_checkpoint_error(record.path, newest.run_id if newest else None, record.damage)
    return newest


def describe_groups(records: list[CheckpointRecord]) -> str:
    """Checkpoints grouped by run, for messages: `run X: checkpoint-28, checkpoint-30; ...`."""
    groups: dict[str, list[str]] = {}
    for record in records:
        key = describe_run(record.run_id) if record.damage is None else "an unreadable state"
        groups.setdefault(key, []).append(record.path.name)
    return "; ".join(f"{run}: {', '.join(names)}" for run, names in groups.items())


def foreign_checkpoints(output_dir: str | os.PathLike, run_id: str | None, fresh: bool) -> list[CheckpointRecord]:
    """
    Checkpoints in `output_dir` this run did not write. A fresh run owns none. A resumed run owns its run id's;
    checkpoints from before run ids, and any whose state is unreadable, are left alone (a run resumed from one of
    them is their continuation) but never pruned.
    """
    records = scan_checkpoints(output_dir)
    if fresh:
        return records
    return [r for r in records if r.damage is None and r.run_id is not None and r.run_id != run_id]


def claim_output_dir(
    output_dir: str | os.PathLike, run_id: str, fresh: bool, overwrite: bool, is_main_process: bool
) -> None:
    """
    Make sure this run will not mix with another run's checkpoints in `output_dir`.

    Without `overwrite` another run's checkpoints are refused with a `ValueError` naming them and the ways out;
    with it they are moved (not deleted) to `output_dir/replaced/<time>/` by the main process, with a log line.
    Every process calls this; the check reads the disk only, so all reach the same verdict.
    """
    foreign = foreign_checkpoints(output_dir, run_id, fresh)
    if not foreign:
        return
    names = describe_groups(foreign)
    if not overwrite:
        start = "This new run" if fresh else f"This run ({describe_run(run_id)})"
        raise ValueError(
            f"{output_dir} holds checkpoints of another run ({names}). {start} would mix with them, and "
            "'latest' could later resume the wrong run. Either continue that run with --resume_from_checkpoint "
            "latest, or start afresh in another --output_dir (or delete those folders); --overwrite_output_dir "
            f"true moves them to {Path(output_dir) / REPLACED_FOLDER} and starts afresh."
        )
    if not is_main_process:
        return
    target = Path(output_dir) / REPLACED_FOLDER / time.strftime("%Y%m%d-%H%M%S", time.gmtime())
    target = target.with_name(f"{target.name}-{uuid.uuid4().hex[:4]}") if target.exists() else target
    target.mkdir(parents=True)
    for record in foreign:
        os.rename(record.path, target / record.path.name)
    logger.warning(
        "--overwrite_output_dir: moved the checkpoints of another run (%s) to %s; delete that folder to free the "
        "space.",
        names,
        target,
    )
