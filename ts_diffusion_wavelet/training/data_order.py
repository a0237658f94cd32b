"""Data order as a pure function of (seed, epoch): sharded across processes and resumable at any batch."""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import torch
from torch.utils.data import Sampler

from ..seeding import derived_seed


class ResumableShardSampler(Sampler[int]):
    """
    Shuffles `num_samples` indices once per epoch with a seed derived from `(seed, epoch)`, gives process `rank`
    every `world_size`-th index (disjoint shards), and can start part-way through an epoch.

    Each shard is truncated to `num_batches * batch_size` indices, the same on every process, so all processes
    take the same number of optimizer steps (which DDP needs) and every step has full batches.

    Args:
        num_samples (`int`): Windows in the dataset.
        batch_size (`int`): Windows per batch per process.
        batches_per_step (`int`): Gradient-accumulation batches per optimizer step; the epoch holds a whole number.
        seed (`int`): Seed of the data order.
        rank (`int`), world_size (`int`): This process and the number of processes.
    """

    def __init__(
        self, num_samples: int, batch_size: int, batches_per_step: int, seed: int, rank: int, world_size: int
    ):
        self.num_samples = num_samples
        self.batch_size = batch_size
        self.seed = seed
        self.rank = rank
        self.world_size = world_size
        per_process = num_samples // world_size
        self.steps_per_epoch = per_process // (batch_size * batches_per_step)
        if self.steps_per_epoch < 1:
            raise ValueError(
                f"{num_samples} training windows cannot fill one optimizer step of {batch_size} windows x "
                f"{batches_per_step} accumulation batches x {world_size} processes. Lower --train_batch_size or "
                "--gradient_accumulation_steps, use a smaller --stride or --window_size, or provide a longer series."
            )
        self.num_batches = self.steps_per_epoch * batches_per_step
        self.epoch = 0
        self.start_batch = 0

    def set_epoch(self, epoch: int, start_batch: int = 0) -> None:
        """Select the epoch's order and skip its first `start_batch` batches (for resuming)."""
        self.epoch = epoch
        self.start_batch = start_batch

    def epoch_indices(self, epoch: int) -> np.ndarray:
        """This process's indices for `epoch`, in order, before any skipping."""
        generator = torch.Generator().manual_seed(derived_seed(self.seed, epoch))
        order = torch.randperm(self.num_samples, generator=generator).numpy()
        return order[self.rank :: self.world_size][: self.num_batches * self.batch_size]

    def __iter__(self) -> Iterator[int]:
        indices = self.epoch_indices(self.epoch)[self.start_batch * self.batch_size :]
        return iter(indices.tolist())

    def __len__(self) -> int:
        return (self.num_batches - self.start_batch) * self.batch_size


def batch_generator(seed: int, epoch: int, batch: int, rank: int, device: torch.device) -> torch.Generator:
    """
    A generator for one batch's noise and timesteps, seeded by its place in training rather than by global RNG
    state, so a resumed run draws exactly what the uninterrupted run would have.
    """
    return torch.Generator(device=device).manual_seed(derived_seed(seed, epoch, batch, rank, 1))
