"""Who-can: every principal the inventory knows, with its decision for one action on one resource."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import TYPE_CHECKING, Any, ClassVar, Generic, Protocol, TypeVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal
from textual.widgets import DataTable, Footer, Input, Label, Static

from ...analysis.answer import Answer
from ...analysis.catalog import lambda_actions
from ...iam.errors import InputError
from ...iam.result import DecidingStatement
from ...inventory.model import Inventory
from ...inventory.text import inert
from ..clipboard import copy_text
from ..explain import short_arns
from ..messages import QuestionRefused, Requests, RowsReady
from ..render import InertHighlighter, answer_text, plain
from ..state import explorer
from ..widgets.suggesters import ListSuggester
from .base import ExplorerScreen
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
DECISION_WIDTH = 12


class RowsScreen(ExplorerScreen[None], Generic[R]):
    """A table of answers (who-can, what-can) with the highlighted row in full below it, a ``/`` filter over
    the rows and ``y`` to copy one.

    ``rows`` are the answers; ``shown`` is what each line of the table stands for: a row, or ``None`` for a
    line that heads a group (what-can's resources), whose full text is in ``headings``.
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "close", "Back", id="whocan.back"),
        Binding("enter", "explain", "Simulate row", id="whocan.explain"),
        Binding("slash", "filter", "Filter", key_display="/", id="whocan.filter"),
        Binding("y", "copy_row", "Copy row", id="whocan.copy"),
        Binding("j", "cursor_down", "Down", show=False, id="whocan.down"),
        Binding("k", "cursor_up", "Up", show=False, id="whocan.up"),
        Binding("g", "first_row", "First row", show=False, id="whocan.first"),
        Binding("G", "last_row", "Last row", show=False, id="whocan.last"),
    ]

    # What the filter looks in, in the reader's words (its placeholder says it).
    FILTER_MATCHES: ClassVar[str] = ""

    DEFAULT_CSS = """
    RowsScreen { layout: vertical; }
    #wc-title { height: auto; padding: 0 1; }
    #wc-form { height: 1; padding: 0 1; }
    #wc-form Label { width: 22; color: $text-muted; }
    #wc-action { width: 1fr; height: 1; border: none; padding: 0 1; background: $boost; }
    #wc-action:focus { background: $accent 30%; }
    #wc-filter { display: none; height: 1; border: none; padding: 0 1; background: $boost; }
    #wc-filter.shown { display: block; }
    #wc-filter:focus { border: none; background: $accent 30%; }
    /* Cells are shortened and the highlighted row shows in full below: no horizontal scrollbar (at 80
       columns its sliver showed as a stray block under the table). */
    #wc-table { height: 1fr; overflow-x: hidden; }
    #wc-why { height: auto; max-height: 6; padding: 0 1; border-top: solid $primary-darken-2; }
    """

    QUESTION: ClassVar[str] = "Who-can"  # names the question in its error toasts

    def __init__(self) -> None:
        super().__init__()
        self.rows: Sequence[R] = ()
        self.shown: list[R | None] = []
        self.headings: dict[int, Text] = {}
        self.requests = Requests()  # only the rows of the last question asked are shown

    def subject(self, row: R) -> str:
        """What a row is about (the principal of a who-can row, the resource of a what-can row)."""
        raise NotImplementedError

    def question(self, row: R) -> tuple[str, str, str]:
        """The row's question: principal, action, resource (exact, as asked)."""
        raise NotImplementedError

    def search_text(self, row: R) -> str:
        """What the filter looks in for ``row`` (lower-case)."""
        principal, action, resource = self.question(row)
        words = answer_text(row.answer).plain
        return " ".join((principal, self.subject(row), action, resource, words, deciding_text(row))).lower()

    def draw(self, rows: Sequence[R]) -> None:
        """Fill the table with ``rows`` (those the filter keeps), setting ``shown`` and ``headings``."""
        raise NotImplementedError

    def add_columns(self, *labels: str) -> None:
        """The Decision column, as wide as ``✘ DENIED`` and ``◐ ALLOWED IF`` (a condition would widen it past
        the row's other cells at 80 columns; the line under the table gives it whole), then ``labels``."""
        table = self.query_one(DataTable)
        table.add_column("Decision", width=DECISION_WIDTH)
        for label in labels:
            table.add_column(label)

    def filter_input(self) -> Input:
        """The ``/`` filter line (hidden until ``/``)."""
        return Input(
            placeholder=f"filter by {self.FILTER_MATCHES} (Esc clears)",
            id="wc-filter",
            highlighter=InertHighlighter(),
        )

    def _deliver(self, request: int, ask: Callable[[], Iterable[R]]) -> None:
        """From a worker thread: ask for the rows of question ``request``, then post them (or the input
        error) to the screen."""
        try:
            rows = tuple(ask())
        except InputError as exc:
            self.post_message(QuestionRefused(request, str(exc)))
            return
        self.post_message(RowsReady(request, rows))

    @on(RowsReady)
    def _rows_ready(self, message: RowsReady[R]) -> None:
        if self.requests.is_current(message.request):
            self.show_rows(message.rows)
            self.query_one(DataTable).focus()  # the loading indicator took focus away

    @on(QuestionRefused)
    def _refused(self, message: QuestionRefused) -> None:
        if not self.requests.is_current(message.request):
            return
        table = self.query_one(DataTable)
        table.loading = False
        self.notify(message.reason, title=f"{self.QUESTION} failed", severity="error", markup=False)

    def show_rows(self, rows: Sequence[R]) -> None:
        """New answers: keep them and draw those the filter keeps."""
        self.rows = rows
        self._redraw()

    def _redraw(self) -> None:
        table = self.query_one(DataTable)
        table.loading = False
        table.clear()
        self.shown = []
        self.headings = {}
        needle = self.query_one("#wc-filter", Input).value.strip().lower()
        kept = [r for r in self.rows if needle in self.search_text(r)] if needle else list(self.rows)
        self.draw(kept)
        if needle and not kept:
            table.add_row(Text("—"), plain(f"no row matches “{needle}”"), Text(""))
            self.shown.append(None)
        self._explain_row(table.cursor_row)

    def row_at(self, index: int) -> R | None:
        """The row on table line ``index`` (None for a heading or an empty table)."""
        return self.shown[index] if 0 <= index < len(self.shown) else None

    @on(DataTable.RowHighlighted)
    def _row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        self._explain_row(event.cursor_row)

    def _explain_row(self, index: int) -> None:
        """Under the table, in full: the highlighted row's deciding statements and assumptions."""
        box = self.query_one("#wc-why", Static)
        row = self.row_at(index)
        if row is None:
            box.update(self.headings.get(index, Text("")))
            return
        text = answer_text(row.answer)
        text.append("  ")
        text.append(inert(self.subject(row)))
        text.append("\n")
        text.append(inert(deciding_text(row)))
        for assumption in row.answer.assumes:
            text.append("\nassumes: ", style="bold")
            text.append(inert(assumption))
        text.append("\nEnter: open in the simulator to see why · y: copy the row", style="dim")
        box.update(text)

    def action_close(self) -> None:
        """Clear the filter if there is one, else back to the explorer."""
        box = self.query_one("#wc-filter", Input)
        if box.has_class("shown") or box.value:
            box.remove_class("shown")
            if box.value:
                box.value = ""  # Changed redraws every row
            self.query_one(DataTable).focus()
            return
        self.dismiss()

    def action_filter(self) -> None:
        """Show the filter line and type into it."""
        box = self.query_one("#wc-filter", Input)
        box.add_class("shown")
        box.focus()

    @on(Input.Changed, "#wc-filter")
    def _filter_changed(self, event: Input.Changed) -> None:
        event.stop()
        self._redraw()

    @on(Input.Submitted, "#wc-filter")
    def _filter_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.query_one(DataTable).focus()

    def action_copy_row(self) -> None:
        """Copy the highlighted row as one line (decision, principal, action, resource, deciding statements),
        or a heading's resource ARN."""
        index = self.query_one(DataTable).cursor_row
        row = self.row_at(index)
        if row is None:
            copy_text(self.app, self.heading_copy(index), "ARN")
            return
        principal, action, resource = self.question(row)
        words = answer_text(row.answer).plain
        copy_text(self.app, f"{words}  {principal}  {action}  {resource}  {deciding_text(row)}", "row")

    def heading_copy(self, index: int) -> str:
        """What ``y`` copies on heading line ``index`` (nothing by default)."""
        return ""

    def action_cursor_down(self) -> None:
        """Next row."""
        self.query_one(DataTable).action_cursor_down()

    def action_cursor_up(self) -> None:
        """Previous row."""
        self.query_one(DataTable).action_cursor_up()

    def action_first_row(self) -> None:
        """First row."""
        self.query_one(DataTable).action_scroll_top()

    def action_last_row(self) -> None:
        """Last row."""
        self.query_one(DataTable).action_scroll_bottom()

    def action_explain(self) -> None:
        """Open the simulator on the highlighted row to see why."""
        row = self.row_at(self.query_one(DataTable).cursor_row)
        if row is None:
            return
        principal, action, resource = self.question(row)
        if not principal:
            return  # a list of principals that could not be read: there is no one to simulate
        self.app.push_screen(
            SimulatorScreen(principal=principal, action=action, resource=resource, context=self.context(row))
        )

    def context(self, row: R) -> dict[str, Any]:
        """The request context a row was asked with (who-can's service principals with a source)."""
        return {}

    @on(DataTable.RowSelected)
    def _row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self.action_explain()


