"""
The one cache of the CWT stack: filter banks, their tensors on each device and dtype, and the scalogram's synthesis
matrices.

Everything here is a pure function of its key (wavelet, scales, length, boundary, device, dtype, regularisation,
image layout), costly to build (tabulated taps, Gram eigen-decompositions, dense operators) and reused on every
call with the same configuration. One bounded least-recently-used store holds all of it, so that one
[`clear_cache`] frees it all, host and device memory alike.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any, TypeVar

import torch

MAX_CACHE_BYTES = 1 << 29  # 512 MiB: the default scalogram's matrices (~200 MiB) and a few filter banks beside them

Value = TypeVar("Value")

_lock = threading.Lock()
_entries: OrderedDict[Hashable, tuple[Any, int]] = OrderedDict()  # key -> (value, bytes), oldest first


def nbytes(value: Any) -> int:
    """Bytes held by a tensor, a numpy array, a tuple of them, or an object with an `nbytes` attribute."""
    if isinstance(value, torch.Tensor):
        return value.numel() * value.element_size()
    if isinstance(value, (tuple, list)):
        return sum(nbytes(item) for item in value)
    return int(getattr(value, "nbytes", 0))


def cached(key: Hashable, build: Callable[[], Value]) -> Value:
    """
    The value stored under `key`, built by `build()` on first use.

    Least recently used entries are dropped once the store holds more than `MAX_CACHE_BYTES`; the newest entry
    is always kept, so a value larger than the bound is still built once, not on every call. `build` runs outside
    the lock and may itself call `cached`.
    """
    with _lock:
        if key in _entries:
            _entries.move_to_end(key)
            return _entries[key][0]
    value = build()
    with _lock:
        _entries[key] = (value, nbytes(value))
        _entries.move_to_end(key)
        while len(_entries) > 1 and sum(size for _, size in _entries.values()) > MAX_CACHE_BYTES:
            _entries.popitem(last=False)
    return value


def cached_bytes() -> int:
    """Bytes held by the cache."""
    with _lock:
        return sum(size for _, size in _entries.values())


def clear_cache() -> None:
    """Drop every cached filter bank, device copy and synthesis matrix, e.g. to free memory."""
    with _lock:
        _entries.clear()
