"""Immutable records of an account's Lambda and IAM resources.

A value that could not be read is never guessed: every policy lives in a ``PolicySlot`` that says either
"this document", "no policy" or "unknown: <reason>"; every other fact an answer reads has a ``*_unknown``
reason beside it (``Function.tags_unknown``, ``Function.details_unknown``, ``Role.policies_unknown``, ...),
and a list of resources that could not be read in full is an ``Unlisted`` record of the inventory, so "no
such function" and "the functions of this Region could not be listed" are never confused.

Documents are kept as parsed JSON exactly as AWS returned them (any JSON: PutResourcePolicy accepts more
than AddPermission shapes); parsing them into engine policies is the analysis layer's job, so a malformed
document is reported, not lost.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

UrlAuthType = Literal["NONE", "AWS_IAM"]
# The lists an inventory is built from: Lambda's per Region, IAM's account-wide.
ListedKind = Literal["functions", "layers", "roles", "users", "groups"]


@dataclass(frozen=True, slots=True)
class PolicySlot:
    """A policy as fetched: ``document`` (parsed JSON) when there is one, ``unknown`` when unreadable.

    ``PolicySlot()`` means "read, and there is no policy". ``PolicySlot(unknown="AccessDenied: ...")``
    means we do not know. Both None-and-None with ``fetched=False`` means "not loaded yet".
    """

    document: Any = None
    unknown: str | None = None
    fetched: bool = True

    @property
    def is_known(self) -> bool:
        """True when the slot holds a definite answer (a document or a confirmed absence)."""
        return self.fetched and self.unknown is None


NOT_LOADED = PolicySlot(fetched=False)
NO_POLICY = PolicySlot()


@dataclass(frozen=True, slots=True)
class NamedPolicy:
    """An inline policy (name + document) of a role, user or group."""

    name: str
    slot: PolicySlot


@dataclass(frozen=True, slots=True)
class ManagedPolicy:
    """A managed policy (AWS- or customer-managed), with the document of its default version."""

    arn: str
    name: str
    slot: PolicySlot


@dataclass(frozen=True, slots=True)
class FunctionUrl:
    """A function URL config: on the unqualified function (qualifier None) or on an alias."""

    function_arn: str  # the exact ARN the URL invokes (unqualified or alias-qualified)
    qualifier: str | None
    url: str
    auth_type: UrlAuthType
    created: str | None = None  # ISO 8601 CreationTime; URLs created since Oct 2025 also need InvokeFunction


@dataclass(frozen=True, slots=True)
class Version:
    """A published version (``$LATEST`` is the unqualified function itself and is not listed here)."""

    arn: str  # arn:aws:lambda:R:A:function:NAME:7
    version: str
    policy: PolicySlot = NOT_LOADED


@dataclass(frozen=True, slots=True)
class Alias:
    """An alias pointing at a version, with its own resource policy and maybe its own URL."""

    arn: str  # arn:aws:lambda:R:A:function:NAME:ALIAS
    name: str
    function_version: str
    routing: tuple[tuple[str, float], ...] = ()
    policy: PolicySlot = NOT_LOADED


TracingMode = Literal["Active", "PassThrough"]


@dataclass(frozen=True, slots=True)
class VpcConfig:
    """The function's VPC attachment (``VpcConfig`` of ListFunctions): Lambda makes ENIs in these subnets."""

    subnet_ids: tuple[str, ...] = ()
    security_group_ids: tuple[str, ...] = ()
    vpc_id: str | None = None
    ipv6_allowed_for_dual_stack: bool = False


@dataclass(frozen=True, slots=True)
class FileSystemConfig:
    """An EFS access point the function mounts (``FileSystemConfigs``)."""

    arn: str  # arn:aws:elasticfilesystem:R:A:access-point/fsap-...
    local_mount_path: str = ""


@dataclass(frozen=True, slots=True)
class LoggingConfig:
    """Where and how the function logs (``LoggingConfig``); ``log_group`` None means ``/aws/lambda/NAME``."""

    log_format: str | None = None  # "JSON" | "Text"
    application_log_level: str | None = None
    system_log_level: str | None = None
    log_group: str | None = None


