"""`simulate --principal ...`, `who-can` and `snapshot` over a saved snapshot (and once over --demo).

The snapshot is built here from the inventory model, saved with ``inventory/snapshot.py`` and opened
through ``--snapshot`` exactly as a user would. Same-account rule (identity OR resource policy allows):
https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html
Lambda resource policies per qualifier:
https://docs.aws.amazon.com/lambda/latest/dg/access-control-resource-based.html
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from lambdaperm_tui.inventory.model import (
    NO_POLICY,
    Alias,
    Function,
    Inventory,
    NamedPolicy,
    PolicySlot,
    Role,
    User,
)
from lambdaperm_tui.inventory.snapshot import save_snapshot

from .conftest import Run

Runner = Callable[..., Run]

ACCOUNT = "123456789012"
REGION = "us-east-1"
FN = f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:billing"
PROD = f"{FN}:prod"
LOCKED = f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:locked"
INVOKER = f"arn:aws:iam::{ACCOUNT}:role/orders-api-role"
NOBODY = f"arn:aws:iam::{ACCOUNT}:role/nobody-role"
PARTNER = "arn:aws:iam::999988887777:root"


def _doc(*statements: dict[str, object]) -> dict[str, object]:
    return {"Version": "2012-10-17", "Statement": list(statements)}


def _inventory() -> Inventory:
    trust = PolicySlot(
        document=_doc(
            {"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}
        )
    )
    invoke_prod = _doc(
        {"Sid": "InvokeBillingProd", "Effect": "Allow", "Action": "lambda:InvokeFunction", "Resource": PROD}
    )
    prod_policy = _doc(
        {
            "Sid": "partner-invoke",
            "Effect": "Allow",
            "Principal": {"AWS": PARTNER},
            "Action": "lambda:InvokeFunction",
            "Resource": PROD,
        }
    )
    billing = Function(
        arn=FN,
        name="billing",
        region=REGION,
        account=ACCOUNT,
        policy=NO_POLICY,
        aliases=(
            Alias(arn=PROD, name="prod", function_version="1", policy=PolicySlot(document=prod_policy)),
        ),
        urls=(),
    )
    locked = Function(
        arn=LOCKED,
        name="locked",
        region=REGION,
        account=ACCOUNT,
        policy=PolicySlot(unknown="AccessDeniedException: not authorized to perform lambda:GetPolicy"),
        urls=(),
    )
    return Inventory(
        account_id=ACCOUNT,
        regions=(REGION,),
        captured_at="2026-11-28T10:00:00Z",
        source="test",
        functions=(billing, locked),
        roles=(
            Role(
                arn=INVOKER,
                name="orders-api-role",
                trust_policy=trust,
                inline_policies=(NamedPolicy("invoke-billing-prod", PolicySlot(document=invoke_prod)),),
            ),
            Role(arn=NOBODY, name="nobody-role", trust_policy=trust),
        ),
        users=(User(arn=f"arn:aws:iam::{ACCOUNT}:user/alice", name="alice"),),
        scps=(),
        rcps=(),
    )


@pytest.fixture
def snapshot(tmp_path: Path) -> str:
    path = tmp_path / "inventory.json"
    save_snapshot(_inventory(), path)
    return str(path)


def sim(run: Runner, snapshot: str, principal: str, resource: str, *extra: str) -> Run:
    return run(
        "simulate",
        "--principal",
        principal,
        "--action",
        "lambda:InvokeFunction",
        "--resource",
        resource,
        "--snapshot",
        snapshot,
        *extra,
    )


def test_simulate_allowed_human(run: Runner, snapshot: str) -> None:
    result = sim(run, snapshot, INVOKER, PROD)
    assert result.code == 0, result.err
    assert result.out.startswith("✔ ALLOWED")
    assert 'Sid "InvokeBillingProd"' in result.out


def test_simulate_denied_json_and_replayable_scenario(run: Runner, snapshot: str, tmp_path: Path) -> None:
    result = sim(run, snapshot, NOBODY, PROD, "--json")
    assert result.code == 1
    body = result.json()
    assert body["decision"] == "implicit_deny"
    assert {"decided_by", "explanation", "scenario", "assumes", "unknown_because"} <= set(body)
    # The answer's scenario replays offline with the same decision.
    scenario = tmp_path / "replay.json"
    scenario.write_text(json.dumps(body["scenario"]))
    replay = run("simulate", "--scenario", str(scenario), "--json")
    assert replay.code == 1, replay.err
    assert replay.json()["decision"] == "implicit_deny"


def test_simulate_allowed_scenario_replays_allowed(run: Runner, snapshot: str, tmp_path: Path) -> None:
    body = sim(run, snapshot, INVOKER, PROD, "--json").json()
    scenario = tmp_path / "replay.json"
    scenario.write_text(json.dumps(body["scenario"]))
    replay = run("simulate", "--scenario", str(scenario), "--json")
    assert (replay.code, replay.json()["decision"]) == (0, "allowed")
    assert replay.json()["decided_by"] == body["decided_by"]


def test_cross_account_grant_states_its_assumption(run: Runner, snapshot: str) -> None:
    """Cross-account: the resource policy allows; the caller's own account's policies are outside the
    inventory, so the answer says what it assumes.
    https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic-cross-account.html"""
    result = sim(run, snapshot, PARTNER, PROD, "--json")
    body = result.json()
    assert body["decision"] == "allowed" and result.code == 0
    assert body["assumes"], body
    human = sim(run, snapshot, PARTNER, PROD)
    assert "assumes:" in human.out


def test_unreadable_policy_makes_the_answer_unknown_exit_3(run: Runner, snapshot: str) -> None:
    result = sim(run, snapshot, PARTNER, LOCKED, "--json")
    assert result.code == 3, result.out
    body = result.json()
    assert body["decision"] == "unknown"
    assert any("AccessDenied" in reason for reason in body["unknown_because"])
    human = sim(run, snapshot, PARTNER, LOCKED)
    assert human.out.startswith("? UNKNOWN") and "unknown because:" in human.out


def test_simulate_context_is_passed(run: Runner, snapshot: str) -> None:
    result = sim(run, snapshot, INVOKER, PROD, "--json", "--context", "aws:SourceIp=10.0.0.1")
    assert result.json()["scenario"]["context"]["aws:SourceIp"] == "10.0.0.1"


def test_who_can_table_and_json(run: Runner, snapshot: str) -> None:
    human = run("who-can", "--action", "lambda:InvokeFunction", "--resource", PROD, "--snapshot", snapshot)
    assert human.code == 0, human.err
    lines = human.out.splitlines()
    assert lines[1].split()[0] == "PRINCIPAL"
    decisions = [line for line in lines[2:-1]]
    first_denied = next(i for i, line in enumerate(decisions) if "DENIED" in line)
    assert all("ALLOWED" in line for line in decisions[:first_denied])  # allowed first
    assert any("orders-api-role" in line and "✔ ALLOWED" in line for line in decisions)
    assert any("nobody-role" in line and "✘ DENIED" in line for line in decisions)
    assert lines[-1].endswith("principals allowed")

    rows = run(
        "who-can", "--action", "lambda:InvokeFunction", "--resource", PROD, "--snapshot", snapshot, "--json"
    ).json()
    by_principal = {row["principal"]: row["decision"] for row in rows}
    assert by_principal[INVOKER] == "allowed"
    assert by_principal[NOBODY] == "implicit_deny"
    assert PARTNER in by_principal or "999988887777" in by_principal  # named by the alias policy


def test_bad_action_and_bad_snapshot_exit_2(run: Runner, snapshot: str, tmp_path: Path) -> None:
    bad = run("simulate", "--principal", INVOKER, "--action", "lambda:Invok", "--resource", PROD,
              "--snapshot", snapshot)  # fmt: skip
    assert (
        bad.code == 2 and bad.err.startswith("lambdaperm-tui: error: action") and "Traceback" not in bad.err
    )
    missing = run("who-can", "--action", "lambda:InvokeFunction", "--resource", PROD,
                  "--snapshot", str(tmp_path / "nope.json"))  # fmt: skip
    assert missing.code == 2 and missing.err.count("\n") == 1 and "nope.json" in missing.err
    damaged = tmp_path / "damaged.json"
    damaged.write_text('{"format": "lambdaperm-tui-snapshot", ')
    result = run(
        "who-can", "--action", "lambda:InvokeFunction", "--resource", PROD, "--snapshot", str(damaged)
    )
    assert result.code == 2 and result.err.count("\n") == 1 and "Traceback" not in result.err


def test_snapshot_command_round_trip(run: Runner, snapshot: str, tmp_path: Path) -> None:
    out = tmp_path / "copy.json"
    result = run("snapshot", "-o", str(out), "--snapshot", snapshot)
    assert result.code == 0, result.err
    assert "2 functions" in result.err and "2 roles" in result.err and "0 failures" in result.err
    assert json.loads(out.read_text())["functions"] == json.loads(Path(snapshot).read_text())["functions"]
    unwritable = run("snapshot", "-o", str(tmp_path / "no" / "such" / "dir.json"), "--snapshot", snapshot)
    assert unwritable.code == 2 and "cannot write" in unwritable.err and "Traceback" not in unwritable.err


def test_demo_snapshot_then_who_can(run: Runner, tmp_path: Path) -> None:
    """The demo account end to end in a real process (moto on 127.0.0.1), then answers over its snapshot."""
    out = tmp_path / "demo.json"
    proc = subprocess.run(
        [sys.executable, "-m", "lambdaperm_tui", "snapshot", "-o", str(out), "--demo"],
        capture_output=True,
        text=True,
        timeout=240,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    assert "functions" in proc.stderr and "Traceback" not in proc.stderr
    data = json.loads(out.read_text())
    assert len(data["functions"]) >= 10
    target = data["functions"][0]["arn"]
    rows = run("who-can", "--action", "lambda:InvokeFunction", "--resource", target, "--snapshot", str(out),
               "--json").json()  # fmt: skip
    assert rows and {"principal", "decision"} <= set(rows[0])
    ranks = [0 if r["decision"] in ("allowed", "conditional") else 1 for r in rows]
    assert ranks == sorted(ranks)
    # The demo's oncall group may invoke billing:prod with MFA: carol and alice are allowed if MFA is
    # present (issue 8), not denied, and listed with the allowed ones.
    prod = f"arn:aws:lambda:us-east-1:{data['account_id']}:function:billing:prod"
    human = run("who-can", "--action", "lambda:InvokeFunction", "--resource", prod, "--snapshot", str(out))
    lines = human.out.splitlines()
    for user in ("alice", "carol"):
        row = next(line for line in lines if line.startswith(f"user {user} "))
        assert "◐ ALLOWED IF aws:MultiFactorAuthPresent = true" in row, human.out
        assert lines.index(row) < min(i for i, line in enumerate(lines) if "DENIED" in line)


def test_explain_levels_over_an_inventory(run: Runner, snapshot: str) -> None:
    full = sim(run, snapshot, INVOKER, PROD, "--json").json()
    summary = sim(run, snapshot, INVOKER, PROD, "--json", "--explain", "summary").json()
    none = sim(run, snapshot, INVOKER, PROD, "--json", "--explain", "none").json()
    assert full["decision"] == summary["decision"] == none["decision"] == "allowed"
    assert none["explanation"] is None
    assert set(summary["explanation"]) == {"summary", "layers"}
    assert summary["explanation"]["layers"] == full["explanation"]["layers"]


def test_live_source_without_credentials_is_one_line(run: Runner, no_aws_credentials: Path) -> None:
    result = run("who-can", "--action", "lambda:InvokeFunction", "--resource", PROD)
    assert result.code == 2
    assert result.err.count("\n") == 1 and "Traceback" not in result.err
    assert "credentials" in result.err.lower()


def test_live_source_from_aws_endpoint_url(
    run: Runner, aws_env: Path, moto_server: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """The live source honours AWS_ENDPOINT_URL like the AWS CLI (here: the test moto server)."""
    monkeypatch.setenv("AWS_ENDPOINT_URL", moto_server)
    out = tmp_path / "live.json"
    result = run("snapshot", "-o", str(out), "--region", "us-east-1")
    assert result.code == 0, result.err
    assert "functions" in result.err and "roles" in result.err
    assert json.loads(out.read_text())["regions"] == ["us-east-1"]
