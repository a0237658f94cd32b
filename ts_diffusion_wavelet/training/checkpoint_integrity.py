"""
Is every file of a checkpoint the one that was written? A manifest of sizes and SHA-256 digests, recorded in
`training_state.json` when the checkpoint is saved and checked before anything is loaded, names the truncated or
altered file. Checkpoints from before the manifest are checked by reading each file with a loader that runs no code.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

from accelerate.utils import load as accelerate_load
from safetensors.torch import load_file

from .ema_state import DamagedFileError, describe_torch_load_error

_CHUNK = 1 << 20


def file_digest(path: Path) -> str:
    """SHA-256 of a file, read in chunks."""
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        while chunk := stream.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def file_manifest(folder: Path, skip: str) -> dict[str, dict[str, Any]]:
    """Size and SHA-256 of every file in `folder` but `skip` (the state file that will hold the manifest)."""
    return {
        path.name: {"bytes": path.stat().st_size, "sha256": file_digest(path)}
        for path in sorted(folder.iterdir())
        if path.is_file() and path.name != skip
    }


def verify_manifest(folder: Path, manifest: dict[str, Any]) -> None:
    """
    Check each file against what was written.

    Raises:
        DamagedFileError: a file is missing, shorter or longer than written, or its bytes changed.
    """
    for name, expected in sorted(manifest.items()):
        path = folder / name
        if not path.is_file():
            raise DamagedFileError(name, "is missing")
        size = path.stat().st_size
        if size != expected["bytes"]:
            kind = "truncated" if size < expected["bytes"] else "longer than written"
            raise DamagedFileError(name, f"is {kind}: {size:,} bytes where {expected['bytes']:,} were written")
        if file_digest(path) != expected["sha256"]:
            raise DamagedFileError(name, "does not match the SHA-256 recorded when it was written (its bytes changed)")


def probe_file(path: Path) -> None:
    """
    Read one checkpoint file the way the loader will, without running code: safetensors, `weights_only` torch
    files (what Accelerate writes), JSON.

    Raises:
        DamagedFileError: the file cannot be read, or holds objects a safe load refuses.
    """
    if path.suffix == ".safetensors":
        try:
            load_file(str(path))
        except Exception as error:  # SafetensorError or OSError, depending on the damage
            raise DamagedFileError(path.name, f"cannot be read ({str(error).strip()})") from None
    elif path.suffix in (".bin", ".pkl", ".pt"):
        try:
            accelerate_load(path, map_location="cpu", weights_only=True)
        except Exception as error:  # UnpicklingError, RuntimeError, EOFError...
            raise DamagedFileError(path.name, describe_torch_load_error(error)) from None
    elif path.suffix == ".json":
        try:
            json.loads(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
            raise DamagedFileError(path.name, f"is not readable JSON ({error})") from None


def probe_files(folder: Path, pattern: str = "*") -> None:
    """[`probe_file`] on every file of `folder` matching `pattern`, in name order."""
    for path in sorted(folder.glob(pattern)):
        if path.is_file():
            probe_file(path)
