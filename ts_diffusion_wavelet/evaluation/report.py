"""One call from real and generated windows to a report folder: baselines, every metric, figures, JSON, HTML."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path
from typing import Any

import numpy as np

from .baselines import BASELINE_NAMES, make_baselines
from .checks import as_windows, check_same_layout
from .html import render_html
from .plots import plot_report
from .returns import ReturnsKind
from .suite import evaluate_windows, to_json_ready
from .summary import summary_markdown
from .two_sample_plot import plot_two_sample_tests

MAX_FIGURE_CHANNELS = 8
REPORT_FILES = {"metrics": "metrics.json", "summary": "summary.md", "html": "report.html"}


def _figure_name(index: int, channel: str) -> str:
    return f"report_{index}_{re.sub(r'[^A-Za-z0-9_.-]+', '_', channel)}.png"


def write_report(
    metrics: dict[str, Any],
    real: np.ndarray,
    candidates: dict[str, np.ndarray],
    output_dir: str | os.PathLike,
    returns: ReturnsKind | None = None,
) -> dict[str, Path]:
    """
    Writes `metrics.json`, `summary.md`, the two-sample test figure (`two_sample_tests.png`, when they ran), one PNG
    figure per channel (the first 8) and `report.html` into `output_dir` (created if needed).

    Returns:
        `dict` of file kind (`metrics`, `summary`, `html`, `two_sample_tests`, `figure_<i>`) to path.
    """
    folder = Path(output_dir)
    folder.mkdir(parents=True, exist_ok=True)
    paths = {kind: folder / name for kind, name in REPORT_FILES.items()}
    channels = metrics["meta"]["channels"]
    if metrics.get("c2st"):
        paths["two_sample_tests"] = folder / "two_sample_tests.png"
        plot_two_sample_tests(metrics["c2st"]).savefig(paths["two_sample_tests"], dpi=90)
    for index, channel in enumerate(channels[:MAX_FIGURE_CHANNELS]):
        figure = plot_report(real, candidates, returns, index, channel)
        paths[f"figure_{index}"] = folder / _figure_name(index, channel)
        figure.savefig(paths[f"figure_{index}"], dpi=90)
    paths["metrics"].write_text(json.dumps(metrics, indent=2, allow_nan=False))
    paths["summary"].write_text(summary_markdown(metrics))
    figures = [p for kind, p in paths.items() if kind.startswith("figure_") or kind == "two_sample_tests"]
    paths["html"].write_text(render_html(metrics, figures), encoding="utf-8")
    return paths


def generate_report(
    real: Any,
    synthetic: Any,
    output_dir: str | os.PathLike,
    returns: ReturnsKind | None = None,
    channel_names: list[str] | None = None,
    real_series: Any | None = None,
    baselines: tuple[str, ...] = BASELINE_NAMES,
    block_length: int | None = None,
    sources: dict[str, str] | None = None,
    seed: int = 0,
    generation: dict[str, Any] | None = None,
    **evaluate_kwargs: Any,
) -> dict[str, Any]:
    """
    Evaluates generated windows against real ones and the baselines, and writes the report folder.

    Args:
        real (`np.ndarray`): Real windows `[N, L, C]` (or `[N, L]`), at least 10, in the data's units.
        synthetic (`np.ndarray`): Generated windows `[M, L, C]` in the same units, at least 10.
        output_dir (`str` or `os.PathLike`): Folder of `metrics.json`, `summary.md`, `report.html`, PNGs.
        returns (`"log"`, `"diff"` or `None`): `"log"` for prices, `"diff"` for levels that can be negative,
            `None` when the windows already are returns (or the stylized facts of returns do not apply).
        channel_names (`list[str]`, *optional*): Defaults to `channel_0`, ...
        real_series (`np.ndarray`, *optional*): The long real series `[T, C]` the windows come from (better
            GARCH fit and bootstrap, stylized facts at every lag).
        baselines (`tuple[str, ...]`): Among `"gaussian"`, `"garch"`, `"block_bootstrap"`; `()` for none.
        block_length (`int`, *optional*): Bootstrap block length; defaults to half a window.
        sources (`dict[str, str]`, *optional*): Where the data came from, recorded in the report.
        seed (`int`, defaults to 0): Seed of the baselines and the classifier scores.
        generation (`dict`, *optional*): Facts about how the windows were generated (sampler, seconds, and the
            consistency of generated scalograms in dB), recorded as `metrics["meta"]["generation"]`.
        evaluate_kwargs: Passed to [`evaluate_windows`] (e.g. `classifiers=False`, `discriminative_iterations`).

    Returns:
        The metrics `dict` (as in `metrics.json`), with `files` mapping each written file's kind to its path.
    """
    real = as_windows(real, "real")
    synthetic = as_windows(synthetic, "synthetic")
    check_same_layout(real, synthetic)
    # 1. Baselines with as many windows as the model generated, in the data's units.
    generated, baseline_info = (
        make_baselines(real, len(synthetic), returns, real_series, block_length, tuple(baselines), seed)
        if baselines
        else ({}, {})
    )
    candidates = {"synthetic": synthetic, **generated}
    # 2. Every metric, then the files.
    metrics = evaluate_windows(
        real,
        candidates,
        returns=returns,
        channel_names=channel_names,
        real_series=real_series,
        seed=seed,
        **evaluate_kwargs,
    )
    metrics["baselines"] = to_json_ready(baseline_info)
    metrics["meta"]["sources"] = dict(sources or {})
    if generation is not None:
        metrics["meta"]["generation"] = to_json_ready(generation)
    metrics["notes"] += [
        f"baseline {name} left out: {info['error']}" for name, info in baseline_info.items() if "error" in info
    ]
    paths = write_report(metrics, real, candidates, output_dir, returns)
    metrics["files"] = {kind: str(path) for kind, path in paths.items()}
    return metrics
