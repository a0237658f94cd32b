"""`python -m ts_diffusion_wavelet.evaluate` end to end on files, its errors, and the saved-pipeline code path."""

import json
import types

import numpy as np
import pandas as pd
import pytest

from ts_diffusion_wavelet import evaluate
from ts_diffusion_wavelet.data import geometric_prices
from ts_diffusion_wavelet.series_io import save_generated

FAST = ["--discriminative_iterations", "3", "--predictive_iterations", "3", "--repeats", "2"]


def test_npy_windows_without_classifiers(tmp_path, capsys):
    np.save(tmp_path / "real.npy", np.random.default_rng(0).normal(size=(40, 24)))
    np.save(tmp_path / "synthetic.npy", np.random.default_rng(1).standard_t(4, size=(30, 24, 1)))
    out = tmp_path / "report"
    status = evaluate.main(
        [
            "--real",
            str(tmp_path / "real.npy"),
            "--synthetic",
            str(tmp_path / "synthetic.npy"),
            "--output_dir",
            str(out),
            "--no_classifiers",
        ]
    )
    assert status == 0
    assert {"metrics.json", "summary.md", "report.html", "report_0_channel_0.png"} <= {p.name for p in out.iterdir()}
    metrics = json.loads((out / "metrics.json").read_text())
    assert "discriminative_score" not in metrics["candidates"]["synthetic"]
    assert metrics["candidates"]["synthetic"]["num_windows"] == 30 and metrics["meta"]["num_real_windows"] == 40
    assert "| excess kurtosis |" in capsys.readouterr().out


def test_price_csv_against_generated_long_format_with_log_returns(tmp_path):
    prices = geometric_prices(600, start=100.0, seed=3)
    frame = pd.DataFrame({"Date": pd.date_range("2015-01-01", periods=600, freq="D"), "Close": prices, "Volume": 1e6})
    frame.to_csv(tmp_path / "prices.csv", index=False)
    generated = geometric_prices(32, shape=(40,), start=100.0, seed=4)[..., None]
    save_generated(tmp_path / "generated.csv", generated, ["Close"])
    out = tmp_path / "report"
    argv = [
        "--real",
        str(tmp_path / "prices.csv"),
        "--columns",
        "Close",
        "--synthetic",
        str(tmp_path / "generated.csv"),
    ]
    assert evaluate.main([*argv, "--returns", "log", "--stride", "4", "--output_dir", str(out), *FAST]) == 0
    metrics = json.loads((out / "metrics.json").read_text())
    assert (
        metrics["meta"]["channels"] == ["Close"] and metrics["meta"]["window_length"] == 32
    )  # taken from the generated windows
    assert metrics["meta"]["num_real_windows"] == (600 - 32) // 4 + 1
    assert metrics["meta"]["sources"]["synthetic"].endswith("generated.csv")
    assert metrics["candidates"]["garch"]["discriminative_score"]["repeats"] == 2
    assert (out / "report_0_Close.png").is_file()
    # The strong judge ran on the log-returns, with the real windows' stride 4 (gap 8 windows of length 32).
    assert metrics["meta"]["two_sample_input"] == "log returns"
    assert metrics["c2st"]["synthetic"]["protocol"]["stride"] == 4
    assert metrics["c2st"]["synthetic"]["protocol"]["gap_windows"] == 8


