"""A tiny loopback HTTP server for the read-only and cancellation tests: counts, answers, stalls or drips.

``mode``:
- ``"answer"``: reads each request and answers with ``body`` (HTTP 200), counting requests: the ground
  truth for "a refused operation never reached the server".
- ``"stall"``: accepts connections and reads the request, then never answers (a hung endpoint).
- ``"slow"``: answers with the status line and headers, then sends the body one byte every
  ``drip_seconds``, so no single read times out while the response takes minutes.
- ``"identity"``: answers sts:GetCallerIdentity with ``body`` and stalls every other request: an account
  whose credentials check passes and whose every read then hangs.

Connections are held until ``stop()``; every socket is closed then, so no thread outlives a test.
"""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from typing import Literal

Mode = Literal["answer", "stall", "slow", "identity"]

STS_IDENTITY = (
    b'<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">'
    b"<GetCallerIdentityResult><Arn>arn:aws:iam::111122223333:user/auditor</Arn>"
    b"<UserId>AIDAEXAMPLE</UserId><Account>111122223333</Account></GetCallerIdentityResult>"
    b"<ResponseMetadata><RequestId>1</RequestId></ResponseMetadata></GetCallerIdentityResponse>"
)


class LoopbackServer:
    """One listening socket on 127.0.0.1 with a thread per connection."""

    def __init__(self, mode: Mode, body: bytes = STS_IDENTITY, drip_seconds: float = 1.0) -> None:
        self.mode = mode
        self.body = body
        self.drip_seconds = drip_seconds
        self.requests = 0  # request heads received (every mode)
        self.connections = 0
        self._lock = threading.Lock()
        self._stopped = threading.Event()
        self._sockets: list[socket.socket] = []
        self._listener = socket.create_server(("127.0.0.1", 0))
        self._listener.settimeout(0.2)
        self.port = int(self._listener.getsockname()[1])
        self.endpoint_url = f"http://127.0.0.1:{self.port}"
        self._thread = threading.Thread(target=self._accept, name="loopback-accept", daemon=True)

    def start(self) -> LoopbackServer:
        """Start accepting; returns self."""
        self._thread.start()
        return self

    def stop(self) -> None:
        """Close the listener and every connection."""
        self._stopped.set()
        self._thread.join(timeout=5)
        self._listener.close()
        with self._lock:
            sockets, self._sockets = self._sockets, []
        for sock in sockets:
            with suppress(OSError):
                sock.close()

    def _accept(self) -> None:
        while not self._stopped.is_set():
            try:
                conn, _ = self._listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            with self._lock:
                self._sockets.append(conn)
                self.connections += 1
            threading.Thread(target=self._serve, args=(conn,), name="loopback-conn", daemon=True).start()

    def _read_request(self, conn: socket.socket) -> bytes | None:
        """Read one request (head and a Content-Length body); None when the peer went away."""
        data = b""
        while b"\r\n\r\n" not in data:
            chunk = conn.recv(65536)
            if not chunk:
                return None
            data += chunk
        head, _, rest = data.partition(b"\r\n\r\n")
        length = 0
        for line in head.split(b"\r\n")[1:]:
            name, _, value = line.partition(b":")
            if name.strip().lower() == b"content-length":
                length = int(value.strip())
        while len(rest) < length:
            chunk = conn.recv(65536)
            if not chunk:
                return None
            rest += chunk
        with self._lock:
            self.requests += 1
        return head + b"\r\n\r\n" + rest

    def _serve(self, conn: socket.socket) -> None:
        try:
            while not self._stopped.is_set():
                request = self._read_request(conn)
                if request is None:
                    return
                if self.mode == "stall" or (
                    self.mode == "identity" and b"Action=GetCallerIdentity" not in request
                ):
                    self._stopped.wait()
                    return
                head = (
                    b"HTTP/1.1 200 OK\r\nContent-Type: text/xml\r\n"
                    + f"Content-Length: {len(self.body)}\r\n\r\n".encode()
                )
                conn.sendall(head)
                if self.mode in ("answer", "identity"):
                    conn.sendall(self.body)
                    continue
                for i in range(len(self.body)):
                    if self._stopped.wait(self.drip_seconds):
                        return
                    conn.sendall(self.body[i : i + 1])
        except OSError:
            return


@contextmanager
def loopback(mode: Mode, body: bytes = STS_IDENTITY, drip_seconds: float = 1.0) -> Iterator[LoopbackServer]:
    """A started ``LoopbackServer``, stopped on exit."""
    server = LoopbackServer(mode, body, drip_seconds).start()
    try:
        yield server
    finally:
        server.stop()
