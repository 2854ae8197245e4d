"""A loopback HTTP feed server for tests.

Why this exists: the aggregator's fetcher has to be polite (conditional GET, gzip, timeouts,
retries on 5xx, redirects) and robust (slow or drip-fed bodies, hostile content). Mocking
httpx with respx checks what the client *sends*, but only a real socket shows how it behaves
against a real server: connection reuse, timeouts that actually fire, compressed bodies,
304s. So tests run this small ASGI app under uvicorn in a background thread, bound to
127.0.0.1 on a port the OS picked, and point the aggregator at ``server.url(...)``.

Typical use (see ``tests/conftest.py`` for the ``feed_server`` fixture)::

    feed_server.set_response("/rss20.xml", status=500, times=1)   # one failure, then normal
    feed_server.set_response("/slow.xml", delay=5.0)               # slow headers
    feed_server.set_options("/rss20.xml", conditional=False)       # ignores validators
    assert feed_server.hits("/rss20.xml") == 2

Everything here is test code: it favours being predictable and easy to reason about over
being a complete HTTP implementation.
"""

from __future__ import annotations

import asyncio
import contextlib
import gzip
import hashlib
import mimetypes
import socket
import threading
import time
from collections.abc import Generator, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime, parsedate_to_datetime
from pathlib import Path
from types import TracebackType
from typing import NamedTuple, Self

import uvicorn
from starlette.types import Message, Receive, Scope, Send

__all__ = [
    "BASE_LAST_MODIFIED",
    "FeedServer",
    "RecordedRequest",
    "etag_for",
    "guess_content_type",
]

#: Last-Modified of the first version of every body. A fixed instant (rather than "now")
#: keeps the header value predictable in assertions; each *new* body seen at a path gets
#: one hour more, so a changed file is always strictly newer than the version before it.
BASE_LAST_MODIFIED = datetime(2025, 1, 1, tzinfo=UTC)
_VERSION_STEP = timedelta(hours=1)

#: Content types by extension. Feeds served as ``.xml`` get the generic XML type on purpose:
#: that is what most real servers send, and the aggregator must not rely on a feed-specific
#: type to recognise a feed.
_CONTENT_TYPES: dict[str, str] = {
    ".xml": "application/xml",
    ".rss": "application/rss+xml",
    ".atom": "application/atom+xml",
    ".rdf": "application/rdf+xml",
    ".json": "application/feed+json",
    ".html": "text/html; charset=utf-8",
    ".htm": "text/html; charset=utf-8",
    ".txt": "text/plain; charset=utf-8",
}

#: When a drip-fed response (``chunk_delay > 0``) gives no ``chunks``, split it in this many
#: pieces, so "drip this" works without also having to pick a piece count.
_DEFAULT_DRIP_PIECES = 10

_START_TIMEOUT = 10.0
_STOP_TIMEOUT = 10.0


def etag_for(body: bytes) -> str:
    """Return the strong ETag the server sends for ``body``.

    It is derived from the content only, so tests can predict it and so rewriting a file
    with identical bytes does not look like a change (which is what real servers do).
    """
    return '"' + hashlib.sha256(body).hexdigest()[:32] + '"'


def guess_content_type(path: str) -> str:
    """Guess a Content-Type from the extension of a URL path (see ``_CONTENT_TYPES``)."""
    suffix = Path(path).suffix.lower()
    if suffix in _CONTENT_TYPES:
        return _CONTENT_TYPES[suffix]
    guessed, _ = mimetypes.guess_type(path)
    return guessed or "application/octet-stream"


def _normalise(path: str) -> str:
    """Make ``"feed.xml"`` and ``"/feed.xml"`` the same key, so callers need not care."""
    return path if path.startswith("/") else "/" + path


def _to_bytes(data: bytes | str) -> bytes:
    return data.encode("utf-8") if isinstance(data, str) else data


class RecordedRequest(NamedTuple):
    """One request as the server saw it.

    ``path`` includes the query string (``/feed.xml?x=1``) so tests can check it;
    ``headers`` has lower-cased names, repeated headers joined with ``", "``;
    ``client`` is the peer's (host, port), so tests can tell connections apart.
    """

    method: str
    path: str
    headers: dict[str, str]
    client: tuple[str, int] | None = None


