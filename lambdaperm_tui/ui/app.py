"""The terminal explorer: the app shell (its data, the load, the keys of every screen), and ``run_app``.

The app owns the state (the inventory as loaded, what-if edits); the explorer itself is ``MainScreen``, the
default screen, and the other screens are pushed over it. The AWS loader runs in a thread worker and comes
back as messages (``LoadWake``, worker state changes), with one handler for every worker error so a failure
is a notification, never a crash.
"""

from __future__ import annotations

import dataclasses
import os
import time
from collections.abc import Callable, Iterable, Sequence
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any, ClassVar

from textual import events, on
from textual.app import App, SystemCommand
from textual.binding import Binding, BindingType
from textual.command import CommandPalette
from textual.filter import LineFilter
from textual.message import Message
from textual.notifications import SeverityLevel
from textual.screen import ModalScreen, Screen
from textual.worker import Worker, WorkerState

from ..analysis.whatif import PolicyRef, WhatIf
from ..iam.errors import InputError
from ..inventory.events import FailureRecorded, LoadEvent
from ..inventory.model import Function, Inventory
from ..inventory.text import inert
from . import backend
from .commands import binding_commands
from .keys import KeySequencer
from .loading import Changes, InventoryFold, LoadFeed, LoadFunction
from .nocolor import TerminalDefaults
from .screens.help import HelpBody, HelpScreen
from .screens.main import MainScreen
from .screens.policy_editor import EditResult, EditReverted, EditSaved, PolicyEditorScreen
from .screens.policy_picker import PickerList, PolicyPicker
from .screens.simulator import SimulatorScreen
from .screens.who_can import RowsScreen
from .state import ExplorerApp
from .widgets.detail import DetailView
from .widgets.explain_tree import ExplainTree
from .widgets.findings_pane import FindingsPane
from .widgets.panes import ResourceTree

if TYPE_CHECKING:
    from ..aws.source import Source

LOAD_SLICE = 400  # loader events applied per turn of the event loop (bounds how long one turn blocks)

# The explorer's keys that work over the other screens too: pane keys, the simulator, reload. There they
# go back to the explorer first (closing the screens above it), except where ``check_action`` says not.
EXPLORER_KEYS_EVERYWHERE = (
    "app.pane.functions",
    "app.pane.layers",
    "app.pane.roles",
    "app.pane.principals",
    "app.pane.findings",
    "app.simulate",
    "app.reload",
)


def _from_any_screen(binding: Binding) -> Binding:
    """The app's copy of an explorer binding: the same key, description and id, through ``explorer``."""
    return dataclasses.replace(binding, action=f"explorer({binding.action!r})", show=False)


APP_KEYS = [
    Binding("q", "quit", "Quit", id="app.quit", tooltip="Quit the explorer"),
    Binding("question_mark", "help", "Help", key_display="?", id="app.help", tooltip="Show every key"),
]
EVERYWHERE = [
    _from_any_screen(b)
    for b in MainScreen.BINDINGS
    if isinstance(b, Binding) and b.id in EXPLORER_KEYS_EVERYWHERE
]


class LoadWake(Message):
    """The loader thread queued events (one message per batch)."""

    def __init__(self, generation: int) -> None:
        super().__init__()
        self.generation = generation


