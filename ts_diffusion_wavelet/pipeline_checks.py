"""
A saved pipeline's files checked against each other and against the weights, before diffusers loads them.

An edited field (a window size, a channel count, a scale) otherwise surfaces as a shape error deep inside the UNet,
as random weights, or as silently wrong samples. Each check here names the file and the field that disagree:
- `model_index.json`: `representation` and `preprocessing` must be well-formed and describe the same channels;
  the representation must fit the UNet; `training_config` names the edited field when they disagree.
- `unet/config.json`: must build a UNet whose tensors have exactly the shapes stored in the weights file; when one
  field explains the difference, it is named with the value the weights were saved with.
- `scheduler/scheduler_config.json`: must build its scheduler with valid values.
`training_config` is kept for reference only (a pipeline built in Python may carry any), so where it disagrees with
a consistent pipeline (window size, number of scales, the schedule's length and prediction type) that is a warning
naming both fields.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import torch

PREDICTION_TYPES: tuple[str, ...] = ("epsilon", "v_prediction", "sample")
# Fields recorded both in the representation and in `training_config`: the latter names which one was edited.
_WITNESSED_FIELDS: tuple[str, ...] = ("window_size", "num_scales")
# Scheduler fields that must match what the UNet was trained with (recorded in `training_config` under the same
# name and meaning; its `beta_schedule` names differ from diffusers', e.g. "cosine" is "squaredcos_cap_v2").
_SCHEDULE_FIELDS: tuple[str, ...] = ("num_train_timesteps", "prediction_type")
_MAX_SEARCH_BUILDS = 80  # UNets built on the meta device while looking for the edited config field


def check_saved_pipeline(
    folder: Path, index: dict[str, Any], unet_config: dict[str, Any], scheduler_config: dict[str, Any], weights: Path
) -> None:
    """
    Check the files of a saved pipeline in `folder` against each other and the weights.

    Args:
        folder (`Path`): The pipeline folder.
        index, unet_config, scheduler_config (`dict`): The parsed `model_index.json`, `unet/config.json` and
            `scheduler/scheduler_config.json`.
        weights (`Path`): The UNet's weights file.

    Raises:
        `ValueError`: Naming the file and the field that disagree, and what they disagree with.
    """
    index_path = folder / "model_index.json"
    unet_path = folder / "unet" / "config.json"
    unet = _meta_unet(unet_config, unet_path)
    check_unet_weights(unet, unet_config, unet_path, weights)
    representation = _representation(index, index_path, unet, unet_path)
    _check_preprocessing(index, index_path, representation)
    _check_labels(index, index_path, representation)
    _check_scheduler(scheduler_config, folder / "scheduler" / "scheduler_config.json", index, index_path)
    _check_training_config(index, index_path)


# ----- unet/config.json against the weights ------------------------------------------------------------------
def _unet_class(unet_config: dict[str, Any], unet_path: Path) -> type:
    import diffusers

    name = unet_config.get("_class_name")
    unet_class = getattr(diffusers, str(name), None) if name else None
    if unet_class is None or not isinstance(unet_class, type):
        raise ValueError(f"{unet_path} field '_class_name' is {name!r}, not a diffusers model class.")
    return unet_class


def _build_on_meta(unet_class: type, config: dict[str, Any]) -> torch.nn.Module:
    with torch.device("meta"), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return unet_class.from_config(config)


def _meta_unet(unet_config: dict[str, Any], unet_path: Path) -> torch.nn.Module:
    """The UNet `unet_config` describes, on the meta device (shapes only: no memory, no time)."""
    unet_class = _unet_class(unet_config, unet_path)
    try:
        return _build_on_meta(unet_class, unet_config)
    except Exception as error:  # noqa: BLE001 - diffusers raises many kinds for a bad config; all mean the same
        raise ValueError(
            f"{unet_path} does not build a {unet_class.__name__} ({type(error).__name__}: {error}); a field was "
            "edited or the file is from another version. Restore the config saved with the weights."
        ) from None


def _shapes(module: torch.nn.Module) -> dict[str, tuple[int, ...]]:
    return {key: tuple(tensor.shape) for key, tensor in module.state_dict().items()}


def saved_shapes(weights: Path) -> dict[str, tuple[int, ...]]:
    """Tensor name -> shape in a `.safetensors` (read from its header) or `.bin` weights file."""
    if weights.suffix == ".safetensors":
        from safetensors import safe_open

        with safe_open(str(weights), framework="pt") as handle:
            return {key: tuple(handle.get_slice(key).get_shape()) for key in handle.keys()}
    state = torch.load(weights, map_location="cpu", mmap=True, weights_only=True)
    return {key: tuple(tensor.shape) for key, tensor in state.items()}


def _differences(expected: dict[str, tuple[int, ...]], saved: dict[str, tuple[int, ...]]) -> list[str]:
    missing = [key for key in expected if key not in saved]
    unexpected = [key for key in saved if key not in expected]
    mismatched = [key for key in expected if key in saved and expected[key] != saved[key]]
    lines = [
        f"tensor {key!r} has shape {list(saved[key])} in the weights, the config builds {list(expected[key])}"
        for key in mismatched[:1]
    ]
    if missing:
        lines.append(f"{len(missing)} tensors the config builds are not in the weights (e.g. {missing[0]!r})")
    if unexpected:
        lines.append(f"{len(unexpected)} tensors in the weights have no place in it (e.g. {unexpected[0]!r})")
    if mismatched[1:]:
        lines.append(f"{len(mismatched) - 1} more tensors differ in shape")
    return lines


def check_unet_weights(unet: torch.nn.Module, unet_config: dict[str, Any], unet_path: Path, weights: Path) -> None:
    """
    Refuse a UNet config whose tensors differ from the weights file's (diffusers would fail with a shape error,
    or silently initialise the tensors it cannot find at random), naming the config field that explains it.
    """
    saved = saved_shapes(weights)
    expected = _shapes(unet)
    if expected == saved:
        return
    differences = "; ".join(_differences(expected, saved))
    found = _explaining_field(type(unet), unet_config, saved, expected)
    if found is not None:
        field, value = found
        raise ValueError(
            f"{unet_path} field {field!r} is {unet_config[field]!r}, but the weights in {weights.name} were saved "
            f"with {field}={value!r} ({differences}). Restore {field}={value!r} in {unet_path.name}."
        )
    raise ValueError(
        f"{unet_path} does not describe the weights in {weights.name}: {differences}. A field of the config was "
        "edited or the weights come from another model; restore the config saved with them."
    )


def _candidates(
    config: dict[str, Any], saved: dict[str, tuple[int, ...]], expected: dict[str, tuple[int, ...]]
) -> Iterator[tuple[str, Any]]:
    """Single-field edits of `config` that might give the saved shapes: integers seen in the differing shapes (and
    small counts), and lists of integers rescaled by the ratio of a differing dimension."""
    dims: set[int] = {1, 2, 3, 4}
    ratios: set[float] = set()
    for key in saved:
        if key in expected and expected[key] != saved[key] and len(expected[key]) == len(saved[key]):
            dims.update(saved[key])
            ratios.update(s / e for s, e in zip(saved[key], expected[key], strict=True) if e and s != e)
    for field, value in config.items():
        if field.startswith("_") or isinstance(value, bool):
            continue
        if isinstance(value, int):
            yield from ((field, dim) for dim in sorted(dims) if dim != value)
        elif isinstance(value, (list, tuple)) and value and all(isinstance(v, int) for v in value):
            for ratio in sorted(ratios):
                scaled = [v * ratio for v in value]
                if all(float(s).is_integer() for s in scaled):
                    yield field, [int(s) for s in scaled]


def _explaining_field(
    unet_class: type, config: dict[str, Any], saved: dict[str, tuple[int, ...]], expected: dict[str, tuple[int, ...]]
) -> tuple[str, Any] | None:
    """The one `(field, value)` change of `config` whose UNet has exactly the saved shapes, if any."""
    for number, (field, value) in enumerate(_candidates(config, saved, expected)):
        if number >= _MAX_SEARCH_BUILDS:
            return None
        try:
            if _shapes(_build_on_meta(unet_class, {**config, field: value})) == saved:
                return field, value
        except Exception:  # noqa: BLE001, S112 - a candidate that does not build is simply not the answer
            continue
    return None


# ----- model_index.json: representation and preprocessing ----------------------------------------------------
def _disagreements(index: dict[str, Any], record: dict[str, Any]) -> list[tuple[str, Any, Any]]:
    """`(representation field path, its value, training_config's value)` for each witnessed field that differs."""
    training = index.get("training_config") or {}
    found = []
    for path, value in _leaves(record, "representation"):
        field = path.rsplit(".", 1)[-1]
        if field in _WITNESSED_FIELDS and field in training and training[field] != value:
            found.append((path, value, training[field]))
    return found


def _witness(index: dict[str, Any], index_path: Path, record: dict[str, Any]) -> str:
    """Sentences naming representation fields that disagree with the same field in `training_config`."""
    return "".join(
        f" {index_path.name} field {path!r} is {value!r} but 'training_config.{path.rsplit('.', 1)[-1]}' is "
        f"{trained!r}: restore {path} = {trained!r}."
        for path, value, trained in _disagreements(index, record)
    )


def _leaves(record: Any, prefix: str) -> Iterator[tuple[str, Any]]:
    if isinstance(record, dict):
        for key, value in record.items():
            yield from _leaves(value, f"{prefix}.{key}")
    elif not isinstance(record, list):
        yield prefix, record


def _representation(index: dict[str, Any], index_path: Path, unet: torch.nn.Module, unet_path: Path) -> Any:
    """The representation `model_index.json` records, checked to fit the UNet (the first thing an edit breaks)."""
    from .pipeline_base import _legacy_record
    from .representations import representation_from_dict

    record = index.get("representation")
    if record is None:
        record = _legacy_record(unet, index.get("transform_config"), index.get("window_size"))
    try:
        representation = representation_from_dict(record)
    except (ValueError, KeyError, TypeError) as error:
        detail = f"lacks the key {error}" if isinstance(error, KeyError) else str(error).rstrip(".")
        raise ValueError(
            f"{index_path} field 'representation' is not usable: {detail}.{_witness(index, index_path, record)}"
        ) from None
    try:
        representation.check_unet(unet)
        _dry_run(representation, unet)
    except (ValueError, RuntimeError) as error:
        config = {
            key: unet.config[key] for key in ("in_channels", "out_channels", "sample_size") if key in unet.config
        }
        witness = _witness(index, index_path, record) or (
            f" Restore the field of 'representation' that was edited, or the {unet_path.name} saved with it."
        )
        raise ValueError(
            f"{index_path} field 'representation' ({_summary(record)}) does not match {unet_path} ({config}): "
            f"{str(error).rstrip('.')}.{witness}"
        ) from None
    return representation


def _summary(record: dict[str, Any]) -> str:
    leaves = [(path.split(".", 1)[1], value) for path, value in _leaves(record, "r")]
    return ", ".join(
        f"{path}={value!r}" for path, value in leaves if isinstance(value, int) and not isinstance(value, bool)
    )


def _dry_run(representation: Any, unet: torch.nn.Module) -> None:
    """One zero state through the representation's maps on the UNet's shapes: edited statistics or sizes that
    `check_unet` cannot see fail here instead of at sampling time."""
    with torch.no_grad():
        state = torch.zeros(representation.sample_shape(1))
        model_input = representation.model_input(state)
        if model_input.shape[1] + representation.label_channels != unet.config.in_channels:
            raise ValueError(
                f"the representation feeds the UNet {model_input.shape[1] + representation.label_channels} channels, "
                f"it takes {unet.config.in_channels}"
            )
        unet_output = torch.zeros((model_input.shape[0], unet.config.out_channels, *model_input.shape[2:]))
        output = representation.model_output(unet_output)
        if tuple(output.shape) != tuple(state.shape):
            raise ValueError(f"the UNet's output maps to states {list(output.shape)}, not {list(state.shape)}")
        representation.to_windows(state)


def _check_preprocessing(index: dict[str, Any], index_path: Path, representation: Any) -> None:
    from .data.preprocessing import SeriesPreprocessor

    record = index.get("preprocessing")
    if record is None:
        return
    if not isinstance(record, dict):
        raise ValueError(f"{index_path} field 'preprocessing' must be a SeriesPreprocessor record, got {record!r}.")
    try:
        preprocessor = SeriesPreprocessor.from_dict(record)
    except ValueError as error:
        raise ValueError(f"{index_path}, in 'preprocessing': {error}") from None
    if preprocessor.is_fitted and preprocessor.num_channels != representation.num_channels:
        raise ValueError(
            f"{index_path} field 'preprocessing.channels' lists {preprocessor.num_channels} channels "
            f"{preprocessor.channel_names}, but 'representation' generates {representation.num_channels}; restore "
            "the field that was edited."
        )


def _check_labels(index: dict[str, Any], index_path: Path, representation: Any) -> None:
    """The label names (`labels`) must be as many as the labels the UNet was built for."""
    from .data.labels import WindowLabeler

    record = index.get("labels")
    if record is None:
        if representation.num_labels:
            raise ValueError(
                f"{index_path} has no 'labels' but 'representation.num_labels' is {representation.num_labels}; "
                "restore the field that was removed."
            )
        return
    try:
        labeler = WindowLabeler.from_dict(record)
    except ValueError as error:
        raise ValueError(f"{index_path}, in 'labels': {error}") from None
    if labeler.num_labels != representation.num_labels:
        raise ValueError(
            f"{index_path} field 'labels' names {labeler.num_labels} labels {labeler.names}, but the UNet was built "
            f"for {representation.num_labels} ('representation.num_labels'); restore the field that was edited."
        )


# ----- scheduler/scheduler_config.json -----------------------------------------------------------------------
def _check_scheduler(config: dict[str, Any], path: Path, index: dict[str, Any], index_path: Path) -> None:
    import diffusers

    name = config.get("_class_name")
    scheduler_class = getattr(diffusers, str(name), None) if name else None
    if scheduler_class is None or not isinstance(scheduler_class, type):
        raise ValueError(f"{path} field '_class_name' is {name!r}, not a diffusers scheduler.")
    steps = config.get("num_train_timesteps")
    if steps is not None and (not isinstance(steps, int) or isinstance(steps, bool) or steps < 1):
        raise ValueError(f"{path} field 'num_train_timesteps' is {steps!r}; it must be a positive integer.")
    prediction = config.get("prediction_type")
    if prediction is not None and prediction not in PREDICTION_TYPES:
        raise ValueError(
            f"{path} field 'prediction_type' is {prediction!r}; it must be one of {list(PREDICTION_TYPES)}."
        )
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            scheduler_class.from_config(config)
    except Exception as error:  # noqa: BLE001 - diffusers raises many kinds for a bad config; all mean the same
        raise ValueError(
            f"{path} does not build a {name} ({type(error).__name__}: {error}); restore the file."
        ) from None
    training = index.get("training_config") or {}
    for field in _SCHEDULE_FIELDS:
        if field in training and field in config and training[field] != config[field]:
            warnings.warn(
                f"{path} field {field!r} is {config[field]!r}, but {index_path.name} records that the UNet was "
                f"trained with {training[field]!r} ('training_config.{field}'); sampling with another gives wrong "
                f"series. If the scheduler config was edited, restore {field} = {training[field]!r}.",
                UserWarning,
                stacklevel=4,
            )


def _check_training_config(index: dict[str, Any], index_path: Path) -> None:
    """
    Warn when the representation and `training_config` disagree on a field both record: the model was trained with
    one value and samples with the other. `training_config` is kept for reference only (a pipeline built in Python
    may carry any), so this is a warning naming both fields rather than an error.
    """
    record = index.get("representation")
    for path, value, trained in _disagreements(index, record) if isinstance(record, dict) else []:
        field = path.rsplit(".", 1)[-1]
        warnings.warn(
            f"{index_path} disagrees with itself: field {path!r} is {value!r} but 'training_config.{field}' is "
            f"{trained!r}. If one of them was edited, restore it: the model samples with the first and was trained "
            "with the second.",
            UserWarning,
            stacklevel=4,
        )
