"""The simulator's short explanation lines: verdict first, own-account ARNs shortened, others kept whole."""

from __future__ import annotations

from types import SimpleNamespace

from lambdaperm_tui.ui.explain import condition_full, condition_label, element_label, short_arns

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
    detail = (
        f'"arn:aws:iam::{OWN}:role/orders-api-role" matches none of {{"Service": "events.amazonaws.com"}}'
    )
    assert element_label("Principal", False, detail, OWN).plain == (
        "✘ Principal  role/orders-api-role ≠ Service events.amazonaws.com"
    )


def test_a_principal_named_as_itself_says_how_it_was_granted() -> None:
    arn = f"arn:aws:iam::{OWN}:role/r"
    detail = f'"{arn}" matches {{"AWS": "{arn}"}} (names the role)'
    assert element_label("Principal", True, detail, OWN).plain == "✔ Principal  role/r — names the role"
    root = f'"{arn}" matches {{"AWS": "{OWN}"}} (the account)'
    assert (
        element_label("Principal", True, root, OWN).plain
        == f"✔ Principal  role/r matches AWS {OWN} (the account)"
    )


def test_unparsed_details_are_kept_not_dropped() -> None:
    assert element_label("NotPrincipal", False, "an Allow with NotPrincipal", OWN).plain == (
        "✘ NotPrincipal  an Allow with NotPrincipal"
    )


def test_condition_line_puts_the_request_value_first_and_keeps_both_sides_in_full() -> None:
    c = SimpleNamespace(
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
