"""The request context: the condition keys of one request and their values.

Condition key names are case-insensitive in AWS (``aws:SourceIp`` and ``AWS:SOURCEIP`` are the same
key) while their values are not, so lookups fold the key's case and keep the values as given.
https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition.html
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from .errors import RequestError

__all__ = ["RequestContext", "context_value_strings"]


def _scalar_string(value: object, key: str) -> str:
    # bool before int: bool is a subclass of int, and AWS carries booleans as "true"/"false".
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")):
            raise RequestError(f'context["{key}"]: {value!r} is not a finite number')
        return str(value)
    raise RequestError(
        f'context["{key}"]: value must be a string, number, boolean or a list of them, '
        f"not {type(value).__name__}"
    )


def context_value_strings(value: object, key: str) -> tuple[str, ...]:
    """The values of one context key as a tuple of AWS string forms.

    A single value becomes a 1-tuple; lists and tuples become tuples; booleans become ``"true"`` /
    ``"false"`` and numbers their decimal form. Anything else raises ``RequestError`` naming the key.
    """
    if isinstance(value, (list, tuple)):
        return tuple(_scalar_string(v, key) for v in value)
    return (_scalar_string(value, key),)


class RequestContext:
    """An immutable, case-insensitive, multi-valued view of a request's condition keys.

    ``get`` always returns a tuple (a single-valued key gives a 1-tuple) or ``None`` when the key is
    absent. A key given with an empty list is present with no values (``()``). When two given keys differ
    only in case, the later one wins.
    """

    __slots__ = ("_data",)

    _data: dict[str, tuple[str, tuple[str, ...]]]

    def __init__(self, mapping: Mapping[str, Any] | None = None) -> None:
        data: dict[str, tuple[str, tuple[str, ...]]] = {}
        if mapping:
            for key, value in mapping.items():
                if not isinstance(key, str) or not key:
                    raise RequestError(f"context: key {key!r} must be a non-empty string")
                if type(value) is str:
                    # The common case (a scenario's context is validated and mostly strings already).
                    data[key.lower()] = (key, (value,))
                else:
                    data[key.lower()] = (key, context_value_strings(value, key))
        object.__setattr__(self, "_data", data)

    @classmethod
    def _from_data(cls, data: dict[str, tuple[str, tuple[str, ...]]]) -> RequestContext:
        ctx = cls.__new__(cls)
        object.__setattr__(ctx, "_data", data)
        return ctx

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError("RequestContext is immutable")

    def get(self, key: str) -> tuple[str, ...] | None:
        """The values of ``key`` (any case), or ``None`` when the request does not carry it."""
        entry = self._data.get(key.lower())
        return None if entry is None else entry[1]

    def get_folded(self, folded_key: str) -> tuple[str, ...] | None:
        """Like ``get`` for a key already in lower case (callers that look the same key up often)."""
        entry = self._data.get(folded_key)
        return None if entry is None else entry[1]

    def get_single(self, key: str) -> str | None:
        """The value of a single-valued key; ``None`` when absent or when it has zero or several values."""
        entry = self._data.get(key.lower())
        if entry is None or len(entry[1]) != 1:
            return None
        return entry[1][0]

    def with_defaults(self, derived: Mapping[str, Any]) -> RequestContext:
        """A new context with the keys of ``derived`` added where this one lacks them (any case)."""
        data = dict(self._data)
        for key, value in derived.items():
            lowered = key.lower()
            if lowered not in data:
                data[lowered] = (key, context_value_strings(value, key))
        return RequestContext._from_data(data)

    def items(self) -> Iterator[tuple[str, tuple[str, ...]]]:
        """Each key, spelled as given, with its values."""
        return iter(self._data.values())

    def keys(self) -> Iterator[str]:
        """Each key, spelled as given."""
        return (k for k, _ in self._data.values())

    def to_dict(self) -> dict[str, str | list[str]]:
        """A JSON-ready form: single values as strings, several (or none) as lists."""
        return {k: (v[0] if len(v) == 1 else list(v)) for k, v in self._data.values()}

    def __contains__(self, key: object) -> bool:
        return isinstance(key, str) and key.lower() in self._data

    def __len__(self) -> int:
        return len(self._data)

    def __iter__(self) -> Iterator[str]:
        return self.keys()

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, RequestContext):
            return NotImplemented
        return {k: v[1] for k, v in self._data.items()} == {k: v[1] for k, v in other._data.items()}

    def __hash__(self) -> int:
        return hash(frozenset((k, v[1]) for k, v in self._data.items()))

    def __repr__(self) -> str:
        return f"RequestContext({self.to_dict()!r})"
