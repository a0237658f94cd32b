"""
Upload a pipeline to the Hugging Face Hub with its model card and a sample plot, in one commit.

`pipe.push_to_hub(repo_id)` and `train.py --push_to_hub --hub_model_id ID` land here; so does
`tsdw-push PIPELINE_FOLDER REPO_ID` (ts_diffusion_wavelet.cli.push), which uploads a saved pipeline (e.g. when
the upload at the end of training failed).
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from huggingface_hub import create_repo, get_token, upload_folder
from huggingface_hub.utils import validate_repo_id

from .errors import TOKEN_HELP, translate_hub_errors
from .model_card import SAMPLE_PLOT_PATH, build_model_card, shareable_training_config

logger = logging.getLogger(__name__)

EVALUATION_SUMMARY = Path("evaluation") / "summary.md"  # under a run's output_dir, picked up when present
SAMPLES_FOLDER = "samples"  # the validation plots of a run, beside its pipeline folder
SAMPLE_PLOT_WINDOWS = 4  # windows drawn when a plot is made at upload time
SAMPLE_PLOT_STEPS = 25  # DDIM steps for them (as the validation plots during training)


def push_pipeline_to_hub(
    pipeline: Any,
    repo_id: str,
    *,
    token: str | None = None,
    private: bool | None = None,
    commit_message: str | None = None,
    create_pr: bool = False,
    safe_serialization: bool = True,
    variant: str | None = None,
    dataset: str | None = None,
    evaluation: str | Mapping[str, Any] | None = None,
    sample_plot: str | os.PathLike | bool | None = None,
    license: str | None = None,
    saved_folder: str | os.PathLike | None = None,
) -> str:
    """
    Upload `pipeline` to the Hub repo `repo_id` (created if needed) with a model card and a sample plot.

    One commit holds the pipeline's files, `README.md` (the card, replacing any earlier one) and
    `images/samples.png`. The uploaded `model_index.json` and the card share the training configuration as
    [`shareable_training_config`] leaves it (no token, no local directories); the pipeline object and any local
    folder are left as they are.

    Args:
        pipeline ([`TimeSeriesDiffusionPipeline`]): The pipeline to share.
        repo_id (`str`): `"user/name"`, `"org/name"`, or `"name"` for the token owner's namespace.
        token (`str`, *optional*): A token with write access; defaults to `HF_TOKEN` or the logged-in one.
        private (`bool`, *optional*): Create the repo as private (ignored when it exists).
        commit_message (`str`, *optional*): Defaults to `"Upload <PipelineClass>"`.
        create_pr (`bool`, defaults to `False`): Open a pull request instead of committing to `main`.
        safe_serialization (`bool`, defaults to `True`), variant (`str`, *optional*): As in diffusers'
            `save_pretrained`: safetensors or pickle weights, and a variant name (`"fp16"`) in their file names.
        dataset (`str`, *optional*): The training data for the card (a Hub dataset id, a bundled name, or words);
            defaults to the `data` option saved in the pipeline's training configuration.
        evaluation (`str` or `Mapping`, *optional*): An evaluation summary for the card: markdown (e.g. the
            evaluation report's `summary.md`) or `{metric: value}`.
        sample_plot (`str`, `os.PathLike` or `bool`, *optional*): A PNG to upload as the card's sample plot; by
            default (or `True`) `SAMPLE_PLOT_WINDOWS` windows are generated (DDIM, `SAMPLE_PLOT_STEPS` steps) and
            plotted; `False` for none.
        license (`str`, *optional*): A Hub licence id for the card's metadata.
        saved_folder (`str` or `os.PathLike`, *optional*): Upload this `save_pretrained` folder of `pipeline`
            instead of saving the pipeline again.

    Returns:
        `str`: the URL of the commit (a `huggingface_hub.CommitInfo`, which also has `oid` and `pr_url`).

    Raises:
        `ValueError`: a malformed repo id, no token, a token the Hub rejects or that cannot write there.
        `OSError`: the Hub cannot be reached, or refused the upload for another reason.
    """
    validate_repo_id(repo_id)  # a ValueError naming the id and the form it must take
    token = _resolve_token(token)
    with tempfile.TemporaryDirectory(prefix="tsdw-push-") as staging:
        folder = Path(staging)
        # 1. The files first, so nothing is created on the Hub when a local step fails.
        _stage_pipeline(pipeline, folder, saved_folder, safe_serialization=safe_serialization, variant=variant)
        plot = _stage_sample_plot(pipeline, folder, sample_plot)
        with translate_hub_errors(repo_id):
            # 2. The repo (kept when it exists), whose full id names it in the card.
            repo_id = create_repo(repo_id, token=token, private=private, exist_ok=True).repo_id
            # 3. The card, then one commit of everything (the client has the Hub check the card's metadata first).
            card = build_model_card(
                pipeline, repo_id, dataset=dataset, evaluation=evaluation, sample_plot=plot, license=license
            )
            card.save(folder / "README.md")
            commit = upload_folder(
                repo_id=repo_id,
                folder_path=folder,
                token=token,
                commit_message=commit_message or f"Upload {type(pipeline).__name__}",
                create_pr=create_pr,
            )
    logger.info("Uploaded the pipeline to %s (%s)", repo_id, commit)
    return commit


def push_saved_pipeline(
    pipeline: Any,
    pipeline_path: str | os.PathLike,
    repo_id: str,
    *,
    evaluation: str | Mapping[str, Any] | None = None,
    sample_plot: str | os.PathLike | bool | None = None,
    **options: Any,
) -> str:
    """
    Upload the folder `save_pretrained` wrote in a run (`output_dir/pipeline`) with the run's evaluation summary
    (`output_dir/evaluation/summary.md`) and its latest validation plot (`output_dir/samples/`) when present.

    Args:
        pipeline ([`TimeSeriesDiffusionPipeline`]): The pipeline saved there (the caller loads it: this module does
            not import the loader, which imports the pipeline, which imports this module).
        pipeline_path (`str` or `os.PathLike`): The saved pipeline folder.
        repo_id (`str`): As in [`push_pipeline_to_hub`].
        evaluation, sample_plot: Used instead of the run's own when given.
        options: The other keyword arguments of [`push_pipeline_to_hub`].
    """
    run_dir = Path(pipeline_path).parent
    summary = run_dir / EVALUATION_SUMMARY
    if evaluation is None and summary.is_file():
        evaluation = summary.read_text(encoding="utf-8")
    return push_pipeline_to_hub(
        pipeline,
        repo_id,
        evaluation=evaluation,
        sample_plot=sample_plot if sample_plot is not None else latest_sample_plot(run_dir / SAMPLES_FOLDER),
        saved_folder=pipeline_path,
        **options,
    )


def push_trained_pipeline(pipeline: Any, pipeline_path: str | os.PathLike, config: Any) -> str:
    """
    The upload at the end of `train(config)` ([`push_saved_pipeline`] with `hub_model_id`, `hub_token`,
    `hub_private`); its errors say where the saved pipeline is and how to upload it later.
    """
    retry = f"tsdw-push {pipeline_path} {config.hub_model_id}"
    kept = f"The trained pipeline is saved in {pipeline_path}; upload it later with `{retry}`."
    try:
        return push_saved_pipeline(
            pipeline,
            pipeline_path,
            config.hub_model_id,
            token=config.hub_token,
            private=config.hub_private,
            commit_message=f"Upload {type(pipeline).__name__} trained with ts_diffusion_wavelet",
        )
    except ValueError as error:
        raise ValueError(f"{error}\n{kept}") from None
    except OSError as error:
        raise OSError(f"{error}\n{kept}") from None


def latest_sample_plot(folder: str | os.PathLike) -> Path | bool:
    """The last PNG (by name: `step-0000500.png` sorts by step) in `folder`, or True (make one) when none."""
    plots = sorted(Path(folder).glob("*.png")) if Path(folder).is_dir() else []
    return plots[-1] if plots else True


def make_sample_plot(
    pipeline: Any,
    path: str | os.PathLike,
    num_windows: int | None = None,
    num_inference_steps: int | None = None,
    seed: int = 0,
) -> Path:
    """
    Generate `num_windows` (default `SAMPLE_PLOT_WINDOWS`) windows with DDIM in `num_inference_steps` (default
    `SAMPLE_PLOT_STEPS`) and plot them to `path`; the pipeline's own sampler is put back.
    """
    from ..batch_sampling import sample_windows
    from ..plotting import plot_samples

    steps = min(num_inference_steps or SAMPLE_PLOT_STEPS, pipeline.scheduler.config.num_train_timesteps)
    series, images = sample_windows(
        pipeline,
        num_windows or SAMPLE_PLOT_WINDOWS,
        steps,
        seed=seed,
        scheduler="ddim",
        return_scalograms=pipeline.representation.has_images,
    )
    plot_samples(
        series,
        path,
        channel_names=pipeline.channel_names,
        generated_images=images,
        title=f"Generated windows ({pipeline.representation.name}, DDIM {steps} steps)",
    )
    return Path(path)


# ----- steps -------------------------------------------------------------------------------------------------
def _resolve_token(token: str | None) -> str:
    token = token or get_token()
    if not token:
        raise ValueError(f"Uploading to the Hub needs a token, and none was given or found. {TOKEN_HELP}")
    return token


def _stage_pipeline(pipeline: Any, folder: Path, saved_folder: str | os.PathLike | None, **save_options: Any) -> None:
    """The pipeline's files in `folder`, its training configuration as [`shareable_training_config`] leaves it."""
    if saved_folder is None:
        pipeline.save_pretrained(folder, **save_options)
    else:
        if not (Path(saved_folder) / "model_index.json").is_file():
            raise FileNotFoundError(
                f"{saved_folder} holds no model_index.json: pass the folder save_pretrained wrote."
            )
        shutil.copytree(saved_folder, folder, dirs_exist_ok=True)
    index_path = folder / "model_index.json"
    index = json.loads(index_path.read_text(encoding="utf-8"))
    if index.get("training_config") is not None:
        index["training_config"] = shareable_training_config(index["training_config"])
        index_path.write_text(json.dumps(index, indent=2, sort_keys=True) + "\n", encoding="utf-8")


def _stage_sample_plot(pipeline: Any, folder: Path, sample_plot: str | os.PathLike | bool | None) -> str | None:
    """Put the sample plot at `SAMPLE_PLOT_PATH` in `folder`; its path in the repo, or None when there is none."""
    if sample_plot is False:
        return None
    target = folder / SAMPLE_PLOT_PATH
    target.parent.mkdir(parents=True, exist_ok=True)
    if sample_plot is None or sample_plot is True:
        make_sample_plot(pipeline, target)
        return SAMPLE_PLOT_PATH
    source = Path(sample_plot)
    if not source.is_file() or source.suffix.lower() != ".png":
        raise ValueError(f"`sample_plot` must be an existing PNG file, got {str(source)!r}.")
    shutil.copyfile(source, target)
    return SAMPLE_PLOT_PATH