class LambdaPermApp(App[int]):
    """Who can do what to Lambda resources: panes, detail, simulator, who-can and what-if."""

    TITLE = "lambdaperm-tui"
    CSS_PATH = "app.tcss"
    # Keys of every screen; the explorer's own keys are ``MainScreen.BINDINGS`` (on the explorer they come
    # first, so its own pane, simulator and reload keys are the ones that run there).
    BINDINGS: ClassVar[list[BindingType]] = [*APP_KEYS, *EVERYWHERE]

    def __init__(
        self,
        load: LoadFunction,
        *,
        source_label: str = "",
        regions: tuple[str, ...] = (),
        now: Callable[[], datetime] | None = None,
        mouse: bool = True,
        read_invoke_configs: backend.InvokeConfigReader | None = None,
    ) -> None:
        # Without colour, Textual's native-ANSI mode: its widgets then mark cursors with reverse video
        # (``:nocolor`` rules), and ``get_line_filters`` draws everything in the terminal's own colours.
        super().__init__(ansi_color=True if "NO_COLOR" in os.environ else None)
        self._load = load
        self._keys = KeySequencer(self)
        self.now = now or (lambda: datetime.now(timezone.utc))
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
        # The one what-if state: the inventory as loaded, the local edits, and the two combined.
        self._whatif = WhatIf(self.fold.inventory())
        # Async invoke configs are one call per function: the explorer reads them for the function it shows.
        self.read_invoke_configs = read_invoke_configs

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

    async def on_event(self, event: events.Event) -> None:
        """Every event; keys and pastes first wait until the previous key took effect (``keys``)."""
        if self._keys.hold(event):
            return
        await super().on_event(event)

    def get_system_commands(self, screen: Screen[Any]) -> Iterable[SystemCommand]:
        """The command palette: every action bound on the screen it is opened over (``commands``), and
        Textual's theme, screenshot and maximize commands (its Quit and Keys repeat ``q`` and ``?``)."""
        yield from binding_commands(screen)
        for command in super().get_system_commands(screen):
            if command.title not in ("Quit", "Keys"):
                yield command

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Where the explorer's keys do not work over another screen: in the help and the policy picker
        (Esc closes them first), in the what-if editor (its text would be lost), and ``s`` in the
        simulator (it would replace the question being asked)."""
        if action != "explorer":
            return True
        # Opened from the command palette, the question is about the screen under it.
        screen = next(s for s in reversed(self.screen_stack) if not isinstance(s, CommandPalette))
        if isinstance(screen, (ModalScreen, PolicyEditorScreen)):
            return False
        return not (isinstance(screen, SimulatorScreen) and parameters == ("simulate",))

    def get_line_filters(self) -> Sequence[LineFilter]:
        """Without colour, one filter: the terminal's default colours, bold/underline/reverse kept
        (``nocolor.TerminalDefaults``), instead of Textual's greys."""
        if self.no_color:
            return [TerminalDefaults()]
        return super().get_line_filters()

    # -- screens ------------------------------------------------------------------------------------------
    def get_default_screen(self) -> MainScreen:
        """The explorer is the bottom screen; every other screen is pushed over it."""
        return MainScreen()

    @property
    def main(self) -> MainScreen:
        """The explorer screen, whatever is pushed above it."""
        screen = self.screen_stack[0] if self.screen_stack else self.screen
        assert isinstance(screen, MainScreen)
        return screen

    def on_unmount(self) -> None:
        # Quitting (q, ctrl+q, the palette) cancels the load: its thread returns at once and abandons the
        # requests in flight (aws/loader.py), instead of holding the exit until they time out.
        if self.feed is not None:
            self.feed.cancel.set()

    @on(MainScreen.Ready)
    def _first_frame(self) -> None:
        self.first_frame_at = time.time()
        self.start_load()

    def on_resize(self, event: events.Resize) -> None:
        # The event's size, not ``self.size``: this handler runs before the app records the new size, so
        # reading it here laid the screen out for the size before (one resize behind).
        self.main.layout_for(event.size.width)

    def principal_keys(self) -> list[str]:
        """The principals named in resource and trust policies (the Principals pane's rows)."""
        return list(self.main.pane("principals").entries)

    # -- state --------------------------------------------------------------------------------------------
    @property
    def base_inventory(self) -> Inventory:
        """The inventory as loaded (partial while loading), without what-if edits."""
        return self.fold.inventory()

    @property
    def whatif(self) -> WhatIf:
        """The what-if edits over the inventory as loaded (followed as the load goes on)."""
        base = self.base_inventory
        if self._whatif.base is not base:
            self._whatif = WhatIf(base, self._whatif.edits)
        return self._whatif

    @property
    def inventory(self) -> Inventory:
        """The inventory the answers use: as loaded, with what-if edits applied."""
        return self.whatif.inventory

    def apply_edit(self, result: EditResult | None) -> None:
        """What the policy editor was left with, applied to the what-if state: a saved document becomes
        the policy's edit, a revert drops it, a cancel (or None: nothing chosen) changes nothing; then
        everything that shows policies follows."""
        if isinstance(result, EditSaved):
            try:
                self._whatif = self.whatif.edit(result.ref, result.document)
            except InputError as exc:  # the editor checked the document; the policy may be gone since
                self.notify(str(exc), title="What-if edit not kept", severity="error")
                return
            self.notify(
                f"{result.ref.label()} edited (what-if). E resets (ctrl+r in the simulator).", title="What-if"
            )
        elif isinstance(result, EditReverted) and self.whatif.is_edited(result.ref):
            self._whatif = self.whatif.reset(result.ref)
        else:
            return
        self._after_edit()

    def reset_edits(self) -> None:
        """Forget every what-if edit."""
        self._whatif = self.whatif.reset()
        self._after_edit()

    def forget_edits(self) -> None:
        """Forget every what-if edit, and say so (or that there was none)."""
        if not self.whatif.edits:
            self.notify("No what-if edits to reset.")
            return
        self.reset_edits()
        self.notify("What-if edits reset: answers use the policies as loaded.")

    def _after_edit(self) -> None:
        self.main.after_edit()

    def is_edited(self, ref: PolicyRef) -> bool:
        """Whether the policy ``ref`` has a what-if edit."""
        return self.whatif.is_edited(ref)

    # -- loading ------------------------------------------------------------------------------------------
    def start_load(self) -> None:
        """Start (or restart) the load in a thread worker."""
        if self.feed is not None:
            self.feed.cancel.set()
        self.generation += 1
        generation = self.generation
        self.fold = InventoryFold(self.source_label, self.fold.regions)
        self.feed = LoadFeed(lambda: self.post_message(LoadWake(generation)))
        self.loading = True
        self.load_started = time.perf_counter()
        self.load_seconds = None
        self.main.reset_for_load()
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
        if changes.finished:
            self.loading = False
            self.load_seconds = time.perf_counter() - self.load_started
            if self.loaded_at is None:
                self.loaded_at = time.time()
        self.main.apply_changes(changes)

    def update_function(self, fn: Function, events: Sequence[LoadEvent], generation: int) -> None:
        """A function read again after the load (its async invoke configs, on demand) and the failures
        of that read, into the inventory; nothing when a reload started since (``generation``)."""
        if generation != self.generation:
            return
        changes = Changes()
        for event in events:
            if isinstance(event, FailureRecorded):
                self.fold.apply(event, changes)
        self.fold.update_function(fn, changes)
        self._apply_changes(changes)

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        """The one place worker outcomes are handled: load results, and every worker's error (the app's
        own, and those the screens pass on: ``screens.base.ExplorerScreen``)."""
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
            self._report_worker_error(worker)

    def _report_worker_error(self, worker: Worker[Any]) -> None:
        """Tell the user a worker failed: the load (every list says so), or any other task."""
        error = worker.error
        message = str(error) or type(error).__name__
        if worker.group == "load":
            self.loading = False
            self.main.load_failed(message)
            self.notify(message, title="Load failed", severity="error", timeout=15, markup=False)
        else:
            self.notify(
                message,
                title=f"{worker.name or 'task'} failed",
                severity="error",
                timeout=10,
                markup=False,
            )

    # -- actions ------------------------------------------------------------------------------------------
    async def action_explorer(self, action: str) -> None:
        """An explorer key pressed over another screen: back to the explorer, then its action there."""
        while len(self.screen_stack) > 1:
            await self.pop_screen()
        await self.main.run_action(action)

    def action_help(self) -> None:
        """Show every key binding of this app, grouped by where it works."""
        explorer_only = [
            b for b in MainScreen.BINDINGS if isinstance(b, Binding) and b.id not in EXPLORER_KEYS_EVERYWHERE
        ]
        self.push_screen(
            HelpScreen(
                [
                    ("Everywhere", APP_KEYS),
                    (
                        "Explorer, and over the simulator, who-can and what-can (there they go back to the"
                        " explorer; not while typing in a field; s: not in the simulator)",
                        EVERYWHERE,
                    ),
                    ("Explorer", explorer_only),
                    ("Lists", ResourceTree.BINDINGS),
                    ("Detail", DetailView.BINDINGS),
                    ("Findings (5)", FindingsPane.BINDINGS),
                    ("Simulator", SimulatorScreen.BINDINGS),
                    ("Simulator explanation (ctrl+t)", ExplainTree.BINDINGS),
                    ("Who-can / what-can", RowsScreen.BINDINGS),
                    ("Policy picker", [*PolicyPicker.BINDINGS, *PickerList.BINDINGS]),
                    ("Policy editor", PolicyEditorScreen.BINDINGS),
                    ("Help", [*HelpScreen.BINDINGS, *HelpBody.BINDINGS]),
                ]
            )
        )


