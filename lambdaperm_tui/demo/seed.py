"""The demo account's story, written through plain boto3 against a moto endpoint.

Acme Retail runs its shop on Lambda in ``us-east-1`` with a GDPR-bound copy in ``eu-west-1``. A security
engineer opening it should find, among the ordinary:

* ``orders-api``: versions and ``prod``/``staging`` aliases, each alias with its own policy (API Gateway per
  stage, the partner account 210987654321 on ``prod`` only). ``billing:prod`` is invokable by the
  ``orders-api-role`` through its resource policy; ``billing:1`` still carries a stale grant to a former
  vendor's account 777788889999.
* S3 triggers done right (``thumbnailer``: ``aws:SourceArn`` + ``aws:SourceAccount``) and wrong
  (``image-resizer-legacy``: neither, the confused-deputy case; ``eu-thumbnailer``: ARN only).
* API Gateway, EventBridge, Cognito and Alexa (``lambda:EventSourceToken``) invokers.
* ``audit-log-shipper``: anyone in organization o-a1b2c3d4e5 may invoke it (``aws:PrincipalOrgID``).
* ``webhook-receiver``: a public function URL (auth NONE) with both statements AWS requires for URLs made
  since Oct 2025; ``admin-console-api``: an IAM-auth URL on its ``live`` alias, granted to another account.
* ``feature-flags`` (eu): ``lambda:*`` granted to a partner account, who can therefore change its code.
* Layers shared with one account, with the organization, and with everyone.
* Execution roles with AWS managed, customer managed, inline and boundary policies; ``nightly-report``
  runs as a role with ``AdministratorAccess``.
* ``ci-deploy-role`` and user ``ci-bot`` hold ``iam:PassRole`` + ``lambda:CreateFunction`` +
  ``lambda:InvokeFunction`` on ``*``: they can run code as the admin role (privilege escalation).
* Users in ``developers`` and ``oncall`` groups; ``legacy-deployer`` with ``lambda:*`` inline.
* For ``findings``: ``status-page`` (public invoke; its version 1 publicly readable), ``legacy-webhook`` (a
  NONE URL lacking the InvokeFunction statement: 403 since Nov 2026), ``internal-metrics`` (an IAM URL
  granted to every AWS principal), ``promo-landing:old`` (a public URL statement left without a URL),
  ``api-router`` (a policy near the 20 KB limit), ``ops-automation-role`` (a Lambda role also trusted by
  another account, with a ForAllValues condition that reads stricter than it is), and CodeBuild roles
  ``build-*``, one per escalation path lambda-001 ... lambda-006, each with a blocked twin.

Everything is deterministic: names, ids, policies and revision ids are the same on every run (moto still
stamps creation times).
"""

from __future__ import annotations

import io
import json
import zipfile
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

PARTNER_ACCOUNT = "210987654321"
SECURITY_ACCOUNT = "444455556666"
OLD_VENDOR_ACCOUNT = "777788889999"
ORG_ID = "o-a1b2c3d4e5"
DEMO_ORG_REGIONS = ("us-east-1", "eu-west-1")

AWS_MANAGED = (
    "AWSLambdaBasicExecutionRole",
    "AWSLambdaVPCAccessExecutionRole",
    "AWSLambdaSQSQueueExecutionRole",
    "AWSXRayDaemonWriteAccess",
    "AWSLambda_ReadOnlyAccess",
    "IAMReadOnlyAccess",
    "AdministratorAccess",
)


def _doc(*statements: dict[str, Any]) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


def _allow(action: str | list[str], resource: str | list[str], **extra: Any) -> dict[str, Any]:
    return {"Effect": "Allow", "Action": action, "Resource": resource, **extra}


def _grant(sid: str, principal: str, action: str = "lambda:InvokeFunction", **options: Any) -> dict[str, Any]:
    """AddPermission (or AddLayerVersionPermission) arguments, less the function or layer and qualifier."""
    return {"StatementId": sid, "Action": action, "Principal": principal, **options}


