"""The schema as numbered migrations, applied at start and recorded in the store.

Each migration is a function registered with its version; ``migrate`` runs the
ones above ``PRAGMA user_version`` in one transaction each and records them in
``_migrations``, so an upgrade either happens whole or not at all and a user
can see in SQL when it happened.  Never edit a released migration: add one.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable

from aggregator.errors import MigrationError
from aggregator.models import to_iso, utc_now

Migration = Callable[[sqlite3.Connection], None]
MIGRATIONS: dict[int, tuple[str, Migration]] = {}


def migration(version: int, name: str) -> Callable[[Migration], Migration]:
    """Register ``fn`` as the migration to ``version``."""

    def register(fn: Migration) -> Migration:
        MIGRATIONS[version] = (name, fn)
        return fn

    return register


@migration(1, "feeds, entries, fetches, meta")
def _initial(conn: sqlite3.Connection) -> None:
    _execute_script(conn, """
        CREATE TABLE feeds (
            id INTEGER PRIMARY KEY,
            config_url TEXT NOT NULL UNIQUE,  -- the url in feeds.toml: the feed's identity
            url TEXT NOT NULL,             -- where it is fetched now (an adopted redirect)
            host TEXT NOT NULL,            -- url's host, for per-host Retry-After
            title TEXT,                    -- from the config
            feed_title TEXT,               -- from the feed document
            link TEXT,
            subtitle TEXT,
            tags TEXT NOT NULL DEFAULT '[]',
            interval_s REAL NOT NULL,
            enabled INTEGER NOT NULL DEFAULT 1,
            in_config INTEGER NOT NULL DEFAULT 1,
            config_hash TEXT NOT NULL DEFAULT '',  -- a change to the entry re-enables a gone feed
            retry_after_scope TEXT NOT NULL DEFAULT 'feed',
            etag TEXT,
            last_modified TEXT,
            body_hash TEXT,                -- of the last 200's body: an identical body is a 304
            max_age_s REAL,                -- caching hints of the last 200
            ttl_s REAL,
            update_period_s REAL,
            post_gap_s REAL,               -- observed mean time between posts
            last_status INTEGER,
            last_outcome TEXT,             -- ok, not_modified, error
            last_fetch TEXT,
            last_success TEXT,
            last_error TEXT,
            last_reason TEXT,
            error_streak INTEGER NOT NULL DEFAULT 0,
            gone_since TEXT,               -- 410 Gone: not fetched until re-enabled
            retry_until TEXT,              -- a Retry-After in force
            next_fetch TEXT NOT NULL,      -- due time; a new feed is due when added
            next_fetch_reason TEXT NOT NULL DEFAULT 'new',
            redirect_target TEXT,          -- a permanent redirect seen on consecutive fetches
            redirect_count INTEGER NOT NULL DEFAULT 0,
            redirect_since TEXT,
            declared_url TEXT,             -- atom:link rel=self or itunes:new-feed-url
            key_mode TEXT NOT NULL DEFAULT 'guid',  -- guid, or link/hash while its ids are broken
            updated TEXT,                  -- last time its entries changed
            added TEXT NOT NULL
        );
        CREATE INDEX feeds_due ON feeds (next_fetch)
            WHERE enabled = 1 AND in_config = 1 AND gone_since IS NULL;
        CREATE INDEX feeds_host ON feeds (host);

        CREATE TABLE url_history (
            id INTEGER PRIMARY KEY,
            feed_id INTEGER NOT NULL REFERENCES feeds (id) ON DELETE CASCADE,
            url TEXT NOT NULL,
            first_seen TEXT NOT NULL,
            reason TEXT NOT NULL,          -- config, redirect (adopted 301/308)
            UNIQUE (feed_id, url)
        );

        CREATE TABLE entries (
            id INTEGER PRIMARY KEY,
            feed_id INTEGER NOT NULL REFERENCES feeds (id) ON DELETE CASCADE,
            entry_key TEXT NOT NULL,
            uid TEXT NOT NULL UNIQUE,
            guid TEXT,
            url TEXT,
            title TEXT,
            author TEXT,
            summary TEXT,
            content TEXT,
            published TEXT,
            updated TEXT,
            tags TEXT NOT NULL DEFAULT '[]',
            enclosures TEXT NOT NULL DEFAULT '[]',
            content_hash TEXT NOT NULL,
            first_seen TEXT NOT NULL,
            last_changed TEXT NOT NULL,
            update_count INTEGER NOT NULL DEFAULT 0,
            sort_at TEXT NOT NULL,
            story_id INTEGER NOT NULL REFERENCES stories (id),
            canonical_url TEXT,            -- dedupe layer 3
            fingerprint TEXT,              -- dedupe layer 4: normalized title + text
            origin TEXT,                   -- dedupe layer 2: original id / URI guid
            dedupe_layer TEXT NOT NULL,    -- what put it in its story: new, key, origin, ...
            dedupe_score REAL,
            matched_entry_id INTEGER,      -- the entry it was matched to
            UNIQUE (feed_id, entry_key)
        );
        CREATE INDEX entries_newest ON entries (sort_at DESC, id DESC);
        CREATE INDEX entries_feed_published ON entries (feed_id, published);
        CREATE INDEX entries_story ON entries (story_id);
        CREATE INDEX entries_canonical_url ON entries (canonical_url)
            WHERE canonical_url IS NOT NULL;
        CREATE INDEX entries_fingerprint ON entries (fingerprint) WHERE fingerprint IS NOT NULL;
        CREATE INDEX entries_origin ON entries (origin) WHERE origin IS NOT NULL;

        -- full-text search over entries: rowid = entries.id, kept in step by the store
        CREATE VIRTUAL TABLE entries_fts USING fts5 (
            title, body, tokenize = 'unicode61 remove_diacritics 2'
        );

        CREATE TABLE stories (
            id INTEGER PRIMARY KEY,
            uid TEXT,                      -- the published item's id: its first entry's uid
            representative_id INTEGER,     -- earliest published entry; on a tie the fullest
            rep_published TEXT,
            rep_size INTEGER NOT NULL DEFAULT 0,
            first_seen TEXT NOT NULL,
            sort_at TEXT NOT NULL,         -- where the story sits in the merged feed
            entry_count INTEGER NOT NULL DEFAULT 0
        );
        CREATE INDEX stories_newest ON stories (sort_at DESC, id DESC);

        -- dedupe layer 5: MinHash bands of each entry's shingles (band number in the top bits)
        CREATE TABLE entry_bands (
            band INTEGER NOT NULL,
            entry_id INTEGER NOT NULL REFERENCES entries (id) ON DELETE CASCADE,
            PRIMARY KEY (band, entry_id)
        ) WITHOUT ROWID;

        CREATE VIEW story_entries AS
            SELECT e.story_id, f.url AS feed_url, e.guid, e.url, e.title, e.published,
                   e.first_seen, e.dedupe_layer AS layer, e.dedupe_score AS score,
                   e.id AS entry_id, e.matched_entry_id,
                   e.id = s.representative_id AS representative
            FROM entries e JOIN feeds f ON f.id = e.feed_id JOIN stories s ON s.id = e.story_id;

        CREATE TABLE fetches (
            id INTEGER PRIMARY KEY,
            feed_id INTEGER NOT NULL REFERENCES feeds (id) ON DELETE CASCADE,
            started TEXT NOT NULL,
            duration_ms INTEGER NOT NULL,
            url TEXT NOT NULL,             -- final URL, after redirects
            status INTEGER,
            outcome TEXT NOT NULL,
            bytes INTEGER NOT NULL DEFAULT 0,
            entries_new INTEGER NOT NULL DEFAULT 0,
            entries_updated INTEGER NOT NULL DEFAULT 0,
            reason TEXT,
            error TEXT,
            warning TEXT
        );
        CREATE INDEX fetches_feed ON fetches (feed_id, started);

        CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
        INSERT INTO meta (key, value) VALUES ('content_version', '0');
    """)


@migration(2, "the matcher's view of each entry")
def _match_view(conn: sqlite3.Connection) -> None:
    """Keep what story matching compares, so a candidate is never normalized again.

    Rows stored before this (NULL) are normalized from their HTML when they
    come up as candidates; ``aggregator dedupe --rebuild`` fills them in.
    """
    _execute_script(conn, """
        ALTER TABLE entries ADD COLUMN match_title TEXT;   -- normalized title
        ALTER TABLE entries ADD COLUMN match_words TEXT;   -- normalized lead words
        ALTER TABLE entries ADD COLUMN word_count INTEGER; -- words in the whole text
    """)


@migration(3, "the fetch's wait for its turn, apart from its duration")
def _fetch_wait(conn: sqlite3.Connection) -> None:
    """Keep a request's wait for its turn apart from its own time.

    ``duration_ms`` used to count the wait too (a small local feed queued
    behind others of its host showed 9 s).  Rows from before are NULL.
    """
    conn.execute("ALTER TABLE fetches ADD COLUMN wait_ms INTEGER")


@migration(4, "rarity counts, headline uses, exact title and lead keys")
def _rarity(conn: sqlite3.Connection) -> None:
    """What the rarity-weighted matcher keeps: word counts, headline uses, exact keys.

    The counts are filled from the entries already stored (their stored
    matcher view), in id order, so an upgraded store weighs words as if it
    had counted them from the start.  Stories are left as they are:
    ``aggregator dedupe --rebuild`` regroups them with the new matcher.
    """
    _execute_script(conn, """
        ALTER TABLE entries ADD COLUMN title_key INTEGER;  -- hash of the normalized title
        ALTER TABLE entries ADD COLUMN lead_key INTEGER;   -- hash of the text's first words
        ALTER TABLE entries ADD COLUMN dedupe_evidence TEXT;  -- JSON: what decided the merge
        CREATE INDEX entries_title_key ON entries (title_key) WHERE title_key IS NOT NULL;
        CREATE INDEX entries_lead_key ON entries (lead_key) WHERE lead_key IS NOT NULL;
        -- in how many entries' title or lead each word occurs (words hashed to 24 bits)
        CREATE TABLE term_counts (term INTEGER PRIMARY KEY, entries INTEGER NOT NULL);
        -- how many entries each feed has published under a headline: > 1 means it recurs
        CREATE TABLE headlines (
            title_key INTEGER NOT NULL,
            feed_id INTEGER NOT NULL REFERENCES feeds (id) ON DELETE CASCADE,
            uses INTEGER NOT NULL,
            PRIMARY KEY (title_key, feed_id)
        ) WITHOUT ROWID;
        INSERT INTO meta (key, value) VALUES ('match_documents', '0');
        DROP VIEW story_entries;
        CREATE VIEW story_entries AS
            SELECT e.story_id, f.url AS feed_url, e.guid, e.url, e.title, e.published,
                   e.first_seen, e.dedupe_layer AS layer, e.dedupe_score AS score,
                   e.id AS entry_id, e.matched_entry_id,
                   e.id = s.representative_id AS representative,
                   e.dedupe_evidence AS evidence
            FROM entries e JOIN feeds f ON f.id = e.feed_id JOIN stories s ON s.id = e.story_id;
    """)
    from aggregator.dedupe.features import exact_keys, word_terms

    rows = conn.execute("SELECT id, feed_id, match_title, match_words, story_id FROM entries "
                        "WHERE match_words IS NOT NULL ORDER BY id")
    counts: dict[int, int] = {}
    documents = 0
    used: set[tuple[int, int, int]] = set()  # a headline counts once per story per feed
    for entry_id, feed_id, title, words, story_id in rows.fetchall():
        lead = str(words).split()
        title_words = str(title or "").split()
        for bucket in word_terms(title_words, lead):
            counts[bucket] = counts.get(bucket, 0) + 1
        documents += 1
        title_key, lead_key = exact_keys(title_words, lead)
        conn.execute("UPDATE entries SET title_key = ?, lead_key = ? WHERE id = ?",
                     (title_key, lead_key, entry_id))
        if title_key is not None and (title_key, feed_id, story_id) not in used:
            used.add((title_key, feed_id, story_id))
            conn.execute("INSERT INTO headlines (title_key, feed_id, uses) VALUES (?, ?, 1) "
                         "ON CONFLICT DO UPDATE SET uses = uses + 1", (title_key, feed_id))
    conn.executemany("INSERT INTO term_counts (term, entries) VALUES (?, ?)", counts.items())
    conn.execute("UPDATE meta SET value = ? WHERE key = 'match_documents'", (str(documents),))


SCHEMA_VERSION = max(MIGRATIONS)


def _execute_script(conn: sqlite3.Connection, script: str) -> None:
    """Run statements one by one: ``executescript`` would COMMIT the migration's transaction."""
    statement = ""
    for line in script.splitlines(keepends=True):
        statement += line
        if sqlite3.complete_statement(statement):
            conn.execute(statement)
            statement = ""


def migrate(conn: sqlite3.Connection, path: str) -> tuple[int, int]:
    """Bring the schema to SCHEMA_VERSION; returns (from, to). One transaction per step."""
    conn.execute("CREATE TABLE IF NOT EXISTS _migrations "
                 "(version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied TEXT NOT NULL)")
    start = current = conn.execute("PRAGMA user_version").fetchone()[0]
    if current > SCHEMA_VERSION:
        raise MigrationError(path, current, SCHEMA_VERSION,
                             "the store was written by a newer aggregator; upgrade it")
    for version in range(current + 1, SCHEMA_VERSION + 1):
        name, step = MIGRATIONS[version]
        try:
            conn.execute("BEGIN IMMEDIATE")
            step(conn)
            conn.execute("INSERT INTO _migrations (version, name, applied) VALUES (?, ?, ?)",
                         (version, name, to_iso(utc_now())))
            conn.execute(f"PRAGMA user_version = {int(version)}")
            conn.execute("COMMIT")
        except sqlite3.Error as exc:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise MigrationError(path, version - 1, version, str(exc)) from exc
        current = version
    return start, current
