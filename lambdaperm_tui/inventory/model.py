"""Immutable records of an account's Lambda and IAM resources.

A value that could not be read is never guessed: every policy lives in a ``PolicySlot`` that says either
"this document", "no policy" or "unknown: <reason>". Documents are kept as parsed JSON exactly as AWS
returned them (any JSON: PutResourcePolicy accepts more than AddPermission shapes); parsing them into
engine policies is the analysis layer's job, so a malformed document is reported, not lost.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

UrlAuthType = Literal["NONE", "AWS_IAM"]


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


@dataclass(frozen=True, slots=True)
class Function:
    """A Lambda function with its versions, aliases, per-qualifier policies and URLs.

    ``policy`` is the policy of the unqualified function ARN. ``urls`` is None until fetched;
    ``urls_unknown`` holds the reason when the URL configs could not be listed.
    """

    arn: str  # unqualified
    name: str
    region: str
    account: str
    runtime: str | None = None
    role: str | None = None  # execution role ARN
    layers: tuple[str, ...] = ()  # layer version ARNs
    tags: tuple[tuple[str, str], ...] = ()
    description: str = ""
    last_modified: str | None = None
    policy: PolicySlot = NOT_LOADED
    versions: tuple[Version, ...] = ()
    aliases: tuple[Alias, ...] = ()
    urls: tuple[FunctionUrl, ...] | None = None
    urls_unknown: str | None = None
    details_unknown: str | None = None  # versions/aliases could not be listed


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
    policies_unknown: str | None = None  # inline/attached lists could not be read


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
    policies_unknown: str | None = None


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
class Inventory:
    """Everything known about one account. ``source`` describes where it came from, for the header.

    ``scps`` / ``rcps`` are organization policy levels (root first) when known; None means unknown
    (not loaded), ``()`` means none apply.
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
    complete: bool = True  # False while a live load is still streaming
    extra: dict[str, Any] = field(default_factory=dict)
