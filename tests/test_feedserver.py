"""Tests of the FeedServer test fixture itself, so other tests can trust it."""

from __future__ import annotations

import gzip
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.feedserver import BASE_LAST_MODIFIED, FeedServer, etag_for

IDENTITY = {"Accept-Encoding": "identity"}


@pytest.fixture
def client() -> Iterator[httpx.Client]:
    with httpx.Client(timeout=5.0) as http:
        yield http


# --------------------------------------------------------------------------- files


def test_serves_directory_file_with_validators(
    feed_server: FeedServer, feeds_dir: Path, client: httpx.Client
) -> None:
    response = client.get(feed_server.url("/rss20.xml"), headers=IDENTITY)

    body = (feeds_dir / "rss20.xml").read_bytes()
    assert response.status_code == 200
    assert response.content == body
    assert response.headers["content-type"] == "application/xml"
    assert response.headers["etag"] == etag_for(body) == feed_server.etag("/rss20.xml")
    assert not response.headers["etag"].startswith("W/")
    assert response.headers["last-modified"] == "Wed, 01 Jan 2025 00:00:00 GMT"
    assert "content-encoding" not in response.headers
    assert response.headers["content-length"] == str(len(body))


def test_unknown_path_is_404(feed_server: FeedServer, client: httpx.Client) -> None:
    assert client.get(feed_server.url("/missing.xml")).status_code == 404
    assert client.get(feed_server.url("/../conftest.py")).status_code == 404


def test_conditional_get_answers_304(feed_server: FeedServer, client: httpx.Client) -> None:
    first = client.get(feed_server.url("/atom10.xml"))

    by_etag = client.get(
        feed_server.url("/atom10.xml"), headers={"If-None-Match": first.headers["etag"]}
    )
    by_date = client.get(
        feed_server.url("/atom10.xml"),
        headers={"If-Modified-Since": first.headers["last-modified"]},
    )
    stale_etag = client.get(
        feed_server.url("/atom10.xml"),
        headers={"If-None-Match": '"other"', "If-Modified-Since": first.headers["last-modified"]},
    )

    assert by_etag.status_code == 304
    assert by_etag.content == b""
    assert by_etag.headers["etag"] == first.headers["etag"]
    assert by_date.status_code == 304
    assert stale_etag.status_code == 200  # If-None-Match takes precedence


def test_changed_file_gets_new_validators(feed_server: FeedServer, client: httpx.Client) -> None:
    first = client.get(feed_server.url("/rss10.xml"))
    assert feed_server.directory is not None
    (feed_server.directory / "rss10.xml").write_bytes(first.content.replace(b"Riv ", b"River "))

    second = client.get(
        feed_server.url("/rss10.xml"), headers={"If-None-Match": first.headers["etag"]}
    )

    assert second.status_code == 200
    assert second.headers["etag"] != first.headers["etag"]
    assert second.headers["last-modified"] == "Wed, 01 Jan 2025 01:00:00 GMT"


def test_conditional_support_can_be_disabled(feed_server: FeedServer, client: httpx.Client) -> None:
    etag = feed_server.etag("/rss20.xml")
    feed_server.set_options("/rss20.xml", conditional=False)
    ignored = client.get(feed_server.url("/rss20.xml"), headers={"If-None-Match": etag})
    feed_server.set_options("/rss20.xml", validators=False)
    bare = client.get(feed_server.url("/rss20.xml"))

    assert ignored.status_code == 200
    assert ignored.headers["etag"] == etag
    assert "etag" not in bare.headers
    assert "last-modified" not in bare.headers


def test_gzip_when_accepted(feed_server: FeedServer, feeds_dir: Path) -> None:
    body = (feeds_dir / "atom10.xml").read_bytes()
    with httpx.Client() as http:  # a raw stream, to see the bytes on the wire
        with http.stream(
            "GET", feed_server.url("/atom10.xml"), headers={"Accept-Encoding": "gzip"}
        ) as response:
            wire = b"".join(response.iter_raw())
        refused = http.get(
            feed_server.url("/atom10.xml"), headers={"Accept-Encoding": "gzip;q=0, identity"}
        )

    assert response.headers["content-encoding"] == "gzip"
    assert response.headers["vary"] == "Accept-Encoding"
    assert response.headers["etag"] == etag_for(body)
    assert gzip.decompress(wire) == body
    assert "content-encoding" not in refused.headers
    assert refused.content == body


def test_set_file_shadows_directory(feed_server: FeedServer, client: httpx.Client) -> None:
    feed_server.set_file("/rss20.xml", "<rss version='2.0'><channel/></rss>")
    feed_server.set_file("/feed.json", b"{}")

    assert client.get(feed_server.url("/rss20.xml")).text.startswith("<rss version='2.0'>")
    assert client.get(feed_server.url("feed.json")).headers["content-type"] == (
        "application/feed+json"
    )


