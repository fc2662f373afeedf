"""The fold of the loader's events into the inventory the explorer shows (ui/loading.py)."""

from __future__ import annotations

from dataclasses import replace

from lambdaperm_tui.inventory.events import EventSourcesListed, FunctionsListed
from lambdaperm_tui.inventory.model import EventInvokeConfig, EventSourceMapping, RegionEventSources
from lambdaperm_tui.ui.loading import Changes, InventoryFold

from .inventory_fixture import REGION, fn_arn, make_inventory


def test_event_source_mappings_are_shown_while_the_load_streams() -> None:
    """A Region's mappings count as soon as they are listed, not only once the load has finished."""
    inv = make_inventory()
    fold = InventoryFold(inv.source, inv.regions)
    changes = Changes()
    fold.apply(FunctionsListed(REGION, inv.functions), changes)
    assert fold.inventory().event_source_mappings == ()
    mapping = EventSourceMapping("uuid-1", fn_arn("billing"), REGION, "arn:aws:sqs:us-east-1:1:q", "Enabled")
    sources = RegionEventSources(REGION, (mapping,))
    changes = Changes()
    fold.apply(EventSourcesListed(sources), changes)
    assert changes and changes.event_sources == [REGION]
    assert fold.inventory().event_source_mappings == (sources,)


def test_a_function_read_again_replaces_it_in_the_final_inventory() -> None:
    inv = make_inventory()
    fold = InventoryFold(inv.source, inv.regions)
    fold.finish(inv, Changes())
    fn = inv.functions[0]
    read = replace(fn, event_invoke_configs=(EventInvokeConfig(f"{fn.arn}:$LATEST", on_failure="arn:x"),))
    changes = Changes()
    fold.update_function(read, changes)
    assert changes.functions == [fn.arn]
    now = fold.inventory()
    assert now.functions[0] is read and now.functions[1:] == inv.functions[1:]
    assert replace(now, functions=inv.functions) == inv  # nothing else changed
