"""How conditions combine: AND across operators and keys, OR across values, set operators, explanations.

- https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_multi-value-conditions.html
  (operators AND, keys AND, values OR, negated values NOR)
- https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-single-vs-multi-valued-context-keys.html
  (ForAllValues / ForAnyValue)
- https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition.html
  (context key names are not case-sensitive; values depend on the operator)
"""

from __future__ import annotations

from typing import Any

import pytest

from lambdaperm_tui.iam.conditions import Condition, evaluate_conditions, parse_conditions
from lambdaperm_tui.iam.context import RequestContext
from lambdaperm_tui.iam.result import ConditionMatch

ABSENT = object()


def ev(block: dict[str, Any], context: dict[str, Any], *, variables: bool = True) -> bool:
    conditions = parse_conditions(block, "Statement[0].Condition")
    ctx = RequestContext(context)
    quick, _ = evaluate_conditions(conditions, ctx, variables=variables, explain=False)
    full, _ = evaluate_conditions(conditions, ctx, variables=variables, explain=True)
    assert quick is full
    return full


# The documented example block: StringEquals on two principal tags, ArnLike on aws:PrincipalArn.
DOC_BLOCK = {
    "StringEquals": {
        "aws:PrincipalTag/department": ["finance", "hr", "legal"],
        "aws:PrincipalTag/role": ["audit", "security"],
    },
    "ArnLike": {
        "aws:PrincipalArn": ["arn:aws:iam::222222222222:user/Ana", "arn:aws:iam::222222222222:user/Mary"]
    },
}


@pytest.mark.parametrize(
    ("context", "expected"),
    [
        (
            {
                "aws:PrincipalTag/department": "hr",
                "aws:PrincipalTag/role": "audit",
                "aws:PrincipalArn": "arn:aws:iam::222222222222:user/Mary",
            },
            True,
        ),
        # one key fails -> the operator fails -> the block fails (AND)
        (
            {
                "aws:PrincipalTag/department": "hr",
                "aws:PrincipalTag/role": "dev",
                "aws:PrincipalArn": "arn:aws:iam::222222222222:user/Mary",
            },
            False,
        ),
        # the other operator fails (AND across operators)
        (
            {
                "aws:PrincipalTag/department": "hr",
                "aws:PrincipalTag/role": "audit",
                "aws:PrincipalArn": "arn:aws:iam::222222222222:user/Bob",
            },
            False,
        ),
        # a key missing
        (
            {"aws:PrincipalTag/department": "hr", "aws:PrincipalArn": "arn:aws:iam::222222222222:user/Mary"},
            False,
        ),
    ],
)
def test_and_across_operators_and_keys_or_across_values(context: dict[str, Any], expected: bool) -> None:
    assert ev(DOC_BLOCK, context) is expected


def test_negated_operator_with_several_values_is_nor() -> None:
    block = {"StringNotEquals": {"aws:PrincipalTag/department": ["finance", "hr"]}}
    assert ev(block, {"aws:PrincipalTag/department": "legal"}) is True
    assert ev(block, {"aws:PrincipalTag/department": "hr"}) is False
    assert ev(block, {"aws:PrincipalTag/department": "finance"}) is False


def test_key_names_are_case_insensitive_values_are_not() -> None:
    assert ev({"StringEquals": {"AWS:USERNAME": "johndoe"}}, {"aws:username": "johndoe"}) is True
    assert ev({"StringEquals": {"aws:username": "johndoe"}}, {"aws:UserName": "JohnDoe"}) is False
    assert ev({"StringEqualsIgnoreCase": {"aws:username": "johndoe"}}, {"AWS:UserName": "JohnDoe"}) is True


def test_empty_condition_blocks_hold() -> None:
    assert parse_conditions({}, "Statement[0].Condition") == ()
    assert parse_conditions({"StringEquals": {}}, "Statement[0].Condition") == ()
    assert ev({}, {}) is True


