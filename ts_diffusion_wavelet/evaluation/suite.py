"""Every metric of the package for real windows against one or more generated sets, as one JSON-ready dict."""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np

from .checks import as_windows, check_same_layout
from .classifier_scores import discriminative_scores, predictive_scores
from .correlation import correlational_score
from .distribution import ks_per_channel, qq_distance, wasserstein_per_channel
from .hurst import hurst_exponent
from .judges import JUDGE_NAMES
from .memorization import distance_to_closest_record
from .returns import ReturnsKind, to_returns
from .spectral import psd_distance
from .stylized_facts import SCALAR_FACTS, stylized_facts, stylized_facts_errors
from .temporal import acf_distance
from .two_sample import c2st_scores

MIN_WINDOWS = 10


def to_json_ready(value: Any) -> Any:
    """Numpy scalars and arrays to Python numbers and lists, nan / inf to `None`, recursively."""
    if isinstance(value, Mapping):
        return {str(k): to_json_ready(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, np.ndarray)):
        return [to_json_ready(v) for v in value]
    if isinstance(value, (np.bool_, bool)):
        return bool(value)
    if isinstance(value, (np.integer, int)):
        return int(value)
    if isinstance(value, (np.floating, float)):
        return float(value) if math.isfinite(value) else None
    return value


