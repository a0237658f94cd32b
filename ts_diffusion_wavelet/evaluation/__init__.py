"""
Judging generated series: metrics on time-major windows `[N, L, C]` (a 2-D `[N, L]` array is one channel),
classifier two-sample tests with a time-blocked split (the strong judge), post-hoc GRU scores (the literature's),
baselines, and the report.

Quick start:

```py
>>> from ts_diffusion_wavelet.evaluation import generate_report, summary_markdown
>>> metrics = generate_report(real_windows, generated_windows, "report/", returns="log")
>>> print(summary_markdown(metrics))
```
"""

from .baselines import BASELINE_NAMES, block_bootstrap_baseline, garch_baseline, gaussian_baseline, make_baselines
from .checks import as_window_pair, as_windows
from .classifier_scores import (
    default_hidden_size,
    discriminative_score,
    discriminative_scores,
    predictive_score,
    predictive_scores,
    summarize_repeats,
)
from .correlation import correlational_score, cross_correlation
from .distribution import ks_per_channel, qq_distance, quantiles, wasserstein_per_channel
from .files import LoadedWindows, align_channels, read_windows, sliding_windows
from .html import render_html
from .hurst import hurst_exponent
from .memorization import distance_to_closest_record
from .plots import plot_report
from .report import generate_report, write_report
from .returns import from_returns, to_returns
from .spectral import mean_psd, mean_scalogram, psd_distance
from .stylized_facts import SCALAR_FACTS, gain_loss_ratio, hill_tail_index, leverage_effect, stylized_facts
from .suite import evaluate_windows
from .summary import summary_markdown, summary_rows
from .temporal import acf_distance, autocorrelation
from .time_blocks import BlockedSplit, infer_stride, time_blocked_split
from .two_sample import FLOOR_NAME, c2st_scores
from .window_statistics import window_statistics

__all__ = [
    "BASELINE_NAMES",
    "FLOOR_NAME",
    "BlockedSplit",
    "SCALAR_FACTS",
    "LoadedWindows",
    "acf_distance",
    "align_channels",
    "as_window_pair",
    "as_windows",
    "autocorrelation",
    "block_bootstrap_baseline",
    "c2st_scores",
    "correlational_score",
    "cross_correlation",
    "default_hidden_size",
    "distance_to_closest_record",
    "discriminative_score",
    "discriminative_scores",
    "evaluate_windows",
    "from_returns",
    "gain_loss_ratio",
    "garch_baseline",
    "gaussian_baseline",
    "generate_report",
    "hill_tail_index",
    "hurst_exponent",
    "infer_stride",
    "ks_per_channel",
    "leverage_effect",
    "make_baselines",
    "mean_psd",
    "mean_scalogram",
    "plot_report",
    "predictive_score",
    "predictive_scores",
    "psd_distance",
    "qq_distance",
    "quantiles",
    "read_windows",
    "render_html",
    "sliding_windows",
    "stylized_facts",
    "summarize_repeats",
    "summary_markdown",
    "summary_rows",
    "time_blocked_split",
    "to_returns",
    "wasserstein_per_channel",
    "window_statistics",
    "write_report",
]
