"""Explanations: every policy and statement considered, element and condition matches with the values
compared, the layers with a readable note, and ``decided_by``.

Evaluation logic followed: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html
"""

from __future__ import annotations

import dataclasses
import json
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lambdaperm_tui.iam import Decision, PolicySet, Request, evaluate, parse_policy, parse_principal
from lambdaperm_tui.iam.policy import Policy
from lambdaperm_tui.iam.render import element_words, layer_name
from lambdaperm_tui.iam.result import (
    Element,
    Explanation,
    Grant,
    LayerExplanation,
    LayerKind,
    MatchReason,
    StatementExplanation,
    Verdict,
    result_json_text,
)

A = "111122223333"
B = "444455556666"
FN = f"arn:aws:lambda:us-east-1:{A}:function:billing:prod"
ROLE = f"arn:aws:iam::{A}:role/orders-api"
INVOKE = "lambda:InvokeFunction"


def pol(name: str, *statements: dict[str, Any]) -> Policy:
    return parse_policy({"Version": "2012-10-17", "Statement": list(statements)}, name)


def req(principal: str = ROLE, **kw: Any) -> Request:
    return Request(parse_principal(principal), INVOKE, FN, **kw)


def layer(expl: Explanation, name: str) -> LayerExplanation:
    return next(x for x in expl.layers if layer_name(x) == name)


def statement(expl: Explanation, policy: str, index: int) -> StatementExplanation:
    p = next(p for p in expl.policies if p.name == policy)
    return next(s for s in p.statements if s.index == index)


IDENTITY = pol(
    "orders-api/inline/invoke",
    {"Sid": "S3", "Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"},
    {
        "Sid": "Invoke",
        "Effect": "Allow",
        "Action": ["lambda:Get*", "lambda:Invoke*"],
        "Resource": f"arn:aws:lambda:us-east-1:{A}:function:billing:*",
        "Condition": {"IpAddress": {"aws:SourceIp": "10.0.0.0/8"}},
    },
)
FULL = pol("FullAWSAccess", {"Effect": "Allow", "Action": "*", "Resource": "*"})


def test_allowed_explanation_lists_every_policy_statement_and_match() -> None:
    ps = PolicySet(identity=(IDENTITY,), scps=((FULL,), (FULL,)))
    r = evaluate(req(context={"aws:SourceIp": "10.1.2.3"}), ps)
    assert r.decision is Decision.ALLOWED
    e = r.explanation
    assert e is not None
    assert [(p.policy_type, p.name, p.level) for p in e.policies] == [
        ("scp", "FullAWSAccess", 0),
        ("scp", "FullAWSAccess", 1),
        ("identity", "orders-api/inline/invoke", None),
    ]
    s0 = statement(e, "orders-api/inline/invoke", 0)
    assert not s0.applies and not s0.deciding
    assert s0.elements[0].element == "Action" and not s0.elements[0].matched
    a0 = s0.elements[0]
    assert (a0.reason, a0.value, a0.patterns, a0.hit) == (
        MatchReason.MATCHES_NONE,
        INVOKE,
        ("s3:GetObject",),
        None,
    )
    assert element_words(a0) == '"lambda:InvokeFunction" matches none of "s3:GetObject"'
    s1 = statement(e, "orders-api/inline/invoke", 1)
    assert s1.applies and s1.deciding and s1.sid == "Invoke"
    assert [(x.element, x.matched) for x in s1.elements] == [("Action", True), ("Resource", True)]
    a1, r1 = s1.elements
    assert (a1.element, a1.reason, a1.patterns, a1.hit, a1.pattern) == (
        Element.ACTION,
        MatchReason.MATCHES,
        ("lambda:Get*", "lambda:Invoke*"),
        1,
        "lambda:Invoke*",
    )
    assert element_words(a1) == '"lambda:InvokeFunction" matches "lambda:Invoke*"'
    assert (r1.element, r1.value, r1.pattern) == (
        Element.RESOURCE,
        FN,
        f"arn:aws:lambda:us-east-1:{A}:function:billing:*",
    )
    assert element_words(r1) == (f'"{FN}" matches "arn:aws:lambda:us-east-1:{A}:function:billing:*"')
    (c,) = s1.conditions
    assert (c.operator, c.key, c.policy_values, c.request_values, c.matched) == (
        "IpAddress",
        "aws:SourceIp",
        ("10.0.0.0/8",),
        ("10.1.2.3",),
        True,
    )
    # decided_by: the identity Allow that granted plus the Allow satisfying each SCP level (the same
    # statement of the same policy at both levels is listed once: decided_by carries no level).
    assert [(d.policy_type, d.policy, d.statement_index, d.sid, d.effect) for d in r.decided_by] == [
        ("identity", "orders-api/inline/invoke", 1, "Invoke", "Allow"),
        ("scp", "FullAWSAccess", 0, None, "Allow"),
    ]
    scp1 = layer(e, "SCP level 1")
    assert (scp1.kind, scp1.level, scp1.verdict) == (LayerKind.SCP, 1, Verdict.ALLOWS)
    assert e.summary == "allowed: an identity policy allows"
    json.dumps(r.to_json())  # JSON-ready


