"""What a newcomer tripped on (issue 9), each driven as they did it: 80x24, keyboard only."""

from __future__ import annotations

from textual.widgets import Tree

from lambdaperm_tui.ui.screens import PolicyEditorScreen, PolicyPicker, SimulatorScreen

from .helpers import build_app, loaded, wait_for, wait_for_screen

SIZE = (80, 24)


async def test_explain_key_before_any_answer_does_not_crash() -> None:
    """Issue 9, 1: `s` then the footer's ctrl+t with no answer yet raised IndexError (no line 0)."""
    app = build_app()
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: loaded(app))
        await pilot.press("3", "s")  # a role: the simulator opens with no resource, so no answer
        sim = await wait_for_screen(pilot, app, SimulatorScreen)
        tree = sim.query_one("#sim-tree", Tree)
        await pilot.press("ctrl+t")
        await pilot.pause()
        assert app.return_code is None and app.is_running
        assert app.screen is sim and app.focused is tree
        await pilot.press("escape")
        await pilot.pause()
        assert not isinstance(app.screen, SimulatorScreen)


async def test_escape_leaves_the_what_if_editor_without_an_edit() -> None:
    """Issue 9, 2: "Esc cancels" says the editor, but the text area swallowed Esc."""
    app = build_app()
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: loaded(app) and app.current is not None)
        await pilot.press("e")  # billing: the picker lists its policies
        await wait_for_screen(pilot, app, PolicyPicker)
        await pilot.press("enter")
        await wait_for_screen(pilot, app, PolicyEditorScreen)
        await pilot.press("x", "escape")  # a key typed, then Esc: leave and keep nothing
        await wait_for(pilot, lambda: not isinstance(app.screen, PolicyEditorScreen))
        assert not app.edits
