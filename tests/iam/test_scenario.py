"""The scenario file contract (README.md, "The scenario file"): fields, defaults, errors.

Field semantics follow the request context AWS evaluates:
https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html
Context keys and their types:
https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html
"""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lambdaperm_tui.iam.errors import InputError
from lambdaperm_tui.iam.request import PrincipalKind
from lambdaperm_tui.iam.scenario import ScenarioLoader, load_scenario

ACCOUNT = "111122223333"
ROLE = f"arn:aws:iam::{ACCOUNT}:role/orders-api"
FUNCTION = f"arn:aws:lambda:us-east-1:{ACCOUNT}:function:billing:prod"


def doc(
    effect: str = "Allow", action: str = "lambda:InvokeFunction", sid: str | None = "S"
) -> dict[str, Any]:
    statement: dict[str, Any] = {"Effect": effect, "Action": action, "Resource": "*"}
    if sid:
        statement["Sid"] = sid
    return {"Version": "2012-10-17", "Statement": [statement]}


def base() -> dict[str, Any]:
    return {"principal": ROLE, "action": "lambda:InvokeFunction", "resource": FUNCTION}


def test_minimal_scenario_defaults_to_no_policies_and_account_from_arn() -> None:
    request, policies = load_scenario(base())
    assert request.principal.kind is PrincipalKind.ROLE
    assert request.principal.text == ROLE
    assert request.action == "lambda:InvokeFunction"
    assert request.resource == FUNCTION
    assert request.resource_account == ACCOUNT  # default: the account in the resource ARN
    assert dict(request.context) == {}
    assert policies.identity == ()
    assert policies.boundary is None and policies.session is None and policies.resource is None
    assert policies.scps == () and policies.rcps == ()


def test_every_field_is_carried_into_request_and_policy_set() -> None:
    scenario = base() | {
        "resource_account": "444455556666",
        "context": {"aws:SourceIp": "10.1.2.3", "lambda:Layer": ["arn:aws:lambda:us-east-1:1:layer:a:1"]},
        "identity_policies": [
            {"name": "inline/invoke", "document": doc()},
            {"name": "managed/read", "document": json.dumps(doc(action="lambda:GetFunction"))},
        ],
        "permissions_boundary": {"name": "boundary", "document": doc(action="lambda:*")},
        "session_policy": {"name": "session", "document": doc()},
        "scps": [
            [{"name": "FullAWSAccess", "document": doc(action="*")}],
            [{"name": "ou", "document": doc()}],
        ],
        "rcps": [[{"name": "RCPFullAWSAccess", "document": doc(action="*")}]],
        "resource_policy": {"name": "billing:prod", "document": doc()},
    }
    request, policies = load_scenario(scenario)
    assert request.resource_account == "444455556666"
    assert request.context["aws:SourceIp"] == "10.1.2.3"
    assert request.context["lambda:Layer"] == ("arn:aws:lambda:us-east-1:1:layer:a:1",)
    assert [p.name for p in policies.identity] == ["inline/invoke", "managed/read"]
    assert policies.identity[1].statements[0].sid == "S"  # document given as a JSON string
    assert policies.boundary is not None and policies.boundary.name == "boundary"
    assert policies.session is not None and policies.session.name == "session"
    assert [[p.name for p in level] for level in policies.scps] == [["FullAWSAccess"], ["ou"]]
    assert [[p.name for p in level] for level in policies.rcps] == [["RCPFullAWSAccess"]]
    assert policies.resource is not None and policies.resource.name == "billing:prod"


def test_nulls_mean_none_and_empty_levels_are_kept() -> None:
    scenario = base() | {
        "context": None,
        "identity_policies": None,
        "permissions_boundary": None,
        "session_policy": None,
        "scps": [],
        "rcps": None,
        "resource_policy": None,
        "resource_account": None,
    }
    request, policies = load_scenario(scenario)
    assert request.resource_account == ACCOUNT
    assert policies == type(policies)()
    # An SCP level with no policy attached allows nothing; it must not be dropped.
    _, policies = load_scenario(base() | {"scps": [[]]})
    assert policies.scps == ((),)


