"""One name per policy slot (``PolicyRef.policy_name``): the name answers, deciding statements and
scenario proofs give a policy is the one its ``PolicyRef`` says, for every kind of slot."""

from __future__ import annotations

from lambdaperm_tui.analysis.resolve import simulate
from lambdaperm_tui.analysis.whatif import PolicyRef, iter_policies
from lambdaperm_tui.inventory.model import Inventory

from .analysis_inventory import ACCOUNT, FN, LAYER, READ_ARN, ROLE


def test_each_kind_of_slot_has_its_name() -> None:
    assert PolicyRef("function-policy", f"{FN}:billing").policy_name == "billing"
    assert PolicyRef("version-policy", f"{FN}:billing:1").policy_name == "billing:1"
    assert PolicyRef("alias-policy", f"{FN}:billing:prod").policy_name == "billing:prod"
    assert PolicyRef("layer-version-policy", f"{LAYER}:shared-libs:1").policy_name == "shared-libs:1"
    assert PolicyRef("role-trust", f"{ROLE}/service/bounded").policy_name == "bounded/trust"
    inline = PolicyRef("role-inline", f"{ROLE}/orders-api", "invoke-billing")
    assert inline.policy_name == "orders-api/inline/invoke-billing"
    group = PolicyRef("group-inline", f"arn:aws:iam::{ACCOUNT}:group/devs", "read")
    assert group.policy_name == "devs/group-inline/read"
    assert PolicyRef("managed", READ_ARN).policy_name == READ_ARN
    assert PolicyRef("scp", "level:0", "FullAWSAccess").policy_name == "FullAWSAccess"


def test_answers_name_policies_as_their_refs_do(inv: Inventory) -> None:
    names = {ref.policy_name for ref, _ in iter_policies(inv)}
    answer = simulate(inv, f"{ROLE}/orders-api", "lambda:InvokeFunction", f"{FN}:billing")
    assert answer.result is not None and answer.result.decided_by
    assert {d.policy for d in answer.result.decided_by} <= names
    scenario = answer.scenario
    named = [p["name"] for p in scenario["identity_policies"]]
    assert "orders-api/inline/invoke-billing" in named
    assert scenario["resource_policy"]["name"] == "billing"
    assert [[p["name"] for p in level] for level in scenario["scps"]] == [["FullAWSAccess"]]
