"""Which what-if ``PolicyRef`` the explorer's detail view means by a policy name (``policy``, ``trust``,
``managed``, ``inline/NAME``)."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ..analysis.whatif import PolicyRef


def ref_matches(ref: PolicyRef, owner: str, name: str) -> bool:
    """Whether a what-if ``PolicyRef`` points at the policy ``name`` (detail-view vocabulary) of ``owner``."""
    if ref.owner != owner:
        return False
    if name == "policy":
        return ref.kind in ("function-policy", "alias-policy", "version-policy", "layer-version-policy")
    if name == "trust":
        return ref.kind == "role-trust"
    if name == "managed":
        return ref.kind == "managed"
    if name.startswith("inline/"):
        return ref.kind.endswith("-inline") and ref.name == name.split("/", 1)[1]
    return False
