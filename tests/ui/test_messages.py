"""Workers hand their results back as typed messages (ui/messages.py), and a screen shows only the answer
to the last question it asked: a message for a question since replaced is dropped."""

from __future__ import annotations

from textual.widgets import Input

from lambdaperm_tui.ui.messages import AnswerReady, FindingsReady, RowsReady
from lambdaperm_tui.ui.screens.simulator import SimulatorScreen
from lambdaperm_tui.ui.screens.who_can import WhoCanScreen

from .helpers import Messages, build_app, loaded, wait_for, wait_for_screen
from .inventory_fixture import ORDERS_ROLE, REPORTS_ROLE, fn_arn

SIZE = (100, 30)


async def test_the_simulator_shows_the_answer_its_worker_posts_and_drops_a_stale_one() -> None:
    app = build_app()
    seen = Messages(AnswerReady)
    async with app.run_test(size=SIZE, message_hook=seen) as pilot:
        await wait_for(pilot, lambda: loaded(app))
        app.push_screen(SimulatorScreen(principal=ORDERS_ROLE, resource=fn_arn("billing", "prod")))
        screen = await wait_for_screen(pilot, app, SimulatorScreen)
        await wait_for(pilot, lambda: screen.answer is not None)
        first = seen.of(AnswerReady)[-1]
        assert first.answer.decision == "allowed" and screen.answer is first.answer
        # A second question (asked 0.25 s after the typing): the reports role may not invoke the alias.
        screen.query_one("#sim-principal", Input).value = REPORTS_ROLE
        await wait_for(pilot, lambda: screen.answer is not None and screen.answer.decision == "implicit_deny")
        await pilot.pause(0.5)  # nothing more on its way (the screen may ask more than once as it settles)
        second = seen.of(AnswerReady)[-1]
        assert second.request > first.request and screen.answer is second.answer
        # The first question's answer arriving late is dropped: the screen keeps the second one.
        late = AnswerReady(first.request, first.answer)
        screen.post_message(late)
        await wait_for(pilot, lambda: any(m is late for m in seen.seen))
        await pilot.pause()
        assert screen.answer is second.answer
        # The same answer under the current question's number is shown (the handler is live).
        screen.post_message(AnswerReady(second.request, first.answer))
        await wait_for(pilot, lambda: screen.answer is first.answer)


async def test_who_can_rows_arrive_as_a_message_and_rows_of_a_replaced_question_are_dropped() -> None:
    app = build_app()
    seen = Messages(RowsReady)
    async with app.run_test(size=SIZE, message_hook=seen) as pilot:
        await wait_for(pilot, lambda: loaded(app))
        app.push_screen(WhoCanScreen(action="lambda:InvokeFunction", resource=fn_arn("billing", "prod")))
        screen = await wait_for_screen(pilot, app, WhoCanScreen)
        await wait_for(pilot, lambda: bool(seen.of(RowsReady)) and bool(screen.rows))
        invoke = seen.of(RowsReady)[-1]
        assert tuple(screen.rows) == invoke.rows
        # Ask about another action (Enter in the action field): new rows, a new question number.
        field = screen.query_one("#wc-action", Input)
        field.value = "lambda:GetFunction"
        field.focus()
        await pilot.press("enter")
        await wait_for(pilot, lambda: seen.of(RowsReady)[-1].request > invoke.request)
        get = seen.of(RowsReady)[-1]
        await wait_for(pilot, lambda: tuple(screen.rows) == get.rows)
        assert {row.answer.action for row in get.rows} == {"lambda:GetFunction"}
        # The InvokeFunction rows arriving late are dropped.
        late = RowsReady(invoke.request, invoke.rows)
        screen.post_message(late)
        await wait_for(pilot, lambda: any(m is late for m in seen.seen))
        await pilot.pause()
        assert tuple(screen.rows) == get.rows
        screen.post_message(RowsReady(get.request, invoke.rows))
        await wait_for(pilot, lambda: tuple(screen.rows) == invoke.rows)


async def test_findings_of_an_inventory_since_reloaded_are_dropped() -> None:
    from lambdaperm_tui.analysis.findings.model import FindingsReport

    app = build_app()
    seen = Messages(FindingsReady)
    async with app.run_test(size=SIZE, message_hook=seen) as pilot:
        await wait_for(pilot, lambda: loaded(app) and bool(seen.of(FindingsReady)))
        first = seen.of(FindingsReady)[-1]
        pane = app.main.findings_pane
        await wait_for(pilot, lambda: pane.findings == first.report.findings)
        assert first.report.findings, "the fixture account has findings"
        await pilot.press("r")  # reload: the findings are asked again once the load ends
        await wait_for(pilot, lambda: loaded(app) and seen.of(FindingsReady)[-1].request > first.request)
        second = seen.of(FindingsReady)[-1]
        await wait_for(pilot, lambda: pane.findings == second.report.findings)
        # An empty report for the first load, arriving late, is dropped; for the current one it is shown.
        late = FindingsReady(first.request, FindingsReport(()), first.account)
        app.main.post_message(late)
        await wait_for(pilot, lambda: any(m is late for m in seen.seen))
        await pilot.pause()
        assert pane.findings == second.report.findings
        app.main.post_message(FindingsReady(second.request, FindingsReport(()), second.account))
        await wait_for(pilot, lambda: pane.findings == ())


