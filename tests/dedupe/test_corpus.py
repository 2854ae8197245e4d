"""Tests of the dedupe corpus itself (not of any dedupe code) and of its scorer."""

from __future__ import annotations

import re
import statistics
from collections import Counter, defaultdict
from datetime import UTC, datetime
from random import Random

import pytest

from tests.dedupe import make_corpus
from tests.dedupe.corpus import (
    CORPUS_PATH,
    CorpusEntry,
    load_corpus,
    pairwise_scores,
    true_clustering,
)
from tests.dedupe.newsgen import slot_names
from tests.dedupe.topics import TOPICS

# Every hard case the dedupe is measured on, with the least we promise of each.
MIN_KIND_COUNTS = {
    "original": 60,
    "singleton": 40,
    "wire-copy": 80,
    "edited-title": 25,
    "truncated": 30,
    "tracking-params": 30,
    "amp-variant": 15,
    "url-variant": 15,
    "cross-section": 8,
    "same-feed-new-guid": 8,
    "planet-republish": 20,
    "update-in-place": 12,
    "recurring-title-negative": 40,
    "independent-coverage-negative": 20,
    "follow-up-negative": 15,
    "short-item": 40,
    "short-item-copy": 10,
    "templated-negative": 30,
}
RECURRING_TITLES = ("Morning briefing", "Stocks rise", "Stocks fall", "Letters to the editor",
                    "Weather", "Today in history", "Markets wrap")
ISO = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$")


@pytest.fixture(scope="module")
def corpus() -> list[CorpusEntry]:
    return load_corpus()


def when(entry: CorpusEntry) -> datetime | None:
    stamp = entry.published or entry.updated
    return datetime.strptime(stamp, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC) if stamp else None


def body_words(entry: CorpusEntry) -> int:
    text = entry.content or entry.summary or ""
    return len(re.sub(r"<[^>]+>", " ", text).split())


# --------------------------------------------------------------------------- the file


def test_generator_reproduces_the_file_exactly() -> None:
    assert make_corpus.render_corpus(make_corpus.build()) == CORPUS_PATH.read_text("utf-8")


def test_file_is_commit_sized() -> None:
    assert CORPUS_PATH.stat().st_size < 2_000_000


def test_loads_with_well_formed_fields(corpus: list[CorpusEntry]) -> None:
    assert len(corpus) >= 600
    for entry in corpus:
        assert entry.feed_url.startswith("https://")
        assert entry.group and entry.kind and entry.note
        assert entry.title or entry.summary or entry.content
        for stamp in (entry.published, entry.updated):
            assert stamp is None or ISO.match(stamp)
        assert entry.url is None or entry.url.startswith(("http://", "https://"))


def test_shape_feeds_entries_and_groups(corpus: list[CorpusEntry]) -> None:
    assert len({e.feed_url for e in corpus}) >= 20
    sizes = Counter(e.group for e in corpus)
    assert sum(1 for n in sizes.values() if n > 1) >= 150
    assert max(sizes.values()) <= 15  # a wire story and its echoes, not a catch-all


def test_every_hard_case_kind_is_present(corpus: list[CorpusEntry]) -> None:
    kinds = Counter(e.kind for e in corpus)
    short = {k: kinds[k] for k, least in MIN_KIND_COUNTS.items() if kinds[k] < least}
    assert not short, f"kinds below their minimum: {short}"
    assert set(kinds) <= set(MIN_KIND_COUNTS)


def test_guid_unique_per_feed_except_updates_in_place(corpus: list[CorpusEntry]) -> None:
    first: dict[tuple[str, str | None], CorpusEntry] = {}
    for entry in corpus:
        key = (entry.feed_url, entry.guid)
        if key in first:
            assert entry.kind == "update-in-place", key
            assert entry.group == first[key].group
            assert entry.url == first[key].url
        else:
            assert entry.kind != "update-in-place", f"update of an unseen entry: {key}"
            first[key] = entry


def test_one_url_is_one_story(corpus: list[CorpusEntry]) -> None:
    """Labelling sanity: the exact same link never belongs to two stories."""
    groups: dict[str, set[str]] = defaultdict(set)
    for entry in corpus:
        if entry.url:
            groups[entry.url].add(entry.group)
    assert all(len(g) == 1 for g in groups.values())


