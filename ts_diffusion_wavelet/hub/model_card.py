"""
The model card of a shared pipeline: `huggingface_hub`'s `ModelCardData` for the metadata, its
`ModelCard.from_template` with the Jinja template below for the text (what the model generates and how to use it,
what it was trained on, how it represents a window, its training configuration), all read from the pipeline.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from diffusers.utils.hub_utils import populate_model_card
from huggingface_hub import ModelCard, ModelCardData

from ..data.sources import FILE_SUFFIXES
from ..training.config import SECRET_OPTIONS
from ..version import __version__

PACKAGE_NAME = "ts-diffusion-wavelet"
# The package is installed from its source until it is published; replace with the published name when it is.
INSTALL_COMMAND = f'pip install "{PACKAGE_NAME}>={__version__}"'
SAMPLE_PLOT_PATH = "images/samples.png"  # where the sample plot goes in the repo; the card links it relatively
CARD_TAGS: tuple[str, ...] = ("time-series", "ts-diffusion-wavelet", "synthetic-data")  # beside "diffusers"
# Options that name places on the uploader's machine: only their last part (a file or run name) is shared.
LOCAL_PATH_OPTIONS: tuple[str, ...] = ("output_dir", "resume_from_checkpoint")

_HUB_ID = re.compile(r"^[A-Za-z0-9][\w.-]*/[A-Za-z0-9][\w.-]*$")

_TEMPLATE = """---
{{ card_data }}
---
{% macro table(header, rows) %}
| {{ header | join(" | ") }} |
|{% for _ in header %}---|{% endfor %}
{% for row in rows %}| {{ row | join(" | ") }} |
{% endfor %}{% endmacro %}
# {{ title }}

Synthetic time-series windows of {{ shape[1] }} steps of {{ channel_list }}\
{% if dataset_name %}, trained on {{ dataset_name }}{% endif %}. \
A `{{ class_name }}` from `ts_diffusion_wavelet`: {{ representation_summary }}. \
Generated windows come back in the data's own units.
{% if sample_plot %}
![Generated windows]({{ sample_plot }})
{% endif %}
## Usage

```bash
{{ install_command }}
```

```python
import torch
from ts_diffusion_wavelet import {{ class_name }}

pipe = {{ class_name }}.from_pretrained("{{ repo_id }}")
output = pipe(batch_size=4, num_inference_steps={{ steps }}, generator=torch.Generator().manual_seed(0))
print(output.series.shape)  # {{ shape }}: windows, time steps, channels ({{ channel_list }})
{%- if label_names %}

# Trained on labelled windows: ask for a label ({{ label_names }}); without `labels` it samples unconditionally.
output = pipe(batch_size=4, labels="{{ first_label }}", guidance_scale=2.0)
{%- endif %}
```

`output.series` is a NumPy array `[windows, time steps, channels]` in the training data's units;
`output_type="pd"` gives one DataFrame per window. Load it with `{{ class_name }}` as above: the class lives in
`ts_diffusion_wavelet`, so diffusers' generic `DiffusionPipeline.from_pretrained` cannot build it.
The pipeline samples with the `{{ scheduler }}` it was saved with; for fewer steps swap in DPM-Solver++
(`from diffusers import DPMSolverMultistepScheduler`, then
`pipe.scheduler = DPMSolverMultistepScheduler.from_config(pipe.scheduler.config)`, 20-25 steps).
From the command line:

```bash
tsdw-generate --model {{repo_id}} --num_samples 64 --scheduler dpmsolver --num_inference_steps 25 --output samples.csv
```

## Data
{{ table(["", "training data"], data_rows) }}
{%- if channel_rows %}
Per channel, fitted on the training split:
{{ table(["channel", "target transform", "scaling"], channel_rows) }}
{%- endif %}
## Representation

{{ representation_text }}
{{ table(["", representation_name], representation_rows) }}
## Model
{{ table(["", "denoiser and sampler"], model_rows) }}
{% if evaluation_text.startswith("## ") %}{{ evaluation_text }}
{% else %}## Evaluation
{% if evaluation_rows %}{{ table(["metric", "value"], evaluation_rows) }}{% else %}
{{ evaluation_text or "No evaluation summary was supplied with this upload." }}
{% endif %}{% endif %}
## Training configuration
{% if training_rows %}
As saved with the pipeline (`model_index.json`, `training_config`); the same names are `train.py` options.
{{ table(["option", "value"], training_rows) }}
{%- else %}
Not recorded with this pipeline.
{% endif %}
## Limitations

