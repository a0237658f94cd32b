"""
Test-session setup shared by every test module.

Hub isolation (first, before anything imports `huggingface_hub` or `diffusers`, which read these variables at
import time): the whole session talks to a loopback Hub (`tests/hub_server.py`) on a free 127.0.0.1 port, with
its cache and token store in a temporary `HF_HOME`, no telemetry and no Xet. Tokens and caches from the
developer's environment are dropped, so no test can reach or write to the real Hub, and `HUGGINGFACE_CO_STAGING`
(which in huggingface_hub 2.4 overrides `HF_ENDPOINT`) is removed. Tests that need a clean server take the
`hub` fixture; the one real-Hub test runs in a subprocess with its own environment.
"""

from __future__ import annotations

import atexit
import contextlib
import os
import shutil
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))  # tests/ helpers (hub_server) importable by name

from hub_server import Account, HubServer  # noqa: E402  (standard library only)

for _name in ("huggingface_hub", "diffusers"):
    if _name in sys.modules:
        raise RuntimeError(
            f"{_name} was imported before tests/conftest.py could point it at the test Hub; "
            "its endpoint and cache would be the real ones. Find the plugin or import that loads it early."
        )

HUB_USER = "tester"
HUB_ORG = "tsdw-org"
WRITE_TOKEN = "hf_test_write_token"
READ_TOKEN = "hf_test_read_token"

HUB_SERVER = HubServer(
    {
        WRITE_TOKEN: Account(HUB_USER, orgs=(HUB_ORG,)),
        READ_TOKEN: Account(HUB_USER, orgs=(HUB_ORG,), can_write=False),
    }
).start()
atexit.register(HUB_SERVER.stop)

_HF_HOME = tempfile.mkdtemp(prefix="tsdw-test-hf-home-")
atexit.register(shutil.rmtree, _HF_HOME, ignore_errors=True)

for _name in (
    "HUGGINGFACE_CO_STAGING",
    "HF_TOKEN",
    "HUGGING_FACE_HUB_TOKEN",
    "HF_TOKEN_PATH",
    "HF_STORED_TOKENS_PATH",
    "HF_OIDC_RESOURCE",
    "HF_HUB_CACHE",
    "HUGGINGFACE_HUB_CACHE",
    "HF_XET_CACHE",
    "HF_ASSETS_CACHE",
    "HF_MODULES_CACHE",
    "HF_DATASETS_CACHE",
    "HF_HUB_OFFLINE",
    "TRANSFORMERS_OFFLINE",
    "HF_DATASETS_OFFLINE",
    "DIFFUSERS_CACHE",
):
    os.environ.pop(_name, None)
os.environ.update(
    {
        "HF_ENDPOINT": HUB_SERVER.url,
        "HF_HOME": _HF_HOME,
        "HF_HUB_DISABLE_TELEMETRY": "1",
        "HF_HUB_DISABLE_XET": "1",
        "HF_HUB_DISABLE_PROGRESS_BARS": "1",
    }
)

import time  # noqa: E402
from collections.abc import Callable, Iterator  # noqa: E402

import pytest  # noqa: E402

pytest_plugins = ["pipeline_fixtures", "anomaly_fixtures"]  # tiny seeded pipelines; a tiny model of a sine


@pytest.fixture(scope="session", autouse=True)
def one_torch_thread() -> Iterator[None]:
    """Tiny models run fastest on one thread; more threads only wait for each other (75x on a busy 2-core box)."""
    import torch

    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


@pytest.fixture
def hub() -> HubServer:
    """The session's loopback Hub, emptied for this test (no repos, no logged requests)."""
    HUB_SERVER.reset()
    return HUB_SERVER


@pytest.fixture
def hub_down(hub, monkeypatch) -> Callable[[], contextlib.AbstractContextManager[None]]:
    """
    `with hub_down():` the network is down (the test Hub's port is closed). With nothing cached the client
    retries for about 20 s before giving up; the waits between its retries are skipped here.
    """
    from huggingface_hub.utils import _http

    class _NoWait:
        def __getattr__(self, name):
            return getattr(time, name)

        @staticmethod
        def sleep(seconds: float) -> None:
            pass

    @contextlib.contextmanager
    def down() -> Iterator[None]:
        with monkeypatch.context() as patch, hub.unreachable():
            patch.setattr(_http, "time", _NoWait())
            yield

    return down
