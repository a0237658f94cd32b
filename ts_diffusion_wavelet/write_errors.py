"""
Failed writes said plainly: which folder, why (full disk, quota, permissions) and how much space was needed.

The writers under a checkpoint report a full disk three ways: Python's `OSError` with an errno, safetensors'
`SafetensorError` with "os error 28" in its text, and torch's zip writer with a bare
`RuntimeError: [enforce fail at inline_container.cc:...] unexpected pos` that has no errno at all. The first two
carry the reason; for the third the free space on the disk is the evidence.
"""

from __future__ import annotations

import errno
import os
import re
import shutil
from pathlib import Path

from safetensors import SafetensorError

# What the writers raise when a write fails; anything else is not a write failure and passes through untouched.
WRITE_ERRORS: tuple[type[BaseException], ...] = (OSError, RuntimeError, SafetensorError)

_TORCH_WRITER_FAILURE = ("inline_container", "PytorchStreamWriter", "file write failed")
_SPACE_ERRNOS = {errno.ENOSPC, errno.EDQUOT, errno.EFBIG}
_PLAIN_REASONS = {
    errno.ENOSPC: "the disk is full",
    errno.EDQUOT: "the disk quota is exceeded",
    errno.EFBIG: "a file grew past the file-size limit",
    errno.EACCES: "permission denied",
    errno.EPERM: "the operation is not permitted",
    errno.EROFS: "the file system is read-only",
}


class WriteFailedError(OSError):
    """A checkpoint or pipeline could not be written; the message says where, why and what was cleaned up."""


def is_write_failure(error: BaseException) -> bool:
    """Whether `error` is a writer reporting a failed write (and not, say, a shape error raised mid-save)."""
    if isinstance(error, OSError):
        return True
    if isinstance(error, SafetensorError):
        return "os error" in str(error) or "I/O error" in str(error)
    if isinstance(error, RuntimeError):
        return any(marker in str(error) for marker in _TORCH_WRITER_FAILURE)
    return False


def error_number(error: BaseException) -> int | None:
    """The errno behind a failed write, when the writer kept it."""
    if isinstance(error, OSError) and error.errno is not None:
        return error.errno
    found = re.search(r"os error (\d+)", str(error))
    return int(found.group(1)) if found else None


def format_bytes(count: float) -> str:
    """`count` bytes as a short human figure (`"12.3 MB"`)."""
    for unit in ("bytes", "KB", "MB", "GB"):
        if count < 1000 or unit == "GB":
            return f"{count:.0f} {unit}" if unit == "bytes" else f"{count:.1f} {unit}"
        count /= 1000
    return f"{count:.1f} TB"  # pragma: no cover


def free_bytes(folder: str | os.PathLike) -> int | None:
    """Free space on the disk holding `folder` (its nearest existing parent), or None when it cannot be read."""
    path = Path(folder)
    while not path.exists() and path != path.parent:
        path = path.parent
    try:
        return shutil.disk_usage(path).free
    except OSError:
        return None


def describe_write_failure(error: BaseException, folder: str | os.PathLike, needed_bytes: int | None) -> str:
    """
    Why a write into `folder` failed, in words: the errno's meaning and name, and for a space problem (or torch's
    errno-less writer failure) the space needed beside the space free.
    """
    number = error_number(error)
    if number is not None:
        code = errno.errorcode.get(number, str(number))
        reason = f"{_PLAIN_REASONS.get(number, os.strerror(number))} ({code}: {os.strerror(number)})"
    else:
        first_line = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
        reason = f"the file writer stopped short ({first_line!r})"
    if number is None or number in _SPACE_ERRNOS:
        free = free_bytes(folder)
        space = [f"it needs about {format_bytes(needed_bytes)}" if needed_bytes else None]
        space.append(f"the disk has {format_bytes(free)} free" if free is not None else None)
        known = [part for part in space if part]
        if known:
            reason += "; " + " and ".join(known)
        if number is None and needed_bytes and free is not None and free < needed_bytes:
            reason += ": the disk is full"
    return reason
