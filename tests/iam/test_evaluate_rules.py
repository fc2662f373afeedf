"""One test (at least) per rule of README.md "The engine", each citing the AWS page it follows."""

from __future__ import annotations

from typing import Any

import pytest

from lambdaperm_tui.iam import (
    Decision,
    PolicySet,
    Request,
    evaluate,
    parse_policy,
    parse_principal,
)
from lambdaperm_tui.iam.policy import Policy

DOCS = "https://docs.aws.amazon.com/IAM/latest/UserGuide/"
DENYALLOW = DOCS + "reference_policies_evaluation-logic_policy-eval-denyallow.html"
EVAL = DOCS + "reference_policies_evaluation-logic.html"
PRINCIPAL = DOCS + "reference_policies_elements_principal.html"
SCP_EVAL = (
    "https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_scps_evaluation.html"
)
RCP = "https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_rcps.html"
KEYS = DOCS + "reference_policies_condition-keys.html"

A = "111122223333"
B = "444455556666"
FN = f"arn:aws:lambda:us-east-1:{A}:function:billing"
ROLE = f"arn:aws:iam::{A}:role/orders-api"
SESSION = f"arn:aws:sts::{A}:assumed-role/orders-api/s1"
USER = f"arn:aws:iam::{A}:user/alice"
INVOKE = "lambda:InvokeFunction"


def pol(name: str, *statements: dict[str, Any], version: str | None = "2012-10-17") -> Policy:
    d: dict[str, Any] = {"Statement": list(statements)}
    if version:
        d["Version"] = version
    return parse_policy(d, name)


def allow(action: str = INVOKE, resource: str = "*", **extra: Any) -> dict[str, Any]:
    return {"Effect": "Allow", "Action": action, "Resource": resource, **extra}


def deny(action: str = INVOKE, resource: str = "*", **extra: Any) -> dict[str, Any]:
    return {"Effect": "Deny", "Action": action, "Resource": resource, **extra}


def req(principal: str, action: str = INVOKE, resource: str = FN, **kw: Any) -> Request:
    return Request(parse_principal(principal), action, resource, **kw)


def decide(request: Request, policies: PolicySet) -> Decision:
    fast = evaluate(request, policies, explain=False)
    full = evaluate(request, policies, explain=True)
    # The fast path and the explained path must always agree.
    assert fast.decision == full.decision
    assert fast.decided_by == full.decided_by
    assert fast.explanation is None and full.explanation is not None
    return full.decision


FULL_SCP = pol("FullAWSAccess", allow("*"))
ALLOW_ALL_RCP = pol("RCPFullAWSAccess", allow("*", Principal="*"))


# ------------------------------------------------------------------------------------------- explicit deny


@pytest.mark.parametrize("layer", ["identity", "resource", "boundary", "session", "scp", "rcp"])
def test_explicit_deny_in_any_policy_wins(layer: str) -> None:
    """An explicit deny in any policy overrides every allow.

    https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic_policy-eval-denyallow.html
    """
    d = pol(
        f"{layer}-deny",
        deny(Principal="*") if layer in ("resource", "rcp") else deny(),
        allow("*", Principal="*") if layer in ("resource", "rcp") else allow("*"),
    )
    base = dict(
        identity=(pol("id", allow("*")),),
        boundary=pol("b", allow("*")),
        session=pol("s", allow("*")),
        scps=((FULL_SCP,),),
        rcps=((ALLOW_ALL_RCP,),),
        resource=pol("res", allow("*", Principal={"AWS": SESSION})),
    )
    assert decide(req(SESSION), PolicySet(**base)) is Decision.ALLOWED  # type: ignore[arg-type]
    if layer == "identity":
        base["identity"] = (pol("id", allow("*")), d)
    elif layer in ("scp", "rcp"):
        base[layer + "s"] = ((FULL_SCP if layer == "scp" else ALLOW_ALL_RCP,), (d,))
    else:
        base[layer] = d
    r = evaluate(req(SESSION), PolicySet(**base))  # type: ignore[arg-type]
    assert r.decision is Decision.EXPLICIT_DENY
    assert [(x.policy_type, x.policy, x.effect) for x in r.decided_by] == [(layer, f"{layer}-deny", "Deny")]


