"""Load an account's Lambda and IAM inventory concurrently, streaming what it finds.

Order: each Region's ``ListFunctions`` pages come first and are emitted as ``FunctionsListed`` at once (so
a list can be shown), then every function is completed on the loader's own thread pool (versions,
aliases, tags, the resource policy of the function, of each version and of each alias, URL configs);
layers and IAM load alongside. Every call is read-only (the factory's guard refuses anything else).

Faults never vanish: a resource whose policy cannot be read gets ``PolicySlot(unknown="<Code>: <message>")``
and a ``Failure``, and the load goes on.

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

from ..inventory.model import (
    NO_POLICY,
    Alias,
    Failure,
    Function,
    FunctionUrl,
    Group,
    Inventory,
    Layer,
    LayerVersion,
    ManagedPolicy,
    NamedPolicy,
    PolicySlot,
    Role,
    UrlAuthType,
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


def reason_of(exc: BaseException) -> str:
    """A one-line "<Code>: <message>" for an AWS error, never containing credentials."""
    if isinstance(exc, bce.ClientError):
        error = exc.response.get("Error", {})
        code = str(error.get("Code") or "Unknown")
        message = str(error.get("Message") or "").strip()
        attempts = exc.response.get("ResponseMetadata", {}).get("RetryAttempts")
        suffix = f" (after {attempts} retries)" if attempts else ""
        return f"{code}: {message}{suffix}" if message else f"{code}{suffix}"
    if isinstance(exc, (bce.ReadTimeoutError, bce.ConnectTimeoutError)):
        return f"Timeout: {exc}"
    if isinstance(exc, bce.CredentialRetrievalError):  # a refresh mid-load: never the provider's output
        return f"CredentialRetrievalError: {credential_failure(exc, None)}"
    if isinstance(exc, bce.BotoCoreError):
        return f"{type(exc).__name__}: {exc}"
    if isinstance(exc, ValueError):  # malformed JSON in a policy
        return f"MalformedPolicyDocument: {exc}"
    return f"{type(exc).__name__}: {exc}"


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


def _tags(items: Any) -> tuple[tuple[str, str], ...]:
    if isinstance(items, dict):
        return tuple(sorted((str(k), str(v)) for k, v in items.items()))
    return tuple(sorted((str(t.get("Key", "")), str(t.get("Value", ""))) for t in items or ()))


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
                if self.load_layers:
                    self._submit(self._list_layers, region)
            with self._idle:
                while self._pending and self._crash is None and not self._cancel.is_set():
                    self._idle.wait(0.1)
        finally:
            self._executor.shutdown(wait=True, cancel_futures=True)
        if self._crash is not None:
            raise self._crash
        inventory = self._inventory(complete=not self._cancel.is_set())
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
        (rate limits, counting, cancellation).
        """
        token: str | None = None
        seen: set[str] = set()
        while True:
            kwargs = dict(params)
            if token:
                kwargs[marker] = token
            response = self._call(service, region, operation, **kwargs)
            yield list(response.get(key) or [])
            next_token = response.get(out_marker)
            if service == "iam" and not response.get("IsTruncated"):
                next_token = None
            elif service == "iam" and not next_token:
                raise bce.PaginationError(message=f"{operation} is truncated but gave no marker")
            if not next_token:
                return
            if next_token in seen:
                # Looping would never end and stopping quietly would drop the rest of the list: the caller
                # records it (PaginationError is a BotoCoreError) like any other failed list.
                raise bce.PaginationError(message=f"{operation} repeated the page marker {next_token!r}")
            seen.add(next_token)
            token = str(next_token)

    # ---------------------------------------------------------------------------------- Lambda

    def _list_functions(self, region: str) -> None:
        try:
            for page in self._pages(
                "lambda", region, "ListFunctions", "Functions", "Marker", "NextMarker", MaxItems=50
            ):
                functions = tuple(self._function_from_config(region, cfg) for cfg in page)
                with self._lock:
                    for fn in functions:
                        if fn.arn not in self._functions:
                            self._function_order.append(fn.arn)
                        self._functions[fn.arn] = fn
                self._emit(FunctionsListed(region, functions))
                self._progress("functions", total=len(functions))
                for fn in functions:
                    self._submit(self._load_function, fn)
        except (bce.ClientError, bce.BotoCoreError) as exc:
            # The list itself failed: which functions exist in this Region is unknown.
            self._fail("functions", f"lambda:{region}", "ListFunctions", exc)

    def _function_from_config(self, region: str, cfg: dict[str, Any]) -> Function:
        return Function(
            arn=str(cfg["FunctionArn"]),
            name=str(cfg["FunctionName"]),
            region=region,
            account=self.account_id or "",
            runtime=cfg.get("Runtime"),
            role=cfg.get("Role"),
            layers=tuple(str(layer["Arn"]) for layer in cfg.get("Layers") or ()),
            description=str(cfg.get("Description") or ""),
            last_modified=cfg.get("LastModified"),
        )

    def _load_function(self, fn: Function) -> None:
        region, name = fn.region, fn.name
        details_unknown: str | None = None
        versions: list[Version] = []
        aliases: list[Alias] = []
        tags = fn.tags
        if self.fetch_tags:
            # GetFunction has its own, larger quota (100/s) than ListTags (shared 15/s bucket).
            try:
                tags = _tags(self._call("lambda", region, "GetFunction", FunctionName=name).get("Tags"))
            except (bce.ClientError, bce.BotoCoreError) as exc:
                details_unknown = self._fail("function", fn.arn, "GetFunction", exc)
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
                    if v.get("Version") != "$LATEST":
                        versions.append(Version(arn=str(v["FunctionArn"]), version=str(v["Version"])))
            for page in self._pages(
                "lambda", region, "ListAliases", "Aliases", "Marker", "NextMarker", FunctionName=name
            ):
                for a in page:
                    weights = (a.get("RoutingConfig") or {}).get("AdditionalVersionWeights") or {}
                    aliases.append(
                        Alias(
                            arn=str(a["AliasArn"]),
                            name=str(a["Name"]),
                            function_version=str(a.get("FunctionVersion", "")),
                            routing=tuple(sorted((str(k), float(w)) for k, w in weights.items())),
                        )
                    )
        except (bce.ClientError, bce.BotoCoreError) as exc:
            details_unknown = details_unknown or self._fail(
                "function", fn.arn, "ListVersionsByFunction/ListAliases", exc
            )

        policy = self._function_policy(fn, None)
        versions = [replace(v, policy=self._function_policy(fn, v.version)) for v in versions]
        aliases = [replace(a, policy=self._function_policy(fn, a.name)) for a in aliases]
        urls, urls_unknown = self._function_urls(fn, aliases)
        loaded = replace(
            fn,
            tags=tags,
            policy=policy,
            versions=tuple(versions),
            aliases=tuple(aliases),
            urls=urls,
            urls_unknown=urls_unknown,
            details_unknown=details_unknown,
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
        try:
            response = self._call("lambda", region, operation, **params)
        except bce.ClientError as exc:
            if error_code(exc) == "ResourceNotFoundException" and _no_such_resource(exc):
                return NO_POLICY
            return PolicySlot(unknown=self._fail(kind, resource, operation, exc))
        except bce.BotoCoreError as exc:
            return PolicySlot(unknown=self._fail(kind, resource, operation, exc))
        text = response.get("Policy")
        if text is None:
            return NO_POLICY
        try:
            return PolicySlot(document=normalise_lambda_policy(parse_document(text)))
        except ValueError as exc:
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
            except bce.BotoCoreError as exc:
                return None, self._fail("function-url", fn.arn, "ListFunctionUrlConfigs", exc)
        # Fallback for endpoints without ListFunctionUrlConfigs: one GetFunctionUrlConfig per qualifier.
        found: list[FunctionUrl] = []
        for qualifier in [None, *(a.name for a in aliases)]:
            params: dict[str, Any] = {"FunctionName": fn.name}
            if qualifier is not None:
                params["Qualifier"] = qualifier
            try:
                cfg = self._call("lambda", region, "GetFunctionUrlConfig", **params)
            except bce.ClientError as exc:
                # Same wording rule as GetPolicy: "The resource you requested does not exist." means no URL
                # on this qualifier; "Function not found: ..." means the function went away mid-load.
                if error_code(exc) == "ResourceNotFoundException" and _no_such_resource(exc):
                    continue
                return None, self._fail("function-url", fn.arn, "GetFunctionUrlConfig", exc)
            except bce.BotoCoreError as exc:
                return None, self._fail("function-url", fn.arn, "GetFunctionUrlConfig", exc)
            found.append(self._url(fn, cfg, qualifier))
        return tuple(found), None

    @staticmethod
    def _url(fn: Function, cfg: dict[str, Any], qualifier: str | None = None) -> FunctionUrl:
        arn = str(cfg.get("FunctionArn") or fn.arn)
        if qualifier is None and arn.count(":") >= 7:
            qualifier = arn.split(":", 7)[7]
        if qualifier is not None and arn == fn.arn:
            arn = f"{fn.arn}:{qualifier}"
        auth: UrlAuthType = "NONE" if cfg.get("AuthType") == "NONE" else "AWS_IAM"
        return FunctionUrl(
            function_arn=arn,
            qualifier=qualifier,
            url=str(cfg.get("FunctionUrl") or ""),
            auth_type=auth,
            created=cfg.get("CreationTime"),
        )

    def _list_layers(self, region: str) -> None:
        try:
            for page in self._pages("lambda", region, "ListLayers", "Layers", "Marker", "NextMarker"):
                self._progress("layers", total=len(page))
                for layer in page:
                    self._submit(self._load_layer, region, layer)
        except (bce.ClientError, bce.BotoCoreError) as exc:
            self._fail("layers", f"lambda:{region}", "ListLayers", exc)

    def _load_layer(self, region: str, entry: dict[str, Any]) -> None:
        name = str(entry["LayerName"])
        arn = str(entry["LayerArn"])
        versions: list[LayerVersion] = []
        versions_unknown: str | None = None
        try:
            for page in self._pages(
                "lambda", region, "ListLayerVersions", "LayerVersions", "Marker", "NextMarker", LayerName=name
            ):
                for v in page:
                    number = int(v["Version"])
                    policy = self._policy_slot(
                        "layer-version-policy",
                        str(v["LayerVersionArn"]),
                        region,
                        "GetLayerVersionPolicy",
                        {"LayerName": name, "VersionNumber": number},
                    )
                    versions.append(
                        LayerVersion(
                            arn=str(v["LayerVersionArn"]),
                            layer_name=name,
                            version=number,
                            region=region,
                            compatible_runtimes=tuple(v.get("CompatibleRuntimes") or ()),
                            description=str(v.get("Description") or ""),
                            policy=policy,
                        )
                    )
        except (bce.ClientError, bce.BotoCoreError) as exc:
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
        region = self.regions[0]
        try:
            loaded = self._iam_from_authorization_details(region)
        except bce.ClientError as exc:
            if error_code(exc) not in _DENIED_CODES:
                self._fail("iam", "iam", "GetAccountAuthorizationDetails", exc)
                return
            # Denied: per-principal calls need narrower permissions (iam:ListRoles, iam:GetRolePolicy...).
            loaded = _IamFallback(self, region).load()
        except bce.BotoCoreError as exc:
            self._fail("iam", "iam", "GetAccountAuthorizationDetails", exc)
            return
        with self._lock:
            self._iam = loaded
        self._emit(loaded)
        self._progress("iam", done=1)

    def _iam_from_authorization_details(self, region: str) -> IamLoaded:
        roles: list[Role] = []
        users: list[User] = []
        groups: list[Group] = []
        policies: dict[str, ManagedPolicy] = {}
        for response in self._iam_detail_pages(region):
            for r in response.get("RoleDetailList") or ():
                arn = str(r["Arn"])
                roles.append(
                    Role(
                        arn=arn,
                        name=str(r["RoleName"]),
                        path=str(r.get("Path") or "/"),
                        trust_policy=self._iam_slot(
                            "role-trust-policy", arn, r.get("AssumeRolePolicyDocument")
                        ),
                        inline_policies=self._inline(
                            "role-policy", arn, r.get("RolePolicyList"), "PolicyDocument"
                        ),
                        managed_policy_arns=tuple(
                            str(p["PolicyArn"]) for p in r.get("AttachedManagedPolicies") or ()
                        ),
                        boundary_arn=(r.get("PermissionsBoundary") or {}).get("PermissionsBoundaryArn"),
                        tags=_tags(r.get("Tags")),
                    )
                )
            for u in response.get("UserDetailList") or ():
                arn = str(u["Arn"])
                users.append(
                    User(
                        arn=arn,
                        name=str(u["UserName"]),
                        path=str(u.get("Path") or "/"),
                        inline_policies=self._inline(
                            "user-policy", arn, u.get("UserPolicyList"), "PolicyDocument"
                        ),
                        managed_policy_arns=tuple(
                            str(p["PolicyArn"]) for p in u.get("AttachedManagedPolicies") or ()
                        ),
                        groups=tuple(str(g) for g in u.get("GroupList") or ()),
                        boundary_arn=(u.get("PermissionsBoundary") or {}).get("PermissionsBoundaryArn"),
                        tags=_tags(u.get("Tags")),
                    )
                )
            for g in response.get("GroupDetailList") or ():
                arn = str(g["Arn"])
                groups.append(
                    Group(
                        arn=arn,
                        name=str(g["GroupName"]),
                        path=str(g.get("Path") or "/"),
                        inline_policies=self._inline(
                            "group-policy", arn, g.get("GroupPolicyList"), "PolicyDocument"
                        ),
                        managed_policy_arns=tuple(
                            str(p["PolicyArn"]) for p in g.get("AttachedManagedPolicies") or ()
                        ),
                    )
                )
            for p in response.get("Policies") or ():
                arn = str(p["Arn"])
                default = next(
                    (v for v in p.get("PolicyVersionList") or () if v.get("IsDefaultVersion")),
                    None,
                )
                slot = (
                    self._iam_slot("managed-policy", arn, default.get("Document"))
                    if default is not None
                    else PolicySlot(
                        unknown=self._fail(
                            "managed-policy",
                            arn,
                            "GetAccountAuthorizationDetails",
                            "NoDefaultVersion: not returned",
                        )
                    )
                )
                # Plain moto (and moto 5.2.5 without the demo adapter) leaves PolicyName out; the name is
                # the ARN's last path segment, never the whole ARN (a lookup by name would miss it).
                name = str(p.get("PolicyName") or _policy_name_from_arn(arn))
                policies[arn] = ManagedPolicy(arn=arn, name=name, slot=slot)
        # AWS-managed policies attached to someone but not returned (some endpoints omit them).
        referenced = {
            arn
            for principal in _principals(roles, users, groups)
            for arn in (*principal.managed_policy_arns, getattr(principal, "boundary_arn", None) or "")
            if arn
        }
        for arn in sorted(referenced - policies.keys()):
            policies[arn] = _fetch_managed_policy(self, region, arn)
        self._progress("iam", total=0)
        return IamLoaded(
            tuple(roles), tuple(users), tuple(groups), tuple(policies[k] for k in sorted(policies))
        )

    def _iam_detail_pages(self, region: str) -> Iterator[dict[str, Any]]:
        token: str | None = None
        seen: set[str] = set()
        while True:
            params: dict[str, Any] = {}
            if token:
                params["Marker"] = token
            response = self._call("iam", region, "GetAccountAuthorizationDetails", **params)
            yield response
            if not response.get("IsTruncated"):
                return
            token = str(response.get("Marker") or "")
            if not token or token in seen:
                # Truncated with no new marker: the rest cannot be asked for. Recorded, never dropped.
                raise bce.PaginationError(
                    message=f"GetAccountAuthorizationDetails is truncated but gave marker {token!r} again"
                    if token
                    else "GetAccountAuthorizationDetails is truncated but gave no marker"
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
        return tuple(
            NamedPolicy(
                name=str(item.get("PolicyName")),
                slot=self._iam_slot(kind, f"{owner}/{item.get('PolicyName')}", item.get(key)),
            )
            for item in items or ()
        )

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
            org = self._call("organizations", region, "DescribeOrganization")["Organization"]
        except bce.ClientError as exc:
            if error_code(exc) == "AWSOrganizationsNotInUseException":
                with self._lock:
                    self._org = _OrgData(None, (), ())
                return
            self._fail("organization", "organizations", "DescribeOrganization", exc)
            return
        except bce.BotoCoreError as exc:
            self._fail("organization", "organizations", "DescribeOrganization", exc)
            return
        org_id = str(org.get("Id") or "") or None
        if org.get("MasterAccountId") == self.account_id:
            with self._lock:
                self._org = _OrgData(org_id, (), ())
            return
        try:
            targets = self._org_targets(region)
        except (bce.ClientError, bce.BotoCoreError) as exc:
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
            parents = self._call("organizations", region, "ListParents", ChildId=child).get("Parents") or []
            if not parents:
                break
            child = str(parents[0]["Id"])
            chain.append(child)
            if parents[0].get("Type") == "ROOT":
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
                        name = str(summary.get("Name") or summary.get("Id"))
                        try:
                            content = self._call(
                                "organizations", region, "DescribePolicy", PolicyId=summary["Id"]
                            )["Policy"]["Content"]
                            slot = PolicySlot(document=parse_document(content))
                        except (bce.ClientError, bce.BotoCoreError, ValueError) as exc:
                            slot = PolicySlot(unknown=self._fail(kind, name, "DescribePolicy", exc))
                        level.append(NamedPolicy(name=name, slot=slot))
                levels.append(tuple(level))
        except (bce.ClientError, bce.BotoCoreError) as exc:
            self._fail(kind, f"account {self.account_id}", "ListPoliciesForTarget", exc)
            return None
        return tuple(levels)

    # ---------------------------------------------------------------------------------- result

    def _inventory(self, *, complete: bool) -> Inventory:
        with self._lock:
            functions = tuple(self._functions[arn] for arn in self._function_order)
            layers = tuple(self._layers[k] for k in sorted(self._layers))
            failures = tuple(self._failures)
            iam = self._iam
            org = self._org
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
            complete=complete,
            organization_id=org.organization_id if org else None,
            scps=org.scps if org else None,
            rcps=org.rcps if org else None,
        )


@dataclass(frozen=True, slots=True)
class _OrgData:
    organization_id: str | None
    scps: tuple[tuple[NamedPolicy, ...], ...] | None
    rcps: tuple[tuple[NamedPolicy, ...], ...] | None


def _principals(roles: list[Role], users: list[User], groups: list[Group]) -> list[Role | User | Group]:
    return [*roles, *users, *groups]


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
    """GetPolicy + GetPolicyVersion(default) for one managed policy; unknown with a reason on error."""
    name = _policy_name_from_arn(arn)
    try:
        meta = loader._call("iam", region, "GetPolicy", PolicyArn=arn)["Policy"]
        name = str(meta.get("PolicyName") or name)
        version = loader._call(
            "iam", region, "GetPolicyVersion", PolicyArn=arn, VersionId=meta["DefaultVersionId"]
        )["PolicyVersion"]
        slot = loader._iam_slot("managed-policy", arn, version.get("Document"), "GetPolicyVersion")
        return ManagedPolicy(arn=arn, name=name, slot=slot)
    except (bce.ClientError, bce.BotoCoreError) as exc:
        return ManagedPolicy(
            arn=arn, name=name, slot=PolicySlot(unknown=loader._fail("managed-policy", arn, "GetPolicy", exc))
        )


class _IamFallback:
    """Per-principal IAM calls, used when GetAccountAuthorizationDetails is denied."""

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
        except (bce.ClientError, bce.BotoCoreError) as exc:
            return (), self.loader._fail(kind, owner_arn, list_op, exc)
        out = []
        for name in names:
            try:
                doc = self.loader._call("iam", self.region, get_op, PolicyName=name, **owner)[
                    "PolicyDocument"
                ]
                slot = self.loader._iam_slot(kind, f"{owner_arn}/{name}", doc, get_op)
            except (bce.ClientError, bce.BotoCoreError) as exc:
                slot = PolicySlot(unknown=self.loader._fail(kind, f"{owner_arn}/{name}", get_op, exc))
            out.append(NamedPolicy(name=str(name), slot=slot))
        return tuple(out), None

    def _attached(self, owner_arn: str, op: str, **owner: Any) -> tuple[tuple[str, ...], str | None]:
        try:
            return tuple(str(p["PolicyArn"]) for p in self._list(op, "AttachedPolicies", **owner)), None
        except (bce.ClientError, bce.BotoCoreError) as exc:
            return (), self.loader._fail("iam", owner_arn, op, exc)

    def load(self) -> IamLoaded:
        loader = self.loader
        roles: list[Role] = []
        users: list[User] = []
        groups: list[Group] = []
        try:
            for r in self._list("ListRoles", "Roles"):
                arn, name = str(r["Arn"]), str(r["RoleName"])
                inline, unknown1 = self._inline(
                    "role-policy", arn, "ListRolePolicies", "GetRolePolicy", RoleName=name
                )
                attached, unknown2 = self._attached(arn, "ListAttachedRolePolicies", RoleName=name)
                boundary, tags, unknown3 = None, _tags(r.get("Tags")), None
                try:
                    full = loader._call("iam", self.region, "GetRole", RoleName=name)["Role"]
                    boundary = (full.get("PermissionsBoundary") or {}).get("PermissionsBoundaryArn")
                    tags = _tags(full.get("Tags"))
                except (bce.ClientError, bce.BotoCoreError) as exc:
                    unknown3 = loader._fail("role", arn, "GetRole", exc)
                roles.append(
                    Role(
                        arn=arn,
                        name=name,
                        path=str(r.get("Path") or "/"),
                        trust_policy=loader._iam_slot(
                            "role-trust-policy", arn, r.get("AssumeRolePolicyDocument"), "ListRoles"
                        ),
                        inline_policies=inline,
                        managed_policy_arns=attached,
                        boundary_arn=boundary,
                        tags=tags,
                        policies_unknown=unknown1 or unknown2 or unknown3,
                    )
                )
        except (bce.ClientError, bce.BotoCoreError) as exc:
            loader._fail("iam", "roles", "ListRoles", exc)
        try:
            for u in self._list("ListUsers", "Users"):
                arn, name = str(u["Arn"]), str(u["UserName"])
                inline, unknown1 = self._inline(
                    "user-policy", arn, "ListUserPolicies", "GetUserPolicy", UserName=name
                )
                attached, unknown2 = self._attached(arn, "ListAttachedUserPolicies", UserName=name)
                unknown3 = None
                try:
                    member_of = tuple(
                        str(g["GroupName"]) for g in self._list("ListGroupsForUser", "Groups", UserName=name)
                    )
                except (bce.ClientError, bce.BotoCoreError) as exc:
                    member_of, unknown3 = (), loader._fail("user", arn, "ListGroupsForUser", exc)
                # ListUsers never returns PermissionsBoundary or Tags (they are GetUser-only, as for roles):
                # https://docs.aws.amazon.com/IAM/latest/APIReference/API_ListUsers.html
                boundary, tags, unknown4 = None, _tags(u.get("Tags")), None
                try:
                    full = loader._call("iam", self.region, "GetUser", UserName=name)["User"]
                    boundary = (full.get("PermissionsBoundary") or {}).get("PermissionsBoundaryArn")
                    tags = _tags(full.get("Tags"))
                except (bce.ClientError, bce.BotoCoreError) as exc:
                    unknown4 = loader._fail("user", arn, "GetUser", exc)
                users.append(
                    User(
                        arn=arn,
                        name=name,
                        path=str(u.get("Path") or "/"),
                        inline_policies=inline,
                        managed_policy_arns=attached,
                        groups=member_of,
                        boundary_arn=boundary,
                        tags=tags,
                        policies_unknown=unknown1 or unknown2 or unknown3 or unknown4,
                    )
                )
        except (bce.ClientError, bce.BotoCoreError) as exc:
            loader._fail("iam", "users", "ListUsers", exc)
        group_unknown: dict[str, str] = {}
        try:
            for g in self._list("ListGroups", "Groups"):
                arn, name = str(g["Arn"]), str(g["GroupName"])
                inline, unknown1 = self._inline(
                    "group-policy", arn, "ListGroupPolicies", "GetGroupPolicy", GroupName=name
                )
                attached, unknown2 = self._attached(arn, "ListAttachedGroupPolicies", GroupName=name)
                if unknown1 or unknown2:
                    group_unknown[name] = str(unknown1 or unknown2)
                groups.append(
                    Group(
                        arn=arn,
                        name=name,
                        path=str(g.get("Path") or "/"),
                        inline_policies=inline,
                        managed_policy_arns=attached,
                    )
                )
        except (bce.ClientError, bce.BotoCoreError) as exc:
            loader._fail("iam", "groups", "ListGroups", exc)
        # A Group has no "unknown" marker of its own: a group whose policy lists could not be read makes
        # its members' policies unknown, so no answer for them treats the missing lists as "none".
        for i, user in enumerate(users):
            unread = [g for g in user.groups if g in group_unknown]
            if unread and not user.policies_unknown:
                users[i] = replace(user, policies_unknown=f"group {unread[0]}: {group_unknown[unread[0]]}")
        referenced = sorted(
            {
                arn
                for p in _principals(roles, users, groups)
                for arn in (*p.managed_policy_arns, getattr(p, "boundary_arn", None) or "")
                if arn
            }
        )
        policies = tuple(_fetch_managed_policy(loader, self.region, arn) for arn in referenced)
        return IamLoaded(tuple(roles), tuple(users), tuple(groups), policies)


__all__ = [
    "EventCallback",
    "FailureRecorded",
    "FunctionLoaded",
    "FunctionsListed",
    "IamLoaded",
    "LayerLoaded",
    "LoadEvent",
    "LoadFinished",
    "Loader",
    "Progress",
    "ReadOnlyViolation",
    "parse_document",
    "reason_of",
]
