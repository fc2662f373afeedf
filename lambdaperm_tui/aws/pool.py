"""The load's worker threads: a small pool that a cancel or a quit can walk away from.

Why not ``concurrent.futures.ThreadPoolExecutor``: its worker threads are joined when the interpreter exits
(``concurrent.futures.thread`` registers that join with ``threading``), and ``shutdown(wait=False)`` does not
change it. A thread blocked in a socket read of a stalled endpoint would then hold the process for the
rest of its timeout and retries after a Ctrl-C or a ``q``. These workers are daemon threads: once the load
is cancelled, the tasks still queued are dropped, the requests in flight are abandoned (each ends on its
own when its read times out, see ``aws/clients.py``), and the process exits without waiting for them.
Nothing a worker does needs finishing: the loader only reads, and the inventory is built on the caller's
thread from what was reported before the cancel.
"""

from __future__ import annotations

import contextlib
import queue
import threading
from collections.abc import Callable
from typing import Any

_Task = tuple[Callable[..., None], tuple[Any, ...]]


class PoolClosed(RuntimeError):
    """``submit`` after ``shutdown``."""


class DaemonPool:
    """Up to ``max_workers`` daemon threads running submitted callables in order of submission.

    A task's exceptions are its own business (the loader wraps every task); one escaping is ignored so the
    worker survives.
    """

    def __init__(self, max_workers: int, name: str) -> None:
        if max_workers < 1:
            raise ValueError("max_workers: must be at least 1")
        self._max_workers = max_workers
        self._name = name
        self._tasks: queue.SimpleQueue[_Task | None] = queue.SimpleQueue()
        self._lock = threading.Lock()
        self._threads: list[threading.Thread] = []
        self._idle = 0  # workers waiting for a task
        self._closed = False

    def submit(self, fn: Callable[..., None], *args: Any) -> None:
        """Queue ``fn(*args)``; starts another worker when none is idle. Raises ``PoolClosed`` after
        ``shutdown``."""
        with self._lock:
            if self._closed:
                raise PoolClosed("the pool is shut down")
            self._tasks.put((fn, args))
            if self._idle:
                self._idle -= 1  # an idle worker will take it
            elif len(self._threads) < self._max_workers:
                thread = threading.Thread(
                    target=self._work, name=f"{self._name}_{len(self._threads)}", daemon=True
                )
                self._threads.append(thread)
                thread.start()
            # else every worker is busy: the task waits in the queue for the first one free

    def shutdown(self) -> None:
        """Drop the queued tasks and let every worker end after its current task; never waits."""
        with self._lock:
            self._closed = True
            while True:
                try:
                    self._tasks.get_nowait()
                except queue.Empty:
                    break
            for _ in self._threads:
                self._tasks.put(None)

    def alive(self) -> int:
        """Workers still running (a test's view of what a shutdown left behind)."""
        with self._lock:
            return sum(t.is_alive() for t in self._threads)

    def _work(self) -> None:
        while True:
            task = self._tasks.get()
            if task is None:
                return
            fn, args = task
            # The loader records its tasks' errors itself; one escaping must not end the worker.
            with contextlib.suppress(Exception):
                fn(*args)
            with self._lock:
                if self._closed:
                    return
                self._idle += 1
