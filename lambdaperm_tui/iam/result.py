"""The answer: a decision, the statements that decided it, and an explanation a person can read."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from json.encoder import encode_basestring_ascii as _q
from typing import Any, Literal

PolicyType = Literal["identity", "resource", "boundary", "session", "scp", "rcp"]


class Decision(str, enum.Enum):
    """The outcomes of AWS's evaluation logic, plus ``CONDITIONAL`` for a request whose context is open:
    allowed exactly when ``Result.allowed_if`` holds."""

    ALLOWED = "allowed"
    EXPLICIT_DENY = "explicit_deny"
    IMPLICIT_DENY = "implicit_deny"
    CONDITIONAL = "conditional"


class BlockedBy(str, enum.Enum):
    """The layer that stopped an implicitly denied request (``Result.blocked_by``).

    ``NO_ALLOW``: no statement allows; ``BOUNDARY``: the permissions boundary has no Allow;
    ``SESSION_POLICY``: the session policy has none; ``SCP`` / ``RCP``: a level of them has none;
    ``IDENTITY``: the caller's own account does not allow a cross-account request;
    ``RESOURCE_POLICY``: the resource policy does not admit a cross-account or service caller.
    """

    NO_ALLOW = "no-allow"
    BOUNDARY = "boundary"
    SESSION_POLICY = "session-policy"
    SCP = "scp"
    RCP = "rcp"
    IDENTITY = "identity"
    RESOURCE_POLICY = "resource-policy"


class WarningCode(str, enum.Enum):
    """Statements whose meaning AWS leaves open; the engine still answers, and says so."""

    # "NotPrincipal with Allow is not supported"; older pages said it grants everyone not listed.
    ALLOW_WITH_NOT_PRINCIPAL = "allow-with-not-principal"


@dataclass(frozen=True, slots=True)
class EngineWarning:
    """One statement whose meaning AWS leaves open (``Result.warnings``), where it is."""

    code: WarningCode
    policy_type: PolicyType
    policy: str
    statement_index: int

    def to_json(self) -> dict[str, Any]:
        """``{"code", "policy_type", "policy", "statement_index"}``."""
        return {
            "code": self.code.value,
            "policy_type": self.policy_type,
            "policy": self.policy,
            "statement_index": self.statement_index,
        }


@dataclass(frozen=True, slots=True)
class ConditionTerm:
    """One condition of an ``allowed_if`` alternative, in IAM's own words: ``operator`` is an IAM
    condition operator (``Bool``, ``StringNotEqualsIfExists``, ``ForAnyValue:StringLike``, ``Null``),
    applied to ``key`` with ``values`` exactly as it would be in a policy's Condition element."""

    key: str
    operator: str
    values: tuple[str, ...]

    def to_json(self) -> dict[str, Any]:
        """``{"key", "operator", "values"}``."""
        return {"key": self.key, "operator": self.operator, "values": list(self.values)}


@dataclass(frozen=True, slots=True)
class DecidingStatement:
    """A statement that decided the outcome (an Allow that granted, or a Deny that matched)."""

    policy_type: PolicyType
    policy: str
    statement_index: int
    sid: str | None
    effect: Literal["Allow", "Deny"]

    def to_json(self) -> dict[str, Any]:
        """The ``decided_by`` entry of the scenario JSON contract."""
        return {
            "policy_type": self.policy_type,
            "policy": self.policy,
            "statement_index": self.statement_index,
            "sid": self.sid,
            "effect": self.effect,
        }