The model imitates the statistics of its training windows; its output is not a forecast. Windows are generated \
independently, so consecutive windows do not join into one long series. Check the evaluation above (marginals, \
autocorrelations, spectra, discriminative scores) against your own use before relying on it.

Made with `ts_diffusion_wavelet` {{ version }}.

"""


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
            bundled name or a description. Defaults to `training_config["data"]` saved with the pipeline (a local
            path reduced to its file name).
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
    if evaluation is not None and not isinstance(evaluation, (str, Mapping)):
        raise ValueError(
            "`evaluation` must be markdown text or a mapping of metric names to values, "
            f"got {type(evaluation).__name__}."
        )
    training = shareable_training_config(pipeline.config.get("training_config"))
    source = dataset if dataset is not None else training.get("data")
    hub_dataset = source if isinstance(source, str) and _is_hub_dataset(source) else None
    data = ModelCardData(license=license, datasets=[hub_dataset] if hub_dataset else None)
    channels = list(pipeline.channel_names)
    card = ModelCard.from_template(
        data,
        template_str=_TEMPLATE,
        title=repo_id.split("/")[-1],
        dataset_name=_dataset(source)[0] if source else None,
        class_name=class_name,
        representation_summary=representation.summary,
        sample_plot=sample_plot,
        install_command=install_command,
        repo_id=repo_id,
        steps=min(50, int(pipeline.scheduler.config.get("num_train_timesteps", 1000))),
        shape=(4, pipeline.window_size, len(channels)),
        channel_list=_join(channels),
        scheduler=type(pipeline.scheduler).__name__,
        label_names=", ".join(f'"{name}"' for name in getattr(pipeline, "label_names", [])),
        first_label=next(iter(getattr(pipeline, "label_names", [])), ""),
        data_rows=_rows(_data_rows(pipeline, source, training)),
        channel_rows=_rows(_channel_rows(pipeline)),
        representation_text=representation.card_text(),
        representation_name=representation.name,
        representation_rows=_rows((label, _value(value)) for label, value in representation.card_rows()),
        model_rows=_rows(_model_rows(pipeline)),
        evaluation_rows=_rows(_flatten(evaluation)) if isinstance(evaluation, Mapping) else None,
        evaluation_text=evaluation.strip() if isinstance(evaluation, str) else "",
        training_rows=_rows((f"`{key}`", _value(value, digits=None)) for key, value in training.items()),
        version=__version__,
    )
    # diffusers' own step: library_name "diffusers" (what the Hub's "Use this model" reads), then our tags.
    return populate_model_card(card, tags=["diffusers", *CARD_TAGS, representation.tag, f"diffusers:{class_name}"])


def shareable_training_config(training: Mapping[str, Any] | None) -> dict[str, Any]:
    """
    What of a saved training configuration leaves the machine, in the card and in the uploaded `model_index.json`:
    no secrets (`TrainingConfig`'s `SECRET_OPTIONS` are left out), local paths cut to their last part (`data` to
    its file name unless it is a Hub dataset id or a bundled name; `output_dir`, `resume_from_checkpoint`), the
    rest as is.
    """
    shared = {key: value for key, value in (training or {}).items() if key not in SECRET_OPTIONS}
    for key in LOCAL_PATH_OPTIONS:
        if isinstance(shared.get(key), str):
            shared[key] = _last_part(shared[key])
    data = shared.get("data")
    if isinstance(data, str) and not _is_bundled(data) and not _is_hub_dataset(data):
        shared["data"] = _last_part(data)
    return shared


# ----- facts read from the pipeline -----------------------------------------------------------------------
def _is_bundled(name: str) -> bool:
    from ..data.bundled import BUNDLED_DATASETS, BUNDLED_PREFIX

    return name.removeprefix(BUNDLED_PREFIX) in BUNDLED_DATASETS


def _is_hub_dataset(source: str) -> bool:
    """`owner/name`, as `load_series` reads it: not a data file's name and nothing of that name here."""
    return (
        bool(_HUB_ID.match(source))
        and not source.lower().endswith(FILE_SUFFIXES)
        and not _is_bundled(source)
        and not Path(source).expanduser().exists()
    )


