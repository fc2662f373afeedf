"""Folding the loader's event stream into a partial inventory, and feeding it to the app in batches.

The loader (``sources.open_inventory``) runs in a thread and calls ``on_event`` for every record it
reads. ``LoadFeed`` queues those events and wakes the app with one message per batch, so a load of
thousands of functions costs a handful of UI updates, not thousands. ``InventoryFold`` turns the events
into an ``Inventory`` that can be shown and analysed while the load is still running.
"""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import datetime, timezone

from ..inventory.events import (
    EventCallback,
    EventSourcesListed,
    FailureRecorded,
    FunctionLoaded,
    FunctionsListed,
    IamLoaded,
    LayerLoaded,
    LoadEvent,
    LoadFinished,
    OrganizationLoaded,
    Progress,
    Waiting,
)
from ..inventory.model import (
    Failure,
    Function,
    Group,
    Inventory,
    Layer,
    ManagedPolicy,
    RegionEventSources,
    Role,
    User,
)

# What the UI needs from a source: a blocking call that streams events and returns the inventory.
LoadFunction = Callable[[EventCallback, threading.Event], Inventory]


@dataclass
class Changes:
    """What one batch of events changed, so the panes touch only those rows."""

    functions: list[str] = field(default_factory=list)  # ARNs added or updated, in arrival order
    layers: list[str] = field(default_factory=list)
    iam: bool = False
    event_sources: list[str] = field(default_factory=list)  # Regions whose mappings were listed
    failures: list[Failure] = field(default_factory=list)
    progress: bool = False
    finished: bool = False

    def __bool__(self) -> bool:
        return bool(
            self.functions
            or self.layers
            or self.iam
            or self.event_sources
            or self.failures
            or self.progress
            or self.finished
        )


