"""The pipeline against a real store and a loopback server: identity, network, politeness."""

from __future__ import annotations

import asyncio
import socket
import time
from dataclasses import replace
from datetime import timedelta
from email.utils import format_datetime
from pathlib import Path

import pytest

from aggregator.fetch import Fetcher
from aggregator.models import FeedConfig, FetchOutcome, Settings, from_iso, to_iso, utc_now
from aggregator.pipeline import Pipeline
from aggregator.schedule import Runner
from aggregator.store import Store
from tests.feedserver import FeedServer


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(database=tmp_path / "s.db", timeout_s=3, connect_timeout_s=1,
                    host_delay_s=0, parse_workers=1, jitter=0.0, min_interval_s=1,
                    user_agent="aggregator-test/1")


def open_store(settings: Settings, *feeds: FeedConfig) -> Store:
    store = Store.open(settings.database)
    store.sync_feeds(feeds, 3600, utc_now())
    return store


def cycle(store: Store, settings: Settings) -> list[FetchOutcome]:
    """One `aggregator fetch --force` cycle, in-process."""
    async def go() -> list[FetchOutcome]:
        async with Fetcher(settings) as fetcher:
            pipeline = Pipeline(store, fetcher, settings)
            try:
                jobs, _ = store.cycle_jobs(utc_now(), force=True)
                return await Runner(store, pipeline, settings).run_jobs(jobs)
            finally:
                pipeline.close()

    return asyncio.run(go())


def feed_row(store: Store, url: str) -> dict[str, object]:
    cursor = store.conn.execute("SELECT * FROM feeds WHERE config_url = ?", (url,))
    names = [d[0] for d in cursor.description]
    return dict(zip(names, cursor.fetchone(), strict=True))


def refused_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_permanent_redirect_is_adopted_only_after_consecutive_fetches(
        feed_server: FeedServer, settings: Settings) -> None:
    old = feed_server.url("old.xml")
    feed_server.set_response("old.xml", status=301, headers={"location": "/rss20.xml"})
    settings = replace(settings, redirect_adopt_fetches=3, redirect_adopt_after_s=0)
    store = open_store(settings, FeedConfig(url=old))
    for expected_count in (1, 2):
        cycle(store, settings)
        row = feed_row(store, old)
        assert (row["url"], row["redirect_count"]) == (old, expected_count)
        assert row["redirect_target"] == feed_server.url("rss20.xml")
    cycle(store, settings)
    row = feed_row(store, old)
    assert row["url"] == feed_server.url("rss20.xml")
    history = store.list_feeds()[0].url_history
    assert [(h.url, h.reason) for h in history] == [(old, "config"),
                                                    (feed_server.url("rss20.xml"), "redirect")]
    hits = feed_server.hits("old.xml")
    cycle(store, settings)
    assert feed_server.hits("old.xml") == hits  # the new URL is fetched directly


def test_permanent_redirect_needs_the_time_span_too(feed_server: FeedServer,
                                                    settings: Settings) -> None:
    old = feed_server.url("old.xml")
    feed_server.set_response("old.xml", status=308, headers={"location": "/rss20.xml"})
    settings = replace(settings, redirect_adopt_fetches=2, redirect_adopt_after_s=86400)
    store = open_store(settings, FeedConfig(url=old))
    for _ in range(4):
        cycle(store, settings)
    row = feed_row(store, old)
    assert row["url"] == old
    assert row["redirect_count"] == 4


def test_temporary_redirects_are_followed_never_adopted(feed_server: FeedServer,
                                                        settings: Settings) -> None:
    old = feed_server.url("old.xml")
    feed_server.set_response("old.xml", status=302, headers={"location": "/rss20.xml"})
    settings = replace(settings, redirect_adopt_fetches=1, redirect_adopt_after_s=0)
    store = open_store(settings, FeedConfig(url=old))
    outcomes = cycle(store, settings) + cycle(store, settings)
    assert [o.outcome for o in outcomes] == ["ok", "not_modified"]
    row = feed_row(store, old)
    assert (row["url"], row["redirect_target"]) == (old, None)


def test_a_broken_chain_resets_the_redirect_count(feed_server: FeedServer,
                                                  settings: Settings) -> None:
    old = feed_server.url("old.xml")
    feed_server.set_response("old.xml", status=301, headers={"location": "/rss20.xml"})
    settings = replace(settings, redirect_adopt_fetches=3, redirect_adopt_after_s=0)
    store = open_store(settings, FeedConfig(url=old))
    cycle(store, settings)
    feed_server.set_response("old.xml", status=302, headers={"location": "/rss20.xml"})
    cycle(store, settings)
    assert feed_row(store, old)["redirect_count"] == 0


def test_network_down_grows_no_error_streak(settings: Settings) -> None:
    port = refused_port()
    urls = [f"http://127.0.0.{n}:{port}/feed.xml" for n in (2, 3, 4, 5)]
    store = open_store(settings, *(FeedConfig(url=u) for u in urls))
    outcomes = cycle(store, replace(settings, concurrency=1))
    assert {o.reason for o in outcomes} == {"connect"}
    assert [feed_row(store, u)["error_streak"] for u in urls] == [0, 0, 0, 0]
    assert {feed_row(store, u)["next_fetch_reason"] for u in urls} == {"network down"}
    assert {f.status for f in store.list_feeds()} == {"error"}
    assert store.conn.execute("SELECT count(*) FROM fetches").fetchone()[0] == 4


