"""The two-sample test figure: each candidate's score per classifier with its 95% CI, against the real floor."""

from __future__ import annotations

from typing import Any

import numpy as np
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from .plots import _color
from .two_sample import FLOOR_NAME

CLASSIFIER_HATCHES = {"minirocket": "", "features": "//"}


def plot_two_sample_tests(tests: dict[str, Any]) -> Figure:
    """
    Bars of `|balanced accuracy - 0.5|` per candidate and classifier (0 = indistinguishable from the real windows,
    0.5 = separable), 95% CI whiskers, and each classifier's real-vs-real floor as a dashed line.

    Args:
        tests (`dict`): The `c2st` section of a report (the output of [`c2st_scores`]).

    Returns:
        `matplotlib.figure.Figure`.
    """
    names = [name for name in tests if name != FLOOR_NAME]
    classifiers = [c for c in CLASSIFIER_HATCHES if any(c in tests[name] for name in names)]
    figure = Figure(figsize=(1.6 + 1.4 * len(names), 3.6), layout="constrained")
    ax = figure.subplots()
    width = 0.8 / max(len(classifiers), 1)
    positions = np.arange(len(names))
    legend = []
    for k, classifier in enumerate(classifiers):
        means = [tests[name].get(classifier, {}).get("mean") or 0.0 for name in names]
        spreads = [tests[name].get(classifier, {}).get("ci95") or 0.0 for name in names]
        ax.bar(
            positions + (k - (len(classifiers) - 1) / 2) * width,
            means,
            width,
            yerr=spreads,
            color=[_color(name, i) for i, name in enumerate(names)],
            hatch=CLASSIFIER_HATCHES[classifier],
            edgecolor="black",
            capsize=3,
        )
        legend.append(
            Patch(facecolor="white", edgecolor="black", hatch=CLASSIFIER_HATCHES[classifier], label=classifier)
        )
        floor = tests.get(FLOOR_NAME, {}).get(classifier, {}).get("mean")
        if floor is not None:
            style = "--" if k == 0 else ":"
            ax.axhline(floor, color="black", ls=style, lw=1)
            legend.append(Line2D([], [], color="black", ls=style, lw=1, label=f"real vs real ({classifier})"))
    ax.set_xticks(positions, names)
    ax.set_ylim(0, 0.55)
    ax.set_ylabel("|balanced accuracy − 0.5|")
    ax.set_title("Classifier two-sample tests (lower is better)")
    ax.legend(handles=legend, fontsize="small", loc="upper left")
    return figure
