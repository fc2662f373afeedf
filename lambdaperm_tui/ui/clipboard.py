"""Copying to the clipboard (OSC 52, through Textual's ``App.copy_to_clipboard``), refused for text that holds
control or invisible characters: pasted into a shell, a newline or an escape would act as typed."""

from __future__ import annotations

from typing import Any

from textual.app import App

from ..inventory.text import inert


def copy_text(app: App[Any], text: str, what: str = "ARN") -> bool:
    """Put ``text`` on the clipboard and say so in a toast; refuse (with a warning) when it is empty or holds
    characters ``inert`` would escape. ``what`` names it in the refusal (``ARN``, ``row``). True if copied."""
    if not text:
        app.notify("Nothing selected to copy.", severity="warning")
        return False
    if inert(text) != text:
        app.notify(
            f"Not copied: this {what} holds control or invisible characters (shown as \\x.. escapes).",
            severity="warning",
            markup=False,
        )
        return False
    app.copy_to_clipboard(text)
    app.notify(text, title="Copied", markup=False)
    return True
