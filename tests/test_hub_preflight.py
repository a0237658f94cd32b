"""
The Hub settings of a training run are checked before its first step (hub/preflight.py), against the loopback Hub
of tests/hub_server.py and huggingface_hub's real client: an invalid repo id, a token that cannot write to the
namespace, a read-only or rejected token, and an unreachable Hub each fail in seconds with the reason, and the
check creates nothing on the Hub.
"""

from __future__ import annotations

import pytest
from conftest import HUB_ORG, HUB_USER, READ_TOKEN, WRITE_TOKEN

from ts_diffusion_wavelet.hub.preflight import check_hub_settings, check_hub_write_access, check_repo_id
from ts_diffusion_wavelet.training.checkpointing import list_checkpoints


@pytest.mark.parametrize("repo_id", ["../../etc/evil", "user/name/extra", "a--b/c", "user/name.git", "", "x" * 97])
def test_invalid_repo_ids_are_refused_offline_with_the_id(repo_id, hub):
    with pytest.raises(ValueError, match="is not a Hub repo id") as caught:
        check_hub_settings(False, repo_id, None)
    assert repr(repo_id) in str(caught.value) and "'your-name/model-name'" in str(caught.value)
    assert hub.requests == []  # the id is judged before any request


def test_valid_repo_ids_pass():
    assert check_repo_id(f"{HUB_USER}/eurusd-diffusion") == f"{HUB_USER}/eurusd-diffusion"
    assert check_hub_settings(False, "name-only", None) is None  # nothing to push: no request, no token needed


@pytest.mark.parametrize(
    ("repo_id", "expected"),
    [
        (f"{HUB_USER}/model", f"{HUB_USER}/model"),
        (f"{HUB_ORG}/model", f"{HUB_ORG}/model"),
        ("model", f"{HUB_USER}/model"),
    ],
)
def test_a_write_token_may_push_to_its_namespaces_and_nothing_is_created(hub, repo_id, expected):
    assert check_hub_write_access(repo_id, WRITE_TOKEN) == expected
    assert hub.state.repos == {}  # whoami only: no empty repo is left behind when training then fails
    assert [path for _, path, _ in hub.requests] == ["/api/whoami-v2"]


def test_a_namespace_the_token_cannot_write_to_is_refused_with_the_choices(hub):
    with pytest.raises(ValueError) as caught:
        check_hub_write_access("someone-else/model", WRITE_TOKEN)
    assert str(caught.value) == (
        f"The Hub token of {HUB_USER!r} cannot write to the namespace 'someone-else', so pushing to "
        f"'someone-else/model' would fail after training. Use a namespace it may write to ('{HUB_USER}/model', "
        f"'{HUB_ORG}/model'), or a token of a member of 'someone-else' with write access."
    )


def test_read_only_rejected_and_missing_tokens_are_refused(hub):
    with pytest.raises(ValueError, match=f"The Hub token of {HUB_USER!r} is read-only, so it cannot push to"):
        check_hub_write_access(f"{HUB_USER}/model", READ_TOKEN)
    with pytest.raises(ValueError, match=r"The Hub rejected the token \(401, invalid credentials\)"):
        check_hub_write_access(f"{HUB_USER}/model", "hf_not_a_token")
    with pytest.raises(ValueError, match="needs a Hub token, and none was given or found"):
        check_hub_write_access(f"{HUB_USER}/model", None)


def test_an_unreachable_hub_is_an_os_error(hub_down):
    with hub_down(), pytest.raises(OSError, match="Cannot reach the Hub to check the token"):
        check_hub_write_access(f"{HUB_USER}/model", WRITE_TOKEN)


def test_push_needs_a_repo_id():
    with pytest.raises(ValueError, match="--push_to_hub needs --hub_model_id"):
        check_hub_settings(True, None, WRITE_TOKEN)


@pytest.mark.parametrize(
    ("repo_id", "message"),
    [
        ("../../etc/evil", "--hub_model_id '../../etc/evil' is not a Hub repo id"),
        ("someone-else/model", f"The Hub token of {HUB_USER!r} cannot write to the namespace 'someone-else'"),
    ],
)
def test_train_command_fails_before_the_first_step(hub, tmp_path, capsys, repo_id, message):
    from ts_diffusion_wavelet.cli.train import main

    output_dir = tmp_path / "run"
    arguments = ["--representation", "raw", "--model_preset", "tiny", "--window_size", "32", "--max_train_steps", "1"]
    arguments += ["--output_dir", str(output_dir), "--logger", "none"]
    arguments += ["--push_to_hub", "true", "--hub_model_id", repo_id, "--hub_token", WRITE_TOKEN]
    assert main(arguments) == 2
    error = capsys.readouterr().err
    assert error.startswith("error: ") and message in error
    assert not list_checkpoints(output_dir) and not (output_dir / "pipeline").exists()
    assert hub.state.repos == {}
