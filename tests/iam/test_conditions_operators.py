"""Every condition operator, one table each: present, absent and multi-valued keys.

Source for all rows unless noted:
https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html
- "If the key that you specify in a policy condition is not present in the request context, the values
  do not match and the condition is false. If the policy condition requires that the key is not
  matched, such as StringNotLike or ArnNotLike, and the right key is not present, the condition is
  true." -> every table has an absent row (positive False, negated True).
- Multiple values for one key are ORed; for a negated operator, NORed:
  https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_multi-value-conditions.html
"""

from __future__ import annotations

from typing import Any

import pytest

from lambdaperm_tui.iam.conditions import OPERATORS, evaluate_conditions, parse_conditions
from lambdaperm_tui.iam.context import RequestContext

KEY = "test:Key"
ABSENT = object()


def ev(operator: str, policy: Any, request: Any, *, variables: bool = True) -> bool:
    """Evaluate one condition both ways (explained and not) and check they agree."""
    conditions = parse_conditions({operator: {KEY: policy}}, "Statement[0].Condition")
    ctx = RequestContext({} if request is ABSENT else {KEY: request})
    quick, none = evaluate_conditions(conditions, ctx, variables=variables, explain=False)
    full, matches = evaluate_conditions(conditions, ctx, variables=variables, explain=True)
    assert none == ()
    assert quick is full
    assert len(matches) == 1 and matches[0].matched is full
    assert matches[0].request_values == (None if request is ABSENT else ctx.get(KEY))
    return full


def table(operator: str, rows: list[tuple[Any, Any, bool]]) -> list[Any]:
    return [
        pytest.param(operator, p, r, e, id=f"{operator}-{p!r}-{'absent' if r is ABSENT else r!r}")
        for p, r, e in rows
    ]


STRING = (
    table(
        "StringEquals",
        [
            ("prod", "prod", True),
            ("prod", "Prod", False),  # case-sensitive
            ("prod", "prod ", False),
            ("prod", ABSENT, False),
            (["dev", "prod"], "prod", True),  # OR over policy values
            (["dev", "prod"], "test", False),
            ("prod", ["test", "prod"], True),  # a multi-valued key without qualifier: any value
            ("pro*", "prod", False),  # no wildcards in StringEquals
            (111122223333, "111122223333", True),  # numbers are compared as their text
        ],
    )
    + table(
        "StringNotEquals",
        [
            ("prod", "prod", False),
            ("prod", "dev", True),
            ("prod", ABSENT, True),
            (["dev", "prod"], "prod", False),  # NOR: not equal to any
            (["dev", "prod"], "test", True),
            ("prod", ["test", "prod"], False),
        ],
    )
    + table(
        "StringEqualsIgnoreCase",
        [
            ("Admin", "admin", True),
            ("Admin", "ADMIN", True),
            ("Admin", "admins", False),
            ("Admin", ABSENT, False),
        ],
    )
    + table(
        "StringNotEqualsIgnoreCase",
        [
            ("Admin", "admin", False),
            ("Admin", "user", True),
            ("Admin", ABSENT, True),
            (["a", "B"], "b", False),
        ],
    )
    + table(
        "StringLike",
        [
            ("home/*", "home/bob/x", True),
            ("home/*", "home/", True),  # * matches nothing too
            ("home/*", "Home/bob", False),  # case-sensitive
            ("home/*", "house", False),
            ("a?c", "abc", True),
            ("a?c", "abbc", False),
            ("a?c", "ac", False),
            ("*", "", True),
            ("a.c", "abc", False),  # only * and ? are special
            ("a+", "aa", False),
            ("[ab]", "a", False),
            ("*/admin/*", "x/admin/y", True),
            ("line*", "line1\nline2", True),  # * spans any character
            (["t1.*", "t2.*", "m3.*"], "t2.micro", True),
            (["t1.*", "t2.*", "m3.*"], "c5.large", False),
            ("t2.*", ABSENT, False),
        ],
    )
    + table(
        "StringNotLike",
        [
            ("home/*", "home/bob", False),
            ("home/*", "other", True),
            ("home/*", ABSENT, True),
            (["a*", "b*"], "bx", False),
            (["a*", "b*"], "cx", True),
        ],
    )
)

