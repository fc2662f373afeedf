"""Contrast without colour and in 16 colours, measured on the screen as exported (issue 9, 8).

The SVG is ``App.export_screenshot()``: every text run with its fill colour and the background cell under
it. Contrast is WCAG's: https://www.w3.org/TR/WCAG21/#dfn-contrast-ratio (4.5:1 is the minimum for text,
3:1 for graphical objects such as tree guides, https://www.w3.org/TR/WCAG21/#non-text-contrast).
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from typing import Any

import pytest
from textual.widgets import DataTable, Input

from lambdaperm_tui.ui.app import LambdaPermApp
from lambdaperm_tui.ui.screens.simulator import SimulatorScreen
from lambdaperm_tui.ui.screens.who_can import WhoCanScreen

from .helpers import build_app, loaded, wait_for, wait_for_screen
from .inventory_fixture import ORDERS_ROLE

SIZE = (80, 24)
GUIDES = "│├└┃┣┗"


@dataclass(frozen=True)
class Run:
    """A run of text as drawn: its line, text, and colours."""

    line: int
    text: str
    fill: str
    background: str

    @property
    def contrast(self) -> float:
        """WCAG contrast ratio of the text's colour on its background."""
        light, dark = sorted((luminance(self.fill), luminance(self.background)), reverse=True)
        return (light + 0.05) / (dark + 0.05)


def luminance(colour: str) -> float:
    """WCAG relative luminance of ``#rrggbb``."""
    channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    r, g, b = (c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def runs(svg: str) -> list[Run]:
    """Every non-blank text run of a Rich SVG export, with the background cell it is drawn on."""
    fills = dict(re.findall(r"\.(terminal-(?:\d+-)?r\d+) \{ fill: (#[0-9a-f]{6})", svg))
    match = re.search(r'<rect fill="(#[0-9a-f]{6})" stroke', svg)
    assert match is not None, "no terminal frame in the SVG"
    frame: str = match.group(1)  # cells with the default background have no rect of their own
    tops = [
        float(y)
        for y in re.findall(r'<clipPath id="terminal-(?:\d+-)?line-\d+">\s*<rect x="0" y="([\d.]+)"', svg)
    ]
    step = tops[1] - tops[0]
    cells: dict[tuple[float, int], str] = {
        (float(x), round((float(y) - tops[0]) / step)): fill
        for fill, x, y in re.findall(r'<rect fill="(#[0-9a-f]{6})" x="([\d.]+)" y="([\d.]+)"', svg)
    }
    out = []
    pattern = (
        r'<text class="(terminal-(?:\d+-)?r\d+)" x="([\d.]+)" y="[\d.]+" textLength="[\d.]+" '
        r'clip-path="url\(#terminal-(?:\d+-)?line-(\d+)\)">([^<]*)</text>'
    )
    for cls, x, line, raw in re.findall(pattern, svg):
        text = html.unescape(raw).replace("\xa0", " ")
        if text.strip():
            out.append(Run(int(line), text, fills[cls], cells.get((float(x), int(line)), frame)))
    return out


async def _screens(pilot: Any, app: LambdaPermApp) -> list[tuple[str, str]]:
    """The explorer, an expanded row, a denial in the simulator and a who-can table, each exported."""
    shots = []
    await wait_for(pilot, lambda: loaded(app) and app.main.current is not None)
    await pilot.press("l")  # billing: its alias and version, with tree guides
    await pilot.pause(0.2)
    shots.append(("explorer", app.export_screenshot()))
    await pilot.press("j", "s")  # billing:prod
    sim = await wait_for_screen(pilot, app, SimulatorScreen)
    sim.query_one("#sim-principal", Input).value = "arn:aws:iam::111122223333:role/reports"
    await wait_for(pilot, lambda: sim.answer is not None and sim.answer.decision == "implicit_deny")
    await pilot.pause(0.2)
    shots.append(("simulator, denied", app.export_screenshot()))
    sim.query_one("#sim-principal", Input).value = ORDERS_ROLE
    await wait_for(pilot, lambda: sim.answer is not None and sim.answer.decision == "allowed")
    await pilot.press("ctrl+t")  # the explanation tree focused: its cursor row
    await pilot.pause(0.2)
    shots.append(("simulator, allowed", app.export_screenshot()))
    await pilot.press("escape", "w")
    who = await wait_for_screen(pilot, app, WhoCanScreen)
    await wait_for(pilot, lambda: bool(who.rows) and who.query_one(DataTable).row_count > 0)
    await pilot.pause(0.2)
    shots.append(("who-can", app.export_screenshot()))
    return shots


async def test_without_colour_every_text_is_legible(monkeypatch: pytest.MonkeyPatch) -> None:
    """NO_COLOR: ✘ DENIED was grey on grey (1.4:1); now the terminal's own colours, bold and reverse."""
    monkeypatch.setenv("NO_COLOR", "1")
    app = build_app()
    async with app.run_test(size=SIZE) as pilot:
        assert app.no_color
        for name, svg in await _screens(pilot, app):
            found = runs(svg)
            assert any("DENIED" in r.text for r in found) or name != "simulator, denied"
            faint = [r for r in found if r.contrast < 4.5]
            assert not faint, f"{name}: {faint[:5]}"
            # One foreground and one background, swapped for a cursor: no colour at all.
            assert len({r.fill for r in found} | {r.background for r in found}) == 2, name
            if name != "simulator, denied":  # there a text field has focus, its cursor on a blank cell
                # The cursor row (list, explanation, table) still stands out, in reverse video.
                assert any(r.fill != found[0].fill for r in found), name


async def test_sixteen_colours_draw_tree_guides_visibly() -> None:
    """--color 16: a blurred tree's guides were the palette's black on a black terminal."""
    app = build_app()
    app.theme = "ansi-dark"  # what `make_app(color="16")` picks
    async with app.run_test(size=SIZE) as pilot:
        shots = await _screens(pilot, app)
        guides = {name: [r for r in runs(svg) if r.text[0] in GUIDES] for name, svg in shots}
        assert guides["explorer"] and guides["simulator, denied"], "no tree guides drawn"
        for name, drawn in guides.items():
            faint = [r for r in drawn if r.contrast < 3]
            assert not faint, f"{name}: {faint[:5]}"
            invisible = [r for r in runs(dict(shots)[name]) if r.contrast < 1.5]
            assert not invisible, f"{name}: {invisible[:5]}"
