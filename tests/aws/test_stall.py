"""A stalled endpoint is a clear message within 30 s, and Ctrl-C cancels a load at once (issue 7, item 14).

Before: botocore's defaults (60 s reads; here 30 s with 6 attempts) made a credentials check against an
endpoint that accepts and never answers take about 3 minutes, and the loader's ThreadPoolExecutor held a
Ctrl-C'd process until every request in flight had used up its retries (179 s). The CLI runs as a real
process against ``tests/aws/loopback.py`` on 127.0.0.1, with the default timeouts.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from lambdaperm_tui.aws.clients import (
    DEFAULT_CONNECT_TIMEOUT,
    DEFAULT_MAX_ATTEMPTS,
    DEFAULT_READ_TIMEOUT,
    STALL_BUDGET,
    ClientFactory,
)
from lambdaperm_tui.aws.loader import Loader
from tests.aws.loopback import LoopbackServer, loopback

FAKE_SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYFAKESECRET"


@pytest.fixture
def cli_env(tmp_path: Path) -> dict[str, str]:
    """Fake static keys and empty AWS config files: nothing from the developer's setup leaks in."""
    (tmp_path / "config").write_text("")
    (tmp_path / "credentials").write_text("")
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env.update(
        AWS_CONFIG_FILE=str(tmp_path / "config"),
        AWS_SHARED_CREDENTIALS_FILE=str(tmp_path / "credentials"),
        AWS_ACCESS_KEY_ID="AKIAFAKEFAKEFAKE",
        AWS_SECRET_ACCESS_KEY=FAKE_SECRET,
        AWS_EC2_METADATA_DISABLED="true",
    )
    return env


def _snapshot(endpoint: str, env: dict[str, str], cwd: Path) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "lambdaperm_tui",
            "--endpoint-url",
            endpoint,
            "--region",
            "us-east-1",
            "snapshot",
            "-o",
            "out.json",
        ],
        env=env,
        cwd=cwd,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _wait_for_requests(server: LoopbackServer, count: int, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while server.requests < count:
        assert time.monotonic() < deadline, f"only {server.requests} requests reached the server"
        time.sleep(0.05)


def _interrupt(proc: subprocess.Popen[str]) -> tuple[float, str]:
    """SIGINT the process; seconds until it exited, and its stderr."""
    sent = time.monotonic()
    proc.send_signal(signal.SIGINT)
    try:
        _, stderr = proc.communicate(timeout=30)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.communicate()
        pytest.fail("the process was still running 30 s after SIGINT")
    return time.monotonic() - sent, stderr


def test_the_default_timeouts_fit_the_stall_budget() -> None:
    factory = ClientFactory(region="us-east-1", endpoint_url="http://127.0.0.1:9")
    config = factory.client("sts").meta.config
    assert config.connect_timeout == DEFAULT_CONNECT_TIMEOUT
    assert config.read_timeout == DEFAULT_READ_TIMEOUT
    assert config.retries["total_max_attempts"] == DEFAULT_MAX_ATTEMPTS
    # Every attempt connecting at the last moment and then reading nothing, plus the backoffs.
    assert factory.budget >= DEFAULT_MAX_ATTEMPTS * (DEFAULT_CONNECT_TIMEOUT + DEFAULT_READ_TIMEOUT)
    assert factory.budget < STALL_BUDGET == 30.0


def test_an_endpoint_that_never_answers_is_one_clear_line_within_30_s(
    cli_env: dict[str, str], tmp_path: Path
) -> None:
    with loopback("stall") as server:
        started = time.monotonic()
        proc = _snapshot(server.endpoint_url, cli_env, tmp_path)
        _, stderr = proc.communicate(timeout=60)
        elapsed = time.monotonic() - started
    assert elapsed < STALL_BUDGET, f"took {elapsed:.1f} s"
    assert proc.returncode == 2, stderr
    assert "Traceback" not in stderr
    lines = stderr.strip().splitlines()
    assert len(lines) == 1, stderr
    assert server.endpoint_url in lines[0]
    assert "did not answer sts:GetCallerIdentity" in lines[0]
    assert f"{DEFAULT_MAX_ATTEMPTS} attempts" in lines[0]
    assert server.requests == DEFAULT_MAX_ATTEMPTS  # retried, but bounded
    assert FAKE_SECRET not in stderr
    assert not (tmp_path / "out.json").exists()


def test_ctrl_c_during_the_credentials_check_exits_at_once(cli_env: dict[str, str], tmp_path: Path) -> None:
    with loopback("stall") as server:
        proc = _snapshot(server.endpoint_url, cli_env, tmp_path)
        _wait_for_requests(server, 1)
        seconds, stderr = _interrupt(proc)
    assert seconds < 3.0, f"exited {seconds:.1f} s after SIGINT"
    assert proc.returncode == 130
    assert "Traceback" not in stderr
    assert stderr.strip().endswith("interrupted")


def test_ctrl_c_on_a_snapshot_of_a_stalled_account_abandons_the_requests_in_flight(
    cli_env: dict[str, str], tmp_path: Path
) -> None:
    with loopback("identity") as server:
        proc = _snapshot(server.endpoint_url, cli_env, tmp_path)
        # GetCallerIdentity, then the load's first reads (ListFunctions, IAM, layers...) all hanging.
        _wait_for_requests(server, 4)
        time.sleep(0.5)
        seconds, stderr = _interrupt(proc)
    assert seconds < 3.0, f"exited {seconds:.1f} s after SIGINT"
    assert proc.returncode == 130
    assert "Traceback" not in stderr
    assert stderr.strip().splitlines() == ["lambdaperm-tui: interrupted"]
    assert not list(tmp_path.glob("out.json*"))  # neither the snapshot nor a temp file


@pytest.fixture
def stalled_account(aws_env: Path) -> Iterator[LoopbackServer]:
    with loopback("identity") as server:
        yield server


def test_a_cancelled_load_returns_at_once_and_leaves_no_worker_blocking_exit(
    stalled_account: LoopbackServer,
) -> None:
    factory = ClientFactory(region="us-east-1", endpoint_url=stalled_account.endpoint_url)
    loader = Loader(factory, ["us-east-1"], rate_limits=False)
    cancel = threading.Event()
    result: list[object] = []
    thread = threading.Thread(target=lambda: result.append(loader.run(cancel=cancel)))
    thread.start()
    _wait_for_requests(stalled_account, 4)
    cancelled = time.monotonic()
    cancel.set()
    thread.join(timeout=5)
    assert not thread.is_alive()
    assert time.monotonic() - cancelled < 1.0
    (inventory,) = result
    assert getattr(inventory, "complete", True) is False
    # The requests in flight are abandoned, not awaited: their workers are daemon threads, so neither
    # the interpreter's exit nor a shutdown joins them.
    workers = [t for t in threading.enumerate() if t.name.startswith("lambdaperm-load")]
    assert workers and all(t.daemon for t in workers)
