"""The command palette: every action of the screen it is opened over, from that screen's real bindings.

The commands are the bindings active on that screen at that moment (``Screen.active_bindings``: the
focused widget and its parents, the screen, the app), so the palette offers exactly what the keys do
there, and nothing that ``check_action`` disables. Only the explorer's own bindings are offered (they
carry an ``id``); Textual's widget keys (arrows, page keys) are not actions worth a search.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import partial
from typing import Any

from textual.app import SystemCommand
from textual.binding import Binding
from textual.dom import DOMNode
from textual.screen import Screen


def binding_commands(screen: Screen[Any]) -> Iterable[SystemCommand]:
    """One palette command per action bound on ``screen`` (its keys in the title), running that action
    where the key would (the widget, screen or app the binding belongs to)."""
    app = screen.app
    keys: dict[tuple[int, str], list[str]] = {}
    found: list[tuple[DOMNode, Binding]] = []
    for active in screen.active_bindings.values():
        binding = active.binding
        if not binding.id or not active.enabled:
            continue
        where = (id(active.node), binding.action)
        if where not in keys:
            keys[where] = []
            found.append((active.node, binding))
        keys[where].append(app.get_key_display(binding))
    for node, binding in found:
        shown = " / ".join(keys[(id(node), binding.action)])
        yield SystemCommand(
            f"{binding.description or binding.action}  ({shown})",
            binding.tooltip,  # no second line repeating the title when there is no more to say
            partial(app.run_action, binding.action, node),
        )
