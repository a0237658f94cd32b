"""Writing files and folders so that a crash mid-write never leaves a half-written result under the final name."""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any


@contextlib.contextmanager
def atomic_file(path: str | os.PathLike) -> Iterator[Path]:
    """
    Yield a temporary path beside `path`; on success it replaces `path` in one rename, on error it is removed.

    A reader sees either the old file or the complete new one, never a partial write.
    """
    final = Path(path)
    final.parent.mkdir(parents=True, exist_ok=True)
    temporary = final.with_name(f".{final.name}.{uuid.uuid4().hex[:8]}.partial")
    try:
        yield temporary
        os.replace(temporary, final)
    except OSError as error:
        if error.filename is None:  # a failed write() names no file: name the one being written
            error.filename = str(final)
        raise
    finally:
        if temporary.exists():
            temporary.unlink()


@contextlib.contextmanager
def atomic_directory(path: str | os.PathLike) -> Iterator[Path]:
    """
    Yield an empty temporary folder beside `path`; on success it takes `path`'s place, on error it is removed.

    An existing folder at `path` is moved aside first and deleted only after the new one is in place, so at
    every moment either the old or the new complete folder exists (the swap itself is two renames).
    """
    final = Path(path)
    final.parent.mkdir(parents=True, exist_ok=True)
    temporary = final.with_name(f".{final.name}.{uuid.uuid4().hex[:8]}.partial")
    temporary.mkdir()
    try:
        yield temporary
        replace_directory(temporary, final)
    finally:
        if temporary.exists():
            shutil.rmtree(temporary)


def replace_directory(source: str | os.PathLike, final: str | os.PathLike) -> None:
    """
    Move the complete folder `source` to `final`. An existing `final` is renamed aside first and deleted only
    once `source` is in place, so at every moment one complete folder exists under one of the two names.
    """
    source, final = Path(source), Path(final)
    previous = None
    if final.exists():
        previous = final.with_name(f".{final.name}.{uuid.uuid4().hex[:8]}.old")
        os.rename(final, previous)
    os.rename(source, final)
    if previous is not None:
        shutil.rmtree(previous)


def write_json(path: str | os.PathLike, content: Any) -> None:
    """Write `content` as indented JSON, atomically."""
    with atomic_file(path) as temporary:
        temporary.write_text(json.dumps(content, indent=2, sort_keys=True) + "\n", encoding="utf-8")


# What atomic_file / atomic_directory / replace_directory and the checkpoint writer leave behind when killed.
_LEFTOVERS = (
    re.compile(r"^\.(?P<name>.+)\.[0-9a-f]{8}\.(?P<kind>partial|old)$"),
    re.compile(r"^\.(?P<name>checkpoint-\d+)\.(?P<kind>partial|deleting)$"),
)


def recover_interrupted_writes(folder: str | os.PathLike) -> list[str]:
    """
    Clean up after writes into `folder` that a kill interrupted, and say what was done (one line each).

    - `.NAME.<id>.partial`, `.checkpoint-N.partial` (writes that never finished) and `.checkpoint-N.deleting` (a
      delete that never finished) are removed.
    - `.NAME.<id>.old` is the previous `NAME`, renamed aside by [`replace_directory`]: it is renamed back when the
      kill came before the new `NAME` took its place, and removed otherwise.
    """
    done: list[str] = []
    root = Path(folder)
    if not root.is_dir():
        return done
    for entry in sorted(root.iterdir()):
        match = next((found for pattern in _LEFTOVERS if (found := pattern.match(entry.name))), None)
        if match is None:
            continue
        final = root / match.group("name")
        if match.group("kind") == "old" and not final.exists():
            os.rename(entry, final)
            done.append(f"restored {final} from {entry.name}, left by an interrupted replace")
            continue
        if entry.is_dir() and not entry.is_symlink():
            shutil.rmtree(entry, ignore_errors=True)
        else:
            entry.unlink(missing_ok=True)
        done.append(f"removed {entry}, left by an interrupted write")
    return done
