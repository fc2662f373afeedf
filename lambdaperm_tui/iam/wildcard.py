"""IAM wildcard patterns (``*`` any run of characters, ``?`` one character), matched in linear time.

The one place a wildcard becomes a matcher: Action/NotAction, Resource/NotResource and the
StringLike/ArnLike condition operators all build theirs here, each with its own rule (``Flavor``):

- ``TEXT``: ``*`` any run, ``?`` any one character, across the whole string (Action, StringLike;
  https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html#Conditions_String).
- ``RESOURCE``: ``?`` and a ``*`` inside a colon-separated segment never match a colon; a ``*`` that
  ends its segment (followed by ``:`` or ending the pattern) matches any run ("If the * wildcard is the
  last character of a resource ARN segment, it can expand to match beyond the colon boundaries",
  https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_resource.html#reference_policies_elements_resource_wildcards).
- ``ARN``: ArnLike/ArnEquals compare the six ARN components: in the first five (up to the fifth colon)
  wildcards stay inside their component, in the sixth (the resource, which may hold colons) they
  match across; a value with fewer than six components matches no ARN
  (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html#Conditions_ARN).

Why not a regular expression: ``re`` backtracks, so a pattern with a few ``*`` against a long name
takes exponential time (8 ``*`` on 64 characters: 26 s per match). Here the common shapes are plain
string operations (literal, ``abc*``, ``*abc``, ``a*b``, ``*``), ``*``-only patterns are matched piece
by piece with ``str.find`` (leftmost placement is optimal when every ``*`` matches any run), and the
rest run a bit-parallel automaton: one pass over the subject, a few integer operations per character,
so a match costs O(len(subject) * len(pattern) / word size) at worst. Preparing that automaton is
deferred to the first match: most patterns of a batch are never tested against a request.
"""

from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache

__all__ = ["Flavor", "Pieces", "Wildcard", "wildcard", "wildcard_match", "wildcard_of_pieces"]

# (text, wildcards_apply) pieces of one pattern: policy text is True (its * and ? are wildcards), a
# substituted policy variable or a ${*}-style escape is False (always literal).
Pieces = tuple[tuple[str, bool], ...]


class Flavor(enum.Enum):
    """Which wildcard rule a pattern follows (see the module docstring)."""

    TEXT = "text"
    RESOURCE = "resource"
    ARN = "arn"


# Token kinds of a pattern, one token per pattern character.
_LIT, _ONE, _SEG_ONE, _RUN, _SEG_RUN = 0, 1, 2, 3, 4
_Token = tuple[int, str]

# Matcher kinds, cheapest first.
_ALL, _EXACT, _PREFIX, _SUFFIX, _AFFIX, _PIECES, _AUTOMATON, _NEVER = 0, 1, 2, 3, 4, 5, 6, 7


@dataclass(frozen=True, slots=True)
class _Automaton:
    """Bit-parallel form of a token list: bit ``i`` of a state means "the first ``i`` tokens matched"."""

    literal: dict[str, int]  # character -> tokens that are that literal character
    one: int  # single-character wildcards that accept a character other than ":"
    one_colon: int  # single-character wildcards that accept ":"
    run: int  # runs that accept a character other than ":" (every run)
    run_colon: int  # runs that accept ":"
    accept: int  # the state "every token matched"


def _automaton(tokens: Sequence[_Token]) -> _Automaton:
    literal: dict[str, int] = {}
    one = one_colon = run = run_colon = 0
    for i, (kind, char) in enumerate(tokens):
        bit = 1 << i
        if kind == _LIT:
            literal[char] = literal.get(char, 0) | bit
        elif kind == _ONE:
            one |= bit
            one_colon |= bit
        elif kind == _SEG_ONE:
            one |= bit
        elif kind == _RUN:
            run |= bit
            run_colon |= bit
        else:
            run |= bit
    return _Automaton(literal, one, one_colon, run, run_colon, 1 << len(tokens))


def _run_automaton(a: _Automaton, subject: str) -> bool:
    literal, run = a.literal, a.run
    # Runs never follow each other (see _tokens), so one shift closes a state over "a run may match
    # nothing".
    state = 1 | ((1 & run) << 1)
    for char in subject:
        if char == ":":
            state = ((state & (literal.get(char, 0) | a.one_colon)) << 1) | (state & a.run_colon)
        else:
            state = ((state & (literal.get(char, 0) | a.one)) << 1) | (state & run)
        if not state:
            return False
        state |= (state & run) << 1
    return bool(state & a.accept)


def _tokens(pieces: Pieces, flavor: Flavor) -> list[_Token] | None:
    """The pattern as tokens, adjacent runs merged (a run next to a run is one run, the wider one);
    None when the pattern can match nothing (an ARN pattern with fewer than six components)."""
    chars = [(c, wild) for text, wild in pieces for c in text]
    out: list[_Token] = []
    if flavor is Flavor.ARN and sum(1 for c, _ in chars if c == ":") < 5:
        return None
    colons = 0
    last = len(chars) - 1
    for i, (c, wild) in enumerate(chars):
        if flavor is Flavor.ARN:
            # Inside the first five components wildcards stay in their component.
            in_segment = colons < 5
            if c == ":":
                colons += 1
        else:
            in_segment = flavor is Flavor.RESOURCE
        if not wild or c not in "*?":
            out.append((_LIT, c))
        elif c == "?":
            out.append((_SEG_ONE if in_segment else _ONE, c))
        else:
            segment_run = in_segment and not (
                flavor is Flavor.RESOURCE and (i == last or chars[i + 1][0] == ":")
            )
            kind = _SEG_RUN if segment_run else _RUN
            if out and out[-1][0] in (_RUN, _SEG_RUN):
                if kind == _RUN:
                    out[-1] = (_RUN, c)
                continue
            out.append((kind, c))
    return out


