"""Parsing the Condition element: what is rejected, with which message, and fuzzing.

Unknown operators are errors, never silently "match" (issue 2). Policy values an operator cannot read
(numbers for Numeric*, dates for Date*, CIDR blocks for IpAddress, base64 for BinaryEquals, true/false
for Bool and Null) are errors at parse time, naming the operator and the key:
https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lambdaperm_tui.iam.conditions import evaluate_conditions, parse_conditions
from lambdaperm_tui.iam.context import RequestContext
from lambdaperm_tui.iam.errors import PolicyError


def message(obj: Any, where: str = "Statement[0].Condition", **kw: Any) -> str:
    with pytest.raises(PolicyError) as info:
        parse_conditions(obj, where, **kw)
    text = str(info.value)
    assert "\n" not in text
    return text


def test_unknown_operator_message() -> None:
    assert message({"StringEqualz": {"aws:SourceAccount": "1"}}, "Statement[2].Condition") == (
        'Statement[2].Condition: unknown operator "StringEqualz"'
    )


@pytest.mark.parametrize(
    "operator",
    [
        # Operator names are case-sensitive: IAM rejects "stringEquals" with "MalformedPolicyDocument:
        # Invalid Condition type : stringEquals"
        # (https://github.com/ministryofjustice/modernisation-platform-environments/pull/8893).
        "stringequals",
        "stringEquals",
        "NullIfExists",  # "IfExists ... except the Null condition"
        "ForSomeValues:StringEquals",
        "ForAllValues:",
        "ForAllValues:StringEqualz",
        "IfExists",
        "StringEqualsIfExistsIfExists",
        "BinaryNotEquals",
        "",
    ],
)
def test_unknown_operators(operator: str) -> None:
    assert f'unknown operator "{operator}"' in message({operator: {"k:k": "v"}})


def test_null_takes_no_set_operator() -> None:
    assert "Null takes no set qualifier" in message({"ForAllValues:Null": {"k:k": "true"}})


def test_bad_value_shape_message() -> None:
    assert message({"StringEquals": {"aws:SourceAccount": {"a": 1}}}) == (
        "Statement[0].Condition.StringEquals: "
        'value for "aws:SourceAccount" must be a string or list of strings'
    )


@pytest.mark.parametrize("value", [None, {"a": "b"}, [["nested"]], [None], [{"a": 1}], float("nan")])
def test_bad_value_shapes(value: Any) -> None:
    assert 'value for "k:k"' in message({"StringEquals": {"k:k": value}})


@pytest.mark.parametrize("block", ["x", ["StringEquals"], None, 3])
def test_condition_must_be_an_object(block: Any) -> None:
    assert message(block).startswith("Statement[0].Condition: must be an object")


@pytest.mark.parametrize("inner", ["aws:SourceIp", ["a"], None, 1])
def test_operator_block_must_be_an_object(inner: Any) -> None:
    assert message({"IpAddress": inner}).startswith("Statement[0].Condition.IpAddress: must be an object")


def test_empty_key_is_an_error() -> None:
    assert "condition key" in message({"StringEquals": {"": "x"}})


@pytest.mark.parametrize(
    ("operator", "value", "fragment"),
    [
        ("NumericLessThan", "ten", 'value "ten" for "k:k" is not a number'),
        ("NumericEqualsIfExists", ["1", "x"], 'value "x" for "k:k" is not a number'),
        ("ForAnyValue:NumericGreaterThan", "1..2", "is not a number"),
        ("NumericEquals", "${aws:username}", "is not a number"),  # no variables in Numeric
        ("DateGreaterThan", "yesterday", "is not a date"),
        ("DateLessThan", "2024-02-30T00:00:00Z", "is not a date"),
        ("DateEquals", "2024-01-01T25:00:00Z", "is not a date"),
        ("DateEquals", "${aws:CurrentTime}", "is not a date"),
        ("IpAddress", "10.0.0.0/33", "is not an IP address or CIDR block"),
        ("NotIpAddress", "not-an-ip", "is not an IP address or CIDR block"),
        ("BinaryEquals", "%%%", "is not base64"),
        ("Bool", "yes", 'is not "true" or "false"'),
        ("Null", "maybe", 'is not "true" or "false"'),
    ],
)
def test_unreadable_policy_values(operator: str, value: Any, fragment: str) -> None:
    text = message({operator: {"k:k": value}})
    assert text.startswith(f"Statement[0].Condition.{operator}: ")
    assert fragment in text


def test_variable_values_are_checked_literally_when_variables_are_off() -> None:
    # With Version 2008-10-17 a Bool value "${x:y}" is just text, which is not true/false.
    assert parse_conditions({"Bool": {"k:k": "${x:y}"}}, "S", variables=True)
    assert 'is not "true" or "false"' in message({"Bool": {"k:k": "${x:y}"}}, variables=False)


@pytest.mark.parametrize(
    ("operator", "value"),
    [
        ("NumericEquals", ["1", "-2.5", ".5", "3.", "1e3", 7, 7.25]),
        (
            "DateEquals",
            ["2024", "2024-01", "2024-01-31", "2024-01-31T12:00Z", "2024-01-31T12:00:00.123456789+05:30"],
        ),
        ("DateEquals", ["1704067200", "1704067200.25", 1704067200]),
        ("IpAddress", ["10.0.0.0/8", "10.1.2.3", "2001:DB8::/32", "::1", "10.1.2.3/8"]),
        ("BinaryEquals", ["QQ==", ""]),
        ("Bool", ["true", "FALSE", True]),
        ("ArnLike", ["*", "arn:aws:s3:::bucket", "not-an-arn"]),
    ],
)
def test_readable_policy_values(operator: str, value: Any) -> None:
    assert len(parse_conditions({operator: {"k:k": value}}, "S")) == 1


# Any JSON value in: a tuple of conditions or a PolicyError out, never another exception; and the
# result evaluates against any context without raising.
json_scalars = st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=12)
json_values = st.recursive(
    json_scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner, max_size=4),
    max_leaves=12,
)
operator_names = st.sampled_from(
    [
        "StringEquals", "StringLike", "StringNotLike", "NumericLessThan", "DateGreaterThan", "Bool",
        "BinaryEquals", "IpAddress", "ArnLike", "Null", "ForAllValues:StringEquals",
        "ForAnyValue:ArnNotLikeIfExists", "DateEqualsIfExists", "Bogus",
    ]
) | st.text(max_size=20)  # fmt: skip
condition_like = st.dictionaries(
    operator_names,
    st.dictionaries(st.sampled_from(["k:k", "K:K", "x:y"]) | st.text(max_size=6), json_values, max_size=3),
    max_size=3,
)
contexts = st.dictionaries(
    st.sampled_from(["k:k", "x:y", "K:k"]),
    st.text(max_size=10)
    | st.lists(st.text(max_size=10), max_size=3)
    | st.sampled_from(["10.0.0.1", "2024-01-01", "QQ=="]),
    max_size=3,
)


@settings(max_examples=300, deadline=None)
@given(obj=json_values | condition_like, context=contexts, variables=st.booleans())
def test_fuzz_parse_and_evaluate(obj: Any, context: dict[str, Any], variables: bool) -> None:
    json.dumps(obj)  # the input is JSON-shaped
    try:
        conditions = parse_conditions(obj, "Statement[0].Condition")
    except PolicyError as e:
        assert str(e).startswith("Statement[0].Condition")
        return
    ok, matches = evaluate_conditions(conditions, RequestContext(context), variables=variables, explain=True)
    assert isinstance(ok, bool)
    assert len(matches) == len(conditions)
    assert ok is all(m.matched for m in matches)
