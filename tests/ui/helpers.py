"""Helpers of the UI tests: an app over the fixed inventory, and waiting for a condition."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from lambdaperm_tui.inventory.model import Inventory
from lambdaperm_tui.ui.app import LambdaPermApp

from .inventory_fixture import FIXED_NOW, make_inventory, streaming_loader


def build_app(inv: Inventory | None = None, **kwargs: object) -> LambdaPermApp:
    """The explorer over ``inv`` (the fixture by default), streamed through the fake loader."""
    inv = inv or make_inventory()
    gate = kwargs.pop("gate", None)
    app = LambdaPermApp(
        streaming_loader(inv, gate=gate),  # type: ignore[arg-type]
        source_label=inv.source,
        regions=inv.regions,
        now=lambda: FIXED_NOW,
    )
    return app


async def wait_for(pilot: object, cond: Callable[[], bool], timeout: float = 30.0) -> None:
    """Pause the pilot until ``cond()`` holds (workers and timers run meanwhile)."""
    loop = asyncio.get_running_loop()
    end = loop.time() + timeout
    while not cond():
        if loop.time() > end:
            raise AssertionError("condition not reached in time")
        await pilot.pause(0.05)  # type: ignore[attr-defined]


def loaded(app: LambdaPermApp) -> bool:
    """The load finished and the functions list has its cursor on the first row."""
    tree = app.pane("functions").rows_tree
    return not app.loading and app.fold.final is not None and tree.cursor_line >= 0
