"""Answers over an open context (issue 8): ``conditional`` with ``allowed_if``, exact for every
assignment of the open keys, and ``blocked_by`` on implicit denials.

The property test checks exactness against the engine's own closed evaluation: for every assignment of
the open keys (each absent or one of a few values of its type), the closed answer is ``allowed``
exactly when ``allowed_if`` holds, evaluated by parsing its terms as IAM conditions. Policies are drawn
across Allow and Deny, every layer (identity, resource, boundary, session, SCP and RCP levels), every
caller case, ``IfExists``, ``Null``, negated operators and set operators.

Pages: the condition operators and their missing-key rules
https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html ;
which keys a kind of caller carries
https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html .
"""

from __future__ import annotations

import dataclasses
import itertools
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lambdaperm_tui.iam import Decision, PolicySet, Request, evaluate, parse_policy, parse_principal
from lambdaperm_tui.iam.conditions import evaluate_conditions, parse_conditions
from lambdaperm_tui.iam.context import RequestContext
from lambdaperm_tui.iam.evaluate import key_is_open
from lambdaperm_tui.iam.policy import Policy
from lambdaperm_tui.iam.result import BlockedBy, ConditionTerm, Result
from lambdaperm_tui.iam.scenario import load_scenario

KEYS_PAGE = "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html"
OPERATORS_PAGE = (
    "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html"
)
DENYALLOW = "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic_policy-eval-denyallow.html"

A = "111122223333"
B = "444455556666"
FN = f"arn:aws:lambda:us-east-1:{A}:function:billing:prod"
INVOKE = "lambda:InvokeFunction"
TARGET_ROLE = f"arn:aws:iam::{A}:role/target"
CALLERS = (
    f"arn:aws:iam::{A}:user/carol",
    f"arn:aws:iam::{A}:role/orders-api",
    f"arn:aws:sts::{A}:assumed-role/orders-api/s1",
    f"arn:aws:iam::{B}:role/partner",
    f"arn:aws:sts::{A}:federated-user/fed",
    A,
    "s3.amazonaws.com",
    "anonymous",
)

# Keys of the property test, each with its type's values (absent is always tried too). AWS sends a key
# with its one declared type, so a Bool key carries true/false and a numeric key numbers; an open key
# is absent or has at least one value (a key given with no values is a known fact, never open).
DOMAINS: dict[str, tuple[Any, ...]] = {
    "aws:MultiFactorAuthPresent": ("true", "false"),
    "aws:SourceIp": ("10.1.2.3", "192.0.2.7", "2001:db8::1"),
    "test:team": ("a", "b", "A", "ab"),
    "test:list": (("a",), ("b",), ("a", "b"), ("c",)),
    "aws:EpochTime": ("5", "10", "15"),
    "aws:CurrentTime": ("2026-01-01T00:00:00Z", "2027-01-01T00:00:00Z"),
    "aws:SourceArn": ("arn:aws:s3:::b1", "arn:aws:s3:::b2"),
}
OPERATORS: dict[str, tuple[tuple[str, tuple[Any, ...]], ...]] = {
    "aws:MultiFactorAuthPresent": (("Bool", ("true",)), ("Bool", ("false",))),
    "aws:SourceIp": (("IpAddress", ("10.0.0.0/8",)), ("NotIpAddress", ("10.0.0.0/8", "2001:db8::/32"))),
    "test:team": (
        ("StringEquals", ("a",)),
        ("StringNotEquals", ("a", "b")),
        ("StringLike", ("a*",)),
        ("StringNotLike", ("?",)),
        ("StringEqualsIgnoreCase", ("a",)),
        ("StringNotEqualsIgnoreCase", ("B",)),
    ),
    "test:list": (
        ("ForAnyValue:StringEquals", ("a",)),
        ("ForAllValues:StringEquals", ("a", "b")),
        ("ForAnyValue:StringNotLike", ("a*",)),
        ("ForAllValues:StringNotEquals", ("c",)),
        ("StringEquals", ("b",)),
    ),
    "aws:EpochTime": (
        ("NumericLessThan", ("10",)),
        ("NumericGreaterThanEquals", ("10", "12")),
        ("NumericEquals", ("5",)),
        ("NumericNotEquals", ("15",)),
    ),
    "aws:CurrentTime": (("DateLessThan", ("2026-06-01T00:00:00Z",)), ("DateGreaterThan", ("2026-06-01",))),
    "aws:SourceArn": (("ArnLike", ("arn:aws:s3:::b1",)), ("ArnNotEquals", ("arn:aws:s3:::b2",))),
}


