"""The explorer over real sources: a saved snapshot, the demo account, a source that fails to open."""

from __future__ import annotations

import os
from pathlib import Path

from textual.widgets import Static

from lambdaperm_tui.analysis import api
from lambdaperm_tui.aws.source import Source, SourceError
from lambdaperm_tui.inventory.model import Inventory
from lambdaperm_tui.sources import stop_demo
from lambdaperm_tui.ui import backend
from lambdaperm_tui.ui.app import LambdaPermApp, apply_color, make_app
from lambdaperm_tui.ui.widgets.header import StatusHeader

from .helpers import Toasts, label_text, loaded, wait_for
from .inventory_fixture import FIXED_NOW

SNAPSHOT = Path(__file__).parent.parent / "data" / "ui-fixture-snapshot.json"


def header_text(app: LambdaPermApp) -> str:
    header = app.query_one(StatusHeader)
    return " ".join(str(w.content) for w in header.query(Static))


def app_for(source: Source) -> LambdaPermApp:
    label, regions = backend.describe_source(source)
    return LambdaPermApp(
        backend.make_loader(source), source_label=label, regions=regions, now=lambda: FIXED_NOW
    )


async def test_snapshot_source_shows_file_and_age() -> None:
    app = app_for(Source(kind="snapshot", snapshot=str(SNAPSHOT)))
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: loaded(app))
        text = header_text(app)
        assert f"snapshot {SNAPSHOT.name} (captured 3h ago)" in text  # captured 09:00, "now" fixed at 12:00
        assert "READ-ONLY" in text
        assert len(app.main.pane("functions").entries) == 4


async def test_demo_account_loads_and_answers() -> None:
    app = app_for(Source(kind="demo"))
    try:
        async with app.run_test(size=(80, 24)) as pilot:
            await wait_for(pilot, lambda: loaded(app), timeout=120)
            names = {e[1].obj.name for e in app.main.pane("functions").entries.values()}
            assert "billing" in names and "orders-api" in names
            assert "demo" in header_text(app)
            inv = app.inventory
            billing_prod = next(
                a.arn for f in inv.functions if f.name == "billing" for a in f.aliases if a.name == "prod"
            )
            answer = api.explain(
                inv,
                f"arn:aws:iam::{inv.account_id}:role/orders-api-role",
                "lambda:InvokeFunction",
                billing_prod,
                {},
            )
            assert answer.decision == "allowed"
            # The principals pane lists who the demo's policies name (filled once the load ends).
            await wait_for(pilot, lambda: len(app.main.pane("principals").entries) > 0)
    finally:
        stop_demo()


async def test_source_that_cannot_open_is_a_notification_not_a_crash() -> None:
    def failing(on_event: object, cancel: object) -> Inventory:
        raise SourceError("--snapshot: no such file: /nowhere.json")

    app = LambdaPermApp(failing, source_label="snapshot /nowhere.json")
    toasts = Toasts()
    async with app.run_test(size=(80, 24), message_hook=toasts) as pilot:
        await wait_for(pilot, lambda: not app.loading)
        await wait_for(
            pilot,
            lambda: any(n.title == "Load failed" and "no such file" in n.message for n in toasts.seen),
        )
        assert "load failed" in header_text(app)
        row = label_text(app.main.pane("functions").rows_tree.root.children[0].label)
        assert row.startswith("load failed: --snapshot: no such file")
        await pilot.press("s")  # the app still works: the simulator opens on an empty inventory
        await pilot.pause()
        assert type(app.screen).__name__ == "SimulatorScreen"


def test_color_none_sets_no_color(monkeypatch: object) -> None:
    # Set, then deleted: monkeypatch records it, so the NO_COLOR that apply_color writes is undone after
    # the test (deleting an absent variable records nothing, and later apps would start without colour).
    monkeypatch.setenv("NO_COLOR", "")  # type: ignore[attr-defined]
    monkeypatch.delenv("NO_COLOR")  # type: ignore[attr-defined]
    apply_color("none")
    assert os.environ.get("NO_COLOR") == "1"
    app = LambdaPermApp(lambda e, c: Inventory("", (), "", ""))
    assert app.no_color


def test_color_256_and_16_pick_the_color_system(monkeypatch: object) -> None:
    from textual import constants

    monkeypatch.setattr(constants, "COLOR_SYSTEM", "auto")  # type: ignore[attr-defined]
    apply_color("256")
    assert constants.COLOR_SYSTEM == "256"
    apply_color("16")
    assert constants.COLOR_SYSTEM == "standard"


def test_sixteen_colours_use_the_terminal_ansi_theme(monkeypatch: object) -> None:
    from textual import constants

    monkeypatch.setattr(constants, "COLOR_SYSTEM", "auto")  # type: ignore[attr-defined]
    app = make_app(Source(kind="snapshot", snapshot=str(SNAPSHOT)), color="16", mouse=False)
    assert app.theme == "ansi-dark"
    assert constants.COLOR_SYSTEM == "standard"
