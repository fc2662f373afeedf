"""The scenario file contract (README.md, "The scenario file"): one JSON object in, one ``Request`` and
its ``PolicySet`` out.

A scenario says exactly what to evaluate, offline::

    {
      "principal": "arn:aws:iam::111122223333:role/orders-api",
      "action": "lambda:InvokeFunction",
      "resource": "arn:aws:lambda:us-east-1:111122223333:function:billing:prod",
      "resource_account": "111122223333",            (optional; default: the account in the ARN)
      "context": {"aws:SourceIp": "10.1.2.3"},       (optional)
      "identity_policies": [{"name": "...", "document": {...}}],      (optional)
      "permissions_boundary": null, "session_policy": null,           (optional: a named policy)
      "scps": [[...level 0...], [...level 1...]], "rcps": [],         (optional: levels, root first)
      "resource_policy": {"name": "...", "document": {...}},          (optional)
      "open_context": true       (optional, default false: a key the file does not give is absent;
                                  true: it is open, and the answer may be "conditional")
      "closed_keys": ["aws:PrincipalTag/"]   (optional, with open_context: keys, or prefixes ending
                                  in "/", known to be absent unless the context gives them)
    }

Rules beyond the README, chosen so that mistakes are caught rather than silently evaluated:

- An unknown top-level field is an error (a typo such as ``"principle"`` or ``"scp"`` would otherwise be
  ignored and change the answer). Annotation fields are allowed and ignored: ``name``, ``id``, ``title``,
  ``description``, ``comment``, ``notes``, ``expected``, and any field starting with ``_``, ``$`` or ``x-``.
- A named policy is ``{"name": NAME, "document": DOC}``; ``DOC`` is a JSON object or a string holding
  JSON. ``name`` may be omitted (the field path is used). A bare policy document (an object with
  ``Statement``) is accepted in place of a named policy, named after its field path.
- ``scps`` and ``rcps`` must be lists of lists; a flat list of policies is an error (it is ambiguous
  whether it meant one level or one level per policy).
- Context values: a string, a boolean or a number (carried as its string form, ``true`` / ``42``), or a
  list of those for a multi-valued key. ``null`` is refused: omit the key to mean "absent". Key names
  need a service prefix and are case-insensitive, so two keys differing only in case are an error. A few
  global keys with a fixed type are checked: ``aws:SourceIp`` (an IP address), the boolean keys
  (``aws:SecureTransport``, ``aws:MultiFactorAuthPresent``, ...), ``aws:CurrentTime`` /
  ``aws:TokenIssueTime`` (ISO 8601 or epoch seconds), ``aws:EpochTime`` and ``aws:MultiFactorAuthAge``.
"""

from __future__ import annotations

import dataclasses
import json
import marshal
import re
from collections.abc import Mapping, Sequence
from typing import Any

from .arn import parse_arn
from .errors import InputError
from .policy import Policy, Statement, parse_policy
from .principal import parse_principal
from .request import ContextValue, PolicySet, Principal, PrincipalKind, Request
from .result import Result

SCENARIO_FIELDS = (
    "principal",
    "action",
    "resource",
    "resource_account",
    "context",
    "identity_policies",
    "permissions_boundary",
    "session_policy",
    "scps",
    "rcps",
    "resource_policy",
    "open_context",
    "closed_keys",
    "federated_by",
)
_KNOWN = frozenset(SCENARIO_FIELDS)
_NAMED_KEYS = frozenset({"name", "document"})
ANNOTATION_FIELDS = frozenset({"name", "id", "title", "description", "comment", "notes", "expected"})
_ANNOTATION_PREFIXES = ("_", "$", "x-")

_WHITESPACE = re.compile(r"\s").search
_ACTION = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*:[A-Za-z0-9][A-Za-z0-9._-]*")
_ACCOUNT = re.compile(r"\d{12}")
# Loose on purpose: the engine parses dates; this only catches values that are clearly not dates.
_ISO_DATE = re.compile(r"\d{4}-?\d{2}-?\d{2}(?:[Tt ].*)?$")

