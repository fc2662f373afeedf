"""Hostile input stays cheap: the command line as a subprocess over crafted snapshots and files.

Wildcards (``*`` any run, ``?`` one character) in Resource and StringLike:
https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_resource.html#reference_policies_elements_resource_wildcards
https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html#Conditions_String
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from lambdaperm_tui.inventory.model import NO_POLICY, Function, Inventory, NamedPolicy, PolicySlot, Role
from lambdaperm_tui.inventory.snapshot import save_snapshot

ACCOUNT = "123456789012"
REGION = "us-east-1"
NAME = "a" * 64
FN = f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:{NAME}"
# A generous bound: the old regex matcher took 22 s and more on this snapshot; the process itself
# starts in well under a second.
TIMEOUT_S = 60


def _cli(*argv: str, timeout: float = TIMEOUT_S) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "lambdaperm_tui", *argv],
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def _hostile_inventory(roles: int) -> Inventory:
    stars = "*a" * 8 + "b"  # 8 * against a 64-character name with no "b": every placement fails
    document = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Action": "lambda:InvokeFunction",
                "Resource": f"arn:aws:lambda:*:*:function:{stars}",
            },
            {
                "Effect": "Allow",
                "Action": "lambda:InvokeFunction",
                "Resource": "*",
                "Condition": {"StringLike": {"aws:PrincipalTag/team": stars, "aws:userid": stars}},
            },
        ],
    }
    trust = PolicySlot(
        document={
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Allow",
                    "Principal": {"Service": "lambda.amazonaws.com"},
                    "Action": "sts:AssumeRole",
                }
            ],
        }
    )
    return Inventory(
        account_id=ACCOUNT,
        regions=(REGION,),
        captured_at="2026-11-28T10:00:00Z",
        source="test",
        functions=(Function(arn=FN, name=NAME, region=REGION, account=ACCOUNT, policy=NO_POLICY, urls=()),),
        roles=tuple(
            Role(
                arn=f"arn:aws:iam::{ACCOUNT}:role/r{i}",
                name=f"r{i}",
                trust_policy=trust,
                inline_policies=(NamedPolicy("hostile", PolicySlot(document=document)),),
                tags=(("team", "a" * 64),),
            )
            for i in range(roles)
        ),
        users=(),
        scps=(),
        rcps=(),
    )


def test_who_can_over_a_hostile_statement_finishes_quickly(tmp_path: Path) -> None:
    path = tmp_path / "hostile.json"
    save_snapshot(_hostile_inventory(20), path)
    proc = _cli(
        "who-can", "--action", "lambda:InvokeFunction", "--resource", FN, "--snapshot", str(path), "--json"
    )
    assert proc.returncode == 0, proc.stderr  # the account root is allowed (it holds every permission)
    rows = {row["principal"]: row["decision"] for row in json.loads(proc.stdout)}
    roles = {p: d for p, d in rows.items() if ":role/" in p}
    assert len(roles) == 20
    assert set(roles.values()) == {"implicit_deny"}  # no pattern matches the name
