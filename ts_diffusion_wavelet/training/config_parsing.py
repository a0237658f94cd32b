"""Reading a [`TrainingConfig`] from the command line, a YAML/JSON file or a dict, with clear errors."""

from __future__ import annotations

import dataclasses
import difflib
import json
import sys
import types
import typing
from pathlib import Path
from typing import Any

from .config import TrainingConfig

_TRUE = {"true", "1", "yes", "on"}
_FALSE = {"false", "0", "no", "off"}
_NONE = {"none", "null"}


def _fields() -> dict[str, dataclasses.Field]:
    return {f.name: f for f in dataclasses.fields(TrainingConfig)}


def _field_types() -> dict[str, Any]:
    return typing.get_type_hints(TrainingConfig)


def _unwrap_optional(annotation: Any) -> tuple[Any, bool]:
    """`int | None` -> (int, True); `int` -> (int, False)."""
    if isinstance(annotation, types.UnionType) or typing.get_origin(annotation) is typing.Union:
        members = [a for a in typing.get_args(annotation) if a is not type(None)]
        return members[0], len(members) < len(typing.get_args(annotation))
    return annotation, False


def _type_name(annotation: Any) -> str:
    base, optional = _unwrap_optional(annotation)
    name = {int: "an integer", float: "a number", str: "a string", bool: "true or false"}.get(base, "a list of names")
    return f"{name} or none" if optional else name


def _unknown_name_error(name: str, source: str) -> ValueError:
    prefix = "--" if name.startswith("--") else ""
    close = difflib.get_close_matches(name.removeprefix("--"), list(_fields()), n=1)
    hint = f" Did you mean {prefix + close[0]!r}?" if close else ""
    return ValueError(f"Unknown option {name!r} in {source}.{hint} Run `python train.py --help` for all options.")


def _convert_text(name: str, text: str, annotation: Any) -> Any:
    """Convert one command-line string to the field's type."""
    base, optional = _unwrap_optional(annotation)
    lowered = text.strip().lower()
    if optional and lowered in _NONE:
        return None
    try:
        if base is bool:
            if lowered in _TRUE:
                return True
            if lowered in _FALSE:
                return False
            raise ValueError
        if base is int:
            return int(text)
        if base is float:
            return float(text)
        if base is str:
            return text
        return [part.strip() for part in text.split(",") if part.strip()]  # list[str]
    except ValueError:
        raise ValueError(f"--{name} expects {_type_name(annotation)}, got {text!r}.") from None


def _check_value(name: str, value: Any, annotation: Any, source: str) -> Any:
    """Check a value from a file or dict against the field's type (ints are accepted where numbers are)."""
    base, optional = _unwrap_optional(annotation)
    if value is None:
        if optional:
            return None
    elif base is float and isinstance(value, (int, float)) and not isinstance(value, bool):
        return float(value)
    elif base is int and isinstance(value, int) and not isinstance(value, bool):
        return value
    elif base in (bool, str) and type(value) is base:
        return value
    elif base not in (int, float, bool, str):
        if isinstance(value, str):
            return [part.strip() for part in value.split(",") if part.strip()]
        if isinstance(value, list) and all(isinstance(item, str) for item in value):
            return value
    if isinstance(value, str) and base is not str:
        return _convert_text(name, value, annotation)
    raise ValueError(f"{name!r} in {source} expects {_type_name(annotation)}, got {value!r}.")


def config_from_mapping(
    values: dict[str, Any], *, source: str = "config", base: TrainingConfig | None = None
) -> TrainingConfig:
    """Apply `values` (field name -> value) over `base` (or the defaults), checking names and types."""
    field_types = _field_types()
    checked = {}
    for name, value in values.items():
        if name not in field_types:
            raise _unknown_name_error(name, source)
        checked[name] = _check_value(name, value, field_types[name], source)
    config = dataclasses.replace(base or TrainingConfig(), **checked)
    validate_config(config)
    return config


def load_config_file(path: str | Path) -> dict[str, Any]:
    """Read a YAML (`.yaml`/`.yml`) or JSON file of options."""
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"Config file {str(path)!r} does not exist.")
    text = path.read_text(encoding="utf-8")
    try:
        if path.suffix.lower() in (".yaml", ".yml"):
            import yaml

            values = yaml.safe_load(text) or {}
        elif path.suffix.lower() == ".json":
            values = json.loads(text)
        else:
            raise ValueError(f"Config file {str(path)!r} must end in .yaml, .yml or .json.")
    except (json.JSONDecodeError, ImportError) as error:
        raise ValueError(f"Cannot read config file {str(path)!r}: {error}") from None
    except Exception as error:  # yaml.YAMLError and friends
        if isinstance(error, ValueError):
            raise
        raise ValueError(f"Cannot read config file {str(path)!r}: {error}") from None
    if not isinstance(values, dict):
        raise ValueError(f"Config file {str(path)!r} must hold a mapping of option names to values.")
    return values


