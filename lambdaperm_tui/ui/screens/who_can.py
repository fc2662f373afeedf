"""Who-can: every principal the inventory knows, with its decision for one action on one resource."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import TYPE_CHECKING, ClassVar, Generic, Protocol, TypeVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Input, Label, Static

from ...analysis.answer import Answer
from ...analysis.catalog import lambda_actions
from ...iam.errors import InputError
from ...iam.result import DecidingStatement
from ...inventory.model import Inventory
from ...inventory.text import inert
from ..explain import short_arns
from ..render import InertHighlighter, answer_text, plain
from ..state import explorer
from ..widgets.suggesters import ListSuggester
from .simulator import SimulatorScreen

if TYPE_CHECKING:
    from ...analysis.whocan import WhoCanRow


class DecidedRow(Protocol):
    """What a who-can or what-can row shares: a decision, the statements that decided it, the answer."""

    @property
    def decision(self) -> str:
        """The row's decision (``allowed``, ``conditional``, ...)."""
        ...

    @property
    def decided_by(self) -> tuple[DecidingStatement, ...]:
        """The statements that decided it."""
        ...

    @property
    def answer(self) -> Answer:
        """The whole answer behind the row."""
        ...


R = TypeVar("R", bound=DecidedRow)


class RowsScreen(Screen[None], Generic[R]):
    """A table of answers (who-can, what-can) with the highlighted row in full below it."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "close", "Back", id="whocan.back"),
        Binding("enter", "explain", "Simulate row", id="whocan.explain"),
        Binding("j", "cursor_down", "Down", show=False, id="whocan.down"),
        Binding("k", "cursor_up", "Up", show=False, id="whocan.up"),
    ]

    DEFAULT_CSS = """
    RowsScreen { layout: vertical; }
    #wc-title { height: auto; padding: 0 1; }
    #wc-form { height: 1; padding: 0 1; }
    #wc-form Label { width: 20; color: $text-muted; }
    #wc-action { width: 1fr; height: 1; border: none; padding: 0 1; background: $boost; }
    #wc-action:focus { background: $accent 30%; }
    /* Cells are shortened and the highlighted row shows in full below: no horizontal scrollbar (at 80
       columns its sliver showed as a stray block under the table). */
    #wc-table { height: 1fr; overflow-x: hidden; }
    #wc-why { height: auto; max-height: 6; padding: 0 1; border-top: solid $primary-darken-2; }
    """

    def __init__(self) -> None:
        super().__init__()
        self.rows: Sequence[R] = ()

    def subject(self, row: R) -> str:
        """What a row is about (the principal of a who-can row, the resource of a what-can row)."""
        raise NotImplementedError

    def _deliver(self, ask: Callable[[], Iterable[R]], fill: Callable[[Sequence[R]], None]) -> None:
        """From a worker thread: ask for the rows, then hand them (or the input error) to the screen."""
        try:
            rows = tuple(ask())
        except InputError as exc:
            self.app.call_from_thread(self._error, str(exc))
            return
        self.app.call_from_thread(fill, rows)

    def _error(self, message: str) -> None:
        table = self.query_one(DataTable)
        table.loading = False
        self.notify(message, title="Who-can failed", severity="error", markup=False)

    @on(DataTable.RowHighlighted)
    def _row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        self._explain_row(event.cursor_row)

    def _explain_row(self, index: int) -> None:
        """Under the table, in full: the highlighted row's deciding statements and assumptions."""
        box = self.query_one("#wc-why", Static)
        if not self.rows or not 0 <= index < len(self.rows):
            box.update("")
            return
        row = self.rows[index]
        text = answer_text(row.answer)
        text.append("  ")
        text.append(inert(self.subject(row)))
        text.append("\n")
        text.append(inert(deciding_text(row)))
        for assumption in row.answer.assumes:
            text.append("\nassumes: ", style="bold")
            text.append(inert(assumption))
        text.append("\nEnter: open in the simulator to see why", style="dim")
        box.update(text)

    def action_close(self) -> None:
        """Back to the explorer."""
        self.dismiss()

    def action_cursor_down(self) -> None:
        """Next row."""
        self.query_one(DataTable).action_cursor_down()

    def action_cursor_up(self) -> None:
        """Previous row."""
        self.query_one(DataTable).action_cursor_up()

    def action_explain(self) -> None:
        """Open the simulator on the highlighted row to see why."""
        raise NotImplementedError

    @on(DataTable.RowSelected)
    def _row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self.action_explain()


