"""The terminal explorer (Textual). ``run_app`` is the entry point the CLI calls."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ..aws.source import Source

__all__ = ["run_app"]


def run_app(source: Source, *, color: str | None = None, mouse: bool = True) -> int:
    """Run the explorer on a ``Source`` (imports Textual only when called)."""
    from .app import run_app as _run

    return _run(source, color=color, mouse=mouse)
