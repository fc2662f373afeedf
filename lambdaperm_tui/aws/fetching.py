"""What every fetcher of a load uses: the scheduler's interface, the error taxonomy, response validation.

A fetcher (``fetch_lambda``, ``fetch_layers``, ``fetch_iam``, ``fetch_organizations``) reads one service
through a ``Scheduler`` (``aws.loader.Loader``): ``call`` and ``pages`` make read-only, rate-limited,
cancellable requests; ``fail`` records a ``Failure`` and returns its reason; ``unlist``/``listed_in_full``
say whether a list was read to its end; ``submit`` queues more work (``submit_call`` a task that starts with
one Lambda request, in the lane of that request's quota bucket); ``emit`` reports what was read (the
scheduler keeps its inventory from those events). Every key a fetcher reads goes through
``field_of``/``optional_of``, so a truncated or garbled answer is a ``MalformedResponse``, recorded like
any error in ``READ_ERRORS``.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from typing import Any, Protocol
from urllib.parse import unquote

import botocore.exceptions as bce
from botocore.parsers import ResponseParserError

from ..inventory.events import LoadEvent
from ..inventory.model import ListedKind
from .clients import credential_failure

# Code of the message AWS uses for "this resource exists but has no policy" (see ``no_such_resource``).
NO_POLICY_MESSAGE = "The resource you requested does not exist"
NOT_IMPLEMENTED_CODES = frozenset({"404", "UnknownOperationException", "NotImplemented", "InvalidAction"})
DENIED_CODES = frozenset({"AccessDenied", "AccessDeniedException", "UnauthorizedOperation"})


class Scheduler(Protocol):
    """The load a fetcher runs in (implemented by ``aws.loader.Loader``)."""

    @property
    def account_id(self) -> str | None:
        """The account being loaded."""

    @property
    def regions(self) -> tuple[str, ...]:
        """The Regions being loaded; IAM and Organizations are read in the first."""

    def call(self, service: str, region: str, operation: str, **params: Any) -> Any:
        """One read-only request (rate-limited, counted, cancellable); errors propagate."""

    def pages(
        self, service: str, region: str, operation: str, key: str, marker: str, out_marker: str, **params: Any
    ) -> Iterator[list[Any]]:
        """The validated lists of a paginated call, page by page."""

    def fail(self, kind: str, resource: str, operation: str, exc: BaseException | str) -> str:
        """Record a ``Failure`` (and report it); returns its reason."""

    def unlist(self, kind: ListedKind, region: str | None, reason: str) -> None:
        """The list of ``kind`` (in ``region``) could not be read in full."""

    def listed_in_full(self, kind: ListedKind, region: str | None) -> None:
        """The list of ``kind`` (in ``region``) was read to its end."""

    def submit(self, fn: Callable[..., None], *args: Any) -> None:
        """Run ``fn(*args)`` on the load's pool."""

    def submit_call(self, region: str, operation: str, fn: Callable[..., None], *args: Any) -> None:
        """Run ``fn(*args)``, whose first request is Lambda's ``operation`` in ``region``, when that
        request's quota bucket can take it."""

    def emit(self, event: LoadEvent) -> None:
        """Report what was read; the scheduler keeps its inventory from these."""

    def progress(self, kind: str, done: int = 0, total: int = 0) -> None:
        """Count items of ``kind`` done, or add to their total."""


class Cancelled(Exception):
    """Raised inside a task to stop it when the load is cancelled."""


class MalformedResponse(ValueError):
    """A response the loader cannot rely on: a key it reads is missing or of the wrong type."""


# Everything one read can end in besides an answer; each is recorded on the resource, and the load goes on.
# ResponseParserError (a body that is not the XML/JSON it should be) is not a BotoCoreError, and botocore
# lets the UnicodeDecodeError of a body that is not UTF-8 text escape as it is.
READ_ERRORS: tuple[type[BaseException], ...] = (
    bce.ClientError,
    bce.BotoCoreError,
    ResponseParserError,
    MalformedResponse,
    UnicodeDecodeError,
)
# A policy's text that is not JSON raises ValueError as well.
POLICY_READ_ERRORS: tuple[type[BaseException], ...] = (*READ_ERRORS, ValueError)
# How much of a server's text a reason may quote: enough to recognise, never a whole body.
_EXCERPT = 120


def excerpt(text: str, limit: int = _EXCERPT) -> str:
    """``text`` on one line, control characters escaped (``\\x1b``), cut to ``limit`` characters."""
    out: list[str] = []
    size = 0
    for ch in text:
        piece = ch if ch.isprintable() else ch.encode("unicode_escape").decode("ascii")
        if size + len(piece) > limit:
            return "".join(out) + f"... ({len(text)} characters)"
        out.append(piece)
        size += len(piece)
    return "".join(out)