@st.composite
def condition(draw: st.DrawFn, keys: list[str]) -> tuple[str, str, list[str]]:
    key = draw(st.sampled_from(keys))
    kind = draw(st.sampled_from(("op", "op", "op", "null")))
    if kind == "null":
        return "Null", key, [draw(st.sampled_from(("true", "false")))]
    op, values = draw(st.sampled_from(OPERATORS[key]))
    if draw(st.booleans()):
        op += "IfExists"
    return op, key, list(values)


@st.composite
def statement(draw: st.DrawFn, keys: list[str], principal: bool) -> dict[str, Any]:
    out: dict[str, Any] = {
        "Effect": draw(st.sampled_from(("Allow", "Allow", "Deny"))),
        "Action": draw(st.sampled_from((INVOKE, "lambda:*", "lambda:GetFunction", "sts:AssumeRole"))),
        "Resource": "*",
    }
    if principal:
        out["Principal"] = draw(
            st.sampled_from(
                (
                    "*",
                    {"AWS": f"arn:aws:iam::{A}:role/orders-api"},
                    {"AWS": A},
                    {"AWS": f"arn:aws:iam::{A}:user/carol"},
                    {"AWS": f"arn:aws:iam::{B}:root"},
                    {"Service": "s3.amazonaws.com"},
                )
            )
        )
    block: dict[str, dict[str, list[str]]] = {}
    for op, key, values in draw(st.lists(condition(keys), max_size=2)):
        block.setdefault(op, {})[key] = values
    if block:
        out["Condition"] = block
    return out


@st.composite
def policy(draw: st.DrawFn, name: str, keys: list[str], principal: bool = False) -> Policy:
    sts = draw(st.lists(statement(keys, principal), min_size=1, max_size=2))
    return parse_policy({"Version": "2012-10-17", "Statement": sts}, name)


@st.composite
def case(draw: st.DrawFn) -> tuple[Request, PolicySet]:
    keys = draw(st.lists(st.sampled_from(sorted(DOMAINS)), min_size=1, max_size=3, unique=True))
    maybe = st.booleans()
    ps = PolicySet(
        identity=tuple(draw(policy(f"id{i}", keys)) for i in range(draw(st.integers(0, 2)))),
        boundary=draw(policy("boundary", keys)) if draw(maybe) else None,
        session=draw(policy("session", keys)) if draw(maybe) and draw(maybe) else None,
        scps=tuple((draw(policy(f"scp{i}", keys)),) for i in range(draw(st.integers(0, 2)))),
        rcps=((draw(policy("rcp", keys, principal=True)),),) if draw(maybe) and draw(maybe) else (),
        resource=draw(policy("resource", keys, principal=True)) if draw(maybe) else None,
    )
    principal = parse_principal(draw(st.sampled_from(CALLERS)))
    # A Lambda invoke, or assuming a role (whose trust policy must explicitly allow).
    action, resource = draw(st.sampled_from(((INVOKE, FN), ("sts:AssumeRole", TARGET_ROLE))))
    return Request(principal, action, resource, A, {}, open_context=True), ps


def holds(allowed_if: tuple[tuple[ConditionTerm, ...], ...], ctx: RequestContext) -> bool:
    """``allowed_if`` read as IAM conditions by the engine's own parser and evaluator."""
    for alt in allowed_if:
        conds = tuple(
            c
            for t in alt
            for c in parse_conditions({t.operator: {t.key: list(t.values)}}, "t", variables=True)
        )
        if evaluate_conditions(conds, ctx, variables=True, explain=False)[0]:
            return True
    return False


def assignments(request: Request, ps: PolicySet) -> list[dict[str, Any]]:
    keys = sorted(k for k in DOMAINS if key_is_open(k.lower(), request.principal) and _mentioned(k, ps))
    choices = [[None, *DOMAINS[k]] for k in keys]
    out = []
    for combo in itertools.product(*choices):
        out.append(
            {
                k: (list(v) if isinstance(v, tuple) else v)
                for k, v in zip(keys, combo, strict=True)
                if v is not None
            }
        )
    return out


def _mentioned(key: str, ps: PolicySet) -> bool:
    docs = [*ps.identity, ps.boundary, ps.session, ps.resource, *(p for lvl in ps.scps for p in lvl)]
    docs += [p for lvl in ps.rcps for p in lvl]
    return any(key in repr(p.document) for p in docs if p is not None)


