"""The terminal explorer: the app shell, its panes and key bindings, and ``run_app`` for the CLI.

The app owns the state (the inventory as loaded, what-if edits) and the screens; the AWS loader and the
analysis run in thread workers and come back as messages (``LoadWake``, worker state changes), with one
handler for every worker error so a failure is a notification, never a crash.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import replace
from datetime import datetime, timezone
from typing import Any, ClassVar

from rich.text import Text
from textual import events, on, work
from textual.app import App, ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal
from textual.filter import LineFilter
from textual.message import Message
from textual.notifications import SeverityLevel
from textual.screen import Screen
from textual.widgets import Footer, TabbedContent, TabPane
from textual.worker import Worker, WorkerState

from ..inventory.model import Function, Inventory, Layer
from ..inventory.text import inert
from . import backend
from .commands import ActionsProvider
from .detail import DetailView, render_entry
from .findings_pane import FindingsPane, badge_counts
from .header import StatusHeader
from .loading import Changes, InventoryFold, LoadFeed, LoadFunction
from .nocolor import TerminalDefaults
from .panes import Entry, ResourcePane
from .render import age_words, function_label, layer_version_label, plain, role_label, short_reason

PANES = ("functions", "layers", "roles", "principals")
LOAD_SLICE = 400  # loader events applied per turn of the event loop (bounds how long one turn blocks)
NARROW_WIDTH = 100  # below this the list and the detail take turns instead of sitting side by side


class LoadWake(Message):
    """The loader thread queued events (one message per batch)."""

    def __init__(self, generation: int) -> None:
        super().__init__()
        self.generation = generation


class LambdaPermApp(App[int]):
    """Who can do what to Lambda resources: panes, detail, simulator, who-can and what-if."""

    TITLE = "lambdaperm-tui"
    CSS_PATH = "app.tcss"
    COMMANDS = App.COMMANDS | {ActionsProvider}
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("q", "quit", "Quit", id="app.quit", tooltip="Quit the explorer"),
        Binding("question_mark", "help", "Help", key_display="?", id="app.help", tooltip="Show every key"),
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

    def __init__(
        self,
        load: LoadFunction,
        *,
        source_label: str = "",
        regions: tuple[str, ...] = (),
        now: Callable[[], datetime] | None = None,
        mouse: bool = True,
    ) -> None:
        # Without colour, Textual's native-ANSI mode: its widgets then mark cursors with reverse video
        # (``:nocolor`` rules), and ``get_line_filters`` draws everything in the terminal's own colours.
        super().__init__(ansi_color=True if "NO_COLOR" in os.environ else None)
        self._load = load
        self._now = now or (lambda: datetime.now(timezone.utc))
        self._mouse = mouse
        self.source_label = source_label or "inventory"
        self.fold = InventoryFold(self.source_label, regions)
        self.feed: LoadFeed | None = None
        self.generation = 0
        self.loading = True  # from the first frame until the first load ends
        self.load_started = 0.0
        self.load_seconds: float | None = None
        self.first_frame_at: float | None = None  # time.time() of the first painted frame
        self.loaded_at: float | None = None  # time.time() when the first load finished
        self.raw = False
        self.current: Entry | None = None
        self.edits: dict[Any, Any] = {}  # PolicyRef -> document (what-if)
        self.finding_badges: dict[str, int] = {}  # resource ARN -> how many findings name it
        self._edited_inv: Inventory | None = None
        self._failures_by_key: dict[str, list[str]] = {}
        self._detail_timer: Any = None
        self._multi_region = False
        self._failures_seen = 0

    def notify(
        self,
        message: str,
        *,
        title: str = "",
        severity: SeverityLevel = "information",
        timeout: float | None = None,
        markup: bool = True,
    ) -> None:
        """Every toast of the app and its screens: never markup, and inert (messages quote names,
        ARNs and AWS error text). ``markup`` is accepted for Textual's signature and ignored."""
        super().notify(
            inert(message, multiline=True),
            title=inert(title),
            severity=severity,
            timeout=timeout,
            markup=False,
        )

    def get_line_filters(self) -> Sequence[LineFilter]:
        """Without colour, one filter: the terminal's default colours, bold/underline/reverse kept
        (``nocolor.TerminalDefaults``), instead of Textual's greys."""
        if self.no_color:
            return [TerminalDefaults()]
        return super().get_line_filters()

    # -- layout -------------------------------------------------------------------------------------------
    def compose(self) -> ComposeResult:
        yield StatusHeader(id="header")
        with Horizontal(id="main"):
            with TabbedContent(id="panes", initial="functions"):
                with TabPane("1 Functions", id="functions"):
                    yield ResourcePane("Functions", self._function_children, id="pane-functions")
                with TabPane("2 Layers", id="layers"):
                    yield ResourcePane("Layers", self._layer_children, id="pane-layers")
                with TabPane("3 Roles", id="roles"):
                    yield ResourcePane("Roles", id="pane-roles")
                with TabPane("4 Principals", id="principals"):
                    yield ResourcePane("Principals", id="pane-principals")
                with TabPane("5 Findings", id="findings"):
                    yield FindingsPane(id="pane-findings")
            yield DetailView(id="detail")
        yield Footer(show_command_palette=False)

    @property
    def _main(self) -> Screen[Any]:
        # The explorer's widgets live on the bottom screen, whatever is pushed above it.
        return self.screen_stack[0] if self.screen_stack else self.screen

    def on_mount(self) -> None:
        self._update_header()
        self._layout_for(self.size.width)
        self.pane("functions").rows_tree.focus()
        self.detail.show(render_entry(None, self.inventory, raw=self.policy_mode(), edited=self.is_edited))
        # The load starts after the first frame is on screen: nothing AWS-bound happens before it.
        self.call_after_refresh(self._first_frame)

    def _first_frame(self) -> None:
        self.first_frame_at = time.time()
        self.start_load()

    def on_resize(self, event: events.Resize) -> None:
        # The event's size, not ``self.size``: this handler runs before the app records the new size, so
        # reading it here laid the screen out for the size before (one resize behind).
        self._layout_for(event.size.width)

    def _layout_for(self, width: int) -> None:
        self._main.set_class(width < NARROW_WIDTH, "narrow")

    @property
    def detail(self) -> DetailView:
        """The detail view widget."""
        return self._main.query_one("#detail", DetailView)

    def pane(self, name: str) -> ResourcePane:
        """One of the four resource panes."""
        return self._main.query_one(f"#pane-{name}", ResourcePane)

    def active_pane(self) -> ResourcePane:
        """The resource pane of the visible tab (the Functions pane while the Findings tab shows)."""
        active = self._main.query_one("#panes", TabbedContent).active or "functions"
        return self.pane("functions" if active == "findings" else active)

    @property
    def findings_pane(self) -> FindingsPane:
        """The Findings pane."""
        return self._main.query_one("#pane-findings", FindingsPane)

    def _findings_shown(self) -> bool:
        return self._main.query_one("#panes", TabbedContent).active == "findings"

    # -- state --------------------------------------------------------------------------------------------
    @property
    def base_inventory(self) -> Inventory:
        """The inventory as loaded (partial while loading), without what-if edits."""
        return self.fold.inventory()

    @property
    def inventory(self) -> Inventory:
        """The inventory the answers use: as loaded, with what-if edits applied."""
        if not self.edits:
            return self.base_inventory
        if self._edited_inv is None:
            inv = self.base_inventory
            for ref, doc in self.edits.items():
                inv = backend.replace_policy(inv, ref, doc)
            self._edited_inv = inv
        return self._edited_inv

    def set_edit(self, ref: Any, document: Any) -> None:
        """Record a what-if edit (validated by the caller) and refresh everything that shows policies."""
        self.edits[ref] = document
        self._edited_inv = None
        self._after_edit()

    def reset_edits(self) -> None:
        """Forget every what-if edit."""
        self.edits.clear()
        self._edited_inv = None
        self._after_edit()

    def _after_edit(self) -> None:
        self._update_header()
        self._refresh_current_entry(keep_scroll=True)
        self.refresh_rows()

    def is_edited(self, owner: str, name: str) -> bool:
        """Whether the policy ``name`` of ``owner`` (an ARN) has a what-if edit."""
        return any(ref_matches(ref, owner, name) for ref in self.edits)

    # -- loading ------------------------------------------------------------------------------------------
    def start_load(self) -> None:
        """Start (or restart) the load in a thread worker."""
        if self.feed is not None:
            self.feed.cancel.set()
        self.generation += 1
        generation = self.generation
        self.fold = InventoryFold(self.source_label, self.fold.regions)
        self._multi_region = False
        self._edited_inv = None
        self._failures_by_key = {}
        self._failures_seen = 0
        self.feed = LoadFeed(lambda: self.post_message(LoadWake(generation)))
        self.loading = True
        self.load_started = time.perf_counter()
        self.load_seconds = None
        for name in PANES:
            pane = self.pane(name)
            pane.reset()
            pane.set_empty_note("loading…")
        self._update_header()
        feed = self.feed
        load = self._load
        self.run_worker(
            lambda: load(feed.on_event, feed.cancel),
            name=f"load-{generation}",
            group="load",
            thread=True,
            exclusive=True,
            exit_on_error=False,
        )

    @on(LoadWake)
    def _on_load_wake(self, message: LoadWake) -> None:
        if message.generation != self.generation or self.feed is None:
            return
        changes = Changes()
        for event in self.feed.drain(limit=LOAD_SLICE):
            self.fold.apply(event, changes)
        self._apply_changes(changes)

    def _apply_changes(self, changes: Changes) -> None:
        if not changes:
            return
        self._edited_inv = None
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
            regions = {f.region for f in self.fold.functions.values()}
            if len(regions) > 1:
                # A second region appeared: every row now says its region.
                self._multi_region = True
                changes.functions = list(self.fold.functions)
        if changes.functions:
            rows = [
                self._function_row(self.fold.functions[a])
                for a in dict.fromkeys(changes.functions)
                if a in self.fold.functions
            ]
            self.pane("functions").upsert(rows)
        if changes.layers:
            self.pane("layers").upsert(
                self._layer_row(self.fold.layers[a])
                for a in dict.fromkeys(changes.layers)
                if a in self.fold.layers
            )
        if changes.failures:
            self._badge_failures(changes.failures)
        if changes.iam or changes.finished:
            self._refresh_roles()
        if changes.finished:
            self._finish_load()
        self._update_header()
        if self.current is not None and (
            changes.iam
            or self.current.key in changes.functions
            or self.current.key in changes.layers
            or changes.finished
        ):
            self._refresh_current_entry(keep_scroll=True)

    def _badge_failures(self, failures: Iterable[Any]) -> None:
        keys = {f.resource for f in failures}
        fn_rows = [self._function_row(self.fold.functions[k]) for k in keys if k in self.fold.functions]
        if fn_rows:
            self.pane("functions").upsert(fn_rows)

    def _finish_load(self) -> None:
        self.loading = False
        self.load_seconds = time.perf_counter() - self.load_started
        if self.loaded_at is None:
            self.loaded_at = time.time()
        for name, note in (("functions", "no functions"), ("layers", "no layers"), ("roles", "no roles")):
            self.pane(name).flush()
            self.pane(name).set_empty_note(note)
        # Rows arrived in the order regions answered, which differs from run to run: once everything is
        # in, the lists follow the source's region order (as the header lists them), then the name.
        rank = {region: i for i, region in enumerate(self.fold.regions)}

        def order(region: str, name: str, arn: str) -> tuple[int, str, str, str, str]:
            return (rank.get(region, len(rank)), region, name.lower(), name, arn)

        fns = sorted(self.fold.functions.values(), key=lambda f: order(f.region, f.name, f.arn))
        self.pane("functions").reorder(f.arn for f in fns)
        layers = sorted(self.fold.layers.values(), key=lambda x: order(x.region, x.name, x.arn))
        self.pane("layers").reorder(x.arn for x in layers)
        self._refresh_principals()
        self._refresh_findings()

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        """The one place worker outcomes are handled: load results, and every worker's error."""
        worker = event.worker
        if worker.group == "load" and worker.name != f"load-{self.generation}":
            return
        if event.state == WorkerState.SUCCESS and worker.group == "load":
            result = worker.result
            if isinstance(result, Inventory) and self.fold.final is None:
                changes = Changes()
                if self.feed is not None:
                    for ev in self.feed.drain():
                        self.fold.apply(ev, changes)
                self.fold.finish(result, changes)
                self._apply_changes(changes)
        elif event.state == WorkerState.ERROR:
            error = worker.error
            message = str(error) or type(error).__name__
            if worker.group == "load":
                self.loading = False
                for name in PANES:
                    self.pane(name).set_empty_note(f"load failed: {message}")
                self._update_header(failed=message)
                self.notify(message, title="Load failed", severity="error", timeout=15, markup=False)
            else:
                self.notify(
                    message,
                    title=f"{worker.name or 'task'} failed",
                    severity="error",
                    timeout=10,
                    markup=False,
                )

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
        if self.edits and any(
            self.is_edited(q, "policy")
            for q in [fn.arn, *(v.arn for v in fn.versions), *(a.arn for a in fn.aliases)]
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
        fn = self.fold.functions.get(entry.key, entry.obj)
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

    def _layer_children(self, entry: Entry) -> Iterable[tuple[Text, Entry, bool]]:
        layer = self.fold.layers.get(entry.key, entry.obj)
        if not isinstance(layer, Layer):
            return
        for lv in sorted(layer.versions, key=lambda v: -v.version):
            yield layer_version_label(lv), Entry("layer_version", lv.arn, lv, layer), False

    def _refresh_roles(self) -> None:
        inv = self.fold
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
        self._principals_worker(self.inventory)

    @work(thread=True, exclusive=True, group="principals", exit_on_error=False)
    def _principals_worker(self, inv: Inventory) -> None:
        try:
            principals = backend.named_principals(inv)
        except backend.AnalysisUnavailable as exc:
            self.call_from_thread(self.pane("principals").set_empty_note, str(exc))
            return
        rows = [principal_row(p) for p in principals]
        self.call_from_thread(self._set_principals, rows)

    def _set_principals(self, rows: list[tuple[Text, Entry, str]]) -> None:
        pane = self.pane("principals")
        pane.set_empty_note("no principal is named in any resource or trust policy")
        pane.replace_all(rows)

    def refresh_rows(self) -> None:
        """Re-label every function row (after a what-if edit or reset); the findings follow the edits."""
        self.pane("functions").upsert(self._function_row(f) for f in self.fold.functions.values())
        if self.fold.final is not None:
            self._refresh_findings()

    # -- findings -----------------------------------------------------------------------------------------
    def _refresh_findings(self) -> None:
        self.findings_pane.set_state("computing findings…")
        self._findings_worker(self.inventory)

    @work(thread=True, exclusive=True, group="findings", exit_on_error=False)
    def _findings_worker(self, inv: Inventory) -> None:
        try:
            report = backend.findings(inv)
        except backend.AnalysisUnavailable as exc:
            self.call_from_thread(self.findings_pane.set_state, str(exc))
            return
        self.call_from_thread(self._set_findings, report, inv.account_id)

    def _set_findings(self, report: Any, account: str) -> None:
        if not self.screen_stack:
            return  # the app is closing
        self.findings_pane.set_findings(report.findings, report.unknown, account)
        self.finding_badges = badge_counts(report.findings)
        self.pane("functions").upsert(self._function_row(f) for f in self.fold.functions.values())
        self.pane("layers").upsert(self._layer_row(x) for x in self.fold.layers.values())
        self._refresh_roles()

    def _badge(self, label: Text, arn: str) -> None:
        count = self.finding_badges.get(arn, 0)
        if count:
            label.append(f" ⚑{count} finding{'s' if count != 1 else ''}", style="bold red")

    @on(FindingsPane.SimulateProof)
    def _simulate_proof(self, message: FindingsPane.SimulateProof) -> None:
        from .screens import SimulatorScreen

        self.push_screen(SimulatorScreen(**message.prefill))

    # -- header -------------------------------------------------------------------------------------------
    def _update_header(self, failed: str | None = None) -> None:
        header = self._main.query_one(StatusHeader)
        inv = self.fold.final
        source = self.source_label
        account = inv.account_id if inv is not None else self.base_inventory.account_id
        regions = inv.regions if inv is not None else self.fold.regions
        age = None
        if inv is not None and source.startswith("snapshot"):
            age = age_words(inv.captured_at, self._now())
        header.set_source(source, account, regions, age)
        done, total = self.fold.progress_totals()
        if failed:
            state: str | None = "✘ load failed"
        elif self.loading:
            n = len(self.fold.functions)
            state = f"loading… {done}/{total}" if total else f"loading… {n} functions"
        else:
            state = None
        header.set_badges(loading=state, edited=len(self.edits), failures=len(self.fold.failures))
        header.set_progress(done, total, loading=self.loading)

    # -- selection and detail -----------------------------------------------------------------------------
    @on(ResourcePane.EntryHighlighted)
    def _entry_highlighted(self, message: ResourcePane.EntryHighlighted) -> None:
        if not self.screen_stack:
            return  # the app is closing: a list re-ordered at the end of the load may still announce its row
        if message.pane is not self.active_pane():
            return  # a hidden pane placing its first cursor is not a selection
        self.current = message.entry
        if self._detail_timer is not None:
            self._detail_timer.stop()
        # Rendering a big policy per keypress would lag j/k; render once the cursor rests.
        self._detail_timer = self.set_timer(0.05, self._refresh_current_entry)

    @on(ResourcePane.EntryChosen)
    def _entry_chosen(self, message: ResourcePane.EntryChosen) -> None:
        self.current = message.entry
        self._refresh_current_entry()
        self._main.add_class("show-detail")
        if self._main.has_class("narrow"):
            self.detail.focus()

    def _refresh_current_entry(self, keep_scroll: bool = False) -> None:
        if not self.is_running or not self.screen_stack:
            return
        entry = self.current
        if entry is not None:
            entry = self._fresh(entry)
        self.detail.show(
            render_entry(entry, self.inventory, raw=self.policy_mode(), edited=self.is_edited),
            keep_scroll=keep_scroll,
        )

    def _fresh(self, entry: Entry) -> Entry:
        """The entry with its record as it is now (after streaming updates or what-if edits)."""
        inv = self.inventory
        if entry.kind == "function":
            fn = next((f for f in inv.functions if f.arn == entry.key), None)
            return replace(entry, obj=fn) if fn else entry
        if entry.kind in ("version", "alias"):
            fn = next((f for f in inv.functions if f.arn == getattr(entry.parent, "arn", None)), None)
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
        return entry

    def policy_mode(self) -> str:
        """How the detail shows policies: raw JSON, a table (wide) or one block per statement (narrow)."""
        if self.raw:
            return "json"
        return "cards" if self.size.width < 150 else "table"

    def selected_entry(self) -> Entry | None:
        """The current selection, fresh."""
        return self._fresh(self.current) if self.current is not None else None

    # Explorer actions make no sense over the simulator or who-can screens; there they are hidden.
    _MAIN_ONLY = frozenset(
        {
            "filter",
            "go_back",
            "simulate",
            "who_can",
            "edit_policy",
            "toggle_raw",
            "copy_arn",
            "reload",
            "focus_pane",
            "focus_next",
            "reset_edits",
        }
    )

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Hide explorer-only bindings while another screen is on top."""
        return not (action in self._MAIN_ONLY and len(self.screen_stack) > 1)

    # -- actions ------------------------------------------------------------------------------------------
    def action_focus_pane(self, name: str) -> None:
        """Show a pane and focus its list."""
        self._main.remove_class("show-detail")
        self._main.query_one("#panes", TabbedContent).active = name
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
        pane = self.active_pane()
        self.current = pane.selected()
        self._refresh_current_entry()

    def action_filter(self) -> None:
        """Filter the focused list as you type."""
        self._main.remove_class("show-detail")
        if self._findings_shown():
            self.findings_pane.action_filter()
            return
        self.active_pane().open_filter()

    def action_go_back(self) -> None:
        """Esc: leave the detail (narrow), clear the filter, or close the current screen."""
        if self._main.has_class("show-detail") and self._main.has_class("narrow"):
            self._main.remove_class("show-detail")
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

    def action_toggle_raw(self) -> None:
        """Switch the detail between statement tables and raw JSON."""
        self.raw = not self.raw
        self._refresh_current_entry()

    def action_copy_arn(self) -> None:
        """Copy the selected ARN to the clipboard (OSC 52)."""
        entry = self.selected_entry()
        if entry is None or not entry.key:
            self.notify("Nothing selected to copy.", severity="warning")
            return
        if inert(entry.key) != entry.key:
            # Pasted into a shell, a control character or a newline would run as typed: never copy one.
            self.notify(
                "Not copied: this ARN holds control or invisible characters (shown as \\x.. escapes).",
                severity="warning",
            )
            return
        self.copy_to_clipboard(entry.key)
        self.notify(entry.key, title="Copied", markup=False)

    def action_reload(self) -> None:
        """Load the inventory again (what-if edits are kept)."""
        self.notify("Reloading…", markup=False)
        self.start_load()

    def action_help(self) -> None:
        """Show every key binding of this app."""
        from .screens import HelpScreen

        self.push_screen(HelpScreen())

    def action_simulate(self) -> None:
        """Open the simulator, prefilled from the selection."""
        from .screens import SimulatorScreen

        principal, action, resource = prefill_for(self.selected_entry())
        self.push_screen(SimulatorScreen(principal=principal, action=action, resource=resource))

    def action_who_can(self) -> None:
        """Who can act on the selected resource; for a role or principal, what it can do."""
        from .screens import WhatCanScreen, WhoCanScreen

        entry = self.selected_entry()
        if entry is None:
            self.notify("Select a function, alias, version, layer version or role first.", severity="warning")
            return
        if entry.kind in ("role", "principal"):
            self.push_screen(WhatCanScreen(entry.key))
        elif entry.kind in ("function", "version", "alias", "layer_version"):
            action = "lambda:GetLayerVersion" if entry.kind == "layer_version" else "lambda:InvokeFunction"
            self.push_screen(WhoCanScreen(action=action, resource=entry.key))
        elif entry.kind == "layer" and isinstance(entry.obj, Layer) and entry.obj.versions:
            # Layer permissions live on versions: ask about the newest one.
            newest = max(entry.obj.versions, key=lambda v: v.version)
            self.push_screen(WhoCanScreen(action="lambda:GetLayerVersion", resource=newest.arn))
        else:
            self.notify("Who-can works on a function, alias, version or layer version.", severity="warning")

    def action_edit_policy(self) -> None:
        """Edit one of the selected item's policies (what-if: nothing is sent to AWS)."""
        from .screens import pick_and_edit

        entry = self.selected_entry()
        if entry is None:
            self.notify("Select a function, layer version or role first.", severity="warning")
            return
        pick_and_edit(self, owner_keys(entry))

    def action_reset_edits(self) -> None:
        """Forget every what-if edit."""
        if not self.edits:
            self.notify("No what-if edits to reset.")
            return
        self.reset_edits()
        self.notify("What-if edits reset: answers use the policies as loaded.")


def ref_matches(ref: Any, owner: str, name: str) -> bool:
    """Whether a what-if ``PolicyRef`` points at the policy ``name`` (detail-view vocabulary) of ``owner``."""
    if getattr(ref, "owner", None) != owner:
        return False
    kind = str(getattr(ref, "kind", ""))
    if name == "policy":
        return kind in ("function-policy", "alias-policy", "version-policy", "layer-version-policy")
    if name == "trust":
        return kind == "role-trust"
    if name == "managed":
        return kind == "managed"
    if name.startswith("inline/"):
        return kind.endswith("-inline") and getattr(ref, "name", None) == name.split("/", 1)[1]
    return False


def owner_keys(entry: Entry) -> list[str]:
    """The ARNs whose policies the editor may offer for an entry."""
    obj = entry.obj
    if entry.kind == "function" and isinstance(obj, Function):
        return [obj.arn, *(v.arn for v in obj.versions), *(a.arn for a in obj.aliases)]
    if entry.kind == "layer" and isinstance(obj, Layer):
        return [lv.arn for lv in obj.versions]
    if entry.kind == "role":
        keys = [entry.key]
        keys += list(getattr(obj, "managed_policy_arns", ()))
        boundary = getattr(obj, "boundary_arn", None)
        if boundary:
            keys.append(boundary)
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


def principal_row(p: Any) -> tuple[Text, Entry, str]:
    """A Principals pane row from an ``analysis.principals.NamedPrincipal``."""
    text = str(p.principal)
    kind = str(p.kind)
    label = plain(text, "bold")
    if kind in ("public", "anonymous") or text in ("*", "anonymous"):
        label.append("  PUBLIC (anyone)", style="bold magenta")
    else:
        label.append(f"  {inert(kind)}", style="dim")
        if getattr(p, "external", False):
            label.append("  external", style="yellow")
    where = tuple(getattr(p, "where", ()))
    label.append(f"  in {len(where)} statement{'s' if len(where) != 1 else ''}", style="cyan")
    return label, Entry("principal", text, p), kind


def apply_color(color: str | None) -> None:
    """Honour ``--color`` (256/16/none) and ``NO_COLOR`` before the app is created."""
    from textual import constants

    if color in ("none", "no", "off"):
        os.environ["NO_COLOR"] = "1"
    elif color == "256":
        constants.COLOR_SYSTEM = "256"  # type: ignore[misc]
    elif color in ("16", "standard"):
        constants.COLOR_SYSTEM = "standard"  # type: ignore[misc]


def make_app(source: Any, *, color: str | None = None, mouse: bool = True) -> LambdaPermApp:
    """The explorer for a ``Source``, with ``--color`` applied (16 colours: the terminal's own ANSI theme)."""
    apply_color(color)
    label, regions = backend.describe_source(source)
    app = LambdaPermApp(backend.make_loader(source), source_label=label, regions=regions, mouse=mouse)
    if color in ("16", "standard") and "ansi-dark" in app.available_themes:
        app.theme = "ansi-dark"
    return app


def run_app(source: Any, *, color: str | None = None, mouse: bool = True) -> int:
    """Run the explorer on a ``Source`` until the user quits; the exit status for the CLI."""
    app = make_app(source, color=color, mouse=mouse)
    result = app.run(mouse=mouse)
    return int(result or 0)
