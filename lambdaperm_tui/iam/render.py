"""English for the engine's data: the one place where a result's parts become words.

The command line and the terminal UI both call these functions; nothing parses their output back.
"""

from __future__ import annotations

import json
from collections.abc import Sequence

from .request import Principal, PrincipalKind
from .result import (
    BlockedBy,
    ConditionTerm,
    DecidingStatement,
    Decision,
    DecisionReason,
    Element,
    ElementMatch,
    Grant,
    LayerExplanation,
    LayerKind,
    MatchReason,
)

__all__ = [
    "ASCII_SYMBOLS",
    "SYMBOLS",
    "allowed_if_words",
    "blocked_by_words",
    "condition_term_words",
    "decision_words",
    "deciding_statement_words",
    "decision_reason_words",
    "element_words",
    "grant_words",
    "json_error_words",
    "layer_name",
    "pattern_text",
    "principal_words",
    "verdict_words",
]

# Operators read as a symbol between the key and its values.
_SYMBOLS = {
    "StringEquals": "=",
    "StringEqualsIgnoreCase": "= (any case)",
    "StringNotEquals": "≠",
    "StringNotEqualsIgnoreCase": "≠ (any case)",
    "StringLike": "like",
    "StringNotLike": "not like",
    "ArnEquals": "=",
    "ArnLike": "like",
    "ArnNotEquals": "≠",
    "ArnNotLike": "not like",
    "Bool": "=",
    "NumericEquals": "=",
    "NumericNotEquals": "≠",
    "NumericLessThan": "<",
    "NumericLessThanEquals": "≤",
    "NumericGreaterThan": ">",
    "NumericGreaterThanEquals": "≥",
    "DateEquals": "=",
    "DateNotEquals": "≠",
    "DateLessThan": "before",
    "DateLessThanEquals": "at or before",
    "DateGreaterThan": "after",
    "DateGreaterThanEquals": "at or after",
    "IpAddress": "in",
    "NotIpAddress": "not in",
    "BinaryEquals": "=",
}


def condition_term_words(term: ConditionTerm) -> str:
    """``aws:MultiFactorAuthPresent = true``; ``aws:SourceIp in 10.0.0.0/8 (or absent)``; ..."""
    op = term.operator
    if op == "Null":
        if term.values == ("true",):
            return f"{term.key} is absent"
        if term.values == ("false",):
            return f"{term.key} is present"
    qualifier = ""
    if op.startswith("ForAnyValue:"):
        qualifier, op = "any value of ", op.removeprefix("ForAnyValue:")
    elif op.startswith("ForAllValues:"):
        qualifier, op = "every value of ", op.removeprefix("ForAllValues:")
    if_exists = op.endswith("IfExists")
    base = op.removesuffix("IfExists")
    symbol = _SYMBOLS.get(base, base)
    values = term.values[0] if len(term.values) == 1 else "one of " + ", ".join(term.values)
    if not term.values:
        values = "(no value)"
    text = f"{qualifier}{term.key} {symbol} {values}"
    return f"{text} (or absent)" if if_exists else text


def allowed_if_words(alternatives: Sequence[Sequence[ConditionTerm]], complete: bool = True) -> str:
    """The condition of a conditional answer: alternatives joined by "or", terms by "and"."""
    parts = [" and ".join(condition_term_words(t) for t in alt) for alt in alternatives]
    text = " or ".join(f"({p})" if len(alternatives) > 1 and " and " in p else p for p in parts)
    if not complete:
        text = (text + " or " if text else "") + "(conditions too large or not expressible to show)"
    return text


_BLOCKED_BY_WORDS = {
    BlockedBy.NO_ALLOW: "no statement allows",
    BlockedBy.BOUNDARY: "blocked by the permissions boundary",
    BlockedBy.SESSION_POLICY: "blocked by the session policy",
    BlockedBy.SCP: "blocked by a service control policy (SCP)",
    BlockedBy.RCP: "blocked by a resource control policy (RCP)",
    BlockedBy.IDENTITY: "blocked by the caller's own account (no identity policy allows it)",
    BlockedBy.RESOURCE_POLICY: "the resource policy does not admit the caller",
}


