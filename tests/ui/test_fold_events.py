"""Every load event changes the fold by its class (ui/loading.py matches on inventory/events.py)."""

from __future__ import annotations

import typing

import pytest

from lambdaperm_tui.inventory import events
from lambdaperm_tui.inventory.events import (
    EventSourcesListed,
    FailureRecorded,
    FunctionLoaded,
    FunctionsListed,
    IamLoaded,
    LayerLoaded,
    LoadEvent,
    LoadFinished,
    OrganizationLoaded,
    PendingRequest,
    Progress,
    Waiting,
)
from lambdaperm_tui.inventory.model import Failure, NamedPolicy, PolicySlot, RegionEventSources
from lambdaperm_tui.ui.loading import Changes, InventoryFold

from .inventory_fixture import REGION, make_inventory

SCP = NamedPolicy("deny-all", PolicySlot(document={"Version": "2012-10-17", "Statement": []}))


def one_of_each() -> list[LoadEvent]:
    """One event of every class a load reports, over the fixture inventory."""
    inv = make_inventory()
    return [
        FunctionsListed(REGION, inv.functions[:1]),
        FunctionLoaded(inv.functions[1]),
        LayerLoaded(inv.layers[0]),
        IamLoaded(inv.roles, inv.users, inv.groups, inv.managed_policies),
        OrganizationLoaded("o-abc", ((SCP,),), ()),
        EventSourcesListed(RegionEventSources(REGION)),
        FailureRecorded(Failure("function", inv.functions[0].arn, "GetPolicy", "AccessDenied")),
        Progress("functions", 1, 4),
        Waiting(PendingRequest("lambda", "ListFunctions", REGION, 3.0), 2),
        LoadFinished(inv),
    ]


def test_the_examples_cover_every_load_event_class() -> None:
    classes = set(typing.get_args(events.LoadEvent))
    assert {type(e) for e in one_of_each()} == classes


@pytest.mark.parametrize("event", one_of_each(), ids=lambda e: type(e).__name__)
def test_every_load_event_is_folded_in(event: LoadEvent) -> None:
    """Each event is seen: it records a change (none is dropped as an unknown class name)."""
    inv = make_inventory()
    fold = InventoryFold(inv.source, inv.regions)
    changes = Changes()
    fold.apply(event, changes)
    assert changes


def test_the_organization_reaches_the_partial_inventory() -> None:
    """The organization's policy levels count while the load streams (they change every answer)."""
    inv = make_inventory()
    fold = InventoryFold(inv.source, inv.regions)
    assert fold.inventory().scps is None  # not read yet: unknown
    changes = Changes()
    fold.apply(OrganizationLoaded("o-abc", ((SCP,),), ()), changes)
    assert changes.iam
    partial = fold.inventory()
    assert partial.organization_id == "o-abc" and partial.scps == ((SCP,),) and partial.rcps == ()


def test_the_fold_keeps_the_slow_request_until_the_load_says_it_no_longer_waits() -> None:
    inv = make_inventory()
    fold = InventoryFold(inv.source, inv.regions)
    slow = Waiting(PendingRequest("lambda", "ListFunctions", REGION, 3.0), 2)
    fold.apply(slow, Changes())
    assert fold.waiting == slow
    fold.apply(Waiting(None, 1), Changes())
    assert fold.waiting is None


def test_an_object_that_is_no_load_event_is_refused() -> None:
    fold = InventoryFold("x")
    with pytest.raises(TypeError, match="unknown load event: str"):
        fold.apply("FunctionsListed", Changes())  # type: ignore[arg-type]
