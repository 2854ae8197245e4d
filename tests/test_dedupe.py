"""Dedupe as pure functions: canonical URLs, keys, update caps, and the story matcher."""

from __future__ import annotations

import json

import pytest

from aggregator import dedupe
from aggregator.models import Candidate, DedupeSettings, ParsedEntry, StoryMatch

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
              when: str = "2026-11-20T09:00:00Z", entry_id: int = 1, story_id: int = 7,
              url: str | None = None) -> Candidate:
    return Candidate(entry_id=entry_id, story_id=story_id, layer=layer, when=when, title=title,
                     summary=None, content=f"<p>{text}</p>",
                     canonical_url=dedupe.canonical_url(url))


def rarity(counts: dict[str, int] | None = None, documents: int = 100) -> dedupe.Rarity:
    """A ``Rarity`` over ``counts`` (word -> entries that have it) of ``documents`` entries."""
    df = {dedupe.term(word): n for word, n in (counts or {}).items()}
    return dedupe.Rarity(documents, lambda terms: {t: df[t] for t in terms if t in df})


def lookups(*members: Candidate, counts: dict[str, int] | None = None,
            headline_uses: tuple[int, int] = (0, 0)) -> dedupe.Lookups:
    """What the store would answer: ``members`` are the stories' entries, representative first."""
    return dedupe.Lookups(
        rarity=rarity(counts),
        members=lambda story_id: [m for m in members if m.story_id == story_id],
        headline_uses=headline_uses)


def decide(new: ParsedEntry, *candidates: Candidate, members: tuple[Candidate, ...] = (),
           counts: dict[str, int] | None = None,
           headline_uses: tuple[int, int] = (0, 0)) -> StoryMatch | None:
    found = dedupe.features(new, SETTINGS)
    return dedupe.match_story(
        found, new.published or "2026-11-20T10:00:00Z", candidates,
        lookups(*(members or candidates), counts=counts, headline_uses=headline_uses), SETTINGS)


def match(new: ParsedEntry, *candidates: Candidate) -> str | None:
    result = decide(new, *candidates)
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
    # Too few words for LSH bands or a lead key: such a text is found by its headline's key.
    tiny = dedupe.features(entry(title="Quake strikes", text="Quake off Hokkaido."), SETTINGS)
    assert tiny.bands == () and tiny.lead_key is None and tiny.title_key is not None


def test_earlier_layers_win() -> None:
    new = entry(url="https://a.example/x")
    assert match(new, candidate("near"), candidate("url", entry_id=2, story_id=8,
                                                   url="https://www.a.example/x?utm_source=f")) \
        == "url"


SEOUL = ("Shares in Seoul closed higher on Monday as chipmakers rallied after upbeat export "
         "data, with the Kospi up 1.2 percent and foreign investors net buyers for a third "
         "session while the won firmed against the dollar in thin holiday trade today.")


def test_a_rare_word_weighs_more_than_a_common_one() -> None:
    weights = rarity({"said": 90, "the": 99, "hokkaido": 1}, documents=100)
    weights.load([dedupe.View(("said", "the", "hokkaido", "unseen"), ())])
    assert weights.weight("hokkaido") > weights.weight("said") > weights.weight("the")
    assert weights.weight("unseen") > weights.weight("hokkaido")  # never counted: rarest
    assert weights.weight("the") == pytest.approx(1.0, abs=0.02)  # in every entry: ~nothing
    # The shared words a merge is explained by come rarest first.
    a = dedupe.View(("quake", "hits", "hokkaido"), ("the", "quake", "said", "hokkaido"))
    b = dedupe.View(("quake", "hits", "hokkaido"), ("the", "quake", "said", "hokkaido"))
    shared = [word for word, _ in dedupe.compare(a, b, weights).shared]
    assert shared.index("hokkaido") < shared.index("said") < shared.index("the")


