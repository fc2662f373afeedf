"""The demo adapter: moto keeps AWS-shaped resource policies per function, version and alias.

AWS keeps a separate resource policy for a function, each of its versions and each alias, and AddPermission
writes its options as conditions:
https://docs.aws.amazon.com/lambda/latest/dg/access-control-resource-based.html
https://docs.aws.amazon.com/lambda/latest/api/API_AddPermission.html
https://docs.aws.amazon.com/lambda/latest/api/API_GetPolicy.html
https://docs.aws.amazon.com/lambda/latest/dg/urls-auth.html
https://docs.aws.amazon.com/lambda/latest/dg/permissions-layer-cross-account.html
"""

from __future__ import annotations

import io
import itertools
import json
import socket
import zipfile
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError

from lambdaperm_tui.demo import adapter

ACCOUNT = "333344445555"  # a dedicated moto account: nothing else in the test session writes here
_names = itertools.count(1)


@pytest.fixture(scope="module")
def endpoint() -> Iterator[str]:
    # The adapter must be in place before the server builds its Lambda routes (first Lambda request).
    adapter.install()
    from moto.server import ThreadedMotoServer

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.stop()


def _client(endpoint: str, service: str) -> Any:
    make: Any = boto3.client
    c = make(
        service,
        endpoint_url=endpoint,
        region_name="us-east-1",
        aws_access_key_id="adapter-test",
        aws_secret_access_key="adapter-test",
    )

    def route(request: Any, **_: Any) -> None:
        request.headers["x-moto-account-id"] = ACCOUNT

    c.meta.events.register("before-send", route)
    return c


@pytest.fixture(scope="module")
def lam(endpoint: str) -> Any:
    iam = _client(endpoint, "iam")
    iam.create_role(RoleName="adapter-test-role", AssumeRolePolicyDocument="{}")
    return _client(endpoint, "lambda")


def _zip() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("app.py", "def handler(e, c):\n    return 1\n")
    return buf.getvalue()


def _create_function(lam: Any, name: str) -> None:
    lam.create_function(
        FunctionName=name,
        Runtime="python3.12",
        Role=f"arn:aws:iam::{ACCOUNT}:role/adapter-test-role",
        Handler="app.handler",
        Code={"ZipFile": _zip()},
    )


@pytest.fixture
def fn(lam: Any) -> str:
    """A fresh function with versions 1 and 2 and an alias prod -> 2."""
    name = f"fn-{next(_names)}"
    _create_function(lam, name)
    lam.publish_version(FunctionName=name)
    lam.update_function_configuration(FunctionName=name, Description="v2")
    lam.publish_version(FunctionName=name)
    lam.create_alias(FunctionName=name, Name="prod", FunctionVersion="2")
    return name


def _arn(name: str, qualifier: str | None = None) -> str:
    base = f"arn:aws:lambda:us-east-1:{ACCOUNT}:function:{name}"
    return f"{base}:{qualifier}" if qualifier else base


def _policy(lam: Any, name: str, qualifier: str | None = None) -> dict[str, Any]:
    kwargs = {"Qualifier": qualifier} if qualifier else {}
    doc: dict[str, Any] = json.loads(lam.get_policy(FunctionName=name, **kwargs)["Policy"])
    return doc


def _error_code(exc: pytest.ExceptionInfo[ClientError]) -> str:
    return str(exc.value.response["Error"]["Code"])


def test_version_qualifier_gets_its_own_policy(lam: Any, fn: str) -> None:
    lam.add_permission(
        FunctionName=fn,
        Qualifier="1",
        StatementId="v1-only",
        Action="lambda:InvokeFunction",
        Principal="111122223333",
    )
    doc = _policy(lam, fn, "1")
    assert doc["Version"] == "2012-10-17"
    assert [s["Sid"] for s in doc["Statement"]] == ["v1-only"]
    assert doc["Statement"][0]["Resource"] == _arn(fn, "1")
    # Neither the unqualified function nor version 2 got it.
    for qualifier in (None, "2"):
        with pytest.raises(ClientError) as exc:
            _policy(lam, fn, qualifier)
        assert _error_code(exc) == "ResourceNotFoundException"


