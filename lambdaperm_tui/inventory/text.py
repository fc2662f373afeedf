"""Untrusted text made inert for display: ``inert(text)`` is what the UI and the CLI show of any string
that came from an AWS account or a file.

Names, descriptions, tags, Sids, condition values, policy JSON, failure reasons and error messages are
chosen by whoever wrote them into the account (or the snapshot). Shown raw, they could drive the
operator's terminal (``ESC ] 52`` rewrites the clipboard, ``ESC [ 2J`` clears the screen), reorder what
is around them (bidi overrides such as U+202E), hide characters (zero-width joiners) or freeze a screen
with a 10 MB description. ``inert`` returns a string that can do none of that:

- every character that is not printable text is shown as a visible backslash escape, the form Python's
  ``repr`` and the CLI's ``backslashreplace`` use: ``\\x1b`` (C0 controls, DEL and C1 controls),
  ``\\u202e`` (bidi embeddings, overrides and isolates, U+200E/U+200F/U+061C marks, zero-width and other
  format characters, line/paragraph separators, unassigned code points, lone surrogates),
  ``\\U000e0041`` (outside the BMP). Newline and tab are kept where a layout can take them
  (``multiline=True``); elsewhere they are escaped too. Visible spaces (U+00A0 ...) and private-use
  characters are kept: they neither control the terminal nor reorder text.
- a string longer than ``limit`` characters is cut, with a marker saying how many characters were left
  out, before anything else is done, so the cost of showing a string is bounded whatever its size.

A backslash is left as it is, so a name that holds the four characters ``\\x1b`` reads the same as one that
holds ESC; both are harmless, and the exact value is still in the inventory (``--json`` output, the
snapshot). The escapes are plain ASCII, so Rich markup cannot be formed by them; callers still build
``rich.text.Text`` from the result (never markup), see ``ui/render.py``.

It lives in ``inventory`` (stdlib only) because that is the lowest layer whose data is shown and the one
every displaying layer already imports: ``aws`` (error excerpts), ``ui`` and ``cli``. The inventory
itself keeps the exact strings: the engine must compare the real names, so this is applied where text
is drawn, never to the data.
"""

from __future__ import annotations

import re
import unicodedata

# One line of a list, a fact, a table cell: AWS's own limits are far below (names 64-140 characters,
# ARNs and descriptions up to 2,048, tag values 256); anything longer is hostile or broken.
LINE_LIMIT = 2_000
# A whole policy document (raw JSON view, editor): Lambda resource policies reach 20 KB.
DOCUMENT_LIMIT = 100_000

# Categories shown as escapes: controls, format characters (bidi, zero-width), surrogates, unassigned,
# line and paragraph separators. Other non-printables (Zs spaces, Co private use) display harmlessly.
_ESCAPED_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Cn", "Zl", "Zp"})
# Runs of anything outside printable ASCII: only those are looked at character by character.
_NOT_ASCII_TEXT = re.compile(r"[^\x20-\x7e]+")


def _escape(ch: str) -> str:
    code = ord(ch)
    if code < 0x100:
        return f"\\x{code:02x}"
    if code < 0x10000:
        return f"\\u{code:04x}"
    return f"\\U{code:08x}"


def _run(match: re.Match[str], keep: str) -> str:
    out = []
    for ch in match.group(0):
        if ch in keep or (ch.isprintable() or unicodedata.category(ch) not in _ESCAPED_CATEGORIES):
            out.append(ch)
        else:
            out.append(_escape(ch))
    return "".join(out)


def cut_marker(cut: int) -> str:
    """What ``inert`` appends to a string it cut: how many characters were left out."""
    return f" … ({cut:,} more characters not shown)"


def inert(text: str, *, multiline: bool = False, limit: int = LINE_LIMIT) -> str:
    """``text`` safe to show on a terminal: control, bidi and invisible characters as visible escapes
    (``\\x1b``, ``\\u202e``), newline and tab kept only when ``multiline``, and at most ``limit``
    characters of it (then a marker saying how many more were cut)."""
    cut = len(text) - limit
    if cut > 0:
        text = text[:limit]
    elif text.isprintable():  # the common case: nothing to do, at C speed
        return text
    keep = "\n\t" if multiline else ""
    shown = _NOT_ASCII_TEXT.sub(lambda m: _run(m, keep), text)
    return shown + cut_marker(cut) if cut > 0 else shown


__all__ = ["DOCUMENT_LIMIT", "LINE_LIMIT", "cut_marker", "inert"]
