"""Helpers of the UI tests: an app over the fixed inventory, and waiting for a condition."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any, TypeVar

from rich.text import Text
from textual.message import Message
from textual.notifications import Notification, Notify
from textual.pilot import Pilot
from textual.screen import Screen

from lambdaperm_tui.inventory.model import Inventory
from lambdaperm_tui.ui.app import LambdaPermApp

from .inventory_fixture import FIXED_NOW, make_inventory, streaming_loader

# Textual's key names for the characters the tests type (``Binding("slash", ...)``).
KEY_NAMES = {"/": "slash", ":": "colon", "-": "minus", "=": "equals_sign", ".": "full_stop", " ": "space"}
ENTER = "\r"


def burst(app: LambdaPermApp, text: str) -> None:
    """``text`` posted to the app as keys all at once, as a terminal delivers a paste or ``tmux send-keys``:
    none waits for the one before to take effect (``\r`` is Enter)."""
    from textual import events

    for char in text:
        if char == ENTER:
            app.post_message(events.Key("enter", "\r"))
        else:
            app.post_message(events.Key(KEY_NAMES.get(char, char), char))


def build_app(inv: Inventory | None = None, **kwargs: object) -> LambdaPermApp:
    """The explorer over ``inv`` (the fixture by default), streamed through the fake loader."""
    inv = inv or make_inventory()
    gate = kwargs.pop("gate", None)
    app = LambdaPermApp(
        streaming_loader(inv, gate=gate),  # type: ignore[arg-type]
        source_label=inv.source,
        regions=inv.regions,
        now=lambda: FIXED_NOW,
    )
    return app


async def wait_for(pilot: object, cond: Callable[[], bool], timeout: float = 30.0) -> None:
    """Pause the pilot until ``cond()`` holds (workers and timers run meanwhile)."""
    loop = asyncio.get_running_loop()
    end = loop.time() + timeout
    while not cond():
        if loop.time() > end:
            raise AssertionError("condition not reached in time")
        await pilot.pause(0.05)  # type: ignore[attr-defined]


S = TypeVar("S", bound=Screen[Any])


def label_text(label: str | Text) -> str:
    """A tree label or table cell as plain text."""
    return label.plain if isinstance(label, Text) else label


def static_text(static: object) -> str:
    """What a Static shows, as plain text (no colour codes)."""
    import io

    from rich.console import Console
    from textual.widgets import Static

    assert isinstance(static, Static)
    content = static.content
    if isinstance(content, str):
        return content
    out = io.StringIO()
    Console(file=out, width=200, color_system=None).print(content)
    return out.getvalue()


def detail_text(app: LambdaPermApp, width: int = 200) -> str:
    """The explorer's whole detail as plain text (every block and row, not only the part on screen)."""
    import io

    from rich.console import Console
    from textual.widgets import Static

    out = io.StringIO()
    console = Console(file=out, width=width, color_system=None)
    for block in app.main.detail.query_children(Static):
        console.print(block.content)
    return out.getvalue()


def screen_as(app: LambdaPermApp, kind: type[S]) -> S:
    """The app's current screen, checked to be a ``kind``."""
    screen = app.screen
    assert isinstance(screen, kind), f"expected {kind.__name__}, the screen is {type(screen).__name__}"
    return screen


async def wait_for_screen(pilot: Pilot[Any], app: LambdaPermApp, kind: type[S]) -> S:
    """Wait until the current screen is a ``kind``, composed and mounted, and return it (the screen is
    current before its widgets exist: read at once, a busy machine finds none)."""
    await wait_for(pilot, lambda: isinstance(app.screen, kind) and app.screen.is_mounted)
    return screen_as(app, kind)


def answered(screen: Screen[Any], *, principal: str | None = None, action: str | None = None) -> bool:
    """``screen`` is the simulator and shows an answer (about ``principal`` and ``action`` when given)."""
    from lambdaperm_tui.ui.screens.simulator import SimulatorScreen

    answer = screen.answer if isinstance(screen, SimulatorScreen) else None
    return answer is not None and principal in (None, answer.principal) and action in (None, answer.action)


def loaded(app: LambdaPermApp) -> bool:
    """The load finished and the functions list has its cursor on the first row."""
    # The pane is read last: before the load starts the explorer screen may not be composed yet.
    if app.loading or app.fold.final is None:
        return False
    return app.main.pane("functions").rows_tree.cursor_line >= 0


M = TypeVar("M", bound=Message)


class Messages:
    """Every message of the given kinds the app handles, in order (``run_test(message_hook=...)``):
    ``async with app.run_test(message_hook=seen)``, then ``seen.of(AnswerReady)``."""

    def __init__(self, *kinds: type[Message]) -> None:
        self.kinds = kinds
        self.seen: list[Message] = []

    def __call__(self, message: Message) -> None:
        if isinstance(message, self.kinds):
            self.seen.append(message)

    def of(self, kind: type[M]) -> list[M]:
        """The messages of one kind seen so far."""
        return [m for m in self.seen if isinstance(m, kind)]


class Toasts:
    """Every notification the app shows, seen through ``run_test(message_hook=...)`` (the public way to
    watch an app's messages): ``async with app.run_test(message_hook=toasts)``, then ``toasts.seen``."""

    def __init__(self) -> None:
        self.seen: list[Notification] = []

    def __call__(self, message: Message) -> None:
        if isinstance(message, Notify):
            self.seen.append(message.notification)