def test_alias_and_unqualified_policies_differ(lam: Any, fn: str) -> None:
    lam.add_permission(
        FunctionName=fn, StatementId="any", Action="lambda:InvokeFunction", Principal="sns.amazonaws.com"
    )
    lam.add_permission(
        FunctionName=fn,
        Qualifier="prod",
        StatementId="prod-only",
        Action="lambda:InvokeFunction",
        Principal="arn:aws:iam::111122223333:role/caller",
    )
    unqualified = _policy(lam, fn)
    prod = _policy(lam, fn, "prod")
    assert [s["Sid"] for s in unqualified["Statement"]] == ["any"]
    assert unqualified["Statement"][0]["Resource"] == _arn(fn)
    assert [s["Sid"] for s in prod["Statement"]] == ["prod-only"]
    assert prod["Statement"][0]["Resource"] == _arn(fn, "prod")
    assert prod["Statement"][0]["Principal"] == {"AWS": "arn:aws:iam::111122223333:role/caller"}
    # The alias policy does not leak onto the version the alias points at.
    with pytest.raises(ClientError) as exc:
        _policy(lam, fn, "2")
    assert _error_code(exc) == "ResourceNotFoundException"


def test_qualifier_in_function_name_equals_qualifier_parameter(lam: Any, fn: str) -> None:
    lam.add_permission(
        FunctionName=f"{fn}:prod", StatementId="by-name", Action="lambda:InvokeFunction", Principal="*"
    )
    assert [s["Sid"] for s in _policy(lam, fn, "prod")["Statement"]] == ["by-name"]
    assert [s["Sid"] for s in _policy(lam, _arn(fn, "prod"))["Statement"]] == ["by-name"]


def test_add_permission_options_become_conditions(lam: Any, fn: str) -> None:
    statement = json.loads(
        lam.add_permission(
            FunctionName=fn,
            StatementId="s3",
            Action="lambda:InvokeFunction",
            Principal="s3.amazonaws.com",
            SourceArn="arn:aws:s3:::bucket",
            SourceAccount=ACCOUNT,
        )["Statement"]
    )
    # The shape in the AWS example (access-control-resource-based.html).
    assert statement == {
        "Sid": "s3",
        "Effect": "Allow",
        "Principal": {"Service": "s3.amazonaws.com"},
        "Action": "lambda:InvokeFunction",
        "Resource": _arn(fn),
        "Condition": {
            "StringEquals": {"AWS:SourceAccount": ACCOUNT},
            "ArnLike": {"AWS:SourceArn": "arn:aws:s3:::bucket"},
        },
    }
    lam.add_permission(
        FunctionName=fn,
        StatementId="org",
        Action="lambda:InvokeFunction",
        Principal="*",
        PrincipalOrgID="o-a1b2c3d4e5",
    )
    lam.add_permission(
        FunctionName=fn,
        StatementId="url",
        Action="lambda:InvokeFunctionUrl",
        Principal="*",
        FunctionUrlAuthType="NONE",
    )
    lam.add_permission(
        FunctionName=fn,
        StatementId="via-url",
        Action="lambda:InvokeFunction",
        Principal="*",
        InvokedViaFunctionUrl=True,
    )
    lam.add_permission(
        FunctionName=fn,
        StatementId="alexa",
        Action="lambda:InvokeFunction",
        Principal="alexa-appkit.amazon.com",
        EventSourceToken="amzn1.ask.skill.x",
    )
    by_sid = {s["Sid"]: s for s in _policy(lam, fn)["Statement"]}
    assert by_sid["org"]["Principal"] == "*"
    assert by_sid["org"]["Condition"] == {"StringEquals": {"aws:PrincipalOrgID": "o-a1b2c3d4e5"}}
    assert by_sid["url"]["Condition"] == {"StringEquals": {"lambda:FunctionUrlAuthType": "NONE"}}
    assert by_sid["via-url"]["Condition"] == {"Bool": {"lambda:InvokedViaFunctionUrl": "true"}}
    assert by_sid["alexa"]["Principal"] == {"Service": "alexa-appkit.amazon.com"}
    assert by_sid["alexa"]["Condition"] == {"StringEquals": {"lambda:EventSourceToken": "amzn1.ask.skill.x"}}
    # No AddPermission option is left outside Condition.
    for statement in by_sid.values():
        assert set(statement) <= {"Sid", "Effect", "Principal", "Action", "Resource", "Condition"}


