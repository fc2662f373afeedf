"""`needs` and `triggers` over a saved snapshot: exit statuses, human lines and JSON.

Needs per the Lambda guide (execution role, SQS event source, X-Ray):
https://docs.aws.amazon.com/lambda/latest/dg/lambda-intro-execution-role.html,
https://docs.aws.amazon.com/lambda/latest/dg/services-sqs-configure.html,
https://docs.aws.amazon.com/lambda/latest/dg/services-xray.html
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import pytest

from lambdaperm_tui.inventory.model import (
    EventSourceMapping,
    Function,
    FunctionConfig,
    Inventory,
    NamedPolicy,
    PolicySlot,
    RegionEventSources,
    Role,
)
from lambdaperm_tui.inventory.snapshot import save_snapshot

from .conftest import Run

Runner = Callable[..., Run]
A = "123456789012"
R = "us-east-1"
FN = f"arn:aws:lambda:{R}:{A}:function"
QUEUE = f"arn:aws:sqs:{R}:{A}:orders"


def _role(name: str, *statements: Mapping[str, object]) -> Role:
    doc = {"Version": "2012-10-17", "Statement": list(statements)}
    return Role(
        f"arn:aws:iam::{A}:role/{name}",
        name,
        inline_policies=(NamedPolicy("exec", PolicySlot(document=doc)),),
    )


LOGS = {
    "Effect": "Allow",
    "Action": ["logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents"],
    "Resource": "*",
}


XRAY_FROM_VPN = {
    "Effect": "Allow",
    "Action": ["xray:PutTraceSegments", "xray:PutTelemetryRecords"],
    "Resource": "*",
    "Condition": {"IpAddress": {"aws:SourceIp": "10.0.0.0/8"}},
}


def _fn(name: str, role: str, config: FunctionConfig | None, **kw: Any) -> Function:
    return Function(
        f"{FN}:{name}",
        name,
        R,
        A,
        role=f"arn:aws:iam::{A}:role/{role}",
        policy=PolicySlot(),
        urls=(),
        config=config,
        event_invoke_configs=(),
        **kw,
    )


@pytest.fixture
def snapshot(tmp_path: Path) -> str:
    inv = Inventory(
        account_id=A,
        regions=(R,),
        captured_at="2026-12-01T00:00:00Z",
        source="test",
        functions=(
            _fn("healthy", "logs-only", FunctionConfig()),
            _fn("worker", "logs-only", FunctionConfig(tracing_mode="Active")),
            _fn("old", "logs-only", None, config_unknown="not in the snapshot"),
            _fn("vpn-traced", "vpn-only", FunctionConfig(tracing_mode="Active")),
        ),
        roles=(_role("logs-only", LOGS), _role("vpn-only", LOGS, XRAY_FROM_VPN)),
        scps=(),
        event_source_mappings=(
            RegionEventSources(
                R, (EventSourceMapping("m-1", f"{FN}:worker", R, QUEUE, state="Enabled", batch_size=10),)
            ),
        ),
    )
    path = tmp_path / "snap.json"
    save_snapshot(inv, path)
    return str(path)


def test_needs_all_allowed_exit_0(run: Runner, snapshot: str) -> None:
    result = run("needs", "--function", f"{FN}:healthy", "--snapshot", snapshot)
    assert result.code == 0, result.err
    assert (
        "✔ ALLOWED  logs:PutLogEvents on arn:aws:logs:us-east-1:123456789012:log-group:/aws/lambda/healthy"
        in result.out
    )
    assert "3 needs: 3 allowed, 0 denied, 0 unknown, 0 conditional" in result.out


def test_needs_denied_exit_1_names_the_blocking_layer(run: Runner, snapshot: str) -> None:
    human = run("needs", "--function", "worker", "--snapshot", snapshot)
    assert human.code == 1
    assert f"✘ DENIED  sqs:ReceiveMessage on {QUEUE}" in human.out
    assert "✘ DENIED  xray:PutTraceSegments on *" in human.out
    assert "no statement allows" in human.out
    body = run("needs", "--function", f"{FN}:worker", "--snapshot", snapshot, "--json").json()
    assert body["function"] == f"{FN}:worker"
    assert body["role"] == f"arn:aws:iam::{A}:role/logs-only"
    receive = next(n for n in body["needs"] if n["action"] == "sqs:ReceiveMessage")
    assert {k: receive[k] for k in ("resource", "decision", "blocked_by")} == {
        "resource": QUEUE,
        "decision": "denied",
        "blocked_by": "no-allow",
    }
    assert set(receive) >= {"action", "resource", "why", "decision", "blocked_by", "decided_by", "assumes"}
    assert "m-1" in receive["why"]


def test_needs_unknown_exit_3_says_what_was_not_read(run: Runner, snapshot: str) -> None:
    result = run("needs", "--function", "old", "--snapshot", snapshot)
    assert result.code == 3
    assert "? not read: configuration of old" in result.out


def test_needs_of_an_unknown_function_is_one_line_exit_2(run: Runner, snapshot: str) -> None:
    result = run("needs", "--function", "nope", "--snapshot", snapshot)
    assert result.code == 2
    assert result.err.count("\n") == 1 and 'no function named "nope"' in result.err


def test_triggers_shows_the_mapping_whose_role_cannot_read(run: Runner, snapshot: str) -> None:
    human = run("triggers", "--function", "worker", "--snapshot", snapshot)
    assert f"✘ DENIED  sqs event source mapping m-1 from {QUEUE} (Enabled)" in human.out
    body = run("triggers", "--function", "worker", "--snapshot", snapshot, "--json").json()
    view = body["qualifiers"][0]
    assert view["arn"] == f"{FN}:worker"
    mapping = next(t for t in view["triggers"] if t["kind"] == "event-source-mapping")
    assert mapping["mapping"] == {
        "uuid": "m-1",
        "event_source_arn": QUEUE,
        "source": "sqs",
        "state": "Enabled",
        "batch_size": 10,
    }
    assert mapping["decision"] == "denied"
    # The account root can invoke (identity side of the account), so something can: exit 0.
    assert human.code == 0


def test_needs_only_conditionally_allowed_exit_4(run: Runner, snapshot: str) -> None:
    result = run("needs", "--function", "vpn-traced", "--snapshot", snapshot)
    assert result.code == 4, result.out
    assert "◐ ALLOWED IF  xray:PutTraceSegments on *" in result.out
    assert "only if: aws:SourceIp in 10.0.0.0/8" in result.out
