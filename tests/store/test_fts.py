"""Full-text queries: plain words always work, FTS5 syntax keeps working (store/fts.py)."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from aggregator import dedupe
from aggregator.models import DedupeSettings, FeedConfig, Filters, ParsedEntry, to_iso, utc_now
from aggregator.store import Store
from aggregator.store.fts import _PROBE_TABLE, fts_query, quote_terms

TEXTS = {
    "covid": "Covid-19 cases fell by 50% in the U.S. this week",
    "cpp": "Why C++ programmers don't trust garbage collectors",
    "bank": "The central bank held its benchmark rate steady",
}


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Store]:
    opened = Store.open(tmp_path_factory.mktemp("fts") / "s.db")
    opened.sync_feeds([FeedConfig(url="https://feed.example/")], 3600, utc_now())
    now_iso = to_iso(utc_now())
    for key, title in TEXTS.items():
        item = ParsedEntry(key=key, guid=None, url=f"https://feed.example/{key}", title=title,
                           author=None, summary=None, content=f"<p>{title}.</p>",
                           published=now_iso, updated=None)
        with opened.transaction():
            opened.insert_entry(1, item, feed_url="https://feed.example/", digest=key,
                                placed=(now_iso, now_iso),
                                found=dedupe.features(item, DedupeSettings()), match=None)
    yield opened
    opened.close()


def found(store: Store, query: str) -> set[str]:
    """Titles the query finds, by /search and by an output's filter (they must agree).

    A query with nothing to search for finds nothing, and filters nothing out.
    """
    searched = {hit.entry.title or "" for hit in store.search(query, 50, 0)}
    page = store.select_page([Filters(query=query)], dedupe=False, limit=50, now=utc_now())
    filtered = {e.title or "" for e in page.items}
    assert filtered == (searched if fts_query(query) is not None else set(TEXTS.values()))
    return searched


@pytest.mark.parametrize(("query", "key"), [
    ("covid-19", "covid"), ("C++", "cpp"), ("don't", "cpp"), ("U.S.", "covid"),
    ("50%", "covid"), ("c++ garbage", "cpp"), ('"central bank', "bank"),
])
def test_ordinary_words_find_their_entry(store: Store, query: str, key: str) -> None:
    assert found(store, query) == {TEXTS[key]}


@pytest.mark.parametrize(("query", "keys"), [
    ("covid OR bank", {"covid", "bank"}),
    ('"central bank"', {"bank"}),
    ('"bank central"', set()),
    ("garb*", {"cpp"}),
    ("title:steady", {"bank"}),
    ("the NOT bank", {"covid"}),
    ("NEAR(central rate, 5)", {"bank"}),
    ("NEAR(central rate, 2)", set()),
])
def test_fts5_syntax_keeps_working(store: Store, query: str, keys: set[str]) -> None:
    assert fts_query(query) == query
    assert found(store, query) == {TEXTS[k] for k in keys}


def test_unparsable_text_is_quoted_term_by_term() -> None:
    assert fts_query("covid-19") == '"covid-19"'
    assert fts_query('say "hi  there') == '"say" """hi" "there"'
    assert fts_query("nosuchcolumn:x") == '"nosuchcolumn:x"'
    assert fts_query("a\x00b") == "a b"
    assert fts_query(" \t\n") is None
    assert quote_terms("a\x00\"b") == '"a" """b"'


def test_the_probe_table_has_the_columns_and_tokenizer_of_entries_fts(store: Store) -> None:
    probe = sqlite3.connect(":memory:")
    probe.execute(_PROBE_TABLE)
    schema = "SELECT sql FROM sqlite_master WHERE name = 'entries_fts'"
    assert " ".join(probe.execute(schema).fetchone()[0].split()) == " ".join(
        store.conn.execute(schema).fetchone()[0].split())


@settings(max_examples=300, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.text())
def test_any_text_as_a_query_never_raises(store: Store, text: str) -> None:
    found(store, text)
