"""Crash safety: `aggregator run` killed with SIGKILL at random moments, 50 times (issue 13).

Why: a power cut or an OOM kill can land anywhere, mid-transaction included. SQLite's
journal is meant to make each fetch's transaction all-or-nothing; this test checks that our
use of it holds: after every kill the store is intact, nothing committed is lost, no entry
is stored twice, every entry is in exactly one story whose representative exists, and after
a last clean cycle every entry the feeds ever carried is stored once.

The feeds come from a loopback server that grows each feed by one entry per request, and
the same story (link and title) appears in every feed, so dedupe joins entries across feeds
while the kills land.
"""

from __future__ import annotations

import contextlib
import os
import random
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx
import pytest

from tests.processes import children, running

pytestmark = pytest.mark.slow

KILLS = 50
FEEDS = 4
MAX_ENTRIES = 20  # a feed stops growing here, so the last cycle can catch up
# One place a story: different stories are told apart by what they name, as real ones are
# (this test is about crash safety, not about telling apart items that differ by a number).
PLACES = ("Amberley", "Brixham", "Cromarty", "Dunmore", "Eyemouth", "Fowey", "Girvan",
          "Harwich", "Ilfracombe", "Jarrow", "Kinsale", "Looe", "Mevagissey", "Newlyn",
          "Oban", "Padstow", "Quoyness", "Rye", "Staithes", "Tobermory", "Ullapool", "Whitby")
GROWTH = 1  # entries added per request; the newest entry's text changes on each


class GrowingFeeds:
    """Feed ``/f{i}.xml`` carries ``GROWTH`` more entries on each request: entries 0..n-1."""

    def __init__(self) -> None:
        self.requests: dict[int, int] = {}
        self.lock = threading.Lock()
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                feed = int(self.path.strip("/").removeprefix("f").removesuffix(".xml"))
                body = owner.next_body(feed)
                self.send_response(200)
                self.send_header("Content-Type", "application/rss+xml")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *_args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def url(self, feed: int) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/f{feed}.xml"

    def count(self, feed: int) -> int:
        """How many entries the feed carries in its latest version."""
        with self.lock:
            return min(self.requests.get(feed, 0) * GROWTH, MAX_ENTRIES)

    def next_body(self, feed: int) -> bytes:
        with self.lock:
            self.requests[feed] = self.requests.get(feed, 0) + 1
            revision = self.requests[feed]
            n = min(revision * GROWTH, MAX_ENTRIES)
        items = "".join(
            f"""<item><title>Story number {j} about the harbour of {PLACES[j]}</title>
<link>https://news.example.org/story/{j}</link><guid isPermaLink="false">f{feed}-e{j}</guid>
<pubDate>Thu, 26 Nov 2026 {j // 60:02d}:{j % 60:02d}:00 +0000</pubDate>
<description>Feed {feed} reports story {j}: the harbour of {PLACES[j]} reopened after the storm,
and the ferries run again on the winter timetable{
                "" if j < n - 1 else f" (revision {revision})"}.</description></item>"""
            for j in range(n))
        return (f"""<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>
<title>Feed {feed}</title><link>https://feed{feed}.example.org/</link>
<description>revision {revision}</description>{items}</channel></rss>""").encode()

    def __enter__(self) -> GrowingFeeds:
        self.thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def feeds() -> Iterator[GrowingFeeds]:
    with GrowingFeeds() as server:
        yield server


def write_config(directory: Path, feeds: GrowingFeeds, port: int) -> Path:
    path = directory / "feeds.toml"
    entries = "".join(f'\n[[feeds]]\nurl = "{feeds.url(i)}"\n' for i in range(FEEDS))
    path.write_text(f"""
[settings]
database = "store.db"
interval = "1s"
min_interval = "1s"
timeout = "5s"
jitter = 0.0
host_delay = "0s"
adaptive = false

[server]
port = {port}
{entries}""", encoding="utf-8")
    return path


def start(config: Path, log: Path) -> subprocess.Popen[bytes]:
    with log.open("ab") as out:
        return subprocess.Popen(
            [sys.executable, "-m", "aggregator.cli", "--config", str(config), "run"],
            stdout=out, stderr=subprocess.STDOUT, env={**os.environ, "PYTHONUNBUFFERED": "1"})


def check_store(database: Path) -> set[tuple[str, str]]:
    """Assert the store's invariants; return its entries as (feed url, entry key)."""
    with contextlib.closing(sqlite3.connect(database, timeout=10)) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
        rows = conn.execute(
            "SELECT f.config_url, e.entry_key FROM entries e JOIN feeds f ON f.id = e.feed_id"
        ).fetchall()
        keys = [(str(url), str(key)) for url, key in rows]
        assert len(keys) == len(set(keys)), "an entry stored twice"
        orphans = conn.execute(
            "SELECT count(*) FROM entries WHERE story_id NOT IN (SELECT id FROM stories)"
        ).fetchone()[0]
        assert orphans == 0, "entries whose story does not exist"
        bad_reps = conn.execute(
            """SELECT s.id FROM stories s LEFT JOIN entries e ON e.id = s.representative_id
               WHERE e.id IS NULL OR e.story_id != s.id""").fetchall()
        assert bad_reps == [], f"stories without a representative among their entries: {bad_reps}"
        counts = conn.execute(
            """SELECT s.id FROM stories s WHERE s.entry_count !=
                 (SELECT count(*) FROM entries e WHERE e.story_id = s.id)""").fetchall()
        assert counts == [], f"stories whose entry_count is wrong: {counts}"
        split = conn.execute(
            "SELECT url FROM entries GROUP BY url HAVING count(DISTINCT story_id) > 1"
        ).fetchall()
        assert split == [], f"one story split over several: {split}"
        counted = conn.execute(
            """SELECT f.config_url FROM feeds f WHERE
                 (SELECT coalesce(sum(entries_new), 0) FROM fetches WHERE feed_id = f.id)
                 != (SELECT count(*) FROM entries WHERE feed_id = f.id)""").fetchall()
        assert counted == [], f"entries and the fetches that recorded them disagree: {counted}"
        fts = conn.execute("SELECT count(*) FROM entries_fts").fetchone()[0]
        assert fts == len(keys), "the search index is out of step with entries"
        return set(keys)


