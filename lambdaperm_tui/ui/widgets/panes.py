"""The four resource lists (Functions, Layers, Roles, Principals), each a filterable tree.

A list keeps its entries in a dict (arrival order) and shows them in a ``Tree`` whose children are
added only when a node is expanded, so 10,000 functions cost 10,000 lines, not 10,000 subtrees. Rows are
updated in place as the loader streams; a filter rebuilds the visible lines only, debounced while typing.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, ClassVar, Literal

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.timer import Timer
from textual.widgets import Input, Tree
from textual.widgets.tree import TreeNode

from ..render import inert_label
from .textual_internals import BatchTree

EntryKind = Literal[
    "function", "version", "alias", "url", "mapping", "layer", "layer_version", "role", "principal", "info"
]


@dataclass(frozen=True, slots=True)
class Entry:
    """What a row stands for: its kind, the exact ARN (or principal text) and the record behind it."""

    kind: EntryKind
    key: str  # ARN, or principal text
    obj: Any = None
    parent: Any = None  # the function of a version/alias, the layer of a layer version


ChildrenFn = Callable[[Entry], Iterable[tuple[Text, Entry, bool]]]


class ResourceTree(BatchTree[Entry]):
    """A tree of entries with vi-style movement."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("j", "cursor_down", "Down", show=False, id="list.down"),
        Binding("k", "cursor_up", "Up", show=False, id="list.up"),
        Binding("g", "scroll_home_cursor", "First row", show=False, id="list.first"),
        Binding("G", "scroll_end_cursor", "Last row", show=False, id="list.last"),
        Binding("l,right", "expand_cursor", "Expand", show=False, id="list.expand"),
        Binding("h,left", "collapse_cursor", "Collapse", show=False, id="list.collapse"),
    ]

    def action_scroll_home_cursor(self) -> None:
        """Move the cursor to the first row."""
        self.move_cursor_to_line(0)

    def action_scroll_end_cursor(self) -> None:
        """Move the cursor to the last row (rows still held back while loading are shown first)."""
        if isinstance(self.parent, ResourcePane) and self.parent.flush():
            self.call_after_refresh(self.action_scroll_end_cursor)
            return
        self.move_cursor_to_line(max(0, self.last_line))

    def action_expand_cursor(self) -> None:
        """Expand the row under the cursor (versions, aliases, layer versions)."""
        node = self.cursor_node
        if node is not None and node.allow_expand:
            node.expand()

    def action_collapse_cursor(self) -> None:
        """Collapse the row under the cursor, or go to its parent."""
        node = self.cursor_node
        if node is None:
            return
        if node.is_expanded:
            node.collapse()
        elif node.parent is not None and node.parent is not self.root:
            self.move_cursor(node.parent)

    def notify_style_update(self) -> None:
        """A style change (focus moving to the filter input) re-renders lines; it does not rebuild them."""
        ScrollView.notify_style_update(self)
        self.redraw_lines()

    def add_rows(self, rows: Iterable[tuple[Text, Entry, bool]]) -> list[TreeNode[Entry]]:
        """Append top-level rows at once: one invalidation for the batch, not one per row."""
        return self.append_rows(rows)

    def get_label_width(self, node: TreeNode[Entry]) -> int:
        """The label's width without rendering it (Tree measures every line on each rebuild; with 10,000
        rows rendering each label there blocks the UI for a noticeable moment)."""
        return len(node.label) + 2  # O(1) on a rich Text; wide characters merely crop early

    def relabel(self, node: TreeNode[Entry], label: Text) -> None:
        """Change a label without scheduling a per-node refresh (one ``refresh()`` per batch instead)."""
        self.relabel_quietly(node, label)

    def process_label(self, label: str | Text) -> Text:
        """Labels are always plain, inert text: a str is never read as markup, and control or bidi
        characters in a name are drawn as escapes (ARNs and names are untrusted)."""
        text = Text(label) if isinstance(label, str) else label
        return inert_label(text.split()[0] if "\n" in text.plain else text)


