"""who_can / what_can / named_principals over the test inventory."""

from __future__ import annotations

import dataclasses

from lambdaperm_tui.analysis.principals import NotACaller, caller_of, named_principals
from lambdaperm_tui.analysis.whocan import ORG_MEMBER_PLACEHOLDER, what_can, who_can
from lambdaperm_tui.inventory.model import Inventory, PolicySlot

from .analysis_inventory import ACCOUNT, FN, LAYER, ORG, OTHER, ROLE

INVOKE = "lambda:InvokeFunction"


def test_who_can_invoke_billing_lists_account_and_named_principals(inv: Inventory) -> None:
    """Candidates: root, every role and user, and every principal the function's policy names.
    Same-account rules: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html"""
    rows = who_can(inv, INVOKE, f"{FN}:billing")
    by = {r.principal: r for r in rows}
    assert by[f"arn:aws:iam::{ACCOUNT}:root"].decision == "allowed"
    assert by[f"{ROLE}/orders-api"].decision == "allowed"  # identity policy
    assert by[f"{ROLE}/reporting"].decision == "allowed"  # resource policy
    assert by[f"{ROLE}/service/bounded"].decision == "implicit_deny"  # boundary
    assert by[f"arn:aws:iam::{ACCOUNT}:user/alice"].decision == "implicit_deny"
    other = by[f"arn:aws:iam::{OTHER}:root"]
    assert other.origin == "resource-policy" and other.decision == "allowed"
    assert any(OTHER in a for a in other.answer.assumes)
    assert {d.sid for d in other.decided_by} >= {"xaccount"}
    # Sorted: every allowed row before any other, each group by label.
    decisions = [r.decision for r in rows]
    first_denied = next(i for i, d in enumerate(decisions) if d != "allowed")
    assert all(d != "allowed" for d in decisions[first_denied:])
    allowed_labels = [r.label.lower() for r in rows[:first_denied]]
    assert allowed_labels == sorted(allowed_labels)


def test_who_can_service_rows_with_and_without_source(inv: Inventory) -> None:
    """A service named with SourceArn/SourceAccount is allowed only from that source.
    https://docs.aws.amazon.com/lambda/latest/dg/permissions-function-services.html"""
    rows = who_can(inv, INVOKE, f"{FN}:thumbnailer", open_context=False)
    s3 = [r for r in rows if r.principal == "s3.amazonaws.com"]
    assert len(s3) == 2
    plain = next(r for r in s3 if not r.context)
    sourced = next(r for r in s3 if r.context)
    assert plain.decision == "implicit_deny"
    assert sourced.decision == "allowed"
    assert sourced.context["AWS:SourceArn"] == "arn:aws:s3:::photos-upload-bucket"
    assert rows.index(sourced) < rows.index(plain)
    # Over an open context (the default) the plain row says which source it needs.
    rows = who_can(inv, INVOKE, f"{FN}:thumbnailer")
    plain = next(r for r in rows if r.principal == "s3.amazonaws.com" and not r.context)
    assert plain.decision == "conditional"
    terms = {(t.key.lower(), t.operator, t.values) for alt in plain.allowed_if for t in alt}
    assert ("aws:sourcearn", "ArnLike", ("arn:aws:s3:::photos-upload-bucket",)) in terms
    # Without a source condition, S3 from anywhere is allowed.
    open_rows = [r for r in who_can(inv, INVOKE, f"{FN}:resizer") if r.principal == "s3.amazonaws.com"]
    assert [r.decision for r in open_rows] == ["allowed"]


def test_who_can_public_url_has_anonymous_allowed(inv: Inventory) -> None:
    """https://docs.aws.amazon.com/lambda/latest/dg/urls-auth.html"""
    rows = who_can(inv, "lambda:InvokeFunctionUrl", f"{FN}:public-api")
    anon = next(r for r in rows if r.principal == "anonymous")
    assert anon.decision == "allowed" and anon.kind == "public"
    assert len(anon.answer.checks) == 2
    iam_rows = who_can(inv, "lambda:InvokeFunctionUrl", f"{FN}:internal-api")
    assert next(r for r in iam_rows if r.principal == "anonymous").decision == "implicit_deny"


