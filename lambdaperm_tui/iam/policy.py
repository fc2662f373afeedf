"""Policy documents parsed, validated and compiled into immutable objects.

Grammar followed: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_grammar.html and
the element pages (Version, Id, Statement, Sid, Effect, Principal, NotPrincipal, Action, NotAction,
Resource, NotResource, Condition) under
https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements.html.

A document is validated in full when it is parsed (a bad statement is a ``PolicyError`` at once, never
later), but its statements are built lazily: a request builds only the statements its service can
reach (``Policy.for_action``), and ``Policy.statements`` builds the rest. Action and resource patterns
become wildcard matchers on first match (actions are case-insensitive, ARNs case-sensitive;
``iam/wildcard.py``), principals a structured list. Identical documents share one parse.
"""

from __future__ import annotations

import json
import marshal
import re
from dataclasses import dataclass, field
from functools import cache
from typing import Any, Literal

from .conditions import Condition, parse_conditions
from .context import RequestContext
from .errors import PolicyError
from .variables import compile_pattern, has_variables
from .wildcard import Flavor, Wildcard, wildcard

__all__ = [
    "ActionPattern",
    "Policy",
    "PrincipalEntry",
    "PrincipalSpec",
    "ResourcePattern",
    "STATEMENT_ELEMENTS",
    "Statement",
    "VERSION_2008",
    "VERSION_2012",
    "parse_policy",
    "principal_entry",
]

VERSION_2012 = "2012-10-17"
VERSION_2008 = "2008-10-17"

_TOP_KEYS = frozenset({"Version", "Id", "Statement"})
# A statement's elements, in the order AWS writes them (GetPolicy's output, the IAM console).
STATEMENT_ELEMENTS = (
    "Sid",
    "Effect",
    "Principal",
    "NotPrincipal",
    "Action",
    "NotAction",
    "Resource",
    "NotResource",
    "Condition",
)
_STATEMENT_KEYS = frozenset(STATEMENT_ELEMENTS)
_PRINCIPAL_KEYS = ("AWS", "Service", "Federated", "CanonicalUser")
# Principal ARN forms: compiled on first use (only policies with a Principal element need them; each
# compile costs time at every start of the command line).
_PRINCIPAL_SOURCES = (
    r"^\d{12}$",
    r"^arn:(aws(?:-[a-z]+)*):iam::(\d{12}):root$",
    r"^arn:(aws(?:-[a-z]+)*):iam::(\d{12}):user/(?:.*/)?([^/]+)$",
    r"^arn:(aws(?:-[a-z]+)*):iam::(\d{12}):role/(?:.*/)?([^/]+)$",
    r"^arn:(aws(?:-[a-z]+)*):sts::(\d{12}):assumed-role/([^/]+)/([^/]+)$",
    r"^arn:(aws(?:-[a-z]+)*):sts::(\d{12}):federated-user/([^/]+)$",
)
# Used only in error messages (re caches the compiled form).
_PLAIN_KEY = r"^[A-Za-z0-9_]{1,64}$"
_CONTROL = r"[\x00-\x1f\x7f\x85\u2028\u2029]"


@cache
def _principal_patterns() -> tuple[re.Pattern[str], ...]:
    return tuple(re.compile(source) for source in _PRINCIPAL_SOURCES)


_ACTION_RE = re.compile(r"^[A-Za-z0-9*?_.-]+:[A-Za-z0-9*?_.-]+$")

# Distinct actions remembered per policy (see Policy.for_action).
_ACTION_MEMO_LIMIT = 4096


