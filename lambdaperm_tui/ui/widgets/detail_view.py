"""The detail widget: a scrollable column of blocks, some of which are rows that act on Enter.

A detail is a list of ``sections.Block``: renderables drawn as they are (consecutive ones share one
``Static``) and ``ActionRow``s (a link to a related item, a need or trigger to simulate), each its own
``DetailRow``. ↑/↓ (and j/k) move the selection to the next row on screen, or scroll a line when there is
none, so a long policy still reads line by line; Enter posts ``RowChosen`` with the row's target and the
explorer acts on it. The selected row is drawn reversed (visible without colour) and its hint is the
widget's border title.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

from rich.console import Group, RenderableType
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.message import Message
from textual.widgets import Static

from ..sections import ActionRow, Ask, Block, Jump


class DetailRow(Static):
    """One row that acts on Enter."""

    DEFAULT_CSS = """
    DetailRow { height: auto; }
    DetailRow.-selected { text-style: reverse; }
    """

    def __init__(self, row: ActionRow) -> None:
        super().__init__(row.text)
        self.row = row


class DetailView(VerticalScroll):
    """Scrollable detail of the selected entry, with its rows to select and open."""

    can_focus = True
    DEFAULT_CSS = """
    DetailView > Static { height: auto; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("down,j", "next_row", "Next row / scroll down", show=False, id="detail.down"),
        Binding("up,k", "previous_row", "Previous row / scroll up", show=False, id="detail.up"),
        Binding("g", "scroll_home", "Top", show=False, id="detail.top"),
        Binding("G", "scroll_end", "Bottom", show=False, id="detail.bottom"),
        Binding(
            "enter", "open_row", "Open", id="detail.open", tooltip="Go to the selected item, or simulate it"
        ),
    ]

    class RowChosen(Message):
        """Enter on a row: go to the item (``Jump``) or simulate the question (``Ask``)."""

        def __init__(self, target: Jump | Ask) -> None:
            super().__init__()
            self.target = target

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._rows: list[DetailRow] = []
        self._selected: int | None = None
        self.blocks: tuple[Block, ...] = ()
        self.shown = 0  # how many times a detail was shown (benchmarks wait for it)

    # -- content ------------------------------------------------------------------------------------------
    def show(self, blocks: RenderableType | Sequence[Block], *, keep_scroll: bool = False) -> None:
        """Replace the content; ``keep_scroll`` keeps the scroll position and the selected row (the same
        target, if the new content still has it)."""
        items: Sequence[Block] = (
            blocks if isinstance(blocks, (list, tuple)) else [blocks]  # type: ignore[list-item]
        )
        was = self.selected_row()
        previous = was.target if keep_scroll and was is not None else None
        scroll = self.scroll_y
        self.blocks = tuple(items)
        self.shown += 1
        widgets: list[Static] = []
        pending: list[RenderableType] = []

        def flush() -> None:
            if pending:
                widgets.append(Static(Group(*pending)))
                pending.clear()

        for block in items:
            if isinstance(block, ActionRow):
                flush()
                widgets.append(DetailRow(block))
            else:
                pending.append(block)
        flush()
        self._rows = [w for w in widgets if isinstance(w, DetailRow)]
        self._selected = None
        with self.app.batch_update():
            self.remove_children()
            self.mount_all(widgets)
        if previous is not None:
            index = next((i for i, r in enumerate(self._rows) if r.row.target == previous), None)
            if index is not None:
                self._select(index, scroll=False)
        self.border_title = self._hint()
        if keep_scroll:
            self.call_after_refresh(self.scroll_to, None, scroll, animate=False, immediate=True)
        else:
            self.scroll_home(animate=False)

    def rows(self) -> list[ActionRow]:
        """The rows of the content, in order."""
        return [r.row for r in self._rows]

    def selected_row(self) -> ActionRow | None:
        """The selected row, if any."""
        if self._selected is None or self._selected >= len(self._rows):
            return None
        return self._rows[self._selected].row

    def select_target(self, target: Jump | Ask) -> bool:
        """Select the row whose target is ``target`` (and scroll to it); False if there is none."""
        index = next((i for i, r in enumerate(self._rows) if r.row.target == target), None)
        if index is None:
            return False
        self._select(index)
        return True

    def _hint(self) -> str:
        row = self.selected_row()
        return row.hint if row is not None else ""

    def _select(self, index: int | None, *, scroll: bool = True) -> None:
        if self._selected is not None and self._selected < len(self._rows):
            self._rows[self._selected].remove_class("-selected")
        self._selected = index
        if index is not None:
            widget = self._rows[index]
            widget.add_class("-selected")
            if scroll:
                self.scroll_to_widget(widget, animate=False, immediate=True)
        self.border_title = self._hint()

    # -- keys ---------------------------------------------------------------------------------------------
    def _window(self) -> tuple[int, int]:
        top = round(self.scroll_y)
        return top, top + self.scrollable_content_region.height

    def action_next_row(self) -> None:
        """The next row on screen (one line below counts), or scroll a line down."""
        top, bottom = self._window()
        start = self._selected + 1 if self._selected is not None else 0
        for i in range(start, len(self._rows)):
            region = self._rows[i].virtual_region
            if region.y + region.height <= top:
                continue  # above the screen (scrolled past)
            if region.y <= bottom:
                self._select(i)
                return
            break
        self.scroll_down(animate=False)

    def action_previous_row(self) -> None:
        """The previous row on screen (one line above counts), or scroll a line up."""
        top, bottom = self._window()
        start = self._selected - 1 if self._selected is not None else len(self._rows) - 1
        for i in range(start, -1, -1):
            region = self._rows[i].virtual_region
            if region.y >= bottom:
                continue  # below the screen
            if region.y + region.height >= top:
                self._select(i)
                return
            break
        self.scroll_up(animate=False)

    def action_open_row(self) -> None:
        """Enter: act on the selected row."""
        row = self.selected_row()
        if row is not None:
            self.post_message(self.RowChosen(row.target))
