"""Policy variables: ``${aws:username}``, ``${aws:PrincipalTag/team, 'default'}``, ``${*}``, ``${?}``,
``${$}``.

Rules followed (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_variables.html):
- A variable names a request context key; key names are case-insensitive. Only single-valued keys can
  be substituted. The context cannot tell a one-element list from a single value, so a key with
  exactly one value is substituted and a key with zero or several values has no value.
- ``${key, 'default'}`` uses the default text when the key has no value.
- ``${*}``, ``${?}`` and ``${$}`` stand for the literal characters, so a pattern can match a real
  asterisk, question mark or dollar sign.
- Variables are recognised only in policies with ``"Version": "2012-10-17"``; callers decide that and
  simply don't call these functions for other versions (``${...}`` is then literal text).
- When a variable has no value and no default, substitution fails (``None``): the caller treats the
  Resource or condition value as matching nothing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from .context import RequestContext
from .wildcard import Flavor, Wildcard, wildcard, wildcard_of_pieces

__all__ = [
    "Template",
    "compile_pattern",
    "has_variables",
    "parse_template",
    "substitute",
]

_VARIABLE = re.compile(r"\$\{([^{}]*)\}")
_KEY_WITH_DEFAULT = re.compile(r"^\s*([^\s,']+(?:\s+[^\s,']+)*)\s*(?:,\s*'([^']*)'\s*)?$")
_SPECIALS = frozenset("*?$")


@dataclass(frozen=True, slots=True)
class _Var:
    key: str
    default: str | None


@dataclass(frozen=True, slots=True)
class _Escape:
    char: str


# A segment is policy text (str, where * and ? are wildcards in patterns), an escaped special
# character, or a variable.
_Segment = str | _Escape | _Var


@dataclass(frozen=True, slots=True)
class Template:
    """A text split into literal policy text, escaped special characters and variables."""

    text: str
    segments: tuple[_Segment, ...]

    @property
    def variable_keys(self) -> tuple[str, ...]:
        """The context keys the text's variables name (as written)."""
        return tuple(s.key for s in self.segments if isinstance(s, _Var))

    @property
    def has_variables(self) -> bool:
        """True when the text holds at least one ``${...}`` that substitution would replace."""
        return any(not isinstance(s, str) for s in self.segments)

    def _resolve(self, ctx: RequestContext) -> list[str | _Escape] | None:
        # Replaces each variable by its value (as an _Escape-like literal), or fails.
        out: list[str | _Escape] = []
        for seg in self.segments:
            if isinstance(seg, _Var):
                value = ctx.get_single(seg.key)
                if value is None:
                    value = seg.default
                if value is None:
                    return None
                out.append(_Escape(value))
            else:
                out.append(seg)
        return out

    def pieces(self, ctx: RequestContext) -> tuple[tuple[str, bool], ...] | None:
        """The resolved text as ``(text, wildcards_apply)`` pieces; ``None`` when a variable has no value.

        Policy text is marked True (``*`` and ``?`` in it are wildcards in a pattern); substituted values
        and escapes are marked False (always literal).
        """
        resolved = self._resolve(ctx)
        if resolved is None:
            return None
        return tuple((s, True) if isinstance(s, str) else (s.char, False) for s in resolved)

    def substitute(self, ctx: RequestContext) -> str | None:
        """The text with each variable replaced; ``None`` when a variable has no value and no default."""
        resolved = self._resolve(ctx)
        if resolved is None:
            return None
        return "".join(s if isinstance(s, str) else s.char for s in resolved)


def _parse(text: str) -> tuple[_Segment, ...]:
    segments: list[_Segment] = []
    pos = 0
    for m in _VARIABLE.finditer(text):
        inner = m.group(1)
        seg: _Segment | None = None
        if inner.strip() in _SPECIALS and inner.strip():
            seg = _Escape(inner.strip())
        else:
            km = _KEY_WITH_DEFAULT.match(inner)
            if km:
                seg = _Var(km.group(1), km.group(2))
        if seg is None:
            continue  # not a variable: stays as literal text
        if m.start() > pos:
            segments.append(text[pos : m.start()])
        segments.append(seg)
        pos = m.end()
    if pos < len(text):
        segments.append(text[pos:])
    # Adjacent literal pieces are merged so that regex conversion sees whole runs.
    merged: list[_Segment] = []
    for seg in segments:
        if isinstance(seg, str) and merged and isinstance(merged[-1], str):
            merged[-1] = merged[-1] + seg
        else:
            merged.append(seg)
    return tuple(merged)


@lru_cache(maxsize=8192)
def parse_template(text: str) -> Template:
    """Split ``text`` into literal text and variables (cached: policies repeat the same values)."""
    if "${" not in text:
        return Template(text, (text,) if text else ())
    return Template(text, _parse(text))


def has_variables(text: str) -> bool:
    """True when ``text`` contains a policy variable or a ``${*}``/``${?}``/``${$}`` escape."""
    return "${" in text and parse_template(text).has_variables


def substitute(text: str, ctx: RequestContext) -> str | None:
    """``text`` with every variable replaced by its context value (or default); ``None`` if one has none.

    ``${*}``, ``${?}`` and ``${$}`` become ``*``, ``?`` and ``$``.
    """
    if "${" not in text:
        return text
    return parse_template(text).substitute(ctx)


def compile_pattern(
    text: str,
    ctx: RequestContext | None = None,
    *,
    flavor: Flavor = Flavor.TEXT,
    ignore_case: bool = False,
) -> Wildcard | None:
    """``text`` as a wildcard pattern (``iam/wildcard.py``), variables substituted from ``ctx``.

    ``*`` and ``?`` written in the policy are wildcards; values of variables and the ``${*}``,
    ``${?}``, ``${$}`` escapes are literal characters. ``ctx`` None means variables are not in force
    (no Version 2012-10-17): the text is taken as written. Returns ``None`` when a variable has no
    value and no default. Prepared patterns are cached, so resolving the same variables for many
    requests costs a dictionary lookup.
    """
    if ctx is None or "${" not in text:
        return wildcard(text, flavor, ignore_case=ignore_case)
    pieces = parse_template(text).pieces(ctx)
    if pieces is None:
        return None
    return wildcard_of_pieces(pieces, flavor, ignore_case=ignore_case)
