"""Loading: bundled data, every accepted source type giving the same windows, and clear errors for bad sources."""

from __future__ import annotations

import hashlib
from importlib import resources

import numpy as np
import pandas as pd
import pytest
import torch

from ts_diffusion_wavelet.data import bundled_names, load_bundled, load_series, prepare_windows, read_source
from ts_diffusion_wavelet.data.bundled import BUNDLED_DATASETS
from ts_diffusion_wavelet.data.synthetic import geometric_prices, sum_of_sines


@pytest.fixture
def prices_frame() -> pd.DataFrame:
    """200 business days of two positive price columns."""
    return pd.DataFrame(
        {
            "date": pd.bdate_range("2020-01-01", periods=200),
            "close": geometric_prices(200, seed=1),
            "other": 10 + sum_of_sines(200, seed=2),
        }
    )


def _all_windows(source: object, **kwargs: object) -> torch.Tensor:
    prepared = prepare_windows(source, window_size=16, stride=4, target_transform="log_return", **kwargs)
    return torch.stack([prepared.train[i] for i in range(len(prepared.train))])


# ----- bundled ------------------------------------------------------------------------------------------------------
def test_bundled_files_match_recorded_sha256() -> None:
    for name, info in BUNDLED_DATASETS.items():
        data = (resources.files("ts_diffusion_wavelet.data") / "bundled" / info.filename).read_bytes()
        assert hashlib.sha256(data).hexdigest() == info.sha256, name


def test_bundled_eurusd_shape() -> None:
    frame = load_bundled("eurusd")
    assert frame.shape == (7126, 2)
    assert list(frame.columns) == ["Date", "Close"]
    assert pd.api.types.is_datetime64_any_dtype(frame["Date"])
    assert (frame["Close"] > 0).all()


def test_bundled_pollution_shape_and_zero_is_missing() -> None:
    frame = load_bundled("bundled:pollution")
    assert frame.shape == (43800, 9)
    assert frame["wnd_dir"].nunique() == 4
    assert int(frame["pollution"].isna().sum()) == 2045
    untouched = load_bundled("pollution", mark_missing=False)
    assert int((untouched["pollution"] == 0).sum()) == 2045


def test_default_source_is_bundled_eurusd() -> None:
    prepared = prepare_windows(window_size=64, stride=64)
    assert prepared.channel_names == ["Close"]
    assert len(prepared.frame) == 7126
    assert "bundled:eurusd" in prepared.report


def test_bundled_pollution_reports_zeros_as_missing() -> None:
    prepared = prepare_windows(
        "bundled:pollution", categorical="onehot", nan_policy="ffill", window_size=256, stride=256
    )
    assert "2045 values of 'pollution' equal to [0.0] marked missing" in prepared.report
    assert "wnd_dir=NE" in prepared.channel_names and prepared.train[0].shape == (11, 256)


def test_unknown_bundled_name_lists_names() -> None:
    with pytest.raises(ValueError, match="Bundled datasets: 'bundled:eurusd', 'bundled:pollution'"):
        read_source("bundled:nope")
    assert bundled_names() == ["eurusd", "pollution"]


def test_bare_bundled_name_is_the_bundled_dataset(tmp_path, monkeypatch: pytest.MonkeyPatch) -> None:
    pd.testing.assert_frame_equal(read_source("eurusd"), read_source("bundled:eurusd"))
    assert "bundled:pollution" in load_series("pollution", categorical="drop", nan_policy="drop").report[0]
    monkeypatch.chdir(tmp_path)
    (tmp_path / "eurusd").mkdir()  # a local path of the same name wins
    with pytest.raises(ValueError, match="neither a `datasets` `save_to_disk` directory"):
        read_source("eurusd")


# ----- every source type gives the same windows ---------------------------------------------------------------------
def test_csv_parquet_dataframe_and_datasets_give_the_same_windows(prices_frame: pd.DataFrame, tmp_path) -> None:
    import datasets

    expected = _all_windows(prices_frame)
    csv = tmp_path / "prices.csv"
    prices_frame.to_csv(csv, index=False)
    parquet = tmp_path / "prices.parquet"
    prices_frame.to_parquet(parquet)
    dataset = datasets.Dataset.from_pandas(prices_frame, preserve_index=False)
    dataset.save_to_disk(str(tmp_path / "saved"))
    datasets.DatasetDict({"train": dataset}).save_to_disk(str(tmp_path / "saved_dict"))
    cache = str(tmp_path / "cache")
    from_csv = datasets.load_dataset("csv", data_files=str(csv), split="train", cache_dir=cache)
    from_parquet = datasets.load_dataset("parquet", data_files=str(parquet), split="train", cache_dir=cache)
    sources = {
        "csv": csv,
        "csv as str": str(csv),
        "parquet": parquet,
        "Dataset": dataset,
        "DatasetDict": datasets.DatasetDict({"train": dataset}),
        "save_to_disk": tmp_path / "saved",
        "save_to_disk dict": str(tmp_path / "saved_dict"),
        "load_dataset csv": from_csv,
        "load_dataset parquet": from_parquet,
    }
    for name, source in sources.items():
        # CSV keeps 17 significant digits; parsing can move the last bit, far below float32 windows.
        torch.testing.assert_close(_all_windows(source), expected, rtol=1e-6, atol=1e-6, msg=name)


