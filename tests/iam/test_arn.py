"""ARN parsing, wildcard matching, Lambda ARN forms, and principal parsing.

- ARN format: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference-arns.html
- Resource matching: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_resource.html
- Lambda ARNs: https://docs.aws.amazon.com/lambda/latest/dg/lambda-api-permissions-ref.html
- Principals: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html
"""

from __future__ import annotations

import pytest

from lambdaperm_tui.iam import (
    PrincipalKind,
    RequestError,
    parse_arn,
    parse_lambda_arn,
    parse_policy,
    parse_principal,
    wildcard_match,
)

FN = "arn:aws:lambda:us-east-1:111122223333:function:f"


def test_parse_arn_parts() -> None:
    a = parse_arn("arn:aws:lambda:us-east-1:111122223333:function:f:prod")
    assert (a.partition, a.service, a.region, a.account, a.resource) == (
        "aws",
        "lambda",
        "us-east-1",
        "111122223333",
        "function:f:prod",
    )
    assert str(a) == "arn:aws:lambda:us-east-1:111122223333:function:f:prod"
    assert parse_arn("arn:aws:s3:::bucket/key").account == ""


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("function:f", r'^resource: "function:f" is not an ARN'),
        ("arn:aws:lambda:us-east-1:1234:function:f", r'^resource: .* invalid account id "1234"'),
        ("arn:azure:lambda:us-east-1:111122223333:function:f", r'^resource: .* invalid partition "azure"'),
        ("arn:aws:lambda:us-east-1:111122223333:", r"^resource: .* empty resource part"),
        ("arn:aws:Lambda:us-east-1:111122223333:function:f", r'^resource: .* invalid service "Lambda"'),
        (7, r"^resource: must be an ARN string, got int"),
    ],
)
def test_parse_arn_errors_name_the_field(text: object, message: str) -> None:
    with pytest.raises(RequestError, match=message):
        parse_arn(text)


def test_parse_arn_uses_given_field_name() -> None:
    with pytest.raises(RequestError, match=r"^scenario\.resource: "):
        parse_arn("nope", "scenario.resource")


@pytest.mark.parametrize(
    ("text", "kind", "name", "qualifier", "qkind"),
    [
        (FN, "function", "f", None, None),
        (FN + ":7", "function", "f", "7", "version"),
        (FN + ":$LATEST", "function", "f", "$LATEST", "latest"),
        (FN + ":prod", "function", "f", "prod", "alias"),
        ("arn:aws:lambda:us-east-1:111122223333:layer:deps", "layer", "deps", None, None),
        ("arn:aws:lambda:us-east-1:111122223333:layer:deps:3", "layer", "deps", "3", "layer_version"),
    ],
)
def test_lambda_arn_forms(text: str, kind: str, name: str, qualifier: str | None, qkind: str | None) -> None:
    la = parse_lambda_arn(text)
    assert (la.kind, la.name, la.qualifier, la.qualifier_kind) == (kind, name, qualifier, qkind)
    assert la.unqualified == text.rsplit(":", 1)[0] if qualifier else la.unqualified == text


@pytest.mark.parametrize(
    "text",
    [
        "arn:aws:lambda:us-east-1:111122223333:function:f:1:2",
        "arn:aws:lambda:us-east-1:111122223333:layer:deps:latest",
        "arn:aws:lambda:us-east-1:111122223333:thing:f",
        "arn:aws:s3:::bucket",
        "arn:aws:lambda:us-east-1:111122223333:function:bad name",
    ],
)
def test_lambda_arn_rejects_other_forms(text: str) -> None:
    with pytest.raises(RequestError, match=r"^resource: "):
        parse_lambda_arn(text)


@pytest.mark.parametrize(
    ("pattern", "value", "expected"),
    [
        ("arn:aws:lambda:*:*:function:f", FN, True),
        ("arn:aws:lambda:*:*:function:F", FN, False),  # ARNs are case-sensitive
        ("arn:aws:lambda:us-east-?:*:function:f", FN, True),
        ("*", FN, True),
        ("arn:aws:lambda:us-east-1:111122223333:function:?", FN, True),
        ("arn:aws:lambda:us-east-1:111122223333:function:??", FN, False),
    ],
)
def test_wildcard_match(pattern: str, value: str, expected: bool) -> None:
    assert wildcard_match(pattern, value) is expected


