"""
A loopback stand-in for the Hugging Face Hub's HTTP API, for testing Hub sharing with no network.

It answers the requests `huggingface_hub` (2.4) makes for `create_repo`, `upload_folder` / `create_commit`,
`hf_hub_download`, `snapshot_download`, `model_info` and diffusers' `push_to_hub` / `from_pretrained`, from
an in-memory store of repos and commits. Start one with `HubServer().start()`, point `HF_ENDPOINT` at
`server.url` *before* `huggingface_hub` is imported (tests/conftest.py does this), and talk to it with the
real client.

Emulated:
- `POST /api/repos/create` (409 when the repo exists, the repo id returned in `url`), `GET /api/whoami-v2`,
  `POST /api/validate-yaml` (accepts any front matter that parses as a YAML mapping).
- `GET /api/models/{repo}` and `/api/models/{repo}/revision/{rev}` (id, sha, private, siblings, card data and
  tags read from the README's front matter), `GET /api/models/{repo}/tree/{rev}[/{path}]` (`recursive`).
- `POST /api/models/{repo}/preupload/{rev}`: every file is "regular" (inline base64 in the commit; no LFS, no
  Xet), with the git blob id of the current file so the client skips unchanged files.
- `POST /api/models/{repo}/commit/{rev}`: NDJSON header + `file` / `deletedFile` / `deletedFolder`; `create_pr=1`
  puts the commit on a new `refs/pr/N` branch.
- `HEAD` / `GET /{repo}/resolve/{rev}/{path}` with `ETag` (git blob id), `X-Repo-Commit`, `Content-Length`
  and single-range `Range` requests (206); revisions are branch names or commit ids, and every commit stays
  readable.
- Auth: `Authorization: Bearer <token>` checked against `tokens` (token -> `Account`). A token not in the
  table gets 401 with `X-Error-Message: Invalid credentials in Authorization header` (no error code: that
  message is how the client tells a wrong token from a missing repo). Writes need a token whose account may
  write to the namespace (own name or one of its orgs): 403 otherwise. Private repos are visible to their
  namespace only.
- Errors carry the `X-Error-Code` the client dispatches on: `RepoNotFound` (404, or 401 without a token),
  `RevisionNotFound` (404), `EntryNotFound` (404, with `X-Repo-Commit`). A write without a token on
  `/api/models/...` gets 401 `RepoNotFound`, which is what the client makes of any such 401 from the real
  (https) Hub; `POST /api/repos/create` without a token gets a bare 401.

Not emulated (a test passing here says nothing about these):
- LFS and Xet uploads and downloads (`lfsFile` commit lines are refused with 400), file size limits, redirects
  to a CDN, rate limits (429), server errors, gated or disabled repos, the exact wording of the real Hub's
  error bodies, `parentCommit` checks, pagination of tree listings (one page), `expand[]` fields beyond the
  basic ones, datasets / spaces / buckets, repo deletion, moving and settings, refs listings, commit history
  and `list_models`. The YAML check is a parse, not the Hub's metadata schema.
- Fault injection: `unreachable()` closes the port (and open connections) for a `with` block;
  `cut_next_download(n)` breaks the next file download off after `n` bytes.
- Requests it does not know get 404 and are recorded in `HubServer.unhandled`, so a test can assert the client
  used nothing the emulation lacks.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import json
import re
import socket
import threading
import uuid
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, quote, unquote, urlsplit

INVALID_CREDENTIALS = "Invalid credentials in Authorization header"


@dataclass(frozen=True)
class Account:
    """Who a token belongs to: `name` (its namespace), organisations it may also write to, and its role."""

    name: str
    orgs: tuple[str, ...] = ()
    can_write: bool = True

    def may_write(self, namespace: str) -> bool:
        return self.can_write and (namespace == self.name or namespace in self.orgs)

    def may_read(self, namespace: str) -> bool:
        return namespace == self.name or namespace in self.orgs


@dataclass
class Commit:
    oid: str
    message: str
    files: dict[str, bytes]
    created_at: str


@dataclass
class Repo:
    repo_id: str
    private: bool
    created_at: str
    commits: dict[str, Commit] = field(default_factory=dict)
    branches: dict[str, str] = field(default_factory=dict)  # name -> commit oid

    @property
    def namespace(self) -> str:
        return self.repo_id.split("/")[0]

    def resolve(self, revision: str) -> Commit | None:
        oid = self.branches.get(revision, revision)
        return self.commits.get(oid)


def git_blob_id(data: bytes) -> str:
    """The id git (and the Hub) give a regular file: sha1 of `blob <size>\\0<bytes>`."""
    return hashlib.sha1(b"blob %d\x00" % len(data) + data).hexdigest()


def _now() -> str:
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.000Z")


def _front_matter(readme: bytes | None) -> dict[str, Any] | None:
    """The YAML mapping at the top of a README, None when there is none; ValueError when it does not parse."""
    if readme is None:
        return None
    text = readme.decode("utf-8", errors="replace")
    match = re.match(r"^---\s*\n(.*?)\n---\s*(\n|$)", text, flags=re.DOTALL)
    if match is None:
        return None
    return _parse_yaml(match.group(1))


def _parse_yaml(text: str) -> dict[str, Any]:
    import yaml  # a dependency of the package

    try:
        content = yaml.safe_load(text)
    except yaml.YAMLError as error:
        raise ValueError(f"Invalid YAML: {error}") from None
    if content is None:
        return {}
    if not isinstance(content, dict):
        raise ValueError("The metadata must be a YAML mapping.")
    return content


class HubError(Exception):
    """An error response: status, optional `X-Error-Code`, message (as `X-Error-Message` and the body's `error`)."""

    def __init__(
        self,
        status: int,
        message: str,
        code: str | None = None,
        headers: Mapping[str, str] | None = None,
        body: Mapping[str, Any] | None = None,
    ):
        super().__init__(message)
        self.status, self.message, self.code = status, message, code
        self.headers = dict(headers or {})
        self.body = {"error": message, **(body or {})}


_NAME = r"[A-Za-z0-9][A-Za-z0-9._-]*"
_REPO = rf"(?P<repo>{_NAME}/{_NAME})"
_REV = r"(?P<rev>[^/]+)"
_ROUTES: list[tuple[str, re.Pattern[str], str]] = [
    ("POST", re.compile(r"^/api/repos/create$"), "create_repo"),
    ("GET", re.compile(r"^/api/whoami-v2$"), "whoami"),
    ("POST", re.compile(r"^/api/validate-yaml$"), "validate_yaml"),
    ("GET", re.compile(rf"^/api/models/{_REPO}$"), "repo_info"),
    ("GET", re.compile(rf"^/api/models/{_REPO}/revision/{_REV}$"), "repo_info"),
    ("GET", re.compile(rf"^/api/models/{_REPO}/tree/{_REV}(?:/(?P<path>.*))?$"), "tree"),
    ("POST", re.compile(rf"^/api/models/{_REPO}/preupload/{_REV}$"), "preupload"),
    ("POST", re.compile(rf"^/api/models/{_REPO}/commit/{_REV}$"), "commit"),
    ("HEAD", re.compile(rf"^/{_REPO}/resolve/{_REV}/(?P<path>.+)$"), "resolve"),
    ("GET", re.compile(rf"^/{_REPO}/resolve/{_REV}/(?P<path>.+)$"), "resolve"),
]


class HubState:
    """The repos, tokens and request log behind a [`HubServer`]; every method holds the lock."""

    def __init__(self, url: str, tokens: Mapping[str, Account]):
        self.url = url
        self.tokens = dict(tokens)
        self.repos: dict[str, Repo] = {}
        self.requests: list[tuple[str, str, int]] = []  # (method, path, status)
        self.unhandled: list[str] = []
        self.cut_downloads: list[int] = []  # byte counts after which the next full GETs of a file break off
        self.lock = threading.RLock()

    # ----- auth ----------------------------------------------------------------------------------------------
    def account(self, authorization: str | None) -> Account | None:
        if not authorization:
            return None
        scheme, _, token = authorization.partition(" ")
        account = self.tokens.get(token.strip()) if scheme.lower() == "bearer" else None
        if account is None:
            raise HubError(401, INVALID_CREDENTIALS)
        return account

    def readable_repo(self, repo_id: str, account: Account | None) -> Repo:
        repo = self.repos.get(repo_id)
        if repo is None or (repo.private and (account is None or not account.may_read(repo.namespace))):
            # Like the Hub: a private repo is indistinguishable from a missing one; 401 when anonymous.
            raise HubError(401 if account is None else 404, "Repository not found", "RepoNotFound")
        return repo

    def writable_repo(self, repo_id: str, account: Account | None) -> Repo:
        if account is None:
            raise HubError(401, "You must be authenticated to write to a repo", "RepoNotFound")
        repo = self.readable_repo(repo_id, account)
        if not account.may_write(repo.namespace):
            raise HubError(403, f"You don't have the rights to write to {repo_id} with this token")
        return repo

    @staticmethod
    def commit_at(repo: Repo, revision: str) -> Commit:
        commit = repo.resolve(unquote(revision))
        if commit is None:
            raise HubError(404, f"Invalid rev id: {unquote(revision)}", "RevisionNotFound")
        return commit

    # ----- store ---------------------------------------------------------------------------------------------
    def add_repo(self, repo_id: str, private: bool = False) -> Repo:
        repo = Repo(repo_id, private, _now())
        self.repos[repo_id] = repo
        self.add_commit(repo, "main", "initial commit", {".gitattributes": b"*.safetensors filter=lfs\n"})
        return repo

    def add_commit(self, repo: Repo, branch: str, message: str, files: dict[str, bytes]) -> Commit:
        commit = Commit(hashlib.sha1(uuid.uuid4().bytes).hexdigest(), message, files, _now())
        repo.commits[commit.oid] = commit
        repo.branches[branch] = commit.oid
        return commit

    def repo_json(self, repo: Repo, commit: Commit, blobs: bool) -> dict[str, Any]:
        siblings = []
        for path, data in sorted(commit.files.items()):
            sibling: dict[str, Any] = {"rfilename": path}
            if blobs:
                sibling.update(size=len(data), blobId=git_blob_id(data))
            siblings.append(sibling)
        card = _front_matter(commit.files.get("README.md")) or {}
        tags = [str(tag) for tag in card.get("tags") or []]
        if card.get("library_name"):
            tags.insert(0, str(card["library_name"]))
        return {
            "_id": hashlib.sha1(repo.repo_id.encode()).hexdigest()[:24],
            "id": repo.repo_id,
            "modelId": repo.repo_id,
            "author": repo.namespace,
            "sha": commit.oid,
            "lastModified": commit.created_at,
            "createdAt": repo.created_at,
            "private": repo.private,
            "disabled": False,
            "gated": False,
            "downloads": 0,
            "likes": 0,
            "tags": tags,
            "library_name": card.get("library_name"),
            "pipeline_tag": card.get("pipeline_tag"),
            "cardData": card or None,
            "siblings": siblings,
        }


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, as the client expects
    server: _Server

    # ----- plumbing ------------------------------------------------------------------------------------------
    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - silence the default stderr log
        pass

    def do_HEAD(self) -> None:
        self._dispatch("HEAD")

    def do_GET(self) -> None:
        self._dispatch("GET")

    def do_POST(self) -> None:
        self._dispatch("POST")

    def do_PUT(self) -> None:
        self._dispatch("PUT")

    def do_DELETE(self) -> None:
        self._dispatch("DELETE")

    def _dispatch(self, method: str) -> None:
        state = self.server.state
        parts = urlsplit(self.path)
        self.query = {key: values[-1] for key, values in parse_qs(parts.query).items()}
        self.body = self._read_body()
        status = 500
        try:
            for route_method, pattern, name in _ROUTES:
                match = pattern.match(parts.path)
                if match and route_method == method:
                    with state.lock:
                        account = state.account(self.headers.get("Authorization"))
                        status = getattr(self, f"_{name}")(state, account, **match.groupdict())
                    break
            else:
                with state.lock:
                    state.unhandled.append(f"{method} {self.path}")
                raise HubError(404, f"Not emulated by tests/hub_server.py: {method} {parts.path}")
        except HubError as error:
            status = error.status
            headers = {"X-Error-Message": " ".join(error.message.split()), **error.headers}
            if error.code:
                headers["X-Error-Code"] = error.code
            self._send_json(status, error.body, headers)
        with state.lock:
            state.requests.append((method, self.path, status))

    def _read_body(self) -> bytes:
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            chunks = []
            while True:
                size = int(self.rfile.readline().split(b";")[0].strip(), 16)
                if size == 0:
                    self.rfile.readline()
                    return b"".join(chunks)
                chunks.append(self.rfile.read(size))
                self.rfile.readline()
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length else b""

    def _json_body(self) -> Any:
        try:
            return json.loads(self.body or b"{}")
        except json.JSONDecodeError as error:
            raise HubError(400, f"Invalid JSON body: {error}") from None

    def _send(self, status: int, body: bytes, headers: Mapping[str, str], content_type: str) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        for key, value in headers.items():
            self.send_header(key, value)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def _send_json(self, status: int, payload: Any, headers: Mapping[str, str] | None = None) -> int:
        self._send(status, json.dumps(payload).encode(), headers or {}, "application/json; charset=utf-8")
        return status

    # ----- endpoints -----------------------------------------------------------------------------------------
    def _create_repo(self, state: HubState, account: Account | None) -> int:
        if account is None:
            raise HubError(401, "You must be authenticated to create a repo")
        payload = self._json_body()
        if payload.get("type", "model") not in (None, "model"):
            raise HubError(400, "The test Hub only has model repos")
        name, namespace = payload.get("name"), payload.get("organization") or account.name
        if not isinstance(name, str) or not re.fullmatch(_NAME, name) or not re.fullmatch(_NAME, namespace):
            raise HubError(400, f"Invalid repo name {namespace}/{name}")
        repo_id = f"{namespace}/{name}"
        if not account.may_write(namespace):
            raise HubError(403, f'You don\'t have the rights to create a model under the namespace "{namespace}"')
        url = f"{state.url}/{repo_id}"
        if repo_id in state.repos:
            raise HubError(409, "You already created this model repo", body={"url": url})
        state.add_repo(repo_id, private=payload.get("visibility") == "private" or bool(payload.get("private")))
        return self._send_json(200, {"url": url, "name": repo_id, "id": state.repos[repo_id].created_at})

    def _whoami(self, state: HubState, account: Account | None) -> int:
        if account is None:
            raise HubError(401, "Invalid user token")
        role = "write" if account.can_write else "read"
        return self._send_json(
            200,
            {
                "type": "user",
                "name": account.name,
                "orgs": [{"name": org} for org in account.orgs],
                "auth": {"type": "access_token", "accessToken": {"displayName": "test", "role": role}},
            },
        )

    def _validate_yaml(self, state: HubState, account: Account | None) -> int:
        content = self._json_body().get("content", "")
        try:
            _front_matter(content.encode())
        except ValueError as error:
            raise HubError(400, str(error), body={"errors": [{"message": str(error)}], "warnings": []}) from None
        return self._send_json(200, {"errors": [], "warnings": []})

    def _repo_info(self, state: HubState, account: Account | None, repo: str, rev: str = "main") -> int:
        found = state.readable_repo(repo, account)
        commit = state.commit_at(found, rev)
        blobs = self.query.get("blobs", "").lower() == "true"
        return self._send_json(200, state.repo_json(found, commit, blobs))

    def _tree(self, state: HubState, account: Account | None, repo: str, rev: str, path: str | None) -> int:
        found = state.readable_repo(repo, account)
        commit = state.commit_at(found, rev)
        prefix = unquote(path or "").strip("/")
        recursive = self.query.get("recursive", "").lower() in ("true", "1")
        if prefix and prefix not in commit.files and not any(p.startswith(prefix + "/") for p in commit.files):
            raise HubError(404, f"{prefix} does not exist on {rev}", "EntryNotFound")
        entries: dict[str, dict[str, Any]] = {}
        for file_path, data in sorted(commit.files.items()):
            if prefix and not file_path.startswith(prefix + "/"):
                continue
            relative = file_path[len(prefix) + 1 :] if prefix else file_path
            parts = relative.split("/")
            # Folders on the way to the file, then the file itself (only the first level unless recursive).
            for depth in range(1, len(parts)):
                folder = "/".join(filter(None, [prefix, *parts[:depth]]))
                if recursive or depth == 1:
                    entries.setdefault(
                        folder, {"type": "directory", "oid": git_blob_id(folder.encode()), "size": 0, "path": folder}
                    )
            if recursive or len(parts) == 1:
                entries[file_path] = {"type": "file", "oid": git_blob_id(data), "size": len(data), "path": file_path}
        return self._send_json(200, list(entries.values()))

    def _preupload(self, state: HubState, account: Account | None, repo: str, rev: str) -> int:
        found = state.writable_repo(repo, account)
        head = found.resolve(unquote(rev))
        files = []
        for entry in self._json_body().get("files", []):
            existing = None if head is None else head.files.get(entry["path"])
            files.append(
                {
                    "path": entry["path"],
                    "uploadMode": "regular",
                    "shouldIgnore": False,
                    "oid": None if existing is None else git_blob_id(existing),
                }
            )
        return self._send_json(200, {"files": files, "commitOid": None if head is None else head.oid})

    def _commit(self, state: HubState, account: Account | None, repo: str, rev: str) -> int:
        found = state.writable_repo(repo, account)
        branch = unquote(rev)
        base = state.commit_at(found, branch)
        lines = [json.loads(line) for line in self.body.splitlines() if line.strip()]
        if not lines or lines[0].get("key") != "header":
            raise HubError(400, "A commit starts with a header line")
        header = lines[0]["value"]
        files = dict(base.files)
        for line in lines[1:]:
            key, value = line.get("key"), line.get("value", {})
            if key == "file":
                if value.get("encoding") != "base64":
                    raise HubError(400, f"Unsupported encoding {value.get('encoding')!r}")
                files[value["path"]] = base64.b64decode(value["content"])
            elif key == "deletedFile":
                if value["path"] not in files:
                    raise HubError(404, f"A file with this name doesn't exist: {value['path']}", "EntryNotFound")
                del files[value["path"]]
            elif key == "deletedFolder":
                folder = value["path"].rstrip("/") + "/"
                files = {path: data for path, data in files.items() if not path.startswith(folder)}
            else:
                raise HubError(400, f"Commit operation {key!r} is not emulated (LFS, Xet and copies are not)")
        if self.query.get("create_pr") == "1":
            number = 1 + sum(name.startswith("refs/pr/") for name in found.branches)
            branch = f"refs/pr/{number}"
        commit = state.add_commit(found, branch, header.get("summary", ""), files)
        is_pr = branch.startswith("refs/pr/")
        pr_url = f"{state.url}/{repo}/discussions/{branch.rsplit('/', 1)[-1]}" if is_pr else None
        return self._send_json(
            200,
            {
                "success": True,
                "commitOid": commit.oid,
                "commitUrl": f"{state.url}/{repo}/commit/{commit.oid}",
                "pullRequestUrl": pr_url,
            },
        )

    def _resolve(self, state: HubState, account: Account | None, repo: str, rev: str, path: str) -> int:
        found = state.readable_repo(repo, account)
        commit = state.commit_at(found, rev)
        file_path = unquote(path)
        if file_path not in commit.files:
            raise HubError(404, "Entry not found", "EntryNotFound", {"X-Repo-Commit": commit.oid})
        data = commit.files[file_path]
        headers = {"X-Repo-Commit": commit.oid, "ETag": f'"{git_blob_id(data)}"', "Accept-Ranges": "bytes"}
        status, body = 200, data
        requested = re.fullmatch(r"bytes=(\d*)-(\d*)", self.headers.get("Range", "").strip())
        if requested and (requested.group(1) or requested.group(2)):
            start_text, end_text = requested.groups()
            if start_text:
                start, end = int(start_text), int(end_text) if end_text else len(data) - 1
            else:  # suffix range: the last N bytes
                start, end = max(0, len(data) - int(end_text)), len(data) - 1
            if start >= len(data):
                unsatisfiable = {"Content-Range": f"bytes */{len(data)}"}
                raise HubError(416, "Requested range not satisfiable", headers=unsatisfiable)
            end = min(end, len(data) - 1)
            status, body = 206, data[start : end + 1]
            headers["Content-Range"] = f"bytes {start}-{end}/{len(data)}"
        if self.command == "GET" and status == 200 and state.cut_downloads:
            self._send_cut(body, headers, state.cut_downloads.pop(0))
            return status
        self._send(status, body, headers, "application/octet-stream")
        return status

    def _send_cut(self, body: bytes, headers: Mapping[str, str], after: int) -> None:
        """Announce the whole file, send `after` bytes, drop the connection: a download broken off mid-way."""
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        for key, value in headers.items():
            self.send_header(key, value)
        self.end_headers()
        self.wfile.write(body[:after])
        self.wfile.flush()
        self.close_connection = True
        self.connection.shutdown(socket.SHUT_RDWR)


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    state: HubState

    def __init__(self, address: tuple[str, int], handler: type[BaseHTTPRequestHandler]):
        super().__init__(address, handler)
        self.connections: set[socket.socket] = set()
        self.connections_lock = threading.Lock()

    def process_request(self, request: socket.socket, client_address: Any) -> None:
        with self.connections_lock:
            self.connections.add(request)
        super().process_request(request, client_address)

    def shutdown_request(self, request: socket.socket) -> None:
        with self.connections_lock:
            self.connections.discard(request)
        super().shutdown_request(request)

    def close_connections(self) -> None:
        """Close kept-alive connections too, so a client cannot go on using one after `stop()`."""
        with self.connections_lock:
            for connection in self.connections:
                with contextlib.suppress(OSError):
                    connection.shutdown(socket.SHUT_RDWR)
            self.connections.clear()


class HubServer:
    """
    The test Hub on `127.0.0.1`, serving from a background thread.

    Args:
        tokens (`Mapping[str, Account]`): Valid tokens and whose they are.
        port (`int`, defaults to 0): Port to listen on; 0 picks a free one.

    Use `url` as `HF_ENDPOINT`; `reset()` forgets repos and logged requests; `unreachable()` stops listening for
    the duration of a `with` block (the client then sees a refused connection, as with the network down).
    """

    def __init__(self, tokens: Mapping[str, Account], port: int = 0):
        self._server = _Server(("127.0.0.1", port), _Handler)
        self.port = self._server.server_address[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self.state = HubState(self.url, tokens)
        self._server.state = self.state
        self._thread: threading.Thread | None = None

    def start(self) -> HubServer:
        self._thread = threading.Thread(target=self._server.serve_forever, name="test-hub", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._thread is not None:
            self._server.shutdown()
            self._thread.join()
            self._thread = None
        self._server.close_connections()
        self._server.server_close()

    @contextlib.contextmanager
    def unreachable(self) -> Iterator[None]:
        """Refuse connections inside the block (the port is closed), then serve the same state again."""
        self.stop()
        try:
            yield
        finally:
            self._server = _Server(("127.0.0.1", self.port), _Handler)
            self._server.state = self.state
            self.start()

    def reset(self) -> None:
        with self.state.lock:
            self.state.repos.clear()
            self.state.requests.clear()
            self.state.unhandled.clear()
            self.state.cut_downloads.clear()

    def cut_next_download(self, after_bytes: int) -> None:
        """Break off the next full file download after `after_bytes` bytes (the client should resume it)."""
        with self.state.lock:
            self.state.cut_downloads.append(after_bytes)

    # ----- direct access for tests ---------------------------------------------------------------------------
    def add_repo(self, repo_id: str, files: Mapping[str, bytes | str], private: bool = False) -> str:
        """Create `repo_id` holding `files` without going through HTTP (e.g. a repo that is not a pipeline)."""
        with self.state.lock:
            repo = self.state.add_repo(repo_id, private)
            contents = {path: data.encode() if isinstance(data, str) else data for path, data in files.items()}
            return self.state.add_commit(repo, "main", "add files", {**repo.resolve("main").files, **contents}).oid

    def files(self, repo_id: str, revision: str = "main") -> dict[str, bytes]:
        """The files of `repo_id` at `revision` (a branch or a commit id)."""
        with self.state.lock:
            commit = self.state.repos[repo_id].resolve(revision)
            if commit is None:
                raise KeyError(f"{repo_id} has no revision {revision!r}")
            return dict(commit.files)

    @property
    def requests(self) -> list[tuple[str, str, int]]:
        with self.state.lock:
            return list(self.state.requests)

    @property
    def unhandled(self) -> list[str]:
        with self.state.lock:
            return list(self.state.unhandled)


def repo_url_path(repo_id: str) -> str:
    """`ns/name` as it appears in URLs."""
    return "/".join(quote(part, safe="") for part in repo_id.split("/"))
