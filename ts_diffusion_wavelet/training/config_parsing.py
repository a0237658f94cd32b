"""Reading a [`TrainingConfig`] from the command line, YAML/JSON files and dicts, with `HfArgumentParser`."""

from __future__ import annotations

import argparse
import difflib
import json
import sys
import typing
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml
from transformers import HfArgumentParser

from .config import TrainingConfig

USAGE = "accelerate launch train.py [--config FILE.yaml] [--name value ...]"
_HINTS = typing.get_type_hints(TrainingConfig)
# Fields whose type hint admits None: the word `none` (or `null`) stands for it.
_OPTIONAL = {name for name, hint in _HINTS.items() if type(None) in typing.get_args(hint)}
_NONE = ("none", "null")
_COMMAND_LINE = "the command line"


class TrainingConfigParser(HfArgumentParser):
    """
    `HfArgumentParser` for [`TrainingConfig`] plus `--config FILE`; bad input raises `ValueError` (argparse's
    message) instead of exiting, so callers in Python can handle it. Option names are exact (no abbreviations).
    """

    def __init__(self) -> None:
        super().__init__(TrainingConfig, usage=USAGE, allow_abbrev=False)
        self.add_argument("--config", metavar="FILE", help="A YAML or JSON file of options; command-line options win.")

    def add_argument(self, *names: str, **kwargs: Any) -> argparse.Action:
        """`HfArgumentParser` strips `| None` from a type; wrap the converter back so that `none` gives None."""
        if names[0].removeprefix("--") in _OPTIONAL and kwargs.get("nargs") != "+":
            kwargs["type"] = _or_none(kwargs["type"])
        return super().add_argument(*names, **kwargs)

    def error(self, message: str) -> typing.NoReturn:
        raise ValueError(message)


def _or_none(convert: typing.Callable[[str], Any]) -> typing.Callable[[str], Any]:
    def convert_or_none(text: str) -> Any:
        return None if text.strip().lower() in _NONE else convert(text)

    convert_or_none.__name__ = convert.__name__  # argparse names the type in its errors ("invalid int value")
    return convert_or_none


def _unknown_name_error(name: str, source: str) -> ValueError:
    prefix = "--" if name.startswith("--") else ""
    close = difflib.get_close_matches(name.removeprefix("--").replace("-", "_"), list(_HINTS), n=1)
    hint = f" Did you mean {prefix + close[0]!r}?" if close else ""
    return ValueError(f"Unknown option {name!r} in {source}.{hint} Run `python train.py --help` for all options.")


def _glue_dash_values(argv: list[str]) -> list[str]:
    """`--missing_values -999,N/A` -> `--missing_values=-999,N/A`: argparse would read `-999,N/A` as an option."""
    glued: list[str] = []
    for token in argv:
        previous = glued[-1] if glued else ""
        if token[:1] == "-" and token[:2] != "--" and token != "-h" and previous[:2] == "--" and "=" not in previous:
            glued[-1] = f"{previous}={token}"
        else:
            glued.append(token)
    return glued


def _namespace(parser: TrainingConfigParser, argv: list[str], source: str) -> tuple[dict[str, Any], str | None]:
    """Parse `argv` into field values (types and choices checked) and the `--config` file; errors name `source`."""
    try:
        namespace, rest = parser.parse_known_args(argv)
    except ValueError as error:
        raise ValueError(str(error) if source == _COMMAND_LINE else f"{error} (in {source})") from None
    for token in rest:
        if token.startswith("-"):
            raise _unknown_name_error(token.partition("=")[0], source)
        raise ValueError(f"Unexpected argument {token!r} in {source}: options are written --name value.")
    values = vars(namespace)
    for name, items in values.items():  # list options also take comma-separated values
        if isinstance(items, list):
            parts = [part.strip() for item in items for part in item.split(",") if part.strip()]
            values[name] = None if [part.lower() for part in parts] in (["none"], ["null"]) else parts
    config_file = values.pop("config")
    return values, config_file


def _as_arguments(values: Mapping[str, Any], source: str) -> list[str]:
    """Options from a file or dict as `--name=value` arguments, so that they are checked as the command line is."""
    arguments = []
    for name, value in values.items():
        if name not in _HINTS:
            raise _unknown_name_error(name, source)
        if isinstance(value, Mapping) or (value is None and name not in _OPTIONAL):
            raise ValueError(f"{name!r} in {source} must be a single value or a list, got {value!r}.")
        if isinstance(value, list):
            value = ",".join(map(str, value)) if value else None
        arguments.append(f"--{name}={'none' if value is None else value}")
    return arguments


def load_config_file(path: str | Path) -> dict[str, Any]:
    """Read a YAML (`.yaml`/`.yml`) or JSON file of options."""
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"Config file {str(path)!r} does not exist.")
    if path.suffix.lower() not in (".yaml", ".yml", ".json"):
        raise ValueError(f"Config file {str(path)!r} must end in .yaml, .yml or .json.")
    text = path.read_text(encoding="utf-8")
    try:
        values = json.loads(text) if path.suffix.lower() == ".json" else yaml.safe_load(text) or {}
    except (json.JSONDecodeError, yaml.YAMLError) as error:
        raise ValueError(f"Cannot read config file {str(path)!r}: {error}") from None
    if not isinstance(values, dict):
        raise ValueError(f"Config file {str(path)!r} must hold a mapping of option names to values.")
    return values


def config_from_dict(values: Mapping[str, Any], *, source: str = "the config") -> TrainingConfig:
    """Build a [`TrainingConfig`] from plain data (`to_dict()`'s output), checked as the command line is."""
    return TrainingConfig(**_namespace(TrainingConfigParser(), _as_arguments(values, source), source)[0])


def parse_config(argv: list[str] | None = None) -> TrainingConfig:
    """
    Build the configuration from `argv`: defaults, then `--config FILE` (YAML or JSON), then `--name value` options.

    Args:
        argv (`list[str]`, *optional*): Command-line arguments without the program name (default: `sys.argv[1:]`).

    Returns:
        [`TrainingConfig`]: checked and validated. `--help` prints every option and exits.
    """
    argv = _glue_dash_values(sys.argv[1:] if argv is None else list(argv))
    parser = TrainingConfigParser()
    values, config_file = _namespace(parser, argv, _COMMAND_LINE)
    if config_file is not None:
        file_arguments = _as_arguments(load_config_file(config_file), config_file)
        _namespace(parser, file_arguments, config_file)  # a bad value in the file is reported with the file's name
        values = _namespace(parser, file_arguments + argv, _COMMAND_LINE)[0]  # later options win: the command line
    return TrainingConfig(**values)