def test_condition_mismatch_is_explained() -> None:
    r = evaluate(req(context={"aws:SourceIp": "192.0.2.1"}), PolicySet(identity=(IDENTITY,)))
    assert r.decision is Decision.IMPLICIT_DENY
    assert r.explanation is not None
    s1 = statement(r.explanation, "orders-api/inline/invoke", 1)
    assert not s1.applies
    assert s1.conditions[0].matched is False and s1.conditions[0].request_values == ("192.0.2.1",)
    assert layer(r.explanation, "identity").note == "no identity policy allows lambda:InvokeFunction"


def test_scp_level_note() -> None:
    ou = pol("ou-s3-only", {"Effect": "Allow", "Action": "s3:*", "Resource": "*"})
    r = evaluate(req(), PolicySet(identity=(FULL,), scps=((FULL,), (FULL,), (ou,))))
    assert r.decision is Decision.IMPLICIT_DENY and r.decided_by == ()
    assert r.explanation is not None
    assert layer(r.explanation, "SCP level 2").note == "no SCP at level 2 allows lambda:InvokeFunction"
    assert r.explanation.summary == "implicitly denied: no SCP at level 2 allows lambda:InvokeFunction"


def test_boundary_note() -> None:
    boundary = pol("boundary", {"Effect": "Allow", "Action": "s3:*", "Resource": "*"})
    r = evaluate(req(), PolicySet(identity=(FULL,), boundary=boundary))
    assert r.decision is Decision.IMPLICIT_DENY
    assert r.explanation is not None
    assert layer(r.explanation, "boundary").verdict is Verdict.NO_ALLOW
    assert layer(r.explanation, "boundary").verdict.blocks
    assert layer(r.explanation, "boundary").note == "boundary has no Allow for lambda:InvokeFunction"


def test_cross_account_note() -> None:
    res = pol("billing:prod", {"Effect": "Allow", "Principal": {"AWS": B}, "Action": INVOKE, "Resource": FN})
    r = evaluate(req(f"arn:aws:iam::{B}:role/partner"), PolicySet(resource=res))
    assert r.explanation is not None
    assert "cross-account: the resource policy allows but no identity policy does" in r.explanation.summary
    principal = statement(r.explanation, "billing:prod", 0).elements[2]
    assert principal.element is Element.PRINCIPAL and principal.matched
    assert (principal.patterns, principal.principal_keys, principal.hit, principal.grant) == (
        (B,),
        ("AWS",),
        0,
        Grant.ACCOUNT,
    )
    assert f'{{"AWS": "{B}"}}' in element_words(principal)


def test_explicit_deny_decided_by_lists_the_matching_denies() -> None:
    deny = pol(
        "guardrail",
        {"Sid": "NoProd", "Effect": "Deny", "Action": "lambda:*", "Resource": "*:prod"},
        {"Sid": "Other", "Effect": "Deny", "Action": "s3:*", "Resource": "*"},
    )
    r = evaluate(req(), PolicySet(identity=(FULL, deny), scps=((deny, FULL),)))
    assert r.decision is Decision.EXPLICIT_DENY
    assert [(d.policy_type, d.policy, d.sid, d.effect) for d in r.decided_by] == [
        ("scp", "guardrail", "NoProd", "Deny"),
        ("identity", "guardrail", "NoProd", "Deny"),
    ]
    assert r.explanation is not None
    assert layer(r.explanation, "explicit deny").verdict is Verdict.DENIES
    assert statement(r.explanation, "guardrail", 0).deciding


