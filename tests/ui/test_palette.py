"""The command palette, the help and the explorer's keys over other screens (issue 9, 7).

ctrl+p listed Textual's Quit/Keys/Theme and, over who-can or the simulator, only that screen's own keys,
though the help called it "every action"; `1`-`4`, `s`, `r` worked only in the explorer, though the README
said "anywhere". Now the palette is built from the bindings active on the screen it is opened over
(``commands.binding_commands``), and the pane keys, `s` and `r` work over the simulator, who-can and
what-can too (going back to the explorer), as the help and the README say."""

from __future__ import annotations

from typing import Any

from textual.command import Command, CommandList, CommandPalette
from textual.widgets import DataTable, Input, Static, Tree

from lambdaperm_tui.ui.app import LambdaPermApp
from lambdaperm_tui.ui.screens.help import HelpScreen
from lambdaperm_tui.ui.screens.main import MainScreen
from lambdaperm_tui.ui.screens.simulator import SimulatorScreen
from lambdaperm_tui.ui.screens.what_can import WhatCanScreen
from lambdaperm_tui.ui.screens.who_can import WhoCanScreen

from .helpers import build_app, burst, loaded, static_text, wait_for, wait_for_screen
from .inventory_fixture import ORDERS_ROLE, fn_arn

SIZE = (80, 24)


async def palette(pilot: Any, app: LambdaPermApp) -> list[str]:
    """Open the palette and return the titles it offers before anything is typed."""
    await pilot.press("ctrl+p")
    await wait_for(pilot, lambda: isinstance(app.screen, CommandPalette))
    commands = app.screen.query_one(CommandList)
    await wait_for(pilot, lambda: commands.option_count > 3)
    await pilot.pause(0.2)  # every provider has answered
    titles = []
    for option in commands.options:
        assert isinstance(option, Command)
        titles.append(option.hit.text or str(option.hit.prompt))
        # A second line only when it says more than the title.
        assert not option.hit.help or option.hit.help not in titles[-1], titles[-1]
    return titles


async def choose(pilot: Any, app: LambdaPermApp, title: str) -> None:
    """In the open palette, type ``title`` and run the best match."""
    burst(app, title)
    commands = app.screen.query_one(CommandList)
    await wait_for(pilot, lambda: commands.option_count > 0 and commands.highlighted is not None)
    await pilot.pause(0.2)
    await pilot.press("enter")
    await wait_for(pilot, lambda: not isinstance(app.screen, CommandPalette))


async def test_the_palette_offers_every_action_of_the_explorer() -> None:
    app = build_app()
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: loaded(app) and app.main.current is not None)
        titles = await palette(pilot, app)
        for title in [
            "Simulate  (s)",
            "Who-can  (w)",
            "Reload  (r)",
            "Filter  (/)",
            "Copy ARN  (y)",
            "Edit  (e)",
            "JSON  (v)",
            "Functions  (1)",
            "Layers  (2)",
            "Roles  (3)",
            "Principals  (4)",
            "Findings  (5)",
            "Quit  (q)",
            "Help  (?)",
            "Expand  (→ / l)",  # the focused list's own keys
        ]:
            assert title in titles, title
        assert "Theme" in titles  # Textual's own commands stay, bar the ones repeating q and ?
        assert "Keys" not in titles and "Quit" not in titles
        await choose(pilot, app, "Who-can")
        assert isinstance(app.screen, WhoCanScreen) and app.screen.resource == fn_arn("billing")


async def test_over_who_can_the_palette_offers_its_keys_and_the_explorers() -> None:
    app = build_app()
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: loaded(app) and app.main.current is not None)
        await pilot.press("w")
        await wait_for_screen(pilot, app, WhoCanScreen)
        titles = await palette(pilot, app)
        for title in ["Back  (esc)", "Last row  (G)", "Functions  (1)", "Roles  (3)", "Simulate  (s)"]:
            assert title in titles, title
        assert "Filter  (/)" in titles and "Copy row  (y)" in titles  # who-can's own, not the explorer's
        assert "Copy ARN  (y)" not in titles and "JSON  (v)" not in titles
        await choose(pilot, app, "Roles")
        await wait_for(pilot, lambda: isinstance(app.screen, MainScreen))
        assert app.focused is app.main.pane("roles").rows_tree


