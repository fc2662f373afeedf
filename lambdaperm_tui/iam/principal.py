"""Callers: parse the principal of a request from the text a user gives.

Forms (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html,
https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_identifiers.html#identifiers-arns):
IAM user ``arn:aws:iam::A:user/[path/]N``, IAM role ``arn:aws:iam::A:role/[path/]R`` (taken as a session
of that role without a session policy), assumed-role session ``arn:aws:sts::A:assumed-role/R/S``,
federated user ``arn:aws:sts::A:federated-user/N``, account root ``arn:aws:iam::A:root`` or the bare
12-digit account id, a service principal such as ``s3.amazonaws.com``, and ``anonymous``.
Partitions: aws, aws-cn, aws-us-gov.
"""

from __future__ import annotations

import json
import re

from .arn import PARTITIONS
from .errors import RequestError
from .request import Principal, PrincipalKind


def _q(value: object) -> str:
    """``value`` quoted for a one-line error message (control characters escaped, long text cut)."""
    text = json.dumps(str(value), ensure_ascii=False)
    text = text.replace("\u2028", "\\u2028").replace("\u2029", "\\u2029").replace("\x85", "\\x85")
    return text if len(text) <= 120 else text[:117] + '..."'


__all__ = ["parse_principal", "principal_arn"]

_ACCOUNT = r"(\d{12})"
_PART = "(" + "|".join(re.escape(p) for p in PARTITIONS) + ")"
# IAM names: letters, digits and +=,.@_- ; paths are /-separated runs of printable ASCII.
_NAME = r"([\w+=,.@-]{1,128})"
_PATH = r"((?:/[\x21-\x2e\x30-\x7e]+)*/)?"

_USER_RE = re.compile(rf"^arn:{_PART}:iam::{_ACCOUNT}:user{_PATH}{_NAME}$")
_ROLE_RE = re.compile(rf"^arn:{_PART}:iam::{_ACCOUNT}:role{_PATH}{_NAME}$")
_ROOT_RE = re.compile(rf"^arn:{_PART}:iam::{_ACCOUNT}:root$")
_SESSION_RE = re.compile(rf"^arn:{_PART}:sts::{_ACCOUNT}:assumed-role/{_NAME}/([\w+=,.@-]{{2,64}})$")
_FEDERATED_RE = re.compile(rf"^arn:{_PART}:sts::{_ACCOUNT}:federated-user/([\w+=,.@-]{{2,32}})$")
_BARE_ACCOUNT_RE = re.compile(rf"^{_ACCOUNT}$")
_SERVICE_RE = re.compile(r"^[a-z0-9][a-z0-9-]*(\.[a-z0-9][a-z0-9-]*)+$")


def parse_principal(text: object) -> Principal:
    """Parse the caller of a request; raise ``RequestError("principal: ...")`` for any other text."""
    if not isinstance(text, str):
        raise RequestError(f"principal: must be a string, got {type(text).__name__}")
    t = text.strip()
    if t == "anonymous":
        return Principal(PrincipalKind.ANONYMOUS, t)
    m = _BARE_ACCOUNT_RE.fullmatch(t)
    if m:
        return Principal(PrincipalKind.ROOT, t, account=t, partition="aws")
    m = _ROOT_RE.fullmatch(t)
    if m:
        return Principal(PrincipalKind.ROOT, t, account=m.group(2), partition=m.group(1))
    m = _USER_RE.fullmatch(t)
    if m:
        return Principal(PrincipalKind.USER, t, account=m.group(2), name=m.group(4), partition=m.group(1))
    m = _ROLE_RE.fullmatch(t)
    if m:
        return Principal(
            PrincipalKind.ROLE, t, account=m.group(2), name=m.group(4), role_arn=t, partition=m.group(1)
        )
    m = _SESSION_RE.fullmatch(t)
    if m:
        partition, account, role, _session = m.groups()
        return Principal(
            PrincipalKind.ASSUMED_ROLE,
            t,
            account=account,
            name=role,
            role_arn=f"arn:{partition}:iam::{account}:role/{role}",
            session_arn=t,
            partition=partition,
        )
    m = _FEDERATED_RE.fullmatch(t)
    if m:
        return Principal(
            PrincipalKind.FEDERATED_USER, t, account=m.group(2), name=m.group(3), partition=m.group(1)
        )
    if _SERVICE_RE.fullmatch(t) and len(t) <= 256:
        return Principal(PrincipalKind.SERVICE, t, name=t)
    if t.startswith("arn:"):
        parts = t.split(":")
        if len(parts) >= 2 and parts[1] not in PARTITIONS:
            raise RequestError(
                f"principal: {_q(t)} has partition {_q(parts[1])}; expected one of {', '.join(PARTITIONS)}"
            )
        raise RequestError(
            f"principal: {_q(t)} is not an IAM user, role, root, assumed-role session or federated-user ARN"
        )
    raise RequestError(
        f"principal: {_q(t)} is not an ARN, a 12-digit account id, a service principal "
        '(e.g. "s3.amazonaws.com") or "anonymous"'
    )


def principal_arn(principal: Principal) -> str | None:
    """The ``aws:PrincipalArn`` of a caller: the role ARN for a role session, the root ARN for an
    account, the caller's own ARN otherwise; None for service principals and anonymous callers.

    https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html#condition-keys-principalarn
    """
    kind = principal.kind
    if kind in (PrincipalKind.ROLE, PrincipalKind.ASSUMED_ROLE):
        return principal.role_arn
    if kind is PrincipalKind.ROOT:
        return f"arn:{principal.partition}:iam::{principal.account}:root"
    if kind in (PrincipalKind.USER, PrincipalKind.FEDERATED_USER):
        return principal.text
    return None