def test_resource_grant_decided_by_and_principal_detail() -> None:
    res = pol(
        "billing:prod",
        {
            "Sid": "sns",
            "Effect": "Allow",
            "Principal": {"Service": "sns.amazonaws.com"},
            "Action": INVOKE,
            "Resource": FN,
        },
        {"Sid": "role", "Effect": "Allow", "Principal": {"AWS": ROLE}, "Action": INVOKE, "Resource": FN},
    )
    r = evaluate(req(), PolicySet(resource=res))
    assert r.decision is Decision.ALLOWED
    assert [(d.policy_type, d.sid) for d in r.decided_by] == [("resource", "role")]
    assert r.explanation is not None
    s0 = statement(r.explanation, "billing:prod", 0)
    p0 = s0.elements[2]
    assert (p0.reason, p0.value, p0.patterns, p0.principal_keys) == (
        MatchReason.MATCHES_NONE,
        ROLE,
        ("sns.amazonaws.com",),
        ("Service",),
    )
    assert element_words(p0) == f'"{ROLE}" matches none of {{"Service": "sns.amazonaws.com"}}'
    assert "limited by the session's boundary" in layer(r.explanation, "resource").note


def test_explain_false_builds_no_explanation_but_same_answer() -> None:
    ps = PolicySet(identity=(IDENTITY,), scps=((FULL,),))
    fast = evaluate(req(context={"aws:SourceIp": "10.9.9.9"}), ps, explain=False)
    full = evaluate(req(context={"aws:SourceIp": "10.9.9.9"}), ps)
    assert fast.explanation is None and full.explanation is not None
    assert fast.decision is full.decision is Decision.ALLOWED
    assert fast.decided_by == full.decided_by
    assert fast.to_json()["explanation"] is None


def test_untrusted_text_is_kept_verbatim() -> None:
    """Explanations carry policy text as data; markup-looking text is not interpreted here."""
    p = pol("[bold]x[/bold]", {"Sid": "[red]s", "Effect": "Allow", "Action": INVOKE, "Resource": "*"})
    r = evaluate(req(), PolicySet(identity=(p,)))
    assert r.decided_by[0].policy == "[bold]x[/bold]" and r.decided_by[0].sid == "[red]s"


# -- explain="relevant": only the statements whose Action/NotAction matches, with a count of the rest.
# Only those statements are ever checked for resource, principal and conditions (the Action element
# decides whether a statement is about the request at all):
# https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_action.html
# https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_notaction.html

MIXED = pol(
    "orders-api/inline/mixed",
    {"Sid": "S3", "Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"},
    {
        "Sid": "Invoke",
        "Effect": "Allow",
        "Action": ["lambda:Get*", "lambda:Invoke*"],
        "Resource": f"arn:aws:lambda:us-east-1:{A}:function:billing:*",
        "Condition": {"IpAddress": {"aws:SourceIp": "10.0.0.0/8"}},
    },
    {"Sid": "NotLambda", "Effect": "Deny", "NotAction": "lambda:*", "Resource": "*"},
    {"Sid": "NotIam", "Effect": "Deny", "NotAction": "iam:*", "Resource": f"{FN}x"},
    {"Sid": "OtherFn", "Effect": "Allow", "Action": INVOKE, "Resource": f"{FN}x"},
)


