"""
Representations: how the denoiser sees a window. Adding one is a subclass of [`Representation`] in its own module
and a line in [`REPRESENTATIONS`]; training, sampling, saving and the model card go through this interface.
"""

from __future__ import annotations

from typing import Any

import torch

from .base import Representation
from .raw import RawRepresentation
from .scalogram import DIFFUSION_SPACES, ScalogramRepresentation

REPRESENTATIONS: dict[str, type[Representation]] = {
    RawRepresentation.name: RawRepresentation,
    ScalogramRepresentation.name: ScalogramRepresentation,
}


def _representation_class(name: Any) -> type[Representation]:
    if name not in REPRESENTATIONS:
        raise ValueError(f"Unknown representation {name!r}; choose one of {', '.join(REPRESENTATIONS)}.")
    return REPRESENTATIONS[name]


def build_representation(config: Any, sample_windows: torch.Tensor, num_labels: int = 0) -> Representation:
    """
    The representation `config.representation` names, fitted where it needs statistics.

    Args:
        config (`TrainingConfig`): The run's configuration.
        sample_windows (`torch.Tensor`): Training windows `[N, C, L]` (a seeded sample is enough).
        num_labels (`int`, defaults to 0): Labels the UNet is conditioned on (0: unconditional).
    """
    representation = _representation_class(config.representation).from_training_config(config, sample_windows)
    representation.num_labels = int(num_labels)
    return representation


def representation_from_dict(record: dict[str, Any]) -> Representation:
    """Rebuild a representation from its record (a checkpoint's, or a saved pipeline's `representation`)."""
    if not isinstance(record, dict):
        raise ValueError(f"A representation record must be a dict with a 'name', got {type(record).__name__}.")
    representation = _representation_class(record.get("name")).from_dict(record)
    num_labels = record.get("num_labels", 0)
    if isinstance(num_labels, bool) or not isinstance(num_labels, int) or num_labels < 0 or num_labels == 1:
        raise ValueError(f"A representation's 'num_labels' must be 0 or an integer >= 2, got {num_labels!r}.")
    representation.num_labels = num_labels
    return representation


__all__ = [
    "DIFFUSION_SPACES",
    "REPRESENTATIONS",
    "RawRepresentation",
    "Representation",
    "ScalogramRepresentation",
    "build_representation",
    "representation_from_dict",
]
