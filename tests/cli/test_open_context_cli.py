"""Answers over an inventory read the context as open by default (issue 8): ``simulate`` and ``who-can``
say "allowed if" with exit status 4, name the layer of an implicit deny, and ``--closed-context`` gives
the closed reading (a key the inventory and --context do not give is absent).

Pages: MFA key availability (aws:MultiFactorAuthPresent)
https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html ;
permissions boundaries limit identity-based grants
https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies_boundaries.html
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from pathlib import Path

import pytest

from lambdaperm_tui.inventory.model import (
    NO_POLICY,
    Function,
    Group,
    Inventory,
    ManagedPolicy,
    NamedPolicy,
    PolicySlot,
    Role,
    User,
)
from lambdaperm_tui.inventory.snapshot import save_snapshot

from .conftest import Run

Runner = Callable[..., Run]

ACCOUNT = "123456789012"
FN = f"arn:aws:lambda:us-east-1:{ACCOUNT}:function:billing"
CAROL = f"arn:aws:iam::{ACCOUNT}:user/carol"
BOUNDED = f"arn:aws:iam::{ACCOUNT}:role/bounded-role"
BOUNDARY = f"arn:aws:iam::{ACCOUNT}:policy/logs-only"
MFA_WORDS = "◐ ALLOWED IF aws:MultiFactorAuthPresent = true"


def _doc(*statements: Mapping[str, object]) -> dict[str, object]:
    return {"Version": "2012-10-17", "Statement": list(statements)}


def _inventory() -> Inventory:
    invoke = {"Effect": "Allow", "Action": "lambda:InvokeFunction", "Resource": FN}
    with_mfa = {**invoke, "Condition": {"Bool": {"aws:MultiFactorAuthPresent": "true"}}}
    logs = _doc({"Effect": "Allow", "Action": "logs:*", "Resource": "*"})
    return Inventory(
        account_id=ACCOUNT,
        regions=("us-east-1",),
        captured_at="2026-11-28T10:00:00Z",
        source="test",
        functions=(
            Function(arn=FN, name="billing", region="us-east-1", account=ACCOUNT, policy=NO_POLICY, urls=()),
        ),
        roles=(
            Role(
                arn=BOUNDED,
                name="bounded-role",
                trust_policy=PolicySlot(document=_doc()),
                inline_policies=(NamedPolicy("invoke", PolicySlot(document=_doc(invoke))),),
                boundary_arn=BOUNDARY,
            ),
        ),
        users=(User(arn=CAROL, name="carol", groups=("oncall",)),),
        groups=(
            Group(
                arn=f"arn:aws:iam::{ACCOUNT}:group/oncall",
                name="oncall",
                inline_policies=(NamedPolicy("invoke-with-mfa", PolicySlot(document=_doc(with_mfa))),),
            ),
        ),
        managed_policies=(ManagedPolicy(arn=BOUNDARY, name="logs-only", slot=PolicySlot(document=logs)),),
        scps=(),
        rcps=(),
    )


@pytest.fixture
def snapshot(tmp_path: Path) -> str:
    path = tmp_path / "inventory.json"
    save_snapshot(_inventory(), path)
    return str(path)


def sim(run: Runner, snapshot: str, principal: str, *extra: str) -> Run:
    return run(
        "simulate", "--principal", principal, "--action", "lambda:InvokeFunction", "--resource", FN,
        "--snapshot", snapshot, *extra,
    )  # fmt: skip


def test_simulate_is_conditional_on_mfa_exit_4(run: Runner, snapshot: str, tmp_path: Path) -> None:
    human = sim(run, snapshot, CAROL)
    assert human.code == 4, human.err
    assert human.out.startswith(MFA_WORDS)
    body = sim(run, snapshot, CAROL, "--json").json()
    assert body["decision"] == "conditional"
    assert body["allowed_if"] == [
        [{"key": "aws:MultiFactorAuthPresent", "operator": "Bool", "values": ["true"]}]
    ]
    # The scenario replays with the same (open) reading.
    scenario = tmp_path / "replay.json"
    scenario.write_text(json.dumps(body["scenario"]))
    replay = run("simulate", "--scenario", str(scenario), "--json")
    assert (replay.code, replay.json()["allowed_if"]) == (4, body["allowed_if"])


def test_closed_context_and_given_context(run: Runner, snapshot: str) -> None:
    closed = sim(run, snapshot, CAROL, "--closed-context")
    assert closed.code == 1
    assert closed.out.startswith("✘ DENIED (implicit deny: no statement allows)")
    given = sim(run, snapshot, CAROL, "--context", "aws:MultiFactorAuthPresent=true")
    assert given.code == 0 and given.out.startswith("✔ ALLOWED")


def test_blocked_by_the_boundary_is_said(run: Runner, snapshot: str) -> None:
    human = sim(run, snapshot, BOUNDED)
    assert human.code == 1
    assert human.out.startswith("✘ DENIED (implicit deny: blocked by the permissions boundary)")
    assert sim(run, snapshot, BOUNDED, "--json").json()["blocked_by"] == "boundary"


def test_who_can_rows_and_exit_status(run: Runner, snapshot: str) -> None:
    args = ("who-can", "--action", "lambda:InvokeFunction", "--resource", FN, "--snapshot", snapshot)
    human = run(*args)
    lines = human.out.splitlines()
    carol = next(i for i, line in enumerate(lines) if line.startswith("user carol"))
    bounded = next(i for i, line in enumerate(lines) if line.startswith("role bounded-role"))
    assert MFA_WORDS in lines[carol]
    assert "blocked by the permissions boundary" in lines[bounded]
    root = next(i for i, line in enumerate(lines) if line.startswith("account root"))
    assert carol < bounded and root < bounded  # conditional rows sort with the allowed
    assert lines[-1] == "1 of 3 principals allowed, 1 allowed if conditions hold"
    assert human.code == 0  # the account root is allowed
    rows = {r["principal"]: r for r in run(*args, "--json").json()}
    assert rows[CAROL]["decision"] == "conditional" and rows[CAROL]["allowed_if"]
    assert rows[BOUNDED]["blocked_by"] == "boundary"
    closed = {r["principal"]: r for r in run(*args, "--json", "--closed-context").json()}
    assert closed[CAROL]["decision"] == "implicit_deny" and closed[CAROL]["blocked_by"] == "no-allow"
