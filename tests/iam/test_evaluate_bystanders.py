"""A caller whose own policies say nothing about the action (a "bystander", ``evaluate._bystander_key``)
gets its unexplained result from a memo shared with other callers of the same principal case; the memo
must never change an answer. Each request is decided twice: after other principals have filled the memo,
and with the memo emptied first; the results must be equal, over generated policies (Allow and Deny,
Action and NotAction, conditions, boundaries, SCP levels, resource policies naming callers) and callers
(roles, users, the root user, a service-linked role, another account's role, a service).

The rules themselves are tested with their AWS pages in test_evaluate_rules.py:
https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html
"""

from __future__ import annotations

from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lambdaperm_tui.iam import PolicySet, Request, evaluate, parse_policy, parse_principal
from lambdaperm_tui.iam.evaluate import _BYSTANDERS
from lambdaperm_tui.iam.policy import Policy

A = "111122223333"
B = "444455556666"
FN = f"arn:aws:lambda:us-east-1:{A}:function:billing"
CALLERS = (
    f"arn:aws:iam::{A}:role/orders",
    f"arn:aws:iam::{A}:role/team/billing",
    f"arn:aws:iam::{A}:user/alice",
    f"arn:aws:iam::{A}:root",
    f"arn:aws:iam::{A}:role/aws-service-role/ops.amazonaws.com/AWSServiceRoleForOps",
    f"arn:aws:sts::{A}:assumed-role/orders/s1",
    f"arn:aws:iam::{B}:role/partner",
    "s3.amazonaws.com",
)

actions = st.sampled_from(["lambda:InvokeFunction", "lambda:*", "lambda:Get*", "s3:GetObject", "*"])
resources = st.sampled_from([FN, f"{FN}:*", "arn:aws:lambda:*:*:function:other", "*"])
conditions = st.sampled_from(
    [
        None,
        {"StringEquals": {"aws:PrincipalTag/team": "orders"}},
        {"Bool": {"aws:SecureTransport": "true"}},
        {"StringLike": {"aws:PrincipalArn": f"arn:aws:iam::{A}:role/o*"}},
        {"StringEquals": {"aws:PrincipalAccount": A}},
    ]
)


@st.composite
def statements(draw: st.DrawFn, principal: bool) -> dict[str, Any]:
    out: dict[str, Any] = {"Effect": draw(st.sampled_from(["Allow", "Allow", "Deny"]))}
    out["NotAction" if draw(st.integers(0, 6)) == 0 else "Action"] = draw(actions)
    out["Resource"] = draw(resources)
    cond = draw(conditions)
    if cond is not None:
        out["Condition"] = cond
    if principal and draw(st.integers(0, 5)) == 0:
        out["NotPrincipal"] = {"AWS": A}  # an Allow with it is not supported, and warned of
    elif principal:
        out["Principal"] = draw(
            st.sampled_from(["*", {"AWS": A}, {"AWS": CALLERS[0]}, {"Service": CALLERS[-1]}])
        )
    return out


def policies(name: str, principal: bool = False) -> st.SearchStrategy[Policy]:
    return st.lists(statements(principal), min_size=1, max_size=3).map(
        lambda sts: parse_policy({"Version": "2012-10-17", "Statement": sts}, name)
    )


@st.composite
def policy_sets(draw: st.DrawFn) -> PolicySet:
    return PolicySet(
        identity=tuple(draw(st.lists(policies("id"), max_size=2))),
        boundary=draw(st.one_of(st.none(), policies("boundary"))),
        scps=tuple((draw(policies(f"scp{i}")),) for i in range(draw(st.integers(0, 2)))),
        resource=draw(st.one_of(st.none(), policies("resource", principal=True))),
    )


def _decide(principal: str, action: str, ps: PolicySet, open_context: bool) -> Any:
    # Callers differ in their context too (a tag on some, as the inventory gives a role's tags).
    context = {"aws:PrincipalTag/team": "orders"} if "orders" in principal else {}
    request = Request(parse_principal(principal), action, FN, A, context, open_context=open_context)
    return evaluate(request, ps, explain=False)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(policy_sets(), min_size=1, max_size=4),
    st.sampled_from(["lambda:InvokeFunction", "lambda:GetFunction", "lambda:UpdateFunctionCode"]),
    st.booleans(),
)
def test_a_remembered_bystander_result_is_the_one_computed_afresh(
    sets: list[PolicySet], action: str, open_context: bool
) -> None:
    # Several callers share the SCPs and the boundary (as an account's principals do), not their own policies.
    shared = sets[0]
    asked = [
        (
            caller,
            PolicySet(identity=ps.identity, boundary=shared.boundary, scps=shared.scps, resource=ps.resource),
        )
        for ps in sets
        for caller in CALLERS
    ]
    warm = [_decide(caller, action, ps, open_context) for caller, ps in asked]
    cold = []
    for caller, ps in asked:
        _BYSTANDERS.clear()
        cold.append(_decide(caller, action, ps, open_context))
    assert warm == cold


def test_bystanders_of_one_case_share_one_result() -> None:
    """The memo is used: two roles whose policies say nothing of lambda get the very same result."""
    scp = parse_policy({"Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}, "all")
    s3 = parse_policy({"Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]}, "s3")
    ps = PolicySet(identity=(s3,), scps=((scp,),))
    _BYSTANDERS.clear()
    first = _decide(CALLERS[0], "lambda:InvokeFunction", ps, True)
    second = _decide(CALLERS[1], "lambda:InvokeFunction", ps, True)
    assert first.decision.value == "implicit_deny"
    assert second is first


def test_a_resource_policy_warning_is_not_taken_from_another_callers_result() -> None:
    """An Allow with NotPrincipal is warned of for any statement whose Action matches, whatever its
    Resource names (``_warnings``): a resource policy holding one must not share a result without it."""
    plain = parse_policy(
        {"Statement": [{"Effect": "Allow", "Principal": "*", "Action": "s3:*", "Resource": "*"}]}, "r"
    )
    warned = parse_policy(
        {
            "Statement": [
                {
                    "Effect": "Allow",
                    "NotPrincipal": {"AWS": A},
                    "Action": "lambda:InvokeFunction",
                    "Resource": "arn:aws:lambda:*:*:function:other",
                }
            ]
        },
        "r",
    )
    _BYSTANDERS.clear()
    first = _decide(CALLERS[0], "lambda:InvokeFunction", PolicySet(resource=plain), True)
    second = _decide(CALLERS[1], "lambda:InvokeFunction", PolicySet(resource=warned), True)
    assert first.warnings == ()
    assert [w.code.value for w in second.warnings] == ["allow-with-not-principal"]