def check_exact(request: Request, ps: PolicySet) -> Result:
    result = evaluate(request, ps, explain=False)
    explained = evaluate(request, ps, explain=True)
    # One implementation behind both paths: the same answer.
    assert (explained.decision, explained.allowed_if, explained.blocked_by) == (
        result.decision,
        result.allowed_if,
        result.blocked_by,
    )
    for assignment in assignments(request, ps):
        closed = evaluate(
            dataclasses.replace(request, context=assignment, open_context=False), ps, explain=False
        )
        allowed = closed.decision is Decision.ALLOWED
        if result.decision is Decision.CONDITIONAL:
            if result.allowed_if_complete:
                assert allowed == holds(result.allowed_if, RequestContext(assignment)), (assignment, result)
        elif result.decision is Decision.ALLOWED:
            assert allowed, assignment
        else:
            assert not allowed, assignment
    return result


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(case())
def test_allowed_if_is_exact_for_every_assignment_of_the_open_keys(c: tuple[Request, PolicySet]) -> None:
    request, ps = c
    result = check_exact(request, ps)
    if result.decision is Decision.IMPLICIT_DENY:
        assert result.blocked_by is not None
    else:
        assert result.blocked_by is None
    if result.decision is not Decision.CONDITIONAL:
        assert result.allowed_if == ()


def pol(name: str, *statements: dict[str, Any]) -> Policy:
    return parse_policy({"Version": "2012-10-17", "Statement": list(statements)}, name)


def allow(**extra: Any) -> dict[str, Any]:
    return {"Effect": "Allow", "Action": INVOKE, "Resource": "*", **extra}


MFA = {"Bool": {"aws:MultiFactorAuthPresent": "true"}}
CAROL = f"arn:aws:iam::{A}:user/carol"


def test_mfa_allow_is_conditional_on_mfa() -> None:
    """The demo's oncall group: allowed exactly when aws:MultiFactorAuthPresent is true."""
    request = Request(parse_principal(CAROL), INVOKE, FN, open_context=True)
    result = check_exact(request, PolicySet(identity=(pol("oncall", allow(Condition=MFA)),)))
    assert result.decision is Decision.CONDITIONAL
    assert result.allowed_if == ((ConditionTerm("aws:MultiFactorAuthPresent", "Bool", ("true",)),),)
    assert result.to_json()["allowed_if"] == [
        [{"key": "aws:MultiFactorAuthPresent", "operator": "Bool", "values": ["true"]}]
    ]
    # Closed (the default): the missing key is absent, so the Allow does not apply.
    closed = evaluate(
        dataclasses.replace(request, open_context=False),
        PolicySet(identity=(pol("o", allow(Condition=MFA)),)),
    )
    assert closed.decision is Decision.IMPLICIT_DENY and closed.blocked_by is BlockedBy.NO_ALLOW


def test_deny_without_mfa_if_exists_gives_the_readable_complement() -> None:
    """AWS's recommended "Deny unless MFA" (BoolIfExists false) leaves "Bool true" (keys page,
    aws:MultiFactorAuthPresent)."""
    deny = {
        "Effect": "Deny",
        "Action": "*",
        "Resource": "*",
        "Condition": {"BoolIfExists": {"aws:MultiFactorAuthPresent": "false"}},
    }
    request = Request(parse_principal(CAROL), INVOKE, FN, open_context=True)
    result = check_exact(request, PolicySet(identity=(pol("p", allow(), deny),)))
    assert result.allowed_if == ((ConditionTerm("aws:MultiFactorAuthPresent", "Bool", ("true",)),),)


def test_alternatives_merge_into_one_term() -> None:
    """Two Allows on one key read as one term with both values; absent-or-equal reads as IfExists."""
    ps = PolicySet(
        identity=(
            pol(
                "p",
                allow(Condition={"StringEquals": {"test:team": "a"}}),
                allow(Condition={"StringEquals": {"test:team": "b"}}),
                allow(Condition={"Null": {"aws:SourceIp": "true"}}),
                allow(Condition={"IpAddress": {"aws:SourceIp": "10.0.0.0/8"}}),
            ),
        )
    )
    result = check_exact(Request(parse_principal(CAROL), INVOKE, FN, open_context=True), ps)
    assert set(result.allowed_if) == {
        (ConditionTerm("test:team", "StringEquals", ("a", "b")),),
        (ConditionTerm("aws:SourceIp", "IpAddressIfExists", ("10.0.0.0/8",)),),
    }