class Laps:
    """Seconds spent in each named part of a computation: `laps("part")` closes the part that just ran."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = {}
        self._last = time.perf_counter()

    def __call__(self, part: str) -> None:
        now = time.perf_counter()
        self.seconds[part] = round(now - self._last, 2)
        self._last = now


def per_channel(values: np.ndarray, names: list[str]) -> dict[str, Any]:
    """`{"mean": mean over channels, "per_channel": {name: value}}` (nan-aware)."""
    values = np.asarray(values, dtype=np.float64)
    mean = float(np.nanmean(values)) if np.isfinite(values).any() else None
    return {"mean": mean, "per_channel": dict(zip(names, values.tolist(), strict=True))}


def _attempt(notes: list[str], label: str, compute: Callable[[], Any]) -> Any:
    """Runs a metric; a `ValueError` (windows too short, one channel...) becomes `None` and a note."""
    try:
        return compute()
    except ValueError as error:
        note = f"{label}: {error}"
        if note not in notes:
            notes.append(note)
        return None


def _value_metrics(
    real: np.ndarray, other: np.ndarray, names: list[str], notes: list[str], prefix: str
) -> dict[str, Any]:
    """Marginal and temporal distances of `other` to `real`, both `[N, L, C]` in the same units."""
    hurst_real = _attempt(notes, f"{prefix}hurst", lambda: hurst_exponent(real))
    hurst_other = None if hurst_real is None else hurst_exponent(other)
    return {
        "wasserstein": per_channel(wasserstein_per_channel(real, other), names),
        "ks": per_channel(ks_per_channel(real, other), names),
        "qq_distance": per_channel(qq_distance(real, other), names),
        "acf_distance": _attempt(
            notes, f"{prefix}acf_distance", lambda: per_channel(acf_distance(real, other), names)
        ),
        "acf_abs_distance": _attempt(
            notes, f"{prefix}acf_abs_distance", lambda: per_channel(acf_distance(real, other, absolute=True), names)
        ),
        "psd_distance_db": _attempt(
            notes, f"{prefix}psd_distance_db", lambda: per_channel(psd_distance(real, other), names)
        ),
        "hurst": None if hurst_other is None else per_channel(hurst_other, names),
        "hurst_error": None if hurst_other is None else per_channel(np.abs(hurst_other - hurst_real), names),
    }


def _returns_metrics(
    real_returns: np.ndarray,
    other_returns: np.ndarray,
    real_facts: dict[str, Any],
    names: list[str],
    notes: list[str],
    max_lag: int,
) -> dict[str, Any]:
    facts = stylized_facts(other_returns, names, max_lag=max_lag)
    return {
        **_value_metrics(real_returns, other_returns, names, notes, "returns."),
        "stylized_facts": facts,
        "stylized_facts_errors": {name: stylized_facts_errors(real_facts[name], facts[name]) for name in names},
    }


def compare_facts(real_facts: dict[str, Any], facts: dict[str, Any], reference: dict[str, Any]) -> dict[str, Any]:
    """
    Which scalar stylized facts `facts` reproduces closer to `real_facts` than `reference` (e.g. GARCH) does, per
    channel: `{"closer": [...], "farther": [...], "compared": n}` over the facts both can estimate.
    """
    out = {}
    for name in real_facts:
        ours, theirs = (
            stylized_facts_errors(real_facts[name], facts[name]),
            stylized_facts_errors(real_facts[name], reference[name]),
        )
        compared = [k for k in SCALAR_FACTS if ours[k] is not None and theirs[k] is not None]
        closer = [k for k in compared if ours[k] < theirs[k]]
        out[name] = {"closer": closer, "farther": [k for k in compared if k not in closer], "compared": len(compared)}
    return out


def evaluate_windows(
    real: Any,
    candidates: Mapping[str, Any],
    returns: ReturnsKind | None = None,
    channel_names: list[str] | None = None,
    real_series: Any | None = None,
    max_lag: int = 100,
    classifiers: bool = True,
    discriminative_iterations: int = 2000,
    predictive_iterations: int = 5000,
    classifier_repeats: int = 5,
    classifier_batch_size: int = 128,
    hidden_size: int | None = None,
    two_sample: bool = True,
    two_sample_classifiers: Sequence[str] = JUDGE_NAMES,
    two_sample_repeats: int = 5,
    stride: int | None = None,
    seed: int = 0,
    device: str = "cpu",
) -> dict[str, Any]:
    """
    All metrics of every candidate against the real windows, side by side, as a JSON-ready dict.

    Args:
        real (`np.ndarray`): Real windows `[N, L, C]` (or `[N, L]`), at least 10.
        candidates (`Mapping[str, np.ndarray]`): Generated sets by name, e.g. `{"synthetic": x, **baselines}`,
            each `[M, L, C]` in the real data's units, at least 10 windows.
        returns (`"log"`, `"diff"` or `None`): How to turn the windows into returns for the `returns` section
            (stylized facts); `None` when the windows already are returns.
        channel_names (`list[str]`, *optional*): Defaults to `channel_0`, ...
        real_series (`np.ndarray`, *optional*): The long real series `[T, C]`, for reference stylized facts at
            every lag up to `max_lag` (windows only support lags below their length).
        max_lag (`int`, defaults to 100): Largest lag of the ACF of `|r|` among the stylized facts.
        classifiers (`bool`, defaults to `True`): Compute the GRU discriminative and predictive scores.
        discriminative_iterations, predictive_iterations (`int`, defaults to 2000 and 5000): Published counts.
        classifier_repeats (`int`, defaults to 5), classifier_batch_size (`int`, defaults to 128),
        hidden_size (`int`, *optional*): See [`discriminative_score`].
        two_sample (`bool`, defaults to `True`): Run the classifier two-sample tests ([`c2st_scores`]) on returns
            (or on the values when `returns` is `None`), with the real-vs-real floor. Needs the `eval` extra.
        two_sample_classifiers (`Sequence[str]`, defaults to `("minirocket", "features")`), two_sample_repeats
            (`int`, defaults to 5): See [`c2st_scores`].
        stride (`int`, *optional*): Time steps between consecutive real windows, for the time-blocked split;
            inferred from their overlap by default.
        seed (`int`, defaults to 0): Seed of the classifier scores.
        device (`str`, defaults to `"cpu"`): Where the GRU scores train (`"cuda"` is much faster).

    Returns:
        `dict` with `meta` (with the seconds each part took), `real` (reference values), `candidates` (metrics by
        name), `c2st` (two-sample tests by candidate, and the `real_vs_real` floor), `comparisons` and `notes`; see
        the package README for the schema.
    """
    started = time.time()
    real = as_windows(real, "real", MIN_WINDOWS)
    if not candidates:
        raise ValueError("`candidates` is empty; pass at least one set of generated windows, e.g. {'synthetic': x}.")
    checked = {}
    for name, windows in candidates.items():
        checked[name] = as_windows(windows, name, MIN_WINDOWS)
        check_same_layout(real, checked[name], ("real", name))
    names = channel_names or [f"channel_{c}" for c in range(real.shape[2])]
    if len(names) != real.shape[2]:
        raise ValueError(f"Got {len(names)} channel names for {real.shape[2]} channels; pass one name per channel.")
    notes: list[str] = []
    laps = Laps()

    # 1. Reference values of the real data (returns, stylized facts, Hurst).
    real_returns = to_returns(real, returns, "real")
    real_facts = stylized_facts(real_returns, names, max_lag=max_lag)
    reference: dict[str, Any] = {
        "stylized_facts": real_facts,
        "hurst": _attempt(notes, "hurst", lambda: per_channel(hurst_exponent(real), names)),
        "returns_hurst": _attempt(notes, "returns.hurst", lambda: per_channel(hurst_exponent(real_returns), names)),
    }
    if real_series is not None:
        series = np.asarray(real_series, dtype=np.float64)
        series = as_windows(series[None] if series.ndim == 2 else series[None, :, None], "real_series")
        reference["long_series_stylized_facts"] = stylized_facts(
            to_returns(series, returns, "real_series"), names, max_lag=max_lag
        )

    laps("reference")

    # 2. Distances of every candidate, on the values as given and on returns.
    results: dict[str, dict[str, Any]] = {}
    candidate_returns = {name: to_returns(windows, returns, name) for name, windows in checked.items()}
    for name, windows in checked.items():
        other_returns = candidate_returns[name]
        results[name] = {
            "num_windows": int(len(windows)),
            "values": _value_metrics(real, windows, names, notes, ""),
            "correlational_score": _attempt(
                notes, "correlational_score", lambda w=windows: correlational_score(real, w)
            ),
            "returns": _returns_metrics(real_returns, other_returns, real_facts, names, notes, max_lag),
            # On returns for prices: generated paths start from one chosen level, so on levels they sit near
            # whichever real windows passed that level, copies or not.
            "memorization": _attempt(
                notes,
                "memorization",
                lambda r=other_returns: distance_to_closest_record(real_returns, r, seed=seed),
            ),
        }

    laps("distances")

    # 3. Strong two-sample tests on what the generator models (returns of prices, else the values).
    two_sample_scores = None
    if two_sample:
        two_sample_scores = _attempt(
            notes,
            "c2st",
            lambda: c2st_scores(
                real_returns,
                candidate_returns,
                classifiers=two_sample_classifiers,
                repeats=two_sample_repeats,
                stride=stride,
                channel_names=names,
                seed=seed,
            ),
        )
        laps("two_sample_tests")

    # 4. Post-hoc GRU scores, all candidates and repeats trained side by side.
    if classifiers:
        common = {
            "batch_size": classifier_batch_size,
            "repeats": classifier_repeats,
            "hidden_size": hidden_size,
            "seed": seed,
            "device": device,
        }
        discriminative = discriminative_scores(real, checked, iterations=discriminative_iterations, **common)
        predictive = predictive_scores(real, {"real": real, **checked}, iterations=predictive_iterations, **common)
        reference["predictive_score"] = predictive.pop("real")
        for name in checked:
            results[name]["discriminative_score"] = discriminative[name]
            results[name]["predictive_score"] = predictive[name]
        laps("gru_scores")

    # 5. The comparison a user reads first: stylized facts of each candidate against GARCH.
    comparisons = {}
    if "garch" in checked:
        for name in checked:
            if name != "garch":
                comparisons[f"{name}_vs_garch"] = compare_facts(
                    real_facts,
                    results[name]["returns"]["stylized_facts"],
                    results["garch"]["returns"]["stylized_facts"],
                )
    meta = {
        "num_real_windows": int(len(real)),
        "window_length": int(real.shape[1]),
        "channels": names,
        "returns": returns,
        "max_lag": max_lag,
        "classifiers": classifiers,
        "two_sample": two_sample,
        "two_sample_input": "values" if returns is None else f"{returns} returns",
        "seed": seed,
        "seconds": round(time.time() - started, 2),
        "seconds_by_part": laps.seconds,
    }
    out = {"meta": meta, "real": reference, "candidates": results, "comparisons": comparisons, "notes": notes}
    if two_sample_scores is not None:
        out["c2st"] = two_sample_scores
    return to_json_ready(out)