@dataclass(frozen=True, slots=True)
class ActionPattern:
    """One Action/NotAction value, matched case-insensitively against ``service:Action``.

    The matcher (``iam/wildcard.py``) is prepared on first match: most patterns of a batch are never
    tested against a request.
    """

    text: str
    value: str = field(compare=False)  # the pattern lowercased
    glob: Wildcard | None = field(compare=False, default=None, repr=False)
    # The service prefix when it is fixed text (``lambda`` for ``lambda:Get*``), else None.
    service: str | None = field(compare=False, default=None, repr=False)

    @staticmethod
    def compile(text: str) -> ActionPattern:
        """Read a pattern (callers validate its shape first)."""
        value = text.lower()
        svc, colon, _ = value.partition(":")
        fixed = svc if colon and "*" not in svc and "?" not in svc else None
        return ActionPattern(text, value, service=fixed)

    def matches(self, action_lower: str) -> bool:
        """True when the (already lowercased) action matches this pattern."""
        glob = self.glob
        if glob is None:
            glob = wildcard(self.value)
            object.__setattr__(self, "glob", glob)
        return glob.matches(action_lower)


@dataclass(frozen=True, slots=True)
class ResourcePattern:
    """One Resource/NotResource value, matched case-sensitively (``*`` and ``?`` wildcards).

    With policy variables (only under Version 2012-10-17) the pattern is resolved per request.
    Plain data only (no closures), so compiled policies can be copied and pickled. The matcher
    (``iam/wildcard.py``, ``Flavor.RESOURCE``) is prepared on first match. ``?`` and a ``*`` inside a
    segment never match a colon; a ``*`` that ends its segment may ("If the * wildcard is the last
    character of a resource ARN segment, it can expand to match beyond the colon boundaries"):
    https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_resource.html#reference_policies_elements_resource_wildcards
    """

    text: str
    variables: bool = field(compare=False, default=False)
    glob: Wildcard | None = field(compare=False, default=None, repr=False)

    @staticmethod
    def compile(text: str, variables_in_force: bool) -> ResourcePattern:
        """Read a pattern; variable-bearing patterns are resolved at evaluation time."""
        return ResourcePattern(text, variables_in_force and has_variables(text))

    def matches(self, resource: str, ctx: RequestContext | None) -> bool:
        """True when ``resource`` matches; variables are substituted from ``ctx`` first.

        A variable with no value and no default makes the entry match nothing
        (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_variables.html).
        """
        glob = self.glob
        if glob is None:
            if self.variables:
                resolved = compile_pattern(self.text, ctx, flavor=Flavor.RESOURCE)
                return resolved is not None and resolved.matches(resource)
            glob = wildcard(self.text, Flavor.RESOURCE)
            object.__setattr__(self, "glob", glob)
        return glob.matches(resource)


PrincipalEntryKind = Literal[
    "any",
    "account",
    "user",
    "role",
    "session",
    "federated_user",
    "service",
    "federated",
    "canonical",
    "other",
]


@dataclass(frozen=True, slots=True)
class PrincipalEntry:
    """One value of a Principal/NotPrincipal element, classified once.

    ``kind``: ``any`` (``"*"``), ``account`` (bare id or ``:root`` ARN), ``user``, ``role``, ``session``
    (assumed-role session ARN), ``federated_user``, ``service``, ``federated`` (identity provider),
    ``canonical`` (S3 canonical user), ``other`` (e.g. a unique id left by a deleted role: it matches
    nothing). ``account``/``name``/``partition`` hold the parts the matcher needs.
    """

    key: str  # "AWS", "Service", "Federated", "CanonicalUser" or "*"
    value: str
    kind: PrincipalEntryKind
    account: str | None = None
    name: str | None = None
    partition: str | None = None


@dataclass(frozen=True, slots=True)
class PrincipalSpec:
    """A Principal or NotPrincipal element: its entries, and the element as written (for explanations)."""

    entries: tuple[PrincipalEntry, ...]
    written: Any = field(compare=False, default=None)