class DecisionReason(str, enum.Enum):
    """Why the principal case allowed the request or not, once no explicit Deny and no SCP/RCP level
    decided it (IAM evaluation logic, closed context). ``render.decision_reason_words`` writes it in
    words; with ``Result.blocked_by`` (the layer without an Allow) it says all the sentence says.

    ``SERVICE_*``: a service principal or anonymous caller, authorised by the resource policy alone;
    ``ROOT_*``: the root user, in its own account or another; ``CROSS_*``: a cross-account request, which
    both sides must allow; ``SAME_*``: a same-account request, which either side may allow (within the
    boundary and session policy for the grants they limit).
    """

    SERVICE_ALLOWED = "service-allowed"
    SERVICE_NOT_ALLOWED = "service-not-allowed"
    ROOT_OWN_ACCOUNT = "root-own-account"
    ROOT_CROSS_ALLOWED = "root-cross-allowed"
    ROOT_CROSS_NOT_ALLOWED = "root-cross-not-allowed"
    CROSS_BOTH_ALLOW = "cross-both-allow"
    CROSS_IDENTITY_SIDE_MISSING = "cross-identity-side-missing"  # the resource policy allows
    CROSS_RESOURCE_POLICY_DOES_NOT = "cross-resource-policy-does-not"  # the identity side allows
    CROSS_NO_RESOURCE_POLICY = "cross-no-resource-policy"  # the identity side allows
    CROSS_NEITHER = "cross-neither"
    SAME_IDENTITY_ALLOWS = "same-identity-allows"
    SAME_RESOURCE_ALLOWS = "same-resource-allows"
    SAME_BOTH_ALLOW = "same-both-allow"
    SAME_TRUST_POLICY_DOES_NOT = "same-trust-policy-does-not"
    SAME_ROLE_GRANT_LIMITED = "same-role-grant-limited"  # by ``blocked_by``: boundary or session policy
    SAME_ACCOUNT_GRANT_ONLY = "same-account-grant-only"  # and no identity policy allows
    SAME_NO_ALLOW = "same-no-allow"  # the identity side lacks ``blocked_by``; the resource policy too
    SAME_NO_ALLOW_NO_RESOURCE_POLICY = "same-no-allow-no-resource-policy"


class Element(str, enum.Enum):
    """The statement element an ``ElementMatch`` is about (IAM JSON policy elements; conditions are
    ``ConditionMatch``)."""

    ACTION = "Action"
    NOT_ACTION = "NotAction"
    RESOURCE = "Resource"
    NOT_RESOURCE = "NotResource"
    PRINCIPAL = "Principal"
    NOT_PRINCIPAL = "NotPrincipal"


class MatchReason(str, enum.Enum):
    """Why an element matched the request or did not (``ElementMatch.reason``).

    ``MATCHES``: Action/Resource/Principal, the value matches ``patterns[hit]``;
    ``MATCHES_NONE``: Action/Resource/Principal, it matches none of ``patterns``;
    ``EXCLUDED``: NotAction/NotResource, ``patterns[hit]`` excludes the value; NotPrincipal, every
    identity the caller is checked as is listed (the caller is exempt);
    ``NOT_LISTED``: NotAction/NotResource, no pattern matches (the element matches);
    ``NOT_EXEMPTED``: a Deny's NotPrincipal does not list every identity of the caller (it applies);
    ``BOUNDARY_NOT_EXEMPT``: a Deny's NotPrincipal always applies to a user or role with a permissions
    boundary;
    ``NOT_PRINCIPAL_WITH_ALLOW``: an Allow with NotPrincipal, which AWS does not support (read as
    granting no one);
    ``NO_PRINCIPAL``: a resource-policy statement without a Principal element grants no one.
    """

    MATCHES = "matches"
    MATCHES_NONE = "matches-none"
    EXCLUDED = "excluded"
    NOT_LISTED = "not-listed"
    NOT_EXEMPTED = "not-exempted"
    BOUNDARY_NOT_EXEMPT = "boundary-not-exempt"
    NOT_PRINCIPAL_WITH_ALLOW = "not-principal-with-allow"
    NO_PRINCIPAL = "no-principal"


class Grant(str, enum.Enum):
    """How a resource-policy Principal entry names the caller, which decides what limits the grant
    (IAM evaluation logic, same account): ``CALLER`` names it directly (not limited by a boundary or
    session policy); ``ROLE`` names the role of a role session (or the user who federated a session):
    limited by the session's boundary and session policy; ``ACCOUNT`` names the account, which only
    delegates to the account's identity policies."""

    CALLER = "caller"
    ROLE = "role"
    ACCOUNT = "account"


@dataclass(frozen=True, slots=True)
class ElementMatch:
    """Whether one element (Action, Resource, Principal, ...) of a statement matched, and why.

    ``value`` is the request's side (the action, the resource ARN, the principal as given);
    ``patterns`` the element's values as written (for Principal/NotPrincipal each entry's value, with
    its key in ``principal_keys``: ``AWS``, ``Service``, ``Federated``, ``CanonicalUser``, or ``*`` for
    a bare ``"*"``); ``hit`` the index of the pattern that matched or excluded; ``grant`` how a matching
    Principal entry names the caller. English for it: ``render.element_words`` (not in the JSON: programs
    read the fields).
    """

    element: Element
    matched: bool
    reason: MatchReason
    value: str
    patterns: tuple[str, ...]
    hit: int | None = None
    principal_keys: tuple[str, ...] = ()
    grant: Grant | None = None

    @property
    def pattern(self) -> str | None:
        """The pattern that matched or excluded the value (``patterns[hit]``), if one did."""
        return None if self.hit is None else self.patterns[self.hit]

    def to_json(self) -> dict[str, Any]:
        """``{"element", "matched", "reason", "value", "patterns", "hit"}``, and for Principal and
        NotPrincipal ``"principal_keys"`` and ``"grant"`` (``render.element_words`` writes the same in a
        sentence)."""
        body = {
            "element": _ELEMENT_VALUES[self.element],
            "matched": self.matched,
            "reason": _REASON_VALUES[self.reason],
            "value": self.value,
            "patterns": list(self.patterns),
            "hit": self.hit,
        }
        if self.element in _PRINCIPAL_ELEMENTS:
            grant = self.grant
            body["principal_keys"] = list(self.principal_keys)
            body["grant"] = None if grant is None else _GRANT_VALUES[grant]
        return body