# Global condition keys whose values have one fixed type (lower-cased: context keys are case-insensitive).
# https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html
_BOOL_KEYS = frozenset(
    {"aws:securetransport", "aws:multifactorauthpresent", "aws:viaawsservice", "aws:principalisawsservice"}
)
_IP_KEYS = frozenset({"aws:sourceip"})
_DATE_KEYS = frozenset({"aws:currenttime", "aws:tokenissuetime"})
_NUMBER_KEYS = frozenset({"aws:epochtime", "aws:multifactorauthage"})

# See ScenarioLoader: the format of the policy-set keys.
_MARSHAL_VERSION = 4


class ScenarioLoader:
    """Loads scenarios, reusing parsed policy sets and principals across the scenarios of one batch.

    A batch usually repeats a role's policies on many lines. The policy fields of a line (identity
    policies, boundary, session policy, SCPs, RCPs, resource policy) are keyed together by
    ``marshal.dumps(fields, 4)``: marshal round-trips exactly (types included: ``1``, ``1.0``, ``True``
    and ``"1"`` differ, as do a list and a tuple), so equal keys mean equal fields and a hit can never
    return a different policy set. Format 4 is about twice as cheap as 2 (which encodes every string
    through the codec machinery; 4 copies ASCII as is); its back-references follow how the parsed line
    shares objects, so equal sets may give different bytes (a miss), never equal bytes for different
    sets. On a miss, whole lists (a role's identity policies, the SCP levels) are looked up next
    (``_whole``), then each document goes to ``parse_policy``, which keeps one parse per document
    content and one ``Policy`` per name and content (``iam/policy.py``). Documents given as JSON
    strings are keyed by that string.
    """

    __slots__ = ("_lists", "_policies", "_principals", "_resources", "_sets", "max_entries")

    def __init__(self, *, max_entries: int = 4096) -> None:
        self._lists: dict[tuple[str, bytes], Any] = {}
        self._policies: dict[tuple[str, str], Policy] = {}
        self._principals: dict[str, Principal] = {}
        self._resources: dict[str, tuple[str, str | None]] = {}
        self._sets: dict[bytes, PolicySet] = {}
        self.max_entries = max_entries

    def load(self, obj: Any) -> tuple[Request, PolicySet]:
        """Validate one scenario object; raises ``InputError`` whose message starts with the field path."""
        if not isinstance(obj, dict):
            raise InputError(f"scenario: expected a JSON object, got {_kind(obj)}")
        if not _KNOWN.issuperset(obj):
            for key in obj:
                if key not in _KNOWN and _looks_like_typo(key, SCENARIO_FIELDS):
                    raise InputError(_unknown_field_message(key))

        principal = self._principal(obj.get("principal", _MISSING))
        if obj.get("federated_by") is not None:
            principal = _federated_by(principal, obj["federated_by"])
        action = _action(obj.get("action", _MISSING))
        resource, arn_account = self._resource(obj.get("resource", _MISSING))
        resource_account = _resource_account(obj.get("resource_account"), arn_account)
        context = _context(obj.get("context"))
        open_context = obj.get("open_context", False)
        if not isinstance(open_context, bool):
            raise InputError(f"open_context: expected true or false, got {_kind(open_context)}")
        closed_keys = obj.get("closed_keys", [])
        if not isinstance(closed_keys, list) or not all(isinstance(k, str) and k for k in closed_keys):
            raise InputError('closed_keys: expected a list of key names or prefixes ending in "/"')

        request = Request(
            principal=principal,
            action=action,
            resource=resource,
            resource_account=resource_account,
            context=context,
            open_context=open_context,
            closed_keys=tuple(k.lower() for k in closed_keys),
        )
        get = obj.get
        fields = (
            get("identity_policies"),
            get("permissions_boundary"),
            get("session_policy"),
            get("scps"),
            get("rcps"),
            get("resource_policy"),
        )
        try:
            key = marshal.dumps(fields, _MARSHAL_VERSION)
        except (ValueError, RecursionError):
            key = b""
        policies = self._sets.get(key) if key else None
        if policies is None:
            policies = self._policy_set(*fields)
            if key:
                if len(self._sets) >= self.max_entries:
                    self._sets.clear()
                self._sets[key] = policies
        return request, policies

    # -- pieces -------------------------------------------------------------------------------------

    def _policy_set(
        self, identity: Any, boundary: Any, session: Any, scps: Any, rcps: Any, resource: Any
    ) -> PolicySet:
        return PolicySet(
            identity=self._identity(identity),
            boundary=self._optional(boundary, "permissions_boundary"),
            session=self._optional(session, "session_policy"),
            scps=self._levels(scps, "scps"),
            rcps=self._levels(rcps, "rcps"),
            resource=self._optional(resource, "resource_policy"),
        )

    def _principal(self, value: Any) -> Principal:
        if value is _MISSING:
            raise InputError('principal: missing (an ARN, a service principal or "anonymous")')
        if not isinstance(value, str):
            raise InputError(f"principal: expected a string, got {_kind(value)}")
        cached = self._principals.get(value)
        if cached is not None:
            return cached
        try:
            principal = parse_principal(value)
        except InputError as exc:
            raise InputError(_prefixed("principal", exc)) from None
        if len(self._principals) >= self.max_entries:
            self._principals.clear()
        self._principals[value] = principal
        return principal

    def _resource(self, value: Any) -> tuple[str, str | None]:
        # A batch names the same resources again and again; only valid ones are remembered.
        if type(value) is str:
            hit = self._resources.get(value)
            if hit is not None:
                return hit
        answer = _resource(value)
        if len(self._resources) >= self.max_entries:
            self._resources.clear()
        self._resources[answer[0]] = answer
        return answer

    def _optional(self, value: Any, where: str) -> Policy | None:
        return None if value is None else self._named(value, where)

    def _whole(self, where: str, value: Any) -> tuple[tuple[str, bytes] | None, Any]:
        """A batch repeats whole lists (a role's identity policies, the SCP levels) on many lines:
        the key and the cached answer for the list ``value`` at ``where``, keyed by ``marshal.dumps``
        (format 2: no back-references, so equal lists give equal bytes; ``where`` is in the key because
        unnamed policies are named after it). Only lists that loaded without error are cached."""
        if type(value) is not list or not value:
            return None, None
        try:
            key = (where, marshal.dumps(value, 2))
        except (ValueError, RecursionError):
            return None, None
        return key, self._lists.get(key)

    def _remember(self, key: tuple[str, bytes] | None, answer: Any) -> None:
        if key is not None:
            if len(self._lists) >= self.max_entries:
                self._lists.clear()
            self._lists[key] = answer

    def _identity(self, value: Any) -> tuple[Policy, ...]:
        key, hit = self._whole("identity_policies", value)
        if hit is not None:
            return hit  # type: ignore[no-any-return]
        identity = tuple(
            self._named(p, f"identity_policies[{i}]") for i, p in enumerate(_list(value, "identity_policies"))
        )
        self._remember(key, identity)
        return identity

    def _levels(self, value: Any, where: str) -> tuple[tuple[Policy, ...], ...]:
        key, hit = self._whole(where, value)
        if hit is not None:
            return hit  # type: ignore[no-any-return]
        answer = self._levels_uncached(value, where)
        self._remember(key, answer)
        return answer

    def _levels_uncached(self, value: Any, where: str) -> tuple[tuple[Policy, ...], ...]:
        levels = []
        for i, level in enumerate(_list(value, where)):
            if not isinstance(level, list):
                raise InputError(
                    f"{where}[{i}]: expected a list of policies (one level), got {_kind(level)}; "
                    f"{where} is a list of levels, root first: [[...], [...]]"
                )
            levels.append(tuple(self._named(p, f"{where}[{i}][{j}]") for j, p in enumerate(level)))
        return tuple(levels)

    def _named(self, value: Any, where: str) -> Policy:
        if not isinstance(value, dict):
            raise InputError(f'{where}: expected {{"name": ..., "document": {{...}}}}, got {_kind(value)}')
        if "document" in value:
            if not _NAMED_KEYS.issuperset(value):
                for key in value:
                    if key not in _NAMED_KEYS and _looks_like_typo(key, _NAMED_KEYS):
                        hint = '(a named policy has "name" and "document")'
                        raise InputError(f"{where}: unknown field {_quoted(key)} {hint}")
            name = value.get("name", where)
            if not isinstance(name, str):
                raise InputError(f"{where}.name: expected a string, got {_kind(name)}")
            document = value["document"]
            doc_where = f"{where}.document"
        elif "Statement" in value:
            # A bare policy document where a named policy was expected: unambiguous, so accept it.
            name, document, doc_where = where, value, where
        else:
            raise InputError(f'{where}: missing "document"')
        policy = self._policy(document, name, doc_where)
        _check_elements(policy, where, doc_where)
        return policy

    def _policy(self, document: Any, name: str, where: str) -> Policy:
        if isinstance(document, str):
            cached = self._policies.get((name, document))
            if cached is not None:
                return cached
            try:
                parsed_doc = json.loads(document)
            except ValueError as exc:
                raise InputError(f"{where}: not valid JSON ({_json_error(exc)})") from None
        elif isinstance(document, dict):
            parsed_doc = document
        else:
            raise InputError(
                f"{where}: expected a policy document (object or JSON string), got {_kind(document)}"
            )
        try:
            policy = parse_policy(parsed_doc, name)
        except InputError as exc:
            raise InputError(_prefixed(where, exc)) from None
        except RecursionError:
            raise InputError(f"{where}: nested too deeply") from None
        if isinstance(document, str):
            if len(self._policies) >= self.max_entries:
                self._policies.clear()
            self._policies[(name, document)] = policy
        return policy