def test_account_principal_becomes_root_arn(lam: Any, fn: str) -> None:
    lam.add_permission(
        FunctionName=fn, StatementId="xacct", Action="lambda:GetFunction", Principal="210987654321"
    )
    assert _policy(lam, fn)["Statement"][0]["Principal"] == {"AWS": "arn:aws:iam::210987654321:root"}


def test_duplicate_sid_conflicts_only_within_one_qualifier(lam: Any, fn: str) -> None:
    kwargs = {"StatementId": "same", "Action": "lambda:InvokeFunction", "Principal": "*"}
    lam.add_permission(FunctionName=fn, **kwargs)
    lam.add_permission(FunctionName=fn, Qualifier="prod", **kwargs)
    with pytest.raises(ClientError) as exc:
        lam.add_permission(FunctionName=fn, Qualifier="prod", **kwargs)
    assert _error_code(exc) == "ResourceConflictException"


def test_remove_permission_per_qualifier(lam: Any, fn: str) -> None:
    kwargs = {"StatementId": "s", "Action": "lambda:InvokeFunction", "Principal": "*"}
    lam.add_permission(FunctionName=fn, **kwargs)
    lam.add_permission(FunctionName=fn, Qualifier="prod", **kwargs)
    lam.add_permission(FunctionName=fn, Qualifier="prod", **{**kwargs, "StatementId": "t"})
    lam.remove_permission(FunctionName=fn, Qualifier="prod", StatementId="s")
    assert [s["Sid"] for s in _policy(lam, fn, "prod")["Statement"]] == ["t"]
    assert [s["Sid"] for s in _policy(lam, fn)["Statement"]] == ["s"]
    with pytest.raises(ClientError) as exc:
        lam.remove_permission(FunctionName=fn, Qualifier="prod", StatementId="s")
    assert _error_code(exc) == "ResourceNotFoundException"
    # Removing the last statement removes the policy: GetPolicy then answers ResourceNotFoundException.
    lam.remove_permission(FunctionName=fn, Qualifier="prod", StatementId="t")
    with pytest.raises(ClientError) as exc:
        _policy(lam, fn, "prod")
    assert _error_code(exc) == "ResourceNotFoundException"
    assert [s["Sid"] for s in _policy(lam, fn)["Statement"]] == ["s"]


def test_get_policy_without_policy_or_qualifier_is_not_found(lam: Any, fn: str) -> None:
    for qualifier in (None, "1", "prod", "nosuchalias", "99"):
        with pytest.raises(ClientError) as exc:
            _policy(lam, fn, qualifier)
        assert _error_code(exc) == "ResourceNotFoundException", qualifier
    with pytest.raises(ClientError) as exc:
        lam.add_permission(
            FunctionName=fn,
            Qualifier="nosuchalias",
            StatementId="x",
            Action="lambda:InvokeFunction",
            Principal="*",
        )
    assert _error_code(exc) == "ResourceNotFoundException"


