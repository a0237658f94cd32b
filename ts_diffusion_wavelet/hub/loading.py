"""Reading a pipeline's index from the Hub, with the errors a user meets said plainly."""

from __future__ import annotations

import json
from typing import Any

from huggingface_hub import constants, hf_hub_download
from huggingface_hub.errors import (
    EntryNotFoundError,
    GatedRepoError,
    HfHubHTTPError,
    LocalEntryNotFoundError,
    RepositoryNotFoundError,
    RevisionNotFoundError,
)

_DOWNLOAD_KWARGS = ("revision", "token", "cache_dir", "local_files_only")


def read_remote_model_index(repo_id: str, **kwargs: Any) -> dict[str, Any]:
    """
    Download (or read from the cache) `model_index.json` of the Hub repo `repo_id`.

    With the network down (or `HF_HUB_OFFLINE=1`) a cached copy is used, as `from_pretrained` then does.

    Args:
        repo_id (`str`): `"user/name"`.
        kwargs: `revision`, `token`, `cache_dir`, `local_files_only` are used; others are ignored.

    Raises:
        `ValueError`: the repo does not exist or cannot be read with this token, or it holds no pipeline.
        `OSError`: the Hub cannot be reached (or offline mode is on) and the file is not in the cache.
    """
    download_kwargs = {key: kwargs[key] for key in _DOWNLOAD_KWARGS if key in kwargs}
    try:
        path = hf_hub_download(repo_id, "model_index.json", **download_kwargs)
    except GatedRepoError:
        raise ValueError(f"The repo {repo_id!r} is gated: accept its terms on the Hub and pass a token.") from None
    except RepositoryNotFoundError:
        raise ValueError(
            f"No repo {repo_id!r} on the Hub, or it is private and the token is missing or wrong: check the id and "
            "pass token=... (or log in with `hf auth login`). A local folder of that name does not exist either."
        ) from None
    except RevisionNotFoundError:
        raise ValueError(f"The repo {repo_id!r} has no revision {kwargs.get('revision')!r}.") from None
    except LocalEntryNotFoundError:  # a subclass of EntryNotFoundError: nothing cached and no Hub
        if constants.HF_HUB_OFFLINE or download_kwargs.get("local_files_only"):
            raise OSError(
                f"{repo_id!r} is not in the local cache, and offline mode (HF_HUB_OFFLINE=1 or local_files_only) "
                "forbids downloading it: load it once online, or unset HF_HUB_OFFLINE."
            ) from None
        raise OSError(
            f"Cannot reach the Hub ({constants.ENDPOINT}) to fetch {repo_id!r}, and it is not in the local cache: "
            "check the network connection, or load it once online so it can be used offline (HF_HUB_OFFLINE=1)."
        ) from None
    except EntryNotFoundError:
        raise ValueError(
            f"The repo {repo_id!r} holds no model_index.json, so it is not a saved diffusers pipeline (a model of "
            "another library, or files uploaded by hand); a ts_diffusion_wavelet pipeline is shared with "
            "pipeline.push_to_hub(repo_id)."
        ) from None
    except HfHubHTTPError as error:
        status = error.response.status_code if error.response is not None else None
        if status == 401:
            raise ValueError(
                f"The Hub rejected the token while fetching {repo_id!r} (401, invalid credentials): it is wrong, "
                "expired or revoked. Pass a valid token=..., or none for a public repo."
            ) from None
        reason = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
        raise OSError(f"The Hub could not serve {repo_id!r} ({status}): {reason}") from None
    with open(path, encoding="utf-8") as handle:
        return json.load(handle)
