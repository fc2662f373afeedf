"""A role profile with ``mfa_serial`` and no terminal to type the code on (issue 7, item 15): one line saying
that the profile needs an MFA code and an interactive terminal, exit status 2 (before: ``EOFError:
EOFError``).

The profiles are real (a temporary ``AWS_CONFIG_FILE`` and ``AWS_SHARED_CREDENTIALS_FILE``): a role profile
with ``mfa_serial`` whose ``source_profile`` has static keys, as documented at
https://docs.aws.amazon.com/cli/latest/userguide/cli-configure-role.html#cli-configure-role-mfa. The CLI
runs in a new session (no controlling terminal) with stdin from /dev/null, and every endpoint is a
counting loopback server on 127.0.0.1, so nothing leaves the machine.
"""

from __future__ import annotations

import fcntl
import os
import pty
import select
import subprocess
import sys
import termios
import time
from pathlib import Path

import pytest

from tests.aws.loopback import loopback

SECRET_KEY = "wJalrXUtnFEMI/K7MDENG/MFAPROFILEFAKESECRET"
MFA_SERIAL = "arn:aws:iam::111122223333:mfa/auditor"
FUNCTION = "arn:aws:lambda:us-east-1:111122223333:function:billing"


def _env(tmp_path: Path, endpoint: str, *, chained: bool = False) -> dict[str, str]:
    config = tmp_path / "config"
    text = (
        "[profile audit]\nregion = us-east-1\n"
        "role_arn = arn:aws:iam::111122223333:role/Auditor\n"
        f"mfa_serial = {MFA_SERIAL}\nsource_profile = base\n"
        "[profile base]\nregion = us-east-1\n"
    )
    if chained:  # the MFA is on the role the profile's own role is assumed from
        text += (
            "[profile chained]\nregion = us-east-1\n"
            "role_arn = arn:aws:iam::111122223333:role/ReadOnly\nsource_profile = audit\n"
        )
    config.write_text(text)
    credentials = tmp_path / "credentials"
    credentials.write_text(
        f"[base]\naws_access_key_id = AKIAFAKEMFABASE\naws_secret_access_key = {SECRET_KEY}\n"
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env.update(
        AWS_CONFIG_FILE=str(config),
        AWS_SHARED_CREDENTIALS_FILE=str(credentials),
        AWS_ENDPOINT_URL=endpoint,  # STS (AssumeRole) included: nothing leaves 127.0.0.1
        AWS_EC2_METADATA_DISABLED="true",
    )
    return env


@pytest.mark.parametrize(
    ("args", "profile"),
    [
        (("--profile", "audit", "snapshot", "-o", "out.json"), "audit"),
        (
            ("--profile", "audit", "who-can", "--action", "lambda:InvokeFunction", "--resource", FUNCTION),
            "audit",
        ),
        (("--profile", "audit"), "audit"),  # the explorer: credentials are resolved before the UI starts
        (("snapshot", "-o", "out.json"), "audit"),  # the profile from AWS_PROFILE
        (("--profile", "chained", "snapshot", "-o", "out.json"), "chained"),
    ],
)
def test_an_mfa_profile_without_a_terminal_says_so(
    tmp_path: Path, args: tuple[str, ...], profile: str
) -> None:
    with loopback("answer") as server:
        env = _env(tmp_path, server.endpoint_url, chained=profile == "chained")
        if "--profile" not in args:
            env["AWS_PROFILE"] = profile
        proc = subprocess.run(
            [sys.executable, "-m", "lambdaperm_tui", *args],
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            env=env,
            cwd=tmp_path,
            timeout=120,
            check=False,
            start_new_session=True,  # no controlling terminal: /dev/tty cannot be opened
        )
    assert proc.returncode == 2, proc.stderr
    output = proc.stdout + proc.stderr
    assert "Traceback" not in output and "EOFError" not in output
    assert SECRET_KEY not in output
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1, proc.stderr
    assert f"profile {profile}" in lines[0]
    assert "needs an MFA code" in lines[0] and "interactive terminal" in lines[0]
    assert server.requests == 0  # no AssumeRole was sent without the code
    assert not (tmp_path / "out.json").exists()


def test_end_of_input_at_the_mfa_prompt_says_so(tmp_path: Path) -> None:
    """A terminal that answers the prompt with end-of-input (Ctrl-D): botocore's prompt raises EOFError,
    which must end as the same one line. The process gets a pseudo-terminal as its controlling terminal."""
    with loopback("answer") as server:
        leader, follower = pty.openpty()

        def controlling_terminal() -> None:
            os.setsid()
            fcntl.ioctl(follower, termios.TIOCSCTTY, 0)

        proc = subprocess.Popen(
            [sys.executable, "-m", "lambdaperm_tui", "--profile", "audit", "snapshot", "-o", "out.json"],
            stdin=follower,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env=_env(tmp_path, server.endpoint_url),
            cwd=tmp_path,
            preexec_fn=controlling_terminal,  # noqa: PLW1509 - the child needs its own terminal
            pass_fds=(follower,),
            text=True,
        )
        os.close(follower)
        seen = b""
        deadline = time.monotonic() + 60
        try:
            while b"MFA code" not in seen:  # getpass writes its prompt on the terminal
                assert time.monotonic() < deadline and proc.poll() is None, seen
                ready, _, _ = select.select([leader], [], [], 0.1)
                if ready:
                    seen += os.read(leader, 4096)
            os.write(leader, b"\x04")  # Ctrl-D: end of input
            _, stderr = proc.communicate(timeout=60)
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
            os.close(leader)
    assert proc.returncode == 2, stderr
    assert "Traceback" not in stderr and "EOFError" not in stderr
    assert SECRET_KEY not in stderr
    assert "profile audit needs an MFA code" in stderr.strip().splitlines()[-1]
    assert server.requests == 0
