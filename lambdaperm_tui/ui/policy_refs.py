"""Names and owners of what-if ``PolicyRef``s as the explorer shows them (duck-typed for now)."""

from __future__ import annotations

from typing import Any


def ref_label(ref: Any) -> str:
    """A person-readable name of a ``PolicyRef``."""
    for attr in ("label", "display", "title"):
        value = getattr(ref, attr, None)
        if callable(value):
            value = value()
        if isinstance(value, str) and value:
            return value
    return str(ref)


def ref_owner(ref: Any) -> str:
    """The ARN a ``PolicyRef`` belongs to (duck-typed)."""
    return str(
        getattr(ref, "owner", None) or getattr(ref, "arn", None) or getattr(ref, "resource", None) or ""
    )


def ref_matches(ref: Any, owner: str, name: str) -> bool:
    """Whether a what-if ``PolicyRef`` points at the policy ``name`` (detail-view vocabulary) of ``owner``."""
    if getattr(ref, "owner", None) != owner:
        return False
    kind = str(getattr(ref, "kind", ""))
    if name == "policy":
        return kind in ("function-policy", "alias-policy", "version-policy", "layer-version-policy")
    if name == "trust":
        return kind == "role-trust"
    if name == "managed":
        return kind == "managed"
    if name.startswith("inline/"):
        return kind.endswith("-inline") and getattr(ref, "name", None) == name.split("/", 1)[1]
    return False
