"""The fault proxy itself: it forwards to moto, names each request's operation, and each fault reaches a
plain boto3 client the way it is meant to (so tests that use it test what they say)."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import boto3
import botocore.exceptions as bce
import botocore.parsers
import pytest
from botocore.config import Config

from tests.aws.accounts import seed_account
from tests.aws.fault_proxy import Delay, FaultProxy, Replace, Reset, Rewrite, Status, Truncate
from tests.conftest import account_header_hook


def _client(service: str, proxy: FaultProxy, account: str, region: str = "us-east-1") -> Any:
    # The service is a run-time string, which the stubs' per-service overloads cannot type.
    client = boto3.client(  # type: ignore[call-overload]
        service,
        region_name=region,
        endpoint_url=proxy.url,
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
        config=Config(
            retries={"total_max_attempts": 1, "mode": "standard"}, read_timeout=5, connect_timeout=5
        ),
    )
    client.meta.events.register("before-send", account_header_hook(account))
    return client


@pytest.fixture
def seeded(aws_env: Path, moto_server: str, moto_account: str) -> str:
    seed_account(moto_server, moto_account, functions_per_region=2)
    return moto_account


def test_forwards_and_names_operations(seeded: str, fault_proxy: FaultProxy) -> None:
    lam = _client("lambda", fault_proxy, seeded)
    names = [f["FunctionName"] for f in lam.list_functions()["Functions"]]
    assert sorted(names) == ["us-east-1-fn0", "us-east-1-fn1"]
    lam.get_policy(FunctionName="us-east-1-fn0")
    lam.list_aliases(FunctionName="us-east-1-fn0")
    _client("iam", fault_proxy, seeded).list_roles()
    ops = [(r.service, r.region, r.operation) for r in fault_proxy.requests]
    assert ops == [
        ("lambda", "us-east-1", "ListFunctions"),
        ("lambda", "us-east-1", "GetPolicy"),
        ("lambda", "us-east-1", "ListAliases"),
        ("iam", "us-east-1", "ListRoles"),
    ]


def test_status_in_each_wire_format(seeded: str, fault_proxy: FaultProxy) -> None:
    rule = fault_proxy.add(Status(500, "ServiceException", "boom"), operation="GetPolicy")
    fault_proxy.add(Status(403, "AccessDenied", "no"), operation="ListRoles")
    fault_proxy.add(Status(400, "AccessDeniedException", "org no"), operation="DescribeOrganization")
    with pytest.raises(bce.ClientError) as lam_err:
        _client("lambda", fault_proxy, seeded).get_policy(FunctionName="us-east-1-fn0")
    assert lam_err.value.response["Error"]["Code"] == "ServiceException"
    assert lam_err.value.response["ResponseMetadata"]["HTTPStatusCode"] == 500
    with pytest.raises(bce.ClientError) as iam_err:
        _client("iam", fault_proxy, seeded).list_roles()
    assert iam_err.value.response["Error"] == {"Type": "Sender", "Code": "AccessDenied", "Message": "no"}
    with pytest.raises(bce.ClientError) as org_err:
        _client("organizations", fault_proxy, seeded).describe_organization()
    assert org_err.value.response["Error"]["Code"] == "AccessDeniedException"
    assert rule.fired == 1


def test_truncated_and_replaced_bodies(seeded: str, fault_proxy: FaultProxy) -> None:
    lam = _client("lambda", fault_proxy, seeded)
    fault_proxy.add(Truncate(0.5), operation="GetPolicy", times=1)
    # botocore reads a cut JSON body as an answer without any of its keys (no error is raised).
    cut = lam.get_policy(FunctionName="us-east-1-fn0")
    assert set(cut) == {"ResponseMetadata"}
    assert "Policy" in lam.get_policy(FunctionName="us-east-1-fn0")  # times=1: the next one passes
    fault_proxy.add(Replace(b"<oops"), operation="ListRoles")
    with pytest.raises(botocore.parsers.ResponseParserError):
        _client("iam", fault_proxy, seeded).list_roles()
    fault_proxy.add(Rewrite(lambda b: b.replace(b"us-east-1-fn1", b"renamed")), operation="ListFunctions")
    assert sorted(f["FunctionName"] for f in lam.list_functions()["Functions"]) == [
        "renamed",
        "us-east-1-fn0",
    ]


def test_reset_short_body_and_delay(seeded: str, fault_proxy: FaultProxy) -> None:
    lam = _client("lambda", fault_proxy, seeded)
    fault_proxy.add(Reset(), operation="ListAliases")
    with pytest.raises(bce.ConnectionClosedError):
        lam.list_aliases(FunctionName="us-east-1-fn0")
    fault_proxy.add(Truncate(0.5, framed=False), operation="ListVersionsByFunction")
    with pytest.raises((bce.ConnectionClosedError, bce.ResponseStreamingError)):
        lam.list_versions_by_function(FunctionName="us-east-1-fn0")
    fault_proxy.add(Delay(0.3), operation="GetFunction")
    start = time.monotonic()
    assert lam.get_function(FunctionName="us-east-1-fn0")["Configuration"]["FunctionName"] == "us-east-1-fn0"
    assert time.monotonic() - start >= 0.3


def test_stop_ends_a_pending_delay(seeded: str, moto_server: str) -> None:
    proxy = FaultProxy(moto_server)
    proxy.add(Delay(600), operation="ListFunctions")
    lam = _client("lambda", proxy, seeded)
    import threading

    errors: list[BaseException] = []

    def call() -> None:
        try:
            lam.list_functions()
        except BaseException as exc:  # noqa: BLE001 - the test only wants to know it ended
            errors.append(exc)

    t = threading.Thread(target=call)
    t.start()
    time.sleep(0.3)
    start = time.monotonic()
    proxy.stop()
    t.join(10)
    assert not t.is_alive() and time.monotonic() - start < 10
    assert errors and isinstance(errors[0], bce.BotoCoreError)
