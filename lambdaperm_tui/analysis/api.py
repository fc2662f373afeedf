"""The analysis layer's public interface: the questions the explorer asks of an inventory, and the frozen
dataclasses that answer them.

Every name here is defined in its own module (``resolve``, ``whocan``, ``principals``, ``findings``,
``needs``, ``triggers``, ``whatif``, ``catalog``); this module only gathers them so a caller has one typed
door. Importing it loads the engine, so the explorer imports it inside its workers (and for annotations
under ``TYPE_CHECKING``), which keeps its first frame free of that cost.
"""

from __future__ import annotations

from collections.abc import Mapping

from ..iam.errors import InputError, PolicyError
from ..iam.request import ContextValue
from ..iam.result import DecidingStatement, Result
from ..inventory.model import Inventory
from .answer import Answer, Check
from .catalog import condition_keys_for, lambda_actions
from .findings import account_findings
from .findings.model import Finding, FindingsReport
from .needs import NeedsReport, function_needs
from .principals import Caller, NamedAt, NamedPrincipal, NotACaller, caller_of, named_principals
from .resolve import simulate
from .triggers import TriggersReport, function_triggers
from .whatif import PolicyRef, WhatIf, get_policy, policy_refs, replace_policy
from .whocan import WhatCanRow, WhoCanRow, what_can, who_can


def explain(
    inv: Inventory, principal: str, action: str, resource: str, context: Mapping[str, ContextValue]
) -> Answer:
    """``simulate`` with the full explanation, as the simulator screen shows it."""
    return simulate(inv, principal, action, resource, context, explain=True)


__all__ = [
    "Answer",
    "Caller",
    "Check",
    "ContextValue",
    "DecidingStatement",
    "Finding",
    "FindingsReport",
    "InputError",
    "NeedsReport",
    "NamedAt",
    "NamedPrincipal",
    "NotACaller",
    "PolicyError",
    "PolicyRef",
    "Result",
    "TriggersReport",
    "WhatCanRow",
    "WhatIf",
    "WhoCanRow",
    "account_findings",
    "caller_of",
    "condition_keys_for",
    "explain",
    "function_needs",
    "function_triggers",
    "get_policy",
    "lambda_actions",
    "named_principals",
    "policy_refs",
    "replace_policy",
    "simulate",
    "what_can",
    "who_can",
]