def _data_rows(pipeline: Any, source: str | None, training: Mapping[str, Any]) -> list[tuple[str, Any]]:
    channels = pipeline.channel_names
    rows: list[tuple[str, Any]] = [
        ("dataset", _dataset(source)[1] if source else "not recorded"),
        ("channels", f"{len(channels)}: {_join(channels)}"),
        ("window size", f"{pipeline.window_size} steps"),
    ]
    for key, label in (("stride", "stride between training windows"), ("validation_fraction", "validation share")):
        if training.get(key) is not None:
            rows.append((label, training[key]))
    preprocessing = pipeline.config.get("preprocessing")
    labeler = getattr(pipeline, "labeler", None)
    if labeler is not None:
        rows.append(("labels", labeler.describe()))
    if preprocessing is None:
        return [*rows, ("preprocessing", "none recorded: generated windows are in model units")]
    rows.append(("target transform", _setting(preprocessing.get("target_transform"))))
    rows.append(("scaling", _setting(preprocessing.get("scaling"))))
    if preprocessing.get("categories"):
        rows.append(("one-hot columns", _join(preprocessing["categories"])))
    return rows


def _channel_rows(pipeline: Any) -> list[tuple[str, Any, Any]]:
    records = (pipeline.config.get("preprocessing") or {}).get("channels") or []
    return [(f"`{r.get('name')}`", r.get("target_transform", ""), r.get("scaling", "")) for r in records]


def _model_rows(pipeline: Any) -> list[tuple[str, Any]]:
    unet, scheduler = pipeline.unet, pipeline.scheduler
    parameters = sum(p.numel() for p in unet.parameters())
    sample_size = unet.config.sample_size
    size = " x ".join(map(str, sample_size)) if isinstance(sample_size, (list, tuple)) else sample_size
    return [
        ("denoiser", f"`{type(unet).__name__}`, {parameters / 1e6:.2f}M parameters"),
        ("input", f"{unet.config.in_channels} channels x {size}"),
        ("block channels", ", ".join(map(str, unet.config.block_out_channels))),
        ("sampler", f"`{type(scheduler).__name__}`"),
        ("training timesteps", scheduler.config.get("num_train_timesteps")),
        ("noise schedule", scheduler.config.get("beta_schedule")),
        ("prediction type", scheduler.config.get("prediction_type")),
        *_epsilon_scaling_row(pipeline),
    ]


def _epsilon_scaling_row(pipeline: Any) -> list[tuple[str, Any]]:
    record = pipeline.config.get("epsilon_scaling")
    if record is None:
        return []
    before = f"{record['tried'][0][1]:.3f}x" if record.get("tried") else "unknown"
    return [
        (
            "epsilon scaling (default of free sampling)",
            f"{record['factor']:.4f}: one-step changes {record['increment_ratio']:.3f}x the training data's "
            f"({before} without; {record.get('num_windows')} windows, {record.get('num_inference_steps')} steps)",
        )
    ]


# ----- formatting ----------------------------------------------------------------------------------------
def _dataset(source: str) -> tuple[str, str]:
    """How the summary names the training data, and how the data table describes it."""
    if _is_bundled(source):
        from ..data.bundled import get_bundled

        info = get_bundled(source)
        description = f"{info.description} Source: {info.source} Licence: {info.licence}"
        return f"the bundled `{info.name}` dataset", f"`{info.name}` (bundled with the package): {description}"
    if _is_hub_dataset(source):
        link = f"[{source}](https://huggingface.co/datasets/{source})"
        return link, f"{link} on the Hub"
    return f"`{_last_part(source)}`", f"`{_last_part(source)}` (a local file)"


def _last_part(path: str) -> str:
    """The file or folder name at the end of a path, whichever separator the uploader's system used."""
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


def _rows(rows: Any) -> list[list[str]]:
    """Table rows as markdown cells: `|` escaped, one line each."""
    return [[str(cell).replace("|", "\\|").replace("\n", " ") for cell in row] for row in rows]
