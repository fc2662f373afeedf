"""The same-account grant table and the cross-account 2x2.

Same account — https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html
("Evaluating identity-based policies with resource-based policies"), the boundary table in
https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies_boundaries.html and the session-policy
rules in https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies.html#policies_session:
- a resource-policy grant naming an IAM user is not limited by an implicit deny in the user's identity
  policies or boundary;
- one naming an IAM role is limited by an implicit deny in the role session's boundary or session policy
  (but not by its identity policies);
- one naming the role session ARN is limited by none of them;
- one naming the account only delegates: the identity policies must allow.

Cross account — https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic-cross-account.html:
both the identity side (within boundary and session policy) and the resource policy must allow.
"""

from __future__ import annotations

from typing import Any

import pytest

from lambdaperm_tui.iam import Decision, PolicySet, Request, evaluate, parse_policy, parse_principal
from lambdaperm_tui.iam.policy import Policy

A = "111122223333"
B = "444455556666"
FN = f"arn:aws:lambda:us-east-1:{A}:function:billing:prod"
ROLE = f"arn:aws:iam::{A}:role/orders-api"
SESSION = f"arn:aws:sts::{A}:assumed-role/orders-api/s1"
USER = f"arn:aws:iam::{A}:user/alice"
FED = f"arn:aws:sts::{A}:federated-user/bob"
INVOKE = "lambda:InvokeFunction"


def pol(name: str, effect: str = "Allow", action: str = INVOKE, **extra: Any) -> Policy:
    st = {"Effect": effect, "Action": action, "Resource": "*", **extra}
    return parse_policy({"Version": "2012-10-17", "Statement": [st]}, name)


ID_ALLOW = pol("id-allow")
ID_NONE = pol("id-other", action="s3:GetObject")
BOUNDARY_ALLOW = pol("boundary-allow", action="lambda:*")
BOUNDARY_NONE = pol("boundary-other", action="s3:*")
SESSION_ALLOW = pol("session-allow", action="lambda:*")
SESSION_NONE = pol("session-other", action="s3:*")


def grant(principal: Any) -> Policy:
    return pol("res", Principal=principal)


def run(principal: str, ps: PolicySet, resource: str = FN) -> Decision:
    r = Request(parse_principal(principal), INVOKE, resource)
    fast = evaluate(r, ps, explain=False)
    full = evaluate(r, ps)
    assert fast.decision == full.decision and fast.decided_by == full.decided_by
    return full.decision


ALLOWED, DENIED = Decision.ALLOWED, Decision.IMPLICIT_DENY

# (caller, identity, boundary, session, resource-policy principal, expected)
SAME_ACCOUNT_ROWS = [
    # identity policy alone
    ("role session", SESSION, ID_ALLOW, None, None, None, ALLOWED),
    ("identity, boundary lacks", SESSION, ID_ALLOW, BOUNDARY_NONE, None, None, DENIED),
    ("identity, boundary allows", SESSION, ID_ALLOW, BOUNDARY_ALLOW, None, None, ALLOWED),
    ("identity, session policy lacks", SESSION, ID_ALLOW, None, SESSION_NONE, None, DENIED),
    ("identity, session policy allows", SESSION, ID_ALLOW, None, SESSION_ALLOW, None, ALLOWED),
    ("nothing allows", SESSION, ID_NONE, None, None, None, DENIED),
    # resource policy naming the IAM user: not limited by identity implicit deny or boundary
    ("user grant", USER, ID_NONE, None, None, {"AWS": USER}, ALLOWED),
    ("user grant, boundary lacks", USER, ID_NONE, BOUNDARY_NONE, None, {"AWS": USER}, ALLOWED),
    ("user identity, boundary lacks, no grant", USER, ID_ALLOW, BOUNDARY_NONE, None, None, DENIED),
    # resource policy naming the role ARN: not limited by identity, limited by boundary and session policy
    ("role grant", SESSION, ID_NONE, None, None, {"AWS": ROLE}, ALLOWED),
    ("role grant, boundary allows", SESSION, ID_NONE, BOUNDARY_ALLOW, None, {"AWS": ROLE}, ALLOWED),
    ("role grant, boundary lacks", SESSION, ID_NONE, BOUNDARY_NONE, None, {"AWS": ROLE}, DENIED),
    ("role grant, session policy allows", SESSION, ID_NONE, None, SESSION_ALLOW, {"AWS": ROLE}, ALLOWED),
    ("role grant, session policy lacks", SESSION, ID_NONE, None, SESSION_NONE, {"AWS": ROLE}, DENIED),
    (
        "role grant to role principal, boundary lacks",
        ROLE,
        ID_NONE,
        BOUNDARY_NONE,
        None,
        {"AWS": ROLE},
        DENIED,
    ),
    # resource policy naming the role session ARN: not limited by boundary or session policy
    ("session grant", SESSION, ID_NONE, None, None, {"AWS": SESSION}, ALLOWED),
    ("session grant, boundary lacks", SESSION, ID_NONE, BOUNDARY_NONE, None, {"AWS": SESSION}, ALLOWED),
    ("session grant, session policy lacks", SESSION, ID_NONE, None, SESSION_NONE, {"AWS": SESSION}, ALLOWED),
    ("session grant, both lack", SESSION, ID_NONE, BOUNDARY_NONE, SESSION_NONE, {"AWS": SESSION}, ALLOWED),
    # federated user session ARN named directly
    ("federated user grant, session policy lacks", FED, ID_NONE, None, SESSION_NONE, {"AWS": FED}, ALLOWED),
    # account principal (root ARN or bare id) only delegates to identity policies
    ("account grant, no identity", SESSION, ID_NONE, None, None, {"AWS": f"arn:aws:iam::{A}:root"}, DENIED),
    ("account id grant, no identity", USER, ID_NONE, None, None, {"AWS": A}, DENIED),
    ("account grant, identity allows", SESSION, ID_ALLOW, None, None, {"AWS": A}, ALLOWED),
    ("account grant, identity outside boundary", SESSION, ID_ALLOW, BOUNDARY_NONE, None, {"AWS": A}, DENIED),
    # "*" grants are not limited by a boundary or session policy: "Identity-based policy types, such as
    # permissions boundaries or session policies, do not limit permissions granted using the
    # aws:PrincipalArn condition key with a wildcard(*) in the Principal element, unless the
    # identity-based policies contain an explicit deny."
    # https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html#principal-roles
    ("public grant to user", USER, ID_NONE, BOUNDARY_NONE, None, "*", ALLOWED),
    ("public grant to role session, boundary lacks", SESSION, ID_NONE, BOUNDARY_NONE, None, "*", ALLOWED),
    ("public grant, session policy lacks", SESSION, ID_NONE, None, SESSION_NONE, {"AWS": "*"}, ALLOWED),
    ("public grant to role session", SESSION, ID_NONE, None, None, {"AWS": "*"}, ALLOWED),
]