def test_context_values_become_strings_and_tuples() -> None:
    request, _ = load_scenario(
        base()
        | {
            "context": {
                "aws:SecureTransport": True,
                "aws:MultiFactorAuthAge": 42,
                "s3:max-keys": 2.5,
                "aws:TagKeys": ["a", "b"],
                "aws:CurrentTime": "2024-05-01T12:00:00Z",
                "aws:EpochTime": 1714564800,
            }
        }
    )
    assert request.context["aws:SecureTransport"] == "true"
    assert request.context["aws:MultiFactorAuthAge"] == "42"
    assert request.context["s3:max-keys"] == "2.5"
    assert request.context["aws:TagKeys"] == ("a", "b")
    assert request.context["aws:EpochTime"] == "1714564800"


def test_bare_document_is_accepted_and_named_after_its_field() -> None:
    _, policies = load_scenario(base() | {"identity_policies": [doc()], "resource_policy": doc()})
    assert policies.identity[0].name == "identity_policies[0]"
    assert policies.resource is not None and policies.resource.name == "resource_policy"


def test_annotation_fields_are_ignored() -> None:
    request, _ = load_scenario(
        base() | {"description": "x", "expected": "allowed", "_note": 1, "$schema": "s", "x-case": 3}
    )
    assert request.action == "lambda:InvokeFunction"


def test_other_tools_extra_fields_are_ignored_but_near_misses_are_not() -> None:
    """Files written by other tools may carry their own fields; a typo of ours must still be caught."""
    request, policies = load_scenario(
        base()
        | {"expected_decision": "allowed", "doc_url": "https://docs.aws.amazon.com/", "rule": 4}
        | {"identity_policies": [{"name": "a", "document": doc(), "arn": "arn:aws:iam::1:policy/a"}]}
    )
    assert request.action == "lambda:InvokeFunction" and policies.identity[0].name == "a"
    for typo in ("scp", "resourse", "contxt"):
        with pytest.raises(InputError, match=f"^{typo}: unknown field"):
            load_scenario(base() | {typo: []})
    with pytest.raises(InputError, match='unknown field "documnet"'):
        load_scenario(base() | {"identity_policies": [{"document": doc(), "documnet": {}}]})


def test_principal_forms() -> None:
    cases = {
        f"arn:aws:iam::{ACCOUNT}:user/alice": PrincipalKind.USER,
        f"arn:aws:sts::{ACCOUNT}:assumed-role/orders-api/s1": PrincipalKind.ASSUMED_ROLE,
        f"arn:aws:iam::{ACCOUNT}:root": PrincipalKind.ROOT,
        "s3.amazonaws.com": PrincipalKind.SERVICE,
        "anonymous": PrincipalKind.ANONYMOUS,
    }
    for text, kind in cases.items():
        request, _ = load_scenario(base() | {"principal": text})
        assert request.principal.kind is kind, text


BAD_POLICY = {"Version": "2012-10-17", "Statement": [{"Effect": "Allowed", "Action": "*", "Resource": "*"}]}


