"""The command palette: every action of the app, found by its description, from the real bindings."""

from __future__ import annotations

from functools import partial

from textual.binding import Binding
from textual.command import DiscoveryHit, Hit, Hits, Provider


class ActionsProvider(Provider):
    """Lists every app binding (description, key) as a palette command."""

    def _commands(self) -> list[tuple[str, str, str]]:
        seen: set[str] = set()
        out: list[tuple[str, str, str]] = []
        for binding in getattr(self.app, "BINDINGS", []):
            if not isinstance(binding, Binding) or binding.action in seen:
                continue
            seen.add(binding.action)
            key = binding.key_display or binding.key.split(",")[0]
            words = binding.description or binding.action
            if binding.tooltip:
                words = f"{words}: {binding.tooltip}"
            out.append((words, binding.action, key))
        return out

    async def discover(self) -> Hits:
        """Every action, before anything is typed."""
        for description, action, key in self._commands():
            yield DiscoveryHit(
                f"{description}  ({key})", partial(self.app.run_action, action), help=f"key: {key}"
            )

    async def search(self, query: str) -> Hits:
        """Actions whose description matches what was typed."""
        matcher = self.matcher(query)
        for description, action, key in self._commands():
            score = matcher.match(description)
            if score > 0:
                yield Hit(
                    score,
                    matcher.highlight(f"{description}  ({key})"),
                    partial(self.app.run_action, action),
                    help=f"key: {key}",
                )