# ForAllValues / ForAnyValue tables. "ForAllValues ... returns true if every context key value in the
# request matches a context key value in the policy. It also returns true if there are no context keys
# in the request" / "ForAnyValue ... For no matching context key or a null dataset, the condition
# returns false." Rows of the negated forms follow the same definitions (every / at least one request
# value matches none of the policy values).
TAGS = ["DataClass", "Owner"]
SET_ROWS = [
    ("ForAllValues:StringEquals", TAGS, ["DataClass"], True),
    ("ForAllValues:StringEquals", TAGS, ["DataClass", "Owner"], True),
    ("ForAllValues:StringEquals", TAGS, ["DataClass", "Dept"], False),
    ("ForAllValues:StringEquals", TAGS, "Owner", True),
    ("ForAllValues:StringEquals", TAGS, [], True),  # empty data set
    ("ForAllValues:StringEquals", TAGS, ABSENT, True),  # absent: true (AWS warns about this with Allow)
    ("ForAnyValue:StringEquals", TAGS, ["Dept", "Owner"], True),
    ("ForAnyValue:StringEquals", TAGS, ["Dept"], False),
    ("ForAnyValue:StringEquals", TAGS, [], False),
    ("ForAnyValue:StringEquals", TAGS, ABSENT, False),
    ("ForAllValues:StringNotEquals", TAGS, ABSENT, True),
    ("ForAllValues:StringNotEquals", TAGS, ["DataClass", "Owner"], False),
    ("ForAllValues:StringNotEquals", TAGS, ["DataClass", "Dept"], False),
    ("ForAllValues:StringNotEquals", TAGS, ["Dept"], True),
    ("ForAllValues:StringNotEquals", TAGS, ["Dept", "SIC"], True),
    ("ForAnyValue:StringNotEquals", TAGS, ABSENT, False),
    ("ForAnyValue:StringNotEquals", TAGS, ["DataClass", "Owner"], False),
    ("ForAnyValue:StringNotEquals", TAGS, ["Dept", "DataClass"], True),
    ("ForAnyValue:StringNotEquals", TAGS, ["Dept", "SIC"], True),
    ("ForAllValues:StringLike", ["Created*"], ["CreatedBy", "CreatedAt"], True),
    ("ForAllValues:StringLike", ["Created*"], ["CreatedBy", "Owner"], False),
    ("ForAnyValue:StringLike", ["Created*"], ["Owner", "CreatedAt"], True),
    ("ForAllValues:StringEqualsIgnoreCase", TAGS, ["dataclass", "OWNER"], True),
    ("ForAllValues:StringEqualsIfExists", TAGS, ABSENT, True),
    ("ForAnyValue:StringEqualsIfExists", TAGS, ABSENT, True),  # IfExists: absent is true
    ("ForAnyValue:StringEqualsIfExists", TAGS, ["Dept"], False),
    (
        "ForAllValues:ArnLike",
        ["arn:aws:lambda:*:*:layer:shared-*:*"],
        ["arn:aws:lambda:us-east-1:1:layer:shared-a:3"],
        True,
    ),
    (
        "ForAnyValue:ArnNotLike",
        ["arn:aws:lambda:*:*:layer:shared-*:*"],
        ["arn:aws:lambda:us-east-1:1:layer:x:3"],
        True,
    ),
    ("ForAllValues:NumericLessThan", ["10"], ["1", "2"], True),
    ("ForAllValues:NumericLessThan", ["10"], ["1", "20"], False),
    ("ForAnyValue:IpAddress", ["10.0.0.0/8"], ["192.0.2.1", "10.1.1.1"], True),
]


@pytest.mark.parametrize(("operator", "policy", "request_value", "expected"), SET_ROWS)
def test_set_operators(operator: str, policy: Any, request_value: Any, expected: bool) -> None:
    context = {} if request_value is ABSENT else {"aws:TagKeys": request_value}
    assert ev({operator: {"aws:TagKeys": policy}}, context) is expected


def test_forallvalues_with_empty_policy_list_matches_only_absent_or_empty() -> None:
    assert ev({"ForAllValues:StringEquals": {"aws:TagKeys": []}}, {}) is True
    assert ev({"ForAllValues:StringEquals": {"aws:TagKeys": []}}, {"aws:TagKeys": []}) is True
    assert ev({"ForAllValues:StringEquals": {"aws:TagKeys": []}}, {"aws:TagKeys": ["a"]}) is False


