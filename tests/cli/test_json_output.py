"""The --json writer encodes each policy document once (cli._dumps_sharing_documents) and writes exactly
the text ``json.dumps(redact_output(body))`` writes: the same bytes whatever the documents hold, and the
plain path when the answer's own text could be mistaken for one of its marks."""

from __future__ import annotations

import json
from typing import Any

from lambdaperm_tui import cli
from lambdaperm_tui.analysis.whocan import who_can
from lambdaperm_tui.inventory.model import Function, Inventory, NamedPolicy, PolicySlot, Role
from lambdaperm_tui.inventory.redact import REDACTED, redact_output

ACCOUNT = "111122223333"
FN = f"arn:aws:lambda:us-east-1:{ACCOUNT}:function:orders"


def _inventory() -> Inventory:
    shared = {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": "lambda:*", "Resource": "*"}],
    }
    odd = {"Statement": [{"Sid": 'é\u202e\x00"quote"', "Effect": "Deny", "Action": "s3:*", "Resource": "*"}]}
    roles = tuple(
        Role(
            f"arn:aws:iam::{ACCOUNT}:role/r{i}",
            f"r{i}",
            inline_policies=(
                NamedPolicy("shared", PolicySlot(document=shared)),
                NamedPolicy("odd", PolicySlot(document=odd)),
            ),
            tags=(("api_token", "s3cr3t"),),
        )
        for i in range(4)
    )
    scp = NamedPolicy(
        "all", PolicySlot(document={"Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]})
    )
    fn = Function(
        FN, "orders", "us-east-1", ACCOUNT, policy=PolicySlot(), tags=(("db_password", "hunter2"),), urls=()
    )
    return Inventory(
        ACCOUNT,
        ("us-east-1",),
        "2026-11-28T12:00:00Z",
        "test",
        functions=(fn,),
        roles=roles,
        scps=((scp,),),
        rcps=(),
    )


def test_who_can_json_is_the_plain_text_with_each_document_written_once() -> None:
    body = [row.to_json() for row in who_can(_inventory(), "lambda:InvokeFunction", FN)]
    calls: list[bool] = []

    def redact(obj: Any, document: Any = None) -> Any:
        calls.append(document is not None)
        return redact_output(obj, document)

    text = cli._dumps_sharing_documents(body, redact)
    assert calls == [True]  # the shared path, not the plain one
    assert text == json.dumps(redact_output(body))
    assert "s3cr3t" not in text and "hunter2" not in text and REDACTED in text
    assert "lambdaperm-document" not in text


def test_an_answer_holding_a_mark_is_written_plainly() -> None:
    doc: dict[str, Any] = {"Statement": []}
    mark = f"{cli._DOCUMENT_MARK}0\x00"
    body: list[Any] = [{"scenario": {"identity_policies": [{"name": mark, "document": doc}]}, "label": mark}]
    text = cli._dumps_sharing_documents(body, redact_output)
    assert text == json.dumps(redact_output(body))
    assert json.loads(text)[0]["label"] == mark
