"""What is asked: who (principal) wants to do what (action) on which resource, in which context."""

from __future__ import annotations

import enum
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from .errors import InputError
from .policy import Policy

# A context value as AWS sees it: one string, or several for a multi-valued key.
# Booleans and numbers are carried as their string forms ("true", "42"), as in a real request context.
ContextValue = str | tuple[str, ...]

# Between entries written on one line: a comma, then something that starts the next ``key=``.
_NEXT_ENTRY = re.compile(r",\s*(?=[^=,\s]+\s*=)")


def context_entry(text: str) -> tuple[str, str]:
    """One ``KEY=VALUE`` context entry as (key, value), both stripped; raises ``InputError`` otherwise."""
    key, sep, value = text.partition("=")
    if not sep or not key.strip():
        raise InputError("expected KEY=VALUE (e.g. aws:SourceIp=10.0.0.1)")
    return key.strip(), value.strip()


def context_of(entries: Iterable[tuple[str, str]]) -> dict[str, ContextValue]:
    """Entries as a request context: a key given more than once is multi-valued, in the order given."""
    values: dict[str, list[str]] = {}
    for key, value in entries:
        values.setdefault(key, []).append(value)
    return {k: v[0] if len(v) == 1 else tuple(v) for k, v in values.items()}


def split_context_entries(text: str) -> list[str]:
    """Context entries written together (pasted): one a line, or several on a line separated by commas
    (``k1=v1, k2=v2``); a comma not followed by ``key=`` stays in its value (``k=a,b``). Blank lines go."""
    out: list[str] = []
    for line in text.splitlines():
        out += [part.strip() for part in _NEXT_ENTRY.split(line) if part.strip()]
    return out


class PrincipalKind(str, enum.Enum):
    """The forms of caller the engine knows (values match ``aws:PrincipalType`` where AWS defines one)."""

    USER = "User"
    ROLE = "AssumedRole"  # a role ARN given as principal means: a session of that role, no session policy
    ASSUMED_ROLE = "AssumedRoleSession"
    FEDERATED_USER = "FederatedUser"
    ROOT = "Account"
    SERVICE = "Service"
    ANONYMOUS = "Anonymous"


# IAM principals of an account: the callers SCPs and identity policies govern (service principals and
# anonymous callers are authorised by resource policies alone).
IAM_PRINCIPAL_KINDS = frozenset(
    {
        PrincipalKind.USER,
        PrincipalKind.ROLE,
        PrincipalKind.ASSUMED_ROLE,
        PrincipalKind.FEDERATED_USER,
        PrincipalKind.ROOT,
    }
)


@dataclass(frozen=True, slots=True)
class Principal:
    """A parsed caller.

    ``text`` is what the user gave (an ARN, a service principal such as ``s3.amazonaws.com``, or
    ``anonymous``). ``role_arn`` is the role behind a role session (for ``ROLE`` and ``ASSUMED_ROLE``);
    ``session_arn`` the ``arn:aws:sts::A:assumed-role/R/S`` ARN of a session, when known.
    """

    kind: PrincipalKind
    text: str
    account: str | None = None
    name: str | None = None
    role_arn: str | None = None
    session_arn: str | None = None
    partition: str = "aws"
    # A federated-user session (GetFederationToken): the ARN of the IAM user who federated, when known.
    federated_by: str | None = None


@dataclass(frozen=True, slots=True)
class Request:
    """One authorization request, exactly as AWS would evaluate it.

    ``resource`` is the exact ARN of the request (a Lambda request names ``function:f``,
    ``function:f:7`` or ``function:f:prod``). ``resource_account`` is the account that owns the resource;
    ``None`` means "the account in the resource ARN". ``context`` holds the keys given by the caller;
    the engine adds the principal-derived keys when they are absent.

    ``open_context``: every key that ``context`` does not give, and that is not derived from the
    principal or documented as absent for this kind of caller (``evaluate.key_is_open``), is *open*:
    its value is not known. The result is then ``CONDITIONAL`` when the decision depends on open keys,
    with the condition in ``Result.allowed_if``. False (the default) reads a missing key as absent.
    """

    principal: Principal
    action: str
    resource: str
    resource_account: str | None = None
    context: Mapping[str, ContextValue] = field(default_factory=dict)
    open_context: bool = False
    # With ``open_context``: keys the caller knows are absent unless ``context`` gives them (lower-case
    # names, or prefixes ending in "/": ``aws:principaltag/`` when the principal's tags are all known).
    closed_keys: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class PolicySet:
    """Every policy that may take part in one decision, by layer.

    ``scps`` and ``rcps`` are levels, root first; each level is the set of policies attached there, and
    every level must allow. An empty tuple means no SCP (or RCP) applies at all.
    """

    identity: tuple[Policy, ...] = ()
    boundary: Policy | None = None
    session: Policy | None = None
    scps: tuple[tuple[Policy, ...], ...] = ()
    rcps: tuple[tuple[Policy, ...], ...] = ()
    resource: Policy | None = None
