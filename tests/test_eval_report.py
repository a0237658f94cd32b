"""The report: every file written, the JSON loadable with its schema, the summary readable."""

import json

import numpy as np
import pytest

from ts_diffusion_wavelet.data import garch_returns, geometric_prices
from ts_diffusion_wavelet.evaluation import evaluate_windows, generate_report, sliding_windows, summary_markdown

FAST = {"discriminative_iterations": 5, "predictive_iterations": 5, "classifier_repeats": 2, "two_sample_repeats": 2}


@pytest.fixture(scope="module")
def report(tmp_path_factory):
    prices = geometric_prices(1500, start=100.0, seed=1)
    real = sliding_windows(prices, 32, stride=2)
    synthetic = geometric_prices(32, shape=(80,), start=100.0, seed=2)
    folder = tmp_path_factory.mktemp("report")
    metrics = generate_report(real, synthetic, folder, returns="log", real_series=prices, **FAST)
    return folder, metrics


def test_every_file_is_written(report):
    folder, metrics = report
    assert sorted(p.name for p in folder.iterdir()) == [
        "metrics.json",
        "report.html",
        "report_0_channel_0.png",
        "summary.md",
        "two_sample_tests.png",
    ]
    assert (folder / "report_0_channel_0.png").read_bytes()[:4] == b"\x89PNG"
    assert (folder / "two_sample_tests.png").read_bytes()[:4] == b"\x89PNG"
    page = (folder / "report.html").read_text()
    assert "data:image/png;base64," in page and "<table>" in page
    assert page.count("data:image/png;base64,") == 2
    # The Gaussian baseline is told from GARCH-like prices: the page names the statistics that gave it away.
    assert metrics["c2st"]["gaussian"]["features"]["mean"] > 0.1
    assert "What gave the windows away" in page and "<b>gaussian</b>" in page


def test_json_schema(report):
    folder, _ = report
    metrics = json.loads((folder / "metrics.json").read_text())
    assert set(metrics) == {"meta", "real", "candidates", "comparisons", "notes", "baselines", "c2st"}
    assert list(metrics["candidates"]) == ["synthetic", "gaussian", "garch", "block_bootstrap"]
    # One two-sample entry per candidate and the real-vs-real floor, each with both classifiers.
    assert list(metrics["c2st"]) == ["synthetic", "gaussian", "garch", "block_bootstrap", "real_vs_real"]
    for entry in metrics["c2st"].values():
        assert set(entry) == {"minirocket", "features", "strongest", "protocol"}
        assert set(entry["minirocket"]) >= {"mean", "ci95", "values", "balanced_accuracy", "num_train", "num_test"}
        assert len(entry["features"]["values"]) == 2 and 0 <= entry["features"]["mean"] <= 0.5
    assert entry["protocol"]["stride"] == 2 and entry["protocol"]["gap_windows"] == 16  # inferred; 32 / 2
    top = metrics["c2st"]["gaussian"]["features"]["top_features"]
    assert len(top) == 8 and set(top[0]) == {
        "feature",
        "importance",
        "importance_std",
        "ks",
        "real_median",
        "other_median",
    }
    assert "top_features" not in metrics["c2st"]["real_vs_real"]["features"]
    assert set(metrics["meta"]["seconds_by_part"]) == {"reference", "distances", "two_sample_tests", "gru_scores"}
    synthetic = metrics["candidates"]["synthetic"]
    assert set(synthetic) == {
        "num_windows",
        "values",
        "correlational_score",
        "returns",
        "memorization",
        "discriminative_score",
        "predictive_score",
    }
    assert set(synthetic["values"]) == {
        "wasserstein",
        "ks",
        "qq_distance",
        "acf_distance",
        "acf_abs_distance",
        "psd_distance_db",
        "hurst",
        "hurst_error",
    }
    assert synthetic["returns"]["stylized_facts"]["channel_0"]["acf_abs_r_lag50"] is None  # windows of 31 returns
    assert metrics["real"]["long_series_stylized_facts"]["channel_0"]["acf_abs_r_lag50"] is not None
    assert set(synthetic["discriminative_score"]) >= {"mean", "std", "ci95", "values", "iterations", "repeats"}
    assert metrics["real"]["predictive_score"]["mean"] > 0
    assert synthetic["correlational_score"] is None and any("correlational_score" in n for n in metrics["notes"])
    assert set(metrics["comparisons"]["synthetic_vs_garch"]["channel_0"]) == {"closer", "farther", "compared"}
    assert metrics["meta"]["returns"] == "log" and metrics["meta"]["window_length"] == 32
    copying = {name: metrics["candidates"][name]["memorization"]["ratio"] for name in metrics["candidates"]}
    # The bootstrap pastes half-window blocks of the real series: closer to real windows than i.i.d. draws are.
    assert copying["block_bootstrap"] < copying["gaussian"]