def test_add_permission_refuses_latest(lam: Any, fn: str) -> None:
    """API_AddPermission.html: "Lambda does not support adding policies to version $LATEST"."""
    with pytest.raises(ClientError) as exc:
        lam.add_permission(
            FunctionName=fn,
            Qualifier="$LATEST",
            StatementId="x",
            Action="lambda:InvokeFunction",
            Principal="*",
        )
    assert _error_code(exc) == "InvalidParameterValueException"


def test_revision_id_is_checked(lam: Any, fn: str) -> None:
    lam.add_permission(FunctionName=fn, StatementId="a", Action="lambda:InvokeFunction", Principal="*")
    revision = lam.get_policy(FunctionName=fn)["RevisionId"]
    with pytest.raises(ClientError) as exc:
        lam.add_permission(
            FunctionName=fn,
            StatementId="b",
            Action="lambda:InvokeFunction",
            Principal="*",
            RevisionId="00000000-0000-4000-8000-000000000000",
        )
    assert _error_code(exc) == "PreconditionFailedException"
    lam.add_permission(
        FunctionName=fn, StatementId="b", Action="lambda:InvokeFunction", Principal="*", RevisionId=revision
    )
    assert lam.get_policy(FunctionName=fn)["RevisionId"] != revision


def test_deleting_an_alias_deletes_its_policy(lam: Any, fn: str) -> None:
    lam.add_permission(
        FunctionName=fn, Qualifier="prod", StatementId="p", Action="lambda:InvokeFunction", Principal="*"
    )
    lam.delete_alias(FunctionName=fn, Name="prod")
    lam.create_alias(FunctionName=fn, Name="prod", FunctionVersion="1")
    with pytest.raises(ClientError) as exc:
        _policy(lam, fn, "prod")
    assert _error_code(exc) == "ResourceNotFoundException"


def test_deleting_a_function_deletes_its_policies_and_urls(lam: Any, fn: str) -> None:
    lam.add_permission(FunctionName=fn, StatementId="a", Action="lambda:InvokeFunction", Principal="*")
    lam.add_permission(
        FunctionName=fn, Qualifier="1", StatementId="b", Action="lambda:InvokeFunction", Principal="*"
    )
    lam.create_function_url_config(FunctionName=fn, AuthType="NONE")
    lam.delete_function(FunctionName=fn)
    _create_function(lam, fn)
    lam.publish_version(FunctionName=fn)
    for qualifier in (None, "1"):
        with pytest.raises(ClientError) as exc:
            _policy(lam, fn, qualifier)
        assert _error_code(exc) == "ResourceNotFoundException"
    assert lam.list_function_url_configs(FunctionName=fn)["FunctionUrlConfigs"] == []


def test_function_urls_per_alias_and_list(lam: Any, fn: str) -> None:
    public = lam.create_function_url_config(FunctionName=fn, AuthType="NONE")
    iam_url = lam.create_function_url_config(FunctionName=fn, Qualifier="prod", AuthType="AWS_IAM")
    assert public["FunctionArn"] == _arn(fn)
    assert iam_url["FunctionArn"] == _arn(fn, "prod")
    assert public["FunctionUrl"] != iam_url["FunctionUrl"]
    assert iam_url["FunctionUrl"].endswith(".lambda-url.us-east-1.on.aws/")
    listed = lam.list_function_url_configs(FunctionName=fn)["FunctionUrlConfigs"]
    assert {(c["FunctionArn"], c["AuthType"]) for c in listed} == {
        (_arn(fn), "NONE"),
        (_arn(fn, "prod"), "AWS_IAM"),
    }
    assert lam.get_function_url_config(FunctionName=fn, Qualifier="prod")["AuthType"] == "AWS_IAM"
    lam.update_function_url_config(FunctionName=fn, Qualifier="prod", AuthType="NONE")
    assert lam.get_function_url_config(FunctionName=fn, Qualifier="prod")["AuthType"] == "NONE"
    assert lam.get_function_url_config(FunctionName=fn)["AuthType"] == "NONE"
    lam.delete_function_url_config(FunctionName=fn, Qualifier="prod")
    listed = lam.list_function_url_configs(FunctionName=fn)["FunctionUrlConfigs"]
    assert [c["FunctionArn"] for c in listed] == [_arn(fn)]
    with pytest.raises(ClientError) as exc:
        lam.create_function_url_config(FunctionName=fn, AuthType="NONE")
    assert _error_code(exc) == "ResourceConflictException"
    with pytest.raises(ClientError) as exc:
        lam.create_function_url_config(FunctionName=fn, Qualifier="1", AuthType="NONE")  # versions cannot
    assert _error_code(exc) == "InvalidParameterValueException"


