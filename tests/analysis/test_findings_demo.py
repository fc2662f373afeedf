"""The demo account's seeded findings (lambdaperm_tui/demo/seed.py): every seeded problem is found with its
severity, every escalation path of the catalogue (pathfinding.cloud lambda-001 ... lambda-006) is found and
its blocked twin is not, and the clean resources and principals listed below have no finding at all.

Rules behind each expectation are cited in tests/analysis/test_findings_policies.py (resource policies) and
in lambdaperm_tui/analysis/findings/roles.py (escalation paths; versions are immutable:
https://docs.aws.amazon.com/lambda/latest/dg/configuration-versions.html).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator

import pytest

from lambdaperm_tui.analysis.findings import Finding, FindingKind, FindingsReport, account_findings
from lambdaperm_tui.aws.source import Source
from lambdaperm_tui.inventory.model import Inventory
from lambdaperm_tui.sources import open_inventory, stop_demo

K = FindingKind


@pytest.fixture(scope="module")
def demo_inventory() -> Iterator[Inventory]:
    try:
        # As the findings command loads it: with every function's async invoke configs (needs use them).
        source = dataclasses.replace(Source.from_options(demo=True), event_invoke_configs=("*",))
        yield open_inventory(source)
    finally:
        stop_demo()


@pytest.fixture(scope="module")
def report(demo_inventory: Inventory) -> FindingsReport:
    return account_findings(demo_inventory)


def _tail(arn: str) -> str:
    return arn.split(":", 5)[-1]


# (kind, resource after the account, principal (substring), severity)
SEEDED = [
    (K.PUBLIC_ACCESS, "function:status-page", "anonymous", "high"),
    (K.PUBLIC_ACCESS, "function:status-page:1", "anonymous", "critical"),
    (K.CROSS_ACCOUNT, "function:feature-flags", "210987654321", "high"),  # lambda:*: writes
    (K.CROSS_ACCOUNT, "function:gdpr-export", "444455556666", "medium"),  # GetFunction
    (K.CROSS_ACCOUNT, "function:billing:1", "777788889999", "low"),  # the stale vendor grant
    (K.CROSS_ACCOUNT, "function:orders-api:prod", "210987654321", "low"),
    (K.ORG_ACCESS, "function:audit-log-shipper", "o-a1b2c3d4e5", "info"),
    (K.CONFUSED_DEPUTY, "function:image-resizer-legacy", "s3.amazonaws.com", "high"),
    (K.CONFUSED_DEPUTY, "function:eu-thumbnailer", "s3.amazonaws.com", "medium"),  # ARN but no account
    (K.FUNCTION_URL, "function:webhook-receiver", "anonymous", "high"),
    (K.FUNCTION_URL, "function:legacy-webhook", "anonymous", "medium"),  # 403: InvokeFunction missing
    (K.FUNCTION_URL, "function:internal-metrics", "any AWS account", "high"),
    (K.FUNCTION_URL, "function:promo-landing:old", "anonymous", "medium"),  # no URL any more
    (K.LAYER_SHARING, "layer:acme-common-utils:1", "anonymous", "medium"),
    (K.LAYER_SHARING, "layer:acme-observability:2", "o-a1b2c3d4e5", "info"),
    (K.LAYER_SHARING, "layer:acme-observability:1", "210987654321", "low"),
    (K.LAYER_SHARING, "layer:pandas-numpy:1", "444455556666", "low"),
    (K.EXECUTION_ROLE, "role/legacy-cron-role", "legacy-cron-role", "high"),  # AdministratorAccess
    (K.EXECUTION_ROLE, "role/ops-automation-role", "444455556666", "high"),  # trusted by another account
    (K.POLICY_SIZE, "function:api-router", "", "medium"),
    (K.LINT, "role/ops-automation-role", "", "medium"),  # ForAllValues on aws:SourceAccount
]


def _matching(report: FindingsReport, kind: FindingKind, tail: str, principal: str) -> list[Finding]:
    return [
        f
        for f in report.findings
        if f.kind is kind and _tail(f.resource) == tail and principal in f.principal
    ]


@pytest.mark.parametrize(
    "kind,tail,principal,severity", SEEDED, ids=[f"{k.value}:{t}" for k, t, _, _ in SEEDED]
)
def test_seeded_finding(
    report: FindingsReport, kind: FindingKind, tail: str, principal: str, severity: str
) -> None:
    found = _matching(report, kind, tail, principal)
    assert found, f"no {kind.value} on {tail} for {principal}"
    assert [f.severity.value for f in found] == [severity]


def test_the_403_url_names_the_missing_statement_and_the_command(report: FindingsReport) -> None:
    (f,) = _matching(report, K.FUNCTION_URL, "function:legacy-webhook", "anonymous")
    assert "lambda:InvokedViaFunctionUrl" in f.why and "FunctionURLAllowPublicAccess" in f.why
    assert f.fix is not None
    assert f.fix.startswith("aws lambda add-permission --function-name legacy-webhook ")
    assert "--action lambda:InvokeFunction" in f.fix and "--invoked-via-function-url" in f.fix
    assert "--principal '*'" in f.fix and "--region us-east-1" in f.fix


def test_the_public_url_names_both_statements(report: FindingsReport) -> None:
    (f,) = _matching(report, K.FUNCTION_URL, "function:webhook-receiver", "anonymous")
    assert {s.sid for s in f.statements} == {"FunctionURLAllowPublicAccess", "FunctionURLAllowInvokeAction"}
    assert len(f.steps) == 2


# Escalation: (attacker role, path that must be found, role gained, severity)
PATHS = [
    ("build-release-role", "lambda-001", "legacy-cron-role", "critical"),
    ("build-stream-role", "lambda-002", "legacy-cron-role", "critical"),
    ("build-hotfix-role", "lambda-003", "legacy-cron-role", "critical"),
    ("build-debug-role", "lambda-004", "legacy-cron-role", "critical"),
    ("build-perm-role", "lambda-005", "shared-lambda-role", "high"),
    ("build-sandbox-role", "lambda-006", "legacy-cron-role", "critical"),
    ("ci-deploy-role", "lambda-001", "legacy-cron-role", "critical"),
]
# The blocked twins: a condition (iam:PassedToService, lambda:Principal), the permissions boundary, a trigger
# only on an alias (published versions are immutable), a grant naming qualified ARNs only, resource scoping.
TWINS = [
    "build-release-scoped-role",
    "build-stream-bounded-role",
    "build-hotfix-alias-role",
    "build-debug-scoped-role",
    "build-perm-limited-role",
    "build-sandbox-scoped-role",
]


@pytest.mark.parametrize("attacker,path,gains,severity", PATHS, ids=[p[0] for p in PATHS])
def test_escalation_path_found(
    report: FindingsReport, attacker: str, path: str, gains: str, severity: str
) -> None:
    found = [
        f
        for f in report.findings
        if f.kind is K.PRIVILEGE_ESCALATION
        and f.principal.endswith(f":role/{attacker}")
        and f.gains is not None
        and f.gains.endswith(f":role/{gains}")
    ]
    assert len(found) == 1, [f.why for f in report.findings if attacker in f.principal]
    assert path in found[0].paths and found[0].severity.value == severity
    assert found[0].steps and found[0].proof is not None


@pytest.mark.parametrize("twin", TWINS)
def test_blocked_twin_has_no_escalation(report: FindingsReport, twin: str) -> None:
    assert [f.why for f in report.findings if f.principal.endswith(f":role/{twin}")] == []


# Resources with nothing to report: S3 with SourceArn and SourceAccount, API Gateway/EventBridge/Cognito with
# a source ARN, Alexa with an event source token, a same-account role grant, no policy at all.
CLEAN_RESOURCES = [
    "function:thumbnailer",
    "function:user-signup-trigger",
    "function:alexa-order-status",
    "function:sqs-order-processor",
    "function:cache-warmer",
    "function:nightly-report",
    "function:billing",
    "function:billing:prod",
    "function:billing:2",
    "function:orders-api",
    "function:orders-api:staging",
    "function:orders-api:1",
    "function:admin-console-api",
    "function:status-page:$LATEST",
    "role/orders-api-role",
    "role/billing-role",
    "role/media-processing-role",
    "role/webhook-role",
    "role/security-audit-role",
]
CLEAN_PRINCIPALS = ["alice", "bob", "carol", "security-auditor", "security-audit-role", "orders-api-role"]


def test_no_findings_on_clean_resources(report: FindingsReport) -> None:
    on_clean = [
        (f.kind.value, _tail(f.resource))
        for f in report.findings
        if _tail(f.resource) in CLEAN_RESOURCES and f.kind is not K.PRIVILEGE_ESCALATION
    ]
    assert on_clean == []


def test_no_findings_for_clean_principals(report: FindingsReport) -> None:
    assert [f.why for f in report.findings if f.principal.rsplit("/", 1)[-1] in CLEAN_PRINCIPALS] == []


def test_nothing_unknown_in_the_demo(report: FindingsReport) -> None:
    assert report.unknown == ()


def test_worst_first(report: FindingsReport) -> None:
    ranks = [f.severity.rank for f in report.findings]
    assert ranks == sorted(ranks)