def _provides_explorer_state(app: LambdaPermApp) -> ExplorerApp:
    # mypy checks here that the app still provides everything the screens read through ``ExplorerApp``.
    return app


def apply_color(color: str | None) -> None:
    """Honour ``--color`` (256/16/none) and ``NO_COLOR`` before the app is created."""
    from textual import constants

    if color in ("none", "no", "off"):
        os.environ["NO_COLOR"] = "1"
    elif color == "256":
        constants.COLOR_SYSTEM = "256"  # type: ignore[misc]
    elif color in ("16", "standard"):
        constants.COLOR_SYSTEM = "standard"  # type: ignore[misc]


def make_app(source: Source, *, color: str | None = None, mouse: bool = True) -> LambdaPermApp:
    """The explorer for a ``Source``, with ``--color`` applied (16 colours: the terminal's own ANSI theme)."""
    apply_color(color)
    label, regions = backend.describe_source(source)
    app = LambdaPermApp(
        backend.make_loader(source),
        source_label=label,
        regions=regions,
        mouse=mouse,
        read_invoke_configs=backend.invoke_config_reader(source),
    )
    if color in ("16", "standard") and "ansi-dark" in app.available_themes:
        app.theme = "ansi-dark"
    return app


def run_app(source: Source, *, color: str | None = None, mouse: bool = True) -> int:
    """Run the explorer on a ``Source`` until the user quits; the exit status for the CLI."""
    app = make_app(source, color=color, mouse=mouse)
    app.run(mouse=mouse)
    return exit_status(app)


def exit_status(app: LambdaPermApp) -> int:
    """The status the explorer exits with: what it returned (0 after ``q``), or Textual's non-zero return
    code when it stopped on an unhandled error (Textual has printed the traceback)."""
    if app.return_code:
        return app.return_code
    return int(app.return_value or 0)