def test_deny_with_condition_only_when_condition_holds() -> None:
    """Conditions decide whether a Deny statement applies.

    https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic_policy-eval-denyallow.html
    """
    ps = PolicySet(identity=(pol("id", allow(), deny(Condition={"Bool": {"aws:SecureTransport": "false"}})),))
    assert decide(req(ROLE, context={"aws:SecureTransport": "true"}), ps) is Decision.ALLOWED
    assert decide(req(ROLE, context={"aws:SecureTransport": "false"}), ps) is Decision.EXPLICIT_DENY


def test_implicit_deny_by_default() -> None:
    """By default all requests are implicitly denied.

    https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic_policy-eval-denyallow.html
    """
    assert decide(req(ROLE), PolicySet()) is Decision.IMPLICIT_DENY
    assert decide(req(ROLE), PolicySet(identity=(pol("id", allow("s3:*")),))) is Decision.IMPLICIT_DENY


# -------------------------------------------------------------------------------------------------- SCPs


def test_every_scp_level_must_allow() -> None:
    """Root, OU and account levels each need an Allow for the action.

    https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_scps_evaluation.html
    """
    ident = (pol("id", allow()),)
    ok = PolicySet(identity=ident, scps=((FULL_SCP,), (pol("ou", allow("lambda:*")),), (FULL_SCP,)))
    assert decide(req(ROLE), ok) is Decision.ALLOWED
    blocked = PolicySet(identity=ident, scps=((FULL_SCP,), (pol("ou", allow("s3:*")),), (FULL_SCP,)))
    r = evaluate(req(ROLE), blocked)
    assert r.decision is Decision.IMPLICIT_DENY
    assert r.decided_by == ()
    assert r.explanation is not None
    assert "no SCP at level 1 allows lambda:InvokeFunction" in r.explanation.summary


def test_one_allowing_policy_per_level_is_enough() -> None:
    """Within a level, any attached SCP that allows is enough.

    https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_scps_evaluation.html
    """
    ps = PolicySet(
        identity=(pol("id", allow()),), scps=((pol("a", allow("s3:*")), pol("b", allow("lambda:*"))),)
    )
    assert decide(req(USER), ps) is Decision.ALLOWED


def test_scps_limit_resource_policy_grants_too() -> None:
    """SCPs limit the principal even when a resource policy grants.

    https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_scps_evaluation.html
    """
    ps = PolicySet(resource=pol("r", allow(Principal={"AWS": USER})), scps=((pol("ou", allow("s3:*")),),))
    assert decide(req(USER), ps) is Decision.IMPLICIT_DENY


@pytest.mark.parametrize("principal", ["s3.amazonaws.com", "anonymous"])
def test_scps_do_not_govern_service_principals_or_anonymous(principal: str) -> None:
    """SCPs affect only IAM users and roles of member accounts.

    https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_scps_evaluation.html
    https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html
    """
    res = pol("r", allow(Principal="*"))
    ps = PolicySet(resource=res, scps=((pol("deny-all", deny("*")),), (pol("nothing", allow("s3:*")),)))
    assert decide(req(principal), ps) is Decision.ALLOWED


def test_empty_scp_levels_mean_no_scp_applies() -> None:
    """The management account is not restricted by SCPs: the caller passes no levels.

    https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_scps_evaluation.html
    """
    assert decide(req(ROLE), PolicySet(identity=(pol("id", allow()),), scps=())) is Decision.ALLOWED


# -------------------------------------------------------------------------------------------------- RCPs


def test_every_rcp_level_must_allow() -> None:
    """RCPs set the maximum permissions on resources; each level must allow.

    https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_rcps.html
    """
    ident = (pol("id", allow()),)
    assert (
        decide(req(ROLE), PolicySet(identity=ident, rcps=((ALLOW_ALL_RCP,), (ALLOW_ALL_RCP,))))
        is Decision.ALLOWED
    )
    r = evaluate(
        req(ROLE),
        PolicySet(identity=ident, rcps=((ALLOW_ALL_RCP,), (pol("x", allow("s3:*", Principal="*")),))),
    )
    assert r.decision is Decision.IMPLICIT_DENY
    assert (
        r.explanation is not None
        and "no RCP at level 1 allows lambda:InvokeFunction" in r.explanation.summary
    )


