"""Generated windows on disk: each format reads back to the same array; bad files say what is wrong."""

import numpy as np
import pandas as pd
import pytest

from ts_diffusion_wavelet.series_io import load_generated, save_generated, windows_to_long_frame


@pytest.mark.parametrize("suffix", [".csv", ".parquet", ".npy"])
def test_round_trip(tmp_path, suffix):
    windows = np.random.default_rng(0).normal(size=(3, 5, 2))
    path = save_generated(tmp_path / f"gen{suffix}", windows, ["open", "close"])
    loaded, names = load_generated(path)
    np.testing.assert_allclose(loaded, windows, rtol=1e-12)
    assert names == (["open", "close"] if suffix != ".npy" else ["channel_0", "channel_1"])


def test_long_format_has_one_row_per_sample_and_step():
    frame = windows_to_long_frame(np.arange(12.0).reshape(2, 3, 2), ["a", "b"])
    assert list(frame.columns) == ["sample", "step", "a", "b"]
    assert frame[["sample", "step"]].values.tolist() == [[0, 0], [0, 1], [0, 2], [1, 0], [1, 1], [1, 2]]
    assert frame["b"].tolist() == [1.0, 3.0, 5.0, 7.0, 9.0, 11.0]


def test_dataframes_with_labels_are_written_as_they_are(tmp_path):
    frames = [pd.DataFrame({"x": [1.0, 2.0], "wind": ["NE", "cv"]}) for _ in range(2)]
    save_generated(tmp_path / "gen.csv", frames, ["x", "wind"])
    written = pd.read_csv(tmp_path / "gen.csv")
    assert written["wind"].tolist() == ["NE", "cv", "NE", "cv"]
    with pytest.raises(ValueError, match=r"non-numeric channels \['wind'\] \(decoded categories\)"):
        load_generated(tmp_path / "gen.csv")


def test_unknown_extension_is_refused_before_writing(tmp_path):
    with pytest.raises(ValueError, match=r"Cannot tell the format of .*gen.txt.*\.csv, \.parquet, \.npy"):
        save_generated(tmp_path / "gen.txt", np.zeros((1, 2, 1)), ["x"])
    assert not list(tmp_path.iterdir())


def test_a_csv_that_is_not_generated_windows_is_named(tmp_path):
    pd.DataFrame({"Date": ["2020-01-01"], "Close": [1.0]}).to_csv(tmp_path / "raw.csv", index=False)
    with pytest.raises(
        ValueError, match=r"not in the generated-windows format: columns \['sample', 'step'\] are missing"
    ):
        load_generated(tmp_path / "raw.csv")


def test_windows_of_different_lengths_are_refused(tmp_path):
    pd.DataFrame({"sample": [0, 0, 1], "step": [0, 1, 0], "x": [1.0, 2.0, 3.0]}).to_csv(
        tmp_path / "g.csv", index=False
    )
    with pytest.raises(ValueError, match="differ in length"):
        load_generated(tmp_path / "g.csv")
