"""Argument handling that needs no source: context parsing, SOURCE option conflicts, usage errors."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from lambdaperm_tui.cli import CliError, _parse_context, build_parser

from .conftest import FUNCTION, ROLE, Run

Runner = Callable[..., Run]


def test_context_single_and_repeated_keys() -> None:
    parsed = _parse_context(
        [
            "aws:SourceIp=10.0.0.1",
            "lambda:Layer=arn:a:1",
            "lambda:Layer=arn:a:2",
            "aws:PrincipalTag/team=a,b=c",
        ]
    )
    assert parsed == {
        "aws:SourceIp": "10.0.0.1",
        "lambda:Layer": ("arn:a:1", "arn:a:2"),
        "aws:PrincipalTag/team": "a,b=c",  # never split on commas; only the first '=' separates
    }


@pytest.mark.parametrize("item", ["novalue", "=x", ""])
def test_context_without_key_or_equals_is_an_error(item: str) -> None:
    with pytest.raises(CliError, match="KEY=VALUE"):
        _parse_context([item])


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["who-can", "--snapshot", "s.json", "--demo"], "not allowed with argument"),
        (["who-can", "--snapshot", "s.json", "--profile", "p"], "--profile apply to a live account"),
        (["who-can", "--demo", "--endpoint-url", "http://x"], "--endpoint-url apply to a live account"),
        (["who-can", "--snapshot", "s.json", "--region", "us-east-1"], "--region applies"),
        (["snapshot", "--demo"], "-o/--output"),
        (["snapshot", "-o", "x.json", "--workers", "0"], "must be at least 1"),
        (["--color", "purple"], "invalid choice"),
    ],
)
def test_source_conflicts_exit_2(run: Runner, argv: list[str], message: str) -> None:
    if argv[0] == "who-can":
        argv = [*argv, "--action", "lambda:InvokeFunction", "--resource", FUNCTION]
    result = run(*argv)
    assert result.code == 2
    assert message in result.err, result.err
    assert result.err.count("\n") == 1


def test_source_options_before_or_after_the_command() -> None:
    parser = build_parser()
    before = parser.parse_args(["--demo", "who-can", "--action", "a:b", "--resource", FUNCTION])
    after = parser.parse_args(["who-can", "--action", "a:b", "--resource", FUNCTION, "--demo"])
    assert before.demo is True and after.demo is True
    regions = parser.parse_args(["simulate", "--principal", ROLE, "--region", "a", "--region", "b"])
    assert regions.region == ["a", "b"]
    top = parser.parse_args(["--snapshot", "s.json"])
    assert (top.command, top.snapshot, top.demo) == (None, "s.json", False)
