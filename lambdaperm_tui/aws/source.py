"""Where an inventory comes from: a live account, a saved snapshot, or the in-process demo account.

``open_inventory`` is the one entry point for the CLI and the UI. It blocks (the UI runs it in a thread
worker) and reports through the same loader events whatever the source, so screens need no special cases.
"""

from __future__ import annotations

import atexit
import threading
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

from ..inventory.model import Inventory
from .loader import (
    EventCallback,
    FailureRecorded,
    FunctionLoaded,
    FunctionsListed,
    IamLoaded,
    LayerLoaded,
    Loader,
    LoadFinished,
    Progress,
)

if TYPE_CHECKING:
    from ..demo.server import DemoAccount

SourceKind = Literal["live", "snapshot", "demo"]
DEFAULT_WORKERS = 8


class SourceError(ValueError):
    """The source options do not make sense together (e.g. a snapshot with a profile)."""


@dataclass(frozen=True, slots=True)
class Source:
    """One source of an inventory, as chosen on the command line.

    ``live``: ``profile``/``regions``/``endpoint_url`` (each None/empty = the standard AWS chain).
    ``snapshot``: ``snapshot`` is the file. ``demo``: the seeded demo account (``regions`` optional).
    ``rate_limits``: None = Lambda's quotas against AWS, none against a custom endpoint.
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
        )

    def describe(self) -> str:
        """A short label for headers: "profile audit", "endpoint http://...", "snapshot FILE", "demo"."""
        return describe(self)


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


def open_inventory(
    source: Source, on_event: EventCallback | None = None, cancel: threading.Event | None = None
) -> Inventory:
    """Load the inventory of ``source``; blocking. Raises ``CredentialsError``, ``SnapshotError`` or
    ``SourceError`` with a one-line message when the source cannot be opened."""
    if source.kind == "snapshot":
        from ..inventory.snapshot import read_snapshot

        assert source.snapshot is not None
        inventory = read_snapshot(source.snapshot)
        _replay(inventory, on_event)
        return inventory
    if source.kind == "demo":
        demo = start_demo()
        return _load_live(
            source,
            on_event,
            cancel,
            endpoint_url=demo.endpoint_url,
            regions=source.regions or demo.regions,
            credentials=demo.credentials,
            rate_limits=False,
            label="demo",
        )
    return _load_live(source, on_event, cancel)


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


def _load_live(
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
    from .clients import ClientFactory

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
    return loader.run(on_event, cancel)


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
            from ..demo.server import DemoAccount

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