NUMERIC = (
    table(
        "NumericEquals",
        [
            ("10", "10", True),
            ("10", "10.0", True),  # compared as numbers, not text
            ("10", "+10", True),
            ("10", "11", False),
            ("10", "ten", False),  # a request value that is not a number matches nothing
            ("10", ABSENT, False),
            (10, "10", True),
            ("1.5", "1.50", True),
            (["1", "2"], "2", True),
        ],
    )
    + table(
        "NumericNotEquals",
        [
            ("10", "10", False),
            ("10", "11", True),
            ("10", ABSENT, True),
            (["1", "2"], "2", False),
            (["1", "2"], "3", True),
            ("10", "ten", True),  # an unreadable request value equals no policy value
        ],
    )
    + table(
        "NumericLessThan",
        [
            ("10", "9", True),
            ("10", "9.99", True),
            ("10", "-1", True),
            ("10", "10", False),
            ("10", "11", False),
            ("10", ABSENT, False),
            (["5", "10"], "7", True),  # less than either value
            (["5", "10"], "12", False),
        ],
    )
    + table(
        "NumericLessThanEquals",
        [("10", "10", True), ("10", "10.5", False), ("10", "3", True), ("10", ABSENT, False)],
    )
    + table(
        "NumericGreaterThan",
        [("10", "11", True), ("10", "10", False), ("10", "1e3", True), ("10", ABSENT, False)],
    )
    + table(
        "NumericGreaterThanEquals",
        [("10", "10", True), ("10", "9", False), (["10", "20"], "15", True), ("10", ABSENT, False)],
    )
)

# Dates: "W3C implementations of the ISO 8601 date formats or in epoch (UNIX) time", compared as
# instants whichever form each side uses. 2024-01-01T00:00:00Z is epoch 1704067200.
DATE = (
    table(
        "DateEquals",
        [
            ("2024-01-01T00:00:00Z", "2024-01-01T00:00:00Z", True),
            ("2024-01-01T00:00:00Z", "1704067200", True),  # epoch request, ISO policy
            ("1704067200", "2024-01-01T00:00:00Z", True),  # ISO request, epoch policy
            ("2024-01-01T00:00:00Z", "2024-01-01", True),  # a date alone is its midnight UTC
            ("2024-01-01T00:00:00Z", "2024-01-01T01:00:00+01:00", True),  # offsets
            ("2024-01-01T00:00:00Z", "2023-12-31T19:00:00-05:00", True),
            ("2024-01-01T00:00:00Z", "2024-01-01T00:00:00.000Z", True),
            ("2024-01-01T00:00:00Z", "2024-01-01T00:00Z", True),
            ("2024-01-01T00:00:00Z", "2024-01-01T00:00:01Z", False),
            ("2024-01-01T00:00:00Z", "not a date", False),
            ("2024-01-01T00:00:00Z", "2024-13-01", False),
            ("2024-01-01T00:00:00Z", ABSENT, False),
        ],
    )
    + table(
        "DateNotEquals",
        [
            ("2024-01-01T00:00:00Z", "1704067200", False),
            ("2024-01-01T00:00:00Z", "1704067201", True),
            ("2024-01-01T00:00:00Z", ABSENT, True),
        ],
    )
    + table(
        "DateLessThan",
        [
            ("2024-01-01T00:00:00Z", "2023-12-31T23:59:59Z", True),
            ("2024-01-01T00:00:00Z", "2024-01-01T00:00:00Z", False),
            ("2024-01-01T00:00:00Z", "1704067199", True),
            ("2024-01-01T00:00:00Z", "1704067200", False),
            ("2024-01-01T00:00:00Z", "2024-01-01T00:59:59+01:00", True),  # 23:59:59Z the day before
            ("2024-01-01T00:00:00Z", "2023-12-31", True),
            ("2024-01-01", "2023-12-31T23:59:59.999Z", True),
            ("1704067200", "2024-01-01T00:00:00.5Z", False),
            ("2024-01-01T00:00:00Z", ABSENT, False),
        ],
    )
    + table(
        "DateLessThanEquals",
        [
            ("2024-01-01T00:00:00Z", "1704067200", True),
            ("2024-01-01T00:00:00Z", "2024-01-01T00:00:01Z", False),
            ("2024-01-01T00:00:00Z", ABSENT, False),
        ],
    )
    + table(
        "DateGreaterThan",
        [
            ("2020-01-01T00:00:01Z", "2020-01-01T00:00:02Z", True),
            ("2020-01-01T00:00:01Z", "2020-01-01T00:00:01Z", False),
            ("2020-01-01T00:00:01Z", "1577836802", True),
            ("2020-01-01T00:00:01Z", "2020-01-01T01:00:00+02:00", False),  # 2019-12-31T23:00Z
            ("2020-01-01T00:00:01Z", ABSENT, False),
        ],
    )
    + table(
        "DateGreaterThanEquals",
        [
            ("2020-01-01T00:00:01Z", "1577836801", True),
            ("2020-01-01T00:00:01Z", "1577836800", False),
            ("2020-01-01T00:00:01Z", ABSENT, False),
        ],
    )
)

