"""Cleaning: every bad input gives either a clear error (asserted on its text) or a reported, chosen policy."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

from ts_diffusion_wavelet.data import clean_frame, onehot_decode, onehot_encode, prepare_windows


@pytest.fixture
def frame() -> pd.DataFrame:
    """10 hourly rows of two numeric columns and one categorical."""
    return pd.DataFrame(
        {
            "timestamp": pd.date_range("2021-03-01", periods=10, freq="h"),
            "a": np.arange(10, dtype=float) + 1,
            "b": np.linspace(5, 6, 10),
            "wind": ["N", "S", "S", "E", "N", "N", "S", "E", "E", "N"],
        }
    )


# ----- columns ------------------------------------------------------------------------------------------------------
def test_missing_column_lists_available(frame: pd.DataFrame) -> None:
    with pytest.raises(ValueError, match=r"Column\(s\) \['c'\] not found; available columns: \['a', 'b', 'wind'\]"):
        clean_frame(frame, columns=["a", "c"])


def test_time_column_cannot_be_a_channel(frame: pd.DataFrame) -> None:
    with pytest.raises(ValueError, match="'timestamp' is the time column"):
        clean_frame(frame, columns=["timestamp", "a"])


def test_numbers_stored_as_text_are_parsed_and_reported(frame: pd.DataFrame) -> None:
    frame["a"] = frame["a"].astype(str)
    clean = clean_frame(frame, columns=["a"])
    assert clean.frame["a"].dtype == np.float64
    assert "column 'a' was stored as text: parsed as numbers" in clean.report


def test_text_with_a_few_non_numbers_suggests_missing_values(frame: pd.DataFrame) -> None:
    frame["a"] = frame["a"].astype(str).mask(frame.index == 3, "N/A")
    with pytest.raises(ValueError, match=r"mostly numbers, but 1 values are not \('N/A'\).*missing_values=\{'a'"):
        clean_frame(frame, columns=["a"])
    clean = clean_frame(frame, columns=["a"], missing_values={"a": "N/A"}, nan_policy="ffill")
    assert clean.frame["a"].iloc[3] == 3.0


def test_free_text_is_refused(frame: pd.DataFrame) -> None:
    text = pd.DataFrame({"comment": [f"note number {i}" for i in range(40)], "x": np.arange(40.0)})
    with pytest.raises(
        ValueError, match="column 'comment' holds free text \\(40 distinct values.*neither numeric nor"
    ):
        clean_frame(text)


# ----- categoricals -------------------------------------------------------------------------------------------------
def test_categorical_error_names_column_values_and_fix(frame: pd.DataFrame) -> None:
    with pytest.raises(
        ValueError, match=r"Column 'wind' is categorical with values \['E', 'N', 'S'\]\. Pass `categorical='onehot'`"
    ):
        clean_frame(frame)


def test_categorical_drop_and_onehot(frame: pd.DataFrame) -> None:
    dropped = clean_frame(frame, categorical="drop")
    assert list(dropped.frame.columns) == ["a", "b"]
    assert "categorical column 'wind' dropped (categorical='drop')" in dropped.report
    encoded = clean_frame(frame, categorical="onehot")
    assert list(encoded.frame.columns) == ["a", "b", "wind=E", "wind=N", "wind=S"]
    assert encoded.categories == {"wind": ["E", "N", "S"]}
    assert encoded.frame[["wind=E", "wind=N", "wind=S"]].sum(axis=1).eq(1).all()


def test_onehot_round_trip(frame: pd.DataFrame) -> None:
    categories = {"wind": ["E", "N", "S"]}
    encoded = onehot_encode(frame[["a", "wind"]], categories)
    noisy = encoded + np.random.default_rng(0).normal(0, 0.1, encoded.shape) * encoded.columns.str.contains("=")
    decoded = onehot_decode(noisy, categories)
    assert list(decoded.columns) == ["a", "wind"]
    assert decoded["wind"].tolist() == frame["wind"].tolist()


# ----- missing values -----------------------------------------------------------------------------------------------
def test_nan_error_names_column_count_and_timestamps(frame: pd.DataFrame) -> None:
    frame.loc[[2, 5], "a"] = np.nan
    frame.loc[7, "b"] = np.inf
    with pytest.raises(ValueError) as error:
        clean_frame(frame, columns=["a", "b"])
    message = str(error.value)
    assert "'a': 2 NaN (first at row 2 (2021-03-01 02:00:00), row 5 (2021-03-01 05:00:00))" in message
    assert "'b': 0 NaN and 1 inf (first at row 7 (2021-03-01 07:00:00))" in message
    assert "nan_policy='drop'" in message and "nan_policy='ffill'" in message


def test_nan_drop_and_ffill_are_reported(frame: pd.DataFrame) -> None:
    frame.loc[[0, 5], "a"] = np.nan
    dropped = clean_frame(frame, columns=["a", "b"], nan_policy="drop")
    assert len(dropped.frame) == 8
    assert any(line.startswith("nan_policy='drop': dropped 2 rows") for line in dropped.report)
    filled = clean_frame(frame, columns=["a", "b"], nan_policy="ffill")
    assert len(filled.frame) == 9  # row 0 has nothing to fill from
    assert filled.frame["a"].iloc[4] == 5.0  # row 5 took row 4's value (index shifted by the dropped row 0)
    assert any("filled 2 values" in line and "dropped 1 leading rows" in line for line in filled.report)
    assert np.isfinite(filled.frame.to_numpy()).all()


def test_sentinel_missing_values(frame: pd.DataFrame) -> None:
    frame.loc[[3, 4], "a"] = -999.0
    with pytest.raises(ValueError, match="'a': 2 NaN"):
        clean_frame(frame, columns=["a"], missing_values=-999)
    clean = clean_frame(frame, columns=["a"], missing_values={"a": [-999]}, nan_policy="ffill")
    assert clean.frame["a"].tolist()[2:5] == [3.0, 3.0, 3.0]
    assert "missing values: 2 values of 'a' equal to [-999] marked missing" in clean.report
    with pytest.raises(ValueError, match=r"`missing_values` names column\(s\) \['zz'\]"):
        clean_frame(frame, columns=["a"], missing_values={"zz": 0})


def test_invalid_policy_names() -> None:
    with pytest.raises(ValueError, match=r"`nan_policy` must be one of \['error', 'drop', 'ffill'\], got 'zero'"):
        clean_frame(pd.DataFrame({"a": [1.0]}), nan_policy="zero")  # type: ignore[arg-type]


# ----- time column --------------------------------------------------------------------------------------------------
def test_auto_time_column_and_no_time_column(frame: pd.DataFrame) -> None:
    clean = clean_frame(frame, columns=["a"])
    assert clean.frame.index.name == "timestamp"
    untimed = clean_frame(frame.drop(columns="timestamp"), columns=["a"])
    assert isinstance(untimed.frame.index, pd.RangeIndex)
    assert "no time column: rows are used in their stored order" in untimed.report


def test_named_time_column_missing(frame: pd.DataFrame) -> None:
    with pytest.raises(ValueError, match=r"Time column 'when' is not in the data; available columns: \['timestamp'"):
        clean_frame(frame, time_column="when")


def test_unparseable_times(frame: pd.DataFrame) -> None:
    frame["timestamp"] = frame["timestamp"].astype(str).mask(frame.index == 4, "not a date")
    with pytest.raises(
        ValueError, match="Time column 'timestamp' has 1 values that are not dates or times, e.g. 'not a"
    ):
        clean_frame(frame, columns=["a"])


def test_duplicated_timestamps_are_listed(frame: pd.DataFrame) -> None:
    frame.loc[6, "timestamp"] = frame.loc[5, "timestamp"]
    with pytest.raises(ValueError, match=r"1 duplicated timestamps: 2021-03-01 05:00:00 \(row 5\), 2021-03-01 05:00"):
        clean_frame(frame, columns=["a"])


def test_unsorted_timestamps_are_sorted_and_reported(frame: pd.DataFrame) -> None:
    shuffled = frame.iloc[[0, 1, 2, 4, 3, 5, 6, 7, 9, 8]]
    clean = clean_frame(shuffled, columns=["a"])
    assert clean.frame["a"].tolist() == frame["a"].tolist()
    assert "time column 'timestamp' was not sorted: sorted the rows by time (4 rows moved)" in clean.report


def test_irregular_spacing_warns_but_does_not_fail(frame: pd.DataFrame) -> None:
    frame.loc[5:, "timestamp"] += pd.Timedelta(minutes=17)
    with pytest.warns(UserWarning, match="Irregular spacing: time column 'timestamp': every 0 days 01:00:00"):
        clean = clean_frame(frame, columns=["a"])
    assert len(clean.frame) == 10


def test_business_daily_with_weekends_and_holidays_is_regular() -> None:
    days = pd.bdate_range("2022-01-03", periods=300).delete([10, 50, 120])  # three holidays
    data = pd.DataFrame({"Date": days.strftime("%Y-%m-%d"), "Close": np.linspace(1, 2, len(days))})
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        clean = clean_frame(data)
    assert any("business-daily" in line and "3 gaps of missing steps" in line for line in clean.report)


def test_many_gaps_warn() -> None:
    days = pd.date_range("2022-01-01", periods=100, freq="D").delete(list(range(5, 95, 6)))
    data = pd.DataFrame({"date": days, "x": np.arange(len(days), dtype=float)})
    with pytest.warns(UserWarning, match="gaps of missing steps"):
        clean_frame(data)


# ----- through prepare_windows --------------------------------------------------------------------------------------
def test_short_series_gives_both_lengths(frame: pd.DataFrame) -> None:
    with pytest.raises(
        ValueError,
        match=r"10 rows after cleaning \(9 after the target transform\), fewer than one window of window_size=16",
    ):
        prepare_windows(frame, columns=["a"], target_transform="diff", window_size=16)


def test_constant_channel_is_named(frame: pd.DataFrame) -> None:
    frame = pd.concat([frame] * 10, ignore_index=True)
    frame["timestamp"] = pd.date_range("2021-03-01", periods=len(frame), freq="h")
    frame["flat"] = 3.0
    with pytest.raises(ValueError, match="Channel 'flat' is constant on the training split.*scaling={'flat': 'none'}"):
        prepare_windows(frame, columns=["a", "flat"], window_size=8)
    prepared = prepare_windows(frame, columns=["a", "flat"], window_size=8, scaling={"a": "standard", "flat": "none"})
    assert prepared.train[0].shape == (2, 8)


def test_log_return_of_non_positive_names_column_value_and_row(frame: pd.DataFrame) -> None:
    frame = pd.concat([frame] * 10, ignore_index=True)
    frame["timestamp"] = pd.date_range("2021-03-01", periods=len(frame), freq="h")
    frame.loc[42, "b"] = -1.5
    with pytest.raises(
        ValueError,
        match=r"needs positive prices, but column 'b' has value -1.5 at row 42 \(2021-03-02 18:00:00\).*'diff'",
    ):
        prepare_windows(frame, columns=["a", "b"], target_transform="log_return", window_size=8)


def test_time_in_a_named_index_is_used(frame: pd.DataFrame) -> None:
    as_text = frame.assign(timestamp=frame["timestamp"].astype(str)).set_index("timestamp")
    clean = clean_frame(as_text, columns=["a"])
    assert isinstance(clean.frame.index, pd.DatetimeIndex) and clean.frame.index.name == "timestamp"
    unnamed = clean_frame(frame.drop(columns="timestamp").set_index(pd.Index(range(5, 15))), columns=["a"])
    assert isinstance(unnamed.frame.index, pd.RangeIndex)  # a plain row index is not data


def test_second_date_column_is_not_a_value(frame: pd.DataFrame) -> None:
    frame["settled"] = frame["timestamp"] + pd.Timedelta(days=2)
    with pytest.raises(ValueError, match="Column 'settled' holds dates or durations, not values"):
        clean_frame(frame, columns=["a", "settled"])


def test_numpy_scalar_missing_value(frame: pd.DataFrame) -> None:
    frame.loc[3, "a"] = -1.0
    clean = clean_frame(frame, columns=["a"], missing_values=np.float64(-1.0), nan_policy="drop")
    assert len(clean.frame) == 9
