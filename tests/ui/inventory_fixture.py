"""A small, fixed inventory for the UI tests, and a fake loader that streams it as the real one would."""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import replace
from datetime import datetime, timezone
from typing import Any

from lambdaperm_tui.aws.loader import (
    FailureRecorded,
    FunctionLoaded,
    FunctionsListed,
    IamLoaded,
    LayerLoaded,
    LoadFinished,
    Progress,
)
from lambdaperm_tui.inventory.model import (
    Alias,
    Failure,
    Function,
    FunctionUrl,
    Inventory,
    Layer,
    LayerVersion,
    ManagedPolicy,
    NamedPolicy,
    PolicySlot,
    Role,
    Version,
)

ACCOUNT = "111122223333"
REGION = "us-east-1"
FIXED_NOW = datetime(2026, 11, 28, 12, 0, 0, tzinfo=timezone.utc)


def fn_arn(name: str, qualifier: str | None = None) -> str:
    """A function (or qualified) ARN in the fixture account."""
    base = f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:{name}"
    return f"{base}:{qualifier}" if qualifier else base


def role_arn(name: str) -> str:
    """A role ARN in the fixture account."""
    return f"arn:aws:iam::{ACCOUNT}:role/{name}"


def _doc(*statements: dict[str, Any]) -> dict[str, Any]:
    return {"Version": "2012-10-17", "Statement": list(statements)}


ORDERS_ROLE = role_arn("orders-api")
BILLING_ROLE = role_arn("billing-exec")
REPORTS_ROLE = role_arn("reports")