class WhoCanScreen(RowsScreen["WhoCanRow"]):
    """Every principal the inventory knows, with its decision for one action on one resource."""

    FILTER_MATCHES = "principal, where it came from, decision or deciding statement"

    def __init__(self, *, action: str, resource: str) -> None:
        super().__init__()
        self.action = action
        self.resource = resource

    def subject(self, row: WhoCanRow) -> str:
        """The principal, as the inventory names it."""
        return row.label or row.principal

    def question(self, row: WhoCanRow) -> tuple[str, str, str]:
        """The row's principal, the screen's action and resource."""
        return row.principal, self.action, self.resource

    def search_text(self, row: WhoCanRow) -> str:
        """The base's words and where the candidate came from (``named in billing policy``)."""
        return f"{super().search_text(row)} {row.origin}".lower()

    def context(self, row: WhoCanRow) -> dict[str, Any]:
        """A service principal's source (``aws:SourceArn``) the row was asked with."""
        return dict(row.context)

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
        yield self.filter_input()
        table: DataTable[Text] = DataTable(id="wc-table", cursor_type="row", zebra_stripes=True)
        yield table
        yield Static(id="wc-why")
        yield Footer(show_command_palette=False)

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        self.add_columns("Principal", "Deciding statement")
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
        self._compute(self.requests.next(), explorer(self).inventory, self.action, self.resource)

    @work(thread=True, exclusive=True, group="whocan", exit_on_error=False)
    def _compute(self, request: int, inv: Inventory, action: str, resource: str) -> None:
        from ...analysis import api

        self._deliver(request, lambda: api.who_can(inv, action, resource))

    def draw(self, rows: Sequence[WhoCanRow]) -> None:
        """One line a principal; the account's own ARNs shortened (the line under the table gives the row
        in full)."""
        table = self.query_one(DataTable)
        account = explorer(self).inventory.account_id
        for row in rows:
            table.add_row(
                answer_text(row.answer, short=True),
                principal_cell(row),
                plain(short_arns(deciding_text(row), account)),
            )
            self.shown.append(row)
        if not self.rows:
            table.add_row(Text("—"), Text("no principal in the inventory"), Text(""))
            self.shown.append(None)


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
