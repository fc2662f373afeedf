"""Endpoints that return AddPermission parameters raw still give AWS-shaped policies.

AWS's shape of an AddPermission statement: options as Condition entries, principals as objects
(https://docs.aws.amazon.com/lambda/latest/api/API_AddPermission.html,
https://docs.aws.amazon.com/lambda/latest/dg/urls-auth.html). The end-to-end test runs a plain
``moto_server`` in its own process — no demo adapter — and asks through ``AWS_ENDPOINT_URL``, as a user of
a local emulator would.
"""

from __future__ import annotations

import json
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest

from lambdaperm_tui.aws.compat import normalise_lambda_policy
from lambdaperm_tui.iam import parse_policy
from tests.aws.plain_moto import cli_env, function_zip, plain_moto_server, run_cli

FN = "arn:aws:lambda:us-east-1:123456789012:function:f"


def test_url_auth_type_parameter_becomes_condition() -> None:
    raw = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "url",
                "Effect": "Allow",
                "Principal": "*",
                "Action": "lambda:InvokeFunctionUrl",
                "Resource": FN,
                "FunctionUrlAuthType": "NONE",
            },
        ],
    }
    fixed = normalise_lambda_policy(raw)
    statement = fixed["Statement"][0]
    assert "FunctionUrlAuthType" not in statement
    assert statement["Condition"] == {"StringEquals": {"lambda:FunctionUrlAuthType": "NONE"}}
    parse_policy(fixed, "f")  # now a valid IAM policy


def test_bare_principals_become_principal_objects() -> None:
    raw = {
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": "111122223333",
                "Action": "lambda:InvokeFunction",
                "Resource": FN,
            },
            {
                "Effect": "Allow",
                "Principal": "s3.amazonaws.com",
                "Action": "lambda:InvokeFunction",
                "Resource": FN,
            },
            {
                "Effect": "Allow",
                "Principal": "arn:aws:iam::111122223333:role/r",
                "Action": "lambda:*",
                "Resource": FN,
            },
        ]
    }
    principals = [s["Principal"] for s in normalise_lambda_policy(raw)["Statement"]]
    assert principals == [
        {"AWS": "arn:aws:iam::111122223333:root"},
        {"Service": "s3.amazonaws.com"},
        {"AWS": "arn:aws:iam::111122223333:role/r"},
    ]


def test_layer_organization_parameter_merges_with_existing_conditions() -> None:
    raw = {
        "Statement": {
            "StatementId": "org",
            "Effect": "Allow",
            "Principal": "*",
            "Action": "lambda:GetLayerVersion",
            "Resource": "arn:aws:lambda:us-east-1:123456789012:layer:l:1",
            "OrganizationId": "o-abc123",
            "Condition": {"StringEquals": {"aws:SourceAccount": "123456789012"}},
        }
    }
    statement = normalise_lambda_policy(raw)["Statement"]
    assert statement["Sid"] == "org" and "StatementId" not in statement
    assert statement["Condition"] == {
        "StringEquals": {"aws:SourceAccount": "123456789012", "aws:PrincipalOrgID": "o-abc123"}
    }


def test_aws_shaped_policy_is_returned_untouched() -> None:
    doc = {
        "Version": "2012-10-17",
        "Id": "default",
        "Statement": [
            {
                "Sid": "s3",
                "Effect": "Allow",
                "Principal": {"Service": "s3.amazonaws.com"},
                "Action": "lambda:InvokeFunction",
                "Resource": FN,
                "Condition": {"ArnLike": {"AWS:SourceArn": "arn:aws:s3:::b"}},
            },
        ],
    }
    assert normalise_lambda_policy(doc) is doc


def test_other_malformations_are_left_for_the_engine_to_report() -> None:
    doc = {"Statement": [{"Effect": "Permit", "Principal": "*", "Action": "lambda:*", "Resource": FN}]}
    assert normalise_lambda_policy(doc) is doc


@pytest.fixture(scope="module")
def plain_moto() -> Iterator[str]:
    """A moto server in its own process: moto's own policy shapes, no adapter."""
    with plain_moto_server() as url:
        yield url


