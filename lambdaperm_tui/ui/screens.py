"""Screens pushed over the explorer: help, simulator, who-can, what-can, policy picker and editor."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any, ClassVar

from rich.console import Group
from rich.table import Table
from rich.text import Text
from textual import events, on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen, Screen
from textual.suggester import Suggester
from textual.timer import Timer
from textual.widgets import DataTable, Footer, Input, Label, OptionList, Static, TextArea, Tree
from textual.widgets.option_list import Option
from textual.widgets.tree import TreeNode

from ..analysis.answer import Answer
from ..inventory.text import inert
from . import backend
from .explain import condition_full, condition_label, element_full, element_label, short_arns
from .render import DECIDING_MARK, InertHighlighter, answer_text, decision_text, inert_label, plain

if TYPE_CHECKING:
    from .app import LambdaPermApp


def _app(widget: Any) -> LambdaPermApp:
    app: LambdaPermApp = widget.app
    return app


# -- help ---------------------------------------------------------------------------------------------------
class HelpScreen(ModalScreen[None]):
    """Every key, generated from the bindings the app and its widgets really have."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,q,question_mark", "dismiss", "Close", id="help.close"),
    ]

    def compose(self) -> ComposeResult:
        from .app import LambdaPermApp
        from .detail import DetailView
        from .panes import ResourceTree

        groups: list[tuple[str, Sequence[Any]]] = [
            ("Everywhere", LambdaPermApp.BINDINGS),
            ("Lists", ResourceTree.BINDINGS),
            ("Detail", DetailView.BINDINGS),
            ("Simulator", SimulatorScreen.BINDINGS),
            ("Simulator explanation (ctrl+t)", ExplainTree.BINDINGS),
            ("Who-can / what-can", WhoCanScreen.BINDINGS),
            ("Policy editor", PolicyEditorScreen.BINDINGS),
        ]
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
            if title == "Everywhere":
                table.add_row(Text("ctrl+p"), Text("Command palette (every action)"))
            parts += [Text(title, style="bold underline"), table, Text("")]
        with VerticalScroll(id="help-body"):
            yield Static(Group(*parts))

    DEFAULT_CSS = """
    HelpScreen { align: center middle; }
    #help-body { width: 100; max-width: 95%; height: 90%; border: round $accent; padding: 0 1; }
    """


# -- suggesters ---------------------------------------------------------------------------------------------
class ListSuggester(Suggester):
    """Suggests the first candidate that starts with (case-insensitive) what was typed."""

    def __init__(self, candidates: Iterable[str]) -> None:
        super().__init__(use_cache=False, case_sensitive=False)
        self.candidates = sorted(set(candidates))

    async def get_suggestion(self, value: str) -> str | None:
        """The completion of ``value``, if any."""
        if not value:
            return None
        low = value.lower()
        for candidate in self.candidates:
            # A suggestion is drawn as it is (Input adds it after the value): never one that holds
            # control or bidi characters.
            if (
                candidate.lower().startswith(low)
                and len(candidate) > len(value)
                and inert(candidate) == candidate
            ):
                return candidate
        return None


class ContextKeySuggester(Suggester):
    """Completes ``key=`` from the keys that apply to the simulator's current action."""

    def __init__(self, screen: SimulatorScreen) -> None:
        super().__init__(use_cache=False, case_sensitive=False)
        self._screen = screen

    async def get_suggestion(self, value: str) -> str | None:
        """A condition key that starts with what was typed (before ``=``)."""
        if not value or "=" in value:
            return None
        low = value.lower()
        for key in self._screen.context_keys():
            if key.lower().startswith(low) and len(key) > len(value):
                return key + "="
        return None


def inventory_principals(app: LambdaPermApp) -> list[str]:
    """Principals to suggest: roles and users of the inventory, and principals named in policies."""
    inv = app.inventory
    out = [r.arn for r in inv.roles] + [u.arn for u in inv.users]
    for key in app.pane("principals").entries:
        out.append(key)
    out += ["anonymous", "s3.amazonaws.com", "apigateway.amazonaws.com", "events.amazonaws.com"]
    return out


