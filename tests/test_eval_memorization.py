"""Distance to the closest record: copies, independent draws, overlapping windows, bad input."""

import numpy as np
import pytest

from ts_diffusion_wavelet.evaluation import distance_to_closest_record, sliding_windows


def _gaussian(seed: int, count: int = 600) -> np.ndarray:
    return np.random.default_rng(seed).normal(size=(count, 6, 2))


def test_copies_are_found_exactly():
    real = _gaussian(0)
    copied = real[np.random.default_rng(1).permutation(len(real))[:200]]
    dcr = distance_to_closest_record(real, copied, exclude_neighbours=1)
    assert dcr["exact_copies"] == 200
    assert dcr["synthetic_median"] == 0.0 and dcr["ratio"] == 0.0
    assert dcr["share_closer_than_real_p5"] == 1.0


def test_independent_draws_sit_as_far_as_real_windows_from_each_other():
    dcr = distance_to_closest_record(_gaussian(0), _gaussian(1), exclude_neighbours=1)
    assert dcr["exact_copies"] == 0
    assert 0.9 < dcr["ratio"] < 1.1
    assert 0.01 < dcr["share_closer_than_real_p5"] < 0.12  # 0.05 expected


def test_noisy_copies_are_closer_than_real_neighbours():
    real = _gaussian(0)
    noisy = real + 0.05 * np.random.default_rng(2).normal(size=real.shape)
    dcr = distance_to_closest_record(real, noisy, exclude_neighbours=1)
    assert dcr["exact_copies"] == 0
    assert dcr["ratio"] < 0.2 and dcr["share_closer_than_real_p5"] > 0.9


def test_overlapping_windows_are_not_each_others_neighbours():
    walk = np.cumsum(0.5 + np.random.default_rng(3).normal(size=(3000, 1)), axis=0)  # drifts: levels never recur
    real = sliding_windows(walk, 24, stride=1)
    shifted = distance_to_closest_record(real, real[:10] + 1e-3, exclude_neighbours=1)
    apart = distance_to_closest_record(real, real[:10] + 1e-3)  # default: skip the 24 overlapping neighbours
    assert apart["exclude_neighbours"] == 24
    assert apart["real_median"] > 5 * shifted["real_median"]  # a window shifted by one step is nearly itself


def test_query_count_is_capped_and_seeded():
    real, synthetic = _gaussian(0), _gaussian(1)
    first = distance_to_closest_record(real, synthetic, exclude_neighbours=1, max_queries=50, seed=4)
    again = distance_to_closest_record(real, synthetic, exclude_neighbours=1, max_queries=50, seed=4)
    assert first == again and first["num_synthetic_queries"] == 50 and first["num_real"] == 600


@pytest.mark.parametrize(
    "kwargs,message",
    [
        ({"exclude_neighbours": 0}, r"`exclude_neighbours` must be at least 1 .* got 0"),
        ({"exclude_neighbours": 300}, r"600 real windows leave no neighbours .* smaller `exclude_neighbours`"),
        ({"max_queries": 0}, r"`max_queries` must be a positive number of windows, got 0"),
    ],
)
def test_bad_arguments_are_refused_with_the_fix(kwargs, message):
    with pytest.raises(ValueError, match=message):
        distance_to_closest_record(_gaussian(0), _gaussian(1), **kwargs)


def test_mismatched_layouts_are_refused():
    with pytest.raises(ValueError, match="channel"):
        distance_to_closest_record(_gaussian(0), np.zeros((10, 6, 3)))
