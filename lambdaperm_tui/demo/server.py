"""The demo account: a moto server on 127.0.0.1 inside this process, seeded with a realistic account.

``--demo``, the tests and the benchmarks use it the same way::

    with DemoAccount() as demo:
        factory = ClientFactory(profile=None, region=demo.regions[0], endpoint_url=demo.endpoint_url, ...)

The server, its adapter (``demo.adapter``) and its data live in this process only. Nothing is written to the
environment: the seeding clients get fake keys explicitly, and ``credentials`` gives keys that route to the
demo account for anyone else's clients. Two process-wide effects are unavoidable and deliberate: moto's
Lambda backend is patched (``adapter.install``), and werkzeug's per-request log lines are silenced (they
would be drawn over the TUI).
"""

from __future__ import annotations

import logging
import os
import threading
import time
from types import TracebackType
from typing import Any

from lambdaperm_tui.demo import adapter
from lambdaperm_tui.demo.adapter import default_account_id

DEMO_REGIONS: tuple[str, ...] = ("us-east-1", "eu-west-1")
# Services whose in-process state the demo owns for its account (reset before seeding and after stopping).
_SERVICES = ("lambda", "iam", "sts", "sqs", "kinesis")


def _reset_account(account_id: str) -> None:
    """Forget this account's Lambda/IAM/STS/SQS/Kinesis state in this process (others are untouched)."""
    from moto.backends import get_backend

    for service in _SERVICES:
        backends: Any = get_backend(service)  # type: ignore[call-overload]
        if account_id in backends:
            backends[account_id].reset()


# Accounts seeded by a running DemoAccount in this process: a second one would wipe the first's state.
_RUNNING: set[str] = set()
_RUNNING_LOCK = threading.Lock()


class DemoAccount:
    """A seeded demo account served by an in-process moto server on 127.0.0.1 (a free port).

    Use as a context manager, or call ``start()`` / ``stop()``. ``start()`` raises ``adapter.AdapterError``
    when moto is missing or not the pinned version. The account id is moto's default (``MOTO_ACCOUNT_ID``
    when set); pass ``account_id`` to seed another account of the same process. One account belongs to at
    most one running ``DemoAccount`` (a second ``start()`` for it raises ``RuntimeError``); starting resets
    that account's Lambda, IAM and STS state first.
    """

    def __init__(self, *, account_id: str | None = None, regions: tuple[str, ...] = DEMO_REGIONS) -> None:
        self.account_id: str = account_id or default_account_id()
        self.regions: tuple[str, ...] = tuple(regions)
        self._server: Any = None
        self._endpoint_url: str | None = None
        self._credentials: dict[str, str] | None = None
        self._lock = threading.Lock()
        self._registered = False
        self.seconds_to_start: float | None = None  # measured: server start + seed

    @property
    def endpoint_url(self) -> str:
        """``http://127.0.0.1:PORT`` of the running server."""
        if self._endpoint_url is None:
            raise RuntimeError("DemoAccount is not started")
        return self._endpoint_url

    @property
    def credentials(self) -> dict[str, str]:
        """Fake keys (``aws_access_key_id``, ``aws_secret_access_key``) whose requests land in this account.

        They belong to the demo's ``security-auditor`` user, so moto routes them to ``account_id`` even when
        it is not moto's default account. They are meaningless outside this process.
        """
        if self._credentials is None:
            raise RuntimeError("DemoAccount is not started")
        return dict(self._credentials)

    @property
    def running(self) -> bool:
        """True between ``start()`` and ``stop()``."""
        return self._server is not None

    def start(self) -> DemoAccount:
        """Install the adapter, start the server, seed the account. Idempotent while running."""
        with self._lock:
            if self._server is not None:
                return self
            forced = os.environ.get("MOTO_ACCOUNT_ID")
            if forced and forced != self.account_id:
                # moto would route every request to MOTO_ACCOUNT_ID, whatever the keys or headers say.
                raise RuntimeError(
                    f"MOTO_ACCOUNT_ID={forced} is set: the demo cannot serve account {self.account_id}"
                )
            with _RUNNING_LOCK:
                if self.account_id in _RUNNING:
                    raise RuntimeError(
                        f"account {self.account_id} is already served by a running DemoAccount"
                    )
                _RUNNING.add(self.account_id)
                self._registered = True
            began = time.perf_counter()
            try:
                adapter.install()
                from moto.server import ThreadedMotoServer

                # werkzeug logs every request to stderr at INFO; inside a TUI that would corrupt the screen.
                logging.getLogger("werkzeug").setLevel(logging.WARNING)
                _reset_account(self.account_id)
                # Port 0: the OS picks a free port at bind time (no race with other processes).
                server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
                server.start()
                self._server = server
                host, port = server.get_host_and_port()
                self._endpoint_url = f"http://{host}:{port}"
                from lambdaperm_tui.demo.seed import seed

                self._credentials = seed(self._endpoint_url, account_id=self.account_id, regions=self.regions)
            except BaseException:
                self._stop_locked()
                raise
            self.seconds_to_start = time.perf_counter() - began
            return self

    def stop(self) -> None:
        """Stop the server and forget the account's state. Idempotent."""
        with self._lock:
            self._stop_locked()

    def _stop_locked(self) -> None:
        server, self._server = self._server, None
        if server is not None:
            server.stop()
            _reset_account(self.account_id)
        if self._registered:
            with _RUNNING_LOCK:
                _RUNNING.discard(self.account_id)
            self._registered = False
        self._endpoint_url = None
        self._credentials = None

    def __enter__(self) -> DemoAccount:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()
