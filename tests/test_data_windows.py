"""Lazy windows and the split by time: shapes, counts, no window across the split, memory shared, clear errors."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import torch
from torch.utils.data import DataLoader

from ts_diffusion_wavelet.data import WindowDataset, garch_returns, prepare_windows, split_row


@pytest.fixture
def series() -> np.ndarray:
    """[500, 3] model-space-like values."""
    return garch_returns(500, shape=(3,), seed=5).T * 100


def test_window_shapes_dtype_and_values(series: np.ndarray) -> None:
    dataset = WindowDataset(series, window_size=64, stride=10)
    assert len(dataset) == (500 - 64) // 10 + 1
    window = dataset[3]
    assert window.dtype == torch.float32 and window.shape == (3, 64)
    np.testing.assert_array_equal(window.numpy(), series[30:94].T.astype(np.float32))
    np.testing.assert_array_equal(dataset[-1].numpy(), series[dataset.window_starts[-1] :][:64].T.astype(np.float32))
    with pytest.raises(IndexError, match="Window index 44 out of range for 44 windows"):
        dataset[44]


def test_windows_are_lazy_and_share_the_series(series: np.ndarray) -> None:
    stored = series.astype(np.float32)
    train = WindowDataset(stored, 64, first_row=0, last_row=400)
    validation = WindowDataset(stored, 64, first_row=400)
    assert train.series is stored and validation.series is stored  # no copy, whatever the number of windows
    window = train[0]
    window += 1  # a caller modifying a window must not modify the data
    assert stored[0, 0] == train[0][0, 0]


def test_dataloader_batches_are_batch_channels_length(series: np.ndarray) -> None:
    loader = DataLoader(WindowDataset(series, 32, stride=8), batch_size=5, shuffle=True)
    batch = next(iter(loader))
    assert batch.shape == (5, 3, 32) and batch.dtype == torch.float32


def test_split_row_and_its_errors() -> None:
    assert split_row(1000, 0.1, 64) == 900
    assert split_row(1000, 0.0, 64) == 1000
    with pytest.raises(ValueError, match=r"validation part holds 50 rows \(0.05 of 1000\), fewer than one window"):
        split_row(1000, 0.05, 64)
    with pytest.raises(ValueError, match=r"training part holds 100 rows .* Lower `window_size` to at most 100"):
        split_row(1000, 0.9, 128)
    with pytest.raises(ValueError, match=r"`validation_fraction` must be in \[0, 1\), got 1.5"):
        split_row(1000, 1.5, 64)


@pytest.mark.parametrize("window_size, stride", [(0, 1), (16, 0), (16.5, 1)])
def test_window_settings_are_checked(series: np.ndarray, window_size: int, stride: int) -> None:
    with pytest.raises(ValueError, match="must be an integer"):
        WindowDataset(series, window_size, stride)


@pytest.mark.parametrize("transform", ["none", "diff"])
def test_no_window_crosses_the_split_and_validation_comes_after(transform: str) -> None:
    frame = pd.DataFrame(
        {"time": pd.date_range("2000-01-01", periods=1000, freq="min"), "x": np.cumsum(garch_returns(1000) + 1)}
    )
    prepared = prepare_windows(frame, target_transform=transform, window_size=50, stride=7, validation_fraction=0.2)
    train, validation = prepared.train, prepared.validation
    assert train.last_row == validation.first_row
    last_train_end = train.window_starts[-1] + train.window_size
    assert last_train_end <= train.last_row <= validation.window_starts[0]
    assert validation.window_starts[-1] + validation.window_size <= len(prepared.frame) - prepared.preprocessor.lag
    # In time: the last training window ends before the first validation window begins.
    last_train_time = prepared.window_levels(train, -1).index[-1]
    first_validation_time = prepared.window_levels(validation, 0).index[0]
    assert last_train_time < first_validation_time
    assert "validation rows: 200" in prepared.report


def test_validation_fraction_zero_gives_no_validation() -> None:
    prepared = prepare_windows(pd.DataFrame({"x": np.arange(100.0)}), window_size=10, validation_fraction=0.0)
    assert prepared.validation is None and len(prepared.train) == 91
    assert "validation: none (validation_fraction=0)" in prepared.report


def test_start_values_align_with_windows(series: np.ndarray) -> None:
    levels = np.abs(series) + 1
    dataset = WindowDataset(series, 16, stride=5, start_levels=levels)
    np.testing.assert_array_equal(dataset.start_values([0, 2]), levels[[0, 10]])
    with pytest.raises(ValueError, match="no `start_levels`"):
        WindowDataset(series, 16).start_values()
