"""The UI's door to the source of the inventory (AWS, a snapshot or the demo), imported lazily.

The load runs in a thread worker; keeping the import inside it means the first frame is drawn before boto3
is imported. The analysis layer is asked through ``analysis.api``, imported inside the workers too.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from ..inventory.events import EventCallback
from ..inventory.model import Function, Inventory

if TYPE_CHECKING:
    from ..analysis.needs import NeedsReport
    from ..analysis.triggers import TriggersReport
    from .sections import FunctionAnswers


def function_needs(inv: Inventory, arn: str) -> NeedsReport:
    """``analysis.needs.function_needs``: what the function's configuration needs of its role, decided."""
    from ..analysis.needs import function_needs as needs

    return needs(inv, arn)


def function_triggers(inv: Inventory, arn: str) -> TriggersReport:
    """``analysis.triggers.function_triggers``: what can invoke the function, per qualifier."""
    from ..analysis.triggers import function_triggers as triggers

    return triggers(inv, arn)


def function_answers(inv: Inventory, arn: str) -> FunctionAnswers:
    """The needs and the triggers of one function (the detail's two sections), over ``inv``."""
    from .sections import FunctionAnswers

    return FunctionAnswers(function_needs(inv, arn), function_triggers(inv, arn))


# Reads one function again with its async invoke configs (blocking; run in a thread worker).
InvokeConfigReader = Callable[[Function, EventCallback], Function]


def invoke_config_reader(source: Any) -> InvokeConfigReader:
    """How the explorer reads a function's async invoke configs on demand from a ``Source``."""

    def read(fn: Function, on_event: EventCallback) -> Function:
        from ..sources import read_event_invoke_configs

        return read_event_invoke_configs(source, fn, on_event)

    return read


def make_loader(source: Any) -> Callable[[Callable[[Any], None], Any], Inventory]:
    """The blocking load call for a ``aws.source.Source``; runs in a thread worker."""

    def load(on_event: Callable[[Any], None], cancel: Any) -> Inventory:
        from ..sources import open_inventory

        inv: Inventory = open_inventory(source, on_event, cancel)
        return inv

    return load


def describe_source(source: Any) -> tuple[str, tuple[str, ...]]:
    """A header label and the regions of a ``Source`` before anything is loaded (duck-typed)."""
    for attr in ("label", "describe", "description"):
        value = getattr(source, attr, None)
        if callable(value):
            value = value()
        if isinstance(value, str) and value:
            break
    else:
        kind = getattr(source, "kind", None)
        if kind == "snapshot":
            value = f"snapshot {getattr(source, 'snapshot', None) or getattr(source, 'path', '')}"
        elif kind == "demo":
            value = "demo account (local moto)"
        else:
            value = f"profile {getattr(source, 'profile', None) or 'default'}"
    regions = getattr(source, "regions", ()) or ()
    return str(value), tuple(str(r) for r in regions)
