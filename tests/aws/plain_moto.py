"""A plain ``moto_server`` in its own process, and the CLI pointed at it through ``AWS_ENDPOINT_URL``.

The in-process servers of the other tests carry the demo adapter; this one has moto's own policy shapes,
as a user's local emulator would.
"""

from __future__ import annotations

import io
import os
import socket
import subprocess
import sys
import time
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


@contextmanager
def plain_moto_server() -> Iterator[str]:
    """Start ``moto_server`` on a free 127.0.0.1 port; yields its URL, stops it on exit."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = int(s.getsockname()[1])
    proc = subprocess.Popen(
        [str(Path(sys.executable).with_name("moto_server")), "-H", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
                break
            except OSError:
                time.sleep(0.1)
        yield f"http://127.0.0.1:{port}"
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def cli_env(url: str, region: str) -> dict[str, str]:
    """This process's environment without any AWS setting, plus the endpoint and fake keys."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env.update(
        AWS_ENDPOINT_URL=url,
        AWS_ACCESS_KEY_ID="testing",
        AWS_SECRET_ACCESS_KEY="testing",
        AWS_DEFAULT_REGION=region,
    )
    return env


def run_cli(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    """``python -m lambdaperm_tui ARGS`` as a user runs it; never a traceback."""
    out = subprocess.run(
        [sys.executable, "-m", "lambdaperm_tui", *args], env=env, capture_output=True, text=True, timeout=180
    )
    assert "Traceback" not in out.stderr, out.stderr
    return out


def function_zip() -> bytes:
    """A minimal deployment package."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("x.py", "def h(e, c): pass")
    return buf.getvalue()
