"""simulate() over an inventory: which policies apply, which qualifier, unknowns and assumptions.

Each test cites the AWS page whose rule it checks.
"""

from __future__ import annotations

import dataclasses
import json
from typing import Any

import pytest

from lambdaperm_tui.analysis.resolve import simulate
from lambdaperm_tui.iam.errors import InputError
from lambdaperm_tui.iam.evaluate import evaluate
from lambdaperm_tui.iam.scenario import load_scenario
from lambdaperm_tui.inventory.model import NOT_LOADED, Inventory, NamedPolicy, PolicySlot

from .analysis_inventory import ACCOUNT, FN, LAYER, ORG, OTHER, ROLE, build_inventory, doc

INVOKE = "lambda:InvokeFunction"
APIGW_SOURCE = f"arn:aws:execute-api:us-east-1:{ACCOUNT}:a1b2c3d4e5/prod/POST/charge"


def _policies(answer: object) -> set[tuple[str, str]]:
    res = answer.result  # type: ignore[attr-defined]
    return {(d.policy_type, d.policy) for d in res.decided_by}


def _with_orders_api_inline(inv: Inventory, name: str, slot: PolicySlot) -> Inventory:
    """``inv`` with role orders-api's inline policies replaced by the one policy ``name``."""
    roles = tuple(
        dataclasses.replace(r, inline_policies=(NamedPolicy(name, slot),)) if r.name == "orders-api" else r
        for r in inv.roles
    )
    return dataclasses.replace(inv, roles=roles)


def test_role_invokes_same_account_function_via_identity_policy(inv: Inventory) -> None:
    """Same account: an identity-policy Allow is enough.
    https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html"""
    a = simulate(inv, f"{ROLE}/orders-api", INVOKE, f"{FN}:billing")
    assert a.decision == "allowed"
    assert ("identity", "orders-api/inline/invoke-billing") in _policies(a)
    assert a.unknown_because == () and a.assumes == ()
    # The identity policy names the unqualified ARN only: the alias is another resource.
    # https://docs.aws.amazon.com/lambda/latest/dg/lambda-api-permissions-ref.html
    assert simulate(inv, f"{ROLE}/orders-api", INVOKE, f"{FN}:billing:prod").decision == "implicit_deny"


def test_role_invokes_via_resource_policy_only(inv: Inventory) -> None:
    """Same account: a resource-policy grant naming the role suffices without any identity policy.
    https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html"""
    a = simulate(inv, f"{ROLE}/reporting", INVOKE, f"{FN}:billing")
    assert a.decision == "allowed"
    assert _policies(a) >= {("resource", "billing")}
    assert not any(d.policy_type == "identity" for d in a.result.decided_by)  # type: ignore[union-attr]
    # Not named by thumbnailer's policy and no identity policy: denied.
    assert simulate(inv, f"{ROLE}/reporting", INVOKE, f"{FN}:thumbnailer").decision == "implicit_deny"


def test_alias_policy_applies_only_to_the_alias_arn(inv: Inventory) -> None:
    """A permission added with a qualifier is valid only for that qualified ARN, not the unqualified
    function or the version the alias points to.
    https://docs.aws.amazon.com/lambda/latest/dg/using-aliases.html"""
    ctx = {"aws:SourceArn": APIGW_SOURCE}
    svc = "apigateway.amazonaws.com"
    prod = simulate(inv, svc, INVOKE, f"{FN}:billing:prod", ctx)
    assert prod.decision == "allowed"
    assert _policies(prod) == {("resource", "billing:prod")}
    assert prod.scenario["resource_policy"]["name"] == "billing:prod"
    assert simulate(inv, svc, INVOKE, f"{FN}:billing", ctx).decision == "implicit_deny"
    assert simulate(inv, svc, INVOKE, f"{FN}:billing:1", ctx).decision == "implicit_deny"


def test_latest_uses_the_unqualified_policy(inv: Inventory) -> None:
    """Lambda does not support adding policies to $LATEST; the unqualified function's policy applies.
    https://docs.aws.amazon.com/lambda/latest/dg/API_AddPermission.html"""
    a = simulate(inv, f"{ROLE}/reporting", INVOKE, f"{FN}:billing:$LATEST")
    assert a.scenario["resource_policy"]["name"] == "billing"
    assert any("$LATEST" in n for n in a.notes)