BOOL = table(
    "Bool",
    [
        ("true", "true", True),
        ("true", "false", False),
        ("false", "false", True),
        ("true", "TRUE", True),
        ("True", "true", True),
        (True, "true", True),  # a JSON boolean in the policy
        (False, "false", True),
        ("true", True, True),  # a Python boolean in the context
        ("true", "yes", False),
        ("true", ABSENT, False),
        ("false", ABSENT, False),
    ],
)

# "compares the value of the specified key byte for byte against a base-64 encoded representation".
BINARY = table(
    "BinaryEquals",
    [
        ("QmluYXJ5VmFsdWVJbkJhc2U2NA==", "QmluYXJ5VmFsdWVJbkJhc2U2NA==", True),
        ("QmluYXJ5VmFsdWVJbkJhc2U2NA==", "T3RoZXI=", False),
        ("QmluYXJ5VmFsdWVJbkJhc2U2NA==", "not base64!", False),
        ("QmluYXJ5VmFsdWVJbkJhc2U2NA==", ABSENT, False),
    ],
)

# "The value must be in the standard CIDR format (for example, 203.0.113.0/24 or
# 2001:DB8:1234:5678::/64). If you specify an IP address without the associated routing prefix, IAM
# uses the default prefix value of /32."
IP = table(
    "IpAddress",
    [
        ("203.0.113.0/24", "203.0.113.7", True),
        ("203.0.113.0/24", "203.0.114.1", False),
        ("203.0.113.0/24", "not an ip", False),
        ("203.0.113.0/24", ABSENT, False),
        ("203.0.113.5", "203.0.113.5", True),  # no prefix: /32
        ("203.0.113.5", "203.0.113.6", False),
        ("2001:DB8:1234:5678::/64", "2001:db8:1234:5678::1", True),
        ("2001:DB8:1234:5678::/64", "2001:db8:1234:5679::1", False),
        ("2001:DB8:1234:5678::/64", "203.0.113.7", False),  # other IP version never matches
        ("203.0.113.0/24", "2001:db8::1", False),
        (["203.0.113.0/24", "2001:DB8:1234:5678::/64"], "2001:db8:1234:5678:abcd::1", True),
        (["203.0.113.0/24", "2001:DB8:1234:5678::/64"], "203.0.113.200", True),
        ("0.0.0.0/0", "198.51.100.1", True),
        ("::/0", "::1", True),
    ],
) + table(
    "NotIpAddress",
    [
        ("203.0.113.0/24", "203.0.113.7", False),
        ("203.0.113.0/24", "198.51.100.1", True),
        ("203.0.113.0/24", ABSENT, True),
        (["203.0.113.0/24", "198.51.100.0/24"], "198.51.100.1", False),
        ("2001:DB8::/32", "2001:db8::1", False),
        ("2001:DB8::/32", "2001:db9::1", True),
        ("203.0.113.0/24", "garbage", True),  # an unreadable request value is in no range
    ],
)

