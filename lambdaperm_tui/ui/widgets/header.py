"""The header: where the data comes from, which regions, READ-ONLY, and the load's progress."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.widgets import ProgressBar, Static

from ...inventory.text import inert


class StatusHeader(Horizontal):
    """One line: ``λ lambdaperm-tui │ demo · 123456789012 · us-east-1 │ READ-ONLY │ loading 12/40 ███``."""

    DEFAULT_CSS = """
    StatusHeader { height: 1; background: $panel; }
    StatusHeader > #hdr-source { width: 1fr; height: 1; text-wrap: nowrap; text-overflow: ellipsis; }
    StatusHeader > #hdr-badges { width: auto; height: 1; }
    StatusHeader > ProgressBar { width: 22; height: 1; display: none; }
    StatusHeader.loading > ProgressBar { display: block; }
    StatusHeader > ProgressBar > Bar { width: 12; }
    """

    def compose(self) -> ComposeResult:
        yield Static(id="hdr-source")
        yield Static(id="hdr-badges")
        yield ProgressBar(total=None, show_eta=False, show_percentage=False, id="hdr-progress")

    def set_source(self, source: str, account: str, regions: tuple[str, ...], age: str | None) -> None:
        """The left part: app name, source, account, regions, snapshot age."""
        text = Text("λ lambdaperm ", style="bold")
        text.append("│ ", style="dim")
        if source.startswith("snapshot "):
            # A path can be long; the file name and the snapshot's age are what a reader needs first.
            source = "snapshot " + source[len("snapshot ") :].replace("\\", "/").rsplit("/", 1)[-1]
        # A file name, and a snapshot's account and regions, are untrusted text.
        text.append(inert(source))
        if age:
            text.append(f" (captured {inert(age)})", style="bold")
        if account:
            text.append(f" · {inert(account)}")
        if len(regions) > 1:
            # The count first: in 80 columns the list itself is cut, the number of regions must not be.
            text.append(f" · {len(regions)} regions: " + inert(",".join(regions)), style="dim")
        elif regions:
            text.append(" · " + inert(regions[0]), style="dim")
        self.query_one("#hdr-source", Static).update(text)

    def set_badges(self, *, loading: str | None, edited: int, failures: int) -> None:
        """The right part: load state, what-if edits, failures, READ-ONLY."""
        text = Text()
        if loading:
            text.append(f" {loading} ", style="bold")
        if failures:
            text.append(f" ⚠ {failures} unreadable ", style="bold black on yellow")
        if edited:
            text.append(f" ✎ WHAT-IF {edited} edited ", style="bold white on magenta")
        text.append(" READ-ONLY ", style="bold white on dark_green")
        self.query_one("#hdr-badges", Static).update(text)

    def set_progress(self, done: int, total: int, *, loading: bool) -> None:
        """Show the bar while loading; hide it once done."""
        self.set_class(loading, "loading")
        bar = self.query_one(ProgressBar)
        if total > 0:
            bar.update(total=total, progress=done)
        else:
            bar.update(total=None)
