"""
The diffusion models of `bench_anomaly.py`: one small raw-representation model per NAB series, trained on its
probationary part (the first 15%) with the package's own training path, cached so reruns skip training.
"""

from __future__ import annotations

import os
from pathlib import Path

from nab_data import NabSeries

from ts_diffusion_wavelet.training import parse_config
from ts_diffusion_wavelet.training.loop import train

ROOT = Path(__file__).resolve().parent
WORK = ROOT.parent / "outputs" / "bench_anomaly"  # git-ignored: trained pipelines and the training CSVs
WINDOW = 64
TRAIN_STEPS = 1500


def training_arguments(data: Path, output_dir: Path, window: int = WINDOW, steps: int = TRAIN_STEPS) -> list[str]:
    """`train.py` flags: a small raw UNet on standardised levels, every window of the probationary part."""
    return [
        "--data", str(data), "--time_column", "none", "--target_transform", "none", "--scaling", "standard",
        "--window_size", str(window), "--stride", "1", "--validation_fraction", "0", "--validation_steps", "0",
        "--representation", "raw", "--model_preset", "small", "--max_train_steps", str(steps),
        "--lr_warmup_steps", "100", "--logger", "none", "--num_validation_samples", "0",
        "--checkpointing_steps", str(steps), "--checkpoints_total_limit", "1", "--output_dir", str(output_dir),
        "--calibrate_epsilon_scaling", "false",  # anomaly scores do not sample freely
    ]  # fmt: skip


def trained_pipeline(series: NabSeries, window: int = WINDOW, steps: int = TRAIN_STEPS, work: Path = WORK) -> Path:
    """The pipeline folder of `series`' model, trained on `series.frame[:train_end]` unless already there."""
    run = work / f"{series.name}-w{window}-s{steps}"
    pipeline = run / "pipeline"
    if (pipeline / "model_index.json").exists():
        return pipeline
    run.mkdir(parents=True, exist_ok=True)
    data = run / "train.csv"
    # Values only: windows are cut by position, and some NAB series repeat timestamps (a daylight-saving hour).
    series.frame.iloc[: series.train_end][["value"]].to_csv(data, index=False)
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    train(parse_config(training_arguments(data, run, window, steps)))
    return pipeline
