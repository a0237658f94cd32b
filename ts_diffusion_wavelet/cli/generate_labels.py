"""The label options of `generate.py`: `--label`, `--guidance_scale`, `--list_labels`."""

from __future__ import annotations

import argparse
from typing import Any

from ..data.labels import BY_FREQUENCY


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Options for models trained on labelled windows (`--label_column` or `--regimes`)."""
    parser.add_argument(
        "--label",
        default=None,
        help="Generate windows with this label (see --list_labels); several comma-separated labels are cycled over "
        "the windows (window i gets label i mod count). One label with --forecast or --length.",
    )
    parser.add_argument(
        "--guidance_scale",
        type=float,
        default=1.0,
        help="Classifier-free guidance with --label: 1 the plain conditional model, >1 stronger label fidelity.",
    )
    parser.add_argument("--list_labels", action="store_true", help="Print the labels the model knows and exit.")


def labels(args: argparse.Namespace) -> list[str] | None:
    """`--label a,b` as a list of names (`None` without `--label`)."""
    if args.label is None:
        return None
    names = [name.strip() for name in args.label.split(",")]
    if not all(names):
        raise ValueError(f"--label must name labels separated by commas, got {args.label!r}.")
    return names


def check_arguments(args: argparse.Namespace, conditional_job: bool) -> None:
    """Refuse label options that cannot work, before loading anything."""
    if args.guidance_scale < 0:
        raise ValueError(f"--guidance_scale must be >= 0 (1: no guidance), got {args.guidance_scale}.")
    names = labels(args)
    if conditional_job and names is not None:
        if getattr(args, "impute", None) is not None:
            raise ValueError("--label is read by free sampling, --forecast and --length, not by --impute.")
        if len(names) > 1:
            raise ValueError(f"--forecast and --length take one --label, got {len(names)}: {args.label!r}.")


def window_labels(args: argparse.Namespace, num_windows: int) -> list[str] | None:
    """One label per window, cycling through `--label`'s names."""
    names = labels(args)
    return None if names is None else [names[i % len(names)] for i in range(num_windows)]


def job_options(args: argparse.Namespace) -> dict[str, Any]:
    """`label` and `guidance_scale` for `forecast` / `generate_long` (nothing without `--label`)."""
    names = labels(args)
    return {} if names is None else {"label": names[0], "guidance_scale": args.guidance_scale}


def describe_labels(pipeline: Any) -> str:
    """What `--list_labels` prints."""
    labeler = getattr(pipeline, "labeler", None)
    if labeler is None:
        return "This model was trained without labels."
    mix = f"({BY_FREQUENCY}: each window's label drawn at its share of the training windows; along --length paths, "
    mix += "following the training windows' label transitions)"
    return "\n".join([*labeler.names, f"({labeler.describe()})", mix])
