"""Labels of windows: a categorical column's value, or a regime (volatility or trend terciles) computed from the data.

A label is one name per window. A [`WindowLabeler`] is the record of how windows were labelled (the names, the rule,
the regime thresholds fitted on training windows only); it is plain data (`to_dict` / `from_dict`), saved with the
pipeline beside the preprocessing record, so a saved model knows the names it can be asked for.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import pandas as pd
import torch
from torch.utils.data import Dataset

from .categorical import MAX_CATEGORIES, classify_column
from .windows import WindowDataset

LabelKind = Literal["column", "volatility", "trend"]
LabelRule = Literal["mode", "end"]
LABEL_RULES: tuple[str, ...] = ("mode", "end")
REGIME_KINDS: tuple[str, ...] = ("volatility", "trend")
MAX_REGIMES = 10
# Readable names for two and three regimes; more are numbered from the lowest.
_REGIME_NAMES = {
    "volatility": {2: ["low", "high"], 3: ["low", "mid", "high"]},
    "trend": {2: ["down", "up"], 3: ["down", "flat", "up"]},
}
# `labels=BY_FREQUENCY`: each window's label drawn at its share of the training windows.
BY_FREQUENCY = "by_frequency"
_DRAW_SEED_OFFSET = 7_919  # label draws use their own stream beside the noise's


def parse_regimes(spec: str) -> tuple[str, int]:
    """
    `"volatility:3"` -> `("volatility", 3)`.

    Raises:
        `ValueError`: For a kind other than volatility / trend or a count outside 2..`MAX_REGIMES`.
    """
    kind, _, count = str(spec).partition(":")
    if kind not in REGIME_KINDS or not count.strip().isdigit() or not 2 <= int(count) <= MAX_REGIMES:
        raise ValueError(
            f"--regimes must be KIND:K with KIND one of {', '.join(REGIME_KINDS)} and K from 2 to {MAX_REGIMES} "
            f"(e.g. volatility:3 for terciles of realised volatility), got {spec!r}."
        )
    return kind, int(count)


def regime_names(kind: str, count: int) -> list[str]:
    """`low`/`mid`/`high` (volatility), `down`/`flat`/`up` (trend); `q1`..`qK` (lowest first) for other counts."""
    return list(_REGIME_NAMES[kind].get(count, [f"q{i + 1}" for i in range(count)]))


def regime_statistic(windows: np.ndarray | torch.Tensor, increments: Sequence[bool], kind: str) -> np.ndarray:
    """
    The statistic regimes are cut on, per model-space window `[N, C, L]`, averaged over channels.

    Volatility: the standard deviation of the window's increments (its values for channels modelled as differences
    or log-returns, which are increments already; its first differences otherwise). Trend: the summed increments
    over the window (the level change, in standardised units).
    """
    values = np.asarray(windows, dtype=np.float64)
    flags = np.asarray(increments, dtype=bool)
    if values.ndim != 3 or values.shape[1] != len(flags):
        raise ValueError(f"Expected windows [N, {len(flags)}, L], got shape {values.shape}.")
    steps = np.where(flags[None, :, None], values[..., 1:], np.diff(values, axis=-1))
    if kind == "volatility":
        per_channel = steps.std(axis=-1)
    elif kind == "trend":
        per_channel = np.where(flags[None, :], values.sum(axis=-1), values[..., -1] - values[..., 0])
    else:
        raise ValueError(f"Unknown regime kind {kind!r}; choose one of {', '.join(REGIME_KINDS)}.")
    return per_channel.mean(axis=1)


@dataclass
class WindowLabeler:
    """
    How windows got their label, and the names a model trained on them knows.

    Args:
        kind (`"column"`, `"volatility"` or `"trend"`): A categorical column's value, or a regime of the window.
        names (`list[str]`): The labels, in the order of the model's label indices.
        column (`str`, *optional*): The categorical column (kind `"column"`).
        rule (`"mode"` or `"end"`, defaults to `"mode"`): Kind `"column"`: the most frequent value over the window
            (ties: the first name), or the value at its last step.
        thresholds (`list[float]`): Regimes: the `K - 1` cut points of the statistic, quantiles over the training
            windows only.
        increments (`list[bool]`): Regimes: per channel, whether the model-space values are increments already.
        frequencies (`list[float]`): The share of training windows with each label (empty in records written before
            they were kept: then every label counts the same), for `labels="by_frequency"`.
        transitions (`list[list[float]]`): `transitions[a][b]`: the share of training windows labelled `a` whose
            window `transition_step` steps later is labelled `b` (empty when not fitted), so long paths can follow
            the data's label dynamics.
        transition_step (`int`): The shift those transitions were counted at (half a window).
    """

    kind: LabelKind
    names: list[str]
    column: str | None = None
    rule: LabelRule = "mode"
    thresholds: list[float] = field(default_factory=list)
    increments: list[bool] = field(default_factory=list)
    frequencies: list[float] = field(default_factory=list)
    transitions: list[list[float]] = field(default_factory=list)
    transition_step: int = 0

    @property
    def num_labels(self) -> int:
        return len(self.names)

    def describe(self) -> str:
        """One line for reports and model cards."""
        if self.kind == "column":
            where = "most frequent value over" if self.rule == "mode" else "value at the last step of"
            return f"column {self.column!r} ({where} the window): {', '.join(self.names)}"
        cuts = ", ".join(f"{t:.4g}" for t in self.thresholds)
        what = "realised volatility" if self.kind == "volatility" else "trend (summed increments)"
        return f"{what} regimes {', '.join(self.names)} (cut at {cuts}, fitted on training windows)"

    # ----- fitting and applying ---------------------------------------------------------------------------------
    @classmethod
    def fit_regimes(cls, kind: str, count: int, windows: np.ndarray, increments: Sequence[bool]) -> WindowLabeler:
        """Regime thresholds at the `1/K, ..., (K-1)/K` quantiles of training windows `[N, C, L]`."""
        statistic = regime_statistic(windows, increments, kind)
        thresholds = np.quantile(statistic, np.arange(1, count) / count)
        return cls(kind, regime_names(kind, count), thresholds=thresholds.tolist(), increments=list(increments))  # type: ignore[arg-type]

    def label_windows(self, windows: np.ndarray | torch.Tensor) -> np.ndarray:
        """Regime index of each model-space window `[N, C, L]` (also for generated windows, to check them)."""
        if self.kind == "column":
            raise ValueError(f"Windows labelled by column {self.column!r} get their labels from that column.")
        statistic = regime_statistic(windows, self.increments, self.kind)
        return np.searchsorted(np.asarray(self.thresholds), statistic, side="right").astype(np.int64)

    def label_codes(self, codes: np.ndarray) -> np.ndarray:
        """Kind `"column"`: per-step codes of each window `[N, L]` -> the window's label index (mode or end)."""
        codes = np.asarray(codes, dtype=np.int64)
        if self.rule == "end":
            return codes[:, -1].copy()
        counts = np.stack([(codes == k).sum(axis=1) for k in range(self.num_labels)], axis=1)
        return counts.argmax(axis=1).astype(np.int64)

    def dataset_labels(self, dataset: WindowDataset, row_codes: np.ndarray | None = None) -> np.ndarray:
        """The label index of every window of `dataset` (`row_codes`: the column's code per model-space row)."""
        starts = dataset.window_starts
        steps = starts[:, None] + np.arange(dataset.window_size)[None, :]
        if self.kind == "column":
            if row_codes is None:
                raise ValueError(f"Labels from column {self.column!r} need its per-row codes.")
            return self.label_codes(np.asarray(row_codes)[steps])
        return self.label_windows(dataset.series[steps].transpose(0, 2, 1))

    # ----- names <-> indices --------------------------------------------------------------------------------
    def indices(
        self, labels: str | Sequence[str], batch_size: int, generator: torch.Generator | list | None = None
    ) -> torch.Tensor:
        """
        Label names -> indices `[batch_size]`: one name for every window, or one per window; or
        `BY_FREQUENCY`: each window's label drawn at its share of the training windows (with `generator`, one per
        window when it is a list), which samples the data's mix of labels.

        Raises:
            `ValueError`: For a name the model does not know (listing the known ones) or a list of the wrong length.
        """
        requested = [labels] if isinstance(labels, str) else list(labels)
        if len(requested) == 1:
            requested = requested * batch_size
        if len(requested) != batch_size:
            raise ValueError(
                f"Got {len(requested)} labels for a batch of {batch_size}: pass one label for every window, or one "
                "per window."
            )
        drawn = [name == BY_FREQUENCY and name not in self.names for name in requested]
        unknown = sorted({str(n) for n, d in zip(requested, drawn, strict=True) if not d and n not in self.names})
        if unknown:
            raise ValueError(
                f"Unknown label(s) {unknown}; this model knows {self.names} (or {BY_FREQUENCY!r}: each window's label "
                "drawn at its training frequency)."
            )
        indices = torch.tensor([-1 if d else self.names.index(n) for n, d in zip(requested, drawn, strict=True)])
        if any(drawn):  # every window draws (window i with its own generator), so batches do not change the draws
            mask = torch.tensor(drawn)
            indices[mask] = self.draw(batch_size, generator)[mask]
        return indices.long()

    def draw(self, batch_size: int, generator: torch.Generator | list | None = None) -> torch.Tensor:
        """
        `batch_size` label indices drawn at the training frequencies (uniform when the record has none), from a
        generator seeded by each given generator's seed, so the sampling noise those generators draw is unchanged.
        """
        weights = torch.tensor(self.frequencies or [1.0] * self.num_labels, dtype=torch.float64)

        def from_seed(source: torch.Generator, count: int) -> torch.Tensor:
            own = torch.Generator().manual_seed((source.initial_seed() + _DRAW_SEED_OFFSET) % 2**63)
            return torch.multinomial(weights, count, replacement=True, generator=own)

        if isinstance(generator, list):
            return torch.cat([from_seed(g, 1) for g in generator])
        if generator is None:
            return torch.multinomial(weights, batch_size, replacement=True)
        return from_seed(generator, batch_size)

    def fit_transitions(self, labels: np.ndarray, starts: np.ndarray, step: int) -> None:
        """Count label transitions between training windows starting `step` apart (labels `[N]`, starts `[N]`)."""
        position = {int(start): k for k, start in enumerate(starts)}
        counts = np.zeros((self.num_labels, self.num_labels))
        for k, start in enumerate(starts):
            later = position.get(int(start) + step)
            if later is not None:
                counts[labels[k], labels[later]] += 1
        rows = counts.sum(axis=1, keepdims=True)
        # A label never followed (e.g. only at the end): it stays as it is.
        self.transitions = np.where(rows > 0, counts / np.maximum(rows, 1), np.eye(self.num_labels)).tolist()
        self.transition_step = int(step)

    def chain(self, num_windows: int, step: int, generators: list[torch.Generator]) -> torch.Tensor:
        """
        Labels `[num_windows, B]` for windows `step` apart along `B` paths: the first drawn at the training
        frequencies, each next from the data's transitions (raised to the power nearest `step / transition_step`;
        independent draws when the record has no transitions). Seeded like [`draw`], one stream per path.
        """
        first = self.draw(len(generators), generators)
        if not self.transitions:
            return torch.stack([first] + [self.draw(len(generators), generators) for _ in range(num_windows - 1)])
        power = max(1, round(step / max(self.transition_step, 1)))
        matrix = torch.tensor(np.linalg.matrix_power(np.asarray(self.transitions), power), dtype=torch.float64)
        streams = [
            torch.Generator().manual_seed((g.initial_seed() + 2 * _DRAW_SEED_OFFSET) % 2**63) for g in generators
        ]
        rows, current = [first], first
        for _ in range(num_windows - 1):
            draws = [torch.multinomial(matrix[int(c)], 1, generator=g) for c, g in zip(current, streams, strict=True)]
            current = torch.cat(draws)
            rows.append(current)
        return torch.stack(rows)

    # ----- the record ------------------------------------------------------------------------------------------
    def to_dict(self) -> dict[str, Any]:
        """JSON-ready record (saved in `model_index.json` as `labels`)."""
        return {
            "kind": self.kind,
            "names": {"values": list(self.names)},  # nested: diffusers reads a top-level pair of strings as a module
            "column": self.column,
            "rule": self.rule,
            "thresholds": [float(t) for t in self.thresholds],
            "increments": [bool(b) for b in self.increments],
            "frequencies": [float(f) for f in self.frequencies],
            "transitions": {"rows": [[float(v) for v in row] for row in self.transitions]},
            "transition_step": int(self.transition_step),
        }

    @classmethod
    def from_dict(cls, record: dict[str, Any]) -> WindowLabeler:
        """Rebuild from [`WindowLabeler.to_dict`]."""
        if not isinstance(record, dict) or record.get("kind") not in ("column", *REGIME_KINDS):
            raise ValueError(f"A label record must be a dict with kind column, volatility or trend, got {record!r}.")
        names = record.get("names")
        names = names.get("values") if isinstance(names, dict) else names
        if not isinstance(names, list) or len(names) < 2 or len(set(map(str, names))) != len(names):
            raise ValueError(f"A label record needs at least two distinct names, got {names!r}.")
        return cls(
            record["kind"],
            [str(n) for n in names],
            column=record.get("column"),
            rule=record.get("rule", "mode"),
            thresholds=[float(t) for t in record.get("thresholds", [])],
            increments=[bool(b) for b in record.get("increments", [])],
            frequencies=[float(f) for f in record.get("frequencies", [])],
            transitions=[[float(v) for v in row] for row in (record.get("transitions") or {}).get("rows", [])],
            transition_step=int(record.get("transition_step", 0)),
        )


