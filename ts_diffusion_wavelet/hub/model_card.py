"""
The model card of a shared pipeline: Hub metadata, what the model generates and how to use it, then what it was
trained on, how it represents a window, and its training configuration, all read from the saved pipeline.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any

from huggingface_hub import ModelCard, ModelCardData

from .. import __version__

PACKAGE_NAME = "ts-diffusion-wavelet"
# The package is installed from its source until it is published; replace with the published name when it is.
INSTALL_COMMAND = f'pip install "{PACKAGE_NAME}>={__version__}"'
SAMPLE_PLOT_PATH = "images/samples.png"  # where the sample plot goes in the repo; the card links it relatively
CARD_TAGS: tuple[str, ...] = ("diffusers", "time-series", "ts-diffusion-wavelet", "synthetic-data")
SECRET_KEYS: frozenset[str] = frozenset({"hub_token"})  # never written to a card or an uploaded config

_HUB_ID = re.compile(r"^[A-Za-z0-9][\w.-]*/[A-Za-z0-9][\w.-]*$")


def build_model_card(
    pipeline: Any,
    repo_id: str,
    *,
    dataset: str | None = None,
    evaluation: str | Mapping[str, Any] | None = None,
    sample_plot: str | None = SAMPLE_PLOT_PATH,
    license: str | None = None,
    install_command: str = INSTALL_COMMAND,
) -> ModelCard:
    """
    The model card of `pipeline` as it will be shared under `repo_id`.

    Args:
        pipeline ([`TimeSeriesDiffusionPipeline`]): The pipeline, of any representation.
        repo_id (`str`): `"user/name"`, used in the usage snippet.
        dataset (`str`, *optional*): The training data: a Hub dataset id (linked and listed in the metadata), a
            bundled name or a description. Defaults to `training_config["data"]` saved with the pipeline.
        evaluation (`str` or `Mapping`, *optional*): An evaluation summary: markdown (inserted as is, e.g. the
            report of `ts_diffusion_wavelet.evaluation`) or `{metric: value}` (nested mappings allowed), shown as
            a table.
        sample_plot (`str`, *optional*): Path of the sample plot inside the repo; `None` when there is none.
        license (`str`, *optional*): A Hub licence id (e.g. `"apache-2.0"`) for the metadata.
        install_command (`str`): The install line of the usage snippet.

    Returns:
        `huggingface_hub.ModelCard`: metadata (`card.data`) and markdown text (`card.text`).
    """
    class_name = type(pipeline).__name__
    representation = getattr(pipeline, "representation", None)
    if representation is None:
        raise ValueError(f"Model cards are written for ts_diffusion_wavelet's pipelines; got a {class_name}.")
    config = dict(pipeline.config)
    training = config.get("training_config") or {}
    source = dataset if dataset is not None else training.get("data")
    hub_dataset = source if isinstance(source, str) and _HUB_ID.match(source) and not _is_bundled(source) else None
    data = ModelCardData(
        library_name="diffusers",
        license=license,
        tags=[*CARD_TAGS, representation.tag, f"diffusers:{class_name}"],
        datasets=[hub_dataset] if hub_dataset else None,
    )
    sections = [
        _summary(pipeline, repo_id, source, sample_plot),
        _usage(pipeline, repo_id, install_command),
        _data_section(pipeline, source, training),
        _representation_section(pipeline),
        _model_section(pipeline),
        _evaluation_section(evaluation),
        _training_section(training),
        _limitations(),
    ]
    body = "\n\n".join(section.strip() for section in sections if section) + "\n"
    return ModelCard(f"---\n{data.to_yaml()}\n---\n\n{body}")


# ----- facts read from the pipeline -----------------------------------------------------------------------
def window_size(pipeline: Any) -> int:
    """Length of the generated windows."""
    return int(pipeline.representation.window_size)


def _preprocessing(pipeline: Any) -> Mapping[str, Any] | None:
    return pipeline.config.get("preprocessing")


def _channel_names(pipeline: Any) -> list[str]:
    try:
        return list(pipeline.channel_names)
    except (AttributeError, NotImplementedError):
        return []


def _scheduler_steps(pipeline: Any) -> int:
    return int(pipeline.scheduler.config.get("num_train_timesteps", 1000))


def _is_bundled(name: str) -> bool:
    from ..data.bundled import BUNDLED_DATASETS, BUNDLED_PREFIX

    return name.removeprefix(BUNDLED_PREFIX) in BUNDLED_DATASETS


# ----- sections ------------------------------------------------------------------------------------------
def _summary(pipeline: Any, repo_id: str, source: str | None, sample_plot: str | None) -> str:
    class_name = type(pipeline).__name__
    channels = _channel_names(pipeline)
    length = window_size(pipeline)
    what = f"windows of {length} steps" if length else "windows"
    of = f" of {_join(channels)}" if channels else ""
    trained_on = f", trained on {_dataset_name(source)}" if source else ""
    lines = [
        f"# {repo_id.split('/')[-1]}",
        "",
        f"Synthetic time-series {what}{of}{trained_on}. A `{class_name}` from `ts_diffusion_wavelet`: "
        f"{pipeline.representation.summary}. Generated windows come back in the data's own units.",
    ]
    if sample_plot:
        lines += ["", f"![Generated windows]({sample_plot})"]
    return "\n".join(lines)


def _usage(pipeline: Any, repo_id: str, install_command: str) -> str:
    class_name = type(pipeline).__name__
    steps = min(50, _scheduler_steps(pipeline))
    shape = (4, window_size(pipeline), len(_channel_names(pipeline)))
    channels = _channel_names(pipeline)
    names = f" ({_join(channels)})" if channels else ""
    scheduler = type(pipeline.scheduler).__name__
    return f"""## Usage

