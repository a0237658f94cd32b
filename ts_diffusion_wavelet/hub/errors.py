"""The Hub client's errors in words a user can act on, shared by the pre-training checks and the uploads."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

from huggingface_hub.errors import HfHubHTTPError, OfflineModeIsEnabled, RepositoryNotFoundError

TOKEN_HELP = (
    "Create a token with write access at https://huggingface.co/settings/tokens, then log in once with "
    "`hf auth login` or set HF_TOKEN (token=... works in Python; a token on a command line is seen by other users "
    "and echoed in launchers' errors)."
)
# The client's HTTP library (requests, httpx or httpx2, by huggingface_hub version) raises its own errors when the
# Hub cannot be reached; HfHubHTTPError derives from that library's HTTPError, their common base for httpx.
HTTP_LIBRARY_ERROR: type[Exception] = HfHubHTTPError.__bases__[0]


@contextlib.contextmanager
def translate_hub_errors(repo_id: str | None, action: str = "upload") -> Iterator[None]:
    """
    Turn the Hub client's errors inside the block into `ValueError` (the token or the repo: the user must change
    something) or `OSError` (the Hub or the network: try again), with messages that say what to do.

    Args:
        repo_id (`str`, *optional*): The repo the block writes to, named in the messages.
        action (`str`, defaults to `"upload"`): What the block does, as the messages say it.
    """
    where = f" to {repo_id!r}" if repo_id else ""
    try:
        yield
    except RepositoryNotFoundError:
        # Writes answered "not found": the repo is not visible to this token (or there is none).
        raise ValueError(
            f"Cannot {action}{where}: the Hub does not let this token see the repo. Check the repo id and that the "
            f"token belongs to its owner (or a member of its organisation) with write access. {TOKEN_HELP}"
        ) from None
    except HfHubHTTPError as error:
        status = error.response.status_code if error.response is not None else None
        if status == 401:
            raise ValueError(
                "The Hub rejected the token (401, invalid credentials): it is wrong, expired or revoked. " + TOKEN_HELP
            ) from None
        if status == 403:
            namespace = repo_id.split("/")[0] if repo_id and "/" in repo_id else "this namespace"
            raise ValueError(
                f"The token cannot write{where} (403): it is read-only, or {namespace!r} is neither its owner's "
                f"namespace nor one of its organisations. {TOKEN_HELP}"
            ) from None
        first_line = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
        raise OSError(f"The Hub refused to {action}{where} ({status}): {first_line}") from None
    except OfflineModeIsEnabled:
        raise OSError(f"HF_HUB_OFFLINE=1 is set, so the Hub cannot {action}: unset it and try again.") from None
    except (HTTP_LIBRARY_ERROR, ConnectionError, TimeoutError) as error:
        raise OSError(
            f"Cannot reach the Hub to {action}{where} ({error}): check the network connection (and HF_ENDPOINT if "
            "set), then try again."
        ) from None
