"""Large CPU outputs of the fast `cwt` path: huge-page backed, recycled only once nothing can see them."""

from __future__ import annotations

import gc
import multiprocessing

import numpy as np
import pytest
import torch

from ts_diffusion_wavelet import cpu_outputs
from ts_diffusion_wavelet.cpu_outputs import HUGE_PAGE_MIN_BYTES, cached_output_bytes, clear_output_cache, empty_output

LARGE = (HUGE_PAGE_MIN_BYTES // 4 // 64, 64)  # float32: exactly the huge-page threshold


@pytest.fixture(autouse=True)
def empty_cache():
    clear_output_cache()
    yield
    clear_output_cache()


@pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
def test_large_output_is_a_regular_writable_tensor(dtype: torch.dtype) -> None:
    shape = (HUGE_PAGE_MIN_BYTES // dtype.itemsize // 64 + 1, 64)
    out = empty_output(shape, dtype)
    assert out.shape == shape and out.dtype == dtype and out.is_contiguous()
    out.fill_(3.0)
    assert float(out.sum()) == 3.0 * out.numel()
    shared = out.clone().share_memory_()  # what a DataLoader worker does with a returned tensor
    assert torch.equal(shared, out)


def test_only_large_float_outputs_leave_torch_allocator() -> None:
    # numpy-owned storage is the one torch cannot resize: a cheap way to see which allocator served the tensor
    assert not empty_output(LARGE, torch.float32).untyped_storage().resizable()
    assert empty_output((4, 4), torch.float32).untyped_storage().resizable()
    big_complex = empty_output((HUGE_PAGE_MIN_BYTES,), torch.complex64)
    assert big_complex.dtype == torch.complex64 and big_complex.untyped_storage().resizable()
    on_meta = empty_output(LARGE, torch.float32, "meta")  # any other device: its own allocator
    assert on_meta.device.type == "meta" and on_meta.shape == LARGE


def test_dropped_output_is_reused_for_the_next_one_of_its_size() -> None:
    first = empty_output(LARGE, torch.float32)
    address = first.data_ptr()
    del first
    gc.collect()
    assert cached_output_bytes() == HUGE_PAGE_MIN_BYTES
    again = empty_output(LARGE, torch.float32)
    assert again.data_ptr() == address and cached_output_bytes() == 0
    other_size = empty_output((LARGE[0] + 1, 64), torch.float32)
    assert other_size.data_ptr() != address


@pytest.mark.parametrize("keep", ["torch view", "numpy view", "reshaped slice"])
def test_output_with_a_live_view_is_never_reused(keep: str) -> None:
    out = empty_output(LARGE, torch.float32)
    out.fill_(7.0)
    if keep == "torch view":
        view = out[1:]
    elif keep == "numpy view":
        view = out.numpy()
    else:
        view = out.view(-1)[10:20]
    address = out.data_ptr()
    del out
    gc.collect()
    assert cached_output_bytes() == 0
    fresh = empty_output(LARGE, torch.float32)
    assert fresh.data_ptr() != address
    fresh.fill_(-1.0)
    assert float(np.asarray(view).min()) == 7.0  # the held data was not overwritten


def test_cache_is_bounded_and_can_be_emptied(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(cpu_outputs, "MAX_CACHED_BYTES", 2 * HUGE_PAGE_MIN_BYTES)
    outputs = [empty_output(LARGE, torch.float32) for _ in range(3)]
    addresses = [out.data_ptr() for out in outputs]
    del outputs
    gc.collect()
    assert cached_output_bytes() == 2 * HUGE_PAGE_MIN_BYTES  # the oldest freed block was dropped
    reused = empty_output(LARGE, torch.float32)
    assert reused.data_ptr() in addresses and cached_output_bytes() == HUGE_PAGE_MIN_BYTES
    clear_output_cache()
    assert cached_output_bytes() == 0


def _report_cache_in_child(queue) -> None:
    queue.put(cached_output_bytes())


@pytest.mark.skipif("fork" not in multiprocessing.get_all_start_methods(), reason="needs fork (Linux / macOS)")
def test_forked_child_starts_with_an_empty_cache() -> None:
    output = empty_output(LARGE, torch.float32)
    del output
    gc.collect()
    assert cached_output_bytes() == HUGE_PAGE_MIN_BYTES
    context = multiprocessing.get_context("fork")
    queue = context.Queue()
    child = context.Process(target=_report_cache_in_child, args=(queue,))
    child.start()
    child.join(timeout=30)
    assert queue.get(timeout=5) == 0
