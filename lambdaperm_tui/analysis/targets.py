"""Who is asking and about what: the principal and resource texts of a question, resolved over an inventory.

A bare name becomes the inventory's role or user; a role session finds its role. A function ARN selects
the resource policy of exactly its qualifier (each function, version and alias has its own:
https://docs.aws.amazon.com/lambda/latest/dg/access-control-resource-based.html); ``$LATEST`` and the
unqualified ARN share the function's policy
(https://docs.aws.amazon.com/lambda/latest/dg/API_AddPermission.html). A layer version ARN selects that
version's policy. What the inventory cannot answer is marked unknown, never guessed.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from ..iam.errors import RequestError
from ..iam.principal import parse_principal
from ..iam.request import Principal, PrincipalKind
from ..inventory.model import Alias, Function, Inventory, PolicySlot, Role, User, Version
from .policy_index import _Index
from .whatif import PolicyKind, PolicyRef


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
    """The principal ``text`` names over the inventory (remembered per inventory: who-can resolves every
    principal of the account for each question). Raises ``RequestError`` for a text naming none."""
    hit = idx.derived.get(("who", text))
    if isinstance(hit, _Who):
        return hit
    who = _resolve_principal_text(idx, text)
    idx.derive(("who", text), who)
    return who


def _resolve_principal_text(idx: _Index, text: str) -> _Who:
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
        # "role/NAME" and "user/NAME" (how the UI writes principals) name one kind only.
        kind, slash, name = raw.partition("/")
        if slash and kind in ("role", "user") and name:
            named = idx.roles_by_name.get(name) if kind == "role" else idx.users_by_name.get(name)
            if named is None:
                raise RequestError(f'principal: no {kind} named "{name}" in the inventory')
            raw = named.arn
        else:
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


def _streaming(inv: Inventory) -> bool:
    """True for an inventory still being loaded: not complete, and no list is known to be cut short (a
    finished load names every list it could not read in full in ``unlisted``)."""
    return not inv.complete and not inv.unlisted


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
    role = idx.roles_by_arn.get(raw) if parts[2] == "iam" else None
    if role is not None:
        # A role of the inventory: its trust policy is its resource-based policy (who may assume it).
        # https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html
        ref = PolicyRef("role-trust", role.arn)
        return _Target(raw, account, role.trust_policy, ref.policy_name, ref)
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
            gap = inv.unlisted_of("functions", region)
            if gap is not None:
                return _Target(
                    raw,
                    acct,
                    None,
                    unknown=f"the functions of region {region} could not be listed: {gap.reason}",
                    qualifier=qualifier,
                )
            if _streaming(inv):
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
            ref = PolicyRef("function-policy", fn.arn)
            return _Target(raw, acct, fn.policy, ref.policy_name, ref, fn, None)
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
            if _streaming(inv) or not fn.policy.fetched:
                return _Target(
                    raw,
                    acct,
                    None,
                    function=fn,
                    qualifier=qualifier,
                    unknown=f"{fn.name}:{qualifier}: not loaded yet",
                )
            raise RequestError(f"resource: function {fn.name} has no version or alias {qualifier}")
        ref = PolicyRef(kind_ref, found.arn)
        return _Target(raw, acct, found.policy, ref.policy_name, ref, fn, qualifier)
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
        gap = inv.unlisted_of("layers", region)
        if gap is not None and idx.layers_by_arn.get(":".join(raw.split(":")[:7])) is None:
            return _Target(
                raw, acct, None, unknown=f"the layers of region {region} could not be listed: {gap.reason}"
            )
        if _streaming(inv):
            return _Target(raw, acct, None, unknown=f"layer version {rest[0]}:{rest[1]}: not loaded yet")
        layer = idx.layers_by_arn.get(":".join(raw.split(":")[:7]))
        if region not in inv.regions:
            return _Target(raw, acct, None, unknown=f"region {region} was not loaded")
        if layer is not None and layer.versions_unknown:
            return _Target(raw, acct, None, unknown=f"versions of layer {rest[0]}: {layer.versions_unknown}")
        raise RequestError(f"resource: no layer version {rest[0]}:{rest[1]} in the inventory")
    ref = PolicyRef("layer-version-policy", lv.arn)
    return _Target(raw, acct, lv.policy, ref.policy_name, ref)
