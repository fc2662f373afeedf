"""Pilot tests of the explorer's main flows over a fixed inventory (80x24, keyboard only)."""

from __future__ import annotations

import threading
from typing import Any

from rich.text import Text
from textual.binding import Binding
from textual.pilot import Pilot
from textual.widgets import DataTable, Input, Static, TextArea, Tree
from textual.widgets.tree import TreeNode

from lambdaperm_tui.ui.app import LambdaPermApp
from lambdaperm_tui.ui.screens.policy_editor import PolicyEditorScreen
from lambdaperm_tui.ui.screens.simulator import SimulatorScreen
from lambdaperm_tui.ui.screens.what_can import WhatCanScreen
from lambdaperm_tui.ui.screens.who_can import WhoCanScreen

from .helpers import (
    Toasts,
    answered,
    build_app,
    detail_text,
    label_text,
    loaded,
    static_text,
    wait_for,
    wait_for_screen,
)
from .inventory_fixture import ORDERS_ROLE, REPORTS_ROLE, fn_arn, many_functions

SIZE = (80, 24)


def labels(app: LambdaPermApp, pane: str = "functions") -> list[str]:
    tree = app.main.pane(pane).rows_tree
    return [label_text(node.label) for node in tree.root.children]


def plain(static: Static) -> str:
    """What a Static shows, as plain text (no colour codes)."""
    return static_text(static)


def tree_text(tree: Tree[Any], *, full: bool = False) -> str:
    """The tree's lines as shown, or (``full``) the full text each line keeps for the detail line."""
    out: list[str] = []

    def walk(node: TreeNode[Any], depth: int) -> None:
        for child in node.children:
            text = child.data if full and isinstance(child.data, Text) else child.label
            out.append("  " * depth + label_text(text))
            walk(child, depth + 1)

    walk(tree.root, 0)
    return "\n".join(out)


async def test_first_frame_then_rows_stream_in() -> None:
    gate = threading.Event()
    app = build_app(gate=gate)
    async with app.run_test(size=SIZE) as pilot:
        from .test_sources import header_text

        # Listed but not yet loaded: rows are there, the header says we are loading. (The listing and its
        # progress event may arrive in two wake-ups of the UI: wait for both.)
        await wait_for(
            pilot,
            lambda: len(app.main.pane("functions").entries) == 4 and "loading… 0/4" in header_text(app),
        )
        assert app.loading
        assert labels(app)[0].startswith("billing") and labels(app)[0].endswith("…")
        gate.set()
        await wait_for(pilot, lambda: loaded(app))
        assert app.fold.final is not None
        # Once loaded, by name (one region here), not in the order the loader sent them.
        assert [lbl.split()[0] for lbl in labels(app)] == [
            "billing",
            "orders-api",
            "secret-report",
            "webhook",
        ]
        assert len(app.main.pane("roles").entries) == 4
        # Execution roles first: auditor runs no function, so it is last.
        assert labels(app, "roles")[-1].startswith("auditor")


async def test_unreadable_policy_shows_badge_and_notification() -> None:
    app = build_app()
    toasts = Toasts()
    async with app.run_test(size=SIZE, message_hook=toasts) as pilot:
        await wait_for(pilot, lambda: not app.loading and app.fold.final is not None)
        secret = next(lbl for lbl in labels(app) if lbl.startswith("secret-report"))
        assert "? unknown: AccessDenied" in secret
        await wait_for(pilot, lambda: any("AccessDenied" in (n.title or "") for n in toasts.seen))


async def test_filter_as_you_type_and_escape_clears() -> None:
    app = build_app()
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: loaded(app))
        await pilot.press("slash", "w", "e", "b")
        await wait_for(pilot, lambda: len(labels(app)) == 1)
        assert labels(app)[0].startswith("webhook")
        # The selection follows the filter: actions now apply to the one row shown.
        main = app.main
        await wait_for(pilot, lambda: main.current is not None and main.current.key == fn_arn("webhook"))
        await pilot.press("escape")
        await wait_for(pilot, lambda: len(labels(app)) == 4)
        await pilot.press("slash", "z", "z", "z")
        await wait_for(pilot, lambda: "no match" in labels(app)[0])