@dataclass(frozen=True, slots=True)
class Statement:
    """One statement of a policy, compiled.

    Exactly one of ``action``/``not_action`` is set; at most one of ``resource``/``not_resource`` (a
    statement with neither, as in a role trust policy, applies to any resource); at most one of
    ``principal``/``not_principal``.
    """

    index: int
    sid: str | None
    effect: Literal["Allow", "Deny"]
    action: tuple[ActionPattern, ...] | None = None
    not_action: tuple[ActionPattern, ...] | None = None
    resource: tuple[ResourcePattern, ...] | None = None
    not_resource: tuple[ResourcePattern, ...] | None = None
    principal: PrincipalSpec | None = None
    not_principal: PrincipalSpec | None = None
    conditions: tuple[Condition, ...] = ()
    resource_variables: bool = field(default=False, compare=False)  # a Resource entry holds a variable

    # Plain loops rather than any()/all(): these run on the hot path of every decision.
    def matches_action(self, action_lower: str) -> bool:
        """Action/NotAction test for a lowercased ``service:action``."""
        if self.action is not None:
            for p in self.action:  # noqa: SIM110
                if p.matches(action_lower):
                    return True
            return False
        if self.not_action is not None:
            for p in self.not_action:  # noqa: SIM110
                if p.matches(action_lower):
                    return False
            return True
        return False

    def matches_resource(self, resource: str, ctx: RequestContext | None) -> bool:
        """Resource/NotResource test (``ctx`` None: variables not in force)."""
        if self.resource is not None:
            for p in self.resource:  # noqa: SIM110
                if p.matches(resource, ctx):
                    return True
            return False
        if self.not_resource is not None:
            for p in self.not_resource:  # noqa: SIM110
                if p.matches(resource, ctx):
                    return False
            return True
        return True


class _Body:
    """The validated statements of one document, built into ``Statement`` objects when first asked for.

    Shared by every policy parsed from the same document (the key is its content, see ``_bodies``). The
    statements are built from the document's own statement objects, which ``parse_policy`` requires to
    stay unchanged (a private copy cost more than building). Building never fails: the parse checked
    every statement with the helpers that build it. Plain data (no closures): a policy can be copied
    and pickled.
    """

    __slots__ = (
        "_actions",
        "_all",
        "_buckets",
        "_built",
        "_raw",
        "context_free",
        "count",
        "every_resource",
        "names_principal",
        "variables",
    )

    def __init__(
        self,
        raw: list[Any],
        actions: list[tuple[ActionPattern, ...] | None],
        built: list[Statement | None],
        variables: bool,
        *,
        context_free: bool,
        every_resource: bool,
        names_principal: bool,
    ) -> None:
        self._raw: list[Any] | None = raw
        self._actions = actions  # per statement: its Action patterns, None for NotAction
        self._built = built
        self._all: tuple[Statement, ...] | None = None
        self._buckets: dict[str, tuple[Statement, ...]] = {}
        self.count = len(actions)
        self.variables = variables
        self.context_free = context_free
        self.every_resource = every_resource
        self.names_principal = names_principal

    def statement(self, index: int) -> Statement:
        st = self._built[index]
        if st is None:
            raw = self._raw
            assert raw is not None  # dropped only once every statement is built
            st = self._built[index] = _statement(raw[index], index, self.variables)
        return st

    def statements(self) -> tuple[Statement, ...]:
        every = self._all
        if every is None:
            every = self._all = tuple([self.statement(i) for i in range(self.count)])
            self._raw = None  # every statement is built: the copy is no longer needed
        return every

    def candidates(self, service: str) -> tuple[Statement, ...]:
        hit = self._buckets.get(service)
        if hit is None:
            picked = []
            for i, patterns in enumerate(self._actions):
                if patterns is None:  # NotAction: any service
                    picked.append(self.statement(i))
                    continue
                for p in patterns:
                    svc = p.service
                    if svc is None or svc == service:
                        picked.append(self.statement(i))
                        break
            hit = tuple(picked)
            if len(self._buckets) >= _ACTION_MEMO_LIMIT:
                self._buckets.clear()
            self._buckets[service] = hit
        return hit


