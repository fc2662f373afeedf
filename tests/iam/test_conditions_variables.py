"""Policy variables inside condition values.

https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_variables.html
- Variables work only with Version 2012-10-17; otherwise "${aws:username}" is a literal string.
- Condition values: string and ARN operators (and Bool, per the operators page); not Numeric, Date,
  Binary, IP address or Null
  (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html).
- Defaults "${key, 'default'}"; ${*} ${?} ${$} are literal characters.
- A key that is not present: "any attempt to match it fails and causes the statement to be invalid" ->
  the condition is false, for negated operators too, when the condition's own key is present. (When
  the condition's key is absent, the missing-key rules decide first.)
"""

from __future__ import annotations

from typing import Any

from lambdaperm_tui.iam.conditions import evaluate_conditions, parse_conditions
from lambdaperm_tui.iam.context import RequestContext

USER = {"aws:username": "bob", "aws:PrincipalAccount": "111122223333", "aws:PrincipalTag/team": "payments"}


def ev(block: dict[str, Any], context: dict[str, Any], *, variables: bool = True) -> bool:
    conditions = parse_conditions(block, "Statement[0].Condition")
    ctx = RequestContext(context)
    quick, _ = evaluate_conditions(conditions, ctx, variables=variables, explain=False)
    full, _ = evaluate_conditions(conditions, ctx, variables=variables, explain=True)
    assert quick is full
    return full


def test_string_equals_with_variable() -> None:
    block = {"StringEquals": {"aws:ResourceTag/owner": "${aws:username}"}}
    assert ev(block, {**USER, "aws:ResourceTag/owner": "bob"}) is True
    assert ev(block, {**USER, "aws:ResourceTag/owner": "alice"}) is False


def test_variables_are_literal_text_without_version_2012() -> None:
    block = {"StringEquals": {"aws:ResourceTag/owner": "${aws:username}"}}
    assert ev(block, {**USER, "aws:ResourceTag/owner": "bob"}, variables=False) is False
    assert ev(block, {**USER, "aws:ResourceTag/owner": "${aws:username}"}, variables=False) is True


def test_string_like_home_directory_example() -> None:
    block = {"StringLike": {"s3:prefix": ["", "home/", "home/${aws:username}/*"]}}
    assert ev(block, {**USER, "s3:prefix": "home/bob/photos"}) is True
    assert ev(block, {**USER, "s3:prefix": "home/alice/photos"}) is False
    assert ev(block, {**USER, "s3:prefix": "home/"}) is True


def test_variable_key_is_case_insensitive() -> None:
    assert ev(
        {"StringEquals": {"aws:ResourceTag/owner": "${AWS:USERNAME}"}},
        {**USER, "aws:ResourceTag/owner": "bob"},
    )


def test_default_value() -> None:
    block = {"StringEquals": {"aws:ResourceTag/team": "${aws:PrincipalTag/team, 'company-wide'}"}}
    assert ev(block, {"aws:ResourceTag/team": "company-wide"}) is True  # no principal tag
    assert ev(block, {**USER, "aws:ResourceTag/team": "payments"}) is True
    assert ev(block, {**USER, "aws:ResourceTag/team": "company-wide"}) is False


def test_missing_variable_makes_the_condition_false() -> None:
    block = {"StringEquals": {"aws:ResourceTag/owner": "${aws:username}"}}
    assert ev(block, {"aws:ResourceTag/owner": "bob"}) is False
    negated = {"StringNotEquals": {"aws:ResourceTag/owner": "${aws:username}"}}
    assert ev(negated, {"aws:ResourceTag/owner": "bob"}) is False
    assert ev(negated, {}) is True  # the condition's key is absent: negated operators hold
    assert ev({"StringNotEqualsIfExists": {"aws:ResourceTag/owner": "${aws:username}"}}, {}) is True


def test_multi_valued_key_is_not_a_variable() -> None:
    block = {"StringEquals": {"aws:ResourceTag/x": "${aws:TagKeys}"}}
    assert ev(block, {"aws:TagKeys": ["a", "b"], "aws:ResourceTag/x": "a"}) is False
    with_default = {"StringEquals": {"aws:ResourceTag/x": "${aws:TagKeys, 'none'}"}}
    assert ev(with_default, {"aws:TagKeys": ["a", "b"], "aws:ResourceTag/x": "none"}) is True


def test_escapes_are_literal_in_string_like() -> None:
    block = {"StringLike": {"s3:prefix": "report${*}"}}
    assert ev(block, {"s3:prefix": "report*"}) is True
    assert ev(block, {"s3:prefix": "report-2024"}) is False
    assert ev({"StringEquals": {"k:k": "a${$}b${?}"}}, {"k:k": "a$b?"}) is True


def test_arn_like_with_variable() -> None:
    block = {"ArnLike": {"aws:SourceArn": "arn:aws:lambda:*:${aws:PrincipalAccount}:function:*"}}
    assert ev(block, {**USER, "aws:SourceArn": "arn:aws:lambda:us-east-1:111122223333:function:f"}) is True
    assert ev(block, {**USER, "aws:SourceArn": "arn:aws:lambda:us-east-1:444455556666:function:f"}) is False


def test_bool_with_variable() -> None:
    block = {"Bool": {"aws:SecureTransport": "${k:flag}"}}
    assert ev(block, {"aws:SecureTransport": "true", "k:flag": "true"}) is True
    assert ev(block, {"aws:SecureTransport": "true", "k:flag": "false"}) is False
    assert ev(block, {"aws:SecureTransport": "true", "k:flag": "maybe"}) is False


def test_set_operator_with_variable() -> None:
    block = {"ForAllValues:StringEquals": {"aws:TagKeys": ["${aws:PrincipalTag/team}", "Owner"]}}
    assert ev(block, {**USER, "aws:TagKeys": ["payments", "Owner"]}) is True
    assert ev(block, {**USER, "aws:TagKeys": ["billing"]}) is False


def test_explanation_shows_substituted_values() -> None:
    conditions = parse_conditions(
        {"StringEquals": {"aws:ResourceTag/owner": ["${aws:username}", "admin"]}}, "S"
    )
    ok, (match,) = evaluate_conditions(
        conditions, RequestContext({**USER, "aws:ResourceTag/owner": "bob"}), variables=True, explain=True
    )
    assert ok and match.policy_values == ("bob", "admin")
    ok, (match,) = evaluate_conditions(
        conditions, RequestContext({"aws:ResourceTag/owner": "bob"}), variables=True, explain=True
    )
    assert not ok and match.policy_values == ("${aws:username}", "admin")


def test_same_condition_resolves_per_request() -> None:
    conditions = parse_conditions({"StringEquals": {"aws:ResourceTag/owner": "${aws:username}"}}, "S")
    for name in ("ann", "ben", "cat", "ann"):
        ctx = RequestContext({"aws:username": name, "aws:ResourceTag/owner": "ben"})
        assert evaluate_conditions(conditions, ctx, variables=True, explain=False)[0] is (name == "ben")