def test_canary_decides_network_down_at_the_first_failure(settings: Settings) -> None:
    port = refused_port()
    url = f"http://127.0.0.2:{port}/feed.xml"
    store = open_store(settings, FeedConfig(url=url))
    cycle(store, replace(settings, canary_url=f"http://127.0.0.1:{port}/canary"))
    assert feed_row(store, url)["error_streak"] == 0
    assert "network down" in str(feed_row(store, url)["next_fetch_reason"])


def test_one_dead_host_among_live_ones_is_the_feeds_fault(feed_server: FeedServer,
                                                         settings: Settings) -> None:
    dead = f"http://127.0.0.2:{refused_port()}/feed.xml"
    store = open_store(settings, FeedConfig(url=dead),
                       FeedConfig(url=feed_server.url("rss20.xml")))
    cycle(store, settings)
    cycle(store, settings)
    assert feed_row(store, dead)["error_streak"] == 2


def test_retry_after_with_host_scope_delays_every_feed_of_the_host(
        feed_server: FeedServer, settings: Settings) -> None:
    limited = feed_server.url("limited.xml")
    sibling = feed_server.url("rss20.xml")
    date = utc_now()
    feed_server.set_response("limited.xml", status=503, headers={
        "retry-after": format_datetime(date + timedelta(seconds=600), usegmt=True),
        "date": format_datetime(date, usegmt=True)})
    store = open_store(settings, FeedConfig(url=limited, retry_after_scope="host"),
                       FeedConfig(url=sibling))
    cycle(store, replace(settings, concurrency=1))
    now = utc_now()
    for url in (limited, sibling):
        row = feed_row(store, url)
        assert from_iso(str(row["next_fetch"])) >= now + timedelta(seconds=590), url
    assert feed_row(store, sibling)["next_fetch_reason"] == "Retry-After (host)"
    jobs, skipped = store.cycle_jobs(utc_now())
    assert skipped == [limited, sibling]
    assert not jobs


def test_requests_to_one_host_are_spaced(feed_server: FeedServer, settings: Settings) -> None:
    urls = [feed_server.url(n) for n in ("rss20.xml", "atom10.xml", "rss10.xml")]
    store = open_store(settings, *(FeedConfig(url=u) for u in urls))
    started = time.monotonic()
    cycle(store, replace(settings, host_delay_s=0.4, per_host=3))
    assert time.monotonic() - started >= 0.8


def dated_feed(count: int, step: timedelta) -> str:
    """An RSS feed of ``count`` posts, "Post 1" newest, one ``step`` apart before now."""
    now = utc_now()
    items = "".join(
        f"<item><title>Post {n}</title><guid>p{n}</guid>"
        f"<pubDate>{format_datetime(now - step * n, usegmt=True)}</pubDate></item>"
        for n in range(1, count + 1))
    return ("<rss version='2.0'><channel><title>h</title><link>https://x.example/</link>"
            f"<description>d</description>{items}</channel></rss>")


def test_posting_rate_is_observed(feed_server: FeedServer, settings: Settings) -> None:
    feed_server.set_file("hourly.xml", dated_feed(5, timedelta(hours=2)))
    store = open_store(settings, FeedConfig(url=feed_server.url("hourly.xml")))
    cycle(store, settings)
    row = feed_row(store, feed_server.url("hourly.xml"))
    assert row["post_gap_s"] == pytest.approx(7200)
    assert row["next_fetch_reason"] == "posting rate"


def test_cache_control_is_kept_from_the_last_200(feed_server: FeedServer,
                                                 settings: Settings) -> None:
    feed_server.set_response("rss20.xml", headers={"cache-control": "max-age=5400"})
    url = feed_server.url("rss20.xml")
    store = open_store(settings, FeedConfig(url=url))
    cycle(store, settings)
    feed_server.clear()  # the 304s carry no Cache-Control
    outcomes = cycle(store, settings)
    assert outcomes[0].outcome == "not_modified"
    row = feed_row(store, url)
    assert row["max_age_s"] == 5400
    assert row["next_fetch_reason"] == "Cache-Control"


def test_a_feed_announcing_a_new_url_is_reported_not_followed(
        feed_server: FeedServer, settings: Settings) -> None:
    feed_server.set_file("moving.xml", """<rss version="2.0"
        xmlns:itunes="http://www.itunes.com/dtds/podcast-1.0.dtd"><channel><title>m</title>
        <link>https://x.example/</link><description>d</description>
        <itunes:new-feed-url>https://new.example/feed.xml</itunes:new-feed-url>
        <item><title>a</title><guid>a</guid></item></channel></rss>""")
    url = feed_server.url("moving.xml")
    store = open_store(settings, FeedConfig(url=url))
    cycle(store, settings)
    listed = store.list_feeds()[0]
    assert listed.declared_url == "https://new.example/feed.xml"
    assert listed.url == url


def test_first_fetch_items_keeps_a_new_feeds_backlog_off_the_page(
        feed_server: FeedServer, settings: Settings) -> None:
    now = utc_now()
    feed_server.set_file("big.xml", dated_feed(10, timedelta(minutes=1)))
    store = open_store(settings, FeedConfig(url=feed_server.url("big.xml")))

    async def go() -> None:
        async with Fetcher(settings) as fetcher:
            pipeline = Pipeline(store, fetcher, settings, first_fetch_items=3)
            try:
                jobs, _ = store.cycle_jobs(utc_now(), force=True)
                await Runner(store, pipeline, settings).run_jobs(jobs)
            finally:
                pipeline.close()

    asyncio.run(go())
    newest = [e.title for e in store.newest_entries(5)]
    assert newest[:3] == ["Post 1", "Post 2", "Post 3"]
    held = store.conn.execute("SELECT count(*) FROM entries WHERE sort_at < ?",
                              (to_iso(now - timedelta(days=6)),)).fetchone()[0]
    assert held == 7
