"""``inventory.text.inert``: what the UI and the CLI show of untrusted text (issue 7, items 7 and 11)."""

from __future__ import annotations

import time

from lambdaperm_tui.inventory.text import LINE_LIMIT, cut_marker, inert
from tests.hostile import EVIL, TEXT, leaks


def test_controls_become_visible_escapes() -> None:
    assert inert("a\x1b]52;c;SGk=\x07b") == "a\\x1b]52;c;SGk=\\x07b"  # OSC 52 (clipboard write)
    assert inert("\x1b[2J") == "\\x1b[2J"  # clear screen
    assert inert("\x9b31m\x85\x7f\x00") == "\\x9b31m\\x85\\x7f\\x00"  # C1 CSI, NEL, DEL, NUL


def test_bidi_and_invisible_format_characters_are_escaped() -> None:
    # Overrides/embeddings U+202A-E, isolates U+2066-9, marks U+200E/F and U+061C, zero-width space,
    # line/paragraph separators, a tag character, a lone surrogate.
    for ch in ["\u202a", "\u202e", "\u2066", "\u2069", "\u200e", "\u200f", "\u061c", "\u200b", "\u2028"]:
        assert inert(f"a{ch}b") == f"a\\u{ord(ch):04x}b"
    assert inert("\U000e0041") == "\\U000e0041"
    assert inert("\ud800") == "\\ud800"


def test_printable_text_is_unchanged() -> None:
    for text in ["billing-export", "Zürich 漢字 ñ", "[bold red]x[/]", "a\u00a0b", "\ue000"]:
        assert inert(text) == text


def test_newline_and_tab_only_where_a_layout_takes_them() -> None:
    assert inert("a\nb\tc") == "a\\x0ab\\x09c"
    assert inert("a\nb\tc", multiline=True) == "a\nb\tc"
    assert inert("a\r\nb", multiline=True) == "a\\x0d\nb"


def test_every_hostile_string_leaves_nothing_raw() -> None:
    for text in (EVIL, TEXT):
        assert not leaks(inert(text))
        assert not leaks(inert(text, multiline=True).replace("\n", "").replace("\t", ""))


def test_huge_strings_are_cut_first_with_a_marker() -> None:
    huge = "d" * 10_000_000
    start = time.perf_counter()
    shown = inert(huge)
    took = time.perf_counter() - start
    assert shown == "d" * LINE_LIMIT + cut_marker(10_000_000 - LINE_LIMIT)
    assert "9,998,000 more characters not shown" in shown
    assert took < 0.5  # bounded by the limit, not the size (generous: a loaded 2-core machine)
    assert inert("x" * 20, limit=5) == "xxxxx … (15 more characters not shown)"
    assert inert("x" * 5, limit=5) == "xxxxx"
