"""A loopback HTTP fault proxy in front of a moto server, for tests of the AWS path.

The code under test talks to the proxy through its endpoint URL, exactly as it talks to AWS; boto3 is not
patched and no botocore hook is involved. The proxy forwards every request over real HTTP to the moto
server it fronts, unless a rule the test added matches the request; then it answers with the rule's fault:

- ``Status(503, "ServiceUnavailable", "...")``: an AWS-shaped error in the wire format of the service
  (REST-JSON for Lambda, XML for IAM/STS, JSON 1.1 for Organizations);
- ``Truncate(0.5)``: moto's answer cut to half its bytes, with a matching ``Content-Length`` (the client
  sees a well-framed but incomplete body); ``Truncate(0.5, framed=False)`` keeps the full length and
  closes early (the client sees the connection drop mid-body);
- ``Replace(b"...")``: moto's status and headers with another body (garbage, a malformed XML page, ...);
- ``Rewrite(fn)``: moto's answer with its body passed through ``fn(bytes) -> bytes``;
- ``Reset()``: the connection is reset (TCP RST) without any answer;
- ``Delay(seconds, then=None)``: wait, then forward (or apply ``then``); ``stop()`` ends every wait.

Requests are identified by service, Region (both from the SigV4 credential scope), operation (the query
``Action``, the ``X-Amz-Target``, or the REST route of the botocore service model) and path::

    proxy = FaultProxy(moto_url)          # or the ``fault_proxy`` fixture (tests/aws/conftest.py)
    rule = proxy.add(Truncate(0.5), operation="GetPolicy", path_contains="/functions/fn1/")
    factory = ClientFactory(region="us-east-1", endpoint_url=proxy.url)
    ...
    assert rule.fired >= 1

``FaultProxy(moto_url, account=ID)`` sends every request to that moto account, for clients (the CLI in a
subprocess) that cannot add moto's account header. ``times=N`` limits a rule to its first N matching
requests (a fault that a retry gets past). Every request seen is kept in ``proxy.requests``.
"""

from __future__ import annotations

import contextlib
import http.client
import json
import re
import socket
import struct
import threading
from collections.abc import Callable
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

# ------------------------------------------------------------------------------------------ requests


@dataclass(frozen=True, slots=True)
class ProxiedRequest:
    """One request as the proxy saw it."""

    method: str
    path: str  # URL-decoded, without the query string
    query: str
    headers: dict[str, str]  # lower-case names
    body: bytes
    service: str  # from the SigV4 credential scope ("lambda", "iam", ...); "" when unsigned
    region: str
    operation: str  # "" when it could not be told


_SCOPE = re.compile(r"Credential=[^/]+/\d{8}/([^/]+)/([^/]+)/aws4_request")
_ROUTES: dict[str, list[tuple[str, re.Pattern[str], str]]] = {}
_ROUTES_LOCK = threading.Lock()


def _routes(service: str) -> list[tuple[str, re.Pattern[str], str]]:
    """(method, path pattern, operation) of every REST operation of ``service``, most specific first."""
    with _ROUTES_LOCK:
        cached = _ROUTES.get(service)
        if cached is not None:
            return cached
        import botocore.session

        model = botocore.session.get_session().get_service_model(service)
        routes: list[tuple[str, re.Pattern[str], str]] = []
        for name in model.operation_names:
            http_ = model.operation_model(name).http
            uri = str(http_.get("requestUri", "/")).split("?", 1)[0]
            pattern = re.sub(r"\\\{[^}]+\\\+\\\}", ".+", re.escape(uri))
            pattern = re.sub(r"\\\{[^}]+\\\}", "[^/]+", pattern)
            routes.append((str(http_.get("method", "GET")), re.compile(pattern.rstrip("/") + "/?$"), name))
        # Literal segments beat placeholders: /functions/{F}/policy before /functions/{F}.
        routes.sort(key=lambda r: (-r[1].pattern.count("/"), r[1].pattern.count("[^/]+")))
        _ROUTES[service] = routes
        return routes


def _operation(service: str, method: str, path: str, headers: dict[str, str], body: bytes) -> str:
    target = headers.get("x-amz-target", "")
    if target:
        return target.rsplit(".", 1)[-1]
    if headers.get("content-type", "").startswith("application/x-www-form-urlencoded"):
        action = parse_qs(body.decode("utf-8", "replace")).get("Action")
        if action:
            return action[0]
    if not service:
        return ""
    try:
        routes = _routes(service)
    except Exception:  # noqa: BLE001 - an unknown service: no operation name, matching by path still works
        return ""
    for route_method, pattern, name in routes:
        if route_method == method and pattern.match(path):
            return name
    return ""