# "Each of the six colon-delimited components of the ARN is checked separately and each can include
# multi-character match wildcards (*) or single-character match wildcards (?). The ArnEquals and
# ArnLike condition operators behave identically."
FN = "arn:aws:lambda:us-east-1:111122223333:function:orders-api"
ARN_ROWS: list[tuple[Any, Any, bool]] = [
    (FN, FN, True),
    (FN, FN.replace("orders", "Orders"), False),  # case-sensitive
    ("arn:aws:lambda:*:111122223333:function:orders-*", FN, True),
    ("arn:aws:lambda:*:111122223333:function:orders-*", FN + ":prod", True),  # resource part spans colons
    ("arn:aws:lambda:us-east-?:111122223333:function:*", FN, True),
    ("arn:aws:lambda:*:444455556666:function:*", FN, False),
    ("arn:aws:*:*:*:*", FN, True),
    (FN, "not-an-arn", False),
    ("arn:aws:lambda", FN, False),  # fewer than six components: compares with nothing
    (FN, ABSENT, False),
    (["arn:aws:sns:*:*:topic", FN], FN, True),
    # The documented example: ArnLike matches between colons, so * does not swallow
    # "us-east-2:999999999999:store/abc:" as StringLike would.
    (
        "arn:aws:someservice:*:111122223333:finance/*",
        "arn:aws:someservice:us-east-2:999999999999:store/abc:111122223333:finance/document.txt",
        False,
    ),
]
ARN = table("ArnLike", ARN_ROWS) + table("ArnEquals", ARN_ROWS)
ARN_NOT = [
    (FN, FN, False),
    (FN, FN + ":prod", True),
    ("arn:aws:lambda:*:111122223333:function:*", FN, False),
    ("arn:aws:lambda:*:444455556666:function:*", FN, True),
    (FN, ABSENT, True),
]
ARN += table("ArnNotLike", ARN_NOT) + table("ArnNotEquals", ARN_NOT)


@pytest.mark.parametrize(("operator", "policy", "request_value", "expected"), STRING)
def test_string_operators(operator: str, policy: Any, request_value: Any, expected: bool) -> None:
    assert ev(operator, policy, request_value) is expected


@pytest.mark.parametrize(("operator", "policy", "request_value", "expected"), NUMERIC)
def test_numeric_operators(operator: str, policy: Any, request_value: Any, expected: bool) -> None:
    assert ev(operator, policy, request_value) is expected


@pytest.mark.parametrize(("operator", "policy", "request_value", "expected"), DATE)
def test_date_operators(operator: str, policy: Any, request_value: Any, expected: bool) -> None:
    assert ev(operator, policy, request_value) is expected


@pytest.mark.parametrize(("operator", "policy", "request_value", "expected"), BOOL + BINARY)
def test_bool_and_binary_operators(operator: str, policy: Any, request_value: Any, expected: bool) -> None:
    assert ev(operator, policy, request_value) is expected


@pytest.mark.parametrize(("operator", "policy", "request_value", "expected"), IP)
def test_ip_operators(operator: str, policy: Any, request_value: Any, expected: bool) -> None:
    assert ev(operator, policy, request_value) is expected


@pytest.mark.parametrize(("operator", "policy", "request_value", "expected"), ARN)
def test_arn_operators(operator: str, policy: Any, request_value: Any, expected: bool) -> None:
    assert ev(operator, policy, request_value) is expected


def test_string_like_matches_where_arn_like_does_not() -> None:
    # The counterpart of the documented ArnLike example above.
    assert ev(
        "StringLike",
        "arn:aws:someservice:*:111122223333:finance/*",
        "arn:aws:someservice:us-east-2:999999999999:store/abc:111122223333:finance/document.txt",
    )


