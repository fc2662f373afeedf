"""Issue 9 (a newcomer at 80x24, keyboard only), items 9, 12 and 13: what a narrow terminal cut off,
and wording a newcomer could not follow."""

from __future__ import annotations

from dataclasses import replace

from textual.pilot import Pilot
from textual.widgets import DataTable, Input, Static, TextArea

from lambdaperm_tui.inventory.model import Alias, Inventory, PolicySlot
from lambdaperm_tui.ui.app import LambdaPermApp
from lambdaperm_tui.ui.render import arn_cell, keep_end
from lambdaperm_tui.ui.screens.policy_editor import PolicyEditorScreen
from lambdaperm_tui.ui.screens.policy_picker import PolicyPicker
from lambdaperm_tui.ui.screens.simulator import SimulatorScreen
from lambdaperm_tui.ui.screens.what_can import WhatCanScreen
from lambdaperm_tui.ui.screens.who_can import WhoCanScreen
from lambdaperm_tui.ui.widgets.header import SourceLine

from .helpers import ENTER, KEY_NAMES, build_app, burst, loaded, static_text, wait_for, wait_for_screen
from .inventory_fixture import ACCOUNT, fn_arn, make_inventory

SIZE = (80, 24)
LONG = "admin-console-api-internal"


def with_long_alias() -> Inventory:
    """The fixture plus a function whose alias ARN is wider than the simulator's Resource field at 80."""
    inv = make_inventory()
    billing = inv.functions[0]
    long_fn = replace(
        billing,
        arn=fn_arn(LONG),
        name=LONG,
        versions=(),
        aliases=(Alias(fn_arn(LONG, "live"), "live", "1", policy=PolicySlot()),),
    )
    return replace(inv, functions=(*inv.functions, long_fn))


def test_keep_end_keeps_the_distinguishing_end() -> None:
    arn = f"arn:aws:lambda:us-east-1:{ACCOUNT}:function:admin-console-api:live"
    assert keep_end(arn, 30) == "…admin-console-api:live"  # resumes after a separator
    assert keep_end(arn, 200) == arn
    assert keep_end(arn, 20) == "…in-console-api:live"  # no separator keeps half the room: cut raw
    assert len(keep_end(arn, 20)) == 20


def test_arn_cell_elides_the_shared_prefix() -> None:
    own = f"arn:aws:lambda:us-east-1:{ACCOUNT}:function:admin-console-api:live"
    assert arn_cell(own, ACCOUNT) == "us-east-1:function:admin-console-api:live"
    assert arn_cell("arn:aws:iam::444455556666:role/responder", ACCOUNT) == "…444455556666:role/responder"
    assert arn_cell(f"arn:aws:iam::{ACCOUNT}:role/orders", ACCOUNT) == "role/orders"
    assert arn_cell(own, ACCOUNT, 25) == "…admin-console-api:live"
    assert arn_cell("s3.amazonaws.com", ACCOUNT) == "s3.amazonaws.com"


async def test_simulator_resource_field_shows_the_qualifier() -> None:
    """Item 9: the prefilled Resource showed `…:function:admin-console-api:` and hid `:live`."""
    app = build_app(with_long_alias())
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: loaded(app))
        burst(app, "/admin-console" + ENTER)
        await wait_for(pilot, lambda: app.main.current is not None and app.main.current.key == fn_arn(LONG))
        await pilot.press("l", "j")
        await wait_for(pilot, lambda: app.main.current is not None and app.main.current.kind == "alias")
        await pilot.press("s")
        sim = await wait_for_screen(pilot, app, SimulatorScreen)
        field = sim.query_one("#sim-resource", Input)
        assert field.value == fn_arn(LONG, "live")
        await wait_for(pilot, lambda: field.max_scroll_x > 0 and field.scroll_x == field.max_scroll_x)
        assert field.render_line(0).text.rstrip().endswith(f"{LONG}:live")  # what the field draws


async def test_missing_fields_are_named_by_their_labels() -> None:
    """Item 13: "Fill in the principal, resource" did not say which fields, nor that they are empty."""
    app = build_app()
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: loaded(app))
        await pilot.press("3", "s")  # a role: Principal filled, Resource empty
        sim = await wait_for_screen(pilot, app, SimulatorScreen)
        answer = sim.query_one("#sim-answer", Static)
        await wait_for(pilot, lambda: "empty" in static_text(answer))
        assert "The Resource field is empty: fill it in to get an answer." in static_text(answer)
        sim.query_one("#sim-principal", Input).value = ""
        await wait_for(pilot, lambda: "Principal and Resource fields are empty" in static_text(answer))