def inventory_resources(app: LambdaPermApp) -> list[str]:
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


class ExplainTree(Tree[Any]):
    """The simulator's explanation tree, with the lists' vi-style movement."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("j", "cursor_down", "Down", show=False, id="explain.down"),
        Binding("k", "cursor_up", "Up", show=False, id="explain.up"),
        Binding("g", "scroll_home", "First line", show=False, id="explain.first"),
        Binding("G", "scroll_end", "Last line", show=False, id="explain.last"),
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


# -- explanation tree ---------------------------------------------------------------------------------------
def fill_explanation(
    node: TreeNode[Any],
    result: Any,
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

    for d in getattr(result, "decided_by", ()):
        sid = f" ({inert(d.sid)})" if d.sid else ""
        full = Text(f"{DECIDING_MARK} decided by {d.effect} in {d.policy_type} policy ", style="bold")
        full.append(inert(d.policy))
        full.append(f" statement {d.statement_index}{sid}")
        line = Text(f"{DECIDING_MARK} decided by {d.effect} in {d.policy_type} ", style="bold")
        line.append(inert(short_arns(d.policy, account)))
        line.append(f" #{d.statement_index}{sid}")
        add_leaf(node, line, full)
    expl = getattr(result, "explanation", None)
    if expl is None:
        add_leaf(node, Text("no explanation was computed", style="dim"))
        return
    add_leaf(node, plain(expl.summary))
    layers = node.add(Text("Evaluation layers", style="bold"), expand=layers_open)
    for layer in expl.layers:
        line = plain(f"{layer.layer}: ", "bold")
        line.append(inert(layer.verdict))
        if layer.note:
            line.append(f" — {inert(layer.note)}", style="dim")
        add_leaf(layers, line)
    denied = str(getattr(getattr(result, "decision", None), "value", "")) != "allowed"

    def near_miss(st: Any) -> bool:
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
                    element_label(el.element, el.matched, el.detail, account),
                    element_full(el.element, el.matched, el.detail),
                )
            for c in st.conditions:
                add_leaf(snode, condition_label(c, account), condition_full(c))


def answer_header(answer: Any) -> Text:
    """The decision in symbols and words, then what is unknown and what was assumed."""
    text = answer_text(answer) if isinstance(answer, Answer) else decision_text("unknown")
    for why in getattr(answer, "unknown_because", ()) or ():
        text.append("\n? unknown because: ", style="bold yellow")
        text.append(inert(str(why)))
    for assumption in getattr(answer, "assumes", ()) or ():
        text.append("\nassumes: ", style="bold")
        text.append(inert(str(assumption)))
    return text


# -- simulator ----------------------------------------------------------------------------------------------
class SimulatorScreen(Screen[None]):
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
        self.answer: Any = None
        self.answer_error: str | None = None

    def compose(self) -> ComposeResult:
        app = _app(self)
        principal, action, resource = self._initial
        with Vertical(id="sim-form"):
            yield Static(
                Text(
                    "Simulator — nothing is sent to AWS; answers use the inventory"
                    + (" with what-if edits" if app.edits else ""),
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
                    suggester=ListSuggester(backend.lambda_actions()),
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
                    with Horizontal(classes="ctx-row"):
                        yield Label("Context" if i == 0 else "")
                        yield Input(
                            row,
                            placeholder="key=value (repeat a key for several values)",
                            classes="ctx",
                            suggester=ContextKeySuggester(self),
                            highlighter=InertHighlighter(),
                        )
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
        self._show_keys()
        self._show_line(None)
        self.ask()

    def on_screen_resume(self) -> None:
        # Back from the policy editor: the inventory may have changed, so ask again.
        self.ask()

    def context_keys(self) -> tuple[str, ...]:
        """Condition keys that apply to the action being asked about."""
        action = self.query_one("#sim-action", Input).value.strip()
        keys = backend.condition_keys_for(action) if action else ()
        # The action's own keys (lambda:...) matter most; global aws: keys follow.
        return tuple(sorted(keys, key=lambda k: (k.lower().startswith("aws:"), k.lower())))

    def _show_keys(self) -> None:
        keys = self.context_keys()
        self.query_one("#sim-keys", Static).update(
            Text("keys for this action: " + (", ".join(keys) if keys else "—"))
        )

    def context(self) -> dict[str, str | tuple[str, ...]]:
        """The context rows as a mapping; a key given twice is multi-valued."""
        out: dict[str, list[str]] = {}
        for inp in self.query("Input.ctx").results(Input):
            text = inp.value.strip()
            if not text:
                continue
            key, sep, value = text.partition("=")
            if not sep or not key.strip():
                continue
            out.setdefault(key.strip(), []).append(value.strip())
        return {k: v[0] if len(v) == 1 else tuple(v) for k, v in out.items()}

    @on(Input.Changed)
    def _changed(self, event: Input.Changed) -> None:
        if event.input.id == "sim-action":
            self._show_keys()
        if event.input.has_class("ctx") and event.value:
            rows = list(self.query("Input.ctx").results(Input))
            if rows and rows[-1] is event.input:
                self.action_add_context(focus=False)
        if self._timer is not None:
            self._timer.stop()
        self._timer = self.set_timer(0.25, self.ask)

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.ask()
        self.focus_next()

    def action_add_context(self, focus: bool = True) -> None:
        """Add an empty key=value row."""
        box = self.query_one("#sim-context", Vertical)
        inp = Input(placeholder="key=value", classes="ctx", suggester=ContextKeySuggester(self))
        row = Horizontal(Label(""), inp, classes="ctx-row")
        box.mount(row)
        if focus:
            self.call_after_refresh(inp.focus)

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
        _app(self).action_reset_edits()
        self.ask()

    def action_edit_policy(self) -> None:
        """Edit one of the policies of this answer (what-if)."""
        refs: list[Any] = []
        sources = dict(getattr(self.answer, "sources", {}) or {})
        for name in self.policy_names():
            ref = sources.get(name)
            if ref is not None and ref not in refs:
                refs.append(ref)
        if not refs:
            resource = self.query_one("#sim-resource", Input).value.strip()
            principal = self.query_one("#sim-principal", Input).value.strip()
            pick_and_edit(_app(self), [resource, principal])
            return
        open_editor_for(_app(self), refs)

    def policy_names(self) -> list[str]:
        """Names of the policies the current answer considered."""
        names: list[str] = []
        for res in answer_results(self.answer):
            expl = getattr(res, "explanation", None)
            for pol in getattr(expl, "policies", ()):
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
                n for n, v in (("principal", principal), ("action", action), ("resource", resource)) if not v
            ]
            self.query_one("#sim-answer", Static).update(
                Text(f"Fill in the {', '.join(missing)} to get an answer.", style="dim")
            )
            return
        app = _app(self)
        self._evaluate(app.inventory, principal, action, resource, self.context())

    @work(thread=True, exclusive=True, group="simulate", exit_on_error=False)
    def _evaluate(
        self, inv: Any, principal: str, action: str, resource: str, context: dict[str, Any]
    ) -> None:
        from ..iam.errors import InputError

        try:
            answer = backend.simulate(inv, principal, action, resource, context)
        except (InputError, backend.AnalysisUnavailable) as exc:
            self.app.call_from_thread(self._show_error, str(exc))
            return
        self.app.call_from_thread(self._show_answer, answer)

    def _show_error(self, message: str) -> None:
        self.answer = None
        self.answer_error = message
        text = Text("✘ cannot ask: ", style="bold red")
        text.append(inert(message, multiline=True))
        self.query_one("#sim-answer", Static).update(text)
        self.query_one("#sim-tree", Tree).clear()
        self._show_line(None)

    def _show_answer(self, answer: Any) -> None:
        self.answer = answer
        self.answer_error = None
        self.query_one("#sim-answer", Static).update(answer_header(answer))
        tree = self.query_one("#sim-tree", Tree)
        tree.clear()
        edited = edited_policy_names(_app(self), answer)
        checks = tuple(answer.checks or ())
        wide = self.app.size.width >= 100  # in 80 columns the layer list starts folded
        account = _app(self).inventory.account_id
        if len(checks) > 1:
            for check in checks:
                label = decision_text(str(check.decision), short=True)
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
        for note in getattr(answer, "notes", ()) or ():
            tree.root.add_leaf(plain(f"note: {note}", "dim"))
        tree.root.expand()
        self.call_after_refresh(lambda: self._show_line(tree.cursor_node))


def answer_results(answer: Any) -> list[Any]:
    """Every engine ``Result`` inside an answer (one per check)."""
    if answer is None:
        return []
    checks = getattr(answer, "checks", ()) or ()
    results = [getattr(c, "result", None) for c in checks]
    results = [r for r in results if r is not None]
    if not results and getattr(answer, "result", None) is not None:
        results = [answer.result]
    return results


def edited_policy_names(app: LambdaPermApp, answer: Any = None) -> set[str]:
    """Names (as the explanation writes them) of the policies that have what-if edits."""
    names = {ref_label(ref) for ref in app.edits}
    for name, ref in (getattr(answer, "sources", {}) or {}).items():
        if ref in app.edits:
            names.add(name)
    return names


def ref_label(ref: Any) -> str:
    """A person-readable name of a ``PolicyRef``."""
    for attr in ("label", "display", "title"):
        value = getattr(ref, attr, None)
        if callable(value):
            value = value()
        if isinstance(value, str) and value:
            return value
    return str(ref)


# -- who-can / what-can -------------------------------------------------------------------------------------
class WhoCanScreen(Screen[None]):
    """Every principal the inventory knows, with its decision for one action on one resource."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "close", "Back", id="whocan.back"),
        Binding("enter", "explain", "Simulate row", id="whocan.explain"),
        Binding("j", "cursor_down", "Down", show=False, id="whocan.down"),
        Binding("k", "cursor_up", "Up", show=False, id="whocan.up"),
    ]

    DEFAULT_CSS = """
    WhoCanScreen { layout: vertical; }
    #wc-title { height: auto; padding: 0 1; }
    #wc-form { height: 1; padding: 0 1; }
    #wc-form Label { width: 20; color: $text-muted; }
    #wc-action { width: 1fr; height: 1; border: none; padding: 0 1; background: $boost; }
    #wc-action:focus { background: $accent 30%; }
    /* Cells are shortened and the highlighted row shows in full below: no horizontal scrollbar (at 80
       columns its sliver showed as a stray block under the table). */
    #wc-table { height: 1fr; overflow-x: hidden; }
    #wc-why { height: auto; max-height: 6; padding: 0 1; border-top: solid $primary-darken-2; }
    """

    def __init__(self, *, action: str, resource: str) -> None:
        super().__init__()
        self.action = action
        self.resource = resource
        self.rows: Sequence[Any] = ()

    def compose(self) -> ComposeResult:
        title = Text("Who can ", style="bold")
        title.append(inert(self.action), style="bold")
        title.append(" on ")
        title.append(inert(self.resource))
        yield Static(title, id="wc-title")
        with Horizontal(id="wc-form"):
            yield Label("Action (Enter asks)")
            yield Input(
                self.action,
                id="wc-action",
                suggester=ListSuggester(backend.lambda_actions()),
                highlighter=InertHighlighter(),
            )
        table: DataTable[Text] = DataTable(id="wc-table", cursor_type="row", zebra_stripes=True)
        yield table
        yield Static(id="wc-why")
        yield Footer(show_command_palette=False)

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        table.add_columns("Decision", "Principal", "Deciding statement")
        table.focus()
        self.run_query()

    @on(Input.Submitted, "#wc-action")
    def _new_action(self, event: Input.Submitted) -> None:
        self.action = event.value.strip() or self.action
        title = Text("Who can ", style="bold")
        title.append(inert(self.action), style="bold")
        title.append(" on ")
        title.append(inert(self.resource))
        self.query_one("#wc-title", Static).update(title)
        self.run_query()
        self.query_one(DataTable).focus()

    def run_query(self) -> None:
        """Compute the table in a worker."""
        table = self.query_one(DataTable)
        table.clear()
        table.loading = True
        self._compute(_app(self).inventory, self.action, self.resource)

    @work(thread=True, exclusive=True, group="whocan", exit_on_error=False)
    def _compute(self, inv: Any, action: str, resource: str) -> None:
        from ..iam.errors import InputError

        try:
            rows = backend.who_can(inv, action, resource)
        except (InputError, backend.AnalysisUnavailable) as exc:
            self.app.call_from_thread(self._error, str(exc))
            return
        self.app.call_from_thread(self._fill, rows)

    def _error(self, message: str) -> None:
        table = self.query_one(DataTable)
        table.loading = False
        self.notify(message, title="Who-can failed", severity="error", markup=False)

    def _fill(self, rows: Sequence[Any]) -> None:
        self.rows = rows
        table = self.query_one(DataTable)
        table.loading = False
        table.clear()
        # Cells shorten the account's own ARNs; the line under the table gives the row in full.
        account = _app(self).inventory.account_id
        for row in rows:
            table.add_row(
                answer_text(row.answer, short=True),
                principal_cell(row),
                plain(short_arns(deciding_text(row), account)),
            )
        if not rows:
            table.add_row(Text("—"), Text("no principal in the inventory"), Text(""))
        table.focus()  # the loading indicator took focus away
        self._explain_row(0)

    @on(DataTable.RowHighlighted)
    def _row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        self._explain_row(event.cursor_row)

    def _explain_row(self, index: int) -> None:
        """Under the table, in full: the highlighted row's deciding statements and assumptions."""
        box = self.query_one("#wc-why", Static)
        if not self.rows or not 0 <= index < len(self.rows):
            box.update("")
            return
        row = self.rows[index]
        text = answer_text(row.answer)
        text.append("  ")
        text.append(
            inert(
                str(
                    getattr(row, "label", "") or getattr(row, "principal", "") or getattr(row, "resource", "")
                )
            )
        )
        text.append("\n")
        text.append(inert(deciding_text(row)))
        for assumption in getattr(getattr(row, "answer", None), "assumes", ()) or ():
            text.append("\nassumes: ", style="bold")
            text.append(inert(str(assumption)))
        text.append("\nEnter: open in the simulator to see why", style="dim")
        box.update(text)

    def action_close(self) -> None:
        """Back to the explorer."""
        self.dismiss()

    def action_cursor_down(self) -> None:
        """Next row."""
        self.query_one(DataTable).action_cursor_down()

    def action_cursor_up(self) -> None:
        """Previous row."""
        self.query_one(DataTable).action_cursor_up()

    def action_explain(self) -> None:
        """Open the simulator on the highlighted row to see why."""
        table = self.query_one(DataTable)
        if not self.rows or table.cursor_row >= len(self.rows):
            return
        row = self.rows[table.cursor_row]
        if not row.principal:
            return  # a list of principals that could not be read: there is no one to simulate
        self.app.push_screen(
            SimulatorScreen(
                principal=str(row.principal),
                action=self.action,
                resource=self.resource,
                context=dict(getattr(row, "context", {}) or {}),
            )
        )

    @on(DataTable.RowSelected)
    def _row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self.action_explain()