def blocked_by_words(blocked_by: BlockedBy) -> str:
    """``blocked by the permissions boundary``, ``no statement allows``, ..."""
    return _BLOCKED_BY_WORDS[blocked_by]


# (allowed, denied, unknown, conditional) marks, and the ASCII ones for terminals without them.
SYMBOLS = ("✔", "✘", "?", "◐")
ASCII_SYMBOLS = ("+", "x", "?", "~")


# Every answer's mark (its index in a symbol tuple) and word: the engine's decisions and the four-way
# verdicts of needs and triggers (``denied``) share it; anything else is unknown.
_HEADS: dict[str, tuple[int, str]] = {
    "allowed": (0, "ALLOWED"),
    "explicit_deny": (1, "DENIED"),
    "implicit_deny": (1, "DENIED"),
    "denied": (1, "DENIED"),
    "conditional": (3, "ALLOWED IF"),
}
_UNKNOWN_HEAD = (2, "UNKNOWN")


def verdict_words(verdict: str, symbols: tuple[str, str, str, str] = SYMBOLS) -> str:
    """An answer's mark and word alone: ``✔ ALLOWED``, ``✘ DENIED``, ``◐ ALLOWED IF``, ``? UNKNOWN``.

    For a decision (``allowed``, ``explicit_deny``, ``implicit_deny``, ``conditional``) or a need's or
    trigger's verdict (``allowed``, ``denied``, ``conditional``); anything else is unknown.
    """
    index, word = _HEADS.get(verdict, _UNKNOWN_HEAD)
    return f"{symbols[index]} {word}"


def decision_words(
    decision: str,
    *,
    allowed_if: Sequence[Sequence[ConditionTerm]] = (),
    complete: bool = True,
    blocked_by: BlockedBy | None = None,
    symbols: tuple[str, str, str, str] = SYMBOLS,
) -> str:
    """A decision in words and a symbol (never colour alone): ``✔ ALLOWED``, ``✘ DENIED (implicit
    deny: blocked by the permissions boundary)``, ``◐ ALLOWED IF aws:MultiFactorAuthPresent = true``."""
    head = verdict_words(decision, symbols)
    if decision == "explicit_deny":
        return f"{head} (explicit deny)"
    if decision == "implicit_deny":
        why = f": {blocked_by_words(blocked_by)}" if blocked_by is not None else ""
        return f"{head} (implicit deny{why})"
    if decision == "conditional":
        return f"{head} {allowed_if_words(allowed_if, complete)}"
    return head


def deciding_statement_words(d: DecidingStatement) -> str:
    """``identity policy "exec" statement 0 (Sid "Logs"): Allow``."""
    sid = f' (Sid "{d.sid}")' if d.sid else ""
    return f'{d.policy_type} policy "{d.policy}" statement {d.statement_index}{sid}: {d.effect}'


# ------------------------------------------------------------------------------------------ explanation

_GRANT_WORDS = {
    Grant.ACCOUNT: "names the account, which only delegates to identity policies",
    Grant.ROLE: "names the role (limited by the session's boundary and session policy)",
    Grant.CALLER: "names the caller directly",
}


def grant_words(grant: Grant) -> str:
    """``names the role (limited by the session's boundary and session policy)``, ..."""
    return _GRANT_WORDS[grant]


def pattern_text(m: ElementMatch, i: int) -> str:
    """Pattern ``i`` of an element as the policy wrote it: ``"lambda:Invoke*"``, ``{"AWS": "arn:..."}``,
    ``"*"`` (a bare principal wildcard)."""
    value = m.patterns[i]
    if not m.principal_keys:
        return f'"{value}"'
    key = m.principal_keys[i]
    return '"*"' if key == "*" else f'{{"{key}": "{value}"}}'


def _listed(m: ElementMatch) -> str:
    return ", ".join([pattern_text(m, i) for i in range(len(m.patterns))])