@pytest.mark.parametrize(
    ("preset", "expected"), [([], (500, 1000, 3)), (["--quick"], (500, 1000, 3)), (["--full"], (2000, 5000, 5))]
)
def test_quick_and_full_choose_the_gru_settings_and_the_cost_is_printed(
    tmp_path, capsys, monkeypatch, preset, expected
):
    seen = {}

    def fake_report(real, synthetic, output_dir, **kwargs):
        seen.update(kwargs)
        return {"meta": {"seconds_by_part": {"two_sample_tests": 12.3, "gru_scores": 45.6}}, "files": {}}

    monkeypatch.setattr(evaluate, "generate_report", fake_report)
    monkeypatch.setattr(evaluate, "summary_markdown", lambda metrics: "table")
    np.save(tmp_path / "real.npy", np.random.default_rng(0).normal(size=(40, 24)))
    argv = ["--real", str(tmp_path / "real.npy"), "--synthetic", str(tmp_path / "real.npy"), "--output_dir", "o"]
    assert evaluate.main([*argv, *preset]) == 0
    assert (seen["discriminative_iterations"], seen["predictive_iterations"], seen["classifier_repeats"]) == expected
    assert seen["two_sample"] is True and seen["classifiers"] is True
    assert "two_sample_tests 12 s, gru_scores 46 s" in capsys.readouterr().out


def test_quick_and_full_are_exclusive(capsys):
    with pytest.raises(SystemExit):
        evaluate.main(["--real", "r.npy", "--synthetic", "s.npy", "--output_dir", "o", "--quick", "--full"])
    assert "not allowed with argument" in capsys.readouterr().err


def test_missing_eval_extra_is_named_before_any_work(tmp_path, capsys, monkeypatch):
    import importlib.util

    real_find_spec = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec", lambda name: None if name == "aeon" else real_find_spec(name))
    with pytest.raises(SystemExit) as raised:
        evaluate.main(["--real", "missing.npy", "--synthetic", "missing.npy", "--output_dir", str(tmp_path)])
    assert raised.value.code == 2
    assert "need aeon (missing); install the evaluation extra" in capsys.readouterr().err


def test_mismatched_window_lengths_exit_with_the_reason(tmp_path, capsys):
    np.save(tmp_path / "real.npy", np.zeros((20, 24)))
    np.save(tmp_path / "synthetic.npy", np.zeros((20, 16)))
    with pytest.raises(SystemExit) as exit_info:
        evaluate.main(
            [
                "--real",
                str(tmp_path / "real.npy"),
                "--synthetic",
                str(tmp_path / "synthetic.npy"),
                "--output_dir",
                str(tmp_path),
            ]
        )
    assert exit_info.value.code == 2
    assert "`real` windows are [N, L=24, C=1] but `synthetic` windows are [N, L=16, C=1]" in capsys.readouterr().err


def test_log_returns_of_negative_levels_exit_with_the_alternative(tmp_path, capsys):
    np.save(tmp_path / "real.npy", np.random.default_rng(0).normal(size=(20, 24)))
    with pytest.raises(SystemExit):
        evaluate.main(
            [
                "--real",
                str(tmp_path / "real.npy"),
                "--synthetic",
                str(tmp_path / "real.npy"),
                "--output_dir",
                str(tmp_path),
                "--returns",
                "log",
            ]
        )
    assert "use `returns='diff'`" in capsys.readouterr().err


def test_pipeline_sources_are_recognised(tmp_path):
    (tmp_path / "model").mkdir()
    (tmp_path / "model" / "model_index.json").write_text("{}")
    (tmp_path / "plain").mkdir()
    assert evaluate._is_pipeline(str(tmp_path / "model"))
    assert not evaluate._is_pipeline(str(tmp_path / "plain"))
    assert evaluate._is_pipeline("someone/tsdw-eurusd")
    assert not evaluate._is_pipeline(str(tmp_path / "missing.csv"))


