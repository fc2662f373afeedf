"""The simulator: may a principal do an action on a resource, and why (the explanation tree)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

from rich.text import Text
from textual import events, on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.timer import Timer
from textual.widgets import Footer, Input, Label, Static, Tree
from textual.widgets.tree import TreeNode

from ...analysis.answer import Answer
from ...analysis.catalog import condition_keys_for, lambda_actions
from ...iam.errors import InputError
from ...iam.request import ContextValue, context_entry, context_of, split_context_entries
from ...iam.result import Result
from ...inventory.model import Inventory
from ...inventory.text import inert
from ..messages import AnswerReady, QuestionRefused, Requests
from ..render import InertHighlighter, answer_text, decision_text, inert_label, plain
from ..state import ExplorerApp, explorer
from ..widgets.explain_tree import ExplainTree, fill_explanation
from ..widgets.suggesters import ContextKeySuggester, ListSuggester
from .base import ExplorerScreen
from .policy_picker import open_editor_for, pick_and_edit

if TYPE_CHECKING:
    from ...analysis.whatif import PolicyRef
    from .policy_editor import EditResult


def inventory_principals(app: ExplorerApp) -> list[str]:
    """Principals to suggest: roles and users of the inventory, and principals named in policies."""
    inv = app.inventory
    out = [r.arn for r in inv.roles] + [u.arn for u in inv.users]
    out += app.principal_keys()
    out += ["anonymous", "s3.amazonaws.com", "apigateway.amazonaws.com", "events.amazonaws.com"]
    return out


def inventory_resources(app: ExplorerApp) -> list[str]:
    """Resources to suggest: every function, version, alias and layer version ARN."""
    inv = app.inventory
    out: list[str] = []
    for fn in inv.functions:
        out.append(fn.arn)
        out += [a.arn for a in fn.aliases]
        out += [v.arn for v in fn.versions]
    for layer in inv.layers:
        out += [lv.arn for lv in layer.versions]
    return out


def answer_header(answer: Answer) -> Text:
    """The decision in symbols and words, then what is unknown and what was assumed."""
    text = answer_text(answer)
    for why in answer.unknown_because:
        text.append("\n? unknown because: ", style="bold yellow")
        text.append(inert(why))
    for assumption in answer.assumes:
        text.append("\nassumes: ", style="bold")
        text.append(inert(assumption))
    return text


class ContextInput(Input):
    """One ``key=value`` row of the simulator's context. A paste of entries (``k=v``, several lines, or
    ``k1=v1, k2=v2``) is handed to the screen, which gives each entry a row of its own (``Pasted``)."""

    class Pasted(Message):
        """Entries pasted into ``row``, in order."""

        def __init__(self, row: ContextInput, entries: list[str]) -> None:
            super().__init__()
            self.row = row
            self.entries = entries

    def on_paste(self, event: events.Paste) -> None:
        """A paste with ``=`` or several lines in it is entries, one row each (a line that is not
        ``key=value`` too, so nothing is lost: the answer names it); one line without ``=`` is typed here."""
        if "=" not in event.text and len(event.text.splitlines()) <= 1:
            return  # a value: the Input's own paste inserts it at the cursor
        event.prevent_default()  # not the Input's own paste, which keeps only the first line
        event.stop()
        self.post_message(self.Pasted(self, split_context_entries(event.text)))


class SimulatorScreen(ExplorerScreen[None]):
    """Ask whether a principal may do an action on a resource, and see why."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "close", "Back", id="sim.back"),
        Binding("ctrl+o,f2", "edit_policy", "Edit policy", id="sim.edit_policy"),
        Binding("ctrl+r", "reset_edits", "Reset edits", id="sim.reset_edits"),
        Binding("ctrl+t", "focus_tree", "Explain", id="sim.focus_tree"),
        Binding("ctrl+n", "add_context", "Add context row", show=False, id="sim.add_context"),
        Binding("f5", "ask", "Ask again", show=False, id="sim.ask"),  # answers come as you type
    ]

    DEFAULT_CSS = """
    SimulatorScreen { layout: vertical; }
    #sim-form { height: auto; padding: 0 1; }
    #sim-form Horizontal { height: 1; }
    #sim-form Label { width: 11; }
    #sim-form Input { width: 1fr; height: 1; border: none; padding: 0 1; background: $boost; }
    #sim-form Input:focus { background: $accent 30%; }
    #sim-context { height: auto; max-height: 5; }
    #sim-keys { height: 1; color: $text-muted; text-wrap: nowrap; text-overflow: ellipsis; }
    #sim-answer { height: auto; max-height: 6; padding: 0 1; border-top: solid $primary-darken-2; }
    /* Lines are cut, never scrolled sideways: the highlighted line is shown in full below the tree. */
    #sim-tree { height: 1fr; overflow-x: hidden; }
    #sim-line { height: auto; max-height: 4; padding: 0 1; border-top: solid $primary-darken-2; }
    """

    def __init__(
        self,
        *,
        principal: str = "",
        action: str = "lambda:InvokeFunction",
        resource: str = "",
        context: dict[str, Any] | None = None,
    ) -> None:
        super().__init__()
        self._initial = (principal, action, resource)
        self._initial_context: list[str] = []
        for key, value in (context or {}).items():
            for v in value if isinstance(value, (list, tuple)) else [value]:
                self._initial_context.append(f"{key}={v}")
        self._timer: Timer | None = None
        # The context rows (their box and field) in order, the last one always empty. Kept here rather
        # than queried: a row just mounted is not in the DOM yet, and each key of a burst added a row.
        self._context_boxes: list[tuple[Horizontal, ContextInput]] = []
        self.answer: Answer | None = None
        self.answer_error: str | None = None
        self._requests = Requests()  # only the answer to the last question asked is shown

    def compose(self) -> ComposeResult:
        app = explorer(self)
        principal, action, resource = self._initial
        with Vertical(id="sim-form"):
            yield Static(
                Text(
                    "Simulator — nothing is sent to AWS; answers use the inventory"
                    + (" with what-if edits" if app.whatif.edits else ""),
                    style="bold",
                )
            )
            with Horizontal():
                yield Label("Principal")
                yield Input(
                    principal,
                    placeholder="role/user ARN, service principal, account, anonymous",
                    id="sim-principal",
                    suggester=ListSuggester(inventory_principals(app)),
                    highlighter=InertHighlighter(),
                )
            with Horizontal():
                yield Label("Action")
                yield Input(
                    action,
                    placeholder="lambda:InvokeFunction",
                    id="sim-action",
                    suggester=ListSuggester(lambda_actions()),
                )
            with Horizontal():
                yield Label("Resource")
                yield Input(
                    resource,
                    placeholder="function, version, alias or layer version ARN",
                    id="sim-resource",
                    suggester=ListSuggester(inventory_resources(app)),
                    highlighter=InertHighlighter(),
                )
            with Vertical(id="sim-context"):
                for i, row in enumerate([*self._initial_context, ""]):
                    yield self._context_row(
                        len(self._context_rows),
                        row,
                        label="Context" if i == 0 else "",
                        placeholder="key=value (repeat a key for several values)",
                    )[0]
            yield Static(id="sim-keys")
        yield Static(id="sim-answer")
        tree = ExplainTree(Text("explanation"), id="sim-tree")
        tree.show_root = False
        yield tree
        yield Static(id="sim-line")
        yield Footer(show_command_palette=False)

    @on(Tree.NodeHighlighted, "#sim-tree")
    def _line_highlighted(self, event: Tree.NodeHighlighted[Any]) -> None:
        self._show_line(event.node)

    def _show_line(self, node: TreeNode[Any] | None) -> None:
        """Under the tree, in full: the highlighted line (ARNs unshortened, nothing cut)."""
        box = self.query_one("#sim-line", Static)
        if node is None or node is self.query_one("#sim-tree", Tree).root:
            box.update(
                Text("ctrl+t: walk the explanation; the highlighted line shows here in full", style="dim")
            )
            return
        full = node.data if isinstance(node.data, Text) else node.label
        box.update(inert_label(full if isinstance(full, Text) else Text(str(full)), multiline=True))

    def on_mount(self) -> None:
        first_empty = next((i for i in self.query(Input) if not i.value), None)
        (first_empty or self.query_one("#sim-principal", Input)).focus()
        self.call_after_refresh(self._show_ends)
        self._show_keys()
        self._show_line(None)
        self.ask()

    def _show_ends(self) -> None:
        """Scroll each prefilled field to its end: an ARN differs at its end (function name, qualifier),
        and in 80 columns the start of the Resource field hid the ``:live`` of an alias."""
        for inp in self.query(Input):
            inp.scroll_to(x=inp.max_scroll_x, animate=False, immediate=True)

    def on_screen_resume(self) -> None:
        # Back from another screen: the inventory may have grown meanwhile (a load going on), so ask again.
        # (The policy editor's result is applied in ``_edited``, which asks again once it is.)
        self.ask()

    def context_keys(self) -> tuple[str, ...]:
        """Condition keys that apply to the action being asked about."""
        action = self.query_one("#sim-action", Input).value.strip()
        keys = condition_keys_for(action) if action else ()
        # The action's own keys (lambda:...) matter most; global aws: keys follow.
        return tuple(sorted(keys, key=lambda k: (k.lower().startswith("aws:"), k.lower())))

    def _show_keys(self) -> None:
        keys = self.context_keys()
        self.query_one("#sim-keys", Static).update(
            Text("keys for this action: " + (", ".join(keys) if keys else "—"))
        )

    def context(self) -> dict[str, ContextValue]:
        """The context rows as a mapping (a key given twice is multi-valued); empty rows are skipped, a
        row that is not ``key=value`` raises ``InputError`` naming it."""
        entries = []
        for number, inp in enumerate(self._context_rows, 1):
            text = inp.value.strip()
            if not text:
                continue
            try:
                entries.append(context_entry(text))
            except InputError as exc:
                raise InputError(f"context row {number} ({text!r}): {exc}") from None
        return context_of(entries)

    @property
    def _context_rows(self) -> list[ContextInput]:
        return [inp for _, inp in self._context_boxes]

    def _context_row(
        self, index: int, value: str = "", *, label: str = "", placeholder: str = "key=value"
    ) -> tuple[Horizontal, ContextInput]:
        """A new context row (not mounted yet), recorded at ``index`` of the rows."""
        inp = ContextInput(
            value,
            placeholder=placeholder,
            classes="ctx",
            suggester=ContextKeySuggester(self.context_keys),
            highlighter=InertHighlighter(),
        )
        box = Horizontal(Label(label), inp, classes="ctx-row")
        self._context_boxes.insert(index, (box, inp))
        return box, inp

    @on(Input.Changed)
    def _changed(self, event: Input.Changed) -> None:
        if event.input.id == "sim-action":
            self._show_keys()
        if event.value and self._context_rows and self._context_rows[-1] is event.input:
            self.action_add_context(focus=False)  # typing into the last row: a new empty one below
        if self._timer is not None:
            self._timer.stop()
        self._timer = self.set_timer(0.25, self.ask)

    @on(ContextInput.Pasted)
    def _pasted(self, message: ContextInput.Pasted) -> None:
        """Each pasted entry in a row of its own, from the row pasted into (if it is empty) on, filling
        the empty rows below it before adding new ones; the last row stays empty and takes focus."""
        rows = self._context_rows
        at = rows.index(message.row) if message.row in rows else len(rows) - 1
        if rows[at].value.strip():
            at += 1  # what the row holds stays; the paste goes below it
        for entry in message.entries:
            rows = self._context_rows
            if at < len(rows) and not rows[at].value.strip():
                rows[at].value = entry
            else:
                self._insert_context_row(at, entry)
            at += 1
        spare = self._context_rows[-1]
        if spare.value.strip():
            spare = self._insert_context_row(len(self._context_rows))
        self.call_after_refresh(spare.focus)

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.ask()
        self.focus_next()

    def action_add_context(self, focus: bool = True) -> None:
        """Add an empty key=value row."""
        inp = self._insert_context_row(len(self._context_rows))
        if focus:
            self.call_after_refresh(inp.focus)

    def _insert_context_row(self, index: int, value: str = "") -> ContextInput:
        """Mount a new context row at ``index`` of the rows, holding ``value``."""
        boxes = self._context_boxes
        before = boxes[index][0] if index < len(boxes) else None
        box, inp = self._context_row(index, value)
        self.query_one("#sim-context", Vertical).mount(box, before=before)
        return inp

    def action_focus_tree(self) -> None:
        """Move to the explanation tree (its first line highlighted and shown in full below it)."""
        tree = self.query_one("#sim-tree", Tree)
        tree.focus()
        # Before the first answer the tree has no lines to highlight (line 0 would raise).
        if tree.cursor_line < 0 and tree.last_line >= 0:
            tree.move_cursor_to_line(0)

    def action_ask(self) -> None:
        """Ask again now."""
        self.ask()

    def action_close(self) -> None:
        """Back to the explorer."""
        self.dismiss()

    def action_reset_edits(self) -> None:
        """Forget what-if edits and ask again."""
        explorer(self).forget_edits()
        self.ask()

    def action_edit_policy(self) -> None:
        """Edit one of the policies of this answer (what-if)."""
        refs: list[PolicyRef] = []
        sources = self.answer.sources if self.answer is not None else {}
        for name in self.policy_names():
            ref = sources.get(name)
            if ref is not None and ref not in refs:
                refs.append(ref)
        if not refs:
            resource = self.query_one("#sim-resource", Input).value.strip()
            principal = self.query_one("#sim-principal", Input).value.strip()
            pick_and_edit(self.app, [resource, principal], self._edited)
            return
        open_editor_for(self.app, refs, self._edited)

    def _edited(self, result: EditResult | None) -> None:
        """Back from the policy editor: its result applied, the question asked again over it."""
        explorer(self).apply_edit(result)
        self.ask()

    def policy_names(self) -> list[str]:
        """Names of the policies the current answer considered."""
        names: list[str] = []
        for res in answer_results(self.answer):
            for pol in res.explanation.policies if res.explanation is not None else ():
                if pol.name not in names:
                    names.append(pol.name)
        return names

    def ask(self) -> None:
        """Evaluate the request in a worker (the screen stays responsive)."""
        principal = self.query_one("#sim-principal", Input).value.strip()
        action = self.query_one("#sim-action", Input).value.strip()
        resource = self.query_one("#sim-resource", Input).value.strip()
        if not (principal and action and resource):
            missing = [
                n for n, v in (("Principal", principal), ("Action", action), ("Resource", resource)) if not v
            ]
            self._requests.next()  # an answer still on its way was for fields since cleared
            self.query_one("#sim-answer", Static).update(Text(missing_fields_words(missing), style="dim"))
            return
        try:
            context = self.context()
        except InputError as exc:
            self._requests.next()  # an answer still on its way was for the context before
            self._show_error(str(exc))
            return
        app = explorer(self)
        self._evaluate(self._requests.next(), app.inventory, principal, action, resource, context)

    @work(thread=True, exclusive=True, group="simulate", exit_on_error=False)
    def _evaluate(
        self,
        request: int,
        inv: Inventory,
        principal: str,
        action: str,
        resource: str,
        context: dict[str, ContextValue],
    ) -> None:
        from ...analysis import api

        try:
            answer = api.explain(inv, principal, action, resource, context)
        except InputError as exc:
            self.post_message(QuestionRefused(request, str(exc)))
            return
        self.post_message(AnswerReady(request, answer))

    @on(QuestionRefused)
    def _refused(self, message: QuestionRefused) -> None:
        if self._requests.is_current(message.request):
            self._show_error(message.reason)

    @on(AnswerReady)
    def _answered(self, message: AnswerReady) -> None:
        if self._requests.is_current(message.request):
            self._show_answer(message.answer)

    def _show_error(self, message: str) -> None:
        self.answer = None
        self.answer_error = message
        text = Text("✘ cannot ask: ", style="bold red")
        text.append(inert(message, multiline=True))
        self.query_one("#sim-answer", Static).update(text)
        self.query_one("#sim-tree", Tree).clear()
        self._show_line(None)

    def _show_answer(self, answer: Answer) -> None:
        self.answer = answer
        self.answer_error = None
        self.query_one("#sim-answer", Static).update(answer_header(answer))
        tree = self.query_one("#sim-tree", Tree)
        tree.clear()
        edited = edited_policy_names(explorer(self), answer)
        checks = answer.checks
        wide = self.app.size.width >= 100  # in 80 columns the layer list starts folded
        account = explorer(self).inventory.account_id
        if len(checks) > 1:
            for check in checks:
                label = decision_text(check.decision, short=True)
                label.append(f"  {inert(check.name)}: ", style="bold")
                label.append(inert(check.action))
                if not check.required:
                    label.append("  (for information)", style="dim")
                if check.note:
                    label.append(f" — {inert(check.note)}", style="dim")
                node = tree.root.add(label, expand=True)
                if check.result is not None:
                    fill_explanation(node, check.result, edited, layers_open=wide, account=account)
        elif answer.result is not None:
            fill_explanation(tree.root, answer.result, edited, layers_open=wide, account=account)
        else:
            tree.root.add_leaf(
                Text("no evaluation: the answer depends on data that could not be read", style="yellow")
            )
        for note in answer.notes:
            tree.root.add_leaf(plain(f"note: {note}", "dim"))
        tree.root.expand()
        self.call_after_refresh(lambda: self._show_line(tree.cursor_node))


def missing_fields_words(fields: list[str]) -> str:
    """Which of the simulator's fields (by their labels) are still empty, and that they are needed:
    ``The Principal and Resource fields are empty: fill them in to get an answer.``"""
    if len(fields) == 1:
        return f"The {fields[0]} field is empty: fill it in to get an answer."
    names = ", ".join(fields[:-1]) + " and " + fields[-1]
    return f"The {names} fields are empty: fill them in to get an answer."


def answer_results(answer: Answer | None) -> list[Result]:
    """Every engine ``Result`` inside an answer (one per check)."""
    if answer is None:
        return []
    results = [c.result for c in answer.checks if c.result is not None]
    if not results and answer.result is not None:
        results = [answer.result]
    return results


def edited_policy_names(app: ExplorerApp, answer: Answer | None = None) -> set[str]:
    """Names (as the explanation writes them) of the policies that have what-if edits."""
    whatif = app.whatif
    names = {ref.label() for ref in whatif.edited}
    for name, ref in (answer.sources if answer is not None else {}).items():
        if whatif.is_edited(ref):
            names.add(name)
    return names
