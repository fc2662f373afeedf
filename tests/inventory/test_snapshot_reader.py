"""The snapshot reader (``inventory/snapshot.py``): the fast loader built from the model's type hints takes
exactly the values the checking loader ``_load`` takes, and builds the same inventory.

``load_snapshot`` reads with the fast loader and, when it refuses a value, runs ``_load`` for the message.
If the two disagreed, a damaged snapshot could load (the fast loader accepting what ``_load`` refuses) or
a good one be refused. So every value of two sample snapshots is replaced, one at a time, by values of
other JSON types (and every field deleted), and both loaders must agree on each damaged body.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from typing import Any

import pytest

from lambdaperm_tui.inventory.model import Inventory
from lambdaperm_tui.inventory.snapshot import (
    SnapshotError,
    _load,
    _Mismatch,
    _reader,
    dump_snapshot,
    load_snapshot,
)
from tests.aws.test_snapshot_config import configured
from tests.inventory.test_snapshot import sample

# Values of every JSON type, and shapes the model has (a pair, a slot, a list of strings).
REPLACEMENTS: tuple[Any, ...] = (
    None,
    True,
    False,
    0,
    7,
    1.5,
    "",
    "x",
    "NONE",
    [],
    ["x"],
    [["k", "v"]],
    [1, 2],
    {},
    {"state": "none"},
    {"state": "document"},
    {"state": "unknown", "reason": ""},
)


def _body(inv: Inventory) -> dict[str, Any]:
    dumped: dict[str, Any] = json.loads(json.dumps(dump_snapshot(inv)))
    return {k: v for k, v in dumped.items() if k not in ("format", "format_version")}


def _paths(value: Any, path: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    """Every place in a parsed JSON value (keys and list indexes from the root)."""
    if isinstance(value, dict):
        for key, item in value.items():
            yield (*path, key)
            yield from _paths(item, (*path, key))
    elif isinstance(value, list):
        for i, item in enumerate(value):
            yield (*path, i)
            yield from _paths(item, (*path, i))


def _damaged(body: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
    for path in _paths(body):
        parent_path, last = path[:-1], path[-1]
        for replacement in (*REPLACEMENTS, _DELETE):
            if replacement is _DELETE and not isinstance(last, str):
                continue
            damaged = copy.deepcopy(body)
            parent: Any = damaged
            for step in parent_path:
                parent = parent[step]
            if replacement is _DELETE:
                del parent[last]
            else:
                parent[last] = copy.deepcopy(replacement)
            yield f"{'.'.join(map(str, path))} <- {replacement!r}", damaged


_DELETE = object()


def _checked(body: dict[str, Any]) -> Inventory | str:
    try:
        result = _load(Inventory, body, "")
    except SnapshotError as exc:
        return f"refused: {exc}"
    assert isinstance(result, Inventory)
    return result


def _fast(body: dict[str, Any]) -> Inventory | None:
    try:
        result = _reader(Inventory)(body)
    except _Mismatch:
        return None
    assert isinstance(result, Inventory)
    return result


@pytest.mark.parametrize("make", [sample, configured])
def test_the_fast_reader_agrees_with_the_checking_loader_on_damaged_snapshots(make: Any) -> None:
    body = _body(make())
    assert _fast(body) == _checked(body) == make()
    cases = 0
    for label, damaged in _damaged(body):
        expected = _checked(damaged)
        got = _fast(damaged)
        if isinstance(expected, str):
            assert got is None, f"{label}: the fast reader took what _load refuses ({expected})"
        else:
            assert got == expected, f"{label}: the fast reader refused or changed a good value"
        cases += 1
    assert cases > 1000  # the walk reached the records' fields, not just the top level


def test_a_damaged_snapshot_is_refused_with_the_checking_loaders_message() -> None:
    body = _body(sample())
    body["roles"][0]["inline_policies"][0]["slot"] = {"state": "unknown", "reason": ""}
    with pytest.raises(SnapshotError, match=r"^roles\[0\]\.inline_policies\[0\]\.slot\.reason: expected"):
        load_snapshot({"format": "lambdaperm-tui-snapshot", "format_version": 2, **body})
