"""The CWT stack's one cache: built once per key, bounded in bytes, least recently used dropped first, one clear."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from ts_diffusion_wavelet import cache, clear_cache, cwt
from ts_diffusion_wavelet.cache import cached, cached_bytes
from ts_diffusion_wavelet.scales import scale_grid

MIB = 1 << 20


@pytest.fixture
def empty_cache():
    clear_cache()
    yield
    clear_cache()


def block(mebibytes: int) -> torch.Tensor:
    return torch.zeros(mebibytes * MIB, dtype=torch.uint8)


def test_a_value_is_built_once_per_key(empty_cache) -> None:
    builds = []
    for _ in range(3):
        value = cached(("test", 1), lambda: builds.append(1) or np.zeros(10))
    assert len(builds) == 1 and cached(("test", 1), lambda: None) is value
    assert cached_bytes() == 80


def test_least_recently_used_entries_go_first(empty_cache, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(cache, "MAX_CACHE_BYTES", 3 * MIB)
    first = cached("first", lambda: block(1))
    cached("second", lambda: block(1))
    cached("first", lambda: None)  # used again: "second" is now the oldest
    cached("third", lambda: block(2))
    assert cached_bytes() == 3 * MIB
    assert cached("first", lambda: None) is first and cached("second", lambda: "rebuilt") == "rebuilt"


def test_a_value_larger_than_the_bound_is_kept_alone(empty_cache, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(cache, "MAX_CACHE_BYTES", 2 * MIB)
    cached("small", lambda: block(1))
    large = cached("large", lambda: block(4))
    assert cached_bytes() == 4 * MIB and cached("large", lambda: None) is large


def test_clear_cache_drops_filter_banks_and_their_device_copies(empty_cache) -> None:
    x, scales = torch.randn(2, 64), scale_grid(16, 32.0)
    cwt(x, scales, method="matmul")
    cwt(x.double(), scales, method="fft")
    assert cached_bytes() > 0
    clear_cache()
    assert cached_bytes() == 0