# ------------------------------------------------------------------------------------------ faults


@dataclass(frozen=True, slots=True)
class Status:
    """Answer with an AWS error of this HTTP status, code and message, in the service's wire format."""

    status: int
    code: str
    message: str = ""


@dataclass(frozen=True, slots=True)
class Truncate:
    """Forward, then send only ``keep`` (a fraction) of the body. ``framed``: Content-Length matches the cut
    body (a short but complete-looking answer); otherwise the full length is announced and the connection
    closes early."""

    keep: float = 0.5
    framed: bool = True


@dataclass(frozen=True, slots=True)
class Replace:
    """Forward, then send moto's status and headers with ``body`` instead of moto's body."""

    body: bytes
    status: int | None = None  # None: moto's status


@dataclass(frozen=True, slots=True)
class Rewrite:
    """Forward, then send moto's answer with its body passed through ``fn``."""

    fn: Callable[[bytes], bytes]


@dataclass(frozen=True, slots=True)
class Reset:
    """Reset the connection (TCP RST) without answering."""


@dataclass(frozen=True, slots=True)
class Delay:
    """Wait ``seconds`` (cut short by ``FaultProxy.stop``), then forward or apply ``then``."""

    seconds: float
    then: Fault | None = None


Fault = Status | Truncate | Replace | Rewrite | Reset | Delay


@dataclass
class Rule:
    """A fault for the requests a match selects; ``fired`` counts the requests it answered."""

    fault: Fault
    service: str | None = None
    operation: str | None = None
    region: str | None = None
    method: str | None = None
    path_contains: str | None = None
    where: Callable[[ProxiedRequest], bool] | None = None
    times: int | None = None
    fired: int = 0

    def matches(self, req: ProxiedRequest) -> bool:
        """True when every criterion given matches ``req`` (and the rule has not used up ``times``)."""
        if self.times is not None and self.fired >= self.times:
            return False
        checks = (
            (self.service, req.service),
            (self.operation, req.operation),
            (self.region, req.region),
            (self.method, req.method),
        )
        if any(want is not None and want != got for want, got in checks):
            return False
        if self.path_contains is not None and self.path_contains not in req.path:
            return False
        return self.where is None or self.where(req)


def error_body(service: str, status: int, code: str, message: str) -> tuple[bytes, dict[str, str]]:
    """An AWS error response body and headers in the wire format of ``service``."""
    if service in ("iam", "sts"):
        xml = (
            f"<ErrorResponse><Error><Type>{'Sender' if status < 500 else 'Receiver'}</Type><Code>{code}"
            f"</Code><Message>{message}</Message></Error><RequestId>fault-proxy</RequestId></ErrorResponse>"
        )
        return xml.encode(), {"Content-Type": "text/xml"}
    if service == "organizations":
        body = json.dumps({"__type": code, "message": message}).encode()
        return body, {"Content-Type": "application/x-amz-json-1.1"}
    body = json.dumps({"Type": "User" if status < 500 else "Service", "Message": message}).encode()
    return body, {"Content-Type": "application/json", "x-amzn-ErrorType": code}


# ------------------------------------------------------------------------------------------ server

_HOP_BY_HOP = frozenset({"connection", "keep-alive", "transfer-encoding", "content-length", "server", "date"})


