"""Fetching: conditional GET, compression, limits, and one stable reason per failure."""

from __future__ import annotations

import asyncio
import gzip
import socket
import time
from dataclasses import replace
from pathlib import Path

import httpx
import pytest
import respx

from aggregator.config import DEFAULT_USER_AGENT
from aggregator.errors import FetchError
from aggregator.fetch import Fetcher
from aggregator.models import FetchResult, Settings, Validators
from tests.feedserver import FeedServer
from tests.hostile_server import RawServer, canned

SETTINGS = Settings(database=Path("unused.db"), timeout_s=3, connect_timeout_s=2, host_delay_s=0,
                    user_agent=DEFAULT_USER_AGENT, max_body_bytes=64 * 1024)


def fetch(url: str, validators: Validators | None = None,
          settings: Settings = SETTINGS) -> FetchResult:
    async def go() -> FetchResult:
        async with Fetcher(settings) as fetcher:
            return await fetcher.fetch(url, validators)

    return asyncio.run(go())


def fetch_error(url: str, settings: Settings = SETTINGS) -> FetchError:
    with pytest.raises(FetchError) as info:
        fetch(url, settings=settings)
    return info.value


def test_200_then_304_with_stored_validators(feed_server: FeedServer) -> None:
    url = feed_server.url("rss20.xml")
    first = fetch(url)
    assert first.status == 200
    assert first.body and b"<rss" in first.body
    assert first.validators.etag == feed_server.etag("rss20.xml")
    assert first.validators.last_modified
    second = fetch(url, first.validators)
    assert second.not_modified
    assert second.body is None
    request = feed_server.requests[-1]
    assert request.headers["if-none-match"] == first.validators.etag
    assert request.headers["if-modified-since"] == first.validators.last_modified


def test_304s_keep_the_connection(feed_server: FeedServer) -> None:
    """A 304 has no body, but httpcore pools the connection only once it is read to the end.

    Left unread, every 304 closed its connection and the next poll opened a
    new one: a connect per feed per cycle on an all-304 cycle.
    """
    url = feed_server.url("rss20.xml")

    async def go() -> list[FetchResult]:
        async with Fetcher(SETTINGS) as fetcher:
            first = await fetcher.fetch(url)
            return [first] + [await fetcher.fetch(url, first.validators) for _ in range(3)]

    results = asyncio.run(go())
    assert [r.status for r in results] == [200, 304, 304, 304]
    clients = {r.client for r in feed_server.requests}
    assert len(clients) == 1, f"one connection expected, saw {sorted(map(str, clients))}"


def test_user_agent_names_project_and_gzip_is_accepted(feed_server: FeedServer) -> None:
    result = fetch(feed_server.url("atom10.xml"))
    request = feed_server.requests[-1]
    assert request.headers["user-agent"].startswith("aggregator/")
    assert "+http" in request.headers["user-agent"]
    assert "gzip" in request.headers["accept-encoding"]
    assert result.body is not None
    assert result.body.startswith(b"<?xml")  # decoded
    assert result.bytes_read < len(result.body)  # it was compressed on the wire
    assert "content-encoding" not in result.headers  # the parser gets a decoded body


def test_http_error_status_is_recorded(feed_server: FeedServer) -> None:
    feed_server.set_response("broken.xml", status=500, body="oops")
    error = fetch_error(feed_server.url("broken.xml"))
    assert (error.reason, error.status) == ("http_status", 500)
    assert "500" in str(error)


def test_declared_too_large_body_is_refused(feed_server: FeedServer) -> None:
    feed_server.set_response("big.xml", body=b"x" * (SETTINGS.max_body_bytes + 1))
    error = fetch_error(feed_server.url("big.xml"))
    assert error.reason == "too_large"


def test_streamed_body_is_cut_at_the_limit(feed_server: FeedServer) -> None:
    piece = b"y" * 16 * 1024
    feed_server.set_response("stream.xml", chunks=[piece] * 100,
                             headers={"content-length": None})
    error = fetch_error(feed_server.url("stream.xml"))
    assert error.reason == "too_large"