def reason_of(exc: BaseException) -> str:
    """A one-line "<Code>: <message>" for an AWS error, never containing credentials; whatever the server
    said is quoted as a short escaped excerpt."""
    if isinstance(exc, bce.ClientError):
        error = exc.response.get("Error", {})
        code = excerpt(str(error.get("Code") or "Unknown"), 60)
        message = excerpt(str(error.get("Message") or "").strip())
        attempts = exc.response.get("ResponseMetadata", {}).get("RetryAttempts")
        suffix = f" (after {attempts} retries)" if attempts else ""
        return f"{code}: {message}{suffix}" if message else f"{code}{suffix}"
    if isinstance(exc, ResponseParserError):
        # botocore's message is "Unable to parse response (why), invalid XML received...:\n<the whole body>".
        head, _, body = str(exc).partition(":\n")
        why = head.split(", invalid", 1)[0]
        return f"MalformedResponse: {excerpt(why)}; the body starts {excerpt(body, 60)!r}"
    if isinstance(exc, UnicodeDecodeError):
        return f"MalformedResponse: the body is not UTF-8 text (byte {exc.start})"
    if isinstance(exc, MalformedResponse):
        return f"MalformedResponse: {excerpt(str(exc), 200)}"
    if isinstance(exc, (bce.ReadTimeoutError, bce.ConnectTimeoutError)):
        return f"Timeout: {excerpt(str(exc))}"
    if isinstance(exc, bce.CredentialRetrievalError):  # a refresh mid-load: never the provider's output
        return f"CredentialRetrievalError: {credential_failure(exc, None)}"
    if isinstance(exc, bce.BotoCoreError):
        return f"{type(exc).__name__}: {excerpt(str(exc), 200)}"
    if isinstance(exc, ValueError):  # malformed JSON in a policy
        return f"MalformedPolicyDocument: {excerpt(str(exc), 200)}"
    return f"{type(exc).__name__}: {excerpt(str(exc), 200)}"


def field_of(obj: Any, key: str, kind: type | tuple[type, ...], where: str) -> Any:
    """``obj[key]``, which the loader relies on: raises ``MalformedResponse`` when ``obj`` is not an object
    or the key is missing or not of ``kind``."""
    if not isinstance(obj, dict):
        raise MalformedResponse(f"{where}: expected an object")
    value = obj.get(key)
    if isinstance(value, bool) and kind in (int, (int,)):
        value = None
    if not isinstance(value, kind):
        wanted = kind.__name__ if isinstance(kind, type) else "/".join(k.__name__ for k in kind)
        state = "missing" if key not in obj else f"not a {wanted}"
        raise MalformedResponse(f"{where}: {key} {state}")
    return value


def optional_of(obj: Any, key: str, kind: type | tuple[type, ...], where: str) -> Any:
    """``obj[key]`` when present and not null, else None; of the wrong type: ``MalformedResponse``."""
    if not isinstance(obj, dict):
        raise MalformedResponse(f"{where}: expected an object")
    if obj.get(key) is None:
        return None
    return field_of(obj, key, kind, where)


def no_such_resource(exc: bce.ClientError) -> bool:
    """True for Lambda's "exists, but has no such sub-resource" answer.

    ``GetPolicy``/``GetLayerVersionPolicy``/``GetFunctionUrlConfig`` answer ``ResourceNotFoundException``
    with "The resource you requested does not exist." when the resource exists without one; any other
    message ("Function not found: arn:...") means the resource itself went away during the load.
    """
    return str(exc.response.get("Error", {}).get("Message") or "").startswith(NO_POLICY_MESSAGE)


def error_code(exc: BaseException) -> str:
    """The AWS error code of a ``ClientError`` ("" for anything else)."""
    if isinstance(exc, bce.ClientError):
        return str(exc.response.get("Error", {}).get("Code") or "")
    return ""


def parse_document(value: Any) -> Any:
    """A policy document as parsed JSON. Strings are JSON, or URL-encoded JSON (IAM's wire format).

    Raises ``ValueError`` for text that is neither.
    """
    if not isinstance(value, str):
        return value
    try:
        return json.loads(value)
    except ValueError:
        pass
    try:
        return json.loads(unquote(value))
    except ValueError as exc:
        raise ValueError(f"policy document is not valid JSON ({exc})") from None


def tags_of(items: Any, where: str) -> tuple[tuple[str, str], ...]:
    """Tags as sorted pairs, from Lambda's map or IAM's ``[{"Key", "Value"}]`` list (None: no tags)."""
    if items is None:
        return ()
    if isinstance(items, dict):
        if not all(isinstance(k, str) and isinstance(v, str) for k, v in items.items()):
            raise MalformedResponse(f"{where}: Tags is not a map of strings")
        return tuple(sorted(items.items()))
    if not isinstance(items, list):
        raise MalformedResponse(f"{where}: Tags is not a list")
    return tuple(
        sorted(
            (field_of(t, "Key", str, f"{where} Tags"), field_of(t, "Value", str, f"{where} Tags"))
            for t in items
        )
    )
