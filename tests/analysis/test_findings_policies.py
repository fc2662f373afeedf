"""Tricky resource policies judged on their own (``policy_findings``), with the verdict the AWS pages give
and why. Each row cites the page that decides it; both directions of each subtlety are covered (the
condition that bounds access, and the one that only seems to).

Pages:
- PRINCIPAL: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html
  ("*" is everyone, anonymous included; "You can't use a wildcard to match part of a principal name or ARN")
- NOTPRINCIPAL: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_notprincipal.html
- OPERATORS: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html
  (negated operators are true when the key is absent; …IfExists is true when absent; Null; IpAddress;
  only the …Like operators expand wildcards, ArnEquals behaves as ArnLike)
- LOGIC: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-logic-multiple-context-keys-or-values.html
  (AND across keys and operators of a block, OR across the values of one key)
- SETS: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-single-vs-multi-valued-context-keys.html
  (ForAllValues "also returns true if there are no context keys in the request"; do not use set
  operators with single-valued keys)
- KEYS: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html
  (aws:SourceArn/SourceAccount exist only for service-principal calls; anonymous requests carry no
  aws:PrincipalOrgID)
- EVAL: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html
  (an explicit Deny in the same policy wins)
- DEPUTY: https://docs.aws.amazon.com/IAM/latest/UserGuide/confused-deputy.html and
  https://docs.aws.amazon.com/lambda/latest/dg/access-control-resource-based.html ("If you grant permission
  to a service principal without specifying the source, other accounts could potentially configure
  resources in their account to invoke your Lambda function"; for S3, use aws:SourceAccount since bucket
  ARNs hold no account)
- URLS: https://docs.aws.amazon.com/lambda/latest/dg/urls-auth.html
- LAYERS: https://docs.aws.amazon.com/lambda/latest/dg/permissions-layer-cross-account.html
- CHECKS: https://docs.aws.amazon.com/IAM/latest/UserGuide/access-analyzer-reference-policy-checks.html
  ("Null with if exists", "Unsupported wildcard in principal")
- LIMITS: https://docs.aws.amazon.com/lambda/latest/dg/gettingstarted-limits.html (20 KB resource policy)
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest

from lambdaperm_tui.analysis.findings import FindingKind, Severity, policy_findings
from lambdaperm_tui.iam.errors import RequestError

ACCOUNT = "111122223333"
OTHER = "444455556666"
FN = f"arn:aws:lambda:us-east-1:{ACCOUNT}:function:f"
LAYER = f"arn:aws:lambda:us-east-1:{ACCOUNT}:layer:libs:3"

PUBLIC = FindingKind.PUBLIC_ACCESS
CROSS = FindingKind.CROSS_ACCOUNT
ORG = FindingKind.ORG_ACCESS
DEPUTY = FindingKind.CONFUSED_DEPUTY
URL = FindingKind.FUNCTION_URL
LAYERS = FindingKind.LAYER_SHARING
LINT = FindingKind.LINT
SIZE = FindingKind.POLICY_SIZE
C, H, M, L, INFO = Severity.CRITICAL, Severity.HIGH, Severity.MEDIUM, Severity.LOW, Severity.INFO


def st(
    action: str | list[str] = "lambda:InvokeFunction",
    principal: Any = "*",
    condition: dict[str, Any] | None = None,
    effect: str = "Allow",
    resource: str = FN,
    **extra: Any,
) -> dict[str, Any]:
    out: dict[str, Any] = {"Effect": effect, "Action": action, "Resource": resource, **extra}
    if principal is not None:
        out["Principal"] = principal
    if condition:
        out["Condition"] = condition
    return out


@dataclass(frozen=True)
class Case:
    id: str
    statements: list[dict[str, Any]]
    expect: tuple[tuple[FindingKind, Severity], ...]  # exactly these (kind, severity) pairs
    why: str
    resource: str = FN
    unknown: bool = False  # something could not be decided (and is said)


S3 = {"Service": "s3.amazonaws.com"}
CASES = [
    Case("star_invoke", [st()], ((PUBLIC, H),), 'PRINCIPAL: "*" is anyone; public invoke is high'),
    Case(
        "aws_star_getfunction",
        [st("lambda:GetFunction", {"AWS": "*"})],
        ((PUBLIC, C),),
        "PRINCIPAL: {AWS: *} is anyone; GetFunction exposes the code location: critical",
    ),
    Case(
        "star_lambda_all",
        [st("lambda:*")],
        ((PUBLIC, C), (URL, H)),
        "a public write (lambda:*) is critical; lambda:* includes the URL permission too",
    ),
    Case(
        "source_account_pins",
        [st(condition={"StringEquals": {"aws:SourceAccount": OTHER}})],
        (),
        "KEYS: aws:SourceAccount exists only for service calls: anonymous and account callers are denied",
    ),
    Case(
        "negated_source_account_open",
        [st(condition={"StringNotEquals": {"aws:SourceAccount": OTHER}})],
        ((PUBLIC, H),),
        "OPERATORS: StringNotEquals is true when the key is absent, as for any direct caller",
    ),
    Case(
        "if_exists_open",
        [st(condition={"StringEqualsIfExists": {"aws:SourceVpce": "vpce-1a2b3c4d"}})],
        ((PUBLIC, H),),
        "OPERATORS: …IfExists is true when the key is absent: a caller outside a VPC passes",
    ),
    Case(
        "if_exists_with_null_false_pins",
        [
            st(
                condition={
                    "StringEqualsIfExists": {"aws:SourceVpce": "vpce-1a2b3c4d"},
                    "Null": {"aws:SourceVpce": "false"},
                }
            )
        ],
        (),
        "LOGIC + OPERATORS: Null false requires the key, so IfExists then compares it: one VPC endpoint only",
    ),
    Case(
        "null_false_alone_open",
        [st(condition={"Null": {"aws:SourceVpce": "false"}})],
        ((PUBLIC, H),),
        "OPERATORS: Null false only requires the key to be present, with any value (any VPC endpoint)",
    ),
    Case(
        "ip_range_pins",
        [st(condition={"IpAddress": {"aws:SourceIp": "10.0.0.0/8"}})],
        (),
        "OPERATORS: IpAddress on a /8 fixes the source network",
    ),
    Case(
        "ip_zero_open",
        [st(condition={"IpAddress": {"aws:SourceIp": ["0.0.0.0/0", "::/0"]}})],
        ((PUBLIC, H),),
        "OPERATORS: 0.0.0.0/0 and ::/0 are every address",
    ),
    Case(
        "ip_or_values_one_open",
        [st(condition={"IpAddress": {"aws:SourceIp": ["10.0.0.0/8", "0.0.0.0/0"]}})],
        ((PUBLIC, H),),
        "LOGIC: values of one key are ORed: the /0 alternative opens it",
    ),
    Case(
        "vpce_pins",
        [st(condition={"StringEquals": {"aws:SourceVpce": "vpce-1a2b3c4d"}})],
        (),
        "KEYS: aws:SourceVpce fixes the VPC endpoint the request comes through",
    ),
    Case(
        "secure_transport_open",
        [st(condition={"Bool": {"aws:SecureTransport": "true"}})],
        ((PUBLIC, H),),
        "KEYS: aws:SecureTransport says nothing about who calls",
    ),
    Case(
        "and_with_open_key_still_pins",
        [
            st(
                condition={
                    "Bool": {"aws:SecureTransport": "true"},
                    "IpAddress": {"aws:SourceIp": "192.0.2.0/24"},
                }
            )
        ],
        (),
        "LOGIC: keys of a block are ANDed: the IP range bounds it",
    ),
    Case(
        "org_id",
        [st(condition={"StringEquals": {"aws:PrincipalOrgID": "o-abc123def4"}})],
        ((ORG, INFO),),
        "KEYS: aws:PrincipalOrgID fixes the caller's organization (absent for anonymous callers)",
    ),
    Case(
        "org_paths_like",
        [
            st(
                "lambda:UpdateFunctionCode",
                condition={
                    "ForAnyValue:StringLike": {
                        "aws:PrincipalOrgPaths": "o-abc123def4/r-ab12/ou-ab12-11111111/*"
                    }
                },
            )
        ],
        ((ORG, M),),
        "SETS: ForAnyValue on multivalued aws:PrincipalOrgPaths needs a path under the OU; writes: medium",
    ),
    Case(
        "for_all_values_org_open",
        [st(condition={"ForAllValues:StringEquals": {"aws:PrincipalOrgID": "o-abc123def4"}})],
        ((PUBLIC, H), (LINT, M)),
        "SETS: ForAllValues is true when the key is absent (an anonymous caller has no org id); and it is a "
        "single-valued key",
    ),
    Case(
        "for_any_value_vpce_pins_but_lints",
        [st(condition={"ForAnyValue:StringEquals": {"aws:SourceVpce": "vpce-1a2b3c4d"}})],
        (),
        "SETS: ForAnyValue needs a matching value, so it bounds the caller (the lint for set operators on "
        "single-valued keys is about ForAllValues, which is the one that opens access)",
    ),
    Case(
        "deny_in_same_policy_bounds",
        [st(), st(effect="Deny", condition={"NotIpAddress": {"aws:SourceIp": "10.0.0.0/8"}})],
        (),
        "EVAL: the Deny applies outside 10.0.0.0/8, so the Allow is reachable only from that network",
    ),
    Case(
        "deny_on_other_key_does_not_bound",
        [st(), st(effect="Deny", condition={"Bool": {"aws:SecureTransport": "false"}})],
        ((PUBLIC, H),),
        "EVAL: a Deny of plain HTTP leaves every caller who uses TLS",
    ),
    Case(
        "principal_account_pins",
        [st(condition={"StringEquals": {"aws:PrincipalAccount": OTHER}})],
        (),
        "KEYS: aws:PrincipalAccount fixes the caller's account (the any-account probe is not it)",
    ),
    Case(
        "other_account_invoke",
        [st(principal={"AWS": f"arn:aws:iam::{OTHER}:root"})],
        ((CROSS, L),),
        "PRINCIPAL: an account principal; invoke ranks low",
    ),
    Case(
        "other_account_write",
        [st("lambda:UpdateFunctionCode", {"AWS": OTHER})],
        ((CROSS, H),),
        "PRINCIPAL: a bare account id is that account; a code write ranks high",
    ),
    Case(
        "wildcard_in_principal_arn",
        [st(principal={"AWS": "arn:aws:iam::*:root"})],
        ((LINT, L),),
        "PRINCIPAL / CHECKS: a wildcard inside a principal ARN matches nobody (not public)",
        unknown=True,
    ),
    Case(
        "allow_not_principal",
        [st(principal=None, NotPrincipal={"AWS": f"arn:aws:iam::{OTHER}:root"})],
        ((PUBLIC, H), (LINT, M)),
        "NOTPRINCIPAL: AWS gives no rule for Allow + NotPrincipal: possibly public",
    ),
    Case(
        "s3_no_condition",
        [st(principal=S3)],
        ((DEPUTY, H),),
        "DEPUTY: a service principal with no source: any account's bucket",
    ),
    Case(
        "s3_arn_only",
        [st(principal=S3, condition={"ArnLike": {"aws:SourceArn": "arn:aws:s3:::my-bucket"}})],
        ((DEPUTY, M),),
        "DEPUTY: an S3 bucket ARN holds no account: aws:SourceAccount is needed too",
    ),
    Case(
        "s3_arn_and_account",
        [
            st(
                principal=S3,
                condition={
                    "ArnLike": {"aws:SourceArn": "arn:aws:s3:::my-bucket"},
                    "StringEquals": {"aws:SourceAccount": ACCOUNT},
                },
            )
        ],
        (),
        "DEPUTY: bucket and owner fixed",
    ),
    Case(
        "events_account_only",
        [
            st(
                principal={"Service": "events.amazonaws.com"},
                condition={"StringEquals": {"aws:SourceAccount": ACCOUNT}},
            )
        ],
        (),
        "DEPUTY: aws:SourceAccount alone fixes the owner of the rule",
    ),
    Case(
        "apigw_account_wildcard",
        [
            st(
                principal={"Service": "apigateway.amazonaws.com"},
                condition={"ArnLike": {"aws:SourceArn": "arn:aws:execute-api:us-east-1:*:abc123/*"}},
            )
        ],
        ((DEPUTY, H),),
        "DEPUTY: a wildcard in the account part of SourceArn fixes no owner",
    ),
    Case(
        "sns_negated_source",
        [
            st(
                principal={"Service": "sns.amazonaws.com"},
                condition={"ArnNotLike": {"aws:SourceArn": "arn:aws:sns:us-east-1:999988887777:*"}},
            )
        ],
        ((DEPUTY, H),),
        "OPERATORS: a negated operator excludes one source and admits every other",
    ),
    Case(
        "url_public",
        [st("lambda:InvokeFunctionUrl", condition={"StringEquals": {"lambda:FunctionUrlAuthType": "NONE"}})],
        ((URL, H),),
        "URLS: a public URL grant (auth type NONE) lets anyone invoke through a URL",
    ),
    Case(
        "invoke_via_url_only",
        [st(condition={"Bool": {"lambda:InvokedViaFunctionUrl": "true"}})],
        (),
        "URLS: an InvokeFunction grant bounded by lambda:InvokedViaFunctionUrl is reachable only through a "
        "URL (the URL permission decides; none here)",
    ),
    Case(
        "layer_public",
        [st("lambda:GetLayerVersion", resource=LAYER)],
        ((LAYERS, M),),
        "LAYERS: a layer version shared with everyone",
        resource=LAYER,
    ),
    Case(
        "layer_org",
        [
            st(
                "lambda:GetLayerVersion",
                resource=LAYER,
                condition={"StringEquals": {"aws:PrincipalOrgID": "o-abc123def4"}},
            )
        ],
        ((LAYERS, INFO),),
        "LAYERS: shared with an organization",
        resource=LAYER,
    ),
    Case(
        "layer_account",
        [st("lambda:GetLayerVersion", {"AWS": OTHER}, resource=LAYER)],
        ((LAYERS, L),),
        "LAYERS: shared with one account",
        resource=LAYER,
    ),
    Case(
        "equals_with_wildcard_is_literal",
        [st(condition={"StringEquals": {"aws:SourceVpce": "vpce-*"}})],
        ((LINT, L),),
        "OPERATORS: StringEquals does not expand *: only the literal text vpce-* matches, so it still bounds",
    ),
    Case(
        "unknown_key_for_action",
        [st(condition={"StringEquals": {"s3:prefix": "home/"}})],
        ((PUBLIC, H), (LINT, L)),
        "the catalog lists no s3:prefix for lambda:InvokeFunction: the lint says the Allow never applies; "
        "the engine does not know which keys a request can carry, so the grant is still reported, with its "
        "condition (never a silent pass)",
    ),
    Case(
        "null_if_exists",
        [st(condition={"NullIfExists": {"aws:SourceIp": "true"}})],
        ((LINT, L),),
        "CHECKS: Null with IfExists is an error; the engine refuses the document, so access is unknown",
        unknown=True,
    ),
]


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_policy_verdicts(case: Case) -> None:
    doc = {"Version": "2012-10-17", "Statement": case.statements}
    report = policy_findings(doc, case.resource)
    got = sorted((f.kind.value, f.severity.value) for f in report.findings)
    want = sorted((k.value, s.value) for k, s in case.expect)
    assert got == want, f"{case.why}: {[f.why for f in report.findings]}"
    assert bool(report.unknown) is case.unknown, report.unknown


def test_statements_named_and_proof_replays_to_expected() -> None:
    from lambdaperm_tui.iam.evaluate import evaluate
    from lambdaperm_tui.iam.scenario import load_scenario

    doc = {
        "Version": "2012-10-17",
        "Statement": [
            st("lambda:InvokeFunction", Sid="Ops", condition={"Bool": {"aws:SecureTransport": "true"}}),
            st("lambda:GetFunction", {"AWS": OTHER}, Sid="Partner"),
        ],
    }
    report = policy_findings(doc, FN)
    by_kind = {f.kind: f for f in report.findings}
    public, cross = by_kind[PUBLIC], by_kind[CROSS]
    assert [(s.index, s.sid) for s in public.statements] == [(0, "Ops")]
    # The partner account is granted by its own statement and by the public one (with its condition).
    assert (1, "Partner") in [(s.index, s.sid) for s in cross.statements]
    assert public.allowed_if and public.allowed_if[0][0].key.lower() == "aws:securetransport"
    for f in (public, cross):
        assert f.proof is not None
        request, policies = load_scenario(dict(f.proof))
        assert evaluate(request, policies, explain=False).decision.value == f.proof["expected"]
        assert f.proof["expected"] in ("allowed", "conditional")


def test_qualified_policy_is_judged_on_its_qualifier() -> None:
    alias = f"{FN}:prod"
    report = policy_findings({"Version": "2012-10-17", "Statement": [st(resource=alias)]}, alias)
    assert [(f.kind, f.resource) for f in report.findings] == [(PUBLIC, alias)]


def test_policy_size_near_the_limit() -> None:
    statements = [st(principal={"AWS": OTHER}, Sid=f"grant-{i:04d}-" + "x" * 60) for i in range(110)]
    report = policy_findings({"Version": "2012-10-17", "Statement": statements}, FN)
    size = [f for f in report.findings if f.kind is SIZE]
    assert len(size) == 1 and size[0].severity in (M, H)
    assert "20,480" in size[0].why


def test_a_small_policy_has_no_size_finding() -> None:
    report = policy_findings({"Version": "2012-10-17", "Statement": [st(principal={"AWS": OTHER})]}, FN)
    assert all(f.kind is not SIZE for f in report.findings)


def test_bad_resource_arn_is_an_error() -> None:
    with pytest.raises(RequestError, match="--resource"):
        policy_findings({"Version": "2012-10-17", "Statement": []}, "arn:aws:s3:::bucket")
