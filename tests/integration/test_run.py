"""`aggregator run` as a real subprocess: fetching, serving, scheduling, stopping."""

from __future__ import annotations

import contextlib
import os
import signal
import sqlite3
import time
from collections.abc import Callable
from pathlib import Path

import feedparser
import pytest

from tests.feedserver import FeedServer
from tests.integration.conftest import FIXTURE_FEEDS, ConfigWriter, RunningService
from tests.processes import children, running

pytestmark = pytest.mark.slow
Start = Callable[[Path], RunningService]


def feeds_fetched(database: Path) -> int:
    """How many feeds the running service has fetched (or failed to) at least once."""
    with contextlib.closing(sqlite3.connect(f"file:{database}?mode=ro", uri=True)) as conn:
        return int(conn.execute("SELECT count(DISTINCT feed_id) FROM fetches").fetchone()[0])


def served_titles(service: RunningService) -> set[str]:
    return {item.get("title", "") for item in service.get("/feed.json").json()["items"]}


def test_run_fetches_serves_answers_304_and_stops_on_sigterm(
        config_file: ConfigWriter, feed_server: FeedServer, start_service: Start) -> None:
    config = config_file()
    service = start_service(config)
    expected = {e.title for e in feedparser.parse(feed_server.url("rss20.xml")).entries}
    service.wait_until(lambda: expected <= served_titles(service), "rss20 entries served")
    # Every feed fetched once: no new entry can land between a 200 and its 304 below.
    service.wait_until(lambda: feeds_fetched(config.parent / "store.db") == len(FIXTURE_FEEDS),
                       "every feed fetched")

    for path, kind in (("/feed.atom", "application/atom+xml"),
                       ("/feed.rss", "application/rss+xml"),
                       ("/feed.json", "application/feed+json")):
        response = service.get(path)
        assert response.status_code == 200
        assert response.headers["content-type"].startswith(kind)
        etag, modified = response.headers["etag"], response.headers["last-modified"]
        assert service.get(path, **{"If-None-Match": etag}).status_code == 304
        assert service.get(path, **{"If-Modified-Since": modified}).status_code == 304
        assert service.get(path, **{"If-None-Match": '"other"'}).status_code == 200
        if path != "/feed.json":
            assert not feedparser.parse(response.content).bozo

    assert 'rel="alternate"' in service.get("/").text
    elapsed = service.stop()
    assert elapsed < 5, service.output()
    assert service.process.returncode == 0, service.output()


def test_new_entry_appears_without_restart_and_restart_respects_due_times(
        config_file: ConfigWriter, feed_server: FeedServer, start_service: Start) -> None:
    # rss20.xml says <ttl>30</ttl>: adaptive scheduling would (rightly) wait 30 minutes.
    config = config_file(interval="2s", names=("rss20.xml",), extra_settings="adaptive = false")
    service = start_service(config)
    service.wait_until(lambda: len(served_titles(service)) > 0, "the first fetch")

    path = feed_server.directory / "rss20.xml"
    text = path.read_text(encoding="utf-8")
    new_item = """<item><title>Breaking: a brand new entry</title>
      <link>https://news.example.org/world/brand-new</link>
      <guid isPermaLink="false">brand-new-entry</guid>
      <pubDate>Thu, 26 Nov 2026 09:00:00 +0000</pubDate>
      <description>Appeared while the service was running.</description></item>"""
    path.write_text(text.replace("<item>", new_item + "\n<item>", 1), encoding="utf-8")
    service.wait_until(lambda: "Breaking: a brand new entry" in served_titles(service),
                       "the new entry to be served", timeout=15)
    assert service.stop() < 5

    # With a long interval, a restart must not refetch what is not due.
    config = config_file(interval="1h", names=("rss20.xml",))
    before = feed_server.hits("rss20.xml")
    first = start_service(config)
    first.wait_until(lambda: feed_server.hits("rss20.xml") > before, "a fetch on 1h interval")
    time.sleep(1.5)  # let the fetch finish and record its next time
    first.stop()
    hits = feed_server.hits("rss20.xml")
    second = start_service(config)
    time.sleep(3)  # several scheduler ticks
    assert feed_server.hits("rss20.xml") == hits, second.output()
    second.stop()


def test_busy_port_is_a_one_line_error(config_file: ConfigWriter, free_port: int) -> None:
    import socket
    import subprocess
    import sys

    config = config_file()
    with socket.create_server(("127.0.0.1", free_port)):
        result = subprocess.run(
            [sys.executable, "-m", "aggregator.cli", "--config", str(config), "run"],
            capture_output=True, text=True, timeout=30, check=False)
    assert result.returncode == 1
    assert f"cannot listen on 127.0.0.1:{free_port}" in result.stderr
    assert "Traceback" not in result.stderr


def test_service_pings_the_websub_hub_when_stories_change(
        config_file: ConfigWriter, feed_server: FeedServer, start_service: Start) -> None:
    from tests.test_websub import Hub

    with Hub() as hub:
        config = config_file(names=("rss20.xml",))
        config.write_text(config.read_text().replace(
            "[output]", f'[output]\nwebsub_hub = "{hub.url}"'))
        service = start_service(config)
        service.wait_until(lambda: len(served_titles(service)) > 0, "the first fetch")
        service.wait_until(lambda: len({u for p in hub.topics() for u in p}) >= 3,
                           "the hub to be pinged", timeout=20)
        topics = {url for ping in hub.topics() for url in ping}
        assert service.base + "/feed.atom" in topics
        response = service.get("/feed.atom")
        assert f'<{hub.url}>; rel="hub"' in response.headers["link"]
        assert 'rel="hub"' in response.text
        service.stop()


@pytest.mark.skipif(not Path("/proc/self/task").is_dir(), reason="needs Linux /proc")
def test_parser_processes_die_with_a_killed_service(
        config_file: ConfigWriter, feed_server: FeedServer, start_service: Start) -> None:
    """kill -9 of the service mid-cycle leaves no parser process behind (issue 13, item 5)."""
    feed_server.set_response("atom10.xml", delay=30)  # the cycle is still going when killed
    config = config_file(extra_settings="parse_workers = 2")
    service = start_service(config)
    service.wait_until(lambda: len(served_titles(service)) > 0, "the first parse")
    workers = children(service.process.pid)
    assert workers, "no parser process found"
    service.process.kill()
    service.process.wait()
    service.log.close()
    deadline = time.monotonic() + 5
    while any(running(pid) for pid in workers) and time.monotonic() < deadline:
        time.sleep(0.1)
    alive = [pid for pid in workers if running(pid)]
    for pid in alive:  # do not leave them to the next test
        with contextlib.suppress(OSError):
            os.kill(pid, signal.SIGKILL)
    assert not alive, f"parser processes outlived the service: {alive}"
