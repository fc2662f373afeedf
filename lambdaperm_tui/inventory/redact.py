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

The loader keeps no other value-bearing field (function environment variables are never read); keys of
an inventory's ``extra`` that look like credentials are dropped from snapshots (``snapshot.py``).
"""

from __future__ import annotations

import re
from dataclasses import replace
from typing import TypeVar

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


__all__ = ["REDACTED", "looks_like_secret", "redact_inventory", "shown_tags"]
