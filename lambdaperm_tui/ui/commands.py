"""The command palette: every action of the app, found by its description, from the real bindings."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from functools import partial
from typing import Any

from textual.binding import Binding
from textual.command import DiscoveryHit, Hit, Hits, Provider


class ActionsProvider(Provider):
    """Lists every app binding (description, key) as a palette command."""

    def commands(self) -> list[tuple[str, str, str, Callable[[str], Awaitable[Any]]]]:
        """Every command the palette offers over its screen: (words, action, key, how to run it)."""
        app = self.app
        seen: set[tuple[int, str]] = set()
        out: list[tuple[str, str, str, Callable[[str], Awaitable[Any]]]] = []
        # The screen the palette was opened over comes first (the explorer, simulator, who-can, editor), then
        # the app's own actions, which hold everywhere.
        screen = self.screen
        targets: list[tuple[Any, list[Any]]] = [(screen, list(screen.BINDINGS)), (app, list(app.BINDINGS))]
        for target, bindings in targets:
            for binding in bindings:
                if not isinstance(binding, Binding) or (id(target), binding.action) in seen:
                    continue
                seen.add((id(target), binding.action))
                name = binding.action.split("(", 1)[0]
                if target is app and app.check_action(name, ()) is False:
                    continue
                key = binding.key_display or binding.key.split(",")[0]
                key = {"question_mark": "?", "slash": "/"}.get(key, key)
                words = binding.description or binding.action
                if binding.tooltip:
                    words = f"{words}: {binding.tooltip}"
                out.append((words, binding.action, key, target.run_action))
        return out

    async def discover(self) -> Hits:
        """Every action, before anything is typed."""
        for description, action, key, run in self.commands():
            # One line per action (the key is in the title; a help line would only repeat it).
            yield DiscoveryHit(f"{description}  ({key})", partial(run, action))

    async def search(self, query: str) -> Hits:
        """Actions whose description matches what was typed."""
        matcher = self.matcher(query)
        for description, action, key, run in self.commands():
            score = matcher.match(description)
            if score > 0:
                yield Hit(
                    score,
                    matcher.highlight(f"{description}  ({key})"),
                    partial(run, action),
                )
