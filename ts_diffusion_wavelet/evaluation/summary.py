"""The short table of a report: the numbers a user reads first, for the model card and the HTML page."""

from __future__ import annotations

from typing import Any

MAX_FACT_CHANNELS = 4
# (label, classifier key inside a `c2st` entry); the "real" column shows the real-vs-real floor.
C2ST_ROWS = (
    ("C2ST, MiniRocket (0 = indistinguishable, .5 = separable)", "minirocket"),
    ("C2ST, window statistics", "features"),
)
GIVEAWAY_SCORE = 0.1  # a features score above this gets its top statistics listed under the table
GIVEAWAY_FEATURES = 3
# Rows that repeat a "values" row when the windows already are returns (`returns=None`).
SAME_AS_VALUES_WITHOUT_RETURNS = ("KS statistic (returns)", "ACF distance (values)")
# (label, section path inside a candidate's metrics, lower is better)
DISTANCE_ROWS = (
    ("Discriminative score", ("discriminative_score",), True),
    ("Predictive score (MAE)", ("predictive_score",), True),
    ("KS statistic (values)", ("values", "ks"), True),
    ("Wasserstein (values)", ("values", "wasserstein"), True),
    ("PSD distance (dB)", ("values", "psd_distance_db"), True),
    ("ACF distance (values)", ("values", "acf_distance"), True),
    ("KS statistic (returns)", ("returns", "ks"), True),
    ("ACF distance (r)", ("returns", "acf_distance"), True),
    ("ACF distance (|r|)", ("returns", "acf_abs_distance"), True),
    ("Hurst exponent error", ("values", "hurst_error"), True),
    ("Correlational score", ("correlational_score",), True),
)
# (label, key in the "memorization" entry, what a generator that does not copy gets: shown in the "real" column)
MEMORIZATION_ROWS = (
    ("Closest-record distance / real's", "ratio", "1"),
    ("Share nearer than real 5th pct", "share_closer_than_real_p5", "0.05"),
)
FACT_ROWS = (
    ("excess kurtosis", "excess_kurtosis"),
    ("Hill tail index", "hill_tail_index"),
    ("skewness", "skewness"),
    ("gain/loss ratio", "gain_loss_ratio"),
    ("ACF(r) lag 1", "acf_r_lag1"),
    ("ACF(|r|) lag 1", "acf_abs_r_lag1"),
    ("ACF(|r|) lag 10", "acf_abs_r_lag10"),
    ("ACF(|r|) lag 50", "acf_abs_r_lag50"),
    ("ACF(|r|) lag 100", "acf_abs_r_lag100"),
    ("leverage (mean lags 1-5)", "leverage_mean"),
)


def _lookup(metrics: dict[str, Any], path: tuple[str, ...]) -> Any:
    for key in path:
        if not isinstance(metrics, dict) or key not in metrics:
            return None
        metrics = metrics[key]
    return metrics


def _number(entry: Any) -> float | None:
    """The headline number of a metric entry: a float, `{"mean": ...}` (per channel or repeats) or `None`."""
    if isinstance(entry, dict):
        entry = entry.get("mean")
    return None if entry is None else float(entry)


def _format(value: float | None, spread: float | None = None) -> str:
    if value is None:
        return "n/a"
    text = f"{value:.3g}" if abs(value) >= 1e-3 or value == 0 else f"{value:.2e}"
    return text if spread is None else f"{text} ± {spread:.2g}"


def _mark_best(values: list[float | None], spreads: list[float | None]) -> list[str]:
    """Formatted cells with the lowest value marked `*` (when there is more than one candidate)."""
    best = min((v for v in values if v is not None), default=None)
    return [
        _format(v, s) + (" *" if v is not None and v == best and len(values) > 1 else "")
        for v, s in zip(values, spreads, strict=True)
    ]


def _c2st_rows(metrics: dict[str, Any], names: list[str]) -> list[list[str]]:
    """The two-sample test rows: each classifier's score per candidate, the real-vs-real floor in the real column."""
    tests = metrics.get("c2st")
    if not tests:
        return []
    rows = []
    for label, key in C2ST_ROWS:
        entries = [tests.get(name, {}).get(key) for name in names]
        if all(e is None for e in entries):
            continue
        floor = tests.get("real_vs_real", {}).get(key)
        cells = _mark_best([_number(e) for e in entries], [e.get("ci95") if e else None for e in entries])
        rows.append([f"{label} ↓", _format(_number(floor)), *cells])
    return rows