class InventoryFold:
    """Accumulates loader events (``inventory.events``, matched on their classes) into a partial inventory."""

    def __init__(self, source_label: str, regions: tuple[str, ...] = ()) -> None:
        self.source_label = source_label
        self.regions = regions
        self.functions: dict[str, Function] = {}
        self.layers: dict[str, Layer] = {}
        self.roles: tuple[Role, ...] = ()
        self.users: tuple[User, ...] = ()
        self.groups: tuple[Group, ...] = ()
        self.managed: tuple[ManagedPolicy, ...] = ()
        self.event_sources: dict[str, RegionEventSources] = {}  # Region -> its mappings
        self.failures: list[Failure] = []
        self.progress: dict[str, tuple[int, int]] = {}
        self.organization: OrganizationLoaded | None = None
        self.final: Inventory | None = None
        self.waiting: Waiting | None = None  # the slow request the load reported last, if still slow
        self._cached: Inventory | None = None

    def apply(self, event: LoadEvent, changes: Changes) -> None:
        """Fold one loader event in, recording what changed."""
        self._cached = None
        match event:
            case FunctionsListed(functions=functions):
                for fn in functions:
                    if fn.arn not in self.functions:
                        self.functions[fn.arn] = fn
                        changes.functions.append(fn.arn)
            case FunctionLoaded(function=fn):
                self.functions[fn.arn] = fn
                changes.functions.append(fn.arn)
            case LayerLoaded(layer=layer):
                self.layers[layer.arn] = layer
                changes.layers.append(layer.arn)
            case IamLoaded():
                self.roles, self.users, self.groups = event.roles, event.users, event.groups
                self.managed = event.managed_policies
                changes.iam = True
            case OrganizationLoaded():
                # The organization's policy levels change every answer of the account, as IAM does.
                self.organization = event
                changes.iam = True
            case EventSourcesListed(sources=sources):
                self.event_sources[sources.region] = sources
                changes.event_sources.append(sources.region)
            case FailureRecorded(failure=failure):
                self.failures.append(failure)
                changes.failures.append(failure)
            case Progress(kind=kind, done=done, total=total):
                self.progress[kind] = (done, total)
                changes.progress = True
            case Waiting(oldest=oldest):
                self.waiting = event if oldest is not None else None
                changes.progress = True
            case LoadFinished(inventory=inv):
                self.finish(inv, changes)
            case _:
                # Every class of ``LoadEvent`` has its case above: a new one must get one too.
                raise TypeError(f"unknown load event: {type(event).__name__}")

    def finish(self, inv: Inventory, changes: Changes) -> None:
        """Take the loader's final inventory as the truth (it may hold more than the events did)."""
        self.final = inv
        self.waiting = None
        self._cached = None
        new_functions = {f.arn: f for f in inv.functions}
        changes.functions.extend(a for a, f in new_functions.items() if self.functions.get(a) is not f)
        self.functions = new_functions
        new_layers = {x.arn: x for x in inv.layers}
        changes.layers.extend(a for a, x in new_layers.items() if self.layers.get(a) is not x)
        self.layers = new_layers
        self.roles, self.users, self.groups = inv.roles, inv.users, inv.groups
        self.managed = inv.managed_policies
        self.event_sources = {r.region: r for r in inv.event_source_mappings}
        changes.event_sources.extend(self.event_sources)
        known = set(self.failures)
        changes.failures.extend(f for f in inv.failures if f not in known)
        self.failures = list(inv.failures)
        self.regions = inv.regions
        changes.iam = True
        changes.finished = True

    def inventory(self) -> Inventory:
        """The inventory as known now (the final one once the load has finished)."""
        if self.final is not None:
            return self.final
        if self._cached is None:
            org = self.organization
            accounts = [f.account for f in self.functions.values() if f.account]
            self._cached = Inventory(
                account_id=accounts[0] if accounts else "",
                regions=self.regions,
                captured_at=datetime.now(timezone.utc).isoformat(timespec="seconds"),
                source=self.source_label,
                functions=tuple(self.functions.values()),
                layers=tuple(self.layers.values()),
                roles=self.roles,
                users=self.users,
                groups=self.groups,
                managed_policies=self.managed,
                failures=tuple(self.failures),
                complete=False,
                event_source_mappings=tuple(self.event_sources.values()),
                organization_id=org.organization_id if org else None,
                scps=org.scps if org else None,
                rcps=org.rcps if org else None,
            )
        return self._cached

    def update_function(self, fn: Function, changes: Changes) -> None:
        """Put a function read again after the load (e.g. its async invoke configs, read on demand) in
        place of the one held, in the final inventory too, recording the change."""
        self.functions[fn.arn] = fn
        self._cached = None
        if self.final is not None:
            functions = tuple(fn if f.arn == fn.arn else f for f in self.final.functions)
            self.final = replace(self.final, functions=functions)
        changes.functions.append(fn.arn)

    def progress_totals(self) -> tuple[int, int]:
        """Done and total over every kind of progress reported."""
        done = sum(d for d, _ in self.progress.values())
        total = sum(t for _, t in self.progress.values())
        return done, total


def waiting_words(waiting: Waiting) -> str:
    """What a slow load waits for, for the header: "waiting 12 s for lambda:ListFunctions in us-east-1,
    5 requests in flight" (names of AWS operations, not untrusted text)."""
    oldest = waiting.oldest
    if oldest is None:
        return ""
    words = f"waiting {oldest.seconds:.0f} s for {oldest.service}:{oldest.operation} in {oldest.region}"
    if waiting.in_flight > 1:
        words += f", {waiting.in_flight} requests in flight"
    return words


class LoadFeed:
    """Thread-safe queue between the loader thread and the app: one wake-up message per batch."""

    def __init__(self, wake: Callable[[], object]) -> None:
        self._queue: deque[LoadEvent] = deque()
        self._wake = wake
        self._woken = False
        self.cancel = threading.Event()

    def on_event(self, event: LoadEvent) -> None:
        """Called by the loader thread for every event."""
        if self.cancel.is_set():
            return
        self._queue.append(event)
        if not self._woken:
            self._woken = True
            self._wake()

    def drain(self, limit: int | None = None) -> list[LoadEvent]:
        """Called on the app's thread: the events queued so far (at most ``limit``).

        When events are left over, the feed wakes the app again, so a huge backlog is applied in slices
        with the event loop free (keys, repaints) between them.
        """
        self._woken = False
        items: list[LoadEvent] = []
        while self._queue and (limit is None or len(items) < limit):
            items.append(self._queue.popleft())
        if self._queue and not self._woken:
            self._woken = True
            self._wake()
        return items