def encode_label_column(raw: pd.DataFrame, column: str) -> tuple[pd.DataFrame, list[str]]:
    """
    Replace a categorical `column` of a raw frame by its integer codes (so cleaning keeps it aligned with the other
    columns as a number), returning the names in code order.

    Raises:
        `ValueError`: When the column is missing (naming the available ones) or is not categorical (at most
            `MAX_CATEGORIES` distinct values, at least two).
    """
    if column not in raw.columns:
        raise ValueError(
            f"--label_column {column!r} is not a column of the data; available columns: "
            f"{[str(c) for c in raw.columns]}."
        )
    values = raw[column]
    present = values.dropna()
    distinct = sorted({str(v) for v in present.unique()})
    kind = classify_column(values)
    small_numeric = kind in ("numeric", "numeric_text") and len(distinct) <= MAX_CATEGORIES
    if not (kind == "categorical" or small_numeric) or len(distinct) < 2:
        raise ValueError(
            f"--label_column {column!r} must be categorical (2 to {MAX_CATEGORIES} distinct values); it holds "
            f"{len(distinct)} distinct values ({', '.join(distinct[:5])}{', ...' if len(distinct) > 5 else ''}). "
            "Choose a categorical column, or use --regimes volatility:3 / trend:3 for labels computed from the data."
        )
    codes = values.map(lambda v: np.nan if pd.isna(v) else float(distinct.index(str(v))))
    frame = raw.copy()
    frame[column] = codes.astype("float64")
    return frame, distinct


class LabelledWindows(Dataset):
    """A [`WindowDataset`] whose items are `(window [C, L], label index)`: what a labelled training run iterates."""

    def __init__(self, windows: WindowDataset, labels: np.ndarray) -> None:
        if len(labels) != len(windows):
            raise ValueError(f"{len(labels)} labels for {len(windows)} windows.")
        self.windows, self.labels = windows, np.asarray(labels, dtype=np.int64)

    def __len__(self) -> int:
        return len(self.windows)

    def __getitem__(self, index: int) -> tuple[torch.Tensor, int]:
        return self.windows[index], int(self.labels[index])
