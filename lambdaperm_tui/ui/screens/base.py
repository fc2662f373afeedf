"""What every explorer screen with workers shares: their errors go to the app's one handler."""

from __future__ import annotations

from typing import TypeVar

from textual.screen import Screen
from textual.worker import Worker, WorkerState

ResultT = TypeVar("ResultT")


class ExplorerScreen(Screen[ResultT]):
    """A screen whose thread workers hand results back as messages (``ui/messages.py``).

    Textual tells only the screen that a worker of its own changed state; an error is passed on to the
    app, whose ``on_worker_state_changed`` is the one place a worker's unexpected error is reported.
    """

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        """A worker of this screen failed: the app reports it (a toast; the app goes on)."""
        if event.state == WorkerState.ERROR:
            self.app.post_message(Worker.StateChanged(event.worker, event.state))
