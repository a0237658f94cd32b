"""Starting a run: the Accelerator, logging, and the checks that must happen before any work."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import torch
from accelerate import Accelerator
from accelerate.utils import GradientAccumulationPlugin, ProjectConfiguration

from ..hub.preflight import check_hub_settings
from .config import TrainingConfig
from .export import PIPELINE_FOLDER

logger = logging.getLogger(__name__)


def create_accelerator(config: TrainingConfig) -> Accelerator:
    """An Accelerator for one CPU, one GPU or many, with the configured precision, accumulation and tracker."""
    if config.mixed_precision == "fp16" and not torch.cuda.is_available():
        raise ValueError("--mixed_precision fp16 needs a CUDA GPU; on a CPU use bf16 or no.")
    project = ProjectConfiguration(project_dir=config.output_dir, logging_dir=str(Path(config.output_dir) / "logs"))
    return Accelerator(
        mixed_precision=config.mixed_precision,
        # Our own sampler decides where epochs end, so accumulation counts batches only.
        gradient_accumulation_plugin=GradientAccumulationPlugin(
            num_steps=config.gradient_accumulation_steps, sync_with_dataloader=False
        ),
        log_with=None if config.logger == "none" else config.logger,
        project_config=project,
    )


def configure_logging(accelerator: Accelerator) -> None:
    """INFO logs on the main process, warnings only elsewhere; library chatter kept down."""
    logging.basicConfig(
        format="%(asctime)s %(levelname)s %(name)s: %(message)s", datefmt="%H:%M:%S", level=logging.INFO
    )
    level = logging.INFO if accelerator.is_local_main_process else logging.WARNING
    logging.getLogger("ts_diffusion_wavelet").setLevel(level)
    for noisy in ("diffusers", "accelerate", "huggingface_hub", "datasets"):
        logging.getLogger(noisy).setLevel(logging.WARNING)


def check_output_dir(config: TrainingConfig) -> None:
    """
    Check where the run's results go, before any work: refuse to overwrite a finished run unless asked to
    (resuming is fine), and check the Hub repo id and the token's right to write to it when pushing (on every
    process, so that all stop together).
    """
    repo_id = check_hub_settings(config.push_to_hub, config.hub_model_id, config.hub_token)
    if repo_id is not None:
        logger.info("Will push to %s at the end (the token may write there)", repo_id)
    existing = Path(config.output_dir) / PIPELINE_FOLDER / "model_index.json"
    if existing.exists() and config.resume_from_checkpoint is None and not config.overwrite_output_dir:
        raise ValueError(
            f"{config.output_dir} already holds a trained pipeline. Pass --resume_from_checkpoint latest to continue, "
            "--overwrite_output_dir true to replace it, or another --output_dir."
        )


def tracker_config(config: TrainingConfig) -> dict[str, Any]:
    """The config as scalars, which TensorBoard's hyper-parameter view needs."""
    flat: dict[str, Any] = {}
    for key, value in config.to_dict().items():
        if key == "hub_token":
            continue
        flat[key] = value if isinstance(value, (int, float, str, bool)) else str(value)
    return flat
