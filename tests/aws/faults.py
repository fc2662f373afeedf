"""Fault injection through botocore event hooks on the factory's clients (no patching of boto3)."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from typing import Any, cast

import botocore.exceptions as bce
from botocore.awsrequest import AWSResponse, HTTPHeaders


class _Raw:
    def __init__(self, body: bytes) -> None:
        self.body = body

    def stream(self, **_: Any) -> Any:
        yield self.body


def aws_response(url: str, status: int, headers: dict[str, str], raw: Any) -> AWSResponse:
    """An ``AWSResponse`` as a before-send hook returns one. botocore itself passes a plain mapping of
    headers here; its stubs name ``HTTPHeaders``, hence the cast."""
    return AWSResponse(url, status, cast(HTTPHeaders, headers), raw)


def fake_response(status: int, error_type: str, message: str) -> AWSResponse:
    """An AWS REST-JSON error response, as Lambda sends it."""
    body = json.dumps({"__type": error_type, "Type": "User", "Message": message}).encode()
    headers = {"x-amzn-errortype": error_type, "content-type": "application/json"}
    return aws_response("https://lambda.invalid/", status, headers, _Raw(body))


class FaultInjector:
    """A ``before-send`` handler: for requests whose URL contains a key, answer with a fault.

    ``faults`` maps a URL fragment (e.g. ``"/functions/fn1/policy"``) to a response factory or to an
    exception to raise (a timeout). Counts how often each fault fired.
    """

    def __init__(self, faults: dict[str, Callable[[], AWSResponse] | BaseException]) -> None:
        self.faults = faults
        self.fired: dict[str, int] = {}
        self._lock = threading.Lock()

    def __call__(self, request: Any, **_: Any) -> AWSResponse | None:
        url = str(request.url)
        for fragment, fault in self.faults.items():
            if fragment in url:
                with self._lock:
                    self.fired[fragment] = self.fired.get(fragment, 0) + 1
                if isinstance(fault, BaseException):
                    raise fault
                return fault()
        return None


def access_denied(operation: str) -> Callable[[], AWSResponse]:
    return lambda: fake_response(
        403,
        "AccessDeniedException",
        f"User: arn:aws:iam::111122223333:user/auditor is not authorized to perform: lambda:{operation}",
    )


def throttled() -> AWSResponse:
    return fake_response(429, "TooManyRequestsException", "Rate exceeded")


def timeout(url: str = "https://lambda.invalid/") -> BaseException:
    return bce.ReadTimeoutError(endpoint_url=url)


class PageSplitter:
    """Makes an endpoint that ignores ``MaxItems`` (moto) paginate: slices a list response by marker.

    Register ``before_call`` on ``before-parameter-build.<service>.<Op>`` and ``after_call`` on
    ``after-call.<service>.<Op>``.
    """

    def __init__(self, key: str, page_size: int, marker: str = "Marker", next_marker: str = "NextMarker"):
        self.key = key
        self.page_size = page_size
        self.marker = marker
        self.next_marker = next_marker
        self.markers_seen: list[str | None] = []

    def before_call(self, params: dict[str, Any], context: dict[str, Any], **_: Any) -> None:
        context["split_marker"] = params.get(self.marker)
        self.markers_seen.append(params.get(self.marker))

    def after_call(self, parsed: dict[str, Any], context: dict[str, Any], **_: Any) -> None:
        items = parsed.get(self.key) or []
        start = int(context.get("split_marker") or 0)
        parsed[self.key] = items[start : start + self.page_size]
        parsed.pop(self.next_marker, None)
        if start + self.page_size < len(items):
            parsed[self.next_marker] = str(start + self.page_size)