@dataclass(frozen=True, slots=True)
class ConditionMatch:
    """One condition (operator, key) of a statement with the values compared."""

    operator: str  # as written, e.g. "ForAnyValue:StringLikeIfExists"
    key: str
    policy_values: tuple[str, ...]
    request_values: tuple[str, ...] | None  # None: the key is absent (or open) in the request context
    matched: bool
    # The key is open (its value is not known): ``matched`` is then False and means nothing; the
    # decision is conditional on it (``Result.allowed_if``).
    open: bool = False


@dataclass(frozen=True, slots=True)
class StatementExplanation:
    """One statement: each element's match, each condition's, and whether it applied or decided."""

    index: int
    sid: str | None
    effect: Literal["Allow", "Deny"]
    elements: tuple[ElementMatch, ...]
    conditions: tuple[ConditionMatch, ...]
    applies: bool  # every element and condition matched
    deciding: bool


@dataclass(frozen=True, slots=True)
class PolicyExplanation:
    """One policy document considered, with each statement's explanation."""

    policy_type: PolicyType
    name: str
    statements: tuple[StatementExplanation, ...]
    level: int | None = None  # SCP/RCP level (0 = root), else None
    # With evaluate(..., explain="relevant"): how many statements were left out because their
    # Action/NotAction does not match the requested action (``statements`` lists the others); None when
    # every statement is listed.
    statements_not_matching_action: int | None = None


class LayerKind(str, enum.Enum):
    """The layers of the evaluation, in the order the explanation lists them."""

    AUTHENTICATION = "authentication"  # the request was refused before any policy (analysis layer)
    EXPLICIT_DENY = "explicit-deny"
    SCP = "scp"  # with ``LayerExplanation.level``; without one: SCPs as a whole (none, not applicable)
    RCP = "rcp"
    RESOURCE = "resource"
    IDENTITY = "identity"
    BOUNDARY = "boundary"
    SESSION = "session"
    DECISION = "decision"


class Verdict(str, enum.Enum):
    """What one layer said. The ``decision`` layer's verdict is the decision itself."""

    ALLOWS = "allows"
    DENIES = "denies"
    NO_ALLOW = "no Allow"
    NO_DENY = "no Deny"
    NONE = "none"  # the layer has no policy
    NOT_APPLICABLE = "not applicable"
    ALLOWED = "allowed"
    EXPLICIT_DENY = "explicit_deny"
    IMPLICIT_DENY = "implicit_deny"
    CONDITIONAL = "conditional"

    @property
    def blocks(self) -> bool:
        """True for the verdicts that stop a request at their layer (a Deny, or no Allow)."""
        return self is Verdict.DENIES or self is Verdict.NO_ALLOW


@dataclass(frozen=True, slots=True)
class LayerExplanation:
    """One layer of the evaluation (explicit deny, SCPs, RCPs, resource, identity, boundary, session)."""

    kind: LayerKind
    verdict: Verdict
    note: str  # a sentence, e.g. "no SCP at level 2 allows lambda:InvokeFunction"
    level: int | None = None  # SCP/RCP level (0 = root)

    def to_json(self) -> dict[str, Any]:
        """``{"layer", "kind", "level", "verdict", "note"}``; ``layer`` is ``render.layer_name``."""
        from .render import layer_name

        return self.json_with_name(layer_name(self))

    def json_with_name(self, name: str) -> dict[str, Any]:
        """``to_json`` with the layer's name already written (a caller converting many layers imports
        the renderer once)."""
        return {
            "layer": name,
            "kind": _KIND_VALUES[self.kind],
            "level": self.level,
            "verdict": _VERDICT_VALUES[self.verdict],
            "note": self.note,
        }


