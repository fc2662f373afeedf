"""A hostile account: every text field carries terminal control sequences, bidi controls and Rich markup.

Shared by the UI tests (pilot over every screen) and the CLI tests (subprocesses over a snapshot of it).
``leaks(text)`` names the characters of ``text`` that must never reach a terminal raw.
"""

from __future__ import annotations

import unicodedata
from typing import Any

from lambdaperm_tui.inventory.model import (
    Alias,
    Failure,
    Function,
    FunctionUrl,
    Inventory,
    Layer,
    LayerVersion,
    ManagedPolicy,
    NamedPolicy,
    PolicySlot,
    Role,
    User,
    Version,
)

ACCOUNT = "111122223333"
REGION = "us-east-1"

# OSC 52 (write the clipboard), ESC[2J (clear the screen), an SGR CSI, a C1 CSI (0x9b), DEL, BEL, a
# backspace, bidi override/isolate/marks, a zero-width space, and Rich markup (style and link).
EVIL = (
    "\x1b]52;c;SGFja2Vk\x07\x1b[2J\x1b[31m\x9b1m\x7f\x08\u202e\u2066\u200f\u061c\u200b"
    "[bold red]X[/bold red][link=evil.example]y[/link]"
)
# Names also go on command lines (argv cannot hold NUL) and stay on one line.
NAME = "fn" + EVIL
# Free text may hold anything, NUL and line breaks included.
TEXT = "\x00" + EVIL + "\r\n" + EVIL + "\u2028\x85"

FUNCTION_ARN = f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:{NAME}"
ALIAS_ARN = f"{FUNCTION_ARN}:live{EVIL}"
ROLE_NAME = "role" + EVIL
ROLE_ARN = f"arn:aws:iam::{ACCOUNT}:role/{ROLE_NAME}"
USER_ARN = f"arn:aws:iam::{ACCOUNT}:user/user{EVIL}"
LAYER_ARN = f"arn:aws:lambda:{REGION}:{ACCOUNT}:layer:layer{EVIL}"
MANAGED_ARN = f"arn:aws:iam::{ACCOUNT}:policy/managed{EVIL}"


def _policy(resource: str) -> dict[str, Any]:
    return {
        "Version": "2012-10-17",
        "Id": TEXT,
        "Statement": [
            {
                "Sid": "Allow" + EVIL,
                "Effect": "Allow",
                "Principal": {"AWS": ROLE_ARN, "Service": "s3.amazonaws.com" + EVIL},
                "Action": "lambda:InvokeFunction",
                "Resource": resource,
                "Condition": {"StringNotEquals": {"aws:SourceAccount": TEXT}},
            },
            {
                "Sid": "Deny" + EVIL,
                "Effect": "Deny",
                "Principal": "*",
                "Action": "lambda:InvokeFunction",
                "Resource": resource,
                "Condition": {"StringEquals": {"aws:ResourceTag/" + NAME: TEXT}},
            },
        ],
    }