def test_updates_in_place_come_later_and_change_something(corpus: list[CorpusEntry]) -> None:
    seen: dict[tuple[str, str | None], CorpusEntry] = {}
    for entry in corpus:
        key = (entry.feed_url, entry.guid)
        if entry.kind == "update-in-place":
            old = seen[key]
            assert entry.updated and (old.updated or old.published or "") < entry.updated
            assert (entry.title, entry.summary, entry.content) != (old.title, old.summary,
                                                                   old.content)
        seen[key] = entry


def test_planet_source_ids_name_an_entry_of_the_same_story(corpus: list[CorpusEntry]) -> None:
    by_guid = defaultdict(list)
    for entry in corpus:
        by_guid[entry.guid].append(entry)
    republished = [e for e in corpus if e.kind == "planet-republish" and e.source_id]
    assert len(republished) >= 15
    for entry in republished:
        assert any(o.group == entry.group for o in by_guid[entry.source_id])
    orphans = [e for e in corpus if e.source_id and not by_guid[e.source_id]]
    assert orphans and all(Counter(x.group for x in corpus)[e.group] == 1 for e in orphans)


def test_times_span_ten_days_and_copies_follow_within_days(corpus: list[CorpusEntry]) -> None:
    stamps = [t for t in map(when, corpus) if t]
    assert 9 <= (max(stamps) - min(stamps)).days <= 13
    by_group: dict[str, list[datetime]] = defaultdict(list)
    for entry in corpus:
        t = when(entry)
        if t:
            by_group[entry.group].append(t)
    for group, times in by_group.items():
        assert (max(times) - min(times)).total_seconds() <= 3 * 86400, group
    assert sum(1 for e in corpus if not e.published and e.updated) >= 20
    assert sum(1 for e in corpus if not e.published and not e.updated) >= 3


def test_full_articles_are_realistic_lengths(corpus: list[CorpusEntry]) -> None:
    wire = [e for e in corpus if e.feed_url.startswith("https://www.worldwire.example")
            and e.kind in ("original", "singleton", "follow-up-negative") and e.content]
    sizes = [len(e.content or "") for e in wire]
    assert len(wire) >= 60
    assert statistics.median(sizes) >= 2000 and max(sizes) <= 6000
    for entry in wire:
        # three to eight story paragraphs, plus the reporting credit
        assert 4 <= (entry.content or "").count("<p>") <= 9, entry.title


def test_recurring_titles_recur_across_groups_and_feeds(corpus: list[CorpusEntry]) -> None:
    for title in RECURRING_TITLES:
        same = [e for e in corpus if e.title == title]
        assert len({e.group for e in same}) >= 3, title
    wraps = [e for e in corpus if (e.title or "").startswith("Markets wrap")]
    assert len({e.feed_url for e in wraps}) >= 3  # carried copies: same title, same group
    one_feed = Counter((e.feed_url, e.title) for e in corpus if e.title in RECURRING_TITLES)
    assert max(one_feed.values()) >= 8  # same title in the same feed, different stories


def test_short_items_are_short(corpus: list[CorpusEntry]) -> None:
    shorts = [e for e in corpus if e.kind in ("short-item", "short-item-copy")]
    assert len(shorts) >= 50
    assert all(body_words(e) < 25 for e in shorts), [e.title for e in shorts if body_words(e) >= 25]


def test_query_ids_are_meaningful(corpus: list[CorpusEntry]) -> None:
    """Sites that number articles in the query string: same path, different stories."""
    by_path: dict[str, set[str]] = defaultdict(set)
    for entry in corpus:
        if entry.url and re.search(r"[?&](id|idxno)=\d+", entry.url):
            by_path[entry.url.split("?")[0]].add(entry.group)
    assert max(len(groups) for groups in by_path.values()) >= 20


