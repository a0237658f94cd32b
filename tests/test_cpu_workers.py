"""The CPU chunk workers behind the fast `cwt` path."""

from __future__ import annotations

import multiprocessing
import threading
import time

import numpy as np
import pytest
import torch

from ts_diffusion_wavelet.cpu_workers import map_chunks


@pytest.fixture
def two_torch_threads():
    previous = torch.get_num_threads()
    torch.set_num_threads(2)  # map_chunks only spreads work over threads when torch has more than one
    yield
    torch.set_num_threads(previous)


@pytest.mark.parametrize("batch,chunk", [(1, 4), (10, 3), (64, 4), (7, 7)])
def test_map_chunks_visits_every_item_once(two_torch_threads, batch: int, chunk: int) -> None:
    seen = np.zeros(batch, dtype=int)
    lock = threading.Lock()

    def work(start: int, size: int, buffers: dict) -> None:
        assert 1 <= size <= chunk and start % chunk == 0
        with lock:
            seen[start : start + size] += 1

    map_chunks(batch, chunk, work)
    assert seen.tolist() == [1] * batch
    assert torch.get_num_threads() == 2  # restored after the single-threaded section


def test_map_chunks_reraises_worker_errors(two_torch_threads) -> None:
    def work(start: int, size: int, buffers: dict) -> None:
        if start == 8:
            raise RuntimeError("chunk 8 failed")

    with pytest.raises(RuntimeError, match="chunk 8 failed"):
        map_chunks(16, 4, work)
    assert torch.get_num_threads() == 2


def _map_chunks_in_child(queue) -> None:
    seen = np.zeros(32, dtype=int)

    def work(start: int, size: int, buffers: dict) -> None:
        seen[start : start + size] += 1

    map_chunks(32, 4, work)
    queue.put(seen.tolist())


@pytest.mark.skipif("fork" not in multiprocessing.get_all_start_methods(), reason="needs fork (Linux / macOS)")
def test_forked_child_starts_its_own_worker_pool(two_torch_threads) -> None:
    # A forked child inherits the parent's pool object but not its threads: work submitted to it would never run.
    # (Torch ops themselves must run single-threaded in a forked child, as DataLoader workers do; the pool is
    # exercised here with work that does not call torch.)
    map_chunks(8, 1, lambda start, size, buffers: time.sleep(0.02))  # slow chunks: the parent starts 2 threads
    context = multiprocessing.get_context("fork")
    queue = context.Queue()
    child = context.Process(target=_map_chunks_in_child, args=(queue,))
    child.start()
    child.join(timeout=30)
    if child.is_alive():
        child.kill()
        pytest.fail("map_chunks in a forked child hung: the parent's worker pool was reused")
    assert child.exitcode == 0
    assert queue.get(timeout=5) == [1] * 32
