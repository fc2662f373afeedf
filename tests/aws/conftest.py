"""Fixtures of the AWS-path tests: the loopback fault proxy in front of the session's moto server."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.aws.fault_proxy import FaultProxy


@pytest.fixture
def fault_proxy(moto_server: str) -> Iterator[FaultProxy]:
    """A ``FaultProxy`` in front of the session's moto server, with no rules yet; stopped after the test."""
    proxy = FaultProxy(moto_server)
    try:
        yield proxy
    finally:
        proxy.stop()