@dataclass(frozen=True, slots=True)
class Explanation:
    """Why the decision is what it is: a summary sentence, the layers in order, and every policy."""

    summary: str
    layers: tuple[LayerExplanation, ...]
    policies: tuple[PolicyExplanation, ...]

    def to_json(self) -> dict[str, Any]:
        """A JSON-ready form, stable for ``--json`` output.

        A policy explained with ``explain="relevant"`` also has ``statements_not_matching_action``.
        Built with plain loops and local names: in a ``--json`` batch this runs once per scenario and
        was a sizeable share of the time.
        """
        policies: list[dict[str, Any]] = []
        to_json = ElementMatch.to_json
        for p in self.policies:
            statements: list[dict[str, Any]] = []
            for s in p.statements:
                conditions: list[dict[str, Any]] = []
                for c in s.conditions:
                    rv = c.request_values
                    conditions.append(
                        {
                            "operator": c.operator,
                            "key": c.key,
                            "policy_values": list(c.policy_values),
                            "request_values": None if rv is None else list(rv),
                            "matched": c.matched,
                            "open": c.open,
                        }
                    )
                statements.append(
                    {
                        "index": s.index,
                        "sid": s.sid,
                        "effect": s.effect,
                        "applies": s.applies,
                        "deciding": s.deciding,
                        "elements": [to_json(e) for e in s.elements],
                        "conditions": conditions,
                    }
                )
            body: dict[str, Any] = {
                "policy_type": p.policy_type,
                "name": p.name,
                "level": p.level,
                "statements": statements,
            }
            if p.statements_not_matching_action is not None:
                body["statements_not_matching_action"] = p.statements_not_matching_action
            policies.append(body)
        from .render import layer_name

        return {
            "summary": self.summary,
            "layers": [x.json_with_name(layer_name(x)) for x in self.layers],
            "policies": policies,
        }


# Enum values for the JSON forms, looked up (``.value`` is a property, several times slower, and a
# ``--json`` batch reads thousands per result). ``result_json_text`` writes a member directly: each is
# a ``str`` whose text is its value.
_ELEMENT_VALUES = {m: m.value for m in Element}
_PRINCIPAL_ELEMENTS = frozenset({Element.PRINCIPAL, Element.NOT_PRINCIPAL})
_REASON_VALUES = {m: m.value for m in MatchReason}
_GRANT_VALUES = {m: m.value for m in Grant}
_KIND_VALUES = {m: m.value for m in LayerKind}
_VERDICT_VALUES = {m: m.value for m in Verdict}


@dataclass(frozen=True, slots=True)
class Result:
    """The outcome of evaluating one request. ``explanation`` is None when it was not asked for."""

    decision: Decision
    decided_by: tuple[DecidingStatement, ...]
    explanation: Explanation | None = None
    # CONDITIONAL: allowed iff some alternative's terms all hold (an OR of ANDs). Empty otherwise.
    allowed_if: tuple[tuple[ConditionTerm, ...], ...] = ()
    # False when the condition was too large (or not expressible) to show in full: ``allowed_if``
    # then holds only the alternatives that could be shown, and no claim of exactness is made.
    allowed_if_complete: bool = True
    blocked_by: BlockedBy | None = None  # IMPLICIT_DENY: the layer that stopped the request
    warnings: tuple[EngineWarning, ...] = ()

    def to_json(self) -> dict[str, Any]:
        """The result object of the scenario contract (README "The scenario file")."""
        explanation = self.explanation
        return {
            "decision": self.decision.value,
            "allowed_if": [[t.to_json() for t in alt] for alt in self.allowed_if],
            "allowed_if_complete": self.allowed_if_complete,
            "blocked_by": None if self.blocked_by is None else self.blocked_by.value,
            "warnings": [w.to_json() for w in self.warnings],
            "decided_by": [
                {
                    "policy_type": d.policy_type,
                    "policy": d.policy,
                    "statement_index": d.statement_index,
                    "sid": d.sid,
                    "effect": d.effect,
                }
                for d in self.decided_by
            ],
            "explanation": None if explanation is None else explanation.to_json(),
        }


