"""The matcher's stored view (migration 2), band lookups, and background checkpoints."""

from __future__ import annotations

import os
import sqlite3
import time
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import pytest

from aggregator import dedupe
from aggregator.dedupe.match import candidate_view
from aggregator.models import (
    DedupeSettings,
    FeedConfig,
    ParsedEntry,
    StoryMatch,
    to_iso,
    utc_now,
)
from aggregator.pipeline import place, prepare_feed, sort_time
from aggregator.store import SCHEMA_VERSION, Store
from aggregator.store.schema import MIGRATIONS

SETTINGS = DedupeSettings()
BODY = ("Chile's central bank held its benchmark interest rate at 5.75 percent on Tuesday, "
        "as expected, saying inflation was easing but risks remained from a weaker peso and "
        "higher energy prices, and signalled that cuts could resume early next year if the "
        "outlook allowed, according to a statement released after the board's meeting.")


def entry(key: str, title: str = "Chile's central bank holds its benchmark rate steady",
          text: str = BODY) -> ParsedEntry:
    return ParsedEntry(key=key, guid=None, url=f"https://{key}.example/story", title=title,
                       author=None, summary=None, content=f"<p>{text}</p>",
                       published="2026-11-20T09:00:00Z", updated=None)


def insert(store: Store, item: ParsedEntry, feed_id: int = 1) -> StoryMatch | None:
    """Place and insert one entry as the pipeline does, and count its words."""
    now_iso = to_iso(utc_now())
    found = dedupe.features(item, SETTINGS)
    match = place(store, feed_id, found, item.published or now_iso, SETTINGS)
    with store.transaction():
        entry_id = store.insert_entry(feed_id, item, feed_url=f"https://feed{feed_id}.example/",
                                      digest="h", placed=(now_iso, sort_time(item, now_iso, False)),
                                      found=found, match=match)
        store.learn(entry_id, feed_id, dedupe.terms_of(found), found.title_key)
    return match


@pytest.fixture
def store(tmp_path: Path) -> Store:
    opened = Store.open(tmp_path / "s.db")
    opened.sync_feeds([FeedConfig(url=f"https://feed{i}.example/") for i in (1, 2, 3)],
                      3600, utc_now())
    return opened


def test_insert_stores_the_view_the_matcher_compares(store: Store) -> None:
    insert(store, entry("a"))
    title, words, count, title_key, lead_key = store.conn.execute(
        "SELECT match_title, match_words, word_count, title_key, lead_key FROM entries"
    ).fetchone()
    expected = dedupe.features(entry("a"), SETTINGS)
    assert (title, words, count) == (expected.title, expected.lead_words, expected.words)
    assert (title_key, lead_key) == (expected.title_key, expected.lead_key)
    assert title_key is not None and lead_key is not None
    candidate = store.find_candidates(expected)[0]
    assert candidate.content is None  # the HTML is not read when the view is stored
    view = candidate_view(candidate)
    assert view == replace(dedupe.view_of(expected), fingerprint=view.fingerprint)
    assert view.lead == tuple(expected.lead_words.split()[:dedupe.COMPARE_WORDS])


def test_rows_without_a_view_are_matched_from_their_text(store: Store) -> None:
    """A store from before migration 2 (or an updated entry) has NULL views."""
    insert(store, entry("a"), feed_id=1)
    store.conn.execute("UPDATE entries SET match_title = NULL, match_words = NULL, "
                       "word_count = NULL")
    copy = entry("b", text=BODY.replace("Tuesday", "Tuesday in Santiago"))
    candidate = store.find_candidates(dedupe.features(copy, SETTINGS))[0]
    assert candidate.content is not None and candidate.match_words is None
    match = insert(store, copy, feed_id=2)
    assert match is not None and match.layer == "near"


def test_updating_an_entry_clears_its_view(store: Store) -> None:
    insert(store, entry("a"))
    with store.transaction():
        store.update_entries(1, [(entry("a", text=BODY + " Updated."), "h2")],
                             utc_now() + timedelta(hours=1))
    row = store.conn.execute("SELECT match_words, word_count FROM entries").fetchone()
    assert row == (None, None)


