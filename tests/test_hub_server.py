"""The loopback Hub (tests/hub_server.py) against huggingface_hub's real client: what the sharing tests rely on."""

from __future__ import annotations

import pytest
from conftest import HUB_ORG, HUB_USER, READ_TOKEN, WRITE_TOKEN
from huggingface_hub import HfApi, hf_hub_download, snapshot_download
from huggingface_hub.errors import (
    EntryNotFoundError,
    HfHubHTTPError,
    LocalEntryNotFoundError,
    RepositoryNotFoundError,
    RevisionNotFoundError,
)


@pytest.fixture
def api(hub) -> HfApi:
    return HfApi(endpoint=hub.url, token=WRITE_TOKEN)


def _upload(api: HfApi, repo_id: str, folder, **kwargs):
    return api.upload_folder(repo_id=repo_id, folder_path=folder, **kwargs)


def test_endpoint_and_cache_are_isolated(hub, tmp_path):
    from huggingface_hub import constants

    assert constants.ENDPOINT == hub.url
    assert constants.HF_HUB_CACHE.startswith(constants.HF_HOME)
    assert "tsdw-test-hf-home-" in constants.HF_HOME
    assert constants.HF_HUB_DISABLE_TELEMETRY


def test_create_upload_download_round_trip(api, hub, tmp_path):
    folder = tmp_path / "upload"
    (folder / "sub").mkdir(parents=True)
    (folder / "a.txt").write_text("hello")
    (folder / "sub" / "b.bin").write_bytes(bytes(range(256)) * 40)

    url = api.create_repo("round-trip")  # no namespace: the token's user
    assert url.repo_id == f"{HUB_USER}/round-trip"
    api.create_repo(f"{HUB_USER}/round-trip", exist_ok=True)  # 409 swallowed
    commit = _upload(api, url.repo_id, folder, commit_message="add files")
    assert len(commit.oid) == 40

    info = api.model_info(url.repo_id, files_metadata=True)
    assert info.sha == commit.oid
    assert {s.rfilename for s in info.siblings} >= {"a.txt", "sub/b.bin"}
    assert {s.rfilename: s.size for s in info.siblings}["sub/b.bin"] == 10240

    listed = {entry.path for entry in api.list_repo_tree(url.repo_id, recursive=True)}
    assert {"a.txt", "sub", "sub/b.bin"} <= listed
    assert {entry.path for entry in api.list_repo_tree(url.repo_id)} >= {"a.txt", "sub"}
    assert "sub/b.bin" not in {entry.path for entry in api.list_repo_tree(url.repo_id)}

    path = hf_hub_download(url.repo_id, "sub/b.bin", cache_dir=tmp_path / "cache")
    assert open(path, "rb").read() == bytes(range(256)) * 40
    snapshot = snapshot_download(url.repo_id, cache_dir=tmp_path / "cache2")
    assert open(f"{snapshot}/a.txt").read() == "hello"
    assert f"/snapshots/{commit.oid}" in snapshot
    assert hub.unhandled == []


def test_unchanged_files_are_skipped_and_old_commits_stay_readable(api, hub, tmp_path):
    folder = tmp_path / "upload"
    folder.mkdir()
    (folder / "a.txt").write_text("one")
    (folder / "b.txt").write_text("same")
    repo_id = api.create_repo("history").repo_id
    first = _upload(api, repo_id, folder)
    (folder / "a.txt").write_text("two")
    second = _upload(api, repo_id, folder)

    commit_posts = [r for r in hub.requests if r[0] == "POST" and "/commit/" in r[1]]
    assert len(commit_posts) == 2
    assert hub.files(repo_id)["a.txt"] == b"two"
    old = hf_hub_download(repo_id, "a.txt", revision=first.oid, cache_dir=tmp_path / "cache")
    assert open(old).read() == "one"
    assert second.oid != first.oid


def test_broken_off_download_resumes_with_a_range_request(hub, tmp_path):
    data = bytes(range(256)) * (11 * 4096)  # 11 MiB: the client hands on data in 10 MiB chunks
    hub.add_repo(f"{HUB_USER}/ranged", {"data.bin": data})
    hub.cut_next_download(after_bytes=10_500_000)
    path = hf_hub_download(f"{HUB_USER}/ranged", "data.bin", cache_dir=tmp_path)
    assert open(path, "rb").read() == data
    assert [status for method, _, status in hub.requests if method == "GET"] == [200, 206]


def test_pull_request_commit(api, hub, tmp_path):
    folder = tmp_path / "upload"
    folder.mkdir()
    (folder / "a.txt").write_text("proposal")
    repo_id = api.create_repo("prs").repo_id
    commit = _upload(api, repo_id, folder, create_pr=True)
    assert commit.pr_url is not None and commit.pr_revision == "refs/pr/1"
    assert "a.txt" not in hub.files(repo_id)
    assert hub.files(repo_id, "refs/pr/1")["a.txt"] == b"proposal"