BILLING_PROD_POLICY = _doc(
    {
        "Sid": "OrdersInvokeProd",
        "Effect": "Allow",
        "Principal": {"AWS": ORDERS_ROLE},
        "Action": "lambda:InvokeFunction",
        "Resource": fn_arn("billing", "prod"),
    }
)
BILLING_POLICY = _doc(
    {
        "Sid": "S3Invoke",
        "Effect": "Allow",
        "Principal": {"Service": "s3.amazonaws.com"},
        "Action": "lambda:InvokeFunction",
        "Resource": fn_arn("billing"),
        "Condition": {"ArnLike": {"AWS:SourceArn": "arn:aws:s3:::invoices-[bucket]"}},
    }
)
WEBHOOK_POLICY = _doc(
    {
        "Sid": "PublicUrl",
        "Effect": "Allow",
        "Principal": "*",
        "Action": "lambda:InvokeFunctionUrl",
        "Resource": fn_arn("webhook"),
        "Condition": {"StringEquals": {"lambda:FunctionUrlAuthType": "NONE"}},
    }
)
LAYER_POLICY = _doc(
    {
        "Sid": "OrgRead",
        "Effect": "Allow",
        "Principal": "*",
        "Action": "lambda:GetLayerVersion",
        "Resource": f"arn:aws:lambda:{REGION}:{ACCOUNT}:layer:shared-utils:2",
        "Condition": {"StringEquals": {"aws:PrincipalOrgID": "o-abc123"}},
    }
)
TRUST_LAMBDA = _doc(
    {"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}
)


def make_inventory() -> Inventory:
    """Five functions (one unreadable), one layer, three roles: enough for every screen."""
    billing = Function(
        arn=fn_arn("billing"),
        name="billing",
        region=REGION,
        account=ACCOUNT,
        runtime="python3.12",
        role=BILLING_ROLE,
        layers=(f"arn:aws:lambda:{REGION}:{ACCOUNT}:layer:shared-utils:2",),
        description="Invoices [bold]customers[/bold]",  # markup-looking text must show literally
        policy=PolicySlot(BILLING_POLICY),
        versions=(Version(fn_arn("billing", "7"), "7", PolicySlot()),),
        aliases=(Alias(fn_arn("billing", "prod"), "prod", "7", policy=PolicySlot(BILLING_PROD_POLICY)),),
        urls=(),
    )
    orders = Function(
        arn=fn_arn("orders-api"),
        name="orders-api",
        region=REGION,
        account=ACCOUNT,
        runtime="nodejs20.x",
        role=ORDERS_ROLE,
        policy=PolicySlot(),
        urls=(),
    )
    webhook = Function(
        arn=fn_arn("webhook"),
        name="webhook",
        region=REGION,
        account=ACCOUNT,
        runtime="python3.12",
        role=BILLING_ROLE,
        policy=PolicySlot(WEBHOOK_POLICY),
        urls=(
            FunctionUrl(
                fn_arn("webhook"),
                None,
                "https://abc.lambda-url.us-east-1.on.aws/",
                "NONE",
                "2024-01-01T00:00:00Z",
            ),
        ),
    )
    secret = Function(
        arn=fn_arn("secret-report"),
        name="secret-report",
        region=REGION,
        account=ACCOUNT,
        runtime="java21",
        role=REPORTS_ROLE,
        policy=PolicySlot(unknown="AccessDeniedException: not authorized to perform lambda:GetPolicy"),
        urls=(),
    )
    layer = Layer(
        arn=f"arn:aws:lambda:{REGION}:{ACCOUNT}:layer:shared-utils",
        name="shared-utils",
        region=REGION,
        versions=(
            LayerVersion(
                f"arn:aws:lambda:{REGION}:{ACCOUNT}:layer:shared-utils:1",
                "shared-utils",
                1,
                REGION,
                ("python3.12",),
                policy=PolicySlot(),
            ),
            LayerVersion(
                f"arn:aws:lambda:{REGION}:{ACCOUNT}:layer:shared-utils:2",
                "shared-utils",
                2,
                REGION,
                ("python3.12",),
                policy=PolicySlot(LAYER_POLICY),
            ),
        ),
    )
    invoke_billing = _doc(
        {"Effect": "Allow", "Action": "lambda:InvokeFunction", "Resource": fn_arn("billing", "*")}
    )
    roles = (
        Role(
            ORDERS_ROLE,
            "orders-api",
            trust_policy=PolicySlot(TRUST_LAMBDA),
            inline_policies=(NamedPolicy("invoke-billing", PolicySlot(invoke_billing)),),
        ),
        Role(
            BILLING_ROLE,
            "billing-exec",
            trust_policy=PolicySlot(TRUST_LAMBDA),
            managed_policy_arns=("arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole",),
        ),
        Role(REPORTS_ROLE, "reports", trust_policy=PolicySlot(TRUST_LAMBDA)),
        Role(
            role_arn("auditor"),
            "auditor",
            trust_policy=PolicySlot(
                _doc(
                    {
                        "Effect": "Allow",
                        "Principal": {"AWS": "arn:aws:iam::999988887777:root"},
                        "Action": "sts:AssumeRole",
                    }
                )
            ),
        ),
    )
    managed = (
        ManagedPolicy(
            "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole",
            "AWSLambdaBasicExecutionRole",
            PolicySlot(_doc({"Effect": "Allow", "Action": "logs:*", "Resource": "*"})),
        ),
    )
    failures = (
        Failure(
            "function-policy",
            secret.arn,
            "GetPolicy",
            "AccessDeniedException: not authorized to perform lambda:GetPolicy",
        ),
    )
    return Inventory(
        account_id=ACCOUNT,
        regions=(REGION,),
        captured_at="2026-11-28T09:00:00+00:00",
        source="fixture",
        functions=(billing, orders, webhook, secret),
        layers=(layer,),
        roles=roles,
        managed_policies=managed,
        failures=failures,
        scps=(),
        rcps=(),
    )


def streaming_loader(
    inv: Inventory, *, gate: threading.Event | None = None
) -> Callable[[Callable[[Any], None], threading.Event], Inventory]:
    """A loader that streams ``inv`` as events (listing, then each function, layers, IAM, failures).

    With ``gate``, it stops after the listing until the gate is set, so a test can look at a half-loaded
    screen.
    """

    def load(on_event: Callable[[Any], None], cancel: threading.Event) -> Inventory:
        listed = tuple(
            replace(f, policy=PolicySlot(fetched=False), versions=(), aliases=(), urls=None)
            for f in inv.functions
        )
        on_event(FunctionsListed(REGION, listed))
        on_event(Progress("functions", 0, len(listed)))
        if gate is not None:
            gate.wait(10)
        for i, fn in enumerate(inv.functions, 1):
            if cancel.is_set():
                break
            on_event(FunctionLoaded(fn))
            on_event(Progress("functions", i, len(listed)))
        for layer in inv.layers:
            on_event(LayerLoaded(layer))
        on_event(IamLoaded(inv.roles, inv.users, inv.groups, inv.managed_policies))
        for failure in inv.failures:
            on_event(FailureRecorded(failure))
        on_event(LoadFinished(inv))
        return inv

    return load


def many_functions(n: int) -> Inventory:
    """``n`` functions, for the big-list test."""
    base = make_inventory()
    fns = tuple(
        Function(
            arn=fn_arn(f"fn-{i:05d}"),
            name=f"fn-{i:05d}",
            region=REGION,
            account=ACCOUNT,
            runtime="python3.12",
            role=BILLING_ROLE,
            policy=PolicySlot(),
            urls=(),
        )
        for i in range(n)
    )
    return replace(base, functions=fns, failures=())
