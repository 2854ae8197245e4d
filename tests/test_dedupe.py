"""Dedupe as pure functions: canonical URLs, keys, update caps, and the story matcher."""

from __future__ import annotations

import pytest

from aggregator import dedupe
from aggregator.models import Candidate, DedupeSettings, ParsedEntry

SETTINGS = DedupeSettings()
BODY = ("The central bank of Chile held its benchmark rate at 5.25 percent on Tuesday, "
        "citing persistent core inflation and a weaker peso. Governor Rosanna Costa said "
        "the board would watch wage growth closely before easing. Economists polled last "
        "week had expected a quarter point cut after two months of slowing prices, and "
        "markets reacted with a rise in the peso against the dollar.")


def entry(key: str = "k", *, url: str | None = None, title: str | None = "Chile holds rate",
          text: str | None = BODY, published: str | None = "2026-11-20T10:00:00Z",
          updated: str | None = None, guid: str | None = None) -> ParsedEntry:
    return ParsedEntry(key=key, guid=guid, url=url, title=title, author=None,
                       summary=None, content=f"<p>{text}</p>" if text else None,
                       published=published, updated=updated)


@pytest.mark.parametrize(("variant", "expected"), [
    ("http://www.example.com/world/story-1/?utm_source=rss&utm_medium=feed",
     "https://example.com/world/story-1"),
    ("https://m.example.com/world/story-1#comments", "https://example.com/world/story-1"),
    ("https://amp.example.com/world/story-1/amp/", "https://example.com/world/story-1"),
    ("https://example.com/amp/world/story-1", "https://example.com/world/story-1"),
    ("HTTPS://EXAMPLE.COM:443/world/story-1?fbclid=abc&gclid=x&mc_cid=1&mc_eid=2&ref=tw",
     "https://example.com/world/story-1"),
    ("https://example.com/article?id=42&b=2&utm_campaign=x", "https://example.com/article?b=2&id=42"),
    ("https://example.com:8443/a", "https://example.com:8443/a"),
])
def test_canonical_url(variant: str, expected: str) -> None:
    assert dedupe.canonical_url(variant) == expected


def test_canonical_url_keeps_article_ids_apart() -> None:
    assert dedupe.canonical_url("https://x.example/a?id=1") != \
        dedupe.canonical_url("https://x.example/a?id=2")
    assert dedupe.canonical_url(None) is None
    assert dedupe.canonical_url("not a url") is None


@pytest.mark.parametrize("title", ["UPDATE 2-Chile holds rate", "Analysis: Chile holds rate",
                                   "EXCLUSIVE-Chile holds rate", "Chile holds rate | Outlet"])
def test_wire_prefixes_and_site_suffixes_are_ignored(title: str) -> None:
    assert dedupe.normalize_title(title) == "chile holds rate"


def test_decide_caps_content_only_updates() -> None:
    stored = {"k": ("old", None, 24)}
    changed = entry()
    assert dedupe.decide([changed], stored, 24).changed == ()
    assert dedupe.decide([changed], {"k": ("old", None, 3)}, 24).changed
    dated = entry(updated="2026-11-21T00:00:00Z")
    assert dedupe.decide([dated], stored, 24).changed  # a new updated date always counts


def test_key_mode_switches_on_shared_ids_and_back() -> None:
    sane = [entry(str(i), guid=f"g{i}", url=f"https://x.example/{i}") for i in range(40)]
    assert dedupe.key_mode(sane, 0.05) == "guid"
    shared = [entry(str(i), guid="same" if i < 5 else f"g{i}", url=f"https://x.example/{i}")
              for i in range(40)]
    assert dedupe.key_mode(shared, 0.05) == "link"
    no_links = [entry(str(i), guid="same") for i in range(10)]
    assert dedupe.key_mode(no_links, 0.05) == "hash"
    missing_but_linked = [entry(str(i), url=f"https://x.example/{i}") for i in range(10)]
    assert dedupe.key_mode(missing_but_linked, 0.05) == "guid"  # keyed by link anyway
    keys = [e.key for e in dedupe.rekey(shared, "link", "https://x.example/feed")]
    assert keys == [f"https://x.example/{i}" for i in range(40)]


def candidate(layer: str, *, title: str = "Chile holds rate", text: str = BODY,
              when: str = "2026-11-20T09:00:00Z") -> Candidate:
    return Candidate(entry_id=1, story_id=7, layer=layer, when=when, title=title,
                     summary=None, content=f"<p>{text}</p>")


def match(new: ParsedEntry, *candidates: Candidate) -> str | None:
    found = dedupe.features(new, SETTINGS)
    result = dedupe.match_story(found, new.published or "2026-11-20T10:00:00Z",
                                candidates, SETTINGS)
    return result.layer if result else None


def test_truncated_copy_with_edited_title_is_a_near_duplicate() -> None:
    truncated = entry(title="UPDATE 1-Chile's central bank holds rate", text=BODY[:260] + "…")
    assert match(truncated, candidate("near")) == "near"


def test_recurring_title_with_other_text_never_merges() -> None:
    other = ("Shares in Seoul closed higher on Monday as chipmakers rallied after upbeat export "
             "data, with the Kospi up 1.2 percent and foreign investors net buyers for a third "
             "session while the won firmed against the dollar in thin holiday trade today.")
    briefing = entry(title="Morning briefing", text=BODY)
    assert match(briefing, candidate("near", title="Morning briefing", text=other)) is None
    assert match(briefing, candidate("url", title="Morning briefing", text=other)) is None


def test_far_apart_in_time_never_merges_but_origin_does() -> None:
    late = entry(published="2026-12-20T10:00:00Z")
    assert match(late, candidate("fingerprint")) is None
    assert match(late, candidate("origin")) == "origin"


def test_short_items_need_an_exact_match() -> None:
    brief = entry(title="Quake strikes", text="A magnitude 4.1 quake struck off Hokkaido.")
    other = candidate("near", title="Quake strikes", text="A magnitude 4.3 quake struck off Chiba.")
    assert match(brief, other) is None
    assert dedupe.features(brief, SETTINGS).bands == ()


def test_earlier_layers_win() -> None:
    new = entry(url="https://a.example/x")
    assert match(new, candidate("near"), candidate("url")) == "url"