def test_summary_table_compares_with_the_baselines(report):
    _, metrics = report
    text = summary_markdown(metrics)
    assert "| metric | real | synthetic | gaussian | garch | block_bootstrap |" in text
    assert "| excess kurtosis |" in text and "| facts closer to real than GARCH |" in text
    assert "Discriminative score ↓" in text and "KS statistic (returns) ↓" in text
    row = next(line for line in text.splitlines() if line.startswith("| C2ST, window statistics ↓ |"))
    cells = [cell.strip() for cell in row.strip("|").split("|")]
    floor = metrics["c2st"]["real_vs_real"]["features"]["mean"]
    assert abs(float(cells[1]) - floor) < 1e-3 * max(1.0, floor) + 5e-3  # the floor sits in the real column
    assert cells[3].startswith(f"{metrics['c2st']['gaussian']['features']['mean']:.3g} ± ")


def test_evaluating_a_copy_of_the_real_data_gives_zero_distances():
    real = garch_returns(48, shape=(30,), seed=3)[..., None]
    metrics = evaluate_windows(real, {"copy": real}, classifiers=False)
    values = metrics["candidates"]["copy"]["values"]
    for key in (
        "wasserstein",
        "ks",
        "qq_distance",
        "acf_distance",
        "acf_abs_distance",
        "psd_distance_db",
        "hurst_error",
    ):
        assert values[key]["mean"] == 0.0, key
    errors = metrics["candidates"]["copy"]["returns"]["stylized_facts_errors"]["channel_0"]
    assert all(v == 0.0 for v in errors.values() if v is not None)


def test_two_channels_get_a_correlational_score_and_names():
    independent = np.random.default_rng(1).normal(size=(20, 16, 2))
    correlated = independent.copy()
    correlated[..., 1] = independent[..., 0] + 0.1 * independent[..., 1]
    metrics = evaluate_windows(
        independent, {"same": independent, "correlated": correlated}, channel_names=["a", "b"], classifiers=False
    )
    assert metrics["candidates"]["same"]["correlational_score"] == 0.0
    assert metrics["candidates"]["correlated"]["correlational_score"] > 0.09  # |0.99 - ~0| / 10
    assert list(metrics["real"]["stylized_facts"]) == ["a", "b"]
    text = summary_markdown(metrics)
    assert "excess kurtosis [a]" in text
    assert "KS statistic (returns)" not in text  # the windows are the returns: it would repeat the values row
    # 20 windows are too few for time-blocked test splits: a note says so, the rest of the report stands.
    assert "c2st" not in metrics and any(n.startswith("c2st: The two-sample test") for n in metrics["notes"])


def test_copied_returns_are_caught_whatever_level_the_paths_start_from():
    # Real price windows, and "generated" ones that replay real returns from one start level (as a pipeline does):
    # on levels they look new; on returns they are exact copies.
    prices = 1.1 * np.exp(np.cumsum(garch_returns(1200, seed=3)))
    real = sliding_windows(prices, 32, 4)
    returns = np.diff(np.log(real), axis=1)
    copies = 1.25 * np.exp(np.concatenate([np.zeros((len(real), 1, 1)), np.cumsum(returns, axis=1)], axis=1))
    metrics = evaluate_windows(real, {"copies": copies[::3]}, returns="log", classifiers=False, two_sample=False)
    memorization = metrics["candidates"]["copies"]["memorization"]
    assert memorization["exact_copies"] == len(copies[::3]) and memorization["ratio"] < 1e-3
