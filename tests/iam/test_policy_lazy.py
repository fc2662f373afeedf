"""Lazily built statements (``iam/policy.py``): a parsed document is validated in full, but its statements
are built when a request first reaches them. Whatever parses must build the same statements, buckets and
facts as building every statement at once would; a bad statement is refused at parse time, reached or not.
"""

from __future__ import annotations

import copy
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lambdaperm_tui.iam import PolicyError, parse_policy
from lambdaperm_tui.iam.policy import VERSION_2012, Policy, Statement, _statement
from tests.iam.test_parser_fuzz import JSON, PATHS, mutated

SERVICES = ("lambda", "s3", "iam", "sts", "ec2", "kms")


def _eager(document: dict[str, Any]) -> tuple[Statement, ...]:
    raw = document.get("Statement", [])
    raw = [raw] if isinstance(raw, dict) else raw
    variables = document.get("Version") == VERSION_2012
    return tuple(_statement(obj, i, variables) for i, obj in enumerate(raw))


def _check(policy: Policy, document: dict[str, Any]) -> None:
    eager = _eager(document)
    variables = policy.variables
    for service in SERVICES:
        expected = [
            s
            for s in eager
            if s.not_action is not None
            or any(p.service is None or p.service == service for p in s.action or ())
        ]
        assert list(policy.candidates(service)) == expected
    assert policy.statements == eager
    assert policy.statement_count == len(eager)
    assert policy.context_free == all(
        not s.conditions and not (variables and s.resource_variables) for s in eager
    )
    assert policy.every_resource == all(s.resource is not None or s.not_resource is not None for s in eager)
    assert policy.names_principal == any(
        s.principal is not None or s.not_principal is not None for s in eager
    )


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(PATHS), JSON, st.booleans())
def test_lazily_built_statements_are_those_of_an_eager_parse(
    path: tuple[Any, ...], value: Any, delete: bool
) -> None:
    document = mutated(path, value, delete)
    try:
        policy = parse_policy(document, "lazy")
    except PolicyError:
        # Refused: either some statement does not build, or the document's own elements are bad.
        if not isinstance(document.get("Statement", []), (dict, list)):
            return  # the Statement element itself is bad
        try:
            _eager(document)
        except PolicyError:
            return
        with pytest.raises(PolicyError):
            parse_policy({k: v for k, v in document.items() if k != "Statement"}, "top")
        return
    _check(policy, document)


def _doc(*statements: dict[str, Any]) -> dict[str, Any]:
    return {"Version": VERSION_2012, "Statement": list(statements)}


def test_a_request_builds_only_the_statements_its_service_reaches() -> None:
    document = _doc(
        {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"},
        {"Effect": "Allow", "Action": "lambda:InvokeFunction", "Resource": "*"},
        {"Effect": "Deny", "NotAction": "iam:*", "Resource": "*"},
        {"Effect": "Allow", "Action": "ec2:*", "Resource": "*", "Condition": {"Bool": {"aws:X": "true"}}},
    )
    policy = parse_policy(document, "p")
    assert [s.index for s in policy.for_action("lambda:invokefunction", "lambda")] == [1, 2]
    built = [s for s in policy._body._built if s is not None]
    assert [s.index for s in built] == [1, 2]  # s3 and ec2 statements untouched
    assert [s.index for s in policy.statements] == [0, 1, 2, 3]
    assert not policy.context_free and policy.every_resource and not policy.names_principal


def test_a_bad_statement_no_request_reaches_is_refused_at_parse_time() -> None:
    # https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html
    bad = _doc(
        {"Effect": "Allow", "Action": "lambda:InvokeFunction", "Resource": "*"},
        {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*", "Condition": {"StringEqualz": {}}},
    )
    with pytest.raises(PolicyError, match=r'^Statement\[1\]\.Condition: unknown operator "StringEqualz"'):
        parse_policy(bad, "p")
    with pytest.raises(PolicyError, match=r"^Statement\[1\]: has both Resource and NotResource"):
        parse_policy(
            _doc(
                {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"},
                {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*", "NotResource": "x"},
            ),
            "p",
        )


def test_the_same_name_and_document_give_the_same_policy() -> None:
    document = _doc({"Effect": "Allow", "Action": "lambda:Get*", "Resource": "*"})
    a = parse_policy(copy.deepcopy(document), "role/inline")
    b = parse_policy(copy.deepcopy(document), "role/inline")
    c = parse_policy(copy.deepcopy(document), "other/inline")
    assert a is b
    assert c is not a and c == parse_policy(copy.deepcopy(document), "other/inline")
    assert c != a and c.statements is a.statements
    # A reordered document is another key (its text differs), never another meaning.
    reordered = {"Statement": document["Statement"], "Version": VERSION_2012}
    assert parse_policy(reordered, "role/inline") == a
