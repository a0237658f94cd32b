"""The spread of volatility across EUR/USD windows (issue 14), from a window-64 volatility-regime model.

    python benchmarks/bench_regime_paths.py --model RUN/pipeline --unconditional UNCOND/pipeline

Both models as `bench_labels.py` trains them (README "Labels, regimes and guidance": `--window_size 64
--model_preset small --max_train_steps 4000`, the first with `--regimes volatility:3`). Measured in one run, each
row against the real training windows of the same length (log-returns, stride 1; `bench_long.return_facts` and the
strong judge `c2st_scores` with its real-vs-real floor):

- windows of the models' own length (64): the unconditional model, the labelled model with the null label, and the
  labelled model with `labels="by_frequency"` (each window's label drawn at its training share);
- windows of 256 built as `generate_long(256, overlap=16)` paths: the unconditional model (plain chaining) and the
  labelled model with `label="by_frequency"` (the regime chain: each window's label from the previous one's by the
  training windows' transitions).
"""

from __future__ import annotations

import argparse
import json
from typing import Any

import numpy as np
import torch

PATH_LENGTH, PATH_OVERLAP, STEPS_FREE, STEPS_PATH = 256, 16, 25, 50


def real_returns(window: int) -> np.ndarray:
    """Log-returns of the EUR/USD training windows of `window` levels `[N, window - 1, 1]`, stride 1, in time order."""
    from ts_diffusion_wavelet import prepare_windows
    from ts_diffusion_wavelet.evaluation import sliding_windows, to_returns

    data = prepare_windows("eurusd", target_transform="log_return", window_size=window, stride=1)
    last = data.train.window_start(len(data.train) - 1) + data.preprocessor.lag + window
    return to_returns(sliding_windows(data.frame.to_numpy(np.float64)[:last], window, 1), "log")


def judge(real: np.ndarray, generated: np.ndarray) -> dict[str, Any]:
    """The spread and persistence of volatility and the strong judge, generated against real returns."""
    import bench_long

    from ts_diffusion_wavelet.evaluation import c2st_scores, to_returns

    returns = to_returns(generated, "log")
    facts = bench_long.return_facts(real[..., 0], returns[..., 0])
    segment = 32 if real.shape[1] >= 64 else 16
    tests = c2st_scores(real, {"generated": returns}, channel_names=["Close"], seed=0, progress=False)
    return {
        "std_ratio": facts["std_ratio"],
        "window_std_quantile_ratios": facts["window_std_quantile_ratios"],
        f"volatility_coherence_{segment}": bench_long._segment_std_correlation(returns[..., 0], segment),
        f"volatility_coherence_{segment}_real": bench_long._segment_std_correlation(real[..., 0], segment),
        "c2st": {kind: tests["generated"][kind]["mean"] for kind in ("minirocket", "features")},
        "floor": {kind: tests["real_vs_real"][kind]["mean"] for kind in ("minirocket", "features")},
    }


def ensure_label_dynamics(pipe: Any) -> None:
    """
    A model saved before label records kept their training frequencies and transitions gets them now, counted as
    training counts them (`prepare_windows` with the model's own data options), so its chain is the current one.
    """
    from ts_diffusion_wavelet import prepare_windows

    if pipe.labeler.transitions:
        return
    config = pipe.config.training_config
    data = prepare_windows(
        config["data"],
        target_transform=config["target_transform"],
        window_size=config["window_size"],
        stride=config["stride"],
        validation_fraction=config["validation_fraction"],
        regimes=config["regimes"],
    )
    if data.labeler.thresholds != pipe.labeler.thresholds:
        raise ValueError("The model's regime thresholds differ from its data's; cannot count its transitions.")
    pipe.labeler.frequencies, pipe.labeler.transitions = data.labeler.frequencies, data.labeler.transitions
    pipe.labeler.transition_step = data.labeler.transition_step
    print(f"label dynamics counted from the training data: {pipe.labeler.transitions}")


def free_windows(pipe: Any, count: int, labels: str | None) -> np.ndarray:
    """`count` windows in batches of 200, batch `b` seeded by its first index."""
    parts = []
    for first in range(0, count, 200):
        size = min(200, count - first)
        options = {} if labels is None else {"labels": labels}
        generator = torch.Generator().manual_seed(first)
        parts.append(pipe(size, STEPS_FREE, generator=generator, **options).series)
    return np.concatenate(parts)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--model", required=True, help="The window-64 --regimes volatility:3 pipeline.")
    parser.add_argument("--unconditional", required=True, help="The same recipe without labels.")
    parser.add_argument("--num_windows", type=int, default=600, help="Free windows per row.")
    parser.add_argument("--num_paths", type=int, default=512, help="Paths of 256 steps per row.")
    parser.add_argument("--threads", type=int, default=1)
    args = parser.parse_args()

    from ts_diffusion_wavelet import load_pipeline

    torch.set_num_threads(args.threads)
    labelled, unconditional = load_pipeline(args.model), load_pipeline(args.unconditional)
    for pipe in (labelled, unconditional):
        pipe.set_progress_bar_config(disable=True)
    ensure_label_dynamics(labelled)
    short = real_returns(labelled.window_size)
    rows = {
        "unconditional model": (unconditional, None),
        "labelled model, null label": (labelled, None),
        "labelled model, labels by_frequency": (labelled, "by_frequency"),
    }
    for name, (pipe, labels) in rows.items():
        print(
            json.dumps(
                {
                    "windows": labelled.window_size,
                    "row": name,
                    **judge(short, free_windows(pipe, args.num_windows, labels)),
                }
            )
        )
    long = real_returns(PATH_LENGTH)
    for name, (pipe, label) in {
        "plain chain": (unconditional, None),
        "regime chain": (labelled, "by_frequency"),
    }.items():
        options = {} if label is None else {"label": label}
        paths = pipe.generate_long(
            PATH_LENGTH, args.num_paths, overlap=PATH_OVERLAP, num_inference_steps=STEPS_PATH, seed=0, **options
        )
        print(json.dumps({"windows": PATH_LENGTH, "row": name, **judge(long, paths)}), flush=True)


if __name__ == "__main__":
    main()
