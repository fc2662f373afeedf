"""The principals a policy names are read as the engine reads them (``iam.policy.principal_entry``).

Principal forms: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html
(an account id stands for the account's root; ``{"AWS": "*"}`` is everyone; service, federated and
canonical-user principals have their own keys).
"""

from __future__ import annotations

import dataclasses

from lambdaperm_tui.analysis.principals import named_principals
from lambdaperm_tui.iam.policy import principal_entry
from lambdaperm_tui.inventory.model import Inventory, PolicySlot

from .analysis_inventory import ACCOUNT, OTHER

NAMED = {
    "AWS": [
        OTHER,
        f"arn:aws:iam::{OTHER}:root",
        f"arn:aws:iam::{OTHER}:role/path/deployer",
        f"arn:aws:iam::{ACCOUNT}:user/alice",
        f"arn:aws:sts::{OTHER}:assumed-role/deployer/session-1",
        f"arn:aws:sts::{OTHER}:federated-user/bob",
        f"arn:aws:iam::{OTHER}:group/devs",
    ],
    "Service": ["events.amazonaws.com", "*"],
    "Federated": ["cognito-identity.amazonaws.com"],
    "CanonicalUser": ["79a59df900b949e55d96a1e698fbaced"],
}


def _with_policy(inv: Inventory, principal: object) -> Inventory:
    statement = {"Effect": "Allow", "Principal": principal, "Action": "lambda:GetFunction", "Resource": "*"}
    slot = PolicySlot(document={"Version": "2012-10-17", "Statement": [statement]})
    functions = (dataclasses.replace(inv.functions[0], policy=slot), *inv.functions[1:])
    return dataclasses.replace(inv, functions=functions)


def test_each_named_form_gets_the_engines_kind(inv: Inventory) -> None:
    found = {(n.principal, n.kind, n.account, n.external) for n in named_principals(_with_policy(inv, NAMED))}
    expected = {
        (f"arn:aws:iam::{OTHER}:root", "account", OTHER, True),  # the bare id and the root ARN: one entry
        (f"arn:aws:iam::{OTHER}:role/path/deployer", "role", OTHER, True),
        (f"arn:aws:iam::{ACCOUNT}:user/alice", "user", ACCOUNT, False),
        (f"arn:aws:sts::{OTHER}:assumed-role/deployer/session-1", "session", OTHER, True),
        (f"arn:aws:sts::{OTHER}:federated-user/bob", "other", OTHER, True),
        (f"arn:aws:iam::{OTHER}:group/devs", "other", OTHER, True),  # no principal form: matches no one
        ("events.amazonaws.com", "service", None, False),
        ("*", "other", None, False),  # {"Service": "*"} names no service
        ("cognito-identity.amazonaws.com", "federated", None, False),
        ("79a59df900b949e55d96a1e698fbaced", "canonical-user", None, False),
    }
    assert expected <= found
    # The engine agrees on each kind (the analysis layer reads entries through it).
    assert principal_entry("AWS", f"arn:aws:iam::{OTHER}:role/path/deployer").kind == "role"
    assert principal_entry("Service", "*").kind == "other"


def test_everyone_is_public(inv: Inventory) -> None:
    for principal in ("*", {"AWS": "*"}):
        kinds = {(n.principal, n.kind) for n in named_principals(_with_policy(inv, principal))}
        assert ("*", "public") in kinds