def test_datetime_index_dataframe_is_used_as_time(prices_frame: pd.DataFrame) -> None:
    torch.testing.assert_close(_all_windows(prices_frame.set_index("date")), _all_windows(prices_frame))


def test_datasetdict_split_argument(prices_frame: pd.DataFrame) -> None:
    import datasets

    shuffled = prices_frame.sample(frac=1.0, random_state=0)
    both = datasets.DatasetDict(
        {
            "train": datasets.Dataset.from_pandas(prices_frame, preserve_index=False),
            "other": datasets.Dataset.from_pandas(shuffled.iloc[:50], preserve_index=False),
        }
    )
    assert len(read_source(both, split="other")) == 50
    with pytest.raises(ValueError, match=r"Split 'test' is not in this DatasetDict; it has \['other', 'train'\]"):
        read_source(both, split="test")


def test_hub_name_goes_through_load_dataset(monkeypatch: pytest.MonkeyPatch, prices_frame: pd.DataFrame) -> None:
    import datasets

    calls = []

    def fake_load_dataset(name: str, split: str) -> datasets.Dataset:
        calls.append((name, split))
        return datasets.Dataset.from_pandas(prices_frame, preserve_index=False)

    monkeypatch.setattr(datasets, "load_dataset", fake_load_dataset)
    assert read_source("someone/prices", split="train").shape == prices_frame.shape
    assert calls == [("someone/prices", "train")]


def test_hub_failure_is_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    import datasets

    def offline(name: str, split: str) -> None:
        raise ConnectionError("no network")

    monkeypatch.setattr(datasets, "load_dataset", offline)
    with pytest.raises(FileNotFoundError, match="'someone/prices' is not a local file.*ConnectionError: no network"):
        read_source("someone/prices")


def test_load_series_returns_clean_frame(prices_frame: pd.DataFrame) -> None:
    clean = load_series(prices_frame, columns="close")
    assert list(clean.frame.columns) == ["close"]
    assert isinstance(clean.frame.index, pd.DatetimeIndex)
    np.testing.assert_array_equal(clean.frame["close"].to_numpy(), prices_frame["close"].to_numpy())


# ----- bad sources --------------------------------------------------------------------------------------------------
def test_wrong_path_names_it_and_suggests_near_name(tmp_path) -> None:
    (tmp_path / "prices.csv").write_text("a\n1\n")
    with pytest.raises(
        FileNotFoundError, match=r"No file or directory at '.*prics\.csv'\. Did you mean '.*prices\.csv'"
    ):
        read_source(str(tmp_path / "prics.csv"))


def test_wrong_path_to_bundled_file_suggests_bundled(tmp_path) -> None:
    with pytest.raises(FileNotFoundError, match="use 'bundled:eurusd'"):
        read_source(tmp_path / "data" / "eurusd.csv")


def test_empty_file(tmp_path) -> None:
    empty = tmp_path / "empty.csv"
    empty.write_text("")
    with pytest.raises(ValueError, match="is empty: it has no header and no rows"):
        read_source(empty)
    header_only = tmp_path / "header.csv"
    header_only.write_text("date,close\n")
    with pytest.raises(ValueError, match=r"is empty \(0 rows, 2 columns\)"):
        read_source(header_only)


def test_unsupported_file_type(tmp_path) -> None:
    path = tmp_path / "prices.xlsx"
    path.write_text("x")
    with pytest.raises(ValueError, match="unsupported file type. Supported: .csv"):
        read_source(path)


def test_directory_without_data(tmp_path) -> None:
    (tmp_path / "notes.txt").write_text("x")
    with pytest.raises(ValueError, match="neither a `datasets` `save_to_disk` directory.*notes.txt"):
        read_source(tmp_path)


def test_unsupported_object() -> None:
    with pytest.raises(ValueError, match="Unsupported data source of type list"):
        read_source([1, 2, 3])  # type: ignore[arg-type]
