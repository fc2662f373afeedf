"""Keys typed right after choosing a policy in the picker reach the editor, in order.

The app hands each key to the widget focused when the key arrives; keys sent in one burst after Enter
were queued on the picker's list before the editor existed, and the list ate them (tmux send-keys)."""

from __future__ import annotations

from typing import Any

from textual import events
from textual.widgets import Input, TextArea

from lambdaperm_tui.ui.app import LambdaPermApp
from lambdaperm_tui.ui.screens.policy_editor import PolicyEditorScreen
from lambdaperm_tui.ui.screens.policy_picker import PolicyPicker
from lambdaperm_tui.ui.screens.simulator import SimulatorScreen

from .helpers import answered, build_app, loaded, wait_for, wait_for_screen
from .inventory_fixture import ORDERS_ROLE

SIZE = (80, 24)
AFTER_ENTER = [("down", None), ("end", None), ("backspace", None), ("x", "x"), ("y", "y")]


async def _open_picker(pilot: Any, app: LambdaPermApp) -> None:
    await wait_for(pilot, lambda: loaded(app))
    await pilot.press("l", "j", "s")  # billing:prod in the simulator
    screen = await wait_for_screen(pilot, app, SimulatorScreen)
    screen.query_one("#sim-principal", Input).value = ORDERS_ROLE
    await wait_for(pilot, lambda: answered(screen, principal=ORDERS_ROLE))
    await pilot.press("ctrl+o")  # the answer used two policies: the picker asks which
    await wait_for(pilot, lambda: isinstance(app.screen, PolicyPicker))


async def test_keys_sent_in_one_burst_after_enter_are_typed_in_the_editor() -> None:
    app = build_app()
    async with app.run_test(size=SIZE) as pilot:
        await _open_picker(pilot, app)
        # Posted to the app as the driver does, no waits between them: what a terminal delivers for a
        # fast typist.
        for key, char in [("enter", None), *AFTER_ENTER]:
            app.post_message(events.Key(key, char))
        await wait_for(pilot, lambda: isinstance(app.screen, PolicyEditorScreen))
        editor = app.screen.query_one(TextArea)
        # Line 2 of the policy is `  "Version": "2012-10-17",`: End, BSpace drops the comma, then "xy".
        await wait_for(pilot, lambda: editor.text.splitlines()[1] == '  "Version": "2012-10-17"xy')
        assert editor.cursor_location == (1, 27)
        assert app.focused is editor


async def test_keys_after_the_editor_is_open_are_unaffected() -> None:
    app = build_app()
    async with app.run_test(size=SIZE) as pilot:
        await _open_picker(pilot, app)
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, PolicyEditorScreen))
        await pilot.press(*(key for key, _ in AFTER_ENTER))
        editor = app.screen.query_one(TextArea)
        assert editor.text.splitlines()[1] == '  "Version": "2012-10-17"xy'
