"""Snapshots: an inventory as versioned JSON, to be opened anywhere without AWS access.

Format (``docs/snapshot.schema.json`` is the JSON Schema)::

    {"format": "lambdaperm-tui-snapshot", "format_version": 2,
     "account_id": "...", "regions": [...], "captured_at": "...Z", "source": "...", "complete": true,
     "functions": [...], "layers": [...], "roles": [...], "users": [...], "groups": [...],
     "managed_policies": [...], "failures": [...], "organization_id": null, "scps": null, "rcps": null,
     "event_source_mappings": [...], "extra": {}}

Every record is the field-for-field image of its ``inventory.model`` dataclass. A policy slot is written as
one of ``{"state": "document", "document": ...}``, ``{"state": "none"}``, ``{"state": "unknown", "reason":
"..."}`` or ``{"state": "not_loaded"}``, so "no policy" and "could not read" can never be confused. Tags
and alias routing are lists of ``[key, value]`` pairs.

A snapshot holds no credentials: the inventory never has any; a tag whose key looks like a secret keeps its
key in ``redacted_tag_keys`` and loses its value (``redact.py``), and keys of ``extra`` that look like one
are dropped on the way out. Fields added to the model later get defaults, so older snapshots of the same
format version still load; a newer format version is refused with a message saying so. Version 1 files
(before function configurations and event source mappings) load with those marked unknown.

Opening a snapshot costs little more than parsing its JSON: each model type's reader is built once from
its type hints and checks every value as it builds the records; only when one refuses a value does the
slower loader that writes field paths run, to name the bad field (a damaged file is refused at once,
never later). Policy documents stay parsed JSON in their slots: the engine parses one when a question
first reads it. The inventory read is exempt from cyclic collection (``iam/collector.long_lived``).
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
import os
import signal
import stat
import tempfile
import threading
import types
import typing
from collections.abc import Callable
from pathlib import Path
from typing import Any, Literal, Union

from ..iam import collector
from ..iam.files import InputFileError, read_input_file
from .model import NO_POLICY, NOT_LOADED, Inventory, PolicySlot
from .redact import looks_like_secret, redact_inventory

SNAPSHOT_FORMAT = "lambdaperm-tui-snapshot"
SNAPSHOT_FORMAT_VERSION = 2
# Version 1 had no function configuration (tracing, VPC, DLQ, ...) and no event source mappings: a
# migrated snapshot says so in the "unknown" fields, so no answer reads their absence as "none".
_V1_UNREAD = "not in the snapshot (format version 1 did not record it)"
# The largest snapshot read: generous for real accounts (10,000 functions with their policies and
# 5,000 roles come to about 100 MB).
SNAPSHOT_LIMIT = 512 * 1024 * 1024


class SnapshotError(ValueError):
    """A snapshot cannot be read: damaged, not a snapshot, a newer format version, or a bad field.

    The message names the file (when known) and the field path, e.g.
    ``functions[2].policy.state: expected one of document, none, unknown, not_loaded``.
    """


# ------------------------------------------------------------------------------------------ dump


def dump_snapshot(inv: Inventory) -> dict[str, Any]:
    """The inventory as a JSON-ready dict in the current snapshot format."""
    body = _dump(redact_inventory(inv))
    assert isinstance(body, dict)
    body["extra"] = _scrub(body.get("extra") or {})
    return {"format": SNAPSHOT_FORMAT, "format_version": SNAPSHOT_FORMAT_VERSION, **body}


def _dump(value: Any) -> Any:
    if isinstance(value, PolicySlot):
        if not value.fetched:
            return {"state": "not_loaded"}
        if value.unknown is not None:
            return {"state": "unknown", "reason": value.unknown}
        if value.document is None:
            return {"state": "none"}
        return {"state": "document", "document": value.document}
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: _dump(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, (tuple, list)):
        return [_dump(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _dump(v) for k, v in value.items()}
    return value


def _scrub(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _scrub(v) for k, v in value.items() if not looks_like_secret(str(k))}
    if isinstance(value, list):
        return [_scrub(v) for v in value]
    return value


def _writable_target(target: Path) -> None:
    """Refuse to replace anything but a regular file: renaming over a symbolic link, a device (as root,
    ``-o /dev/null`` would replace ``/dev/null``), a FIFO or a directory destroys what it was."""
    try:
        info = os.lstat(target)
    except FileNotFoundError:
        return
    except OSError as exc:
        raise SnapshotError(f"{target}: cannot write snapshot: {exc.strerror or exc}") from exc
    if stat.S_ISREG(info.st_mode):
        return
    kind = (
        "a symbolic link"
        if stat.S_ISLNK(info.st_mode)
        else "a directory"
        if stat.S_ISDIR(info.st_mode)
        else "a FIFO (named pipe)"
        if stat.S_ISFIFO(info.st_mode)
        else "a device"
        if stat.S_ISCHR(info.st_mode) or stat.S_ISBLK(info.st_mode)
        else "not a regular file"
    )
    raise SnapshotError(f"{target}: is {kind}, not a regular file: refusing to replace it")


def save_snapshot(inv: Inventory, path: str | os.PathLike[str]) -> None:
    """Write the snapshot atomically: a temporary file in the same directory, then a rename.

    Only a regular file or a new path is written; a symbolic link, device, FIFO or directory is refused.
    The temporary file is removed whatever stops the save, Ctrl-C included. Raises ``SnapshotError``
    when the file cannot be written.
    """
    target = Path(path)
    _writable_target(target)
    text = json.dumps(dump_snapshot(inv), indent=1, ensure_ascii=False, sort_keys=False) + "\n"
    # SIGINT is held back from creating the temporary file until the try below owns it, so an
    # interrupt can never fall between the two and leave the file behind.
    masked = _block_sigint()
    try:
        try:
            fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent or ".")
        except OSError as exc:
            raise SnapshotError(f"{target}: cannot write snapshot: {exc.strerror or exc}") from exc
        done = False
        try:
            _unblock_sigint(masked)
            masked = False
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                handle.write(text)
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(tmp, target)
            done = True
        except OSError as exc:
            raise SnapshotError(f"{target}: cannot write snapshot: {exc.strerror or exc}") from exc
        finally:
            if not done:
                with contextlib.suppress(OSError):
                    os.unlink(tmp)
    finally:
        _unblock_sigint(masked)


def _block_sigint() -> bool:
    # Only the main thread receives signals in Python; elsewhere there is nothing to hold back.
    if threading.current_thread() is not threading.main_thread() or not hasattr(signal, "pthread_sigmask"):
        return False
    signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    return True


def _unblock_sigint(masked: bool) -> None:
    if masked:
        signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})


# ------------------------------------------------------------------------------------------ load


def read_snapshot(path: str | os.PathLike[str]) -> Inventory:
    """Read and validate a snapshot file. Raises ``SnapshotError`` naming the file and the problem.

    Only a regular file (or ``-``, standard input) of at most ``SNAPSHOT_LIMIT`` bytes is read
    (``iam/files.py``): a FIFO, a device or a link to one is refused, never waited on or read forever.
    """
    target = Path(path)
    try:
        data = read_input_file(str(path), limit=SNAPSHOT_LIMIT, what="snapshot file")
    except InputFileError as exc:
        raise SnapshotError(str(exc)) from exc
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise SnapshotError(f"{target}: damaged snapshot (not UTF-8 text)") from exc
    # A snapshot is millions of acyclic containers: the cyclic collector would only rescan them.
    with collector.paused():
        try:
            obj = json.loads(text)
        except json.JSONDecodeError as exc:
            raise SnapshotError(
                f"{target}: damaged snapshot (not valid JSON at line {exc.lineno}, column {exc.colno})"
            ) from exc
        try:
            inventory = load_snapshot(obj)
        except SnapshotError as exc:
            raise SnapshotError(f"{target}: {exc}") from exc
        # The inventory (documents included) lives on and holds no cycles: never walk it again.
        collector.long_lived()
    return inventory


def load_snapshot(obj: Any) -> Inventory:
    """Build an ``Inventory`` from a parsed snapshot. Raises ``SnapshotError`` naming the bad field."""
    if not isinstance(obj, dict) or obj.get("format") != SNAPSHOT_FORMAT:
        raise SnapshotError('not a lambdaperm-tui snapshot (missing "format": "lambdaperm-tui-snapshot")')
    version = obj.get("format_version")
    if isinstance(version, bool) or not isinstance(version, int):
        raise SnapshotError(f"format_version: unknown snapshot format version {version!r}")
    if version > SNAPSHOT_FORMAT_VERSION:
        raise SnapshotError(
            f"format_version: snapshot format version {version} is newer than this lambdaperm-tui "
            f"understands (up to {SNAPSHOT_FORMAT_VERSION}); upgrade lambdaperm-tui to open it"
        )
    if version < 1:
        raise SnapshotError(f"format_version: unknown snapshot format version {version}")
    body = {k: v for k, v in obj.items() if k not in ("format", "format_version")}
    if version == 1:
        body = _migrate_v1(body)
    try:
        result = _reader(Inventory)(body)
    except _Mismatch:
        # Something is wrong: the checking loader finds the first bad field and names it.
        result = _load(Inventory, body, "")
    assert isinstance(result, Inventory)
    return result


# The call version 1's loader read each kind's tags with: when it failed, the record kept empty tags and
# only the failure said why (version 1 had no ``tags_unknown``).
_V1_TAG_READS = {"functions": "GetFunction", "roles": "GetRole", "users": "GetUser"}


def _migrate_v1(body: dict[str, Any]) -> dict[str, Any]:
    """A version-1 body in version 2's shape: what version 1 never recorded is marked unknown, and so are
    the tags of every record whose tag read it recorded as failed (their empty tags mean nothing)."""
    out = dict(body)
    failures = out.get("failures")
    unread: dict[tuple[str, str], str] = {}
    for failure in failures if isinstance(failures, list) else ():
        if isinstance(failure, dict) and all(
            isinstance(failure.get(k), str) for k in ("resource", "operation")
        ):
            key = (failure["operation"], failure["resource"])
            unread.setdefault(key, f"{failure.get('reason') or 'could not be read'} (format version 1)")
    for kind, operation in _V1_TAG_READS.items():
        records = out.get(kind)
        if not isinstance(records, list):
            continue
        out[kind] = [
            {**r, "tags_unknown": unread[(operation, r["arn"])]}
            if isinstance(r, dict)
            and isinstance(r.get("arn"), str)
            and (operation, r["arn"]) in unread
            and r.get("tags_unknown") is None
            else r
            for r in records
        ]
    functions = out.get("functions")
    if isinstance(functions, list):
        out["functions"] = [
            {**fn, "config": None, "config_unknown": _V1_UNREAD} if isinstance(fn, dict) else fn
            for fn in functions
        ]
    regions = out.get("regions")
    if isinstance(regions, list):
        out["event_source_mappings"] = [
            {"region": r, "mappings": [], "unknown": _V1_UNREAD} for r in regions if isinstance(r, str)
        ]
    return out


_HINTS: dict[type, dict[str, Any]] = {}


def _hints(cls: type) -> dict[str, Any]:
    hints = _HINTS.get(cls)
    if hints is None:
        hints = typing.get_type_hints(cls)
        _HINTS[cls] = hints
    return hints


def _where(path: str) -> str:
    return path or "snapshot"


def _load(tp: Any, value: Any, path: str) -> Any:
    if tp is Any:
        return value
    if tp is PolicySlot:
        return _load_slot(value, path)
    origin = typing.get_origin(tp)
    if origin in (Union, types.UnionType):
        options = typing.get_args(tp)
        if value is None and type(None) in options:
            return None
        errors = []
        for option in options:
            if option is type(None):
                continue
            try:
                return _load(option, value, path)
            except SnapshotError as exc:
                errors.append(str(exc))
        raise SnapshotError(
            errors[0] if len(errors) == 1 else f"{_where(path)}: unexpected value {value!r:.60}"
        )
    if origin is Literal:
        allowed = typing.get_args(tp)
        if value not in allowed:
            raise SnapshotError(
                f"{_where(path)}: expected one of {', '.join(map(str, allowed))}, got {value!r:.60}"
            )
        return value
    if origin is tuple:
        args = typing.get_args(tp)
        if not isinstance(value, list):
            raise SnapshotError(f"{_where(path)}: expected a list")
        if len(args) == 2 and args[1] is Ellipsis:
            return tuple(_load(args[0], v, f"{path}[{i}]") for i, v in enumerate(value))
        if len(value) != len(args):
            raise SnapshotError(f"{_where(path)}: expected a list of {len(args)} items")
        return tuple(_load(a, v, f"{path}[{i}]") for i, (a, v) in enumerate(zip(args, value, strict=True)))
    if origin is dict:
        if not isinstance(value, dict):
            raise SnapshotError(f"{_where(path)}: expected an object")
        return dict(value)
    if dataclasses.is_dataclass(tp) and isinstance(tp, type):
        if not isinstance(value, dict):
            raise SnapshotError(f"{_where(path)}: expected an object")
        hints = _hints(tp)
        kwargs: dict[str, Any] = {}
        for f in dataclasses.fields(tp):
            sub = f"{path}.{f.name}" if path else f.name
            if f.name in value:
                kwargs[f.name] = _load(hints[f.name], value[f.name], sub)
            elif f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING:
                raise SnapshotError(f"{sub}: missing field")
        return tp(**kwargs)
    if tp is float:
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise SnapshotError(f"{_where(path)}: expected a number")
        return float(value)
    if tp in (str, int, bool):
        if not isinstance(value, tp) or (tp is int and isinstance(value, bool)):
            raise SnapshotError(f"{_where(path)}: expected {tp.__name__}, got {type(value).__name__}")
        return value
    if tp is type(None):
        if value is not None:
            raise SnapshotError(f"{_where(path)}: expected null")
        return None
    raise SnapshotError(f"{_where(path)}: cannot read a value of type {tp!r}")  # a model type we do not know


# -- the reader: the same checks as ``_load``, without the field paths -----------------------------------
#
# ``_load`` walks the type hints for every value and writes the field path of every value it reads, for
# the message it raises on a bad one. A snapshot of 1,000 roles is some 30,000 values, all good: the
# reader of each model type is built once from the same hints, takes the same values and builds the same
# objects, but only says *that* a value is bad (``_Mismatch``); ``load_snapshot`` then runs ``_load``,
# which says where and why. tests/inventory/test_snapshot.py checks the two agree on damaged snapshots.


class _Mismatch(Exception):
    """A value the model type does not take (``_load`` says which and why)."""


_Reader = Callable[[Any], Any]
_READERS: dict[Any, _Reader] = {}


def _reader(tp: Any) -> _Reader:
    reader = _READERS.get(tp)
    if reader is None:
        reader = _build_reader(tp)
        _READERS[tp] = reader
    return reader


def _mismatch(value: Any) -> Any:
    raise _Mismatch


def _build_reader(tp: Any) -> _Reader:  # noqa: C901 - one case per kind of type hint, as in _load
    if tp is Any:
        return lambda value: value
    if tp is PolicySlot:
        return _read_slot
    origin = typing.get_origin(tp)
    if origin in (Union, types.UnionType):
        options = [o for o in typing.get_args(tp) if o is not type(None)]
        if len(options) != 1:
            return _mismatch  # no model field has such a union: leave it to _load
        inner = _reader(options[0])
        if type(None) not in typing.get_args(tp):
            return inner
        return lambda value: None if value is None else inner(value)
    if origin is Literal:
        allowed = typing.get_args(tp)

        def literal(value: Any) -> Any:
            if value not in allowed:
                raise _Mismatch
            return value

        return literal
    if origin is tuple:
        args = typing.get_args(tp)
        if len(args) == 2 and args[1] is Ellipsis:
            return _tuple_reader(args[0])
        items = tuple(_reader(a) for a in args)

        def fixed(value: Any) -> Any:
            if not isinstance(value, list) or len(value) != len(items):
                raise _Mismatch
            return tuple(read(v) for read, v in zip(items, value, strict=True))

        return fixed
    if origin is dict:

        def mapping(value: Any) -> Any:
            if not isinstance(value, dict):
                raise _Mismatch
            return dict(value)

        return mapping
    if dataclasses.is_dataclass(tp) and isinstance(tp, type):
        return _record_reader(tp)
    if tp is float:

        def number(value: Any) -> Any:
            if isinstance(value, bool) or not isinstance(value, (int, float)):
                raise _Mismatch
            return float(value)

        return number
    if tp in (str, int, bool, type(None)):
        return _scalar_reader(tp)
    return _mismatch


def _scalar_reader(tp: type) -> _Reader:
    if tp is type(None):

        def null(value: Any) -> Any:
            if value is not None:
                raise _Mismatch
            return None

        return null

    def scalar(value: Any) -> Any:
        if not isinstance(value, tp) or (tp is int and isinstance(value, bool)):
            raise _Mismatch
        return value

    return scalar


def _tuple_reader(item: Any) -> _Reader:
    if item is str:
        # Tags, ARNs, runtimes: the most common list, read without a call per item.
        def strings(value: Any) -> Any:
            if not isinstance(value, list):
                raise _Mismatch
            for v in value:
                if not isinstance(v, str):
                    raise _Mismatch
            return tuple(value)

        return strings
    read = _reader(item)

    def items(value: Any) -> Any:
        if not isinstance(value, list):
            raise _Mismatch
        return tuple([read(v) for v in value])

    return items


# Field kinds a record reader checks inline (no call per value).
_PLAIN, _STR, _OPTIONAL_STR = 0, 1, 2


def _record_reader(tp: type) -> _Reader:
    hints = _hints(tp)
    fields: list[tuple[str, int, _Reader, bool]] = []
    for f in dataclasses.fields(tp):
        hint = hints[f.name]
        kind = _STR if hint is str else _OPTIONAL_STR if hint == (str | None) else _PLAIN
        required = f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING
        fields.append((f.name, kind, _reader(hint), required))

    def record(value: Any) -> Any:
        if not isinstance(value, dict):
            raise _Mismatch
        kwargs: dict[str, Any] = {}
        for name, kind, read, required in fields:
            if name in value:
                v = value[name]
                if kind == _STR:
                    if not isinstance(v, str):
                        raise _Mismatch
                elif kind == _OPTIONAL_STR:
                    if v is not None and not isinstance(v, str):
                        raise _Mismatch
                else:
                    v = read(v)
                kwargs[name] = v
            elif required:
                raise _Mismatch
        return tp(**kwargs)

    return record


def _read_slot(value: Any) -> PolicySlot:
    # _load_slot's cases; the shared slots are the same values (a slot is immutable).
    if not isinstance(value, dict):
        raise _Mismatch
    state = value.get("state")
    if state == "document":
        if "document" not in value:
            raise _Mismatch
        return PolicySlot(document=value["document"])
    if state == "none":
        return NO_POLICY
    if state == "unknown":
        reason = value.get("reason")
        if not isinstance(reason, str) or not reason:
            raise _Mismatch
        return PolicySlot(unknown=reason)
    if state == "not_loaded":
        return NOT_LOADED
    raise _Mismatch


def _load_slot(value: Any, path: str) -> PolicySlot:
    if not isinstance(value, dict):
        raise SnapshotError(f"{_where(path)}: expected a policy slot object")
    state = value.get("state")
    if state == "document":
        if "document" not in value:
            raise SnapshotError(f"{path}.document: missing field")
        return PolicySlot(document=value["document"])
    if state == "none":
        return PolicySlot()
    if state == "unknown":
        reason = value.get("reason")
        if not isinstance(reason, str) or not reason:
            raise SnapshotError(f"{path}.reason: expected the reason the policy is unknown")
        return PolicySlot(unknown=reason)
    if state == "not_loaded":
        return PolicySlot(fetched=False)
    raise SnapshotError(
        f"{path}.state: expected one of document, none, unknown, not_loaded; got {state!r:.40}"
    )


__all__ = [
    "SNAPSHOT_FORMAT",
    "SNAPSHOT_FORMAT_VERSION",
    "SnapshotError",
    "dump_snapshot",
    "load_snapshot",
    "read_snapshot",
    "save_snapshot",
]