def test_standalone_server_without_directory() -> None:
    with FeedServer() as server:
        server.set_file("/a.atom", "<feed/>")
        response = httpx.get(server.url("/a.atom"))
        port = server.port
    assert response.headers["content-type"] == "application/atom+xml"
    assert response.headers["last-modified"] == server.last_modified("/a.atom")
    assert BASE_LAST_MODIFIED.year == 2025
    with pytest.raises(httpx.ConnectError):
        httpx.get(f"http://127.0.0.1:{port}/a.atom")


# --------------------------------------------------------------------------- overrides


def test_status_override_then_clear(feed_server: FeedServer, client: httpx.Client) -> None:
    feed_server.set_response("/rss20.xml", status=500, body="boom", headers={"Retry-After": "7"})
    failed = client.get(feed_server.url("/rss20.xml"))
    feed_server.clear()
    recovered = client.get(feed_server.url("/rss20.xml"))

    assert failed.status_code == 500
    assert failed.text == "boom"
    assert failed.headers["retry-after"] == "7"
    assert "etag" not in failed.headers
    assert recovered.status_code == 200


def test_override_for_limited_times(feed_server: FeedServer, client: httpx.Client) -> None:
    feed_server.set_response("/rss10.xml", status=503, times=2)
    statuses = [client.get(feed_server.url("/rss10.xml")).status_code for _ in range(3)]
    assert statuses == [503, 503, 200]


def test_redirect_override(feed_server: FeedServer, client: httpx.Client) -> None:
    feed_server.set_response(
        "/old.xml", status=301, headers={"Location": feed_server.url("/atom10.xml")}
    )
    response = client.get(feed_server.url("/old.xml"), follow_redirects=True)
    assert response.status_code == 200
    assert [r.status_code for r in response.history] == [301]


def test_delay_slows_the_response(feed_server: FeedServer, client: httpx.Client) -> None:
    feed_server.set_response("/rss20.xml", delay=0.3)
    started = time.monotonic()
    response = client.get(feed_server.url("/rss20.xml"))
    assert response.status_code == 200
    assert "etag" in response.headers  # shaping keeps the normal file response
    assert time.monotonic() - started >= 0.3


def test_delay_longer_than_client_timeout(feed_server: FeedServer) -> None:
    feed_server.set_response("/rss20.xml", delay=30)
    with pytest.raises(httpx.ReadTimeout):
        httpx.get(feed_server.url("/rss20.xml"), timeout=0.2)
    # The client hung up: the server stops waiting, so teardown is immediate.


def test_stop_cuts_a_pending_delay_short() -> None:
    statuses: list[int] = []
    with FeedServer() as server:
        server.set_file("/feed.xml", "<rss/>")
        server.set_response("/feed.xml", delay=30)
        waiter = threading.Thread(
            target=lambda: statuses.append(
                httpx.get(server.url("/feed.xml"), timeout=10).status_code
            )
        )
        waiter.start()
        while server.hits("/feed.xml") == 0:
            time.sleep(0.01)
        stopping = time.monotonic()
    waiter.join(5)
    assert time.monotonic() - stopping < 2
    assert statuses == [200]


def test_drip_feed(feed_server: FeedServer) -> None:
    feed_server.set_response(
        "/chunks.txt", chunks=["a", "b", "c"], chunk_delay=0.1, headers={"content-length": None}
    )
    started = time.monotonic()
    with httpx.Client() as http, http.stream("GET", feed_server.url("/chunks.txt")) as response:
        pieces = list(response.iter_raw())
    assert b"".join(pieces) == b"abc"
    assert "content-length" not in response.headers
    assert response.headers["transfer-encoding"] == "chunked"
    assert time.monotonic() - started >= 0.2


# --------------------------------------------------------------------------- recording


def test_records_requests(feed_server: FeedServer, client: httpx.Client) -> None:
    client.get(feed_server.url("/rss20.xml"), headers={"User-Agent": "Agg/1.0", "X-Two": "2"})
    client.get(feed_server.url("/rss20.xml?page=2"))
    client.head(feed_server.url("/atom10.xml"))

    assert feed_server.hits("/rss20.xml") == 2
    assert feed_server.hits("/rss20.xml?page=2") == 1
    assert feed_server.hits("atom10.xml") == 1
    assert feed_server.hits("/nothing") == 0
    method, path, headers, client = feed_server.requests[0]
    assert client is not None and client[0] == "127.0.0.1"
    assert (method, path) == ("GET", "/rss20.xml")
    assert headers["user-agent"] == "Agg/1.0"
    assert headers["x-two"] == "2"
    assert [r.method for r in feed_server.requests] == ["GET", "GET", "HEAD"]
    feed_server.clear_requests()
    assert feed_server.requests == []