async def test_editor_json_error_reads_once() -> None:
    """Item 13: a raw control character read "Invalid control character at at line 1, column 13"."""
    app = build_app()
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: loaded(app) and app.main.current is not None)
        await pilot.press("e")
        await wait_for_screen(pilot, app, PolicyPicker)
        await pilot.press("enter")
        editor = await wait_for_screen(pilot, app, PolicyEditorScreen)
        editor.query_one(TextArea).text = '{"Sid": "a\tb"}'
        await pilot.press("ctrl+s")
        error = static_text(editor.query_one("#ed-error", Static))
        assert "at at" not in error
        assert "not valid JSON at line 1, column 11: Invalid control character" in error
        assert "\\t or \\n" in error  # what to write instead


async def test_filter_placeholders_say_what_they_match() -> None:
    """Item 13: every pane's filter said only "filter functions", not what it looks in."""
    app = build_app()
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: loaded(app))
        placeholders = {
            pane: app.main.query_one(f"#pane-{pane}-filter", Input).placeholder
            for pane in ("functions", "layers", "roles", "principals")
        }
        placeholders["findings"] = app.main.query_one("#findings-filter", Input).placeholder
        assert "runtime" in placeholders["functions"] and "alias" in placeholders["functions"]
        assert "path" in placeholders["roles"]
        assert "kind" in placeholders["principals"]
        assert "severity" in placeholders["findings"]
        assert len(set(placeholders.values())) == 5  # each says its own fields
        assert all(p.startswith("filter by ") for p in placeholders.values())


async def test_header_shows_the_region_names_at_80_columns() -> None:
    """Item 9: `… · 2 regions:…` hid which regions were loaded."""
    two = replace(make_inventory(), regions=("us-east-1", "eu-west-1"), source="demo account (local moto)")
    for inv, whole in ((replace(two, failures=()), True), (two, False)):  # with failures, a wider badge
        app = build_app(inv)
        async with app.run_test(size=SIZE) as pilot:
            await wait_for(pilot, lambda: loaded(app))  # noqa: B023 - awaited within the iteration
            await pilot.pause()
            top = app.query_one(SourceLine)
            shown = static_text(top).rstrip()
            assert "us-east-1,eu-west-1" in shown[: top.size.width]  # in view, not behind the ellipsis
            assert "demo account" in shown and ACCOUNT in shown
            assert (len(shown) <= top.size.width) is whole  # nothing cut when nothing else is shown
    app = build_app(two)
    async with app.run_test(size=(160, 24)) as pilot:
        await wait_for(pilot, lambda: loaded(app))
        await pilot.pause()
        assert "λ lambdaperm │" in static_text(app.query_one(SourceLine))  # wide: the app's name is back


async def test_principal_rows_keep_their_distinguishing_end() -> None:
    """Item 9: principals rows were cut at 80 columns (`… role  external  in 2 statemen`)."""
    app = build_app()
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: loaded(app))
        await pilot.press("4")
        pane = app.main.pane("principals")
        await wait_for(pilot, lambda: bool(pane.entries))
        labels = {entry.key: label.plain for label, entry, _ in pane.entries.values()}
        assert labels["arn:aws:iam::999988887777:root"].startswith("…999988887777:root  account  external")
        own = next(k for k in labels if k.startswith(f"arn:aws:iam::{ACCOUNT}:role/"))
        assert labels[own].startswith(own.split(":", 5)[5] + "  role")  # role/orders-api, no prefix


def test_inert_label_keeps_an_inputs_line_end() -> None:
    """An Input's value is a Text with ``end=""``; made inert with a newline after it, the newline was drawn
    raw once the field scrolled to its end (a hostile ARN in the simulator's Resource field)."""
    from rich.text import Text

    from lambdaperm_tui.ui.render import inert_label

    assert inert_label(Text("a\x1bb", end="")).end == ""
    assert inert_label(Text("a\x1bb" * 2000, end=""), limit=10).end == ""


async def _what_can_of_first_role(app: LambdaPermApp, pilot: Pilot[int]) -> WhatCanScreen:
    await wait_for(pilot, lambda: loaded(app))
    await pilot.press("3")
    await wait_for(pilot, lambda: app.main.current is not None and app.main.current.kind == "role")
    await pilot.press("w")
    screen = await wait_for_screen(pilot, app, WhatCanScreen)
    await wait_for(pilot, lambda: bool(screen.rows) and not screen.query_one(DataTable).loading)
    return screen