def test_cli_answers_over_a_plain_moto_endpoint(plain_moto: str, tmp_path: Path) -> None:
    creds = {"aws_access_key_id": "testing", "aws_secret_access_key": "testing"}
    kw: dict[str, Any] = {"endpoint_url": plain_moto, "region_name": "us-east-1", **creds}
    iam = boto3.client("iam", **kw)
    lam = boto3.client("lambda", **kw)
    trust = {
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Allow", "Action": "sts:AssumeRole", "Principal": {"Service": "lambda.amazonaws.com"}}
        ],
    }
    role = iam.create_role(RoleName="exec", AssumeRolePolicyDocument=json.dumps(trust))["Role"]["Arn"]
    lam.create_function(
        FunctionName="f",
        Runtime="python3.12",
        Role=role,
        Handler="x.h",
        Code={"ZipFile": function_zip()},
        Publish=True,
    )
    lam.create_alias(FunctionName="f", Name="prod", FunctionVersion="1")
    lam.add_permission(
        FunctionName="f",
        StatementId="xacct",
        Action="lambda:InvokeFunction",
        Principal="111122223333",
        Qualifier="prod",
    )
    lam.add_permission(
        FunctionName="f",
        StatementId="url",
        Action="lambda:InvokeFunctionUrl",
        Principal="*",
        FunctionUrlAuthType="NONE",
    )
    lam.create_function_url_config(FunctionName="f", AuthType="NONE")

    env = cli_env(plain_moto, "us-east-1")

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return run_cli(env, *args)

    other = run(
        "simulate",
        "--principal",
        "arn:aws:iam::111122223333:role/partner",
        "--action",
        "lambda:InvokeFunction",
        "--resource",
        f"{FN}:prod",
        "--json",
    )
    assert other.returncode == 0, other.stderr
    answer = json.loads(other.stdout)
    assert answer["decision"] == "allowed"
    assert [d["sid"] for d in answer["decided_by"] if d["policy_type"] == "resource"] == ["xacct"]

    url = run(
        "simulate",
        "--principal",
        "anonymous",
        "--action",
        "lambda:InvokeFunctionUrl",
        "--resource",
        FN,
        "--json",
    )
    checks = json.loads(url.stdout)["checks"]
    assert checks[0]["decision"] == "allowed"  # the URL permission, once its auth type is a condition
    assert "Traceback" not in url.stderr


def test_options_are_written_as_the_shared_rule_writes_them() -> None:
    # iam/lambda_permission.py: StringEquals before ArnLike (access-control-resource-based.html), and an
    # InvokedViaFunctionUrl that is false restricts nothing (API_AddPermission.html: "when set to true").
    raw = {
        "Statement": [
            {
                "StatementId": "s3",
                "Effect": "Allow",
                "Principal": "s3.amazonaws.com",
                "Action": "lambda:InvokeFunction",
                "Resource": FN,
                "SourceArn": "arn:aws:s3:::b",
                "SourceAccount": "123456789012",
                "InvokedViaFunctionUrl": False,
            },
        ]
    }
    statement = normalise_lambda_policy(raw)["Statement"][0]
    assert json.dumps(statement) == json.dumps(
        {
            "Sid": "s3",
            "Effect": "Allow",
            "Principal": {"Service": "s3.amazonaws.com"},
            "Action": "lambda:InvokeFunction",
            "Resource": FN,
            "Condition": {
                "StringEquals": {"AWS:SourceAccount": "123456789012"},
                "ArnLike": {"AWS:SourceArn": "arn:aws:s3:::b"},
            },
        }
    )


def test_a_principal_of_no_known_form_is_left_for_the_engine() -> None:
    raw = {
        "Statement": [
            {"Effect": "Allow", "Principal": "bogus principal", "Action": "lambda:*", "Resource": FN}
        ]
    }
    assert normalise_lambda_policy(raw)["Statement"][0]["Principal"] == "bogus principal"
