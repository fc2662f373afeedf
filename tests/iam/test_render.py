"""The engine's one renderer of words (iam/render.py): the four-way verdict of a need or a trigger and a
deciding statement, as the CLI and the explorer both write them."""

from __future__ import annotations

import pytest

from lambdaperm_tui.iam.render import ASCII_SYMBOLS, deciding_statement_words, verdict_words
from lambdaperm_tui.iam.result import DecidingStatement


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


def test_a_deciding_statement_in_words() -> None:
    with_sid = DecidingStatement("identity", "exec", 2, "Logs", "Allow")
    assert deciding_statement_words(with_sid) == 'identity policy "exec" statement 2 (Sid "Logs"): Allow'
    without = DecidingStatement("resource", "billing:prod", 0, None, "Deny")
    assert deciding_statement_words(without) == 'resource policy "billing:prod" statement 0: Deny'