def test_rcp_deny_applies_to_other_accounts_and_services() -> None:
    """An RCP restricts access to the resource whoever the caller is.

    https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_rcps.html
    """
    rcp = pol(
        "perimeter",
        allow("*", Principal="*"),
        deny(
            "*",
            Principal="*",
            Condition={
                "StringNotEqualsIfExists": {"aws:PrincipalAccount": A},
                "BoolIfExists": {"aws:PrincipalIsAWSService": "false"},
            },
        ),
    )
    res = pol("r", allow(Principal={"AWS": B, "Service": "s3.amazonaws.com"}))
    outsider = f"arn:aws:iam::{B}:role/x"
    ps = PolicySet(identity=(pol("id", allow()),), resource=res, rcps=((rcp,),))
    assert decide(req(outsider), ps) is Decision.EXPLICIT_DENY
    # The service principal is exempted only by the RCP's own condition (aws:PrincipalIsAWSService).
    assert decide(req("s3.amazonaws.com"), ps) is Decision.ALLOWED


# --------------------------------------------------------------------------- service principals, anonymous


def test_service_principal_is_authorised_by_resource_policy_alone() -> None:
    """AWS service principals are granted by the resource policy.

    https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html
    """
    res = pol(
        "r",
        allow(
            Principal={"Service": "s3.amazonaws.com"},
            Condition={"ArnLike": {"aws:SourceArn": "arn:aws:s3:::orders-*"}},
        ),
    )
    ps = PolicySet(resource=res, identity=(pol("id", deny("*")),), boundary=pol("b", deny("*")))
    ok = req("s3.amazonaws.com", context={"aws:SourceArn": "arn:aws:s3:::orders-in"})
    assert decide(ok, ps) is Decision.ALLOWED
    assert (
        decide(req("s3.amazonaws.com", context={"aws:SourceArn": "arn:aws:s3:::x"}), ps)
        is Decision.IMPLICIT_DENY
    )
    assert decide(req("sns.amazonaws.com"), ps) is Decision.IMPLICIT_DENY
    assert decide(req("s3.amazonaws.com"), PolicySet()) is Decision.IMPLICIT_DENY


@pytest.mark.parametrize("principal_element", ["*", {"AWS": "*"}])
def test_anonymous_allowed_only_by_public_resource_policy(principal_element: Any) -> None:
    """ "*" in Principal means everyone, including anonymous; {"AWS": "*"} is the same.

    https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html
    """
    assert (
        decide(req("anonymous"), PolicySet(resource=pol("r", allow(Principal=principal_element))))
        is Decision.ALLOWED
    )
    named = PolicySet(resource=pol("r", allow(Principal={"AWS": A})))
    assert decide(req("anonymous"), named) is Decision.IMPLICIT_DENY


# --------------------------------------------------------------------------------------------------- root


def test_root_user_has_full_access_to_own_account() -> None:
    """Requests are implicitly denied except for the account root user, which has full access.

    https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic_policy-eval-denyallow.html
    """
    assert decide(req(f"arn:aws:iam::{A}:root"), PolicySet()) is Decision.ALLOWED
    assert decide(req(A), PolicySet()) is Decision.ALLOWED


def test_root_user_limited_by_scp_and_explicit_deny() -> None:
    """SCPs restrict the member account's root user; an explicit deny still wins.

    https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_scps_evaluation.html
    """
    root = f"arn:aws:iam::{A}:root"
    assert decide(req(root), PolicySet(scps=((pol("ou", allow("s3:*")),),))) is Decision.IMPLICIT_DENY
    assert decide(req(root), PolicySet(scps=((FULL_SCP, pol("d", deny())),))) is Decision.EXPLICIT_DENY
    res = pol("r", deny(Principal={"AWS": A}))
    assert decide(req(root), PolicySet(resource=res)) is Decision.EXPLICIT_DENY


def test_root_user_of_another_account_needs_the_resource_policy() -> None:
    """Cross-account access needs the resource policy to trust the other account.

    https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic-cross-account.html
    """
    other_root = f"arn:aws:iam::{B}:root"
    assert decide(req(other_root), PolicySet()) is Decision.IMPLICIT_DENY
    assert (
        decide(req(other_root), PolicySet(resource=pol("r", allow(Principal={"AWS": B})))) is Decision.ALLOWED
    )


# -------------------------------------------------------------------------------------- principal matching


def test_bare_account_id_equals_root_arn() -> None:
    """A bare account id in Principal is the same as arn:aws:iam::ID:root.

    https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html
    """
    for element in (B, f"arn:aws:iam::{B}:root"):
        ps = PolicySet(identity=(pol("id", allow()),), resource=pol("r", allow(Principal={"AWS": element})))
        assert decide(req(f"arn:aws:iam::{B}:role/caller"), ps) is Decision.ALLOWED


