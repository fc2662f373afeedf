"""Load an account's Lambda and IAM inventory concurrently, streaming what it finds.

Order: each Region's ``ListFunctions`` pages come first and are emitted as ``FunctionsListed`` at once (so
a list can be shown), then every function is completed on the loader's own thread pool (versions,
aliases, tags, the resource policy of the function, of each version and of each alias, URL configs);
layers and IAM load alongside. Every call is read-only (the factory's guard refuses anything else).

Faults never vanish: a resource whose policy cannot be read gets ``PolicySlot(unknown="<Code>: <message>")``
and a ``Failure``, and the load goes on. Every response is validated before it is used (the keys read
must be there, with the right types; a policy must parse): a truncated, garbled or malformed answer is a
``Failure`` on that resource, never an empty list or "no policy". A list that could not be read in full
(a failed or damaged page, a cancel) is an ``Unlisted`` record of the inventory, and the inventory is not
``complete``. Tags that could not be read are ``tags_unknown``, apart from versions and aliases.

How "not found" is told apart (documented behaviour of the Lambda API):
- ``GetPolicy``/``GetLayerVersionPolicy`` answer ``ResourceNotFoundException`` with the message "The
  resource you requested does not exist." when the resource exists but has no policy; that is read as
  "no policy". Any other ``ResourceNotFoundException`` message (e.g. "Function not found: arn:...",
  "Layer version ... does not exist") means the resource itself went away during the load; that is
  recorded as unknown with a ``Failure``, never as "no policy".
- ``ListFunctionUrlConfigs`` is not implemented by every endpoint (moto answers a bare HTTP 404). When an
  endpoint does not know the operation, the loader asks ``GetFunctionUrlConfig`` for the unqualified
  function and for each alias instead.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, replace
from datetime import datetime, timezone
from typing import Any
from urllib.parse import unquote

import botocore.exceptions as bce
from botocore.parsers import ResponseParserError

from ..inventory.model import (
    NO_POLICY,
    Alias,
    EventSourceMapping,
    Failure,
    Function,
    FunctionUrl,
    Group,
    Inventory,
    Layer,
    LayerVersion,
    ListedKind,
    ManagedPolicy,
    NamedPolicy,
    PolicySlot,
    RegionEventSources,
    Role,
    Unlisted,
    User,
    Version,
)
from .clients import ClientFactory, credential_failure
from .compat import normalise_lambda_policy
from .guard import ReadOnlyViolation
from .ratelimit import RateLimits

# --------------------------------------------------------------------------------------------- events


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
class LoadFinished:
    """The load ended; ``inventory.complete`` is False when it was cancelled."""

    inventory: Inventory


LoadEvent = (
    FunctionsListed | FunctionLoaded | LayerLoaded | IamLoaded | FailureRecorded | Progress | LoadFinished
)
EventCallback = Callable[[LoadEvent], None]

# Code of the message AWS uses for "this resource exists but has no policy" (see module docstring).
_NO_POLICY_MESSAGE = "The resource you requested does not exist"
_NOT_IMPLEMENTED_CODES = frozenset({"404", "UnknownOperationException", "NotImplemented", "InvalidAction"})
_DENIED_CODES = frozenset({"AccessDenied", "AccessDeniedException", "UnauthorizedOperation"})


class _Cancelled(Exception):
    """Raised inside a task to stop it when the load is cancelled."""


class MalformedResponse(ValueError):
    """A response the loader cannot rely on: a key it reads is missing or of the wrong type."""


# Everything one read can end in besides an answer; each is recorded on the resource, and the load goes on.
# ResponseParserError (a body that is not the XML/JSON it should be) is not a BotoCoreError, and botocore
# lets the UnicodeDecodeError of a body that is not UTF-8 text escape as it is.
READ_ERRORS: tuple[type[BaseException], ...] = (
    bce.ClientError,
    bce.BotoCoreError,
    ResponseParserError,
    MalformedResponse,
    UnicodeDecodeError,
)
# A policy's text that is not JSON raises ValueError as well.
_POLICY_READ_ERRORS: tuple[type[BaseException], ...] = (*READ_ERRORS, ValueError)
# How much of a server's text a reason may quote: enough to recognise, never a whole body.
_EXCERPT = 120


def excerpt(text: str, limit: int = _EXCERPT) -> str:
    """``text`` on one line, control characters escaped (``\\x1b``), cut to ``limit`` characters."""
    out: list[str] = []
    size = 0
    for ch in text:
        piece = ch if ch.isprintable() else ch.encode("unicode_escape").decode("ascii")
        if size + len(piece) > limit:
            return "".join(out) + f"... ({len(text)} characters)"
        out.append(piece)
        size += len(piece)
    return "".join(out)


def reason_of(exc: BaseException) -> str:
    """A one-line "<Code>: <message>" for an AWS error, never containing credentials; whatever the server
    said is quoted as a short escaped excerpt."""
    if isinstance(exc, bce.ClientError):
        error = exc.response.get("Error", {})
        code = excerpt(str(error.get("Code") or "Unknown"), 60)
        message = excerpt(str(error.get("Message") or "").strip())
        attempts = exc.response.get("ResponseMetadata", {}).get("RetryAttempts")
        suffix = f" (after {attempts} retries)" if attempts else ""
        return f"{code}: {message}{suffix}" if message else f"{code}{suffix}"
    if isinstance(exc, ResponseParserError):
        # botocore's message is "Unable to parse response (why), invalid XML received...:\n<the whole body>".
        head, _, body = str(exc).partition(":\n")
        why = head.split(", invalid", 1)[0]
        return f"MalformedResponse: {excerpt(why)}; the body starts {excerpt(body, 60)!r}"
    if isinstance(exc, UnicodeDecodeError):
        return f"MalformedResponse: the body is not UTF-8 text (byte {exc.start})"
    if isinstance(exc, MalformedResponse):
        return f"MalformedResponse: {excerpt(str(exc), 200)}"
    if isinstance(exc, (bce.ReadTimeoutError, bce.ConnectTimeoutError)):
        return f"Timeout: {excerpt(str(exc))}"
    if isinstance(exc, bce.CredentialRetrievalError):  # a refresh mid-load: never the provider's output
        return f"CredentialRetrievalError: {credential_failure(exc, None)}"
    if isinstance(exc, bce.BotoCoreError):
        return f"{type(exc).__name__}: {excerpt(str(exc), 200)}"
    if isinstance(exc, ValueError):  # malformed JSON in a policy
        return f"MalformedPolicyDocument: {excerpt(str(exc), 200)}"
    return f"{type(exc).__name__}: {excerpt(str(exc), 200)}"


def field_of(obj: Any, key: str, kind: type | tuple[type, ...], where: str) -> Any:
    """``obj[key]``, which the loader relies on: raises ``MalformedResponse`` when ``obj`` is not an object
    or the key is missing or not of ``kind``."""
    if not isinstance(obj, dict):
        raise MalformedResponse(f"{where}: expected an object")
    value = obj.get(key)
    if isinstance(value, bool) and kind in (int, (int,)):
        value = None
    if not isinstance(value, kind):
        wanted = kind.__name__ if isinstance(kind, type) else "/".join(k.__name__ for k in kind)
        state = "missing" if key not in obj else f"not a {wanted}"
        raise MalformedResponse(f"{where}: {key} {state}")
    return value


def optional_of(obj: Any, key: str, kind: type | tuple[type, ...], where: str) -> Any:
    """``obj[key]`` when present and not null, else None; of the wrong type: ``MalformedResponse``."""
    if not isinstance(obj, dict):
        raise MalformedResponse(f"{where}: expected an object")
    if obj.get(key) is None:
        return None
    return field_of(obj, key, kind, where)


def _no_such_resource(exc: bce.ClientError) -> bool:
    """True for Lambda's "exists, but has no such sub-resource" answer (see the module docstring)."""
    return str(exc.response.get("Error", {}).get("Message") or "").startswith(_NO_POLICY_MESSAGE)