async def test_open_function_shows_policies_per_qualifier_and_raw_json() -> None:
    app = build_app()
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: loaded(app))
        await pilot.press("enter")  # billing, first row
        await wait_for(pilot, lambda: app.main.has_class("show-detail"))
        text = detail_text(app)
        assert "python3.12" in text and "billing-exec" in text
        assert "Resource policy of alias billing:prod" in text
        assert "OrdersInvokeProd" in text
        assert "Invoices [bold]customers[/bold]" in text  # untrusted text shown literally
        await pilot.press("v")
        assert '"Sid": "OrdersInvokeProd"' in detail_text(app)
        await pilot.press("escape")
        assert not app.main.has_class("show-detail")


async def test_expand_function_into_aliases_and_versions() -> None:
    app = build_app()
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: loaded(app))
        await pilot.press("l")
        tree = app.main.pane("functions").rows_tree
        children = [label_text(c.label) for c in tree.root.children[0].children]
        assert children[0].startswith("alias prod") and children[1].startswith("version 7")


async def _simulate_on_alias(pilot: Pilot[Any], app: LambdaPermApp, principal: str) -> SimulatorScreen:
    await pilot.press("l", "j", "s")  # expand billing, move to alias prod, simulate
    screen = await wait_for_screen(pilot, app, SimulatorScreen)
    assert screen.query_one("#sim-resource", Input).value == fn_arn("billing", "prod")
    assert screen.query_one("#sim-action", Input).value == "lambda:InvokeFunction"
    screen.query_one("#sim-principal", Input).value = principal
    return screen


async def test_simulate_allowed_with_explanation() -> None:
    app = build_app()
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: loaded(app))
        screen = await _simulate_on_alias(pilot, app, ORDERS_ROLE)
        await wait_for(pilot, lambda: answered(screen, principal=ORDERS_ROLE))
        answer = screen.query_one("#sim-answer", Static)
        assert "✔ ALLOWED" in plain(answer)
        text = tree_text(screen.query_one("#sim-tree", Tree))
        assert "★ decided by Allow in resource billing:prod #0 (OrdersInvokeProd)" in text
        full = tree_text(screen.query_one("#sim-tree", Tree), full=True)
        assert "★ decided by Allow in resource policy billing:prod statement 0 (OrdersInvokeProd)" in full
        assert "★ DECIDING #0 OrdersInvokeProd Allow" in text


async def test_simulate_denied_then_what_if_flips_it() -> None:
    app = build_app()
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: loaded(app))
        screen = await _simulate_on_alias(pilot, app, REPORTS_ROLE)
        await wait_for(pilot, lambda: screen.answer is not None and screen.answer.principal == REPORTS_ROLE)
        assert screen.answer is not None and screen.answer.decision == "implicit_deny"
        assert "✘ DENIED" in plain(screen.query_one("#sim-answer", Static))
        tree = screen.query_one("#sim-tree", Tree)
        # Verdict first and short: the reports role (own account, shortened) is not the orders role.
        assert "✘ Principal  role/reports ≠ AWS role/orders-api" in tree_text(tree)
        # Every line fits in 80 columns' worth of tree without sideways scrolling; the full engine text of
        # the highlighted line is shown under the tree.
        assert not tree.show_horizontal_scrollbar
        await pilot.press("ctrl+t")
        for _ in range(30):
            node = tree.cursor_node
            if node is not None and label_text(node.label).startswith("✘ Principal"):
                break
            await pilot.press("j")
        line = plain(screen.query_one("#sim-line", Static))
        assert f'✘ Principal: "{REPORTS_ROLE}" matches none of {{"AWS": "{ORDERS_ROLE}"}}' in line
        # What-if: open the alias policy from the answer, grant the reports role, save.
        await pilot.press("ctrl+o")
        await wait_for(pilot, lambda: isinstance(app.screen, PolicyEditorScreen))
        editor = app.screen.query_one(TextArea)
        # An invalid edit is refused with a message; the text is kept.
        editor.text = '{"Statement": [ oops'
        await pilot.press("ctrl+s")
        assert isinstance(app.screen, PolicyEditorScreen)
        assert "not valid JSON" in plain(app.screen.query_one("#ed-error", Static))
        assert editor.text == '{"Statement": [ oops'
        editor.text = editor.text.replace(" oops", "") + "]}"
        editor.text = (
            '{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"AWS": "'
            + REPORTS_ROLE
            + '"}, "Action": "lambda:InvokeFunction", "Resource": "'
            + fn_arn("billing", "prod")
            + '"}]}'
        )
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: isinstance(app.screen, SimulatorScreen))
        await wait_for(pilot, lambda: screen.answer is not None and screen.answer.decision == "allowed")
        assert "✎ edited" in tree_text(screen.query_one("#sim-tree", Tree))
        assert len(app.whatif.edits) == 1
        # Reset: back to the loaded policies, denied again.
        await pilot.press("ctrl+r")
        await wait_for(pilot, lambda: screen.answer is not None and screen.answer.decision == "implicit_deny")
        assert not app.whatif.edits