def _federated_by(principal: Principal, value: Any) -> Principal:
    """``federated_by``: the IAM user whose GetFederationToken made the federated-user session."""
    if principal.kind is not PrincipalKind.FEDERATED_USER:
        raise InputError(
            "federated_by: only for a federated-user principal (arn:aws:sts::A:federated-user/N)"
        )
    if not isinstance(value, str):
        raise InputError(f"federated_by: expected an IAM user ARN, got {_kind(value)}")
    try:
        user = parse_principal(value)
    except InputError as exc:
        raise InputError(_prefixed("federated_by", exc)) from None
    if user.kind is not PrincipalKind.USER or user.account != principal.account:
        raise InputError("federated_by: expected the ARN of an IAM user of the session's account")
    return dataclasses.replace(principal, federated_by=user.text)


def load_scenario(obj: Any, *, loader: ScenarioLoader | None = None) -> tuple[Request, PolicySet]:
    """Turn a scenario object (parsed JSON) into the request and policies it describes.

    Raises ``InputError`` whose message names the field, e.g.
    ``identity_policies[1].document: Statement[0].Effect: ...`` or ``resource: not an ARN: "x"``.
    Pass one ``loader`` for many scenarios to reuse parsed policies.
    """
    return (loader or ScenarioLoader()).load(obj)


