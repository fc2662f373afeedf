"""Lambda's functions: ListFunctions per Region, then per function its tags (GetFunction), aliases, the
resource policy of the function, each version and each alias (GetPolicy per qualifier), and its URL configs.

Versions come from the same list: ``ListFunctions`` with ``FunctionVersion=ALL`` has an entry for the
unpublished version (``$LATEST``, the function itself) and one for every published version of every function
(https://docs.aws.amazon.com/lambda/latest/api/API_ListFunctions.html), which saves one
``ListVersionsByFunction`` per function. The documentation does not say in which order the entries come, so
a function's versions are known only once the Region's whole list was read: each function is loaded as soon
as its ``$LATEST`` entry is listed, and the policies of its versions are read when the list is complete. A
list that fails part-way leaves the versions of the functions it did list unknown (``details_unknown``).

``ListFunctionUrlConfigs`` is not implemented by every endpoint (moto answers a bare HTTP 404). When an
endpoint does not know the operation, the URLs are asked with ``GetFunctionUrlConfig`` for the
unqualified function and for each alias instead.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any

import botocore.exceptions as bce

from ..inventory.events import EventSourcesListed, FunctionLoaded, FunctionsListed
from ..inventory.model import (
    NO_POLICY,
    NOT_LOADED,
    Alias,
    EventSourceMapping,
    Function,
    FunctionUrl,
    PolicySlot,
    RegionEventSources,
    Version,
)
from .compat import normalise_lambda_policy
from .fetching import (
    NOT_IMPLEMENTED_CODES,
    POLICY_READ_ERRORS,
    READ_ERRORS,
    MalformedResponse,
    Scheduler,
    error_code,
    excerpt,
    field_of,
    no_such_resource,
    optional_of,
    parse_document,
    tags_of,
)
from .lambda_config import event_invoke_config, event_source_mapping, function_config


def lambda_policy_slot(
    s: Scheduler, kind: str, resource: str, region: str, operation: str, params: dict[str, Any]
) -> PolicySlot:
    """A Lambda resource policy: the document, "no policy" (AWS's documented answer), or unknown.

    An answer without ``Policy`` (a cut or garbled body) is unknown: Lambda says "no policy" with an
    error, never with an empty success.
    """
    try:
        response = s.call("lambda", region, operation, **params)
        text = field_of(response, "Policy", str, operation)
        return PolicySlot(document=normalise_lambda_policy(parse_document(text)))
    except bce.ClientError as exc:
        if error_code(exc) == "ResourceNotFoundException" and no_such_resource(exc):
            return NO_POLICY
        return PolicySlot(unknown=s.fail(kind, resource, operation, exc))
    except POLICY_READ_ERRORS as exc:
        return PolicySlot(unknown=s.fail(kind, resource, operation, exc))


LATEST = "$LATEST"


@dataclass
class _RegionVersions:
    """The published versions one Region's ``ListFunctions(FunctionVersion=ALL)`` has listed so far.

    ``done`` once the list ended (read in full or not); ``unknown``: why the versions of every function of
    the Region may be incomplete; ``unknown_of``: the same for one function (an entry of it was damaged).
    Functions listed before the list ended wait in ``waiting`` for their versions.
    """

    versions: dict[str, list[Version]] = field(default_factory=dict)  # function name -> versions
    done: bool = False
    unknown: str | None = None
    unknown_of: dict[str, str] = field(default_factory=dict)
    waiting: list[_Assembly] = field(default_factory=list)


@dataclass(eq=False)
class _Assembly:
    """One function being loaded: each read fills its part; ``parts`` counts the reads still queued or
    running. The function is reported once they are all done and its Region's list has ended."""

    function: Function
    parts: int = 1  # load_function itself, until it has queued the others
    versions_listed: bool = False
    reported: bool = False
    tags: tuple[tuple[str, str], ...] = ()
    tags_unknown: str | None = None
    aliases: list[Alias] = field(default_factory=list)
    aliases_unknown: str | None = None
    versions: list[Version] = field(default_factory=list)
    versions_unknown: str | None = None
    policies: dict[str | None, PolicySlot] = field(default_factory=dict)  # qualifier -> policy
    urls: tuple[FunctionUrl, ...] | None = None
    urls_unknown: str | None = None
    invoke_configs: dict[str, Any] = field(default_factory=dict)

    def loaded(self) -> Function:
        """The function with every part read."""
        policy = self.policies.get
        reasons = [r for r in (self.aliases_unknown, self.versions_unknown) if r]
        return replace(
            self.function,
            tags=self.tags,
            tags_unknown=self.tags_unknown,
            policy=policy(None, NOT_LOADED),
            versions=tuple(replace(v, policy=policy(v.version, NOT_LOADED)) for v in self.versions),
            aliases=tuple(replace(a, policy=policy(a.name, NOT_LOADED)) for a in self.aliases),
            urls=self.urls,
            urls_unknown=self.urls_unknown,
            details_unknown="; ".join(reasons) or None,
            **self.invoke_configs,
        )


class LambdaFetcher:
    """Functions of every Region; ``fetch_tags=False`` leaves tags unread (and says so)."""

    def __init__(
        self, s: Scheduler, *, fetch_tags: bool = True, event_invoke_configs: frozenset[str] = frozenset()
    ) -> None:
        self.s = s
        self.fetch_tags = fetch_tags
        # ListFunctionEventInvokeConfigs is one call per function, so only for the functions named here
        # (ARNs or names; "*" = every function).
        self.event_invoke_configs = event_invoke_configs
        self._lock = threading.Lock()
        self._url_list_unsupported: set[str] = set()
        self._versions: dict[str, _RegionVersions] = {}

    def list_functions(self, region: str) -> None:
        """Page through ListFunctions (every version) in ``region``; each function is then loaded on its
        own task, and its versions' policies once the list has ended."""
        where = f"lambda:{region}"
        whole = True
        state = self._region_versions(region)
        try:
            for page in self.s.pages(
                "lambda",
                region,
                "ListFunctions",
                "Functions",
                "Marker",
                "NextMarker",
                FunctionVersion="ALL",
                MaxItems=50,
            ):
                listed: list[Function] = []
                for cfg in page:
                    try:
                        function = self._entry(region, cfg, state)
                    except MalformedResponse as exc:
                        # This entry is lost, so the Region's list is not whole; the others are kept. A
                        # lost version entry leaves its function's versions (or, nameless, every
                        # function's) unknown.
                        reason = self.s.fail("functions", where, "ListFunctions", exc)
                        self.s.unlist("functions", region, reason)
                        self._versions_unknown(state, cfg, reason)
                        whole = False
                        continue
                    if function is not None:
                        listed.append(function)
                functions = tuple(listed)
                self.s.emit(FunctionsListed(region, functions))
                self.s.progress("functions", total=len(functions))
                for fn in functions:
                    self.load_function(fn)
        except READ_ERRORS as exc:
            # The list itself failed: which (other) functions exist in this Region is unknown, and so are
            # the versions of those it did list (theirs may have been on the pages not read).
            reason = self.s.fail("functions", where, "ListFunctions", exc)
            self.s.unlist("functions", region, reason)
            self._versions_listed(state, f"ListFunctions did not list every version: {reason}")
            return
        if whole:
            self.s.listed_in_full("functions", region)
        self._versions_listed(state, None)

    def _region_versions(self, region: str) -> _RegionVersions:
        with self._lock:
            return self._versions.setdefault(region, _RegionVersions())

    def _entry(self, region: str, cfg: Any, state: _RegionVersions) -> Function | None:
        """The function of a ``$LATEST`` entry; a published version's entry is kept in ``state`` (None)."""
        where = "ListFunctions entry"
        number = field_of(cfg, "Version", str, where)
        if number == LATEST:
            return self._function_from_config(region, cfg)
        name = field_of(cfg, "FunctionName", str, where)
        arn = field_of(cfg, "FunctionArn", str, where)
        if not arn.endswith(f":{number}"):
            raise MalformedResponse(f"{where}: FunctionArn of version {excerpt(number, 20)!r} lacks it")
        with self._lock:
            state.versions.setdefault(name, []).append(Version(arn=arn, version=number))
        return None

    def _versions_unknown(self, state: _RegionVersions, cfg: Any, reason: str) -> None:
        name = cfg.get("FunctionName") if isinstance(cfg, dict) else None
        with self._lock:
            if isinstance(name, str):
                state.unknown_of.setdefault(name, f"a version entry could not be read: {reason}")
            else:
                state.unknown = state.unknown or f"an entry could not be read: {reason}"

    def _versions_listed(self, state: _RegionVersions, unknown: str | None) -> None:
        """The Region's list has ended: the functions that were waiting for their versions go on."""
        with self._lock:
            state.done = True
            state.unknown = state.unknown or unknown
            waiting, state.waiting = state.waiting, []
        for work in waiting:
            self._versions_known(work, state)

    def _function_from_config(self, region: str, cfg: Any) -> Function:
        where = "ListFunctions entry"
        layers = optional_of(cfg, "Layers", list, where) or []
        arn = field_of(cfg, "FunctionArn", str, where)
        # With FunctionVersion=ALL the unpublished version's ARN may carry the $LATEST qualifier.
        arn = arn.removesuffix(f":{LATEST}")
        return Function(
            arn=arn,
            name=field_of(cfg, "FunctionName", str, where),
            region=region,
            account=self.s.account_id or "",
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
        try:
            return {"config": function_config(cfg)}
        except MalformedResponse as exc:
            arn = cfg.get("FunctionArn") if isinstance(cfg, dict) else None
            resource = arn.removesuffix(f":{LATEST}") if isinstance(arn, str) else f"lambda:{region}"
            return {"config_unknown": self.s.fail("function-config", resource, "ListFunctions", exc)}

    def list_event_source_mappings(self, region: str) -> None:
        """Every mapping of the Region in one paginated list; a failure leaves its mappings unknown."""
        mappings: list[EventSourceMapping] = []
        unknown: str | None = None
        try:
            for page in self.s.pages(
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
                        unknown = unknown or self.s.fail(
                            "event-source-mappings", f"lambda:{region}", "ListEventSourceMappings", exc
                        )
        except READ_ERRORS as exc:
            unknown = self.s.fail("event-source-mappings", f"lambda:{region}", "ListEventSourceMappings", exc)
        self.s.emit(EventSourcesListed(RegionEventSources(region, tuple(mappings), unknown)))

    def _wants_event_invoke_configs(self, fn: Function) -> bool:
        """Whether this load reads the function's async invoke configs (else they are left "not read")."""
        wanted = self.event_invoke_configs
        return "*" in wanted or fn.arn in wanted or fn.name in wanted

    def read_event_invoke_configs(self, fn: Function) -> dict[str, Any]:
        """``event_invoke_configs`` of ``fn`` as read now, or ``event_invoke_configs_unknown`` (recorded)."""
        try:
            configs = [
                event_invoke_config(entry)
                for page in self.s.pages(
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
            reason = self.s.fail(
                "function-event-invoke-configs", fn.arn, "ListFunctionEventInvokeConfigs", exc
            )
            return {"event_invoke_configs_unknown": reason}
        return {"event_invoke_configs": tuple(configs)}

    def load_function(self, fn: Function) -> None:
        """Queue the reads of one function: tags, aliases, the policy of each qualifier, URL configs.

        Each read is a task of its own in the lane of its quota bucket (``Scheduler.submit_call``), so
        GetFunction, GetPolicy and the control-plane calls of many functions and Regions proceed side by
        side; the last part to arrive reports the function loaded.
        """
        work = _Assembly(fn)
        if self.fetch_tags:
            self._part(work, "GetFunction", self._tags, work)
        else:
            work.tags_unknown = "not loaded (this load did not read tags)"
        self._part(work, "ListAliases", self._aliases, work)
        self._part(work, "GetPolicy", self._qualifier_policy, work, None)
        if self._wants_event_invoke_configs(fn):
            self._part(work, "ListFunctionEventInvokeConfigs", self._invoke_configs, work)
        state = self._region_versions(fn.region)
        with self._lock:
            listed = state.done
            if not listed:
                state.waiting.append(work)
        if listed:
            self._versions_known(work, state)
        self._part_done(work)  # the part that queued the others

    def _part(self, work: _Assembly, operation: str, fn: Callable[..., None], *args: Any) -> None:
        with self._lock:
            work.parts += 1
        self.s.submit_call(work.function.region, operation, fn, *args)

    def _part_done(self, work: _Assembly) -> None:
        with self._lock:
            work.parts -= 1
            done = work.parts == 0 and work.versions_listed and not work.reported
            work.reported = work.reported or done
        if done:
            self.s.emit(FunctionLoaded(work.loaded()))
            self.s.progress("functions", done=1)

    def _versions_known(self, work: _Assembly, state: _RegionVersions) -> None:
        """The Region's list has ended: read the policy of each of the function's versions."""
        name = work.function.name
        with self._lock:
            versions = sorted(state.versions.get(name, ()), key=_version_order)
            unknown = state.unknown_of.get(name) or state.unknown
            work.versions = versions
            work.versions_unknown = unknown
            work.parts += 1  # held until the version parts are queued
            work.versions_listed = True
        for version in versions:
            self._part(work, "GetPolicy", self._qualifier_policy, work, version.version)
        self._part_done(work)

    def _tags(self, work: _Assembly) -> None:
        fn = work.function
        # GetFunction has its own, larger quota (100/s) than ListTags (shared 15/s bucket).
        try:
            response = self.s.call("lambda", fn.region, "GetFunction", FunctionName=fn.name)
            field_of(response, "Configuration", dict, "GetFunction")  # a cut body has none
            work.tags = tags_of(response.get("Tags"), "GetFunction")
        except READ_ERRORS as exc:
            work.tags_unknown = self.s.fail("function-tags", fn.arn, "GetFunction", exc)
        self._part_done(work)

    def _aliases(self, work: _Assembly) -> None:
        """ListAliases, then each alias's policy and the URL configs (whose fallback asks per alias)."""
        fn = work.function
        aliases: list[Alias] = []
        try:
            for page in self.s.pages(
                "lambda", fn.region, "ListAliases", "Aliases", "Marker", "NextMarker", FunctionName=fn.name
            ):
                aliases.extend(_alias(a) for a in page)
        except READ_ERRORS as exc:
            # What was read is kept; the failure makes the function's aliases unknown.
            work.aliases_unknown = self.s.fail("function", fn.arn, "ListAliases", exc)
        work.aliases = aliases
        for alias in aliases:
            self._part(work, "GetPolicy", self._qualifier_policy, work, alias.name)
        operation = (
            "GetFunctionUrlConfig" if fn.region in self._url_list_unsupported else "ListFunctionUrlConfigs"
        )
        self._part(work, operation, self._urls, work)
        self._part_done(work)

    def _qualifier_policy(self, work: _Assembly, qualifier: str | None) -> None:
        slot = self._policy(work.function, qualifier)
        with self._lock:
            work.policies[qualifier] = slot
        self._part_done(work)

    def _urls(self, work: _Assembly) -> None:
        work.urls, work.urls_unknown = self._function_urls(work.function, work.aliases)
        self._part_done(work)

    def _invoke_configs(self, work: _Assembly) -> None:
        work.invoke_configs = self.read_event_invoke_configs(work.function)
        self._part_done(work)

    def _policy(self, fn: Function, qualifier: str | None) -> PolicySlot:
        resource = fn.arn if qualifier is None else f"{fn.arn}:{qualifier}"
        params: dict[str, Any] = {"FunctionName": fn.name}
        if qualifier is not None:
            params["Qualifier"] = qualifier
        return lambda_policy_slot(self.s, "function-policy", resource, fn.region, "GetPolicy", params)

    def _function_urls(
        self, fn: Function, aliases: list[Alias]
    ) -> tuple[tuple[FunctionUrl, ...] | None, str | None]:
        region = fn.region
        if region not in self._url_list_unsupported:
            try:
                urls: list[FunctionUrl] = []
                for page in self.s.pages(
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
                if error_code(exc) not in NOT_IMPLEMENTED_CODES:
                    return None, self.s.fail("function-url", fn.arn, "ListFunctionUrlConfigs", exc)
                with self._lock:
                    self._url_list_unsupported.add(region)
            except READ_ERRORS as exc:
                return None, self.s.fail("function-url", fn.arn, "ListFunctionUrlConfigs", exc)
        # Fallback for endpoints without ListFunctionUrlConfigs: one GetFunctionUrlConfig per qualifier.
        found: list[FunctionUrl] = []
        for qualifier in [None, *(a.name for a in aliases)]:
            params: dict[str, Any] = {"FunctionName": fn.name}
            if qualifier is not None:
                params["Qualifier"] = qualifier
            try:
                cfg = self.s.call("lambda", region, "GetFunctionUrlConfig", **params)
                found.append(self._url(fn, cfg, qualifier))
            except bce.ClientError as exc:
                # Same wording rule as GetPolicy: "The resource you requested does not exist." means no URL
                # on this qualifier; "Function not found: ..." means the function went away mid-load.
                if error_code(exc) == "ResourceNotFoundException" and no_such_resource(exc):
                    continue
                return None, self.s.fail("function-url", fn.arn, "GetFunctionUrlConfig", exc)
            except READ_ERRORS as exc:
                return None, self.s.fail("function-url", fn.arn, "GetFunctionUrlConfig", exc)
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


def _version_order(version: Version) -> tuple[int, str]:
    """Published versions in number order (the list's order is not documented)."""
    return (int(version.version), "") if version.version.isdigit() else (1 << 62, version.version)


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
