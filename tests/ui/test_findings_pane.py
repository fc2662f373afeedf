"""The Findings pane over the fixture inventory, driven through the real app: computed once the load ends,
worst first, sortable and filterable, badges on the affected rows, and Enter opens the simulator on the
finding's proof. (The findings themselves are tested in tests/analysis/test_findings_*.py.)"""

from __future__ import annotations

from textual.widgets import DataTable, Input

from lambdaperm_tui.analysis.findings import account_findings
from lambdaperm_tui.ui.screens.simulator import SimulatorScreen
from lambdaperm_tui.ui.widgets.findings_pane import FindingsPane

from .helpers import build_app, loaded, wait_for
from .inventory_fixture import fn_arn, make_inventory

_MARKS = {"critical": "‼ CRITICAL", "high": "! HIGH", "medium": "• MEDIUM", "low": "· LOW", "info": "i INFO"}


def _column(table: DataTable, index: int) -> list[str]:  # type: ignore[type-arg]
    return [str(table.get_row_at(i)[index]) for i in range(table.row_count)]


async def test_findings_pane_sort_filter_badges_and_simulator() -> None:
    app = build_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(pilot, lambda: loaded(app))
        pane = app.query_one(FindingsPane)
        await wait_for(pilot, lambda: len(pane.findings) > 0)
        await pilot.press("5")
        await pilot.pause()
        table = pane.table
        assert app.focused is table
        # Worst first, in words and a symbol: the findings the analysis gives for this inventory.
        expected = account_findings(make_inventory())
        assert _column(table, 0) == [_MARKS[f.severity.value] for f in expected.findings]
        assert "i INFO" in _column(table, 0) and _column(table, 0)[0] != "i INFO"
        assert f"{len(expected.findings)} findings" in pane.state
        assert "not decided" in pane.state  # secret-report's policy is unreadable
        # Sort by kind, then by resource.
        await pilot.press("o")
        assert _column(table, 1) == sorted(_column(table, 1))
        await pilot.press("o")
        assert pane.sort == "resource"
        await pilot.press("o")
        assert pane.sort == "severity"
        # Filter as you type; Esc clears.
        await pilot.press("slash")
        assert isinstance(app.focused, Input)
        await pilot.press(*"webhook")
        await pilot.pause()
        assert _column(table, 1) == ["function-url"]
        await pilot.press("enter", "escape")
        await pilot.pause()
        assert table.row_count == len(expected.findings)
        # Badges on the affected rows of the Functions pane.
        labels = {key: str(row[0]) for key, row in app.main.pane("functions").entries.items()}
        per_function = {
            name: sum(1 for f in expected.findings if f.resource == fn_arn(name))
            for name in ("billing", "orders-api", "webhook", "secret-report")
        }
        assert per_function["webhook"] == 1
        for name, count in per_function.items():
            label = labels[fn_arn(name)]
            assert (f"⚑{count} finding" in label) if count else ("⚑" not in label), (name, label)
        # Enter: the simulator, prefilled with the proof of the highlighted finding.
        await pilot.press("5")
        finding = pane.selected()
        assert finding is not None and finding.proof is not None
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, SimulatorScreen))
        screen = app.screen
        assert screen.query_one("#sim-principal", Input).value == finding.proof["principal"]
        assert screen.query_one("#sim-resource", Input).value == finding.proof["resource"]
