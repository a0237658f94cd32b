"""Synthetic time series from diffusion models on invertible Morlet scalograms, on the Hugging Face stack.

```py
>>> from ts_diffusion_wavelet import TimeSeriesDiffusionPipeline
>>> pipe = TimeSeriesDiffusionPipeline.from_pretrained("outputs/ts-diffusion-wavelet/pipeline")
>>> series = pipe(batch_size=8, num_inference_steps=50).series  # [8, window_size, channels], data units
```
"""

from typing import TYPE_CHECKING, Any

from .conditional import KnownValueSampling, denoise_with_known
from .data import (
    PreparedData,
    SeriesPreprocessor,
    WindowDataset,
    bundled_names,
    load_bundled,
    load_series,
    prepare_windows,
)
from .epsilon_calibration import EpsilonScalingCalibration, calibrate_epsilon_scaling
from .filter_bank import clear_cache, cwt, icwt
from .forecast_pooling import pool_forecasts, pooled_seeds
from .models import build_unet1d, build_unet2d
from .pipeline_base import TimeSeriesDiffusionPipeline
from .pipeline_legacy import RawDiffusionPipeline, ScalogramDiffusionPipeline
from .pipeline_loading import load_pipeline
from .pipeline_output import ForecastOutput, ImputationOutput, TimeSeriesPipelineOutput
from .representations import RawRepresentation, Representation, ScalogramRepresentation
from .scales import frequency_to_scale, max_scale_for_length, scale_grid, scale_to_frequency
from .scalogram import ScalogramConfig, ScalogramTransform
from .schedulers import SCHEDULER_NAMES, make_scheduler
from .series_io import load_generated, save_generated
from .training import TrainingConfig, parse_config
from .wavelets import SUPPORTED_WAVELETS, center_frequency, nyquist_scale

if TYPE_CHECKING:
    from .evaluation import (
        discriminative_score,
        evaluate_windows,
        generate_report,
        make_baselines,
        predictive_score,
        stylized_facts,
        summary_markdown,
    )

from .version import __version__ as __version__

# The judge (its metrics, matplotlib figures and, when used, the `eval` extra) loads on first access.
_EVALUATION = (
    "discriminative_score",
    "evaluate_windows",
    "generate_report",
    "make_baselines",
    "predictive_score",
    "stylized_facts",
    "summary_markdown",
)


def __getattr__(name: str) -> Any:
    if name in _EVALUATION:
        from . import evaluation

        return getattr(evaluation, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})


__all__ = [
    "EpsilonScalingCalibration",
    "KnownValueSampling",
    "SCHEDULER_NAMES",
    "SUPPORTED_WAVELETS",
    "ForecastOutput",
    "ImputationOutput",
    "PreparedData",
    "RawDiffusionPipeline",
    "RawRepresentation",
    "Representation",
    "ScalogramConfig",
    "ScalogramDiffusionPipeline",
    "ScalogramRepresentation",
    "ScalogramTransform",
    "SeriesPreprocessor",
    "TimeSeriesDiffusionPipeline",
    "TimeSeriesPipelineOutput",
    "TrainingConfig",
    "WindowDataset",
    "build_unet1d",
    "build_unet2d",
    "bundled_names",
    "calibrate_epsilon_scaling",
    "center_frequency",
    "clear_cache",
    "cwt",
    "denoise_with_known",
    "discriminative_score",
    "evaluate_windows",
    "frequency_to_scale",
    "generate_report",
    "icwt",
    "load_bundled",
    "load_generated",
    "load_pipeline",
    "load_series",
    "make_baselines",
    "make_scheduler",
    "pool_forecasts",
    "pooled_seeds",
    "max_scale_for_length",
    "nyquist_scale",
    "parse_config",
    "predictive_score",
    "prepare_windows",
    "save_generated",
    "scale_grid",
    "scale_to_frequency",
    "stylized_facts",
    "summary_markdown",
]
