"""AWS's remaining evaluation rules (issue 8), each with the page it follows.

- a resource-policy grant to ``"*"`` is not limited by a boundary or session policy (Principal element,
  "IAM role principals");
- a role trust policy must explicitly allow, even in the same account (policy evaluation logic), and
  has no Resource element;
- a federated-user session whose IAM user a resource policy names (denyallow page);
- sts:GetCallerIdentity needs no permission (STS API reference);
- Allow with NotPrincipal: not supported, answered with a warning (NotPrincipal page).
"""

from __future__ import annotations

from typing import Any

import pytest

from lambdaperm_tui.iam import Decision, PolicySet, Request, evaluate, parse_policy, parse_principal
from lambdaperm_tui.iam.errors import InputError
from lambdaperm_tui.iam.policy import Policy
from lambdaperm_tui.iam.render import element_words
from lambdaperm_tui.iam.result import BlockedBy, MatchReason, WarningCode
from lambdaperm_tui.iam.scenario import load_scenario

DOCS = "https://docs.aws.amazon.com/IAM/latest/UserGuide/"
PRINCIPAL_ROLES = DOCS + "reference_policies_elements_principal.html#principal-roles"
EVAL = DOCS + "reference_policies_evaluation-logic.html"
DENYALLOW = DOCS + "reference_policies_evaluation-logic_policy-eval-denyallow.html"
NOTPRINCIPAL = DOCS + "reference_policies_elements_notprincipal.html"
CALLER_IDENTITY = "https://docs.aws.amazon.com/STS/latest/APIReference/API_GetCallerIdentity.html"

A = "111122223333"
FN = f"arn:aws:lambda:us-east-1:{A}:function:billing"
SESSION = f"arn:aws:sts::{A}:assumed-role/orders-api/s1"
TARGET = f"arn:aws:iam::{A}:role/target"
USER = f"arn:aws:iam::{A}:user/alice"
FED = f"arn:aws:sts::{A}:federated-user/alice-app"
INVOKE = "lambda:InvokeFunction"


def pol(name: str, *statements: dict[str, Any]) -> Policy:
    return parse_policy({"Version": "2012-10-17", "Statement": list(statements)}, name)


NOTHING = pol("nothing", {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"})
IDENTITY = pol("id", {"Effect": "Allow", "Action": "*", "Resource": "*"})


def decide(principal: str, ps: PolicySet, action: str = INVOKE, resource: str = FN) -> Decision:
    request = Request(parse_principal(principal), action, resource)
    fast, full = evaluate(request, ps, explain=False), evaluate(request, ps)
    assert fast.decision is full.decision and fast.blocked_by is full.blocked_by
    return fast.decision


@pytest.mark.parametrize("grantee", ["*", {"AWS": "*"}])
def test_wildcard_principal_grant_is_not_limited_by_boundary_or_session_policy(grantee: Any) -> None:
    """PRINCIPAL_ROLES: "permissions boundaries or session policies, do not limit permissions granted
    using the aws:PrincipalArn condition key with a wildcard(*) in the Principal element, unless the
    identity-based policies contain an explicit deny"."""
    grant = pol(
        "fn",
        {
            "Effect": "Allow",
            "Principal": grantee,
            "Action": INVOKE,
            "Resource": FN,
            "Condition": {"ArnLike": {"aws:PrincipalArn": f"arn:aws:iam::{A}:role/orders-*"}},
        },
    )
    assert decide(SESSION, PolicySet(resource=grant, boundary=NOTHING)) is Decision.ALLOWED, PRINCIPAL_ROLES
    assert decide(SESSION, PolicySet(resource=grant, session=NOTHING)) is Decision.ALLOWED
    # An explicit deny in them still wins.
    deny = pol("deny", {"Effect": "Deny", "Action": INVOKE, "Resource": "*"})
    assert decide(SESSION, PolicySet(resource=grant, boundary=deny)) is Decision.EXPLICIT_DENY
    # A grant naming the role ARN stays limited by the boundary.
    by_role = pol(
        "fn", {"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{A}:role/orders-api"}, "Action": INVOKE}
    )
    assert decide(SESSION, PolicySet(resource=by_role, boundary=NOTHING)) is Decision.IMPLICIT_DENY


TRUST = {"Effect": "Allow", "Action": "sts:AssumeRole"}


def test_role_trust_policy_must_explicitly_allow() -> None:
    """EVAL: "IAM role trust policies and KMS key policies are exceptions to this logic, because they
    must explicitly allow access for principals" (even in the same account)."""
    no_trust = pol("target/trust", {**TRUST, "Principal": {"Service": "lambda.amazonaws.com"}})
    request = Request(parse_principal(SESSION), "sts:AssumeRole", TARGET)
    result = evaluate(request, PolicySet(identity=(IDENTITY,), resource=no_trust))
    assert result.decision is Decision.IMPLICIT_DENY, EVAL
    assert result.blocked_by is BlockedBy.RESOURCE_POLICY
    # The account's root user too: no full access to assume a role its trust policy does not name.
    assert decide(A, PolicySet(resource=no_trust), "sts:AssumeRole", TARGET) is Decision.IMPLICIT_DENY
    # Naming the account delegates to identity policies, which then must allow.
    by_account = pol("target/trust", {**TRUST, "Principal": {"AWS": f"arn:aws:iam::{A}:root"}})
    ps = PolicySet(identity=(IDENTITY,), resource=by_account)
    assert decide(SESSION, ps, "sts:AssumeRole", TARGET) is Decision.ALLOWED
    assert decide(SESSION, PolicySet(resource=by_account), "sts:AssumeRole", TARGET) is Decision.IMPLICIT_DENY
    # Naming the caller's session directly suffices.
    by_session = pol("target/trust", {**TRUST, "Principal": {"AWS": SESSION}})
    assert decide(SESSION, PolicySet(resource=by_session), "sts:AssumeRole", TARGET) is Decision.ALLOWED
    # Other actions on a role keep the usual same-account rule (identity OR resource).
    assert decide(SESSION, PolicySet(identity=(IDENTITY,)), "iam:GetRole", TARGET) is Decision.ALLOWED


def test_trust_policy_without_resource_is_accepted_in_a_scenario() -> None:
    """A trust policy has no Resource element; a scenario accepts it as the resource policy (other
    resource-policy statements still need Resource or NotResource)."""
    trust = {"Version": "2012-10-17", "Statement": [{**TRUST, "Principal": {"AWS": SESSION}}]}
    base = {"principal": SESSION, "action": "sts:AssumeRole", "resource": TARGET}
    request, ps = load_scenario({**base, "resource_policy": {"name": "target/trust", "document": trust}})
    assert evaluate(request, ps).decision is Decision.ALLOWED
    bad = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": "*", "Action": INVOKE}]}
    with pytest.raises(InputError, match="Resource: missing"):
        load_scenario({**base, "resource_policy": {"name": "fn", "document": bad}})


def test_federated_by_user_grant_applies_and_is_limited_by_the_session_policy() -> None:
    """DENYALLOW: "if a resource-based policy grants permission to the ARN of the IAM user who
    federated, then requests made by the federated user during the session are limited by an implicit
    deny in a permission boundary or session policy"; a Deny naming the user applies too."""
    grant = {"Effect": "Allow", "Principal": {"AWS": USER}, "Action": INVOKE, "Resource": FN}
    allow_all = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}
    none = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]}
    base: dict[str, Any] = {
        "principal": FED,
        "action": INVOKE,
        "resource": FN,
        "resource_policy": {"name": "fn", "document": {"Version": "2012-10-17", "Statement": [grant]}},
    }
    # Without federated_by the grant names someone else.
    request, ps = load_scenario({**base, "session_policy": {"name": "s", "document": allow_all}})
    assert evaluate(request, ps).decision is Decision.IMPLICIT_DENY
    with_user = {**base, "federated_by": USER}
    request, ps = load_scenario({**with_user, "session_policy": {"name": "s", "document": allow_all}})
    assert evaluate(request, ps).decision is Decision.ALLOWED, DENYALLOW
    request, ps = load_scenario({**with_user, "session_policy": {"name": "s", "document": none}})
    result = evaluate(request, ps)
    assert result.decision is Decision.IMPLICIT_DENY and result.blocked_by is BlockedBy.SESSION_POLICY
    deny = {**grant, "Effect": "Deny"}
    request, ps = load_scenario(
        {
            **with_user,
            "resource_policy": {"name": "fn", "document": {"Version": "2012-10-17", "Statement": [deny]}},
        }
    )
    assert evaluate(request, ps).decision is Decision.EXPLICIT_DENY
    with pytest.raises(InputError, match="federated_by: only for a federated-user principal"):
        load_scenario({**with_user, "principal": USER})


