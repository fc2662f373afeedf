"""Load an account's Lambda and IAM inventory concurrently, streaming what it finds.

``Loader`` is the scheduler: a thread pool, cancellation, rate limits, request counting and the load's
inventory; the reading is done by one fetcher per service (``fetch_lambda``, ``fetch_layers``, ``fetch_iam``,
``fetch_organizations``) through the ``Scheduler`` interface of ``fetching``. Fetchers report what they
read as events (``inventory.events``); the loader keeps its inventory from the same events it passes on.

Order: each Region's ``ListFunctions`` pages come first and are emitted as ``FunctionsListed`` at once (so
a list can be shown), then every function is completed on the loader's own thread pool (versions,
aliases, tags, the resource policy of the function, of each version and of each alias, URL configs);
layers and IAM load alongside, and Regions side by side. Every call is read-only (the factory's guard
refuses anything else).

Scheduling at the quota floor: with Lambda's quotas on, a load takes at least its slowest (Region, bucket)'s
calls divided by that bucket's rate (``RateLimits.floor``). A fetcher queues each Lambda request as a task
of its own in the lane of its bucket (``submit_call``); a worker takes the next task of any lane whose
bucket has a token (taking the token), round-robin over lanes, and waits only when no lane has one. So no
worker sits in one bucket's queue while another Region's or another bucket's tokens go unused, as with a
FIFO pool of whole-function tasks, where every worker could be waiting on one Region's GetPolicy bucket
while the next Region's buckets idled.

Faults never vanish: a resource whose policy cannot be read gets ``PolicySlot(unknown="<Code>: <message>")``
and a ``Failure``, and the load goes on. Every response is validated before it is used (the keys read
must be there, with the right types; a policy must parse): a truncated, garbled or malformed answer is a
``Failure`` on that resource, never an empty list or "no policy". A list that could not be read in full
(a failed or damaged page, a cancel) is an ``Unlisted`` record of the inventory, and the inventory is not
``complete``. Tags that could not be read are ``tags_unknown``, apart from versions and aliases.
"""

from __future__ import annotations

import itertools
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from dataclasses import replace
from datetime import datetime, timezone
from typing import Any

import botocore.exceptions as bce

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
    PendingRequest,
    Progress,
    Waiting,
)
from ..inventory.model import Failure, Function, Inventory, Layer, ListedKind, RegionEventSources, Unlisted
from .clients import ClientFactory
from .fetch_iam import IAM_LISTS, IamFetcher
from .fetch_lambda import LambdaFetcher
from .fetch_layers import LayerFetcher
from .fetch_organizations import OrganizationFetcher
from .fetching import (
    READ_ERRORS,
    Cancelled,
    MalformedResponse,
    excerpt,
    field_of,
    optional_of,
    parse_document,
    reason_of,
)
from .guard import ReadOnlyViolation
from .pool import DaemonPool, PoolClosed
from .ratelimit import RateLimits

# A lane of the scheduler: (Region, Lambda quota bucket), or None for tasks no quota applies to.
_Lane = tuple[str, str] | None
SLOW_REQUEST = 2.0  # seconds in flight before the load reports that it is waiting (``Waiting``)


