"""What the explorer's thread workers hand back: typed messages, posted to the screen that asked.

A question that takes time (an answer, who-can rows, the findings, a function's needs and triggers) runs
in a thread worker; the worker posts one of these messages with ``post_message`` (thread-safe in Textual)
to the screen that started it, and the screen handles it with ``@on``. A screen numbers its questions
(``Requests``): a message whose ``request`` is not the last one asked is an answer to a question the user
has since replaced, and is dropped. ``InputError`` (a question that cannot be asked as typed) comes back
as ``QuestionRefused``; any other error of a worker is the app's to report (``LambdaPermApp``'s
``on_worker_state_changed``).

The payloads are the analysis layer's frozen dataclasses and tuples; nothing here is parsed back.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Generic, TypeVar

from textual.message import Message

if TYPE_CHECKING:
    from rich.text import Text

    from ..analysis.answer import Answer
    from ..analysis.findings.model import FindingsReport
    from ..inventory.events import LoadEvent
    from ..inventory.model import Function, Inventory
    from .sections import FunctionAnswers
    from .widgets.panes import Entry

R = TypeVar("R")


class Requests:
    """Numbers the questions one screen asks, so that only the answer to the last one is shown."""

    def __init__(self) -> None:
        self.last = 0

    def next(self) -> int:
        """A new question: its number (every earlier one is stale from now on)."""
        self.last += 1
        return self.last

    def is_current(self, request: int) -> bool:
        """Whether ``request`` is the last question asked (its answer is the one to show)."""
        return request == self.last


@dataclass
class AnswerReady(Message):
    """The simulator's question ``request`` was decided."""

    request: int
    answer: Answer


@dataclass
class QuestionRefused(Message):
    """Question ``request`` cannot be asked as typed (an ``InputError``): ``reason`` says why."""

    request: int
    reason: str


@dataclass
class RowsReady(Message, Generic[R]):
    """The rows of a who-can or what-can question ``request``."""

    request: int
    rows: tuple[R, ...]


@dataclass
class PrincipalsReady(Message):
    """The Principals pane's rows for the inventory of question ``request``."""

    request: int
    rows: Sequence[tuple[Text, Entry, str]]


@dataclass
class FindingsReady(Message):
    """The account's findings over the inventory of question ``request``."""

    request: int
    report: FindingsReport
    account: str


@dataclass
class FunctionAnswersReady(Message):
    """The needs and triggers of function ``arn``, decided over ``inventory``."""

    inventory: Inventory
    arn: str
    answers: FunctionAnswers


@dataclass
class InvokeConfigsRead(Message):
    """A function read again with its async invoke configs during load ``generation``, with the
    failures of that read."""

    function: Function
    events: tuple[LoadEvent, ...]
    generation: int
