"""Smaller flows: reload, copy, layers, roles and principals (the command palette: test_palette.py)."""

from __future__ import annotations

from textual.widgets import Input

from lambdaperm_tui.ui.screens.simulator import SimulatorScreen
from lambdaperm_tui.ui.screens.who_can import WhoCanScreen

from .helpers import answered, build_app, detail_text, loaded, wait_for, wait_for_screen
from .inventory_fixture import BILLING_ROLE, fn_arn
from .test_flows import labels

SIZE = (80, 24)
LAYER_V2 = "arn:aws:lambda:us-east-1:111122223333:layer:shared-utils:2"


async def test_reload_loads_again_and_keeps_rows() -> None:
    app = build_app()
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: loaded(app))
        first = app.generation
        await pilot.press("r")
        await wait_for(pilot, lambda: app.generation == first + 1 and loaded(app))
        assert len(app.main.pane("functions").entries) == 4


async def test_copy_selected_arn() -> None:
    app = build_app()
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: loaded(app) and app.main.current is not None)
        await pilot.press("y")
        assert app.clipboard == fn_arn("billing")


async def test_layer_version_policy_and_who_can() -> None:
    app = build_app()
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: loaded(app))
        await pilot.press("2")
        await wait_for(pilot, lambda: app.main.active_pane().id == "pane-layers")
        await pilot.press("w")  # on the layer itself: its newest version
        who = await wait_for_screen(pilot, app, WhoCanScreen)
        assert who.resource == LAYER_V2
        await pilot.press("escape")
        await pilot.press("l", "j")  # newest version first
        await wait_for(pilot, lambda: app.main.current is not None and app.main.current.key == LAYER_V2)
        await pilot.pause(0.2)
        assert "OrgRead" in detail_text(app)
        await pilot.press("w")
        who = await wait_for_screen(pilot, app, WhoCanScreen)
        await wait_for(pilot, lambda: bool(who.rows))
        assert who.action == "lambda:GetLayerVersion"


async def test_role_detail_and_simulate_prefills_principal() -> None:
    app = build_app()
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: loaded(app))
        await pilot.press("3")
        await wait_for(pilot, lambda: app.main.current is not None and app.main.current.kind == "role")
        await pilot.press("enter")
        await pilot.pause(0.2)
        text = detail_text(app)
        assert "Trust policy" in text and "lambda.amazonaws.com" in text
        assert "Used by" in text
        while app.main.current is None or app.main.current.key != BILLING_ROLE:
            await pilot.press("escape", "j", "enter")
        assert "AWSLambdaBasicExecutionRole" in detail_text(app)
        assert "billing, webhook" in detail_text(app)
        await pilot.press("s")
        sim = await wait_for_screen(pilot, app, SimulatorScreen)
        assert sim.query_one("#sim-principal", Input).value == BILLING_ROLE


async def test_principals_pane_names_the_public() -> None:
    app = build_app()
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: loaded(app) and len(app.main.pane("principals").entries) > 0)
        await pilot.press("4")
        rows = labels(app, "principals")
        public = next(r for r in rows if r.startswith("*"))
        assert "PUBLIC" in public
        await wait_for(pilot, lambda: app.main.current is not None and app.main.current.kind == "principal")
        await pilot.press("enter")
        await pilot.pause(0.2)
        assert "function policy webhook" in detail_text(app)


async def test_function_url_question_shows_both_checks() -> None:
    from textual.widgets import Input, Tree

    from .test_flows import tree_text

    app = build_app()
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: loaded(app))
        await pilot.press("j", "j", "j", "s")  # webhook (rows by name once loaded)
        screen = await wait_for_screen(pilot, app, SimulatorScreen)
        screen.query_one("#sim-action", Input).value = "lambda:InvokeFunctionUrl"
        screen.query_one("#sim-principal", Input).value = "anonymous"
        url = "lambda:InvokeFunctionUrl"
        await wait_for(pilot, lambda: answered(screen, principal="anonymous", action=url))
        text = tree_text(screen.query_one("#sim-tree", Tree))
        assert "function URL permission: lambda:InvokeFunctionUrl" in text
        assert "invoke via function URL: lambda:InvokeFunction" in text
        assert "★ DECIDING #0 PublicUrl Allow" in text