class ResourcePane(Vertical):
    """A filter input over a ``ResourceTree``; owns the entries and the filter."""

    SHOWN_AT_ONCE: ClassVar[int] = 300  # rows added as they arrive; beyond that, in a batch 0.4 s later

    DEFAULT_CSS = """
    ResourcePane { height: 1fr; }
    ResourcePane > Input { display: none; height: 1; border: none; padding: 0 1; background: $boost; }
    /* Input's own focus style is a tall border, which in one row hides the text being typed. */
    ResourcePane > Input:focus { border: none; background: $accent 30%; }
    ResourcePane.filtering > Input { display: block; }
    ResourcePane > ResourceTree { height: 1fr; }
    """

    class EntryHighlighted(Message):
        """The cursor moved to an entry."""

        def __init__(self, pane: ResourcePane, entry: Entry | None) -> None:
            super().__init__()
            self.pane = pane
            self.entry = entry

    class EntryChosen(Message):
        """Enter on an entry."""

        def __init__(self, pane: ResourcePane, entry: Entry) -> None:
            super().__init__()
            self.pane = pane
            self.entry = entry

    def __init__(
        self, title: str, children_of: ChildrenFn | None = None, *, matches: str = "name or ARN", id: str
    ) -> None:
        super().__init__(id=id)
        self.title = title
        # What the filter looks in, in the reader's words (the placeholder says it): the row's key, its
        # label and the extra search text each pane gives ``upsert``.
        self.matches = matches
        self.children_of = children_of
        self.entries: dict[str, tuple[Text, Entry, str]] = {}  # key -> (label, entry, search text)
        self.nodes: dict[str, TreeNode[Entry]] = {}
        self.filter_text = ""
        self._filter_timer: Timer | None = None
        # The keys matching the last query, in entry order: a query that extends it searches only these.
        self._matched: tuple[str, list[str]] | None = None
        # New rows below a full screen, held back while a load streams and added in one go a moment later:
        # the Tree re-lays out every row whenever rows are added, so adding per batch costs O(n) per batch.
        self._pending: dict[str, tuple[Text, Entry]] = {}
        self._flush_timer: Timer | None = None
        self.empty_note = "loading…"
        # The key of the row the list put the cursor on by itself, until the cursor moves elsewhere.
        self._auto_cursor: str | None = None

    def compose(self) -> ComposeResult:
        yield Input(placeholder=f"filter by {self.matches} (Esc clears)", id=f"{self.id}-filter")
        tree: ResourceTree = ResourceTree(self.title, id=f"{self.id}-tree")
        tree.show_root = False
        tree.auto_expand = False
        tree.guide_depth = 2
        yield tree

    @property
    def rows_tree(self) -> ResourceTree:
        """The list widget."""
        return self.query_one(ResourceTree)

    def on_mount(self) -> None:
        self.rows_tree.root.expand()
        self._show_empty()

    def _show_empty(self) -> None:
        if not self.rows_tree.root.children:
            self.rows_tree.root.add_leaf(Text(self.empty_note, style="dim italic"), Entry("info", ""))

    def set_empty_note(self, note: str) -> None:
        """The text shown while the list has no rows (``loading…``, ``no layers``, ...)."""
        self.empty_note = note
        if not self.entries:
            self.rows_tree.clear()
            self.rows_tree.root.expand()
            self._show_empty()

    def _matches(self, search: str) -> bool:
        return not self.filter_text or self.filter_text in search

    def upsert(self, rows: Iterable[tuple[Text, Entry, str]]) -> None:
        """Add or update rows (label, entry, extra search text); only the affected lines are touched."""
        tree = self.rows_tree
        root = tree.root
        touched = False
        if root.children and not self.entries:
            tree.clear()
            root.expand()
        new: list[tuple[Text, Entry]] = []
        for label, entry, extra in rows:
            search = f"{entry.key} {label.plain} {extra}".lower()
            self.entries[entry.key] = (label, entry, search)
            node = self.nodes.get(entry.key)
            if node is not None:
                node.data = entry
                tree.relabel(node, label)
                touched = True
                if node.is_expanded:
                    self._fill_children(node)
                continue
            if entry.key in self._pending:
                self._pending[entry.key] = (label, entry)
                continue
            self._matched = None  # a new entry: the next query searches everything again
            if self._matches(search):
                new.append((label, entry))
        if new:
            if len(self.nodes) < self.SHOWN_AT_ONCE:
                self._add_nodes(new)
            else:
                self._pending.update((e.key, (lbl, e)) for lbl, e in new)
                if self._flush_timer is None:
                    self._flush_timer = self.set_timer(0.4, self.flush)
        if touched:
            tree.refresh()
        self._show_empty_if_needed()
        self._ensure_cursor()

    def _ensure_cursor(self) -> None:
        # A list with rows but no cursor would make Enter and s/w do nothing: put it on the first row.
        # The tree builds its lines lazily, so place the cursor once they exist.
        if self.rows_tree.cursor_line < 0 and self.nodes:
            self.call_after_refresh(self._cursor_to_first)

    def _cursor_to_first(self, force: bool = False) -> None:
        tree = self.rows_tree
        if (force or tree.cursor_line < 0) and self.nodes:
            tree.move_cursor_to_line(0)
            node = tree.cursor_node
            self._auto_cursor = node.data.key if node is not None and node.data is not None else None

    def _add_nodes(self, rows: Iterable[tuple[Text, Entry]]) -> None:
        expandable = self.children_of is not None
        added = self.rows_tree.add_rows(
            (label, entry, expandable and entry.kind in ("function", "layer")) for label, entry in rows
        )
        for node in added:
            assert node.data is not None
            self.nodes[node.data.key] = node

    def flush(self) -> bool:
        """Show the rows held back while loading; True if there were any."""
        if self._flush_timer is not None:
            self._flush_timer.stop()
            self._flush_timer = None
        if not self._pending:
            return False
        rows = list(self._pending.values())
        self._pending = {}
        self._add_nodes(rows)
        return True

    def reset(self) -> None:
        """Forget every row (a reload starts)."""
        self.entries = {}
        self.nodes = {}
        self._pending = {}
        self._matched = None
        self._auto_cursor = None
        if self._flush_timer is not None:
            self._flush_timer.stop()
            self._flush_timer = None

    def _show_empty_if_needed(self) -> None:
        if not self.rows_tree.root.children:
            note = f"no match for “{self.filter_text}”" if self.filter_text else self.empty_note
            self.rows_tree.root.add_leaf(Text(note, style="dim italic"), Entry("info", ""))

    def replace_all(self, rows: Iterable[tuple[Text, Entry, str]]) -> None:
        """Replace every row (re-ordering, e.g. roles once IAM arrives)."""
        self.entries = {}
        for label, entry, extra in rows:
            self.entries[entry.key] = (label, entry, f"{entry.key} {label.plain} {extra}".lower())
        self._matched = None
        self._rebuild()

    def reorder(self, keys: Iterable[str]) -> bool:
        """Show the entries in the order of ``keys`` (others keep their place after them).

        The row under the cursor and the expanded rows stay as they were, unless the cursor is still where
        the list put it by itself (the first row to arrive): then it goes to the new first row, so the
        screen after a load does not depend on which region answered first. False if nothing moved.
        """
        self.flush()
        entries = self.entries
        ordered = {k: entries[k] for k in keys if k in entries}
        if len(ordered) != len(entries):
            ordered.update((k, v) for k, v in entries.items() if k not in ordered)
        if list(ordered) == list(entries):
            return False
        self.entries = ordered
        self._matched = None
        tree = self.rows_tree
        node = tree.cursor_node
        auto = node is not None and node.data is not None and node.data.key == self._auto_cursor
        self._rebuild(cursor_to_first=auto)
        return True

    def _rebuild(self, cursor_to_first: bool = False) -> None:
        tree = self.rows_tree
        cursor = tree.cursor_node.data.key if tree.cursor_node and tree.cursor_node.data else None
        if cursor_to_first:
            cursor = None
        # Expanded rows (a function's versions and aliases) stay expanded across a filter or a re-order.
        expanded = [key for key, node in self.nodes.items() if node.is_expanded]
        tree.clear()
        tree.root.expand()
        self.nodes = {}
        self._pending = {}
        if self._flush_timer is not None:
            self._flush_timer.stop()
            self._flush_timer = None
        entries = self.entries
        self._add_nodes(entries[key][:2] for key in self._matching_keys())
        for key in expanded:
            row = self.nodes.get(key)
            if row is not None:
                self._expand_now(row, invalidate=False)
        if expanded:
            tree.rebuild_lines()
        self._show_empty_if_needed()
        target = self._find_node(cursor) if cursor else None
        if target is not None:
            self.call_after_refresh(lambda: tree.move_cursor(target))
        elif cursor_to_first and self.nodes:
            self.call_after_refresh(self._cursor_to_first, True)
        else:
            self._ensure_cursor()
        # The row under the cursor may be another one now (the old one was filtered out) without the tree
        # noticing a move: say which entry is selected, so the detail and the actions follow.
        self.call_after_refresh(self._announce_cursor)

    def _find_node(self, key: str) -> TreeNode[Entry] | None:
        """The shown row of ``key``: a top-level row, or a child of an expanded one."""
        node = self.nodes.get(key)
        if node is not None:
            return node
        for row in self.nodes.values():
            if row.is_expanded:
                for child in row.children:
                    if child.data is not None and child.data.key == key:
                        return child
        return None

    def _expand_now(self, row: TreeNode[Entry], *, invalidate: bool = True) -> None:
        # Filled here rather than through ``expand()``'s message, so the cursor can be put on a child row
        # (a version, alias or mapping) at once.
        self._fill_children(row)
        self.rows_tree.mark_expanded(row)
        if invalidate:
            self.rows_tree.rebuild_lines()

    def _matching_keys(self) -> list[str]:
        """Keys of the entries the filter lets through, in entry order (incremental while typing on)."""
        wanted = self.filter_text
        if not wanted:
            return list(self.entries)
        if self._matched is not None and self._matched[0] == wanted:
            return self._matched[1]
        pool: Iterable[str] = self.entries
        if self._matched is not None and wanted.startswith(self._matched[0]):
            pool = self._matched[1]
        entries = self.entries
        keys = [k for k in pool if wanted in entries[k][2]]
        self._matched = (wanted, keys)
        return keys

    def _announce_cursor(self) -> None:
        if self.rows_tree.cursor_line >= 0 or not self.nodes:
            self.post_message(self.EntryHighlighted(self, self.selected()))

    def _fill_children(self, node: TreeNode[Entry]) -> None:
        node.remove_children()
        if self.children_of is None or node.data is None:
            return
        for label, entry, expandable in self.children_of(node.data):
            node.add(label, entry, allow_expand=expandable)

    @on(Tree.NodeExpanded)
    def _expanded(self, event: Tree.NodeExpanded[Entry]) -> None:
        event.stop()
        if event.node.parent is self.rows_tree.root:
            self._fill_children(event.node)

    @on(Tree.NodeHighlighted)
    def _highlighted(self, event: Tree.NodeHighlighted[Entry]) -> None:
        event.stop()
        data = event.node.data
        if data is None or data.key != self._auto_cursor:
            self._auto_cursor = None
        self.post_message(self.EntryHighlighted(self, data if data and data.kind != "info" else None))

    @on(Tree.NodeSelected)
    def _selected(self, event: Tree.NodeSelected[Entry]) -> None:
        event.stop()
        data = event.node.data
        if data and data.kind != "info":
            self.post_message(self.EntryChosen(self, data))

    # -- filter -------------------------------------------------------------------------------------------
    def open_filter(self) -> None:
        """Show the filter input and focus it."""
        self.add_class("filtering")
        self.query_one(Input).focus()

    def clear_filter(self) -> bool:
        """Clear and hide the filter; True if there was one."""
        had = bool(self.filter_text) or self.has_class("filtering")
        self.remove_class("filtering")
        inp = self.query_one(Input)
        if inp.value:
            inp.value = ""
        if self.filter_text:
            self.filter_text = ""
            self._rebuild()
        self.rows_tree.focus()
        return had

    @on(Input.Changed)
    def _filter_changed(self, event: Input.Changed) -> None:
        event.stop()
        wanted = event.value.strip().lower()
        if wanted == self.filter_text:
            return
        self.filter_text = wanted
        if self._filter_timer is not None:
            self._filter_timer.stop()
            self._filter_timer = None
        # Matching is cheap (one substring test per entry, fewer as the query grows); showing thousands of
        # rows is not. A result of a few hundred rows is shown at once; a huge one (the first letter over
        # 10,000 rows) waits for a pause in typing, so it is built once, not per key.
        if len(self._matching_keys()) <= 1500:
            self._rebuild()
        else:
            self._filter_timer = self.set_timer(0.12, self._rebuild)

    @on(Input.Submitted)
    def _filter_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        if self._filter_timer is not None:
            self._filter_timer.stop()
            self._filter_timer = None
            self._rebuild()
        self.rows_tree.focus()
        if self.rows_tree.cursor_line < 0:
            self.rows_tree.move_cursor_to_line(0)

    def reveal(self, key: str, within: str | None = None) -> Entry | None:
        """Put the cursor on the row of ``key`` (a child of the row ``within``, expanded first), clearing a
        filter that hides it; the row's entry, or None when the list has no such row."""
        self.flush()
        top = within or key
        if top not in self.entries:
            return None
        if top not in self.nodes:
            self.clear_filter()
        node = self.nodes.get(top)
        if node is None:
            return None
        if within is not None:
            if not node.is_expanded:
                self._expand_now(node)
            child = next((c for c in node.children if c.data is not None and c.data.key == key), None)
            if child is None:
                return None
            node = child
        target = node
        self.call_after_refresh(lambda: self.rows_tree.move_cursor(target))
        return node.data

    def selected(self) -> Entry | None:
        """The entry under the cursor."""
        node = self.rows_tree.cursor_node
        if node is None or node.data is None or node.data.kind == "info":
            return None
        return node.data