def test_empty_policy_value_list_matches_nothing() -> None:
    assert ev({"StringEquals": {"k:k": []}}, {"k:k": "x"}) is False
    assert ev({"StringNotEquals": {"k:k": []}}, {"k:k": "x"}) is True


def test_multi_valued_key_without_set_operator() -> None:
    # AWS requires a set operator for multivalued keys and documents no other behaviour; this engine
    # reads an unqualified positive operator as "some request value matches" and a negated one as
    # "no request value matches" (the negation of the positive form).
    assert ev({"StringEquals": {"aws:TagKeys": "Owner"}}, {"aws:TagKeys": ["Dept", "Owner"]}) is True
    assert ev({"StringEquals": {"aws:TagKeys": "Owner"}}, {"aws:TagKeys": ["Dept"]}) is False
    assert ev({"StringNotEquals": {"aws:TagKeys": "Owner"}}, {"aws:TagKeys": ["Dept", "Owner"]}) is False
    assert ev({"StringNotEquals": {"aws:TagKeys": "Owner"}}, {"aws:TagKeys": ["Dept"]}) is True
    assert ev({"StringEquals": {"aws:TagKeys": "Owner"}}, {"aws:TagKeys": []}) is False


def test_explanation_reports_every_condition_with_values() -> None:
    conditions = parse_conditions(
        {
            "StringEquals": {"aws:PrincipalTag/team": "payments"},
            "ForAnyValue:StringLikeIfExists": {"aws:TagKeys": ["a*", "b*"]},
            "IpAddress": {"aws:SourceIp": "10.0.0.0/8"},
        },
        "Statement[0].Condition",
    )
    ok, matches = evaluate_conditions(
        conditions, RequestContext({"aws:principaltag/team": "billing", "aws:SourceIp": "10.2.3.4"}),
        variables=True, explain=True,
    )  # fmt: skip
    assert ok is False
    assert matches == (
        ConditionMatch("StringEquals", "aws:PrincipalTag/team", ("payments",), ("billing",), False),
        ConditionMatch("ForAnyValue:StringLikeIfExists", "aws:TagKeys", ("a*", "b*"), None, True),
        ConditionMatch("IpAddress", "aws:SourceIp", ("10.0.0.0/8",), ("10.2.3.4",), True),
    )
    quick, none = evaluate_conditions(
        conditions, RequestContext({"aws:principaltag/team": "billing"}), variables=True, explain=False
    )
    assert quick is False and none == ()


def test_condition_records_operator_parts() -> None:
    (c,) = parse_conditions({"ForAnyValue:StringLikeIfExists": {"aws:TagKeys": ["a*", 1]}}, "S")
    assert isinstance(c, Condition)
    assert (c.operator, c.base_operator, c.qualifier, c.if_exists, c.key, c.values) == (
        "ForAnyValue:StringLikeIfExists", "StringLike", "ForAnyValue", True, "aws:TagKeys", ("a*", "1"),
    )  # fmt: skip
    (n,) = parse_conditions({"Null": {"aws:TokenIssueTime": True}}, "S")
    assert (n.base_operator, n.qualifier, n.if_exists, n.values) == ("Null", None, False, ("true",))


def test_parsed_conditions_are_reusable_across_requests() -> None:
    conditions = parse_conditions({"NumericLessThan": {"s3:max-keys": "10"}}, "S")
    results = [
        evaluate_conditions(
            conditions, RequestContext({"s3:max-keys": str(n)}), variables=True, explain=False
        )[0]
        for n in (1, 9, 10, 11, 5)
    ]
    assert results == [True, True, False, False, True]


def test_deny_with_negated_if_exists_still_applies_when_key_missing() -> None:
    # Operators page, IfExists: "If you are using an "Effect": "Deny" element with a negated condition
    # operator like StringNotEqualsIfExists, the request is still denied even if the tag is missing."
    block = {"StringNotEqualsIfExists": {"aws:ResourceTag/env": "prod"}}
    assert ev(block, {}) is True
    assert ev(block, {"aws:ResourceTag/env": "dev"}) is True
    assert ev(block, {"aws:ResourceTag/env": "prod"}) is False
