"""
Checks of the Hub settings before a training run, so that a bad repo id or a token that cannot write to it fails
in seconds instead of after hours of training.

- The repo id is checked with `huggingface_hub`'s own validator (offline): `../../etc/evil` never reaches the Hub.
- The write permission is read from `whoami` (one request, nothing is created): the token must be valid and not
  read-only, and the repo's namespace must be the token's user or an organisation it may write to (for a
  fine-grained token, one its scopes grant `repo.write` on).
"""

from __future__ import annotations

from typing import Any

from huggingface_hub import get_token, whoami
from huggingface_hub.errors import HFValidationError
from huggingface_hub.utils import validate_repo_id

from .errors import TOKEN_HELP, translate_hub_errors

_READ_ONLY_ORG_ROLES = ("read",)  # an organisation role that may not push


def check_repo_id(repo_id: Any, option: str = "--hub_model_id") -> str:
    """
    Check that `repo_id` is a Hub repo id (`name` or `namespace/name`), offline.

    Args:
        repo_id (`str`): The id to check.
        option (`str`, defaults to `"--hub_model_id"`): How the user passed it, for the message.

    Returns:
        `str`: `repo_id`.

    Raises:
        `ValueError`: Naming the id, the rule it breaks (the validator's words) and a valid form.
    """
    try:
        validate_repo_id(repo_id)
    except HFValidationError as error:
        raise ValueError(
            f"{option} {repo_id!r} is not a Hub repo id: {error} Use 'your-name/model-name' (letters, digits, '-', "
            "'_' and '.', at most 96 characters, one '/')."
        ) from None
    if not isinstance(repo_id, str) or not repo_id:
        raise ValueError(f"{option} must be a Hub repo id such as 'your-name/model-name', got {repo_id!r}.")
    return repo_id


def writable_namespaces(account: dict[str, Any]) -> list[str]:
    """The namespaces a `whoami` answer may push to: the user's own and those of its writable organisations."""
    names = [str(account.get("name"))]
    for org in account.get("orgs") or []:
        if org.get("name") and org.get("roleInOrg") not in _READ_ONLY_ORG_ROLES:
            names.append(str(org["name"]))
    return names


def _fine_grained_allows(access: dict[str, Any], namespace: str, repo_id: str) -> bool:
    """Whether a fine-grained token's scopes grant `repo.write` on the namespace or the repo itself."""
    for scope in access.get("fineGrained", {}).get("scoped", []):
        entity = scope.get("entity") or {}
        if entity.get("name") in (namespace, repo_id) and "repo.write" in (scope.get("permissions") or []):
            return True
    return False


def check_hub_write_access(repo_id: str, token: str | None = None) -> str:
    """
    Check, without creating anything, that `token` may push to `repo_id`; returns the full `namespace/name`.

    Args:
        repo_id (`str`): `name` (in the token's own namespace) or `namespace/name`.
        token (`str`, *optional*): The Hub token; defaults to the logged-in one (`HF_TOKEN`, `hf auth login`).

    Raises:
        `ValueError`: An invalid repo id, no token, a token the Hub rejects, a read-only token, or a namespace the
            token may not write to (the message lists the namespaces it may write to).
        `OSError`: The Hub cannot be reached.
    """
    check_repo_id(repo_id)
    token = token or get_token()
    if not token:
        raise ValueError(f"Pushing to {repo_id!r} needs a Hub token, and none was given or found. {TOKEN_HELP}")
    account = _whoami(token)
    user = str(account.get("name"))
    namespace, _, name = repo_id.rpartition("/")
    namespace = namespace or user
    full_id = f"{namespace}/{name}"
    access = (account.get("auth") or {}).get("accessToken") or {}
    role = access.get("role")
    if role == "read":
        raise ValueError(f"The Hub token of {user!r} is read-only, so it cannot push to {full_id!r}. {TOKEN_HELP}")
    if role == "fineGrained":
        allowed = _fine_grained_allows(access, namespace, full_id)
    else:
        allowed = namespace in writable_namespaces(account)
    if not allowed:
        choices = ", ".join(repr(f"{space}/{name}") for space in writable_namespaces(account))
        raise ValueError(
            f"The Hub token of {user!r} cannot write to the namespace {namespace!r}, so pushing to {full_id!r} would "
            f"fail after training. Use a namespace it may write to ({choices}), or a token of a member of "
            f"{namespace!r} with write access."
        )
    return full_id


def _whoami(token: str) -> dict[str, Any]:
    with translate_hub_errors(None, action="check the token"):
        return whoami(token=token)


def check_hub_settings(push_to_hub: bool, hub_model_id: str | None, hub_token: str | None) -> str | None:
    """
    The Hub settings of a training run, checked before its first step: a given `hub_model_id` must be a valid id
    (even without pushing, since it would be used later), and with `push_to_hub` the token must be able to write
    to it. Returns the full repo id when pushing, else `None`.
    """
    if hub_model_id is not None:
        check_repo_id(hub_model_id)
    if not push_to_hub:
        return None
    if hub_model_id is None:
        raise ValueError("--push_to_hub needs --hub_model_id your-name/model-name.")
    return check_hub_write_access(hub_model_id, hub_token)
