"""
One training run per `output_dir` at a time.

Two runs writing into one folder would move or prune each other's checkpoints and overwrite each other's
pipeline. The first run's main process holds an OS file lock on `output_dir/.training.lock` until it ends (the
operating system releases it if the process dies, so a killed run never leaves a stale lock); a second run stops at
once with an error naming the holder, before it touches anything.
"""

from __future__ import annotations

import contextlib
import json
import os
import socket
import time
from collections.abc import Iterator
from pathlib import Path

from filelock import FileLock, Timeout

LOCK_NAME = ".training.lock"
OWNER_NAME = ".training.lock.json"  # who holds the lock, for the error message (the lock file itself is emptied)


class OutputDirBusyError(RuntimeError):
    """Another training run holds the output folder."""


def is_main_launch_process() -> bool:
    """True on the process of global rank 0 (or when not launched as several processes)."""
    return int(os.environ.get("RANK", "0")) == 0


@contextlib.contextmanager
def output_dir_lock(output_dir: str | os.PathLike, enabled: bool = True) -> Iterator[None]:
    """
    Hold `output_dir` for this run while the block runs (a no-op when `enabled` is False, on the other processes).

    Raises:
        `OutputDirBusyError`: another run holds it; the message says which process, on which host, since when.
    """
    if not enabled:
        yield
        return
    folder = Path(output_dir)
    folder.mkdir(parents=True, exist_ok=True)
    lock = FileLock(folder / LOCK_NAME, timeout=0)
    try:
        lock.acquire()
    except Timeout:
        raise OutputDirBusyError(
            f"Another training run is writing to {folder} ({_describe_owner(folder)}). Wait for it to finish, "
            "stop it, or pass another --output_dir."
        ) from None
    try:
        owner = {"pid": os.getpid(), "host": socket.gethostname(), "since": time.strftime("%Y-%m-%d %H:%M:%S")}
        (folder / OWNER_NAME).write_text(json.dumps(owner))
        yield
    finally:
        # Both files go while the lock is still held, so a finished run leaves the folder as it found it; a second
        # run never waits on the lock (timeout 0), so it cannot be holding the old file when it disappears.
        for name in (OWNER_NAME, LOCK_NAME):
            with contextlib.suppress(OSError):
                (folder / name).unlink()
        lock.release()


def _describe_owner(folder: Path) -> str:
    try:
        owner = json.loads((folder / OWNER_NAME).read_text())
        return f"process {owner['pid']} on {owner['host']}, since {owner['since']}"
    except (OSError, ValueError, KeyError, TypeError):
        return f"it holds {folder / LOCK_NAME}"
