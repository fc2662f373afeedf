"""Reading an input file (a scenario, a policy, a snapshot) without trusting what the path names.

A path may name a FIFO (opening it for reading waits for a writer: a hang), a device (``/dev/zero``
never ends: memory grows until the machine gives up), a symbolic link to either, or a regular file far
larger than any real input. Only a regular file, or standard input (``-``), is read, and never more
than a limit the caller names; anything else is refused with a one-line ``InputFileError``.

Here, in the lowest layer, because the engine's scenario files, the command line and the snapshot
reader all need it, and importing it must cost the command line nothing.
"""

from __future__ import annotations

import os
import stat
import sys

__all__ = ["InputFileError", "MB", "read_input_file"]

MB = 1024 * 1024


class InputFileError(ValueError):
    """An input file that is refused or cannot be read; the message names the path and the reason."""


def _kind(mode: int) -> str:
    if stat.S_ISDIR(mode):
        return "a directory"
    if stat.S_ISFIFO(mode):
        return "a FIFO (named pipe)"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "not a regular file"


def _too_big(path: str, what: str, limit: int) -> InputFileError:
    return InputFileError(f"{path}: {what} larger than the limit of {limit // MB} MB: refused")


def read_input_file(path: str, *, limit: int, what: str) -> bytes:
    """The bytes of the regular file at ``path`` (``-``: standard input), at most ``limit`` bytes.

    ``what`` names the input in messages ("scenario file", "snapshot file"). Raises ``InputFileError`` for a
    missing or unreadable path, anything that is not a regular file (a FIFO, a device, a directory,
    also behind a symbolic link), and content over ``limit``.
    """
    if path == "-":
        data = sys.stdin.buffer.read(limit + 1)
        if len(data) > limit:
            raise _too_big("standard input", what, limit)
        return data
    try:
        # O_NONBLOCK: opening a FIFO with no writer returns at once (it is then refused) instead of
        # waiting forever; it changes nothing for a regular file.
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_NOCTTY", 0))
    except FileNotFoundError:
        raise InputFileError(f"{path}: no such {what}") from None
    except PermissionError:
        raise InputFileError(f"{path}: permission denied") from None
    except OSError as exc:
        raise InputFileError(f"{path}: cannot read: {exc.strerror or exc}") from None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise InputFileError(f"{path}: is {_kind(info.st_mode)}, not a regular file: refused")
        if info.st_size > limit:
            raise _too_big(path, what, limit)
        chunks: list[bytes] = []
        size = 0
        # Read at most limit + 1 bytes: a file that grows while it is read is still bounded.
        while size <= limit:
            chunk = os.read(fd, min(limit + 1 - size, 16 * MB))
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
        if size > limit:
            raise _too_big(path, what, limit)
        return b"".join(chunks)
    except OSError as exc:
        raise InputFileError(f"{path}: cannot read: {exc.strerror or exc}") from None
    finally:
        os.close(fd)