def _lambda_trust() -> str:
    return _doc(
        {"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}
    )


# --------------------------------------------------------------------------- the account's content


@dataclass(frozen=True)
class _Fn:
    name: str
    region: str
    runtime: str
    role: str
    handler: str
    description: str
    tags: dict[str, str]
    layers: tuple[str, ...] = ()  # "layer-name:version" in the same region
    versions: int = 0  # how many versions to publish
    aliases: tuple[tuple[str, str], ...] = ()  # (alias, version)
    # (qualifier or None, AddPermission kwargs without FunctionName/Qualifier)
    permissions: tuple[tuple[str | None, dict[str, Any]], ...] = ()
    urls: tuple[tuple[str | None, str], ...] = ()  # (qualifier or None, AuthType)


@dataclass(frozen=True)
class _LayerSpec:
    name: str
    region: str
    runtimes: tuple[str, ...]
    description: str
    versions: int
    # (version, AddLayerVersionPermission kwargs without LayerName/VersionNumber)
    permissions: tuple[tuple[int, dict[str, Any]], ...] = field(default_factory=tuple)


def _functions(account: str) -> list[_Fn]:
    def role(name: str) -> str:
        return f"arn:aws:iam::{account}:role/{name}"

    use1 = "us-east-1"
    euw1 = "eu-west-1"
    api_us = f"arn:aws:execute-api:{use1}:{account}:a1b2c3d4e5"
    api_eu = f"arn:aws:execute-api:{euw1}:{account}:f6g7h8i9j0"
    team = {"team": "orders", "env": "prod", "cost-center": "cc-1042"}
    return [
        _Fn(
            "orders-api",
            use1,
            "python3.12",
            role("orders-api-role"),
            "app.handler",
            "Orders REST API behind API Gateway",
            team,
            layers=("acme-observability:2",),
            versions=3,
            aliases=(("prod", "3"), ("staging", "3")),
            permissions=(
                (
                    None,
                    _grant("apigw-any-stage", "apigateway.amazonaws.com", SourceArn=f"{api_us}/*/*/orders"),
                ),
                (
                    "prod",
                    _grant("apigw-prod", "apigateway.amazonaws.com", SourceArn=f"{api_us}/prod/POST/orders"),
                ),
                ("prod", _grant("partner-analytics-invoke", PARTNER_ACCOUNT)),
                (
                    "staging",
                    _grant(
                        "apigw-staging", "apigateway.amazonaws.com", SourceArn=f"{api_us}/staging/*/orders"
                    ),
                ),
            ),
        ),
        _Fn(
            "billing",
            use1,
            "python3.12",
            role("billing-role"),
            "billing.handler",
            "Invoices and payment capture",
            {"team": "payments", "env": "prod", "data": "pci"},
            layers=("acme-observability:2",),
            versions=2,
            aliases=(("prod", "2"), ("staging", "1")),
            permissions=(
                # A stale grant left on an old version: still invokable by its full ARN.
                ("1", _grant("old-reconciliation-vendor", OLD_VENDOR_ACCOUNT)),
                ("prod", _grant("orders-api-invoke", role("orders-api-role"))),
                (
                    None,
                    _grant(
                        "monthly-invoice-rule",
                        "events.amazonaws.com",
                        SourceArn=f"arn:aws:events:{use1}:{account}:rule/monthly-invoice-run",
                    ),
                ),
            ),
        ),
        _Fn(
            "thumbnailer",
            use1,
            "nodejs20.x",
            role("media-processing-role"),
            "index.handler",
            "Makes thumbnails for uploaded product images",
            {"team": "catalog", "env": "prod"},
            permissions=(
                (
                    None,
                    _grant(
                        "s3-media-uploads",
                        "s3.amazonaws.com",
                        SourceArn="arn:aws:s3:::acme-media-uploads",
                        SourceAccount=account,
                    ),
                ),
            ),
        ),
        _Fn(
            "image-resizer-legacy",
            use1,
            "nodejs16.x",
            role("media-processing-role"),
            "index.handler",
            "Old resizer, still subscribed to a bucket",
            {"team": "catalog", "env": "prod", "legacy": "true"},
            permissions=((None, _grant("s3-invoke", "s3.amazonaws.com")),),
        ),
        _Fn(
            "webhook-receiver",
            use1,
            "python3.12",
            role("webhook-role"),
            "hook.handler",
            "Receives payment-provider webhooks on a public URL",
            {"team": "payments", "env": "prod"},
            permissions=(
                (
                    None,
                    _grant(
                        "FunctionURLAllowPublicAccess",
                        "*",
                        action="lambda:InvokeFunctionUrl",
                        FunctionUrlAuthType="NONE",
                    ),
                ),
                (None, _grant("FunctionURLAllowInvokeAction", "*", InvokedViaFunctionUrl=True)),
            ),
            urls=((None, "NONE"),),
        ),
        _Fn(
            "admin-console-api",
            use1,
            "python3.12",
            role("admin-console-role"),
            "console.handler",
            "Internal admin console backend (IAM-auth function URL)",
            {"team": "platform", "env": "prod"},
            versions=1,
            aliases=(("live", "1"),),
            permissions=(
                (
                    "live",
                    _grant(
                        "security-account-url",
                        f"arn:aws:iam::{SECURITY_ACCOUNT}:role/incident-responder",
                        action="lambda:InvokeFunctionUrl",
                        FunctionUrlAuthType="AWS_IAM",
                    ),
                ),
                (
                    "live",
                    _grant(
                        "security-account-invoke",
                        f"arn:aws:iam::{SECURITY_ACCOUNT}:role/incident-responder",
                        InvokedViaFunctionUrl=True,
                    ),
                ),
            ),
            urls=(("live", "AWS_IAM"),),
        ),
        _Fn(
            "nightly-report",
            use1,
            "python3.9",
            role("legacy-cron-role"),
            "report.main",
            "Nightly sales report (runs as an admin role)",
            {"team": "analytics", "env": "prod"},
            permissions=(
                (
                    None,
                    _grant(
                        "nightly-schedule",
                        "events.amazonaws.com",
                        SourceArn=f"arn:aws:events:{use1}:{account}:rule/nightly-report-0300",
                    ),
                ),
            ),
        ),
        _Fn(
            "audit-log-shipper",
            use1,
            "python3.12",
            role("shared-lambda-role"),
            "ship.handler",
            "Collects audit logs from every account in the organization",
            {"team": "security"},
            layers=("acme-observability:2", "acme-common-utils:1"),
            permissions=((None, _grant("org-accounts-invoke", "*", PrincipalOrgID=ORG_ID)),),
        ),
        _Fn(
            "user-signup-trigger",
            use1,
            "nodejs20.x",
            role("shared-lambda-role"),
            "signup.handler",
            "Cognito pre-sign-up trigger",
            {"team": "identity", "env": "prod"},
            permissions=(
                (
                    None,
                    _grant(
                        "cognito-pre-signup",
                        "cognito-idp.amazonaws.com",
                        SourceArn=f"arn:aws:cognito-idp:{use1}:{account}:userpool/us-east-1_Abc123XyZ",
                    ),
                ),
            ),
        ),
        _Fn(
            "alexa-order-status",
            use1,
            "nodejs20.x",
            role("shared-lambda-role"),
            "alexa.handler",
            "Alexa skill: where is my order",
            {"team": "orders", "env": "prod"},
            permissions=(
                (
                    None,
                    _grant(
                        "alexa-skill",
                        "alexa-appkit.amazon.com",
                        EventSourceToken="amzn1.ask.skill.3f1c2a9e-7b4d-4e0a-9c55-0d2f6b8a1e77",
                    ),
                ),
            ),
        ),
        _Fn(
            "sqs-order-processor",
            use1,
            "python3.12",
            role("order-processor-role"),
            "worker.handler",
            "Drains the orders queue (event source mapping: no resource policy needed)",
            team,
            layers=("acme-common-utils:1",),
        ),
        _Fn(
            "orders-api",
            euw1,
            "python3.12",
            role("orders-api-role"),
            "app.handler",
            "Orders REST API (EU)",
            {**team, "data-residency": "eu"},
            layers=("pandas-numpy:1",),
            versions=2,
            aliases=(("prod", "2"),),
            permissions=(
                (
                    "prod",
                    _grant("apigw-prod", "apigateway.amazonaws.com", SourceArn=f"{api_eu}/prod/POST/orders"),
                ),
            ),
        ),
        _Fn(
            "gdpr-export",
            euw1,
            "python3.12",
            role("gdpr-export-role"),
            "export.handler",
            "Exports a customer's data on request",
            {"team": "privacy", "data-residency": "eu"},
            permissions=(
                (None, _grant("security-account-invoke", SECURITY_ACCOUNT)),
                (None, _grant("security-account-read", SECURITY_ACCOUNT, action="lambda:GetFunction")),
            ),
        ),
        _Fn(
            "eu-thumbnailer",
            euw1,
            "nodejs20.x",
            role("media-processing-role"),
            "index.handler",
            "Thumbnails for the EU bucket",
            {"team": "catalog", "data-residency": "eu"},
            permissions=(
                (
                    None,
                    _grant("s3-eu-media", "s3.amazonaws.com", SourceArn="arn:aws:s3:::acme-media-uploads-eu"),
                ),
            ),
        ),
        _Fn(
            "cache-warmer",
            euw1,
            "provided.al2023",
            role("shared-lambda-role"),
            "bootstrap",
            "Go binary that warms CloudFront caches",
            {"team": "platform"},
        ),
        _Fn(
            "feature-flags",
            euw1,
            "python3.12",
            role("shared-lambda-role"),
            "flags.handler",
            "Feature-flag evaluation service",
            {"team": "platform", "env": "prod"},
            versions=1,
            aliases=(("prod", "1"),),
            permissions=((None, _grant("partner-full-access", PARTNER_ACCOUNT, action="lambda:*")),),
        ),
        *_finding_functions(account),
    ]


def _finding_functions(account: str) -> list[_Fn]:
    """Functions seeded for the findings (``lambdaperm-tui findings``): one of each exposure, in us-east-1."""

    def role(name: str) -> str:
        return f"arn:aws:iam::{account}:role/{name}"

    use1 = "us-east-1"
    api = f"arn:aws:execute-api:{use1}:{account}:k9l8m7n6o5"
    # One statement per API route, as a generated API Gateway integration writes them: the policy grows
    # towards Lambda's 20 KB limit.
    routes = tuple(
        (
            None,
            _grant(
                f"apigw-route-{i:03d}-invoke-permission-for-partner-integration",
                "apigateway.amazonaws.com",
                SourceArn=f"{api}/prod/POST/partners/integration-{i:03d}/events/webhook",
            ),
        )
        for i in range(48)
    )
    return [
        _Fn(
            "status-page",
            use1,
            "python3.12",
            role("shared-lambda-role"),
            "status.handler",
            "Public status page backend (invokable by anyone; version 1 readable by anyone)",
            {"team": "platform"},
            versions=1,
            permissions=(
                (None, _grant("public-invoke", "*")),
                ("1", _grant("public-read", "*", action="lambda:GetFunction")),
            ),
        ),
        _Fn(
            "legacy-webhook",
            use1,
            "python3.12",
            role("webhook-role"),
            "hook.handler",
            "Old webhook URL: its policy lacks the InvokeFunction statement every URL needs since Nov 2026",
            {"team": "payments"},
            permissions=(
                (
                    None,
                    _grant(
                        "FunctionURLAllowPublicAccess",
                        "*",
                        action="lambda:InvokeFunctionUrl",
                        FunctionUrlAuthType="NONE",
                    ),
                ),
            ),
            urls=((None, "NONE"),),
        ),
        _Fn(
            "internal-metrics",
            use1,
            "python3.12",
            role("shared-lambda-role"),
            "metrics.handler",
            "IAM-auth URL, but granted to every AWS principal",
            {"team": "platform"},
            permissions=(
                (
                    None,
                    _grant(
                        "any-principal-url",
                        "*",
                        action="lambda:InvokeFunctionUrl",
                        FunctionUrlAuthType="AWS_IAM",
                    ),
                ),
                (None, _grant("any-principal-invoke", "*", InvokedViaFunctionUrl=True)),
            ),
            urls=((None, "AWS_IAM"),),
        ),
        _Fn(
            "promo-landing",
            use1,
            "nodejs20.x",
            role("shared-lambda-role"),
            "index.handler",
            "Campaign page; the old alias lost its URL but kept the public URL statement",
            {"team": "marketing"},
            versions=1,
            aliases=(("old", "1"),),
            permissions=(
                (
                    "old",
                    _grant(
                        "FunctionURLAllowPublicAccess",
                        "*",
                        action="lambda:InvokeFunctionUrl",
                        FunctionUrlAuthType="NONE",
                    ),
                ),
            ),
        ),
        _Fn(
            "api-router",
            use1,
            "python3.12",
            role("shared-lambda-role"),
            "router.handler",
            "Partner integrations router: one permission per API route (near the policy size limit)",
            {"team": "partners"},
            permissions=routes,
        ),
    ]


def _layers() -> list[_LayerSpec]:
    return [
        _LayerSpec(
            "acme-observability",
            "us-east-1",
            ("python3.12", "python3.11"),
            "Logging, tracing and metrics helpers",
            2,
            permissions=(
                (1, _grant("partner-account", PARTNER_ACCOUNT, action="lambda:GetLayerVersion")),
                (
                    2,
                    _grant("whole-organization", "*", action="lambda:GetLayerVersion", OrganizationId=ORG_ID),
                ),
            ),
        ),
        _LayerSpec(
            "acme-common-utils",
            "us-east-1",
            ("python3.12", "nodejs20.x"),
            "Shared utilities (published for customers' integrations)",
            1,
            permissions=((1, _grant("public", "*", action="lambda:GetLayerVersion")),),
        ),
        _LayerSpec(
            "pandas-numpy",
            "eu-west-1",
            ("python3.12",),
            "Data science libraries",
            1,
            permissions=((1, _grant("security-account", SECURITY_ACCOUNT, action="lambda:GetLayerVersion")),),
        ),
    ]


def _iam(iam: Any, account: str, managed_arn: Callable[[str], str]) -> None:
    """Roles, policies, users and groups."""
    a = account

    def customer_policy(name: str, document: str, description: str) -> str:
        arn: str = iam.create_policy(PolicyName=name, PolicyDocument=document, Description=description)[
            "Policy"
        ]["Arn"]
        return arn

    boundary = customer_policy(
        "platform-boundary",
        _doc(
            _allow(
                [
                    "logs:*",
                    "xray:*",
                    "dynamodb:*",
                    "s3:*",
                    "sqs:*",
                    "secretsmanager:GetSecretValue",
                    "lambda:InvokeFunction",
                    "lambda:GetFunction",
                ],
                "*",
                Sid="WorkloadServices",
            ),
            {
                "Sid": "NoIam",
                "Effect": "Deny",
                "Action": ["iam:*", "organizations:*", "sts:AssumeRole"],
                "Resource": "*",
            },
        ),
        "Permissions boundary for workload roles",
    )
    orders_rw = customer_policy(
        "orders-table-rw",
        _doc(
            _allow(
                ["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:Query"],
                f"arn:aws:dynamodb:*:{a}:table/orders*",
            )
        ),
        "Read/write the orders tables",
    )
    deployer = customer_policy(
        "lambda-deployer",
        _doc(
            _allow("iam:PassRole", "*", Sid="PassAnyRole"),
            _allow(
                [
                    "lambda:CreateFunction",
                    "lambda:UpdateFunctionCode",
                    "lambda:UpdateFunctionConfiguration",
                    "lambda:InvokeFunction",
                    "lambda:PublishVersion",
                    "lambda:UpdateAlias",
                    "lambda:AddPermission",
                ],
                "*",
                Sid="ManageFunctions",
            ),
        ),
        "CI deployment permissions (too broad: PassRole on *)",
    )
    dev_read = customer_policy(
        "developer-lambda-read",
        _doc(_allow(["lambda:Get*", "lambda:List*", "logs:FilterLogEvents", "logs:GetLogEvents"], "*")),
        "Developers may read functions and logs",
    )

    roles: list[tuple[str, str, list[str], dict[str, str], str | None, dict[str, str], str]] = [
        # (name, trust, managed, inline name->doc, boundary, tags, description)
        (
            "orders-api-role",
            _lambda_trust(),
            [managed_arn("AWSLambdaBasicExecutionRole"), managed_arn("AWSXRayDaemonWriteAccess"), orders_rw],
            {
                "invoke-billing-prod": _doc(
                    _allow("lambda:InvokeFunction", f"arn:aws:lambda:us-east-1:{a}:function:billing:prod")
                )
            },
            boundary,
            {"team": "orders"},
            "Execution role of orders-api",
        ),
        (
            "billing-role",
            _lambda_trust(),
            [managed_arn("AWSLambdaBasicExecutionRole")],
            {
                "billing-secrets": _doc(
                    _allow(
                        "secretsmanager:GetSecretValue",
                        f"arn:aws:secretsmanager:us-east-1:{a}:secret:billing/*",
                    )
                ),
                "billing-ledger": _doc(
                    _allow(
                        ["dynamodb:PutItem", "dynamodb:Query"], f"arn:aws:dynamodb:us-east-1:{a}:table/ledger"
                    )
                ),
            },
            boundary,
            {"team": "payments", "data": "pci"},
            "Execution role of billing",
        ),
        (
            "media-processing-role",
            _lambda_trust(),
            [managed_arn("AWSLambdaBasicExecutionRole")],
            {
                "media-buckets": _doc(
                    _allow(
                        ["s3:GetObject", "s3:PutObject"],
                        [
                            "arn:aws:s3:::acme-media-uploads/*",
                            "arn:aws:s3:::acme-media-uploads-eu/*",
                            "arn:aws:s3:::acme-media-thumbs/*",
                        ],
                    )
                )
            },
            None,
            {"team": "catalog"},
            "Thumbnailers",
        ),
        (
            "webhook-role",
            _lambda_trust(),
            [managed_arn("AWSLambdaBasicExecutionRole")],
            {"publish-events": _doc(_allow("sqs:SendMessage", f"arn:aws:sqs:us-east-1:{a}:payment-events"))},
            boundary,
            {"team": "payments"},
            "Public webhook receiver",
        ),
        (
            "admin-console-role",
            _lambda_trust(),
            [managed_arn("AWSLambdaBasicExecutionRole"), managed_arn("AWSLambda_ReadOnlyAccess")],
            {},
            boundary,
            {"team": "platform"},
            "Admin console backend",
        ),
        (
            "legacy-cron-role",
            _lambda_trust(),
            [managed_arn("AWSLambdaBasicExecutionRole"), managed_arn("AdministratorAccess")],
            {},
            None,
            {"team": "analytics", "owner": "unknown"},
            "Legacy role from 2019; nobody remembers why admin",
        ),
        (
            "shared-lambda-role",
            _lambda_trust(),
            [managed_arn("AWSLambdaBasicExecutionRole"), managed_arn("AWSLambdaVPCAccessExecutionRole")],
            {"read-config": _doc(_allow("ssm:GetParameter", f"arn:aws:ssm:*:{a}:parameter/shared/*"))},
            None,
            {"team": "platform"},
            "Shared by small utility functions",
        ),
        (
            "order-processor-role",
            _lambda_trust(),
            [managed_arn("AWSLambdaSQSQueueExecutionRole"), orders_rw],
            {},
            boundary,
            {"team": "orders"},
            "Queue worker",
        ),
        (
            "gdpr-export-role",
            _lambda_trust(),
            [managed_arn("AWSLambdaBasicExecutionRole")],
            {
                "export-bucket": _doc(
                    _allow("s3:PutObject", "arn:aws:s3:::acme-gdpr-exports-eu/*"),
                    _allow("dynamodb:Query", f"arn:aws:dynamodb:eu-west-1:{a}:table/customers"),
                )
            },
            boundary,
            {"team": "privacy"},
            "GDPR export",
        ),
        (
            "ci-deploy-role",
            _doc(
                {
                    "Effect": "Allow",
                    "Principal": {
                        "Federated": f"arn:aws:iam::{a}:oidc-provider/token.actions.githubusercontent.com"
                    },
                    "Action": "sts:AssumeRoleWithWebIdentity",
                    "Condition": {"StringLike": {"token.actions.githubusercontent.com:sub": "repo:acme/*:*"}},
                }
            ),
            [deployer],
            {},
            None,
            {"team": "platform"},
            "Assumed by GitHub Actions in any acme repository (can escalate via PassRole)",
        ),
        (
            "security-audit-role",
            _doc(
                {
                    "Effect": "Allow",
                    "Principal": {"AWS": f"arn:aws:iam::{SECURITY_ACCOUNT}:root"},
                    "Action": "sts:AssumeRole",
                    "Condition": {"Bool": {"aws:MultiFactorAuthPresent": "true"}},
                }
            ),
            [managed_arn("AWSLambda_ReadOnlyAccess"), managed_arn("IAMReadOnlyAccess")],
            {},
            None,
            {"team": "security"},
            "Read-only access for the security account",
        ),
        *_finding_roles(a, managed_arn, boundary),
    ]
    for name, trust, managed, inline, bnd, tags, description in roles:
        kwargs: dict[str, Any] = {
            "RoleName": name,
            "AssumeRolePolicyDocument": trust,
            "Description": description,
            "Tags": [{"Key": k, "Value": v} for k, v in tags.items()],
        }
        if bnd:
            kwargs["PermissionsBoundary"] = bnd
        iam.create_role(**kwargs)
        for arn in managed:
            iam.attach_role_policy(RoleName=name, PolicyArn=arn)
        for pname, pdoc in inline.items():
            iam.put_role_policy(RoleName=name, PolicyName=pname, PolicyDocument=pdoc)

    iam.create_group(GroupName="developers")
    iam.attach_group_policy(GroupName="developers", PolicyArn=dev_read)
    iam.put_group_policy(
        GroupName="developers",
        PolicyName="invoke-staging",
        PolicyDocument=_doc(_allow("lambda:InvokeFunction", f"arn:aws:lambda:*:{a}:function:*:staging")),
    )
    iam.create_group(GroupName="oncall")
    iam.put_group_policy(
        GroupName="oncall",
        PolicyName="invoke-prod-with-mfa",
        PolicyDocument=_doc(
            _allow(
                "lambda:InvokeFunction",
                f"arn:aws:lambda:*:{a}:function:*:prod",
                Condition={"Bool": {"aws:MultiFactorAuthPresent": "true"}},
            )
        ),
    )
    users: list[tuple[str, list[str], list[str], dict[str, str], dict[str, str]]] = [
        # (name, groups, managed, inline, tags)
        ("alice", ["developers", "oncall"], [], {}, {"team": "orders"}),
        ("bob", ["developers"], [], {}, {"team": "catalog"}),
        ("carol", ["oncall"], [managed_arn("IAMReadOnlyAccess")], {}, {"team": "platform"}),
        ("ci-bot", [], [deployer], {}, {"team": "platform", "kind": "machine"}),
        (
            "legacy-deployer",
            [],
            [],
            {
                "lambda-everything": _doc(
                    _allow("lambda:*", "*"), _allow("iam:PassRole", f"arn:aws:iam::{a}:role/*")
                )
            },
            {"kind": "machine", "owner": "unknown"},
        ),
        (
            "security-auditor",
            [],
            [managed_arn("AWSLambda_ReadOnlyAccess"), managed_arn("IAMReadOnlyAccess")],
            {},
            {"team": "security"},
        ),
    ]
    for name, groups, managed, inline, tags in users:
        iam.create_user(UserName=name, Tags=[{"Key": k, "Value": v} for k, v in tags.items()])
        for group in groups:
            iam.add_user_to_group(GroupName=group, UserName=name)
        for arn in managed:
            iam.attach_user_policy(UserName=name, PolicyArn=arn)
        for pname, pdoc in inline.items():
            iam.put_user_policy(UserName=name, PolicyName=pname, PolicyDocument=pdoc)


def _build_trust(account: str) -> str:
    return _doc(
        {
            "Effect": "Allow",
            "Principal": {"Service": "codebuild.amazonaws.com"},
            "Action": "sts:AssumeRole",
            "Condition": {"StringEquals": {"aws:SourceAccount": account}},
        }
    )


def _finding_roles(
    a: str, managed_arn: Callable[[str], str], boundary: str
) -> list[tuple[str, str, list[str], dict[str, str], str | None, dict[str, str], str]]:
    """CodeBuild roles, one per escalation path of the pathfinding.cloud catalogue (lambda-001 ... -006),
    each with a blocked twin (a condition, a boundary, resource scoping or an alias); and an execution
    role trusted by more than Lambda."""
    fn = f"arn:aws:lambda:*:{a}:function"
    nightly = f"arn:aws:lambda:us-east-1:{a}:function:nightly-report"
    warmer = f"arn:aws:lambda:eu-west-1:{a}:function:cache-warmer"
    admin_role = f"arn:aws:iam::{a}:role/legacy-cron-role"
    pass_lambda = {"StringEquals": {"iam:PassedToService": "lambda.amazonaws.com"}}
    tags = {"team": "platform", "purpose": "ci"}

    def build(name: str, description: str, *statements: dict[str, Any], bnd: str | None = None) -> Any:
        return (name, _build_trust(a), [], {"build": _doc(*statements)}, bnd, tags, description)

    return [
        build(
            "build-release-role",
            "lambda-001: PassRole (the admin role) + CreateFunction + InvokeFunction",
            _allow("iam:PassRole", admin_role, Condition=pass_lambda),
            _allow(["lambda:CreateFunction", "lambda:InvokeFunction"], "*"),
        ),
        build(
            "build-release-scoped-role",
            "lambda-001 twin: PassRole only to EC2 (iam:PassedToService), so not to Lambda",
            _allow(
                "iam:PassRole",
                admin_role,
                Condition={"StringEquals": {"iam:PassedToService": "ec2.amazonaws.com"}},
            ),
            _allow(["lambda:CreateFunction", "lambda:InvokeFunction"], "*"),
        ),
        build(
            "build-stream-role",
            "lambda-002: PassRole + CreateFunction + CreateEventSourceMapping",
            _allow("iam:PassRole", "*"),
            _allow(["lambda:CreateFunction", "lambda:CreateEventSourceMapping"], "*"),
        ),
        build(
            "build-stream-bounded-role",
            "lambda-002 twin: the same policy under the platform boundary (no PassRole, no CreateFunction)",
            _allow("iam:PassRole", "*"),
            _allow(["lambda:CreateFunction", "lambda:CreateEventSourceMapping"], "*"),
            bnd=boundary,
        ),
        build(
            "build-hotfix-role",
            "lambda-003: UpdateFunctionCode on nightly-report, which a schedule runs ($LATEST)",
            _allow("lambda:UpdateFunctionCode", nightly),
        ),
        build(
            "build-hotfix-alias-role",
            "lambda-003 twin: UpdateFunctionCode on admin-console-api, run only through its alias (a "
            "published version: new code never reaches it without PublishVersion + UpdateAlias)",
            _allow("lambda:UpdateFunctionCode", f"arn:aws:lambda:us-east-1:{a}:function:admin-console-api"),
        ),
        build(
            "build-debug-role",
            "lambda-004: UpdateFunctionCode + InvokeFunction on nightly-report",
            _allow(["lambda:UpdateFunctionCode", "lambda:InvokeFunction"], nightly),
        ),
        build(
            "build-debug-scoped-role",
            "lambda-004 twin: the grant names nightly-report:* (qualified ARNs), not the function itself",
            _allow(["lambda:UpdateFunctionCode", "lambda:InvokeFunction"], f"{nightly}:*"),
        ),
        build(
            "build-perm-role",
            "lambda-005: UpdateFunctionCode + AddPermission on cache-warmer (granting itself invoke)",
            _allow(["lambda:UpdateFunctionCode", "lambda:AddPermission"], warmer),
        ),
        build(
            "build-perm-limited-role",
            "lambda-005 twin: AddPermission only for API Gateway (lambda:Principal)",
            _allow("lambda:UpdateFunctionCode", warmer),
            _allow(
                "lambda:AddPermission",
                warmer,
                Condition={"StringEquals": {"lambda:Principal": "apigateway.amazonaws.com"}},
            ),
        ),
        build(
            "build-sandbox-role",
            "lambda-006: PassRole + CreateFunction + AddPermission",
            _allow("iam:PassRole", "*"),
            # Scoped to sandbox-* functions: the attacker names its new function to match.
            _allow(["lambda:CreateFunction", "lambda:AddPermission"], f"{fn}:sandbox-*"),
        ),
        build(
            "build-sandbox-scoped-role",
            "lambda-006 twin: PassRole only on sandbox-* roles (there are none)",
            _allow("iam:PassRole", f"arn:aws:iam::{a}:role/sandbox-*"),
            _allow(["lambda:CreateFunction", "lambda:AddPermission"], "*"),
        ),
        (
            "ops-automation-role",
            _doc(
                {
                    "Effect": "Allow",
                    "Principal": {"Service": "lambda.amazonaws.com"},
                    "Action": "sts:AssumeRole",
                    # Reads as "only our account", but ForAllValues is also true when the key is absent.
                    "Condition": {"ForAllValues:StringEquals": {"aws:SourceAccount": a}},
                },
                {
                    "Effect": "Allow",
                    "Principal": {"AWS": f"arn:aws:iam::{SECURITY_ACCOUNT}:root"},
                    "Action": "sts:AssumeRole",
                },
            ),
            [managed_arn("IAMReadOnlyAccess")],
            {},
            None,
            {"team": "platform"},
            "Lambda role for ops automation; also trusted by the security account (no MFA condition)",
        ),
    ]


def _zip(handler_file: str) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        info = zipfile.ZipInfo(handler_file, date_time=(2024, 1, 1, 0, 0, 0))  # fixed: same bytes every run
        zf.writestr(info, "def handler(event, context):\n    return {'ok': True}\n")
    return buf.getvalue()


def _seed_region(
    lam: Any, account: str, region: str, functions: Iterable[_Fn], layers: Iterable[_LayerSpec]
) -> None:
    layer_arns: dict[str, str] = {}
    for layer in layers:
        for v in range(1, layer.versions + 1):
            out = lam.publish_layer_version(
                LayerName=layer.name,
                Description=f"{layer.description} (v{v})",
                Content={"ZipFile": _zip("python/lib.py")},
                CompatibleRuntimes=list(layer.runtimes),
            )
            layer_arns[f"{layer.name}:{v}"] = out["LayerVersionArn"]
        for version, kwargs in layer.permissions:
            lam.add_layer_version_permission(LayerName=layer.name, VersionNumber=version, **kwargs)

    for fn in functions:
        module = fn.handler.split(".")[0] if "." in fn.handler else fn.handler
        lam.create_function(
            FunctionName=fn.name,
            Runtime=fn.runtime,
            Role=fn.role,
            Handler=fn.handler,
            Code={"ZipFile": _zip(f"{module}.py")},
            Description=fn.description,
            Timeout=30,
            MemorySize=256,
            Tags=dict(fn.tags),
            Layers=[layer_arns[ref] for ref in fn.layers],
        )
        for v in range(1, fn.versions + 1):
            if v > 1:
                # moto publishes a new version only when the function changed since the last one.
                lam.update_function_configuration(
                    FunctionName=fn.name, Description=f"{fn.description} (release {v})"
                )
            lam.publish_version(FunctionName=fn.name, Description=f"release {v}")
        for alias, target in fn.aliases:
            lam.create_alias(FunctionName=fn.name, Name=alias, FunctionVersion=target)
        for qualifier, kwargs in fn.permissions:
            extra = {"Qualifier": qualifier} if qualifier else {}
            lam.add_permission(FunctionName=fn.name, **extra, **kwargs)
        for qualifier, auth in fn.urls:
            extra = {"Qualifier": qualifier} if qualifier else {}
            lam.create_function_url_config(FunctionName=fn.name, AuthType=auth, **extra)


def seed(
    endpoint_url: str,
    *,
    account_id: str | None = None,
    regions: tuple[str, ...] = DEMO_ORG_REGIONS,
) -> dict[str, str]:
    """Write the demo account into the moto server at ``endpoint_url``; return keys routed to that account.

    ``account_id`` defaults to moto's default account. The server must run in this process with
    ``demo.adapter`` installed (per-qualifier policies, URL qualifiers); the account must be empty.
    Functions of regions not in ``regions`` are skipped (the first region gets the us-east-1 content).
    """
    import boto3

    from lambdaperm_tui.demo import adapter
    from lambdaperm_tui.demo.adapter import default_account_id

    account = account_id or default_account_id()
    region_map = {"us-east-1": regions[0], "eu-west-1": regions[1] if len(regions) > 1 else None}

    def client(service: str, region: str) -> Any:
        make: Any = boto3.client  # service names are plain strings here, not the stubs' literals
        c = make(
            service,
            endpoint_url=endpoint_url,
            region_name=region,
            aws_access_key_id="demo-seed",
            aws_secret_access_key="demo-seed",
        )

        def route(request: Any, **_: Any) -> None:
            # Explicit routing: the seed writes into `account` whatever moto's default account is.
            request.headers["x-moto-account-id"] = account

        c.meta.events.register("before-send", route)
        return c

    managed_arns = adapter.add_aws_managed_policies(account, list(AWS_MANAGED))
    managed = dict(zip(AWS_MANAGED, managed_arns, strict=True))
    iam = client("iam", regions[0])
    _iam(iam, account, managed.__getitem__)
    key = iam.create_access_key(UserName="security-auditor")["AccessKey"]

    by_region: dict[str, tuple[list[_Fn], list[_LayerSpec]]] = {}
    for fn in _functions(account):
        target = region_map[fn.region]
        if target:
            by_region.setdefault(target, ([], []))[0].append(fn)
    for layer in _layers():
        target = region_map[layer.region]
        if target:
            by_region.setdefault(target, ([], []))[1].append(layer)
    # Regions are independent: seed them side by side (moto's server is threaded).
    with ThreadPoolExecutor(max_workers=len(by_region) or 1) as pool:
        futures = [
            pool.submit(_seed_region, client("lambda", region), account, region, fns, lys)
            for region, (fns, lys) in by_region.items()
        ]
        for fut in futures:
            fut.result()
    # The execution-role story (demo/seed_needs.py): functions whose configuration needs their role.
    from lambdaperm_tui.demo.seed_needs import seed_execution_needs

    seed_execution_needs(client, account, regions[0], managed.__getitem__, _zip("app.py"))
    return {"aws_access_key_id": key["AccessKeyId"], "aws_secret_access_key": key["SecretAccessKey"]}
