"""What-if edits, the action catalog, and the layer rule that analysis imports no boto3/textual."""

from __future__ import annotations

import subprocess
import sys

import pytest

from lambdaperm_tui.analysis import catalog
from lambdaperm_tui.analysis.resolve import simulate
from lambdaperm_tui.analysis.whatif import (
    PolicyRef,
    WhatIf,
    edited_refs,
    get_policy,
    policy_refs,
    replace_policy,
)
from lambdaperm_tui.iam.errors import InputError, PolicyError
from lambdaperm_tui.inventory.model import Inventory

from .analysis_inventory import FN, ROLE

INVOKE = "lambda:InvokeFunction"
EMPTY = {"Version": "2012-10-17", "Statement": []}


def test_policy_refs_cover_every_slot(inv: Inventory) -> None:
    refs = policy_refs(inv)
    kinds = {r.kind for r in refs}
    assert kinds >= {
        "function-policy",
        "alias-policy",
        "version-policy",
        "layer-version-policy",
        "role-trust",
        "role-inline",
        "managed",
        "scp",
    }
    ref = PolicyRef("alias-policy", f"{FN}:billing:prod")
    assert ref in refs
    assert get_policy(inv, ref).document["Statement"][0]["Sid"] == "apigw-prod"
    assert ref.label() == "alias policy billing:prod"
    assert PolicyRef("role-inline", f"{ROLE}/orders-api", "invoke-billing").label() == (
        "inline policy orders-api/invoke-billing"
    )


def test_replace_policy_flips_a_decision_and_is_pure(inv: Inventory) -> None:
    """Removing the statement that named the role turns its Allow into a deny, locally."""
    ref = PolicyRef("function-policy", f"{FN}:billing")
    assert simulate(inv, f"{ROLE}/reporting", INVOKE, f"{FN}:billing").decision == "allowed"
    edited = replace_policy(inv, ref, EMPTY)
    assert simulate(edited, f"{ROLE}/reporting", INVOKE, f"{FN}:billing").decision == "implicit_deny"
    assert simulate(inv, f"{ROLE}/reporting", INVOKE, f"{FN}:billing").decision == "allowed"
    assert edited_refs(edited) == {ref} and edited_refs(inv) == frozenset()
    # The answer maps policy names to refs, so the UI can open the deciding policy for editing.
    a = simulate(inv, f"{ROLE}/reporting", INVOKE, f"{FN}:billing")
    assert a.sources["billing"] == ref


def test_replace_policy_validates_first(inv: Inventory) -> None:
    ref = PolicyRef("role-inline", f"{ROLE}/orders-api", "invoke-billing")
    with pytest.raises(PolicyError):
        replace_policy(inv, ref, {"Statement": [{"Effect": "Maybe", "Action": "*", "Resource": "*"}]})
    with pytest.raises(InputError):
        replace_policy(inv, PolicyRef("function-policy", f"{FN}:nope"), EMPTY)


def test_whatif_edit_and_reset(inv: Inventory) -> None:
    """Edits are marked until reset; an identity edit grants, reset takes it back."""
    ref = PolicyRef("role-inline", f"{ROLE}/orders-api", "invoke-billing")
    wide = {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": "lambda:InvokeFunction", "Resource": "*"}],
    }
    w = WhatIf(inv)
    assert simulate(w.inventory, "orders-api", INVOKE, f"{FN}:thumbnailer").decision == "implicit_deny"
    w2 = w.edit(ref, wide)
    assert w2.is_edited(ref) and not w.is_edited(ref)
    assert simulate(w2.inventory, "orders-api", INVOKE, f"{FN}:thumbnailer").decision == "allowed"
    assert w2.original(ref).document["Statement"][0]["Sid"] == "InvokeBilling"
    w3 = w2.reset(ref)
    assert w3.edited == frozenset()
    assert simulate(w3.inventory, "orders-api", INVOKE, f"{FN}:thumbnailer").decision == "implicit_deny"


def test_catalog_lookups() -> None:
    acts = catalog.lambda_actions()
    assert "lambda:InvokeFunction" in acts and "lambda:InvokeFunctionUrl" in acts
    assert list(acts) == sorted(acts)
    assert catalog.is_known_action("LAMBDA:invokefunction")
    assert not catalog.is_known_action("lambda:InvokeFunktion")
    assert not catalog.is_known_action("lambda:*")
    assert "s3:GetObject" in catalog.all_actions_for_prefix("s3")
    assert catalog.all_actions_for_prefix("no-such-service") == ()
    keys = catalog.condition_keys_for("lambda:InvokeFunctionUrl")
    assert "lambda:FunctionUrlAuthType" in keys and "aws:SourceIp" in keys
    assert "lambda:InvokedViaFunctionUrl" in catalog.condition_keys_for("lambda:InvokeFunction")
    assert catalog.validate_action("lambda:invokefunction") == "lambda:InvokeFunction"


def test_analysis_imports_without_boto3_or_textual() -> None:
    code = (
        "import sys\n"
        "import lambdaperm_tui.analysis.resolve, lambdaperm_tui.analysis.whocan\n"
        "import lambdaperm_tui.analysis.whatif, lambdaperm_tui.analysis.principals\n"
        "import lambdaperm_tui.analysis.catalog\n"
        "bad = [m for m in ('boto3', 'botocore', 'textual', 'rich') if m in sys.modules]\n"
        "assert not bad, bad\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_prepare_parses_every_document_once(inv: Inventory) -> None:
    from lambdaperm_tui.analysis.resolve import prepare

    n = prepare(inv)
    documents = sum(1 for r in policy_refs(inv) if get_policy(inv, r).document is not None)
    assert n == documents > 10


def test_replace_managed_and_scp_and_remove_policy(inv: Inventory) -> None:
    from .analysis_inventory import READ_ARN

    managed = PolicyRef("managed", READ_ARN)
    assert simulate(inv, "alice", "lambda:GetFunction", f"{FN}:billing").allowed
    no_read = replace_policy(inv, managed, EMPTY)
    assert simulate(no_read, "alice", "lambda:GetFunction", f"{FN}:billing").decision == "implicit_deny"
    deny_all = {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Deny", "Action": "lambda:*", "Resource": "*"}],
    }
    scp = PolicyRef("scp", "level:0", "FullAWSAccess")
    denied = replace_policy(inv, scp, deny_all)
    assert simulate(denied, "alice", "lambda:GetFunction", f"{FN}:billing").decision == "explicit_deny"
    removed = replace_policy(inv, PolicyRef("function-policy", f"{FN}:billing"), None)
    assert get_policy(removed, PolicyRef("function-policy", f"{FN}:billing")).document is None
    assert simulate(removed, f"{ROLE}/reporting", INVOKE, f"{FN}:billing").decision == "implicit_deny"


def test_who_can_rows_serialise(inv: Inventory) -> None:
    import json

    from lambdaperm_tui.analysis.whocan import who_can

    rows = who_can(inv, INVOKE, f"{FN}:thumbnailer")
    out = json.loads(json.dumps([r.to_json() for r in rows]))
    assert out[0]["decision"] == "allowed" and {"principal", "label", "origin", "scenario"} <= set(out[0])


def test_get_policy_finds_exactly_the_walked_slot_for_every_ref(inv: Inventory) -> None:
    from lambdaperm_tui.analysis.whatif import iter_policies

    pairs = list(iter_policies(inv))
    assert len(pairs) >= 19
    for ref, slot in pairs:
        assert get_policy(inv, ref) is slot
    with pytest.raises(InputError):
        get_policy(inv, PolicyRef("scp", "level:9", "nope"))
