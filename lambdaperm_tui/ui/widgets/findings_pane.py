"""The Findings pane: every finding of the loaded account, worst first, filterable, sortable; Enter opens
the simulator prefilled with the finding's proof (principal, action, resource and the context the probe
gave). Computed in a worker once the load ends (``analysis.findings.account_findings``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.message import Message
from textual.widgets import DataTable, Input, Static

from ...inventory.text import inert

# Severity in words and a symbol, never colour alone.
_SEVERITY_MARK = {
    "critical": ("‼ CRITICAL", "bold red"),
    "high": ("! HIGH", "red"),
    "medium": ("• MEDIUM", "yellow"),
    "low": ("· LOW", "cyan"),
    "info": ("i INFO", "dim"),
}
_SORTS = ("severity", "kind", "resource")
# Context keys the inventory fills by itself when the simulator asks (so the prefill leaves them out).
_INVENTORY_KEYS = ("aws:resourcetag/", "aws:principaltag/", "aws:resourceaccount", "aws:principalorgid")


def simulator_prefill(finding: Any) -> dict[str, Any] | None:
    """(principal, action, resource, context) for the simulator from a finding's proof, or None."""
    proof: Mapping[str, Any] | None = finding.proof
    if not proof:
        return None
    context = {
        k: v
        for k, v in (proof.get("context") or {}).items()
        if not k.lower().startswith(_INVENTORY_KEYS) and k.lower() != "aws:principalarn"
    }
    return {
        "principal": str(proof.get("principal", "")),
        "action": str(proof.get("action", "")),
        "resource": str(proof.get("resource", "")),
        "context": context,
    }


def _short(arn: str, account: str) -> str:
    return arn.replace(f":{account}:", "::") if account else arn


