"""Keys in order: each key reaches the widget that has focus once the previous key took effect.

A terminal delivers a burst of keys (a paste without bracketed paste, ``tmux send-keys``, a fast typist
over SSH) faster than their effects land. Textual hands each key to the widget focused *when the key is
read*, but focus moves later: ``Widget.focus()`` is deferred to the app's queue, a pushed screen mounts
and focuses its first field in its own queue, and ``Input.Submitted`` climbs to the screen one widget at a
time. So ``/webh`` opened who-can (the ``w`` reached the list before the filter field had focus), the text
after ``s`` went to a simulator not yet mounted, and ``role⏎action`` ran two fields into one.

``KeySequencer`` holds every key that arrives while the previous one is still taking effect, and hands
them back to the app one at a time, each after the app, the screen and the focused widget with its
parents have processed everything queued so far (what the previous key caused included). A key typed at
human speed arrives after that, and goes through at once.

"Processed everything queued" uses public API only: a callback posted to a message pump with
``call_later`` runs after every message queued there before it (each pump handles its queue in order).
"""

from __future__ import annotations

import asyncio
import contextlib
from collections import deque
from typing import TYPE_CHECKING, Any

from textual import events
from textual.widgets import Input, TextArea

if TYPE_CHECKING:
    from textual.app import App
    from textual.dom import DOMNode
    from textual.message_pump import MessagePump

# Seconds a key may take to take effect before the next one is let through anyway. On a loaded host
# (2 cores, a dozen busy processes) pushing the simulator took 2.1-2.5 s, so the keys typed after `s`
# went through before its first field had focus; a key arriving where nothing has focus may be a key of
# the screen (the pane keys and `r` work over the simulator), not text.
SETTLE_TIMEOUT = 5.0


async def drained(pump: MessagePump) -> None:
    """Return once ``pump`` (the app, a screen or a widget) has handled every message queued so far."""
    done = asyncio.Event()
    if pump.call_later(done.set):  # False: the pump is closing and will handle nothing more
        await done.wait()


class KeySequencer:
    """Orders the app's keys (and pastes): see the module docstring. The app calls ``hold`` first thing in
    ``on_event``; a held event comes back later as a new, equal event that ``hold`` lets through."""

    def __init__(self, app: App[Any]) -> None:
        self._app = app
        self._waiting: deque[events.Key | events.Paste] = deque()
        self._released: set[int] = set()  # ids of the events handed back, let through once each
        self._busy = False  # a key is taking effect: later ones wait

    def hold(self, event: events.Event) -> bool:
        """True when the app must not handle ``event`` now (it waits its turn and comes back)."""
        if not isinstance(event, (events.Key, events.Paste)) or event.is_forwarded:
            return False
        if id(event) in self._released:
            self._released.discard(id(event))
            return False
        if self._busy:
            self._waiting.append(event)
            return True
        if self._types_text(event):
            return False  # nothing to wait for: see ``_types_text``
        self._busy = True
        self._app.run_worker(self._sequence(), group="keys", exit_on_error=False)
        return False  # handled now; the worker lets the next one through once it took effect

    async def _sequence(self) -> None:
        try:
            await self._settle()
            while self._waiting:
                event = self._waiting.popleft()
                again: events.Key | events.Paste = (
                    events.Key(event.key, event.character)
                    if isinstance(event, events.Key)
                    else events.Paste(event.text)
                )
                self._released.add(id(again))
                types_text = self._types_text(again)
                if not self._app.post_message(again):
                    self._released.discard(id(again))
                    self._waiting.clear()
                    break  # the app is closing
                if not types_text:
                    await self._settle()
        finally:
            self._busy = False

    def _types_text(self, event: events.Key | events.Paste) -> bool:
        """A character (or a paste) for the text field that has focus: the field takes it and stops it,
        so no binding runs and focus stays, and the next key may follow at once (in order: keys reach
        the app's queue in order, and the app hands each to the field that still has focus). This keeps
        a burst of typing as fast as without sequencing; a key that may move focus is still waited on."""
        if isinstance(event, events.Key) and not event.is_printable:
            return False
        return isinstance(self._app.focused, (Input, TextArea))

    async def _settle(self) -> None:
        # Something running long in a handler lets the next key through rather than stall typing.
        with contextlib.suppress(asyncio.TimeoutError):
            await asyncio.wait_for(self._until_stable(), SETTLE_TIMEOUT)

    async def _until_stable(self) -> None:
        """Follow the last key through the app: a full pass drains the app (which forwards the key), the
        focused widget and its parents bottom up (the way the key and what it posts bubble), the screen,
        and the app again (bindings run there; deferred focus changes and screen pushes land there). Then
        one more drain of the app must change nothing; any change of screen or focus means a full pass."""
        app = self._app
        full = True
        while True:
            await asyncio.sleep(0)  # let what was just scheduled (a deferred focus, a mount) be queued
            screen, focused = app.screen, app.focused
            path: list[MessagePump] = [app]
            if full:
                node: DOMNode | None = focused
                while node is not None and node is not screen:
                    path.append(node)
                    node = node.parent
                path += [screen, app]
            for pump in path:
                await drained(pump)
            if (app.screen, app.focused) != (screen, focused):
                full = True
            elif full:
                full = False
            else:
                return