@pytest.mark.parametrize(
    ("caller", "identity", "boundary", "session", "principal", "expected"),
    [row[1:] for row in SAME_ACCOUNT_ROWS],
    ids=[row[0] for row in SAME_ACCOUNT_ROWS],
)
def test_same_account_table(
    caller: str,
    identity: Policy,
    boundary: Policy | None,
    session: Policy | None,
    principal: Any,
    expected: Decision,
) -> None:
    ps = PolicySet(
        identity=(identity,),
        boundary=boundary,
        session=session,
        resource=grant(principal) if principal is not None else None,
    )
    assert run(caller, ps) is expected


OTHER_ROLE = f"arn:aws:iam::{B}:role/partner"
OTHER_SESSION = f"arn:aws:sts::{B}:assumed-role/partner/job"


@pytest.mark.parametrize("caller", [OTHER_ROLE, OTHER_SESSION, f"arn:aws:iam::{B}:user/carol"])
@pytest.mark.parametrize(
    ("identity_allows", "resource_allows", "expected"),
    [(True, True, ALLOWED), (True, False, DENIED), (False, True, DENIED), (False, False, DENIED)],
)
def test_cross_account_both_sides_must_allow(
    caller: str, identity_allows: bool, resource_allows: bool, expected: Decision
) -> None:
    ps = PolicySet(
        identity=(ID_ALLOW if identity_allows else ID_NONE,),
        resource=grant({"AWS": B}) if resource_allows else grant({"AWS": "999988887777"}),
    )
    assert run(caller, ps) is expected


def test_cross_account_names_the_role_or_session() -> None:
    """Naming the role or the session in the other account also needs the identity side."""
    for named in (OTHER_ROLE, OTHER_SESSION):
        assert run(OTHER_SESSION, PolicySet(identity=(ID_ALLOW,), resource=grant({"AWS": named}))) is ALLOWED
        assert run(OTHER_SESSION, PolicySet(identity=(ID_NONE,), resource=grant({"AWS": named}))) is DENIED


def test_cross_account_boundary_and_session_policy_still_limit() -> None:
    ps = PolicySet(identity=(ID_ALLOW,), boundary=BOUNDARY_NONE, resource=grant({"AWS": OTHER_SESSION}))
    assert run(OTHER_SESSION, ps) is DENIED
    ps = PolicySet(identity=(ID_ALLOW,), session=SESSION_NONE, resource=grant({"AWS": OTHER_SESSION}))
    assert run(OTHER_SESSION, ps) is DENIED


def test_resource_account_field_overrides_arn_account() -> None:
    """``resource_account`` decides same- vs cross-account (README.md, "The scenario file")."""
    ps = PolicySet(identity=(ID_NONE,), resource=grant({"AWS": ROLE}))
    same = Request(parse_principal(SESSION), INVOKE, FN)
    cross = Request(parse_principal(SESSION), INVOKE, FN, resource_account=B)
    assert evaluate(same, ps).decision is ALLOWED
    assert evaluate(cross, ps).decision is DENIED


def test_cross_account_explanation_says_which_side_is_missing() -> None:
    r = evaluate(Request(parse_principal(OTHER_SESSION), INVOKE, FN), PolicySet(resource=grant({"AWS": B})))
    assert r.explanation is not None
    assert r.explanation.summary == (
        "implicitly denied: cross-account: the resource policy allows but no identity policy does"
    )
