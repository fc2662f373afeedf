"""Related items are linked in the detail (issue 9, problem 11): Enter on a function's role, layer or a
principal its policies name goes to it, a role or layer version lists the functions that use it, a
principal lists where it is named; Esc returns to where the link was followed from. And the function's
Needs and Triggers follow the inventory: a what-if edit decides them again (issue 11)."""

from __future__ import annotations

from lambdaperm_tui.analysis.whatif import PolicyRef
from lambdaperm_tui.ui.app import LambdaPermApp
from lambdaperm_tui.ui.screens.policy_editor import EditSaved
from lambdaperm_tui.ui.screens.simulator import SimulatorScreen
from lambdaperm_tui.ui.sections import Ask, Jump

from .helpers import build_app, detail_text, loaded, wait_for, wait_for_screen
from .inventory_fixture import BILLING_ROLE, REGION, fn_arn

SIZE = (120, 40)
LAYER = f"arn:aws:lambda:{REGION}:111122223333:layer:shared-utils"
BASIC = "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"


def tab(app: LambdaPermApp) -> str:
    from textual.widgets import TabbedContent

    return app.main.query_one("#panes", TabbedContent).active


async def select_row(pilot: object, app: LambdaPermApp, target: Jump | Ask) -> None:
    """Move the detail's selection with j (as a user does) until ``target``'s row is selected."""
    for _ in range(60):
        row = app.main.detail.selected_row()
        if row is not None and row.target == target:
            return
        await pilot.press("j")  # type: ignore[attr-defined]
    raise AssertionError(f"no row leads to {target}")


async def show_billing(pilot: object, app: LambdaPermApp) -> None:
    await wait_for(pilot, lambda: loaded(app))
    await wait_for(pilot, lambda: app.main.current is not None and app.main.current.key == fn_arn("billing"))
    await wait_for(pilot, lambda: "Triggers (what can invoke it)  " in detail_text(app))
    await pilot.press("tab")  # type: ignore[attr-defined]
    assert app.focused is app.main.detail


async def test_enter_on_the_role_goes_to_it_and_esc_returns() -> None:
    app = build_app()
    async with app.run_test(size=SIZE) as pilot:
        await show_billing(pilot, app)
        to_role = Jump("roles", BILLING_ROLE)
        await select_row(pilot, app, to_role)
        await pilot.press("enter")
        await wait_for(pilot, lambda: app.main.current is not None and app.main.current.key == BILLING_ROLE)
        assert tab(app) == "roles" and app.focused is app.main.detail
        text = detail_text(app)
        assert "Role    billing-exec" in text
        # The role lists the functions that run as it, each a row to it.
        assert [r.target for r in app.main.detail.rows()] == [
            Jump("functions", fn_arn("billing")),
            Jump("functions", fn_arn("webhook")),
        ]
        assert app.main.pane("roles").selected() is not None
        assert app.main.pane("roles").selected().key == BILLING_ROLE  # type: ignore[union-attr]
        # Esc: back to the function, on the row the link was followed from.
        await pilot.press("escape")
        await wait_for(
            pilot, lambda: app.main.current is not None and app.main.current.key == fn_arn("billing")
        )
        assert tab(app) == "functions"
        await wait_for(pilot, lambda: app.main.detail.selected_row() is not None)
        row = app.main.detail.selected_row()
        assert row is not None and row.target == to_role
        # Nothing more to go back to: Esc leaves the detail for the list.
        await pilot.press("escape")
        focused: object = app.focused
        assert focused is app.main.pane("functions").rows_tree


async def test_a_layer_version_lists_its_users_and_leads_back() -> None:
    app = build_app()
    async with app.run_test(size=SIZE) as pilot:
        await show_billing(pilot, app)
        await select_row(pilot, app, Jump("layers", f"{LAYER}:2", LAYER))
        await pilot.press("enter")
        await wait_for(pilot, lambda: app.main.current is not None and app.main.current.key == f"{LAYER}:2")
        assert tab(app) == "layers"
        node = app.main.pane("layers").rows_tree.cursor_node
        assert node is not None and node.data is not None and node.data.key == f"{LAYER}:2"
        assert "Used by  billing" in detail_text(app)
        # On to the function through the layer version's "used by" row, then back twice.
        await select_row(pilot, app, Jump("functions", fn_arn("billing")))
        await pilot.press("enter")
        await wait_for(pilot, lambda: tab(app) == "functions")
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.main.current is not None and app.main.current.key == f"{LAYER}:2")
        await pilot.press("escape")
        await wait_for(
            pilot, lambda: app.main.current is not None and app.main.current.key == fn_arn("billing")
        )


async def test_a_named_principal_and_where_it_is_named() -> None:
    app = build_app()
    async with app.run_test(size=SIZE) as pilot:
        await show_billing(pilot, app)
        # The principals are named once the Principals list is filled (after the load).
        await wait_for(pilot, lambda: len(app.main.pane("principals").entries) > 0)
        await pilot.press("g")
        await wait_for(
            pilot,
            lambda: any(
                isinstance(r.target, Jump) and r.target.pane == "principals" for r in app.main.detail.rows()
            ),
        )
        to_principal = next(
            r.target
            for r in app.main.detail.rows()
            if isinstance(r.target, Jump) and r.target.pane == "principals"
        )
        await select_row(pilot, app, to_principal)
        await pilot.press("enter")
        await wait_for(pilot, lambda: tab(app) == "principals")
        assert "Named in" in detail_text(app)
        back_to = [r.target for r in app.main.detail.rows()]
        assert Jump("functions", fn_arn("billing"), None) in back_to or any(
            isinstance(t, Jump) and t.within == fn_arn("billing") for t in back_to
        )


async def test_enter_on_a_need_simulates_it_and_an_edit_decides_the_needs_again() -> None:
    app = build_app()
    async with app.run_test(size=SIZE) as pilot:
        await show_billing(pilot, app)
        # The basic execution policy (logs:* on *) meets the logs needs.
        assert (
            "✔ ALLOWED  logs:CreateLogStream on arn:aws:logs:us-east-1:111122223333:log-group:/aws/lambda/"
            in (detail_text(app))
        )
        need = next(
            r.target
            for r in app.main.detail.rows()
            if isinstance(r.target, Ask) and r.target.question.action == "logs:CreateLogStream"
        )
        await select_row(pilot, app, need)
        await pilot.press("enter")
        sim = await wait_for_screen(pilot, app, SimulatorScreen)
        from textual.widgets import Input

        assert sim.query_one("#sim-principal", Input).value == BILLING_ROLE
        assert sim.query_one("#sim-action", Input).value == "logs:CreateLogStream"
        assert sim.query_one("#sim-resource", Input).value == need.question.resource
        await wait_for(pilot, lambda: sim.answer is not None)
        assert sim.answer is not None
        assert sim.answer.decision == "allowed"
        await pilot.press("escape")
        await wait_for(pilot, lambda: not isinstance(app.screen, SimulatorScreen))
        # A what-if edit takes logs away from the role: the needs are decided again, without a keypress.
        app.apply_edit(EditSaved(PolicyRef("managed", BASIC), {"Version": "2012-10-17", "Statement": []}))
        await wait_for(pilot, lambda: "✘ DENIED  logs:CreateLogStream" in detail_text(app))
        assert "blocked: no statement allows" in detail_text(app)
