"""The cyclic garbage collector held off while a large, acyclic structure is built or read.

Reading a snapshot or asking who-can over thousands of principals allocates millions of containers
that live on (parsed JSON, compiled statements, answers) and form no reference cycles; each full
collection walks all of them again. Measured on ``benchmarks/whocan.py`` (1,000 roles): the first
who-can took 4.5 s with the collector running and 2.7 s with it held off. Reference counting still frees
everything that is dropped; only cycle detection waits until the outermost ``paused()`` ends.
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager

__all__ = ["long_lived", "paused"]

_lock = threading.Lock()
_depth = 0
_was_enabled = False


@contextmanager
def paused() -> Iterator[None]:
    """Hold off the cyclic collector for the block (nested and concurrent uses: until the last ends).

    The collector comes back on only if it was on when the first block began.
    """
    global _depth, _was_enabled
    with _lock:
        if _depth == 0:
            _was_enabled = gc.isenabled()
            gc.disable()
        _depth += 1
    try:
        yield
    finally:
        with _lock:
            _depth -= 1
            if _depth == 0 and _was_enabled:
                gc.enable()


def long_lived() -> None:
    """Exempt every object alive now from cyclic collection (``gc.freeze``): for a large acyclic
    structure just built that lives on (a snapshot's inventory) or until the process ends.

    Built while the collector was paused, such a structure is all in the youngest generation, and the
    next collections would walk every object of it once per generation, then again at each full
    collection and at exit: measured on ``benchmarks/whocan.py`` (1,000 roles), 65 ms for the first
    question after opening the snapshot and 0.4 s at the exit of a ``simulate``. Reference counting
    still frees what is dropped; a reference cycle alive now (garbage or not) is simply never collected.
    """
    gc.freeze()
