"""Context entries as text (``KEY=VALUE``): the CLI's ``--context`` and the simulator's rows read them."""

from __future__ import annotations

import pytest

from lambdaperm_tui.iam.errors import InputError
from lambdaperm_tui.iam.request import context_entry, context_of, split_context_entries


def test_an_entry_is_a_key_and_a_value_stripped() -> None:
    assert context_entry(" aws:SourceIp = 10.0.0.1 ") == ("aws:SourceIp", "10.0.0.1")
    assert context_entry("k==v") == ("k", "=v")  # only the first = separates
    assert context_entry("k=") == ("k", "")


@pytest.mark.parametrize("text", ["no equals sign", "=value", "  =x"])
def test_an_entry_without_a_key_says_what_is_expected(text: str) -> None:
    with pytest.raises(InputError, match=r"expected KEY=VALUE \(e\.g\. aws:SourceIp=10\.0\.0\.1\)"):
        context_entry(text)


def test_a_key_given_twice_is_multi_valued_in_order() -> None:
    assert context_of([("a", "1"), ("b", "2"), ("a", "3")]) == {"a": ("1", "3"), "b": "2"}


def test_entries_written_together_split_on_lines_and_on_commas_before_a_key() -> None:
    assert split_context_entries("a=1\n\n b=2 \r\nc=x,y, d=3") == ["a=1", "b=2", "c=x,y", "d=3"]
    assert split_context_entries("k=a, b") == ["k=a, b"]  # no key after the comma: part of the value
    assert split_context_entries("aws:SourceArn=arn:aws:s3:::b,aws:SourceAccount=1") == [
        "aws:SourceArn=arn:aws:s3:::b",
        "aws:SourceAccount=1",
    ]