def scenario_result_json(result: Result) -> dict[str, Any]:
    """The ``--json`` output object for one scenario: ``decision``, ``decided_by``, ``explanation``."""
    return result.to_json()


# A named policy for ``scenario_document``: (name, document).
NamedDocument = tuple[str, Any]


def scenario_document(
    principal: str,
    action: str,
    resource: str,
    *,
    resource_account: str | None = None,
    context: Mapping[str, ContextValue] | None = None,
    identity_policies: Sequence[NamedDocument] = (),
    permissions_boundary: NamedDocument | None = None,
    session_policy: NamedDocument | None = None,
    scps: Sequence[Sequence[NamedDocument]] = (),
    rcps: Sequence[Sequence[NamedDocument]] = (),
    resource_policy: NamedDocument | None = None,
    open_context: bool = False,
    closed_keys: Sequence[str] = (),
) -> dict[str, Any]:
    """The scenario file that asks this question of these policies (what ``load_scenario`` reads): the
    one writer of the contract, for every answer's and finding's proof that ``simulate --scenario``
    replays. Every field is written (absent policies as ``null`` or ``[]``); a multi-valued context value
    becomes a JSON list."""

    def named(policy: NamedDocument) -> dict[str, Any]:
        return {"name": policy[0], "document": policy[1]}

    def optional(policy: NamedDocument | None) -> dict[str, Any] | None:
        return None if policy is None else named(policy)

    out: dict[str, Any] = {"open_context": True, "closed_keys": list(closed_keys)} if open_context else {}
    out.update(
        {
            "principal": principal,
            "action": action,
            "resource": resource,
            "resource_account": resource_account,
            "context": {k: (list(v) if isinstance(v, tuple) else v) for k, v in (context or {}).items()},
            "identity_policies": [named(p) for p in identity_policies],
            "permissions_boundary": optional(permissions_boundary),
            "session_policy": optional(session_policy),
            "scps": [[named(p) for p in level] for level in scps],
            "rcps": [[named(p) for p in level] for level in rcps],
            "resource_policy": optional(resource_policy),
        }
    )
    return out


