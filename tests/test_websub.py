"""WebSub publisher side: the Link header, and pings against a real loopback hub.

The hub is a tiny ASGI app under uvicorn in a thread on 127.0.0.1 (as
``tests/feedserver.py`` runs its server): it records every POSTed form and
answers with a scripted status, so the tests see what goes over the wire and
how the notifier copes with a hub that fails, hangs or is not there at all.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import socket
import threading
import time
from collections.abc import Awaitable, Callable, Generator, Iterator
from dataclasses import dataclass
from typing import Self
from urllib.parse import parse_qs

import httpx
import pytest
import uvicorn
from starlette.types import Receive, Scope, Send

from aggregator.serve.websub import HubNotifier, hub_client, hub_links

LOGGER = "aggregator.serve.websub"
A = "https://agg.example/feed.atom"
B = "https://agg.example/feed.rss"
C = "https://agg.example/o/asia.json"


@dataclass(frozen=True)
class Ping:
    """One POST the hub received."""

    content_type: str
    form: dict[str, list[str]]
    at: float  # time.monotonic() on arrival


class _Server(uvicorn.Server):
    """uvicorn in a non-main thread: no signal handlers (the test runner owns them)."""

    @contextlib.contextmanager
    def capture_signals(self) -> Generator[None, None, None]:
        yield


class Hub:
    """A loopback hub that records publish pings and answers with scripted statuses."""

    def __init__(self) -> None:
        self.pings: list[Ping] = []
        self.script: list[int] = []  # statuses for the next requests; then ``status``
        self.status = 204
        self.delay_s = 0.0
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._sock.bind(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self._sock.getsockname()[1]}/hub"
        config = uvicorn.Config(self._app, interface="asgi3", http="h11", ws="none",
                                loop="asyncio", lifespan="off", log_config=None,
                                access_log=False, timeout_graceful_shutdown=1)
        self._server = _Server(config)
        self._thread = threading.Thread(target=self._server.run,
                                        kwargs={"sockets": [self._sock]}, daemon=True)

    def __enter__(self) -> Self:
        self._thread.start()
        deadline = time.monotonic() + 10
        while not self._server.started:
            assert self._thread.is_alive() and time.monotonic() < deadline, "hub did not start"
            time.sleep(0.001)
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._stopping.set()
        self._server.should_exit = True
        self._thread.join(10)
        self._sock.close()
        assert not self._thread.is_alive(), "hub did not stop"

    def topics(self) -> list[list[str]]:
        """The hub.url values of each ping, in arrival order."""
        with self._lock:
            return [p.form.get("hub.url", []) for p in self.pings]

    async def _app(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return
        body = b""
        while True:
            message = await receive()
            body += message.get("body", b"")
            if not message.get("more_body"):
                break
        headers = {k.decode().lower(): v.decode() for k, v in scope["headers"]}
        with self._lock:
            self.pings.append(Ping(headers.get("content-type", ""),
                                   parse_qs(body.decode("ascii"), strict_parsing=True),
                                   time.monotonic()))
            status = self.script.pop(0) if self.script else self.status
        waited = 0.0
        while waited < self.delay_s and not self._stopping.is_set():
            await asyncio.sleep(0.02)
            waited += 0.02
        reason = b"" if status < 300 else b"hub.topic not found"
        await send({"type": "http.response.start", "status": status,
                    "headers": [(b"content-length", str(len(reason)).encode())]})
        await send({"type": "http.response.body", "body": reason})


@pytest.fixture
def hub() -> Iterator[Hub]:
    with Hub() as server:
        yield server


def run(test: Callable[[httpx.AsyncClient], Awaitable[None]]) -> None:
    """Run ``test`` on a fresh loop with a client, and check it left no task behind."""

    async def main() -> None:
        async with httpx.AsyncClient(timeout=5.0, trust_env=False) as client:
            await test(client)
        assert asyncio.all_tasks() == {asyncio.current_task()}, "a task was left pending"

    asyncio.run(main())


async def wait_for(predicate: Callable[[], bool], timeout_s: float = 5.0) -> None:
    """Poll until ``predicate()`` holds; fail after ``timeout_s``."""
    deadline = time.monotonic() + timeout_s
    while not predicate():
        assert time.monotonic() < deadline, "timed out"
        await asyncio.sleep(0.01)


# --- hub_links -------------------------------------------------------------------------


def test_hub_links_parses_into_hub_and_self() -> None:
    value = hub_links("https://hub.example/", A)
    assert value == f'<https://hub.example/>; rel="hub", <{A}>; rel="self"'
    links = httpx.Response(200, headers={"Link": value}).links
    assert links["hub"]["url"] == "https://hub.example/"
    assert links["self"]["url"] == A


def test_hub_links_encodes_what_would_break_the_header() -> None:
    value = hub_links("https://hub.example/a b", 'https://agg.example/f>"x"é,1?q=a&b=%20')
    assert "\r" not in value and "\n" not in value
    value.encode("ascii")  # header-safe
    links = httpx.Response(200, headers={"Link": value}).links
    assert links["hub"]["url"] == "https://hub.example/a%20b"
    # A valid URL's own characters (",", "?", "&", "%20") are kept as they are.
    assert links["self"]["url"] == "https://agg.example/f%3E%22x%22%C3%A9,1?q=a&b=%20"


@pytest.mark.parametrize("url", ["/feed.atom", "feed.atom", "ftp://agg.example/f", ""])
def test_hub_links_refuses_relative_or_non_http_urls(url: str) -> None:
    with pytest.raises(ValueError, match="absolute"):
        hub_links("https://hub.example/", url)
    with pytest.raises(ValueError, match="absolute"):
        hub_links(url, A)


# --- pings -----------------------------------------------------------------------------


def test_one_notify_pings_each_topic_after_the_interval(hub: Hub) -> None:
    async def test(client: httpx.AsyncClient) -> None:
        notifier = HubNotifier(hub.url, client, min_interval_s=0.2)
        started = time.monotonic()
        await notifier.notify([A, B])
        await wait_for(lambda: len(hub.pings) == 2)  # goes out by itself, no flush
        assert hub.pings[0].at - started >= 0.2
        await notifier.aclose()

    run(test)
    for ping, topic in zip(hub.pings, (A, B), strict=True):
        assert ping.content_type == "application/x-www-form-urlencoded"
        assert ping.form == {"hub.mode": ["publish"], "hub.url": [topic], "hub.topic": [topic]}


def test_batch_sends_one_post_with_every_topic(hub: Hub) -> None:
    async def test(client: httpx.AsyncClient) -> None:
        notifier = HubNotifier(hub.url, client, min_interval_s=0, batch=True)
        await notifier.notify([A, B, C])
        await notifier.flush()
        await notifier.aclose()

    run(test)
    assert len(hub.pings) == 1
    assert hub.pings[0].form == {"hub.mode": ["publish"], "hub.url": [A, B, C],
                                 "hub.topic": [A, B, C]}


def test_quick_notifies_coalesce_into_one_ping(hub: Hub) -> None:
    async def test(client: httpx.AsyncClient) -> None:
        notifier = HubNotifier(hub.url, client, min_interval_s=0.5, batch=True)
        for topics in ([A], [A, B], [A, B]):
            await notifier.notify(topics)
            await asyncio.sleep(0.02)  # let the loop run: a leading-edge ping would go now
        assert hub.pings == []
        await wait_for(lambda: len(hub.pings) == 1)
        await asyncio.sleep(0.6)  # nothing else is due
        assert hub.topics() == [[A, B]]

        # A change right after a ping waits a whole interval again.
        first = hub.pings[0].at
        await notifier.notify([C])
        await wait_for(lambda: len(hub.pings) == 2)
        assert hub.pings[1].at - first >= 0.5
        assert hub.topics()[1] == [C]
        await notifier.aclose()

    run(test)


def test_hub_error_is_logged_not_raised_and_retried_with_the_next_change(
        hub: Hub, caplog: pytest.LogCaptureFixture) -> None:
    hub.script = [500]

    async def test(client: httpx.AsyncClient) -> None:
        notifier = HubNotifier(hub.url, client, min_interval_s=0)
        await notifier.notify([A])
        await notifier.flush()
        assert hub.topics() == [[A]]
        assert [r.levelno for r in caplog.records if r.name == LOGGER] == [logging.WARNING]
        assert "HTTP 500: hub.topic not found" in caplog.text
        await notifier.notify([B])
        await notifier.flush()
        await notifier.aclose()

    run(test)
    # The failed topic went again with the next change; it was not retried on its own.
    assert hub.topics() == [[A], [A], [B]]


def test_unreachable_hub_is_logged_not_raised_and_tried_again(
        caplog: pytest.LogCaptureFixture) -> None:
    with socket.socket() as sock:  # a port nobody listens on: connection refused
        sock.bind(("127.0.0.1", 0))
        dead = f"http://127.0.0.1:{sock.getsockname()[1]}/hub"

    async def test(client: httpx.AsyncClient) -> None:
        notifier = HubNotifier(dead, client, min_interval_s=0)
        await notifier.notify([A, B])
        await notifier.flush()
        await notifier.notify([C])
        await notifier.flush()
        await notifier.aclose()

    run(test)
    warnings = [r.getMessage() for r in caplog.records if r.name == LOGGER]
    assert len(warnings) == 2
    assert all("unreachable (ConnectError" in w for w in warnings)
    assert "2 topic(s)" in warnings[0]  # one attempt for the round, not one per topic
    assert "3 topic(s)" in warnings[1]  # A and B tried again with C


def test_aclose_flushes_a_pending_ping_at_once(hub: Hub) -> None:
    async def test(client: httpx.AsyncClient) -> None:
        notifier = HubNotifier(hub.url, client, min_interval_s=60)
        await notifier.notify([A])
        started = time.monotonic()
        await notifier.aclose()
        assert time.monotonic() - started < 5
        assert hub.topics() == [[A]]
        await notifier.aclose()  # idempotent
        with pytest.raises(RuntimeError, match="after aclose"):
            await notifier.notify([A])

    run(test)


def test_aclose_cancels_a_ping_that_hangs(hub: Hub, caplog: pytest.LogCaptureFixture) -> None:
    hub.delay_s = 30

    async def test(client: httpx.AsyncClient) -> None:
        notifier = HubNotifier(hub.url, client, min_interval_s=0)
        await notifier.notify([A])
        await wait_for(lambda: len(hub.pings) == 1)
        started = time.monotonic()
        await notifier.aclose(timeout_s=0.2)
        assert time.monotonic() - started < 2
        # run() checks that no task is left pending.

    run(test)
    assert "abandoned at shutdown" in caplog.text


def test_flush_without_pending_ping_returns_and_empty_notify_does_nothing(hub: Hub) -> None:
    async def test(client: httpx.AsyncClient) -> None:
        notifier = HubNotifier(hub.url, client, min_interval_s=0)
        await notifier.flush()
        await notifier.notify([])
        await notifier.flush()
        await notifier.aclose()

    run(test)
    assert hub.pings == []


def test_bad_arguments_are_refused() -> None:
    client = httpx.AsyncClient()
    with pytest.raises(ValueError, match="absolute"):
        HubNotifier("hub.example/", client)
    with pytest.raises(ValueError, match="negative"):
        HubNotifier("https://hub.example/", client, min_interval_s=-1)
    asyncio.run(client.aclose())


def test_hub_client_sends_our_user_agent_and_does_not_follow_redirects(hub: Hub) -> None:
    hub.script = [301]

    async def main() -> None:
        async with hub_client("aggregator/test") as client:
            assert client.headers["User-Agent"] == "aggregator/test"
            assert client.follow_redirects is False
            notifier = HubNotifier(hub.url, client, min_interval_s=0)
            await notifier.notify([A])
            await notifier.flush()
            await notifier.aclose()

    asyncio.run(main())
    assert hub.topics() == [[A]]  # the 301 was logged, not followed as a GET
