"""Once loaded, the Functions list is ordered by the source's region order, then name, whatever order the
regions answered in; the row under the cursor and expanded rows survive the re-ordering."""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import replace
from typing import Any

from lambdaperm_tui.aws.loader import FunctionLoaded, FunctionsListed, IamLoaded, LoadFinished
from lambdaperm_tui.inventory.model import Inventory
from lambdaperm_tui.ui.app import LambdaPermApp

from .helpers import label_text, loaded, wait_for
from .inventory_fixture import ACCOUNT, FIXED_NOW, make_inventory

SIZE = (80, 24)
REGIONS = ("us-east-1", "eu-west-1")


def two_regions() -> Inventory:
    """The fixture with orders-api and webhook moved to eu-west-1 (the second region of the source)."""
    base = make_inventory()
    fns = []
    for fn in base.functions:
        if fn.name in ("orders-api", "webhook"):
            arn = f"arn:aws:lambda:eu-west-1:{ACCOUNT}:function:{fn.name}"
            fn = replace(fn, arn=arn, region="eu-west-1", versions=(), aliases=())
        fns.append(fn)
    return replace(base, regions=REGIONS, functions=tuple(fns))


def eu_first_loader(
    inv: Inventory, gate: threading.Event
) -> Callable[[Callable[[Any], None], threading.Event], Inventory]:
    """Streams eu-west-1 before us-east-1, and each region's functions in reverse name order."""

    def load(on_event: Callable[[Any], None], cancel: threading.Event) -> Inventory:
        for region in reversed(REGIONS):
            fns = sorted((f for f in inv.functions if f.region == region), key=lambda f: f.name, reverse=True)
            on_event(FunctionsListed(region, tuple(fns)))
        gate.wait(10)
        for fn in inv.functions:
            on_event(FunctionLoaded(fn))
        on_event(IamLoaded(inv.roles, inv.users, inv.groups, inv.managed_policies))
        on_event(LoadFinished(inv))
        return inv

    return load


def app_for(gate: threading.Event) -> LambdaPermApp:
    inv = two_regions()
    return LambdaPermApp(
        eu_first_loader(inv, gate), source_label=inv.source, regions=REGIONS, now=lambda: FIXED_NOW
    )


def names(app: LambdaPermApp) -> list[str]:
    return [label_text(node.label).split()[0] for node in app.main.pane("functions").rows_tree.root.children]


def cursor_key(app: LambdaPermApp) -> str | None:
    node = app.main.pane("functions").rows_tree.cursor_node
    return node.data.key if node is not None and node.data is not None else None


async def test_rows_follow_region_order_then_name_once_loaded() -> None:
    gate = threading.Event()
    app = app_for(gate)
    async with app.run_test(size=SIZE) as pilot:
        functions = app.main.pane("functions")
        await wait_for(pilot, lambda: len(functions.nodes) == 4 and cursor_key(app) is not None)
        assert names(app) == ["webhook", "orders-api", "secret-report", "billing"]  # as they arrived
        gate.set()
        await wait_for(pilot, lambda: loaded(app))
        await pilot.pause(0.1)
        assert names(app) == ["billing", "secret-report", "orders-api", "webhook"]
        # The cursor was only where the list put it: it goes to the new first row, and the detail follows.
        assert cursor_key(app) == f"arn:aws:lambda:us-east-1:{ACCOUNT}:function:billing"
        main = app.main
        await wait_for(pilot, lambda: main.current is not None and main.current.key == cursor_key(app))


async def test_reorder_keeps_the_users_cursor_and_expanded_rows() -> None:
    gate = threading.Event()
    app = app_for(gate)
    async with app.run_test(size=SIZE) as pilot:
        pane = app.main.pane("functions")
        await wait_for(pilot, lambda: len(pane.nodes) == 4 and cursor_key(app) is not None)
        billing = f"arn:aws:lambda:us-east-1:{ACCOUNT}:function:billing"
        # billing is the last row while streaming: expand it and put the cursor on its alias row.
        await pilot.press("G", "l", "j")
        alias = cursor_key(app)
        assert alias == f"{billing}:prod"
        gate.set()
        await wait_for(pilot, lambda: loaded(app))
        await pilot.pause(0.1)
        assert names(app) == ["billing", "secret-report", "orders-api", "webhook"]
        assert pane.nodes[billing].is_expanded
        assert cursor_key(app) == alias
        assert app.main.current is not None and app.main.current.key == alias
        assert not pane.reorder(list(pane.entries))  # already in that order: nothing rebuilt
