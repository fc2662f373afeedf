"""The help screen: every key, from the bindings the app, its screens and widgets really have."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, ClassVar

from rich.console import Group
from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static


class HelpBody(VerticalScroll):
    """The help's text, scrolled with the lists' vi-style keys too."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("j", "scroll_down", "Scroll down", show=False, id="help.down"),
        Binding("k", "scroll_up", "Scroll up", show=False, id="help.up"),
        Binding("g", "scroll_home", "Top", show=False, id="help.top"),
        Binding("G", "scroll_end", "Bottom", show=False, id="help.bottom"),
    ]


class HelpScreen(ModalScreen[None]):
    """Every key, generated from the bindings the app and its widgets really have."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,q,question_mark", "dismiss", "Close", id="help.close"),
    ]

    def __init__(self, groups: Sequence[tuple[str, Sequence[Any]]]) -> None:
        super().__init__()
        # (title, bindings) in the order shown; the first group gets the command palette's key too.
        self.groups = list(groups)

    def compose(self) -> ComposeResult:
        groups = self.groups
        # One small table per group, so a long group title does not widen the key column.
        parts: list[Any] = []
        for title, bindings in groups:
            table = Table.grid(padding=(0, 2))
            table.add_column(style="bold", no_wrap=True, min_width=10)
            table.add_column()
            for b in bindings:
                if isinstance(b, Binding):
                    key = b.key_display or " / ".join(k.strip() for k in b.key.split(","))
                    table.add_row(Text(key.replace("question_mark", "?")), Text(b.tooltip or b.description))
            if title == groups[0][0]:
                table.add_row(
                    Text("ctrl+p"), Text("Command palette: every action of the screen it is opened over")
                )
            parts += [Text(title, style="bold underline"), table, Text("")]
        with HelpBody(id="help-body"):
            yield Static(Group(*parts))

    DEFAULT_CSS = """
    HelpScreen { align: center middle; }
    #help-body { width: 100; max-width: 95%; height: 90%; border: round $accent; padding: 0 1; }
    """