def summary_rows(metrics: dict[str, Any]) -> tuple[list[str], list[list[str]]]:
    """
    The summary table of [`evaluate_windows`] output: header `["metric", "real", <candidates...>]` and rows of
    formatted cells. The classifier two-sample tests come first (the real column holds their real-vs-real
    floor); distances mark the best candidate with `*`; stylized facts show the real value beside each
    candidate's; the last row counts the facts each candidate reproduces better than GARCH.
    """
    names = list(metrics["candidates"])
    header = ["metric", "real", *names]
    rows: list[list[str]] = _c2st_rows(metrics, names)
    # 1. Distances to the real data (lower is better), with the 95% CI half-width for the GRU scores.
    for label, path, _ in DISTANCE_ROWS:
        if metrics["meta"].get("returns") is None and label in SAME_AS_VALUES_WITHOUT_RETURNS:
            continue
        entries = [_lookup(metrics["candidates"][name], path) for name in names]
        values = [_number(e) for e in entries]
        if all(v is None for v in values):
            continue
        spreads = [e.get("ci95") if isinstance(e, dict) else None for e in entries]
        cells = _mark_best(values, spreads)
        floor = _number(metrics["real"].get("predictive_score")) if path == ("predictive_score",) else None
        rows.append([f"{label} ↓", _format(floor) if floor is not None else "", *cells])
    # 1b. Copying: closest-record distance against the real windows' own (about 1 and 0.05 when nothing is copied).
    for label, key, expected in MEMORIZATION_ROWS:
        values = [_lookup(metrics["candidates"][name], ("memorization", key)) for name in names]
        if any(v is not None for v in values):
            rows.append([label, expected, *[_format(v) for v in values]])
    # 2. Stylized facts of returns, real value first.
    channels = list(metrics["real"]["stylized_facts"])[:MAX_FACT_CHANNELS]
    for channel in channels:
        suffix = f" [{channel}]" if len(metrics["real"]["stylized_facts"]) > 1 else ""
        for label, key in FACT_ROWS:
            real_value = metrics["real"]["stylized_facts"][channel].get(key)
            values = [metrics["candidates"][n]["returns"]["stylized_facts"][channel].get(key) for n in names]
            if real_value is None and all(v is None for v in values):
                continue
            rows.append([f"{label}{suffix}", _format(real_value), *[_format(v) for v in values]])
    # 3. The comparison that says whether a generator is good yet: stylized facts against GARCH.
    comparisons = metrics.get("comparisons", {})
    if comparisons:
        cells = []
        for name in names:
            comparison = comparisons.get(f"{name}_vs_garch")
            if comparison is None:
                cells.append("—")
                continue
            closer = sum(len(c["closer"]) for c in comparison.values())
            compared = sum(c["compared"] for c in comparison.values())
            cells.append(f"{closer} / {compared}")
        rows.append(["facts closer to real than GARCH", "", *cells])
    return header, rows


def giveaways(metrics: dict[str, Any]) -> dict[str, list[str]]:
    """
    For every candidate the window-statistics judge separates (score above 0.1): its top statistics, as
    `"increment std: real 0.0081, generated 0.0062 (importance 0.12)"`. These are what a generator must fix.
    """
    out = {}
    for name, entry in (metrics.get("c2st") or {}).items():
        features = entry.get("features") if isinstance(entry, dict) else None
        if not features or not features.get("top_features") or (features.get("mean") or 0) < GIVEAWAY_SCORE:
            continue
        out[name] = [
            f"{f['feature']}: real {_format(f['real_median'])}, {name} {_format(f['other_median'])} "
            f"(importance {_format(f['importance'])})"
            for f in features["top_features"][:GIVEAWAY_FEATURES]
        ]
    return out


def summary_markdown(metrics: dict[str, Any]) -> str:
    """
    A Markdown table of the headline numbers of a report (for the README or the model card).

    Args:
        metrics (`dict`): The output of [`evaluate_windows`] (or the report's `metrics.json`).

    Returns:
        `str`: the table, a legend line and any notes about metrics that could not be computed.
    """
    header, rows = summary_rows(metrics)
    meta = metrics["meta"]
    lines = [
        f"Evaluation on {meta['num_real_windows']} real windows of {meta['window_length']} steps, channels "
        f"{', '.join(meta['channels'])}; returns: {meta['returns'] or 'the values as given'}.",
        "",
        "| " + " | ".join(header) + " |",
        "|" + "|".join("---" for _ in header) + "|",
    ]
    generation = meta.get("generation") or {}
    if generation.get("consistency_db") is not None:
        # Below ~20 dB the images are not scalograms of any series and the inverse threw most of them away.
        lines[1:1] = [
            f"Generated scalograms: consistency {generation['consistency_db']:.1f} dB (each image against the image "
            "of the series it decodes to; below 20 dB the inverse discarded most of it)."
        ]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    lines += [
        "",
        "↓ lower is better; * best of the column set; classifier scores are mean ± 95% CI half-width over repeats. "
        "C2ST: |balanced accuracy − 0.5| of a strong classifier on held-out windows, real windows split in "
        "time-disjoint blocks; its real column is the real-vs-real floor. The real column of the predictive score "
        "is its floor (trained and tested on real data).",
    ]
    found = giveaways(metrics)
    if found:
        lines += ["", "What gave the windows away (medians of the statistics the classifier relied on):"]
        for name, items in found.items():
            lines += [f"- {name}: " + "; ".join(items)]
    return "\n".join(lines) + "\n"