```bash
{install_command}
```

```python
import torch
from ts_diffusion_wavelet import {class_name}

pipe = {class_name}.from_pretrained("{repo_id}")
output = pipe(batch_size=4, num_inference_steps={steps}, generator=torch.Generator().manual_seed(0))
print(output.series.shape)  # {shape}: windows, time steps, channels{names}
```

`output.series` is a NumPy array `[windows, time steps, channels]` in the training data's units;
`output_type="pd"` gives one DataFrame per window. Load it with `{class_name}` as above: the class lives in
`ts_diffusion_wavelet`, so diffusers' generic `DiffusionPipeline.from_pretrained` cannot build it.
The pipeline samples with the `{scheduler}` it was saved with; for fewer steps swap in DPM-Solver++
(`from diffusers import DPMSolverMultistepScheduler`, then
`pipe.scheduler = DPMSolverMultistepScheduler.from_config(pipe.scheduler.config)`, 20-25 steps).
From the command line:

```bash
tsdw-generate --model {repo_id} --num_samples 64 --scheduler dpmsolver --num_inference_steps 25 --output samples.csv
```"""


def _data_section(pipeline: Any, source: str | None, training: Mapping[str, Any]) -> str:
    rows: list[tuple[str, Any]] = [("dataset", _dataset_description(source) if source else "not recorded")]
    channels = _channel_names(pipeline)
    rows.append(("channels", f"{len(channels)}: {_join(channels)}" if channels else "not recorded"))
    length = window_size(pipeline)
    rows.append(("window size", f"{length} steps" if length else "not recorded"))
    for key, label in (("stride", "stride between training windows"), ("validation_fraction", "validation share")):
        if training.get(key) is not None:
            rows.append((label, training[key]))
    preprocessing = _preprocessing(pipeline)
    if preprocessing is None:
        rows.append(("preprocessing", "none recorded: generated windows are in model units"))
        return "## Data\n\n" + _table(("", "training data"), rows)
    rows.append(("target transform", _setting(preprocessing.get("target_transform"))))
    rows.append(("scaling", _setting(preprocessing.get("scaling"))))
    if preprocessing.get("categories"):
        rows.append(("one-hot columns", _join(preprocessing["categories"])))
    text = "## Data\n\n" + _table(("", "training data"), rows)
    records = preprocessing.get("channels") or []
    if records:
        per_channel = [(f"`{r.get('name')}`", r.get("target_transform", ""), r.get("scaling", "")) for r in records]
        text += "\n\nPer channel, fitted on the training split:\n\n" + _table(
            ("channel", "target transform", "scaling"), per_channel
        )
    return text


def _representation_section(pipeline: Any) -> str:
    representation = pipeline.representation
    rows = [(label, _value(value)) for label, value in representation.card_rows()]
    return f"## Representation\n\n{representation.card_text()}\n\n" + _table(("", representation.name), rows)


def _model_section(pipeline: Any) -> str:
    unet, scheduler = pipeline.unet, pipeline.scheduler
    parameters = sum(p.numel() for p in unet.parameters())
    sample_size = unet.config.sample_size
    rows = [
        ("denoiser", f"`{type(unet).__name__}`, {parameters / 1e6:.2f}M parameters"),
        (
            "input",
            f"{unet.config.in_channels} channels x "
            f"{' x '.join(map(str, sample_size)) if isinstance(sample_size, (list, tuple)) else sample_size}",
        ),
        ("block channels", ", ".join(map(str, unet.config.block_out_channels))),
        ("sampler", f"`{type(scheduler).__name__}`"),
        ("training timesteps", scheduler.config.get("num_train_timesteps")),
        ("noise schedule", scheduler.config.get("beta_schedule")),
        ("prediction type", scheduler.config.get("prediction_type")),
    ]
    return "## Model\n\n" + _table(("", "denoiser and sampler"), rows)


def _evaluation_section(evaluation: str | Mapping[str, Any] | None) -> str:
    if evaluation is None:
        return "## Evaluation\n\nNo evaluation summary was supplied with this upload."
    if isinstance(evaluation, str):
        text = evaluation.strip()
        return text if text.startswith("## ") else f"## Evaluation\n\n{text}"
    if not isinstance(evaluation, Mapping):
        raise ValueError(
            "`evaluation` must be markdown text or a mapping of metric names to values, "
            f"got {type(evaluation).__name__}."
        )
    return "## Evaluation\n\n" + _table(("metric", "value"), list(_flatten(evaluation)))


def _training_section(training: Mapping[str, Any]) -> str:
    if not training:
        return "## Training configuration\n\nNot recorded with this pipeline."
    rows = [(f"`{key}`", _value(value, digits=None)) for key, value in training.items() if key not in SECRET_KEYS]
    return (
        "## Training configuration\n\nAs saved with the pipeline (`model_index.json`, `training_config`); the same "
        "names are `train.py` options.\n\n" + _table(("option", "value"), rows)
    )


def _limitations() -> str:
    return (
        "## Limitations\n\nThe model imitates the statistics of its training windows; its output is not a forecast. "
        "Windows are generated independently, so consecutive windows do not join into one long series. Check the "
        "evaluation above (marginals, autocorrelations, spectra, discriminative scores) against your own use before "
        f"relying on it.\n\nMade with `ts_diffusion_wavelet` {__version__}."
    )


# ----- formatting ----------------------------------------------------------------------------------------
def _dataset_name(source: str) -> str:
    if _is_bundled(source):
        return f"the bundled `{source.removeprefix('bundled:')}` dataset"
    if _HUB_ID.match(source):
        return f"[{source}](https://huggingface.co/datasets/{source})"
    return f"`{_basename(source)}`"


def _dataset_description(source: str) -> str:
    if _is_bundled(source):
        from ..data.bundled import get_bundled

        info = get_bundled(source)
        return (
            f"`{info.name}` (bundled with the package): {info.description} Source: {info.source} "
            f"Licence: {info.licence}"
        )
    if _HUB_ID.match(source):
        return f"[{source}](https://huggingface.co/datasets/{source}) on the Hub"
    return f"`{_basename(source)}` (a local file)"


def _basename(path: str) -> str:
    return re.split(r"[\\/]", path.rstrip("/\\"))[-1] or path


def _setting(value: Any) -> str:
    if isinstance(value, Mapping):
        return ", ".join(f"{name}: {setting}" for name, setting in value.items()) or "none"
    return str(value)


def _join(names: Any) -> str:
    names = [f"`{name}`" for name in names]
    return ", ".join(names[:8]) + (f" and {len(names) - 8} more" if len(names) > 8 else "")


def _flatten(values: Mapping[str, Any], prefix: str = "") -> Any:
    for key, value in values.items():
        name = f"{prefix}{key}"
        if isinstance(value, Mapping):
            yield from _flatten(value, f"{name}.")
        else:
            yield name, _value(value)


def _value(value: Any, digits: int | None = 4) -> str:
    """A table cell: `none`, `true`/`false`, floats to `digits` significant digits (all of them for None)."""
    if value is None:
        return "none"
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, float):
        return repr(value) if digits is None else f"{value:.{digits}g}"
    if isinstance(value, (list, tuple)):
        return ", ".join(_value(v, digits) for v in value) or "[]"
    if isinstance(value, Mapping):
        return json.dumps(value, separators=(", ", ": "), default=str)
    return str(value)


def _table(header: tuple[str, ...], rows: list[tuple[Any, ...]]) -> str:
    def cell(value: Any) -> str:
        return str(value).replace("|", "\\|").replace("\n", " ")

    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    lines += ["| " + " | ".join(cell(v) for v in row) + " |" for row in rows]
    return "\n".join(lines)
