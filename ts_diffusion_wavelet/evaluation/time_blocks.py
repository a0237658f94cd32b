"""
Time-blocked train / test splits of overlapping real windows, for classifiers that must not see a near-copy of a
test window while training.

Sliding windows of one series overlap: with stride `s` and length `L`, windows `i` and `j` share time steps
whenever `|i - j| * s < L`. A random split then puts a near-copy of almost every real test window into the
training set, and a strong classifier calls anything that is not such a copy "generated" (EUR/USD windows of
some years were "separable" from windows of other years at .49 that way). Here the real windows are cut into
contiguous blocks, train and test blocks alternate, and the `ceil(L / s)` windows after every block edge are
dropped, so no training window shares a time step with a test window.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np


def infer_stride(windows: np.ndarray) -> int | None:
    """
    The stride of sliding windows `[N, L, C]` of one series, or `None` when consecutive windows do not overlap
    with one constant stride (windows from several series, shuffled windows, or strides >= `L`).
    """
    num_windows, length = windows.shape[:2]
    if num_windows < 2:
        return None
    for stride in range(1, length):
        if np.array_equal(windows[0, stride:], windows[1, : length - stride]):
            if np.array_equal(windows[1:, : length - stride], windows[:-1, stride:]):
                return stride
            return None
    return None


@dataclass(frozen=True)
class BlockedSplit:
    """
    Indices of a time-blocked split of `N` windows in time order.

    Args:
        train (`np.ndarray`): Indices of training windows, increasing.
        test (`np.ndarray`): Indices of test windows, increasing.
        gap (`int`): Windows dropped after every block edge (`ceil(L / stride)`).
        segments (`list[tuple[int, int, bool]]`): `(start, stop, is_test)` of every contiguous block after the gaps.
    """

    train: np.ndarray
    test: np.ndarray
    gap: int
    segments: list[tuple[int, int, bool]]


def _check_positive_int(name: str, value: int) -> None:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
        raise ValueError(f"`{name}` must be a positive integer, got {value!r}.")


def time_blocked_split(
    num_windows: int,
    window_length: int,
    stride: int = 1,
    num_cycles: int = 3,
    test_fraction: float = 0.3,
    phase: float = 0.0,
) -> BlockedSplit:
    """
    Splits `num_windows` windows in time order into alternating train and test blocks with a gap at every edge.

    The index range is cut into `num_cycles` cycles, each a train block then a test block of `test_fraction` of
    the cycle; `phase` (in cycles, `[0, 1)`) shifts the pattern so that repeats test on other stretches of time.
    The first `ceil(window_length / stride)` windows after every block edge are dropped: a training window then
    ends before the first test window starts (and the other way round).

    Args:
        num_windows (`int`): Windows, in time order.
        window_length (`int`): Time steps per window `L`.
        stride (`int`, defaults to 1): Time steps between window starts.
        num_cycles (`int`, defaults to 3): Train/test alternations over the whole range.
        test_fraction (`float`, defaults to 0.3): Share of each cycle that is test, before the gaps.
        phase (`float`, defaults to 0.0): Shift of the pattern, in cycles.

    Returns:
        [`BlockedSplit`].

    Raises:
        `ValueError`: When a block is not longer than the gap (too few windows for this many cycles).
    """
    for name, value in (("num_windows", num_windows), ("window_length", window_length), ("stride", stride)):
        _check_positive_int(name, value)
    _check_positive_int("num_cycles", num_cycles)
    if not 0 < test_fraction < 1:
        raise ValueError(f"`test_fraction` must be in (0, 1), got {test_fraction!r}.")
    gap = math.ceil(window_length / stride)
    cycle = num_windows / num_cycles
    shortest_block = min(test_fraction, 1 - test_fraction) * cycle
    if shortest_block <= gap:
        raise ValueError(
            f"{num_windows} windows of length {window_length} at stride {stride} are too few for a time-blocked split "
            f"into {num_cycles} train/test cycles: every block must be longer than the {gap}-window gap that keeps "
            f"train and test windows from overlapping in time, but the shortest block has {shortest_block:.0f}. "
            "Pass more real windows (a longer series or a smaller stride) or fewer cycles (`num_cycles`)."
        )
    # 1. Which part of its cycle each window sits in, with the pattern shifted by `phase`.
    position = (np.arange(num_windows) / cycle + phase) % 1.0
    is_test = position >= 1 - test_fraction
    # 2. Block edges: where the label changes. Drop `gap` windows after each one.
    keep = np.ones(num_windows, dtype=bool)
    edges = np.flatnonzero(is_test[1:] != is_test[:-1]) + 1
    for edge in edges:
        keep[edge : edge + gap] = False
    # 3. Contiguous segments of what is left, for reports and for labelling sub-blocks.
    segments = []
    bounds = np.concatenate([[0], edges, [num_windows]])
    for start, stop in zip(bounds[:-1], bounds[1:], strict=True):
        first = start + (gap if start > 0 else 0)
        if first < stop:
            segments.append((int(first), int(stop), bool(is_test[start])))
    indices = np.arange(num_windows)
    return BlockedSplit(indices[keep & ~is_test], indices[keep & is_test], gap, segments)
