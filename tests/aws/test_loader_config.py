"""The loader reads what a function needs from its role: the configuration of ListFunctions, the event
source mappings of ListEventSourceMappings (once per Region) and, for the functions asked about, the
async invoke configs — against moto over HTTP, through the loopback fault proxy for the failures.

Field shapes: https://docs.aws.amazon.com/lambda/latest/api/API_FunctionConfiguration.html,
https://docs.aws.amazon.com/lambda/latest/api/API_ListEventSourceMappings.html,
https://docs.aws.amazon.com/lambda/latest/api/API_ListFunctionEventInvokeConfigs.html
"""

from __future__ import annotations

import json
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import pytest

from lambdaperm_tui.analysis.needs import function_needs
from lambdaperm_tui.aws.clients import ClientFactory
from lambdaperm_tui.aws.loader import Loader
from lambdaperm_tui.inventory.model import Function, Inventory
from tests.aws.accounts import TRUST_LAMBDA, seeding_client, zip_bytes
from tests.aws.fault_proxy import FaultProxy, Replace, Status

REGION = "us-east-1"


@dataclass
class Seeded:
    id: str
    queue: str
    stream: str
    failures: str


@pytest.fixture
def seeded(aws_env: Path, moto_server: str, moto_account: str) -> Seeded:
    iam = seeding_client("iam", moto_server, moto_account)
    lam = seeding_client("lambda", moto_server, moto_account)
    sqs = seeding_client("sqs", moto_server, moto_account)
    kinesis = seeding_client("kinesis", moto_server, moto_account)
    role = iam.create_role(RoleName="exec", AssumeRolePolicyDocument=json.dumps(TRUST_LAMBDA))["Role"]["Arn"]
    sqs.create_queue(QueueName="jobs")
    sqs.create_queue(QueueName="failures")
    queue = f"arn:aws:sqs:{REGION}:{moto_account}:jobs"
    failures = f"arn:aws:sqs:{REGION}:{moto_account}:failures"
    kinesis.create_stream(StreamName="clicks", ShardCount=1)
    stream = f"arn:aws:kinesis:{REGION}:{moto_account}:stream/clicks"
    common: dict[str, Any] = {"Runtime": "python3.12", "Role": role, "Handler": "app.handler"}
    lam.create_function(
        FunctionName="configured",
        Code={"ZipFile": zip_bytes()},
        TracingConfig={"Mode": "Active"},
        VpcConfig={"SubnetIds": ["subnet-0001"], "SecurityGroupIds": ["sg-0001"]},
        KMSKeyArn=f"arn:aws:kms:{REGION}:{moto_account}:key/1234",
        Environment={"Variables": {"SECRET_TOKEN": "do-not-keep"}},
        Architectures=["arm64"],
        **common,
    )
    lam.create_function(FunctionName="plain", Code={"ZipFile": zip_bytes()}, **common)
    lam.create_event_source_mapping(EventSourceArn=queue, FunctionName="plain", BatchSize=5, Enabled=False)
    lam.create_event_source_mapping(
        EventSourceArn=stream,
        FunctionName="configured",
        StartingPosition="LATEST",
        DestinationConfig={"OnFailure": {"Destination": failures}},
    )
    for name in ("configured", "plain"):
        lam.put_function_event_invoke_config(
            FunctionName=name,
            MaximumRetryAttempts=1,
            DestinationConfig={"OnFailure": {"Destination": failures}},
        )
    return Seeded(moto_account, queue, stream, failures)


@pytest.fixture
def proxy(moto_server: str, seeded: Seeded) -> Any:
    with FaultProxy(moto_server, account=seeded.id) as p:
        yield p


def load(proxy: FaultProxy, **kw: Any) -> tuple[Inventory, Loader]:
    factory = ClientFactory(region=REGION, endpoint_url=proxy.url, max_attempts=2, retry_mode="standard")
    loader = Loader(factory, (REGION,), load_organization=False, load_layers=False, **kw)
    return loader.run(), loader


def fn(inv: Inventory, name: str) -> Function:
    return next(f for f in inv.functions if f.name == name)


def test_configuration_mappings_and_invoke_configs_are_read(seeded: Seeded, proxy: FaultProxy) -> None:
    inv, loader = load(proxy, event_invoke_configs=("configured",))
    config = fn(inv, "configured").config
    assert config is not None
    assert config.tracing_mode == "Active"
    assert config.vpc is not None and config.vpc.subnet_ids == ("subnet-0001",)
    assert config.kms_key_arn == f"arn:aws:kms:{REGION}:{seeded.id}:key/1234"
    assert config.environment_variables is True
    assert config.architectures == ("arm64",)
    assert "do-not-keep" not in repr(inv)  # environment values are never kept
    plain = fn(inv, "plain").config
    assert plain is not None and plain.tracing_mode in (None, "PassThrough") and plain.vpc is None
    # One ListEventSourceMappings for the Region, not one per function.
    assert loader.calls["ListEventSourceMappings"] == 1
    (region,) = inv.event_source_mappings
    assert region.region == REGION and region.unknown is None
    by_source = {m.event_source_arn: m for m in region.mappings}
    assert by_source[seeded.queue].state == "Disabled" and by_source[seeded.queue].batch_size == 5
    assert by_source[seeded.stream].on_failure_destination == seeded.failures
    # Async invoke configs only for the function asked about (one call each).
    assert loader.calls["ListFunctionEventInvokeConfigs"] == 1
    configured = fn(inv, "configured").event_invoke_configs
    assert configured is not None and configured[0].on_failure == seeded.failures
    assert fn(inv, "plain").event_invoke_configs is None
    # And needs are answered from them.
    needs = {(n.requirement.action, n.requirement.resource) for n in function_needs(inv, "configured").needs}
    assert ("xray:PutTraceSegments", "*") in needs
    assert ("kinesis:GetRecords", seeded.stream) in needs
    assert ("sqs:SendMessage", seeded.failures) in needs