def proof_document(scenario: Mapping[str, Any], expected: str | None = None) -> dict[str, Any]:
    """``scenario`` as a proof that ``simulate --scenario`` replays: over an open context, with the
    decision it gives as the ``expected`` annotation (left out until known)."""
    proof = {**scenario, "open_context": True}
    if expected is not None:
        proof["expected"] = expected
    return proof


# Policy types that never name a principal (only resource-based policies and RCPs do).
_NO_PRINCIPAL = ("identity_policies", "permissions_boundary", "session_policy", "scps")


# Unique ids (AIDA..., AROA...) appear where AWS rewrote a deleted principal's ARN.
_UNIQUE_ID = re.compile(r"A[A-Z0-9]{15,127}")


def _valid_aws_principal(value: str, kind: str) -> bool:
    """An AWS principal value IAM accepts: "*", an account, a user/role/session/federated-user/root ARN
    or a unique id; "You can't use a wildcard to match part of a principal name or ARN."
    https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html
    """
    if kind == "any":
        return True
    if "*" in value or "?" in value:
        return False
    return kind != "other" or _UNIQUE_ID.fullmatch(value) is not None


def _check_elements(policy: Policy, where: str, doc_where: str) -> None:
    """Elements IAM requires or refuses by policy type, which ``parse_policy`` (also used for trust
    policies) cannot know. Every statement of a scenario policy has Resource or NotResource
    (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_resource.html);
    identity-based policies, boundaries, session policies and SCPs name no principal
    (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html).
    and RCPs do not support NotPrincipal
    (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_notprincipal.html).
    A resource-policy statement without a principal is left to the engine, which grants it to no one.
    """
    resource_policy = where.startswith("resource_policy")
    if policy.every_resource and not policy.names_principal and not resource_policy:
        return  # the common case (an identity policy, an SCP): nothing to refuse, no statement built
    no_principal = where.startswith(_NO_PRINCIPAL)
    for st in policy.statements:
        # A role trust policy has no Resource (it applies to its role): accepted as a resource policy
        # whose actions are all STS actions.
        # https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_resource.html
        trust = resource_policy and _sts_only(st)
        if st.resource is None and st.not_resource is None and not trust:
            raise InputError(
                f"{doc_where}: Statement[{st.index}].Resource: missing "
                "(a statement needs Resource or NotResource)"
            )
        named = st.principal is not None or st.not_principal is not None
        for element, spec in (("Principal", st.principal), ("NotPrincipal", st.not_principal)):
            for entry in spec.entries if spec is not None else ():
                if entry.key == "AWS" and not _valid_aws_principal(entry.value, entry.kind):
                    raise InputError(
                        f"{doc_where}: Statement[{st.index}].{element}.AWS: {entry.value!r} is not "
                        '"*", a 12-digit account id or an IAM/STS principal ARN (no wildcards)'
                    )
        if where.startswith("rcps") and st.not_principal is not None:
            raise InputError(
                f"{doc_where}: Statement[{st.index}].NotPrincipal: not supported in RCPs "
                '(use Principal "*" with an aws:PrincipalArn condition)'
            )
        if no_principal and named:
            element = "Principal" if st.principal is not None else "NotPrincipal"
            raise InputError(
                f"{doc_where}: Statement[{st.index}].{element}: not allowed in this policy type "
                "(only resource-based policies name a principal)"
            )