def test_cross_account_principal_assumes_its_identity_side(inv: Inventory) -> None:
    """Cross account: both sides must allow; the other account's identity policies are outside the
    inventory, so the answer says it assumed them.
    https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic-cross-account.html"""
    a = simulate(inv, f"arn:aws:iam::{OTHER}:role/partner", INVOKE, f"{FN}:billing")
    assert a.decision == "allowed"
    assert any(OTHER in x and "identity policies" in x for x in a.assumes)
    assert ("resource", "billing") in _policies(a)
    # An account the resource policy does not name is denied, whatever its own policies say.
    b = simulate(inv, "arn:aws:iam::777788889999:role/x", INVOKE, f"{FN}:billing")
    assert b.decision == "implicit_deny"
    # A bare account id is its root.
    c = simulate(inv, OTHER, INVOKE, f"{FN}:billing")
    assert c.principal == f"arn:aws:iam::{OTHER}:root" and c.decision == "allowed"


@pytest.mark.parametrize(
    ("context", "expected"),
    [
        ({"aws:SourceArn": "arn:aws:s3:::photos-upload-bucket", "aws:SourceAccount": ACCOUNT}, "allowed"),
        ({"aws:SourceArn": "arn:aws:s3:::someone-elses-bucket", "aws:SourceAccount": OTHER}, "implicit_deny"),
        ({}, "conditional"),
    ],
)
def test_s3_service_principal_with_source_conditions(
    inv: Inventory, context: dict[str, str], expected: str
) -> None:
    """Service principals are authorised by the resource policy alone; SourceArn/SourceAccount guard
    against the confused deputy. https://docs.aws.amazon.com/lambda/latest/dg/permissions-function-services.html"""
    a = simulate(inv, "s3.amazonaws.com", INVOKE, f"{FN}:thumbnailer", context)
    assert a.decision == expected
    assert a.assumes == ()  # no SCP or identity side for a service


def test_s3_without_source_condition_allows_any_bucket(inv: Inventory) -> None:
    """https://docs.aws.amazon.com/lambda/latest/dg/permissions-function-services.html"""
    a = simulate(inv, "s3.amazonaws.com", INVOKE, f"{FN}:resizer", {"aws:SourceArn": "arn:aws:s3:::any"})
    assert a.decision == "allowed"


def test_public_url_auth_none_allows_anonymous_with_both_checks(inv: Inventory) -> None:
    """Auth NONE: the resource policy must grant public access; URLs created since Oct 2025 need both
    InvokeFunctionUrl and InvokeFunction (lambda:InvokedViaFunctionUrl).
    https://docs.aws.amazon.com/lambda/latest/dg/urls-auth.html"""
    a = simulate(inv, "anonymous", "lambda:InvokeFunctionUrl", f"{FN}:public-api")
    assert a.decision == "allowed"
    assert [(c.action, c.decision, c.required) for c in a.checks] == [
        ("lambda:InvokeFunctionUrl", "allowed", True),
        ("lambda:InvokeFunction", "allowed", True),
    ]
    assert a.checks[0].scenario["context"]["lambda:FunctionUrlAuthType"] == "NONE"
    assert a.checks[1].scenario["context"]["lambda:InvokedViaFunctionUrl"] == "true"
    # A signed-in role is not authenticated by a NONE URL: it is evaluated as anonymous.
    r = simulate(inv, f"{ROLE}/orders-api", "lambda:InvokeFunctionUrl", f"{FN}:public-api")
    assert r.decision == "allowed" and r.scenario["principal"] == "anonymous"


def test_new_url_without_invoke_function_grant_is_denied(inv: Inventory) -> None:
    """A URL created since Oct 2025 whose policy lacks the InvokeFunction statement is denied.
    https://docs.aws.amazon.com/lambda/latest/dg/urls-auth.html"""
    policy = doc("function_url_public")
    policy["Statement"] = policy["Statement"][:1]
    fns = tuple(
        dataclasses.replace(f, policy=PolicySlot(document=policy)) if f.name == "public-api" else f
        for f in inv.functions
    )
    a = simulate(
        dataclasses.replace(inv, functions=fns), "anonymous", "lambda:InvokeFunctionUrl", f"{FN}:public-api"
    )
    assert a.decision == "implicit_deny"
    assert [c.decision for c in a.checks] == ["allowed", "implicit_deny"]
    assert a.scenario["action"] == INVOKE  # the scenario of the deciding check