@pytest.mark.parametrize(
    ("change", "prefix"),
    [
        ({"principal": None}, "principal:"),
        ({"principal": "arn:aws:iam::12:role/x"}, "principal:"),
        ({"principal": "not a principal"}, "principal:"),
        ({"action": "lambda"}, "action:"),
        ({"action": "lambda:Invoke*"}, "action:"),
        ({"action": 3}, "action:"),
        ({"resource": "billing"}, "resource:"),
        ({"resource": "arn:aws:lambda"}, "resource:"),
        ({"resource_account": "12"}, "resource_account:"),
        ({"context": []}, "context:"),
        ({"context": {"SourceIp": "1.2.3.4"}}, "context.SourceIp:"),
        ({"context": {"aws:SourceIp": "10.1.2"}}, "context.aws:SourceIp:"),
        ({"context": {"aws:SourceIp": None}}, "context.aws:SourceIp:"),
        ({"context": {"aws:SecureTransport": "yes"}}, "context.aws:SecureTransport:"),
        ({"context": {"aws:CurrentTime": "yesterday"}}, "context.aws:CurrentTime:"),
        ({"context": {"aws:TagKeys": [{"a": 1}]}}, "context.aws:TagKeys[0]:"),
        ({"context": {"aws:sourceip": "1.1.1.1", "aws:SourceIp": "1.1.1.1"}}, "context.aws:SourceIp:"),
        ({"identity_policies": {}}, "identity_policies:"),
        ({"identity_policies": [{"name": "a", "document": doc()}, 5]}, "identity_policies[1]:"),
        ({"identity_policies": [{"name": "a"}]}, "identity_policies[0]:"),
        ({"identity_policies": [{"name": 1, "document": doc()}]}, "identity_policies[0].name:"),
        ({"identity_policies": [{"name": "a", "document": doc(), "nmae": "x"}]}, "identity_policies[0]:"),
        (
            {"identity_policies": [{"name": "a", "document": doc()}, {"name": "b", "document": BAD_POLICY}]},
            "identity_policies[1].document: Statement[0].Effect",
        ),
        ({"identity_policies": [{"name": "a", "document": "{oops"}]}, "identity_policies[0].document:"),
        ({"identity_policies": [{"name": "a", "document": None}]}, "identity_policies[0].document:"),
        ({"permissions_boundary": {"name": "b", "document": BAD_POLICY}}, "permissions_boundary.document:"),
        ({"session_policy": []}, "session_policy:"),
        ({"scps": [{"name": "a", "document": doc()}]}, "scps[0]:"),
        ({"scps": [[{"name": "a", "document": BAD_POLICY}]]}, "scps[0][0].document:"),
        ({"rcps": [[], [3]]}, "rcps[1][0]:"),
        ({"resource_policy": "x"}, "resource_policy:"),
        ({"principle": ROLE}, "principle: unknown field"),
    ],
)
def test_errors_name_the_field(change: dict[str, Any], prefix: str) -> None:
    scenario = base() | change
    with pytest.raises(InputError) as info:
        load_scenario(scenario)
    assert str(info.value).startswith(prefix), str(info.value)
    assert "\n" not in str(info.value)


@pytest.mark.parametrize("field", ["principal", "action", "resource"])
def test_required_fields(field: str) -> None:
    scenario = base()
    del scenario[field]
    with pytest.raises(InputError, match=rf"^{field}: missing"):
        load_scenario(scenario)


def test_unknown_field_suggests_the_close_one() -> None:
    with pytest.raises(InputError, match='did you mean "resource_policy"'):
        load_scenario(base() | {"resource_polcy": doc()})


def test_not_an_object() -> None:
    with pytest.raises(InputError, match="^scenario: expected a JSON object"):
        load_scenario([base()])


def test_loader_reuses_parsed_policies_by_name_and_text() -> None:
    loader = ScenarioLoader()
    a = base() | {"identity_policies": [{"name": "p", "document": doc()}]}
    b = copy.deepcopy(a)  # equal, not identical, objects: as two lines of a batch would be
    _, first = loader.load(a)
    _, second = loader.load(b)
    assert first.identity[0] is second.identity[0]
    # Same document under another name is another policy (names appear in explanations).
    _, renamed = loader.load(base() | {"identity_policies": [{"name": "q", "document": doc()}]})
    assert renamed.identity[0] is not first.identity[0] and renamed.identity[0].name == "q"
    # A different document under the same name is never served from the cache.
    _, other = loader.load(base() | {"identity_policies": [{"name": "p", "document": doc(effect="Deny")}]})
    assert other.identity[0].statements[0].effect == "Deny"
    assert first.identity[0].statements[0].effect == "Allow"


def test_loader_cache_is_bounded() -> None:
    loader = ScenarioLoader(max_entries=2)
    for i in range(5):
        loader.load(
            base()
            | {"resource": f"{FUNCTION}{i}", "identity_policies": [{"name": f"p{i}", "document": doc()}]}
        )
    assert len(loader._policies) <= 2
    assert len(loader._lists) <= 2
    assert len(loader._resources) <= 2
    assert len(loader._sets) <= 2


def test_loader_remembers_only_valid_resources() -> None:
    loader = ScenarioLoader()
    request, _ = loader.load(base())
    again, _ = loader.load(base() | {"resource_account": "444455556666"})
    assert (request.resource, request.resource_account) == (FUNCTION, ACCOUNT)
    assert (again.resource, again.resource_account) == (FUNCTION, "444455556666")
    for _ in range(2):  # a bad resource is refused every time, never served from the cache
        with pytest.raises(InputError, match="^resource: "):
            loader.load(base() | {"resource": "arn:aws:lambda:us-east-1"})


