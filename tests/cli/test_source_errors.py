"""A source that cannot be opened is one line, chosen by the error's class (cli._source_error)."""

from __future__ import annotations

import botocore.exceptions as bce
import pytest

from lambdaperm_tui.aws.clients import NO_CREDENTIALS, CredentialsError
from lambdaperm_tui.aws.source import SourceError
from lambdaperm_tui.cli import _source_error
from lambdaperm_tui.iam.errors import InputError, PolicyError
from lambdaperm_tui.inventory.snapshot import SnapshotError


class SubclassedSourceError(SourceError):
    """A subclass is matched too (names were compared before, so a subclass fell through)."""


@pytest.mark.parametrize(
    "exc",
    [
        SourceError("--snapshot: no such file: /x.json"),
        SnapshotError("not a snapshot: /x.json"),
        InputError("--region: unknown region"),
        PolicyError("document: must be a JSON object"),
        SubclassedSourceError("from a subclass"),
        CredentialsError("the profile has no region"),
    ],
    ids=lambda e: type(e).__name__,
)
def test_our_errors_are_shown_as_they_are(exc: Exception) -> None:
    assert _source_error(exc) == str(exc)


def test_an_unreachable_endpoint_says_so() -> None:
    exc = bce.EndpointConnectionError(endpoint_url="https://lambda.us-east-1.amazonaws.com")
    assert _source_error(exc).startswith("cannot reach the AWS endpoint: ")


def test_missing_credentials_give_the_fix() -> None:
    assert _source_error(bce.NoCredentialsError()) == NO_CREDENTIALS


def test_a_missing_demo_extra_names_the_extra() -> None:
    exc = ModuleNotFoundError("No module named 'moto'", name="moto")
    assert "lambdaperm-tui[demo]" in _source_error(exc)


def test_anything_else_names_its_class() -> None:
    assert _source_error(KeyError("x")) == "KeyError: 'x'"