class FaultProxy:
    """The proxy: ``url`` to point clients at, ``add`` to choose faults, ``requests`` seen so far."""

    def __init__(self, upstream: str, *, account: str | None = None) -> None:
        """Serve on a free 127.0.0.1 port in front of ``upstream``. ``account``: send every request to that
        moto account (its ``x-moto-account-id`` header), so a client that cannot add headers (the CLI in
        a subprocess) still reaches a test's own account."""
        self.account = account
        parts = urlsplit(upstream)
        self.upstream_host = parts.hostname or "127.0.0.1"
        self.upstream_port = parts.port or 80
        self.rules: list[Rule] = []
        self.requests: list[ProxiedRequest] = []
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        proxy = self

        class Handler(_Handler):
            owner = proxy

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._server.block_on_close = False
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"
        self._thread = threading.Thread(target=self._server.serve_forever, name="fault-proxy", daemon=True)
        self._thread.start()

    def add(self, fault: Fault, **match: Any) -> Rule:
        """Answer requests that match (``service``, ``operation``, ``region``, ``method``, ``path_contains``,
        ``where``, ``times``) with ``fault``; the first matching rule wins. Returns the rule."""
        rule = Rule(fault, **match)
        with self._lock:
            self.rules.append(rule)
        return rule

    def clear(self) -> None:
        """Forget every rule and the request log."""
        with self._lock:
            self.rules.clear()
            self.requests.clear()

    def seen(self, operation: str) -> int:
        """How many requests for ``operation`` reached the proxy."""
        with self._lock:
            return sum(1 for r in self.requests if r.operation == operation)

    def stop(self) -> None:
        """Stop serving; every pending ``Delay`` ends at once."""
        self._stopping.set()
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)

    def __enter__(self) -> FaultProxy:
        return self

    def __exit__(self, *_: object) -> None:
        self.stop()

    def _rule_for(self, req: ProxiedRequest) -> Rule | None:
        with self._lock:
            self.requests.append(req)
            for rule in self.rules:
                if rule.matches(req):
                    rule.fired += 1
                    return rule
        return None


class _Handler(BaseHTTPRequestHandler):
    owner: FaultProxy
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - the base class's name
        """Quiet: tests print what they assert."""

    def do_GET(self) -> None:  # noqa: N802 - http.server's naming
        self._serve()

    do_POST = do_PUT = do_DELETE = do_HEAD = do_PATCH = do_GET  # noqa: N815

    def _serve(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        headers = {k.lower(): v for k, v in self.headers.items()}
        raw = urlsplit(self.path)
        scope = _SCOPE.search(headers.get("authorization", ""))
        region, service = (scope.group(1), scope.group(2)) if scope else ("", "")
        path = unquote(raw.path)
        req = ProxiedRequest(
            method=self.command,
            path=path,
            query=raw.query,
            headers=headers,
            body=body,
            service=service,
            region=region,
            operation=_operation(service, self.command, path, headers, body),
        )
        rule = self.owner._rule_for(req)
        self._apply(req, rule.fault if rule is not None else None, self.path)

    def _apply(self, req: ProxiedRequest, fault: Fault | None, raw_path: str) -> None:
        owner = self.owner
        if isinstance(fault, Delay):
            owner._stopping.wait(fault.seconds)
            if owner._stopping.is_set():
                self._reset()
                return
            self._apply(req, fault.then, raw_path)
            return
        if isinstance(fault, Reset):
            self._reset()
            return
        if isinstance(fault, Status):
            body, extra = error_body(req.service, fault.status, fault.code, fault.message)
            self._send(fault.status, list(extra.items()), body)
            return
        status, headers, body = self._upstream(req, raw_path)
        if isinstance(fault, Truncate):
            cut = body[: int(len(body) * fault.keep)]
            if fault.framed:
                self._send(status, headers, cut)
            else:
                self._send(status, headers, cut, length=len(body))
                self.close_connection = True
                self._reset()
            return
        if isinstance(fault, Replace):
            self._send(fault.status or status, headers, fault.body)
            return
        if isinstance(fault, Rewrite):
            self._send(status, headers, fault.fn(body))
            return
        self._send(status, headers, body)

    def _upstream(self, req: ProxiedRequest, raw_path: str) -> tuple[int, list[tuple[str, str]], bytes]:
        owner = self.owner
        conn = http.client.HTTPConnection(owner.upstream_host, owner.upstream_port, timeout=60)
        try:
            headers = {k: v for k, v in req.headers.items() if k not in ("content-length", "connection")}
            if owner.account is not None:
                headers["x-moto-account-id"] = owner.account
            conn.request(req.method, raw_path, body=req.body or None, headers=headers)
            resp = conn.getresponse()
            return resp.status, list(resp.getheaders()), resp.read()
        finally:
            conn.close()

    def _send(
        self, status: int, headers: list[tuple[str, str]], body: bytes, *, length: int | None = None
    ) -> None:
        self.send_response_only(status)
        for name, value in headers:
            if name.lower() not in _HOP_BY_HOP:
                self.send_header(name, value)
        self.send_header("Content-Length", str(len(body) if length is None else length))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)
        self.wfile.flush()

    def _reset(self) -> None:
        self.close_connection = True
        with contextlib.suppress(OSError):
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            self.connection.close()

    def finish(self) -> None:
        """A reset connection has nothing left to flush."""
        with contextlib.suppress(OSError):
            super().finish()