def principal_cell(row: Any) -> Text:
    """Who, with where the candidate came from (``role in inventory``, ``named in billing policy``)."""
    text = plain(str(row.label or row.principal))
    if row.origin and row.origin != "account":
        text.append(f"  ({inert(str(row.origin))})", style="dim")
    return text


def deciding_text(row: Any) -> str:
    """The deciding statements of a who-can/what-can row (``resource billing:prod #0 (Sid)``), or why none."""
    parts = []
    for d in getattr(row, "decided_by", ()) or ():
        parts.append(f"{d.policy_type} {d.policy} #{d.statement_index}" + (f" ({d.sid})" if d.sid else ""))
    if parts:
        return " + ".join(parts)
    answer = getattr(row, "answer", None)
    unknown = getattr(answer, "unknown_because", ()) or ()
    if unknown:
        return "? " + "; ".join(map(str, unknown))
    result = getattr(answer, "result", None)
    explanation = getattr(result, "explanation", None)
    if explanation is not None and explanation.summary:
        return str(explanation.summary)
    notes = getattr(answer, "notes", ()) or ()
    if notes:
        return "; ".join(map(str, notes))
    if getattr(row, "decision", "") == "allowed":
        return "allowed without a statement (the account's root user)"
    return "no statement allows"


class WhatCanScreen(WhoCanScreen):
    """What a role (or principal) can do across the account's Lambda resources, for the common actions."""

    def __init__(self, principal: str) -> None:
        super().__init__(action="", resource="")
        self.principal = principal

    def compose(self) -> ComposeResult:
        title = Text("What can ", style="bold")
        title.append(inert(self.principal))
        title.append(" do (common Lambda actions)", style="bold")
        yield Static(title, id="wc-title")
        table: DataTable[Text] = DataTable(id="wc-table", cursor_type="row", zebra_stripes=True)
        yield table
        yield Static(id="wc-why")
        yield Footer(show_command_palette=False)

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        table.add_columns("Decision", "Action", "Resource", "Deciding statement")
        table.focus()
        table.loading = True
        self._what(_app(self).inventory, self.principal)

    @work(thread=True, exclusive=True, group="whatcan", exit_on_error=False)
    def _what(self, inv: Any, principal: str) -> None:
        from ..iam.errors import InputError

        try:
            rows = backend.what_can(inv, principal)
        except (InputError, backend.AnalysisUnavailable) as exc:
            self.app.call_from_thread(self._error, str(exc))
            return
        self.app.call_from_thread(self._fill_what, rows)

    def _fill_what(self, rows: Sequence[Any]) -> None:
        self.rows = rows
        table = self.query_one(DataTable)
        table.loading = False
        account = _app(self).inventory.account_id
        for row in rows:
            table.add_row(
                answer_text(row.answer, short=True),
                plain(str(getattr(row, "action", ""))),
                plain(short_arns(str(getattr(row, "resource", "")), account)),
                plain(short_arns(deciding_text(row), account)),
            )
        if not rows:
            table.add_row(Text("—"), Text("nothing"), Text(""), Text(""))
        table.focus()
        self._explain_row(0)

    def action_explain(self) -> None:
        """Open the simulator on the highlighted row."""
        table = self.query_one(DataTable)
        if not self.rows or table.cursor_row >= len(self.rows):
            return
        row = self.rows[table.cursor_row]
        self.app.push_screen(
            SimulatorScreen(
                principal=self.principal,
                action=str(getattr(row, "action", "")),
                resource=str(getattr(row, "resource", "")),
            )
        )


