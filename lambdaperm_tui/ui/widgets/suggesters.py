"""Input suggesters: from a list of candidates, and condition keys for the simulator's context rows."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from textual.suggester import Suggester

from ...inventory.text import inert


class ListSuggester(Suggester):
    """Suggests the first candidate that starts with (case-insensitive) what was typed."""

    def __init__(self, candidates: Iterable[str]) -> None:
        super().__init__(use_cache=False, case_sensitive=False)
        self.candidates = sorted(set(candidates))

    async def get_suggestion(self, value: str) -> str | None:
        """The completion of ``value``, if any."""
        if not value:
            return None
        low = value.lower()
        for candidate in self.candidates:
            # A suggestion is drawn as it is (Input adds it after the value): never one that holds
            # control or bidi characters.
            if (
                candidate.lower().startswith(low)
                and len(candidate) > len(value)
                and inert(candidate) == candidate
            ):
                return candidate
        return None


class ContextKeySuggester(Suggester):
    """Completes ``key=`` from the keys that apply to the simulator's current action."""

    def __init__(self, keys: Callable[[], Iterable[str]]) -> None:
        super().__init__(use_cache=False, case_sensitive=False)
        self._keys = keys

    async def get_suggestion(self, value: str) -> str | None:
        """A condition key that starts with what was typed (before ``=``)."""
        if not value or "=" in value:
            return None
        low = value.lower()
        for key in self._keys():
            if key.lower().startswith(low) and len(key) > len(value):
                return key + "="
        return None