async def test_what_can_groups_by_resource_and_asks_passrole() -> None:
    """Item 12: a flat list of ~100 rows over "common Lambda actions" only: iam:PassRole never showed."""
    app = build_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await _what_can_of_first_role(app, pilot)
        assert {"iam:PassRole", "lambda:CreateFunction", "lambda:InvokeFunction"} <= set(screen.actions)
        roles = {r.arn for r in app.inventory.roles}
        assert {r.resource for r in screen.rows if r.action == "iam:PassRole"} == roles
        # Every line under a heading is about the heading's resource, and each resource heads one group.
        resource = None
        headed: list[str] = []
        for index, row in enumerate(screen.shown):
            if row is None:
                resource = screen.heading_copy(index)
                headed.append(resource)
            else:
                assert row.resource == resource
        assert len(headed) == len(set(headed)) == len({r.resource for r in screen.rows})
        assert fn_arn("billing", "prod") in headed and roles <= set(headed)


async def test_what_can_actions_are_chosen_with_the_catalogs_suggestions() -> None:
    """Item 12: the user chooses the actions; the field completes them from the catalog."""
    app = build_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await _what_can_of_first_role(app, pilot)
        field = screen.query_one("#wc-action", Input)
        field.focus()
        field.value = "lambda:GetFunction, "
        await pilot.press("end", *(KEY_NAMES.get(c, c) for c in "iam:passr"))
        await wait_for(pilot, lambda: field.value == "lambda:GetFunction, iam:passr")
        await pilot.press("right")  # takes the suggestion
        await wait_for(pilot, lambda: field.value == "lambda:GetFunction, iam:PassRole")
        await pilot.press("enter")
        chosen = {"iam:PassRole", "lambda:GetFunction"}
        await wait_for(pilot, lambda: {r.action for r in screen.rows} == chosen)
        assert screen.actions == ("lambda:GetFunction", "iam:PassRole")
        assert "2 actions" in static_text(screen.query_one("#wc-title", Static))


async def test_what_can_filter_and_copy_a_row() -> None:
    """Item 12: `/` filters what-can's rows, Esc clears the filter before leaving, `y` copies a row."""
    app = build_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await _what_can_of_first_role(app, pilot)
        everything = len(screen.shown)
        await pilot.press("slash", *"passrole")
        await wait_for(pilot, lambda: len(screen.shown) < everything)
        rows = [r for r in screen.shown if r is not None]
        assert rows and all(r.action == "iam:PassRole" for r in rows)
        placeholder = screen.query_one("#wc-filter", Input).placeholder
        assert "resource" in placeholder and "action" in placeholder
        await pilot.press("enter", "j", "y")  # the first row under the first heading
        row = screen.row_at(screen.query_one(DataTable).cursor_row)
        assert row is not None
        await wait_for(pilot, lambda: app.clipboard.startswith("✔ ALLOWED") or "DENIED" in app.clipboard)
        assert f"{screen.principal}  iam:PassRole  {row.resource}" in app.clipboard
        await pilot.press("k", "y")  # a heading copies its resource's ARN
        await wait_for(pilot, lambda: app.clipboard == row.resource)
        await pilot.press("escape")
        await wait_for(pilot, lambda: len(screen.shown) == everything)
        assert app.screen is screen
        await pilot.press("escape")
        await wait_for(pilot, lambda: not isinstance(app.screen, WhatCanScreen))


async def test_who_can_filter_and_copy_a_row() -> None:
    """Item 12: who-can had no `/` filter and no way to copy a row."""
    app = build_app()
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: loaded(app) and app.main.current is not None)
        await pilot.press("w")
        screen = await wait_for_screen(pilot, app, WhoCanScreen)
        await wait_for(pilot, lambda: bool(screen.rows) and not screen.query_one(DataTable).loading)
        await pilot.press("slash", *"orders")
        await wait_for(pilot, lambda: 0 < len(screen.shown) < len(screen.rows))
        assert all(r is not None and "orders" in r.principal for r in screen.shown)
        await pilot.press("enter", "y")
        first = screen.shown[0]
        assert first is not None
        await wait_for(pilot, lambda: first.principal in app.clipboard)
        assert f"{first.principal}  {screen.action}  {screen.resource}" in app.clipboard


async def test_action_list_suggester_completes_the_last_action() -> None:
    from lambdaperm_tui.analysis.catalog import all_actions_for_prefix, known_services
    from lambdaperm_tui.ui.widgets.suggesters import ActionListSuggester

    suggest = ActionListSuggester(all_actions_for_prefix, known_services)
    assert await suggest.get_suggestion("lambda:GetFunction, iam:passr") == "lambda:GetFunction, iam:PassRole"
    assert await suggest.get_suggestion("lambda:InvokeFunction iam") == "lambda:InvokeFunction iam:"
    assert await suggest.get_suggestion("lambda:GetFunction, ") is None
