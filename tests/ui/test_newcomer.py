"""What a newcomer tripped on (issue 9), each driven as they did it: 80x24, keyboard only."""

from __future__ import annotations

from dataclasses import replace

from textual.widgets import Input, Tree

from lambdaperm_tui.inventory.model import PolicySlot
from lambdaperm_tui.ui.app import LambdaPermApp
from lambdaperm_tui.ui.screens.policy_editor import PolicyEditorScreen
from lambdaperm_tui.ui.screens.policy_picker import PolicyPicker
from lambdaperm_tui.ui.screens.simulator import SimulatorScreen
from lambdaperm_tui.ui.screens.what_can import WhatCanScreen

from .helpers import (
    ENTER,
    Toasts,
    build_app,
    burst,
    detail_text,
    label_text,
    loaded,
    static_text,
    wait_for,
    wait_for_screen,
)
from .inventory_fixture import ACCOUNT, ORDERS_ROLE, REGION, fn_arn, make_inventory

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
        await wait_for(pilot, lambda: loaded(app) and app.main.current is not None)
        await pilot.press("e")  # billing: the picker lists its policies
        await wait_for_screen(pilot, app, PolicyPicker)
        await pilot.press("enter")
        await wait_for_screen(pilot, app, PolicyEditorScreen)
        await pilot.press("x", "escape")  # a key typed, then Esc: leave and keep nothing
        await wait_for(pilot, lambda: not isinstance(app.screen, PolicyEditorScreen))
        assert not app.whatif.edits


async def test_function_rows_show_their_policy_marker() -> None:
    """Issue 9, 13: alias and version rows said `policy`, a function row with a policy never did."""
    app = build_app()
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: loaded(app))
        rows = {entry.key: label.plain for label, entry, _ in app.main.pane("functions").entries.values()}
        assert "  policy" in rows[fn_arn("billing")] and "  policy" in rows[fn_arn("webhook")]
        assert "policy" not in rows[fn_arn("orders-api")]  # no resource policy
        assert "policy" not in rows[fn_arn("secret-report")].replace("unknown", "")  # unreadable: ? unknown


async def test_role_detail_says_where_each_user_runs() -> None:
    """Issue 9, 13: a role used by orders-api in two regions read "Used by orders-api, orders-api"."""
    base = make_inventory()
    orders = next(f for f in base.functions if f.name == "orders-api")
    west = replace(orders, arn=orders.arn.replace(REGION, "eu-west-1"), region="eu-west-1")
    inv = replace(base, regions=(REGION, "eu-west-1"), functions=(*base.functions, west))
    app = build_app(inv)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: loaded(app))
        await pilot.press("3")
        await wait_for(pilot, lambda: app.main.current is not None and app.main.current.kind == "role")
        while app.main.current is None or app.main.current.key != ORDERS_ROLE:
            await pilot.press("j")
            await pilot.pause(0.1)
        await pilot.press("enter")
        await wait_for(pilot, lambda: "Used by" in detail_text(app))
        assert "orders-api (us-east-1), orders-api (eu-west-1)" in " ".join(detail_text(app).split())


async def test_layout_follows_each_resize_at_once() -> None:
    """Issue 9, 6: 80→120 kept the single pane, 121→80 kept the split (the layout was one resize behind)."""
    app = build_app()
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: loaded(app))
        detail = app.main.detail
        assert app.screen.has_class("narrow") and not detail.display
        await pilot.resize_terminal(120, 24)
        await wait_for(pilot, lambda: app.size.width == 120)
        await pilot.pause()
        assert not app.screen.has_class("narrow") and detail.display
        assert detail.region.width > 30
        await pilot.resize_terminal(121, 24)
        await pilot.resize_terminal(80, 24)
        await wait_for(pilot, lambda: app.size.width == 80)
        await pilot.pause()
        assert app.screen.has_class("narrow") and not detail.display
        assert app.main.pane("functions").region.width == 80


def _shown(app: LambdaPermApp, pane: str = "functions") -> list[str]:
    return [label_text(n.label).split()[0] for n in app.main.pane(pane).rows_tree.root.children]


async def test_a_burst_after_slash_filters_instead_of_acting() -> None:
    """Issue 9, 3: `/webh` in one burst opened who-can (the `w` reached the list before the filter had
    focus), and `/bill⏎` lost its letters."""
    app = build_app()
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: loaded(app))
        burst(app, "/webh")
        await wait_for(pilot, lambda: app.main.pane("functions").filter_text == "webh")
        await pilot.pause(0.2)
        assert app.screen is app.screen_stack[0] and _shown(app) == ["webhook"]
        await pilot.press("escape")
        await wait_for(pilot, lambda: not app.main.pane("functions").filter_text)
        burst(app, "/orde" + ENTER + "j")  # Enter keeps the filter and goes back to the list
        tree = app.main.pane("functions").rows_tree
        await wait_for(
            pilot, lambda: app.main.pane("functions").filter_text == "orde" and app.focused is tree
        )
        await pilot.pause(0.2)
        assert app.main.pane("functions").filter_text == "orde" and _shown(app) == ["orders-api"]


