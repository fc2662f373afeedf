"""The function detail's Needs and Triggers over the demo account (issue 11, the explorer): each need
with its verdict, why and what decided, Enter on one opens the simulator on exactly that question, event
source mappings under their function, and async invoke configs read on demand for the function shown.

The demo's story is lambdaperm_tui/demo/seed_needs.py (docs/demo.md); the expected needs follow the
Lambda guide pages cited in tests/demo/test_demo_needs.py.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from textual.widgets import Input

from lambdaperm_tui.aws.source import Source
from lambdaperm_tui.demo import seed_needs as story
from lambdaperm_tui.sources import stop_demo
from lambdaperm_tui.ui import backend
from lambdaperm_tui.ui.app import LambdaPermApp
from lambdaperm_tui.ui.screens.simulator import SimulatorScreen
from lambdaperm_tui.ui.sections import Ask, Jump

from .helpers import detail_text, label_text, loaded, wait_for, wait_for_screen
from .inventory_fixture import FIXED_NOW

SIZE = (120, 40)


@pytest.fixture
def demo_app() -> Iterator[LambdaPermApp]:
    source = Source(kind="demo")
    label, regions = backend.describe_source(source)
    reads: list[str] = []
    reader = backend.invoke_config_reader(source)

    def counting(fn: object, on_event: object) -> object:
        reads.append(fn.name)  # type: ignore[attr-defined]
        return reader(fn, on_event)  # type: ignore[arg-type]

    app = LambdaPermApp(
        backend.make_loader(source),
        source_label=label,
        regions=regions,
        now=lambda: FIXED_NOW,
        read_invoke_configs=counting,  # type: ignore[arg-type]
    )
    app.invoke_reads = reads  # type: ignore[attr-defined]
    try:
        yield app
    finally:
        stop_demo()


async def show(pilot: object, app: LambdaPermApp, name: str) -> str:
    """Filter the Functions list to ``name`` as a user does, and wait for its answers; the detail text."""
    await pilot.press("1", "slash", *name, "enter")  # type: ignore[attr-defined]
    await wait_for(pilot, lambda: app.main.current is not None and app.main.current.obj.name == name)
    await wait_for(
        pilot,
        lambda: (
            "Triggers (what can invoke it)  " in (text := detail_text(app))
            and "computing…" not in text
            and "updating the answers" not in text
            and "reading its asynchronous" not in text
        ),
        timeout=60,
    )
    await pilot.press("escape")  # type: ignore[attr-defined]
    return detail_text(app)


async def test_needs_triggers_and_mappings_of_the_demo(demo_app: LambdaPermApp) -> None:
    app = demo_app
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: loaded(app), timeout=120)
        account = app.inventory.account_id
        region = app.inventory.regions[0]
        queue = f"arn:aws:sqs:{region}:{account}:orders-to-fulfil"
        role = next(f.role for f in app.inventory.functions if f.name == story.QUEUE_WORKER)

        # The SQS worker whose role cannot receive (services-sqs-configure page).
        text = await show(pilot, app, story.QUEUE_WORKER)
        assert f"Needs of the execution role {role}  ✘ DENIED" in text
        assert f"✘ DENIED  sqs:ReceiveMessage on {queue}" in text
        assert "blocked: no statement allows" in text
        assert f"✔ ALLOWED  sqs:DeleteMessage on {queue}" in text
        assert "✔ ALLOWED  logs:PutLogEvents" in text
        # Its mapping cannot invoke: the role cannot read the queue.
        assert "✘ DENIED  sqs event source mapping" in text
        # Read on demand, once each, only for the functions whose detail was shown (the first row, those
        # the filter passed while typing, this one): it has none, so nothing is left unread.
        reads: list[str] = app.invoke_reads  # type: ignore[attr-defined]
        assert story.QUEUE_WORKER in reads and len(set(reads)) == len(reads)
        assert len(reads) < len(app.inventory.functions)
        assert "not read: asynchronous" not in text

        # Enter on the denied need: the simulator asks exactly that, as the execution role.
        await pilot.press("tab")
        need = next(
            r.target
            for r in app.main.detail.rows()
            if isinstance(r.target, Ask) and r.target.question.action == "sqs:ReceiveMessage"
        )
        for _ in range(80):
            row = app.main.detail.selected_row()
            if row is not None and row.target == need:
                break
            await pilot.press("j")
        await pilot.press("enter")
        sim = await wait_for_screen(pilot, app, SimulatorScreen)
        assert sim.query_one("#sim-principal", Input).value == role
        assert sim.query_one("#sim-action", Input).value == "sqs:ReceiveMessage"
        assert sim.query_one("#sim-resource", Input).value == queue
        await wait_for(pilot, lambda: sim.answer is not None)
        assert sim.answer is not None
        assert sim.answer.decision == "implicit_deny"
        await pilot.press("escape")
        await wait_for(pilot, lambda: not isinstance(app.screen, SimulatorScreen))

        # The mapping is a child of its function in the tree; its detail holds its own needs.
        await pilot.press("1")
        tree = app.main.pane("functions").rows_tree
        await pilot.press("l")
        node = tree.cursor_node
        assert node is not None and node.data is not None and node.data.obj.name == story.QUEUE_WORKER
        children = [(label_text(c.label), c.data.kind if c.data else None) for c in node.children]
        assert ("⇄ sqs orders-to-fulfil  Enabled", "mapping") in children
        while (
            tree.cursor_node is not None
            and tree.cursor_node.data is not None
            and (tree.cursor_node.data.kind != "mapping")
        ):
            await pilot.press("j")
        await wait_for(pilot, lambda: app.main.current is not None and app.main.current.kind == "mapping")
        await wait_for(pilot, lambda: "✘ DENIED  sqs:ReceiveMessage" in detail_text(app))
        mapping_text = detail_text(app)
        assert any(line.split() == ["Source", queue] for line in mapping_text.splitlines())
        assert "logs:" not in mapping_text  # only the needs the mapping adds
        assert Jump("functions", node.data.key) in [r.target for r in app.main.detail.rows()]

        # Active tracing without X-Ray (services-xray page); a VPC without, then with, the ENI actions.
        text = await show(pilot, app, story.TRACED)
        assert "✘ DENIED  xray:PutTraceSegments on *" in text
        assert "why: tracing is Active" in text
        text = await show(pilot, app, story.VPC_WITHOUT_ENI)
        assert "✘ DENIED  ec2:CreateNetworkInterface" in text
        text = await show(pilot, app, story.VPC_WITH_ENI)
        assert "✔ ALLOWED  ec2:CreateNetworkInterface" in text
        met = next(f.role for f in app.inventory.functions if f.name == story.VPC_WITH_ENI)
        assert f"Needs of the execution role {met}  ✔ ALLOWED" in text

        # The async destination exists only in the function's invoke config: read on demand, it is a need.
        text = await show(pilot, app, story.ASYNC_NOTIFIER)
        failures = f"arn:aws:sqs:{region}:{account}:notifier-failures"
        assert f"✔ ALLOWED  sqs:SendMessage on {failures}" in text
        assert "why: asynchronous invocations of" in text
        assert story.ASYNC_NOTIFIER in app.invoke_reads  # type: ignore[attr-defined]

        # Triggers: a service allowed only from its source is conditional, with the condition.
        text = await show(pilot, app, "billing")
        assert "◐ ALLOWED IF  " in text and "only if: " in text