@dataclass(frozen=True, slots=True)
class FunctionConfig:
    """The settings of ListFunctions that decide what the function needs from its execution role.

    ``vpc`` is None when the function is not attached to a VPC; ``environment_variables`` only says
    whether there are any (their values are never kept: they often hold secrets).
    """

    tracing_mode: TracingMode | None = None
    vpc: VpcConfig | None = None
    dead_letter_target: str | None = None  # DeadLetterConfig.TargetArn (SQS queue or SNS topic)
    kms_key_arn: str | None = None  # customer managed key of the environment variables
    environment_variables: bool = False
    file_systems: tuple[FileSystemConfig, ...] = ()
    logging: LoggingConfig | None = None
    package_type: str | None = None  # "Zip" | "Image"
    architectures: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class EventInvokeConfig:
    """Asynchronous invocation settings of one qualifier (ListFunctionEventInvokeConfigs)."""

    function_arn: str  # the qualified ARN the settings apply to
    on_success: str | None = None  # destination ARN
    on_failure: str | None = None
    maximum_retry_attempts: int | None = None
    maximum_event_age_seconds: int | None = None
    last_modified: str | None = None


@dataclass(frozen=True, slots=True)
class Function:
    """A Lambda function with its versions, aliases, per-qualifier policies and URLs.

    ``policy`` is the policy of the unqualified function ARN. ``urls`` is None until fetched;
    ``urls_unknown`` holds the reason when the URL configs could not be listed, ``tags_unknown`` when the
    tags could not be read (``tags`` is then empty and means nothing), ``details_unknown`` when the
    versions or aliases could not be listed.
    """

    arn: str  # unqualified
    name: str
    region: str
    account: str
    runtime: str | None = None
    role: str | None = None  # execution role ARN
    layers: tuple[str, ...] = ()  # layer version ARNs
    tags: tuple[tuple[str, str], ...] = ()
    # Keys of tags whose values were redacted from a snapshot (they look like secrets, inventory/redact.py).
    redacted_tag_keys: tuple[str, ...] = ()
    description: str = ""
    last_modified: str | None = None
    policy: PolicySlot = NOT_LOADED
    versions: tuple[Version, ...] = ()
    aliases: tuple[Alias, ...] = ()
    urls: tuple[FunctionUrl, ...] | None = None
    urls_unknown: str | None = None
    details_unknown: str | None = None  # versions/aliases could not be listed
    # The configuration of ListFunctions: None with no reason means "not read" (e.g. built by hand);
    # ``config_unknown`` says why it is unknown (a response that failed validation, an old snapshot).
    config: FunctionConfig | None = None
    config_unknown: str | None = None
    # Asynchronous invocation configs (read on demand): None until read; the reason when unreadable.
    event_invoke_configs: tuple[EventInvokeConfig, ...] | None = None
    event_invoke_configs_unknown: str | None = None
    tags_unknown: str | None = None


@dataclass(frozen=True, slots=True)
class LayerVersion:
    """One version of a layer; layer permissions live here."""

    arn: str  # arn:aws:lambda:R:A:layer:NAME:3
    layer_name: str
    version: int
    region: str
    compatible_runtimes: tuple[str, ...] = ()
    description: str = ""
    policy: PolicySlot = NOT_LOADED


@dataclass(frozen=True, slots=True)
class Layer:
    """A layer and its versions."""

    arn: str  # arn:aws:lambda:R:A:layer:NAME
    name: str
    region: str
    versions: tuple[LayerVersion, ...] = ()
    versions_unknown: str | None = None


@dataclass(frozen=True, slots=True)
class Role:
    """An IAM role: trust policy, inline and attached managed policies, permissions boundary."""

    arn: str
    name: str
    path: str = "/"
    trust_policy: PolicySlot = NOT_LOADED
    inline_policies: tuple[NamedPolicy, ...] = ()
    managed_policy_arns: tuple[str, ...] = ()
    boundary_arn: str | None = None
    tags: tuple[tuple[str, str], ...] = ()
    redacted_tag_keys: tuple[str, ...] = ()  # values redacted from a snapshot (inventory/redact.py)
    policies_unknown: str | None = None  # inline/attached lists could not be read
    tags_unknown: str | None = None  # tags could not be read (``tags`` then means nothing)


@dataclass(frozen=True, slots=True)
class User:
    """An IAM user with its own policies, group memberships and boundary."""

    arn: str
    name: str
    path: str = "/"
    inline_policies: tuple[NamedPolicy, ...] = ()
    managed_policy_arns: tuple[str, ...] = ()
    groups: tuple[str, ...] = ()  # group names
    boundary_arn: str | None = None
    tags: tuple[tuple[str, str], ...] = ()
    redacted_tag_keys: tuple[str, ...] = ()  # values redacted from a snapshot (inventory/redact.py)
    policies_unknown: str | None = None
    tags_unknown: str | None = None  # tags could not be read (``tags`` then means nothing)


@dataclass(frozen=True, slots=True)
class Group:
    """An IAM group and its policies."""

    arn: str
    name: str
    path: str = "/"
    inline_policies: tuple[NamedPolicy, ...] = ()
    managed_policy_arns: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Failure:
    """Something that could not be read: what (kind + ARN or name), which operation, and why."""

    kind: str  # "function", "function-policy", "layer-version-policy", "iam", "role", ...
    resource: str
    operation: str
    reason: str  # e.g. "AccessDeniedException: User ... is not authorized to perform lambda:GetPolicy"


