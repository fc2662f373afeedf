"""What-can: what a role (or principal) can do across the account's Lambda resources."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.widgets import DataTable, Footer, Static

from ...inventory.model import Inventory
from ...inventory.text import inert
from ..explain import short_arns
from ..render import answer_text, plain
from ..state import explorer
from .simulator import SimulatorScreen
from .who_can import RowsScreen, deciding_text

if TYPE_CHECKING:
    from ...analysis.whocan import WhatCanRow


class WhatCanScreen(RowsScreen["WhatCanRow"]):
    """What a role (or principal) can do across the account's Lambda resources, for the common actions."""

    def __init__(self, principal: str) -> None:
        super().__init__()
        self.principal = principal

    def subject(self, row: WhatCanRow) -> str:
        """The resource the row is about."""
        return row.resource

    def compose(self) -> ComposeResult:
        title = Text("What can ", style="bold")
        title.append(inert(self.principal))
        title.append(" do (common Lambda actions)", style="bold")
        yield Static(title, id="wc-title")
        table: DataTable[Text] = DataTable(id="wc-table", cursor_type="row", zebra_stripes=True)
        yield table
        yield Static(id="wc-why")
        yield Footer(show_command_palette=False)

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        table.add_columns("Decision", "Action", "Resource", "Deciding statement")
        table.focus()
        table.loading = True
        self._what(explorer(self).inventory, self.principal)

    @work(thread=True, exclusive=True, group="whatcan", exit_on_error=False)
    def _what(self, inv: Inventory, principal: str) -> None:
        from ...analysis import api

        self._deliver(lambda: api.what_can(inv, principal), self._fill_what)

    def _fill_what(self, rows: Sequence[WhatCanRow]) -> None:
        self.rows = rows
        table = self.query_one(DataTable)
        table.loading = False
        account = explorer(self).inventory.account_id
        for row in rows:
            table.add_row(
                answer_text(row.answer, short=True),
                plain(row.action),
                plain(short_arns(row.resource, account)),
                plain(short_arns(deciding_text(row), account)),
            )
        if not rows:
            table.add_row(Text("—"), Text("nothing"), Text(""), Text(""))
        table.focus()
        self._explain_row(0)

    def action_explain(self) -> None:
        """Open the simulator on the highlighted row."""
        table = self.query_one(DataTable)
        if not self.rows or table.cursor_row >= len(self.rows):
            return
        row = self.rows[table.cursor_row]
        self.app.push_screen(
            SimulatorScreen(
                principal=self.principal,
                action=row.action,
                resource=row.resource,
            )
        )
