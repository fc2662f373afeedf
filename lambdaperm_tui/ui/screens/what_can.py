"""What-can: what a role (or principal) can do across the account's Lambda resources."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.widgets import DataTable, Footer, Static

from ...inventory.text import inert
from .. import backend
from ..explain import short_arns
from ..render import answer_text, plain
from ..state import explorer
from .simulator import SimulatorScreen
from .who_can import WhoCanScreen, deciding_text


class WhatCanScreen(WhoCanScreen):
    """What a role (or principal) can do across the account's Lambda resources, for the common actions."""

    def __init__(self, principal: str) -> None:
        super().__init__(action="", resource="")
        self.principal = principal

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
    def _what(self, inv: Any, principal: str) -> None:
        from ...iam.errors import InputError

        try:
            rows = backend.what_can(inv, principal)
        except (InputError, backend.AnalysisUnavailable) as exc:
            self.app.call_from_thread(self._error, str(exc))
            return
        self.app.call_from_thread(self._fill_what, rows)

    def _fill_what(self, rows: Sequence[Any]) -> None:
        self.rows = rows
        table = self.query_one(DataTable)
        table.loading = False
        account = explorer(self).inventory.account_id
        for row in rows:
            table.add_row(
                answer_text(row.answer, short=True),
                plain(str(getattr(row, "action", ""))),
                plain(short_arns(str(getattr(row, "resource", "")), account)),
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
                action=str(getattr(row, "action", "")),
                resource=str(getattr(row, "resource", "")),
            )
        )