def test_loader_reuses_whole_lists_and_keeps_names_and_errors() -> None:
    """A batch repeats a role's identity policies and the SCP levels: whole lists are reused, but
    unnamed policies keep the name of their own field and a bad list is still an error."""
    loader = ScenarioLoader()
    scenario = base() | {"identity_policies": [doc(), {"name": "p", "document": doc()}], "scps": [[doc()]]}
    _, first = loader.load(scenario)
    _, second = loader.load(copy.deepcopy(scenario))
    assert second is first  # the whole policy set of an equal line
    # Another resource policy: another set, still sharing the identity list and SCP levels.
    _, third = loader.load(scenario | {"resource_policy": {"name": "fn", "document": doc()}})
    assert third is not first and third.resource is not None and third.resource.name == "fn"
    assert third.identity is first.identity and third.scps is first.scps
    assert [p.name for p in first.identity] == ["identity_policies[0]", "p"]
    assert first.scps[0][0].name == "scps[0][0]"
    # The same unnamed document under rcps is named after rcps, not served as the SCP.
    _, rcps = loader.load(base() | {"rcps": [[doc()]]})
    assert rcps.rcps[0][0].name == "rcps[0][0]"
    # An Effect typo in a list never seen before is reported, whatever was cached.
    bad = base() | {"identity_policies": [doc(), {"name": "p", "document": doc(effect="Alow")}]}
    with pytest.raises(InputError, match=r"^identity_policies\[1\]\.document: "):
        loader.load(bad)
    with pytest.raises(InputError, match=r"^scps\[0\]: expected a list of policies"):
        loader.load(base() | {"scps": [doc()]})


# -- fuzzing: any JSON in, a scenario or an InputError out -----------------------------------------

_json = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=12),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4)
    ),
    max_leaves=20,
)
_fields = st.sampled_from(
    ["principal", "action", "resource", "resource_account", "context", "identity_policies",
     "permissions_boundary", "session_policy", "scps", "rcps", "resource_policy"]
)  # fmt: skip


@settings(max_examples=300, deadline=None)
@given(st.dictionaries(_fields, _json, max_size=6), _json)
def test_any_json_gives_a_scenario_or_an_input_error(fields: dict[str, Any], extra: Any) -> None:
    """Every field replaced by arbitrary JSON, starting from a valid scenario."""
    scenario = base() | fields
    for obj in (scenario, extra):
        try:
            load_scenario(obj)
        except InputError as exc:
            assert str(exc) and "\n" not in str(exc)


@settings(max_examples=200, deadline=None)
@given(_json)
def test_any_policy_document_gives_a_policy_or_an_error_naming_the_field(document: Any) -> None:
    scenario = base() | {"identity_policies": [{"name": "p", "document": document}]}
    try:
        load_scenario(scenario)
    except InputError as exc:
        assert str(exc).startswith("identity_policies[0].document")


def test_resource_star_and_arns_without_account() -> None:
    """`*` (any resource, as analysis answers may use) names no account; nor does an S3 ARN."""
    request, _ = load_scenario(base() | {"resource": "*"})
    assert (request.resource, request.resource_account) == ("*", None)
    request, _ = load_scenario(base() | {"action": "s3:GetObject", "resource": "arn:aws:s3:::bucket/key"})
    assert request.resource_account is None
    request, _ = load_scenario(
        base()
        | {"action": "s3:GetObject", "resource": "arn:aws:s3:::bucket/key", "resource_account": ACCOUNT}
    )
    assert request.resource_account == ACCOUNT


@pytest.mark.parametrize(
    ("scenario", "start"),
    [
        (base() | {"princip\nal": 1}, '"princip\\nal": unknown field'),
        (
            base() | {"context": {"aws:a\nb": 1, "AWS:A\nB": 2}},
            'context."AWS:A\\nB": same key as "aws:a\\nb"',
        ),
        (
            base() | {"identity_policies": [{"document": doc(), "docu\rment": 1}]},
            'identity_policies[0]: unknown field "docu\\rment"',
        ),
    ],
)
def test_keys_with_line_breaks_stay_on_one_line(scenario: dict[str, Any], start: str) -> None:
    """An error message is one line even when the offending key holds a line break (JSON-quoted)."""
    with pytest.raises(InputError) as caught:
        load_scenario(scenario)
    message = str(caught.value)
    assert "\n" not in message and "\r" not in message
    assert message.startswith(start)