def _sts_only(st: Statement) -> bool:
    return st.action is not None and all(p.text.lower().startswith("sts:") for p in st.action)


# -- field validators -------------------------------------------------------------------------------


class _Missing:
    pass


_MISSING: Any = _Missing()


def _kind(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, (list, tuple)):
        return "a list"
    if isinstance(value, dict):
        return "an object"
    return type(value).__name__


def _is_annotation(key: Any) -> bool:
    return isinstance(key, str) and (key in ANNOTATION_FIELDS or key.startswith(_ANNOTATION_PREFIXES))


def _looks_like_typo(key: Any, known: Any) -> bool:
    """Whether an unknown field is a near miss of a known one (``principle``, ``scp``, ``documnet``).

    Near misses are errors, since ignoring them would silently change the answer; any other extra field
    (``expected_decision``, ``doc_url``, ...) is an annotation of the file's author and is ignored, so
    files written by other tools keep working.
    """
    import difflib

    if _is_annotation(key):
        return False
    if not isinstance(key, str):
        return True
    return bool(difflib.get_close_matches(key.lower(), list(known), n=1, cutoff=0.75))


def _unknown_field_message(key: str) -> str:
    import difflib

    close = difflib.get_close_matches(key.lower(), SCENARIO_FIELDS, n=1, cutoff=0.6)
    hint = f' (did you mean "{close[0]}"?)' if close else ""
    return f"{_shown(key)}: unknown field{hint}; known fields: {', '.join(SCENARIO_FIELDS)}"


def _quoted(key: str) -> str:
    return f'"{key}"' if key.isprintable() else json.dumps(key)


def _shown(key: str) -> str:
    """A key from the file as it can appear in a one-line message: as is, or JSON-quoted when it holds
    a line break or another unprintable character."""
    return key if key.isprintable() else json.dumps(key)


def _prefixed(where: str, exc: Exception) -> str:
    message = str(exc)
    if message.startswith(where + ":") or message.startswith(where + "."):
        return message
    return f"{where}: {message}"


def _json_error(exc: ValueError) -> str:
    if isinstance(exc, json.JSONDecodeError):
        return f"line {exc.lineno}, column {exc.colno}: {exc.msg}"
    return str(exc)


def _list(value: Any, where: str) -> list[Any]:
    if value is None:
        return []
    if not isinstance(value, list):
        raise InputError(f"{where}: expected a list, got {_kind(value)}")
    return value


def _action(value: Any) -> str:
    if value is _MISSING:
        raise InputError('action: missing (e.g. "lambda:InvokeFunction")')
    if not isinstance(value, str):
        raise InputError(f"action: expected a string, got {_kind(value)}")
    if "*" in value or "?" in value:
        raise InputError(f"action: a request names one action, not a pattern: {value!r}")
    if not _ACTION.fullmatch(value):
        raise InputError(f'action: expected "service:Action" (e.g. "lambda:InvokeFunction"), got {value!r}')
    return value


def _resource(value: Any) -> tuple[str, str | None]:
    """The resource ARN and the account it names (None when the ARN has no account, as for S3)."""
    if value is _MISSING:
        raise InputError("resource: missing (the exact ARN of the request)")
    if not isinstance(value, str):
        raise InputError(f"resource: expected a string, got {_kind(value)}")
    if value == "*":
        return value, None  # "any resource", as the IAM policy simulator allows; no account implied
    try:
        arn = parse_arn(value, "resource")
    except InputError as exc:
        raise InputError(_prefixed("resource", exc)) from None
    if _WHITESPACE(value):
        raise InputError(f"resource: an ARN has no whitespace: {value!r}")
    # "aws" is the account of AWS managed policies; an empty account (S3) names no owner.
    return value, arn.account if _ACCOUNT.fullmatch(arn.account) else None