def test_gzip_bomb_is_stopped_at_the_decompressed_limit(feed_server: FeedServer) -> None:
    bomb = gzip.compress(b"\0" * (50 * 1024 * 1024))  # 50 MiB of zeros, ~50 KiB on the wire
    assert len(bomb) < SETTINGS.max_body_bytes
    feed_server.set_response("bomb.xml", body=bomb, headers={"content-encoding": "gzip"})
    started = time.monotonic()
    error = fetch_error(feed_server.url("bomb.xml"))
    assert error.reason == "too_large"
    assert time.monotonic() - started < 2


def test_slow_drip_is_cut_off_by_the_total_timeout(feed_server: FeedServer) -> None:
    feed_server.set_response("rss20.xml", chunk_delay=0.5, chunks=20)
    settings = replace(SETTINGS, timeout_s=1.0)
    started = time.monotonic()
    error = fetch_error(feed_server.url("rss20.xml"), settings)
    elapsed = time.monotonic() - started
    assert error.reason == "timeout"
    assert elapsed < 2.5


def test_connection_refused() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    error = fetch_error(f"http://127.0.0.1:{port}/feed.xml")
    assert error.reason == "connect"


def test_redirects_are_followed_and_bounded(feed_server: FeedServer) -> None:
    feed_server.set_response("old.xml", status=301, headers={"location": "/rss20.xml"})
    result = fetch(feed_server.url("old.xml"))
    assert result.final_url == feed_server.url("rss20.xml")
    for hop in range(10):
        feed_server.set_response(f"loop{hop}.xml", status=302,
                                 headers={"location": f"/loop{hop + 1}.xml"})
    error = fetch_error(feed_server.url("loop0.xml"))
    assert error.reason == "redirects"


@respx.mock
def test_dns_failure_has_its_own_reason() -> None:
    respx.get("https://no-such-host.invalid/feed").mock(
        side_effect=httpx.ConnectError("[Errno -2] Name or service not known"))
    error = fetch_error("https://no-such-host.invalid/feed")
    assert error.reason == "dns"


@respx.mock
def test_redirect_to_another_scheme_is_refused() -> None:
    respx.get("https://example.test/feed").mock(
        return_value=httpx.Response(302, headers={"location": "ftp://example.test/feed"}))
    error = fetch_error("https://example.test/feed")
    assert error.reason == "scheme"


def test_per_host_limit_is_respected(feed_server: FeedServer) -> None:
    feed_server.set_response("rss20.xml", delay=0.3)
    settings = replace(SETTINGS, per_host=1, concurrency=8)

    async def go() -> float:
        async with Fetcher(settings) as fetcher:
            started = time.monotonic()
            await asyncio.gather(*(fetcher.fetch(feed_server.url("rss20.xml")) for _ in range(3)))
            return time.monotonic() - started

    assert asyncio.run(go()) >= 0.85  # three 0.3 s requests, one at a time


def test_duration_is_the_requests_own_and_the_wait_is_apart(feed_server: FeedServer) -> None:
    """Issue 13, item 7: a request's time never counts its wait for a turn.

    Three fetches of one host 0.5 s apart: the third waits about 1 s before
    it is sent, and its own time is that of a small local file.
    """
    settings = replace(SETTINGS, host_delay_s=0.5, concurrency=8)

    async def go() -> list[FetchResult]:
        async with Fetcher(settings) as fetcher:
            return await asyncio.gather(*(fetcher.fetch(feed_server.url("rss20.xml"))
                                          for _ in range(3)))

    last = max(asyncio.run(go()), key=lambda result: result.wait_s)
    assert 0.9 <= last.wait_s < 1.5, last.wait_s
    assert last.duration_s < 0.4, last.duration_s


