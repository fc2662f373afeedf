"""Findings decided by the engine: who is exposed to what, through which statement, with the request that
proves it.

``account_findings(inv)`` judges an inventory; ``policy_findings(document, resource)`` judges one
resource-policy document as if attached to ``resource``, with no account at all (for CI, before a
policy is deployed). Both return a ``FindingsReport``: the findings, worst first, and what could not be
decided (``unknown``: a finding that depends on it may be missing).
"""

from __future__ import annotations

from typing import Any

from ...iam.errors import RequestError
from ...inventory.model import (
    NO_POLICY,
    Alias,
    Function,
    Inventory,
    Layer,
    LayerVersion,
    PolicySlot,
    Version,
)
from .lint import lint_document, size_finding
from .model import Finding, FindingKind, FindingsReport, Severity, StatementRef, sort_key
from .probe import Prober
from .resources import policy_targets, resource_findings, unrelated_account, url_findings
from .roles import role_findings


def _form_findings(inv: Inventory) -> list[Finding]:
    out: list[Finding] = []
    for target in policy_targets(inv):
        doc = target.slot.document
        if doc is None:
            continue
        out.extend(lint_document(doc, target.name, target.arn))
        size = size_finding(doc, target.name, target.arn)
        if size is not None:
            out.append(size)
    for role in inv.roles:
        if isinstance(role.trust_policy.document, dict):
            out.extend(lint_document(role.trust_policy.document, f"{role.name}/trust", role.arn))
    return out


def _report(findings: list[Finding], prober: Prober) -> FindingsReport:
    unique: dict[tuple[Any, ...], Finding] = {}
    for f in findings:
        unique.setdefault((f.kind, f.resource, f.principal, f.why), f)
    return FindingsReport(tuple(sorted(unique.values(), key=sort_key)), tuple(prober.unknown))


def account_findings(inv: Inventory) -> FindingsReport:
    """Every finding over ``inv``: resource policies of every function, version, alias and layer version,
    function URLs, execution roles and escalation paths, and the documents' form."""
    prober = Prober(inv)
    unrelated = unrelated_account(inv)
    findings = resource_findings(prober, unrelated)
    findings += url_findings(prober, unrelated)
    findings += role_findings(prober, unrelated)
    findings += _form_findings(inv)
    # What each function's configuration needs of its execution role (analysis/needs.py).
    from ..needs import need_findings

    unmet, undecided = need_findings(inv)
    findings += unmet
    prober.unknown.extend(u for u in undecided if u not in prober.unknown)
    for failure in inv.failures:
        text = f"{failure.kind} {failure.resource}: {failure.reason}"
        if text not in prober.unknown:
            prober.unknown.append(text)
    return _report(findings, prober)


def inventory_for_policy(document: Any, resource: str) -> Inventory:
    """An inventory holding only ``resource`` (a function, version, alias or layer version ARN) with
    ``document`` as its resource policy. Raises ``RequestError`` for an ARN of another kind."""
    parts = resource.split(":")
    if len(parts) < 7 or parts[:3] != ["arn", "aws", "lambda"] or not parts[3] or len(parts[4]) != 12:
        raise RequestError(
            f'--resource: not a Lambda function, version, alias or layer version ARN: "{resource}"'
        )
    region, account, kind, name = parts[3], parts[4], parts[5], parts[6]
    slot = PolicySlot(document)
    base = ":".join(parts[:7])
    if kind == "function" and len(parts) in (7, 8) and name:
        qualifier = parts[7] if len(parts) == 8 else None
        if qualifier is None or qualifier == "$LATEST":
            fn = Function(base, name, region, account, policy=slot, urls=())
        elif qualifier.isdigit():
            fn = Function(
                base,
                name,
                region,
                account,
                policy=NO_POLICY,
                urls=(),
                versions=(Version(resource, qualifier, slot),),
            )
        else:
            fn = Function(
                base,
                name,
                region,
                account,
                policy=NO_POLICY,
                urls=(),
                aliases=(Alias(resource, qualifier, "1", policy=slot),),
            )
        return Inventory(account, (region,), "", "policy file", functions=(fn,))
    if kind == "layer" and len(parts) == 8 and name and parts[7].isdigit():
        lv = LayerVersion(resource, name, int(parts[7]), region, policy=slot)
        return Inventory(account, (region,), "", "policy file", layers=(Layer(base, name, region, (lv,)),))
    raise RequestError(
        f'--resource: not a Lambda function, version, alias or layer version ARN: "{resource}"'
    )


def policy_findings(document: Any, resource: str) -> FindingsReport:
    """The findings of one resource-policy ``document`` as if attached to ``resource``, with no account:
    public, cross-account, organization, confused-deputy and URL grants, and the document's form. Raises
    ``RequestError`` for a bad ARN; a malformed document is reported in ``unknown``."""
    inv = inventory_for_policy(document, resource)
    prober = Prober(inv)
    unrelated = unrelated_account(inv)
    findings = resource_findings(prober, unrelated)
    findings += url_findings(prober, unrelated, urls_known=False)
    findings += _form_findings(inv)
    return _report(findings, prober)


__all__ = [
    "Finding",
    "FindingKind",
    "FindingsReport",
    "Severity",
    "StatementRef",
    "account_findings",
    "inventory_for_policy",
    "policy_findings",
]
