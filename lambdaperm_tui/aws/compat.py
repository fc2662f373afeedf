"""Lambda resource policies as AWS writes them, from endpoints that return AddPermission parameters raw.

AWS turns each ``AddPermission`` / ``AddLayerVersionPermission`` call into an IAM policy statement: the
options become ``Condition`` entries and the principal becomes a principal object
(https://docs.aws.amazon.com/lambda/latest/api/API_AddPermission.html,
https://docs.aws.amazon.com/lambda/latest/dg/access-control-resource-based.html,
https://docs.aws.amazon.com/lambda/latest/dg/urls-auth.html). Local emulators reached through
``--endpoint-url`` / ``AWS_ENDPOINT_URL`` (moto, for one) store some of those parameters verbatim beside the
statement's elements — ``"FunctionUrlAuthType": "NONE"``, ``"OrganizationId": "o-..."``, or a bare account
id as ``"Principal"``. Read strictly, such a document is malformed and every answer depending on it would
be "unknown". AWS itself never returns these shapes, so rewriting them into the documented form changes
nothing for a real account and makes an emulator's account answerable.

Only statements carrying AddPermission parameter names are touched; anything else that is malformed stays
as it is, so the engine still reports it. The rule of what AWS writes for each parameter is
``iam/lambda_permission.py``, shared with the demo's moto adapter.
"""

from __future__ import annotations

from typing import Any

from ..iam.lambda_permission import (
    PERMISSION_PARAMETERS,
    in_aws_order,
    permission_conditions,
    permission_principal,
)

# Parameters that identify the call rather than the permission; they carry no meaning in a statement.
_CALL_PARAMETERS = ("FunctionName", "Qualifier", "RevisionId", "LayerName", "VersionNumber")


def normalise_lambda_policy(document: Any) -> Any:
    """The document with AddPermission-shaped statements rewritten as AWS writes them.

    Returns the document itself (not a copy) when nothing needed rewriting.
    """
    if not isinstance(document, dict):
        return document
    statements = document.get("Statement")
    if isinstance(statements, dict):
        fixed = _statement(statements)
        return document if fixed is statements else {**document, "Statement": fixed}
    if not isinstance(statements, list):
        return document
    rewritten = [_statement(s) for s in statements]
    if all(a is b for a, b in zip(rewritten, statements, strict=True)):
        return document
    return {**document, "Statement": rewritten}


def _statement(statement: Any) -> Any:
    if not isinstance(statement, dict):
        return statement
    needs = (
        any(k in statement for k in PERMISSION_PARAMETERS)
        or any(k in statement for k in _CALL_PARAMETERS)
        or "StatementId" in statement
        or _bare_principal(statement.get("Principal"))
    )
    if not needs:
        return statement
    out = dict(statement)
    if "StatementId" in out:
        sid = out.pop("StatementId")
        out.setdefault("Sid", sid)
    for name in _CALL_PARAMETERS:
        out.pop(name, None)
    condition = out.get("Condition")
    merged: dict[str, Any] = (
        {op: dict(block) if isinstance(block, dict) else block for op, block in condition.items()}
        if isinstance(condition, dict)
        else {}
    )
    options = {name: out.pop(name) for name in PERMISSION_PARAMETERS if name in out}
    # A condition the statement already has wins over the same key from a parameter.
    for operator, entries in permission_conditions(options).items():
        block = merged.setdefault(operator, {})
        if isinstance(block, dict):
            for key, value in entries.items():
                block.setdefault(key, value)
    if merged:
        out["Condition"] = merged
    principal = out.get("Principal")
    if isinstance(principal, str) and principal != "*":
        # A text of no known form stays as it is: the engine reports the statement as malformed.
        out["Principal"] = permission_principal(principal, out.get("Resource")) or principal
    return in_aws_order(out)


def _bare_principal(principal: Any) -> bool:
    return isinstance(principal, str) and principal != "*"