def test_a_failed_requests_time_excludes_its_wait() -> None:
    """The error carries both times too: the request's own, and the wait before it."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]  # nothing listens: refused at once
    settings = replace(SETTINGS, host_delay_s=0.5, concurrency=8)

    async def go() -> list[BaseException | FetchResult]:
        async with Fetcher(settings) as fetcher:
            return await asyncio.gather(*(fetcher.fetch(f"http://127.0.0.1:{port}/feed")
                                          for _ in range(3)), return_exceptions=True)

    errors = [e for e in asyncio.run(go()) if isinstance(e, FetchError)]
    assert len(errors) == 3
    last = max(errors, key=lambda error: error.wait_s or 0.0)
    assert last.wait_s is not None and 0.9 <= last.wait_s < 1.5, last.wait_s
    assert last.duration_s is not None and last.duration_s < 0.4, last.duration_s


def test_sniffio_is_a_declared_dependency() -> None:
    """httpcore imports sniffio on every lock it sets up and does not cache a failure.

    anyio >= 4.11 stopped depending on it, so without our own requirement a
    user's install pays a failed import per request (a third of a 304 cycle's
    CPU); the dev venv hides it because trio brings sniffio along.
    """
    from importlib.metadata import requires

    wanted = [r for r in requires("aggregator") or [] if r.split(">")[0].strip() == "sniffio"]
    assert wanted, "sniffio is missing from pyproject.toml's dependencies"


class _IdleConnection:
    """Just enough of httpcore's connection interface for the pool's assignment pass."""

    def is_closed(self) -> bool:
        return False

    def has_expired(self) -> bool:
        return False

    def is_idle(self) -> bool:
        return True

    def is_available(self) -> bool:
        return True

    def can_handle_request(self, origin: object) -> bool:
        return True


def test_pool_hands_an_idle_connection_to_one_waiting_request() -> None:
    """httpcore 1.0.9 gave it to all of them; all but one then failed and went round again."""
    import httpcore

    from aggregator.fetch.network import OnePerConnectionPool, guarded_transport

    async def go() -> None:  # the pool's events need a running loop
        transport = guarded_transport(httpx.Limits(max_connections=2, max_keepalive_connections=2))
        pool = transport._pool
        assert type(pool) is OnePerConnectionPool
        idle = _IdleConnection()
        pool._connections = [idle]
        waiting = [httpcore._async.connection_pool.AsyncPoolRequest(
            httpcore.Request("GET", "http://127.0.0.1:9/feed.xml")) for _ in range(3)]
        pool._requests = list(waiting)
        assert pool._assign_requests_to_connections() == []
        given = [request.connection for request in waiting]
        assert given[0] is idle
        assert given[1] is not None and given[1] is not idle  # a new connection, within the limit
        assert given[2] is None  # waits: the pool is at max_connections
        # The connection handed out but not yet started is not given again.
        assert pool._assign_requests_to_connections() == []
        assert waiting[2].connection is None

    asyncio.run(go())


def test_concurrent_304s_reuse_a_bounded_set_of_connections(feed_server: FeedServer) -> None:
    url = feed_server.url("rss20.xml")

    async def go() -> list[int]:
        async with Fetcher(SETTINGS) as fetcher:
            first = await fetcher.fetch(url)
            statuses = []
            for _ in range(3):
                results = await asyncio.gather(
                    *(fetcher.fetch(url, first.validators) for _ in range(12)))
                statuses += [r.status for r in results]
            return statuses

    assert set(asyncio.run(go())) == {304}
    assert len({r.client for r in feed_server.requests}) <= 12


def test_a_kept_connection_the_server_closed_is_not_reused() -> None:
    """The pool asks each idle stream whether the server hung up (PooledStream's poll).

    The server answers with keep-alive headers and then closes: reusing that
    connection would fail the second fetch with "server disconnected".
    """
    body = b"<rss version='2.0'><channel><title>t</title></channel></rss>"
    response = (b"HTTP/1.1 200 OK\r\nContent-Type: application/rss+xml\r\n"
                b"Content-Length: " + str(len(body)).encode() + b"\r\n\r\n" + body)

    async def go(url: str) -> list[int]:
        async with Fetcher(SETTINGS) as fetcher:
            first = await fetcher.fetch(url)
            await asyncio.sleep(0.2)  # the server's FIN arrives while the connection idles
            second = await fetcher.fetch(url)
            return [first.status, second.status]

    with RawServer(canned(response)) as server:
        assert asyncio.run(go(server.url("/feed.xml"))) == [200, 200]
        assert server.accepted == 2