def test_role_arn_matches_every_session_of_that_role() -> None:
    """Naming a role in Principal covers its sessions.

    https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html
    """
    res = pol("r", allow(Principal={"AWS": f"arn:aws:iam::{A}:role/team/orders-api"}))
    assert decide(req(SESSION), PolicySet(resource=res)) is Decision.ALLOWED
    assert (
        decide(req(f"arn:aws:sts::{A}:assumed-role/other/s1"), PolicySet(resource=res))
        is Decision.IMPLICIT_DENY
    )


def test_session_arn_principal_matches_only_that_session() -> None:
    """A role session ARN in Principal names one session.

    https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html
    """
    res = pol("r", allow(Principal={"AWS": SESSION}))
    assert decide(req(SESSION), PolicySet(resource=res)) is Decision.ALLOWED
    assert (
        decide(req(f"arn:aws:sts::{A}:assumed-role/orders-api/s2"), PolicySet(resource=res))
        is Decision.IMPLICIT_DENY
    )
    assert decide(req(ROLE), PolicySet(resource=res)) is Decision.IMPLICIT_DENY


def test_user_principal_is_exact() -> None:
    """An IAM user ARN names that user.

    https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html
    """
    res = pol("r", allow(Principal={"AWS": USER}))
    assert decide(req(USER), PolicySet(resource=res)) is Decision.ALLOWED
    assert decide(req(f"arn:aws:iam::{A}:user/bob"), PolicySet(resource=res)) is Decision.IMPLICIT_DENY


def test_federated_user_principal() -> None:
    """An STS federated user session ARN in Principal names that federated user.

    https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html
    """
    fed = f"arn:aws:sts::{A}:federated-user/bob"
    assert decide(req(fed), PolicySet(resource=pol("r", allow(Principal={"AWS": fed})))) is Decision.ALLOWED
    assert (
        decide(req(fed), PolicySet(resource=pol("r", allow(Principal={"AWS": USER}))))
        is Decision.IMPLICIT_DENY
    )


NOTPRINCIPAL = DOCS + "reference_policies_elements_notprincipal.html"


def test_not_principal_deny_exempts_only_fully_listed_principal() -> None:
    """NotPrincipal with Deny denies everyone except the listed principals; a session is exempt only
    when its session ARN, role ARN and account are all listed. https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_notprincipal.html"""
    everyone = allow(Principal="*")
    full = pol("r", everyone, deny(NotPrincipal={"AWS": [SESSION, ROLE, f"arn:aws:iam::{A}:root"]}))
    assert decide(req(SESSION), PolicySet(resource=full)) is Decision.ALLOWED
    assert decide(req(USER), PolicySet(resource=full)) is Decision.EXPLICIT_DENY
    no_session = pol("r", everyone, deny(NotPrincipal={"AWS": [ROLE, f"arn:aws:iam::{A}:root"]}))
    assert decide(req(SESSION), PolicySet(resource=no_session)) is Decision.EXPLICIT_DENY
    user_only = pol("r", everyone, deny(NotPrincipal={"AWS": [USER]}))
    assert decide(req(USER), PolicySet(resource=user_only)) is Decision.EXPLICIT_DENY
    user_and_account = pol("r", everyone, deny(NotPrincipal={"AWS": [USER, A]}))
    assert decide(req(USER), PolicySet(resource=user_and_account)) is Decision.ALLOWED


def test_not_principal_deny_always_applies_with_a_boundary() -> None:
    """A Deny with NotPrincipal always denies IAM principals that have a permissions boundary.

    https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_notprincipal.html
    """
    res = pol("r", allow(Principal="*"), deny(NotPrincipal={"AWS": [USER, A]}))
    assert decide(req(USER), PolicySet(resource=res, boundary=pol("b", allow("*")))) is Decision.EXPLICIT_DENY


def test_not_principal_with_allow_grants_no_one() -> None:
    """NotPrincipal must be used with Deny; Allow with NotPrincipal is not supported.

    https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_notprincipal.html
    """
    res = pol("r", allow(NotPrincipal={"AWS": USER}))
    assert decide(req(f"arn:aws:iam::{A}:user/bob"), PolicySet(resource=res)) is Decision.IMPLICIT_DENY


def test_resource_statement_without_principal_grants_no_one() -> None:
    """A resource-based policy must name the principal it grants to.

    https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html
    """
    assert decide(req(USER), PolicySet(resource=pol("r", allow()))) is Decision.IMPLICIT_DENY


