"""The statement AWS Lambda stores for an AddPermission / AddLayerVersionPermission call.

Each expected document is the shape the AWS Lambda developer guide shows ``get-policy`` returning:
- https://docs.aws.amazon.com/lambda/latest/dg/access-control-resource-based.html ("Viewing resource-based
  IAM policies in Lambda": an S3 permission with ``StringEquals AWS:SourceAccount`` then
  ``ArnLike AWS:SourceArn``; Sid, Effect, Principal, Action, Resource, Condition in that order);
- https://docs.aws.amazon.com/lambda/latest/dg/permissions-function-cross-account.html (an account id
  becomes ``{"AWS": "arn:aws:iam::ACCOUNT:root"}``);
- https://docs.aws.amazon.com/lambda/latest/dg/permissions-function-organization.html (``PrincipalOrgID``
  with ``Principal *`` becomes ``StringEquals aws:PrincipalOrgID``);
- https://docs.aws.amazon.com/lambda/latest/dg/urls-auth.html (``FunctionUrlAuthType`` becomes
  ``StringEquals lambda:FunctionUrlAuthType``; ``InvokedViaFunctionUrl`` true becomes
  ``Bool lambda:InvokedViaFunctionUrl "true"``);
- https://docs.aws.amazon.com/lambda/latest/dg/permissions-layer-cross-account.html (a layer's
  ``OrganizationId`` becomes ``StringEquals aws:PrincipalOrgID``);
- https://docs.aws.amazon.com/lambda/latest/api/API_AddPermission.html (the parameters; ``EventSourceToken``
  for Alexa).
"""

from __future__ import annotations

import json

import pytest

from lambdaperm_tui.iam import parse_policy
from lambdaperm_tui.iam.lambda_permission import (
    AddPermissionError,
    permission_conditions,
    permission_principal,
    permission_statement,
)

FN = "arn:aws:lambda:us-east-2:123456789012:function:my-function"


def test_s3_permission_is_the_documented_get_policy_statement() -> None:
    statement = permission_statement(
        {
            "StatementId": "lambda-allow-s3-my-function",
            "Action": "lambda:InvokeFunction",
            "Principal": "s3.amazonaws.com",
            "SourceArn": "arn:aws:s3:::amzn-s3-demo-bucket",
            "SourceAccount": "123456789012",
            "FunctionName": "my-function",
        },
        FN,
    )
    documented = {
        "Sid": "lambda-allow-s3-my-function",
        "Effect": "Allow",
        "Principal": {"Service": "s3.amazonaws.com"},
        "Action": "lambda:InvokeFunction",
        "Resource": FN,
        "Condition": {
            "StringEquals": {"AWS:SourceAccount": "123456789012"},
            "ArnLike": {"AWS:SourceArn": "arn:aws:s3:::amzn-s3-demo-bucket"},
        },
    }
    # The same JSON text: key order included, as GetPolicy returns it.
    assert json.dumps(statement) == json.dumps(documented)
    parse_policy({"Version": "2012-10-17", "Statement": [statement]}, "p")


def test_every_option_in_the_order_aws_writes_it() -> None:
    condition = permission_conditions(
        {
            "InvokedViaFunctionUrl": True,
            "SourceArn": "arn:aws:execute-api:us-east-2:123456789012:abc/*",
            "EventSourceToken": "amzn1.ask.skill.x",
            "FunctionUrlAuthType": "AWS_IAM",
            "PrincipalOrgID": "o-a1b2c3d4e5",
            "SourceAccount": "123456789012",
        }
    )
    assert list(condition) == ["StringEquals", "ArnLike", "Bool"]
    assert list(condition["StringEquals"].items()) == [
        ("AWS:SourceAccount", "123456789012"),
        ("aws:PrincipalOrgID", "o-a1b2c3d4e5"),
        ("lambda:FunctionUrlAuthType", "AWS_IAM"),
        ("lambda:EventSourceToken", "amzn1.ask.skill.x"),
    ]
    assert condition["Bool"] == {"lambda:InvokedViaFunctionUrl": "true"}


def test_invoked_via_function_url_false_restricts_nothing() -> None:
    # Only "when set to true" does the parameter limit the permission to URL calls (API_AddPermission).
    assert permission_conditions({"InvokedViaFunctionUrl": False}) == {}
    assert permission_conditions({"InvokedViaFunctionUrl": "false"}) == {}
    assert permission_conditions({"InvokedViaFunctionUrl": "true"}) == {
        "Bool": {"lambda:InvokedViaFunctionUrl": "true"}
    }
    assert permission_conditions({"SourceAccount": "", "SourceArn": None}) == {}


def test_organization_and_layer_permissions() -> None:
    org = permission_statement(
        {"StatementId": "org", "Action": "lambda:InvokeFunction", "Principal": "*", "PrincipalOrgID": "o-x"},
        FN,
    )
    assert org["Principal"] == "*"
    assert org["Condition"] == {"StringEquals": {"aws:PrincipalOrgID": "o-x"}}
    layer = "arn:aws:lambda:us-east-2:123456789012:layer:my-layer:3"
    statement = permission_statement(
        {
            "StatementId": "engineering-org",
            "Action": "lambda:GetLayerVersion",
            "Principal": "*",
            "OrganizationId": "o-t194hfs8cz",
        },
        layer,
    )
    assert statement == {
        "Sid": "engineering-org",
        "Effect": "Allow",
        "Principal": "*",
        "Action": "lambda:GetLayerVersion",
        "Resource": layer,
        "Condition": {"StringEquals": {"aws:PrincipalOrgID": "o-t194hfs8cz"}},
    }


@pytest.mark.parametrize(
    ("given", "resource", "stored"),
    [
        ("*", FN, "*"),
        ("111122223333", FN, {"AWS": "arn:aws:iam::111122223333:root"}),
        (
            "111122223333",
            "arn:aws-cn:lambda:cn-north-1:123456789012:function:f",
            {"AWS": "arn:aws-cn:iam::111122223333:root"},
        ),
        ("arn:aws:iam::111122223333:root", FN, {"AWS": "arn:aws:iam::111122223333:root"}),
        ("arn:aws:iam::111122223333:role/r", FN, {"AWS": "arn:aws:iam::111122223333:role/r"}),
        (
            "arn:aws:sts::111122223333:assumed-role/r/sess",
            FN,
            {"AWS": "arn:aws:sts::111122223333:assumed-role/r/sess"},
        ),
        ("sns.amazonaws.com", FN, {"Service": "sns.amazonaws.com"}),
        ("alexa-appkit.amazon.com", FN, {"Service": "alexa-appkit.amazon.com"}),
        ("not a principal", FN, None),
        ("anonymous", FN, None),
        ("arn:aws:s3:::bucket", FN, None),
        (" 111122223333", FN, None),
    ],
)
def test_principal_parameter_forms(given: str, resource: str, stored: object) -> None:
    assert permission_principal(given, resource) == stored


def test_missing_parameters_and_unknown_principals_are_refused() -> None:
    with pytest.raises(AddPermissionError, match="StatementId is required"):
        permission_statement({"Action": "lambda:InvokeFunction", "Principal": "*"}, FN)
    with pytest.raises(AddPermissionError, match="principal was invalid.*bogus"):
        permission_statement(
            {"StatementId": "s", "Action": "lambda:InvokeFunction", "Principal": "bogus"}, FN
        )