def element_words(m: ElementMatch) -> str:
    """One element's match in a sentence: ``"lambda:InvokeFunction" matches "lambda:Invoke*"``,
    ``"arn:...:role/r" matches none of {"Service": "sns.amazonaws.com"}``, ..."""
    reason = m.reason
    name = m.element.value
    value = f'"{m.value}"'
    if reason is MatchReason.MATCHES:
        assert m.hit is not None
        hit = pattern_text(m, m.hit)
        if m.element is Element.PRINCIPAL:
            grant = m.grant
            words = "matches" if grant is None or grant is Grant.CALLER else grant_words(grant)
            return f"{value} matches {hit} ({words})"
        return f"{value} matches {hit}"
    if reason is MatchReason.MATCHES_NONE:
        return f"{value} matches none of {_listed(m)}"
    if reason is MatchReason.EXCLUDED:
        if m.element is Element.NOT_PRINCIPAL:
            return f"{value} is excluded by NotPrincipal {_listed(m)}"
        assert m.hit is not None
        return f"{value} is excluded by {name} {pattern_text(m, m.hit)}"
    if reason is MatchReason.NOT_LISTED:
        return f"{value} is not among {name} {_listed(m)}"
    if reason is MatchReason.NOT_EXEMPTED:
        why = "not every identity of the caller (session, role, account) is listed"
        return f"{value} is not exempted by NotPrincipal {_listed(m)} ({why})"
    if reason is MatchReason.BOUNDARY_NOT_EXEMPT:
        why = "a Deny with NotPrincipal always applies to a principal with a permissions boundary"
        return f"{value} is not exempted by NotPrincipal {_listed(m)} ({why})"
    if reason is MatchReason.NOT_PRINCIPAL_WITH_ALLOW:
        return (
            "NotPrincipal with Allow is not supported by AWS, which gives no rule for it (older "
            "pages said it grants everyone not listed): read as granting no one"
        )
    return "the statement has no Principal element, so it grants no one"


_LAYER_NAMES = {
    LayerKind.AUTHENTICATION: "authentication",
    LayerKind.EXPLICIT_DENY: "explicit deny",
    LayerKind.SCP: "SCPs",
    LayerKind.RCP: "RCPs",
    LayerKind.RESOURCE: "resource",
    LayerKind.IDENTITY: "identity",
    LayerKind.BOUNDARY: "boundary",
    LayerKind.SESSION: "session",
    LayerKind.DECISION: "decision",
}


def layer_name(layer: LayerExplanation) -> str:
    """``explicit deny``, ``SCP level 2``, ``SCPs`` (all levels), ``resource``, ``decision``, ..."""
    kind = layer.kind
    if layer.level is not None and kind in (LayerKind.SCP, LayerKind.RCP):
        return f"{kind.value.upper()} level {layer.level}"
    return _LAYER_NAMES[kind]


def principal_words(p: Principal) -> str:
    """The caller in words: ``the service principal sns.amazonaws.com``, ``anonymous callers``, or its
    text (an ARN)."""
    if p.kind is PrincipalKind.SERVICE:
        return f"the service principal {p.text}"
    if p.kind is PrincipalKind.ANONYMOUS:
        return "anonymous callers"
    return p.text


# What the identity side lacks, by the layer without an Allow (``Result.blocked_by``).
_IDENTITY_GAP_WORDS = {
    BlockedBy.BOUNDARY: "the permissions boundary has no Allow",
    BlockedBy.SESSION_POLICY: "the session policy has no Allow",
}

_DECISION_REASON_WORDS = {
    DecisionReason.ROOT_OWN_ACCOUNT: "the root user has full access to its own account's resources",
    DecisionReason.ROOT_CROSS_ALLOWED: (
        "cross-account: the resource policy allows the other account's root user"
    ),
    DecisionReason.ROOT_CROSS_NOT_ALLOWED: "cross-account: the resource policy does not allow this account",
    DecisionReason.CROSS_BOTH_ALLOW: "cross-account: both the identity policy and the resource policy allow",
    DecisionReason.CROSS_RESOURCE_POLICY_DOES_NOT: (
        "cross-account: the identity policy allows but the resource policy does not"
    ),
    DecisionReason.CROSS_NO_RESOURCE_POLICY: (
        "cross-account: the identity policy allows but there is no resource policy"
    ),
    DecisionReason.CROSS_NEITHER: "cross-account: neither the identity policy nor the resource policy allows",
    DecisionReason.SAME_IDENTITY_ALLOWS: "an identity policy allows",
    DecisionReason.SAME_RESOURCE_ALLOWS: "the resource policy allows",
    DecisionReason.SAME_BOTH_ALLOW: "both an identity policy and the resource policy allow",
    DecisionReason.SAME_TRUST_POLICY_DOES_NOT: (
        "an identity policy allows, but a role's trust policy must explicitly allow the caller and it "
        "does not"
    ),
    DecisionReason.SAME_ACCOUNT_GRANT_ONLY: (
        "the resource policy names only the account, which delegates to identity policies, and no "
        "identity policy allows"
    ),
}


