"""The explorer: the resource panes, the detail beside them, the header, and the explorer's keys.

``MainScreen`` is the app's default screen (``LambdaPermApp.get_default_screen``). The app owns the data
(the inventory as it loads, what-if edits) and hands each batch of load changes to ``apply_changes``; this
screen draws them, keeps the selection, and opens the other screens.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from typing import Any, ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal
from textual.message import Message
from textual.widgets import Footer, TabbedContent, TabPane

from ...analysis.principals import Caller, NamedPrincipal, caller_of
from ...analysis.whatif import PolicyRef
from ...inventory.events import LoadEvent
from ...inventory.model import Function, Inventory, Layer, Role
from ...inventory.text import inert
from .. import backend
from ..clipboard import copy_text
from ..loading import Changes, waiting_words
from ..messages import FindingsReady, FunctionAnswersReady, InvokeConfigsRead, PrincipalsReady, Requests
from ..render import (
    age_words,
    arn_cell,
    function_label,
    layer_version_label,
    not_a_caller_words,
    plain,
    role_label,
    short_reason,
)
from ..sections import Ask, FunctionAnswers, Jump, mapping_key, mapping_label
from ..state import ExplorerApp, explorer
from ..widgets.detail import DetailView, FunctionExtras, render_entry
from ..widgets.findings_pane import FindingsPane, badge_counts
from ..widgets.header import StatusHeader
from ..widgets.panes import Entry, ResourcePane
from .base import ExplorerScreen
from .policy_picker import pick_and_edit
from .simulator import SimulatorScreen
from .what_can import WhatCanScreen
from .who_can import WhoCanScreen

PANES = ("functions", "layers", "roles", "principals")
NARROW_WIDTH = 100  # below this the list and the detail take turns instead of sitting side by side


class MainScreen(ExplorerScreen[None]):
    """The explorer: panes of functions, layers, roles, principals and findings, and the detail."""

    # The explorer's own keys: Textual offers them only while this screen is on top.
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(
            "slash",
            "filter",
            "Filter",
            key_display="/",
            id="app.filter",
            tooltip="Filter the focused list as you type (Enter keeps it, Esc clears)",
        ),
        Binding(
            "escape",
            "go_back",
            "Back/clear",
            show=False,
            id="app.back",
            tooltip="Leave the detail, clear the filter, or go back",
        ),
        Binding(
            "s",
            "simulate",
            "Simulate",
            id="app.simulate",
            tooltip="Ask whether a principal may do an action on a resource (prefilled from the selection)",
        ),
        Binding(
            "w",
            "who_can",
            "Who-can",
            id="app.who_can",
            tooltip="Who can invoke the selected function/alias/version/layer version; what a role can do",
        ),
        Binding(
            "e",
            "edit_policy",
            "Edit",
            id="app.edit_policy",
            tooltip="Edit one of the selected item's policies locally (what-if; nothing is sent to AWS)",
        ),
        Binding(
            "E",
            "reset_edits",
            "Reset edits",
            show=False,
            id="app.reset_edits",
            tooltip="Forget every what-if edit",
        ),
        Binding(
            "v",
            "toggle_raw",
            "JSON",
            id="app.toggle_raw",
            tooltip="Show policies as raw JSON / as readable statements",
        ),
        Binding(
            "y",
            "copy_arn",
            "Copy ARN",
            show=False,
            id="app.copy_arn",
            tooltip="Copy the selected ARN to the clipboard",
        ),
        Binding("r", "reload", "Reload", show=False, id="app.reload", tooltip="Load the inventory again"),
        Binding(
            "1",
            "focus_pane('functions')",
            "Functions",
            show=False,
            id="app.pane.functions",
            tooltip="Functions pane",
        ),
        Binding(
            "2", "focus_pane('layers')", "Layers", show=False, id="app.pane.layers", tooltip="Layers pane"
        ),
        Binding("3", "focus_pane('roles')", "Roles", show=False, id="app.pane.roles", tooltip="Roles pane"),
        Binding(
            "4",
            "focus_pane('principals')",
            "Principals",
            show=False,
            id="app.pane.principals",
            tooltip="Principals named in resource and trust policies",
        ),
        Binding(
            "5",
            "focus_pane('findings')",
            "Findings",
            show=False,
            id="app.pane.findings",
            tooltip="Findings pane",
        ),
        Binding(
            "tab",
            "focus_next",
            "Next pane",
            show=False,
            id="app.focus_next",
            tooltip="Move focus between the list and the detail",
        ),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.raw = False
        self.current: Entry | None = None
        self.finding_badges: dict[str, int] = {}  # resource ARN -> how many findings name it
        self._failures_by_key: dict[str, list[str]] = {}
        self._detail_timer: Any = None
        self._multi_region = False
        self._failures_seen = 0
        # Each function's needs and triggers, with the inventory they were decided over.
        self._answers: dict[str, tuple[Inventory, FunctionAnswers]] = {}
        # Async invoke configs being read (on demand, for the function shown) and asked for in this load.
        self._invoke_reading: set[str] = set()
        self._invoke_asked: set[str] = set()
        # Where Enter on a link came from (pane, entry key, top-level row, the row's target): Esc returns.
        self._history: list[tuple[str, str, str | None, Jump | Ask]] = []
        self._tab_by_link: str | None = None  # the tab a link just showed (its activation is not a move)
        # The principals and findings asked last (a reload or an edit asks again; older answers are dropped).
        self._principals_asked = Requests()
        self._findings_asked = Requests()

    @property
    def state(self) -> ExplorerApp:
        """The app's data: the inventory as loaded and the what-if edits."""
        return explorer(self)

    # -- layout -------------------------------------------------------------------------------------------
    def compose(self) -> ComposeResult:
        yield StatusHeader(id="header")
        with Horizontal(id="main"):
            with TabbedContent(id="panes", initial="functions"):
                with TabPane("1 Functions", id="functions"):
                    yield ResourcePane(
                        "Functions",
                        self._function_children,
                        matches="name, ARN, runtime, region, role or alias",
                        id="pane-functions",
                    )
                with TabPane("2 Layers", id="layers"):
                    yield ResourcePane(
                        "Layers", self._layer_children, matches="name, ARN or region", id="pane-layers"
                    )
                with TabPane("3 Roles", id="roles"):
                    yield ResourcePane("Roles", matches="name, ARN or path", id="pane-roles")
                with TabPane("4 Principals", id="principals"):
                    yield ResourcePane(
                        "Principals",
                        matches="principal (ARN, service, account id) or kind",
                        id="pane-principals",
                    )
                with TabPane("5 Findings", id="findings"):
                    yield FindingsPane(id="pane-findings")
            yield DetailView(id="detail")
        yield Footer(show_command_palette=False)

    class Ready(Message):
        """The explorer's first frame is on screen (the app starts the load then)."""

    def on_mount(self) -> None:
        self.update_header()
        self.layout_for(self.app.size.width)
        self.pane("functions").rows_tree.focus()
        self.detail.show(
            render_entry(None, self.state.inventory, raw=self.policy_mode(), edited=self.state.is_edited)
        )
        # The load starts after the first frame is on screen: nothing AWS-bound happens before it.
        self.call_after_refresh(self.post_message, self.Ready())

    def layout_for(self, width: int) -> None:
        """Side by side, or (narrow) the list and the detail taking turns."""
        self.set_class(width < NARROW_WIDTH, "narrow")

    @property
    def detail(self) -> DetailView:
        """The detail view widget."""
        return self.query_one("#detail", DetailView)

    def pane(self, name: str) -> ResourcePane:
        """One of the four resource panes."""
        return self.query_one(f"#pane-{name}", ResourcePane)

    def active_pane(self) -> ResourcePane:
        """The resource pane of the visible tab (the Functions pane while the Findings tab shows)."""
        active = self.query_one("#panes", TabbedContent).active or "functions"
        return self.pane("functions" if active == "findings" else active)

    @property
    def findings_pane(self) -> FindingsPane:
        """The Findings pane."""
        return self.query_one("#pane-findings", FindingsPane)

    def _findings_shown(self) -> bool:
        return self.query_one("#panes", TabbedContent).active == "findings"

    # -- loading ------------------------------------------------------------------------------------------
    def reset_for_load(self) -> None:
        """A load (re)starts: empty the lists and forget the last load's failures."""
        self._multi_region = False
        self._failures_by_key = {}
        self._failures_seen = 0
        self._invoke_asked = set()
        self._invoke_reading = set()
        for name in PANES:
            pane = self.pane(name)
            pane.reset()
            pane.set_empty_note("loading…")
        self.update_header()

    def load_failed(self, message: str) -> None:
        """The load stopped with an error: every list says so, and the header."""
        for name in PANES:
            self.pane(name).set_empty_note(f"load failed: {message}")
        self.update_header(failed=message)

    def apply_changes(self, changes: Changes) -> None:
        """Draw one batch of load changes (rows, failures, the end of the load)."""
        if not changes:
            return
        for failure in changes.failures:
            self._failures_by_key.setdefault(failure.resource, []).append(failure.reason)
            self._failures_seen += 1
            # The first few failures each get a toast; after that one summary at the end of the load,
            # so a throttled account does not bury the screen in notifications.
            if self._failures_seen <= 3:
                self.notify(
                    f"{failure.resource}\n{failure.operation}: {failure.reason}",
                    title=f"Could not read ({short_reason(failure.reason)})",
                    severity="warning",
                    markup=False,
                )
        if changes.finished and self._failures_seen > 3:
            self.notify(
                f"{self._failures_seen} resources could not be read; rows marked '? unknown' say why.",
                title="Some data is unknown",
                severity="warning",
                markup=False,
            )
        if changes.functions and not self._multi_region:
            regions = {f.region for f in self.state.fold.functions.values()}
            if len(regions) > 1:
                # A second region appeared: every row now says its region.
                self._multi_region = True
                changes.functions = list(self.state.fold.functions)
        if changes.functions:
            rows = [
                self._function_row(self.state.fold.functions[a])
                for a in dict.fromkeys(changes.functions)
                if a in self.state.fold.functions
            ]
            self.pane("functions").upsert(rows)
        if changes.layers:
            self.pane("layers").upsert(
                self._layer_row(self.state.fold.layers[a])
                for a in dict.fromkeys(changes.layers)
                if a in self.state.fold.layers
            )
        if changes.failures:
            self._badge_failures(changes.failures)
        if changes.iam or changes.finished:
            self._refresh_roles()
        if changes.finished:
            self._finish_load()
        if changes.event_sources:
            self._refresh_expanded_functions()
        self.update_header()
        if self.current is not None and (
            changes.iam
            or changes.event_sources
            or self.current.key in changes.functions
            or self._current_function() in changes.functions
            or self.current.key in changes.layers
            or changes.finished
        ):
            self._refresh_current_entry(keep_scroll=True)

    def _badge_failures(self, failures: Iterable[Any]) -> None:
        keys = {f.resource for f in failures}
        functions = self.state.fold.functions
        fn_rows = [self._function_row(functions[k]) for k in keys if k in functions]
        if fn_rows:
            self.pane("functions").upsert(fn_rows)

    def _finish_load(self) -> None:
        for name, note in (("functions", "no functions"), ("layers", "no layers"), ("roles", "no roles")):
            self.pane(name).flush()
            self.pane(name).set_empty_note(note)
        # Rows arrived in the order regions answered, which differs from run to run: once everything is
        # in, the lists follow the source's region order (as the header lists them), then the name.
        rank = {region: i for i, region in enumerate(self.state.fold.regions)}

        def order(region: str, name: str, arn: str) -> tuple[int, str, str, str, str]:
            return (rank.get(region, len(rank)), region, name.lower(), name, arn)

        fns = sorted(self.state.fold.functions.values(), key=lambda f: order(f.region, f.name, f.arn))
        self.pane("functions").reorder(f.arn for f in fns)
        layers = sorted(self.state.fold.layers.values(), key=lambda x: order(x.region, x.name, x.arn))
        self.pane("layers").reorder(x.arn for x in layers)
        self._refresh_principals()
        self._refresh_findings()

    # -- rows ---------------------------------------------------------------------------------------------
    def _fn_failures(self, fn: Function) -> list[str]:
        out = list(self._failures_by_key.get(fn.arn, ()))
        for v in fn.versions:
            out += self._failures_by_key.get(v.arn, [])
        for a in fn.aliases:
            out += self._failures_by_key.get(a.arn, [])
        return out

    def _function_row(self, fn: Function) -> tuple[Text, Entry, str]:
        label = function_label(fn, self._fn_failures(fn), show_region=self._multi_region)
        if self.state.whatif.edits and any(
            self.state.is_edited(ref)
            for ref in [
                PolicyRef("function-policy", fn.arn),
                *(PolicyRef("version-policy", v.arn) for v in fn.versions),
                *(PolicyRef("alias-policy", a.arn) for a in fn.aliases),
            ]
        ):
            label.append(" ✎edited", style="bold magenta")
        self._badge(label, fn.arn)
        extra = " ".join([fn.role or "", *(a.name for a in fn.aliases)])
        return label, Entry("function", fn.arn, fn), extra

    def _layer_row(self, layer: Layer) -> tuple[Text, Entry, str]:
        label = plain(layer.name, "bold")
        label.append(f"  {len(layer.versions)} version{'s' if len(layer.versions) != 1 else ''}", style="dim")
        label.append(f"  {inert(layer.region)}", style="dim")
        reason = layer.versions_unknown or next(
            (v.policy.unknown for v in layer.versions if v.policy.unknown), None
        )
        if reason:
            label.append_text(Text(f" ? unknown: {short_reason(reason)}", style="bold yellow"))
        self._badge(label, layer.arn)
        return label, Entry("layer", layer.arn, layer), ""

    def _function_children(self, entry: Entry) -> Iterable[tuple[Text, Entry, bool]]:
        fn = self.state.fold.functions.get(entry.key, entry.obj)
        if not isinstance(fn, Function):
            return
        if fn.details_unknown:
            yield (
                Text(f"? versions/aliases unknown: {short_reason(fn.details_unknown)}", style="bold yellow"),
                Entry("info", ""),
                False,
            )
        for alias in fn.aliases:
            label = plain(f"alias {alias.name}", "cyan")
            label.append(f" → {inert(alias.function_version)}", style="dim")
            if alias.policy.unknown:
                label.append(f" ? unknown: {short_reason(alias.policy.unknown)}", style="bold yellow")
            elif alias.policy.document is not None:
                label.append("  policy", style="dim")
            if fn.urls and any(u.qualifier == alias.name for u in fn.urls):
                label.append("  URL", style="magenta")
            yield label, Entry("alias", alias.arn, alias, fn), False
        for version in fn.versions:
            label = plain(f"version {version.version}")
            if version.policy.unknown:
                label.append(f" ? unknown: {short_reason(version.policy.unknown)}", style="bold yellow")
            elif version.policy.document is not None:
                label.append("  policy", style="dim")
            yield label, Entry("version", version.arn, version, fn), False
        if not fn.aliases and not fn.versions and not fn.details_unknown:
            yield Text("no published versions or aliases", style="dim italic"), Entry("info", ""), False
        yield from self._mapping_children(fn)

    def _mapping_children(self, fn: Function) -> Iterable[tuple[Text, Entry, bool]]:
        """The function's event source mappings (Lambda polls each source with the function's role)."""
        region = next((r for r in self.state.inventory.event_source_mappings if r.region == fn.region), None)
        if region is None:
            if self.state.loading:
                note = Text("… event source mappings not listed yet", style="dim italic")
                yield note, Entry("info", ""), False
            return
        if region.unknown is not None:
            label = Text(
                f"? event source mappings unknown: {short_reason(region.unknown)}", style="bold yellow"
            )
            yield label, Entry("info", ""), False
            return
        for m in region.mappings:
            if ":".join(m.function_arn.split(":")[:7]) == fn.arn:
                yield mapping_label(m), Entry("mapping", mapping_key(m), m, fn), False

    def _refresh_expanded_functions(self) -> None:
        """The rows of expanded functions again (their Region's mappings were listed)."""
        pane = self.pane("functions")
        functions = self.state.fold.functions
        pane.upsert(
            self._function_row(functions[key])
            for key, node in list(pane.nodes.items())
            if node.is_expanded and key in functions
        )

    def _layer_children(self, entry: Entry) -> Iterable[tuple[Text, Entry, bool]]:
        layer = self.state.fold.layers.get(entry.key, entry.obj)
        if not isinstance(layer, Layer):
            return
        for lv in sorted(layer.versions, key=lambda v: -v.version):
            yield layer_version_label(lv), Entry("layer_version", lv.arn, lv, layer), False

    def _refresh_roles(self) -> None:
        inv = self.state.fold
        counts: dict[str, int] = {}
        for fn in inv.functions.values():
            if fn.role:
                counts[fn.role] = counts.get(fn.role, 0) + 1
        roles = sorted(inv.roles, key=lambda r: (0 if counts.get(r.arn) else 1, r.name.lower()))
        rows = []
        for r in roles:
            label = role_label(r, counts.get(r.arn, 0))
            self._badge(label, r.arn)
            rows.append((label, Entry("role", r.arn, r), r.path))
        self.pane("roles").replace_all(rows)

    def _refresh_principals(self) -> None:
        self._principals_worker(self._principals_asked.next(), self.state.inventory)

    @work(thread=True, exclusive=True, group="principals", exit_on_error=False)
    def _principals_worker(self, request: int, inv: Inventory) -> None:
        from ...analysis import api

        rows = tuple(principal_row(p, inv.account_id) for p in api.named_principals(inv))
        self.post_message(PrincipalsReady(request, rows))

    @on(PrincipalsReady)
    def _set_principals(self, message: PrincipalsReady) -> None:
        if not self._principals_asked.is_current(message.request):
            return  # rows of an inventory since replaced (a reload, an edit)
        pane = self.pane("principals")
        pane.set_empty_note("no principal is named in any resource or trust policy")
        pane.replace_all(message.rows)

    def refresh_rows(self) -> None:
        """Re-label every function row (after a what-if edit or reset); the findings follow the edits."""
        self.pane("functions").upsert(self._function_row(f) for f in self.state.fold.functions.values())
        if self.state.fold.final is not None:
            self._refresh_findings()

    # -- findings -----------------------------------------------------------------------------------------
    def _refresh_findings(self) -> None:
        self.findings_pane.set_state("computing findings…")
        self._findings_worker(self._findings_asked.next(), self.state.inventory)

    @work(thread=True, exclusive=True, group="findings", exit_on_error=False)
    def _findings_worker(self, request: int, inv: Inventory) -> None:
        from ...analysis import api

        self.post_message(FindingsReady(request, api.account_findings(inv), inv.account_id))

    @on(FindingsReady)
    def _set_findings(self, message: FindingsReady) -> None:
        if not self.app.screen_stack or not self._findings_asked.is_current(message.request):
            return  # the app is closing, or the findings of an inventory since replaced
        report = message.report
        self.findings_pane.set_findings(report.findings, report.unknown, message.account)
        self.finding_badges = badge_counts(report.findings)
        self.pane("functions").upsert(self._function_row(f) for f in self.state.fold.functions.values())
        self.pane("layers").upsert(self._layer_row(x) for x in self.state.fold.layers.values())
        self._refresh_roles()

    def _badge(self, label: Text, arn: str) -> None:
        count = self.finding_badges.get(arn, 0)
        if count:
            label.append(f" ⚑{count} finding{'s' if count != 1 else ''}", style="bold red")

    @on(FindingsPane.SimulateProof)
    def _simulate_proof(self, message: FindingsPane.SimulateProof) -> None:
        self.app.push_screen(SimulatorScreen(**message.prefill))

    # -- header -------------------------------------------------------------------------------------------
    def update_header(self, failed: str | None = None) -> None:
        header = self.query_one(StatusHeader)
        inv = self.state.fold.final
        source = self.state.source_label
        account = inv.account_id if inv is not None else self.state.base_inventory.account_id
        regions = inv.regions if inv is not None else self.state.fold.regions
        age = None
        if inv is not None and source.startswith("snapshot"):
            age = age_words(inv.captured_at, self.state.now())
        header.set_source(source, account, regions, age)
        done, total = self.state.fold.progress_totals()
        if failed:
            state: str | None = "✘ load failed"
        elif self.state.loading:
            n = len(self.state.fold.functions)
            state = f"loading… {done}/{total}" if total else f"loading… {n} functions"
            if self.state.fold.waiting is not None:
                state += f" · {inert(waiting_words(self.state.fold.waiting))}"
        else:
            state = None
        edited = len(self.state.whatif.edits)
        header.set_badges(loading=state, edited=edited, failures=len(self.state.fold.failures))
        header.set_progress(done, total, loading=self.state.loading)

    # -- selection and detail -----------------------------------------------------------------------------
    @on(ResourcePane.EntryHighlighted)
    def _entry_highlighted(self, message: ResourcePane.EntryHighlighted) -> None:
        if not self.app.screen_stack:
            return  # the app is closing: a list re-ordered at the end of the load may still announce its row
        if message.pane is not self.active_pane():
            return  # a hidden pane placing its first cursor is not a selection
        entry = message.entry
        if entry is not None and self.current is not None and entry.key == self.current.key:
            return  # the row on screen announced again (a link put the cursor on it): nothing to redraw
        self.current = entry
        if self._detail_timer is not None:
            self._detail_timer.stop()
        # Rendering a big policy per keypress would lag j/k; render once the cursor rests.
        self._detail_timer = self.set_timer(0.05, self._refresh_current_entry)

    @on(ResourcePane.EntryChosen)
    def _entry_chosen(self, message: ResourcePane.EntryChosen) -> None:
        self.current = message.entry
        self._refresh_current_entry()
        self.add_class("show-detail")
        if self.has_class("narrow"):
            self.detail.focus()

    def _refresh_current_entry(self, keep_scroll: bool = False) -> None:
        if not self.app.is_running or not self.app.screen_stack:
            return
        entry = self.current
        if entry is not None:
            entry = self._fresh(entry)
        inv = self.state.inventory
        extras = self._extras_for(entry, inv)
        self.detail.show(
            render_entry(entry, inv, raw=self.policy_mode(), edited=self.state.is_edited, extras=extras),
            keep_scroll=keep_scroll,
        )

    # -- a function's needs, triggers and async invoke configs ---------------------------------------------
    def _current_function(self) -> str | None:
        """The ARN of the function whose detail (or one of whose mappings) is on screen."""
        entry = self.current
        if entry is None:
            return None
        if entry.kind == "function":
            return entry.key
        if entry.kind == "mapping" and isinstance(entry.parent, Function):
            return entry.parent.arn
        return None

    def _extras_for(self, entry: Entry | None, inv: Inventory) -> FunctionExtras:
        """The answers of the function on screen: decided in a worker, decided again when the inventory
        changed (the previous ones shown meanwhile); its async invoke configs read once, on demand."""
        arn = self._current_function()
        if entry is None or arn is None:
            return FunctionExtras()
        fn = next((f for f in inv.functions if f.arn == arn), None)
        if fn is None:
            return FunctionExtras()
        self._read_invoke_configs_of(fn)
        held = self._answers.get(arn)
        fresh = held is not None and held[0] is inv
        if not fresh:
            self._answers_worker(inv, arn)
        reading = None
        if arn in self._invoke_reading:
            reading = "reading its asynchronous invocation destinations (ListFunctionEventInvokeConfigs)…"
        return FunctionExtras(
            answers=held[1] if held is not None else None,
            updating=held is not None and not fresh,
            reading=reading,
            principals=[e[1].obj for e in self.pane("principals").entries.values()],
        )

    @work(thread=True, exclusive=True, group="function-answers", exit_on_error=False)
    def _answers_worker(self, inv: Inventory, arn: str) -> None:
        from ...analysis import api

        answers = FunctionAnswers(api.function_needs(inv, arn), api.function_triggers(inv, arn))
        self.post_message(FunctionAnswersReady(inv, arn, answers))

    @on(FunctionAnswersReady)
    def _set_answers(self, message: FunctionAnswersReady) -> None:
        inv, arn = message.inventory, message.arn
        if not self.app.screen_stack:
            return  # the app is closing
        held = self._answers.get(arn)
        if held is not None and held[0] is self.state.inventory and held[0] is not inv:
            return  # late: the answers over the inventory on screen are held already
        # Answers over older inventories are dropped: they would keep those inventories alive.
        self._answers = {k: v for k, v in self._answers.items() if v[0] is inv}
        self._answers[arn] = (inv, message.answers)
        if self._current_function() == arn:
            self._refresh_current_entry(keep_scroll=True)

    def _read_invoke_configs_of(self, fn: Function) -> None:
        """Start reading ``fn``'s async invoke configs if nothing says what they are yet: once per load,
        after it (the load's own final inventory would replace what was read during it)."""
        read = self.state.read_invoke_configs
        if (
            read is None
            or self.state.fold.final is None
            or fn.event_invoke_configs is not None
            or fn.event_invoke_configs_unknown is not None
            or fn.arn in self._invoke_asked
        ):
            return
        self._invoke_asked.add(fn.arn)
        self._invoke_reading.add(fn.arn)
        self._invoke_configs_worker(read, fn, self.state.generation)

    @work(thread=True, group="invoke-configs", exit_on_error=False)
    def _invoke_configs_worker(self, read: backend.InvokeConfigReader, fn: Function, generation: int) -> None:
        events: list[LoadEvent] = []
        try:
            result = read(fn, events.append)
        except Exception as exc:  # noqa: BLE001 - a source that cannot read them: they are unknown, and why
            result = replace(fn, event_invoke_configs_unknown=f"cannot read them: {exc}")
        self.post_message(InvokeConfigsRead(result, tuple(events), generation))

    @on(InvokeConfigsRead)
    def _set_invoke_configs(self, message: InvokeConfigsRead) -> None:
        fn, generation = message.function, message.generation
        self._invoke_reading.discard(fn.arn)
        if not self.app.screen_stack or generation != self.state.generation:
            return  # closing, or a reload started since
        self.state.update_function(fn, message.events, generation)
        self._refresh_findings()  # a destination read now is a need, and may be an unmet one

    def _fresh(self, entry: Entry) -> Entry:
        """The entry with its record as it is now (after streaming updates or what-if edits)."""
        inv = self.state.inventory
        if entry.kind == "function":
            fn = next((f for f in inv.functions if f.arn == entry.key), None)
            return replace(entry, obj=fn) if fn else entry
        if entry.kind in ("version", "alias"):
            parent = entry.parent.arn if isinstance(entry.parent, Function) else None
            fn = next((f for f in inv.functions if f.arn == parent), None)
            if fn:
                items = fn.versions if entry.kind == "version" else fn.aliases
                obj = next((x for x in items if x.arn == entry.key), entry.obj)
                return replace(entry, obj=obj, parent=fn)
        if entry.kind in ("layer", "layer_version"):
            for layer in inv.layers:
                if layer.arn == entry.key:
                    return replace(entry, obj=layer)
                for lv in layer.versions:
                    if lv.arn == entry.key:
                        return replace(entry, obj=lv, parent=layer)
        if entry.kind == "role":
            role = next((r for r in inv.roles if r.arn == entry.key), None)
            return replace(entry, obj=role) if role else entry
        if entry.kind == "mapping" and isinstance(entry.parent, Function):
            fn = next((f for f in inv.functions if f.arn == entry.parent.arn), entry.parent)
            region = next((r for r in inv.event_source_mappings if r.region == fn.region), None)
            mapping = (
                next((m for m in region.mappings if mapping_key(m) == entry.key), None) if region else None
            )
            return replace(entry, obj=mapping or entry.obj, parent=fn)
        return entry

    def policy_mode(self) -> str:
        """How the detail shows policies: raw JSON, a table (wide) or one block per statement (narrow)."""
        if self.raw:
            return "json"
        return "cards" if self.app.size.width < 150 else "table"

    def selected_entry(self) -> Entry | None:
        """The current selection, fresh."""
        return self._fresh(self.current) if self.current is not None else None

    # Explorer actions make no sense over the simulator or who-can screens; there they are hidden.
    # -- actions ------------------------------------------------------------------------------------------
    def action_focus_pane(self, name: str) -> None:
        """Show a pane and focus its list."""
        self.remove_class("show-detail")
        self.query_one("#panes", TabbedContent).active = name
        if name == "findings":
            self.findings_pane.table.focus()
            return
        self.pane(name).rows_tree.focus()
        self.current = self.pane(name).selected()
        self._refresh_current_entry()

    @on(TabbedContent.TabActivated)
    def _tab_activated(self, event: TabbedContent.TabActivated) -> None:
        if self._findings_shown():
            return
        if self._tab_by_link is not None and event.pane.id == self._tab_by_link:
            self._tab_by_link = None
            return  # a link showed this tab with the row it leads to: that row is on screen already
        pane = self.active_pane()
        self.current = pane.selected()
        self._refresh_current_entry()

    def action_focus_next(self) -> None:
        """Tab: move focus on (the list, the detail). The binding is this screen's, so the action is too:
        Textual's ``focus_next`` action is the app's, and a screen binding does not reach it."""
        self.focus_next()

    def action_filter(self) -> None:
        """Filter the focused list as you type."""
        self.remove_class("show-detail")
        if self._findings_shown():
            self.findings_pane.action_filter()
            return
        self.active_pane().open_filter()

    def action_go_back(self) -> None:
        """Esc: back to where a link was followed from, leave the detail (narrow), or clear the filter."""
        if self._history and self.focused is self.detail:
            self._go_back()
            return
        if self.has_class("show-detail") and self.has_class("narrow"):
            self.remove_class("show-detail")
            self.active_pane().rows_tree.focus()
            return
        if self._findings_shown():
            self.findings_pane.clear_filter()
            return
        pane = self.active_pane()
        if pane.clear_filter():
            return
        if self.focused is self.detail:
            pane.rows_tree.focus()

    # -- rows of the detail: links and questions ------------------------------------------------------------
    @on(DetailView.RowChosen)
    def _row_chosen(self, message: DetailView.RowChosen) -> None:
        target = message.target
        if isinstance(target, Ask):
            q = target.question
            self.app.push_screen(
                SimulatorScreen(
                    principal=q.principal, action=q.action, resource=q.resource, context=dict(q.context)
                )
            )
            return
        here = self._place()
        if self._go_to(target.pane, target.key, target.within) and here is not None:
            self._history.append((*here, target))

    def _place(self) -> tuple[str, str, str | None] | None:
        """The visible list, the entry on screen and its top-level row."""
        entry = self.current
        if entry is None or self._findings_shown():
            return None
        pane = self.query_one("#panes", TabbedContent).active or "functions"
        parent = entry.parent
        within = parent.arn if isinstance(parent, (Function, Layer)) else None
        return pane, entry.key, within

    def _go_to(self, pane_name: str, key: str, within: str | None) -> bool:
        """Show the row ``key`` of a list (a child of ``within``) and its detail; the detail keeps focus."""
        pane = self.pane(pane_name)
        if (within or key) not in pane.entries:
            self.notify(f"{key} is not in the {pane.title} list.", severity="warning")
            return False
        tabs = self.query_one("#panes", TabbedContent)
        if tabs.active != pane_name:
            self._tab_by_link = pane_name
            tabs.active = pane_name
        entry = pane.reveal(key, within)
        if entry is None:
            self.notify(f"{key} is not in the {pane.title} list.", severity="warning")
            return False
        self.current = entry
        self._refresh_current_entry()
        self.add_class("show-detail")
        self.detail.focus()
        return True

    def _go_back(self) -> None:
        pane, key, within, target = self._history.pop()
        if self._go_to(pane, key, within):
            self.detail.select_target(target)  # the row the link was followed from

    def action_toggle_raw(self) -> None:
        """Switch the detail between statement tables and raw JSON."""
        self.raw = not self.raw
        self._refresh_current_entry()

    def action_copy_arn(self) -> None:
        """Copy the selected ARN to the clipboard (OSC 52)."""
        entry = self.selected_entry()
        copy_text(self.app, entry.key if entry is not None else "")

    def action_reload(self) -> None:
        """Load the inventory again (what-if edits are kept)."""
        self.notify("Reloading…", markup=False)
        self.state.start_load()

    def action_simulate(self) -> None:
        """Open the simulator, prefilled from the selection (a named principal as the caller standing
        for it: the public as an anonymous caller, an organization with its ``aws:PrincipalOrgID``)."""
        entry = self.selected_entry()
        principal, action, resource = prefill_for(entry)
        context: dict[str, Any] = {}
        if entry is not None and entry.kind == "principal":
            caller = self._caller(entry, "The simulator")
            if caller is None:
                return
            principal, context = caller.principal, dict(caller.context)
        self.app.push_screen(
            SimulatorScreen(principal=principal, action=action, resource=resource, context=context)
        )

    def _caller(self, entry: Entry, question: str) -> Caller | None:
        """Whom to ask about for a row of the Principals list; None (and why, in a toast) if no one."""
        named = entry.obj
        if not isinstance(named, NamedPrincipal):
            return Caller(entry.key, entry.key)
        caller = caller_of(named)
        if isinstance(caller, Caller):
            return caller
        self.notify(
            not_a_caller_words(caller, named.principal),
            title=f"{question} does not apply here",
            severity="warning",
            markup=False,
        )
        return None

    def action_who_can(self) -> None:
        """Who can act on the selected resource; for a role or principal, what it can do."""
        entry = self.selected_entry()
        if entry is None:
            self.notify("Select a function, alias, version, layer version or role first.", severity="warning")
            return
        if entry.kind == "role":
            self.app.push_screen(WhatCanScreen(Caller(entry.key, entry.key)))
        elif entry.kind == "principal":
            caller = self._caller(entry, "What-can")
            if caller is not None:
                self.app.push_screen(WhatCanScreen(caller))
        elif entry.kind in ("function", "version", "alias", "layer_version"):
            action = "lambda:GetLayerVersion" if entry.kind == "layer_version" else "lambda:InvokeFunction"
            self.app.push_screen(WhoCanScreen(action=action, resource=entry.key))
        elif entry.kind == "layer" and isinstance(entry.obj, Layer) and entry.obj.versions:
            # Layer permissions live on versions: ask about the newest one.
            newest = max(entry.obj.versions, key=lambda v: v.version)
            self.app.push_screen(WhoCanScreen(action="lambda:GetLayerVersion", resource=newest.arn))
        else:
            self.notify("Who-can works on a function, alias, version or layer version.", severity="warning")

    def action_edit_policy(self) -> None:
        """Edit one of the selected item's policies (what-if: nothing is sent to AWS)."""
        entry = self.selected_entry()
        if entry is None:
            self.notify("Select a function, layer version or role first.", severity="warning")
            return
        pick_and_edit(self.app, owner_keys(entry), self.state.apply_edit)

    def action_reset_edits(self) -> None:
        """Forget every what-if edit."""
        self.state.forget_edits()

    def after_edit(self) -> None:
        """A what-if edit was saved, reverted or reset: the header, the detail and the rows follow."""
        self.update_header()
        self._refresh_current_entry(keep_scroll=True)
        self.refresh_rows()


