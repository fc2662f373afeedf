"""Every principal named in the inventory's resource and trust policies: accounts, services, the public.

Reads the raw documents (any JSON: a malformed part is skipped here, and reported as a policy error
where the policy is evaluated), so the Principals pane shows who is named even in odd policies.
Principal forms: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from enum import Enum
from typing import Any, Literal

from ..iam.policy import PrincipalEntryKind, principal_entry
from ..inventory.model import Inventory, PolicySlot
from .whatif import PolicyRef, iter_policies

NamedKind = Literal[
    "public",
    "organization",
    "account",
    "role",
    "user",
    "session",
    "service",
    "federated",
    "canonical-user",
    "other",
]

_ORG_KEYS = ("aws:principalorgid", "aws:principalorgpaths")

# A placeholder account for "some member account of organization o-...": it stands for any of them.
ORG_MEMBER_PLACEHOLDER = "000000000000"


@dataclass(frozen=True, slots=True)
class NamedAt:
    """One place a principal is named: which policy, which statement, with which effect and conditions."""

    ref: PolicyRef
    statement_index: int
    sid: str | None
    effect: str
    actions: tuple[str, ...]
    conditions: tuple[str, ...]  # "StringEquals aws:SourceArn = arn:aws:s3:::bucket", ...
    not_principal: bool = False


@dataclass(frozen=True, slots=True)
class NamedPrincipal:
    """A principal as written in policies (``principal``), its kind, account when known, and where."""

    principal: str
    kind: NamedKind
    account: str | None
    where: tuple[NamedAt, ...]
    external: bool = False  # outside the inventory's account (another account, the public, an org)

    def label(self) -> str:
        """Words for a person: ``public (*)``, ``organization o-abc``, ``service s3.amazonaws.com``."""
        if self.kind == "public":
            return "public (anyone)"
        return f"{self.kind} {self.principal}"


def _as_list(value: Any) -> list[Any]:
    if isinstance(value, list):
        return value
    return [value]


def _statements(document: Any) -> Iterator[tuple[int, dict[str, Any]]]:
    if not isinstance(document, dict):
        return
    stmts = document.get("Statement")
    if isinstance(stmts, dict):
        stmts = [stmts]
    if not isinstance(stmts, list):
        return
    for i, st in enumerate(stmts):
        if isinstance(st, dict):
            yield i, st


def _conditions(st: dict[str, Any]) -> tuple[tuple[str, str, tuple[str, ...]], ...]:
    cond = st.get("Condition")
    out: list[tuple[str, str, tuple[str, ...]]] = []
    if not isinstance(cond, dict):
        return ()
    for op, block in cond.items():
        if not isinstance(block, dict):
            continue
        for key, values in block.items():
            out.append((str(op), str(key), tuple(str(v) for v in _as_list(values))))
    return tuple(out)


# The engine's kinds of principal entry (iam/policy.py) as the kinds this module lists.
_NAMED_KINDS: dict[PrincipalEntryKind, NamedKind] = {
    "any": "public",
    "account": "account",
    "user": "user",
    "role": "role",
    "session": "session",
    "federated_user": "other",
    "service": "service",
    "federated": "federated",
    "canonical": "canonical-user",
    "other": "other",
}


def _classify(ptype: str, value: str, own_account: str) -> tuple[str, NamedKind, str | None]:
    """(principal as shown, kind, account) for one entry of a Principal element, as the engine reads it
    (``iam.policy.principal_entry``): a bare account id is shown as its root ARN."""
    entry = principal_entry(ptype, value)
    if entry.kind == "account" and entry.partition is None:
        return f"arn:aws:iam::{value}:root", "account", value
    account = entry.account
    if account is None and entry.kind == "other" and ptype == "AWS":
        # An ARN of no principal form (a group, a wildcard account): its account still says whether it
        # lies outside the inventory.
        parts = value.split(":", 5)
        account = parts[4] or None if len(parts) == 6 and parts[0] == "arn" else None
    return value, _NAMED_KINDS[entry.kind], account


def _principals_of(st: dict[str, Any]) -> Iterator[tuple[str, str, bool]]:
    """(type, value, is_not_principal) for each principal a statement names."""
    for element, negated in (("Principal", False), ("NotPrincipal", True)):
        if element not in st:
            continue
        value = st[element]
        if value == "*":
            yield "AWS", "*", negated
            continue
        if not isinstance(value, dict):
            continue
        for ptype, vals in value.items():
            for v in _as_list(vals):
                if isinstance(v, str):
                    yield str(ptype), v, negated


# The policies that name principals: resource policies and role trust policies (identity policies and
# SCPs/RCPs have no Principal element).
_NAMING_KINDS = frozenset(
    {"function-policy", "version-policy", "alias-policy", "layer-version-policy", "role-trust"}
)


def _policy_slots(inv: Inventory) -> Iterator[tuple[PolicyRef, PolicySlot]]:
    return ((ref, slot) for ref, slot in iter_policies(inv) if ref.kind in _NAMING_KINDS)


def named_principals(inv: Inventory) -> tuple[NamedPrincipal, ...]:
    """Every principal named in a resource policy or trust policy of the inventory, with where.

    ``"*"`` with an ``aws:PrincipalOrgID``/``aws:PrincipalOrgPaths`` condition is listed as the
    organization(s) it names (kind ``organization``); without one, as ``public``. Sorted: external
    first (public, organizations, accounts, ...), then by name.
    """
    found: dict[tuple[str, str], list[NamedAt]] = {}
    meta: dict[tuple[str, str], tuple[NamedKind, str | None]] = {}
    for ref, slot in _policy_slots(inv):
        if slot.document is None:
            continue
        for i, st in _statements(slot.document):
            conds = _conditions(st)
            cond_text = tuple(f"{op} {key} = {', '.join(vals)}" for op, key, vals in conds)
            sid = st.get("Sid") if isinstance(st.get("Sid"), str) else None
            effect = str(st.get("Effect", ""))
            actions = tuple(str(a) for a in _as_list(st.get("Action", st.get("NotAction", ()))))
            for ptype, value, negated in _principals_of(st):
                name, kind, account = _classify(ptype, value, inv.account_id)
                entries: list[tuple[str, NamedKind, str | None]] = [(name, kind, account)]
                if kind == "public":
                    orgs = [
                        v
                        for op, key, vals in conds
                        if key.lower() in _ORG_KEYS
                        and not op.lower().startswith(("stringnot", "forallvalues:stringnot"))
                        for v in vals
                    ]
                    if orgs:
                        entries = [(v, "organization", None) for v in orgs]
                at = NamedAt(ref, i, sid, effect, actions, cond_text, negated)
                for ename, ekind, eaccount in entries:
                    key = (ekind, ename)
                    found.setdefault(key, []).append(at)
                    meta[key] = (ekind, eaccount)
    order = {
        "public": 0,
        "organization": 1,
        "account": 2,
        "role": 3,
        "user": 3,
        "session": 3,
        "federated": 4,
        "service": 5,
        "canonical-user": 6,
        "other": 7,
    }
    out = []
    for (_, pname), where in found.items():
        pkind, account = meta[(_, pname)]
        external = pkind in ("public", "organization") or (account is not None and account != inv.account_id)
        out.append(NamedPrincipal(pname, pkind, account, tuple(where), external))
    out.sort(key=lambda n: (not n.external, order.get(n.kind, 9), n.principal))
    return tuple(out)


@dataclass(frozen=True, slots=True)
class Caller:
    """Whom the engine is asked about for a named principal: the principal evaluated (ARN, service
    principal, ``anonymous``), the request context that stands for it, and what that assumes."""

    principal: str
    label: str
    context: tuple[tuple[str, str], ...] = ()
    assumes: tuple[str, ...] = ()


class NotACaller(Enum):
    """Why a named principal is no caller to ask what it can do."""

    FEDERATED = "federated"  # an identity provider: its users act through the roles that trust it
    ORGANIZATION_PATTERN = "organization-pattern"  # an org path or pattern: no one organization to stand for
    NOT_A_LAMBDA_CALLER = "not-a-lambda-caller"  # a canonical user or an unrecognised principal form


def public_caller() -> Caller:
    """``Principal: "*"``: asked as an anonymous caller, since what is granted to anyone, unsigned
    requests included, is granted to every principal."""
    return Caller("anonymous", "public (anyone, unauthenticated)")


def organization_caller(org: str) -> Caller | NotACaller:
    """Any account of organization ``org``: the placeholder member account with ``aws:PrincipalOrgID``
    set to ``org`` (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html
    #condition-keys-principalorgid); an org path or a pattern stands for no single organization."""
    if "*" in org or "?" in org or "/" in org:
        return NotACaller.ORGANIZATION_PATTERN
    return Caller(
        f"arn:aws:iam::{ORG_MEMBER_PLACEHOLDER}:root",
        f"any account in organization {org}",
        (("aws:PrincipalOrgID", org),),
        (f"account {ORG_MEMBER_PLACEHOLDER} stands for any member account of {org}",),
    )


def caller_of(named: NamedPrincipal) -> Caller | NotACaller:
    """The caller to ask about for a principal of the Principals list (what-can, the simulator)."""
    if named.kind == "public":
        return public_caller()
    if named.kind == "organization":
        return organization_caller(named.principal)
    if named.kind == "federated":
        return NotACaller.FEDERATED
    if named.kind in ("canonical-user", "other"):
        return NotACaller.NOT_A_LAMBDA_CALLER
    return Caller(named.principal, named.principal)


__all__ = [
    "ORG_MEMBER_PLACEHOLDER",
    "Caller",
    "NamedAt",
    "NamedKind",
    "NamedPrincipal",
    "NotACaller",
    "caller_of",
    "named_principals",
    "organization_caller",
    "public_caller",
]
