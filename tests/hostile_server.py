"""Raw TCP servers on loopback for what the FeedServer cannot express.

The FeedServer is a well-behaved HTTP server that can be told to misbehave
within HTTP.  Some hostile peers are not HTTP servers at all, or need bytes
uvicorn will not let through: a server that accepts and never answers, one
that sends headers for ever, or a response whose ``Date`` header is ours
(uvicorn always adds its own, and two ``Date`` headers are none).  A
``RawServer`` hands each accepted connection to a plain function in its own
thread::

    with RawServer(never_answer) as server:
        url = server.url("/feed.xml")      # connects, then silence
    with RawServer(canned(b"HTTP/1.1 503 ...\\r\\n\\r\\n")) as server:
        ...
        assert server.accepted == 1

Handlers get the connection and an event set at ``stop()``; they should
return soon after it is set.  The server closes every connection itself.
"""

from __future__ import annotations

import contextlib
import socket
import threading
from collections.abc import Callable
from types import TracebackType
from typing import Self

__all__ = ["Handler", "RawServer", "canned", "endless_headers", "never_answer"]

#: A connection handler: the accepted socket, and an event set when the server stops.
Handler = Callable[[socket.socket, threading.Event], None]

_POLL_S = 0.05  # how often a blocked accept/recv looks at the stop event
_JOIN_S = 5.0


class RawServer:
    """A TCP listener on ``host`` (127.0.0.1 by default), a free port, one thread per connection."""

    def __init__(self, handler: Handler, *, host: str = "127.0.0.1") -> None:
        self.handler = handler
        self.host = host
        self._stopping = threading.Event()
        self._lock = threading.Lock()
        self._accepted = 0
        self._listener: socket.socket | None = None
        self._port: int | None = None
        self._threads: list[threading.Thread] = []
        self._connections: list[socket.socket] = []

    def start(self) -> Self:
        """Bind a free port and accept in a background thread."""
        listener = socket.create_server((self.host, 0), backlog=64)
        listener.settimeout(_POLL_S)
        self._listener = listener
        self._port = int(listener.getsockname()[1])
        thread = threading.Thread(target=self._accept_loop, name=f"raw-{self.port}", daemon=True)
        self._threads.append(thread)
        thread.start()
        return self

    def stop(self) -> None:
        """Wake every handler, wait for the threads, close every socket; idempotent."""
        self._stopping.set()
        with self._lock:
            threads = list(self._threads)
        for thread in threads:
            thread.join(_JOIN_S)
        with self._lock:
            connections, self._connections = self._connections, []
        for connection in connections:
            connection.close()
        if self._listener is not None:
            self._listener.close()

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.stop()

    @property
    def port(self) -> int:
        """The bound port (only valid once started)."""
        if self._port is None:
            raise RuntimeError("RawServer has not been started")
        return self._port

    def url(self, path: str = "/") -> str:
        """``http://HOST:PORT/path``."""
        return f"http://{self.host}:{self.port}/{path.lstrip('/')}"

    @property
    def accepted(self) -> int:
        """How many connections were accepted so far."""
        with self._lock:
            return self._accepted

    def _accept_loop(self) -> None:
        assert self._listener is not None
        while not self._stopping.is_set():
            try:
                connection, _ = self._listener.accept()
            except TimeoutError:
                continue
            except OSError:  # the listener was closed
                return
            connection.settimeout(_POLL_S)
            thread = threading.Thread(target=self._handle, args=(connection,), daemon=True)
            with self._lock:
                self._accepted += 1
                self._connections.append(connection)
                self._threads.append(thread)
            thread.start()

    def _handle(self, connection: socket.socket) -> None:
        # A peer that went away is the client's business, not a test failure.
        with contextlib.suppress(OSError):
            self.handler(connection, self._stopping)


def never_answer(connection: socket.socket, stopping: threading.Event) -> None:
    """Accept, read nothing, send nothing, until the server stops."""
    stopping.wait()


def read_request_head(connection: socket.socket, stopping: threading.Event) -> bytes:
    """Bytes up to the end of the request headers (or whatever came before EOF/stop)."""
    data = b""
    while b"\r\n\r\n" not in data and not stopping.is_set():
        try:
            chunk = connection.recv(4096)
        except TimeoutError:
            continue
        if not chunk:
            break
        data += chunk
    return data


def canned(response: bytes) -> Handler:
    """A handler that reads the request, sends ``response`` verbatim and closes."""

    def handle(connection: socket.socket, stopping: threading.Event) -> None:
        read_request_head(connection, stopping)
        connection.sendall(response)
        connection.shutdown(socket.SHUT_WR)

    return handle


def endless_headers(connection: socket.socket, stopping: threading.Event) -> None:
    """A status line, then header lines for ever (until the client hangs up or we stop)."""
    read_request_head(connection, stopping)
    connection.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/rss+xml\r\n")
    line = b"X-Padding: " + b"a" * 1000 + b"\r\n"
    while not stopping.is_set():
        try:
            connection.sendall(line)
        except TimeoutError:
            continue
