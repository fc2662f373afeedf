"""The ``inv`` fixture: the test account of ``analysis_inventory`` (helpers live there, under a unique
module name, so they never clash with other directories' ``conftest`` modules)."""

from __future__ import annotations

import pytest

from lambdaperm_tui.inventory.model import Inventory

from .analysis_inventory import build_inventory


@pytest.fixture
def inv() -> Inventory:
    return build_inventory()
