"""Pictures of the main screen, the simulator answer and who-can, at 80x24 and 120x40.

Fixed data (the fixture inventory), no blinking cursors, notifications cleared: the SVGs only change
when the UI does. Update with ``pytest tests/ui/test_snapshots.py --snapshot-update`` after a deliberate
change, and look at the report before committing.
"""

from __future__ import annotations

from typing import Any

import pytest
from textual.widgets import Input

from lambdaperm_tui.ui.screens.simulator import SimulatorScreen
from lambdaperm_tui.ui.screens.who_can import WhoCanScreen

from .helpers import answered, build_app, loaded, wait_for
from .inventory_fixture import ORDERS_ROLE

SIZES = [(80, 24), (120, 40)]


async def _steady(pilot: Any) -> None:
    app = pilot.app
    for widget in app.screen.query(Input):
        widget.cursor_blink = False
    app.clear_notifications()
    await pilot.pause()
    await app.workers.wait_for_complete()
    await pilot.pause()


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_main_screen(snap_compare: Any, size: tuple[int, int]) -> None:
    async def run_before(pilot: Any) -> None:
        await wait_for(pilot, lambda: loaded(pilot.app))
        await pilot.press("j")  # the second row; in wide terminals its detail shows beside the list
        await pilot.pause(0.2)
        await _steady(pilot)

    assert snap_compare(build_app(), terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_simulator_answer(snap_compare: Any, size: tuple[int, int]) -> None:
    async def run_before(pilot: Any) -> None:
        app = pilot.app
        await wait_for(pilot, lambda: loaded(app))
        await pilot.press("l", "j", "s")
        await wait_for(pilot, lambda: isinstance(app.screen, SimulatorScreen))
        app.screen.query_one("#sim-principal", Input).value = ORDERS_ROLE
        await wait_for(pilot, lambda: answered(app.screen, principal=ORDERS_ROLE))
        app.screen.query_one("#sim-tree").focus()
        await _steady(pilot)

    assert snap_compare(build_app(), terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_who_can(snap_compare: Any, size: tuple[int, int]) -> None:
    async def run_before(pilot: Any) -> None:
        app = pilot.app
        await wait_for(pilot, lambda: loaded(app))
        await pilot.press("l", "j", "w")
        await wait_for(pilot, lambda: isinstance(app.screen, WhoCanScreen) and bool(app.screen.rows))
        await _steady(pilot)

    assert snap_compare(build_app(), terminal_size=size, run_before=run_before)
