"""Findings on roles: ``execution-role`` and ``privilege-escalation`` (filled in below)."""

from __future__ import annotations

from .model import Finding
from .probe import Prober


def role_findings(prober: Prober, unrelated: str) -> list[Finding]:
    """Execution roles trusted too widely or allowed too much, and escalation paths through Lambda."""
    return []
