"""What the screens read of the explorer app, as a protocol (so no screen module imports ``app.py``).

The app (``app.LambdaPermApp``) owns the inventory as loaded and the what-if edits; the screens pushed over
it, and the explorer screen itself, read them through this protocol.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any, Protocol, cast

from ..analysis.whatif import PolicyRef, WhatIf
from ..inventory.events import LoadEvent
from ..inventory.model import Function, Inventory
from .backend import InvokeConfigReader
from .loading import InventoryFold

if TYPE_CHECKING:
    from .screens.policy_editor import EditResult


class ExplorerApp(Protocol):
    """The app's state and the few operations screens ask of it."""

    fold: InventoryFold
    loading: bool
    source_label: str
    now: Callable[[], datetime]
    generation: int  # which load (a reload starts the next)
    read_invoke_configs: InvokeConfigReader | None  # reads a function's async invoke configs on demand

    @property
    def base_inventory(self) -> Inventory:
        """The inventory as loaded, without what-if edits."""
        ...

    @property
    def whatif(self) -> WhatIf:
        """The what-if edits over the inventory as loaded."""
        ...

    @property
    def inventory(self) -> Inventory:
        """The inventory with what-if edits applied."""
        ...

    def apply_edit(self, result: EditResult | None) -> None:
        """Apply what the policy editor was left with (saved, reverted, cancelled) to the what-if state."""
        ...

    def reset_edits(self) -> None:
        """Forget every what-if edit."""
        ...

    def forget_edits(self) -> None:
        """Forget every what-if edit, and say so (or that there was none)."""
        ...

    def is_edited(self, ref: PolicyRef) -> bool:
        """Whether the policy ``ref`` has a what-if edit."""
        ...

    def start_load(self) -> None:
        """Load the inventory again."""
        ...

    def update_function(self, fn: Function, events: Sequence[LoadEvent], generation: int) -> None:
        """A function read again after the load, and the failures of that read, into the inventory."""
        ...

    def principal_keys(self) -> list[str]:
        """The principals named in resource and trust policies (the Principals pane's rows)."""
        ...


def explorer(widget: Any) -> ExplorerApp:
    """The explorer app a widget or screen runs in."""
    return cast(ExplorerApp, widget.app)
