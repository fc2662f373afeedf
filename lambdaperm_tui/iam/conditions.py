"""The Condition element: parsing every operator AWS documents into compiled matchers, and evaluation.

Sources (each rule is tested against the page it comes from):
- Operators: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html
- AND/OR logic: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_multi-value-conditions.html
- Set operators: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-single-vs-multi-valued-context-keys.html
- Variables: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_variables.html

Evaluation of one condition (operator, key, policy values) against the request values:
- Operators AND, keys under one operator AND. A request value "matches" when it matches at least one
  policy value (OR); for a negated operator (``StringNotEquals``, ``NotIpAddress``, ...) the condition
  wants it to match none of them (NOR, "not equal to any").
- A key absent from the request: positive operators false, negated operators true; ``...IfExists``
  true; ``ForAllValues:`` true (AWS warns that this makes an Allow with ForAllValues permissive when
  the key is missing; pair it with ``Null: false``); ``ForAnyValue:`` false; ``Null`` compares presence,
  a key with no values counting as null.
- ``ForAllValues:`` is true when every request value matches (also for an empty list);
  ``ForAnyValue:`` when at least one does. With a negated operator: every / at least one request value
  matches none of the policy values.
- A multi-valued key without a set operator (AWS requires one and documents nothing else): a positive
  operator holds when some request value matches; a negated one when no request value matches.
- A request value the operator cannot read (a number, a date, an IP address, base64) matches no policy
  value, so a positive operator is false and a negated one true for it. A policy value it cannot read
  is a ``PolicyError`` at parse time.
- ``ArnEquals``/``ArnLike`` (identical in AWS) compare the six colon-separated components, each with
  ``*``/``?`` confined to it; the sixth (resource) may contain colons. A policy value with fewer than
  six components matches nothing.
- Dates are compared as instants: ISO 8601 (W3C profile: date only, minutes, seconds, fractions, ``Z``
  or an offset; no zone means UTC) or epoch seconds, either side in either form. An all-digit value is
  epoch seconds.
- Policy variables (Version 2012-10-17 only) are substituted in String, ARN and Bool values; the page
  of operators lists no variable support for Numeric, Date, Binary, IP address and Null, so there
  ``${...}`` is literal text (and fails the value check). A variable with no value and no default makes
  the condition false when its key is present ("any attempt to match it fails and causes the statement
  to be invalid"); when the key is absent, the missing-key rules above decide.

Parsing decisions: operator names and set qualifiers are matched exactly (``stringequals`` is unknown);
an empty Condition object or an operator with no keys adds no condition; an empty list of values is
allowed and matches nothing; Bool and Null values must be ``true``/``false`` (any case, or JSON
booleans); numbers and booleans are accepted as values and compared as their text.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from functools import lru_cache
from typing import TYPE_CHECKING, Any, Literal

from .context import RequestContext
from .errors import PolicyError
from .result import ConditionMatch
from .variables import Template, parse_template
from .wildcard import Flavor, Wildcard, wildcard_of_pieces

if TYPE_CHECKING:
    from decimal import Decimal

__all__ = [
    "OPERATORS",
    "Condition",
    "SetQualifier",
    "evaluate_conditions",
    "parse_conditions",
    "parse_date",
    "parse_number",
]

SetQualifier = Literal["ForAllValues", "ForAnyValue"]

# kind of comparison, comparison (for Numeric/Date), negated
_Kind = Literal[
    "string", "string_ci", "string_like", "numeric", "date", "bool", "binary", "ip", "arn", "null"
]
_Cmp = Literal["eq", "lt", "le", "gt", "ge"]

_OPERATOR_TABLE: dict[str, tuple[_Kind, _Cmp, bool]] = {
    "StringEquals": ("string", "eq", False),
    "StringNotEquals": ("string", "eq", True),
    "StringEqualsIgnoreCase": ("string_ci", "eq", False),
    "StringNotEqualsIgnoreCase": ("string_ci", "eq", True),
    "StringLike": ("string_like", "eq", False),
    "StringNotLike": ("string_like", "eq", True),
    "NumericEquals": ("numeric", "eq", False),
    "NumericNotEquals": ("numeric", "eq", True),
    "NumericLessThan": ("numeric", "lt", False),
    "NumericLessThanEquals": ("numeric", "le", False),
    "NumericGreaterThan": ("numeric", "gt", False),
    "NumericGreaterThanEquals": ("numeric", "ge", False),
    "DateEquals": ("date", "eq", False),
    "DateNotEquals": ("date", "eq", True),
    "DateLessThan": ("date", "lt", False),
    "DateLessThanEquals": ("date", "le", False),
    "DateGreaterThan": ("date", "gt", False),
    "DateGreaterThanEquals": ("date", "ge", False),
    "Bool": ("bool", "eq", False),
    "BinaryEquals": ("binary", "eq", False),
    "IpAddress": ("ip", "eq", False),
    "NotIpAddress": ("ip", "eq", True),
    "ArnEquals": ("arn", "eq", False),
    "ArnLike": ("arn", "eq", False),
    "ArnNotEquals": ("arn", "eq", True),
    "ArnNotLike": ("arn", "eq", True),
    "Null": ("null", "eq", False),
}

# Operators whose values may hold policy variables (String, ARN and Bool, per the operators page); in
# the others ``${...}`` is literal text, so it fails their value check.
_VARIABLE_KINDS: frozenset[_Kind] = frozenset({"string", "string_ci", "string_like", "arn", "bool"})

#: Every base operator name AWS documents (each but ``Null`` also takes the ``IfExists`` suffix).
OPERATORS: frozenset[str] = frozenset(_OPERATOR_TABLE)

_IF_EXISTS = "IfExists"
_QUALIFIERS: tuple[SetQualifier, ...] = ("ForAllValues", "ForAnyValue")

# (text, wildcards_apply) pieces of one policy value after variable resolution.
_Pieces = tuple[tuple[str, bool], ...]
_Matcher = Callable[[str], bool]


# ---------------------------------------------------------------------------------------------------
# Typed values. The parsers are cached: one request's values (aws:CurrentTime, aws:SourceIp) are read
# by many statements, and a batch of requests repeats them.


_NUMBER = r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?"  # compiled on first use (re caches it)


@lru_cache(maxsize=4096)
def parse_number(text: str) -> Decimal | None:
    """A condition value as a number (integer or decimal), or ``None`` when it is not one."""
    if not re.fullmatch(_NUMBER, text):
        return None
    from decimal import Decimal, InvalidOperation

    try:
        return Decimal(text)
    except InvalidOperation:  # pragma: no cover - the pattern admits only valid literals
        return None


_EPOCH_TEXT = re.compile(r"[+-]?\d+(?:\.\d+)?")
# W3C's profile of ISO 8601 (which AWS names), with the basic (no separator) form tolerated too:
# YYYY-MM, YYYY-MM-DD, YYYY-MM-DDThh:mm[:ss[.s+]][TZD], TZD = Z | +hh:mm | +hhmm | +hh.
_ISO_DATE = re.compile(
    r"(?P<y>\d{4})-?(?P<mo>\d{2})(?:-?(?P<d>\d{2})"
    r"(?:[Tt ](?P<h>\d{2}):?(?P<mi>\d{2})(?::?(?P<s>\d{2})(?:[.,](?P<f>\d+))?)?"
    r"(?P<tz>[Zz]|[+-]\d{2}(?::?\d{2})?)?)?)?"
)
_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)
_MICROSECOND = timedelta(microseconds=1)


@lru_cache(maxsize=4096)
def parse_date(text: str) -> int | None:
    """A date value as microseconds since the Unix epoch, or ``None`` when it is not a date.

    Accepts epoch seconds (``1700000000``, ``1700000000.5``) and ISO 8601 dates and times
    (``2024-01-31``, ``2024-01-31T12:00:00Z``, ``2024-01-31T13:00:00+01:00``, fractions of a second).
    A time with no zone is taken as UTC, a date alone as its midnight UTC. An all-digit value is read as
    epoch seconds (AWS accepts both forms; a bare year is not a useful condition value).
    """
    if _EPOCH_TEXT.fullmatch(text):
        from decimal import Decimal, InvalidOperation

        try:
            return int(Decimal(text) * 1_000_000)
        except InvalidOperation:  # pragma: no cover
            return None
    m = _ISO_DATE.fullmatch(text)
    if not m:
        return None
    tz = timezone.utc
    tz_text = m.group("tz")
    if tz_text and tz_text not in "Zz":
        sign = -1 if tz_text[0] == "-" else 1
        digits = tz_text[1:].replace(":", "")
        hours, minutes = int(digits[:2]), int(digits[2:] or 0)
        if hours > 23 or minutes > 59:
            return None
        tz = timezone(sign * timedelta(hours=hours, minutes=minutes))
    fraction = m.group("f") or ""
    try:
        moment = datetime(
            int(m.group("y")),
            int(m.group("mo")),
            int(m.group("d") or 1),
            int(m.group("h") or 0),
            int(m.group("mi") or 0),
            int(m.group("s") or 0),
            int((fraction + "000000")[:6]),
            tzinfo=tz,
        )
    except ValueError:
        return None
    return (moment - _EPOCH) // _MICROSECOND


def _parse_bool(text: str) -> str | None:
    lowered = text.lower()
    return lowered if lowered in ("true", "false") else None


@lru_cache(maxsize=1024)
def _parse_binary(text: str) -> bytes | None:
    import base64
    import binascii

    try:
        return base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        return None


# An IP network or address as (version, network bits, mask): membership is then two integer operations.
_Net = tuple[int, int, int]

# A dotted-quad IPv4 address exactly as ipaddress accepts it (ASCII digits, no leading zeros, each part
# at most 255), and a prefix length as digits; anything else is left to ipaddress.
_OCTET = "(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])"
_IPV4_ADDRESS = re.compile(rf"{_OCTET}(?:\.{_OCTET}){{3}}")
_PREFIX_LENGTH = re.compile("[0-9]{1,2}")


def _ipv4_int(address: str) -> int:
    a, b, c, d = address.split(".")
    return (int(a) << 24) | (int(b) << 16) | (int(c) << 8) | int(d)


def _parse_network(text: str) -> _Net | None:
    text = text.strip()
    address, slash, bits = text.partition("/")
    if _IPV4_ADDRESS.fullmatch(address) and (
        not slash or (_PREFIX_LENGTH.fullmatch(bits) and int(bits) <= 32)
    ):
        # The common IPv4 forms, read as ipaddress reads them (it is imported only for the others).
        length = int(bits) if slash else 32
        mask = (0xFFFFFFFF << (32 - length)) & 0xFFFFFFFF
        return (4, _ipv4_int(address) & mask, mask)
    import ipaddress

    try:
        net = ipaddress.ip_network(text, strict=False)
    except ValueError:
        return None
    return (net.version, int(net.network_address), int(net.netmask))


@lru_cache(maxsize=4096)
def _parse_address(text: str) -> tuple[int, int] | None:
    text = text.strip()
    if _IPV4_ADDRESS.fullmatch(text):
        return (4, _ipv4_int(text))
    import ipaddress

    try:
        address = ipaddress.ip_address(text)
    except ValueError:
        return None
    return (address.version, int(address))


# ---------------------------------------------------------------------------------------------------
# Matchers: a function of one request value, true when it matches at least one policy value
# (in the positive sense of the operator; negation is applied by the caller).


def _never(_value: str) -> bool:
    return False


def _pattern_matcher(arn: bool, values: tuple[_Pieces, ...]) -> _Matcher:
    """StringLike / ArnLike (and ArnEquals) values as one matcher (``iam/wildcard.py``).

    The values are prepared on the first request value tested: most conditions of a batch are never
    reached by a request. Values without wildcards are then looked up in a set.
    """
    if not values:
        return _never
    flavor = Flavor.ARN if arn else Flavor.TEXT
    prepared: list[tuple[frozenset[str], tuple[Wildcard, ...]]] = []

    def match(v: str) -> bool:
        if not prepared:
            globs = [wildcard_of_pieces(pieces, flavor) for pieces in values]
            exact = frozenset(g.literal for g in globs if g.literal is not None)
            prepared.append((exact, tuple(g for g in globs if g.literal is None)))
        exact, others = prepared[0]
        if v in exact:
            return True
        for glob in others:  # noqa: SIM110 - a plain loop on the hot path
            if glob.matches(v):
                return True
        return False

    return match


def _ordered(cmp: _Cmp, values: list[Any], parse: Callable[[str], Any]) -> _Matcher:
    if not values:
        return _never
    if cmp == "eq":
        wanted = frozenset(values)

        def eq(v: str) -> bool:
            x = parse(v)
            return x is not None and x in wanted

        return eq
    # "less than any policy value" is "less than the largest one", and so on.
    bound = max(values) if cmp in ("lt", "le") else min(values)

    def compare(v: str) -> bool:
        x = parse(v)
        if x is None:
            return False
        if cmp == "lt":
            return bool(x < bound)
        if cmp == "le":
            return bool(x <= bound)
        if cmp == "gt":
            return bool(x > bound)
        return bool(x >= bound)

    return compare


class _BadValue(Exception):
    def __init__(self, value: str, what: str) -> None:
        super().__init__(value, what)
        self.value = value
        self.what = what


def _typed(texts: list[str], parse: Callable[[str], Any], what: str, strict: bool) -> list[Any]:
    out = []
    for t in texts:
        x = parse(t)
        if x is None:
            if strict:
                raise _BadValue(t, what)
            continue
        out.append(x)
    return out


def _build_matcher(kind: _Kind, cmp: _Cmp, values: tuple[_Pieces, ...], strict: bool) -> _Matcher:
    """Compile the policy values of one condition. ``strict``: an unreadable value is an error
    (``_BadValue``) rather than a value that matches nothing."""
    if kind == "string_like" or kind == "arn":
        return _pattern_matcher(kind == "arn", values)
    texts = ["".join(t for t, _ in p) for p in values]
    if kind == "string":
        return frozenset(texts).__contains__
    if kind == "string_ci":
        folded = frozenset(t.lower() for t in texts)
        return lambda v: v.lower() in folded
    if kind == "numeric":
        return _ordered(cmp, _typed(texts, parse_number, "a number", strict), parse_number)
    if kind == "date":
        dates = _typed(texts, parse_date, "a date (ISO 8601 or epoch seconds)", strict)
        return _ordered(cmp, dates, parse_date)
    if kind in ("bool", "null"):
        bools = frozenset(_typed(texts, _parse_bool, '"true" or "false"', strict))
        return lambda v: v.lower() in bools
    if kind == "binary":
        blobs = frozenset(_typed(texts, _parse_binary, "base64", strict))

        def binary(v: str) -> bool:
            b = _parse_binary(v)
            return b is not None and b in blobs

        return binary
    if kind == "ip":
        networks = tuple(_typed(texts, _parse_network, "an IP address or CIDR block", strict))

        def ip(v: str) -> bool:
            a = _parse_address(v)
            if a is None:
                return False
            version, bits = a
            # An address never matches a network of the other IP version.
            return any(version == nv and bits & mask == net for nv, net, mask in networks)

        return ip
    raise AssertionError(kind)  # pragma: no cover


@lru_cache(maxsize=4096)
def _resolved_matcher(kind: _Kind, cmp: _Cmp, values: tuple[_Pieces, ...]) -> _Matcher:
    # Variables resolve to the same values across many requests (one user, one tag): cache the matcher.
    return _build_matcher(kind, cmp, values, strict=False)


# ---------------------------------------------------------------------------------------------------
# Conditions


@dataclass(frozen=True, slots=True)
class Condition:
    """One compiled condition: an operator applied to one key with one or more policy values.

    ``operator`` is as written (``ForAnyValue:StringLikeIfExists``); ``base_operator`` without qualifier
    and suffix (``StringLike``); ``qualifier`` the set operator or None; ``values`` the policy values as
    strings, as written.
    """

    operator: str
    base_operator: str
    qualifier: SetQualifier | None
    if_exists: bool
    key: str
    values: tuple[str, ...]
    kind: _Kind = field(repr=False, compare=False)
    cmp: _Cmp = field(repr=False, compare=False)
    negated: bool = field(repr=False, compare=False)
    # Matcher over the values taken literally (no variables in force, or none in the values).
    literal_matcher: _Matcher = field(repr=False, compare=False)
    # Parsed templates when any value holds a variable, else None.
    templates: tuple[Template, ...] | None = field(repr=False, compare=False)
    # The key in lower case, for the context's case-insensitive lookup.
    folded_key: str = field(repr=False, compare=False, default="")

    def __post_init__(self) -> None:
        if not self.folded_key:
            object.__setattr__(self, "folded_key", self.key.lower())


def _value_strings(raw: Any, where: str, key: str) -> tuple[str, ...]:
    def one(v: Any) -> str:
        if isinstance(v, str):
            return v
        if isinstance(v, bool):
            return "true" if v else "false"
        if isinstance(v, int):
            return str(v)
        if isinstance(v, float) and v == v and v not in (float("inf"), float("-inf")):
            return str(v)
        raise PolicyError(f'{where}: value for "{key}" must be a string or list of strings')

    if isinstance(raw, list):
        return tuple(one(v) for v in raw)
    return (one(raw),)


def _split_operator(op: str) -> tuple[SetQualifier | None, str, bool] | None:
    qualifier: SetQualifier | None = None
    name = op
    for q in _QUALIFIERS:
        if op.startswith(q + ":"):
            qualifier = q
            name = op[len(q) + 1 :]
            break
    if name in _OPERATOR_TABLE:
        return qualifier, name, False
    if name.endswith(_IF_EXISTS):
        base = name[: -len(_IF_EXISTS)]
        if base in _OPERATOR_TABLE and base != "Null":
            return qualifier, base, True
    return None


def parse_conditions(obj: Any, where: str, *, variables: bool | None = None) -> tuple[Condition, ...]:
    """Parse a statement's Condition element into compiled conditions (in document order).

    ``where`` names the element in messages (``Statement[2].Condition``). ``variables`` says whether
    the policy's Version enables policy variables: False validates ``${...}`` values as literal text;
    True or None (not known yet) lets a value with a variable be checked once substituted. Raises
    ``PolicyError`` for anything AWS would reject: an unknown operator, a set qualifier on ``Null``,
    a value that is not a string/number/boolean or list of them, or a policy value the operator cannot
    read (a number, a date, a CIDR block, base64, ``true``/``false``).

    An empty Condition object, or an operator with an empty key map, adds no condition.
    """
    if not isinstance(obj, Mapping):
        raise PolicyError(f"{where}: must be an object mapping condition operators to {{key: values}}")
    out: list[Condition] = []
    for op, block in obj.items():
        if not isinstance(op, str):
            raise PolicyError(f"{where}: operator {op!r} must be a string")
        split = _split_operator(op)
        if split is None:
            raise PolicyError(f'{where}: unknown operator "{op}"')
        qualifier, base, if_exists = split
        kind, cmp, negated = _OPERATOR_TABLE[base]
        op_where = f"{where}.{op}"
        if kind == "null" and qualifier is not None:
            raise PolicyError(f'{where}: operator "{op}": Null takes no set qualifier')
        if not isinstance(block, Mapping):
            raise PolicyError(f"{op_where}: must be an object mapping condition keys to values")
        for key, raw in block.items():
            if not isinstance(key, str) or not key:
                raise PolicyError(f"{op_where}: condition key {key!r} must be a non-empty string")
            values = _value_strings(raw, op_where, key)
            templates: tuple[Template, ...] | None = None
            if variables is not False and kind in _VARIABLE_KINDS:
                parsed = tuple(parse_template(v) for v in values)
                if any(t.has_variables for t in parsed):
                    templates = parsed
            # Values holding a variable are checked after substitution, not here.
            checked = tuple(
                ((v, True),)
                for i, v in enumerate(values)
                if templates is None or not templates[i].has_variables
            )
            try:
                strict = _build_matcher(kind, cmp, checked, strict=True)
            except _BadValue as e:
                raise PolicyError(f'{op_where}: value "{e.value}" for "{key}" is not {e.what}') from None
            # Without variables the strict matcher read every value (or raised): it is the literal one.
            literal = (
                strict
                if templates is None
                else _build_matcher(kind, cmp, tuple(((v, True),) for v in values), strict=False)
            )
            out.append(
                Condition(
                    operator=op,
                    base_operator=base,
                    qualifier=qualifier,
                    if_exists=if_exists,
                    key=key,
                    values=values,
                    kind=kind,
                    cmp=cmp,
                    negated=negated,
                    literal_matcher=literal,
                    templates=templates,
                )
            )
    return tuple(out)


def _matcher_for(
    cond: Condition, ctx: RequestContext, explain: bool
) -> tuple[_Matcher | None, tuple[str, ...]]:
    """The matcher to use for this request and the policy values as compared (for explanations).

    The matcher is None when a variable in the values has no value and no default: AWS says an
    attempt to match such a variable fails and makes the statement invalid, so the condition is false.
    """
    assert cond.templates is not None
    resolved: list[_Pieces] = []
    shown: list[str] = []
    unresolved = False
    for template in cond.templates:
        pieces = template.pieces(ctx)
        if pieces is None:
            unresolved = True
            if not explain:
                return None, cond.values
            shown.append(template.text)
            continue
        resolved.append(pieces)
        if explain:
            shown.append("".join(text for text, _ in pieces))
    if unresolved:
        return None, tuple(shown)
    return _resolved_matcher(cond.kind, cond.cmp, tuple(resolved)), tuple(shown)


def _evaluate(
    cond: Condition, ctx: RequestContext, variables: bool, explain: bool
) -> tuple[bool, tuple[str, ...]]:
    request = ctx.get_folded(cond.folded_key)
    kind = cond.kind
    if kind == "null":
        # Null: true asks "is the key absent?", false "is it present (with a value)?". AWS counts a
        # key with an empty value as null, so an empty list is absent here.
        return cond.literal_matcher("false" if request else "true"), cond.values
    if request is None:
        if cond.if_exists or cond.qualifier == "ForAllValues":
            return True, cond.values
        if cond.qualifier == "ForAnyValue":
            return False, cond.values
        return cond.negated, cond.values
    if cond.templates is None or not variables:
        matcher: _Matcher | None = cond.literal_matcher
        shown = cond.values
    else:
        matcher, shown = _matcher_for(cond, ctx, explain)
        if matcher is None:
            return False, shown
    assert matcher is not None
    qualifier = cond.qualifier
    if qualifier is None:
        # The common case: one request value.
        hit = matcher(request[0]) if len(request) == 1 else any(matcher(v) for v in request)
        return (not hit if cond.negated else hit), shown
    if qualifier == "ForAllValues":
        # Every request value must match; for a negated operator, match none of the policy values.
        if cond.negated:
            return not any(matcher(v) for v in request), shown
        return all(matcher(v) for v in request), shown
    if cond.negated:
        return not all(matcher(v) for v in request), shown
    return any(matcher(v) for v in request), shown


def evaluate_conditions(
    conditions: tuple[Condition, ...], ctx: RequestContext, *, variables: bool, explain: bool
) -> tuple[bool, tuple[ConditionMatch, ...]]:
    """Evaluate a statement's conditions (all must hold) against a request context.

    ``variables``: policy variables are in force (Version 2012-10-17); otherwise ``${...}`` is literal.
    With ``explain`` every condition is evaluated and reported; without, evaluation stops at the first
    condition that does not hold and the tuple of matches is empty.
    """
    if not explain:
        for cond in conditions:
            if not _evaluate(cond, ctx, variables, False)[0]:
                return False, ()
        return True, ()
    matches: list[ConditionMatch] = []
    ok = True
    for cond in conditions:
        matched, shown = _evaluate(cond, ctx, variables, True)
        ok = ok and matched
        matches.append(ConditionMatch(cond.operator, cond.key, shown, ctx.get(cond.key), matched))
    return ok, tuple(matches)
