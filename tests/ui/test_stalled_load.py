"""The explorer over a stalled account (issue 7, item 14): the header says what the load waits for, and
``q`` ends the load at once (before: the process exited 97 s after ``q``).

The account is ``tests/aws/loopback.py`` in its ``identity`` mode: sts:GetCallerIdentity is answered, every
other request is read and never answered. The loader is the real one, with the default timeouts.
"""

from __future__ import annotations

import os
import pty
import select
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from lambdaperm_tui.aws.source import Source
from lambdaperm_tui.inventory.model import Inventory
from lambdaperm_tui.ui import backend
from lambdaperm_tui.ui.app import LambdaPermApp
from lambdaperm_tui.ui.widgets.header import StatusHeader
from tests.aws.loopback import LoopbackServer, loopback

from .helpers import static_text, wait_for


@pytest.fixture
def stalled(aws_env: Path) -> Iterator[LoopbackServer]:
    with loopback("identity") as server:
        yield server


def _header(app: LambdaPermApp) -> str:
    return static_text(app.query_one(StatusHeader).query_one("#hdr-badges"))


async def test_the_header_says_what_the_load_waits_for_and_q_ends_the_load_at_once(
    stalled: LoopbackServer,
) -> None:
    real = backend.make_loader(Source(kind="live", endpoint_url=stalled.endpoint_url, regions=("us-east-1",)))
    returned = threading.Event()

    def load(on_event: Callable[[Any], None], cancel: threading.Event) -> Inventory:
        try:
            return real(on_event, cancel)
        finally:
            returned.set()

    app = LambdaPermApp(load, source_label="stalled", regions=("us-east-1",))
    async with app.run_test(size=(160, 40)) as pilot:
        await wait_for(pilot, lambda: "waiting" in _header(app), timeout=20)
        header = _header(app)
        # e.g. "waiting 2 s for lambda:ListFunctions (us-east-1), 4 requests in flight"
        assert "us-east-1" in header and " s for " in header, header
        assert any(f"{svc}:" in header for svc in ("lambda", "iam", "organizations")), header
        assert "in flight" in header, header
        await wait_for(pilot, lambda: "waiting 3 s" in _header(app) or "waiting 4 s" in _header(app))
        assert not returned.is_set()
        await pilot.press("q")
        quit_at = time.monotonic()
    # The load thread is what kept the process alive after q: it returns at once, its requests abandoned.
    assert returned.wait(2.0), "the load was still running 2 s after q"
    assert time.monotonic() - quit_at < 2.0


def test_q_during_a_stalled_load_ends_the_process_within_2_s(stalled: LoopbackServer) -> None:
    """The explorer as a real process on a pseudo-terminal: start, wait for the hanging reads, press q."""
    env = dict(os.environ, TERM="xterm-256color", COLUMNS="120", LINES="40")
    argv = [sys.executable, "-m", "lambdaperm_tui", "--endpoint-url", stalled.endpoint_url]
    argv += ["--region", "us-east-1", "--no-mouse"]
    leader, follower = pty.openpty()
    proc = subprocess.Popen(
        argv, stdin=follower, stdout=follower, stderr=follower, env=env, start_new_session=True
    )
    os.close(follower)
    screen = bytearray()

    def read_for(seconds: float) -> None:
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            ready, _, _ = select.select([leader], [], [], 0.05)
            if ready:
                try:
                    screen.extend(os.read(leader, 65536))
                except OSError:  # the process closed the terminal
                    return

    try:
        deadline = time.monotonic() + 60
        while stalled.requests < 4:  # GetCallerIdentity, then the load's first (hanging) reads
            assert time.monotonic() < deadline, "the load never started"
            assert proc.poll() is None, bytes(screen).decode(errors="replace")
            read_for(0.1)
        read_for(1.0)
        os.write(leader, b"q")
        sent = time.monotonic()
        while proc.poll() is None and time.monotonic() - sent < 10:
            read_for(0.05)
        seconds = time.monotonic() - sent
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.wait()
        os.close(leader)
    assert seconds < 2.0, f"exited {seconds:.1f} s after q"
    assert proc.returncode == 0
    assert b"Traceback" not in screen
