"""Labels, regimes and classifier-free guidance (issue 18): does a labelled model generate the label it is asked for?

    python benchmarks/bench_labels.py --model RUN/pipeline --unconditional UNCOND/pipeline   # one labelled model
    python benchmarks/bench_labels.py --plot     # benchmarks/results/labels_guidance.png from every recorded run
    python benchmarks/bench_labels.py --table    # every recorded run

The real windows are the model's own training data, cut as training cut them (its `training_config`: data, columns,
window, labels), in model space (standardised log-returns for EUR/USD, standardised values for the pollution data),
training and validation windows in time order. Measured in one run:

- label fidelity: a gradient-boosting classifier (`HistGradientBoostingClassifier`, balanced class weights) on the
  window statistics of the strong judge (`evaluation.window_statistics`) is trained on the training blocks of a
  time-blocked split of the real labelled windows (`evaluation.time_blocks`, 3 cycles, gap of one window). Its
  balanced accuracy on the held-out real blocks is the reference; on generated windows it is the share predicted
  as the label they were asked for (equal counts per label, so also a balanced accuracy);
- for regimes, also the share of generated windows whose own statistic falls in the requested regime (exact);
- per label, the classifier two-sample test (`c2st_scores`, MiniRocket and window statistics, the strongest)
  of the real windows with that label against the windows generated for it at every guidance scale, against the
  unconditional model's windows and the labelled model's unlabelled (null-label) ones, with the real-vs-real floor;
- the unconditional model's own score against all real windows (its overall baseline).
"""

from __future__ import annotations

import argparse
import json
import time
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import numpy as np
import torch
from conditional_tasks import machine, run_or_print_table

ROOT = Path(__file__).resolve().parent
RESULTS = ROOT / "results" / "labels.json"
PLOT = ROOT / "results" / "labels_guidance.png"
GUIDANCE_SCALES = (0.0, 1.0, 2.0, 4.0)


def real_labelled_windows(pipe: Any) -> tuple[np.ndarray, np.ndarray, Any]:
    """The model's training and validation windows `[N, C, L]` in time order, their labels, and the labeler."""
    from ts_diffusion_wavelet.training.config_parsing import config_from_dict
    from ts_diffusion_wavelet.training.loop import load_data

    config = config_from_dict(pipe.config["training_config"])
    data = load_data(config)
    sets = [data.train] + ([data.validation] if data.validation is not None else [])
    windows = np.concatenate([np.stack([s[i].numpy() for i in range(len(s))]) for s in sets])
    labels = np.concatenate([data.labels(s) for s in sets])
    return windows, labels, data.labeler


@torch.no_grad()
def generate(pipe: Any, labels: torch.Tensor | None, count: int, steps: int, scale: float, seed: int) -> np.ndarray:
    """`count` model-space windows `[count, C, L]` (labels: indices, or None for unconditional)."""
    generator = torch.Generator().manual_seed(seed)
    shape = pipe.representation.sample_shape(count)
    states = pipe.denoise(shape, steps, generator, labels, scale)
    return pipe.representation.to_windows(states).float().numpy()