def test_a_failed_mapping_list_leaves_the_region_unknown(seeded: Seeded, proxy: FaultProxy) -> None:
    proxy.add(
        Status(403, "AccessDeniedException", "no ListEventSourceMappings"),
        operation="ListEventSourceMappings",
    )
    inv, _ = load(proxy)
    (region,) = inv.event_source_mappings
    assert region.mappings == () and region.unknown is not None
    assert region.unknown.startswith("AccessDeniedException: no ListEventSourceMappings")
    assert ("event-source-mappings", f"lambda:{REGION}", "ListEventSourceMappings") in {
        (f.kind, f.resource, f.operation) for f in inv.failures
    }
    report = function_needs(inv, "plain")
    assert not any(n.requirement.setting == "event-source" for n in report.needs)
    assert any("event source mappings of us-east-1: AccessDeniedException" in u for u in report.unread)


def test_a_mapping_list_that_cannot_be_validated_is_a_recorded_failure(
    seeded: Seeded, proxy: FaultProxy
) -> None:
    body = json.dumps({"EventSourceMappings": [{"UUID": 7, "FunctionArn": None}]}).encode()
    proxy.add(Replace(body), operation="ListEventSourceMappings")
    inv, _ = load(proxy)
    (region,) = inv.event_source_mappings
    assert region.unknown is not None and "MalformedResponse" in region.unknown
    garbled = json.dumps({"NextMarker": None}).encode()  # no list at all: never "no mappings"
    proxy.clear()
    proxy.add(Replace(garbled), operation="ListEventSourceMappings")
    inv, _ = load(proxy)
    assert inv.event_source_mappings[0].unknown is not None


def test_a_configuration_that_cannot_be_validated_is_unknown_not_none(
    seeded: Seeded, proxy: FaultProxy
) -> None:
    def bad_tracing(raw: bytes) -> bytes:
        doc = json.loads(raw)
        for cfg in doc["Functions"]:
            if cfg["FunctionName"] == "configured":
                cfg["TracingConfig"] = {"Mode": "Sometimes"}
        return json.dumps(doc).encode()

    from tests.aws.fault_proxy import Rewrite

    proxy.add(Rewrite(bad_tracing), operation="ListFunctions")
    inv, _ = load(proxy)
    configured = fn(inv, "configured")
    assert configured.config is None
    assert configured.config_unknown is not None and "TracingConfig.Mode" in configured.config_unknown
    assert fn(inv, "plain").config is not None  # the other entry is read
    report = function_needs(inv, "configured")
    assert any("configuration of configured" in u and "TracingConfig.Mode" in u for u in report.unread)


def test_unreadable_invoke_configs_are_unknown(seeded: Seeded, proxy: FaultProxy) -> None:
    proxy.add(Status(500, "ServiceException", "boom"), operation="ListFunctionEventInvokeConfigs")
    inv, _ = load(proxy, event_invoke_configs=("*",))
    for name in ("configured", "plain"):
        f = fn(inv, name)
        assert f.event_invoke_configs is None
        assert f.event_invoke_configs_unknown is not None and f.event_invoke_configs_unknown.startswith(
            "ServiceException"
        )


def test_invoke_configs_read_on_demand_for_one_function(seeded: Seeded, proxy: FaultProxy) -> None:
    """A load without them leaves every function's configs "not read"; one call afterwards reads them for
    the function a screen shows, and a failure of that call is recorded and leaves them unknown."""
    inv, loader = load(proxy)
    assert "ListFunctionEventInvokeConfigs" not in loader.calls
    plain = fn(inv, "plain")
    assert plain.event_invoke_configs is None and plain.event_invoke_configs_unknown is None
    events: list[Any] = []
    read = loader.read_event_invoke_configs(plain, events.append)
    assert loader.calls["ListFunctionEventInvokeConfigs"] == 1
    assert read.event_invoke_configs is not None
    assert [c.on_failure for c in read.event_invoke_configs] == [seeded.failures]
    assert read.event_invoke_configs_unknown is None and events == []
    assert replace(read, event_invoke_configs=None) == plain  # nothing else of the function changed
    # The needs follow: the on-failure destination is a need once the configs are read.
    inv2 = replace(inv, functions=tuple(read if f.arn == plain.arn else f for f in inv.functions))
    sends = [n for n in function_needs(inv2, "plain").needs if n.requirement.setting == "async-destination"]
    assert [(n.requirement.action, n.requirement.resource) for n in sends] == [
        ("sqs:SendMessage", seeded.failures)
    ]
    proxy.add(Status(403, "AccessDeniedException", "not for you"), operation="ListFunctionEventInvokeConfigs")
    failed = loader.read_event_invoke_configs(plain, events.append)
    assert failed.event_invoke_configs is None
    assert failed.event_invoke_configs_unknown is not None
    assert failed.event_invoke_configs_unknown.startswith("AccessDeniedException: not for you")
    assert [(e.failure.resource, e.failure.operation) for e in events] == [
        (plain.arn, "ListFunctionEventInvokeConfigs")
    ]
