"""The policy engine: parse IAM policies, evaluate a request with AWS's logic, explain the decision.

Standard library only. The public API (docs/CONTRACTS.md):

- ``parse_policy(document, name) -> Policy`` (raises ``PolicyError``)
- ``parse_principal(text) -> Principal`` (raises ``RequestError``)
- ``evaluate(request, policies, *, explain=True) -> Result``
- data types: ``Request``, ``PolicySet``, ``Principal``, ``PrincipalKind``, ``Result``, ``Decision``, ...
"""

from __future__ import annotations

from .arn import Arn, LambdaArn, parse_arn, parse_lambda_arn
from .context import RequestContext
from .errors import InputError, PolicyError, RequestError
from .evaluate import derived_context, evaluate
from .policy import Policy, Statement, parse_policy
from .principal import parse_principal, principal_arn
from .request import ContextValue, PolicySet, Principal, PrincipalKind, Request
from .result import (
    ConditionMatch,
    DecidingStatement,
    Decision,
    ElementMatch,
    Explanation,
    LayerExplanation,
    PolicyExplanation,
    Result,
    StatementExplanation,
)
from .wildcard import wildcard_match

__all__ = [
    "Arn",
    "ConditionMatch",
    "ContextValue",
    "DecidingStatement",
    "Decision",
    "ElementMatch",
    "Explanation",
    "InputError",
    "LambdaArn",
    "LayerExplanation",
    "Policy",
    "PolicyError",
    "PolicyExplanation",
    "PolicySet",
    "Principal",
    "PrincipalKind",
    "Request",
    "RequestContext",
    "RequestError",
    "Result",
    "Statement",
    "StatementExplanation",
    "derived_context",
    "evaluate",
    "parse_arn",
    "parse_lambda_arn",
    "parse_policy",
    "parse_principal",
    "principal_arn",
    "wildcard_match",
]
