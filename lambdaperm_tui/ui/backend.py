"""The UI's door to the analysis layer and to the AWS source, imported lazily.

Screens call these functions from thread workers; nothing here touches widgets. Keeping the imports lazy
means the first frame is drawn before boto3 or the IAM action catalog is imported.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from ..inventory.events import EventCallback
from ..inventory.model import Function, Inventory

if TYPE_CHECKING:
    from ..analysis.needs import NeedsReport
    from ..analysis.triggers import TriggersReport
    from .sections import FunctionAnswers


class AnalysisUnavailable(RuntimeError):
    """The analysis layer (or part of it) is not installed in this build."""


def _analysis(module: str) -> Any:
    import importlib

    try:
        return importlib.import_module(f"lambdaperm_tui.analysis.{module}")
    except ImportError as exc:  # pragma: no cover - only while the layer is being built
        raise AnalysisUnavailable(f"analysis.{module} is not available: {exc}") from exc


def simulate(inv: Inventory, principal: str, action: str, resource: str, context: Mapping[str, Any]) -> Any:
    """``analysis.resolve.simulate`` with an explanation."""
    return _analysis("resolve").simulate(inv, principal, action, resource, context, explain=True)


def who_can(inv: Inventory, action: str, resource: str) -> Sequence[Any]:
    """``analysis.whocan.who_can``."""
    return tuple(_analysis("whocan").who_can(inv, action, resource))


def what_can(inv: Inventory, principal: str) -> Sequence[Any]:
    """``analysis.whocan.what_can`` over the common actions."""
    return tuple(_analysis("whocan").what_can(inv, principal))


def findings(inv: Inventory) -> Any:
    """``analysis.findings.account_findings``: the ``FindingsReport`` of the inventory."""
    return _analysis("findings").account_findings(inv)


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


def named_principals(inv: Inventory) -> Sequence[Any]:
    """``analysis.principals.named_principals``."""
    return tuple(_analysis("principals").named_principals(inv))


def policy_refs(inv: Inventory) -> Sequence[Any]:
    """Every policy of the inventory as ``analysis.whatif.PolicyRef``."""
    return tuple(_analysis("whatif").policy_refs(inv))


def get_policy(inv: Inventory, ref: Any) -> Any:
    """``analysis.whatif.get_policy``: the ``PolicySlot`` a ref points at."""
    return _analysis("whatif").get_policy(inv, ref)


def replace_policy(inv: Inventory, ref: Any, document: Any) -> Inventory:
    """``analysis.whatif.replace_policy``: a new inventory with one policy replaced."""
    result: Inventory = _analysis("whatif").replace_policy(inv, ref, document)
    return result


@functools.lru_cache(maxsize=1)
def lambda_actions() -> tuple[str, ...]:
    """Every Lambda action from the catalog (``lambda:InvokeFunction``, ...), or a short built-in list."""
    try:
        return tuple(_analysis("catalog").lambda_actions())
    except (AnalysisUnavailable, AttributeError):
        return (
            "lambda:InvokeFunction",
            "lambda:InvokeFunctionUrl",
            "lambda:GetFunction",
            "lambda:GetLayerVersion",
            "lambda:UpdateFunctionCode",
            "lambda:AddPermission",
        )


@functools.lru_cache(maxsize=64)
def condition_keys_for(action: str) -> tuple[str, ...]:
    """Condition keys that apply to an action (global keys included when the catalog gives them)."""
    try:
        return tuple(_analysis("catalog").condition_keys_for(action))
    except (AnalysisUnavailable, AttributeError, ValueError, KeyError):
        return ("aws:SourceArn", "aws:SourceAccount", "aws:SourceIp", "aws:PrincipalOrgID")


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