def kill(process: subprocess.Popen[bytes], workers: set[int]) -> None:
    workers.update(children(process.pid))
    process.send_signal(signal.SIGKILL)
    process.wait()


@pytest.mark.skipif(not Path("/proc/self/task").is_dir(), reason="needs Linux /proc")
def test_fifty_kill_9_lose_nothing_and_break_nothing(
        tmp_path: Path, feeds: GrowingFeeds, free_port: int) -> None:
    config = write_config(tmp_path, feeds, free_port)
    database, log = tmp_path / "store.db", tmp_path / "run.log"
    rng = random.Random(int(os.environ.get("CRASH_SEED", "13")))
    workers: set[int] = set()
    stored: set[tuple[str, str]] = set()
    progress, writes = 0, 0  # kills after which more fetches had written entries than before
    started = time.monotonic()
    for round_ in range(KILLS):
        process = start(config, log)
        time.sleep(rng.uniform(0.5, 1.4))  # start-up, migration, fetch, parse, commit
        assert process.poll() is None, log.read_text(errors="replace")[-3000:]
        kill(process, workers)
        if not database.exists():
            continue
        now = check_store(database)
        lost = stored - now
        assert not lost, f"kill {round_ + 1} lost committed entries: {sorted(lost)[:5]}"
        progress += writing_fetches(database) > writes
        writes, stored = writing_fetches(database), now
    assert progress >= KILLS // 5, f"only {progress} kills came after a write: too early"
    killed_at = time.monotonic() - started

    # A last, clean run: the schedule resumes (every feed fetched again), and every entry of
    # every feed's last version is stored exactly once.
    before = {i: feeds.requests.get(i, 0) for i in range(FEEDS)}
    process = start(config, log)
    expected = {(feeds.url(i), f"f{i}-e{j}") for i in range(FEEDS) for j in range(MAX_ENTRIES)}
    deadline = time.monotonic() + 30
    while not done(feeds, before, database, expected, free_port):
        assert process.poll() is None, log.read_text(errors="replace")[-3000:]
        assert time.monotonic() < deadline, log.read_text(errors="replace")[-3000:]
        time.sleep(0.3)
    process.send_signal(signal.SIGTERM)
    assert process.wait(timeout=10) == 0, log.read_text(errors="replace")[-3000:]
    final = check_store(database)
    assert final == expected, f"missing {sorted(expected - final)[:5]}, " \
                              f"unexpected {sorted(final - expected)[:5]}"
    with contextlib.closing(sqlite3.connect(database)) as conn:
        stories = conn.execute("SELECT count(*) FROM stories").fetchone()[0]
        unfetched = conn.execute("SELECT count(*) FROM feeds WHERE last_success IS NULL"
                                 ).fetchone()[0]
    assert stories == MAX_ENTRIES, "each story must be one story across the feeds"
    assert unfetched == 0
    time.sleep(0.5)
    assert not [pid for pid in workers if running(pid)], "parser processes left behind"
    print(f"{KILLS} kills ({progress} after new writes) in {killed_at:.1f} s; "
          f"{len(final)} entries, {stories} stories")


def done(feeds: GrowingFeeds, before: dict[int, int], database: Path,
         expected: set[tuple[str, str]], port: int) -> bool:
    """Whether the last run serves, fetched every feed again, and stored every entry."""
    if any(feeds.requests.get(i, 0) <= before[i] or feeds.count(i) < MAX_ENTRIES
           for i in range(FEEDS)):
        return False
    try:
        if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=5).status_code != 200:
            return False
        return expected <= keys_of(database)
    except (httpx.HTTPError, sqlite3.Error):
        return False


def writing_fetches(database: Path) -> int:
    """How many fetches stored new or changed entries."""
    with contextlib.closing(sqlite3.connect(database)) as conn:
        return int(conn.execute("SELECT count(*) FROM fetches "
                                "WHERE entries_new + entries_updated > 0").fetchone()[0])


def keys_of(database: Path) -> set[tuple[str, str]]:
    with contextlib.closing(sqlite3.connect(f"file:{database}?mode=ro", uri=True)) as conn:
        rows = conn.execute("SELECT f.config_url, e.entry_key FROM entries e "
                            "JOIN feeds f ON f.id = e.feed_id").fetchall()
    return {(str(url), str(key)) for url, key in rows}