# -- what-if: pick a policy, edit it ------------------------------------------------------------------------
def ref_owner(ref: Any) -> str:
    """The ARN a ``PolicyRef`` belongs to (duck-typed)."""
    return str(
        getattr(ref, "owner", None) or getattr(ref, "arn", None) or getattr(ref, "resource", None) or ""
    )


def pick_and_edit(app: LambdaPermApp, owners: Sequence[str]) -> None:
    """Offer the policies that belong to ``owners`` (ARNs) and open the chosen one in the editor."""
    try:
        refs = backend.policy_refs(app.base_inventory)
    except backend.AnalysisUnavailable as exc:
        app.notify(str(exc), severity="error", markup=False)
        return
    wanted = {o for o in owners if o}
    chosen = [r for r in refs if ref_owner(r) in wanted]
    if not chosen:
        app.notify(
            "No editable policy here (select a function, version, alias, layer version or role).",
            severity="warning",
        )
        return
    open_editor_for(app, chosen)


def open_editor_for(app: LambdaPermApp, refs: Sequence[Any]) -> None:
    """Open the editor on one ref, or a picker when there are several."""
    if len(refs) == 1:
        app.push_screen(PolicyEditorScreen(refs[0]))
    else:
        app.push_screen(PolicyPicker(refs))


