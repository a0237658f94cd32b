"""Post-hoc GRU scores: known answers with small iteration counts, the univariate variant, the summary statistics."""

import numpy as np
import pytest
import torch
from scipy import stats

from ts_diffusion_wavelet.evaluation import (
    default_hidden_size,
    discriminative_score,
    discriminative_scores,
    predictive_score,
    predictive_scores,
    summarize_repeats,
)
from ts_diffusion_wavelet.evaluation.grouped_gru import GroupedGRU

RNG = np.random.default_rng(0)
NOISE = RNG.standard_normal((300, 16))


def _ar1(phi, shape, seed):
    rng = np.random.default_rng(seed)
    x = np.zeros(shape)
    shocks = rng.standard_normal(shape)
    for t in range(1, shape[1]):
        x[:, t] = phi * x[:, t - 1] + shocks[:, t]
    return x


def test_grouped_gru_equals_torch_gru_for_every_group():
    torch.manual_seed(0)
    model = GroupedGRU(3, 2, 4, 1)
    x = torch.randn(3, 5, 7, 2)
    for g in range(3):
        reference = torch.nn.GRU(2, 4, batch_first=True)
        with torch.no_grad():
            reference.weight_ih_l0.copy_(model.weight_ih[g].T)
            reference.weight_hh_l0.copy_(model.weight_hh[g].T)
            reference.bias_ih_l0.copy_(model.bias_ih[g, 0])
            reference.bias_hh_l0.copy_(model.bias_hh[g, 0])
            states, last = reference(x[g])
            expected = states @ model.head_weight[g] + model.head_bias[g]
            torch.testing.assert_close(model(x, sequence=True)[g], expected)
            torch.testing.assert_close(model(x)[g], last[-1] @ model.head_weight[g] + model.head_bias[g])


def test_identical_sets_are_indistinguishable_and_shifted_ones_separable():
    scores = discriminative_scores(NOISE, {"same": NOISE, "shifted": NOISE + 3.0}, iterations=300, repeats=3)
    assert scores["same"]["mean"] < 0.1  # 60 + 60 test windows: chance alone moves accuracy by about 0.05
    assert scores["shifted"]["mean"] > 0.4
    assert len(scores["shifted"]["values"]) == 3 and scores["shifted"]["hidden_size"] == 4


def test_discriminative_score_is_seeded():
    first = discriminative_score(NOISE, NOISE * 1.5, iterations=20, repeats=2, seed=3)
    second = discriminative_score(NOISE, NOISE * 1.5, iterations=20, repeats=2, seed=3)
    assert first["values"] == second["values"]


def test_predictive_score_is_lower_when_the_training_data_is_predictable_like_the_real_data():
    real = _ar1(0.95, (300, 16), seed=1)
    candidates = {"like_real": _ar1(0.95, (300, 16), seed=2), "noise": NOISE}
    scores = predictive_scores(
        real, candidates, iterations=300, repeats=2, learning_rate=1e-2
    )  # a larger step for speed
    assert all(np.isfinite(s["mean"]) for s in scores.values())
    assert scores["like_real"]["mean"] < scores["noise"]["mean"] - 0.03
    assert scores["like_real"]["mode"] == "autoregressive"


def test_predictive_score_uses_the_timegan_protocol_for_several_channels():
    windows = RNG.standard_normal((40, 8, 4))
    score = predictive_score(windows, windows, iterations=5, repeats=1)
    assert score["mode"] == "timegan" and score["hidden_size"] == 2 and score["std"] is None


def test_timegan_predictor_needs_two_channels():
    with pytest.raises(
        ValueError, match=r"`mode='timegan'` predicts one channel from the others .* use `mode='autoregressive'`"
    ):
        predictive_score(NOISE, NOISE, iterations=1, repeats=1, mode="timegan")


def test_iteration_counts_are_checked():
    with pytest.raises(ValueError, match=r"`iterations` must be a positive integer, got 0"):
        discriminative_score(NOISE, NOISE, iterations=0)


def test_candidates_smaller_than_a_batch_train_beside_larger_ones():
    scores = discriminative_scores(NOISE, {"large": NOISE, "small": NOISE[:20]}, iterations=5, repeats=1)
    assert set(scores) == {"large", "small"}


def test_default_hidden_size_follows_the_paper_except_for_one_channel():
    assert [default_hidden_size(c) for c in (1, 2, 5, 6, 28)] == [4, 1, 2, 3, 14]


def test_summary_of_repeats_is_diffusion_ts_display_scores():
    values = [0.1, 0.12, 0.08, 0.11, 0.09]
    summary = summarize_repeats(values)
    assert summary["mean"] == pytest.approx(0.1)
    assert summary["std"] == pytest.approx(np.std(values, ddof=1))
    assert summary["ci95"] == pytest.approx(stats.sem(values) * stats.t.ppf(0.975, 4))