class WhoCanScreen(RowsScreen["WhoCanRow"]):
    """Every principal the inventory knows, with its decision for one action on one resource."""

    def __init__(self, *, action: str, resource: str) -> None:
        super().__init__()
        self.action = action
        self.resource = resource

    def subject(self, row: WhoCanRow) -> str:
        """The principal, as the inventory names it."""
        return row.label or row.principal

    def compose(self) -> ComposeResult:
        title = Text("Who can ", style="bold")
        title.append(inert(self.action), style="bold")
        title.append(" on ")
        title.append(inert(self.resource))
        yield Static(title, id="wc-title")
        with Horizontal(id="wc-form"):
            yield Label("Action (Enter asks)")
            yield Input(
                self.action,
                id="wc-action",
                suggester=ListSuggester(lambda_actions()),
                highlighter=InertHighlighter(),
            )
        table: DataTable[Text] = DataTable(id="wc-table", cursor_type="row", zebra_stripes=True)
        yield table
        yield Static(id="wc-why")
        yield Footer(show_command_palette=False)

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        table.add_columns("Decision", "Principal", "Deciding statement")
        table.focus()
        self.run_query()

    @on(Input.Submitted, "#wc-action")
    def _new_action(self, event: Input.Submitted) -> None:
        self.action = event.value.strip() or self.action
        title = Text("Who can ", style="bold")
        title.append(inert(self.action), style="bold")
        title.append(" on ")
        title.append(inert(self.resource))
        self.query_one("#wc-title", Static).update(title)
        self.run_query()
        self.query_one(DataTable).focus()

    def run_query(self) -> None:
        """Compute the table in a worker."""
        table = self.query_one(DataTable)
        table.clear()
        table.loading = True
        self._compute(explorer(self).inventory, self.action, self.resource)

    @work(thread=True, exclusive=True, group="whocan", exit_on_error=False)
    def _compute(self, inv: Inventory, action: str, resource: str) -> None:
        from ...analysis import api

        self._deliver(lambda: api.who_can(inv, action, resource), self._fill)

    def _fill(self, rows: Sequence[WhoCanRow]) -> None:
        self.rows = rows
        table = self.query_one(DataTable)
        table.loading = False
        table.clear()
        # Cells shorten the account's own ARNs; the line under the table gives the row in full.
        account = explorer(self).inventory.account_id
        for row in rows:
            table.add_row(
                answer_text(row.answer, short=True),
                principal_cell(row),
                plain(short_arns(deciding_text(row), account)),
            )
        if not rows:
            table.add_row(Text("—"), Text("no principal in the inventory"), Text(""))
        table.focus()  # the loading indicator took focus away
        self._explain_row(0)

    def action_explain(self) -> None:
        """Open the simulator on the highlighted row to see why."""
        table = self.query_one(DataTable)
        if not self.rows or table.cursor_row >= len(self.rows):
            return
        row = self.rows[table.cursor_row]
        if not row.principal:
            return  # a list of principals that could not be read: there is no one to simulate
        self.app.push_screen(
            SimulatorScreen(
                principal=row.principal, action=self.action, resource=self.resource, context=row.context
            )
        )


def principal_cell(row: WhoCanRow) -> Text:
    """Who, with where the candidate came from (``role in inventory``, ``named in billing policy``)."""
    text = plain(row.label or row.principal)
    if row.origin and row.origin != "account":
        text.append(f"  ({inert(row.origin)})", style="dim")
    return text


def deciding_text(row: DecidedRow) -> str:
    """The deciding statements of a who-can/what-can row (``resource billing:prod #0 (Sid)``), or why none."""
    parts = []
    for d in row.decided_by:
        parts.append(f"{d.policy_type} {d.policy} #{d.statement_index}" + (f" ({d.sid})" if d.sid else ""))
    if parts:
        return " + ".join(parts)
    answer = row.answer
    if answer.unknown_because:
        return "? " + "; ".join(answer.unknown_because)
    explanation = answer.result.explanation if answer.result is not None else None
    if explanation is not None and explanation.summary:
        return explanation.summary
    if answer.notes:
        return "; ".join(answer.notes)
    if row.decision == "allowed":
        return "allowed without a statement (the account's root user)"
    return "no statement allows"
