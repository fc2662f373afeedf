"""English for the engine's data: the one place where a result's parts become words.

The command line and the terminal UI both call these functions; nothing parses their output back.
"""

from __future__ import annotations

from collections.abc import Sequence

from .result import BlockedBy, ConditionTerm, DecidingStatement

__all__ = [
    "ASCII_SYMBOLS",
    "SYMBOLS",
    "allowed_if_words",
    "blocked_by_words",
    "condition_term_words",
    "decision_words",
    "deciding_statement_words",
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
