"""The client factory and the read-only guard, against a real moto server over HTTP."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

import pytest

from lambdaperm_tui.aws.clients import ClientFactory, CredentialsError
from lambdaperm_tui.aws.guard import ReadOnlyViolation
from tests.conftest import MotoServerHandle, account_header_hook, free_port


def _factory(endpoint: str, account: str, **kw: object) -> ClientFactory:
    factory = ClientFactory(region="us-east-1", endpoint_url=endpoint, **kw)  # type: ignore[arg-type]
    factory.register("before-send", account_header_hook(account))
    return factory


def test_mutating_calls_are_refused_before_any_request(
    aws_env: Path, moto_server_handle: MotoServerHandle, moto_account: str
) -> None:
    factory = _factory(moto_server_handle.endpoint_url, moto_account)
    lam = factory.client("lambda")
    iam = factory.client("iam")
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("a.py", "def h(e, c): return 1\n")
    trust = json.dumps({"Version": "2012-10-17", "Statement": []})

    moto_server_handle.clear()
    with pytest.raises(ReadOnlyViolation, match="iam:CreateRole"):
        iam.create_role(RoleName="evil", AssumeRolePolicyDocument=trust)
    with pytest.raises(ReadOnlyViolation, match="lambda:CreateFunction"):
        lam.create_function(
            FunctionName="evil",
            Runtime="python3.12",
            Role=f"arn:aws:iam::{moto_account}:role/evil",
            Handler="a.h",
            Code={"ZipFile": buf.getvalue()},
        )
    with pytest.raises(ReadOnlyViolation, match="lambda:AddPermission"):
        lam.add_permission(FunctionName="f", StatementId="s", Action="lambda:InvokeFunction", Principal="*")
    with pytest.raises(ReadOnlyViolation, match="lambda:Invoke"):
        lam.invoke(FunctionName="f")
    # The server-side log is the ground truth: nothing reached moto.
    assert moto_server_handle.snapshot() == []

    # Reads still work through the same clients, and the account is unchanged.
    assert [r["RoleName"] for r in iam.list_roles()["Roles"]] == []
    assert lam.list_functions()["Functions"] == []
    assert len(moto_server_handle.snapshot()) == 2


def test_guard_is_on_clients_created_after_hooks(aws_env: Path, moto_server: str, moto_account: str) -> None:
    factory = _factory(moto_server, moto_account)
    client = factory.client("lambda", "eu-west-1")
    with pytest.raises(ReadOnlyViolation):
        client.delete_function(FunctionName="x")


def test_config_has_timeouts_retries_and_pool(aws_env: Path, moto_server: str) -> None:
    factory = ClientFactory(region="us-east-1", endpoint_url=moto_server, max_workers=16)
    config = factory.client("lambda").meta.config
    assert config.connect_timeout == 3.0
    assert config.read_timeout == 6.0
    assert config.retries["mode"] == "adaptive"
    assert config.max_pool_connections >= 16
    assert factory.uses_aws_endpoint is False


def test_real_aws_endpoint_is_recognised(aws_env: Path) -> None:
    factory = ClientFactory(region="eu-central-1")
    assert factory.uses_aws_endpoint is True
    assert "eu-central-1" in factory.effective_endpoint()


def test_check_credentials_returns_account(aws_env: Path, moto_server: str, moto_account: str) -> None:
    assert _factory(moto_server, moto_account).check_credentials() == moto_account


def test_aws_endpoint_url_env_is_honoured(
    aws_env: Path, moto_server: str, moto_account: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AWS_ENDPOINT_URL", moto_server)
    factory = ClientFactory(region="us-east-1")
    factory.register("before-send", account_header_hook(moto_account))
    assert factory.effective_endpoint() == moto_server
    assert factory.check_credentials() == moto_account


def test_no_credentials(no_aws_credentials: Path, moto_server: str) -> None:
    expected = r"no AWS credentials found: set AWS_PROFILE or run `aws configure`"
    with pytest.raises(CredentialsError, match=expected):
        ClientFactory(region="us-east-1", endpoint_url=moto_server).check_credentials()


def test_profile_not_found(aws_env: Path) -> None:
    with pytest.raises(CredentialsError, match="AWS profile 'nope' not found"):
        ClientFactory(profile="nope", region="us-east-1")


def test_no_region(aws_env: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("AWS_REGION")
    monkeypatch.delenv("AWS_DEFAULT_REGION")
    with pytest.raises(CredentialsError, match="no AWS region"):
        ClientFactory()


def test_expired_sso_token_says_how_to_log_in(
    no_aws_credentials: Path, monkeypatch: pytest.MonkeyPatch, moto_server: str
) -> None:
    monkeypatch.setenv("HOME", str(no_aws_credentials))  # an empty ~/.aws/sso/cache
    (no_aws_credentials / "config").write_text(
        "[profile work]\nsso_session = corp\nsso_account_id = 111122223333\nsso_role_name = ReadOnly\n"
        "region = us-east-1\n\n[sso-session corp]\nsso_start_url = https://example.awsapps.com/start\n"
        "sso_region = us-east-1\n"
    )
    with pytest.raises(CredentialsError, match=r"run `aws sso login --profile work`"):
        ClientFactory(profile="work", endpoint_url=moto_server).check_credentials()


def test_unreachable_endpoint(aws_env: Path) -> None:
    url = f"http://127.0.0.1:{free_port()}"
    factory = ClientFactory(region="us-east-1", endpoint_url=url, connect_timeout=1, max_attempts=1)
    with pytest.raises(CredentialsError, match="cannot reach the AWS endpoint") as info:
        factory.check_credentials()
    assert "testing" not in str(info.value)  # the fake secret never appears in an error


def test_rejected_credentials_never_echo_the_secret(
    aws_env: Path, moto_server: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    secret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYSECRETKEY"
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", secret)
    factory = ClientFactory(region="us-east-1", endpoint_url=moto_server)

    def reject(**_: object) -> object:
        from tests.aws.faults import aws_response

        body = (
            b"<ErrorResponse><Error><Type>Sender</Type><Code>ExpiredToken</Code>"
            b"<Message>The security token included in the request is expired</Message>"
            b"</Error></ErrorResponse>"
        )

        class Raw:
            def stream(self, **_: object) -> object:
                yield body

        return aws_response("http://x", 403, {}, Raw())

    factory.register("before-send.sts.GetCallerIdentity", reject)
    with pytest.raises(CredentialsError, match=r"AWS rejected the credentials \(ExpiredToken") as info:
        factory.check_credentials()
    assert secret not in str(info.value)
