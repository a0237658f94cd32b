"""
The EMA inside a checkpoint as safetensors (the averaged weights, named like the model's) plus JSON (its step and
decay settings): nothing in it is unpickled, so a checkpoint from someone else cannot run code when resumed.

Accelerate's `register_for_checkpointing` would pickle the EMA to `custom_checkpoint_0.pkl` and load it back with
`weights_only=False`. Checkpoints written that way (before run ids) are still read, with `weights_only=True`.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import torch
from accelerate.utils import load as accelerate_load
from diffusers.training_utils import EMAModel
from safetensors.torch import load_file, save_file

from ..atomic import write_json

EMA_WEIGHTS_FILE = "ema.safetensors"
EMA_SETTINGS_FILE = "ema.json"
LEGACY_EMA_FILE = "custom_checkpoint_0.pkl"
_SETTINGS = ("decay", "min_decay", "optimization_step", "update_after_step", "use_ema_warmup", "inv_gamma", "power")


class DamagedFileError(ValueError):
    """One file of a checkpoint cannot be used; `name` is the file, `problem` says why."""

    def __init__(self, name: str, problem: str) -> None:
        super().__init__(f"{name} {problem}")
        self.name = name
        self.problem = problem


def save_ema(ema: EMAModel, model: torch.nn.Module, folder: Path) -> None:
    """Write `ema`'s averaged weights under `model`'s parameter names, and its settings as JSON."""
    names = [name for name, _ in model.named_parameters()]
    tensors = {name: shadow.detach().cpu().contiguous() for name, shadow in zip(names, ema.shadow_params, strict=True)}
    save_file(tensors, str(folder / EMA_WEIGHTS_FILE))
    write_json(folder / EMA_SETTINGS_FILE, {name: getattr(ema, name) for name in _SETTINGS})


def load_ema(ema: EMAModel, model: torch.nn.Module, folder: Path) -> None:
    """
    Restore `ema` from `folder` (this format, or the legacy pickle read with `weights_only=True`).

    Raises:
        DamagedFileError: a file is missing, unreadable, or holds weights for another model.
    """
    if not (folder / EMA_WEIGHTS_FILE).is_file() and (folder / LEGACY_EMA_FILE).is_file():
        ema.load_state_dict(_read_legacy(folder / LEGACY_EMA_FILE))
        return
    settings = _read_settings(folder / EMA_SETTINGS_FILE)
    try:
        tensors = load_file(str(folder / EMA_WEIGHTS_FILE))
    except FileNotFoundError:
        raise DamagedFileError(EMA_WEIGHTS_FILE, "is missing (the EMA weights)") from None
    except Exception as error:  # safetensors reports damage as SafetensorError or OSError
        raise DamagedFileError(EMA_WEIGHTS_FILE, f"cannot be read ({_first_line(error)})") from None
    parameters = dict(model.named_parameters())
    missing = sorted(set(parameters) - set(tensors))
    wrong = [name for name in parameters if name in tensors and tensors[name].shape != parameters[name].shape]
    if missing or wrong or len(tensors) != len(parameters):
        raise DamagedFileError(
            EMA_WEIGHTS_FILE,
            f"holds weights for another model (missing {missing[:3]}, other shapes {wrong[:3]}, "
            f"{len(tensors)} tensors for {len(parameters)} parameters)",
        )
    ema.load_state_dict({**settings, "shadow_params": [tensors[name] for name in parameters]})


def read_checkpoint_json(path: Path, missing: str = "is missing") -> Any:
    """A checkpoint's JSON file, parsed; a missing or unreadable one is a [`DamagedFileError`] naming it."""
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise DamagedFileError(path.name, missing) from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        raise DamagedFileError(path.name, f"is not readable JSON ({error})") from None


def _read_settings(path: Path) -> dict[str, Any]:
    settings = read_checkpoint_json(path, "is missing (the EMA's step and decay)")
    if not isinstance(settings, dict) or set(_SETTINGS) - set(settings):
        raise DamagedFileError(path.name, f"lacks the EMA settings {sorted(_SETTINGS)}")
    return {name: settings[name] for name in _SETTINGS}


def _read_legacy(path: Path) -> dict[str, Any]:
    try:
        state = accelerate_load(path, map_location="cpu", weights_only=True)
    except Exception as error:  # torch raises UnpicklingError, RuntimeError or EOFError for damaged files
        raise DamagedFileError(path.name, describe_torch_load_error(error)) from None
    if not isinstance(state, dict) or not isinstance(state.get("shadow_params"), list):
        raise DamagedFileError(path.name, "is not an EMA state (no list of shadow_params)")
    return state


def describe_torch_load_error(error: BaseException) -> str:
    """Why `torch.load(..., weights_only=True)` refused a file: code it would not run, or damage."""
    if "Weights only load failed" in str(error):
        return (
            "holds Python objects other than tensors and numbers, so it was not unpickled (unpickling it could run "
            "code); resume only from checkpoints you made or trust"
        )
    return f"cannot be read: it is truncated or not a torch file ({_first_line(error)})"


def _first_line(error: BaseException) -> str:
    text = str(error).strip()
    return text.splitlines()[0] if text else type(error).__name__