def test_who_can_org_conditioned_layer(inv: Inventory) -> None:
    """An organization grant shows as "any account in organization o-..." and is allowed.
    https://docs.aws.amazon.com/lambda/latest/dg/permissions-layer-cross-account.html"""
    rows = who_can(inv, "lambda:GetLayerVersion", f"{LAYER}:shared-libs:1")
    org = next(r for r in rows if r.kind == "organization")
    assert ORG in org.label and org.decision == "allowed"
    assert org.principal.endswith(f"{ORG_MEMBER_PLACEHOLDER}:root")
    assert any(ORG_MEMBER_PLACEHOLDER in a for a in org.answer.assumes)
    public = next(r for r in rows if r.principal == "anonymous")
    assert public.decision == "implicit_deny"


def test_who_can_unknown_policy_rows_are_unknown(inv: Inventory) -> None:
    fns = tuple(
        dataclasses.replace(f, policy=PolicySlot(unknown="AccessDeniedException"))
        if f.name == "billing"
        else f
        for f in inv.functions
    )
    rows = who_can(dataclasses.replace(inv, functions=fns), INVOKE, f"{FN}:billing")
    assert {r.decision for r in rows} == {"unknown"}


def test_what_can_role_across_resources(inv: Inventory) -> None:
    rows = what_can(inv, f"{ROLE}/reporting", (INVOKE, "lambda:GetFunction", "lambda:GetLayerVersion"))
    allowed = {(r.resource, r.action) for r in rows if r.decision == "allowed"}
    assert (f"{FN}:billing", INVOKE) in allowed
    assert (f"{FN}:billing", "lambda:GetFunction") in allowed
    assert (f"{LAYER}:shared-libs:1", "lambda:GetLayerVersion") in allowed  # same org
    assert (f"{FN}:billing:prod", INVOKE) not in allowed
    assert (f"{FN}:thumbnailer", INVOKE) not in allowed
    # Layer actions are asked only of layer versions, function actions only of functions.
    assert not any(r.action == "lambda:GetLayerVersion" and ":function:" in r.resource for r in rows)
    assert rows[0].decision == "allowed"


def test_what_can_public_and_organization_of_the_principals_list(inv: Inventory) -> None:
    """The Principals list's `*` is asked as an anonymous caller (what anyone may do, unsigned requests
    included: https://docs.aws.amazon.com/lambda/latest/dg/urls-auth.html), an organization as a member
    account with aws:PrincipalOrgID set
    (https://docs.aws.amazon.com/lambda/latest/dg/permissions-layer-cross-account.html)."""
    names = {(n.kind, n.principal): n for n in named_principals(inv)}
    public = caller_of(names[("public", "*")])
    assert not isinstance(public, NotACaller) and public.principal == "anonymous"
    rows = what_can(inv, public, ("lambda:InvokeFunctionUrl", "lambda:GetLayerVersion"))
    allowed = {(r.resource, r.action) for r in rows if r.decision == "allowed"}
    assert (f"{FN}:public-api", "lambda:InvokeFunctionUrl") in allowed
    assert (f"{FN}:internal-api", "lambda:InvokeFunctionUrl") not in allowed  # AuthType AWS_IAM
    assert (f"{LAYER}:shared-libs:1", "lambda:GetLayerVersion") not in allowed  # org members only

    org = caller_of(names[("organization", ORG)])
    assert not isinstance(org, NotACaller)
    assert org.principal.endswith(f"{ORG_MEMBER_PLACEHOLDER}:root")
    assert dict(org.context) == {"aws:PrincipalOrgID": ORG}
    rows = what_can(inv, org, ("lambda:GetLayerVersion",))
    layer = next(r for r in rows if r.resource == f"{LAYER}:shared-libs:1")
    assert layer.decision == "allowed"
    assert any(ORG_MEMBER_PLACEHOLDER in a and ORG in a for a in layer.answer.assumes)