def test_keys_documented_absent_for_a_caller_are_decided_not_open() -> None:
    """An anonymous request carries no principal organization or MFA key; aws:SourceArn exists only
    when a service principal calls (keys page: aws:SourceAccount "is only available when the call to
    your resource is made directly by an AWS service principal"): decided as absent, not deferred."""
    grant = pol(
        "fn",
        {
            "Effect": "Allow",
            "Principal": "*",
            "Action": INVOKE,
            "Resource": FN,
            "Condition": {"StringEquals": {"aws:PrincipalOrgID": "o-abc"}},
        },
    )
    anonymous = Request(parse_principal("anonymous"), INVOKE, FN, open_context=True)
    assert evaluate(anonymous, PolicySet(resource=grant)).decision is Decision.IMPLICIT_DENY
    user = Request(parse_principal(f"arn:aws:iam::{B}:user/u"), INVOKE, FN, open_context=True)
    assert (
        evaluate(user, PolicySet(identity=(pol("i", allow()),), resource=grant)).decision
        is Decision.CONDITIONAL
    )
    mfa = pol("fn", {**allow(Condition=MFA), "Principal": "*"})
    assert evaluate(anonymous, PolicySet(resource=mfa)).decision is Decision.IMPLICIT_DENY
    source = pol(
        "fn", {**allow(Condition={"ArnLike": {"aws:SourceArn": "arn:aws:s3:::b1"}}), "Principal": "*"}
    )
    assert (
        evaluate(user, PolicySet(identity=(pol("i", allow()),), resource=source)).decision
        is Decision.IMPLICIT_DENY
    )
    s3 = Request(parse_principal("s3.amazonaws.com"), INVOKE, FN, open_context=True)
    assert evaluate(s3, PolicySet(resource=source)).decision is Decision.CONDITIONAL
    # Keys derived from the principal are never open (aws:PrincipalArn, aws:username, ...).
    for key in ("aws:PrincipalArn", "aws:PrincipalAccount", "aws:PrincipalType", "aws:username"):
        assert not key_is_open(key.lower(), parse_principal(CAROL)), KEYS_PAGE


def test_blocked_by_names_the_layer() -> None:
    """The layer that blocked an implicit deny, as data (denyallow page: each layer must allow)."""
    role = Request(parse_principal(f"arn:aws:iam::{A}:role/orders-api"), INVOKE, FN)
    nothing = pol("nothing", {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"})
    cases = [
        (PolicySet(), BlockedBy.NO_ALLOW),
        (PolicySet(identity=(pol("i", allow()),), boundary=nothing), BlockedBy.BOUNDARY),
        (PolicySet(identity=(pol("i", allow()),), session=nothing), BlockedBy.SESSION_POLICY),
        (PolicySet(identity=(pol("i", allow()),), scps=((nothing,),)), BlockedBy.SCP),
    ]
    for ps, want in cases:
        assert evaluate(role, ps).blocked_by is want, DENYALLOW
        assert evaluate(role, ps, explain=False).to_json()["blocked_by"] == want.value
    partner = Request(parse_principal(f"arn:aws:iam::{B}:role/partner"), INVOKE, FN)
    assert evaluate(partner, PolicySet(identity=(pol("i", allow()),))).blocked_by is BlockedBy.RESOURCE_POLICY
    grant = pol("fn", {**allow(), "Principal": {"AWS": f"arn:aws:iam::{B}:root"}})
    assert evaluate(partner, PolicySet(resource=grant)).blocked_by is BlockedBy.IDENTITY
    s3 = Request(parse_principal("s3.amazonaws.com"), INVOKE, FN)
    assert evaluate(s3, PolicySet()).blocked_by is BlockedBy.RESOURCE_POLICY
    # With an open context, the layer that blocks whatever the open keys are.
    open_role = dataclasses.replace(role, open_context=True)
    ps = PolicySet(identity=(pol("i", allow(Condition=MFA)),), boundary=nothing)
    result = evaluate(open_role, ps)
    assert result.decision is Decision.IMPLICIT_DENY and result.blocked_by is BlockedBy.BOUNDARY


def test_scenario_open_context_field() -> None:
    """``"open_context": true`` opens every key the file does not give; the default stays closed."""
    base = {
        "principal": CAROL,
        "action": INVOKE,
        "resource": FN,
        "identity_policies": [
            {"name": "oncall", "document": {"Version": "2012-10-17", "Statement": [allow(Condition=MFA)]}}
        ],
    }
    request, ps = load_scenario(base)
    assert evaluate(request, ps).decision is Decision.IMPLICIT_DENY
    request, ps = load_scenario({**base, "open_context": True})
    assert evaluate(request, ps).decision is Decision.CONDITIONAL
    request, ps = load_scenario(
        {**base, "open_context": True, "context": {"aws:MultiFactorAuthPresent": True}}
    )
    assert evaluate(request, ps).decision is Decision.ALLOWED
    import pytest

    from lambdaperm_tui.iam.errors import InputError

    with pytest.raises(InputError, match="open_context: expected true or false"):
        load_scenario({**base, "open_context": "yes"})
