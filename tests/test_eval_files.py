"""Reading real and generated windows from files."""

import numpy as np
import pandas as pd
import pytest

from ts_diffusion_wavelet.evaluation import align_channels, read_windows, sliding_windows
from ts_diffusion_wavelet.evaluation.files import LoadedWindows
from ts_diffusion_wavelet.series_io import save_generated


def test_sliding_windows_shape_and_content():
    windows = sliding_windows(np.arange(10.0), 4, stride=3)
    assert windows.shape == (3, 4, 1)
    assert windows[:, :, 0].tolist() == [[0, 1, 2, 3], [3, 4, 5, 6], [6, 7, 8, 9]]
    with pytest.raises(ValueError, match=r"The series has 3 steps, fewer than one window of 4"):
        sliding_windows(np.arange(3.0), 4)


@pytest.mark.parametrize("suffix", [".csv", ".parquet", ".npy"])
def test_the_generators_files_read_back(tmp_path, suffix):
    windows = np.random.default_rng(0).normal(size=(4, 6, 2))
    path = save_generated(tmp_path / f"generated{suffix}", windows, ["open", "close"])
    loaded = read_windows(path)
    np.testing.assert_allclose(loaded.windows, windows, rtol=1e-12)
    assert loaded.channel_names == (["open", "close"] if suffix != ".npy" else ["channel_0", "channel_1"])


def test_long_format_rows_in_any_order(tmp_path):
    frame = pd.DataFrame({"sample": [1, 0, 1, 0], "step": [1, 1, 0, 0], "x": [4.0, 2.0, 3.0, 1.0]})
    frame.to_csv(tmp_path / "g.csv", index=False)
    assert read_windows(tmp_path / "g.csv").windows[:, :, 0].tolist() == [[1.0, 2.0], [3.0, 4.0]]


def test_long_format_with_ragged_windows_is_refused(tmp_path):
    pd.DataFrame({"sample": [0, 0, 1], "step": [0, 1, 0], "x": [1.0, 2.0, 3.0]}).to_csv(
        tmp_path / "g.csv", index=False
    )
    with pytest.raises(ValueError, match=r"differ in length .* every sample needs the same number of steps"):
        read_windows(tmp_path / "g.csv")


def test_a_long_series_csv_is_windowed(tmp_path):
    dates = pd.date_range("2020-01-01", periods=50, freq="D")
    pd.DataFrame({"date": dates, "Close": np.arange(1.0, 51.0), "Volume": 1.0}).to_csv(
        tmp_path / "prices.csv", index=False
    )
    loaded = read_windows(tmp_path / "prices.csv", window_size=10, stride=5, columns=["Close"])
    assert loaded.windows.shape == (9, 10, 1) and loaded.channel_names == ["Close"]
    assert loaded.series.shape == (50, 1)
    with pytest.raises(ValueError, match=r"is a long series of 50 steps; pass a window size"):
        read_windows(tmp_path / "prices.csv", columns=["Close"])


def test_a_one_dimensional_npy_is_a_long_series(tmp_path):
    np.save(tmp_path / "series.npy", np.arange(20.0))
    assert read_windows(tmp_path / "series.npy", window_size=5).windows.shape == (16, 5, 1)
    with pytest.raises(ValueError, match=r"holds a long series of 20 steps; pass `window_size`"):
        read_windows(tmp_path / "series.npy")


def test_window_size_must_match_windows_already_cut(tmp_path):
    np.save(tmp_path / "w.npy", np.zeros((3, 8)))
    with pytest.raises(ValueError, match=r"holds windows of length 8, not `window_size` = 10"):
        read_windows(tmp_path / "w.npy", window_size=10)


def test_channels_align_by_name_or_position():
    loaded = LoadedWindows(np.arange(12.0).reshape(1, 4, 3), ["a", "b", "c"])
    assert align_channels(loaded, ["c", "a"]).windows[0, 0].tolist() == [2.0, 0.0]
    assert align_channels(loaded, ["x", "y", "z"]).channel_names == ["x", "y", "z"]
    with pytest.raises(ValueError, match=r"`synthetic` has 3 channels \['a', 'b', 'c'\] but the real data has 2"):
        align_channels(loaded, ["x", "y"])