class _PickerList(OptionList):
    """The picker's list: Enter opens the editor at once, and keys typed after it go to the editor.

    The app hands every key to the widget focused when the key arrives; keys typed right after Enter are
    already queued here before the editor exists, and the list would eat them (Down/End move its
    highlight, letters do nothing). Once a policy is chosen they are passed on to the editor instead.
    """

    async def _on_key(self, event: events.Key) -> None:
        picker = self.screen
        if not isinstance(picker, PolicyPicker):
            await super()._on_key(event)
            return
        if picker.editor is not None:
            event.stop()
            event.prevent_default()
            picker.editor.type_ahead(event)
            return
        if event.key == "enter" and self.highlighted is not None:
            event.stop()
            event.prevent_default()
            picker.choose(self.highlighted)
            return
        await super()._on_key(event)


class PolicyPicker(ModalScreen[None]):
    """Choose which policy to edit."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "dismiss", "Cancel", id="picker.cancel")]
    DEFAULT_CSS = """
    PolicyPicker { align: center middle; }
    PolicyPicker > OptionList { width: 90%; max-height: 80%; border: round $accent; }
    """

    def __init__(self, refs: Sequence[Any]) -> None:
        super().__init__()
        self.refs = list(refs)
        self.editor: PolicyEditorScreen | None = None  # once chosen

    def compose(self) -> ComposeResult:
        app = _app(self)
        options = []
        for i, ref in enumerate(self.refs):
            label = plain(ref_label(ref))
            if ref in app.edits:
                label.append("  ✎ edited", style="bold magenta")
            options.append(Option(label, id=str(i)))
        ol = _PickerList(*options)
        ol.border_title = "Edit which policy? (Enter)"
        yield ol

    def choose(self, index: int) -> None:
        """Open the editor on the policy at ``index`` (once; later keys are typed into the editor)."""
        if self.editor is not None or not 0 <= index < len(self.refs):
            return
        self.editor = PolicyEditorScreen(self.refs[index])
        self.app.switch_screen(self.editor)

    @on(OptionList.OptionSelected)
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        # A mouse click (Enter is handled by the list itself).
        self.choose(event.option_index)


class PolicyEditorScreen(Screen[None]):
    """Edit a policy document locally; save to ask every question again against the edit."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+s", "save", "Save (what-if)", id="editor.save"),
        # Priority: the text area (tab_behavior="indent") would take Esc to move focus, so it never left.
        Binding("escape", "cancel", "Cancel", id="editor.cancel", priority=True),
        Binding("ctrl+r", "revert", "Revert to loaded", id="editor.revert"),
        # TextArea's own select-all key is f7 (ctrl+a goes to the line start); say so, replacing a policy
        # wholesale is the common edit.
        Binding("f7", "select_all", "Select all", id="editor.select_all"),
    ]
    DEFAULT_CSS = """
    PolicyEditorScreen { layout: vertical; }
    #ed-title { height: auto; padding: 0 1; }
    #ed-error { height: auto; padding: 0 1; color: $error; display: none; }
    #ed-error.shown { display: block; }
    #ed-text { height: 1fr; }
    """

    def __init__(self, ref: Any) -> None:
        super().__init__()
        self.ref = ref
        # Keys typed before the text area could take them (see ``_PickerList``), and the replay's state.
        self._typed_ahead: list[str] = []
        self._ready = False
        self._feeding = False

    def type_ahead(self, event: events.Key) -> None:
        """A key typed before this screen took focus: replayed, in order, once the text area has it."""
        self._typed_ahead.append(event.key)
        if self._ready:
            self._feed_typed_ahead()

    def _feed_typed_ahead(self) -> None:
        if not self._feeding and self._typed_ahead:
            self._feeding = True
            self.run_worker(self._feed(), group="typeahead")

    async def _feed(self) -> None:
        # One key at a time, each handled before the next (as a terminal delivers them): posted all at once,
        # letters would be inserted before a bubbling Down/End had moved the cursor. ``_press_keys`` is
        # Textual 8.2.8's (pinned) own sequenced key feed, the one Pilot uses.
        try:
            while self._typed_ahead:
                await self.app._press_keys([self._typed_ahead.pop(0)])
        finally:
            self._feeding = False

    def _start_typed_ahead(self) -> None:
        self._ready = True
        self._feed_typed_ahead()

    def _loaded_document(self) -> Any:
        slot = backend.get_policy(_app(self).base_inventory, self.ref)
        return getattr(slot, "document", None)

    def compose(self) -> ComposeResult:
        app = _app(self)
        doc = app.edits.get(self.ref)
        if doc is None:
            doc = self._loaded_document()
        title = Text("What-if edit: ", style="bold")
        title.append(inert(ref_label(self.ref)))
        title.append(
            "\nlocal only — nothing is sent to AWS. ctrl+s saves, Esc cancels, ctrl+r reverts.", style="dim"
        )
        yield Static(title, id="ed-title")
        yield Static(id="ed-error")
        text = json.dumps(doc if doc is not None else {"Version": "2012-10-17", "Statement": []}, indent=2)
        language = "json" if "json" in TextArea().available_languages else None
        yield TextArea(text, language=language, id="ed-text", show_line_numbers=True, tab_behavior="indent")
        yield Footer(show_command_palette=False)

    def on_mount(self) -> None:
        self.query_one(TextArea).focus()
        self.call_after_refresh(self._start_typed_ahead)

    def _error(self, message: str) -> None:
        box = self.query_one("#ed-error", Static)
        box.update(plain("✘ " + message, multiline=True))
        box.add_class("shown")

    def action_save(self) -> None:
        """Validate and keep the edit; answers are recomputed against it."""
        from ..iam.errors import InputError
        from ..iam.policy import parse_policy

        text = self.query_one(TextArea).text
        try:
            document = json.loads(text)
        except json.JSONDecodeError as exc:
            self._error(f"not valid JSON: {exc.msg} at line {exc.lineno}, column {exc.colno}")
            return
        try:
            parse_policy(document, ref_label(self.ref))
            app = _app(self)
            backend.replace_policy(app.base_inventory, self.ref, document)
        except InputError as exc:
            self._error(f"not a valid policy: {exc}")
            return
        app.set_edit(self.ref, document)
        app.notify(
            f"{ref_label(self.ref)} edited (what-if). E resets (ctrl+r in the simulator).",
            title="What-if",
            markup=False,
        )
        self.dismiss()

    def action_select_all(self) -> None:
        """Select the whole document (to replace it)."""
        self.query_one(TextArea).select_all()

    def action_cancel(self) -> None:
        """Leave without saving."""
        self.dismiss()

    def action_revert(self) -> None:
        """Put the loaded document back in the editor (and drop this policy's edit)."""
        app = _app(self)
        if self.ref in app.edits:
            del app.edits[self.ref]
            app._edited_inv = None
            app._after_edit()
        doc = self._loaded_document()
        self.query_one(TextArea).text = json.dumps(doc, indent=2)
        self.query_one("#ed-error", Static).remove_class("shown")