def test_legacy_url_second_check_is_informational(inv: Inventory) -> None:
    """URLs created before Oct 2025 were exempted; the InvokeFunction check is shown, not required.
    https://docs.aws.amazon.com/lambda/latest/dg/urls-auth.html"""
    before = dataclasses.replace(inv, captured_at="2026-10-15T00:00:00Z")
    a = simulate(before, "anonymous", "lambda:InvokeFunctionUrl", f"{FN}:legacy-api")
    assert a.decision == "allowed"
    assert [(c.decision, c.required) for c in a.checks] == [("allowed", True), ("implicit_deny", False)]


def test_legacy_url_exception_ended_on_november_1_2026(inv: Inventory) -> None:
    """AWS's temporary exception for URLs created before October 2025 ended on November 1, 2026 (the AWS
    Health notice: "update them to align with the new authorization model by November 1, 2026", quoted
    in https://github.com/serverless/serverless/issues/13147; https://docs.aws.amazon.com/lambda/latest/dg/urls-auth.html):
    asked as of the inventory's capture time (2026-11-28), the InvokeFunction check is required."""
    a = simulate(inv, "anonymous", "lambda:InvokeFunctionUrl", f"{FN}:legacy-api")
    assert a.decision == "implicit_deny"
    assert [(c.decision, c.required) for c in a.checks] == [("allowed", True), ("implicit_deny", True)]
    assert "2026-11-01" in a.checks[1].note and "2026-11-28" in a.checks[1].note


def test_iam_url_denies_anonymous_and_allows_granted_role(inv: Inventory) -> None:
    """Auth AWS_IAM: only authenticated principals; normal IAM evaluation for them.
    https://docs.aws.amazon.com/lambda/latest/dg/urls-auth.html"""
    anon = simulate(inv, "anonymous", "lambda:InvokeFunctionUrl", f"{FN}:internal-api")
    assert anon.decision == "implicit_deny"
    assert len(anon.checks) == 2
    assert "AWS_IAM" in anon.result.explanation.summary  # type: ignore[union-attr]
    role = simulate(inv, f"{ROLE}/reporting", "lambda:InvokeFunctionUrl", f"{FN}:internal-api")
    assert role.decision == "allowed"
    assert [c.decision for c in role.checks] == ["allowed", "allowed"]
    assert role.checks[0].scenario["context"]["lambda:FunctionUrlAuthType"] == "AWS_IAM"


def test_url_with_unknown_creation_time_is_unknown_when_only_first_check_allows(inv: Inventory) -> None:
    """Whether the InvokeFunction check applies depends on the URL's creation time; unknown -> unknown."""
    fns = tuple(
        dataclasses.replace(f, urls=(dataclasses.replace(f.urls[0], created=None),))  # type: ignore[index]
        if f.name == "legacy-api"
        else f
        for f in inv.functions
    )
    before = dataclasses.replace(inv, functions=fns, captured_at="2026-10-15T00:00:00Z")
    a = simulate(before, "anonymous", "lambda:InvokeFunctionUrl", f"{FN}:legacy-api")
    assert a.decision == "unknown"
    assert any("creation time" in u for u in a.unknown_because)
    # The check is evaluated as required; that its requirement is unknown travels as a field of the
    # check's spec, not as a marker in the note the CLI prints.
    assert a.checks[1].required
    assert a.checks[1].note == (
        "the URL's creation time is unknown; URLs created since October 2025 also need this check"
    )


@pytest.mark.parametrize(
    ("policy_slot", "needle"),
    [
        (
            PolicySlot(unknown="AccessDeniedException: not authorized to perform lambda:GetPolicy"),
            "AccessDenied",
        ),
        (NOT_LOADED, "not loaded yet"),
    ],
)
def test_unreadable_resource_policy_makes_the_answer_unknown(
    inv: Inventory, policy_slot: PolicySlot, needle: str
) -> None:
    """Unknown is never shown as denied (README.md, "What it does"); the engine's view of the known parts
    is kept."""
    fns = tuple(
        dataclasses.replace(f, policy=policy_slot) if f.name == "billing" else f for f in inv.functions
    )
    a = simulate(dataclasses.replace(inv, functions=fns), f"{ROLE}/reporting", INVOKE, f"{FN}:billing")
    assert a.decision == "unknown"
    assert any(needle in u and "billing" in u for u in a.unknown_because)
    assert a.result is not None  # what the known parts say is still there


