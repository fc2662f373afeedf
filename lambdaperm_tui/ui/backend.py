"""The UI's door to the source of the inventory (AWS, a snapshot or the demo), imported lazily.

The load runs in a thread worker; keeping the import inside it means the first frame is drawn before boto3
is imported. The analysis layer is asked through ``analysis.api``, imported inside the workers too.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import TYPE_CHECKING

from ..inventory.events import EventCallback
from ..inventory.model import Function, Inventory
from .loading import LoadFunction

if TYPE_CHECKING:
    from ..aws.source import Source


# Reads one function again with its async invoke configs (blocking; run in a thread worker).
InvokeConfigReader = Callable[[Function, EventCallback], Function]


def invoke_config_reader(source: Source) -> InvokeConfigReader:
    """How the explorer reads a function's async invoke configs on demand from a ``Source``."""

    def read(fn: Function, on_event: EventCallback) -> Function:
        from ..sources import read_event_invoke_configs

        return read_event_invoke_configs(source, fn, on_event)

    return read


def make_loader(source: Source) -> LoadFunction:
    """The blocking load call for a ``Source``; runs in a thread worker."""

    def load(on_event: EventCallback, cancel: threading.Event) -> Inventory:
        from ..sources import open_inventory

        inv: Inventory = open_inventory(source, on_event, cancel)
        return inv

    return load


def describe_source(source: Source) -> tuple[str, tuple[str, ...]]:
    """A header label (``Source.describe``) and the regions of a source before anything is loaded."""
    return source.describe(), source.regions