def owner_keys(entry: Entry) -> list[str]:
    """The ARNs whose policies the editor may offer for an entry."""
    obj = entry.obj
    if entry.kind == "function" and isinstance(obj, Function):
        return [obj.arn, *(v.arn for v in obj.versions), *(a.arn for a in obj.aliases)]
    if entry.kind == "layer" and isinstance(obj, Layer):
        return [lv.arn for lv in obj.versions]
    if entry.kind == "role" and isinstance(obj, Role):
        keys = [entry.key, *obj.managed_policy_arns]
        if obj.boundary_arn:
            keys.append(obj.boundary_arn)
        return keys
    return [entry.key]


def prefill_for(entry: Entry | None) -> tuple[str, str, str]:
    """Simulator inputs for a selection: a resource with ``lambda:InvokeFunction``, or a role as principal."""
    if entry is None:
        return "", "lambda:InvokeFunction", ""
    if entry.kind in ("function", "version", "alias"):
        return "", "lambda:InvokeFunction", entry.key
    if entry.kind in ("layer", "layer_version"):
        key = entry.key
        if entry.kind == "layer" and isinstance(entry.obj, Layer) and entry.obj.versions:
            key = max(entry.obj.versions, key=lambda v: v.version).arn
        return "", "lambda:GetLayerVersion", key
    if entry.kind in ("role", "principal"):
        return entry.key, "lambda:InvokeFunction", ""
    return "", "lambda:InvokeFunction", ""


def principal_row(p: NamedPrincipal, account: str) -> tuple[Text, Entry, str]:
    """A Principals pane row from an ``analysis.principals.NamedPrincipal``: the principal's distinguishing
    end first (``arn_cell``; the detail shows it whole), then its kind and where it is named."""
    text = p.principal
    kind = p.kind
    label = Text(arn_cell(text, account), style="bold")
    if kind in ("public", "anonymous") or text in ("*", "anonymous"):
        label.append("  PUBLIC (anyone)", style="bold magenta")
    else:
        label.append(f"  {inert(kind)}", style="dim")
        if p.external:
            label.append("  external", style="yellow")
    where = p.where
    label.append(f"  in {len(where)} statement{'s' if len(where) != 1 else ''}", style="cyan")
    return label, Entry("principal", text, p), kind
