"""Write SVG screenshots of the explorer's main views, taken on the demo account, to ``screenshots/``.

Run with ``make screenshots`` (or ``.venv/bin/python scripts/screenshots.py``). Each picture is taken
inside ``App.run_test`` with ``save_screenshot``; the demo account runs in a local moto server, so
nothing leaves the machine.
"""

from __future__ import annotations

import asyncio
import sys
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from textual.widgets import Input, TextArea  # noqa: E402

from lambdaperm_tui.aws.source import Source  # noqa: E402
from lambdaperm_tui.sources import stop_demo  # noqa: E402
from lambdaperm_tui.ui import backend  # noqa: E402
from lambdaperm_tui.ui.app import LambdaPermApp  # noqa: E402
from lambdaperm_tui.ui.screens.policy_editor import PolicyEditorScreen  # noqa: E402
from lambdaperm_tui.ui.screens.simulator import SimulatorScreen  # noqa: E402
from lambdaperm_tui.ui.screens.what_can import WhatCanScreen  # noqa: E402
from lambdaperm_tui.ui.screens.who_can import WhoCanScreen  # noqa: E402

OUT = ROOT / "screenshots"
ACCOUNT = "123456789012"
ORDERS_ROLE = f"arn:aws:iam::{ACCOUNT}:role/orders-api-role"
BILLING_PROD = f"arn:aws:lambda:us-east-1:{ACCOUNT}:function:billing:prod"


async def until(pilot: Any, cond: Callable[[], bool], timeout: float = 60.0) -> None:
    """Pause until ``cond()`` holds."""
    end = time.monotonic() + timeout
    while not cond():
        if time.monotonic() > end:
            raise SystemExit("screenshots: the demo did not reach the expected state in time")
        await pilot.pause(0.05)


async def steady(pilot: Any) -> None:
    """No blinking cursors, no toasts, no running workers."""
    app = pilot.app
    for widget in app.screen.query(Input):
        widget.cursor_blink = False
    for area in app.screen.query(TextArea):
        area.cursor_blink = False
    app.clear_notifications()
    await app.workers.wait_for_complete()
    await pilot.pause(0.2)


def new_app() -> LambdaPermApp:
    """The explorer on the demo account."""
    source = Source(kind="demo")
    label, regions = backend.describe_source(source)
    return LambdaPermApp(backend.make_loader(source), source_label=label, regions=regions)


async def shoot(name: str, size: tuple[int, int], steps: Callable[[Any], Awaitable[None]]) -> None:
    """Run the app at ``size``, play ``steps``, save ``screenshots/NAME.svg``."""
    app = new_app()
    async with app.run_test(size=size) as pilot:
        await until(
            pilot, lambda: app.loaded_at is not None and app.main.pane("functions").rows_tree.cursor_line >= 0
        )
        await steps(pilot)
        await steady(pilot)
        app.save_screenshot(filename=f"{name}.svg", path=str(OUT))
    print(f"screenshots/{name}.svg")


async def select_billing_prod(pilot: Any) -> None:
    """Filter to billing, expand it, move to the prod alias."""
    await pilot.press("slash", *"billing", "enter")
    await pilot.pause(0.2)
    await pilot.press("l", "j")
    await pilot.pause(0.2)


async def main_view(pilot: Any) -> None:
    await pilot.press("j")
    await pilot.pause(0.2)


async def detail_view(pilot: Any) -> None:
    await select_billing_prod(pilot)
    await pilot.press("k", "enter")


async def simulate(pilot: Any, principal: str) -> None:
    app = pilot.app
    await select_billing_prod(pilot)
    await pilot.press("s")
    await until(pilot, lambda: isinstance(app.screen, SimulatorScreen))
    app.screen.query_one("#sim-principal", Input).value = principal
    await until(pilot, lambda: getattr(app.screen.answer, "principal", "") == principal)
    app.screen.query_one("#sim-tree").focus()


async def simulate_allowed(pilot: Any) -> None:
    await simulate(pilot, ORDERS_ROLE)


async def simulate_denied(pilot: Any) -> None:
    await simulate(pilot, f"arn:aws:iam::{ACCOUNT}:role/webhook-role")
    # Walk the explanation to the line that says why: its full text shows under the tree.
    await pilot.press("ctrl+t")
    tree = pilot.app.screen.query_one("#sim-tree")
    for _ in range(40):
        node = tree.cursor_node
        if node is not None and node.label.plain.startswith("✘ Principal"):
            break
        await pilot.press("j")
    await pilot.pause(0.2)


async def who_can(pilot: Any) -> None:
    app = pilot.app
    await select_billing_prod(pilot)
    await pilot.press("w")
    await until(pilot, lambda: isinstance(app.screen, WhoCanScreen) and bool(app.screen.rows))


async def what_can(pilot: Any) -> None:
    app = pilot.app
    await pilot.press("3")
    await pilot.pause(0.2)
    await pilot.press("w")
    await until(pilot, lambda: isinstance(app.screen, WhatCanScreen) and bool(app.screen.rows))


async def what_if(pilot: Any) -> None:
    app = pilot.app
    await simulate(pilot, ORDERS_ROLE)
    await pilot.press("ctrl+o")
    await pilot.pause(0.3)
    if not isinstance(app.screen, PolicyEditorScreen):
        await pilot.press("enter")  # a picker: the first policy
    await until(pilot, lambda: isinstance(app.screen, PolicyEditorScreen))


async def principals(pilot: Any) -> None:
    await pilot.press("4")
    await pilot.pause(0.5)


async def help_screen(pilot: Any) -> None:
    await pilot.press("question_mark")


async def run() -> None:
    OUT.mkdir(exist_ok=True)
    shots: list[tuple[str, tuple[int, int], Callable[[Any], Awaitable[None]]]] = [
        ("main-120x40", (120, 40), main_view),
        ("main-80x24", (80, 24), main_view),
        ("function-detail-80x24", (80, 24), detail_view),
        ("simulator-allowed-120x40", (120, 40), simulate_allowed),
        ("simulator-denied-80x24", (80, 24), simulate_denied),
        ("who-can-120x40", (120, 40), who_can),
        ("what-can-role-120x40", (120, 40), what_can),
        ("what-if-editor-120x40", (120, 40), what_if),
        ("principals-120x40", (120, 40), principals),
        ("help-80x24", (80, 24), help_screen),
    ]
    try:
        for name, size, steps in shots:
            await shoot(name, size, steps)
    finally:
        stop_demo()


if __name__ == "__main__":
    asyncio.run(run())
