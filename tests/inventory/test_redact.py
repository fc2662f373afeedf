"""Tags whose keys look like secrets (issue 7, item 8): never saved, never shown; an answer over a snapshot
that depends on a redacted value is unknown, while a live inventory (which holds the value) stays exact.

The condition keys are AWS's: ``aws:ResourceTag/tag-key`` compares a tag attached to the resource and
``aws:PrincipalTag/tag-key`` a tag attached to the calling principal,
https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from lambdaperm_tui.analysis.resolve import simulate
from lambdaperm_tui.inventory.model import Function, Inventory, NamedPolicy, PolicySlot, Role, User
from lambdaperm_tui.inventory.redact import REDACTED, looks_like_secret, shown_tags
from lambdaperm_tui.inventory.snapshot import dump_snapshot, load_snapshot, read_snapshot, save_snapshot

ACCOUNT = "111122223333"
FN = f"arn:aws:lambda:us-east-1:{ACCOUNT}:function:billing"
ROLE = f"arn:aws:iam::{ACCOUNT}:role/caller"
SECRETS = ("hunter2-db", "sk_live_51abc", "ghp_tokenvalue", "AKIAEXAMPLE", "s3cr3t")
INVOKE = "lambda:InvokeFunction"


def _doc(*statements: dict[str, Any]) -> dict[str, Any]:
    return {"Version": "2012-10-17", "Statement": list(statements)}


def inventory(resource_policy: dict[str, Any], identity: dict[str, Any] | None = None) -> Inventory:
    fn = Function(
        arn=FN,
        name="billing",
        region="us-east-1",
        account=ACCOUNT,
        tags=(
            ("db_password", SECRETS[0]),
            ("Stripe-API-Key", SECRETS[1]),
            ("token", SECRETS[2]),
            ("env", "prod"),
        ),
        policy=PolicySlot(resource_policy),
        urls=(),
    )
    allow_all = _doc({"Effect": "Allow", "Action": "lambda:*", "Resource": "*"})
    role = Role(
        arn=ROLE,
        name="caller",
        trust_policy=PolicySlot(_doc()),
        inline_policies=(NamedPolicy("invoke", PolicySlot(identity or allow_all)),),
        tags=(("aws_access_key", SECRETS[3]), ("team", "payments")),
    )
    user = User(arn=f"arn:aws:iam::{ACCOUNT}:user/ci", name="ci", tags=(("client_secret", SECRETS[4]),))
    return Inventory(
        account_id=ACCOUNT,
        regions=("us-east-1",),
        captured_at="2026-11-28T12:00:00Z",
        source="test",
        functions=(fn,),
        roles=(role,),
        users=(user,),
        extra={"session_token": "x", "note": "kept"},
    )


DENY_ON_TOKEN = _doc(
    {
        "Sid": "DenyUnlessToken",
        "Effect": "Deny",
        "Principal": "*",
        "Action": INVOKE,
        "Resource": FN,
        "Condition": {"StringEquals": {"aws:ResourceTag/token": "ghp_tokenvalue"}},
    }
)


@pytest.mark.parametrize(
    "key",
    [
        "password",
        "DB_PASSWORD",
        "passwd",
        "api_key",
        "apikey",
        "Stripe-API-Key",
        "secret",
        "client_secret",
        "token",
        "GitHubToken",
        "credential",
        "private_key",
        "aws_access_key",
        "connection_string",
    ],
)
def test_secret_looking_keys(key: str) -> None:
    assert looks_like_secret(key)


@pytest.mark.parametrize("key", ["env", "team", "owner", "cost-center", "Name", "keyboard"])
def test_ordinary_keys(key: str) -> None:
    assert not looks_like_secret(key)


def test_snapshot_keeps_the_keys_and_never_the_values(tmp_path: Path) -> None:
    path = tmp_path / "s.json"
    save_snapshot(inventory(DENY_ON_TOKEN), path)
    text = path.read_text()
    for secret in SECRETS:
        # The Deny's own condition value names the token: policies are saved as they are, tags are not.
        assert text.count(secret) == (1 if secret == "ghp_tokenvalue" else 0), secret
    body = json.loads(text)
    fn = body["functions"][0]
    assert fn["tags"] == [["env", "prod"]]
    assert fn["redacted_tag_keys"] == ["db_password", "Stripe-API-Key", "token"]
    assert body["roles"][0]["redacted_tag_keys"] == ["aws_access_key"]
    assert body["users"][0]["redacted_tag_keys"] == ["client_secret"]
    assert "session_token" not in body["extra"] and body["extra"]["note"] == "kept"
    loaded = read_snapshot(path)
    assert loaded.functions[0].redacted_tag_keys == ("db_password", "Stripe-API-Key", "token")
    assert dump_snapshot(loaded) == dump_snapshot(load_snapshot(body))  # redacting again changes nothing


def test_no_secret_value_anywhere_in_a_snapshot_without_policies_quoting_it() -> None:
    text = json.dumps(dump_snapshot(inventory(_doc())))
    for secret in SECRETS:
        assert secret not in text


def test_shown_tags_say_they_were_redacted() -> None:
    assert shown_tags((("api_key", "v"), ("env", "prod")), ("token",)) == [
        ("api_key", REDACTED),
        ("env", "prod"),
        ("token", REDACTED),
    ]
    assert REDACTED == "<redacted: key looks like a secret>"


def test_answer_testing_a_redacted_resource_tag_is_unknown() -> None:
    live = inventory(DENY_ON_TOKEN)
    # Live: the loader holds the value, the Deny applies: exact.
    assert simulate(live, ROLE, INVOKE, FN).decision == "explicit_deny"
    from_snapshot = load_snapshot(dump_snapshot(live))
    answer = simulate(from_snapshot, ROLE, INVOKE, FN)
    assert answer.decision == "unknown"
    assert any("tag token of function billing was redacted" in u for u in answer.unknown_because)
    # Given as context, the value is known again.
    given = simulate(from_snapshot, ROLE, INVOKE, FN, {"aws:ResourceTag/token": "other"})
    assert given.decision == "allowed"


def test_allow_on_a_redacted_tag_is_unknown_not_denied() -> None:
    allow_on_key = _doc(
        {
            "Effect": "Allow",
            "Principal": {"AWS": ROLE},
            "Action": INVOKE,
            "Resource": FN,
            "Condition": {"StringEquals": {"aws:ResourceTag/Stripe-API-Key": "sk_live_51abc"}},
        }
    )
    identity_none = _doc({"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"})
    live = inventory(allow_on_key, identity_none)
    assert simulate(live, ROLE, INVOKE, FN).decision == "allowed"
    snap = load_snapshot(dump_snapshot(live))
    assert simulate(snap, ROLE, INVOKE, FN).decision == "unknown"


def test_principal_tag_redacted_and_policies_not_testing_it() -> None:
    identity = _doc(
        {
            "Effect": "Allow",
            "Action": INVOKE,
            "Resource": "*",
            "Condition": {"StringEquals": {"aws:PrincipalTag/aws_access_key": "AKIAEXAMPLE"}},
        }
    )
    snap = load_snapshot(dump_snapshot(inventory(_doc(), identity)))
    answer = simulate(snap, ROLE, INVOKE, FN)
    assert answer.decision == "unknown"
    assert any("aws_access_key of role caller" in u for u in answer.unknown_because)
    # No policy tests a redacted key: the answer is exact.
    plain = load_snapshot(dump_snapshot(inventory(_doc())))
    assert simulate(plain, ROLE, INVOKE, FN).decision == "allowed"


def test_explicit_deny_not_testing_the_redacted_key_stays_certain() -> None:
    deny_both = _doc(
        DENY_ON_TOKEN["Statement"][0],
        {"Sid": "DenyAll", "Effect": "Deny", "Principal": "*", "Action": INVOKE, "Resource": FN},
    )
    snap = load_snapshot(dump_snapshot(inventory(deny_both)))
    assert simulate(snap, ROLE, INVOKE, FN).decision == "explicit_deny"


def _request_side(obj: Any) -> list[Any]:
    """Every request context and every condition's request values in a JSON answer."""
    out: list[Any] = []
    if isinstance(obj, list):
        for item in obj:
            out += _request_side(item)
    elif isinstance(obj, dict):
        for key, value in obj.items():
            if key in ("context", "request_values"):
                out.append(value)
            else:
                out += _request_side(value)
    return out