def test_get_caller_identity_needs_no_permission() -> None:
    """CALLER_IDENTITY: "No permissions are required to perform this operation. If an administrator
    attaches a policy to your identity that explicitly denies access to the sts:GetCallerIdentity
    action, you can still perform this operation." """
    deny = pol("deny", {"Effect": "Deny", "Action": "*", "Resource": "*"})
    request = Request(parse_principal(SESSION), "sts:GetCallerIdentity", "*")
    result = evaluate(request, PolicySet(identity=(deny,), scps=((NOTHING,),)))
    assert result.decision is Decision.ALLOWED, CALLER_IDENTITY
    assert result.explanation is not None and "needs no permission" in result.explanation.summary
    assert evaluate(request, PolicySet(), explain=False).decision is Decision.ALLOWED
    # An unsigned caller is not an IAM identity: the usual rules apply.
    anonymous = Request(parse_principal("anonymous"), "sts:GetCallerIdentity", "*")
    assert evaluate(anonymous, PolicySet()).decision is Decision.IMPLICIT_DENY


def test_allow_with_not_principal_is_answered_with_a_warning() -> None:
    """NOTPRINCIPAL: NotPrincipal must be used with Deny; AWS gives no rule for Allow (older pages said it
    grants everyone not listed). The engine grants no one, says so, and warns."""
    doc = pol("fn", {"Effect": "Allow", "NotPrincipal": {"AWS": USER}, "Action": INVOKE, "Resource": FN})
    request = Request(parse_principal(SESSION), INVOKE, FN)
    result = evaluate(request, PolicySet(resource=doc))
    assert result.decision is Decision.IMPLICIT_DENY, NOTPRINCIPAL
    assert [(w.code, w.policy, w.statement_index) for w in result.warnings] == [
        (WarningCode.ALLOW_WITH_NOT_PRINCIPAL, "fn", 0)
    ]
    assert result.to_json()["warnings"] == [
        {"code": "allow-with-not-principal", "policy_type": "resource", "policy": "fn", "statement_index": 0}
    ]
    assert result.explanation is not None
    (element,) = [
        e
        for s in result.explanation.policies[0].statements
        for e in s.elements
        if e.element == "NotPrincipal"
    ]
    assert element.reason is MatchReason.NOT_PRINCIPAL_WITH_ALLOW and not element.matched
    assert element.patterns == (USER,) and element.principal_keys == ("AWS",)
    words = element_words(element)
    assert "not supported" in words and "older" in words
