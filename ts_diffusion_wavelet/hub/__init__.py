"""Sharing pipelines on the Hugging Face Hub: upload with a model card, read a repo's index with plain errors."""

from .loading import read_remote_model_index
from .model_card import build_model_card
from .push import make_sample_plot, push_pipeline_to_hub, push_trained_pipeline

__all__ = [
    "build_model_card",
    "make_sample_plot",
    "push_pipeline_to_hub",
    "push_trained_pipeline",
    "read_remote_model_index",
]