def test_answers_printed_over_a_live_inventory_never_show_a_secret_tag_value() -> None:
    """A live inventory holds the real values (the engine decides on them); simulate's and who-can's JSON
    carried them in ``scenario.context`` and in the explanation's request values (``aws:ResourceTag/...``)."""
    from lambdaperm_tui.analysis.whocan import who_can
    from lambdaperm_tui.inventory.redact import redact_output, secret_context_key

    live = inventory(DENY_ON_TOKEN)
    answer = simulate(live, ROLE, INVOKE, FN, explain=True)
    assert answer.decision == "explicit_deny"  # decided on the real value
    bodies = {
        "simulate": answer.to_json(),
        "who-can": [row.to_json() for row in who_can(live, INVOKE, FN)],
    }
    for name, body in bodies.items():
        shown = redact_output(body)
        context = shown["scenario"]["context"] if name == "simulate" else shown[0]["scenario"]["context"]
        assert context["aws:ResourceTag/token"] == REDACTED, name
        assert context["aws:ResourceTag/db_password"] == REDACTED
        assert context["aws:ResourceTag/env"] == "prod"  # not a secret: kept
        text = json.dumps(shown)
        for secret in (SECRETS[0], SECRETS[1], SECRETS[3]):
            assert secret not in text, (name, secret)
        # The policy's own text is printed as written; the request side of its condition is not.
            assert text.count(SECRETS[2]) < json.dumps(body).count(SECRETS[2])
            assert SECRETS[2] not in json.dumps(_request_side(shown)), name
            assert SECRETS[2] in json.dumps(_request_side(body)), name
    conditions = [
        c
        for p in answer.result.explanation.policies  # type: ignore[union-attr]
        for s in p.statements
        for c in s.conditions
        if secret_context_key(c.key)
    ]
    assert conditions and all(c.request_values == (SECRETS[2],) for c in conditions)