async def test_edit_from_detail_refuses_an_invalid_policy_and_keeps_the_text() -> None:
    from textual.widgets import Static, TextArea

    from lambdaperm_tui.ui.screens.policy_editor import PolicyEditorScreen
    from lambdaperm_tui.ui.screens.policy_picker import PolicyPicker

    app = build_app()
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: loaded(app) and app.main.current is not None)
        await pilot.press("e")  # billing: its function, version and alias policies
        picker = await wait_for_screen(pilot, app, PolicyPicker)
        assert len(picker.refs) == 3
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, PolicyEditorScreen))
        editor = app.screen.query_one(TextArea)
        assert editor.language == "json"  # highlighted (tree-sitter-json is a dependency)
        bad = '{"Version": "2012-10-17", "Statement": [{"Effect": "Maybe", "Action": "*", "Resource": "*"}]}'
        editor.text = bad
        await pilot.press("ctrl+s")
        assert isinstance(app.screen, PolicyEditorScreen)
        from .test_flows import plain

        message = plain(app.screen.query_one("#ed-error", Static))
        assert "not a valid policy" in message and "Effect" in message
        assert editor.text == bad
        assert not app.whatif.edits
        # A valid edit is kept and marked on the row and in the detail until reset.
        editor.text = '{"Version": "2012-10-17", "Statement": []}'
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: len(app.whatif.edits) == 1)
        await wait_for(pilot, lambda: "✎edited" in labels(app)[0])
        await pilot.press("E")
        await wait_for(pilot, lambda: not app.whatif.edits and "✎edited" not in labels(app)[0])


async def test_who_can_row_opens_the_simulator_with_its_context() -> None:
    from textual.widgets import DataTable, Input

    app = build_app()
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: loaded(app) and app.main.current is not None)
        await pilot.press("w")  # billing, unqualified: its policy names s3.amazonaws.com with a SourceArn
        screen = await wait_for_screen(pilot, app, WhoCanScreen)
        await wait_for(pilot, lambda: bool(screen.rows))
        assert app.focused is screen.query_one(DataTable)  # keys move the cursor, not the action input
        # Long cells are cut (the row is in full below): no horizontal scrollbar sliver under the table.
        assert screen.query_one(DataTable).virtual_size.width > screen.query_one(DataTable).size.width
        assert not screen.query_one(DataTable).show_horizontal_scrollbar
        index = next(i for i, r in enumerate(screen.rows) if r.principal == "s3.amazonaws.com" and r.context)
        for _ in range(index):
            await pilot.press("j")
        assert screen.query_one("#wc-action", Input).value == "lambda:InvokeFunction"
        row = screen.rows[index]
        await pilot.press("enter")
        sim = await wait_for_screen(pilot, app, SimulatorScreen)
        rows = [i.value for i in sim.query("Input.ctx").results(Input) if i.value]
        assert rows and all("=" in r for r in rows)
        await wait_for(pilot, lambda: sim.answer is not None)
        assert sim.answer is not None and sim.answer.decision == row.decision
        # The condition line shows both sides of the comparison.
        from textual.widgets import Tree

        from .test_flows import tree_text

        tree = sim.query_one("#sim-tree", Tree)
        assert 'ArnLike AWS:SourceArn: policy ["arn:aws:s3:::invoices-[bucket]"] vs request' in tree_text(
            tree, full=True
        )
        # On screen the request side comes first, then the operator and the policy's values.
        assert "AWS:SourceArn " in tree_text(tree)
        assert " vs ArnLike arn:aws:s3:::invoices-[bucket]" in tree_text(tree)


async def test_suggesters_complete_principals_actions_and_context_keys() -> None:
    from textual.widgets import Input

    app = build_app()
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: loaded(app) and app.main.current is not None)
        await pilot.press("s")
        screen = await wait_for_screen(pilot, app, SimulatorScreen)
        principal = screen.query_one("#sim-principal", Input)
        assert principal.suggester is not None
        assert await principal.suggester.get_suggestion("arn:aws:iam::111122223333:role/ord") == (
            "arn:aws:iam::111122223333:role/orders-api"
        )
        action = screen.query_one("#sim-action", Input)
        assert action.suggester is not None
        assert await action.suggester.get_suggestion("lambda:InvokeFunctionU") == "lambda:InvokeFunctionUrl"
        ctx = next(iter(screen.query("Input.ctx").results(Input)))
        # Keys of the action being asked about come first (lambda:...), then the global aws: keys.
        assert screen.context_keys()[0].startswith("lambda:")
        assert ctx.suggester is not None
        assert await ctx.suggester.get_suggestion("aws:SourceAr") == "aws:SourceArn="


async def test_help_groups_keep_the_key_column_narrow() -> None:
    from textual.widgets import Static

    from .test_flows import plain

    app = build_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("question_mark")
        await pilot.pause()
        text = plain(app.screen.query_one(Static))
        assert "f7" in text and "Select all" in text  # the editor's select-all key is documented
        # A key and its description share a line, the description starting within 14 columns.
        line = next(ln for ln in text.splitlines() if "Quit the explorer" in ln)
        assert line.index("Quit the explorer") <= 14
