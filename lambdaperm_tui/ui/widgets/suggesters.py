"""Input suggesters: from a list of candidates, the last action of a list of actions, and condition keys for
the simulator's context rows."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence

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


class ActionListSuggester(Suggester):
    """Completes the last item of a list of actions (``lambda:InvokeFunction, iam:Pa`` -> ``…iam:PassRole``):
    a service prefix from ``services()``, then that service's actions from ``actions_for(prefix)`` (the
    catalog's)."""

    def __init__(
        self, actions_for: Callable[[str], Sequence[str]], services: Callable[[], Sequence[str]]
    ) -> None:
        # Matched without case here, not by Textual: it would fold the items already typed as well.
        super().__init__(use_cache=False, case_sensitive=True)
        self._actions_for = actions_for
        self._services = services

    async def get_suggestion(self, value: str) -> str | None:
        """``value`` with its last item completed, if any item of the catalog extends it."""
        cut = max(value.rfind(","), value.rfind(" ")) + 1
        head, token = value[:cut], value[cut:]
        if not token:
            return None
        low = token.lower()
        prefix, colon, _ = low.partition(":")
        pool = self._actions_for(prefix) if colon else [f"{s}:" for s in self._services()]
        for candidate in pool:
            fits = candidate.lower().startswith(low) and len(candidate) > len(token)
            if fits and inert(candidate) == candidate:
                return head + candidate
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
