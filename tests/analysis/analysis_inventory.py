"""An inventory built from the model classes with AWS-doc-shaped policies (see fixtures/README.md).

Account 111122223333 (us-east-1), organization o-a1b2c3d4e5; 444455556666 is another account.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from lambdaperm_tui.inventory.model import (
    Alias,
    Function,
    FunctionUrl,
    Group,
    Inventory,
    Layer,
    LayerVersion,
    ManagedPolicy,
    NamedPolicy,
    PolicySlot,
    Role,
    User,
    Version,
)

FIXTURES = Path(__file__).parent / "fixtures"
ACCOUNT = "111122223333"
OTHER = "444455556666"
ORG = "o-a1b2c3d4e5"
REGION = "us-east-1"
FN = f"arn:aws:lambda:{REGION}:{ACCOUNT}:function"
ROLE = f"arn:aws:iam::{ACCOUNT}:role"
USER = f"arn:aws:iam::{ACCOUNT}:user"
LAYER = f"arn:aws:lambda:{REGION}:{ACCOUNT}:layer"
READ_ARN = f"arn:aws:iam::{ACCOUNT}:policy/LambdaRead"
BOUNDARY_ARN = f"arn:aws:iam::{ACCOUNT}:policy/ReadOnlyBoundary"


def doc(name: str) -> Any:
    """A fixture policy document (parsed JSON)."""
    return json.loads((FIXTURES / f"{name}.json").read_text())


def slot(name: str) -> PolicySlot:
    return PolicySlot(document=doc(name))


def function(name: str, policy: PolicySlot, **kw: Any) -> Function:
    return Function(
        arn=f"{FN}:{name}",
        name=name,
        region=REGION,
        account=ACCOUNT,
        policy=policy,
        urls=kw.pop("urls", ()),
        **kw,
    )


def build_inventory(**overrides: Any) -> Inventory:
    """The test account. Keyword arguments replace Inventory fields."""
    functions = (
        function(
            "billing",
            slot("function_role_grant"),
            tags=(("team", "billing"),),
            versions=(Version(f"{FN}:billing:1", "1", policy=PolicySlot()),),
            aliases=(Alias(f"{FN}:billing:prod", "prod", "1", policy=slot("alias_apigw_prod")),),
        ),
        function("thumbnailer", slot("function_s3_source"), tags=(("team", "media"),)),
        function("resizer", slot("function_s3_open")),
        function(
            "public-api",
            slot("function_url_public"),
            urls=(
                FunctionUrl(
                    f"{FN}:public-api",
                    None,
                    "https://pub.lambda-url.us-east-1.on.aws/",
                    "NONE",
                    created="2026-01-10T10:00:00.000+0000",
                ),
            ),
        ),
        function(
            "legacy-api",
            slot("function_url_legacy_public"),
            urls=(
                FunctionUrl(
                    f"{FN}:legacy-api",
                    None,
                    "https://leg.lambda-url.us-east-1.on.aws/",
                    "NONE",
                    created="2024-05-01T10:00:00.000+0000",
                ),
            ),
        ),
        function(
            "internal-api",
            slot("function_url_iam"),
            urls=(
                FunctionUrl(
                    f"{FN}:internal-api",
                    None,
                    "https://int.lambda-url.us-east-1.on.aws/",
                    "AWS_IAM",
                    created="2026-02-01T10:00:00.000+0000",
                ),
            ),
        ),
    )
    layers = (
        Layer(
            f"{LAYER}:shared-libs",
            "shared-libs",
            REGION,
            versions=(
                LayerVersion(f"{LAYER}:shared-libs:1", "shared-libs", 1, REGION, policy=slot("layer_org")),
            ),
        ),
    )
    roles = (
        Role(
            f"{ROLE}/orders-api",
            "orders-api",
            trust_policy=slot("role_trust_lambda"),
            inline_policies=(NamedPolicy("invoke-billing", slot("identity_invoke_billing")),),
            tags=(("team", "orders"),),
        ),
        Role(f"{ROLE}/reporting", "reporting", trust_policy=slot("role_trust_lambda")),
        Role(
            f"{ROLE}/billing-team",
            "billing-team",
            trust_policy=slot("role_trust_lambda"),
            inline_policies=(NamedPolicy("abac", slot("identity_abac_team")),),
            tags=(("team", "billing"),),
        ),
        Role(
            f"{ROLE}/service/bounded",
            "bounded",
            path="/service/",
            trust_policy=slot("role_trust_lambda"),
            inline_policies=(NamedPolicy("invoke-billing", slot("identity_invoke_billing")),),
            managed_policy_arns=(READ_ARN,),
            boundary_arn=BOUNDARY_ARN,
        ),
    )
    users = (User(f"{USER}/alice", "alice", groups=("devs",), tags=(("team", "billing"),)),)
    groups = (Group(f"arn:aws:iam::{ACCOUNT}:group/devs", "devs", managed_policy_arns=(READ_ARN,)),)
    managed = (
        ManagedPolicy(READ_ARN, "LambdaRead", slot("managed_lambda_read")),
        ManagedPolicy(BOUNDARY_ARN, "ReadOnlyBoundary", slot("boundary_lambda_read")),
    )
    fields: dict[str, Any] = dict(
        account_id=ACCOUNT,
        regions=(REGION,),
        captured_at="2026-11-28T10:00:00Z",
        source="test",
        functions=functions,
        layers=layers,
        roles=roles,
        users=users,
        groups=groups,
        managed_policies=managed,
        organization_id=ORG,
        scps=((NamedPolicy("FullAWSAccess", slot("scp_full_access")),),),
        rcps=(),
    )
    fields.update(overrides)
    return Inventory(**fields)