class FindingsPane(Vertical):
    """The table of findings with a filter line and the highlighted finding in full below."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("o", "cycle_sort", "Sort", id="findings.sort", tooltip="Sort by severity, kind or resource"),
        Binding("slash", "filter", "Filter", key_display="/", show=False, id="findings.filter"),
        Binding("enter", "simulate", "Simulate proof", id="findings.simulate"),
        Binding("j", "cursor_down", "Down", show=False, id="findings.down"),
        Binding("k", "cursor_up", "Up", show=False, id="findings.up"),
    ]

    DEFAULT_CSS = """
    FindingsPane { height: 1fr; }
    #findings-status { height: 1; padding: 0 1; color: $text-muted; }
    #findings-filter { height: 1; border: none; padding: 0 1; background: $boost; display: none; }
    #findings-filter.shown { display: block; }
    #findings-table { height: 1fr; overflow-x: hidden; }
    #findings-why { height: auto; max-height: 6; padding: 0 1; border-top: solid $primary-darken-2; }
    """

    class SimulateProof(Message):
        """The user asked to open the simulator on a finding's proof."""

        def __init__(self, prefill: dict[str, Any]) -> None:
            super().__init__()
            self.prefill = prefill

    def __init__(self, *, id: str) -> None:
        super().__init__(id=id)
        self.findings: Sequence[Any] = ()
        self.unknown: Sequence[str] = ()
        self.shown: list[Any] = []
        self.sort = "severity"
        self.search = ""
        self.account = ""
        self.state = "waiting for the load to finish"

    def compose(self) -> ComposeResult:
        yield Static(self.state, id="findings-status")
        yield Input(
            placeholder="filter by kind, severity, resource, principal or why (Esc clears)",
            id="findings-filter",
        )
        table: DataTable[Text] = DataTable(id="findings-table", cursor_type="row", zebra_stripes=True)
        yield table
        yield Static(id="findings-why")

    def on_mount(self) -> None:
        self.query_one(DataTable).add_columns("Severity", "Kind", "Resource", "Principal")

    @property
    def table(self) -> DataTable[Text]:
        """The findings table."""
        return self.query_one("#findings-table", DataTable)

    def set_state(self, text: str) -> None:
        """A line above the table (computing, failed, ...)."""
        self.state = text
        self.query_one("#findings-status", Static).update(Text(inert(text)))

    def set_findings(self, findings: Sequence[Any], unknown: Sequence[str], account: str) -> None:
        """Show ``findings`` (worst first as computed), remembering what could not be decided."""
        self.findings = tuple(findings)
        self.unknown = tuple(unknown)
        self.account = account
        self._show()

    def _status(self) -> str:
        counts: dict[str, int] = {}
        for f in self.findings:
            counts[f.severity.value] = counts.get(f.severity.value, 0) + 1
        parts = [f"{counts[s]} {s}" for s in _SEVERITY_MARK if s in counts]
        text = f"{len(self.findings)} findings" + (f" ({', '.join(parts)})" if parts else "")
        if self.search:
            text += f"; {len(self.shown)} match “{self.search}”"
        if self.unknown:
            text += f"; {len(self.unknown)} not decided (unknown data)"
        return text + f"; sorted by {self.sort} (o)"

    def _key(self, f: Any) -> tuple[Any, ...]:
        if self.sort == "kind":
            return (f.kind.value, f.severity.rank, f.resource)
        if self.sort == "resource":
            return (f.resource, f.severity.rank, f.kind.value)
        return (f.severity.rank, f.kind.value, f.resource, f.principal)

    def _show(self) -> None:
        needle = self.search.lower()
        self.shown = sorted(
            (
                f
                for f in self.findings
                if not needle
                or any(
                    needle in str(x).lower()
                    for x in (f.kind.value, f.severity.value, f.resource, f.principal, f.why)
                )
            ),
            key=self._key,
        )
        table = self.table
        table.clear()
        for f in self.shown:
            word, style = _SEVERITY_MARK[f.severity.value]
            table.add_row(
                Text(word, style=style),
                Text(f.kind.value),
                Text(inert(_short(f.resource, self.account))),
                Text(inert(_short(f.principal, self.account))),
            )
        if not self.shown:
            table.add_row(
                Text("—"), Text("no findings" if not self.findings else "none match"), Text(""), Text("")
            )
        self.set_state(self._status())
        self._explain(0)

    def _explain(self, index: int) -> None:
        box = self.query_one("#findings-why", Static)
        if not 0 <= index < len(self.shown):
            box.update("")
            return
        f = self.shown[index]
        text = Text(inert(f.why))
        if f.fix:
            text.append("\nfix: ", style="bold")
            text.append(inert(f.fix))
        if f.proof:
            text.append("\nEnter: open the simulator on the proof", style="dim")
        box.update(text)

    @on(DataTable.RowHighlighted, "#findings-table")
    def _highlighted(self, event: DataTable.RowHighlighted) -> None:
        self._explain(event.cursor_row)

    @on(DataTable.RowSelected, "#findings-table")
    def _selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self.action_simulate()

    def action_cursor_down(self) -> None:
        self.table.action_cursor_down()

    def action_cursor_up(self) -> None:
        self.table.action_cursor_up()

    def action_cycle_sort(self) -> None:
        """Severity → kind → resource → severity."""
        self.sort = _SORTS[(_SORTS.index(self.sort) + 1) % len(_SORTS)]
        self._show()

    def action_filter(self) -> None:
        """Show the filter line and focus it."""
        box = self.query_one("#findings-filter", Input)
        box.add_class("shown")
        box.focus()

    @on(Input.Changed, "#findings-filter")
    def _filter_changed(self, event: Input.Changed) -> None:
        self.search = event.value.strip()
        self._show()

    @on(Input.Submitted, "#findings-filter")
    def _filter_submitted(self, event: Input.Submitted) -> None:
        self.table.focus()

    def clear_filter(self) -> bool:
        """Esc: clear and hide the filter (True when there was one)."""
        box = self.query_one("#findings-filter", Input)
        had = bool(box.value) or box.has_class("shown")
        box.value = ""
        box.remove_class("shown")
        self.table.focus()
        return had

    def selected(self) -> Any | None:
        """The highlighted finding, if any."""
        row = self.table.cursor_row
        return self.shown[row] if 0 <= row < len(self.shown) else None

    def action_simulate(self) -> None:
        """Open the simulator prefilled with the highlighted finding's proof."""
        f = self.selected()
        prefill = simulator_prefill(f) if f is not None else None
        if prefill is None:
            self.notify("this finding is about a document's form: nothing to simulate", markup=False)
            return
        self.post_message(self.SimulateProof(prefill))


def badge_counts(findings: Sequence[Any]) -> dict[str, int]:
    """How many findings name each resource ARN (a finding on a qualifier counts for its function too)."""
    out: dict[str, int] = {}
    for f in findings:
        arns = {f.resource}
        parts = f.resource.split(":")
        if len(parts) == 8 and parts[5] == "function":
            arns.add(":".join(parts[:7]))
        if len(parts) == 8 and parts[5] == "layer":
            arns.add(":".join(parts[:7]))
        for arn in arns:
            out[arn] = out.get(arn, 0) + 1
    return out