async def test_simulate_bad_input_is_a_message_not_a_crash() -> None:
    app = build_app()
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: loaded(app))
        screen = await _simulate_on_alias(pilot, app, "not a principal at all")
        await wait_for(pilot, lambda: screen.answer_error is not None)
        assert screen.answer_error is not None and "principal" in screen.answer_error
        assert "cannot ask" in plain(screen.query_one("#sim-answer", Static))


async def test_who_can_on_alias_and_what_can_on_role() -> None:
    app = build_app()
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: loaded(app))
        await pilot.press("l", "j", "w")
        screen = await wait_for_screen(pilot, app, WhoCanScreen)
        await wait_for(pilot, lambda: bool(screen.rows))
        table = screen.query_one(DataTable)
        rows = [
            [c.plain if isinstance(c, Text) else str(c) for c in table.get_row_at(i)]
            for i in range(table.row_count)
        ]
        orders = next(r for r in rows if "orders-api" in r[1])
        assert orders[0] == "✔ ALLOWED" and "OrdersInvokeProd" in orders[2]
        reports = next(r for r in rows if "reports" in r[1])
        assert reports[0] == "✘ DENIED"
        await pilot.press("escape", "3")  # roles pane
        await wait_for(pilot, lambda: app.main.active_pane().id == "pane-roles")
        await pilot.press("w")
        what = await wait_for_screen(pilot, app, WhatCanScreen)
        await wait_for(pilot, lambda: bool(what.rows))
        assert all(r.action and r.resource for r in what.rows)


async def test_help_lists_real_bindings() -> None:
    app = build_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("question_mark")
        await pilot.pause()
        from lambdaperm_tui.ui.screens.help import HelpScreen

        assert isinstance(app.screen, HelpScreen)
        text = plain(app.screen.query_one(Static))
        for binding in [*app.BINDINGS, *app.main.BINDINGS]:
            assert isinstance(binding, Binding)
            assert (binding.tooltip or binding.description) in text


async def test_ten_thousand_functions_stay_responsive() -> None:
    app = build_app(many_functions(10_000))
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: loaded(app), timeout=60)
        assert len(app.main.pane("functions").entries) == 10_000
        assert len(labels(app)) == 10_000  # rows held back while streaming are all shown once loaded
        await pilot.press("G")
        cursor = app.main.pane("functions").rows_tree.cursor_node
        assert cursor is not None and cursor.data is not None and cursor.data.key == fn_arn("fn-09999")
        await pilot.press("slash", "0", "9", "9", "9", "9")
        await wait_for(pilot, lambda: len(labels(app)) == 1)
        # A shorter query searches everything again (the narrowed match set is only reused to extend).
        await pilot.press("backspace")
        await wait_for(pilot, lambda: len(labels(app)) == 11)  # fn-00999, fn-09990 … fn-09999
        assert labels(app)[0].startswith("fn-00999") and labels(app)[-1].startswith("fn-09999")