async def test_a_burst_into_the_simulator_fills_each_field_in_turn() -> None:
    """Issue 9, 3: `s` followed at once by text lost the text; `role⏎action` ran two fields into one."""
    app = build_app()
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: loaded(app) and app.main.current is not None)
        burst(app, "s" + ORDERS_ROLE + ENTER + "lambda:GetFunction")
        sim = await wait_for_screen(pilot, app, SimulatorScreen)
        action = sim.query_one("#sim-action", Input)
        await wait_for(pilot, lambda: action.value == "lambda:GetFunction")
        assert sim.query_one("#sim-principal", Input).value == ORDERS_ROLE
        assert app.focused is action


async def test_a_burst_of_moves_moves_once_per_key() -> None:
    """Issue 9, 3: ten `j` in a burst scrolled one line."""
    app = build_app()
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: loaded(app))
        tree = app.main.pane("functions").rows_tree
        burst(app, "jjj")
        await wait_for(pilot, lambda: tree.cursor_line == 3)
        burst(app, "kk")
        await wait_for(pilot, lambda: tree.cursor_line == 1)
        await pilot.pause(0.2)
        assert tree.cursor_line == 1


async def test_what_can_and_simulate_on_the_public_and_an_organization() -> None:
    """Issue 9, 5: `w` on `* PUBLIC` and on an organization said "Who-can failed" over an empty table.
    The public is asked as an anonymous caller, an organization as a member account with its
    aws:PrincipalOrgID; `s` prefills the same caller; no toast says anything failed."""
    app = build_app()
    toasts = Toasts()
    async with app.run_test(size=SIZE, message_hook=toasts) as pilot:
        await wait_for(pilot, lambda: loaded(app))
        await pilot.press("4")
        await wait_for(pilot, lambda: app.main.current is not None and app.main.current.key == "*")
        await pilot.press("w")
        what = await wait_for_screen(pilot, app, WhatCanScreen)
        await wait_for(pilot, lambda: bool(what.rows))
        assert "public" in static_text(what.query_one("#wc-title"))
        by = {(r.resource, r.action): r for r in what.rows}
        # The public URL's statement grants the URL permission; a URL call needs lambda:InvokeFunction too,
        # which no statement grants anyone (https://docs.aws.amazon.com/lambda/latest/dg/urls-auth.html).
        url = by[(fn_arn("webhook"), "lambda:InvokeFunctionUrl")].answer
        assert url.decision == "implicit_deny"
        assert [c.decision for c in url.checks] == ["allowed", "implicit_deny"]
        layer_v2 = f"arn:aws:lambda:{REGION}:{ACCOUNT}:layer:shared-utils:2"
        assert by[(layer_v2, "lambda:GetLayerVersion")].decision == "implicit_deny"  # org members only
        assert by[(fn_arn("secret-report"), "lambda:GetFunction")].decision == "unknown"  # unreadable
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.screen is app.screen_stack[0])
        await pilot.press("j")
        await wait_for(pilot, lambda: app.main.current is not None and app.main.current.key == "o-abc123")
        await pilot.press("w")
        what = await wait_for_screen(pilot, app, WhatCanScreen)
        await wait_for(pilot, lambda: bool(what.rows))
        assert "organization o-abc123" in static_text(what.query_one("#wc-title"))
        layer = next(r for r in what.rows if r.resource == layer_v2 and r.action == "lambda:GetLayerVersion")
        assert layer.decision == "allowed" and any("o-abc123" in a for a in layer.answer.assumes)
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.screen is app.screen_stack[0])
        await pilot.press("s")
        sim = await wait_for_screen(pilot, app, SimulatorScreen)
        assert sim.query_one("#sim-principal", Input).value.endswith(":root")
        assert sim.context() == {"aws:PrincipalOrgID": "o-abc123"}
        await pilot.pause(0.3)
    assert not [t for t in toasts.seen if t.severity == "error"], [t.title for t in toasts.seen]


async def test_what_can_on_an_identity_provider_says_why_it_does_not_apply() -> None:
    """Issue 9, 5: a principal that is no caller (an OIDC provider: its users act through the roles
    trusting it) gets a warning that says why, not "Who-can failed" over an empty table."""
    base = make_inventory()
    provider = f"arn:aws:iam::{ACCOUNT}:oidc-provider/token.actions.githubusercontent.com"
    trust = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"Federated": provider},
                "Action": "sts:AssumeRoleWithWebIdentity",
            }
        ],
    }
    roles = tuple(
        replace(r, trust_policy=PolicySlot(trust)) if r.name == "auditor" else r for r in base.roles
    )
    app = build_app(replace(base, roles=roles))
    toasts = Toasts()
    async with app.run_test(size=SIZE, message_hook=toasts) as pilot:
        await wait_for(pilot, lambda: loaded(app))
        await pilot.press("4")
        await wait_for(pilot, lambda: provider in app.main.pane("principals").entries)
        app.main.pane("principals").reveal(provider)
        await wait_for(pilot, lambda: app.main.current is not None and app.main.current.key == provider)
        await pilot.press("w", "s")
        await wait_for(pilot, lambda: len([t for t in toasts.seen if "does not apply" in t.title]) == 2)
        assert app.screen is app.screen_stack[0]  # neither what-can nor the simulator opened
        said = next(t for t in toasts.seen if t.title == "What-can does not apply here")
        assert said.severity == "warning" and "identity provider" in said.message and "roles" in said.message
    assert not [t for t in toasts.seen if t.severity == "error"]