class Loader:
    """Concurrent, cancellable, read-only loader of one account's Lambda (per Region) and IAM inventory.

    ``rate_limits``: ``None`` picks Lambda's quotas when the factory talks to AWS itself and none for a
    custom endpoint (``--quotas auto``); ``True`` applies Lambda's quotas whatever the endpoint (``aws``,
    so their effect can be measured against a local one), ``False`` none (``off``); or pass
    ``RateLimits(...)``.
    """

    SERVICES = ("lambda", "iam", "sts", "organizations")

    def __init__(
        self,
        factory: ClientFactory,
        regions: Sequence[str],
        *,
        max_workers: int = 12,
        rate_limits: RateLimits | None | bool = None,
        account_id: str | None = None,
        source: str = "",
        load_iam: bool = True,
        load_layers: bool = True,
        fetch_tags: bool = True,
        load_organization: bool = True,
        load_event_source_mappings: bool = True,
        event_invoke_configs: Sequence[str] = (),
    ) -> None:
        if max_workers < 1:
            raise ValueError("max_workers: must be at least 1")
        self.factory = factory
        self.regions: tuple[str, ...] = tuple(regions) or (factory.region,)
        self.max_workers = max_workers
        if rate_limits is None:
            self.rate_limits: RateLimits | None = RateLimits() if factory.uses_aws_endpoint else None
        elif rate_limits is True:
            self.rate_limits = RateLimits()
        elif rate_limits is False:
            self.rate_limits = None
        else:
            self.rate_limits = rate_limits
        self.account_id: str | None = account_id
        self.source = source or f"endpoint {factory.effective_endpoint()}"
        self.load_iam = load_iam
        self.load_layers = load_layers
        self.fetch_tags = fetch_tags
        # Clients are created here, on the caller's thread: the boto3 session is not thread-safe.
        factory.prepare(("lambda",), self.regions)
        factory.prepare(("iam", "sts", "organizations"), self.regions[:1])
        self.load_organization = load_organization
        # ListEventSourceMappings once per Region; ListFunctionEventInvokeConfigs only for these functions.
        self.load_event_source_mappings = load_event_source_mappings
        self.event_invoke_configs = frozenset(event_invoke_configs)
        self._mappings: dict[str, RegionEventSources] = {}

        self._lock = threading.Lock()
        self._emit_lock = threading.Lock()
        # Tasks waiting for a worker, per lane: (Region, quota bucket) of their first request, or None for
        # tasks no quota applies to (IAM, Organizations, any task of a load without quotas).
        self._lanes: dict[_Lane, deque[tuple[Callable[..., None], tuple[Any, ...]]]] = {}
        self._lanes_ready = threading.Condition(threading.Lock())
        self._turn = 0  # where the round-robin over the lanes starts
        self._local = threading.local()  # per worker: the lane whose token it took for its task
        self._pending = 0
        self._idle = threading.Condition(self._lock)
        self._crash: BaseException | None = None
        self._functions: dict[str, Function] = {}
        self._function_order: list[str] = []
        self._layers: dict[str, Layer] = {}
        self._failures: list[Failure] = []
        self._iam: IamLoaded | None = None
        self._org: OrganizationLoaded | None = None
        self._unlisted: dict[tuple[ListedKind, str | None], Unlisted] = {}
        self._listed: set[tuple[ListedKind, str | None]] = set()  # lists read to their end
        self._counts = {"functions": [0, 0], "layers": [0, 0], "iam": [0, 1 if load_iam else 0]}
        self.calls: dict[str, int] = {}  # operation -> requests made (for benchmarks and tests)
        # (Region, operation) -> Lambda requests made: what the quota buckets count (RateLimits.floor).
        self.lambda_calls: dict[tuple[str, str], int] = {}
        # Requests sent and not answered yet, so the UI can say what a slow load is waiting for.
        self._in_flight: dict[int, tuple[str, str, str, float]] = {}  # id -> service, operation, region, sent
        self._request_ids = itertools.count()
        self._waiting_reported = 0.0  # time.monotonic() of the last Waiting event (0: none is shown)

    # ---------------------------------------------------------------------------------- plumbing

    def run(self, on_event: EventCallback | None = None, cancel: threading.Event | None = None) -> Inventory:
        """Load everything; blocks until done or cancelled and returns the inventory.

        ``on_event`` is called from worker threads (never two at once). When ``cancel`` is set the load
        stops between pages/tasks and the partial inventory is returned with ``complete=False``.
        """
        self._on_event = on_event
        self._cancel = cancel or threading.Event()
        if self.account_id is None:
            self.account_id = self.factory.check_credentials()
        # Daemon workers (aws/pool.py): a cancel, a Ctrl-C or a quit returns at once, abandoning the
        # requests in flight instead of waiting out their timeouts.
        self._executor = DaemonPool(self.max_workers, "lambdaperm-load")
        try:
            if self.load_iam:
                self.submit(IamFetcher(self).load)
            if self.load_organization:
                self.submit(OrganizationFetcher(self).load)
            functions = LambdaFetcher(
                self, fetch_tags=self.fetch_tags, event_invoke_configs=self.event_invoke_configs
            )
            layers = LayerFetcher(self)
            for region in self.regions:
                self.submit_call(region, "ListFunctions", functions.list_functions, region)
                if self.load_event_source_mappings:
                    self.submit_call(
                        region, "ListEventSourceMappings", functions.list_event_source_mappings, region
                    )
                if self.load_layers:
                    self.submit_call(region, "ListLayers", layers.list_layers, region)
            while True:
                with self._idle:
                    if not self._pending or self._crash is not None or self._cancel.is_set():
                        break
                    self._idle.wait(0.1)
                self._report_waiting()
        finally:
            if self._pending:  # cancelled, crashed or interrupted: whatever still runs stops at its next call
                self._cancel.set()
            self._executor.shutdown()
        if self._crash is not None:
            raise self._crash
        inventory = self._inventory(cancelled=self._cancel.is_set())
        self.emit(LoadFinished(inventory))
        return inventory

    def read_event_invoke_configs(
        self, fn: Function, on_event: EventCallback | None = None, cancel: threading.Event | None = None
    ) -> Function:
        """``fn`` with its asynchronous invoke configs read now: one paginated
        ``ListFunctionEventInvokeConfigs``, for a screen that reads them on demand for the function it
        shows. A failure is recorded (reported to ``on_event`` as ``FailureRecorded``) and leaves them
        unknown with its reason. Not to be called while ``run`` is loading with this loader.
        """
        self._on_event = on_event
        self._cancel = cancel or threading.Event()
        return replace(fn, **LambdaFetcher(self, fetch_tags=False).read_event_invoke_configs(fn))

    def submit(self, fn: Callable[..., None], *args: Any) -> None:
        """Run ``fn(*args)`` on the load's pool (nothing once the load is cancelled)."""
        self._enqueue(None, fn, args)

    def submit_call(self, region: str, operation: str, fn: Callable[..., None], *args: Any) -> None:
        """Run ``fn(*args)``, whose first request is Lambda's ``operation`` in ``region``, once that
        request's quota bucket has a token (at once without quotas)."""
        lane = None if self.rate_limits is None else (region, self.rate_limits.bucket_name(operation))
        self._enqueue(lane, fn, args)

    def _enqueue(self, lane: _Lane, fn: Callable[..., None], args: tuple[Any, ...]) -> None:
        if self._cancel.is_set():
            return
        with self._lock:
            self._pending += 1
        with self._lanes_ready:
            self._lanes.setdefault(lane, deque()).append((fn, args))
            self._lanes_ready.notify()
        # One pool job per task; a job runs whichever task can go first, not necessarily this one.
        try:
            self._executor.submit(self._next_task)
        except PoolClosed:  # the load ended (a cancel): nothing more is started
            self._task_done()

    def _next_task(self) -> None:
        """Take the next task of a lane that can send now (taking its token) and run it."""
        while not self._cancel.is_set():
            with self._lanes_ready:
                picked, wait = self._pick()
                if picked is None:
                    self._lanes_ready.wait(wait)
                    continue
            lane, fn, args = picked
            self._local.prepaid = lane
            try:
                self._guarded(fn, *args)
            finally:
                self._local.prepaid = None
            return
        self._task_done()

    def _pick(self) -> tuple[tuple[_Lane, Callable[..., None], tuple[Any, ...]] | None, float]:
        """(lane, fn, args) of a task whose lane has a token now (taken), or None and the seconds until
        one may have; round-robin over the lanes, so no lane waits behind another's backlog."""
        lanes = [lane for lane, tasks in self._lanes.items() if tasks]
        wait = 0.1
        for i in range(len(lanes)):
            lane = lanes[(self._turn + i) % len(lanes)]
            if lane is not None and self.rate_limits is not None:
                ahead = self.rate_limits.bucket(*lane).try_acquire()
                if ahead:
                    wait = min(wait, ahead)
                    continue
            self._turn += 1
            fn, args = self._lanes[lane].popleft()
            return (lane, fn, args), 0.0
        return None, wait

    def _guarded(self, fn: Callable[..., None], *args: Any) -> None:
        try:
            if not self._cancel.is_set():
                fn(*args)
        except Cancelled:
            pass
        except BaseException as exc:  # a bug or a guard violation: stop the load and re-raise in run()
            with self._lock:
                if self._crash is None:
                    self._crash = exc
            self._cancel.set()
        finally:
            self._task_done()

    def _task_done(self) -> None:
        with self._idle:
            self._pending -= 1
            self._idle.notify_all()

    def emit(self, event: LoadEvent) -> None:
        """Keep what ``event`` reports in the load's inventory, then pass it on to ``on_event``."""
        self._keep(event)
        if self._on_event is not None:
            with self._emit_lock:
                self._on_event(event)

    def _keep(self, event: LoadEvent) -> None:
        with self._lock:
            if isinstance(event, FunctionsListed):
                for fn in event.functions:
                    if fn.arn not in self._functions:
                        self._function_order.append(fn.arn)
                    self._functions[fn.arn] = fn
            elif isinstance(event, FunctionLoaded):
                self._functions[event.function.arn] = event.function
            elif isinstance(event, LayerLoaded):
                self._layers[event.layer.arn] = event.layer
            elif isinstance(event, IamLoaded):
                self._iam = event
            elif isinstance(event, OrganizationLoaded):
                self._org = event
            elif isinstance(event, EventSourcesListed):
                self._mappings[event.sources.region] = event.sources
            elif isinstance(event, FailureRecorded):
                self._failures.append(event.failure)

    def progress(self, kind: str, done: int = 0, total: int = 0) -> None:
        """Count items of ``kind`` done, or add to their total, and report it."""
        with self._lock:
            counts = self._counts[kind]
            counts[0] += done
            counts[1] += total
            event = Progress(kind, counts[0], counts[1])
        self.emit(event)

    def fail(self, kind: str, resource: str, operation: str, exc: BaseException | str) -> str:
        """Record a ``Failure`` on ``resource`` (reported as ``FailureRecorded``); returns its reason."""
        reason = exc if isinstance(exc, str) else reason_of(exc)
        self.emit(FailureRecorded(Failure(kind=kind, resource=resource, operation=operation, reason=reason)))
        return reason

    def unlist(self, kind: ListedKind, region: str | None, reason: str) -> None:
        """The list of ``kind`` (in ``region``) could not be read in full; the first reason is kept."""
        with self._lock:
            self._unlisted.setdefault((kind, region), Unlisted(kind, region, reason))

    def listed_in_full(self, kind: ListedKind, region: str | None) -> None:
        """The list of ``kind`` (in ``region``) was read to its end."""
        with self._lock:
            self._listed.add((kind, region))

    def call(self, service: str, region: str, operation: str, **params: Any) -> Any:
        """One API call: honours cancellation and the rate limits; errors propagate to the caller."""
        if self._cancel.is_set():
            raise Cancelled
        if self.rate_limits is not None and service == "lambda":
            lane = (region, self.rate_limits.bucket_name(operation))
            if getattr(self._local, "prepaid", None) == lane:
                self._local.prepaid = None  # the scheduler took this request's token (_pick)
            elif not self.rate_limits.acquire(service, region, operation, self._cancel):
                raise Cancelled
        with self._lock:
            self.calls[operation] = self.calls.get(operation, 0) + 1
            if service == "lambda":
                self.lambda_calls[(region, operation)] = self.lambda_calls.get((region, operation), 0) + 1
            request = next(self._request_ids)
            self._in_flight[request] = (service, operation, region, time.monotonic())
        try:
            client = self.factory.client(service, region)
            method = getattr(client, _snake(operation))
            return method(**params)
        finally:
            with self._lock:
                del self._in_flight[request]

    def _report_waiting(self) -> None:
        """About once a second, say which request the load has waited on longest when it is slow (more
        than ``SLOW_REQUEST`` seconds; retries of one call count as one request), and once that it no
        longer waits, so a stalled endpoint is never a silent screen."""
        now = time.monotonic()
        if now - self._waiting_reported < 1.0:
            return
        with self._lock:
            oldest = min(self._in_flight.values(), key=lambda r: r[3], default=None)
            in_flight = len(self._in_flight)
        if oldest is not None and now - oldest[3] >= SLOW_REQUEST:
            service, operation, region, sent = oldest
            self._waiting_reported = now
            self.emit(Waiting(PendingRequest(service, operation, region, now - sent), in_flight))
        elif self._waiting_reported:
            self._waiting_reported = 0.0
            self.emit(Waiting(None, in_flight))

    def pages(
        self, service: str, region: str, operation: str, key: str, marker: str, out_marker: str, **params: Any
    ) -> Iterator[list[Any]]:
        """Pages of ``key`` from a paginated list call, checking cancellation between pages.

        Pagination is done here, not by boto3's paginator, so every page passes through ``call``
        (rate limits, counting, cancellation). A page without its list (a truncated or garbled body) raises
        ``MalformedResponse``: it is never read as an empty page.
        """
        token: str | None = None
        seen: set[str] = set()
        while True:
            kwargs = dict(params)
            if token:
                kwargs[marker] = token
            response = self.call(service, region, operation, **kwargs)
            yield field_of(response, key, list, operation)
            next_token = optional_of(response, out_marker, str, operation)
            if service == "iam" and not optional_of(response, "IsTruncated", bool, operation):
                next_token = None
            elif service == "iam" and not next_token:
                raise bce.PaginationError(message=f"{operation} is truncated but gave no marker")
            if not next_token:
                return
            if next_token in seen:
                # Looping would never end and stopping quietly would drop the rest of the list: the caller
                # records it (PaginationError is a BotoCoreError) like any other failed list.
                raise bce.PaginationError(
                    message=f"{operation} repeated the page marker {excerpt(next_token, 40)!r}"
                )
            seen.add(next_token)
            token = next_token

    # ---------------------------------------------------------------------------------- result

    def _inventory(self, *, cancelled: bool) -> Inventory:
        with self._lock:
            functions = tuple(self._functions[arn] for arn in self._function_order)
            layers = tuple(self._layers[k] for k in sorted(self._layers))
            failures = tuple(self._failures)
            iam = self._iam
            org = self._org
            unlisted = dict(self._unlisted)
            listed = set(self._listed)
            mappings = dict(self._mappings)
        # Every list the inventory is built from was read in full, could not be (with its reason), was
        # skipped by this load's options, or was cut short by a cancel: never silently partial.
        expected: list[tuple[ListedKind, str | None, bool]] = [
            *((kind, region, True) for region in self.regions for kind in ("functions",)),
            *(("layers", region, self.load_layers) for region in self.regions),
            *((kind, None, self.load_iam) for kind in IAM_LISTS),
        ]
        for kind, region, wanted in expected:
            if (kind, region) in listed or (kind, region) in unlisted:
                continue
            reason = "the load was cancelled before this list was read" if wanted else "not loaded (skipped)"
            unlisted[(kind, region)] = Unlisted(kind, region, reason)
        functions = tuple(sorted(functions, key=lambda f: (self.regions.index(f.region), f.name)))
        return Inventory(
            account_id=self.account_id or "",
            regions=self.regions,
            captured_at=datetime.now(timezone.utc).replace(microsecond=0).isoformat().replace("+00:00", "Z"),
            source=self.source,
            functions=functions,
            layers=layers,
            roles=iam.roles if iam else (),
            users=iam.users if iam else (),
            groups=iam.groups if iam else (),
            managed_policies=iam.managed_policies if iam else (),
            failures=failures,
            complete=not cancelled and not unlisted,
            organization_id=org.organization_id if org else None,
            scps=org.scps if org else None,
            rcps=org.rcps if org else None,
            unlisted=tuple(unlisted.values()),
            event_source_mappings=tuple(mappings[r] for r in self.regions if r in mappings),
        )


def _snake(operation: str) -> str:
    out = []
    for i, ch in enumerate(operation):
        if ch.isupper() and i and not operation[i - 1].isupper():
            out.append("_")
        out.append(ch.lower())
    return "".join(out)


# The events and the error helpers were defined here before; their names stay importable from here.
__all__ = [
    "READ_ERRORS",
    "EventCallback",
    "EventSourcesListed",
    "FailureRecorded",
    "FunctionLoaded",
    "FunctionsListed",
    "IamLoaded",
    "LayerLoaded",
    "LoadEvent",
    "LoadFinished",
    "Loader",
    "MalformedResponse",
    "OrganizationLoaded",
    "PendingRequest",
    "Progress",
    "ReadOnlyViolation",
    "excerpt",
    "field_of",
    "optional_of",
    "parse_document",
    "reason_of",
    "Waiting",
]
