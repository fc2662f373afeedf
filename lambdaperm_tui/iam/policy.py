"""Policy documents parsed and validated into immutable, compiled objects.

(Placeholder signature: the engine work replaces this module with the real parser.)
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True, slots=True)
class Statement:
    """One statement of a policy."""

    index: int
    sid: str | None
    effect: str


@dataclass(frozen=True, slots=True)
class Policy:
    """A parsed policy: its name (for explanations), Version, Id, statements and the raw document."""

    name: str
    version: str | None
    id: str | None
    statements: tuple[Statement, ...]
    document: Any
