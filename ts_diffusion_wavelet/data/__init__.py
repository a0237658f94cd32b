"""From a user's data to training windows: loading, cleaning, preprocessing, windowing, bundled and synthetic data."""

from .bundled import BUNDLED_DATASETS, BundledDataset, bundled_names, load_bundled
from .categorical import onehot_decode, onehot_encode
from .cleaning import CleanSeries, clean_frame
from .labels import WindowLabeler
from .prepare import PreparedData, prepare_windows
from .preprocessing import SeriesPreprocessor
from .scaling import scale_values, unscale_values
from .sources import load_series, read_source
from .synthetic import garch_returns, geometric_prices, random_walk, sum_of_sines
from .target_transforms import apply_target_transform, invert_target_transform
from .windows import WindowDataset, split_row

__all__ = [
    "BUNDLED_DATASETS",
    "BundledDataset",
    "CleanSeries",
    "PreparedData",
    "SeriesPreprocessor",
    "WindowDataset",
    "WindowLabeler",
    "apply_target_transform",
    "bundled_names",
    "clean_frame",
    "garch_returns",
    "geometric_prices",
    "invert_target_transform",
    "load_bundled",
    "load_series",
    "onehot_decode",
    "onehot_encode",
    "prepare_windows",
    "random_walk",
    "read_source",
    "scale_values",
    "split_row",
    "sum_of_sines",
    "unscale_values",
]