def test_a_version_1_store_is_migrated_in_place(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("CREATE TABLE _migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, "
                 "applied TEXT NOT NULL)")
    MIGRATIONS[1][1](conn)
    conn.execute("PRAGMA user_version = 1")
    conn.close()
    store = Store.open(path)
    assert store.schema_version() == SCHEMA_VERSION >= 2
    columns = {row[1] for row in store.conn.execute("PRAGMA table_info(entries)")}
    assert {"match_title", "match_words", "word_count"} <= columns


def test_band_lookup_returns_the_newest_of_a_crowded_band(store: Store) -> None:
    """Many entries in the same bands: the newest ``limit``, found per band."""
    now_iso = to_iso(utc_now())
    found = replace(dedupe.features(entry("x"), SETTINGS), canonical_url=None,
                    fingerprint=None, origin=None, title_key=None, lead_key=None)
    with store.transaction():
        for n in range(30):
            store.insert_entry(3, entry(f"k{n}"), feed_url="https://feed3.example/",
                               digest="h", placed=(now_iso, now_iso), found=found, match=None)
    ids = [row[0] for row in store.conn.execute("SELECT id FROM entries ORDER BY id DESC")]
    candidates = store.find_candidates(found, limit=10)
    assert [c.entry_id for c in candidates] == ids[:10]
    assert {c.layer for c in candidates} == {"near"}  # found by the title bands too: first wins
    older = store.find_candidates(found, limit=5, before_id=ids[3])
    assert [c.entry_id for c in older] == ids[4:9]


def test_prepare_feed_returns_features_in_step_with_entries() -> None:
    body = ("<?xml version='1.0'?><rss version='2.0'><channel><title>T</title>"
            "<link>https://n.example/</link>"
            "<item><guid>1</guid><title>First story about the harbour</title>"
            f"<description>{BODY}</description></item>"
            "<item><guid>2</guid><title>Second</title><description>Short.</description></item>"
            "</channel></rss>").encode()
    parsed, found = prepare_feed(body, "https://n.example/feed", {}, SETTINGS)
    assert len(found) == len(parsed.entries) == 2
    assert found[0] == dedupe.features(parsed.entries[0], SETTINGS)
    assert found[1].words == 1 and found[1].bands == ()


def test_background_checkpoint_folds_the_wal(store: Store, tmp_path: Path) -> None:
    store.checkpoint_in_background()
    checkpointer = store._checkpointer
    assert checkpointer is not None
    checkpointer.wal_bytes = 64 * 1024
    checkpointer.interval_s = 0.02
    with store.transaction():
        for n in range(200):
            store.conn.execute("INSERT INTO meta (key, value) VALUES (?, ?)",
                               (f"k{n}", "x" * 2000))
    wal = str(tmp_path / "s.db-wal")
    assert os.path.getsize(wal) > 64 * 1024
    deadline = time.monotonic() + 10
    while not checkpointer.checkpoints and time.monotonic() < deadline:
        time.sleep(0.02)
    assert checkpointer.checkpoints >= 1
    store.close()
    assert not checkpointer._thread.is_alive()


def test_migration_4_counts_the_words_and_headlines_of_an_older_store(tmp_path: Path) -> None:
    """A version 3 store: the backfill weighs its entries as if it had counted from the start."""
    path = tmp_path / "v3.db"
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("CREATE TABLE _migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, "
                 "applied TEXT NOT NULL)")
    for version in (1, 2, 3):
        MIGRATIONS[version][1](conn)
    conn.execute("PRAGMA user_version = 3")
    items = [(1, entry("a")), (2, entry("b", text=BODY.replace("Tuesday", "Monday"))),
             (1, entry("c", title="Morning briefing", text="Rain in Seoul today.")),
             (1, entry("d", title="Morning briefing", text="Snow in Gangwon today."))]
    for feed_id in (1, 2):
        conn.execute("INSERT INTO feeds (id, config_url, url, host, interval_s, next_fetch, "
                     "added) VALUES (?, ?, ?, 'x', 60, 'x', 'x')",
                     (feed_id, f"https://feed{feed_id}.example/", f"https://feed{feed_id}.example/"))
    for row, (feed_id, item) in enumerate(items, start=1):
        found = dedupe.features(item, SETTINGS)
        conn.execute("INSERT INTO stories (id, first_seen, sort_at) VALUES (?, 'x', 'x')", (row,))
        conn.execute(
            "INSERT INTO entries (id, feed_id, entry_key, uid, title, content_hash, first_seen, "
            "last_changed, sort_at, story_id, dedupe_layer, match_title, match_words, "
            "word_count) VALUES (?, ?, ?, ?, ?, 'h', 'x', 'x', 'x', ?, 'new', ?, ?, ?)",
            (row, feed_id, item.key, item.key, item.title, row, found.title, found.lead_words,
             found.words))
    conn.close()

    store = Store.open(path)
    assert store.schema_version() == SCHEMA_VERSION >= 4
    features = [dedupe.features(item, SETTINGS) for _, item in items]
    keys = store.conn.execute("SELECT title_key, lead_key FROM entries ORDER BY id").fetchall()
    assert keys == [(f.title_key, f.lead_key) for f in features]
    assert keys[0][1] is not None and keys[2][1] is None  # 4 words: too few for a lead key
    assert store.match_documents() == 4
    expected: dict[int, int] = {}
    for found in features:
        for bucket in dedupe.terms_of(found):
            expected[bucket] = expected.get(bucket, 0) + 1
    assert dict(store.conn.execute("SELECT term, entries FROM term_counts")) == expected
    assert store.term_counts([dedupe.term("chile")]) == {dedupe.term("chile"): 2}
    briefing = features[2].title_key
    assert store.headline_uses(briefing, 1) == (2, 2)  # feed 1 used it for two stories
    assert store.headline_uses(briefing, 2) == (2, 0)
    assert store.headline_uses(features[1].title_key, 2) == (1, 1)
    evidence = store.conn.execute("SELECT evidence FROM story_entries").fetchall()
    assert evidence == [(None,)] * 4  # the view has the column; old merges have no evidence


def test_word_counts_are_written_once_per_transaction_and_read_as_learned(store: Store) -> None:
    """Inside a transaction ``learn`` keeps the counts in memory; reads see them, commit writes."""
    chile, peso = dedupe.term("chile"), dedupe.term("peso")
    with store.transaction():
        store.learn(1, 1, {chile, peso}, None)
        store.learn(2, 1, {chile}, None)
        assert store.term_counts([chile, peso]) == {chile: 2, peso: 1}
        assert store.match_documents() == 2
        written = store.conn.execute("SELECT count(*) FROM term_counts").fetchone()[0]
        assert written == 0  # not yet: one upsert per word, at commit
        store.learn(3, 1, {peso}, None)  # after a read: the kept counts follow
        assert store.term_counts([chile, peso]) == {chile: 2, peso: 2}
        assert store.match_documents() == 3
    assert dict(store.conn.execute("SELECT term, entries FROM term_counts")) == {chile: 2, peso: 2}
    assert store.match_documents() == 3


def test_word_counts_of_a_rolled_back_transaction_are_forgotten(store: Store) -> None:
    chile = dedupe.term("chile")
    store.learn(1, 1, {chile}, None)  # outside a transaction: written at once
    def failed_fetch() -> None:
        with store.transaction():
            store.learn(2, 1, {chile}, None)
            assert store.term_counts([chile]) == {chile: 2}
            raise RuntimeError("the fetch failed")

    with pytest.raises(RuntimeError):
        failed_fetch()
    assert store.term_counts([chile]) == {chile: 1}
    assert store.match_documents() == 1
    with store.transaction(commit=False):  # a dry run (dedupe --backtest) writes nothing
        store.forget_learned()
        assert store.term_counts([chile]) == {}
        store.learn(2, 1, {chile}, None)
        assert store.term_counts([chile]) == {chile: 1}
    assert store.term_counts([chile]) == {chile: 1}
    assert store.match_documents() == 1


def test_a_kept_candidate_view_is_remade_when_the_entry_changes(store: Store) -> None:
    insert(store, entry("a"))
    first = candidate_view(store.match_members(1)[0])
    store.conn.execute("UPDATE entries SET match_words = 'a different text now' WHERE id = 1")
    again = candidate_view(store.match_members(1)[0])
    assert first.lead[:3] == ("chile", "s", "central")
    assert again.lead == ("a", "different", "text", "now")
