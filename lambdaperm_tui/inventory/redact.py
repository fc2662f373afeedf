"""Values that look like credentials: which keys they hide under, and how an inventory drops them.

AWS tags are free key/value pairs and accounts do put secrets in them (``db_password``, ``api_key``,
``token``). The tool must never save or show a credential, so:

- a snapshot keeps the key of such a tag but not its value: ``redact_inventory`` moves the key into the
  record's ``redacted_tag_keys`` (``Function``, ``Role``, ``User``) and drops the pair from ``tags``;
- the UI shows such a tag as ``KEY=<redacted: key looks like a secret>``, live or from a snapshot;
- within a live session the loader keeps the real value, so answers over a live account stay exact;
  over a snapshot the value is unknown, and an answer that depends on it (a condition on
  ``aws:ResourceTag/KEY`` or ``aws:PrincipalTag/KEY``) is ``unknown`` with that reason, never decided on a
  placeholder (``analysis/gather.py`` and ``analysis/resolve.py``).

- every answer printed as JSON (``simulate``, ``who-can``, ``needs``, ``triggers``, ``findings``, SARIF) goes
  through ``redact_output``: the request context of its scenarios and the request values of its
  explanations show such a tag's value as ``REDACTED`` (the engine decided on the real value; a replay of
  that scenario with ``simulate --scenario`` sees the placeholder, so it can differ where the value matters);
  the explorer's explanation does the same (``ui/explain.py``, through ``secret_context_key``).

The loader keeps no other value-bearing field (function environment variables are never read); keys of
an inventory's ``extra`` that look like credentials are dropped from snapshots (``snapshot.py``).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import replace
from typing import Any, TypeVar

from .model import Function, Inventory, Role, User

# Words that name a secret anywhere in a key (case-insensitive): over-matching only hides a value.
_SECRET_KEY = re.compile(
    r"pass(word|wd|phrase)|pwd|secret|token|credential|api[_-]?key|private[_-]?key|access[_-]?key"
    r"|signing[_-]?key|auth[_-]?key|connection[_-]?string",
    re.IGNORECASE,
)

_Tagged = TypeVar("_Tagged", Function, Role, User)

REDACTED = "<redacted: key looks like a secret>"


def looks_like_secret(key: str) -> bool:
    """Whether a tag or field named ``key`` probably holds a credential (``db_password``, ``API-Key``)."""
    return _SECRET_KEY.search(key) is not None


# Request-context keys that carry a tag value: aws:ResourceTag/KEY, aws:PrincipalTag/KEY, aws:RequestTag/KEY
_TAG_CONTEXT_KEY = re.compile(r"aws:(?:resource|principal|request)tag/(.+)", re.IGNORECASE | re.DOTALL)


def secret_context_key(key: str) -> bool:
    """Whether a request-context key holds the value of a tag whose key looks like a secret
    (``aws:ResourceTag/db_password``)."""
    match = _TAG_CONTEXT_KEY.fullmatch(key)
    return match is not None and looks_like_secret(match.group(1))


def _hidden(value: Any) -> Any:
    if isinstance(value, (list, tuple)):
        return [REDACTED for _ in value]
    return None if value is None else REDACTED


def redact_output(obj: Any, document: Callable[[Any], Any] | None = None) -> Any:
    """A JSON-ready answer without the values of secret-looking tags: in every ``"context"`` mapping (a
    scenario's request context) the value of each ``secret_context_key``, and in every condition of an
    explanation (``{"key", "request_values"}``) on such a key its request values, become ``REDACTED``.
    Policy documents are left as written: the ``document`` of a named policy (``{"name", "document"}``,
    as scenarios list them) is neither walked nor copied. That is most of a who-can answer's bytes (every
    row's scenario holds its principal's policies), and a document holds no request value. ``document``,
    when given, is what stands in such a document's place (the command line puts a placeholder there and
    writes each document's JSON once, however many scenarios hold it)."""
    if isinstance(obj, list):
        return [redact_output(item, document) for item in obj]
    if not isinstance(obj, Mapping):
        return obj
    out: dict[Any, Any] = {}
    secret_condition = isinstance(obj.get("key"), str) and secret_context_key(obj["key"])
    named_policy = "document" in obj and "name" in obj
    for key, value in obj.items():
        if key == "document" and named_policy:
            out[key] = value if document is None else document(value)
        elif key == "context" and isinstance(value, Mapping):
            out[key] = {
                k: _hidden(v) if isinstance(k, str) and secret_context_key(k) else v for k, v in value.items()
            }
        elif key == "request_values" and secret_condition:
            out[key] = _hidden(value)
        else:
            out[key] = redact_output(value, document)
    return out


def _split(
    tags: tuple[tuple[str, str], ...], redacted: tuple[str, ...]
) -> tuple[tuple[tuple[str, str], ...], tuple[str, ...]]:
    kept = tuple((k, v) for k, v in tags if not looks_like_secret(k))
    hidden = tuple(dict.fromkeys([*redacted, *(k for k, _ in tags if looks_like_secret(k))]))
    return kept, hidden


def _redact_record(record: _Tagged) -> _Tagged:
    tags, hidden = _split(record.tags, record.redacted_tag_keys)
    if hidden == record.redacted_tag_keys:
        return record
    return replace(record, tags=tags, redacted_tag_keys=hidden)


def redact_inventory(inv: Inventory) -> Inventory:
    """``inv`` without the values of tags whose keys look like secrets (their keys are kept, as redacted)."""
    return replace(
        inv,
        functions=tuple(_redact_record(f) for f in inv.functions),
        roles=tuple(_redact_record(r) for r in inv.roles),
        users=tuple(_redact_record(u) for u in inv.users),
    )


def shown_tags(tags: tuple[tuple[str, str], ...], redacted: tuple[str, ...] = ()) -> list[tuple[str, str]]:
    """Tags as they may be shown: a secret-looking key's value (live or already redacted) is ``REDACTED``."""
    out = [(k, REDACTED if looks_like_secret(k) else v) for k, v in tags]
    out += [(k, REDACTED) for k in redacted if all(k != have for have, _ in tags)]
    return out


__all__ = [
    "REDACTED",
    "looks_like_secret",
    "redact_inventory",
    "redact_output",
    "secret_context_key",
    "shown_tags",
]
