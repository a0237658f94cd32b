"""Load a saved time-series pipeline of either representation, with errors that name the broken file."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import torch
from diffusers.pipelines import pipeline_utils

from .pipeline_base import TimeSeriesDiffusionPipeline
from .pipeline_checks import check_saved_pipeline
from .pipeline_legacy import RawDiffusionPipeline, ScalogramDiffusionPipeline

PIPELINE_CLASSES: dict[str, type[TimeSeriesDiffusionPipeline]] = {
    "TimeSeriesDiffusionPipeline": TimeSeriesDiffusionPipeline,
    "ScalogramDiffusionPipeline": ScalogramDiffusionPipeline,  # saved by version 0.1
    "RawDiffusionPipeline": RawDiffusionPipeline,  # saved by version 0.1
}
# from_pretrained's options that choose which files are downloaded (what `DiffusionPipeline.download` takes).
_DOWNLOAD_OPTIONS = ("cache_dir", "force_download", "proxies", "local_files_only", "token", "revision", "variant")
_WEIGHT_FILES = ("diffusion_pytorch_model.safetensors", "diffusion_pytorch_model.bin")
# diffusers 0.42 renamed from_pretrained's `torch_dtype` to `dtype` (the old name warns); older releases know only it.
_DTYPE_KEYWORD = "dtype" if hasattr(pipeline_utils, "_resolve_dtype") else "torch_dtype"


def _read_json(path: Path) -> dict[str, Any]:
    try:
        with open(path, encoding="utf-8") as handle:
            content = json.load(handle)
    except json.JSONDecodeError as error:
        raise ValueError(f"{path} is corrupt (not valid JSON: {error}); save the pipeline again.") from None
    if not isinstance(content, dict):
        raise ValueError(f"{path} is corrupt: expected a JSON object, found {type(content).__name__}.")
    return content


def check_pipeline_directory(path: str | os.PathLike) -> str:
    """
    Check that `path` holds a complete saved time-series pipeline and return its class name.

    Raises:
        `FileNotFoundError`: the directory or one of its files is missing (the message names which).
        `ValueError`: a file is corrupt, the directory holds another kind of pipeline, or a field of a saved config
            disagrees with another file or with the weights (the message names the file and the field; see
            [`~pipeline_checks.check_saved_pipeline`]).
    """
    folder = Path(path)
    if not folder.is_dir():
        raise FileNotFoundError(f"No model directory at {str(folder)!r}: pass the folder save_pretrained wrote.")
    index_path = folder / "model_index.json"
    if not index_path.is_file():
        inner = folder / "pipeline"
        hint = (
            f"; did you mean {str(inner)!r} (train.py saves the pipeline there)?"
            if (inner / "model_index.json").is_file()
            else " (write it with save_pretrained)."
        )
        raise FileNotFoundError(f"{str(folder)!r} is not a saved pipeline: model_index.json is missing{hint}")
    index = _read_json(index_path)
    class_name = index.get("_class_name")
    if class_name not in PIPELINE_CLASSES:
        raise ValueError(
            f"{index_path} describes a {class_name!r} pipeline, not one of ts_diffusion_wavelet's "
            f"({', '.join(PIPELINE_CLASSES)})."
        )
    for component in ("unet", "scheduler"):
        if component not in index:
            raise ValueError(f"{index_path} lists no {component!r} component; the pipeline is incomplete.")
    unet_config = _read_json(_require(folder / "unet" / "config.json"))
    scheduler_config = _read_json(_require(folder / "scheduler" / "scheduler_config.json"))
    weights = [folder / "unet" / name for name in _WEIGHT_FILES if (folder / "unet" / name).is_file()]
    if not weights:
        raise FileNotFoundError(
            f"{folder / 'unet'} holds no weights ({' or '.join(_WEIGHT_FILES)}); the pipeline is incomplete."
        )
    _check_weights(weights[0])
    check_saved_pipeline(folder, index, unet_config, scheduler_config, weights[0])
    return class_name


def _require(path: Path) -> Path:
    if not path.is_file():
        raise FileNotFoundError(f"{path} is missing; the saved pipeline is incomplete.")
    return path


def _check_weights(path: Path) -> None:
    if path.suffix != ".safetensors":
        return
    from safetensors import safe_open

    try:
        with safe_open(str(path), framework="pt") as weights:
            for key in weights.keys():
                weights.get_slice(key)
    except Exception as error:  # safetensors raises its own error types for truncated or garbled files
        raise ValueError(f"{path} is corrupt or truncated ({error}); save the pipeline again.") from None


def load_pipeline(
    path_or_repo_id: str | os.PathLike,
    *,
    device: str | torch.device | None = None,
    torch_dtype: torch.dtype | None = None,
    **kwargs: Any,
) -> TimeSeriesDiffusionPipeline:
    """
    Load a [`TimeSeriesDiffusionPipeline`] (of either representation, or saved by version 0.1) from a folder or a
    Hub repo id.

    Args:
        path_or_repo_id (`str` or `os.PathLike`): A folder written by `save_pretrained`, or `"user/repo"`.
        device (`str` or `torch.device`, *optional*): Where to move the pipeline.
        torch_dtype (`torch.dtype`, *optional*): The UNet's dtype (e.g. `torch.float16` on a GPU).
        kwargs: Passed to `from_pretrained` (e.g. `revision`, `token`, `cache_dir`).

    Returns:
        The pipeline, of the class recorded in its `model_index.json`.
    """
    if Path(path_or_repo_id).exists() or not _looks_like_repo_id(str(path_or_repo_id)):
        class_name = check_pipeline_directory(path_or_repo_id)
    else:
        class_name = _class_name_on_hub(str(path_or_repo_id), **kwargs)
        _check_downloaded(PIPELINE_CLASSES[class_name], str(path_or_repo_id), kwargs)
    pipeline_class = PIPELINE_CLASSES[class_name]
    if torch_dtype is not None:
        kwargs[_DTYPE_KEYWORD] = torch_dtype
    pipeline = pipeline_class.from_pretrained(path_or_repo_id, **kwargs)
    if device is not None:
        pipeline = pipeline.to(device)
    return pipeline


def _check_downloaded(pipeline_class: type[TimeSeriesDiffusionPipeline], repo_id: str, kwargs: dict[str, Any]) -> None:
    """The same checks as for a folder, on the repo's files in the local cache (`from_pretrained` then reuses them)."""
    options = {key: value for key, value in kwargs.items() if key in _DOWNLOAD_OPTIONS}
    folder = pipeline_class.download(repo_id, **options)
    try:
        check_pipeline_directory(folder)
    except ValueError as error:
        raise ValueError(f"The Hub repo {repo_id!r} holds a pipeline whose files disagree: {error}") from None


def _looks_like_repo_id(name: str) -> bool:
    """`name` or `namespace/name` in the Hub's alphabet; anything else (absolute, ./, nested) is a local path."""
    from huggingface_hub.errors import HFValidationError
    from huggingface_hub.utils import validate_repo_id

    try:
        validate_repo_id(name)
    except HFValidationError:
        return False
    return True


def _class_name_on_hub(repo_id: str, **kwargs: Any) -> str:
    from .hub.loading import read_remote_model_index

    index = read_remote_model_index(repo_id, **kwargs)
    class_name = index.get("_class_name")
    if class_name not in PIPELINE_CLASSES:
        raise ValueError(
            f"The repo {repo_id!r} holds a {class_name!r} pipeline, not one of ts_diffusion_wavelet's "
            f"({', '.join(PIPELINE_CLASSES)}); its model_index.json names the class."
        )
    return class_name
