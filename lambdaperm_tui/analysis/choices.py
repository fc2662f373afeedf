"""Suggestions for the simulator's inputs: principals and resources the inventory knows."""

from __future__ import annotations

from ..inventory.model import Inventory
from .principals import named_principals


def principal_choices(inv: Inventory) -> tuple[str, ...]:
    """Roles and users of the account, its root, the principals its policies name, and ``anonymous``."""
    out: list[str] = [r.arn for r in inv.roles]
    out += [u.arn for u in inv.users]
    out.append(f"arn:aws:iam::{inv.account_id}:root")
    for named in named_principals(inv):
        if named.kind in ("account", "role", "user", "session", "service"):
            out.append(named.principal)
    out.append("anonymous")
    return tuple(dict.fromkeys(out))


def resource_choices(inv: Inventory) -> tuple[str, ...]:
    """Every function (unqualified), version, alias and layer version ARN, in inventory order."""
    out: list[str] = []
    for fn in inv.functions:
        out.append(fn.arn)
        out += [v.arn for v in fn.versions]
        out += [a.arn for a in fn.aliases]
    for layer in inv.layers:
        out += [lv.arn for lv in layer.versions]
    return tuple(out)


def functions_using_role(inv: Inventory, role_arn: str) -> tuple[str, ...]:
    """ARNs of the functions whose execution role is ``role_arn``."""
    return tuple(fn.arn for fn in inv.functions if fn.role == role_arn)


def execution_role_arns(inv: Inventory) -> frozenset[str]:
    """Roles used as a function's execution role (for "execution roles first" in the Roles pane)."""
    return frozenset(fn.role for fn in inv.functions if fn.role)


__all__ = ["execution_role_arns", "functions_using_role", "principal_choices", "resource_choices"]
