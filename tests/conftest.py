"""Shared pytest fixtures: one moto server for the session and a fake-credentials environment.

AWS-path tests talk to ``moto.server.ThreadedMotoServer`` on 127.0.0.1 over real HTTP, never to patched
boto3. The server is shared by the whole session; a test that needs an empty account asks for
``moto_account`` (a fresh 12-digit account id) and sends it as moto's ``x-moto-account-id`` header
through ``account_header_hook`` so tests never see each other's resources.
"""

from __future__ import annotations

import itertools
import socket
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest


def free_port() -> int:
    """A TCP port on 127.0.0.1 that was free a moment ago."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class MotoServerHandle:
    """The running server: its URL, a log of every request it received, and optional delay/middleware."""

    endpoint_url: str
    requests: list[tuple[str, str, str]] = field(default_factory=list)  # (method, path, X-Amz-Target/action)
    lock: threading.Lock = field(default_factory=threading.Lock)
    delay_seconds: float = 0.0

    def clear(self) -> None:
        """Forget the request log."""
        with self.lock:
            self.requests.clear()

    def snapshot(self) -> list[tuple[str, str, str]]:
        """A copy of the request log."""
        with self.lock:
            return list(self.requests)


class _RequestLog:
    """WSGI middleware in front of moto: records each request server-side (the ground truth for
    "the server saw no request") and can delay each one to simulate network latency."""

    def __init__(self, app: Callable[..., Any], handle: MotoServerHandle) -> None:
        self.app = app
        self.handle = handle

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        entry = (
            str(environ.get("REQUEST_METHOD", "")),
            str(environ.get("PATH_INFO", "")),
            str(environ.get("HTTP_X_AMZ_TARGET", "")),
        )
        if not entry[1].startswith("/moto-api"):
            with self.handle.lock:
                self.handle.requests.append(entry)
        if self.handle.delay_seconds:
            import time

            time.sleep(self.handle.delay_seconds)
        return self.app(environ, start_response)


def start_moto_server() -> tuple[Any, MotoServerHandle]:
    """Start a ThreadedMotoServer on 127.0.0.1 with the request-log middleware; returns (server, handle)."""
    import logging

    from moto.server import ThreadedMotoServer

    # moto is patched process-wide by the demo's adapter (per-qualifier policies and URLs, AWS-shaped
    # statements, ListFunctionUrlConfigs). Install it before the first request so every test sees the
    # same, AWS-like server whatever order tests run in.
    from lambdaperm_tui.demo import adapter

    adapter.install()
    # werkzeug logs every request at INFO; thousands of lines would bury real test output.
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    handle = MotoServerHandle(endpoint_url=f"http://127.0.0.1:{port}")
    # The werkzeug server looks its app up per request, so wrapping it after start() takes effect at once.
    inner = server._server
    assert inner is not None, "ThreadedMotoServer.start() sets _server"
    inner.app = _RequestLog(inner.app, handle)
    return server, handle


@pytest.fixture(scope="session")
def moto_server_handle() -> Iterator[MotoServerHandle]:
    """The session's moto server with its request log."""
    server, handle = start_moto_server()
    try:
        yield handle
    finally:
        server.stop()


@pytest.fixture(scope="session")
def moto_server(moto_server_handle: MotoServerHandle) -> str:
    """The endpoint URL of the session's moto server (http://127.0.0.1:PORT)."""
    return moto_server_handle.endpoint_url


_account_counter = itertools.count(1)


@pytest.fixture
def moto_account() -> str:
    """A fresh moto account id for this test (moto creates accounts on first use)."""
    return f"{100000000000 + next(_account_counter) * 7919:012d}"


def account_header_hook(account_id: str) -> Callable[..., None]:
    """A botocore ``before-send`` handler that routes a request to ``account_id`` in moto."""

    def add_header(request: Any, **_: Any) -> None:
        request.headers["x-moto-account-id"] = account_id

    return add_header


@pytest.fixture
def aws_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """Fake credentials in the environment and empty AWS config files, so no real profile leaks in.

    Returns the directory holding ``config`` and ``credentials`` (tests may write profiles there).
    """
    config = tmp_path / "config"
    creds = tmp_path / "credentials"
    config.write_text("")
    creds.write_text("")
    for var in (
        "AWS_PROFILE",
        "AWS_DEFAULT_PROFILE",
        "AWS_SESSION_TOKEN",
        "AWS_SECURITY_TOKEN",
        "AWS_ENDPOINT_URL",
        "AWS_ENDPOINT_URL_LAMBDA",
        "AWS_ENDPOINT_URL_IAM",
        "AWS_ENDPOINT_URL_STS",
        "AWS_ROLE_ARN",
        "AWS_WEB_IDENTITY_TOKEN_FILE",
        "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
        "AWS_CONTAINER_CREDENTIALS_FULL_URI",
    ):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    monkeypatch.setenv("AWS_REGION", "us-east-1")
    monkeypatch.setenv("AWS_CONFIG_FILE", str(config))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(creds))
    # Never ask the EC2 metadata service: it would hang for seconds on a machine without one.
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    return tmp_path


@pytest.fixture
def no_aws_credentials(aws_env: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An environment with no credentials anywhere in the chain."""
    monkeypatch.delenv("AWS_ACCESS_KEY_ID", raising=False)
    monkeypatch.delenv("AWS_SECRET_ACCESS_KEY", raising=False)
    return aws_env
