"""Snapshot format 2: function configurations, event source mappings and async invoke configs round-trip,
match the schema, and version-1 files load with what they never recorded marked unknown."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from lambdaperm_tui.inventory.model import (
    EventInvokeConfig,
    EventSourceMapping,
    FileSystemConfig,
    Function,
    FunctionConfig,
    Inventory,
    LoggingConfig,
    RegionEventSources,
    SourceAccess,
    VpcConfig,
)
from lambdaperm_tui.inventory.snapshot import (
    SNAPSHOT_FORMAT_VERSION,
    SnapshotError,
    dump_snapshot,
    load_snapshot,
    read_snapshot,
)
from tests.inventory.test_snapshot import validate

A = "111122223333"
V1_FIXTURE = Path(__file__).parents[1] / "data" / "ui-fixture-snapshot.json"


def configured() -> Inventory:
    fn_arn = f"arn:aws:lambda:us-east-1:{A}:function:worker"
    config = FunctionConfig(
        tracing_mode="Active",
        vpc=VpcConfig(("subnet-1", "subnet-2"), ("sg-1",), "vpc-1"),
        dead_letter_target=f"arn:aws:sqs:us-east-1:{A}:worker-dlq",
        kms_key_arn=f"arn:aws:kms:us-east-1:{A}:key/1234",
        environment_variables=True,
        file_systems=(
            FileSystemConfig(f"arn:aws:elasticfilesystem:us-east-1:{A}:access-point/fsap-1", "/mnt/x"),
        ),
        logging=LoggingConfig("JSON", "INFO", "WARN", "/custom/worker"),
        package_type="Zip",
        architectures=("arm64",),
    )
    mapping = EventSourceMapping(
        uuid="u-1",
        function_arn=f"{fn_arn}:live",
        region="us-east-1",
        event_source_arn=f"arn:aws:sqs:us-east-1:{A}:jobs",
        state="Enabled",
        batch_size=10,
        maximum_batching_window_seconds=5,
        function_response_types=("ReportBatchItemFailures",),
        on_failure_destination=f"arn:aws:sns:us-east-1:{A}:failed",
        source_access=(SourceAccess("BASIC_AUTH", f"arn:aws:secretsmanager:us-east-1:{A}:secret:x"),),
    )
    return Inventory(
        account_id=A,
        regions=("us-east-1", "eu-west-1"),
        captured_at="2026-12-01T10:00:00Z",
        source="test",
        functions=(
            Function(
                arn=fn_arn,
                name="worker",
                region="us-east-1",
                account=A,
                config=config,
                event_invoke_configs=(
                    EventInvokeConfig(
                        fn_arn + ":$LATEST",
                        on_failure=f"arn:aws:sqs:us-east-1:{A}:q",
                        maximum_retry_attempts=1,
                    ),
                ),
            ),
            Function(
                arn=f"arn:aws:lambda:us-east-1:{A}:function:broken",
                name="broken",
                region="us-east-1",
                account=A,
                config_unknown="ListFunctions: TracingConfig.Mode: unexpected value",
            ),
        ),
        event_source_mappings=(
            RegionEventSources("us-east-1", (mapping,)),
            RegionEventSources("eu-west-1", unknown="AccessDeniedException: not authorized"),
        ),
    )


def test_round_trip_of_configuration_mappings_and_invoke_configs() -> None:
    inv = configured()
    dumped = json.loads(json.dumps(dump_snapshot(inv)))
    assert dumped["format_version"] == SNAPSHOT_FORMAT_VERSION == 2
    validate(dumped)
    assert load_snapshot(dumped) == inv
    fn = dumped["functions"][0]
    assert fn["config"]["tracing_mode"] == "Active"
    assert fn["config"]["vpc"]["subnet_ids"] == ["subnet-1", "subnet-2"]
    assert dumped["functions"][1]["config"] is None
    assert dumped["event_source_mappings"][1] == {
        "region": "eu-west-1",
        "mappings": [],
        "unknown": "AccessDeniedException: not authorized",
    }


def test_a_version_1_file_loads_with_configuration_and_mappings_unknown() -> None:
    raw: dict[str, Any] = json.loads(V1_FIXTURE.read_text())
    assert raw["format_version"] == 1
    inv = read_snapshot(V1_FIXTURE)
    assert inv.functions
    for fn in inv.functions:
        assert fn.config is None
        assert fn.config_unknown is not None and "format version 1" in fn.config_unknown
        assert fn.event_invoke_configs is None  # never read: not claimed to be none
    assert [r.region for r in inv.event_source_mappings] == list(raw["regions"])
    assert all(r.unknown and not r.mappings for r in inv.event_source_mappings)
    # What version 1 did record is unchanged by the migration.
    assert [f.arn for f in inv.functions] == [f["arn"] for f in raw["functions"]]
    # Saved again it is a version-2 file that still says "unknown".
    again = load_snapshot(json.loads(json.dumps(dump_snapshot(inv))))
    assert again == inv


def test_a_version_1_file_marks_the_tags_of_a_failed_tag_read_unknown() -> None:
    """Version 1 kept empty tags when GetFunction (functions) or GetRole (roles) failed and recorded only
    the failure; read as "no tags", a Deny on aws:ResourceTag/... would be skipped (issue 7, item 1)."""
    raw: dict[str, Any] = json.loads(V1_FIXTURE.read_text())
    billing, orders = raw["functions"][0]["arn"], raw["functions"][1]["arn"]
    role = raw["roles"][0]["arn"]
    raw["failures"] += [
        {"kind": "function", "resource": billing, "operation": "GetFunction", "reason": "Throttling"},
        {"kind": "role", "resource": role, "operation": "GetRole", "reason": "AccessDenied: no iam:GetRole"},
        # A failure of another call on a function says nothing about its tags.
        {"kind": "function-url", "resource": orders, "operation": "GetFunctionUrlConfig", "reason": "x"},
    ]
    inv = load_snapshot(raw)
    by_arn = {f.arn: f for f in inv.functions}
    assert by_arn[billing].tags_unknown == "Throttling (format version 1)"
    assert by_arn[orders].tags_unknown is None
    roles = {r.arn: r for r in inv.roles}
    assert roles[role].tags_unknown == "AccessDenied: no iam:GetRole (format version 1)"
    assert all(r.tags_unknown is None for arn, r in roles.items() if arn != role)
    assert load_snapshot(json.loads(json.dumps(dump_snapshot(inv)))) == inv


def test_a_bad_tracing_mode_is_refused_naming_the_field() -> None:
    dumped = json.loads(json.dumps(dump_snapshot(configured())))
    dumped["functions"][0]["config"]["tracing_mode"] = "Sometimes"
    with pytest.raises(SnapshotError, match=r"functions\[0\]\.config\.tracing_mode"):
        load_snapshot(dumped)


def test_a_mapping_without_its_uuid_is_refused() -> None:
    dumped = json.loads(json.dumps(dump_snapshot(configured())))
    del dumped["event_source_mappings"][0]["mappings"][0]["uuid"]
    where = r"event_source_mappings\[0\]\.mappings\[0\]\.uuid: missing field"
    with pytest.raises(SnapshotError, match=where):
        load_snapshot(dumped)