@dataclass(frozen=True, slots=True, eq=False)
class Policy:
    """A parsed policy: its name (for explanations), Version, Id, statements and the raw document.

    ``variables`` is True under Version 2012-10-17 only: with 2008-10-17 or no Version, ``${...}`` is
    literal text (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_version.html).
    Two policies are equal when their names, Versions, Ids and statements are.
    """

    name: str
    version: str | None
    id: str | None
    document: Any = field(repr=False)
    _body: _Body = field(repr=False)
    _by_action: dict[str, tuple[Statement, ...]] = field(default_factory=dict, repr=False, init=False)
    # evaluate.py's memo: this policy's outcome per request shape (context_free policies), and what a
    # statement's Action and Resource say about an action and resource. Bounded; never changes meaning.
    outcomes: dict[Any, Any] = field(default_factory=dict, repr=False, init=False)

    @property
    def statements(self) -> tuple[Statement, ...]:
        """Every statement, in document order."""
        return self._body.statements()

    @property
    def statement_count(self) -> int:
        """How many statements the policy has (without building them)."""
        return self._body.count

    @property
    def variables(self) -> bool:
        """True when policy variables are in force (Version 2012-10-17)."""
        return self.version == VERSION_2012

    @property
    def context_free(self) -> bool:
        """True when no statement has a Condition or a Resource holding a policy variable in force:
        what a statement says about a request then depends on the action and resource alone."""
        return self._body.context_free

    @property
    def every_resource(self) -> bool:
        """True when every statement has Resource or NotResource (a role trust policy has neither)."""
        return self._body.every_resource

    @property
    def names_principal(self) -> bool:
        """True when some statement has Principal or NotPrincipal."""
        return self._body.names_principal

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Policy):
            return NotImplemented
        return (self.name, self.version, self.id) == (other.name, other.version, other.id) and (
            self._body is other._body or self.statements == other.statements
        )

    def __hash__(self) -> int:
        return hash((self.name, self.version, self.id, self.statements))

    def candidates(self, service: str) -> tuple[Statement, ...]:
        """The statements whose Action/NotAction could match an action of ``service`` (lowercase), in
        document order; built on first use."""
        return self._body.candidates(service)

    def for_action(self, action_lower: str, service: str) -> tuple[Statement, ...]:
        """The statements whose Action/NotAction matches ``action_lower``, in document order.

        Memoised per policy: the answer depends only on the (immutable) statements and the action, so
        evaluating the same policies for many requests tests each action pattern once. The memo is
        bounded and private; it never changes what the policy means.
        """
        hit = self._by_action.get(action_lower)
        if hit is None:
            hit = tuple(st for st in self.candidates(service) if st.matches_action(action_lower))
            if len(self._by_action) >= _ACTION_MEMO_LIMIT:
                self._by_action.clear()
            self._by_action[action_lower] = hit
        return hit


# ---------------------------------------------------------------------------------------------- parsing


def _q(value: Any) -> str:
    """A short, quoted rendering of a bad value for an error message."""
    try:
        text = json.dumps(value, ensure_ascii=False)
    except (TypeError, ValueError, RecursionError):
        text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


def _string_list(value: Any, where: str) -> tuple[str, ...]:
    if type(value) is str:
        return (value,)  # the common case first
    if isinstance(value, str):
        values: list[Any] = [value]
    elif isinstance(value, list):
        if not value:
            raise PolicyError(f"{where}: must not be an empty list")
        values = value
    else:
        raise PolicyError(f"{where}: must be a string or a list of strings, got {_q(value)}")
    out: list[str] = []
    for i, v in enumerate(values):
        if not isinstance(v, str):
            raise PolicyError(f"{where}[{i}]: must be a string, got {_q(v)}")
        out.append(v)
    return tuple(out)


# Patterns are immutable values (their matcher is prepared once, on first match), and policies repeat
# the same texts ("lambda:*", "arn:aws:s3:::bucket/*") across statements and documents: one object per
# text serves them all, validated and compiled once. Bounded.
_PATTERNS_MAX = 65536
_ABSENT = object()  # an element the statement does not have (None is a value JSON can give)
_action_patterns: dict[str, ActionPattern] = {}
_resource_patterns: dict[tuple[str, bool], ResourcePattern] = {}


