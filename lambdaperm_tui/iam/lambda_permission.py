"""The policy statement AWS Lambda stores for one ``AddPermission`` / ``AddLayerVersionPermission`` call.

Lambda writes each call as one statement of the resource's policy, which ``GetPolicy`` /
``GetLayerVersionPolicy`` return: ``Sid``, ``Effect: Allow``, ``Principal``, ``Action``, ``Resource``, then
``Condition`` with every option of the call as a condition entry
(https://docs.aws.amazon.com/lambda/latest/api/API_AddPermission.html,
https://docs.aws.amazon.com/lambda/latest/dg/access-control-resource-based.html,
https://docs.aws.amazon.com/lambda/latest/dg/permissions-function-organization.html,
https://docs.aws.amazon.com/lambda/latest/dg/urls-auth.html,
https://docs.aws.amazon.com/lambda/latest/dg/permissions-layer-cross-account.html):

- ``SourceAccount`` → ``StringEquals AWS:SourceAccount``; ``PrincipalOrgID`` (``OrganizationId`` for a
  layer) → ``StringEquals aws:PrincipalOrgID``; ``FunctionUrlAuthType`` → ``StringEquals
  lambda:FunctionUrlAuthType``; ``EventSourceToken`` → ``StringEquals lambda:EventSourceToken``;
- ``SourceArn`` → ``ArnLike AWS:SourceArn`` (after ``StringEquals``, as in the documented example);
- ``InvokedViaFunctionUrl: true`` → ``Bool lambda:InvokedViaFunctionUrl "true"``; ``false`` restricts
  nothing and writes nothing (the parameter "when set to true" limits the permission to URL calls);
- the ``Principal`` parameter: ``*`` stays ``"*"``, a 12-digit account id becomes
  ``{"AWS": "arn:PARTITION:iam::ACCOUNT:root"}``, an IAM or STS ARN ``{"AWS": ARN}``, a service principal
  ``{"Service": NAME}``.

Two users: the demo's moto adapter (it builds statements from the calls it serves) and ``aws/compat.py``
(it rewrites statements an emulator stored with the call's parameters left beside the elements). Both
reach this module because it is the lowest layer and needs nothing but the standard library.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .errors import InputError, RequestError
from .policy import STATEMENT_ELEMENTS
from .principal import parse_principal
from .request import PrincipalKind

__all__ = [
    "PERMISSION_PARAMETERS",
    "AddPermissionError",
    "in_aws_order",
    "permission_conditions",
    "permission_principal",
    "permission_statement",
]


class AddPermissionError(InputError):
    """The parameters of a call name no statement AWS would store (a required one missing, a principal
    of no known form)."""


# Each option of the call, in the order AWS writes its condition: (parameter, operator, condition key).
_OPTIONS: tuple[tuple[str, str, str], ...] = (
    ("SourceAccount", "StringEquals", "AWS:SourceAccount"),
    ("PrincipalOrgID", "StringEquals", "aws:PrincipalOrgID"),
    ("OrganizationId", "StringEquals", "aws:PrincipalOrgID"),
    ("FunctionUrlAuthType", "StringEquals", "lambda:FunctionUrlAuthType"),
    ("EventSourceToken", "StringEquals", "lambda:EventSourceToken"),
    ("SourceArn", "ArnLike", "AWS:SourceArn"),
    ("InvokedViaFunctionUrl", "Bool", "lambda:InvokedViaFunctionUrl"),
)
# The parameters that become conditions.
PERMISSION_PARAMETERS: tuple[str, ...] = tuple(name for name, _, _ in _OPTIONS)


def _is_true(value: Any) -> bool:
    return value is True or (isinstance(value, str) and value.lower() == "true")


def permission_conditions(params: Mapping[str, Any]) -> dict[str, dict[str, str]]:
    """The ``Condition`` element AWS writes for the options among ``params`` (empty when there are none).

    An option given empty (``""``, ``None``) or ``InvokedViaFunctionUrl`` not true writes nothing. When
    two options name the same key (``PrincipalOrgID`` and ``OrganizationId``), the first one written wins.
    """
    condition: dict[str, dict[str, str]] = {}
    for name, operator, key in _OPTIONS:
        value = params.get(name)
        if operator == "Bool":
            if not _is_true(value):
                continue
            text = "true"
        elif value is None or value == "":
            continue
        else:
            text = str(value)
        condition.setdefault(operator, {}).setdefault(key, text)
    return condition


def in_aws_order(statement: Mapping[str, Any]) -> dict[str, Any]:
    """``statement`` with its elements in the order GetPolicy returns them; other keys after them."""
    out = {key: statement[key] for key in STATEMENT_ELEMENTS if key in statement}
    out.update((key, value) for key, value in statement.items() if key not in out)
    return out


def _partition(resource: object) -> str:
    parts = resource.split(":") if isinstance(resource, str) else []
    return parts[1] if len(parts) > 1 and parts[0] == "arn" and parts[1] else "aws"


def permission_principal(principal: str, resource: object = None) -> str | dict[str, str] | None:
    """The ``Principal`` element AWS stores for a call's ``Principal`` parameter on ``resource`` (its ARN
    gives an account's partition; ``aws`` without one); None when the text is no account id, IAM/STS
    ARN, service principal or ``*`` (AWS refuses such a call)."""
    if principal == "*":
        return "*"
    try:
        parsed = parse_principal(principal)
    except RequestError:
        return None
    if parsed.text != principal:  # surrounding blanks: AWS takes the parameter as given
        return None
    if parsed.kind is PrincipalKind.SERVICE:
        return {"Service": principal}
    if parsed.kind is PrincipalKind.ANONYMOUS:
        return None
    if parsed.kind is PrincipalKind.ROOT and not principal.startswith("arn:"):
        return {"AWS": f"arn:{_partition(resource)}:iam::{principal}:root"}
    return {"AWS": principal}


def permission_statement(params: Mapping[str, Any], resource_arn: str) -> dict[str, Any]:
    """The statement AWS stores for one call with ``params`` on ``resource_arn`` (a function, version,
    alias or layer version ARN). Raises ``AddPermissionError`` when ``StatementId``, ``Action`` or
    ``Principal`` is missing or the principal has no known form; other checks of the call (the statement
    id's characters, which actions are allowed) are the caller's."""
    texts: dict[str, str] = {}
    for name in ("StatementId", "Action", "Principal"):
        value = params.get(name)
        if not isinstance(value, str) or not value:
            raise AddPermissionError(f"{name} is required and must be a non-empty string.")
        texts[name] = value
    principal = permission_principal(texts["Principal"], resource_arn)
    if principal is None:
        raise AddPermissionError(
            "The provided principal was invalid. Please check the principal and try again: "
            + texts["Principal"]
        )
    statement: dict[str, Any] = {
        "Sid": texts["StatementId"],
        "Effect": "Allow",
        "Principal": principal,
        "Action": texts["Action"],
        "Resource": resource_arn,
    }
    condition = permission_conditions(params)
    if condition:
        statement["Condition"] = condition
    return in_aws_order(statement)