def result_json_text(result: Result) -> str:
    """``json.dumps(result.to_json(), separators=(",", ":"))``, built directly.

    The same JSON value, key order and escaping (ASCII, as ``json.dumps`` by default), without the
    intermediate dicts: a ``--json`` batch writes one of these per scenario and building dicts and then
    encoding them was most of the cost of an explained batch.
    """
    q = _q
    deciders = ",".join(
        [
            f'{{"policy_type":{q(d.policy_type)},"policy":{q(d.policy)},'
            f'"statement_index":{d.statement_index:d},"sid":{_opt(d.sid)},"effect":{q(d.effect)}}}'
            for d in result.decided_by
        ]
    )
    blocked = result.blocked_by
    allowed_if = ",".join(
        [
            "["
            + ",".join(
                [
                    f'{{"key":{q(t.key)},"operator":{q(t.operator)},'
                    f'"values":[{",".join([q(v) for v in t.values])}]}}'
                    for t in alt
                ]
            )
            + "]"
            for alt in result.allowed_if
        ]
    )
    warnings = ",".join(
        [
            f'{{"code":{q(w.code.value)},"policy_type":{q(w.policy_type)},"policy":{q(w.policy)},'
            f'"statement_index":{w.statement_index:d}}}'
            for w in result.warnings
        ]
    )
    head = (
        f'{{"decision":"{result.decision.value}","allowed_if":[{allowed_if}],'
        f'"allowed_if_complete":{_TRUE if result.allowed_if_complete else _FALSE},'
        f'"blocked_by":{"null" if blocked is None else q(blocked.value)},"warnings":[{warnings}],'
        f'"decided_by":[{deciders}],"explanation":'
    )
    e = result.explanation
    if e is None:
        return head + "null}"
    from .render import layer_name

    layers = ",".join(
        [
            f'{{"layer":{q(layer_name(x))},"kind":{q(x.kind)},'
            f'"level":{"null" if x.level is None else f"{x.level:d}"},'
            f'"verdict":{q(x.verdict)},"note":{q(x.note)}}}'
            for x in e.layers
        ]
    )
    policies: list[str] = []
    for p in e.policies:
        statements: list[str] = []
        for s in p.statements:
            elements = ",".join(
                [
                    f'{{"element":{q(m.element)},"matched":{_TRUE if m.matched else _FALSE},'
                    f'"reason":{q(m.reason)},"value":{q(m.value)},"patterns":{_array(m.patterns)},'
                    f'"hit":{"null" if m.hit is None else f"{m.hit:d}"}'
                    + (
                        f',"principal_keys":{_array(m.principal_keys)},'
                        f'"grant":{"null" if m.grant is None else q(m.grant)}}}'
                        if m.element in _PRINCIPAL_ELEMENTS
                        else "}"
                    )
                    for m in s.elements
                ]
            )
            conditions = ",".join(
                [
                    f'{{"operator":{q(c.operator)},"key":{q(c.key)},'
                    f'"policy_values":[{",".join([q(v) for v in c.policy_values])}],'
                    f'"request_values":{_strings(c.request_values)},'
                    f'"matched":{_TRUE if c.matched else _FALSE},"open":{_TRUE if c.open else _FALSE}}}'
                    for c in s.conditions
                ]
            )
            statements.append(
                f'{{"index":{s.index:d},"sid":{_opt(s.sid)},"effect":{q(s.effect)},'
                f'"applies":{_TRUE if s.applies else _FALSE},"deciding":{_TRUE if s.deciding else _FALSE},'
                f'"elements":[{elements}],"conditions":[{conditions}]}}'
            )
        level = "null" if p.level is None else f"{p.level:d}"
        count = p.statements_not_matching_action
        tail = "}" if count is None else f',"statements_not_matching_action":{count:d}}}'
        policies.append(
            f'{{"policy_type":{q(p.policy_type)},"name":{q(p.name)},"level":{level},'
            f'"statements":[{",".join(statements)}]{tail}'
        )
    return f'{head}{{"summary":{q(e.summary)},"layers":[{layers}],"policies":[{",".join(policies)}]}}}}'


_TRUE, _FALSE = "true", "false"

# JSON arrays of strings, per tuple (keyed by identity, the tuple kept beside its text so the key cannot
# be reused): the engine shares one tuple of pattern texts between every explanation of a statement, so
# a batch writes the same arrays again and again.
_ARRAYS: dict[int, tuple[tuple[str, ...], str]] = {}
_ARRAYS_LIMIT = 65536


def _array(values: tuple[str, ...]) -> str:
    if not values:
        return "[]"
    cached = _ARRAYS.get(id(values))
    if cached is not None and cached[0] is values:
        return cached[1]
    text = f"[{','.join([_q(v) for v in values])}]"
    if len(_ARRAYS) >= _ARRAYS_LIMIT:
        _ARRAYS.clear()
    _ARRAYS[id(values)] = (values, text)
    return text


def _opt(text: str | None) -> str:
    return "null" if text is None else _q(text)


def _strings(values: tuple[str, ...] | None) -> str:
    return "null" if values is None else f"[{','.join([_q(v) for v in values])}]"
