"""Generated accounts seeded into the moto server through plain (unguarded) boto3 clients."""

from __future__ import annotations

import io
import json
import zipfile
from dataclasses import dataclass, field
from typing import Any

import boto3

from tests.conftest import account_header_hook

TRUST_LAMBDA = {
    "Version": "2012-10-17",
    "Statement": [
        {"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}
    ],
}
ALLOW_LOGS = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Action": "logs:*", "Resource": "*"}],
}


def zip_bytes() -> bytes:
    """A tiny deployment package."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("app.py", "def handler(event, context):\n    return 1\n")
    return buf.getvalue()


def seeding_client(service: str, endpoint: str, account: str, region: str = "us-east-1") -> Any:
    """A boto3 client (no guard) that writes into ``account`` of the moto server."""
    # The service is a run-time string, which the stubs' per-service overloads cannot type.
    client = boto3.client(  # type: ignore[call-overload]
        service,
        region_name=region,
        endpoint_url=endpoint,
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )
    client.meta.events.register("before-send", account_header_hook(account))
    return client


@dataclass
class GeneratedAccount:
    """What was seeded, to compare the loader's inventory against."""

    account: str
    regions: tuple[str, ...]
    functions: dict[str, list[str]] = field(default_factory=dict)  # region -> function names
    role_arn: str = ""


def seed_account(endpoint: str, account: str, *, functions_per_region: int = 3) -> GeneratedAccount:
    """Functions (with a version, an alias, qualifier-scoped permissions, URLs), a layer with a version
    permission, and IAM roles/users/groups/managed policies, in us-east-1 and eu-west-1."""
    regions = ("us-east-1", "eu-west-1")
    gen = GeneratedAccount(account=account, regions=regions)
    iam = seeding_client("iam", endpoint, account)
    role = iam.create_role(
        RoleName="exec",
        AssumeRolePolicyDocument=json.dumps(TRUST_LAMBDA),
        Tags=[{"Key": "team", "Value": "orders"}],
    )["Role"]
    gen.role_arn = role["Arn"]
    iam.put_role_policy(RoleName="exec", PolicyName="logs", PolicyDocument=json.dumps(ALLOW_LOGS))
    managed = iam.create_policy(PolicyName="invoke-all", PolicyDocument=json.dumps(ALLOW_LOGS))["Policy"]
    boundary = iam.create_policy(PolicyName="boundary", PolicyDocument=json.dumps(ALLOW_LOGS))["Policy"]
    iam.attach_role_policy(RoleName="exec", PolicyArn=managed["Arn"])
    iam.put_role_permissions_boundary(RoleName="exec", PermissionsBoundary=boundary["Arn"])
    iam.create_group(GroupName="devs")
    iam.put_group_policy(GroupName="devs", PolicyName="g", PolicyDocument=json.dumps(ALLOW_LOGS))
    iam.create_user(UserName="alice")
    iam.add_user_to_group(UserName="alice", GroupName="devs")
    iam.attach_user_policy(UserName="alice", PolicyArn=managed["Arn"])
    code = zip_bytes()
    for region in regions:
        lam = seeding_client("lambda", endpoint, account, region)
        names = [f"{region}-fn{i}" for i in range(functions_per_region)]
        gen.functions[region] = names
        for name in names:
            lam.create_function(
                FunctionName=name,
                Runtime="python3.12",
                Role=role["Arn"],
                Handler="app.handler",
                Code={"ZipFile": code},
                Tags={"env": "test"},
            )
        first = names[0]
        version = lam.publish_version(FunctionName=first)["Version"]
        lam.create_alias(FunctionName=first, Name="prod", FunctionVersion=version)
        lam.add_permission(
            FunctionName=first,
            StatementId="s3",
            Action="lambda:InvokeFunction",
            Principal="s3.amazonaws.com",
            SourceAccount=account,
        )
        lam.add_permission(
            FunctionName=first,
            StatementId="partner",
            Action="lambda:InvokeFunction",
            Principal="444455556666",
            Qualifier="prod",
        )
        lam.create_function_url_config(FunctionName=first, AuthType="NONE")
        lam.create_function_url_config(FunctionName=first, Qualifier="prod", AuthType="AWS_IAM")
        layer = lam.publish_layer_version(LayerName=f"shared-{region}", Content={"ZipFile": code})
        lam.add_layer_version_permission(
            LayerName=f"shared-{region}",
            VersionNumber=layer["Version"],
            StatementId="org",
            Action="lambda:GetLayerVersion",
            Principal="*",
            OrganizationId="o-abc123",
        )
    return gen
