"""The explanation is data: each element's match (which element, matched or not, why, the request's
value, the patterns and the one that decided), each condition's (operator, key, policy and request
values), each layer's verdict as an enum; English is written from it by ``iam/render.py`` alone, and
``--json`` carries the same fields (``docs/result.schema.json``).

Element semantics: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_action.html,
.../reference_policies_elements_notaction.html, .../reference_policies_elements_resource.html,
.../reference_policies_elements_notresource.html, .../reference_policies_elements_principal.html,
.../reference_policies_elements_notprincipal.html, .../reference_policies_elements_condition.html
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from lambdaperm_tui.iam import Decision, PolicySet, Request, evaluate, parse_policy, parse_principal
from lambdaperm_tui.iam.policy import Policy
from lambdaperm_tui.iam.render import element_words, layer_name
from lambdaperm_tui.iam.result import (
    Element,
    ElementMatch,
    Grant,
    LayerKind,
    MatchReason,
    Result,
    Verdict,
    result_json_text,
)

from ..cli.test_result_schema import SCHEMA, errors

A = "111122223333"
B = "444455556666"
FN = f"arn:aws:lambda:us-east-1:{A}:function:billing"
OTHER_FN = f"arn:aws:lambda:us-east-1:{A}:function:orders"
ROLE = f"arn:aws:iam::{A}:role/orders-api"
SESSION = f"arn:aws:sts::{A}:assumed-role/orders-api/s1"
USER = f"arn:aws:iam::{A}:user/alice"
INVOKE = "lambda:InvokeFunction"


def pol(name: str, *statements: dict[str, Any]) -> Policy:
    return parse_policy({"Version": "2012-10-17", "Statement": list(statements)}, name)


def run(principal: str, ps: PolicySet, **kw: Any) -> Result:
    result = evaluate(Request(parse_principal(principal), INVOKE, FN, **kw), ps)
    # Whatever the case, the JSON is valid against the schema and the fast writer agrees with to_json.
    assert errors(result.to_json(), SCHEMA) == []
    assert json.loads(result_json_text(result)) == result.to_json()
    return result


def element(result: Result, policy_type: str, index: int, which: Element) -> ElementMatch:
    assert result.explanation is not None
    pol_ = next(p for p in result.explanation.policies if p.policy_type == policy_type)
    st = next(s for s in pol_.statements if s.index == index)
    return next(e for e in st.elements if e.element is which)


def test_action_matches_and_matches_none() -> None:
    ps = PolicySet(
        identity=(
            pol(
                "id",
                {"Effect": "Allow", "Action": ["s3:*", "lambda:Invoke*"], "Resource": "*"},
                {"Effect": "Allow", "Action": ["s3:GetObject", "sqs:*"], "Resource": "*"},
            ),
        )
    )
    r = run(ROLE, ps)
    hit = element(r, "identity", 0, Element.ACTION)
    assert (hit.matched, hit.reason, hit.value, hit.patterns, hit.hit, hit.pattern) == (
        True,
        MatchReason.MATCHES,
        INVOKE,
        ("s3:*", "lambda:Invoke*"),
        1,
        "lambda:Invoke*",
    )
    assert element_words(hit) == '"lambda:InvokeFunction" matches "lambda:Invoke*"'
    miss = element(r, "identity", 1, Element.ACTION)
    assert (miss.matched, miss.reason, miss.hit, miss.pattern) == (
        False,
        MatchReason.MATCHES_NONE,
        None,
        None,
    )
    assert element_words(miss) == '"lambda:InvokeFunction" matches none of "s3:GetObject", "sqs:*"'


def test_not_action_excluded_and_not_listed() -> None:
    ps = PolicySet(
        identity=(
            pol(
                "id",
                {"Effect": "Allow", "NotAction": ["iam:*", "lambda:Invoke*"], "Resource": "*"},
                {"Effect": "Allow", "NotAction": "iam:*", "Resource": "*"},
            ),
        )
    )
    r = run(ROLE, ps)
    excluded = element(r, "identity", 0, Element.NOT_ACTION)
    assert (excluded.matched, excluded.reason, excluded.hit) == (False, MatchReason.EXCLUDED, 1)
    assert element_words(excluded) == '"lambda:InvokeFunction" is excluded by NotAction "lambda:Invoke*"'
    listed = element(r, "identity", 1, Element.NOT_ACTION)
    assert (listed.matched, listed.reason, listed.patterns) == (True, MatchReason.NOT_LISTED, ("iam:*",))
    assert element_words(listed) == '"lambda:InvokeFunction" is not among NotAction "iam:*"'


def test_resource_and_not_resource() -> None:
    ps = PolicySet(
        identity=(
            pol(
                "id",
                {
                    "Effect": "Allow",
                    "Action": "*",
                    "Resource": [OTHER_FN, f"arn:aws:lambda:*:{A}:function:bill*"],
                },
                {"Effect": "Allow", "Action": "*", "Resource": OTHER_FN},
                {"Effect": "Allow", "Action": "*", "NotResource": FN},
                {"Effect": "Allow", "Action": "*", "NotResource": OTHER_FN},
            ),
        )
    )
    r = run(ROLE, ps)
    hit = element(r, "identity", 0, Element.RESOURCE)
    assert (hit.matched, hit.reason, hit.value, hit.hit) == (True, MatchReason.MATCHES, FN, 1)
    miss = element(r, "identity", 1, Element.RESOURCE)
    assert (miss.matched, miss.reason) == (False, MatchReason.MATCHES_NONE)
    assert element_words(miss) == f'"{FN}" matches none of "{OTHER_FN}"'
    excluded = element(r, "identity", 2, Element.NOT_RESOURCE)
    assert (excluded.matched, excluded.reason, excluded.pattern) == (False, MatchReason.EXCLUDED, FN)
    assert element_words(excluded) == f'"{FN}" is excluded by NotResource "{FN}"'
    listed = element(r, "identity", 3, Element.NOT_RESOURCE)
    assert (listed.matched, listed.reason) == (True, MatchReason.NOT_LISTED)


@pytest.mark.parametrize(
    ("principal", "entry", "grant", "words"),
    [
        (USER, {"AWS": USER}, Grant.CALLER, "matches"),
        (
            SESSION,
            {"AWS": ROLE},
            Grant.ROLE,
            "names the role (limited by the session's boundary and session policy)",
        ),
        (SESSION, {"AWS": A}, Grant.ACCOUNT, "names the account, which only delegates to identity policies"),
    ],
)
def test_principal_match_says_how_the_entry_names_the_caller(
    principal: str, entry: dict[str, str], grant: Grant, words: str
) -> None:
    """Principal element, same account: a grant naming the caller, its role, or its account
    (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html)."""
    res = pol("fn", {"Effect": "Allow", "Principal": entry, "Action": INVOKE, "Resource": FN})
    r = run(principal, PolicySet(resource=res))
    m = element(r, "resource", 0, Element.PRINCIPAL)
    ((key, value),) = entry.items()
    assert (m.matched, m.reason, m.value, m.patterns, m.principal_keys, m.hit, m.grant) == (
        True,
        MatchReason.MATCHES,
        principal,
        (value,),
        (key,),
        0,
        grant,
    )
    assert element_words(m) == f'"{principal}" matches {{"{key}": "{value}"}} ({words})'
    body = r.to_json()["explanation"]["policies"][0]["statements"][0]["elements"][2]
    assert (body["reason"], body["grant"], body["patterns"], body["principal_keys"]) == (
        "matches",
        grant.value,
        [value],
        [key],
    )


def test_principal_none_and_no_principal() -> None:
    res = pol(
        "fn",
        {
            "Effect": "Allow",
            "Principal": {"Service": "sns.amazonaws.com", "AWS": B},
            "Action": INVOKE,
            "Resource": FN,
        },
        {"Effect": "Allow", "Action": INVOKE, "Resource": FN},
    )
    r = run(ROLE, PolicySet(resource=res))
    none = element(r, "resource", 0, Element.PRINCIPAL)
    assert (none.matched, none.reason, none.hit) == (False, MatchReason.MATCHES_NONE, None)
    assert sorted(zip(none.principal_keys, none.patterns, strict=True)) == [
        ("AWS", B),
        ("Service", "sns.amazonaws.com"),
    ]
    missing = element(r, "resource", 1, Element.PRINCIPAL)
    assert (missing.matched, missing.reason, missing.patterns) == (False, MatchReason.NO_PRINCIPAL, ())
    assert element_words(missing) == "the statement has no Principal element, so it grants no one"


def test_wildcard_principal_is_written_bare() -> None:
    res = pol("fn", {"Effect": "Allow", "Principal": "*", "Action": INVOKE, "Resource": FN})
    m = element(run(ROLE, PolicySet(resource=res)), "resource", 0, Element.PRINCIPAL)
    assert (m.principal_keys, m.grant) == (("*",), Grant.CALLER)
    assert element_words(m) == f'"{ROLE}" matches "*" (matches)'


def test_not_principal_reasons() -> None:
    """NotPrincipal: a Deny exempts the caller only when every identity it is checked as is listed, and
    always applies to a principal with a permissions boundary; with Allow AWS gives no rule
    (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_notprincipal.html)."""
    everything = pol("id", {"Effect": "Allow", "Action": "*", "Resource": "*"})

    def deny(*names: str) -> Policy:
        return pol(
            "fn",
            {"Effect": "Deny", "NotPrincipal": {"AWS": list(names)}, "Action": INVOKE, "Resource": FN},
            {"Effect": "Allow", "NotPrincipal": {"AWS": B}, "Action": INVOKE, "Resource": FN},
        )

    exempt = run(USER, PolicySet(identity=(everything,), resource=deny(USER, A)))
    m = element(exempt, "resource", 0, Element.NOT_PRINCIPAL)
    assert (m.matched, m.reason) == (False, MatchReason.EXCLUDED)
    applies = run(USER, PolicySet(identity=(everything,), resource=deny(USER)))
    m = element(applies, "resource", 0, Element.NOT_PRINCIPAL)
    assert (m.matched, m.reason) == (True, MatchReason.NOT_EXEMPTED)
    assert applies.decision is Decision.EXPLICIT_DENY
    bounded = run(USER, PolicySet(identity=(everything,), boundary=everything, resource=deny(USER, A)))
    m = element(bounded, "resource", 0, Element.NOT_PRINCIPAL)
    assert (m.matched, m.reason) == (True, MatchReason.BOUNDARY_NOT_EXEMPT)
    assert "permissions boundary" in element_words(m)
    m = element(bounded, "resource", 1, Element.NOT_PRINCIPAL)
    assert (m.matched, m.reason) == (False, MatchReason.NOT_PRINCIPAL_WITH_ALLOW)


def test_condition_results_carry_operator_key_and_both_sides() -> None:
    ps = PolicySet(
        identity=(
            pol(
                "id",
                {
                    "Effect": "Allow",
                    "Action": "*",
                    "Resource": "*",
                    "Condition": {
                        "IpAddress": {"aws:SourceIp": ["10.0.0.0/8"]},
                        "Bool": {"aws:MultiFactorAuthPresent": "true"},
                    },
                },
            ),
        )
    )
    closed = run(ROLE, ps, context={"aws:SourceIp": "10.1.2.3"})
    assert closed.explanation is not None
    conds = {c.key: c for c in closed.explanation.policies[0].statements[0].conditions}
    ip, mfa = conds["aws:SourceIp"], conds["aws:MultiFactorAuthPresent"]
    assert (ip.operator, ip.policy_values, ip.request_values, ip.matched, ip.open) == (
        "IpAddress",
        ("10.0.0.0/8",),
        ("10.1.2.3",),
        True,
        False,
    )
    assert (mfa.request_values, mfa.matched, mfa.open) == (None, False, False)
    opened = run(ROLE, ps, context={"aws:SourceIp": "10.1.2.3"}, open_context=True)
    assert opened.decision is Decision.CONDITIONAL and opened.explanation is not None
    (mfa,) = [c for c in opened.explanation.policies[0].statements[0].conditions if c.open]
    assert (mfa.key, mfa.request_values, mfa.matched) == ("aws:MultiFactorAuthPresent", None, False)


def test_layers_are_kinds_levels_and_verdicts() -> None:
    full = pol("FullAWSAccess", {"Effect": "Allow", "Action": "*", "Resource": "*"})
    s3 = pol("s3-only", {"Effect": "Allow", "Action": "s3:*", "Resource": "*"})
    r = run(ROLE, PolicySet(identity=(full,), scps=((full,), (s3,))))
    assert r.explanation is not None
    got = [(x.kind, x.level, x.verdict) for x in r.explanation.layers]
    assert got == [
        (LayerKind.EXPLICIT_DENY, None, Verdict.NO_DENY),
        (LayerKind.SCP, 0, Verdict.ALLOWS),
        (LayerKind.SCP, 1, Verdict.NO_ALLOW),
        (LayerKind.RCP, None, Verdict.NONE),
        (LayerKind.RESOURCE, None, Verdict.NONE),
        (LayerKind.IDENTITY, None, Verdict.ALLOWS),
        (LayerKind.BOUNDARY, None, Verdict.NONE),
        (LayerKind.SESSION, None, Verdict.NONE),
        (LayerKind.DECISION, None, Verdict.IMPLICIT_DENY),
    ]
    assert [layer_name(x) for x in r.explanation.layers][:4] == [
        "explicit deny",
        "SCP level 0",
        "SCP level 1",
        "RCPs",
    ]
    assert [x.verdict.blocks for x in r.explanation.layers][:3] == [False, False, True]
    layers = r.to_json()["explanation"]["layers"]
    assert layers[2] == {
        "layer": "SCP level 1",
        "kind": "scp",
        "level": 1,
        "verdict": "no Allow",
        "note": "no SCP at level 1 allows lambda:InvokeFunction",
    }


@pytest.mark.parametrize(
    ("enum", "definition", "field"),
    [
        (Element, "element", "element"),
        (MatchReason, "element", "reason"),
        (LayerKind, "layer", "kind"),
        (Verdict, "layer", "verdict"),
    ],
)
def test_the_schema_lists_exactly_the_enum_values(enum: Any, definition: str, field: str) -> None:
    assert SCHEMA["$defs"][definition]["properties"][field]["enum"] == [m.value for m in enum]


def test_the_schema_lists_exactly_the_grants() -> None:
    assert SCHEMA["$defs"]["element"]["properties"]["grant"]["enum"] == [None, *[g.value for g in Grant]]
