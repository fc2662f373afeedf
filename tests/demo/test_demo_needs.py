"""The demo's execution-role story (lambdaperm_tui/demo/seed_needs.py), loaded through the live loader and
answered by ``needs`` and ``triggers``; once through the CLI as a user runs it.

Expected needs follow the Lambda guide: SQS (services-sqs-configure.html), Kinesis and its on-failure
destination (with-kinesis.html), X-Ray (services-xray.html), VPC (configuration-vpc.html), async
destinations (invocation-async-retain-records.html), a customer managed key for environment variables
(configuration-envvars-encryption.html), all under https://docs.aws.amazon.com/lambda/latest/dg/.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from lambdaperm_tui.analysis.needs import NeedsReport, function_needs, unmet_needs
from lambdaperm_tui.analysis.triggers import function_triggers
from lambdaperm_tui.aws.clients import ClientFactory
from lambdaperm_tui.aws.loader import Loader
from lambdaperm_tui.demo import seed_needs as story
from lambdaperm_tui.demo.server import DemoAccount
from lambdaperm_tui.inventory.model import Inventory

ACCOUNT = "246813579024"  # its own account: other modules may run a demo on another


@pytest.fixture(scope="module")
def inv() -> Iterator[Inventory]:
    with DemoAccount(account_id=ACCOUNT) as demo:
        factory = ClientFactory(
            region=demo.regions[0], endpoint_url=demo.endpoint_url, credentials=demo.credentials
        )
        loader = Loader(factory, demo.regions, rate_limits=False, event_invoke_configs=("*",))
        yield loader.run()


def _decisions(report: NeedsReport) -> dict[str, str]:
    return {n.requirement.action: n.decision for n in report.needs}


def test_the_sqs_worker_cannot_receive(inv: Inventory) -> None:
    report = function_needs(inv, story.QUEUE_WORKER)
    decisions = _decisions(report)
    assert decisions["sqs:ReceiveMessage"] == "denied"
    assert decisions["sqs:DeleteMessage"] == decisions["sqs:GetQueueAttributes"] == "allowed"
    assert report.decision == "denied" and not report.unread
    triggers = function_triggers(inv, story.QUEUE_WORKER)
    mapping = next(t for t in triggers.qualifiers[0].triggers if t.kind == "event-source-mapping")
    assert mapping.decision == "denied"


def test_the_stream_reader_has_everything(inv: Inventory) -> None:
    report = function_needs(inv, story.STREAM_READER)
    assert report.decision == "allowed", [
        (n.requirement.action, n.decision) for n in report.needs if n.decision != "allowed"
    ]
    assert "kinesis:GetRecords" in _decisions(report)
    assert _decisions(report)["sqs:SendMessage"] == "allowed"  # the on-failure destination
    mapping = next(
        t
        for t in function_triggers(inv, story.STREAM_READER).qualifiers[0].triggers
        if t.kind == "event-source-mapping"
    )
    assert mapping.decision == "allowed"


def test_tracing_and_vpc_without_their_permissions(inv: Inventory) -> None:
    traced = _decisions(function_needs(inv, story.TRACED))
    assert traced["xray:PutTraceSegments"] == traced["xray:PutTelemetryRecords"] == "denied"
    without = _decisions(function_needs(inv, story.VPC_WITHOUT_ENI))
    assert without["ec2:CreateNetworkInterface"] == "denied"
    assert function_needs(inv, story.VPC_WITH_ENI).decision == "allowed"


def test_async_destination_and_the_environment_key(inv: Inventory) -> None:
    notifier = function_needs(inv, story.ASYNC_NOTIFIER)
    assert notifier.decision == "allowed" and _decisions(notifier)["sqs:SendMessage"] == "allowed"
    key = function_needs(inv, story.ENV_KEY)
    decrypt = next(n for n in key.needs if n.requirement.action == "kms:Decrypt")
    # Allowed by the role's policy, assuming the key policy (not loaded) lets IAM policies grant it.
    assert decrypt.decision == "allowed" and any("key policy" in a for a in decrypt.assumes)
    assert key.decision == "allowed"


def test_the_seeded_unmet_needs_are_the_findings_and_nothing_else(inv: Inventory) -> None:
    found = {(u.function.rsplit(":", 1)[-1], u.need.requirement.action) for u in unmet_needs(inv)}
    ours = {f for f in found if f[0] in story.NEEDS_FUNCTIONS}
    assert ours == {
        (story.QUEUE_WORKER, "sqs:ReceiveMessage"),
        (story.TRACED, "xray:PutTraceSegments"),
        (story.TRACED, "xray:PutTelemetryRecords"),
        *(
            (story.VPC_WITHOUT_ENI, a)
            for a in (
                "ec2:CreateNetworkInterface",
                "ec2:DescribeNetworkInterfaces",
                "ec2:DeleteNetworkInterface",
                "ec2:AssignPrivateIpAddresses",
                "ec2:UnassignPrivateIpAddresses",
            )
        ),
    }


def test_needs_through_the_cli_on_the_demo() -> None:
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "lambdaperm_tui",
            "--demo",
            "needs",
            "--function",
            story.QUEUE_WORKER,
            "--json",
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 1, proc.stderr
    body = json.loads(proc.stdout)
    receive = next(n for n in body["needs"] if n["action"] == "sqs:ReceiveMessage")
    assert receive["decision"] == "denied" and receive["blocked_by"] == "no-allow"
    assert body["unread"] == []  # the CLI read the function's async invoke configs on demand


def test_a_snapshot_with_every_invoke_config_answers_needs_offline(tmp_path: Path) -> None:
    out = tmp_path / "demo.json"
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "lambdaperm_tui",
            "--demo",
            "snapshot",
            "-o",
            str(out),
            "--event-invoke-configs",
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    offline = subprocess.run(
        [
            sys.executable,
            "-m",
            "lambdaperm_tui",
            "needs",
            "--function",
            story.ASYNC_NOTIFIER,
            "--snapshot",
            str(out),
        ],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert offline.returncode == 0, offline.stdout + offline.stderr
    assert "✔ ALLOWED  sqs:SendMessage on arn:aws:sqs:us-east-1:" in offline.stdout
    assert "? not read" not in offline.stdout
