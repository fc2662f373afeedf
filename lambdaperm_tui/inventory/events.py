"""What a load reports while it runs: plain records about the inventory (stdlib only).

A source (``aws.loader.Loader``, a snapshot replayed by ``aws.source``) calls ``on_event`` with these as it
reads; a screen folds them into a partial inventory (``ui.loading``) by their class. ``LoadFinished`` carries
the final inventory, which holds everything the other events said.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from .model import (
    Failure,
    Function,
    Group,
    Inventory,
    Layer,
    ManagedPolicy,
    NamedPolicy,
    RegionEventSources,
    Role,
    User,
)


@dataclass(frozen=True, slots=True)
class FunctionsListed:
    """One ``ListFunctions`` page: functions with their configuration, policies not loaded yet."""

    region: str
    functions: tuple[Function, ...]


@dataclass(frozen=True, slots=True)
class FunctionLoaded:
    """A function with everything the loader reads for it (policies may be unknown, with reasons)."""

    function: Function


@dataclass(frozen=True, slots=True)
class LayerLoaded:
    """A layer with its versions and their policies."""

    layer: Layer


@dataclass(frozen=True, slots=True)
class IamLoaded:
    """The account's IAM principals and the managed policies they use."""

    roles: tuple[Role, ...]
    users: tuple[User, ...]
    groups: tuple[Group, ...]
    managed_policies: tuple[ManagedPolicy, ...]


@dataclass(frozen=True, slots=True)
class FailureRecorded:
    """Something could not be read; the same ``Failure`` is in the final inventory."""

    failure: Failure


@dataclass(frozen=True, slots=True)
class Progress:
    """``done`` of ``total`` items of ``kind`` ("functions", "layers", "iam") are loaded so far.

    ``total`` grows while lists are still being paged.
    """

    kind: str
    done: int
    total: int


@dataclass(frozen=True, slots=True)
class OrganizationLoaded:
    """The account's organization: its id and SCP/RCP levels (root first); None for each when unknown,
    ``()`` when none apply."""

    organization_id: str | None
    scps: tuple[tuple[NamedPolicy, ...], ...] | None
    rcps: tuple[tuple[NamedPolicy, ...], ...] | None


@dataclass(frozen=True, slots=True)
class EventSourcesListed:
    """The event source mappings of one Region (or why they are unknown)."""

    sources: RegionEventSources


@dataclass(frozen=True, slots=True)
class PendingRequest:
    """A request the load sent and has no answer to yet, ``seconds`` after it was sent."""

    service: str
    operation: str
    region: str
    seconds: float


@dataclass(frozen=True, slots=True)
class Waiting:
    """The load is waiting on a slow request: ``oldest`` is the request in flight longest, ``in_flight``
    how many there are. Reported about once a second while some request has taken more than a couple of
    seconds, then once with ``oldest=None`` when none has any more."""

    oldest: PendingRequest | None
    in_flight: int


@dataclass(frozen=True, slots=True)
class LoadFinished:
    """The load ended; ``inventory.complete`` is False when cancelled or a list was not read in full."""

    inventory: Inventory


LoadEvent = (
    FunctionsListed
    | FunctionLoaded
    | LayerLoaded
    | IamLoaded
    | OrganizationLoaded
    | EventSourcesListed
    | FailureRecorded
    | Progress
    | Waiting
    | LoadFinished
)
EventCallback = Callable[[LoadEvent], None]


__all__ = [
    "EventCallback",
    "EventSourcesListed",
    "FailureRecorded",
    "FunctionLoaded",
    "FunctionsListed",
    "IamLoaded",
    "LayerLoaded",
    "LoadEvent",
    "LoadFinished",
    "OrganizationLoaded",
    "PendingRequest",
    "Progress",
    "Waiting",
]
