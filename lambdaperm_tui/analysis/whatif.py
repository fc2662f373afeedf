"""What-if: name every policy of an inventory, read it, and replace it locally (nothing is sent to AWS).

``PolicyRef`` is a stable name for one policy slot. ``replace_policy`` is pure: it returns a new
``Inventory`` that differs only in that slot and records the edit in ``Inventory.extra["edited"]``
(a frozenset of refs), so anything holding only the inventory can still mark edited policies.

For a UI that must offer "reset", ``WhatIf`` keeps the base inventory and the edits side by side:
``WhatIf(base).edit(ref, doc)`` gives a new ``WhatIf`` whose ``.inventory`` has the edit applied;
``.reset(ref)`` or ``.reset()`` drops edits; ``.is_edited(ref)`` answers the "edited" badge.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, Literal, TypeVar

from ..iam.errors import InputError, PolicyError
from ..iam.policy import parse_policy
from ..inventory.model import (
    Alias,
    Function,
    Group,
    Inventory,
    Layer,
    LayerVersion,
    ManagedPolicy,
    NamedPolicy,
    PolicySlot,
    Role,
    User,
    Version,
)

PolicyKind = Literal[
    "function-policy",
    "alias-policy",
    "version-policy",
    "layer-version-policy",
    "role-trust",
    "role-inline",
    "managed",
    "user-inline",
    "group-inline",
    "scp",
    "rcp",
]

_KIND_WORDS: dict[str, str] = {
    "function-policy": "function policy",
    "alias-policy": "alias policy",
    "version-policy": "version policy",
    "layer-version-policy": "layer version policy",
    "role-trust": "trust policy",
    "role-inline": "inline policy",
    "managed": "managed policy",
    "user-inline": "inline policy",
    "group-inline": "group inline policy",
    "scp": "SCP",
    "rcp": "RCP",
}

# How an inline policy is named in explanations, by the kind of its holder.
_INLINE_TAGS: dict[str, str] = {
    "role-inline": "inline",
    "user-inline": "inline",
    "group-inline": "group-inline",
}

EDITED_KEY = "edited"


@dataclass(frozen=True, slots=True, order=True)
class PolicyRef:
    """A stable name for one policy in an inventory.

    ``owner`` is the ARN the policy belongs to (function, alias or version ARN, layer version ARN, role,
    user or group ARN, the managed policy's own ARN) or, for SCPs/RCPs, ``level:N`` (0 = root).
    ``name`` is the inline policy's or SCP's name, empty for resource, trust and managed policies.
    """

    kind: PolicyKind
    owner: str
    name: str = ""

    @property
    def policy_name(self) -> str:
        """The name the engine gives this policy, in explanations, deciding statements and scenarios:
        ``billing`` / ``billing:prod`` (a function's, version's or alias's policy), ``my-layer:3``,
        ``orders-api/trust``, ``orders-api/inline/invoke`` (``group-inline`` for a group's), a managed
        policy's ARN, an SCP's or RCP's name. The one rule: every layer that names a slot asks here."""
        if self.kind == "managed":
            return self.owner
        if self.kind in ("scp", "rcp"):
            return self.name
        short = _short_owner(self.owner)
        if self.kind == "role-trust":
            return f"{short}/trust"
        if self.kind in _INLINE_TAGS:
            return f"{short}/{_INLINE_TAGS[self.kind]}/{self.name}"
        return short

    def label(self) -> str:
        """Short words for a person: ``function policy billing:prod``, ``inline policy orders-api/invoke``."""
        words = _KIND_WORDS.get(self.kind, self.kind)
        short = _short_owner(self.owner)
        if self.kind in ("scp", "rcp"):
            return f"{words} {self.name} ({self.owner.replace(':', ' ')})"
        if self.name:
            return f"{words} {short}/{self.name}"
        return f"{words} {short}"


def _short_owner(owner: str) -> str:
    """The readable tail of an ARN: ``function:billing:prod`` -> ``billing:prod``, ``role/x`` -> ``x``."""
    parts = owner.split(":", 5)
    if len(parts) < 6:
        return owner
    resource = parts[5]
    for prefix in ("function:", "layer:"):
        if resource.startswith(prefix):
            return resource[len(prefix) :]
    if "/" in resource:
        return resource.rsplit("/", 1)[-1]
    return resource


def _walk(inv: Inventory) -> Iterator[tuple[PolicyRef, PolicySlot]]:
    for fn in inv.functions:
        yield PolicyRef("function-policy", fn.arn), fn.policy
        for ver in fn.versions:
            yield PolicyRef("version-policy", ver.arn), ver.policy
        for alias in fn.aliases:
            yield PolicyRef("alias-policy", alias.arn), alias.policy
    for layer in inv.layers:
        for lv in layer.versions:
            yield PolicyRef("layer-version-policy", lv.arn), lv.policy
    for role in inv.roles:
        yield PolicyRef("role-trust", role.arn), role.trust_policy
        for np in role.inline_policies:
            yield PolicyRef("role-inline", role.arn, np.name), np.slot
    for user in inv.users:
        for np in user.inline_policies:
            yield PolicyRef("user-inline", user.arn, np.name), np.slot
    for group in inv.groups:
        for np in group.inline_policies:
            yield PolicyRef("group-inline", group.arn, np.name), np.slot
    for mp in inv.managed_policies:
        yield PolicyRef("managed", mp.arn), mp.slot
    for kind, levels in (("scp", inv.scps), ("rcp", inv.rcps)):
        for i, level in enumerate(levels or ()):
            for np in level:
                yield PolicyRef(kind, f"level:{i}", np.name), np.slot  # type: ignore[arg-type]


def iter_policies(inv: Inventory) -> Iterator[tuple[PolicyRef, PolicySlot]]:
    """Every (ref, slot) of the inventory in one pass (cheaper than ``get_policy`` per ref)."""
    return _walk(inv)


def policy_refs(inv: Inventory) -> tuple[PolicyRef, ...]:
    """Every policy slot of the inventory (including "no policy" and unknown ones), in inventory order."""
    return tuple(ref for ref, _ in _walk(inv))


def get_policy(inv: Inventory, ref: PolicyRef) -> PolicySlot:
    """The slot ``ref`` names. Raises ``InputError`` when the inventory has no such policy."""
    slot = _find(inv, ref)
    if slot is None:
        raise InputError(f"policy: no {ref.label()} in the inventory")
    return slot


def _find(inv: Inventory, ref: PolicyRef) -> PolicySlot | None:
    # Direct look-ups by kind: the UI asks for one policy at a time over accounts of thousands.
    k, owner, name = ref.kind, ref.owner, ref.name
    if k in ("function-policy", "version-policy", "alias-policy", "layer-version-policy"):
        base = ":".join(owner.split(":")[:7])
        if k == "layer-version-policy":
            for layer in inv.layers:
                if layer.arn == base:
                    return next((lv.policy for lv in layer.versions if lv.arn == owner), None)
            return None
        fn = next((f for f in inv.functions if f.arn == base), None)
        if fn is None:
            return None
        if k == "function-policy":
            return fn.policy if fn.arn == owner else None
        items: tuple[Version, ...] | tuple[Alias, ...] = fn.versions if k == "version-policy" else fn.aliases
        return next((x.policy for x in items if x.arn == owner), None)
    if k in ("role-trust", "role-inline"):
        role = next((r for r in inv.roles if r.arn == owner), None)
        if role is None:
            return None
        if k == "role-trust":
            return role.trust_policy
        return next((p.slot for p in role.inline_policies if p.name == name), None)
    if k in ("user-inline", "group-inline"):
        holders: tuple[User, ...] | tuple[Group, ...] = inv.users if k == "user-inline" else inv.groups
        holder = next((h for h in holders if h.arn == owner), None)
        if holder is None:
            return None
        return next((p.slot for p in holder.inline_policies if p.name == name), None)
    if k == "managed":
        return next((m.slot for m in inv.managed_policies if m.arn == owner), None)
    if k in ("scp", "rcp"):
        levels = inv.scps if k == "scp" else inv.rcps
        try:
            index = int(owner.split(":", 1)[1])
        except (IndexError, ValueError):
            return None
        if levels is None or not 0 <= index < len(levels):
            return None
        return next((p.slot for p in levels[index] if p.name == name), None)
    return None


def edited_refs(inv: Inventory) -> frozenset[PolicyRef]:
    """The refs replaced by ``replace_policy`` on the way to this inventory."""
    value = inv.extra.get(EDITED_KEY, frozenset())
    return value if isinstance(value, frozenset) else frozenset()


def replace_policy(inv: Inventory, ref: PolicyRef, document: Any) -> Inventory:
    """A new inventory where the policy ``ref`` names is ``document`` (``None`` = no policy).

    The document is validated first with the engine's parser, so a bad edit raises ``PolicyError``
    (message naming the statement and element) and nothing changes. Pure: ``inv`` is not modified.
    """
    if document is not None:
        parse_policy(document, ref.label())
    get_policy(inv, ref)  # raises for an unknown ref before any copying
    new_slot = PolicySlot(document=document)
    new = _replace_slot(inv, ref, new_slot)
    extra = dict(inv.extra)
    extra[EDITED_KEY] = edited_refs(inv) | {ref}
    return dataclasses.replace(new, extra=extra)


def _named(policies: tuple[NamedPolicy, ...], name: str, slot: PolicySlot) -> tuple[NamedPolicy, ...]:
    return tuple(NamedPolicy(p.name, slot) if p.name == name else p for p in policies)


_Holder = TypeVar("_Holder", Role, User, Group)


def _with_inline(holder: _Holder, ref: PolicyRef, slot: PolicySlot) -> _Holder:
    """``holder`` with its inline policy ``ref.name`` replaced, if ``ref`` names this holder."""
    if holder.arn != ref.owner:
        return holder
    return dataclasses.replace(holder, inline_policies=_named(holder.inline_policies, ref.name, slot))


def _replace_slot(inv: Inventory, ref: PolicyRef, slot: PolicySlot) -> Inventory:
    rep = dataclasses.replace
    k = ref.kind
    if k in ("function-policy", "version-policy", "alias-policy"):

        def fix_fn(fn: Function) -> Function:
            if k == "function-policy" and fn.arn == ref.owner:
                return rep(fn, policy=slot)
            if k == "version-policy":
                vs: tuple[Version, ...] = tuple(
                    rep(v, policy=slot) if v.arn == ref.owner else v for v in fn.versions
                )
                return rep(fn, versions=vs)
            if k == "alias-policy":
                al: tuple[Alias, ...] = tuple(
                    rep(a, policy=slot) if a.arn == ref.owner else a for a in fn.aliases
                )
                return rep(fn, aliases=al)
            return fn

        return rep(inv, functions=tuple(fix_fn(f) for f in inv.functions))
    if k == "layer-version-policy":

        def fix_layer(layer: Layer) -> Layer:
            lvs: tuple[LayerVersion, ...] = tuple(
                rep(lv, policy=slot) if lv.arn == ref.owner else lv for lv in layer.versions
            )
            return rep(layer, versions=lvs)

        return rep(inv, layers=tuple(fix_layer(x) for x in inv.layers))
    if k == "role-trust":
        return rep(
            inv, roles=tuple(rep(r, trust_policy=slot) if r.arn == ref.owner else r for r in inv.roles)
        )
    if k == "role-inline":
        return rep(inv, roles=tuple(_with_inline(r, ref, slot) for r in inv.roles))
    if k == "user-inline":
        return rep(inv, users=tuple(_with_inline(u, ref, slot) for u in inv.users))
    if k == "group-inline":
        return rep(inv, groups=tuple(_with_inline(g, ref, slot) for g in inv.groups))
    if k == "managed":
        mps: tuple[ManagedPolicy, ...] = tuple(
            rep(m, slot=slot) if m.arn == ref.owner else m for m in inv.managed_policies
        )
        return rep(inv, managed_policies=mps)
    if k in ("scp", "rcp"):
        levels = inv.scps if k == "scp" else inv.rcps
        index = int(ref.owner.split(":", 1)[1])
        new_levels = tuple(
            _named(level, ref.name, slot) if i == index else level for i, level in enumerate(levels or ())
        )
        return rep(inv, scps=new_levels) if k == "scp" else rep(inv, rcps=new_levels)
    raise InputError(f'policy: unknown policy kind "{k}"')


@dataclass(frozen=True, slots=True)
class WhatIf:
    """A base inventory plus local edits, for "edited until reset" in the UI.

    Each edit is validated when made (``PolicyError``); ``inventory`` is the base with every edit applied.
    """

    base: Inventory
    edits: tuple[tuple[PolicyRef, Any], ...] = ()
    inventory: Inventory = dataclasses.field(init=False, compare=False, repr=False)

    def __post_init__(self) -> None:
        # Computed once: answers cache parsed policies per slot, so a stable inventory keeps them warm.
        inv = self.base
        for ref, doc in self.edits:
            inv = replace_policy(inv, ref, doc)
        object.__setattr__(self, "inventory", inv)

    def edit(self, ref: PolicyRef, document: Any) -> WhatIf:
        """A new ``WhatIf`` with ``ref`` replaced by ``document`` (validated now; raises ``PolicyError``)."""
        if document is not None:
            parse_policy(document, ref.label())
        get_policy(self.base, ref)
        rest = tuple((r, d) for r, d in self.edits if r != ref)
        return WhatIf(self.base, (*rest, (ref, document)))

    def reset(self, ref: PolicyRef | None = None) -> WhatIf:
        """Drop the edit of ``ref`` (or every edit when ``ref`` is None)."""
        if ref is None:
            return WhatIf(self.base)
        return WhatIf(self.base, tuple((r, d) for r, d in self.edits if r != ref))

    def is_edited(self, ref: PolicyRef) -> bool:
        """True when ``ref`` has a local edit."""
        return any(r == ref for r, _ in self.edits)

    @property
    def edited(self) -> frozenset[PolicyRef]:
        """Every ref with a local edit."""
        return frozenset(r for r, _ in self.edits)

    def original(self, ref: PolicyRef) -> PolicySlot:
        """The slot as loaded, before any edit."""
        return get_policy(self.base, ref)


__all__ = [
    "EDITED_KEY",
    "PolicyError",
    "PolicyKind",
    "PolicyRef",
    "WhatIf",
    "edited_refs",
    "get_policy",
    "iter_policies",
    "policy_refs",
    "replace_policy",
]
