"""The short table of a report: the numbers a user reads first, for the model card and the HTML page."""

from __future__ import annotations

from typing import Any

MAX_FACT_CHANNELS = 4
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


def summary_rows(metrics: dict[str, Any]) -> tuple[list[str], list[list[str]]]:
    """
    The summary table of [`evaluate_windows`] output: header `["metric", "real", <candidates...>]` and rows of
    formatted cells. Distances mark the best candidate with `*`; stylized facts show the real value beside each
    candidate's; the last row counts the facts each candidate reproduces better than GARCH.
    """
    names = list(metrics["candidates"])
    header = ["metric", "real", *names]
    rows: list[list[str]] = []
    # 1. Distances to the real data (lower is better), with the 95% CI half-width for the GRU scores.
    for label, path, _ in DISTANCE_ROWS:
        if metrics["meta"].get("returns") is None and label in SAME_AS_VALUES_WITHOUT_RETURNS:
            continue
        entries = [_lookup(metrics["candidates"][name], path) for name in names]
        values = [_number(e) for e in entries]
        if all(v is None for v in values):
            continue
        spreads = [e.get("ci95") if isinstance(e, dict) else None for e in entries]
        best = min((v for v in values if v is not None), default=None)
        cells = [
            _format(v, s) + (" *" if v is not None and v == best and len(names) > 1 else "")
            for v, s in zip(values, spreads, strict=True)
        ]
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
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    lines += [
        "",
        "↓ lower is better; * best of the column set; GRU scores are mean ± 95% CI half-width over repeats; the "
        "real column of the predictive score is the floor (trained and tested on real data).",
    ]
    return "\n".join(lines) + "\n"
