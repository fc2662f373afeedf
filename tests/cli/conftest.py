"""Helpers for CLI tests: scenario builders and a runner of ``main`` that captures output."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from lambdaperm_tui.cli import main

ACCOUNT = "111122223333"
OTHER = "444455556666"
ROLE = f"arn:aws:iam::{ACCOUNT}:role/orders-api"
FUNCTION = f"arn:aws:lambda:us-east-1:{ACCOUNT}:function:billing:prod"


def policy(
    effect: str = "Allow", sid: str | None = "AllowInvoke", resource: str = FUNCTION
) -> dict[str, Any]:
    """A one-statement policy document on lambda:InvokeFunction."""
    statement: dict[str, Any] = {"Effect": effect, "Action": "lambda:InvokeFunction", "Resource": resource}
    if sid is not None:
        statement["Sid"] = sid
    return {"Version": "2012-10-17", "Statement": [statement]}


def scenario(**fields: Any) -> dict[str, Any]:
    """A same-account scenario; ``fields`` replace or add top-level fields."""
    out: dict[str, Any] = {"principal": ROLE, "action": "lambda:InvokeFunction", "resource": FUNCTION}
    out.update(fields)
    return out


def allowed() -> dict[str, Any]:
    """Same account, identity policy allows: allowed.
    https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html"""
    return scenario(identity_policies=[{"name": "orders-api/inline/invoke", "document": policy()}])


def explicit_deny() -> dict[str, Any]:
    """An explicit Deny in any policy overrides the Allow.
    https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html"""
    return scenario(
        identity_policies=[
            {"name": "orders-api/inline/invoke", "document": policy()},
            {"name": "deny-billing", "document": policy("Deny", sid="NoBilling")},
        ]
    )


def implicit_deny() -> dict[str, Any]:
    """No policy allows: implicit deny (the default).
    https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html"""
    return scenario(identity_policies=[{"name": "other", "document": policy(resource=FUNCTION + "x")}])


@dataclass
class Run:
    """The outcome of one ``main`` call."""

    code: int
    out: str
    err: str

    def json(self) -> Any:
        return json.loads(self.out)

    def lines(self) -> list[Any]:
        return [json.loads(line) for line in self.out.splitlines()]


@pytest.fixture
def run(capsys: pytest.CaptureFixture[str]) -> Callable[..., Run]:
    """Run ``main(argv)`` in-process and capture its exit status, stdout and stderr."""

    def go(*argv: str) -> Run:
        code = main(list(argv))
        captured = capsys.readouterr()
        return Run(code, captured.out, captured.err)

    return go


@pytest.fixture
def write(tmp_path: Path) -> Callable[[str, Any], str]:
    """Write a scenario (object → JSON; list → JSON lines; str → as is) and return its path."""

    def go(name: str, content: Any) -> str:
        path = tmp_path / name
        if isinstance(content, str):
            path.write_text(content)
        elif isinstance(content, list):
            path.write_text("".join(json.dumps(item) + "\n" for item in content))
        else:
            path.write_text(json.dumps(content))
        return str(path)

    return go