# Null: "use either true (the key doesn't exist - it is null) or false (the key exists and its value is
# not null)". An empty value counts as null: the multivalued-key examples page advises Null false "to
# check if the context key in the request exists and its value is not null"
# (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition_examples-multi-valued-context-keys.html).
@pytest.mark.parametrize(
    ("policy", "request_value", "expected"),
    [
        ("true", ABSENT, True),
        ("true", "x", False),
        ("true", [], True),
        ("false", "x", True),
        ("false", ["a", "b"], True),
        ("false", ABSENT, False),
        ("false", [], False),
        (True, ABSENT, True),
        (False, "x", True),
        ("TRUE", ABSENT, True),
    ],
)
def test_null(policy: Any, request_value: Any, expected: bool) -> None:
    assert ev("Null", policy, request_value) is expected


# IfExists: "If the key is not present, evaluate the condition element as true"; with the key present
# the base operator decides. Every operator but Null takes the suffix.
SAMPLES: dict[str, tuple[Any, str, str]] = {
    # base operator: (policy value, request value that matches the positive form, one that does not)
    "String": ("prod", "prod", "dev"),
    "StringEqualsIgnoreCase": ("prod", "PROD", "dev"),
    "StringNotEqualsIgnoreCase": ("prod", "PROD", "dev"),
    "StringLike": ("pr*", "prod", "dev"),
    "StringNotLike": ("pr*", "prod", "dev"),
    "Numeric": ("10", "10", "11"),
    "NumericLessThan": ("10", "9", "11"),
    "NumericLessThanEquals": ("10", "10", "11"),
    "NumericGreaterThan": ("10", "11", "9"),
    "NumericGreaterThanEquals": ("10", "10", "9"),
    "Date": ("2024-01-01", "1704067200", "1704067201"),
    "DateLessThan": ("2024-01-01", "2023-01-01", "2025-01-01"),
    "DateLessThanEquals": ("2024-01-01", "2024-01-01", "2025-01-01"),
    "DateGreaterThan": ("2024-01-01", "2025-01-01", "2023-01-01"),
    "DateGreaterThanEquals": ("2024-01-01", "2024-01-01", "2023-01-01"),
    "Bool": ("true", "true", "false"),
    "BinaryEquals": ("QQ==", "QQ==", "Qg=="),
    "Ip": ("10.0.0.0/8", "10.1.2.3", "192.0.2.1"),
    "Arn": (FN, FN, FN + "x"),
}


def _sample(operator: str) -> tuple[Any, str, str]:
    if operator in SAMPLES:
        return SAMPLES[operator]
    for prefix in ("String", "Numeric", "Date", "Arn"):
        if operator.startswith(prefix):
            return SAMPLES[prefix]
    return SAMPLES["Ip"]


NEGATED = {
    "StringNotEquals",
    "StringNotEqualsIgnoreCase",
    "StringNotLike",
    "NumericNotEquals",
    "DateNotEquals",
    "NotIpAddress",
    "ArnNotEquals",
    "ArnNotLike",
}


@pytest.mark.parametrize("operator", sorted(OPERATORS - {"Null"}))
def test_if_exists_form_of_every_operator(operator: str) -> None:
    policy, hit, miss = _sample(operator)
    negated = operator in NEGATED
    assert ev(operator + "IfExists", policy, ABSENT) is True
    assert ev(operator, policy, ABSENT) is negated  # without IfExists: the missing-key rule
    assert ev(operator + "IfExists", policy, hit) is (not negated)
    assert ev(operator + "IfExists", policy, miss) is negated
    assert ev(operator + "IfExists", policy, hit) is ev(operator, policy, hit)


def test_operator_list_is_complete() -> None:
    # Every operator named on the operators page.
    assert {
        "StringEquals", "StringNotEquals", "StringEqualsIgnoreCase", "StringNotEqualsIgnoreCase",
        "StringLike", "StringNotLike", "NumericEquals", "NumericNotEquals", "NumericLessThan",
        "NumericLessThanEquals", "NumericGreaterThan", "NumericGreaterThanEquals", "DateEquals",
        "DateNotEquals", "DateLessThan", "DateLessThanEquals", "DateGreaterThan", "DateGreaterThanEquals",
        "Bool", "BinaryEquals", "IpAddress", "NotIpAddress", "ArnEquals", "ArnLike", "ArnNotEquals",
        "ArnNotLike", "Null",
    } == OPERATORS  # fmt: skip