async def test_the_editor_returns_save_cancel_and_revert_through_dismiss_and_changes_nothing_itself() -> None:
    from textual.widgets import TextArea

    from lambdaperm_tui.analysis.whatif import policy_refs
    from lambdaperm_tui.ui.screens.policy_editor import (
        EditCancelled,
        EditResult,
        EditReverted,
        EditSaved,
        PolicyEditorScreen,
        editor_for,
    )

    app = build_app()
    results: list[EditResult | None] = []
    empty = {"Version": "2012-10-17", "Statement": []}
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: loaded(app))
        ref = policy_refs(app.base_inventory)[0]

        async def edit(*keys: str, text: str | None = None) -> EditResult | None:
            before = len(results)
            app.push_screen(editor_for(app.whatif, ref), results.append)
            screen = await wait_for_screen(pilot, app, PolicyEditorScreen)
            await wait_for(pilot, lambda: app.focused is not None and isinstance(app.focused, TextArea))
            if text is not None:
                screen.query_one(TextArea).text = text
            await pilot.press(*keys)
            await wait_for(pilot, lambda: len(results) > before)
            assert not isinstance(app.screen, PolicyEditorScreen)
            return results[-1]

        assert await edit("escape") == EditCancelled(ref)
        saved = await edit("ctrl+s", text='{"Version": "2012-10-17", "Statement": []}')
        assert saved == EditSaved(ref, empty)
        assert not app.whatif.edits  # the editor returned the edit; applying it is the opener's
        app.apply_edit(saved)
        assert app.whatif.is_edited(ref)
        # The editor shows the edit; ctrl+r puts the loaded document back, and leaving reverts.
        reverted = await edit("ctrl+r", "escape")
        assert reverted == EditReverted(ref)
        assert app.whatif.is_edited(ref)
        app.apply_edit(reverted)
        assert not app.whatif.edits
        # An invalid document is refused in the editor, which stays open and returns nothing.
        app.push_screen(editor_for(app.whatif, ref), results.append)
        screen = await wait_for_screen(pilot, app, PolicyEditorScreen)
        await wait_for(pilot, lambda: app.focused is not None and isinstance(app.focused, TextArea))
        screen.query_one(TextArea).text = '{"Statement": "not a list"'
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert app.screen is screen and len(results) == 3


async def test_the_picker_leaves_with_the_editors_result_and_the_explorer_applies_it() -> None:
    from textual.widgets import TextArea

    from lambdaperm_tui.ui.screens.policy_editor import PolicyEditorScreen
    from lambdaperm_tui.ui.screens.policy_picker import PolicyPicker

    app = build_app()
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: loaded(app))
        await pilot.press("3")  # roles: a role has several policies, so the picker asks which
        await wait_for(pilot, lambda: app.main.current is not None and app.main.current.kind == "role")
        await pilot.press("e")
        await wait_for_screen(pilot, app, PolicyPicker)
        await pilot.press("enter")
        editor = await wait_for_screen(pilot, app, PolicyEditorScreen)
        await pilot.press("escape")  # cancelled: back to the explorer, the picker gone too
        await wait_for(pilot, lambda: app.screen is app.main)
        assert not app.whatif.edits
        await pilot.press("e")
        await wait_for_screen(pilot, app, PolicyPicker)
        await pilot.press("enter")
        editor = await wait_for_screen(pilot, app, PolicyEditorScreen)
        await wait_for(pilot, lambda: app.focused is not None and isinstance(app.focused, TextArea))
        editor.query_one(TextArea).text = '{"Version": "2012-10-17", "Statement": []}'
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: app.screen is app.main and bool(app.whatif.edits))
        assert app.whatif.is_edited(editor.ref)


async def test_a_worker_that_fails_on_a_screen_is_one_toast_and_the_app_goes_on() -> None:
    from textual import work
    from textual.app import ComposeResult
    from textual.widgets import Static

    from lambdaperm_tui.ui.screens.base import ExplorerScreen

    from .helpers import Toasts

    class Failing(ExplorerScreen[None]):
        def compose(self) -> ComposeResult:
            yield Static("failing")

        def on_mount(self) -> None:
            self._work()

        @work(thread=True, exit_on_error=False)
        def _work(self) -> None:
            raise RuntimeError("the analysis broke")

    app = build_app()
    toasts = Toasts()
    async with app.run_test(size=SIZE, message_hook=toasts) as pilot:
        await wait_for(pilot, lambda: loaded(app))
        app.push_screen(Failing())
        await wait_for(pilot, lambda: any("the analysis broke" in n.message for n in toasts.seen))
        assert [n.severity for n in toasts.seen if "the analysis broke" in n.message] == ["error"]
        await pilot.press("escape")  # the app still handles keys, and the screen is still there
        assert app.is_running and isinstance(app.screen, Failing)


async def test_the_explorer_exits_non_zero_when_it_stops_on_an_error_and_zero_after_q() -> None:
    import pytest

    from lambdaperm_tui.ui.app import exit_status

    app = build_app()
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: loaded(app))
        await pilot.press("q")
    assert exit_status(app) == 0

    def broken() -> None:
        raise RuntimeError("a bug in a handler")

    app = build_app()
    with pytest.raises(RuntimeError, match="a bug in a handler"):
        async with app.run_test(size=SIZE) as pilot:
            await wait_for(pilot, lambda: loaded(app))
            app.call_later(broken)
            await pilot.pause()
    assert exit_status(app) == 1
