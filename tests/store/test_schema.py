"""The store: migrations, WAL, and writes that are all-or-nothing."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from aggregator import dedupe
from aggregator.errors import MigrationError
from aggregator.models import DedupeSettings, FeedConfig, ParsedEntry, to_iso, utc_now
from aggregator.pipeline import place, sort_time
from aggregator.store import SCHEMA_VERSION, Store

FEED = "https://x.example/feed"


def add(store: Store, items: list[tuple[ParsedEntry, str]], now: datetime,
        never_fetched: bool = True) -> None:
    """Insert new entries the way the pipeline does, each into its story."""
    settings = DedupeSettings()
    now_iso = to_iso(now)
    for item, digest in items:
        found = dedupe.features(item, settings)
        match = place(store, 1, found, item.published or now_iso, settings)
        entry_id = store.insert_entry(1, item, feed_url=FEED, digest=digest,
                                      placed=(now_iso, sort_time(item, now_iso, never_fetched)),
                                      found=found, match=match)
        if entry_id:
            store.learn(entry_id, 1, dedupe.terms_of(found), found.title_key)


def entry(key: str, title: str = "t", published: str | None = None) -> ParsedEntry:
    return ParsedEntry(key=key, guid=key, url=f"https://x.example/{key}", title=title,
                       author=None, summary="s", content=None, published=published,
                       updated=None)


@pytest.fixture
def store(tmp_path: Path) -> Store:
    opened = Store.open(tmp_path / "s.db")
    opened.sync_feeds([FeedConfig(url="https://x.example/feed")], 3600, utc_now())
    return opened


def test_new_store_is_migrated_in_wal_mode(tmp_path: Path) -> None:
    store = Store.open(tmp_path / "sub" / "new.db")
    assert store.schema_version() == SCHEMA_VERSION
    assert store.conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert {"feeds", "entries", "fetches", "meta", "_migrations"} <= set(store.db.table_names())
    applied = store.conn.execute("SELECT version FROM _migrations").fetchall()
    assert [v for (v,) in applied] == list(range(1, SCHEMA_VERSION + 1))
    store.close()
    again = Store.open(tmp_path / "sub" / "new.db")  # migrating twice is a no-op
    assert again.schema_version() == SCHEMA_VERSION


def test_store_from_a_newer_version_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "future.db"
    Store.open(path).close()
    conn = sqlite3.connect(path)
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    conn.close()
    with pytest.raises(MigrationError, match="newer"):
        Store.open(path)


def test_failed_transaction_leaves_nothing(store: Store) -> None:
    now = utc_now()

    def interrupted_fetch() -> None:
        with store.transaction():
            add(store, [(entry("a"), "h")], now)
            raise RuntimeError("killed mid-fetch")

    with pytest.raises(RuntimeError):
        interrupted_fetch()
    assert store.count_entries() == 0


def test_insert_is_idempotent_and_update_keeps_first_seen(store: Store) -> None:
    now = utc_now()
    with store.transaction():
        add(store, [(entry("a"), "h1")], now)
        add(store, [(entry("a"), "h1")], now)
    assert store.count_entries() == 1
    later = now + timedelta(hours=1)
    with store.transaction():
        store.update_entries(1, [(entry("a", title="new"), "h2")], later)
    row = store.conn.execute(
        "SELECT title, first_seen, last_changed, update_count FROM entries").fetchone()
    assert row[0] == "new"
    assert row[1] < row[2]
    assert row[3] == 1
    assert store.entry_states(1, ["a", "zzz"]) == {"a": ("h2", None, 1)}


def test_first_fetch_keeps_entry_dates_later_ones_use_first_seen(store: Store) -> None:
    now = utc_now()
    with store.transaction():
        add(store, [(entry("old", published="2020-01-01T00:00:00Z"), "h"),
                    (entry("future", published="2999-01-01T00:00:00Z"), "h")], now)
        add(store, [(entry("late", published="2020-01-01T00:00:00Z"), "h")], now,
            never_fetched=False)
    sort_at = dict(store.conn.execute("SELECT entry_key, sort_at FROM entries").fetchall())
    assert sort_at["old"] == "2020-01-01T00:00:00Z"
    assert sort_at["future"] == sort_at["late"]  # clamped to now / first seen


def test_claim_due_leases_feeds(store: Store) -> None:
    now = utc_now()
    first = store.claim_due(now, 10)
    assert [job.url for job in first] == ["https://x.example/feed"]
    assert store.claim_due(now, 10) == []  # leased for one interval
    assert store.claim_due(now + timedelta(seconds=3601), 10)


def test_sync_feeds_flags_removed_feeds(store: Store) -> None:
    store.sync_feeds([FeedConfig(url="https://y.example/feed")], 60, utc_now())
    assert [f.url for f in store.list_feeds()] == ["https://y.example/feed"]
    store.sync_feeds([FeedConfig(url="https://x.example/feed")], 60, utc_now())
    assert [f.url for f in store.list_feeds()] == ["https://x.example/feed"]


KILLER = """
import os, sys
from aggregator.models import FeedConfig, ParsedEntry, utc_now
from aggregator.store import Store
store = Store.open(sys.argv[1])
store.sync_feeds([FeedConfig(url="https://x.example/feed")], 3600, utc_now())
with store.transaction():
    for i in range(1000):
        store.conn.execute("INSERT INTO stories (first_seen, sort_at) VALUES ('x', 'x')")
        store.conn.execute(
            "INSERT INTO entries (feed_id, entry_key, uid, content_hash, first_seen, "
            "last_changed, sort_at, story_id, dedupe_layer) "
            "VALUES (1, ?, ?, 'h', 'x', 'x', 'x', ?, 'new')", (str(i), str(i), i + 1))
    os._exit(9)  # die mid-transaction, as a kill -9 would
"""


def test_kill_mid_transaction_leaves_the_store_as_before(tmp_path: Path) -> None:
    path = tmp_path / "killed.db"
    result = subprocess.run([sys.executable, "-c", KILLER, str(path)], check=False)
    assert result.returncode == 9
    store = Store.open(path)
    assert store.count_entries() == 0
    assert store.conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
