"""`tsdw-anomaly` end to end on the tiny sine model: the scores CSV beside the data, events, the plot, errors."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from anomaly_fixtures import noisy_sine, sine_frame

from ts_diffusion_wavelet.cli.anomaly import main


def test_scores_events_and_plot_are_written(sine_model_dir, tmp_path):
    values = noisy_sine(300, seed=7)
    values[150] += 4.0
    sine_frame(values).to_csv(tmp_path / "series.csv", index=False)
    sine_frame(noisy_sine(200, seed=8)).to_csv(tmp_path / "normal.csv", index=False)
    arguments = ["--model", str(sine_model_dir), "--data", str(tmp_path / "series.csv"), "--device", "cpu"]
    arguments += ["--output", str(tmp_path / "scores.csv"), "--events", str(tmp_path / "events.csv")]
    arguments += ["--plot", str(tmp_path / "scores.png"), "--reference", str(tmp_path / "normal.csv")]
    assert main(arguments) == 0
    table = pd.read_csv(tmp_path / "scores.csv", parse_dates=["time"])
    assert list(table.columns) == ["time", "value", "anomaly_score", "above_threshold"]
    assert len(table) == 300 and table["time"].iloc[150] == pd.Timestamp("2024-01-01") + pd.Timedelta(hours=150)
    np.testing.assert_allclose(table["value"], values)
    assert int(table["anomaly_score"].idxmax()) == 150 and table["above_threshold"].iloc[150]
    events = pd.read_csv(tmp_path / "events.csv")
    assert list(events.columns) == ["start", "end", "peak", "peak_score", "start_time", "end_time", "peak_time"]
    top = events.loc[events["peak_score"].idxmax()]
    assert top["start"] <= 150 <= top["end"] and top["peak"] == 150
    assert top["peak_time"] == "2024-01-07 06:00:00"
    assert (tmp_path / "scores.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--output", "scores.txt"], "error: --output writes a CSV; got 'scores.txt'. Use a name ending in .csv."),
        (["--plot", "scores.jpg"], "error: --plot writes a PNG; got 'scores.jpg'. Use a name ending in .png."),
        (["--threshold_quantile", "1.5"], "error: --threshold_quantile must be strictly between 0 and 1, got 1.5."),
        (["--top", "-1"], "error: --top must be at least 0, got -1."),
    ],
)
def test_bad_arguments_exit_2_before_loading(extra, message, tmp_path, capsys):
    arguments = ["--model", str(tmp_path / "missing"), "--data", "x.csv", "--output", "scores.csv", *extra]
    assert main(arguments) == 2
    assert capsys.readouterr().err.strip() == message


def test_missing_columns_are_named(sine_model_dir, tmp_path, capsys):
    pd.DataFrame({"price": np.zeros(50)}).to_csv(tmp_path / "series.csv", index=False)
    arguments = ["--model", str(sine_model_dir), "--data", str(tmp_path / "series.csv"), "--device", "cpu"]
    assert main([*arguments, "--output", str(tmp_path / "scores.csv")]) == 2
    assert "lacks the columns ['value'] the model generates" in capsys.readouterr().err
    assert not (tmp_path / "scores.csv").exists()