def _actions(value: Any, index: int, element: str) -> tuple[ActionPattern, ...]:
    if type(value) is str:
        one = _action_patterns.get(value)
        if one is not None:
            return (one,)
    texts = _string_list(value, f"Statement[{index}].{element}")
    out = []
    known = _action_patterns
    for i, t in enumerate(texts):
        pattern = known.get(t)
        if pattern is None:
            if t != "*" and not _ACTION_RE.fullmatch(t):
                at = f"Statement[{index}].{element}" + (f"[{i}]" if isinstance(value, list) else "")
                raise PolicyError(f'{at}: {_q(t)} is not "service:action" or "*"')
            pattern = ActionPattern.compile(t)
            if len(known) >= _PATTERNS_MAX:
                known.clear()
            known[t] = pattern
        out.append(pattern)
    return tuple(out)


def _resources(value: Any, index: int, element: str, variables: bool) -> tuple[ResourcePattern, ...]:
    known = _resource_patterns
    if type(value) is str:
        one = known.get((value, variables))
        if one is not None:
            return (one,)
    texts = _string_list(value, f"Statement[{index}].{element}")
    out = []
    for i, t in enumerate(texts):
        pattern = known.get((t, variables))
        if pattern is None:
            if not t:
                at = f"Statement[{index}].{element}" + (f"[{i}]" if isinstance(value, list) else "")
                raise PolicyError(f"{at}: must not be empty")
            pattern = ResourcePattern.compile(t, variables)
            if len(known) >= _PATTERNS_MAX:
                known.clear()
            known[(t, variables)] = pattern
        out.append(pattern)
    return tuple(out)


def principal_entry(key: str, value: str) -> PrincipalEntry:
    """One value of a Principal element under ``key`` (``AWS``, ``Service``, ...), classified: the one
    reading of the principal forms of a policy, which the analysis layer also uses to list principals.

    https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html
    """
    if value == "*":
        # {"AWS": "*"} is the same as "*"; other keys with "*" are only meaningful in trust policies.
        return PrincipalEntry(key, value, "any" if key == "AWS" else "other")
    if key == "Service":
        return PrincipalEntry(key, value, "service", name=value)
    if key == "Federated":
        return PrincipalEntry(key, value, "federated", name=value)
    if key == "CanonicalUser":
        return PrincipalEntry(key, value, "canonical", name=value)
    account_re, root_re, user_re, role_re, session_re, federated_re = _principal_patterns()
    if account_re.fullmatch(value):
        return PrincipalEntry(key, value, "account", account=value)
    m = root_re.fullmatch(value)
    if m:
        return PrincipalEntry(key, value, "account", account=m.group(2), partition=m.group(1))
    m = user_re.fullmatch(value)
    if m:
        return PrincipalEntry(key, value, "user", account=m.group(2), name=m.group(3), partition=m.group(1))
    m = role_re.fullmatch(value)
    if m:
        return PrincipalEntry(key, value, "role", account=m.group(2), name=m.group(3), partition=m.group(1))
    m = session_re.fullmatch(value)
    if m:
        return PrincipalEntry(
            key, value, "session", account=m.group(2), name=m.group(3), partition=m.group(1)
        )
    m = federated_re.fullmatch(value)
    if m:
        return PrincipalEntry(
            key, value, "federated_user", account=m.group(2), name=m.group(3), partition=m.group(1)
        )
    return PrincipalEntry(key, value, "other")


def _principal(value: Any, where: str) -> PrincipalSpec:
    if isinstance(value, str):
        if value != "*":
            raise PolicyError(
                f'{where}: must be "*" or an object with AWS/Service/Federated/CanonicalUser, got {_q(value)}'
            )
        return PrincipalSpec((PrincipalEntry("*", "*", "any"),), value)
    if not isinstance(value, dict):
        raise PolicyError(
            f'{where}: must be "*" or an object with AWS/Service/Federated/CanonicalUser, got {_q(value)}'
        )
    if not value:
        raise PolicyError(f"{where}: must name at least one principal")
    entries: list[PrincipalEntry] = []
    for key, raw in value.items():
        if key not in _PRINCIPAL_KEYS:
            raise PolicyError(
                f"{where}: unknown principal type {_q(key)} "
                "(expected AWS, Service, Federated or CanonicalUser)"
            )
        for text in _string_list(raw, f"{where}.{key}"):
            if not text:
                raise PolicyError(f"{where}.{key}: must not contain an empty string")
            entries.append(principal_entry(key, text))
    return PrincipalSpec(tuple(entries), value)


