"""The simulator's short explanation lines: verdict first, own-account ARNs shortened, others kept whole."""

from __future__ import annotations

from lambdaperm_tui.iam.result import ConditionMatch, Element, ElementMatch, Grant, MatchReason
from lambdaperm_tui.ui.explain import condition_full, condition_label, element_full, element_label, short_arns

OWN = "123456789012"


def test_own_account_arns_are_shortened_and_other_accounts_kept() -> None:
    text = (
        f"arn:aws:iam::{OWN}:role/orders arn:aws:lambda:us-east-1:{OWN}:function:f:prod "
        "arn:aws:iam::999988887777:role/partner arn:aws:iam::aws:policy/service-role/AWSLambdaRole"
    )
    assert short_arns(text, OWN) == (
        "role/orders us-east-1:function:f:prod arn:aws:iam::999988887777:role/partner "
        "AWSLambdaRole (AWS managed)"
    )
    # Without an account nothing but AWS managed policy ARNs changes.
    assert short_arns(f"arn:aws:iam::{OWN}:role/orders", "") == f"arn:aws:iam::{OWN}:role/orders"


def test_a_principal_mismatch_reads_request_then_what_the_policy_names() -> None:
    m = ElementMatch(
        Element.PRINCIPAL,
        False,
        MatchReason.MATCHES_NONE,
        f"arn:aws:iam::{OWN}:role/orders-api-role",
        ("events.amazonaws.com",),
        principal_keys=("Service",),
    )
    assert element_label(m, OWN).plain == "✘ Principal  role/orders-api-role ≠ Service events.amazonaws.com"
    assert element_full(m).plain == (
        f'✘ Principal: "arn:aws:iam::{OWN}:role/orders-api-role" matches none of '
        '{"Service": "events.amazonaws.com"}'
    )


def test_a_principal_named_as_itself_says_how_it_was_granted() -> None:
    arn = f"arn:aws:iam::{OWN}:role/r"
    m = ElementMatch(Element.PRINCIPAL, True, MatchReason.MATCHES, arn, (arn,), 0, ("AWS",), Grant.ROLE)
    assert element_label(m, OWN).plain == (
        "✔ Principal  role/r — names the role (limited by the session's boundary and session policy)"
    )
    root = ElementMatch(Element.PRINCIPAL, True, MatchReason.MATCHES, arn, (OWN,), 0, ("AWS",), Grant.ACCOUNT)
    assert element_label(root, OWN).plain == (
        f"✔ Principal  role/r matches AWS {OWN} "
        "(names the account, which only delegates to identity policies)"
    )
    caller = ElementMatch(Element.PRINCIPAL, True, MatchReason.MATCHES, arn, ("*",), 0, ("*",), Grant.CALLER)
    assert element_label(caller, OWN).plain == "✔ Principal  role/r matches *"


def test_action_and_not_resource_lines_show_the_pattern_that_decided() -> None:
    action = ElementMatch(
        Element.ACTION, True, MatchReason.MATCHES, "lambda:InvokeFunction", ("s3:*", "lambda:Invoke*"), 1
    )
    assert element_label(action, OWN).plain == "✔ Action  lambda:InvokeFunction matches lambda:Invoke*"
    fn = f"arn:aws:lambda:us-east-1:{OWN}:function:f"
    excluded = ElementMatch(Element.NOT_RESOURCE, False, MatchReason.EXCLUDED, fn, ("*:other", fn), 1)
    assert element_label(excluded, OWN).plain == (
        "✘ NotResource  us-east-1:function:f excluded by us-east-1:function:f"
    )
    not_listed = ElementMatch(
        Element.NOT_ACTION, True, MatchReason.NOT_LISTED, "lambda:GetFunction", ("iam:*",)
    )
    assert element_label(not_listed, OWN).plain == "✔ NotAction  lambda:GetFunction not in iam:*"


def test_elements_without_a_comparison_show_the_renderer_sentence() -> None:
    m = ElementMatch(
        Element.NOT_PRINCIPAL,
        False,
        MatchReason.NOT_PRINCIPAL_WITH_ALLOW,
        f"arn:aws:iam::{OWN}:user/u",
        ("x",),
        principal_keys=("AWS",),
    )
    assert element_label(m, OWN).plain.startswith("✘ NotPrincipal  NotPrincipal with Allow is not supported")


def test_condition_line_puts_the_request_value_first_and_keeps_both_sides_in_full() -> None:
    c = ConditionMatch(
        operator="ArnLike",
        key="AWS:SourceArn",
        policy_values=(f"arn:aws:execute-api:us-east-1:{OWN}:abc/*/*/orders",),
        request_values=None,
        matched=False,
    )
    assert condition_label(c, OWN).plain == (
        "✘ AWS:SourceArn (absent) vs ArnLike execute-api:us-east-1:abc/*/*/orders"
    )
    assert condition_full(c).plain == (
        "✘ ArnLike AWS:SourceArn: policy "
        f'["arn:aws:execute-api:us-east-1:{OWN}:abc/*/*/orders"] vs request (absent)'
    )


def test_an_open_condition_reads_unknown_not_absent() -> None:
    c = ConditionMatch("Bool", "aws:MultiFactorAuthPresent", ("true",), None, False, open=True)
    assert condition_label(c, OWN).plain == "✘ aws:MultiFactorAuthPresent (unknown) vs Bool true"
    assert condition_full(c).plain.endswith("vs request (unknown: the answer is conditional on it)")
