"""The header: where the data comes from, which regions, READ-ONLY, and the load's progress."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.widgets import ProgressBar, Static

from ...inventory.text import inert


class SourceLine(Static):
    """The header's left part, in the longest of its wordings that fits (the widest first).

    In 80 columns beside the badges, ``λ lambdaperm │ demo account (local moto) · 123456789012 · 2 regions:
    us-east-1,eu-west-1`` lost the region names to the ellipsis; the shorter wordings drop the app's name
    and the region count before any region, so the regions stay in view.
    """

    def __init__(self, *, id: str) -> None:
        super().__init__(id=id)
        self.wordings: tuple[Text, ...] = (Text(),)

    def set_wordings(self, wordings: tuple[Text, ...]) -> None:
        """The wordings, widest first; the last is drawn (cut) when none fits."""
        self.wordings = wordings or (Text(),)
        self._fit()

    def on_resize(self) -> None:
        self._fit()

    def _fit(self) -> None:
        """Show the first wording that fits the width this line has now."""
        width = self.content_size.width
        self.update(next((w for w in self.wordings if w.cell_len <= width), self.wordings[-1]))


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
        yield SourceLine(id="hdr-source")
        yield Static(id="hdr-badges")
        yield ProgressBar(total=None, show_eta=False, show_percentage=False, id="hdr-progress")

    def set_source(self, source: str, account: str, regions: tuple[str, ...], age: str | None) -> None:
        """The left part: app name, source, account, regions, snapshot age (shorter when narrow)."""
        if source.startswith("snapshot "):
            # A path can be long; the file name and the snapshot's age are what a reader needs first.
            source = "snapshot " + source[len("snapshot ") :].replace("\\", "/").rsplit("/", 1)[-1]
        # A file name, and a snapshot's account and regions, are untrusted text.
        where = Text(inert(source))
        if age:
            where.append(f" (captured {inert(age)})", style="bold")
        names = inert(",".join(regions))
        # The count first when there is room: in a cut list the number of regions must not be lost.
        counted = f"{len(regions)} regions: {names}" if len(regions) > 1 else names

        def line(app: str, regions_text: str, *, account_last: bool = False) -> Text:
            text = Text(app, style="bold")
            text.append("│ ", style="dim")
            text.append_text(where)
            acct = Text(f" · {inert(account)}") if account else Text()
            if not account_last:
                text.append_text(acct)
            if regions_text:
                text.append(f" · {regions_text}", style="dim")
            if account_last:
                text.append_text(acct)
            return text

        self.query_one(SourceLine).set_wordings(
            (
                line("λ lambdaperm ", counted),
                line("λ ", counted),
                line("λ ", names),
                line("λ ", names, account_last=True),
            )
        )

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