# ------------------------------------------------------------------------------------ NotAction, NotResource


def test_not_action() -> None:
    """NotAction matches every action except those listed.

    https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_notaction.html
    """
    ps = PolicySet(identity=(pol("id", {"Effect": "Allow", "NotAction": "lambda:Delete*", "Resource": "*"}),))
    assert decide(req(ROLE), ps) is Decision.ALLOWED
    assert decide(req(ROLE, action="lambda:DeleteFunction"), ps) is Decision.IMPLICIT_DENY
    deny_rest = PolicySet(
        identity=(pol("id", allow("*"), {"Effect": "Deny", "NotAction": "s3:*", "Resource": "*"}),)
    )
    assert decide(req(ROLE), deny_rest) is Decision.EXPLICIT_DENY
    assert (
        decide(req(ROLE, action="s3:GetObject", resource="arn:aws:s3:::b/k"), deny_rest) is Decision.ALLOWED
    )


def test_not_resource() -> None:
    """NotResource matches every resource except those listed.

    https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_notresource.html
    """
    ps = PolicySet(identity=(pol("id", {"Effect": "Allow", "Action": "lambda:*", "NotResource": FN + ":*"}),))
    assert decide(req(ROLE), ps) is Decision.ALLOWED
    assert decide(req(ROLE, resource=FN + ":prod"), ps) is Decision.IMPLICIT_DENY


# ------------------------------------------------------------------------------------------- Lambda ARNs


@pytest.mark.parametrize(
    ("pattern", "resource", "expected"),
    [
        (FN, FN, Decision.ALLOWED),
        (FN, FN + ":1", Decision.IMPLICIT_DENY),
        (FN, FN + ":prod", Decision.IMPLICIT_DENY),
        (FN + ":*", FN, Decision.IMPLICIT_DENY),
        (FN + ":*", FN + ":1", Decision.ALLOWED),
        (FN + ":*", FN + ":$LATEST", Decision.ALLOWED),
        (FN + "*", FN, Decision.ALLOWED),
        (FN + "*", FN + ":prod", Decision.ALLOWED),
        (FN + "*", FN + "-v2", Decision.ALLOWED),
    ],
)
def test_lambda_qualified_arn_matching(pattern: str, resource: str, expected: Decision) -> None:
    """https://docs.aws.amazon.com/lambda/latest/dg/lambda-api-permissions-ref.html: an unqualified
    function ARN in a policy covers only unqualified requests; function:f:* covers qualified ones."""
    ps = PolicySet(identity=(pol("id", allow(resource=pattern)),))
    assert decide(req(ROLE, resource=resource), ps) is expected


def test_action_case_insensitive_resource_case_sensitive() -> None:
    """Actions are case-insensitive; ARNs are case-sensitive.

    https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_action.html
    """
    ps = PolicySet(identity=(pol("id", allow("LAMBDA:invokefunction", FN)),))
    assert decide(req(ROLE), ps) is Decision.ALLOWED
    assert decide(req(ROLE, resource=FN.replace("billing", "Billing")), ps) is Decision.IMPLICIT_DENY


# --------------------------------------------------------------------------------- derived context, variables


def test_principal_derived_context_keys() -> None:
    """aws:PrincipalArn is the role ARN for a role session; aws:PrincipalAccount, aws:PrincipalType.

    https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html
    """
    cond = {
        "ArnEquals": {"aws:PrincipalArn": ROLE},
        "StringEquals": {"aws:PrincipalAccount": A, "aws:PrincipalType": "AssumedRole"},
    }
    ps = PolicySet(identity=(pol("id", allow(Condition=cond)),))
    assert decide(req(SESSION), ps) is Decision.ALLOWED
    assert decide(req(ROLE), ps) is Decision.ALLOWED
    assert decide(req(f"arn:aws:sts::{A}:assumed-role/other/s1"), ps) is Decision.IMPLICIT_DENY


def test_username_and_user_type_for_iam_users() -> None:
    """aws:username is present for IAM users.

    https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html
    """
    ps = PolicySet(
        identity=(
            pol(
                "id",
                allow(Condition={"StringEquals": {"aws:username": "alice", "aws:PrincipalType": "User"}}),
            ),
        )
    )
    assert decide(req(USER), ps) is Decision.ALLOWED
    # A role session has no aws:username, so the positive operator is false.
    assert (
        decide(
            req(SESSION),
            PolicySet(identity=(pol("id", allow(Condition={"StringLike": {"aws:username": "*"}})),)),
        )
        is Decision.IMPLICIT_DENY
    )