def test_malformed_policy_document_makes_the_answer_unknown(inv: Inventory) -> None:
    bad = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Action": "lambda:InvokeFunction",
                "Resource": "*",
                "Condition": {"StringEqualz": {"a": "b"}},
            }
        ],
    }
    edited = _with_orders_api_inline(inv, "broken", PolicySlot(document=bad))
    a = simulate(edited, f"{ROLE}/orders-api", INVOKE, f"{FN}:billing")
    assert a.decision == "unknown"
    assert any("malformed" in u and "StringEqualz" in u for u in a.unknown_because)


def test_unreadable_identity_policy_is_unknown_even_if_resource_side_denies(inv: Inventory) -> None:
    edited = _with_orders_api_inline(inv, "x", PolicySlot(unknown="AccessDenied"))
    a = simulate(edited, "orders-api", INVOKE, f"{FN}:thumbnailer")
    assert a.decision == "unknown"


def test_permissions_boundary_limits_identity_grant(inv: Inventory) -> None:
    """The boundary caps identity-policy grants.
    https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies_boundaries.html"""
    assert simulate(inv, "bounded", INVOKE, f"{FN}:billing").decision == "implicit_deny"
    assert simulate(inv, "bounded", "lambda:GetFunction", f"{FN}:billing").decision == "allowed"


def test_user_gets_group_managed_policy(inv: Inventory) -> None:
    """A user's permissions include its groups' policies.
    https://docs.aws.amazon.com/IAM/latest/UserGuide/id_groups.html"""
    a = simulate(inv, "alice", "lambda:GetFunction", f"{FN}:billing")
    assert a.decision == "allowed"
    assert any("alice" in n for n in a.notes)  # the bare name was resolved, and the answer says so
    assert a.principal.endswith(":user/alice")


def test_principal_and_resource_tags_feed_abac(inv: Inventory) -> None:
    """ABAC: aws:ResourceTag from the function's tags, aws:PrincipalTag from the role's tags.
    https://docs.aws.amazon.com/lambda/latest/dg/attribute-based-access-control.html"""
    assert simulate(inv, "billing-team", INVOKE, f"{FN}:billing").decision == "allowed"
    assert simulate(inv, "billing-team", INVOKE, f"{FN}:thumbnailer").decision == "implicit_deny"
    # User-supplied context overrides what the inventory knows.
    over = simulate(inv, "billing-team", INVOKE, f"{FN}:thumbnailer", {"aws:ResourceTag/team": "billing"})
    assert over.decision == "allowed"


def test_scps_apply_to_account_principals_not_services(inv: Inventory) -> None:
    """SCPs limit IAM principals of member accounts, not service principals.
    https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_scps.html"""
    scps = (
        (NamedPolicy("FullAWSAccess", PolicySlot(document=doc("scp_full_access"))),),
        (
            NamedPolicy("FullAWSAccess", PolicySlot(document=doc("scp_full_access"))),
            NamedPolicy("deny-delete", PolicySlot(document=doc("scp_deny_delete"))),
        ),
    )
    inv2 = dataclasses.replace(inv, scps=scps)
    a = simulate(inv2, f"arn:aws:iam::{ACCOUNT}:root", "lambda:DeleteFunction", f"{FN}:billing")
    assert a.decision == "explicit_deny"
    assert ("scp", "deny-delete") in _policies(a)
    assert simulate(inv2, f"arn:aws:iam::{ACCOUNT}:root", "lambda:GetFunction", f"{FN}:billing").allowed


def test_unknown_scps_are_an_assumption(inv: Inventory) -> None:
    a = simulate(dataclasses.replace(inv, scps=None), f"{ROLE}/orders-api", INVOKE, f"{FN}:billing")
    assert a.decision == "allowed"
    assert "SCPs were not loaded; assumed to allow" in a.assumes
    s = simulate(dataclasses.replace(inv, scps=None), "s3.amazonaws.com", INVOKE, f"{FN}:resizer")
    assert s.assumes == ()