def error_code(exc: BaseException) -> str:
    """The AWS error code of a ``ClientError`` ("" for anything else)."""
    if isinstance(exc, bce.ClientError):
        return str(exc.response.get("Error", {}).get("Code") or "")
    return ""


def parse_document(value: Any) -> Any:
    """A policy document as parsed JSON. Strings are JSON, or URL-encoded JSON (IAM's wire format).

    Raises ``ValueError`` for text that is neither.
    """
    if not isinstance(value, str):
        return value
    try:
        return json.loads(value)
    except ValueError:
        pass
    try:
        return json.loads(unquote(value))
    except ValueError as exc:
        raise ValueError(f"policy document is not valid JSON ({exc})") from None


def _tags(items: Any, where: str) -> tuple[tuple[str, str], ...]:
    """Tags as sorted pairs, from Lambda's map or IAM's ``[{"Key", "Value"}]`` list (None: no tags)."""
    if items is None:
        return ()
    if isinstance(items, dict):
        if not all(isinstance(k, str) and isinstance(v, str) for k, v in items.items()):
            raise MalformedResponse(f"{where}: Tags is not a map of strings")
        return tuple(sorted(items.items()))
    if not isinstance(items, list):
        raise MalformedResponse(f"{where}: Tags is not a list")
    return tuple(
        sorted(
            (field_of(t, "Key", str, f"{where} Tags"), field_of(t, "Value", str, f"{where} Tags"))
            for t in items
        )
    )


# --------------------------------------------------------------------------------------------- loader