def test_redaction_leaves_policy_documents_as_written() -> None:
    """A named policy's document is printed as written, even where it has the shape of a condition on a
    secret-looking key (a condition key literally named "request_values"); it is not copied either."""
    from lambdaperm_tui.inventory.redact import redact_output

    document = {
        "Statement": [
            {
                "Effect": "Allow",
                "Action": "*",
                "Condition": {"StringEquals": {"key": "aws:ResourceTag/token", "request_values": "x"}},
            }
        ]
    }
    body: dict[str, Any] = {
        "scenario": {
            "context": {"aws:ResourceTag/token": "s3cr3t"},
            "identity_policies": [{"name": "p", "document": document}],
        },
        "explanation": {"key": "aws:ResourceTag/token", "request_values": ["s3cr3t"]},
    }
    shown = redact_output(body)
    assert shown["scenario"]["identity_policies"][0]["document"] is document
    assert shown["scenario"]["context"]["aws:ResourceTag/token"] == REDACTED
    assert shown["explanation"]["request_values"] == [REDACTED]
    assert body["explanation"]["request_values"] == ["s3cr3t"]  # the answer itself is not changed


def test_the_explorer_shows_a_secret_tag_condition_without_its_value() -> None:
    from lambdaperm_tui.ui.explain import condition_full, condition_label

    answer = simulate(inventory(DENY_ON_TOKEN), ROLE, INVOKE, FN, explain=True)
    (condition,) = (
        c
        for p in answer.result.explanation.policies  # type: ignore[union-attr]
        for s in p.statements
        for c in s.conditions
    )
    for text in (condition_label(condition, ACCOUNT).plain, condition_full(condition).plain):
        assert REDACTED in text
        assert text.count(SECRETS[2]) == 1  # the policy's value, not the request's
