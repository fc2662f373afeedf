"""A failing ``credential_process`` never has its output echoed (issue 7, item 9): the process may print a
token to stderr, and botocore puts that text verbatim in its error. The CLI says which provider failed and
how to see the details, as one line, exit status 2.

The profile is real (a temporary ``AWS_CONFIG_FILE``), the CLI runs as a subprocess, and the helper is a
real process that prints the secret to stderr and exits 1: ``credential_process`` is documented at
https://docs.aws.amazon.com/cli/latest/userguide/cli-configure-sourcing-external.html
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import botocore.exceptions as bce
import pytest

from lambdaperm_tui.aws.loader import reason_of

SECRET = "FwoGZXIvYXdzEXAMPLESESSIONTOKEN-do-not-print"
FUNCTION = "arn:aws:lambda:us-east-1:111122223333:function:billing"


@pytest.fixture
def leaky_env(tmp_path: Path) -> dict[str, str]:
    helper = tmp_path / "helper.py"
    helper.write_text(
        "import sys\n"
        f"sys.stderr.write('token refresh failed; last token was {SECRET}\\n')\n"
        f"print('{SECRET}')\n"
        "sys.exit(1)\n"
    )
    config = tmp_path / "config"
    config.write_text(
        f"[profile leaky]\nregion = us-east-1\ncredential_process = {sys.executable} {helper}\n"
        f"[default]\nregion = us-east-1\ncredential_process = {sys.executable} {helper}\n"
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env.update(
        AWS_CONFIG_FILE=str(config),
        AWS_SHARED_CREDENTIALS_FILE=str(tmp_path / "credentials"),
        AWS_EC2_METADATA_DISABLED="true",
    )
    return env


@pytest.mark.parametrize(
    "args",
    [
        ("--profile", "leaky", "who-can", "--action", "lambda:InvokeFunction", "--resource", FUNCTION),
        (
            "--profile",
            "leaky",
            "simulate",
            "--principal",
            "anonymous",
            "--action",
            "lambda:InvokeFunction",
            "--resource",
            FUNCTION,
        ),
        ("--profile", "leaky", "snapshot", "-o", "out.json"),
        ("--profile", "leaky"),  # the explorer: credentials are resolved before the UI starts
        ("who-can", "--action", "lambda:InvokeFunction", "--resource", FUNCTION),  # the default profile
    ],
)
def test_failing_credential_process_output_is_never_echoed(
    leaky_env: dict[str, str], tmp_path: Path, args: tuple[str, ...]
) -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "lambdaperm_tui", *args],
        capture_output=True,
        text=True,
        env=leaky_env,
        cwd=tmp_path,
        timeout=120,
        check=False,
    )
    assert proc.returncode == 2, proc.stderr
    assert SECRET not in proc.stdout and SECRET not in proc.stderr
    assert "Traceback" not in proc.stderr
    line = proc.stderr.strip()
    assert len(line.splitlines()) == 1
    assert "credential_process" in line and "failed" in line
    assert "aws sts get-caller-identity" in line
    if "--profile" in args:
        assert "profile leaky" in line and "--profile leaky" in line
    assert not (tmp_path / "out.json").exists()


def test_a_refresh_failing_mid_load_is_recorded_without_the_output() -> None:
    exc = bce.CredentialRetrievalError(provider="custom-process", error_msg=f"expired: {SECRET}")
    reason = reason_of(exc)
    assert SECRET not in reason
    assert reason.startswith("CredentialRetrievalError: the credential_process")
    other = reason_of(bce.CredentialRetrievalError(provider="container-role", error_msg=SECRET))
    assert SECRET not in other and "container-role" in other
