"""
The pipeline class names of version 0.1, kept so that pipelines saved by it (their `model_index.json` names one of
these) load, on a disk or from the Hub. Both are [`TimeSeriesDiffusionPipeline`]; new pipelines are saved as it.
"""

from __future__ import annotations

from .pipeline_base import TimeSeriesDiffusionPipeline


class ScalogramDiffusionPipeline(TimeSeriesDiffusionPipeline):
    """A [`TimeSeriesDiffusionPipeline`] under the name version 0.1 saved scalogram pipelines with."""


class RawDiffusionPipeline(TimeSeriesDiffusionPipeline):
    """A [`TimeSeriesDiffusionPipeline`] under the name version 0.1 saved raw pipelines with."""