# Parsed Condition elements by their raw content (see _bodies for why marshal's bytes are a safe
# key): policies repeat the same few blocks (an IP range, a SecureTransport guard, a tag check).
_conditions_cache: dict[tuple[bytes, bool], tuple[Condition, ...]] = {}


def _conditions(raw: Any, where: str, variables: bool) -> tuple[Condition, ...]:
    try:
        key: tuple[bytes, bool] | None = (marshal.dumps(raw, _MARSHAL_KEY_VERSION), variables)
    except (ValueError, RecursionError):
        key = None  # holds a value JSON has no form for: parsed (and rejected) without caching
    hit = _conditions_cache.get(key) if key is not None else None
    if hit is None:
        hit = parse_conditions(raw, where, variables=variables)
        if key is not None:
            if len(_conditions_cache) >= _PATTERNS_MAX:
                _conditions_cache.clear()
            _conditions_cache[key] = hit
    return hit


def _statement(obj: Any, index: int, variables: bool) -> Statement:
    # The hot path of every parse: element paths for messages are written only when there is an error.
    if not isinstance(obj, dict):
        raise PolicyError(f"Statement[{index}]: must be an object, got {_q(obj)}")
    if not _STATEMENT_KEYS.issuperset(obj):
        key = next(k for k in obj if k not in _STATEMENT_KEYS)  # the first, in document order
        raise PolicyError(f"Statement[{index}]: unknown element {_q(key)}")
    get = obj.get
    sid = get("Sid")
    if sid is not None and not isinstance(sid, str):
        raise PolicyError(f"Statement[{index}].Sid: must be a string, got {_q(sid)}")
    effect = get("Effect", _ABSENT)
    if effect is not _ABSENT and effect != "Allow" and effect != "Deny":
        raise PolicyError(f'Statement[{index}].Effect: must be "Allow" or "Deny", got {_q(effect)}')
    if effect is _ABSENT:
        raise PolicyError(f'Statement[{index}].Effect: missing (must be "Allow" or "Deny")')
    # _ABSENT, not None, for a missing element: ``"Action": null`` is present, and an error.
    action, not_action = get("Action", _ABSENT), get("NotAction", _ABSENT)
    resource_raw, not_resource_raw = get("Resource", _ABSENT), get("NotResource", _ABSENT)
    principal_raw, not_principal_raw = get("Principal", _ABSENT), get("NotPrincipal", _ABSENT)
    for a, b in (("Action", "NotAction"), ("Resource", "NotResource"), ("Principal", "NotPrincipal")):
        if a in obj and b in obj:
            raise PolicyError(f"Statement[{index}]: has both {a} and {b}; use one")
    if "Action" not in obj and "NotAction" not in obj:
        raise PolicyError(f"Statement[{index}].Action: missing (a statement needs Action or NotAction)")
    conditions: tuple[Condition, ...] = ()
    if "Condition" in obj:
        conditions = _conditions(obj["Condition"], f"Statement[{index}].Condition", variables)
    resource = None if resource_raw is _ABSENT else _resources(resource_raw, index, "Resource", variables)
    not_resource = (
        None if not_resource_raw is _ABSENT else _resources(not_resource_raw, index, "NotResource", variables)
    )
    return Statement(
        index=index,
        sid=sid,
        effect="Allow" if effect == "Allow" else "Deny",
        action=None if action is _ABSENT else _actions(action, index, "Action"),
        not_action=None if not_action is _ABSENT else _actions(not_action, index, "NotAction"),
        resource=resource,
        not_resource=not_resource,
        principal=(
            None if principal_raw is _ABSENT else _principal(principal_raw, f"Statement[{index}].Principal")
        ),
        not_principal=(
            None
            if not_principal_raw is _ABSENT
            else _principal(not_principal_raw, f"Statement[{index}].NotPrincipal")
        ),
        conditions=conditions,
        resource_variables=any(p.variables for p in (resource or not_resource or ())),
    )