@pytest.mark.parametrize(
    ("pattern", "request_arn", "expected"),
    [
        # function:f names only the unqualified function
        (FN, FN, True),
        (FN, FN + ":1", False),
        (FN, FN + ":prod", False),
        (FN, FN + ":$LATEST", False),
        # function:f:* names the qualified forms only
        (FN + ":*", FN, False),
        (FN + ":*", FN + ":1", True),
        (FN + ":*", FN + ":prod", True),
        (FN + ":*", FN + ":$LATEST", True),
        # function:f* names both, and every function whose name starts with f
        (FN + "*", FN, True),
        (FN + "*", FN + ":1", True),
        (FN + "*", FN + "oo", True),
        (FN + "*", "arn:aws:lambda:us-east-1:111122223333:function:g", False),
        # an alias ARN names only that alias
        (FN + ":prod", FN + ":prod", True),
        (FN + ":prod", FN + ":1", False),
        # layer version permissions live on versions
        (
            "arn:aws:lambda:us-east-1:111122223333:layer:deps:*",
            "arn:aws:lambda:us-east-1:111122223333:layer:deps:3",
            True,
        ),
        (
            "arn:aws:lambda:us-east-1:111122223333:layer:deps",
            "arn:aws:lambda:us-east-1:111122223333:layer:deps:3",
            False,
        ),
    ],
)
def test_lambda_resource_patterns_match_the_exact_request_arn(
    pattern: str, request_arn: str, expected: bool
) -> None:
    # https://docs.aws.amazon.com/lambda/latest/dg/lambda-api-permissions-ref.html ("Function resource names":
    # an unqualified ARN in a policy does not cover qualified ARNs; use function:f:* or function:f*).
    st = parse_policy(
        {
            "Version": "2012-10-17",
            "Statement": {"Effect": "Allow", "Action": "lambda:*", "Resource": pattern},
        },
        "p",
    ).statements[0]
    assert st.matches_resource(request_arn, None) is expected


@pytest.mark.parametrize(
    ("text", "kind", "account", "name", "role_arn", "partition"),
    [
        ("arn:aws:iam::111122223333:user/alice", PrincipalKind.USER, "111122223333", "alice", None, "aws"),
        (
            "arn:aws:iam::111122223333:user/ops/team/alice",
            PrincipalKind.USER,
            "111122223333",
            "alice",
            None,
            "aws",
        ),
        (
            "arn:aws:iam::111122223333:role/orders-api",
            PrincipalKind.ROLE,
            "111122223333",
            "orders-api",
            "arn:aws:iam::111122223333:role/orders-api",
            "aws",
        ),
        (
            "arn:aws-cn:iam::111122223333:role/svc/orders-api",
            PrincipalKind.ROLE,
            "111122223333",
            "orders-api",
            "arn:aws-cn:iam::111122223333:role/svc/orders-api",
            "aws-cn",
        ),
        (
            "arn:aws-us-gov:sts::111122223333:assumed-role/orders-api/i-0abc",
            PrincipalKind.ASSUMED_ROLE,
            "111122223333",
            "orders-api",
            "arn:aws-us-gov:iam::111122223333:role/orders-api",
            "aws-us-gov",
        ),
        (
            "arn:aws:sts::111122223333:federated-user/bob",
            PrincipalKind.FEDERATED_USER,
            "111122223333",
            "bob",
            None,
            "aws",
        ),
        ("arn:aws:iam::111122223333:root", PrincipalKind.ROOT, "111122223333", None, None, "aws"),
        ("111122223333", PrincipalKind.ROOT, "111122223333", None, None, "aws"),
        ("s3.amazonaws.com", PrincipalKind.SERVICE, None, "s3.amazonaws.com", None, "aws"),
        (
            "elasticloadbalancing.amazonaws.com",
            PrincipalKind.SERVICE,
            None,
            "elasticloadbalancing.amazonaws.com",
            None,
            "aws",
        ),
        ("anonymous", PrincipalKind.ANONYMOUS, None, None, None, "aws"),
    ],
)
def test_parse_principal_forms(
    text: str,
    kind: PrincipalKind,
    account: str | None,
    name: str | None,
    role_arn: str | None,
    partition: str,
) -> None:
    p = parse_principal(text)
    assert (p.kind, p.account, p.name, p.role_arn, p.partition, p.text) == (
        kind,
        account,
        name,
        role_arn,
        partition,
        text,
    )


def test_session_principal_keeps_session_arn() -> None:
    p = parse_principal("arn:aws:sts::111122223333:assumed-role/orders-api/s1")
    assert p.session_arn == "arn:aws:sts::111122223333:assumed-role/orders-api/s1"


@pytest.mark.parametrize(
    "text",
    [
        "arn:aws:iam::111122223333:group/devs",
        "arn:aws:iam::1111:user/alice",
        "arn:aws-iso:iam::111122223333:user/alice",
        "arn:aws:lambda:us-east-1:111122223333:function:f",
        "alice",
        "",
        "*",
        "arn:aws:sts::111122223333:assumed-role/orders-api",
    ],
)
def test_parse_principal_rejects_other_text(text: str) -> None:
    with pytest.raises(RequestError, match=r"^principal: "):
        parse_principal(text)
