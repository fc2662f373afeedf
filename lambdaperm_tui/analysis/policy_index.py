"""Per-inventory look-ups and the parsed-policy cache shared by every answer."""

from __future__ import annotations

import threading
from typing import Any

from ..iam.errors import PolicyError
from ..iam.policy import Policy, parse_policy
from ..inventory.model import (
    Function,
    Group,
    Inventory,
    LayerVersion,
    ManagedPolicy,
    PolicySlot,
    Role,
    User,
)


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
        # Whole answers over this inventory, keyed by the question (who-can rows): an inventory never
        # changes, so an answer stays right for as long as the inventory lives (a what-if edit makes a
        # new inventory, with an index of its own). Bounded.
        self.answers: dict[tuple[object, ...], object] = {}
        # Values derived from this inventory alone, keyed by (what, key): a principal text resolved, the
        # principal side of a question's inputs (targets.py, gather.py). Bounded.
        self.derived: dict[tuple[str, str], object] = {}

    def derive(self, key: tuple[str, str], value: object) -> None:
        """Keep ``value`` as derived from this inventory under ``key`` (cleared past a bound)."""
        with _INDEX_LOCK:
            if len(self.derived) >= _MAX_DERIVED:
                self.derived.clear()
            self.derived[key] = value

    def remember(self, key: tuple[object, ...], value: object) -> None:
        """Keep ``value`` as the answer to ``key`` (the oldest answers go first past a bound)."""
        with _INDEX_LOCK:
            if len(self.answers) >= _MAX_ANSWERS:
                self.answers.pop(next(iter(self.answers)))
            self.answers[key] = value


_INDEX_LOCK = threading.Lock()


_INDEXES: dict[int, tuple[Inventory, _Index]] = {}


_MAX_INDEXES = 8
# Questions remembered per inventory: a screenful of who-can answers the explorer may ask again.
_MAX_ANSWERS = 64
# Derived values per inventory: two per principal of a large account, with room to spare.
_MAX_DERIVED = 200_000


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
