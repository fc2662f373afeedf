"""English for the engine's data: the one place where a result's parts become words.

The command line and the terminal UI both call these functions; nothing parses their output back.
"""

from __future__ import annotations

from collections.abc import Sequence

from .result import (
    BlockedBy,
    ConditionTerm,
    DecidingStatement,
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
    "element_words",
    "grant_words",
    "layer_name",
    "pattern_text",
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
    ok, no, unknown, maybe = symbols
    if decision == "allowed":
        return f"{ok} ALLOWED"
    if decision == "explicit_deny":
        return f"{no} DENIED (explicit deny)"
    if decision == "implicit_deny":
        why = f": {blocked_by_words(blocked_by)}" if blocked_by is not None else ""
        return f"{no} DENIED (implicit deny{why})"
    if decision == "conditional":
        return f"{maybe} ALLOWED IF {allowed_if_words(allowed_if, complete)}"
    return f"{unknown} UNKNOWN"


def verdict_words(verdict: str, symbols: tuple[str, str, str, str] = SYMBOLS) -> str:
    """A need's or a trigger's four-way answer (``allowed``, ``denied``, ``conditional``, anything else
    unknown) as a symbol and a word: ``✔ ALLOWED``, ``✘ DENIED``, ``◐ ALLOWED IF``, ``? UNKNOWN``."""
    ok, no, unknown, maybe = symbols
    if verdict == "allowed":
        return f"{ok} ALLOWED"
    if verdict == "denied":
        return f"{no} DENIED"
    if verdict == "conditional":
        return f"{maybe} ALLOWED IF"
    return f"{unknown} UNKNOWN"


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