def hostile_inventory() -> Inventory:
    """One function (alias, version, URL, layer), a role, a user, a managed policy and failures, all
    named and described with ``EVIL``/``TEXT``."""
    lv_arn = f"{LAYER_ARN}:1"
    fn = Function(
        arn=FUNCTION_ARN,
        name=NAME,
        region=REGION,
        account=ACCOUNT,
        runtime="python3.12" + EVIL,
        role=ROLE_ARN,
        layers=(lv_arn,),
        tags=(("team" + EVIL, TEXT), ("env", "prod" + EVIL)),
        description=TEXT,
        last_modified=TEXT,
        policy=PolicySlot(_policy(FUNCTION_ARN)),
        versions=(Version(f"{FUNCTION_ARN}:1", "1", PolicySlot(unknown="AccessDenied" + TEXT)),),
        aliases=(Alias(ALIAS_ARN, "live" + EVIL, "1", policy=PolicySlot(_policy(ALIAS_ARN))),),
        urls=(FunctionUrl(FUNCTION_ARN, None, "https://x.lambda-url.us-east-1.on.aws/" + EVIL, "NONE"),),
        details_unknown=None,
    )
    layer = Layer(
        arn=LAYER_ARN,
        name="layer" + EVIL,
        region=REGION,
        versions=(
            LayerVersion(
                lv_arn,
                "layer" + EVIL,
                1,
                REGION,
                compatible_runtimes=("python3.12" + EVIL,),
                description=TEXT,
                policy=PolicySlot(_policy(lv_arn)),
            ),
        ),
    )
    trust = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "Trust" + EVIL,
                "Effect": "Allow",
                "Principal": {"Service": "lambda.amazonaws.com"},
                "Action": "sts:AssumeRole",
            }
        ],
    }
    identity = {
        "Version": "2012-10-17",
        "Statement": [
            {"Sid": "Invoke" + EVIL, "Effect": "Allow", "Action": "lambda:*", "Resource": "*"},
        ],
    }
    role = Role(
        arn=ROLE_ARN,
        name=ROLE_NAME,
        path="/" + EVIL + "/",
        trust_policy=PolicySlot(trust),
        inline_policies=(NamedPolicy("inline" + EVIL, PolicySlot(identity)),),
        managed_policy_arns=(MANAGED_ARN,),
        tags=(("owner" + EVIL, TEXT),),
    )
    user = User(arn=USER_ARN, name="user" + EVIL, tags=(("k" + EVIL, TEXT),))
    managed = ManagedPolicy(MANAGED_ARN, "managed" + EVIL, PolicySlot(identity))
    failures = (
        Failure("function-policy", f"{FUNCTION_ARN}:1", "GetPolicy" + EVIL, "AccessDenied" + TEXT),
        Failure("layer", LAYER_ARN, "ListLayerVersions", "Throttling" + TEXT),
    )
    return Inventory(
        account_id=ACCOUNT,
        regions=(REGION,),
        captured_at="2026-11-28T12:00:00Z",
        source="snapshot hostile" + EVIL + ".json",
        functions=(fn,),
        layers=(layer,),
        roles=(role,),
        users=(user,),
        managed_policies=(managed,),
        failures=failures,
    )


def huge_inventory() -> Inventory:
    """A 100,000-character function name and role name, a 10 MB description, a 1 MB Sid and long values
    (the UI test and ``benchmarks/ui.py --huge``)."""
    account = ACCOUNT
    name = "n" * 100_000
    arn = f"arn:aws:lambda:us-east-1:{account}:function:{name}"
    statement = {
        "Sid": "S" * 1_000_000,
        "Effect": "Allow",
        "Principal": "*",
        "Action": "lambda:InvokeFunction",
        "Resource": arn,
        "Condition": {"StringEquals": {"aws:SourceAccount": ["v" * 100_000] * 10}},
    }
    doc = {"Version": "2012-10-17", "Statement": [statement]}
    fn = Function(
        arn=arn,
        name=name,
        region="us-east-1",
        account=account,
        description="d" * 10_000_000,
        tags=(("k", "t" * 100_000),),
        policy=PolicySlot(doc),
        urls=(),
    )
    role = Role(
        arn=f"arn:aws:iam::{account}:role/{'r' * 100_000}", name="r" * 100_000, trust_policy=PolicySlot(doc)
    )
    return Inventory(
        account, ("us-east-1",), "2026-01-01T00:00:00Z", "snapshot huge.json", functions=(fn,), roles=(role,)
    )


def leaks(text: str) -> list[str]:
    """The characters of ``text`` that would act on a terminal or reorder text: C0 controls (newline
    and tab too: a rendered line holds none), DEL, C1 controls, bidi and other format characters, line
    separators."""
    return sorted(
        {f"U+{ord(ch):04X}" for ch in text if unicodedata.category(ch) in ("Cc", "Cf", "Zl", "Zp", "Cs")}
    )
