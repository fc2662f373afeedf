"""The lists' vi-style keys everywhere a newcomer tried them (issue 9, 7): j/k/g/G in the help, the
policy picker and who-can; l/h (and Right/Left) open and close lines of the simulator's explanation."""

from __future__ import annotations

from typing import Any

from textual.containers import VerticalScroll
from textual.widgets import DataTable, Input, OptionList

from lambdaperm_tui.ui.app import LambdaPermApp
from lambdaperm_tui.ui.screens.help import HelpScreen
from lambdaperm_tui.ui.screens.policy_picker import PolicyPicker
from lambdaperm_tui.ui.screens.simulator import SimulatorScreen
from lambdaperm_tui.ui.screens.who_can import WhoCanScreen
from lambdaperm_tui.ui.widgets.explain_tree import ExplainTree

from .helpers import build_app, loaded, wait_for, wait_for_screen
from .inventory_fixture import ORDERS_ROLE

SIZE = (80, 24)


async def _billing_prod_simulator(pilot: Any, app: LambdaPermApp) -> SimulatorScreen:
    await wait_for(pilot, lambda: loaded(app) and app.main.current is not None)
    await pilot.press("l", "j", "s")  # billing:prod in the simulator
    sim = await wait_for_screen(pilot, app, SimulatorScreen)
    sim.query_one("#sim-principal", Input).value = ORDERS_ROLE
    await wait_for(pilot, lambda: getattr(sim.answer, "principal", "") == ORDERS_ROLE)
    return sim


async def test_help_scrolls_with_j_k_g_and_G() -> None:
    app = build_app()
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: loaded(app))
        await pilot.press("question_mark")
        help_screen = await wait_for_screen(pilot, app, HelpScreen)
        body = help_screen.query_one("#help-body", VerticalScroll)
        await pilot.pause()
        assert body.max_scroll_y > 3 and app.focused is body
        await pilot.press("j", "j")
        await wait_for(pilot, lambda: body.scroll_y == 2)
        await pilot.press("k")
        await wait_for(pilot, lambda: body.scroll_y == 1)
        await pilot.press("G")
        await wait_for(pilot, lambda: body.scroll_y == body.max_scroll_y)
        await pilot.press("g")
        await wait_for(pilot, lambda: body.scroll_y == 0)


async def test_policy_picker_moves_with_j_k_g_and_G() -> None:
    app = build_app()
    async with app.run_test(size=SIZE) as pilot:
        await _billing_prod_simulator(pilot, app)
        await pilot.press("ctrl+o")  # the answer used two policies: the picker asks which
        picker = await wait_for_screen(pilot, app, PolicyPicker)
        options = picker.query_one(OptionList)
        await pilot.pause()
        assert options.option_count >= 2 and options.highlighted == 0
        await pilot.press("j")
        assert options.highlighted == 1
        await pilot.press("k")
        assert options.highlighted == 0
        await pilot.press("G")
        assert options.highlighted == options.option_count - 1
        await pilot.press("g")
        assert options.highlighted == 0


async def test_who_can_rows_move_with_j_k_g_and_G() -> None:
    app = build_app()
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: loaded(app) and app.main.current is not None)
        await pilot.press("w")
        screen = await wait_for_screen(pilot, app, WhoCanScreen)
        table = screen.query_one(DataTable)
        await wait_for(pilot, lambda: len(screen.rows) > 3 and app.focused is table)
        await pilot.press("j", "j")
        assert table.cursor_row == 2
        await pilot.press("G")
        assert table.cursor_row == table.row_count - 1
        await pilot.press("g")
        assert table.cursor_row == 0
        await pilot.press("j", "k")
        assert table.cursor_row == 0


async def test_explanation_lines_open_with_l_and_close_with_h() -> None:
    app = build_app()
    async with app.run_test(size=SIZE) as pilot:
        sim = await _billing_prod_simulator(pilot, app)
        await pilot.press("ctrl+t")
        tree = sim.query_one("#sim-tree", ExplainTree)
        await wait_for(pilot, lambda: app.focused is tree and tree.cursor_node is not None)
        # At 80 columns the evaluation layers start folded: go to that line.
        layers = next(n for n in tree.root.children if n.children and not n.is_expanded)
        tree.move_cursor(layers)
        await pilot.pause()
        await pilot.press("l")
        assert layers.is_expanded
        await pilot.press("l")  # on an open line: to its first line
        assert tree.cursor_node is layers.children[0]
        await pilot.press("h")  # on a leaf: back to the line it is under
        assert tree.cursor_node is layers
        await pilot.press("h")
        assert not layers.is_expanded and tree.cursor_node is layers
        await pilot.press("right")
        assert layers.is_expanded
        await pilot.press("left")
        assert not layers.is_expanded
