"""The who-can screen says which principals could not be listed (issue 7, item 3): a row of its own with
the reason, so an operator never reads the table as every principal of the account."""

from __future__ import annotations

import dataclasses

from textual.widgets import DataTable, Static

from lambdaperm_tui.inventory.model import Unlisted
from lambdaperm_tui.ui.screens.who_can import WhoCanScreen

from .helpers import build_app, loaded, wait_for, wait_for_screen
from .inventory_fixture import make_inventory

SIZE = (120, 40)


async def test_who_can_shows_a_row_for_roles_that_could_not_be_listed() -> None:
    base = make_inventory()
    reason = "AccessDenied: not authorized to perform: iam:ListRoles"
    inv = dataclasses.replace(base, roles=(), complete=False, unlisted=(Unlisted("roles", None, reason),))
    app = build_app(inv)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: loaded(app) and app.main.current is not None)
        await pilot.press("w")
        screen = await wait_for_screen(pilot, app, WhoCanScreen)
        await wait_for(pilot, lambda: bool(screen.rows))
        index = next(i for i, r in enumerate(screen.rows) if r.kind == "unlisted")
        row = screen.rows[index]
        assert row.decision == "unknown"
        table = screen.query_one(DataTable)
        cells = [str(c) for c in table.get_row_at(index)]
        assert any(f"roles of account {base.account_id} (could not be listed)" in c for c in cells)
        table.move_cursor(row=index)
        await pilot.pause()
        why = str(screen.query_one("#wc-why", Static).render())
        assert reason in why
        await pilot.press("enter")  # nothing to simulate for a list: the screen stays
        await pilot.pause()
        assert app.screen is screen
