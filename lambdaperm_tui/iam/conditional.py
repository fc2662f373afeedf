"""Answers over an open context: the condition, on keys whose value is not known, under which a request
is allowed.

A condition on an open key is an ``Atom``; a statement whose other parts match applies exactly when its
atoms all hold. The combiner (``evaluate.py``) joins the statements' formulas with AWS's evaluation
logic into one formula in disjunctive normal form: a set of terms (OR), each a set of literals (AND),
a literal being an atom or its negation. ``allowed_if`` writes it with IAM's own operators.

Exactness: every operation here is Boolean algebra on literals, and a literal's truth for a concrete
value of its key is the engine's own condition evaluation (``conditions.evaluate_conditions``), so for
every assignment of the open keys (absent included) the formula holds exactly when the closed
evaluation allows. The only reasoning beyond Boolean algebra is about presence: "the key is absent"
is one assignment, and a literal's truth there is computed by the engine, so ``Null`` and the
missing-key rules of each operator are those of ``conditions.py``.

Writing a negated literal with an IAM operator uses the operator's complement (``StringEquals`` and
``StringNotEquals``, ``ForAnyValue:`` and ``ForAllValues:``, ``IpAddress`` and ``NotIpAddress``, ...).
``Bool``, ``Numeric...`` and ``Date...`` have no negated form in IAM: their complement is written for
values of the operator's type (``Bool`` true/false, numbers, dates), which is what AWS sends for a key
of that type. ``BinaryEquals`` has no complement at all; such a literal (and a condition whose values
hold a variable of an open key) cannot be written, and the answer says it is incomplete.

An open key is either absent or carries at least one value: a key given with an empty list of values is
a known fact of the request, and ``Null`` counts it as absent while the missing-key rules do not, so
"present" here is written ``Null: false``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from .conditions import Condition, evaluate_conditions, parse_conditions, parse_date, parse_number
from .context import RequestContext
from .result import ConditionTerm

__all__ = [
    "FALSE",
    "TRUE",
    "Atom",
    "Formula",
    "TooLarge",
    "atom_for",
    "conjunction",
    "f_and",
    "f_not",
    "f_or",
    "opaque",
    "open_conditions",
    "render",
]

# Past this many terms an intermediate formula is too large to be useful (or cheap) to show.
MAX_TERMS = 64


class TooLarge(Exception):
    """A formula grew past ``MAX_TERMS`` terms."""


@dataclass(frozen=True, slots=True)
class Atom:
    """One condition on an open key, with its policy values as compared (variables resolved).

    ``showable`` is False when the values hold a variable whose key is open too (the condition is then
    a relation between two unknowns, which ``allowed_if`` does not write)."""

    key: str
    operator: str
    values: tuple[str, ...]
    folded: str = field(compare=False)
    condition: Condition = field(compare=False, repr=False)
    showable: bool = field(compare=False, default=True)
    # Truth when the key is absent (computed by the engine, see the module docstring).
    when_absent: bool = field(compare=False, default=False)

    @property
    def ident(self) -> tuple[str, str, tuple[str, ...]]:
        """What makes two atoms the same condition."""
        return (self.folded, self.operator, self.values)


Literal = tuple[Atom, bool]  # (atom, positive)
Term = frozenset[Literal]
Formula = frozenset[Term]

TRUE: Formula = frozenset({frozenset()})
FALSE: Formula = frozenset()

_EMPTY = RequestContext()


def truth_when_absent(condition: Condition) -> bool:
    """Whether ``condition`` holds when its key is absent (the engine's own rule)."""
    return evaluate_conditions((condition,), _EMPTY, variables=False, explain=False)[0]


def conjunction(atoms: tuple[Atom, ...]) -> Formula:
    """The formula "every atom holds" (``TRUE`` for none)."""
    term = _consistent(frozenset((a, True) for a in atoms))
    return FALSE if term is None else frozenset({term})


def _lit_absent(lit: Literal) -> bool:
    atom, positive = lit
    return atom.when_absent if positive else not atom.when_absent


def _is_null(atom: Atom) -> bool:
    return atom.condition.kind == "null"


def _consistent(term: Term) -> Term | None:
    """``term`` without literals implied by others, or None when it can never hold.

    Contradictions: a literal and its negation; "the key is absent" (a Null literal that holds only
    then) beside a literal that is false when the key is absent. Implied: a literal that holds when the
    key is absent, beside "absent"; "present" (a Null literal) beside a literal false when absent."""
    if len(term) < 2:
        return term
    positives: dict[tuple[str, str, tuple[str, ...]], bool] = {}
    for atom, positive in term:
        seen = positives.get(atom.ident)
        if seen is not None and seen != positive:
            return None
        positives[atom.ident] = positive
    by_key: dict[str, list[Literal]] = {}
    for lit in term:
        by_key.setdefault(lit[0].folded, []).append(lit)
    drop: set[Literal] = set()
    for lits in by_key.values():
        if len(lits) < 2:
            continue
        forces_absent = [x for x in lits if _is_null(x[0]) and _forces(x) == "absent"]
        forces_present = [x for x in lits if _is_null(x[0]) and _forces(x) == "present"]
        if forces_absent:
            if any(not _lit_absent(x) for x in lits if x not in forces_absent):
                return None
            drop.update(x for x in lits if x not in forces_absent)
            drop.update(forces_absent[1:])
        elif forces_present and any(not _lit_absent(x) and not _is_null(x[0]) for x in lits):
            drop.update(forces_present)
    return term - drop if drop else term


def _forces(lit: Literal) -> str:
    """For a Null literal: "absent" when it holds only for an absent key, "present" when only for a
    present one, "" when it is constant."""
    atom, positive = lit
    values = {v.lower() for v in atom.values}
    if values == {"true"}:
        return "absent" if positive else "present"
    if values == {"false"}:
        return "present" if positive else "absent"
    return ""


def _absorb(terms: set[Term]) -> Formula:
    """Drop each term that contains another (A or (A and B) is A), and merge pairs that differ in one
    literal's sign ((A and l) or (A and not l) is A), until nothing changes."""
    if len(terms) > MAX_TERMS * 4:
        raise TooLarge
    changed = True
    current = set(terms)
    while changed:
        changed = False
        ordered = sorted(current, key=len)
        kept: list[Term] = []
        for t in ordered:
            if any(k <= t for k in kept):
                changed = changed or len(kept) < len(ordered)
                continue
            kept.append(t)
        current = set(kept)
        merged: set[Term] | None = None
        for t in kept:
            for atom, positive in t:
                twin = (t - {(atom, positive)}) | {(atom, not positive)}
                if twin in current:
                    merged = (current - {t, twin}) | {t - {(atom, positive)}}
                    break
            if merged is not None:
                break
        if merged is not None:
            current = merged
            changed = True
    if len(current) > MAX_TERMS:
        raise TooLarge
    return frozenset(current)


def f_or(a: Formula, b: Formula) -> Formula:
    """a OR b."""
    if a == TRUE or b == TRUE:
        return TRUE
    if not a:
        return b
    if not b:
        return a
    return _absorb(set(a) | set(b))


def f_and(a: Formula, b: Formula) -> Formula:
    """a AND b."""
    if not a or not b:
        return FALSE
    if a == TRUE:
        return b
    if b == TRUE:
        return a
    out: set[Term] = set()
    for ta in a:
        for tb in b:
            t = _consistent(ta | tb)
            if t is not None:
                out.add(t)
    return _absorb(out)


def f_not(a: Formula) -> Formula:
    """NOT a (De Morgan, expanded back to a disjunction)."""
    out = TRUE
    for term in a:
        if not term:
            return FALSE
        out = f_and(out, frozenset(frozenset({(atom, not positive)}) for atom, positive in term))
        if not out:
            return FALSE
    return out


# ------------------------------------------------------------------------------------------ writing


_COMPLEMENT = {
    "StringEquals": "StringNotEquals",
    "StringEqualsIgnoreCase": "StringNotEqualsIgnoreCase",
    "StringLike": "StringNotLike",
    "NumericEquals": "NumericNotEquals",
    "DateEquals": "DateNotEquals",
    "IpAddress": "NotIpAddress",
    "ArnEquals": "ArnNotEquals",
    "ArnLike": "ArnNotLike",
}
_COMPLEMENT.update({v: k for k, v in list(_COMPLEMENT.items())})
# Ordered comparisons: the complement of "less than the largest value" is "at least the largest", ...
_ORDER_COMPLEMENT = {
    "LessThan": ("GreaterThanEquals", max),
    "LessThanEquals": ("GreaterThan", max),
    "GreaterThan": ("LessThanEquals", min),
    "GreaterThanEquals": ("LessThan", min),
}


@lru_cache(maxsize=4096)
def _parsed(operator: str, key: str, values: tuple[str, ...]) -> Condition:
    return parse_conditions({operator: {key: list(values)}}, "allowed_if", variables=True)[0]


def _term(operator: str, key: str, values: tuple[str, ...]) -> tuple[ConditionTerm, bool]:
    """A condition term and whether it holds when the key is absent."""
    return ConditionTerm(key, operator, values), truth_when_absent(_parsed(operator, key, values))


def _complement_present(atom: Atom) -> tuple[str, tuple[str, ...]] | None | bool:
    """The operator and values that hold, for a present key, exactly when ``atom`` does not (no
    IfExists); True/False when that is constant; None when IAM has no way to write it."""
    cond = atom.condition
    base = cond.base_operator
    values = atom.values
    qualifier = cond.qualifier
    flipped = {"ForAllValues": "ForAnyValue:", "ForAnyValue": "ForAllValues:"}.get(qualifier or "", "")
    if base == "Bool":
        wanted = {v.lower() for v in values}
        rest = tuple(sorted({"true", "false"} - wanted))
        if not rest:
            return False
        if len(rest) == 2:
            return True
        return f"{flipped}Bool", rest
    if base in _COMPLEMENT:
        return f"{flipped}{_COMPLEMENT[base]}", values
    for family in ("Numeric", "Date"):
        if base.startswith(family) and base[len(family) :] in _ORDER_COMPLEMENT:
            name, pick = _ORDER_COMPLEMENT[base[len(family) :]]
            parse = _number_or_date(family)
            readable = [v for v in values if parse(v) is not None]
            if not readable:
                return True  # the atom matches nothing, so its complement holds for any present key
            bound = pick(readable, key=parse)
            return f"{flipped}{family}{name}", (bound,)
    return None


def _number_or_date(family: str) -> Callable[[str], Any]:
    return parse_number if family == "Numeric" else parse_date


def _write_literal(lit: Literal) -> list[ConditionTerm] | None:
    """One literal as a conjunction of condition terms; None when it cannot be written."""
    atom, positive = lit
    if not atom.showable:
        return None
    if positive:
        return [ConditionTerm(atom.key, atom.operator, atom.values)]
    if _is_null(atom):
        forced = _forces(lit)
        if not forced:
            return None  # a constant Null literal never reaches here (see _atom in evaluate.py)
        return [ConditionTerm(atom.key, "Null", ("true",) if forced == "absent" else ("false",))]
    comp = _complement_present(atom)
    present_term = ConditionTerm(atom.key, "Null", ("false",))
    if comp is None:
        return None
    if comp is True or comp is False:
        # Present: constant. The literal holds when absent iff the atom does not.
        holds_absent = not atom.when_absent
        if comp is True:
            return [] if holds_absent else [present_term]
        return [ConditionTerm(atom.key, "Null", ("true",))] if holds_absent else None
    assert not isinstance(comp, bool)
    operator, values = comp
    term, absent_truth = _term(operator, atom.key, values)
    holds_absent = not atom.when_absent
    if holds_absent == absent_truth:
        return [term]
    if holds_absent and not absent_truth:
        if operator.endswith("Null"):
            return None
        term2, absent2 = _term(operator + "IfExists", atom.key, values)
        return [term2] if absent2 else None
    # The literal is false when absent but the complement holds then: require presence.
    return [present_term, term]


def render(formula: Formula) -> tuple[tuple[tuple[ConditionTerm, ...], ...], bool]:
    """``allowed_if`` for a formula: its alternatives in IAM's words, simplified, and whether every
    part could be written (False: some alternative was left out because it cannot be)."""
    complete = True
    written: list[tuple[ConditionTerm, ...]] = []
    # Sorted: a formula is a set, and the answer must read the same on every run.
    for term in sorted(formula, key=_term_key):
        parts: list[ConditionTerm] = []
        ok = True
        for lit in sorted(term, key=lambda x: (x[0].folded, x[0].operator, x[0].values, x[1])):
            out = _write_literal(lit)
            if out is None:
                ok = False
                break
            parts.extend(out)
        if not ok:
            complete = False
            continue
        written.append(_tidy(parts))
    merged = _merge_alternatives(written)
    merged.sort(key=lambda alt: (len(alt), [(t.key.lower(), t.operator, t.values) for t in alt]))
    return tuple(merged), complete


def _term_key(term: Term) -> list[tuple[str, str, tuple[str, ...], bool]]:
    return sorted((a.folded, a.operator, a.values, positive) for a, positive in term)


def _tidy(parts: list[ConditionTerm]) -> tuple[ConditionTerm, ...]:
    """Drop repeated terms and a ``Null: false`` that another term on the key already implies."""
    seen: list[ConditionTerm] = []
    for p in parts:
        if p not in seen:
            seen.append(p)
    out: list[ConditionTerm] = []
    for p in seen:
        implied = (
            p.operator == "Null"
            and p.values == ("false",)
            and any(
                q.key.lower() == p.key.lower() and q is not p and not _term(q.operator, q.key, q.values)[1]
                for q in seen
            )
        )
        if not implied:
            out.append(p)
    return tuple(out)


# Operators whose alternatives on one key join into one list of values: "some request value matches
# some policy value" is an OR over policy values.
_JOINABLE_PREFIXES = (
    "StringEquals",
    "StringEqualsIgnoreCase",
    "StringLike",
    "ArnEquals",
    "ArnLike",
    "IpAddress",
    "Bool",
    "NumericEquals",
    "DateEquals",
)


def _joinable(op: str) -> bool:
    base = op.removeprefix("ForAnyValue:").removesuffix("IfExists")
    return not op.startswith("ForAllValues:") and base in _JOINABLE_PREFIXES


def _merge_alternatives(alts: list[tuple[ConditionTerm, ...]]) -> list[tuple[ConditionTerm, ...]]:
    """Join alternatives that differ in one term on one key: ``Null k true`` or ``P k V`` becomes
    ``PIfExists k V``; ``P k V1`` or ``P k V2`` becomes ``P k V1+V2`` (for operators where that is an OR)."""
    current = list(dict.fromkeys(alts))
    changed = True
    while changed:
        changed = False
        for i, a in enumerate(current):
            for j, b in enumerate(current):
                if i == j or len(a) != len(b):
                    continue
                diff_a = [t for t in a if t not in b]
                diff_b = [t for t in b if t not in a]
                if len(diff_a) != 1 or len(diff_b) != 1:
                    continue
                x, y = diff_a[0], diff_b[0]
                if x.key.lower() != y.key.lower():
                    continue
                joined: ConditionTerm | None = None
                if x.operator == "Null" and x.values == ("true",) and _if_exists_of(y) is not None:
                    joined = _if_exists_of(y)
                elif x.operator == y.operator and _joinable(x.operator):
                    values = tuple(sorted(set(x.values + y.values)))
                    joined = ConditionTerm(x.key, x.operator, values)
                if joined is None:
                    continue
                rest = [t for t in a if t != x]
                new = tuple(sorted([*rest, joined], key=lambda t: (t.key.lower(), t.operator)))
                current = [c for k, c in enumerate(current) if k not in (i, j)] + [new]
                current = list(dict.fromkeys(current))
                changed = True
                break
            if changed:
                break
    return current


def _if_exists_of(t: ConditionTerm) -> ConditionTerm | None:
    """``PIfExists k V`` for a term ``P k V`` that is false when the key is absent (so that "absent,
    or P" is exactly the IfExists form)."""
    if t.operator.endswith("IfExists") or t.operator == "Null" or t.operator.startswith("For"):
        return None
    if _term(t.operator, t.key, t.values)[1]:
        return None
    return ConditionTerm(t.key, t.operator + "IfExists", t.values)


# ------------------------------------------------------------------------------------- conditions


def _escaped(pieces: tuple[tuple[str, bool], ...]) -> str:
    """Resolved pieces written back as a policy value: substituted text is literal, so its ``*``,
    ``?`` and ``$`` are written as the ``${*}``, ``${?}``, ``${$}`` escapes."""
    out: list[str] = []
    for text, wild in pieces:
        if wild:
            out.append(text)
        else:
            out.append(text.replace("$", "${$}").replace("*", "${*}").replace("?", "${?}"))
    return "".join(out)


def atom_for(
    cond: Condition, ctx: RequestContext, variables: bool, is_open: Callable[[str], bool]
) -> Formula:
    """The formula of one condition on an open key (variables of closed keys resolved from ``ctx``)."""
    absent = truth_when_absent(cond)
    if cond.kind == "null" and _forces((_bare_atom(cond, cond.values, absent), True)) == "":
        # Null with both values, or none: the same answer whether or not the key is present.
        return TRUE if absent else FALSE
    values = cond.values
    showable = True
    if cond.templates is not None and variables:
        keys = {k.lower() for t in cond.templates for k in t.variable_keys}
        if any(is_open(k) for k in keys):
            showable = False
        else:
            resolved = [t.pieces(ctx) for t in cond.templates]
            if any(p is None for p in resolved):
                # A variable with no value: the condition is false whenever the key is present.
                if not absent:
                    return FALSE
                null = _parsed("Null", cond.key, ("true",))
                return frozenset({frozenset({(_bare_atom(null, ("true",), True), True)})})
            values = tuple(_escaped(p) for p in resolved if p is not None)
    atom = Atom(cond.key, cond.operator, values, cond.folded_key, cond, showable, absent)
    return frozenset({frozenset({(atom, True)})})


def opaque(what: str) -> Formula:
    """A formula for a part of a statement that depends on an open key in a way ``allowed_if`` does not
    write (e.g. a Resource holding a variable of an open key): one atom that cannot be shown."""
    cond = _parsed("StringEquals", "Resource", (what,))
    return frozenset({frozenset({(Atom("Resource", "(not shown)", (what,), "", cond, False, False), True)})})


def _bare_atom(cond: Condition, values: tuple[str, ...], absent: bool) -> Atom:
    return Atom(cond.key, cond.operator, values, cond.folded_key, cond, True, absent)


def open_conditions(
    conditions: tuple[Condition, ...],
    ctx: RequestContext,
    *,
    variables: bool,
    is_open: Callable[[str], bool],
) -> Formula:
    """A statement's conditions (all must hold) as a formula over its open keys: ``FALSE`` when a
    condition on a known key fails, ``TRUE`` when every condition is on known keys and holds."""
    out = TRUE
    for cond in conditions:
        if is_open(cond.folded_key):
            f = atom_for(cond, ctx, variables, is_open)
        elif (
            cond.templates is not None
            and variables
            and any(is_open(k.lower()) for t in cond.templates for k in t.variable_keys)
        ):
            # A known key compared with the value of an open one: not written (see the docstring).
            atom = Atom(cond.key, cond.operator, cond.values, cond.folded_key, cond, False, False)
            f = frozenset({frozenset({(atom, True)})})
        else:
            f = TRUE if evaluate_conditions((cond,), ctx, variables=variables, explain=False)[0] else FALSE
        out = f_and(out, f)
        if not out:
            return FALSE
    return out
