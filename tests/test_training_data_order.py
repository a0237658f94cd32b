"""Data order as a function of (seed, epoch): disjoint shards, equal step counts, exact resume mid-epoch."""

import numpy as np
import pytest
import torch

from ts_diffusion_wavelet.training.data_order import ResumableShardSampler, batch_generator


def test_shards_are_disjoint_and_equal_in_size():
    shards = [ResumableShardSampler(103, 4, 2, seed=7, rank=r, world_size=3) for r in range(3)]
    indices = [set(s.epoch_indices(0).tolist()) for s in shards]
    assert all(len(i) == 32 for i in indices)  # 103 // 3 = 34 per process -> 4 whole steps of 4 x 2 windows
    assert not (indices[0] & indices[1]) and not (indices[1] & indices[2]) and not (indices[0] & indices[2])
    assert {s.steps_per_epoch for s in shards} == {4}


def test_each_epoch_has_its_own_order_and_the_same_seed_repeats_it():
    sampler = ResumableShardSampler(50, 5, 1, seed=3, rank=0, world_size=1)
    again = ResumableShardSampler(50, 5, 1, seed=3, rank=0, world_size=1)
    assert not np.array_equal(sampler.epoch_indices(0), sampler.epoch_indices(1))
    np.testing.assert_array_equal(sampler.epoch_indices(1), again.epoch_indices(1))


def test_resuming_mid_epoch_yields_the_rest_of_the_same_order():
    sampler = ResumableShardSampler(40, 4, 1, seed=0, rank=0, world_size=1)
    sampler.set_epoch(2)
    full = list(sampler)
    sampler.set_epoch(2, start_batch=3)
    assert list(sampler) == full[12:]
    assert len(sampler) == len(full) - 12


def test_too_few_windows_for_one_step_names_the_fix():
    with pytest.raises(
        ValueError, match=r"10 training windows cannot fill one optimizer step of 4 windows x 2 .* x 2 processes"
    ):
        ResumableShardSampler(10, 4, 2, seed=0, rank=0, world_size=2)


def test_batch_generator_depends_only_on_its_place_in_training():
    device = torch.device("cpu")
    first = torch.randn(3, generator=batch_generator(0, 1, 5, 0, device))
    torch.manual_seed(123)  # global RNG state must not matter
    assert torch.equal(first, torch.randn(3, generator=batch_generator(0, 1, 5, 0, device)))
    assert not torch.equal(first, torch.randn(3, generator=batch_generator(0, 1, 5, 1, device)))
    assert not torch.equal(first, torch.randn(3, generator=batch_generator(0, 1, 6, 0, device)))
