"""What-if: edit a policy document locally; saving asks every question again against the edit.

The editor changes nothing itself: it is dismissed with an ``EditResult`` (saved, reverted or cancelled),
and whoever opened it applies that to the app's one ``WhatIf`` (``ExplorerApp.apply_edit``).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.screen import Screen
from textual.widgets import Footer, Static, TextArea

from ...analysis.whatif import get_policy
from ...iam.errors import InputError
from ...iam.policy import parse_policy
from ...iam.render import json_error_words
from ...inventory.text import inert
from ..render import plain

if TYPE_CHECKING:
    from ...analysis.whatif import PolicyRef, WhatIf


@dataclass(frozen=True, slots=True)
class EditSaved:
    """Saved (ctrl+s): ``document``, a valid policy, is the what-if edit of ``ref``."""

    ref: PolicyRef
    document: Any


@dataclass(frozen=True, slots=True)
class EditReverted:
    """Reverted (ctrl+r), then left: ``ref`` is used as loaded again (its edit, if any, is dropped)."""

    ref: PolicyRef


@dataclass(frozen=True, slots=True)
class EditCancelled:
    """Left without saving (Esc): nothing changes."""

    ref: PolicyRef


EditResult = EditSaved | EditReverted | EditCancelled
# What the opener of the editor does with its result (None: the picker before it was cancelled).
EditDone = Callable[[EditResult | None], None]


def editor_for(whatif: WhatIf, ref: PolicyRef) -> PolicyEditorScreen:
    """The editor on ``ref``, holding the document as the answers see it and as it was loaded."""
    return PolicyEditorScreen(
        ref,
        document=get_policy(whatif.inventory, ref).document,
        loaded=whatif.original(ref).document,
    )


class PolicyEditorScreen(Screen[EditResult]):
    """Edit a policy document locally; save to ask every question again against the edit."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+s", "save", "Save (what-if)", id="editor.save"),
        # Priority: the text area (tab_behavior="indent") would take Esc to move focus, so it never left.
        Binding("escape", "cancel", "Cancel", id="editor.cancel", priority=True),
        Binding("ctrl+r", "revert", "Revert to loaded", id="editor.revert"),
        # TextArea's own select-all key is f7 (ctrl+a goes to the line start); say so, replacing a policy
        # wholesale is the common edit.
        Binding("f7", "select_all", "Select all", id="editor.select_all"),
    ]
    DEFAULT_CSS = """
    PolicyEditorScreen { layout: vertical; }
    #ed-title { height: auto; padding: 0 1; }
    #ed-error { height: auto; padding: 0 1; color: $error; display: none; }
    #ed-error.shown { display: block; }
    #ed-text { height: 1fr; }
    """

    def __init__(self, ref: PolicyRef, *, document: Any, loaded: Any) -> None:
        super().__init__()
        self.ref = ref
        self.document = document  # as the answers see it: the what-if edit if there is one, else as loaded
        self.loaded = loaded
        self.reverted = False  # ctrl+r was pressed: leaving without saving reverts

    def compose(self) -> ComposeResult:
        doc = self.document
        title = Text("What-if edit: ", style="bold")
        title.append(inert(self.ref.label()))
        title.append(
            "\nlocal only — nothing is sent to AWS. ctrl+s saves, Esc cancels, ctrl+r reverts.", style="dim"
        )
        yield Static(title, id="ed-title")
        yield Static(id="ed-error")
        text = json.dumps(doc if doc is not None else {"Version": "2012-10-17", "Statement": []}, indent=2)
        language = "json" if "json" in TextArea().available_languages else None
        yield TextArea(text, language=language, id="ed-text", show_line_numbers=True, tab_behavior="indent")
        yield Footer(show_command_palette=False)

    def on_mount(self) -> None:
        self.query_one(TextArea).focus()

    def _error(self, message: str) -> None:
        box = self.query_one("#ed-error", Static)
        box.update(plain("✘ " + message, multiline=True))
        box.add_class("shown")

    def action_save(self) -> None:
        """Validate the document, and leave with it (``EditSaved``); answers are recomputed against it."""
        text = self.query_one(TextArea).text
        try:
            document = json.loads(text)
        except json.JSONDecodeError as exc:
            self._error(f"not valid JSON {json_error_words(exc)}")
            return
        try:
            # ``null`` is a policy document to nobody (``WhatIf.edit`` would take it as "no policy").
            parse_policy(document, self.ref.label())
        except InputError as exc:
            self._error(f"not a valid policy: {exc}")
            return
        self.dismiss(EditSaved(self.ref, document))

    def action_select_all(self) -> None:
        """Select the whole document (to replace it)."""
        self.query_one(TextArea).select_all()

    def action_cancel(self) -> None:
        """Leave without saving (``EditCancelled``; ``EditReverted`` after ctrl+r)."""
        self.dismiss(EditReverted(self.ref) if self.reverted else EditCancelled(self.ref))

    def action_revert(self) -> None:
        """Put the loaded document back in the editor; leaving now drops this policy's edit."""
        self.reverted = True
        self.query_one(TextArea).text = json.dumps(self.loaded, indent=2)
        self.query_one("#ed-error", Static).remove_class("shown")
