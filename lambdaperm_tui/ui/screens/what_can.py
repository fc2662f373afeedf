"""What-can: what a role (or principal) can do across the account's resources, for the actions chosen."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.widgets import DataTable, Footer, Input, Label, Static

from ...analysis.catalog import all_actions_for_prefix, known_services
from ...analysis.principals import Caller
from ...inventory.model import Inventory
from ...inventory.text import inert
from ..explain import short_arns
from ..render import InertHighlighter, answer_text, arn_cell, plain
from ..state import explorer
from ..widgets.suggesters import ActionListSuggester
from .who_can import RowsScreen, deciding_text

if TYPE_CHECKING:
    from ...analysis.whocan import WhatCanRow

# A group heading's resource: long enough for a region, a function name and a qualifier.
HEADING_WIDTH = 50
_SEPARATORS = re.compile(r"[,\s]+")


def default_actions() -> tuple[str, ...]:
    """What-can's first question: the common Lambda actions, ``lambda:CreateFunction`` and ``iam:PassRole``
    (``analysis.whocan.WHAT_CAN_ACTIONS``, read here without loading the engine for the first frame)."""
    from ...analysis.whocan import WHAT_CAN_ACTIONS

    return WHAT_CAN_ACTIONS


def parse_actions(text: str) -> tuple[str, ...]:
    """The actions of the Actions field: separated by commas or spaces, each once, in the order typed."""
    return tuple(dict.fromkeys(a for a in _SEPARATORS.split(text) if a))


class WhatCanScreen(RowsScreen["WhatCanRow"]):
    """What a role (or principal) can do across the account's resources, grouped by resource.

    The caller is a principal as ``simulate`` takes it, or what stands for a named one (the public asked
    as an anonymous caller, an organization as its placeholder member account: ``principals.caller_of``).
    """

    FILTER_MATCHES = "resource, action, decision or deciding statement"
    QUESTION: ClassVar[str] = "What-can"

    def __init__(self, caller: Caller, actions: Sequence[str] | None = None) -> None:
        super().__init__()
        self.caller = caller
        self.principal = caller.principal
        self.actions = tuple(actions) if actions is not None else default_actions()
        # The resource of each heading line, for ``y``.
        self._heading_arns: dict[int, str] = {}

    def subject(self, row: WhatCanRow) -> str:
        """The resource the row is about."""
        return row.resource

    def question(self, row: WhatCanRow) -> tuple[str, str, str]:
        """The screen's principal, the row's action and resource."""
        return self.principal, row.action, row.resource

    def context(self, row: WhatCanRow) -> dict[str, Any]:
        """The caller's context (an organization's ``aws:PrincipalOrgID``)."""
        return dict(self.caller.context)

    def _title(self) -> Text:
        title = Text("What can ", style="bold")
        title.append(inert(self.caller.label))
        n = len(self.actions)
        title.append(f" do ({n} action{'s' if n != 1 else ''}, by resource)", style="bold")
        return title

    def compose(self) -> ComposeResult:
        yield Static(self._title(), id="wc-title")
        with Horizontal(id="wc-form"):
            yield Label("Actions (Enter asks)")
            yield Input(
                ", ".join(self.actions),
                placeholder="service:Action, ... (lambda:InvokeFunction, iam:PassRole)",
                id="wc-action",
                suggester=ActionListSuggester(all_actions_for_prefix, known_services),
                highlighter=InertHighlighter(),
            )
        yield self.filter_input()
        table: DataTable[Text] = DataTable(id="wc-table", cursor_type="row", zebra_stripes=True)
        yield table
        yield Static(id="wc-why")
        yield Footer(show_command_palette=False)

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        self.add_columns("Action", "Deciding statement")
        table.focus()
        self.run_query()

    @on(Input.Submitted, "#wc-action")
    def _new_actions(self, event: Input.Submitted) -> None:
        event.stop()
        self.actions = parse_actions(event.value) or self.actions
        self.query_one("#wc-title", Static).update(self._title())
        self.run_query()
        self.query_one(DataTable).focus()

    def run_query(self) -> None:
        """Compute the table in a worker."""
        table = self.query_one(DataTable)
        table.clear()
        table.loading = True
        self._what(self.requests.next(), explorer(self).inventory, self.caller, self.actions)

    @work(thread=True, exclusive=True, group="whatcan", exit_on_error=False)
    def _what(self, request: int, inv: Inventory, principal: Caller, actions: tuple[str, ...]) -> None:
        from ...analysis import api

        self._deliver(request, lambda: api.what_can(inv, principal, actions))

    def draw(self, rows: Sequence[WhatCanRow]) -> None:
        """A heading line a resource (the ones with something allowed first: rows come ranked), then its
        actions. The heading names the resource by its distinguishing end; highlighted, it shows in full."""
        table = self.query_one(DataTable)
        account = explorer(self).inventory.account_id
        groups: dict[str, list[WhatCanRow]] = {}
        for row in rows:
            groups.setdefault(row.resource, []).append(row)
        self._heading_arns = {}
        for resource, members in groups.items():
            allowed = sum(1 for r in members if r.decision in ("allowed", "conditional"))
            index = len(self.shown)
            name = "* (any resource)" if resource == "*" else arn_cell(resource, account, HEADING_WIDTH)
            table.add_row(
                Text(f"▾ {allowed} of {len(members)}", style="bold" if allowed else "dim"),
                Text(name, style="bold"),
                Text("allowed" if allowed else "nothing allowed", style="dim"),
            )
            self.shown.append(None)
            self._heading_arns[index] = resource
            heading = Text(f"{allowed} of {len(members)} actions allowed on ", style="bold")
            heading.append(inert(resource))
            heading.append("\ny: copy the ARN · /: filter", style="dim")
            self.headings[index] = heading
            for row in members:
                table.add_row(
                    answer_text(row.answer, short=True),
                    plain(f"  {row.action}"),
                    plain(short_arns(deciding_text(row), account)),
                )
                self.shown.append(row)
        if not self.rows:
            table.add_row(Text("—"), Text("nothing"), Text(""))
            self.shown.append(None)

    def heading_copy(self, index: int) -> str:
        """A heading's resource ARN."""
        resource = self._heading_arns.get(index, "")
        return "" if resource == "*" else resource