def run(args: argparse.Namespace) -> dict[str, Any]:
    from ts_diffusion_wavelet import load_pipeline
    from ts_diffusion_wavelet.evaluation import c2st_scores
    from ts_diffusion_wavelet.evaluation.window_statistics import window_statistics

    torch.set_num_threads(args.threads)
    pipe = load_pipeline(args.model)
    pipe.set_progress_bar_config(disable=True)
    names = pipe.label_names
    real, real_labels, labeler = real_labelled_windows(pipe)
    window = real.shape[-1]

    def features(windows: np.ndarray) -> np.ndarray:
        return window_statistics(windows.transpose(0, 2, 1))[0]

    # The split is time-blocked over windows one step apart, so the gap is one window (`window` indices).
    from sklearn.ensemble import HistGradientBoostingClassifier
    from sklearn.metrics import balanced_accuracy_score

    from ts_diffusion_wavelet.evaluation.time_blocks import time_blocked_split

    real_features = features(real)
    split = time_blocked_split(len(real), window, 1, num_cycles=3, test_fraction=0.3)
    classifier = HistGradientBoostingClassifier(class_weight="balanced", random_state=args.seed, max_iter=200)
    classifier.fit(real_features[split.train], real_labels[split.train])
    real_accuracy = float(
        balanced_accuracy_score(real_labels[split.test], classifier.predict(real_features[split.test]))
    )

    start = time.perf_counter()
    generated: dict[float, dict[str, np.ndarray]] = {}
    for scale in args.guidance_scales:
        generated[scale] = {
            name: generate(pipe, pipe.label_indices(name, args.num_samples), args.num_samples, args.steps, scale, k)
            for k, name in enumerate(names)
        }
    null = generate(pipe, None, args.num_samples, args.steps, 1.0, 99)
    sample_seconds = time.perf_counter() - start
    unconditional = None
    if args.unconditional:
        baseline = load_pipeline(args.unconditional)
        baseline.set_progress_bar_config(disable=True)
        unconditional = generate(baseline, None, args.num_samples, args.steps, 1.0, 99)

    sweep = []
    for scale, by_label in generated.items():
        hits = {
            name: float((classifier.predict(features(w)) == k).mean()) for k, (name, w) in enumerate(by_label.items())
        }
        row = {"guidance_scale": scale, "classifier_accuracy": float(np.mean(list(hits.values()))), "per_label": hits}
        if labeler.kind != "column":
            exact = {
                name: float((labeler.label_windows(w) == k).mean()) for k, (name, w) in enumerate(by_label.items())
            }
            row["regime_hit_rate"] = float(np.mean(list(exact.values())))
        sweep.append(row)

    as_time_major = {"null label": null.transpose(0, 2, 1)}
    if unconditional is not None:
        as_time_major["unconditional model"] = unconditional.transpose(0, 2, 1)
    c2st: dict[str, Any] = {}
    for k, name in enumerate(names):
        real_k = real[real_labels == k].transpose(0, 2, 1)
        candidates = {f"g={s:g}": generated[s][name].transpose(0, 2, 1) for s in args.guidance_scales}
        try:
            scores = c2st_scores(
                real_k,
                {**candidates, **as_time_major},
                repeats=args.repeats,
                stride=1,
                max_windows=args.max_windows,
                seed=args.seed,
                progress=False,
            )
        except ValueError as error:  # a rare label can hold too few windows for a time-blocked split
            c2st[name] = {"error": str(error)}
            continue
        c2st[name] = {row: value["strongest"] for row, value in scores.items()}
    overall = {}
    if unconditional is not None:
        scores = c2st_scores(
            real.transpose(0, 2, 1),
            {"unconditional model": unconditional.transpose(0, 2, 1), "null label": null.transpose(0, 2, 1)},
            repeats=args.repeats,
            max_windows=args.max_windows,
            seed=args.seed,
            progress=False,
        )
        overall = {row: value["strongest"] for row, value in scores.items()}
    return {
        "date": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "model": str(args.model),
        "unconditional_model": str(args.unconditional),
        "data": pipe.config["training_config"]["data"],
        "labels": labeler.describe(),
        "names": names,
        "real_windows_per_label": {n: int((real_labels == k).sum()) for k, n in enumerate(names)},
        "window_size": int(window),
        "num_samples_per_label": args.num_samples,
        "num_inference_steps": args.steps,
        "real_heldout_accuracy": real_accuracy,
        "sweep": sweep,
        "c2st_per_label": c2st,
        "c2st_overall": overall,
        "sample_seconds": round(sample_seconds, 1),
        "machine": machine(),
    }