def test_layer_version_permission_shapes(lam: Any) -> None:
    name = f"layer-{next(_names)}"
    arn = lam.publish_layer_version(LayerName=name, Content={"ZipFile": _zip()})["LayerVersionArn"]
    lam.add_layer_version_permission(
        LayerName=name,
        VersionNumber=1,
        StatementId="acct",
        Action="lambda:GetLayerVersion",
        Principal="210987654321",
    )
    lam.add_layer_version_permission(
        LayerName=name,
        VersionNumber=1,
        StatementId="org",
        Action="lambda:GetLayerVersion",
        Principal="*",
        OrganizationId="o-a1b2c3d4e5",
    )
    lam.add_layer_version_permission(
        LayerName=name, VersionNumber=1, StatementId="public", Action="lambda:GetLayerVersion", Principal="*"
    )
    doc = json.loads(lam.get_layer_version_policy(LayerName=name, VersionNumber=1)["Policy"])
    by_sid = {s["Sid"]: s for s in doc["Statement"]}
    assert by_sid["acct"] == {
        "Sid": "acct",
        "Effect": "Allow",
        "Principal": {"AWS": "arn:aws:iam::210987654321:root"},
        "Action": "lambda:GetLayerVersion",
        "Resource": arn,
    }
    assert by_sid["org"]["Principal"] == "*"
    assert by_sid["org"]["Condition"] == {"StringEquals": {"aws:PrincipalOrgID": "o-a1b2c3d4e5"}}
    assert by_sid["public"]["Principal"] == "*" and "Condition" not in by_sid["public"]
    lam.remove_layer_version_permission(LayerName=name, VersionNumber=1, StatementId="public")
    doc = json.loads(lam.get_layer_version_policy(LayerName=name, VersionNumber=1)["Policy"])
    assert sorted(s["Sid"] for s in doc["Statement"]) == ["acct", "org"]
    with pytest.raises(ClientError) as exc:
        lam.add_layer_version_permission(
            LayerName=name, VersionNumber=1, StatementId="bad", Action="lambda:InvokeFunction", Principal="*"
        )
    assert _error_code(exc) == "InvalidParameterValueException"


def test_install_is_idempotent() -> None:
    adapter.install()
    adapter.install()
    assert adapter.is_installed()
    from moto.awslambda import urls

    assert sum(1 for path in urls.url_paths if path.endswith("/urls/?$")) == 1


def test_install_refuses_other_moto_versions(monkeypatch: pytest.MonkeyPatch) -> None:
    import moto

    monkeypatch.setattr(moto, "__version__", "9.9.9")
    with pytest.raises(adapter.AdapterError, match=r"moto 5\.2\.5.*found moto 9\.9\.9"):
        adapter.install()


def test_split_function_name_forms() -> None:
    assert adapter.split_function_name("f") == ("f", None)
    assert adapter.split_function_name("f:prod") == ("f", "prod")
    assert adapter.split_function_name("123456789012:function:f:7") == ("f", "7")
    assert adapter.split_function_name("arn:aws:lambda:us-east-1:123456789012:function:f") == ("f", None)
    assert adapter.split_function_name("arn:aws:lambda:us-east-1:123456789012:function:f:prod") == (
        "f",
        "prod",
    )