def test_relevant_lists_only_statements_whose_action_matches_with_full_detail() -> None:
    ps = PolicySet(identity=(MIXED,), scps=((FULL,),))
    request = req(context={"aws:SourceIp": "10.1.2.3"})
    full = evaluate(request, ps, explain="full")
    rel = evaluate(request, ps, explain="relevant")
    assert full.explanation is not None and rel.explanation is not None
    assert rel.decision is full.decision is Decision.ALLOWED
    assert rel.decided_by == full.decided_by
    assert rel.explanation.summary == full.explanation.summary
    assert rel.explanation.layers == full.explanation.layers
    (rel_scp, rel_id) = rel.explanation.policies
    # S3 (other action) and NotLambda (NotAction excludes lambda:*) are left out and counted.
    assert [s.sid for s in rel_id.statements] == ["Invoke", "NotIam", "OtherFn"]
    assert rel_id.statements_not_matching_action == 2
    assert rel_scp.statements_not_matching_action == 0 and len(rel_scp.statements) == 1
    # Each listed statement is exactly what the full explanation says of it (elements, conditions,
    # applies, deciding).
    full_by_index = {s.index: s for s in full.explanation.policies[1].statements}
    for s in rel_id.statements:
        assert s == full_by_index[s.index]
    assert statement(rel.explanation, "orders-api/inline/mixed", 1).deciding
    # The full explanation lists every statement and carries no count.
    assert [s.index for s in full.explanation.policies[1].statements] == [0, 1, 2, 3, 4]
    assert full.explanation.policies[1].statements_not_matching_action is None


def test_relevant_json_carries_the_count_and_full_json_does_not() -> None:
    ps = PolicySet(identity=(MIXED,))
    rel = evaluate(req(context={"aws:SourceIp": "192.0.2.1"}), ps, explain="relevant").to_json()
    full = evaluate(req(context={"aws:SourceIp": "192.0.2.1"}), ps, explain=True).to_json()
    (policy,) = rel["explanation"]["policies"]
    assert policy["statements_not_matching_action"] == 2
    assert [s["sid"] for s in policy["statements"]] == ["Invoke", "NotIam", "OtherFn"]
    invoke = policy["statements"][0]
    assert invoke["conditions"] == [
        {
            "operator": "IpAddress",
            "key": "aws:SourceIp",
            "policy_values": ["10.0.0.0/8"],
            "request_values": ["192.0.2.1"],
            "matched": False,
            "open": False,
        }
    ]
    assert "statements_not_matching_action" not in full["explanation"]["policies"][0]
    assert len(full["explanation"]["policies"][0]["statements"]) == 5
    assert rel["decision"] == full["decision"] == "implicit_deny"
    json.dumps(rel)


def test_relevant_keeps_denies_and_resource_policy_principals() -> None:
    res = pol(
        "billing:prod",
        {"Sid": "sns", "Effect": "Allow", "Principal": {"Service": "sns.amazonaws.com"}, "Action": INVOKE},
        {"Sid": "get", "Effect": "Allow", "Principal": {"AWS": ROLE}, "Action": "lambda:GetFunction"},
    )
    deny = pol("guardrail", {"Sid": "NoProd", "Effect": "Deny", "Action": "lambda:*", "Resource": "*:prod"})
    ps = PolicySet(identity=(FULL, deny), resource=res)
    full = evaluate(req(), ps, explain=True)
    rel = evaluate(req(), ps, explain="relevant")
    assert rel.decision is full.decision is Decision.EXPLICIT_DENY
    assert rel.decided_by == full.decided_by
    assert rel.explanation is not None
    assert statement(rel.explanation, "guardrail", 0).deciding
    resource = next(p for p in rel.explanation.policies if p.policy_type == "resource")
    assert [s.sid for s in resource.statements] == ["sns"]
    assert resource.statements_not_matching_action == 1
    assert resource.statements[0].elements[-1].element == "Principal"
    assert not resource.statements[0].elements[-1].matched


def test_explain_true_is_full_and_unknown_level_is_refused() -> None:
    ps = PolicySet(identity=(MIXED,))
    assert evaluate(req(), ps, explain=True) == evaluate(req(), ps, explain="full")
    with pytest.raises(ValueError, match="explain.*everything"):
        evaluate(req(), ps, explain="everything")  # type: ignore[arg-type]