def test_a_saved_pipeline_is_sampled_in_seeded_batches(tmp_path, monkeypatch):
    calls = []

    class FakePipeline:
        channel_names = ["Close"]
        scheduler = None
        representation = types.SimpleNamespace(has_images=False, name="raw")

        def set_progress_bar_config(self, disable):
            assert disable

        def __call__(self, batch_size, num_inference_steps, generator, output_type, return_scalograms):
            assert not return_scalograms
            calls.append((batch_size, num_inference_steps, output_type))
            noise = 100 + torch.cat([torch.randn(1, 24, 1, generator=g) for g in generator]).numpy()
            return types.SimpleNamespace(series=noise, scalograms=None)

    torch = pytest.importorskip("torch")
    import ts_diffusion_wavelet.pipeline_loading as pipeline_loading

    monkeypatch.setattr(pipeline_loading, "load_pipeline", lambda source, device=None: FakePipeline())
    loaded = evaluate.sample_pipeline("someone/model", 25, 7, 10, seed=3, device="cpu")
    assert calls == [(10, 7, "np"), (10, 7, "np"), (5, 7, "np")]
    assert loaded.windows.shape == (25, 24, 1) and loaded.channel_names == ["Close"]
    again = evaluate.sample_pipeline("someone/model", 25, 7, 10, seed=3, device="cpu")
    np.testing.assert_array_equal(loaded.windows, again.windows)


def test_a_real_saved_pipeline_is_sampled_with_the_chosen_scheduler(tmp_path):
    from pipeline_fixtures import make_raw_pipeline, tiny_preprocessing

    make_raw_pipeline(tiny_preprocessing()).save_pretrained(tmp_path / "raw")
    saved = evaluate.sample_pipeline(str(tmp_path / "raw"), 6, 4, 4, seed=0, device="cpu")
    swapped = evaluate.sample_pipeline(str(tmp_path / "raw"), 6, 4, 4, seed=0, device="cpu", scheduler="ddim")
    assert "DDPMScheduler" in saved.description and "DDIMScheduler" in swapped.description
    assert saved.windows.shape == swapped.windows.shape == (6, 30, 2)
    assert np.isfinite(swapped.windows).all()
    assert not np.allclose(saved.windows, swapped.windows)  # a different sampler draws different paths


@pytest.mark.parametrize(("diffusion_space", "unet", "consistent"), [("series", "1d", True), ("image", "2d", False)])
def test_sampling_a_scalogram_pipeline_reports_the_consistency_of_its_images(
    tmp_path, diffusion_space, unet, consistent
):
    from pipeline_fixtures import make_scalogram_pipeline, tiny_preprocessing

    path = tmp_path / "scalogram"
    make_scalogram_pipeline(tiny_preprocessing(), diffusion_space=diffusion_space, unet=unet).save_pretrained(path)
    loaded = evaluate.sample_pipeline(str(path), 6, 3, 4, seed=0, device="cpu")
    generation = loaded.generation
    assert generation["representation"] == "scalogram" and generation["num_inference_steps"] == 3
    # Series-space images are the scalograms of the returned series by construction (the transform's round trip);
    # an untrained image-space model's images are scalograms of nothing.
    if consistent:
        assert generation["consistency_db"] > 60
    else:
        assert generation["consistency_db"] < 20


def test_the_report_states_the_consistency_of_generated_scalograms(tmp_path):
    from ts_diffusion_wavelet.evaluation import generate_report

    rng = np.random.default_rng(0)
    real, synthetic = rng.standard_normal((40, 16, 1)), rng.standard_normal((40, 16, 1))
    metrics = generate_report(
        real,
        synthetic,
        tmp_path,
        baselines=(),
        classifiers=False,
        two_sample=False,
        generation={"sampler": "DPMSolverMultistepScheduler", "consistency_db": 12.34},
    )
    assert metrics["meta"]["generation"]["consistency_db"] == 12.34
    assert "consistency 12.3 dB" in (tmp_path / "summary.md").read_text()
    assert "consistency 12.3 dB" in (tmp_path / "report.html").read_text()
    assert json.loads((tmp_path / "metrics.json").read_text())["meta"]["generation"]["consistency_db"] == 12.34


def test_unknown_scheduler_is_refused_by_the_parser(capsys):
    with pytest.raises(SystemExit) as raised:
        evaluate.main(["--real", "r.csv", "--synthetic", "s.npy", "--output_dir", "o", "--scheduler", "plms"])
    assert raised.value.code == 2
    assert "invalid choice: 'plms'" in capsys.readouterr().err
