"""The engine's one renderer of words (iam/render.py): the four-way verdict of a need or a trigger and a
deciding statement, as the CLI and the explorer both write them."""

from __future__ import annotations

import pytest

from lambdaperm_tui.iam.principal import parse_principal
from lambdaperm_tui.iam.render import (
    ASCII_SYMBOLS,
    deciding_statement_words,
    decision_reason_words,
    decision_words,
    statement_words,
    verdict_words,
)
from lambdaperm_tui.iam.result import BlockedBy, DecidingStatement, DecisionReason


@pytest.mark.parametrize(
    ("verdict", "words", "ascii"),
    [
        ("allowed", "✔ ALLOWED", "+ ALLOWED"),
        ("denied", "✘ DENIED", "x DENIED"),
        ("conditional", "◐ ALLOWED IF", "~ ALLOWED IF"),
        ("unknown", "? UNKNOWN", "? UNKNOWN"),
        ("anything else", "? UNKNOWN", "? UNKNOWN"),  # never claims more than it knows
    ],
)
def test_verdict_words_carry_a_symbol_and_a_word(verdict: str, words: str, ascii: str) -> None:
    assert verdict_words(verdict) == words
    assert verdict_words(verdict, ASCII_SYMBOLS) == ascii


@pytest.mark.parametrize(
    ("decision", "head"),
    [
        ("allowed", "✔ ALLOWED"),
        ("explicit_deny", "✘ DENIED"),
        ("implicit_deny", "✘ DENIED"),
        ("conditional", "◐ ALLOWED IF"),
        ("unknown", "? UNKNOWN"),
    ],
)
def test_a_decision_and_its_verdict_share_mark_and_word(decision: str, head: str) -> None:
    # One table for the engine's decisions and the needs' and triggers' verdicts: the CLI and the
    # explorer write every answer with the same mark and word, then its reason.
    assert verdict_words(decision) == head
    full = decision_words(decision, blocked_by=BlockedBy.BOUNDARY)
    assert full == head or full.startswith(head + " ")
    assert decision_words("explicit_deny") == "✘ DENIED (explicit deny)"
    assert decision_words("implicit_deny", blocked_by=BlockedBy.BOUNDARY) == (
        "✘ DENIED (implicit deny: blocked by the permissions boundary)"
    )


def test_a_deciding_statement_in_words() -> None:
    with_sid = DecidingStatement("identity", "exec", 2, "Logs", "Allow")
    assert deciding_statement_words(with_sid) == 'identity policy "exec" statement 2 (Sid "Logs"): Allow'
    without = DecidingStatement("resource", "billing:prod", 0, None, "Deny")
    assert deciding_statement_words(without) == 'resource policy "billing:prod" statement 0: Deny'


def test_each_decision_reason_has_its_own_clause() -> None:
    """The engine hands the renderer a code (result.DecisionReason), never a sentence: every code
    has words, and no two codes share them (a code the renderer forgot would fall into another's)."""
    role = parse_principal("arn:aws:iam::111122223333:role/app")
    clauses = {decision_reason_words(r, role, None) for r in DecisionReason}
    assert len(clauses) == len(DecisionReason)


@pytest.mark.parametrize(
    ("reason", "blocked_by", "words"),
    [
        (
            DecisionReason.CROSS_IDENTITY_SIDE_MISSING,
            BlockedBy.IDENTITY,
            "cross-account: the resource policy allows but no identity policy does",
        ),
        (
            DecisionReason.CROSS_IDENTITY_SIDE_MISSING,
            BlockedBy.BOUNDARY,
            "cross-account: the resource policy allows but the permissions boundary has no Allow",
        ),
        (
            DecisionReason.SAME_ROLE_GRANT_LIMITED,
            BlockedBy.SESSION_POLICY,
            "the resource policy allows the role, but that grant is limited by the session policy, "
            "which has no Allow",
        ),
        (
            DecisionReason.SAME_NO_ALLOW,
            BlockedBy.NO_ALLOW,
            "no identity policy allows, and the resource policy does not",
        ),
        (
            DecisionReason.SAME_NO_ALLOW_NO_RESOURCE_POLICY,
            BlockedBy.SESSION_POLICY,
            "an identity policy allows but the session policy has no Allow, and there is no resource policy",
        ),
    ],
)
def test_a_denial_reason_names_what_the_blocking_layer_lacks(
    reason: DecisionReason, blocked_by: BlockedBy, words: str
) -> None:
    role = parse_principal("arn:aws:iam::111122223333:role/app")
    assert decision_reason_words(reason, role, blocked_by) == words


def test_a_statement_in_words_names_its_sid_when_it_has_one() -> None:
    assert statement_words("exec", 0, "Logs") == 'exec statement 0 ("Logs")'
    assert statement_words("exec", 3, None) == "exec statement 3"
