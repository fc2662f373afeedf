"""Property tests: any JSON in, a Policy or a PolicyError out — never another exception.

Hypothesis fuzzing of the parser (README.md, "The scenario file": bad input is one line naming the
field, never a traceback). The same holds for principals (any text in, a Principal or a RequestError out)
and for evaluating whatever parses.
"""

from __future__ import annotations

import copy
import json
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lambdaperm_tui.iam import (
    PolicyError,
    PolicySet,
    Request,
    RequestError,
    evaluate,
    parse_policy,
    parse_principal,
)
from lambdaperm_tui.iam.policy import Policy

KEYS = [
    "Version",
    "Id",
    "Statement",
    "Sid",
    "Effect",
    "Action",
    "NotAction",
    "Resource",
    "NotResource",
    "Principal",
    "NotPrincipal",
    "Condition",
    "AWS",
    "Service",
    "Federated",
    "CanonicalUser",
    "StringEquals",
    "StringLike",
    "ForAnyValue:StringLike",
    "IpAddress",
    "Null",
    "Bool",
    "DateLessThan",
    "aws:username",
    "aws:SourceIp",
    "aws:PrincipalTag/team",
]
TEXT = st.one_of(
    st.sampled_from(
        [
            "Allow",
            "Deny",
            "*",
            "2012-10-17",
            "2008-10-17",
            "lambda:*",
            "lambda:InvokeFunction",
            "arn:aws:lambda:*:*:function:f*",
            "${aws:username}",
            "111122223333",
            "arn:aws:iam::111122223333:root",
            "10.0.0.0/8",
            "true",
            "2024-01-01T00:00:00Z",
            "s3.amazonaws.com",
            "",
        ]
    ),
    st.text(max_size=20),
)
JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True) | TEXT,
    lambda children: (
        st.lists(children, max_size=4)
        | st.dictionaries(st.one_of(st.sampled_from(KEYS), st.text(max_size=8)), children, max_size=5)
    ),
    max_leaves=30,
)

VALID = {
    "Version": "2012-10-17",
    "Id": "example",
    "Statement": [
        {
            "Sid": "A",
            "Effect": "Allow",
            "Principal": {"AWS": ["arn:aws:iam::111122223333:root", "*"], "Service": "s3.amazonaws.com"},
            "Action": ["lambda:InvokeFunction", "lambda:Get*"],
            "Resource": "arn:aws:lambda:us-east-1:111122223333:function:${aws:username}*",
            "Condition": {
                "StringEquals": {"aws:PrincipalAccount": "111122223333"},
                "ForAnyValue:StringLike": {"aws:TagKeys": ["team*"]},
                "IpAddressIfExists": {"aws:SourceIp": ["10.0.0.0/8", "2001:db8::/32"]},
                "DateGreaterThan": {"aws:CurrentTime": "2020-01-01T00:00:00Z"},
            },
        },
        {
            "Effect": "Deny",
            "NotPrincipal": {"AWS": "111122223333"},
            "NotAction": "lambda:Get*",
            "NotResource": "*",
        },
    ],
}


def _paths(obj: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    out = [prefix]
    if isinstance(obj, dict):
        for k, v in obj.items():
            out.extend(_paths(v, (*prefix, k)))
    elif isinstance(obj, list):
        for i, v in enumerate(obj):
            out.extend(_paths(v, (*prefix, i)))
    return out


PATHS = _paths(VALID)[1:]


def mutated(path: tuple[Any, ...], value: Any, delete: bool) -> dict[str, Any]:
    """A copy of ``VALID`` with the value at ``path`` replaced by ``value``, or deleted."""
    document = copy.deepcopy(VALID)
    parent: Any = document
    for key in path[:-1]:
        parent = parent[key]
    if delete:
        del parent[path[-1]]
    else:
        parent[path[-1]] = value
    return document


def _parse(document: Any) -> Policy | None:
    try:
        return parse_policy(document, "fuzz")
    except PolicyError as e:
        assert str(e), "a PolicyError must carry a message"
        assert len(str(e).splitlines()) == 1, "messages are one line"
        return None


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(JSON)
def test_any_json_value_parses_or_raises_policy_error(document: Any) -> None:
    _parse(document)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.dictionaries(st.sampled_from(["Version", "Id", "Statement"]), JSON, max_size=3))
def test_any_top_level_shape(document: dict[str, Any]) -> None:
    _parse(document)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(PATHS), JSON, st.booleans())
def test_mutations_of_a_valid_policy(path: tuple[Any, ...], value: Any, delete: bool) -> None:
    document = mutated(path, value, delete)
    policy = _parse(document)
    if policy is not None:
        # Whatever parses can be evaluated without error, with and without explanation.
        principal = parse_principal("arn:aws:sts::111122223333:assumed-role/r/s1")
        request = Request(
            principal, "lambda:InvokeFunction", "arn:aws:lambda:us-east-1:111122223333:function:f"
        )
        ps = PolicySet(identity=(policy,), resource=policy, boundary=policy, scps=((policy,),))
        fast = evaluate(request, ps, explain=False)
        full = evaluate(request, ps, explain=True)
        # The fast path and the explained path always reach the same answer.
        assert (fast.decision, fast.decided_by) == (full.decision, full.decided_by)
    # The JSON text form behaves the same.
    try:
        text = json.dumps(document)
    except (TypeError, ValueError):
        return
    assert (_parse(text) is None) == (policy is None)


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=40))
def test_json_text_of_any_shape(text: str) -> None:
    _parse(text)


