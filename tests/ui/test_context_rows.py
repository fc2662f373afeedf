"""The simulator's context rows (issue 9, 10): a paste or a burst of keys fills exactly the rows it holds.

Each key of a burst added a row of its own (the row just added was not in the DOM yet, so the field typed
into still looked like the last one): ``k=v`` typed fast, as a terminal without bracketed paste delivers a
paste, left three empty rows under it. A bracketed paste of several entries kept only the first line."""

from __future__ import annotations

from typing import Any

from textual import events
from textual.widgets import Input

from lambdaperm_tui.ui.app import LambdaPermApp
from lambdaperm_tui.ui.screens.simulator import SimulatorScreen

from .helpers import build_app, burst, loaded, wait_for, wait_for_screen
from .inventory_fixture import ORDERS_ROLE

SIZE = (80, 24)


def rows(sim: SimulatorScreen) -> list[str]:
    """Every context row's text, as on screen (the DOM, not the screen's own list)."""
    return [i.value for i in sim.query("Input.ctx").results(Input)]


async def _simulator(pilot: Any, app: LambdaPermApp) -> SimulatorScreen:
    await wait_for(pilot, lambda: loaded(app) and app.main.current is not None)
    await pilot.press("l", "j", "s")  # billing:prod in the simulator
    sim = await wait_for_screen(pilot, app, SimulatorScreen)
    sim.query_one("#sim-principal", Input).value = ORDERS_ROLE
    await wait_for(pilot, lambda: sim.answer is not None)
    next(iter(sim.query("Input.ctx").results(Input))).focus()
    await pilot.pause()
    return sim


async def test_a_burst_of_keys_into_a_context_row_adds_one_empty_row() -> None:
    app = build_app()
    async with app.run_test(size=SIZE) as pilot:
        sim = await _simulator(pilot, app)
        burst(app, "aws:SourceAccount=111122223333")
        await wait_for(pilot, lambda: rows(sim)[0] == "aws:SourceAccount=111122223333")
        await pilot.pause(0.3)
        assert rows(sim) == ["aws:SourceAccount=111122223333", ""]


async def test_a_paste_fills_one_row_per_entry() -> None:
    app = build_app()
    async with app.run_test(size=SIZE) as pilot:
        sim = await _simulator(pilot, app)
        app.post_message(events.Paste("aws:SourceAccount=111122223333"))
        await wait_for(pilot, lambda: rows(sim)[0] == "aws:SourceAccount=111122223333")
        await pilot.pause(0.3)
        assert rows(sim) == ["aws:SourceAccount=111122223333", ""]
        await wait_for(pilot, lambda: sim.context() == {"aws:SourceAccount": "111122223333"})

        # Several lines, below what the focused row holds: one row each, the last row empty and focused.
        first = next(iter(sim.query("Input.ctx").results(Input)))
        first.focus()
        await pilot.pause()
        app.post_message(events.Paste("aws:SourceIp=10.0.0.1\n\naws:SourceIp=10.0.0.2\n"))
        await wait_for(pilot, lambda: len(rows(sim)) == 4)
        await pilot.pause(0.3)
        assert rows(sim) == [
            "aws:SourceAccount=111122223333",
            "aws:SourceIp=10.0.0.1",
            "aws:SourceIp=10.0.0.2",
            "",
        ]
        assert app.focused is list(sim.query("Input.ctx").results(Input))[-1]

        # Comma-separated on one line, into the empty last row.
        app.post_message(events.Paste("lambda:FunctionUrlAuthType=NONE, aws:PrincipalOrgID=o-1"))
        await wait_for(pilot, lambda: len(rows(sim)) == 6)
        await pilot.pause(0.3)
        assert rows(sim)[3:] == ["lambda:FunctionUrlAuthType=NONE", "aws:PrincipalOrgID=o-1", ""]
        assert sim.context() == {
            "aws:SourceAccount": "111122223333",
            "aws:SourceIp": ("10.0.0.1", "10.0.0.2"),
            "lambda:FunctionUrlAuthType": "NONE",
            "aws:PrincipalOrgID": "o-1",
        }


async def test_a_pasted_line_that_is_not_key_value_is_kept_and_named() -> None:
    app = build_app()
    async with app.run_test(size=SIZE) as pilot:
        sim = await _simulator(pilot, app)
        app.post_message(events.Paste("aws:SourceAccount=111122223333\nnot an entry\n=orphan"))
        await wait_for(pilot, lambda: len(rows(sim)) == 4)
        assert rows(sim) == ["aws:SourceAccount=111122223333", "not an entry", "=orphan", ""]
        await wait_for(pilot, lambda: sim.answer_error is not None)
        assert sim.answer is None
        assert (
            sim.answer_error
            == "context row 2 ('not an entry'): expected KEY=VALUE (e.g. aws:SourceIp=10.0.0.1)"
        )
        # Mending the row asks again.
        list(sim.query("Input.ctx").results(Input))[1].value = "aws:SourceIp=10.0.0.1"
        list(sim.query("Input.ctx").results(Input))[2].value = ""
        await wait_for(pilot, lambda: sim.answer is not None)
        assert sim.answer_error is None


async def test_a_value_pasted_after_its_key_is_typed_into_the_row() -> None:
    app = build_app()
    async with app.run_test(size=SIZE) as pilot:
        sim = await _simulator(pilot, app)
        burst(app, "aws:SourceIp=")
        await wait_for(pilot, lambda: rows(sim)[0] == "aws:SourceIp=")
        app.post_message(events.Paste("10.0.0.1"))
        await wait_for(pilot, lambda: rows(sim)[0] == "aws:SourceIp=10.0.0.1")
        await pilot.pause(0.3)
        assert rows(sim) == ["aws:SourceIp=10.0.0.1", ""]
