"""Writing files and folders so that a crash mid-write never leaves a half-written result under the final name."""

from __future__ import annotations

import contextlib
import json
import os
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