def parse_policy(document: Any, name: str) -> Policy:
    """Validate and compile a policy document (a parsed JSON object, or its JSON text).

    The whole document is validated now; statements are built when first used, from the document's
    own objects, so the document must not be changed afterwards (``Policy.document`` keeps it too).
    Identical documents share one parse, and the same name and document give the same ``Policy``.

    Raises ``PolicyError`` whose message names the place, e.g.
    ``Statement[1].Effect: must be "Allow" or "Deny", got "allow"``; messages are always one line
    (control characters from the document are escaped). A document without ``Statement`` is accepted
    as a policy with no statements (it allows nothing and denies nothing).
    """
    try:
        return _parse_policy(document, name)
    except PolicyError as exc:
        message = str(exc)
        if re.search(_CONTROL, message):
            raise PolicyError(re.sub(_CONTROL, lambda m: repr(m.group())[1:-1], message)) from None
        raise


def _parse_policy(document: Any, name: str) -> Policy:
    if isinstance(document, (bytes, bytearray)):
        try:
            document = document.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise PolicyError(f"document: not UTF-8 text ({exc.reason})") from None
    if isinstance(document, str):
        try:
            document = json.loads(document)
        except json.JSONDecodeError as exc:
            from .render import json_error_words  # render imports the request, which imports this module

            raise PolicyError(f"document: not valid JSON {json_error_words(exc)}") from None
        except RecursionError:
            raise PolicyError("document: JSON nested too deeply") from None
    if not isinstance(document, dict):
        raise PolicyError(f"document: must be a JSON object, got {_q(document)}")
    if not _TOP_KEYS.issuperset(document):
        element = next(k for k in document if k not in _TOP_KEYS)
        shown = element if isinstance(element, str) and re.fullmatch(_PLAIN_KEY, element) else _q(element)
        raise PolicyError(f"{shown}: unknown top-level element")
    version = document.get("Version")
    if version is not None and version not in (VERSION_2012, VERSION_2008):
        raise PolicyError(f'Version: must be "{VERSION_2012}" or "{VERSION_2008}", got {_q(version)}')
    pid = document.get("Id")
    if pid is not None and not isinstance(pid, str):
        raise PolicyError(f"Id: must be a string, got {_q(pid)}")
    raw_statements = _statement_list(document)
    variables = version == VERSION_2012
    try:
        key: bytes | None = marshal.dumps(document, _MARSHAL_KEY_VERSION)
    except (ValueError, RecursionError):
        key = None  # holds a value JSON has no form for: parsed (and likely rejected) without caching
    if key is None:
        return Policy(name, version, pid, document, _parse_body(raw_statements, variables, lazy=False))
    policy = _policies.get((name, key))
    if policy is None:
        body = _bodies.get(key)
        if body is None:
            body = _parse_body(raw_statements, variables, lazy=True)
            if len(_bodies) >= _STATEMENTS_MAX:
                _bodies.clear()
            _bodies[key] = body
        policy = Policy(name, version, pid, document, body)
        if len(_policies) >= _STATEMENTS_MAX:
            _policies.clear()
        _policies[(name, key)] = policy
    return policy


def _statement_list(document: dict[str, Any]) -> list[Any]:
    raw = document.get("Statement", [])
    if isinstance(raw, dict):
        return [raw]
    if isinstance(raw, list):
        return raw
    raise PolicyError(f"Statement: must be an object or a list of objects, got {_q(raw)}")


# Parsed documents by their content: accounts attach the same document to many roles under different
# names (inline copies, one managed policy per role), a batch repeats a role's documents on many lines,
# and parsed statements are immutable, so one parse serves them all (``_bodies``), and one ``Policy``
# every use of the same name (``_policies``, so evaluate.py's memos on it are shared too). marshal's bytes
# tell apart every JSON value (true from 1, 1 from 1.0, key order included), so equal keys mean equal
# documents. Format 4 (about twice as cheap as 2: it copies ASCII strings as they are) writes
# back-references where the parsed JSON shares objects, so equal documents may give different bytes (a
# miss), never equal bytes for different ones (the bytes decode to the value). Bounded.
_MARSHAL_KEY_VERSION = 4
_STATEMENTS_MAX = 8192
_bodies: dict[bytes, _Body] = {}
_policies: dict[tuple[str, bytes], Policy] = {}