@dataclass
class _File:
    """A body registered with ``set_file`` (takes precedence over the directory)."""

    body: bytes
    content_type: str
    last_modified: datetime | None


@dataclass
class _Options:
    """Per-path switches for behaviours real servers differ on."""

    conditional: bool = True
    validators: bool = True
    gzip: bool = True


@dataclass
class _Override:
    """A ``set_response`` entry. ``remaining`` is None for "until cleared"."""

    status: int | None
    headers: dict[str, str | None]
    body: bytes | None
    delay: float
    chunk_delay: float
    chunks: int | tuple[bytes, ...] | None
    remaining: int | None

    @property
    def canned(self) -> bool:
        """True when the override replaces the file, False when it only shapes delivery."""
        return self.status is not None or self.body is not None or isinstance(self.chunks, tuple)


@dataclass
class _Version:
    etag: str
    last_modified: datetime


@dataclass
class _Reply:
    """A fully decided response, ready to be sent (possibly slowly)."""

    status: int
    headers: dict[str, str] = field(default_factory=dict)
    pieces: list[bytes] = field(default_factory=list)


class _ThreadedServer(uvicorn.Server):
    """A uvicorn server that is happy to live in a non-main thread and stops promptly.

    uvicorn installs SIGINT/SIGTERM handlers around ``serve()``; signal handlers can only be
    installed from the main thread and the test runner owns them, so ``capture_signals`` is
    a no-op here. ``main_loop`` normally polls ``should_exit`` every 0.1 s; this one also
    wakes as soon as ``request_exit()`` is called, which keeps per-test teardown short.
    ``closing`` is also used by the app to cut artificial delays short at shutdown.
    """

    def __init__(self, config: uvicorn.Config) -> None:
        super().__init__(config)
        self.loop: asyncio.AbstractEventLoop | None = None
        self.closing: asyncio.Event | None = None

    @contextlib.contextmanager
    def capture_signals(self) -> Generator[None, None, None]:
        yield

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        # The event must be created on the server's own loop, hence here and not in __init__.
        self.closing = asyncio.Event()
        self.loop = asyncio.get_running_loop()
        await super().startup(sockets=sockets)

    async def main_loop(self) -> None:
        counter = 0
        while not await self.on_tick(counter):
            counter += 1
            if self.closing is None:  # pragma: no cover - startup() always sets it
                await asyncio.sleep(0.1)
                continue
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.closing.wait(), timeout=0.1)

    def request_exit(self) -> None:
        """Ask the server to stop; safe to call from any thread, any number of times."""
        self.should_exit = True
        loop, closing = self.loop, self.closing
        if loop is not None and closing is not None:
            with contextlib.suppress(RuntimeError):  # the loop may already be closed
                loop.call_soon_threadsafe(closing.set)