async def test_over_the_simulator_the_palette_leaves_out_simulate() -> None:
    app = build_app()
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: loaded(app) and app.main.current is not None)
        await pilot.press("s")
        await wait_for_screen(pilot, app, SimulatorScreen)
        await pilot.press("ctrl+t")
        titles = await palette(pilot, app)
        for title in ["Explain  (^t)", "Edit policy  (^o / f2)", "Expand  (→ / l)", "Reload  (r)"]:
            assert title in titles, title
        assert "Simulate  (s)" not in titles


async def test_pane_keys_simulate_and_reload_work_over_other_screens() -> None:
    app = build_app()
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: loaded(app) and app.main.current is not None)
        # Who-can: `1` goes back to the explorer's Functions pane.
        await pilot.press("w")
        await wait_for_screen(pilot, app, WhoCanScreen)
        await pilot.press("3")
        await wait_for(pilot, lambda: isinstance(app.screen, MainScreen))
        assert app.focused is app.main.pane("roles").rows_tree
        # What-can of a role: `s` opens the simulator prefilled from the explorer's selection (the role).
        await pilot.press("w")
        await wait_for_screen(pilot, app, WhatCanScreen)
        await wait_for(pilot, lambda: isinstance(app.focused, DataTable))
        role = app.main.current
        assert role is not None
        await pilot.press("s")
        sim = await wait_for_screen(pilot, app, SimulatorScreen)
        assert sim.query_one("#sim-principal", Input).value == role.key
        assert app.screen_stack[:-1] == [app.main]  # what-can was closed on the way
        # In the simulator: typed into a field, `1` is text; from the explanation, it is the pane key.
        await pilot.press("1")
        assert sim.query_one("#sim-resource", Input).value == "1"
        await pilot.press("ctrl+t", "s")  # `s` does not replace the question being asked
        assert app.screen is sim and isinstance(app.focused, Tree)
        await pilot.press("2")
        await wait_for(pilot, lambda: isinstance(app.screen, MainScreen))
        assert app.focused is app.main.pane("layers").rows_tree
        # `r` reloads from who-can too.
        await pilot.press("1", "w")
        await wait_for_screen(pilot, app, WhoCanScreen)
        first = app.generation
        await pilot.press("r")
        await wait_for(pilot, lambda: app.generation == first + 1 and isinstance(app.screen, MainScreen))


async def test_the_help_does_not_take_explorer_keys() -> None:
    app = build_app()
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: loaded(app))
        await pilot.press("w", "question_mark")
        await wait_for_screen(pilot, app, HelpScreen)
        await pilot.press("1", "s", "r")
        await pilot.pause(0.2)
        assert isinstance(app.screen, HelpScreen) and isinstance(app.screen_stack[-2], WhoCanScreen)


async def test_the_help_says_where_each_key_works() -> None:
    app = build_app()
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: loaded(app))
        await pilot.press("question_mark")
        help_screen = await wait_for_screen(pilot, app, HelpScreen)
        text = " ".join(static_text(help_screen.query_one(Static)).split())
        assert "Explorer, and over the simulator, who-can and what-can" in text
        assert "not while typing in a field; s: not in the simulator" in text
        for group in ["Findings (5)", "Policy picker", "Help", "Who-can / what-can"]:
            assert group in text
        assert "1 Functions pane" in text and "r Load the inventory again" in text
        assert "Command palette: every action of the screen it is opened over" in text


async def test_tab_and_shift_tab_walk_the_simulators_fields_in_order_in_a_burst() -> None:
    from textual import events

    app = build_app()
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: loaded(app) and app.main.current is not None)
        await pilot.press("s")
        sim = await wait_for_screen(pilot, app, SimulatorScreen)
        await wait_for(pilot, lambda: app.focused is sim.query_one("#sim-principal", Input))
        # One burst: a principal, Tab, Tab (over the prefilled action), the resource's end, Tab, a context
        # entry, then shift+tab back to the resource.
        burst(app, ORDERS_ROLE)
        for key in ["tab", "tab"]:
            app.post_message(events.Key(key, "\t" if key == "tab" else None))
        burst(app, "X")
        app.post_message(events.Key("tab", "\t"))
        burst(app, "aws:SourceIp=10.0.0.1")
        app.post_message(events.Key("shift+tab", None))
        context = list(sim.query("Input.ctx").results(Input))[0]
        resource = sim.query_one("#sim-resource", Input)
        await wait_for(pilot, lambda: app.focused is resource and context.value == "aws:SourceIp=10.0.0.1")
        assert sim.query_one("#sim-principal", Input).value == ORDERS_ROLE
        assert sim.query_one("#sim-action", Input).value == "lambda:InvokeFunction"
        assert resource.value == "X"  # a field reached by Tab selects its text: typing replaces it
