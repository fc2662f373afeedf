"""Parsing and validating policy documents.

Grammar and elements: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_grammar.html
and https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements.html
"""

from __future__ import annotations

import dataclasses
import json
from typing import Any

import pytest

from lambdaperm_tui.iam import PolicyError, parse_policy
from lambdaperm_tui.iam.policy import VERSION_2008, VERSION_2012


def doc(*statements: dict[str, Any], version: str | None = VERSION_2012, **extra: object) -> dict[str, Any]:
    d: dict[str, Any] = {"Statement": list(statements), **extra}
    if version is not None:
        d["Version"] = version
    return d


ALLOW = {"Effect": "Allow", "Action": "lambda:InvokeFunction", "Resource": "*"}


def test_minimal_policy_fields() -> None:
    p = parse_policy(doc(dict(ALLOW, Sid="One"), Id="pid"), "p1")
    assert p.name == "p1"
    assert p.version == VERSION_2012
    assert p.id == "pid"
    assert len(p.statements) == 1
    st = p.statements[0]
    assert (st.index, st.sid, st.effect) == (0, "One", "Allow")
    assert p.document["Id"] == "pid"


def test_statement_may_be_a_single_object() -> None:
    # https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_statement.html
    p = parse_policy({"Version": VERSION_2012, "Statement": ALLOW}, "p")
    assert len(p.statements) == 1 and p.statements[0].index == 0


def test_json_string_document_is_decoded() -> None:
    # Lambda GetPolicy returns the policy as a JSON string.
    p = parse_policy(json.dumps(doc(ALLOW)), "p")
    assert p.statements[0].effect == "Allow"


def test_bad_json_string_is_a_policy_error() -> None:
    with pytest.raises(PolicyError, match=r"^document: not valid JSON"):
        parse_policy('{"Statement": [', "p")


@pytest.mark.parametrize("version", [VERSION_2012, VERSION_2008, None])
def test_versions_accepted(version: str | None) -> None:
    # https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_version.html
    assert parse_policy(doc(ALLOW, version=version), "p").version == version


def test_unknown_version_rejected() -> None:
    with pytest.raises(
        PolicyError, match=r'^Version: must be "2012-10-17" or "2008-10-17", got "2012-10-18"'
    ):
        parse_policy(doc(ALLOW, version="2012-10-18"), "p")


@pytest.mark.parametrize(
    ("statement", "message"),
    [
        (dict(ALLOW, Effect="allow"), r'^Statement\[1\]\.Effect: must be "Allow" or "Deny", got "allow"$'),
        ({"Action": "s3:*", "Resource": "*"}, r"^Statement\[1\]\.Effect: missing"),
        ({"Effect": "Allow", "Resource": "*"}, r"^Statement\[1\]\.Action: missing"),
        (dict(ALLOW, NotAction="s3:*"), r"^Statement\[1\]: has both Action and NotAction"),
        (dict(ALLOW, NotResource="*"), r"^Statement\[1\]: has both Resource and NotResource"),
        (
            dict(ALLOW, Principal="*", NotPrincipal="*"),
            r"^Statement\[1\]: has both Principal and NotPrincipal",
        ),
        (dict(ALLOW, Action="invoke"), r'^Statement\[1\]\.Action: "invoke" is not "service:action" or "\*"'),
        (dict(ALLOW, Action=["s3:Get*", 5]), r"^Statement\[1\]\.Action\[1\]: must be a string, got 5"),
        (dict(ALLOW, Action=[]), r"^Statement\[1\]\.Action: must not be an empty list"),
        (dict(ALLOW, Resource={"a": 1}), r"^Statement\[1\]\.Resource: must be a string or a list of strings"),
        (dict(ALLOW, Resource=""), r"^Statement\[1\]\.Resource: must not be empty"),
        (dict(ALLOW, Sid=3), r"^Statement\[1\]\.Sid: must be a string"),
        (
            dict(ALLOW, Principal="arn:aws:iam::111122223333:root"),
            r'^Statement\[1\]\.Principal: must be "\*"',
        ),
        (dict(ALLOW, Principal={"Aws": "*"}), r'^Statement\[1\]\.Principal: unknown principal type "Aws"'),
        (dict(ALLOW, Principal={"AWS": []}), r"^Statement\[1\]\.Principal\.AWS: must not be an empty list"),
        (dict(ALLOW, Principal={}), r"^Statement\[1\]\.Principal: must name at least one principal"),
        (
            dict(ALLOW, Condition={"StringEqualz": {"aws:username": "x"}}),
            r'^Statement\[1\]\.Condition: unknown operator "StringEqualz"',
        ),
        (dict(ALLOW, Condition=[1]), r"^Statement\[1\]\.Condition: "),
        (dict(ALLOW, Extra=1), r'^Statement\[1\]: unknown element "Extra"'),
        ("Allow", r'^Statement\[1\]: must be an object, got "Allow"'),
    ],
)
def test_invalid_statements_name_statement_and_element(statement: object, message: str) -> None:
    with pytest.raises(PolicyError, match=message):
        parse_policy(doc(ALLOW, statement), "p")  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("document", "message"),
    [
        ([], r"^document: must be a JSON object"),
        ({"Statement": "x"}, r"^Statement: must be an object or a list of objects"),
        ({"Statement": [], "Id": 3}, r"^Id: must be a string"),
        ({"Statement": [], "Foo": 1}, r"^Foo: unknown top-level element"),
        (None, r"^document: must be a JSON object"),
    ],
)
def test_invalid_documents(document: object, message: str) -> None:
    with pytest.raises(PolicyError, match=message):
        parse_policy(document, "p")


