"""An execution role's trust policy that also admits another account's principal is a finding whatever
the form of that principal: the caller is read by the engine's principal parser, so a role session or a
root ARN of another account gets that account's identity side assumed (it is outside the inventory), as
the cross-account rule needs both sides
(https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic-cross-account.html,
https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html).
"""

from __future__ import annotations

import dataclasses

import pytest

from lambdaperm_tui.analysis.findings import FindingKind, account_findings
from lambdaperm_tui.iam.evaluate import evaluate
from lambdaperm_tui.iam.scenario import load_scenario
from lambdaperm_tui.inventory.model import Inventory, PolicySlot

from .analysis_inventory import OTHER, ROLE

SESSION = f"arn:aws:sts::{OTHER}:assumed-role/deployer/ci"


def _trusting(inv: Inventory, principal: str) -> Inventory:
    trust = {
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"},
            {"Effect": "Allow", "Principal": {"AWS": principal}, "Action": "sts:AssumeRole"},
        ],
    }
    roles = tuple(
        dataclasses.replace(r, trust_policy=PolicySlot(document=trust))
        if r.arn == f"{ROLE}/orders-api"
        else r
        for r in inv.roles
    )
    return dataclasses.replace(inv, roles=roles)


@pytest.mark.parametrize("principal", [SESSION, f"arn:aws:iam::{OTHER}:root", f"arn:aws:iam::{OTHER}:role/x"])
def test_another_accounts_principal_in_an_execution_roles_trust(inv: Inventory, principal: str) -> None:
    report = account_findings(_trusting(inv, principal))
    found = [
        f
        for f in report.findings
        if f.kind is FindingKind.EXECUTION_ROLE
        and f.resource == f"{ROLE}/orders-api"
        and f.principal == principal
    ]
    assert found, [(f.kind, f.principal) for f in report.findings]
    proof = found[0].proof
    assert proof is not None
    request, policies = load_scenario(proof)
    assert evaluate(request, policies, explain=False).decision.value == proof["expected"] == "allowed"
    assert [p.name for p in policies.identity] == ["assumed: identity policies of the caller's account"]