def test_tracking_and_variant_urls_keep_the_article(corpus: list[CorpusEntry]) -> None:
    tracked = [e for e in corpus if e.url and re.search(r"[?&](utm_\w+|fbclid|gclid|mc_cid|"
                                                        r"ref|cmpid|at_medium)=", e.url)]
    assert len(tracked) >= 40
    params = Counter(m for e in tracked for m in re.findall(r"[?&]([a-z_]+)=", e.url or ""))
    for name in ("utm_source", "utm_medium", "utm_campaign", "fbclid", "gclid", "mc_cid",
                 "mc_eid", "ref", "cmpid", "at_medium"):
        assert params[name], name
    assert any(e.url and e.url.startswith("http://") for e in corpus)
    assert any(e.url and "#" in e.url for e in corpus)
    assert any(e.url and "://m." in e.url for e in corpus)
    assert any(e.url and ("://amp." in e.url or "/amp" in e.url) for e in corpus)


def test_templates_only_use_facts_they_draw() -> None:
    """Catch template typos for every alternative, not only those the seed happened to pick."""
    rng = Random(7)
    start = make_corpus.START
    for topic in TOPICS:
        facts = topic.draw(rng, start)
        templates = [*topic.headlines, *topic.leads, *topic.quotes, *topic.voices,
                     *(a for slot in topic.slots for a in slot)]
        if topic.evolve is not None:
            facts = topic.evolve(rng, facts, start)
            templates += [*topic.followup_headlines, *topic.followup_leads,
                          *(a for slot in topic.followup_slots for a in slot)]
        missing = set().union(*(slot_names(t) for t in templates)) - set(facts)
        assert not missing, (topic.name, missing)


# --------------------------------------------------------------------------- the scorer


def entry(group: str) -> CorpusEntry:
    return CorpusEntry("https://f.example/feed", None, None, "t", None, None, None, None, None,
                       None, group, "k", "n")


def test_scores_perfect_for_the_true_grouping(corpus: list[CorpusEntry]) -> None:
    assert pairwise_scores(true_clustering(corpus), corpus) == (1.0, 1.0)


def test_scores_all_singletons_and_all_in_one(corpus: list[CorpusEntry]) -> None:
    singletons = {i: f"s{i}" for i in range(len(corpus))}
    assert pairwise_scores(singletons, corpus) == (1.0, 0.0)
    assert pairwise_scores({}, corpus) == (1.0, 0.0)  # missing indices are singletons
    precision, recall = pairwise_scores(dict.fromkeys(range(len(corpus)), "all"), corpus)
    assert recall == 1.0
    assert precision < 0.01


def test_scores_a_small_worked_example() -> None:
    # True groups: {0,1,2} (3 pairs) and {3,4} (1 pair): 4 true pairs.
    small = [entry("a"), entry("a"), entry("a"), entry("b"), entry("b")]
    # Predicted {0,1} {2,3,4}: pairs (0,1) ok, (2,3) no, (2,4) no, (3,4) ok -> 2 of 4.
    predicted = {0: "x", 1: "x", 2: "y", 3: "y", 4: "y"}
    assert pairwise_scores(predicted, small) == (0.5, 0.5)
    # Merging everything: 10 predicted pairs, 4 right.
    assert pairwise_scores(dict.fromkeys(range(5), "z"), small) == (0.4, 1.0)
    # Only 0 and 1 together, the rest left out: one pair, right; 1 of 4 true pairs found.
    assert pairwise_scores({0: "x", 1: "x"}, small) == (1.0, 0.25)


def test_scores_reject_indices_outside_the_corpus() -> None:
    with pytest.raises(ValueError, match="outside"):
        pairwise_scores({5: "x"}, [entry("a")])


def test_scores_count_a_false_merge_of_two_stories(corpus: list[CorpusEntry]) -> None:
    predicted = true_clustering(corpus)
    sizes = Counter(e.group for e in corpus)
    a, b = (g for g, _ in sizes.most_common(2))
    for i, e in enumerate(corpus):
        if e.group == b:
            predicted[i] = a
    true_pairs = sum(n * (n - 1) // 2 for n in sizes.values())
    wrong = sizes[a] * sizes[b]
    assert pairwise_scores(predicted, corpus) == (true_pairs / (true_pairs + wrong), 1.0)
