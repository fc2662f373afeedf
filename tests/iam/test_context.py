"""RequestContext: case-insensitive key names, values as tuples of AWS string forms.

Key names are case-insensitive, values are not:
https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition.html
"""

from __future__ import annotations

import pytest

from lambdaperm_tui.iam.context import RequestContext
from lambdaperm_tui.iam.errors import RequestError


def test_lookup_ignores_key_case_but_keeps_value_case() -> None:
    ctx = RequestContext({"aws:SourceIp": "10.0.0.1", "aws:PrincipalTag/Team": "Payments"})
    assert ctx.get("AWS:SOURCEIP") == ("10.0.0.1",)
    assert ctx.get("aws:principaltag/team") == ("Payments",)
    assert "aws:sourceip" in ctx
    assert ctx.get("aws:SourceVpc") is None


def test_single_values_become_one_tuples_and_lists_tuples() -> None:
    ctx = RequestContext({"a": "x", "b": ["x", "y"], "c": ("z",), "d": []})
    assert ctx.get("a") == ("x",)
    assert ctx.get("b") == ("x", "y")
    assert ctx.get("c") == ("z",)
    assert ctx.get("d") == ()  # present, with no values


def test_booleans_and_numbers_take_their_aws_string_forms() -> None:
    ctx = RequestContext(
        {"aws:SecureTransport": True, "aws:MultiFactorAuthPresent": False, "n": 42, "f": 1.5}
    )
    assert ctx.get("aws:SecureTransport") == ("true",)
    assert ctx.get("aws:MultiFactorAuthPresent") == ("false",)
    assert ctx.get("n") == ("42",)
    assert ctx.get("f") == ("1.5",)
    assert RequestContext({"l": [1, True, "x"]}).get("l") == ("1", "true", "x")


def test_get_single_only_for_exactly_one_value() -> None:
    ctx = RequestContext({"a": "x", "b": ["x", "y"], "c": []})
    assert ctx.get_single("A") == "x"
    assert ctx.get_single("b") is None
    assert ctx.get_single("c") is None
    assert ctx.get_single("missing") is None


def test_with_defaults_adds_only_absent_keys_whatever_their_case() -> None:
    ctx = RequestContext({"aws:PrincipalArn": "arn:aws:iam::111122223333:role/given"})
    merged = ctx.with_defaults(
        {"AWS:PRINCIPALARN": "arn:aws:iam::111122223333:role/derived", "aws:PrincipalAccount": "111122223333"}
    )
    assert merged.get("aws:PrincipalArn") == ("arn:aws:iam::111122223333:role/given",)
    assert merged.get("aws:PrincipalAccount") == ("111122223333",)
    # The original is unchanged.
    assert ctx.get("aws:PrincipalAccount") is None


def test_items_keep_the_spelling_given() -> None:
    ctx = RequestContext({"aws:SourceIp": "10.0.0.1", "lambda:Layer": ["a", "b"]})
    assert dict(ctx.items()) == {"aws:SourceIp": ("10.0.0.1",), "lambda:Layer": ("a", "b")}
    assert ctx.to_dict() == {"aws:SourceIp": "10.0.0.1", "lambda:Layer": ["a", "b"]}
    assert len(ctx) == 2


def test_immutable_and_comparable() -> None:
    ctx = RequestContext({"a": "x"})
    with pytest.raises(AttributeError):
        setattr(ctx, "foo", 1)  # noqa: B010
    assert ctx == RequestContext({"A": ["x"]})
    assert hash(ctx) == hash(RequestContext({"A": ["x"]}))
    assert ctx != RequestContext({"a": "y"})


@pytest.mark.parametrize("bad", [None, {"x": 1}, [["nested"]], float("nan"), object()])
def test_unsupported_values_are_request_errors_naming_the_key(bad: object) -> None:
    with pytest.raises(RequestError, match=r'context\["aws:SourceIp"\]'):
        RequestContext({"aws:SourceIp": bad})


def test_empty_key_is_an_error() -> None:
    with pytest.raises(RequestError, match="context"):
        RequestContext({"": "x"})
