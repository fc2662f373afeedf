"""Lambda configuration responses as model records, validated: a field of the wrong shape raises
``MalformedResponse`` (the loader records it as a failure; it is never read as "not configured").

- ``function_config``: the settings of a ``ListFunctions`` entry that decide what the execution role
  needs (https://docs.aws.amazon.com/lambda/latest/api/API_FunctionConfiguration.html);
- ``event_source_mapping``: one ``ListEventSourceMappings`` entry
  (https://docs.aws.amazon.com/lambda/latest/api/API_EventSourceMappingConfiguration.html);
- ``event_invoke_config``: one ``ListFunctionEventInvokeConfigs`` entry
  (https://docs.aws.amazon.com/lambda/latest/api/API_FunctionEventInvokeConfig.html).

Environment variable values are never kept (they often hold secrets): only whether there are any.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from ..inventory.model import (
    EventInvokeConfig,
    EventSourceMapping,
    FileSystemConfig,
    FunctionConfig,
    LoggingConfig,
    SourceAccess,
    TracingMode,
    VpcConfig,
)
from .fetching import MalformedResponse, field_of, optional_of

_TRACING: dict[str, TracingMode] = {"Active": "Active", "PassThrough": "PassThrough"}


def _strings(obj: Any, key: str, where: str) -> tuple[str, ...]:
    items = optional_of(obj, key, list, where) or []
    for item in items:
        if not isinstance(item, str):
            raise MalformedResponse(f"{where}: {key} holds a {type(item).__name__}, not a string")
    return tuple(items)


def _objects(obj: Any, key: str, where: str) -> list[dict[str, Any]]:
    items = optional_of(obj, key, list, where) or []
    for item in items:
        if not isinstance(item, dict):
            raise MalformedResponse(f"{where}: {key} holds a {type(item).__name__}, not an object")
    return items


def _time(obj: Any, key: str, where: str) -> str | None:
    """A timestamp botocore parsed (a datetime) or left as text."""
    value = optional_of(obj, key, (str, datetime, int, float), where)
    if isinstance(value, datetime):
        return value.isoformat()
    return None if value is None else str(value)


def _destination(obj: Any, which: str, where: str) -> str | None:
    config = optional_of(obj, "DestinationConfig", dict, where) or {}
    target = optional_of(config, which, dict, f"{where} DestinationConfig") or {}
    destination: str | None = optional_of(target, "Destination", str, f"{where} DestinationConfig.{which}")
    return destination


def function_config(cfg: Any) -> FunctionConfig:
    """The role-relevant settings of one ``ListFunctions`` entry."""
    where = "ListFunctions entry"
    tracing = optional_of(cfg, "TracingConfig", dict, where) or {}
    mode = optional_of(tracing, "Mode", str, f"{where} TracingConfig")
    if mode is not None and mode not in _TRACING:
        raise MalformedResponse(f"{where}: TracingConfig.Mode {mode[:40]!r} is not Active or PassThrough")
    vpc_raw = optional_of(cfg, "VpcConfig", dict, where)
    vpc = None
    if vpc_raw is not None:
        subnets = _strings(vpc_raw, "SubnetIds", f"{where} VpcConfig")
        if subnets:  # AWS returns empty lists for a function outside any VPC
            vpc = VpcConfig(
                subnet_ids=subnets,
                security_group_ids=_strings(vpc_raw, "SecurityGroupIds", f"{where} VpcConfig"),
                vpc_id=optional_of(vpc_raw, "VpcId", str, f"{where} VpcConfig") or None,
                ipv6_allowed_for_dual_stack=bool(
                    optional_of(vpc_raw, "Ipv6AllowedForDualStack", bool, f"{where} VpcConfig")
                ),
            )
    dlq = optional_of(cfg, "DeadLetterConfig", dict, where) or {}
    environment = optional_of(cfg, "Environment", dict, where) or {}
    variables = optional_of(environment, "Variables", dict, f"{where} Environment") or {}
    logging_raw = optional_of(cfg, "LoggingConfig", dict, where)
    logging = None
    if logging_raw is not None:
        lw = f"{where} LoggingConfig"
        logging = LoggingConfig(
            log_format=optional_of(logging_raw, "LogFormat", str, lw),
            application_log_level=optional_of(logging_raw, "ApplicationLogLevel", str, lw),
            system_log_level=optional_of(logging_raw, "SystemLogLevel", str, lw),
            log_group=optional_of(logging_raw, "LogGroup", str, lw),
        )
    return FunctionConfig(
        tracing_mode=_TRACING[mode] if mode else None,
        vpc=vpc,
        dead_letter_target=optional_of(dlq, "TargetArn", str, f"{where} DeadLetterConfig"),
        kms_key_arn=optional_of(cfg, "KMSKeyArn", str, where),
        environment_variables=bool(variables),
        file_systems=tuple(
            FileSystemConfig(
                field_of(fs, "Arn", str, f"{where} FileSystemConfigs"),
                optional_of(fs, "LocalMountPath", str, f"{where} FileSystemConfigs") or "",
            )
            for fs in _objects(cfg, "FileSystemConfigs", where)
        ),
        logging=logging,
        package_type=optional_of(cfg, "PackageType", str, where),
        architectures=_strings(cfg, "Architectures", where),
    )


def event_source_mapping(entry: Any, region: str) -> EventSourceMapping:
    """One ``ListEventSourceMappings`` entry."""
    where = "ListEventSourceMappings entry"
    self_managed = optional_of(entry, "SelfManagedEventSource", dict, where) or {}
    endpoints = optional_of(self_managed, "Endpoints", dict, f"{where} SelfManagedEventSource") or {}
    group = None
    for key in ("AmazonManagedKafkaEventSourceConfig", "SelfManagedKafkaEventSourceConfig"):
        kafka = optional_of(entry, key, dict, where) or {}
        group = group or optional_of(kafka, "ConsumerGroupId", str, f"{where} {key}")
    return EventSourceMapping(
        uuid=field_of(entry, "UUID", str, where),
        function_arn=field_of(entry, "FunctionArn", str, where),
        region=region,
        event_source_arn=optional_of(entry, "EventSourceArn", str, where),
        state=optional_of(entry, "State", str, where),
        batch_size=optional_of(entry, "BatchSize", int, where),
        maximum_batching_window_seconds=optional_of(entry, "MaximumBatchingWindowInSeconds", int, where),
        starting_position=optional_of(entry, "StartingPosition", str, where),
        function_response_types=_strings(entry, "FunctionResponseTypes", where),
        on_failure_destination=_destination(entry, "OnFailure", where),
        topics=_strings(entry, "Topics", where),
        queues=_strings(entry, "Queues", where),
        source_access=tuple(
            SourceAccess(
                field_of(a, "Type", str, f"{where} SourceAccessConfigurations"),
                field_of(a, "URI", str, f"{where} SourceAccessConfigurations"),
            )
            for a in _objects(entry, "SourceAccessConfigurations", where)
        ),
        kafka_bootstrap_servers=_strings(endpoints, "KAFKA_BOOTSTRAP_SERVERS", f"{where} Endpoints"),
        consumer_group_id=group,
        kms_key_arn=optional_of(entry, "KMSKeyArn", str, where),
        arn=optional_of(entry, "EventSourceMappingArn", str, where),
        last_processing_result=optional_of(entry, "LastProcessingResult", str, where),
    )


def event_invoke_config(entry: Any) -> EventInvokeConfig:
    """One ``ListFunctionEventInvokeConfigs`` entry."""
    where = "ListFunctionEventInvokeConfigs entry"
    return EventInvokeConfig(
        function_arn=field_of(entry, "FunctionArn", str, where),
        on_success=_destination(entry, "OnSuccess", where),
        on_failure=_destination(entry, "OnFailure", where),
        maximum_retry_attempts=optional_of(entry, "MaximumRetryAttempts", int, where),
        maximum_event_age_seconds=optional_of(entry, "MaximumEventAgeInSeconds", int, where),
        last_modified=_time(entry, "LastModified", where),
    )


__all__ = ["event_invoke_config", "event_source_mapping", "function_config"]