class FeedServer:
    """Serve feed files (and scripted misbehaviour) over HTTP on 127.0.0.1.

    By default every file under ``directory`` is served at its relative path, read from
    disk on each request so tests can rewrite files between fetches. Served bodies get a
    strong ETag and a Last-Modified, conditional requests are answered with 304, and gzip
    is used when the client accepts it. ``set_response`` scripts failures and slowness for
    one path; ``set_options`` switches conditional GET / validators / gzip off for one path.

    All public methods are thread-safe: tests call them from the main thread while the
    server answers requests from its own thread.
    """

    def __init__(self, directory: Path | str | None = None, *, host: str = "127.0.0.1") -> None:
        self.directory = Path(directory).resolve() if directory is not None else None
        self.host = host
        self._lock = threading.Lock()
        self._files: dict[str, _File] = {}
        self._options: dict[str, _Options] = {}
        self._overrides: dict[str, _Override] = {}
        self._versions: dict[str, _Version] = {}
        self._requests: list[RecordedRequest] = []
        self._server: _ThreadedServer | None = None
        self._thread: threading.Thread | None = None
        self._socket: socket.socket | None = None
        self._port: int | None = None

    # ------------------------------------------------------------------ lifecycle

    def start(self) -> Self:
        """Bind a free port and serve until ``stop()``; returns once connections are accepted.

        The socket is bound here (port 0) and handed to uvicorn, so the port is known and
        owned before the thread starts: no window in which another process could take it.
        """
        if self._thread is not None:
            raise RuntimeError("FeedServer is already running")
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        try:
            sock.bind((self.host, 0))
        except OSError:
            sock.close()
            raise
        config = uvicorn.Config(
            self._app,
            interface="asgi3",  # a bound method defeats uvicorn's ASGI-version sniffing
            http="h11",  # pure Python, same behaviour wherever the tests run
            ws="none",
            loop="asyncio",
            lifespan="off",
            proxy_headers=False,
            log_config=None,  # never reconfigure the test process's logging
            access_log=False,
            timeout_graceful_shutdown=2,
        )
        server = _ThreadedServer(config)
        thread = threading.Thread(
            target=server.run,
            kwargs={"sockets": [sock]},
            name=f"feedserver-{sock.getsockname()[1]}",
            daemon=True,  # a test that forgets stop() must not hang the interpreter
        )
        self._server, self._thread, self._socket = server, thread, sock
        self._port = int(sock.getsockname()[1])
        thread.start()
        deadline = time.monotonic() + _START_TIMEOUT
        while not server.started:
            if not thread.is_alive() or time.monotonic() > deadline:
                self.stop()
                raise RuntimeError("FeedServer failed to start")
            time.sleep(0.001)
        return self

    def stop(self) -> None:
        """Stop serving and wait for the thread; idempotent.

        Pending ``delay``/``chunk_delay`` waits are cut short so teardown stays fast even
        when a test left a 30-second delay behind.
        """
        server, thread, sock = self._server, self._thread, self._socket
        try:
            if server is not None and thread is not None:
                server.request_exit()
                thread.join(_STOP_TIMEOUT)
                if thread.is_alive():
                    server.force_exit = True
                    thread.join(_STOP_TIMEOUT)
                if thread.is_alive():
                    raise RuntimeError("FeedServer thread did not stop")
        finally:
            # Cleared only now: requests still in flight use the server's `closing` event.
            self._server = self._thread = self._socket = None
            if sock is not None:
                sock.close()

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    # ------------------------------------------------------------------ addresses

    @property
    def port(self) -> int:
        """The bound port (only valid once started)."""
        if self._port is None:
            raise RuntimeError("FeedServer has not been started")
        return self._port

    @property
    def base_url(self) -> str:
        """``http://127.0.0.1:PORT`` without a trailing slash."""
        return f"http://{self.host}:{self.port}"

    def url(self, path: str = "/") -> str:
        """Absolute URL of ``path`` on this server (a leading ``/`` is optional)."""
        return self.base_url + _normalise(path)

    # ------------------------------------------------------------------ content

    def set_file(
        self,
        path: str,
        body: bytes | str,
        content_type: str | None = None,
        *,
        last_modified: datetime | None = None,
    ) -> None:
        """Serve ``body`` at ``path`` like a file (ETag, 304s, gzip), shadowing the directory.

        ``content_type`` defaults to a guess from the extension. ``last_modified`` pins the
        Last-Modified header; by default it follows the version rule of BASE_LAST_MODIFIED.
        """
        key = _normalise(path)
        data = _to_bytes(body)
        with self._lock:
            self._files[key] = _File(data, content_type or guess_content_type(key), last_modified)

    def remove_file(self, path: str) -> None:
        """Forget a ``set_file`` body (the directory file, if any, shows through again)."""
        with self._lock:
            self._files.pop(_normalise(path), None)

    def set_options(
        self,
        path: str,
        *,
        conditional: bool | None = None,
        validators: bool | None = None,
        gzip: bool | None = None,
    ) -> None:
        """Change how a served file at ``path`` behaves; ``None`` leaves a switch unchanged.

        - ``conditional=False``: still send ETag/Last-Modified but ignore If-None-Match and
          If-Modified-Since, always answering 200 (a server "without conditional GET").
        - ``validators=False``: send neither ETag nor Last-Modified (and so never 304).
        - ``gzip=False``: never compress, whatever the client accepts.
        """
        key = _normalise(path)
        with self._lock:
            options = self._options.setdefault(key, _Options())
            if conditional is not None:
                options.conditional = conditional
            if validators is not None:
                options.validators = validators
            if gzip is not None:
                options.gzip = gzip

    def set_response(
        self,
        path: str,
        *,
        status: int | None = None,
        headers: Mapping[str, str | None] | None = None,
        body: bytes | str | None = None,
        delay: float = 0.0,
        chunk_delay: float = 0.0,
        chunks: int | Sequence[bytes | str] | None = None,
        times: int | None = None,
    ) -> None:
        """Script the response for ``path`` (replacing any earlier script for it).

        Two modes:

        - *Canned*: if ``status``, ``body`` or a sequence of ``chunks`` is given, that is the
          response (status defaults to 200, body to empty; Content-Type guessed from the
          path when there is a body). No ETag/304/gzip logic applies.
        - *Shaping*: otherwise the normal file response is sent, only delayed, drip-fed and
          with ``headers`` merged in (e.g. ``set_response(p, delay=3)`` for a slow feed).

        ``headers`` override the computed ones by (case-insensitive) name; a value of
        ``None`` removes a header, e.g. ``{"content-length": None}`` for a chunked body.
        ``delay`` is seconds before the status line; ``chunk_delay`` seconds between body
        pieces; ``chunks`` is either the number of equal pieces to split the body into
        (default 10 when ``chunk_delay`` is set) or the explicit pieces themselves.
        ``times`` limits the script to the next N requests, after which the path behaves
        normally again (e.g. ``status=503, times=2`` for a transient outage).
        Waiting stops early when the client disconnects or the server stops.
        """
        if times is not None and times < 1:
            raise ValueError("times must be at least 1")
        if isinstance(chunks, int) and chunks < 1:
            raise ValueError("chunks must be at least 1")
        if chunks is not None and not isinstance(chunks, int) and body is not None:
            raise ValueError("give either body or a sequence of chunks, not both")
        pieces: int | tuple[bytes, ...] | None = (
            chunks if chunks is None or isinstance(chunks, int) else tuple(map(_to_bytes, chunks))
        )
        override = _Override(
            status=status,
            headers={name.lower(): value for name, value in (headers or {}).items()},
            body=None if body is None else _to_bytes(body),
            delay=delay,
            chunk_delay=chunk_delay,
            chunks=pieces,
            remaining=times,
        )
        with self._lock:
            self._overrides[_normalise(path)] = override

    def clear(self) -> None:
        """Drop every ``set_response`` script and ``set_options`` switch.

        Files (directory and ``set_file``) and the request log are kept; see
        ``remove_file`` and ``clear_requests``.
        """
        with self._lock:
            self._overrides.clear()
            self._options.clear()

    # ------------------------------------------------------------------ introspection

    @property
    def requests(self) -> list[RecordedRequest]:
        """A snapshot (a new list) of every request received so far, in arrival order."""
        with self._lock:
            return list(self._requests)

    def hits(self, path: str) -> int:
        """How many requests were made for ``path``.

        A ``path`` without ``?`` matches whatever the query string was; with ``?`` it must
        match exactly.
        """
        key = _normalise(path)
        exact = "?" in key
        with self._lock:
            return sum(
                1
                for request in self._requests
                if (request.path if exact else request.path.partition("?")[0]) == key
            )

    def clear_requests(self) -> None:
        """Forget the request log (e.g. after a warm-up fetch)."""
        with self._lock:
            self._requests.clear()

    def etag(self, path: str) -> str:
        """The ETag the server currently sends for the file at ``path``."""
        return self._version(_normalise(path)).etag

    def last_modified(self, path: str) -> str:
        """The Last-Modified header the server currently sends for the file at ``path``."""
        return format_datetime(self._version(_normalise(path)).last_modified, usegmt=True)

    def _version(self, key: str) -> _Version:
        found = self._read_file(key)
        if found is None:
            raise KeyError(f"no file is served at {key}")
        return self._track_version(key, found[0], found[2])

    # ------------------------------------------------------------------ file resolution

    def _read_file(self, key: str) -> tuple[bytes, str, datetime | None] | None:
        """Body, content type and pinned Last-Modified of the file at ``key``, if any."""
        with self._lock:
            registered = self._files.get(key)
        if registered is not None:
            return registered.body, registered.content_type, registered.last_modified
        if self.directory is None:
            return None
        candidate = (self.directory / key.lstrip("/")).resolve()
        # Refuse ``..`` tricks: only files inside the served directory exist.
        if not candidate.is_relative_to(self.directory) or not candidate.is_file():
            return None
        return candidate.read_bytes(), guess_content_type(key), None

    def _track_version(self, key: str, body: bytes, pinned: datetime | None) -> _Version:
        """Return the ETag/Last-Modified for this body, starting a new version if it changed."""
        etag = etag_for(body)
        with self._lock:
            current = self._versions.get(key)
            if current is None or current.etag != etag:
                if pinned is not None:
                    stamp = pinned
                elif current is None:
                    stamp = BASE_LAST_MODIFIED
                else:
                    stamp = current.last_modified + _VERSION_STEP
                current = _Version(etag, stamp.astimezone(UTC).replace(microsecond=0))
                self._versions[key] = current
            elif pinned is not None and current.last_modified != pinned:
                current.last_modified = pinned.astimezone(UTC).replace(microsecond=0)
            return current

    # ------------------------------------------------------------------ ASGI

    async def _app(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":  # lifespan is off and websockets are disabled
            return
        method: str = scope["method"]
        key = _normalise(scope["path"])
        query: bytes = scope.get("query_string", b"")
        headers: dict[str, str] = {}
        for raw_name, raw_value in scope["headers"]:
            name, value = raw_name.decode("latin-1").lower(), raw_value.decode("latin-1")
            headers[name] = f"{headers[name]}, {value}" if name in headers else value
        recorded_path = key + ("?" + query.decode("latin-1") if query else "")
        with self._lock:
            client = scope.get("client")
            self._requests.append(RecordedRequest(method, recorded_path, headers,
                                                  tuple(client) if client else None))
            override = self._take_override(key)

        disconnected = asyncio.Event()
        watcher = asyncio.create_task(self._watch_disconnect(receive, disconnected))
        try:
            if override is not None and not await self._pause(override.delay, disconnected):
                return
            if override is not None and override.canned:
                reply = self._canned_reply(key, override)
            else:
                reply = self._file_reply(key, method, headers)
                if override is not None:
                    _merge_headers(reply, override.headers)
                    reply.pieces = _split(b"".join(reply.pieces), override.chunks, override)
            await self._send(reply, send, override, disconnected)
        finally:
            watcher.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await watcher

    def _take_override(self, key: str) -> _Override | None:
        """Return the script for ``key`` and count one use of it. Caller holds the lock."""
        override = self._overrides.get(key)
        if override is not None and override.remaining is not None:
            override.remaining -= 1
            if override.remaining <= 0:
                del self._overrides[key]
        return override

    def _canned_reply(self, key: str, override: _Override) -> _Reply:
        body = override.body if override.body is not None else b""
        if isinstance(override.chunks, tuple):
            body = b"".join(override.chunks)
        reply = _Reply(override.status if override.status is not None else 200)
        if body:
            reply.headers["content-type"] = guess_content_type(key)
        reply.headers["content-length"] = str(len(body))
        _merge_headers(reply, override.headers)
        reply.pieces = _split(body, override.chunks, override)
        return reply

    def _file_reply(self, key: str, method: str, request_headers: Mapping[str, str]) -> _Reply:
        if method not in ("GET", "HEAD"):
            return _Reply(405, {"allow": "GET, HEAD", "content-length": "0"})
        found = self._read_file(key)
        if found is None:
            missing = b"not found\n"
            return _Reply(
                404,
                {"content-type": "text/plain; charset=utf-8", "content-length": str(len(missing))},
                [missing],
            )
        body, content_type, pinned = found
        with self._lock:
            options = self._options.get(key) or _Options()
        headers = {"content-type": content_type}
        if options.gzip:
            # The representation depends on Accept-Encoding, so caches must key on it.
            headers["vary"] = "Accept-Encoding"
        if options.validators:
            version = self._track_version(key, body, pinned)
            headers["etag"] = version.etag
            headers["last-modified"] = format_datetime(version.last_modified, usegmt=True)
            if options.conditional and _not_modified(request_headers, version):
                return _Reply(304, headers)
        if options.gzip and _accepts_gzip(request_headers.get("accept-encoding", "")):
            # mtime=0 keeps the compressed bytes deterministic. The ETag is deliberately the
            # same as for the identity encoding (as many real servers do), so clients can
            # store one validator per feed whatever encoding they got.
            body = gzip.compress(body, mtime=0)
            headers["content-encoding"] = "gzip"
        headers["content-length"] = str(len(body))
        return _Reply(200, headers, [body])

    @staticmethod
    async def _watch_disconnect(receive: Receive, disconnected: asyncio.Event) -> None:
        """Drain the request and flag when the client goes away, to stop sleeping for it."""
        while True:
            message: Message = await receive()
            if message["type"] == "http.disconnect":
                disconnected.set()
                return

    async def _pause(self, seconds: float, disconnected: asyncio.Event) -> bool:
        """Sleep up to ``seconds``; False if the client disconnected meanwhile.

        Server shutdown also ends the pause (returning True, so the reply is sent at once).
        """
        if seconds > 0 and not disconnected.is_set():
            server = self._server
            waiters = [asyncio.create_task(disconnected.wait())]
            if server is not None and server.closing is not None:
                waiters.append(asyncio.create_task(server.closing.wait()))
            _, pending = await asyncio.wait(
                waiters, timeout=seconds, return_when=asyncio.FIRST_COMPLETED
            )
            for task in pending:
                task.cancel()
            await asyncio.gather(*pending, return_exceptions=True)
        return not disconnected.is_set()

    async def _send(
        self,
        reply: _Reply,
        send: Send,
        override: _Override | None,
        disconnected: asyncio.Event,
    ) -> None:
        await send(
            {
                "type": "http.response.start",
                "status": reply.status,
                "headers": [
                    (k.encode("latin-1"), v.encode("latin-1")) for k, v in reply.headers.items()
                ],
            }
        )
        pieces = reply.pieces or [b""]
        gap = override.chunk_delay if override is not None else 0.0
        for index, piece in enumerate(pieces):
            last = index == len(pieces) - 1
            await send({"type": "http.response.body", "body": piece, "more_body": not last})
            if not last and not await self._pause(gap, disconnected):
                return


def _merge_headers(reply: _Reply, extra: Mapping[str, str | None]) -> None:
    for name, value in extra.items():
        if value is None:
            reply.headers.pop(name, None)
        else:
            reply.headers[name] = value


def _split(body: bytes, chunks: int | tuple[bytes, ...] | None, override: _Override) -> list[bytes]:
    """Cut ``body`` into the pieces to send, honouring explicit or counted chunks."""
    if isinstance(chunks, tuple):
        return list(chunks)
    count = chunks if chunks is not None else (_DEFAULT_DRIP_PIECES if override.chunk_delay else 1)
    if count <= 1 or len(body) <= 1:
        return [body]
    size = -(-len(body) // count)  # ceiling division, so there are at most `count` pieces
    return [body[i : i + size] for i in range(0, len(body), size)]


def _accepts_gzip(accept_encoding: str) -> bool:
    """True if the Accept-Encoding value allows gzip (honouring ``q=0`` refusals)."""
    for item in accept_encoding.split(","):
        coding, _, params = item.partition(";")
        if coding.strip().lower() not in ("gzip", "x-gzip"):
            continue
        for param in params.split(";"):
            name, _, value = param.partition("=")
            if name.strip().lower() == "q":
                try:
                    return float(value) > 0
                except ValueError:
                    return False
        return True
    return False


def _etag_list(value: str) -> Iterable[str]:
    for item in value.split(","):
        tag = item.strip()
        yield tag.removeprefix("W/")


def _not_modified(request_headers: Mapping[str, str], version: _Version) -> bool:
    """RFC 9110 §13.2.2: If-None-Match wins; If-Modified-Since only when it is absent."""
    if_none_match = request_headers.get("if-none-match")
    if if_none_match is not None:
        # Weak comparison is the rule for If-None-Match.
        own = version.etag.removeprefix("W/")
        return any(tag in ("*", own) for tag in _etag_list(if_none_match))
    if_modified_since = request_headers.get("if-modified-since")
    if if_modified_since is None:
        return False
    try:
        since = parsedate_to_datetime(if_modified_since)
    except (TypeError, ValueError):
        return False  # an unparsable date must be ignored, not treated as a match
    if since.tzinfo is None:
        since = since.replace(tzinfo=UTC)
    return version.last_modified <= since