@settings(max_examples=500, deadline=None)
@given(
    st.one_of(
        st.text(max_size=80),
        st.builds(
            lambda part, svc, acct, res: f"arn:{part}:{svc}::{acct}:{res}",
            st.sampled_from(["aws", "aws-cn", "aws-us-gov", "aws-iso", ""]),
            st.sampled_from(["iam", "sts", "s3", ""]),
            st.sampled_from(["111122223333", "1", ""]),
            st.text(max_size=30),
        ),
    )
)
def test_parse_principal_any_text(text: str) -> None:
    try:
        p = parse_principal(text)
    except RequestError as e:
        assert str(e).startswith("principal: ")
        assert len(str(e).splitlines()) == 1, "messages are one line"
        return
    assert p.text == text.strip()


def test_deeply_nested_json_text_is_a_policy_error() -> None:
    deep = "[" * 100_000 + "]" * 100_000
    assert _parse(deep) is None


_ACCT = "111122223333"
_FN = f"arn:aws:lambda:us-east-1:{_ACCT}:function:f"
_CALLERS = [
    f"arn:aws:iam::{_ACCT}:user/alice",
    f"arn:aws:iam::{_ACCT}:role/r",
    f"arn:aws:sts::{_ACCT}:assumed-role/r/s1",
    f"arn:aws:sts::{_ACCT}:federated-user/bob",
    f"arn:aws:iam::{_ACCT}:root",
    "arn:aws:sts::444455556666:assumed-role/x/s2",
    "s3.amazonaws.com",
    "anonymous",
]
_STATEMENT = st.fixed_dictionaries(
    {
        "Effect": st.sampled_from(["Allow", "Deny"]),
        "Action": st.sampled_from(["*", "lambda:*", "lambda:InvokeFunction", "lambda:Get*", "s3:*"]),
        "Resource": st.sampled_from(
            ["*", _FN, _FN + ":*", _FN + "*", "arn:aws:lambda:*:*:function:${aws:username}"]
        ),
    },
    optional={
        "Principal": st.sampled_from(
            [
                "*",
                {"AWS": "*"},
                {"AWS": _ACCT},
                {"AWS": _CALLERS[0]},
                {"AWS": _CALLERS[1]},
                {"AWS": _CALLERS[2]},
                {"Service": "s3.amazonaws.com"},
                {"AWS": "444455556666"},
            ]
        ),
        "Condition": st.sampled_from(
            [
                {"Bool": {"aws:SecureTransport": "true"}},
                {"StringEquals": {"aws:PrincipalType": "User"}},
                {"Null": {"aws:PrincipalArn": "false"}},
                {"StringLikeIfExists": {"aws:username": "a*"}},
            ]
        ),
    },
)
_POLICY = st.lists(_STATEMENT, max_size=4).map(
    lambda sts: parse_policy({"Version": "2012-10-17", "Statement": sts}, "gen")
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.sampled_from(_CALLERS),
    st.lists(_POLICY, max_size=3),
    st.none() | _POLICY,
    st.none() | _POLICY,
    st.lists(st.lists(_POLICY, min_size=1, max_size=2), max_size=2),
    st.none() | _POLICY,
    st.sampled_from([_FN, _FN + ":1", _FN + ":prod"]),
    st.dictionaries(
        st.sampled_from(["aws:SecureTransport", "aws:username"]), st.sampled_from(["true", "alice"])
    ),
)
def test_generated_requests_fast_and_explained_paths_agree(
    caller: str,
    identity: list[Policy],
    boundary: Policy | None,
    session: Policy | None,
    scps: list[list[Policy]],
    resource: Policy | None,
    arn: str,
    context: dict[str, str],
) -> None:
    ps = PolicySet(
        identity=tuple(identity),
        boundary=boundary,
        session=session,
        scps=tuple(tuple(level) for level in scps),
        resource=resource,
    )
    request = Request(parse_principal(caller), "lambda:InvokeFunction", arn, context=context)
    fast = evaluate(request, ps, explain=False)
    full = evaluate(request, ps)
    assert (fast.decision, fast.decided_by) == (full.decision, full.decided_by)
    assert full.explanation is not None and full.explanation.summary
    # Every deciding statement is marked as deciding in the explanation.
    marked = {
        (p.policy_type, p.name, s.index)
        for p in full.explanation.policies
        for s in p.statements
        if s.deciding
    }
    assert {(d.policy_type, d.policy, d.statement_index) for d in full.decided_by} <= marked