def test_result_json_text_is_the_compact_dump_of_to_json() -> None:
    """The direct writer used by ``simulate --json`` gives exactly ``json.dumps(result.to_json())``
    (compact), escaping included, for every explain level and decision."""
    odd = pol(
        'quote " back\\slash \u00e9 \u2028 [b]',
        {
            "Sid": 'e\u00e9"',
            "Effect": "Deny",
            "Action": INVOKE,
            "Resource": "*",
            "Condition": {"Null": {"aws:x": "false"}},
        },
    )
    res = pol("billing:prod", {"Effect": "Allow", "Principal": {"AWS": B}, "Action": INVOKE, "Resource": FN})
    everything = PolicySet(identity=(MIXED, IDENTITY), scps=((FULL,), (FULL,)))
    cases = [
        (req(context={"aws:SourceIp": "10.1.2.3"}), everything),
        (req(context={"aws:SourceIp": "192.0.2.1"}), PolicySet(identity=(MIXED,), resource=res)),
        (req(context={"aws:x": ["a", "b"]}), PolicySet(identity=(FULL, odd))),
        (req(f"arn:aws:iam::{B}:role/partner"), PolicySet(resource=res)),
        # An open context: allowed if aws:SourceIp is in 10.0.0.0/8 (a conditional answer).
        (dataclasses.replace(req(), open_context=True), PolicySet(identity=(MIXED,))),
    ]
    seen = set()
    for request, ps in cases:
        for level in (True, "relevant", False):
            r = evaluate(request, ps, explain=level)
            seen.add(r.decision)
            text = result_json_text(r)
            assert text == json.dumps(r.to_json(), separators=(",", ":"))
            assert json.loads(text) == r.to_json()
    assert seen == set(Decision)


_ACTIONS = ["lambda:InvokeFunction", "lambda:Get*", "lambda:*", "s3:GetObject", "*", "lambda:invoke?unction"]
_RESOURCES = [
    "*",
    FN,
    f"arn:aws:lambda:us-east-1:{A}:function:billing*",
    f"arn:aws:lambda:us-east-1:{A}:function:x",
]
_CONDITIONS = [
    None,
    {"IpAddress": {"aws:SourceIp": "10.0.0.0/8"}},
    {"StringEquals": {"aws:PrincipalAccount": A}},
]


@st.composite
def _statement(draw: st.DrawFn) -> dict[str, Any]:
    out: dict[str, Any] = {"Effect": draw(st.sampled_from(["Allow", "Deny"]))}
    actions = draw(st.lists(st.sampled_from(_ACTIONS), min_size=1, max_size=2))
    out["NotAction" if draw(st.booleans()) else "Action"] = actions
    out["NotResource" if draw(st.booleans()) else "Resource"] = draw(st.sampled_from(_RESOURCES))
    condition = draw(st.sampled_from(_CONDITIONS))
    if condition is not None:
        out["Condition"] = condition
    return out


@settings(max_examples=150, deadline=None)
@given(
    st.lists(st.lists(_statement(), min_size=1, max_size=4), min_size=1, max_size=3),
    st.sampled_from(["lambda:InvokeFunction", "lambda:GetPolicy", "s3:GetObject"]),
    st.sampled_from(["10.1.2.3", "192.0.2.1"]),
)
def test_relevant_is_full_restricted_to_statements_matching_the_action(
    documents: list[list[dict[str, Any]]], action: str, ip: str
) -> None:
    """Whatever the policies: the same decision and deciders at every level, and "relevant" lists
    exactly the statements whose Action/NotAction element matched in the full explanation."""
    ps = PolicySet(
        identity=tuple(pol(f"p{i}", *d) for i, d in enumerate(documents[1:])),
        scps=((pol("scp", *documents[0]),),),
    )
    request = Request(parse_principal(ROLE), action, FN, context={"aws:SourceIp": ip})
    fast = evaluate(request, ps, explain=False)
    full = evaluate(request, ps, explain="full")
    rel = evaluate(request, ps, explain="relevant")
    assert fast.decision is full.decision is rel.decision
    assert fast.decided_by == full.decided_by == rel.decided_by
    assert full.explanation is not None and rel.explanation is not None
    assert rel.explanation.summary == full.explanation.summary
    assert rel.explanation.layers == full.explanation.layers
    for fp, rp in zip(full.explanation.policies, rel.explanation.policies, strict=True):
        wanted = tuple(s for s in fp.statements if s.elements[0].matched)
        assert rp.statements == wanted
        assert rp.statements_not_matching_action == len(fp.statements) - len(wanted)