def test_policy_is_immutable() -> None:
    p = parse_policy(doc(ALLOW), "p")
    with pytest.raises(dataclasses.FrozenInstanceError):
        p.name = "q"  # type: ignore[misc]
    with pytest.raises(dataclasses.FrozenInstanceError):
        p.statements[0].effect = "Deny"  # type: ignore[misc]
    assert isinstance(p.statements, tuple)
    assert isinstance(p.statements[0].action, tuple)


def test_principal_forms_are_classified() -> None:
    # https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html
    st = dict(
        ALLOW,
        Principal={
            "AWS": [
                "*",
                "111122223333",
                "arn:aws:iam::111122223333:root",
                "arn:aws:iam::111122223333:user/ops/alice",
                "arn:aws:iam::111122223333:role/svc/orders-api",
                "arn:aws:sts::111122223333:assumed-role/orders-api/s1",
                "arn:aws:sts::111122223333:federated-user/bob",
                "AROAEXAMPLEUNIQUEID",
            ],
            "Service": "s3.amazonaws.com",
            "Federated": "cognito-identity.amazonaws.com",
            "CanonicalUser": "79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be",
        },
    )
    spec = parse_policy(doc(st), "p").statements[0].principal
    assert spec is not None
    kinds = [e.kind for e in spec.entries]
    assert kinds == [
        "any",
        "account",
        "account",
        "user",
        "role",
        "session",
        "federated_user",
        "other",
        "service",
        "federated",
        "canonical",
    ]
    role = spec.entries[4]
    assert (role.account, role.name, role.partition) == ("111122223333", "orders-api", "aws")


def test_compiled_action_index_visits_only_matching_service() -> None:
    p = parse_policy(
        doc(
            {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"},
            {"Effect": "Allow", "Action": ["lambda:Invoke*"], "Resource": "*"},
            {"Effect": "Deny", "NotAction": "iam:*", "Resource": "*"},
            {"Effect": "Allow", "Action": "*", "Resource": "*"},
            {"Effect": "Allow", "Action": "*:Get*", "Resource": "*"},
        ),
        "p",
    )
    assert [s.index for s in p.candidates("lambda")] == [1, 2, 3, 4]
    assert [s.index for s in p.candidates("s3")] == [0, 2, 3, 4]
    assert [s.index for s in p.candidates("ec2")] == [2, 3, 4]


@pytest.mark.parametrize(
    ("pattern", "action", "expected"),
    [
        ("lambda:InvokeFunction", "lambda:invokefunction", True),
        ("LAMBDA:INVOKEFUNCTION", "lambda:InvokeFunction", True),
        ("lambda:Invoke*", "lambda:InvokeFunctionUrl", True),
        ("lambda:*", "lambda:GetPolicy", True),
        ("lambda:*", "lambdax:GetPolicy", False),
        ("lambda:Get?olicy", "lambda:GetPolicy", True),
        ("lambda:*Function", "lambda:InvokeFunction", True),
        ("lambda:*Function", "lambda:InvokeFunctionUrl", False),
        ("*", "s3:GetObject", True),
        ("lambda:Invoke", "lambda:InvokeFunction", False),
    ],
)
def test_action_matching_is_case_insensitive(pattern: str, action: str, expected: bool) -> None:
    # https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_action.html
    st = parse_policy(doc(dict(ALLOW, Action=pattern)), "p").statements[0]
    assert st.matches_action(action.lower()) is expected


def test_variables_only_in_force_under_2012_10_17() -> None:
    # https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_variables.html
    res = "arn:aws:s3:::bucket/${aws:username}"
    assert parse_policy(doc(dict(ALLOW, Resource=res)), "p").statements[0].resource[0].variables  # type: ignore[index]
    old = parse_policy(doc(dict(ALLOW, Resource=res), version=VERSION_2008), "p").statements[0]
    assert old.resource is not None and not old.resource[0].variables
    assert old.matches_resource(res, None)


def test_error_messages_are_one_line_even_for_hostile_text() -> None:
    """Untrusted text is quoted with control characters escaped, so a message stays on one line."""
    for document in (
        {"\n": 1},
        {"Statement": [{"Effect": "Allow", "Action": "a:b\n"}]},
        {"Statement": [{"Effect": "Allow", "Action": "a:b", "Condition": {"String\nEquals": {}}}]},
        {"Statement": [{"Effect": "Allow\u2028", "Action": "a:b"}]},
    ):
        with pytest.raises(PolicyError) as info:
            parse_policy(document, "p")
        assert len(str(info.value).splitlines()) == 1, str(info.value)


def test_identical_documents_share_parsed_statements() -> None:
    """Accounts attach the same document to many roles: it is parsed once, each policy keeps its name."""
    doc = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Action": "lambda:Get*",
                "Resource": "*",
                "Condition": {"Bool": {"aws:SecureTransport": True}},
            }
        ],
    }
    a = parse_policy(json.loads(json.dumps(doc)), "role-a/inline")
    b = parse_policy(json.loads(json.dumps(doc)), "role-b/inline")
    assert a.statements is b.statements
    assert (a.name, b.name) == ("role-a/inline", "role-b/inline")
    # Values JSON tells apart are never confused: true and "true", Version 2008 and 2012 (variables).
    as_text = json.loads(json.dumps(doc).replace("true", '"true"'))
    assert parse_policy(as_text, "c").statements is not a.statements
    old = dict(doc, Version="2008-10-17")
    assert parse_policy(old, "d").statements is not a.statements
    other = json.loads(json.dumps(doc).replace("Get*", "List*"))
    assert parse_policy(other, "e").statements[0].action != a.statements[0].action
