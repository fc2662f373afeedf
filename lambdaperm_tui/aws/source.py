"""Where an inventory comes from (``Source``: a live account, a saved snapshot, or the demo account), and
the live load itself (``load_live``, ``preflight``).

Opening any source is ``lambdaperm_tui.sources.open_inventory``, which composes this module, snapshots and
the demo; nothing here depends on the demo.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Any, Literal

from ..inventory.events import EventCallback
from ..inventory.model import Function, Inventory

SourceKind = Literal["live", "snapshot", "demo"]
# Why 12 and not 8 (issue 12): at 50 ms a request, 8 workers kept only about 6 requests in flight
# (benchmarks/load.py measures it at the server). Not the connection pool (max_workers + 2 connections),
# not serial phases (the list pages are ~1% of the load) and not client creation (one client per service
# and Region, made before the workers start): each request spends ~11 ms outside the server's 50 ms (the
# serial loop keeps only 0.82 in flight), of which ~2 ms is botocore's and the loader's own CPU and the
# rest the HTTP stack and thread scheduling under one GIL, so a worker is on the network ~80% of its time.
# 12 workers measured 8.5 in flight at 29% of one core; with quotas on, workers only wait for tokens.
DEFAULT_WORKERS = 12
# --quotas: Lambda's API request quotas applied client-side (aws/ratelimit.py). auto: against AWS only.
QUOTAS: dict[str, bool | None] = {"auto": None, "aws": True, "off": False}


class SourceError(ValueError):
    """The source options do not make sense together (e.g. a snapshot with a profile)."""


@dataclass(frozen=True, slots=True)
class Source:
    """One source of an inventory, as chosen on the command line.

    ``live``: ``profile``/``regions``/``endpoint_url`` (each None/empty = the standard AWS chain).
    ``snapshot``: ``snapshot`` is the file. ``demo``: the seeded demo account (``regions`` optional).
    ``rate_limits`` (``--quotas``): None = Lambda's quotas against AWS, none against a custom endpoint
    (auto); True = the quotas against any endpoint (aws); False = none (off).
    """

    kind: SourceKind
    profile: str | None = None
    regions: tuple[str, ...] = ()
    endpoint_url: str | None = None
    snapshot: str | None = None
    workers: int = DEFAULT_WORKERS
    rate_limits: bool | None = None
    # Functions (ARNs or names, "*" = all) whose async invoke configs a live load reads: one call each.
    event_invoke_configs: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if self.kind not in ("live", "snapshot", "demo"):
            raise SourceError(f"source: unknown kind {self.kind!r}")
        if self.kind == "snapshot" and not self.snapshot:
            raise SourceError("--snapshot: a file is required")
        if self.kind != "live" and (self.profile or self.endpoint_url):
            raise SourceError(f"--profile/--endpoint-url apply to a live account, not to --{self.kind}")
        if self.kind == "snapshot" and self.regions:
            raise SourceError("--region applies to a live account or --demo, not to --snapshot")
        if self.workers < 1:
            raise SourceError(f"--workers: must be at least 1, got {self.workers}")
        if self.kind == "snapshot" and self.rate_limits is not None:
            raise SourceError("--quotas applies to a live account or --demo, not to --snapshot")

    @classmethod
    def from_options(
        cls,
        *,
        profile: str | None = None,
        regions: tuple[str, ...] | list[str] = (),
        endpoint_url: str | None = None,
        snapshot: str | None = None,
        demo: bool = False,
        workers: int | None = None,
        quotas: str = "auto",
    ) -> Source:
        """A source from CLI options (raises ``SourceError`` for combinations that make no sense)."""
        if snapshot and demo:
            raise SourceError("--snapshot and --demo cannot be combined")
        kind: SourceKind = "snapshot" if snapshot else "demo" if demo else "live"
        return cls(
            kind=kind,
            profile=profile or None,
            regions=tuple(dict.fromkeys(regions)),  # repeated --region: keep the first of each
            endpoint_url=endpoint_url or None,
            snapshot=str(snapshot) if snapshot else None,
            workers=workers or DEFAULT_WORKERS,
            rate_limits=_quotas(quotas),
        )

    def describe(self) -> str:
        """A short label for headers: "profile audit", "endpoint http://...", "snapshot FILE", "demo"."""
        return describe(self)


def _quotas(choice: str) -> bool | None:
    if choice not in QUOTAS:
        raise SourceError(f"--quotas: one of {', '.join(QUOTAS)}, not {choice!r}")
    return QUOTAS[choice]


def describe(source: Source) -> str:
    """A short label of a source for headers and messages (never a credential)."""
    if source.kind == "snapshot":
        return f"snapshot {source.snapshot}"
    if source.kind == "demo":
        return "demo account (local moto)"
    label = f"profile {source.profile or 'default'}"
    if source.endpoint_url:
        label += f" at {source.endpoint_url}"
    return label


# Factories whose credentials ``preflight`` resolved, waiting for the ``open_inventory`` of the same source.
_preflighted: dict[Source, tuple[Any, str]] = {}
_preflight_lock = threading.Lock()


def preflight(source: Source) -> str | None:
    """Resolve a live source's credentials now (before a UI takes the terminal); return the account id.

    Any MFA prompt is answered here, once: the next ``open_inventory(source)`` reuses this factory and its
    credentials instead of resolving them again inside the UI. Raises ``CredentialsError``. Returns None
    for snapshot and demo sources, which need no credentials.
    """
    if source.kind != "live":
        return None
    from .clients import ClientFactory

    factory = ClientFactory(
        profile=source.profile,
        region=source.regions[0] if source.regions else None,
        endpoint_url=source.endpoint_url,
        max_workers=source.workers,
    )
    account_id = factory.check_credentials()
    with _preflight_lock:
        _preflighted[source] = (factory, account_id)
    return account_id


def load_live(
    source: Source,
    on_event: EventCallback | None,
    cancel: threading.Event | None,
    *,
    endpoint_url: str | None = None,
    regions: tuple[str, ...] = (),
    credentials: dict[str, str] | None = None,
    rate_limits: bool | None = None,
    label: str | None = None,
) -> Inventory:
    # Here, not at the top: opening a snapshot goes through this module and must not import boto3.
    from .clients import ClientFactory
    from .loader import Loader

    regions = regions or source.regions
    with _preflight_lock:
        ready = _preflighted.pop(source, None) if source.kind == "live" else None
    if ready is not None:
        factory, account_id = ready
    else:
        factory = ClientFactory(
            profile=source.profile,
            region=regions[0] if regions else None,
            endpoint_url=endpoint_url or source.endpoint_url,
            max_workers=source.workers,
            credentials=credentials,
        )
        # Credentials are resolved (and any MFA/SSO problem reported) before the first Lambda call.
        account_id = factory.check_credentials()
    loader = Loader(
        factory,
        regions or (factory.region,),
        max_workers=source.workers,
        rate_limits=source.rate_limits if rate_limits is None else rate_limits,
        account_id=account_id,
        source=label or describe(source),
        event_invoke_configs=source.event_invoke_configs,
    )
    inventory = loader.run(on_event, cancel)
    with _preflight_lock:
        _loaded[source] = _Loaded(factory, loader.regions, account_id, loader.rate_limits, loader.source)
    return inventory


@dataclass(frozen=True, slots=True)
class _Loaded:
    """What a finished load of a source leaves for reads on demand: its clients, Regions and rate limits."""

    factory: Any  # ClientFactory (imported lazily with boto3)
    regions: tuple[str, ...]
    account_id: str
    rate_limits: Any  # RateLimits | None
    label: str


# The last load of each live or demo source in this process.
_loaded: dict[Source, _Loaded] = {}


def read_event_invoke_configs(
    source: Source, fn: Function, on_event: EventCallback | None = None, cancel: threading.Event | None = None
) -> Function:
    """``fn`` with its asynchronous invoke configs read now, through the clients (and rate limits) of the
    last load of ``source`` in this process: one ``ListFunctionEventInvokeConfigs`` call, made when a
    screen shows the function, instead of one per function during the load. A failure is recorded and
    leaves them unknown. Raises ``SourceError`` when ``source`` has not been loaded in this process.
    """
    from .loader import Loader  # here, not at the top: see load_live

    with _preflight_lock:
        kept = _loaded.get(source)
    if kept is None:
        raise SourceError(f"{describe(source)}: not loaded in this process, so nothing can be read on demand")
    loader = Loader(
        kept.factory,
        kept.regions,  # the load's Regions: their clients exist, none is created on this thread
        max_workers=1,
        rate_limits=kept.rate_limits if kept.rate_limits is not None else False,
        account_id=kept.account_id,
        source=kept.label,
    )
    return loader.read_event_invoke_configs(fn, on_event, cancel)
