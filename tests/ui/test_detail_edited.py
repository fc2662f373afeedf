"""The detail marks exactly the policies with a what-if edit: it asks by ``PolicyRef`` (the analysis
layer's name for a slot), one per policy block, so a trust, inline, managed or alias policy is marked
only when that very slot was edited."""

from __future__ import annotations

from collections.abc import Sequence

from rich.console import Console

from lambdaperm_tui.analysis.whatif import PolicyRef
from lambdaperm_tui.ui.widgets.detail import function_detail, role_detail

from .inventory_fixture import BILLING_ROLE, ORDERS_ROLE, make_inventory

MARK = "✎ edited"


def _text(blocks: Sequence[object]) -> str:
    console = Console(width=200, record=True, color_system=None)
    for block in blocks:
        console.print(block)
    return console.export_text()


def _marked_lines(blocks: Sequence[object]) -> list[str]:
    return [line for line in _text(blocks).splitlines() if MARK in line]


def test_only_the_edited_role_policy_is_marked() -> None:
    inv = make_inventory()
    orders = next(r for r in inv.roles if r.arn == ORDERS_ROLE)
    inline = PolicyRef("role-inline", orders.arn, orders.inline_policies[0].name)
    assert _marked_lines(role_detail(orders, inv, raw="cards", edited=lambda ref: False)) == []
    marked = _marked_lines(role_detail(orders, inv, raw="cards", edited=lambda ref: ref == inline))
    assert len(marked) == 1 and "Inline policy invoke-billing" in marked[0]
    trust = PolicyRef("role-trust", orders.arn)
    marked = _marked_lines(role_detail(orders, inv, raw="cards", edited=lambda ref: ref == trust))
    assert len(marked) == 1 and "Trust policy" in marked[0]
    billing = next(r for r in inv.roles if r.arn == BILLING_ROLE)
    managed = PolicyRef("managed", billing.managed_policy_arns[0])
    marked = _marked_lines(role_detail(billing, inv, raw="cards", edited=lambda ref: ref == managed))
    assert len(marked) == 1 and "Managed policy" in marked[0]


def test_an_alias_policy_edit_marks_the_alias_block_only() -> None:
    inv = make_inventory()
    fn = next(f for f in inv.functions if f.aliases)
    alias = fn.aliases[0]
    edited = PolicyRef("alias-policy", alias.arn)
    marked = _marked_lines(function_detail(fn, inv, raw="cards", edited=lambda ref: ref == edited))
    assert len(marked) == 1 and f"alias {fn.name}:{alias.name}" in marked[0]
