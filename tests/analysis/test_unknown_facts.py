"""Facts that could not be read make the answers that depend on them unknown, and only those (issue 7).

- aws:ResourceTag / aws:PrincipalTag in conditions:
  https://docs.aws.amazon.com/lambda/latest/dg/attribute-based-access-control.html and
  https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html#condition-keys-principaltag
- a key absent from the request makes a condition on it false (``...IfExists`` and negated operators aside),
  so an answer evaluated without the real tags says nothing about the real request:
  https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html#conditions-key-missing
- an explicit Deny overrides every Allow, whatever else is unknown:
  https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html
"""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest

from lambdaperm_tui.analysis.resolve import simulate
from lambdaperm_tui.analysis.whocan import principals_unlisted, who_can
from lambdaperm_tui.iam.errors import InputError
from lambdaperm_tui.inventory.model import Inventory, NamedPolicy, PolicySlot, Unlisted

from .analysis_inventory import ACCOUNT, FN, LAYER, REGION, ROLE, build_inventory, doc

BILLING = f"{FN}:billing"


def _with_function(inv: Inventory, name: str, **changes: Any) -> Inventory:
    functions = tuple(dataclasses.replace(f, **changes) if f.name == name else f for f in inv.functions)
    return dataclasses.replace(inv, functions=functions)


def _with_role(inv: Inventory, name: str, **changes: Any) -> Inventory:
    roles = tuple(dataclasses.replace(r, **changes) if r.name == name else r for r in inv.roles)
    return dataclasses.replace(inv, roles=roles)


def test_abac_answer_with_tags_read_is_allowed() -> None:
    """The baseline: billing-team (team=billing) may invoke billing (team=billing)."""
    assert simulate(build_inventory(), "billing-team", "lambda:InvokeFunction", BILLING).decision == "allowed"


def test_unread_resource_tags_make_a_tag_condition_unknown() -> None:
    inv = _with_function(build_inventory(), "billing", tags=(), tags_unknown="AccessDeniedException: no")
    for resource in (BILLING, f"{BILLING}:prod", f"{BILLING}:1"):
        answer = simulate(inv, "billing-team", "lambda:InvokeFunction", resource)
        assert answer.decision == "unknown"
        assert "tags of function billing: AccessDeniedException: no" in answer.unknown_because
    # orders-api's policies test no tag: its answer does not depend on them.
    assert simulate(inv, "orders-api", "lambda:InvokeFunction", BILLING).decision == "allowed"


def test_unread_principal_tags_make_a_principal_tag_condition_unknown() -> None:
    inv = _with_role(build_inventory(), "billing-team", tags=(), tags_unknown="AccessDenied: GetRole")
    answer = simulate(inv, "billing-team", "lambda:InvokeFunction", BILLING)
    assert answer.decision == "unknown"
    assert answer.unknown_because == ("tags of role billing-team: AccessDenied: GetRole",)


def test_an_explicit_deny_that_tests_no_unread_tag_still_decides() -> None:
    base = build_inventory()
    scps = (
        (
            NamedPolicy("FullAWSAccess", PolicySlot(document=doc("scp_full_access"))),
            NamedPolicy("deny-delete", PolicySlot(document=doc("scp_deny_delete"))),
        ),
    )
    inv = _with_function(dataclasses.replace(base, scps=scps), "billing", tags=(), tags_unknown="Timeout")
    answer = simulate(inv, "billing-team", "lambda:DeleteFunction", BILLING)
    assert answer.decision == "explicit_deny"
    assert answer.unknown_because == ()


def test_an_explicit_deny_that_tests_an_unread_tag_is_unknown() -> None:
    """A Deny unless the resource's team tag matches: without the tags it "matches" (StringNotEquals on an
    absent key is true), which says nothing about the real function."""
    deny = {
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Allow", "Action": "lambda:*", "Resource": "*"},
            {
                "Effect": "Deny",
                "Action": "lambda:InvokeFunction",
                "Resource": "*",
                "Condition": {"StringNotEquals": {"aws:ResourceTag/team": "billing"}},
            },
        ],
    }
    inv = _with_role(
        build_inventory(), "reporting", inline_policies=(NamedPolicy("d", PolicySlot(document=deny)),)
    )
    assert simulate(inv, "reporting", "lambda:InvokeFunction", BILLING).decision == "allowed"
    unread = _with_function(inv, "billing", tags=(), tags_unknown="Timeout")
    answer = simulate(unread, "reporting", "lambda:InvokeFunction", BILLING)
    assert answer.decision == "unknown" and answer.unknown_because == ("tags of function billing: Timeout",)


def test_unlisted_functions_make_a_missing_function_unknown_not_an_error() -> None:
    gap = Unlisted("functions", REGION, "AccessDeniedException: ListFunctions")
    inv = build_inventory(unlisted=(gap,), complete=False)
    answer = simulate(inv, "orders-api", "lambda:InvokeFunction", f"{FN}:not-listed")
    assert answer.decision == "unknown"
    assert answer.unknown_because[0] == (
        f"the functions of region {REGION} could not be listed: AccessDeniedException: ListFunctions"
    )
    # Functions that were listed are still answered.
    assert simulate(inv, "orders-api", "lambda:InvokeFunction", BILLING).decision == "allowed"


def test_a_list_cut_elsewhere_keeps_no_such_function_an_error() -> None:
    """Only the layers could not be listed: the functions list was read in full, so a function missing
    from it does not exist (a typo gets its clear error)."""
    inv = build_inventory(unlisted=(Unlisted("layers", REGION, "Throttling"),), complete=False)
    with pytest.raises(InputError, match="no function nope"):
        simulate(inv, "orders-api", "lambda:InvokeFunction", f"{FN}:nope")
    answer = simulate(inv, "anonymous", "lambda:GetLayerVersion", f"{LAYER}:other:1")
    assert answer.decision == "unknown"
    assert answer.unknown_because[0] == f"the layers of region {REGION} could not be listed: Throttling"


def test_a_streaming_inventory_is_still_not_loaded_yet() -> None:
    inv = build_inventory(complete=False)
    answer = simulate(inv, "orders-api", "lambda:InvokeFunction", f"{FN}:later")
    assert answer.decision == "unknown" and answer.unknown_because == ("function later: not loaded yet",)


def test_a_role_missing_from_an_unlisted_role_list_is_unknown_with_the_reason() -> None:
    inv = build_inventory(unlisted=(Unlisted("roles", None, "ServiceFailure: x"),), complete=False)
    answer = simulate(inv, f"{ROLE}/not-listed", "lambda:InvokeFunction", BILLING)
    assert answer.decision == "unknown"
    assert answer.unknown_because[0] == (
        f"identity policies of {ROLE}/not-listed: the account's roles could not be listed: ServiceFailure: x"
    )


def test_who_can_names_the_users_that_could_not_be_listed() -> None:
    complete = who_can(build_inventory(), "lambda:InvokeFunction", BILLING)
    assert not principals_unlisted(complete)
    inv = build_inventory(
        users=(), unlisted=(Unlisted("users", None, "AccessDenied: ListUsers"),), complete=False
    )
    rows = who_can(inv, "lambda:InvokeFunction", BILLING)
    assert principals_unlisted(rows)
    gap = [r for r in rows if r.kind == "unlisted"]
    assert [(r.label, r.decision, r.principal) for r in gap] == [
        (f"users of account {ACCOUNT} (could not be listed)", "unknown", "")
    ]
    assert gap[0].answer.unknown_because == (
        "the account's users could not be listed (AccessDenied: ListUsers); one not shown may be allowed",
    )
    assert gap[0].to_json()["decision"] == "unknown"
