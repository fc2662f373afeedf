"""What-if: choose which policy to edit, and open the editor on it.

The picker is dismissed with the editor's ``EditResult`` (or None when nothing was chosen); the opener's
``done`` applies it.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, ClassVar

from textual import on
from textual.app import App, ComposeResult
from textual.binding import Binding, BindingType
from textual.screen import ModalScreen
from textual.widgets import OptionList
from textual.widgets.option_list import Option

from ...analysis.whatif import policy_refs
from ..render import plain
from ..state import explorer
from .policy_editor import EditDone, EditResult, PolicyEditorScreen, editor_for

if TYPE_CHECKING:
    from ...analysis.whatif import PolicyRef


def pick_and_edit(app: App[Any], owners: Sequence[str], done: EditDone) -> None:
    """Offer the policies that belong to ``owners`` (ARNs), open the chosen one in the editor, and hand
    its result to ``done``."""
    refs = policy_refs(explorer(app).base_inventory)
    wanted = {o for o in owners if o}
    chosen = [r for r in refs if r.owner in wanted]
    if not chosen:
        app.notify(
            "No editable policy here (select a function, version, alias, layer version or role).",
            severity="warning",
        )
        return
    open_editor_for(app, chosen, done)


def open_editor_for(app: App[Any], refs: Sequence[PolicyRef], done: EditDone) -> None:
    """Open the editor on one ref, or a picker when there are several; ``done`` gets the result."""
    if len(refs) == 1:
        app.push_screen(editor_for(explorer(app).whatif, refs[0]), done)
    else:
        app.push_screen(PolicyPicker(refs), done)


class PickerList(OptionList):
    """The picker's list, with the lists' vi-style keys."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("j", "cursor_down", "Down", show=False, id="picker.down"),
        Binding("k", "cursor_up", "Up", show=False, id="picker.up"),
        Binding("g", "first", "First", show=False, id="picker.first"),
        Binding("G", "last", "Last", show=False, id="picker.last"),
    ]


class PolicyPicker(ModalScreen[EditResult]):
    """Choose which policy to edit; dismissed with the editor's result (None: Esc, nothing chosen)."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "dismiss", "Cancel", id="picker.cancel")]
    DEFAULT_CSS = """
    PolicyPicker { align: center middle; }
    PolicyPicker > OptionList { width: 90%; max-height: 80%; border: round $accent; }
    """

    def __init__(self, refs: Sequence[PolicyRef]) -> None:
        super().__init__()
        self.refs = list(refs)
        self.editor: PolicyEditorScreen | None = None  # once chosen

    def compose(self) -> ComposeResult:
        whatif = explorer(self).whatif
        options = []
        for i, ref in enumerate(self.refs):
            label = plain(ref.label())
            if whatif.is_edited(ref):
                label.append("  ✎ edited", style="bold magenta")
            options.append(Option(label, id=str(i)))
        ol = PickerList(*options)
        ol.border_title = "Edit which policy? (Enter)"
        yield ol

    def choose(self, index: int) -> None:
        """Open the editor on the policy at ``index`` (once). The editor opens over the picker, which leaves
        with the editor's result."""
        if self.editor is not None or not 0 <= index < len(self.refs):
            return
        self.editor = editor_for(explorer(self).whatif, self.refs[index])
        self.app.push_screen(self.editor, self._edited)

    def _edited(self, result: EditResult | None) -> None:
        # Not awaited: the callback runs in this screen's list, which the pop would wait for.
        self.dismiss(result)

    @on(OptionList.OptionSelected)
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        # Enter or a click. Keys typed right after Enter wait until the editor has focus (``ui/keys.py``).
        self.choose(event.option_index)