def test_stock_words_in_common_count_less_than_rare_ones() -> None:
    """Two leads that share only common words are less alike than two that share rare ones."""
    common = dict.fromkeys(("officials", "said", "talks", "were", "constructive"), 80)
    weights = rarity({**common, "hokkaido": 1, "chiba": 1}, documents=100)
    stock = ("officials", "said", "talks", "were", "constructive")
    a = dedupe.View((), (*stock, "hokkaido"))
    b = dedupe.View((), (*stock, "chiba"))
    weights.load([a, b])
    unweighted = 5 / 7  # Jaccard of the two word sets
    assert dedupe.compare(a, b, weights).lead < unweighted


def test_a_recurring_headline_never_merges_on_the_headline_alone() -> None:
    teaser = entry(title="Markets wrap from the Seoul exchange", text=None)
    stored = candidate("title", title="Markets wrap from the Seoul exchange", text="")
    assert decide(teaser, stored) is not None  # a headline seen once: strong evidence
    assert decide(teaser, stored, headline_uses=(2, 0)) is None  # another feed reuses it
    assert decide(teaser, stored, headline_uses=(1, 1)) is None  # its own feed used it before
    # With text, a recurring headline adds nothing: the text alone must carry the match.
    briefing = entry(title="Morning briefing", text=BODY)
    other_day = candidate("title", title="Morning briefing", text=SEOUL)
    assert decide(briefing, other_day, headline_uses=(2, 2)) is None
    same_text = candidate("near", title="Morning briefing", text=BODY)
    assert decide(briefing, same_text, headline_uses=(2, 2)) is not None


def test_a_match_with_one_member_does_not_chain_into_the_story() -> None:
    """Story 7 is about Chile but a wrong match put a Seoul entry in it: no chaining."""
    chile = candidate("story", entry_id=1, url="https://a.example/chile")
    chile_copy = candidate("story", entry_id=2, title="Chile's bank holds rate",
                           url="https://b.example/chile")
    stray = candidate("url", entry_id=3, title="Seoul shares close higher", text=SEOUL,
                      url="https://c.example/seoul")
    seoul = entry(title="Seoul shares close higher", text=SEOUL, url="https://c.example/seoul")
    assert decide(seoul, stray, members=(stray,)) is not None  # alone, the match holds
    assert decide(seoul, stray, members=(chile, chile_copy, stray)) is None
    # A copy of the story itself still joins through the representative.
    copy = entry(title="Chile holds rate", url="https://a.example/chile")
    joined = decide(copy, chile, members=(chile, chile_copy, stray))
    assert joined is not None and joined.story_id == 7
    assert json.loads(joined.evidence or "{}")["story_agreement"] == "representative"


def test_corpus_reader_fills_what_an_entry_leaves_out_and_names_what_is_wrong() -> None:
    from aggregator.dedupe.corpus import CorpusFormatError, corpus_entries, pair_counts

    minimal = {"feed_url": "https://a.example/f", "group": "g", "title": None}
    [read] = corpus_entries({"entries": [minimal]})
    assert (read.group, read.title, read.guid, read.kind, read.note) == ("g", None, None, "", "")
    with pytest.raises(CorpusFormatError, match="format 'other/2'"):
        corpus_entries({"format": "other/2", "entries": [minimal]})
    with pytest.raises(CorpusFormatError, match=r"entry 1: 'title' must be a string or null"):
        corpus_entries({"entries": [minimal, {**minimal, "title": 3}]})
    corpus = corpus_entries({"entries": [{**minimal, "group": g} for g in "aabc"]})
    counts = pair_counts({0: "x", 1: "x", 2: "x"}, corpus)  # index 3 left out: a singleton
    assert (counts.true_pairs, counts.predicted_pairs, counts.correct_pairs) == (1, 3, 1)
    assert (counts.precision, counts.recall) == (1 / 3, 1.0)


def test_a_cut_mark_is_dropped_at_the_end_of_a_long_text_only() -> None:
    """The mark is looked for in the text's tail; the same words elsewhere are text."""
    body = " ".join(["word"] * 2000)
    assert dedupe.entry_text(f"<p>Read more... {body} ends here [...]</p>", None)[-2:] == [
        "ends", "here"]
    words = dedupe.entry_text(f"<p>Read more... {body} ends here</p>", None)
    assert words[:2] == ["read", "more"] and len(words) == 2004