def test_org_conditioned_layer_needs_the_principals_org(inv: Inventory) -> None:
    """A grant to "*" with aws:PrincipalOrgID: for another account the org id is not in the inventory, so
    the answer is unknown until the caller gives it.
    https://docs.aws.amazon.com/lambda/latest/dg/permissions-layer-cross-account.html"""
    lv = f"{LAYER}:shared-libs:1"
    a = simulate(inv, OTHER, "lambda:GetLayerVersion", lv, open_context=False)
    assert a.decision == "unknown"
    assert any("aws:PrincipalOrgID" in u for u in a.unknown_because)
    # Over an open context (the default) the answer is the condition itself.
    o = simulate(inv, OTHER, "lambda:GetLayerVersion", lv)
    assert o.decision == "conditional"
    assert [[t.to_json() for t in alt] for alt in o.allowed_if] == [
        [{"key": "aws:PrincipalOrgID", "operator": "StringEquals", "values": [ORG]}]
    ]
    b = simulate(inv, OTHER, "lambda:GetLayerVersion", lv, {"aws:PrincipalOrgID": ORG})
    assert b.decision == "allowed"
    c = simulate(inv, OTHER, "lambda:GetLayerVersion", lv, {"aws:PrincipalOrgID": "o-zzzzzzzzzz"})
    assert c.decision == "implicit_deny"
    # The account's own principals carry the inventory's organization id.
    assert simulate(inv, f"{ROLE}/reporting", "lambda:GetLayerVersion", lv).decision == "allowed"


def test_scenario_replays_to_the_same_decision(inv: Inventory) -> None:
    """The scenario in the answer is the scenario file of README.md: replaying it gives the same result."""
    for principal, action, resource, ctx in [
        (f"{ROLE}/orders-api", INVOKE, f"{FN}:billing", {}),
        ("apigateway.amazonaws.com", INVOKE, f"{FN}:billing:prod", {"aws:SourceArn": APIGW_SOURCE}),
        (f"arn:aws:iam::{OTHER}:role/partner", INVOKE, f"{FN}:billing", {}),
        ("bounded", INVOKE, f"{FN}:billing", {}),
    ]:
        a = simulate(inv, principal, action, resource, ctx)
        request, policies = load_scenario(json.loads(json.dumps(a.scenario)))
        assert evaluate(request, policies).decision.value == a.decision


def test_to_json_has_the_contract_fields(inv: Inventory) -> None:
    a = simulate(inv, "anonymous", "lambda:InvokeFunctionUrl", f"{FN}:public-api")
    out = json.loads(json.dumps(a.to_json()))
    assert set(out) >= {
        "decision",
        "decided_by",
        "explanation",
        "scenario",
        "assumes",
        "unknown_because",
        "checks",
    }
    assert out["decision"] == "allowed" and len(out["checks"]) == 2
    assert out["decided_by"][0]["policy_type"] == "resource"


@pytest.mark.parametrize(
    ("principal", "action", "resource", "message"),
    [
        (
            "orders-api",
            "lambda:InvokeFunktion",
            f"{FN}:billing",
            'action: unknown action "lambda:InvokeFunktion" (did you mean lambda:InvokeFunction?)',
        ),
        ("orders-api", "lambda:Invoke*", f"{FN}:billing", "action: a request names one action"),
        ("nobody", INVOKE, f"{FN}:billing", "principal:"),
        ("orders-api", INVOKE, f"{FN}:no-such-fn", "resource: no function no-such-fn"),
        (
            "orders-api",
            INVOKE,
            f"{FN}:billing:staging",
            "resource: function billing has no version or alias staging",
        ),
        ("orders-api", INVOKE, "billing", "resource: not an ARN"),
    ],
)
def test_bad_input_raises_input_error_naming_the_field(
    inv: Inventory, principal: str, action: str, resource: str, message: str
) -> None:
    with pytest.raises(InputError) as err:
        simulate(inv, principal, action, resource)
    assert str(err.value).startswith(message)


def test_function_not_loaded_yet_during_a_streaming_load() -> None:
    inv = build_inventory(complete=False)
    a = simulate(inv, "orders-api", INVOKE, f"{FN}:not-yet-listed")
    assert a.decision == "unknown"
    assert any("not loaded yet" in u for u in a.unknown_because)


