"""
Large CPU output tensors for the filter bank: huge-page backed, and recycled once the caller drops them.

Why: a transform's result (33 MB for 256 windows x 128 scales x 256 samples in float32) is larger than glibc's
mmap threshold, so every call gets fresh pages from the kernel and faults them in on first write. Measured on a
2-core VM: 4 KiB pages cost 30 ms to allocate and fill (the transform itself is 15-25 ms); transparent huge pages
(numpy madvises them for arrays from 4 MiB) brought that to ~5 ms in a tight loop, yet a cwt call right after
other work still took 46 ms with a fresh output against 31-36 ms with a reused one. A block the caller has
dropped is already faulted in, so the next output of the same size reuses it: the same idea as torch's CUDA
caching allocator, bounded by `MAX_CACHED_BYTES` and emptied by `clear_output_cache`.

A block goes back to the cache only when the numpy array that owns the tensor's storage is garbage-collected,
i.e. after the returned tensor and every view of it (torch or numpy) are gone, so reuse never aliases live data.
"""

from __future__ import annotations

import os
import threading
import weakref

import numpy as np
import torch

HUGE_PAGE_MIN_BYTES = 1 << 22  # numpy madvises huge pages from 4 MiB; below that torch's allocator is as fast.
MAX_CACHED_BYTES = 1 << 28  # idle blocks kept for reuse (256 MiB), oldest dropped first.
_NUMPY_DTYPES = {torch.float32: np.float32, torch.float64: np.float64}

_cache_lock = threading.Lock()
_free_blocks: list[np.ndarray] = []  # idle uint8 blocks, oldest first


def _take_block(nbytes: int) -> np.ndarray:
    """An idle block of exactly `nbytes` (most recently freed first), or a new one."""
    with _cache_lock:
        for index in reversed(range(len(_free_blocks))):
            if _free_blocks[index].nbytes == nbytes:
                return _free_blocks.pop(index)
    return np.empty(nbytes, dtype=np.uint8)


def _give_back(block: np.ndarray) -> None:
    if block.nbytes > MAX_CACHED_BYTES:
        return
    with _cache_lock:
        _free_blocks.append(block)
        while sum(idle.nbytes for idle in _free_blocks) > MAX_CACHED_BYTES:
            _free_blocks.pop(0)


def cached_output_bytes() -> int:
    """Bytes held by idle output blocks waiting for reuse."""
    with _cache_lock:
        return sum(block.nbytes for block in _free_blocks)


def clear_output_cache() -> None:
    """Return every idle output block to the system."""
    with _cache_lock:
        _free_blocks.clear()


def empty_output(shape: tuple[int, ...], dtype: torch.dtype, device: torch.device | str = "cpu") -> torch.Tensor:
    """
    An uninitialised tensor for a transform's result; large float ones on the CPU are huge-page backed and recycled.

    Args:
        shape (`tuple[int, ...]`): The tensor's shape.
        dtype (`torch.dtype`): float32 or float64 of at least `HUGE_PAGE_MIN_BYTES` on the CPU take the cached
            huge-page path; anything else is a plain `torch.empty`.
        device (`torch.device` or `str`, defaults to `"cpu"`): Where the tensor lives (other devices keep their
            own caching allocators).

    Returns:
        `torch.Tensor`: A regular, contiguous, writable tensor (its storage is owned by a numpy array when large
        on the CPU). Its contents are arbitrary: the caller writes every element.
    """
    numpy_dtype = _NUMPY_DTYPES.get(dtype)
    nbytes = int(np.prod(shape)) * dtype.itemsize
    if torch.device(device).type != "cpu" or numpy_dtype is None or nbytes < HUGE_PAGE_MIN_BYTES:
        return torch.empty(shape, dtype=dtype, device=device)
    block = _take_block(nbytes)
    array = block.view(numpy_dtype).reshape(shape)
    # `array` owns the tensor's storage (torch holds a reference to it); when it dies, nothing can see `block`.
    finalizer = weakref.finalize(array, _give_back, block)
    finalizer.atexit = False
    return torch.from_numpy(array)


def _reset_after_fork() -> None:
    # Another thread may have held the lock at fork time; the child's copies of idle blocks are copy-on-write
    # and would be faulted in again anyway, so the child starts empty.
    global _cache_lock, _free_blocks
    _cache_lock, _free_blocks = threading.Lock(), []


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_reset_after_fork)