def test_service_principal_context_keys() -> None:
    """aws:PrincipalServiceName and aws:PrincipalIsAWSService for service principals.

    https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html
    """
    res = pol(
        "r",
        allow(
            Principal="*",
            Condition={
                "StringEquals": {"aws:PrincipalServiceName": "events.amazonaws.com"},
                "Bool": {"aws:PrincipalIsAWSService": "true"},
            },
        ),
    )
    assert decide(req("events.amazonaws.com"), PolicySet(resource=res)) is Decision.ALLOWED
    assert decide(req("sqs.amazonaws.com"), PolicySet(resource=res)) is Decision.IMPLICIT_DENY
    no_arn = pol("r", allow(Principal="*", Condition={"Null": {"aws:PrincipalArn": "true"}}))
    assert decide(req("events.amazonaws.com"), PolicySet(resource=no_arn)) is Decision.ALLOWED


def test_given_context_keys_win_over_derived_ones() -> None:
    """The request context carries what the caller gives; derived keys only fill gaps.

    https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html
    """
    ps = PolicySet(identity=(pol("id", allow(Condition={"StringEquals": {"aws:PrincipalAccount": B}})),))
    assert decide(req(ROLE), ps) is Decision.IMPLICIT_DENY
    assert decide(req(ROLE, context={"AWS:principalaccount": B}), ps) is Decision.ALLOWED


def test_policy_variables_in_resource_under_2012_10_17() -> None:
    """${aws:username} in Resource is replaced by the request's value.

    https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_variables.html
    """
    res = f"arn:aws:lambda:us-east-1:{A}:function:${{aws:username}}-*"
    ps = PolicySet(identity=(pol("id", allow(resource=res)),))
    assert (
        decide(req(USER, resource=f"arn:aws:lambda:us-east-1:{A}:function:alice-tool"), ps)
        is Decision.ALLOWED
    )
    assert (
        decide(req(USER, resource=f"arn:aws:lambda:us-east-1:{A}:function:bob-tool"), ps)
        is Decision.IMPLICIT_DENY
    )
    # No value and no default: the entry matches nothing.
    assert (
        decide(req(SESSION, resource=f"arn:aws:lambda:us-east-1:{A}:function:-tool"), ps)
        is Decision.IMPLICIT_DENY
    )


@pytest.mark.parametrize("version", ["2008-10-17", None])
def test_version_2008_and_none_take_variables_literally(version: str | None) -> None:
    """Without Version 2012-10-17, ${...} is literal text.

    https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_version.html
    """
    res = f"arn:aws:lambda:us-east-1:{A}:function:${{aws:username}}"
    ps = PolicySet(identity=(pol("id", allow(resource=res), version=version),))
    assert (
        decide(req(USER, resource=f"arn:aws:lambda:us-east-1:{A}:function:alice"), ps)
        is Decision.IMPLICIT_DENY
    )
    assert decide(req(USER, resource=res), ps) is Decision.ALLOWED


def test_user_and_role_principals_match_whatever_the_path() -> None:
    """IAM user and role names are unique in an account, whatever their path, so a Principal ARN names
    the same entity with or without the path.

    https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_identifiers.html#identifiers-arns
    """
    pathed_user = f"arn:aws:iam::{A}:user/team/alice"
    res = pol("r", allow(Principal={"AWS": pathed_user}))
    assert decide(req(pathed_user), PolicySet(resource=res)) is Decision.ALLOWED
    assert decide(req(f"arn:aws:iam::{A}:user/team/bob"), PolicySet(resource=res)) is Decision.IMPLICIT_DENY
    pathed_role = f"arn:aws:iam::{A}:role/svc/orders-api"
    res = pol("r", allow(Principal={"AWS": ROLE}))
    assert decide(req(pathed_role), PolicySet(resource=res)) is Decision.ALLOWED


def test_bad_context_value_is_a_request_error_whatever_the_policies() -> None:
    """Context values are strings, numbers, booleans or lists of them.

    https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic_policy-eval-reqcontext.html
    """
    from lambdaperm_tui.iam import RequestError

    with pytest.raises(RequestError, match="aws:SourceIp"):
        evaluate(req(ROLE, context={"aws:SourceIp": {"nested": 1}}), PolicySet(), explain=False)