def decision_reason_words(reason: DecisionReason, principal: Principal, blocked_by: BlockedBy | None) -> str:
    """Why the principal case decided as it did, in a clause: ``an identity policy allows``,
    ``cross-account: the resource policy allows but the permissions boundary has no Allow``, ...
    ``blocked_by`` is the layer that stopped a denied request (it names what the identity side lacks)."""
    words = _DECISION_REASON_WORDS.get(reason)
    if words is not None:
        return words
    if reason is DecisionReason.SERVICE_ALLOWED:
        return f"the resource policy allows {principal_words(principal)}"
    if reason is DecisionReason.SERVICE_NOT_ALLOWED:
        return f"no resource policy statement allows {principal_words(principal)} ({principal.text})"
    gap = _IDENTITY_GAP_WORDS.get(blocked_by) if blocked_by is not None else None
    if reason is DecisionReason.CROSS_IDENTITY_SIDE_MISSING:
        return "cross-account: the resource policy allows but " + (gap or "no identity policy does")
    if reason is DecisionReason.SAME_ROLE_GRANT_LIMITED:
        limit = (
            "session policy, which has no Allow"
            if blocked_by is BlockedBy.SESSION_POLICY
            else "permissions boundary, which has no Allow"
        )
        return "the resource policy allows the role, but that grant is limited by the " + limit
    identity = "no identity policy allows" if gap is None else "an identity policy allows but " + gap
    if reason is DecisionReason.SAME_NO_ALLOW:
        return identity + ", and the resource policy does not"
    assert reason is DecisionReason.SAME_NO_ALLOW_NO_RESOURCE_POLICY, reason
    return identity + ", and there is no resource policy"


# ------------------------------------------------------------------------------------ layer notes
# The sentences of ``LayerExplanation.note`` and ``Explanation.summary``, from the data evaluate has.


def statement_words(policy: str, index: int, sid: str | None) -> str:
    """``exec statement 0 ("Logs")``: a statement of a policy, by index and Sid."""
    return f'{policy} statement {index} ("{sid}")' if sid else f"{policy} statement {index}"


def statement_allows_words(policy: str, index: int, sid: str | None, action: str) -> str:
    """``exec statement 0 ("Logs") allows lambda:InvokeFunction``."""
    return f"{statement_words(policy, index, sid)} allows {action}"


def explicit_deny_words(statements: Sequence[tuple[str, str, int, str | None]]) -> str:
    """The explicit-deny layer's note: ``explicit Deny in identity exec statement 1; ...`` for each
    (policy type, policy, statement index, Sid)."""
    return "explicit Deny in " + "; ".join(f"{t} {statement_words(n, i, s)}" for t, n, i, s in statements)


def explicitly_denied_words(policy_type: str, policy: str, index: int, sid: str | None) -> str:
    """The summary of an explicit deny: ``explicitly denied by scp policy deny-all statement 0``."""
    return f"explicitly denied by {policy_type} policy {statement_words(policy, index, sid)}"


def no_deny_words(action: str) -> str:
    """``no Deny statement matches lambda:InvokeFunction``."""
    return f"no Deny statement matches {action}"


EXPLICIT_DENY_OVERRIDES = "an explicit Deny overrides every Allow"
NO_SCP = "no SCP applies"
NO_RCP = "no RCP applies"
NO_RESOURCE_POLICY = "the resource has no resource policy"
NO_IDENTITY_POLICIES = "the principal has no identity policies"
NO_BOUNDARY = "no boundary"
NO_SESSION_POLICY = "no session policy"
FEDERATED_WITHOUT_SESSION_POLICY = (
    "no session policy: a federated-user session without one has no permissions from identity policies"
)


