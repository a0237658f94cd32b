"""
A persistent pool of single-threaded chunk workers for the filter bank's CPU path.

It exists because of measurements on small (2-core) machines, where the transform itself takes 15-25 ms (2
threads) for a batch of 256 windows x 128 scales x 256 samples and the overheads around it were larger than that:
a loop of small intra-op-parallel torch ops pays a thread barrier per op, and one descheduled thread stalls every
barrier; waking torch's idle OpenMP team costs 4-12 ms. Independent single-threaded workers pulling chunks from a
shared counter have no barriers. Starting those threads on every call cost milliseconds too, so the pool lives for
the process (and is rebuilt in a forked child, where the parent's threads do not exist).
"""

from __future__ import annotations

import itertools
import os
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager

import torch

ChunkWork = Callable[[int, int, dict], None]

_pool_lock = threading.Lock()
_pool: ThreadPoolExecutor | None = None
_pool_size = 0


def _worker_pool(size: int) -> ThreadPoolExecutor:
    """The process-wide pool of chunk workers, grown to at least `size` threads."""
    global _pool, _pool_size
    with _pool_lock:
        if _pool is None or _pool_size < size:
            # A smaller pool is dropped, not shut down: a concurrent caller may still be submitting to it, and
            # its idle threads exit once it is garbage-collected.
            _pool, _pool_size = ThreadPoolExecutor(size, thread_name_prefix="tsdw-cwt"), size
        return _pool


def _forget_pool_after_fork() -> None:
    # A forked child (e.g. a DataLoader worker) inherits the executor object but not its threads: submitting to
    # it would queue work that nothing runs. Start a fresh pool on the child's first call instead.
    global _pool, _pool_size, _pool_lock, _threads_lock, _threads_users
    _pool, _pool_size = None, 0
    _pool_lock, _threads_lock, _threads_users = threading.Lock(), threading.Lock(), 0


_threads_lock = threading.Lock()
_threads_users = 0
_threads_saved = 1


@contextmanager
def single_threaded_ops() -> Iterator[int]:
    """
    Set torch's intra-op thread count to 1 and yield the previous count; concurrent callers share one save /
    restore, so the count always comes back.
    """
    global _threads_users, _threads_saved
    with _threads_lock:
        if _threads_users == 0:
            _threads_saved = torch.get_num_threads()
            torch.set_num_threads(1)
        _threads_users += 1
        threads = _threads_saved
    try:
        yield threads
    finally:
        with _threads_lock:
            _threads_users -= 1
            if _threads_users == 0:
                torch.set_num_threads(_threads_saved)


def map_chunks(batch: int, chunk: int, work: ChunkWork) -> None:
    """
    Call `work(start, size, buffers)` on every chunk of a batch, from one single-threaded worker per torch thread.

    Args:
        batch (`int`): Number of items.
        chunk (`int`): Items per call of `work` (the last call may get fewer).
        work (`Callable[[int, int, dict], None]`): Processes items `start` to `start + size`; `buffers` is a dict
            private to the calling worker, for scratch tensors reused across its chunks.
    """
    starts = range(0, batch, chunk)
    counter = itertools.count()  # next() on a count is atomic under the GIL: each chunk goes to one worker

    def worker() -> None:
        buffers: dict = {}
        while (index := next(counter)) < len(starts):
            work(starts[index], min(chunk, batch - starts[index]), buffers)

    if torch.get_num_threads() <= 1 or len(starts) <= 1:
        worker()
        return
    with single_threaded_ops() as threads:
        workers = min(threads, len(starts))
        pool = _worker_pool(workers)
        for future in [pool.submit(worker) for _ in range(workers)]:
            future.result()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_forget_pool_after_fork)