def print_record(record: dict[str, Any]) -> None:
    real = record["real_heldout_accuracy"]
    print(f"\n{record['date']}  {record['data']}: {record['labels']}")
    print(f"real windows per label {record['real_windows_per_label']}; classifier on held-out real windows {real:.3f}")
    print("| guidance | classifier accuracy (generated) | minus real | regime hit rate | mean per-label C2ST |")
    print("|---|---|---|---|---|")
    for row in record["sweep"]:
        key = f"g={row['guidance_scale']:g}"
        c2st = np.mean([by_label[key]["mean"] for by_label in record["c2st_per_label"].values() if key in by_label])
        hit = f"{row['regime_hit_rate']:.3f}" if "regime_hit_rate" in row else "-"
        print(
            f"| {row['guidance_scale']:g} | {row['classifier_accuracy']:.3f} | "
            f"{row['classifier_accuracy'] - real:+.3f} | {hit} | {c2st:.3f} |"
        )
    for row in ("unconditional model", "null label", "real_vs_real"):
        values = [by_label[row]["mean"] for by_label in record["c2st_per_label"].values() if row in by_label]
        if values:
            print(f"per-label C2ST of {row}: {np.mean(values):.3f} ({', '.join(f'{v:.3f}' for v in values)})")
    for row, value in record["c2st_overall"].items():
        print(f"all labels together, {row}: C2ST {value['mean']:.3f} ({value['classifier']})")


def plot(records: list[dict[str, Any]]) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    latest = {record["data"]: record for record in records}
    figure, axes = plt.subplots(1, 2, figsize=(10, 3.8))
    for data, record in latest.items():
        scales = [row["guidance_scale"] for row in record["sweep"]]
        accuracy = [row["classifier_accuracy"] for row in record["sweep"]]
        c2st = [
            np.mean([b[f"g={s:g}"]["mean"] for b in record["c2st_per_label"].values() if f"g={s:g}" in b])
            for s in scales
        ]
        (line,) = axes[0].plot(scales, accuracy, "o-", label=f"{data}: generated")
        axes[0].axhline(
            record["real_heldout_accuracy"], color=line.get_color(), ls="--", label=f"{data}: held-out real"
        )
        axes[1].plot(scales, c2st, "o-", color=line.get_color(), label=f"{data}: labelled model")
        unconditional = [
            by_label["unconditional model"]["mean"]
            for by_label in record["c2st_per_label"].values()
            if "unconditional model" in by_label
        ]
        if unconditional:
            axes[1].axhline(np.mean(unconditional), color=line.get_color(), ls="--", label=f"{data}: unconditional")
    axes[0].set(xlabel="guidance scale", ylabel="balanced accuracy of the label classifier", title="Label fidelity")
    axes[1].set(xlabel="guidance scale", ylabel="C2ST |acc - 0.5| (0 = indistinguishable)", title="Per-label C2ST")
    for axis in axes:
        axis.legend(fontsize=7)
        axis.grid(alpha=0.3)
    figure.tight_layout()
    figure.savefig(PLOT, dpi=120)
    print(f"Wrote {PLOT}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model", type=Path, help="A labelled pipeline folder.")
    parser.add_argument("--unconditional", type=Path, default=None, help="The same run without labels (baseline).")
    parser.add_argument("--num_samples", type=int, default=500, help="Generated windows per label and scale.")
    parser.add_argument("--steps", type=int, default=25, help="Sampler steps (the pipeline's DPM-Solver++).")
    parser.add_argument("--guidance_scales", type=float, nargs="+", default=list(GUIDANCE_SCALES))
    parser.add_argument("--repeats", type=int, default=3, help="Repeats of each two-sample test.")
    parser.add_argument("--max_windows", type=int, default=1000, help="Windows per set in a two-sample test.")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--results", type=Path, default=RESULTS, help="The JSON file of records.")
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--table", action="store_true", help="Print every recorded run.")
    parser.add_argument("--plot", action="store_true", help="Plot the latest run of each dataset.")
    args = parser.parse_args()
    if args.plot:
        plot(json.loads(args.results.read_text()))
        return
    if not args.table and args.model is None:
        parser.error("--model is required unless --table or --plot.")
    run_or_print_table(args.results, args.table, lambda: run(args), print_record)


if __name__ == "__main__":
    main()