def test_other_accounts_resource_assumes_its_policy(inv: Inventory) -> None:
    """Cross account from our side: our identity policy is known, theirs is assumed and said so.
    https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic-cross-account.html"""
    theirs = f"arn:aws:lambda:us-east-1:{OTHER}:function:partner-fn"
    a = simulate(inv, "billing-team", "lambda:GetFunction", theirs)
    assert a.decision == "implicit_deny"  # our identity side does not allow: definite
    r = simulate(inv, "orders-api", INVOKE, theirs)
    assert r.decision == "implicit_deny"
    assert any("outside the inventory" in x for x in r.assumes)


def test_explicit_deny_is_definite_even_with_an_unknown_slot(inv: Inventory) -> None:
    """An explicit deny in any known policy wins, so unknown parts cannot change it.
    https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html"""
    scps = (
        (
            NamedPolicy("FullAWSAccess", PolicySlot(document=doc("scp_full_access"))),
            NamedPolicy("deny-delete", PolicySlot(document=doc("scp_deny_delete"))),
        ),
    )
    fns = tuple(dataclasses.replace(f, policy=PolicySlot(unknown="AccessDenied")) for f in inv.functions)
    inv2 = dataclasses.replace(inv, scps=scps, functions=fns)
    a = simulate(inv2, "orders-api", "lambda:DeleteFunction", f"{FN}:billing")
    assert a.decision == "explicit_deny"
    assert a.unknown_because == ()
    assert any("explicit deny decides anyway" in n and "AccessDenied" in n for n in a.notes)
    # Without the deny, the same unknown slot makes the answer unknown.
    assert simulate(inv2, "orders-api", "lambda:GetFunction", f"{FN}:billing").decision == "unknown"


def test_role_session_uses_the_roles_policies(inv: Inventory) -> None:
    """An assumed-role session has its role's permissions (no session policy assumed, and said so).
    https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html#principal-role-session"""
    a = simulate(inv, f"arn:aws:sts::{ACCOUNT}:assumed-role/orders-api/build-42", INVOKE, f"{FN}:billing")
    assert a.decision == "allowed"
    assert ("identity", "orders-api/inline/invoke-billing") in _policies(a)
    assert any("session policy" in x for x in a.assumes)


def test_same_account_principal_missing_from_inventory_is_unknown(inv: Inventory) -> None:
    a = simulate(inv, f"{ROLE}/ghost", INVOKE, f"{FN}:thumbnailer")
    assert a.decision == "unknown"
    assert any("ghost" in u and "not in the inventory" in u for u in a.unknown_because)


def test_star_resource_uses_identity_policies_only(inv: Inventory) -> None:
    """Actions such as ListFunctions act on "*": no resource policy.
    https://docs.aws.amazon.com/lambda/latest/dg/lambda-api-permissions-ref.html"""
    a = simulate(inv, "alice", "lambda:ListFunctions", "*")
    assert a.decision == "allowed" and a.scenario["resource_policy"] is None
    assert simulate(inv, "orders-api", "lambda:ListFunctions", "*").decision == "implicit_deny"


def test_own_principal_org_unknown_when_org_data_not_loaded(inv: Inventory) -> None:
    """With no organization data loaded, a grant conditioned on aws:PrincipalOrgID cannot be decided
    for the account's own principals either."""
    lv = f"{LAYER}:shared-libs:1"
    unknown_org = dataclasses.replace(inv, organization_id=None, scps=None)
    closed: dict[str, Any] = {"open_context": False}
    assert simulate(unknown_org, "reporting", "lambda:GetLayerVersion", lv, **closed).decision == "unknown"
    assert simulate(unknown_org, "reporting", "lambda:GetLayerVersion", lv).decision == "conditional"
    not_in_org = dataclasses.replace(inv, organization_id=None, scps=())
    # Not in an organization: the key is known to be absent, never open.
    kws: tuple[dict[str, Any], ...] = ({}, closed)
    for kw in kws:
        assert (
            simulate(not_in_org, "reporting", "lambda:GetLayerVersion", lv, **kw).decision == "implicit_deny"
        )


