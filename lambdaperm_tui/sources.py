"""Opening a source: a live account, a saved snapshot or the demo account, one entry point for the CLI and
the UI.

``open_inventory`` blocks (the UI runs it in a thread worker) and reports through the same load events
(``inventory.events``) whatever the source, so screens need no special cases. This module composes
``aws`` (live loads), ``inventory.snapshot`` and ``demo``; ``aws`` itself does not depend on the demo.
"""

from __future__ import annotations

import atexit
import threading
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from .aws.source import Source, load_live
from .aws.source import read_event_invoke_configs as _read_live_invoke_configs
from .inventory.events import (
    EventCallback,
    FailureRecorded,
    FunctionLoaded,
    FunctionsListed,
    IamLoaded,
    LayerLoaded,
    LoadFinished,
    Progress,
)
from .inventory.model import Function, Inventory

if TYPE_CHECKING:
    from .demo.server import DemoAccount


def open_inventory(
    source: Source, on_event: EventCallback | None = None, cancel: threading.Event | None = None
) -> Inventory:
    """Load the inventory of ``source``; blocking. Raises ``CredentialsError``, ``SnapshotError`` or
    ``SourceError`` with a one-line message when the source cannot be opened."""
    if source.kind == "snapshot":
        with _read_lock:
            inventory = _read_early.pop(source, None)
        if inventory is None:
            inventory = _read_snapshot(source)
        _replay(inventory, on_event)
        return inventory
    if source.kind == "demo":
        demo = start_demo()
        return load_live(
            source,
            on_event,
            cancel,
            endpoint_url=demo.endpoint_url,
            regions=source.regions or demo.regions,
            credentials=demo.credentials,
            label="demo",
        )
    return load_live(source, on_event, cancel)


# What a snapshot says of async invoke configs it was saved without: nothing can be read later.
NOT_IN_SNAPSHOT = "not in the snapshot (saved without --event-invoke-configs)"


def read_event_invoke_configs(
    source: Source, fn: Function, on_event: EventCallback | None = None, cancel: threading.Event | None = None
) -> Function:
    """``fn`` with its asynchronous invoke configs, read on demand (blocking; the UI calls it from a
    thread worker for the function it shows). A live or demo source reads them now through the clients
    of its load; a snapshot cannot read anything, so configs it lacks become unknown, saying why.
    Raises ``SourceError`` for a live or demo source not loaded in this process.
    """
    if source.kind == "snapshot":
        if fn.event_invoke_configs is not None or fn.event_invoke_configs_unknown:
            return fn
        return replace(fn, event_invoke_configs_unknown=NOT_IN_SNAPSHOT)
    return _read_live_invoke_configs(source, fn, on_event, cancel)


# Snapshots ``read_early`` read before the UI took the terminal, waiting for the UI's ``open_inventory``.
_read_early: dict[Source, Inventory] = {}
_read_lock = threading.Lock()


def _read_snapshot(source: Source) -> Inventory:
    from .inventory.snapshot import read_snapshot

    assert source.snapshot is not None
    return read_snapshot(source.snapshot)


def read_early(source: Source) -> None:
    """Read a snapshot source now, before a UI starts, so a missing or damaged file is a one-line error
    with nothing drawn; the next ``open_inventory(source)`` uses what was read (the file is read once).
    Raises ``SnapshotError``. Other sources are left alone (a live one has ``aws.source.preflight``)."""
    if source.kind != "snapshot":
        return
    inventory = _read_snapshot(source)
    with _read_lock:
        _read_early[source] = inventory


def _replay(inventory: Inventory, on_event: EventCallback | None) -> None:
    """Report a snapshot through the loader's events, so screens treat every source alike."""
    if on_event is None:
        return
    for region in inventory.regions:
        functions = tuple(f for f in inventory.functions if f.region == region)
        if functions:
            on_event(FunctionsListed(region, functions))
    others = tuple(f for f in inventory.functions if f.region not in inventory.regions)
    if others:
        on_event(FunctionsListed(others[0].region, others))
    for function in inventory.functions:
        on_event(FunctionLoaded(function))
    for layer in inventory.layers:
        on_event(LayerLoaded(layer))
    on_event(IamLoaded(inventory.roles, inventory.users, inventory.groups, inventory.managed_policies))
    for failure in inventory.failures:
        on_event(FailureRecorded(failure))
    on_event(Progress("functions", len(inventory.functions), len(inventory.functions)))
    on_event(Progress("layers", len(inventory.layers), len(inventory.layers)))
    on_event(Progress("iam", 1, 1))
    on_event(LoadFinished(inventory))


# ------------------------------------------------------------------------------------------ demo

_demo: DemoAccount | None = None
_demo_lock = threading.Lock()


def start_demo() -> DemoAccount:
    """The process's demo account, started on first use and kept alive until ``stop_demo`` (or exit)."""
    global _demo
    with _demo_lock:
        if _demo is None or not _demo.running:
            from .demo.server import DemoAccount

            demo = DemoAccount()
            demo.start()
            _demo = demo
            atexit.register(stop_demo)
        return _demo


def stop_demo() -> None:
    """Stop the demo account's server if one is running. Idempotent."""
    global _demo
    with _demo_lock:
        demo, _demo = _demo, None
    if demo is not None:
        demo.stop()


def demo_running() -> bool:
    """True while the process's demo account is running."""
    demo: Any = _demo
    return bool(demo is not None and demo.running)


__all__ = [
    "NOT_IN_SNAPSHOT",
    "demo_running",
    "open_inventory",
    "read_early",
    "read_event_invoke_configs",
    "start_demo",
    "stop_demo",
]