def scp_exempt_words(principal: Principal) -> str:
    """``SCPs do not govern the service principal sns.amazonaws.com``."""
    return f"SCPs do not govern {principal_words(principal)}"


def organization_no_allow_words(kind: LayerKind, level: int, action: str) -> str:
    """``no SCP at level 2 allows lambda:InvokeFunction`` (``kind``: SCP or RCP)."""
    return f"no {kind.value.upper()} at level {level} allows {action}"


def resource_allows_words(policy: str, index: int, sid: str | None, action: str, grant: Grant) -> str:
    """The resource layer's Allow: ``fn statement 0 allows lambda:InvokeFunction; it names the caller
    directly``."""
    return f"{statement_allows_words(policy, index, sid, action)}; it {grant_words(grant)}"


def resource_no_allow_words(action: str, principal: Principal) -> str:
    """``the resource policy has no Allow for lambda:InvokeFunction by arn:...``."""
    return f"the resource policy has no Allow for {action} by {principal.text}"


def identity_not_applicable_words(principal: Principal) -> str:
    """Why identity policies play no part: the root user has none; a service principal or anonymous
    caller is authorised by the resource policy alone."""
    if principal.kind is PrincipalKind.ROOT:
        return "the root user has no identity policies"
    verb = "are" if principal.kind is PrincipalKind.ANONYMOUS else "is"
    return f"{principal_words(principal)} {verb} authorised by the resource policy alone"


def no_identity_allow_words(action: str) -> str:
    """``no identity policy allows lambda:InvokeFunction``."""
    return f"no identity policy allows {action}"


def limit_allows_words(kind: LayerKind, index: int, sid: str | None, action: str) -> str:
    """The boundary's or session policy's Allow: ``boundary statement 0 allows ...``."""
    return statement_allows_words(_LIMIT_LABELS[kind], index, sid, action)


def limit_no_allow_words(kind: LayerKind, action: str) -> str:
    """``boundary has no Allow for lambda:InvokeFunction`` (or ``session policy ...``)."""
    return f"{_LIMIT_LABELS[kind]} has no Allow for {action}"


_LIMIT_LABELS = {LayerKind.BOUNDARY: "boundary", LayerKind.SESSION: "session policy"}

# The open-context answers (evaluate._open_answer) that are not "allowed if ...".
OPEN_TOO_LARGE = "allowed only under conditions on unknown context keys, too large to show"
OPEN_ALWAYS_ALLOWED = (
    "allowed whatever the unknown context keys are: the conditional Allow statements cover every case"
)
OPEN_ALWAYS_DENIED = "denied: whenever an Allow applies, a Deny statement applies too"


def no_permission_needed_words(action: str) -> str:
    """``allowed: sts:GetCallerIdentity needs no permission (AWS allows it even under an explicit Deny)``."""
    return f"allowed: {action} needs no permission (AWS allows it even under an explicit Deny)"


def summary_words(decision: Decision, clause: str) -> str:
    """The summary of a closed answer from its reason: ``allowed: an identity policy allows``,
    ``implicitly denied: no SCP at level 1 allows lambda:InvokeFunction``."""
    return f"allowed: {clause}" if decision is Decision.ALLOWED else f"implicitly denied: {clause}"


def same_account_words(clause: str) -> str:
    """The decision layer's note for a same-account request: ``same-account request; ...``."""
    return f"same-account request; {clause}"


def allowed_if_summary_words(alternatives: Sequence[Sequence[ConditionTerm]], complete: bool) -> str:
    """The summary of a conditional answer: ``allowed if aws:MultiFactorAuthPresent = true``."""
    return "allowed if " + allowed_if_words(alternatives, complete)


def json_error_words(exc: json.JSONDecodeError) -> str:
    """Where and why a text is not JSON: ``at line 3, column 5: Expecting ',' delimiter``.

    ``json`` words a raw control character as ``Invalid control character at`` (its position was meant to
    follow), which read ``at at line`` once placed; that case also says what to write instead.
    """
    why = exc.msg.removesuffix(" at")
    if why == "Invalid control character":
        why += " (a tab or line break inside a quoted string must be written \\t or \\n)"
    return f"at line {exc.lineno}, column {exc.colno}: {why}"