def _split_arguments(argv: list[str]) -> tuple[str | None, list[tuple[str, list[str]]]]:
    """Group `--name v1 v2 --flag` into [(name, [v1, v2]), (flag, [])]; pull out `--config FILE`."""
    config_file = None
    groups: list[tuple[str, list[str]]] = []
    for token in argv:
        if token.startswith("--"):
            name, _, inline = token[2:].partition("=")
            groups.append((name.replace("-", "_"), [inline] if inline else []))
        elif groups:
            groups[-1][1].append(token)
        else:
            raise ValueError(f"Unexpected argument {token!r}: options are written --name value.")
    remaining = []
    for name, values in groups:
        if name == "config":
            if len(values) != 1:
                raise ValueError("--config expects one YAML or JSON file.")
            config_file = values[0]
        else:
            remaining.append((name, values))
    return config_file, remaining


def parse_config(argv: list[str] | None = None) -> TrainingConfig:
    """
    Build the configuration from `argv`: defaults, then `--config FILE` (YAML or JSON), then `--name value` flags.

    Args:
        argv (`list[str]`, *optional*): Command-line arguments without the program name (default: `sys.argv[1:]`).

    Returns:
        [`TrainingConfig`]: checked and validated.
    """
    argv = sys.argv[1:] if argv is None else list(argv)
    if "--help" in argv or "-h" in argv:
        print(format_help())
        raise SystemExit(0)
    config_file, groups = _split_arguments(argv)
    config = TrainingConfig()
    if config_file is not None:
        config = config_from_mapping(load_config_file(config_file), source=config_file)
    field_types = _field_types()
    overrides: dict[str, Any] = {}
    for name, values in groups:
        if name not in field_types:
            raise _unknown_name_error("--" + name, "the command line")
        annotation = field_types[name]
        if not values:
            if _unwrap_optional(annotation)[0] is not bool:
                raise ValueError(f"--{name} needs a value ({_type_name(annotation)}).")
            overrides[name] = True
        elif len(values) > 1 and _unwrap_optional(annotation)[0] in (int, float, bool, str):
            raise ValueError(f"--{name} takes one value, got {' '.join(values)!r}.")
        else:
            overrides[name] = _convert_text(name, ",".join(values), annotation)
    return config_from_mapping(overrides, source="the command line", base=config)


def format_help() -> str:
    """The options, grouped as in [`TrainingConfig`], with their defaults."""
    lines = ["usage: accelerate launch train.py [--config FILE.yaml] [--name value ...]", ""]
    field_types = _field_types()
    for name, spec in _fields().items():
        default = spec.default if spec.default is not dataclasses.MISSING else spec.default_factory()
        choices = spec.metadata.get("choices")
        kind = "{" + ",".join(map(str, choices)) + "}" if choices else _type_name(field_types[name])
        lines.append(f"  --{name} {kind}  (default: {default})")
        lines.append(f"      {spec.metadata['help']}")
    return "\n".join(lines)


def validate_config(config: TrainingConfig) -> None:
    """Check choices, ranges and combinations of options; raise `ValueError` naming the value and the fix."""
    for name, spec in _fields().items():
        choices = spec.metadata.get("choices")
        value = getattr(config, name)
        if choices and value not in choices:
            raise ValueError(f"--{name} must be one of {', '.join(map(str, choices))}; got {value!r}.")
    positive = [
        "window_size",
        "stride",
        "num_scales",
        "image_size",
        "train_batch_size",
        "num_epochs",
        "num_train_timesteps",
        "gradient_accumulation_steps",
        "checkpointing_steps",
        "logging_steps",
    ]
    for name in positive:
        value = getattr(config, name)
        if value < 1:
            raise ValueError(f"--{name} must be at least 1, got {value}.")
    for name in ("max_train_steps", "checkpoints_total_limit", "image_width"):
        value = getattr(config, name)
        if value is not None and value < 1:
            raise ValueError(f"--{name} must be at least 1 (or none), got {value}.")
    if config.learning_rate <= 0:
        raise ValueError(f"--learning_rate must be positive, got {config.learning_rate}.")
    if not 0.0 <= config.validation_fraction < 1.0:
        raise ValueError(f"--validation_fraction must be in [0, 1), got {config.validation_fraction}.")
    if config.snr_gamma is not None and config.snr_gamma <= 0:
        raise ValueError(f"--snr_gamma must be positive (5.0 is usual) or none, got {config.snr_gamma}.")
    if config.lr_warmup_steps < 0 or config.validation_steps < 0 or config.max_grad_norm < 0:
        raise ValueError("--lr_warmup_steps, --validation_steps and --max_grad_norm must not be negative.")
    if config.push_to_hub and not config.hub_model_id:
        raise ValueError("--push_to_hub needs --hub_model_id user/name.")