class Loader:
    """Concurrent, cancellable, read-only loader of one account's Lambda (per Region) and IAM inventory.

    ``rate_limits``: ``None`` picks Lambda's quotas when the factory talks to AWS itself and none for a
    custom endpoint; pass ``RateLimits(...)`` or ``False`` to force either way.
    """

    SERVICES = ("lambda", "iam", "sts", "organizations")

    def __init__(
        self,
        factory: ClientFactory,
        regions: Sequence[str],
        *,
        max_workers: int = 8,
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
        self.regions = tuple(regions) or (factory.region,)
        self.max_workers = max_workers
        if rate_limits is None or rate_limits is True:
            self.rate_limits: RateLimits | None = RateLimits() if factory.uses_aws_endpoint else None
        elif rate_limits is False:
            self.rate_limits = None
        else:
            self.rate_limits = rate_limits
        self.account_id = account_id
        self.source = source or f"endpoint {factory.effective_endpoint()}"
        self.load_iam = load_iam
        self.load_layers = load_layers
        self.fetch_tags = fetch_tags
        # Clients are created here, on the caller's thread: the boto3 session is not thread-safe.
        factory.prepare(("lambda",), self.regions)
        factory.prepare(("iam", "sts", "organizations"), self.regions[:1])
        self.load_organization = load_organization
        # ListEventSourceMappings once per Region; ListFunctionEventInvokeConfigs is one call per function,
        # so only for the functions named here (ARNs or names; "*" = every function).
        self.load_event_source_mappings = load_event_source_mappings
        self.event_invoke_configs = frozenset(event_invoke_configs)
        self._mappings: dict[str, RegionEventSources] = {}

        self._lock = threading.Lock()
        self._emit_lock = threading.Lock()
        self._pending = 0
        self._idle = threading.Condition(self._lock)
        self._crash: BaseException | None = None
        self._url_list_unsupported: set[str] = set()
        self._functions: dict[str, Function] = {}
        self._function_order: list[str] = []
        self._layers: dict[str, Layer] = {}
        self._failures: list[Failure] = []
        self._iam: IamLoaded | None = None
        self._org: _OrgData | None = None
        self._unlisted: dict[tuple[ListedKind, str | None], Unlisted] = {}
        self._listed: set[tuple[ListedKind, str | None]] = set()  # lists read to their end
        self._counts = {"functions": [0, 0], "layers": [0, 0], "iam": [0, 1 if load_iam else 0]}
        self.calls: dict[str, int] = {}  # operation -> requests made (for benchmarks and tests)

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
        self._executor = ThreadPoolExecutor(
            max_workers=self.max_workers, thread_name_prefix="lambdaperm-load"
        )
        try:
            if self.load_iam:
                self._submit(self._load_iam)
            if self.load_organization:
                self._submit(self._load_organization)
            for region in self.regions:
                self._submit(self._list_functions, region)
                if self.load_event_source_mappings:
                    self._submit(self._list_event_source_mappings, region)
                if self.load_layers:
                    self._submit(self._list_layers, region)
            with self._idle:
                while self._pending and self._crash is None and not self._cancel.is_set():
                    self._idle.wait(0.1)
        finally:
            self._executor.shutdown(wait=True, cancel_futures=True)
        if self._crash is not None:
            raise self._crash
        inventory = self._inventory(cancelled=self._cancel.is_set())
        self._emit(LoadFinished(inventory))
        return inventory

    def _submit(self, fn: Callable[..., None], *args: Any) -> None:
        if self._cancel.is_set():
            return
        with self._lock:
            self._pending += 1
        try:
            future = self._executor.submit(self._guarded, fn, *args)
        except RuntimeError:  # executor shut down after a cancel
            self._task_done(None)
            return
        future.add_done_callback(self._task_done)

    def _guarded(self, fn: Callable[..., None], *args: Any) -> None:
        if self._cancel.is_set():
            return
        try:
            fn(*args)
        except _Cancelled:
            pass
        except BaseException as exc:  # a bug or a guard violation: stop the load and re-raise in run()
            with self._lock:
                if self._crash is None:
                    self._crash = exc
            self._cancel.set()

    def _task_done(self, _future: Future[None] | None) -> None:
        with self._idle:
            self._pending -= 1
            self._idle.notify_all()

    def _emit(self, event: LoadEvent) -> None:
        if self._on_event is not None:
            with self._emit_lock:
                self._on_event(event)

    def _progress(self, kind: str, done: int = 0, total: int = 0) -> None:
        with self._lock:
            counts = self._counts[kind]
            counts[0] += done
            counts[1] += total
            event = Progress(kind, counts[0], counts[1])
        self._emit(event)

    def _fail(self, kind: str, resource: str, operation: str, exc: BaseException | str) -> str:
        reason = exc if isinstance(exc, str) else reason_of(exc)
        failure = Failure(kind=kind, resource=resource, operation=operation, reason=reason)
        with self._lock:
            self._failures.append(failure)
        self._emit(FailureRecorded(failure))
        return reason

    def _unlist(self, kind: ListedKind, region: str | None, reason: str) -> None:
        """The list of ``kind`` (in ``region``) could not be read in full; the first reason is kept."""
        with self._lock:
            self._unlisted.setdefault((kind, region), Unlisted(kind, region, reason))

    def _listed_in_full(self, kind: ListedKind, region: str | None) -> None:
        with self._lock:
            self._listed.add((kind, region))

    def _call(self, service: str, region: str, operation: str, **params: Any) -> Any:
        """One API call: honours cancellation and the rate limits; errors propagate to the caller."""
        if self._cancel.is_set():
            raise _Cancelled
        if self.rate_limits is not None and not self.rate_limits.acquire(
            service, region, operation, self._cancel
        ):
            raise _Cancelled
        with self._lock:
            self.calls[operation] = self.calls.get(operation, 0) + 1
        client = self.factory.client(service, region)
        method = getattr(client, _snake(operation))
        return method(**params)

    def _pages(
        self, service: str, region: str, operation: str, key: str, marker: str, out_marker: str, **params: Any
    ) -> Iterator[list[Any]]:
        """Pages of ``key`` from a paginated list call, checking cancellation between pages.

        Pagination is done here, not by boto3's paginator, so every page passes through ``_call``
        (rate limits, counting, cancellation). A page without its list (a truncated or garbled body) raises
        ``MalformedResponse``: it is never read as an empty page.
        """
        token: str | None = None
        seen: set[str] = set()
        while True:
            kwargs = dict(params)
            if token:
                kwargs[marker] = token
            response = self._call(service, region, operation, **kwargs)
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

    # ---------------------------------------------------------------------------------- Lambda

    def _list_functions(self, region: str) -> None:
        where = f"lambda:{region}"
        whole = True
        try:
            for page in self._pages(
                "lambda", region, "ListFunctions", "Functions", "Marker", "NextMarker", MaxItems=50
            ):
                listed: list[Function] = []
                for cfg in page:
                    try:
                        listed.append(self._function_from_config(region, cfg))
                    except MalformedResponse as exc:
                        # This entry is lost, so the Region's list is not whole; the others are kept.
                        self._unlist(
                            "functions", region, self._fail("functions", where, "ListFunctions", exc)
                        )
                        whole = False
                functions = tuple(listed)
                with self._lock:
                    for fn in functions:
                        if fn.arn not in self._functions:
                            self._function_order.append(fn.arn)
                        self._functions[fn.arn] = fn
                self._emit(FunctionsListed(region, functions))
                self._progress("functions", total=len(functions))
                for fn in functions:
                    self._submit(self._load_function, fn)
        except READ_ERRORS as exc:
            # The list itself failed: which (other) functions exist in this Region is unknown.
            self._unlist("functions", region, self._fail("functions", where, "ListFunctions", exc))
            return
        if whole:
            self._listed_in_full("functions", region)

    def _function_from_config(self, region: str, cfg: Any) -> Function:
        where = "ListFunctions entry"
        layers = optional_of(cfg, "Layers", list, where) or []
        return Function(
            arn=field_of(cfg, "FunctionArn", str, where),
            name=field_of(cfg, "FunctionName", str, where),
            region=region,
            account=self.account_id or "",
            runtime=optional_of(cfg, "Runtime", str, where),
            role=optional_of(cfg, "Role", str, where),
            layers=tuple(field_of(layer, "Arn", str, f"{where} Layers") for layer in layers),
            description=optional_of(cfg, "Description", str, where) or "",
            last_modified=optional_of(cfg, "LastModified", str, where),
            tags_unknown="not loaded yet",
            **self._config_of(region, cfg),
        )

    def _config_of(self, region: str, cfg: Any) -> dict[str, Any]:
        """``config`` of a ListFunctions entry, or ``config_unknown`` (recorded) when it cannot be read."""
        from .lambda_config import function_config

        try:
            return {"config": function_config(cfg)}
        except MalformedResponse as exc:
            arn = cfg.get("FunctionArn") if isinstance(cfg, dict) else None
            resource = arn if isinstance(arn, str) else f"lambda:{region}"
            return {"config_unknown": self._fail("function-config", resource, "ListFunctions", exc)}

    def _list_event_source_mappings(self, region: str) -> None:
        """Every mapping of the Region in one paginated list; a failure leaves its mappings unknown."""
        from .lambda_config import event_source_mapping

        mappings: list[EventSourceMapping] = []
        unknown: str | None = None
        try:
            for page in self._pages(
                "lambda",
                region,
                "ListEventSourceMappings",
                "EventSourceMappings",
                "Marker",
                "NextMarker",
                MaxItems=100,
            ):
                for entry in page:
                    try:
                        mappings.append(event_source_mapping(entry, region))
                    except MalformedResponse as exc:
                        # One entry lost: the Region's list is no longer whole, so it is unknown.
                        unknown = unknown or self._fail(
                            "event-source-mappings", f"lambda:{region}", "ListEventSourceMappings", exc
                        )
        except READ_ERRORS as exc:
            unknown = self._fail("event-source-mappings", f"lambda:{region}", "ListEventSourceMappings", exc)
        with self._lock:
            self._mappings[region] = RegionEventSources(region, tuple(mappings), unknown)

    def _event_invoke_configs(self, fn: Function) -> dict[str, Any]:
        """The function's async invoke configs when this load reads them for it (else left "not read")."""
        wanted = self.event_invoke_configs
        if not ("*" in wanted or fn.arn in wanted or fn.name in wanted):
            return {}
        from .lambda_config import event_invoke_config

        try:
            configs = [
                event_invoke_config(entry)
                for page in self._pages(
                    "lambda",
                    fn.region,
                    "ListFunctionEventInvokeConfigs",
                    "FunctionEventInvokeConfigs",
                    "Marker",
                    "NextMarker",
                    FunctionName=fn.name,
                )
                for entry in page
            ]
        except READ_ERRORS as exc:
            reason = self._fail(
                "function-event-invoke-configs", fn.arn, "ListFunctionEventInvokeConfigs", exc
            )
            return {"event_invoke_configs_unknown": reason}
        return {"event_invoke_configs": tuple(configs)}

    def _load_function(self, fn: Function) -> None:
        region, name = fn.region, fn.name
        tags: tuple[tuple[str, str], ...] = ()
        tags_unknown: str | None = None
        if self.fetch_tags:
            # GetFunction has its own, larger quota (100/s) than ListTags (shared 15/s bucket).
            try:
                response = self._call("lambda", region, "GetFunction", FunctionName=name)
                field_of(response, "Configuration", dict, "GetFunction")  # a cut body has none
                tags = _tags(response.get("Tags"), "GetFunction")
            except READ_ERRORS as exc:
                tags_unknown = self._fail("function-tags", fn.arn, "GetFunction", exc)
        else:
            tags_unknown = "not loaded (this load did not read tags)"
        # Versions and aliases are separate lists: each failure is recorded, and what was read is kept.
        details: list[str] = []
        versions: list[Version] = []
        aliases: list[Alias] = []
        try:
            for page in self._pages(
                "lambda",
                region,
                "ListVersionsByFunction",
                "Versions",
                "Marker",
                "NextMarker",
                FunctionName=name,
            ):
                for v in page:
                    number = field_of(v, "Version", str, "ListVersionsByFunction entry")
                    if number != "$LATEST":
                        arn = field_of(v, "FunctionArn", str, "ListVersionsByFunction entry")
                        versions.append(Version(arn=arn, version=number))
        except READ_ERRORS as exc:
            details.append(self._fail("function", fn.arn, "ListVersionsByFunction", exc))
        try:
            for page in self._pages(
                "lambda", region, "ListAliases", "Aliases", "Marker", "NextMarker", FunctionName=name
            ):
                aliases.extend(_alias(a) for a in page)
        except READ_ERRORS as exc:
            details.append(self._fail("function", fn.arn, "ListAliases", exc))

        policy = self._function_policy(fn, None)
        versions = [replace(v, policy=self._function_policy(fn, v.version)) for v in versions]
        aliases = [replace(a, policy=self._function_policy(fn, a.name)) for a in aliases]
        urls, urls_unknown = self._function_urls(fn, aliases)
        loaded = replace(
            fn,
            tags=tags,
            tags_unknown=tags_unknown,
            policy=policy,
            versions=tuple(versions),
            aliases=tuple(aliases),
            urls=urls,
            urls_unknown=urls_unknown,
            details_unknown="; ".join(details) or None,
            **self._event_invoke_configs(fn),
        )
        with self._lock:
            self._functions[fn.arn] = loaded
        self._emit(FunctionLoaded(loaded))
        self._progress("functions", done=1)

    def _function_policy(self, fn: Function, qualifier: str | None) -> PolicySlot:
        resource = fn.arn if qualifier is None else f"{fn.arn}:{qualifier}"
        params: dict[str, Any] = {"FunctionName": fn.name}
        if qualifier is not None:
            params["Qualifier"] = qualifier
        return self._policy_slot("function-policy", resource, fn.region, "GetPolicy", params)

    def _policy_slot(
        self, kind: str, resource: str, region: str, operation: str, params: dict[str, Any]
    ) -> PolicySlot:
        """A Lambda resource policy: the document, "no policy" (AWS's documented answer), or unknown.

        An answer without ``Policy`` (a cut or garbled body) is unknown: Lambda says "no policy" with an
        error, never with an empty success.
        """
        try:
            response = self._call("lambda", region, operation, **params)
            text = field_of(response, "Policy", str, operation)
            return PolicySlot(document=normalise_lambda_policy(parse_document(text)))
        except bce.ClientError as exc:
            if error_code(exc) == "ResourceNotFoundException" and _no_such_resource(exc):
                return NO_POLICY
            return PolicySlot(unknown=self._fail(kind, resource, operation, exc))
        except _POLICY_READ_ERRORS as exc:
            return PolicySlot(unknown=self._fail(kind, resource, operation, exc))

    def _function_urls(
        self, fn: Function, aliases: list[Alias]
    ) -> tuple[tuple[FunctionUrl, ...] | None, str | None]:
        region = fn.region
        if region not in self._url_list_unsupported:
            try:
                urls: list[FunctionUrl] = []
                for page in self._pages(
                    "lambda",
                    region,
                    "ListFunctionUrlConfigs",
                    "FunctionUrlConfigs",
                    "Marker",
                    "NextMarker",
                    FunctionName=fn.name,
                ):
                    urls.extend(self._url(fn, cfg) for cfg in page)
                return tuple(urls), None
            except bce.ClientError as exc:
                if error_code(exc) not in _NOT_IMPLEMENTED_CODES:
                    return None, self._fail("function-url", fn.arn, "ListFunctionUrlConfigs", exc)
                with self._lock:
                    self._url_list_unsupported.add(region)
            except READ_ERRORS as exc:
                return None, self._fail("function-url", fn.arn, "ListFunctionUrlConfigs", exc)
        # Fallback for endpoints without ListFunctionUrlConfigs: one GetFunctionUrlConfig per qualifier.
        found: list[FunctionUrl] = []
        for qualifier in [None, *(a.name for a in aliases)]:
            params: dict[str, Any] = {"FunctionName": fn.name}
            if qualifier is not None:
                params["Qualifier"] = qualifier
            try:
                cfg = self._call("lambda", region, "GetFunctionUrlConfig", **params)
                found.append(self._url(fn, cfg, qualifier))
            except bce.ClientError as exc:
                # Same wording rule as GetPolicy: "The resource you requested does not exist." means no URL
                # on this qualifier; "Function not found: ..." means the function went away mid-load.
                if error_code(exc) == "ResourceNotFoundException" and _no_such_resource(exc):
                    continue
                return None, self._fail("function-url", fn.arn, "GetFunctionUrlConfig", exc)
            except READ_ERRORS as exc:
                return None, self._fail("function-url", fn.arn, "GetFunctionUrlConfig", exc)
        return tuple(found), None

    @staticmethod
    def _url(fn: Function, cfg: Any, qualifier: str | None = None) -> FunctionUrl:
        where = "function URL config"
        arn = optional_of(cfg, "FunctionArn", str, where) or fn.arn
        if qualifier is None and arn.count(":") >= 7:
            qualifier = arn.split(":", 7)[7]
        if qualifier is not None and arn == fn.arn:
            arn = f"{fn.arn}:{qualifier}"
        auth = field_of(cfg, "AuthType", str, where)
        if auth not in ("NONE", "AWS_IAM"):
            raise MalformedResponse(f"{where}: AuthType {excerpt(auth, 40)!r} is neither NONE nor AWS_IAM")
        return FunctionUrl(
            function_arn=arn,
            qualifier=qualifier,
            url=field_of(cfg, "FunctionUrl", str, where),
            auth_type="NONE" if auth == "NONE" else "AWS_IAM",
            created=optional_of(cfg, "CreationTime", str, where),
        )

    def _list_layers(self, region: str) -> None:
        where = f"lambda:{region}"
        whole = True
        try:
            for page in self._pages("lambda", region, "ListLayers", "Layers", "Marker", "NextMarker"):
                entries: list[tuple[str, str]] = []
                for layer in page:
                    try:
                        entries.append(
                            (
                                field_of(layer, "LayerName", str, "ListLayers entry"),
                                field_of(layer, "LayerArn", str, "ListLayers entry"),
                            )
                        )
                    except MalformedResponse as exc:
                        self._unlist("layers", region, self._fail("layers", where, "ListLayers", exc))
                        whole = False
                self._progress("layers", total=len(entries))
                for name, arn in entries:
                    self._submit(self._load_layer, region, name, arn)
        except READ_ERRORS as exc:
            self._unlist("layers", region, self._fail("layers", where, "ListLayers", exc))
            return
        if whole:
            self._listed_in_full("layers", region)

    def _load_layer(self, region: str, name: str, arn: str) -> None:
        versions: list[LayerVersion] = []
        versions_unknown: str | None = None
        try:
            for page in self._pages(
                "lambda", region, "ListLayerVersions", "LayerVersions", "Marker", "NextMarker", LayerName=name
            ):
                for v in page:
                    where = "ListLayerVersions entry"
                    number = field_of(v, "Version", int, where)
                    version_arn = field_of(v, "LayerVersionArn", str, where)
                    runtimes = optional_of(v, "CompatibleRuntimes", list, where) or []
                    description = optional_of(v, "Description", str, where) or ""
                    policy = self._policy_slot(
                        "layer-version-policy",
                        version_arn,
                        region,
                        "GetLayerVersionPolicy",
                        {"LayerName": name, "VersionNumber": number},
                    )
                    versions.append(
                        LayerVersion(
                            arn=version_arn,
                            layer_name=name,
                            version=number,
                            region=region,
                            compatible_runtimes=tuple(str(r) for r in runtimes),
                            description=description,
                            policy=policy,
                        )
                    )
        except READ_ERRORS as exc:
            versions_unknown = self._fail("layer", arn, "ListLayerVersions", exc)
        layer = Layer(
            arn=arn, name=name, region=region, versions=tuple(versions), versions_unknown=versions_unknown
        )
        with self._lock:
            self._layers[arn] = layer
        self._emit(LayerLoaded(layer))
        self._progress("layers", done=1)

    # ---------------------------------------------------------------------------------- IAM

    def _load_iam(self) -> None:
        """Roles, users, groups and their policies: one GetAccountAuthorizationDetails walk, or, when that
        cannot be read (denied, an error, a damaged page), per-principal calls, each list on its own."""
        region = self.regions[0]
        try:
            loaded = self._iam_from_authorization_details(region)
            for kind in _IAM_LISTS:
                self._listed_in_full(kind, None)
        except READ_ERRORS as exc:
            if not (isinstance(exc, bce.ClientError) and error_code(exc) in _DENIED_CODES):
                # Denied is the expected case of a narrow role; anything else is a fault worth showing.
                self._fail("iam", "iam", "GetAccountAuthorizationDetails", exc)
            loaded = _IamFallback(self, region).load()
        with self._lock:
            self._iam = loaded
        self._emit(loaded)
        self._progress("iam", done=1)

    def _iam_from_authorization_details(self, region: str) -> IamLoaded:
        """The account's IAM from GetAccountAuthorizationDetails. Any entry it cannot rely on raises
        ``MalformedResponse`` (the caller then falls back to per-principal calls)."""
        roles: list[Role] = []
        users: list[User] = []
        groups: list[Group] = []
        policies: dict[str, ManagedPolicy] = {}
        op = "GetAccountAuthorizationDetails"
        for response in self._iam_detail_pages(region):
            for r in optional_of(response, "RoleDetailList", list, op) or ():
                arn = field_of(r, "Arn", str, f"{op} role")
                roles.append(
                    Role(
                        arn=arn,
                        name=field_of(r, "RoleName", str, f"{op} role"),
                        path=optional_of(r, "Path", str, f"{op} role") or "/",
                        trust_policy=self._iam_slot(
                            "role-trust-policy", arn, r.get("AssumeRolePolicyDocument")
                        ),
                        inline_policies=self._inline(
                            "role-policy", arn, optional_of(r, "RolePolicyList", list, op), "PolicyDocument"
                        ),
                        managed_policy_arns=_attached_arns(r, op),
                        boundary_arn=_boundary_arn(r, op),
                        tags=_tags(r.get("Tags"), f"{op} role"),
                    )
                )
            for u in optional_of(response, "UserDetailList", list, op) or ():
                arn = field_of(u, "Arn", str, f"{op} user")
                member_of = optional_of(u, "GroupList", list, f"{op} user") or []
                if not all(isinstance(g, str) for g in member_of):
                    raise MalformedResponse(f"{op} user: GroupList is not a list of names")
                users.append(
                    User(
                        arn=arn,
                        name=field_of(u, "UserName", str, f"{op} user"),
                        path=optional_of(u, "Path", str, f"{op} user") or "/",
                        inline_policies=self._inline(
                            "user-policy", arn, optional_of(u, "UserPolicyList", list, op), "PolicyDocument"
                        ),
                        managed_policy_arns=_attached_arns(u, op),
                        groups=tuple(member_of),
                        boundary_arn=_boundary_arn(u, op),
                        tags=_tags(u.get("Tags"), f"{op} user"),
                    )
                )
            for g in optional_of(response, "GroupDetailList", list, op) or ():
                arn = field_of(g, "Arn", str, f"{op} group")
                groups.append(
                    Group(
                        arn=arn,
                        name=field_of(g, "GroupName", str, f"{op} group"),
                        path=optional_of(g, "Path", str, f"{op} group") or "/",
                        inline_policies=self._inline(
                            "group-policy", arn, optional_of(g, "GroupPolicyList", list, op), "PolicyDocument"
                        ),
                        managed_policy_arns=_attached_arns(g, op),
                    )
                )
            for p in optional_of(response, "Policies", list, op) or ():
                arn = field_of(p, "Arn", str, f"{op} policy")
                versions = optional_of(p, "PolicyVersionList", list, f"{op} policy") or []
                default = next(
                    (v for v in versions if isinstance(v, dict) and v.get("IsDefaultVersion")), None
                )
                slot = (
                    self._iam_slot("managed-policy", arn, default.get("Document"))
                    if default is not None
                    else PolicySlot(
                        unknown=self._fail("managed-policy", arn, op, "NoDefaultVersion: not returned")
                    )
                )
                # Plain moto (and moto 5.2.5 without the demo adapter) leaves PolicyName out; the name is
                # the ARN's last path segment, never the whole ARN (a lookup by name would miss it).
                name = optional_of(p, "PolicyName", str, f"{op} policy") or _policy_name_from_arn(arn)
                policies[arn] = ManagedPolicy(arn=arn, name=name, slot=slot)
        # AWS-managed policies attached to someone but not returned (some endpoints omit them).
        referenced = _referenced_policies(roles, users, groups)
        for arn in sorted(referenced - policies.keys()):
            policies[arn] = _fetch_managed_policy(self, region, arn)
        self._progress("iam", total=0)
        return IamLoaded(
            tuple(roles), tuple(users), tuple(groups), tuple(policies[k] for k in sorted(policies))
        )

    def _iam_detail_pages(self, region: str) -> Iterator[dict[str, Any]]:
        op = "GetAccountAuthorizationDetails"
        token: str | None = None
        seen: set[str] = set()
        while True:
            params: dict[str, Any] = {}
            if token:
                params["Marker"] = token
            response = self._call("iam", region, op, **params)
            if not isinstance(response, dict):
                raise MalformedResponse(f"{op}: expected an object")
            yield response
            if not optional_of(response, "IsTruncated", bool, op):
                return
            token = optional_of(response, "Marker", str, op) or ""
            if not token or token in seen:
                # Truncated with no new marker: the rest cannot be asked for. Recorded, never dropped.
                raise bce.PaginationError(
                    message=f"{op} is truncated but gave marker {excerpt(token, 40)!r} again"
                    if token
                    else f"{op} is truncated but gave no marker"
                )
            seen.add(token)

    def _iam_slot(
        self, kind: str, resource: str, document: Any, operation: str = "GetAccountAuthorizationDetails"
    ) -> PolicySlot:
        """The slot of an IAM policy document that IAM always returns (trust, inline, managed version).

        A response without it is unknown with a ``Failure``, never "no policy": a role without a trust
        policy or an inline policy without a document does not exist in IAM.
        """
        if document is None:
            return PolicySlot(
                unknown=self._fail(kind, resource, operation, "MissingDocument: the response has no document")
            )
        try:
            return PolicySlot(document=parse_document(document))
        except ValueError as exc:
            return PolicySlot(unknown=self._fail(kind, resource, operation, exc))

    def _inline(self, kind: str, owner: str, items: Any, key: str) -> tuple[NamedPolicy, ...]:
        out = []
        for item in items or ():
            name = field_of(item, "PolicyName", str, f"inline policy of {owner}")
            out.append(NamedPolicy(name=name, slot=self._iam_slot(kind, f"{owner}/{name}", item.get(key))))
        return tuple(out)

    # ---------------------------------------------------------------------------------- Organizations

    def _load_organization(self) -> None:
        """The organization id and the SCP/RCP levels (root first) that apply to this account.

        Not in an organization, or the management account: none apply (``()``), per
        https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_scps.html
        ("SCPs don't affect users or roles in the management account") and the RCP page likewise.
        Reading the levels needs the management account or a delegated administrator; from a member
        account without that access they stay unknown (None) with a ``Failure``.
        """
        region = self.regions[0]
        try:
            response = self._call("organizations", region, "DescribeOrganization")
            org = field_of(response, "Organization", dict, "DescribeOrganization")
            org_id = optional_of(org, "Id", str, "DescribeOrganization") or None
            master = optional_of(org, "MasterAccountId", str, "DescribeOrganization")
        except bce.ClientError as exc:
            if error_code(exc) == "AWSOrganizationsNotInUseException":
                with self._lock:
                    self._org = _OrgData(None, (), ())
                return
            self._fail("organization", "organizations", "DescribeOrganization", exc)
            return
        except READ_ERRORS as exc:
            self._fail("organization", "organizations", "DescribeOrganization", exc)
            return
        if master == self.account_id:
            with self._lock:
                self._org = _OrgData(org_id, (), ())
            return
        try:
            targets = self._org_targets(region)
        except READ_ERRORS as exc:
            self._fail("organization", f"account {self.account_id}", "ListParents", exc)
            with self._lock:
                self._org = _OrgData(org_id, None, None)
            return
        scps = self._org_levels(region, targets, "SERVICE_CONTROL_POLICY", "scp")
        rcps = self._org_levels(region, targets, "RESOURCE_CONTROL_POLICY", "rcp")
        with self._lock:
            self._org = _OrgData(org_id, scps, rcps)

    def _org_targets(self, region: str) -> list[str]:
        """Root, OUs (top down) and the account itself."""
        chain = [str(self.account_id)]
        child = str(self.account_id)
        for _ in range(10):  # AWS allows at most 5 levels of OUs below the root
            response = self._call("organizations", region, "ListParents", ChildId=child)
            parents = field_of(response, "Parents", list, "ListParents")
            if not parents:
                break
            child = field_of(parents[0], "Id", str, "ListParents entry")
            chain.append(child)
            if optional_of(parents[0], "Type", str, "ListParents entry") == "ROOT":
                break
        return list(reversed(chain))

    def _org_levels(
        self, region: str, targets: list[str], policy_type: str, kind: str
    ) -> tuple[tuple[NamedPolicy, ...], ...] | None:
        levels: list[tuple[NamedPolicy, ...]] = []
        try:
            for target in targets:
                level: list[NamedPolicy] = []
                for page in self._pages(
                    "organizations",
                    region,
                    "ListPoliciesForTarget",
                    "Policies",
                    "NextToken",
                    "NextToken",
                    TargetId=target,
                    Filter=policy_type,
                ):
                    for summary in page:
                        policy_id = field_of(summary, "Id", str, "ListPoliciesForTarget entry")
                        name = optional_of(summary, "Name", str, "ListPoliciesForTarget entry") or policy_id
                        try:
                            response = self._call(
                                "organizations", region, "DescribePolicy", PolicyId=policy_id
                            )
                            policy = field_of(response, "Policy", dict, "DescribePolicy")
                            content = field_of(policy, "Content", str, "DescribePolicy")
                            slot = PolicySlot(document=parse_document(content))
                        except _POLICY_READ_ERRORS as exc:
                            slot = PolicySlot(unknown=self._fail(kind, name, "DescribePolicy", exc))
                        level.append(NamedPolicy(name=name, slot=slot))
                levels.append(tuple(level))
        except READ_ERRORS as exc:
            self._fail(kind, f"account {self.account_id}", "ListPoliciesForTarget", exc)
            return None
        return tuple(levels)

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
            *((kind, None, self.load_iam) for kind in _IAM_LISTS),
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


@dataclass(frozen=True, slots=True)
class _OrgData:
    organization_id: str | None
    scps: tuple[tuple[NamedPolicy, ...], ...] | None
    rcps: tuple[tuple[NamedPolicy, ...], ...] | None


_IAM_LISTS: tuple[ListedKind, ...] = ("roles", "users", "groups")


def _referenced_policies(roles: list[Role], users: list[User], groups: list[Group]) -> set[str]:
    """ARNs of the managed policies attached to, or bounding, any of these principals."""
    out: set[str] = set()
    holders: list[Role | User | Group] = [*roles, *users, *groups]
    for holder in holders:
        out.update(holder.managed_policy_arns)
    bounded: list[Role | User] = [*roles, *users]
    out.update(p.boundary_arn for p in bounded if p.boundary_arn)
    return out


def _attached_arns(holder: Any, where: str) -> tuple[str, ...]:
    items = optional_of(holder, "AttachedManagedPolicies", list, where) or []
    return tuple(field_of(p, "PolicyArn", str, f"{where} AttachedManagedPolicies") for p in items)


def _boundary_arn(holder: Any, where: str) -> str | None:
    boundary = optional_of(holder, "PermissionsBoundary", dict, where)
    return None if boundary is None else optional_of(boundary, "PermissionsBoundaryArn", str, where)


def _alias(entry: Any) -> Alias:
    where = "ListAliases entry"
    routing = optional_of(entry, "RoutingConfig", dict, where) or {}
    weights = optional_of(routing, "AdditionalVersionWeights", dict, where) or {}
    if not all(isinstance(w, (int, float)) and not isinstance(w, bool) for w in weights.values()):
        raise MalformedResponse(f"{where}: AdditionalVersionWeights is not a map of numbers")
    return Alias(
        arn=field_of(entry, "AliasArn", str, where),
        name=field_of(entry, "Name", str, where),
        function_version=field_of(entry, "FunctionVersion", str, where),
        routing=tuple(sorted((str(k), float(w)) for k, w in weights.items())),
    )


def _snake(operation: str) -> str:
    out = []
    for i, ch in enumerate(operation):
        if ch.isupper() and i and not operation[i - 1].isupper():
            out.append("_")
        out.append(ch.lower())
    return "".join(out)


def _policy_name_from_arn(arn: str) -> str:
    """A managed policy's name: the last segment of ``arn:aws:iam::A:policy[/path/]NAME``."""
    return arn.rsplit("/", 1)[-1]


def _fetch_managed_policy(loader: Loader, region: str, arn: str) -> ManagedPolicy:
    """GetPolicy + GetPolicyVersion(default) for one managed policy; unknown with a reason on error, recorded
    under the operation that failed."""
    name = _policy_name_from_arn(arn)
    try:
        meta = field_of(loader._call("iam", region, "GetPolicy", PolicyArn=arn), "Policy", dict, "GetPolicy")
        name = optional_of(meta, "PolicyName", str, "GetPolicy") or name
        default_version = field_of(meta, "DefaultVersionId", str, "GetPolicy")
    except READ_ERRORS as exc:
        return ManagedPolicy(
            arn=arn, name=name, slot=PolicySlot(unknown=loader._fail("managed-policy", arn, "GetPolicy", exc))
        )
    try:
        response = loader._call("iam", region, "GetPolicyVersion", PolicyArn=arn, VersionId=default_version)
        version = field_of(response, "PolicyVersion", dict, "GetPolicyVersion")
    except READ_ERRORS as exc:
        return ManagedPolicy(
            arn=arn,
            name=name,
            slot=PolicySlot(unknown=loader._fail("managed-policy", arn, "GetPolicyVersion", exc)),
        )
    slot = loader._iam_slot("managed-policy", arn, version.get("Document"), "GetPolicyVersion")
    return ManagedPolicy(arn=arn, name=name, slot=slot)


@dataclass(frozen=True, slots=True)
class _Entry:
    """One entry of ListRoles/ListUsers/ListGroups, its keys checked."""

    arn: str
    name: str
    path: str
    entry: dict[str, Any]


class _IamFallback:
    """Per-principal IAM calls, used when GetAccountAuthorizationDetails cannot be read.

    Each list (roles, users, groups) stands on its own: one that fails is ``Unlisted`` with its reason and
    the others still load; within a list, a principal whose details fail is kept with them unknown.
    """

    def __init__(self, loader: Loader, region: str) -> None:
        self.loader = loader
        self.region = region

    def _list(self, operation: str, key: str, **params: Any) -> list[Any]:
        items: list[Any] = []
        for page in self.loader._pages("iam", self.region, operation, key, "Marker", "Marker", **params):
            items.extend(page)
        return items

    def _inline(
        self, kind: str, owner_arn: str, list_op: str, get_op: str, **owner: Any
    ) -> tuple[tuple[NamedPolicy, ...], str | None]:
        try:
            names = self._list(list_op, "PolicyNames", **owner)
            if not all(isinstance(n, str) for n in names):
                raise MalformedResponse(f"{list_op}: PolicyNames is not a list of names")
        except READ_ERRORS as exc:
            return (), self.loader._fail(kind, owner_arn, list_op, exc)
        out = []
        for name in names:
            try:
                response = self.loader._call("iam", self.region, get_op, PolicyName=name, **owner)
                doc = field_of(response, "PolicyDocument", (str, dict), get_op)
                slot = self.loader._iam_slot(kind, f"{owner_arn}/{name}", doc, get_op)
            except READ_ERRORS as exc:
                slot = PolicySlot(unknown=self.loader._fail(kind, f"{owner_arn}/{name}", get_op, exc))
            out.append(NamedPolicy(name=name, slot=slot))
        return tuple(out), None

    def _attached(self, owner_arn: str, op: str, **owner: Any) -> tuple[tuple[str, ...], str | None]:
        try:
            items = self._list(op, "AttachedPolicies", **owner)
            return tuple(field_of(p, "PolicyArn", str, f"{op} entry") for p in items), None
        except READ_ERRORS as exc:
            return (), self.loader._fail("iam", owner_arn, op, exc)

    def _details(self, kind: str, arn: str, op: str, key: str, **owner: Any) -> tuple[Any, str | None]:
        """GetRole/GetUser: the boundary and tags (ListRoles/ListUsers return neither:
        https://docs.aws.amazon.com/IAM/latest/APIReference/API_ListUsers.html)."""
        try:
            full = field_of(self.loader._call("iam", self.region, op, **owner), key, dict, op)
            return (_boundary_arn(full, op), _tags(full.get("Tags"), op)), None
        except READ_ERRORS as exc:
            return None, self.loader._fail(kind, arn, op, exc)

    def _principal_list(self, kind: ListedKind, operation: str, key: str, name_key: str) -> list[_Entry]:
        """Every entry of one list; a failed list or a damaged entry makes the list ``Unlisted``."""
        loader = self.loader
        try:
            entries = self._list(operation, key)
        except READ_ERRORS as exc:
            loader._unlist(kind, None, loader._fail("iam", kind, operation, exc))
            return []
        out: list[_Entry] = []
        whole = True
        where = f"{operation} entry"
        for entry in entries:
            try:
                arn, name = field_of(entry, "Arn", str, where), field_of(entry, name_key, str, where)
                out.append(_Entry(arn, name, optional_of(entry, "Path", str, where) or "/", entry))
            except MalformedResponse as exc:
                loader._unlist(kind, None, loader._fail("iam", kind, operation, exc))
                whole = False
        if whole:
            loader._listed_in_full(kind, None)
        return out

    def _roles(self) -> list[Role]:
        roles: list[Role] = []
        for e in self._principal_list("roles", "ListRoles", "Roles", "RoleName"):
            inline, unknown1 = self._inline(
                "role-policy", e.arn, "ListRolePolicies", "GetRolePolicy", RoleName=e.name
            )
            attached, unknown2 = self._attached(e.arn, "ListAttachedRolePolicies", RoleName=e.name)
            details, unknown3 = self._details("role", e.arn, "GetRole", "Role", RoleName=e.name)
            boundary, tags = details if details is not None else (None, ())
            trust = self.loader._iam_slot(
                "role-trust-policy", e.arn, e.entry.get("AssumeRolePolicyDocument"), "ListRoles"
            )
            roles.append(
                Role(
                    arn=e.arn,
                    name=e.name,
                    path=e.path,
                    trust_policy=trust,
                    inline_policies=inline,
                    managed_policy_arns=attached,
                    boundary_arn=boundary,
                    tags=tags,
                    # GetRole failed: the boundary is unknown, so every answer for the role is.
                    policies_unknown=unknown1 or unknown2 or unknown3,
                    tags_unknown=unknown3,
                )
            )
        return roles

    def _users(self) -> list[User]:
        users: list[User] = []
        for e in self._principal_list("users", "ListUsers", "Users", "UserName"):
            inline, unknown1 = self._inline(
                "user-policy", e.arn, "ListUserPolicies", "GetUserPolicy", UserName=e.name
            )
            attached, unknown2 = self._attached(e.arn, "ListAttachedUserPolicies", UserName=e.name)
            unknown3 = None
            try:
                member_of = tuple(
                    field_of(g, "GroupName", str, "ListGroupsForUser entry")
                    for g in self._list("ListGroupsForUser", "Groups", UserName=e.name)
                )
            except READ_ERRORS as exc:
                member_of, unknown3 = (), self.loader._fail("user", e.arn, "ListGroupsForUser", exc)
            details, unknown4 = self._details("user", e.arn, "GetUser", "User", UserName=e.name)
            boundary, tags = details if details is not None else (None, ())
            users.append(
                User(
                    arn=e.arn,
                    name=e.name,
                    path=e.path,
                    inline_policies=inline,
                    managed_policy_arns=attached,
                    groups=member_of,
                    boundary_arn=boundary,
                    tags=tags,
                    policies_unknown=unknown1 or unknown2 or unknown3 or unknown4,
                    tags_unknown=unknown4,
                )
            )
        return users

    def _groups(self) -> tuple[list[Group], dict[str, str]]:
        groups: list[Group] = []
        group_unknown: dict[str, str] = {}
        for e in self._principal_list("groups", "ListGroups", "Groups", "GroupName"):
            inline, unknown1 = self._inline(
                "group-policy", e.arn, "ListGroupPolicies", "GetGroupPolicy", GroupName=e.name
            )
            attached, unknown2 = self._attached(e.arn, "ListAttachedGroupPolicies", GroupName=e.name)
            if unknown1 or unknown2:
                group_unknown[e.name] = str(unknown1 or unknown2)
            groups.append(
                Group(
                    arn=e.arn, name=e.name, path=e.path, inline_policies=inline, managed_policy_arns=attached
                )
            )
        return groups, group_unknown

    def load(self) -> IamLoaded:
        """Roles, users and groups, each list read on its own, then the managed policies they use."""
        roles = self._roles()
        users = self._users()
        groups, group_unknown = self._groups()
        # A Group has no "unknown" marker of its own: a group whose policy lists could not be read makes
        # its members' policies unknown, so no answer for them treats the missing lists as "none".
        for i, user in enumerate(users):
            unread = [g for g in user.groups if g in group_unknown]
            if unread and not user.policies_unknown:
                users[i] = replace(user, policies_unknown=f"group {unread[0]}: {group_unknown[unread[0]]}")
        referenced = sorted(_referenced_policies(roles, users, groups))
        policies = tuple(_fetch_managed_policy(self.loader, self.region, arn) for arn in referenced)
        return IamLoaded(tuple(roles), tuple(users), tuple(groups), policies)


__all__ = [
    "READ_ERRORS",
    "EventCallback",
    "FailureRecorded",
    "FunctionLoaded",
    "FunctionsListed",
    "IamLoaded",
    "LayerLoaded",
    "LoadEvent",
    "LoadFinished",
    "Loader",
    "MalformedResponse",
    "Progress",
    "ReadOnlyViolation",
    "excerpt",
    "field_of",
    "optional_of",
    "parse_document",
    "reason_of",
]