def test_missing_repo_file_and_revision(api, hub, tmp_path):
    hub.add_repo(f"{HUB_USER}/present", {"a.txt": "x"})
    with pytest.raises(RepositoryNotFoundError):
        hf_hub_download(f"{HUB_USER}/absent", "a.txt", cache_dir=tmp_path)
    with pytest.raises(RepositoryNotFoundError):
        hf_hub_download(f"{HUB_USER}/absent", "a.txt", cache_dir=tmp_path, token=WRITE_TOKEN)
    with pytest.raises(EntryNotFoundError):
        hf_hub_download(f"{HUB_USER}/present", "b.txt", cache_dir=tmp_path)
    with pytest.raises(RevisionNotFoundError):
        hf_hub_download(f"{HUB_USER}/present", "a.txt", revision="nope", cache_dir=tmp_path)
    with pytest.raises(RepositoryNotFoundError):
        api.model_info(f"{HUB_USER}/absent")


def test_private_repo_needs_a_token_of_its_namespace(hub, tmp_path):
    hub.add_repo(f"{HUB_ORG}/secret", {"a.txt": "x"}, private=True)
    with pytest.raises(RepositoryNotFoundError):
        hf_hub_download(f"{HUB_ORG}/secret", "a.txt", cache_dir=tmp_path)
    path = hf_hub_download(f"{HUB_ORG}/secret", "a.txt", cache_dir=tmp_path, token=READ_TOKEN)
    assert open(path).read() == "x"


def test_wrong_token_is_told_apart_from_a_missing_repo(hub, tmp_path):
    api = HfApi(endpoint=hub.url, token="hf_wrong")
    with pytest.raises(HfHubHTTPError) as raised:
        api.create_repo("anything", exist_ok=True)
    assert raised.value.response.status_code == 401
    assert not isinstance(raised.value, RepositoryNotFoundError)
    assert "Invalid credentials" in str(raised.value)


def test_write_permissions(hub, tmp_path):
    folder = tmp_path / "upload"
    folder.mkdir()
    (folder / "a.txt").write_text("x")
    with pytest.raises(HfHubHTTPError) as raised:  # read-only token
        HfApi(endpoint=hub.url, token=READ_TOKEN).create_repo("readonly")
    assert raised.value.response.status_code == 403
    with pytest.raises(HfHubHTTPError) as raised:  # someone else's namespace
        HfApi(endpoint=hub.url, token=WRITE_TOKEN).create_repo("someone-else/model")
    assert raised.value.response.status_code == 403
    hub.add_repo(f"{HUB_USER}/existing", {"a.txt": "x"})
    with pytest.raises(RepositoryNotFoundError):  # anonymous commit: what the client makes of the Hub's 401
        HfApi(endpoint=hub.url, token=False).upload_folder(repo_id=f"{HUB_USER}/existing", folder_path=folder)
    with pytest.raises(HfHubHTTPError) as raised:
        HfApi(endpoint=hub.url, token=READ_TOKEN).upload_folder(repo_id=f"{HUB_USER}/existing", folder_path=folder)
    assert raised.value.response.status_code == 403


def test_unreachable_falls_back_to_the_cache(hub, hub_down, tmp_path):
    hub.add_repo(f"{HUB_USER}/cached", {"a.txt": "x"})
    cache = tmp_path / "cache"
    hf_hub_download(f"{HUB_USER}/cached", "a.txt", cache_dir=cache)
    with hub_down():
        assert open(hf_hub_download(f"{HUB_USER}/cached", "a.txt", cache_dir=cache)).read() == "x"
        with pytest.raises(LocalEntryNotFoundError):
            hf_hub_download(f"{HUB_USER}/cached", "a.txt", cache_dir=tmp_path / "empty")
    assert open(hf_hub_download(f"{HUB_USER}/cached", "a.txt", cache_dir=tmp_path / "again")).read() == "x"


def test_model_card_metadata_is_served(api, hub):
    from huggingface_hub import ModelCard, ModelCardData

    card = ModelCard.from_template(ModelCardData(library_name="diffusers", tags=["time-series"]))
    card.validate()
    repo_id = api.create_repo("carded").repo_id
    card.push_to_hub(repo_id, token=WRITE_TOKEN)
    info = api.model_info(repo_id)
    assert info.library_name == "diffusers"
    assert "time-series" in info.tags
    assert ModelCard.load(repo_id).data.library_name == "diffusers"
    assert hub.unhandled == []
