"""Drawing without colour (``NO_COLOR``, ``--color none``): the terminal's own foreground and background.

Textual's own no-colour filter for a truecolor theme turns every colour into a grey of the same luminance,
so red on a dark panel became grey 59 on grey 39 — a contrast of 1.3:1, the denial nearly invisible. Here
colour is dropped instead: every cell uses the terminal's default colours, and what colour would have
said is carried by bold, underline and reverse (the cursor rows, the active tab: ``app.tcss``). Dim is
dropped too: a faint line is exactly the low contrast a user without colour cannot afford.
https://no-color.org
"""

from __future__ import annotations

from functools import lru_cache

from rich.segment import Segment
from rich.style import Style
from textual.color import Color
from textual.filter import LineFilter


@lru_cache(maxsize=1024)
def ink_only(style: Style) -> Style:
    """``style`` with its colours set to the terminal's defaults and dim removed; other attributes kept."""
    return Style(
        color="default",
        bgcolor="default",
        bold=style.bold,
        italic=style.italic,
        underline=style.underline,
        reverse=style.reverse,
        strike=style.strike,
    )


class TerminalDefaults(LineFilter):
    """A line filter drawing every segment in the terminal's default colours (see the module docstring)."""

    def apply(self, segments: list[Segment], background: Color) -> list[Segment]:
        """The segments with ``ink_only`` styles (control segments are kept as they are)."""
        return [
            Segment(text, None if style is None else ink_only(style), control)
            for text, style, control in segments
        ]