@dataclass(frozen=True, slots=True)
class Wildcard:
    """A prepared wildcard pattern; ``matches(subject)`` tests a whole string against it.

    Plain data (no closures), so policies holding patterns can be copied and pickled. Build one with
    ``wildcard`` or ``wildcard_of_pieces`` (cached by pattern).
    """

    kind: int
    text: str = ""  # _EXACT: the literal; _PREFIX/_AFFIX: the prefix; _SUFFIX: the suffix
    suffix: str = ""  # _AFFIX
    parts: tuple[str, ...] = ()  # _PIECES: the literal texts between the *s (first and last may be "")
    tokens: tuple[_Token, ...] = field(default=(), repr=False)  # _AUTOMATON
    ignore_case: bool = False  # the subject is lowercased first (the pattern already is)
    _automaton: _Automaton | None = field(default=None, compare=False, repr=False)

    @property
    def literal(self) -> str | None:
        """The one string this pattern matches when it has no wildcard (compared exactly), else None."""
        return self.text if self.kind == _EXACT and not self.ignore_case else None

    def matches(self, subject: str) -> bool:
        """True when the whole of ``subject`` matches this pattern."""
        if self.ignore_case:
            subject = subject.lower()
        kind = self.kind
        if kind == _EXACT:
            return subject == self.text
        if kind == _PREFIX:
            return subject.startswith(self.text)
        if kind == _ALL:
            return True
        if kind == _SUFFIX:
            return subject.endswith(self.text)
        if kind == _AFFIX:
            prefix, suffix = self.text, self.suffix
            return (
                len(subject) >= len(prefix) + len(suffix)
                and subject.startswith(prefix)
                and subject.endswith(suffix)
            )
        if kind == _PIECES:
            return _match_pieces(self.parts, subject)
        if kind == _NEVER:
            return False
        automaton = self._automaton
        if automaton is None:
            automaton = _automaton(self.tokens)
            object.__setattr__(self, "_automaton", automaton)
        return _run_automaton(automaton, subject)


def _match_pieces(parts: tuple[str, ...], subject: str) -> bool:
    # Every * matches any run: the first part is a prefix, the last a suffix, and each middle part is
    # placed at its leftmost position after the previous one (leaving the most room for the rest).
    first, last = parts[0], parts[-1]
    end = len(subject) - len(last)
    if end < len(first) or not subject.startswith(first) or not subject.endswith(last):
        return False
    pos = len(first)
    for part in parts[1:-1]:
        found = subject.find(part, pos, end)
        if found < 0:
            return False
        pos = found + len(part)
    return True


def _build(pieces: Pieces, flavor: Flavor, ignore_case: bool) -> Wildcard:
    if ignore_case:
        pieces = tuple((text.lower(), wild) for text, wild in pieces)
    wild_text = "".join(text for text, wild in pieces if wild)
    if "*" not in wild_text and "?" not in wild_text:
        if flavor is Flavor.ARN and sum(text.count(":") for text, _ in pieces) < 5:
            return Wildcard(_NEVER)
        return Wildcard(_EXACT, "".join(text for text, _ in pieces), ignore_case=ignore_case)
    tokens = _tokens(pieces, flavor)
    if tokens is None:
        return Wildcard(_NEVER)
    if any(kind in (_ONE, _SEG_ONE, _SEG_RUN) for kind, _ in tokens):
        return Wildcard(_AUTOMATON, tokens=tuple(tokens), ignore_case=ignore_case)
    # Only runs that match anything: literal parts between them.
    parts: list[str] = [""]
    for kind, char in tokens:
        if kind == _RUN:
            parts.append("")
        else:
            parts[-1] += char
    if len(parts) == 2:
        prefix, suffix = parts
        if not prefix and not suffix:
            return Wildcard(_ALL)
        if not suffix:
            return Wildcard(_PREFIX, prefix, ignore_case=ignore_case)
        if not prefix:
            return Wildcard(_SUFFIX, suffix, ignore_case=ignore_case)
        return Wildcard(_AFFIX, prefix, suffix, ignore_case=ignore_case)
    return Wildcard(_PIECES, parts=tuple(parts), ignore_case=ignore_case)


@lru_cache(maxsize=16384)
def wildcard(text: str, flavor: Flavor = Flavor.TEXT, *, ignore_case: bool = False) -> Wildcard:
    """The pattern ``text`` written in a policy (every ``*`` and ``?`` a wildcard), prepared for matching.

    Cached by pattern: a batch's policies repeat the same patterns.
    """
    return _build(((text, True),), flavor, ignore_case)


@lru_cache(maxsize=16384)
def wildcard_of_pieces(
    pieces: Pieces, flavor: Flavor = Flavor.TEXT, *, ignore_case: bool = False
) -> Wildcard:
    """A pattern made of pieces after variable substitution (only ``True`` pieces hold wildcards)."""
    return _build(pieces, flavor, ignore_case)


def wildcard_match(pattern: str, value: str, *, ignore_case: bool = False) -> bool:
    """True when ``value`` matches ``pattern`` as a whole (``*`` any run, ``?`` one character)."""
    return wildcard(pattern, ignore_case=ignore_case).matches(value)