def test_principals_that_are_no_caller_say_why(inv: Inventory) -> None:
    """An identity provider calls no Lambda API (its users act through roles that trust it); an org path
    or pattern stands for no one organization."""
    named = named_principals(inv)[0]
    federated = dataclasses.replace(named, principal="arn:aws:iam::1:oidc-provider/x", kind="federated")
    assert caller_of(federated) is NotACaller.FEDERATED
    path = dataclasses.replace(named, principal=f"{ORG}/r-ab12/ou-ab12-1/", kind="organization")
    assert caller_of(path) is NotACaller.ORGANIZATION_PATTERN
    canonical = dataclasses.replace(named, principal="79a59df900b949e5", kind="canonical-user")
    assert caller_of(canonical) is NotACaller.NOT_A_LAMBDA_CALLER


def test_named_principals(inv: Inventory) -> None:
    names = {(n.kind, n.principal): n for n in named_principals(inv)}
    assert ("public", "*") in names
    assert ("organization", ORG) in names
    assert ("account", f"arn:aws:iam::{OTHER}:root") in names
    assert names[("account", f"arn:aws:iam::{OTHER}:root")].external
    assert ("service", "s3.amazonaws.com") in names
    assert ("service", "lambda.amazonaws.com") in names  # trust policies
    s3 = names[("service", "s3.amazonaws.com")]
    assert {w.ref.owner for w in s3.where} == {f"{FN}:thumbnailer", f"{FN}:resizer"}
    assert any("photos-upload-bucket" in c for w in s3.where for c in w.conditions)
    reporting = names[("role", f"{ROLE}/reporting")]
    assert not reporting.external
    ordered = named_principals(inv)
    assert ordered[0].external and not ordered[-1].external


def test_who_can_assume_an_execution_role_reads_its_trust_policy(inv: Inventory) -> None:
    """Who can assume a role: the trust policy is the role's resource-based policy, and it must
    explicitly allow, even for the account's own principals ("IAM role trust policies and KMS key
    policies are exceptions ... they must explicitly allow access for principals").
    https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html"""
    rows = {r.principal: r for r in who_can(inv, "sts:AssumeRole", f"{ROLE}/reporting")}
    assert rows["lambda.amazonaws.com"].decision == "allowed"
    assert rows["lambda.amazonaws.com"].origin == "resource-policy"
    root = rows[f"arn:aws:iam::{ACCOUNT}:root"]
    assert root.decision == "implicit_deny" and root.blocked_by is not None
    assert root.blocked_by.value == "resource-policy"


def test_what_can_asks_each_action_of_its_resource_type(inv: Inventory) -> None:
    """The catalog's resource types choose the resources (Service Authorization Reference, Lambda and IAM:
    https://docs.aws.amazon.com/service-authorization/latest/reference/list_awslambda.html,
    https://docs.aws.amazon.com/service-authorization/latest/reference/list_awsidentityandaccessmanagementiam.html):
    iam:PassRole of roles, lambda:CreateFunction of functions, lambda:ListFunctions (no type) of ``*``."""
    from lambdaperm_tui.inventory.model import NamedPolicy, Role

    doc = {
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Allow", "Action": "iam:PassRole", "Resource": f"{ROLE}/orders-api"},
            {"Effect": "Allow", "Action": ["lambda:CreateFunction", "lambda:ListFunctions"], "Resource": "*"},
        ],
    }
    deployer = Role(f"{ROLE}/deployer", "deployer", inline_policies=(NamedPolicy("deploy", PolicySlot(doc)),))
    inv = dataclasses.replace(inv, roles=(*inv.roles, deployer))
    rows = what_can(inv, deployer.arn, ("iam:PassRole", "lambda:CreateFunction", "lambda:ListFunctions"))
    on = {a: {r.resource for r in rows if r.action == a} for a in ("iam:PassRole", "lambda:CreateFunction")}
    assert on["iam:PassRole"] == {r.arn for r in inv.roles}
    assert on["lambda:CreateFunction"] >= {f.arn for f in inv.functions}
    assert all(":function:" in r for r in on["lambda:CreateFunction"])
    assert [r.resource for r in rows if r.action == "lambda:ListFunctions"] == ["*"]
    allowed = {(r.action, r.resource) for r in rows if r.decision == "allowed"}
    assert ("iam:PassRole", f"{ROLE}/orders-api") in allowed
    assert ("iam:PassRole", f"{ROLE}/reporting") not in allowed
    assert ("lambda:ListFunctions", "*") in allowed
    assert rows[0].decision == "allowed"
