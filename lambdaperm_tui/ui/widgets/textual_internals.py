"""Every use of Textual's private attributes in the explorer, behind one version check.

The explorer needs a few things Textual has no public API for: appending thousands of tree rows with one
invalidation, relabelling rows without a callback per row, keeping a tree's line list on a resize. They
rely on internals of the exact Textual version in ``pyproject.toml``. Importing this module checks that
version and fails loudly on any other, instead of failing later as stale rows;
``tests/ui/test_textual_internals.py`` checks that no other module under ``ui/`` touches a private
Textual attribute.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TypeVar

import textual
from rich.text import Text
from textual import events
from textual.widgets import Tree
from textual.widgets.tree import TreeNode

# The version whose internals are used below (the pin of pyproject.toml).
SUPPORTED_TEXTUAL = "8.2.8"


class UnsupportedTextual(RuntimeError):
    """The installed Textual is not the one whose internals this module was written against."""


def check_textual_version(version: str) -> None:
    """Raise ``UnsupportedTextual`` unless ``version`` is the supported Textual version."""
    if version != SUPPORTED_TEXTUAL:
        raise UnsupportedTextual(
            f"lambdaperm-tui needs Textual {SUPPORTED_TEXTUAL} (it uses some of its internals), "
            f"but Textual {version} is installed: pip install 'textual=={SUPPORTED_TEXTUAL}'"
        )


check_textual_version(textual.__version__)

T = TypeVar("T")


class BatchTree(Tree[T]):
    """A ``Tree`` that takes rows and labels in batches (one invalidation per batch, not per row)."""

    def _on_resize(self, event: events.Resize) -> None:
        # Tree rebuilds its whole line list on a resize (the filter input appearing shrinks the list by a
        # row): ~50 ms at 10,000 rows. The rows did not change, so only the rendered lines are dropped.
        event.prevent_default()
        self._line_cache.grow(event.size.height)
        self.redraw_lines()

    def redraw_lines(self) -> None:
        """Render the lines again without rebuilding the line list (rendered lines are cached per
        ``_updates``; the line list stays)."""
        self._line_cache.clear()
        self._updates += 1
        self.refresh(layout=True)

    def append_rows(self, rows: Iterable[tuple[Text, T, bool]]) -> list[TreeNode[T]]:
        """Append top-level rows (label, data, expandable) with one invalidation for the whole batch."""
        root = self.root
        added = []
        for label, data, expandable in rows:
            node = self._add_node(root, self.process_label(label), data)
            node._allow_expand = expandable
            root._children.append(node)
            added.append(node)
        if added:
            root._updates += 1
            self._invalidate()
        return added

    def relabel_quietly(self, node: TreeNode[T], label: Text) -> None:
        """Change a label without scheduling a per-node refresh (the caller refreshes once per batch):
        ``TreeNode.set_label`` queues a callback per node, and thousands would flood the message queue."""
        node._label = self.process_label(label)
        node._updates += 1

    def mark_expanded(self, node: TreeNode[T]) -> None:
        """Show ``node`` expanded, its children filled by the caller (no ``Expanded`` message is sent)."""
        node._expanded = True
        node._updates += 1

    def rebuild_lines(self) -> None:
        """Rebuild the line list after ``mark_expanded`` (once per batch)."""
        self._invalidate()
