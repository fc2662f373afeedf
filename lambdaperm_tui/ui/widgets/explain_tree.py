"""The simulator's explanation tree: a ``Result``'s layers, policies, statements and conditions."""

from __future__ import annotations

from typing import Any, ClassVar

from rich.text import Text
from textual.binding import Binding, BindingType
from textual.widgets import Tree
from textual.widgets.tree import TreeNode

from ...iam.render import layer_name
from ...iam.result import Decision, Result, StatementExplanation
from ...inventory.text import inert
from ..explain import condition_full, condition_label, element_full, element_label, short_arns
from ..render import DECIDING_MARK, inert_label, plain


class ExplainTree(Tree[Any]):
    """The simulator's explanation tree, with the lists' vi-style movement."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("j", "cursor_down", "Down", show=False, id="explain.down"),
        Binding("k", "cursor_up", "Up", show=False, id="explain.up"),
        Binding("g", "scroll_home", "First line", show=False, id="explain.first"),
        Binding("G", "scroll_end", "Last line", show=False, id="explain.last"),
        Binding("l,right", "expand_line", "Expand", show=False, id="explain.expand"),
        Binding("h,left", "collapse_line", "Collapse / parent", show=False, id="explain.collapse"),
    ]

    def process_label(self, label: str | Text) -> Text:
        """Lines are plain, inert text: policy names, Sids and values are untrusted (never markup)."""
        text = Text(label) if isinstance(label, str) else label
        return inert_label(text.split()[0] if "\n" in text.plain else text)

    def action_scroll_home(self) -> None:
        """Move to the first line."""
        self.move_cursor_to_line(0)

    def action_scroll_end(self) -> None:
        """Move to the last line."""
        self.move_cursor_to_line(max(0, self.last_line))

    def action_expand_line(self) -> None:
        """Open the line under the cursor; on an open one, go to its first line."""
        node = self.cursor_node
        if node is None or not node.children:
            return
        if node.is_expanded:
            self.move_cursor(node.children[0])
        else:
            node.expand()

    def action_collapse_line(self) -> None:
        """Close the line under the cursor; on a closed one (or a leaf), go to the line it is under."""
        node = self.cursor_node
        if node is None:
            return
        if node.is_expanded and node.children:
            node.collapse()
        elif node.parent is not None and node.parent is not self.root:
            self.move_cursor(node.parent)


def fill_explanation(
    node: TreeNode[Any],
    result: Result,
    edited_names: set[str],
    *,
    layers_open: bool = True,
    account: str = "",
) -> None:
    """Add the layers, policies, statements, elements and conditions of a ``Result`` under ``node``.

    Lines are short and verdict-first (own-account ARNs shortened, see ``explain``); every node's ``data``
    is its full, unshortened text, which the simulator shows under the tree for the highlighted line.
    """

    def add_leaf(parent: TreeNode[Any], label: Text, full: Text | None = None) -> None:
        parent.add_leaf(label, data=full or label)

    for d in result.decided_by:
        sid = f" ({inert(d.sid)})" if d.sid else ""
        full = Text(f"{DECIDING_MARK} decided by {d.effect} in {d.policy_type} policy ", style="bold")
        full.append(inert(d.policy))
        full.append(f" statement {d.statement_index}{sid}")
        line = Text(f"{DECIDING_MARK} decided by {d.effect} in {d.policy_type} ", style="bold")
        line.append(inert(short_arns(d.policy, account)))
        line.append(f" #{d.statement_index}{sid}")
        add_leaf(node, line, full)
    expl = result.explanation
    if expl is None:
        add_leaf(node, Text("no explanation was computed", style="dim"))
        return
    add_leaf(node, plain(expl.summary))
    layers = node.add(Text("Evaluation layers", style="bold"), expand=layers_open)
    for layer in expl.layers:
        line = plain(f"{layer_name(layer)}: ", "bold")
        line.append(layer.verdict.value)
        if layer.note:
            line.append(f" — {inert(layer.note)}", style="dim")
        add_leaf(layers, line)
    denied = result.decision is not Decision.ALLOWED

    def near_miss(st: StatementExplanation) -> bool:
        # For a denial, the statements whose Action matched are the ones worth reading: they say which
        # element or condition kept them from applying.
        return denied and any(e.matched for e in st.elements if e.element in ("Action", "NotAction"))

    for pol in expl.policies:
        deciding = any(s.deciding for s in pol.statements)
        open_policy = deciding or any(near_miss(s) for s in pol.statements)
        title = Text(f"{DECIDING_MARK} " if deciding else "  ")
        title.append(f"{pol.policy_type} policy ", style="bold")
        full = title.copy()
        full.append(inert(pol.name))
        title.append(inert(short_arns(pol.name, account)))
        for line in (title, full):
            if pol.level is not None:
                line.append(f" (level {pol.level})", style="dim")
            if pol.name in edited_names:
                line.append("  ✎ edited", style="bold magenta")
        pnode = node.add(title, data=full, expand=open_policy)
        if not pol.statements:
            add_leaf(pnode, Text("no statements", style="dim"))
        for st in pol.statements:
            head = Text()
            head.append(f"{DECIDING_MARK} DECIDING " if st.deciding else "", style="bold reverse")
            head.append(f"#{st.index} ")
            if st.sid:
                head.append(f"{inert(st.sid)} ")
            head.append(f"{inert(st.effect)} ", style="green" if st.effect == "Allow" else "red")
            head.append(
                "— applies" if st.applies else "— does not apply", style="bold" if st.applies else "dim"
            )
            snode = pnode.add(head, data=head, expand=st.deciding or st.applies or near_miss(st))
            for el in st.elements:
                add_leaf(
                    snode,
                    element_label(el, account),
                    element_full(el),
                )
            for c in st.conditions:
                add_leaf(snode, condition_label(c, account), condition_full(c))