def test_bare_name_with_a_dot_is_the_inventory_user_not_a_service(inv: Inventory) -> None:
    from lambdaperm_tui.inventory.model import User

    users = (*inv.users, User(f"arn:aws:iam::{ACCOUNT}:user/john.doe", "john.doe", groups=("devs",)))
    a = simulate(dataclasses.replace(inv, users=users), "john.doe", "lambda:GetFunction", f"{FN}:billing")
    assert a.principal == f"arn:aws:iam::{ACCOUNT}:user/john.doe" and a.decision == "allowed"
    # A dotted name that is no user of the inventory is a service principal.
    s = simulate(inv, "events.amazonaws.com", INVOKE, f"{FN}:billing")
    assert s.principal == "events.amazonaws.com" and s.decision == "implicit_deny"


def test_function_in_a_region_not_loaded_is_unknown(inv: Inventory) -> None:
    a = simulate(inv, "orders-api", INVOKE, f"arn:aws:lambda:eu-west-1:{ACCOUNT}:function:billing")
    assert a.decision == "unknown"
    assert any("eu-west-1" in u for u in a.unknown_because)


def test_session_of_a_role_with_a_path_keeps_the_full_role_arn(inv: Inventory) -> None:
    """aws:PrincipalArn of a role session is the role's ARN, path included.
    https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html#condition-keys-principalarn"""
    from lambdaperm_tui.inventory.model import Role

    policy = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Action": "lambda:InvokeFunction",
                "Resource": "*",
                "Condition": {"ArnEquals": {"aws:PrincipalArn": f"{ROLE}/team/pathy"}},
            }
        ],
    }
    pathy = Role(
        f"{ROLE}/team/pathy",
        "pathy",
        path="/team/",
        inline_policies=(NamedPolicy("by-arn", PolicySlot(document=policy)),),
    )
    inv2 = dataclasses.replace(inv, roles=(*inv.roles, pathy))
    a = simulate(inv2, f"arn:aws:sts::{ACCOUNT}:assumed-role/pathy/s1", INVOKE, f"{FN}:thumbnailer")
    assert a.decision == "allowed"
    assert a.result is not None and a.result.explanation is not None
    request, policies = load_scenario(json.loads(json.dumps(a.scenario)))
    assert evaluate(request, policies).decision.value == "allowed"


def test_iam_url_same_account_identity_policy_alone_allows(inv: Inventory) -> None:
    """AWS_IAM: Lambda authorizes with the principal's identity policy and the function's resource
    policy; in the same account the identity policy alone is enough.
    https://docs.aws.amazon.com/lambda/latest/dg/urls-auth.html"""
    policy: dict[str, Any] = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Action": ["lambda:InvokeFunctionUrl", "lambda:InvokeFunction"],
                "Resource": f"{FN}:internal-api",
            }
        ],
    }
    edited = _with_orders_api_inline(inv, "url", PolicySlot(document=policy))
    a = simulate(edited, "orders-api", "lambda:InvokeFunctionUrl", f"{FN}:internal-api")
    assert a.decision == "allowed"
    assert [c.decision for c in a.checks] == ["allowed", "allowed"]
    # Without the InvokeFunction half the new URL is denied.
    half = {**policy, "Statement": [{**policy["Statement"][0], "Action": "lambda:InvokeFunctionUrl"}]}
    without_invoke = _with_orders_api_inline(inv, "url", PolicySlot(document=half))
    b = simulate(without_invoke, "orders-api", "lambda:InvokeFunctionUrl", f"{FN}:internal-api")
    assert b.decision == "implicit_deny"


def test_rcps_are_not_applied_to_lambda_but_are_to_supported_services(inv: Inventory) -> None:
    """Lambda is not among the services RCPs apply to; S3 is.
    https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_rcps.html#rcp-supported-services"""
    deny_all = {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Deny", "Principal": "*", "Action": "*", "Resource": "*"}],
    }
    rcps = ((NamedPolicy("deny-everything", PolicySlot(document=deny_all)),),)
    inv2 = dataclasses.replace(inv, rcps=rcps)
    assert simulate(inv2, f"{ROLE}/orders-api", INVOKE, f"{FN}:billing").decision == "allowed"
    s3 = simulate(inv2, "alice", "s3:GetObject", "arn:aws:s3:::photos-upload-bucket/key")
    assert s3.decision == "explicit_deny"
    assert ("rcp", "deny-everything") in _policies(s3)
    assert any("belongs to account" in x for x in s3.assumes)
