"""The cached path of the HTTP app: freshness, validators, gzip and the listening socket.

Serving a cached output asks SQLite's change counters instead of reading the
store, and keeps the gzipped bytes and the headers with the rendering; these
tests hold that to what the app promised before: a change is served by the
very next request, whichever connection made it.
"""

from __future__ import annotations

import asyncio
import gzip
import socket
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from starlette.applications import Starlette

from aggregator.cli import _listen
from aggregator.config import load_config
from aggregator.models import Config, utc_now
from aggregator.serve import create_app
from aggregator.serve.app import gzip_bytes
from aggregator.store import Store

Headers = dict[str, str]


@pytest.fixture
def config(tmp_path: Path) -> Config:
    path = tmp_path / "feeds.toml"
    path.write_text("""[settings]
database = "serve.db"

[output]
base_url = "http://127.0.0.1:8080/"

[[feeds]]
url = "http://127.0.0.1:9/rss"
""")
    loaded = load_config(path)
    store = Store.open(loaded.settings.database)
    store.sync_feeds(loaded.feeds, loaded.settings.interval_s, utc_now())
    store.bump_content_version(datetime(2026, 11, 1, tzinfo=UTC))
    store.close()
    return loaded


@pytest.fixture
def store(config: Config) -> Iterator[Store]:
    opened = Store.open(config.settings.database)
    yield opened
    opened.close()


def get(app: Starlette, path: str, headers: Headers | None = None) -> tuple[int, Headers, bytes]:
    """One request straight into the ASGI app: status, headers and the body as sent."""
    sent: list[dict[str, object]] = []
    scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1",
             "method": "GET", "scheme": "http", "path": path, "raw_path": path.encode(),
             "query_string": b"", "root_path": "", "client": ("127.0.0.1", 1),
             "server": ("127.0.0.1", 8080),
             "headers": [(k.lower().encode(), v.encode()) for k, v in (headers or {}).items()]}

    async def receive() -> dict[str, object]:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: dict[str, object]) -> None:
        sent.append(message)

    asyncio.run(app(scope, receive, send))
    start, body = sent[0], b"".join(m.get("body", b"") for m in sent[1:])  # type: ignore[misc]
    raw = start["headers"]
    assert isinstance(raw, list)
    return int(start["status"]), {k.decode(): v.decode() for k, v in raw}, body  # type: ignore[call-overload]


def test_a_change_through_the_same_connection_is_served_by_the_next_request(
        config: Config, store: Store) -> None:
    app = create_app(store, config)
    _, first, _ = get(app, "/feed.atom")
    store.bump_content_version(datetime(2026, 11, 2, tzinfo=UTC))  # as a fetch in `run` does
    status, then, _ = get(app, "/feed.atom", {"If-None-Match": first["etag"]})
    assert status == 200
    assert then["etag"] != first["etag"]
    assert then["last-modified"] == "Mon, 02 Nov 2026 00:00:00 GMT"


def test_a_change_by_another_connection_is_served_by_the_next_request(
        config: Config, store: Store) -> None:
    app = create_app(store, config)
    _, first, _ = get(app, "/feed.atom")
    _, json_first, _ = get(app, "/feed.json")
    other = Store.open(config.settings.database)  # `aggregator fetch` in another process
    other.bump_content_version(datetime(2026, 11, 3, tzinfo=UTC))
    other.close()
    status, then, _ = get(app, "/feed.atom", {"If-None-Match": first["etag"]})
    assert status == 200
    assert then["last-modified"] == "Tue, 03 Nov 2026 00:00:00 GMT"
    # JSON Feed has no date of its own: the same bytes and ETag, a newer Last-Modified.
    _, json_then, _ = get(app, "/feed.json")
    assert json_then["etag"] == json_first["etag"]
    assert json_then["last-modified"] == then["last-modified"]


def test_unchanged_store_gives_304_with_the_same_validators(config: Config, store: Store) -> None:
    app = create_app(store, config)
    _, first, body = get(app, "/feed.rss")
    status, again, empty = get(app, "/feed.rss", {"If-None-Match": first["etag"]})
    assert (status, empty) == (304, b"")
    for name in ("etag", "last-modified", "cache-control", "vary"):
        assert again[name] == first[name]
    assert "content-length" not in again
    assert first["content-length"] == str(len(body))
    assert get(app, "/feed.rss", {"If-Modified-Since": first["last-modified"]})[0] == 304


def test_gzip_is_compressed_once_and_sent_as_the_middleware_would(
        config: Config, store: Store) -> None:
    app = create_app(store, config)
    _, plain, body = get(app, "/feed.atom")
    asks = {"Accept-Encoding": "gzip, deflate"}
    _, zipped, data = get(app, "/feed.atom", asks)
    assert zipped["content-encoding"] == "gzip"
    assert zipped["content-length"] == str(len(data))
    assert data == gzip_bytes(body)
    assert gzip.decompress(data) == body
    assert zipped["etag"] == plain["etag"]  # weak: one entity, plain or gzipped
    assert plain["vary"] == zipped["vary"] == "Accept, Accept-Encoding"
    assert "content-encoding" not in plain
    assert get(app, "/feed.atom", asks)[2] is data  # kept with the rendering


def test_other_routes_are_still_gzipped_by_the_middleware(config: Config, store: Store) -> None:
    app = create_app(store, config)
    _, headers, data = get(app, "/feed.xsl", {"Accept-Encoding": "gzip"})
    assert headers["content-encoding"] == "gzip"
    assert gzip.decompress(data).startswith(b"<?xml")


def test_the_service_socket_hands_asyncio_tcp_connections_without_nagle() -> None:
    listener = _listen("127.0.0.1", 0)
    nodelay: list[int] = []

    class Probe(asyncio.Protocol):
        def connection_made(self, transport: asyncio.BaseTransport) -> None:
            sock = transport.get_extra_info("socket")
            nodelay.append(sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY))

    async def connect() -> None:
        server = await asyncio.get_running_loop().create_server(Probe, sock=listener)
        async with server:
            _, writer = await asyncio.open_connection(*listener.getsockname()[:2])
            for _ in range(100):
                if nodelay:
                    break
                await asyncio.sleep(0.01)
            writer.close()

    asyncio.run(connect())
    assert nodelay == [1]