def _resource_account(value: Any, from_arn: str | None) -> str | None:
    if value is None:
        return from_arn
    if not isinstance(value, str):
        raise InputError(f"resource_account: expected a 12-digit account id string, got {_kind(value)}")
    if not _ACCOUNT.fullmatch(value):
        raise InputError(f"resource_account: not a 12-digit account id: {value!r}")
    return value


def _context(value: Any) -> dict[str, ContextValue]:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise InputError(f"context: expected an object of condition keys, got {_kind(value)}")
    # The common case first, checked in one pass: string keys with a service prefix, string (or
    # boolean) values of the right type, no two keys differing only in case. Anything else takes the
    # full check below, which finds the first problem in key order and names it.
    typed = _TYPED_KEYS
    out: dict[str, ContextValue] = {}
    for key, raw in value.items():
        if type(key) is not str or ":" not in key or key[0] == ":":
            return _context_checked(value)
        kind = type(raw)
        if kind is bool:
            raw = "true" if raw else "false"
        elif kind is not str:
            return _context_checked(value)
        check = typed.get(key.lower())
        if check is not None and not check(raw):
            return _context_checked(value)
        out[key] = raw
    if len(out) > 1 and len({key.lower() for key in out}) != len(out):
        return _context_checked(value)
    return out


def _context_checked(value: dict[Any, Any]) -> dict[str, ContextValue]:
    out: dict[str, ContextValue] = {}
    seen: dict[str, str] = {}
    for key, raw in value.items():
        lower = key.lower()
        if ":" not in key or key[0] == ":":
            raise InputError(
                f'context.{_shown(key)}: a condition key has a service prefix (e.g. "aws:SourceIp")'
            )
        if lower in seen:
            raise InputError(
                f"context.{_shown(key)}: same key as {_quoted(seen[lower])} "
                "(condition keys are case-insensitive)"
            )
        seen[lower] = key
        check = _TYPED_KEYS.get(lower)
        if type(raw) is str:  # the common case, first
            if check is not None and not check(raw):
                raise InputError(f"context.{_shown(key)}: {_TYPE_WORDS[check]}, got {raw!r}")
            out[key] = raw
            continue
        name = _shown(key)  # as messages show it (on one line)
        if isinstance(raw, list):
            values = tuple(_scalar(v, f"context.{name}[{i}]") for i, v in enumerate(raw))
            out[key] = values
        else:
            values = (_scalar(raw, f"context.{name}"),)
            out[key] = values[0]
        if check is not None:
            for i, v in enumerate(values):
                if not check(v):
                    where = f"context.{name}" if not isinstance(raw, list) else f"context.{name}[{i}]"
                    raise InputError(f"{where}: {_TYPE_WORDS[check]}, got {v!r}")
    return out


def _scalar(value: Any, where: str) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if value is None:
        raise InputError(f'{where}: null is not a value (omit the key to mean "absent")')
    raise InputError(f"{where}: expected a string, boolean or number, got {_kind(value)}")


_IPV4 = re.compile(r"(?:(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.){3}(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)")
_NUMBER = re.compile(r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?")


def _is_ip(text: str) -> bool:
    if _IPV4.fullmatch(text):
        return True
    import ipaddress  # only for what is not a plain IPv4 address (IPv6): a slow import

    try:
        ipaddress.ip_address(text)
    except ValueError:
        return False
    return True


def _is_bool(text: str) -> bool:
    return text.lower() in ("true", "false")


def _is_date(text: str) -> bool:
    return bool(_ISO_DATE.match(text) or _NUMBER.fullmatch(text))


def _is_numeric(text: str) -> bool:
    return bool(_NUMBER.fullmatch(text))


_TYPE_WORDS = {
    _is_ip: "not an IP address",
    _is_bool: "expected true or false",
    _is_date: "expected an ISO 8601 date or epoch seconds",
    _is_numeric: "expected a number",
}
_TYPED_KEYS = {
    **{k: _is_ip for k in _IP_KEYS},
    **{k: _is_bool for k in _BOOL_KEYS},
    **{k: _is_date for k in _DATE_KEYS},
    **{k: _is_numeric for k in _NUMBER_KEYS},
}