def _parse_body(raw: list[Any], variables: bool, *, lazy: bool) -> _Body:
    """Validate every statement of ``raw`` (raising the ``PolicyError`` of the first bad one), building
    only those the quick check (``_checked``) does not vouch for; not ``lazy`` (a document holding
    values JSON has no form for, so not plain data), every statement is built now."""
    actions: list[tuple[ActionPattern, ...] | None] = []
    built: list[Statement | None] = []
    context_free = every_resource = True
    names_principal = False
    for index, obj in enumerate(raw):
        facts = _checked(obj, index, variables) if lazy else None
        if facts is None:
            st = _statement(obj, index, variables)  # the error of a bad statement, in full
            actions.append(st.action)
            built.append(st)
            if st.conditions or (variables and st.resource_variables):
                context_free = False
            if st.resource is None and st.not_resource is None:
                every_resource = False
            if st.principal is not None or st.not_principal is not None:
                names_principal = True
            continue
        patterns, dependent, resource, principal = facts
        actions.append(patterns)
        built.append(None)
        if dependent:
            context_free = False
        if not resource:
            every_resource = False
        if principal:
            names_principal = True
    return _Body(
        raw,
        actions,
        built,
        variables,
        context_free=context_free,
        every_resource=every_resource,
        names_principal=names_principal,
    )


def _either(obj: dict[str, Any], element: str, negated: str) -> tuple[str | None, Any]:
    """Which of an element and its ``Not`` form a statement has, and its value: ``(element, _ABSENT)``
    for neither, ``(None, _ABSENT)`` for both (an error ``_statement`` words)."""
    value = obj.get(element, _ABSENT)
    if value is not _ABSENT:
        return (None, _ABSENT) if negated in obj else (element, value)
    return negated, obj.get(negated, _ABSENT)


_Facts = tuple[tuple[ActionPattern, ...] | None, bool, bool, bool]


def _checked(obj: Any, index: int, variables: bool) -> _Facts | None:
    """What the parse needs of a valid statement without building it: its Action patterns (None for
    NotAction), whether it depends on the request context (a Condition, or a Resource variable in
    force), whether it has Resource/NotResource, whether it names a principal. None when the statement
    is not plainly valid: ``_statement`` then raises its error (or builds it). Every element is
    checked by the helpers ``_statement`` builds it with, so a statement this passes always builds."""
    if type(obj) is not dict or not _STATEMENT_KEYS.issuperset(obj):
        return None
    get = obj.get
    effect = get("Effect")
    if effect != "Allow" and effect != "Deny":
        return None
    sid = get("Sid")
    if sid is not None and type(sid) is not str:
        return None
    try:
        action = get("Action", _ABSENT)
        if action is not _ABSENT:
            if "NotAction" in obj:
                return None
            patterns: tuple[ActionPattern, ...] | None = _actions(action, index, "Action")
        else:
            not_action = get("NotAction", _ABSENT)
            if not_action is _ABSENT:
                return None
            _actions(not_action, index, "NotAction")
            patterns = None
        dependent = False
        element, resource = _either(obj, "Resource", "NotResource")
        if element is None:
            return None
        if resource is not _ABSENT:
            for p in _resources(resource, index, element, variables):
                if p.variables:
                    dependent = True
        if "Condition" in obj and _conditions(obj["Condition"], f"Statement[{index}].Condition", variables):
            dependent = True
        element, principal = _either(obj, "Principal", "NotPrincipal")
        if element is None:
            return None
        if principal is not _ABSENT:
            _principal(principal, f"Statement[{index}].{element}")
    except PolicyError:
        return None
    return patterns, dependent, resource is not _ABSENT, principal is not _ABSENT