@dataclass(frozen=True, slots=True)
class SourceAccess:
    """One ``SourceAccessConfigurations`` entry of a mapping: how Lambda reaches or authenticates to it."""

    type: str  # BASIC_AUTH, VPC_SUBNET, VPC_SECURITY_GROUP, SASL_SCRAM_512_AUTH, CLIENT_CERTIFICATE_TLS_AUTH
    uri: str  # a secret ARN, "subnet:subnet-...", "security_group:sg-...", a virtual host


@dataclass(frozen=True, slots=True)
class EventSourceMapping:
    """An event source mapping (ListEventSourceMappings): Lambda polls the source with the function's role.

    ``function_arn`` is as AWS returns it (it may name a version or alias). ``event_source_arn`` is None
    for self-managed Kafka, whose brokers are in ``kafka_bootstrap_servers``.
    """

    uuid: str
    function_arn: str
    region: str
    event_source_arn: str | None = None
    state: str | None = None  # Enabled, Disabled, Creating, Enabling, Disabling, Updating, Deleting
    batch_size: int | None = None
    maximum_batching_window_seconds: int | None = None
    starting_position: str | None = None
    function_response_types: tuple[str, ...] = ()
    on_failure_destination: str | None = None  # DestinationConfig.OnFailure.Destination
    topics: tuple[str, ...] = ()
    queues: tuple[str, ...] = ()
    source_access: tuple[SourceAccess, ...] = ()
    kafka_bootstrap_servers: tuple[str, ...] = ()
    consumer_group_id: str | None = None  # Kafka: AmazonManagedKafka/SelfManagedKafkaEventSourceConfig
    kms_key_arn: str | None = None  # the key that encrypts the filter criteria
    arn: str | None = None  # EventSourceMappingArn
    last_processing_result: str | None = None


@dataclass(frozen=True, slots=True)
class RegionEventSources:
    """The event source mappings of one region: listed once per region, or unknown with the reason."""

    region: str
    mappings: tuple[EventSourceMapping, ...] = ()
    unknown: str | None = None


@dataclass(frozen=True, slots=True)
class Unlisted:
    """A list that could not be read in full: resources of this kind (in ``region``; None for IAM's
    account-wide lists) may exist that the inventory does not hold. What was read is kept."""

    kind: ListedKind
    region: str | None
    reason: str


@dataclass(frozen=True, slots=True)
class Inventory:
    """Everything known about one account. ``source`` describes where it came from, for the header.

    ``scps`` / ``rcps`` are organization policy levels (root first) when known; None means unknown
    (not loaded), ``()`` means none apply. ``unlisted`` names the lists that could not be read in full;
    ``complete`` is True only for a load that ran to its end with none.
    """

    account_id: str
    regions: tuple[str, ...]
    captured_at: str  # ISO 8601, UTC
    source: str  # "profile default", "snapshot FILE", "demo", "endpoint URL"
    functions: tuple[Function, ...] = ()
    layers: tuple[Layer, ...] = ()
    roles: tuple[Role, ...] = ()
    users: tuple[User, ...] = ()
    groups: tuple[Group, ...] = ()
    managed_policies: tuple[ManagedPolicy, ...] = ()
    failures: tuple[Failure, ...] = ()
    organization_id: str | None = None
    scps: tuple[tuple[NamedPolicy, ...], ...] | None = None
    rcps: tuple[tuple[NamedPolicy, ...], ...] | None = None
    complete: bool = True  # False while streaming, when cancelled, or with ``unlisted``
    # One entry per region whose mappings were listed (or failed); a region absent here was not read.
    event_source_mappings: tuple[RegionEventSources, ...] = ()
    extra: dict[str, Any] = field(default_factory=dict)
    unlisted: tuple[Unlisted, ...] = ()

    def unlisted_of(self, kind: ListedKind, region: str | None = None) -> Unlisted | None:
        """The record saying the list of ``kind`` (in ``region``) could not be read in full, if any."""
        return next((u for u in self.unlisted if u.kind == kind and u.region == region), None)


def function_failures(inv: Inventory, fn: Function) -> tuple[Failure, ...]:
    """The failures recorded on ``fn`` itself, its versions and its aliases (exact ARNs: never another
    function whose name starts with this one's)."""
    own = {fn.arn, *(v.arn for v in fn.versions), *(a.arn for a in fn.aliases)}
    return tuple(f for f in inv.failures if f.resource in own)
